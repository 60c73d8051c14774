"""Fisher's exact test for 2×2 and r×c tables, with p-values equal to R's ``fisher.test``.

Engine ``"python"`` sums the probabilities of all tables with the observed margins that are no
more likely than the observed one, with R's relative tolerances (``1 + 1e-7`` for 2×2 tables,
``1 + 3.45254e-7`` for larger ones, as in FEXACT). r×2 tables (clusters × a binary
characteristic) use a branch-and-bound over rows in the spirit of FEXACT's network algorithm:
exact longest/shortest remaining paths (dynamic programming) decide when a whole sub-tree is
in or out, and Vandermonde's identity gives a sub-tree's total probability. Other r×c tables
are enumerated completely; more than ``max_tables`` of them go to R (engine ``"auto"``) or
raise (engine ``"python"``). Engine ``"auto"`` also sends r×2 tables with more than 8 rows to R
(the Python search takes seconds there; R's FEXACT milliseconds).
Engine ``"r"`` calls ``stats::fisher.test`` through :func:`pyradiogen.rfuncs.fisher_test`.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import comb
from typing import Literal

import numpy as np
import pandas as pd
from scipy.special import gammaln
from scipy.stats import hypergeom

Engine = Literal["auto", "python", "r"]
TOL_2X2 = 1e-7
TOL_RXC = 3.45254e-7
MAX_TABLES = 2_000_000
MAX_RX2_ROWS_AUTO = 8  # engine "auto": larger r×2 tables go to R (faster there)
#: partial tables the r×2 search keeps at one level (Python dicts: about 0.1 GB) before R
MAX_RX2_PATHS = 200_000
#: R's FEXACT workspaces tried in turn by engine "auto" (4-byte units: 8 MB, then 80 MB)
R_WORKSPACES = (2_000_000, 20_000_000)
#: Monte Carlo tables when no exact p-value can be computed (R's simulate.p.value)
MONTE_CARLO_B = 100_000
EXACT = "exact"


class TooManyTablesError(RuntimeError):
    """The exact enumeration would visit too many tables; use engine='r'."""


def fisher_2x2(table: np.ndarray) -> float:
    """Two-sided p-value of a 2×2 table as R computes it (conditional hypergeometric).

    Parameters
    ----------
    table : ndarray of int, shape (2, 2)
        Counts.

    Returns
    -------
    float
        Sum of the probabilities of tables no more likely than the observed one (R's
        relative tolerance ``1 + 1e-7``), at most 1.
    """
    x = np.asarray(table, dtype=np.int64)
    m, n = int(x[:, 0].sum()), int(x[:, 1].sum())
    k, a = int(x[0].sum()), int(x[0, 0])
    lo, hi = max(0, k - n), min(k, m)
    support = np.arange(lo, hi + 1)
    logd = hypergeom.logpmf(support, m + n, m, k)
    d = np.exp(logd - logd.max())
    d /= d.sum()
    return float(min(1.0, d[d <= d[a - lo] * (1 + TOL_2X2)].sum()))


def _row_options(total: int, caps: np.ndarray) -> np.ndarray:
    """All ways to split ``total`` into len(caps) non-negative parts bounded by ``caps``."""
    out = np.zeros((1, 0), dtype=np.int64)
    rem = np.array([total], dtype=np.int64)
    for j, cap in enumerate(caps):
        rest_cap = int(caps[j + 1:].sum())
        grown, rems = [], []
        for v in range(0, int(cap) + 1):
            ok = (rem >= v) & (rem - v <= rest_cap)
            if ok.any():
                grown.append(np.column_stack([out[ok], np.full(int(ok.sum()), v)]))
                rems.append(rem[ok] - v)
        if not grown:
            return np.zeros((0, len(caps)), dtype=np.int64)
        out, rem = np.vstack(grown), np.concatenate(rems)
    return out[rem == 0]


def _log_choose(n: np.ndarray | int, k: np.ndarray | int) -> np.ndarray:
    return gammaln(np.asarray(n) + 1.0) - gammaln(np.asarray(k) + 1.0) - gammaln(
        np.asarray(n) - np.asarray(k) + 1.0)


def fisher_rx2(table: np.ndarray, max_paths: int = MAX_RX2_PATHS) -> float:
    """Two-sided p-value of an r×2 table by branch-and-bound over rows (exact).

    Parameters
    ----------
    table : ndarray of int, shape (r, 2)
        Counts.
    max_paths : int, default MAX_RX2_PATHS
        Most undecided partial tables kept at one level of the search (its memory).

    Returns
    -------
    float
        Exact two-sided p-value.

    Raises
    ------
    TooManyTablesError
        If a level of the search would keep more than ``max_paths`` partial tables (large
        cohorts: hundreds of patients over several clusters).
    """
    x = np.asarray(table, dtype=np.int64)
    rows = x.sum(axis=1)
    order = np.argsort(-rows, kind="stable")  # big rows first: more pruning near the root
    rows, first = rows[order], x[order, 0]
    c1, n, r = int(first.sum()), int(rows.sum()), len(rows)
    lc = [_log_choose(int(ri), np.arange(int(ri) + 1)) for ri in rows]
    rest = np.concatenate([np.cumsum(rows[::-1])[::-1], [0]])  # rest[i] = sum rows[i:]
    # hi[i][t] / lo[i][t]: max / min of sum_{j>=i} log C(r_j, x_j) with sum_{j>=i} x_j = t
    hi = [None] * (r + 1)
    lo = [None] * (r + 1)
    hi[r] = np.array([0.0])
    lo[r] = np.array([0.0])
    for i in range(r - 1, -1, -1):
        size = int(rest[i]) + 1
        h = np.full(size, -np.inf)
        lw = np.full(size, np.inf)
        for xi in range(int(rows[i]) + 1):
            h[xi:xi + len(hi[i + 1])] = np.maximum(h[xi:xi + len(hi[i + 1])],
                                                   lc[i][xi] + hi[i + 1])
            lw[xi:xi + len(lo[i + 1])] = np.minimum(lw[xi:xi + len(lo[i + 1])],
                                                    lc[i][xi] + lo[i + 1])
        hi[i], lo[i] = h, lw
    log_norm = float(_log_choose(n, c1))
    obs = float(sum(lc[i][first[i]] for i in range(r)))
    thr = obs + np.log1p(TOL_RXC)
    total = 0.0
    # level-wise over rows; a node (remaining total t) keeps its distinct past path values
    # (log scale, merged when equal to 1e-10) with their multiplicities, as FEXACT does
    level: dict[int, dict[float, tuple[float, float]]] = {c1: {0.0: (0.0, 1.0)}}
    for i in range(r):
        nxt: dict[int, dict[float, tuple[float, float]]] = {}
        kept = 0
        for t, paths in level.items():
            lo_x, hi_x = max(0, t - int(rest[i + 1])), min(int(rows[i]), t)
            for acc, w in paths.values():
                if acc + hi[i][t] <= thr:  # every completion is at most as likely: take all
                    total += w * np.exp(acc + float(_log_choose(int(rest[i]), t)) - log_norm)
                    continue
                if acc + lo[i][t] > thr:  # every completion is more likely: drop them
                    continue
                for xi in range(lo_x, hi_x + 1):
                    val = acc + lc[i][xi]
                    bucket = nxt.setdefault(t - xi, {})
                    key = round(val, 10)
                    old = bucket.get(key)
                    if old is None:
                        kept += 1
                        if kept > max_paths:
                            raise TooManyTablesError(
                                f"the exact search of a {r}x2 table with n={n} keeps more than "
                                f"{max_paths} partial tables; use engine='r'")
                    bucket[key] = (val, w) if old is None else (old[0], old[1] + w)
        level = nxt
    for paths in level.values():  # complete tables that were not decided earlier
        for acc, w in paths.values():
            if acc <= thr:
                total += w * np.exp(acc - log_norm)
    return float(min(1.0, total))


def fisher_rxc(table: np.ndarray, max_tables: int = MAX_TABLES) -> float:
    """Two-sided p-value of an r×c table by complete enumeration (R's FEXACT tolerance).

    Parameters
    ----------
    table : ndarray of int, shape (r, c)
        Contingency table of counts.
    max_tables : int, default MAX_TABLES
        Most tables enumerated.

    Returns
    -------
    float
        Exact two-sided p-value.

    Raises
    ------
    TooManyTablesError
        If more than ``max_tables`` tables would be visited (use ``engine="r"``).
    """
    x = np.asarray(table, dtype=np.int64)
    if x.shape[1] > x.shape[0]:
        x = x.T
    rows, cols = x.sum(axis=1), x.sum(axis=0)
    n = int(x.sum())
    const = gammaln(rows + 1).sum() + gammaln(cols + 1).sum() - gammaln(n + 1)
    log_obs = const - gammaln(x + 1).sum()
    # states: remaining column totals, accumulated -sum(log x!) over the rows done so far
    rem = cols[None, :].copy()
    acc = np.zeros(1)
    for i, r in enumerate(rows):
        last = i == len(rows) - 1
        new_rem, new_acc = [], []
        n_new = 0
        # group states by remaining column totals (they share the row options)
        keys, inverse = np.unique(rem, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        for kidx, key in enumerate(keys):
            members = np.flatnonzero(inverse == kidx)
            if last:
                opts = key[None, :] if key.sum() == r else np.zeros((0, len(key)), np.int64)
            else:
                if comb(int(r) + len(key) - 1, len(key) - 1) > max_tables:  # an upper bound
                    raise TooManyTablesError(
                        f"a row of {int(r)} over {len(key)} columns has too many splits to "
                        f"enumerate (over {max_tables}); use engine='r'")
                opts = _row_options(int(r), key)
                rest = int(rows[i + 1:].sum())
                opts = opts[(key[None, :] - opts).sum(axis=1) == rest]
            if len(opts) == 0:
                continue
            n_new += len(members) * len(opts)
            if n_new > max_tables:  # before the states are materialised (their memory)
                raise TooManyTablesError(
                    f"exact enumeration of a {x.shape[0]}x{x.shape[1]} table with n={n} "
                    f"exceeds {max_tables} tables; use engine='r' (R's network algorithm)")
            lf = -gammaln(opts + 1).sum(axis=1)
            new_acc.append((acc[members][:, None] + lf[None, :]).ravel())
            new_rem.append(np.repeat((key[None, :] - opts)[None, :, :], len(members),
                                     axis=0).reshape(-1, len(key)))
        acc = np.concatenate(new_acc)
        rem = np.concatenate(new_rem)
        if len(acc) > max_tables:
            raise TooManyTablesError(
                f"exact enumeration of a {x.shape[0]}x{x.shape[1]} table with n={n} exceeds "
                f"{max_tables} tables; use engine='r' (R's network algorithm)")
    logp = const + acc
    keep = logp <= log_obs + np.log1p(TOL_RXC)
    return float(min(1.0, np.exp(logp[keep]).sum()))


def fisher_r(table: np.ndarray, workspace: int = 2_000_000) -> float:
    """Two-sided p-value from R's ``stats::fisher.test`` (the reference).

    Parameters
    ----------
    table : ndarray of int, shape (r, c)
        Contingency table of counts.
    workspace : int, default 2000000
        FEXACT's workspace.

    Returns
    -------
    float
        R's p-value.
    """
    from .. import rfuncs

    return float(rfuncs.fisher_test(table, workspace=workspace)["p.value"])


def fisher_exact(table: np.ndarray | Sequence[Sequence[int]], engine: Engine = "auto",
                 max_tables: int = MAX_TABLES) -> float:
    """Two-sided Fisher exact p-value of a contingency table, equal to R's ``fisher.test``.

    Rows or columns that are all zero are dropped, as R's ``table()`` would not create them.

    Parameters
    ----------
    table : ndarray or sequence of sequence of int, shape (r, c)
        Counts.
    engine : {"auto", "python", "r"}, default "auto"
        Exact Python enumeration, R, or Python with R when the enumeration is too large.
    max_tables : int, default MAX_TABLES
        Enumeration limit of the Python engine.

    Returns
    -------
    float
        The p-value; NaN when fewer than 2 non-empty rows or columns remain.

    Raises
    ------
    ValueError
        If ``table`` is not 2-D with non-negative counts.
    TooManyTablesError
        With engine ``"python"``, when the enumeration exceeds ``max_tables``.
    RError
        When not even R's network algorithm fits in memory (large cohorts):
        :func:`fisher_exact_method` then gives a Monte Carlo p-value.

    References
    ----------
    .. [1] Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r × c
       contingency tables. *J Am Stat Assoc* 78(382), 427–434 (1983) (R's FEXACT).
    .. [2] R Core Team, ``stats::fisher.test``, R 4.2.2.
    """
    return fisher_exact_method(table, engine, max_tables, seed=None)[0]


def fisher_exact_method(table: np.ndarray | Sequence[Sequence[int]], engine: Engine = "auto",
                        max_tables: int = MAX_TABLES, seed: int | None = 101
                        ) -> tuple[float, str]:
    """Fisher's two-sided p-value and how it was computed: exact, or Monte Carlo when not.

    The exact p-value (Python engines, then R's network algorithm with a larger workspace) is
    computed whenever it fits in memory. Large cohorts (hundreds of patients over several
    clusters) can exceed every exact algorithm's memory, R's included (``FEXACT error 6/7``);
    engine ``"auto"`` then returns R's Monte Carlo p-value with ``MONTE_CARLO_B`` random tables
    (``simulate.p.value = TRUE``, seeded) and says so in the method, rather than failing or
    running out of memory.

    Parameters
    ----------
    table : ndarray or sequence of sequence of int, shape (r, c)
        Counts.
    engine : {"auto", "python", "r"}, default "auto"
        As :func:`fisher_exact`; only ``"auto"`` falls back to Monte Carlo.
    max_tables : int, default MAX_TABLES
        Work limit of the Python engines (tables or partial tables kept).
    seed : int or None, default 101
        R seed of a Monte Carlo p-value (None: without the fallback, as :func:`fisher_exact`).

    Returns
    -------
    tuple of (float, str)
        The p-value (NaN when fewer than 2 non-empty rows or columns remain) and ``"exact"``
        or ``"Monte Carlo (B = 100000)"``.

    Raises
    ------
    ValueError
        If ``table`` is not 2-D with non-negative counts.
    TooManyTablesError
        With engine ``"python"``, when the exact computation exceeds ``max_tables``.
    RError
        When R cannot compute the exact p-value and no Monte Carlo fallback applies.

    References
    ----------
    .. [1] Mehta CR, Patel NR. A network algorithm for performing Fisher's exact test in r × c
       contingency tables. *J Am Stat Assoc* 78(382), 427–434 (1983) (R's FEXACT).
    .. [2] Patefield WM. An efficient method of generating random r × c tables with given row
       and column totals. *Applied Statistics* 30, 91–97 (1981) (R's Monte Carlo tables).
    """
    x = np.asarray(table, dtype=np.int64)
    if x.ndim != 2 or (x < 0).any():
        raise ValueError(f"a contingency table must be 2-D with non-negative counts, got {x!r}")
    x = x[x.sum(axis=1) > 0][:, x.sum(axis=0) > 0]
    if min(x.shape) < 2:
        return float("nan"), EXACT
    if engine == "r":
        return fisher_r(x), EXACT
    if x.shape == (2, 2):
        return fisher_2x2(x), EXACT
    try:
        if 2 in x.shape and (engine == "python" or max(x.shape) <= MAX_RX2_ROWS_AUTO):
            return fisher_rx2(x if x.shape[1] == 2 else x.T,
                              max_paths=min(max_tables, MAX_RX2_PATHS)), EXACT
        if not (engine == "auto" and 2 in x.shape):
            return fisher_rxc(x, max_tables=max_tables), EXACT
    except TooManyTablesError:
        if engine == "python":
            raise
    return _fisher_r_or_monte_carlo(x, seed)


def _fisher_r_or_monte_carlo(x: np.ndarray, seed: int | None) -> tuple[float, str]:
    from .. import rfuncs

    for i, workspace in enumerate(R_WORKSPACES):
        try:
            return fisher_r(x, workspace=workspace), EXACT
        except rfuncs.RError as exc:
            if "FEXACT" not in str(exc) or (seed is None and i == len(R_WORKSPACES) - 1):
                raise
    res = rfuncs.fisher_test(x, simulate=MONTE_CARLO_B, seed=seed)
    return float(res["p.value"]), f"Monte Carlo (B = {MONTE_CARLO_B})"


def crosstab(groups: pd.Series, values: pd.Series) -> pd.DataFrame:
    """Counts of ``values`` within each group, patients with a missing value left out.

    Parameters
    ----------
    groups : Series
        Group (cluster) per patient.
    values : Series
        A clinical characteristic per patient.

    Returns
    -------
    DataFrame
        Groups × levels counts.
    """
    df = pd.DataFrame({"group": groups, "value": values}).dropna()
    return pd.crosstab(df["group"], df["value"])


def fisher_table(groups: pd.Series, clinical: pd.DataFrame, characteristics: Sequence[str],
                 engine: Engine = "auto") -> pd.DataFrame:
    """Fisher's exact test of each clinical characteristic against ``groups``.

    Patients missing a characteristic are left out of that test (as the paper does for HER2).

    Parameters
    ----------
    groups : Series
        Group per patient, indexed by patient.
    clinical : DataFrame
        Indexed by patient.
    characteristics : sequence of str
        Columns of ``clinical`` to test.
    engine : {"auto", "python", "r"}, default "auto"
        As :func:`fisher_exact`.

    Returns
    -------
    DataFrame
        One row per characteristic: ``characteristic, n, n_groups, n_levels, counts,
        p_value, method, degenerate`` (method ``"exact"``, or Monte Carlo where no exact
        computation fits in memory: :func:`fisher_exact_method`; ``degenerate`` when a group
        holds a single patient, whose p-value only restates that patient's status).

    Raises
    ------
    KeyError
        If a characteristic is not a column of ``clinical``.
    """
    rows = []
    for ch in characteristics:
        if ch not in clinical.columns:
            raise KeyError(f"clinical table has no column {ch!r}; columns: {list(clinical.columns)}")
        vals = clinical[ch].reindex(groups.index)
        tab = crosstab(groups, vals)
        counts = "; ".join(
            f"{g}: " + "/".join(f"{lvl}={int(tab.loc[g, lvl])}" for lvl in tab.columns)
            for g in tab.index)
        p, method = (fisher_exact_method(tab.to_numpy(), engine=engine) if tab.size
                     else (float("nan"), EXACT))
        sizes = tab.sum(axis=1)
        rows.append({"characteristic": ch, "n": int(tab.to_numpy().sum()),
                     "n_groups": int((sizes > 0).sum()),
                     "n_levels": int((tab.sum(axis=0) > 0).sum()),
                     "counts": counts, "p_value": p, "method": method,
                     "degenerate": bool((sizes == 1).any())})
    return pd.DataFrame(rows)
