"""Study kim2020, Table 4: lasso regression of each risk score on its Spearman-significant features.

The paper: features significant (p < 0.05) in the Spearman screen against a score enter a
glmnet lasso; cross-validation is leave-one-out; adjusted R² and p are reported. It does not
define adjusted R² for a penalised model, so two definitions are reported (``r/R/lasso.R``,
``lasso_loo``):

* **in-sample (used for ``adj_r2``/``p_value``, the paper-mode headline)**: the lasso refitted on all
  patients at the LOO-chosen ``lambda.min``; R² = 1 − RSS/TSS, adjusted with k = the number of
  non-zero coefficients, ``1 − (1 − R²)(n − 1)/(n − k − 1)``; p from the overall F test
  F(k, n − k − 1). k = 0 gives adjusted R² 0 and p 1 ("not significant").
* **LOO (``adj_r2_loo``/``p_value_loo``, the alternative)**: the out-of-fold predictions at
  ``lambda.min`` regressed on the score, ``lm(y ~ yhat_loo)``: its adjusted R² and slope p;
  also Q² = 1 − PRESS/TSS (``q2_loo``). The slope p is one-sided (positive slope): held-out
  predictions that carry no signal are negatively related to the score, which a two-sided
  test would call significant.

Paper mode screens on all patients (a leak: the screen has seen every held-out patient).
Rigorous mode nests the whole procedure: for each held-out patient the screen and the lasso
(lambda by ``inner_folds``-fold CV) use the other patients only; it reports Q², the adjusted
R² of ``lm(y ~ yhat)`` and its p, all on those honest predictions.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .. import rfuncs
from ..minimums import minimum
from ..stats import spearman_screen
from . import modes

RISK_SCORES: tuple[str, ...] = ("AURKA", "ESR1", "ERBB2", "GGI", "GENIUS", "EndoPredict",
                                "OncotypeDx", "TamR", "GENE70", "PIK3CA", "ROR-S")


def align(features: pd.DataFrame, scores: pd.DataFrame, reader: str | None = None
          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Patient-level features and scores on the same patients.

    A ``reader`` column (pyradiomics per reader) is reduced to one reader; remaining rows of
    a patient are averaged.

    Parameters
    ----------
    features : DataFrame
        CRFs with ``patient_id`` (and optionally ``reader``) columns, or indexed by patient.
    scores : DataFrame
        Risk scores per patient.
    reader : str or None, default None
        The reader kept (None: the first in sorted order).

    Returns
    -------
    features : DataFrame, shape (n_common, p)
        Patient-level features.
    scores : DataFrame, shape (n_common, n_scores)
        The same patients.

    Raises
    ------
    ValueError
        If ``reader`` has no rows, or too few patients are in both tables.
    """
    f = features
    if "reader" in f.columns:
        chosen = reader if reader is not None else sorted(f["reader"].astype(str).unique())[0]
        f = f[f["reader"].astype(str) == str(chosen)].drop(columns="reader")
        if f.empty:
            raise ValueError(f"no feature rows for reader {chosen!r}")
    return modes.align_patients(f, scores, MIN_PATIENTS, "risk scores")


def screened_features(X: pd.DataFrame, y: Sequence, alpha: float = 0.05) -> list[str]:
    """The paper's screen: features whose Spearman p-value against ``y`` is below ``alpha``.

    The test is :func:`pyradiogen.stats.spearman_screen` (R's ``cor.test(method =
    "spearman")`` with its default exactness); constant features are never selected.

    Parameters
    ----------
    X : DataFrame, shape (n_patients, p)
        Features.
    y : sequence of float, shape (n_patients,)
        The risk score.
    alpha : float, default 0.05
        Unadjusted level.

    Returns
    -------
    list of str
        The features kept, in column order.
    """
    res = spearman_screen(X, np.asarray(y, dtype=float), warn=False)
    return [str(f) for f in res.index[(res["p_value"] < alpha).to_numpy()]]


