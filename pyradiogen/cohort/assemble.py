"""Study cohorts.

Study 1 (Liu & Hu 2023): patients with a DCE exam (:mod:`pyradiogen.cohort.dce`) from an
accepted scanner (``[liu2023] manufacturer``/``field_strength``: 1.5 T GE in the paper) and
with matched RNA-seq; one post-contrast phase of the exam (``post_phase``: 0 = pre-contrast,
1 = first post-contrast, the default; ``"last"`` = each exam's last phase) and every slice of
that phase are the 2-D images; Table 1 describes the patients.
Study 2 (Kim et al. 2020): patients with ROIs of two readers and RNA-seq (any scanner).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import store
from .core import Cohort

#: study 1's published Table 1 (110 women)
PUBLISHED_TABLE1 = {
    ("Patients", "n"): "110", ("Age", "range"): "29–82", ("Age", "mean"): "53.76",
    ("Age", "SD"): "12.07", ("T (>2 cm)", "positive"): "70", ("T (>2 cm)", "negative"): "40",
    ("N", "positive"): "54", ("N", "negative"): "56", ("ER", "positive"): "86",
    ("ER", "negative"): "24", ("PR", "positive"): "77", ("PR", "negative"): "33",
    ("HER2", "positive"): "21", ("HER2", "negative"): "78", ("HER2", "NA"): "11",
}


#: study 2's published Table 1 (122 patients with RNA-seq and MRI)
PUBLISHED_TABLE1_KIM = {
    ("Patients", "n"): "122", ("PAM50", "Basal"): "17", ("PAM50", "Her2"): "8",
    ("PAM50", "LumA"): "79", ("PAM50", "LumB"): "18",
}
#: study 2's scanners
PUBLISHED_SCANNERS_KIM = {"GE 1.5 T": 91, "Siemens 1.5 T": 13, "Philips 1.5 T": 15,
                          "Philips 3 T": 3}


@dataclass
class StudyCohort:
    """An assembled study: kept ``patients``, the ``images`` (or ROIs) used, the exclusion
    ``flowchart`` (step, excluded, remaining, patients excluded) and ``table1``."""

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
        """Write ``<name>_flowchart.csv``, ``_table1.csv``, ``_images.csv`` (and ``_rois.csv``)
        atomically into ``out_dir``; return the paths."""
        out = Path(out_dir)
        paths = [store.write_frame(self.flowchart, out / f"{self.name}_flowchart.csv", index=False),
                 store.write_frame(self.table1, out / f"{self.name}_table1.csv", index=False),
                 store.write_frame(self.images, out / f"{self.name}_images.csv")]
        if len(self.rois):
            paths.append(store.write_frame(self.rois, out / f"{self.name}_rois.csv", index=False))
        return paths


def scanner_name(manufacturer: str) -> str:
    """Short vendor name: GE, Siemens, Philips, Toshiba, Hitachi, or the text as given."""
    m = str(manufacturer).upper()
    for key, name in (("GE ", "GE"), ("GENERAL ELECTRIC", "GE"), ("SIEMENS", "Siemens"),
                      ("PHILIPS", "Philips"), ("TOSHIBA", "Toshiba"), ("HITACHI", "Hitachi")):
        if m.startswith(key) or m == key.strip():
            return name
    return str(manufacturer)


def _flow(steps: list[tuple[str, set[str]]], start: pd.Index) -> tuple[pd.DataFrame, pd.Index]:
    """Apply exclusion steps ``(label, patients to keep)`` in order."""
    rows = [{"step": "patients with DICOM images", "excluded": 0, "remaining": len(start),
             "excluded_patients": ""}]
    keep = pd.Index(start)
    for label, allowed in steps:
        drop = keep.difference(pd.Index(sorted(allowed)))
        keep = keep.intersection(pd.Index(sorted(allowed)))
        rows.append({"step": label, "excluded": len(drop), "remaining": len(keep),
                     "excluded_patients": ";".join(drop)})
    return pd.DataFrame(rows), keep.sort_values()


def accepted_vendors(manufacturer: str | list[str]) -> list[str] | None:
    """Vendor short names accepted by study 1 (None = any vendor)."""
    items = [manufacturer] if isinstance(manufacturer, str) else list(manufacturer)
    if any(str(m).strip().lower() == "any" for m in items):
        return None
    return [scanner_name(m) for m in items]


def scanner_rule(manufacturer: str | list[str], field_strength: float | str) -> str:
    """Text of study 1's scanner rule, e.g. ``1.5 T GE`` or ``1.5 T GE/Siemens``."""
    vend = accepted_vendors(manufacturer)
    fs = "any field strength" if str(field_strength) == "any" else f"{float(field_strength):g} T"
    return f"{fs} {'any vendor' if vend is None else '/'.join(vend)}"


