"""Typed Python wrappers of the R functions pyradiogen calls.

Typed Python wrappers of the R functions pyradiogen calls: the one door to R besides
:mod:`pyradiogen.rbridge`.

One function per R function, named as the R function (``sig.score`` → :func:`sig_score`;
``pyradiogen_`` prefixes dropped where the R name carries one). Each wrapper converts its
arguments (a :class:`pandas.DataFrame` becomes a matrix with dimnames, an ndarray a matrix
without), calls R through :func:`pyradiogen.rbridge.rcall` and returns Python objects; its
docstring names the R function and the R package and version it matches. The R package
``pyradiogen`` (``r/``) is installed and loaded on first use
(:func:`pyradiogen.rbridge.require_r_package`). R errors raise :class:`RError`, R warnings
become :class:`RWarning` warnings.

No other module of the package imports :mod:`rpy2` or calls the bridge's call functions
(``tests/test_rlibrary.py`` checks); they import what they need from here, including the
exception classes and the session helpers (:func:`set_seed`, :func:`r_version` …).

Versions matched (Debian's R 4.2.2 build used by the project): R ``stats`` 4.2.2, nlme
3.1-162, glmnet 4.1-6, nnet 7.3-18, ROCR 1.0-11, GSVA 1.46.0, AnnotationDbi 1.60.0 with
org.Hs.eg.db 3.16.0; the genefu 2.39.1, irr 0.84.1, biglasso 1.5 and ClassifyR 3.0 stand-ins
of the R package pyradiogen (``r/R``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .rbridge import (
    RError,
    RMatrix,
    RPackageUnavailableError,
    RUnavailableError,
    RWarning,
    last_seed,
    r_package_versions,
    r_started,
    r_version,
    require_r_package,
    session_info,
    set_seed,
)

__all__ = [
    # bridge objects and session helpers (re-exported: the rest of the package imports them here)
    "RError", "RWarning", "RUnavailableError", "RPackageUnavailableError", "RMatrix",
    "set_seed", "last_seed", "r_version", "r_package_versions", "session_info", "r_started",
    "require_r_package",
    # R's stats package
    "fisher_test", "kruskal_test", "cor_test", "p_adjust",
    # the R package pyradiogen
    "lme_batch", "icc", "icc_all", "icc_many", "signatures", "oncotypedx", "endoPredict",
    "ggi", "genius", "gene70", "gene76", "pik3cags", "tamr13", "rorS", "gsva_ssgsea",
    "map_gene_ids", "hclust_clusters", "author_split", "rocr_auc", "rocr_roc",
    "selection_frequency", "nnet_predict", "biglasso_glmnet", "lasso_author", "lasso_split",
    "lasso_loo", "lasso_loo_predict", "lasso_cv_predict",
    "lasso_nested_loo_predict", "spearman_pvalues", "glmnet_binomial_path", "psych_icc2",
    "r_gc",
]

MatrixLike = pd.DataFrame | np.ndarray | RMatrix


def _call(fun: str, *args: Any, **kwargs: Any) -> Any:
    from .rbridge import rcall

    return rcall(fun, *args, **kwargs)


def _matrix(x: MatrixLike) -> RMatrix:
    """A numeric R matrix: a DataFrame keeps index and columns as dimnames."""
    if isinstance(x, RMatrix):
        return x
    if isinstance(x, pd.DataFrame):
        return RMatrix.from_frame(x)
    arr = np.asarray(x, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"a matrix needs 2 dimensions, got shape {arr.shape}")
    return RMatrix(arr)


def _dotted(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Python keyword names to R argument names (``do_mapping`` → ``do.mapping``)."""
    return {k.replace("_", "."): v for k, v in kwargs.items()}


# =========================================================================== R stats


def fisher_test(table: np.ndarray | Sequence[Sequence[int]], workspace: int = 2_000_000,
                simulate: int | None = None, seed: int | None = None) -> dict[str, Any]:
    """R's ``stats::fisher.test(x, workspace = workspace)`` of a contingency table.

    Parameters
    ----------
    table : array of int, shape (r, c)
        Counts.
    workspace : int
        R's ``workspace`` (the network algorithm's memory, in 4-byte units).
    simulate : int or None, default None
        When given, R's Monte Carlo p-value instead of the exact one:
        ``fisher.test(x, simulate.p.value = TRUE, B = simulate)`` (Patefield's random tables).
    seed : int or None, default None
        ``set.seed`` before a Monte Carlo p-value (:func:`set_seed`).

    Returns
    -------
    dict
        R's ``htest`` list: ``p.value``, ``alternative``, ``method`` and, for 2 × 2 tables,
        ``estimate`` and ``conf.int``.

    References
    ----------
    R Core Team, ``fisher.test`` in R's stats package (R 4.2.2); Mehta CR, Patel NR (1986),
    *ACM Trans. Math. Softw.* 12:154–161 (the network algorithm).
    """
    x = np.asarray(table, dtype=np.int64)
    if simulate is not None:
        if seed is not None:
            set_seed(int(seed))
        return _call("stats::fisher.test", x, **_dotted({"simulate_p_value": True,
                                                        "B": int(simulate)}))
    return _call("stats::fisher.test", x, workspace=int(workspace))


def kruskal_test(x: Sequence[float] | np.ndarray, g: Sequence[Any] | np.ndarray
                 ) -> dict[str, float]:
    """R's ``stats::kruskal.test(x, g)``: the Kruskal–Wallis rank-sum test.

    Parameters
    ----------
    x : array of float, shape (n,)
        Values (``NA`` allowed; R drops them with their group).
    g : array, shape (n,)
        Group of each value (sent as character, so R makes a factor of it).

    Returns
    -------
    dict
        ``statistic`` (H, tie-corrected), ``df`` (groups − 1) and ``p_value`` (χ² upper
        tail).

    References
    ----------
    Kruskal WH, Wallis WA (1952). Use of ranks in one-criterion variance analysis. *JASA*
    47:583–621. R Core Team, ``kruskal.test`` (R 4.2.2 stats).
    """
    groups = pd.Series(np.asarray(g, dtype=object)).astype("string")
    res = _call("stats::kruskal.test", np.asarray(x, dtype=float), groups)
    return {"statistic": float(np.atleast_1d(res["statistic"])[0]),
            "df": float(np.atleast_1d(res["parameter"])[0]), "p_value": float(res["p.value"])}


