"""Figures: AUC (and F1) vs number of non-zero features per characteristic; ROC curves."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..plotting import PALETTE, apply_style, save_figure, short_labels
from .modes import flag_degenerate


def plot_auc_vs_features(curves: pd.DataFrame, stem: str | os.PathLike,
                         metric: str = "auc") -> list[Path]:
    """Fig 4d–e: one panel per feature set (columns) and mode (rows), one line per characteristic."""
    apply_style()
    sets = list(dict.fromkeys(curves["feature_set"]))
    mode_list = list(dict.fromkeys(curves["mode"]))
    fig, axes = plt.subplots(len(mode_list), len(sets), figsize=(3.6 * len(sets),
                             3.0 * len(mode_list)), squeeze=False, sharey=True,
                             layout="constrained")
    chars = list(dict.fromkeys(curves["characteristic"]))
    for i, mode in enumerate(mode_list):
        for j, fs in enumerate(sets):
            ax = axes[i][j]
            sub = curves[(curves["mode"] == mode) & (curves["feature_set"] == fs)]
            for k, ch in enumerate(chars):
                # path order (lambda decreasing), as the authors' plot(nzero, AUC, type = "l")
                c = sub[sub["characteristic"] == ch].sort_values("lambda", ascending=False)
                if len(c):
                    ax.plot(c["nzero"], c[metric], color=PALETTE[k % len(PALETTE)], label=ch,
                            lw=1.2)
            ax.axhline(0.5, color="grey", lw=0.6, ls=":")
            ax.set_ylim(0, 1.02)
            ax.set_title(f"{fs} — {mode}")
            ax.set_xlabel("number of non-zero features")
            if j == 0:
                ax.set_ylabel(f"test {metric.upper()}")
    axes[0][-1].legend(loc="lower right", frameon=False)
    return save_figure(fig, stem)


def plot_roc_curves(roc: pd.DataFrame, summary: pd.DataFrame, stem: str | os.PathLike,
                    by: str = "target") -> list[Path]:
    """Supplementary Fig 1: ROC panels per (feature set, model, mode), one curve per target."""
    apply_style()
    keys = list(dict.fromkeys(zip(roc["feature_set"], roc["model"], roc["mode"])))
    ncol = min(4, len(keys))
    nrow = -(-len(keys) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.2 * ncol, 3.2 * nrow), squeeze=False,
                             layout="constrained")
    for ax, (fs, model, mode) in zip(axes.flat, keys):
        sub = roc[(roc["feature_set"] == fs) & (roc["model"] == model) & (roc["mode"] == mode)]
        for k, tgt in enumerate(dict.fromkeys(sub[by])):
            c = sub[sub[by] == tgt]
            s = summary[(summary["feature_set"] == fs) & (summary["model"] == model)
                        & (summary["mode"] == mode) & (summary[by] == tgt)]
            auc = float(s["auc"].iloc[0]) if len(s) else float("nan")
            ax.plot(c["fpr"], c["tpr"], color=PALETTE[k % len(PALETTE)], lw=1.2,
                    label=f"{tgt} ({auc:.2f})")
        ax.plot([0, 1], [0, 1], color="grey", lw=0.6, ls=":")
        ax.set_title(f"{fs} {model} — {mode}")
        ax.set_xlabel("false positive rate")
        ax.set_ylabel("true positive rate")
        ax.legend(loc="lower right", frameon=False, fontsize=7)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    return save_figure(fig, stem)


def plot_mode_comparison(summary: pd.DataFrame, stem: str | os.PathLike, label: str,
                         value: str = "auc", ylabel: str = "AUC") -> list[Path]:
    """Paper vs rigorous values side by side, with 95% CIs when the table has them.

    The caption under the axes says what the whiskers are (95% confidence interval and its
    method: DeLong for one row per patient, the patient-cluster bootstrap for image rows) and
    flags degenerate AUCs (:func:`.modes.degenerate_auc`: one class in the test set, no CI, or
    a test set separated perfectly with a CI of zero width such as [1, 1]); their bars are
    hatched and carry a "!" mark, and the caption names them with the test-set size.
    """
    apply_style()
    wide = summary.pivot_table(index=label, columns="mode", values=value, aggfunc="first",
                               dropna=False)
    fig, ax = plt.subplots(figsize=(max(4.5, 0.6 * len(wide) + 1.5), 3.6),
                           layout="constrained")
    x = range(len(wide))
    has_ci = value == "auc" and {"ci_low", "ci_high"} <= set(summary.columns)
    degenerate: list[str] = []
    methods: list[str] = []
    for k, mode in enumerate(wide.columns):
        pos = [i + 0.4 * k - 0.2 for i in x]
        val = wide[mode].to_numpy(dtype=float)
        bars = ax.bar(pos, np.nan_to_num(val), width=0.4, label=mode, color=PALETTE[k])
        if not has_ci:
            continue
        sub = summary[summary["mode"] == mode].drop_duplicates(label).set_index(label)
        present = set(sub.index)
        sub = sub.reindex(wide.index)
        lo = sub["ci_low"].to_numpy(dtype=float)
        hi = sub["ci_high"].to_numpy(dtype=float)
        ok = np.isfinite(val) & np.isfinite(lo) & np.isfinite(hi)
        ax.errorbar(np.asarray(pos)[ok], val[ok],
                    yerr=[np.clip(val - lo, 0, None)[ok], np.clip(hi - val, 0, None)[ok]],
                    fmt="none", ecolor="black", elinewidth=0.7, capsize=2)
        if "ci_method" in sub.columns:
            methods += [str(m) for m in sub["ci_method"].dropna().unique() if str(m)]
        flags = flag_degenerate(sub.assign(auc=val))
        for bar, p, v, name, why in zip(bars, pos, val, wide.index, flags):
            if not why or name not in present:
                continue
            bar.set_hatch("////")
            bar.set_edgecolor("black")
            ax.text(p, (min(v, 1.0) if np.isfinite(v) else 0) + 0.02, "!", ha="center",
                    va="bottom", fontweight="bold", color=PALETTE[5])
            degenerate.append(f"{name} ({mode}; {why.removeprefix('degenerate: ')})")
    if value == "auc":
        ax.axhline(0.5, color="grey", lw=0.6, ls=":")
    ax.set_xticks(list(x))
    ax.set_xticklabels(short_labels(wide.index, 24), rotation=45, ha="right")
    ax.set_ylabel(ylabel)
    if value == "auc":
        ax.set_ylim(0, 1.12)
    ax.legend(frameon=False, ncols=2, loc="upper right")
    notes = []
    if has_ci:
        how = ", ".join(dict.fromkeys(methods)) or "DeLong or patient bootstrap"
        notes.append(f"Bars: AUC on the held-out test set; whiskers: 95% CI ({how}); dotted "
                     "line: chance (0.5).")
    if degenerate:
        notes.append("! hatched: degenerate AUC, not evidence of a good model (one class "
                     "in the test set, no CI, or a test set separated perfectly with a CI "
                     "of zero width such as [1, 1]): " + "; ".join(degenerate))
    if notes:
        width = max(60, int(fig.get_figwidth() * 15))
        fig.text(0.01, 0.0, "\n".join(textwrap.fill(n, width) for n in notes), fontsize=7,
                 ha="left", va="top", transform=fig.transFigure)
    return save_figure(fig, stem)
