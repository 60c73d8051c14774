"""Study cohorts.

Study 1 (Liu & Hu 2023): patients imaged with a 1.5 T GE DCE series and with matched RNA-seq;
one DCE phase (``phase``, default 2 = first post-contrast; the series' last phase when it
has fewer) and every slice of that phase are the 2-D images; Table 1 describes the patients.
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


def selected_series(c: Cohort, manufacturer: str = "GE", field_strength: float = 1.5
                    ) -> pd.DataFrame:
    """Per patient, the DCE series from ``manufacturer`` at ``field_strength`` with the most
    phases (ties: most images, then UID)."""
    se = c.series.reset_index()
    vendor = se["manufacturer"].map(scanner_name).str.upper()
    ok = (se["dce"] & vendor.eq(scanner_name(manufacturer).upper())
          & (se["field_strength"] - field_strength).abs().lt(0.05))
    se = se[ok].sort_values(["patient_id", "n_phases", "n_images", "series_uid"],
                            ascending=[True, False, False, True], kind="stable")
    return se.drop_duplicates("patient_id").set_index("patient_id")


def select_images(c: Cohort, series: pd.DataFrame, phase: int = 2,
                  max_slices: int | None = None) -> pd.DataFrame:
    """The slices of the chosen phase of each selected series, with ``phase_used``.

    ``phase`` is used when the series has it, else the series' last phase. ``max_slices``
    keeps only that many slices around the middle slice location (all when None).
    """
    im = c.images[c.images["series_uid"].isin(series["series_uid"])]
    out = []
    for _sid, g in im.groupby("series_uid", sort=False):
        phases = sorted(g["phase"].unique())
        use = phase if phase in phases else phases[-1]
        sel = g[g["phase"] == use].sort_values("slice_location", kind="stable")
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


def study1(c: Cohort, phase: int | None = None, manufacturer: str | None = None,
           field_strength: float | None = None, max_slices: int | None = None
           ) -> StudyCohort:
    """Study 1's cohort: exclusions with counts, the images used and Table 1.

    Defaults come from ``[study1]`` in cohort.toml (phase 2, GE, 1.5 T, all slices).
    """
    cfg = c.manifest.study1
    phase = int(cfg["phase"] if phase is None else phase)
    manufacturer = str(cfg["manufacturer"] if manufacturer is None else manufacturer)
    field_strength = float(cfg["field_strength"] if field_strength is None else field_strength)
    series = selected_series(c, manufacturer, field_strength)
    expr = set(c.expression_patients)
    steps = [(f"no {field_strength:g} T {manufacturer} DCE series", set(series.index)),
             ("no matched RNA-seq", expr)]
    has_clin = c.manifest.path("clinical") is not None
    if has_clin:
        steps.append(("no clinical data", set(c.clinical.index)))
    flow, keep = _flow(steps, c.patients)
    series = series.loc[keep]
    if max_slices is None and cfg.get("max_slices"):
        max_slices = int(cfg["max_slices"])
    images = select_images(c, series, phase, max_slices)
    tab = table1(c.clinical.loc[keep]) if has_clin else pd.DataFrame(
        columns=["characteristic", "level", "value"])
    per = images.groupby("patient_id").size()
    return StudyCohort("study1", keep, images, flow, tab, series=series,
                       extra={"phase": phase, "manufacturer": manufacturer,
                              "field_strength": field_strength,
                              "images_per_patient": {"min": int(per.min()) if len(per) else 0,
                                                     "max": int(per.max()) if len(per) else 0,
                                                     "mean": float(per.mean()) if len(per)
                                                     else np.nan}})


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
    scan = (im.groupby("patient_id").first()
            .assign(scanner=lambda d: d["manufacturer"].map(scanner_name).astype(str)
                    + " " + d["field_strength"].map("{:g} T".format).astype(str))["scanner"]
            .value_counts().rename_axis("scanner").reset_index(name="patients"))
    tab = table1(c.clinical.loc[c.clinical.index.intersection(keep)],
                 published=PUBLISHED_TABLE1_KIM) \
        if c.manifest.path("clinical") is not None else pd.DataFrame()
    scan["published"] = scan["scanner"].map(PUBLISHED_SCANNERS_KIM).astype("Int64")
    return StudyCohort("study2", keep, im, flow, tab, rois=rois,
                       extra={"readers": readers, "scanners": scan})
