"""R-backed work on a Dask cluster (pyradiogen.distributed): the nlme scan, genefu signatures
and irr's ICC give loky's results; R errors arrive as RError; children are reused; a killed
worker loses no finished block; replicate --scheduler equals the local run."""

from __future__ import annotations

import json
import os
import signal
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pyradiogen import rfuncs
from pyradiogen.associate.scan import associate
from pyradiogen.crf.icc import inter_reader_table
from pyradiogen.datasets import make_association_tables
from pyradiogen.distributed import (
    ClusterUnavailableError,
    child_pids,
    connect,
    use_cluster,
)
from pyradiogen.genomics.signatures import compute_signatures
from pyradiogen.parallel import pmap, r_worker_env
from pyradiogen.rbridge import RError
from pyradiogen.resources import extdata

distributed = pytest.importorskip("distributed")  # a declared dependency (dev and [dask])

pytestmark = pytest.mark.r


@pytest.fixture(scope="module")
def cluster():
    with r_worker_env(), distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c.scheduler_address


# ----------------------------------------------------------------------- module-level tasks

def _r_task(x: float) -> tuple[int, int, list[float]]:
    """Calls R; returns the process, its parent and R's BH adjustment."""
    p = rfuncs.p_adjust([x / 10, 0.02, 0.5], method="BH")
    return os.getpid(), os.getppid(), [float(v) for v in p]


def _kruskal(item: tuple[list[float], list[int]]) -> dict:
    return rfuncs.kruskal_test(*item)


def _kill_my_worker_once(i: int, out: str, marker: str) -> int:
    """Writes block ``i`` atomically; block 3's first attempt kills its Dask worker."""
    from pyradiogen import store

    path = Path(out) / f"block_{i}.txt"
    if i == 3 and not Path(marker).exists():
        Path(marker).write_text(str(os.getpid()))
        os.kill(os.getppid(), signal.SIGKILL)  # the Dask worker process
    store.atomic_write(path, f"{i * i}\n".encode())
    return i * i


# ----------------------------------------------------------------------- tests

def test_r_runs_in_reused_child_processes_not_worker_threads(cluster):
    here = pmap(_r_task, range(6), n_jobs=1)
    dask = pmap(_r_task, range(6), n_jobs=2, backend="dask", scheduler=cluster)
    assert [r[2] for r in dask] == [r[2] for r in here]
    assert dask[0][2] == pytest.approx([0.0, 0.03, 0.5])
    client = connect(cluster)
    try:
        workers = set(client.run(os.getpid).values())
    finally:
        client.close()
    children = {r[0] for r in dask}
    assert not children & workers                       # tasks never run in the Dask worker
    assert {r[1] for r in dask} <= workers              # … but in its child
    again = set(child_pids(cluster, 6))
    assert again & children and len(again | children) <= 2  # one child per worker thread,
    # started once and reused (with its R) by later maps


def test_r_error_arrives_as_rerror_with_rs_message(cluster):
    items = [([1.0, 2.0, 3.0, 4.0], [1, 1, 2, 2]), ([2.0, 3.0, 4.0], [1, 1, 1])]
    with pytest.raises(RError) as loky:
        pmap(_kruskal, items, n_jobs=2)
    with pytest.raises(RError) as dask:
        pmap(_kruskal, items, n_jobs=2, backend="dask", scheduler=cluster)
    assert "same group" in dask.value.r_message
    assert dask.value.r_message == loky.value.r_message
    assert dask.value.r_call == loky.value.r_call


def test_nlme_scan_on_dask_equals_loky(cluster, tmp_path):
    feats, gfs = make_association_tables(n_patients=12, n_features=4, n_gfs=2, seed=3)
    dask = associate(feats, gfs, engine="nlme", block_size=2, n_jobs=2, backend="dask",
                     scheduler=cluster, out_dir=tmp_path / "dask")
    loky = associate(feats, gfs, engine="nlme", block_size=2, n_jobs=2, backend="loky",
                     out_dir=tmp_path / "loky")
    assert dask.blocks_run == 2 and len(dask.table) == 8
    assert dask.table["p_value"].notna().all()
    pd.testing.assert_frame_equal(dask.table, loky.table)
    # a rerun on the cluster resumes from the blocks on disk
    blocks = sorted((tmp_path / "dask" / "blocks").rglob("block_*.parquet"))
    blocks[0].unlink()
    again = associate(feats, gfs, engine="nlme", block_size=2, n_jobs=2, backend="dask",
                      scheduler=cluster, out_dir=tmp_path / "dask")
    assert (again.blocks_run, again.blocks_reused) == (1, 1)
    pd.testing.assert_frame_equal(again.table, loky.table)


def _expression(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    files = ["sig_oncotypedx.csv", "sig_gene70.csv", "sig_ggi.csv", "mod1.csv",
             "pam50_centroids.csv"]
    ids = pd.concat([pd.read_csv(extdata("genefu", f))["EntrezGene.ID"] for f in files]
                    ).dropna().astype(int).unique()
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.normal(8, 2, (n, len(ids))), index=[f"S{seed}_{i:02d}" for i in range(n)],
                     columns=[f"g{i}" for i in ids])
    annot = pd.DataFrame({"probe": x.columns, "EntrezGene.ID": ids.astype(float)})
    return x, annot


