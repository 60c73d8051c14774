"""Study assembly helpers: exclusion flowcharts, DCE exam and image selection, Table 1.

The studies' own exclusion rules and published numbers live in ``pyradiogen.studies``
(``liu2023.assemble``, ``kim2020.assemble``); this module holds what they share: the
:class:`StudyCohort` they return, :func:`flow` (ordered exclusion steps with counts), the
scanner rule, :func:`selected_exams`/:func:`select_images` (one post-contrast phase of one
DCE exam per patient) and :func:`table1` (participant characteristics).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .. import store

if TYPE_CHECKING:  # pragma: no cover
    from .core import Cohort


@dataclass
class StudyCohort:
    """An assembled study: the patients kept, the images used, the exclusions and Table 1.

    Parameters
    ----------
    name : str
        Study ID (``liu2023``, ``kim2020``).
    patients : Index
        Patients kept.
    images : DataFrame
        Images (or ROIs) used, indexed by ``image_id``.
    flowchart : DataFrame
        Exclusion steps: ``step, excluded, remaining, excluded_patients``.
    table1 : DataFrame
        Participant characteristics (:func:`table1`).
    series : DataFrame
        Per series: kept or why not.
    rois : DataFrame
        ROIs used (kim2020).
    extra : dict
        Study-specific details for the report.
    """

    name: str
    patients: pd.Index
    images: pd.DataFrame
    flowchart: pd.DataFrame
    table1: pd.DataFrame
    series: pd.DataFrame = field(default_factory=pd.DataFrame)
    rois: pd.DataFrame = field(default_factory=pd.DataFrame)
    extra: dict = field(default_factory=dict)

    @property
    def flow(self) -> pd.DataFrame:
        """Alias of :attr:`flowchart`."""
        return self.flowchart

    def write(self, out_dir: str | os.PathLike) -> list[Path]:
        """Write the flowchart, Table 1, images (and ROIs) as CSV files, atomically.

        Parameters
        ----------
        out_dir : str or PathLike
            Output folder.

        Returns
        -------
        list of Path
            ``<name>_flowchart.csv``, ``<name>_table1.csv``, ``<name>_images.csv`` (and
            ``<name>_rois.csv``).
        """
        out = Path(out_dir)
        paths = [store.write_frame(self.flowchart, out / f"{self.name}_flowchart.csv", index=False),
                 store.write_frame(self.table1, out / f"{self.name}_table1.csv", index=False),
                 store.write_frame(self.images, out / f"{self.name}_images.csv")]
        if len(self.rois):
            paths.append(store.write_frame(self.rois, out / f"{self.name}_rois.csv", index=False))
        return paths


def scanner_name(manufacturer: str) -> str:
    """Short vendor name: GE, Siemens, Philips, Toshiba, Hitachi, or the text as given.

    Parameters
    ----------
    manufacturer : str
        DICOM ``Manufacturer``.

    Returns
    -------
    str
        Short name.
    """
    m = str(manufacturer).upper()
    for key, name in (("GE ", "GE"), ("GENERAL ELECTRIC", "GE"), ("SIEMENS", "Siemens"),
                      ("PHILIPS", "Philips"), ("TOSHIBA", "Toshiba"), ("HITACHI", "Hitachi")):
        if m.startswith(key) or m == key.strip():
            return name
    return str(manufacturer)


def flow(steps: list[tuple[str, set[str] | None]], start: pd.Index,
         start_label: str = "patients with DICOM images") -> tuple[pd.DataFrame, pd.Index]:
    """Apply exclusion steps in order and tabulate who each step excluded.

    Parameters
    ----------
    steps : list of (str, set of str or None)
        ``(label, patients to keep)``; a step whose set is None is listed as not applied
        (it excludes nobody).
    start : Index
        Patients before the first step.
    start_label : str, default "patients with DICOM images"
        Label of the first row.

    Returns
    -------
    flowchart : DataFrame
        ``step, excluded, remaining, excluded_patients``.
    kept : Index
        Patients kept, sorted.
    """
    rows = [{"step": start_label, "excluded": 0, "remaining": len(start),
             "excluded_patients": ""}]
    keep = pd.Index(start)
    for label, allowed in steps:
        if allowed is None:
            rows.append({"step": label, "excluded": 0, "remaining": len(keep),
                         "excluded_patients": ""})
            continue
        drop = keep.difference(pd.Index(sorted(allowed)))
        keep = keep.intersection(pd.Index(sorted(allowed)))
        rows.append({"step": label, "excluded": len(drop), "remaining": len(keep),
                     "excluded_patients": ";".join(drop)})
    return pd.DataFrame(rows), keep.sort_values()


def accepted_vendors(manufacturer: str | list[str]) -> list[str] | None:
    """Vendor short names accepted by study liu2023's scanner rule.

    Parameters
    ----------
    manufacturer : str or list of str
        A vendor, a list, or ``"any"``.

    Returns
    -------
    list of str or None
        Short names; None = any vendor.
    """
    items = [manufacturer] if isinstance(manufacturer, str) else list(manufacturer)
    if any(str(m).strip().lower() == "any" for m in items):
        return None
    return [scanner_name(m) for m in items]


def scanner_rule(manufacturer: str | list[str], field_strength: float | str) -> str:
    """Text of study liu2023's scanner rule, as it reads inside "no … DCE exam".

    E.g. ``1.5 T GE``, ``1.5 T GE/Siemens``, ``GE (any field strength)``, ``1.5 T (any
    vendor)`` or ``any-scanner``.

    Parameters
    ----------
    manufacturer : str or list of str
        Vendor(s) or ``"any"``.
    field_strength : float or str
        Tesla or ``"any"``.

    Returns
    -------
    str
        The rule in words.
    """
    vend = accepted_vendors(manufacturer)
    any_fs = str(field_strength) == "any"
    if vend is None and any_fs:
        return "any-scanner"
    if vend is None:
        return f"{float(field_strength):g} T (any vendor)"
    if any_fs:
        return f"{'/'.join(vend)} (any field strength)"
    return f"{float(field_strength):g} T {'/'.join(vend)}"


def scanner_ok(exams: pd.DataFrame, manufacturer, field_strength) -> pd.Series:
    """Per exam: whether its scanner passes the vendor and field-strength rule.

    Parameters
    ----------
    exams : DataFrame
        The cohort's exams with manufacturer and field strength.
    manufacturer : str or list of str
        Vendor(s) or ``"any"``.
    field_strength : float or str
        Tesla or ``"any"`` (±0.05 T).

    Returns
    -------
    Series of bool
        Indexed as ``exams``.
    """
    vend = accepted_vendors(manufacturer)
    ok = pd.Series(True, index=exams.index)
    if vend is not None:
        names = exams["manufacturer"].map(scanner_name).str.upper()
        ok &= names.isin([v.upper() for v in vend])
    if str(field_strength) != "any":
        ok &= (exams["field_strength"] - float(field_strength)).abs().lt(0.05)
    return ok


def has_phase(exams: pd.DataFrame, post_phase) -> pd.Series:
    """Per exam: whether it holds a post-contrast phase.

    Parameters
    ----------
    exams : DataFrame
        The cohort's exams (``n_phases``, ``phases``).
    post_phase : int or "last"
        Phase counted from the pre-contrast 0; ``"last"`` needs at least two phases.

    Returns
    -------
    Series of bool
        Indexed as ``exams``.
    """
    if post_phase == "last":
        return exams["n_phases"] >= 2
    return exams["phases"].map(lambda ph: any(d["phase"] == int(post_phase) for d in ph))


def selected_exams(c: Cohort, manufacturer: str | list[str] = "GE",
                   field_strength: float | str = 1.5, post_phase: int | str = 1
                   ) -> pd.DataFrame:
    """Per patient, the DCE exam study liu2023 uses.

    The ordered DCE exam from an accepted scanner that has ``post_phase``, with the most
    phases (ties: most images, then exam ID).

    Parameters
    ----------
    c : Cohort
        A loaded cohort.
    manufacturer : str or list of str, default "GE"
        Accepted vendor(s).
    field_strength : float or str, default 1.5
        Tesla or ``"any"``.
    post_phase : int or "last", default 1
        The phase needed.

    Returns
    -------
    DataFrame
        One exam per patient, indexed by ``patient_id``.
    """
    ex = c.exams
    if ex.empty:
        return ex.set_index("patient_id")
    ex = ex[ex["ordered"] & ex["n_phases"].ge(2)]
    ex = ex[scanner_ok(ex, manufacturer, field_strength) & has_phase(ex, post_phase)]
    n_img = c.images.groupby("exam_id").size()
    ex = ex.assign(n_images=ex["exam_id"].map(n_img).fillna(0).astype(int))
    ex = ex.sort_values(["patient_id", "n_phases", "n_images", "exam_id"],
                        ascending=[True, False, False, True], kind="stable")
    return ex.drop_duplicates("patient_id").set_index("patient_id")


def select_images(c: Cohort, exams: pd.DataFrame, post_phase: int | str = 1,
                  max_slices: int | None = None) -> pd.DataFrame:
    """The slices of one phase of each selected exam.

    Parameters
    ----------
    c : Cohort
        A loaded cohort.
    exams : DataFrame
        :func:`selected_exams`.
    post_phase : int or "last", default 1
        Phase (``"last"``: each exam's last).
    max_slices : int or None, default None
        Slices kept around the middle slice position (all when None).

    Returns
    -------
    DataFrame
        Rows of ``c.images`` with ``phase_used``.
    """
    im = c.images[c.images["exam_id"].isin(exams["exam_id"])]
    out = []
    for _eid, g in im.groupby("exam_id", sort=False):
        use = int(g["phase"].max()) if post_phase == "last" else int(post_phase)
        sel = g[g["phase"] == use].sort_values(["slice_position", "slice_location"],
                                               kind="stable")
        if max_slices is not None and len(sel) > max_slices:
            start = (len(sel) - max_slices) // 2
            sel = sel.iloc[start:start + max_slices]
        out.append(sel.assign(phase_used=use))
    if not out:
        return im.iloc[:0].assign(phase_used=pd.Series(dtype=int))
    return pd.concat(out).sort_index()


def table1(clinical: pd.DataFrame,
           published: Mapping[tuple[str, str], str] | None = None) -> pd.DataFrame:
    """Participant characteristics as in study liu2023's Table 1.

    Parameters
    ----------
    clinical : DataFrame
        Harmonised clinical table of the kept patients.
    published : mapping or None, default None
        ``{(characteristic, level): value}`` (e.g.
        ``pyradiogen.studies.liu2023.PUBLISHED_TABLE1``) adds a ``published`` column.

    Returns
    -------
    DataFrame
        ``characteristic, level, value`` (count and percent, or median and range).
    """
    rows = [("Patients", "n", str(len(clinical)))]
    age = clinical["age"].dropna()
    if len(age):
        rows += [("Age", "range", f"{age.min():.0f}–{age.max():.0f}"),
                 ("Age", "mean", f"{age.mean():.2f}"),
                 # the SD of one age is undefined: said, not printed as 'nan'
                 ("Age", "SD", f"{age.std(ddof=1):.2f}" if len(age) > 1
                  else "not defined (1 patient with an age)")]
    for col, label in (("T", "T (>2 cm)"), ("N", "N"), ("ER", "ER"), ("PR", "PR"),
                       ("HER2", "HER2")):
        v = clinical[col]
        rows += [(label, "positive", str(int((v == 1).sum()))),
                 (label, "negative", str(int((v == 0).sum())))]
        n_na = int(v.isna().sum())
        if n_na or col == "HER2":
            rows.append((label, "NA", str(n_na)))
    if "pam50" in clinical and clinical["pam50"].notna().any():
        for lev, n in clinical["pam50"].value_counts(sort=False).items():
            rows.append(("PAM50", str(lev), str(int(n))))
    df = pd.DataFrame(rows, columns=["characteristic", "level", "value"])
    if published is not None:
        df["published"] = [published.get((a, b), "") for a, b in
                           zip(df["characteristic"], df["level"])]
    return df


def series_status(c: Cohort, flow: pd.DataFrame, selected: pd.DataFrame,
                  images: pd.DataFrame) -> dict[str, str]:
    """Series UID → ``kept`` (its slices are study liu2023's images) or why it is not used.

    Parameters
    ----------
    c : Cohort
        A loaded cohort.
    flow : DataFrame
        The exclusion flowchart.
    selected : DataFrame
        :func:`selected_exams`.
    images : DataFrame
        :func:`select_images`.

    Returns
    -------
    dict of str to str
        Per series UID.
    """
    why_patient = {}
    for r in flow.iloc[1:].itertuples():
        for p in str(r.excluded_patients).split(";"):
            if p:
                why_patient[p] = str(r.step)
    used = set(images["series_uid"])
    sel_exam = dict(zip(selected.index, selected["exam_id"])) if len(selected) else {}
    out = {}
    for sid, r in c.series.iterrows():
        if sid in used:
            out[sid] = "kept"
        elif r["patient_id"] in why_patient:
            out[sid] = f"patient excluded: {why_patient[r['patient_id']]}"
        elif not r["exam_id"]:
            out[sid] = "not part of a DCE exam"
        elif pd.isna(r["phase_min"]):
            out[sid] = "DCE exam not ordered"
        elif sel_exam.get(r["patient_id"]) != r["exam_id"]:
            out[sid] = "another DCE exam of the patient is used"
        else:
            out[sid] = "other phase of the selected exam"
    return out
