"""CLI tables printed to a pipe or a file are whole: no 80-column folding or cut cells.

rich falls back to 80 columns when the output is not a terminal; ``pyradiogen.consoles``
makes the CLI's consoles wide there instead, and honours ``$COLUMNS``.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# cells of `validate`'s tables on the real TCGA 2012 clinical table, each longer than 80
# columns or in a table wider than 80 columns
MISSING = ("missing values per column (patients kept; each analysis leaves out its own): "
           "age 7 (NA ×7); T 37 (NA ×34, empty ×3); N 34 (NA ×34); ER 45 (Not Performed ×31, "
           "NA ×7, Performed but Not Available ×5, Indeterminate ×2); PR 48 (Not Performed ×32, "
           "NA ×7, Performed but Not Available ×5, Indeterminate ×4); HER2 59 (NA ×34, Not "
           "Available ×15, Equivocal ×10); pam50 303 (NA ×303); sex 7 (NA ×7)")
STEP = "DCE exam, 1.5 T GE scanner and post-contrast phase 1: not applied (the cohort has no images)"
ASSOCIATE = ("drfs_qn (stage liu2023-drf is skipped) or the cohort has no table of the 36 TCGA "
             "phenotype features (`crf36`); liu2023_patients (stage liu2023-cohort is skipped); "
             "signatures (stage liu2023-genomics is skipped); ssgsea (stage liu2023-genomics is "
             "skipped)")


@pytest.fixture(scope="module")
def clinical_cohort(real_data, tmp_path_factory) -> Path:
    """A cohort of the real TCGA 2012 clinical table alone (validate takes ~2 s)."""
    root = tmp_path_factory.mktemp("piped") / "cohort"
    root.mkdir()
    os.symlink(real_data / "tcga2012_clinical" / "tcga2012_nature_supp_table1.csv",
               root / "clinical.csv")
    (root / "cohort.toml").write_text('name = "clinical only"\nkind = "tcga"\n'
                                      '[parts]\nclinical = "clinical.csv"\n')
    return root


def _validate(cohort: Path, columns: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR",
                                                             "FORCE_TERMINAL", "TTY_COMPATIBLE")}
    env["PYRADIOGEN_PROGRESS"] = "0"
    if columns is not None:
        env["COLUMNS"] = columns
    # stdout and stderr are pipes, stdin is closed: no terminal anywhere (as in `| less` from
    # a script, `> file`, a CI log)
    return subprocess.run([sys.executable, "-m", "pyradiogen", "validate", str(cohort)],
                          cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, encoding="utf-8", timeout=300)


def _cells(out: str) -> list[str]:
    """Each table row's cells, stripped (rows of rich's box drawing)."""
    return [c.strip() for line in out.splitlines() if line.startswith("│")
            for c in line.strip("│").split("│")]


def test_validate_piped_prints_whole_tables(clinical_cohort):
    res = _validate(clinical_cohort, None)
    # no study keeps a patient without expression data: exit 1, but every table is printed
    assert res.returncode == 1, res.stderr
    cells = _cells(res.stdout)
    assert MISSING in cells                       # the checks table
    assert STEP in cells                          # study liu2023's exclusions
    assert ASSOCIATE in cells                     # the stages replicate can run
    assert "study 1's patients with CRF36 and TIMER" in cells   # the minimums
    # one line per row: 3 clinical checks; liu2023's 7 stages and 8 minimums
    assert sum(line.startswith("│ clinical ") for line in res.stdout.splitlines()) == 3
    assert sum(line.startswith("│ liu2023 │ liu2023-") for line in res.stdout.splitlines()) \
        == 7 + 8
    assert "…" not in "".join(line for line in res.stdout.splitlines()
                              if line.startswith("│") and "male patient" not in line)


def test_validate_honours_columns(clinical_cohort):
    res = _validate(clinical_cohort, "100")
    assert res.returncode == 1, res.stderr
    lines = res.stdout.splitlines()
    assert max(len(line) for line in lines) == 100
    table = [line for line in lines if line.startswith("│")]
    assert not any(line.startswith("│ clinical") and "HER2 59" in line and "sex 7" in line
                   for line in table)              # folded at 100 columns …
    words = " ".join(c for c in _cells(res.stdout) if c).split()
    for w in MISSING.split():                      # … but no word cut or left out
        assert w in words, w


def test_cli_consoles_are_wide_off_a_terminal(monkeypatch):
    from pyradiogen import cli, progress
    from pyradiogen.consoles import PIPE_WIDTH, WideConsole

    monkeypatch.delenv("COLUMNS", raising=False)
    for con in (cli.console, cli.err_console, progress.console):
        assert isinstance(con, WideConsole)
    buf = io.StringIO()
    con = WideConsole(file=buf)
    assert con.width == PIPE_WIDTH
    monkeypatch.setenv("COLUMNS", "132")
    assert con.width == 132                        # read at each print
    monkeypatch.setattr(sys, "stdout", buf)
    assert cli.console.width == 132
    monkeypatch.delenv("COLUMNS")
    assert cli.console.width == PIPE_WIDTH
    assert WideConsole(file=buf, width=90).width == 90
    con.print("x" * 300)
    assert buf.getvalue() == "x" * 300 + "\n"
