"""Quantile normalisation with the authors' tie rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pyradiogen.drf.normalize import quantile_normalize, quantile_normalize_array


def _reference(x: np.ndarray) -> np.ndarray:
    """Slow, literal version: mean of the r-th smallest values; ties take their lowest rank."""
    n, p = x.shape
    mean_at_rank = [np.mean([sorted(row)[r] for row in x]) for r in range(p)]
    out = np.empty_like(x, dtype=float)
    for i, row in enumerate(x):
        for j, v in enumerate(row):
            out[i, j] = mean_at_rank[int(np.sum(row < v))]  # min rank (0-based)
    return out


def test_rows_share_sorted_values_and_keep_ranks():
    rng = np.random.default_rng(0)
    x = rng.lognormal(size=(7, 50)) * rng.uniform(1, 5, (7, 1))
    q = quantile_normalize_array(x)
    ref = np.sort(x, axis=1).mean(axis=0)
    for row_x, row_q in zip(x, q, strict=True):
        assert np.allclose(np.sort(row_q), ref, atol=1e-12)
        assert np.array_equal(np.argsort(row_x), np.argsort(row_q))


def test_ties_take_the_minimum_rank():
    x = np.array([[1.0, 1.0, 3.0], [2.0, 5.0, 4.0]])
    # reference: sorted rows (1,1,3) and (2,4,5) → means (1.5, 2.5, 4)
    q = quantile_normalize_array(x)
    assert np.allclose(q, [[1.5, 1.5, 4.0], [1.5, 4.0, 2.5]])
    rng = np.random.default_rng(1)
    xt = rng.integers(0, 4, (5, 20)).astype(float)   # many ties (like ReLU zeros)
    assert np.allclose(quantile_normalize_array(xt), _reference(xt), atol=1e-12)


def test_dataframe_keeps_index_and_id_columns():
    rng = np.random.default_rng(2)
    df = pd.DataFrame(rng.normal(size=(4, 6)), columns=[f"fea_{j}" for j in range(1, 7)])
    df.insert(0, "image_id", list("abcd"))
    df.insert(1, "patient_id", ["P1", "P1", "P2", "P2"])
    out = quantile_normalize(df)
    assert list(out.columns) == list(df.columns)
    assert list(out["image_id"]) == list("abcd")
    feats = out.filter(like="fea_").to_numpy()
    assert np.allclose(np.sort(feats, axis=1), np.sort(feats, axis=1)[0])


def test_nan_is_refused_naming_the_image():
    x = pd.DataFrame([[1.0, np.nan], [2.0, 3.0]], index=["img7", "img8"],
                     columns=["fea_1", "fea_2"])
    with pytest.raises(ValueError, match="image img7"):
        quantile_normalize(x)
