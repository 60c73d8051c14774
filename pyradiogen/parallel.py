"""Process-parallel map whose workers each start their own embedded R on first use.

R is not thread-safe and one process holds one R, so parallelism is by processes (joblib
``loky``) or by Dask workers running one task at a time. The result of :func:`pmap` is exactly
the serial result: same order, and per-task seeds that do not depend on the worker layout.
"""

from __future__ import annotations

import random
import threading
import warnings
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
            from . import rbridge

            rbridge.set_seed(seed)
    return fn(item)


class _ForwardWarnings:
    """Runs ``fn`` in a worker process and returns its result with the warnings it raised
    (category, message), so that the parent reports them through its own warning handling
    (the command line prints each once, short) instead of the worker printing Python's
    default format, file path and source line included."""

    def __init__(self, fn: Callable[..., Any]):
        self.fn = fn

    def __call__(self, item: Any) -> tuple[Any, list[tuple[type[Warning], str]]]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = self.fn(item)
        return res, [(w.category, str(w.message)) for w in caught]


def _reraise_warnings(results: list[tuple[Any, list]]) -> list[Any]:
    """The results of :class:`_ForwardWarnings` tasks; their warnings raised here, in order."""
    out = []
    for res, caught in results:
        for category, message in caught:
            warnings.warn(message, category, stacklevel=3)
        out.append(res)
    return out


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
    fn = _ForwardWarnings(fn)  # worker warnings come back and are raised here
    tasks = (delayed(_run_one)(fn, item, s, r_seed) for item, s in zip(items, seeds))
    verbose = 0
    if backend == "dask":
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover
            raise ImportError("backend='dask' needs `pip install pyradiogen[dask]`") from exc
        if scheduler is None:
            raise ValueError("backend='dask' needs scheduler='tcp://host:port' of a running cluster")
        with Client(scheduler), parallel_config(backend="dask"):
            return _reraise_warnings(list(Parallel(n_jobs=n_jobs, verbose=verbose)(tasks)))
    with progress_task(description or "tasks", len(items)) as advance:
        results: list[R] = []
        for res in Parallel(n_jobs=n_jobs, backend="loky", return_as="generator",
                            verbose=verbose)(tasks):
            results.append(res)
            if _progress_enabled():
                advance()
        return _reraise_warnings(results)


def chunked(seq: Sequence[T], size: int) -> list[Sequence[T]]:
    """Split ``seq`` into consecutive chunks of at most ``size`` items."""
    if size < 1:
        raise ValueError("chunk size must be >= 1")
    return [seq[i:i + size] for i in range(0, len(seq), size)]
