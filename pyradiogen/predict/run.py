"""End-to-end prediction jobs for both studies, both modes side by side, written to a folder."""

from __future__ import annotations

import contextlib
import os
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import store
from .config import PredictConfig
from .modes import check_mode, feature_set_key


class StageTables(dict):
    """The tables a prediction stage wrote (name → DataFrame), with every file it wrote.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The tables, by name.
    paths : dict of str to Path
        Every file written (tables and figures; figures as their PNG), by name; kept as
        ``.paths``.
    timings : dict of str to float, optional
        Seconds per part of the stage (kept as ``.timings``; written to the manifest).
    """

    def __init__(self, tables: dict[str, pd.DataFrame], paths: dict[str, Path],
                 timings: dict[str, float] | None = None):
        super().__init__(tables)
        self.paths = paths
        self.timings = dict(timings or {})


def _figure(paths: list[Path]) -> Path:
    return next(p for p in paths if p.suffix == ".png")


def with_patient_column(table: pd.DataFrame) -> pd.DataFrame:
    """A table with a ``patient_id`` column (taken from the index when absent).

    Parameters
    ----------
    table : DataFrame
        Indexed by patient or with a ``patient_id`` column.

    Returns
    -------
    DataFrame
        With ``patient_id`` as a column.
    """
    if "patient_id" in table.columns:
        return table
    out = table.copy()
    out.index.name = "patient_id"
    return out.reset_index()


def crf_to_images(crf: pd.DataFrame, images: pd.DataFrame) -> pd.DataFrame:
    """Patient-level CRFs repeated on every image of ``images``.

    Parameters
    ----------
    crf : DataFrame
        One row per patient (``patient_id`` + features).
    images : DataFrame
        ``image_id``, ``patient_id``.

    Returns
    -------
    DataFrame
        ``image_id``, ``patient_id`` + features, one row per image of a patient with CRFs.

    Raises
    ------
    ValueError
        If no patient has both.
    """
    ids = images[["image_id", "patient_id"]]
    out = ids.merge(crf, on="patient_id", how="inner")
    if out.empty:
        raise ValueError("no patient has both CRFs and images; check the patient_id barcodes")
    return out


def cohort_images(cohort, characteristics: Sequence[str] = ("T", "N", "ER", "PR", "HER2")
                  ) -> tuple[list[np.ndarray], pd.DataFrame]:
    """Every image of a loaded cohort with its patient's labels (for the EfficientNet baseline).

    Parameters
    ----------
    cohort : Cohort
        A loaded cohort with DICOM.
    characteristics : sequence of str, default ("T", "N", "ER", "PR", "HER2")
        Clinical columns to attach.

    Returns
    -------
    images : list of ndarray
        2-D float32 pixel arrays.
    labels : DataFrame
        One row per image: ``patient_id`` and the characteristics.
    """
    imgs = cohort.images
    labels = imgs[["patient_id"]].copy()
    for ch in characteristics:
        labels[ch] = imgs["patient_id"].map(cohort.clinical[ch]).astype("Int64")
    return [cohort.pixels(i) for i in imgs.index], labels.reset_index(drop=True)


