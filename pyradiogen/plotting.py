"""One figure style for every plot, readable labels, and atomic PNG + SVG saving.

Every text of a figure is at least :data:`MIN_FONT_PT` points at the figure's own size (the
report shows figures at that size or larger); long names are shortened by
:func:`short_labels` (the full names are in the figure's CSV, which a footnote names); and
:func:`readability_problems` lists what breaks those rules — texts smaller than the minimum,
tick labels that overlap, table cells whose text spills over — for the figure tests.
"""

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
#: smallest font size (points) of any text in a figure
MIN_FONT_PT = 7.0
# Colours for clinical bars and classes (colour-blind safe, Okabe-Ito)
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
PAM50_COLOURS = {"Basal": "#D55E00", "Her2": "#CC79A7", "LumA": "#0072B2", "LumB": "#56B4E9",
                 "Normal": "#009E73"}


def apply_style() -> None:
    """Apply the pyradiogen matplotlib style."""
    plt.rcParams.update(STYLE)


def short_labels(labels, max_chars: int = 28, unique: bool = True) -> list[str]:
    """``labels`` as strings of at most ``max_chars`` characters: a longer one keeps its start
    and end around an ellipsis (``original_glszm_Sm…ssion``). With ``unique`` (axis labels),
    repeated labels get a numeric suffix, so every label stays distinct; table cells keep their
    repeats (``unique=False``)."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for lab in map(str, labels):
        if len(lab) > max_chars:
            head = (max_chars - 1) * 2 // 3
            lab = lab[:head] + "…" + lab[len(lab) - (max_chars - 1 - head):]
        if unique and lab in seen:
            seen[lab] += 1
            lab = f"{lab[:max_chars - 3]}~{seen[lab]}"
        seen.setdefault(lab, 0)
        out.append(lab)
    return out


def readability_problems(fig: plt.Figure, min_size: float = MIN_FONT_PT) -> list[str]:
    """What makes ``fig`` hard to read: visible texts smaller than ``min_size`` points, tick
    labels of one axis that overlap each other, and table cells whose text is wider than the
    cell. Empty when the figure is readable."""
    from matplotlib.table import Table
    from matplotlib.text import Text

    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    problems: list[str] = []
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip() and t.get_fontsize() < min_size - 1e-6:
            problems.append(f"text {t.get_text()[:40]!r} is {t.get_fontsize():g} pt "
                            f"(< {min_size:g})")
    for ax in fig.axes:
        for which, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            labels = [lab for lab in axis.get_ticklabels()
                      if lab.get_visible() and lab.get_text().strip()]
            boxes = [lab.get_window_extent(renderer).shrunk(0.96, 0.9) for lab in labels]
            for i in range(len(boxes)):
                for j in range(i + 1, len(boxes)):
                    if boxes[i].overlaps(boxes[j]):
                        problems.append(f"{which} tick labels {labels[i].get_text()!r} and "
                                        f"{labels[j].get_text()!r} overlap "
                                        f"({ax.get_title() or 'axes'})")
                        break
        for tab in ax.findobj(Table):
            for (row, col), cell in tab.get_celld().items():
                text = cell.get_text()
                if not text.get_text().strip():
                    continue
                tw = text.get_window_extent(renderer).width
                cw = cell.get_window_extent(renderer).width
                if tw > cw * 1.02:
                    problems.append(f"table cell ({row}, {col}) {text.get_text()[:30]!r} is "
                                    "wider than its column")
    return problems


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
