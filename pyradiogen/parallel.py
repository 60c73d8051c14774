"""Process-parallel map whose workers each start their own embedded R on first use.

R is not thread-safe and one process holds one R, so parallelism is by processes (joblib
``loky``) or by Dask workers running one task at a time. The result of :func:`pmap` is exactly
the serial result: same order, and per-task seeds that do not depend on the worker layout.
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np
from joblib import Parallel, delayed, parallel_config

from .progress import enabled as _progress_enabled
from .progress import progress_task

T = TypeVar("T")
R = TypeVar("R")

BACKENDS = ("loky", "sequential", "dask")


class ParallelThreadError(RuntimeError):
    """pmap was asked to run R work on threads."""


def task_seed(seed: int, index: int) -> int:
    """The seed of task ``index`` under base ``seed``: independent of worker count."""
    return int(np.random.SeedSequence([int(seed), int(index)]).generate_state(1)[0] % (2**31 - 1))


def _run_one(fn: Callable[..., R], item: Any, seed: int | None, r_seed: bool) -> R:
    if seed is not None:
        random.seed(seed)
        np.random.seed(seed % (2**32))
        if r_seed:
            from .rfuncs import set_seed

            set_seed(seed)
    return fn(item)


# --------------------------------------------------------------------------- R worker set-up


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


def pmap(
    fn: Callable[[T], R],
    items: Sequence[T] | Iterable[T],
    n_jobs: int = 1,
    backend: str = "loky",
    seed: int | None = None,
    r_seed: bool = False,
    description: str | None = None,
    scheduler: str | None = None,
) -> list[R]:
    """Apply ``fn`` to every item in worker processes and return the results in order.

    ``fn`` must be picklable (a module-level function or a ``functools.partial`` of one).
    With ``seed``, task *i* runs after seeding Python's and NumPy's RNG (and R's when
    ``r_seed``) with :func:`task_seed` ``(seed, i)``, so results match the serial run.
    ``backend="dask"`` needs a running ``distributed`` scheduler at ``scheduler``
    (``tcp://host:port``); its workers must run one thread each when ``fn`` calls R.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS} (threads cannot run R), got {backend!r}")
    if threading.current_thread() is not threading.main_thread():
        raise ParallelThreadError(
            "pmap must be called from the main thread: embedded R is not thread-safe; "
            "run it from the main thread of a process instead"
        )
    items = list(items)
    seeds = [None if seed is None else task_seed(seed, i) for i in range(len(items))]
    if n_jobs == 1 or backend == "sequential" or len(items) <= 1:
        out: list[R] = []
        with progress_task(description or "tasks", len(items)) as advance:
            for item, s in zip(items, seeds):
                out.append(_run_one(fn, item, s, r_seed))
                advance()
        return out
    tasks = (delayed(_run_one)(fn, item, s, r_seed) for item, s in zip(items, seeds))
    verbose = 0
    if backend == "dask":
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover
            raise ImportError("backend='dask' needs `pip install pyradiogen[dask]`") from exc
        if scheduler is None:
            raise ValueError("backend='dask' needs scheduler='tcp://host:port' of a running cluster")
        with r_worker_env(), Client(scheduler), parallel_config(backend="dask"):
            return list(Parallel(n_jobs=n_jobs, verbose=verbose)(tasks))
    with r_worker_env(), progress_task(description or "tasks", len(items)) as advance:
        results: list[R] = []
        for res in Parallel(n_jobs=n_jobs, backend="loky", return_as="generator",
                            verbose=verbose)(tasks):
            results.append(res)
            if _progress_enabled():
                advance()
        return results


def chunked(seq: Sequence[T], size: int) -> list[Sequence[T]]:
    """Split ``seq`` into consecutive chunks of at most ``size`` items."""
    if size < 1:
        raise ValueError("chunk size must be >= 1")
    return [seq[i:i + size] for i in range(0, len(seq), size)]
