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
