"""Seeded t-SNE maps of patients (mean of their images) and of images, with map clusters.

Pre-processing mirrors R's ``Rtsne`` defaults that the authors used: PCA to ``pca_dims``
components (centred, not scaled), then centre and divide by the largest absolute value. The
embedding is scikit-learn's t-SNE with Rtsne's settings (learning rate 200 = eta, early
exaggeration 12, Barnes–Hut angle 0.5 = theta; exact gradients up to 500 rows, where they are
faster) from a seeded random start as in Rtsne (``init="pca"`` is scikit-learn's default), on
one thread, so a seed gives the same map every run.

Clusters on the patient map: the paper coloured 5 groups by eye. Here k-means on the 2-D
patient coordinates (``n_init=10``, seeded) with k chosen by the largest mean silhouette over
``2 … max_clusters`` (or a fixed ``n_clusters``). Every image takes its patient's cluster.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.metrics import silhouette_score

from ..estimator import EstimatorMixin
from .clustering import feature_columns, patient_means

EXACT_MAX_ROWS = 500


def rtsne_prepare(X: np.ndarray, pca_dims: int | None = 50, normalize: bool = True,
                  seed: int = 101) -> np.ndarray:
    """PCA to ``pca_dims`` (centred), then Rtsne's ``normalize_input`` (centre, / max |x|).

    Large tables (more than 2,000 rows) use seeded randomized SVD instead of the full one.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Data.
    pca_dims : int or None, default 50
        Components kept (no PCA when None or ≥ p).
    normalize : bool, default True
        Centre and divide by the largest absolute value.
    seed : int, default 101
        Seed of the randomized SVD.

    Returns
    -------
    ndarray, shape (n, min(p, pca_dims))
        The t-SNE input.
    """
    X = np.asarray(X, dtype=float)
    if pca_dims and X.shape[1] > pca_dims:
        n_comp = min(pca_dims, X.shape[0])
        solver = "randomized" if X.shape[0] > 2000 else "full"
        X = PCA(n_components=n_comp, svd_solver=solver, random_state=seed).fit_transform(X)
    if normalize:
        X = X - X.mean(axis=0)
        peak = np.abs(X).max()
        if peak > 0:
            X = X / peak
    return X


def tsne_embed(X: pd.DataFrame, perplexity: float = 5.0, max_iter: int = 3000, seed: int = 101,
               pca_dims: int | None = 50, normalize: bool = True,
               init: str = "random", n_jobs: int = 1, method: str = "auto") -> pd.DataFrame:
    """2-D t-SNE coordinates of the rows of ``X``, seeded, with Rtsne's settings.

    The perplexity is lowered to ``(n - 1) / 3`` when the table is too small for it (Rtsne's
    limit), with a warning.

    Parameters
    ----------
    X : DataFrame, shape (n, p)
        Rows to embed.
    perplexity : float, default 5.0
        t-SNE perplexity.
    max_iter : int, default 3000
        Gradient iterations.
    seed : int, default 101
        Seed of the start and the PCA.
    pca_dims : int or None, default 50
        PCA before t-SNE.
    normalize : bool, default True
        Rtsne's ``normalize_input``.
    init : {"random", "pca"}, default "random"
        Start.
    n_jobs : int, default 1
        Threads (more may change the last digits between runs).
    method : {"auto", "exact", "barnes_hut"}, default "auto"
        Exact gradients up to ``EXACT_MAX_ROWS`` rows, Barnes–Hut above, with ``"auto"``.

    Returns
    -------
    DataFrame, shape (n, 2)
        ``tsne1``, ``tsne2``, indexed as ``X``.

    Raises
    ------
    ValueError
        With fewer than 5 rows.
    """
    n = len(X)
    if n < 5:
        raise ValueError(f"t-SNE needs at least 5 rows, got {n}")
    limit = (n - 1) / 3.0
    if perplexity >= limit:
        warnings.warn(f"perplexity {perplexity:g} too large for {n} rows; using {limit - 0.01:.2f}",
                      stacklevel=2)
        perplexity = limit - 0.01
    data = rtsne_prepare(X.to_numpy(dtype=float), pca_dims, normalize, seed)
    model = TSNE(n_components=2, perplexity=perplexity, max_iter=max_iter, learning_rate=200.0,
                 early_exaggeration=12.0, angle=0.5, init=init, random_state=seed, n_jobs=n_jobs,
                 method=method if method != "auto" else
                 ("exact" if n <= EXACT_MAX_ROWS else "barnes_hut"))
    Y = model.fit_transform(data)
    return pd.DataFrame(Y, index=X.index, columns=["tsne1", "tsne2"])


def choose_kmeans(Y: np.ndarray, n_clusters: int | None = None, max_clusters: int = 8,
                  seed: int = 101) -> tuple[np.ndarray, dict[int, float]]:
    """k-means labels with k chosen by the largest mean silhouette.

    Parameters
    ----------
    Y : ndarray, shape (n, 2)
        Map coordinates.
    n_clusters : int or None, default None
        Fixed k (no search).
    max_clusters : int, default 8
        Largest k tried (k from 2).
    seed : int, default 101
        k-means seed (``n_init=10``).

    Returns
    -------
    labels : ndarray of int, shape (n,)
        1…k, numbered by first appearance.
    silhouettes : dict of int to float
        Mean silhouette of every k tried.

    References
    ----------
    .. [1] Rousseeuw PJ. Silhouettes: a graphical aid to the interpretation and validation of
       cluster analysis. *J Comput Appl Math* 20, 53–65 (1987).
    """
    from .clustering import relabel_by_appearance

    ks = [n_clusters] if n_clusters else list(range(2, min(max_clusters, len(Y) - 1) + 1))
    best, scores = None, {}
    for k in ks:
        lab = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(Y)
        scores[k] = float(silhouette_score(Y, lab)) if len(set(lab)) > 1 else float("nan")
        if best is None or scores[k] > scores[best[0]]:
            best = (k, lab)
    assert best is not None
    return relabel_by_appearance(best[1]), scores


class TSNEExplorer(EstimatorMixin):
    """t-SNE of patients and images from an image-level feature table, clusters on the patients.

    Parameters
    ----------
    perplexity : float, default 5.0
        Perplexity of the patient map (lowered with a warning when too large for the rows).
    image_perplexity : float, default 30.0
        Perplexity of the image map.
    max_iter : int, default 3000
        Gradient iterations of the patient map.
    pca_dims : int or None, default 50
        PCA components before t-SNE (Rtsne's ``initial_dims``); ``None``: no PCA.
    normalize : bool, default True
        Rtsne's ``normalize_input``: centre, then divide by the largest absolute value.
    n_clusters : int or None, default None
        Fixed number of k-means clusters on the patient map; ``None``: chosen by silhouette.
    max_clusters : int, default 8
        Largest k tried when ``n_clusters`` is ``None``.
    seed : int, default 101
        Seeds PCA, t-SNE and k-means.
    images : bool, default True
        Also embed the images (when some patient has more than one).
    init : {"random", "pca"}, default "random"
        t-SNE start (Rtsne starts at random).
    image_max_iter : int or None, default None
        Iterations of the image map (``None``: ``max_iter``).
    n_jobs : int, default 1
        t-SNE threads; more than one may change the last digits between runs.

    Attributes
    ----------
    patients_ : DataFrame, shape (n_patients, 3)
        Indexed by patient_id: ``tsne1``, ``tsne2``, ``cluster`` (1…k).
    images_ : DataFrame or None
        Indexed by image_id: ``patient_id``, ``tsne1``, ``tsne2``, ``cluster`` (the patient's);
        ``None`` when every patient has one image or ``images=False``.
    n_clusters_ : int
        Number of clusters on the patient map.
    silhouettes_ : dict of int to float
        Mean silhouette of each k tried.

    References
    ----------
    .. [1] van der Maaten L, Hinton G. Visualizing data using t-SNE. *JMLR* 9 (2008).
    .. [2] van der Maaten L. Accelerating t-SNE using tree-based algorithms. *JMLR* 15
       (2014). R package Rtsne (defaults followed here).
    .. [3] Liu Q, Hu P. Radiogenomic association of deep MR imaging features with genomic
       profiles and clinical characteristics in breast cancer. *Biomark Res* 11, 9 (2023).
    """

    def __init__(self, perplexity: float = 5.0, image_perplexity: float = 30.0,
                 max_iter: int = 3000, pca_dims: int | None = 50, normalize: bool = True,
                 n_clusters: int | None = None, max_clusters: int = 8, seed: int = 101,
                 images: bool = True, init: str = "random",
                 image_max_iter: int | None = None, n_jobs: int = 1):
        self.perplexity = perplexity
        self.image_perplexity = image_perplexity
        self.max_iter = max_iter
        self.pca_dims = pca_dims
        self.normalize = normalize
        self.n_clusters = n_clusters
        self.max_clusters = max_clusters
        self.seed = seed
        self.images = images
        self.init = init
        self.image_max_iter = image_max_iter
        self.n_jobs = n_jobs

    def fit(self, features: pd.DataFrame) -> TSNEExplorer:
        """Embed patients (mean of images) and images; cluster the patient map.

        Parameters
        ----------
        features : DataFrame, shape (n_images, 2 + n_features)
            Image-level features with ``image_id`` and ``patient_id`` columns (or a
            patient-level table indexed by patient).

        Returns
        -------
        TSNEExplorer
            The fitted explorer.

        Raises
        ------
        ValueError
            If there are fewer than 5 patients, or a feature column is not numeric.
        """
        kw = dict(seed=self.seed, pca_dims=self.pca_dims, normalize=self.normalize,
                  init=self.init, n_jobs=self.n_jobs)
        P = patient_means(features)
        pts = tsne_embed(P, perplexity=self.perplexity, max_iter=self.max_iter, **kw)
        labels, self.silhouettes_ = choose_kmeans(pts.to_numpy(), self.n_clusters,
                                                  self.max_clusters, self.seed)
        pts["cluster"] = labels
        self.patients_ = pts
        self.n_clusters_ = int(pts["cluster"].nunique())
        self.images_ = None
        multi = "patient_id" in features.columns and len(features) > len(P)
        if self.images and multi:
            cols = feature_columns(features)
            idx = features["image_id"] if "image_id" in features.columns else features.index
            X = pd.DataFrame(features[cols].to_numpy(dtype=float), index=pd.Index(idx, name="image_id"))
            imgs = tsne_embed(X, perplexity=self.image_perplexity,
                              max_iter=self.image_max_iter or self.max_iter, **kw)
            imgs.insert(0, "patient_id", features["patient_id"].to_numpy())
            imgs["cluster"] = pts["cluster"].reindex(imgs["patient_id"]).to_numpy()
            self.images_ = imgs
        return self
