"""Expression preparation: log2 scale, duplicate symbols, filtering, gene ID mapping.

Expression preparation: raw values → log2 scale, duplicate symbols, low-expression filter,
and gene symbol ↔ Entrez mapping.

All tables here are **samples × genes** (the cohort's ``c.expression(...)`` layout).

Presets (section ``[genomics]``, see :mod:`pyradiogen.genomics.config`):

* Study liu2023 (``paper`` and ``code``): ``log2(TPM + 1)`` of the GDC STAR ``tpm_unstranded``
  column (``expression_value="tpm_unstranded"``, ``expression_kind="tpm"``,
  ``normalization="none"``, ``pseudocount=1``). Neither the paper nor the code states the
  scale; TPM on log2 is the usual input to ssGSEA and to the risk-gene features.
* Study kim2020: ``log2(x + 1)`` of RSEM-normalised values (TCGA legacy ``normalized_results``,
  which are RSEM counts scaled so each sample's upper quartile is 1000). Given a matrix of
  those values use ``expression_kind="rsem"``; from GDC STAR counts the closest available is
  ``expression_kind="counts"`` with ``normalization="upper_quartile"`` (the study-2 defaults).

Rules: ``counts`` are first scaled (``cpm``: per million of the sample's total;
``upper_quartile``: the sample's upper quartile of non-zero values becomes 1000); ``tpm``,
``fpkm`` and ``rsem`` are used as they are (a normalisation can still be asked for); all four
are then ``log2(x + pseudocount)``. ``log2`` input is returned unchanged.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

ValueKind = Literal["counts", "tpm", "fpkm", "rsem", "log2"]
Normalization = Literal["none", "cpm", "upper_quartile"]
DuplicateRule = Literal["first", "max_mean", "mean"]
VALUE_KINDS = ("counts", "tpm", "fpkm", "rsem", "log2")


class MappingWarning(UserWarning):
    """Some identifiers could not be mapped."""


def _check_numeric(df: pd.DataFrame, what: str) -> None:
    bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise ValueError(f"{what}: non-numeric columns {bad[:5]}; expression must be samples × "
                         "genes with numeric values")


def normalize_library(values: pd.DataFrame, method: Normalization = "none") -> pd.DataFrame:
    """Per-sample library-size scaling of a samples × genes table.

    Parameters
    ----------
    values : DataFrame, shape (n_samples, n_genes)
        Linear-scale values (counts, TPM …).
    method : {"none", "cpm", "upper_quartile"}, default "none"
        ``"cpm"``: counts per million of the sample's total; ``"upper_quartile"``: the
        sample's upper quartile of non-zero values becomes 1000 (as TCGA's RSEM
        ``normalized_results``); ``"none"``: unchanged.

    Returns
    -------
    DataFrame, shape (n_samples, n_genes)
        Scaled values.

    Raises
    ------
    ValueError
        For an unknown ``method``.

    References
    ----------
    .. [1] Bullard JH, Purdom E, Hansen KD, Dudoit S. Evaluation of statistical methods for
       normalization and differential expression in mRNA-Seq experiments. *BMC
       Bioinformatics* 11, 94 (2010) (upper-quartile normalisation).
    """
    if method == "none":
        return values
    x = values.to_numpy(dtype=float)
    if method == "cpm":
        tot = np.nansum(x, axis=1, keepdims=True)
        with np.errstate(divide="ignore"):
            scale = 1e6 / tot
    elif method == "upper_quartile":
        uq = np.array([np.quantile(r[(r > 0) & ~np.isnan(r)], 0.75) if np.any(r > 0) else np.nan
                       for r in x])[:, None]
        scale = 1000.0 / uq
    else:
        raise ValueError(f"unknown normalization {method!r}; use none, cpm or upper_quartile")
    zero = ~np.isfinite(scale.ravel())
    if zero.any():
        raise ValueError(f"samples {list(values.index[zero][:5])} have no positive values; "
                         "remove them before normalising")
    return pd.DataFrame(x * scale, index=values.index, columns=values.columns)


def to_log2(values: pd.DataFrame, kind: ValueKind = "tpm", normalization: Normalization = "none",
            pseudocount: float = 1.0) -> pd.DataFrame:
    """Put samples × genes values on the log2 scale, as the module docstring describes.

    Parameters
    ----------
    values : DataFrame, shape (n_samples, n_genes)
        Expression as ``kind`` says.
    kind : {"counts", "tpm", "fpkm", "rsem", "log2"}, default "tpm"
        What ``values`` hold; ``"log2"`` is returned unchanged.
    normalization : {"none", "cpm", "upper_quartile"}, default "none"
        Library scaling before the log (:func:`normalize_library`); counts need one.
    pseudocount : float, default 1.0
        Added before the log: ``log2(x + pseudocount)``.

    Returns
    -------
    DataFrame, shape (n_samples, n_genes)
        log2-scale expression.

    Raises
    ------
    ValueError
        For an unknown kind, non-numeric columns, or negative linear values.
    """
    if kind not in VALUE_KINDS:
        raise ValueError(f"unknown expression kind {kind!r}; use one of {VALUE_KINDS}")
    _check_numeric(values, "to_log2")
    if kind == "log2":
        return values.astype(float)
    x = values.astype(float)
    top = np.nanmax(x.to_numpy()) if x.size else np.nan
    if np.isfinite(top) and top <= LOG2_MAX:
        warnings.warn(f"to_log2(kind={kind!r}): every value is at most {top:.3g}, which looks "
                      "like log2 expression already; if so use kind='log2' (a second log2 "
                      "would compress the values)", UserWarning, stacklevel=2)
    if (x.to_numpy() < 0).any():
        neg = x.columns[(x < 0).any(axis=0)][:5].tolist()
        raise ValueError(f"negative {kind} values in genes {neg}: already log-transformed? "
                         "use kind='log2'")
    if kind == "counts" and normalization == "none":
        warnings.warn("log2 of raw counts without library-size normalisation; consider "
                      "normalization='cpm' or 'upper_quartile'", UserWarning, stacklevel=2)
    x = normalize_library(x, normalization)
    return np.log2(x + pseudocount)


def collapse_duplicates(values: pd.DataFrame, rule: DuplicateRule = "max_mean") -> pd.DataFrame:
    """One column per gene symbol, from a table whose symbols may repeat.

    Parameters
    ----------
    values : DataFrame, shape (n_samples, n_genes)
        Expression; several columns may carry the same symbol.
    rule : {"first", "max_mean", "mean"}, default "max_mean"
        Keep the first occurrence, the column with the highest mean (as WGCNA's
        ``collapseRows(method = "MaxMean")``), or the mean of the duplicates.

    Returns
    -------
    DataFrame, shape (n_samples, n_unique_genes)
        Columns in order of first occurrence.

    Raises
    ------
    ValueError
        For an unknown ``rule``.
    """
    cols = values.columns.astype(str)
    if not cols.duplicated().any():
        return values
    if rule == "first":
        return values.loc[:, ~cols.duplicated()]
    if rule == "mean":
        out = values.T.groupby(cols, sort=False).mean().T
        return out
    if rule == "max_mean":
        means = values.mean(axis=0).to_numpy()
        best: dict[str, int] = {}
        for i, c in enumerate(cols):
            if c not in best or means[i] > means[best[c]]:
                best[c] = i
        return values.iloc[:, sorted(best.values())]
    raise ValueError(f"unknown duplicate rule {rule!r}; use first, max_mean or mean")


def filter_low_expressed(values: pd.DataFrame, min_value: float = 0.0,
                         min_fraction: float = 0.0) -> pd.DataFrame:
    """Keep genes whose value exceeds ``min_value`` in at least ``min_fraction`` of samples.

    Parameters
    ----------
    values : DataFrame, shape (n_samples, n_genes)
        Expression (any scale).
    min_value : float, default 0.0
        Threshold in the unit of ``values``.
    min_fraction : float, default 0.0
        Fraction of samples (0–1) that must exceed it; 0 keeps every gene.

    Returns
    -------
    DataFrame, shape (n_samples, n_kept)
        The genes kept, in order.
    """
    if min_fraction <= 0:
        return values
    frac = (values > min_value).mean(axis=0)
    return values.loc[:, frac >= min_fraction]


def prepare_expression(values: pd.DataFrame, kind: ValueKind = "tpm",
                       normalization: Normalization = "none", pseudocount: float = 1.0,
                       duplicates: DuplicateRule = "max_mean", min_value: float = 0.0,
                       min_fraction: float = 0.0) -> pd.DataFrame:
    """Collapse duplicated symbols, log2-transform, then filter low-expressed genes.

    Parameters
    ----------
    values : DataFrame, shape (n_samples, n_genes)
        Raw expression, gene symbols as columns.
    kind : {"counts", "tpm", "fpkm", "rsem", "log2"}, default "tpm"
        What ``values`` hold (:func:`to_log2`).
    normalization : {"none", "cpm", "upper_quartile"}, default "none"
        Library scaling before the log.
    pseudocount : float, default 1.0
        ``log2(x + pseudocount)``.
    duplicates : {"first", "max_mean", "mean"}, default "max_mean"
        How repeated symbols are collapsed (:func:`collapse_duplicates`).
    min_value, min_fraction : float, default 0.0
        Low-expression filter on the log2 values (:func:`filter_low_expressed`).

    Returns
    -------
    DataFrame, shape (n_samples, n_genes_kept)
        log2-scale expression, one column per symbol.
    """
    return filter_low_expressed(to_log2(collapse_duplicates(values, duplicates), kind,
                                        normalization, pseudocount), min_value, min_fraction)


#: the two studies pyradiogen replicates (their IDs everywhere in the package)
STUDIES = ("liu2023", "kim2020")


def _check_study(study: str) -> str:
    if study not in STUDIES:
        raise ValueError(f"study must be one of {', '.join(STUDIES)}, got {study!r}")
    return study


def prepare_from_config(values: pd.DataFrame, cfg, study: str = "liu2023") -> pd.DataFrame:
    """Run :func:`prepare_expression` with a ``GenomicsConfig``'s settings for a study.

    Parameters
    ----------
    values : DataFrame, shape (n_samples, n_genes)
        Raw expression, gene symbols as columns.
    cfg : GenomicsConfig
        The ``[genomics]`` section.
    study : {"liu2023", "kim2020"}, default "liu2023"
        ``"liu2023"`` uses the ``expression_*`` settings, ``"kim2020"`` the ``kim2020_*`` ones.

    Returns
    -------
    DataFrame, shape (n_samples, n_genes_kept)
        log2-scale expression.
    """
    if _check_study(study) == "kim2020":
        return prepare_expression(values, cfg.kim2020_expression_kind, cfg.kim2020_normalization,
                                  cfg.pseudocount, cfg.duplicate_symbols,
                                  cfg.min_expression, cfg.min_expressed_fraction)
    return prepare_expression(values, cfg.expression_kind, cfg.normalization, cfg.pseudocount,
                              cfg.duplicate_symbols, cfg.min_expression,
                              cfg.min_expressed_fraction)


# --------------------------------------------------------------------------- ID mapping

def _map_r(keys: list[str], column: str, keytype: str) -> dict[str, str | None]:
    from .. import rfuncs

    return rfuncs.map_gene_ids(keys, column, keytype)


def _table_map(genes_table: pd.DataFrame, key: str, value: str) -> dict[str, str]:
    for col in (key, value):
        if col not in genes_table.columns:
            raise ValueError(f"genes table has no column {col!r}; it needs gene_name and entrez "
                             "(the cohort's c.genes)")
    tab = genes_table[[key, value]].dropna()
    cols = {c: (tab[c].astype("int64").astype(str) if c == "entrez" else tab[c].astype(str))
            for c in (key, value)}
    out: dict[str, str] = {}
    for k, v in zip(cols[key], cols[value]):
        out.setdefault(k, v)  # first row wins
    return out


def symbols_to_entrez(symbols: Iterable[str], genes_table: pd.DataFrame | None = None,
                      use_r: bool = True) -> pd.Series:
    """Entrez Gene IDs of gene symbols.

    Uses Debian's org.Hs.eg.db through R (``AnnotationDbi::mapIds``, first ID when several);
    when R or the package is not available, or ``use_r=False``, falls back to
    ``genes_table``. Warns (:class:`MappingWarning`) naming the unmapped symbols.

    Parameters
    ----------
    symbols : iterable of str
        HGNC gene symbols.
    genes_table : DataFrame or None, default None
        The cohort's ``c.genes`` (``gene_name``, ``entrez``; first row wins), the fallback.
    use_r : bool, default True
        Try org.Hs.eg.db first.

    Returns
    -------
    Series of Int64
        Indexed by symbol; ``<NA>`` when unmapped.

    References
    ----------
    .. [1] Carlson M. org.Hs.eg.db: genome wide annotation for human, R package 3.16.0;
       AnnotationDbi 1.60.0 (Bioconductor 3.16).
    """
    keys = [str(s) for s in symbols]
    uniq = list(dict.fromkeys(keys))
    mapping = _mapping(uniq, "ENTREZID", "SYMBOL", genes_table, "gene_name", "entrez", use_r)
    out = pd.Series([mapping.get(k) for k in keys], index=keys, dtype="object")
    res = pd.to_numeric(out, errors="coerce").astype("Int64")
    res.index.name = "symbol"
    return res


def entrez_to_symbols(entrez: Iterable[int | str], genes_table: pd.DataFrame | None = None,
                      use_r: bool = True) -> pd.Series:
    """Gene symbols of Entrez IDs; same sources as :func:`symbols_to_entrez`.

    Parameters
    ----------
    entrez : iterable of int or str
        Entrez Gene IDs.
    genes_table : DataFrame or None, default None
        The cohort's ``c.genes``, the fallback.
    use_r : bool, default True
        Try org.Hs.eg.db first.

    Returns
    -------
    Series of str
        Indexed by the IDs as strings; ``<NA>`` when unmapped.
    """
    keys = [str(int(float(e))) if str(e).strip() not in ("", "nan", "<NA>") else "NA"
            for e in entrez]
    uniq = list(dict.fromkeys(keys))
    mapping = _mapping(uniq, "SYMBOL", "ENTREZID", genes_table, "entrez", "gene_name", use_r)
    out = pd.Series([mapping.get(k) for k in keys], index=keys, dtype="string")
    out.index.name = "entrez"
    return out


def _mapping(keys: list[str], column: str, keytype: str, genes_table: pd.DataFrame | None,
             tkey: str, tval: str, use_r: bool) -> dict[str, str | None]:
    mapping: dict[str, str | None] | None = None
    if use_r:
        try:
            mapping = _map_r(keys, column, keytype)
        except Exception as exc:  # R missing, org.Hs.eg.db missing, ...
            if genes_table is None:
                raise RuntimeError(
                    f"org.Hs.eg.db mapping through R failed ({exc}); install R's org.Hs.eg.db "
                    "(`sudo scripts/install-system-deps.sh`) or pass genes_table=c.genes"
                ) from exc
            warnings.warn(f"org.Hs.eg.db not usable ({exc}); mapping with the cohort's genes "
                          "table instead", MappingWarning, stacklevel=3)
    if mapping is None:
        if genes_table is None:
            raise ValueError("use_r=False needs genes_table (the cohort's c.genes)")
        table = _table_map(genes_table, tkey, tval)
        mapping = {k: table.get(k) for k in keys}
    missing = [k for k in keys if mapping.get(k) is None]
    if missing:
        warnings.warn(f"{len(missing)} of {len(keys)} {keytype} identifiers not mapped to "
                      f"{column}: {', '.join(missing[:10])}{' …' if len(missing) > 10 else ''}",
                      MappingWarning, stacklevel=3)
    return mapping


def rename_to_entrez(values: pd.DataFrame, genes_table: pd.DataFrame | None = None,
                     use_r: bool = True) -> pd.DataFrame:
    """Rename symbol columns to Entrez IDs (as strings); unmapped columns are dropped.

    Parameters
    ----------
    values : DataFrame, shape (n_samples, n_genes)
        Expression, gene symbols as columns.
    genes_table : DataFrame or None, default None
        The cohort's ``c.genes``, the fallback of :func:`symbols_to_entrez`.
    use_r : bool, default True
        Try org.Hs.eg.db first.

    Returns
    -------
    DataFrame, shape (n_samples, n_mapped)
        The same values, Entrez IDs as columns.
    """
    ids = symbols_to_entrez(values.columns, genes_table, use_r)
    keep = ids.notna().to_numpy()
    out = values.loc[:, keep].copy()
    out.columns = [str(int(v)) for v in ids[keep]]
    return out


#: a log2 expression value above this is implausible (log2 of 1e15); linear TPM/RSEM/counts
#: exceed it routinely
LOG2_MAX = 50.0


def scale_report(values: pd.DataFrame) -> dict[str, float | str]:
    """Judge the scale of an expression table from its values.

    Parameters
    ----------
    values : DataFrame, shape (n_samples, n_genes)
        Expression of unknown scale.

    Returns
    -------
    dict
        ``max``, ``q99`` (99th percentile), ``negative`` (any value < 0),
        ``integer_fraction`` (share of whole numbers) and ``verdict``: ``"log2"``,
        ``"linear"``, ``"counts"`` (or ``"unknown"`` without finite values).
    """
    x = values.to_numpy(dtype=float)
    x = x[np.isfinite(x)]
    if not x.size:
        return {"max": float("nan"), "q99": float("nan"), "verdict": "unknown"}
    q99 = float(np.quantile(x, 0.99))
    top = float(x.max())
    neg = bool((x < 0).any())
    frac_int = float(np.mean(np.isclose(x, np.round(x))))
    if neg or q99 <= LOG2_MAX:
        verdict = "log2"
    elif frac_int > 0.99:
        verdict = "counts"
    else:
        verdict = "linear"
    return {"max": top, "q99": q99, "negative": neg, "integer_fraction": frac_int,
            "verdict": verdict}


def check_log2_scale(values: pd.DataFrame, where: str, option: str = "--scale linear",
                     refuse: bool = True) -> dict[str, float | str]:
    """Refuse or warn when ``values`` do not look like log2 expression.

    log2 expression (microarray, log2(TPM + 1), log2(RSEM + 1)) stays below ~25; values whose
    99th percentile exceeds :data:`LOG2_MAX` are linear (TPM, FPKM, RSEM) or raw counts.

    Parameters
    ----------
    values : DataFrame, shape (n_samples, n_genes)
        Expression said to be on the log2 scale.
    where : str
        The file, named in the message.
    option : str, default "--scale linear"
        How the user has linear values transformed, named in the message.
    refuse : bool, default True
        Raise instead of warning.

    Returns
    -------
    dict
        :func:`scale_report` of ``values``.

    Raises
    ------
    ValueError
        If ``refuse`` and the values are linear or counts.
    """
    rep = scale_report(values)
    if rep["verdict"] in ("linear", "counts"):
        msg = (f"{where}: values look {'like raw counts' if rep['verdict'] == 'counts' else 'linear-scale'}"
               f" (maximum {rep['max']:.3g}, 99th percentile {rep['q99']:.3g}; log2 expression "
               f"stays below ~25), but log2 expression is expected — log2-transform them "
               f"(log2(x + 1)) or pass {option} to have that done here")
        if refuse:
            raise ValueError(msg)
        warnings.warn(msg, UserWarning, stacklevel=2)
    return rep


def genes_present(values: pd.DataFrame, genes: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split a gene list into the genes that are columns of ``values`` and the others.

    Parameters
    ----------
    values : DataFrame, shape (n_samples, n_genes)
        Expression, gene symbols as columns.
    genes : sequence of str
        The genes wanted.

    Returns
    -------
    present : list of str
        Genes of ``genes`` that are columns, in list order.
    missing : list of str
        The others, in list order.
    """
    cols = set(values.columns.astype(str))
    present = [g for g in genes if g in cols]
    return present, [g for g in genes if g not in cols]


