"""The explore stage end to end: tables and figures for each feature set and for the genes."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import store
from ..plotting import save_figure
from ..stats import kruskal_screen
from .clustering import HierarchicalClustering, cluster_fisher, patient_means
from .config import ExploreConfig
from .figures import compare_tsne, fig1_kruskal, fig4a_heatmap, fig4bc_tsne, tsne_clinical
from .io import select_reader
from .kruskal import select_features
from .tsne import TSNEExplorer

log = logging.getLogger(__name__)


def _complete(P: pd.DataFrame, label: str) -> tuple[pd.DataFrame, int]:
    """Fill a feature's missing values with its median (counted); drop empty features."""
    P = P.dropna(axis=1, how="all")
    n_missing = int(P.isna().to_numpy().sum())
    if n_missing:
        log.warning("%s: %d missing feature values filled with the feature median", label,
                    n_missing)
        P = P.fillna(P.median())
    P = P.loc[:, P.std(ddof=0) > 0] if P.shape[1] > 1 else P
    return P, n_missing


def _image_table(features: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """The image-level table restricted to ``cols``, missing values filled with medians."""
    ids = [c for c in ("image_id", "patient_id") if c in features.columns]
    table = features[ids + cols].copy()
    table[cols] = table[cols].fillna(table[cols].median())
    return table


def explore_features(features: pd.DataFrame, clinical: pd.DataFrame, out_dir: str | Path,
                     label: str = "drf", config: ExploreConfig | None = None, seed: int = 101,
                     scale: str | None = None) -> dict[str, Any]:
    """Fig 4a–c (and Fig 1b when PAM50 is known) for one feature table.

    Parameters
    ----------
    features : DataFrame
        Images × features with ``image_id``, ``patient_id`` (or patients × features indexed
        by patient).
    clinical : DataFrame
        Indexed by patient: T, N, ER, PR, HER2 (and ``pam50``).
    out_dir : str or Path
        Files go under ``out_dir/label/``.
    label : str, default "drf"
        Feature set name.
    config : ExploreConfig or None, default None
        ``[explore]`` section (defaults when None).
    seed : int, default 101
        Seed of t-SNE and k-means.
    scale : {"none", "zscore"} or None, default None
        Column scaling before clustering (the configuration's when None).

    Returns
    -------
    dict
        The summary: cluster sizes, Fisher tests, t-SNE clusters, and ``paths`` (every file
        written, figures by their first format).
    """
    cfg = config or ExploreConfig()
    out = Path(out_dir) / label
    paths: dict[str, Path] = {}

    def save(fig, stem):
        written = save_figure(fig, stem, formats=tuple(cfg.figure_formats))
        paths[Path(stem).name] = written[0]
        return written

    chars = [c for c in cfg.characteristics if c in clinical.columns]
    features = select_reader(features, cfg.crf_reader, f"{label} features")
    P, n_missing = _complete(patient_means(features, f"{label} features"), label)
    image_table = _image_table(features, list(P.columns)) if "patient_id" in features.columns \
        else P
    title = label.upper()

    tick = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal tick
        now = time.perf_counter()
        seconds[name] = round(now - tick, 3)
        tick = now

    hc = HierarchicalClustering(cfg.n_clusters, cfg.linkage, cfg.metric,
                                scale or cfg.scale).fit(P)
    paths["hclust_clusters"] = store.write_frame(hc.labels_.rename_axis("patient_id").to_frame(),
                                                 out / "hclust_clusters.csv")
    lap("hclust")
    single = hc.labels_.value_counts()
    single = single[single == 1].index
    if len(single):
        log.warning("%s: %s linkage puts %s in a cluster of its own; the Fisher tests of these "
                    "clusters are flagged degenerate", label, cfg.linkage,
                    ", ".join(map(str, hc.labels_.index[hc.labels_.isin(single)][:5])))
    fis_h = cluster_fisher(hc.labels_, clinical, chars, cfg.fisher_engine)
    fis_h.insert(0, "clusters", f"hclust {cfg.linkage} k={cfg.n_clusters}")
    paths["hclust_fisher"] = store.write_frame(fis_h, out / "hclust_fisher.csv", index=False)
    sizes = ", ".join(f"{int(v)}" for v in hc.sizes_)
    save(fig4a_heatmap(P, hc, clinical, chars, f"{title}: {cfg.linkage} linkage, "
                       f"{cfg.n_clusters} clusters ({sizes} patients)"), out / "fig4a_heatmap")
    lap("fisher_and_fig4a")

    ts = TSNEExplorer(cfg.tsne_perplexity, cfg.tsne_image_perplexity, cfg.tsne_max_iter,
                      cfg.tsne_pca_dims, cfg.tsne_normalize, cfg.tsne_clusters,
                      cfg.tsne_max_clusters, seed, init=cfg.tsne_init,
                      image_max_iter=cfg.tsne_image_max_iter,
                      n_jobs=cfg.tsne_n_jobs).fit(image_table)
    lap("tsne")
    store.write_frame(ts.patients_.rename_axis("patient_id"), out / "tsne_patients.csv")
    if ts.images_ is not None:
        store.write_frame(ts.images_, out / "tsne_images.csv")
    fis_t = cluster_fisher(ts.patients_["cluster"], clinical, chars, cfg.fisher_engine)
    fis_t.insert(0, "clusters", f"t-SNE k-means k={ts.n_clusters_}")
    paths["tsne_fisher"] = store.write_frame(fis_t, out / "tsne_fisher.csv", index=False)
    save(fig4bc_tsne(ts, f"{title}: t-SNE, {ts.n_clusters_} k-means clusters on the patient map"),
         out / "fig4bc_tsne")
    save(tsne_clinical(ts.patients_, clinical, chars,
                       f"{title}: patient t-SNE coloured by clinical characteristic"),
         out / "tsne_clinical")
    lap("tsne_figures")

    summary: dict[str, Any] = {
        "n_patients": int(len(P)), "n_images": int(len(image_table)),
        "n_features": int(P.shape[1]), "missing_values_filled": n_missing,
        "hclust_sizes": [int(v) for v in hc.sizes_],
        "hclust_fisher_p": dict(zip(fis_h["characteristic"], fis_h["p_value"])),
        "tsne_clusters": ts.n_clusters_, "tsne_silhouettes": ts.silhouettes_,
        "tsne_fisher_p": dict(zip(fis_t["characteristic"], fis_t["p_value"])),
        "model": {"hclust": hc, "tsne": ts}, "seconds": seconds, "paths": paths,
    }
    if "pam50" in clinical.columns and clinical["pam50"].notna().sum() >= 3:
        kw = kruskal_screen(P, clinical["pam50"])
        paths["kruskal_pam50"] = store.write_frame(kw.sort_values("p_value"),
                                                   out / "kruskal_pam50.csv")
        chosen, caption = select_features(kw, cfg.kw_feature_alpha, min_show=cfg.kw_min_show)
        summary["kruskal_significant"] = int((kw["p_value"] < cfg.kw_feature_alpha).sum())
        if len(chosen) >= 2:
            save(fig1_kruskal(P[chosen], clinical["pam50"],
                              f"{title}: Kruskal-Wallis across PAM50 ({caption})"),
                 out / "fig1b_kruskal")
        lap("kruskal")
    return summary


def explore_genes(expression: pd.DataFrame, clinical: pd.DataFrame, out_dir: str | Path,
                  config: ExploreConfig | None = None) -> dict[str, Any]:
    """kim2020 Fig 1a: Kruskal–Wallis of every gene across PAM50, heatmap of the significant.

    Parameters
    ----------
    expression : DataFrame, shape (n_patients, n_genes)
        log2(x + 1) expression.
    clinical : DataFrame
        Indexed by patient, with ``pam50``.
    out_dir : str or Path
        Output folder.
    config : ExploreConfig or None, default None
        ``[explore]`` section (defaults when None).

    Returns
    -------
    dict
        Genes tested and significant, and ``paths``.

    Raises
    ------
    ValueError
        Without a ``pam50`` column, or for expression with negative values (not log2(x + 1)).

    References
    ----------
    .. [1] Kim et al. *J Korean Soc Radiol* 81(3), 632 (2020), Fig 1.
    """
    cfg = config or ExploreConfig()
    out = Path(out_dir)
    paths: dict[str, Path] = {}

    def save(fig, stem):
        written = save_figure(fig, stem, formats=tuple(cfg.figure_formats))
        paths[Path(stem).name] = written[0]
        return written

    if "pam50" not in clinical.columns:
        raise ValueError("clinical table has no 'pam50' column; PAM50 subtypes are needed")
    expr = expression.loc[:, ~expression.columns.duplicated()]
    expr = expr.loc[:, expr.std(ddof=0) > 0]
    transform = cfg.expression_transform
    if transform == "auto":  # counts/TPM get log2(x + 1); already-logged values stay
        vals = expr.to_numpy(dtype=float)
        transform = "log2p1" if np.nanmin(vals) >= 0 and np.nanmax(vals) > 50 else "none"
    if transform == "log2p1":
        if (expr.to_numpy() < 0).any():
            raise ValueError("expression has negative values, so it cannot be log2(x + 1) "
                             "transformed; set [explore] expression_transform = \"none\"")
        expr = np.log2(expr + 1.0)
    kw = kruskal_screen(expr, clinical["pam50"])
    paths["kruskal_genes"] = store.write_frame(kw.sort_values("p_value"),
                                               out / "kruskal_genes.csv")
    chosen, caption = select_features(kw, cfg.kw_gene_alpha, min_show=cfg.kw_min_show)
    if len(chosen) >= 2:
        save(fig1_kruskal(expr[chosen], clinical["pam50"],
                          f"Genes: Kruskal-Wallis across PAM50 ({caption})",
                          "expression z-score"), out / "fig1a_kruskal_genes")
    return {"n_genes": int(expr.shape[1]), "transform": transform,
            "significant": int((kw["p_value"] < cfg.kw_gene_alpha).sum()),
            "shown": len(chosen), "paths": paths}


def run_explore(feature_sets: Mapping[str, pd.DataFrame], clinical: pd.DataFrame,
                out_dir: str | Path, expression: pd.DataFrame | None = None,
                config: ExploreConfig | None = None, seed: int = 101,
                scales: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every explore output for each named feature set (e.g. ``{"drf": …, "crf": …}``).

    Writes ``summary.json``.

    Parameters
    ----------
    feature_sets : mapping of str to DataFrame
        Name → feature table.
    clinical : DataFrame
        Indexed by patient.
    out_dir : str or Path
        Output folder.
    expression : DataFrame or None, default None
        log2 expression for :func:`explore_genes`.
    config : ExploreConfig or None, default None
        ``[explore]`` section (defaults when None).
    seed : int, default 101
        Seed of t-SNE and k-means.
    scales : mapping of str to str or None, default None
        Scaling per feature set; sets named ``crf…`` use ``config.crf_scale`` otherwise.

    Returns
    -------
    dict
        Per feature set its summary and ``paths``, the fitted models, and ``paths`` with the
        comparison figure and ``summary.json``.

    References
    ----------
    .. [1] Liu Q, Hu P. *Biomark Res* 11, 9 (2023), Fig 4.
    """
    cfg = config or ExploreConfig()
    out = Path(out_dir)
    results: dict[str, Any] = {}
    for label, table in feature_sets.items():
        scale = (scales or {}).get(label) or (cfg.crf_scale if label.startswith("crf")
                                              else cfg.scale)
        results[label] = explore_features(table, clinical, out, label, cfg, seed, scale)
    paths: dict[str, Path] = {}
    if len(results) > 1:
        paths["compare_tsne"] = save_figure(
            compare_tsne({k.upper(): v["model"]["tsne"] for k, v in results.items()}),
            out / "compare_tsne", formats=tuple(cfg.figure_formats))[0]
    if expression is not None:
        results["genes"] = explore_genes(expression, clinical, out, cfg)
    paths["summary"] = store.write_json(out / "summary.json",
                                        {k: {kk: vv for kk, vv in v.items()
                                             if kk not in ("model", "paths")}
                                         for k, v in results.items()})
    results["paths"] = paths
    return results
