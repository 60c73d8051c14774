"""``DRFExtractor``: a scikit-learn-style estimator that trains the autoencoder and extracts DRFs.

``fit(images, patient_ids)`` preprocesses (preset scaling, 64×64 zoom) and trains;
``transform(images, patient_ids, image_ids)`` returns an images × ``fea_1 … fea_4096`` float32
DataFrame indexed by ``(image_id, patient_id)``; ``to_table`` turns that into the between-stage
layout (columns ``image_id``, ``patient_id``, features).

Feature order (``flatten="channels_last"``, the authors' Keras layout): feature ``fea_j`` is at
row ``r``, column ``c`` of kernel ``k`` of the 16×16×16 map with ``j − 1 = (r·16 + c)·16 + k − 1``,
so consecutive features cycle through the 16 kernels. The paper's text instead groups features
256 at a time ("kernel k holds features 256(k−1)+1 … 256k"); under the code's layout such a block
is one *row* of the map across all kernels. ``kernel_map_`` gives both: ``kernel`` (the true
kernel) and ``paper_block`` (the paper's grouping, e.g. ``fea_4043`` → kernel 11, block 16).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from .. import threads
from ..store import atomic_path
from .config import DRFConfig
from .model import DenoisingAutoencoder, make_config
from .normalize import quantile_normalize
from .train import TrainResult, resolve_device, train_autoencoder
from .transforms import preprocess_stack

FORMAT_VERSION = 1


def feature_names(n: int) -> list[str]:
    """``fea_1 … fea_n``."""
    return [f"fea_{j}" for j in range(1, n + 1)]


def kernel_map(channels: int = 16, side: int = 16, flatten: str = "channels_last"
               ) -> pd.DataFrame:
    """Per feature: ``kernel``, ``row``, ``col`` (1-based kernel, 0-based position), and
    ``paper_block`` = ceil(j / side²), the paper's 256-feature grouping."""
    j = np.arange(channels * side * side)
    if flatten == "channels_last":
        kernel, pos = j % channels, j // channels
    elif flatten == "channels_first":
        kernel, pos = j // (side * side), j % (side * side)
    else:
        raise ValueError(f"unknown flatten order {flatten!r}")
    return pd.DataFrame({"kernel": kernel + 1, "row": pos // side, "col": pos % side,
                         "paper_block": j // (side * side) + 1},
                        index=pd.Index(feature_names(len(j)), name="feature"))


def features_to_maps(values: np.ndarray, channels: int = 16, side: int = 16,
                     flatten: str = "channels_last") -> np.ndarray:
    """One image's flat features → ``(channels, side, side)`` kernel maps."""
    v = np.asarray(values).reshape(-1)
    if v.size != channels * side * side:
        raise ValueError(f"expected {channels * side * side} features, got {v.size}")
    if flatten == "channels_last":
        return v.reshape(side, side, channels).transpose(2, 0, 1)
    return v.reshape(channels, side, side)


def _ids(n: int, ids: Sequence[Any] | None, what: str, default: str) -> list[str]:
    if ids is None:
        return [f"{default}{i + 1:05d}" for i in range(n)]
    ids = [str(i) for i in ids]
    if len(ids) != n:
        raise ValueError(f"{len(ids)} {what} given for {n} images; give one per image")
    return ids


class DRFExtractor:
    """Denoising-autoencoder deep radiomic features (Liu & Hu 2023), both presets.

    Parameters
    ----------
    preset : ``"paper"`` or ``"code"`` (or a :class:`DRFConfig`).
    seed : seeds the split, the noise, the initial weights and the shuffling.
    epochs : overrides the preset's 100 epochs.
    config : keyword overrides of :class:`DRFConfig` fields (e.g. ``{"lr": 0.001}``).
    checkpoint_dir : where ``last.pt`` is written each epoch; with ``resume`` an existing one
        for the same settings, seed and images is continued.
    device : ``auto`` (CUDA when present), ``cpu`` or ``cuda``.
    n_threads : torch CPU threads (``None``: the configuration's ``threads``, 2 by default);
        part of the result, see :func:`pyradiogen.threads.deterministic_torch`.
    batch_size : images per forward pass during extraction.
    """

    def __init__(self, preset: str | DRFConfig = "paper", seed: int = 0,
                 epochs: int | None = None, config: dict[str, Any] | None = None,
                 checkpoint_dir: str | Path | None = None, device: str | None = None,
                 n_threads: int | None = None, batch_size: int = 64,
                 progress: bool = True, resume: bool = True) -> None:
        self.preset = preset
        self.seed = seed
        self.epochs = epochs
        self.config = config
        self.checkpoint_dir = checkpoint_dir
        self.device = device
        self.n_threads = n_threads
        self.batch_size = batch_size
        self.progress = progress
        self.resume = resume

    # ------------------------------------------------------------------ configuration
    def resolved_config(self) -> DRFConfig:
        """The preset with ``config`` and ``epochs`` applied."""
        over = dict(self.config or {})
        if self.epochs is not None:
            over["epochs"] = int(self.epochs)
        if self.device is not None:
            over["device"] = self.device
        if self.n_threads:
            over["threads"] = int(self.n_threads)
        return make_config(self.preset, **over)

    def preprocess(self, images: Sequence[np.ndarray] | np.ndarray,
                   image_ids: Sequence[str] | None = None) -> np.ndarray:
        """Preset scaling and resize: ``(n, 64, 64)`` float32."""
        cfg = getattr(self, "config_", None) or self.resolved_config()
        return preprocess_stack(images, cfg.scaling, cfg.size, ids=image_ids)

    # ------------------------------------------------------------------ fit / transform
    def fit(self, images: Sequence[np.ndarray] | np.ndarray,
            patient_ids: Sequence[str] | None = None,
            image_ids: Sequence[str] | None = None) -> DRFExtractor:
        """Preprocess ``images`` (list of 2-D arrays or ``(n, H, W)``) and train."""
        cfg = self.resolved_config()
        n = len(images)
        image_ids = _ids(n, image_ids, "image ids", "img")
        if patient_ids is not None:
            patient_ids = _ids(n, patient_ids, "patient ids", "patient")
        self.config_ = cfg
        x = self.preprocess(images, image_ids)
        res = train_autoencoder(x, cfg, seed=self.seed, patient_ids=patient_ids,
                                checkpoint_dir=self.checkpoint_dir, resume=self.resume,
                                device=cfg.device,
                                n_threads=self.n_threads, progress=self.progress)
        self._set_fitted(res.model, res.history, res.diagnosis)
        self.train_result_ = res
        return self

    def _set_fitted(self, model: DenoisingAutoencoder, history: pd.DataFrame,
                    diagnosis: dict[str, Any]) -> None:
        self.model_ = model.eval()
        self.history_ = history
        self.diagnosis_ = diagnosis
        c, s, _ = model.feature_shape()
        self.feature_shape_ = (c, s, s)
        self.n_features_ = c * s * s
        self.feature_names_ = feature_names(self.n_features_)
        self.kernel_map_ = kernel_map(c, s, self.config_.flatten)

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise RuntimeError("DRFExtractor is not fitted: call fit() or DRFExtractor.load()")

    def features_array(self, x: np.ndarray) -> np.ndarray:
        """Flat features of preprocessed images ``(n, S, S)`` → ``(n, n_features)`` float32."""
        self._check_fitted()
        n_threads = int(self.n_threads or self.config_.threads)  # saved models: config's
        dev = next(self.model_.parameters()).device
        out = np.empty((len(x), self.n_features_), dtype=np.float32)
        with threads.deterministic_torch(n_threads), torch.inference_mode():
            for i in range(0, len(x), self.batch_size):
                xb = torch.from_numpy(np.ascontiguousarray(x[i:i + self.batch_size, None]))
                out[i:i + len(xb)] = self.model_.features(xb.to(dev)).float().cpu().numpy()
        return out

    def transform(self, images: Sequence[np.ndarray] | np.ndarray,
                  patient_ids: Sequence[str] | None = None,
                  image_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """Images × ``fea_1 … fea_N`` (float32), indexed by ``(image_id, patient_id)``.

        Without ``image_ids`` images are named ``img00001`` …; without ``patient_ids`` each
        image is its own patient (its image id).
        """
        self._check_fitted()
        n = len(images)
        img_ids = _ids(n, image_ids, "image ids", "img")
        pat_ids = _ids(n, patient_ids, "patient ids", "patient") if patient_ids is not None \
            else img_ids
        feats = self.features_array(self.preprocess(images, img_ids))
        index = pd.MultiIndex.from_arrays([img_ids, pat_ids], names=["image_id", "patient_id"])
        return pd.DataFrame(feats, index=index, columns=self.feature_names_)

    def fit_transform(self, images: Sequence[np.ndarray] | np.ndarray,
                      patient_ids: Sequence[str] | None = None,
                      image_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """``fit`` then ``transform`` on the same images (the authors' use)."""
        return self.fit(images, patient_ids, image_ids).transform(images, patient_ids, image_ids)

    # ------------------------------------------------------------------ helpers
    def kernel_of(self, feature: str | int) -> int:
        """Kernel (1–16) holding ``feature`` (``"fea_4043"`` or 4043)."""
        self._check_fitted()
        name = feature if isinstance(feature, str) else f"fea_{int(feature)}"
        if name not in self.kernel_map_.index:
            raise KeyError(f"{feature!r} is not a feature; use fea_1 … fea_{self.n_features_}")
        return int(self.kernel_map_.at[name, "kernel"])

    def maps(self, features: pd.Series | np.ndarray) -> np.ndarray:
        """One image's features → ``(kernels, side, side)`` maps (for Fig 3b)."""
        self._check_fitted()
        c, s, _ = self.feature_shape_
        return features_to_maps(np.asarray(features), c, s, self.config_.flatten)

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> Path:
        """Save config, seed, weights, history and diagnosis to one ``.pt`` file (atomic)."""
        self._check_fitted()
        payload = {"format": FORMAT_VERSION, "config": dataclasses.asdict(self.config_),
                   "seed": self.seed, "state_dict": {k: v.cpu() for k, v in
                                                     self.model_.state_dict().items()},
                   "history": self.history_.to_dict("list"), "diagnosis": self.diagnosis_,
                   "batch_size": self.batch_size}
        with atomic_path(path) as tmp:
            torch.save(payload, tmp)
        return Path(path)

    @classmethod
    def load(cls, path: str | Path, device: str | None = None) -> DRFExtractor:
        """Load an extractor written by :meth:`save`."""
        p = Path(path)
        if not p.exists():
            raise FileNotFoundError(f"{p}: no saved DRF model; run `pyradiogen drf train` first")
        payload = torch.load(p, map_location="cpu", weights_only=False)
        if payload.get("format") != FORMAT_VERSION:
            raise ValueError(f"{p}: unknown DRF model format {payload.get('format')!r}")
        cfg = DRFConfig(**payload["config"])
        est = cls(preset=cfg, seed=payload["seed"], batch_size=payload.get("batch_size", 64),
                  device=device)
        est.config_ = cfg
        model = DenoisingAutoencoder(cfg, seed=None)
        model.load_state_dict(payload["state_dict"])
        model.to(resolve_device(device or cfg.device))
        est._set_fitted(model, pd.DataFrame(payload["history"]), payload["diagnosis"])
        return est


def to_table(df: pd.DataFrame) -> pd.DataFrame:
    """Index ``(image_id, patient_id)`` → columns, the between-stage table layout."""
    if not isinstance(df.index, pd.MultiIndex):
        return df
    ids = df.index.to_frame(index=False)
    return pd.concat([ids, df.reset_index(drop=True)], axis=1)


def patient_level(df: pd.DataFrame) -> pd.DataFrame:
    """Mean over each patient's images: patients × features, indexed by ``patient_id``."""
    if "patient_id" in df.columns:
        tab = df
    elif "patient_id" in (df.index.names or []):
        tab = df.reset_index()
    else:
        raise ValueError("patient_level needs a patient_id column or index level")
    feats = [c for c in tab.columns if str(c).startswith("fea_")]
    return tab.groupby("patient_id", sort=True)[feats].mean()


def normalized(df: pd.DataFrame) -> pd.DataFrame:
    """Quantile-normalised copy of a DRF table (see :mod:`pyradiogen.drf.normalize`)."""
    return quantile_normalize(df)


__all__ = ["DRFExtractor", "TrainResult", "feature_names", "features_to_maps", "kernel_map",
           "normalized", "patient_level", "to_table"]
