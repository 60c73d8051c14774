"""Clinical table in the TCGA 2012 Nature Supplementary Table 1 layout → harmonised columns.

Harmonised (indexed by 12-character patient barcode): ``age`` (float), ``T`` (1 = tumour
> 2 cm, i.e. ``Tumor--T1 Coded`` is ``T_Other``), ``N`` (1 = any node positive), ``ER``, ``PR``,
``HER2`` (pandas Int64, 1 = positive, <NA> missing), ``pam50`` (category LumA, LumB, Her2,
Basal, Normal, as genefu names them) and ``sex`` (``female``/``male``, from ``Gender`` when
present).

Missing values: the table is read by :func:`pyradiogen.cohort.usertable.read_table`, so every
missing-value spelling TCGA uses (``NA``, empty cells, ``Not Available``, ``Not Performed``,
``Performed but Not Available``, ``Indeterminate``, ``Equivocal``, ``[Not Available]`` …) is
a missing value, and so are the stages ``TX``/``NX``/``MX`` (not assessable). A patient with a
missing value stays in the table; which analyses leave the patient out is decided by each study
(study liu2023 keeps HER2-missing patients and counts them as their own row of Table 1, and leaves
them out of the HER2 model only). :func:`missing_report` counts the missing values of every
harmonised column by the spelling found, for ``validate``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .errors import CohortError
from .ids import patient_id
from .usertable import Table, is_na, read_table

ID_COLUMN = "Complete TCGA ID"
AGE_COLUMN = "Age at Initial Pathologic Diagnosis"
REQUIRED = (ID_COLUMN, AGE_COLUMN, "ER Status", "PR Status", "HER2 Final Status")
PAM50_LEVELS = ("LumA", "LumB", "Her2", "Basal", "Normal")
_STATUS = {"positive": 1, "negative": 0, "pos": 1, "neg": 0, "1": 1, "0": 0}
_STAGE_NA = {"TX", "NX", "MX"}
_PAM50 = {"luminal a": "LumA", "luma": "LumA", "luminal b": "LumB", "lumb": "LumB",
          "her2-enriched": "Her2", "her2": "Her2", "basal-like": "Basal", "basal": "Basal",
          "normal-like": "Normal", "normal": "Normal"}
_SEX = {"female": "female", "f": "female", "male": "male", "m": "male"}
#: harmonised column -> the columns of the table it may come from (first present wins)
SOURCES = {"age": (AGE_COLUMN,), "T": ("Tumor--T1 Coded", "Tumor"), "N": ("Node-Coded", "Node"),
           "ER": ("ER Status",), "PR": ("PR Status",), "HER2": ("HER2 Final Status",),
           "pam50": ("PAM50 mRNA",), "sex": ("Gender",)}


def _source(tab: Table, col: str) -> str | None:
    return next((c for c in SOURCES[col] if c in tab.frame.columns), None)


def _map(tab: Table, col: str, fn, fix: str) -> list:
    out = []
    for pid, v in tab.frame[col].items():
        if is_na(v):
            out.append(pd.NA)
            continue
        res = fn(str(v).strip())
        if res is _BAD:
            raise tab.error(f"{col!r} holds {v!r}", column=col, line=tab.line_of(pid),
                            patient=str(pid), fix=fix)
        out.append(res)
    return out


_BAD = object()


def _status(key: str):
    return _STATUS.get(key.lower(), _BAD)


def _t_coded(key: str):
    return {"T_OTHER": 1, "T1": 0}.get(key.upper(), _BAD)


def _stage(prefix: str):
    def fn(key: str):
        k = key.upper()
        if k in _STAGE_NA:
            return pd.NA
        if k.startswith("TIS") and prefix == "T":
            return 0
        if k.startswith(prefix) and len(k) > 1 and k[1].isdigit():
            return int(k[1] != "0") if prefix == "N" else int(k[1] not in "01")
        return _BAD
    return fn


def _pam50(key: str):
    return _PAM50.get(key.lower(), _BAD)


def _sex(key: str):
    return _SEX.get(key.lower(), _BAD)


def read_clinical_table(path: str | os.PathLike, option: str | None = None) -> Table:
    """Read the TCGA clinical table as text, indexed by the 12-character patient barcode.

    Parameters
    ----------
    path : str or PathLike
        TCGA 2012 Supplementary Table 1 layout (TSV/CSV).
    option : str or None, default None
        The command-line option that gave the file.

    Returns
    -------
    Table
        Text cells, missing values as ``None``, with the missing-value counts of every
        column.

    Raises
    ------
    TableError
        A patient in more than one row, or no barcode column.

    References
    ----------
    .. [1] The Cancer Genome Atlas Network. Comprehensive molecular portraits of human breast
       tumours. *Nature* 490, 61–70 (2012) (Supplementary Table 1).
    """
    path = Path(path)
    tab = read_table(path, what="clinical table", option=option, id_column=ID_COLUMN,
                     required=REQUIRED, strings=True,
                     expect="the TCGA 2012 Nature Supplementary Table 1 headers: "
                            f"{', '.join(REQUIRED)}, Tumor--T1 Coded, Node-Coded, PAM50 mRNA")
    for want in ("T", "N"):
        if _source(tab, want) is None:
            raise tab.error(f"column {SOURCES[want][0]!r} (or {SOURCES[want][1]!r}) missing",
                            column=SOURCES[want][0],
                            fix="use the TCGA 2012 Nature Supplementary Table 1 headers")
    ids = []
    for raw_id in tab.frame.index:
        try:
            ids.append(patient_id(raw_id, str(path)))
        except CohortError as exc:
            raise tab.error(f"{raw_id!r} is not a TCGA barcode", column=ID_COLUMN,
                            line=tab.line_of(raw_id),
                            fix="use TCGA barcodes such as TCGA-A1-A0SB, or set "
                                'id_scheme = "any" in cohort.toml for other IDs') from exc
    idx = pd.Index(ids, name="patient_id")
    if idx.duplicated().any():
        dup = idx[idx.duplicated()][0]
        lines = [tab.line_of(r) for r, p in zip(tab.frame.index, ids) if p == dup]
        raise tab.error(f"patient appears in more than one row (lines "
                        f"{', '.join(map(str, lines))})", patient=str(dup),
                        column=ID_COLUMN, fix="keep one row per patient")
    tab.lines = pd.Series(tab.lines.to_numpy(), index=idx)
    tab.frame.index = idx
    return tab


def read_clinical(path: str | os.PathLike, option: str | None = None
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read and harmonise the clinical table: age, T, N, ER, PR, HER2, PAM50.

    Missing values never reject a patient; a value that is neither a known category nor a
    missing-value spelling is refused, naming the patient, column and line.

    Parameters
    ----------
    path : str or PathLike
        TCGA 2012 Supplementary Table 1 layout.
    option : str or None, default None
        The command-line option that gave the file.

    Returns
    -------
    harmonised : DataFrame
        Indexed by ``patient_id``: ``age``, ``T``, ``N``, ``ER``, ``PR``, ``HER2`` (Int64,
        1 = positive, <NA> missing), ``pam50``, ``sex`` (category); ``attrs["missing"]``
        holds :func:`missing_report`'s records.
    raw : DataFrame
        The table as read.

    Raises
    ------
    TableError
        An unknown category (patient, column and line named).

    References
    ----------
    .. [1] The Cancer Genome Atlas Network. Comprehensive molecular portraits of human breast
       tumours. *Nature* 490, 61–70 (2012) (Supplementary Table 1).
    """
    tab = read_clinical_table(path, option)
    raw = tab.frame
    out = pd.DataFrame(index=raw.index)
    age = raw[AGE_COLUMN]
    num = pd.to_numeric(age, errors="coerce")
    bad = num.isna() & age.notna()
    if bad.any():
        pid = num.index[bad][0]
        raise tab.error(f"age {age.loc[pid]!r} is not a number", column=AGE_COLUMN,
                        line=tab.line_of(pid), patient=str(pid),
                        fix="write the age in years, or NA when it is not known")
    out["age"] = num.astype(float)
    tcol = _source(tab, "T")
    out["T"] = pd.array(_map(tab, tcol, _t_coded if tcol == "Tumor--T1 Coded" else _stage("T"),
                             "use T1 or T_Other" if tcol == "Tumor--T1 Coded"
                             else "use T0–T4 style stages (TX when not assessable)"),
                        dtype="Int64")
    ncol = _source(tab, "N")
    out["N"] = pd.array(_map(tab, ncol, _status if ncol == "Node-Coded" else _stage("N"),
                             "use Positive or Negative" if ncol == "Node-Coded"
                             else "use N0–N3 style stages (NX when not assessable)"),
                        dtype="Int64")
    for col, src in (("ER", "ER Status"), ("PR", "PR Status"), ("HER2", "HER2 Final Status")):
        out[col] = pd.array(_map(tab, src, _status, "use Positive, Negative, Equivocal, "
                                                    "Indeterminate or Not Available"),
                            dtype="Int64")
    pcol = _source(tab, "pam50")
    pam = (_map(tab, pcol, _pam50, "use Luminal A, Luminal B, HER2-enriched, Basal-like or "
                                   "Normal-like") if pcol else [pd.NA] * len(raw))
    out["pam50"] = pd.Categorical([None if v is pd.NA else v for v in pam],
                                  categories=list(PAM50_LEVELS))
    scol = _source(tab, "sex")
    sex = _map(tab, scol, _sex, "use FEMALE or MALE") if scol else [pd.NA] * len(raw)
    out["sex"] = pd.Categorical([None if v is pd.NA else v for v in sex],
                                categories=["female", "male"])
    out.attrs["missing"] = missing_report(out, tab).to_dict("records")
    out.attrs["source"] = str(tab.path)
    return out, raw


