"""genefu signatures, module scores and subtypes from Python (computed in R).

The algorithms are the R package's re-implementation of genefu (``r/R/genefu_*.R``, spec
``shared/specs/genefu.md``); this module only moves data across :mod:`pyradiogen.rfuncs`.
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
SCM_CLASSES = ("ER-/HER2-", "HER2+", "ER+/HER2- High Prolif", "ER+/HER2- Low Prolif")


SIGNATURE_FILES = ("sig_oncotypedx.csv", "sig_endopredict.csv", "sig_gene70.csv",
                   "sig_gene76.csv", "sig_ggi.csv", "sig_pik3cags.csv", "sig_genius.csv",
                   "sig_tamr13.csv", "sig_tamr13_corrected.csv", "mod1.csv", "mod2.csv", "scmgene_robust_modules.csv",
                   "scmod1_robust_modules.csv", "scmod2_robust_modules.csv",
                   "pam50_centroids.csv", "ssp2003_centroids.csv", "ssp2006_centroids.csv")


@lru_cache(maxsize=1)
def signature_universe() -> tuple[frozenset[float], frozenset[str]]:
    """Entrez IDs and probe IDs of every bundled signature, module and centroid table."""
    ids: set[float] = set()
    probes: set[str] = set()
    for name in SIGNATURE_FILES:
        tab = pd.read_csv(extdata("genefu", name), dtype={"probe": str, "probe.affy": str})
        ids.update(pd.to_numeric(tab["EntrezGene.ID"], errors="coerce").dropna().astype(float))
        for col in ("probe", "probe.affy"):
            if col in tab.columns:
                probes.update(tab[col].dropna().astype(str))
    return frozenset(ids), frozenset(probes)


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
    """Validate ``expr``/``annot``; return float ``expr`` and ``annot`` aligned to its columns."""
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


def compute_signatures(expr: pd.DataFrame, annot: pd.DataFrame | None = None,
                       do_mapping: bool = True,
                       hg: Sequence[float] | None = None, er: Sequence[float] | None = None,
                       modules: str = "mod1", pam50_model: str = "pam50.robust",
                       tamr13_table: str = "genefu") -> pd.DataFrame:
    """All genefu signatures for a batch: one row per sample (index ``sample``).

    Columns: ``oncotypedx``, ``endoPredict``, ``rorS``, ``gene70``, ``genius``, ``pik3cags``,
    ``ggi``, ``tamr13`` with ``<name>_risk`` where genefu gives a risk, module scores ``ESR1``,
    ``ERBB2``, ``AURKA`` (``modules``: "mod1" or "mod2"), ``pam50_subtype`` and
    ``pam50_prob_<class>`` (model ``pam50_model``), likewise ``scmgene_``, ``scmod1_``,
    ``scmod2_``; with ``er`` also ``gene76``/``gene76_risk``. ``hg`` (grade per sample) gives the
    grade-rescaled GGI and ``ggi_risk``. Calls ``pyradiogen::pyradiogen_signatures`` in R,
    sending only the columns some signature can use (identical scores, far less to transfer).

    ``annot`` of ``None`` (with ``do_mapping``) reads the column names as gene identifiers:
    symbols, Entrez IDs or ``SYMBOL|ENTREZ`` (:func:`gene_annotation`; symbols that
    org.Hs.eg.db does not know are named once in a :class:`~.expression.MappingWarning`).
    Risk columns are ordered categoricals ``Low`` (``Intermediate``) ``High`` (module
    docstring).

    ``tamr13_table`` chooses the TAMR13 gene table: ``"genefu"`` (default, faithful to genefu
    and to the studies that used it) is genefu's ``sig.tamr13``, whose ``EntrezGene.ID`` column
    holds numbers that are not Entrez IDs for 60 of its 192 genes (and none for 19 more), so
    with ``do_mapping`` some TAMR13 clusters are scored with other genes' data; R warns
    (:class:`pyradiogen.rfuncs.RWarning`). ``"corrected"`` uses the Entrez IDs of the genes'
    symbols (org.Hs.eg.db; ``data-raw/README.md`` records the check of every bundled table
    and the size of the difference on real TCGA data).
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
    return res


def call_signature(fun: str, expr: pd.DataFrame, annot: pd.DataFrame | None = None,
                   do_mapping: bool = True, **kwargs: object) -> dict:
    """Call one genefu function of the R package (``"oncotypedx"``, ``"rorS"``, ...).

    Returns R's list converted to a dict (``score``, ``risk``, ... as pandas Series). Extra
    keyword arguments are passed on with ``_`` turned into ``.`` (``do_scaling`` → ``do.scaling``);
    ``call_signature("tamr13", ..., table="corrected")`` uses the corrected TAMR13 table (see
    :func:`compute_signatures`).
    """
    if fun not in rfuncs.GENEFU_FUNCTIONS:
        raise ValueError(f"unknown genefu signature {fun!r}; one of "
                         f"{', '.join(rfuncs.GENEFU_FUNCTIONS)}")
    expr, annot = check_inputs(expr, annot, do_mapping)
    if fun == "gene76":  # gene76 takes no annotation and has no mapping
        res = rfuncs.gene76(expr, **kwargs)
    else:
        res = rfuncs.GENEFU_FUNCTIONS[fun](expr, annot, do_mapping=bool(do_mapping), **kwargs)
    return res if isinstance(res, dict) else {"score": res}


def annotation_from_genes(columns: Sequence[str], genes: pd.DataFrame,
                          symbol_col: str = "gene_name", entrez_col: str = "entrez") -> pd.DataFrame:
    """genefu ``annot`` for an expression table whose columns are gene symbols.

    ``genes`` is a gene table such as a cohort's ``c.genes`` (columns ``gene_name``, ``entrez``);
    symbols without an Entrez ID get a missing ``EntrezGene.ID`` (they never map).
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
    return pd.DataFrame({"probe": cols,
                         "EntrezGene.ID": [float(lookup.get(c, np.nan)) for c in cols],
                         "symbol": cols})


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
