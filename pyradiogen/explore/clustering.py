"""Complete-linkage hierarchical clustering of patients × features, cut into k clusters.

Cluster labels are numbered 1…k in order of the patients' first appearance, which is how R's
``cutree`` numbers them, so labels from :class:`HierarchicalClustering` equal
``cutree(hclust(dist(X), "complete"), k)`` for the same matrix (ties aside).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import cut_tree, leaves_list, linkage
from scipy.spatial.distance import pdist

from ..estimator import EstimatorMixin
from .fisher import Engine, fisher_table

ID_COLUMNS = ("image_id", "patient_id", "reader")
CHARACTERISTICS = ("T", "N", "ER", "PR", "HER2")


def feature_columns(features: pd.DataFrame) -> list[str]:
    """The feature columns of a table (all but ``image_id``, ``patient_id``, ``reader``).

    Parameters
    ----------
    features : DataFrame
        A feature table.

    Returns
    -------
    list of str
        Column names, in order.
    """
    return [c for c in features.columns if c not in ID_COLUMNS]


def patient_means(features: pd.DataFrame, source: str = "feature table") -> pd.DataFrame:
    """Average each patient's images: images × features → patients × features.

    A table without ``patient_id`` is taken as already patient-level (index = patient).

    Parameters
    ----------
    features : DataFrame, shape (n_images, 2 + p)
        ``image_id``, ``patient_id``, numeric features.
    source : str, default "feature table"
        The table, named in messages.

    Returns
    -------
    DataFrame, shape (n_patients, p)
        Float means indexed by ``patient_id`` (sorted).

    Raises
    ------
    ValueError
        No feature column, or a non-numeric one (named).
    """
    if "patient_id" not in features.columns:
        return features[feature_columns(features)].astype(float)
    cols = feature_columns(features)
    if not cols:
        raise ValueError(f"{source}: no feature columns besides image_id/patient_id")
    bad = [c for c in cols if not pd.api.types.is_numeric_dtype(features[c])]
    if bad:
        raise ValueError(f"{source}: non-numeric feature columns {bad[:5]}; "
                         "keep only image_id, patient_id and numeric features")
    out = features.groupby("patient_id", sort=True)[cols].mean()
    out.index.name = "patient_id"
    return out.astype(float)


def relabel_by_appearance(labels: Sequence[int] | np.ndarray) -> np.ndarray:
    """Renumber labels 1…k in order of first appearance (R's ``cutree`` convention).

    Parameters
    ----------
    labels : sequence of int or ndarray, shape (n,)
        Cluster labels in any numbering.

    Returns
    -------
    ndarray of int64, shape (n,)
        Labels 1…k.
    """
    labels = np.asarray(labels)
    mapping: dict = {}
    for lab in labels:
        if lab not in mapping:
            mapping[lab] = len(mapping) + 1
    return np.array([mapping[lab] for lab in labels], dtype=np.int64)


def scale_columns(X: pd.DataFrame) -> pd.DataFrame:
    """z-score each column as R's ``scale`` (sample SD); constant columns become 0.

    Parameters
    ----------
    X : DataFrame, shape (n, p)
        Numeric table.

    Returns
    -------
    DataFrame, shape (n, p)
        Column z-scores.
    """
    sd = X.std(axis=0, ddof=1).replace(0, np.nan)
    return ((X - X.mean(axis=0)) / sd).fillna(0.0)


class HierarchicalClustering(EstimatorMixin):
    """Agglomerative clustering of the rows of a DataFrame, cut into ``n_clusters``.

    Equals R's ``cutree(hclust(dist(X, metric), method), k = n_clusters)`` (R stats 4.2;
    labels numbered by first appearance, ties aside).

    Parameters
    ----------
    n_clusters : int, default 2
        Number of clusters to cut the tree into.
    method : str, default "complete"
        Linkage (``"complete"``, ``"average"``, ``"single"``, ``"ward"`` …, scipy's names).
    metric : str, default "euclidean"
        Distance between rows (scipy ``pdist`` names).
    scale : {"none", "zscore"}, default "none"
        ``"zscore"`` standardises each column first (R's ``scale``).

    Attributes
    ----------
    distances_ : ndarray, shape (n·(n−1)/2,)
        Condensed distance matrix.
    linkage_ : ndarray, shape (n − 1, 4)
        scipy linkage matrix.
    labels_ : Series of int, shape (n,)
        Cluster 1…k per row, indexed as ``X``.
    order_ : ndarray of int, shape (n,)
        Leaf order of the dendrogram (row positions).
    sizes_ : Series of int
        Rows per cluster.

    References
    ----------
    .. [1] R Core Team. ``stats::hclust`` and ``stats::cutree``, R 4.2.
    .. [2] Müllner D. fastcluster: fast hierarchical, agglomerative clustering routines for
       R and Python. *J Stat Softw* 53(9) (2013).
    """

    def __init__(self, n_clusters: int = 2, method: str = "complete", metric: str = "euclidean",
                 scale: Literal["none", "zscore"] = "none"):
        self.n_clusters = n_clusters
        self.method = method
        self.metric = metric
        self.scale = scale

    def _prepare(self, X: pd.DataFrame) -> np.ndarray:
        if X.isna().to_numpy().any():
            where = X.columns[X.isna().any()].tolist()[:5]
            raise ValueError(f"features contain missing values (e.g. {where}); impute or drop them")
        data = scale_columns(X) if self.scale == "zscore" else X
        return data.to_numpy(dtype=float)

    def fit(self, X: pd.DataFrame) -> HierarchicalClustering:
        """Cluster the rows of ``X``.

        Parameters
        ----------
        X : DataFrame, shape (n_patients, n_features)
            Numeric features without missing values.

        Returns
        -------
        HierarchicalClustering
            The fitted estimator.

        Raises
        ------
        ValueError
            If ``X`` has fewer rows than clusters or holds missing values (columns named).
        """
        if len(X) < max(2, self.n_clusters):
            raise ValueError(f"need at least {max(2, self.n_clusters)} patients to cut into "
                             f"{self.n_clusters} clusters, got {len(X)}")
        self.distances_ = pdist(self._prepare(X), metric=self.metric)
        self.linkage_ = linkage(self.distances_, method=self.method)
        cut = cut_tree(self.linkage_, n_clusters=self.n_clusters).ravel()
        self.labels_ = pd.Series(relabel_by_appearance(cut), index=X.index, name="cluster")
        self.order_ = leaves_list(self.linkage_)
        self.sizes_ = self.labels_.value_counts().sort_index()
        return self

    def fit_predict(self, X: pd.DataFrame) -> pd.Series:
        """Fit and return the cluster labels.

        Parameters
        ----------
        X : DataFrame, shape (n_patients, n_features)
            Numeric features without missing values.

        Returns
        -------
        Series of int, shape (n_patients,)
            Cluster 1…k per row (``labels_``).
        """
        return self.fit(X).labels_


def hclust_r(X: pd.DataFrame, n_clusters: int = 2, method: str = "complete") -> pd.Series:
    """The reference: R's ``cutree(hclust(dist(X), method), k)`` through the bridge.

    Parameters
    ----------
    X : DataFrame, shape (n_patients, p)
        Numeric features.
    n_clusters : int, default 2
        k.
    method : str, default "complete"
        R's linkage method.

    Returns
    -------
    Series of int, shape (n_patients,)
        Cluster 1…k, indexed as ``X``.
    """
    from .. import rfuncs

    labs = rfuncs.hclust_clusters(X, int(n_clusters), method)
    return pd.Series(labs, index=X.index, name="cluster")


def cluster_fisher(labels: pd.Series, clinical: pd.DataFrame,
                   characteristics: Sequence[str] = CHARACTERISTICS,
                   engine: Engine = "auto") -> pd.DataFrame:
    """Fisher's exact test of each clinical characteristic against the clusters.

    Parameters
    ----------
    labels : Series of int
        Cluster per patient (``HierarchicalClustering.labels_``).
    clinical : DataFrame
        Indexed by patient.
    characteristics : sequence of str, default ("T", "N", "ER", "PR", "HER2")
        Characteristics tested.
    engine : {"auto", "python", "r"}, default "auto"
        As :func:`pyradiogen.explore.fisher.fisher_exact`.

    Returns
    -------
    DataFrame
        :func:`~pyradiogen.explore.fisher.fisher_table` on the patients in both tables.

    Raises
    ------
    ValueError
        If no clustered patient is in the clinical table.

    References
    ----------
    .. [1] Liu Q, Hu P. *Biomark Res* 11, 9 (2023), Fig 4a.
    """
    missing = labels.index.difference(clinical.index)
    if len(missing) == len(labels):
        raise ValueError("no patient of the feature table is in the clinical table "
                         f"(e.g. {list(missing[:3])}); check the patient_id barcodes")
    keep = labels.index.intersection(clinical.index)
    return fisher_table(labels.loc[keep], clinical, characteristics, engine=engine)
