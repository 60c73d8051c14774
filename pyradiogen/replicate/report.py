"""A self-contained HTML report: the papers' numbers beside this run's, figures embedded."""

from __future__ import annotations

import base64
import datetime as _dt
import html
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..store import atomic_write

#: the most rows a table shows inline; longer tables show their top rows and link the full CSV
MAX_INLINE_ROWS = 25

_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:1.2em auto;
     padding:0 1em;color:#222;line-height:1.45}
h1{border-bottom:2px solid #0072B2;padding-bottom:.2em;margin:.2em 0 .3em;font-size:1.6em}
h2{margin-top:2em;color:#0072B2;border-bottom:1px solid #ddd}
h3{margin:1.4em 0 .2em}
h4{margin:.6em 0 .2em}
p.lead{margin:.2em 0 .6em;color:#444}
nav#contents{background:#f6f8fa;border:1px solid #dde3ea;padding:.3em 1em .5em;margin:.4em 0 1em}
nav#contents h2{margin:.2em 0 .3em;font-size:1.1em;border:0}
nav#contents ol{columns:2 22em;column-gap:2em;margin:0;padding-left:1.6em;font-size:.92em}
nav#contents li{break-inside:avoid}
.tablewrap{overflow-x:auto;max-width:100%;margin:.4em 0}
table{border-collapse:collapse;margin:.2em 0;font-size:.88em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:right;vertical-align:top}
th{background:#f1f5f9}
td:first-child,th:first-child{text-align:left}
p.caption{font-size:.88em;color:#444;margin:.1em 0 .4em}
p.truncated{font-size:.85em;color:#555;margin:.1em 0 .8em}
.side{display:flex;gap:2em;flex-wrap:wrap;align-items:flex-start}
.side>div{flex:1 1 300px;min-width:0}
.note{background:#fff8e1;border-left:4px solid #E69F00;padding:.5em .8em;margin:.8em 0}
.deviation{background:#fdecea;border-left:4px solid #D55E00;padding:.5em .8em;margin:.4em 0}
.meta td{text-align:left}
figure{margin:1em 0}
figure img{max-width:min(100%,900px);border:1px solid #eee}
figcaption{font-size:.88em;color:#444;max-width:900px}
dl.defs dt{font-weight:bold;margin-top:.3em}
dl.defs dd{margin-left:1.5em}
.ok{color:#009E73;font-weight:bold}.bad{color:#D55E00;font-weight:bold}
"""


# Marks on <body> what the browser laid out (read by the report's tests, see ``browser.py``):
# how many embedded figures it decoded, the viewport, where the contents list lies, the most
# rows of any table and how far the page overflows the window sideways.
_LAYOUT_CHECK = (
    "<script>window.addEventListener('load',function(){var b=document.body,"
    "im=[].slice.call(document.images),toc=document.getElementById('contents'),"
    "rows=[].slice.call(document.querySelectorAll('table')).map(function(t){"
    "return t.tBodies.length?t.tBodies[0].rows.length:t.rows.length;});"
    "b.setAttribute('data-images-total',im.length);"
    "b.setAttribute('data-images-rendered',"
    "im.filter(function(i){return i.complete&&i.naturalWidth>0;}).length);"
    "b.setAttribute('data-viewport-width',window.innerWidth);"
    "b.setAttribute('data-viewport-height',window.innerHeight);"
    "if(toc){var r=toc.getBoundingClientRect();"
    "b.setAttribute('data-contents-top',Math.round(r.top+window.scrollY));"
    "b.setAttribute('data-contents-bottom',Math.round(r.bottom+window.scrollY));}"
    "b.setAttribute('data-tables',rows.length);"
    "b.setAttribute('data-max-table-rows',rows.length?Math.max.apply(null,rows):0);"
    "b.setAttribute('data-page-overflow-x',"
    "document.documentElement.scrollWidth-document.documentElement.clientWidth);});</script>"
)


@dataclass
class Block:
    """One block of a report section: its kind and its payload.

    Parameters
    ----------
    kind : {"text", "defs", "table", "compare", "figure", "html"}
        What the block shows; :meth:`Report.render` draws each kind its own way.
    payload : dict
        The block's content, keyed as the :class:`Report` method that added it stores it
        (``text``/``kind``; ``title``/``df``/``caption``/``csv`` …).
    """

    kind: str
    payload: dict[str, Any]


@dataclass
class Section:
    """One section of the report: its title, the study it belongs to and its blocks.

    Parameters
    ----------
    title : str
        Heading of the section (also its entry in the contents).
    study : str, optional
        Name of the study the section belongs to, shown beside the title.
    blocks : list of Block, optional
        The section's content, in order (empty by default; the :class:`Report` methods
        append to it).
    """

    title: str
    study: str | None = None
    blocks: list[Block] = field(default_factory=list)


def as_frame(value: pd.DataFrame | Mapping[Any, Any] | None, value_name: str = "value"
             ) -> pd.DataFrame | None:
    """A table as a DataFrame: a mapping becomes one ``value`` column indexed by its keys.

    Parameters
    ----------
    value : DataFrame or mapping or None
        A table, or named values (name → value).
    value_name : str, default "value"
        Name of the column a mapping's values go into.

    Returns
    -------
    DataFrame or None
        ``value`` itself when it is a DataFrame or ``None``; for a mapping a frame of shape
        (n_names, 1) indexed by the names as text.

    Raises
    ------
    TypeError
        ``value`` is neither a DataFrame, a mapping nor ``None``.
    """
    if value is None or isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, Mapping):
        return pd.DataFrame({value_name: list(value.values())},
                            index=pd.Index([str(k) for k in value.keys()], name=""))
    raise TypeError(f"not a table: {type(value).__name__}")


def _norm(v: Any) -> str:
    return " ".join(str(v).split()).casefold()


def _row_keys(df: pd.DataFrame, key: Sequence[str] | None) -> list[tuple[str, ...]]:
    if key:
        return [tuple(_norm(v) for v in row) for row in df[list(key)].itertuples(index=False)]
    return [(_norm(v),) if not isinstance(v, tuple) else tuple(_norm(x) for x in v)
            for v in df.index]


def published_row_order(paper_keys: Sequence[tuple[str, ...]],
                        ours_keys: Sequence[tuple[str, ...]]) -> list[int]:
    """The order in which to show this run's rows beside a published table's.

    Rows the paper has come in the paper's order. A row the paper lacks stays beside the
    rows it belongs with: in a table whose rows are keyed by two or more columns (Table 1's
    ``characteristic, level``), rows are grouped by the first key, and a row the paper lacks
    follows its own group's published rows (a characteristic's NA count under that
    characteristic's levels, not after the last characteristic); a group the paper lacks
    altogether follows the group before it in this run's table. In a table keyed by one
    column, rows the paper lacks follow the published rows, in this run's order.

    Parameters
    ----------
    paper_keys : sequence of tuple of str
        Each published row's key (normalised labels), in the paper's order.
    ours_keys : sequence of tuple of str
        Each of this run's rows' key, in this run's order.

    Returns
    -------
    list of int
        Positions in ``ours_keys``, in the order to show them.
    """
    order: dict[tuple[str, ...], int] = {}
    for i, k in enumerate(paper_keys):
        order.setdefault(k, i)
    n_ours = len(ours_keys)
    rank = [order.get(k, len(order) + j) for j, k in enumerate(ours_keys)]
    nested = n_ours > 0 and all(len(k) >= 2 for k in ours_keys) \
        and all(len(k) >= 2 for k in paper_keys)
    if not nested:
        return sorted(range(n_ours), key=rank.__getitem__)
    groups = list(dict.fromkeys(k[0] for k in paper_keys))
    prev = None
    for g in dict.fromkeys(k[0] for k in ours_keys):
        if g not in groups:      # a group the paper lacks: after the group before it in ours
            groups.insert(groups.index(prev) + 1 if prev is not None else 0, g)
        prev = g
    at = {g: i for i, g in enumerate(groups)}
    return sorted(range(n_ours), key=lambda j: (at[ours_keys[j][0]], rank[j]))


def align_to_published(paper: pd.DataFrame | Mapping[Any, Any] | None,
                       ours: pd.DataFrame | Mapping[Any, Any] | None,
                       key: str | Sequence[str] | None = None,
                       rename: Mapping[str, str] | None = None) -> pd.DataFrame | None:
    """Lay out this run's table as the published one, for :meth:`Report.compare`.

    Parameters
    ----------
    paper, ours : DataFrame or mapping (name → value) or None
        The published table and this run's.
    key : column name(s), optional
        The columns that identify a row in both tables; the index when omitted.
    rename : mapping, optional
        This run's column (and row) labels → the published labels.

    Returns
    -------
    DataFrame or None
        ``ours`` relabelled with ``rename``; transposed when the published columns are its row
        labels (and not its columns); its rows in the published order
        (:func:`published_row_order`: a row the paper lacks stays with its own group, e.g. a
        characteristic's NA count under that characteristic); the published columns first, in
        the published order, then this run's other columns.
    """
    ours_df = as_frame(ours)
    paper_df = as_frame(paper)
    if ours_df is None or paper_df is None:
        return ours_df
    ours_df = ours_df.copy()
    if rename:
        ours_df = ours_df.rename(columns=dict(rename), index=dict(rename))
    keys = [key] if isinstance(key, str) else list(key or [])
    pcols = [c for c in paper_df.columns if c not in keys]
    pc = {_norm(c) for c in pcols}
    in_cols = sum(_norm(c) in pc for c in ours_df.columns)
    in_rows = sum(_norm(i) in pc for i in ours_df.index)
    if not keys and in_rows > in_cols and in_rows >= max(1, len(pcols) // 2):
        ours_df = ours_df.T
    if keys and not set(keys) <= set(ours_df.columns):
        keys = [k for k in keys if k in ours_df.columns]
    plain = isinstance(ours_df.index, pd.RangeIndex)
    ours_df = ours_df.iloc[published_row_order(_row_keys(paper_df, keys or None),
                                               _row_keys(ours_df, keys or None))]
    if plain:
        ours_df = ours_df.reset_index(drop=True)
    by_norm = {_norm(c): c for c in ours_df.columns}
    first = [by_norm[_norm(c)] for c in paper_df.columns if _norm(c) in by_norm]
    first = list(dict.fromkeys(first))
    return ours_df[first + [c for c in ours_df.columns if c not in first]]


def merged_values(paper: pd.DataFrame | Mapping[Any, Any],
                  ours: pd.DataFrame | Mapping[Any, Any] | None,
                  label: str = "quantity") -> pd.DataFrame:
    """Published and this run's values of named quantities in one table.

    Names are matched ignoring case and runs of white space.

    Parameters
    ----------
    paper : DataFrame or mapping
        The published values (name → value, or a table whose first column holds them,
        indexed by name).
    ours : DataFrame or mapping or None
        This run's values, in the same form; ``None``: not computed.
    label : str, default "quantity"
        Name of the column holding the quantity names.

    Returns
    -------
    DataFrame, shape (n_quantities, 3)
        One row per quantity (the published ones first, in the published order, then those
        only this run has); columns ``label``, ``published`` and ``this run`` (``None``,
        shown as "—", where one side lacks the quantity); dtype object.
    """
    pub = as_frame(paper)
    run = as_frame(ours)
    pv = pub.iloc[:, 0]
    rv = run.iloc[:, 0] if run is not None and run.shape[1] else pd.Series(dtype=object)
    names = list(dict.fromkeys([*map(str, pv.index), *map(str, rv.index)]))
    pmap = {_norm(k): v for k, v in pv.items()}
    rmap = {_norm(k): v for k, v in rv.items()}
    return pd.DataFrame({label: names,
                         "published": [pmap.get(_norm(n)) for n in names],
                         "this run": [rmap.get(_norm(n)) for n in names]}).astype(object)


def _single_value(v: Any) -> bool:
    df = as_frame(v) if isinstance(v, (pd.DataFrame, Mapping)) else None
    return df is not None and df.shape[1] == 1 and not isinstance(df.index, pd.RangeIndex)


def truncate(df: pd.DataFrame, limit: int = MAX_INLINE_ROWS,
             sort_by: str | Sequence[str] | None = None,
             ascending: bool | Sequence[bool] = True) -> tuple[pd.DataFrame, int]:
    """The rows a long table shows inline, and the table's full row count.

    Parameters
    ----------
    df : DataFrame
        The full table.
    limit : int, default MAX_INLINE_ROWS
        Most rows shown inline.
    sort_by : str or sequence of str, optional
        Columns to sort by before cutting (missing values last, stable sort); columns the
        table lacks are ignored. ``None``: the table's own order.
    ascending : bool or sequence of bool, default True
        Sort direction, one for all columns or one per column of ``sort_by``.

    Returns
    -------
    shown : DataFrame
        The first ``limit`` rows after sorting (all of them when the table is not longer); a
        default integer index stays a default index.
    n_rows : int
        Rows of ``df``.
    """
    n = len(df)
    if sort_by is not None:
        cols = [sort_by] if isinstance(sort_by, str) else list(sort_by)
        cols = [c for c in cols if c in df.columns]
        if cols:
            asc = ascending if isinstance(ascending, bool) else list(ascending)[:len(cols)]
            plain = isinstance(df.index, pd.RangeIndex)
            df = df.sort_values(cols, ascending=asc, na_position="last", kind="stable")
            if plain:  # a default index stays a default index (not printed)
                df = df.reset_index(drop=True)
    return (df.head(limit) if n > limit else df), n


def _table_html(df: pd.DataFrame | None, index: bool = True, floatfmt: str = "{:.4g}") -> str:
    if df is None:
        return "<p><em>not computed in this run</em></p>"

    def cell(v: Any) -> str:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return "—"
        if isinstance(v, float):
            return floatfmt.format(v)
        return str(v)

    text_cols = [i for i, c in enumerate(df.columns)
                 if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])]
    df = df.astype(object).map(cell)
    df.columns = [_label(c) for c in df.columns]
    if isinstance(df.index, pd.RangeIndex):
        index = False
    body = df.to_html(index=index, escape=True, border=0)
    # text columns read left-aligned, numbers right-aligned
    shift = 1 + (1 if index else 0)
    left = ",".join(f"td:nth-child({i + shift})" for i in text_cols)
    if left:
        global _TABLE_ID
        _TABLE_ID += 1
        tid = f"t{_TABLE_ID}"
        style = ",".join(f"#{tid} {sel}" for sel in left.split(","))
        return (f"<style>{style}{{text-align:left}}</style>"
                f"<div class='tablewrap' id='{tid}'>{body}</div>")
    return f"<div class='tablewrap'>{body}</div>"


_TABLE_ID = 0


def _label(c: Any) -> str:
    """A column label as shown (the CSV's own name; a tuple's parts joined)."""
    if isinstance(c, tuple):
        return " ".join(str(x) for x in c if str(x))
    return str(c)


def _img_tag(path: str | os.PathLike, alt: str) -> str:
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.casefold()).strip("_")[:60] or "table"


class Report:
    """Collects sections and renders one self-contained HTML file.

    Every table and figure has a title and a caption saying what it shows. Tables longer than
    :data:`MAX_INLINE_ROWS` show their top rows (sorted as the caller says: smallest p first,
    largest count first) and link the full CSV (the run's own under ``OUT/tables`` or one the
    report writes beside itself). ``stages`` (stage, study, status, time) is shown under the
    run settings.

    Parameters
    ----------
    title : str
        Title of the report (the page's heading and ``<title>``).
    meta : dict
        Run settings shown first (name → value: cohort, preset, seed, version …).
    stages : DataFrame, optional
        One row per stage (columns ``stage``, ``study``, ``status`` and the time of the
        producing run), shown under the settings.
    max_rows : int, default MAX_INLINE_ROWS
        Most rows a table shows inline.

    Attributes
    ----------
    sections : list of Section
        The sections added so far, in order.
    deviations : list of str
        Deviations from the papers' methods, each once, in the order added.
    """

    def __init__(self, title: str, meta: dict[str, Any], stages: pd.DataFrame | None = None,
                 max_rows: int = MAX_INLINE_ROWS):
        self.title = title
        self.meta = meta
        self.stages = stages
        self.max_rows = max_rows
        self.sections: list[Section] = []
        self.deviations: list[str] = []
        self._base: Path | None = None

    def section(self, title: str, study: str | None = None) -> Section:
        """Add a section (optionally of one study) and return it.

        Parameters
        ----------
        title : str
            Heading of the section.
        study : str, optional
            Name of the study it belongs to.

        Returns
        -------
        Section
            The new, empty section, appended to :attr:`sections`.
        """
        sec = Section(title, study)
        self.sections.append(sec)
        return sec

    @staticmethod
    def text(sec: Section, text: str, kind: str = "p") -> None:
        """Add a paragraph or a note to a section.

        Parameters
        ----------
        sec : Section
            The section.
        text : str
            Plain text (escaped when rendered).
        kind : {"p", "note"}, default "p"
            A paragraph, or a note (set off in the page).
        """
        sec.blocks.append(Block("text", {"text": text, "kind": kind}))

    @staticmethod
    def definitions(sec: Section, terms: Mapping[str, str]) -> None:
        """Add a list of defined terms to a section.

        Parameters
        ----------
        sec : Section
            The section.
        terms : mapping of str to str
            Term → definition, in the order shown.
        """
        sec.blocks.append(Block("defs", {"terms": dict(terms)}))

    @staticmethod
    def compare(sec: Section, title: str, paper: Any, ours: Any, note: str | None = None, *,
                caption: str | None = None, key: str | Sequence[str] | None = None,
                rename: Mapping[str, str] | None = None, csv: str | os.PathLike | None = None,
                align: bool = True) -> None:
        """The paper's value(s) beside this run's, in the paper's layout.

        Named quantities (``paper`` a mapping, ``ours`` one value column or None) become one
        table with ``published`` and ``this run`` columns (:func:`merged_values`).
        ``ours`` is relabelled (``rename``: our label → the published one), transposed and
        reordered to the published table (:func:`align_to_published`, rows matched on ``key``)
        unless ``align`` is false. ``caption`` says what both show (units included); ``csv``
        is this run's full table when it is long.

        Parameters
        ----------
        sec : Section
            The section.
        title : str
            Title of the comparison.
        paper : DataFrame or mapping or object
            The published table, named values (name → value), or a single value.
        ours : DataFrame or mapping or object or None
            This run's table, values or value; ``None``: not computed in this run.
        note : str, optional
            A note shown under the comparison.
        caption : str, optional
            What both sides show, units included.
        key : str or sequence of str, optional
            Columns identifying a row in both tables; the index when omitted.
        rename : mapping of str to str, optional
            This run's labels → the published ones.
        csv : str or path-like, optional
            This run's full table, linked when it is longer than the inline limit.
        align : bool, default True
            Lay this run's table out as the published one.
        """
        if isinstance(paper, Mapping) and (ours is None or _single_value(ours)):
            # named quantities: one table, published beside this run's on every row
            merged = merged_values(paper, as_frame(ours).rename(index=dict(rename or {}))
                                   if ours is not None else None)
            sec.blocks.append(Block("table", {"title": title, "df": merged, "index": False,
                                              "caption": caption, "csv": csv, "sort_by": None,
                                              "ascending": True}))
            if note:
                sec.blocks.append(Block("text", {"text": note, "kind": "note"}))
            return
        if align and isinstance(paper, (pd.DataFrame, Mapping)) \
                and isinstance(ours, (pd.DataFrame, Mapping)):
            ours = align_to_published(paper, ours, key=key, rename=rename)
        sec.blocks.append(Block("compare", {"title": title, "paper": paper, "ours": ours,
                                            "note": note, "caption": caption, "csv": csv}))

    @staticmethod
    def table(sec: Section, title: str, df: pd.DataFrame | Mapping[Any, Any] | None,
              caption: str | None = None, *, index: bool = True,
              csv: str | os.PathLike | None = None, sort_by: str | Sequence[str] | None = None,
              ascending: bool | Sequence[bool] = True) -> None:
        """Add a table with its title and caption to a section.

        Parameters
        ----------
        sec : Section
            The section.
        title : str
            Title of the table.
        df : DataFrame or mapping or None
            The table, or named values (:func:`as_frame`); ``None`` is shown as "not computed
            in this run".
        caption : str, optional
            What the table shows, units included.
        index : bool, default True
            Show the index (never shown when it is a default integer index).
        csv : str or path-like, optional
            The full table the run wrote, linked when the table is longer than the inline
            limit; one is written beside the report when none is given.
        sort_by : str or sequence of str, optional
            Order of the rows shown when the table is longer than the inline limit (e.g.
            ``"p_adj"``).
        ascending : bool or sequence of bool, default True
            Direction of ``sort_by`` (a count descending, a p value ascending).
        """
        sec.blocks.append(Block("table", {"title": title, "df": as_frame(df), "index": index,
                                          "caption": caption, "csv": csv, "sort_by": sort_by,
                                          "ascending": ascending}))

    @staticmethod
    def figure(sec: Section, path: str | os.PathLike | None, caption: str,
               title: str | None = None) -> None:
        """Add a figure (a PNG, embedded) with its caption and title to a section.

        Parameters
        ----------
        sec : Section
            The section.
        path : str or path-like or None
            The PNG file, embedded in the page when rendered; a missing file (or ``None``) is
            flagged as "Figure not produced".
        caption : str
            What the figure shows.
        title : str, optional
            Heading above the figure.
        """
        sec.blocks.append(Block("figure", {"path": path, "caption": caption, "title": title}))

    @staticmethod
    def html(sec: Section, fragment: str) -> None:
        """Add a trusted HTML fragment produced by pyradiogen (e.g. the parity certificate).

        Parameters
        ----------
        sec : Section
            The section.
        fragment : str
            HTML inserted as is (not escaped): only for fragments pyradiogen itself writes.
        """
        sec.blocks.append(Block("html", {"html": fragment}))

    def deviation(self, text: str) -> None:
        """Record a deviation from the paper's method, with its reason.

        Parameters
        ----------
        text : str
            The deviation and its reason; a text already recorded is not added again.
        """
        if text not in self.deviations:
            self.deviations.append(text)

    # ------------------------------------------------------------------ rendering
    def _full_table_link(self, df: pd.DataFrame, title: str, csv: Any, index: bool) -> str:
        """A link (relative to the report) to the full table.

        Writes a CSV when none is given and the report knows where it goes.
        """
        if csv is None and self._base is not None:
            path = self._base / "tables" / f"report_{_slug(title)}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, df.to_csv(index=index and not isinstance(df.index,
                                                                        pd.RangeIndex)))
            csv = path
        if csv is None:
            return ""
        p = Path(csv)
        if self._base is not None and p.is_absolute():
            try:
                rel = Path(os.path.relpath(p, self._base)).as_posix()
            except ValueError:
                rel = p.as_posix()
        else:
            rel = p.as_posix()
        return f" — full table: <a href='{html.escape(rel)}'>{html.escape(rel)}</a>"

    def _sized_table(self, df: pd.DataFrame | None, title: str, *, index: bool = True,
                     csv: Any = None, sort_by: Any = None, ascending: Any = True) -> str:
        if df is None:
            return _table_html(None)
        shown, n = truncate(df, self.max_rows, sort_by, ascending)
        out = _table_html(shown, index)
        if n > len(shown):
            order = ""
            if sort_by is not None:
                cols = [sort_by] if isinstance(sort_by, str) else list(sort_by)
                asc = [ascending] * len(cols) if isinstance(ascending, bool) else list(ascending)
                order = " (sorted by " + ", ".join(
                    f"{_label(c)} {'ascending' if a else 'descending'}"
                    for c, a in zip(cols, asc)) + ")"
            out += (f"<p class='truncated'>showing {len(shown):,} of {n:,} rows{order}"
                    f"{self._full_table_link(df, title, csv, index)}</p>")
        return out

    @staticmethod
    def _caption(text: str | None) -> str:
        return f"<p class='caption'>{html.escape(text)}</p>" if text else ""

    def _render_block(self, b: Block) -> str:
        p = b.payload
        if b.kind == "text":
            cls = {"note": ' class="note"', "p": ""}.get(p["kind"], "")
            return f"<p{cls}>{html.escape(p['text'])}</p>"
        if b.kind == "defs":
            items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>"
                            for k, v in p["terms"].items())
            return f"<dl class='defs'>{items}</dl>"
        if b.kind == "html":
            return p["html"]
        if b.kind == "table":
            return (f"<h3>{html.escape(p['title'])}</h3>{self._caption(p['caption'])}"
                    + self._sized_table(p["df"], p["title"], index=p["index"], csv=p["csv"],
                                        sort_by=p["sort_by"], ascending=p["ascending"]))
        if b.kind == "compare":
            out = [f"<h3>{html.escape(p['title'])}</h3>{self._caption(p['caption'])}"
                   "<div class='side'>"]
            for label, val, csv in (("Published", p["paper"], None),
                                    ("This run", p["ours"], p["csv"])):
                if isinstance(val, (pd.DataFrame, Mapping)) or val is None:
                    body = self._sized_table(as_frame(val), f"{p['title']} {label}", csv=csv)
                else:
                    body = f"<p>{html.escape(str(val))}</p>"
                out.append(f"<div><h4>{label}</h4>{body}</div>")
            out.append("</div>")
            if p["note"]:
                out.append(f"<p class='note'>{html.escape(p['note'])}</p>")
            return "".join(out)
        if b.kind == "figure":
            path, title = p["path"], p.get("title")
            if path is None or not Path(path).exists():
                return ("<p class='deviation'>Figure not produced: "
                        f"{html.escape(title or p['caption'])}</p>")
            head = f"<h3>{html.escape(title)}</h3>" if title else ""
            return (f"{head}<figure>{_img_tag(path, title or p['caption'])}"
                    f"<figcaption>{html.escape(p['caption'])}</figcaption></figure>")
        raise ValueError(f"unknown block kind {b.kind}")

    def render(self) -> str:
        """The whole report as one self-contained HTML document.

        Returns
        -------
        str
            The HTML: settings and stages, deviations, then every section; figures are
            embedded as base64 PNGs.

        Raises
        ------
        ValueError
            A block has an unknown kind.
        """
        meta_rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                            for k, v in self.meta.items())
        heads = [("settings", "Run settings and stages"),
                 ("deviations", f"Deviations from the papers' methods ({len(self.deviations)})")]
        heads += [(f"s{i}", s.title) for i, s in enumerate(self.sections)]
        toc = "".join(f"<li><a href='#{k}'>{html.escape(t)}</a></li>" for k, t in heads)
        stages = ""
        if self.stages is not None and len(self.stages):
            st = self.stages
            skipped = (st["status"] == "skipped").sum() if "status" in st.columns else 0
            stages = ("<h3>Stages</h3><p class='caption'>Every stage of this run: ran now, "
                      "or reused from an earlier run (with the time that run took on it)."
                      + (f" Stages not run on this cohort: {skipped} (each runs when the "
                         "cohort holds its inputs; the missing input is named)."
                         if skipped else "") + "</p>" + _table_html(st))
        parts = [
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
            "<meta name='viewport' content='width=device-width, initial-scale=1'>",
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head><body>",
            f"<h1>{html.escape(self.title)}</h1>",
            f"<nav id='contents'><h2>Contents</h2><ol>{toc}</ol></nav>",
            "<h2 id='settings'>Run settings and stages</h2>",
            f"<div class='tablewrap'><table class='meta'>{meta_rows}</table></div>",
            stages,
            "<h2 id='deviations'>Deviations from the papers' methods</h2>",
            ("<ul>" + "".join(f"<li class='deviation'>{html.escape(d)}</li>" for d in self.deviations)
             + "</ul>") if self.deviations else "<p>None.</p>",
        ]
        for i, s in enumerate(self.sections):
            study = f" <small>({html.escape(s.study)})</small>" if s.study else ""
            parts.append(f"<h2 id='s{i}'>{html.escape(s.title)}{study}</h2>")
            parts.extend(self._render_block(b) for b in s.blocks)
        parts.append(_LAYOUT_CHECK)
        parts.append(f"<hr><p><small>Generated {_dt.datetime.now(_dt.UTC).isoformat()} by "
                     "pyradiogen.</small></p></body></html>")
        return "\n".join(parts)

    def write(self, path: str | os.PathLike) -> Path:
        """Write the report atomically.

        Full CSVs of long tables that have none go to ``tables/`` beside it.

        Parameters
        ----------
        path : str or path-like
            The HTML file to write.

        Returns
        -------
        Path
            The file written.
        """
        self._base = Path(path).resolve().parent
        try:
            return atomic_write(path, self.render())
        finally:
            self._base = None
