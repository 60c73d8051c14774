"""Immune-cell table input (TIMER estimates) and the upper-quartile binarisation helper.

The TIMER table holds one row per patient and six cell types. Accepted column names: the
project's ``B_cell, CD4_T, CD8_T, Neutrophil, Macrophage, Dendritic`` or TIMER's own
(``B_cell, T_cell.CD4, T_cell.CD8, Neutrophil, Macrophage, DC``, any case, ``.``/``_``/space).

Binarisation (:func:`binarize_upper_quartile`): per column, the threshold is R's
``quantile(x, 0.75, type = 7, na.rm = TRUE)`` (linear interpolation, NumPy's default); with
``rule="gt"`` (default) a value is 1 when ``x > threshold`` and 0 otherwise, so values tied
at the threshold are 0 and at most a quarter of the non-missing values are 1; ``rule="ge"``
uses ``x >= threshold``. Missing values stay missing (``Int64`` NA).
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

CELL_TYPES = ("B_cell", "CD4_T", "CD8_T", "Neutrophil", "Macrophage", "Dendritic")
_ALIASES = {
    "bcell": "B_cell", "b": "B_cell",
    "cd4t": "CD4_T", "tcellcd4": "CD4_T", "cd4tcell": "CD4_T", "cd4": "CD4_T",
    "cd8t": "CD8_T", "tcellcd8": "CD8_T", "cd8tcell": "CD8_T", "cd8": "CD8_T",
    "neutrophil": "Neutrophil", "neutrophils": "Neutrophil",
    "macrophage": "Macrophage", "macrophages": "Macrophage",
    "dendritic": "Dendritic", "dc": "Dendritic", "dendriticcell": "Dendritic",
    "dendriticcells": "Dendritic", "myeloiddendriticcell": "Dendritic",
}
_ID_COLS = ("patient_id", "patient", "sample", "barcode", "cancer_barcode", "id")


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def patient_barcode(sample_id: object) -> str:
    """The 12-character TCGA patient barcode of a TCGA ID; other IDs are kept (stripped)."""
    text = str(sample_id).strip()
    try:
        from ..cohort.ids import is_barcode
        from ..cohort.ids import patient_barcode as cohort_barcode
    except ImportError:  # cohort package not available: same rule, locally
        m = re.match(r"^TCGA[-.]([A-Z0-9]{2})[-.]([A-Z0-9]{4})", text.upper())
        return f"TCGA-{m.group(1)}-{m.group(2)}" if m else text
    return cohort_barcode(text) if is_barcode(text) else text


def validate_timer(df: pd.DataFrame, source: str = "TIMER table") -> pd.DataFrame:
    """Patients × the six cell types (float), index ``patient_id``; errors name what is wrong."""
    rename = {}
    for c in df.columns:
        k = _key(c)
        if c in CELL_TYPES:
            rename[c] = c
        elif k in _ALIASES:
            rename[c] = _ALIASES[k]
    missing = [ct for ct in CELL_TYPES if ct not in rename.values()]
    if missing:
        raise ValueError(f"{source}: missing cell type column(s) {missing}; need {list(CELL_TYPES)} "
                         f"(columns found: {list(df.columns)})")
    out = df.rename(columns=rename)
    if out.columns.duplicated().any():
        raise ValueError(f"{source}: two columns map to the same cell type "
                         f"{out.columns[out.columns.duplicated()].tolist()}")
    out = out.loc[:, list(CELL_TYPES)]
    for ct in CELL_TYPES:
        conv = pd.to_numeric(out[ct], errors="coerce")
        bad = out.index[conv.isna() & out[ct].notna()]
        if len(bad):
            raise ValueError(f"{source}: non-numeric {ct} for patient(s) {list(bad[:5])}")
        out[ct] = conv.astype(float)
    out.index = pd.Index([patient_barcode(i) for i in out.index], name="patient_id")
    if out.index.duplicated().any():
        raise ValueError(f"{source}: patient(s) listed twice: "
                         f"{out.index[out.index.duplicated()].unique()[:5].tolist()}")
    neg = out.columns[(out < 0).any(axis=0)].tolist()
    if neg:
        warnings.warn(f"{source}: negative estimates in {neg}; TIMER abundances are >= 0",
                      UserWarning, stacklevel=2)
    return out


def read_timer(path: str | os.PathLike) -> pd.DataFrame:
    """Read a TIMER CSV/TSV (an ID column, then the six cell types) and validate it.

    The same reader as the cohort's ``timer`` part (:func:`pyradiogen.cohort.tables.read_timer`):
    missing-value spellings are NaN, duplicated columns or patients are refused.
    """
    from ..cohort.tables import read_timer as _read

    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: TIMER table not found")
    return validate_timer(_read(p), str(p))


def upper_quartile_threshold(x: pd.Series | np.ndarray) -> float:
    """R's ``quantile(x, 0.75, type = 7, na.rm = TRUE)``."""
    v = np.asarray(pd.to_numeric(pd.Series(x), errors="coerce"), dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return float("nan")
    return float(np.quantile(v, 0.75, method="linear"))


def binarize_upper_quartile(df: pd.DataFrame, rule: Literal["gt", "ge"] = "gt") -> pd.DataFrame:
    """Per column: 1 for the top quarter (``x > Q3``, or ``x >= Q3`` with ``rule="ge"``),
    else 0; NA stays NA. Returns ``Int64`` columns."""
    if rule not in ("gt", "ge"):
        raise ValueError(f"unknown rule {rule!r}; use 'gt' (x > Q3) or 'ge' (x >= Q3)")
    out = {}
    for c in df.columns:
        x = pd.to_numeric(df[c], errors="coerce").astype(float)
        thr = upper_quartile_threshold(x)
        hit = x > thr if rule == "gt" else x >= thr
        col = pd.array(hit.astype(int).to_numpy(), dtype="Int64")
        col[x.isna().to_numpy()] = pd.NA
        out[c] = col
    return pd.DataFrame(out, index=df.index)


def immune_classes(cohort, cfg=None) -> pd.DataFrame:
    """The cohort's TIMER table binarised at the upper quartile (``cfg.binarize_rule``)."""
    from .config import GenomicsConfig

    cfg = cfg or GenomicsConfig()
    timer = cohort.timer if cohort.timer is not None else None
    if timer is None:
        raise ValueError("the cohort has no TIMER table (timer.csv); add it to cohort.toml")
    return binarize_upper_quartile(validate_timer(timer, "cohort TIMER table"),
                                   rule=cfg.binarize_rule)
