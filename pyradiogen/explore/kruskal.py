"""Kruskal–Wallis screens across PAM50 subtypes (study 2, Fig 1), vectorised over features.

The statistic, tie correction and chi-square p-value are those of R's ``kruskal.test``:
``H = (12 / (N (N + 1)) * sum(R_g^2 / n_g) - 3 (N + 1)) / (1 - sum(t^3 - t) / (N^3 - N))``,
``p = P(chi2_{k-1} > H)`` with k the number of subtypes present.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2, rankdata


def _kw_block(values: np.ndarray, codes: np.ndarray, n_groups: int) -> tuple[np.ndarray, int]:
    """H statistics for the columns of ``values`` (no missing values), groups ``codes``."""
    n = values.shape[0]
    ranks = rankdata(values, axis=0, method="average")
    onehot = np.zeros((n, n_groups))
    onehot[np.arange(n), codes] = 1.0
    present = onehot.sum(axis=0) > 0
    onehot = onehot[:, present]
    sizes = onehot.sum(axis=0)
    rank_sums = onehot.T @ ranks
    stat = (rank_sums ** 2 / sizes[:, None]).sum(axis=0)
    h = 12.0 * stat / (n * (n + 1)) - 3.0 * (n + 1)
    ties = rankdata(values, axis=0, method="max") - rankdata(values, axis=0, method="min") + 1
    # sum over tie groups of (t^3 - t) equals the sum over observations of (t^2 - 1)
    tie_sum = (ties.astype(float) ** 2 - 1.0).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = h / (1.0 - tie_sum / (float(n) ** 3 - n))
    return h, int(present.sum())


def kruskal_screen(X: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Kruskal–Wallis test of every column of ``X`` (patients × features) across ``groups``.

    Patients with a missing group are left out; a feature's missing values are left out of its
    own test. Returns a frame indexed by feature: ``statistic, df, p_value, n`` sorted as ``X``.
    """
    g = groups.reindex(X.index)
    keep = g.notna().to_numpy()
    if keep.sum() < 3:
        raise ValueError(f"need at least 3 patients with a {groups.name or 'group'} label "
                         f"shared with the feature table, got {int(keep.sum())}")
    Xk = X.loc[keep]
    cat = pd.Categorical(g[keep])
    codes, n_groups = cat.codes.astype(np.int64), len(cat.categories)
    vals = Xk.to_numpy(dtype=float)
    stat = np.full(vals.shape[1], np.nan)
    dof = np.zeros(vals.shape[1], dtype=np.int64)
    nobs = np.full(vals.shape[1], vals.shape[0], dtype=np.int64)
    has_na = np.isnan(vals).any(axis=0)
    full = np.flatnonzero(~has_na)
    if len(full):
        h, k = _kw_block(vals[:, full], codes, n_groups)
        stat[full], dof[full] = h, k - 1
    for j in np.flatnonzero(has_na):
        ok = ~np.isnan(vals[:, j])
        nobs[j] = int(ok.sum())
        if ok.sum() >= 2:
            h, k = _kw_block(vals[ok, j:j + 1], codes[ok], n_groups)
            stat[j], dof[j] = h[0], k - 1
    with np.errstate(invalid="ignore"):
        p = np.where(dof > 0, chi2.sf(stat, np.maximum(dof, 1)), np.nan)
    return pd.DataFrame({"statistic": stat, "df": dof, "p_value": p, "n": nobs},
                        index=pd.Index(X.columns, name="feature"))


def kruskal_r(x: pd.Series | np.ndarray, groups: pd.Series | np.ndarray) -> dict[str, float]:
    """The reference: R's ``kruskal.test(x, g)`` through the bridge (statistic, df, p)."""
    from .. import rbridge

    g = pd.Series(np.asarray(groups, dtype=object)).astype("string")
    res = rbridge.rcall("stats::kruskal.test", np.asarray(x, dtype=float), g)
    return {"statistic": float(np.atleast_1d(res["statistic"])[0]),
            "df": float(np.atleast_1d(res["parameter"])[0]), "p_value": float(res["p.value"])}


def select_features(table: pd.DataFrame, alpha: float, min_show: int = 0) -> tuple[list[str], str]:
    """Features with ``p < alpha``; when fewer than 2 pass, the ``min_show`` smallest p-values.

    Returns the names and a caption saying which rule chose them.
    """
    ranked = table.dropna(subset=["p_value"]).sort_values("p_value")
    passed = ranked.index[ranked["p_value"] < alpha].tolist()
    if len(passed) >= 2 or min_show <= len(passed):
        return passed, f"{len(passed)} with p < {alpha:g}"
    top = ranked.index[:min_show].tolist()
    return top, f"{len(passed)} with p < {alpha:g}; showing the {len(top)} smallest p"
