"""Reading feature tables for the explore stage."""

from __future__ import annotations

import os

import pandas as pd


def harmonise_patients(ids: pd.Series | pd.Index, where: str) -> list[str]:
    """12-character TCGA patient barcodes (other identifiers are kept as they are).

    Parameters
    ----------
    ids : Series or Index
        Patient or sample identifiers.
    where : str
        The table, named in messages.

    Returns
    -------
    list of str
        Harmonised IDs.
    """
    try:
        from ..cohort.ids import is_barcode, patient_barcode
    except ImportError:  # pragma: no cover - cohort module not present
        return [str(v) for v in ids]
    return [patient_barcode(v, where) if is_barcode(v) else str(v) for v in ids]


def select_reader(df: pd.DataFrame, reader: str | None = None, where: str = "table"
                  ) -> pd.DataFrame:
    """Keep one reader's rows of a CRF table (``patient_id, reader, image_id, …``).

    Parameters
    ----------
    df : DataFrame
        A CRF table; returned unchanged without a ``reader`` column.
    reader : str or None, default None
        The reader kept (None: the first in sorted order).
    where : str, default "table"
        The table, named in messages.

    Returns
    -------
    DataFrame
        That reader's rows, without the ``reader`` column.

    Raises
    ------
    ValueError
        If ``reader`` is not in the table (the readers named).
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
    """Read a feature table: ``image_id``, ``patient_id``, then numeric feature columns.

    The shared reader :func:`pyradiogen.cohort.tables.read_features`: a table without
    ``image_id`` is one row per patient (``image_id`` = patient); a CRF table with a ``reader``
    column keeps one reader.

    Parameters
    ----------
    path : str or PathLike
        CSV, TSV or Parquet.
    reader : str or None, default None
        The reader kept of a CRF table (None: the first).
    option : str or None, default "--features"
        The command-line option that named the file, for messages.

    Returns
    -------
    DataFrame
        ``image_id``, ``patient_id``, features.
    """
    from ..cohort.tables import read_features

    return read_features(path, option=option, reader=reader, min_rows=1)
