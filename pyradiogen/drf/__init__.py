"""Deep radiomic features (Liu & Hu 2023) in the ``paper`` and ``code`` presets.

Deep radiomic features (Liu & Hu 2023): preprocessing, denoising autoencoder, DRFs,
quantile normalisation and figures, in ``paper`` and ``code`` presets.

Typical use::

    from pyradiogen.drf import DRFExtractor, quantile_normalize, patient_level
    est = DRFExtractor(preset="code", seed=101).fit(images, patient_ids)
    raw = est.transform(images, patient_ids, image_ids)   # (image_id, patient_id) × fea_1…
    qn = quantile_normalize(raw)
"""

from __future__ import annotations

from .extractor import (
    DRFExtractor,
    feature_names,
    features_to_maps,
    kernel_map,
    patient_level,
    to_table,
)
from .model import DenoisingAutoencoder, make_config
from .normalize import quantile_normalize, quantile_normalize_array
from .train import DivergenceError, TrainResult, diagnose, train_autoencoder

__all__ = ["DRFExtractor", "DenoisingAutoencoder", "DivergenceError", "TrainResult", "diagnose",
           "feature_names", "features_to_maps", "kernel_map", "make_config", "patient_level",
           "quantile_normalize", "quantile_normalize_array", "to_table", "train_autoencoder"]
