"""One reader for every table a user hands pyradiogen (CSV, TSV, parquet).

Every table reader of the package and every command-line table option goes through
:func:`read_table`, so the same rules hold everywhere:

* **Delimiter**: sniffed from the first lines (tab, comma, semicolon or ``|``); the file suffix
  only breaks ties. Leading ``#`` comment lines are skipped; a UTF-8 byte-order mark is dropped.
* **Missing values**: every spelling in :data:`NA_SPELLINGS` (``NA``, empty cells, ``n/a``,
  TCGA's ``Not Available``, ``Not Performed``, ``Performed but Not Available``,
  ``Indeterminate``, ``Equivocal``, the bracketed GDC/legacy values ``[Not Available]``,
  ``[Not Evaluated]``, ``[Unknown]``, ``[Not Applicable]``, ``[Discrepancy]`` …; case and
  surrounding blanks ignored) is a missing value. The row stays; the count of missing values
  per column and spelling is kept in :attr:`Table.na`.
* **Header**: duplicated column names are refused at read time, naming them (pandas would
  silently rename the second ``GENE03`` to ``GENE03.1``); blank names too.
* **ID column**: given by name (the commands' ``--id-column``), or found: a column named like
  an ID (``patient_id``, ``Complete TCGA ID``, ``sample``, ``SampleID``, ``subject`` …), an
  unnamed first column (a pandas index), or a non-numeric first column. A *numeric* first
  column is taken as the ID only when its name says so, and then the reader says so in a note;
  otherwise it is data. Duplicated and empty IDs are refused, naming them (a reader may instead
  collapse repeats by a stated rule, ``duplicates="first"`` or ``"mean"``, noting each).
* **Numbers**: numeric columns are coerced; a cell that is neither a number nor a missing-value
  spelling is refused naming the file, column, line and ID; so are infinite values.
* **Empty tables**: an empty file, a header without rows and too few rows are refused.
* **Compression**: a gzip-compressed file (``table.tsv.gz``; recognised by its magic bytes, so
  also without the ``.gz`` suffix) is read as the text it holds; a damaged or truncated one is
  refused naming the file (:func:`open_text`, :data:`GZIP_ERRORS`).

Every refusal is a :class:`TableError` (a :class:`~pyradiogen.cohort.errors.CohortError`,
hence a ``ValueError``) whose message names the file, the option that gave it, the column,
line or ID, and the fix. The command line prints it and exits with code 2.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import os
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from .errors import CohortError

#: Missing-value spellings (compared case-insensitively after stripping blanks).
NA_SPELLINGS: tuple[str, ...] = (
    "", "NA", "N/A", "NaN", "null", "None", "<NA>", "#N/A", "-", ".", "?",
    "Not Available", "Not Performed", "Performed but Not Available", "Not Reported",
    "Not Evaluated", "Not Applicable", "Unknown", "Indeterminate", "Equivocal",
    "[Not Available]", "[Not Evaluated]", "[Unknown]", "[Not Applicable]", "[Discrepancy]",
    "[Not Reported]", "[Completed]", "[Pending]", "[Not Requested]",
)
_NA_KEYS = frozenset(s.strip().lower() for s in NA_SPELLINGS)

#: Header names (lower case, letters and digits only) taken as the ID column.
ID_NAMES: tuple[str, ...] = (
    "patientid", "patient", "completetcgaid", "tcgaid", "bcrpatientbarcode", "barcode",
    "patientbarcode", "sample", "sampleid", "samplebarcode", "samplename", "subject",
    "subjectid", "caseid", "casesubmitterid", "case", "participant", "participantid", "id",
    "cancerbarcode", "aliquot", "aliquotid",
)
_ID_WORD = re.compile(r"(^|[^a-z])(id|ids|subject|subjects|patient|patients|sample|samples|case|"
                      r"cases|participant|no|nr|number|index|barcode)([^a-z]|$)", re.I)
IdSpec = str | int | None | Literal["auto"]
Duplicates = Literal["error", "first", "mean"]


def is_na(value: object) -> bool:
    """Whether a value is missing (NaN/None or one of :data:`NA_SPELLINGS`).

    Parameters
    ----------
    value : object
        A cell.

    Returns
    -------
    bool
        True for NaN, None, ``pd.NA`` and every missing-value spelling (``NA``, ``[Not
        Available]``, ``#N/A`` …, any case, surrounding spaces ignored).
    """
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, str) and value.strip().lower() in _NA_KEYS


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or \
        (isinstance(v, str) and not v.strip())


def na_mask(s: pd.Series) -> pd.Series:
    """Boolean mask of the missing values of a column (NaN/None or an NA spelling).

    Parameters
    ----------
    s : Series
        A column.

    Returns
    -------
    Series of bool
        Same index; True where :func:`is_na`.
    """
    vals = s.to_numpy(dtype=object)
    return pd.Series(np.fromiter((is_na(v) for v in vals), dtype=bool, count=len(vals)),
                     index=s.index)


def _key(name: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


class TableError(CohortError):
    """A table the user gave cannot be used; the message names file, column, line/ID and fix.

    Parameters
    ----------
    problem : str
        What is wrong.
    file : str, PathLike or None, default None
        The input file.
    patient : str or None, default None
        The patient.
    gene : str or None, default None
        The gene.
    fix : str or None, default None
        What the user should do; the message ends with it.
    column : str or None, default None
        The column.
    line : int or None, default None
        The file line.
    option : str or None, default None
        The command-line option that gave the file (``--ratings``).
    what : str or None, default None
        What the file is (``"ratings table"``).
    """


@dataclass
class Table:
    """A table as read by :func:`read_table`.

    Parameters
    ----------
    frame : DataFrame
        The data columns; the ID column moved to the index, named as in the file (rows
        numbered from 1 when there is no ID column).
    path : Path
        The file.
    what : str, default "table"
        What the table is, for messages.
    option : str or None, default None
        The command-line option that gave the file.
    id_column : str or None, default None
        The ID column used (None: none).
    delimiter : str or None, default None
        The delimiter detected (None for Parquet).
    na : dict of str to dict of str to int
        ``{column: {spelling: count}}`` of the missing values found.
    lines : Series of int or None, default None
        The file line of each row.
    notes : list of str
        What the reader decided on the user's behalf (ID column chosen, rows collapsed,
        columns dropped …).
    """

    frame: pd.DataFrame
    path: Path
    what: str = "table"
    option: str | None = None
    id_column: str | None = None
    delimiter: str | None = None
    na: dict[str, dict[str, int]] = field(default_factory=dict)
    lines: pd.Series | None = None
    notes: list[str] = field(default_factory=list)

    def na_counts(self) -> pd.Series:
        """Missing values per column (every column of ``frame``, zeros included).

        Returns
        -------
        Series of int
            Indexed by column.
        """
        return pd.Series({c: sum(self.na.get(str(c), {}).values()) for c in self.frame.columns},
                         dtype=int)

    def na_summary(self, limit: int = 12) -> str:
        """One line listing the columns with missing values and their spellings.

        Parameters
        ----------
        limit : int, default 12
            Columns listed before "… and N more".

        Returns
        -------
        str
            ``"HER2 Final Status 44 (NA 34, Equivocal 10); …"``, or ``"no missing values"``.
        """
        parts = []
        for col, spell in self.na.items():
            n = sum(spell.values())
            if not n:
                continue
            detail = ", ".join(f"{s or 'empty'} {k}" for s, k in
                               sorted(spell.items(), key=lambda kv: -kv[1]))
            parts.append(f"{col} {n} ({detail})")
        more = f"; … (+{len(parts) - limit} columns)" if len(parts) > limit else ""
        return "; ".join(parts[:limit]) + more if parts else "no missing values"

    def error(self, problem: str, *, column: str | None = None, line: int | None = None,
              patient: str | None = None, gene: str | None = None,
              fix: str | None = None) -> TableError:
        """A :class:`TableError` about this table, naming its file and option.

        Parameters
        ----------
        problem : str
            What is wrong.
        column : str or None, default None
            The column.
        line : int or None, default None
            The file line.
        patient : str or None, default None
            The patient.
        gene : str or None, default None
            The gene.
        fix : str or None, default None
            What the user should do.

        Returns
        -------
        TableError
            To be raised by the caller.
        """
        return TableError(problem, file=self.path, option=self.option, what=self.what,
                          column=column, line=line, patient=patient, gene=gene, fix=fix)

    def line_of(self, row: object) -> int | None:
        """File line of a row label.

        Parameters
        ----------
        row : object
            A label of ``frame``'s index.

        Returns
        -------
        int or None
            The 1-based line, or None when unknown.
        """
        if self.lines is None:
            return None
        try:
            v = self.lines.loc[row]
        except KeyError:
            return None
        if isinstance(v, pd.Series):
            v = v.iloc[0]
        return int(v)


# --------------------------------------------------------------------------- compression

#: What reading a damaged gzip file raises: a bad header (``BadGzipFile``), a file cut short
#: (``EOFError``) or corrupt compressed data (``zlib.error``).
GZIP_ERRORS: tuple[type[BaseException], ...] = (gzip.BadGzipFile, EOFError, zlib.error)


def is_gzip(path: str | os.PathLike) -> bool:
    """Whether a file is gzip-compressed (its first two bytes are gzip's magic number).

    Parameters
    ----------
    path : str or PathLike
        The file.

    Returns
    -------
    bool
        True for a gzip file, whatever its name; False for any other or an unreadable file.
    """
    try:
        with open(path, "rb") as fh:
            return fh.read(2) == b"\x1f\x8b"
    except OSError:
        return False


def open_text(path: str | os.PathLike, encoding: str = "utf-8", newline: str | None = None):
    """Open a text file for reading, decompressing it on the fly when it is gzipped.

    Parameters
    ----------
    path : str or PathLike
        The file (plain text, or gzip-compressed, e.g. GDC's ``*.tsv.gz``).
    encoding : str, default "utf-8"
        Text encoding.
    newline : str or None, default None
        As :func:`open`.

    Returns
    -------
    file object
        A text stream; reading a damaged gzip file raises one of :data:`GZIP_ERRORS`.
    """
    if is_gzip(path):
        return gzip.open(path, "rt", encoding=encoding, newline=newline)
    return open(path, encoding=encoding, newline=newline)


def compression_of(path: str | os.PathLike) -> str | None:
    """The ``compression`` argument of :func:`pandas.read_csv` for a file.

    Parameters
    ----------
    path : str or PathLike
        The file.

    Returns
    -------
    str or None
        ``"gzip"`` for a gzip file (also without a ``.gz`` suffix), else None.
    """
    return "gzip" if is_gzip(path) else None


def plain_suffix(path: str | os.PathLike) -> str:
    """A file's suffix without a trailing ``.gz`` (``a.tsv.gz`` → ``.tsv``), lower case.

    Parameters
    ----------
    path : str or PathLike
        The file.

    Returns
    -------
    str
        The suffix, e.g. ``".tsv"``; ``""`` when there is none.
    """
    p = Path(path)
    if p.suffix.lower() == ".gz":
        p = p.with_suffix("")
    return p.suffix.lower()


def gzip_problem(exc: BaseException) -> str:
    """The problem of a damaged gzip file, for a message naming it.

    Parameters
    ----------
    exc : BaseException
        What reading it raised (one of :data:`GZIP_ERRORS`).

    Returns
    -------
    str
        E.g. ``"is a damaged or truncated gzip file (Compressed file ended before the
        end-of-stream marker was reached)"``.
    """
    return f"is a damaged or truncated gzip file ({exc or type(exc).__name__})"


#: The fix named for a damaged gzip file.
GZIP_FIX = "download the file again (`gzip -t FILE` tests a gzip file)"


# --------------------------------------------------------------------------- raw reading


def _sniff(lines: list[str], suffix: str) -> str:
    """The delimiter that splits the header and the next lines into the same >1 fields."""
    prefer = "\t" if suffix in (".tsv", ".txt", ".tab") else ","
    best, best_score = prefer, None
    for sep in ("\t", ",", ";", "|"):
        try:
            rows = [r for r in csv.reader(io.StringIO("\n".join(lines)), delimiter=sep) if r]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        n = len(rows[0])
        agree = (sum(len(r) == n for r in rows[1:]) / (len(rows) - 1)) if len(rows) > 1 else 1.0
        score = (agree, sep == prefer, n)
        if best_score is None or score > best_score:
            best, best_score = sep, score
    return best


def _read_text_head(path: Path, n: int = 40) -> tuple[list[str], int, str]:
    """(first ``n`` non-comment lines, number of leading comment lines, encoding)."""
    for enc in ("utf-8-sig", "latin-1"):
        try:
            with open_text(path, encoding=enc, newline="") as fh:
                out: list[str] = []
                skip = 0
                for raw in fh:
                    line = raw.rstrip("\r\n")
                    if not out and line.startswith("#"):
                        skip += 1
                        continue
                    out.append(line)
                    if len(out) >= n:
                        break
            return out, skip, enc
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _raw_frame(path: Path, what: str, option: str | None, text_columns
               ) -> tuple[list[str], pd.DataFrame, str | None, int, list[str]]:
    """Read a delimited file's header and body as text.

    (header, body with columns 0..k-1 indexed by file line, delimiter, first data line,
    notes). ``text_columns(header)`` gives the column positions read as text (``True``: all);
    the others are parsed as numbers where every cell is one.
    """
    notes: list[str] = []

    def err(problem: str, fix: str, line: int | None = None) -> TableError:
        return TableError(problem, file=path, option=option, what=what, line=line, fix=fix)

    if not path.exists():
        raise err("does not exist", "check the path")
    if path.is_dir():
        raise err("is a folder, not a table", "give the table file inside it")
    suffix = plain_suffix(path)
    if suffix in (".xlsx", ".xls", ".xlsm", ".ods"):
        raise err("is a spreadsheet", "save the sheet as CSV or tab-separated text")
    if suffix == ".parquet":
        try:
            df = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise err(f"cannot be read as parquet ({exc})", "write it again") from exc
        header = [str(c) for c in df.columns]
        if df.index.name is not None or not isinstance(df.index, pd.RangeIndex):
            header = [str(df.index.name or "")] + header
            df = df.reset_index()
        df.columns = range(df.shape[1])
        df.index = pd.RangeIndex(2, 2 + len(df))
        return header, df, None, 2, notes
    if path.stat().st_size == 0:
        raise err("is empty (0 bytes)", "give the table with a header row and data rows")
    try:
        head, skip, enc = _read_text_head(path)
    except GZIP_ERRORS as exc:
        raise err(gzip_problem(exc), GZIP_FIX) from exc
    if enc != "utf-8-sig":
        notes.append(f"{path.name} is not UTF-8; read as Latin-1")
    content = [ln for ln in head if ln.strip()]
    if not content:
        raise err("holds no header and no rows (only blank or comment lines)",
                  "give the table with a header row and data rows")
    sep = _sniff(content[:20], suffix)
    header_line = skip + head.index(content[0]) + 1
    header = [h.strip() for h in next(csv.reader([content[0]], delimiter=sep))]
    n = len(header)
    text = text_columns(header)
    dtype: object = object if text is True else {i: object for i in text}
    try:
        body = pd.read_csv(path, sep=sep, header=None, names=list(range(n)),
                           skiprows=header_line, dtype=dtype, keep_default_na=False,
                           na_values=[""], skip_blank_lines=False, encoding=enc,
                           index_col=False, compression=compression_of(path))
    except GZIP_ERRORS as exc:
        raise err(gzip_problem(exc), GZIP_FIX) from exc
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+), saw (\d+)", str(exc))
        if m:
            ln = int(m.group(1))
            raise err(f"has {m.group(2)} fields but the header has {n}", "make every row "
                      f"have {n} {'tab' if sep == chr(9) else repr(sep)}-separated fields",
                      line=ln) from exc
        raise err(f"cannot be parsed ({exc})", "save it as plain CSV or tab-separated text"
                  ) from exc
    except pd.errors.EmptyDataError:
        body = pd.DataFrame(columns=list(range(n)))
    except ValueError as exc:
        raise err(f"cannot be parsed ({exc})", "save it as plain CSV or tab-separated text"
                  ) from exc
    first_line = header_line + 1
    body.index = pd.RangeIndex(first_line, first_line + len(body))
    if len(body):
        c0 = body[0].to_numpy(dtype=object)
        cand = [i for i, v in enumerate(c0) if _blank(v)]
        if cand:
            sub = body.iloc[cand].to_numpy(dtype=object)
            drop = [body.index[i] for i, row in zip(cand, sub) if all(_blank(v) for v in row)]
            if drop:
                body = body.drop(index=drop)
    return header, body, sep, first_line, notes


# --------------------------------------------------------------------------- ID column


def _looks_numeric(values: pd.Series) -> bool:
    v = values[~values.map(is_na)]
    if not len(v):
        return False
    return bool(pd.to_numeric(v, errors="coerce").notna().all())


def _choose_id(header: list[str], body: pd.DataFrame, id_column: IdSpec, what: str,
               option: str | None, path: Path, id_option: str | None,
               id_names: Sequence[str]) -> tuple[int | None, str | None]:
    """(column position of the ID or None, a note)."""
    if id_column is None or (isinstance(id_column, str) and id_column.lower() == "none"):
        return None, None
    if isinstance(id_column, int) and not isinstance(id_column, bool):
        if not 0 <= id_column < len(header):
            raise TableError(f"has no column {id_column + 1}", file=path, option=option,
                             what=what, fix="check the layout")
        return id_column, None
    if id_column != "auto":
        names = [h for h in header]
        if id_column in names:
            return names.index(id_column), None
        low = [h.lower() for h in names]
        if str(id_column).lower() in low:
            return low.index(str(id_column).lower()), None
        raise TableError(f"has no ID column {id_column!r} (columns: {_short(names)})",
                         file=path, option=option, what=what,
                         fix=f"name an existing column with {id_option or 'the ID option'}")
    keys = [_key(h) for h in header]
    hint = f" (pass {id_option} none to use it as data)" if id_option else ""
    for want in id_names:
        if want in keys:
            i = keys.index(want)
            if len(body) and _looks_numeric(body.iloc[:, i].astype(object)):
                return i, (f"the numeric column {header[i]!r} is taken as the row ID, not as "
                           f"data, because its name says so{hint}")
            return i, None
    if header and header[0] == "":
        return 0, "the unnamed first column is taken as the row ID"
    if not header or len(body) == 0:
        return None, None
    first = body.iloc[:, 0]
    if not _looks_numeric(first.astype(object)):
        return 0, None
    if _ID_WORD.search(header[0]):
        return 0, (f"the numeric first column {header[0]!r} is taken as the row ID, not as "
                   f"data, because its name says so{hint}")
    return None, None


def _short(items: Iterable[object], k: int = 8) -> str:
    items = [str(i) for i in items]
    more = f", … (+{len(items) - k})" if len(items) > k else ""
    return ", ".join(repr(i) for i in items[:k]) + more


# --------------------------------------------------------------------------- main entry


def read_table(path: str | os.PathLike, *, what: str = "table", option: str | None = None,
               id_column: IdSpec = "auto", id_option: str | None = None,
               id_names: Sequence[str] = ID_NAMES, required: Sequence[str] = (),
               numeric: Sequence[str] | Literal["rest", "none"] = "rest",
               string_columns: Sequence[str] = (), min_rows: int = 1, min_columns: int = 1,
               all_na: Literal["error", "drop", "keep"] = "error",
               duplicates: Duplicates = "error", strings: bool = False,
               expect: str | None = None) -> Table:
    """Read a user's CSV/TSV/parquet table under the rules of the module docstring.

    Parameters
    ----------
    path : path-like
        The table.
    what : str
        What the table is, for messages (``"ratings table"``).
    option : str, optional
        The command-line option that gave the file (``"--ratings"``), for messages.
    id_column : str, None or "auto"
        Name of the ID column; ``None`` (or ``"none"``) for no ID column; ``"auto"`` to find it
        (see the module docstring).
    id_option : str, optional
        The option that sets ``id_column`` (``"--id-column"``), named in messages and notes.
    id_names : sequence of str
        Lower-case names (punctuation removed) that mark an ID column for ``"auto"``.
    required : sequence of str
        Columns that must be present (a missing one is refused, listing the columns found).
    numeric : sequence of str, "rest" or "none"
        Columns to coerce to float: the named ones, every non-ID column not in
        ``string_columns`` (``"rest"``), or none.
    string_columns : sequence of str
        Columns kept as text (besides the ID column).
    min_rows, min_columns : int
        Fewest data rows and data columns (besides the ID) accepted.
    all_na : "error", "drop" or "keep"
        What to do with a numeric column without a single value.
    duplicates : "error", "first" or "mean"
        Rows repeating an ID: refused, naming them (``"error"``); or collapsed, each collapse
        noted: identical repeats kept once, differing ones by their first row (``"first"``)
        or the mean of their numeric columns (``"mean"``).
    strings : bool
        Keep every cell as text (missing values become ``<NA>``; no numeric coercion).
    expect : str, optional
        A description of the expected layout, added to the fix of layout errors.

    Returns
    -------
    Table
        The data, the missing values found, the line of each row and the reader's notes.

    Raises
    ------
    TableError
        Naming the file, option, column, line or ID, and the fix.
    """
    p = Path(path)
    layout = f" ({expect})" if expect else ""
    str_cols_names = set(string_columns)

    def text_columns(header: list[str]) -> set[int] | bool:
        if strings:
            return True
        keys = [_key(h) for h in header]
        want = {_key(c) for c in string_columns} | set(id_names)
        if isinstance(id_column, str) and id_column not in ("auto", "none"):
            want.add(_key(id_column))
        pos = {id_column} if isinstance(id_column, int) and not isinstance(id_column, bool) \
            else set()
        return {0} | pos | {i for i, k in enumerate(keys) if k in want}

    header, body, sep, first_line, notes = _raw_frame(p, what, option, text_columns)
    tab = Table(pd.DataFrame(), p, what, option, delimiter=sep, notes=notes)
    if not header or all(h == "" for h in header):
        raise tab.error("has no header row", fix="the first line must name the columns" + layout)
    decimals = [h for h in header if re.fullmatch(r"[-+]?\d*\.\d+([eE][-+]?\d+)?", h)]
    if decimals:
        raise tab.error(f"has no header row: its first line holds data ({decimals[0]!r})",
                        fix="add a header row naming the columns" + layout)
    blank = [i + 1 for i, h in enumerate(header) if h == "" and i > 0]
    if blank:
        raise tab.error(f"column(s) {blank} of the header have no name",
                        fix="name every column" + layout)
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        pos = {h: [i + 1 for i, x in enumerate(header) if x == h] for h in dup}
        desc = "; ".join(f"{h!r} (columns {', '.join(map(str, v))})" for h, v in pos.items())
        raise tab.error(f"duplicated column name(s): {desc}",
                        fix="give every column a unique name (a gene, feature or rater listed "
                            "twice would be counted twice, or renamed to 'NAME.1' by pandas)")
    missing = [c for c in required if c not in header]
    if missing:
        found = [h for h in header]
        raise tab.error(f"column(s) {_short(missing)} missing; found {_short(found)}",
                        column=missing[0], fix=f"use the expected header{layout}")
    if len(body) == 0:
        raise tab.error("has a header but no data rows", fix="add the data rows" + layout)
    idx, note = _choose_id(header, body, id_column, what, option, p, id_option, id_names)
    if note:
        tab.notes.append(note)
    tab.id_column = header[idx] if idx is not None else None
    cols = [i for i in range(len(header)) if i != idx]
    frame = body[cols].copy()
    frame.columns = [header[i] for i in cols]
    lines = pd.Series(body.index.to_numpy(), index=body.index)
    # --- IDs
    if idx is not None:
        ids = body[idx].map(lambda v: None if is_na(v) else str(v).strip())
        empty = ids.isna()
        if empty.any():
            ln = int(ids.index[empty][0])
            raise tab.error(f"row without an ID in column {tab.id_column!r} "
                            f"({int(empty.sum())} such row(s))", line=ln,
                            column=tab.id_column, fix="give every row its ID or remove it")
        index = pd.Index(ids.to_numpy(dtype=object), name=tab.id_column or "id")
    else:
        index = pd.RangeIndex(1, len(body) + 1, name="row")
        if len(body) and header and _ID_WORD.search(header[0]) is None:
            first = pd.to_numeric(body[cols[0]], errors="coerce") if cols else None
            if first is not None and first.notna().all() and \
                    np.array_equal(first.to_numpy(), np.arange(1, len(first) + 1)):
                tab.notes.append(f"the first column {header[0]!r} holds 1…{len(first)} like "
                                 "row numbers but is used as data" +
                                 (f"; if it is the ID pass {id_option} {header[0]!r}"
                                  if id_option else ""))
    frame.index = index
    lines.index = index
    tab.lines = lines
    if frame.shape[1] < min_columns:
        raise tab.error(f"has {frame.shape[1]} data column(s) besides the ID; at least "
                        f"{min_columns} needed", fix="check the delimiter and the layout" + layout)
    # --- values
    if strings:
        na: dict[str, dict[str, int]] = {}
        out = {}
        for c in frame.columns:
            vals, counts = _text_column(frame[c].to_numpy(dtype=object))
            if counts:
                na[str(c)] = counts
            out[c] = pd.Series(vals, index=frame.index, dtype=object)
        tab.frame = pd.DataFrame(out, index=frame.index)
        tab.na = na
    else:
        num_cols = (list(frame.columns) if numeric == "rest" else
                    [] if numeric == "none" else [c for c in numeric if c in frame.columns])
        num_cols = [c for c in num_cols if c not in str_cols_names]
        tab.frame, tab.na = _coerce(frame, num_cols, tab, sep)
        empty_cols = [c for c in num_cols if tab.frame[c].isna().all()]
        if empty_cols:
            if all_na == "error":
                spell = tab.na.get(str(empty_cols[0]), {})
                how = ", ".join(f"{s or 'empty'} ×{k}" for s, k in spell.items())
                raise tab.error(f"column(s) {_short(empty_cols)} hold no value at all "
                                f"({how})", column=str(empty_cols[0]),
                                fix="fill the column or remove it")
            if all_na == "drop":
                tab.frame = tab.frame.drop(columns=empty_cols)
                tab.notes.append(f"column(s) {_short(empty_cols)} hold no value and are "
                                 "left out")
    if len(tab.frame) < min_rows:
        raise tab.error(f"has {len(tab.frame)} data row(s); at least {min_rows} needed",
                        fix="give more rows" + layout)
    if idx is not None:
        _resolve_duplicates(tab, duplicates)
    return tab


def _text_column(vals: np.ndarray) -> tuple[np.ndarray, dict[str, int]]:
    """Stripped text with missing values as None, and the count of each missing spelling."""
    out = np.empty(len(vals), dtype=object)
    counts: dict[str, int] = {}
    for i, v in enumerate(vals):
        if is_na(v):
            key = v.strip() if isinstance(v, str) else ""
            counts[key] = counts.get(key, 0) + 1
            out[i] = None
        else:
            out[i] = v.strip() if isinstance(v, str) else v
    return out, counts


def _coerce(frame: pd.DataFrame, num_cols: list[str], tab: Table, sep: str | None
            ) -> tuple[pd.DataFrame, dict[str, dict[str, int]]]:
    na: dict[str, dict[str, int]] = {}
    out = frame.copy()
    for c in frame.columns:
        s = frame[c]
        if c not in num_cols:
            if not pd.api.types.is_numeric_dtype(s):
                vals, counts = _text_column(s.to_numpy(dtype=object))
                if counts:
                    na[str(c)] = counts
                out[c] = pd.Series(vals, index=s.index, dtype=object)
            continue
        if pd.api.types.is_bool_dtype(s):
            out[c] = s.astype(float)
            continue
        if pd.api.types.is_numeric_dtype(s):
            v = s.astype(float)
            n_na = int(v.isna().sum())
            if n_na:
                na[str(c)] = {"": n_na}
        else:
            obj = s.astype(object)
            v = pd.to_numeric(obj, errors="coerce")
            failed = v.isna() & obj.notna()
            if failed.any():
                cells = obj[failed].astype(str).str.strip()
                lower = cells.str.lower()
                is_missing = lower.isin(_NA_KEYS)
                bad = cells[~is_missing]
                if len(bad) and sep == ";":  # decimal commas (European CSV)
                    fixed = pd.to_numeric(bad.str.replace(",", ".", regex=False),
                                          errors="coerce")
                    if fixed.notna().all():
                        v.loc[fixed.index] = fixed
                        tab.notes.append(f"column {c!r}: decimal commas read as decimal points")
                        bad = bad.iloc[:0]
                if len(bad):
                    row = bad.index[0]
                    rid = "" if isinstance(frame.index, pd.RangeIndex) else f" (ID {row!r})"
                    comma = bad.str.fullmatch(r"[-+]?\d*,\d+").all()
                    raise tab.error(f"non-numeric value {bad.iloc[0]!r}{rid}: neither a number "
                                    f"nor a missing-value spelling ({len(bad)} such cell(s) "
                                    "in this column)",
                                    column=str(c), line=tab.line_of(row),
                                    fix=("the values have decimal commas: write decimal points "
                                         f"({bad.iloc[0].replace(',', '.')}), or save the table "
                                         "with ';' as the separator (then decimal commas are "
                                         "read)") if comma else
                                        "write numbers, or a missing-value spelling such as NA "
                                        "or an empty cell")
                cnt = cells[is_missing].value_counts()
                na[str(c)] = {str(k): int(n) for k, n in cnt.items()}
            empty = obj.isna() & ~failed
            if empty.any():
                na.setdefault(str(c), {})
                na[str(c)][""] = na[str(c)].get("", 0) + int(empty.sum())
            v = v.astype(float)
        inf = np.isinf(v.to_numpy())
        if inf.any():
            row = v.index[inf][0]
            raise tab.error(f"infinite value {v.loc[row]!r}"
                            + ("" if isinstance(frame.index, pd.RangeIndex) else
                               f" (ID {row!r})"),
                            column=str(c), line=tab.line_of(row),
                            fix="replace it by a finite number or a missing value")
        out[c] = v
    return out, na


def _resolve_duplicates(tab: Table, rule: Duplicates) -> None:
    f = tab.frame
    dup = f.index.duplicated(keep=False)
    if not dup.any():
        return
    ids = pd.unique(f.index[dup])
    identical, differing = [], []
    for i in ids:
        block = f.loc[[i]]
        same = all(block.iloc[k].equals(block.iloc[0]) for k in range(1, len(block)))
        (identical if same else differing).append(i)
    if rule == "error":
        i = (differing + identical)[0]
        lines = tab.lines.loc[[i]].tolist() if tab.lines is not None else []
        raise tab.error(f"ID {i!r} appears in more than one row ("
                        + (f"lines {', '.join(map(str, lines))}, " if lines else "")
                        + ("different values" if i in differing else "identical values")
                        + f"); {len(ids)} ID(s) appear more than once: {_short(ids, 5)}",
                        column=tab.id_column,
                        fix="keep one row per ID (e.g. the primary tumour sample)")
    keep_first = ~f.index.duplicated(keep="first")
    if differing and rule == "mean":
        num = f.select_dtypes("number")
        mean = num.groupby(level=0, sort=False).mean()
        first = f.loc[keep_first].copy()
        first.loc[mean.index, mean.columns] = mean
        tab.frame = first
        tab.notes.append(f"{len(differing)} ID(s) repeated with different values were "
                         f"averaged: {_short(differing, 5)}")
    else:
        tab.frame = f.loc[keep_first]
        if differing:
            tab.notes.append(f"{len(differing)} ID(s) repeated with different values: the "
                             f"first row of each kept: {_short(differing, 5)}")
    if tab.lines is not None:
        tab.lines = tab.lines.loc[~tab.lines.index.duplicated(keep="first")]
    if identical:
        tab.notes.append(f"{len(identical)} ID(s) repeated with identical values were kept "
                         f"once: {_short(identical, 5)}")


# --------------------------------------------------------------------------- numeric policy


def check_header(path: str | os.PathLike, sep: str = "\t", skip_comments: bool = True,
                 what: str = "table", option: str | None = None) -> list[str]:
    """The header of a delimited text file, refusing duplicated or blank column names.

    Parameters
    ----------
    path : str or PathLike
        The file.
    sep : str, default a tab character
        Delimiter.
    skip_comments : bool, default True
        Skip leading ``#`` lines.
    what : str, default "table"
        What the file is, for messages.
    option : str or None, default None
        The command-line option that gave the file, for messages.

    Returns
    -------
    list of str
        Column names.

    Raises
    ------
    TableError
        Missing or empty file, no header, duplicated names, a damaged gzip file.
    """
    p = Path(path)
    if not p.exists():
        raise TableError("does not exist", file=p, what=what, option=option,
                         fix="check the path")
    if p.stat().st_size == 0:
        raise TableError("is empty (0 bytes)", file=p, what=what, option=option,
                         fix="give the table with a header row and data rows")
    try:
        head, _, _ = _read_text_head(p, n=5)
    except GZIP_ERRORS as exc:
        raise TableError(gzip_problem(exc), file=p, what=what, option=option,
                         fix=GZIP_FIX) from exc
    content = [ln for ln in head if ln.strip()]
    if not content:
        raise TableError("holds no header", file=p, what=what, option=option,
                         fix="give the table with a header row")
    header = [h.strip() for h in next(csv.reader([content[0]], delimiter=sep))]
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        raise TableError(f"duplicated column name(s) {_short(dup)}", file=p, what=what,
                         option=option, fix="give every column a unique name")
    return header


def missing_cells(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """The (row, column) of every missing value of a numeric frame, in row order.

    Parameters
    ----------
    frame : DataFrame
        Numeric table.

    Returns
    -------
    list of (str, str)
        Row and column labels.
    """
    arr = frame.to_numpy(dtype=float)
    r, c = np.nonzero(~np.isfinite(arr))
    return [(str(frame.index[i]), str(frame.columns[j])) for i, j in zip(r, c)]


def describe_missing(frame: pd.DataFrame, row_word: str = "sample", col_word: str = "gene",
                     k: int = 5) -> str:
    """Describe the missing values of a table in one line, naming rows and columns.

    Parameters
    ----------
    frame : DataFrame
        Numeric table.
    row_word : str, default "sample"
        What a row is.
    col_word : str, default "gene"
        What a column is.
    k : int, default 5
        Cells named before "…".

    Returns
    -------
    str
        ``"3 missing value(s): gene G1 in sample S2, …; gene G9 has no value at all"``.
    """
    arr = frame.to_numpy(dtype=float)
    miss = ~np.isfinite(arr)
    n = int(miss.sum())
    all_col = [str(c) for c, m in zip(frame.columns, miss.all(axis=0)) if m and len(frame)]
    cells = [(r, c) for r, c in missing_cells(frame) if c not in set(all_col)]
    parts = []
    if cells:
        shown = ", ".join(f"{col_word} {c} in {row_word} {r}" for r, c in cells[:k])
        parts.append(shown + (f", … (+{len(cells) - k})" if len(cells) > k else ""))
    if all_col:
        parts.append(f"{col_word}(s) with no value at all: {_short(all_col, k)}")
    return f"{n} missing value(s): " + "; ".join(parts)
