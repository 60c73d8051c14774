"""``pyradiogen crf extract``: crfs.parquet with 100 features per ROI and the ICC tables."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from test_crf_extract import FakeCohort

import pyradiogen.cohort
from pyradiogen import store
from pyradiogen.cli import main
from pyradiogen.crf.features import feature_columns


def check_outputs(out, n_rois, readers):
    crfs = store.read_frame(out / "crfs.parquet")
    assert list(crfs.columns) == ["patient_id", "reader", "image_id", *feature_columns()]
    assert len(crfs) == n_rois and sorted(crfs["reader"].unique()) == readers
    assert np.isfinite(crfs[feature_columns()].to_numpy()).all()
    diag = store.read_frame(out / "crf_diagnostics.parquet")
    assert len(diag) == n_rois and "diagnostics_Mask-original_VoxelNum" in diag
    by_feature = pd.read_csv(out / "icc_by_feature.csv")
    assert len(by_feature) == 100 and by_feature["icc_name"].eq("ICC(A,1)").all()
    by_class = pd.read_csv(out / "icc_by_class.csv")
    assert by_class["feature_class"].tolist() == ["Shape", "GLDM", "GLCM", "First order", "GLRLM",
                                                  "GLSZM", "NGTDM", "Overall"]
    assert by_class["n_features"].tolist() == [8, 14, 23, 18, 16, 16, 5, 100]
    manifest = json.loads((out / "crf_manifest.json").read_text())
    assert manifest["n_features"] == 100
    return crfs, by_feature


@pytest.mark.r
def test_crf_extract_cli_on_a_small_cohort(tmp_path, monkeypatch):
    cohort = FakeCohort(4)
    monkeypatch.setattr(pyradiogen.cohort, "load_cohort", lambda d: cohort, raising=False)
    out = tmp_path / "out"
    assert main(["crf", "extract", "--cohort", str(tmp_path), "--out", str(out),
                 "--n-jobs", "1"]) == 0
    check_outputs(out, 8, ["R1", "R2"])
    assert len(list((out / ".cache" / "crf").glob("*.json"))) == 8


def test_crf_extract_cli_missing_cohort(tmp_path):
    assert main(["crf", "extract", "--cohort", str(tmp_path / "nope"), "--out",
                 str(tmp_path / "o")]) == 2


def test_config_section():
    from pyradiogen import config
    from pyradiogen.crf.config import CRFConfig

    assert config._SECTIONS["crf"] is CRFConfig  # registered on import (sections() is slow)
    cfg = CRFConfig()
    assert (cfg.icc_model, cfg.icc_type, cfg.icc_unit) == ("twoway", "agreement", "single")
    assert cfg.params == "kim2020_2d" and cfg.n_jobs == 2


@pytest.mark.r
def test_crf_extract_on_demo_cohort(demo_cohort_dir, tmp_path):
    from pyradiogen.cohort import load_cohort

    c = load_cohort(demo_cohort_dir)
    out = tmp_path / "demo"
    assert main(["crf", "extract", "--cohort", str(demo_cohort_dir), "--out", str(out)]) == 0
    readers = sorted(c.rois["reader"].astype(str).unique())
    check_outputs(out, len(c.rois), readers)
