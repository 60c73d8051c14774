"""``pyradiogen replicate``: both studies end to end, with a report beside the papers."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import DEFAULT_SEED
from . import UserError, console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "replicate", help="reproduce both studies end to end (demo cohort by default)",
        description="Runs every stage of the studies (cohort, genomics, DRFs, associations, "
                    "prediction, exploration; CRFs, screens, LOO LASSO) and writes tables/, "
                    "figures/, stages/ and report.html under --out. Finished stages are reused "
                    "on a rerun. The cohort must have at least the patients each stage needs "
                    "(`pyradiogen validate DIR` prints the minimums and checks them).")
    from ..studies import names

    p.add_argument("--study", choices=[*names(), "all"], default="all",
                   help="the study to run (pyradiogen/studies/<name>.py; default: all)")
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
                   help="demo cohort size, patients kept by study liu2023 (default: the config's "
                        "[replicate] demo_patients, 110)")
    p.add_argument("--seed", type=int, metavar="S",
                   help=f"global seed (default: the config's, else {DEFAULT_SEED}, the "
                        "authors' set.seed(101))")
    p.add_argument("--threads", type=int, metavar="N",
                   help="use at most N cores (default: every core this process may use; "
                        "[threads] budget in --config). The thread counts that change results "
                        "are separate settings ([drf] threads, [predict] efficientnet_threads)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler tcp://HOST:PORT: run the heavy stages' tasks (DICOM "
                        "indexing, CRF extraction, LME scans, prediction folds) on that cluster, "
                        "whose workers must see the cohort and --out paths (default: [replicate] "
                        "scheduler in --config, else worker processes on this machine)")
    p.add_argument("--resume", action="store_true", default=True,
                   help="reuse finished stages (the default)")
    p.add_argument("--fresh", dest="resume", action="store_false",
                   help="rerun every stage (default: reuse finished ones)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..config import load_config
    from ..replicate.runner import MODES, Runner, RunOptions
    from ..studies import names, studies

    if args.cohort is not None and not (args.cohort / "cohort.toml").exists():
        raise UserError(f"{args.cohort}: no cohort.toml; see the README's 'Running on real "
                        "TCIA/TCGA data' or make one with `pyradiogen demo-data --out DIR`")
    chosen = tuple(names()) if args.study == "all" else (args.study,)
    if args.cohort is not None:  # read and check every table now, before hours of work
        from ..cohort import load_cohort
        from ..genomics.expression import check_cohort_expression
        from ..minimums import require_minimums

        cohort = load_cohort(args.cohort)
        check_cohort_expression(cohort)
        unknown = [s for s in cohort.manifest.studies or () if s not in names()]
        if unknown:
            raise UserError(f"{args.cohort / 'cohort.toml'}: `studies` names {unknown[0]!r}, "
                            f"which is not a study of pyradiogen.studies (known: "
                            f"{', '.join(names())})")
        import importlib

        from ..studies import get

        require_minimums(cohort, chosen, assemble={
            n: importlib.import_module(get(n).module).assemble for n in chosen})
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
