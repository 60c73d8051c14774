"""TIMER input and upper-quartile binarisation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pyradiogen.cohort.tables import read_timer
from pyradiogen.genomics.immune import (
    CELL_TYPES,
    binarize_upper_quartile,
    upper_quartile_threshold,
    validate_timer,
)


def test_binarize_hand_example():
    df = pd.DataFrame({"a": [1, 2, 3, 4, 5, 6, 7, 8, np.nan],
                       "b": [1, 1, 1, 1, 2, 2, 2, 2, 2]})
    # a: Q3 = 1 + 0.75 * 7 = 6.25 (type 7) -> 7 and 8 are the top quarter; NA stays NA
    assert upper_quartile_threshold(df["a"]) == 6.25
    got = binarize_upper_quartile(df)
    assert got["a"].tolist()[:8] == [0, 0, 0, 0, 0, 0, 1, 1] and pd.isna(got["a"].iloc[8])
    # b: Q3 = 2, ties at the threshold: '>' gives no 1s, '>=' gives the five 2s
    assert got["b"].sum() == 0
    assert binarize_upper_quartile(df, rule="ge")["b"].tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 1]
    assert str(got["a"].dtype) == "Int64"
    with pytest.raises(ValueError, match="unknown rule"):
        binarize_upper_quartile(df, rule="top")


@pytest.mark.r
def test_threshold_equals_r_quantile_type7():
    from pyradiogen import rbridge

    rng = np.random.default_rng(0)
    for n in (5, 13, 110):
        x = np.round(rng.gamma(2.0, 1.0, size=n), 2)
        r = rbridge.rcall("quantile", x, 0.75, type=7, names=False)
        assert upper_quartile_threshold(x) == pytest.approx(r, rel=1e-15)


def test_read_timer_aliases_and_barcodes(tmp_path):
    p = tmp_path / "timer.csv"
    p.write_text("cancer_barcode,B_cell,T_cell.CD4,T_cell.CD8,Neutrophil,Macrophage,DC\n"
                 "TCGA-A1-A0SB-01A,0.1,0.2,0.3,0.1,0.05,0.4\n"
                 "tcga.a1.a0sd.01,0.2,0.1,0.2,0.12,0.06,0.5\n")
    t = read_timer(p)
    assert list(t.columns) == list(CELL_TYPES)
    assert list(t.index) == ["TCGA-A1-A0SB", "TCGA-A1-A0SD"]
    assert t.loc["TCGA-A1-A0SD", "Dendritic"] == 0.5


def test_timer_validation_errors():
    base = pd.DataFrame([[0.1] * 6], index=["TCGA-A1-A0SB"], columns=list(CELL_TYPES))
    assert validate_timer(base).shape == (1, 6)
    with pytest.raises(ValueError, match=r"missing cell type column\(s\) \['Dendritic'\]"):
        validate_timer(base.drop(columns="Dendritic"))
    bad = base.astype(object)
    bad.loc["TCGA-A1-A0SB", "CD8_T"] = "high"
    with pytest.raises(ValueError, match="non-numeric CD8_T for patient"):
        validate_timer(bad)
    dup = pd.concat([base, base.rename(index={"TCGA-A1-A0SB": "TCGA-A1-A0SB-01A"})])
    with pytest.raises(ValueError, match="listed twice"):
        validate_timer(dup)


def test_cohort_immune_classes(demo_cohort_dir):
    from pyradiogen.cohort import load_cohort
    from pyradiogen.genomics.immune import immune_classes

    c = load_cohort(demo_cohort_dir)
    cls = immune_classes(c)
    assert list(cls.columns) == list(CELL_TYPES) and len(cls) == len(c.timer)
    thr = c.timer.quantile(0.75)  # pandas 'linear' == R type 7
    assert (cls.sum() == (c.timer > thr).sum()).all()
    assert 0 < cls["CD8_T"].sum() <= len(c.timer) / 4


# --------------------------------------------------------------------------- run statistics


def _panimmune(real_data):
    return real_data / "tcga_brca_immune_panimmune" / \
        "TCGA_BRCA.Kallisto.fullIDs.cibersort.relative.tsv"


def test_real_panimmune_run_statistics_are_not_cell_types(real_data, tmp_path):
    """The real PanImmune CIBERSORT table ends in P.value, Correlation and RMSE: they were
    read as three more 'cell types'. Now the 22 fractions are the cell types (they sum to 1
    per patient) and the three statistics are kept apart, as QC, and named."""
    import json

    from pyradiogen.cohort import load_cohort
    from pyradiogen.cohort.tables import RunStatisticsWarning, read_immune_estimates

    with pytest.warns(RunStatisticsWarning) as rec:
        cells, stats = read_immune_estimates(_panimmune(real_data), duplicates="mean")
    assert [str(w.message).split(": ", 1)[1] for w in rec] == [
        "3 column(s) left out as run statistics, not cell types: P.value, Correlation, RMSE "
        "(kept apart as quality control)"]
    assert cells.shape == (1095, 22) and list(stats.columns) == ["P.value", "Correlation",
                                                                 "RMSE"]
    assert cells.columns[0] == "B.cells.naive" and cells.columns[-1] == "Neutrophils"
    np.testing.assert_allclose(cells.sum(axis=1), 1.0, atol=1e-6)
    assert (stats.index == cells.index).all()
    raw = pd.read_csv(_panimmune(real_data), sep="\t", index_col="SampleID")
    row = raw.loc["TCGA.A1.A0SB.01A.11R.A144.07"]
    assert stats.loc["TCGA-A1-A0SB"].tolist() == pytest.approx(
        row[["P.value", "Correlation", "RMSE"]].astype(float).tolist())
    assert stats["P.value"].between(0, 1).all() and stats["RMSE"].gt(0).all()
    # the cohort: cell types in c.immune, the statistics in c.immune_qc
    (tmp_path / "immune.tsv").symlink_to(_panimmune(real_data))
    (tmp_path / "cohort.toml").write_text('[parts]\nimmune = "immune.tsv"\n'
                                          '[immune]\nduplicates = "mean"\n')
    c = load_cohort(tmp_path, progress=False)     # validates: the warning is a check there
    assert c.immune.shape == (1095, 22)
    assert c.immune.attrs["run_statistics"] == ["P.value", "Correlation", "RMSE"]
    assert list(c.immune_qc.columns) == ["P.value", "Correlation", "RMSE"]
    json.dumps(c.immune.attrs["run_statistics"])


def test_cibersort_format_table(tmp_path):
    """CIBERSORT(x) as its R script and web tool write it: 'P-value', 'Correlation', 'RMSE'
    and, in absolute mode, 'Absolute score (sig.score)'; a TIMER2-style xCell table with
    its summary scores; EPIC's otherCells is a cell fraction (uncharacterised cells) and
    stays."""
    from pyradiogen.cohort.tables import (
        RunStatisticsWarning,
        read_immune_estimates,
        read_timer,
        run_statistic_columns,
    )

    ids = ["TCGA-A1-A0SB-01A", "TCGA-A1-A0SD-01A", "TCGA-A1-A0SE-01A"]
    cib = pd.DataFrame({"Mixture": ids, "B cells naive": [0.1, 0.2, 0.3],
                        "T cells CD8": [0.5, 0.3, 0.6], "Neutrophils": [0.4, 0.5, 0.1],
                        "P-value": [0.0, 0.02, 0.4], "Correlation": [0.31, 0.12, 0.05],
                        "RMSE": [0.95, 1.01, 1.1],
                        "Absolute score (sig.score)": [0.8, 1.2, 0.4]})
    path = tmp_path / "CIBERSORTx_Results.txt"
    cib.to_csv(path, sep="\t", index=False)
    with pytest.warns(RunStatisticsWarning, match=r"4 column\(s\) left out as run statistics, "
                      r"not cell types: P-value, Correlation, RMSE, Absolute score "
                      r"\(sig.score\)"):
        cells, stats = read_immune_estimates(path)
    assert list(cells.columns) == ["B cells naive", "T cells CD8", "Neutrophils"]
    assert list(cells.index) == ["TCGA-A1-A0SB", "TCGA-A1-A0SD", "TCGA-A1-A0SE"]
    assert stats["P-value"].tolist() == [0.0, 0.02, 0.4]
    assert stats["Absolute score (sig.score)"].tolist() == [0.8, 1.2, 0.4]
    # only statistics: no cell type to use, refused naming them
    path2 = tmp_path / "stats_only.tsv"
    cib[["Mixture", "P-value", "Correlation", "RMSE"]].to_csv(path2, sep="\t", index=False)
    with pytest.raises(ValueError, match=r"no cell-type column: P-value, Correlation, RMSE "
                                         r"are run statistics"):
        read_immune_estimates(path2)
    # xCell / ESTIMATE / TIMER2 spellings, EPIC and quanTIseq's uncharacterised cells kept
    names = ["B cell_XCELL", "immune score_XCELL", "stroma score_XCELL",
             "microenvironment score_XCELL", "ImmuneScore", "StromaScore",
             "MicroenvironmentScore", "StromalScore", "ESTIMATEScore", "TumorPurity",
             "p_value", "P.value", "otherCells", "Other", "uncharacterized cell_QUANTISEQ",
             "Macrophage_TIMER", "Correlation_CIBERSORT", "NK cell_EPIC"]
    assert run_statistic_columns(names) == [
        "immune score_XCELL", "stroma score_XCELL", "microenvironment score_XCELL",
        "ImmuneScore", "StromaScore", "MicroenvironmentScore", "StromalScore",
        "ESTIMATEScore", "TumorPurity", "p_value", "P.value", "Correlation_CIBERSORT"]
    # a TIMER table with CIBERSORT columns beside it: the six cell types, statistics named
    timer = pd.DataFrame({"sample": ids, "B_cell": [0.1, 0.2, 0.3], "CD4_Tcell": [0.1] * 3,
                          "CD8_Tcell": [0.2] * 3, "Neutrophil": [0.1] * 3,
                          "Macrophage": [0.05] * 3, "DC": [0.4] * 3, "RMSE": [1.0] * 3})
    tp = tmp_path / "timer.csv"
    timer.to_csv(tp, index=False)
    with pytest.warns(RunStatisticsWarning, match="not cell types: RMSE"):
        t = read_timer(tp)
    assert list(t.columns) == list(CELL_TYPES) and t.attrs["run_statistics"] == ["RMSE"]
