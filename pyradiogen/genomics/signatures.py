"""genefu signatures, module scores and subtypes from Python (computed in R).

The algorithms are the R package's re-implementation of genefu 2.39.1 (``r/R/genefu_*.R``;
Gendoo et al. 2016, *Bioinformatics* 32:1097); this module only moves data across :mod:`pyradiogen.rfuncs`.
Scores depend on the batch (genes are rescaled over the samples passed in), so score a whole
cohort in one call. R warnings (for example the genes a signature misses) arrive as
:class:`pyradiogen.rfuncs.RWarning`.

Inputs follow genefu's ``data``/``annot`` convention: ``expr`` is samples × probes (or genes) on
a log2 scale; ``annot`` has one row per probe with columns ``probe`` (the ``expr`` column
names), ``EntrezGene.ID`` and optionally a gene symbol column. Without ``annot`` the columns
are read as gene identifiers — gene symbols (mapped to Entrez IDs with org.Hs.eg.db), Entrez
Gene IDs, or TCGA's ``SYMBOL|ENTREZ`` — by :func:`gene_annotation`.

Risk columns (``*_risk``) have one coding across signatures: an ordered categorical ``Low <
Intermediate < High`` (OncotypeDX, whose genefu coding is 0/0.5/1, and rorS) or ``Low < High``
(EndoPredict, gene70, GGI; genefu's 0/1 with 1 = high risk). The score columns are genefu's
numbers, untouched.

A degenerate score is flagged, not changed: genefu's ``oncotypedx`` rescales each of its genes
to 0–15 over the batch and clamps the recurrence score to [0, 100]; on RNA-seq (not the
microarray scale the rescaling assumes) many samples sit at a bound (49 of 115 real TCGA-BRCA
patients at 100). Such samples are marked in ``oncotypedx_clamped`` and named in a
:class:`ClampedScoreWarning` (:func:`oncotypedx_clamped`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from .. import rfuncs
from ..resources import extdata

SYMBOL_COLUMNS = ("symbol", "gene_name", "Gene.Symbol", "gene_symbol", "SYMBOL", "Symbol",
                  "NCBI.gene.symbol", "HUGO.gene.symbol")
SIGNATURE_COLUMNS = ("oncotypedx", "oncotypedx_risk", "endoPredict", "endoPredict_risk", "rorS",
                     "rorS_risk", "gene70", "gene70_risk", "genius", "pik3cags", "ggi",
                     "ggi_risk", "tamr13", "ESR1", "ERBB2", "AURKA")
PAM50_CLASSES = ("Basal", "Her2", "LumB", "LumA", "Normal")
#: The bounds genefu's ``oncotypedx`` clamps the recurrence score to (``pmin(pmax(rs, 0), 100)``).
ONCOTYPEDX_BOUNDS = (0.0, 100.0)
SCM_CLASSES = ("ER-/HER2-", "HER2+", "ER+/HER2- High Prolif", "ER+/HER2- Low Prolif")


SIGNATURE_FILES = ("sig_oncotypedx.csv", "sig_endopredict.csv", "sig_gene70.csv",
                   "sig_gene76.csv", "sig_ggi.csv", "sig_pik3cags.csv", "sig_genius.csv",
                   "sig_tamr13.csv", "sig_tamr13_corrected.csv", "mod1.csv", "mod2.csv", "scmgene_robust_modules.csv",
                   "scmod1_robust_modules.csv", "scmod2_robust_modules.csv",
                   "pam50_centroids.csv", "ssp2003_centroids.csv", "ssp2006_centroids.csv")


@lru_cache(maxsize=1)
def signature_universe() -> tuple[frozenset[float], frozenset[str]]:
    """The Entrez IDs and probe IDs of every bundled signature, module and centroid table.

    Returns
    -------
    entrez : frozenset of float
        Entrez Gene IDs any signature can use.
    probes : frozenset of str
        Probe IDs any signature can use.
    """
    ids: set[float] = set()
    probes: set[str] = set()
    for name in SIGNATURE_FILES:
        tab = pd.read_csv(extdata("genefu", name), dtype={"probe": str, "probe.affy": str})
        ids.update(pd.to_numeric(tab["EntrezGene.ID"], errors="coerce").dropna().astype(float))
        for col in ("probe", "probe.affy"):
            if col in tab.columns:
                probes.update(tab[col].dropna().astype(str))
    return frozenset(ids), frozenset(probes)


@lru_cache(maxsize=1)
def signature_symbols() -> frozenset[str]:
    """Gene symbols and Entrez IDs of every bundled signature, module and centroid table.

    Returns
    -------
    frozenset of str
        The symbols and Entrez IDs (as text): what a column of an expression table named
        after a signature gene can be.
    """
    out: set[str] = set()
    for name in SIGNATURE_FILES:
        tab = pd.read_csv(extdata("genefu", name), dtype=str)
        for col in ("symbol", "NCBI.gene.symbol", "HUGO.gene.symbol", "EntrezGene.ID"):
            if col in tab.columns:
                out.update(v.strip() for v in tab[col].dropna() if v.strip())
    return frozenset(out - {"NA", "na"})


def _signature_columns(expr: pd.DataFrame, annot: pd.DataFrame | None,
                       do_mapping: bool) -> pd.DataFrame:
    """Keep only the columns any signature can use (the scores do not depend on the others)."""
    ids, probes = signature_universe()
    keep = np.array(expr.columns.isin(list(probes)), dtype=bool)  # gene76 matches probe names
    if do_mapping and annot is not None:
        keep |= np.array(annot["EntrezGene.ID"].isin(ids), dtype=bool)
    if not keep.any():
        keep[0] = True  # R still needs a matrix; every score will be NA with a warning
    return expr.loc[:, keep]


def check_inputs(expr: pd.DataFrame, annot: pd.DataFrame | None,
                 do_mapping: bool = True) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Validate genefu inputs; return float ``expr`` and ``annot`` aligned to its columns.

    Parameters
    ----------
    expr : DataFrame, shape (n_samples, n_probes)
        log2 expression, samples as rows (genefu's ``data``).
    annot : DataFrame or None
        genefu's ``annot``: ``probe`` and ``EntrezGene.ID`` per column of ``expr``; needed
        with ``do_mapping``.
    do_mapping : bool, default True
        Map genes through Entrez IDs (genefu's ``do.mapping``); without it ``annot`` is not
        used and ``None`` is returned for it.

    Returns
    -------
    expr : DataFrame, shape (n_samples, n_probes)
        As float, string sample and probe names.
    annot : DataFrame or None
        One row per probe, duplicates dropped; ``None`` without mapping.

    Raises
    ------
    TypeError
        If ``expr`` is not a DataFrame.
    ValueError
        Non-numeric columns, duplicated sample or probe names, or a missing ``annot`` or
        ``annot`` column with ``do_mapping`` (each named).
    """
    if not isinstance(expr, pd.DataFrame):
        raise TypeError("expr must be a pandas DataFrame (samples as rows, probes as columns)")
    bad = [c for c, t in expr.dtypes.items() if not pd.api.types.is_numeric_dtype(t)]
    if bad:
        raise ValueError(f"expression columns {bad[:5]} are not numeric; the expression table "
                         "must hold samples as rows and probes/genes as columns")
    if expr.columns.duplicated().any():
        dup = expr.columns[expr.columns.duplicated()].unique().tolist()
        raise ValueError(f"duplicated probe columns {dup[:5]}; make probe IDs unique")
    if expr.index.duplicated().any():
        dup = expr.index[expr.index.duplicated()].unique().tolist()
        raise ValueError(f"duplicated sample IDs {dup[:5]}; make sample IDs unique")
    expr = expr.astype(float)
    expr.index = expr.index.map(str)
    expr.columns = expr.columns.map(str)
    if annot is None:
        if do_mapping:
            raise ValueError("do_mapping=True needs an annotation table with columns probe and "
                             "EntrezGene.ID")
        return expr, None
    missing_cols = [c for c in ("probe", "EntrezGene.ID") if c not in annot.columns]
    if missing_cols:
        raise ValueError(f"annotation lacks column(s) {missing_cols} (has {list(annot.columns)}); "
                         "genefu's annot needs probe and EntrezGene.ID")
    annot = annot.copy()
    annot["probe"] = annot["probe"].astype(str)
    annot = annot.drop_duplicates("probe")
    if not do_mapping:
        return expr, None  # without mapping genefu matches signature probes to column names
    probes = set(annot["probe"])
    if not set(expr.columns) & probes and set(expr.index) & probes:
        raise ValueError("the probes are the expression rows: transpose the table so samples "
                         "are rows and probes are columns")
    absent = [c for c in expr.columns if c not in probes]
    if absent:
        raise ValueError(f"{len(absent)} expression columns have no annotation row, e.g. "
                         f"{absent[:5]}; add them to the annotation's probe column")
    annot = annot.set_index("probe", drop=False).loc[list(expr.columns)].reset_index(drop=True)
    ids = pd.to_numeric(annot["EntrezGene.ID"], errors="coerce")
    annot["EntrezGene.ID"] = ids.astype(float)
    keep = ["probe", "EntrezGene.ID"] + [c for c in SYMBOL_COLUMNS if c in annot.columns][:1]
    return expr, annot[keep]