def missing_report(harmonised: pd.DataFrame, tab: Table) -> pd.DataFrame:
    """Missing values of every harmonised column and how the table writes them.

    Parameters
    ----------
    harmonised : DataFrame
        :func:`read_clinical`'s first result.
    tab : Table
        The table as read.

    Returns
    -------
    DataFrame
        ``column, source, n_missing, spellings`` (``NA ×34, Equivocal ×10``; stages such as
        ``TX`` count as missing).
    """
    rows = []
    for col in harmonised.columns:
        src = _source(tab, col)
        miss = harmonised[col].isna()
        if src is None:
            rows.append({"column": col, "source": "", "n_missing": int(miss.sum()),
                         "spellings": "column absent"})
            continue
        written = tab.frame[src]
        cnt: dict[str, int] = dict(tab.na.get(src, {}))
        stage_na = written[miss & written.notna()].astype(str).str.strip().value_counts()
        for k, v in stage_na.items():
            cnt[str(k)] = cnt.get(str(k), 0) + int(v)
        spell = ", ".join(f"{k or 'empty'} ×{v}" for k, v in
                          sorted(cnt.items(), key=lambda kv: -kv[1]))
        rows.append({"column": col, "source": src, "n_missing": int(miss.sum()),
                     "spellings": spell})
    return pd.DataFrame(rows, columns=["column", "source", "n_missing", "spellings"])
