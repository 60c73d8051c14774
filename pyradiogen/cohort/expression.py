"""Expression readers: GDC STAR-counts files, a merged matrix and the gene table.

Expression readers: GDC STAR-counts TSVs (one per sample), a merged genes × samples matrix
(TCGA "RSEM normalized" style, rows ``SYMBOL|ENTREZ``) and the gene table.

STAR-counts layout (GDC, GENCODE v36)::

    # gene-model: GENCODE v36
    gene_id  gene_name  gene_type  unstranded  stranded_first  stranded_second  tpm_unstranded  fpkm_unstranded  fpkm_uq_unstranded
    N_unmapped  ...  (4 rows of STAR statistics: N_unmapped, N_multimapping, N_noFeature, N_ambiguous)
    ENSG00000000003.15  TSPAN6  protein_coding  ...

Files may be gzip-compressed as GDC delivers them (``*.tsv.gz``) or plain (``*.tsv``); both
are read directly (a damaged ``.gz`` is refused naming it). The sample of a file is the TCGA
barcode its name starts with, or the ``Sample ID`` of its ``File Name`` in a GDC sample sheet
(the name matched with or without ``.gz``). Only tumour samples (type 01–09) are kept; a patient with
two tumour samples is an error (remove one file).
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import CohortError
from .ids import current_id_scheme, is_patient_id, patient_id, sample_type_or_none
from .usertable import (
    GZIP_ERRORS,
    GZIP_FIX,
    check_header,
    compression_of,
    gzip_problem,
    open_text,
    plain_suffix,
    read_table,
)

STAR_COLUMNS = ("gene_id", "gene_name", "gene_type", "unstranded", "stranded_first",
                "stranded_second", "tpm_unstranded", "fpkm_unstranded", "fpkm_uq_unstranded")
STAR_REQUIRED = ("gene_id", "gene_name", "unstranded")
VALUES = ("unstranded", "stranded_first", "stranded_second", "tpm_unstranded",
          "fpkm_unstranded", "fpkm_uq_unstranded")
STAR_SUFFIX = ".rna_seq.augmented_star_gene_counts.tsv"
#: File-name patterns of STAR-counts files: plain or gzip-compressed as GDC delivers them.
STAR_PATTERNS = ("*.tsv", "*.tsv.gz")
CACHE_VERSION = 1
_BARCODE_START = re.compile(r"^(TCGA[-.][A-Z0-9]{2}[-.][A-Z0-9]{4}[-.]\d{2}[A-Z]?)", re.I)


def _bad_value(df: pd.DataFrame, col: str, path: Path, what: str) -> CohortError:
    num = pd.to_numeric(df[col], errors="coerce")
    bad = num.isna()
    i = bad[bad].index[0]
    gene = str(df.loc[i, "gene_name"]) if "gene_name" in df else str(df.loc[i, "gene_id"])
    return CohortError(f"{what} in column {col!r}: {df.loc[i, col]!r}", file=path, gene=gene,
                       fix="counts and TPM/FPKM must be numbers; re-download the file from GDC")


def read_star_counts(path: str | os.PathLike, values: tuple[str, ...] = VALUES
                     ) -> tuple[pd.DataFrame, dict[str, float]]:
    """Read one GDC STAR-counts file: its gene rows and its ``N_*`` statistics.

    Parameters
    ----------
    path : str or PathLike
        A ``*.rna_seq.augmented_star_gene_counts.tsv``, plain or gzip-compressed
        (``.tsv.gz``).
    values : tuple of str, default VALUES
        Value columns kept (``unstranded``, ``tpm_unstranded``, ``fpkm_unstranded`` …).

    Returns
    -------
    genes : DataFrame
        Indexed by ``gene_id`` (Ensembl): ``gene_name``, ``gene_type`` and ``values``.
    stats : dict of str to float
        ``N_unmapped``, ``N_multimapping``, ``N_noFeature``, ``N_ambiguous`` (unstranded).

    Raises
    ------
    CohortError
        Unreadable file (a damaged or truncated gzip file included), missing columns, no
        genes, a negative or non-numeric or missing value, or a repeated gene (file and gene
        named).

    References
    ----------
    .. [1] NCI Genomic Data Commons, mRNA quantification pipeline (STAR two-pass, GENCODE
       v36): ``*.rna_seq.augmented_star_gene_counts.tsv``.
    """
    path = Path(path)
    try:
        with open_text(path, encoding="utf-8") as fh:
            first = fh.readline()
    except GZIP_ERRORS as exc:
        raise CohortError(gzip_problem(exc), file=path, what="STAR-counts file",
                          fix=GZIP_FIX) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CohortError(f"cannot be read ({exc})", file=path,
                          fix="re-download the file from GDC") from exc
    skip = 1 if first.startswith("#") else 0
    check_header(path, "\t", what="STAR-counts file")
    try:
        df = pd.read_csv(path, sep="\t", skiprows=skip, dtype={"gene_id": str, "gene_name": str,
                                                               "gene_type": str},
                         keep_default_na=False, na_values=["", "NA", "NaN", "nan"],
                         compression=compression_of(path))
    except GZIP_ERRORS as exc:
        raise CohortError(gzip_problem(exc), file=path, what="STAR-counts file",
                          fix=GZIP_FIX) from exc
    except UnicodeDecodeError as exc:
        raise CohortError(f"cannot be read ({exc})", file=path,
                          fix="re-download the file from GDC") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CohortError(f"not a tab-separated STAR-counts table ({exc})", file=path,
                          fix="give GDC's *.rna_seq.augmented_star_gene_counts.tsv files") from exc
    missing = [c for c in STAR_REQUIRED if c not in df.columns]
    if missing:
        raise CohortError(f"header lacks column(s) {missing}; found {list(df.columns)[:6]}",
                          file=path, fix=f"the header must be: {chr(9).join(STAR_COLUMNS)} "
                                         "(GDC STAR-counts layout)")
    values = tuple(v for v in values if v in df.columns) or ("unstranded",)
    stats_mask = df["gene_id"].str.startswith("N_")
    stats = {r.gene_id: float(pd.to_numeric(r.unstranded, errors="coerce"))
             for r in df[stats_mask].itertuples()}
    genes = df[~stats_mask].reset_index(drop=True)
    if genes.empty:
        raise CohortError("no gene rows", file=path, fix="re-download the file from GDC")
    for col in values:
        if genes[col].dtype == object or str(genes[col].dtype).startswith(("str", "string")):
            if pd.to_numeric(genes[col], errors="coerce").isna().any():
                raise _bad_value(genes, col, path, "non-numeric value")
            genes[col] = pd.to_numeric(genes[col])
        if genes[col].isna().any():
            i = genes.index[genes[col].isna()][0]
            raise CohortError(f"missing (NA) value in column {col!r}", file=path,
                              gene=str(genes.loc[i, "gene_name"]),
                              fix="every gene needs a value; re-download the file from GDC")
    if (genes["unstranded"] < 0).any():
        i = genes.index[genes["unstranded"] < 0][0]
        raise CohortError("negative count", file=path, gene=str(genes.loc[i, "gene_name"]),
                          fix="counts must be >= 0; re-download the file from GDC")
    dup = genes["gene_id"].duplicated()
    if dup.any():
        raise CohortError("gene_id listed twice", file=path,
                          gene=str(genes.loc[dup.idxmax(), "gene_id"]),
                          fix="re-download the file from GDC")
    if "gene_type" not in genes:
        genes["gene_type"] = pd.NA
    return genes.set_index("gene_id")[["gene_name", "gene_type", *values]], stats


def read_gdc_metadata(path: str | os.PathLike) -> dict[str, str]:
    """Read a GDC cart metadata JSON: file name → the barcode of its first aliquot.

    Parameters
    ----------
    path : str or PathLike
        ``metadata.repository.<date>.json`` as downloaded from the GDC cart (or gzipped).

    Returns
    -------
    dict of str to str
        ``file_name`` → ``associated_entities[0].entity_submitter_id``.

    Raises
    ------
    CohortError
        Not JSON, a record without file name or aliquot, a file listed twice, or no record
        (named).
    """
    import json

    path = Path(path)
    what = "GDC metadata file"
    try:
        with open_text(path, encoding="utf-8-sig") as fh:
            records = json.loads(fh.read())
    except GZIP_ERRORS as exc:
        raise CohortError(gzip_problem(exc), file=path, what=what, fix=GZIP_FIX) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise CohortError(f"not valid JSON ({exc})", file=path, what=what,
                          fix="give the metadata file downloaded from the GDC cart, or its "
                              "sample sheet (TSV)") from exc
    if isinstance(records, dict):
        records = [records]
    out: dict[str, str] = {}
    for i, rec in enumerate(records if isinstance(records, list) else []):
        name = rec.get("file_name") if isinstance(rec, dict) else None
        ents = rec.get("associated_entities") if isinstance(rec, dict) else None
        ids = [e.get("entity_submitter_id") for e in ents or [] if isinstance(e, dict)]
        ids = [str(x) for x in ids if x]
        if not name or not ids:
            raise CohortError(f"record {i + 1} has no file_name or no associated_entities[]."
                              "entity_submitter_id", file=path, what=what,
                              fix="give the metadata file downloaded from the GDC cart")
        if name in out:
            raise CohortError(f"file {name!r} listed twice", file=path, what=what,
                              fix="keep one record per file")
        out[name] = ids[0]
    if not out:
        raise CohortError("no file records (a JSON list of GDC file records is expected)",
                          file=path, what=what,
                          fix="give the metadata file downloaded from the GDC cart")
    return out


def read_sample_sheet(path: str | os.PathLike) -> dict[str, str]:
    """Read a GDC sample sheet: file name → sample ID (the first when several).

    A ``.json`` (or ``.json.gz``) file is read as the cart's metadata JSON
    (:func:`read_gdc_metadata`); either may be gzip-compressed.

    Parameters
    ----------
    path : str or PathLike
        The sample sheet (TSV) or the metadata JSON.

    Returns
    -------
    dict of str to str
        ``File Name`` → ``Sample ID``.

    Raises
    ------
    TableError
        A file listed twice or an empty cell (named).
    CohortError
        An unreadable metadata JSON (named).
    """
    path = Path(path)
    if plain_suffix(path) == ".json":
        return read_gdc_metadata(path)
    tab = read_table(path, what="GDC sample sheet", id_column=None, strings=True,
                     required=("File Name", "Sample ID"),
                     expect="the sample sheet downloaded from the GDC cart")
    df = tab.frame
    for col in ("File Name", "Sample ID"):
        miss = df[col].isna()
        if miss.any():
            raise tab.error("empty cell", column=col, line=tab.line_of(df.index[miss][0]),
                            fix="give every file its name and sample")
    dup = df["File Name"].duplicated()
    if dup.any():
        raise tab.error(f"file {df['File Name'][dup].iloc[0]!r} listed twice", column="File Name",
                        line=tab.line_of(df.index[dup][0]), fix="keep one row per file")
    return {f: s.split(",")[0].strip() for f, s in zip(df["File Name"], df["Sample ID"])}


def star_files(folder: str | os.PathLike, sample_sheet: str | os.PathLike | None = None
               ) -> pd.DataFrame:
    """The STAR-counts files of a folder with their sample and patient (tumour samples only).

    Parameters
    ----------
    folder : str or PathLike
        The ``expression/star_counts`` folder: ``*.tsv`` and gzip-compressed ``*.tsv.gz``
        files at any depth (a file present both ways is read once, decompressed, with a
        warning).
    sample_sheet : str, PathLike or None, default None
        GDC sample sheet mapping file names (with or without ``.gz``) to samples; file names
        must start with the sample barcode without one.

    Returns
    -------
    DataFrame
        ``path, sample_id, patient_id, sample_type``; normal-tissue samples dropped
        (``attrs["normal_samples"]`` lists their sample IDs; ``validate`` names them).

    Raises
    ------
    CohortError
        No files, a file without a sample barcode, or two tumour samples of one patient.
    """
    folder = Path(folder)
    found = sorted({p for pat in STAR_PATTERNS for p in folder.rglob(pat)
                    if not p.name.startswith(".")})
    plain = set(found) - {p for p in found if p.name.endswith(".gz")}
    twice = [p for p in found if p.name.endswith(".gz") and p.with_suffix("") in plain]
    if twice:   # `gunzip -k` leaves both copies: read the decompressed one once
        warnings.warn(f"{folder}: {len(twice)} STAR-counts file(s) present both gzipped and "
                      f"decompressed (e.g. {twice[0].name}); the decompressed copy is read — "
                      "remove one copy", UserWarning, stacklevel=2)
    files = [p for p in found if p not in set(twice)]
    if not files:
        raise CohortError("no STAR-counts files (*.tsv or *.tsv.gz) found", file=folder,
                          fix="download the GDC 'STAR - Counts' files into this folder")
    sheet = read_sample_sheet(sample_sheet) if sample_sheet else {}
    rows = []
    for f in files:
        base = f.name[:-3] if f.name.endswith(".gz") else f.name
        named = [k for k in (f.name, base, base + ".gz") if k in sheet]
        if named:
            sample = sheet[named[0]]
        else:
            m = _BARCODE_START.match(f.name)
            if m is None and current_id_scheme() == "any" and base.endswith(STAR_SUFFIX):
                sample = base[:-len(STAR_SUFFIX)]      # id_scheme "any": <ID><suffix>[.gz]
            elif m is None:
                raise CohortError("the file name does not start with a TCGA sample barcode and "
                                  "no sample sheet names it", file=f,
                                  fix="rename it <SAMPLE BARCODE>" + STAR_SUFFIX + " or add "
                                      "`sample_sheet` (GDC sample sheet) to cohort.toml")
            else:
                sample = m.group(1)
        if not is_patient_id(sample):
            raise CohortError(f"sample {sample!r} is not a TCGA barcode", file=f,
                              fix="correct the sample sheet")
        rows.append({"path": str(f), "sample_id": sample.replace(".", "-").upper(),
                     "patient_id": patient_id(sample, str(f)),
                     "sample_type": sample_type_or_none(sample)})
    df = pd.DataFrame(rows)
    normal = df["sample_type"].fillna(1) >= 10
    dropped = sorted(df.loc[normal, "sample_id"])
    df = df[~normal].reset_index(drop=True)
    df.attrs["normal_samples"] = dropped
    dup = df["patient_id"].duplicated(keep=False)
    if dup.any():
        d = df[dup]
        raise CohortError(f"{int(dup.sum())} tumour samples for one patient "
                          f"({', '.join(Path(p).name for p in d['path'][:2])})",
                          file=folder, patient=d["patient_id"].iloc[0],
                          fix="keep one file per patient (e.g. the 01A aliquot)")
    return df


def read_star_matrix(folder: str | os.PathLike, value: str = "unstranded",
                     sample_sheet: str | os.PathLike | None = None, progress: bool = True
                     ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Merge a folder of STAR-counts files into one matrix.

    Parameters
    ----------
    folder : str or PathLike
        The ``expression/star_counts`` folder.
    value : str, default "unstranded"
        The value column.
    sample_sheet : str, PathLike or None, default None
        GDC sample sheet.
    progress : bool, default True
        Progress bar.

    Returns
    -------
    matrix : DataFrame, shape (n_genes, n_patients)
        ``value`` per gene (Ensembl ID) and patient.
    genes : DataFrame
        ``gene_name``, ``gene_type`` per gene.
    stats : DataFrame
        Per sample the ``N_*`` statistics.

    Raises
    ------
    CohortError
        Unknown ``value``, a file lacking it, or files with different genes.

    References
    ----------
    .. [1] NCI Genomic Data Commons, mRNA quantification pipeline (STAR two-pass, GENCODE
       v36): ``*.rna_seq.augmented_star_gene_counts.tsv``.
    """
    if value not in VALUES:
        raise CohortError(f"unknown expression value {value!r}",
                          fix=f"use one of {', '.join(VALUES)}")
    files = star_files(folder, sample_sheet)
    from ..progress import track
    it = track(list(files.itertuples()), f"reading STAR counts ({value})") if progress \
        else files.itertuples()
    cols, stats, ref = [], {}, None
    for r in it:
        genes, st = read_star_counts(r.path, values=(value,))
        if value not in genes.columns:
            raise CohortError(f"column {value!r} missing", file=r.path,
                              fix=f"choose a value the files hold: {list(genes.columns[2:])}")
        if ref is None:
            ref = genes[["gene_name", "gene_type"]]
        elif len(genes) != len(ref) or not (genes.index == ref.index).all():
            diff = (genes.index.difference(ref.index).tolist()
                    or ref.index.difference(genes.index).tolist() or ["(order differs)"])
            raise CohortError("genes differ from the first file's", file=r.path,
                              gene=str(diff[0]),
                              fix="use STAR-counts files of one GDC data release")
        cols.append(genes[value].to_numpy())
        stats[r.patient_id] = st
    mat = pd.DataFrame(np.column_stack(cols), index=ref.index,
                       columns=pd.Index(files["patient_id"], name="patient_id"))
    gt = ref.reset_index()
    return mat, gt, pd.DataFrame(stats).T


