"""A self-contained HTML report: the papers' numbers beside this run's, figures embedded."""

from __future__ import annotations

import base64
import datetime as _dt
import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..store import atomic_write

_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
     padding:0 1em;color:#222;line-height:1.45}
h1{border-bottom:2px solid #0072B2;padding-bottom:.2em}
h2{margin-top:2em;color:#0072B2;border-bottom:1px solid #ddd}
h3{margin-top:1.4em}
table{border-collapse:collapse;margin:.6em 0;font-size:.88em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f1f5f9}
td:first-child,th:first-child{text-align:left}
.side{display:flex;gap:2em;flex-wrap:wrap;align-items:flex-start}
.side>div{flex:1 1 300px}
.note{background:#fff8e1;border-left:4px solid #E69F00;padding:.5em .8em;margin:.8em 0}
.deviation{background:#fdecea;border-left:4px solid #D55E00;padding:.5em .8em;margin:.4em 0}
.meta td{text-align:left}
figure{margin:1em 0}
figure img{max-width:min(100%,900px);border:1px solid #eee}
figcaption{font-size:.85em;color:#555}
.ok{color:#009E73;font-weight:bold}.bad{color:#D55E00;font-weight:bold}
"""


# Marks on <body> how many embedded figures the browser decoded (read by the report's test).
_IMAGE_CHECK = (
    "<script>window.addEventListener('load',function(){var im=[].slice.call(document.images);"
    "document.body.setAttribute('data-images-total',im.length);"
    "document.body.setAttribute('data-images-rendered',"
    "im.filter(function(i){return i.complete&&i.naturalWidth>0;}).length);});</script>"
)


@dataclass
class Block:
    """One block of a report section: ``kind`` (text, table, compare, figure, html) and its payload."""

    kind: str
    payload: dict[str, Any]


@dataclass
class Section:
    """One section of the report: its title, the study it belongs to and its blocks."""

    title: str
    study: str | None = None
    blocks: list[Block] = field(default_factory=list)


def _table_html(df: pd.DataFrame | dict | None, index: bool = True, floatfmt: str = "{:.4g}") -> str:
    if df is None:
        return "<p><em>not computed in this run</em></p>"
    if isinstance(df, dict):
        df = pd.DataFrame({"value": [v for v in df.values()]}, index=list(df.keys()))
    def cell(v: Any) -> str:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return "—"
        if isinstance(v, float):
            return floatfmt.format(v)
        return str(v)

    fmt = {c: cell for c in df.columns}
    if isinstance(df.index, pd.RangeIndex):
        index = False
    return df.to_html(index=index, escape=True, border=0, formatters=fmt, na_rep="—")


def _img_tag(path: str | os.PathLike, alt: str) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


class Report:
    """Collects sections and renders one self-contained HTML file."""

    def __init__(self, title: str, meta: dict[str, Any]):
        self.title = title
        self.meta = meta
        self.sections: list[Section] = []
        self.deviations: list[str] = []

    def section(self, title: str, study: str | None = None) -> Section:
        """Add a section (optionally of one study) and return it."""
        sec = Section(title, study)
        self.sections.append(sec)
        return sec

    @staticmethod
    def text(sec: Section, text: str, kind: str = "p") -> None:
        """Add a paragraph (``kind`` ``"p"``) or a note (``"note"``) to a section."""
        sec.blocks.append(Block("text", {"text": text, "kind": kind}))

    @staticmethod
    def compare(sec: Section, title: str, paper: Any, ours: Any, note: str | None = None) -> None:
        """The paper's value(s) beside this run's."""
        sec.blocks.append(Block("compare", {"title": title, "paper": paper, "ours": ours,
                                            "note": note}))

    @staticmethod
    def table(sec: Section, title: str, df: pd.DataFrame | dict | None, index: bool = True) -> None:
        """Add a titled table (None: "not computed in this run") to a section."""
        sec.blocks.append(Block("table", {"title": title, "df": df, "index": index}))

    @staticmethod
    def figure(sec: Section, path: str | os.PathLike | None, caption: str) -> None:
        """Add a figure (a PNG, embedded) with its caption; a missing one is flagged."""
        sec.blocks.append(Block("figure", {"path": path, "caption": caption}))

    @staticmethod
    def html(sec: Section, fragment: str) -> None:
        """A trusted HTML fragment produced by pyradiogen (e.g. the parity certificate)."""
        sec.blocks.append(Block("html", {"html": fragment}))

    def deviation(self, text: str) -> None:
        """A deviation from the paper's method, with its reason."""
        if text not in self.deviations:
            self.deviations.append(text)

    # ------------------------------------------------------------------ rendering
    def _render_block(self, b: Block) -> str:
        p = b.payload
        if b.kind == "text":
            cls = {"note": ' class="note"', "p": ""}.get(p["kind"], "")
            return f"<p{cls}>{html.escape(p['text'])}</p>"
        if b.kind == "html":
            return p["html"]
        if b.kind == "table":
            return f"<h3>{html.escape(p['title'])}</h3>{_table_html(p['df'], p['index'])}"
        if b.kind == "compare":
            out = [f"<h3>{html.escape(p['title'])}</h3><div class='side'>"]
            for label, val in (("Published", p["paper"]), ("This run", p["ours"])):
                body = (_table_html(val) if isinstance(val, (pd.DataFrame, dict)) or val is None
                        else f"<p>{html.escape(str(val))}</p>")
                out.append(f"<div><h4>{label}</h4>{body}</div>")
            out.append("</div>")
            if p["note"]:
                out.append(f"<p class='note'>{html.escape(p['note'])}</p>")
            return "".join(out)
        if b.kind == "figure":
            path = p["path"]
            if path is None or not Path(path).exists():
                return f"<p class='deviation'>Figure not produced: {html.escape(p['caption'])}</p>"
            return (f"<figure>{_img_tag(path, p['caption'])}"
                    f"<figcaption>{html.escape(p['caption'])}</figcaption></figure>")
        raise ValueError(f"unknown block kind {b.kind}")

    def render(self) -> str:
        """The whole report as one self-contained HTML document."""
        meta_rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                            for k, v in self.meta.items())
        toc = "".join(f"<li><a href='#s{i}'>{html.escape(s.title)}</a></li>"
                      for i, s in enumerate(self.sections))
        parts = [
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head><body>",
            f"<h1>{html.escape(self.title)}</h1>",
            f"<table class='meta'>{meta_rows}</table>",
            "<h2>Deviations from the papers' methods</h2>",
            ("<ul>" + "".join(f"<li class='deviation'>{html.escape(d)}</li>" for d in self.deviations)
             + "</ul>") if self.deviations else "<p>None.</p>",
            f"<h2>Contents</h2><ol>{toc}</ol>",
        ]
        for i, s in enumerate(self.sections):
            study = f" <small>({html.escape(s.study)})</small>" if s.study else ""
            parts.append(f"<h2 id='s{i}'>{html.escape(s.title)}{study}</h2>")
            parts.extend(self._render_block(b) for b in s.blocks)
        parts.append(_IMAGE_CHECK)
        parts.append(f"<hr><p><small>Generated {_dt.datetime.now(_dt.UTC).isoformat()} by "
                     "pyradiogen.</small></p></body></html>")
        return "\n".join(parts)

    def write(self, path: str | os.PathLike) -> Path:
        """Write the report atomically."""
        return atomic_write(path, self.render())
