"""Rich progress bars shared by every long-running stage.

All bars of a process share one live display: a bar opened while another is showing (a stage's
own bar under the ``replicate`` job's stage bar) is added to the same display, because rich
allows only one live display at a time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .consoles import WideConsole

T = TypeVar("T")
console = WideConsole(stderr=True)
_ACTIVE: list[Progress] = []


def enabled() -> bool:
    """Whether progress bars are shown (unless ``PYRADIOGEN_PROGRESS=0``; tests set it).

    Returns
    -------
    bool
        True when bars are shown.
    """
    return os.environ.get("PYRADIOGEN_PROGRESS", "1") != "0"


def make_progress(transient: bool = False) -> Progress:
    """A new rich Progress (description, bar, count, elapsed, remaining).

    Prefer :func:`progress_task` / :func:`track`, which share the active display.

    Parameters
    ----------
    transient : bool, default False
        Remove the bars when done.

    Returns
    -------
    rich.progress.Progress
        Not started.
    """
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=transient,
        disable=not enabled(),
    )


@contextmanager
def progress_task(description: str, total: int | None) -> Iterator[Callable[..., None]]:
    """One bar on the shared display, as a context manager yielding its ``advance``.

    Parameters
    ----------
    description : str
        The bar's label.
    total : int or None
        Steps (None: indeterminate).

    Yields
    ------
    callable
        ``advance(n=1)``.
    """
    if _ACTIVE:
        prog = _ACTIVE[-1]
        task = prog.add_task(description, total=total)
        try:
            yield lambda n=1: prog.advance(task, n)
        finally:
            prog.remove_task(task)
        return
    prog = make_progress()
    _ACTIVE.append(prog)
    try:
        with prog:
            task = prog.add_task(description, total=total)
            yield lambda n=1: prog.advance(task, n)
    finally:
        _ACTIVE.remove(prog)


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate over ``items`` showing a progress bar.

    Parameters
    ----------
    items : iterable
        What to iterate.
    description : str
        The bar's label.
    total : int or None, default None
        Steps (``len(items)`` when it has one).

    Yields
    ------
    object
        Each item.
    """
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with progress_task(description, total) as advance:
        for item in items:
            yield item
            advance()
