"""The end-to-end ``replicate`` job: both studies, stage by stage, resumable.

Each stage reads earlier stages' files, writes its own under ``OUT/stages/<stage>/`` atomically,
and records the hash of its inputs and parameters in ``OUT/stages/.stages/``: a rerun or a
``--resume`` after a crash redoes nothing that finished. Tables go to ``OUT/tables``, figures to
``OUT/figures``, and the report to ``OUT/report.html``.
"""

from __future__ import annotations

import json
import shutil
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import store
from ..config import Config, default_config
from ..progress import console, progress_task

STUDIES = ("liu2023", "kim2020")
MODES = ("paper", "rigorous")
# Study 2's TamR score is computed as genefu computes it (the study used genefu), including a
# fault of genefu's reference table: data-raw/README.md ("Gene IDs of the genefu tables").
TAMR13_NOTE = (
    "TamR (study 2) is computed faithfully with genefu's sig.tamr13 table, whose EntrezGene.ID "
    "column holds numbers that are not Entrez Gene IDs for 60 of its 192 genes (e.g. ADRA2A 281 "
    "instead of 150) and no ID for 19 more: with gene mapping, as genefu does, some TAMR13 "
    "clusters read other genes' expression. On real TCGA-BRCA RNA-seq the corrected table "
    "(`signatures --tamr13-table corrected`, Python tamr13_table='corrected') gives scores "
    "correlated r = 0.99 with the faithful ones, differing by 0.18-0.23 SD on average.")

SIGNATURES_STUDY1 = {  # column of compute_signatures -> the paper's name
    "oncotypedx": "OncotypeDX", "endoPredict": "EndoPredict", "rorS": "Prosigna rorS",
    "gene70": "MammaPrint gene70", "genius": "GENIUS", "pik3cags": "PIK3CA-GS",
}
SCORES_STUDY2 = {  # Kim et al.'s 11 risk scores
    "ESR1": "ESR1", "ERBB2": "ERBB2", "AURKA": "AURKA", "endoPredict": "EndoPredict",
    "genius": "GENIUS", "ggi": "GGI", "oncotypedx": "OncotypeDx", "tamr13": "TamR",
    "gene70": "GENE70", "pik3cags": "PIK3CA", "rorS": "ROR-S",
}


def association_summary(overview: dict[str, Any]) -> pd.DataFrame:
    """The paper's association counts, computed from :func:`summary.overview` of each scan."""
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
        rows["top DRF kernel"] = top.get("kernel")
        rows["top DRF GFs"] = top.get("total")
    return pd.DataFrame({"value": list(rows.values())}, index=pd.Index(list(rows), name="count"))


@dataclass
class ReplicateOptions:
    """Command-line choices of one run."""

    out: Path = Path("results/replicate")
    cohort: Path | None = None
    study: str = "all"
    preset: str = "paper"
    modes: tuple[str, ...] = MODES
    engine: str = "fast"
    resume: bool = True
    config: Config | None = None

    def studies(self) -> tuple[str, ...]:
        return STUDIES if self.study == "all" else (self.study,)


@dataclass
class StageRecord:
    name: str
    ran: bool
    seconds: float
    outputs: list[str] = field(default_factory=list)