def _scanner_ok(exams: pd.DataFrame, manufacturer, field_strength) -> pd.Series:
    vend = accepted_vendors(manufacturer)
    ok = pd.Series(True, index=exams.index)
    if vend is not None:
        names = exams["manufacturer"].map(scanner_name).str.upper()
        ok &= names.isin([v.upper() for v in vend])
    if str(field_strength) != "any":
        ok &= (exams["field_strength"] - float(field_strength)).abs().lt(0.05)
    return ok


def _has_phase(exams: pd.DataFrame, post_phase) -> pd.Series:
    if post_phase == "last":
        return exams["n_phases"] >= 2
    return exams["phases"].map(lambda ph: any(d["phase"] == int(post_phase) for d in ph))


def selected_exams(c: Cohort, manufacturer: str | list[str] = "GE",
                   field_strength: float | str = 1.5, post_phase: int | str = 1
                   ) -> pd.DataFrame:
    """Per patient, the ordered DCE exam from an accepted scanner that has ``post_phase``,
    with the most phases (ties: most images, then exam ID); indexed by patient_id."""
    ex = c.exams
    if ex.empty:
        return ex.set_index("patient_id")
    ex = ex[ex["ordered"] & ex["n_phases"].ge(2)]
    ex = ex[_scanner_ok(ex, manufacturer, field_strength) & _has_phase(ex, post_phase)]
    n_img = c.images.groupby("exam_id").size()
    ex = ex.assign(n_images=ex["exam_id"].map(n_img).fillna(0).astype(int))
    ex = ex.sort_values(["patient_id", "n_phases", "n_images", "exam_id"],
                        ascending=[True, False, False, True], kind="stable")
    return ex.drop_duplicates("patient_id").set_index("patient_id")


def select_images(c: Cohort, exams: pd.DataFrame, post_phase: int | str = 1,
                  max_slices: int | None = None) -> pd.DataFrame:
    """The slices of phase ``post_phase`` (``"last"``: each exam's last phase) of each
    selected exam, with ``phase_used``. ``max_slices`` keeps only that many slices around the
    middle slice position (all when None)."""
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


def table1(clinical: pd.DataFrame, published: bool | dict = True) -> pd.DataFrame:
    """Participant characteristics as in study 1's Table 1 (characteristic, level, value).

    ``published``: add a ``published`` column (study 1's numbers when True, or the given
    ``{(characteristic, level): value}``).
    """
    rows = [("Patients", "n", str(len(clinical)))]
    age = clinical["age"].dropna()
    if len(age):
        rows += [("Age", "range", f"{age.min():.0f}–{age.max():.0f}"),
                 ("Age", "mean", f"{age.mean():.2f}"), ("Age", "SD", f"{age.std(ddof=1):.2f}")]
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
    if published is not False:
        ref = PUBLISHED_TABLE1 if published is True else published
        df["published"] = [ref.get((a, b), "") for a, b in
                           zip(df["characteristic"], df["level"])]
    return df


