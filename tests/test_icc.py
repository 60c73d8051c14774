"""Python ICC (R's pyradiogen::icc) against psych::ICC through rbridge; inter-reader tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pyradiogen import rbridge
from pyradiogen.cli import main
from pyradiogen.crf.icc import class_ranges, icc, icc_all, inter_reader_table

pytestmark = pytest.mark.r

SF = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
              dtype=float)
FORMS = {  # our form -> psych's row
    ("oneway", "consistency", "single"): "ICC1", ("oneway", "consistency", "average"): "ICC1k",
    ("twoway", "consistency", "single"): "ICC3", ("twoway", "consistency", "average"): "ICC3k",
    ("twoway", "agreement", "single"): "ICC2", ("twoway", "agreement", "average"): "ICC2k",
}
TOL = 1e-10


def psych_icc(x) -> pd.DataFrame:
    fn = rbridge.rraw("function(x) { r <- psych::ICC(x, lmer = FALSE)$results; "
                      "rownames(r) <- r$type; r }")
    return rbridge.rcall(fn, rbridge.RMatrix(np.asarray(x, dtype=float)))


def datasets():
    sleep = rbridge.reval("s <- datasets::sleep; cbind(s$extra[s$group == '1'], "
                          "s$extra[s$group == '2'])")
    judges = rbridge.reval("as.matrix(datasets::USJudgeRatings)").to_numpy()
    return {"shrout_fleiss": SF, "sleep": np.asarray(sleep), "USJudgeRatings": judges}


@pytest.mark.parametrize("name", ["shrout_fleiss", "sleep", "USJudgeRatings"])
def test_all_six_forms_equal_psych(name):
    x = datasets()[name]
    ps = psych_icc(x)
    n, k = x.shape
    for (model, typ, unit), row in FORMS.items():
        r = icc(x, model=model, type=typ, unit=unit)
        p = ps.loc[row]
        assert (r.subjects, r.raters) == (n, k)
        assert r.value == pytest.approx(p["ICC"], abs=TOL), row
        assert r.Fvalue == pytest.approx(p["F"], abs=TOL), row
        if typ == "agreement":
            # irr: df2 = Satterthwaite v (psych reports (n-1)(k-1)); spec section 7
            assert r.df2 != pytest.approx(p["df2"])
        else:
            assert r.df2 == pytest.approx(p["df2"], abs=TOL)
            assert r.p_value == pytest.approx(p["p"], abs=TOL), row
        if row == "ICC2k":  # psych: Spearman-Brown of the ICC2 bounds; irr: McGraw & Wong
            single = icc(x, "twoway", "agreement", "single")
            sb = [k * b / (1 + (k - 1) * b) for b in (single.lbound, single.ubound)]
            assert sb == pytest.approx([p["lower bound"], p["upper bound"]], abs=TOL)
        else:
            assert r.lbound == pytest.approx(p["lower bound"], abs=TOL), row
            assert r.ubound == pytest.approx(p["upper bound"], abs=TOL), row


def test_spec_worked_check_and_irr_agreement_average_interval():
    r = icc(SF, "twoway", "agreement", "average")
    assert r.icc_name == "ICC(A,k)"
    assert (round(r.value, 4), round(r.df2, 4)) == (0.6201, 4.1891)
    assert (round(r.lbound, 4), round(r.ubound, 4)) == (0.0394, 0.9286)
    assert "ICC(A,k)" in str(r) and r.to_frame().shape == (1, 15)
    assert "ICC(A,k)" in str(r.summary()) and "F test" in str(r.summary())
    table = icc_all(SF)
    assert table["icc_name"].tolist() == ["ICC(1)", "ICC(k)", "ICC(C,1)", "ICC(C,k)",
                                          "ICC(A,1)", "ICC(A,k)"]
    assert table["value"].round(4).tolist() == [0.1657, 0.4428, 0.7148, 0.9093, 0.2898, 0.6201]


def test_missing_ratings_drop_the_subject():
    x = SF.copy()
    x[0, 1] = np.nan
    assert icc(x).subjects == 5
    assert icc(x).value == pytest.approx(icc(SF[1:]).value, abs=1e-14)


def crf_table(n=12, seed=3):
    rng = np.random.default_rng(seed)
    rows = []
    truth = {"original_glcm_Idmn": rng.normal(0.9, 0.02, n),
             "original_glcm_Contrast": rng.normal(5, 2, n),
             "original_shape2D_Elongation": rng.uniform(0.4, 1, n)}
    for reader, noise in (("R1", 0.0), ("R2", 0.2)):
        for i in range(n):
            row = {"patient_id": f"P{i:02d}", "reader": reader, "image_id": f"img{i}"}
            for f, v in truth.items():
                row[f] = v[i] * (1 + noise * rng.normal(0, 0.1))
            rows.append(row)
    return pd.DataFrame(rows)


def test_inter_reader_table_equals_per_feature_icc_and_class_ranges():
    crfs = crf_table()
    table = inter_reader_table(crfs)
    assert table["feature"].tolist() == ["original_glcm_Idmn", "original_glcm_Contrast",
                                         "original_shape2D_Elongation"]
    for row in table.itertuples():
        wide = crfs.pivot(index="patient_id", columns="reader", values=row.feature)
        direct = icc(wide, "twoway", "agreement", "single")
        assert row.icc == pytest.approx(direct.value, abs=1e-12)
        assert (row.lbound, row.ubound) == pytest.approx((direct.lbound, direct.ubound), abs=1e-12)
        assert row.subjects == 12 and row.raters == 2
    from pyradiogen.studies.kim2020 import PUBLISHED_ICC_RANGES

    assert set(class_ranges(table)["published"]) == {""}  # no published values given
    ranges = class_ranges(table, PUBLISHED_ICC_RANGES).set_index("feature_class")
    assert list(ranges.index) == ["Shape", "GLCM", "Overall"]
    glcm = table[table.feature_class == "glcm"]
    assert ranges.loc["GLCM", "ci_lower_min"] == pytest.approx(glcm["lbound"].min())
    assert ranges.loc["Overall", "ci_upper_max"] == pytest.approx(table["ubound"].max())
    assert ranges.loc["Overall", "published"] == "0.768–1.000"
    assert ranges.loc["GLCM", "n_features"] == 2


def test_inter_reader_errors():
    crfs = crf_table()
    with pytest.raises(ValueError, match="at least 2 readers"):
        inter_reader_table(crfs[crfs.reader == "R1"])
    dup = pd.concat([crfs, crfs.iloc[[0]]])
    with pytest.raises(ValueError, match="patient P00 has more than one ROI of reader R1"):
        inter_reader_table(dup)


def test_cli_icc(tmp_path, capsys):
    csv = tmp_path / "ratings.csv"
    pd.DataFrame(SF, columns=["j1", "j2", "j3", "j4"],
                 index=pd.Index([f"s{i}" for i in range(6)], name="subject")).to_csv(csv)
    assert main(["icc", "--ratings", str(csv), "--model", "twoway", "--type", "agreement",
                 "--unit", "single", "--json"]) == 0
    out = capsys.readouterr().out
    import json

    res = json.loads(out)
    assert res["icc_name"] == "ICC(A,1)" and res["value"] == pytest.approx(0.28976, abs=1e-5)
    bad = tmp_path / "bad.csv"
    bad.write_text("subject,j1\ns1,1\ns2,2\n")
    assert main(["icc", "--ratings", str(bad)]) == 2
