"""Risk-gene features: the expression of a given gene list.

Risk-gene features: the expression of a given gene list (study liu2023's 288 breast-cancer risk
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
from ..estimator import EstimatorMixin, check_is_fitted


class MissingGenesWarning(UserWarning):
    """Genes of a list are absent from the expression data (they are left out)."""


@dataclass
class RiskGenePanel(EstimatorMixin):
    """Select a gene list from a samples × genes table.

    Parameters
    ----------
    genes : sequence of str, str or PathLike
        Gene symbols, or the path of a list file (one symbol a line; read by
        :func:`pyradiogen.cohort.tables.read_risk_genes`).
    warn : bool, default True
        Warn (:class:`MissingGenesWarning`) naming the genes the expression lacks.

    Attributes
    ----------
    genes_ : list of str
        The list, duplicates removed, in order.
    present_ : list of str
        Genes of the list found in the expression, in list order.
    missing_ : list of str
        Genes of the list not found, in list order.

    References
    ----------
    .. [1] Liu Q, Hu P. *Biomark Res* 11, 9 (2023) (288 breast-cancer risk genes as GFs).
    """

    genes: Sequence[str] | str | os.PathLike
    warn: bool = True

    def fit(self, expr: pd.DataFrame) -> RiskGenePanel:
        """Check which genes of the list ``expr`` has.

        Parameters
        ----------
        expr : DataFrame, shape (n_samples, n_genes)
            Expression with gene symbols as columns.

        Returns
        -------
        RiskGenePanel
            The fitted panel.

        Raises
        ------
        ValueError
            If none of the genes is in ``expr``.
        """
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
        """The expression of the genes of the list that ``expr`` has.

        Parameters
        ----------
        expr : DataFrame, shape (n_samples, n_genes)
            Expression with gene symbols as columns.

        Returns
        -------
        DataFrame, shape (n_samples, len(present_))
            The present genes in list order (first column of a duplicated symbol).

        Raises
        ------
        NotFittedError
            If called before :meth:`fit`.
        """
        check_is_fitted(self, "present_")
        sub = expr.loc[:, ~expr.columns.astype(str).duplicated()]
        sub.columns = sub.columns.astype(str)
        return sub.loc[:, self.present_].copy()

    def fit_transform(self, expr: pd.DataFrame) -> pd.DataFrame:
        """:meth:`fit` then :meth:`transform`.

        Parameters
        ----------
        expr : DataFrame, shape (n_samples, n_genes)
            Expression with gene symbols as columns.

        Returns
        -------
        DataFrame, shape (n_samples, len(present_))
            The present genes in list order.
        """
        return self.fit(expr).transform(expr)


def risk_gene_features(expr: pd.DataFrame, genes: Sequence[str] | str | os.PathLike
                       ) -> pd.DataFrame:
    """The expression of a gene list; warns naming the genes ``expr`` lacks.

    Parameters
    ----------
    expr : DataFrame, shape (n_samples, n_genes)
        Expression with gene symbols as columns.
    genes : sequence of str, str or PathLike
        Gene symbols or the path of a list file.

    Returns
    -------
    DataFrame, shape (n_samples, n_present)
        The genes of the list present in ``expr``.
    """
    return RiskGenePanel(genes).fit_transform(expr)


def cohort_risk_features(cohort, cfg=None, expr: pd.DataFrame | None = None
                         ) -> tuple[pd.DataFrame | None, dict]:
    """Risk-gene features of a cohort and a note for the report.

    Parameters
    ----------
    cohort : Cohort
        A loaded cohort (its ``risk_genes`` is used when ``cfg.risk_genes`` is not set).
    cfg : GenomicsConfig or None, default None
        ``[genomics]`` configuration (``None``: the defaults).
    expr : DataFrame or None, default None
        Patients × genes expression already prepared; ``None``: read from the cohort.

    Returns
    -------
    features : DataFrame or None
        Patients × present genes, or ``None`` when no list is given (study liu2023's
        288-gene list is not public).
    note : dict
        ``source``, ``n_genes``, ``present``, ``missing`` (and ``message`` without a list).
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
