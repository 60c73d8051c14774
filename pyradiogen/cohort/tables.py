"""Small tables: the 36 TCGA Breast Phenotype features, TIMER estimates, risk genes, GMT."""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..resources import extdata
from .errors import CohortError
from .ids import is_barcode, patient_id, sample_type_or_none
from .usertable import Duplicates, Table, is_na, read_table


class GeneSetWarning(UserWarning):
    """A gene-set condition GSVA also warns about (e.g. sets of size one, NA members)."""


TIMER_COLUMNS = ("B_cell", "CD4_T", "CD8_T", "Neutrophil", "Macrophage", "Dendritic")
#: accepted header spellings (lower case, no separators) -> our column
_TIMER_ALIASES = {
    "bcell": "B_cell", "b": "B_cell", "cd4tcell": "CD4_T", "cd4t": "CD4_T", "cd4": "CD4_T",
    "tcellcd4": "CD4_T", "cd8tcell": "CD8_T", "cd8t": "CD8_T", "cd8": "CD8_T",
    "tcellcd8": "CD8_T", "neutrophil": "Neutrophil", "neutrophils": "Neutrophil",
    "macrophage": "Macrophage", "macrophages": "Macrophage", "dc": "Dendritic",
    "dendritic": "Dendritic", "dendriticcell": "Dendritic", "dendriticcells": "Dendritic",
    "myeloiddendriticcell": "Dendritic",
}


def crf36_names() -> list[str]:
    """The 36 TCGA Breast Phenotype feature names, exactly as the TCIA headers spell them.

    Returns
    -------
    list of str
        The names, in the bundled table's order.

    References
    ----------
    .. [1] Burnside ES, Drukker K, Li H, et al. Using computer-extracted image phenotypes from
       tumors on breast magnetic resonance imaging to predict breast cancer pathologic stage.
       *Cancer* 122(5), 748–757 (2016) (TCGA Breast Phenotype Research Group features).
    """
    return pd.read_csv(extdata("radiomics", "tcga_breast_phenotype_36_features.csv"))[
        "feature_name"].tolist()


def _patient_index(tab: Table, tumour_only: bool = True,
                   duplicates: Duplicates = "error") -> Table:
    """Re-index a table by patient ID.

    Re-index a table by patient ID: the 12-character patient barcode of TCGA sample/aliquot
    barcodes, other IDs as written under ``id_scheme = "any"`` (:func:`.ids.patient_id`).

    Rules (each decision is added to ``tab.notes``): normal-tissue samples (type 10–19) are
    left out when ``tumour_only``; a patient with several tumour samples keeps the lowest
    sample type (01 primary before 06 metastatic), then the first vial; remaining repeats are
    collapsed when identical, else handled by ``duplicates`` (``"error"`` refuses, naming them).
    """
    f = tab.frame
    pids, stypes, vials = [], [], []
    for raw in f.index:
        try:
            pids.append(patient_id(raw))
        except CohortError as exc:
            raise tab.error(f"ID {raw!r} is not a TCGA barcode", column=tab.id_column,
                            line=tab.line_of(raw),
                            fix="use TCGA barcodes (TCGA-A1-A0SB, TCGA-A1-A0SB-01A …), or "
                                'set id_scheme = "any" in cohort.toml for other IDs') from exc
        st = sample_type_or_none(raw)
        stypes.append(st if st is not None else 1)
        m = re.match(r"^TCGA[-.]..[-.]....[-.]\d\d([A-Z])", str(raw).strip().upper())
        vials.append(m.group(1) if m else "A")
    keys = pd.DataFrame({"pid": pids, "st": stypes, "vial": vials, "raw": list(f.index)})
    normal = keys["st"] >= 10
    if tumour_only and normal.any():
        tab.notes.append(f"{int(normal.sum())} normal-tissue sample(s) left out (tumour samples "
                         f"are used): {', '.join(map(str, keys.loc[normal, 'raw'][:5]))}"
                         + (" …" if normal.sum() > 5 else ""))
        keys = keys[~normal]
    order = keys.sort_values(["pid", "st", "vial"], kind="stable")
    best = order.groupby("pid", sort=False).head(1).set_index("pid")
    chosen = order.merge(best[["st", "vial"]], left_on="pid", right_index=True,
                         suffixes=("", "_b"))
    chosen = chosen[(chosen["st"] == chosen["st_b"]) & (chosen["vial"] == chosen["vial_b"])]
    passed_over = keys[~keys.index.isin(chosen.index)]
    passed_over = passed_over[passed_over["pid"].isin(chosen["pid"])]
    if len(passed_over):
        tab.notes.append(f"{passed_over['pid'].nunique()} patient(s) with several tumour "
                         "samples: the lowest sample type, then the first vial, is used (e.g. "
                         f"{passed_over['pid'].iloc[0]}: {passed_over['raw'].iloc[0]} left out)")
    rows = f.loc[chosen["raw"].tolist()]
    rows = rows.copy()
    lines = [tab.line_of(r) for r in chosen["raw"]]
    rows.index = pd.Index(chosen["pid"].tolist(), name="patient_id")
    tab.frame = rows
    tab.lines = pd.Series(lines, index=rows.index)
    tab.id_column = tab.id_column or "patient_id"
    from .usertable import _resolve_duplicates
    _resolve_duplicates(tab, duplicates)
    tab.frame = tab.frame.rename_axis("patient_id")
    return tab


