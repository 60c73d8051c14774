"""Issue 14's examples A–J: real tables' missing values, no silent NaN, duplicate or drop,
degenerate results flagged, R errors and internal errors as messages, ROI sizes in words, ID
columns, input scale, counted failures. Each asserts the right value or message."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from pyradiogen.cli import main
from pyradiogen.studies import liu2023


def cli(argv, capsys, monkeypatch=None):
    if monkeypatch is not None:
        from pyradiogen import cli as c

        monkeypatch.setattr(c.console, "width", 400)
    rc = main([str(a) for a in argv])
    cap = capsys.readouterr()
    return rc, " ".join(cap.out.split()), " ".join(cap.err.split())


# --------------------------------------------------------------------------- A. missing values

CLINICAL = "tcga2012_clinical/tcga2012_nature_supp_table1.csv"
#: every missing-value spelling of the real table, as the TCGA readers write them
SPELLINGS = {"", "NA", "Not Available", "Not Performed", "Performed but Not Available",
             "Indeterminate", "Equivocal", "TX"}


def test_real_clinical_table_reads_with_na_counts(real_data):
    from pyradiogen.cohort.clinical import read_clinical

    path = real_data / CLINICAL
    cl, raw = read_clinical(path)
    # counted independently on the raw file
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(cl) == len(df) == 825                    # every patient stays
    src = {"age": "Age at Initial Pathologic Diagnosis", "T": "Tumor--T1 Coded",
           "N": "Node-Coded", "ER": "ER Status", "PR": "PR Status",
           "HER2": "HER2 Final Status", "pam50": "PAM50 mRNA", "sex": "Gender"}
    expected = {k: int(df[c].str.strip().isin(SPELLINGS).sum()) for k, c in src.items()}
    assert expected == {"age": 7, "T": 37, "N": 34, "ER": 45, "PR": 48, "HER2": 59,
                        "pam50": 303, "sex": 7}
    report = {r["column"]: r["n_missing"] for r in cl.attrs["missing"]}
    assert report == expected
    assert {k: int(cl[k].isna().sum()) for k in src} == expected
    her2 = next(r for r in cl.attrs["missing"] if r["column"] == "HER2")
    assert her2["spellings"] == "NA ×34, Not Available ×15, Equivocal ×10"
    assert (cl["sex"] == "male").sum() == 8
    assert cl["pam50"].value_counts().to_dict() == {"LumA": 231, "LumB": 127, "Basal": 98,
                                                    "Her2": 58, "Normal": 8}
    assert cl.loc[df.loc[df["HER2 Final Status"] == "Equivocal", "Complete TCGA ID"],
                  "HER2"].isna().all()


def test_bracketed_gdc_spellings_are_missing(tmp_path):
    from pyradiogen.cohort.clinical import read_clinical

    p = tmp_path / "clinical.tsv"
    rows = ["[Not Available]", "[Not Evaluated]", "[Unknown]", "[Not Applicable]",
            "[Discrepancy]"]
    lines = ["Complete TCGA ID\tAge at Initial Pathologic Diagnosis\tER Status\tPR Status\t"
             "HER2 Final Status\tTumor--T1 Coded\tNode-Coded"]
    for i, s in enumerate(rows):
        lines.append(f"TCGA-A1-A0S{i}\t{s}\t{s}\tPositive\t{s}\tT1\t{s}")
    p.write_text("\n".join(lines) + "\n")
    cl, _ = read_clinical(p)
    assert len(cl) == 5 and cl[["age", "ER", "HER2", "N"]].isna().all().all()
    spell = {r["column"]: r["spellings"] for r in cl.attrs["missing"]}
    assert all(s in spell["ER"] for s in rows)


def test_validate_accepts_the_real_clinical_table(real_data, demo_cohort_dir, tmp_path,
                                                  capsys, monkeypatch):
    """The real table as the clinical part of a cohort: the demo patients take the IDs of real
    rows (two of them with HER2 missing), so study 1's Table 1 counts HER2 NA as its row."""
    import os
    import tomllib

    import tomli_w

    from pyradiogen.cohort import load_cohort

    real = pd.read_csv(real_data / CLINICAL, dtype=str, keep_default_na=False)
    demo = load_cohort(demo_cohort_dir, progress=False)
    kept = list(liu2023.assemble(demo).patients)
    na_rows = real.index[real["HER2 Final Status"].isin(["NA", "Equivocal"])][:2]
    ok_rows = real.index[real["HER2 Final Status"].isin(["Positive", "Negative"])
                         & (real["Age at Initial Pathologic Diagnosis"] != "NA")
                         & real["Tumor--T1 Coded"].isin(["T1", "T_Other"])][:len(kept) - 2]
    use = real.loc[list(na_rows) + list(ok_rows)].copy()
    use["Complete TCGA ID"] = kept
    table = pd.concat([use, real.drop(index=use.index)])  # 825 rows, missing values kept
    c = tmp_path / "c"
    c.mkdir()
    for e in demo_cohort_dir.iterdir():
        if e.name != "cohort.toml":
            os.symlink(e, c / e.name)
    table.to_csv(c / "real_clinical.csv", index=False)
    man = tomllib.loads((demo_cohort_dir / "cohort.toml").read_text())
    man["parts"]["clinical"] = "real_clinical.csv"
    (c / "cohort.toml").write_text(tomli_w.dumps(man))
    rc, out, err = cli(["validate", c, "--no-masks"], capsys, monkeypatch)
    assert rc == 0, err
    assert "825 patients" in out and "HER2 59 (NA ×34, Not Available ×15, Equivocal ×10)" in out
    assert "8 male patient(s)" in out and "cohort valid" in out
    t1 = liu2023.assemble(load_cohort(c, progress=False)).table1.set_index(["characteristic", "level"])
    assert t1.loc[("HER2", "NA"), "value"] == "2"
    assert t1.loc[("Patients", "n"), "value"] == str(len(kept))


