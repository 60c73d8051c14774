"""The generic runner on a toy study: plan, skip with the missing part named, publish by
name, cache keys derived from the declarations (inputs, parameters, code)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pyradiogen import store
from pyradiogen.config import default_config
from pyradiogen.replicate.codeversion import code_version
from pyradiogen.replicate.runner import Runner, RunOptions, cohort_facts, plan
from pyradiogen.replicate.stage import Artefacts, Stage, Study


def _count(ctx):
    n = ctx.section("explore").tsne_max_iter  # a declared parameter
    p = store.write_frame(pd.DataFrame({"n": [len(ctx.cohort_dir.name)], "k": [n > 0]}),
                          ctx.dir / "count.csv", index=False)
    return {"toy_count": p}


def _figures(ctx):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from pyradiogen.plotting import save_figure

    out = {}
    for stem in ("one", "two"):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [0, ctx.frame("toy_count")["n"].iloc[0]])
        out[f"toy_figures/{stem}"] = save_figure(fig, ctx.dir / stem)[0]
    return out


def _needs_images(ctx):
    return {"toy_images": store.write_json(ctx.dir / "x.json", {})}


def _undeclared(ctx):
    return {"something_else": store.write_json(ctx.dir / "y.json", {})}


TOY = Study("toy", "Toy 2025", "nobody", stages=(
    Stage("toy-count", run=_count, call=_count, reads=("cohort:clinical",),
          writes={"toy_count": "tables/toy_count.csv"}, params=("explore",)),
    Stage("toy-figures", run=_figures, call=_figures, reads=("toy_count",),
          writes={"toy_figures/*": "figures/toy_{name}.png"}),
    Stage("toy-images", run=_needs_images, call=_needs_images, reads=("cohort:dicom",),
          writes={"toy_images": None}),
    Stage("toy-after-images", run=_needs_images, call=_needs_images,
          reads=("toy_images", "toy_count"), writes={"toy_images2": None}),
))


@pytest.fixture
def cohort(tmp_path):
    c = tmp_path / "cohort"
    c.mkdir()
    (c / "clinical.tsv").write_text("x\n")
    (c / "cohort.toml").write_text('name = "toy"\n[parts]\nclinical = "clinical.tsv"\n')
    return c


def test_plan_names_what_is_missing(cohort):
    from pyradiogen.cohort.manifest import read_manifest

    facts = cohort_facts(read_manifest(cohort))
    assert facts == {"cohort:clinical", "cohort:real"}
    steps = {p.stage.name: p for p in plan([TOY], facts)}
    assert steps["toy-count"].runnable and steps["toy-figures"].runnable
    assert steps["toy-images"].missing == ["the cohort has no DICOM images (`dicom` in "
                                           "cohort.toml)"]
    assert steps["toy-after-images"].missing == ["toy_images (stage toy-images is skipped)"]


def test_run_publish_resume_and_keys(cohort, tmp_path):
    out = tmp_path / "run"
    cfg = default_config("paper")
    res = Runner([TOY], RunOptions(out=out, cohort=cohort, config=cfg)).run(report=False)
    status = {r.name: r.status for r in res.records}
    assert status == {"toy-count": "ran", "toy-figures": "ran", "toy-images": "skipped",
                      "toy-after-images": "skipped"}
    art = res.artefacts
    assert art["toy_count"] == out / "tables" / "toy_count.csv"
    figs = art.group("toy_figures/*")
    assert [p.name for p in figs] == ["toy_one.png", "toy_two.png"]
    assert all(p.with_suffix(".svg").exists() for p in figs)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["artefacts"]["toy_figures/one"] == str(out / "figures" / "toy_one.png")
    assert "DICOM" in {s["name"]: s for s in manifest["stages"]}["toy-images"]["reason"]

    # same inputs, parameters and code: nothing reruns, results come back by name
    again = Runner([TOY], RunOptions(out=out, cohort=cohort, config=cfg)).run(report=False)
    assert {r.name: r.status for r in again.records}["toy-figures"] == "reused"
    assert again.artefacts["toy_figures/two"] == figs[1]

    # a declared parameter changes: that stage reruns; its output is unchanged, so the
    # stage reading it is reused
    cfg.section("explore").tsne_max_iter = 999
    third = Runner([TOY], RunOptions(out=out, cohort=cohort, config=cfg)).run(report=False)
    st = {r.name: r.status for r in third.records}
    assert st["toy-count"] == "ran" and st["toy-figures"] == "reused"

    # an undeclared parameter changes: nothing reruns
    cfg.section("drf").epochs = 1
    fourth = Runner([TOY], RunOptions(out=out, cohort=cohort, config=cfg)).run(report=False)
    assert {r.status for r in fourth.records} == {"reused", "skipped"}

    # a cohort part the stage reads changes: it reruns
    (cohort / "clinical.tsv").write_text("y\n")
    fifth = Runner([TOY], RunOptions(out=out, cohort=cohort, config=cfg)).run(report=False)
    assert {r.name: r.status for r in fifth.records}["toy-count"] == "ran"


def test_undeclared_result_is_refused(cohort, tmp_path):
    bad = Study("bad", "Bad", "", stages=(
        Stage("bad-1", run=_undeclared, call=_undeclared, reads=("cohort:clinical",),
              writes={"declared": None}),))
    with pytest.raises(RuntimeError, match="something_else.*does not declare"):
        Runner([bad], RunOptions(out=tmp_path / "o", cohort=cohort)).run(report=False)


def test_declarations_are_checked():
    with pytest.raises(ValueError, match="unknown cohort fact"):
        Stage("x", run=_count, call=_count, reads=("cohort:images",))
    with pytest.raises(ValueError, match="needs a destination"):
        Stage("x", run=_count, call=_count, writes={"group/*": None})


def test_code_version_follows_the_source():
    from pyradiogen.studies import liu2023

    drf = next(s for s in liu2023.STAGES if s.name == "liu2023-drf")
    v1 = code_version(drf.function, drf.call)
    assert v1 == code_version(drf.function, drf.call)
    assert v1 != code_version(_count, _count)
    from pyradiogen.replicate import codeversion

    mods = codeversion.closure(["pyradiogen.drf.stage"])
    assert "pyradiogen.drf.extractor" in mods and "pyradiogen.associate.scan" not in mods


def test_artefacts_lookup(tmp_path):
    p = store.write_frame(pd.DataFrame({"a": [1]}), tmp_path / "a.csv", index=False)
    art = Artefacts({"a": p, "gone": tmp_path / "missing.csv"})
    assert art.frame("a")["a"].tolist() == [1]
    assert art.path("gone") is None and art.frame("gone") is None
    with pytest.raises(KeyError, match="no result named 'b'"):
        art["b"]


def test_every_study_declares_a_consistent_plan():
    """Every required read of every stage is a cohort fact or a result of an earlier stage;
    every stage function can be imported; result names are unique."""
    from pyradiogen.replicate.stage import COHORT, COHORT_FACTS
    from pyradiogen.studies import names, studies

    assert names()[:2] == ["liu2023", "kim2020"]
    produced: dict[str, str] = {}
    for study in studies():
        for st in study.stages:
            assert callable(st.function), st.name
            for r in st.inputs:
                for n in r.names:
                    ok = (n.startswith(COHORT) and n[len(COHORT):] in COHORT_FACTS) \
                        or n in produced
                    assert ok, f"{st.name} reads {n!r}, which no earlier stage writes"
            for n in st.output_names():
                assert n not in produced, f"{n} written by {produced.get(n)} and {st.name}"
                produced[n] = st.name
    # with every part, every stage runs
    every = {COHORT + f for f in COHORT_FACTS}
    assert all(p.runnable for p in plan(studies(), every))


def _worker_pid(_item):
    import os

    return os.getpid()


def _pool_pids(ctx):
    from pyradiogen.parallel import pmap

    pids = sorted(set(pmap(_worker_pid, range(4), n_jobs=2)))
    return {ctx.stage.name.replace("-", "_"): store.write_json(ctx.dir / "p.json", pids)}


def test_every_stage_starts_with_fresh_pool_workers(cohort, tmp_path):
    # a worker kept from an earlier stage carries its R heap and libraries into the next, and
    # loky's leak guard retires it mid-stage ("A worker stopped …")
    from pyradiogen import threads

    if threads.budget() < 2:
        pytest.skip("one core: pmap runs in this process")
    pools = Study("pools", "Pools 2025", "nobody", stages=(
        Stage("pool-a", run=_pool_pids, call=_pool_pids, reads=("cohort:clinical",),
              writes={"pool_a": None}),
        Stage("pool-b", run=_pool_pids, call=_pool_pids, reads=("pool_a",),
              writes={"pool_b": None})))
    res = Runner([pools], RunOptions(out=tmp_path / "o", cohort=cohort)).run(report=False)
    recs = [r for r in res.records if r.name.startswith("pool-")]
    assert [r.status for r in recs] == ["ran", "ran"]
    a, b = (json.loads(Path(p).read_text()) for r in recs for p in r.outputs)
    assert a and b and not set(a) & set(b)
