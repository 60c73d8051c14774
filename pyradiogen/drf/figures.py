"""Figures of the DRF stage: kernel maps, feature densities, loss curves.

Figures of the DRF stage: Fig 3a/3b (image and its 16 kernel maps), feature densities before
and after quantile normalisation, and training/validation loss curves.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import gaussian_kde

from ..plotting import PALETTE, save_figure


def plot_kernel_maps(image: np.ndarray, maps: np.ndarray, stem: str | os.PathLike,
                     title: str = "") -> list[Path]:
    """Fig 3: the preprocessed image (a) beside its kernel-wise heatmaps (b), one per kernel.

    Parameters
    ----------
    image : ndarray, shape (size, size)
        The preprocessed image.
    maps : ndarray, shape (kernels, side, side)
        Its DRFs as maps (:meth:`DRFExtractor.maps`).
    stem : str or PathLike
        Output path without extension.
    title : str, default ""
        Figure title.

    Returns
    -------
    list of Path
        The files written (``.png`` and ``.svg``).
    """
    k = maps.shape[0]
    ncol = 4
    nrow = int(np.ceil(k / ncol))
    fig = plt.figure(figsize=(3.2 + 1.7 * ncol, 1.7 * nrow + 0.4))
    gs = fig.add_gridspec(nrow, ncol + 2, width_ratios=[2.2, 0.25] + [1] * ncol)
    ax = fig.add_subplot(gs[:, 0])
    ax.imshow(image, cmap="gray")
    ax.set_title(f"a  {title}".strip())
    ax.axis("off")
    vmin, vmax = float(np.min(maps)), float(np.max(maps))
    im = None
    for i in range(k):
        a = fig.add_subplot(gs[i // ncol, 2 + i % ncol])
        im = a.imshow(maps[i], cmap="magma", vmin=vmin, vmax=vmax)
        a.set_title(f"kernel {i + 1}", fontsize=7)
        a.set_xticks([])
        a.set_yticks([])
    if im is not None:
        fig.colorbar(im, ax=fig.axes[1:], shrink=0.6, label="feature value")
    fig.text(0.33, 0.98, "b", fontsize=10, fontweight="bold")
    return save_figure(fig, stem)


def _density(ax: plt.Axes, values: np.ndarray, colour: str, label: str) -> None:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size < 2 or np.ptp(v) == 0:
        ax.axvline(v[0] if v.size else 0.0, color=colour, label=label)
        return
    grid = np.linspace(v.min(), v.max(), 256)
    ax.plot(grid, gaussian_kde(v)(grid), color=colour, label=label, lw=1)


def plot_densities(raw: pd.DataFrame, norm: pd.DataFrame, stem: str | os.PathLike,
                   n_images: int = 3) -> list[Path]:
    """Density of the first images' features before and after quantile normalisation.

    Parameters
    ----------
    raw : DataFrame, shape (n_images, n_features)
        DRFs as extracted.
    norm : DataFrame, shape (n_images, n_features)
        After :func:`~pyradiogen.drf.normalize.quantile_normalize`.
    stem : str or PathLike
        Output path without extension.
    n_images : int, default 3
        Images drawn.

    Returns
    -------
    list of Path
        The files written (``.png`` and ``.svg``).
    """
    feats = [c for c in raw.columns if str(c).startswith("fea_")]
    fig, axes = plt.subplots(1, 2, figsize=(7, 3), sharey=False)
    for i in range(min(n_images, len(raw))):
        name = str(raw.index[i][0] if isinstance(raw.index, pd.MultiIndex) else raw.index[i])
        colour = PALETTE[i % len(PALETTE)]
        _density(axes[0], raw[feats].iloc[i].to_numpy(), colour, name)
        _density(axes[1], norm[feats].iloc[i].to_numpy(), colour, name)
    axes[0].set_title("Before quantile normalisation")
    axes[1].set_title("After quantile normalisation")
    for a in axes:
        a.set_xlabel("feature value")
    axes[0].set_ylabel("density")
    axes[1].legend(frameon=False)
    return save_figure(fig, stem)


def plot_loss_curves(history: pd.DataFrame, stem: str | os.PathLike, title: str = "",
                     failed: pd.DataFrame | None = None) -> list[Path]:
    """Training and validation loss per epoch (epoch 0 = untrained model).

    Parameters
    ----------
    history : DataFrame
        ``epoch``, ``train_loss``, ``val_loss``.
    stem : str or PathLike
        Output path without extension.
    title : str, default ""
        Figure title.
    failed : DataFrame or None, default None
        History of a diverged attempt, drawn faintly.

    Returns
    -------
    list of Path
        The files written (``.png`` and ``.svg``).
    """
    fig, ax = plt.subplots(figsize=(4.5, 3))
    ax.plot(history["epoch"], history["train_loss"], color=PALETTE[0], label="train")
    ax.plot(history["epoch"], history["val_loss"], color=PALETTE[1], label="validation")
    if failed is not None and len(failed):
        ax.plot(failed["epoch"], failed["val_loss"], color=PALETTE[5],
                ls=":", label=f"validation, lr {failed['lr'].iloc[0]:g} (diverged)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    if title:
        ax.set_title(title)
    ax.legend(frameon=False)
    return save_figure(fig, stem)