def test_real_panimmune_table(real_data):
    """The PanImmune CIBERSORT table: repeated aliquots refused by default, named; averaged by
    the stated rule on request; normal samples and extra tumour samples noted."""
    from pyradiogen.cohort import CohortError
    from pyradiogen.cohort.tables import read_immune_table

    path = real_data / "tcga_brca_immune_panimmune" / \
        "TCGA_BRCA.Kallisto.fullIDs.cibersort.relative.tsv"
    with pytest.raises(CohortError, match=r"appears in more than one row .*17 ID\(s\)"):
        read_immune_table(path)
    from pyradiogen.cohort.tables import RunStatisticsWarning

    with pytest.warns(RunStatisticsWarning, match="P.value, Correlation, RMSE"):
        t = read_immune_table(path, duplicates="mean")
    raw = pd.read_csv(path, sep="\t")
    tumour = raw[raw["SampleID"].str[13:15].astype(int) < 10]
    assert len(t) == tumour["SampleID"].str[:12].nunique() == 1095
    assert t.shape[1] == 22 and "CancerType" not in t.columns
    notes = " ".join(t.attrs["notes"])
    assert "113 normal-tissue sample(s) left out" in notes
    assert "averaged" in notes and "identical values were kept once" in notes
    # a sum of fractions stays 1 after averaging repeats (22 cell types)
    np.testing.assert_allclose(t.sum(axis=1), 1.0, atol=1e-6)
    leuk = path.parent / "TCGA_BRCA_leuk_estimate.masked.20170107.tsv"
    with pytest.raises(CohortError, match="has no header row"):
        read_immune_table(leuk)


# --------------------------------------------------------------------------- B. unusable NaN


def _expr(n_samples=5, n_genes=20, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(8, 2, (n_samples, n_genes)),
                        index=pd.Index([f"S{i}" for i in range(n_samples)], name="sample"),
                        columns=[f"GENE{i:02d}" for i in range(n_genes)])


def _gmt(tmp_path, extra=""):
    p = tmp_path / "s.gmt"
    p.write_text("SET1\tNA\tGENE00\tGENE01\tGENE02\tGENE03\tGENE04\n"
                 "SET2\tNA\tGENE05\tGENE06\tGENE07\tGENE08\tGENE09\n" + extra)
    return p


