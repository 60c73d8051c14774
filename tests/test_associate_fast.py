"""Fast exact REML engine: the spec's worked example, DF rule, edge cases, torch path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pyradiogen.associate.lme_fast import NOTE_BOUNDARY, FastLME, fit_arrays

YS = [[5.1], [6.3, 5.8], [7.9, 8.4, 7.2], [4.6, 5.0, 5.9, 4.1], [9.3, 8.8],
      [6.0, 6.7, 7.4, 5.5, 6.2], [8.1, 7.7, 9.0]]
XS = [0.5, 1.0, 2.0, -0.5, 3.0, 1.5, 2.5]


def worked_example():
    y = np.concatenate([np.array(v) for v in YS])[:, None]
    codes = np.concatenate([[i] * len(v) for i, v in enumerate(YS)])
    return y, codes, np.array(XS)[:, None]


def test_worked_example_matches_nlme():
    y, codes, x = worked_example()
    r = fit_arrays(y, codes, x)
    # nlme 3.1-162 tTable row of x (spec §7); tolerance 1e-6 relative as the issue asks
    assert r["estimate"][0, 0] == pytest.approx(1.22172503940, rel=1e-6)
    assert r["std_error"][0, 0] == pytest.approx(0.168787017100, rel=1e-6)
    assert r["df"][0, 0] == 5
    assert r["t"][0, 0] == pytest.approx(7.23826429541, rel=1e-6)
    assert abs(r["p"][0, 0] - 7.85562965312e-04) < 1e-9
    # REML log-likelihood and variance components as nlme reports them
    assert r["loglik"][0, 0] == pytest.approx(-21.9331840256, abs=1e-9)
    assert r["sigma2"][0, 0] == pytest.approx(0.415244777834, rel=1e-6)
    assert r["lambda"][0, 0] * r["sigma2"][0, 0] == pytest.approx(0.0976779655367, rel=1e-5)
    assert r["note"][0, 0] is None


def test_invariant_to_location_and_scale():
    y, codes, x = worked_example()
    a = fit_arrays(y, codes, x)
    b = fit_arrays(1000 + 50 * y, codes, -3 + 0.01 * x)
    assert b["estimate"][0, 0] == pytest.approx(a["estimate"][0, 0] * 50 / 0.01, rel=1e-9)
    assert b["std_error"][0, 0] == pytest.approx(a["std_error"][0, 0] * 5000, rel=1e-9)
    assert b["p"][0, 0] == pytest.approx(a["p"][0, 0], rel=1e-8)


def test_df_rule_uses_max_for_singletons():
    # spec §4: 10 singleton groups + 2 groups of 2 -> m = 12, N = 14; x gets m - 2 = 10
    rng = np.random.default_rng(0)
    codes = np.r_[np.arange(10), [10, 10, 11, 11]]
    r = fit_arrays(rng.normal(size=(14, 3)), codes, rng.normal(size=(12, 2)))
    assert np.all(r["df"] == 10)


def test_one_image_per_patient_is_ols():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(20, 1))
    x = rng.normal(size=(20, 1))
    r = fit_arrays(y, np.arange(20), x)
    X = np.c_[np.ones(20), x]
    beta, rss = np.linalg.lstsq(X, y, rcond=None)[:2]
    se = np.sqrt(rss[0] / 18 * np.linalg.inv(X.T @ X)[1, 1])
    assert r["estimate"][0, 0] == pytest.approx(beta[1, 0], rel=1e-10)
    assert r["std_error"][0, 0] == pytest.approx(se, rel=1e-10)
    assert r["df"][0, 0] == 18


def test_boundary_fit_equals_weighted_limit():
    # no between-patient variance: REML optimum at lambda = 0, estimate = OLS, DF = m - 2
    rng = np.random.default_rng(3)
    n = rng.integers(2, 7, 30)
    codes = np.repeat(np.arange(30), n)
    x = rng.normal(size=(30, 1))
    found = False
    for seed in range(20):
        y = np.random.default_rng(seed).normal(size=(codes.size, 1))
        r = fit_arrays(y, codes, x)
        if r["note"][0, 0] == NOTE_BOUNDARY:
            found = True
            X = np.c_[np.ones(codes.size), x[codes]]
            beta = np.linalg.lstsq(X, y, rcond=None)[0]
            assert r["estimate"][0, 0] == pytest.approx(beta[1, 0], rel=1e-10)
            assert r["lambda"][0, 0] == 0
            assert r["df"][0, 0] == 28
    assert found


def test_edge_cases_give_na_with_reason():
    rng = np.random.default_rng(4)
    codes = np.repeat(np.arange(12), 3)
    Y = np.c_[rng.normal(size=36), np.full(36, 2.0), np.r_[np.nan, rng.normal(size=35)],
              rng.normal(size=12)[codes]]
    X = np.c_[rng.normal(size=12), np.full(12, 4.0), np.r_[np.nan, rng.normal(size=11)]]
    r = fit_arrays(Y, codes, X)
    note = r["note"]
    assert np.isfinite(r["p"][0, 0]) and note[0, 0] in (None, NOTE_BOUNDARY)
    assert "no variance" in note[0, 1] and np.isnan(r["p"][0, 1])
    assert "missing values" in note[0, 2]
    assert all("constant" in s for s in note[1])
    assert all("missing" in s for s in note[2])
    assert "no within-patient variation" in note[3, 0]
    assert np.isnan(r["estimate"][1:, :]).all()
    # na.omit: the GF with one missing patient is fitted on the other 11 patients
    o = fit_arrays(Y, codes, X, na_action="omit")
    assert np.isfinite(o["p"][0, 2]) and o["df"][0, 2] == 9
    assert np.isfinite(o["p"][2, 0]) and o["df"][2, 0] == 10


def test_torch_path_equals_numpy():
    rng = np.random.default_rng(5)
    n = rng.integers(1, 6, 25)
    codes = np.repeat(np.arange(25), n)
    Y = rng.normal(size=(codes.size, 6)) + rng.normal(size=(25, 6))[codes]
    X = rng.normal(size=(25, 4))
    a = fit_arrays(Y, codes, X)
    b = fit_arrays(Y, codes, X, device="torch-cpu")
    for k in ("estimate", "std_error", "p"):
        np.testing.assert_allclose(b[k], a[k], rtol=1e-9)
    assert (a["note"] == b["note"]).all()


def test_estimator_checks_patients():
    feats = pd.DataFrame({"f": [1.0, 2.0, 3.0]})
    gfs = pd.DataFrame({"g": [1.0, 2.0]}, index=["A", "B"])
    with pytest.raises(ValueError, match="C"):
        FastLME().fit(feats, ["A", "B", "C"], gfs)


def test_config_section_and_code_preset():
    from pyradiogen.config import default_config

    assert default_config("paper").associate.lme_control == "default"
    cfg = default_config("code").associate
    assert cfg.lme_control == "code" and cfg.engine == "fast" and cfg.alpha == 0.05
