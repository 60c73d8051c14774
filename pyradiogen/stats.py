"""The statistical tests every stage shares, each implemented once and equal to R's.

- :func:`bh_adjust` — Benjamini–Hochberg adjusted p-values (R's ``p.adjust(p, "BH")``),
  optionally within groups (study liu2023 adjusts within each GF across features).
- :func:`kruskal_screen` — the Kruskal–Wallis test of every column of a table across groups
  (R's ``kruskal.test``), vectorised over columns.
- :func:`spearman_screen` — Spearman's rank correlation test of every column against one
  variable (R's ``cor.test(method = "spearman")``: AS 89 exact/Edgeworth p-values without ties,
  the t approximation with ties or ``exact=False``), vectorised over columns.

Both screens return one row per column (index ``feature``) with ``p_value`` and a ``note``
saying why a column has no p-value (``not tested: constant feature`` …); such columns are
also named in one :class:`UserWarning`. ``tests/test_stats.py`` checks each against R with an
explicit tolerance.
"""

from __future__ import annotations

import functools
import itertools
import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special
from scipy.stats import chi2, rankdata
from scipy.stats import t as t_dist

__all__ = ["bh_adjust", "kruskal_screen", "spearman_screen"]

#: AS 89 keeps exact enumeration up to this n (R's ``n_small`` in ``prho.c``)
AS89_EXACT_MAX_N = 9
#: R's ``cor.test`` uses AS 89 up to this n (``n <= 1290``), the t approximation above
AS89_MAX_N = 1290
_EDGEWORTH = (0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932, 0.0879, 0.0151, 0.0072, 0.0831,
              0.0131, 4.6e-4)


# --------------------------------------------------------------------------- BH


