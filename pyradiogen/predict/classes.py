"""Study liu2023, Supplementary Fig 1: nnet and XGBoost classes of signatures and TIMER cell types.

Each signature score and TIMER estimate is binarised at its upper quartile (R's
``x < quantile(x)[4]`` → 0, else 1). Features are those with ClassifyR-style selection
frequency > 40% (``r/R/classifyr.R``, ClassifyR 3.0 behaviour by default: the authors call
``runTests(measurements, classes)`` without dataset names on a samples × features matrix,
which only 3.x accepts). Classifiers: R ``nnet`` (logistic output) and XGBoost (the Python
package is the same C++ library; ``tree_method = "exact"``, which R xgboost 1.x used for
data this small), with the authors' per-target settings from their ``DNN&XGboost.R``.

Paper mode: the authors' ``set.seed(101)`` 80/20 patient split, selection frequency computed
on ALL patients (test patients included), the per-target settings (chosen by the authors,
apparently against the test set), and the flip of AUC < 0.5 to 1 − AUC.
Rigorous mode: stratified k-fold CV over patients; selection frequency recomputed inside each
training fold; one fixed setting for every target (the authors' most common ones); pooled
out-of-fold AUC with DeLong 95% CI; no flip.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import rfuncs
from ..minimums import minimum
from ..results import Summary
from . import modes

#: fewest patients for the upper-quartile classes (pyradiogen.minimums, liu2023 liu2023-predict)
MIN_PATIENTS = minimum("liu2023", "liu2023-predict")

SIGNATURES: tuple[str, ...] = ("pik3cags", "endo", "gene70", "genius", "oncotypedx", "rorS")
TIMER_CELLS: tuple[str, ...] = ("B_cell", "CD4_T", "CD8_T", "Neutrophil", "Macrophage",
                                "Dendritic")

# (nnet size, decay, maxit), (xgboost max_depth, eta, nrounds) per target and feature set, as
# set in the authors' DNN&XGboost.R (facts transcribed into a table).
AUTHOR_SETTINGS: dict[tuple[str, str], tuple[tuple[int, float, int], tuple[int, float, int]]] = {
    ("pik3cags", "DRF"): ((35, 1e-5, 200), (10, 1.0, 50)),
    ("pik3cags", "CRF"): ((55, 1e-6, 2000), (10, 1.0, 10)),
    ("endo", "DRF"): ((35, 1e-5, 2000), (5, 1.0, 50)),
    ("endo", "CRF"): ((35, 1e-5, 2000), (10, 1.0, 10)),
    ("gene70", "DRF"): ((55, 1e-4, 1000), (5, 1.0, 50)),
    ("gene70", "CRF"): ((55, 1e-5, 1000), (5, 6.0, 10)),
    ("genius", "DRF"): ((45, 1e-5, 2000), (5, 1.0, 50)),
    ("genius", "CRF"): ((65, 1e-5, 2000), (10, 1.0, 10)),
    ("oncotypedx", "DRF"): ((25, 1e-4, 2000), (10, 0.1, 10)),
    ("oncotypedx", "CRF"): ((45, 1e-4, 2000), (5, 2.0, 10)),
    ("rors", "DRF"): ((25, 1e-6, 2000), (5, 1.0, 50)),
    ("rors", "CRF"): ((35, 1e-4, 2000), (5, 0.1, 10)),
    ("bcell", "DRF"): ((35, 1e-5, 2000), (5, 1.0, 50)),
    ("bcell", "CRF"): ((35, 1e-3, 2000), (10, 1.0, 10)),
    ("cd4t", "DRF"): ((25, 1e-5, 2000), (5, 1.0, 50)),
    ("cd4t", "CRF"): ((35, 1e-5, 2000), (5, 10.0, 100)),
    ("cd8t", "DRF"): ((40, 1e-3, 3000), (5, 0.1, 50)),
    ("cd8t", "CRF"): ((25, 1e-5, 2000), (100, 100.0, 10)),
    ("neutrophil", "DRF"): ((30, 1e-5, 2000), (5, 1.0, 50)),
    ("neutrophil", "CRF"): ((15, 1e-4, 2000), (10, 0.01, 20)),
    ("macrophage", "DRF"): ((40, 1e-4, 3000), (5, 2.0, 50)),
    ("macrophage", "CRF"): ((35, 1e-4, 2000), (10, 1.0, 10)),
    ("dendritic", "DRF"): ((35, 1e-5, 2000), (5, 1.0, 50)),
    ("dendritic", "CRF"): ((35, 1e-5, 3000), (10, 1.0, 10)),
}
# rigorous mode: one setting for all targets (the authors' most frequent choices)
FIXED_SETTINGS = ((35, 1e-5, 2000), (5, 1.0, 50))

_ALIASES = {"tcellcd4": "cd4t", "cd4": "cd4t", "tcellcd8": "cd8t", "cd8": "cd8t",
            "dendriticcell": "dendritic", "endopredict": "endo", "mammaprint": "gene70",
            "pik3ca": "pik3cags", "pik3cags": "pik3cags", "ror": "rors", "rorsscore": "rors"}


def target_key(name: str) -> str:
    """Normalised target name (``T.cell.CD4`` → ``cd4t``, ``B_cell`` → ``bcell``).

    Parameters
    ----------
    name : str
        A signature or cell-type column name.

    Returns
    -------
    str
        The key used for the authors' settings and the published values.
    """
    k = re.sub(r"[^a-z0-9]", "", name.lower())
    return _ALIASES.get(k, k)


def settings_for(target: str, feature_set: str, mode: str = "paper"):
    """The authors' nnet and XGBoost settings for a target.

    Parameters
    ----------
    target : str
        Signature or cell-type name (any spelling :func:`target_key` knows).
    feature_set : str
        ``"DRF"`` or ``"CRF"``.
    mode : {"paper", "rigorous"}, default "paper"
        Rigorous mode uses one fixed setting for every target (no tuning on the test set).

    Returns
    -------
    tuple
        ``((size, decay, maxit), (max_depth, eta, nrounds))``.
    """
    if mode == "rigorous":
        return FIXED_SETTINGS
    return AUTHOR_SETTINGS.get((target_key(target), modes.feature_set_key(feature_set)),
                               FIXED_SETTINGS)


def upper_quartile_classes(values: Sequence[float]) -> np.ndarray:
    """1 for values at or above R's ``quantile(x)[4]`` (type 7 upper quartile), else 0.

    Parameters
    ----------
    values : sequence of float, shape (n,)
        A signature score or cell fraction per patient.

    Returns
    -------
    ndarray of int, shape (n,)
        The binary class.
    """
    v = np.asarray(values, dtype=float)
    q = np.quantile(v[np.isfinite(v)], 0.75)
    return (v >= q).astype(int)


def selection_frequency(X: pd.DataFrame, y: Sequence[int], permutations: int = 100,
                        folds: int = 5, version: str = "3.0", seed: int | None = 101
                        ) -> pd.Series:
    """Percentage of cross-validation splits that select each feature (ClassifyR 3.0).

    ClassifyR's ``distribution(runTests(X, y))`` with DLDA, t-test ranking and balanced error,
    run in R (:func:`pyradiogen.rfuncs.selection_frequency`).

    Parameters
    ----------
    X : DataFrame, shape (n_patients, p)
        Features.
    y : sequence of int, shape (n_patients,)
        Classes.
    permutations : int, default 100
        Repeats of the cross-validation.
    folds : int, default 5
        Folds per repeat.
    version : str, default "3.0"
        ClassifyR behaviour to follow.
    seed : int or None, default 101
        R's seed.

    Returns
    -------
    Series of float
        Percent (0–100) per feature.

    References
    ----------
    .. [1] Strbenac D, Mann GJ, Ormerod JT, Yang JYH. ClassifyR: an R package for
       performance assessment of classification with applications to transcriptomics.
       *Bioinformatics* 31(11), 1851–1853 (2015).
    """
    return rfuncs.selection_frequency(X, y, permutations=permutations, folds=folds,
                                      version=version, seed=seed)


def select_features(freq: pd.Series, threshold: float = 40.0) -> list[str]:
    """Features selected in more than ``threshold`` percent of splits; else the top one.

    Parameters
    ----------
    freq : Series of float
        :func:`selection_frequency`'s percentages.
    threshold : float, default 40.0
        Percent (the authors' 40 %).

    Returns
    -------
    list of str
        The features, most frequent first.
    """
    chosen = freq[freq > threshold].sort_values(ascending=False).index.tolist()
    if not chosen and len(freq):
        chosen = [freq.sort_values(ascending=False).index[0]]
    return [str(c) for c in chosen]


def nnet_predict(xtr: np.ndarray, ytr: np.ndarray, xte: np.ndarray, size: int, decay: float,
                 maxit: int, seed: int = 101) -> np.ndarray:
    """R ``nnet(x, y, size, decay, maxit)`` predictions for ``xte``.

    Parameters
    ----------
    xtr : ndarray, shape (n_train, p)
        Training features.
    ytr : ndarray, shape (n_train,)
        Training labels (0/1).
    xte : ndarray, shape (n_test, p)
        Test features.
    size : int
        Hidden units.
    decay : float
        Weight decay.
    maxit : int
        Maximum iterations.
    seed : int, default 101
        R's seed (the initial weights).

    Returns
    -------
    ndarray, shape (n_test,)
        P(class 1).

    References
    ----------
    .. [1] Venables WN, Ripley BD. *Modern Applied Statistics with S*, 4th ed. Springer
       (2002); R package nnet 7.3-18.
    """
    return rfuncs.nnet_predict(xtr, ytr, xte, size=size, decay=decay, maxit=maxit, seed=seed)


def xgb_predict(xtr: np.ndarray, ytr: np.ndarray, xte: np.ndarray, max_depth: int, eta: float,
                nrounds: int, seed: int = 101) -> np.ndarray:
    """XGBoost ``binary:logistic`` probabilities for ``xte`` (deterministic, one thread).

    Parameters
    ----------
    xtr : ndarray, shape (n_train, p)
        Training features.
    ytr : ndarray, shape (n_train,)
        Training labels (0/1).
    xte : ndarray, shape (n_test, p)
        Test features.
    max_depth : int
        Tree depth.
    eta : float
        Learning rate.
    nrounds : int
        Boosting rounds.
    seed : int, default 101
        XGBoost's seed.

    Returns
    -------
    ndarray, shape (n_test,)
        P(class 1).

    References
    ----------
    .. [1] Chen T, Guestrin C. XGBoost: a scalable tree boosting system. *KDD* (2016).
    """
    import xgboost as xgb

    dtrain = xgb.DMatrix(np.asarray(xtr, float), label=np.asarray(ytr, float))
    params = {"max_depth": int(max_depth), "eta": float(eta), "objective": "binary:logistic",
              "nthread": 1, "tree_method": "exact", "seed": int(seed), "verbosity": 0}
    booster = xgb.train(params, dtrain, num_boost_round=int(nrounds))
    return booster.predict(xgb.DMatrix(np.asarray(xte, float)))


@dataclass
class ClassesResult:
    """What :func:`run_classes` returns: AUC per target and model, and the ROC points.

    Parameters
    ----------
    table : DataFrame
        One row per target × feature set × model: ``auc`` (and ``auc_raw``, ``flipped``),
        DeLong CI, ``published_auc``, sizes, ``note``.
    roc : DataFrame
        ROC points: ``fpr, tpr, feature_set, mode, target, model``.
    """

    table: pd.DataFrame
    roc: pd.DataFrame

    def summary(self) -> Summary:
        """AUC per target and model beside the published one, and the rows' notes.

        Returns
        -------
        Summary
            Printable; HTML in a notebook.
        """
        t = self.table
        cols = [c for c in ("feature_set", "mode", "target", "model", "auc", "ci_low",
                            "ci_high", "published_auc", "n_features", "n_test") if c in t.columns]
        notes = [f"{r['target']} {r['model']}: {r['note']}" for _, r in t.iterrows()
                 if "note" in t.columns and pd.notna(r["note"])]
        return Summary("nnet and XGBoost classes of signatures and TIMER cells (liu2023 "
                       "Supplementary Fig 1)", {"rows": len(t)}, {"AUC per target": t[cols]},
                       notes)


def _fit_models(Xtr, ytr, Xte, settings, seed, models):
    (size, decay, maxit), (depth, eta, nrounds) = settings
    out = {}
    if "nnet" in models:
        out["nnet"] = nnet_predict(Xtr, ytr, Xte, size, decay, maxit, seed)
    if "xgboost" in models:
        out["xgboost"] = xgb_predict(Xtr, ytr, Xte, depth, eta, nrounds, seed)
    return out


def _not_modelled(tags: dict, models: Sequence[str], reason: str, n: int,
                  published: dict | None = None) -> list[dict]:
    return [{**tags, "model": m, "auc": np.nan, "auc_raw": np.nan, "flipped": False,
             "published_auc": (published or {}).get(m),
             "ci_low": np.nan, "ci_high": np.nan, "ci_method": "", "n_features": np.nan,
             "n_test": n, "n_positive_test": np.nan, "note": f"not modelled: {reason}"}
            for m in models]


def _classes_target(task: tuple) -> tuple[list[dict], list[pd.DataFrame]]:
    """Rows and ROC curves of one target (module level so worker processes can run it)."""
    (target, X, values, feature_set, mode, permutations, frac, outer_folds, version,
     threshold, models, seed, published) = task
    tags = {"feature_set": feature_set, "mode": mode, "target": target}
    values = np.asarray(values, dtype=float)
    have = np.isfinite(values)
    note = None
    if not have.all():
        lost = [str(p) for p in X.index[~have]]
        note = (f"{len(lost)} patient(s) without a {target} value left out: "
                f"{', '.join(lost[:10])}{' …' if len(lost) > 10 else ''}")
        X, values = X.loc[have], values[have]
    if len(values) < MIN_PATIENTS:
        return _not_modelled(tags, models, f"{len(values)} patient(s) with a {target} value; "
                             f"at least {MIN_PATIENTS} needed", len(values), published), []
    y = upper_quartile_classes(values)
    if len(np.unique(y)) < 2:
        return _not_modelled(tags, models, f"{target} has {np.unique(values).size} distinct "
                             "value(s): the upper-quartile classes hold one class only",
                             len(values), published), []
    settings = settings_for(target, feature_set, mode)
    n = len(y)
    if mode == "paper":
        train = modes.author_split(n, frac, seed)
        if len(np.unique(y[train])) < 2:
            return _not_modelled(tags, models, "the training split holds one class only",
                                 n, published), []
        test = np.setdiff1d(np.arange(n), train)
        freq = selection_frequency(X, y, permutations, version=version, seed=seed)
        sel = select_features(freq, threshold)
        preds = _fit_models(X[sel].to_numpy()[train], y[train], X[sel].to_numpy()[test],
                            settings, seed, models)
        ytest, n_sel = y[test], len(sel)
    else:
        ytest = y
        oof = {m: np.full(n, np.nan) for m in models}
        n_sel_f = []
        skipped = 0
        for tr, te in modes.grouped_folds(y, np.arange(n), outer_folds, seed):
            if len(np.unique(y[tr])) < 2:
                skipped += 1
                continue
            freq = selection_frequency(X.iloc[tr], y[tr], permutations, version=version,
                                       seed=seed)
            sel = select_features(freq, threshold)
            n_sel_f.append(len(sel))
            p = _fit_models(X[sel].to_numpy()[tr], y[tr], X[sel].to_numpy()[te], settings,
                            seed, models)
            for m in models:
                oof[m][te] = p[m]
        if skipped:
            keep = np.isfinite(oof[models[0]])
            note = "; ".join(x for x in (note, f"{skipped} of {outer_folds} folds not fitted "
                                               "(one class in the training fold)") if x)
            ytest = y[keep]
            oof = {m: v[keep] for m, v in oof.items()}
        if not n_sel_f:
            return _not_modelled(tags, models, "every training fold holds one class only",
                                 n, published), []
        preds, n_sel = oof, float(np.median(n_sel_f))
    rows, rocs = [], []
    for model, prob in preds.items():
        raw = modes.auc_score(ytest, prob)
        auc, flipped = modes.flip_auc(raw) if mode == "paper" else (raw, False)
        _, lo, hi = modes.delong_ci(ytest, prob)
        if flipped:
            lo, hi = 1 - hi, 1 - lo
        roc = modes.roc_curve(ytest, prob)
        if flipped:
            roc = pd.DataFrame({"fpr": 1 - roc["fpr"], "tpr": 1 - roc["tpr"]})
        published_auc = (published or {}).get(model)
        rows.append({**tags, "model": model, "auc": auc, "auc_raw": raw, "flipped": flipped,
                     "published_auc": published_auc,
                     "ci_low": lo, "ci_high": hi, "ci_method": "DeLong",
                     "n_features": n_sel, "n_test": len(ytest),
                     "n_positive_test": int(np.sum(ytest)), "note": note})
        if len(np.unique(ytest)) == 2:  # no ROC curve for a one-class test set
            rocs.append(roc.assign(**tags, model=model))
    return rows, rocs


def run_classes(features: pd.DataFrame, targets: pd.DataFrame, feature_set: str = "DRF",
                mode: str = "paper", permutations: int = 100, frac: float = 0.8,
                outer_folds: int = 5, version: str = "3.0", threshold: float = 40.0,
                models: Sequence[str] = ("nnet", "xgboost"), seed: int = 101,
                n_jobs: int = 1,
                published: Mapping[tuple[str, str, str], float] | None = None) -> ClassesResult:
    """Supplementary Fig 1 for one feature set in one mode: nnet and XGBoost classes.

    Targets are binarised at the upper quartile over the matched patients; features are
    selected by ClassifyR frequency; paper mode splits once (``frac``), rigorous mode
    cross-validates by patient. Targets run in ``n_jobs`` worker processes (each with its own
    R); results equal the serial run.

    Parameters
    ----------
    features : DataFrame
        ``patient_id`` + features (image rows are averaged per patient).
    targets : DataFrame
        ``patient_id`` + one column per signature or cell type (raw scores).
    feature_set : str, default "DRF"
        Label of the features (``"DRF"``, ``"CRF36"``).
    mode : {"paper", "rigorous"}, default "paper"
        Prediction protocol.
    permutations : int, default 100
        ClassifyR repeats.
    frac : float, default 0.8
        Paper mode training fraction.
    outer_folds : int, default 5
        Rigorous mode folds.
    version : str, default "3.0"
        ClassifyR behaviour.
    threshold : float, default 40.0
        Selection percentage (:func:`select_features`).
    models : sequence of str, default ("nnet", "xgboost")
        Models to run.
    seed : int, default 101
        Seed of the splits and models.
    n_jobs : int, default 1
        Worker processes.
    published : mapping or None, default None
        (target key, feature set, model) → published AUC, for the ``published_auc`` column
        (e.g. ``pyradiogen.studies.liu2023.PUBLISHED_SUPPFIG1_AUC``).

    Returns
    -------
    ClassesResult
        The AUC table and ROC points.

    References
    ----------
    .. [1] Liu Q, Hu P. Radiogenomic association of deep MR imaging features with genomic
       profiles and clinical characteristics in breast cancer. *Biomark Res* 11, 9 (2023).
    """
    from ..parallel import pmap

    tasks = _classes_tasks(features, targets, feature_set, mode, permutations, frac,
                           outer_folds, version, threshold, models, seed, published)
    return _classes_result(pmap(_classes_target, tasks, n_jobs=n_jobs,
                                description=f"classes {feature_set} ({mode})"),
                           feature_set, mode, models)


def _classes_tasks(features, targets, feature_set, mode, permutations, frac, outer_folds,
                   version, threshold, models, seed, published) -> list[tuple]:
    """:func:`run_classes`' tasks, one per target (for :func:`_classes_target`)."""
    modes.check_mode(mode)
    X, t = modes.align_patients(features, targets, MIN_PATIENTS, "targets")
    ref = published or {}
    return [(target, X, t[target].to_numpy(dtype=float), feature_set, mode,
             permutations, frac, outer_folds, version, threshold, tuple(models), seed,
             {m: ref.get((target_key(target), feature_set.upper(), m)) for m in models})
            for target in t.columns]


def _classes_result(results: list[tuple], feature_set: str, mode: str,
                    models: Sequence[str]) -> ClassesResult:
    """:func:`run_classes`' result from its tasks' results (warns about the notes)."""
    import warnings

    rows, rocs = [], []
    for r, c in results:
        rows.extend(r)
        rocs.extend(c)
    for r in rows:
        if r.get("note") and r["model"] == models[0]:
            warnings.warn(f"classes {feature_set} {r['target']} ({mode}): {r['note']}",
                          UserWarning, stacklevel=2)
    roc_all = pd.concat(rocs, ignore_index=True) if rocs else pd.DataFrame(
        columns=["fpr", "tpr", "feature_set", "mode", "target", "model"])
    return ClassesResult(pd.DataFrame(rows), roc_all)
