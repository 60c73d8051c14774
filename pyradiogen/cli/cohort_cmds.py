"""``pyradiogen validate DIR`` and ``pyradiogen demo-data --out DIR``."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from ..config import DEFAULT_SEED
from . import add_cluster_options, console, err_console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check a cohort folder; print exclusions and Table 1",
                       description="Reads every part of the cohort and prints one row per "
                                   "check (missing values per column of the clinical, CRF36 "
                                   "and TIMER tables included), study liu2023's exclusions and "
                                   "Table 1, study kim2020's exclusions, one row per series, and "
                                   "which stages of `replicate` the cohort can run (and what "
                                   "the others lack). Exit "
                                   "code 2 when a part cannot be used (the first error is "
                                   "repeated on stderr), 1 when a study the cohort is for keeps "
                                   "no patient.")
    p.add_argument("dir", type=Path, metavar="DIR", help="cohort folder (holding cohort.toml)")
    p.add_argument("--no-masks", action="store_true",
                   help="skip reading every ROI mask (faster; masks are then not checked)")
    p.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="processes for indexing DICOM headers")
    add_cluster_options(p)
    p.add_argument("--json", action="store_true",
                   help="print the whole report as JSON (studies, series, exams, skipped)")
    p.add_argument("--no-series", action="store_true",
                   help="leave the per-series table out of the printed report")
    p.set_defaults(func=run_validate)
    d = sub.add_parser("demo-data", help="write the synthetic demo cohort",
                       description="A synthetic cohort in the real TCIA/GDC/TCGA formats "
                                   "(DICOM, ROI masks, STAR-counts, clinical, CRF36, TIMER) "
                                   "whose images and expression share a planted latent "
                                   "biology; truth.json holds the planted links.")
    d.add_argument("--out", required=True, metavar="DIR",
                   help="output folder (new, empty, or an earlier demo cohort)")
    d.add_argument("--patients", type=int, default=110, metavar="N",
                   help="patients kept by study liu2023's exclusions (about 18%% more are "
                        "generated)")
    d.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S",
                   help="random seed (same seed, same cohort)")
    d.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="worker processes for the images")
    d.set_defaults(func=run_demo)


def _frame(title: str, df, columns=None) -> Table:
    t = Table(title=title)
    cols = list(columns or df.columns)
    for c in cols:
        t.add_column(str(c), overflow="fold")
    for row in df[cols].itertuples(index=False):
        t.add_row(*[escape(str(v)) for v in row])
    return t


def run_validate(args: argparse.Namespace) -> int:
    """Check a cohort and print the JSON report.

    Check a cohort: exit 2 when a part cannot be used, 1 when a study the cohort is for
    keeps no patient, 0 otherwise (the JSON report is printed whole in every case).
    """
    import importlib
    import json

    from ..cohort import Check, Cohort
    from ..cohort.validate import report, validate_cohort
    from ..replicate.runner import cohort_facts, plan
    from ..studies import get, names, studies

    t0 = time.perf_counter()
    c = Cohort(args.dir, n_jobs=args.jobs, progress=not args.json)
    checks = validate_cohort(c, raise_on_error=False, masks=not args.no_masks)
    if not any(ch.status == "error" for ch in checks if ch.part == "expression"):
        from ..genomics.expression import check_cohort_expression

        try:
            line = check_cohort_expression(c)
        except ValueError as exc:
            checks.append(Check("expression", "error", str(exc), exc))
        else:
            if line:
                checks.append(Check("expression", "ok", line))
    modules = {n: importlib.import_module(get(n).module) for n in names()}
    assemble = {n: m.assemble for n, m in modules.items() if hasattr(m, "assemble")}
    rep = report(c, checks, assemble)
    rep["stages"] = [p.to_dict() for p in plan(studies(), cohort_facts(c.manifest))]
    rep["minimums"] = _minimums(c, rep)
    rep["seconds"] = round(time.perf_counter() - t0, 2)
    if args.json:
        print(json.dumps(rep, indent=1, default=str))
        if any(ch.status == "error" for ch in checks):
            return 2
        return 0 if rep["valid"] else 1
    tab = Table(title=f"cohort {c.root}")
    for col in ("part", "status", "detail"):
        tab.add_column(col, overflow="fold")
    colour = {"ok": "green", "warning": "yellow", "error": "red"}
    for ch in checks:
        tab.add_row(ch.part, f"[{colour[ch.status]}]{ch.status}[/]", escape(ch.detail))
    console.print(tab)
    if rep["series"] and not args.no_series:
        st = Table(title="Series (phase 0 = pre-contrast; rule = the evidence that decided it)")
        for col in ("patient", "description", "vendor", "T", "role", "phase", "rule", "slices",
                    "study liu2023"):
            st.add_column(col, overflow="fold")
        for r in rep["series"]:
            st.add_row(*map(escape, (
                str(r["patient_id"] or ""), str(r["description"]), str(r["vendor"] or ""),
                "" if r["field_strength"] is None else f"{r['field_strength']:g}",
                str(r["role"]), str(r["phase"] if r["phase"] is not None else ""),
                str(r["rule"] or ""), str(r["slices"]), str(r["status"]))))
        console.print(st)
    n_err = sum(ch.status == "error" for ch in checks)
    if n_err:
        console.print(f"[bold red]{n_err} error(s): fix them and run validate again[/]")
        first = next(ch for ch in checks if ch.status == "error")
        err_console.print(f"[bold red]error:[/] {escape(first.detail)}", soft_wrap=True,
                          highlight=False)
        return 2
    s1 = rep["studies"].get("liu2023", {})
    if s1.get("assessed"):
        console.print(_frame("Study liu2023: exclusions", _flow_frame(s1["flowchart"]),
                             ["step", "excluded", "remaining"]))
        ipp = s1["images_per_patient"]
        if c.has_images:
            console.print(f"Study liu2023 images: post-contrast phase {s1['post_phase']} (0 = "
                          f"pre-contrast) of the {s1['scanner_rule']} DCE exam; "
                          f"{s1['n_images']} slices, {ipp['min']}–{ipp['max']} per patient")
        else:
            console.print("Study liu2023 images: none (the cohort has no DICOM images)")
        s1obj = assemble["liu2023"](c) if s1["n_patients"] else None
        if s1obj is not None and len(s1obj.table1):
            console.print(_frame("Study liu2023: Table 1 (ours vs published)", s1obj.table1))
    s2 = rep["studies"].get("kim2020", {})
    if s2.get("assessed") and c.has_images and len(c.rois):
        console.print(_frame("Study kim2020: exclusions", _flow_frame(s2["flowchart"]),
                             ["step", "excluded", "remaining"]))
        if s2.get("scanners"):
            import pandas as pd
            console.print(_frame("Study kim2020: scanners", pd.DataFrame(s2["scanners"])))
    _print_stages(rep["stages"])
    _print_minimums(rep["minimums"])
    for name, e in rep["studies"].items():
        if e.get("warning"):
            console.print(f"[yellow]warning:[/] {escape(str(e['warning']))}")
        if e.get("error") and not e["required"]:
            console.print(f"[yellow]note:[/] {name}: {escape(str(e['error']))} (not a study this cohort "
                          "is for: see `studies` in cohort.toml)")
    if not rep["valid"]:
        for err in rep["errors"]:
            console.print(f"[red]error:[/] {escape(str(err))}")
        console.print(f"[bold red]{len(rep['errors'])} error(s): fix them and run validate "
                      "again[/]")
        return 1
    console.print(f"[green]cohort valid[/] ({time.perf_counter() - t0:.1f} s)")
    return 0


def _print_stages(stages: list[dict]) -> None:
    """The stages ``replicate`` would run on this cohort, and why the others would not."""
    t = Table(title="Stages replicate can run on this cohort")
    for col in ("study", "stage", "runs", "missing"):
        t.add_column(col, overflow="fold")
    for s in stages:
        t.add_row(s["study"], s["stage"], "[green]yes[/]" if s["runnable"] else "[yellow]no[/]",
                  "; ".join(s["missing"]))
    console.print(t)
def _minimums(c, rep: dict) -> list[dict]:
    """Each stage's patient count against its minimum (:mod:`pyradiogen.minimums`)."""
    from ..minimums import check_minimums, patient_counts

    studies = tuple(n for n, e in rep["studies"].items() if e.get("assessed"))
    kept = {n: rep["studies"][n]["patients"] for n in studies}
    rows = check_minimums(patient_counts(c, studies, kept), studies)
    # a stage the cohort cannot run (it lacks the stage's inputs, e.g. images) has no
    # minimum to meet: its row reads n/a, not ok
    idle = {(s["study"], s["stage"]) for s in rep.get("stages", []) if not s["runnable"]}
    for r in rows:
        if (r["study"], r["stage"]) in idle:
            r.update(n=None, ok=None)
    return rows


