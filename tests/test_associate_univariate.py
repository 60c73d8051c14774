"""Study 2's screens against R: kruskal.test and cor.test(method = "spearman") p-values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pyradiogen.associate.univariate import (
    class_counts,
    feature_class,
    kruskal_scan,
    spearman_scan,
    spearman_test,
)


@pytest.fixture(scope="module")
def r():
    from pyradiogen import rbridge

    rbridge.ensure_r()
    return rbridge


def _r_spearman(rb, x, y):
    res = rb.rcall("cor.test", np.asarray(x, float), np.asarray(y, float), method="spearman")
    return float(res["estimate"].iloc[0]), float(res["p.value"])


@pytest.mark.r
@pytest.mark.parametrize("n,ties", [(7, False), (9, False), (12, False), (60, False),
                                    (122, False), (40, True)])
def test_spearman_matches_r(r, n, ties):
    import warnings

    rng = np.random.default_rng(n)
    for k in range(4):
        x = rng.normal(size=n)
        y = 0.3 * k * x + rng.normal(size=n)
        if ties:
            y = np.round(y, 0)
        rho, p, _ = spearman_test(x, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r_rho, r_p = _r_spearman(r, x, y)
        assert rho == pytest.approx(r_rho, abs=1e-12)
        assert abs(p - r_p) < 1e-12, (n, k, p, r_p)


@pytest.mark.r
def test_kruskal_matches_r(r):
    rng = np.random.default_rng(3)
    pam50 = pd.Series(rng.choice(["Basal", "Her2", "LumA", "LumB"], 60), name="pam50")
    feats = pd.DataFrame({"original_shape2D_MaximumDiameter": rng.normal(size=60),
                          "original_glcm_Correlation": np.round(rng.normal(size=60), 1),
                          "original_firstorder_Mean": rng.normal(size=60)
                          + (pam50 == "Basal") * 1.5})
    out = kruskal_scan(feats, pam50)
    for feat, row in zip(feats.columns, out.itertuples()):
        res = r.rcall("kruskal.test", feats[feat].to_numpy(), pd.Categorical(pam50))
        assert row.p == pytest.approx(float(res["p.value"]), rel=1e-12)
        assert row.statistic == pytest.approx(float(res["statistic"].iloc[0]), rel=1e-12)
        assert row.df == 3
    assert out.loc[2, "p"] < 0.01


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
