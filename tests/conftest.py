"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("PYRADIOGEN_PROGRESS", "0")
os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def demo_cohort_dir(tmp_path_factory):
    """A small demo cohort (24 patients, seed 7), generated once per test session."""
    from pyradiogen.datasets import make_demo_cohort

    out = tmp_path_factory.mktemp("demo_cohort")
    make_demo_cohort(out, n_patients=24, seed=7)
    return out


# ----------------------------------------------------------------------------- real data
# Real public data for tests lives in ``../shared/data/real/`` beside the clone (CI has it);
# it is never copied into the project. Tests that need it take the ``real_data`` fixture and
# carry the ``realdata`` marker. Where the folder is absent they skip with the reason — except
# when PYRADIOGEN_REQUIRE_REAL_DATA=1 (set by .ci/run), where a missing folder is a failure.
REPO_ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = Path(os.environ.get("PYRADIOGEN_REAL_DATA",
                                REPO_ROOT.parent / "shared" / "data" / "real"))


def _real_data_required() -> bool:
    return os.environ.get("PYRADIOGEN_REQUIRE_REAL_DATA", "") not in ("", "0")


@pytest.fixture(scope="session")
def real_data() -> Path:
    """Folder of the real public test data (``../shared/data/real``); skips when absent."""
    if not REAL_DATA.is_dir():
        msg = (f"real-data fixtures missing: {REAL_DATA} not found (put the project's shared/ "
               "folder beside the clone, or set PYRADIOGEN_REAL_DATA)")
        if _real_data_required():
            pytest.fail(msg + " — required here (PYRADIOGEN_REQUIRE_REAL_DATA=1)")
        pytest.skip(msg)
    return REAL_DATA


def pytest_collection_modifyitems(config, items):
    """Tests that use ``real_data`` carry the ``realdata`` marker (select with -m realdata)."""
    for item in items:
        if "real_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.realdata)


def pytest_sessionfinish(session, exitstatus):
    """In CI, a skipped real-data test fails the run (the data must be there)."""
    if not _real_data_required():
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    stats = reporter.stats if reporter is not None else {}
    skipped = [r for r in stats.get("skipped", []) if "realdata" in getattr(r, "keywords", {})]
    if skipped:
        if reporter is not None:
            reporter.write_line(f"{len(skipped)} real-data test(s) skipped although "
                                "PYRADIOGEN_REQUIRE_REAL_DATA=1: failing the run", red=True)
        session.exitstatus = 1