@pytest.mark.r
@pytest.mark.parametrize("engine", ["fast", "r"])
def test_ssgsea_one_missing_value_is_refused(engine, tmp_path, capsys):
    x = _expr()
    x.iloc[2, 3] = np.nan
    x.to_csv(tmp_path / "e.csv")
    rc, out, err = cli(["ssgsea", "--expr", tmp_path / "e.csv", "--gmt", _gmt(tmp_path),
                        "--engine", engine, "--out", tmp_path / "o.csv"], capsys)
    assert rc == 2 and "gene GENE03 in sample S2" in err and "--drop-na-genes" in err
    assert not (tmp_path / "o.csv").exists()
    rc, out, err = cli(["ssgsea", "--expr", tmp_path / "e.csv", "--gmt", _gmt(tmp_path),
                        "--engine", engine, "--drop-na-genes", "--out", tmp_path / "o.csv"],
                       capsys)
    assert rc == 0 and "left out of ssGSEA: GENE03" in err
    got = pd.read_csv(tmp_path / "o.csv", index_col=0)
    from pyradiogen.genomics.ssgsea import ssgsea_features

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = ssgsea_features(x.drop(columns="GENE03"),
                               {"SET1": [f"GENE0{i}" for i in range(5)],
                                "SET2": [f"GENE0{i}" for i in range(5, 10)]}, engine=engine)
    assert np.isfinite(got.to_numpy()).all()
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-10)


def test_ssgsea_gene_without_values_and_api(tmp_path, capsys):
    from pyradiogen.genomics.ssgsea import ssgsea

    x = _expr()
    x["GENE04"] = np.nan
    x.to_csv(tmp_path / "e.csv")
    rc, _, err = cli(["ssgsea", "--expr", tmp_path / "e.csv", "--gmt", _gmt(tmp_path),
                      "--out", tmp_path / "o.csv"], capsys)
    assert rc == 2 and "'GENE04'" in err and "no value at all" in err
    with pytest.raises(ValueError, match=r"gene\(s\) with no value at all: 'GENE04'"):
        ssgsea(x.T, {"SET1": ["GENE00", "GENE04"]})


# --------------------------------------------------------------------------- C. duplicates


def test_repeated_set_member_is_removed_with_a_warning(tmp_path):
    from pyradiogen.genomics.genesets import GeneSetWarning
    from pyradiogen.genomics.ssgsea import ssgsea

    x = _expr(n_samples=6).T
    rep = {"S": ["GENE00", "GENE01", "GENE01", "GENE02"]}
    with pytest.warns(GeneSetWarning, match=r"S: GENE01"):
        a = ssgsea(x, rep, normalize=False)
    b = ssgsea(x, {"S": ["GENE00", "GENE01", "GENE02"]}, normalize=False)
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())
    keep = ssgsea(x, rep, normalize=False, duplicate_members="keep")   # GSVA 1.46
    assert not np.allclose(keep.to_numpy(), b.to_numpy())


