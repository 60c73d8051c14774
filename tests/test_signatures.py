"""genefu signatures through the R bridge: hand-computed values, warnings, R/Python/CLI parity."""

from __future__ import annotations

import os
import subprocess
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from pyradiogen import rbridge
from pyradiogen.cli import main
from pyradiogen.genomics.signatures import (
    ClampedScoreWarning,
    annotation_from_genes,
    call_signature,
    check_inputs,
    compute_signatures,
)
from pyradiogen.resources import extdata

pytestmark = pytest.mark.r
CLASSES = ["Basal", "Her2", "LumA", "LumB", "Normal"]


def _table(name: str) -> pd.DataFrame:
    return pd.read_csv(extdata("genefu", name))


def pam50_at_centroids() -> tuple[pd.DataFrame, pd.DataFrame]:
    cent = _table("pam50_centroids.csv")
    x = cent[CLASSES].T
    x.columns = cent["probe"]
    annot = pd.DataFrame({"probe": cent["probe"], "EntrezGene.ID": cent["EntrezGene.ID"]})
    return x, annot


def full_platform(n: int = 30, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random log2-like data for every gene of every bundled signature, columns g<Entrez>."""
    files = ["sig_oncotypedx.csv", "sig_endopredict.csv", "sig_gene70.csv", "sig_ggi.csv",
             "sig_pik3cags.csv", "sig_genius.csv", "sig_tamr13.csv", "mod1.csv", "mod2.csv",
             "scmgene_robust_modules.csv", "scmod1_robust_modules.csv",
             "scmod2_robust_modules.csv", "pam50_centroids.csv"]
    ids = pd.concat([_table(f)["EntrezGene.ID"] for f in files]).dropna().astype(int).unique()
    ids = np.concatenate([ids, 10**7 + np.arange(40)])  # 40 genes no signature uses
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.normal(8, 2, (n, len(ids))), index=[f"S{i:02d}" for i in range(n)],
                     columns=[f"g{i}" for i in ids])
    annot = pd.DataFrame({"probe": x.columns, "EntrezGene.ID": ids.astype(float),
                          "symbol": [f"SYM{i}" for i in ids]})
    return x, annot


def test_oncotypedx_hand_values():
    sig = _table("sig_oncotypedx.csv")
    sig = sig[sig["group"] != "reference"]
    er = sig["symbol"].isin(["ESR1", "PGR", "BCL2", "SCUBE2"]).to_numpy()
    rows = {"all10": np.full(16, 10.0), "all5": np.full(16, 5.0),
            "er15": np.where(er, 15.0, 0.0), "er8": np.where(er, 8.0, 0.0)}
    x = pd.DataFrame(rows, index=sig["probe.affy"]).T
    with pytest.warns(ClampedScoreWarning, match=r"1 of 4 samples .*\(0 at 100, 1 at 0\): "
                                                 r"er15\."):
        res = call_signature("oncotypedx", x, None, do_mapping=False, do_scaling=False)
    # RSU 11.7 -> 100; 8.82 -> 42.4; 5.42 -> 0 (clipped); 7.8 -> 22 (see the R tests)
    np.testing.assert_allclose(res["score"].to_numpy(), [100, 42.4, 0, 22], atol=1e-12)
    np.testing.assert_array_equal(res["risk"].to_numpy(), [1, 1, 0, 0.5])
    # all10's 100 is computed (20 * (11.7 - 6.7), a hair under 100), not clamped
    assert res["score"]["all10"] != 100 and res["score"]["er15"] == 0
    assert res["clamped"].tolist() == [False, False, True, False]


def test_oncotypedx_missing_gene_warns_and_gives_na():
    sig = _table("sig_oncotypedx.csv")
    sig = sig[(sig["group"] != "reference") & (sig["symbol"] != "CD68")]
    x = pd.DataFrame(np.full((2, 15), 5.0), index=["a", "b"], columns=sig["probe.affy"])
    with pytest.warns(rbridge.RWarning, match=r"oncotypedx: 1 of 16 .*CD68"):
        res = call_signature("oncotypedx", x, None, do_mapping=False)
    assert res["score"].isna().all()


def test_endopredict_formula():
    sig = _table("sig_endopredict.csv")
    sig = sig[sig["group"] == "GOI"]
    vals = np.array([[9.0] * 8, [10, 4, 12, 3, 2, 11, 8, 6]])
    x = pd.DataFrame(vals, index=["flat", "mix"], columns=sig["probe.affy"])
    res = call_signature("endoPredict", x, None, do_mapping=False)
    w, a, b = (sig[c].to_numpy() for c in ("weight", "a", "b"))
    xn = vals - vals.mean(axis=1, keepdims=True) + np.log2(500)
    ep = np.clip(1.5 * (((xn - b) / a) @ w - 2.63) + 18.95, 0, 15)
    np.testing.assert_allclose(res["score"].to_numpy(), ep, rtol=1e-13)
    np.testing.assert_array_equal(res["risk"].to_numpy(), (ep >= 5).astype(float))


def test_pik3cags_signed_average():
    sig = _table("sig_pik3cags.csv")
    rng = np.random.default_rng(8)
    x = pd.DataFrame(rng.normal(size=(4, len(sig))), columns=sig["probe"])
    pos = sig["coefficient"].to_numpy() > 0
    expected = (pos.sum() / len(sig) * x.loc[:, pos].mean(axis=1)
                - (~pos).sum() / len(sig) * x.loc[:, ~pos].mean(axis=1))
    res = call_signature("pik3cags", x, None, do_mapping=False)
    np.testing.assert_allclose(np.asarray(res["score"], dtype=float), expected.to_numpy(),
                               rtol=1e-13)


def test_pam50_at_centroids_and_rors():
    x, annot = pam50_at_centroids()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rbridge.RWarning)  # most signatures miss genes here
        res = compute_signatures(x, annot, pam50_model="pam50")
    assert list(res["pam50_subtype"].astype(str)) == CLASSES
    assert res.index.name == "sample"
    cent = _table("pam50_centroids.csv")[CLASSES].to_numpy()
    r = spearmanr(cent).correlation
    u = 0.05 * r[:, 0] + 0.12 * r[:, 1] - 0.34 * r[:, 2] + 0.23 * r[:, 3]
    lo, hi = np.quantile(u, [0.025, 0.975])
    ror = np.clip(100 * (u - lo) / (hi - lo), 0, 100)
    np.testing.assert_allclose(res["rorS"].to_numpy(), ror, atol=1e-10)
    tr = np.clip(r, 0, None)
    np.testing.assert_allclose(res[[f"pam50_prob_{c}" for c in CLASSES]].to_numpy(),
                               tr / tr.sum(axis=1, keepdims=True), atol=1e-12)


def _r_reference(expr_csv, annot_csv, out_csv) -> pd.DataFrame:
    code = (
        "suppressMessages(library(pyradiogen)); a <- commandArgs(TRUE);"
        "x <- as.matrix(read.csv(a[1], row.names = 1, check.names = FALSE));"
        "an <- read.csv(a[2], check.names = FALSE, stringsAsFactors = FALSE);"
        "r <- suppressWarnings(pyradiogen_signatures(x, an, do.mapping = TRUE));"
        "r[] <- lapply(r, function(v) if (is.numeric(v)) sprintf('%.17g', v) else as.character(v));"
        "write.csv(r, a[3])"
    )
    env = dict(os.environ)
    lib = rbridge.project_r_library()
    if lib is not None:
        env["R_LIBS"] = str(lib)
    subprocess.run(["Rscript", "-e", code, str(expr_csv), str(annot_csv), str(out_csv)],
                   check=True, env=env, capture_output=True)
    return pd.read_csv(out_csv, index_col=0)


def test_r_python_and_cli_agree(tmp_path):
    x, annot = full_platform()
    expr_csv, annot_csv = tmp_path / "expr.csv", tmp_path / "annot.csv"
    x.to_csv(expr_csv, float_format="%.17g")
    annot.to_csv(annot_csv, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rbridge.RWarning)
        py = compute_signatures(x, annot)
        assert main(["signatures", "--expr", str(expr_csv), "--annot", str(annot_csv),
                     "--out", str(tmp_path / "sig.csv")]) == 0
    r = _r_reference(expr_csv, annot_csv, tmp_path / "r.csv")
    cli = pd.read_csv(tmp_path / "sig.csv")
    assert cli.columns[0] == "sample"
    assert list(cli["sample"]) == list(x.index)
    assert list(py.columns) == list(cli.columns[1:])
    # the flag column is ours (genefu has none); every other column is genefu's
    assert [c for c in py.columns if c != "oncotypedx_clamped"] == list(r.columns)
    assert py["oncotypedx_clamped"].tolist() == r["oncotypedx"].isin([0, 100]).tolist()
    py = py.drop(columns="oncotypedx_clamped")
    num = [c for c in py.columns if pd.api.types.is_float_dtype(py[c])]
    assert {"oncotypedx", "endoPredict", "rorS", "gene70", "genius", "pik3cags", "ggi",
            "tamr13", "ESR1", "ERBB2", "AURKA"} <= set(num)
    assert not py[["oncotypedx", "endoPredict", "rorS", "gene70", "genius", "pik3cags",
                   "tamr13"]].isna().any().any()
    a, b = py[num].to_numpy(), r[num].to_numpy()
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    ok = ~np.isnan(a)
    assert np.max(np.abs(a[ok] - b[ok])) < 1e-12
    for c in [c for c in py.columns if c not in num]:
        assert [str(v) if pd.notna(v) else "nan" for v in py[c]] == \
            list(r[c].fillna("nan").astype(str))
    np.testing.assert_allclose(cli[num].to_numpy(), py[num].to_numpy(), rtol=1e-13, atol=1e-13)


def test_input_errors_name_the_problem(tmp_path):
    x, annot = pam50_at_centroids()
    with pytest.raises(ValueError, match="EntrezGene.ID"):
        check_inputs(x, annot.drop(columns="EntrezGene.ID"))
    with pytest.raises(ValueError, match="transpose"):
        check_inputs(x.T, annot)
    x.T.to_csv(tmp_path / "e.csv")
    annot.to_csv(tmp_path / "a.csv", index=False)
    assert main(["signatures", "--expr", str(tmp_path / "e.csv"), "--annot",
                 str(tmp_path / "a.csv"), "--out", str(tmp_path / "o.csv")]) == 2


def test_annotation_from_genes():
    genes = pd.DataFrame({"gene_name": ["ESR1", "ERBB2", "XYZ", "ERBB2"],
                          "entrez": pd.array([2099, None, None, 2064], dtype="Int64")})
    a = annotation_from_genes(["ERBB2", "XYZ", "ESR1"], genes)
    assert list(a["probe"]) == ["ERBB2", "XYZ", "ESR1"]
    np.testing.assert_array_equal(a["EntrezGene.ID"].to_numpy(), [2064, np.nan, 2099])


def test_demo_cohort_every_patient_scored(demo_cohort_dir):
    from pyradiogen.cohort import load_cohort

    c = load_cohort(demo_cohort_dir)
    expr = np.log2(c.expression(value="tpm_unstranded") + 1)
    annot = annotation_from_genes(list(expr.columns), c.genes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rbridge.RWarning)
        res = compute_signatures(expr, annot)
    assert list(res.index) == list(expr.index)
    main_cols = ["oncotypedx", "endoPredict", "rorS", "gene70", "genius", "pik3cags", "ggi",
                 "tamr13", "ESR1", "ERBB2", "AURKA", "pam50_subtype", "scmod1_subtype"]
    assert not res[main_cols].isna().any().any()
    planted = c.clinical["pam50"].reindex(res.index).astype(str)
    agree = (res["pam50_subtype"].astype(str) == planted).mean()
    assert agree >= 0.9  # the demo plants PAM50-like expression; 27/27 agree at seed 7


def test_cli_no_mapping_matches_symbol_columns(tmp_path):
    x, annot = pam50_at_centroids()
    x.to_csv(tmp_path / "e.csv", float_format="%.17g")
    annot.to_csv(tmp_path / "a.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rbridge.RWarning)
        assert main(["signatures", "--expr", str(tmp_path / "e.csv"), "--annot",
                     str(tmp_path / "a.csv"), "--no-mapping", "--out", str(tmp_path / "o.csv")]) == 0
        mapped = compute_signatures(x, annot, do_mapping=True)
    out = pd.read_csv(tmp_path / "o.csv", index_col="sample")
    # the PAM50 centroid probes are gene symbols, so both routes use the same 50 genes
    np.testing.assert_allclose(out["rorS"].to_numpy(), mapped["rorS"].to_numpy(), atol=1e-12)
    assert out["oncotypedx"].isna().all()  # Affymetrix probe IDs are absent without mapping


def test_grade_and_er_arguments_reach_r():
    x, annot = full_platform(n=12)
    hg = np.array([1, 2, 3] * 4, dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rbridge.RWarning)
        res = compute_signatures(x, annot, hg=hg, er=[1.0] * 12)
    assert res.loc[hg == 1, "ggi"].mean() == pytest.approx(-1, abs=1e-12)
    assert res.loc[hg == 3, "ggi"].mean() == pytest.approx(1, abs=1e-12)
    # one risk coding across signatures: ordered Low < High (genefu's 0/1)
    assert list(res["ggi_risk"].cat.categories) == ["Low", "High"] and res["ggi_risk"].cat.ordered
    np.testing.assert_array_equal(res["ggi_risk"].astype(str).to_numpy(),
                                  np.where(res["ggi"] >= 0, "High", "Low"))
    assert res["gene76"].isna().all()  # the 76 Affymetrix probes are absent: NA with a warning


def test_symbols_only_table_equals_explicit_annotation(demo_cohort_dir, tmp_path, capsys):
    """A samples × gene-symbols table needs no annotation: the symbols are mapped with
    org.Hs.eg.db, unmapped ones named once; the result equals the explicit annotation's."""
    from pyradiogen.cohort import load_cohort
    from pyradiogen.genomics.expression import MappingWarning
    from pyradiogen.genomics.signatures import gene_annotation

    c = load_cohort(demo_cohort_dir)
    expr = np.log2(c.expression(value="tpm_unstranded") + 1)
    expr.insert(0, "NOT_A_GENE_XYZ", 1.0)                 # a symbol org.Hs.eg.db lacks
    explicit = annotation_from_genes(list(expr.columns), c.genes)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        symbols = compute_signatures(expr, None)
        ref = compute_signatures(expr, explicit)
    unmapped = [str(w.message) for w in caught if issubclass(w.category, MappingWarning)]
    assert len(unmapped) == 1                              # named once, first in file order
    assert f"of {expr.shape[1]} gene symbols" in unmapped[0]
    assert "cannot enter a signature: NOT_A_GENE_XYZ" in unmapped[0]
    pd.testing.assert_frame_equal(symbols, ref)
    assert symbols["oncotypedx"].notna().all() and symbols["rorS"].notna().all()
    # Entrez IDs and TCGA's SYMBOL|ENTREZ as column names give the same annotation
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ann = gene_annotation(["ESR1", "2064", "GATA3|2625", "?|100130426", "ERBB2|?", "X|?"])
    np.testing.assert_array_equal(ann["EntrezGene.ID"].to_numpy(),
                                  [2099, 2064, 2625, 100130426, 2064, np.nan])
    assert [str(w.message).split(":")[-1].split(" (")[0] for w in caught] == [" X"]
    # the command: no --annot, the same numbers as with an explicit annotation table
    expr.to_csv(tmp_path / "e.csv", float_format="%.17g")
    explicit.to_csv(tmp_path / "a.csv", index=False)
    assert main(["signatures", "--expr", str(tmp_path / "e.csv"),
                 "--out", str(tmp_path / "sym.csv")]) == 0
    out = capsys.readouterr()
    assert "ggi_risk is empty" in out.out and "--grade" in out.out
    assert main(["signatures", "--expr", str(tmp_path / "e.csv"), "--annot",
                 str(tmp_path / "a.csv"), "--out", str(tmp_path / "ann.csv")]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "sym.csv"),
                                  pd.read_csv(tmp_path / "ann.csv"))


