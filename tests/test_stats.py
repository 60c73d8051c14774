"""The one Benjamini–Hochberg, Kruskal–Wallis and Spearman of the package against R's
``p.adjust``, ``kruskal.test`` and ``cor.test`` (through :mod:`pyradiogen.rfuncs`)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from pyradiogen import rfuncs
from pyradiogen.stats import bh_adjust, kruskal_screen, spearman_screen

#: tolerances of the parity checks (relative for statistics, absolute for p-values)
TOL_STAT = 1e-12
TOL_P = 1e-12
TOL_BH = 1e-15


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


@pytest.mark.r
def test_bh_matches_r_p_adjust():
    rng = np.random.default_rng(0)
    p = np.r_[rng.uniform(size=30) ** 3, np.nan, 0.0, 1.0, 0.04, 0.04]
    r = rfuncs.p_adjust(p, "BH")
    ours = bh_adjust(p)
    assert np.isnan(ours[30]) and np.isnan(r[30])
    ok = ~np.isnan(p)
    np.testing.assert_allclose(ours[ok], r[ok], rtol=0, atol=TOL_BH)


@pytest.mark.r
def test_bh_groups_are_separate_families():
    rng = np.random.default_rng(1)
    p = rng.uniform(size=40) ** 2
    p[[3, 17]] = np.nan
    groups = np.repeat(["GF_1", "GF_2", "GF_3", "GF_4"], 10)
    ours = bh_adjust(p, groups=groups)
    for g in np.unique(groups):
        sel = groups == g
        r = rfuncs.p_adjust(p[sel], "BH")
        np.testing.assert_allclose(ours[sel], r, rtol=0, atol=TOL_BH, equal_nan=True)
    assert np.isnan(ours[[3, 17]]).all()
    with pytest.raises(ValueError, match="groups has 3 entries"):
        bh_adjust(p, groups=["a", "b", "c"])


def test_bh_by_hand():
    # p sorted 0.01 0.02 0.03 0.5 (m = 4): m p / i = 0.04 0.04 0.04 0.5, cumulative minimum
    np.testing.assert_allclose(bh_adjust([0.03, 0.01, 0.5, 0.02]), [0.04, 0.04, 0.5, 0.04])
    assert np.isnan(bh_adjust([np.nan])).all()


@pytest.mark.r
def test_kruskal_matches_r():
    rng = np.random.default_rng(3)
    idx = [f"P{i}" for i in range(60)]
    pam50 = pd.Series(rng.choice(["Basal", "Her2", "LumA", "LumB"], 60), index=idx)
    X = pd.DataFrame({"normal": rng.normal(size=60),
                      "ties": np.round(rng.normal(size=60), 1),
                      "shifted": rng.normal(size=60) + (pam50 == "Basal") * 1.5,
                      "with_na": rng.normal(size=60)}, index=idx)
    X.iloc[[2, 5, 9], 3] = np.nan
    out = kruskal_screen(X, pam50)
    assert list(out.columns) == ["statistic", "df", "p_value", "n", "note"]
    for feat in X.columns:
        ref = rfuncs.kruskal_test(X[feat].to_numpy(), pam50.to_numpy())
        row = out.loc[feat]
        assert row["statistic"] == pytest.approx(ref["statistic"], rel=TOL_STAT)
        assert abs(row["p_value"] - ref["p_value"]) < TOL_P
        assert row["df"] == ref["df"] == 3
    assert out.loc["with_na", "n"] == 57 and out["note"].isna().all()
    assert out.loc["shifted", "p_value"] < 0.01


def test_kruskal_flags_untested_columns():
    idx = [f"P{i}" for i in range(12)]
    g = pd.Series(["A", "B", "C"] * 4, index=idx)
    X = pd.DataFrame({"const": 1.0, "ok": np.arange(12.0),
                      "one_group": [float(i) if i % 3 == 0 else np.nan for i in range(12)]},
                     index=idx)
    with pytest.warns(UserWarning, match="2 test"):
        out = kruskal_screen(X, g)
    assert out.loc["const", "note"] == "not tested: constant feature"
    assert out.loc["one_group", "note"].startswith("not tested: 1 group(s)")
    assert out.loc[["const", "one_group"], ["statistic", "df", "p_value"]].isna().all().all()
    assert np.isfinite(out.loc["ok", "p_value"])
    with pytest.raises(ValueError, match="at least 3 patients"):
        kruskal_screen(X, pd.Series(["A", "B"], index=idx[:2]))


@pytest.mark.r
@pytest.mark.parametrize("n,ties", [(5, False), (7, False), (9, False), (12, False),
                                    (60, False), (122, False), (40, True)])
def test_spearman_matches_r(n, ties):
    rng = np.random.default_rng(n)
    X = pd.DataFrame({f"f{k}": rng.normal(size=n) for k in range(4)})
    y = X["f1"] * 0.3 + X["f2"] * 0.9 + rng.normal(size=n)
    if ties:
        y = np.round(y, 0)
    for exact in (None, False):
        out = spearman_screen(X, y.to_numpy(), exact=exact)
        for feat in X.columns:
            ref = _quiet(rfuncs.cor_test, X[feat], y, method="spearman", exact=exact)
            assert out.loc[feat, "rho"] == pytest.approx(ref["estimate"], abs=TOL_STAT)
            assert abs(out.loc[feat, "p_value"] - ref["p_value"]) < TOL_P, (n, feat, exact)


@pytest.mark.r
def test_spearman_matches_the_r_package_screen():
    """The R package's ``spearman_pvalues`` (used from R) gives the same p-values."""
    rng = np.random.default_rng(5)
    X = pd.DataFrame({f"f{k}": rng.normal(size=25) for k in range(3)})
    y = X["f0"] + rng.normal(scale=0.5, size=25)
    ref = rfuncs.spearman_pvalues(X, y).set_index("feature")
    out = spearman_screen(X, y.to_numpy())
    np.testing.assert_allclose(out["p_value"], ref["p"], rtol=0, atol=TOL_P)


def test_spearman_missing_and_constant():
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"x": rng.normal(size=10), "const": 2.0, "few": np.nan})
    X.loc[:1, "few"] = [1.0, 2.0]
    y = rng.normal(size=10)
    with pytest.warns(UserWarning, match="Spearman: 2 test"):
        out = spearman_screen(X, y, what="score")
    assert out.loc["const", "note"] == "not tested: constant feature"
    assert out.loc["few", "note"].startswith("not tested: 2 complete patient(s)")
    assert np.isfinite(out.loc["x", "p_value"]) and out.loc["x", "n"] == 10
    flat = spearman_screen(X[["x"]], np.ones(10), what="score", warn=False)
    assert flat.loc["x", "note"] == "not tested: constant score"
    with pytest.raises(ValueError, match="3 values for 10 rows"):
        spearman_screen(X, y[:3])
