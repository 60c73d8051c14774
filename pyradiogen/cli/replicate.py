"""``pyradiogen replicate``: both studies end to end, with a report beside the papers."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import DEFAULT_SEED
from . import UserError, console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "replicate", help="reproduce both studies end to end (demo cohort by default)",
        description="Runs every stage of both studies (cohort, genomics, DRFs, associations, "
                    "prediction, exploration; CRFs, screens, LOO LASSO) and writes tables/, "
                    "figures/, stages/ and report.html under --out. Finished stages are reused "
                    "on a rerun. The cohort must have at least the patients each stage needs "
                    "(`pyradiogen validate DIR` prints the minimums and checks them).")
    p.add_argument("--study", choices=["liu2023", "kim2020", "all"], default="all",
                   help="which study to run")
    p.add_argument("--cohort", type=Path, metavar="DIR",
                   help="cohort directory (default: generate the demo cohort under OUT/cohort)")
    p.add_argument("--preset", choices=["paper", "code"], default="paper",
                   help="paper: each paper's text; code: the authors' public code where the "
                        "two differ")
    p.add_argument("--mode", choices=["paper", "rigorous", "both"], default="both",
                   help="prediction mode(s); both are reported side by side by default")
    p.add_argument("--engine", choices=["fast", "nlme"], default="fast",
                   help="LME engine of the association scan (see `associate --engine`)")
    p.add_argument("--out", type=Path, default=Path("results/replicate"), metavar="DIR",
                   help="output folder")
    p.add_argument("--config", type=Path, metavar="FILE",
                   help="TOML configuration on top of the preset (default: none)")
    p.add_argument("--patients", type=int, metavar="N",
                   help="demo cohort size, patients kept by study 1 (default: the config's "
                        "[replicate] demo_patients, 110)")
    p.add_argument("--seed", type=int, metavar="S",
                   help=f"global seed (default: the config's, else {DEFAULT_SEED}, the "
                        "authors' set.seed(101))")
    p.add_argument("--resume", action="store_true", default=True,
                   help="reuse finished stages (the default)")
    p.add_argument("--fresh", dest="resume", action="store_false",
                   help="rerun every stage (default: reuse finished ones)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..config import load_config
    from ..replicate.pipeline import MODES, ReplicateJob, ReplicateOptions

    if args.cohort is not None and not (args.cohort / "cohort.toml").exists():
        raise UserError(f"{args.cohort}: no cohort.toml; see the README's 'Running on real "
                        "TCIA/TCGA data' or make one with `pyradiogen demo-data --out DIR`")
    studies = ("liu2023", "kim2020") if args.study == "all" else (args.study,)
    if args.cohort is not None:  # read and check every table now, before hours of work
        from ..cohort import load_cohort
        from ..minimums import require_minimums

        require_minimums(load_cohort(args.cohort), studies)
    cfg = load_config(args.config, preset=args.preset, seed=args.seed)
    if args.patients is not None:
        cfg.section("replicate").demo_patients = args.patients
    opts = ReplicateOptions(out=args.out, cohort=args.cohort, study=args.study, preset=args.preset,
                            modes=MODES if args.mode == "both" else (args.mode,),
                            engine=args.engine, resume=args.resume, config=cfg)
    report = ReplicateJob(opts).run()
    console.print(f"[bold green]report:[/] {report}")
    return 0
