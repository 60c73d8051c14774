"""The convolutional denoising autoencoder of Liu & Hu 2023 in PyTorch, with Keras semantics.

One class, configured by preset (:class:`~pyradiogen.drf.config.DRFConfig`):

- ``paper``: 2 × [Conv2D(16, 3×3, ReLU) → MaxPool(2)] encoder, 2 × [Conv2D(16) → UpSampling(2)]
  decoder and a 1-channel output convolution (the paper does not name it; ReLU assumed since the
  paper names ReLU as "the" activation). DRFs = output of the last (2nd) pool: 16×16×16.
- ``code``: 3 blocks each side, sigmoid output (``unsupervised_DA.py``); DRFs = output of the
  2nd of 3 pools (``autoencoder.layers[4]``), also 16×16×16 = 4,096 values.

Keras 2 → PyTorch mapping (the parts that change numbers):

============================  ===========================================================
Keras                         here
============================  ===========================================================
Conv2D(padding='same'), 3×3   ``nn.Conv2d(padding=1)`` (symmetric for odd kernels)
kernel glorot_uniform         ``xavier_uniform_``: U(±sqrt(6/(9·in + 9·out))), same fans
bias zeros                    ``zeros_``
MaxPooling2D(padding='same')  right/bottom padded with −inf when a side is odd (TF rule),
                              then ``max_pool2d(2)``; identical to 'valid' for even sides
Conv2D(relu) → MaxPooling2D   conv → pool → ReLU: max and ReLU commute, so values and
                              gradients are identical, at a quarter of the ReLU cost
UpSampling2D((2, 2))          nearest neighbour ×2 (each value repeated in a 2×2 block)
adadelta (Keras 2 defaults)   ``Adadelta(lr=1.0, rho=0.95, eps=1e-7)`` (torch's defaults
                              are rho 0.9, eps 1e-6); same update rule
Adam(lr)                      ``Adam(lr, betas=(0.9, 0.999), eps=1e-7)``; Keras adds eps to
                              sqrt(v̂·(1−β₂ᵗ)) rather than sqrt(v̂): differs only near v≈0
loss 'cosine_proximity'       per pixel over the channel axis (axis=−1, of size 1!):
                              −mean(ŷ/‖ŷ‖ · y/‖y‖) with ‖·‖ = sqrt(max(x², 1e−12)) —
                              equals −sign·sign almost everywhere, so its gradient is zero
                              except where |ŷ| < 1e−6 (see :func:`loss_fn`)
Flatten of (n, 16, 16, 16)    channels-last: feature j (1-based) = row r, column c,
                              kernel k with j − 1 = (r·16 + c)·16 + (k − 1)
============================  ===========================================================
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .config import CODE_PRESET, DRFConfig

ADADELTA_KERAS = {"lr": 1.0, "rho": 0.95, "eps": 1e-7}
ADAM_KERAS = {"betas": (0.9, 0.999), "eps": 1e-7}


def make_config(preset: str | DRFConfig = "paper", **overrides: Any) -> DRFConfig:
    """A :class:`DRFConfig` for a preset with keyword overrides.

    Parameters
    ----------
    preset : {"paper", "code"} or DRFConfig, default "paper"
        The published settings, those of the authors' code, or a configuration to copy.
    **overrides : Any
        :class:`DRFConfig` fields to change (``lr=0.001``, ``epochs=5`` …).

    Returns
    -------
    DRFConfig
        The configuration.

    Raises
    ------
    ValueError
        For an unknown preset, an image size not divisible by ``2 ** n_blocks``, or a
        feature block outside ``1 … n_blocks``.
    """
    if isinstance(preset, DRFConfig):
        base = preset
    elif preset == "paper":
        base = DRFConfig()
    elif preset == "code":
        base = DRFConfig(**CODE_PRESET)
    else:
        raise ValueError(f"unknown DRF preset {preset!r}; use 'paper' or 'code'")
    cfg = dataclasses.replace(base, **overrides)
    if cfg.size % (2 ** cfg.n_blocks):
        raise ValueError(f"image size {cfg.size} must be divisible by 2**n_blocks = "
                         f"{2 ** cfg.n_blocks} so the decoder restores it")
    if not 1 <= cfg.feature_block <= cfg.n_blocks:
        raise ValueError(f"feature_block {cfg.feature_block} must be between 1 and "
                         f"n_blocks {cfg.n_blocks}")
    return cfg


def keras_max_pool(x: torch.Tensor) -> torch.Tensor:
    """Keras's ``MaxPooling2D((2, 2), padding='same')``: pad odd sides at the end with −inf, then pool.

    Parameters
    ----------
    x : Tensor, shape (n, C, H, W)
        Feature maps.

    Returns
    -------
    Tensor, shape (n, C, ceil(H / 2), ceil(W / 2))
        Pooled maps.
    """
    h, w = x.shape[-2:]
    if h % 2 or w % 2:
        x = F.pad(x, (0, w % 2, 0, h % 2), value=float("-inf"))
    return F.max_pool2d(x, 2)


class DenoisingAutoencoder(nn.Module):
    """Stacked convolutional denoising autoencoder (input and output ``(n, 1, H, W)``).

    Parameters
    ----------
    preset : {"paper", "code"} or DRFConfig, default "paper"
        Architecture and training settings (:func:`make_config`).
    seed : int or None, default 0
        Seed of the initial weights (None: torch's current state).
    **overrides : Any
        :class:`DRFConfig` fields to change.

    References
    ----------
    .. [1] Liu Q, Hu P. Radiogenomic association of deep MR imaging features with genomic
       profiles and clinical characteristics in breast cancer. *Biomark Res* 11, 9 (2023).
    .. [2] Vincent P, Larochelle H, Bengio Y, Manzagol PA. Extracting and composing robust
       features with denoising autoencoders. *ICML* (2008).
    """

    def __init__(self, preset: str | DRFConfig = "paper", seed: int | None = 0,
                 **overrides: Any) -> None:
        super().__init__()
        self.config = make_config(preset, **overrides)
        f, nb = self.config.filters, self.config.n_blocks
        self.encoder = nn.ModuleList(
            [nn.Conv2d(1 if i == 0 else f, f, 3, padding=1) for i in range(nb)])
        self.decoder = nn.ModuleList([nn.Conv2d(f, f, 3, padding=1) for _ in range(nb)])
        self.output = nn.Conv2d(f, 1, 3, padding=1)
        self.channels_last = True
        self.reset_parameters(seed)

    def reset_parameters(self, seed: int | None = 0) -> None:
        """Keras initialisation: Glorot-uniform kernels, zero biases (seeded).

        Parameters
        ----------
        seed : int or None, default 0
            Seed (None: torch's current random state).
        """
        gen = torch.Generator().manual_seed(int(seed)) if seed is not None else None
        for conv in [*self.encoder, *self.decoder, self.output]:
            nn.init.xavier_uniform_(conv.weight, generator=gen)
            nn.init.zeros_(conv.bias)

    def encode(self, x: torch.Tensor, block: int | None = None) -> torch.Tensor:
        """Feature map after an encoder pool.

        Parameters
        ----------
        x : Tensor, shape (n, 1, size, size)
            Preprocessed images.
        block : int or None, default None
            1-based pool whose output is returned (the configured feature block when None).

        Returns
        -------
        Tensor, shape (n, filters, h, w)
            ReLU-activated, pooled feature maps.
        """
        block = self.config.feature_block if block is None else block
        for i, conv in enumerate(self.encoder[:block]):
            if i == 1 and self.channels_last:  # faster multi-channel convs on CPU (oneDNN)
                x = x.contiguous(memory_format=torch.channels_last)
            # ReLU after the pool: max and ReLU commute (same values and gradients), 4× cheaper
            x = F.relu(keras_max_pool(conv(x)))
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Reconstruct images: encode to the bottleneck, decode back to the input size.

        Parameters
        ----------
        x : Tensor, shape (n, 1, size, size)
            Preprocessed (possibly noised) images.

        Returns
        -------
        Tensor, shape (n, 1, size, size)
            Reconstructions through the preset's output activation (ReLU for ``paper``,
            sigmoid for ``code``).
        """
        x = self.encode(x, self.config.n_blocks)
        for conv in self.decoder:
            x = F.interpolate(F.relu(conv(x)), scale_factor=2, mode="nearest")
        x = self.output(x)
        act = self.config.output_activation
        if act == "sigmoid":
            return torch.sigmoid(x)
        if act == "relu":
            return F.relu(x)
        return x

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Flattened DRF vectors in the configured order.

        Parameters
        ----------
        x : Tensor, shape (n, 1, size, size)
            Preprocessed images.

        Returns
        -------
        Tensor, shape (n, C·h·w)
            One row per image (channels last, as the authors' Keras code, by default).
        """
        z = self.encode(x)
        if self.config.flatten == "channels_last":
            z = z.permute(0, 2, 3, 1)
        return z.reshape(z.shape[0], -1)

    def feature_shape(self) -> tuple[int, int, int]:
        """The shape of the feature map.

        Returns
        -------
        tuple of int
            ``(channels, rows, cols)``, (16, 16, 16) for both presets.
        """
        side = self.config.size // 2 ** self.config.feature_block
        return self.config.filters, side, side


def loss_fn(name: str) -> Any:
    """The training loss ``f(pred, target) -> scalar`` for a configuration's ``loss``.

    ``cosine_proximity`` is Keras 2's, applied on its axis −1, which for a 1-channel image is
    the channel axis: each pixel is normalised on its own. ``cosine_image`` is the cosine over
    the whole image (what the authors likely meant; offered as an option, used by no preset).

    Parameters
    ----------
    name : {"mse", "cosine_proximity", "cosine_image"}
        The loss.

    Returns
    -------
    callable
        ``f(pred, target)`` returning a scalar tensor.

    Raises
    ------
    ValueError
        For an unknown name.
    """
    if name == "mse":
        return F.mse_loss
    if name == "cosine_proximity":
        def keras_cosine(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
            pn = pred * torch.rsqrt(torch.clamp(pred.square().sum(1, keepdim=True), min=1e-12))
            tn = target * torch.rsqrt(torch.clamp(target.square().sum(1, keepdim=True),
                                                  min=1e-12))
            return -(pn * tn).sum(1).mean()
        return keras_cosine
    if name == "cosine_image":
        def image_cosine(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
            p = pred.flatten(1)
            t = target.flatten(1)
            pn = p * torch.rsqrt(torch.clamp(p.square().sum(1, keepdim=True), min=1e-12))
            tn = t * torch.rsqrt(torch.clamp(t.square().sum(1, keepdim=True), min=1e-12))
            return -(pn * tn).sum(1).mean()
        return image_cosine
    raise ValueError(f"unknown loss {name!r}; use mse, cosine_proximity or cosine_image")


def make_optimizer(model: nn.Module, name: str, lr: float) -> torch.optim.Optimizer:
    """Adam or Adadelta with Keras 2's defaults apart from ``lr``.

    Parameters
    ----------
    model : torch.nn.Module
        The network.
    name : {"adam", "adadelta"}
        The optimiser.
    lr : float
        Learning rate.

    Returns
    -------
    torch.optim.Optimizer
        Configured as Keras 2 (Adam eps 1e-7; Adadelta rho 0.95, eps 1e-7).

    Raises
    ------
    ValueError
        For an unknown name.
    """
    if name == "adam":
        return torch.optim.Adam(model.parameters(), lr=lr, **ADAM_KERAS)
    if name == "adadelta":
        return torch.optim.Adadelta(model.parameters(), lr=lr, rho=ADADELTA_KERAS["rho"],
                                    eps=ADADELTA_KERAS["eps"])
    raise ValueError(f"unknown optimizer {name!r}; use adam or adadelta")