def cor_test(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray,
             method: str = "spearman", exact: bool | None = None) -> dict[str, float]:
    """R's ``stats::cor.test(x, y, method = method, exact = exact)`` (two-sided).

    Parameters
    ----------
    x, y : array of float, shape (n,)
        Paired values.
    method : {"spearman", "pearson", "kendall"}
        The correlation.
    exact : bool or None
        R's ``exact``: ``None`` is R's default (for Spearman, AS 89 for n < 1290 without
        ties); ``False`` the asymptotic t approximation.

    Returns
    -------
    dict
        ``estimate`` (rho, r or tau), ``statistic`` and ``p_value``.

    References
    ----------
    Best DJ, Roberts DE (1975). Algorithm AS 89. *Applied Statistics* 24:377–379.
    R Core Team, ``cor.test`` (R 4.2.2 stats).
    """
    kw: dict[str, Any] = {"method": method}
    if exact is not None:
        kw["exact"] = bool(exact)
    res = _call("stats::cor.test", np.asarray(x, dtype=float), np.asarray(y, dtype=float), **kw)
    return {"estimate": float(np.atleast_1d(res["estimate"])[0]),
            "statistic": float(np.atleast_1d(res["statistic"])[0]),
            "p_value": float(res["p.value"])}


def p_adjust(p: Sequence[float] | np.ndarray, method: str = "BH") -> np.ndarray:
    """R's ``stats::p.adjust(p, method = method)``; ``NaN`` is sent as ``NA`` and kept.

    Parameters
    ----------
    p : array of float, shape (m,)
        p-values.
    method : str
        ``"BH"`` (Benjamini–Hochberg), ``"bonferroni"``, ``"holm"`` … as R names them.

    Returns
    -------
    ndarray of float, shape (m,)
        Adjusted p-values.

    References
    ----------
    Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate. *JRSS B*
    57:289–300. R Core Team, ``p.adjust`` (R 4.2.2 stats).
    """
    out = _call("stats::p.adjust", np.asarray(p, dtype=float), method=str(method))
    return np.atleast_1d(np.asarray(out, dtype=float))


# =========================================================================== mixed models


def lme_batch(X: MatrixLike, G: pd.DataFrame, patient: Sequence[str], control: str = "default",
              na_action: str = "fail", start_lambda: np.ndarray | None = None) -> pd.DataFrame:
    """nlme's random-intercept LME of every feature against every GF.

    R ``pyradiogen::pyradiogen_lme_batch``: ``nlme::lme(X ~ G, random = ~1 | PatientID)``
    for every column of ``X`` against every column of ``G``.

    Parameters
    ----------
    X : DataFrame or RMatrix, shape (n_images, n_features)
        Image-level features (column names are the feature names).
    G : DataFrame, shape (n_patients, n_gfs)
        Patient-level GFs indexed by patient ID.
    patient : sequence of str, length n_images
        Patient ID of each row of ``X``.
    control : {"default", "code"}
        lme's defaults or the authors' ``lmeControl(maxIter = 1, niterEM = 1)``.
    na_action : {"fail", "omit"}
        ``na.fail`` or ``na.omit``.
    start_lambda : ndarray, optional
        Starting values of sigma_b² / sigma² (features × GFs).

    Returns
    -------
    DataFrame
        One row per pair: feature, gf, estimate, std_error, df, t, p (R's column name), lambda,
        loglik, error, warning.

    References
    ----------
    Pinheiro JC, Bates DM (2000). *Mixed-Effects Models in S and S-PLUS*. Springer (nlme
    3.1-162).
    """
    kw: dict[str, Any] = {"control": control, "na_action": na_action}
    if start_lambda is not None:
        kw["start_lambda"] = np.asarray(start_lambda, dtype=float)
    gmat = RMatrix(G.to_numpy(dtype=float), [str(i) for i in G.index], [str(c) for c in G.columns])
    pid = pd.Series(np.asarray(patient).astype(str))
    return pd.DataFrame(_call("pyradiogen::pyradiogen_lme_batch", _matrix(X), gmat, pid, **kw))


# =========================================================================== ICC (irr 0.84.1)


def icc(ratings: MatrixLike, model: str = "oneway", type: str = "consistency",
        unit: str = "single", r0: float = 0.0, conf_level: float = 0.95) -> dict[str, Any]:
    """R ``pyradiogen::icc``, irr 0.84.1's ``icc``: one intraclass correlation.

    Parameters
    ----------
    ratings : DataFrame or RMatrix, shape (n_subjects, n_raters)
        Complete ratings.
    model, type, unit : str
        ``"oneway"``/``"twoway"``, ``"consistency"``/``"agreement"``, ``"single"``/
        ``"average"``.
    r0 : float
        ICC under the null hypothesis.
    conf_level : float
        Confidence level.

    Returns
    -------
    dict
        irr's ``icclist`` (``subjects``, ``raters``, ``model``, ``type``, ``unit``,
        ``icc.name``, ``value``, ``r0``, ``Fvalue``, ``df1``, ``df2``, ``p.value``,
        ``conf.level``, ``lbound``, ``ubound``).

    References
    ----------
    Shrout PE, Fleiss JL (1979). Intraclass correlations. *Psychol Bull* 86:420–428;
    McGraw KO, Wong SP (1996). *Psychol Methods* 1:30–46.
    """
    return _call("pyradiogen::icc", _matrix(ratings), model=model, type=type, unit=unit,
                 r0=float(r0), **{"conf.level": float(conf_level)})


