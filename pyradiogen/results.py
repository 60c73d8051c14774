"""The one meaning of ``summary()``: a printable :class:`Summary`.

The one meaning of ``summary()``: every results object of the package returns a
:class:`Summary` (the pattern of statsmodels' ``results.summary()``).

A :class:`Summary` is printable (``print(res.summary())``, ``str``), shows as HTML in a
notebook, and keeps its parts (``info``, ``tables``, ``notes``) for code that wants them.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["Summary"]


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


@dataclass
class Summary:
    """A printable summary of a result: a title, key facts, tables and notes.

    Parameters
    ----------
    title : str
        What the result is (``"LME association scan"``).
    info : mapping of str to object
        Key facts, one line each (engine, sizes, settings …).
    tables : mapping of str to DataFrame
        Named tables (counts per class, one row per model …).
    notes : list of str
        What the reader must know: rows left out, fits that failed, deviations.
    """

    title: str
    info: Mapping[str, Any] = field(default_factory=dict)
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_text(self) -> str:
        """The summary as plain text.

        Returns
        -------
        str
            Title, one ``key : value`` line per fact, each table under its name, then the
            notes (what ``print(summary)`` shows).
        """
        width = max([len(self.title), 40] + [len(str(k)) + 3 + len(_fmt(v))
                                             for k, v in self.info.items()])
        lines = [self.title, "=" * min(width, 100)]
        pad = max((len(str(k)) for k in self.info), default=0)
        lines += [f"{str(k):<{pad}} : {_fmt(v)}" for k, v in self.info.items()]
        for name, tab in self.tables.items():
            lines += ["", name, "-" * min(max(len(name), 20), 100)]
            lines.append(tab.to_string(na_rep="—") if len(tab) else "(none)")
        if self.notes:
            lines += ["", "Notes"]
            lines += [f"  {n}" for n in self.notes]
        return "\n".join(lines)

    def as_html(self) -> str:
        """The summary as an HTML fragment (what a notebook shows).

        Returns
        -------
        str
            ``<h4>`` title, a table of the facts, each table as HTML, the notes as a list.
        """
        out = [f"<h4>{html.escape(self.title)}</h4>"]
        if self.info:
            rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_fmt(v))}</td>"
                           "</tr>" for k, v in self.info.items())
            out.append(f"<table>{rows}</table>")
        for name, tab in self.tables.items():
            out.append(f"<h5>{html.escape(name)}</h5>{tab.to_html(na_rep='—')}")
        if self.notes:
            out.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
                       + "</ul>")
        return "".join(out)

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()
