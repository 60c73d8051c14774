"""The parity certificate: a seeded sample of fast results recomputed with the R reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pyradiogen import certificate as cert

pytestmark = pytest.mark.r


@pytest.fixture(scope="module")
def lme_data():
    from pyradiogen.datasets import make_association_tables

    return make_association_tables(n_patients=24, n_features=12, n_gfs=6, images=(2, 5), n_linked=3,
                            effect=0.6, seed=5)


def test_lme_check_samples_pairs_and_agrees_with_nlme(lme_data):
    feats, gfs = lme_data
    checks = cert.lme_check(feats, gfs, None, n_pairs=12, seed=3)
    assert [c.quantity for c in checks] == ["estimate", "std error", "p value"]
    assert all(c.passed for c in checks), [(c.quantity, c.max_rel, c.max_abs) for c in checks]
    assert checks[0].n == 15 and "5 features × 3 GFs" in checks[0].sample  # ceil(sqrt(24)) × ceil(12/5)
    assert 0 < checks[0].max_rel < 1e-4 and checks[2].max_abs < 1e-5
    # the same seed draws the same pairs
    again = cert.lme_check(feats, gfs, None, n_pairs=12, seed=3)
    assert again[0].max_abs == checks[0].max_abs


def test_a_wrong_fast_result_fails_the_certificate_visibly(lme_data):
    from pyradiogen.associate.lme_fast import FastLME
    from pyradiogen.associate.scan import align

    feats, gfs = lme_data
    values, pid, g = align(feats, gfs)
    fast = FastLME().fit(values, pid, g).results_
    fast.loc[fast.index[::2], "estimate"] *= 1.001  # a 1e-3 error in half the slopes
    c = cert.certify(cert.CertificateConfig(lme_pairs=30), seed=3,
                     lme={"features": feats, "gfs": gfs, "fast": fast})
    assert not c.passed
    est = c.checks[0]
    assert est.quantity == "estimate" and not est.passed
    assert est.max_rel == pytest.approx(1e-3, rel=1e-3)
    assert c.checks[1].passed  # the standard errors were left alone
    assert any("estimate differs from nlme::lme" in w for w in c.warnings())
    page = c.to_html()
    assert "Parity certificate FAILED" in page and "FAIL" in page


def test_ssgsea_icc_and_lasso_checks_pass():
    from pyradiogen import rbridge
    from pyradiogen.crf.icc import inter_reader_table

    rng = np.random.default_rng(2)
    genes = [f"G{i}" for i in range(300)]
    expr = pd.DataFrame(rng.gamma(2.0, 2.0, size=(12, 300)), columns=genes,
                        index=[f"S{i}" for i in range(12)])
    sets = {f"SET{k}": genes[k * 20:(k * 20) + 25] for k in range(6)}
    n = 14
    rows = []
    truth = {"original_glcm_Contrast": rng.normal(5, 2, n),
             "original_shape2D_Elongation": rng.uniform(0.4, 1, n)}
    for reader, noise in (("R1", 0.0), ("R2", 0.2)):
        for i in range(n):
            rows.append({"patient_id": f"P{i:02d}", "reader": reader, "image_id": f"i{i}",
                         **{f: v[i] * (1 + noise * rng.normal(0, 0.1)) for f, v in truth.items()}})
    crfs = pd.DataFrame(rows)
    table = inter_reader_table(crfs)
    X = rng.normal(size=(80, 6))
    y = (X[:, 0] + rng.normal(size=80) > 0).astype(int)
    res = rbridge.rcall("pyradiogen::lasso_author", rbridge.RMatrix(X, None,
                                                                    [f"x{i}" for i in range(6)]),
                        y.astype(float), nlambda=10, run_cv=False, seed=101)
    curve = pd.DataFrame({k: np.asarray(res["curve"][k]) for k in ("lambda", "nzero",
                                                                     "dev_ratio")})
    c = cert.certify(cert.CertificateConfig(ssgsea_samples=5), seed=4,
                     ssgsea={"expr": expr, "gene_sets": sets},
                     lasso=[{"X": X, "y": y, "curve": curve, "nlambda": 10, "label": "toy"}],
                     icc={"crfs": crfs, "table": table})
    assert c.passed, c.table().to_string()
    tab = c.table().set_index(["engine", "quantity"])
    assert tab.loc[("ssGSEA (fast)", "enrichment score"), "n"] == 5 * 6
    assert tab.loc[("ssGSEA (fast)", "enrichment score"), "max_rel_diff"] < 1e-8
    assert tab.loc[("ICC (pyradiogen R package)", "ICC"), "n"] == 2
    assert tab.loc[("LASSO path (stored)", "deviance ratio"), "max_abs_diff"] < 1e-9
    assert "Every sampled result agrees" in c.to_html()
    back = cert.ParityCertificate.read_json(c.write_json(
        __import__("pathlib").Path(__import__("tempfile").mkdtemp()) / "c.json"))
    assert back.passed and len(back.checks) == len(c.checks)


def test_a_check_that_cannot_run_is_an_error_not_a_pass():
    c = cert.certify(seed=1, icc={"crfs": pd.DataFrame({"x": [1]}), "table": pd.DataFrame()})
    assert not c.passed and "ICC" in c.errors
    assert c.table()["result"].tolist() == ["ERROR"]
