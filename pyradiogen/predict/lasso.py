"""Study liu2023, Fig 4d–e: lasso logistic regression per clinical characteristic.

biglasso cannot be installed here, so its path is reproduced with R glmnet (Friedman et al.
2010, glmnet 4.1-6) solving biglasso 1.5's problem (Zeng & Breheny 2021): biglasso's lambda
grid passed explicitly, standardize, Newton, tight ``thresh``, path truncated where biglasso
saturates; both solve the same convex problem, so the coefficients agree to the tolerance. All fitting
runs in R (``r/R/lasso.R``) through :mod:`pyradiogen.rfuncs`; this module prepares rows,
draws splits and gathers tables.

Paper mode reproduces the authors' script: rows with a non-missing label, ``set.seed(101);
sample.int(n, floor(.7 * n))`` over those rows (image level), ``cv.glmnet(type.measure =
"auc", nfolds = 5)`` on the training rows, the biglasso path (``nlambda`` 100 in the paper, 20
in the code), and test AUC (ROCR) and F1 for every lambda. The published headline is the best
AUC over the path, i.e. lambda chosen on the test set.

Rigorous mode splits by patient (the same R draw, over patients), picks lambda by
``cv.glmnet`` with patient-grouped folds on the training rows only, and adds a nested
cross-validation (outer patient-grouped stratified folds) whose pooled out-of-fold AUC, with a
patient-cluster bootstrap CI, is the headline.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import rfuncs
from ..estimator import EstimatorMixin, check_is_fitted
from ..results import Summary
from . import modes

CHARACTERISTICS: tuple[str, ...] = ("T", "N", "ER", "PR", "HER2")
ID_COLUMNS = ("image_id", "patient_id")


def feature_columns(features: pd.DataFrame) -> list[str]:
    """The feature columns of a feature table (everything but ``image_id``/``patient_id``).

    Parameters
    ----------
    features : DataFrame
        A feature table.

    Returns
    -------
    list of str
        Column names, in order.

    Raises
    ------
    ValueError
        If there is no feature column or one is not numeric.
    """
    cols = [c for c in features.columns if c not in ID_COLUMNS]
    if not cols:
        raise ValueError("the feature table has no feature columns besides image_id/patient_id")
    bad = [c for c in cols if not pd.api.types.is_numeric_dtype(features[c])]
    if bad:
        raise ValueError(f"feature table columns {bad[:5]} are not numeric; keep only image_id, "
                         "patient_id and numeric feature columns")
    return cols


def biglasso_lambda_grid(X: np.ndarray, y: Sequence, nlambda: int = 100,
                         lambda_min: float | None = None,
                         dims: tuple[int, int] | None = None) -> np.ndarray:
    """biglasso's binomial lambda grid, in NumPy (parity-tested against R).

    The largest lambda is the smallest that keeps every coefficient at zero on standardised
    columns; the grid falls log-linearly to ``lambda_min`` times it (biglasso 1.5,
    ``setupLambda``).

    Parameters
    ----------
    X : ndarray, shape (n_samples, p)
        Features (constant columns are left out of the maximum).
    y : sequence, shape (n_samples,)
        Binary outcome; the larger value is class 1.
    nlambda : int, default 100
        Grid length.
    lambda_min : float or None, default None
        Smallest lambda as a fraction of the largest; ``None``: 0.001 when the rows outnumber
        the columns of ``dims``, else 0.05 (biglasso's default).
    dims : tuple of int or None, default None
        ``(rows, columns)`` that decide the default ``lambda_min`` (``X.shape`` when None).

    Returns
    -------
    ndarray, shape (nlambda,)
        Decreasing lambda values.

    Raises
    ------
    ValueError
        If every column of ``X`` is constant.

    References
    ----------
    .. [1] Zeng Y, Breheny P. The biglasso package. *R Journal* 12(2) (2021).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    y = (y == y.max()).astype(float)
    n = X.shape[0]
    center = X.mean(axis=0)
    scale = np.sqrt(np.maximum((X**2).sum(axis=0) / n - center**2, 0.0))
    keep = scale > 1e-6
    if not keep.any():
        raise ValueError("every feature column is constant; nothing to fit")
    z = np.abs(((X[:, keep] - center[keep]) * y[:, None]).sum(axis=0)) / (n * scale[keep])
    lmax = z.max()
    rows, cols = dims or X.shape
    ratio = (0.001 if rows > cols else 0.05) if lambda_min is None else lambda_min
    ratio = max(ratio, 1e-6)
    return np.exp(np.linspace(np.log(lmax), np.log(lmax * ratio), nlambda))


class BiglassoPath(EstimatorMixin):
    """biglasso's lasso-logistic path, solved by R's glmnet on biglasso's lambda grid.

    The authors fitted ``biglasso(X, y, family = "binomial")``; biglasso is not packaged for
    this platform, so the same path (biglasso's standardisation and lambda grid, see
    :func:`biglasso_lambda_grid`) is solved by glmnet to tight tolerance, which gives
    biglasso's coefficients.

    Parameters
    ----------
    nlambda : int, default 100
        Number of lambda values on the path.
    lambda_min : float or None, default None
        Smallest lambda as a fraction of the largest; ``None``: biglasso's default (0.001
        when n > p, else 0.05).
    thresh : float, default 1e-12
        glmnet's convergence threshold.
    maxit : int, default 1000000
        glmnet's maximum passes over the data.
    saturation : float, default 0.99
        Stop the path once the deviance ratio exceeds this (glmnet's saturation rule).

    Attributes
    ----------
    lambda_ : ndarray, shape (L,)
        The lambda values fitted (L ≤ ``nlambda``).
    intercept_ : ndarray, shape (L,)
        Intercept per lambda.
    coef_ : ndarray, shape (L, p)
        Coefficients per lambda on the original feature scale.
    nzero_ : ndarray of int, shape (L,)
        Non-zero coefficients per lambda.
    dev_ratio_ : ndarray, shape (L,)
        Fraction of null deviance explained per lambda.
    feature_names_in_ : ndarray of str, shape (p,)
        The feature names (``V1 …`` for an array).

    References
    ----------
    .. [1] Zeng Y, Breheny P. The biglasso package: a memory- and computation-efficient
       solver for lasso model fitting with big data in R. *R Journal* 12(2) (2021).
    .. [2] Friedman J, Hastie T, Tibshirani R. Regularization paths for generalized linear
       models via coordinate descent. *J Stat Softw* 33(1) (2010). R package glmnet 4.1-6.
    .. [3] Liu Q, Hu P. Radiogenomic association of deep MR imaging features with genomic
       profiles and clinical characteristics in breast cancer. *Biomark Res* 11, 9 (2023).
    """

    def __init__(self, nlambda: int = 100, lambda_min: float | None = None,
                 thresh: float = 1e-12, maxit: int = 1_000_000, saturation: float = 0.99):
        self.nlambda = nlambda
        self.lambda_min = lambda_min
        self.thresh = thresh
        self.maxit = maxit
        self.saturation = saturation

    def fit(self, X: pd.DataFrame | np.ndarray, y: Sequence) -> BiglassoPath:
        """Fit the lasso-logistic path.

        Parameters
        ----------
        X : DataFrame or ndarray, shape (n_samples, p)
            Features (column names kept when a DataFrame).
        y : sequence of int, shape (n_samples,)
            Binary outcome (0/1; the larger value is class 1).

        Returns
        -------
        BiglassoPath
            The fitted estimator.

        Raises
        ------
        RError
            If glmnet fails (e.g. ``y`` has one class).
        """
        names = [str(c) for c in X.columns] if isinstance(X, pd.DataFrame) else \
            [f"V{i + 1}" for i in range(np.shape(X)[1])]
        mat = rfuncs.RMatrix(np.asarray(X, dtype=float), None, names)
        res = rfuncs.biglasso_glmnet(mat, y, nlambda=self.nlambda, lambda_min=self.lambda_min,
                                     thresh=self.thresh, maxit=self.maxit,
                                     saturation=self.saturation)
        self.lambda_ = np.atleast_1d(np.asarray(res["lambda"], dtype=float))
        self.intercept_ = np.atleast_1d(np.asarray(res["a0"], dtype=float))
        beta = np.asarray(res["beta"], dtype=float).reshape(len(names), -1)
        self.coef_ = beta.T
        self.nzero_ = (self.coef_ != 0).sum(axis=1)
        self.dev_ratio_ = np.atleast_1d(np.asarray(res["dev_ratio"], dtype=float))
        self.feature_names_in_ = np.array(names, dtype=object)
        return self

    def decision_function(self, X) -> np.ndarray:
        """Linear predictor, one column per lambda.

        Parameters
        ----------
        X : DataFrame or ndarray, shape (n_samples, p)
            Features in the order of ``feature_names_in_``.

        Returns
        -------
        ndarray, shape (n_samples, L)
            ``X @ coef_.T + intercept_`` (log-odds of class 1).

        Raises
        ------
        NotFittedError
            If called before :meth:`fit`.
        """
        check_is_fitted(self, "coef_")
        return np.asarray(X, dtype=float) @ self.coef_.T + self.intercept_

    def predict_proba(self, X) -> np.ndarray:
        """P(class 1), one column per lambda (biglasso ``type = "response"``).

        Parameters
        ----------
        X : DataFrame or ndarray, shape (n_samples, p)
            Features in the order of ``feature_names_in_``.

        Returns
        -------
        ndarray, shape (n_samples, L)
            Probability of class 1 under each lambda's model.

        Raises
        ------
        NotFittedError
            If called before :meth:`fit`.
        """
        return 1.0 / (1.0 + np.exp(-self.decision_function(X)))


@dataclass
class LassoResult:
    """What :func:`run_lasso` returns: the AUC curves and the headline table.

    Parameters
    ----------
    curves : DataFrame
        Per lambda: ``feature_set, mode, characteristic, lambda, nzero, auc, f1``.
    table : DataFrame
        One row per characteristic: ``auc`` with its CI, the rule that chose it, sizes,
        ``published`` and ``note``.
    predictions : DataFrame
        Test-set (or out-of-fold) probabilities per row.
    """

    curves: pd.DataFrame
    table: pd.DataFrame
    predictions: pd.DataFrame = field(default_factory=pd.DataFrame)

    def summary(self) -> Summary:
        """AUC per characteristic (with CI and the lambda rule) and the rows' notes.

        Returns
        -------
        Summary
            Printable; HTML in a notebook.
        """
        t = self.table
        cols = [c for c in ("feature_set", "mode", "characteristic", "auc", "ci_low", "ci_high",
                            "nzero", "n_rows", "n_patients", "published") if c in t.columns]
        keys = [c for c in ("feature_set", "mode", "characteristic") if c in t.columns]
        notes = [f"{' '.join(str(r[k]) for k in keys)}: {r['note']}"
                 for _, r in t.iterrows() if "note" in t.columns and pd.notna(r["note"])]
        rules = sorted(t["auc_rule"].dropna().unique()) if "auc_rule" in t.columns else []
        return Summary("Lasso logistic regression per clinical characteristic (liu2023 "
                       "Fig 4d–e)", {"AUC rule": "; ".join(rules) or "—",
                                      "characteristics": len(t)},
                       {"AUC per characteristic": t[cols]}, notes)


def labelled_rows(features: pd.DataFrame, clinical: pd.DataFrame, characteristic: str
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], np.ndarray]:
    """The rows whose patient has a non-missing label for one characteristic.

    Parameters
    ----------
    features : DataFrame, shape (n_images, 2 + p)
        ``image_id``, ``patient_id``, features.
    clinical : DataFrame
        Indexed by patient ID, one column per characteristic (0/1, missing allowed).
    characteristic : str
        ``"T"``, ``"N"``, ``"ER"``, ``"PR"`` or ``"HER2"``.

    Returns
    -------
    X : ndarray, shape (n_rows, p)
        Features.
    y : ndarray of int, shape (n_rows,)
        Labels.
    patients : ndarray of object, shape (n_rows,)
        Patient ID per row.
    columns : list of str
        Feature names.
    rows : ndarray of int, shape (n_rows,)
        Positions of the rows in ``features``.

    Raises
    ------
    ValueError
        No ``patient_id`` column, no such characteristic, or missing feature values (named).
    """
    if "patient_id" not in features.columns:
        raise ValueError("the feature table needs a patient_id column")
    if characteristic not in clinical.columns:
        raise ValueError(f"clinical table has no column {characteristic!r}; "
                         f"columns: {list(clinical.columns)}")
    cols = feature_columns(features)
    labels = features["patient_id"].map(clinical[characteristic])
    ok = labels.notna().to_numpy()
    X = features.loc[ok, cols].to_numpy(dtype=float)
    if not np.isfinite(X).all():
        from ..cohort.usertable import describe_missing

        sub = features.loc[ok, cols].set_axis(features.loc[ok, "patient_id"].astype(str))
        raise ValueError(f"the feature table has {describe_missing(sub, 'patient', 'feature')}"
                         " — impute them or leave those features out")
    y = labels[ok].astype(int).to_numpy()
    return X, y, features.loc[ok, "patient_id"].to_numpy(dtype=object), cols, np.flatnonzero(ok)


