"""DRF preprocessing transforms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from pyradiogen.drf.transforms import (
    AddGaussianNoise,
    Compose,
    DivideByMax,
    MinMaxScale,
    Zoom,
    Zoom64,
    preprocess_stack,
    preprocessing,
)


@pytest.mark.parametrize("shape", [(512, 512), (256, 320), (37, 50), (64, 64), (100, 31)])
def test_zoom64_equals_scipy_zoom(shape):
    rng = np.random.default_rng(sum(shape))
    img = rng.gamma(2.0, 100.0, shape)
    ours = Zoom64()(img)
    ref = ndimage.zoom(img, (64 / shape[0], 64 / shape[1]), order=3)
    assert ours.shape == (64, 64)
    assert np.array_equal(ours, ref)


def test_zoom_of_uint16_pixels_matches_authors_float_path():
    rng = np.random.default_rng(3)
    raw = rng.integers(0, 4000, (256, 256)).astype(np.uint16)
    scaled = raw / (np.max(raw.reshape(-1) / 1.0))          # the authors' division
    ref = ndimage.zoom(scaled, [64.0 / 256, 64.0 / 256])     # default order 3
    ours = preprocessing("max")(raw)
    assert np.array_equal(ours, ref)


def test_minmax_and_divide_by_max():
    img = np.array([[2.0, 4.0], [6.0, 10.0]])
    assert np.allclose(MinMaxScale()(img), [[0, 0.25], [0.5, 1.0]])
    assert np.allclose(DivideByMax()(img), [[0.2, 0.4], [0.6, 1.0]])
    assert np.array_equal(MinMaxScale()(np.full((3, 3), 7.0)), np.zeros((3, 3)))
    zero = np.zeros((4, 4))
    assert np.array_equal(DivideByMax()(zero), zero)


def test_noise_is_seeded_and_clipped():
    img = np.full((64, 64), 0.5)
    a = AddGaussianNoise(0.05, clip=True, seed=1)(img)
    b = AddGaussianNoise(0.05, clip=True, seed=1)(img)
    c = AddGaussianNoise(0.05, clip=True, seed=2)(img)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert abs(float(np.std(a - img)) - 0.05) < 0.003
    edge = AddGaussianNoise(0.05, clip=True, seed=1)(np.ones((64, 64)))
    assert edge.max() == 1.0 and edge.min() >= 0.0
    unclipped = AddGaussianNoise(0.05, clip=False, seed=1)(np.ones((64, 64)))
    assert unclipped.max() > 1.0


def test_compose_and_stack():
    imgs = [np.arange(100 * 80, dtype=float).reshape(100, 80), np.ones((64, 64)) * 3]
    x = preprocess_stack(imgs, "minmax")
    assert x.shape == (2, 64, 64) and x.dtype == np.float32
    pipe = Compose([MinMaxScale(), Zoom(64)])
    assert np.array_equal(x[0], pipe(imgs[0]).astype(np.float32))
    with pytest.raises(ValueError, match="image b: expected a 2-D"):
        preprocess_stack([np.ones((4, 4)), np.ones((2, 4, 4))], ids=["a", "b"])
    with pytest.raises(ValueError, match="NaN"):
        preprocess_stack([np.full((4, 4), np.nan)])
