"""``pyradiogen doctor``: report the environment and how to fix what is missing."""

from __future__ import annotations

import argparse
import json

from rich.table import Table

from . import console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check Python, R and every package the project needs")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..doctor import report, run_checks

    checks = run_checks()
    rep = report(checks)
    if args.json:
        print(json.dumps(rep, indent=2))
    else:
        table = Table(title="pyradiogen doctor")
        for col in ("kind", "name", "version", "status", "fix"):
            table.add_column(col, overflow="fold")
        for c in checks:
            status = "[green]ok[/]" if c.ok else "[red]missing[/]"
            table.add_row(c.kind, c.name, c.version or "-", status, c.fix or "")
        console.print(table)
        for c in checks:
            if c.detail and (c.name == "pyradiogen" or not c.ok):
                console.print(f"{c.name}: {c.detail}", highlight=False, soft_wrap=True)
        console.print("[green]all good[/]" if rep["ok"] else "[red]something is missing: run the fix commands above[/]")
    return 0 if rep["ok"] else 1
