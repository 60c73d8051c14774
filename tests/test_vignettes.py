"""The vignettes execute on a small demo cohort and report what they promise.

Both notebooks run in a Jupyter kernel through :func:`pyradiogen.vignettes.execute` (the same
path ``make vignettes`` takes), on the session's 24-patient demo cohort. Each ends with one
JSON line (``VIGNETTE_SUMMARY`` / ``VIGNETTE_PARITY``) that the tests read back.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyradiogen.vignettes import execute, vignette_paths

pytestmark = [pytest.mark.slow, pytest.mark.r]



def _by_name(name: str) -> Path:
    paths = {p.stem: p for p in vignette_paths()}
    assert name in paths, f"vignette {name}.py missing from vignettes/ (found {sorted(paths)})"
    return paths[name]


def _stream_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out.get("text", ""))
            elif out.get("output_type") == "error":  # execute raises first; belt and braces
                raise AssertionError(f"cell failed: {out.get('ename')}: {out.get('evalue')}")
    return "".join(parts)


def _marker(text: str, key: str):
    lines = [ln for ln in text.splitlines() if ln.startswith(key + " ")]
    assert lines, f"no {key} line in the notebook's output"
    return json.loads(lines[-1][len(key) + 1:])


def _run(name: str, cohort: Path, tmp_path: Path):
    out = tmp_path / "scratch"
    env = {"PYRADIOGEN_VIGNETTE_COHORT": str(cohort), "PYRADIOGEN_VIGNETTE_OUT": str(out),
           "PYRADIOGEN_VIGNETTE_EPOCHS": "3", "PYRADIOGEN_VIGNETTE_DRF_FEATURES": "256",
           "PYRADIOGEN_PROGRESS": "0"}
    nb = execute(_by_name(name), tmp_path, env, timeout=600)
    return nb, out


def test_vignette_paths_lists_both():
    names = [p.name for p in vignette_paths()]
    assert names[:2] == ["01_drf_vs_crf.py", "02_r_faithful_api.py"]


def test_drf_vs_crf_runs(demo_cohort_dir, tmp_path):
    nb, out = _run("01_drf_vs_crf", demo_cohort_dir, tmp_path)
    s = _marker(_stream_text(nb), "VIGNETTE_SUMMARY")
    assert s == json.loads((out / "vignette01_summary.json").read_text())
    assert s["n_drf"] == 4096
    assert 0 < s["n_drf_scanned"] <= 256
    assert s["n_images"] > s["n_patients_study1"] > 10
    # associations for the three feature tables, counted side by side
    assert set(s["significant_pairs"]) == {"DRF", "CRF (pyradiomics)", "CRF (TCGA 36)"}
    assert all(0.0 <= v <= 1.0 for v in s["share_significant"].values())
    # the demo plants its biology in what the CRFs measure: they must find some of it
    assert s["significant_pairs"]["CRF (TCGA 36)"] > 0
    # lasso: both modes, both feature sets, five characteristics, AUCs in [0, 1]
    assert len(s["auc"]) == 20
    aucs = [v for v in s["auc"].values() if v is not None]  # None: a one-class test set
    assert len(aucs) >= 15 and all(0.0 <= v <= 1.0 for v in aucs)
    assert {k.split("/")[0] for k in s["auc"]} == {"paper", "rigorous"}
    assert 0 <= s["n_icc_ge_075"] <= 100
    assert len(s["fisher_min_p"]) == 6
    # the three figures are shown in the notebook and saved as PNG + SVG
    shown = [o for cell in nb.cells for o in cell.get("outputs", [])
             if o.get("output_type") == "display_data" and "image/png" in o.get("data", {})]
    assert len(shown) == 3
    assert sorted(p.name for p in (out / "figures").iterdir()) == sorted(
        f"{n}.{ext}" for n in ("drf_training", "icc_by_class", "tsne_drf_vs_crf")
        for ext in ("png", "svg"))


def test_r_faithful_api_parity(demo_cohort_dir, tmp_path):
    nb, out = _run("02_r_faithful_api", demo_cohort_dir, tmp_path)
    checks = _marker(_stream_text(nb), "VIGNETTE_PARITY")
    assert {c["step"] for c in checks} == {"nlme", "glmnet", "ssGSEA", "genefu", "ICC"}
    for c in checks:
        assert c["n_values"] > 0, c
        assert c["max_abs_diff"] < c["tolerance"], c
    worst = {c["step"]: max(x["max_abs_diff"] for x in checks if x["step"] == c["step"])
             for c in checks}
    # the exact engines agree to rounding; nlme stops within its optimiser's tolerance
    assert worst["ssGSEA"] < 1e-12 and worst["glmnet"] < 1e-10 and worst["ICC"] < 1e-10
    assert worst["genefu"] < 1e-10 and worst["nlme"] < 1e-4
    saved = json.loads((out / "vignette02_parity.json").read_text())
    assert saved["checks"] == checks
