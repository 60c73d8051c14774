"""Study kim2020: Kim et al. (2020), *J Korean Soc Radiol* 81:632.

Study 2 — Kim et al. 2020, J Korean Soc Radiol 81:632: pyradiomics features of two readers'
ROIs, their agreement, and their relation to PAM50 and eleven risk scores.

Stages (``replicate`` runs those whose inputs the cohort holds; ``pyradiogen validate DIR``
lists them):

=====================  ==================================================  =====================
stage                  reads                                               package
=====================  ==================================================  =====================
kim2020-cohort         expression, clinical?, rois?, dicom?                cohort (:func:`assemble`)
kim2020-genomics       expression, genes?                                  genomics
kim2020-crf            rois, dicom, kim2020_patients                       crf
kim2020-associate      crfs, kim2020_signatures, clinical                  associate (screens)
kim2020-predict        kim2020_spearman, crfs, kim2020_signatures          predict
kim2020-explore        kim2020_expression_log2, clinical, crfs?            explore
=====================  ==================================================  =====================

The paper's published numbers, its eleven risk scores and its exclusion rules
(:func:`assemble`) live here and nowhere else.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd

from .. import store
from ..cohort.assemble import StudyCohort, flow, scanner_name, table1
from ..replicate.stage import Artefacts, Stage, StageContext, Study

NAME = "kim2020"
TITLE = "Kim et al. 2020"
CITATION = "Kim et al. 2020, J Korean Soc Radiol 81:632"

#: column of ``compute_signatures`` → the paper's name: Kim et al.'s 11 risk scores
SCORES = {
    "ESR1": "ESR1", "ERBB2": "ERBB2", "AURKA": "AURKA", "endoPredict": "EndoPredict",
    "genius": "GENIUS", "ggi": "GGI", "oncotypedx": "OncotypeDx", "tamr13": "TamR",
    "gene70": "GENE70", "pik3cags": "PIK3CA", "rorS": "ROR-S",
}
SCORES_STUDY2 = SCORES

# ---------------------------------------------------------------- published numbers

#: Table 1 (122 patients with RNA-seq and MRI): (characteristic, level) → value
PUBLISHED_TABLE1 = {
    ("Patients", "n"): "122", ("PAM50", "Basal"): "17", ("PAM50", "Her2"): "8",
    ("PAM50", "LumA"): "79", ("PAM50", "LumB"): "18",
}
#: the scanners of the 122 patients
PUBLISHED_SCANNERS = {"GE 1.5 T": 91, "Siemens 1.5 T": 13, "Philips 1.5 T": 15,
                      "Philips 3 T": 3}
#: Table 2: ICC 95% CI range per feature class
PUBLISHED_ICC_RANGES: dict[str, tuple[float, float]] = {
    "Shape": (0.771, 1.000), "GLDM": (0.799, 1.000), "GLCM": (0.817, 1.000),
    "First order": (0.768, 1.000), "GLRLM": (0.787, 1.000), "GLSZM": (0.820, 1.000),
    "NGTDM": (0.818, 1.000), "Overall": (0.768, 1.000),
}
#: Kruskal–Wallis across PAM50: the significant features and their p
PUBLISHED_KRUSKAL = {
    "maximum 2D diameter": 0.0189,
    "correlation (GLCM)": 0.0386,
    "inverse difference moment normalised (GLCM)": 0.0337,
}
#: Table 3: significant (p < 0.05) Spearman features per class and score
PUBLISHED_TABLE3 = pd.DataFrame(
    {"GENE70": [3, 3, 0, 3, 2, 1, 0], "GGI": [2, 2, 0, 2, 2, 1, 0], "ERBB2": [0] * 7,
     "GENIUS": [0] * 7, "PIK3CA": [0] * 7},
    index=pd.Index(["shape", "gldm", "glcm", "firstorder", "glrlm", "glszm", "ngtdm"],
                   name="feature_class"),
)
#: Table 4: LASSO with leave-one-out; score → (adjusted R², p as printed; None = n.s.)
PUBLISHED_TABLE4: dict[str, tuple[float | None, str]] = {
    "AURKA": (0.1998, "<0.001"), "ESR1": (0.152, "<0.001"), "ERBB2": (None, "n.s."),
    "GGI": (0.1835, "<0.001"), "GENIUS": (None, "n.s."), "EndoPredict": (0.1118, "0.00693"),
    "OncotypeDx": (0.1474, "0.00167"), "TamR": (0.1991, "<0.001"), "GENE70": (0.2171, "<0.001"),
    "PIK3CA": (None, "n.s."), "ROR-S": (0.1903, "<0.001"),
}
#: Fig 1: Kruskal–Wallis screens across PAM50
PUBLISHED_FIG1 = {"genes with Kruskal-Wallis p < 1e-9": 133,
                  "radiomic features with p < 0.1": 4}


# ---------------------------------------------------------------- exclusion rules

def assemble(c: Any, readers: tuple[str, str] | None = None) -> StudyCohort:
    """Study kim2020's cohort: patients with ROIs of two readers and RNA-seq (any scanner).

    A cohort without ROIs starts from the patients with RNA-seq, the ROI rule listed as not
    applied.

    Parameters
    ----------
    c : Cohort
        A loaded cohort.
    readers : tuple of str or None, default None
        The two readers (the first two in ``rois.csv`` when None).

    Returns
    -------
    StudyCohort
        Patients, flowchart and Table 1 (PAM50 counts); ``extra["scanners"]`` the scanners,
        with the published counts.

    References
    ----------
    .. [1] Kim et al. *J Korean Soc Radiol* 81(3), 632 (2020).
    """
    has_clin = c.manifest.path("clinical") is not None
    if c.manifest.path("rois") is None or not c.has_images:
        fl, keep = flow([("ROIs of both readers: not applied (the cohort has no ROIs)", None)],
                        c.expression_patients, start_label="patients with RNA-seq")
        tab = table1(c.clinical.loc[c.clinical.index.intersection(keep)],
                     published=PUBLISHED_TABLE1) if has_clin else pd.DataFrame()
        return StudyCohort("study2", keep, pd.DataFrame(columns=["patient_id"]), fl, tab,
                           rois=pd.DataFrame(columns=["patient_id", "reader", "image_id"]),
                           extra={"readers": (), "rois": False,
                                  "scanners": pd.DataFrame(columns=["scanner", "patients",
                                                                    "published"])})
    r = c.rois
    names = sorted(r["reader"].unique())
    readers = tuple(readers) if readers else tuple(names[:2])
    two = r[r["reader"].isin(readers)].groupby("patient_id")["reader"].nunique()
    both = set(two[two >= len(readers)].index) if len(readers) == 2 else set()
    fl, keep = flow([(f"no ROIs of both readers ({', '.join(readers)})", both),
                     ("no matched RNA-seq", set(c.expression_patients))], c.patients)
    rois = r[r["patient_id"].isin(keep) & r["reader"].isin(readers)].reset_index(drop=True)
    im = c.images.loc[rois["image_id"].drop_duplicates()]
    first = im.groupby("patient_id").first()
    scanner = pd.Series([f"{scanner_name(m)} {f:g} T" for m, f in
                         zip(first["manufacturer"], first["field_strength"])],
                        index=first.index, dtype=object)
    scan = scanner.value_counts().rename_axis("scanner").reset_index(name="patients")
    tab = table1(c.clinical.loc[c.clinical.index.intersection(keep)],
                 published=PUBLISHED_TABLE1) if has_clin else pd.DataFrame()
    scan["published"] = scan["scanner"].map(PUBLISHED_SCANNERS).astype("Int64")
    return StudyCohort("study2", keep, im, fl, tab, rois=rois,
                       extra={"readers": readers, "scanners": scan})


# ---------------------------------------------------------------- named inputs

def patients(art: Artefacts) -> list[str]:
    """Study kim2020's patients (the ``kim2020_patients`` result).

    Parameters
    ----------
    art : Artefacts
        The run's named results.

    Returns
    -------
    list of str
        Patient IDs.
    """
    return list(art.json("kim2020_patients")["patients"])


def crfs_reader(art: Artefacts, reader: str | None = None) -> pd.DataFrame:
    """Study kim2020's pyradiomics features of one reader (the paper's screens use one).

    Parameters
    ----------
    art : Artefacts
        The run's named results.
    reader : str or None, default None
        The reader (the first in sorted order when None).

    Returns
    -------
    DataFrame, shape (n_patients, n_features)
        Indexed by patient.
    """
    crfs = pd.read_parquet(art["crfs"])
    reader = reader or sorted(crfs["reader"].unique())[0]
    one = crfs[crfs["reader"] == reader].drop(columns=["reader", "image_id"])
    return one.set_index("patient_id")


def risk_scores(art: Artefacts) -> pd.DataFrame:
    """The 11 risk scores of study kim2020's patients, with the paper's names.

    Parameters
    ----------
    art : Artefacts
        The run's named results.

    Returns
    -------
    DataFrame, shape (n_patients, 11)
        Indexed by patient.
    """
    sig = art.frame("kim2020_signatures", index_col=0)
    scores = sig[list(SCORES)].rename(columns=SCORES)
    scores.index.name = "patient_id"
    return scores.loc[scores.index.intersection(patients(art))]


# ---------------------------------------------------------------- stage adapters

def _cohort(ctx: StageContext) -> dict[str, Path]:
    s = assemble(ctx.cohort(), **ctx.section("cohort").kim2020_kwargs())
    d = ctx.dir
    out = {"kim2020_table1": store.write_frame(s.table1, d / "table1.csv", index=False),
           "kim2020_flowchart": store.write_frame(s.flowchart, d / "flowchart.csv",
                                                  index=False),
           "kim2020_rois": store.write_frame(s.rois, d / "rois.csv", index=False),
           "kim2020_patients": store.write_json(d / "patients.json",
                                                {"patients": list(s.patients),
                                                 "readers": list(s.extra["readers"])})}
    if len(s.extra["scanners"]):
        out["kim2020_scanners"] = store.write_frame(s.extra["scanners"], d / "scanners.csv",
                                                    index=False)
    return out


def _genomics(ctx: StageContext) -> dict[str, Path]:
    from ..genomics.stage import stage

    # study 2 scores its 11 risk scores on its own expression scale (RSEM-like)
    p = stage(ctx.cohort(), ctx.dir, ctx.section("genomics"), study="kim2020", pathways=False,
              risk=False)
    return {"kim2020_signatures": p["signatures"], "kim2020_expression_log2": p["expression"],
            "kim2020_genomics": p["genomics"]}


# The TamR score is computed as genefu computes it (the study used genefu), including a fault of
# genefu's reference table: data-raw/README.md ("Gene IDs of the genefu tables").
TAMR13_NOTE = (
    "TamR is computed faithfully with genefu's sig.tamr13 table, whose EntrezGene.ID column "
    "holds numbers that are not Entrez Gene IDs for 60 of its 192 genes (e.g. ADRA2A 281 "
    "instead of 150) and no ID for 19 more: with gene mapping, as genefu does, some TAMR13 "
    "clusters read other genes' expression. On real TCGA-BRCA RNA-seq the corrected table "
    "(`signatures --tamr13-table corrected`, Python tamr13_table='corrected') gives scores "
    "correlated r = 0.99 with the faithful ones, differing by 0.18-0.23 SD on average.")


def _genomics_deviations(ctx: StageContext) -> list[str]:
    from ..genomics.stage import oncotypedx_clamp_note

    genomics = ctx.json("kim2020_genomics") or {}
    prep = genomics.get("preparation", {})
    out = [f"Expression (study 2): {prep['note']}."] if prep.get("note") else []
    return [*out, TAMR13_NOTE, *oncotypedx_clamp_note(genomics, "study kim2020")]


def _crf(ctx: StageContext) -> dict[str, Path]:
    from ..crf.stage import run_crf_stage

    cfg = dataclasses.replace(ctx.section("crf"), n_jobs=ctx.section("replicate").n_jobs)
    res = run_crf_stage(ctx.cohort(), ctx.dir, cfg, patients=patients(ctx.inputs),
                        published=PUBLISHED_ICC_RANGES)
    out = {"crfs": res.paths["crfs"]}
    if "icc_by_feature" in res.paths:
        out["kim2020_icc_features"] = res.paths["icc_by_feature"]
        out["kim2020_table2_icc"] = res.paths["icc_by_class"]
    return out


def _screens(ctx: StageContext) -> dict[str, Path]:
    from ..associate.univariate import write_univariate

    feats = crfs_reader(ctx.inputs)
    clinical = ctx.cohort().clinical
    p = write_univariate(feats, ctx.dir, pam50=clinical["pam50"].reindex(feats.index),
                         scores=risk_scores(ctx.inputs))
    return {"kim2020_kruskal_pam50": p["kruskal"], "kim2020_spearman": p["spearman"],
            "kim2020_table3_spearman_counts": p["table3"]}


def _predict_config(ctx: StageContext) -> Any:
    from .liu2023 import predict_config

    return predict_config(ctx)


def _predict(ctx: StageContext) -> dict[str, Path]:
    from ..predict.run import run_kim2020

    res = run_kim2020(ctx.dir, features=crfs_reader(ctx.inputs),
                      risk_scores=risk_scores(ctx.inputs),
                      screen=pd.read_csv(ctx.path("kim2020_spearman")),
                      config=_predict_config(ctx), published=PUBLISHED_TABLE4)
    return {"kim2020_table4_loo_lasso": res.paths["table4"],
            "kim2020_table4_paper_vs_rigorous": res.paths["table4_paper_vs_rigorous"]}


def _predict_deviations(ctx: StageContext) -> list[str]:
    if "rigorous" not in ctx.options["modes"]:
        return []
    return ["Study 2 rigorous mode nests the Spearman screen and the lasso inside every "
            f"leave-one-out fold, with {_predict_config(ctx).loo_inner_folds}-fold inner "
            "cv.glmnet (the paper screened all patients once)."]


def _explore(ctx: StageContext) -> dict[str, Path]:
    from ..explore.pipeline import run_explore

    c = ctx.cohort()
    keep = patients(ctx.inputs)
    clinical = c.clinical.loc[c.clinical.index.intersection(keep)]
    expr = pd.read_parquet(ctx.path("kim2020_expression_log2"))
    expr = expr.loc[expr.index.intersection(keep)]
    sets = {"pyradiomics": crfs_reader(ctx.inputs)} if ctx.has("crfs") else {}
    res = run_explore(sets, clinical, ctx.dir, expression=expr, config=ctx.section("explore"),
                      seed=ctx.config.seed)
    out: dict[str, Path] = {}
    gpaths = res["genes"]["paths"]
    if "fig1a_kruskal_genes" in gpaths:
        out["kim2020_fig1a_kruskal_genes"] = gpaths["fig1a_kruskal_genes"]
    out["kim2020_kruskal_genes"] = gpaths["kruskal_genes"]
    genes = pd.read_csv(gpaths["kruskal_genes"])
    rows = {"genes with Kruskal-Wallis p < 1e-9": int((genes["p_value"] < 1e-9).sum())}
    if sets:
        fpaths = res["pyradiomics"]["paths"]
        if "fig1b_kruskal" in fpaths:
            out["kim2020_fig1b_kruskal_crf_figure"] = fpaths["fig1b_kruskal"]
        if "kruskal_pam50" in fpaths:
            feats = pd.read_csv(fpaths["kruskal_pam50"])
            rows["radiomic features with p < 0.1"] = int((feats["p_value"] < 0.1).sum())
            out["kim2020_fig1b_kruskal_crf"] = store.write_frame(
                feats, ctx.dir / "fig1b_kruskal_crf.csv", index=False)
    counts = pd.DataFrame({"value": list(rows.values())},
                          index=pd.Index(list(rows), name="count"))
    out["kim2020_fig1_counts"] = store.write_frame(counts, ctx.dir / "fig1_counts.csv")
    return out


# ---------------------------------------------------------------- the stages

STAGES = (
    Stage("kim2020-cohort", run=f"{__name__}:assemble", call=_cohort,
          reads=("cohort:expression", "cohort:clinical?", "cohort:rois?", "cohort:dicom?",
                 "cohort:patients?"),
          writes={"kim2020_table1": "tables/kim2020_table1.csv",
                  "kim2020_flowchart": "tables/kim2020_flowchart.csv",
                  "kim2020_scanners?": "tables/kim2020_scanners.csv",
                  "kim2020_rois": None, "kim2020_patients": None},
          params=("cohort",), description="two readers' ROIs and RNA-seq; Table 1, scanners"),
    Stage("kim2020-genomics", run="pyradiogen.genomics.stage:stage", call=_genomics,
          reads=("cohort:expression", "cohort:genes?", "cohort:patients?"),
          writes={"kim2020_signatures": None, "kim2020_expression_log2": None,
                  "kim2020_genomics": None},
          params=("genomics",), deviations=_genomics_deviations,
          description="the 11 risk scores on study 2's expression scale"),
    Stage("kim2020-crf", run="pyradiogen.crf.stage:run_crf_stage", call=_crf,
          reads=("cohort:rois", "cohort:dicom", "kim2020_patients", "kim2020_rois"),
          writes={"crfs": None, "kim2020_icc_features?": "tables/kim2020_icc_features.csv",
                  "kim2020_table2_icc?": "tables/kim2020_table2_icc.csv"},
          params=("crf",), description="pyradiomics features, inter-reader ICC (Table 2)"),
    Stage("kim2020-associate", run="pyradiogen.associate.univariate:write_univariate",
          call=_screens, reads=("crfs", "kim2020_signatures", "kim2020_patients",
                                "cohort:clinical"),
          writes={"kim2020_kruskal_pam50": "tables/kim2020_kruskal_pam50.csv",
                  "kim2020_spearman": None,
                  "kim2020_table3_spearman_counts":
                      "tables/kim2020_table3_spearman_counts.csv"},
          description="Kruskal–Wallis across PAM50, Spearman with the risk scores (Table 3)"),
    Stage("kim2020-predict", run="pyradiogen.predict.run:run_kim2020", call=_predict,
          reads=("kim2020_spearman", "crfs", "kim2020_signatures", "kim2020_patients"),
          writes={"kim2020_table4_loo_lasso": "tables/kim2020_table4_loo_lasso.csv",
                  "kim2020_table4_paper_vs_rigorous":
                      "figures/kim2020_table4_paper_vs_rigorous.png"},
          params=("predict", "options.modes", "replicate.loo_inner_folds_rigorous"),
          deviations=_predict_deviations,
          description="LASSO with leave-one-out per risk score (Table 4)"),
    Stage("kim2020-explore", run="pyradiogen.explore.pipeline:run_explore", call=_explore,
          reads=("kim2020_expression_log2", "kim2020_patients", "cohort:clinical", "crfs?"),
          writes={"kim2020_fig1a_kruskal_genes?": "figures/kim2020_fig1a_kruskal_genes.png",
                  "kim2020_fig1b_kruskal_crf_figure?": "figures/kim2020_fig1b_kruskal_crf.png",
                  "kim2020_fig1b_kruskal_crf?": "tables/kim2020_fig1b_kruskal_crf.csv",
                  "kim2020_fig1_counts": "tables/kim2020_fig1_counts.csv",
                  "kim2020_kruskal_genes": None},
          params=("explore",),
          description="Kruskal–Wallis heatmaps of genes and features across PAM50 (Fig 1)"),
)


# ---------------------------------------------------------------- the report

#: figure result name (or pattern) → (title, caption) in the report
FIGURE_CAPTIONS: dict[str, tuple[str, str]] = {
    "kim2020_table4_paper_vs_rigorous": (
        "Table 4: adjusted R² in paper and rigorous mode",
        "Adjusted R² of the leave-one-out lasso per risk score in both modes (paper: lasso "
        "refitted on all patients at the LOO lambda.min; rigorous: lm of the score on the "
        "out-of-fold predictions of a screen and lasso nested in every fold)."),
    "kim2020_fig1a_kruskal_genes": (
        "Fig 1a: genes that differ across PAM50 subtypes",
        "Expression (z-score per gene) of the genes with Kruskal–Wallis p < 1e-9 across the "
        "PAM50 subtypes; patients (columns) grouped by subtype."),
    "kim2020_fig1b_kruskal_crf_figure": (
        "Fig 1b: radiomic features that differ across PAM50 subtypes",
        "pyradiomics features (z-score) with Kruskal–Wallis p < 0.1 across the PAM50 "
        "subtypes; patients grouped by subtype."),
}

#: Table 4's ``k`` means different things in the two modes: the report names it per mode
K_LABELS = {"paper": "non-zero coefficients", "rigorous": "median screened features"}


def table4_display(t4: pd.DataFrame | None) -> pd.DataFrame | None:
    """Table 4 for the report, rows by risk score in the published order, then mode.

    ``k`` is split into ``non-zero coefficients`` (paper rows) and ``median screened
    features`` (rigorous rows: the median over leave-one-out folds of the features the nested
    Spearman screen kept).

    Parameters
    ----------
    t4 : DataFrame or None
        The run's Table 4 (both modes).

    Returns
    -------
    DataFrame or None
        The table for display; None without one.
    """
    if t4 is None:
        return None
    t4 = t4.copy()
    if "k" in t4.columns and "mode" in t4.columns:
        pos = list(t4.columns).index("k")
        for i, (mode, label) in enumerate(K_LABELS.items()):
            t4.insert(pos + i, label, t4["k"].where(t4["mode"] == mode))
        t4 = t4.drop(columns=["k"])
    t4 = t4.rename(columns={"risk_score": "score"})
    order = {name: i for i, name in enumerate(PUBLISHED_TABLE4)}
    if "score" in t4.columns:
        t4 = t4.sort_values(["score", "mode"] if "mode" in t4.columns else ["score"],
                            key=lambda c: c.map(order).fillna(len(order))
                            if c.name == "score" else c, kind="stable")
    drop = [c for c in ("kept", "published_adj_r2", "published_p_value") if c in t4.columns]
    return t4.drop(columns=drop).reset_index(drop=True)


def genomics_section(rep: Any, art: Artefacts) -> None:
    """The report's summary of the genomics stage: the 11 risk scores and the PAM50 calls.

    Shown whenever the stage ran (a cohort of tables without images included), over study
    kim2020's patients (all samples scored when the cohort stage did not run): our PAM50
    calls per subtype beside the paper's Table 1 counts, and each risk score's samples,
    missing values, mean, SD and range.

    Parameters
    ----------
    rep : Report
        The report being built.
    art : Artefacts
        The run's named results (``kim2020_signatures``, ``kim2020_patients``).

    References
    ----------
    .. [1] Kim et al. Radiomic features of breast MRI and PAM50 subtypes and risk scores.
       *J Korean Soc Radiol* 81(3), 632 (2020).
    """
    from ..genomics.summary import restrict_to, score_summary, subtype_counts

    sig = art.frame("kim2020_signatures", index_col=0)
    if sig is None:
        return
    keep = patients(art) if art.path("kim2020_patients") is not None else None
    s = restrict_to(sig, keep)
    whom = (f"study kim2020's {len(keep)} patients" if keep is not None
            else "every sample with expression (the cohort stage did not run)")
    sec = rep.section("Study 2 — genomic features (PAM50 calls and the 11 risk scores)",
                      CITATION)
    summ = score_summary(s, SCORES)
    if "pam50_subtype" in s.columns:
        counts = subtype_counts(s["pam50_subtype"])
        pub = {"patients": sum(int(v) for (a, _), v in PUBLISHED_TABLE1.items()
                               if a == "PAM50"),
               **{lev: int(v) for (a, lev), v in PUBLISHED_TABLE1.items() if a == "PAM50"}}
        ours = {"patients": len(s), **dict(zip(counts["subtype"], counts["n"]))}
        rep.compare(sec, "PAM50 subtypes (our calls)", pub, ours,
                    caption=f"Patients per PAM50 subtype: the paper's Table 1 (its own calls "
                            f"on 1,092 TCGA-BRCA samples, then the 122 kept) and genefu's "
                            f"nearest-centroid calls (pam50.robust) of this run over {whom}.")
    rep.compare(sec, "Risk scores computed", {"risk scores (genefu)": len(SCORES)},
                {"risk scores (genefu)": int((summ["n"] > 0).sum()),
                 "samples scored (every sample with expression)": len(sig)},
                caption="The paper's 11 risk scores, and how many this run computed.")
    rep.table(sec, "The 11 risk scores", summ, index=False,
              caption=f"Each risk score (unitless; ESR1, ERBB2 and AURKA are genefu's gene "
                      f"modules) over {whom}: samples with a score, missing scores, mean, SD "
                      "and range; the paper reports no summary of the scores. A score not "
                      "computed is said in the note.")


def report(rep: Any, art: Artefacts, info: dict[str, Any]) -> None:
    """Study kim2020's sections of ``report.html``: published values beside this run's.

    Parameters
    ----------
    rep : Report
        The report being built.
    art : Artefacts
        The run's named results.
    info : dict
        Run facts (skipped stages, timings, settings).
    """
    from ..replicate.build_report import figures

    sec = rep.section("Study 2 — cohort", CITATION)
    pub = pd.DataFrame([(a, b, v) for (a, b), v in PUBLISHED_TABLE1.items()],
                       columns=["characteristic", "level", "value"])
    t1 = art.frame("kim2020_table1", keep_default_na=False)
    rep.compare(sec, "Table 1: cohort", pub,
                t1.drop(columns=["published"], errors="ignore") if t1 is not None else None,
                key=["characteristic", "level"],
                caption="Patients with RNA-seq and two readers' ROIs, by PAM50 subtype "
                        "(counts), published and in this run.")
    scan = art.frame("kim2020_scanners")
    rep.compare(sec, "Scanners", PUBLISHED_SCANNERS,
                scan.set_index("scanner")[["patients"]] if scan is not None else None,
                caption="Patients per scanner (vendor, field strength).")

    genomics_section(rep, art)

    sec = rep.section("Study 2 — reader agreement (Table 2)", CITATION)
    icc = pd.DataFrame([(k, lo, hi) for k, (lo, hi) in PUBLISHED_ICC_RANGES.items()],
                       columns=["feature_class", "ci_lower_min", "ci_upper_max"])
    rep.compare(sec, "Table 2: ICC 95% CI range per feature class", icc,
                art.frame("kim2020_table2_icc"), key="feature_class",
                caption="Inter-reader ICC(A,1) per pyradiomics feature: the lowest lower and "
                        "highest upper 95% confidence limit per feature class (unitless, 0–1).")

    sec = rep.section("Study 2 — PAM50 and risk scores (Kruskal–Wallis, Table 3)", CITATION)
    kw = art.frame("kim2020_kruskal_pam50")
    pcol = next((c for c in ("p_value", "p") if kw is not None and c in kw.columns), None)
    pub_kw = pd.DataFrame({"feature": list(PUBLISHED_KRUSKAL),
                           pcol or "p_value": list(PUBLISHED_KRUSKAL.values())})
    rep.compare(sec, "Kruskal–Wallis across PAM50 subtypes", pub_kw,
                kw.sort_values(pcol, kind="stable").reset_index(drop=True)
                if kw is not None and pcol else kw, key="feature",
                caption="Features whose distribution differs across the PAM50 subtypes "
                        "(Kruskal–Wallis): the three the paper reports as significant, and "
                        "this run's features, smallest p first.",
                csv=art.path("kim2020_kruskal_pam50"))
    pub_t3 = PUBLISHED_TABLE3.rename(index={
        "shape": "shape", "gldm": "GLDM", "glcm": "GLCM", "firstorder": "first order",
        "glrlm": "GLRLM", "glszm": "GLSZM", "ngtdm": "NGTDM"})
    rep.compare(sec, "Table 3: Spearman-significant features per class and score", pub_t3,
                art.frame("kim2020_table3_spearman_counts", index_col=0),
                caption="Number of features per pyradiomics class (rows) significantly "
                        "correlated (Spearman p < 0.05) with each risk score (columns); the "
                        "paper lists five scores.")

    sec = rep.section("Study 2 — LASSO with leave-one-out (Table 4)", CITATION)
    figures(rep, sec, art, ["kim2020_table4_*"], "Table 4 paper vs rigorous", FIGURE_CAPTIONS)
    t4 = pd.DataFrame([(k, r2, p) for k, (r2, p) in PUBLISHED_TABLE4.items()],
                      columns=["score", "adj_r2", "p_value"])
    rep.compare(sec, "Table 4: adjusted R² and p per risk score (both modes)", t4,
                table4_display(art.frame("kim2020_table4_loo_lasso")), key="score",
                caption="Lasso with leave-one-out per risk score: adjusted R² (unitless) and "
                        "its p. non-zero coefficients: paper rows, the k of the adjusted R²; "
                        "median screened features: rigorous rows, the median over folds of "
                        "the features the nested Spearman screen kept.",
                note="adj_r2/p_value: paper rows refit the lasso at the leave-one-out "
                     "lambda.min, R² adjusted with k = non-zero coefficients, F test; "
                     "adj_r2_loo/p_value_loo: lm of y on the out-of-fold predictions (the "
                     "alternative definition, k = 1), the only definition in rigorous rows.")

    sec = rep.section("Study 2 — Fig 1 heatmaps", CITATION)
    rep.compare(sec, "Kruskal–Wallis screens", PUBLISHED_FIG1,
                art.frame("kim2020_fig1_counts", index_col=0),
                caption="Genes and radiomic features that differ across the PAM50 subtypes "
                        "at the paper's thresholds (counts).")
    figures(rep, sec, art, ["kim2020_fig1*"], "Kim Fig 1", FIGURE_CAPTIONS)


def certificate(art: Artefacts, cfg: Any, load_cohort: Any, engine: str, load: bool = True
                ) -> tuple[dict[str, Any], list[Path]]:
    """What the parity certificate checks in study kim2020's results: the ICC table, with psych.

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
    icc = art.path("kim2020_icc_features")
    if icc is None or art.path("crfs") is None:
        return {}, []
    return ({"icc": {} if not load else {"crfs": art.frame("crfs"),
                                          "table": pd.read_csv(icc)}}, [icc])


STUDY = Study(name=NAME, title=TITLE, citation=CITATION, stages=STAGES, report=report,
              module=__name__, certificate=certificate)
