"""Small tables: the 36 TCGA Breast Phenotype features, TIMER estimates, risk genes, GMT."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..resources import extdata
from .errors import CohortError
from .ids import is_barcode, patient_id

TIMER_COLUMNS = ("B_cell", "CD4_T", "CD8_T", "Neutrophil", "Macrophage", "Dendritic")
#: accepted header spellings (lower case, no separators) -> our column
_TIMER_ALIASES = {
    "bcell": "B_cell", "b": "B_cell", "cd4tcell": "CD4_T", "cd4t": "CD4_T", "cd4": "CD4_T",
    "tcellcd4": "CD4_T", "cd8tcell": "CD8_T", "cd8t": "CD8_T", "cd8": "CD8_T",
    "tcellcd8": "CD8_T", "neutrophil": "Neutrophil", "neutrophils": "Neutrophil",
    "macrophage": "Macrophage", "macrophages": "Macrophage", "dc": "Dendritic",
    "dendritic": "Dendritic", "dendriticcell": "Dendritic", "myeloiddendriticcell": "Dendritic",
}
_ID_COLUMNS = ("patient_id", "complete tcga id", "barcode", "sample", "patient", "id",
               "case_submitter_id")


def crf36_names() -> list[str]:
    """The 36 feature names, exactly as the TCIA headers spell them."""
    return pd.read_csv(extdata("radiomics", "tcga_breast_phenotype_36_features.csv"))[
        "feature_name"].tolist()


def _read_table(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise CohortError("table not found", file=path, fix="check the path in cohort.toml")
    sep = "\t" if path.suffix in (".tsv", ".txt") else ","
    try:
        return pd.read_csv(path, sep=sep, keep_default_na=True)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CohortError(f"cannot be parsed as a {'TSV' if sep == chr(9) else 'CSV'} table "
                          f"({exc})", file=path, fix="save it as plain comma/tab-separated text"
                          ) from exc


def _id_column(df: pd.DataFrame, path: Path) -> str:
    for col in df.columns:
        if str(col).strip().lower() in _ID_COLUMNS:
            return col
    first = df.columns[0]
    if len(df) and df[first].map(is_barcode).all():
        return first
    raise CohortError(f"no patient ID column (looked for {', '.join(_ID_COLUMNS)})", file=path,
                      fix="name the TCGA barcode column `patient_id` or `Complete TCGA ID`")


def _index_patients(df: pd.DataFrame, col: str, path: Path) -> pd.DataFrame:
    ids = [patient_id(v, str(path)) for v in df[col]]
    dup = pd.Index(ids)[pd.Index(ids).duplicated()]
    if len(dup):
        raise CohortError(f"{len(dup)} patient(s) appear more than once", file=path,
                          patient=str(dup[0]),
                          fix="keep one row per patient (e.g. the primary tumour sample)")
    out = df.drop(columns=[col])
    out.index = pd.Index(ids, name="patient_id")
    return out


def _numeric(df: pd.DataFrame, path: Path, allow_na: bool = True) -> pd.DataFrame:
    out = df.apply(pd.to_numeric, errors="coerce")
    bad = out.isna() & df.notna()
    if bad.any().any():
        col = bad.any()[lambda s: s].index[0]
        row = bad[col][lambda s: s].index[0]
        raise CohortError(f"column {col!r} holds a non-numeric value {df.loc[row, col]!r}",
                          file=path, patient=str(row),
                          fix="use numbers, and leave missing values empty")
    if not allow_na and out.isna().any().any():
        col = out.isna().any()[lambda s: s].index[0]
        row = out[col][out[col].isna()].index[0]
        raise CohortError(f"column {col!r} is missing a value", file=path, patient=str(row),
                          fix="fill the value or drop the patient")
    return out.astype(float)


def read_crf36(path: str | os.PathLike) -> pd.DataFrame:
    """Patients × the 36 TCGA Breast Phenotype features (float; empty cells are NaN)."""
    path = Path(path)
    df = _read_table(path)
    idc = _id_column(df, path)
    names = crf36_names()
    missing = [n for n in names if n not in df.columns]
    if missing:
        raise CohortError(f"{len(missing)} of the 36 feature columns are missing, e.g. "
                          f"{missing[0]!r}", file=path,
                          fix="use the TCIA headers exactly (see r/inst/extdata/radiomics/"
                              "tcga_breast_phenotype_36_features.csv)")
    df = _index_patients(df[[idc, *names]], idc, path)
    return _numeric(df, path)


def read_timer(path: str | os.PathLike) -> pd.DataFrame:
    """Patients × B_cell, CD4_T, CD8_T, Neutrophil, Macrophage, Dendritic (float).

    Accepts TIMER's own headers (``B_cell, CD4_Tcell, CD8_Tcell, Neutrophil, Macrophage, DC``)
    and sample barcodes (the primary tumour sample is kept when a patient has several).
    """
    path = Path(path)
    df = _read_table(path)
    idc = _id_column(df, path)
    ren = {}
    for col in df.columns:
        key = "".join(ch for ch in str(col).lower() if ch.isalnum())
        if key in _TIMER_ALIASES:
            ren[col] = _TIMER_ALIASES[key]
    df = df.rename(columns=ren)
    missing = [c for c in TIMER_COLUMNS if c not in df.columns]
    if missing:
        raise CohortError(f"cell-type column(s) {missing} missing (found {list(df.columns)})",
                          file=path, fix=f"name the columns {', '.join(TIMER_COLUMNS)}")
    ids = df[idc].astype(str)
    stype = ids.str.extract(r"^TCGA[-.]..[-.]....[-.](\d\d)", expand=False)
    if stype.notna().any():
        df = df[stype.isna() | (stype.astype(float) < 10)]
    df = _index_patients(df[[idc, *TIMER_COLUMNS]], idc, path)
    return _numeric(df, path)


def read_risk_genes(path: str | os.PathLike) -> list[str]:
    """One gene symbol a line; blank lines and ``#`` comments are ignored."""
    path = Path(path)
    genes = []
    for ln, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if len(s.split()) != 1 or "," in s:
            raise CohortError(f"line {ln} holds {s!r}, not one gene symbol", file=path,
                              fix="write one symbol a line")
        genes.append(s)
    if len(set(genes)) != len(genes):
        dup = pd.Index(genes)[pd.Index(genes).duplicated()][0]
        raise CohortError("gene listed twice", file=path, gene=dup, fix="remove the duplicate")
    return genes


def read_gmt(path: str | os.PathLike) -> dict[str, list[str]]:
    """Gene sets from a GMT file: name -> genes (description column dropped, order kept)."""
    path = Path(path)
    if not path.exists():
        raise CohortError("gene-set file not found", file=path, fix="give an existing .gmt file")
    sets: dict[str, list[str]] = {}
    for ln, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        fields = line.rstrip("\n\r").split("\t")
        if len(fields) < 3:
            raise CohortError(f"line {ln} has {len(fields)} tab-separated field(s); a GMT line "
                              "is name, description, then genes", file=path,
                              fix="separate fields with tabs")
        name = fields[0].strip()
        if name in sets:
            raise CohortError(f"gene set {name!r} defined twice (line {ln})", file=path,
                              fix="give each set a unique name")
        genes = [g.strip() for g in fields[2:] if g.strip() and g.strip() != "NA"]
        sets[name] = list(dict.fromkeys(genes))
    if not sets:
        raise CohortError("no gene sets found", file=path, fix="check the GMT file")
    return sets


def as_float_matrix(df: pd.DataFrame) -> np.ndarray:
    """The values of a numeric table as float64 (helper for tests and callers)."""
    return df.to_numpy(dtype=float)
