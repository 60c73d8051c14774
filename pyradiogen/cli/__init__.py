"""Command-line interface: ``python -m pyradiogen <command>``.

Each module in this package that defines ``register(subparsers)`` adds one sub-command; the
function it registers (``parser.set_defaults(func=...)``) receives the parsed arguments and
returns the exit code.

Errors (the same for every sub-command, :func:`main`):

* a problem with the user's input — :class:`UserError`, a reader's ``CohortError``/
  ``TableError``, any ``ValueError``, a missing file, an error raised by R
  (``pyradiogen.rfuncs.RError``) — is printed as one short message naming the input and the
  fix, without a traceback; exit code 2;
* anything else is a bug: one line, and the path of a log file holding the traceback; exit
  code 1. Logs go to ``$PYRADIOGEN_LOG_DIR`` or the user log folder (platformdirs).

Warnings raised while a command runs (dropped rows, missing genes, R warnings, warnings logged
or raised in worker processes) are printed on stderr once each, short and grouped, by one
:class:`~pyradiogen.cli._report.WarningReport` (``-v`` prints them whole).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import importlib
import logging
import os
import pkgutil
import re
import sys
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.markup import escape

from .. import __version__
from ..consoles import WideConsole

# not a terminal (a pipe, a file, a CI log): tables are printed whole (pyradiogen.consoles)
console = WideConsole()
err_console = WideConsole(stderr=True)


class UserError(Exception):
    """A problem with the user's input; printed without a traceback."""


_STATES_DEFAULT = re.compile(r"\(default\b|\bdefault:|\bby default\b|\(the default\)|"
                             r"\bdefault \d|\bno default\b", re.IGNORECASE)


def states_default(text: str) -> bool:
    """Whether an option's help text already says what happens when it is not given.

    Parameters
    ----------
    text : str
        The help text.

    Returns
    -------
    bool
        True when it mentions a default (``default``, ``by default``, ``otherwise`` …).
    """
    return bool(_STATES_DEFAULT.search(text or ""))


class HelpFormatter(argparse.HelpFormatter):
    """``--help`` that states every option's default.

    An option whose help text does not already say what happens by default gets
    ``(default: X)`` appended; options whose default is ``None`` (the value then comes from
    elsewhere: a config, a cohort, a preset) must say so in their help text, and
    ``tests/test_cli_help.py`` checks that every option does.

    Parameters
    ----------
    prog : str
        Program name.
    indent_increment, max_help_position, width : int or None
        As ``argparse.HelpFormatter``.
    """

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if ("%(default)" in text or states_default(text) or not action.option_strings
                or action.required or action.nargs == 0
                or action.default in (None, argparse.SUPPRESS)):
            return text
        return text + " (default: %(default)s)"


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose help states defaults (:class:`HelpFormatter`).

    Sub-command parsers are made of this class too.

    Parameters
    ----------
    *args, **kwargs
        As ``argparse.ArgumentParser``; ``formatter_class`` defaults to
        :class:`HelpFormatter`.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


#: the order of the sub-command modules in ``--help`` and the README (a new user's path: set
#: up, get a cohort, run everything, then each step on its own); others follow by name
ORDER = ("doctor", "setup_r", "cohort_cmds", "replicate", "drf", "crf", "signatures",
         "ssgsea", "associate", "predict", "explore", "vignettes")


def add_cluster_options(p: argparse.ArgumentParser) -> None:
    """Add ``--backend loky|dask`` and ``--scheduler`` to a sub-command's parser.

    They send a command's worker tasks to a Dask cluster (:mod:`pyradiogen.distributed`);
    ``main`` connects once for the whole command.

    Parameters
    ----------
    p : argparse.ArgumentParser
        The sub-command's parser, changed in place.
    """
    p.add_argument("--backend", choices=["loky", "dask"], default="loky",
                   help="worker processes on this machine (loky) or tasks on the Dask cluster "
                        "at --scheduler (dask; README 'Running on a Dask cluster')")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="Dask scheduler address tcp://HOST:PORT for --backend dask (no "
                        "default: needed with --backend dask)")


