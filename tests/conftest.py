"""Shared test fixtures."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("PYRADIOGEN_PROGRESS", "0")
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def demo_cohort_dir(tmp_path_factory):
    """A small demo cohort (24 patients, seed 7), generated once per test session."""
    from pyradiogen.demo import make_demo_cohort

    out = tmp_path_factory.mktemp("demo_cohort")
    make_demo_cohort(out, n_patients=24, seed=7)
    return out