TAMR13_TABLES = ("genefu", "corrected")


class ClampedScoreWarning(UserWarning):
    """Samples whose OncotypeDX recurrence score is genefu's clamp bound (0 or 100)."""


def oncotypedx_clamped(score: pd.Series | np.ndarray) -> pd.Series:
    """Which OncotypeDX recurrence scores sit at genefu's clamp bound (0 or 100).

    genefu 2.39.1's ``oncotypedx`` (with ``do.scaling = TRUE``, its default) rescales each
    gene to 0–15 over the samples scored together, then clamps the recurrence score to
    [0, 100] (:data:`ONCOTYPEDX_BOUNDS`). A score at a bound is not a measured value: the
    unclamped score lay beyond it, by an unknown amount. The rescaling assumes
    microarray-scale data; RNA-seq input often saturates it.

    Parameters
    ----------
    score : Series or ndarray, shape (n_samples,)
        OncotypeDX recurrence scores as genefu returns them.

    Returns
    -------
    Series of boolean, shape (n_samples,)
        True at a bound, False inside, ``<NA>`` where the score is missing; indexed as
        ``score`` (a Series) or by position.

    References
    ----------
    .. [1] Paik S, Shak S, Tang G, et al. A multigene assay to predict recurrence of
       tamoxifen-treated, node-negative breast cancer. *N Engl J Med* 351(27), 2817–2826
       (2004).
    .. [2] Gendoo DMA, Ratanasirigulchai N, Schröder MS, et al. Genefu: an R/Bioconductor
       package for computation of gene expression-based signatures in breast cancer.
       *Bioinformatics* 32(7), 1097–1099 (2016); genefu 2.39.1 ``oncotypedx``.
    """
    s = pd.Series(score) if not isinstance(score, pd.Series) else score
    v = pd.to_numeric(s, errors="coerce").astype(float)
    at = v.isin(ONCOTYPEDX_BOUNDS)
    out = pd.array(at.to_numpy(), dtype="boolean")
    out[v.isna().to_numpy()] = pd.NA
    return pd.Series(out, index=s.index, name="oncotypedx_clamped")


