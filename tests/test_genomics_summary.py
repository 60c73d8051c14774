"""The genomics summaries of the report: degenerate scores are said, not printed as numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pyradiogen.genomics.summary import (
    gene_set_overview,
    restrict_to,
    score_summary,
    subtype_counts,
)


def test_score_summary_numbers_and_degenerate_scores():
    x = pd.DataFrame({"a": [1.0, 2.0, 4.0, np.nan], "b": [np.nan] * 4, "c": [3.0] * 4,
                      "d": [np.nan, 5.0, np.nan, np.nan]}, index=list("pqrs"))
    s = score_summary(x, {"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"}).set_index("score")
    assert s.loc["A", ["n", "missing"]].tolist() == [3, 1]
    assert s.loc["A", "mean"] == pytest.approx(7 / 3)
    assert s.loc["A", "SD"] == pytest.approx(np.std([1, 2, 4], ddof=1))
    assert s.loc["A", ["min", "median", "max"]].tolist() == [1, 2, 4]
    assert s.loc["B", "note"] == "not computed: missing for all 4 samples"
    assert np.isnan(s.loc["B", "mean"]) and s.loc["B", "n"] == 0
    assert s.loc["C", "note"] == "constant across samples (SD 0)"
    assert s.loc["D", "note"] == "SD not defined (one sample with a value)"
    assert np.isnan(s.loc["D", "SD"]) and s.loc["D", "mean"] == 5
    assert s.loc["E", "note"] == "not computed: not in the table the stage wrote"
    assert list(restrict_to(x, ["r", "p", "zz"]).index) == ["p", "r"]


def test_subtype_counts_and_gene_sets():
    calls = pd.Series(["LumA", "Basal", "LumA", None, "Claudin"], index=list("abcde"))
    t = subtype_counts(calls)
    assert t.values.tolist() == [["LumA", 2, 50.0], ["LumB", 0, 0.0], ["Her2", 0, 0.0],
                                 ["Basal", 1, 25.0], ["Normal", 0, 0.0],
                                 ["Claudin", 1, 25.0], ["no call", 1, 20.0]]
    k = pd.DataFrame({"S1": [0.1, 0.3, np.nan], "S2": [-0.2, -0.2, -0.2]})
    assert gene_set_overview(k) == {
        "gene sets scored": 2, "samples": 3, "gene sets with a missing score": 1,
        "lowest score": -0.2, "highest score": 0.3,
        "median SD of a gene set across samples": float(f"{np.std([0.1, 0.3], ddof=1) / 2:.4g}")}
