"""``pyradiogen drf train|extract``: deep radiomic features of a cohort (study 1)."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from ..config import DEFAULT_SEED
from . import UserError, console
from ._report import note

MODEL_FILE = "drf_model.pt"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("drf", help="deep radiomic features: train the autoencoder, extract DRFs")
    dsub = p.add_subparsers(dest="drf_command", metavar="ACTION")
    for name, helptext in (("train", "train the denoising autoencoder on the cohort's images"),
                           ("extract", "extract raw and quantile-normalised DRFs")):
        q = dsub.add_parser(name, help=helptext)
        q.add_argument("--cohort", required=True, type=Path, metavar="DIR",
                       help="cohort directory (with cohort.toml)")
        q.add_argument("--out", required=True, type=Path, metavar="DIR",
                       help="output directory")
        q.add_argument("--preset", choices=("paper", "code"), default=None,
                       help="paper: the text (min-max scaling, 2 conv blocks, Adam lr 0.1, MSE); "
                            "code: the authors' script (divide by the maximum, 3 blocks, "
                            "adadelta, cosine loss); default: the --config file's preset, "
                            "else paper")
        q.add_argument("--config", type=Path, default=None, metavar="FILE",
                       help="TOML configuration ([drf] section) on top of the preset "
                            "(default: none, the preset's values)")
        q.add_argument("--epochs", type=int, default=None, metavar="N",
                       help="training epochs (default: the preset's, 100)")
        q.add_argument("--seed", type=int, default=None, metavar="S",
                       help=f"random seed (default: the config's, else {DEFAULT_SEED})")
        q.add_argument("--device", default=None, metavar="DEVICE",
                       help="torch device: auto, cpu or cuda (default: the config's, auto = "
                            "cuda when torch sees a GPU)")
        q.add_argument("--threads", type=int, default=None, metavar="N",
                       help="torch CPU threads (default: torch's choice)")
        if name == "train":
            q.add_argument("--no-resume", action="store_true",
                           help="ignore an existing checkpoint in OUT/checkpoints (by default "
                                "training resumes from it)")
        else:
            q.add_argument("--model", type=Path, default=None, metavar="FILE",
                           help=f"trained model (default: OUT/{MODEL_FILE})")
        q.set_defaults(func=run_train if name == "train" else run_extract)
    p.set_defaults(func=lambda args: (p.print_help(), 1)[1])


def _setup(args: argparse.Namespace):
    from ..cohort import load_cohort
    from ..config import load_config
    from ..drf.cohort_io import select_images
    from ..studies.liu2023 import assemble

    cfg = load_config(args.config, preset=args.preset, seed=args.seed)
    drf_cfg = cfg.section("drf")
    if args.epochs is not None:
        if args.epochs < 1:
            raise UserError(f"--epochs must be at least 1, got {args.epochs}")
        drf_cfg = dataclasses.replace(drf_cfg, epochs=args.epochs)
    if args.device:
        drf_cfg = dataclasses.replace(drf_cfg, device=args.device)
    cfg.sections["drf"] = drf_cfg
    if not args.cohort.exists():
        raise UserError(f"{args.cohort}: cohort directory not found")
    cohort = load_cohort(args.cohort)
    images, how = select_images(cohort, assemble)
    if len(images) < 2:
        raise UserError(f"{args.cohort}: {len(images)} image(s) selected; DRFs need several")
    return cfg, cohort, images, how


def run_train(args: argparse.Namespace) -> int:
    from ..drf.stage import stage
    from ..store import write_manifest

    cfg, cohort, images, how = _setup(args)
    out = Path(args.out)
    res = stage(cohort, images, out, cfg.section("drf"), seed=cfg.seed, steps=("train",),
                resume=not args.no_resume, n_threads=args.threads,
                title=f"{cfg.preset} preset")
    est = res["estimator"]
    write_manifest(out, cfg, seeds={"drf": cfg.seed}, include_r=False,
                   name="manifest_drf_train.json",
                   extra={"stage": "drf train", "cohort": str(args.cohort), "image_selection": how,
                          "n_images": len(images),
                          "n_patients": int(images["patient_id"].nunique()),
                          "training": est.diagnosis_, "seconds": res["seconds"]["train"]})
    d = est.diagnosis_
    for ev in d.get("events", []):  # once: a divergence was already reported as a warning
        note(str(ev), console.print)
    console.print(f"drf train: {len(images)} images, {d['epochs']} epochs, lr {d['lr_used']:g}: "
                  f"{d['verdict']} (validation loss {d.get('val_loss_initial', float('nan')):.4g}"
                  f" → {d.get('val_loss_final', float('nan')):.4g}); model {out / MODEL_FILE}")
    return 0


def run_extract(args: argparse.Namespace) -> int:
    from ..drf.stage import stage
    from ..store import write_manifest

    out = Path(args.out)
    model_path = args.model or out / MODEL_FILE
    if not model_path.exists():
        raise UserError(f"{model_path}: no trained DRF model; run `pyradiogen drf train "
                        f"--cohort {args.cohort} --out {out}` first or pass --model")
    cfg, cohort, images, how = _setup(args)
    res = stage(cohort, images, out, cfg.section("drf"), seed=cfg.seed, steps=("extract",),
                model=model_path, n_threads=args.threads, device=args.device)
    est = res["estimator"]
    if dataclasses.replace(cfg.section("drf"), epochs=est.config_.epochs,
                           device=est.config_.device) != est.config_:
        console.print("[yellow]note:[/] the model was trained with other DRF settings than "
                      "this command's preset/config; extraction uses the model's")
    write_manifest(out, cfg, seeds={"drf": est.seed}, include_r=False,
                   extra={"stage": "drf extract", "cohort": str(args.cohort),
                          "model": str(model_path), "model_config": est.config_,
                          "image_selection": how, "n_images": len(images),
                          "n_patients": int(images["patient_id"].nunique()),
                          "n_features": est.n_features_, "flatten": est.config_.flatten,
                          "training": est.diagnosis_,
                          "extract_seconds": res["seconds"]["extract"],
                          "outputs": ["drfs.parquet", "drfs_qn.parquet",
                                      "drfs_qn_patient.parquet"]})
    console.print(f"drf extract: {res['n_rows']} images × {est.n_features_} features → "
                  f"{res['drfs']}, {res['drfs_qn']}")
    return 0
