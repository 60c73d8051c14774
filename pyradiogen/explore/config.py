"""Settings of the explore stage (Fig 4a–c of study liu2023, Fig 1 of study kim2020)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..config import register_section


@register_section("explore")
@dataclass
class ExploreConfig:
    """Hierarchical clustering, t-SNE and Kruskal–Wallis heatmap settings.

    Paper and code agree on complete linkage of unscaled patient-mean DRFs (``heatmap.3`` with
    ``hclust``/``dist`` defaults) and on ``Rtsne(perplexity = 5, max_iter = 3000)``; neither says
    how the t-SNE clusters were found (the code cuts the map by hand), so both presets use
    k-means with k chosen by silhouette.
    """

    n_clusters: int = 2
    linkage: str = "complete"
    metric: str = "euclidean"
    scale: Literal["none", "zscore"] = "none"
    crf_scale: Literal["none", "zscore"] = "zscore"
    crf_reader: str | None = None
    characteristics: list[str] = field(default_factory=lambda: ["T", "N", "ER", "PR", "HER2"])
    fisher_engine: Literal["auto", "python", "r"] = "auto"
    tsne_perplexity: float = 5.0
    tsne_image_perplexity: float = 30.0
    tsne_max_iter: int = 3000
    tsne_image_max_iter: int = 1000
    tsne_n_jobs: int = 1
    tsne_pca_dims: int = 50
    tsne_normalize: bool = True
    tsne_init: Literal["random", "pca"] = "random"
    tsne_clusters: int | None = None
    tsne_max_clusters: int = 8
    kw_gene_alpha: float = 1e-9
    kw_feature_alpha: float = 0.1
    kw_min_show: int = 20
    expression_transform: Literal["auto", "log2p1", "none"] = "auto"
    figure_formats: list[str] = field(default_factory=lambda: ["png", "svg"])
