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
from ..estimator import EstimatorMixin, NotFittedError
from ..store import atomic_path
from .config import DRFConfig
from .model import DenoisingAutoencoder, make_config
from .normalize import quantile_normalize
from .train import TrainResult, resolve_device, train_autoencoder
from .transforms import preprocess_stack

FORMAT_VERSION = 1


def feature_names(n: int) -> list[str]:
    """The DRF column names ``fea_1 … fea_n``.

    Parameters
    ----------
    n : int
        Number of features.

    Returns
    -------
    list of str
        ``["fea_1", …, f"fea_{n}"]``.
    """
    return [f"fea_{j}" for j in range(1, n + 1)]


def kernel_map(channels: int = 16, side: int = 16, flatten: str = "channels_last"
               ) -> pd.DataFrame:
    """Where each DRF lies in the bottleneck: its kernel, position and paper block.

    Parameters
    ----------
    channels : int, default 16
        Kernels (channels) of the bottleneck.
    side : int, default 16
        Side of each kernel's square map, in cells.
    flatten : {"channels_last", "channels_first"}, default "channels_last"
        How the map was flattened (the authors' Keras code: channels last).

    Returns
    -------
    DataFrame, shape (channels·side², 4)
        Indexed by feature name (``fea_j``): ``kernel`` (1-based), ``row`` and ``col``
        (0-based cell), ``paper_block`` = ceil(j / side²) (the paper's 256-feature "kernel").

    Raises
    ------
    ValueError
        If ``flatten`` is not one of the two orders.
    """
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
    """One image's flat features as ``(channels, side, side)`` kernel maps.

    Parameters
    ----------
    values : ndarray, shape (channels·side²,)
        The image's DRFs ``fea_1 …`` in order.
    channels : int, default 16
        Kernels of the bottleneck.
    side : int, default 16
        Side of each kernel's map, in cells.
    flatten : {"channels_last", "channels_first"}, default "channels_last"
        The flattening order of the features.

    Returns
    -------
    ndarray, shape (channels, side, side)
        One map per kernel.

    Raises
    ------
    ValueError
        If ``values`` does not have ``channels·side²`` entries.
    """
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


