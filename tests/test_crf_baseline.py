"""Our extractor reproduces pyradiomics' stored baseline for its breast1 test case.

The baseline (r/inst/extdata/imaging/pyradiomics_baseline_breast1.csv) was written by
pyradiomics 1.3.0-2.1.0 development builds. Each (config, class) is rerun through our
array-level :func:`extract_image` with the settings recorded in the baseline's diagnostics and
compared to the stored precision: half a unit of the last stored digit (shape values were stored
with 12 significant digits), floored at 1e-14 relative for values stored at full precision.
"""

from __future__ import annotations

import ast
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from pyradiogen.crf.extract import extract_image
from pyradiogen.crf.features import load_params
from pyradiogen.resources import extdata

SLICE_2D = 9  # the one-slice mask of pyradiomics' "breast1_2D" test case (82 voxels)


@pytest.fixture(scope="module")
def case():
    import SimpleITK as sitk

    img = sitk.ReadImage(str(extdata("imaging", "breast1_image.nrrd")))
    msk = sitk.ReadImage(str(extdata("imaging", "breast1_label.nrrd")), sitk.sitkUInt32)
    assert sitk.Hash(img) == "016951a8f9e8e5de21092d9d62b77262f92e04a5"
    assert sitk.Hash(msk) == "c45601d81c387b7c809948af79ebf173738c0b02"
    spacing = tuple(img.GetSpacing()[::-1])  # numpy axis order (z, y, x)
    return sitk.GetArrayFromImage(img), sitk.GetArrayFromImage(msk), spacing


@pytest.fixture(scope="module")
def baseline():
    return pd.read_csv(extdata("imaging", "pyradiomics_baseline_breast1.csv"), dtype={"value": str})


def stored_tolerance(text: str) -> float:
    half_unit = 0.5 * 10.0 ** Decimal(text).as_tuple().exponent
    return max(half_unit, 1e-14 * abs(float(text)))


def groups(baseline, configs):
    for (config, cls), g in baseline[baseline.config.isin(configs)].groupby(["config", "feature_class"]):
        diag = dict(zip(g.featureName, g.value))
        feats = g[~g.featureName.str.startswith("diagnostics_")]
        yield config, cls, diag, dict(zip(feats.featureName, feats.value))


def run_group(case, config, cls, settings, names):
    image, mask, spacing = case
    if cls == "shape" and settings.get("resegmentRange") is not None:
        settings = {**settings, "resegmentRange": None}  # pyradiomics' own test does this
    params = {"imageType": {"Original": {}}, "setting": settings,
              "featureClass": {cls: [n.split("_", 2)[2] for n in names]}}
    if cls == "shape2D":  # the breast1_2D case: one slice of the same volume
        return extract_image(image[SLICE_2D], mask[SLICE_2D], spacing[1:], params)
    return extract_image(image, mask, spacing, params)


def check(ours, stored, where):
    bad = {}
    for name, text in stored.items():
        diff = abs(ours[name] - float(text))
        if not diff <= stored_tolerance(text):
            bad[name] = (text, ours[name], diff)
    assert not bad, f"{where}: {bad}"
    return len(stored)


ALL_CONFIGS = ["breast1", "breast1_2d", "breast1_shape2D", "breast1_FBN", "breast1_combined",
               "breast1_flatRegion", "breast1_normalization", "breast1_resampling",
               "breast1_resegmentation"]


@pytest.mark.parametrize("config", ALL_CONFIGS)
def test_baseline_reproduced_to_stored_precision(case, baseline, config):
    n = 0
    for cfg, cls, diag, stored in groups(baseline, [config]):
        settings = ast.literal_eval(diag["diagnostics_Configuration_Settings"])
        ours = run_group(case, cfg, cls, settings, list(stored))
        n += check(ours, stored, f"{cfg}/{cls}")
    assert n > 0


def test_study2_params_reproduce_the_2d_baselines(case, baseline):
    """Study 2's own settings (binWidth 25, force2D) give the breast1_2d / _shape2D values."""
    ours_settings = load_params()["setting"]
    kept = {c: set(v) for c, v in load_params()["featureClass"].items()}
    n = 0
    for cfg, cls, _diag, stored in groups(baseline, ["breast1_2d", "breast1_shape2D"]):
        stored = {k: v for k, v in stored.items() if k.split("_", 2)[2] in kept[cls]}
        ours = run_group(case, cfg, cls, dict(ours_settings), list(stored))
        n += check(ours, stored, f"study2 params vs {cfg}/{cls}")
    assert n == 23 + 16 + 16 + 5 + 14 + 8  # glcm without SumAverage; shape2D without PixelSurface


def test_baseline_diagnostics_kept(case, baseline):
    image, mask, spacing = case
    out = extract_image(image[SLICE_2D], mask[SLICE_2D], spacing[1:])
    assert out["diagnostics_Mask-original_VoxelNum"] == "82"
    assert out["diagnostics_Versions_PyRadiomics"].startswith("v3.0")
    feats = [k for k in out if not k.startswith("diagnostics_")]
    assert len(feats) == 100 and np.isfinite([out[k] for k in feats]).all()


def test_every_baseline_config_is_covered(baseline):
    assert sorted(baseline.config.unique()) == sorted(ALL_CONFIGS)
    values = baseline[~baseline.featureName.str.startswith("diagnostics_")]
    assert len(values) == 674
