"""Risk-gene features: the expression of a given gene list (study 1's 288 breast-cancer risk
genes are not public; the list is always an input).

Tables are samples × genes. Genes of the list that the expression lacks are reported by name
(:class:`MissingGenesWarning`, and the fitted ``missing_`` attribute) and left out.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


class MissingGenesWarning(UserWarning):
    """Genes of a list are absent from the expression data."""


def read_gene_list(path: str | os.PathLike) -> list[str]:
    """Gene symbols from a text file: one a line; blank lines and ``#`` comments ignored;
    a first token per line (tab/comma/space separated) is taken. Stated rules, each with a
    warning naming what it affects: a gene listed twice is kept once; missing-value lines
    (``NA`` …) are skipped."""
    from ..cohort.usertable import is_na

    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: gene list not found (one gene symbol a line)")
    genes: list[str] = []
    skipped: list[str] = []
    for line in p.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        tok = line.replace(",", " ").replace("\t", " ").split()[0]
        if is_na(tok):
            skipped.append(tok)
            continue
        genes.append(tok)
    if not genes:
        raise ValueError(f"{p}: the gene list is empty")
    rep = sorted({g for g in genes if genes.count(g) > 1})
    if rep:
        warnings.warn(f"{p}: gene(s) listed more than once, kept once: {', '.join(rep[:10])}",
                      UserWarning, stacklevel=2)
    if skipped:
        warnings.warn(f"{p}: {len(skipped)} missing-value line(s) skipped", UserWarning,
                      stacklevel=2)
    return list(dict.fromkeys(genes))


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
        gl = (read_gene_list(self.genes) if isinstance(self.genes, (str, os.PathLike))
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
    ``(None, note)`` when neither exists (study 1's 288-gene list is not public); otherwise
    ``(patients × present genes, note)`` with ``note`` = ``{"source", "n_genes", "present",
    "missing"}``.
    """
    from .expression import cohort_expression, default_genomics_config

    cfg = cfg or default_genomics_config()
    genes = cfg.risk_genes or getattr(cohort, "risk_genes", None)
    if not genes:
        return None, {"source": None, "n_genes": 0, "present": [], "missing": [],
                      "message": "no risk-gene list given (study 1's 288 genes are not public);"
                                 " pass one with [genomics] risk_genes = FILE"}
    if expr is None:
        expr = cohort_expression(cohort, cfg)
    panel = RiskGenePanel(genes)
    feats = panel.fit_transform(expr)
    return feats, {"source": str(cfg.risk_genes) if cfg.risk_genes else "cohort risk_genes",
                   "n_genes": len(panel.genes_), "present": panel.present_,
                   "missing": panel.missing_}