def read_crf36(path: str | os.PathLike, option: str | None = None) -> pd.DataFrame:
    """Read the 36 TCGA Breast Phenotype features: patients × features (float).

    Every missing-value spelling is NaN (the patient stays); duplicated columns or patients,
    non-numeric cells and a feature without any value are refused, naming them.

    Parameters
    ----------
    path : str or PathLike
        CSV/TSV with ``Complete TCGA ID`` (or another ID column) and the 36 named columns.
    option : str or None, default None
        The command-line option that gave the file, for messages.

    Returns
    -------
    DataFrame, shape (n_patients, 36)
        Indexed by 12-character patient barcode.

    Raises
    ------
    TableError
        Missing feature columns, no ID column, or a bad cell (named).
    """
    path = Path(path)
    names = crf36_names()
    tab = read_table(path, what="CRF36 table", option=option, id_column="auto",
                     string_columns=(), numeric="rest",
                     expect="`Complete TCGA ID` then the 36 TCIA feature headers")
    missing = [n for n in names if n not in tab.frame.columns]
    if missing:
        raise tab.error(f"{len(missing)} of the 36 feature columns are missing, e.g. "
                        f"{missing[0]!r}", column=missing[0],
                        fix="use the TCIA headers exactly (see r/inst/extdata/radiomics/"
                            "tcga_breast_phenotype_36_features.csv)")
    if tab.id_column is None:
        raise tab.error("no patient ID column", fix="name the TCGA barcode column "
                        "`patient_id` or `Complete TCGA ID`")
    extra = [c for c in tab.frame.columns if c not in names]
    if extra:
        tab.notes.append(f"{len(extra)} column(s) besides the 36 features ignored: "
                         f"{', '.join(map(str, extra[:5]))}")
    tab.frame = tab.frame[names]
    _patient_index(tab, tumour_only=False)
    out = tab.frame.astype(float)
    out.attrs.update(na=tab.na, notes=tab.notes, source=str(path))
    return out


IMMUNE_TEXT_COLUMNS = ("CancerType", "cancer_type", "cancertype", "Cancer", "project",
                       "Study", "disease")

#: Columns of the common immune deconvolution outputs that are not cell-type estimates:
#: header key (lower case, letters and digits only) → what the column is. CIBERSORT /
#: CIBERSORTx write ``P-value`` (R: ``P.value``), ``Correlation`` and ``RMSE`` per sample (the
#: fit of the deconvolution), absolute mode also ``Absolute score (sig.score)``; xCell adds the
#: summary scores ``ImmuneScore``, ``StromaScore`` and ``MicroenvironmentScore``; ESTIMATE
#: gives ``StromalScore``, ``ImmuneScore``, ``ESTIMATEScore`` and the ``TumorPurity`` derived
#: from it. TIMER2's combined table suffixes the method (``immune score_XCELL``), which is
#: ignored. Not listed (they are cell-fraction estimates and stay columns): EPIC's
#: ``otherCells`` and quanTIseq's ``Other`` — the fraction of uncharacterised, mostly tumour,
#: cells, part of the fractions that sum to one.
IMMUNE_RUN_STATISTICS: dict[str, str] = {
    "pvalue": "CIBERSORT p-value of the deconvolution",
    "correlation": "CIBERSORT correlation of the fitted and the observed mixture",
    "rmse": "CIBERSORT root-mean-square error of the fit",
    "absolutescore": "CIBERSORT absolute-mode signature score",
    "absolutescoresigscore": "CIBERSORT absolute-mode signature score",
    "immunescore": "xCell/ESTIMATE immune score (a sum over cell types)",
    "stromascore": "xCell stroma score (a sum over cell types)",
    "stromalscore": "ESTIMATE stromal score",
    "microenvironmentscore": "xCell microenvironment score (immune + stroma score)",
    "estimatescore": "ESTIMATE score (stromal + immune score)",
    "tumorpurity": "ESTIMATE tumour purity (from the ESTIMATE score)",
    "tumourpurity": "ESTIMATE tumour purity (from the ESTIMATE score)",
}
#: Method suffixes of TIMER2's combined table (``B cell_CIBERSORT-ABS``), ignored when matching.
_METHOD_SUFFIXES = ("timer", "cibersort", "cibersortabs", "quantiseq", "mcpcounter", "xcell",
                    "epic", "estimate")


