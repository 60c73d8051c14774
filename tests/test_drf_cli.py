"""``pyradiogen drf train`` then ``drf extract`` on the demo cohort."""

from __future__ import annotations

import json

import pandas as pd

from pyradiogen.cli import main


def test_drf_train_then_extract(demo_cohort_dir, tmp_path):
    out = tmp_path / "drf"
    args = ["--cohort", str(demo_cohort_dir), "--out", str(out), "--epochs", "2",
            "--seed", "5", "--threads", "1"]
    assert main(["drf", "train", *args]) == 0
    assert (out / "drf_model.pt").exists() and (out / "checkpoints" / "last.pt").exists()
    hist = pd.read_csv(out / "drf_loss_history.csv")
    assert list(hist["epoch"]) == [0, 1, 2]
    check = json.loads((out / "drf_training_check.json").read_text())
    assert check["epochs"] == 2 and "verdict" in check
    assert (out / "figures" / "drf_loss_curves.png").exists()
    assert main(["drf", "extract", *args]) == 0
    raw = pd.read_parquet(out / "drfs.parquet")
    qn = pd.read_parquet(out / "drfs_qn.parquet")
    assert list(raw.columns[:3]) == ["image_id", "patient_id", "fea_1"]
    assert raw.shape[1] == 4098 and raw.shape == qn.shape
    assert raw["patient_id"].nunique() == 24
    assert list(raw["image_id"]) == list(qn["image_id"])
    pat = pd.read_parquet(out / "drfs_qn_patient.parquet")
    assert pat.shape == (24, 4096) and pat.index.name == "patient_id"
    for stem in ("drf_fig3_kernel_maps", "drf_fig3_density"):
        assert (out / "figures" / f"{stem}.png").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["stage"] == "drf extract" and manifest["n_features"] == 4096
    assert manifest["seeds"] == {"drf": 5}


def test_extract_without_model_says_what_to_do(demo_cohort_dir, tmp_path, capsys):
    rc = main(["drf", "extract", "--cohort", str(demo_cohort_dir), "--out", str(tmp_path)])
    assert rc == 2
    assert "drf train" in capsys.readouterr().err
