"""Run :func:`pyradiogen.parallel.pmap` tasks on a Dask cluster, R-backed tasks included.

Dask runs tasks in worker *threads*, and the embedded R may only live on the main thread of
its process (:class:`pyradiogen.rbridge.RThreadError`). So no task runs in the Dask worker's
own interpreter: every Dask worker thread hands its tasks to one long-lived child process of
its own (``spawn``: a clean interpreter, no R, no torch, no thread pools inherited), which
runs them on its main thread, starts R there on first use and keeps it for the next task.
R-calling and plain tasks therefore behave the same, and the results are those of the loky
pool (same per-task seeds, one thread per numerical library, memory released after each
task). An error inside a task, an :class:`~pyradiogen.rbridge.RError` with R's message
included, reaches the caller as the same exception.

The child is started on the first task of a worker thread and reused until the Dask worker
exits; it watches its parent and exits when the Dask worker dies (``kill -9`` included), so a
killed worker leaves no orphan. If the child itself dies mid-task (out of memory, a crash in
native code), the task fails with :class:`WorkerProcessDied` and the next task starts a fresh
child. A Dask worker killed mid-task loses only that task: the scheduler runs it again on
another worker, and stages that write blocks (the LME scan) keep every finished block.

Function and data travel once: the task function (with the arrays bound into it) is
serialised once on the client and handed to each child once; items are the blocks of a
stage (file lists, ROI descriptions, column blocks of the feature table), never whole
cohorts.

Use :func:`use_cluster` around a run to send every :func:`~pyradiogen.parallel.pmap` of the
run to a cluster (``replicate --scheduler`` does); ``pmap(..., backend="dask",
scheduler=ADDRESS)`` sends one map.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

__all__ = ["ClusterUnavailableError", "WorkerProcessDied", "active_scheduler", "cluster_workers", "connect", "dask_map",
           "use_cluster"]


class ClusterUnavailableError(OSError):
    """No Dask scheduler answers at the given address."""


class WorkerProcessDied(RuntimeError):
    """The per-thread child process of a Dask worker died while running a task."""


# --------------------------------------------------------------------------- in the child

_FN_CACHE: dict[str, Callable[..., Any]] = {}
_FN_CACHE_SIZE = 4
_NEED_FN = "__pyradiogen_need_fn__"


def _child_init(env: dict[str, str], parent: int) -> None:
    os.environ.update(env)
    from . import threads as _threads
    from .workers import exit_with_parent

    _threads.init_worker(int(env.get("OMP_NUM_THREADS", "1")))
    exit_with_parent(parent)  # a Dask worker killed with SIGKILL leaves no orphaned R


def _child_run(fn_key: str, fn_bytes: bytes | None, item_bytes: bytes, seed: int | None,
               r_seed: bool, threads: int) -> Any:
    """One task in the child, on its main thread (where R may start)."""
    import cloudpickle

    from .workers import run_in_worker

    fn = _FN_CACHE.get(fn_key)
    if fn is None:
        if fn_bytes is None:
            return _NEED_FN
        fn = cloudpickle.loads(fn_bytes)
        while len(_FN_CACHE) >= _FN_CACHE_SIZE:
            _FN_CACHE.pop(next(iter(_FN_CACHE)))
        _FN_CACHE[fn_key] = fn
    return run_in_worker(fn, cloudpickle.loads(item_bytes), seed, r_seed, threads)


# --------------------------------------------------------------------------- on the Dask worker


class _Child:
    """One spawned single-process executor and the task functions it already holds."""

    def __init__(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from . import threads as _threads

        env = {"PYRADIOGEN_PROGRESS": "0", **_threads.worker_env(1)}
        self.pool = ProcessPoolExecutor(max_workers=1,
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_child_init, initargs=(env, os.getpid()))
        self.known: set[str] = set()
        self.closed = False

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.pool.submit(fn, *args).result()

    def close(self) -> None:
        """Stop the child now (a task it runs is lost) and its executor's threads."""
        self.closed = True
        for proc in list((getattr(self.pool, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                proc.terminate()
        with contextlib.suppress(Exception):
            self.pool.shutdown(wait=False, cancel_futures=True)


_local = threading.local()
_children: list[_Child] = []
_children_lock = threading.Lock()


@contextlib.contextmanager
def _may_have_children() -> Iterator[None]:
    """Lift the daemon flag of this process while a child starts.

    Dask runs its workers as daemonic processes, which multiprocessing does not let start
    children; ours exit with their parent (:func:`pyradiogen.workers.exit_with_parent`), which
    is what the flag protects, so it is lifted while the child starts.
    """
    import multiprocessing

    cfg = multiprocessing.current_process()._config  # type: ignore[attr-defined]
    daemon = cfg.get("daemon")
    cfg["daemon"] = False
    try:
        yield
    finally:
        if daemon is not None:
            cfg["daemon"] = daemon


def _child() -> _Child:
    child = getattr(_local, "child", None)
    if child is None or child.closed:
        child = _Child()
        _local.child = child
        with _children_lock:
            _children.append(child)
    return child


def _drop_child() -> None:
    child = getattr(_local, "child", None)
    _local.child = None
    if child is not None:
        child.close()
        with _children_lock:
            if child in _children:
                _children.remove(child)


@atexit.register
def _close_children() -> None:
    with _children_lock:
        for child in _children:
            child.close()
        _children.clear()


def _worker_plugin() -> Any:
    """Build a ``WorkerPlugin`` that stops the worker's children when the worker closes.

    So a closing worker does not wait for them.
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class ChildProcesses(WorkerPlugin):
        name = "pyradiogen-r-children"

        def teardown(self, worker: Any) -> None:
            # also called when a later client registers the plugin again: keep the children
            # (and their R) unless the worker is closing
            if "clos" in getattr(getattr(worker, "status", None), "name", "closing"):
                _close_children()

    return ChildProcesses()


def run_task(fn_key: str, fn_bytes: bytes, item: Any, seed: int | None, r_seed: bool,
             threads: int = 1) -> Any:
    """Run one task of a Dask map in this worker thread's child process.

    Called by Dask on a worker (see the module docstring). The function is sent to the child
    only the first time it sees ``fn_key``; a child that died raises
    :class:`WorkerProcessDied` and is replaced for the next task.
    """
    from concurrent.futures.process import BrokenProcessPool

    import cloudpickle

    item_bytes = cloudpickle.dumps(item)
    with _may_have_children():
        child = _child()
        try:
            send = None if fn_key in child.known else fn_bytes
            out = child.call(_child_run, fn_key, send, item_bytes, seed, r_seed, threads)
            if isinstance(out, str) and out == _NEED_FN:
                out = child.call(_child_run, fn_key, fn_bytes, item_bytes, seed, r_seed, threads)
        except BrokenProcessPool as exc:
            _drop_child()
            raise WorkerProcessDied(
                "the process running this task on a Dask worker died (out of memory or a "
                "crash in native code); the next task starts a fresh one") from exc
    child.known.add(fn_key)
    return out


def _same(x: Any) -> Any:
    return x


def _child_pid_task(_: Any) -> int:
    return os.getpid()


# --------------------------------------------------------------------------- on the client

_active: dict[str, Any] = {"scheduler": None, "client": None}


def connect(scheduler: str, timeout: float = 30.0) -> Any:
    """Connect a ``distributed.Client`` to the Dask cluster at ``scheduler``.

    Parameters
    ----------
    scheduler : str
        Address of the Dask scheduler, ``tcp://host:port``.
    timeout : float, default 30.0
        Seconds to wait for the scheduler to answer.

    Returns
    -------
    distributed.Client
        A client of that cluster, not set as Dask's default client.

    Raises
    ------
    ClusterUnavailableError
        No scheduler answers at ``scheduler`` within ``timeout`` seconds; the message names the
        address and how to start one.
    ImportError
        ``distributed`` is not installed (``pip install pyradiogen[dask]``).
    """
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - distributed is a declared dependency
        raise ImportError("a Dask cluster needs `pip install pyradiogen[dask]`") from exc
    try:
        return Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterUnavailableError(f"no Dask scheduler answers at {scheduler} within {timeout:g} s: start "
                      "one (`dask scheduler`, then `dask worker ADDRESS --nthreads 1`) or fix "
                      "the address") from exc


def active_scheduler() -> str | None:
    """The scheduler address of the enclosing :func:`use_cluster` block, if any.

    Returns
    -------
    str or None
        The address (``tcp://host:port``), or ``None`` outside a :func:`use_cluster` block.
    """
    return _active["scheduler"]


@contextlib.contextmanager
def use_cluster(scheduler: str | None) -> Iterator[Any]:
    """Send every :func:`~pyradiogen.parallel.pmap` within the block to a Dask cluster.

    Within the block, every ``pmap`` of more than one item (not ``backend="sequential"``)
    runs on the cluster at ``scheduler``, whatever its ``n_jobs``; one client is connected
    (with :func:`pyradiogen.workers.r_worker_env`) and kept for the block, then closed.

    Parameters
    ----------
    scheduler : str or None
        Address of the Dask scheduler, ``tcp://host:port``. ``None`` (or empty): no change,
        tasks run in local processes.

    Yields
    ------
    distributed.Client or None
        The cluster's client, or ``None`` when ``scheduler`` is ``None``.

    Raises
    ------
    ClusterUnavailableError
        No scheduler answers at ``scheduler`` (see :func:`connect`).
    """
    from .workers import r_worker_env

    if not scheduler:
        yield None
        return
    prev = dict(_active)
    with r_worker_env():
        client = connect(scheduler)
    _active.update(scheduler=scheduler, client=client)
    try:
        yield client
    finally:
        _active.update(prev)
        client.close()


def cluster_workers(client: Any) -> int:
    """Task slots of the cluster: the threads of all its workers.

    Parameters
    ----------
    client : distributed.Client
        A client of the cluster.

    Returns
    -------
    int
        Sum of ``nthreads`` over the workers the scheduler knows now; at least 1.
    """
    info = client.scheduler_info(n_workers=-1) if _accepts_n_workers(client) else \
        client.scheduler_info()
    return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))


def _accepts_n_workers(client: Any) -> bool:
    import inspect

    try:
        return "n_workers" in inspect.signature(client.scheduler_info).parameters
    except (TypeError, ValueError):
        return False


def _register_plugin(client: Any) -> None:
    if getattr(client, "_pyradiogen_plugin", False):
        return
    client.register_plugin(_worker_plugin(), name="pyradiogen-r-children")
    client._pyradiogen_plugin = True


def dask_map(fn: Callable[..., Any], items: Sequence[Any], seeds: Sequence[int | None],
             r_seed: bool, scheduler: str | None = None,
             advance: Callable[[], None] | None = None) -> list[Any]:
    """Compute ``[fn(item) for item in items]`` on a Dask cluster.

    Each task runs in a Dask worker's child process (see the module docstring), seeded as in
    the loky pool. The function is serialised once and travels as a task of its own; at most
    four tasks per cluster thread are in flight at once, and each result is released on the
    worker as soon as it is collected.

    Parameters
    ----------
    fn : callable
        The task function, called with one item; serialised with cloudpickle.
    items : sequence
        The task inputs, length n_tasks.
    seeds : sequence of int or None
        One seed per item (:func:`pyradiogen.parallel.task_seed`), length n_tasks; ``None``
        leaves the generators untouched.
    r_seed : bool
        Seed R's generator too in each task.
    scheduler : str, optional
        Address of the Dask scheduler, ``tcp://host:port``. Default: the client of the
        enclosing :func:`use_cluster` block.
    advance : callable, optional
        Called with no argument after each finished task (a progress bar).

    Returns
    -------
    list
        ``fn(item)`` for each item, in the order of ``items``.

    Raises
    ------
    ValueError
        No ``scheduler`` given and no :func:`use_cluster` block is active.
    ClusterUnavailableError
        No scheduler answers at ``scheduler``.
    WorkerProcessDied
        The child process running a task died (out of memory, a crash in native code).
    Exception
        The first failed task's own exception (an :class:`~pyradiogen.rbridge.RError` with
        R's message included); the tasks still running are cancelled.
    """
    import cloudpickle
    from distributed import as_completed

    from .workers import r_worker_env

    client = _active["client"] if scheduler in (None, _active["scheduler"]) else None
    own = None
    if client is None:
        if scheduler is None:
            raise ValueError("backend='dask' needs scheduler='tcp://host:port' of a running "
                             "cluster")
        with r_worker_env():
            own = client = connect(scheduler)
    try:
        _register_plugin(client)
        fn_bytes = cloudpickle.dumps(fn)
        fn_key = hashlib.sha256(fn_bytes).hexdigest()
        # the function travels as a task of its own (not scattered data), so the scheduler can
        # recompute it when the worker holding it dies; each worker fetches it once
        fn_future = client.submit(_same, fn_bytes, pure=False,
                                  key=f"pyradiogen-fn-{fn_key[:16]}-{os.urandom(4).hex()}")
        tag = f"pyradiogen-task-{fn_key[:12]}-{os.urandom(4).hex()}"
        # a bounded window of tasks in flight: the scheduler holds only that many items, and
        # each result is taken (and released on the worker) as soon as it is done
        window = max(2, 4 * cluster_workers(client))
        todo = iter(enumerate(zip(items, seeds)))
        results: list[Any] = [None] * len(items)
        running: dict[Any, int] = {}

        def submit_next(queue: Any) -> None:
            nxt = next(todo, None)
            if nxt is not None:
                i, (item, s) = nxt
                fut = client.submit(run_task, fn_key, fn_future, item, s, r_seed, 1,
                                    pure=False, key=f"{tag}-{i}")
                running[fut] = i
                if queue is not None:
                    queue.add(fut)

        for _ in range(window):
            submit_next(None)
        try:
            queue = as_completed(list(running), loop=client.loop)
            for fut in queue:
                i = running.pop(fut)
                results[i] = fut.result()  # raises the task's own exception
                fut.release()
                if advance is not None:
                    advance()
                submit_next(queue)
            return results
        except BaseException:
            client.cancel(list(running))
            raise
        finally:
            client.cancel(fn_future)
    finally:
        if own is not None:
            own.close()


def child_pids(scheduler: str | None = None, n: int = 4) -> list[int]:
    """Process ids of the children that ran ``n`` small tasks (tests: children are reused).

    Parameters
    ----------
    scheduler : str, optional
        Address of the Dask scheduler; default the :func:`use_cluster` one.
    n : int, default 4
        Number of tasks.

    Returns
    -------
    list of int
        The process id each task ran in, in task order.
    """
    return dask_map(_child_pid_task, list(range(n)), [None] * n, False, scheduler)
