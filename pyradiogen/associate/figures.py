"""Fig 5 of study liu2023: significance heatmaps (a–d), top-30 DRF table (e), significant CRFs (f)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..plotting import save_figure, short_labels
from .result import PAPER_BLOCK_SIZE, AssociationResult, paper_block_of

#: most feature names written under a heatmap; beyond, columns are marked by position
MAX_NAMED_COLUMNS = 48
#: most GF names written beside a heatmap
MAX_NAMED_ROWS = 40


def significance_heatmap(res: AssociationResult, cls: str | None, stem: str | Path,
                         title: str | None = None, vmax: float = 5.0) -> list[Path]:
    """Heatmap of −log10(BH p) (GFs × features); significant cells are the darker ones.

    The colour scale stops at ``vmax`` (−log10 p of 1e-5; darker cells are at least that
    significant: the colour bar's top reads "≥5"); the significance threshold −log10(alpha)
    is a labelled line on the colour bar. The paper's DRF blocks (256 features each, its
    "kernels") are marked by vertical lines; other features are named (shortened to 28
    characters) up to :data:`MAX_NAMED_COLUMNS`, and by position beyond.
    """
    mat = res.significance_matrix(cls)
    n_rows, n_cols = mat.shape
    blocks = [paper_block_of(f) for f in mat.columns]
    drf = all(k is not None for k in blocks) and n_cols > PAPER_BLOCK_SIZE
    named_cols = not drf and n_cols <= MAX_NAMED_COLUMNS
    named_rows = n_rows <= MAX_NAMED_ROWS
    width = 8.0 if not named_cols else max(6.0, 3.8 + 0.14 * n_cols)
    height = (max(2.4, 0.14 * n_rows + 1.6) if named_rows else 4.0) + (1.8 if named_cols else 0)
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    vals = np.nan_to_num(mat.to_numpy(dtype=float), nan=0.0)
    im = ax.imshow(vals, aspect="auto", cmap="magma_r", vmin=0, vmax=vmax,
                   interpolation="nearest")
    thr = -np.log10(res.alpha)
    cb = fig.colorbar(im, ax=ax, fraction=0.04, extend="max")
    cb.set_label("−log10 BH-adjusted p")
    cb.ax.axhline(thr, color="tab:cyan", lw=1.5)
    ticks = [0.0, thr] + [float(v) for v in range(2, int(vmax) + 1) if v > thr + 0.4]
    cb.set_ticks(ticks, labels=["0", f"{thr:.2g}: BH p = {res.alpha:g}"]
                 + [f"{t:g}" for t in ticks[2:-1]] + [f"≥{ticks[-1]:g}"])
    if drf:
        edges = [i for i in range(1, n_cols) if blocks[i] != blocks[i - 1]]
        for e in edges:
            ax.axvline(e - 0.5, color="white", lw=0.4)
        mids = [(a + b) / 2 for a, b in zip([0, *edges], [*edges, n_cols])]
        ax.set_xticks(mids, [str(blocks[int(m)]) for m in mids])
        ax.set_xlabel("paper block (the paper's \"kernel\": 256 DRFs)")
    elif named_cols:
        ax.set_xticks(range(n_cols), short_labels(mat.columns), rotation=90)
        ax.set_xlabel(f"feature ({n_cols}; names shortened to 28 characters)"
                      if any(len(str(c)) > 28 for c in mat.columns) else f"feature ({n_cols})")
    else:
        ax.xaxis.set_major_locator(plt.MaxNLocator(8, integer=True))
        ax.set_xlabel(f"feature, by position in the table (1–{n_cols})")
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{int(v) + 1}"))
    if named_rows:
        ax.set_yticks(range(n_rows), short_labels(mat.index, 32))
    else:
        ax.set_yticks([])
    ax.set_ylabel(f"{cls or 'GF'} ({n_rows})")
    n_sig = int((vals > thr).sum())
    ax.set_title(f"{title or cls or 'GF'}: {n_sig} significant pairs (BH p < {res.alpha:g})")
    return save_figure(fig, stem)


#: rows of a table drawn as a figure (the full table is the CSV beside it)
TABLE_ROWS = 40


def table_figure(df: pd.DataFrame, stem: str | Path, title: str,
                 source: str | None = None) -> list[Path]:
    """Render the first :data:`TABLE_ROWS` rows of a table as a figure (Fig 5e/5f).

    Long texts are shortened to 28 characters; the caption says how many rows are shown of
    how many, and names ``source`` (the CSV holding every row and full name).
    """
    shown = df.head(TABLE_ROWS)
    cells = [[f"{v:.3g}" if isinstance(v, float) else str(v) for v in row]
             for row in shown.itertuples(index=False)]
    cols = [short_labels(col, 28, unique=False) for col in zip(*cells)] if cells else []
    cells = [list(r) for r in zip(*cols)] if cols else []
    widths = [max([len(str(c))] + [len(v) for v in col]) for c, col in
              zip(shown.columns, cols or [[] for _ in shown.columns])]
    fig_w = min(11.0, max(4.0, 0.075 * sum(widths) + 0.4 * len(widths)))
    fig_h = 0.2 * (len(shown) + 1) + 0.8
    fig, ax = plt.subplots(figsize=(fig_w, fig_h))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.35 / fig_h, top=1 - 0.4 / fig_h)
    ax.axis("off")
    if len(shown):
        tab = ax.table(cellText=cells, colLabels=list(shown.columns), loc="center",
                       bbox=[0, 0, 1, 1], colWidths=[w / sum(widths) for w in widths])
        tab.auto_set_font_size(False)
        tab.set_fontsize(7)
    else:
        ax.text(0.5, 0.5, "none", ha="center", va="center")
    ax.set_title(title)
    note = (f"top {len(shown)} of {len(df)} rows" if len(df) > len(shown)
            else f"all {len(df)} rows")
    if source:
        note += f"; every row and full name: {source}"
    fig.text(0.01, 0.005, note, fontsize=7, ha="left", va="bottom")
    return save_figure(fig, stem)


def top_drf_table(res: AssociationResult, n: int = 30) -> pd.DataFrame:
    """Fig 5e: the ``n`` features with most significant GFs, counts per GF class."""
    return res.per_feature().head(n)


def significant_crf_table(res: AssociationResult) -> pd.DataFrame:
    """Fig 5f: every significant (feature, GF) pair with estimate and p-values."""
    sig = res.significant()[["feature", "gf", "estimate", "p_value", "p_adj"]].copy()
    sig.insert(2, "class", sig["gf"].map(lambda g: res.gf_class.get(g, "GF")))
    return sig.sort_values(["p_adj", "feature"], kind="stable").reset_index(drop=True)


def fig5(res: AssociationResult, out_dir: str | Path, label: str = "DRF") -> list[Path]:
    """All Fig 5 panels for one feature set (``label`` "DRF" or "CRF") into ``out_dir``."""
    out = Path(out_dir)
    paths: list[Path] = []
    for cls in sorted(set(res.gf_class.values())):
        slug = "".join(ch if ch.isalnum() else "_" for ch in cls.lower())
        paths += significance_heatmap(res, cls, out / f"fig5_heatmap_{label.lower()}_{slug}",
                                      title=f"{label} × {cls}")
    if label.upper() == "DRF":
        paths += table_figure(top_drf_table(res), out / "fig5e_top30_drf",
                              "Top DRFs by number of significant GFs",
                              source="the Fig 5e CSV (fig5e_top30)")
    else:
        paths += table_figure(significant_crf_table(res), out / "fig5f_significant_crf",
                              "Significant CRF–GF associations (BH p < "
                              f"{res.alpha:g}), most significant first",
                              source="the Fig 5f CSV (fig5f_significant)")
    return paths
