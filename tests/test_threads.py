"""The package's thread budget (issue 17): one policy for BLAS, OpenMP and torch threads."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from pyradiogen import threads
from pyradiogen.parallel import BackgroundTask, pmap
from pyradiogen.store import StageCache


@pytest.fixture(autouse=True)
def _no_cap():
    threads.set_budget(None)
    yield
    threads.set_budget(None)


def thread_report(_i: int) -> dict:
    """What a task sees: pid, the BLAS/OpenMP pools' threads, torch's and the env."""
    import torch
    from threadpoolctl import threadpool_info

    return {"pid": os.getpid(), "pools": sorted({p["num_threads"] for p in threadpool_info()}),
            "torch": torch.get_num_threads(), "omp": os.environ.get("OMP_NUM_THREADS")}


def slow_square(x: int) -> int:
    time.sleep(0.05)
    return x * x


def warn_and_add(a: int, b: int) -> int:
    warnings.warn("a warning from the background", UserWarning, stacklevel=1)
    return a + b


def test_budget_cap_env_and_pool_size(monkeypatch):
    cores = threads.usable_cores()
    assert threads.budget() == cores == threads.total_budget()
    threads.set_budget(1)
    assert threads.budget() == 1 and os.environ[threads.ENV_BUDGET] == "1"
    assert threads.pool_size(4) == 1 and threads.pool_size(0) == 1
    threads.set_budget(None)
    assert threads.ENV_BUDGET not in os.environ
    monkeypatch.setenv(threads.ENV_BUDGET, "1")
    assert threads.budget() == 1
    monkeypatch.delenv(threads.ENV_BUDGET)
    assert threads.pool_size(None, n_tasks=1) == 1
    assert threads.pool_size(-1) == cores
    with pytest.raises(ValueError, match="positive"):
        threads.set_budget(-2)
    token = threads.reserve(cores)
    assert threads.budget() == 1  # never below one core
    threads.release(token)
    assert threads.budget() == cores


def test_limit_sets_blas_openmp_and_torch_then_restores():
    import torch
    from threadpoolctl import threadpool_info

    before = torch.get_num_threads()
    with threads.limit(1) as n:
        assert n == 1
        assert {p["num_threads"] for p in threadpool_info()} == {1}
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_deterministic_torch_pins_and_restores():
    import torch

    torch.set_num_threads(1)
    with threads.deterministic_torch(2):
        assert torch.get_num_threads() == 2
        assert torch.are_deterministic_algorithms_enabled()
        assert torch.backends.mkldnn.deterministic
        assert torch.get_float32_matmul_precision() == "highest"
    assert torch.get_num_threads() == 1 and not torch.are_deterministic_algorithms_enabled()
    threads.set_budget(1)
    with pytest.warns(UserWarning, match="above the thread budget"), \
            threads.deterministic_torch(2):
        assert torch.get_num_threads() == 2  # the configured count: the numbers stay


def test_pool_workers_run_one_thread_and_the_cap_is_honoured():
    par = pmap(thread_report, range(4), n_jobs=2)
    assert all(r["pools"] == [1] and r["torch"] == 1 and r["omp"] == "1" for r in par)
    assert os.getpid() not in {r["pid"] for r in par}
    threads.set_budget(1)  # a pool of one: the tasks run here, still one thread each
    ser = pmap(thread_report, range(2), n_jobs=2)
    assert {r["pid"] for r in ser} == {os.getpid()}
    assert all(r["pools"] == [1] and r["torch"] == 1 for r in ser)


def test_background_task_reserves_cores_and_returns_warnings():
    cores = threads.total_budget()
    with BackgroundTask(warn_and_add, 2, 3, threads=1) as task:
        if cores > 1:
            assert threads.budget() == cores - 1
        with pytest.warns(UserWarning, match="from the background"):
            assert task.result() == 5
    assert threads.budget() == cores


def die_abruptly() -> None:
    os._exit(3)


def test_background_task_that_dies_raises_its_own_error():
    # the process is gone and its pool already shut down when the block is left: the caller
    # sees the broken pool, not an error of the clean-up
    from concurrent.futures.process import BrokenProcessPool

    cores = threads.total_budget()
    with pytest.raises(BrokenProcessPool):
        with BackgroundTask(die_abruptly, threads=1) as task:
            while not task.done():
                time.sleep(0.05)
            time.sleep(0.5)  # the done-callback has shut the pool down
            task.result()
    assert threads.budget() == cores


def test_stage_cache_keeps_the_producing_run_time(tmp_path):
    cache = StageCache(tmp_path)

    def stage() -> list[Path]:
        time.sleep(0.2)
        return [Path(tmp_path / "a.txt")] if (tmp_path / "a.txt").write_text("x") else []

    ran, _ = cache.run("s", stage, params={"k": 1})
    first = cache.timing("s")
    assert ran and first.ran and first.seconds >= 0.2 and first.label().startswith("ran in")
    again = StageCache(tmp_path)  # a resumed run
    ran, _ = again.run("s", stage, params={"k": 1})
    t = again.timing("s")
    assert not ran and not t.ran and t.seconds == first.seconds
    assert t.label() == f"reused from {t.finished[:10]} {t.finished[11:19]} UTC (ran in " \
                        f"{first.seconds:.1f} s)"
    assert t.to_dict()["reused_from"] == first.finished


SIGTERM_SCRIPT = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from test_threads import slow_square
from pyradiogen.parallel import pmap, stop_cleanly_on_signals
print("start", flush=True)
try:
    with stop_cleanly_on_signals():
        pmap(slow_square, range(100000), n_jobs=2)
except KeyboardInterrupt as exc:
    print("stopped:", type(exc).__name__, flush=True)
    sys.exit(143)
"""


@pytest.mark.slow
def test_sigterm_stops_workers_without_leaks(tmp_path):
    env = {**os.environ, "PYRADIOGEN_PROGRESS": "0"}
    p = subprocess.Popen([sys.executable, "-c", SIGTERM_SCRIPT, str(Path(__file__).parent)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                         start_new_session=True)
    assert p.stdout.readline().strip() == "start"
    time.sleep(6)  # the pool is running
    os.kill(p.pid, signal.SIGTERM)
    out, _ = p.communicate(timeout=60)
    time.sleep(2)
    left = subprocess.run(["pgrep", "-g", str(p.pid)], capture_output=True, text=True).stdout
    assert p.returncode == 143, out
    assert "stopped: Terminated" in out
    assert "leaked" not in out and "worker stopped" not in out, out
    assert left.split() == [], f"processes left behind: {left}"