@pytest.mark.r
def test_repeated_member_keep_equals_gsva_146():
    from pyradiogen.genomics.ssgsea import max_relative_difference, ssgsea
    from pyradiogen.rbridge import RWarning

    x = _expr(n_samples=6).T
    rep = {"S": ["GENE00", "GENE01", "GENE01", "GENE02"], "T": ["GENE05", "GENE06"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RWarning)
        fast = ssgsea(x, rep, duplicate_members="keep")
        r = ssgsea(x, rep, engine="r", duplicate_members="keep")
    assert max_relative_difference(fast, r) < 1e-12


@pytest.mark.r
def test_duplicated_gene_column_and_feature_column(tmp_path, capsys):
    x = _expr()
    x.to_csv(tmp_path / "e.csv")
    text = (tmp_path / "e.csv").read_text().splitlines()
    text[0] = text[0].replace("GENE04", "GENE03")          # GENE03 twice: pandas -> GENE03.1
    (tmp_path / "e.csv").write_text("\n".join(text) + "\n")
    for cmd in (["ssgsea", "--gmt", _gmt(tmp_path)], ["signatures", "--annot", tmp_path / "a"]):
        rc, _, err = cli([cmd[0], "--expr", tmp_path / "e.csv", *cmd[1:], "--out",
                          tmp_path / "o.csv"], capsys)
        assert rc == 2 and "duplicated column name(s): 'GENE03' (columns 5, 6)" in err
    f = pd.DataFrame({"image_id": ["a", "b", "c"], "patient_id": ["P1", "P2", "P3"],
                      "fea_1": [1.0, 2, 3], "fea_2": [3.0, 1, 2]})
    f.to_csv(tmp_path / "f.csv", index=False)
    t = (tmp_path / "f.csv").read_text().replace("fea_2", "fea_1")
    (tmp_path / "f.csv").write_text(t)
    pd.DataFrame({"patient_id": ["P1", "P2", "P3"], "GF": [1.0, 2, 3]}).to_csv(
        tmp_path / "g.csv", index=False)
    rc, _, err = cli(["associate", "--features", tmp_path / "f.csv", "--gf", tmp_path / "g.csv",
                      "--out", tmp_path / "out"], capsys)
    assert rc == 2 and "'fea_1' (columns 3, 4)" in err


# --------------------------------------------------------------------------- D, H: icc

SF = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9],
               [6, 2, 4, 7]], dtype=float)


@pytest.mark.r
def test_icc_names_the_subject_left_out(tmp_path, capsys):
    from pyradiogen.crf.icc import icc

    lines = ["subject,j1,j2,j3,j4"] + [f"s{i},{','.join(f'{v:g}' for v in row)}"
                                       for i, row in enumerate(SF)]
    lines[3] = lines[3].replace(",4,", ",n/a,", 1)        # s2: j2 written n/a
    (tmp_path / "r.csv").write_text("\n".join(lines) + "\n")
    rc, out, err = cli(["icc", "--ratings", tmp_path / "r.csv", "--json"], capsys)
    assert rc == 0
    res = json.loads(out)
    assert res["subjects"] == 5 and res["dropped_subjects"] == ["subject s2 (no rating from j2)"]
    assert "1 subject(s) left out of the ICC for missing ratings: subject s2" in err
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # the command's default form is ICC(A,1): two-way, agreement, single
        assert res["value"] == pytest.approx(icc(np.delete(SF, 2, axis=0), model="twoway",
                                                 type="agreement").value, abs=1e-12)


@pytest.mark.r
def test_icc_numeric_subject_id_is_not_a_rater(tmp_path, capsys):
    rng = np.random.default_rng(3)
    truth = rng.normal(10, 3, 8)
    r = np.column_stack([truth + rng.normal(0, 0.5, 8), truth + rng.normal(0, 0.5, 8)])
    num = pd.DataFrame({"subject": range(1, 9), "R1": r[:, 0], "R2": r[:, 1]})
    num.to_csv(tmp_path / "num.csv", index=False)
    num.assign(subject=[f"P{i:02d}" for i in range(1, 9)]).to_csv(tmp_path / "txt.csv",
                                                                   index=False)
    vals = {}
    for name in ("num", "txt"):
        rc, out, err = cli(["icc", "--ratings", tmp_path / f"{name}.csv", "--json"], capsys)
        assert rc == 0
        vals[name] = json.loads(out)
    assert vals["num"]["raters"] == vals["txt"]["raters"] == 2
    assert vals["num"]["value"] == pytest.approx(vals["txt"]["value"], abs=1e-12) \
        and vals["num"]["value"] > 0.9
    assert any("'subject' is taken as the row ID" in n for n in vals["num"]["notes"])
    rc, out, _ = cli(["icc", "--ratings", tmp_path / "num.csv", "--id-column", "none",
                      "--json"], capsys)
    three = json.loads(out)
    assert three["raters"] == 3 and three["value"] < 0.5      # the ID as a third "rater"


# --------------------------------------------------------------------------- E. degenerate


