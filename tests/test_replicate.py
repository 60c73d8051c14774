"""The end-to-end ``replicate`` job on a small demo cohort, its report and its resume.

Results are looked up by name (the run's ``Artefacts``, recorded in ``manifest.json``), not
by file name."""

from __future__ import annotations

import json

import pytest

from pyradiogen.cli import main
from pyradiogen.config import load_config
from pyradiogen.replicate.browser import page_metrics, rendered_images
from pyradiogen.replicate.report import MAX_INLINE_ROWS
from pyradiogen.replicate.runner import Runner, RunOptions
from pyradiogen.replicate.stage import Artefacts
from pyradiogen.studies import studies

SMALL = """
[drf]
epochs = 2
[predict]
nlambda = 8
outer_folds = 3
cv_folds = 3
selection_permutations = 4
loo_inner_folds = 3
characteristics = ["T", "ER"]
[replicate]
classes_permutations_rigorous = 2
efficientnet_epochs = 1
efficientnet_max_images = 16
efficientnet_image_size = 32
[explore]
tsne_max_iter = 300
tsne_image_max_iter = 250
"""


@pytest.fixture(scope="module")
def replicated(demo_cohort_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("replicate")
    cfg = out / "small.toml"
    cfg.write_text(SMALL)
    code = main(["replicate", "--cohort", str(demo_cohort_dir), "--out", str(out / "run"),
                 "--config", str(cfg)])
    assert code == 0
    return out / "run", cfg, demo_cohort_dir


def artefacts(run) -> Artefacts:
    return Artefacts(json.loads((run / "manifest.json").read_text())["artefacts"])


@pytest.mark.slow
def test_tables_figures_report_and_manifest(replicated):
    run, _, _ = replicated
    art = artefacts(run)
    for name in ("liu2023_table1", "liu2023_flowchart", "liu2023_table2_kernels",
                 "liu2023_table3_top_gfs", "liu2023_association_summary",
                 "liu2023_fig4de_lasso_summary", "liu2023_suppfig1_classes_summary",
                 "liu2023_supptable1_efficientnet", "liu2023_fig4_fisher",
                 "kim2020_table2_icc", "kim2020_table3_spearman_counts",
                 "kim2020_table4_loo_lasso", "kim2020_fig1_counts"):
        assert art.path(name) is not None, name
        assert art[name].parent == run / "tables"
    for name in ("liu2023_fig3_kernel_maps", "liu2023_explore_figures/drf_fig4a_heatmap",
                 "liu2023_drf_figures/fig5_heatmap_drf_kegg", "liu2023_fig4de_auc_vs_features",
                 "kim2020_fig1a_kruskal_genes"):
        png = art[name]
        assert png.suffix == ".png" and png.exists() and png.with_suffix(".svg").exists(), name
    assert len(art.group("liu2023_explore_figures/*")) == 7  # 3 per feature set + comparison
    kernels = art.frame("liu2023_table2_kernels")
    assert len(kernels) == 16
    lasso = art.frame("liu2023_fig4de_lasso_summary")
    assert set(lasso["mode"]) == {"paper", "rigorous"}
    html = (run / "report.html").read_text()
    assert "11326" in html and "0.2171" in html  # published Table 2 and Table 4 values
    assert "Deviations from the papers" in html and "EfficientNet-B0 baseline" in html
    assert "Power and false-discovery rate" in html
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["r"]["version"].startswith("4.2")
    status = {s["name"]: s["status"] for s in manifest["stages"]}
    assert {n for n, s in status.items() if s == "ran"} >= {
        "liu2023-cohort", "liu2023-drf", "liu2023-associate", "kim2020-crf"}
    # the PAM50 check needs downloaded data: listed as skipped, with the reason
    assert status["liu2023-pam50"] == "skipped"
    assert "Stages not run on this cohort" in html and "generated demo cohort" in html
    # a given demo cohort is used as it is (24 patients), not regenerated
    assert "demo-data" not in status
    t1 = art.frame("liu2023_table1").set_index(["characteristic", "level"])
    assert str(t1.loc[("Patients", "n"), "value"]) == "24"
    # the genomics stages' summary, as in a run of tables only (test_replicate_real.py)
    from _helpers import html_tables

    tabs = {(t.get("h2", "").split(" (")[0], t.get("h3")): t["rows"] for t in html_tables(html)}
    sig = tabs[("Study 1 — genomic features", "Signature scores (the six GFs)")]
    assert len(sig) == 7 and all(r[2] == "24" for r in sig[1:])        # n: the 24 patients
    scores = art.frame("signatures", index_col=0).loc[art.json("liu2023_patients")["patients"]]
    assert sig[1][4] == f"{scores['oncotypedx'].mean():.4g}"
    kegg = dict(tabs[("Study 1 — genomic features", "ssGSEA KEGG pathway scores")][1:])
    assert kegg["samples"] == "24"
    assert kegg["gene sets scored"] == str(art.frame("ssgsea", index_col=0).shape[1])
    pam = tabs[("Study 2 — genomic features", "PAM50 subtypes (our calls)")]
    assert pam[1] == ["patients", "122", str(len(art.json("kim2020_patients")["patients"]))]
    assert len(tabs[("Study 2 — genomic features", "The 11 risk scores")]) == 12


@pytest.mark.slow
def test_report_renders_every_figure_in_chromium(replicated):
    run, _, _ = replicated
    done, total = rendered_images(run / "report.html")
    assert total >= 15
    assert done == total
    # the contents on the first screen, no inline table longer than the limit, no sideways
    # overflow of the page (wide tables scroll in their box)
    m = page_metrics(run / "report.html", width=1280, height=800)
    assert m["contents-bottom"] <= m["viewport-height"]
    assert m["max-table-rows"] <= MAX_INLINE_ROWS
    assert m["page-overflow-x"] <= 0


@pytest.mark.slow
def test_rerun_resumes_without_redoing_stages(replicated):
    run, cfg_path, cohort = replicated
    res = Runner(studies(), RunOptions(out=run, cohort=cohort,
                                       config=load_config(cfg_path, preset="paper"))).run()
    ran = [r.name for r in res.records if r.ran]
    assert res.records and not ran, ran
    assert {r.status for r in res.records} == {"reused", "skipped"}
    assert res.artefacts["liu2023_table2_kernels"] == artefacts(run)["liu2023_table2_kernels"]
