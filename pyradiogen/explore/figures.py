"""The explore figures: Fig 4a heatmap, Fig 4b–c t-SNE maps, study kim2020 Fig 1 heatmaps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..plotting import PALETTE, apply_style
from .clustering import HierarchicalClustering
from .heatmaps import binary_labels, category_colours, clustered_heatmap
from .tsne import TSNEExplorer


def clinical_bars(clinical: pd.DataFrame, patients: Sequence[str],
                  characteristics: Sequence[str]) -> pd.DataFrame:
    """Bars for the heatmap: each characteristic as positive/negative/NA per patient."""
    sub = clinical.reindex(pd.Index(patients))
    return pd.DataFrame({ch: binary_labels(sub[ch]) for ch in characteristics
                         if ch in sub.columns}, index=sub.index)


def cluster_colours(labels: Sequence[int]) -> dict[int, str]:
    """One palette colour per cluster label (1…k)."""
    return {int(k): PALETTE[(int(k) - 1) % len(PALETTE)] for k in sorted(set(labels))}


def fig4a_heatmap(patients: pd.DataFrame, model: HierarchicalClustering, clinical: pd.DataFrame,
                  characteristics: Sequence[str], title: str) -> plt.Figure:
    """Fig 4a: patients (columns, clustered as ``model``) × features with clinical bars."""
    bars = clinical_bars(clinical, list(patients.index), characteristics)
    bars.insert(0, "cluster", model.labels_.reindex(patients.index).to_numpy())
    colours = {"cluster": cluster_colours(model.labels_)}
    return clustered_heatmap(patients.T, col_linkage=model.linkage_, col_bars=bars,
                             bar_colours=colours, title=title,
                             colorbar_label="feature z-score")


def _scatter_clusters(ax, coords: pd.DataFrame, size: float, title: str) -> None:
    cols = cluster_colours(coords["cluster"].dropna().astype(int))
    for k, colour in cols.items():
        sel = coords["cluster"] == k
        ax.scatter(coords.loc[sel, "tsne1"], coords.loc[sel, "tsne2"], s=size, color=colour,
                   label=f"cluster {k} (n = {int(sel.sum())})", linewidths=0, alpha=0.85)
    ax.set_xlabel("t-SNE 1")
    ax.set_ylabel("t-SNE 2")
    ax.set_title(title)
    ax.legend(loc="best", frameon=False, markerscale=1.5 if size < 20 else 1.0)


def fig4bc_tsne(model: TSNEExplorer, title: str) -> plt.Figure:
    """Fig 4b (patients, coloured by map cluster) and 4c (images, coloured by patient)."""
    apply_style()
    fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.5))
    pts = model.patients_
    _scatter_clusters(axes[0], pts, 22, f"(b) patients (n = {len(pts)})")
    if model.images_ is not None:
        imgs = model.images_
        _scatter_clusters(axes[1], imgs, 6 if len(imgs) > 500 else 12,
                          f"(c) images (n = {len(imgs)}), patient colours")
    else:
        axes[1].set_axis_off()
        axes[1].text(0.5, 0.5, "one image per patient:\nno image-level map", ha="center",
                     va="center", transform=axes[1].transAxes)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def tsne_clinical(patients: pd.DataFrame, clinical: pd.DataFrame,
                  characteristics: Sequence[str], title: str) -> plt.Figure:
    """The patient map coloured by each clinical characteristic (and PAM50 when present)."""
    apply_style()
    chars = [c for c in characteristics if c in clinical.columns]
    extra = ["pam50"] if "pam50" in clinical.columns and "pam50" not in chars else []
    panels = chars + extra
    ncol = min(3, len(panels))
    nrow = int(np.ceil(len(panels) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(7.2, 2.5 * nrow), squeeze=False)
    sub = clinical.reindex(patients.index)
    for ax, ch in zip(axes.ravel(), panels):
        labels = binary_labels(sub[ch])
        colours = category_colours(labels, "pam50" if ch == "pam50" else "auto")
        for lvl, colour in colours.items():
            sel = labels == lvl
            if not sel.any():
                continue
            ax.scatter(patients.loc[sel, "tsne1"], patients.loc[sel, "tsne2"], s=16,
                       color=colour, edgecolors="#666666", linewidths=0.3,
                       label=f"{lvl} ({int(sel.sum())})")
        ax.set_title(ch)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.legend(loc="best", frameon=False, fontsize=7, handletextpad=0.2)
    for ax in axes.ravel()[len(panels):]:
        ax.set_axis_off()
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def compare_tsne(models: Mapping[str, TSNEExplorer]) -> plt.Figure:
    """Feature sets side by side (e.g. DRFs | CRFs): patient maps, image maps below."""
    apply_style()
    with_images = any(m.images_ is not None for m in models.values())
    nrow, ncol = (2 if with_images else 1), len(models)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.6 * ncol, 3.2 * nrow), squeeze=False)
    for j, (label, model) in enumerate(models.items()):
        _scatter_clusters(axes[0, j], model.patients_, 20, f"{label}: patients")
        if not with_images:
            continue
        if model.images_ is not None:
            _scatter_clusters(axes[1, j], model.images_, 8, f"{label}: images")
        else:
            axes[1, j].set_axis_off()
            axes[1, j].text(0.5, 0.5, f"{label}: one row per patient", ha="center",
                            va="center", transform=axes[1, j].transAxes)
    fig.tight_layout()
    return fig


def fig1_kruskal(values: pd.DataFrame, pam50: pd.Series, title: str,
                 colorbar_label: str = "z-score") -> plt.Figure:
    """Study kim2020 Fig 1: selected features (rows) × patients, clustered, with a PAM50 bar."""
    pts = values.index[pam50.reindex(values.index).notna()]
    bars = pd.DataFrame({"PAM50": pam50.reindex(pts).astype(object)}, index=pts)
    return clustered_heatmap(values.loc[pts].T, col_bars=bars,
                             bar_colours={"PAM50": category_colours(bars["PAM50"], "pam50")},
                             title=title, colorbar_label=colorbar_label)