def test_cli_grade_gives_ggi_risk(tmp_path, capsys):
    x, annot = full_platform(n=12)
    hg = np.array([1, 2, 3] * 4, dtype=float)
    hg[4] = np.nan
    x.to_csv(tmp_path / "e.csv", float_format="%.17g")
    annot.to_csv(tmp_path / "a.csv", index=False)
    grades = ["G1", "2", "III", "1.0", "NA", "3", "grade 1", "2", "3", "1", "G2", "G3"]
    pd.DataFrame({"sample": x.index, "histological_grade": grades,
                  "age": 50}).to_csv(tmp_path / "g.csv", index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rbridge.RWarning)
        ref = compute_signatures(x, annot, hg=hg)
        assert main(["signatures", "--expr", str(tmp_path / "e.csv"), "--annot",
                     str(tmp_path / "a.csv"), "--grade", str(tmp_path / "g.csv"),
                     "--out", str(tmp_path / "o.csv")]) == 0
    out = pd.read_csv(tmp_path / "o.csv", index_col="sample")
    np.testing.assert_allclose(out["ggi"].to_numpy(), ref["ggi"].to_numpy(), atol=1e-12)
    assert list(out["ggi_risk"].fillna("NA")) == list(ref["ggi_risk"].astype(str)
                                                    .replace("nan", "NA"))
    # a sample without a grade is still scored: the grade only sets the rescaling
    assert out["ggi_risk"].notna().all() and set(out["ggi_risk"]) == {"Low", "High"}
    # a value that is no grade is refused, naming sample and value
    bad = pd.DataFrame({"sample": x.index, "grade": ["G4"] + ["1", "3"] * 5 + ["2"]})
    bad.to_csv(tmp_path / "bad.csv", index=False)
    capsys.readouterr()
    assert main(["signatures", "--expr", str(tmp_path / "e.csv"), "--annot",
                 str(tmp_path / "a.csv"), "--grade", str(tmp_path / "bad.csv"),
                 "--out", str(tmp_path / "o2.csv")]) == 2
    err = capsys.readouterr().err
    assert "S00" in err and "'G4'" in err and "grade" in err


