"""Study 2's univariate screens: Kruskal–Wallis across PAM50 and Spearman with risk scores.

p-values follow R: ``kruskal.test`` (χ² with the tie correction) and
``cor.test(method = "spearman")``, whose default for n < 1290 without ties is the AS 89
algorithm (exact enumeration for n ≤ 9, an Edgeworth series above); with ties R falls back to
the t approximation with n − 2 DF. Counts per pyradiomics feature class give study 2's Table 3.
"""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pandas as pd
from scipy import special, stats

FEATURE_CLASSES = {"shape": "shape", "shape2D": "shape", "firstorder": "first order",
                   "glcm": "GLCM", "glrlm": "GLRLM", "glszm": "GLSZM", "ngtdm": "NGTDM",
                   "gldm": "GLDM"}
_EDGEWORTH = (0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932, 0.0879, 0.0151, 0.0072, 0.0831,
              0.0131, 4.6e-4)


def feature_class(name: str) -> str:
    """pyradiomics class of a feature name (``original_glcm_Contrast`` → ``"GLCM"``)."""
    parts = re.split(r"[_\-]", str(name))
    for p in parts:
        if p in FEATURE_CLASSES:
            return FEATURE_CLASSES[p]
        if p.lower() in FEATURE_CLASSES:
            return FEATURE_CLASSES[p.lower()]
    return "other"


# --------------------------------------------------------------------------- Spearman


def _edgeworth(n: int, s: float) -> tuple[float, float]:
    """AS 89's standardised statistic and Edgeworth correction (R's ``prho``)."""
    c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12 = _EDGEWORTH
    b = 1.0 / n
    x = (6.0 * (s - 1) * b / (n * n - 1.0) - 1.0) * math.sqrt(n - 1.0)
    y = x * x
    u = x * b * (c1 + b * (c2 + c3 * b)
                 + y * (-c4 + b * (c5 + c6 * b)
                        - y * b * (c7 + c8 * b - y * (c9 - c10 * b + y * b * (c11 - c12 * y)))))
    return x, u / math.exp(y / 2.0)


def _as89_upper(n: int, s: float) -> float:
    """P(S ≥ s) for S = Σ d² under independence (AS 89)."""
    if s <= 0:
        return 1.0
    smax = n * (n * n - 1) / 3.0
    if s > smax:
        return 0.0
    if n <= 9:
        perms = np.array(list(itertools.permutations(range(1, n + 1))), dtype=np.int64)
        d = perms - np.arange(1, n + 1)
        return float(((d * d).sum(axis=1) >= s).mean())
    x, corr = _edgeworth(n, s)
    return min(1.0, max(0.0, corr + special.ndtr(-x)))


def _as89_lower(n: int, s: float) -> float:
    """P(S < s), the complement used by R for the lower tail."""
    if s <= 0:
        return 0.0
    if s > n * (n * n - 1) / 3.0:
        return 1.0
    if n <= 9:
        return 1.0 - _as89_upper(n, s)
    x, corr = _edgeworth(n, s)
    return min(1.0, max(0.0, -corr + special.ndtr(x)))


def spearman_test(x: np.ndarray, y: np.ndarray) -> tuple[float, float, int]:
    """(rho, two-sided p, n) as R's ``cor.test(x, y, method = "spearman")``."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = x.size
    if n < 3:
        return np.nan, np.nan, n
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    if rx.std() == 0 or ry.std() == 0:
        return np.nan, np.nan, n
    r = float(np.corrcoef(rx, ry)[0, 1])
    ties = min(np.unique(x).size, np.unique(y).size) < n
    if ties or n >= 1290:
        tstat = r / math.sqrt(max((1 - r * r) / (n - 2), 0.0)) if abs(r) < 1 else math.inf
        p = 2 * stats.t.sf(abs(tstat), n - 2)
        return r, float(min(p, 1.0)), n
    q = (n ** 3 - n) * (1 - r) / 6.0
    if q > (n ** 3 - n) / 6.0:
        p = _as89_upper(n, float(np.round(q)))
    else:
        p = _as89_lower(n, float(np.round(q)) + 2.0)
    return r, float(min(2 * p, 1.0)), n


def spearman_scan(features: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Spearman of every feature (patients × features) with every score (patients × scores).

    Both are indexed by patient id and joined on it. Returns feature, score, rho, p, n, class,
    note (why a pair has no p-value: constant feature or score, fewer than 3 patients).
    """
    common = features.index.intersection(scores.index)
    if len(common) < 3:
        raise ValueError("features and scores share fewer than 3 patients; check the patient ids")
    fx = features.loc[common]
    sx = scores.loc[common]
    rows = []
    for score in sx.columns:
        yv = sx[score].to_numpy(dtype=float)
        for feat in fx.columns:
            xv = fx[feat].to_numpy(dtype=float)
            r, p, n = spearman_test(xv, yv)
            rows.append((str(feat), str(score), r, p, n, _untested(xv, yv, n, "score")))
    out = pd.DataFrame(rows, columns=["feature", "score", "rho", "p", "n", "note"])
    out["class"] = out["feature"].map(feature_class)
    _warn_untested(out, "Spearman")
    return out[["feature", "score", "rho", "p", "n", "class", "note"]]


