"""Settings of the explore stage (Fig 4a–c of study liu2023, Fig 1 of study kim2020)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..config import register_section


@register_section("explore")
@dataclass
class ExploreConfig:
    """Configuration section ``[explore]``: clustering, t-SNE and Kruskal–Wallis heatmaps.

    Paper and code agree on complete linkage of unscaled patient-mean DRFs (``heatmap.3`` with
    ``hclust``/``dist`` defaults) and on ``Rtsne(perplexity = 5, max_iter = 3000)``; neither
    says how the t-SNE clusters were found (the code cuts the map by hand), so both presets
    use k-means with k chosen by silhouette.

    Parameters
    ----------
    n_clusters : int, default 2
        Clusters cut from the patient dendrogram (Fig 4a).
    linkage : str, default "complete"
        Linkage method.
    metric : str, default "euclidean"
        Distance.
    scale : {"none", "zscore"}, default "none"
        Column scaling of DRFs before clustering.
    crf_scale : {"none", "zscore"}, default "zscore"
        Column scaling of CRFs (their units differ).
    crf_reader : str or None, default None
        Reader of a CRF table (the first when None).
    characteristics : list of str, default ["T", "N", "ER", "PR", "HER2"]
        Clinical bars and Fisher tests.
    fisher_engine : {"auto", "python", "r"}, default "auto"
        :func:`pyradiogen.explore.fisher.fisher_exact` engine.
    tsne_perplexity : float, default 5.0
        Patient map perplexity.
    tsne_image_perplexity : float, default 30.0
        Image map perplexity.
    tsne_max_iter : int, default 3000
        Patient map iterations.
    tsne_image_max_iter : int, default 1000
        Image map iterations.
    tsne_n_jobs : int, default 1
        t-SNE threads (more may change the last digits).
    tsne_pca_dims : int, default 50
        PCA before t-SNE.
    tsne_normalize : bool, default True
        Rtsne's ``normalize_input``.
    tsne_init : {"random", "pca"}, default "random"
        t-SNE start.
    tsne_clusters : int or None, default None
        Fixed k of the map clusters (silhouette choice when None).
    tsne_max_clusters : int, default 8
        Largest k tried.
    kw_gene_alpha : float, default 1e-9
        Kruskal–Wallis level of the genes shown in kim2020 Fig 1a.
    kw_feature_alpha : float, default 0.1
        Level of the features shown in Fig 1b.
    kw_min_show : int, default 20
        Features shown at least (the smallest p-values) when fewer pass.
    expression_transform : {"auto", "log2p1", "none"}, default "auto"
        Transform of the expression before Fig 1a (``auto``: log2(x + 1) when it looks
        linear).
    figure_formats : list of str, default ["png", "svg"]
        Formats written.
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
