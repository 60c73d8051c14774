"""Risk-gene features: list input, missing genes named."""

from __future__ import annotations

import pandas as pd
import pytest

from pyradiogen.cohort.errors import CohortError
from pyradiogen.genomics.risk import (
    MissingGenesWarning,
    RiskGenePanel,
    risk_gene_features,
)


@pytest.fixture
def expr():
    return pd.DataFrame([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]],
                        index=["TCGA-A1-A0SB", "TCGA-A1-A0SD"],
                        columns=["BRCA1", "esr1", "TP53", "ATM"])


def test_gene_list_file_is_read_by_the_cohort_reader(tmp_path, expr):
    p = tmp_path / "risk.txt"
    p.write_text("# risk genes\nBRCA1\n\nTP53\nATM\n")
    assert RiskGenePanel(p).fit(expr).genes_ == ["BRCA1", "TP53", "ATM"]
    (tmp_path / "empty.txt").write_text("# nothing\n")
    with pytest.raises(CohortError, match="no gene symbol"):
        RiskGenePanel(tmp_path / "empty.txt").fit(expr)
    p.write_text("BRCA1\nTP53\nBRCA1\n")
    with pytest.raises(CohortError, match="listed twice"):
        RiskGenePanel(p).fit(expr)


def test_missing_genes_are_named(expr, tmp_path):
    with pytest.warns(MissingGenesWarning, match=r"2 of 4 .*CHEK2, ESR1.*ESR1 \(found as esr1\)"):
        panel = RiskGenePanel(["TP53", "CHEK2", "BRCA1", "ESR1"]).fit(expr)
    assert panel.present_ == ["TP53", "BRCA1"]
    assert panel.missing_ == ["CHEK2", "ESR1"]
    out = panel.transform(expr)
    assert list(out.columns) == ["TP53", "BRCA1"]
    assert out.loc["TCGA-A1-A0SD"].tolist() == [7.0, 5.0]
    p = tmp_path / "l.txt"
    p.write_text("ATM\nTP53\n")
    assert risk_gene_features(expr, p).to_numpy().tolist() == [[4.0, 3.0], [8.0, 7.0]]
    with pytest.raises(ValueError, match="none of the 2 risk genes"):
        risk_gene_features(expr, ["X1", "X2"])


def test_cohort_risk_features(demo_cohort_dir):
    from types import SimpleNamespace

    from pyradiogen.cohort import load_cohort
    from pyradiogen.genomics.config import GenomicsConfig
    from pyradiogen.genomics.risk import cohort_risk_features

    c = load_cohort(demo_cohort_dir)
    feats, note = cohort_risk_features(c)
    assert note["n_genes"] == len(c.risk_genes) and note["missing"] == []
    assert list(feats.columns) == c.risk_genes and len(feats) == len(c.expression())
    none, note2 = cohort_risk_features(SimpleNamespace(risk_genes=None), GenomicsConfig())
    assert none is None and "not public" in note2["message"]
