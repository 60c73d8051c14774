"""The package as a pip user gets it: sdist -> wheel -> a fresh virtual environment outside the
checkout, with its own per-user R library (no ``.rlib``), running the R-backed commands.

Python dependencies are reused from the project's environment (a ``.pth`` line puts its
site-packages after the new environment's own, whose ``pyradiogen`` is the wheel's); the
checkout's ``pyradiogen`` is not importable there. About 1-2 minutes on 2 cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _run(cmd, env, cwd, timeout=600, check=True):
    res = subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, capture_output=True, text=True,
                         timeout=timeout)
    if check and res.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {res.returncode}\n"
                             f"stdout:\n{res.stdout[-4000:]}\nstderr:\n{res.stderr[-4000:]}")
    return res


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory):
    """Build sdist and wheel (from the sdist), install the wheel into a fresh venv."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    base_env = {k: v for k, v in os.environ.items()
                if k not in ("PYRADIOGEN_R_LIBS", "R_LIBS_USER", "R_LIBS", "PYTHONPATH")}
    hatchling = Path(sys.executable).parent / "hatchling"
    _run([hatchling, "build", "-t", "sdist", "-d", dist], base_env, REPO)
    sdist = next(dist.glob("pyradiogen-*.tar.gz"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-q",
          "-w", dist, sdist], base_env, root)
    wheel = next(dist.glob("pyradiogen-*.whl"))
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], base_env, root)
    py = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", py, "install", "--no-deps", "--no-index", "-q",
          wheel], base_env, root)
    purelib = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                        base_env, root).stdout.strip())
    # dependencies from the project environment, searched after the venv's own site-packages
    (purelib / "zz_project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = root / "work"
    work.mkdir()
    env = dict(base_env, XDG_DATA_HOME=str(root / "xdg"), PYRADIOGEN_PROGRESS="0",
               OMP_NUM_THREADS="1")
    return {"root": root, "sdist": sdist, "wheel": wheel, "py": py, "env": env, "work": work,
            "purelib": purelib}


def test_sdist_and_wheel_carry_the_r_package(wheel_env):
    with tarfile.open(wheel_env["sdist"]) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    for f in ("r/DESCRIPTION", "r/NAMESPACE", "r/R/lme.R", "r/man/icc.Rd", "r/vignettes/pyradiogen.Rmd",
              "r/src/nnet_vm.c", "r/src/init.c",
              "r/tests/testthat/test-icc.R", "r/inst/extdata/genefu/sig_tamr13_corrected.csv"):
        assert f in names, f
    with zipfile.ZipFile(wheel_env["wheel"]) as zf:
        names = set(zf.namelist())
    for f in ("DESCRIPTION", "NAMESPACE", "R/lme.R", "R/genefu_signatures.R", "man/icc.Rd",
              "src/nnet_vm.c", "src/nnet_vm.h", "src/pyradiogen.h",
              "man/tamr13.Rd", "inst/extdata/genefu/sig_tamr13.csv",
              "inst/extdata/genesets/c2.cp.kegg.v7.2.symbols.gmt", "src/classifyr.c",
              "src/init.c"):
        assert f"pyradiogen/_rpkg/{f}" in names, f
    assert not any(n.startswith("pyradiogen/_rpkg/tests/") for n in names)
    # the C code is compiled where it is installed: no object built in the checkout travels
    assert not any(n.startswith("pyradiogen/_rpkg/src/") and n.endswith((".o", ".so"))
                   for n in names)
    # the checkout's R sources and the wheel's hash the same: an install is current for both
    from pyradiogen import rlibrary

    with zipfile.ZipFile(wheel_env["wheel"]) as zf:
        zf.extractall(wheel_env["root"] / "unzipped")
    assert (rlibrary.source_hash(wheel_env["root"] / "unzipped" / "pyradiogen" / "_rpkg")
            == rlibrary.source_hash(REPO / "r"))


def _expression_input(real_data: Path, folder: Path) -> tuple[Path, Path]:
    """12 real TCGA-BRCA tumours (PathAnalyser ER set), log2 CPM, signature genes only, in the
    genefu layout the ``signatures`` command reads (samples x probes, plus an annotation)."""
    from pyradiogen.genomics.expression import symbols_to_entrez
    from pyradiogen.genomics.signatures import signature_universe

    counts = pd.read_csv(real_data / "tcga_brca_expression" / "pathanalyser_ER_TCGA_RNAseq.tsv",
                         sep="\t", index_col=0)
    counts = counts.iloc[:, :12]
    cpm = counts / counts.sum() * 1e6
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        entrez = symbols_to_entrez(list(cpm.index))
    ids, _ = signature_universe()
    keep = entrez.notna().to_numpy() & entrez.astype("Float64").isin(ids).fillna(False).to_numpy()
    expr = np.log2(cpm[keep].T + 1)
    expr.index.name = "sample"
    annot = pd.DataFrame({"probe": expr.columns, "EntrezGene.ID": entrez[keep].to_numpy(),
                          "symbol": expr.columns})
    ex, an = folder / "expr.csv", folder / "annot.csv"
    expr.to_csv(ex)
    annot.to_csv(an, index=False)
    return ex, an


def test_installed_wheel_runs_outside_the_checkout(wheel_env, real_data, tmp_path):
    from pyradiogen import __version__

    py, env, work = wheel_env["py"], wheel_env["env"], wheel_env["work"]
    cli = [py, "-m", "pyradiogen"]
    where = _run([py, "-c", "import sys, pyradiogen, pyradiogen.rlibrary as r; "
                  "print(pyradiogen.__file__); print(r.source_dir()); print(r.in_checkout()); "
                  "print(r.library_dir())"], env, work).stdout.split("\n")
    assert where[0].startswith(str(wheel_env["purelib"])), where
    assert where[1] == str(wheel_env["purelib"] / "pyradiogen" / "_rpkg")
    assert where[2] == "False"
    lib = Path(where[3])
    assert lib == Path(env["XDG_DATA_HOME"]) / "pyradiogen" / "r-library" / __version__
    assert not str(lib).startswith(str(REPO))

    # before first use: doctor names the library and the command to run
    res = _run(cli + ["doctor", "--json"], env, work, check=False)
    assert res.returncode == 1
    rep = {c["name"]: c for c in json.loads(res.stdout)["checks"]}
    assert not rep["pyradiogen"]["ok"]
    assert rep["pyradiogen"]["fix"] == "python -m pyradiogen setup-r"
    assert str(lib) in rep["pyradiogen"]["detail"]

    # signatures on real-format input: installs the R package on first use, same numbers as here
    ex, an = _expression_input(real_data, tmp_path)
    out = tmp_path / "sig.csv"
    res = _run(cli + ["signatures", "--expr", ex, "--annot", an, "--out", out], env, work)
    assert "installing it into" in res.stderr
    assert (lib / "pyradiogen" / "DESCRIPTION").is_file()
    sig = pd.read_csv(out, index_col=0)
    assert sig.shape[0] == 12
    import warnings

    from pyradiogen.genomics.signatures import compute_signatures

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        here = compute_signatures(pd.read_csv(ex, index_col=0), pd.read_csv(an))
    for col in ("oncotypedx", "endoPredict", "rorS", "gene70", "ggi", "tamr13", "ESR1"):
        np.testing.assert_allclose(sig[col].to_numpy(), here[col].to_numpy(), rtol=1e-9,
                                   err_msg=col)
    assert sig["oncotypedx"].notna().all() and sig["rorS"].notna().all()

    rep = {c["name"]: c for c in json.loads(_run(cli + ["doctor", "--json"], env, work)
                                            .stdout)["checks"]}
    assert rep["pyradiogen"]["ok"] and rep["pyradiogen"]["version"] == __version__
    assert str(lib) in rep["pyradiogen"]["detail"]

    # icc (irr::icc in the installed R package)
    ratings = pd.DataFrame({"subject": [f"S{i}" for i in range(1, 9)],
                            "r1": [9, 6, 8, 7, 10, 6, 5, 8], "r2": [2, 1, 4, 1, 5, 2, 2, 4],
                            "r3": [5, 3, 6, 2, 6, 4, 3, 5]})
    ratings.to_csv(tmp_path / "ratings.csv", index=False)
    res = _run(cli + ["icc", "--ratings", tmp_path / "ratings.csv", "--model", "twoway",
                      "--type", "agreement", "--json"], env, work)
    from pyradiogen.crf.icc import icc

    ref = icc(ratings[["r1", "r2", "r3"]], model="twoway", type="agreement")
    got = json.loads(res.stdout)
    got = got[0] if isinstance(got, list) else got
    assert got["subjects"] == 8 and got["raters"] == 3
    np.testing.assert_allclose(got["value"], ref.value, rtol=1e-12)

    # associate --engine nlme on a small table
    rng = np.random.default_rng(3)
    pids = [f"TCGA-AA-{i:04d}" for i in range(10)]
    gf = pd.DataFrame({"patient_id": pids, "g1": rng.normal(size=10), "g2": rng.normal(size=10)})
    rows = []
    for p, g in zip(pids, gf["g1"]):
        u = rng.normal(0, 0.5)
        for k in range(3):
            rows.append({"image_id": f"{p}-{k}", "patient_id": p,
                         "f1": 0.8 * g + u + rng.normal(0, 0.3), "f2": u + rng.normal()})
    feats = pd.DataFrame(rows)
    feats.to_csv(tmp_path / "features.csv", index=False)
    gf.to_csv(tmp_path / "gf.csv", index=False)
    _run(cli + ["associate", "--features", tmp_path / "features.csv", "--gf", tmp_path / "gf.csv",
                "--engine", "nlme", "--backend", "sequential", "--no-figures",
                "--out", tmp_path / "assoc"], env, work)
    assoc = pd.read_parquet(tmp_path / "assoc" / "associations.parquet")
    assert len(assoc) == 4
    from pyradiogen.associate.lme_r import fit_nlme

    fit = fit_nlme(feats[["f1", "f2"]], feats["patient_id"], gf.set_index("patient_id"))
    merged = assoc.merge(fit, on=["feature", "gf"], suffixes=("", "_here"))
    np.testing.assert_allclose(merged["p_value"], merged["p_value_here"], rtol=1e-9)
    assert merged.loc[(merged.feature == "f1") & (merged.gf == "g1"), "p_value"].item() < 1e-4

    # replicate study 2 on a small demo cohort
    (tmp_path / "small.toml").write_text("[predict]\nloo_inner_folds = 3\n")
    run = tmp_path / "replicate"
    _run(cli + ["replicate", "--study", "kim2020", "--patients", "12", "--mode", "paper",
                "--config", tmp_path / "small.toml", "--out", run], env, work)
    t4 = pd.read_csv(run / "tables" / "kim2020_table4_loo_lasso.csv")
    assert len(t4) == 11 and set(t4["mode"]) == {"paper"}
    html = (run / "report.html").read_text()
    assert "sig.tamr13" in html  # the inherited genefu fault is listed among the deviations

    # a stale install (other sources) is detected and replaced
    desc = lib / "pyradiogen" / "DESCRIPTION"
    desc.write_text(desc.read_text().replace("PyradiogenSourceHash:", "PyradiogenSourceHash: 0"))
    res = _run(cli + ["setup-r", "--check"], env, work, check=False)
    assert res.returncode == 1 and "stale" in res.stdout and "sources differ" in res.stdout
    _run(cli + ["setup-r"], env, work)
    assert _run(cli + ["setup-r", "--check"], env, work).returncode == 0
