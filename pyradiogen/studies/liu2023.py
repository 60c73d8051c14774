"""Study liu2023: Liu & Hu (2023), *Biomarker Research* 11:9.

Study 1 — Liu & Hu 2023, Biomarker Research 11:9: deep radiomic features of breast DCE-MRI
and their associations with genomic features.

Stages (``replicate`` runs those whose inputs the cohort holds; ``pyradiogen validate DIR``
lists them):

=====================  ==================================================  =====================
stage                  reads                                               package
=====================  ==================================================  =====================
liu2023-cohort         expression, clinical?, dicom?                       cohort (:func:`assemble`)
liu2023-genomics       expression, genes?, risk_genes?, genesets?          genomics
liu2023-pam50          signatures, clinical, a downloaded (non-demo) cohort genomics.subtypes
liu2023-drf            dicom, liu2023_images                               drf
liu2023-associate      drfs_qn | crf36, signatures, ssgsea, risk_genes?    associate
liu2023-predict        drfs_qn, signatures, clinical, dicom, crf36?, timer?  predict
liu2023-explore        drfs_qn | crf36, clinical                           explore
=====================  ==================================================  =====================

The published numbers of the paper, its constants (the six signatures used as GFs) and its
exclusion rules (:func:`assemble`) live here and nowhere else.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import store
from ..cohort.assemble import (
    StudyCohort,
    accepted_vendors,
    flow,
    scanner_ok,
    scanner_rule,
    select_images,
    selected_exams,
    series_status,
    table1,
)
from ..replicate.stage import Artefacts, Stage, StageContext, Study

NAME = "liu2023"
TITLE = "Liu & Hu 2023"
CITATION = "Liu & Hu 2023, Biomarker Research 11:9"

#: column of ``compute_signatures`` → the paper's name: the six signatures used as GFs
SIGNATURES = {
    "oncotypedx": "OncotypeDX", "endoPredict": "EndoPredict", "rorS": "Prosigna rorS",
    "gene70": "MammaPrint gene70", "genius": "GENIUS", "pik3cags": "PIK3CA-GS",
}
SIGNATURES_STUDY1 = SIGNATURES
#: GF type → the class name used in the association summaries
GF_CLASSES = {"risk_gene": "risk genes", "signature": "signatures", "kegg": "KEGG"}

# ---------------------------------------------------------------- published numbers

#: Table 1 (110 women): (characteristic, level) → value as printed
PUBLISHED_TABLE1 = {
    ("Patients", "n"): "110", ("Age", "range"): "29–82", ("Age", "mean"): "53.76",
    ("Age", "SD"): "12.07", ("T (>2 cm)", "positive"): "70", ("T (>2 cm)", "negative"): "40",
    ("N", "positive"): "54", ("N", "negative"): "56", ("ER", "positive"): "86",
    ("ER", "negative"): "24", ("PR", "positive"): "77", ("PR", "negative"): "33",
    ("HER2", "positive"): "21", ("HER2", "negative"): "78", ("HER2", "NA"): "11",
}

#: the association counts of the text and Fig 5
PUBLISHED_ASSOCIATION = {
    "DRFs associated with risk genes": 1774,
    "risk genes associated (of 288)": 213,
    "DRFs associated with EndoPredict": 848,
    "DRFs associated with rorS": 1395,
    "DRFs associated with KEGG pathways": 1739,
    "KEGG pathways associated (of 182)": 166,
    "DRFs associated with any GF": 2028,
    "GFs associated with any DRF": 381,
    "CRFs associated with risk genes": 14,
    "risk genes associated with CRFs": 8,
    "CRFs associated with signatures": 0,
    "CRFs associated with pathways": 0,
    "top DRF": "fea_4043",
    "top DRF kernel": 16,
    "top DRF GFs": 146,
}

#: Table 2: significant DRF–GF pairs per kernel (risk genes, signatures, KEGG, total)
PUBLISHED_TABLE2 = pd.DataFrame(
    [
        (13, 3251, 227, 7848, 11326), (14, 3374, 208, 7423, 11005),
        (15, 3039, 190, 6776, 10005), (16, 3093, 178, 6650, 9921),
        (12, 2510, 203, 6853, 9566), (11, 2176, 194, 5934, 8304),
        (10, 2045, 185, 5307, 7537), (9, 1964, 183, 4706, 6853),
        (8, 1852, 163, 3988, 6003), (7, 1358, 118, 2752, 4228),
        (6, 725, 85, 1601, 2411), (5, 577, 75, 1399, 2051),
        (1, 654, 59, 1158, 1871), (4, 496, 67, 961, 1524),
        (2, 358, 56, 890, 1304), (3, 384, 52, 793, 1229),
    ],
    columns=["paper_block", "risk_genes", "signatures", "kegg", "total"],
)

#: Table 3: top GFs, their significant DRFs and top-5 kernels
PUBLISHED_TABLE3 = pd.DataFrame(
    [
        ("RP11-57H14.3", "risk gene", 1118, "13,14,15,12,16"),
        ("FIBP", "risk gene", 1050, "13,14,15,10,11"),
        ("ATP6AP1L", "risk gene", 1038, "13,14,16,10,15"),
        ("OVOL1", "risk gene", 1019, "13,14,10,16,11"),
        ("RP11-400F19.8", "risk gene", 1017, "13,14,16,12,15"),
        ("EndoPredict", "signature", 848, "13,14,12,15,11"),
        ("Prosigna rorS", "signature", 1395, "13,14,12,11,10"),
        ("Fatty acid metabolism", "KEGG", 1269, "12,10,11,13,9"),
        ("Insulin signaling", "KEGG", 1243, "13,12,11,14,10"),
        ("Phenylalanine metabolism", "KEGG", 1217, "12,13,10,9,11"),
        ("RNA degradation", "KEGG", 1211, "12,13,11,14,15"),
        ("Tyrosine metabolism", "KEGG", 1205, "12,9,10,11,13"),
    ],
    columns=["gf", "type", "significant_drfs", "top5_kernels"],
)

#: Fig 4a–c: clusters and Fisher tests
PUBLISHED_CLUSTERING = {
    "hierarchical clusters": "2 (14 and 96 patients)",
    "Fisher tests, clusters vs clinical": "all P > 0.05",
    "t-SNE visible clusters": 5,
    "t-SNE Fisher tests": "all P > 0.05",
}

#: Fig 4d–e (given qualitatively only): (feature set, characteristic) → result
PUBLISHED_LASSO: dict[tuple[str, str], str] = {
    **{("DRF", c): "AUC >= 0.90" for c in ("T", "N", "ER", "PR", "HER2")},
    ("CRF", "T"): "good", ("CRF", "ER"): "good", ("CRF", "N"): "AUC < 0.8",
    ("CRF", "PR"): "AUC < 0.8", ("CRF", "HER2"): "AUC < 0.8",
}

# AUCs in the legends of the authors' Supplementary Fig 1 plots (DNN&XGboost.R), by (target,
# feature set, model); the paper itself gives no numbers for this figure.
_SIG = ("endo", "pik3cags", "gene70", "genius", "oncotypedx", "rors")
_TIL = ("bcell", "cd4t", "cd8t", "neutrophil", "macrophage", "dendritic")
_LEGENDS = {
    ("DRF", "xgboost"): (_SIG, (0.73, 0.62, 0.63, 0.70, 0.64, 0.60)),
    ("CRF", "xgboost"): (_SIG, (0.55, 0.54, 0.56, 0.55, 0.58, 0.59)),
    ("DRF", "nnet"): (_SIG, (0.81, 0.62, 0.65, 0.79, 0.75, 0.79)),
    ("CRF", "nnet"): (_SIG, (0.77, 0.54, 0.56, 0.55, 0.58, 0.59)),
    ("DRF", "xgboost", "til"): (_TIL, (0.70, 0.68, 0.60, 0.54, 0.71, 0.70)),
    ("CRF", "xgboost", "til"): (_TIL, (0.55, 0.66, 0.61, 0.55, 0.59, 0.55)),
    ("DRF", "nnet", "til"): (_TIL, (0.91, 0.76, 0.64, 0.61, 0.63, 0.63)),
    ("CRF", "nnet", "til"): (_TIL, (0.61, 0.66, 0.61, 0.58, 0.60, 0.63)),
}
#: Supplementary Fig 1: (target key, feature set, model) → AUC (see ``predict.classes``)
PUBLISHED_SUPPFIG1_AUC: dict[tuple[str, str, str], float] = {
    (t, key[0], key[1]): v for key, (targets, vals) in _LEGENDS.items()
    for t, v in zip(targets, vals)
}
#: what ``predict.run_liu2023(published=…)`` takes
PUBLISHED_PREDICTION = {"lasso": PUBLISHED_LASSO, "classes": PUBLISHED_SUPPFIG1_AUC}


# ---------------------------------------------------------------- exclusion rules

def assemble(c: Any, post_phase: int | str | None = None,
             manufacturer: str | list[str] | None = None,
             field_strength: float | str | None = None, max_slices: int | None = None
             ) -> StudyCohort:
    """Study liu2023's cohort: exclusions with counts, the images used and Table 1.

    Exclusion steps, in order: no DCE exam whose phases could be ordered; no exam from an
    accepted scanner; the exam lacks ``post_phase``; no matched RNA-seq; no clinical data. A
    cohort without images starts from the patients with RNA-seq; the image rules are listed
    as not applied and no image is selected.

    Parameters
    ----------
    c : Cohort
        A loaded cohort.
    post_phase : int, "last" or None, default None
        DCE phase (1 = first post-contrast); ``[liu2023]`` of cohort.toml when None.
    manufacturer : str, list of str or None, default None
        Accepted vendor(s) or ``"any"`` (cohort.toml's, GE by default).
    field_strength : float, str or None, default None
        Tesla or ``"any"`` (cohort.toml's, 1.5 by default).
    max_slices : int or None, default None
        Slices kept around the middle of the phase (all by default).

    Returns
    -------
    StudyCohort
        Patients, images, flowchart, Table 1; ``extra`` holds the rule, the unordered exams
        and ``series_status`` (series UID → kept or why excluded).

    References
    ----------
    .. [1] Liu Q, Hu P. Radiogenomic association of deep MR imaging features with genomic
       profiles and clinical characteristics in breast cancer. *Biomark Res* 11, 9 (2023).
    """
    cfg = c.manifest.liu2023
    post_phase = cfg["post_phase"] if post_phase is None else post_phase
    if post_phase != "last":
        post_phase = int(post_phase)
    manufacturer = cfg["manufacturer"] if manufacturer is None else manufacturer
    field_strength = cfg["field_strength"] if field_strength is None else field_strength
    if str(field_strength) != "any":
        field_strength = float(field_strength)
    rule = scanner_rule(manufacturer, field_strength)
    has_clin = c.manifest.path("clinical") is not None
    extra: dict[str, Any] = {"post_phase": post_phase, "phase": post_phase,
                             "manufacturer": manufacturer, "field_strength": field_strength,
                             "scanner_rule": rule}
    if not c.has_images:
        steps: list[tuple[str, set[str] | None]] = [
            (f"DCE exam, {rule} scanner and post-contrast phase {post_phase}: not applied "
             "(the cohort has no images)", None)]
        if has_clin:
            steps.append(("no clinical data", set(c.clinical.index)))
        fl, keep = flow(steps, c.expression_patients, start_label="patients with RNA-seq")
        tab = table1(c.clinical.loc[keep], PUBLISHED_TABLE1) if has_clin else pd.DataFrame(
            columns=["characteristic", "level", "value"])
        images = pd.DataFrame(columns=["patient_id"], index=pd.Index([], name="image_id"))
        extra.update(unordered_exams=[], series_status={}, images=False,
                     images_per_patient={"min": 0, "max": 0, "mean": np.nan})
        return StudyCohort("study1", keep, images, fl, tab, extra=extra)
    ex = c.exams
    ordered = ex[ex["ordered"] & ex["n_phases"].ge(2)] if len(ex) else ex
    scan_ok = ordered[scanner_ok(ordered, manufacturer, field_strength)] if len(ordered) \
        else ordered
    series = selected_exams(c, manufacturer, field_strength, post_phase)
    steps = [("no DCE exam", set(ordered["patient_id"]))]
    if accepted_vendors(manufacturer) is not None or str(field_strength) != "any":
        steps.append((f"no {rule} DCE exam", set(scan_ok["patient_id"])))
    if post_phase != "last":
        steps.append((f"no post-contrast phase {post_phase}", set(series.index)))
    steps.append(("no matched RNA-seq", set(c.expression_patients)))
    if has_clin:
        steps.append(("no clinical data", set(c.clinical.index)))
    fl, keep = flow(steps, c.patients)
    series = series.loc[keep]
    if max_slices is None and cfg.get("max_slices"):
        max_slices = int(cfg["max_slices"])
    images = select_images(c, series, post_phase, max_slices)
    tab = table1(c.clinical.loc[keep], PUBLISHED_TABLE1) if has_clin else pd.DataFrame(
        columns=["characteristic", "level", "value"])
    per = images.groupby("patient_id").size()
    unordered = ex[~ex["ordered"]] if len(ex) else ex
    extra.update(unordered_exams=[{"exam_id": r.exam_id, "patient_id": r.patient_id,
                                   "reason": r.note} for r in unordered.itertuples()],
                 series_status=series_status(c, fl, series, images),
                 images_per_patient={"min": int(per.min()) if len(per) else 0,
                                     "max": int(per.max()) if len(per) else 0,
                                     "mean": float(per.mean()) if len(per) else np.nan})
    return StudyCohort("study1", keep, images, fl, tab, series=series, extra=extra)


# ---------------------------------------------------------------- named inputs

def patients(art: Artefacts) -> list[str]:
    """Study liu2023's patients (the ``liu2023_patients`` result).

    Parameters
    ----------
    art : Artefacts
        The run's named results.

    Returns
    -------
    list of str
        Patient IDs.
    """
    return list(art.json("liu2023_patients")["patients"])


def gf_table(art: Artefacts) -> pd.DataFrame:
    """Study liu2023's GFs: risk genes, the six signatures and KEGG pathways.

    Parameters
    ----------
    art : Artefacts
        The run's named results.

    Returns
    -------
    DataFrame, shape (n_patients, n_gfs)
        Indexed by patient.
    """
    parts = []
    if art.path("risk_genes") is not None:
        parts.append(art.frame("risk_genes", index_col=0))
    parts.append(art.frame("signatures", index_col=0)[list(SIGNATURES)])
    parts.append(art.frame("ssgsea", index_col=0))
    gf = pd.concat(parts, axis=1).copy()
    gf.index.name = "patient_id"
    return gf


def gf_types(art: Artefacts) -> dict[str, str]:
    """Each GF's class: ``risk_gene``, ``signature`` or ``kegg``.

    Parameters
    ----------
    art : Artefacts
        The run's named results.

    Returns
    -------
    dict of str to str
        GF → class.
    """
    types: dict[str, str] = {}
    if art.path("risk_genes") is not None:
        types.update({g: "risk_gene" for g in art.frame("risk_genes", index_col=0)})
    types.update({s: "signature" for s in SIGNATURES})
    types.update({k: "kegg" for k in art.frame("ssgsea", index_col=0, nrows=1)})
    return types


def crf36_table(ctx: StageContext) -> pd.DataFrame | None:
    """Study liu2023's 36 conventional features as a feature table (one row per patient).

    Parameters
    ----------
    ctx : StageContext
        The running stage.

    Returns
    -------
    DataFrame or None
        ``image_id`` (= patient), ``patient_id``, the 36 features; None without CRF36.
    """
    crf = ctx.cohort().crf36
    if crf is None:
        return None
    crf = crf.copy()
    crf = crf.loc[crf.index.intersection(patients(ctx.inputs))]
    out = crf.reset_index().rename(columns={crf.index.name or "index": "patient_id"}).copy()
    out.insert(0, "image_id", out["patient_id"])
    return out


def _fisher_method_note(fisher: pd.DataFrame | None) -> str:
    """The caption's word on p-values that are not exact (large cohorts) or degenerate."""
    if fisher is None:
        return ""
    note = ""
    if "method" in fisher.columns:
        mc = fisher["method"].astype(str).str.startswith("Monte Carlo")
        if mc.any():
            note += (f" {int(mc.sum())} of {len(fisher)} p-values are Monte Carlo estimates "
                     "(column method): no exact algorithm, R's included, fits those tables in "
                     "memory; the smallest such p is 1/(B + 1).")
    if "degenerate" in fisher.columns:
        deg = fisher["degenerate"].astype(str).str.lower() == "true"
        if deg.any():
            which = sorted(set(fisher.loc[deg, "features"].astype(str) + " "
                               + fisher.loc[deg, "clusters"].astype(str)))
            note += (f" Degenerate: {int(deg.sum())} test(s) ({'; '.join(which)}) have a "
                     "cluster of one patient, so their p-values only restate that patient's "
                     "status (column degenerate).")
    return note


def predict_config(ctx: StageContext) -> Any:
    """The ``[predict]`` section as ``replicate`` runs it (modes, rigorous-mode sizes, EfficientNet on).

    Parameters
    ----------
    ctx : StageContext
        The running stage.

    Returns
    -------
    PredictConfig
        A copy with the run's settings.
    """
    pcfg = ctx.section("predict")
    rcfg = ctx.section("replicate")
    return dataclasses.replace(
        pcfg, modes=list(ctx.options["modes"]),
        selection_permutations_rigorous=(pcfg.selection_permutations_rigorous
                                         or rcfg.classes_permutations_rigorous),
        n_jobs=max(pcfg.n_jobs, rcfg.n_jobs),
        loo_inner_folds=min(pcfg.loo_inner_folds, rcfg.loo_inner_folds_rigorous),
        efficientnet=True, efficientnet_epochs=rcfg.efficientnet_epochs,
        efficientnet_image_size=rcfg.efficientnet_image_size)


# ---------------------------------------------------------------- stage adapters

def _cohort(ctx: StageContext) -> dict[str, Path]:
    s = assemble(ctx.cohort(), **ctx.section("cohort").liu2023_kwargs())
    d = ctx.dir
    return {"liu2023_table1": store.write_frame(s.table1, d / "table1.csv", index=False),
            "liu2023_flowchart": store.write_frame(s.flowchart, d / "flowchart.csv",
                                                   index=False),
            "liu2023_images": store.write_frame(s.images, d / "images.csv"),
            "liu2023_patients": store.write_json(d / "patients.json",
                                                 {"patients": list(s.patients),
                                                  "extra": s.extra})}


def _genomics(ctx: StageContext) -> dict[str, Path]:
    from ..genomics.stage import stage

    p = stage(ctx.cohort(), ctx.dir, ctx.section("genomics"), study="liu2023")
    out = {"signatures": p["signatures"], "ssgsea": p["ssgsea"],
           "expression_log2": p["expression"], "risk_note": p["risk_note"],
           "liu2023_genomics": p["genomics"]}
    if "risk_genes" in p:
        out["risk_genes"] = p["risk_genes"]
    return out


def _genomics_deviations(ctx: StageContext) -> list[str]:
    out = []
    if not ctx.has("risk_genes"):
        out.append("Study 1's 288 risk genes are not public and no risk-gene list was given: "
                   "the risk-gene association was not run.")
    elif ctx.is_demo:
        out.append("Risk genes: the demo cohort's synthetic risk panel stands in for study 1's "
                   "unpublished 288-gene list.")
    from ..genomics.stage import oncotypedx_clamp_note

    genomics = ctx.json("liu2023_genomics") or {}
    prep = genomics.get("preparation", {})
    if prep.get("note"):
        out.append(f"Expression (study 1): {prep['note']}.")
    return out + oncotypedx_clamp_note(genomics, "study liu2023")


def _pam50(ctx: StageContext) -> dict[str, Path]:
    from ..genomics.subtypes import stage

    sig = ctx.frame("signatures", index_col=0)
    p = stage(sig["pam50_subtype"], ctx.cohort().clinical["pam50"], ctx.dir)
    return {"pam50_agreement": p["agreement"], "pam50_confusion": p["confusion"]}


def _drf(ctx: StageContext) -> dict[str, Path]:
    from ..drf.stage import stage

    images = ctx.frame("liu2023_images", index_col=0)
    dcfg = ctx.section("drf")
    epochs = ctx.section("replicate").drf_epochs
    if epochs is not None:
        dcfg = dataclasses.replace(dcfg, epochs=epochs)
    r = stage(ctx.cohort(), images, ctx.dir, dcfg, seed=ctx.config.seed,
              title=f"{ctx.config.preset} preset")
    return {"drfs": r["drfs"], "drfs_qn": r["drfs_qn"], "drfs_qn_patient": r["drfs_qn_patient"],
            "drf_model": r["model"], "drf_training": r["training"],
            "liu2023_drf_loss_history": r["loss_history"],
            "liu2023_fig3_kernel_maps": r["kernel_maps"], "liu2023_fig3_density": r["density"],
            "liu2023_drf_loss_curves": r["loss_curves"]}


def association_summary(overview: dict[str, Any]) -> pd.DataFrame:
    """The paper's association counts, computed from each scan's overview.

    Parameters
    ----------
    overview : dict
        :meth:`AssociationResult.overview` per feature set.

    Returns
    -------
    DataFrame
        One ``value`` per count (indexed by ``count``).
    """
    rows: dict[str, Any] = {}
    for label in ("DRF", "CRF"):
        classes = overview.get(label, {}).get("classes", {})
        for cls, name in (("risk genes", "risk genes"), ("signatures", "signatures"),
                          ("KEGG", "KEGG pathways")):
            c = classes.get(cls)
            if c is None:
                continue
            rows[f"{label}s associated with {name}"] = c.get("n_features_with_gf")
            rows[f"{name} associated with {label}s"] = c.get("n_gfs_with_feature")
        if label in overview:
            rows[f"{label}s associated with any GF"] = overview[label]["n_features_any"]
            rows[f"GFs associated with any {label}"] = overview[label]["n_gfs_any"]
    top = overview.get("top_drf") or {}
    if top:
        rows["top DRF"] = top.get("feature")
        rows["top DRF kernel"] = top.get("paper_block")
        rows["top DRF GFs"] = top.get("total")
    return pd.DataFrame({"value": list(rows.values())}, index=pd.Index(list(rows), name="count"))


def _associate(ctx: StageContext) -> dict[str, Path]:
    import shutil

    from ..associate import summary
    from ..associate.stage import stage

    d = ctx.dir
    gf = gf_table(ctx.inputs).reset_index()
    gf_class = {g: GF_CLASSES[t] for g, t in gf_types(ctx.inputs).items()}
    acfg = ctx.section("associate")
    sets = []
    if ctx.has("drfs_qn"):
        sets.append(("drf", pd.read_parquet(ctx.path("drfs_qn"))))
    crf = crf36_table(ctx)
    if crf is not None:
        sets.append(("crf", crf))
    out: dict[str, Path] = {}
    overview: dict[str, Any] = {}
    for label, feats in sets:
        res, paths = stage(feats, gf, d / label, gf_class=gf_class, label=label.upper(),
                           engine=ctx.options["engine"], preset=ctx.config.preset,
                           n_jobs=ctx.section("replicate").n_jobs, backend=acfg.backend,
                           alpha=acfg.alpha, blocks_dir=d / f"{label}_blocks",
                           config=ctx.config.to_dict())
        out[f"associations_{label}"] = paths["associations"]
        overview[label.upper()] = summary.overview(res)
        if label == "drf":
            top = summary.per_feature(res)
            overview["top_drf"] = top.iloc[0].to_dict() if len(top) else {}
        for key, name in (("table2", "liu2023_table2_kernels"),
                          ("table3", "liu2023_table3_top_gfs"),
                          ("fig5e", "liu2023_fig5e_top30_drfs"), ("fig5f", "liu2023_fig5f_crfs")):
            if key in paths and (key.startswith("fig5") or label == "drf"):
                out[name] = paths[key]
        for key, p in paths.items():
            if key.endswith(".png"):
                out[f"liu2023_{label}_figures/{Path(key).stem}"] = p
        shutil.rmtree(d / f"{label}_blocks" / "blocks", ignore_errors=True)  # scan written
    out["liu2023_association_overview"] = store.write_json(d / "overview.json", overview)
    out["liu2023_association_summary"] = store.write_frame(association_summary(overview),
                                                           d / "association_summary.csv")
    return out


def _predict(ctx: StageContext) -> dict[str, Path]:
    from ..predict.run import cohort_images, run_liu2023

    c = ctx.cohort()
    pcfg = predict_config(ctx)
    rcfg = ctx.section("replicate")
    targets = pd.concat([ctx.frame("signatures", index_col=0)[list(SIGNATURES)], c.timer],
                        axis=1, join="inner")
    targets.index.name = "patient_id"
    images = labels = None
    if pcfg.efficientnet:
        images, labels = cohort_images(c)
        keep = labels["patient_id"].isin(patients(ctx.inputs)).to_numpy()
        idx = [i for i, k in enumerate(keep) if k][: rcfg.efficientnet_max_images]
        images = [images[i] for i in idx]
        labels = labels.iloc[idx].reset_index(drop=True)
    crf = crf36_table(ctx)
    if crf is not None:
        crf = crf.drop(columns=["image_id"]).set_index("patient_id")
    res = run_liu2023(ctx.dir, drf=pd.read_parquet(ctx.path("drfs_qn")), clinical=c.clinical,
                      crf=crf, targets=targets, images=images, image_labels=labels,
                      config=pcfg, published=PUBLISHED_PREDICTION)
    names = {"lasso_curves": "liu2023_fig4de_lasso_curves",
             "lasso_summary": "liu2023_fig4de_lasso_summary",
             "lasso_predictions": "liu2023_fig4de_lasso_predictions",
             "auc_vs_features": "liu2023_fig4de_auc_vs_features",
             "f1_vs_features": "liu2023_fig4de_f1_vs_features",
             "lasso_paper_vs_rigorous": "liu2023_fig4de_paper_vs_rigorous",
             "classes_summary": "liu2023_suppfig1_classes_summary",
             "classes_roc": "liu2023_suppfig1_classes_roc",
             "classes_roc_curves": "liu2023_suppfig1_roc",
             "efficientnet": "liu2023_supptable1_efficientnet"}
    return {names[k]: p for k, p in res.paths.items() if k in names}


def _predict_deviations(ctx: StageContext) -> list[str]:
    pcfg = predict_config(ctx)
    rcfg = ctx.section("replicate")
    weights = pcfg.efficientnet_weights or "none (no local ImageNet weights file given)"
    out = [f"EfficientNet-B0 baseline: {pcfg.efficientnet_epochs} epoch(s) at "
           f"{pcfg.efficientnet_image_size}×{pcfg.efficientnet_image_size} on at most "
           f"{rcfg.efficientnet_max_images} images, pre-trained weights: {weights} "
           "(the paper: 100 epochs at 224×224 with and without ImageNet weights; set "
           "[replicate] efficientnet_* and [predict] efficientnet_weights to run it in full)."]
    if "rigorous" in ctx.options["modes"]:
        out.append("Rigorous mode repeats the ClassifyR-style selection inside every outer fold "
                   f"with {pcfg.selection_permutations_rigorous} permutations (paper mode: 100).")
    return out


def _explore(ctx: StageContext) -> dict[str, Path]:
    from ..explore.pipeline import run_explore

    c = ctx.cohort()
    keep = patients(ctx.inputs)
    sets: dict[str, pd.DataFrame] = {}
    if ctx.has("drfs_qn"):
        sets["drf"] = pd.read_parquet(ctx.path("drfs_qn"))
    crf = crf36_table(ctx)
    if crf is not None:
        sets["crf"] = crf
    res = run_explore(sets, c.clinical.loc[c.clinical.index.intersection(keep)], ctx.dir,
                      expression=None, config=ctx.section("explore"), seed=ctx.config.seed)
    out: dict[str, Path] = {}
    fisher = []
    for label in sets:
        paths = res[label]["paths"]
        for name in ("fig4a_heatmap", "fig4bc_tsne", "tsne_clinical"):
            if name in paths:
                out[f"liu2023_explore_figures/{label}_{name}"] = paths[name]
        for kind in ("hclust", "tsne"):
            if f"{kind}_fisher" in paths:
                fisher.append(pd.read_csv(paths[f"{kind}_fisher"]).assign(
                    features=label.upper()))
    if "compare_tsne" in res["paths"]:
        out["liu2023_explore_figures/fig4bc_drf_vs_crf_tsne"] = res["paths"]["compare_tsne"]
    if fisher:
        out["liu2023_fig4_fisher"] = store.write_frame(pd.concat(fisher, ignore_index=True),
                                                       ctx.dir / "fig4_fisher.csv", index=False)
    return out


# ---------------------------------------------------------------- the stages

STAGES = (
    Stage("liu2023-cohort", run=f"{__name__}:assemble", call=_cohort,
          reads=("cohort:expression", "cohort:clinical?", "cohort:dicom?", "cohort:patients?"),
          writes={"liu2023_table1": "tables/liu2023_table1.csv",
                  "liu2023_flowchart": "tables/liu2023_flowchart.csv",
                  "liu2023_images": None, "liu2023_patients": None},
          params=("cohort",),
          description="exclusions (flowchart), the selected images and Table 1"),
    Stage("liu2023-genomics", run="pyradiogen.genomics.stage:stage",
          call=_genomics,
          reads=("cohort:expression", "cohort:genes?", "cohort:risk_genes?",
                 "cohort:genesets?", "cohort:patients?"),
          writes={"signatures": None, "ssgsea": None, "expression_log2": None,
                  "risk_note": None, "risk_genes?": None, "liu2023_genomics": None},
          params=("genomics",), deviations=_genomics_deviations,
          description="genefu signatures (PAM50 calls included), ssGSEA KEGG, risk genes"),
    Stage("liu2023-pam50", run="pyradiogen.genomics.subtypes:stage",
          call=_pam50,
          reads=("signatures", "cohort:clinical", "cohort:real"),
          writes={"pam50_agreement": "tables/pam50_vs_published_agreement.csv",
                  "pam50_confusion": "tables/pam50_vs_published_confusion.csv"},
          description="our PAM50 calls against those of the clinical table (TCGA 2012)"),
    Stage("liu2023-drf", run="pyradiogen.drf.stage:stage",
          call=_drf, reads=("cohort:dicom", "liu2023_images"),
          writes={"drfs": None, "drfs_qn": None, "drfs_qn_patient": None, "drf_model": None,
                  "drf_training": None,
                  "liu2023_drf_loss_history": "tables/liu2023_drf_loss_history.csv",
                  "liu2023_fig3_kernel_maps": "figures/liu2023_fig3_kernel_maps.png",
                  "liu2023_fig3_density": "figures/liu2023_fig3_density.png",
                  "liu2023_drf_loss_curves": "figures/liu2023_drf_loss_curves.png"},
          params=("drf", "replicate.drf_epochs"),
          description="denoising autoencoder, raw and quantile-normalised DRFs (Fig 3)"),
    Stage("liu2023-associate", run="pyradiogen.associate.stage:stage",
          call=_associate,
          reads=("drfs_qn|cohort:crf36", "liu2023_patients", "signatures", "ssgsea",
                 "risk_genes?"),
          writes={"associations_drf?": None, "associations_crf?": None,
                  "liu2023_table2_kernels?": "tables/liu2023_table2_kernels.csv",
                  "liu2023_table3_top_gfs?": "tables/liu2023_table3_top_gfs.csv",
                  "liu2023_fig5e_top30_drfs?": "tables/liu2023_fig5e_top30_drfs.csv",
                  "liu2023_fig5f_crfs?": "tables/liu2023_fig5f_crfs.csv",
                  "liu2023_drf_figures/*": "figures/liu2023_drf_{name}.png",
                  "liu2023_crf_figures/*": "figures/liu2023_crf_{name}.png",
                  "liu2023_association_overview": None,
                  "liu2023_association_summary":
                      "tables/liu2023_association_summary.csv"},
          params=("associate", "options.engine"),
          description="LME scan of DRFs and CRF36 × GFs (Fig 5, Tables 2–3)"),
    Stage("liu2023-predict", run="pyradiogen.predict.run:run_liu2023",
          call=_predict,
          reads=("drfs_qn", "liu2023_patients", "signatures", "cohort:clinical",
                 "cohort:dicom", "cohort:crf36?", "cohort:timer?"),
          writes={"liu2023_fig4de_lasso_curves": "tables/liu2023_fig4de_lasso_curves.csv",
                  "liu2023_fig4de_lasso_summary": "tables/liu2023_fig4de_lasso_summary.csv",
                  "liu2023_fig4de_lasso_predictions":
                      "tables/liu2023_fig4de_lasso_predictions.csv",
                  "liu2023_fig4de_auc_vs_features":
                      "figures/liu2023_fig4de_auc_vs_features.png",
                  "liu2023_fig4de_f1_vs_features": "figures/liu2023_fig4de_f1_vs_features.png",
                  "liu2023_fig4de_paper_vs_rigorous":
                      "figures/liu2023_fig4de_paper_vs_rigorous.png",
                  "liu2023_suppfig1_classes_summary?":
                      "tables/liu2023_suppfig1_classes_summary.csv",
                  "liu2023_suppfig1_classes_roc?": "tables/liu2023_suppfig1_classes_roc.csv",
                  "liu2023_suppfig1_roc?": "figures/liu2023_suppfig1_roc.png",
                  "liu2023_supptable1_efficientnet?":
                      "tables/liu2023_supptable1_efficientnet.csv"},
          params=("predict", "options.modes", "replicate.classes_permutations_rigorous",
                  "replicate.loo_inner_folds_rigorous", "replicate.efficientnet_epochs",
                  "replicate.efficientnet_max_images", "replicate.efficientnet_image_size"),
          deviations=_predict_deviations,
          description="LASSO (Fig 4d–e), signature/immune classes (Supp Fig 1), EfficientNet"),
    Stage("liu2023-explore", run="pyradiogen.explore.pipeline:run_explore",
          call=_explore, reads=("drfs_qn|cohort:crf36", "liu2023_patients", "cohort:clinical"),
          writes={"liu2023_explore_figures/*": "figures/liu2023_{name}.png",
                  "liu2023_fig4_fisher?": "tables/liu2023_fig4_fisher.csv"},
          params=("explore",),
          description="clustering heatmap, t-SNE, Fisher tests (Fig 4a–c)"),
)


# ---------------------------------------------------------------- the report

#: figure result name (or pattern) → (title, caption) in the report
FIGURE_CAPTIONS: dict[str, tuple[str, str]] = {
    "liu2023_fig3_kernel_maps": (
        "Fig 3a: autoencoder feature maps",
        "Feature maps of the trained denoising autoencoder's bottleneck kernels for example "
        "lesions (one column per kernel; grey scale: activation)."),
    "liu2023_fig3_density": (
        "Fig 3b: distribution of the deep radiomic features",
        "Density of the DRF values per kernel before and after quantile normalisation."),
    "liu2023_drf_loss_curves": (
        "Autoencoder training and validation loss",
        "Mean squared reconstruction error per pixel (intensities scaled to [0, 1]) on the "
        "training and validation images by epoch; a restart after divergence is marked."),
    "liu2023_drf_figures/fig5_heatmap_drf_*": (
        "Fig 5a–c: DRF–GF associations",
        "−log10 BH-adjusted p of the linear mixed models (DRF ~ GF + (1 | patient)) for the "
        "DRFs and GFs with at least one significant pair; colour capped as its bar states, "
        "the BH p = 0.05 threshold marked on the colour bar."),
    "liu2023_drf_figures/fig5e_*": (
        "Fig 5e: top 30 DRFs",
        "Number of significant GFs (BH p < 0.05) per DRF, split by GF class, for the 30 "
        "DRFs with the most."),
    "liu2023_crf_figures/fig5_heatmap_crf_*": (
        "Fig 5 (CRF arm): CRF–GF associations",
        "−log10 BH-adjusted p of the linear models of the 36 conventional radiomic features "
        "(CRFs) on each GF; colour capped as its bar states, BH p = 0.05 marked."),
    "liu2023_crf_figures/fig5f_*": (
        "Fig 5f: significant CRF–GF pairs",
        "The most significant CRF–GF pairs (BH p < 0.05): estimate and −log10 BH p; long "
        "feature names are shortened, the full list is in tables/liu2023_fig5f_crfs.csv."),
    "liu2023_explore_figures/*_fig4a_heatmap": (
        "Fig 4a: hierarchical clustering",
        "Patients (columns) clustered on the standardised features (rows), with T, N, ER, PR "
        "and HER2 status annotated above; colour: z-score."),
    "liu2023_explore_figures/*drf_vs_crf_tsne": (
        "Fig 4b–c: t-SNE of DRFs and CRFs",
        "Two-dimensional t-SNE embedding of the patients by DRFs and by CRFs side by side."),
    "liu2023_explore_figures/*_fig4bc_tsne": (
        "Fig 4b–c: t-SNE embedding",
        "Two-dimensional t-SNE embedding of the patients, coloured by cluster."),
    "liu2023_explore_figures/*tsne_clinical*": (
        "t-SNE coloured by clinical status",
        "The t-SNE embedding coloured by each clinical characteristic (grey: missing)."),
    "liu2023_fig4de_auc_vs_features": (
        "Fig 4d–e: test AUC against model size",
        "Test-set AUC of the lasso logistic regression along its lambda path against the "
        "number of non-zero features, per characteristic; rows: paper and rigorous mode; "
        "dotted line: chance (0.5)."),
    "liu2023_fig4de_f1_vs_features": (
        "Fig 4d–e: test F1 against model size",
        "Test-set F1 score along the lambda path against the number of non-zero features."),
    "liu2023_fig4de_paper_vs_rigorous": (
        "Fig 4d–e: paper mode against rigorous mode",
        "Best test AUC per feature set and characteristic in both modes; whiskers: 95% "
        "confidence interval (DeLong for one row per patient, patient-cluster bootstrap for "
        "image rows); hatched bars marked ! are degenerate AUCs (one class in the test set, "
        "no CI, or a CI of zero width such as [1, 1]) and say nothing about the model."),
    "liu2023_suppfig1_roc": (
        "Supplementary Fig 1: ROC curves",
        "ROC curves of the signature-class and immune-class models per feature set, model "
        "and mode; the legend gives each target's test AUC."),
}

#: labels of the autoencoder training record (``drf_training``): key → (label, unit)
TRAINING_LABELS: dict[str, tuple[str, str]] = {
    "epochs": ("epochs run", "epochs"),
    "best_epoch": ("epoch of the lowest validation loss", "epoch"),
    "lr_used": ("learning rate used (Adam)", ""),
    "train_loss_final": ("final training loss", "MSE per pixel"),
    "val_loss_initial": ("validation loss before training", "MSE per pixel"),
    "val_loss_best": ("lowest validation loss", "MSE per pixel"),
    "val_loss_final": ("final validation loss", "MSE per pixel"),
    "val_improvement": ("validation loss reduction", "% of the initial"),
    "generalisation_gap": ("generalisation gap (validation − training loss)", "MSE per pixel"),
    "train_change_last_epochs": ("relative change of the training loss, last epochs", "%"),
    "window": ("epochs in the convergence window", "epochs"),
    "converged": ("converged", ""),
    "overfitting": ("overfitting", ""),
    "learned": ("learned (loss fell below its start)", ""),
    "finite": ("losses finite", ""),
    "verdict": ("verdict", ""),
    "events": ("events", ""),
}


def training_table(record: dict[str, Any] | None) -> pd.DataFrame | None:
    """The autoencoder's training record as a two-column table.

    Parameters
    ----------
    record : dict or None
        The DRF stage's training record (learning rate, epochs, losses, diagnosis …).

    Returns
    -------
    DataFrame or None
        ``quantity`` (with its unit, labels from ``TRAINING_LABELS``) and ``value`` (formatted;
        fractions as percent); None without a record.
    """
    if not record:
        return None
    rows = []
    for key, value in record.items():
        label, unit = TRAINING_LABELS.get(key, (key.replace("_", " "), ""))
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, list):
            value = "; ".join(map(str, value)) or "none"
        elif isinstance(value, float):
            value = f"{100 * value:.1f}" if unit.startswith("%") else f"{value:.4g}"
        rows.append((f"{label} ({unit})" if unit else label, value))
    return pd.DataFrame(rows, columns=["quantity", "value"])


#: the genomic features of the paper (Methods): patients, GFs of each class
PUBLISHED_GENOMICS = {"patients": 110, "genefu signatures (GFs)": 6,
                      "KEGG pathways scored by ssGSEA (GFs)": 182, "risk genes (GFs)": 288}


def genomics_section(rep: Any, art: Artefacts) -> None:
    """The report's summary of the genomics stage: signatures, PAM50 calls, ssGSEA scores.

    Shown whenever the stage ran (a cohort of tables without images included), over study
    liu2023's patients (all samples scored when the cohort stage did not run): the GFs
    computed beside the paper's counts, each signature's samples, missing values, mean, SD
    and range, the PAM50 calls per subtype, and the ssGSEA table's size with each gene set's
    summary.

    Parameters
    ----------
    rep : Report
        The report being built.
    art : Artefacts
        The run's named results (``signatures``, ``ssgsea``, ``risk_genes``, ``risk_note``,
        ``liu2023_patients``).

    References
    ----------
    .. [1] Liu Q, Hu P. Radiogenomic association of deep MR imaging features with genomic
       profiles and clinical characteristics in breast cancer. *Biomark Res* 11, 9 (2023).
    """
    from ..genomics.summary import gene_set_overview, restrict_to, score_summary, subtype_counts

    sig = art.frame("signatures", index_col=0)
    kegg = art.frame("ssgsea", index_col=0)
    if sig is None and kegg is None:
        return
    keep = patients(art) if art.path("liu2023_patients") is not None else None
    sec = rep.section("Study 1 — genomic features (signatures, PAM50, ssGSEA)", CITATION)
    whom = (f"study liu2023's {len(keep)} patients" if keep is not None
            else "every sample with expression (the cohort stage did not run)")
    ours: dict[str, Any] = {}
    s = restrict_to(sig, keep) if sig is not None else None
    k = restrict_to(kegg, keep) if kegg is not None else None
    scored = s if s is not None else k
    ours["patients"] = len(scored)
    summ = score_summary(s, SIGNATURES) if s is not None else None
    if summ is not None:
        ours["genefu signatures (GFs)"] = int((summ["n"] > 0).sum())
    if k is not None:
        ours["KEGG pathways scored by ssGSEA (GFs)"] = int(k.shape[1])
    risk = art.frame("risk_genes", index_col=0)
    note = art.json("risk_note") or {}
    ours["risk genes (GFs)"] = (int(risk.shape[1]) if risk is not None
                                else "not run: " + str(note.get("message", "no list given")))
    ours["samples scored (every sample with expression)"] = \
        len(sig) if sig is not None else len(kegg)
    rep.compare(sec, "Genomic features computed", PUBLISHED_GENOMICS, ours,
                caption=f"Counts of the paper's genomic features (GFs) and of this run's, over "
                        f"{whom}; the bundled KEGG collection (MSigDB v7.2) holds 186 "
                        "pathways where the paper used 182.")
    if summ is not None:
        rep.table(sec, "Signature scores (the six GFs)", summ, index=False,
                  caption=f"Each genefu signature score (unitless) over {whom}: samples with "
                          "a score, missing scores, mean, SD and range; the paper reports no "
                          "summary of the scores. A score not computed is said in the note.")
        if "pam50_subtype" in s.columns:
            rep.table(sec, "PAM50 subtypes (our calls)", subtype_counts(s["pam50_subtype"]),
                      index=False,
                      caption=f"genefu's nearest-centroid PAM50 calls (pam50.robust) over "
                              f"{whom}: patients per subtype and percent of those called; the "
                              "paper gives no subtype counts (the calls are compared with the "
                              "clinical table's in the PAM50 section where it ran).")
    if k is not None:
        rep.table(sec, "ssGSEA KEGG pathway scores", gene_set_overview(k),
                  caption=f"The size and range of the ssGSEA enrichment scores (unitless, GSVA "
                          f"method ssgsea) over {whom}: gene sets × samples.")
        rep.table(sec, "ssGSEA scores per KEGG pathway", score_summary(k).drop(columns="column").rename(
                      columns={"score": "gene set"}), index=False,
                  sort_by="SD", ascending=False,
                  caption=f"Each KEGG pathway's enrichment score over {whom} (most variable "
                          "first).")


def report(rep: Any, art: Artefacts, info: dict[str, Any]) -> None:
    """Study liu2023's sections of ``report.html``: published values beside this run's.

    Parameters
    ----------
    rep : Report
        The report being built.
    art : Artefacts
        The run's named results.
    info : dict
        Run facts (skipped stages, timings, settings).
    """
    from ..predict.modes import auc_display
    from ..replicate.build_report import figures

    sec = rep.section("Study 1 — cohort (Table 1)", CITATION)
    pub = pd.DataFrame([(a, b, v) for (a, b), v in PUBLISHED_TABLE1.items()],
                       columns=["characteristic", "level", "value"])
    t1 = art.frame("liu2023_table1", keep_default_na=False)
    rep.compare(sec, "Table 1: participant characteristics", pub,
                t1.drop(columns=["published"], errors="ignore") if t1 is not None else None,
                caption="Counts of patients (age in years) of the published cohort (110 women) "
                        "and of this run's cohort, row by row.",
                key=["characteristic", "level"])
    rep.table(sec, "Exclusions (flowchart)", art.frame("liu2023_flowchart"),
              caption="Each exclusion step in order: patients excluded, patients remaining, "
                      "and who was excluded.")

    if art.path("pam50_agreement") is not None:
        sec = rep.section("PAM50: our calls against the published calls", CITATION)
        rep.text(sec, "Our calls: genefu's nearest-centroid PAM50 (pam50.robust) on the "
                 "cohort's expression; published: the clinical table's PAM50 mRNA (TCGA "
                 "2012). Rows: our call; columns: the published call.", "note")
        rep.table(sec, "Agreement", art.frame("pam50_agreement"),
                  caption="Share of patients whose call agrees, overall and per subtype.")
        rep.table(sec, "Confusion table (patients)", art.frame("pam50_confusion", index_col=0),
                  caption="Patients per (our call, published call).")

    genomics_section(rep, art)

    sec = rep.section("Study 1 — deep radiomic features (Fig 3)", CITATION)
    if art.path("drf_training") is not None:
        rep.table(sec, "Autoencoder training", training_table(art.json("drf_training")),
                  caption="How the denoising autoencoder's training went: losses are mean "
                          "squared reconstruction errors per pixel of intensities scaled to "
                          "[0, 1].")
    figures(rep, sec, art, ["liu2023_fig3_*", "liu2023_drf_loss_curves"], "Fig 3",
            FIGURE_CAPTIONS)

    sec = rep.section("Study 1 — associations (Fig 5, Tables 2–3)", CITATION)
    published_counts = {
        **{k: v for k, v in PUBLISHED_ASSOCIATION.items()
           if not k.endswith(("(of 288)", "(of 182)")) and k != "CRFs associated with pathways"},
        "risk genes associated with DRFs": "213 of 288",
        "KEGG pathways associated with DRFs": "166 of 182",
        "CRFs associated with KEGG pathways": PUBLISHED_ASSOCIATION[
            "CRFs associated with pathways"],
    }
    order = ["DRFs associated with risk genes", "risk genes associated with DRFs",
             "DRFs associated with EndoPredict", "DRFs associated with rorS",
             "DRFs associated with KEGG pathways", "KEGG pathways associated with DRFs",
             "DRFs associated with any GF", "GFs associated with any DRF",
             "CRFs associated with risk genes", "risk genes associated with CRFs",
             "CRFs associated with signatures", "CRFs associated with KEGG pathways",
             "top DRF", "top DRF kernel", "top DRF GFs"]
    rep.compare(sec, "Association counts", {k: published_counts[k] for k in order},
                art.frame("liu2023_association_summary", index_col=0),
                caption="Features and GFs with at least one significant association (BH "
                        "p < 0.05) in the published study and in this run; — where one side "
                        "does not report the count.")
    t2 = art.frame("liu2023_table2_kernels")
    rep.compare(sec, "Table 2: significant DRF–GF pairs per kernel",
                PUBLISHED_TABLE2.rename(columns={"risk_genes": "risk genes", "kegg": "KEGG"}),
                t2, key="paper_block",
                caption="Number of DRF–GF pairs with BH p < 0.05 per autoencoder kernel "
                        "(paper_block: the paper's kernel number) and GF class; rows in the "
                        "published order (by the paper's total).")
    t3_cols = {"class": "type", "gf": "GF", "n_significant": "significant DRFs",
               "top_paper_blocks": "top-5 kernels"}
    t3 = art.frame("liu2023_table3_top_gfs")
    if t3 is not None:
        t3 = t3.rename(columns=t3_cols)
        t3["type"] = t3["type"].replace({"risk genes": "risk gene", "signatures": "signature"})
    rep.compare(sec, "Table 3: top GFs and their top-5 kernels",
                PUBLISHED_TABLE3.rename(columns={"gf": "GF", "significant_drfs":
                                                 "significant DRFs",
                                                 "top5_kernels": "top-5 kernels"}),
                t3, key="type",
                caption="The GFs with the most significant DRFs (BH p < 0.05) per GF type "
                        "and the five kernels holding most of them (paper numbering).")
    rep.table(sec, "Fig 5e: top 30 DRFs", art.frame("liu2023_fig5e_top30_drfs"),
              caption="The DRFs with the most significant GFs (BH p < 0.05), by GF class.",
              csv=art.path("liu2023_fig5e_top30_drfs"), sort_by="total", ascending=False)
    rep.table(sec, "Fig 5f: significant CRF–GF pairs", art.frame("liu2023_fig5f_crfs"),
              caption="CRF–GF pairs with BH p < 0.05: estimate (change of the CRF per unit "
                      "of the GF), p and BH-adjusted p; smallest adjusted p first.",
              csv=art.path("liu2023_fig5f_crfs"), sort_by=["p_adj", "p_value"])
    figures(rep, sec, art, ["liu2023_drf_figures/*", "liu2023_crf_figures/*"],
            "Fig 5 heatmaps", FIGURE_CAPTIONS)

    sec = rep.section("Study 1 — unsupervised views (Fig 4a–c)", CITATION)
    fisher = art.frame("liu2023_fig4_fisher")
    rep.table(sec, "Clusters and Fisher tests: published", PUBLISHED_CLUSTERING,
              caption="What the paper reports of its clusters (Fig 4a–c); this run's Fisher "
                      "tests follow.")
    rep.table(sec, "Fisher's exact tests: clusters against clinical characteristics", fisher,
              caption="One row per feature set, clustering (hierarchical or t-SNE) and "
                      "characteristic: Fisher's exact test of cluster against status; smallest "
                      "p first." + _fisher_method_note(fisher), csv=art.path("liu2023_fig4_fisher"),
              sort_by=[c for c in ("p_value", "p") if fisher is not None
                       and c in fisher.columns][:1] or None)
    figures(rep, sec, art, ["liu2023_explore_figures/drf_fig4a*",
                            "liu2023_explore_figures/crf_fig4a*",
                            "liu2023_explore_figures/*fig4bc*",
                            "liu2023_explore_figures/*tsne_clinical*"], "Fig 4a–c",
            FIGURE_CAPTIONS)

    sec = rep.section("Study 1 — prediction (Fig 4d–e, Supplementary Fig 1 and Table 1)",
                      CITATION)
    lasso = pd.DataFrame([(f, c, v) for (f, c), v in PUBLISHED_LASSO.items()],
                         columns=["feature_set", "characteristic", "published"])
    ours = art.frame("liu2023_fig4de_lasso_summary")
    if ours is not None:
        keep = [c for c in ("feature_set", "characteristic", "mode", "auc", "ci_low",
                            "ci_high", "ci_method", "nzero", "n_train", "n_test",
                            "n_positive_test") if c in ours.columns]
        ours = auc_display(ours[keep])
    rep.compare(sec, "LASSO: best test AUC per characteristic", lasso, ours,
                key=["feature_set", "characteristic"],
                caption="Test-set AUC with its 95% CI (DeLong, or the patient bootstrap for "
                        "image rows) per feature set and characteristic; nzero: non-zero "
                        "coefficients; ⚠ marks a degenerate AUC, shown as its reason.",
                note="paper mode reproduces the authors' image-level split; rigorous mode "
                     "splits by patient and tunes inside training folds only.")
    cls = art.frame("liu2023_suppfig1_classes_summary")
    rep.table(sec, "Supplementary Fig 1: signature and immune classes (AUC)",
              auc_display(cls) if cls is not None else None,
              caption="Test AUC (95% CI) of the high/low class of each signature and immune "
                      "cell type per feature set, model and mode, beside the AUC in the "
                      "authors' plot legends (published_auc); ⚠: degenerate.",
              csv=art.path("liu2023_suppfig1_classes_summary"))
    eff = art.frame("liu2023_supptable1_efficientnet")
    rep.table(sec, "Supplementary Table 1: EfficientNet-B0 (AUC)",
              auc_display(eff) if eff is not None else None,
              caption="Test AUC (95% CI) of the fine-tuned EfficientNet-B0 baseline per "
                      "characteristic; ⚠: degenerate.")
    figures(rep, sec, art, ["liu2023_fig4de_*", "liu2023_suppfig1_*"], "AUC and ROC curves",
            FIGURE_CAPTIONS)

    if info.get("is_demo"):
        _truth_section(rep, art, info)


def _truth_section(rep: Any, art: Artefacts, info: dict[str, Any]) -> None:
    import json

    from ..replicate.truth import score_against_truth

    sec = rep.section("Pipeline scored against the planted truth (demo cohort)")
    truth_path = Path(info["cohort_dir"]) / "truth.json"
    assoc = {label.upper(): art.frame(f"associations_{label}", columns=["gf", "p_adj"])
             for label in ("drf", "crf") if art.path(f"associations_{label}") is not None}
    scores = None
    if truth_path.exists() and assoc:
        scores = score_against_truth(json.loads(truth_path.read_text()), gf_table(art),
                                     gf_types(art), assoc, alpha=info.get("alpha", 0.05))
    if scores is None:
        rep.text(sec, "No truth file or no association results to score.", "note")
        return
    rep.definitions(sec, {
        "GF called": "a genomic feature with at least one image feature associated at BH "
                     f"p < {info.get('alpha', 0.05)} in the scan.",
        "linked": "the generator planted a latent factor on the GF that also drives a lesion "
                  "property, so an image feature should find it.",
        "confounded": "not planted, but correlated with an image-driving factor on the "
                      "measured scale (|Spearman r| >= 0.2): TPM is compositional, so raising "
                      "many proliferation genes lowers every other gene's share. A call of "
                      "such a GF is real in the data and counted neither as true nor false.",
        "null": "neither linked nor confounded: a call of it is a false discovery.",
        "power": "called linked GFs / linked GFs (the share of planted links found).",
        "FDR": "called null GFs / all called GFs (the share of calls that are false); "
               "calls of confounded GFs stay in the denominator.",
    })
    for label in dict.fromkeys(scores["features"]):
        row = scores[(scores["features"] == label) & (scores["GF type"] == "all")]
        if not len(row):
            continue
        r = row.iloc[0]
        total = int(r["linked GFs"] + r["confounded GFs"] + r["null GFs"])
        rep.text(sec, f"{label}: of the {total} GFs scanned, {int(r['linked GFs'])} are linked, "
                 f"{int(r['confounded GFs'])} confounded and {int(r['null GFs'])} null. The "
                 f"scan called {int(r['called GFs'])}: {int(r['called linked'])} linked, "
                 f"{int(r['called confounded'])} confounded, {int(r['called null'])} null, so "
                 f"power = {int(r['called linked'])}/{int(r['linked GFs'])} = "
                 f"{r['power']:.2f} and FDR = {int(r['called null'])}/{int(r['called GFs'])} = "
                 f"{r['FDR']:.3f}.")
    rep.text(sec, "What these numbers can show: whether the scan finds links that are "
             "planted (power) and whether it calls GFs that carry no signal at all (FDR), on "
             "a cohort whose truth is known. What they cannot show: how the method does on "
             "real data, whose effects are smaller (the real CRF arm found 8 risk genes and "
             "no signature or pathway); the FDR rests on the few null GFs only, so with few "
             "nulls it is coarse (one false call moves it by 1/called), and calls of "
             "confounded GFs are neither right nor wrong here.", "note")
    rep.table(sec, "Power and false-discovery rate of the association scan", scores,
              caption="Per feature set (DRF, CRF) and GF type: GFs linked, confounded and "
                      "null; how many of each the scan called; power and FDR as defined "
                      "above.")


def certificate(art: Artefacts, cfg: Any, load_cohort: Any, engine: str, load: bool = True
                ) -> tuple[dict[str, Any], list[Path]]:
    """What the parity certificate checks in study liu2023's results.

    A sample of the fast LME scan of the DRFs (not when the scan ran with nlme), ssGSEA of
    the expression (fast engine) and one paper-mode DRF LASSO path (drawn with the
    certificate's seed).

    Parameters
    ----------
    art : Artefacts
        The run's named results.
    cfg : Config
        The run's configuration.
    load_cohort : callable
        Loads the cohort.
    engine : str
        The association engine that ran (``fast`` or ``nlme``).
    load : bool, default True
        Read the inputs; with False only the names of the checks and the files are returned
        (for the cache key).

    Returns
    -------
    specs : dict
        Keyword arguments of :func:`pyradiogen.certificate.certify` by engine.
    files : list of Path
        The result files they read.
    """
    specs: dict[str, Any] = {}
    files: list[Path] = []
    gcfg = cfg.section("genomics")
    cseed = cfg.section("certificate").seed
    rng = np.random.default_rng([int(cfg.seed if cseed is None else cseed), 29])
    if (assoc := art.path("associations_drf")) is not None and engine == "fast":
        files.append(assoc)
        cols = ["feature", "gf", "estimate", "std_error", "p_value"]
        specs["lme"] = {} if not load else {
            "features": art.frame("drfs_qn"), "gfs": gf_table(art).reset_index(),
            "fast": art.frame("associations_drf", columns=cols)}
    if (expr := art.path("expression_log2")) is not None and gcfg.ssgsea_engine == "fast":
        files.append(expr)
        specs["ssgsea"] = {}
        if load:
            from ..genomics.genesets import load_gene_sets

            c = load_cohort()
            sets = load_gene_sets(gcfg.gmt) if gcfg.gmt else (
                getattr(c, "gene_sets", None) or load_gene_sets(None))
            specs["ssgsea"] = {"expr": art.frame("expression_log2"), "gene_sets": sets,
                               "alpha": gcfg.ssgsea_alpha, "min_size": gcfg.ssgsea_min_size,
                               "max_size": gcfg.ssgsea_max_size,
                               "duplicate_members": gcfg.ssgsea_duplicate_members}
    if (curves := art.path("liu2023_fig4de_lasso_curves")) is not None:
        files.append(curves)
        specs["lasso"] = []
        cv = pd.read_csv(curves)
        cv = cv[(cv["mode"] == "paper") & (cv["feature_set"] == "DRF")]
        chars = list(dict.fromkeys(cv["characteristic"]))
        if load and chars and art.path("drfs_qn") is not None:
            from ..predict.lasso import labelled_rows

            ch = chars[int(rng.integers(len(chars)))]
            X, y, _, _, _ = labelled_rows(art.frame("drfs_qn"), load_cohort().clinical, ch)
            pcfg = cfg.section("predict")
            specs["lasso"] = [{"X": X, "y": y, "curve": cv[cv["characteristic"] == ch],
                               "nlambda": pcfg.nlambda, "frac": pcfg.lasso_train_fraction,
                               "seed": pcfg.seed, "label": f"DRF {ch} (paper mode)"}]
    return specs, files


STUDY = Study(name=NAME, title=TITLE, citation=CITATION, stages=STAGES, report=report,
              module=__name__, certificate=certificate)
