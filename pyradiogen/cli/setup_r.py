"""``pyradiogen setup-r``: install (or check) the R package pyradiogen that R-backed commands use."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape

from . import console, err_console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "setup-r",
        help="install the R package pyradiogen (bundled with this Python package) into its R "
             "library; R-backed commands also do this on first use",
        description="Install the R package pyradiogen, bundled with this Python package, into "
                    "the R library pyradiogen uses: $PYRADIOGEN_R_LIBS when set, the checkout's "
                    ".rlib in a source checkout, otherwise a per-user, per-version library "
                    "under the platform's user data directory. Nothing is done when the "
                    "installed copy is current (same version, same sources, same R).",
    )
    p.add_argument("--lib", type=Path, default=None, metavar="DIR",
                   help="install into this R library instead (sets PYRADIOGEN_R_LIBS for this "
                        "run; set it in the environment to use the library afterwards); "
                        "default: the library described above")
    p.add_argument("--force", action="store_true", help="reinstall even when current")
    p.add_argument("--check", action="store_true",
                   help="only report the state; exit 1 when missing or stale")
    p.add_argument("--print-library", action="store_true",
                   help="print only the library's path on stdout (installing first when "
                        "missing or stale, with messages on stderr): the lib.loc that loads "
                        "the R package in R (README, 'R API in brief')")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import os

    from .. import rlibrary

    if args.lib is not None:
        os.environ[rlibrary.LIBRARY_ENV] = str(args.lib.expanduser().resolve())
    lib = rlibrary.library_dir()
    r_version = _r_version()
    st = rlibrary.status(lib, r_version)
    if args.print_library:
        if not st.ok:
            err_console.print(f"installing the R package pyradiogen {rlibrary.__version__} into "
                              f"{lib} …", highlight=False, soft_wrap=True)
            try:
                rlibrary.install(lib, r_version)
            except rlibrary.RPackageError as exc:
                err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
                return 1
        print(lib)
        return 0
    if args.check:
        _print(st)
        return 0 if st.ok else 1
    if st.ok and not args.force:
        _print(st)
        return 0
    console.print(f"installing the R package pyradiogen {rlibrary.__version__} into {lib} …")
    try:
        st = rlibrary.install(lib, r_version)
    except rlibrary.RPackageError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        return 1
    _print(st)
    return 0


def _r_version() -> str | None:
    try:
        from ..rfuncs import r_version

        return r_version()
    except Exception:  # R not startable: the install will say so
        return None


def _print(st) -> None:
    state = {"current": "[green]current[/]", "missing": "[red]missing[/]",
             "stale": "[yellow]stale[/]"}[st.state]
    console.print(f"R package pyradiogen: {state}; library {st.library}; installed version "
                  f"{st.installed_version or '-'}, Python package {st.expected_version}",
                  highlight=False, soft_wrap=True)
    if not st.ok:
        console.print(escape(f"  {st.reason}; run `{st.fix}`"), highlight=False, soft_wrap=True)