def _print_minimums(rows: list[dict]) -> None:
    """The table of minimums, and what replicate would refuse."""
    from ..minimums import shortfalls

    if not rows:
        return
    t = Table(title="Patients each stage of replicate needs (pyradiogen/minimums.py)")
    for col in ("study", "stage", "patients counted", "has", "needs", ""):
        t.add_column(col, overflow="fold")
    for r in rows:
        mark = {True: "[green]ok[/]", False: "[red]too few[/]", None: "n/a"}[r["ok"]]
        t.add_row(r["study"], r["stage"], escape(r["counted_as"]),
                  "—" if r["n"] is None else str(r["n"]), str(r["patients"]), mark)
    console.print(t)
    for line in shortfalls(rows):
        console.print(f"[yellow]warning:[/] replicate would stop: {escape(line)}",
                      soft_wrap=True)


def _flow_frame(records):
    import pandas as pd
    return pd.DataFrame(records, columns=["step", "excluded", "remaining", "excluded_patients"])


def run_demo(args: argparse.Namespace) -> int:
    from ..datasets import make_demo_cohort

    t0 = time.perf_counter()
    out = make_demo_cohort(args.out, n_patients=args.patients, seed=args.seed,
                           n_jobs=args.jobs)
    console.print(f"[green]demo cohort written[/] to {out} ({args.patients} patients kept by "
                  f"study liu2023, seed {args.seed}, {time.perf_counter() - t0:.1f} s); next: "
                  f"python -m pyradiogen validate {out}")
    return 0
