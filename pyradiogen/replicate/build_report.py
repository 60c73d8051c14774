"""Assemble ``report.html`` from a finished ``replicate`` run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .. import __version__
from . import paper_values as pv
from .report import Report, Section

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import ReplicateJob


def _read(path: Path, **kw) -> pd.DataFrame | None:
    if not path.exists():
        return None
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, **kw)


def _figures(job: ReplicateJob, patterns: list[str]) -> list[Path]:
    found: list[Path] = []
    for pat in patterns:
        for p in sorted(job.figures.rglob(f"{pat}.png")):
            if p not in found:
                found.append(p)
    return found


def _caption(path: Path) -> str:
    return path.stem.replace("_", " ")


def _add_figures(rep: Report, sec: Section, job: ReplicateJob, patterns: list[str],
                 missing: str) -> None:
    figs = _figures(job, patterns)
    if not figs:
        rep.text(sec, f"Figure not produced in this run: {missing}.", "note")
    for f in figs:
        rep.figure(sec, f, _caption(f))


def build_report(job: ReplicateJob) -> Path:
    """Write ``OUT/report.html``; return its path."""
    from .truth import score_against_truth

    meta = {
        "cohort": "synthetic demo cohort (generated)" if job.is_demo else f"real: {job.cohort_dir}",
        "studies": ", ".join(job.opt.studies()),
        "preset": job.cfg.preset,
        "prediction modes": ", ".join(job.opt.modes),
        "LME engine": job.opt.engine,
        "seed": job.cfg.seed,
        "pyradiogen": __version__,
        "stages": "; ".join(f"{r.name}: {r.label}" for r in job.records),
    }
    rep = Report("pyradiogen replicate: Liu & Hu 2023 and Kim et al. 2020", meta)
    for dev in job.deviations:
        rep.deviation(dev)
    if job.is_demo:
        rep.deviation("Demo cohort: synthetic images and expression with planted links stand in "
                      "for TCIA/TCGA data, so numbers are not expected to match the papers; the "
                      "truth section scores the pipeline instead.")
    _certificate(rep, job)
    studies = job.opt.studies()
    if "liu2023" in studies:
        _liu(rep, job)
    if "kim2020" in studies:
        _kim(rep, job)
    if job.is_demo:
        sec = rep.section("Pipeline scored against the planted truth (demo cohort)")
        scores = score_against_truth(job)
        if scores is None:
            rep.text(sec, "No truth file or no association results to score.", "note")
        else:
            rep.text(sec, "Linked: the generator planted an image-driving factor on the GF. "
                     "Confounded: not planted, but measured |Spearman r| >= 0.2 with an "
                     "image-driving factor, because TPM is compositional (raising many "
                     "proliferation genes lowers every other gene's share). Null: neither. "
                     "Power = called linked / linked; FDR = called null / called.", "note")
            rep.table(sec, "Power and false-discovery rate of the association scan", scores)
    return rep.write(job.out / "report.html")


def _certificate(rep: Report, job: ReplicateJob) -> None:
    """The parity certificate: first, and a deviation at the top of the report if it failed."""
    from ..certificate import ParityCertificate

    path = job.stages_dir / "certificate" / "certificate.json"
    sec = rep.section("Parity certificate: fast engines against R on this run's data")
    if not path.exists():
        rep.text(sec, "No parity certificate in this run ([certificate] enabled = false, or "
                 "every result came from R).", "note")
        return
    cert = ParityCertificate.read_json(path)
    rep.text(sec, "A seeded sample of this run's fast results recomputed with the R reference "
             "(nlme, GSVA, glmnet, psych): per engine and quantity, the largest absolute and "
             "relative difference beside the tolerance its parity test asserts.", "note")
    rep.html(sec, cert.to_html())
    if not cert.passed:
        for w in cert.warnings():
            rep.deviation(w)


def _liu(rep: Report, job: ReplicateJob) -> None:
    t = job.tables
    sec = rep.section("Study 1 — cohort (Table 1)", pv.LIU2023)
    rep.compare(sec, "Participant characteristics", pv.LIU_TABLE1,
                _read(t / "liu2023_table1.csv", index_col=0))
    rep.table(sec, "Exclusions (flowchart counts)", _read(t / "liu2023_flowchart.csv"))

    sec = rep.section("Study 1 — deep radiomic features (Fig 3)", pv.LIU2023)
    train = job.stages_dir / "drf" / "training.json"
    if train.exists():
        rep.table(sec, "Autoencoder training", json.loads(train.read_text()))
    _add_figures(rep, sec, job, ["*fig3*", "*kernel*", "*densit*", "*loss*"], "Fig 3")

    sec = rep.section("Study 1 — associations (Fig 5, Tables 2–3)", pv.LIU2023)
    rep.compare(sec, "Association counts", pv.LIU_ASSOCIATION,
                _read(t / "liu2023_association_summary.csv", index_col=0))
    rep.compare(sec, "Table 2: significant DRF–GF pairs per kernel", pv.LIU_TABLE2,
                _read(t / "liu2023_table2_kernels.csv"))
    rep.compare(sec, "Table 3: top GFs and their top-5 kernels", pv.LIU_TABLE3,
                _read(t / "liu2023_table3_top_gfs.csv"))
    rep.table(sec, "Fig 5e: top 30 DRFs", _read(t / "liu2023_fig5e_top30_drfs.csv"))
    rep.table(sec, "Fig 5f: significant CRFs", _read(t / "liu2023_fig5f_crfs.csv"))
    _add_figures(rep, sec, job, ["*fig5*"], "Fig 5 heatmaps")

    sec = rep.section("Study 1 — unsupervised views (Fig 4a–c)", pv.LIU2023)
    rep.compare(sec, "Clusters and Fisher tests", pv.LIU_CLUSTERING,
                _read(t / "liu2023_fig4_fisher.csv"))
    _add_figures(rep, sec, job, ["liu2023_drf_fig4a*", "liu2023_crf_fig4a*", "liu2023_*fig4bc*", "*tsne_clinical*"],
                 "Fig 4a–c")

    sec = rep.section("Study 1 — prediction (Fig 4d–e, Supplementary Fig 1 and Table 1)",
                      pv.LIU2023)
    rep.compare(sec, "LASSO: best test AUC per characteristic", pv.LIU_PREDICTION,
                _read(t / "liu2023_fig4de_lasso_summary.csv"),
                note="paper mode reproduces the authors' image-level split; rigorous mode "
                     "splits by patient and tunes inside training folds only.")
    rep.table(sec, "Supplementary Fig 1: signature and immune classes (AUC)",
              _read(t / "liu2023_suppfig1_classes_summary.csv"))
    rep.table(sec, "Supplementary Table 1: EfficientNet-B0 (AUC)",
              _read(t / "liu2023_supptable1_efficientnet.csv"))
    _add_figures(rep, sec, job, ["*fig4d*", "*suppfig1*", "*supptable1*"], "AUC and ROC curves")


def _kim(rep: Report, job: ReplicateJob) -> None:
    t = job.tables
    sec = rep.section("Study 2 — cohort", pv.KIM2020)
    rep.compare(sec, "Cohort", pv.KIM_COHORT, _read(t / "kim2020_table1.csv", index_col=0))

    sec = rep.section("Study 2 — reader agreement (Table 2)", pv.KIM2020)
    rep.compare(sec, "ICC range per feature class", pv.KIM_TABLE2,
                _read(t / "kim2020_table2_icc.csv"))

    sec = rep.section("Study 2 — PAM50 and risk scores (Kruskal–Wallis, Table 3)", pv.KIM2020)
    kw = _read(t / "kim2020_kruskal_pam50.csv")
    if kw is not None and "p" in kw.columns:
        kw = kw.sort_values("p").head(10)
    rep.compare(sec, "Kruskal–Wallis across PAM50 (smallest p)", pv.KIM_KRUSKAL, kw)
    rep.compare(sec, "Table 3: Spearman-significant features per class and score",
                pv.KIM_TABLE3, _read(t / "kim2020_table3_spearman_counts.csv", index_col=0))

    sec = rep.section("Study 2 — LASSO with leave-one-out (Table 4)", pv.KIM2020)
    _add_figures(rep, sec, job, ["kim2020*table4*"], "Table 4 paper vs rigorous")
    rep.compare(sec, "Table 4: adjusted R² and p per risk score (both modes)", pv.KIM_TABLE4,
                _read(t / "kim2020_table4_loo_lasso.csv"),
                note="adj_r2/p: lasso refitted at the leave-one-out lambda.min, R² adjusted "
                     "with k = non-zero coefficients, F test; adj_r2_loo/p_loo: lm of y on the "
                     "out-of-fold predictions (the alternative definition).")

    sec = rep.section("Study 2 — Fig 1 heatmaps", pv.KIM2020)
    rep.compare(sec, "Kruskal–Wallis screens", pv.KIM_FIG1, _read(t / "kim2020_fig1_counts.csv",
                                                                 index_col=0))
    _add_figures(rep, sec, job, ["kim2020*fig1*"], "Kim Fig 1")