def default_genomics_config():
    """The ``[genomics]`` section of the paper preset.

    Returns
    -------
    GenomicsConfig
        The defaults of :class:`pyradiogen.genomics.config.GenomicsConfig` for ``paper``.
    """
    from .config import GenomicsConfig

    return GenomicsConfig()


#: the preparation of a merged matrix of counts per study: (normalisation, why)
_MATRIX_COUNTS_NORMALIZATION = {
    "liu2023": ("cpm", "raw counts have no gene lengths for TPM: log2(counts per million + 1) "
                       "stands in for study liu2023's log2(TPM + 1)"),
}


def check_expression_kind(values: pd.DataFrame, kind: str, where: str
                          ) -> dict[str, float | str]:
    """Refuse values whose scale contradicts the stated kind; warn on non-integer counts.

    ``kind`` is what cohort.toml says the matrix holds (``[expression] kind``). log2 values
    stay below :data:`LOG2_MAX`; linear ones (counts, TPM, FPKM, RSEM) exceed it (see
    :func:`scale_report`).

    Parameters
    ----------
    values : DataFrame, shape (n_samples, n_genes)
        The cohort's merged matrix, as read.
    kind : {"counts", "tpm", "fpkm", "rsem", "log2"}
        What cohort.toml says it holds.
    where : str
        The file, named in the message.

    Returns
    -------
    dict
        :func:`scale_report` of ``values``.

    Raises
    ------
    ValueError
        If the scale contradicts ``kind`` (file, kind and the values' range named).
    """
    if kind not in VALUE_KINDS:
        raise ValueError(f"{where}: unknown expression kind {kind!r}; use one of "
                         f"{', '.join(VALUE_KINDS)}")
    rep = scale_report(values)
    verdict = rep["verdict"]
    fix = "correct `kind` under [expression] in cohort.toml"
    if kind == "log2" and verdict in ("linear", "counts"):
        raise ValueError(f"{where}: [expression] kind = \"log2\", but the values look "
                         f"{'like raw counts' if verdict == 'counts' else 'linear'} (maximum "
                         f"{rep['max']:.3g}, 99th percentile {rep['q99']:.3g}; log2 expression "
                         f"stays below ~25) — {fix} (counts, tpm, fpkm or rsem)")
    if kind != "log2" and verdict == "log2":
        raise ValueError(f"{where}: [expression] kind = \"{kind}\", but the values look "
                         f"log2-transformed (99th percentile {rep['q99']:.3g}"
                         f"{', negative values' if rep.get('negative') else ''}) — {fix} "
                         "(kind = \"log2\")")
    if kind == "counts" and rep.get("integer_fraction", 1.0) < 0.99:
        warnings.warn(f"{where}: [expression] kind = \"counts\", but "
                      f"{100 * (1 - rep['integer_fraction']):.0f}% of the values are not whole "
                      "numbers (RSEM expected counts?); they are used as counts",
                      UserWarning, stacklevel=2)
    return rep


