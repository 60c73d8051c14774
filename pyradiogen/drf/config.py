"""Settings of the deep-radiomic-feature stage, with the paper and code presets.

``paper`` follows Liu & Hu 2023's text; ``code`` follows the authors' ``unsupervised_DA.py``
(Keras 2, 2018). Where the paper is silent (output activation, resize) the choice is marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..config import register_section

CODE_PRESET = {
    "scaling": "max",
    "noise_clip": True,
    "n_blocks": 3,
    "output_activation": "sigmoid",
    "loss": "cosine_proximity",
    "optimizer": "adadelta",
    "lr": 1.0,
    "val_fraction": 0.3,
}


@register_section("drf", presets={"code": CODE_PRESET})
@dataclass
class DRFConfig:
    """Configuration section ``[drf]``: preprocessing, autoencoder, training and normalisation.

    Values are the ``paper`` preset's; ``code`` follows the authors' script.

    Parameters
    ----------
    scaling : {"minmax", "max"}, default "minmax"
        Intensity scaling (paper: min–max; code: divide by the maximum).
    size : int, default 64
        Input side after resizing, in pixels.
    noise_std : float, default 0.05
        Standard deviation of the Gaussian corruption, in scaled intensity units.
    noise_clip : bool, default False
        Clip the noisy image to [0, 1] (the code does).
    n_blocks : int, default 2
        Convolution + pooling blocks each side (paper 2, code 3).
    filters : int, default 16
        Kernels per convolution.
    feature_block : int, default 2
        The DRFs are the output of this pool (1-based).
    output_activation : {"linear", "relu", "sigmoid"}, default "relu"
        Output layer activation (paper: assumed ReLU; code: sigmoid).
    loss : {"mse", "cosine_proximity", "cosine_image"}, default "mse"
        Training loss (:func:`pyradiogen.drf.model.loss_fn`).
    optimizer : {"adam", "adadelta"}, default "adam"
        Optimiser with Keras 2's defaults.
    lr : float, default 0.1
        Learning rate.
    batch_size : int, default 64
        Images per step.
    epochs : int, default 100
        Training epochs.
    val_fraction : float, default 0.2
        Validation fraction.
    split_by : {"image", "patient"}, default "image"
        Split unit (the authors split images at random).
    on_divergence : {"fallback", "stop", "continue"}, default "fallback"
        On a diverged loss: restart at ``fallback_lr``, stop with an error, or go on.
    fallback_lr : float, default 0.001
        Learning rate of the restart.
    flatten : {"channels_last", "channels_first"}, default "channels_last"
        DRF order (the authors' Keras layout: channels last).
    device : str, default "auto"
        ``auto`` (CUDA when present, else CPU), ``cpu`` or ``cuda``.
    checkpoint_every : int, default 1
        Epochs between checkpoints.
    threads : int, default 2
        torch CPU threads for training and extraction. Part of the result: float32 sums
        split across threads round differently, so the same value (and seed) gives
        bit-identical DRFs however the job is started.

    References
    ----------
    .. [1] Liu Q, Hu P. *Biomark Res* 11, 9 (2023), Methods; the authors' code
       ``unsupervised_DA.py``.
    """

    scaling: Literal["minmax", "max"] = "minmax"      # paper: min–max; code: divide by max
    size: int = 64                                    # both resize to 64×64 (paper: implied)
    noise_std: float = 0.05
    noise_clip: bool = False                          # code clips the noisy image to [0, 1]
    n_blocks: int = 2                                 # conv+pool blocks (paper 2, code 3)
    filters: int = 16
    feature_block: int = 2                            # features = output of this pool (1-based)
    output_activation: Literal["linear", "relu", "sigmoid"] = "relu"  # paper: assumed ReLU
    loss: Literal["mse", "cosine_proximity", "cosine_image"] = "mse"
    optimizer: Literal["adam", "adadelta"] = "adam"
    lr: float = 0.1
    batch_size: int = 64
    epochs: int = 100
    val_fraction: float = 0.2
    split_by: Literal["image", "patient"] = "image"   # authors: images split at random
    on_divergence: Literal["fallback", "stop", "continue"] = "fallback"
    fallback_lr: float = 0.001
    flatten: Literal["channels_last", "channels_first"] = "channels_last"
    device: str = "auto"                              # auto: CUDA when present, else CPU
    checkpoint_every: int = 1
    # torch CPU threads for training and extraction. Part of the result: float32 sums split
    # across threads round differently, so the same value (and seed) gives bit-identical
    # DRFs however the job is started, and another value differs in the last digits.
    threads: int = 2
