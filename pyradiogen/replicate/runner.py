"""The generic runner: plan a run from the studies' declarations, run what the cohort holds.

::

    from pyradiogen.replicate.runner import RunOptions, Runner, plan
    from pyradiogen.studies import studies

    steps = plan(studies(), cohort_facts(manifest))      # which stages can run, which not and why
    result = Runner(studies(), RunOptions(out="results/x", cohort="COHORT")).run()
    result.artefacts["liu2023_table1"]                    # every named result → its path

Every stage writes under ``OUT/stages/<stage>/``; results declared with a destination are
copied to ``OUT/tables`` and ``OUT/figures``. A stage's cache key (:class:`~pyradiogen.store.
StageCache`, records in ``OUT/stages/.stages/``) is derived from its declaration: the hashes
of the cohort parts and upstream results it reads, the configuration sections and run options
it declares (``params``) and its code version (:mod:`.codeversion`). A rerun, or ``--resume``
after a crash, redoes nothing whose key is unchanged. A stage whose required inputs the cohort
does not hold is skipped and listed, with the missing part, on the console, in
``manifest.json`` and in the report.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import store, threads
from ..config import Config, default_config
from ..distributed import use_cluster
from ..parallel import shutdown_pools
from ..progress import console, progress_task
from .codeversion import code_version
from .stage import COHORT, COHORT_FACTS, Artefacts, Stage, StageContext, Study

MODES = ("paper", "rigorous")
#: run options a stage may declare in ``params`` (as ``options.<name>``)
OPTIONS = ("modes", "engine")


@dataclass
class RunOptions:
    """Command-line choices of one run.

    Parameters
    ----------
    out : Path, default Path("results/replicate")
        Output folder of the run.
    cohort : Path, optional
        Cohort folder (with ``cohort.toml``); ``None``: a demo cohort is generated under
        ``out``.
    preset : {"paper", "rigorous"}, default "paper"
        Configuration preset.
    modes : tuple of str, default MODES
        Prediction modes to run (``"paper"``, ``"rigorous"``).
    engine : {"fast", "r"}, default "fast"
        LME engine.
    resume : bool, default True
        Reuse stages whose cache key is unchanged.
    config : Config, optional
        Full configuration; default that of ``preset``.
    scheduler : str, optional
        Dask scheduler (``tcp://host:port``): the heavy stages' worker tasks run on that
        cluster (:mod:`pyradiogen.distributed`); ``None``: ``[replicate] scheduler`` or local
        worker processes.
    """

    out: Path = Path("results/replicate")
    cohort: Path | None = None
    preset: str = "paper"
    modes: tuple[str, ...] = MODES
    engine: str = "fast"
    resume: bool = True
    config: Config | None = None
    #: Dask scheduler (``tcp://host:port``): the heavy stages' worker tasks run on that
    #: cluster (:mod:`pyradiogen.distributed`); ``None``: ``[replicate] scheduler`` or local
    scheduler: str | None = None


@dataclass
class Planned:
    """One stage of the plan: runnable, or skipped with the missing inputs named.

    Parameters
    ----------
    study : str
        Name of the (first) study declaring the stage.
    stage : Stage
        The stage's declaration.
    runnable : bool
        Whether the cohort and the earlier stages provide its required inputs.
    missing : list of str, optional
        The missing inputs in words (a skipped upstream stage is named).
    """

    study: str
    stage: Stage
    runnable: bool
    missing: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        """Why the stage is skipped: its missing inputs, joined."""
        return "; ".join(self.missing)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form of the planned stage.

        Returns
        -------
        dict
            ``study``, ``stage`` (name), ``runnable``, ``missing``, ``reads`` and ``writes``
            (declared result names).
        """
        return {"study": self.study, "stage": self.stage.name, "runnable": self.runnable,
                "missing": list(self.missing), "reads": list(self.stage.reads),
                "writes": self.stage.output_names()}


@dataclass
class StageRecord:
    """What happened to one stage in this run.

    Parameters
    ----------
    name : str
        Stage name.
    study : str
        Study the stage belongs to (empty for run-wide stages: demo data, certificate).
    status : {"ran", "reused", "skipped"}
        What this run did.
    seconds : float or None, default 0.0
        Seconds the run that produced the outputs spent on the stage; ``None`` if unknown.
    outputs : list of str, optional
        Paths of the stage's results.
    reason : str, default ""
        Why a skipped stage was skipped (its missing inputs).
    reused_from : str, optional
        For a reused stage: when the run that produced its outputs finished (UTC, ISO 8601).
    wall_seconds : float, optional
        This run's own time on the stage (for a reused one: checking and reusing).
    """

    name: str
    study: str
    status: str  # ran | reused | skipped
    seconds: float | None = 0.0
    outputs: list[str] = field(default_factory=list)
    reason: str = ""
    #: for a reused stage: when the run that produced its outputs finished (UTC, ISO 8601)
    reused_from: str | None = None
    #: this run's own time on the stage (for a reused one: checking and reusing)
    wall_seconds: float | None = None

    @property
    def ran(self) -> bool:
        """Whether this run ran the stage (not reused, not skipped)."""
        return self.status == "ran"

    @property
    def label(self) -> str:
        """What happened to the stage, in words.

        ``ran in 12.3 s``, ``reused from 2026-05-01 10:32:00 UTC (ran in 12.3 s)`` or
        ``skipped (reason)``; ``seconds`` is the time of the run that produced the outputs.
        """
        if self.status == "skipped":
            return f"skipped ({self.reason})" if self.reason else "skipped"
        return store.StageTiming(self.name, self.seconds, None, self.reused_from,
                                 self.status == "ran").label()


@dataclass
class RunResult:
    """A finished run: named results, per-stage records, deviations and the report.

    Parameters
    ----------
    out : Path
        Output folder of the run.
    artefacts : Artefacts
        Every named result → its path.
    records : list of StageRecord
        One record per stage, in the order run.
    deviations : list of str
        Deviations from the papers' methods, with reasons.
    report : Path, optional
        ``report.html``, when it was written.
    """

    out: Path
    artefacts: Artefacts
    records: list[StageRecord]
    deviations: list[str]
    report: Path | None = None

    @property
    def skipped(self) -> list[StageRecord]:
        """The records of the stages skipped."""
        return [r for r in self.records if r.status == "skipped"]


# --------------------------------------------------------------------------- planning

def cohort_facts(manifest: Any) -> set[str]:
    """What a cohort holds, as ``cohort:<fact>`` tokens (see :data:`.stage.COHORT_FACTS`).

    Parameters
    ----------
    manifest : Manifest
        The cohort's parsed ``cohort.toml`` (its ``parts`` and ``kind``).

    Returns
    -------
    set of str
        One token per known part; ``cohort:expression`` when STAR counts or a matrix is
        present; ``cohort:real`` unless the cohort is a demo.
    """
    parts = set(manifest.parts)
    facts = {p for p in parts if p in COHORT_FACTS}
    if {"star_counts", "matrix"} & parts:
        facts.add("expression")
    if getattr(manifest, "kind", "tcga") != "demo":
        facts.add("real")
    return {COHORT + f for f in facts}


def describe(token: str) -> str:
    """A missing input in words.

    Parameters
    ----------
    token : str
        A ``cohort:<fact>`` token or a result name.

    Returns
    -------
    str
        The fact's description, or ``result 'NAME' is not produced``.

    Raises
    ------
    KeyError
        An unknown ``cohort:`` fact.
    """
    if token.startswith(COHORT):
        return COHORT_FACTS[token[len(COHORT):]]
    return f"result {token!r} is not produced"


def plan(studies: Sequence[Study], facts: Iterable[str]) -> list[Planned]:
    """Which stages run on a cohort with ``facts``, in order.

    A stage shared by several studies (same name) appears once. A stage runs when each of its
    required inputs is a cohort fact or a result of an earlier runnable stage; a skipped
    stage's missing inputs name the skipped stage that would have produced them.

    Parameters
    ----------
    studies : sequence of Study
        The studies, in order.
    facts : iterable of str
        What the cohort holds (:func:`cohort_facts`).

    Returns
    -------
    list of Planned
        One entry per distinct stage, in declaration order.
    """
    have = set(facts)
    out: list[Planned] = []
    seen: set[str] = set()
    for study in studies:
        for st in study.stages:
            if st.name in seen:
                continue
            seen.add(st.name)
            missing = []
            for r in st.inputs:
                if r.optional or any(n in have for n in r.names):
                    continue
                missing.append(" or ".join(describe(n) for n in r.names))
            ok = not missing
            if ok:
                have |= set(st.output_names())
            out.append(Planned(study.name, st, ok, missing))
    # a stage whose input comes from a skipped stage names that stage
    producer = {n: p for p in out for n in p.stage.output_names()}
    for p in out:
        p.missing = [_name_producer(m, producer) for m in p.missing]
    return out


def _name_producer(text: str, producer: dict[str, Planned]) -> str:
    for name, p in producer.items():
        if f"result {name!r} is not produced" in text and not p.runnable:
            text = text.replace(f"result {name!r} is not produced",
                                f"{name} (stage {p.stage.name} is skipped)")
    return text


# --------------------------------------------------------------------------- running

def _fingerprint(folder: Path) -> str:
    """Cheap fingerprint of a large folder (DICOM, STAR counts).

    Hashes the relative paths, sizes and modification times of its files.
    """
    h = hashlib.sha256()
    for p in sorted(q for q in folder.rglob("*") if q.is_file() and ".pyradiogen" not in q.parts):
        st = p.stat()
        h.update(f"{p.relative_to(folder)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


_FACT_PARTS = {"expression": ("star_counts", "sample_sheet", "matrix", "genes")}


class Runner:
    """Runs the stages of the given studies on one cohort (see the module docstring).

    Parameters
    ----------
    studies : sequence of Study
        The studies to run.
    options : RunOptions
        The run's choices; sets the thread budget from the configuration's ``[threads]``.

    Attributes
    ----------
    records : list of StageRecord
        What happened to each stage so far.
    deviations : list of str
        Deviations declared by the stages run.
    artefacts : Artefacts
        Every named result produced or reused so far.
    """

    def __init__(self, studies: Sequence[Study], options: RunOptions):
        self.studies = tuple(studies)
        self.opt = options
        self.out = Path(options.out)
        self.cfg = options.config or default_config(options.preset)
        self.rcfg = self.cfg.section("replicate")
        threads.set_budget(self.cfg.section("threads").budget)
        self.stages_dir = self.out / "stages"
        self.cache = store.StageCache(self.stages_dir)
        self.records: list[StageRecord] = []
        self.deviations: list[str] = []
        self.artefacts = Artefacts()
        self._cohort = None
        self._code: dict[str, str] = {}
        self._hashes: dict[Path, str] = {}

    # ------------------------------------------------------------------ the cohort
    @property
    def cohort_dir(self) -> Path:
        """The cohort: ``--cohort``, or the generated one under the output folder."""
        return Path(self.opt.cohort) if self.opt.cohort else self.out / "cohort"

    @property
    def generated(self) -> bool:
        """The cohort is generated by this run (no ``--cohort``)."""
        return self.opt.cohort is None

    def manifest(self) -> Any:
        """The cohort's parsed ``cohort.toml``.

        Returns
        -------
        Manifest
            The manifest of :attr:`cohort_dir`.
        """
        from ..cohort.manifest import read_manifest

        return read_manifest(self.cohort_dir)

    @property
    def is_demo(self) -> bool:
        """Whether the cohort is a generated demo cohort."""
        return self.generated or self.manifest().kind == "demo"

    def cohort(self) -> Any:
        """The loaded cohort (read once per run).

        Returns
        -------
        Cohort
            The cohort of :attr:`cohort_dir`, loaded with ``[replicate] n_jobs`` workers.
        """
        if self._cohort is None:
            from ..cohort import load_cohort

            self._cohort = load_cohort(self.cohort_dir, n_jobs=self.rcfg.n_jobs)
        return self._cohort

    def make_demo(self) -> None:
        """Generate the demo cohort (cached like a stage)."""
        from ..demo import make_demo_cohort

        def gen() -> list[Path]:
            make_demo_cohort(self.cohort_dir, n_patients=self.rcfg.demo_patients,
                             seed=self.rcfg.demo_seed)
            return [self.cohort_dir / "cohort.toml"]

        t0 = time.perf_counter()
        key = self.cache.key("demo-data", (), {"n": self.rcfg.demo_patients,
                                               "seed": self.rcfg.demo_seed,
                                               "code": code_version(make_demo_cohort)})
        ran = self.opt.resume is False or not self.cache.is_done("demo-data", key)
        if ran:
            started = store.now_iso()
            outs = gen()
            self.cache.mark_done("demo-data", key, outs, seconds=time.perf_counter() - t0,
                                 started=started)
        timing = self.cache.timing("demo-data")
        self._record(StageRecord("demo-data", "", "ran" if ran else "reused",
                                 timing.seconds if timing else None,
                                 [str(self.cohort_dir / "cohort.toml")],
                                 reused_from=None if ran or timing is None else timing.finished,
                                 wall_seconds=time.perf_counter() - t0))

    # ------------------------------------------------------------------ keys
    def _inputs(self, stage: Stage) -> dict[str, str]:
        """Hashes of what a stage reads, by name.

        ``cohort.toml``, the cohort parts (a folder by its fingerprint) and the upstream results.
        """
        from ..cohort.manifest import MANIFEST

        man = self.manifest()
        out: dict[str, str] = {}
        if (self.cohort_dir / MANIFEST).exists():
            out[MANIFEST] = store.hash_file(self.cohort_dir / MANIFEST)
        for r in stage.inputs:
            for n in r.names:
                if n.startswith(COHORT):
                    fact = n[len(COHORT):]
                    for part in _FACT_PARTS.get(fact, (fact,)):
                        p = man.path(part)
                        if p is not None and p.exists():
                            if p not in self._hashes:  # the cohort does not change mid-run
                                self._hashes[p] = (_fingerprint(p) if p.is_dir()
                                                   else store.hash_file(p))
                            out[f"{COHORT}{part}"] = self._hashes[p]
                elif (p := self.artefacts.path(n)) is not None:
                    out[n] = store.hash_file(p)
        return out

    def _params(self, stage: Stage) -> dict[str, Any]:
        out: dict[str, Any] = {"preset": self.cfg.preset, "seed": self.cfg.seed}
        for p in stage.params:
            head, _, key = p.partition(".")
            if head == "options":
                out[p] = getattr(self.opt, key)
            elif key:
                out[p] = getattr(self.cfg.section(head), key)
            else:
                out[p] = self.cfg.section(p)
        if stage.name not in self._code:
            self._code[stage.name] = code_version(stage.function, stage.call)
        out["code"] = self._code[stage.name]
        return out

    def stage_key(self, stage: Stage) -> str:
        """The cache key of a stage from its declared inputs, parameters and code.

        Parameters
        ----------
        stage : Stage
            The stage.

        Returns
        -------
        str
            Hash of the preset, seed, declared ``params``, code version and the hashes of the
            cohort parts and upstream results it reads.
        """
        return self.cache.key(stage.name, (), {**self._params(stage),
                                               "inputs": self._inputs(stage)})

    # ------------------------------------------------------------------ one stage
    def _publish(self, stage: Stage, produced: dict[str, str | os.PathLike]) -> dict[str, Path]:
        """Copy declared results to their destinations; return name → final path."""
        final: dict[str, Path] = {}
        for name, src in produced.items():
            hit = stage.destination(name)
            if hit is None:
                raise RuntimeError(f"stage {stage.name} produced {name!r}, which it does not "
                                   f"declare in `writes` ({', '.join(stage.output_names())})")
            decl, dest = hit
            src = Path(src)
            if dest is None:
                final[name] = src
                continue
            member = name[len(decl) - 1:] if decl.endswith("/*") else ""
            target = self.out / dest.format(name=member)
            store.atomic_write(target, src.read_bytes())
            if target.suffix == ".png" and src.with_suffix(".svg").exists():
                store.atomic_write(target.with_suffix(".svg"),
                                   src.with_suffix(".svg").read_bytes())
            final[name] = target
        missing = [n for n in stage.output_names(optional=False)
                   if not n.endswith("/*") and n not in final]
        if missing:
            raise RuntimeError(f"stage {stage.name} did not produce {missing}")
        return final

    def _context(self, stage: Stage) -> StageContext:
        d = self.stages_dir / stage.name
        d.mkdir(parents=True, exist_ok=True)
        return StageContext(stage=stage, dir=d, config=self.cfg,
                            options={"modes": tuple(self.opt.modes), "engine": self.opt.engine,
                                     "resume": self.opt.resume},
                            inputs=self.artefacts, cohort_dir=self.cohort_dir,
                            load_cohort=self.cohort, is_demo=self.is_demo)

    def _record(self, rec: StageRecord) -> None:
        self.records.append(rec)
        if rec.status == "skipped":
            console.print(f"  [yellow]–[/] {rec.name}: skipped ({rec.reason})", soft_wrap=True)
        else:
            console.print(f"  [green]✓[/] {rec.name}: {rec.label}")

    def run_stage(self, study: str, stage: Stage) -> StageRecord:
        """Run (or reuse) one stage whose required inputs are present.

        A stage whose cache key is unchanged is reused (with ``resume``); otherwise it runs
        with the whole thread budget and its declared results are copied to their
        destinations. A required upstream result that is missing skips the stage.

        Parameters
        ----------
        study : str
            Study the stage belongs to.
        stage : Stage
            The stage.

        Returns
        -------
        StageRecord
            What happened, also appended to :attr:`records` and printed.

        Raises
        ------
        RuntimeError
            The stage produced a result it does not declare, or not a required one.
        """
        missing = []
        for r in stage.inputs:
            if r.optional or any(n.startswith(COHORT) for n in r.names):
                continue
            if not any(self.artefacts.path(n) is not None for n in r.names):
                missing.append(" or ".join(f"{n} (not produced)" for n in r.names))
        if missing:
            rec = StageRecord(stage.name, study, "skipped", reason="; ".join(missing))
            self._record(rec)
            return rec
        t0 = time.perf_counter()
        key = self.stage_key(stage)
        ctx = self._context(stage)
        if self.opt.resume and self.cache.is_done(stage.name, key):
            data = json.loads((self.stages_dir / ".stages" / f"{stage.name}.json").read_text())
            final = {k: Path(os.path.normpath(self.stages_dir / v))
                     for k, v in data["info"]["artefacts"].items()}
            status = "reused"
        else:
            started = store.now_iso()
            # a stage's own code runs with the whole thread budget; its process pools give each
            # worker one thread, and training sets the configured thread count itself
            try:
                with threads.limit():
                    produced = dict(stage.call(ctx))
            finally:
                # each stage starts with fresh workers: a worker that kept another stage's
                # libraries and R heap would otherwise exceed loky's leak guard (300 MB over
                # its first task) and be retired mid-stage with a "worker stopped" warning
                shutdown_pools()
            final = self._publish(stage, produced)
            outs = list(final.values()) + [p.with_suffix(".svg") for p in final.values()
                                           if p.suffix == ".png" and
                                           p.with_suffix(".svg").exists()]
            rel = {k: os.path.relpath(v.resolve(), self.stages_dir.resolve())
                   for k, v in final.items()}
            self.cache.mark_done(stage.name, key, outs,
                                 info={"artefacts": rel, "threads": threads.describe()},
                                 seconds=time.perf_counter() - t0, started=started)
            status = "ran"
        self.artefacts.update(final)
        if stage.deviations is not None:
            for dev in stage.deviations(ctx):
                if dev not in self.deviations:
                    self.deviations.append(dev)
        timing = self.cache.timing(stage.name)
        rec = StageRecord(stage.name, study, status, timing.seconds if timing else None,
                          [str(p) for p in final.values()],
                          reused_from=(timing.finished if status == "reused" and timing
                                       else None),
                          wall_seconds=time.perf_counter() - t0)
        self._record(rec)
        return rec

    def check_minimums(self) -> list[dict[str, Any]]:
        """Refuse the cohort when a study keeps fewer patients than one of its stages needs.

        Reads each study's ``<study>_patients`` result (:mod:`pyradiogen.minimums`).

        Returns
        -------
        list of dict
            The checked rows (stage, patients kept, minimum, reason); empty when no study
            has a patients result yet.

        Raises
        ------
        CohortTooSmallError
            A study keeps fewer patients than a stage needs; the message names the stage, the
            count and the reason.
        """
        from ..minimums import require_minimums

        kept = {s.name: self.artefacts.json(f"{s.name}_patients")["patients"]
                for s in self.studies if self.artefacts.path(f"{s.name}_patients") is not None}
        if not kept:
            return []
        return require_minimums(self.cohort(), tuple(kept), kept)

    # ------------------------------------------------------------------ certificate
    def _certificate_path(self) -> Path | None:
        p = self.stages_dir / "certificate" / "certificate.json"
        return p if p.exists() else None

    def certificate_inputs(self, load: bool = True) -> tuple[dict[str, Any], list[Path]]:
        """What the parity certificate checks in this run, and the result files it reads.

        Parameters
        ----------
        load : bool, default True
            Load the data of each spec; ``False``: only their names (for the cache key).

        Returns
        -------
        specs : dict
            Keyword specs for :func:`pyradiogen.certificate.certify`, gathered from each
            study's ``certificate`` declaration (``lasso`` specs concatenated).
        files : list of Path
            The result files they read, each once.
        """
        specs: dict[str, Any] = {}
        files: list[Path] = []
        for study in self.studies:
            if study.certificate is None:
                continue
            sp, fs = study.certificate(self.artefacts, self.cfg, self.cohort, self.opt.engine,
                                       load)
            for k, v in sp.items():
                if k == "lasso":
                    specs.setdefault("lasso", []).extend(v)
                else:
                    specs[k] = v
            files += [f for f in fs if f not in files]
        return specs, files

    def certificate(self) -> None:
        """Compute the parity certificate of this run (``[certificate]``).

        A seeded sample of the fast engines' results recomputed with R; cached like a stage,
        its warnings on the console and at the top of the report. Nothing happens when it is
        disabled or no study declares a check.
        """
        from ..certificate import ParityCertificate, certify

        ccfg = self.cfg.section("certificate")
        if not ccfg.enabled:
            return
        specs, files = self.certificate_inputs(load=False)
        if not specs:
            return
        t0 = time.perf_counter()
        d = self.stages_dir / "certificate"
        key = self.cache.key("certificate", files,
                             {"certificate": ccfg, "engine": self.opt.engine,
                              "seed": self.cfg.seed,
                              "code": code_version(certify)})
        ran = not (self.opt.resume and self.cache.is_done("certificate", key))
        if ran:
            started = store.now_iso()
            cert = certify(ccfg, seed=self.cfg.seed, **self.certificate_inputs()[0])
            outs = [cert.write_json(d / "certificate.json"),
                    store.write_frame(cert.table(), self.out / "tables" / "parity_certificate.csv",
                                      index=False)]
            self.cache.mark_done("certificate", key, outs, seconds=time.perf_counter() - t0,
                                 started=started)
        cert = ParityCertificate.read_json(d / "certificate.json")
        self.artefacts.update({"parity_certificate": self.out / "tables" / "parity_certificate.csv"})
        timing = self.cache.timing("certificate")
        self._record(StageRecord("certificate", "", "ran" if ran else "reused",
                                 timing.seconds if timing else None,
                                 [str(d / "certificate.json")],
                                 reused_from=None if ran or timing is None else timing.finished,
                                 wall_seconds=time.perf_counter() - t0))
        for w in cert.warnings():
            console.print(f"[bold red]warning:[/] {w}", soft_wrap=True)

    # ------------------------------------------------------------------ the run
    def plan(self) -> list[Planned]:
        """The plan for this run's cohort.

        Returns
        -------
        list of Planned
            :func:`plan` of this run's studies on the facts of its cohort.
        """
        return plan(self.studies, cohort_facts(self.manifest()))

    def run(self, report: bool = True) -> RunResult:
        """Run every stage the cohort allows (reusing finished ones), then the report.

        The cohort stages run first and the patient minimums are checked before any long
        work; all stages run inside :func:`~pyradiogen.distributed.use_cluster` of
        :attr:`scheduler`. The run's ``manifest.json`` is written last.

        Parameters
        ----------
        report : bool, default True
            Write ``report.html``.

        Returns
        -------
        RunResult
            The named results, stage records, deviations and report path.

        Raises
        ------
        CohortTooSmallError
            A study keeps fewer patients than one of its stages needs.
        ClusterUnavailableError
            A scheduler is set and does not answer.
        """
        from ..rfuncs import set_seed

        self.out.mkdir(parents=True, exist_ok=True)
        set_seed(self.cfg.seed)
        console.print(f"[bold]pyradiogen replicate[/] → {self.out} "
                      f"({'demo' if self.is_demo else 'real'} cohort, preset {self.cfg.preset}, "
                      f"modes {'/'.join(self.opt.modes)}, engine {self.opt.engine})")
        if self.generated:
            self.make_demo()
        steps = self.plan()
        # the cohort stages first (seconds): every later stage's minimum of patients is
        # checked before any long work starts
        first = [p for p in steps if p.stage.name.endswith("-cohort")]
        steps = first + [p for p in steps if p not in first]
        with use_cluster(self.scheduler), progress_task("replicate", len(steps) + 1) as advance:
            for i, p in enumerate(steps):
                if p.runnable:
                    self.run_stage(p.study, p.stage)
                else:
                    self._record(StageRecord(p.stage.name, p.study, "skipped",
                                             reason=p.reason))
                advance()
                if i == len(first) - 1:
                    self.check_minimums()
            self.certificate()
            result = RunResult(self.out, self.artefacts, self.records, self.deviations)
            if report:
                from .build_report import build_report

                result.report = build_report(self.out, self.artefacts, self.studies,
                                             self.run_info())
            advance()
        store.write_manifest(self.out, config=self.cfg.to_dict(),
                             seeds={"global": self.cfg.seed, "demo": self.rcfg.demo_seed},
                             extra={"options": {"studies": [s.name for s in self.studies],
                                                "modes": self.opt.modes,
                                                "engine": self.opt.engine,
                                                "cohort": str(self.cohort_dir),
                                                "scheduler": self.scheduler,
                                                "demo": self.is_demo},
                                    "threads": threads.describe(),
                                    "stages": [r.__dict__ for r in self.records],
                                    "artefacts": {k: str(v) for k, v in self.artefacts.items()}})
        return result

    @property
    def scheduler(self) -> str | None:
        """The Dask cluster the heavy stages use (``None``: worker processes here)."""
        return self.opt.scheduler or self.rcfg.scheduler

    def run_info(self) -> dict[str, Any]:
        """What the report states about the run (cohort, options, stages).

        Returns
        -------
        dict
            ``cohort`` (text), ``is_demo``, ``studies``, ``preset``, ``modes``, ``engine``,
            ``seed``, ``alpha``, ``cohort_dir``, ``records``, ``certificate`` (path or
            ``None``) and ``deviations``: the ``info`` of
            :func:`~pyradiogen.replicate.build_report.build_report`.
        """
        return {"cohort": ("synthetic demo cohort (generated)" if self.generated
                           else f"{'demo' if self.is_demo else 'real'}: {self.cohort_dir}"),
                "is_demo": self.is_demo, "studies": [s.name for s in self.studies],
                "preset": self.cfg.preset, "modes": tuple(self.opt.modes),
                "engine": self.opt.engine, "seed": self.cfg.seed, "alpha": self.rcfg.alpha,
                "cohort_dir": self.cohort_dir, "records": list(self.records),
                "certificate": self._certificate_path(),
                "deviations": list(self.deviations)}

