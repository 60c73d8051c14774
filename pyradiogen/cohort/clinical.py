"""Clinical table in the TCGA 2012 Nature Supplementary Table 1 layout → harmonised columns.

Harmonised (indexed by 12-character patient barcode): ``age`` (float), ``T`` (1 = tumour
> 2 cm, i.e. ``Tumor--T1 Coded`` is ``T_Other``), ``N`` (1 = any node positive), ``ER``, ``PR``,
``HER2`` (pandas Int64, 1 = positive, <NA> for equivocal / not available) and ``pam50``
(category LumA, LumB, Her2, Basal, Normal, as genefu names them).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .errors import CohortError
from .ids import patient_id

ID_COLUMN = "Complete TCGA ID"
REQUIRED = (ID_COLUMN, "Age at Initial Pathologic Diagnosis", "ER Status", "PR Status",
            "HER2 Final Status")
PAM50_LEVELS = ("LumA", "LumB", "Her2", "Basal", "Normal")
_STATUS = {"positive": 1, "negative": 0, "pos": 1, "neg": 0, "1": 1, "0": 0}
_STATUS_NA = {"", "equivocal", "indeterminate", "not available", "not performed",
              "performed but not available", "[not available]", "[not evaluated]", "na",
              "nan", "unknown", "[unknown]", "not reported", "<na>"}
_PAM50 = {"luminal a": "LumA", "luma": "LumA", "luminal b": "LumB", "lumb": "LumB",
          "her2-enriched": "Her2", "her2": "Her2", "her2-enriched ": "Her2",
          "basal-like": "Basal", "basal": "Basal", "normal-like": "Normal", "normal": "Normal"}


def _status(series: pd.Series, col: str, path: Path) -> pd.Series:
    out = []
    for pid, v in series.items():
        key = str(v).strip().lower() if pd.notna(v) else ""
        if key in _STATUS:
            out.append(_STATUS[key])
        elif key in _STATUS_NA:
            out.append(pd.NA)
        else:
            raise CohortError(f"column {col!r} holds {v!r}", file=path, patient=str(pid),
                              fix="use Positive, Negative, Equivocal or Not Available")
    return pd.Series(pd.array(out, dtype="Int64"), index=series.index)


def _stage(series: pd.Series, col: str, path: Path, prefix: str) -> pd.Series:
    out = []
    for pid, v in series.items():
        key = str(v).strip().upper() if pd.notna(v) else ""
        if key in ("", "TX", "NX", "[NOT AVAILABLE]", "NAN"):
            out.append(pd.NA)
        elif key.startswith(prefix) and len(key) > 1 and key[1].isdigit():
            out.append(int(key[1] != "0") if prefix == "N" else int(key[1] != "1"))
        else:
            raise CohortError(f"column {col!r} holds {v!r}", file=path, patient=str(pid),
                              fix=f"use {prefix}0–{prefix}4 style stages")
    return pd.Series(pd.array(out, dtype="Int64"), index=series.index)


def read_clinical(path: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(harmonised table, the raw table) indexed by patient barcode."""
    path = Path(path)
    sep = "," if path.suffix == ".csv" else "\t"
    try:
        raw = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CohortError(f"cannot be parsed ({exc})", file=path,
                          fix="save the clinical table as tab-separated text") from exc
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in REQUIRED if c not in raw.columns]
    if "Tumor--T1 Coded" not in raw.columns and "Tumor" not in raw.columns:
        missing.append("Tumor--T1 Coded")
    if "Node-Coded" not in raw.columns and "Node" not in raw.columns:
        missing.append("Node-Coded")
    if missing:
        raise CohortError(f"column(s) {missing} missing", file=path,
                          fix="use the TCGA 2012 Nature Supplementary Table 1 headers")
    raw.index = pd.Index([patient_id(v, str(path)) for v in raw[ID_COLUMN]],
                         name="patient_id")
    dup = raw.index.duplicated()
    if dup.any():
        raise CohortError("patient appears in more than one row", file=path,
                          patient=str(raw.index[dup][0]), fix="keep one row per patient")
    age = pd.to_numeric(raw["Age at Initial Pathologic Diagnosis"].replace("", None),
                        errors="coerce")
    bad = age.isna() & raw["Age at Initial Pathologic Diagnosis"].str.strip().ne("")
    if bad.any():
        pid = age.index[bad][0]
        raise CohortError(f"age {raw.loc[pid, 'Age at Initial Pathologic Diagnosis']!r} is not "
                          "a number", file=path, patient=str(pid), fix="write the age in years")
    out = pd.DataFrame(index=raw.index)
    out["age"] = age.astype(float)
    if "Tumor--T1 Coded" in raw.columns:
        t = raw["Tumor--T1 Coded"].str.strip().str.upper().map(
            {"T_OTHER": 1, "T1": 0, "": pd.NA})
        if t.isna().any() and (raw["Tumor--T1 Coded"].str.strip() != "")[t.isna()].any():
            pid = t.index[t.isna() & (raw["Tumor--T1 Coded"].str.strip() != "")][0]
            raise CohortError(f"'Tumor--T1 Coded' holds {raw.loc[pid, 'Tumor--T1 Coded']!r}",
                              file=path, patient=str(pid), fix="use T1 or T_Other")
        out["T"] = pd.array(t, dtype="Int64")
    else:
        out["T"] = _stage(raw["Tumor"], "Tumor", path, "T")
    if "Node-Coded" in raw.columns:
        out["N"] = _status(raw["Node-Coded"], "Node-Coded", path)
    else:
        out["N"] = _stage(raw["Node"], "Node", path, "N")
    out["ER"] = _status(raw["ER Status"], "ER Status", path)
    out["PR"] = _status(raw["PR Status"], "PR Status", path)
    out["HER2"] = _status(raw["HER2 Final Status"], "HER2 Final Status", path)
    pam = []
    col = "PAM50 mRNA"
    for pid, v in (raw[col].items() if col in raw.columns else ((p, "") for p in raw.index)):
        key = str(v).strip().lower()
        if key in _PAM50:
            pam.append(_PAM50[key])
        elif key in _STATUS_NA:
            pam.append(None)
        else:
            raise CohortError(f"'PAM50 mRNA' holds {v!r}", file=path, patient=str(pid),
                              fix="use Luminal A, Luminal B, HER2-enriched, Basal-like or "
                                  "Normal-like")
    out["pam50"] = pd.Categorical(pam, categories=list(PAM50_LEVELS))
    return out, raw
