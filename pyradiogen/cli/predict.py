"""``pyradiogen predict``: LASSO / LOO / nnet-XGBoost / EfficientNet predictions, both modes."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape

from . import UserError, add_cluster_options, console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("predict", help="prediction models of study liu2023 or kim2020")
    p.add_argument("--study", required=True, choices=["liu2023", "kim2020"],
                   help="liu2023: LASSO of T, N, ER, PR, HER2 from DRFs and CRFs, nnet/XGBoost "
                        "signature and immune classes, EfficientNet; kim2020: Spearman screen, "
                        "then LASSO with leave-one-out for the 11 risk scores")
    p.add_argument("--mode", default="both", choices=["paper", "rigorous", "both"],
                   help="paper = as published; rigorous = leak-free; both (default) side by side")
    p.add_argument("--features", required=True, type=Path, metavar="FILE",
                   help="feature table (csv/tsv/parquet): image_id, patient_id, features… "
                        "(DRFs for liu2023, pyradiomics features for kim2020; a reader column "
                        "keeps the first reader)")
    p.add_argument("--crf", type=Path, metavar="FILE",
                   help="liu2023: conventional features (default: the cohort's crf36)")
    p.add_argument("--cohort", type=Path, metavar="DIR",
                   help="cohort directory whose clinical, crf36 and timer tables fill in the "
                        "options not given (default: none)")
    p.add_argument("--clinical", type=Path, metavar="FILE",
                   help="clinical table: patient_id then T, N, ER, PR, HER2 as 0/1 (NA "
                        "allowed), or the TCGA 2012 Supp. Table 1 layout; default: the "
                        "cohort's")
    p.add_argument("--signatures", type=Path, metavar="FILE",
                   help="liu2023: patient_id + signature scores, the targets of the "
                        "signature classes (default: none, TIMER classes only)")
    p.add_argument("--timer", type=Path, metavar="FILE",
                   help="liu2023: patient_id + TIMER cell types (default: the cohort's)")
    p.add_argument("--risk-scores", type=Path, metavar="FILE",
                   help="kim2020: patient_id + the 11 risk scores (required for kim2020, no "
                        "default)")
    p.add_argument("--screen", type=Path, metavar="FILE",
                   help="kim2020: Spearman screen (score, feature, p_value) choosing each score's "
                        "features (default: computed from --features and --risk-scores)")
    p.add_argument("--config", type=Path, metavar="FILE",
                   help="TOML run configuration ([predict] section; default: the preset's "
                        "values)")
    p.add_argument("--preset", choices=["paper", "code"],
                   help="paper: 100 lambdas; code: 20 (default: the --config file's preset, "
                        "else paper)")
    p.add_argument("--nlambda", type=int, metavar="N",
                   help="length of the lambda grid (default: the preset's)")
    p.add_argument("--jobs", type=int, metavar="N",
                   help="worker processes for the LASSO characteristics (default: the "
                        "config's, 1)")
    add_cluster_options(p)
    p.add_argument("--outer-folds", type=int, metavar="K",
                   help="rigorous mode: outer CV folds (default 5)")
    p.add_argument("--characteristics", metavar="LIST",
                   help="comma-separated subset of T,N,ER,PR,HER2 (default: all five)")
    p.add_argument("--permutations", type=int, metavar="N",
                   help="ClassifyR CV repetitions of the class models' feature selection "
                        "(default 100)")
    p.add_argument("--efficientnet", action="store_true",
                   help="liu2023: also train the EfficientNet-B0 baseline on the cohort's images")
    p.add_argument("--efficientnet-weights", type=Path, metavar="FILE",
                   help="local EfficientNet-B0 state dict for the pre-trained variant "
                        "(default: none; weights are never downloaded)")
    p.add_argument("--efficientnet-epochs", type=int, metavar="N",
                   help="EfficientNet epochs (default 100)")
    p.add_argument("--drop-na-features", action="store_true",
                   help="leave out feature columns with a missing value (named in a warning); "
                        "by default missing feature values are refused, naming them")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.set_defaults(func=run)


LABELS = ("T", "N", "ER", "PR", "HER2")


def _features(path: Path | None, option: str, drop_na: bool):
    """A feature table through the shared reader, with the missing-value policy applied."""
    import numpy as np

    from ..cohort.tables import read_features
    from ..cohort.usertable import describe_missing

    if path is None:
        return None
    f = read_features(path, option=option)
    for note in f.attrs.get("notes", []):
        console.print(f"[yellow]note:[/] {path}: {escape(note)}", soft_wrap=True)
    vals = f.drop(columns=["image_id", "patient_id"])
    bad = ~np.isfinite(vals.to_numpy(dtype=float)).all(axis=0)
    if bad.any():
        desc = describe_missing(vals.set_axis(f["image_id"]), "row", "feature")
        if not drop_na:
            raise UserError(f"feature table {path} ({option}): {desc} — fix: impute them, or "
                            "pass --drop-na-features to leave those features out")
        console.print(f"[yellow]warning:[/] {path}: {int(bad.sum())} feature(s) with missing "
                      f"values left out ({escape(desc)})", soft_wrap=True)
        f = f.drop(columns=vals.columns[bad])
        if f.shape[1] <= 2:
            raise UserError(f"feature table {path} ({option}): every feature has a missing "
                            "value")
    return f


def _clinical(path: Path):
    """--clinical: the TCGA Supp. Table 1 layout, or patient_id + 0/1 label columns."""
    from ..cohort.clinical import ID_COLUMN, read_clinical
    from ..cohort.tables import read_patient_table
    from ..cohort.usertable import check_header

    sep = "\t" if path.suffix.lower() in (".tsv", ".txt") else ","
    header = check_header(path, sep, what="clinical table", option="--clinical") \
        if path.suffix.lower() != ".parquet" else []
    if ID_COLUMN in header or (sep == "," and any(ID_COLUMN in h for h in header)):
        return read_clinical(path, option="--clinical")[0]
    t = read_patient_table(path, what="clinical table", option="--clinical", all_na="keep")
    have = [c for c in LABELS if c in t.columns]
    if not have:
        raise UserError(f"clinical table {path} (--clinical): none of the label columns "
                        f"{', '.join(LABELS)} (found {list(t.columns)[:8]})")
    for c in have:
        bad = t[c].notna() & ~t[c].isin([0, 1])
        if bad.any():
            raise UserError(f"clinical table {path} (--clinical); column {c!r}; patient "
                            f"{t.index[bad][0]}: {float(t[c][bad].iloc[0]):g} is not 0 or 1 — fix: "
                            "code positive as 1, negative as 0, missing as NA")
    return t[have].astype("Int64")


def _patients(path: Path | None, what: str, option: str):
    from ..cohort.tables import read_patient_table

    if path is None:
        return None
    t = read_patient_table(path, what=what, option=option, all_na="keep", min_rows=1)
    for note in t.attrs.get("notes", []):
        console.print(f"[yellow]note:[/] {path}: {escape(note)}", soft_wrap=True)
    return t.reset_index()


def run(args: argparse.Namespace) -> int:
    from .. import rfuncs
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
    rfuncs.require_r_package()
    features = _features(args.features, "--features", args.drop_na_features)
    if args.study == "liu2023":
        if args.clinical is not None:
            clinical = _clinical(args.clinical)
        elif cohort is not None:
            clinical = cohort.clinical
        else:
            raise UserError("liu2023 needs --clinical FILE or --cohort DIR")
        crf = _features(args.crf, "--crf", args.drop_na_features)
        if crf is not None and (crf["image_id"] == crf["patient_id"]).all():
            crf = crf.drop(columns="image_id")  # one row per patient (no image_id column)
        if crf is None and cohort is not None and cohort.crf36 is not None:
            crf = cohort.crf36
        sig = _patients(args.signatures, "signature table", "--signatures")
        timer = _patients(args.timer, "TIMER table", "--timer")
        if timer is not None:   # CIBERSORT's P-value, Correlation, RMSE … are no targets
            from ..cohort.tables import run_statistic_columns, run_statistics_message

            stats = run_statistic_columns(timer.columns)
            if stats:
                console.print(f"[yellow]warning:[/] {args.timer} (--timer): "
                              f"{escape(run_statistics_message(stats))}", soft_wrap=True)
                timer = timer.drop(columns=stats)
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
        try:
            from ..studies.liu2023 import PUBLISHED_PREDICTION

            res = run_liu2023(args.out, features, clinical, crf=crf, targets=targets,
                              images=images, image_labels=image_labels, config=cfg, modes=modes,
                              published=PUBLISHED_PREDICTION)
        except ValueError as exc:
            raise UserError(f"{_named(args)}: {exc}") from exc
        summ = res["lasso_summary"]
        console.print(summ[["feature_set", "mode", "characteristic", "auc", "ci_low",
                            "ci_high"]].to_string(index=False))
        _print_notes(summ, ["feature_set", "mode", "characteristic"])
        if "classes_summary" in res:
            _print_notes(res["classes_summary"], ["feature_set", "mode", "target", "model"])
    else:
        if args.risk_scores is None:
            raise UserError("kim2020 needs --risk-scores FILE (patient_id + risk scores)")
        scores = _patients(args.risk_scores, "risk-score table", "--risk-scores")
        screen = None
        if args.screen is not None:
            from ..cohort.usertable import read_table

            screen = read_table(args.screen, what="screen table", option="--screen",
                                id_column=None, numeric=["p_value"],
                                string_columns=("score", "feature"),
                                required=("score", "feature", "p_value")
                                ).frame.reset_index(drop=True)
        try:
            from ..studies.kim2020 import PUBLISHED_TABLE4

            res = run_kim2020(args.out, features, scores, screen=screen, config=cfg,
                              modes=modes, published=PUBLISHED_TABLE4)
        except ValueError as exc:
            raise UserError(f"{_named(args)}: {exc}") from exc
        t4 = res["table4"]
        cols = ["mode", "risk_score", "adj_r2", "p_value", "adj_r2_loo", "p_value_loo"]
        console.print(t4.reindex(columns=cols).to_string(index=False, na_rep="—"))
        _print_notes(t4, ["mode", "risk_score"])
    console.print(f"[green]written to {args.out}[/]")
    return 0


def _named(args: argparse.Namespace) -> str:
    """The table options given, as typed (for messages about how the tables fit together)."""
    opts = ("features", "crf", "clinical", "signatures", "timer", "risk_scores", "screen",
            "cohort")
    return ", ".join(f"--{o.replace('_', '-')} {getattr(args, o)}" for o in opts
                     if getattr(args, o, None) is not None)


def _print_notes(table, keys: list[str]) -> None:
    """One line per row with a note (not modelled, rows left out); notes are in the CSV too."""
    if "note" not in table.columns:
        return
    for _, r in table[table["note"].notna()].iterrows():
        console.print(f"[yellow]{escape(' '.join(str(r[k]) for k in keys))}:[/] "
                      f"{escape(str(r['note']))}",
                      soft_wrap=True, highlight=False)
