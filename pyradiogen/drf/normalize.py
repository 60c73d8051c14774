"""Quantile normalisation of feature vectors across images, with the authors' tie rule.

For ``X`` of shape ``(n_images, n_features)``: sort each image's values; the reference value at
rank ``r`` is the mean over images of their ``r``-th smallest value (ranks by position, so ties
do not matter here); each value is then replaced by the reference value at its rank within its
image, where tied values all take the *minimum* rank of their group (pandas
``rank(method="min")``). Without ties every image ends with exactly the reference values, in
its own order; with ties the tied values all take the reference value of their lowest rank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata


def reference_distribution(x: np.ndarray) -> np.ndarray:
    """Mean over rows of the row-wise sorted values: the quantile reference.

    Parameters
    ----------
    x : ndarray, shape (n_images, n_features)
        Features.

    Returns
    -------
    ndarray of float64, shape (n_features,)
        The mean r-th smallest value, for each rank r.
    """
    return np.sort(np.asarray(x, dtype=np.float64), axis=1).mean(axis=0)


def quantile_normalize_array(x: np.ndarray, row_names: list[str] | None = None) -> np.ndarray:
    """Quantile-normalise the rows (images) of a 2-D array.

    Parameters
    ----------
    x : ndarray, shape (n_images, n_features)
        Features.
    row_names : list of str or None, default None
        Image names for messages.

    Returns
    -------
    ndarray of float64, shape (n_images, n_features)
        Each value replaced by the reference value at its rank (ties: the lowest rank).

    Raises
    ------
    ValueError
        If ``x`` is not 2-D or an image has NaN or infinite values (named).

    References
    ----------
    .. [1] Bolstad BM, Irizarry RA, Åstrand M, Speed TP. A comparison of normalization methods
       for high density oligonucleotide array data based on variance and bias.
       *Bioinformatics* 19(2), 185–193 (2003).
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"expected a 2-D images × features array, got shape {arr.shape}")
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        name = row_names[i] if row_names is not None else f"row {i}"
        raise ValueError(f"image {name}: features contain NaN or infinite values; "
                         "check the trained model (a diverged run gives NaN features)")
    ref = reference_distribution(arr)
    ranks = rankdata(arr, method="min", axis=1).astype(np.int64) - 1
    return ref[ranks]


def quantile_normalize(df: pd.DataFrame | np.ndarray) -> pd.DataFrame | np.ndarray:
    """Quantile-normalise an images × features table (feature columns ``fea_*`` when present).

    A DataFrame keeps its index; columns other than the feature columns (``image_id``,
    ``patient_id``) are passed through unchanged.

    Parameters
    ----------
    df : DataFrame or ndarray, shape (n_images, n_features)
        DRF table or array.

    Returns
    -------
    DataFrame or ndarray
        Same type and shape, features normalised.

    References
    ----------
    .. [1] Bolstad BM, Irizarry RA, Åstrand M, Speed TP. A comparison of normalization methods
       for high density oligonucleotide array data based on variance and bias.
       *Bioinformatics* 19(2), 185–193 (2003).
    """
    if not isinstance(df, pd.DataFrame):
        return quantile_normalize_array(df)
    feats = [c for c in df.columns if str(c).startswith("fea_")]
    if not feats:
        feats = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    names = [str(i) for i in df.index]
    values = quantile_normalize_array(df[feats].to_numpy(), names)
    normed = pd.DataFrame(values, index=df.index, columns=feats)
    rest = [c for c in df.columns if c not in set(feats)]
    return pd.concat([df[rest], normed], axis=1)[list(df.columns)]
