"""Rich consoles that print tables whole when the output is not a terminal.

rich sizes a console from the terminal and falls back to 80 columns when neither stdout, stdin
nor stderr is one, so ``python -m pyradiogen validate DIR > report.txt`` (or any command run
from a script, a pipe or a CI log) would fold or cut every table wider than 80 columns.
:class:`WideConsole` keeps rich's behaviour on a terminal and, when the file it writes to is not
one, is :data:`PIPE_WIDTH` columns wide, so each table row stays on one line and no cell is
cut. ``$COLUMNS``, when set, is honoured everywhere (``COLUMNS=120 pyradiogen validate DIR |
less``), as is a width given to the console.
"""

from __future__ import annotations

import os

from rich.console import Console, ConsoleDimensions

__all__ = ["PIPE_WIDTH", "WideConsole", "columns_from_environment"]

#: the width (characters) of a console whose output is not a terminal and ``$COLUMNS`` unset:
#: wider than any table the CLI prints, and rich pads no line to it
PIPE_WIDTH = 10_000


def columns_from_environment() -> int | None:
    """The width the user asked for with ``$COLUMNS``, read now.

    Returns
    -------
    int or None
        ``$COLUMNS`` as a positive integer, or None when it is unset or not a number.
    """
    value = os.environ.get("COLUMNS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


class WideConsole(Console):
    """A rich ``Console`` that is :data:`PIPE_WIDTH` wide when it does not write to a terminal.

    The decision is made at each print, from the file the console writes to at that moment
    (``sys.stdout`` or ``sys.stderr`` as they are then, so redirection inside a process and
    pytest's capture count): a terminal keeps its own width; ``$COLUMNS`` (read at each print)
    or a width given to the constructor or set with ``console.width = n`` always wins.

    Parameters
    ----------
    *args, **kwargs
        As ``rich.console.Console``.

    Notes
    -----
    Only the width changes; colours follow rich's own rules (none when not a terminal, unless
    ``FORCE_COLOR``), and a notebook keeps rich's notebook width.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if kwargs.get("width") is None and not self.is_jupyter:
            self._width = None  # rich read $COLUMNS once, here; ``size`` reads it at each print

    @property
    def size(self) -> ConsoleDimensions:
        """The console's width and height (characters, lines) for the next print.

        Returns
        -------
        rich.console.ConsoleDimensions
            A width given to the console when there is one; else ``$COLUMNS`` wide when set;
            the terminal's size on a terminal; otherwise :data:`PIPE_WIDTH` wide.
        """
        dims = Console.size.fget(self)
        if self._width is not None:
            return dims
        columns = columns_from_environment()
        if columns is not None:
            return ConsoleDimensions(columns, dims.height)
        if self.is_terminal:
            return dims
        return ConsoleDimensions(PIPE_WIDTH, dims.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)
