"""Both studies' prediction tables and figures in both modes on the demo cohort."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytestmark = [pytest.mark.r, pytest.mark.slow]


def test_demo_cohort_both_studies_both_modes(demo_cohort_dir, tmp_path):
    from pyradiogen import rbridge

    rbridge.library("pyradiogen", "glmnet", "ROCR", "nnet")
    from pyradiogen.cohort import load_cohort
    from pyradiogen.predict.config import PredictConfig
    from pyradiogen.predict.run import run_kim2020, run_liu2023

    c = load_cohort(demo_cohort_dir)
    # image-level stand-in for DRFs: intensity summaries of every image
    rows = []
    for iid, r in c.images.iterrows():
        px = c.pixels(iid)
        rows.append([iid, r["patient_id"], px.mean(), px.std(), *np.percentile(px, [10, 50, 90])])
    img = pd.DataFrame(rows, columns=["image_id", "patient_id", "mean", "sd", "p10", "p50", "p90"])
    cfg = PredictConfig(nlambda=5, selection_permutations=2, characteristics=["ER", "HER2"],
                        outer_folds=3, models=["xgboost"])
    liu = run_liu2023(tmp_path / "liu", img, c.clinical, crf=c.crf36, targets=c.timer.iloc[:, :2],
                      config=cfg)
    s = liu["lasso_summary"]
    assert set(s["mode"]) == {"paper", "rigorous"} and set(s["feature_set"]) == {"DRF", "CRF"}
    assert (s.loc[s["mode"] == "rigorous", "patients_on_both_sides"].fillna(0) == 0).all()
    her2 = s[(s["characteristic"] == "HER2") & (s["feature_set"] == "DRF")]
    labelled = img["patient_id"].map(c.clinical["HER2"]).notna().sum()
    assert (her2["n_rows"] == labelled).all()
    assert (tmp_path / "liu" / "fig4de_auc_vs_features.png").exists()
    assert (tmp_path / "liu" / "suppfig1_roc.png").exists()
    kim = run_kim2020(tmp_path / "kim", c.crf36, c.timer.iloc[:, :2], config=cfg)["table4"]
    assert kim["mode"].tolist() == ["paper"] * 2 + ["rigorous"] * 2
    assert (tmp_path / "kim" / "table4_loo_lasso.csv").exists()
    # per-part seconds in the manifests: every group of the shared pool, and the pools' wall
    import json

    t_liu = json.loads((tmp_path / "liu" / "manifest.json").read_text())["timings_s"]
    assert {"lasso DRF paper (sum of tasks)", "lasso CRF rigorous (sum of tasks)",
            "classes DRF rigorous (sum of tasks)", "lasso and class models (pool, wall)",
            "stage (wall)"} <= set(t_liu)
    assert all(v > 0 for v in t_liu.values())
    assert t_liu["stage (wall)"] >= t_liu["lasso and class models (pool, wall)"]
    t_kim = json.loads((tmp_path / "kim" / "manifest.json").read_text())["timings_s"]
    assert set(t_kim) == {"LOO lasso (pool, wall)", "LOO lasso paper (sum of tasks)",
                          "LOO lasso rigorous (sum of tasks)"}
    assert all(v > 0 for v in t_kim.values())
    # beside a background task (EfficientNet) the first tasks run here one at a time, the rest
    # in the pool once it has finished: same tables
    from pyradiogen.predict.run import _liu2023_models

    class Beside:  # "finishes" after two checks
        checks = 0

        def done(self):
            self.checks += 1
            return self.checks > 2

    sets = {"DRF": img}
    res, _, t = _liu2023_models(tmp_path / "beside", sets, sets, c.clinical, None, cfg,
                                ["paper", "rigorous"], beside=Beside())
    assert t["model tasks run beside the background task"] == 2
    drf = s[s["feature_set"] == "DRF"].reset_index(drop=True)
    pd.testing.assert_frame_equal(res["lasso_summary"].reset_index(drop=True), drf)
