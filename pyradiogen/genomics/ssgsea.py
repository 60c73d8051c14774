"""ssGSEA pathway scores: GSVA 1.46 through R, and a fast exact NumPy/torch engine.

Orientation: :func:`ssgsea` takes ``expr`` as **genes × samples** (GSVA's layout: a DataFrame
whose index holds the gene IDs) and returns **gene sets × samples**. :func:`ssgsea_features`
takes the cohort's **samples × genes** table and returns samples × gene sets.

What GSVA 1.46.0 computes (``gsva(expr, sets, method = "ssgsea")``; see
``shared/specs/gsva_ssgsea.md``), and the fast engine reproduces:

1. Within each sample, ranks of the genes (1 = lowest, ties get the average rank) are
   **truncated to integers** (``mode(R) <- "integer"``), e.g. 4.5 → 4; weights ``W = R^alpha``.
2. Genes are ordered by that rank decreasingly; ties keep the row order (stable). With
   ``q = n - position + 1`` the enrichment score of set ``S`` (``k`` members, duplicates
   counted) is ``sum_S W*q / sum_S W - (n(n+1)/2 - sum_S q) / (n - k)``, the sum over all
   positions of the in-set minus out-of-set running sums (Sergushichev's closed form). A gene
   listed twice in a set counts twice in ``k`` and in the three set sums; GSVA then no longer
   equals the running-sum definition. pyradiogen removes such repeats by default, with a
   warning naming set and gene (as GSVA >= 1.50 does); ``duplicate_members="keep"`` gives
   GSVA 1.46's numbers, and the fast engine then follows GSVA 1.46.
3. With ``normalize=True`` the whole matrix is divided by ``max - min`` over **all retained
   sets × all samples of the call**, so scores depend on the batch scored together.
4. Missing values are not handled by GSVA: a NaN gets no rank and is placed last, every set
   touching it in that sample scores NaN, and normalisation then makes every score NaN. So
   pyradiogen refuses a matrix with missing values (``na="error"``, the default: a
   ``ValueError`` naming the genes and samples) or, with ``na="drop_genes"``, leaves out the
   genes with a missing value in any sample, with a warning naming them; both engines
   (``na="propagate"`` keeps GSVA's NaN behaviour for parity tests).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .genesets import GeneSetWarning, dedupe_members, map_gene_sets

NAPolicy = Literal["error", "drop_genes", "propagate"]


class MissingValuesWarning(UserWarning):
    """Genes with missing values were left out."""


def check_missing(expr: pd.DataFrame, na: str = "error", what: str = "expression",
                  option: str = "na='drop_genes'") -> pd.DataFrame:
    """Refuse or drop genes (rows of a genes × samples table) with missing values.

    ``na="error"`` raises ``ValueError`` naming the genes and samples (``option`` names the
    way to drop them instead); ``"drop_genes"`` returns ``expr`` without those genes and warns
    (:class:`MissingValuesWarning`) naming them; ``"propagate"`` returns ``expr`` unchanged
    (GSVA's own behaviour, NaN scores; for parity tests only).
    """
    from ..cohort.usertable import describe_missing

    if na not in ("error", "drop_genes", "propagate"):
        raise ValueError(f"na must be 'error', 'drop_genes' or 'propagate', got {na!r}")
    if na == "propagate":
        return expr
    vals = expr.to_numpy(dtype=float)
    bad = ~np.isfinite(vals).all(axis=1)
    if not bad.any():
        return expr
    desc = describe_missing(expr.T, row_word="sample", col_word="gene")
    if na == "error":
        raise ValueError(f"{what} has {desc}; ssGSEA ranks every gene in every sample, so one "
                         f"missing value makes every score NaN — impute them, or pass {option} "
                         "to leave those genes out")
    genes = [str(g) for g in expr.index[bad]]
    if bad.all():
        raise ValueError(f"{what}: every gene has a missing value ({desc}); nothing to score")
    warnings.warn(f"{len(genes)} gene(s) with missing values left out of ssGSEA: "
                  f"{', '.join(genes[:10])}{' …' if len(genes) > 10 else ''} ({desc})",
                  MissingValuesWarning, stacklevel=3)
    return expr.loc[~bad]

Engine = Literal["r", "fast"]


# --------------------------------------------------------------------------- fast engine

def rank_weights(x: np.ndarray, alpha: float = 0.25) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-column truncated average ranks, weights ``rank^alpha`` and ``q = n - pos + 1``.

    ``x`` is genes × samples. Returns float arrays of the same shape (NaN where ``x`` is NaN
    for ranks and weights; ``q`` is defined everywhere, NaN genes placed last in row order).
    """
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    order = np.argsort(x, axis=0, kind="stable")  # NaN last, ties in row order
    xs = np.take_along_axis(x, order, axis=0)
    i = np.arange(n)[:, None]
    new = np.ones(xs.shape, dtype=bool)
    new[1:] = xs[1:] != xs[:-1]  # NaN != NaN: each NaN is its own group
    last = np.ones(xs.shape, dtype=bool)
    last[:-1] = new[1:]
    start = np.maximum.accumulate(np.where(new, i, 0), axis=0)
    end = np.minimum.accumulate(np.where(last, i, n - 1)[::-1], axis=0)[::-1]
    m = np.sum(~np.isnan(x), axis=0)[None, :]
    valid = i < m
    rank_s = np.where(valid, (start + end + 2) // 2, -1).astype(float)  # trunc(avg rank)
    rank_s[~valid] = np.nan
    # decreasing-rank position (0-based), ties in row order, NaN last in row order
    pos0_s = np.where(valid, (m - 1 - end) + (i - start), i)
    q_s = (n - pos0_s).astype(float)
    ranks = np.empty_like(rank_s)
    q = np.empty_like(q_s)
    np.put_along_axis(ranks, order, rank_s, axis=0)
    np.put_along_axis(q, order, q_s, axis=0)
    with np.errstate(invalid="ignore"):
        w = np.abs(ranks) ** alpha
    return ranks, w, q


def _incidence(mapped: Sequence[np.ndarray], n_genes: int) -> sp.csr_matrix:
    rows = np.concatenate([np.full(len(v), j) for j, v in enumerate(mapped)])
    cols = np.concatenate(list(mapped))
    data = np.ones(len(cols))
    mat = sp.coo_matrix((data, (rows, cols)), shape=(len(mapped), n_genes))
    return mat.tocsr()  # duplicates summed: a gene listed twice counts twice


def _member_stats(x: np.ndarray, members: np.ndarray, alpha: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Weights ``rank^alpha`` and ``q`` of the genes ``members`` only, samples × members.

    The same quantities as :func:`rank_weights` (bit for bit), computed on the samples × genes
    layout, where the stable sort, the tie scans and the gathers run along contiguous memory,
    and gathered for the set members, so the power and the gathers touch only the members.
    """
    xt = np.ascontiguousarray(np.asarray(x, dtype=float).T)  # samples × genes
    n = xt.shape[1]
    order = np.argsort(xt, axis=1, kind="stable")  # NaN last, ties in row order
    xs = np.take_along_axis(xt, order, axis=1)
    i = np.arange(n, dtype=np.int64)[None, :]
    new = np.ones(xs.shape, dtype=bool)
    np.not_equal(xs[:, 1:], xs[:, :-1], out=new[:, 1:])  # NaN != NaN: own group
    last = np.ones(xs.shape, dtype=bool)
    last[:, :-1] = new[:, 1:]
    start = np.maximum.accumulate(np.where(new, i, 0), axis=1)
    end = np.minimum.accumulate(np.where(last, i, n - 1)[:, ::-1], axis=1)[:, ::-1]
    m = np.sum(~np.isnan(xt), axis=1)[:, None]
    # each member's position in its sample's sorted order, then its sorted-order quantities
    pos = np.empty_like(order)
    np.put_along_axis(pos, order, np.broadcast_to(i, order.shape), axis=1)
    p = pos[:, members]
    st = np.take_along_axis(start, p, axis=1)
    en = np.take_along_axis(end, p, axis=1)
    valid = p < m
    rank = np.where(valid, (st + en + 2) // 2, 0).astype(float)  # trunc(average rank)
    with np.errstate(invalid="ignore"):
        w = np.where(valid, rank ** alpha, np.nan)
    q = (n - np.where(valid, (m - 1 - en) + (p - st), p)).astype(float)
    return w, q


def _es_numpy(x: np.ndarray, mapped: Sequence[np.ndarray], alpha: float) -> np.ndarray:
    """Closed-form ssGSEA enrichment of every set (rows) in every sample (columns).

    The walk's two running sums at their extremes reduce to sums over a set's members of
    ``w·q``, ``w`` and ``q`` (``q`` = n − decreasing-rank position), so only the members'
    ranks are needed: the union of members is gathered once and the sums are sparse products.
    """
    n = x.shape[0]
    inc = _incidence(mapped, n)
    union = np.unique(inc.indices)
    k = np.asarray(inc.sum(axis=1)).ravel()[:, None]
    w, q = _member_stats(x, union, alpha)
    inc_u = inc[:, union]  # sets × union members (duplicates kept as counts)
    a = inc_u @ (w * q).T
    b = inc_u @ w.T
    c = inc_u @ q.T
    with np.errstate(invalid="ignore", divide="ignore"):
        return a / b - (n * (n + 1) / 2 - c) / (n - k)


def _es_torch(x: np.ndarray, mapped: Sequence[np.ndarray], alpha: float, device: str
              ) -> np.ndarray:
    import torch

    dev = torch.device(device)
    xt = torch.tensor(np.array(x, dtype=float), device=dev)
    n = xt.shape[0]
    xs, order = torch.sort(xt, dim=0, stable=True)  # NaN sorted last
    i = torch.arange(n, device=dev)[:, None].expand_as(xs)
    new = torch.ones_like(xs, dtype=torch.bool)
    new[1:] = xs[1:] != xs[:-1]
    last = torch.ones_like(new)
    last[:-1] = new[1:]
    start = torch.cummax(torch.where(new, i, torch.zeros_like(i)), dim=0).values
    end = torch.flip(torch.cummin(torch.flip(torch.where(last, i, torch.full_like(i, n - 1)),
                                             [0]), dim=0).values, [0])
    m = (~torch.isnan(xt)).sum(dim=0, keepdim=True)
    valid = i < m
    rank_s = torch.div(start + end + 2, 2, rounding_mode="floor").to(torch.float64)
    w_s = torch.where(valid, rank_s.abs() ** alpha, torch.full_like(rank_s, float("nan")))
    pos0_s = torch.where(valid, (m - 1 - end) + (i - start), i)
    q_s = (n - pos0_s).to(torch.float64)
    w = torch.empty_like(w_s).scatter_(0, order, w_s)
    q = torch.empty_like(q_s).scatter_(0, order, q_s)
    inc = _incidence(mapped, n).tocoo()
    idx = torch.as_tensor(np.vstack([inc.row, inc.col]), dtype=torch.long, device=dev)
    st = torch.sparse_coo_tensor(idx, torch.as_tensor(inc.data, device=dev),
                                 size=inc.shape, dtype=torch.float64,
                                 check_invariants=True).coalesce()
    k = torch.as_tensor(np.asarray(inc.sum(axis=1)).ravel()[:, None], device=dev)
    a = torch.sparse.mm(st, w * q)
    b = torch.sparse.mm(st, w)
    c = torch.sparse.mm(st, q)
    es = a / b - (n * (n + 1) / 2 - c) / (n - k)
    return es.cpu().numpy()


def _torch_device(device: str | None) -> str | None:
    """The torch device to use: ``device`` if given, else ``"cuda"`` when available."""
    if device is not None:
        return None if device == "numpy" else device
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        return None
    return "cuda" if torch.cuda.is_available() else None


def normalize_scores(es: np.ndarray) -> np.ndarray:
    """GSVA's ``ssgsea.norm``: divide by ``max - min`` over the whole matrix (NaN → all NaN)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return es / (np.max(es) - np.min(es))


def _es_numpy_threads(x: np.ndarray, mapped: Sequence[np.ndarray], alpha: float
                      ) -> np.ndarray:
    """:func:`_es_numpy` with the samples split over the thread budget's cores.

    Each sample's enrichment depends on that sample's column only, and NumPy's sorts, gathers
    and sparse products release the GIL, so the columns are scored in as many threads as the
    budget allows (:func:`pyradiogen.threads.budget`); the result is the same array, bit for
    bit, as one call.
    """
    from concurrent.futures import ThreadPoolExecutor

    from ..threads import budget

    n_threads = min(budget(), x.shape[1] // 8)
    if n_threads < 2:
        return _es_numpy(x, mapped, alpha)
    bounds = np.linspace(0, x.shape[1], n_threads + 1).astype(int)
    with ThreadPoolExecutor(n_threads) as ex:
        parts = list(ex.map(lambda ab: _es_numpy(x[:, ab[0]:ab[1]], mapped, alpha),
                            zip(bounds[:-1], bounds[1:])))
    return np.concatenate(parts, axis=1)


def ssgsea_fast(x: np.ndarray, mapped: Sequence[np.ndarray], alpha: float = 0.25,
                normalize: bool = True, device: str | None = None,
                chunk_size: int = 512) -> np.ndarray:
    """Raw fast engine on arrays: ``x`` genes × samples, ``mapped`` row-index arrays.

    ``device``: ``None`` = CUDA via torch when present, else NumPy; ``"numpy"``; or a torch
    device (``"cpu"``, ``"cuda"``). Samples are scored in chunks of ``chunk_size``.
    """
    from ..progress import track

    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"expression must be genes × samples with at least 2 genes, got {x.shape}")
    tdev = _torch_device(device)
    starts = list(range(0, x.shape[1], chunk_size))
    it = track(starts, "ssGSEA (fast)") if len(starts) > 1 else starts
    parts = []
    for s in it:
        block = x[:, s:s + chunk_size]
        parts.append(_es_torch(block, mapped, alpha, tdev) if tdev else
                     _es_numpy_threads(block, mapped, alpha))
    es = np.concatenate(parts, axis=1) if parts else np.empty((len(mapped), 0))
    return normalize_scores(es) if normalize else es


# --------------------------------------------------------------------------- R engine

def ssgsea_r(expr: pd.DataFrame, gene_sets: Mapping[str, Sequence[str]], alpha: float = 0.25,
             normalize: bool = True, min_size: int = 1, max_size: float = math.inf
             ) -> pd.DataFrame:
    """``GSVA::gsva(expr, gene_sets, method = "ssgsea", ...)`` (GSVA 1.46) through
    :func:`pyradiogen.rfuncs.gsva_ssgsea`."""
    from .. import rfuncs

    out = rfuncs.gsva_ssgsea(expr, gene_sets, alpha=alpha, normalize=normalize,
                             min_size=min_size, max_size=max_size)
    out.index.name = "gene_set"
    out.columns = list(expr.columns)
    return out


# --------------------------------------------------------------------------- public API

@dataclass
class SSGSEA:
    """ssGSEA scorer with GSVA 1.46's defaults (estimator-style).

    ``fit_transform(expr)`` takes genes × samples and returns gene sets × samples. Fitted
    attributes: ``gene_sets_`` (the mapped, size-filtered sets as gene names),
    ``raw_scores_`` (fast engine only: unnormalised ES), ``scale_`` (the normalisation divisor
    ``max - min``; fast engine only), ``engine_``, ``device_`` and ``dropped_genes_`` (genes
    left out for missing values). ``na``: ``"error"`` or ``"drop_genes"`` (see
    :func:`check_missing`); ``duplicate_members``: ``"remove"`` or ``"keep"`` (GSVA 1.46).
    """

    gene_sets: Mapping[str, Sequence[str]]
    engine: Engine = "fast"
    alpha: float = 0.25
    normalize: bool = True
    min_size: int = 1
    max_size: float = math.inf
    device: str | None = None
    na: NAPolicy = "error"
    duplicate_members: str = "remove"

    def fit_transform(self, expr: pd.DataFrame) -> pd.DataFrame:
        """Score ``expr`` (genes × samples, gene IDs as index)."""
        if not isinstance(expr, pd.DataFrame):
            raise TypeError("expr must be a DataFrame of genes × samples with gene IDs as index")
        if self.engine not in ("r", "fast"):
            raise ValueError(f"unknown ssGSEA engine {self.engine!r}; use 'r' or 'fast'")
        n0 = expr.shape[0]
        expr = check_missing(expr, self.na)
        self.dropped_genes_ = n0 - expr.shape[0]
        dup = expr.index.astype(str).duplicated()
        if dup.any():
            warnings.warn(f"gene ID(s) {sorted(set(expr.index[dup].astype(str)))[:5]} appear in "
                          "more than one row; the first row of each is used (as GSVA does)",
                          GeneSetWarning, stacklevel=2)
        sets = dedupe_members(self.gene_sets, self.duplicate_members)
        genes = [str(g) for g in expr.index]
        mapped = map_gene_sets(sets, genes, self.min_size, self.max_size, "keep")
        self.gene_sets_ = {k: [genes[i] for i in v] for k, v in mapped.items()}
        self.engine_ = self.engine
        if self.engine == "r":
            self.device_ = "R"
            out = ssgsea_r(expr, sets, self.alpha, self.normalize, self.min_size,
                           self.max_size)
            self.raw_scores_ = None
            self.scale_ = None
            return out
        self.device_ = _torch_device(self.device) or "numpy"
        raw = ssgsea_fast(expr.to_numpy(dtype=float), list(mapped.values()), self.alpha,
                          normalize=False, device=self.device)
        self.raw_scores_ = pd.DataFrame(raw, index=list(mapped), columns=expr.columns)
        with np.errstate(invalid="ignore"):
            self.scale_ = float(np.max(raw) - np.min(raw))
        vals = normalize_scores(raw) if self.normalize else raw
        out = pd.DataFrame(vals, index=pd.Index(list(mapped), name="gene_set"),
                           columns=expr.columns)
        return out


def ssgsea(expr: pd.DataFrame, gene_sets: Mapping[str, Sequence[str]], engine: Engine = "fast",
           alpha: float = 0.25, normalize: bool = True, min_size: int = 1,
           max_size: float = math.inf, device: str | None = None, na: NAPolicy = "error",
           duplicate_members: str = "remove") -> pd.DataFrame:
    """ssGSEA scores, gene sets × samples, of ``expr`` (genes × samples) as GSVA gives
    (GSVA 1.46 exactly with ``duplicate_members="keep"``)."""
    return SSGSEA(gene_sets, engine, alpha, normalize, min_size, max_size,
                  device, na, duplicate_members).fit_transform(expr)


def ssgsea_features(expr: pd.DataFrame, gene_sets: Mapping[str, Sequence[str]],
                    engine: Engine = "fast", **kwargs) -> pd.DataFrame:
    """Samples × gene sets scores from a samples × genes table (the cohort's layout)."""
    return ssgsea(expr.T, gene_sets, engine=engine, **kwargs).T.rename_axis(
        expr.index.name or "sample").rename_axis(None, axis=1)


def max_relative_difference(a: pd.DataFrame | np.ndarray, b: pd.DataFrame | np.ndarray,
                            floor: float = 1e-6) -> float:
    """``max |a - b| / max(|b|, floor * max|b|)`` elementwise; ``inf`` if NaN positions differ.

    The floor keeps scores that cancel to (almost) zero, where float rounding of any summation
    order dominates, from counting as large relative errors: below a millionth of the largest
    score the difference is measured relative to that millionth.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return math.inf
    ok = ~np.isnan(b)
    if not ok.any():
        return 0.0
    diff = np.abs(a[ok] - b[ok])
    den = np.maximum(np.abs(b[ok]), floor * np.abs(b[ok]).max())
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(diff == 0, 0.0, diff / den)
    return float(rel.max())


def pathway_scores(cohort, cfg=None, expr: pd.DataFrame | None = None) -> pd.DataFrame:
    """Patients × gene-set ssGSEA scores of a cohort with the ``[genomics]`` settings.

    ``expr``: prepared patients × genes (default: :func:`cohort_expression`). Gene sets: the
    GMT named by ``cfg.gmt``, else the cohort's ``gene_sets`` (the bundled KEGG by default).
    All patients are scored in one batch (the normalisation is over the batch).
    """
    from .expression import cohort_expression, default_genomics_config
    from .genesets import load_gene_sets

    cfg = cfg or default_genomics_config()
    if expr is None:
        expr = cohort_expression(cohort, cfg)
    sets = load_gene_sets(cfg.gmt) if cfg.gmt else (getattr(cohort, "gene_sets", None)
                                                    or load_gene_sets(None))
    scores = ssgsea_features(expr, sets, engine=cfg.ssgsea_engine, alpha=cfg.ssgsea_alpha,
                             normalize=cfg.ssgsea_normalize, min_size=cfg.ssgsea_min_size,
                             max_size=cfg.ssgsea_max_size,
                             duplicate_members=cfg.ssgsea_duplicate_members)
    scores.index.name = expr.index.name or "patient_id"
    return scores