def _cluster(args: argparse.Namespace) -> Any:
    """The Dask cluster of a command run with ``--backend dask --scheduler ADDRESS``."""
    from ..distributed import use_cluster

    backend, scheduler = getattr(args, "backend", None), getattr(args, "scheduler", None)
    if backend == "dask" and not scheduler:
        raise UserError("--backend dask needs --scheduler tcp://host:port of a running cluster "
                        "(`dask scheduler`, then `dask worker ADDRESS --nthreads 1`)")
    return use_cluster(scheduler) if backend == "dask" else contextlib.nullcontext()


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every discovered sub-command.

    Returns
    -------
    argparse.ArgumentParser
        With one sub-parser per ``pyradiogen/cli/<name>.py`` module's ``register``.
    """
    parser = Parser(
        prog="pyradiogen",
        description="Breast-cancer MRI radiogenomics with R's reference statistics embedded.",
        epilog="Exit codes: 0 done; 1 internal error (a log file with the traceback is named); "
               "2 a problem with the input (the message names the file, column or ID and the "
               "fix). Every table option reads CSV, TSV or parquet; missing values may be "
               "written NA, empty, n/a or as TCGA writes them (Not Available, [Not Evaluated] …).",
    )
    parser.add_argument("--version", action="version", version=f"pyradiogen {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for mod in sorted(pkgutil.iter_modules(__path__),
                      key=lambda m: (ORDER.index(m.name) if m.name in ORDER else len(ORDER),
                                     m.name)):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{mod.name}")
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def log_dir() -> Path:
    """Where internal-error logs go: ``$PYRADIOGEN_LOG_DIR`` or the user log folder.

    Returns
    -------
    Path
        The folder.
    """
    env = os.environ.get("PYRADIOGEN_LOG_DIR")
    if env:
        return Path(env)
    try:
        import platformdirs

        return Path(platformdirs.user_log_dir("pyradiogen", appauthor=False))
    except ImportError:  # pragma: no cover - platformdirs ships with pip's vendored deps
        return Path.home() / ".cache" / "pyradiogen" / "log"


def _write_log(exc: BaseException, argv: Sequence[str] | None) -> Path | None:
    try:
        d = log_dir()
        d.mkdir(parents=True, exist_ok=True)
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        path = d / f"pyradiogen-error-{stamp}-{os.getpid()}.log"
        text = (f"pyradiogen {__version__}\ncommand: {' '.join(map(str, argv or sys.argv))}\n"
                f"python: {sys.version}\n\n"
                + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        path.write_text(text, encoding="utf-8")
        return path
    except OSError:
        return None


def _inputs(args: argparse.Namespace) -> str:
    """The file options of a command as the user typed them (for R error messages)."""
    parts = []
    for k, v in vars(args).items():
        vals = v if isinstance(v, list) else [v]
        if any(isinstance(x, Path) for x in vals) and k != "out":
            parts.append(f"--{k.replace('_', '-')} {' '.join(str(x) for x in vals)}")
    return ", ".join(parts)


def _is_user_error(exc: BaseException) -> bool:
    from ..cohort.errors import CohortError
    from ..distributed import ClusterUnavailableError

    if isinstance(exc, (UserError, CohortError, ClusterUnavailableError, ValueError,
                        FileNotFoundError,
                        IsADirectoryError, NotADirectoryError, PermissionError)):
        return True
    try:
        from ..rfuncs import RError, RUnavailableError
        from ..rlibrary import RPackageError
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, (RError, RUnavailableError, RPackageError))


def _user_message(exc: BaseException, args: argparse.Namespace) -> str:
    from ..rfuncs import RError, RUnavailableError

    if isinstance(exc, RError):
        inputs = _inputs(args)
        where = f" on {inputs}" if inputs else ""
        call = f" ({exc.r_call})" if getattr(exc, "r_call", None) else ""
        return (f"R could not compute `{args.command}`{where}: {exc.r_message}{call} — fix: "
                "check the input named above (too few complete rows, a constant column, "
                "values on the wrong scale); `pyradiogen doctor` checks the R set-up")
    if isinstance(exc, RUnavailableError):
        return f"{exc} — fix: run `pyradiogen doctor` and follow its fixes"
    from ..rlibrary import RPackageError

    if isinstance(exc, RPackageError):
        return (f"{exc} — fix: run `python -m pyradiogen setup-r` (then `pyradiogen doctor` to "
                "check)")
    if isinstance(exc, FileNotFoundError) and exc.filename and str(exc.filename) not in str(exc):
        return f"{exc.filename}: {exc.strerror or exc}"
    return str(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    ``UserError``, ``CohortError``/``ValueError``, missing files and R's ``RError`` become
    one message and exit code 2; anything else one line plus a log file with the traceback,
    exit code 1.

    Parameters
    ----------
    argv : sequence of str or None, default None
        Arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    int
        Exit code: 0 done, 1 internal error, 2 input problem.
    """
    from . import _report

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    from ..parallel import Terminated, shutdown_pools, stop_cleanly_on_signals
    from ..threads import pin_numerics

    pin_numerics()  # before anything runs torch: oneDNN/MKL read it once
    # one place where warnings reach the console: once each, short, grouped (cli/_report.py)
    report = _report.WarningReport(
        lambda text: err_console.print(text, highlight=False, soft_wrap=True), args.verbose)
    previous = _report.install(report)
    handler = None if args.verbose else report.log_handler()
    root = logging.getLogger()
    if handler is not None:
        root.addHandler(handler)
    try:
        with warnings.catch_warnings(), stop_cleanly_on_signals():
            warnings.simplefilter("always")
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.filterwarnings("ignore", category=FutureWarning)
            warnings.showwarning = report.showwarning
            try:
                with _cluster(args):
                    return int(args.func(args) or 0)
            finally:
                report.finish()
    except KeyboardInterrupt as exc:
        shutdown_pools()
        what = "stopped" if isinstance(exc, Terminated) else "interrupted"
        err_console.print(f"[yellow]{what}; finished stages are kept, rerun to resume[/]")
        return 143 if isinstance(exc, Terminated) else 130
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 - every error becomes a message and a code
        if args.verbose:
            err_console.print(escape("".join(traceback.format_exception(
                type(exc), exc, exc.__traceback__))), highlight=False)
        if _is_user_error(exc):
            err_console.print(f"[bold red]error:[/] {escape(_user_message(exc, args))}",
                              highlight=False, soft_wrap=True)
            return 2
        log = _write_log(exc, argv)
        where = f"; the traceback is in {log}" if log else ""
        first = str(exc).splitlines()[0] if str(exc) else ""
        err_console.print(f"[bold red]internal error[/] in `{args.command}`: "
                          f"{escape(type(exc).__name__)}: {escape(first)}{escape(where)} — "
                          "please report it with that file", highlight=False, soft_wrap=True)
        return 1
    finally:
        if handler is not None:
            root.removeHandler(handler)
        _report.install(previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