@pytest.mark.r
def test_kim2020_constant_and_missing_risk_scores_not_modelled(tmp_path, capsys):
    rng = np.random.default_rng(8)
    n = 20
    F = pd.DataFrame(rng.normal(size=(n, 3)), columns=["original_shape_a", "original_glcm_b",
                                                       "original_glcm_c"])
    F.insert(0, "patient_id", [f"TCGA-KM-{i:04d}" for i in range(n)])
    S = pd.DataFrame({"patient_id": F["patient_id"],
                      "GENE70": F["original_shape_a"] + rng.normal(0, 0.5, n),
                      "AURKA": 3.25, "ESR1": np.nan})
    F.to_csv(tmp_path / "f.csv", index=False)
    S.to_csv(tmp_path / "s.csv", index=False)
    rc, out, err = cli(["predict", "--study", "kim2020", "--features", tmp_path / "f.csv",
                        "--risk-scores", tmp_path / "s.csv", "--out", tmp_path / "o"], capsys)
    assert rc == 0, err
    t = pd.read_csv(tmp_path / "o" / "table4_loo_lasso.csv").set_index(["mode", "risk_score"])
    for mode in ("paper", "rigorous"):
        assert t.loc[(mode, "AURKA"), "note"].startswith("not modelled: the score is the same "
                                                         "(3.25) for every patient")
        assert t.loc[(mode, "ESR1"), "note"] == ("not modelled: the score has no value for any "
                                                 "patient")
        assert np.isnan(t.loc[(mode, "AURKA"), "adj_r2"]) and not t.loc[(mode, "AURKA"),
                                                                         "significant"]
        assert t.loc[(mode, "GENE70"), "adj_r2"] > 0
    assert "AURKA: not modelled" in out and "ESR1: not modelled" in out
    man = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert any(w.startswith("risk score AURKA not modelled") for w in man["warnings"])


@pytest.mark.r
def test_lasso_and_classes_single_class_not_modelled():
    from pyradiogen.predict.classes import run_classes
    from pyradiogen.predict.lasso import run_lasso

    rng = np.random.default_rng(2)
    pats = [f"TCGA-SC-{i:04d}" for i in range(16)]
    f = pd.DataFrame(rng.normal(size=(16, 3)), columns=["f1", "f2", "f3"])
    f.insert(0, "patient_id", pats)
    clin = pd.DataFrame({"ER": 1, "PR": rng.integers(0, 2, 16)}, index=pats).astype("Int64")
    with pytest.warns(UserWarning, match="ER .*not modelled: ER is 1 for every one of the 16"):
        r = run_lasso(f, clin, characteristics=["ER"], nlambda=3)
    row = r.table.iloc[0]
    assert np.isnan(row["auc"]) and row["note"].startswith("not modelled")
    targets = pd.DataFrame({"patient_id": pats, "flat": 2.0})
    with pytest.warns(UserWarning, match="flat .*not modelled"):
        c = run_classes(f, targets, permutations=1, models=("xgboost",))
    assert c.table["note"].iloc[0].startswith("not modelled: flat has 1 distinct value")


def test_screens_and_lme_flag_constant_inputs():
    from pyradiogen.associate import associate
    from pyradiogen.associate.univariate import kruskal_scan, spearman_scan

    rng = np.random.default_rng(0)
    idx = [f"P{i}" for i in range(12)]
    feats = pd.DataFrame({"flat": 1.0, "ok": rng.normal(size=12)}, index=idx)
    with pytest.warns(UserWarning, match="Spearman: 1 test"):
        sp = spearman_scan(feats, pd.DataFrame({"s": rng.normal(size=12)}, index=idx))
    assert sp.set_index("feature").loc["flat", "note"] == "not tested: constant feature"
    with pytest.warns(UserWarning, match="Kruskal-Wallis"):
        kw = kruskal_scan(feats, pd.Series(["A", "B", "C"] * 4, index=idx))
    assert kw.set_index("feature").loc["flat", "note"] == "not tested: constant feature"
    assert np.isfinite(kw.set_index("feature").loc["ok", "p_value"])
    img = pd.DataFrame({"image_id": [f"{p}_{k}" for p in idx for k in range(2)],
                        "patient_id": [p for p in idx for _ in range(2)],
                        "fea_1": rng.normal(size=24), "fea_2": 5.0})
    gfs = pd.DataFrame({"patient_id": idx, "G": rng.normal(size=12), "flatG": 1.0})
    res = associate(img, gfs, n_jobs=1, backend="sequential")
    nf = res.overview()["not_fitted"]
    assert nf == {"feature is constant across images: nothing to fit": 2,
                  "GF has no variance across patients": 1}


