"""The end-to-end ``replicate`` job on a small demo cohort, its report and its resume."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pyradiogen.cli import main
from pyradiogen.config import load_config
from pyradiogen.replicate.browser import rendered_images
from pyradiogen.replicate.pipeline import ReplicateJob, ReplicateOptions

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


@pytest.mark.slow
def test_tables_figures_report_and_manifest(replicated):
    run, _, _ = replicated
    tables = {p.name for p in (run / "tables").iterdir()}
    for name in ("liu2023_table1.csv", "liu2023_flowchart.csv", "liu2023_table2_kernels.csv",
                 "liu2023_table3_top_gfs.csv", "liu2023_association_summary.csv",
                 "liu2023_fig4de_lasso_summary.csv", "liu2023_suppfig1_classes_summary.csv",
                 "liu2023_supptable1_efficientnet.csv", "liu2023_fig4_fisher.csv",
                 "kim2020_table2_icc.csv", "kim2020_table3_spearman_counts.csv",
                 "kim2020_table4_loo_lasso.csv", "kim2020_fig1_counts.csv"):
        assert name in tables, name
    figures = {p.name for p in (run / "figures").iterdir()}
    for stem in ("liu2023_fig3_kernel_maps", "liu2023_drf_fig4a_heatmap",
                 "liu2023_drf_fig5_heatmap_drf_kegg", "liu2023_fig4de_auc_vs_features",
                 "kim2020_fig1a_kruskal_genes"):
        assert {f"{stem}.png", f"{stem}.svg"} <= figures, stem
    kernels = pd.read_csv(run / "tables" / "liu2023_table2_kernels.csv")
    assert len(kernels) == 16
    lasso = pd.read_csv(run / "tables" / "liu2023_fig4de_lasso_summary.csv")
    assert set(lasso["mode"]) == {"paper", "rigorous"}
    html = (run / "report.html").read_text()
    assert "11326" in html and "0.2171" in html  # published Table 2 and Table 4 values
    assert "Deviations from the papers" in html and "EfficientNet-B0 baseline" in html
    assert "Power and false-discovery rate" in html
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["r"]["version"].startswith("4.2")
    assert {s["name"] for s in manifest["stages"]} >= {"assemble", "drf", "associate-liu", "crf"}


@pytest.mark.slow
def test_report_renders_every_figure_in_chromium(replicated):
    run, _, _ = replicated
    done, total = rendered_images(run / "report.html")
    assert total >= 15
    assert done == total


@pytest.mark.slow
def test_rerun_resumes_without_redoing_stages(replicated):
    run, cfg_path, cohort = replicated
    job = ReplicateJob(ReplicateOptions(out=run, cohort=cohort,
                                        config=load_config(cfg_path, preset="paper")))
    job.run()
    assert job.records and not any(r.ran for r in job.records)
