"""Assemble ``report.html`` from a finished run: its named results, its studies' sections.

The report knows no file name: each study's ``report(rep, artefacts, info)`` adds its sections,
looking its results up by name in the :class:`~.stage.Artefacts` mapping; this module adds
what every run has (settings, deviations, the stages run, reused and skipped).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from .report import Report, Section
from .stage import Artefacts, Study


def caption_of(name: str, captions: Mapping[str, tuple[str, str]]) -> tuple[str, str] | None:
    """The (title, caption) of a result: ``captions`` keyed by result name or fnmatch pattern
    (an exact name wins, then the first matching pattern)."""
    if name in captions:
        return captions[name]
    for pat, cap in captions.items():
        if fnmatch.fnmatchcase(name, pat):
            return cap
    return None


def figures(rep: Report, sec: Section, art: Artefacts, patterns: Sequence[str],
            missing: str, captions: Mapping[str, tuple[str, str]] | None = None) -> None:
    """Add every figure whose result name matches one of ``patterns`` (in that order; within
    a pattern in the order of ``captions``), with
    its title and caption from ``captions`` (result name or pattern → (title, caption)), or a
    note naming what was not produced."""
    found: dict[str, Path] = {}
    rank = {k: i for i, k in enumerate(captions or {})}

    def order(name: str) -> tuple[int, str]:
        keys = [k for k in rank if k == name or fnmatch.fnmatchcase(name, k)]
        return (min((rank[k] for k in keys), default=len(rank)), name)

    for pat in patterns:
        for name in sorted((n for n in art if fnmatch.fnmatchcase(n, pat)), key=order):
            p = art[name]
            if p.suffix == ".png" and p not in found.values():
                found[name] = p
    if not found:
        rep.text(sec, f"Figure not produced in this run: {missing}.", "note")
    caps = {name: caption_of(name, captions or {}) for name in found}
    for name, f in found.items():
        cap = caps[name]
        if cap is None:
            title = name.split("/")[-1].replace("_", " ")
            cap = (title, f"{missing}: {title}.")
        same = [n for n in found if caps[n] is not None and caps[n] == cap]
        title = cap[0]
        if len(same) > 1:  # several figures of one kind: name what tells them apart
            title += f" ({_distinct(name, same)})"
        rep.figure(sec, f, cap[1], title=title)


def _distinct(name: str, group: Sequence[str]) -> str:
    """The words of ``name`` that its group does not share (``drf kegg`` of
    ``liu2023_drf_figures/fig5_heatmap_drf_kegg`` among the other heatmaps)."""
    words = [n.replace("/", "_").split("_") for n in group]
    mine = name.replace("/", "_").split("_")
    common = set.intersection(*(set(w) for w in words))
    rest = [w for w in mine if w not in common]
    return " ".join(rest).replace("crf", "CRF").replace("drf", "DRF").replace("kegg", "KEGG") or name


def stage_table(records: Sequence[Any]) -> pd.DataFrame:
    """One row per stage: its study, what happened to it and the time of the run that produced
    its outputs (``StageRecord.label``: ``ran in 12.3 s``, ``reused from … (ran in 12.3 s)``,
    ``skipped (reason)``)."""
    return pd.DataFrame([{"stage": r.name, "study": r.study, "status": r.status,
                          "time of the producing run": "—" if r.status == "skipped"
                          else r.label,
                          "missing input": r.reason if r.status == "skipped" else ""}
                         for r in records],
                        columns=["stage", "study", "status", "time of the producing run",
                                 "missing input"])


def build_report(out: Path, artefacts: Artefacts, studies: Sequence[Study],
                 info: dict[str, Any]) -> Path:
    """Write ``out/report.html`` from a run's named results; return its path.

    ``info``: ``cohort`` (text), ``is_demo``, ``preset``, ``modes``, ``engine``, ``seed``,
    ``records`` (the stage records: ``name``, ``study``, ``status``, ``seconds``, ``reason``)
    and ``deviations`` (texts).
    """
    records = info.get("records", [])
    meta = {
        "cohort": info["cohort"],
        "studies": ", ".join(s.name for s in studies),
        "preset": info["preset"],
        "prediction modes": ", ".join(info["modes"]),
        "LME engine": info["engine"],
        "seed": info["seed"],
        "pyradiogen": __version__,
    }
    rep = Report("pyradiogen replicate: " + " and ".join(s.title for s in studies), meta,
                 stages=stage_table(records) if records else None)
    for dev in info.get("deviations", []):
        rep.deviation(dev)
    if info.get("is_demo"):
        rep.deviation("Demo cohort: synthetic images and expression with planted links stand in "
                      "for TCIA/TCGA data, so numbers are not expected to match the papers; the "
                      "truth section scores the pipeline instead.")
    _certificate(rep, info.get("certificate"))
    for study in studies:
        if study.report is not None:
            study.report(rep, artefacts, info)
    return rep.write(Path(out) / "report.html")


def _certificate(rep: Report, path: Path | None) -> None:
    """The parity certificate (``path``: its JSON): first, and a deviation at the top of the
    report if it failed."""
    from ..certificate import ParityCertificate

    sec = rep.section("Parity certificate: fast engines against R on this run's data")
    if path is None or not Path(path).exists():
        rep.text(sec, "No parity certificate in this run ([certificate] enabled = false, or "
                 "every result came from R).", "note")
        return
    cert = ParityCertificate.read_json(path)
    rep.text(sec, "A seeded sample of this run's fast results recomputed with the R reference "
             "(nlme, GSVA, glmnet, psych): per engine and quantity, the largest absolute and "
             "relative difference beside the tolerance its parity test asserts.", "note")
    rep.html(sec, cert.to_html())
    if not cert.passed:
        for w in cert.warnings():
            rep.deviation(w)
