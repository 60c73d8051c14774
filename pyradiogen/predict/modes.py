"""``paper`` vs ``rigorous`` mode: splits, folds, the AUC flip and AUC confidence intervals.

* ``paper``: as published — the authors' R split (``set.seed(101); sample.int``) over the rows
  they used (images for Fig 4d–e, so one patient's images can sit on both sides), feature
  selection on all samples, and the flip of an AUC below 0.5 to ``1 - AUC``.
* ``rigorous``: selection and tuning inside training folds only, nested cross-validation,
  patient-level splits (no patient on both sides), no flip, and a 95% CI for every AUC:
  DeLong's when each patient contributes one row, a patient-cluster bootstrap (percentile,
  2,000 resamples) when patients contribute several rows (DeLong assumes independent rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

Mode = Literal["paper", "rigorous"]
MODES: tuple[str, ...] = ("paper", "rigorous")


def check_mode(mode: str) -> str:
    """Return ``mode`` or raise naming the valid modes."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose one of {MODES}")
    return mode


# --------------------------------------------------------------------------- feature sets

#: liu2023's feature sets: its DRFs and the 36 TCGA Breast Phenotype features (CRF36), which
#: the paper and its tables label "CRF"
FEATURE_SETS = {"DRF": "DRF", "CRF36": "CRF", "CRF": "CRF"}


def feature_set_key(feature_set: str) -> str:
    """The paper's label of a liu2023 feature set (``"CRF36"`` and ``"CRF"`` → ``"CRF"``),
    used to look up the authors' settings and published values; other names upper-cased."""
    return FEATURE_SETS.get(str(feature_set).upper(), str(feature_set).upper())


# --------------------------------------------------------------------------- splits

def author_split(n: int, frac: float = 0.7, seed: int = 101) -> np.ndarray:
    """0-based training rows of R's ``set.seed(seed); sample.int(n, floor(frac * n))``.

    The order is the order R drew them (the authors index ``RFs[sample, ]`` with it).
    """
    from .. import rfuncs

    return rfuncs.author_split(n, frac, seed) - 1


