"""``pyradiogen vignettes``: execute the vignettes and render them to HTML."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("vignettes", help="execute the vignettes and render them to HTML",
                       description="Executes the notebooks in vignettes/ (DRFs vs CRFs; the "
                                   "R-faithful API) and writes one HTML file each.")
    p.add_argument("--out", default="results/vignettes", metavar="DIR", help="output folder")
    p.add_argument("--cohort", type=Path, metavar="DIR",
                   help="cohort directory (default: a generated demo cohort)")
    p.add_argument("--patients", type=int, default=60, metavar="N",
                   help="demo cohort size when generating")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..vignettes import render, vignette_paths

    env = {"PYRADIOGEN_VIGNETTE_PATIENTS": str(args.patients)}
    if args.cohort:  # read and check every table before any notebook runs
        from ..cohort import load_cohort

        load_cohort(args.cohort)
        env["PYRADIOGEN_VIGNETTE_COHORT"] = str(args.cohort)
    for path in vignette_paths():
        console.print(f"rendering [bold]{path.name}[/]")
        html = render(path, args.out, env)
        console.print(f"  → {html}")
    return 0
