"""How a command's warnings reach the console: once each, short and grouped.

:func:`pyradiogen.cli.main` installs one :class:`WarningReport` for the command it runs; every
Python warning (``warnings.showwarning``), every warning logged by ``logging`` and every warning
raised in a worker process (:func:`pyradiogen.parallel.pmap` forwards them) goes through it:

* a message is printed once, as ``warning: …`` or ``R warning: …`` (R's own message, without
  the ``R:`` prefix, a Python file path or a source line); a message repeated (glmnet's
  "dangerous ground" in every fold) is printed once and counted, and the count is printed at
  the end (``repeated: 37 × …``);
* messages over :data:`MAX_CHARS` characters that hold a long list (genes, patients) are cut
  at an item boundary, saying how much was left out; ``-v`` prints them whole;
* genefu's "N of M signature genes not found in the data" warnings, one per signature, are
  grouped into one line at the end: each signature with its count of missing genes;
* with ``-v`` nothing is grouped or shortened and logging prints every record.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from rich.markup import escape

#: longest message printed whole without -v
MAX_CHARS = 360
_NOT_FOUND = re.compile(r"^(?P<what>.+?): (?P<n>\d+) of (?P<m>\d+) signature genes not found in "
                        r"the data(?P<rest>.*)$", re.S)

_current: WarningReport | None = None


class WarningReport:
    """Prints a command's warnings once each, short, grouped; :meth:`finish` prints the
    grouped lines and the repeat counts."""

    def __init__(self, print_fn: Callable[[str], None], verbose: bool = False):
        self.print = print_fn
        self.verbose = verbose
        self.counts: dict[tuple[str, str], int] = {}
        self.missing_genes: list[tuple[str, int, int, bool]] = []

    # ------------------------------------------------------------------ sources
    def showwarning(self, message, category, filename, lineno, file=None, line=None) -> None:
        """A ``warnings.showwarning`` replacement."""
        name = getattr(category, "__name__", "Warning")
        self.add("R warning" if name == "RWarning" else "warning", str(message))

    def log_handler(self) -> logging.Handler:
        """A logging handler that reports WARNING and above through :meth:`add`."""
        report = self

        class _Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                try:
                    report.add("warning", record.getMessage())
                except Exception:  # noqa: BLE001 - logging must never fail a command
                    self.handleError(record)

        return _Handler(level=logging.WARNING)

    # ------------------------------------------------------------------ core
    def seen(self, text: str) -> bool:
        """Whether ``text`` was already reported (under any label)."""
        text = _plain(text)
        return any(t == text for _, t in self.counts)

    def add(self, label: str, text: str) -> None:
        text = _plain(text)
        key = (label, text)
        if key in self.counts:
            self.counts[key] += 1
            return
        self.counts[key] = 1
        m = _NOT_FOUND.match(text)
        if m and not self.verbose:
            self.missing_genes.append((m["what"], int(m["n"]), int(m["m"]),
                                       "NA for every sample" in m["rest"]
                                       or int(m["n"]) == int(m["m"])))
            return
        self._emit(label, text)

    def note(self, text: str) -> None:
        """A command's own note, printed unless the same text was reported already."""
        if self.seen(text):
            return
        self.counts[("note", _plain(text))] = 1
        self.print(f"[yellow]note:[/] {escape(_shorten(_plain(text), self.verbose))}")

    def finish(self) -> None:
        """Print the grouped genefu warnings and the repeat counts (once, at the end)."""
        if self.missing_genes:
            parts = [f"{what} {n}/{m}" + (" (not computed)" if gone else "")
                     for what, n, m, gone in self.missing_genes]
            self.print(f"[yellow]R warning:[/] signature genes missing from the data (missing/"
                       f"total; -v lists the genes): {escape('; '.join(parts))}")
            self.missing_genes = []
        for (label, text), n in self.counts.items():
            if n > 1 and label != "note":
                self.print(f"[yellow]repeated:[/] {n} × {label} "
                           f"{escape(_shorten(text, False, 120))}")
                self.counts[(label, text)] = 1

    def _emit(self, label: str, text: str) -> None:
        self.print(f"[yellow]{label}:[/] {escape(_shorten(text, self.verbose))}")


def _plain(text: str) -> str:
    text = str(text).strip()
    return text[3:] if text.startswith("R: ") else text


def _shorten(text: str, verbose: bool, limit: int = MAX_CHARS) -> str:
    """Cut a long list (of genes, patients …) after ``limit`` characters; prose stays whole."""
    if verbose or len(text) <= limit or text.count(", ") < 8:
        return text
    cut = text.rfind(", ", 0, limit)
    cut = cut if cut > limit // 2 else limit
    return f"{text[:cut]} … ({len(text) - cut} more characters; -v prints all)"


def current() -> WarningReport | None:
    """The report of the command running now (None outside :func:`pyradiogen.cli.main`)."""
    return _current


def install(report: WarningReport | None) -> WarningReport | None:
    """Make ``report`` the current one; return the previous."""
    global _current
    prev, _current = _current, report
    return prev


def note(text: str, print_fn: Callable[[str], None] | None = None) -> None:
    """Print a command's note once: through the current report, else with ``print_fn``."""
    rep = current()
    if rep is not None:
        rep.note(text)
    elif print_fn is not None:
        print_fn(f"[yellow]note:[/] {escape(str(text))}")
