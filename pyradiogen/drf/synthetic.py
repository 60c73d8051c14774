"""Synthetic breast-MRI-like slices for tests and benchmarks (no cohort needed)."""

from __future__ import annotations

import numpy as np


def toy_images(n: int, size: int | tuple[int, int] = 64, seed: int = 0,
               n_patients: int | None = None) -> tuple[np.ndarray, list[str]]:
    """``n`` images ``(n, H, W)`` (float32, arbitrary intensity scale) and their patient ids.

    Each image is a smooth background with a bright elliptical "lesion" and mild noise; images
    of one patient share the background texture.
    """
    h, w = (size, size) if isinstance(size, int) else size
    rng = np.random.default_rng(seed)
    n_patients = n_patients or max(1, n // 4)
    yy, xx = np.mgrid[:h, :w].astype(np.float64)
    texture = rng.uniform(3, 9, size=(n_patients, 2))
    out = np.empty((n, h, w), dtype=np.float32)
    pids = []
    for i in range(n):
        p = i % n_patients
        cy, cx = rng.uniform(0.25, 0.75, 2) * (h, w)
        ry, rx = rng.uniform(0.05, 0.2, 2) * (h, w)
        bg = 0.3 + 0.1 * np.sin(xx / texture[p, 0]) * np.cos(yy / texture[p, 1])
        lesion = np.exp(-(((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2) / 2)
        img = bg + 0.7 * lesion + 0.02 * rng.standard_normal((h, w))
        out[i] = (np.clip(img, 0, None) * rng.uniform(200, 2000)).astype(np.float32)
        pids.append(f"TCGA-XX-{p:04d}")
    return out, pids
