"""Assemble ``report.html`` from a finished run: its named results, its studies' sections.

The report knows no file name: each study's ``report(rep, artefacts, info)`` adds its sections,
looking its results up by name in the :class:`~.stage.Artefacts` mapping; this module adds
what every run has (settings, deviations, the stages run, reused and skipped).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .. import __version__
from .report import Report, Section
from .stage import Artefacts, Study


def figures(rep: Report, sec: Section, art: Artefacts, patterns: Sequence[str],
            missing: str) -> None:
    """Add every figure whose result name matches one of ``patterns`` (in that order), or a
    note naming what was not produced.
    """
    found: list[Path] = []
    for pat in patterns:
        for p in art.group(pat):
            if p.suffix == ".png" and p not in found:
                found.append(p)
    if not found:
        rep.text(sec, f"Figure not produced in this run: {missing}.", "note")
    for f in found:
        rep.figure(sec, f, f.stem.replace("_", " "))


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
        "stages": "; ".join(f"{r.name}: {r.label}" for r in records),
    }
    rep = Report("pyradiogen replicate: " + " and ".join(s.title for s in studies), meta)
    for dev in info.get("deviations", []):
        rep.deviation(dev)
    if info.get("is_demo"):
        rep.deviation("Demo cohort: synthetic images and expression with planted links stand in "
                      "for TCIA/TCGA data, so numbers are not expected to match the papers; the "
                      "truth section scores the pipeline instead.")
    _certificate(rep, info.get("certificate"))
    skipped = [r for r in records if r.status == "skipped"]
    if skipped:
        sec = rep.section("Stages not run on this cohort")
        rep.text(sec, "Each stage runs when the cohort holds its inputs; these lacked one.",
                 "note")
        rep.table(sec, "Skipped stages", pd.DataFrame(
            [{"stage": r.name, "study": r.study, "missing": r.reason} for r in skipped]))
    for study in studies:
        if study.report is not None:
            study.report(rep, artefacts, info)
    return rep.write(Path(out) / "report.html")


def _certificate(rep: Report, path: Path | None) -> None:
    """The parity certificate (``path``: its JSON): first, and a deviation at the top of the
    report if it failed.
    """
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