def icc_all(ratings: MatrixLike, r0: float = 0.0, conf_level: float = 0.95) -> pd.DataFrame:
    """R ``pyradiogen::icc_all``: the six ICC forms of irr 0.84.1's ``icc``, one row each.

    Parameters
    ----------
    ratings : DataFrame or RMatrix, shape (n_subjects, n_raters)
        Complete ratings.
    r0, conf_level : float
        As :func:`icc`.

    Returns
    -------
    DataFrame
        One row per form with the fields of :func:`icc` (R's dotted names).

    References
    ----------
    Shrout PE, Fleiss JL (1979). *Psychol Bull* 86:420–428.
    """
    return _call("pyradiogen::icc_all", _matrix(ratings), r0=float(r0),
                 **{"conf.level": float(conf_level)})


def icc_many(ratings_list: Mapping[str, MatrixLike], model: str = "twoway",
             type: str = "agreement", unit: str = "single", conf_level: float = 0.95
             ) -> pd.DataFrame:
    """R ``pyradiogen::icc_many``: irr 0.84.1's ``icc`` of many ratings tables in one call.

    Parameters
    ----------
    ratings_list : mapping of str to DataFrame or RMatrix
        Name → complete ratings (subjects × raters).
    model, type, unit, conf_level
        As :func:`icc`.

    Returns
    -------
    DataFrame
        One row per table: ``name``, ``value`` and the other fields of :func:`icc`.

    References
    ----------
    Shrout PE, Fleiss JL (1979). *Psychol Bull* 86:420–428.
    """
    mats = {str(k): _matrix(v) for k, v in ratings_list.items()}
    return _call("pyradiogen::icc_many", mats, model=model, type=type, unit=unit,
                 **{"conf.level": float(conf_level)})


# =========================================================================== genefu 2.39.1


def signatures(data: MatrixLike, annot: pd.DataFrame | None, **kwargs: Any) -> pd.DataFrame:
    """R ``pyradiogen::pyradiogen_signatures``: every genefu 2.39.1 signature of a batch.

    Parameters
    ----------
    data : DataFrame, shape (n_samples, n_probes)
        Expression (log2), probes or Entrez IDs as columns.
    annot : DataFrame or None
        genefu annotation (``probe``, ``EntrezGene.ID`` …).
    **kwargs
        R arguments with ``_`` for ``.`` (``do_mapping``, ``hg``, ``er``, ``modules``,
        ``pam50_model``, ``tamr13_table``).

    Returns
    -------
    DataFrame
        One row per sample: scores, risks and subtype calls (see
        :func:`pyradiogen.genomics.signatures.compute_signatures`).

    References
    ----------
    Gendoo DMA et al. (2016). Genefu. *Bioinformatics* 32:1097–1099 (genefu 2.39.1).
    """
    return _call("pyradiogen::pyradiogen_signatures", _matrix(data), annot, **_dotted(kwargs))


def _genefu(fun: str, data: MatrixLike, annot: pd.DataFrame | None, kwargs: Mapping[str, Any]
            ) -> Any:
    return _call(f"pyradiogen::{fun}", _matrix(data), annot, **_dotted(kwargs))


def oncotypedx(data: MatrixLike, annot: pd.DataFrame | None, **kwargs: Any) -> Any:
    """R ``pyradiogen::oncotypedx``, genefu 2.39.1's ``oncotypedx``.

    Parameters
    ----------
    data : DataFrame, shape (n_samples, n_probes)
        Expression (log2), probes or Entrez IDs as columns.
    annot : DataFrame or None
        genefu annotation (``probe``, ``EntrezGene.ID`` …).
    **kwargs
        R arguments with ``_`` for ``.``: ``do_mapping``, ``do_scaling``.

    Returns
    -------
    dict
        R's list: ``score``, ``risk``, ``mapping``, ``probe``. ``score`` is clamped to
        [0, 100] as genefu does; :func:`pyradiogen.genomics.signatures.call_signature` and
        ``compute_signatures`` flag the samples at a bound (``oncotypedx_clamped``).

    References
    ----------
    Paik S et al. (2004). A multigene assay to predict recurrence of tamoxifen-treated, node-
    negative breast cancer. *N Engl J Med* 351:2817–2826.
    """
    return _genefu("oncotypedx", data, annot, kwargs)

def endoPredict(data: MatrixLike, annot: pd.DataFrame | None, **kwargs: Any) -> Any:  # noqa: N802
    """R ``pyradiogen::endoPredict``, genefu 2.39.1's ``endoPredict``.

    Parameters
    ----------
    data : DataFrame, shape (n_samples, n_probes)
        Expression (log2), probes or Entrez IDs as columns.
    annot : DataFrame or None
        genefu annotation (``probe``, ``EntrezGene.ID`` …).
    **kwargs
        R arguments with ``_`` for ``.``: ``do_mapping``.

    Returns
    -------
    dict
        R's list: ``score``, ``risk``, ``mapping``, ``probe``.

    References
    ----------
    Filipits M et al. (2011). A new molecular predictor of distant recurrence in ER-positive,
    HER2-negative breast cancer. *Clin Cancer Res* 17:6012–6020.
    """
    return _genefu("endoPredict", data, annot, kwargs)

def ggi(data: MatrixLike, annot: pd.DataFrame | None, **kwargs: Any) -> Any:
    """R ``pyradiogen::ggi``, genefu 2.39.1's ``ggi``.

    Parameters
    ----------
    data : DataFrame, shape (n_samples, n_probes)
        Expression (log2), probes or Entrez IDs as columns.
    annot : DataFrame or None
        genefu annotation (``probe``, ``EntrezGene.ID`` …).
    **kwargs
        R arguments with ``_`` for ``.``: ``do_mapping``, ``hg`` (histological grade per sample:
        the grade-rescaled score).

    Returns
    -------
    dict
        R's list: ``score``, ``risk``, ``mapping``, ``probe``.

    References
    ----------
    Sotiriou C et al. (2006). Gene expression profiling in breast cancer: understanding the
    molecular basis of histologic grade. *J Natl Cancer Inst* 98:262–272.
    """
    return _genefu("ggi", data, annot, kwargs)

