"""genefu's TAMR13 table holds non-Entrez IDs (issue 14, item K): the faithful mode warns, the
corrected table is an explicit option (R, Python, CLI), and the measured difference on real
TCGA data is the one recorded in data-raw/."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pyradiogen import rbridge
from pyradiogen.cli import main
from pyradiogen.genomics.signatures import call_signature, compute_signatures
from pyradiogen.resources import extdata

REPO = Path(__file__).resolve().parents[1]


def _platform(n: int = 10, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every gene of both TAMR13 tables measured under its real Entrez ID."""
    ids: set[float] = set()
    for f in ("sig_tamr13.csv", "sig_tamr13_corrected.csv"):
        ids |= set(pd.read_csv(extdata("genefu", f))["EntrezGene.ID"].dropna().astype(float))
    ids_sorted = sorted(ids)
    rng = np.random.default_rng(seed)
    cols = [f"g{int(i)}" for i in ids_sorted]
    x = pd.DataFrame(rng.normal(8, 2, size=(n, len(cols))), columns=cols,
                     index=[f"s{i}" for i in range(n)])
    annot = pd.DataFrame({"probe": cols, "EntrezGene.ID": ids_sorted})
    return x, annot


def _tamr13_warnings(record) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, rbridge.RWarning)
            and "sig.tamr13" in str(w.message)]


def test_faithful_mode_warns_and_corrected_table_is_an_option():
    x, annot = _platform()
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        faithful = call_signature("tamr13", x, annot)
    msgs = _tamr13_warnings(rec)
    assert len(msgs) == 1
    assert ("not the genes' Entrez IDs for 60 of its 192 genes (ADRA2A 281 instead of 150"
            in msgs[0])
    assert "no ID for 19 more" in msgs[0] and "--tamr13-table corrected" in msgs[0]
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        corrected = call_signature("tamr13", x, annot, table="corrected")
    assert _tamr13_warnings(rec) == []
    diff = np.abs(faithful["score"].to_numpy() - corrected["score"].to_numpy())
    assert diff.min() > 0  # every sample's score moves
    # the corrected cluster pclust.79 is the mean of exactly its own genes' columns
    fix = pd.read_csv(extdata("genefu", "sig_tamr13_corrected.csv"))
    cl = fix[(fix["cluster"] == "pclust.79") & fix["EntrezGene.ID"].notna()]
    own = x[[f"g{int(i)}" for i in cl["EntrezGene.ID"].drop_duplicates()]].mean(axis=1)
    np.testing.assert_allclose(corrected["cluster.scores"]["pclust.79"].to_numpy(), own.to_numpy(),
                               rtol=1e-12)


def test_compute_signatures_and_cli_option(tmp_path):
    x, annot = _platform(n=6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rbridge.RWarning)
        faithful = compute_signatures(x, annot)
        corrected = compute_signatures(x, annot, tamr13_table="corrected")
    direct = call_signature("tamr13", x, annot, table="corrected")["score"]
    np.testing.assert_allclose(corrected["tamr13"].to_numpy(), direct.to_numpy(), rtol=1e-12)
    assert not np.allclose(faithful["tamr13"], corrected["tamr13"])
    with pytest.raises(ValueError, match="tamr13_table must be one of"):
        compute_signatures(x, annot, tamr13_table="hgnc")

    x.to_csv(tmp_path / "expr.csv")
    annot.to_csv(tmp_path / "annot.csv", index=False)
    for table, ref in (("corrected", corrected), ("genefu", faithful)):
        out = tmp_path / f"sig_{table}.csv"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rbridge.RWarning)
            assert main(["signatures", "--expr", str(tmp_path / "expr.csv"), "--annot",
                         str(tmp_path / "annot.csv"), "--tamr13-table", table,
                         "--out", str(out)]) == 0
        got = pd.read_csv(out, index_col=0)
        np.testing.assert_allclose(got["tamr13"].to_numpy(), ref["tamr13"].to_numpy(), rtol=1e-12)
    with pytest.raises(SystemExit) as exc:
        main(["signatures", "--expr", "e.csv", "--annot", "a.csv", "--tamr13-table", "hgnc",
              "--out", "o.csv"])
    assert exc.value.code == 2


def test_replicate_lists_the_tamr13_table_among_the_deviations():
    from pyradiogen.studies.kim2020 import TAMR13_NOTE

    assert "sig.tamr13" in TAMR13_NOTE and "--tamr13-table corrected" in TAMR13_NOTE
    recorded = pd.read_csv(REPO / "data-raw" / "tamr13_difference.csv")
    rna = recorded[recorded["file"].str.contains("TCGA_RNAseq")]
    lo, hi = rna["mean_abs_diff_over_sd"].min(), rna["mean_abs_diff_over_sd"].max()
    assert f"{lo:.2f}-{hi:.2f} SD" in TAMR13_NOTE
    assert f"r = {rna['pearson_r'].min():.2f}" in TAMR13_NOTE


def test_gene_id_check_of_every_bundled_table_is_recorded():
    summary = pd.read_csv(REPO / "data-raw" / "gene_id_check_summary.csv").set_index("table")
    bundled = {p.name for p in extdata("genefu", "mod1.csv").parent.glob("*.csv")}
    assert set(summary.index) == bundled - {"sig_tamr13_corrected.csv"}
    assert summary.loc["sig_tamr13.csv", ["genes", "agrees", "differs", "no_id"]].tolist() == \
        [192, 97, 60, 19]
    # every other table with symbols agrees with org.Hs.eg.db except one mod2 paralog
    others = summary.drop(index="sig_tamr13.csv")
    assert others["differs"].sum() == 1 and summary.loc["mod2.csv", "differs"] == 1


def test_measured_difference_on_real_tcga_data(real_data):
    spec = importlib.util.spec_from_file_location("measure_tamr13",
                                                  REPO / "data-raw" / "measure_tamr13.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    file, kind = mod.DATASETS["TCGA-BRCA RNA-seq, ER set (PathAnalyser, 60 tumours)"]
    expr, annot = mod.load(real_data / "tcga_brca_expression" / file, kind)
    got = mod.compare(expr, annot)
    recorded = pd.read_csv(REPO / "data-raw" / "tamr13_difference.csv").set_index("file").loc[file]
    for key, value in got.items():
        assert value == pytest.approx(recorded[key], rel=1e-4, abs=1e-6), key
    # the size of the difference: genefu's table reads 33 other genes' expression
    assert got["genefu_reads_other_gene"] == 33
    assert (got["genes_read_genefu"], got["genes_read_corrected"]) == (142, 185)
    assert 0.99 < got["pearson_r"] < 0.995
    assert 0.15 < got["mean_abs_diff_over_sd"] < 0.25