def matrix_preparation(cohort, cfg=None, study: str = "liu2023") -> dict[str, str]:
    """How a cohort's merged expression matrix is prepared for a study.

    The kind is the cohort's ``[expression] kind``; without one the ``[genomics]`` setting of
    the study is assumed, with a note saying so. Raw counts are library-size normalised
    (liu2023: counts per million; kim2020: its ``kim2020_normalization``, upper quartile by
    default); the other kinds are used as they are.

    Parameters
    ----------
    cohort : Cohort
        A loaded cohort.
    cfg : GenomicsConfig or None, default None
        ``[genomics]`` section (``None``: paper preset).
    study : {"liu2023", "kim2020"}, default "liu2023"
        Whose settings apply.

    Returns
    -------
    dict of str to str
        ``kind``, ``normalization`` and ``note`` (for the report).
    """
    cfg = cfg or default_genomics_config()
    kim = _check_study(study) == "kim2020"
    stated = getattr(cohort, "expression_kind", None)
    if stated is None:
        kind = cfg.kim2020_expression_kind if kim else cfg.expression_kind
        note = (f"cohort.toml does not say what the expression matrix holds ([expression] "
                f"kind); assumed \"{kind}\" (the [genomics] setting of study {study})")
    else:
        kind, note = stated, ""
    norm = cfg.kim2020_normalization if kim else cfg.normalization
    if kind != "counts":
        norm = "none"
    elif norm == "none":
        norm, why = _MATRIX_COUNTS_NORMALIZATION.get(study, ("cpm", "raw counts need a "
                                                             "library-size normalisation"))
        note = "; ".join(x for x in (note, why) if x)
    return {"kind": kind, "normalization": norm, "note": note}


