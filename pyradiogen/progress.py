"""Rich progress bars shared by every long-running stage."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

T = TypeVar("T")
console = Console(stderr=True)


def enabled() -> bool:
    """Progress bars are shown unless ``PYRADIOGEN_PROGRESS=0`` (tests set it)."""
    return os.environ.get("PYRADIOGEN_PROGRESS", "1") != "0"


def make_progress(transient: bool = False) -> Progress:
    """A rich Progress with description, bar, count, elapsed and remaining time."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=transient,
        disable=not enabled() or not sys.stderr,
    )


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate over ``items`` showing a progress bar."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with make_progress() as prog:
        task = prog.add_task(description, total=total)
        for item in items:
            yield item
            prog.advance(task)


@contextmanager
def progress_task(description: str, total: int | None):
    """Context manager yielding an ``advance(n=1)`` callable for manual progress."""
    with make_progress() as prog:
        task = prog.add_task(description, total=total)
        yield lambda n=1: prog.advance(task, n)