def clamped_message(score: pd.Series, column: str = "oncotypedx_clamped") -> str | None:
    """The warning naming the samples at genefu's OncotypeDX clamp bound (None if none).

    Parameters
    ----------
    score : Series, shape (n_samples,)
        OncotypeDX recurrence scores indexed by sample.
    column : str, default "oncotypedx_clamped"
        Where the samples are marked, for the message.

    Returns
    -------
    str or None
        How many samples sit at 100 and at 0, the first 10 named, and why.
    """
    flag = oncotypedx_clamped(score).fillna(False).astype(bool)
    if not flag.any():
        return None
    v = pd.to_numeric(score, errors="coerce")
    names = [str(i) for i in score.index[flag.to_numpy()]]
    n_hi = int((v == ONCOTYPEDX_BOUNDS[1]).sum())
    n_lo = int((v == ONCOTYPEDX_BOUNDS[0]).sum())
    scored = int(v.notna().sum())
    return (f"oncotypedx: {len(names)} of {scored} samples sit at genefu's clamp bound of the "
            f"recurrence score ({n_hi} at 100, {n_lo} at 0): {', '.join(names[:10])}"
            + (f" … (+{len(names) - 10})" if len(names) > 10 else "")
            + ". Their score is the bound, not a measured value: genefu rescales each gene to "
            "0-15 over the batch and clamps the score to [0, 100], a scaling made for "
            "microarray-scale data that RNA-seq input often saturates. The numbers are "
            f"genefu's, unchanged; {column} marks these samples.")