#: OncotypeDX's 21 genes as today's symbols (genefu's table still writes CTSL2 for CTSV)
ONCOTYPEDX_SYMBOLS = ["MKI67", "AURKA", "BIRC5", "CCNB1", "MYBL2", "MMP11", "CTSV", "GRB7",
                      "ERBB2", "ESR1", "PGR", "BCL2", "SCUBE2", "GSTM1", "CD68", "BAG1", "ACTB",
                      "GAPDH", "RPLP0", "GUSB", "TFRC"]


def test_cohort_of_current_symbols_maps_them_with_org_hs_eg_db(real_data, tmp_path):
    """A real TCGA counts matrix named by today's symbols, without a gene table: the symbols
    the bundled genefu tables do not spell the same way (CTSV = genefu's CTSL2, NDC80 =
    KNTC2, ORC6 = ORC6L) get their Entrez IDs from org.Hs.eg.db, so OncotypeDX is scored
    (it was NA for every patient of the real cohort: 'CTSL2 not found')."""
    import tomli_w

    from pyradiogen.cohort import load_cohort
    from pyradiogen.genomics.expression import cohort_expression

    src = real_data / "tcga_brca_expression" / "pathanalyser_ER_TCGA_RNAseq.tsv"
    m = pd.read_csv(src, sep="\t", index_col=0)
    m = m.loc[ONCOTYPEDX_SYMBOLS + ["NDC80", "ORC6"]].iloc[:, :12]
    (tmp_path / "expression").mkdir()
    m.to_csv(tmp_path / "expression" / "matrix.tsv", sep="\t")
    (tmp_path / "cohort.toml").write_text(tomli_w.dumps({
        "name": "real symbols", "parts": {"matrix": "expression/matrix.tsv"},
        "expression": {"kind": "counts"}}))
    c = load_cohort(tmp_path, progress=False)
    annot = annotation_from_genes(list(m.index), c.genes).set_index("probe")["EntrezGene.ID"]
    assert annot[["CTSV", "NDC80", "ORC6", "ESR1"]].tolist() == [1515, 10403, 23594, 2099]
    # the gene table's own ID wins; without mapping a symbol it lacks stays unmapped
    assert np.isnan(annotation_from_genes(["CTSV"], c.genes, map_missing=False)
                    ["EntrezGene.ID"].iloc[0])
    expr = cohort_expression(c)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sig = compute_signatures(expr, annotation_from_genes(list(expr.columns), c.genes))
    assert len(sig) == 12 and sig["oncotypedx"].notna().all()