def patient_split(groups: Sequence, frac: float = 0.7, seed: int = 101
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Train/test rows with whole patients on one side: the authors' R draw over patients.

    Patients are taken in order of first appearance; ``sample.int`` picks the training ones.
    """
    g = pd.Series(np.asarray(groups, dtype=object))
    patients = pd.unique(g)
    chosen = patients[author_split(len(patients), frac, seed)]
    mask = g.isin(set(chosen)).to_numpy()
    return np.flatnonzero(mask), np.flatnonzero(~mask)


def grouped_folds(y: Sequence, groups: Sequence, n_splits: int = 5, seed: int = 101
                  ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified k folds that keep each patient's rows together.

    Falls back to plain grouped folds when a class has fewer patients than folds.
    """
    from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

    y = np.asarray(y)
    g = np.asarray(groups, dtype=object)
    n_groups = len(pd.unique(g))
    if n_groups < 2:
        raise ValueError("cross-validation needs at least two patients")
    k = min(n_splits, n_groups)
    dummy = np.zeros(len(y))
    per_class = pd.Series(g).groupby(y).nunique()
    if per_class.min() >= k:
        cv = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
        return [(tr, te) for tr, te in cv.split(dummy, y, g)]
    cv = GroupKFold(n_splits=k)
    return [(tr, te) for tr, te in cv.split(dummy, y, g)]


def fold_ids(y: Sequence, groups: Sequence, n_splits: int = 5, seed: int = 101) -> np.ndarray:
    """1-based fold id per row (glmnet ``foldid``) from :func:`grouped_folds`."""
    out = np.zeros(len(y), dtype=np.int64)
    for f, (_, te) in enumerate(grouped_folds(y, groups, n_splits, seed), start=1):
        out[te] = f
    return out


# --------------------------------------------------------------------------- AUC

def auc_score(y: Sequence, scores: Sequence) -> float:
    """Area under the ROC curve as ROCR gives it (ties count one half); NaN for one class."""
    y = np.asarray(y).astype(int)
    s = np.asarray(scores, dtype=float)
    if not np.isfinite(s).all():
        return float("nan")
    n1 = int((y == 1).sum())
    n0 = int((y == 0).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    ranks = stats.rankdata(s)
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def roc_curve(y: Sequence, scores: Sequence) -> pd.DataFrame:
    """ROC points (fpr, tpr) at every distinct cut-off, from (0, 0) to (1, 1), like ROCR."""
    y = np.asarray(y).astype(int)
    s = np.asarray(scores, dtype=float)
    cuts = np.unique(s)[::-1]
    n1 = max((y == 1).sum(), 1)
    n0 = max((y == 0).sum(), 1)
    tpr = [0.0] + [float(((s >= c) & (y == 1)).sum() / n1) for c in cuts]
    fpr = [0.0] + [float(((s >= c) & (y == 0)).sum() / n0) for c in cuts]
    return pd.DataFrame({"fpr": fpr, "tpr": tpr})


def flip_auc(auc: float) -> tuple[float, bool]:
    """The authors' flip: an AUC below 0.5 is reported as ``1 - AUC`` (paper mode only)."""
    if np.isfinite(auc) and auc < 0.5:
        return 1.0 - auc, True
    return auc, False


def delong_ci(y: Sequence, scores: Sequence, level: float = 0.95) -> tuple[float, float, float]:
    """AUC with DeLong's (1988) variance: ``(auc, low, high)``, clipped to [0, 1]."""
    y = np.asarray(y).astype(int)
    s = np.asarray(scores, dtype=float)
    pos, neg = s[y == 1], s[y == 0]
    m, n = len(pos), len(neg)
    if m < 2 or n < 2:
        return auc_score(y, s), float("nan"), float("nan")
    # structural components via mid-ranks (Sun & Xu 2014)
    all_rank = stats.rankdata(np.concatenate([pos, neg]))
    rp, rn = stats.rankdata(pos), stats.rankdata(neg)
    auc = (all_rank[:m].sum() - m * (m + 1) / 2) / (m * n)
    v10 = (all_rank[:m] - rp) / n
    v01 = 1.0 - (all_rank[m:] - rn) / m
    var = np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n
    z = stats.norm.ppf(0.5 + level / 2)
    se = float(np.sqrt(var))
    return float(auc), float(max(0.0, auc - z * se)), float(min(1.0, auc + z * se))


def cluster_bootstrap_ci(y: Sequence, scores: Sequence, groups: Sequence, n_boot: int = 2000,
                         level: float = 0.95, seed: int = 101) -> tuple[float, float, float]:
    """AUC with a percentile CI from resampling whole patients: ``(auc, low, high)``."""
    y = np.asarray(y).astype(int)
    s = np.asarray(scores, dtype=float)
    g = pd.Series(np.asarray(groups, dtype=object))
    auc = auc_score(y, s)
    codes, uniq = pd.factorize(g)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    if len(pos) == 0 or len(neg) == 0:
        return auc, float("nan"), float("nan")
    # pairwise win matrix once; a resample only re-weights rows by their patient's multiplicity
    wins = (s[pos][:, None] > s[neg][None, :]) + 0.5 * (s[pos][:, None] == s[neg][None, :])
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(uniq), np.full(len(uniq), 1 / len(uniq)), size=n_boot)
    w = counts[:, codes].astype(float)  # (n_boot, rows)
    wp, wn = w[:, pos], w[:, neg]
    denom = wp.sum(1) * wn.sum(1)
    ok = denom > 0
    vals = np.einsum("bi,ij,bj->b", wp[ok], wins, wn[ok]) / denom[ok]
    if not len(vals):
        return auc, float("nan"), float("nan")
    lo, hi = np.quantile(vals, [(1 - level) / 2, (1 + level) / 2])
    return auc, float(lo), float(hi)


def auc_with_ci(y: Sequence, scores: Sequence, groups: Sequence | None = None,
                seed: int = 101) -> dict[str, float | str]:
    """AUC and 95% CI: DeLong for one row per patient, else the patient-cluster bootstrap."""
    if groups is None or pd.Series(np.asarray(groups, dtype=object)).is_unique:
        auc, lo, hi = delong_ci(y, scores)
        method = "DeLong"
    else:
        auc, lo, hi = cluster_bootstrap_ci(y, scores, groups, seed=seed)
        method = "patient bootstrap"
    return {"auc": auc, "ci_low": lo, "ci_high": hi, "ci_method": method}


def degenerate_auc(auc: float, ci_low: float = float("nan"), ci_high: float = float("nan"),
                   n_test: float | None = None, n_positive: float | None = None) -> str:
    """Why an AUC says nothing about the model, or ``""`` when it is informative.

    An AUC is degenerate when the test set holds one class (no AUC can be computed), when its
    95% CI cannot be computed, or when the test set is separated perfectly (AUC 1 or 0 with a
    CI of zero width, e.g. [1, 1]: too few test cases to tell). The text names the test-set
    size, e.g. ``"degenerate: n_test = 4, one class"``.

    Parameters
    ----------
    auc, ci_low, ci_high : float
        The AUC and its 95% CI (NaN when not computed).
    n_test, n_positive : int, optional
        Rows of the test set and how many of them are positive.

    Returns
    -------
    str
        ``""`` or ``"degenerate: …"`` naming the reasons.
    """
    def finite(v: Any) -> bool:
        try:
            return v is not None and bool(np.isfinite(float(v)))
        except (TypeError, ValueError):
            return False

    why: list[str] = []
    one_class = finite(n_positive) and finite(n_test) and (
        int(float(n_positive)) == 0 or int(float(n_positive)) == int(float(n_test)))
    if one_class:
        why.append("one class")
    if not finite(auc):
        if not one_class:
            why.append("AUC not computable")
    elif not (finite(ci_low) and finite(ci_high)):
        why.append("CI not computable")
    elif np.isclose(float(ci_high) - float(ci_low), 0):
        why.append(f"AUC {float(auc):.2g} with CI [{float(ci_low):.2g}, {float(ci_high):.2g}]: "
                   "test set separated perfectly")
    if not why:
        return ""
    if finite(n_test):
        why.insert(0, f"n_test = {int(float(n_test))}")
    return "degenerate: " + ", ".join(why)


def flag_degenerate(table: pd.DataFrame, auc: str = "auc") -> pd.Series:
    """:func:`degenerate_auc` for every row of a summary table (columns ``auc``, ``ci_low``,
    ``ci_high`` and, where present, ``n_test``, ``n_positive_test``); ``""`` for informative
    rows."""
    def col(name: str) -> pd.Series:
        return table[name] if name in table.columns else pd.Series(np.nan, index=table.index)

    return pd.Series([degenerate_auc(a, lo, hi, n, k) for a, lo, hi, n, k in
                      zip(col(auc), col("ci_low"), col("ci_high"), col("n_test"),
                          col("n_positive_test"))], index=table.index, dtype=object)


def align_patients(features: pd.DataFrame, table: pd.DataFrame, min_patients: int, what: str
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Patient-level features (image rows averaged) and ``table`` on their common patients.

    Both may carry a ``patient_id`` column or be indexed by patient; fewer than
    ``min_patients`` in common raises an error naming ``what`` and the likely cause.
    """
    f = features.drop(columns=[c for c in ("image_id",) if c in features.columns])
    if "patient_id" in f.columns:
        f = f.groupby("patient_id", sort=False).mean(numeric_only=True)
    t = table.set_index("patient_id") if "patient_id" in table.columns else table
    common = [p for p in f.index if p in t.index]
    if len(common) < min_patients:
        n_f, n_t = len(f.index), len(t.index)
        cause = (f"the cohort is too small: at least {min_patients} are needed (the minimums "
                 "are listed by `pyradiogen validate`)" if min(n_f, n_t) < min_patients else
                 f"{n_f} patients have features and {n_t} have {what}, so most IDs differ: "
                 "check that both tables use 12-character TCGA barcodes")
        raise ValueError(f"only {len(common)} patients have both features and {what}; "
                         f"{cause}")
    only_f = [str(p) for p in f.index if p not in t.index]
    only_t = [str(p) for p in t.index if p not in f.index]
    if only_f or only_t:
        import warnings

        parts = []
        if only_f:
            parts.append(f"{len(only_f)} patient(s) with features but no {what} left out: "
                         f"{', '.join(only_f[:10])}{' …' if len(only_f) > 10 else ''}")
        if only_t:
            parts.append(f"{len(only_t)} patient(s) of the {what} without features left out: "
                         f"{', '.join(only_t[:10])}{' …' if len(only_t) > 10 else ''}")
        warnings.warn("; ".join(parts), UserWarning, stacklevel=3)
    return f.loc[common].astype(float), t.loc[common]


def auc_display(table: pd.DataFrame, auc: str = "auc") -> pd.DataFrame:
    """A summary table for a reader: ``auc``, ``ci_low`` and ``ci_high`` become one
    ``AUC (95% CI)`` column (e.g. ``0.81 [0.62, 0.95]``; ``ci_method`` → ``CI method``), and a degenerate AUC
    (:func:`degenerate_auc`) is shown as its reason, not as a number."""
    if auc not in table.columns:
        return table
    flags = flag_degenerate(table, auc)

    def text(row: pd.Series, why: str) -> str:
        a = row[auc]
        if why:
            shown = f"{float(a):.2f}" if pd.notna(a) else "—"
            return f"⚠ {why} (AUC {shown})"
        if pd.isna(a):
            return "—"
        lo, hi = row.get("ci_low"), row.get("ci_high")
        ci = f" [{float(lo):.2f}, {float(hi):.2f}]" if pd.notna(lo) and pd.notna(hi) else ""
        return f"{float(a):.2f}{ci}"

    out = table.copy()
    pos = list(out.columns).index(auc)
    col = [text(r, w) for (_, r), w in zip(out.iterrows(), flags)]
    out = out.drop(columns=[c for c in (auc, "ci_low", "ci_high") if c in out])
    out.insert(min(pos, len(out.columns)), "AUC (95% CI)", col)
    if "ci_method" in out.columns:
        out = out.rename(columns={"ci_method": "CI method"})
    return out
