"""The demo generator: determinism and recoverable planted links."""

from __future__ import annotations

import filecmp

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from pyradiogen.cohort import load_cohort
from pyradiogen.datasets import make_demo_cohort
from pyradiogen.demo.biology import n_generated
from pyradiogen.studies import liu2023

TABLES = ("clinical.tsv", "crf36.csv", "timer.csv", "risk_genes.txt", "truth.json",
          "cohort.toml", "rois/rois.csv", "expression/matrix.tsv", "expression/genes.tsv")


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    a = make_demo_cohort(tmp_path_factory.mktemp("a"), n_patients=6, seed=3)
    b = make_demo_cohort(tmp_path_factory.mktemp("b"), n_patients=6, seed=3)
    c = make_demo_cohort(tmp_path_factory.mktemp("c"), n_patients=6, seed=4)
    return a, b, c


def test_same_seed_identical(twins):
    a, b, c = twins
    for t in TABLES:
        assert filecmp.cmp(a / t, b / t, shallow=False), t
    sa = sorted((a / "expression" / "star_counts").iterdir())
    sb = sorted((b / "expression" / "star_counts").iterdir())
    assert [p.name for p in sa] == [p.name for p in sb]
    assert all(filecmp.cmp(x, y, shallow=False) for x, y in zip(sa, sb))
    da = sorted((a / "dicom").rglob("*.dcm"))
    db = sorted((b / "dicom").rglob("*.dcm"))
    assert len(da) == len(db) > 20
    assert all(filecmp.cmp(x, y, shallow=False) for x, y in zip(da, db))   # byte-identical
    ca, cb = load_cohort(a, progress=False), load_cohort(b, progress=False)
    pd.testing.assert_frame_equal(ca.images.drop(columns="path"), cb.images.drop(columns="path"))
    for iid in ca.images.index[::3]:
        np.testing.assert_array_equal(ca.pixels(iid), cb.pixels(iid))
    assert not filecmp.cmp(a / "clinical.tsv", c / "clinical.tsv", shallow=False)


def test_counts(twins):
    a = twins[0]
    c = load_cohort(a, progress=False)
    total, n_scan, n_expr = n_generated(6)
    assert c.images["patient_id"].nunique() == total
    assert len(liu2023.assemble(c).patients) == 6


@pytest.fixture(scope="module")
def demo(demo_cohort_dir):
    c = load_cohort(demo_cohort_dir, progress=False)
    lat = pd.DataFrame({p: v["latent"] for p, v in c.truth["patients"].items()}).T
    return c, lat


def test_lesion_area_tracks_size_factor(demo):
    c, lat = demo
    r = c.rois[c.rois["reader"] == "reader1"]
    area = []
    for row in r.itertuples():
        im = c.images.loc[row.image_id]
        area.append(c.mask(row.patient_id, "reader1").sum() * im["pixel_spacing_row"]
                    * im["pixel_spacing_col"])
    rho = spearmanr(area, lat.loc[r["patient_id"], "size"]).statistic
    assert rho > 0.7


def test_enhancement_tracks_planted_kinetics(demo):
    c, _ = demo
    r = c.rois[c.rois["reader"] == "reader1"]
    ratio, truth = [], []
    for row in r.itertuples():
        im = c.images.loc[row.image_id]
        same = c.images[(c.images["series_uid"] == im["series_uid"])
                        & (c.images["slice_location"] == im["slice_location"])]
        same = c.images[(c.images["exam_id"] == im["exam_id"])
                        & (c.images["slice_location"] == im["slice_location"])]
        pre = same.index[same["phase"] == 0][0]
        m = c.mask(row.patient_id, "reader1") == 1
        ratio.append(c.pixels(row.image_id)[m].mean() / c.pixels(pre)[m].mean())
        truth.append(c.truth["patients"][row.patient_id]["image"]["peak_enhancement"])
    assert spearmanr(ratio, truth).statistic > 0.6


@pytest.mark.parametrize("gene,factor", [("ESR1", "er"), ("ERBB2", "her2"), ("MKI67", "prolif")])
def test_planted_genes(demo, gene, factor):
    c, lat = demo
    x = np.log1p(c.expression("unstranded"))
    assert spearmanr(x[gene], lat.loc[x.index, factor]).statistic > 0.6
    assert c.truth["gene_loadings"][gene][factor] > 0.5


def test_background_genes_are_null(demo):
    from pyradiogen.demo.expression import gene_universe

    c, lat = demo
    x = np.log1p(c.expression("unstranded"))
    u = gene_universe()
    nulls = u.loc[u["role"] == "background", "gene_name"].head(200)
    assert len(u) == len(c.genes) == 7604
    assert not set(nulls) & set(c.truth["gene_loadings"])
    r = [spearmanr(x[g], lat.loc[x.index, "er"]).statistic for g in nulls if x[g].std() > 0]
    assert abs(np.mean(r)) < 0.1


def test_pathway_and_truth_helpers(demo):
    from pyradiogen.demo import truth as T

    c, lat = demo
    assert T.linked_pathways(c.truth, "radius_mm") == [
        "KEGG_ECM_RECEPTOR_INTERACTION", "KEGG_FOCAL_ADHESION", "KEGG_VEGF_SIGNALING_PATHWAY"]
    assert "oncotypedx" in T.linked_signatures(c.truth, "washout_per_s")
    assert "ESR1" in T.linked_genes(c.truth, factor="er")
    pd.testing.assert_index_equal(T.latent_table(c.truth).index.sort_values(),
                                  lat.index.sort_values().rename("patient_id"))
    # a planted pathway's mean z-score follows its factor
    x = np.log1p(c.expression("tpm_unstranded"))
    z = (x - x.mean()) / x.std().replace(0, 1)
    genes = [g for g in c.gene_sets["KEGG_CELL_CYCLE"] if g in z.columns]
    assert spearmanr(z[genes].mean(axis=1), lat.loc[z.index, "prolif"]).statistic > 0.6


def test_timer_tracks_immune(demo):
    c, lat = demo
    t = c.timer
    assert spearmanr(t["CD8_T"], lat.loc[t.index, "immune"]).statistic > 0.6


def test_demo_data_cli(tmp_path, capsys):
    from pyradiogen.cli import main

    assert main(["demo-data", "--out", str(tmp_path / "d"), "--patients", "4", "--seed", "2"]) == 0
    assert "demo cohort written" in capsys.readouterr().out
    c = load_cohort(tmp_path / "d", progress=False)
    assert len(liu2023.assemble(c).patients) == 4 and c.truth["seed"] == 2


def test_refuses_to_overwrite_foreign_folder(tmp_path):
    (tmp_path / "mine.txt").write_text("precious")
    with pytest.raises(ValueError, match="not empty and holds no demo cohort"):
        make_demo_cohort(tmp_path, n_patients=4)
    assert (tmp_path / "mine.txt").read_text() == "precious"
