"""replicate's DRF stage gives byte-identical outputs however and how often it runs (issue 17).

The stage runs as ``replicate`` runs it — in a process that has already started R for the
genomics stage (R loads its own libgomp and reference BLAS first) — twice, and once more in a
clean process that imports torch first and carries ``OMP_NUM_THREADS=1`` (what ``make demo``
exported before the package owned its thread budget). The DRF tables and the loss history
must be the same bytes: the training thread count comes from ``[drf] threads``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.r, pytest.mark.slow]

SCRIPT = r"""
import shutil, sys
from pathlib import Path
mode, cohort, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
if mode == "clean":
    import torch  # torch's own OpenMP runtime, loaded before anything else
from pyradiogen.config import default_config
from pyradiogen.replicate.runner import Runner, RunOptions
from pyradiogen.studies import studies

cfg = default_config("paper")
cfg.section("replicate").drf_epochs = 2
study = studies("liu2023")[0]
stage = {s.name: s for s in study.stages}
runner = Runner([study], RunOptions(out=out, cohort=cohort, config=cfg))
runner.out.mkdir(parents=True, exist_ok=True)
runner.run_stage("liu2023", stage["liu2023-cohort"])
if mode == "replicate":
    # starts R in this process, as replicate does before the DRFs
    runner.run_stage("liu2023", stage["liu2023-genomics"])
assert runner.run_stage("liu2023", stage["liu2023-drf"]).ran
keep = out.parent / f"{out.name}-first"
shutil.copytree(out / "stages" / "liu2023-drf", keep / "drf")
shutil.copy(out / "tables" / "liu2023_drf_loss_history.csv", keep)
if mode == "replicate":
    runner.opt.resume = False
    # the same stage again, in the same process
    assert runner.run_stage("liu2023", stage["liu2023-drf"]).ran
"""

FILES = ("stages/liu2023-drf/drfs.parquet", "stages/liu2023-drf/drfs_qn.parquet",
         "tables/liu2023_drf_loss_history.csv")


def _run(mode: str, cohort: Path, out: Path, **env: str) -> None:
    res = subprocess.run([sys.executable, "-c", SCRIPT, mode, str(cohort), str(out)],
                         env={**os.environ, "PYRADIOGEN_PROGRESS": "0", **env},
                         cwd=Path(__file__).resolve().parents[1], capture_output=True,
                         text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]


def test_drf_stage_bytes_identical_across_runs_and_launches(demo_cohort_dir, tmp_path):
    _run("replicate", demo_cohort_dir, tmp_path / "a")
    _run("clean", demo_cohort_dir, tmp_path / "b", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    first = tmp_path / "a-first"
    reference = {f: (tmp_path / "a" / f).read_bytes() for f in FILES}
    assert (first / "drf" / "drfs.parquet").read_bytes() == reference[FILES[0]]
    assert (first / "drf" / "drfs_qn.parquet").read_bytes() == reference[FILES[1]]
    assert (first / "liu2023_drf_loss_history.csv").read_bytes() == reference[FILES[2]]
    for f in FILES:
        assert (tmp_path / "b" / f).read_bytes() == reference[f], f
    history = (tmp_path / "a" / FILES[2]).read_text().splitlines()
    assert len(history) == 1 + 3  # header, epoch 0 (untrained), 2 epochs
