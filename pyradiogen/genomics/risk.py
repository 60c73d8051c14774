"""Risk-gene features: the expression of a given gene list (study liu2023's 288 breast-cancer risk
genes are not public; the list is always an input).

Tables are samples × genes. Genes of the list that the expression lacks are reported by name
(:class:`MissingGenesWarning`, and the fitted ``missing_`` attribute) and left out.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from ..cohort.tables import read_risk_genes


class MissingGenesWarning(UserWarning):
    """Genes of a list are absent from the expression data."""


@dataclass
class RiskGenePanel:
    """Select a gene list from a samples × genes table.

    ``genes``: list of symbols or a path to a list file. After :meth:`fit`: ``genes_`` (the
    list), ``present_`` and ``missing_`` (names, in list order).
    """

    genes: Sequence[str] | str | os.PathLike
    warn: bool = True

    def fit(self, expr: pd.DataFrame) -> RiskGenePanel:
        """Check which genes of the list ``expr`` (samples × genes) has."""
        gl = (read_risk_genes(self.genes) if isinstance(self.genes, (str, os.PathLike))
              else list(dict.fromkeys(str(g) for g in self.genes)))
        cols = set(expr.columns.astype(str))
        self.genes_ = gl
        self.present_ = [g for g in gl if g in cols]
        self.missing_ = [g for g in gl if g not in cols]
        if not self.present_:
            raise ValueError(f"none of the {len(gl)} risk genes (e.g. {gl[:3]}) is in the "
                             "expression data; check the identifiers (symbols expected)")
        if self.missing_ and self.warn:
            upper = {c.upper(): c for c in cols}
            hint = [f"{g} (found as {upper[g.upper()]})" for g in self.missing_
                    if g.upper() in upper]
            warnings.warn(
                f"{len(self.missing_)} of {len(gl)} risk genes are not in the expression data "
                f"and are left out: {', '.join(self.missing_)}"
                + (f"; differing only in case: {', '.join(hint)}" if hint else ""),
                MissingGenesWarning, stacklevel=2)
        return self

    def transform(self, expr: pd.DataFrame) -> pd.DataFrame:
        """Samples × present genes (first column of a duplicated symbol)."""
        sub = expr.loc[:, ~expr.columns.astype(str).duplicated()]
        sub.columns = sub.columns.astype(str)
        return sub.loc[:, self.present_].copy()

    def fit_transform(self, expr: pd.DataFrame) -> pd.DataFrame:
        """:meth:`fit` then :meth:`transform`."""
        return self.fit(expr).transform(expr)


def risk_gene_features(expr: pd.DataFrame, genes: Sequence[str] | str | os.PathLike
                       ) -> pd.DataFrame:
    """Samples × genes of the list present in ``expr``; warns naming the missing ones."""
    return RiskGenePanel(genes).fit_transform(expr)


def cohort_risk_features(cohort, cfg=None, expr: pd.DataFrame | None = None
                         ) -> tuple[pd.DataFrame | None, dict]:
    """Risk-gene features of a cohort and a note for the report.

    The list comes from ``cfg.risk_genes`` (a file) or the cohort's ``risk_genes``. Returns
    ``(None, note)`` when neither exists (study liu2023's 288-gene list is not public); otherwise
    ``(patients × present genes, note)`` with ``note`` = ``{"source", "n_genes", "present",
    "missing"}``.
    """
    from .expression import cohort_expression, default_genomics_config

    cfg = cfg or default_genomics_config()
    genes = cfg.risk_genes or getattr(cohort, "risk_genes", None)
    if not genes:
        return None, {"source": None, "n_genes": 0, "present": [], "missing": [],
                      "message": "no risk-gene list given (liu2023's 288 genes are not public);"
                                 " pass one with [genomics] risk_genes = FILE"}
    if expr is None:
        expr = cohort_expression(cohort, cfg)
    panel = RiskGenePanel(genes)
    feats = panel.fit_transform(expr)
    return feats, {"source": str(cfg.risk_genes) if cfg.risk_genes else "cohort risk_genes",
                   "n_genes": len(panel.genes_), "present": panel.present_,
                   "missing": panel.missing_}
