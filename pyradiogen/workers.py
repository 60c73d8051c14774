"""What runs inside a worker process of :func:`pyradiogen.parallel.pmap`.

A worker is a loky worker, or the child process that runs a Dask worker's tasks
(:mod:`pyradiogen.distributed`). This module holds what they share: per-task seeding, one
thread per numerical library, memory returned to the operating system after each task, the
environment worker processes start with, and exiting with a killed parent.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import random
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from . import threads as _threads

R = TypeVar("R")


def run_one(fn: Callable[..., R], item: Any, seed: int | None, r_seed: bool) -> R:
    """Run ``fn(item)`` after seeding the random generators, as every backend runs a task.

    Parameters
    ----------
    fn : callable
        The task function, called with one item.
    item : object
        The task's input (a block of a stage: file list, ROI description, column block).
    seed : int or None
        The task's seed (:func:`pyradiogen.parallel.task_seed`): seeds Python's ``random``
        and NumPy's global generator (modulo 2**32), and R's ``set.seed`` when ``r_seed``.
        ``None``: no generator is touched.
    r_seed : bool
        Seed R's generator too (starts R in this process if it is not running).

    Returns
    -------
    object
        What ``fn(item)`` returns.
    """
    if seed is not None:
        random.seed(seed)
        np.random.seed(seed % (2**32))
        if r_seed:
            from .rfuncs import set_seed

            set_seed(seed)
    return fn(item)


@contextlib.contextmanager
def r_worker_env():
    """Spawn worker processes without the library path the embedded R added to this one.

    Starting R (rpy2) prepends R's ``ldpaths`` (``$R_HOME/lib``, the system library folder, the
    JVM) to ``LD_LIBRARY_PATH``; child Pythons that inherit it load system builds of libraries
    that clash with this Python's (seen: ``_ssl`` → ``undefined symbol: _PyModule_Add`` when
    loky or Dask workers import pyarrow). Workers start their own R lazily and set it up
    again. :func:`pmap` enters this around every loky or Dask run; enter it yourself around
    other ways of starting workers (a ``distributed.LocalCluster``).

    Yields
    ------
    None
        Inside the block ``LD_LIBRARY_PATH`` lacks R's folders (unchanged when R was not
        started or the variable is unset); it is restored on leaving.
    """
    from .rfuncs import r_started

    old = os.environ.get("LD_LIBRARY_PATH")
    if not r_started() or old is None:
        yield
        return
    r_home = os.environ.get("R_HOME", "/usr/lib/R")
    keep = [p for p in old.split(":") if p and not p.startswith(r_home) and "/jvm/" not in p
            and p.rstrip("/") not in ("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib")]
    if keep:
        os.environ["LD_LIBRARY_PATH"] = ":".join(keep)
    else:
        del os.environ["LD_LIBRARY_PATH"]
    try:
        yield
    finally:
        os.environ["LD_LIBRARY_PATH"] = old


def release_memory() -> None:
    """Give freed memory back to the operating system.

    Runs Python's garbage collector, R's (when this process started R; a failure there is
    ignored) and glibc's ``malloc_trim(0)`` (skipped where there is no glibc). Keeps a
    long-lived worker's resident size at what it really holds.
    """
    gc.collect()
    try:
        from .rfuncs import r_gc

        r_gc()
    except Exception:  # noqa: BLE001 - best effort: a failed gc must not fail the task
        pass
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def run_in_worker(fn: Callable[..., R], item: Any, seed: int | None, r_seed: bool,
                   threads: int) -> R:
    """Run one task in a pool worker: thread limits set, task seeded, memory released after.

    Parameters
    ----------
    fn : callable
        The task function, called with one item.
    item : object
        The task's input.
    seed : int or None
        The task's seed (see :func:`run_one`); ``None``: generators untouched.
    r_seed : bool
        Seed R's generator too.
    threads : int
        Threads each numerical library (BLAS, OpenMP, torch) may use in this worker
        (:func:`pyradiogen.threads.init_worker`).

    Returns
    -------
    object
        What ``fn(item)`` returns; :func:`release_memory` runs afterwards, also when the task
        raises.
    """
    _threads.init_worker(threads)
    try:
        return run_one(fn, item, seed, r_seed)
    finally:
        release_memory()


def exit_with_parent(parent: int, interval: float = 0.5) -> None:
    """Start a daemon thread that ends this process when its parent process is gone.

    A spawned helper (a background task, a Dask worker's R process) must not outlive a parent
    killed with SIGKILL, holding cores, memory and an R. The thread polls ``os.getppid()``
    and calls ``os._exit(3)`` once it differs from ``parent`` (the process was re-parented).

    Parameters
    ----------
    parent : int
        Process id of the parent, read by the caller when the process starts.
    interval : float, default 0.5
        Seconds between two checks.
    """
    import time

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, daemon=True, name="pyradiogen-exit-with-parent").start()
