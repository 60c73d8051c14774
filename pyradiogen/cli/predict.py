"""``pyradiogen predict``: LASSO / LOO / nnet-XGBoost / EfficientNet predictions, both modes."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import UserError, console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("predict", help="prediction models of study 1 (liu2023) or 2 (kim2020)")
    p.add_argument("--study", required=True, choices=["liu2023", "kim2020"])
    p.add_argument("--mode", default="both", choices=["paper", "rigorous", "both"],
                   help="paper = as published; rigorous = leak-free; both (default) side by side")
    p.add_argument("--features", required=True, type=Path,
                   help="feature table (csv/tsv/parquet): image_id, patient_id, features… "
                        "(DRFs for liu2023, pyradiomics features for kim2020)")
    p.add_argument("--crf", type=Path, help="liu2023: conventional features (default: the "
                   "cohort's crf36)")
    p.add_argument("--cohort", type=Path, help="cohort directory (clinical, crf36, timer)")
    p.add_argument("--clinical", type=Path, help="clinical table indexed by patient_id (T, N, "
                   "ER, PR, HER2); default: the cohort's")
    p.add_argument("--signatures", type=Path, help="liu2023: patient_id + signature scores")
    p.add_argument("--timer", type=Path, help="liu2023: patient_id + TIMER cell types "
                   "(default: the cohort's)")
    p.add_argument("--risk-scores", type=Path, help="kim2020: patient_id + the 11 risk scores")
    p.add_argument("--screen", type=Path, help="kim2020: Spearman screen (score, feature, p)")
    p.add_argument("--config", type=Path, help="TOML run configuration ([predict] section)")
    p.add_argument("--preset", choices=["paper", "code"], help="paper: 100 lambdas; code: 20")
    p.add_argument("--nlambda", type=int, help="override the lambda-grid length")
    p.add_argument("--jobs", type=int, help="worker processes for the LASSO characteristics")
    p.add_argument("--outer-folds", type=int, help="rigorous mode: outer CV folds (default 5)")
    p.add_argument("--characteristics", help="comma-separated subset of T,N,ER,PR,HER2")
    p.add_argument("--permutations", type=int, help="ClassifyR CV repetitions (default 100)")
    p.add_argument("--efficientnet", action="store_true",
                   help="liu2023: also train the EfficientNet-B0 baseline on the cohort's images")
    p.add_argument("--efficientnet-weights", type=Path,
                   help="local EfficientNet-B0 state dict for the pre-trained variant")
    p.add_argument("--efficientnet-epochs", type=int, help="EfficientNet epochs (default 100)")
    p.add_argument("--out", required=True, type=Path, help="output folder")
    p.set_defaults(func=run)


def _read(path: Path | None, what: str):
    from ..store import read_frame

    if path is None:
        return None
    if not path.exists():
        raise UserError(f"{what} file {path} does not exist")
    return read_frame(path)


def run(args: argparse.Namespace) -> int:
    from .. import rbridge
    from ..config import load_config
    from ..predict.config import PredictConfig
    from ..predict.run import run_kim2020, run_liu2023, with_patient_column

    if args.config is not None:
        cfg = load_config(args.config, preset=args.preset).section("predict")
    else:  # the preset's values without building every other stage's section
        cfg = PredictConfig(nlambda=20) if args.preset == "code" else PredictConfig()
    if args.nlambda:
        cfg.nlambda = args.nlambda
    if args.jobs:
        cfg.n_jobs = args.jobs
    if args.outer_folds:
        cfg.outer_folds = args.outer_folds
    if args.characteristics:
        cfg.characteristics = [c.strip() for c in args.characteristics.split(",") if c.strip()]
    if args.permutations:
        cfg.selection_permutations = args.permutations
    if args.efficientnet_epochs:
        cfg.efficientnet_epochs = args.efficientnet_epochs
    if args.efficientnet_weights:
        if not args.efficientnet_weights.is_file():
            raise UserError(f"EfficientNet weights file {args.efficientnet_weights} not found; "
                            "weights are never downloaded — give a local file")
        cfg.efficientnet_weights = str(args.efficientnet_weights)
    modes = ["paper", "rigorous"] if args.mode == "both" else [args.mode]
    cohort = None
    if args.cohort is not None:
        try:
            from ..cohort import load_cohort
        except ImportError as exc:
            raise UserError(f"cannot load cohorts in this installation ({exc})") from exc
        cohort = load_cohort(args.cohort)
    rbridge.require_r_package()
    features = _read(args.features, "feature")
    if args.study == "liu2023":
        clinical = _read(args.clinical, "clinical")
        if clinical is not None:
            clinical = clinical.set_index(clinical.columns[0])
        elif cohort is not None:
            clinical = cohort.clinical
        else:
            raise UserError("liu2023 needs --clinical FILE or --cohort DIR")
        crf = _read(args.crf, "CRF")
        if crf is None and cohort is not None and cohort.crf36 is not None:
            crf = cohort.crf36
        sig = _read(args.signatures, "signature")
        timer = _read(args.timer, "TIMER")
        if timer is None and cohort is not None and cohort.timer is not None:
            timer = with_patient_column(cohort.timer)
        parts = [with_patient_column(t).set_index("patient_id") for t in (sig, timer)
                 if t is not None]
        targets = parts[0].join(parts[1:], how="inner") if parts else None
        images = image_labels = None
        if args.efficientnet:
            if cohort is None:
                raise UserError("--efficientnet needs --cohort DIR (the images come from it)")
            from ..predict.run import cohort_images

            cfg.efficientnet = True
            images, image_labels = cohort_images(cohort, cfg.characteristics)
        res = run_liu2023(args.out, features, clinical, crf=crf, targets=targets, images=images,
                          image_labels=image_labels, config=cfg, modes=modes)
        console.print(res["lasso_summary"][["feature_set", "mode", "characteristic", "auc",
                                            "ci_low", "ci_high"]].to_string(index=False))
    else:
        scores = _read(args.risk_scores, "risk-score")
        if scores is None:
            raise UserError("kim2020 needs --risk-scores FILE (patient_id + risk scores)")
        screen = _read(args.screen, "screen")
        res = run_kim2020(args.out, features, scores, screen=screen, config=cfg, modes=modes)
        console.print(res["table4"][["mode", "risk_score", "adj_r2", "p", "adj_r2_loo",
                                     "p_loo"]].to_string(index=False))
    console.print(f"[green]written to {args.out}[/]")
    return 0