def genius(data: MatrixLike, annot: pd.DataFrame | None, **kwargs: Any) -> Any:
    """R ``pyradiogen::genius``, genefu 2.39.1's ``genius``.

    Parameters
    ----------
    data : DataFrame, shape (n_samples, n_probes)
        Expression (log2), probes or Entrez IDs as columns.
    annot : DataFrame or None
        genefu annotation (``probe``, ``EntrezGene.ID`` …).
    **kwargs
        R arguments with ``_`` for ``.``: ``do_mapping``, ``do_scale``.

    Returns
    -------
    dict
        R's list: ``GENIUSM1``–``GENIUSM3``, ``score``.

    References
    ----------
    Haibe-Kains B et al. (2010). A fuzzy gene expression-based computational approach improves
    breast cancer prognostication. *Bioinformatics* 26:1440–1446.
    """
    return _genefu("genius", data, annot, kwargs)

def gene70(data: MatrixLike, annot: pd.DataFrame | None, **kwargs: Any) -> Any:
    """R ``pyradiogen::gene70``, genefu 2.39.1's ``gene70``.

    Parameters
    ----------
    data : DataFrame, shape (n_samples, n_probes)
        Expression (log2), probes or Entrez IDs as columns.
    annot : DataFrame or None
        genefu annotation (``probe``, ``EntrezGene.ID`` …).
    **kwargs
        R arguments with ``_`` for ``.``: ``do_mapping``, ``std``.

    Returns
    -------
    dict
        R's list: ``score``, ``risk``, ``mapping``, ``probe``.

    References
    ----------
    van 't Veer LJ et al. (2002). Gene expression profiling predicts clinical outcome of breast
    cancer. *Nature* 415:530–536.
    """
    return _genefu("gene70", data, annot, kwargs)

def gene76(data: MatrixLike, er: Sequence[float]) -> dict[str, Any]:
    """R ``pyradiogen::gene76``, genefu 2.39.1's ``gene76`` (no annotation, no mapping).

    Parameters
    ----------
    data : DataFrame, shape (n_samples, n_probes)
        Expression with Affymetrix probe IDs as columns.
    er : array of float, shape (n_samples,)
        ER status (0/1) of each sample.

    Returns
    -------
    dict
        R's list: ``score``, ``risk``.

    References
    ----------
    Wang Y et al. (2005). Gene-expression profiles to predict distant metastasis of
    lymph-node-negative primary breast cancer. *Lancet* 365:671–679.
    """
    return _call("pyradiogen::gene76", _matrix(data), er=np.asarray(er, dtype=float))

def pik3cags(data: MatrixLike, annot: pd.DataFrame | None, **kwargs: Any) -> Any:
    """R ``pyradiogen::pik3cags``, genefu 2.39.1's ``pik3cags``.

    Parameters
    ----------
    data : DataFrame, shape (n_samples, n_probes)
        Expression (log2), probes or Entrez IDs as columns.
    annot : DataFrame or None
        genefu annotation (``probe``, ``EntrezGene.ID`` …).
    **kwargs
        R arguments with ``_`` for ``.``: ``do_mapping``.

    Returns
    -------
    Series or dict
        The score per sample.

    References
    ----------
    Loi S et al. (2010). PIK3CA mutations associated with gene signature of low mTORC1 signaling
    and better outcomes in estrogen receptor-positive breast cancer. *PNAS* 107:10208–10213.
    """
    return _genefu("pik3cags", data, annot, kwargs)

def tamr13(data: MatrixLike, annot: pd.DataFrame | None, **kwargs: Any) -> Any:
    """R ``pyradiogen::tamr13``, genefu 2.39.1's ``tamr13``.

    Parameters
    ----------
    data : DataFrame, shape (n_samples, n_probes)
        Expression (log2), probes or Entrez IDs as columns.
    annot : DataFrame or None
        genefu annotation (``probe``, ``EntrezGene.ID`` …).
    **kwargs
        R arguments with ``_`` for ``.``: ``do_mapping``, ``table`` (``"genefu"`` or
        ``"corrected"`` Entrez IDs).

    Returns
    -------
    dict
        R's list: ``score``, ``risk``.

    References
    ----------
    Loi S et al. (2008). Predicting prognosis using molecular profiling in estrogen receptor-
    positive breast cancer treated with tamoxifen. *BMC Genomics* 9:239.
    """
    return _genefu("tamr13", data, annot, kwargs)

def rorS(data: MatrixLike, annot: pd.DataFrame | None, **kwargs: Any) -> Any:  # noqa: N802
    """R ``pyradiogen::rorS``, genefu 2.39.1's ``rorS``.

    Parameters
    ----------
    data : DataFrame, shape (n_samples, n_probes)
        Expression (log2), probes or Entrez IDs as columns.
    annot : DataFrame or None
        genefu annotation (``probe``, ``EntrezGene.ID`` …).
    **kwargs
        R arguments with ``_`` for ``.``: ``do_mapping``.

    Returns
    -------
    dict
        R's list: ``score``, ``risk``, ``mapping``, ``probe``.

    References
    ----------
    Parker JS et al. (2009). Supervised risk predictor of breast cancer based on intrinsic
    subtypes. *J Clin Oncol* 27:1160–1167.
    """
    return _genefu("rorS", data, annot, kwargs)


