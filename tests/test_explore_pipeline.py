"""Explore stage end to end on synthetic tables: every figure and test table is written."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_explore import synthetic

from pyradiogen.explore import run_explore
from pyradiogen.explore.clustering import cluster_fisher
from pyradiogen.explore.config import ExploreConfig
from pyradiogen.explore.io import read_feature_table


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    feats, clin, sub = synthetic(n_pat=30, n_sub=8, n_img=2, n_feat=60)
    crf = feats[["image_id", "patient_id"]].join(feats.iloc[:, 2:20] * 50 + 3)
    crf.columns = ["image_id", "patient_id", *[f"original_shape_{i}" for i in range(18)]]
    rng = np.random.default_rng(1)
    expr = pd.DataFrame(rng.lognormal(3, 1, size=(30, 80)), index=clin.index,
                        columns=[f"GENE{i}" for i in range(80)])
    expr.loc[(clin["pam50"] == "Basal").to_numpy(), ["GENE0", "GENE1"]] *= 30
    out = tmp_path_factory.mktemp("explore")
    cfg = ExploreConfig(tsne_image_perplexity=10, tsne_max_iter=1000, kw_gene_alpha=1e-3)
    res = run_explore({"drf": feats, "crf": crf}, clin, out, expression=expr, config=cfg, seed=5)
    return out, res, feats, clin, sub


def test_every_output_is_written(result):
    out = result[0]
    for label in ("drf", "crf"):
        for stem in ("fig4a_heatmap", "fig4bc_tsne", "tsne_clinical", "fig1b_kruskal"):
            for ext in ("png", "svg"):
                assert (out / label / f"{stem}.{ext}").stat().st_size > 5000, (label, stem)
        for table in ("hclust_clusters", "hclust_fisher", "tsne_patients", "tsne_images",
                      "tsne_fisher", "kruskal_pam50"):
            assert (out / label / f"{table}.csv").exists()
    for name in ("compare_tsne.png", "fig1a_kruskal_genes.png", "kruskal_genes.csv",
                 "summary.json"):
        assert (out / name).exists()


def test_tables_hold_the_tests(result):
    out, res, feats, clin, sub = result
    fis = pd.read_csv(out / "drf" / "hclust_fisher.csv")
    assert list(fis["characteristic"]) == ["T", "N", "ER", "PR", "HER2"]
    labels = pd.read_csv(out / "drf" / "hclust_clusters.csv", index_col=0)["cluster"]
    again = cluster_fisher(labels, clin)
    np.testing.assert_allclose(fis["p_value"], again["p_value"], rtol=1e-12)
    assert sorted(labels.value_counts()) == [8, 22]  # the planted subgroup
    genes = pd.read_csv(out / "kruskal_genes.csv", index_col=0)
    assert set(genes.index[genes["p_value"] < 1e-3]) >= {"GENE0", "GENE1"}
    assert res["genes"]["significant"] >= 2
    imgs = pd.read_csv(out / "drf" / "tsne_images.csv")
    assert len(imgs) == 60 and imgs["cluster"].notna().all()


def test_patient_level_table_has_no_image_map(tmp_path, result):
    _, _, feats, clin, _ = result
    P = feats.groupby("patient_id")[feats.columns[2:22]].mean()
    cfg = ExploreConfig(figure_formats=["png"], tsne_max_iter=1000)
    res = run_explore({"crf36": P}, clin, tmp_path, config=cfg, seed=1)
    assert res["crf36"]["n_images"] == 30
    assert res["crf36"]["model"]["tsne"].images_ is None
    assert (tmp_path / "crf36" / "fig4bc_tsne.png").exists()
    assert not (tmp_path / "crf36" / "fig4bc_tsne.svg").exists()


def test_read_feature_table_checks_columns(tmp_path):
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"image_id": ["a"], "x": [1.0]}).to_csv(bad, index=False)
    with pytest.raises(ValueError, match="patient_id"):
        read_feature_table(bad)
    good = tmp_path / "good.csv"
    pd.DataFrame({"patient_id": ["tcga-a1-a0sb-01a"], "f": [1.0]}).to_csv(good, index=False)
    df = read_feature_table(good)
    assert list(df.columns) == ["image_id", "patient_id", "f"]
    assert df["patient_id"].iloc[0] == "TCGA-A1-A0SB"


def test_reader_column_and_categorical_characteristic(tmp_path, result):
    from pyradiogen.explore.io import select_reader

    _, _, feats, clin, _ = result
    two = pd.concat([feats.assign(reader="r2"), feats.assign(reader="r1")])
    assert select_reader(two)["image_id"].is_unique
    with pytest.raises(ValueError, match="no reader 'r9'"):
        select_reader(two, "r9")
    cfg = ExploreConfig(characteristics=["T", "pam50"], figure_formats=["png"],
                        tsne_max_iter=500, tsne_image_perplexity=10)
    res = run_explore({"crf": two}, clin, tmp_path, config=cfg, seed=2)
    assert res["crf"]["n_images"] == 60
    fis = pd.read_csv(tmp_path / "crf" / "hclust_fisher.csv").set_index("characteristic")
    assert fis.loc["pam50", "n_levels"] == 4 and 0 < fis.loc["pam50", "p_value"] <= 1


def test_gene_screen_keeps_logged_expression(tmp_path, result):
    from pyradiogen.explore import explore_genes

    _, _, _, clin, _ = result
    rng = np.random.default_rng(2)
    logged = pd.DataFrame(rng.normal(size=(30, 40)), index=clin.index,
                          columns=[f"G{i}" for i in range(40)])
    logged["G0"] += 4.0 * (clin["pam50"] == "Basal").to_numpy()
    cfg = ExploreConfig(figure_formats=["png"], kw_gene_alpha=1e-3)
    res = explore_genes(logged, clin, tmp_path, cfg)
    assert res["transform"] == "none" and res["n_genes"] == 40
    kw = pd.read_csv(tmp_path / "kruskal_genes.csv", index_col=0)
    assert kw.index[0] == "G0" and kw["p_value"].iloc[0] < 1e-3
    counts = np.exp(logged * 2) * 100
    assert explore_genes(counts, clin, tmp_path / "c", cfg)["transform"] == "log2p1"