def _curve_frame(curve: dict, **tags) -> pd.DataFrame:
    df = pd.DataFrame({k: np.atleast_1d(np.asarray(v)) for k, v in curve.items()})
    for k, v in reversed(tags.items()):
        df.insert(0, k, v)
    return df


def _num(v) -> float:
    """An R scalar as float (NA/None → NaN)."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _prob_matrix(prob, n_rows: int) -> np.ndarray:
    return np.asarray(prob, dtype=float).reshape(n_rows, -1)


def lasso_paper(X, y, groups, cols, nlambda=20, frac=0.7, seed=101, nfolds=5):
    """The authors' script for one characteristic: image-level split, lambda chosen on the test set.

    Parameters
    ----------
    X : ndarray, shape (n_rows, p)
        Features of the labelled rows.
    y : ndarray of int, shape (n_rows,)
        Labels (0/1).
    groups : ndarray, shape (n_rows,)
        Patient of each row.
    cols : list of str
        Feature names.
    nlambda : int, default 20
        Path length (the authors' code; the paper says 100).
    frac : float, default 0.7
        Training fraction.
    seed : int, default 101
        R's seed.
    nfolds : int, default 5
        ``cv.glmnet`` folds.

    Returns
    -------
    curve : DataFrame
        Per lambda: ``lambda, nzero, auc, f1``.
    summary : dict
        The headline row: ``auc`` with its CI, the lambda rule, sizes, ``note``.
    predictions : DataFrame
        Test-set (or out-of-fold) probability per row.

    References
    ----------
    .. [1] Liu Q, Hu P. Radiogenomic association of deep MR imaging features with genomic
       profiles and clinical characteristics in breast cancer. *Biomark Res* 11, 9 (2023).
    """
    res = rfuncs.lasso_author(rfuncs.RMatrix(X, None, cols), y, frac=frac, seed=seed,
                              nlambda=nlambda, nfolds=nfolds)
    train = np.atleast_1d(np.asarray(res["train"], dtype=np.int64)) - 1
    test = np.setdiff1d(np.arange(len(y)), train)
    curve = res["curve"]
    cv = res["cv"] or {}
    auc = np.asarray(curve["auc"], dtype=float)
    best = int(np.nanargmax(auc)) if np.isfinite(auc).any() else 0
    yte = y[test]
    cv_prob = np.atleast_1d(np.asarray(cv.get("prob", np.full(len(test), np.nan)), dtype=float))
    ci = modes.auc_with_ci(yte, _prob_matrix(res["prob"], len(test))[:, best], groups[test], seed)
    leaked = len(set(groups[train]) & set(groups[test]))
    summary = {
        "auc": float(auc[best]), "ci_low": ci["ci_low"], "ci_high": ci["ci_high"],
        "ci_method": ci["ci_method"], "auc_rule": "best lambda on the test set (as published)",
        "nzero": int(np.asarray(curve["nzero"])[best]),
        "f1": float(np.asarray(curve["f1"], dtype=float)[best]),
        "lambda": float(np.asarray(curve["lambda"])[best]),
        "cv_lambda_min": _num(cv.get("lambda_min")), "cv_measure": cv.get("measure"),
        "auc_at_cv_lambda": modes.auc_score(yte, cv_prob),
        "n_train": len(train), "n_test": len(test),
        "n_positive_test": int(np.sum(np.asarray(yte) == 1)), "patients_on_both_sides": leaked,
    }
    preds = pd.DataFrame({"row": test, "patient_id": groups[test], "y": yte,
                          "prob": _prob_matrix(res["prob"], len(test))[:, best]})
    return curve, summary, preds


def lasso_rigorous(X, y, groups, cols, nlambda=20, frac=0.7, seed=101, nfolds=5, outer_folds=5):
    """Patient-level split with training-only lambda, plus nested patient-grouped CV.

    Parameters
    ----------
    X : ndarray, shape (n_rows, p)
        Features of the labelled rows.
    y : ndarray of int, shape (n_rows,)
        Labels (0/1).
    groups : ndarray, shape (n_rows,)
        Patient of each row.
    cols : list of str
        Feature names.
    nlambda : int, default 20
        Path length (the authors' code; the paper says 100).
    frac : float, default 0.7
        Training fraction.
    seed : int, default 101
        R's seed.
    nfolds : int, default 5
        ``cv.glmnet`` folds.
    outer_folds : int, default 5
        Folds of the nested cross-validation whose pooled AUC is the headline.

    Returns
    -------
    curve : DataFrame
        Per lambda: ``lambda, nzero, auc, f1``.
    summary : dict
        The headline row: ``auc`` with its CI, the lambda rule, sizes, ``note``.
    predictions : DataFrame
        Test-set (or out-of-fold) probability per row.
    """
    RMatrix = rfuncs.RMatrix
    train, test = modes.patient_split(groups, frac, seed)
    foldid = modes.fold_ids(y[train], groups[train], nfolds, seed)
    res = rfuncs.lasso_split(RMatrix(X[train], None, cols), y[train], RMatrix(X[test], None, cols),
                             y[test], foldid=foldid, nlambda=nlambda, nfolds=nfolds, seed=seed)
    curve = res["curve"]
    split_prob = np.atleast_1d(np.asarray(res["cv"]["prob"], dtype=float))
    split_auc = modes.auc_score(y[test], split_prob)
    # nested CV: outer patient-grouped stratified folds, inner grouped cv.glmnet
    oof = np.full(len(y), np.nan)
    skipped_folds = 0
    for tr, te in modes.grouped_folds(y, groups, outer_folds, seed):
        if len(np.unique(y[tr])) < 2:
            skipped_folds += 1  # a one-class training fold cannot be fitted
            continue
        inner = modes.fold_ids(y[tr], groups[tr], nfolds, seed)
        r = rfuncs.lasso_split(RMatrix(X[tr], None, cols), y[tr], RMatrix(X[te], None, cols),
                               y[te], foldid=inner, nlambda=nlambda, nfolds=nfolds, seed=seed)
        oof[te] = np.atleast_1d(np.asarray(r["cv"]["prob"], dtype=float))
    ok = np.isfinite(oof)
    ci = modes.auc_with_ci(y[ok], oof[ok], groups[ok], seed)
    summary = {
        "auc": ci["auc"], "ci_low": ci["ci_low"], "ci_high": ci["ci_high"],
        "ci_method": ci["ci_method"],
        "auc_rule": f"nested {outer_folds}-fold patient-grouped CV, lambda.min of inner "
                    f"grouped cv.glmnet (auc) over the biglasso grid",
        "nzero": _num(res["cv"]["nzero"]), "f1": float("nan"),
        "lambda": _num(res["cv"]["lambda_min"]), "cv_lambda_min": _num(res["cv"]["lambda_min"]),
        "cv_measure": res["cv"]["measure"], "auc_at_cv_lambda": split_auc,
        "n_train": len(train), "n_test": len(test),
        "patients_on_both_sides": len(set(groups[train]) & set(groups[test])),
    }
    if skipped_folds:
        summary["note"] = (f"{skipped_folds} of {outer_folds} outer folds not fitted (one class "
                           f"in the training fold); their {int((~ok).sum())} rows have no "
                           "out-of-fold prediction")
    preds = pd.DataFrame({"row": np.arange(len(y))[ok], "patient_id": groups[ok], "y": y[ok],
                          "prob": oof[ok]})
    return curve, summary, preds


def _lasso_one(task: dict) -> dict:
    """One characteristic (module-level so that :func:`pyradiogen.parallel.pmap` can ship it)."""
    X, y, groups, cols = task["X"], task["y"], task["groups"], task["cols"]
    tags = task["tags"]
    mode = tags["mode"]
    fn = lasso_paper if mode == "paper" else lasso_rigorous
    kw = {} if mode == "paper" else {"outer_folds": task["outer_folds"]}
    base = {**tags, "n_rows": len(y), "n_patients": len(set(groups)),
            "published": task.get("published")}
    if task.get("not_modelled"):
        return {"row": {**base, "auc": float("nan"), "note": task["not_modelled"]}}
    if mode == "paper":
        train = modes.author_split(len(y), task["frac"], task["seed"])
        if len(np.unique(y[train])) < 2:
            return {"row": {**base, "auc": float("nan"),
                            "note": f"not modelled: the training split holds one class only "
                                    f"({int(y[train][0])}) of {len(train)} rows"}}
    try:
        curve, summ, pr = fn(X, y, groups, cols, nlambda=task["nlambda"], frac=task["frac"],
                             seed=task["seed"], nfolds=task["nfolds"], **kw)
    except rfuncs.RError as exc:  # e.g. a training split with one class in a tiny cohort
        return {"row": {**base, "auc": float("nan"),
                        "note": f"not modelled: R could not fit it ({exc.r_message})"}}
    if task.get("note"):
        summ["note"] = "; ".join(x for x in (summ.get("note"), task["note"]) if x)
    return {"curve": _curve_frame(curve, **tags), "row": {**base, **summ},
            "preds": pr.assign(**tags)}


def run_lasso(features: pd.DataFrame, clinical: pd.DataFrame, mode: str = "paper",
              characteristics: Sequence[str] = CHARACTERISTICS, feature_set: str = "DRF",
              nlambda: int = 20, frac: float = 0.7, seed: int = 101, nfolds: int = 5,
              outer_folds: int = 5, n_jobs: int = 1,
              published: Mapping[tuple[str, str], str] | None = None) -> LassoResult:
    """Fig 4d–e for one feature table in one mode (rows with a missing label are left out).

    ``n_jobs`` > 1 runs characteristics in worker processes (each with its own R); results
    are identical to the serial run (every R step seeds itself).

    Parameters
    ----------
    features : DataFrame, shape (n_images, 2 + p)
        ``image_id``, ``patient_id``, features.
    clinical : DataFrame
        Indexed by patient ID, one 0/1 column per characteristic.
    mode : {"paper", "rigorous"}, default "paper"
        Prediction protocol (:func:`lasso_paper` or :func:`lasso_rigorous`).
    characteristics : sequence of str, default ("T", "N", "ER", "PR", "HER2")
        Columns of ``clinical`` to predict.
    feature_set : str, default "DRF"
        Label of the features.
    nlambda, frac, seed, nfolds, outer_folds
        As :func:`lasso_rigorous`.
    n_jobs : int, default 1
        Worker processes.
    published : mapping or None, default None
        (feature set, characteristic) → the published result, for the ``published`` column
        (e.g. ``pyradiogen.studies.liu2023.PUBLISHED_LASSO``).

    Returns
    -------
    LassoResult
        Curves, headline table and predictions.

    References
    ----------
    .. [1] Liu Q, Hu P. Radiogenomic association of deep MR imaging features with genomic
       profiles and clinical characteristics in breast cancer. *Biomark Res* 11, 9 (2023).
    .. [2] Friedman J, Hastie T, Tibshirani R. Regularization paths for generalized linear
       models via coordinate descent. *J Stat Softw* 33(1) (2010); glmnet 4.1-6.
    """
    from ..parallel import pmap

    tasks = _lasso_tasks(features, clinical, mode, characteristics, feature_set, nlambda, frac,
                         seed, nfolds, outer_folds, published)
    return _lasso_result(pmap(_lasso_one, tasks, n_jobs=n_jobs,
                              description=f"lasso {feature_set} ({mode})"))


def _lasso_tasks(features, clinical, mode, characteristics, feature_set, nlambda, frac, seed,
                 nfolds, outer_folds, published) -> list[dict]:
    """:func:`run_lasso`'s tasks, one per characteristic (for :func:`_lasso_one`)."""
    modes.check_mode(mode)
    tasks = []
    for ch in characteristics:
        X, y, groups, cols, _ = labelled_rows(features, clinical, ch)
        task = {"X": X, "y": y, "groups": groups, "cols": cols, "nlambda": nlambda,
                "frac": frac, "seed": seed, "nfolds": nfolds, "outer_folds": outer_folds,
                "tags": {"feature_set": feature_set, "mode": mode, "characteristic": ch},
                "published": (published or {}).get((feature_set.upper(), ch))}
        pids = features["patient_id"].astype(str)
        unlabelled = sorted(set(pids) - set(map(str, groups)))
        if unlabelled:
            task["note"] = (f"{len(unlabelled)} patient(s) without a {ch} label left out: "
                            f"{', '.join(unlabelled[:10])}{' …' if len(unlabelled) > 10 else ''}")
        classes = np.unique(y)
        if len(classes) < 2:
            task["not_modelled"] = (
                f"not modelled: {ch} has no labelled row" if not len(y) else
                f"not modelled: {ch} is {int(classes[0])} for every one of the "
                f"{len(set(map(str, groups)))} labelled patients (one class)")
        tasks.append(task)
    return tasks


def _lasso_result(results: list[dict]) -> LassoResult:
    """:func:`run_lasso`'s result from its tasks' results (warns about rows left out)."""
    for res in results:
        t = res["row"]
        if str(t.get("note") or "").startswith("not modelled"):
            warnings.warn(f"lasso {t['feature_set']} {t['characteristic']} ({t['mode']}) "
                          f"{t['note']}", UserWarning, stacklevel=2)
        elif t.get("note"):
            warnings.warn(f"lasso {t['feature_set']} {t['characteristic']} ({t['mode']}): "
                          f"{t['note']}", UserWarning, stacklevel=2)
    curves = [r["curve"] for r in results if "curve" in r]
    preds = [r["preds"] for r in results if "preds" in r]
    return LassoResult(pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(),
                       pd.DataFrame([r["row"] for r in results]),
                       pd.concat(preds, ignore_index=True) if preds else pd.DataFrame())