def _real_genes_by_samples(real_data, tmp_path, genes, n=12):
    src = real_data / "tcga_brca_expression" / "pathanalyser_ER_TCGA_RNAseq.tsv"
    m = pd.read_csv(src, sep="\t", index_col=0)
    m = np.log2(m.loc[genes].iloc[:, :n] + 1)
    path = tmp_path / "genes_by_samples.tsv"
    m.to_csv(path, sep="\t")
    return path, m


def test_cli_genes_as_rows(real_data, tmp_path, capsys):
    """A real TCGA matrix as TCGA and GEO write it (genes as rows): refused by default with
    the fix named (it used to exit 0 with every score NaN for 20,124 'samples'), scored with
    --genes-as-rows."""
    path, m = _real_genes_by_samples(real_data, tmp_path, ONCOTYPEDX_SYMBOLS)
    out = tmp_path / "o.csv"
    assert main(["signatures", "--expr", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    # CTSV is not written so in genefu's tables (CTSL2): 20 of the 21 count
    assert "20 of the 21 IDs in the file's first column are signature genes" in err
    assert "fix: pass --genes-as-rows" in err and not out.exists()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["signatures", "--expr", str(path), "--genes-as-rows",
                     "--out", str(out)]) == 0
    res = pd.read_csv(out, index_col="sample")
    assert list(res.index) == list(m.columns) and res["oncotypedx"].notna().all()


def test_cli_refuses_when_no_signature_is_scored(real_data, tmp_path, capsys):
    """Genes none of which is in any signature (olfactory receptors): exit 2 naming the
    file, not a CSV of NaN."""
    import re

    src = real_data / "tcga_brca_expression" / "pathanalyser_ER_TCGA_RNAseq.tsv"
    genes = [g for g in pd.read_csv(src, sep="\t", usecols=[0]).iloc[:, 0]
             if re.match(r"^OR\d+[A-Z]+\d+$", g)][:40]
    path, _ = _real_genes_by_samples(real_data, tmp_path, genes)
    out = tmp_path / "o.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rc = main(["signatures", "--expr", str(path), "--genes-as-rows", "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2 and "no signature could be scored" in err and str(path) in err
    assert not out.exists()


def test_cli_names_why_oncotypedx_is_not_computed(real_data, tmp_path, capsys):
    """Real TCGA expression without one OncotypeDX gene (CD68, as the real GEO GSE31448
    matrix lacks it): OncotypeDX is NA for every sample, and the warning says its genes are
    incomplete — it said 'none of their genes/probes is in FILE' with 15 of 16 there."""
    src = real_data / "tcga_brca_expression" / "pathanalyser_ER_TCGA_RNAseq.tsv"
    present = set(pd.read_csv(src, sep="\t", usecols=[0]).iloc[:, 0])
    pam50 = [g for g in _table("pam50_centroids.csv")["probe"] if g in present]
    genes = list(dict.fromkeys([g for g in ONCOTYPEDX_SYMBOLS if g != "CD68"] + pam50))
    path, _ = _real_genes_by_samples(real_data, tmp_path, genes)
    out = tmp_path / "o.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["signatures", "--expr", str(path), "--genes-as-rows",
                     "--out", str(out)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "not computed (NaN for every sample): oncotypedx" in text
    assert "none of their genes" not in text
    assert "OncotypeDX needs every one of its 16 genes" in text
    res = pd.read_csv(out, index_col="sample")
    assert res["oncotypedx"].isna().all() and res["pam50_subtype"].notna().all()


# --------------------------------------------------------------------------- OncotypeDX clamp


def _oncotypedx_extremes() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three samples of the 16 OncotypeDX genes: ``hi`` (proliferation, HER2, invasion, CD68
    high; ER, GSTM1, BAG1 low), ``lo`` (the reverse) and ``mid`` (the midpoint of every gene).
    genefu rescales each gene to 0-15 over the batch: hi has RSU 24.9 (RS 364 -> clamped to
    100), lo RSU 3.17 (RS -70.6 -> 0), mid RSU 9.01 (RS 46.2)."""
    sig = _table("sig_oncotypedx.csv")
    sig = sig[sig["group"] != "reference"]
    down = sig["symbol"].isin(["ESR1", "PGR", "BCL2", "SCUBE2", "GSTM1", "BAG1"]).to_numpy()
    hi = np.where(down, 4.0, 12.0)
    lo = np.where(down, 12.0, 4.0)
    x = pd.DataFrame([hi, lo, (hi + lo) / 2], index=["hi", "lo", "mid"],
                     columns=sig["symbol"].to_numpy())
    annot = pd.DataFrame({"probe": sig["symbol"], "EntrezGene.ID": sig["EntrezGene.ID"]})
    return x, annot


def test_oncotypedx_clamp_is_flagged(tmp_path, capsys):
    """genefu clamps the recurrence score to [0, 100]: the scores stay genefu's, but the
    samples at a bound are marked (oncotypedx_clamped) and named in a warning saying why —
    they were printed as ordinary numbers."""
    x, annot = _oncotypedx_extremes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rbridge.RWarning)   # the other signatures lack genes
        with pytest.warns(ClampedScoreWarning) as rec:
            res = compute_signatures(x, annot)
    np.testing.assert_allclose(res["oncotypedx"].to_numpy(), [100, 0, 46.2], atol=1e-9)
    assert res["oncotypedx_clamped"].tolist() == [True, True, False]
    cols = list(res.columns)
    assert cols.index("oncotypedx_clamped") == cols.index("oncotypedx_risk") + 1
    [msg] = [str(w.message) for w in rec if issubclass(w.category, ClampedScoreWarning)]
    assert msg.startswith("oncotypedx: 2 of 3 samples sit at genefu's clamp bound of the "
                          "recurrence score (1 at 100, 1 at 0): hi, lo. ")
    assert "microarray-scale data that RNA-seq input often saturates" in msg
    assert "oncotypedx_clamped marks these samples" in msg
    # the command line writes the column and says so
    x.to_csv(tmp_path / "x.csv")
    annot.to_csv(tmp_path / "a.csv", index=False)
    out = tmp_path / "sig.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rbridge.RWarning)
        assert main(["signatures", "--expr", str(tmp_path / "x.csv"), "--annot",
                     str(tmp_path / "a.csv"), "--out", str(out)]) == 0
    cap = capsys.readouterr()
    text = " ".join((cap.out + cap.err).split())
    assert "2 of 3 samples sit at genefu's clamp bound" in text
    assert pd.read_csv(out, index_col=0)["oncotypedx_clamped"].tolist() == [True, True, False]


def test_real_rnaseq_oncotypedx_clamped(real_data):
    """The real TCGA-BRCA RNA-seq counts (115 patients), log2(CPM + 1) as study liu2023
    prepares counts: 49 patients' recurrence scores are exactly 100 and 10 exactly 0 —
    genefu's numbers, now flagged (59 of 115 named)."""
    ex = real_data / "tcga_brca_expression"
    er = pd.read_csv(ex / "pathanalyser_ER_TCGA_RNAseq.tsv", sep="\t", index_col=0)
    her2 = pd.read_csv(ex / "pathanalyser_HER2_TCGA_RNAseq.tsv", sep="\t", index_col=0)
    m = pd.concat([er, her2.drop(columns=er.columns.intersection(her2.columns))], axis=1)
    assert m.shape == (20124, 115)
    logcpm = np.log2(m / m.sum(axis=0) * 1e6 + 1)
    sig = _table("sig_oncotypedx.csv")
    sig = sig[sig["group"] != "reference"]
    today = {"CTSL2": "CTSV"}                       # genefu's symbol -> today's (Entrez 1515)
    genes = [today.get(g, g) for g in sig["symbol"]]
    x = logcpm.loc[genes].T
    annot = pd.DataFrame({"probe": genes, "EntrezGene.ID": sig["EntrezGene.ID"].to_numpy()})
    with pytest.warns(ClampedScoreWarning, match=r"59 of 115 samples .*\(49 at 100, 10 at 0\)"
                                                 r": TCGA\.A8\.A08X, TCGA\.AR\.A0TY, .* … \(\+49\)"):
        res = call_signature("oncotypedx", x, annot, do_mapping=True)
    score = res["score"]
    assert int((score == 100).sum()) == 49 and int((score == 0).sum()) == 10
    assert int(res["clamped"].sum()) == 59 and score.notna().all()
    assert score[~res["clamped"].astype(bool)].between(0, 100, inclusive="neither").all()