def compute_signatures(expr: pd.DataFrame, annot: pd.DataFrame | None = None,
                       do_mapping: bool = True,
                       hg: Sequence[float] | None = None, er: Sequence[float] | None = None,
                       modules: str = "mod1", pam50_model: str = "pam50.robust",
                       tamr13_table: str = "genefu") -> pd.DataFrame:
    """All genefu signatures, module scores and subtypes of a batch, one row per sample.

    Columns: ``oncotypedx``, ``endoPredict``, ``rorS``, ``gene70``, ``genius``, ``pik3cags``,
    ``ggi``, ``tamr13`` with ``<name>_risk`` where genefu gives a risk, ``oncotypedx_clamped``
    (boolean: the score is genefu's clamp bound 0 or 100, :func:`oncotypedx_clamped`; such
    samples are also named in a :class:`ClampedScoreWarning`), module scores ``ESR1``,
    ``ERBB2``, ``AURKA``, ``pam50_subtype`` and ``pam50_prob_<class>``, likewise ``scmgene_``,
    ``scmod1_``, ``scmod2_``; with ``er`` also ``gene76``/``gene76_risk``. Calls
    ``pyradiogen::pyradiogen_signatures`` in R, sending only the columns some signature can
    use (identical scores, far less to transfer). Risk columns are ordered categoricals
    ``Low`` (``Intermediate``) ``High``. Scores depend on the batch: score a whole cohort at
    once.

    Parameters
    ----------
    expr : DataFrame, shape (n_samples, n_probes)
        log2 expression, samples as rows (genefu's ``data``).
    annot : DataFrame or None, default None
        genefu's ``annot``: one row per column of ``expr`` with ``probe`` and
        ``EntrezGene.ID``; ``None`` reads the column names as gene identifiers
        (:func:`gene_annotation`).
    do_mapping : bool, default True
        Map genes through Entrez IDs (genefu's ``do.mapping``).
    hg : sequence of float or None, default None
        Histological grade per sample: gives the grade-rescaled GGI and ``ggi_risk``.
    er : sequence of float or None, default None
        ER status per sample (1/0): adds ``gene76``.
    modules : {"mod1", "mod2"}, default "mod1"
        Module set of the ESR1/ERBB2/AURKA scores (Desmedt 2008 or Wirapati 2008).
    pam50_model : str, default "pam50.robust"
        genefu's PAM50 centroid model.
    tamr13_table : {"genefu", "corrected"}, default "genefu"
        The TAMR13 gene table: genefu's ``sig.tamr13`` (faithful to genefu and the studies;
        60 of its 192 ``EntrezGene.ID`` values are not the genes' Entrez IDs, so R warns), or
        one with the Entrez IDs of the genes' symbols (``data-raw/README.md``).

    Returns
    -------
    DataFrame, shape (n_samples, n_columns)
        Indexed by ``sample``.

    Raises
    ------
    ValueError
        For invalid inputs (:func:`check_inputs`).
    RError
        If the R computation fails.

    References
    ----------
    .. [1] Gendoo DMA, Ratanasirigulchai N, Schröder MS, et al. Genefu: an R/Bioconductor
       package for computation of gene expression-based signatures in breast cancer.
       *Bioinformatics* 32(7), 1097–1099 (2016); genefu 2.39.1, re-implemented in the R
       package ``pyradiogen``.
    .. [2] Parker JS, Mullins M, Cheang MCU, et al. Supervised risk predictor of breast
       cancer based on intrinsic subtypes. *J Clin Oncol* 27(8), 1160–1167 (2009) (PAM50).
    """
    if tamr13_table not in TAMR13_TABLES:
        raise ValueError(f"tamr13_table must be one of {TAMR13_TABLES}, got {tamr13_table!r}")
    if annot is None and do_mapping and isinstance(expr, pd.DataFrame):
        annot = gene_annotation(expr.columns)
    expr, annot = check_inputs(expr, annot, do_mapping)
    sub = _signature_columns(expr, annot, do_mapping)
    if annot is not None:
        annot = annot[annot["probe"].isin(sub.columns)].reset_index(drop=True)
    expr = sub
    kw: dict[str, object] = {"do_mapping": bool(do_mapping), "modules": modules,
                             "pam50_model": pam50_model, "tamr13_table": tamr13_table}
    if hg is not None:
        kw["hg"] = np.asarray(hg, dtype=float)
    if er is not None:
        kw["er"] = np.asarray(er, dtype=float)
    res = rfuncs.signatures(expr, annot, **kw)
    res.index = pd.Index([str(i) for i in res.index], name="sample")
    if "oncotypedx" in res:
        at = list(res.columns).index("oncotypedx_risk" if "oncotypedx_risk" in res
                                     else "oncotypedx") + 1
        res.insert(at, "oncotypedx_clamped", oncotypedx_clamped(res["oncotypedx"]))
        msg = clamped_message(res["oncotypedx"])
        if msg:
            warnings.warn(msg, ClampedScoreWarning, stacklevel=2)
    return res


