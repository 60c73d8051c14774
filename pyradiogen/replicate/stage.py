"""How a study declares its stages, and the named results they exchange.

A study (``pyradiogen/studies/<name>.py``) is a :class:`Study`: a tuple of :class:`Stage`
declarations plus the study's report sections. Each stage says, as data,

- ``reads``: what it needs — cohort parts (``cohort:clinical``, ``cohort:dicom`` …, see
  :data:`COHORT_FACTS`) and results of earlier stages by name (``drfs_qn``). A trailing ``?``
  marks an optional input; ``a|b`` needs at least one of ``a`` and ``b`` (both are used when
  present);
- ``run``: the package's public stage function, the same one its command-line sub-command
  calls, named ``"module:function"`` (``"pyradiogen.drf.stage:stage"`` …; imported only when
  the stage runs), and ``call``, the study's adapter that hands the named inputs to it and
  returns what it wrote by result name;
- ``writes``: the results it produces, by name, with where each ends up under the run's
  output folder (``tables/…``, ``figures/…``; ``None`` keeps it in the stage's own folder).
  A name ending in ``?`` may be absent; a name ending in ``/*`` is a group (one result per
  figure of a set whose size depends on the data) with a destination holding ``{name}``;
- ``params``: the configuration sections (and run options) its results depend on.

The runner (:mod:`pyradiogen.replicate.runner`) derives each stage's cache key from these
declarations: the hashes of the cohort parts and upstream results it reads, the declared
parameters and the code version (a hash of the source of the stage function's package and of
the adapter). Results are handed on as an :class:`Artefacts` mapping (name → path); nothing
downstream knows a file name.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from ..config import Config

COHORT = "cohort:"
#: What a stage can ask of the cohort (``cohort:<fact>``), and how a missing one is named.
COHORT_FACTS: dict[str, str] = {
    "dicom": "the cohort has no DICOM images (`dicom` in cohort.toml)",
    "rois": "the cohort has no ROIs (`rois`)",
    "clinical": "the cohort has no clinical table (`clinical`)",
    "expression": "the cohort has no expression data (`star_counts` or `matrix`)",
    "crf36": "the cohort has no table of the 36 TCGA phenotype features (`crf36`)",
    "timer": "the cohort has no TIMER table (`timer`)",
    "immune": "the cohort has no immune table (`immune`)",
    "risk_genes": "the cohort has no risk-gene list (`risk_genes`)",
    "genesets": "the cohort has no GMT file (`genesets`)",
    "genes": "the cohort has no gene table (`genes`)",
    "patients": "the cohort has no ID map (`patients`)",
    "truth": "the cohort has no planted truth (`truth.json`, demo cohorts)",
    "real": "the cohort is a generated demo cohort (this stage needs downloaded data)",
}


@dataclass(frozen=True)
class Read:
    """One declared input: alternatives (any one suffices) and whether it is optional."""

    names: tuple[str, ...]
    optional: bool

    @classmethod
    def parse(cls, text: str) -> Read:
        optional = text.endswith("?")
        names = tuple(n.strip() for n in text.rstrip("?").split("|") if n.strip())
        if not names:
            raise ValueError(f"empty read declaration {text!r}")
        for n in names:
            if n.startswith(COHORT) and n[len(COHORT):] not in COHORT_FACTS:
                raise ValueError(f"unknown cohort fact {n!r}; known: "
                                 f"{', '.join(COHORT + f for f in COHORT_FACTS)}")
        return cls(names, optional)

    def __str__(self) -> str:
        return "|".join(self.names) + ("?" if self.optional else "")


@dataclass(frozen=True)
class Stage:
    """One stage of a study, declared as data (see the module docstring)."""

    name: str
    run: str | Callable[..., Any]
    call: Callable[[StageContext], Mapping[str, str | os.PathLike]]
    reads: tuple[str, ...] = ()
    writes: Mapping[str, str | None] = field(default_factory=dict)
    params: tuple[str, ...] = ()
    deviations: Callable[[StageContext], list[str]] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        for r in self.reads:
            Read.parse(r)
        for name, dest in self.writes.items():
            if name.rstrip("?").endswith("/*") and (dest is None or "{name}" not in dest):
                raise ValueError(f"stage {self.name}: group {name!r} needs a destination "
                                 "holding {name}")

    @property
    def function(self) -> Callable[..., Any]:
        """The stage function (``run`` imported when given as ``"module:function"``)."""
        if callable(self.run):
            return self.run
        import importlib

        module, _, attr = self.run.partition(":")
        return getattr(importlib.import_module(module), attr)

    @property
    def inputs(self) -> tuple[Read, ...]:
        """The parsed ``reads``."""
        return tuple(Read.parse(r) for r in self.reads)

    def output_names(self, optional: bool = True) -> list[str]:
        """Declared result names (groups as ``prefix/*``), without the optional mark."""
        return [n.rstrip("?") for n in self.writes if optional or not n.endswith("?")]

    def destination(self, name: str) -> tuple[str, str | None] | None:
        """``(declared name, destination template)`` for a produced result name, or None."""
        for decl, dest in self.writes.items():
            d = decl.rstrip("?")
            if d == name or (d.endswith("/*") and name.startswith(d[:-1])):
                return d, dest
        return None


@dataclass(frozen=True)
class Study:
    """A study: its stages in run order, its report sections and its identity."""

    name: str
    title: str
    citation: str
    stages: tuple[Stage, ...]
    report: Callable[..., None] | None = None
    module: str = ""
    #: what the parity certificate checks among this study's results:
    #: ``certificate(artefacts, config, load_cohort, engine, load) -> (specs, files)`` — keyword
    #: specs for :func:`pyradiogen.certificate.certify` (only their names when ``load`` is
    #: false) and the result files they read
    certificate: Callable[..., tuple[dict[str, Any], list[Path]]] | None = None


class Artefacts(Mapping[str, Path]):
    """Named results of a run (name → path). Figures are the PNG; the SVG lies beside it."""

    def __init__(self, paths: Mapping[str, str | os.PathLike] | None = None) -> None:
        self._paths: dict[str, Path] = {k: Path(v) for k, v in (paths or {}).items()}

    def __getitem__(self, name: str) -> Path:
        try:
            return self._paths[name]
        except KeyError:
            raise KeyError(f"no result named {name!r} in this run") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __repr__(self) -> str:
        return f"Artefacts({sorted(self._paths)})"

    def update(self, other: Mapping[str, str | os.PathLike]) -> None:
        """Add (or replace) results."""
        self._paths.update({k: Path(v) for k, v in other.items()})

    def path(self, name: str) -> Path | None:
        """The path of a result, or None when this run did not produce it."""
        p = self._paths.get(name)
        return p if p is not None and p.exists() else None

    def group(self, pattern: str) -> list[Path]:
        """Paths of every result whose name matches ``pattern`` (fnmatch), in name order;
        ``"liu2023_drf_fig5/*"`` gives the members of a group."""
        return [self._paths[n] for n in sorted(self._paths)
                if fnmatch.fnmatchcase(n, pattern) and self._paths[n].exists()]

    def frame(self, name: str, **kw: Any) -> pd.DataFrame | None:
        """A tabular result read back (CSV, TSV or parquet), or None when absent."""
        p = self.path(name)
        if p is None:
            return None
        if p.suffix == ".parquet":
            return pd.read_parquet(p, **kw)
        return pd.read_csv(p, sep="\t" if p.suffix == ".tsv" else ",", **kw)

    def json(self, name: str) -> Any:
        """A JSON result read back, or None when absent."""
        p = self.path(name)
        return None if p is None else json.loads(p.read_text())


@dataclass
class StageContext:
    """What a stage's adapter (``Stage.call``) sees while it runs."""

    stage: Stage
    dir: Path
    config: Config
    options: Mapping[str, Any]
    inputs: Artefacts
    cohort_dir: Path
    load_cohort: Callable[[], Any]
    is_demo: bool = False

    def cohort(self) -> Any:
        """The loaded cohort (read once per run)."""
        return self.load_cohort()

    def has(self, name: str) -> bool:
        """Whether a result of an earlier stage is available."""
        return self.inputs.path(name) is not None

    def path(self, name: str) -> Path:
        """The path of an upstream result (KeyError naming it when absent)."""
        p = self.inputs.path(name)
        if p is None:
            raise KeyError(f"stage {self.stage.name}: result {name!r} is not available")
        return p

    def frame(self, name: str, **kw: Any) -> pd.DataFrame:
        """An upstream tabular result."""
        self.path(name)
        return self.inputs.frame(name, **kw)

    def json(self, name: str) -> Any:
        """An upstream JSON result."""
        self.path(name)
        return self.inputs.json(name)

    def section(self, name: str) -> Any:
        """A configuration section."""
        return self.config.section(name)
