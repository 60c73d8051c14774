"""Study 1 Fig 4d–e: biglasso-equivalent glmnet path, the authors' split, paper vs rigorous."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from pyradiogen import rbridge

pytestmark = pytest.mark.r


@pytest.fixture(scope="module")
def r_ready():
    rbridge.library("pyradiogen", "glmnet", "ROCR")
    return rbridge


def _rscript(code: str) -> str:
    """Run code in a fresh R process (independent of the embedded R's state)."""
    exe = shutil.which("Rscript")
    assert exe is not None, "Rscript not on PATH: run `sudo scripts/install-system-deps.sh`"
    res = subprocess.run([exe, "-e", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout


@pytest.fixture(scope="module")
def small_xy():
    rng = np.random.default_rng(3)
    n, p = 60, 8
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3, size=p) + rng.normal(size=p)
    eta = 1.5 * X[:, 0] - X[:, 3] / 2
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(int)
    return X, y


def test_lambda_grid_numpy_equals_r(r_ready, small_xy):
    from pyradiogen.predict.lasso import biglasso_lambda_grid

    X, y = small_xy
    py = biglasso_lambda_grid(X, y, nlambda=10)
    r = np.asarray(r_ready.rcall("pyradiogen::biglasso_lambda", X, y.astype(float), 10))
    np.testing.assert_allclose(py, r, rtol=1e-12)
    # lambda.min ratio 0.001 because n > p; first = lambda_max
    assert py[-1] / py[0] == pytest.approx(0.001, rel=1e-9)
    # n <= p: ratio 0.05
    py2 = biglasso_lambda_grid(X[:6], y[:6] if len(set(y[:6])) == 2 else np.r_[0, 1, 0, 1, 0, 1], 5)
    assert py2[-1] / py2[0] == pytest.approx(0.05, rel=1e-9)


def test_lambda_max_equals_glmnet_default(r_ready, small_xy):
    """biglasso's lambda_max formula equals glmnet's own first lambda (spec §8)."""
    from pyradiogen.predict.lasso import biglasso_lambda_grid

    X, y = small_xy
    lmax = biglasso_lambda_grid(X, y, nlambda=2)[0]
    fit = r_ready.rraw("function(x, y) glmnet::glmnet(x, y, family = 'binomial')$lambda[1]")
    g = r_ready.rcall(fit, X, y.astype(float))
    assert lmax == pytest.approx(g, rel=1e-10)


def test_path_equals_direct_glmnet_in_fresh_r(r_ready, small_xy, tmp_path):
    """The bridged path equals glmnet called by hand in a separate R process."""
    from pyradiogen.predict.lasso import BiglassoPath, biglasso_lambda_grid

    X, y = small_xy
    est = BiglassoPath(nlambda=6).fit(pd.DataFrame(X, columns=[f"f{i}" for i in range(8)]), y)
    csv = tmp_path / "xy.csv"
    pd.DataFrame(np.column_stack([X, y])).to_csv(csv, index=False, float_format="%.17g")
    lam = biglasso_lambda_grid(X, y, 6)
    lam_txt = ",".join(f"{v:.17g}" for v in lam)
    out = _rscript(
        f"d <- as.matrix(read.csv('{csv}')); x <- d[, 1:8]; y <- d[, 9]; "
        f"f <- glmnet::glmnet(x, y, family = 'binomial', lambda = c({lam_txt}), "
        "standardize = TRUE, type.logistic = 'Newton', thresh = 1e-12, maxit = 1e6); "
        "write.table(as.matrix(coef(f)), sep = ',', col.names = FALSE, row.names = FALSE)")
    ref = np.loadtxt(out.strip().splitlines(), delimiter=",")  # (1 + p) x L
    n_kept = len(est.lambda_)
    np.testing.assert_allclose(est.lambda_, lam[:n_kept], rtol=1e-12)
    # lambda_max: biglasso's null model; elsewhere glmnet's coefficients
    np.testing.assert_allclose(est.coef_[1:], ref[1:, 1:n_kept].T, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(est.intercept_[1:], ref[0, 1:n_kept], rtol=1e-6, atol=1e-9)
    assert est.nzero_[0] == 0
    assert np.all(np.abs(ref[1:, 0]) < 1e-10)


def test_path_satisfies_biglasso_kkt(r_ready, small_xy):
    """Each solution solves biglasso's objective (spec §3) on the standardised scale."""
    from pyradiogen.predict.lasso import BiglassoPath

    X, y = small_xy
    est = BiglassoPath(nlambda=8).fit(X, y)
    n = len(y)
    c = X.mean(0)
    s = np.sqrt((X**2).mean(0) - c**2)
    Xs = (X - c) / s
    for lam, a0, b in zip(est.lambda_, est.intercept_, est.coef_):
        eta = a0 + X @ b
        grad = Xs.T @ (y - 1 / (1 + np.exp(-eta))) / n  # minus the loss gradient
        bt = b * s
        active = bt != 0
        np.testing.assert_allclose(grad[active], lam * np.sign(bt[active]), atol=1e-6)
        assert np.all(np.abs(grad[~active]) <= lam + 1e-6)
        assert abs(np.mean(y - 1 / (1 + np.exp(-eta)))) < 1e-6  # unpenalised intercept


def test_path_truncated_where_biglasso_saturates(r_ready):
    from pyradiogen.predict.lasso import BiglassoPath

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5))
    y = (X[:, 0] > 0).astype(int)  # separable
    est = BiglassoPath(nlambda=30).fit(X, y)
    assert len(est.lambda_) < 30
    assert np.all(est.dev_ratio_ <= 0.99)


def test_author_split_equals_sample_int_in_fresh_r(r_ready):
    from pyradiogen.predict.modes import author_split

    for n in (10, 57, 233):
        ours = author_split(n, 0.7, 101) + 1
        ref = _rscript(f"set.seed(101); cat(sample.int(n = {n}, size = floor(.7 * {n}), "
                       "replace = FALSE))")
        assert ours.tolist() == [int(v) for v in ref.split()]
    assert len(author_split(10)) == 7


def test_paper_mode_reproduces_authors_script_rows(r_ready):
    """Curve rows: one per lambda, nzero from 0 upward, AUC in [0, 1]; summary = best AUC."""
    from pyradiogen.datasets import make_prediction_cohort
    from pyradiogen.predict.lasso import run_lasso

    d = make_prediction_cohort(seed=0, n_patients=30, images_per_patient=3, n_features=8)
    r = run_lasso(d["features"], d["clinical"], mode="paper", characteristics=["HER2"], nlambda=6)
    c = r.curves
    assert c["nzero"].iloc[0] == 0 and c["auc"].iloc[0] == pytest.approx(0.5)
    assert len(c) <= 6 and c["nzero"].is_monotonic_increasing
    s = r.table.iloc[0]
    assert s["auc"] == pytest.approx(c["auc"].max())
    n_labelled = (d["features"]["patient_id"].map(d["clinical"]["HER2"]).notna()).sum()
    assert s["n_rows"] == n_labelled == 26 * 3  # HER2-missing patients left out
    assert s["n_train"] == int(np.floor(0.7 * n_labelled))
    assert s["patients_on_both_sides"] > 0  # the image-level split leaks


def test_planted_signal_rigorous_above_chance_paper_not_lower(r_ready):
    from pyradiogen.datasets import make_prediction_cohort
    from pyradiogen.predict.lasso import run_lasso

    d = make_prediction_cohort(seed=0, n_patients=40, images_per_patient=4, n_features=10)
    kw = dict(characteristics=["T", "ER"], nlambda=8)
    paper = run_lasso(d["features"], d["clinical"], mode="paper", **kw).table
    rig = run_lasso(d["features"], d["clinical"], mode="rigorous", **kw).table
    assert (rig["patients_on_both_sides"] == 0).all()
    assert (rig["ci_low"] > 0.5).all()
    assert (rig["auc"] > 0.65).all()
    assert (paper["auc"].to_numpy() >= rig["auc"].to_numpy()).all()
    assert rig["ci_method"].iloc[0] == "patient bootstrap"


@pytest.mark.slow
def test_parallel_equals_serial(r_ready):
    """Worker processes (each starting its own R, ~15 s) give the serial result."""
    from pyradiogen.datasets import make_prediction_cohort
    from pyradiogen.predict.lasso import run_lasso

    d = make_prediction_cohort(seed=1, n_patients=24, images_per_patient=2, n_features=6)
    kw = dict(mode="paper", characteristics=["T", "N"], nlambda=4)
    a = run_lasso(d["features"], d["clinical"], **kw)
    b = run_lasso(d["features"], d["clinical"], n_jobs=2, **kw)
    pd.testing.assert_frame_equal(a.curves, b.curves)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert "AUC per characteristic" in str(a.summary())


def test_non_numeric_feature_column_is_named():
    from pyradiogen.predict.lasso import feature_columns

    df = pd.DataFrame({"image_id": ["a"], "patient_id": ["P"], "fea_1": [1.0], "reader": ["r1"]})
    with pytest.raises(ValueError, match="reader"):
        feature_columns(df)
    assert feature_columns(df.drop(columns="reader")) == ["fea_1"]
