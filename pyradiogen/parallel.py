"""Process-parallel map whose workers each start their own embedded R on first use.

R is not thread-safe and one process holds one R, so parallelism is by processes (joblib
``loky``) or by Dask workers running one task at a time. The result of :func:`pmap` is exactly
the serial result: same order, and per-task seeds that do not depend on the worker layout.

Thread policy (:mod:`pyradiogen.threads`): a pool has at most as many workers as the thread
budget allows (:func:`~pyradiogen.threads.pool_size`), and every worker runs one thread in each
BLAS/OpenMP runtime and in torch (set by environment when the worker starts and checked before
each task), so workers never oversubscribe the cores. After each task a worker returns freed
memory to the operating system (Python's and R's garbage collectors, then ``malloc_trim``), so
loky's leak guard — which retires a worker whose resident memory grew by 300 MB since its first
task — does not stop healthy workers mid-run. An interrupted or failed map shuts its workers
down and removes joblib's temporary folders before the error propagates.
"""

from __future__ import annotations

import contextlib
import os
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
from joblib import Parallel, delayed, parallel_config

from . import threads as _threads
from .progress import enabled as _progress_enabled
from .progress import progress_task
from .workers import exit_with_parent, r_worker_env, release_memory  # noqa: F401 - public here
from .workers import run_in_worker as _run_in_worker
from .workers import run_one as _run_one

T = TypeVar("T")
R = TypeVar("R")

BACKENDS = ("loky", "sequential", "dask")


class ParallelThreadError(RuntimeError):
    """pmap was asked to run R work on threads."""


def task_seed(seed: int, index: int) -> int:
    """The seed of task ``index`` under base ``seed``: independent of worker count.

    Parameters
    ----------
    seed : int
        The run's base seed.
    index : int
        Position of the task in the map (0-based).

    Returns
    -------
    int
        A seed in ``[0, 2**31 - 1)``: the first word of NumPy's
        ``SeedSequence([seed, index])``, reduced modulo ``2**31 - 1`` so R's ``set.seed``
        accepts it.

    References
    ----------
    .. [1] NumPy, ``numpy.random.SeedSequence`` (entropy mixing after M. E. O'Neill's
       randutils seed_seq).
    """
    return int(np.random.SeedSequence([int(seed), int(index)]).generate_state(1)[0] % (2**31 - 1))


# --------------------------------------------------------------------------- pools and signals


def shutdown_pools() -> None:
    """Stop joblib's reusable loky workers now, killing a task still running.

    So that an interrupted run leaves no worker, semaphore or temporary folder behind for the
    resource tracker to warn about. Harmless when no pool is running.
    """
    from joblib.externals.loky import reusable_executor as _reusable

    executor = getattr(_reusable, "_executor", None)
    if executor is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            executor.shutdown(wait=True, kill_workers=True)
    # An aborted joblib call may leave the threads of the pool it replaced finishing their
    # clean-up (closing queues, unlinking their semaphores). Wait for them, and collect the
    # dropped queues now: a daemon thread frozen at interpreter exit between unlinking a
    # semaphore and telling the resource tracker is what makes it warn about a leak.
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and thread.name in _LOKY_THREADS:
            thread.join(timeout=10)
    import gc

    gc.collect()


#: loky's helper threads that release semaphores when a pool shuts down
_LOKY_THREADS = ("ExecutorManagerThread", "QueueFeederThread")

#: source files in which an asynchronous exception could leave a semaphore or temporary folder
#: half released (created or unlinked, but the resource tracker not told)
_CRITICAL_SOURCES = tuple(os.path.join(*parts) for parts in (
    ("multiprocessing", "synchronize.py"), ("multiprocessing", "resource_tracker.py"),
    ("multiprocessing", "util.py"), ("backend", "synchronize.py"),
    ("backend", "resource_tracker.py"), ("loky", "process_executor.py"),
    ("loky", "reusable_executor.py"), ("joblib", "executor.py"),
    ("joblib", "_memmapping_reducer.py"), ("tempfile.py",), ("shutil.py",)))


