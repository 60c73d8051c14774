"""Expression preparation and symbol ↔ Entrez mapping."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from pyradiogen.cohort.expression import read_expression
from pyradiogen.genomics.expression import (
    MappingWarning,
    collapse_duplicates,
    entrez_to_symbols,
    filter_low_expressed,
    normalize_library,
    prepare_expression,
    rename_to_entrez,
    symbols_to_entrez,
    to_log2,
)


@pytest.fixture
def counts():
    return pd.DataFrame({"A": [0.0, 10.0], "B": [30.0, 20.0], "C": [70.0, 0.0],
                         "D": [900.0, 70.0]}, index=["s1", "s2"])


def test_log2_tpm_by_hand():
    tpm = pd.DataFrame({"ESR1": [0.0, 3.0, 255.0]}, index=["a", "b", "c"])
    np.testing.assert_allclose(to_log2(tpm, "tpm")["ESR1"], [0.0, 2.0, 8.0])
    np.testing.assert_allclose(to_log2(tpm, "rsem", pseudocount=0.5)["ESR1"],
                               np.log2([0.5, 3.5, 255.5]))
    assert to_log2(tpm, "log2").equals(tpm)
    with pytest.raises(ValueError, match="already log-transformed"):
        to_log2(-tpm - 1, "tpm")


def test_library_normalisations(counts):
    cpm = normalize_library(counts, "cpm")
    np.testing.assert_allclose(cpm.loc["s1"], [0, 30_000, 70_000, 900_000])
    np.testing.assert_allclose(cpm.loc["s2"], [100_000, 200_000, 0, 700_000])
    uq = normalize_library(counts, "upper_quartile")
    # s1 non-zero values 30, 70, 900: Q3 (type 7) = 485 -> scaled to 1000
    np.testing.assert_allclose(uq.loc["s1", "D"], 900 * 1000 / 485)
    # s2 non-zero values 10, 20, 70: Q3 = 45
    np.testing.assert_allclose(uq.loc["s2", "A"], 10 * 1000 / 45)
    with pytest.raises(ValueError, match="no positive values"):
        normalize_library(counts * 0, "cpm")
    logged = to_log2(counts, "counts", "cpm")
    np.testing.assert_allclose(logged.loc["s1", "B"], np.log2(30_001))


def test_duplicates_and_filter():
    df = pd.DataFrame([[1.0, 5.0, 2.0, 0.0], [3.0, 1.0, 2.0, 0.0]], columns=["X", "X", "Y", "Z"])
    assert collapse_duplicates(df, "first").iloc[:, 0].tolist() == [1.0, 3.0]
    best = collapse_duplicates(df, "max_mean")  # means: X#1 = 2, X#2 = 3
    assert list(best.columns) == ["X", "Y", "Z"] and best["X"].tolist() == [5.0, 1.0]
    assert collapse_duplicates(df, "mean")["X"].tolist() == [3.0, 2.0]
    kept = filter_low_expressed(collapse_duplicates(df), min_value=1.5, min_fraction=0.5)
    assert list(kept.columns) == ["X", "Y"]
    assert filter_low_expressed(df).shape == df.shape
    prep = prepare_expression(df, "tpm", min_value=0.5, min_fraction=1.0)
    assert list(prep.columns) == ["X", "Y"]
    np.testing.assert_allclose(prep["X"], np.log2([6.0, 2.0]))


@pytest.mark.r
def test_symbol_entrez_known_genes_through_r():
    ids = symbols_to_entrez(["ESR1", "ERBB2", "AURKA"])
    assert ids.tolist() == [2099, 2064, 6790]
    with pytest.warns(MappingWarning, match="NOT_A_GENE"):
        ids2 = symbols_to_entrez(["AURKA", "NOT_A_GENE", "AURKA"])
    assert ids2.iloc[0] == 6790 and pd.isna(ids2.iloc[1]) and ids2.iloc[2] == 6790
    assert entrez_to_symbols([2099, "2064", 6790.0]).tolist() == ["ESR1", "ERBB2", "AURKA"]


def test_symbol_entrez_offline_from_genes_table():
    genes = pd.DataFrame({"gene_id": ["E1", "E2", "E3", "E4"],
                          "gene_name": ["ESR1", "ERBB2", "AURKA", "ESR1"],
                          "entrez": pd.array([2099, 2064, 6790, 9999], dtype="Int64")})
    with pytest.warns(MappingWarning, match="FOO"):
        ids = symbols_to_entrez(["AURKA", "ESR1", "FOO"], genes, use_r=False)
    assert ids.iloc[:2].tolist() == [6790, 2099] and pd.isna(ids.iloc[2])  # first row wins
    assert entrez_to_symbols([2064], genes, use_r=False).tolist() == ["ERBB2"]
    expr = pd.DataFrame([[1.0, 2.0, 3.0]], columns=["ERBB2", "FOO", "ESR1"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MappingWarning)
        renamed = rename_to_entrez(expr, genes, use_r=False)
    assert list(renamed.columns) == ["2064", "2099"]
    with pytest.raises(ValueError, match="genes_table"):
        symbols_to_entrez(["ESR1"], use_r=False)


def test_read_expression(tmp_path):
    p = tmp_path / "e.tsv"
    p.write_text("sample\tESR1\tERBB2\nP1\t1.5\t2\nP2\t0\t3\n")
    df = read_expression(p)
    assert df.shape == (2, 2) and df.loc["P2", "ERBB2"] == 3.0
    assert read_expression(p, samples_as_rows=False).shape == (2, 2)
    q = tmp_path / "bad.csv"
    q.write_text("sample,ESR1\nP1,high\n")
    with pytest.raises(ValueError, match="non-numeric"):
        read_expression(q)
