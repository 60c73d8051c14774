"""What runs inside a worker process of :func:`pyradiogen.parallel.pmap` — a loky worker, or
the child process that runs a Dask worker's tasks (:mod:`pyradiogen.distributed`): per-task
seeding, one thread per numerical library, memory returned to the operating system after each
task, the environment worker processes start with, and exiting with a killed parent.
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
    """``fn(item)`` after seeding Python's and NumPy's generators (and R's when ``r_seed``)
    with ``seed`` (:func:`pyradiogen.parallel.task_seed`), as every backend runs a task."""
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
    """Give freed memory back to the operating system: Python's collector, R's (when this
    process started R) and glibc's ``malloc_trim``. Keeps a long-lived worker's resident size
    at what it really holds."""
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
    """One task in a pool worker: one thread per library, then memory released."""
    _threads.init_worker(threads)
    try:
        return run_one(fn, item, seed, r_seed)
    finally:
        release_memory()


def exit_with_parent(parent: int, interval: float = 0.5) -> None:
    """Start a daemon thread that ends this process as soon as ``parent`` is no longer its
    parent: a spawned helper (a background task, a Dask worker's R process) must not outlive
    a parent killed with SIGKILL, holding cores, memory and an R."""
    import time

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, daemon=True, name="pyradiogen-exit-with-parent").start()
