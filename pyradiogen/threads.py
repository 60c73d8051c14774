"""The package's thread budget: one policy for BLAS, OpenMP and torch threads, per stage.

A process that runs several thread pools at once on a few cores loses most of its time to
oversubscription (OpenMP threads spin while waiting for a descheduled sibling). pyradiogen
therefore never relies on ``OMP_NUM_THREADS``-style variables set by whoever launched it:

* the **budget** is the number of cores this process may use — the CPUs in its affinity mask
  and cgroup quota, capped by :func:`set_budget` (``--threads`` / ``[threads] budget``) or the
  environment variable ``PYRADIOGEN_THREADS``;
* a **single-process stage** (a BLAS-heavy scan, torch inference) runs with the whole budget:
  ``with threads.limit():`` (threadpoolctl for every loaded BLAS and OpenMP runtime, and
  ``torch.set_num_threads``);
* a **process pool** runs ``min(n_jobs, budget)`` workers of one thread each
  (:func:`pool_size`, :func:`worker_env`, :func:`init_worker`; :func:`pyradiogen.parallel.pmap`
  applies them);
* **training** whose numbers depend on the thread count (the autoencoder, EfficientNet) runs
  with the thread count of its configuration, with deterministic kernels:
  ``with threads.deterministic_torch(n):``. That count is recorded in the manifest; the
  same configuration and seed then give bit-identical results however the job is launched.

Why the thread count matters: float32 reductions (the loss, every weight gradient of a
convolution) are split across threads, so 1 and 2 threads sum in different orders. The
untrained autoencoder's validation loss on the 24-patient demo cohort is 0.0724985376 with one
thread and 0.0724985451 with two — the two numbers of issue 17, where ``make demo`` exported
``OMP_NUM_THREADS=1`` and ``python -m pyradiogen replicate`` did not.

:func:`pin_numerics` fixes the remaining choice that differs between CPUs: the instruction
set oneDNN and MKL pick (``ONEDNN_MAX_CPU_ISA``, ``MKL_CBWR``); it must run before torch is
first used and is called by the command line before anything imports torch.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import register_section

ENV_BUDGET = "PYRADIOGEN_THREADS"
#: environment variables that size a library's thread pool when it is first loaded
THREAD_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                   "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
#: the instruction set pinned for oneDNN (convolutions) and MKL (matrix products)
PINNED_ISA = {"ONEDNN_MAX_CPU_ISA": "AVX2", "MKL_CBWR": "AVX2"}

_cap: int | None = None
_pinned: dict[str, Any] | None = None
_reserved: dict[int, int] = {}


@register_section("threads")
@dataclass
class ThreadsConfig:
    """Configuration section ``[threads]``: how many cores the run may use.

    Parameters
    ----------
    budget : int, default 0
        The most cores any stage uses at once (0 = every core this process may run on;
        ``--threads N`` on the command line sets it). Lower it on a shared machine. It does
        not change any number: the thread counts that do (``[drf] threads``, ``[predict]
        efficientnet_threads``) are separate settings.
    """

    budget: int = 0


# --------------------------------------------------------------------------- the budget

def _cgroup_cores() -> int | None:
    """Cores allowed by a cgroup CPU quota (v2 ``cpu.max`` or v1 ``cfs_quota_us``), if any."""
    try:
        text = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if text and text[0] != "max":
            return max(1, math.ceil(int(text[0]) / int(text[1])))
    except (OSError, ValueError, IndexError):
        pass
    try:
        quota = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read_text())
        period = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
        if quota > 0 and period > 0:
            return max(1, math.ceil(quota / period))
    except (OSError, ValueError):
        pass
    return None


def usable_cores() -> int:
    """CPUs this process may run on: its affinity mask, bounded by a cgroup CPU quota.

    Returns
    -------
    int
        At least 1.
    """
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    quota = _cgroup_cores()
    return max(1, min(n, quota) if quota else n)


def set_budget(n: int | None) -> None:
    """Cap the budget of this process (and of the processes it starts) at ``n`` cores.

    Parameters
    ----------
    n : int or None
        Cores; None or 0 removes the cap.

    Raises
    ------
    ValueError
        For a negative ``n``.
    """
    global _cap
    if n is not None and int(n) < 0:
        raise ValueError(f"the thread budget must be 0 (all cores) or positive, got {n}")
    _cap = int(n) if n else None
    if _cap:
        os.environ[ENV_BUDGET] = str(_cap)
        if _cap < usable_cores():
            # a capped budget means a shared machine: OpenMP threads then sleep rather than
            # spin while they wait (measured: 5x faster autoencoder training on a loaded
            # 2-core machine). Applies to OpenMP runtimes loaded from now on and to workers.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    else:
        os.environ.pop(ENV_BUDGET, None)


def total_budget() -> int:
    """Cores the run may use, reservations not subtracted.

    Returns
    -------
    int
        :func:`usable_cores`, capped by :func:`set_budget` or ``PYRADIOGEN_THREADS``.
    """
    cap = _cap
    if cap is None:
        env = os.environ.get(ENV_BUDGET, "").strip()
        if env:
            try:
                cap = int(env)
            except ValueError:
                raise ValueError(f"{ENV_BUDGET}={env!r} is not a number of threads") from None
    cores = usable_cores()
    return max(1, min(cores, cap) if cap and cap > 0 else cores)


def budget() -> int:
    """Cores a stage may use now.

    Returns
    -------
    int
        :func:`total_budget` less the cores reserved by work running beside it
        (:func:`reserve`), at least 1.
    """
    return max(1, total_budget() - sum(_reserved.values()))


def reserve(n: int) -> int:
    """Reserve cores of the budget for work running beside the current stage.

    :func:`budget` and :func:`pool_size` shrink by ``n`` until :func:`release` is called with
    the returned token (e.g. a training process started by
    :class:`~pyradiogen.parallel.BackgroundTask`).

    Parameters
    ----------
    n : int
        Cores.

    Returns
    -------
    int
        Token for :func:`release`.
    """
    token = id(object()) ^ len(_reserved) ^ n
    while token in _reserved:
        token += 1
    _reserved[token] = max(0, int(n))
    return token


def release(token: int) -> None:
    """End a reservation made by :func:`reserve` (a token already released is ignored).

    Parameters
    ----------
    token : int
        From :func:`reserve`.
    """
    _reserved.pop(token, None)


def pool_size(n_jobs: int | None, n_tasks: int | None = None) -> int:
    """Worker processes for a pool.

    Parameters
    ----------
    n_jobs : int or None
        Requested workers (≤ 0 or None: the budget).
    n_tasks : int or None, default None
        Tasks to run (no more workers than tasks).

    Returns
    -------
    int
        At most the budget and the number of tasks, at least 1.
    """
    b = budget()
    n = b if n_jobs is None or n_jobs <= 0 else min(int(n_jobs), b)
    if n_tasks is not None:
        n = min(n, max(int(n_tasks), 1))
    return max(1, n)


# --------------------------------------------------------------------------- applying it

def _torch():
    """torch when it is already imported (never imports it: that costs seconds)."""
    return sys.modules.get("torch")


@contextlib.contextmanager
def limit(n: int | None = None) -> Iterator[int]:
    """Run the block with ``n`` threads in every BLAS and OpenMP runtime, and in torch.

    A context manager; the previous settings are restored after. Libraries first loaded
    inside the block start with their own defaults; a stage that imports torch inside the
    block is covered because torch is set again when the block is left and at each entry.

    Parameters
    ----------
    n : int or None, default None
        Threads (the budget when None).

    Yields
    ------
    int
        The thread count in force.
    """
    from threadpoolctl import threadpool_limits

    n = budget() if n is None else max(1, int(n))
    torch = _torch()
    before = torch.get_num_threads() if torch is not None else None
    with threadpool_limits(limits=n):
        if torch is not None:
            torch.set_num_threads(n)
        try:
            yield n
        finally:
            if torch is not None and before is not None:
                torch.set_num_threads(before)


def worker_env(threads: int = 1) -> dict[str, str]:
    """Environment for a pool worker: every library sized to ``threads`` when it loads.

    Parameters
    ----------
    threads : int, default 1
        Threads per library.

    Returns
    -------
    dict of str to str
        ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS`` … and the pins.
    """
    env = {var: str(threads) for var in THREAD_ENV_VARS}
    env.update(pinned_env())
    return env


_worker_threads: int | None = None


def init_worker(threads: int = 1) -> None:
    """Size the thread pools of this (worker) process (idempotent, cheap).

    Covers libraries already loaded (threadpoolctl) and those loaded later (environment
    variables); torch is set when imported. Called at the start of every pool task.

    Parameters
    ----------
    threads : int, default 1
        Threads per library.
    """
    global _worker_threads
    torch = _torch()
    if _worker_threads == threads and (torch is None or torch.get_num_threads() == threads):
        return
    for var in THREAD_ENV_VARS:
        os.environ[var] = str(threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads)
    if torch is not None:
        torch.set_num_threads(threads)
    _worker_threads = threads


@contextlib.contextmanager
def deterministic_torch(threads: int) -> Iterator[int]:
    """Train with exactly ``threads`` torch threads and deterministic kernels.

    A context manager. Sets ``torch.set_num_threads(threads)``,
    ``torch.use_deterministic_algorithms(True)``, oneDNN's deterministic mode, and float32
    matrix products at full precision (no TF32/bf16 shortcuts); restores every setting when
    the block ends. The thread count is part of the result (float32 sums split across
    threads round differently), so it comes from the configuration, not from the machine. A
    count above the budget is used as configured, with a warning.

    Parameters
    ----------
    threads : int
        torch threads.

    Yields
    ------
    int
        ``threads``.
    """
    import warnings

    import torch

    threads = int(threads)
    if threads < 1:
        raise ValueError(f"training needs a positive thread count, got {threads}")
    if threads > budget():
        warnings.warn(f"training runs with {threads} torch threads as configured, above the "
                      f"thread budget of {budget()} core(s): the results are those of "
                      f"{threads} threads; lower the configured count (which changes the last "
                      "digits of the results) to stay within the budget", UserWarning,
                      stacklevel=3)
    saved = (torch.get_num_threads(), torch.are_deterministic_algorithms_enabled(),
             torch.is_deterministic_algorithms_warn_only_enabled(),
             torch.backends.mkldnn.deterministic, torch.get_float32_matmul_precision())
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    torch.backends.mkldnn.deterministic = True
    torch.set_float32_matmul_precision("highest")
    try:
        yield threads
    finally:
        torch.set_num_threads(saved[0])
        torch.use_deterministic_algorithms(saved[1], warn_only=saved[2])
        torch.backends.mkldnn.deterministic = saved[3]
        torch.set_float32_matmul_precision(saved[4])


# --------------------------------------------------------------------------- numerics

def pinned_env() -> dict[str, str]:
    """The instruction-set pins in force.

    Returns
    -------
    dict of str to str
        ``ONEDNN_MAX_CPU_ISA``/``MKL_CBWR`` as set; ``{}`` when :func:`pin_numerics` was not
        called.
    """
    return {k: os.environ[k] for k in PINNED_ISA if k in os.environ}


def pin_numerics() -> dict[str, Any]:
    """Pin the instruction set oneDNN and MKL choose, for the same float32 results on every CPU.

    CPUs with and without AVX-512 then compute the same float32 results
    (``ONEDNN_MAX_CPU_ISA=AVX2``, ``MKL_CBWR=AVX2``). Values already in the environment are
    kept (a user's choice wins). Both libraries read these variables once, when first used:
    call this before torch runs anything (the command line does).

    Returns
    -------
    dict
        What was pinned and whether torch was already imported (then the pin may not apply
        to this process, only to the processes it starts).
    """
    global _pinned
    for key, value in PINNED_ISA.items():
        os.environ.setdefault(key, value)
    if _pinned is None:
        _pinned = {"env": pinned_env(), "torch_imported_before": "torch" in sys.modules}
    return dict(_pinned)


def describe() -> dict[str, Any]:
    """The thread policy of this process, for the manifest.

    Returns
    -------
    dict
        Budget, cap, usable cores, CPU count, pins, and the thread pools loaded (library,
        version, threads).
    """
    info: dict[str, Any] = {"budget": total_budget(), "cap": _cap or os.environ.get(ENV_BUDGET),
                            "usable_cores": usable_cores(), "cpu_count": os.cpu_count(),
                            "numerics": _pinned or {"env": pinned_env()}}
    try:
        from threadpoolctl import threadpool_info

        info["threadpools"] = [{"api": p.get("internal_api"), "version": p.get("version"),
                                "threads": p.get("num_threads"),
                                "library": Path(p.get("filepath", "")).name}
                               for p in threadpool_info()]
    except Exception as exc:  # pragma: no cover - informational only
        info["threadpools"] = f"unavailable: {exc}"
    torch = _torch()
    if torch is not None:
        info["torch_threads"] = torch.get_num_threads()
    return info


__all__ = ["ENV_BUDGET", "ThreadsConfig", "budget", "deterministic_torch", "describe",
           "init_worker", "limit", "pin_numerics", "pinned_env", "pool_size", "release",
           "reserve", "set_budget", "total_budget", "usable_cores", "worker_env"]
