"""Atomic writes, the stage cache and run manifests."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pyradiogen import store


def test_atomic_write_leaves_old_file_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    store.atomic_write(target, "first")
    with pytest.raises(RuntimeError):
        with store.atomic_path(target) as tmp:
            tmp.write_text("half written")
            raise RuntimeError("killed")
    assert target.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temp file left


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".tsv"])
def test_frame_round_trip(tmp_path, suffix):
    df = pd.DataFrame({"a": [1.5, 2.5], "b": ["x", "y"]}, index=pd.Index(["p1", "p2"], name="id"))
    path = store.write_frame(df, tmp_path / f"t{suffix}")
    back = store.read_frame(path, index_col=0) if suffix != ".parquet" else store.read_frame(path)
    pd.testing.assert_frame_equal(back, df, check_dtype=False)


def test_stage_cache_skips_finished_and_reruns_on_change(tmp_path):
    inp = tmp_path / "input.csv"
    inp.write_text("a\n1\n")
    cache = store.StageCache(tmp_path / "out")
    calls = []

    def stage():
        calls.append(1)
        return [store.atomic_write(tmp_path / "out" / "result.txt", f"run {len(calls)}")]

    ran, outs = cache.run("double", stage, inputs=[inp], params={"k": 2})
    assert ran and outs[0].read_text() == "run 1"
    ran, _ = cache.run("double", stage, inputs=[inp], params={"k": 2})
    assert not ran and len(calls) == 1
    ran, _ = cache.run("double", stage, inputs=[inp], params={"k": 3})
    assert ran and len(calls) == 2
    inp.write_text("a\n2\n")
    ran, _ = cache.run("double", stage, inputs=[inp], params={"k": 3})
    assert ran and len(calls) == 3
    (tmp_path / "out" / "result.txt").unlink()  # a lost output reruns the stage
    ran, _ = cache.run("double", stage, inputs=[inp], params={"k": 3})
    assert ran and len(calls) == 4


def test_manifest_records_versions_seeds_and_r(tmp_path):
    from pyradiogen import rbridge

    rbridge.set_seed(7)
    path = store.write_manifest(tmp_path, config={"preset": "paper"}, seeds={"torch": 3})
    data = json.loads(path.read_text())
    assert data["config"] == {"preset": "paper"}
    assert data["seeds"] == {"torch": 3}
    assert data["packages"]["pandas"] == pd.__version__
    assert data["r"]["version"].startswith("4.")
    assert data["r"]["packages"]["nlme"] is not None
    assert data["r"]["seed"]["seed"] == 7
    assert "R version" in data["r"]["sessionInfo"]