class DRFExtractor(EstimatorMixin):
    """Denoising-autoencoder deep radiomic features (Liu & Hu 2023), both presets.

    Parameters
    ----------
    preset : {"paper", "code"} or DRFConfig, default "paper"
        The published settings, those of the authors' code, or a full configuration.
    seed : int, default 0
        Seeds the split, the noise, the initial weights and the shuffling.
    epochs : int or None, default None
        Overrides the preset's 100 epochs.
    config : dict or None, default None
        Keyword overrides of :class:`DRFConfig` fields (e.g. ``{"lr": 0.001}``).
    checkpoint_dir : str, Path or None, default None
        Where ``last.pt`` is written each epoch; with ``resume`` an existing one for the same
        settings, seed and images is continued.
    device : {None, "auto", "cpu", "cuda"}, default None
        ``None``: the configuration's device; ``"auto"``: CUDA when present.
    n_threads : int or None, default None
        torch CPU threads (``None``: the configuration's ``threads``, 2 by default); part of
        the result, see :func:`pyradiogen.threads.deterministic_torch`.
    batch_size : int, default 64
        Images per forward pass during extraction.
    progress : bool, default True
        Show a progress bar while training.
    resume : bool, default True
        Continue a matching checkpoint in ``checkpoint_dir``.

    Attributes
    ----------
    config_ : DRFConfig
        The configuration trained with.
    model_ : DenoisingAutoencoder
        The trained network (eval mode).
    history_ : DataFrame
        Per epoch: training and validation loss.
    diagnosis_ : dict
        Training diagnosis (divergence, plateau) from :func:`pyradiogen.drf.diagnose`.
    feature_shape_ : tuple of int
        ``(kernels, side, side)`` of the bottleneck, (16, 16, 16) for both presets.
    n_features_ : int
        Number of DRFs (4,096).
    feature_names_ : list of str
        ``fea_1 … fea_N``.
    kernel_map_ : DataFrame
        :func:`kernel_map` of the fitted layout.
    train_result_ : TrainResult
        Everything training returned (after :meth:`fit`, not after :meth:`load`).

    References
    ----------
    .. [1] Liu Q, Hu P. Radiogenomic association of deep MR imaging features with genomic
       profiles and clinical characteristics in breast cancer. *Biomark Res* 11, 9 (2023).
    .. [2] Vincent P, Larochelle H, Bengio Y, Manzagol PA. Extracting and composing robust
       features with denoising autoencoders. *ICML* (2008).
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
        """The preset with ``config``, ``epochs``, ``device`` and ``n_threads`` applied.

        Returns
        -------
        DRFConfig
            The configuration :meth:`fit` would train with.
        """
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
        """Apply the preset's intensity scaling and resize to the network's input size.

        Parameters
        ----------
        images : sequence of ndarray or ndarray
            2-D images (any size and intensity unit) or an array of shape (n, H, W).
        image_ids : sequence of str or None, default None
            Names used in error messages.

        Returns
        -------
        ndarray of float32, shape (n, size, size)
            Scaled images (64 × 64 for both presets).
        """
        cfg = getattr(self, "config_", None) or self.resolved_config()
        return preprocess_stack(images, cfg.scaling, cfg.size, ids=image_ids)

    # ------------------------------------------------------------------ fit / transform
    def fit(self, images: Sequence[np.ndarray] | np.ndarray,
            patient_ids: Sequence[str] | None = None,
            image_ids: Sequence[str] | None = None) -> DRFExtractor:
        """Preprocess ``images`` and train the autoencoder.

        Parameters
        ----------
        images : sequence of ndarray or ndarray
            2-D images (any size and intensity unit) or an array of shape (n, H, W).
        patient_ids : sequence of str or None, default None
            Patient of each image; needed when the preset splits by patient.
        image_ids : sequence of str or None, default None
            Name of each image (``img00001`` … by default).

        Returns
        -------
        DRFExtractor
            The fitted extractor.

        Raises
        ------
        ValueError
            If the ID lists do not have one entry per image, or the preset splits by patient
            and ``patient_ids`` is missing.
        """
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
            raise NotFittedError("DRFExtractor is not fitted: call fit() or DRFExtractor.load()")

    def features_array(self, x: np.ndarray) -> np.ndarray:
        """Flat DRFs of already preprocessed images.

        Parameters
        ----------
        x : ndarray of float32, shape (n, size, size)
            Output of :meth:`preprocess`.

        Returns
        -------
        ndarray of float32, shape (n, n_features)
            One row of ``fea_1 … fea_N`` per image.

        Raises
        ------
        NotFittedError
            If the extractor is neither fitted nor loaded.
        """
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
        """Extract the DRFs of ``images``.

        Parameters
        ----------
        images : sequence of ndarray or ndarray
            2-D images (any size and intensity unit) or an array of shape (n, H, W).
        patient_ids : sequence of str or None, default None
            Patient of each image; ``None``: each image is its own patient (its image ID).
        image_ids : sequence of str or None, default None
            Name of each image; ``None``: ``img00001`` ….

        Returns
        -------
        DataFrame of float32, shape (n_images, n_features)
            Columns ``fea_1 … fea_N``, indexed by ``(image_id, patient_id)``.

        Raises
        ------
        NotFittedError
            If the extractor is neither fitted nor loaded.
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
        """Fit, then extract the DRFs of the same images (the authors' use).

        Parameters
        ----------
        images : sequence of ndarray or ndarray
            2-D images (any size and intensity unit) or an array of shape (n, H, W).
        patient_ids : sequence of str or None, default None
            Patient of each image.
        image_ids : sequence of str or None, default None
            Name of each image.

        Returns
        -------
        DataFrame of float32, shape (n_images, n_features)
            As :meth:`transform`.
        """
        return self.fit(images, patient_ids, image_ids).transform(images, patient_ids, image_ids)

    # ------------------------------------------------------------------ helpers
    def kernel_of(self, feature: str | int) -> int:
        """The true kernel (1–16) of the bottleneck that holds a feature.

        Parameters
        ----------
        feature : str or int
            ``"fea_4043"`` or 4043.

        Returns
        -------
        int
            Kernel number, 1-based (not the paper's 256-feature block).

        Raises
        ------
        KeyError
            If ``feature`` is not one of ``fea_1 … fea_N``.
        NotFittedError
            If the extractor is neither fitted nor loaded.
        """
        self._check_fitted()
        name = feature if isinstance(feature, str) else f"fea_{int(feature)}"
        if name not in self.kernel_map_.index:
            raise KeyError(f"{feature!r} is not a feature; use fea_1 … fea_{self.n_features_}")
        return int(self.kernel_map_.at[name, "kernel"])

    def maps(self, features: pd.Series | np.ndarray) -> np.ndarray:
        """One image's features as kernel maps (liu2023 Fig 3b).

        Parameters
        ----------
        features : Series or ndarray, shape (n_features,)
            One row of :meth:`transform`.

        Returns
        -------
        ndarray, shape (kernels, side, side)
            One map per kernel.
        """
        self._check_fitted()
        c, s, _ = self.feature_shape_
        return features_to_maps(np.asarray(features), c, s, self.config_.flatten)

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> Path:
        """Save config, seed, weights, history and diagnosis to one ``.pt`` file (atomic).

        Parameters
        ----------
        path : str or Path
            The file to write.

        Returns
        -------
        Path
            ``path``.
        """
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
        """Load an extractor written by :meth:`save`.

        Parameters
        ----------
        path : str or Path
            A file written by :meth:`save`.
        device : str or None, default None
            Where to put the network (``None``: the saved configuration's device).

        Returns
        -------
        DRFExtractor
            A fitted extractor.

        Raises
        ------
        FileNotFoundError
            If ``path`` does not exist.
        ValueError
            If the file is of an unknown format version.
        """
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
    """Move the ``(image_id, patient_id)`` index into columns (the between-stage layout).

    Parameters
    ----------
    df : DataFrame, shape (n_images, n_features)
        Output of :meth:`DRFExtractor.transform`.

    Returns
    -------
    DataFrame, shape (n_images, 2 + n_features)
        Columns ``image_id``, ``patient_id``, then the features (``df`` unchanged if its
        index is not a MultiIndex).
    """
    if not isinstance(df.index, pd.MultiIndex):
        return df
    ids = df.index.to_frame(index=False)
    return pd.concat([ids, df.reset_index(drop=True)], axis=1)


