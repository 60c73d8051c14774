"""``pyradiogen predict`` end to end on small synthetic tables, both modes side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.r


@pytest.fixture(scope="module")
def r_ready():
    from pyradiogen import rbridge

    rbridge.library("pyradiogen", "glmnet", "ROCR", "nnet")


def test_liu2023_both_modes(r_ready, tmp_path):
    from pyradiogen.cli import main
    from pyradiogen.datasets import make_prediction_cohort

    d = make_prediction_cohort(seed=0, n_patients=32, images_per_patient=2, n_features=8)
    d["features"].to_csv(tmp_path / "drf.csv", index=False)
    d["clinical"].to_csv(tmp_path / "clinical.csv")
    crf = d["features"].groupby("patient_id").mean(numeric_only=True).iloc[:, :5]
    crf.columns = [f"CRF {c}" for c in crf.columns]
    crf.to_csv(tmp_path / "crf.csv")
    d["targets"].to_csv(tmp_path / "sig.csv", index=False)
    out = tmp_path / "out"
    rc = main(["predict", "--study", "liu2023", "--features", str(tmp_path / "drf.csv"),
               "--crf", str(tmp_path / "crf.csv"), "--clinical", str(tmp_path / "clinical.csv"),
               "--signatures", str(tmp_path / "sig.csv"), "--characteristics", "HER2",
               "--nlambda", "5", "--permutations", "2", "--outer-folds", "3", "--out", str(out)])
    assert rc == 0
    summ = pd.read_csv(out / "fig4de_lasso_summary.csv")
    assert len(summ) == 2 * 2  # modes x feature sets
    assert set(summ["mode"]) == {"paper", "rigorous"}
    # CRFs repeated on each image (image level, as the authors): 28 HER2-known patients x 2
    assert (summ.loc[summ["feature_set"] == "CRF", "n_rows"] == 56).all()
    assert (summ.loc[summ["mode"] == "rigorous", "patients_on_both_sides"] == 0).all()
    curves = pd.read_csv(out / "fig4de_lasso_curves.csv")
    assert curves.groupby(["mode", "feature_set", "characteristic"]).size().max() <= 5
    classes = pd.read_csv(out / "suppfig1_classes_summary.csv")
    assert len(classes) == 2 * 2 * 2 * 2  # modes x sets x targets x models
    for stem in ("fig4de_auc_vs_features", "fig4de_f1_vs_features", "suppfig1_roc",
                 "fig4de_paper_vs_rigorous"):
        assert (out / f"{stem}.png").stat().st_size > 1000
    assert (out / "manifest.json").exists()


def test_kim2020_both_modes(r_ready, tmp_path):
    from pyradiogen.cli import main

    rng = np.random.default_rng(8)
    n = 30
    F = pd.DataFrame(rng.normal(size=(n, 5)), columns=[f"original_shape_f{i}" for i in range(5)])
    F.insert(0, "patient_id", [f"TCGA-KM-{i:04d}" for i in range(n)])
    S = pd.DataFrame({"patient_id": F["patient_id"], "GENE70": F.iloc[:, 1] + rng.normal(size=n)})
    F.to_csv(tmp_path / "f.csv", index=False)
    S.to_csv(tmp_path / "s.csv", index=False)
    out = tmp_path / "o"
    assert main(["predict", "--study", "kim2020", "--features", str(tmp_path / "f.csv"),
                 "--risk-scores", str(tmp_path / "s.csv"), "--out", str(out)]) == 0
    t = pd.read_csv(out / "table4_loo_lasso.csv")
    assert t["mode"].tolist() == ["paper", "rigorous"]
    assert t.loc[0, "published_adj_r2"] == pytest.approx(0.2171)
    assert (t["adj_r2"] > 0).all() and (t["p_value"] < 0.05).all()


def test_missing_input_is_a_user_error(tmp_path, capsys):
    from pyradiogen.cli import main

    rc = main(["predict", "--study", "kim2020", "--features", str(tmp_path / "none.csv"),
               "--out", str(tmp_path)])
    assert rc == 2
    assert "does not exist" in " ".join(capsys.readouterr().err.split())
