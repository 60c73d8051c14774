"""Synthetic feature and GF tables shaped like the study's (for tests and benchmarks)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def synthetic_tables(n_patients: int = 30, n_features: int = 40, n_gfs: int = 8,
                     images: tuple[int, int] = (2, 6), n_linked: int = 5, effect: float = 0.8,
                     seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Feature table (image_id, patient_id, fea_1…) and GF table (patient_id, GF_1…).

    Each patient has ``images[0]``–``images[1]`` images; each feature has its own
    between-patient variance (some none, some boundary fits); the last ``n_linked`` features
    depend on ``GF_1`` with slope ``effect``.
    """
    rng = np.random.default_rng(seed)
    pids = [f"TCGA-S{i // 100:01d}-{i:04d}" for i in range(n_patients)]
    n_img = rng.integers(images[0], images[1] + 1, n_patients)
    codes = np.repeat(np.arange(n_patients), n_img)
    gf = rng.normal(size=(n_patients, n_gfs))
    sd_b = rng.uniform(0.0, 1.5, n_features)
    sd_b[: max(1, n_features // 8)] = 0.0
    Y = (rng.normal(size=(n_patients, n_features)) * sd_b)[codes]
    Y = Y + rng.normal(size=(codes.size, n_features)) * rng.uniform(0.5, 2.0, n_features)
    Y[:, n_features - n_linked:] += effect * gf[codes, :1]
    Y = Y * rng.uniform(0.1, 100.0, n_features) + rng.uniform(-50, 50, n_features)
    feats = pd.DataFrame(Y, columns=[f"fea_{j + 1}" for j in range(n_features)])
    feats.insert(0, "patient_id", [pids[c] for c in codes])
    feats.insert(0, "image_id", [f"IMG{j:05d}" for j in range(codes.size)])
    gfs = pd.DataFrame(gf * rng.uniform(0.5, 5.0, n_gfs) + 3.0,
                       columns=[f"GF_{j + 1}" for j in range(n_gfs)])
    gfs.insert(0, "patient_id", pids)
    return feats, gfs