def _screen_fast(X: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    """Column indices passing the screen inside rigorous folds.

    Column indices passing the screen inside rigorous folds: the t approximation
    (R's ``cor.test(method = "spearman", exact = FALSE)``).
    """
    res = spearman_screen(pd.DataFrame(X), y, exact=False, warn=False)
    return np.flatnonzero(np.nan_to_num(res["p_value"].to_numpy(dtype=float), nan=1.0) < alpha)


def _lm_summary(y: np.ndarray, yhat: np.ndarray) -> tuple[float, float, float]:
    """Q², adjusted R² of ``lm(y ~ yhat)`` and the one-sided p of a positive slope.

    One-sided because held-out means are perfectly *negatively* related to ``y`` (a model
    with no features would otherwise look significant).
    """
    tss = ((y - y.mean()) ** 2).sum()
    q2 = 1 - ((y - yhat) ** 2).sum() / tss
    if np.var(yhat) == 0:
        return float(q2), 0.0, 1.0
    res = stats.linregress(yhat, y, alternative="greater")
    n = len(y)
    adj = 1 - (1 - res.rvalue**2) * (n - 1) / (n - 2)
    return float(q2), float(adj), float(res.pvalue)


def loo_paper(X: pd.DataFrame, y: np.ndarray, selected: list[str], seed: int = 101) -> dict:
    """The paper's procedure on the pre-screened features: gaussian lasso with LOO ``cv.glmnet``.

    Parameters
    ----------
    X : DataFrame, shape (n_patients, p)
        Features.
    y : ndarray, shape (n_patients,)
        The risk score.
    selected : list of str
        Features kept by the screen on all patients (the paper's leak).
    seed : int, default 101
        R's seed.

    Returns
    -------
    dict
        ``lambda_min``, ``k`` (non-zero coefficients), ``adj_r2``, ``p_value``, the LOO
        ``q2_loo``/``adj_r2_loo``/``p_value_loo``, ``features``.

    References
    ----------
    .. [1] Kim et al. *J Korean Soc Radiol* 81(3), 632 (2020) (study kim2020).
    """
    res = rfuncs.lasso_loo(X[selected], y, seed=seed)
    coef = res["coef"]
    coef = coef if isinstance(coef, pd.Series) else pd.Series(np.atleast_1d(coef), index=selected)
    return {"lambda_min": res["lambda_min"], "k": int(res["k"]), "adj_r2": res["adj_r2"],
            "p_value": res["p"], "adj_r2_loo": res["adj_r2_loo"], "p_value_loo": res["p_loo"],
            "q2_loo": res["q2_loo"], "r2": res["r2"],
            "kept": ";".join(str(i) for i in coef.index[coef.to_numpy() != 0])}


def loo_rigorous(X: pd.DataFrame, y: np.ndarray, alpha: float = 0.05, inner_folds: int = 10,
                 seed: int = 101) -> dict:
    """Nested leave-one-out: screen and lasso inside every training set.

    The Spearman screens of all folds are computed here (t approximation); the lasso of every
    fold runs in one R call (``pyradiogen::lasso_nested_loo_predict``). A fold whose screen
    keeps no feature predicts the training mean.

    Parameters
    ----------
    X : DataFrame, shape (n_patients, p)
        Features.
    y : ndarray, shape (n_patients,)
        The risk score.
    alpha : float, default 0.05
        Screen level.
    inner_folds : int, default 10
        ``cv.glmnet`` folds inside each training set (LOO when ≥ its size).
    seed : int, default 101
        R's seed.

    Returns
    -------
    dict
        ``q2_loo``, ``adj_r2_loo``, ``p_value_loo`` (also as ``adj_r2``/``p_value``), ``k``
        (features kept per fold, summarised) and notes.
    """
    arr = X.to_numpy(dtype=float)
    n = len(y)
    selected = np.zeros((n, arr.shape[1]))
    n_sel = []
    for i in range(n):
        tr = np.delete(np.arange(n), i)
        sel = _screen_fast(arr[tr], y[tr], alpha)
        selected[i, sel] = 1
        n_sel.append(len(sel))
    yhat = np.full(n, np.nan)
    if any(n_sel):
        yhat[:] = rfuncs.lasso_nested_loo_predict(arr, y, selected, list(map(str, X.columns)),
                                                  nfolds=inner_folds, seed=seed)
    for i in range(n):
        if n_sel[i] == 0:
            yhat[i] = np.delete(y, i).mean()
    q2, adj, p = _lm_summary(y, yhat)
    return {"q2_loo": q2, "adj_r2_loo": adj, "p_value_loo": p, "adj_r2": adj, "p_value": p,
            "k": float(np.median(n_sel)), "yhat": yhat}


def _loo_task(task: tuple) -> dict:
    """One risk score's row of Table 4 (module level so worker processes can run it)."""
    score, Xs, ys, mode, selected, alpha, inner_folds, seed = task
    row: dict = {"mode": mode, "risk_score": score, "n": int(len(ys))}
    if mode == "paper":
        row["n_screened"] = len(selected)
        row["definition"] = "in-sample adjusted R2 (k = non-zero), F test"
        if selected:
            row.update(loo_paper(Xs, ys, selected, seed))
        else:
            row.update(adj_r2=np.nan, p_value=np.nan)
    else:
        out = loo_rigorous(Xs, ys, alpha, inner_folds, seed)
        out.pop("yhat")
        row["definition"] = "nested LOO predictions: adjusted R2 of lm(y ~ yhat), slope p"
        row.update(out)
    if mode == "paper" and not selected:
        row["note"] = "no feature passed the Spearman screen (p < 0.05): not significant"
    row["significant"] = bool(np.isfinite(row.get("p_value", np.nan)) and row["p_value"] < 0.05
                              and row.get("adj_r2", 0) > 0)
    return row


#: fewest patients for leave-one-out LASSO (pyradiogen.minimums, kim2020 kim2020-predict)
MIN_PATIENTS = minimum("kim2020", "kim2020-predict")


def not_modelled_reason(y: np.ndarray, min_patients: int = MIN_PATIENTS) -> str | None:
    """Why a risk score cannot be modelled, or None.

    Parameters
    ----------
    y : ndarray, shape (n_patients,)
        The score (missing allowed).
    min_patients : int, default MIN_PATIENTS
        Fewest patients with a value.

    Returns
    -------
    str or None
        ``"no values"``, too few patients, or a constant score, in words; None when it can
        be modelled.
    """
    ok = np.isfinite(y)
    if not ok.any():
        return "the score has no value for any patient"
    if ok.sum() < min_patients:
        return f"only {int(ok.sum())} patient(s) have a value; at least {min_patients} needed"
    v = y[ok]
    if np.ptp(v) == 0:
        return f"the score is the same ({v[0]:g}) for every patient: nothing to predict"
    return None


def run_loo(features: pd.DataFrame, scores: pd.DataFrame, mode: str = "paper",
            risk_scores: Sequence[str] | None = None, alpha: float = 0.05,
            screen: Mapping[str, Sequence[str]] | pd.DataFrame | None = None,
            inner_folds: int = 10, seed: int = 101, reader: str | None = None,
            n_jobs: int = 1) -> pd.DataFrame:
    """Table 4 in one mode: one row per risk score.

    Scores run in ``n_jobs`` worker processes (each with its own R); results equal the
    serial run.

    Parameters
    ----------
    features : DataFrame
        pyradiomics CRFs (``patient_id``, optional ``reader``, features).
    scores : DataFrame
        Risk scores per patient.
    mode : {"paper", "rigorous"}, default "paper"
        :func:`loo_paper` (screen on all patients) or :func:`loo_rigorous` (nested).
    risk_scores : sequence of str or None, default None
        Columns of ``scores`` to model (all when None).
    alpha : float, default 0.05
        Screen level.
    screen : mapping, DataFrame or None, default None
        The significant features per score (a mapping, or a table with ``score``,
        ``feature``, ``p_value``); the screen runs here when None.
    inner_folds : int, default 10
        Rigorous mode's inner folds.
    seed : int, default 101
        R's seed.
    reader : str or None, default None
        The reader whose CRFs are used.
    n_jobs : int, default 1
        Worker processes.

    Returns
    -------
    DataFrame
        One row per score: ``k``, adjusted R², p-value, Q², ``note`` (``not modelled: …``
        where a score cannot be modelled).

    Raises
    ------
    ValueError
        If a requested score is not a column of ``scores``.

    References
    ----------
    .. [1] Kim et al. *J Korean Soc Radiol* 81(3), 632 (2020) (study kim2020).
    """
    return run_loo_modes(features, scores, [mode], risk_scores=risk_scores, alpha=alpha,
                         screen=screen, inner_folds=inner_folds, seed=seed, reader=reader,
                         n_jobs=n_jobs)[mode]


def run_loo_modes(features: pd.DataFrame, scores: pd.DataFrame, mode_list: Sequence[str],
                  risk_scores: Sequence[str] | None = None, alpha: float = 0.05,
                  screen: Mapping[str, Sequence[str]] | pd.DataFrame | None = None,
                  inner_folds: int = 10, seed: int = 101, reader: str | None = None,
                  n_jobs: int = 1) -> dict[str, pd.DataFrame]:
    """Table 4 in several modes, all scores of all modes in one pool.

    The tasks of every mode share the ``n_jobs`` worker processes, the longest (the nested
    rigorous ones) first, so no worker waits for another mode to start; each mode's table is
    the one :func:`run_loo` gives.

    Parameters
    ----------
    features, scores, risk_scores, alpha, screen, inner_folds, seed, reader, n_jobs
        As :func:`run_loo`.
    mode_list : sequence of {"paper", "rigorous"}
        The modes, in the order of the returned mapping.

    Returns
    -------
    dict of str to DataFrame
        Mode → its Table 4 (as :func:`run_loo` returns it); each table's
        ``attrs["task_seconds"]`` holds its tasks' seconds, summed.

    Raises
    ------
    ValueError
        If a mode is unknown or a requested score is not a column of ``scores``.

    References
    ----------
    .. [1] Kim et al. *J Korean Soc Radiol* 81(3), 632 (2020) (study kim2020).
    """
    from ..parallel import pmap

    prepared = {m: _prepare_loo(features, scores, m, risk_scores, alpha, screen, inner_folds,
                                seed, reader) for m in mode_list}
    order = sorted(((m, i) for m in prepared for i in range(len(prepared[m][1]))),
                   key=lambda mi: mi[0] != "rigorous")  # longest tasks first (stable)
    done = pmap(_timed_loo_task, [prepared[m][1][i] for m, i in order], n_jobs=n_jobs,
                description=f"LOO lasso ({'/'.join(mode_list)})") if order else []
    rows: dict[str, list[dict]] = {m: [] for m in prepared}
    seconds = dict.fromkeys(prepared, 0.0)
    for (m, _), (row, secs) in zip(order, done):
        rows[m].append(row)
        seconds[m] += secs
    tables = {}
    for m, (names, _, skipped, notes) in prepared.items():
        tables[m] = _loo_table(names, rows[m], skipped, notes)
        tables[m].attrs["task_seconds"] = round(seconds[m], 2)  # the mode's tasks, summed
    return tables


def _timed_loo_task(task: tuple) -> tuple[dict, float]:
    """:func:`_loo_task` and its seconds."""
    import time

    start = time.perf_counter()
    row = _loo_task(task)
    return row, time.perf_counter() - start


def _prepare_loo(features, scores, mode, risk_scores, alpha, screen, inner_folds, seed, reader):
    """The tasks of one mode, the scores not modelled and the notes (warns as it goes)."""
    modes.check_mode(mode)
    X, S = align(features, scores, reader)
    names = list(risk_scores) if risk_scores is not None else [c for c in S.columns]
    tasks = []
    skipped: dict[str, dict] = {}
    notes: dict[str, str] = {}
    for score in names:
        if score not in S.columns:
            raise ValueError(f"risk-score table has no column {score!r}; columns: {list(S.columns)}")
        y = pd.to_numeric(S[score], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(y)
        reason = not_modelled_reason(y)
        if reason:
            msg = f"risk score {score} not modelled: {reason}"
            warnings.warn(msg, UserWarning, stacklevel=2)
            skipped[score] = {"mode": mode, "risk_score": score, "n": int(ok.sum()),
                              "adj_r2": np.nan, "p_value": np.nan, "significant": False,
                              "note": f"not modelled: {reason}"}
            continue
        if not ok.all():
            lost = [str(p) for p in X.index[~ok]]
            notes[score] = (f"{len(lost)} patient(s) without a score left out: "
                            f"{', '.join(lost[:10])}{' …' if len(lost) > 10 else ''}")
            warnings.warn(f"risk score {score}: {notes[score]}", UserWarning, stacklevel=2)
        Xs, ys = X.loc[ok], y[ok]
        selected: list[str] = []
        if mode == "paper":
            if screen is None:
                selected = screened_features(Xs, ys, alpha)
            elif isinstance(screen, pd.DataFrame):
                sub = screen[(screen["score"] == score) & (screen["p_value"] < alpha)]
                selected = sub["feature"].astype(str).tolist()
            else:
                selected = [str(f) for f in screen.get(score, [])]
            unknown = [f for f in selected if f not in set(map(str, X.columns))]
            if unknown:
                warnings.warn(f"risk score {score}: screened feature(s) not in the feature "
                              f"table ignored: {', '.join(unknown[:10])}", UserWarning,
                              stacklevel=2)
                selected = [f for f in selected if f not in unknown]
        const = [f for f in selected if np.ptp(Xs[f].to_numpy(dtype=float)) == 0]
        if const:
            msg = (f"constant feature(s) left out of the lasso: {', '.join(const[:10])}")
            notes[score] = "; ".join(x for x in (notes.get(score), msg) if x)
            warnings.warn(f"risk score {score}: {msg}", UserWarning, stacklevel=2)
            selected = [f for f in selected if f not in const]
        tasks.append((score, Xs, ys, mode, selected, alpha, inner_folds, seed))
    return names, tasks, skipped, notes


def _loo_table(names, rows, skipped, notes) -> pd.DataFrame:
    """One mode's Table 4 from its task rows, in the order of ``names``."""
    by_score = {r["risk_score"]: r for r in rows} | skipped
    out = []
    for score in names:
        r = dict(by_score[score])
        extra = notes.get(score)
        if extra:
            r["note"] = f"{r['note']}; {extra}" if r.get("note") else extra
        out.append(r)
    table = pd.DataFrame(out).reindex(columns=list(dict.fromkeys(
        ["mode", "risk_score", "n", "n_screened", "definition", "lambda_min", "k", "adj_r2",
         "p_value", "adj_r2_loo", "p_value_loo", "q2_loo", "r2", "kept", "significant", "note",
         *pd.DataFrame(out).columns])))
    if "note" not in table:
        table["note"] = None
    table["note"] = table["note"].astype(object).where(table["note"].notna(), None)
    return table
