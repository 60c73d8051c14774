"""Module-level names of :class:`~pyradiogen.associate.result.AssociationResult`'s methods.

The counts behind study liu2023's Fig 5 and Tables 2–3 are methods of the result
(``res.per_gf()``, ``res.per_block()``, ``res.top_gfs()``, ``res.overview()`` …); these thin
functions keep the earlier spellings working for the ``replicate`` job.
"""

from __future__ import annotations

import pandas as pd

from .result import PAPER_BLOCK_SIZE, AssociationResult


def per_gf(res: AssociationResult) -> pd.DataFrame:
    """Counts per GF; see :meth:`AssociationResult.per_gf`.

    Parameters
    ----------
    res : AssociationResult
        A finished scan.

    Returns
    -------
    DataFrame
        ``gf, class, n_tested, n_failed, n_significant``.
    """
    return res.per_gf()


def per_feature(res: AssociationResult) -> pd.DataFrame:
    """Significant GFs per feature; see :meth:`AssociationResult.per_feature`.

    Parameters
    ----------
    res : AssociationResult
        A finished scan.

    Returns
    -------
    DataFrame
        ``feature, paper_block``, counts per GF class, ``total``.
    """
    return res.per_feature()


def per_kernel(res: AssociationResult, kernel_size: int = PAPER_BLOCK_SIZE) -> pd.DataFrame:
    """Table 2; see :meth:`AssociationResult.per_block` (the paper calls its blocks kernels).

    Parameters
    ----------
    res : AssociationResult
        A finished scan.
    kernel_size : int, default 256
        Features per paper block.

    Returns
    -------
    DataFrame
        Significant pairs per paper block and GF class.
    """
    return res.per_block(kernel_size)


def top_gfs(res: AssociationResult, n: int = 5, n_kernels: int = 5) -> pd.DataFrame:
    """Table 3; see :meth:`AssociationResult.top_gfs`.

    Parameters
    ----------
    res : AssociationResult
        A finished scan.
    n : int, default 5
        GFs per class.
    n_kernels : int, default 5
        Paper blocks listed per GF.

    Returns
    -------
    DataFrame
        ``class, gf, n_significant, top_paper_blocks``.
    """
    return res.top_gfs(n, n_kernels)


def overview(res: AssociationResult) -> dict:
    """Headline numbers; see :meth:`AssociationResult.overview`.

    Parameters
    ----------
    res : AssociationResult
        A finished scan.

    Returns
    -------
    dict
        Sizes, failures and counts per GF class.
    """
    return res.overview()


def not_fitted(res: AssociationResult) -> dict[str, int]:
    """Pairs without a p-value by reason; see :meth:`AssociationResult.not_fitted`.

    Parameters
    ----------
    res : AssociationResult
        A finished scan.

    Returns
    -------
    dict of str to int
        Reason → number of pairs.
    """
    return res.not_fitted()


def console_summary(res: AssociationResult) -> list[str]:
    """Console lines; see :meth:`AssociationResult.console_lines`.

    Parameters
    ----------
    res : AssociationResult
        A finished scan.

    Returns
    -------
    list of str
        Pairs not fitted by reason, patients and images left out.
    """
    return res.console_lines()


def significance_matrix(res: AssociationResult, cls: str | None = None) -> pd.DataFrame:
    """GFs × features −log10(p_adj); see :meth:`AssociationResult.significance_matrix`.

    Parameters
    ----------
    res : AssociationResult
        A finished scan.
    cls : str or None, default None
        Only the GFs of this class.

    Returns
    -------
    DataFrame, shape (n_gfs, n_features)
        −log10(p_adj), NaN without a p-value.
    """
    return res.significance_matrix(cls)
