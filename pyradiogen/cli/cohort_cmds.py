"""``pyradiogen validate DIR`` and ``pyradiogen demo-data --out DIR``."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from . import console, err_console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check a cohort folder; print exclusions and Table 1",
                       description="Reads every part of the cohort and prints one row per "
                                   "check (missing values per column of the clinical, CRF36 "
                                   "and TIMER tables included), study 1's exclusions and "
                                   "Table 1, study 2's exclusions. Exit code 2 when a part "
                                   "cannot be used (the first error is repeated on stderr).")
    p.add_argument("dir", type=Path, help="cohort folder (holding cohort.toml)")
    p.add_argument("--no-masks", action="store_true", help="skip reading every ROI mask")
    p.add_argument("--jobs", type=int, default=1, help="processes for indexing DICOM headers")
    p.set_defaults(func=run_validate)
    d = sub.add_parser("demo-data", help="write the synthetic demo cohort")
    d.add_argument("--out", required=True, help="output folder")
    d.add_argument("--patients", type=int, default=110,
                   help="patients kept by study 1's exclusions (about 18%% more are generated)")
    d.add_argument("--seed", type=int, default=0, help="random seed (same seed, same cohort)")
    d.add_argument("--jobs", type=int, default=1, help="worker processes for the images")
    d.set_defaults(func=run_demo)


def _frame(title: str, df, columns=None) -> Table:
    t = Table(title=title)
    cols = list(columns or df.columns)
    for c in cols:
        t.add_column(str(c))
    for row in df[cols].itertuples(index=False):
        t.add_row(*[str(v) for v in row])
    return t


def run_validate(args: argparse.Namespace) -> int:
    from ..cohort import Cohort

    t0 = time.perf_counter()
    c = Cohort(args.dir, n_jobs=args.jobs)
    checks = c.validate(raise_on_error=False, masks=not args.no_masks)
    tab = Table(title=f"cohort {c.root}")
    for col in ("part", "status", "detail"):
        tab.add_column(col, overflow="fold")
    colour = {"ok": "green", "warning": "yellow", "error": "red"}
    for ch in checks:
        tab.add_row(ch.part, f"[{colour[ch.status]}]{ch.status}[/]", ch.detail)
    console.print(tab)
    n_err = sum(ch.status == "error" for ch in checks)
    if n_err:
        console.print(f"[bold red]{n_err} error(s): fix them and run validate again[/]")
        first = next(ch for ch in checks if ch.status == "error")
        err_console.print(f"[bold red]error:[/] {escape(first.detail)}", soft_wrap=True,
                          highlight=False)
        return 2
    s1 = c.study1()
    console.print(_frame("Study 1: exclusions", s1.flowchart,
                         ["step", "excluded", "remaining"]))
    ext = s1.extra
    console.print(f"Study 1 images: phase {ext['phase']} of the {ext['field_strength']:g} T "
                  f"{ext['manufacturer']} DCE series; {len(s1.images)} slices, "
                  f"{ext['images_per_patient']['min']}–{ext['images_per_patient']['max']} "
                  "per patient")
    if len(s1.table1):
        console.print(_frame("Study 1: Table 1 (ours vs published)", s1.table1))
    if len(c.rois):
        s2 = c.study2()
        console.print(_frame("Study 2: exclusions", s2.flowchart,
                             ["step", "excluded", "remaining"]))
        console.print(_frame("Study 2: scanners", s2.extra["scanners"]))
    console.print(f"[green]cohort valid[/] ({time.perf_counter() - t0:.1f} s)")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from ..demo import make_demo_cohort

    t0 = time.perf_counter()
    out = make_demo_cohort(args.out, n_patients=args.patients, seed=args.seed,
                           n_jobs=args.jobs)
    console.print(f"[green]demo cohort written[/] to {out} ({args.patients} patients kept by "
                  f"study 1, seed {args.seed}, {time.perf_counter() - t0:.1f} s); next: "
                  f"python -m pyradiogen validate {out}")
    return 0