def patient_level(df: pd.DataFrame) -> pd.DataFrame:
    """Mean of each patient's images.

    Parameters
    ----------
    df : DataFrame, shape (n_images, …)
        DRF table with ``patient_id`` as a column or index level.

    Returns
    -------
    DataFrame, shape (n_patients, n_features)
        Indexed by ``patient_id``; the ``fea_*`` columns.

    Raises
    ------
    ValueError
        If ``df`` has no ``patient_id``.
    """
    if "patient_id" in df.columns:
        tab = df
    elif "patient_id" in (df.index.names or []):
        tab = df.reset_index()
    else:
        raise ValueError("patient_level needs a patient_id column or index level")
    feats = [c for c in tab.columns if str(c).startswith("fea_")]
    return tab.groupby("patient_id", sort=True)[feats].mean()


def normalized(df: pd.DataFrame) -> pd.DataFrame:
    """Quantile-normalised copy of a DRF table (see :mod:`pyradiogen.drf.normalize`).

    Parameters
    ----------
    df : DataFrame, shape (n_images, n_features)
        DRF table.

    Returns
    -------
    DataFrame, shape (n_images, n_features)
        Each image's values replaced by the reference quantiles, ties taking their lowest
        rank (the authors' rule; Bolstad et al. 2003, *Bioinformatics* 19:185).
    """
    return quantile_normalize(df)


__all__ = ["DRFExtractor", "TrainResult", "feature_names", "features_to_maps", "kernel_map",
           "normalized", "patient_level", "to_table"]
