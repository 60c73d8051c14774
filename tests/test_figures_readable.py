"""Every figure is readable at any feature count: texts of at least 7 pt, tick labels that do not
overlap, table cells that hold their text, colour bars and thresholds labelled, error bars
explained, degenerate AUCs flagged (issue 19)."""

from __future__ import annotations

import matplotlib.figure
import numpy as np
import pandas as pd
import pytest

from pyradiogen.plotting import MIN_FONT_PT, readability_problems, short_labels

LONG = ["original_glszm_SmallAreaLowGrayLevelEmphasis", "original_glrlm_LongRunHighGrayLevel"
        "Emphasis", "original_firstorder_10Percentile", "original_shape2D_MaximumDiameter"]


@pytest.fixture
def checked(monkeypatch):
    """Every figure saved while the test runs is checked; returns {figure title: problems}."""
    seen: dict[str, list[str]] = {}

    def savefig(self, fname, *args, **kwargs):
        # check the figure as drawn; write an empty file instead of rendering it (fast)
        if kwargs.get("format", str(fname).rsplit(".", 1)[-1]) == "png":
            texts = [t.get_text() for t in self.findobj(matplotlib.text.Text) if t.get_text()]
            seen[f"{fname}"] = (readability_problems(self), " ".join(texts))
        with open(fname, "wb"):
            pass

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", savefig)
    return seen


def assert_readable(seen: dict) -> None:
    assert seen, "no figure was saved"
    bad = {k: v[0] for k, v in seen.items() if v[0]}
    assert not bad, bad


def test_short_labels_keep_names_distinct():
    names = [f"original_glszm_{x}Emphasis" for x in ("SmallArea", "LargeArea")] * 2 + ["ab"]
    short = short_labels(names, 20)
    assert all(len(s) <= 20 for s in short)
    assert len(set(short)) == len(short) and short[-1] == "ab"
    assert short[0].startswith("original_gl") and short[0].endswith("Emphasis"[-6:])


def test_readability_check_finds_small_and_overlapping_labels():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 2))
    ax.set_xticks(range(30), [f"feature_{i}" for i in range(30)], fontsize=8)
    ax.set_ylabel("tiny", fontsize=5)
    problems = readability_problems(fig)
    plt.close(fig)
    assert any("5 pt" in p for p in problems) and any("overlap" in p for p in problems)


def _assoc(features, gfs, classes, seed=0, alpha=0.05):
    from pyradiogen.associate.scan import AssociationResult

    rng = np.random.default_rng(seed)
    rows = [(f, g, rng.normal(), rng.uniform(1e-9, 1)) for f in features for g in gfs]
    t = pd.DataFrame(rows, columns=["feature", "gf", "estimate", "p_value"])
    t["p_adj"] = np.minimum(1, t["p_value"] * rng.uniform(1, 50, len(t)))
    t.loc[t.sample(frac=0.3, random_state=seed).index, "p_adj"] = 1e-12  # beyond the cap
    return AssociationResult(table=t, engine="fast", preset="paper", alpha=alpha,
                             gf_class=dict(zip(gfs, classes)))


@pytest.mark.parametrize("n_features", [36, 100, 1024])
def test_fig5_heatmaps_and_tables(n_features, tmp_path, checked):
    from pyradiogen.associate.figures import fig5

    if n_features == 1024:
        feats = [f"fea_{i}" for i in range(1, n_features + 1)]
        label = "DRF"
    else:
        feats = [f"{LONG[i % 4]}_{i}" for i in range(n_features)]
        label = "CRF"
    gfs = ([f"GENE{i}" for i in range(30)] + ["oncotypedx", "endoPredict"]
           + [f"KEGG_NATURAL_KILLER_CELL_MEDIATED_CYTOTOXICITY_{i}" for i in range(25)])
    classes = ["risk genes"] * 30 + ["signatures"] * 2 + ["KEGG"] * 25
    fig5(_assoc(feats, gfs, classes), tmp_path, label=label)
    assert_readable(checked)
    texts = " ".join(v[1] for v in checked.values())
    assert "≥5" in texts and "BH p = 0.05" in texts          # cap and threshold labelled
    if label == "CRF":
        assert "of" in texts and "rows" in texts               # "top 40 of N rows" caption


def test_mode_comparison_explains_error_bars_and_flags_degenerate_auc(tmp_path, checked):
    from pyradiogen.predict.figures import plot_mode_comparison

    summ = pd.DataFrame({
        "characteristic": ["T", "N", "ER", "PR", "HER2"] * 2,
        "mode": ["paper"] * 5 + ["rigorous"] * 5,
        "auc": [0.9, 0.8, 1.0, 0.7, 0.6, 0.7, 0.6, 0.8, 0.55, 0.5],
        "ci_low": [0.8, 0.6, 1.0, 0.5, 0.4, 0.5, 0.4, 0.6, 0.3, 0.3],
        "ci_high": [0.97, 0.95, 1.0, 0.9, 0.8, 0.9, 0.8, 0.95, 0.8, 0.7],
        "ci_method": ["DeLong"] * 5 + ["patient bootstrap"] * 5})
    plot_mode_comparison(summ, tmp_path / "cmp", label="characteristic")
    assert_readable(checked)
    texts = " ".join(v[1] for v in checked.values())
    assert "95% CI" in texts and "DeLong" in texts and "bootstrap" in texts
    assert "degenerate" in texts and "ER" in texts


