"""The scan: BH vs R, blocks and resume, loky/Dask backends, summaries, outputs, CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pyradiogen.associate import scan, summary
from pyradiogen.associate.outputs import write_outputs
from pyradiogen.associate.scan import associate, paper_block_of
from pyradiogen.datasets import make_association_tables
from pyradiogen.stats import bh_adjust


@pytest.fixture(scope="module")
def tables():
    return make_association_tables(n_patients=24, n_features=40, n_gfs=6, seed=1)


def test_paper_block_numbering():
    assert paper_block_of("fea_1") == 1
    assert paper_block_of("fea_256") == 1
    assert paper_block_of("fea_257") == 2
    assert paper_block_of("fea_4043") == 16
    assert paper_block_of("original_glcm_Contrast") is None


def test_scan_equals_single_fit_and_bh_per_gf(tables, tmp_path):
    feats, gfs = tables
    res = associate(feats, gfs, block_size=7, out_dir=tmp_path)
    t = res.table
    assert list(t.columns) == scan.COLUMNS
    assert len(t) == 40 * 6 and res.blocks_run == 6
    from pyradiogen.associate.lme_fast import FastLME

    one = FastLME().fit(feats.iloc[:, 2:], feats["patient_id"], gfs.set_index("patient_id"))
    np.testing.assert_allclose(t["p_value"], one.results_["p_value"], rtol=1e-9)
    for _gf, sub in t.groupby("gf"):
        np.testing.assert_allclose(sub["p_adj"], bh_adjust(sub["p_value"].to_numpy()))
    # the linked features (last 5, on GF_1) are found
    sig = res.significant()
    found = set(sig.loc[sig["gf"] == "GF_1", "feature"]) & {f"fea_{i}" for i in range(36, 41)}
    assert len(found) >= 3


def test_scan_without_out_dir_leaves_no_folder(tables, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    feats, gfs = tables
    res = associate(feats, gfs, block_size=20)
    assert len(res.table) == 40 * 6 and res.blocks_run == 2
    assert list(tmp_path.iterdir()) == []  # the blocks' scratch folder is removed


def test_resume_after_kill_skips_finished_blocks(tables, tmp_path, monkeypatch):
    feats, gfs = tables
    real = scan._fit_block
    calls = []

    def dying(block, **kw):
        if block.number == 3:
            raise KeyboardInterrupt("simulated kill")
        calls.append(block.number)
        return real(block, **kw)

    monkeypatch.setattr(scan, "_fit_block", dying)
    with pytest.raises(KeyboardInterrupt):
        associate(feats, gfs, block_size=8, out_dir=tmp_path)
    assert calls == [0, 1, 2]
    monkeypatch.setattr(scan, "_fit_block", real)
    res = associate(feats, gfs, block_size=8, out_dir=tmp_path)
    assert res.blocks_reused == 3 and res.blocks_run == 2
    fresh = associate(feats, gfs, block_size=8, out_dir=tmp_path / "fresh")
    pd.testing.assert_frame_equal(res.table, fresh.table)
    # different settings → different block folder, nothing reused
    other = associate(feats, gfs, block_size=8, out_dir=tmp_path, na_action="omit")
    assert other.blocks_reused == 0


def test_loky_two_workers_same_result(tables, tmp_path):
    feats, gfs = tables
    a = associate(feats, gfs, block_size=10, n_jobs=2, backend="loky", out_dir=tmp_path / "a")
    b = associate(feats, gfs, block_size=40, n_jobs=1, out_dir=tmp_path / "b")
    pd.testing.assert_frame_equal(a.table, b.table)


def test_dask_local_cluster(tables, tmp_path):
    import distributed
    feats, gfs = tables
    from pyradiogen.parallel import r_worker_env

    with r_worker_env(), distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        res = associate(feats, gfs, block_size=10, n_jobs=2, backend="dask",
                        scheduler=cluster.scheduler_address, out_dir=tmp_path / "dask")
    ref = associate(feats, gfs, block_size=10, out_dir=tmp_path / "ref")
    assert res.blocks_run == 4
    pd.testing.assert_frame_equal(res.table, ref.table)


@pytest.mark.r
def test_nlme_engine_in_loky_workers_records_failures(tmp_path):
    feats, gfs = make_association_tables(n_patients=15, n_features=4, n_gfs=2, seed=2)
    feats["fea_2"] = 1.0                          # constant: nlme fails
    res = associate(feats, gfs, engine="nlme", block_size=2, n_jobs=2, out_dir=tmp_path)
    t = res.table
    assert res.n_failed == 1                      # R error on GF_2; GF_1 gives SE = 0
    notes = t.loc[t["feature"] == "fea_2", "note"]
    assert notes.str.contains("nlminb").sum() == 1 and notes.str.contains("degenerate").sum() == 1
    t = t[t["feature"] != "fea_2"]
    fast = associate(feats, gfs, engine="fast", out_dir=tmp_path / "fast").table
    assert fast.loc[fast["feature"] == "fea_2", "p_value"].isna().all()
    fast = fast[fast["feature"] != "fea_2"]
    assert np.abs(fast["p_value"].to_numpy() - t["p_value"].to_numpy()).max() < 1e-5


def test_summaries_count_paper_blocks_and_classes():
    rows = []
    for f in (1, 2, 257, 300, 4043):
        for g in ("RG1", "RG2", "SIG"):
            sig = (f in (257, 300) and g == "RG1") or (f == 4043) or (f == 1 and g == "SIG")
            rows.append((f"fea_{f}", g, 0.001 if sig else 0.5))
    t = pd.DataFrame(rows, columns=["feature", "gf", "p_value"])
    for col in ("estimate", "std_error", "df", "t"):
        t[col] = 1.0
    t["p_adj"] = t["p_value"]
    t["note"] = None
    res = scan.AssociationResult(table=t[scan.COLUMNS], engine="fast", preset="paper",
                                 gf_class={"RG1": "risk genes", "RG2": "risk genes",
                                           "SIG": "signatures"})
    k = res.per_block().set_index("paper_block")
    assert k.loc[1, "risk genes"] == 0 and k.loc[1, "signatures"] == 1
    assert k.loc[2, "risk genes"] == 2 and k.loc[2, "total"] == 2
    assert k.loc[16, "risk genes"] == 2 and k.loc[16, "total"] == 3
    top = res.top_gfs()
    rg1 = top[top["gf"] == "RG1"].iloc[0]
    assert rg1["n_significant"] == 3 and rg1["top_paper_blocks"] == "2,16"
    feat = res.per_feature().iloc[0]
    assert feat["feature"] == "fea_4043" and feat["total"] == 3 and feat["paper_block"] == 16
    over = res.overview()
    assert over["classes"]["risk genes"] == {"n_gfs": 2, "n_gfs_with_feature": 2,
                                             "n_features_with_gf": 3, "n_pairs": 4}
    # the module functions the replicate job calls are the methods
    pd.testing.assert_frame_equal(summary.per_kernel(res), res.per_block())
    assert summary.overview(res) == over
    text = str(res.summary())
    assert "LME association scan" in text and "risk genes" in text and "RG1" in text


def test_outputs_and_cli(tables, tmp_path):
    from pyradiogen.cli import main

    feats, gfs = tables
    feats.to_csv(tmp_path / "feat.csv", index=False)
    gfs.iloc[:, :4].to_csv(tmp_path / "risk_genes.csv", index=False)
    gfs.iloc[:, [0, 4, 5, 6]].to_parquet(tmp_path / "signatures.parquet", index=False)
    out = tmp_path / "out"
    rc = main(["associate", "--features", str(tmp_path / "feat.csv"), "--gf",
               str(tmp_path / "risk_genes.csv"), "--gf", str(tmp_path / "signatures.parquet"),
               "--n-jobs", "1", "--out", str(out)])
    assert rc == 0
    t = pd.read_parquet(out / "associations.parquet")
    assert list(t.columns) == scan.COLUMNS and len(t) == 40 * 6
    ref = associate(feats, gfs, out_dir=tmp_path / "ref").table
    np.testing.assert_allclose(t["p_adj"], ref["p_adj"], rtol=1e-12)
    sig = pd.read_csv(out / "associations_significant.csv")
    assert len(sig) == int((ref["p_adj"] < 0.05).sum()) > 0 and (sig["p_adj"] < 0.05).all()
    assert not (out / "associations.csv").exists()
    rc = main(["associate", "--features", str(tmp_path / "feat.csv"), "--gf",
               str(tmp_path / "risk_genes.csv"), "--n-jobs", "1", "--csv", "all",
               "--no-figures", "--out", str(tmp_path / "all")])
    assert rc == 0
    every = pd.read_csv(tmp_path / "all" / "associations.csv")
    assert len(every) == 40 * 3 and list(every.columns) == scan.COLUMNS
    s = json.loads((out / "summary.json").read_text())
    assert set(s["classes"]) == {"risk_genes", "signatures"}
    assert s["classes"]["risk_genes"]["n_gfs"] == 3
    for name in ("table2_kernels.csv", "table3_top_gfs.csv", "fig5e_top30.csv", "manifest.json",
                 "figures/fig5_heatmap_drf_risk_genes.png", "figures/fig5e_top30_drf.png"):
        assert (out / name).exists(), name
    # CRF label writes Fig 5f
    res = associate(feats.rename(columns=lambda c: c.replace("fea_", "original_glcm_f")), gfs,
                    out_dir=tmp_path / "crf")
    paths = write_outputs(res, tmp_path / "crf", label="CRF")
    assert (tmp_path / "crf" / "fig5f_significant.csv").exists() and "fig5f" in paths
    assert main(["associate", "--features", str(tmp_path / "feat.csv"), "--gf",
                 str(tmp_path / "risk_genes.csv"), "--backend", "dask", "--out",
                 str(out)]) == 2


def test_significance_matrix_is_the_pivot(tables, tmp_path):
    from pyradiogen.associate import summary

    feats, gfs = tables
    res = associate(feats, gfs, out_dir=tmp_path)
    res.gf_class = {g: ("a" if i % 2 else "b") for i, g in enumerate(gfs.columns[1:])}
    for cls in (None, "a"):
        t = res.table if cls is None else res.table[res.table["gf"].map(res.gf_class) == cls]
        piv = t.pivot(index="gf", columns="feature", values="p_adj")
        piv = piv.reindex(columns=[f for f in dict.fromkeys(res.table["feature"])
                                   if f in piv.columns])
        want = -np.log10(piv.clip(lower=1e-300))
        got = summary.significance_matrix(res, cls)
        pd.testing.assert_frame_equal(got, want, check_names=False)