@pytest.mark.r
def test_icc_constant_ratings_not_modelled(tmp_path, capsys):
    (tmp_path / "r.csv").write_text("R1,R2\n2,2\n2,2\n2,2\n")
    rc, _, err = cli(["icc", "--ratings", tmp_path / "r.csv"], capsys)
    assert rc == 2 and "ICC not modelled: every rating is 2" in err


# --------------------------------------------------------------------------- F. errors


@pytest.mark.r
def test_icc_without_complete_subjects_is_a_message(tmp_path, capsys):
    (tmp_path / "r.csv").write_text("subject,R1,R2\nA,1,NA\nB,NA,2\nC,3,\n")
    rc, _, err = cli(["icc", "--ratings", tmp_path / "r.csv"], capsys)
    assert rc == 2 and "Traceback" not in err
    assert "0 subject(s) with a rating from every rater (3 left out" in err


def test_r_error_and_internal_error(tmp_path, capsys, monkeypatch):
    import sys

    import pyradiogen.crf.icc  # noqa: F401
    from pyradiogen.rbridge import RError

    icc_mod = sys.modules["pyradiogen.crf.icc"]

    (tmp_path / "r.csv").write_text("subject,R1,R2\nA,1,2\nB,2,3\nC,3,3\n")

    def r_fails(*a, **k):
        raise RError("non-conformable arrays", "pyradiogen::icc(x)")

    monkeypatch.setattr(icc_mod, "icc", r_fails)
    rc, _, err = cli(["icc", "--ratings", tmp_path / "r.csv"], capsys)
    assert rc == 2 and "R could not compute `icc` on --ratings" in err
    assert "non-conformable arrays" in err and "Traceback" not in err

    def bug(*a, **k):
        raise KeyError("oops")

    monkeypatch.setattr(icc_mod, "icc", bug)
    monkeypatch.setenv("PYRADIOGEN_LOG_DIR", str(tmp_path / "logs"))
    rc, _, err = cli(["icc", "--ratings", tmp_path / "r.csv"], capsys)
    assert rc == 1 and "internal error in `icc`: KeyError" in err and "Traceback" not in err
    logs = list((tmp_path / "logs").glob("pyradiogen-error-*.log"))
    assert len(logs) == 1 and str(logs[0]) in err
    text = logs[0].read_text()
    assert "Traceback (most recent call last)" in text and "KeyError: 'oops'" in text


# --------------------------------------------------------------------------- G. ROI size


def test_tiny_roi_named_in_words():
    from pyradiogen.crf.extract import MaskError, extract_image

    img = np.random.default_rng(0).normal(100, 10, (20, 20)).astype(np.float32)
    two = np.zeros((20, 20), np.uint8)
    two[5, 5:7] = 1
    with pytest.raises(MaskError, match=r"patient TCGA-A1-A0SB, reader R2: ROI of 2 pixel\(s\) "
                                        r"\(1 × 2 bounding box\) is too small .* at least a 2 × 2"):
        extract_image(img, two, (0.7, 0.7), where="patient TCGA-A1-A0SB, reader R2")
    line = np.zeros((20, 20), np.uint8)
    line[2:15, 9] = 1
    with pytest.raises(MaskError, match=r"ROI of 13 pixel\(s\) \(13 × 1 bounding box\)"):
        extract_image(img, line, (0.7, 0.7), where="patient P, reader R1")


# --------------------------------------------------------------------------- I. scale


