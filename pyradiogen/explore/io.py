"""Reading feature tables for the explore stage."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .. import store


def harmonise_patients(ids: pd.Series | pd.Index, where: str) -> list[str]:
    """12-character TCGA patient barcodes (other identifiers are kept as they are)."""
    try:
        from ..cohort.ids import is_barcode, patient_barcode
    except ImportError:  # pragma: no cover - cohort module not present
        return [str(v) for v in ids]
    return [patient_barcode(v, where) if is_barcode(v) else str(v) for v in ids]


def select_reader(df: pd.DataFrame, reader: str | None = None, where: str = "table"
                  ) -> pd.DataFrame:
    """Keep one reader's rows of a CRF table (``patient_id, reader, image_id, …``).

    ``reader=None`` keeps the first reader in sorted order; the ``reader`` column is dropped.
    """
    if "reader" not in df.columns:
        return df
    readers = sorted(df["reader"].astype(str).unique())
    chosen = readers[0] if reader is None else str(reader)
    if chosen not in readers:
        raise ValueError(f"{where}: no reader {chosen!r}; readers are {readers}")
    return df[df["reader"].astype(str) == chosen].drop(columns="reader")


def read_feature_table(path: str | os.PathLike, reader: str | None = None) -> pd.DataFrame:
    """A feature table: ``image_id``, ``patient_id``, then numeric feature columns.

    A table without ``image_id`` is taken as one row per patient (``image_id`` = patient). A CRF
    table with a ``reader`` column keeps one reader (``reader``, default the first).
    """
    p = Path(path)
    df = select_reader(store.read_frame(p), reader, str(p))
    if "patient_id" not in df.columns:
        raise ValueError(f"{p}: no 'patient_id' column; a feature table has image_id, "
                         "patient_id, then one column per feature")
    if "image_id" not in df.columns:
        df.insert(0, "image_id", df["patient_id"].astype(str))
    df["patient_id"] = harmonise_patients(df["patient_id"], str(p))
    feats = [c for c in df.columns if c not in ("image_id", "patient_id")]
    if not feats:
        raise ValueError(f"{p}: no feature columns after image_id and patient_id")
    bad = [c for c in feats if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise ValueError(f"{p}: non-numeric feature columns {bad[:5]}; remove them")
    if df["image_id"].duplicated().any():
        dup = df.loc[df["image_id"].duplicated(), "image_id"].iloc[0]
        raise ValueError(f"{p}: image_id {dup!r} appears more than once")
    return df[["image_id", "patient_id", *feats]]
