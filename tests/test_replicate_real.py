"""``replicate`` on a real cohort without images: TCGA clinical table, RNA-seq counts, immune
table (``../shared/data/real/``). The genomics stages, Table 1, the PAM50 check and Fig 1a
run; every image stage is listed as skipped with the missing part."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
import tomli_w

from pyradiogen.cli import main

SMALL = """
[explore]
kw_min_show = 2
"""


def _real_cohort(real_data, root):
    """A cohort folder of symlinks to the real tables plus the merged expression matrix."""
    root.mkdir()
    clin = real_data / "tcga2012_clinical" / "tcga2012_nature_supp_table1.csv"
    imm = real_data / "tcga_brca_immune_panimmune" / \
        "TCGA_BRCA.Kallisto.fullIDs.cibersort.relative.tsv"
    os.symlink(clin, root / "clinical.csv")
    os.symlink(imm, root / "immune.tsv")
    ex = real_data / "tcga_brca_expression"
    er = pd.read_csv(ex / "pathanalyser_ER_TCGA_RNAseq.tsv", sep="\t", index_col=0)
    her2 = pd.read_csv(ex / "pathanalyser_HER2_TCGA_RNAseq.tsv", sep="\t", index_col=0)
    shared = er.columns.intersection(her2.columns)
    assert len(shared) == 5 and all((er[c] == her2[c]).all() for c in shared)
    matrix = pd.concat([er, her2.drop(columns=shared)], axis=1)
    assert matrix.shape == (20124, 115)
    (root / "expression").mkdir()
    matrix.to_csv(root / "expression" / "matrix.tsv", sep="\t")
    (root / "cohort.toml").write_text(tomli_w.dumps({
        "name": "TCGA-BRCA tables (no images)", "kind": "tcga",
        "parts": {"clinical": "clinical.csv", "matrix": "expression/matrix.tsv",
                  "immune": "immune.tsv"},
        "expression": {"kind": "counts"}, "immune": {"duplicates": "mean"}}))
    return root, matrix


@pytest.fixture(scope="module")
def real_run(real_data, tmp_path_factory):
    base = tmp_path_factory.mktemp("real")
    cohort, matrix = _real_cohort(real_data, base / "cohort")
    cfg = base / "small.toml"
    cfg.write_text(SMALL)
    out = base / "run"
    code = main(["replicate", "--cohort", str(cohort), "--out", str(out), "--config", str(cfg)])
    assert code == 0
    return out, cohort, matrix


def _artefacts(out):
    from pyradiogen.replicate.stage import Artefacts

    return Artefacts(json.loads((out / "manifest.json").read_text())["artefacts"])


def test_stages_run_and_skipped(real_run):
    out, _, _ = real_run
    stages = {s["name"]: s for s in json.loads((out / "manifest.json").read_text())["stages"]}
    for name in ("liu2023-cohort", "liu2023-genomics", "liu2023-pam50", "kim2020-cohort",
                 "kim2020-genomics", "kim2020-explore"):
        assert stages[name]["status"] == "ran", name
    for name in ("liu2023-drf", "liu2023-predict"):
        assert stages[name]["status"] == "skipped"
        assert "DICOM" in stages[name]["reason"]
    assert "liu2023-drf is skipped" in stages["liu2023-associate"]["reason"]
    assert "ROIs" in stages["kim2020-crf"]["reason"]
    assert stages["kim2020-predict"]["status"] == "skipped"
    html = (out / "report.html").read_text()
    assert "Stages not run on this cohort" in html and "liu2023-drf" in html


def test_genomics_on_counts(real_run):
    out, _, matrix = real_run
    art = _artefacts(out)
    sig = art.frame("signatures", index_col=0)
    assert len(sig) == 115 and sig["pam50_subtype"].notna().all()
    # today's symbols (CTSV for genefu's CTSL2 …) are mapped with org.Hs.eg.db: every
    # signature is scored, and ggi_risk alone is empty (it needs the histological grade)
    assert sig.columns[sig.isna().all()].tolist() == ["ggi_risk"]
    kegg = art.frame("ssgsea", index_col=0)
    assert kegg.shape == (115, 186)
    expr = pd.read_parquet(art["expression_log2"])
    # counts → log2(CPM + 1), stated in genomics.json and in the report's deviations
    lib = matrix["TCGA.A8.A08X"].sum()
    assert expr.loc["TCGA-A8-A08X", "ESR1"] == pytest.approx(
        np.log2(matrix.loc["ESR1", "TCGA.A8.A08X"] / lib * 1e6 + 1), rel=1e-9)
    prep = art.json("liu2023_genomics")["preparation"]
    assert prep["kind"] == "counts" and prep["normalization"] == "cpm"
    html = (out / "report.html").read_text()
    assert "counts per million" in html
    # genefu clamps the OncotypeDX score to [0, 100]; on RNA-seq 49 patients sit at 100 and
    # 10 at 0: genefu's numbers, flagged in the table, genomics.json and the report
    assert int((sig["oncotypedx"] == 100).sum()) == 49
    assert int((sig["oncotypedx"] == 0).sum()) == 10
    assert int(sig["oncotypedx_clamped"].sum()) == 59
    cl = art.json("liu2023_genomics")["oncotypedx_clamped"]
    assert (cl["n"], cl["of"], cl["at_100"], cl["at_0"]) == (59, 115, 49, 10)
    assert "OncotypeDX (study liu2023): 59 of 115 patients" in html
    assert "(49 at 100, 10 at 0; TCGA-A8-A08X, " in html
    cl2 = art.json("kim2020_genomics")["oncotypedx_clamped"]
    assert (cl2["n"], cl2["of"], cl2["at_100"], cl2["at_0"]) == (63, 115, 50, 13)


def test_table1_of_patients_with_rna_seq(real_run):
    from pyradiogen.cohort import load_cohort

    out, cohort, _ = real_run
    art = _artefacts(out)
    flow = art.frame("liu2023_flowchart")
    assert flow["step"].iloc[0] == "patients with RNA-seq" and flow["remaining"].iloc[0] == 115
    assert "not applied" in flow["step"].iloc[1]
    clinical = load_cohort(cohort, progress=False).clinical
    kept = int(flow["remaining"].iloc[-1])
    assert flow["step"].iloc[-1] == "no clinical data" and kept == 93  # 22 not in the 2012 table
    sig = art.frame("signatures", index_col=0)
    assert kept == len(sig.index.intersection(clinical.index))
    t1 = art.frame("liu2023_table1").set_index(["characteristic", "level"])
    assert str(t1.loc[("Patients", "n"), "value"]) == "93"
    er = clinical.loc[sig.index.intersection(clinical.index), "ER"]
    assert str(t1.loc[("ER", "positive"), "value"]) == str(int((er == 1).sum()))
    assert str(t1.loc[("Patients", "n"), "published"]) == "110"


def test_pam50_against_published_calls(real_run):
    from pyradiogen.cohort import load_cohort

    out, cohort, _ = real_run
    art = _artefacts(out)
    agree = art.frame("pam50_agreement").set_index("measure")
    conf = art.frame("pam50_confusion", index_col=0)
    ours = art.frame("signatures", index_col=0)["pam50_subtype"]
    pub = load_cohort(cohort, progress=False).clinical["pam50"].dropna().astype(str)
    both = ours.index.intersection(pub.index)
    assert agree.loc["patients with both calls", "value"] == len(both) == conf.to_numpy().sum()
    same = float((ours.loc[both] == pub.loc[both]).mean())
    assert agree.loc["agreement", "value"] == pytest.approx(same)
    assert np.trace(conf.loc[conf.index.intersection(conf.columns),
                             conf.index.intersection(conf.columns)].to_numpy()) == \
        round(same * len(both))
    # genefu's nearest-centroid PAM50 agrees with the TCGA calls for 53 of 62 patients
    assert len(both) == 62 and round(same * 62) == 53
    assert agree.loc["Cohen's kappa", "value"] > 0.7
    html = (out / "report.html").read_text()
    assert "PAM50: our calls against the published calls" in html
    assert "Confusion table" in html


def test_fig1a_genes_across_pam50(real_run):
    out, _, _ = real_run
    art = _artefacts(out)
    counts = art.frame("kim2020_fig1_counts", index_col=0)["value"]
    assert list(counts.index) == ["genes with Kruskal-Wallis p < 1e-9"]
    kw = art.frame("kim2020_kruskal_genes", index_col=0)
    assert counts.iloc[0] == int((kw["p_value"] < 1e-9).sum())
    # 62 patients with a published PAM50 call: ESR1 separates the subtypes most strongly
    # (the paper's 122 patients gave 133 genes below 1e-9; here the smallest p is ~1e-9)
    assert kw.index[0] == "ESR1" and kw["n"].iloc[0] == 62
    assert kw["p_value"].iloc[0] == pytest.approx(1.0586e-9, rel=1e-3)
    assert (kw["p_value"] < 1e-6).sum() > 100
    assert art["kim2020_fig1a_kruskal_genes"].with_suffix(".svg").exists()


def test_validate_lists_the_stages(real_run, capsys):
    _, cohort, _ = real_run
    assert main(["validate", str(cohort), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    runs = {s["stage"]: s for s in rep["stages"]}
    assert runs["liu2023-genomics"]["runnable"] and runs["liu2023-pam50"]["runnable"]
    assert not runs["liu2023-drf"]["runnable"]
    assert runs["liu2023-drf"]["missing"] == ["the cohort has no DICOM images (`dicom` in "
                                              "cohort.toml)"]
    checks = {c["part"]: c["detail"] for c in rep["checks"]}
    assert checks["genes"].endswith("(signatures map the others' symbols with org.Hs.eg.db)")
    assert "immune" in checks and "no DICOM images" in checks["dicom"]
    assert any("counts (stated)" in c["detail"] for c in rep["checks"])
    mins = {(m["stage"], m["counted"]): m for m in rep["minimums"]}
    # an image stage this cohort cannot run has no minimum to meet (n/a, not "ok")
    assert mins[("liu2023-drf", "study1")]["ok"] is None
    assert mins[("liu2023-drf", "study1")]["n"] is None
    assert mins[("liu2023-genomics", "study1")]["ok"] is True
    assert main(["validate", str(cohort)]) == 0
    text = capsys.readouterr().out
    assert "Stages replicate can run" in text


def test_refuses_a_kind_the_values_contradict(real_run, tmp_path, capsys):
    _, cohort, matrix = real_run
    bad = tmp_path / "c"
    bad.mkdir()
    for name in ("clinical.csv", "immune.tsv", "expression"):
        os.symlink(cohort / name, bad / name)
    man = (cohort / "cohort.toml").read_text().replace('kind = "counts"', 'kind = "log2"')
    (bad / "cohort.toml").write_text(man)
    assert main(["replicate", "--cohort", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "matrix.tsv" in err and 'kind = "log2"' in err and "raw counts" in err


def _report_table(html, h2_start, h3, h4=None):
    from _helpers import html_tables

    found = [t for t in html_tables(html) if t.get("h2", "").startswith(h2_start)
             and t.get("h3") == h3 and (h4 is None or t.get("h4") == h4)]
    assert len(found) == 1, (h2_start, h3, h4)
    head, *rows = found[0]["rows"]
    return head, rows


def test_report_summarises_the_genomics(real_run):
    """The tables-only run's report: signatures, PAM50 calls and ssGSEA over each study's
    patients, the published counts beside ours."""
    out, _, _ = real_run
    art = _artefacts(out)
    html = (out / "report.html").read_text()
    liu = "Study 1 — genomic features (signatures, PAM50, ssGSEA)"
    kim = "Study 2 — genomic features (PAM50 calls and the 11 risk scores)"
    keep = art.json("liu2023_patients")["patients"]
    sig = art.frame("signatures", index_col=0).loc[keep]
    assert len(sig) == 93

    head, rows = _report_table(html, liu, "Genomic features computed")
    assert head == ["quantity", "published", "this run"]
    got = {r[0]: r[1:] for r in rows}
    assert got["patients"] == ["110", "93"]
    assert got["genefu signatures (GFs)"] == ["6", "6"]
    assert got["KEGG pathways scored by ssGSEA (GFs)"] == ["182", "186"]
    assert got["risk genes (GFs)"][0] == "288"
    assert got["risk genes (GFs)"][1].startswith("not run: no risk-gene list given")
    assert got["samples scored (every sample with expression)"] == ["—", "115"]

    head, rows = _report_table(html, liu, "Signature scores (the six GFs)")
    assert head == ["score", "column", "n", "missing", "mean", "SD", "min", "median", "max",
                    "note"]
    assert [r[0] for r in rows] == ["OncotypeDX", "EndoPredict", "Prosigna rorS",
                                    "MammaPrint gene70", "GENIUS", "PIK3CA-GS"]
    for r in rows:     # each row from signatures.csv, over the 93 patients
        v = sig[r[1]]
        assert r[2:8] == ["93", "0", f"{v.mean():.4g}", f"{v.std(ddof=1):.4g}",
                          f"{v.min():.4g}", f"{v.median():.4g}"], r
    onco = rows[0]
    assert onco[4:6] == ["64.76", "40.02"] and onco[6] == "0" and onco[8] == "100"

    head, rows = _report_table(html, liu, "PAM50 subtypes (our calls)")
    assert head == ["subtype", "n", "percent"]
    assert rows == [["LumA", "25", "26.9"], ["LumB", "28", "30.1"], ["Her2", "16", "17.2"],
                    ["Basal", "23", "24.7"], ["Normal", "1", "1.1"]]
    assert sig["pam50_subtype"].value_counts()["LumB"] == 28

    head, rows = _report_table(html, liu, "ssGSEA KEGG pathway scores")
    got = {r[0]: r[1] for r in rows}
    assert got["gene sets scored"] == "186" and got["samples"] == "93"
    assert got["gene sets with a missing score"] == "0"
    kegg = art.frame("ssgsea", index_col=0).loc[keep]
    assert got["lowest score"] == f"{kegg.to_numpy().min():.4g}"
    head, rows = _report_table(html, liu, "ssGSEA scores per KEGG pathway")
    assert head[:4] == ["gene set", "n", "missing", "mean"] and len(rows) == 25
    sds = kegg.std(ddof=1).sort_values(ascending=False, kind="stable")
    assert [r[0] for r in rows] == list(sds.index[:25])          # most variable first
    assert "showing 25 of 186 rows (sorted by SD descending)" in html

    # study kim2020: our PAM50 calls of its 115 patients beside Table 1's counts
    head, rows = _report_table(html, kim, "PAM50 subtypes (our calls)")
    assert rows == [["patients", "122", "115"], ["Basal", "17", "32"], ["Her2", "8", "18"],
                    ["LumA", "79", "40"], ["LumB", "18", "23"], ["Normal", "—", "2"]]
    head, rows = _report_table(html, kim, "The 11 risk scores")
    ksig = art.frame("kim2020_signatures", index_col=0)
    assert [r[0] for r in rows] == ["ESR1", "ERBB2", "AURKA", "EndoPredict", "GENIUS", "GGI",
                                    "OncotypeDx", "TamR", "GENE70", "PIK3CA", "ROR-S"]
    tamr = next(r for r in rows if r[0] == "TamR")
    assert tamr[2:6] == ["115", "0", f"{ksig['tamr13'].mean():.4g}",
                         f"{ksig['tamr13'].std(ddof=1):.4g}"]
    assert tamr[4] == "-33.43"
    head, rows = _report_table(html, kim, "Risk scores computed")
    assert rows[0] == ["risk scores (genefu)", "11", "11"]
