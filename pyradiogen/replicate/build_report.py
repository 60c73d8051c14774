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
    """The (title, caption) of a result, looked up by name or by pattern.

    Parameters
    ----------
    name : str
        Result name in the run's artefacts (``liu2023_drf_figures/fig5_heatmap_drf_kegg``).
    captions : mapping of str to (str, str)
        Result name or ``fnmatch`` pattern → (title, caption).

    Returns
    -------
    tuple of (str, str) or None
        The exact name's entry if there is one, else that of the first pattern (in the
        mapping's order) that matches ``name``; ``None`` when nothing matches.
    """
    if name in captions:
        return captions[name]
    for pat, cap in captions.items():
        if fnmatch.fnmatchcase(name, pat):
            return cap
    return None


def figures(rep: Report, sec: Section, art: Artefacts, patterns: Sequence[str],
            missing: str, captions: Mapping[str, tuple[str, str]] | None = None) -> None:
    """Add every PNG figure whose result name matches ``patterns`` to a report section.

    Figures follow the order of ``patterns`` and, within a pattern, the order of
    ``captions`` (then the name); a file matched twice is added once. Each gets its title and
    caption from ``captions`` (:func:`caption_of`); one without a caption is titled after its
    name. Where several figures share a caption, the words of their names that tell them
    apart are added to the title. When nothing matches, a note naming what is missing is
    added instead.

    Parameters
    ----------
    rep : Report
        The report being built.
    sec : Section
        The section the figures go into.
    art : Artefacts
        The run's named results (result name → file path).
    patterns : sequence of str
        Result names or ``fnmatch`` patterns of the figures, in the order wanted.
    missing : str
        What the figures show, for the note when none was produced and the caption of an
        uncaptioned figure.
    captions : mapping of str to (str, str), optional
        Result name or pattern → (title, caption).
    """
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
    """The words of ``name`` that its group does not share.

    ``drf kegg`` of ``liu2023_drf_figures/fig5_heatmap_drf_kegg`` among the other heatmaps.
    """
    words = [n.replace("/", "_").split("_") for n in group]
    mine = name.replace("/", "_").split("_")
    common = set.intersection(*(set(w) for w in words))
    rest = [w for w in mine if w not in common]
    return " ".join(rest).replace("crf", "CRF").replace("drf", "DRF").replace("kegg", "KEGG") or name


def stage_table(records: Sequence[Any]) -> pd.DataFrame:
    """The report's table of stages: one row per stage record.

    Parameters
    ----------
    records : sequence of StageRecord
        The run's stage records (:class:`~pyradiogen.replicate.runner.StageRecord`: ``name``,
        ``study``, ``status``, ``label``, ``reason``).

    Returns
    -------
    DataFrame, shape (n_stages, 5)
        Columns ``stage``, ``study``, ``status``, ``time of the producing run`` (the
        record's label: ``ran in 12.3 s``, ``reused from … (ran in 12.3 s)``; ``—`` for a
        skipped stage) and ``missing input`` (the reason a stage was skipped, else empty).
    """
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

    The report opens with the run's settings, the stages table and the deviations (a demo
    cohort and a failed parity certificate add their own), then the parity certificate, then
    each study's sections (its ``report(rep, artefacts, info)`` hook).

    Parameters
    ----------
    out : Path
        The run's output folder.
    artefacts : Artefacts
        The run's named results (result name → file path).
    studies : sequence of Study
        The studies run, in report order.
    info : dict
        Run facts: ``cohort`` (text), ``preset``, ``modes`` (prediction modes), ``engine``
        (LME engine) and ``seed`` are required; optional ``is_demo``, ``records`` (the stage
        records), ``deviations`` (texts) and ``certificate`` (path of the parity
        certificate's JSON).

    Returns
    -------
    Path
        ``out/report.html``, written atomically.

    Raises
    ------
    KeyError
        A required ``info`` key is missing.
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
    """Add the parity certificate section (``path``: its JSON).

    It comes first, and adds a deviation at the top of the report if it failed.
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
