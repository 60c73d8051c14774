"""DCE exam assembly: which series form one dynamic acquisition, and the order of its phases.

TCIA delivers a breast DCE-MRI acquisition in several layouts: every phase in one series
tagged with ``TemporalPositionIdentifier`` (GE VIBRANT MPh, Philips); one series per phase
(``ax dyn pre``, ``ax dyn 1st pass`` … in Duke-Breast-Cancer-MRI; ``Ph1/ax 3d dyn`` … beside a
bare ``ax 3d dyn``; Siemens ``t1_fl3d_tra_dynVIEWS_spair 1st pass``); or one series holding
every phase with no phase tag at all. :func:`assemble_exams` turns any of them into *exams*
whose phases are numbered explicitly: **0 = pre-contrast, 1 … K = post-contrast**.

Grouping
    Within one study, series are one acquisition when they share orientation
    (ImageOrientationPatient), matrix (Rows × Columns), pixel spacing and *base description*
    (the SeriesDescription with its phase markers removed), and the slice positions of one
    are among those of the other (a partial download keeps a subset). A group is a DCE exam
    when it holds at least two phases and shows dynamic evidence: a temporal tag, a phase or
    dynamic marker in a description (pre, post, pass, PhN, dyn, VIBRANT, VIEWS, THRIVE,
    multiphase …) or slice positions repeated within a series.

Phase order, first evidence that decides (the rule is recorded for every series/phase)
    1. ``TemporalPositionIdentifier``: phase = TPI − 1 (TPI 1 is the first acquisition, the
       pre-contrast; ``NumberOfTemporalPositions`` is only checked against it). Across
       per-phase series this applies when every series carries one distinct TPI.
    2. SeriesDescription markers: ``pre``/``precontrast``/``w/o`` → 0; numbered
       post-contrast phases (``1st pass``, ``2nd pass`` …, ``post 2``, ``+C 3``,
       ``first post``) → that number; numbered acquisitions (GE ``PhN/…``, ``phase N``,
       Philips ``dyn N``) → N when the exam also holds a separate pre-contrast series (marked
       ``pre`` or the bare, unmarked description), else N − 1 (``Ph1`` is the first
       acquisition, as GE numbers them). One unmarked series beside numbered phases is the
       pre-contrast. A pre-marked series beside unnumbered post-contrast ones comes first; the
       others follow in acquisition order.
    3. Acquisition, trigger or content times (the first of AcquisitionDateTime/
       AcquisitionTime, TriggerTime, ContentTime present in every unit with distinct values):
       the earliest is the pre-contrast.
    4. Within one series holding every phase (slice positions repeat): the first of
       acquisition/trigger/content time, AcquisitionNumber or InstanceNumber that splits the
       slices into as many blocks as a position repeats (no position twice in a block, blocks
       not interleaved) gives the phase blocks, in that order.

An exam whose order no rule decides is kept in the exams table with ``ordered = False`` and
its reason, and its series get role ``other``: study liu2023 then excludes the patient by name.
Description and time evidence that disagree are reported in the exam's ``note``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: columns :func:`assemble_exams` adds to the image index
EXAM_COLUMNS = ("exam_id", "phase", "phase_rule", "role")
#: the exams table's columns
EXAMS_COLUMNS = ("exam_id", "patient_id", "study_uid", "series_uids", "manufacturer",
                 "field_strength", "n_phases", "phases", "ordered", "rule", "note")
POSITION_TOL_MM = 0.05

_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
             "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10}
_NOT_LETTER_BEFORE = r"(?<![a-z])"
_NOT_LETTER_AFTER = r"(?![a-z])"
#: numbered post-contrast phases: "1st pass", "2nd phase", "post 2", "post-contrast 3", "+c 2"
_POST_N = [
    re.compile(r"(?<![0-9])(\d{1,2})\s*(?:st|nd|rd|th)(?![a-z])[\s_-]*(?:pass|phase|post|dyn)?"),
    re.compile(_NOT_LETTER_BEFORE + r"(" + "|".join(_ORDINALS) + r")[\s_-]*(?:pass|phase|post)"
               + _NOT_LETTER_AFTER),
    re.compile(_NOT_LETTER_BEFORE + r"post(?:[\s_-]*contrast)?[\s_#-]*(\d{1,2})(?![0-9])"),
    re.compile(r"\+\s*c[\s_#-]*(\d{1,2})(?![0-9])"),
]
#: numbered acquisitions whose first may be the pre-contrast: "Ph2/...", "phase 3", "dyn 4"
_ACQ_N = [
    re.compile(r"^\s*ph(?:ase)?\s*(\d{1,2})\s*/"),
    re.compile(_NOT_LETTER_BEFORE + r"(?:ph|phase)[\s_#-]*(\d{1,2})(?![0-9])"),
    re.compile(_NOT_LETTER_BEFORE + r"dyn(?:amic)?[\s_#-]+(\d{1,2})(?![0-9a-z])"),
]
_PRE = re.compile(_NOT_LETTER_BEFORE + r"(?:pre(?:[\s_-]*contrast)?|precontrast|non[\s_-]*"
                  r"contrast|w/o)" + _NOT_LETTER_AFTER)
_POST = re.compile(_NOT_LETTER_BEFORE + r"(?:post(?:[\s_-]*contrast)?|postcontrast|gad|"
                   r"gd)" + _NOT_LETTER_AFTER + r"|\+\s*c(?![a-z])|(?<![a-z])c\+")
_DYNAMIC = re.compile(r"dyn|vibrant|views|thrive|multi[\s_-]*phase|mph|dce|twist|"
                      r"(?<![a-z])pass(?![a-z])|subtract")
_STRIP = [re.compile(r"^\s*ph(?:ase)?\s*\d{1,2}\s*/"), *_POST_N, *_ACQ_N, _PRE, _POST]


@dataclass(frozen=True)
class Marker:
    """A phase marker found in a SeriesDescription.

    Parameters
    ----------
    kind : {"", "pre", "post_n", "acq_n", "post"}, default ""
        ``"pre"``, a numbered post-contrast phase, a numbered acquisition, post-contrast
        without a number, or none.
    number : int or None, default None
        The number of ``post_n``/``acq_n``.
    text : str, default ""
        The matched text.
    """

    kind: str = ""
    number: int | None = None
    text: str = ""


def description_marker(description: str) -> Marker:
    """The phase marker of one SeriesDescription (see the module docstring).

    Parameters
    ----------
    description : str
        A DICOM SeriesDescription.

    Returns
    -------
    Marker
        ``Marker()`` (kind ``""``) when there is none.
    """
    d = str(description or "").lower()
    for pat in _POST_N:
        m = pat.search(d)
        if m:
            g = m.group(1)
            return Marker("post_n", _ORDINALS.get(g) or int(g), m.group(0).strip())
    for pat in _ACQ_N:
        m = pat.search(d)
        if m:
            return Marker("acq_n", int(m.group(1)), m.group(0).strip())
    m = _PRE.search(d)
    if m:
        return Marker("pre", 0, m.group(0).strip())
    m = _POST.search(d)
    if m:
        return Marker("post", None, m.group(0).strip())
    return Marker()


def base_description(description: str) -> str:
    """The SeriesDescription without phase markers, lower case, punctuation collapsed.

    Parameters
    ----------
    description : str
        A DICOM SeriesDescription.

    Returns
    -------
    str
        What series of one exam share.
    """
    d = str(description or "").lower()
    for pat in _STRIP:
        d = pat.sub(" ", d)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", d).split())


def is_dynamic_description(description: str) -> bool:
    """Whether a description names a dynamic/phase series (markers or vendor DCE names).

    Parameters
    ----------
    description : str
        A DICOM SeriesDescription.

    Returns
    -------
    bool
        True for ``DYN``, ``VIBRANT``, ``THRIVE``, phase markers ….
    """
    d = str(description or "").lower()
    return bool(_DYNAMIC.search(d)) or description_marker(d).kind != ""


# ----------------------------------------------------------------------------- one series
@dataclass
class Blocks:
    """The temporal blocks (phases) of one series.

    Parameters
    ----------
    block : Series of int
        0-based block of each row.
    n : int
        Number of blocks.
    rule : str, default ""
        The evidence that split them.
    tpi : list of int or None, default None
        Each block's TemporalPositionIdentifier, when tagged.
    problem : str, default ""
        Why a series with repeated positions has no blocks.
    """

    block: pd.Series
    n: int
    rule: str = ""
    tpi: list[int] | None = None
    problem: str = ""


def _positions(g: pd.DataFrame) -> np.ndarray:
    pos = g["slice_position"].to_numpy(dtype=float)
    return np.round(pos / POSITION_TOL_MM) * POSITION_TOL_MM


_TIME_KEYS = (("acquisition_time", "AcquisitionTime"), ("trigger_time", "TriggerTime"),
              ("content_time", "ContentTime"), ("acquisition_number", "AcquisitionNumber"))


def _partition(g: pd.DataFrame, col: str, pos: np.ndarray, m: int) -> pd.Series | None:
    v = g[col].to_numpy(dtype=float)
    if np.isnan(v).any():
        return None
    vals = np.unique(v)
    if len(vals) != m:
        return None
    block = np.searchsorted(vals, v)
    keys = pd.Series(list(zip(block, pos)))
    if keys.duplicated().any():
        return None
    return pd.Series(block, index=g.index)


def _ranked(g: pd.DataFrame, col: str, pos: np.ndarray, m: int) -> pd.Series | None:
    v = g[col].to_numpy(dtype=float)
    if np.isnan(v).any():
        return None
    counts = pd.Series(pos).value_counts()
    if (counts != m).any():
        return None
    df = pd.DataFrame({"pos": pos, "v": v}, index=g.index)
    if df.duplicated(["pos", "v"]).any():
        return None
    block = df.groupby("pos")["v"].rank(method="first").astype(int) - 1
    lo = df.groupby(block)["v"].min().sort_index().to_numpy()
    hi = df.groupby(block)["v"].max().sort_index().to_numpy()
    if (hi[:-1] >= lo[1:]).any():     # blocks interleave: not a phase order
        return None
    return block


def series_blocks(g: pd.DataFrame) -> Blocks:
    """Split one series' rows into temporal blocks (phases) from the evidence it carries.

    Parameters
    ----------
    g : DataFrame
        The index rows of one series.

    Returns
    -------
    Blocks
        Block per row, count and rule.
    """
    pos = _positions(g)
    m = int(pd.Series(pos).value_counts().max()) if len(pos) else 1
    tpi = g["temporal_position"]
    if tpi.notna().all() and tpi.nunique() >= 2:
        vals = sorted(int(t) for t in tpi.unique())
        block = tpi.map({t: i for i, t in enumerate(vals)}).astype(int)
        if pd.Series(list(zip(block, pos))).duplicated().any():
            return Blocks(pd.Series(0, index=g.index), 1, problem=(
                "TemporalPositionIdentifier repeats a slice position within one value"))
        return Blocks(block, len(vals), "TemporalPositionIdentifier", vals)
    if m == 1:
        one = [int(tpi.iloc[0])] if tpi.notna().all() and tpi.nunique() == 1 else None
        return Blocks(pd.Series(0, index=g.index), 1, tpi=one)
    for col, name in _TIME_KEYS:
        for fn, how in ((_partition, ""), (_ranked, " (ranked within each slice position)")):
            b = fn(g, col, pos, m)
            if b is not None:
                return Blocks(b, m, f"{name} within the series{how}")
    b = _ranked(g, "instance_number", pos, m)
    if b is not None:
        return Blocks(b, m, "InstanceNumber blocks within the series")
    return Blocks(pd.Series(0, index=g.index), 1, problem=(
        f"slice positions repeat {m} times but no temporal tag, time or InstanceNumber "
        "block separates the phases"))


# ----------------------------------------------------------------------------- exams
@dataclass
class _Unit:
    series_uid: str
    block: int
    n_blocks: int
    block_rule: str
    marker: Marker
    description: str
    tpi: int | None
    times: dict[str, float] = field(default_factory=dict)


def _unit_times(rows: pd.DataFrame) -> dict[str, float]:
    out = {}
    for col, name in _TIME_KEYS[:3]:
        v = rows[col].to_numpy(dtype=float)
        if len(v) and not np.isnan(v).any():
            out[name] = float(v.min())
    return out


def _time_order(units: list[_Unit]) -> tuple[str, list[int]] | None:
    """(key, unit order) by the first time key present in every unit with distinct values."""
    for _col, name in _TIME_KEYS[:3]:
        t = [u.times.get(name) for u in units]
        if all(x is not None for x in t) and len(set(t)) == len(t):
            return name, list(np.argsort(t, kind="stable"))
    return None


def _series_order(units: list[_Unit]) -> list[str]:
    """Series UIDs in unit order (each once)."""
    out: list[str] = []
    for u in units:
        if u.series_uid not in out:
            out.append(u.series_uid)
    return out


def order_units(units: list[_Unit]) -> tuple[dict[tuple[str, int], tuple[int, str]], str, str]:
    """Number the phases of the units (series blocks) of one candidate exam.

    An empty mapping means the order could not be decided; the note then says why.

    Parameters
    ----------
    units : list of _Unit
        One per (series, block): marker, description, TPI and times.

    Returns
    -------
    phases : dict
        ``{(series_uid, block): (phase, rule)}``.
    rule : str
        The exam's ordering rule.
    note : str
        Why it could not be ordered, or what to know.
    """
    by_series: dict[str, list[_Unit]] = {}
    for u in units:
        by_series.setdefault(u.series_uid, []).append(u)
    for v in by_series.values():
        v.sort(key=lambda u: u.block)
    series = list(by_series)
    note = ""

    # 1. a single series: its own blocks (TPI, times, instance blocks)
    if len(series) == 1:
        us = by_series[series[0]]
        if us[0].block_rule == "TemporalPositionIdentifier":
            return ({(u.series_uid, u.block): (u.tpi - 1, "TemporalPositionIdentifier")
                     for u in us}, "TemporalPositionIdentifier", note)
        return ({(u.series_uid, u.block): (u.block, u.block_rule) for u in us},
                us[0].block_rule, note)

    # 1b. per-phase series each carrying one distinct TPI
    tpis = [u.tpi for u in units]
    if all(t is not None for t in tpis) and len(set(tpis)) == len(tpis) \
            and all(u.n_blocks == 1 for u in units):
        return ({(u.series_uid, u.block): (u.tpi - 1, "TemporalPositionIdentifier")
                 for u in units}, "TemporalPositionIdentifier", note)

    timing = _time_order(units)

    # 2. description markers
    marks = {s: by_series[s][0].marker for s in series}
    descs = {s: by_series[s][0].description for s in series}
    pre = [s for s in series if marks[s].kind == "pre"]
    bare = [s for s in series if marks[s].kind == ""]
    numbered = [s for s in series if marks[s].kind in ("post_n", "acq_n")]
    unnumbered = [s for s in series if marks[s].kind == "post"]
    result: dict[tuple[str, int], tuple[int, str]] = {}
    if numbered and not unnumbered and len(pre) + len(bare) <= 1:
        has_pre = bool(pre or bare)
        start = {}
        for s in numbered:
            mk = marks[s]
            start[s] = mk.number if (mk.kind == "post_n" or has_pre) else mk.number - 1
        for s in pre + bare:
            start[s] = 0
        for s in series:
            rule = (f"SeriesDescription {descs[s]!r}: " + (
                "unmarked beside numbered phases = pre-contrast" if s in bare else
                "pre-contrast" if s in pre else
                f"{marks[s].text!r} = post-contrast {start[s]}" if marks[s].kind == "post_n"
                else f"{marks[s].text!r} = acquisition {marks[s].number}"
                + (" after a separate pre-contrast" if has_pre else " (Ph1 = pre-contrast)")))
            for u in by_series[s]:
                extra = f"; block {u.block + 1} by {u.block_rule}" if u.n_blocks > 1 else ""
                result[(s, u.block)] = (start[s] + u.block, rule + extra)
        phases = [p for p, _ in result.values()]
        if len(set(phases)) == len(phases) and min(phases) >= 0:
            if timing is not None:
                key, order = timing
                by_time = [result[(units[i].series_uid, units[i].block)][0] for i in order]
                if by_time != sorted(by_time):
                    note = f"description order disagrees with {key} order"
            return result, "SeriesDescription", note
        result = {}
        note = "series descriptions give one phase number twice"

    # 2b. one pre-contrast series, the others unnumbered: pre first, the rest by time
    if len(pre) == 1 and not numbered:
        rest = [u for u in units if u.series_uid != pre[0]]
        t = _time_order(rest)
        if t is not None:
            key, order = t
            res = {(u.series_uid, u.block): (u.block, f"SeriesDescription {descs[pre[0]]!r}: "
                                             "pre-contrast") for u in by_series[pre[0]]}
            n0 = len(by_series[pre[0]])
            for k, i in enumerate(order):
                u = rest[i]
                res[(u.series_uid, u.block)] = (n0 + k, f"{key} order after the pre-contrast")
            if timing is not None and timing[1][0] != units.index(by_series[pre[0]][0]):
                note = f"the series marked pre-contrast is not the earliest by {timing[0]}"
            return res, f"SeriesDescription (pre) + {key}", note

    # 3. times across units (earliest = pre-contrast)
    if timing is not None:
        key, order = timing
        res = {(units[i].series_uid, units[i].block): (k, f"{key} order (earliest = "
                                                          "pre-contrast)")
               for k, i in enumerate(order)}
        if pre and res[(pre[0], by_series[pre[0]][0].block)][0] != 0:
            note = f"the series marked pre-contrast is not the earliest by {key}"
        return res, key, note
    why = note or ("no TemporalPositionIdentifier, no phase markers in the series "
                   "descriptions and no distinct acquisition/trigger/content times")
    return {}, "", why


def _series_key(g: pd.DataFrame) -> tuple:
    first = g.iloc[0]
    return (first["patient_id"], first["study_uid"], first["orientation"], int(first["rows"]),
            int(first["cols"]), round(float(first["pixel_spacing_row"]), 3),
            round(float(first["pixel_spacing_col"]), 3),
            base_description(first["series_description"]))


def _subset(a: np.ndarray, b: np.ndarray) -> bool:
    """Every position of ``a`` is (within tolerance) among those of ``b``."""
    b = np.sort(b)
    i = np.clip(np.searchsorted(b, a), 1, len(b) - 1) if len(b) > 1 else np.zeros(len(a), int)
    near = np.minimum(np.abs(a - b[i - 1 if len(b) > 1 else 0]), np.abs(a - b[i]))
    return bool((near <= POSITION_TOL_MM + 1e-9).all())


def _components(sids: list[str], pos: dict[str, np.ndarray]) -> list[list[str]]:
    parent = {s: s for s in sids}

    def find(s: str) -> str:
        while parent[s] != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    for i, a in enumerate(sids):
        for b in sids[i + 1:]:
            small, large = (a, b) if len(pos[a]) <= len(pos[b]) else (b, a)
            if _subset(pos[small], pos[large]):
                parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for s in sids:
        groups.setdefault(find(s), []).append(s)
    return list(groups.values())


def assemble_exams(images: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group the image index's series into DCE exams and number their phases.

    Parameters
    ----------
    images : DataFrame
        The DICOM index (one row per slice/frame) with ``patient_id, study_uid, series_uid,
        series_number, series_description, manufacturer, field_strength,
        temporal_position, acquisition_number, acquisition_time, trigger_time,
        content_time, instance_number, slice_position, orientation, rows, cols,
        pixel_spacing_row, pixel_spacing_col``.

    Returns
    -------
    images : DataFrame
        With ``exam_id`` (``<patient>_dce<k>``, ``""`` outside an exam), ``phase`` (Int64:
        0 = pre-contrast, 1 … K = post-contrast; <NA> outside an exam), ``phase_rule`` (the
        evidence that decided it) and ``role`` (``pre``, ``post`` or ``other``).
    exams : DataFrame
        One row per exam (:data:`EXAMS_COLUMNS`), the phases as a list of ``{"phase",
        "series_uid", "rule"}``. Exams that cannot be ordered have ``ordered = False`` and
        the reason in ``note``.
    """
    im = images.copy()
    im["exam_id"] = ""
    phase = pd.Series(pd.NA, index=im.index, dtype="Int64")
    rule = pd.Series("", index=im.index, dtype=object)
    role = pd.Series("other", index=im.index, dtype=object)
    exams = []
    if im.empty:
        im["phase"], im["phase_rule"], im["role"] = phase, rule, role
        return im, pd.DataFrame(columns=list(EXAMS_COLUMNS))
    by_series = {sid: g for sid, g in im.groupby("series_uid", sort=False)}
    blocks = {sid: series_blocks(g) for sid, g in by_series.items()}
    keys: dict[tuple, list[str]] = {}
    for sid, g in by_series.items():
        keys.setdefault(_series_key(g), []).append(sid)
    exam_no: dict[str, int] = {}
    for key in sorted(keys, key=lambda k: tuple(map(str, k))):
        sids = sorted(keys[key], key=lambda s: (
            float(by_series[s]["series_number"].fillna(1e9).min()), s))
        pos = {s: _positions(by_series[s]) for s in sids}
        for group in _components(sids, pos):
            units: list[_Unit] = []
            for s in group:
                g, b = by_series[s], blocks[s]
                desc = str(g["series_description"].iloc[0])
                for k in range(b.n):
                    rows = g[b.block == k]
                    units.append(_Unit(s, k, b.n, b.rule, description_marker(desc), desc,
                                       b.tpi[k] if b.tpi else None, _unit_times(rows)))
            problems = [blocks[s].problem for s in group if blocks[s].problem]
            dynamic = (any(blocks[s].n > 1 for s in group)
                       or any(by_series[s]["temporal_position"].notna().any() for s in group)
                       or any(is_dynamic_description(by_series[s]["series_description"]
                                                     .iloc[0]) for s in group)
                       or bool(problems))
            if len(units) < 2 or not dynamic:
                continue
            pid = key[0]
            exam_no[pid] = exam_no.get(pid, 0) + 1
            eid = f"{pid}_dce{exam_no[pid]}"
            if problems:
                mapping, exam_rule, note = {}, "", problems[0]
            else:
                mapping, exam_rule, note = order_units(units)
            first = by_series[group[0]].iloc[0]
            phases = []
            for s in group:
                idx = by_series[s].index
                im.loc[idx, "exam_id"] = eid
                if not mapping:
                    rule.loc[idx] = f"not ordered: {note}"
                    continue
                b = blocks[s]
                for k in range(b.n):
                    p, r = mapping[(s, k)]
                    sel = idx[(b.block == k).to_numpy()]
                    phase.loc[sel] = p
                    rule.loc[sel] = r
                    role.loc[sel] = "pre" if p == 0 else "post"
                    phases.append({"phase": int(p), "series_uid": s, "rule": r})
            phases.sort(key=lambda d: d["phase"])
            exams.append({
                "exam_id": eid, "patient_id": pid, "study_uid": key[1],
                "series_uids": list(group), "manufacturer": str(first["manufacturer"]),
                "field_strength": float(first["field_strength"]),
                "n_phases": len(phases), "phases": phases, "ordered": bool(mapping),
                "rule": exam_rule, "note": note})
    im["phase"], im["phase_rule"], im["role"] = phase, rule, role
    ex = pd.DataFrame(exams, columns=list(EXAMS_COLUMNS))
    return im, ex