def by_symbol(mat: pd.DataFrame, genes: pd.DataFrame) -> pd.DataFrame:
    """Patients × gene symbols from an Ensembl-ID matrix.

    For a symbol held by several gene IDs the one with the largest total is kept (as is usual
    for GENCODE's duplicated names).

    Parameters
    ----------
    mat : DataFrame, shape (n_genes, n_patients)
        Indexed by Ensembl gene ID.
    genes : DataFrame
        ``gene_name`` per gene ID.

    Returns
    -------
    DataFrame, shape (n_patients, n_symbols)
        Symbols sorted.
    """
    names = genes.set_index("gene_id").loc[mat.index, "gene_name"].to_numpy()
    tot = mat.sum(axis=1).to_numpy()
    order = np.lexsort((-tot, names))
    first = pd.Index(names[order]).duplicated() == False  # noqa: E712
    keep = order[first]
    out = mat.iloc[keep].T
    out.columns = pd.Index(names[keep], name="gene")
    return out.sort_index(axis=1)


def read_expression_matrix(path: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a merged genes × samples matrix as patients × symbols, with a gene table.

    The first column names genes as ``SYMBOL|ENTREZ`` (TCGA RSEM files; ``?`` for no symbol,
    such rows are dropped) or plain symbols; the other columns are TCGA sample barcodes (dots
    allowed). Values must be numeric and present. Normal-tissue samples are dropped; the gene
    table's ``attrs`` list them (``normal_samples``) and count the rows without a symbol
    (``rows_without_symbol``).

    Parameters
    ----------
    path : str or PathLike
        ``expression/matrix.tsv``.

    Returns
    -------
    expression : DataFrame, shape (n_patients, n_genes)
        Float, columns sorted.
    genes : DataFrame
        ``gene_name`` and ``entrez`` per gene.

    Raises
    ------
    CohortError
        A column that is not a barcode, a missing or non-numeric value, or two tumour samples
        of one patient (named).
    """
    path = Path(path)
    tab = read_table(path, what="expression matrix", id_column=0, numeric="none",
                     expect="first column SYMBOL|ENTREZ (or symbols), then one column per "
                            "TCGA sample barcode")
    df = tab.frame
    gid = pd.Series(df.index.astype(str), index=range(len(df)))
    lines = tab.lines.to_numpy() if tab.lines is not None else np.arange(len(df))
    df = df.reset_index(drop=True)
    sym = gid.str.split("|").str[0]
    ent = pd.to_numeric(gid.str.split("|").str[1], errors="coerce") if gid.str.contains(
        "|", regex=False).any() else pd.Series(np.nan, index=df.index)
    keep = (sym != "?") & (sym != "")
    df, sym, ent = df[keep], sym[keep], ent[keep]
    samples = [c for c in df.columns]
    bad_ids = [c for c in samples if not is_patient_id(c)]
    if bad_ids:
        raise CohortError(f"column {bad_ids[0]!r} is not a TCGA sample barcode", file=path,
                          fix="name the sample columns by TCGA barcode (e.g. TCGA-A1-A0SB-01A)")
    vals = df[samples]
    num = vals.apply(pd.to_numeric, errors="coerce")
    if (num.isna() & vals.notna()).any().any():
        from .usertable import na_mask

        c = (num.isna() & vals.notna()).any()[lambda s: s].index[0]
        bad = num[c].isna() & vals[c].notna() & ~na_mask(vals[c])
        if bad.any():
            i = bad[bad].index[0]
            raise CohortError(f"non-numeric value {vals.loc[i, c]!r} in sample {c}", file=path,
                              gene=str(sym[i]), line=int(lines[i]), fix="use numbers only")
    if num.isna().any().any():
        c = num.isna().any()[lambda s: s].index[0]
        i = num[c][num[c].isna()].index[0]
        n_na = int(num.isna().to_numpy().sum())
        raise CohortError(f"missing (NA) value in sample {c} ({n_na} missing value(s) in the "
                          "matrix)", file=path, gene=str(sym[i]), line=int(lines[i]),
                          fix="impute or drop the gene before building the cohort")
    dup = sym.duplicated()
    if dup.any():
        tot = num.sum(axis=1)
        order = tot.sort_values(ascending=False, kind="stable").index
        first = ~sym.loc[order].duplicated()
        keep_idx = order[first.to_numpy()]
        names = sorted(set(sym[dup]))
        warnings.warn(f"{path}: {len(names)} gene symbol(s) on several rows; the row with the "
                      f"largest total is kept (e.g. {', '.join(names[:5])})", UserWarning,
                      stacklevel=2)
        num, sym, ent = num.loc[keep_idx], sym.loc[keep_idx], ent.loc[keep_idx]
    pids = [patient_id(c, str(path)) for c in samples]
    types = [sample_type_or_none(c) for c in samples]
    tum = [i for i, t in enumerate(types) if t is None or t < 10]
    pidx = pd.Index([pids[i] for i in tum])
    if pidx.duplicated().any():
        raise CohortError("two tumour samples for one patient", file=path,
                          patient=str(pidx[pidx.duplicated()][0]), fix="keep one column")
    out = num.iloc[:, tum].T
    out.index = pd.Index(pidx, name="patient_id")
    out.columns = pd.Index(sym.to_numpy(), name="gene")
    genes = pd.DataFrame({"gene_name": sym.to_numpy(),
                          "entrez": pd.array(ent.to_numpy(), dtype="Int64")})
    # what was left out, for validate to name
    genes.attrs["normal_samples"] = [str(samples[i]) for i, t in enumerate(types)
                                     if t is not None and t >= 10]
    genes.attrs["rows_without_symbol"] = int((~keep).sum())
    return out.astype(float).sort_index(axis=1), genes


def read_gene_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read a gene table: ``gene_id, gene_name, gene_type, entrez``.

    Parameters
    ----------
    path : str or PathLike
        CSV/TSV.

    Returns
    -------
    DataFrame
        The four columns; ``entrez`` as Int64.

    Raises
    ------
    TableError
        A row without ``gene_id``, a repeated ``gene_id``, or an ``entrez`` that is not an
        integer (named).
    """
    path = Path(path)
    tab = read_table(path, what="gene table", id_column=None, strings=True,
                     required=("gene_id", "gene_name"),
                     expect="columns gene_id, gene_name, gene_type, entrez")
    df = tab.frame.reset_index(drop=True)
    miss = df["gene_id"].isna()
    if miss.any():
        raise tab.error("row without a gene_id", column="gene_id",
                        line=int(tab.lines.iloc[int(np.flatnonzero(miss)[0])]),
                        fix="give every row its Ensembl gene_id")
    dup = df["gene_id"].duplicated()
    if dup.any():
        raise tab.error(f"gene_id {df['gene_id'][dup].iloc[0]!r} listed twice",
                        column="gene_id", line=int(tab.lines.iloc[int(np.flatnonzero(dup)[0])]),
                        fix="keep one row per gene_id")
    if "gene_type" not in df:
        df["gene_type"] = pd.NA
    raw_ent = df.get("entrez", pd.Series(np.nan, index=df.index))
    ent = pd.to_numeric(raw_ent, errors="coerce")
    bad = ent.isna() & raw_ent.notna()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise tab.error(f"entrez {raw_ent.iloc[i]!r} is not a number", column="entrez",
                        line=int(tab.lines.iloc[i]), gene=str(df["gene_name"].iloc[i]),
                        fix="write Entrez Gene IDs as integers, or NA")
    frac = ent.notna() & (ent != ent.round())
    if frac.any():
        i = int(np.flatnonzero(frac)[0])
        raise tab.error(f"entrez {raw_ent.iloc[i]!r} is not an integer", column="entrez",
                        line=int(tab.lines.iloc[i]), gene=str(df["gene_name"].iloc[i]),
                        fix="write Entrez Gene IDs as integers, or NA")
    df["entrez"] = pd.array(ent, dtype="Int64")
    return df[["gene_id", "gene_name", "gene_type", "entrez"]]


def read_expression(path: str | os.PathLike, samples_as_rows: bool = True,
                    id_column: str | None = "auto", option: str | None = "--expr",
                    id_option: str | None = "--id-column", all_na: str = "error"
                    ) -> pd.DataFrame:
    """Read a CSV/TSV/Parquet expression file (``--expr``) as samples × genes (float).

    Read by :func:`pyradiogen.cohort.usertable.read_table`: duplicated gene columns or sample
    IDs and non-numeric cells are refused naming them; missing-value spellings become NaN
    (what a stage does with them is its own policy, e.g.
    :func:`pyradiogen.genomics.ssgsea.check_missing`).

    Parameters
    ----------
    path : str or PathLike
        The file.
    samples_as_rows : bool, default True
        With False the file holds genes as rows and the ID column holds the gene IDs.
    id_column : str or None, default "auto"
        The ID column (``"auto"``: a column named like an ID, an unnamed or a non-numeric
        first column).
    option : str or None, default "--expr"
        The command-line option, for messages.
    id_option : str or None, default "--id-column"
        The option that sets ``id_column``, for messages.
    all_na : {"error", "keep"}, default "error"
        A gene column without any value is refused, or kept for a stage that drops it.

    Returns
    -------
    DataFrame, shape (n_samples, n_genes)
        Float values.

    Raises
    ------
    TableError
        No ID column found, or a bad cell (named).
    """
    tab = read_table(path, what="expression table", option=option, id_column=id_column,
                     id_option=id_option, min_rows=1, min_columns=1, all_na=all_na,
                     expect=("first column the sample ID, then one column per gene"
                             if samples_as_rows else
                             "first column the gene ID, then one column per sample"))
    if tab.id_column is None:
        raise tab.error("no ID column found (the first column is numeric and not named like "
                        "an ID)", fix=f"name the ID column with {id_option or 'id_column'}")
    df = tab.frame
    if not samples_as_rows:
        df = df.T
    df.index = df.index.astype(str)
    df.columns = df.columns.astype(str)
    df.index.name = "sample"
    df.attrs.update(na=tab.na, notes=tab.notes, source=str(path))
    return df
