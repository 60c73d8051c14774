"""README.md: its command synopsis equals ``--help``; its R snippet works from any folder."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("readme_cli", ROOT / "scripts" / "readme_cli.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_readme_synopsis_is_what_the_argparse_definitions_give():
    mod = _script()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    expected = mod.render(text)
    assert text == expected, ("README.md's command synopsis differs from the argparse "
                              "definitions: run `python scripts/readme_cli.py`")


def test_readme_lists_every_subcommand_with_its_options():
    from test_cli_help import commands

    block = _script().synopsis()
    for name, parser in commands().items():
        assert f"python -m pyradiogen {name} " in block or block.count(
            f"python -m pyradiogen {name}\n"), name
        for action in parser._actions:
            for opt in action.option_strings:
                if opt not in ("-h", "--help"):
                    assert opt in block, f"{name} {opt} missing from the README synopsis"


@pytest.mark.r
def test_readme_r_snippet_works_from_any_folder(tmp_path):
    """The README's R code finds the installed R package from a folder outside the checkout."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```r\n(.*?)```", text, re.S) if "setup-r" in b)
    assert ".rlib" not in block
    lines = block.splitlines()
    upto = next(i for i, ln in enumerate(lines) if ln.startswith("library(pyradiogen"))
    code = "\n".join(lines[: upto + 1]).replace('"python"', repr(sys.executable).replace("'", '"'))
    code += '\nsim <- simulated_expression()\ncat("rows", nrow(sim$data), "\\n")\n'
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    res = subprocess.run([shutil.which("Rscript") or "Rscript", "-e", code], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert re.search(r"rows \d+", res.stdout)
