"""``pyradiogen replicate``: both studies end to end, with a report beside the papers."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import UserError, console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("replicate", help="reproduce both studies end to end (demo cohort by default)")
    from ..studies import names

    p.add_argument("--study", choices=[*names(), "all"], default="all",
                   help="the study to run (pyradiogen/studies/<name>.py); all by default")
    p.add_argument("--cohort", type=Path, help="cohort directory (default: generate the demo cohort)")
    p.add_argument("--preset", choices=["paper", "code"], default="paper")
    p.add_argument("--mode", choices=["paper", "rigorous", "both"], default="both",
                   help="prediction mode(s); both are reported side by side by default")
    p.add_argument("--engine", choices=["fast", "nlme"], default="fast", help="LME engine")
    p.add_argument("--out", type=Path, default=Path("results/replicate"))
    p.add_argument("--config", type=Path, help="TOML configuration on top of the preset")
    p.add_argument("--patients", type=int, help="demo cohort size (patients kept for liu2023)")
    p.add_argument("--seed", type=int, help="global seed (default 101, the authors' seed)")
    p.add_argument("--threads", type=int, metavar="N",
                   help="use at most N cores (default: every core this process may use; "
                        "[threads] budget in --config). The thread counts that change results "
                        "are separate settings ([drf] threads, [predict] efficientnet_threads)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run the heavy stages' tasks (DICOM indexing, CRF extraction, LME "
                        "scans, prediction folds) on this Dask cluster; workers must see the "
                        "cohort and --out paths ([replicate] scheduler in --config)")
    p.add_argument("--resume", action="store_true", default=True,
                   help="reuse finished stages (the default)")
    p.add_argument("--fresh", dest="resume", action="store_false", help="rerun every stage")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..config import load_config
    from ..replicate.runner import MODES, Runner, RunOptions
    from ..studies import names, studies

    if args.cohort is not None and not (args.cohort / "cohort.toml").exists():
        raise UserError(f"{args.cohort}: no cohort.toml; see the README's 'Running on real "
                        "TCIA/TCGA data' or make one with `pyradiogen demo-data --out DIR`")
    if args.cohort is not None:  # read and check every table now, before hours of work
        from ..cohort import load_cohort
        from ..genomics.expression import check_cohort_expression

        cohort = load_cohort(args.cohort)
        check_cohort_expression(cohort)
        unknown = [s for s in cohort.manifest.studies or () if s not in names()]
        if unknown:
            raise UserError(f"{args.cohort / 'cohort.toml'}: `studies` names {unknown[0]!r}, "
                            f"which is not a study of pyradiogen.studies (known: "
                            f"{', '.join(names())})")
    cfg = load_config(args.config, preset=args.preset, seed=args.seed)
    if args.patients is not None:
        cfg.section("replicate").demo_patients = args.patients
    if args.threads is not None:
        if args.threads < 0:
            raise UserError(f"--threads {args.threads}: give a positive number of cores, or 0 "
                            "for all")
        cfg.section("threads").budget = args.threads
    opts = RunOptions(out=args.out, cohort=args.cohort, preset=args.preset,
                      modes=MODES if args.mode == "both" else (args.mode,),
                      engine=args.engine, resume=args.resume, config=cfg,
                      scheduler=args.scheduler)
    result = Runner(studies(args.study), opts).run()
    if result.skipped:
        console.print(f"[yellow]{len(result.skipped)} stage(s) skipped[/] (the cohort lacks "
                      "their inputs; listed above and in the report)")
    console.print(f"[bold green]report:[/] {result.report}")
    return 0
