"""Process-parallel map with one embedded R per worker."""

from __future__ import annotations

import os
import threading

import pytest

from pyradiogen import rbridge as rb
from pyradiogen.parallel import ParallelThreadError, chunked, pmap, task_seed


def r_task(i: int) -> tuple[int, float, float, int]:
    """Calls R: a deterministic computation and a seeded random draw, plus the worker pid."""
    val = rb.rcall("function(i) sum(sqrt(seq_len(i)))", i + 1)
    draw = rb.reval("runif(1)")
    return i, float(val), float(draw), os.getpid()


def r_fail(i: int) -> float:
    return rb.rcall("function(i) if (i == 3) stop('bad item ', i) else i", i)


def test_200_tasks_over_two_workers_equal_serial():
    items = list(range(200))
    serial = pmap(r_task, items, n_jobs=1, seed=11, r_seed=True)
    par = pmap(r_task, items, n_jobs=2, seed=11, r_seed=True)
    assert [r[:3] for r in par] == [r[:3] for r in serial]
    assert len({r[3] for r in par}) == 2  # two worker processes, each with its own R
    assert os.getpid() not in {r[3] for r in par}


def test_r_error_raised_from_worker():
    with pytest.raises(rb.RError) as exc:
        pmap(r_fail, range(6), n_jobs=2)
    assert "bad item 3" in exc.value.r_message


def test_threads_are_refused():
    with pytest.raises(ValueError, match="threads cannot run R"):
        pmap(r_task, [1], backend="threading")
    errors = []

    def run():
        try:
            pmap(r_task, [1, 2])
        except ParallelThreadError as exc:
            errors.append(exc)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert errors


def test_task_seed_independent_of_layout():
    assert task_seed(5, 3) == task_seed(5, 3)
    assert len({task_seed(5, i) for i in range(1000)}) == 1000
    assert chunked(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]
