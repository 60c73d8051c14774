"""Parity of the fast engine with R's nlme::lme on demo-like data and on edge cases.

Tolerances (explicit):
- same λ (fast formulas evaluated at nlme's λ̂, and nlme started at the fast λ̂): relative
  error ≤ 1e-6 on estimate and std error, |Δp| ≤ 1e-6 (observed ~1e-12);
- nlme with its default start: nlme's nlminb stops within its own tolerance of the optimum
  (λ off by up to ~1e-5 relative), so the fast engine's REML log-likelihood must be ≥ nlme's
  − 1e-9 and estimates/SE agree to ≤ 1e-4 relative, p to ≤ 1e-5 (observed ≤ 1.4e-5, 3.5e-6);
- edge cases (boundary λ = 0, singleton patients, NA/constant features, flat GF): ≤ 1e-6, and
  NA in the fast engine exactly where nlme errors (or, for no within-patient variation,
  returns a numerically meaningless fit).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from pyradiogen.associate.lme_fast import FastLME, fit_arrays
from pyradiogen.datasets import make_association_tables

pytestmark = pytest.mark.r


@pytest.fixture(scope="module")
def nlme():
    from pyradiogen import rbridge

    rbridge.ensure_r()
    from pyradiogen.associate.lme_r import fit_nlme

    return fit_nlme


@pytest.fixture(scope="module")
def demo():
    feats, gfs = make_association_tables(n_patients=30, n_features=12, n_gfs=5, seed=3)
    Y = feats.drop(columns=["image_id", "patient_id"])
    G = gfs.set_index("patient_id")
    return Y, feats["patient_id"].to_numpy(), G


def _rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.abs(a - b) / np.maximum(np.abs(b), 1e-300)


def test_parity_demo_like(nlme, demo):
    Y, pid, G = demo
    fast = FastLME().fit(Y, pid, G)
    f = fast.results_
    r = nlme(Y, pid, G)
    assert not r["failed"].any()
    assert (f["df"].to_numpy() == r["df"].to_numpy()).all()
    # the fast optimum is at least as good as nlme's by nlme's own REML criterion
    dll = fast.arrays_["loglik"].reshape(-1) - r["loglik"].to_numpy()
    assert dll.min() > -1e-9
    assert _rel(f["estimate"], r["estimate"]).max() < 1e-4
    assert _rel(f["std_error"], r["std_error"]).max() < 1e-4
    assert np.abs(f["p_value"] - r["p_value"]).max() < 1e-5
    # same λ: fast formulas at nlme's λ̂ reproduce nlme's tTable
    codes = pd.Index(G.index).get_indexer(pid)
    at = fit_arrays(Y.to_numpy(), codes, G.to_numpy(), lam=r["lambda"].to_numpy().reshape(12, 5))
    assert _rel(at["estimate"].reshape(-1), r["estimate"]).max() < 1e-6
    assert _rel(at["std_error"].reshape(-1), r["std_error"]).max() < 1e-6
    assert np.abs(at["p"].reshape(-1) - r["p_value"]).max() < 1e-6
    # nlme started at the fast λ̂ stays there and agrees to 1e-6
    s = nlme(Y, pid, G, start_lambda=fast.arrays_["lambda"])
    lam_f = fast.arrays_["lambda"].reshape(-1)
    inner = lam_f > 0
    assert _rel(s["lambda"][inner], lam_f[inner]).max() < 1e-6
    assert (s["lambda"][~inner] < 1e-6).all()      # boundary fits: nlme stays at ~0
    assert _rel(f["estimate"], s["estimate"]).max() < 1e-6
    assert _rel(f["std_error"], s["std_error"]).max() < 1e-6
    assert np.abs(f["p_value"] - s["p_value"]).max() < 1e-6


def test_code_preset_does_not_change_the_fit(nlme, demo):
    Y, pid, G = demo
    a = nlme(Y, pid, G, preset="paper")
    b = nlme(Y, pid, G, preset="code")
    assert (a["df"] == b["df"]).all()
    assert np.abs(a["loglik"] - b["loglik"]).max() < 1e-7
    assert _rel(a["estimate"], b["estimate"]).max() < 1e-4
    assert np.abs(a["p_value"] - b["p_value"]).max() < 1e-5


def test_parity_edge_cases(nlme):
    rng = np.random.default_rng(11)
    m = 25
    n = rng.integers(1, 5, m)                       # singleton patients included
    pids = [f"P{i:02d}" for i in range(m)]
    pid = np.repeat(pids, n)
    codes = np.repeat(np.arange(m), n)
    N = codes.size
    G = pd.DataFrame({"g": rng.normal(size=m), "flat": 1.5,
                      "g_na": np.r_[np.nan, rng.normal(size=m - 1)]}, index=pids)
    noise = [rng.normal(size=N) for _ in range(6)]
    Y = pd.DataFrame({"mixed": noise[0] + rng.normal(size=m)[codes],
                      "const": np.full(N, 3.0),
                      "na": np.r_[np.nan, noise[1][1:]],
                      "within_const": rng.normal(size=m)[codes],
                      **{f"noise{i}": noise[i] for i in range(2, 6)}})
    f = FastLME().fit(Y, pid, G).results_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = nlme(Y, pid, G)
    both = f["p_value"].notna().to_numpy() & r["p_value"].notna().to_numpy()
    assert _rel(f["estimate"][both], r["estimate"][both]).max() < 1e-6
    assert _rel(f["std_error"][both], r["std_error"][both]).max() < 1e-6
    assert np.abs(f["p_value"][both] - r["p_value"][both]).max() < 1e-6
    # NA exactly where nlme fails, plus the λ → ∞ case where nlme's numbers are meaningless
    fail_r = r["failed"].to_numpy()
    assert (f["p_value"].isna().to_numpy() == (fail_r | (f["feature"] == "within_const").to_numpy()
                                         & (f["gf"] != "flat").to_numpy())).all()
    assert f.loc[fail_r, "note"].notna().all()
    assert r.loc[fail_r, "note"].str.contains("Singularity|missing values|nlminb").all()
    # at least one boundary fit (λ̂ = 0) among the pure-noise features, within 1e-6 of nlme
    bd = f["note"].fillna("").str.startswith("boundary").to_numpy()
    assert bd.any()
    assert (r.loc[bd, "lambda"] < 1e-6).all()
    # na.omit on both sides
    fo = FastLME(na_action="omit").fit(Y, pid, G).results_
    ro = nlme(Y, pid, G, na_action="omit")
    both = fo["p_value"].notna().to_numpy() & ro["p_value"].notna().to_numpy()
    assert both.sum() >= 10
    assert np.abs(fo["p_value"][both] - ro["p_value"][both]).max() < 1e-5


def test_worked_example_through_r(nlme):
    ys = [[5.1], [6.3, 5.8], [7.9, 8.4, 7.2], [4.6, 5.0, 5.9, 4.1], [9.3, 8.8],
          [6.0, 6.7, 7.4, 5.5, 6.2], [8.1, 7.7, 9.0]]
    pid = np.concatenate([[c] * len(v) for c, v in zip("ABCDEFG", ys)])
    Y = pd.DataFrame({"y": np.concatenate(ys)})
    G = pd.DataFrame({"x": [0.5, 1.0, 2.0, -0.5, 3.0, 1.5, 2.5]}, index=list("ABCDEFG"))
    r = nlme(Y, pid, G).iloc[0]
    f = FastLME().fit(Y, pid, G).results_.iloc[0]
    assert r["estimate"] == pytest.approx(1.22172503940, rel=1e-9)
    assert f["estimate"] == pytest.approx(r["estimate"], rel=1e-6)
    assert f["std_error"] == pytest.approx(r["std_error"], rel=1e-6)
    assert abs(f["p_value"] - r["p_value"]) < 1e-6