def _recorded(fn, *args, **kw):
    """Run ``fn`` recording its warnings and re-emit them.

    Run ``fn`` recording its warnings (rows left out, not-modelled results …); re-emit them
    (so the console shows them) and return ``(result, messages)`` for the manifest.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args, **kw)
    msgs = []
    for w in caught:
        if issubclass(w.category, (DeprecationWarning, FutureWarning)):
            continue
        msgs.append(str(w.message))
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return result, list(dict.fromkeys(msgs))


def run_liu2023(out_dir: str | os.PathLike, drf: pd.DataFrame, clinical: pd.DataFrame,
                crf: pd.DataFrame | None = None, targets: pd.DataFrame | None = None,
                images: Sequence[np.ndarray] | None = None,
                image_labels: pd.DataFrame | None = None,
                config: PredictConfig | None = None,
                modes: Sequence[str] | None = None,
                published: Mapping[str, Mapping] | None = None) -> StageTables:
    """Study liu2023's prediction: Fig 4d–e, Supplementary Fig 1 and Table 1, in every mode.

    Rows left out and results not modelled are in each table's ``note`` column, on the
    console and in the manifest (``warnings``). Figures go beside the tables.

    Parameters
    ----------
    out_dir : str or PathLike
        Output folder.
    drf : DataFrame
        DRF table (``image_id``, ``patient_id``, features).
    clinical : DataFrame
        Indexed by patient ID with T, N, ER, PR, HER2.
    crf : DataFrame or None, default None
        CRF36 table (may be one row per patient).
    targets : DataFrame or None, default None
        ``patient_id`` + signature scores and TIMER cell types (Supp. Fig 1).
    images : sequence of ndarray or None, default None
        2-D images for Supp. Table 1.
    image_labels : DataFrame or None, default None
        ``patient_id`` + labels per image.
    config : PredictConfig or None, default None
        ``[predict]`` section.
    modes : sequence of str or None, default None
        Modes to run (the configuration's when None).
    published : mapping or None, default None
        ``{"lasso": {(feature set, characteristic): text}, "classes": {(target, feature set,
        model): AUC}}`` for the published columns (``pyradiogen.studies.liu2023``).

    Returns
    -------
    StageTables
        The tables written, with ``.paths``.

    References
    ----------
    .. [1] Liu Q, Hu P. Radiogenomic association of deep MR imaging features with genomic
       profiles and clinical characteristics in breast cancer. *Biomark Res* 11, 9 (2023).
    """
    (res, cfg, mode_list, out), msgs = _recorded(
        _liu2023, out_dir, drf, clinical, crf, targets, images, image_labels, config, modes,
        published)
    res.paths["manifest"] = store.write_manifest(
        out, config=cfg, seeds={"predict": cfg.seed},
        extra={"study": "liu2023", "modes": mode_list, "warnings": msgs,
               "timings_s": res.timings})
    return res


def _liu2023(out_dir, drf, clinical, crf=None, targets=None, images=None, image_labels=None,
             config=None, modes=None, published=None):
    """:func:`run_liu2023` without the manifest: ``(tables, config, modes, out)``."""
    cfg = config or PredictConfig()
    mode_list = [check_mode(m) for m in (modes or cfg.modes)]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sets = {"DRF": drf} | ({"CRF": with_patient_column(crf)} if crf is not None else {})
    lasso_sets = dict(sets)
    if crf is not None and cfg.crf_image_level and "image_id" not in sets["CRF"].columns:
        lasso_sets["CRF"] = crf_to_images(sets["CRF"], drf)
    # EfficientNet trains in its own process while the lasso and class models use the rest of
    # the thread budget (it is the longest single-process part of this stage)
    start = time.perf_counter()
    eff_task = None
    if cfg.efficientnet and images is not None and image_labels is not None:
        from ..parallel import BackgroundTask

        eff_task = BackgroundTask(_efficientnet_all, images, image_labels, mode_list, cfg,
                                  threads=cfg.efficientnet_threads)
    with eff_task or contextlib.nullcontext():
        res, paths, timings = _liu2023_models(out, sets, lasso_sets, clinical, targets, cfg,
                                              mode_list, published, beside=eff_task)
        if eff_task is not None:
            waited = time.perf_counter()
            res["efficientnet"], timings["efficientnet (background process)"] = \
                eff_task.result()
            timings["waiting for efficientnet"] = time.perf_counter() - waited
            paths["efficientnet"] = store.write_frame(
                res["efficientnet"], out / "supptable1_efficientnet.csv", index=False)
    timings["stage (wall)"] = time.perf_counter() - start
    return StageTables(res, paths, _rounded(timings)), cfg, mode_list, out


def _rounded(timings: dict[str, float]) -> dict[str, float]:
    return {k: v if isinstance(v, int) else round(float(v), 2) for k, v in timings.items()}


def _efficientnet_all(images, image_labels, mode_list, cfg) -> tuple[pd.DataFrame, float]:
    """Supplementary Table 1 in every mode, and its seconds (run in a background process)."""
    from .efficientnet import run_efficientnet

    start = time.perf_counter()
    table = pd.concat([run_efficientnet(images, image_labels, mode=m,
                                       characteristics=cfg.characteristics,
                                       pretrained_weights=cfg.efficientnet_weights,
                                       frac=cfg.efficientnet_train_fraction,
                                       epochs=cfg.efficientnet_epochs,
                                       image_size=cfg.efficientnet_image_size, seed=cfg.seed,
                                       device=cfg.efficientnet_device,
                                       threads=cfg.efficientnet_threads)
                      for m in mode_list], ignore_index=True)
    return table, time.perf_counter() - start


def _liu2023_models(out, sets, lasso_sets, clinical, targets, cfg, mode_list, published=None,
                    beside=None
                    ) -> tuple[dict[str, pd.DataFrame], dict[str, Path], dict[str, float]]:
    """The lasso paths and class models of study liu2023.

    The lasso paths (Fig 4d–e) and class models (Supplementary Fig 1) of study 1: tables,
    written paths by name, and seconds per part (the tasks' own times summed per group, and
    the pool's wall time). While ``beside`` (a :class:`~pyradiogen.parallel.BackgroundTask`
    holding cores of the budget) runs, tasks run one at a time in this process; the rest go
    to a pool of the whole budget once it has finished.
    """
    from ..parallel import pmap
    from .classes import _classes_result, _classes_tasks
    from .figures import plot_auc_vs_features, plot_mode_comparison, plot_roc_curves
    from .lasso import _lasso_result, _lasso_tasks

    # every lasso and class-model task of every mode and feature set in one pool, the longest
    # first, so that no worker waits at the end of one group for the next to start
    groups: list[tuple[str, str, str, list]] = []
    for mode in mode_list:
        for name, table in lasso_sets.items():
            groups.append(("lasso", mode, name, _lasso_tasks(
                table, clinical, mode, cfg.characteristics, name, cfg.nlambda,
                cfg.lasso_train_fraction, cfg.seed, cfg.cv_folds, cfg.outer_folds,
                (published or {}).get("lasso"))))
    if targets is not None:
        for mode in mode_list:
            for name, table in sets.items():
                perms = ((cfg.selection_permutations_rigorous or cfg.selection_permutations)
                         if mode == "rigorous" else cfg.selection_permutations)
                groups.append(("classes", mode, name, _classes_tasks(
                    table, with_patient_column(targets), name, mode, perms,
                    cfg.classes_train_fraction, cfg.outer_folds, cfg.classifyr_version,
                    cfg.selection_threshold, cfg.models, cfg.seed,
                    (published or {}).get("classes"))))
    flat = [(g, i) for g, (_, _, _, tasks) in enumerate(groups) for i in range(len(tasks))]
    flat.sort(key=lambda gi: -_model_cost(*groups[gi[0]][:3]))  # stable: ties keep order
    t0 = time.perf_counter()
    items = [(groups[g][0], groups[g][3][i]) for g, i in flat]
    done: list = []
    while beside is not None and len(done) < len(items) and not beside.done():
        done += pmap(_model_task, items[len(done):len(done) + 1], n_jobs=1,
                     description="lasso and class models (beside the background task)")
    n_beside = len(done)
    done += pmap(_model_task, items[len(done):], n_jobs=cfg.n_jobs,
                 description="lasso and class models")
    timings: dict[str, float] = {"lasso and class models (pool, wall)": time.perf_counter() - t0}
    if beside is not None:
        timings["model tasks run beside the background task"] = n_beside
    results: list[list] = [[None] * len(tasks) for *_, tasks in groups]
    for (g, i), (r, secs) in zip(flat, done):
        results[g][i] = r
        kind, mode, name, _ = groups[g]
        key = f"{kind} {name} {mode} (sum of tasks)"
        timings[key] = timings.get(key, 0.0) + secs
    res: dict[str, pd.DataFrame] = {}
    curves, summaries, preds = [], [], []
    summ, rocs = [], []
    for (kind, mode, name, _), rs in zip(groups, results):
        if kind == "lasso":
            r = _lasso_result(rs)
            curves.append(r.curves)
            summaries.append(r.table)
            preds.append(r.predictions)
        else:
            r = _classes_result(rs, name, mode, cfg.models)
            summ.append(r.table)
            rocs.append(r.roc)
    res["lasso_curves"] = pd.concat(curves, ignore_index=True)
    res["lasso_summary"] = pd.concat(summaries, ignore_index=True)
    paths: dict[str, Path] = {}
    paths["lasso_curves"] = store.write_frame(res["lasso_curves"], out / "fig4de_lasso_curves.csv",
                                              index=False)
    paths["lasso_summary"] = store.write_frame(res["lasso_summary"],
                                               out / "fig4de_lasso_summary.csv", index=False)
    paths["lasso_predictions"] = store.write_frame(pd.concat(preds, ignore_index=True),
                                                   out / "fig4de_lasso_predictions.csv",
                                                   index=False)
    paths["auc_vs_features"] = _figure(plot_auc_vs_features(res["lasso_curves"],
                                                            out / "fig4de_auc_vs_features"))
    paths["f1_vs_features"] = _figure(plot_auc_vs_features(
        res["lasso_curves"], out / "fig4de_f1_vs_features", metric="f1"))
    lab = res["lasso_summary"].assign(label=lambda d: d["feature_set"] + " " + d["characteristic"])
    paths["lasso_paper_vs_rigorous"] = _figure(plot_mode_comparison(
        lab, out / "fig4de_paper_vs_rigorous", "label"))

    if targets is not None:
        res["classes_summary"] = pd.concat(summ, ignore_index=True)
        res["classes_roc"] = pd.concat(rocs, ignore_index=True)
        paths["classes_summary"] = store.write_frame(
            res["classes_summary"], out / "suppfig1_classes_summary.csv", index=False)
        paths["classes_roc"] = store.write_frame(res["classes_roc"],
                                                 out / "suppfig1_classes_roc.csv", index=False)
        paths["classes_roc_curves"] = _figure(plot_roc_curves(
            res["classes_roc"], res["classes_summary"], out / "suppfig1_roc"))
    return res, paths, timings


def _model_cost(kind: str, mode: str, feature_set: str) -> float:
    """Expected seconds of one task of a group, for ordering the pool (longest first).

    Measured per task on the 110-patient demo (``timings_s`` of the stage's manifest, idle
    2-core machine): the rigorous class models on CRFs cost most, the paper-mode lasso
    least. Only the order of the tasks depends on these, never a result.
    """
    seconds = {("classes", "rigorous", "CRF"): 16.9, ("lasso", "rigorous", "DRF"): 8.8,
               ("classes", "paper", "CRF"): 7.1, ("classes", "rigorous", "DRF"): 5.6,
               ("lasso", "rigorous", "CRF"): 4.7, ("classes", "paper", "DRF"): 3.9,
               ("lasso", "paper", "DRF"): 1.3, ("lasso", "paper", "CRF"): 1.1}
    return seconds.get((kind, mode, feature_set_key(feature_set)), 1.0)


def _model_task(task: tuple[str, Any]) -> Any:
    """One lasso or class-model task and its seconds (module level so workers can run it)."""
    from .classes import _classes_target
    from .lasso import _lasso_one

    kind, item = task
    start = time.perf_counter()
    out = _lasso_one(item) if kind == "lasso" else _classes_target(item)
    return out, time.perf_counter() - start


def run_kim2020(out_dir: str | os.PathLike, features: pd.DataFrame, risk_scores: pd.DataFrame,
                screen: pd.DataFrame | None = None, config: PredictConfig | None = None,
                modes: Sequence[str] | None = None,
                published: Mapping[str, tuple[float | None, str]] | None = None
                ) -> StageTables:
    """Study kim2020's Table 4 in every mode, with the published values beside ours.

    A risk score that cannot be modelled gets a row with ``note`` ``not modelled: …``;
    patients left out are named in ``note``, on the console and in the manifest.

    Parameters
    ----------
    out_dir : str or PathLike
        Output folder.
    features : DataFrame
        pyradiomics CRFs.
    risk_scores : DataFrame
        Risk scores per patient.
    screen : DataFrame or None, default None
        Spearman screen table (``score``, ``feature``, ``p_value``).
    config : PredictConfig or None, default None
        ``[predict]`` section.
    modes : sequence of str or None, default None
        Modes to run.
    published : mapping or None, default None
        Risk score → (adjusted R², p as printed; None = not significant), e.g.
        ``pyradiogen.studies.kim2020.PUBLISHED_TABLE4``.

    Returns
    -------
    StageTables
        ``{"table4": …}`` with ``.paths``.

    References
    ----------
    .. [1] Kim et al. *J Korean Soc Radiol* 81(3), 632 (2020) (study kim2020).
    """
    (res, cfg, mode_list, out), msgs = _recorded(_kim2020, out_dir, features, risk_scores,
                                                 screen, config, modes, published)
    res.paths["manifest"] = store.write_manifest(
        out, config=cfg, seeds={"predict": cfg.seed},
        extra={"study": "kim2020", "modes": mode_list, "warnings": msgs,
               "timings_s": res.timings})
    return res


def _kim2020(out_dir: str | os.PathLike, features: pd.DataFrame, risk_scores: pd.DataFrame,
             screen: pd.DataFrame | None = None, config: PredictConfig | None = None,
             modes: Sequence[str] | None = None, published=None):
    from .figures import plot_mode_comparison
    from .loo import run_loo_modes

    cfg = config or PredictConfig()
    mode_list = [check_mode(m) for m in (modes or cfg.modes)]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    scores = with_patient_column(risk_scores)
    t0 = time.perf_counter()
    tabs = run_loo_modes(with_patient_column(features), scores, mode_list, alpha=cfg.loo_alpha,
                         screen=screen, inner_folds=cfg.loo_inner_folds, seed=cfg.seed,
                         n_jobs=cfg.n_jobs)
    timings = {"LOO lasso (pool, wall)": round(time.perf_counter() - t0, 2)}
    timings |= {f"LOO lasso {m} (sum of tasks)": t.attrs.get("task_seconds", float("nan"))
                for m, t in tabs.items()}
    table = pd.concat(list(tabs.values()), ignore_index=True)
    ref = published or {}
    table["published_adj_r2"] = table["risk_score"].map(lambda s: ref.get(s, (None, None))[0])
    table["published_p_value"] = table["risk_score"].map(lambda s: ref.get(s, (None, None))[1])
    paths = {"table4": store.write_frame(table, out / "table4_loo_lasso.csv", index=False),
             "table4_paper_vs_rigorous": _figure(plot_mode_comparison(
                 table, out / "table4_paper_vs_rigorous", "risk_score", value="adj_r2",
                 ylabel="adjusted R²"))}
    return StageTables({"table4": table}, paths, timings), cfg, mode_list, out
