"""Study kim2020's screen tables (the tests themselves are checked against R in
``test_stats.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pyradiogen.associate.univariate import (
    class_counts,
    feature_class,
    kruskal_scan,
    spearman_scan,
)
from pyradiogen.stats import kruskal_screen, spearman_screen


def test_kruskal_table_is_the_screen_with_classes():
    rng = np.random.default_rng(3)
    pam50 = pd.Series(rng.choice(["Basal", "Her2", "LumA", "LumB"], 60), name="pam50")
    feats = pd.DataFrame({"original_shape2D_MaximumDiameter": rng.normal(size=60),
                          "original_glcm_Correlation": np.round(rng.normal(size=60), 1),
                          "original_firstorder_Mean": rng.normal(size=60)
                          + (pam50 == "Basal") * 1.5})
    out = kruskal_scan(feats, pam50)
    assert list(out.columns) == ["feature", "statistic", "df", "p_value", "n", "class", "note"]
    ref = kruskal_screen(feats, pam50)
    np.testing.assert_array_equal(out["p_value"], ref["p_value"])
    assert out["class"].tolist() == ["shape", "GLCM", "first order"]
    assert (out["df"] == 3).all() and out.loc[2, "p_value"] < 0.01


def test_spearman_table_is_the_screen_per_score():
    rng = np.random.default_rng(4)
    idx = [f"P{i}" for i in range(20)]
    feats = pd.DataFrame({"original_glcm_A": rng.normal(size=20),
                          "original_shape2D_B": rng.normal(size=20)}, index=idx)
    scores = pd.DataFrame({"GGI": rng.normal(size=20), "ESR1": rng.normal(size=20)},
                          index=idx)
    out = spearman_scan(feats, scores)
    assert list(out.columns) == ["feature", "score", "rho", "p_value", "n", "class", "note"]
    assert out["score"].tolist() == ["GGI", "GGI", "ESR1", "ESR1"]
    ref = spearman_screen(feats, scores["ESR1"].to_numpy())
    np.testing.assert_array_equal(out["p_value"].iloc[2:], ref["p_value"])


def test_feature_classes_and_counts():
    assert feature_class("original_shape2D_MaximumDiameter") == "shape"
    assert feature_class("original_glcm_Idmn") == "GLCM"
    assert feature_class("original_firstorder_Mean") == "first order"
    assert feature_class("original_gldm_DependenceEntropy") == "GLDM"
    assert feature_class("fea_1") == "other"
    rng = np.random.default_rng(0)
    n = 50
    score = pd.DataFrame({"GENE70": rng.normal(size=n), "ERBB2": rng.normal(size=n)})
    feats = pd.DataFrame({
        "original_shape2D_A": score["GENE70"] + 0.3 * rng.normal(size=n),
        "original_shape2D_B": score["GENE70"] + 0.3 * rng.normal(size=n),
        "original_glcm_C": rng.normal(size=n),
        "original_ngtdm_D": -score["GENE70"] + 0.3 * rng.normal(size=n),
    })
    sp = spearman_scan(feats, score)
    tab = class_counts(sp)
    assert tab.loc["GENE70", "shape"] == 2 and tab.loc["GENE70", "NGTDM"] == 1
    assert tab.loc["GENE70", "total"] == 3
    assert tab.loc["ERBB2", "shape"] == 0


def test_write_univariate(tmp_path):
    from pyradiogen.associate.univariate import write_univariate

    rng = np.random.default_rng(2)
    idx = [f"P{i}" for i in range(30)]
    feats = pd.DataFrame({"original_glcm_A": rng.normal(size=30),
                          "original_shape2D_B": rng.normal(size=30)}, index=idx)
    pam50 = pd.Series(rng.choice(["LumA", "Basal"], 30), index=idx)
    scores = pd.DataFrame({"GGI": feats["original_glcm_A"] + rng.normal(size=30) * 0.2},
                          index=idx)
    paths = write_univariate(feats, tmp_path, pam50=pam50, scores=scores)
    tab = pd.read_csv(paths["table3"], index_col=0)
    assert tab.loc["GGI", "GLCM"] == 1 and tab.loc["GGI", "total"] == 1
    assert len(pd.read_csv(paths["kruskal"])) == 2