#: genefu function name (as :func:`pyradiogen.genomics.signatures.call_signature` takes it)
#: → wrapper of this module
GENEFU_FUNCTIONS = {"oncotypedx": oncotypedx, "endoPredict": endoPredict, "ggi": ggi,
                    "genius": genius, "gene70": gene70, "gene76": gene76,
                    "pik3cags": pik3cags, "tamr13": tamr13, "rorS": rorS}


# =========================================================================== GSVA, annotation


def gsva_ssgsea(expr: pd.DataFrame, gene_sets: Mapping[str, Sequence[str]], alpha: float = 0.25,
                normalize: bool = True, min_size: float = 1, max_size: float = np.inf
                ) -> pd.DataFrame:
    """ssGSEA scores by GSVA 1.46.0 (``gsva(method = "ssgsea")``).

    R ``pyradiogen::pyradiogen_ssgsea``: ``GSVA::gsva(expr, gene_sets, method = "ssgsea")``
    of GSVA 1.46.0.

    Parameters
    ----------
    expr : DataFrame, shape (n_genes, n_samples)
        Expression, genes as rows.
    gene_sets : mapping of str to sequence of str
        Set name → member genes (IDs as the rows of ``expr``).
    alpha : float
        GSVA's ``tau``.
    normalize : bool
        ``ssgsea.norm``.
    min_size, max_size : float
        ``min.sz``, ``max.sz``.

    Returns
    -------
    DataFrame, shape (n_sets_kept, n_samples)
        Enrichment scores.

    References
    ----------
    Barbie DA et al. (2009). *Nature* 462:108–112; Hänzelmann S, Castelo R, Guinney J (2013).
    GSVA. *BMC Bioinformatics* 14:7.
    """
    mat = RMatrix(expr.to_numpy(dtype=float), [str(g) for g in expr.index],
                  [str(c) for c in expr.columns])
    sets = {str(k): np.array([str(g) for g in v], dtype=object) for k, v in gene_sets.items()}
    res = _call("pyradiogen::pyradiogen_ssgsea", mat, sets, alpha=float(alpha),
                normalize=bool(normalize), min_size=float(min_size), max_size=float(max_size))
    return pd.DataFrame(res) if not isinstance(res, pd.DataFrame) else res


def map_gene_ids(keys: Sequence[str], column: str = "ENTREZID", keytype: str = "SYMBOL"
                 ) -> dict[str, str | None]:
    """Map gene identifiers with AnnotationDbi's ``mapIds`` on org.Hs.eg.db.

    R ``pyradiogen::map_gene_ids``: ``AnnotationDbi::mapIds(org.Hs.eg.db, keys, column,
    keytype, multiVals = "first")`` (AnnotationDbi 1.60.0, org.Hs.eg.db 3.16.0).

    Parameters
    ----------
    keys : sequence of str
        Identifiers of type ``keytype``.
    column, keytype : str
        What to return and what ``keys`` are (``"ENTREZID"``, ``"SYMBOL"``, ``"ALIAS"`` …).

    Returns
    -------
    dict
        key → mapped ID, ``None`` where unknown.

    References
    ----------
    Carlson M (2022). *org.Hs.eg.db: Genome wide annotation for Human* (3.16.0).
    """
    keys = [str(k) for k in keys]
    res = _call("pyradiogen::map_gene_ids", np.array(keys, dtype=object), column, keytype)
    vals = np.atleast_1d(res.to_numpy() if isinstance(res, pd.Series) else res)
    return {k: (None if v is None or pd.isna(v) else str(v)) for k, v in zip(keys, vals)}


# =========================================================================== clustering


def hclust_clusters(x: MatrixLike, k: int = 2, method: str = "complete") -> np.ndarray:
    """Cluster labels from R's ``cutree(hclust(dist(x), method), k)``.

    R ``pyradiogen::hclust_clusters``: ``cutree(hclust(dist(x), method), k)`` (R 4.2.2
    stats).

    Parameters
    ----------
    x : DataFrame or ndarray, shape (n, p)
        One row per object.
    k : int
        Number of clusters.
    method : str
        Linkage (``"complete"`` in study liu2023).

    Returns
    -------
    ndarray of int, shape (n,)
        Cluster labels 1…k.

    References
    ----------
    Murtagh F (1985). *Multidimensional Clustering Algorithms*. COMPSTAT Lectures 4
    (R's ``hclust``).
    """
    labs = _call("pyradiogen::hclust_clusters", _matrix(x), int(k), method)
    return np.atleast_1d(np.asarray(labs, dtype=np.int64))


# =========================================================================== splits and ROC


def author_split(n: int, frac: float = 0.7, seed: int = 101) -> np.ndarray:
    """The authors' random training rows: R's ``sample.int`` after ``set.seed``.

    R ``pyradiogen::author_split``: ``set.seed(seed); sample.int(n, floor(frac * n))``
    (R 4.2.2, Mersenne-Twister, Rejection sampling).

    Parameters
    ----------
    n : int
        Number of rows.
    frac : float
        Training fraction.
    seed : int
        R seed (101 in the authors' code).

    Returns
    -------
    ndarray of int, shape (floor(frac * n),)
        1-based training indices in the order R drew them.

    References
    ----------
    Liu Q, Hu P (2023). *Biomarker Research* 11:9 (the authors' code).
    """
    idx = _call("pyradiogen::author_split", int(n), float(frac), int(seed))
    return np.atleast_1d(np.asarray(idx, dtype=np.int64))


def rocr_auc(scores: Sequence[float], labels: Sequence[float]) -> float:
    """R ``pyradiogen::rocr_auc``: the AUC as ROCR 1.0-11's ``performance(pred, "auc")``.

    Parameters
    ----------
    scores, labels : array, shape (n,)
        Predictions and true classes (two values).

    Returns
    -------
    float
        The AUC.

    References
    ----------
    Sing T et al. (2005). ROCR. *Bioinformatics* 21:3940–3941.
    """
    return float(_call("pyradiogen::rocr_auc", np.asarray(scores, dtype=float),
                       np.asarray(labels, dtype=float)))


