"""Helpers shared by several test modules."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def clone(src: Path, dst: Path, copy: tuple[str, ...] = ()) -> Path:
    """Symlink every top-level entry of ``src`` into ``dst``; really copy those in ``copy``."""
    dst.mkdir(parents=True, exist_ok=True)
    for entry in src.iterdir():
        if entry.name.startswith("."):
            continue
        target = dst / entry.name
        if entry.name in copy:
            if entry.is_dir():
                shutil.copytree(entry, target)
            else:
                shutil.copy2(entry, target)
        else:
            os.symlink(entry, target)
    return dst


class _HtmlTables:
    """Every ``<table>`` of an HTML page with the headings above it (see :func:`html_tables`)."""

    def __init__(self) -> None:
        from html.parser import HTMLParser

        outer = self
        self.tables: list[dict] = []
        self.heads: dict[str, str] = {}

        class P(HTMLParser):
            def __init__(self) -> None:
                super().__init__()
                self.tag: str | None = None
                self.text = ""
                self.row: list[str] | None = None

            def handle_starttag(self, tag, attrs):
                if tag in ("h2", "h3", "h4"):
                    self.tag, self.text = tag, ""
                elif tag == "table":
                    outer.tables.append({**outer.heads, "rows": []})
                elif tag == "tr":
                    self.row = []
                elif tag in ("td", "th") and self.row is not None:
                    self.tag, self.text = "cell", ""

            def handle_endtag(self, tag):
                if tag in ("h2", "h3", "h4") and self.tag == tag:
                    outer.heads[tag] = " ".join(self.text.split())
                    if tag == "h2":
                        outer.heads.pop("h3", None)
                    if tag in ("h2", "h3"):
                        outer.heads.pop("h4", None)
                    self.tag = None
                elif tag in ("td", "th") and self.tag == "cell":
                    self.row.append(" ".join(self.text.split()))
                    self.tag = None
                elif tag == "tr" and self.row is not None:
                    outer.tables[-1]["rows"].append(self.row)
                    self.row = None

            def handle_data(self, data):
                if self.tag:
                    self.text += data

        self.parser = P()


def html_tables(html: str) -> list[dict]:
    """Every table of an HTML page: ``{"h2": …, "h3": …, "h4": …, "rows": [[cell, …], …]}``.

    The headings are the last ``h2``/``h3``/``h4`` above the table (an ``h3`` or ``h4`` of an
    earlier section is forgotten at the next ``h2``); ``rows`` holds the header row first.
    """
    t = _HtmlTables()
    t.parser.feed(html)
    return t.tables
