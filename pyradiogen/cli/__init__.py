"""Command-line interface: ``python -m pyradiogen <command>``.

Each module in this package that defines ``register(subparsers)`` adds one sub-command; the
function it registers (``parser.set_defaults(func=...)``) receives the parsed arguments and
returns the exit code. Errors a user can fix (:class:`UserError`, ``FileNotFoundError``,
``ValueError`` from validation) are printed without a traceback and give exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

from rich.console import Console

from .. import __version__

console = Console()
err_console = Console(stderr=True)


class UserError(Exception):
    """A problem with the user's input; printed without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every discovered sub-command."""
    parser = argparse.ArgumentParser(
        prog="pyradiogen",
        description="Breast-cancer MRI radiogenomics with R's reference statistics embedded.",
    )
    parser.add_argument("--version", action="version", version=f"pyradiogen {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{mod.name}")
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        return int(args.func(args) or 0)
    except (UserError, FileNotFoundError, ValueError) as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        return 2
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted; finished stages are kept, rerun to resume[/]")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