class ReplicateJob:
    """Runs the stages of ``replicate`` for the chosen studies."""

    def __init__(self, options: ReplicateOptions):
        self.opt = options
        self.out = Path(options.out)
        self.cfg = options.config or default_config(options.preset)
        self.rcfg = self.cfg.section("replicate")
        self.stages_dir = self.out / "stages"
        self.tables = self.out / "tables"
        self.figures = self.out / "figures"
        self.cache = store.StageCache(self.stages_dir)
        self.records: list[StageRecord] = []
        self._cohort = None
        self.deviations: list[str] = []

    # ------------------------------------------------------------------ plumbing
    @property
    def cohort_dir(self) -> Path:
        return Path(self.opt.cohort) if self.opt.cohort else self.out / "cohort"

    @property
    def is_demo(self) -> bool:
        """A generated cohort, or a given one that is a pyradiogen demo cohort."""
        if self.opt.cohort is None:
            return True
        from ..cohort.manifest import read_manifest

        return read_manifest(self.cohort_dir).kind == "demo"

    def cohort(self):
        if self._cohort is None:
            from ..cohort import load_cohort

            self._cohort = load_cohort(self.cohort_dir)
        return self._cohort

    def stage_dir(self, name: str) -> Path:
        d = self.stages_dir / name
        d.mkdir(parents=True, exist_ok=True)
        return d

    def cohort_inputs(self, *parts: str) -> list[Path]:
        """``cohort.toml`` and the named parts of the cohort that exist (for stage keys).

        DICOM folders are not hashed (real downloads are large): the image index that the
        ``assemble`` stage writes stands in for them.
        """
        from ..cohort.manifest import MANIFEST, read_manifest

        man = read_manifest(self.cohort_dir)
        paths = [self.cohort_dir / MANIFEST] if (self.cohort_dir / MANIFEST).exists() else []
        return paths + [p for part in parts if (p := man.path(part)) is not None and p.exists()]

    def _params(self, **extra: Any) -> dict[str, Any]:
        return {"preset": self.cfg.preset, "seed": self.cfg.seed, **extra}

    def run_stage(self, name: str, fn: Callable[[Path], list[Path]], inputs: list[Path],
                  params: dict[str, Any]) -> list[Path]:
        t0 = time.perf_counter()
        d = self.stage_dir(name)
        ran, outs = self.cache.run(name, lambda: fn(d), inputs=inputs, params=params,
                                   force=not self.opt.resume)
        rec = StageRecord(name, ran, time.perf_counter() - t0, [str(o) for o in outs])
        self.records.append(rec)
        verb = "ran" if ran else "reused"
        console.print(f"  [green]✓[/] {name}: {verb} in {rec.seconds:.1f} s")
        return outs

    # ------------------------------------------------------------------ the job
    def plan(self) -> list[tuple[str, Callable[[], None]]]:
        steps: list[tuple[str, Callable[[], None]]] = [("cohort", self.stage_cohort),
                                                       ("genomics", self.stage_genomics)]
        studies = self.opt.studies()
        if "liu2023" in studies:
            steps += [("drf", self.stage_drf), ("associate-liu", self.stage_associate_liu),
                      ("predict-liu", self.stage_predict_liu), ("explore", self.stage_explore)]
        if "kim2020" in studies:
            steps += [("crf", self.stage_crf), ("screens-kim", self.stage_screens_kim),
                      ("predict-kim", self.stage_predict_kim),
                      ("explore-kim", self.stage_explore_kim)]
        return steps

    def run(self) -> Path:
        """Run every stage (skipping finished ones), then write the report and manifest."""
        from ..rbridge import set_seed

        self.out.mkdir(parents=True, exist_ok=True)
        set_seed(self.cfg.seed)
        steps = self.plan()
        console.print(f"[bold]pyradiogen replicate[/] → {self.out} "
                      f"({'demo' if self.is_demo else 'real'} cohort, preset {self.cfg.preset}, "
                      f"modes {'/'.join(self.opt.modes)}, engine {self.opt.engine})")
        with progress_task("replicate", len(steps) + 1) as advance:
            for _name, step in steps:
                step()
                advance()
            report = self.write_report()
            advance()
        store.write_manifest(self.out, config=self.cfg.to_dict(),
                             seeds={"global": self.cfg.seed, "demo": self.rcfg.demo_seed},
                             extra={"options": {"study": self.opt.study, "modes": self.opt.modes,
                                                "engine": self.opt.engine,
                                                "cohort": str(self.cohort_dir),
                                                "demo": self.is_demo},
                                    "stages": [r.__dict__ for r in self.records]})
        return report

    # ------------------------------------------------------------------ stages
    def stage_cohort(self) -> None:
        if self.is_demo:
            from ..demo import make_demo_cohort
            from ..demo.generate import DEMO_VERSION

            def gen(_d: Path) -> list[Path]:
                make_demo_cohort(self.cohort_dir, n_patients=self.rcfg.demo_patients,
                                 seed=self.rcfg.demo_seed)
                return [self.cohort_dir / "cohort.toml"]

            self.run_stage("demo-data", gen, [], {"n": self.rcfg.demo_patients,
                                                  "seed": self.rcfg.demo_seed, "v": DEMO_VERSION})

        def assemble(d: Path) -> list[Path]:
            c = self.cohort()
            s1, s2 = c.study1(), c.study2()
            outs = [store.write_frame(s1.table1, self.tables / "liu2023_table1.csv", index=False),
                    store.write_frame(s1.flowchart, self.tables / "liu2023_flowchart.csv",
                                      index=False),
                    store.write_frame(s1.images, d / "study1_images.csv"),
                    store.write_frame(s2.rois, d / "study2_rois.csv", index=False),
                    store.write_frame(s2.table1, self.tables / "kim2020_table1.csv", index=False),
                    store.write_frame(s2.flowchart, self.tables / "kim2020_flowchart.csv",
                                      index=False),
                    store.write_frame(s2.extra["scanners"], self.tables / "kim2020_scanners.csv",
                                      index=False)]
            store.write_json(d / "patients.json", {"study1": list(s1.patients),
                                                   "study2": list(s2.patients),
                                                   "study1_images": s1.extra})
            return [*outs, d / "patients.json"]

        # v=2: DCE exams, phases counted from the pre-contrast phase 0 (post_phase)
        self.run_stage("assemble", assemble,
                       self.cohort_inputs("rois", "patients", "clinical", "star_counts",
                                          "matrix", "genes"),
                       self._params(v=2))
        from ..minimums import require_minimums

        # before any long stage: every stage to run has its minimum of patients
        require_minimums(self.cohort(), self.opt.studies(),
                         kept={s: self.patients(s) for s in self.opt.studies()})

    def patients(self, study: str) -> list[str]:
        data = json.loads((self.stages_dir / "assemble" / "patients.json").read_text())
        return data["study1" if study == "liu2023" else "study2"]

    def stage_genomics(self) -> None:
        from ..genomics.expression import cohort_expression
        from ..genomics.risk import cohort_risk_features
        from ..genomics.signatures import annotation_from_genes, compute_signatures
        from ..genomics.ssgsea import pathway_scores

        def run(d: Path) -> list[Path]:
            c = self.cohort()
            gcfg = self.cfg.section("genomics")
            expr = cohort_expression(c, gcfg, study=1)
            annot = annotation_from_genes(list(expr.columns), c.genes)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sig = compute_signatures(expr, annot, do_mapping=True)
            sig.index.name = "sample"
            kegg = pathway_scores(c, gcfg, expr)
            kegg.index.name = "sample"
            outs = [store.write_frame(sig, d / "signatures.csv"),
                    store.write_frame(kegg, d / "ssgsea.csv"),
                    store.write_frame(expr, d / "expression_log2.parquet")]
            # study 2 scores its 11 risk scores on its own expression scale (RSEM-like)
            expr2 = cohort_expression(c, gcfg, study=2)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sig2 = compute_signatures(expr2, annotation_from_genes(list(expr2.columns),
                                                                       c.genes), do_mapping=True)
            sig2.index.name = "sample"
            outs.append(store.write_frame(sig2, d / "signatures_study2.csv"))
            outs.append(store.write_frame(expr2, d / "expression_log2_study2.parquet"))
            risk, note = cohort_risk_features(c, gcfg, expr)
            store.write_json(d / "risk_note.json", note)
            outs.append(d / "risk_note.json")
            if risk is not None:
                risk.index.name = "sample"
                outs.append(store.write_frame(risk, d / "risk_genes.csv"))
            return outs

        self.run_stage("genomics", run,
                       self.cohort_inputs("star_counts", "matrix", "genes", "risk_genes",
                                          "genesets"),
                       self._params(genomics=self.cfg.section("genomics"), v=1))
        if not (self.stages_dir / "genomics" / "risk_genes.csv").exists():
            self.deviations.append("Study 1's 288 risk genes are not public and no risk-gene list "
                                   "was given: the risk-gene association was not run.")
        elif self.is_demo:
            self.deviations.append("Risk genes: the demo cohort's synthetic risk panel stands in "
                                   "for study 1's unpublished 288-gene list.")

    def gf_table(self) -> pd.DataFrame:
        """Study 1's GFs: risk genes + 6 signatures + KEGG pathways (patients × GF)."""
        d = self.stages_dir / "genomics"
        parts = []
        risk_path = d / "risk_genes.csv"
        if risk_path.exists():
            parts.append(pd.read_csv(risk_path, index_col=0))
        sig = pd.read_csv(d / "signatures.csv", index_col=0)[list(SIGNATURES_STUDY1)]
        parts.append(sig)
        parts.append(pd.read_csv(d / "ssgsea.csv", index_col=0))
        gf = pd.concat(parts, axis=1).copy()
        gf.index.name = "patient_id"
        return gf

    def gf_types(self) -> dict[str, str]:
        d = self.stages_dir / "genomics"
        types: dict[str, str] = {}
        if (d / "risk_genes.csv").exists():
            types.update({g: "risk_gene" for g in pd.read_csv(d / "risk_genes.csv", index_col=0)})
        types.update({s: "signature" for s in SIGNATURES_STUDY1})
        types.update({k: "kegg" for k in pd.read_csv(d / "ssgsea.csv", index_col=0, nrows=1)})
        return types

    # ------------------------------------------------------------------ study 1
    def stage_drf(self) -> None:
        import dataclasses

        import numpy as np

        from ..drf import DRFExtractor, quantile_normalize, to_table
        from ..drf.figures import plot_densities, plot_kernel_maps, plot_loss_curves

        def run(d: Path) -> list[Path]:
            c = self.cohort()
            images = pd.read_csv(self.stages_dir / "assemble" / "study1_images.csv", index_col=0)
            pixels = [c.pixels(i) for i in images.index]
            dcfg = self.cfg.section("drf")
            if self.rcfg.drf_epochs is not None:
                dcfg = dataclasses.replace(dcfg, epochs=self.rcfg.drf_epochs)
            est = DRFExtractor(dcfg, seed=self.cfg.seed, checkpoint_dir=d / "checkpoints")
            est.fit(pixels, list(images["patient_id"]), list(images.index))
            raw = est.transform(pixels, list(images["patient_id"]), list(images.index))
            qn = quantile_normalize(raw)
            outs = [store.write_frame(to_table(raw), d / "drfs.parquet", index=False),
                    store.write_frame(to_table(qn), d / "drfs_qn.parquet", index=False),
                    est.save(d / "model.pt"),
                    store.write_frame(est.history_, self.tables / "liu2023_drf_loss_history.csv",
                                      index=False),
                    store.write_json(d / "training.json", est.diagnosis_)]
            pick = int(np.argmax([p.size for p in pixels]))
            img = est.preprocess([pixels[pick]])[0]
            outs += plot_kernel_maps(img, est.maps(qn.iloc[pick].to_numpy()),
                                     self.figures / "liu2023_fig3_kernel_maps",
                                     title=str(images.index[pick]))
            outs += plot_densities(raw, qn, self.figures / "liu2023_fig3_density")
            outs += plot_loss_curves(est.history_, self.figures / "liu2023_drf_loss_curves",
                                     title=f"{self.cfg.preset} preset",
                                     failed=est.train_result_.failed_history)
            return [Path(o) for o in outs if o is not None]

        self.run_stage("drf", run, [self.stages_dir / "assemble" / "study1_images.csv"],
                       self._params(drf=self.cfg.section("drf"), epochs=self.rcfg.drf_epochs,
                                    v=1))

    def drfs(self) -> pd.DataFrame:
        return pd.read_parquet(self.stages_dir / "drf" / "drfs_qn.parquet")

    def crf36(self) -> pd.DataFrame:
        """Study 1's 36 conventional features as a feature table (one row per patient)."""
        crf = self.cohort().crf36.copy()
        crf = crf.loc[crf.index.intersection(self.patients("liu2023"))]
        out = crf.reset_index().rename(columns={crf.index.name or "index": "patient_id"}).copy()
        out.insert(0, "image_id", out["patient_id"])
        return out

    def stage_associate_liu(self) -> None:
        from ..associate import associate, summary, write_outputs

        classes = {"risk_gene": "risk genes", "signature": "signatures", "kegg": "KEGG"}

        def run(d: Path) -> list[Path]:
            gf = self.gf_table().reset_index()
            gf_class = {g: classes[t] for g, t in self.gf_types().items()}
            acfg = self.cfg.section("associate")
            outs: list[Path] = []
            overview = {}
            for label, feats in (("drf", self.drfs()), ("crf", self.crf36())):
                res = associate(feats, gf, engine=self.opt.engine, preset=self.cfg.preset,
                                n_jobs=self.rcfg.n_jobs, backend=acfg.backend,
                                alpha=acfg.alpha, out_dir=d / f"{label}_blocks",
                                gf_class=gf_class)
                paths = write_outputs(res, d / label, label=label.upper(),
                                      config=self.cfg.to_dict())
                outs += [Path(p) for p in paths.values()]
                overview[label.upper()] = summary.overview(res)
                if label == "drf":
                    top = summary.per_feature(res)
                    overview["top_drf"] = top.iloc[0].to_dict() if len(top) else {}
                    outs.append(store.write_frame(summary.per_kernel(res),
                                                  self.tables / "liu2023_table2_kernels.csv",
                                                  index=False))
                    outs.append(store.write_frame(summary.top_gfs(res),
                                                  self.tables / "liu2023_table3_top_gfs.csv",
                                                  index=False))
                for name, dest in (("fig5e_top30.csv", "liu2023_fig5e_top30_drfs.csv"),
                                   ("fig5f_significant.csv", "liu2023_fig5f_crfs.csv")):
                    if (d / label / name).exists():
                        outs.append(self.publish(d / label / name, dest))
                figdir = d / label / "figures"
                if figdir.exists():
                    for f in sorted(figdir.iterdir()):
                        outs.append(self.publish(f, f"liu2023_{label}_{f.name}"))
                for blocks in (d / f"{label}_blocks").glob("blocks"):
                    shutil.rmtree(blocks, ignore_errors=True)  # finished: the scan is written
            outs.append(store.write_json(d / "overview.json", overview))
            outs.append(store.write_frame(association_summary(overview),
                                          self.tables / "liu2023_association_summary.csv"))
            return outs

        self.run_stage("associate-liu", run,
                       [self.stages_dir / "drf" / "drfs_qn.parquet",
                        self.stages_dir / "genomics" / "signatures.csv",
                        self.stages_dir / "genomics" / "ssgsea.csv",
                        *self.cohort_inputs("crf36")],
                       self._params(engine=self.opt.engine,
                                    associate=self.cfg.section("associate"), v=1))

    def publish(self, src: Path, name: str) -> Path:
        """Copy a stage's table or figure into ``tables/`` or ``figures/`` under ``name``."""
        dest_dir = self.figures if src.suffix in (".png", ".svg") else self.tables
        return store.atomic_write(dest_dir / name, src.read_bytes())

    def publish_all(self, folder: Path, prefix: str) -> list[Path]:
        """Publish every CSV, PNG and SVG of a stage folder with a study prefix."""
        outs = []
        for src in sorted(folder.iterdir()):
            if src.suffix in (".csv", ".png", ".svg") and src.is_file():
                outs.append(self.publish(src, f"{prefix}_{src.name}"))
        return outs

    def predict_config(self):
        import dataclasses

        pcfg = self.cfg.section("predict")
        return dataclasses.replace(
            pcfg, modes=list(self.opt.modes),
            selection_permutations_rigorous=(pcfg.selection_permutations_rigorous
                                             or self.rcfg.classes_permutations_rigorous),
            n_jobs=max(pcfg.n_jobs, self.rcfg.n_jobs),
            loo_inner_folds=min(pcfg.loo_inner_folds, self.rcfg.loo_inner_folds_rigorous),
            efficientnet=True, efficientnet_epochs=self.rcfg.efficientnet_epochs,
            efficientnet_image_size=self.rcfg.efficientnet_image_size)

    def stage_predict_liu(self) -> None:
        from ..predict.run import cohort_images, run_liu2023

        def run(d: Path) -> list[Path]:
            c = self.cohort()
            pcfg = self.predict_config()
            targets = pd.concat([self.gf_table()[list(SIGNATURES_STUDY1)], c.timer], axis=1,
                                join="inner")
            targets.index.name = "patient_id"
            images = labels = None
            if pcfg.efficientnet:
                images, labels = cohort_images(c)
                keep = labels["patient_id"].isin(self.patients("liu2023")).to_numpy()
                idx = [i for i, k in enumerate(keep) if k][: self.rcfg.efficientnet_max_images]
                images = [images[i] for i in idx]
                labels = labels.iloc[idx].reset_index(drop=True)
            crf = self.crf36().drop(columns=["image_id"]).set_index("patient_id")
            run_liu2023(d, drf=self.drfs(), clinical=c.clinical, crf=crf, targets=targets,
                        images=images, image_labels=labels, config=pcfg)
            return self.publish_all(d, "liu2023")

        pcfg = self.predict_config()
        weights = pcfg.efficientnet_weights or "none (no local ImageNet weights file given)"
        self.deviations.append(
            f"EfficientNet-B0 baseline: {pcfg.efficientnet_epochs} epoch(s) at "
            f"{pcfg.efficientnet_image_size}×{pcfg.efficientnet_image_size} on at most "
            f"{self.rcfg.efficientnet_max_images} images, pre-trained weights: {weights} "
            "(the paper: 100 epochs at 224×224 with and without ImageNet weights; set "
            "[replicate] efficientnet_* and [predict] efficientnet_weights to run it in full).")
        if "rigorous" in self.opt.modes:
            self.deviations.append(
                "Rigorous mode repeats the ClassifyR-style selection inside every outer fold with "
                f"{pcfg.selection_permutations_rigorous} permutations (paper mode: 100).")
        self.run_stage("predict-liu", run,
                       [self.stages_dir / "drf" / "drfs_qn.parquet",
                        self.stages_dir / "genomics" / "signatures.csv",
                        *self.cohort_inputs("crf36", "timer", "clinical")],
                       self._params(predict=self.predict_config(), v=1))

    def stage_explore(self) -> None:
        from ..explore import run_explore

        def run(d: Path) -> list[Path]:
            c = self.cohort()
            keep = self.patients("liu2023")
            run_explore({"drf": self.drfs(), "crf": self.crf36()},
                        c.clinical.loc[c.clinical.index.intersection(keep)], d,
                        expression=None, config=self.cfg.section("explore"), seed=self.cfg.seed)
            outs, fisher = [], []
            for label in ("drf", "crf"):
                for name in ("fig4a_heatmap", "fig4bc_tsne", "tsne_clinical"):
                    for ext in (".png", ".svg"):
                        src = d / label / f"{name}{ext}"
                        if src.exists():
                            outs.append(self.publish(src, f"liu2023_{label}_{name}{ext}"))
                for kind in ("hclust", "tsne"):
                    f = d / label / f"{kind}_fisher.csv"
                    if f.exists():
                        fisher.append(pd.read_csv(f).assign(features=label.upper()))
            for ext in (".png", ".svg"):
                if (d / f"compare_tsne{ext}").exists():
                    outs.append(self.publish(d / f"compare_tsne{ext}",
                                             f"liu2023_fig4bc_drf_vs_crf_tsne{ext}"))
            if fisher:
                tab = pd.concat(fisher, ignore_index=True)
                outs.append(store.write_frame(tab, self.tables / "liu2023_fig4_fisher.csv",
                                              index=False))
            return outs

        self.run_stage("explore", run, [self.stages_dir / "drf" / "drfs_qn.parquet",
                                        *self.cohort_inputs("crf36", "clinical")],
                       self._params(explore=self.cfg.section("explore"), v=2))

    def stage_explore_kim(self) -> None:
        from ..explore import explore_features, explore_genes

        def run(d: Path) -> list[Path]:
            c = self.cohort()
            keep = self.patients("kim2020")
            clinical = c.clinical.loc[c.clinical.index.intersection(keep)]
            expr = pd.read_parquet(self.stages_dir / "genomics" / "expression_log2_study2.parquet")
            expr = expr.loc[expr.index.intersection(keep)]
            ecfg = self.cfg.section("explore")
            explore_genes(expr, clinical, d, config=ecfg)
            explore_features(self.crfs_reader(), clinical, d, label="pyradiomics", config=ecfg,
                             seed=self.cfg.seed)
            outs = []
            for src, name in ((d / "fig1a_kruskal_genes", "kim2020_fig1a_kruskal_genes"),
                              (d / "pyradiomics" / "fig1b_kruskal", "kim2020_fig1b_kruskal_crf")):
                for ext in (".png", ".svg"):
                    if src.with_suffix(ext).exists():
                        outs.append(self.publish(src.with_suffix(ext), name + ext))
            genes = pd.read_csv(d / "kruskal_genes.csv")
            feats = pd.read_csv(d / "pyradiomics" / "kruskal_pam50.csv")
            counts = pd.DataFrame({"value": [int((genes["p_value"] < 1e-9).sum()),
                                             int((feats["p_value"] < 0.1).sum())]},
                                  index=pd.Index(["genes with Kruskal-Wallis p < 1e-9",
                                                  "radiomic features with p < 0.1"],
                                                 name="count"))
            outs.append(store.write_frame(counts, self.tables / "kim2020_fig1_counts.csv"))
            outs.append(store.write_frame(feats, self.tables / "kim2020_fig1b_kruskal_crf.csv",
                                          index=False))
            return outs

        self.run_stage("explore-kim", run,
                       [self.stages_dir / "crf" / "crfs.parquet",
                        self.stages_dir / "genomics" / "expression_log2_study2.parquet",
                        *self.cohort_inputs("clinical")],
                       self._params(explore=self.cfg.section("explore"), v=1))

    # ------------------------------------------------------------------ study 2
    def stage_crf(self) -> None:
        from ..crf import class_ranges, extract_crfs, inter_reader_table

        def run(d: Path) -> list[Path]:
            crfs = extract_crfs(self.cohort(), n_jobs=self.rcfg.n_jobs, cache_dir=d / "roi_cache")
            keep = set(self.patients("kim2020"))
            crfs = crfs[crfs["patient_id"].isin(keep)]
            table = inter_reader_table(crfs)
            ranges = class_ranges(table)
            return [store.write_frame(crfs, d / "crfs.parquet", index=False),
                    store.write_frame(table, self.tables / "kim2020_icc_features.csv", index=False),
                    store.write_frame(ranges, self.tables / "kim2020_table2_icc.csv", index=False)]

        self.run_stage("crf", run, [self.stages_dir / "assemble" / "study2_rois.csv",
                                    *self.cohort_inputs("rois")],
                       self._params(crf=self.cfg.section("crf"), v=1))

    def crfs_reader(self, reader: str | None = None) -> pd.DataFrame:
        """Study 2's pyradiomics features of one reader (the first by default): patients ×
        features, indexed by patient. The papers' screens use one reader's ROIs."""
        crfs = pd.read_parquet(self.stages_dir / "crf" / "crfs.parquet")
        reader = reader or sorted(crfs["reader"].unique())[0]
        one = crfs[crfs["reader"] == reader].drop(columns=["reader", "image_id"])
        return one.set_index("patient_id")

    def kim_scores(self) -> pd.DataFrame:
        sig = pd.read_csv(self.stages_dir / "genomics" / "signatures_study2.csv", index_col=0)
        scores = sig[list(SCORES_STUDY2)].rename(columns=SCORES_STUDY2)
        scores.index.name = "patient_id"
        return scores.loc[scores.index.intersection(self.patients("kim2020"))]

    def stage_screens_kim(self) -> None:
        from ..associate import class_counts, kruskal_scan, spearman_scan

        self.deviations.append(TAMR13_NOTE)

        def run(d: Path) -> list[Path]:
            feats = self.crfs_reader()
            clinical = self.cohort().clinical
            kw = kruskal_scan(feats, clinical["pam50"].reindex(feats.index))
            sp = spearman_scan(feats, self.kim_scores())
            counts = class_counts(sp)
            return [store.write_frame(kw, self.tables / "kim2020_kruskal_pam50.csv", index=False),
                    store.write_frame(sp, d / "spearman.csv", index=False),
                    store.write_frame(counts, self.tables / "kim2020_table3_spearman_counts.csv")]

        self.run_stage("screens-kim", run, [self.stages_dir / "crf" / "crfs.parquet",
                                            self.stages_dir / "genomics" / "signatures_study2.csv",
                                            *self.cohort_inputs("clinical")],
                       self._params(v=1))

    def stage_predict_kim(self) -> None:
        from ..predict.run import run_kim2020

        if "rigorous" in self.opt.modes:
            self.deviations.append(
                "Study 2 rigorous mode nests the Spearman screen and the lasso inside every "
                f"leave-one-out fold, with {self.predict_config().loo_inner_folds}-fold inner "
                "cv.glmnet (the paper screened all patients once).")

        def run(d: Path) -> list[Path]:
            sp = pd.read_csv(self.stages_dir / "screens-kim" / "spearman.csv")
            run_kim2020(d, features=self.crfs_reader(), risk_scores=self.kim_scores(),
                        screen=sp, config=self.predict_config())
            return self.publish_all(d, "kim2020")

        self.run_stage("predict-kim", run, [self.stages_dir / "screens-kim" / "spearman.csv",
                                            self.stages_dir / "crf" / "crfs.parquet",
                                            self.stages_dir / "genomics" / "signatures_study2.csv"],
                       self._params(predict=self.predict_config(), v=1))

    # ------------------------------------------------------------------ report
    def write_report(self) -> Path:
        from .build_report import build_report

        return build_report(self)
