"""Modes: AUC equals ROCR's, DeLong CI, the flip, and patient-level splits never leak."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyradiogen.predict import modes


def _r():
    from pyradiogen import rbridge

    rbridge.library("pyradiogen", "ROCR")
    return rbridge


@pytest.mark.r
def test_auc_equals_rocr_with_ties():
    rb = _r()
    rng = np.random.default_rng(5)
    for trial in range(5):
        y = rng.integers(0, 2, 40)
        s = np.round(rng.normal(size=40) + 0.8 * y, 1 if trial % 2 else 3)  # ties on odd trials
        ours = modes.auc_score(y, s)
        ref = rb.rcall("pyradiogen::rocr_auc", s, y.astype(float))
        assert ours == pytest.approx(ref, abs=1e-12)
    roc = modes.roc_curve(y, s)
    ref_roc = rb.rcall("pyradiogen::rocr_roc", s, y.astype(float))
    np.testing.assert_allclose(roc["fpr"], ref_roc["fpr"], atol=1e-12)
    np.testing.assert_allclose(roc["tpr"], ref_roc["tpr"], atol=1e-12)


def test_delong_matches_direct_formula():
    rng = np.random.default_rng(1)
    y = np.r_[np.ones(15, int), np.zeros(20, int)]
    s = np.round(rng.normal(size=35) + y, 1)
    auc, lo, hi = modes.delong_ci(y, s)
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(1), psi.mean(0)
    se = np.sqrt(v10.var(ddof=1) / 15 + v01.var(ddof=1) / 20)
    assert auc == pytest.approx(psi.mean())
    assert hi - lo == pytest.approx(2 * 1.959963984540054 * se, rel=1e-9)


def test_cluster_bootstrap_equals_naive_resampling():
    rng = np.random.default_rng(2)
    groups = np.repeat(np.arange(12), 3)
    y = np.repeat(rng.integers(0, 2, 12), 3)
    s = rng.normal(size=36) + y
    auc, lo, hi = modes.cluster_bootstrap_ci(y, s, groups, n_boot=400, seed=9)
    # the same resamples drawn naively
    rng2 = np.random.default_rng(9)
    counts = rng2.multinomial(12, np.full(12, 1 / 12), size=400)
    vals = []
    for c in counts:
        idx = np.concatenate([np.tile(np.flatnonzero(groups == g), k) for g, k in enumerate(c)])
        a = modes.auc_score(y[idx], s[idx])
        if np.isfinite(a):
            vals.append(a)
    assert (lo, hi) == pytest.approx(tuple(np.quantile(vals, [0.025, 0.975])), abs=1e-12)
    assert lo < auc < hi


def test_flip_only_below_half():
    assert modes.flip_auc(0.3) == (pytest.approx(0.7), True)
    assert modes.flip_auc(0.5) == (0.5, False)
    assert modes.flip_auc(0.8) == (0.8, False)


def test_unknown_mode_is_named():
    with pytest.raises(ValueError, match="paper"):
        modes.check_mode("loose")


@st.composite
def _cohorts(draw):
    n_pat = draw(st.integers(4, 25))
    sizes = draw(st.lists(st.integers(1, 5), min_size=n_pat, max_size=n_pat))
    groups = np.repeat([f"P{i}" for i in range(n_pat)], sizes)
    perm = draw(st.permutations(range(len(groups))))
    groups = groups[list(perm)]
    pat_y = draw(st.lists(st.integers(0, 1), min_size=n_pat, max_size=n_pat))
    y = np.array([pat_y[int(g[1:])] for g in groups])
    return groups, y


@settings(max_examples=60, deadline=None)
@given(_cohorts(), st.integers(2, 6), st.integers(0, 10_000))
def test_grouped_folds_never_leak_a_patient(cohort, k, seed):
    groups, y = cohort
    folds = modes.grouped_folds(y, groups, k, seed)
    seen = np.zeros(len(y), int)
    for tr, te in folds:
        assert not set(groups[tr]) & set(groups[te])
        seen[te] += 1
    assert (seen == 1).all()
    ids = modes.fold_ids(y, groups, k, seed)
    assert (ids >= 1).all()


@pytest.mark.r
def test_patient_split_never_leaks_a_patient():
    _r()

    @settings(max_examples=25, deadline=None)
    @given(_cohorts(), st.floats(0.3, 0.9))
    def check(cohort, frac):
        groups, _ = cohort
        tr, te = modes.patient_split(groups, frac, 101)
        assert not set(groups[tr]) & set(groups[te])
        assert len(tr) + len(te) == len(groups)
        n_pat = len(set(groups))
        assert len(set(groups[tr])) == int(np.floor(frac * n_pat))

    check()