def test_prediction_curves_and_roc(tmp_path, checked):
    from pyradiogen.predict.figures import plot_auc_vs_features, plot_roc_curves

    rng = np.random.default_rng(1)
    curves = pd.DataFrame([{"feature_set": fs, "mode": m, "characteristic": ch, "lambda": lam,
                            "nzero": int(50 * (1 - lam)), "auc": rng.uniform(0.4, 1)}
                           for fs in ("DRF", "CRF36") for m in ("paper", "rigorous")
                           for ch in ("T", "N", "ER", "PR", "HER2")
                           for lam in np.linspace(0.01, 1, 8)])
    plot_auc_vs_features(curves, tmp_path / "auc")
    fpr = np.linspace(0, 1, 11)
    roc = pd.DataFrame([{"feature_set": "DRF", "model": md, "mode": m, "target": t,
                         "fpr": f, "tpr": min(1, f * 1.4)} for md in ("nnet", "xgboost")
                        for m in ("paper", "rigorous")
                        for t in ("oncotypedx", "endoPredict", "rorS", "gene70", "genius",
                                  "pik3cags", "B_cell", "CD4_T", "CD8_T", "Neutrophil",
                                  "Macrophage", "Dendritic") for f in fpr])
    summ = roc.drop_duplicates(["feature_set", "model", "mode", "target"]).assign(auc=0.7)
    plot_roc_curves(roc, summ, tmp_path / "roc")
    assert_readable(checked)


@pytest.mark.parametrize("n_features", [12, 80])
def test_clustered_heatmaps(n_features, tmp_path, checked):
    from pyradiogen.explore.figures import fig1_kruskal
    from pyradiogen.plotting import save_figure

    rng = np.random.default_rng(2)
    pts = [f"TCGA-A1-A{i:03d}" for i in range(40)]
    vals = pd.DataFrame(rng.normal(size=(40, n_features)), index=pts,
                        columns=[f"{LONG[i % 4]}_{i}" for i in range(n_features)])
    pam50 = pd.Series(rng.choice(["LumA", "LumB", "Her2", "Basal"], 40), index=pts)
    save_figure(fig1_kruskal(vals, pam50, "Kruskal-Wallis across PAM50"), tmp_path / "k")
    assert_readable(checked)


def test_tsne_and_drf_figures(tmp_path, checked):
    from pyradiogen.drf.figures import plot_densities, plot_kernel_maps, plot_loss_curves
    from pyradiogen.explore.figures import compare_tsne, fig4bc_tsne, tsne_clinical
    from pyradiogen.explore.tsne import TSNEExplorer
    from pyradiogen.plotting import save_figure

    rng = np.random.default_rng(3)
    pts = np.repeat([f"P{i:02d}" for i in range(20)], 3)
    feats = pd.DataFrame(rng.normal(size=(60, 8)), columns=[f"fea_{i}" for i in range(1, 9)])
    feats.insert(0, "patient_id", pts)
    feats.insert(0, "image_id", [f"img{i}" for i in range(60)])
    model = TSNEExplorer(perplexity=5, image_perplexity=10, max_iter=250, seed=1).fit(feats)
    clinical = pd.DataFrame({c: rng.integers(0, 2, 20) for c in ("T", "N", "ER", "PR", "HER2")},
                            index=[f"P{i:02d}" for i in range(20)]).astype("Int64")
    clinical["pam50"] = rng.choice(["LumA", "LumB", "Her2", "Basal"], 20)
    save_figure(fig4bc_tsne(model, "t-SNE"), tmp_path / "t1")
    save_figure(tsne_clinical(model.patients_, clinical, ["T", "N", "ER", "PR", "HER2"], "x"),
                tmp_path / "t2")
    save_figure(compare_tsne({"DRF": model, "CRF": model}), tmp_path / "t3")
    maps = rng.random((16, 16, 16))
    plot_kernel_maps(rng.random((64, 64)), maps, tmp_path / "k", title="TCGA-A1-A001_img3")
    raw = pd.DataFrame(rng.normal(size=(3, 64)), columns=[f"fea_{i}" for i in range(1, 65)])
    plot_densities(raw, raw.rank(axis=1), tmp_path / "d")
    hist = pd.DataFrame({"epoch": range(11), "train_loss": np.linspace(1, 0.1, 11),
                         "val_loss": np.linspace(1, 0.2, 11)})
    plot_loss_curves(hist, tmp_path / "l", title="paper preset",
                     failed=hist.assign(lr=0.1, val_loss=np.linspace(1, 50, 11)))
    assert_readable(checked)
    assert MIN_FONT_PT == 7
