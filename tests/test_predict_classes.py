"""Supplementary Fig 1: upper-quartile classes, ClassifyR-style selection, nnet and XGBoost."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.r


@pytest.fixture(scope="module")
def rb():
    from pyradiogen import rbridge

    rbridge.library("pyradiogen", "nnet")
    return rbridge


@pytest.fixture(scope="module")
def cohort():
    from pyradiogen.datasets import make_prediction_cohort

    d = make_prediction_cohort(seed=4, n_patients=48, images_per_patient=2, n_features=14,
                               signal=1.5, patient_effect=0.5)
    return d


def test_upper_quartile_equals_r(rb):
    from pyradiogen.predict.classes import upper_quartile_classes

    x = np.random.default_rng(0).normal(size=23)
    x[:4] = x[4]  # ties at no particular place
    ref = rb.rcall(rb.rraw("function(x) ifelse(x < quantile(x)[4], 0, 1)"), x)
    np.testing.assert_array_equal(upper_quartile_classes(x), np.asarray(ref, int))
    assert upper_quartile_classes(np.arange(8.0)).tolist() == [0] * 6 + [1] * 2


def test_selection_frequency_finds_planted_features(rb, cohort):
    from pyradiogen.predict.classes import select_features, selection_frequency

    f = cohort["features"].groupby("patient_id", sort=False).mean(numeric_only=True)
    y = (cohort["targets"].set_index("patient_id").loc[f.index, "gene70"] > 0.4).astype(int)
    freq = selection_frequency(f, y.to_numpy(), permutations=4, seed=1)
    assert freq.max() <= 100 and (freq > 0).all()
    assert freq["fea_1"] == 100 and freq["fea_2"] == 100
    again = selection_frequency(f, y.to_numpy(), permutations=4, seed=1)
    pd.testing.assert_series_equal(freq, again)
    assert set(select_features(freq, 40)) >= {"fea_1", "fea_2"}
    # percentages are multiples of 100 / (4 permutations x 5 folds)
    np.testing.assert_allclose((freq * 20 / 100) % 1, 0, atol=1e-9)


def test_nnet_and_xgboost_are_deterministic(rb):
    from pyradiogen.predict.classes import nnet_predict, xgb_predict

    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    a = nnet_predict(X[:30], y[:30], X[30:], size=4, decay=1e-4, maxit=100)
    b = nnet_predict(X[:30], y[:30], X[30:], size=4, decay=1e-4, maxit=100)
    np.testing.assert_array_equal(a, b)
    assert ((a >= 0) & (a <= 1)).all()
    p = xgb_predict(X[:30], y[:30], X[30:], max_depth=5, eta=1.0, nrounds=10)
    np.testing.assert_array_equal(p, xgb_predict(X[:30], y[:30], X[30:], 5, 1.0, 10))
    from pyradiogen.predict.modes import auc_score

    assert auc_score(y[30:], p) > 0.8 and auc_score(y[30:], a) > 0.8


def test_nnet_fast_engine_is_bit_identical_to_nnet(rb):
    """The compiled refit (default) and nnet::nnet give the same bits, at the study's size."""
    from pyradiogen import rfuncs

    rng = np.random.default_rng(5)
    X = rng.normal(size=(60, 30))
    X[:, 3] *= 1e3  # a large-magnitude column
    y = (X[:, 0] - X[:, 1] + rng.normal(size=60) > 0).astype(int)
    fast = rfuncs.nnet_predict(X[:45], y[:45], X[45:], size=35, decay=1e-5, maxit=60)
    ref = rfuncs.nnet_predict(X[:45], y[:45], X[45:], size=35, decay=1e-5, maxit=60,
                              engine="nnet")
    assert fast.tobytes() == ref.tobytes()
    assert len(np.unique(ref)) > 5  # a real fit, not a constant
    with pytest.raises(ValueError, match="engine"):
        rfuncs.nnet_predict(X[:45], y[:45], X[45:], engine="neuralnet")


def test_author_settings_lookup():
    from pyradiogen.predict.classes import FIXED_SETTINGS, settings_for

    assert settings_for("T.cell.CD8", "CRF") == ((25, 1e-5, 2000), (100, 100.0, 10))
    assert settings_for("CD8_T", "CRF") == settings_for("T.cell.CD8", "crf")
    assert settings_for("pik3cags", "DRF")[0] == (35, 1e-5, 200)
    assert settings_for("pik3cags", "DRF", mode="rigorous") == FIXED_SETTINGS


def test_paper_vs_rigorous_classes(rb, cohort):
    from pyradiogen.predict.classes import run_classes
    from pyradiogen.studies.liu2023 import PUBLISHED_SUPPFIG1_AUC

    kw = dict(permutations=3, models=("xgboost", "nnet"), published=PUBLISHED_SUPPFIG1_AUC)
    paper = run_classes(cohort["features"], cohort["targets"], mode="paper", **kw)
    rig = run_classes(cohort["features"], cohort["targets"], mode="rigorous", **kw)
    ps = paper.table.set_index(["target", "model"])
    rs = rig.table.set_index(["target", "model"])
    assert (ps["auc"] >= 0.5).all()  # the authors' flip
    assert (ps.loc[ps["flipped"], "auc_raw"] < 0.5).all()
    assert not rs["flipped"].any()
    assert rs.loc[("gene70", "xgboost"), "auc"] > 0.6
    assert rs.loc[("gene70", "xgboost"), "ci_low"] > 0.5
    assert (rs["n_test"] == 48).all() and (ps["n_test"] == 48 - int(0.8 * 48)).all()
    assert ps.loc[("gene70", "xgboost"), "auc"] >= rs.loc[("gene70", "xgboost"), "auc"]
    assert ps.loc[("gene70", "xgboost"), "published_auc"] == 0.63
    roc = rig.roc[(rig.roc["target"] == "gene70") & (rig.roc["model"] == "xgboost")]
    assert roc["fpr"].iloc[0] == 0 and roc["tpr"].iloc[-1] == 1


def test_published_legend_values_attached():
    from pyradiogen.studies.liu2023 import PUBLISHED_SUPPFIG1_AUC as PUBLISHED_AUC

    assert PUBLISHED_AUC[("bcell", "DRF", "nnet")] == 0.91
    assert PUBLISHED_AUC[("endo", "DRF", "xgboost")] == 0.73
    assert len(PUBLISHED_AUC) == 48