def study1(c: Cohort, post_phase: int | str | None = None,
           manufacturer: str | list[str] | None = None,
           field_strength: float | str | None = None, max_slices: int | None = None
           ) -> StudyCohort:
    """Study 1's cohort: exclusions with counts, the images used and Table 1.

    Defaults come from ``[liu2023]`` in cohort.toml (post_phase 1 = first post-contrast, GE,
    1.5 T, all slices). Exclusion steps, in order: no DCE exam whose phases could be ordered;
    no exam from an accepted scanner (vendor list or "any", field strength or "any"); the exam
    lacks ``post_phase``; no matched RNA-seq; no clinical data. ``extra`` holds the rule, the
    unordered exams and ``series_status`` (series UID → kept or why excluded).
    """
    cfg = c.manifest.liu2023
    post_phase = cfg["post_phase"] if post_phase is None else post_phase
    if post_phase != "last":
        post_phase = int(post_phase)
    manufacturer = cfg["manufacturer"] if manufacturer is None else manufacturer
    field_strength = cfg["field_strength"] if field_strength is None else field_strength
    if str(field_strength) != "any":
        field_strength = float(field_strength)
    ex = c.exams
    ordered = ex[ex["ordered"] & ex["n_phases"].ge(2)] if len(ex) else ex
    scan_ok = ordered[_scanner_ok(ordered, manufacturer, field_strength)] if len(ordered) \
        else ordered
    series = selected_exams(c, manufacturer, field_strength, post_phase)
    rule = scanner_rule(manufacturer, field_strength)
    steps = [("no DCE exam", set(ordered["patient_id"]))]
    if accepted_vendors(manufacturer) is not None or str(field_strength) != "any":
        steps.append((f"no {rule} DCE exam", set(scan_ok["patient_id"])))
    if post_phase != "last":
        steps.append((f"no post-contrast phase {post_phase}", set(series.index)))
    steps.append(("no matched RNA-seq", set(c.expression_patients)))
    has_clin = c.manifest.path("clinical") is not None
    if has_clin:
        steps.append(("no clinical data", set(c.clinical.index)))
    flow, keep = _flow(steps, c.patients)
    series = series.loc[keep]
    if max_slices is None and cfg.get("max_slices"):
        max_slices = int(cfg["max_slices"])
    images = select_images(c, series, post_phase, max_slices)
    tab = table1(c.clinical.loc[keep]) if has_clin else pd.DataFrame(
        columns=["characteristic", "level", "value"])
    per = images.groupby("patient_id").size()
    unordered = ex[~ex["ordered"]] if len(ex) else ex
    return StudyCohort("study1", keep, images, flow, tab, series=series,
                       extra={"post_phase": post_phase, "phase": post_phase,
                              "manufacturer": manufacturer, "field_strength": field_strength,
                              "scanner_rule": rule,
                              "unordered_exams": [
                                  {"exam_id": r.exam_id, "patient_id": r.patient_id,
                                   "reason": r.note} for r in unordered.itertuples()],
                              "series_status": series_status(c, flow, series, images),
                              "images_per_patient": {"min": int(per.min()) if len(per) else 0,
                                                     "max": int(per.max()) if len(per) else 0,
                                                     "mean": float(per.mean()) if len(per)
                                                     else np.nan}})


def series_status(c: Cohort, flow: pd.DataFrame, selected: pd.DataFrame,
                  images: pd.DataFrame) -> dict[str, str]:
    """Series UID → ``kept`` (its slices are study 1's images) or why it is not used."""
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


def study2(c: Cohort, readers: tuple[str, str] | None = None) -> StudyCohort:
    """Study 2's cohort: patients with ROIs of two readers and RNA-seq (any scanner)."""
    r = c.rois
    names = sorted(r["reader"].unique())
    readers = tuple(readers) if readers else tuple(names[:2])
    two = r[r["reader"].isin(readers)].groupby("patient_id")["reader"].nunique()
    both = set(two[two >= len(readers)].index) if len(readers) == 2 else set()
    flow, keep = _flow([(f"no ROIs of both readers ({', '.join(readers)})", both),
                        ("no matched RNA-seq", set(c.expression_patients))], c.patients)
    rois = r[r["patient_id"].isin(keep) & r["reader"].isin(readers)].reset_index(drop=True)
    im = c.images.loc[rois["image_id"].drop_duplicates()]
    first = im.groupby("patient_id").first()
    scanner = pd.Series([f"{scanner_name(m)} {f:g} T" for m, f in
                         zip(first["manufacturer"], first["field_strength"])],
                        index=first.index, dtype=object)
    scan = scanner.value_counts().rename_axis("scanner").reset_index(name="patients")
    tab = table1(c.clinical.loc[c.clinical.index.intersection(keep)],
                 published=PUBLISHED_TABLE1_KIM) \
        if c.manifest.path("clinical") is not None else pd.DataFrame()
    scan["published"] = scan["scanner"].map(PUBLISHED_SCANNERS_KIM).astype("Int64")
    return StudyCohort("study2", keep, im, flow, tab, rois=rois,
                       extra={"readers": readers, "scanners": scan})