def bh_adjust(p: Sequence[float] | np.ndarray, groups: Sequence | np.ndarray | None = None
              ) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values, as R's ``p.adjust(p, method = "BH")``.

    For the m non-missing p-values of a family sorted p(1) ≤ … ≤ p(m), the adjusted value of
    p(i) is ``min(1, min_{j >= i} m p(j) / j)``. ``NaN`` stays ``NaN`` and is left out of m
    (R's ``p.adjust`` with ``NA``). With ``groups`` each group is its own family.

    Parameters
    ----------
    p : array of float, shape (n,)
        p-values in [0, 1]; ``NaN`` for tests without a p-value.
    groups : array, shape (n,), optional
        Family of each p-value (e.g. the GF of each feature × GF pair); one family when
        omitted.

    Returns
    -------
    ndarray of float, shape (n,)
        Adjusted p-values, in the input order.

    Raises
    ------
    ValueError
        When ``groups`` does not have one entry per p-value.

    References
    ----------
    Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate: a practical and
    powerful approach to multiple testing. *J R Stat Soc B* 57(1):289–300.
    R Core Team, ``p.adjust`` (R 4.2.2 stats).
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    if groups is None:
        codes = np.zeros(p.shape, dtype=np.int64)
    else:
        if len(groups) != p.size:
            raise ValueError(f"groups has {len(groups)} entries for {p.size} p-values")
        codes = pd.factorize(pd.Series(np.asarray(groups, dtype=object)))[0]
    valid = np.flatnonzero(~np.isnan(p))
    if not valid.size:
        return out
    g, pv = codes[valid], p[valid]
    order = np.lexsort((-pv, g))                 # by family, p descending (stable)
    gs, ps = g[order], pv[order]
    n_g = np.bincount(gs)
    start = np.r_[0, np.cumsum(n_g)[:-1]]
    rank = n_g[gs] - (np.arange(gs.size) - start[gs])   # ascending rank of p in its family
    raw = ps * n_g[gs] / rank
    cm = np.empty_like(raw)
    for s0, n0 in zip(start, n_g):  # running minimum within each family (p descending)
        np.minimum.accumulate(raw[s0:s0 + n0], out=cm[s0:s0 + n0])
    out[valid[order]] = np.minimum(cm, 1.0)
    return out


# --------------------------------------------------------------------------- shared


def _warn_untested(table: pd.DataFrame, what: str) -> None:
    bad = table[table["note"].notna()]
    if len(bad):
        kinds = bad["note"].value_counts()
        warnings.warn(f"{what}: {len(bad)} test(s) without a p-value: "
                      + "; ".join(f"{v} × {k}" for k, v in kinds.items())
                      + f" (e.g. {bad.index[0]})", UserWarning, stacklevel=3)


# --------------------------------------------------------------------------- Kruskal–Wallis


def _kw_block(values: np.ndarray, codes: np.ndarray, n_groups: int) -> tuple[np.ndarray, int]:
    """Tie-corrected H of the columns of ``values`` (no missing values), groups ``codes``."""
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


def kruskal_screen(X: pd.DataFrame, groups: pd.Series, warn: bool = True) -> pd.DataFrame:
    """Kruskal–Wallis rank-sum test of every column of ``X`` across ``groups``.

    ``H = [12 / (N (N + 1)) Σ_g R_g² / n_g − 3 (N + 1)] / [1 − Σ (t³ − t) / (N³ − N)]`` with
    ``R_g`` the rank sum of group g and t the sizes of tied runs; ``p = P(χ²_{k−1} > H)`` with k
    the groups that have values. Patients without a group are left out of every test; a
    column's missing values (``NaN``) are left out of its own test (R's ``complete.cases``).

    Parameters
    ----------
    X : DataFrame, shape (n_patients, n_features)
        Values, indexed by patient ID.
    groups : Series
        Group of each patient (e.g. the PAM50 subtype), indexed by patient ID; aligned to
        ``X.index`` (patients absent from it have no group).
    warn : bool
        Name the columns without a p-value in one :class:`UserWarning`.

    Returns
    -------
    DataFrame, shape (n_features, 5)
        Indexed by ``feature`` in the order of ``X``: ``statistic`` (H), ``df`` (k − 1),
        ``p_value``, ``n`` (patients tested), ``note`` (``None``, or why the column has no
        p-value: constant, or fewer than 2 groups with values).

    Raises
    ------
    ValueError
        When fewer than 3 patients of ``X`` have a group.

    References
    ----------
    Kruskal WH, Wallis WA (1952). Use of ranks in one-criterion variance analysis. *J Am Stat
    Assoc* 47(260):583–621. R Core Team, ``kruskal.test`` (R 4.2.2 stats).
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
        else:
            dof[j] = int(np.unique(codes[ok]).size) - 1 if ok.any() else 0
    notes: list[str | None] = []
    for j in range(vals.shape[1]):
        col = vals[:, j]
        present = col[~np.isnan(col)]
        if present.size and np.unique(present).size < 2:
            notes.append("not tested: constant feature")
        elif dof[j] < 1:
            notes.append(f"not tested: {int(dof[j]) + 1 if present.size else 0} group(s) with "
                         "values, at least 2 needed")
        else:
            notes.append(None)
    with np.errstate(invalid="ignore"):
        p = np.where(dof > 0, chi2.sf(stat, np.maximum(dof, 1)), np.nan)
    untested = np.array([n is not None for n in notes], dtype=bool)
    stat[untested] = np.nan
    p[untested] = np.nan
    df = dof.astype(float)
    df[untested] = np.nan
    out = pd.DataFrame({"statistic": stat, "df": df, "p_value": p, "n": nobs, "note": notes},
                       index=pd.Index([str(c) for c in X.columns], name="feature"))
    if warn:
        _warn_untested(out, "Kruskal-Wallis")
    return out


# --------------------------------------------------------------------------- Spearman


@functools.lru_cache(maxsize=AS89_EXACT_MAX_N + 1)
def _exact_s(n: int) -> np.ndarray:
    """Sorted S = Σ d² over all n! permutations (the null distribution for small n)."""
    perms = np.array(list(itertools.permutations(range(1, n + 1))), dtype=np.int64)
    d = perms - np.arange(1, n + 1)
    return np.sort((d * d).sum(axis=1))


def _edgeworth(n: int, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """AS 89's standardised statistic and Edgeworth correction (R's ``prho``)."""
    c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12 = _EDGEWORTH
    b = 1.0 / n
    x = (6.0 * (s - 1) * b / (n * n - 1.0) - 1.0) * math.sqrt(n - 1.0)
    y = x * x
    u = x * b * (c1 + b * (c2 + c3 * b)
                 + y * (-c4 + b * (c5 + c6 * b)
                        - y * b * (c7 + c8 * b - y * (c9 - c10 * b + y * b * (c11 - c12 * y)))))
    return x, u / np.exp(y / 2.0)


def _as89(n: int, s: np.ndarray, upper: bool) -> np.ndarray:
    """AS 89: P(S ≥ s) (``upper``) or P(S < s) for S = Σ d² under independence."""
    s = np.asarray(s, dtype=float)
    smax = n * (n * n - 1) / 3.0
    if n <= AS89_EXACT_MAX_N:
        dist = _exact_s(n)
        p_up = (dist.size - np.searchsorted(dist, s, side="left")) / dist.size
    else:
        x, corr = _edgeworth(n, s)
        p_up = np.clip(corr + special.ndtr(-x), 0.0, 1.0)
    p_up = np.where(s <= 0, 1.0, np.where(s > smax, 0.0, p_up))
    if upper:
        return p_up
    if n <= AS89_EXACT_MAX_N:
        return np.where(s <= 0, 0.0, np.where(s > smax, 1.0, 1.0 - p_up))
    x, corr = _edgeworth(n, s)
    low = np.clip(-corr + special.ndtr(x), 0.0, 1.0)
    return np.where(s <= 0, 0.0, np.where(s > smax, 1.0, low))


def _spearman_block(x: np.ndarray, y: np.ndarray, exact: bool | None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """rho and two-sided p of the columns of ``x`` (n × p, complete) against ``y`` (n,)."""
    n = x.shape[0]
    rx = rankdata(x, axis=0, method="average")
    ry = rankdata(y, method="average")
    rxc = rx - rx.mean(axis=0)
    ryc = ry - ry.mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (rxc * ryc[:, None]).sum(axis=0) / np.sqrt((rxc ** 2).sum(axis=0)
                                                         * (ryc ** 2).sum())
    rho = np.clip(rho, -1.0, 1.0)
    p = np.full(rho.shape, np.nan)
    ok = np.isfinite(rho)
    if n < 3 or not ok.any():
        return np.where(ok, rho, np.nan), p
    ties_y = np.unique(y).size < n
    ties = np.array([ties_y or np.unique(x[:, j]).size < n for j in range(x.shape[1])])
    use_exact = ok & ~ties & (n <= AS89_MAX_N) & (exact is None or bool(exact))
    use_t = ok & ~use_exact
    if use_exact.any():
        q = (n ** 3 - n) * (1 - rho[use_exact]) / 6.0
        hi = q > (n ** 3 - n) / 6.0
        pe = np.where(hi, _as89(n, np.round(q), upper=True),
                      _as89(n, np.round(q) + 2.0, upper=False))
        p[use_exact] = np.minimum(2 * pe, 1.0)
    if use_t.any():
        r = rho[use_t]
        with np.errstate(divide="ignore"):
            tstat = np.where(np.abs(r) < 1, r / np.sqrt(np.maximum((1 - r * r) / (n - 2), 0.0)),
                             np.inf)
        p[use_t] = np.minimum(2 * t_dist.sf(np.abs(tstat), n - 2), 1.0)
    return np.where(ok, rho, np.nan), p


def spearman_screen(X: pd.DataFrame, y: Sequence[float] | np.ndarray | pd.Series,
                    exact: bool | None = None, what: str = "variable", warn: bool = True
                    ) -> pd.DataFrame:
    """Spearman's rank correlation test of every column of ``X`` against ``y`` (two-sided).

    rho is Pearson's correlation of the ranks (average ranks for ties). The p-value is R's
    ``cor.test(x, y, method = "spearman", exact = exact)``: with ``exact`` ``None`` (R's
    default) or ``True``, and no ties in x or y and n ≤ 1290, algorithm AS 89 on
    S = (n³ − n)(1 − rho)/6 — exact enumeration for n ≤ 9, its Edgeworth series above;
    otherwise (ties, larger n, or ``exact=False``) the t approximation
    ``t = rho √((n − 2)/(1 − rho²))`` with n − 2 degrees of freedom. Pairs with a missing value
    in x or y are left out of that column's test.

    Parameters
    ----------
    X : DataFrame, shape (n, n_features)
        Values (e.g. patients × radiomic features).
    y : array of float, shape (n,)
        The other variable, in the row order of ``X`` (a Series is aligned to ``X.index``).
    exact : bool or None
        R's ``exact`` argument (see above).
    what : str
        Name of ``y`` in notes (``not tested: constant score``).
    warn : bool
        Name the columns without a p-value in one :class:`UserWarning`.

    Returns
    -------
    DataFrame, shape (n_features, 4)
        Indexed by ``feature`` in the order of ``X``: ``rho``, ``p_value``, ``n`` (complete
        pairs), ``note`` (``None``, or why the column has no p-value: constant, or fewer than 3
        complete pairs).

    Raises
    ------
    ValueError
        When ``y`` does not have one value per row of ``X``.

    References
    ----------
    Best DJ, Roberts DE (1975). Algorithm AS 89: the upper tail probabilities of Spearman's rho.
    *Appl Stat* 24(3):377–379. Hollander M, Wolfe DA (1973). *Nonparametric Statistical
    Methods*. Wiley. R Core Team, ``cor.test`` (R 4.2.2 stats).
    """
    yv = (y.reindex(X.index) if isinstance(y, pd.Series) else pd.Series(np.asarray(y)))
    yv = yv.to_numpy(dtype=float)
    if yv.shape[0] != X.shape[0]:
        raise ValueError(f"y has {yv.shape[0]} values for {X.shape[0]} rows of X")
    vals = X.to_numpy(dtype=float)
    rho = np.full(vals.shape[1], np.nan)
    p = np.full(vals.shape[1], np.nan)
    finite = np.isfinite(vals) & np.isfinite(yv)[:, None]
    nobs = finite.sum(axis=0)
    full = np.flatnonzero(finite.all(axis=0))
    if len(full):
        r, pv = _spearman_block(vals[:, full], yv, exact)
        rho[full], p[full] = r, pv
    for j in np.flatnonzero(~finite.all(axis=0)):
        ok = finite[:, j]
        if ok.sum() >= 1:
            r, pv = _spearman_block(vals[ok, j:j + 1], yv[ok], exact)
            rho[j], p[j] = r[0], pv[0]
    notes: list[str | None] = []
    for j in range(vals.shape[1]):
        ok = finite[:, j]
        if ok.sum() < 3:
            notes.append(f"not tested: {int(ok.sum())} complete patient(s), at least 3 needed")
        elif np.ptp(vals[ok, j]) == 0:
            notes.append("not tested: constant feature")
        elif np.ptp(yv[ok]) == 0:
            notes.append(f"not tested: constant {what}")
        else:
            notes.append(None)
    untested = np.array([n is not None for n in notes], dtype=bool)
    rho[untested] = np.nan
    p[untested] = np.nan
    out = pd.DataFrame({"rho": rho, "p_value": p, "n": nobs.astype(np.int64), "note": notes},
                       index=pd.Index([str(c) for c in X.columns], name="feature"))
    if warn:
        _warn_untested(out, "Spearman")
    return out