class RunStatisticsWarning(UserWarning):
    """An immune table holds run statistics or summary scores, left out of the cell types."""


def run_statistic_columns(columns) -> list[str]:
    """The columns of an immune table that are run statistics or summary scores, not cells.

    Matches :data:`IMMUNE_RUN_STATISTICS` in any case, with ``.``, ``-``, ``_``, spaces and
    brackets ignored (``P-value``, ``P.value``, ``p_value``, ``Absolute score (sig.score)``)
    and a TIMER2 method suffix (``_XCELL``, ``_CIBERSORT-ABS`` …) dropped.

    Parameters
    ----------
    columns : iterable of str
        Column names.

    Returns
    -------
    list of str
        The matching columns, in their order.

    References
    ----------
    .. [1] Newman AM, Liu CL, Green MR, et al. Robust enumeration of cell subsets from tissue
       expression profiles. *Nat Methods* 12(5), 453–457 (2015) (CIBERSORT).
    .. [2] Aran D, Hu Z, Butte AJ. xCell: digitally portraying the tissue cellular
       heterogeneity landscape. *Genome Biol* 18, 220 (2017).
    .. [3] Yoshihara K, Shahmoradgoli M, Martínez E, et al. Inferring tumour purity and stromal
       and immune cell admixture from expression data. *Nat Commun* 4, 2612 (2013) (ESTIMATE).
    """
    out = []
    for col in columns:
        name = str(col).strip()
        head, sep, tail = name.rpartition("_")
        if sep and "".join(ch for ch in tail.lower() if ch.isalnum()) in _METHOD_SUFFIXES:
            name = head
        if "".join(ch for ch in name.lower() if ch.isalnum()) in IMMUNE_RUN_STATISTICS:
            out.append(col)
    return out


def run_statistics_message(columns) -> str:
    """The message naming the run statistics left out of an immune table's cell types.

    Parameters
    ----------
    columns : sequence of str
        The columns (:func:`run_statistic_columns`).

    Returns
    -------
    str
        ``"3 column(s) left out as run statistics, not cell types: P.value, Correlation,
        RMSE"``.
    """
    return (f"{len(columns)} column(s) left out as run statistics, not cell types: "
            f"{', '.join(map(str, columns))}")