def rocr_roc(scores: Sequence[float], labels: Sequence[float]) -> pd.DataFrame:
    """R ``pyradiogen::rocr_roc``: ROCR 1.0-11's ROC curve (``fpr``, ``tpr`` per cutoff).

    Parameters
    ----------
    scores, labels : array, shape (n,)
        Predictions and true classes.

    Returns
    -------
    DataFrame
        ``fpr``, ``tpr``.

    References
    ----------
    Sing T et al. (2005). ROCR. *Bioinformatics* 21:3940–3941.
    """
    return _call("pyradiogen::rocr_roc", np.asarray(scores, dtype=float),
                 np.asarray(labels, dtype=float))


# =========================================================================== classifiers


def selection_frequency(x: MatrixLike, classes: Sequence[Any], permutations: int = 100,
                        folds: int = 5, version: str = "3.0", seed: int | None = 101
                        ) -> pd.Series:
    """Feature selection frequencies by ClassifyR 3.0's cross-validated DLDA.

    R ``pyradiogen::selection_frequency``: ClassifyR 3.0's
    ``distribution(runTests(x, classes))`` (DLDA, t-test ranking, balanced error).

    Parameters
    ----------
    x : DataFrame, shape (n_samples, n_features)
        Features.
    classes : sequence, length n_samples
        Class labels (sent as a factor).
    permutations, folds : int
        Repeats and folds of the resampling.
    version : {"3.0", "2.14", "2.12"}
        ClassifyR behaviour.
    seed : int or None
        R seed.

    Returns
    -------
    Series of float
        Percentage of splits selecting each feature (empty when none).

    References
    ----------
    Strbenac D et al. (2015). ClassifyR. *Bioinformatics* 31:1851–1853.
    """
    res = _call("pyradiogen::selection_frequency", _matrix(x),
                pd.Categorical(np.asarray(classes).astype(str)), permutations=int(permutations),
                folds=int(folds), version=version, seed=seed)
    return res.astype(float) if isinstance(res, pd.Series) else pd.Series(dtype=float)


def nnet_predict(xtrain: MatrixLike, ytrain: Sequence[float], xtest: MatrixLike, size: int = 35,
                 decay: float = 1e-5, maxit: int = 200, seed: int = 101,
                 engine: str = "fast") -> np.ndarray:
    """Fit R's single-hidden-layer ``nnet`` and predict a test set.

    R ``pyradiogen::nnet_predict``: ``nnet::nnet(x, y, size, decay, maxit)`` (nnet 7.3-18,
    logistic output) fitted after ``set.seed(seed)``, predictions for ``xtest``. The default
    engine refits the network in the R package's compiled code (``pyradiogen::nnet_fit``),
    whose weights and predictions are bit-identical to nnet's and which is several times
    faster for networks of thousands of weights.

    Parameters
    ----------
    xtrain : ndarray, shape (n_train, p)
    ytrain : array, shape (n_train,)
        0/1 classes.
    xtest : ndarray, shape (n_test, p)
    size, decay, maxit, seed
        nnet's settings and the R seed.
    engine : {"fast", "nnet"}, default "fast"
        ``"fast"``: the compiled refit (nnet's error function and R's BFGS minimiser
        ``vmmin``, the same floating-point operations in the same order); ``"nnet"``:
        ``nnet::nnet`` itself. Both give identical numbers.

    Returns
    -------
    ndarray of float, shape (n_test,)
        Predicted probabilities.

    Raises
    ------
    ValueError
        If ``engine`` is not ``"fast"`` or ``"nnet"``.

    References
    ----------
    Venables WN, Ripley BD (2002). *Modern Applied Statistics with S*, 4th ed. Springer.
    Nash JC (1990). *Compact Numerical Methods for Computers*, 2nd ed., Algorithm 21.
    """
    if engine not in ("fast", "nnet"):
        raise ValueError(f"engine must be 'fast' or 'nnet', not {engine!r}")
    out = _call("pyradiogen::nnet_predict", np.asarray(xtrain, float), np.asarray(ytrain, float),
                np.asarray(xtest, float), size=int(size), decay=float(decay), maxit=int(maxit),
                seed=int(seed), engine=engine)
    return np.atleast_1d(np.asarray(out, dtype=float))


# =========================================================================== lasso (glmnet 4.1-6)


def biglasso_glmnet(x: MatrixLike, y: Sequence[float], nlambda: int = 100,
                    lambda_min: float | None = None, thresh: float = 1e-12,
                    maxit: float = 1_000_000, saturation: float = 0.99) -> dict[str, Any]:
    """biglasso's lasso-logistic path, solved by glmnet on biglasso's lambda grid.

    R ``pyradiogen::biglasso_glmnet``: biglasso 1.5's lasso-logistic path solved by
    ``glmnet`` 4.1-6 on biglasso's lambda grid.

    Parameters
    ----------
    x : RMatrix or DataFrame, shape (n, p)
    y : array, shape (n,)
        0/1 classes.
    nlambda, lambda_min, thresh, maxit, saturation
        Path length, smallest lambda ratio, glmnet's tolerance and iteration limit, the
        deviance ratio where biglasso stops.

    Returns
    -------
    dict
        ``lambda``, ``a0``, ``beta`` (p × L), ``dev_ratio``.

    References
    ----------
    Zeng Y, Breheny P (2021). The biglasso package. *R Journal* 12:6–19; Friedman J, Hastie T,
    Tibshirani R (2010). *J Stat Softw* 33:1–22.
    """
    return _call("pyradiogen::biglasso_glmnet", _matrix(x), np.asarray(y, dtype=float),
                 nlambda=int(nlambda), lambda_min=lambda_min, thresh=float(thresh),
                 maxit=float(maxit), saturation=float(saturation))