def test_signatures_and_icc_on_dask_equal_loky(cluster):
    (x1, annot), (x2, _) = _expression(12, 1), _expression(12, 2)
    x2.columns = x1.columns
    fn = partial(compute_signatures, annot=annot)
    loky = pmap(fn, [x1, x2], n_jobs=2)
    dask = pmap(fn, [x1, x2], n_jobs=2, backend="dask", scheduler=cluster)
    for a, b in zip(dask, loky):
        pd.testing.assert_frame_equal(a, b)
    assert loky[0]["oncotypedx"].notna().all() and loky[1].index[0] == "S2_00"

    rng = np.random.default_rng(4)
    rows = [{"patient_id": f"P{i:02d}", "reader": r, "image_id": f"i{i}",
             "original_glcm_Contrast": v * (1 + 0.05 * rng.normal()),
             "original_shape2D_Elongation": v / 10 + 0.1 * rng.normal()}
            for i, v in enumerate(rng.normal(5, 2, 14)) for r in ("R1", "R2")]
    crfs = pd.DataFrame(rows)
    blocks = [crfs.drop(columns=["original_shape2D_Elongation"]),
              crfs.drop(columns=["original_glcm_Contrast"])]
    loky = pmap(inter_reader_table, blocks, n_jobs=2)
    dask = pmap(inter_reader_table, blocks, n_jobs=2, backend="dask", scheduler=cluster)
    for a, b in zip(dask, loky):
        pd.testing.assert_frame_equal(a, b)
    assert 0.5 < loky[0]["icc"].iloc[0] < 1


def test_use_cluster_sends_loky_maps_to_the_cluster(cluster):
    with use_cluster(cluster):
        res = pmap(_r_task, range(4), n_jobs=2)
        one = pmap(_r_task, range(2), n_jobs=1)            # the cluster sets the parallelism
        local = pmap(_r_task, range(2), backend="sequential")   # stays here
    assert {r[0] for r in local} == {os.getpid()}
    assert os.getpid() not in {r[0] for r in res} | {r[0] for r in one}


def test_unreachable_scheduler_is_a_named_user_error(capsys, tmp_path):
    from pyradiogen.cli import main

    with pytest.raises(ClusterUnavailableError, match="tcp://127.0.0.1:9"):
        connect("tcp://127.0.0.1:9", timeout=1)
    code = main(["crf", "extract", "--cohort", str(tmp_path), "--out", str(tmp_path),
                 "--backend", "dask"])
    assert code == 2 and "--scheduler" in capsys.readouterr().err


def test_killed_worker_loses_no_finished_block(tmp_path):
    marker = tmp_path / "killed"
    fn = partial(_kill_my_worker_once, out=str(tmp_path), marker=str(marker))
    with r_worker_env(), distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        res = pmap(fn, range(8), n_jobs=2, backend="dask", scheduler=c.scheduler_address)
    assert res == [i * i for i in range(8)]
    assert marker.exists()                       # the worker was killed mid-map …
    assert sorted(p.name for p in tmp_path.glob("block_*.txt")) == \
        [f"block_{i}.txt" for i in range(8)]     # … and every block is there once
    assert not list(tmp_path.glob("*.tmp*"))
    # the killed worker's child (which owned an R) exited with its parent
    import psutil

    child = int(marker.read_text())
    for _ in range(20):
        if not psutil.pid_exists(child) or psutil.Process(child).status() == "zombie":
            break
        import time

        time.sleep(0.25)
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == "zombie"


def _pyradiogen_tasks(dask_scheduler) -> int:
    return sum(n for k, n in _prefix_counts(dask_scheduler).items() if "pyradiogen" in k)


def _prefix_counts(dask_scheduler) -> dict:
    return {name: sum(tp.state_counts.values()) for name, tp in
            dask_scheduler.task_prefixes.items()}


@pytest.mark.slow
def test_replicate_kim2020_with_scheduler_equals_local_run(cluster, demo_cohort_dir, tmp_path):
    from pyradiogen.cli import main

    args = ["replicate", "--study", "kim2020", "--cohort", str(demo_cohort_dir), "--mode",
            "paper"]
    assert main([*args, "--out", str(tmp_path / "local")]) == 0
    client = connect(cluster)
    try:
        before = client.run_on_scheduler(_pyradiogen_tasks)
        assert main([*args, "--out", str(tmp_path / "dask"), "--scheduler", cluster]) == 0
        ran = client.run_on_scheduler(_pyradiogen_tasks) - before
    finally:
        client.close()
    assert ran >= 20          # CRF extraction and the LOO folds ran as cluster tasks
    local = sorted(p.name for p in (tmp_path / "local" / "tables").iterdir())
    assert "kim2020_table4_loo_lasso.csv" in local and "kim2020_table2_icc.csv" in local
    assert sorted(p.name for p in (tmp_path / "dask" / "tables").iterdir()) == local
    for name in local:       # byte for byte
        assert (tmp_path / "dask" / "tables" / name).read_bytes() == \
            (tmp_path / "local" / "tables" / name).read_bytes(), name
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["options"]["scheduler"] == cluster


def test_background_task_exits_with_a_killed_parent(tmp_path):
    """The same kind of fault as a killed Dask worker: a spawned helper must not outlive a
    parent killed with SIGKILL."""
    import subprocess
    import sys
    import time

    import psutil

    started = tmp_path / "started"
    code = f"""
import os, signal, time
from pyradiogen.parallel import BackgroundTask
t = BackgroundTask(exec, "import pathlib, time; pathlib.Path({str(started)!r}).write_text("
                         "str(__import__('os').getpid())); time.sleep(60)")
for _ in range(600):
    if os.path.exists({str(started)!r}):
        break
    time.sleep(0.05)
os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[1],
                          timeout=60)
    assert proc.returncode == -signal.SIGKILL
    child = int(started.read_text())
    for _ in range(40):
        if not psutil.pid_exists(child) or psutil.Process(child).status() == "zombie":
            break
        time.sleep(0.1)
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == "zombie"
