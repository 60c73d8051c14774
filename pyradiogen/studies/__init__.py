"""The studies ``pyradiogen replicate`` reproduces, each declared as data in one module.

- :mod:`.liu2023` — Liu & Hu 2023 (deep radiomic features, LME associations, prediction);
- :mod:`.kim2020` — Kim et al. 2020 (pyradiomics features, ICC, screens, LOO LASSO).

A study module holds everything specific to its paper: the published numbers (and nothing
else in the package holds them), its constants (the signatures or scores it uses), its
exclusion rules (``assemble(cohort) -> StudyCohort``), its stages and its report sections.
Each stage is a :class:`~pyradiogen.replicate.stage.Stage`: what it reads (cohort parts and
earlier results, by name), the public stage function of its package that it runs — the same
one the command-line sub-command calls — and the named results it writes. The generic runner
(:mod:`pyradiogen.replicate.runner`) plans, caches and runs them; the report looks results up
by name.

Adding a third study
--------------------
Write one module here, ``pyradiogen/studies/<name>.py``, that defines ``STUDY``::

    from ..replicate.stage import Stage, Study

    def _screen(ctx):                                    # the adapter: named inputs → call
        from ..associate.univariate import write_univariate
        feats = ctx.frame("drfs_qn").drop(columns="image_id").groupby("patient_id").mean()
        pam50 = ctx.cohort().clinical["pam50"].reindex(feats.index)
        p = write_univariate(feats, ctx.dir, pam50=pam50)
        return {"doe2025_kruskal": p["kruskal"]}      # result name → file written

    STAGES = (Stage("doe2025-screen", run="pyradiogen.associate.univariate:write_univariate",
                    call=_screen, reads=("drfs_qn", "cohort:clinical"),
                    writes={"doe2025_kruskal": "tables/doe2025_kruskal.csv"}),)
    STUDY = Study(name="doe2025", title="Doe et al. 2025", citation="…", stages=STAGES,
                  report=None)

It is found by name (``replicate --study doe2025``; ``--study all`` runs every study). Its
stages may read the results of another study's stages by name (``drfs_qn`` above is written
by ``liu2023-drf``); such a stage runs when that study's stages run in the same
``replicate`` (``--study all``) or when it declares the stage itself. See
``docs/ARCHITECTURE.md`` ("Adding a study").
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..replicate.stage import Study

#: the studies in the order ``--study all`` runs them
ORDER = ("liu2023", "kim2020")


def names() -> list[str]:
    """Every study module of this package (``liu2023``, ``kim2020``, then any other, sorted).

    Returns
    -------
    list of str
        Study IDs.
    """
    found = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return [n for n in ORDER if n in found] + [n for n in found if n not in ORDER]


def get(name: str) -> Study:
    """The :class:`~pyradiogen.replicate.stage.Study` declared by ``studies/<name>.py``.

    Parameters
    ----------
    name : str
        Study ID.

    Returns
    -------
    Study
        Its ``STUDY``.

    Raises
    ------
    ValueError
        For an unknown study (the known ones named).
    """
    if name not in names():
        raise ValueError(f"unknown study {name!r}; known: {', '.join(names())}")
    return importlib.import_module(f"{__name__}.{name}").STUDY


def studies(which: str | list[str] | tuple[str, ...] = "all") -> list[Study]:
    """The studies to run.

    Parameters
    ----------
    which : str or sequence of str, default "all"
        ``"all"``, one study ID or several.

    Returns
    -------
    list of Study
        In order.

    Raises
    ------
    ValueError
        For an unknown study.
    """
    if which == "all":
        return [get(n) for n in names()]
    return [get(n) for n in ([which] if isinstance(which, str) else which)]
