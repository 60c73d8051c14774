"""Module-level names of :class:`~pyradiogen.associate.result.AssociationResult`'s methods.

The counts behind study liu2023's Fig 5 and Tables 2–3 are methods of the result
(``res.per_gf()``, ``res.per_block()``, ``res.top_gfs()``, ``res.overview()`` …); these thin
functions keep the earlier spellings working for the ``replicate`` job.
"""

from __future__ import annotations

import pandas as pd

from .result import PAPER_BLOCK_SIZE, AssociationResult


def per_gf(res: AssociationResult) -> pd.DataFrame:
    """:meth:`AssociationResult.per_gf`."""
    return res.per_gf()


def per_feature(res: AssociationResult) -> pd.DataFrame:
    """:meth:`AssociationResult.per_feature`."""
    return res.per_feature()


def per_kernel(res: AssociationResult, kernel_size: int = PAPER_BLOCK_SIZE) -> pd.DataFrame:
    """:meth:`AssociationResult.per_block` (Table 2; the paper calls its blocks kernels)."""
    return res.per_block(kernel_size)


def top_gfs(res: AssociationResult, n: int = 5, n_kernels: int = 5) -> pd.DataFrame:
    """:meth:`AssociationResult.top_gfs`."""
    return res.top_gfs(n, n_kernels)


def overview(res: AssociationResult) -> dict:
    """:meth:`AssociationResult.overview`."""
    return res.overview()


def not_fitted(res: AssociationResult) -> dict[str, int]:
    """:meth:`AssociationResult.not_fitted`."""
    return res.not_fitted()


def console_summary(res: AssociationResult) -> list[str]:
    """:meth:`AssociationResult.console_lines`."""
    return res.console_lines()


def significance_matrix(res: AssociationResult, cls: str | None = None) -> pd.DataFrame:
    """:meth:`AssociationResult.significance_matrix`."""
    return res.significance_matrix(cls)