def _in_critical_section(frame) -> bool:
    """Whether ``frame`` (or a caller) runs pool bookkeeping an exception must not cut."""
    while frame is not None:
        name = frame.f_code.co_filename
        if any(part in name for part in _CRITICAL_SOURCES):
            return True
        frame = frame.f_back
    return False


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM or SIGHUP); handled like an interrupt."""


@contextlib.contextmanager
def stop_cleanly_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`Terminated` within the block.

    SIGTERM and SIGHUP (``kill``, ``timeout``, a closed terminal, a batch scheduler) then
    raise :class:`Terminated` in the main thread, as Ctrl-C raises ``KeyboardInterrupt``: a
    running :func:`pmap` stops its workers and removes its temporary folders instead of
    leaving orphaned workers whose resource tracker later warns about leaked semaphores and
    folders. Previous handlers are restored after the block. Outside the main thread (where
    Python cannot set signal handlers) the block changes nothing.

    Yields
    ------
    None
        Nothing; the handlers are in place inside the block.

    Raises
    ------
    Terminated
        Inside the block, when the process receives SIGTERM or SIGHUP.
    """
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum, frame):
        if _in_critical_section(frame):
            # not inside the pool's own bookkeeping: the signal is delivered again shortly,
            # when the main thread is back in a wait
            threading.Timer(0.05, os.kill, (os.getpid(), signum)).start()
            return
        raise Terminated(f"stopped by signal {signal.Signals(signum).name}")

    saved = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            saved[sig] = signal.signal(sig, _raise)
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _background_entry(fn: Callable[..., R], args: tuple, kwargs: dict, threads: int,
                      env: dict[str, str], parent: int | None = None
                      ) -> tuple[R, list[tuple[str, str]]]:
    """Run ``fn`` in the background process and return its result and warnings.

    Sets the environment and threads, runs, and returns the result with the warnings it
    raised (category name, message).
    """
    if parent is not None:
        exit_with_parent(parent)
    os.environ.update(env)
    _threads.init_worker(threads)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args, **kwargs)
    return result, [(w.category.__name__, str(w.message)) for w in caught
                    if not issubclass(w.category, (DeprecationWarning, FutureWarning))]


