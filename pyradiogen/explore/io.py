"""Reading feature tables for the explore stage."""

from __future__ import annotations

import os

import pandas as pd


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


def read_feature_table(path: str | os.PathLike, reader: str | None = None,
                       option: str | None = "--features") -> pd.DataFrame:
    """A feature table: ``image_id``, ``patient_id``, then numeric feature columns.

    The shared reader :func:`pyradiogen.cohort.tables.read_features`: a table without
    ``image_id`` is one row per patient (``image_id`` = patient); a CRF table with a ``reader``
    column keeps one reader (``reader``, default the first).
    """
    from ..cohort.tables import read_features

    return read_features(path, option=option, reader=reader, min_rows=1)
