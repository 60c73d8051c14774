"""Write README.md's command synopsis from the command line's argparse definitions.

    python scripts/readme_cli.py           # rewrite the marked block of README.md
    python scripts/readme_cli.py --check   # exit 1 (printing a diff) when README.md is stale

The block between ``BEGIN`` and ``END`` in README.md is replaced by one usage line per
sub-command (exactly as ``python -m pyradiogen COMMAND --help`` prints it, without ``-h``),
each after a comment holding the command's one-line help. ``tests/test_readme.py`` fails when
README.md differs from what this script writes, so a changed option means rerunning it
(``make readme``).
"""

from __future__ import annotations

import argparse
import difflib
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BEGIN = ("<!-- command synopsis: written by scripts/readme_cli.py from the argparse "
         "definitions; do not edit by hand -->")
END = "<!-- end of command synopsis -->"
WIDTH = 96
PROG = "python -m pyradiogen"


def _usage(parser: argparse.ArgumentParser, prog: str) -> str:
    from pyradiogen.cli import HelpFormatter

    actions = [a for a in parser._actions if not isinstance(a, argparse._HelpAction)]
    fmt = HelpFormatter(prog=prog, width=WIDTH)
    fmt.add_usage(None, actions, parser._mutually_exclusive_groups, prefix="")
    return fmt.format_help().strip()


def _commands(parser: argparse.ArgumentParser, prefix: str = ""
              ) -> list[tuple[str, str, argparse.ArgumentParser]]:
    """(name, one-line help, parser) of every leaf sub-command, in the order of ``--help``."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return []
    helps = {c.dest: c.help or "" for c in subs[0]._choices_actions}
    out = []
    for name, sub in subs[0].choices.items():
        full = f"{prefix} {name}".strip()
        out += _commands(sub, full) or [(full, helps.get(name, ""), sub)]
    return out


def _comment(text: str) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), WIDTH - 2, initial_indent="# ",
                         subsequent_indent="# ")


def synopsis() -> str:
    """The generated block, markers included."""
    from pyradiogen.cli import build_parser

    parser = build_parser()
    lines = [BEGIN, "", "```text", _usage(parser, PROG)]
    for name, text, sub in _commands(parser):
        lines += ["", *_comment(f"{name}: {text}"), _usage(sub, f"{PROG} {name}")]
    lines += ["```", "", END]
    return "\n".join(lines)


def render(text: str) -> str:
    """``text`` (README.md's content) with the marked block rewritten."""
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{README}: the markers of the command synopsis are missing:\n"
                         f"{BEGIN}\n{END}")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + synopsis() + tail


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="only check; exit 1 with a diff when README.md is out of date")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    old = README.read_text(encoding="utf-8")
    new = render(old)
    if args.check:
        if new != old:
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), new.splitlines(True), "README.md", "README.md (expected)"))
            return 1
        return 0
    if new != old:
        README.write_text(new, encoding="utf-8")
        print(f"{README}: command synopsis rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