def call_signature(fun: str, expr: pd.DataFrame, annot: pd.DataFrame | None = None,
                   do_mapping: bool = True, **kwargs: object) -> dict:
    """Call one genefu function of the R package (``"oncotypedx"``, ``"rorS"``, …).

    Parameters
    ----------
    fun : str
        The genefu function's name.
    expr : DataFrame, shape (n_samples, n_probes)
        log2 expression, samples as rows (genefu's ``data``).
    annot : DataFrame or None, default None
        genefu's ``annot``: one row per column of ``expr`` with ``probe`` and
        ``EntrezGene.ID``; ``None`` reads the column names as gene identifiers
        (:func:`gene_annotation`).
    do_mapping : bool, default True
        Map genes through Entrez IDs (genefu's ``do.mapping``).
    **kwargs : object
        Passed on with ``_`` turned into ``.`` (``do_scaling`` → ``do.scaling``);
        ``call_signature("tamr13", ..., table="corrected")`` uses the corrected TAMR13 table.

    Returns
    -------
    dict
        R's list converted: ``score``, ``risk`` … as pandas Series indexed by sample; for
        ``"oncotypedx"`` also ``clamped`` (:func:`oncotypedx_clamped`, a
        :class:`ClampedScoreWarning` naming the samples at a bound).

    References
    ----------
    .. [1] Gendoo DMA, Ratanasirigulchai N, Schröder MS, et al. Genefu: an R/Bioconductor
       package for computation of gene expression-based signatures in breast cancer.
       *Bioinformatics* 32(7), 1097–1099 (2016); genefu 2.39.1, re-implemented in the R
       package ``pyradiogen``.
    """
    if fun not in rfuncs.GENEFU_FUNCTIONS:
        raise ValueError(f"unknown genefu signature {fun!r}; one of "
                         f"{', '.join(rfuncs.GENEFU_FUNCTIONS)}")
    expr, annot = check_inputs(expr, annot, do_mapping)
    if fun == "gene76":  # gene76 takes no annotation and has no mapping
        res = rfuncs.gene76(expr, **kwargs)
    else:
        res = rfuncs.GENEFU_FUNCTIONS[fun](expr, annot, do_mapping=bool(do_mapping), **kwargs)
    res = res if isinstance(res, dict) else {"score": res}
    if fun == "oncotypedx" and isinstance(res.get("score"), pd.Series):
        res["clamped"] = oncotypedx_clamped(res["score"])
        msg = clamped_message(res["score"], column="the result's 'clamped'")
        if msg:
            warnings.warn(msg, ClampedScoreWarning, stacklevel=2)
    return res


def annotation_from_genes(columns: Sequence[str], genes: pd.DataFrame,
                          symbol_col: str = "gene_name", entrez_col: str = "entrez",
                          map_missing: bool = True) -> pd.DataFrame:
    """genefu ``annot`` for an expression table whose columns are gene symbols.

    Its Entrez IDs are used where it has one. With ``map_missing`` (default) the other
    symbols are mapped with org.Hs.eg.db as :func:`gene_annotation` does (a cohort without a
    gene table — GDC STAR counts, a matrix of symbols — knows Entrez IDs only for the symbols
    of the bundled genefu tables, which are often outdated: ``CTSL2`` for today's ``CTSV``);
    without it, or where org.Hs.eg.db does not know a symbol, ``EntrezGene.ID`` is missing
    (the symbol never maps).

    Parameters
    ----------
    columns : sequence of str, length n_genes
        The expression table's column names (symbols).
    genes : DataFrame
        A gene table such as a cohort's ``c.genes`` (columns ``gene_name``, ``entrez``).
    symbol_col : str, default "gene_name"
        Its symbol column.
    entrez_col : str, default "entrez"
        Its Entrez ID column.
    map_missing : bool, default True
        Map symbols without an Entrez ID in ``genes`` with org.Hs.eg.db.

    Returns
    -------
    DataFrame, shape (n_genes, 2)
        ``probe`` (the column names) and ``EntrezGene.ID`` (float; NaN for symbols without
        an Entrez ID, which never map).
    """
    table = pd.DataFrame({
        "symbol": genes[symbol_col].astype("string"),
        "entrez": pd.to_numeric(genes[entrez_col], errors="coerce").astype("float64"),
    }).dropna(subset=["symbol"])
    # a symbol listed several times keeps its first row that has an Entrez ID
    table = table.sort_values("entrez", key=lambda s: s.isna(), kind="stable")
    table = table.drop_duplicates("symbol")
    lookup = dict(zip(table["symbol"].astype(str), table["entrez"]))
    cols = [str(c) for c in columns]
    entrez = [float(lookup.get(c, np.nan)) for c in cols]
    unknown = [c for c, e in zip(cols, entrez) if np.isnan(e)]
    if map_missing and unknown:
        fallback = pd.DataFrame({"gene_name": table["symbol"].astype(str),
                                 "entrez": table["entrez"]})
        mapped = gene_annotation(unknown, genes_table=fallback)
        extra = dict(zip(mapped["probe"], mapped["EntrezGene.ID"]))
        entrez = [extra.get(c, e) if np.isnan(e) else e for c, e in zip(cols, entrez)]
    return pd.DataFrame({"probe": cols, "EntrezGene.ID": entrez, "symbol": cols})


