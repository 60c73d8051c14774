"""pyradiogen.datasets: every synthetic generator in one place, deterministic, real barcodes."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from pyradiogen import datasets
from pyradiogen.cohort.ids import is_barcode


def test_fake_barcodes_sequential_and_random():
    assert datasets.fake_barcodes(3) == ["TCGA-SY-0000", "TCGA-SY-0001", "TCGA-SY-0002"]
    a = datasets.fake_barcodes(50, np.random.default_rng(1))
    b = datasets.fake_barcodes(50, np.random.default_rng(1))
    assert a == b and len(set(a)) == 50
    assert all(is_barcode(x) and len(x) == 12 for x in a + datasets.fake_barcodes(4, site="XX"))
    assert {x[5:7] for x in a} <= set(datasets.TCGA_BRCA_SITES)
    with pytest.raises(ValueError, match="two letters"):
        datasets.fake_barcodes(2, site="XYZ")


def test_table_generators_are_deterministic():
    f1, g1 = datasets.make_association_tables(n_patients=6, n_features=4, n_gfs=2, seed=3)
    f2, g2 = datasets.make_association_tables(n_patients=6, n_features=4, n_gfs=2, seed=3)
    assert f1.equals(f2) and g1.equals(g2)
    assert list(f1.columns[:3]) == ["image_id", "patient_id", "fea_1"]
    assert set(f1["patient_id"]) == set(g1["patient_id"]) and len(g1) == 6
    d = datasets.make_prediction_cohort(n_patients=8, images_per_patient=2, seed=1)
    assert len(d["features"]) == 16 and d["clinical"]["HER2"].isna().sum() == 4
    imgs, pids = datasets.make_toy_images(6, size=16, seed=2, n_patients=3)
    assert imgs.shape == (6, 16, 16) and imgs.dtype == np.float32
    assert pids[:4] == ["TCGA-XX-0000", "TCGA-XX-0001", "TCGA-XX-0002", "TCGA-XX-0000"]


def test_make_demo_cohort_is_the_generator_with_its_signature():
    from pyradiogen.demo.generate import make_demo_cohort

    assert inspect.signature(datasets.make_demo_cohort) == inspect.signature(make_demo_cohort)


def test_no_synthetic_modules_inside_stage_packages():
    from pathlib import Path

    root = Path(datasets.__file__).parent
    assert not sorted(p.relative_to(root) for p in root.rglob("synthetic.py"))