def check_cohort_expression(cohort, cfg=None) -> str | None:
    """Check a cohort's merged expression matrix against its stated kind.

    Only when the matrix is the cohort's expression (no STAR-counts files); the kind is the
    cohort's ``[expression] kind``, or the one assumed without it.

    Parameters
    ----------
    cohort : Cohort
        A loaded cohort.
    cfg : GenomicsConfig or None, default None
        ``[genomics]`` section (``None``: paper preset).

    Returns
    -------
    str or None
        A one-line description of the check, or None when there is nothing to check.

    Raises
    ------
    ValueError
        If the values contradict the kind (the file named).
    """
    path = cohort.manifest.path("matrix")
    if path is None or cohort.manifest.path("star_counts") is not None:
        return None
    prep = matrix_preparation(cohort, cfg, "liu2023")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rep = check_expression_kind(cohort.expression("matrix"), prep["kind"],
                                    f"expression matrix {path}")
    said = "stated" if cohort.expression_kind is not None else "assumed"
    return (f"expression matrix: {prep['kind']} ({said}); values {rep['verdict']} scale "
            f"(99th percentile {rep['q99']:.3g})")


def cohort_expression(cohort, cfg=None, study: str = "liu2023") -> pd.DataFrame:
    """The cohort's patients × genes expression, prepared as ``cfg`` says (log2 scale).

    GDC STAR-counts files give the configured column; a merged matrix is prepared as its
    ``[expression] kind`` says (:func:`matrix_preparation`), after
    :func:`check_expression_kind`.

    Parameters
    ----------
    cohort : Cohort
        A loaded cohort (``c.expression(value)``).
    cfg : GenomicsConfig or None, default None
        ``[genomics]`` section (``None``: paper preset).
    study : {"liu2023", "kim2020"}, default "liu2023"
        Picks the value column and the preparation.

    Returns
    -------
    DataFrame, shape (n_patients, n_genes)
        log2 expression indexed by patient ID, gene symbols as columns.

    Raises
    ------
    ValueError
        If the matrix's values contradict its stated kind.
    """
    cfg = cfg or default_genomics_config()
    if cohort.manifest.path("star_counts") is None and cohort.manifest.path("matrix") is not None:
        prep = matrix_preparation(cohort, cfg, study)
        raw = cohort.expression("matrix")
        check_expression_kind(raw, prep["kind"], f"expression matrix "
                                                 f"{cohort.manifest.path('matrix')}")
        if prep["note"] and cohort.expression_kind is None:
            warnings.warn(prep["note"], UserWarning, stacklevel=2)
        return prepare_expression(raw, prep["kind"], prep["normalization"], cfg.pseudocount,
                                  cfg.duplicate_symbols, cfg.min_expression,
                                  cfg.min_expressed_fraction)
    value = (cfg.kim2020_expression_value if _check_study(study) == "kim2020"
             else cfg.expression_value)
    return prepare_from_config(cohort.expression(value), cfg, study)
