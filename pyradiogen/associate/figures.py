"""Fig 5 of study liu2023: significance heatmaps (a–d), top-30 DRF table (e), significant CRFs (f)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..plotting import save_figure
from .result import PAPER_BLOCK_SIZE, AssociationResult, paper_block_of


def significance_heatmap(res: AssociationResult, cls: str | None, stem: str | Path,
                         title: str | None = None, vmax: float = 5.0) -> list[Path]:
    """Heatmap of −log10(BH p) (GFs × features); significant cells are the darker ones.

    The paper's DRF blocks (256 features each, its "kernels") are marked by vertical lines.
    """
    mat = res.significance_matrix(cls)
    fig, ax = plt.subplots(figsize=(8, max(2.0, min(8.0, 0.02 * len(mat) + 1.5))))
    vals = np.nan_to_num(mat.to_numpy(dtype=float), nan=0.0)
    im = ax.imshow(vals, aspect="auto", cmap="magma_r", vmin=0, vmax=vmax,
                   interpolation="nearest")
    thr = -np.log10(res.alpha)
    cb = fig.colorbar(im, ax=ax, fraction=0.03)
    cb.set_label("−log10 BH-adjusted p")
    cb.ax.axhline(thr, color="tab:cyan", lw=1)
    blocks = [paper_block_of(f) for f in mat.columns]
    if all(k is not None for k in blocks) and len(blocks) > PAPER_BLOCK_SIZE:
        edges = [i for i in range(1, len(blocks)) if blocks[i] != blocks[i - 1]]
        for e in edges:
            ax.axvline(e - 0.5, color="white", lw=0.4)
        mids = [(a + b) / 2 for a, b in zip([0, *edges], [*edges, len(blocks)])]
        ax.set_xticks(mids, [str(blocks[int(m)]) for m in mids])
        ax.set_xlabel("paper block (the paper's \"kernel\": 256 DRFs)")
    else:
        ax.set_xticks(range(len(mat.columns)), mat.columns, rotation=90, fontsize=5)
        ax.set_xlabel("feature")
    if len(mat) <= 40:
        ax.set_yticks(range(len(mat.index)), mat.index, fontsize=6)
    else:
        ax.set_yticks([])
    ax.set_ylabel(f"{cls or 'GF'} ({len(mat)})")
    n_sig = int((vals > thr).sum())
    ax.set_title(title or f"{cls or 'GF'}: {n_sig} significant pairs (BH < {res.alpha})")
    return save_figure(fig, stem)


def table_figure(df: pd.DataFrame, stem: str | Path, title: str) -> list[Path]:
    """Render a small table as a figure (Fig 5e/5f)."""
    shown = df.head(40)
    fig, ax = plt.subplots(figsize=(min(12, 1.3 * max(3, shown.shape[1])),
                                    0.25 * (len(shown) + 2) + 0.5))
    ax.axis("off")
    if len(shown):
        cells = [[f"{v:.3g}" if isinstance(v, float) else str(v) for v in row]
                 for row in shown.itertuples(index=False)]
        tab = ax.table(cellText=cells, colLabels=list(shown.columns), loc="upper center")
        tab.auto_set_font_size(False)
        tab.set_fontsize(7)
    else:
        ax.text(0.5, 0.5, "none", ha="center", va="center")
    ax.set_title(title)
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
                              "Top DRFs by number of significant GFs")
    else:
        paths += table_figure(significant_crf_table(res), out / "fig5f_significant_crf",
                              "Significant CRF–GF associations")
    return paths