def read_immune_estimates(path: str | os.PathLike, option: str | None = None,
                          duplicates: Duplicates = "error"
                          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a per-sample immune table as its cell types and its run statistics.

    The ID column holds TCGA patient, sample or aliquot barcodes (dots allowed); tumour
    samples are kept, one per patient; text columns such as ``CancerType`` are dropped with a
    note. Columns that are run statistics or summary scores of the estimator, not cell types
    (CIBERSORT's ``P-value``/``P.value``, ``Correlation``, ``RMSE``, ``Absolute score``;
    xCell's ``ImmuneScore``, ``StromaScore``, ``MicroenvironmentScore``; ESTIMATE's scores:
    :data:`IMMUNE_RUN_STATISTICS`) are returned apart, as quality-control values, and named
    in a :class:`RunStatisticsWarning` and in ``attrs["run_statistics"]``. Missing values
    stay NaN and are counted in ``attrs["na"]``; every decision is listed in
    ``attrs["notes"]``.

    Parameters
    ----------
    path : str or PathLike
        The table.
    option : str or None, default None
        The command-line option that gave the file, for messages.
    duplicates : {"error", "first", "mean"}, default "error"
        Several tumour aliquots of a patient: refused, the first kept, or averaged (the run
        statistics alike).

    Returns
    -------
    cells : DataFrame, shape (n_patients, n_cell_types)
        Indexed by ``patient_id``; cell types as named in the file.
    statistics : DataFrame, shape (n_patients, n_statistics)
        The run statistics, same index (no columns when the table has none).

    Raises
    ------
    TableError
        No ID column, no cell-type column, or duplicates with ``"error"`` (named).

    References
    ----------
    .. [1] Newman AM, Liu CL, Green MR, et al. Robust enumeration of cell subsets from tissue
       expression profiles. *Nat Methods* 12(5), 453–457 (2015) (CIBERSORT).
    .. [2] Thorsson V, Gibbs DL, Brown SD, et al. The immune landscape of cancer. *Immunity*
       48(4), 812–830 (2018) (the TCGA PanImmune estimates).
    """
    path = Path(path)
    tab = read_table(path, what="immune table", option=option, id_column="auto",
                     string_columns=IMMUNE_TEXT_COLUMNS, numeric="rest", duplicates=duplicates,
                     all_na="error", expect="a TCGA barcode column then one numeric column "
                                            "per cell type")
    if tab.id_column is None:
        raise tab.error("no patient ID column", fix="name the TCGA barcode column "
                        "`patient_id`, `sample` or `SampleID`")
    text = [c for c in tab.frame.columns if c in IMMUNE_TEXT_COLUMNS]
    if text:
        tab.frame = tab.frame.drop(columns=text)
        tab.notes.append(f"text column(s) {', '.join(text)} not used")
    stats_cols = run_statistic_columns(tab.frame.columns)
    if stats_cols and len(stats_cols) == tab.frame.shape[1]:
        raise tab.error(f"no cell-type column: {', '.join(map(str, stats_cols))} are run "
                        "statistics of the estimator, not cell types",
                        fix="give the table of cell-type estimates (CIBERSORT fractions, "
                            "TIMER abundances …)")
    _patient_index(tab, tumour_only=True, duplicates=duplicates)
    frame = tab.frame.astype(float)
    cells = frame.drop(columns=stats_cols)
    stats = frame[stats_cols]
    if stats_cols:
        warnings.warn(f"{path}: {run_statistics_message(stats_cols)} (kept apart as quality "
                      "control)", RunStatisticsWarning, stacklevel=2)
    for out in (cells, stats):
        out.attrs.update(na=tab.na, notes=tab.notes, source=str(path),
                         run_statistics=list(map(str, stats_cols)))
    return cells, stats


def read_immune_table(path: str | os.PathLike, option: str | None = None,
                      duplicates: Duplicates = "error") -> pd.DataFrame:
    """Read any per-sample immune table (TIMER, PanImmune CIBERSORT, leukocyte fraction …).

    Read by :func:`read_immune_estimates`, which says what is kept; this returns the cell
    types only. Run statistics and summary scores (CIBERSORT's ``P-value``, ``Correlation``,
    ``RMSE`` …) are left out, named in a :class:`RunStatisticsWarning` and in
    ``attrs["run_statistics"]``.

    Parameters
    ----------
    path : str or PathLike
        The table.
    option : str or None, default None
        The command-line option that gave the file, for messages.
    duplicates : {"error", "first", "mean"}, default "error"
        Several tumour aliquots of a patient: refused, the first kept, or averaged.

    Returns
    -------
    DataFrame, shape (n_patients, n_cell_types)
        Indexed by ``patient_id``; cell types as named in the file.

    Raises
    ------
    TableError
        No ID column, no cell-type column, or duplicates with ``"error"`` (named).
    """
    return read_immune_estimates(path, option=option, duplicates=duplicates)[0]


def timer_column_map(columns) -> dict[str, str]:
    """Map columns that name a TIMER cell type to that cell type.

    Any case; ``.``, ``_`` and spaces ignored: TIMER's ``T_cell.CD4``, ``DC`` ….

    Parameters
    ----------
    columns : iterable of str
        Column names.

    Returns
    -------
    dict of str to str
        Column → ``B_cell``, ``CD4_T``, ``CD8_T``, ``Neutrophil``, ``Macrophage`` or
        ``Dendritic``; columns naming no cell type are left out.
    """
    ren = {}
    for col in columns:
        key = "".join(ch for ch in str(col).lower() if ch.isalnum())
        if key in _TIMER_ALIASES:
            ren[col] = _TIMER_ALIASES[key]
    return ren


def read_timer(path: str | os.PathLike, option: str | None = None,
               duplicates: Duplicates = "error") -> pd.DataFrame:
    """Read a TIMER table: patients × B_cell, CD4_T, CD8_T, Neutrophil, Macrophage, Dendritic.

    Accepts TIMER's own headers (``B_cell, CD4_Tcell, CD8_Tcell, Neutrophil, Macrophage, DC``)
    and sample barcodes (the primary tumour sample is kept when a patient has several); read
    as :func:`read_immune_table` reads.

    Parameters
    ----------
    path : str or PathLike
        The table.
    option : str or None, default None
        The command-line option that gave the file, for messages.
    duplicates : {"error", "first", "mean"}, default "error"
        As :func:`read_immune_table`.

    Returns
    -------
    DataFrame, shape (n_patients, 6)
        Float, indexed by ``patient_id``.

    Raises
    ------
    CohortError
        A cell type missing or named by two columns.

    References
    ----------
    .. [1] Li T, Fan J, Wang B, et al. TIMER: a web server for comprehensive analysis of
       tumor-infiltrating immune cells. *Cancer Res* 77(21), e108–e110 (2017).
    """
    path = Path(path)
    df = read_immune_table(path, option=option, duplicates=duplicates)
    ren = timer_column_map(df.columns)
    twice = sorted({v for v in ren.values() if list(ren.values()).count(v) > 1})
    if twice:
        cols = [k for k, v in ren.items() if v == twice[0]]
        raise CohortError(f"columns {cols} both name the cell type {twice[0]}", file=path,
                          option=option, what="immune table", fix="keep one of them")
    attrs = dict(df.attrs)
    df = df.rename(columns=ren)
    missing = [c for c in TIMER_COLUMNS if c not in df.columns]
    if missing:
        raise CohortError(f"cell-type column(s) {missing} missing (found {list(df.columns)})",
                          file=path, option=option, what="TIMER table",
                          fix=f"name the columns {', '.join(TIMER_COLUMNS)} (TIMER's "
                              "B_cell, CD4_Tcell, CD8_Tcell, Neutrophil, Macrophage, DC)")
    out = df[list(TIMER_COLUMNS)]
    out.attrs.update(attrs)
    return out


def read_risk_genes(path: str | os.PathLike, option: str | None = None) -> list[str]:
    """Read a gene list: one symbol a line; blank lines and ``#`` comments are ignored.

    A missing-value line (``NA`` …) is skipped with a warning.

    Parameters
    ----------
    path : str or PathLike
        The list.
    option : str or None, default None
        The command-line option that gave the file, for messages.

    Returns
    -------
    list of str
        Symbols in file order.

    Raises
    ------
    CohortError
        Missing or empty file, a line with several tokens, or a gene listed twice (line and
        gene named).
    """
    path = Path(path)
    if not path.exists():
        raise CohortError("gene list not found", file=path, option=option,
                          what="risk-gene list", fix="check the path")
    if path.stat().st_size == 0:
        raise CohortError("is empty (0 bytes)", file=path, option=option,
                          what="risk-gene list", fix="write one gene symbol a line")
    genes: list[str] = []
    lines: dict[str, int] = {}
    skipped = []
    for ln, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if len(s.split()) != 1 or "," in s or ";" in s:
            raise CohortError(f"holds {s!r}, not one gene symbol", file=path, line=ln,
                              option=option, what="risk-gene list",
                              fix="write one symbol a line")
        if is_na(s):
            skipped.append(ln)
            continue
        if s in lines:
            raise CohortError(f"gene listed twice (lines {lines[s]} and {ln})", file=path,
                              gene=s, option=option, what="risk-gene list",
                              fix="remove the duplicate")
        lines[s] = ln
        genes.append(s)
    if skipped:
        warnings.warn(f"{path}: missing-value line(s) {skipped[:5]} skipped", UserWarning,
                      stacklevel=2)
    if not genes:
        raise CohortError("holds no gene symbol", file=path, option=option,
                          what="risk-gene list", fix="write one gene symbol a line")
    return genes


def read_gmt(path: str | os.PathLike) -> dict[str, list[str]]:
    """Read a GMT file: ``name <tab> description <tab> gene ...`` per line.

    The one GMT reader of the package. Members are kept as written (order and repeats; see
    :func:`pyradiogen.genomics.genesets.dedupe_members`); empty fields (trailing tabs) and
    missing-value members (``NA`` …) are skipped, the latter with a :class:`GeneSetWarning`
    naming the set.

    Parameters
    ----------
    path : str or PathLike
        The GMT file (MSigDB format).

    Returns
    -------
    dict of str to list of str
        Set name → members, in file order.

    Raises
    ------
    CohortError
        A missing file, a folder, no sets, a line without a tab, an empty or repeated set
        name (file and line named); a ``ValueError``.
    """
    p = Path(path)
    if not p.exists():
        raise CohortError("gene-set file not found", file=p, what="GMT file",
                          fix="give an existing .gmt file")
    if p.is_dir():
        raise CohortError("is a folder", file=p, what="GMT file", fix="give the .gmt file")
    sets: dict[str, list[str]] = {}
    first_line: dict[str, int] = {}
    na_sets: list[str] = []
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = p.read_text(encoding="latin-1")
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\r\n").split("\t")
        if len(fields) < 2:
            raise CohortError(f"has {len(fields)} tab-separated field(s); a GMT line is name "
                              "<tab> description <tab> genes", file=p, what="GMT file",
                              line=lineno, fix="separate the fields with tabs")
        name = fields[0].strip()
        if not name:
            raise CohortError("empty gene-set name", file=p, what="GMT file", line=lineno,
                              fix="name every set")
        if name in sets:
            raise CohortError(f"gene set {name!r} already defined on line {first_line[name]}",
                              file=p, what="GMT file", line=lineno,
                              fix="rename or remove one of them")
        members = [g.strip() for g in fields[2:] if g.strip()]
        if any(is_na(g) for g in members):
            na_sets.append(name)
            members = [g for g in members if not is_na(g)]
        sets[name] = members
        first_line[name] = lineno
    if not sets:
        raise CohortError("no gene sets found", file=p, what="GMT file",
                          fix="give a GMT file (name <tab> description <tab> genes per line)")
    if na_sets:
        warnings.warn(f"{p}: missing-value members (NA …) skipped in {len(na_sets)} set(s): "
                      f"{', '.join(na_sets[:5])}", GeneSetWarning, stacklevel=2)
    return sets


def as_float_matrix(df: pd.DataFrame) -> np.ndarray:
    """The values of a numeric table as float64.

    Parameters
    ----------
    df : DataFrame
        Numeric table.

    Returns
    -------
    ndarray of float64
        ``df.to_numpy(dtype=float)``.
    """
    return df.to_numpy(dtype=float)


FEATURE_KEYS = ("image_id", "patient_id", "reader")


def read_features(path: str | os.PathLike, option: str | None = "--features",
                  reader: str | None = None, what: str = "feature table",
                  min_rows: int = 2) -> pd.DataFrame:
    """Read a feature table: ``image_id`` (optional), ``patient_id``, then numeric features.

    Read by :func:`~pyradiogen.cohort.usertable.read_table` (duplicated columns, non-numeric
    cells, features without any value refused, naming them; missing-value spellings are NaN
    and each stage applies its own policy to them). A table without ``image_id`` holds one row
    per patient (``image_id`` = patient). TCGA barcodes are harmonised to 12-character
    patient barcodes.

    Parameters
    ----------
    path : str or PathLike
        CSV, TSV or Parquet.
    option : str or None, default "--features"
        The command-line option that named the file.
    reader : str or None, default None
        A table with a ``reader`` column keeps this reader (the first in sorted order when
        None), noted in ``attrs["notes"]``.
    what : str, default "feature table"
        What the table is, for messages.
    min_rows : int, default 2
        Fewest rows accepted.

    Returns
    -------
    DataFrame
        ``image_id``, ``patient_id``, float features.

    Raises
    ------
    TableError
        Repeated images or patients, no feature column, too few rows, an unknown reader, a
        row without an ID (named).
    """
    path = Path(path)
    tab = read_table(path, what=what, option=option, id_column=None,
                     string_columns=FEATURE_KEYS, required=("patient_id",), numeric="rest",
                     min_rows=1, expect="image_id, patient_id, then one numeric column per "
                                        "feature")
    df = tab.frame.reset_index(drop=True)
    lines = tab.lines.to_numpy() if tab.lines is not None else np.arange(len(df)) + 2
    for key in ("patient_id", "image_id", "reader"):
        if key in df.columns:
            miss = df[key].isna()
            if miss.any():
                raise tab.error(f"row without a {key}", column=key,
                                line=int(lines[int(np.flatnonzero(miss)[0])]),
                                fix=f"give every row its {key}")
    if "reader" in df.columns:
        readers = sorted(df["reader"].astype(str).unique())
        chosen = readers[0] if reader is None else str(reader)
        if chosen not in readers:
            raise tab.error(f"no reader {chosen!r}; readers are {readers}", column="reader",
                            fix="pass one of them")
        keep = (df["reader"].astype(str) == chosen).to_numpy()
        if len(readers) > 1:
            tab.notes.append(f"reader {chosen!r} used ({len(readers)} readers in the table)")
        df, lines = df.loc[keep].drop(columns="reader").reset_index(drop=True), lines[keep]
    df["patient_id"] = [patient_id(v, str(path), "any")
                        for v in df["patient_id"]]
    if "image_id" not in df.columns:
        dup = df["patient_id"].duplicated()
        if dup.any():
            raise tab.error(f"patient {df['patient_id'][dup].iloc[0]!r} appears in more than "
                            "one row and there is no image_id column", column="patient_id",
                            line=int(lines[int(np.flatnonzero(dup)[0])]),
                            fix="add an image_id column (image-level table) or keep one row "
                                "per patient")
        df.insert(0, "image_id", df["patient_id"].astype(str))
    dup = df["image_id"].duplicated()
    if dup.any():
        raise tab.error(f"image_id {df['image_id'][dup].iloc[0]!r} appears more than once",
                        column="image_id", line=int(lines[int(np.flatnonzero(dup)[0])]),
                        fix="keep one row per image")
    feats = [c for c in df.columns if c not in ("image_id", "patient_id")]
    if not feats:
        raise tab.error("no feature columns after image_id and patient_id",
                        fix="give one numeric column per feature")
    if len(df) < min_rows:
        raise tab.error(f"has {len(df)} row(s); at least {min_rows} needed",
                        fix="give every image or patient its row")
    out = df[["image_id", "patient_id", *feats]]
    out.attrs.update(na=tab.na, notes=tab.notes, source=str(path))
    return out


def read_patient_table(path: str | os.PathLike, what: str, option: str | None = None,
                       id_column: str | None = "auto", string_columns: tuple[str, ...] = (),
                       min_rows: int = 1, barcodes: bool = True,
                       all_na: str = "error") -> pd.DataFrame:
    """Read a per-patient numeric table (GFs, risk scores, signatures, TIMER, labels).

    The ID column is ``patient_id``, ``sample`` or another ID-named column (or
    ``id_column``); with ``barcodes`` TCGA barcodes are harmonised (sample barcodes: the
    tumour sample kept); other IDs are kept as written. Missing-value spellings are NaN
    (counted in ``attrs["na"]``).

    Parameters
    ----------
    path : str or PathLike
        The table.
    what : str
        What the table is, for messages.
    option : str or None, default None
        The command-line option that gave the file.
    id_column : str or None, default "auto"
        The ID column (``"auto"``: found by name).
    string_columns : tuple of str, default ()
        Columns kept as text.
    min_rows : int, default 1
        Fewest rows accepted.
    barcodes : bool, default True
        Harmonise TCGA barcodes.
    all_na : {"error", "drop", "keep"}, default "error"
        A column without any value.

    Returns
    -------
    DataFrame
        Indexed by ``patient_id``, one float column per variable.

    Raises
    ------
    TableError
        No ID column, duplicated columns or patients, non-numeric cells (named).
    """
    path = Path(path)
    tab = read_table(path, what=what, option=option, id_column=id_column,
                     string_columns=string_columns, numeric="rest", min_rows=min_rows,
                     all_na=all_na, expect="patient_id, then one numeric column per variable")
    if tab.id_column is None:
        raise tab.error("no patient ID column", fix="name the ID column patient_id")
    text = [c for c in tab.frame.columns if c in string_columns]
    if text:
        tab.frame = tab.frame.drop(columns=text)
    if barcodes and all(is_barcode(i) for i in tab.frame.index):
        _patient_index(tab, tumour_only=True)
    else:
        tab.frame.index = pd.Index([str(i) for i in tab.frame.index], name="patient_id")
    out = tab.frame.astype(float)
    out.attrs.update(na=tab.na, notes=tab.notes, source=str(path))
    return out