def lasso_author(x: MatrixLike, y: Sequence[float], frac: float = 0.7, seed: int = 101,
                 nlambda: int = 20, nfolds: int = 5) -> dict[str, Any]:
    """The liu2023 authors' lasso script: split, cv.glmnet, biglasso path, test AUC/F1.

    R ``pyradiogen::lasso_author``: the liu2023 authors' lasso script (image-level
    ``sample.int`` split, ``cv.glmnet(type.measure = "auc")``, biglasso path, test AUC/F1).

    Parameters
    ----------
    x : RMatrix, shape (n, p)
    y : array, shape (n,)
    frac, seed, nlambda, nfolds
        Training fraction, R seed, path length, CV folds.

    Returns
    -------
    dict
        ``train`` (1-based rows), ``curve`` (lambda, nzero, auc, f1), ``cv``, ``prob``.

    References
    ----------
    Liu Q, Hu P (2023). *Biomarker Research* 11:9, Fig 4d–e; glmnet 4.1-6; ROCR 1.0-11.
    """
    return _call("pyradiogen::lasso_author", _matrix(x), np.asarray(y, dtype=float),
                 frac=float(frac), seed=int(seed), nlambda=int(nlambda), nfolds=int(nfolds))


def lasso_split(xtrain: MatrixLike, ytrain: Sequence[float], xtest: MatrixLike,
                ytest: Sequence[float], foldid: Sequence[int] | None = None, nlambda: int = 20,
                nfolds: int = 5, seed: int = 101) -> dict[str, Any]:
    """biglasso path on a training set, cv.glmnet lambda, evaluation on a test set.

    R ``pyradiogen::lasso_split``: biglasso path on a training set, ``cv.glmnet`` lambda
    (optionally with fixed ``foldid``), evaluation on a test set (glmnet 4.1-6, ROCR 1.0-11).

    Parameters
    ----------
    xtrain, xtest : RMatrix
    ytrain, ytest : array of 0/1
    foldid : array of int, optional
        Fold of each training row.
    nlambda, nfolds, seed
        Path length, CV folds, R seed.

    Returns
    -------
    dict
        ``curve`` and ``cv`` (``lambda_min``, ``nzero``, ``prob``, ``measure``).

    References
    ----------
    Friedman J, Hastie T, Tibshirani R (2010). *J Stat Softw* 33:1–22.
    """
    kw: dict[str, Any] = {"nlambda": int(nlambda), "nfolds": int(nfolds), "seed": int(seed)}
    if foldid is not None:
        kw["foldid"] = foldid
    return _call("pyradiogen::lasso_split", _matrix(xtrain), np.asarray(ytrain, dtype=float),
                 _matrix(xtest), np.asarray(ytest, dtype=float), **kw)


def lasso_loo(x: MatrixLike, y: Sequence[float], seed: int = 101) -> dict[str, Any]:
    """kim2020 Table 4's gaussian lasso with leave-one-out ``cv.glmnet``.

    R ``pyradiogen::lasso_loo``: kim2020 Table 4's gaussian lasso with leave-one-out
    ``cv.glmnet`` (glmnet 4.1-6): lambda.min, in-sample and LOO adjusted R², p, Q².

    Parameters
    ----------
    x : DataFrame, shape (n, p)
        Screened features.
    y : array, shape (n,)
        Risk score.
    seed : int
        R seed.

    Returns
    -------
    dict
        ``lambda_min``, ``k``, ``coef``, ``adj_r2``, ``p``, ``adj_r2_loo``, ``p_loo``,
        ``q2_loo``, ``r2``.

    References
    ----------
    Kim et al. (2020). *J Korean Soc Radiol* 81:632, Table 4; Friedman J, Hastie T,
    Tibshirani R (2010). *J Stat Softw* 33:1–22.
    """
    return _call("pyradiogen::lasso_loo", _matrix(x), np.asarray(y, dtype=float), seed=int(seed))


def lasso_loo_predict(xtrain: MatrixLike, ytrain: Sequence[float], xtest: MatrixLike,
                      seed: int = 101) -> float:
    """Gaussian lasso tuned by leave-one-out ``cv.glmnet``; one held-out prediction.

    R ``pyradiogen::lasso_loo_predict``: gaussian lasso tuned by leave-one-out
    ``cv.glmnet`` on a training set (glmnet 4.1-6), prediction for one held-out row.

    Parameters
    ----------
    xtrain : RMatrix, shape (n, p)
    ytrain : array, shape (n,)
    xtest : RMatrix, shape (1, p)
    seed : int

    Returns
    -------
    float
        The prediction.

    References
    ----------
    Friedman J, Hastie T, Tibshirani R (2010). *J Stat Softw* 33:1–22.
    """
    return _call("pyradiogen::lasso_loo_predict", _matrix(xtrain),
                 np.asarray(ytrain, dtype=float), _matrix(xtest), seed=int(seed))


def lasso_nested_loo_predict(x: np.ndarray, y: Sequence[float], selected: np.ndarray,
                             columns: Sequence[str], nfolds: int = 5, seed: int = 101
                             ) -> np.ndarray:
    """Nested leave-one-out predictions of the gaussian lasso, in one R call.

    R ``pyradiogen::lasso_nested_loo_predict``: for every leave-one-out fold i, the gaussian
    lasso on the other rows and the columns ``selected[i]`` (lambda.min by ``nfolds``-fold
    ``cv.glmnet``, or leave-one-out when ``nfolds`` ≥ the training size; glmnet 4.1-6), and
    its prediction for row i — what :func:`lasso_cv_predict` / :func:`lasso_loo_predict`
    give fold by fold, in one R call.

    Parameters
    ----------
    x : ndarray, shape (n, p)
        Features (patients × features).
    y : array of float, shape (n,)
        Response (e.g. a risk score).
    selected : ndarray of {0, 1}, shape (n, p)
        Row i: the columns kept by fold i's screen (a row of zeros: R returns ``NA``).
    columns : sequence of str, length p
        Column names.
    nfolds, seed : int
        Inner cross-validation folds; R seed set before each fold.

    Returns
    -------
    ndarray of float, shape (n,)
        The out-of-fold predictions.

    References
    ----------
    Friedman J, Hastie T, Tibshirani R (2010). *J Stat Softw* 33:1–22.
    """
    x = np.asarray(x, dtype=float)
    out = _call("pyradiogen::lasso_nested_loo_predict", RMatrix(x, None, [str(c) for c in columns]),
                np.asarray(y, dtype=float),
                RMatrix(np.asarray(selected, dtype=float), None, None),
                nfolds=int(nfolds), seed=int(seed))
    return np.asarray(out, dtype=float).reshape(x.shape[0])


