"""Small composable image transforms for the deep-radiomic-feature preprocessing.

Each transform is a callable on one 2-D image (``np.ndarray`` of shape ``(H, W)``) returning a
new float64 array, in the spirit of MONAI's array transforms; :class:`Compose` chains them.
The two presets (see :func:`preprocessing`):

- ``paper``: min–max scale to [0, 1], resize to 64×64;
- ``code`` (the authors' ``unsupervised_DA.py``): divide by the image maximum (an all-zero
  image is left as it is), resize to 64×64 with ``scipy.ndimage.zoom`` (cubic spline, order 3,
  the function's defaults otherwise).

Noise (:class:`AddGaussianNoise`) is applied once to the whole data set, not per epoch, as the
authors' script does; it is seeded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import ndimage

Transform = Callable[[np.ndarray], np.ndarray]


class MinMaxScale:
    """``(x - min) / (max - min)``; a constant image becomes all zeros."""

    def __call__(self, img: np.ndarray) -> np.ndarray:
        x = np.asarray(img, dtype=np.float64)
        lo, hi = float(np.min(x)), float(np.max(x))
        if hi == lo:
            return np.zeros_like(x)
        return (x - lo) / (hi - lo)


class DivideByMax:
    """``x / max(x)`` as the authors' code does; an image whose maximum is 0 is unchanged."""

    def __call__(self, img: np.ndarray) -> np.ndarray:
        x = np.asarray(img, dtype=np.float64)
        m = float(np.max(x))
        return x if m == 0 else x / m


class Zoom:
    """Resize to ``size × size`` exactly as ``scipy.ndimage.zoom(img, (s/h, s/w), order=3)``.

    Parameters
    ----------
    size : int, default 64
        Output side, in pixels.
    order : int, default 3
        Spline order.
    """

    def __init__(self, size: int = 64, order: int = 3) -> None:
        self.size = int(size)
        self.order = int(order)

    def __call__(self, img: np.ndarray) -> np.ndarray:
        x = np.asarray(img, dtype=np.float64)
        if x.ndim != 2:
            raise ValueError(f"expected a 2-D image, got shape {x.shape}")
        h, w = x.shape
        out = ndimage.zoom(x, (self.size / h, self.size / w), order=self.order)
        if out.shape != (self.size, self.size):  # zoom rounds the output shape; never expected
            raise ValueError(f"zoom of a {h}×{w} image gave {out.shape}, not "
                             f"{self.size}×{self.size}")
        return out


class Zoom64(Zoom):
    """:class:`Zoom` to 64×64 with spline order 3 (the authors' setting)."""

    def __init__(self) -> None:
        super().__init__(64, 3)


class AddGaussianNoise:
    """Add ``std·N(0, 1)`` noise, optionally clipped to [0, 1]; seeded, works on a stack too.

    Parameters
    ----------
    std : float, default 0.05
        Noise standard deviation, in image units.
    clip : bool, default False
        Clip to [0, 1].
    seed : int or None, default 0
        NumPy seed of the generator (advances with each call).
    """

    def __init__(self, std: float = 0.05, clip: bool = False, seed: int | None = 0) -> None:
        self.std = float(std)
        self.clip = bool(clip)
        self.rng = np.random.default_rng(seed)

    def __call__(self, img: np.ndarray) -> np.ndarray:
        x = np.asarray(img, dtype=np.float64)
        out = x + self.std * self.rng.standard_normal(x.shape)
        return np.clip(out, 0.0, 1.0) if self.clip else out


class Compose:
    """Apply transforms in order.

    Parameters
    ----------
    transforms : sequence of callable
        Each maps an array to an array.
    """

    def __init__(self, transforms: Sequence[Transform]) -> None:
        self.transforms = list(transforms)

    def __call__(self, img: np.ndarray) -> np.ndarray:
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        return f"Compose({[type(t).__name__ for t in self.transforms]})"


def preprocessing(scaling: str = "minmax", size: int = 64) -> Compose:
    """The deterministic part of a preset: intensity scaling then resize.

    Parameters
    ----------
    scaling : {"minmax", "max"}, default "minmax"
        Intensity scaling (:class:`MinMaxScale` or :class:`DivideByMax`).
    size : int, default 64
        Output side, in pixels.

    Returns
    -------
    Compose
        Scaling then :class:`Zoom`.

    Raises
    ------
    ValueError
        For an unknown scaling.
    """
    scalers = {"minmax": MinMaxScale, "max": DivideByMax}
    if scaling not in scalers:
        raise ValueError(f"unknown scaling {scaling!r}; use one of {sorted(scalers)}")
    return Compose([scalers[scaling](), Zoom(size, 3)])


def preprocess_stack(images: Sequence[np.ndarray] | np.ndarray, scaling: str = "minmax",
                     size: int = 64, ids: Sequence[str] | None = None) -> np.ndarray:
    """Preprocess 2-D images of any sizes into one float32 stack.

    Parameters
    ----------
    images : sequence of ndarray or ndarray
        2-D images or an array ``(n, H, W)``.
    scaling : {"minmax", "max"}, default "minmax"
        Intensity scaling.
    size : int, default 64
        Output side, in pixels.
    ids : sequence of str or None, default None
        Image names for messages.

    Returns
    -------
    ndarray of float32, shape (n, size, size)
        Scaled, resized images.

    Raises
    ------
    ValueError
        An image that is not 2-D or has NaN or infinite pixels (named).
    """
    pipe = preprocessing(scaling, size)
    out = np.empty((len(images), size, size), dtype=np.float32)
    for i, img in enumerate(images):
        arr = np.asarray(img)
        name = ids[i] if ids is not None else f"#{i}"
        if arr.ndim != 2:
            raise ValueError(f"image {name}: expected a 2-D slice, got shape {arr.shape}; "
                             "pass one slice per image")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"image {name}: contains NaN or infinite pixels; fix the input")
        out[i] = pipe(arr)
    return out
