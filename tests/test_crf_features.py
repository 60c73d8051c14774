"""Study 2's pyradiomics feature set: 18/8/23/16/16/5/14 = 100, and every exclusion explained."""

from __future__ import annotations

import pytest

from pyradiogen.crf import features as F


def test_counts_per_class_match_kim2020():
    assert F.feature_counts() == {"firstorder": 18, "shape2D": 8, "glcm": 23, "glrlm": 16,
                                  "glszm": 16, "ngtdm": 5, "gldm": 14}
    assert F.feature_counts() == F.KIM2020_COUNTS
    cols = F.feature_columns()
    assert len(cols) == 100 and len(set(cols)) == 100
    assert cols[0] == "original_firstorder_10Percentile"
    assert "original_shape2D_MaximumDiameter" in cols
    assert "original_glcm_SumAverage" not in cols and "original_glcm_MCC" in cols


def test_every_pyradiomics_feature_is_kept_or_excluded_with_a_reason():
    from radiomics import getFeatureClasses

    classes = getFeatureClasses()
    for cls, names in F.feature_classes().items():
        all_names = set(classes[cls].getFeatureNames())
        kept, dropped = set(names), set(F.EXCLUDED.get(cls, {}))
        assert kept.isdisjoint(dropped), cls
        assert kept | dropped == all_names, (cls, sorted(all_names - kept - dropped))
        deprecated = {k for k, v in classes[cls].getFeatureNames().items() if v}
        assert deprecated <= dropped, cls  # deprecated features are never in the set


def test_feature_class_of_and_unknown_params():
    assert F.feature_class_of("original_glcm_Idmn") == "glcm"
    assert F.feature_class_of("original_shape2D_Elongation") == "shape2D"
    with pytest.raises(ValueError, match="not a pyradiomics feature name"):
        F.feature_class_of("Idmn")
    with pytest.raises(FileNotFoundError, match="kim2020_2d"):
        F.load_params("no_such_params")


def test_params_are_forced_2d_with_default_binning():
    s = F.load_params()["setting"]
    assert s["force2D"] is True and s["force2Ddimension"] == 0
    assert s["binWidth"] == 25 and s["label"] == 1


def test_old_params_name_is_read():
    assert F.params_path("study2_2d") == F.params_path("kim2020_2d")
