"""Supplementary Table 1: supervised EfficientNet-B0 baseline (MONAI) for T, N, ER, PR, HER2.

As in the paper: 224×224 inputs, learning rate 0.002, 100 epochs (configurable), 80/20 split,
with or without ImageNet pre-training. Pre-trained weights are never downloaded: pass the path
of a local state-dict file (e.g. the efficientnet-pytorch ``efficientnet-b0`` checkpoint that
MONAI itself would fetch); tensors whose shapes do not fit (the 1000-class head, a 1-channel
stem) are left at their initial values and listed in ``skipped_keys_``.

Pre-processing follows the authors' script: each image divided by its maximum, resized with
``scipy.ndimage.zoom`` (cubic spline), the grey channel repeated over ``in_channels``.
Optimiser Adam, cross-entropy on two logits, batch 64; P(class 1) from the softmax.
Paper mode splits images at random (``set.seed(seed)``, R ``sample.int``; a patient's images
can fall on both sides); rigorous mode splits by patient. No AUC flip in either mode (the
authors' flip is in their nnet/XGBoost script only).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..estimator import EstimatorMixin, check_is_fitted
from . import modes


def preprocess(image: np.ndarray, size: int = 224, in_channels: int = 3) -> np.ndarray:
    """Max-normalise a 2-D image, zoom to ``size``×``size`` and repeat it over channels.

    Parameters
    ----------
    image : ndarray, shape (rows, cols)
        One image, any intensity unit.
    size : int, default 224
        Output side, in pixels (cubic spline zoom).
    in_channels : int, default 3
        Copies of the grey channel.

    Returns
    -------
    ndarray of float32, shape (in_channels, size, size)
        Values in [0, 1].

    Raises
    ------
    ValueError
        If ``image`` is not 2-D.
    """
    from scipy import ndimage

    im = np.asarray(image, dtype=np.float32)
    if im.ndim != 2:
        raise ValueError(f"expected a 2-D image, got shape {im.shape}")
    top = float(im.max())
    if top > 0:
        im = im / top
    im = ndimage.zoom(im, (size / im.shape[0], size / im.shape[1]), order=3)
    im = im[:size, :size]
    return np.repeat(im[None], in_channels, axis=0).astype(np.float32)


def build_model(in_channels: int = 3, num_classes: int = 2):
    """MONAI's 2-D EfficientNet-B0, never fetching weights.

    Parameters
    ----------
    in_channels : int, default 3
        Input channels.
    num_classes : int, default 2
        Output logits.

    Returns
    -------
    monai.networks.nets.EfficientNetBN
        Randomly initialised network.
    """
    from monai.networks.nets import EfficientNetBN

    return EfficientNetBN("efficientnet-b0", pretrained=False, spatial_dims=2,
                          in_channels=in_channels, num_classes=num_classes)


def load_pretrained(model, path: str | os.PathLike) -> list[str]:
    """Load a local state dict into ``model``, skipping tensors whose shapes do not fit.

    Parameters
    ----------
    model : torch.nn.Module
        From :func:`build_model`.
    path : str or PathLike
        A local EfficientNet-B0 state-dict file (never downloaded).

    Returns
    -------
    list of str
        Keys left at their initial values (e.g. the 1000-class head).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If fewer than half the tensors fit (not an EfficientNet-B0 state dict).
    """
    import torch

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(
            f"pre-trained weights file {p} not found; pyradiogen never downloads weights — "
            "pass the path of a local EfficientNet-B0 state dict (e.g. efficientnet-b0-355c32eb.pth)"
            " or run without pre-training")
    state = torch.load(p, map_location="cpu", weights_only=True)
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    own = model.state_dict()
    usable = {k: v for k, v in state.items() if k in own and tuple(v.shape) == tuple(own[k].shape)}
    if len(usable) < len(own) // 2:
        raise ValueError(f"{p}: only {len(usable)} of {len(own)} tensors match MONAI's "
                         "EfficientNet-B0; is it an efficientnet-b0 state dict?")
    model.load_state_dict(usable, strict=False)
    return sorted(set(own) - set(usable))


class EfficientNetClassifier(EstimatorMixin):
    """Binary EfficientNet-B0 image classifier (liu2023 Supplementary Table 1).

    Parameters
    ----------
    pretrained_weights : str, path or None, default None
        A local EfficientNet-B0 state-dict file to start from (never downloaded); ``None``
        trains from random weights.
    in_channels : int, default 3
        Input channels; the grey image is repeated over them.
    image_size : int, default 224
        Images are zoomed to ``image_size`` × ``image_size`` pixels.
    lr : float, default 0.002
        Adam learning rate.
    epochs : int, default 100
        Training epochs.
    batch_size : int, default 64
        Images per optimiser step.
    seed : int, default 101
        Seeds the weights and the batch order.
    device : {"auto", "cpu", "cuda"}, default "auto"
        Where to train (``"auto"``: CUDA when present).
    threads : int, default 1
        torch CPU threads; part of the result (see
        :func:`pyradiogen.threads.deterministic_torch`).

    Attributes
    ----------
    model_ : torch.nn.Module
        The trained MONAI ``EfficientNetBN``.
    skipped_keys_ : list of str
        Tensors of ``pretrained_weights`` that did not fit and kept their initial values.
    device_ : str
        The device used.
    loss_history_ : list of float
        Mean training cross-entropy per epoch.

    References
    ----------
    .. [1] Tan M, Le QV. EfficientNet: rethinking model scaling for convolutional neural
       networks. *ICML* (2019). arXiv:1905.11946.
    .. [2] Liu Q, Hu P. Radiogenomic association of deep MR imaging features with genomic
       profiles and clinical characteristics in breast cancer. *Biomark Res* 11, 9 (2023).
    """

    def __init__(self, pretrained_weights: str | os.PathLike | None = None, in_channels: int = 3,
                 image_size: int = 224, lr: float = 0.002, epochs: int = 100, batch_size: int = 64,
                 seed: int = 101, device: str = "auto", threads: int = 1):
        self.pretrained_weights = pretrained_weights
        self.in_channels = in_channels
        self.image_size = image_size
        self.lr = lr
        self.epochs = epochs
        self.batch_size = batch_size
        self.seed = seed
        self.device = device
        self.threads = threads

    def _tensor(self, images: Sequence[np.ndarray]):
        import torch

        arr = np.stack([preprocess(im, self.image_size, self.in_channels) for im in images])
        return torch.from_numpy(arr)

    def fit(self, images: Sequence[np.ndarray], y: Sequence[int]) -> EfficientNetClassifier:
        """Train on ``images`` with ``threads`` torch threads and deterministic kernels.

        Parameters
        ----------
        images : sequence of ndarray, each shape (rows, cols)
            2-D images in any intensity unit (each is divided by its maximum).
        y : sequence of int, shape (n_images,)
            Binary labels (0/1).

        Returns
        -------
        EfficientNetClassifier
            The fitted classifier.

        Raises
        ------
        FileNotFoundError
            If ``pretrained_weights`` names a file that does not exist.
        ValueError
            If an image is not 2-D or the weights file is not an EfficientNet-B0 state dict.
        """
        from .. import threads

        with threads.deterministic_torch(self.threads):
            return self._fit(images, y)

    def _fit(self, images: Sequence[np.ndarray], y: Sequence[int]) -> EfficientNetClassifier:
        import torch

        torch.manual_seed(self.seed)
        self.model_ = build_model(self.in_channels, 2)
        self.skipped_keys_ = (load_pretrained(self.model_, self.pretrained_weights)
                              if self.pretrained_weights is not None else [])
        self.device_ = ("cuda" if torch.cuda.is_available() else "cpu") \
            if self.device == "auto" else self.device
        self.model_.to(self.device_)
        x = self._tensor(images)
        t = torch.as_tensor(np.asarray(y, dtype=np.int64))
        opt = torch.optim.Adam(self.model_.parameters(), lr=self.lr)
        loss_fn = torch.nn.CrossEntropyLoss()
        gen = torch.Generator().manual_seed(self.seed)
        self.loss_history_ = []
        from ..progress import track

        for _ in track(range(self.epochs), "EfficientNet epochs"):
            self.model_.train()
            order = torch.randperm(len(t), generator=gen)
            total = 0.0
            for start in range(0, len(t), self.batch_size):
                idx = order[start:start + self.batch_size]
                if len(idx) < 2:  # batch norm needs two samples
                    continue
                opt.zero_grad()
                loss = loss_fn(self.model_(x[idx].to(self.device_)), t[idx].to(self.device_))
                loss.backward()
                opt.step()
                total += loss.item() * len(idx)
            self.loss_history_.append(total / len(t))
        return self

    def predict_proba(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """P(class 1) per image.

        Parameters
        ----------
        images : sequence of ndarray, each shape (rows, cols)
            2-D images, pre-processed as in :meth:`fit`.

        Returns
        -------
        ndarray, shape (n_images,)
            Softmax probability of class 1.

        Raises
        ------
        NotFittedError
            If called before :meth:`fit`.
        """
        check_is_fitted(self, "model_")
        import torch

        from .. import threads

        self.model_.eval()
        out = []
        with threads.deterministic_torch(self.threads), torch.no_grad():
            x = self._tensor(images)
            for start in range(0, len(x), self.batch_size):
                logits = self.model_(x[start:start + self.batch_size].to(self.device_))
                out.append(torch.softmax(logits, dim=1)[:, 1].cpu().numpy())
        return np.concatenate(out)


def run_efficientnet(images: Sequence[np.ndarray], labels: pd.DataFrame, mode: str = "paper",
                     characteristics: Sequence[str] = ("ER", "PR", "HER2", "T", "N"),
                     pretrained_weights: str | os.PathLike | None = None, frac: float = 0.8,
                     epochs: int = 100, image_size: int = 224, seed: int = 101,
                     device: str = "auto", threads: int = 1) -> pd.DataFrame:
    """Supplementary Table 1 rows: test AUC per characteristic, with and without pre-training.

    Both variants run when weights are given.

    Parameters
    ----------
    images : sequence of ndarray, each shape (rows, cols)
        One 2-D image per row of ``labels``.
    labels : DataFrame
        One row per image: ``patient_id`` and the characteristic columns (0/1, missing
        allowed).
    mode : {"paper", "rigorous"}, default "paper"
        Random image split (the authors') or split by patient.
    characteristics : sequence of str, default ("ER", "PR", "HER2", "T", "N")
        Columns of ``labels`` to predict.
    pretrained_weights : str, PathLike or None, default None
        Local EfficientNet-B0 weights.
    frac : float, default 0.8
        Training fraction.
    epochs : int, default 100
        Training epochs.
    image_size : int, default 224
        Input side, in pixels.
    seed : int, default 101
        Seed of the split and the training.
    device : {"auto", "cpu", "cuda"}, default "auto"
        Where to train.
    threads : int, default 1
        torch threads (part of the result; ``[predict] efficientnet_threads``).

    Returns
    -------
    DataFrame
        One row per characteristic and variant: ``auc``, sizes, ``note``.

    References
    ----------
    .. [1] Liu Q, Hu P. Radiogenomic association of deep MR imaging features with genomic
       profiles and clinical characteristics in breast cancer. *Biomark Res* 11, 9 (2023).
    """
    modes.check_mode(mode)
    variants = [("scratch", None)] + ([("pretrained", pretrained_weights)]
                                      if pretrained_weights is not None else [])
    rows = []
    for ch in characteristics:
        lab = labels[ch]
        ok = lab.notna().to_numpy()
        idx = np.flatnonzero(ok)
        y = lab[ok].astype(int).to_numpy()
        groups = labels["patient_id"].to_numpy(dtype=object)[ok]
        note = (f"{int((~ok).sum())} image(s) without a {ch} label left out"
                if (~ok).any() else None)
        if len(np.unique(y)) < 2:
            reason = (f"{ch} has no labelled image" if not len(y) else
                      f"{ch} is {int(y[0])} for every labelled image (one class)")
        else:
            if mode == "paper":
                tr = modes.author_split(len(idx), frac, seed)
                te = np.setdiff1d(np.arange(len(idx)), tr)
            else:
                tr, te = modes.patient_split(groups, frac, seed)
            reason = ("the training split holds one class only"
                      if len(np.unique(y[tr])) < 2 else None)
        if reason:
            import warnings

            warnings.warn(f"EfficientNet {ch} ({mode}) not modelled: {reason}", UserWarning,
                          stacklevel=2)
            rows += [{"mode": mode, "characteristic": ch, "weights": name, "auc": np.nan,
                      "ci_low": np.nan, "ci_high": np.nan, "ci_method": "", "n_train": 0,
                      "n_test": 0, "epochs": epochs, "final_loss": np.nan,
                      "note": f"not modelled: {reason}"} for name, _ in variants]
            continue
        for name, weights in variants:
            clf = EfficientNetClassifier(weights, image_size=image_size, epochs=epochs, seed=seed,
                                         device=device, threads=threads)
            clf.fit([images[i] for i in idx[tr]], y[tr])
            prob = clf.predict_proba([images[i] for i in idx[te]])
            ci = modes.auc_with_ci(y[te], prob, groups[te], seed)
            rows.append({"mode": mode, "characteristic": ch, "weights": name, "auc": ci["auc"],
                         "ci_low": ci["ci_low"],
                         "ci_high": ci["ci_high"], "ci_method": ci["ci_method"],
                         "n_train": len(tr), "n_test": len(te), "epochs": epochs,
                         "final_loss": clf.loss_history_[-1] if clf.loss_history_ else np.nan,
                         "note": note})
    return pd.DataFrame(rows)