def _untested(x: np.ndarray, y: np.ndarray | None, n: int, other: str) -> str | None:
    """Why a test gave no p-value (constant feature, constant other variable, too few)."""
    ok = np.isfinite(x) & (np.isfinite(y) if y is not None else True)
    if n < 3 or ok.sum() < 3:
        return f"not tested: {int(ok.sum())} complete patient(s), at least 3 needed"
    if np.ptp(x[ok]) == 0:
        return "not tested: constant feature"
    if y is not None and np.ptp(y[ok]) == 0:
        return f"not tested: constant {other}"
    return None


def _warn_untested(out: pd.DataFrame, what: str) -> None:
    bad = out[out["note"].notna()]
    if len(bad):
        import warnings

        kinds = bad["note"].value_counts()
        warnings.warn(f"{what}: {len(bad)} test(s) without a p-value: "
                      + "; ".join(f"{v} × {k}" for k, v in kinds.items())
                      + f" (e.g. {bad['feature'].iloc[0]})", UserWarning, stacklevel=3)


# --------------------------------------------------------------------------- Kruskal–Wallis


def kruskal_scan(features: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Kruskal–Wallis of every feature across ``groups`` (e.g. PAM50), as ``kruskal.test``.

    Returns feature, statistic, df, p, n, class, note (why a feature has no p-value:
    constant, or fewer than 2 groups).
    """
    g = groups.reindex(features.index)
    rows = []
    for feat in features.columns:
        v = features[feat].to_numpy(dtype=float)
        ok = np.isfinite(v) & g.notna().to_numpy()
        lab = g.to_numpy()[ok]
        vals = v[ok]
        levels = pd.unique(lab)
        if len(levels) < 2 or np.unique(vals).size < 2:
            note = ("not tested: constant feature" if np.unique(vals).size < 2 and len(vals)
                    else f"not tested: {len(levels)} group(s) with values, at least 2 needed")
            rows.append((str(feat), np.nan, np.nan, np.nan, int(ok.sum()), note))
            continue
        h, p = stats.kruskal(*[vals[lab == lv] for lv in levels])
        rows.append((str(feat), float(h), float(len(levels) - 1), float(p), int(ok.sum()),
                     None))
    out = pd.DataFrame(rows, columns=["feature", "statistic", "df", "p", "n", "note"])
    out["class"] = out["feature"].map(feature_class)
    _warn_untested(out, "Kruskal-Wallis")
    return out[["feature", "statistic", "df", "p", "n", "class", "note"]]


def class_counts(spearman: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Study 2's Table 3: significant features (p < alpha) per feature class and score."""
    sig = spearman[spearman["p"] < alpha]
    classes = sorted(spearman["class"].unique())
    tab = (sig.groupby(["score", "class"]).size().unstack(fill_value=0)
           .reindex(index=list(dict.fromkeys(spearman["score"])), columns=classes, fill_value=0))
    tab["total"] = tab.sum(axis=1)
    return tab


def write_univariate(features: pd.DataFrame, out_dir, pam50: pd.Series | None = None,
                     scores: pd.DataFrame | None = None, alpha: float = 0.05) -> dict:
    """Run study 2's screens and write ``kruskal_pam50.csv``, ``spearman_scores.csv`` and
    ``table3_class_counts.csv`` (features: patients × features, indexed by patient id)."""
    from pathlib import Path

    from .. import store

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    if pam50 is not None:
        paths["kruskal"] = store.write_frame(kruskal_scan(features, pam50),
                                             out / "kruskal_pam50.csv", index=False)
    if scores is not None:
        sp = spearman_scan(features, scores)
        paths["spearman"] = store.write_frame(sp, out / "spearman_scores.csv", index=False)
        paths["table3"] = store.write_frame(class_counts(sp, alpha), out / "table3_class_counts.csv")
    return paths