@pytest.mark.r
def test_signatures_refuse_linear_scale(demo_cohort_dir, tmp_path, capsys):
    from pyradiogen.cohort import load_cohort
    from pyradiogen.genomics.signatures import annotation_from_genes, signature_universe

    c = load_cohort(demo_cohort_dir, progress=False)
    tpm = c.expression("tpm_unstranded")
    annot = annotation_from_genes(list(tpm.columns), c.genes)
    used = annot["EntrezGene.ID"].isin(signature_universe()[0]).to_numpy()
    tpm, annot = tpm.loc[:, used], annot[used]  # the genes genefu uses (same scores, faster)
    tpm.to_csv(tmp_path / "lin.csv")
    np.log2(tpm + 1).to_csv(tmp_path / "log.csv")
    annot.to_csv(tmp_path / "a.csv", index=False)
    rc, _, err = cli(["signatures", "--expr", tmp_path / "lin.csv", "--annot",
                      tmp_path / "a.csv", "--out", tmp_path / "o.csv"], capsys)
    assert rc == 2 and "lin.csv" in err and "look linear-scale" in err
    assert f"maximum {tpm.to_numpy().max():.3g}" in err and "--scale linear" in err
    outs = {}
    for name, extra in (("log", []), ("lin", ["--scale", "linear"])):
        rc, _, err = cli(["signatures", "--expr", tmp_path / f"{name}.csv", "--annot",
                          tmp_path / "a.csv", *extra, "--out", tmp_path / f"{name}_o.csv"],
                         capsys)
        assert rc == 0, err
        outs[name] = pd.read_csv(tmp_path / f"{name}_o.csv", index_col=0)
    np.testing.assert_allclose(outs["lin"]["oncotypedx"], outs["log"]["oncotypedx"],
                               rtol=1e-8)


def test_counts_expected_warns_on_log2_input():
    from pyradiogen.genomics.expression import to_log2

    with pytest.warns(UserWarning, match="looks like log2 expression already"):
        to_log2(pd.DataFrame({"A": [3.2, 5.1], "B": [7.7, 1.0]}), kind="counts",
                normalization="cpm")


# --------------------------------------------------------------------------- J. counted


def test_associate_missing_gf_value_counted_and_named(tmp_path, capsys, monkeypatch):
    from pyradiogen.associate import associate


    rng = np.random.default_rng(1)
    pats = [f"TCGA-AA-{i:04d}" for i in range(12)]
    img = pd.DataFrame({"image_id": [f"{p}_{k}" for p in pats for k in range(3)],
                        "patient_id": [p for p in pats for _ in range(3)],
                        **{f"fea_{j}": rng.normal(size=36) for j in (1, 2, 3)}})
    gf = pd.DataFrame({"patient_id": pats, "GF1": rng.normal(size=12),
                       "GF2": rng.normal(size=12)})
    gf.loc[3, "GF1"] = np.nan
    img.to_csv(tmp_path / "f.csv", index=False)
    gf.to_csv(tmp_path / "g.csv", index=False)
    rc, _, err = cli(["associate", "--features", tmp_path / "f.csv", "--gf", tmp_path / "g.csv",
                      "--out", tmp_path / "a", "--no-figures", "--n-jobs", "1"], capsys)
    assert rc == 2 and "GF GF1 in patient TCGA-AA-0003" in err and "--na-action omit" in err
    rc, out, _ = cli(["associate", "--features", tmp_path / "f.csv", "--gf", tmp_path / "g.csv",
                      "--out", tmp_path / "a", "--no-figures", "--n-jobs", "1",
                      "--na-action", "omit"], capsys, monkeypatch)
    assert rc == 0 and "6 fitted, 0 not fitted" in out
    assert "GF GF1: 1 patient(s) with a missing value omitted (--na-action omit): " \
           "TCGA-AA-0003" in out
    summ = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert summ["left_out"]["omitted_patients_per_gf"] == {"GF1": ["TCGA-AA-0003"]}
    # the API's default (nlme's na.fail) blanks GF1's pairs: each counted, with the option
    res = associate(img, gf, n_jobs=1, backend="sequential")
    nf = res.overview()["not_fitted"]
    assert list(nf.values()) == [3] and "--na-action omit" in next(iter(nf))
    p = [a for a in __import__("pyradiogen.cli", fromlist=["build_parser"]).build_parser()
         ._subparsers._group_actions[0].choices["associate"]._actions
         if "--na-action" in a.option_strings][0]
    assert p.help and "na.omit" in p.help