class BackgroundTask:
    """``fn(*args, **kwargs)`` running in a fresh process beside the caller's work.

    The process is started with ``spawn`` (a clean interpreter: no R, no torch, no thread
    pools inherited), runs with ``threads`` threads in every library, and holds that many
    cores of the budget (:func:`pyradiogen.threads.reserve`) until it finishes, so pools
    started meanwhile use the remaining cores. :meth:`result` returns the value and re-emits
    the task's warnings in the caller. Used as a context manager, the process is stopped if
    the block is left before the result was collected (an error or an interrupt). The process
    exits by itself if the caller dies (:func:`pyradiogen.workers.exit_with_parent`).

    Parameters
    ----------
    fn : callable
        The task; must be picklable (a module-level function or a ``functools.partial`` of
        one).
    *args : object
        Positional arguments of ``fn``; pickled to the process.
    threads : int, default 1
        Threads every numerical library may use in the process (at least 1), and cores
        reserved from this process's budget while it runs.
    **kwargs : object
        Keyword arguments of ``fn``; pickled to the process.

    Attributes
    ----------
    threads : int
        The threads the process runs with.
    """

    def __init__(self, fn: Callable[..., R], *args: Any, threads: int = 1, **kwargs: Any):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.threads = max(1, int(threads))
        self._token = _threads.reserve(self.threads)
        env = {"PYRADIOGEN_PROGRESS": "0", **_threads.worker_env(self.threads)}

        self._pool = ProcessPoolExecutor(max_workers=1,
                                         mp_context=multiprocessing.get_context("spawn"))
        with r_worker_env():  # R's library path is not for this child
            self._future = self._pool.submit(_background_entry, fn, args, kwargs,
                                             self.threads, env, os.getpid())
        self._future.add_done_callback(self._finished)

    def _finished(self, _future: Any) -> None:
        """Give the task's cores back and let its process exit, as soon as it ends.

        The result stays with the future.
        """
        _threads.release(self._token)
        self._pool.shutdown(wait=False)

    def done(self) -> bool:
        """Whether the task has finished (successfully or not), without waiting.

        Returns
        -------
        bool
            True once the task's result or exception is available.
        """
        return self._future.done()

    def result(self) -> R:
        """Wait for the task; return its result and re-emit its warnings here.

        Warnings keep their category when it is a built-in warning class, else are re-emitted
        as ``UserWarning``; deprecation and future warnings are dropped. The cores are given
        back and the process stopped whether the task succeeded or not.

        Returns
        -------
        object
            What ``fn(*args, **kwargs)`` returned.

        Raises
        ------
        Exception
            The task's own exception, re-raised here.
        concurrent.futures.process.BrokenProcessPool
            The process died (out of memory, a crash in native code, killed).
        """
        try:
            value, caught = self._future.result()
        finally:
            _threads.release(self._token)
            self._pool.shutdown(wait=True)
        import builtins

        for category, message in caught:
            cat = getattr(builtins, category, None)
            if not (isinstance(cat, type) and issubclass(cat, Warning)):
                cat = UserWarning
            warnings.warn(message, cat, stacklevel=2)
        return value

    def stop(self) -> None:
        """Stop the process now (its result is lost)."""
        _threads.release(self._token)
        # after the task ended the pool may already be shut down (its process table gone)
        for proc in list((getattr(self._pool, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                proc.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> BackgroundTask:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None or not self._future.done():
            self.stop()


class _ForwardWarnings:
    """Run ``fn`` in a worker process and return its result with the warnings it raised.

    The warnings (category, message) go back to the parent, which reports them through its
    own warning handling (the command line prints each once, short) instead of the worker
    printing Python's default format, file path and source line included.
    """

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
    ``backend="dask"`` runs the tasks on the ``distributed`` cluster at ``scheduler``
    (``tcp://host:port``), each in a child process of its Dask worker that owns one embedded
    R (:mod:`pyradiogen.distributed`), so R-calling tasks run there as in loky workers.
    Inside :func:`pyradiogen.distributed.use_cluster` every map of more than one item goes to
    that cluster, whatever ``n_jobs`` (the cluster's workers set the parallelism);
    ``backend="sequential"`` stays in this process.

    With ``n_jobs=1``, ``backend="sequential"`` or at most one item (and no cluster) the tasks
    run here, limited to one thread each as in a worker, so the serial result is the pool's.
    Warnings raised in workers are re-raised here, in task order. An interrupted or failed
    loky map stops its workers (:func:`shutdown_pools`) before the error propagates.

    Parameters
    ----------
    fn : callable
        Function of one item; must be picklable.
    items : sequence or iterable
        The task inputs, n_tasks of them (an iterable is read into a list first).
    n_jobs : int, default 1
        Worker processes for ``backend="loky"``, capped by the thread budget and the number
        of items (:func:`pyradiogen.threads.pool_size`; ``-1``: as many as the budget allows).
        Ignored on a Dask cluster, whose workers set the parallelism.
    backend : {"loky", "sequential", "dask"}, default "loky"
        Local worker processes (joblib's loky), this process, or a Dask cluster.
    seed : int, optional
        Base seed: task *i* is seeded with ``task_seed(seed, i)``. ``None``: generators are
        left as they are.
    r_seed : bool, default False
        Seed R's generator too (``set.seed``) in each task.
    description : str, optional
        Label of the progress bar (default ``"tasks"``).
    scheduler : str, optional
        Address ``tcp://host:port`` of the Dask scheduler for ``backend="dask"``; default the
        one of the enclosing :func:`~pyradiogen.distributed.use_cluster` block.

    Returns
    -------
    list
        ``fn(item)`` for each item, in the order of ``items``.

    Raises
    ------
    ValueError
        ``backend`` is not one of :data:`BACKENDS`, or ``backend="dask"`` without a
        scheduler.
    ParallelThreadError
        Called from a thread other than the main thread (embedded R is not thread-safe).
    Terminated
        The process received SIGTERM or SIGHUP within :func:`stop_cleanly_on_signals`.
    Exception
        The first failed task's own exception.

    References
    ----------
    .. [1] joblib developers, *joblib: running Python functions as pipeline jobs*, the
       ``loky`` backend (``joblib.Parallel``).
    .. [2] Dask Development Team, *Dask: library for dynamic task scheduling*, the
       ``distributed`` scheduler (2016).
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
    cluster = backend != "sequential" and len(items) > 1 and (
        backend == "dask" or _active_scheduler() is not None)
    if backend == "loky" and not cluster:
        n_jobs = _threads.pool_size(n_jobs, len(items))
    if not cluster and (n_jobs == 1 or backend == "sequential" or len(items) <= 1):
        out: list[R] = []
        # tasks see one thread, as in a worker, so the serial result is the pool's
        with progress_task(description or "tasks", len(items)) as advance, _threads.limit(1):
            for item, s in zip(items, seeds):
                out.append(_run_one(fn, item, s, r_seed))
                advance()
        return out
    fn = _ForwardWarnings(fn)  # worker warnings come back and are raised here
    if cluster:
        from .distributed import dask_map

        if backend == "dask" and scheduler is None and _active_scheduler() is None:
            raise ValueError("backend='dask' needs scheduler='tcp://host:port' of a running "
                             "cluster")
        with progress_task(description or "tasks", len(items)) as advance:
            return _reraise_warnings(dask_map(fn, items, seeds, r_seed, scheduler, advance))
    tasks = (delayed(_run_in_worker)(fn, item, s, r_seed, 1) for item, s in zip(items, seeds))
    verbose = 0
    with r_worker_env(), progress_task(description or "tasks", len(items)) as advance:
        results: list = []
        try:
            with parallel_config(backend="loky", inner_max_num_threads=1):
                for res in Parallel(n_jobs=n_jobs, return_as="generator",
                                    verbose=verbose)(tasks):
                    results.append(res)
                    if _progress_enabled():
                        advance()
        except BaseException:
            shutdown_pools()
            raise
        return _reraise_warnings(results)


def _active_scheduler() -> str | None:
    from .distributed import active_scheduler

    return active_scheduler()


def chunked(seq: Sequence[T], size: int) -> list[Sequence[T]]:
    """Split ``seq`` into consecutive chunks of at most ``size`` items.

    Parameters
    ----------
    seq : sequence
        The items, in order (a list, tuple, array or other sliceable sequence).
    size : int
        Largest chunk (at least 1); the last chunk holds the remainder.

    Returns
    -------
    list of sequence
        Slices of ``seq`` of the same type, in order; empty when ``seq`` is.

    Raises
    ------
    ValueError
        ``size`` is less than 1.
    """
    if size < 1:
        raise ValueError("chunk size must be >= 1")
    return [seq[i:i + size] for i in range(0, len(seq), size)]