def lasso_cv_predict(xtrain: MatrixLike, ytrain: Sequence[float], xtest: MatrixLike,
                     nfolds: int = 5, seed: int = 101) -> float:
    """Gaussian lasso tuned by k-fold ``cv.glmnet``; prediction for a test set.

    R ``pyradiogen::lasso_cv_predict``: gaussian lasso tuned by ``nfolds``-fold
    ``cv.glmnet`` (glmnet 4.1-6); prediction for ``xtest`` at lambda.min.

    Parameters
    ----------
    xtrain : RMatrix, shape (n, p)
    ytrain : array, shape (n,)
    xtest : RMatrix, shape (m, p)
    nfolds, seed : int

    Returns
    -------
    float
        The prediction (one test row).

    References
    ----------
    Friedman J, Hastie T, Tibshirani R (2010). *J Stat Softw* 33:1–22.
    """
    return float(_call("pyradiogen::lasso_cv_predict", _matrix(xtrain),
                       np.asarray(ytrain, dtype=float), _matrix(xtest), nfolds=int(nfolds),
                       seed=int(seed)))


def spearman_pvalues(x: MatrixLike, y: Sequence[float]) -> pd.DataFrame:
    """Spearman correlation and p-value of every column by R's ``cor.test``.

    R ``pyradiogen::spearman_pvalues``: ``cor.test(x[, j], y, method = "spearman")`` of
    every column (R 4.2.2 stats, R's default exactness).

    Parameters
    ----------
    x : DataFrame, shape (n, p)
    y : array, shape (n,)

    Returns
    -------
    DataFrame
        ``feature``, ``rho``, ``p`` (R's column names).

    References
    ----------
    Best DJ, Roberts DE (1975). Algorithm AS 89. *Applied Statistics* 24:377–379.
    """
    return pd.DataFrame(_call("pyradiogen::spearman_pvalues", _matrix(x),
                              np.asarray(y, dtype=float)))


def glmnet_binomial_path(x: np.ndarray, y01: Sequence[float], lambdas: Sequence[float]
                         ) -> dict[str, np.ndarray]:
    """The lasso-logistic path on a given lambda grid, by glmnet to convergence.

    R ``glmnet::glmnet(x, y, family = "binomial", alpha = 1, lambda = lambdas,
    standardize = TRUE, type.logistic = "Newton", thresh = 1e-12)`` (glmnet 4.1-6): the lasso
    logistic path on a given λ grid, fitted to convergence (the parity certificate's reference
    for the biglasso paths).

    Parameters
    ----------
    x : ndarray, shape (n, p)
        Predictors (p ≥ 2).
    y01 : array of {0, 1}, shape (n,)
        Outcome.
    lambdas : array of float, shape (k,)
        The λ grid, decreasing.

    Returns
    -------
    dict
        ``dev_ratio`` and ``df`` (non-zero coefficients), each shape (k,).

    References
    ----------
    Friedman J, Hastie T, Tibshirani R (2010). Regularization paths for generalized linear
    models via coordinate descent. *J Stat Softw* 33(1):1–22.
    """
    fit = _call("glmnet::glmnet", RMatrix(np.asarray(x, dtype=float), None, None),
                np.asarray(y01, dtype=float), family="binomial", alpha=1.0,
                **{"lambda": np.asarray(lambdas, dtype=float)}, standardize=True,
                intercept=True, **{"type.logistic": "Newton"}, thresh=1e-12, maxit=1e6)
    return {"dev_ratio": np.asarray(fit["dev.ratio"], dtype=float),
            "df": np.asarray(fit["df"], dtype=float)}


def psych_icc2(ratings: np.ndarray) -> tuple[float, float, float]:
    """ICC(A,1) and its 95% CI by ``psych::ICC`` (row ``ICC2``).

    R ``psych::ICC(ratings, lmer = FALSE)``, row ``ICC2`` (two-way random, absolute
    agreement, single rater: ICC(A,1)) with its 95% confidence bounds (psych 2.2.9).

    Parameters
    ----------
    ratings : ndarray, shape (n_subjects, n_raters)
        Complete ratings.

    Returns
    -------
    tuple of float
        ``(icc, lower, upper)``.

    References
    ----------
    Shrout PE, Fleiss JL (1979). Intraclass correlations: uses in assessing rater reliability.
    *Psychol Bull* 86(2):420–428. McGraw KO, Wong SP (1996). *Psychol Methods* 1(1):30–46.
    """
    from .rbridge import library

    library("psych")
    res = _call("psych::ICC", RMatrix(np.asarray(ratings, dtype=float), None, None), lmer=False)
    r = pd.DataFrame(res["results"])
    row = r[r["type"].astype(str) == "ICC2"].iloc[0]
    return float(row["ICC"]), float(row["lower bound"]), float(row["upper bound"])


def r_gc() -> None:
    """Run R's garbage collector, if this process has started R.

    Run R's garbage collector (``gc()``) when this process has started R; otherwise do
    nothing (R is never started for it).
    """
    if r_started():
        from .rbridge import reval

        reval("invisible(gc(verbose = FALSE))")
