"""Clustered heatmaps with dendrograms and annotation bars, in the pyradiogen style.

Samples (patients) run along the columns, features along the rows; annotation bars (clinical
characteristics, clusters, PAM50) sit between the sample dendrogram and the heatmap, and one
legend on the right explains every bar.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.gridspec import GridSpec
from matplotlib.patches import Patch
from scipy.cluster.hierarchy import dendrogram, leaves_list, linkage
from scipy.spatial.distance import pdist

from ..plotting import PALETTE, PAM50_COLOURS, apply_style, short_labels

NA_COLOUR = "#FFFFFF"
BINARY_COLOURS = {"positive": "#252525", "negative": "#BDBDBD", "NA": NA_COLOUR}
MAX_DRAWN_LEAVES = {"top": 400, "left": 120}
#: most row (feature) and column (patient) names written; beyond, the axis states the count
MAX_NAMED_ROWS = 50
MAX_NAMED_COLS = 40


def is_binary(values: pd.Series) -> bool:
    """Whether a clinical column holds only 0/1 (and missing values)."""
    vals = pd.unique(values.dropna())
    try:
        return set(int(v) for v in vals) <= {0, 1} and all(float(v) in (0.0, 1.0) for v in vals)
    except (TypeError, ValueError):
        return False


def binary_labels(values: pd.Series) -> pd.Series:
    """0/1/NA → ``negative``/``positive``/``NA``; other columns keep their values (NA → "NA")."""
    if not is_binary(values):
        return values.astype(object).where(values.notna(), "NA")
    out = values.map(lambda v: "NA" if pd.isna(v) else ("positive" if int(v) == 1 else "negative"))
    return out.astype(object)


def category_colours(values: pd.Series, kind: str = "auto") -> dict[Any, str]:
    """Colours for one bar: binary, PAM50 or clusters (the shared palette)."""
    levels = [v for v in pd.unique(values.astype(object)) if not pd.isna(v) and v != "NA"]
    if kind == "binary" or set(levels) <= {"positive", "negative"}:
        return dict(BINARY_COLOURS)
    if kind == "pam50" or set(map(str, levels)) <= set(PAM50_COLOURS):
        return {**{k: PAM50_COLOURS[k] for k in PAM50_COLOURS}, "NA": NA_COLOUR}
    ordered = sorted(levels, key=lambda v: (str(type(v)), v))
    return {**{v: PALETTE[i % len(PALETTE)] for i, v in enumerate(ordered)}, "NA": NA_COLOUR}


def zscore_rows(values: pd.DataFrame, clip: float | None = 3.0) -> pd.DataFrame:
    """z-score each row (feature) across samples, clipped to ±``clip`` for display."""
    sd = values.std(axis=1, ddof=1).replace(0, np.nan)
    z = values.sub(values.mean(axis=1), axis=0).div(sd, axis=0).fillna(0.0)
    return z.clip(-clip, clip) if clip else z


def _order(values: np.ndarray, link: np.ndarray | None, cluster: bool) -> tuple[np.ndarray, Any]:
    if link is None and cluster and values.shape[0] > 2:
        link = linkage(pdist(values), method="complete")
    if link is None:
        return np.arange(values.shape[0]), None
    return leaves_list(link), link


def clustered_heatmap(values: pd.DataFrame, *, col_linkage: np.ndarray | None = None,
                      row_linkage: np.ndarray | None = None, cluster_rows: bool = True,
                      cluster_cols: bool = True, col_bars: pd.DataFrame | None = None,
                      bar_colours: Mapping[str, Mapping[Any, str]] | None = None,
                      scale: str = "row", clip: float = 3.0, cmap: str = "RdBu_r",
                      title: str = "", colorbar_label: str | None = None,
                      row_labels: bool | None = None, col_labels: bool | None = None,
                      figsize: tuple[float, float] | None = None) -> plt.Figure:
    """Draw ``values`` (features × samples) clustered, with bars above and a legend.

    ``col_linkage``/``row_linkage`` reuse a fitted scipy linkage (so the drawn dendrogram is the
    one the clusters were cut from); otherwise complete linkage on the displayed values.
    ``scale="row"`` z-scores each feature for display (clipped to ±``clip``).
    """
    apply_style()
    shown = zscore_rows(values, clip) if scale == "row" else values.astype(float)
    mat = shown.to_numpy(dtype=float)
    row_order, row_link = _order(mat, row_linkage, cluster_rows)
    col_order, col_link = _order(mat.T, col_linkage, cluster_cols)
    n_rows, n_cols = mat.shape
    bars = col_bars.reindex(values.columns) if col_bars is not None else None
    n_bars = 0 if bars is None else bars.shape[1]
    if row_labels is None:
        row_labels = n_rows <= MAX_NAMED_ROWS
    if col_labels is None:
        col_labels = n_cols <= MAX_NAMED_COLS
    row_names = short_labels(values.index, 32)
    col_names = short_labels(values.columns, 20)
    # room for the feature names right of the heatmap (about 0.055 in per character at 7 pt)
    label_w = 0.15 + 0.05 * max((len(v) for v in row_names), default=0) \
        if row_labels else 0.35
    bar_w = 0.1 + 0.055 * max((len(str(c)) for c in (bars.columns if n_bars else [])),
                              default=0)
    label_w = max(label_w, bar_w)
    if figsize is None:  # 7-pt names need about 0.12 in each
        width = 6.6 + label_w if not col_labels else max(6.6, 0.12 * n_cols + 2.2) + label_w
        height = max(4.6, 0.12 * n_rows + 2.2) if row_labels else 5.0
        figsize = (width, height + (0.9 if col_labels else 0.0))
    fig = plt.figure(figsize=figsize)
    heights = [0.9, max(0.2 * n_bars, 0.01), 5.0]
    gs = GridSpec(3, 4, figure=fig, width_ratios=[0.9, 4.4, label_w, 1.3],
                  height_ratios=heights,
                  wspace=0.02, hspace=0.03, top=0.93 if title else 0.98, bottom=0.08,
                  left=0.03, right=0.99)
    ax_heat = fig.add_subplot(gs[2, 1])
    lim = clip if scale == "row" else None
    im = ax_heat.imshow(mat[np.ix_(row_order, col_order)], aspect="auto", cmap=cmap,
                        interpolation="nearest", vmin=-lim if lim else None, vmax=lim)
    ax_heat.set_yticks(np.arange(n_rows) if row_labels else [])
    if row_labels:
        ax_heat.set_yticklabels([row_names[i] for i in row_order], fontsize=7)
        ax_heat.yaxis.tick_right()
    ax_heat.set_xticks(np.arange(n_cols) if col_labels else [])
    if col_labels:
        ax_heat.set_xticklabels([col_names[i] for i in col_order], rotation=90, fontsize=7)
    ax_heat.set_xlabel(f"patients (n = {n_cols})")
    if not row_labels:
        ax_heat.set_ylabel(f"features (n = {n_rows})")
        ax_heat.yaxis.set_label_position("right")
    for side in ("top", "right", "left", "bottom"):
        ax_heat.spines[side].set_visible(False)

    def _dendro(ax, link, orientation):
        ax.set_axis_off()
        if link is None or len(link) + 1 > MAX_DRAWN_LEAVES[orientation]:
            return
        dendrogram(link, ax=ax, orientation=orientation, no_labels=True, color_threshold=0,
                   above_threshold_color="#444444")
        ax.set_axis_off()

    _dendro(fig.add_subplot(gs[0, 1]), col_link, "top")
    ax_rd = fig.add_subplot(gs[2, 0])
    _dendro(ax_rd, row_link, "left")

    handles: list = []
    colours = dict(bar_colours or {})
    if n_bars:
        ax_bar = fig.add_subplot(gs[1, 1], sharex=ax_heat)
        rgba = np.ones((n_bars, n_cols, 4))
        sections: dict[tuple, tuple[list[str], dict, set]] = {}
        for b, name in enumerate(bars.columns):
            col = bars[name].astype(object).where(bars[name].notna(), "NA")
            cmap_b = colours.get(name) or category_colours(col)
            colours[name] = cmap_b
            for j, ci in enumerate(col_order):
                rgba[b, j] = to_rgba(cmap_b.get(col.iloc[ci], NA_COLOUR))
            key = tuple(sorted((str(k), v) for k, v in cmap_b.items()))
            names, _, seen = sections.setdefault(key, ([], cmap_b, set()))
            names.append(str(name))
            seen.update(set(col))
        # bars sharing one colour map (e.g. T, N, ER, PR, HER2) share one legend section
        for names, cmap_b, seen in sections.values():
            handles.append(Patch(color="none", label=", ".join(names)))
            handles += [Patch(facecolor=cmap_b[v], edgecolor="#888888", linewidth=0.4,
                              label=f"{v}") for v in cmap_b if v in seen]
        ax_bar.imshow(rgba, aspect="auto", interpolation="nearest")
        ax_bar.set_yticks(np.arange(n_bars))
        ax_bar.set_yticklabels([str(c) for c in bars.columns], fontsize=7)
        ax_bar.yaxis.tick_right()
        ax_bar.tick_params(axis="x", bottom=False, labelbottom=False)
        ax_bar.tick_params(axis="y", length=0)
        for side in ("top", "right", "left", "bottom"):
            ax_bar.spines[side].set_visible(False)
        ax_bar.set_yticks(np.arange(n_bars + 1) - 0.5, minor=True)
        ax_bar.grid(which="minor", axis="y", color="white", linewidth=1.0)
        ax_bar.tick_params(which="minor", length=0)

    ax_side = fig.add_subplot(gs[:, 3])
    ax_side.set_axis_off()
    if handles:
        leg = ax_side.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 1.0),
                             frameon=False, handlelength=1.0, handleheight=0.8,
                             borderaxespad=0.0, labelspacing=0.25, fontsize=7)
        for text, h in zip(leg.get_texts(), handles):
            if h.get_facecolor()[3] == 0:
                text.set_fontweight("bold")
    ax_corner = fig.add_subplot(gs[0, 0])
    ax_corner.set_axis_off()
    cax = ax_corner.inset_axes([0.25, 0.1, 0.5, 0.16])
    cb = fig.colorbar(im, cax=cax, orientation="horizontal")
    cb.set_label(colorbar_label or ("z-score" if scale == "row" else "value"), fontsize=7)
    cb.ax.xaxis.set_label_position("top")
    cb.ax.tick_params(labelsize=7)
    if lim:
        cb.set_ticks([-lim, 0, lim])
        cb.set_ticklabels([f"{-lim:g}", "0", f"{lim:g}"])
    else:
        cb.ax.xaxis.set_major_locator(plt.MaxNLocator(3))
    if title:
        fig.suptitle(title, y=0.99)
    return fig
