"""Choosing the features to show after a Kruskal–Wallis screen across PAM50.

Choosing the features to show after a Kruskal–Wallis screen across PAM50 (study kim2020,
Fig 1).

The test itself is :func:`pyradiogen.stats.kruskal_screen` (R's ``kruskal.test``, vectorised
over features).
"""

from __future__ import annotations

import pandas as pd


def select_features(table: pd.DataFrame, alpha: float, min_show: int = 0) -> tuple[list[str], str]:
    """Features with ``p_value < alpha``; when fewer than 2 pass, the ``min_show`` smallest.

    Parameters
    ----------
    table : DataFrame
        A screen result indexed by feature with a ``p_value`` column (as
        :func:`pyradiogen.stats.kruskal_screen` returns).
    alpha : float
        Significance level.
    min_show : int
        How many features to show at least.

    Returns
    -------
    tuple of (list of str, str)
        The feature names and a caption saying which rule chose them.
    """
    ranked = table.dropna(subset=["p_value"]).sort_values("p_value")
    passed = ranked.index[ranked["p_value"] < alpha].tolist()
    if len(passed) >= 2 or min_show <= len(passed):
        return passed, f"{len(passed)} with p < {alpha:g}"
    top = ranked.index[:min_show].tolist()
    return top, f"{len(passed)} with p < {alpha:g}; showing the {len(top)} smallest p"
