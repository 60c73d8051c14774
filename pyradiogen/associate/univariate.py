"""Study kim2020's univariate screens: Kruskal–Wallis across PAM50 and Spearman with risk scores.

The tests are :func:`pyradiogen.stats.kruskal_screen` and
:func:`pyradiogen.stats.spearman_screen` (equal to R's ``kruskal.test`` and
``cor.test(method = "spearman")``); this module lays their results out as study kim2020's long
tables, with the pyradiomics feature class of each feature, and counts significant features per
class and score (the study's Table 3).
"""

from __future__ import annotations

import re

import pandas as pd

from ..stats import kruskal_screen, spearman_screen

FEATURE_CLASSES = {"shape": "shape", "shape2D": "shape", "firstorder": "first order",
                   "glcm": "GLCM", "glrlm": "GLRLM", "glszm": "GLSZM", "ngtdm": "NGTDM",
                   "gldm": "GLDM"}


def feature_class(name: str) -> str:
    """The pyradiomics class of a feature name (``original_glcm_Contrast`` → ``"GLCM"``).

    Parameters
    ----------
    name : str
        A pyradiomics feature name.

    Returns
    -------
    str
        ``"first order"``, ``"shape"``, ``"GLCM"``, ``"GLRLM"``, ``"GLSZM"``, ``"NGTDM"``,
        ``"GLDM"``, or ``"other"``.
    """
    parts = re.split(r"[_\-]", str(name))
    for p in parts:
        if p in FEATURE_CLASSES:
            return FEATURE_CLASSES[p]
        if p.lower() in FEATURE_CLASSES:
            return FEATURE_CLASSES[p.lower()]
    return "other"


def spearman_scan(features: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Spearman test of every feature against every score, as one long table.

    Parameters
    ----------
    features : DataFrame, shape (n_patients, n_features)
        Indexed by patient ID.
    scores : DataFrame, shape (n_patients', n_scores)
        Risk scores indexed by patient ID; joined with ``features`` on the patient IDs.

    Returns
    -------
    DataFrame, shape (n_scores * n_features, 7)
        ``feature, score, rho, p_value, n, class, note`` (scores outer, features inner; the
        test is :func:`pyradiogen.stats.spearman_screen`).

    Raises
    ------
    ValueError
        When the tables share fewer than 3 patients.

    References
    ----------
    Kim et al. (2020). *J Korean Soc Radiol* 81(3):632 (study kim2020, Table 3).
    """
    common = features.index.intersection(scores.index)
    if len(common) < 3:
        raise ValueError("features and scores share fewer than 3 patients; check the patient ids")
    fx = features.loc[common]
    sx = scores.loc[common]
    parts = []
    for score in sx.columns:
        res = spearman_screen(fx, sx[score].to_numpy(dtype=float), what="score", warn=False)
        parts.append(res.reset_index().assign(score=str(score)))
    out = pd.concat(parts, ignore_index=True)
    out["class"] = out["feature"].map(feature_class)
    _warn_untested(out, "Spearman")
    return out[["feature", "score", "rho", "p_value", "n", "class", "note"]]


def _warn_untested(out: pd.DataFrame, what: str) -> None:
    bad = out[out["note"].notna()]
    if len(bad):
        import warnings

        kinds = bad["note"].value_counts()
        warnings.warn(f"{what}: {len(bad)} test(s) without a p-value: "
                      + "; ".join(f"{v} × {k}" for k, v in kinds.items())
                      + f" (e.g. {bad['feature'].iloc[0]})", UserWarning, stacklevel=3)


def kruskal_scan(features: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    """Kruskal–Wallis test of every feature across ``groups`` (e.g. PAM50), as a long table.

    Parameters
    ----------
    features : DataFrame, shape (n_patients, n_features)
        Indexed by patient ID.
    groups : Series
        Group of each patient, indexed by patient ID.

    Returns
    -------
    DataFrame, shape (n_features, 7)
        ``feature, statistic, df, p_value, n, class, note`` (the test is
        :func:`pyradiogen.stats.kruskal_screen`).

    Raises
    ------
    ValueError
        When fewer than 3 patients have a group.

    References
    ----------
    Kim et al. (2020). *J Korean Soc Radiol* 81(3):632 (study kim2020, Fig 1).
    """
    out = kruskal_screen(features, groups).reset_index()
    out["class"] = out["feature"].map(feature_class)
    return out[["feature", "statistic", "df", "p_value", "n", "class", "note"]]


def class_counts(spearman: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Study kim2020's Table 3: significant features per feature class and score.

    Parameters
    ----------
    spearman : DataFrame
        :func:`spearman_scan`'s table (``score``, ``class``, ``p_value``).
    alpha : float, default 0.05
        A feature counts when ``p_value < alpha`` (unadjusted, as the paper).

    Returns
    -------
    DataFrame, shape (n_scores, n_classes + 1)
        Counts per score (rows, in table order) and feature class, and ``total``.

    References
    ----------
    .. [1] Kim et al. Radiogenomic analysis of breast cancer MRI: pyradiomics features, PAM50
       subtypes and risk scores. *J Korean Soc Radiol* 81(3), 632 (2020).
    """
    sig = spearman[spearman["p_value"] < alpha]
    classes = sorted(spearman["class"].unique())
    tab = (sig.groupby(["score", "class"]).size().unstack(fill_value=0)
           .reindex(index=list(dict.fromkeys(spearman["score"])), columns=classes, fill_value=0))
    tab["total"] = tab.sum(axis=1)
    return tab


def write_univariate(features: pd.DataFrame, out_dir, pam50: pd.Series | None = None,
                     scores: pd.DataFrame | None = None, alpha: float = 0.05) -> dict:
    """Run study kim2020's screens and write their tables into ``out_dir``.

    Parameters
    ----------
    features : DataFrame, shape (n_patients, n_features)
        pyradiomics CRFs indexed by patient ID.
    out_dir : str or PathLike
        Output folder.
    pam50 : Series or None, default None
        PAM50 subtype per patient: writes ``kruskal_pam50.csv``.
    scores : DataFrame or None, default None
        Risk scores per patient: writes ``spearman_scores.csv`` and
        ``table3_class_counts.csv``.
    alpha : float, default 0.05
        Level of Table 3's counts.

    Returns
    -------
    dict of str to Path
        ``kruskal``, ``spearman``, ``table3`` (those written).
    """
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
