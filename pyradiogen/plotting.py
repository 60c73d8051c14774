"""One figure style for every plot, and atomic PNG + SVG saving."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .store import atomic_path  # noqa: E402

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "none",
    "savefig.bbox": "tight",
}
# Colours for clinical bars and classes (colour-blind safe, Okabe-Ito)
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
PAM50_COLOURS = {"Basal": "#D55E00", "Her2": "#CC79A7", "LumA": "#0072B2", "LumB": "#56B4E9",
                 "Normal": "#009E73"}


def apply_style() -> None:
    """Apply the pyradiogen matplotlib style."""
    plt.rcParams.update(STYLE)


def save_figure(fig: plt.Figure, stem: str | os.PathLike, formats: tuple[str, ...] = ("png", "svg"),
                close: bool = True) -> list[Path]:
    """Save ``fig`` as ``<stem>.png`` and ``<stem>.svg`` atomically; return the paths."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        target = stem.with_suffix(f".{fmt}")
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=fmt)
        paths.append(target)
    if close:
        plt.close(fig)
    return paths


apply_style()