#: a column named by an Entrez Gene ID
_ENTREZ = re.compile(r"^\d+$")


def gene_annotation(columns: Sequence[str], use_r: bool = True,
                    genes_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """genefu ``annot`` for expression columns named by gene identifiers.

    Each column name is read as an Entrez Gene ID (digits only), TCGA's ``SYMBOL|ENTREZ``
    (the Entrez part is used; ``?`` for an unknown part, as TCGA writes it) or a gene symbol,
    mapped to its Entrez ID with org.Hs.eg.db (``pyradiogen::map_gene_ids``, i.e.
    ``AnnotationDbi::mapIds(keytype = "SYMBOL")``, the first ID where a symbol has several;
    ``genes_table``, e.g. a cohort's ``c.genes``, is the fallback when R cannot map).

    Parameters
    ----------
    columns : sequence of str, length n_genes
        The expression table's column names.
    use_r, genes_table
        As :func:`pyradiogen.genomics.expression.symbols_to_entrez`.

    Returns
    -------
    pandas.DataFrame
        ``probe`` (the column names), ``EntrezGene.ID`` (float, NaN where unmapped) and
        ``symbol``, one row per column.

    Warns
    -----
    MappingWarning
        Once, naming the symbols org.Hs.eg.db does not know (they cannot enter a signature).

    References
    ----------
    Carlson M (2022). org.Hs.eg.db: Genome wide annotation for Human. Bioconductor 3.16.
    """
    from .expression import MappingWarning, symbols_to_entrez

    cols = [str(c) for c in columns]
    entrez: list[float] = []
    symbols: list[str | None] = []
    to_map: list[str] = []
    for c in cols:
        sym, _, eid = c.rpartition("|") if "|" in c else ("", "", c)
        sym = None if sym.strip() in ("", "?") else sym.strip()
        if _ENTREZ.match(eid.strip()) and int(eid) > 0:
            entrez.append(float(eid))
            symbols.append(sym)
            continue
        if "|" not in c:
            sym = c.strip() or None
        entrez.append(np.nan)
        symbols.append(sym)
        if sym is not None:
            to_map.append(sym)
    if to_map:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ids = symbols_to_entrez(list(dict.fromkeys(to_map)), genes_table, use_r)
        for w in caught:
            if not issubclass(w.category, MappingWarning) or "not mapped" not in str(w.message):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        lookup = {k: (float(v) if pd.notna(v) else np.nan) for k, v in ids.items()}
        entrez = [lookup.get(s, np.nan) if np.isnan(e) and s is not None else e
                  for e, s in zip(entrez, symbols)]
        unmapped = [s for s in dict.fromkeys(to_map) if np.isnan(lookup.get(s, np.nan))]
        if unmapped:
            warnings.warn(f"{len(unmapped)} of {len(set(to_map))} gene symbols have no Entrez "
                          f"ID in org.Hs.eg.db and cannot enter a signature: "
                          f"{', '.join(unmapped[:10])}{' …' if len(unmapped) > 10 else ''} "
                          "(give an annotation table for aliases or outdated symbols)",
                          MappingWarning, stacklevel=2)
    return pd.DataFrame({"probe": cols, "EntrezGene.ID": np.asarray(entrez, dtype=float),
                         "symbol": pd.array(symbols, dtype="string")})
