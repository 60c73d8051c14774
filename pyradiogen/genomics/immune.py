"""Immune-cell classes (TIMER estimates) and the upper-quartile binarisation helper.

The TIMER table holds one row per patient and six cell types; files are read by
:func:`pyradiogen.cohort.tables.read_timer`. Accepted column names: the project's ``B_cell,
CD4_T, CD8_T, Neutrophil, Macrophage, Dendritic`` or TIMER's own (``B_cell, T_cell.CD4,
T_cell.CD8, Neutrophil, Macrophage, DC``, any case, ``.``/``_``/space).

Binarisation (:func:`binarize_upper_quartile`): per column, the threshold is R's
``quantile(x, 0.75, type = 7, na.rm = TRUE)`` (linear interpolation, NumPy's default); with
``rule="gt"`` (default) a value is 1 when ``x > threshold`` and 0 otherwise, so values tied
at the threshold are 0 and at most a quarter of the non-missing values are 1; ``rule="ge"``
uses ``x >= threshold``. Missing values stay missing (``Int64`` NA).
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd

from ..cohort.ids import is_barcode, patient_barcode
from ..cohort.tables import TIMER_COLUMNS as CELL_TYPES
from ..cohort.tables import timer_column_map


def validate_timer(df: pd.DataFrame, source: str = "TIMER table") -> pd.DataFrame:
    """A TIMER table given as a DataFrame, checked and laid out as the cohort reader's.

    Read files with :func:`pyradiogen.cohort.tables.read_timer`, which applies the same
    header rule (:func:`pyradiogen.cohort.tables.timer_column_map`).

    Parameters
    ----------
    df : DataFrame, shape (n_patients, n_columns)
        Indexed by patient or sample ID; one column per cell type (any accepted spelling).
    source : str
        What the table is, for messages.

    Returns
    -------
    DataFrame, shape (n_patients, 6)
        The six cell types (float) indexed by ``patient_id`` (12-character TCGA barcodes;
        other IDs kept as written).

    Raises
    ------
    ValueError
        A cell type missing or named twice, a non-numeric value, or a patient listed twice
        (each named).
    """
    rename = timer_column_map(df.columns)
    missing = [ct for ct in CELL_TYPES if ct not in rename.values()]
    if missing:
        raise ValueError(f"{source}: missing cell type column(s) {missing}; need {list(CELL_TYPES)} "
                         f"(columns found: {list(df.columns)})")
    out = df[list(rename)].rename(columns=rename)
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
    out.index = pd.Index([patient_barcode(i) if is_barcode(i) else str(i).strip()
                          for i in out.index], name="patient_id")
    if out.index.duplicated().any():
        raise ValueError(f"{source}: patient(s) listed twice: "
                         f"{out.index[out.index.duplicated()].unique()[:5].tolist()}")
    neg = out.columns[(out < 0).any(axis=0)].tolist()
    if neg:
        warnings.warn(f"{source}: negative estimates in {neg}; TIMER abundances are >= 0",
                      UserWarning, stacklevel=2)
    return out


def upper_quartile_threshold(x: pd.Series | np.ndarray) -> float:
    """The upper quartile as R's ``quantile(x, 0.75, type = 7, na.rm = TRUE)``.

    Parameters
    ----------
    x : Series or ndarray, shape (n,)
        Values; missing values are ignored.

    Returns
    -------
    float
        The 75th percentile by linear interpolation (Hyndman & Fan type 7); NaN when no
        value is present.

    References
    ----------
    .. [1] Hyndman RJ, Fan Y. Sample quantiles in statistical packages. *Am Stat* 50(4),
       361–365 (1996).
    """
    v = np.asarray(pd.to_numeric(pd.Series(x), errors="coerce"), dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return float("nan")
    return float(np.quantile(v, 0.75, method="linear"))


def binarize_upper_quartile(df: pd.DataFrame, rule: Literal["gt", "ge"] = "gt") -> pd.DataFrame:
    """Mark the top quarter of each column with 1, the rest with 0.

    Parameters
    ----------
    df : DataFrame, shape (n_patients, n_cell_types)
        Immune estimates (e.g. TIMER).
    rule : {"gt", "ge"}, default "gt"
        ``x > Q3`` or ``x >= Q3`` (Q3 by :func:`upper_quartile_threshold`).

    Returns
    -------
    DataFrame of Int64, shape (n_patients, n_cell_types)
        1/0 per value; missing stays ``<NA>``.
    """
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
    """The cohort's TIMER table binarised at the upper quartile.

    Parameters
    ----------
    cohort : Cohort
        A loaded cohort with a ``timer`` part.
    cfg : GenomicsConfig or None, default None
        ``[genomics]`` section; ``binarize_rule`` is used (``None``: paper preset).

    Returns
    -------
    DataFrame of Int64, shape (n_patients, 6)
        1 for the top quarter of each cell type (liu2023's immune GFs).

    Raises
    ------
    ValueError
        If the cohort has no TIMER table.
    """
    from .config import GenomicsConfig

    cfg = cfg or GenomicsConfig()
    timer = cohort.timer if cohort.timer is not None else None
    if timer is None:
        raise ValueError("the cohort has no TIMER table (timer.csv); add it to cohort.toml")
    return binarize_upper_quartile(validate_timer(timer, "cohort TIMER table"),
                                   rule=cfg.binarize_rule)
