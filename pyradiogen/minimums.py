"""The fewest patients each stage of ``replicate`` needs, and why — stated once, here.

A stage's statistics stop being computable below a number of patients: the LME's degrees of
freedom, the upper-quartile classes of the nnet/XGBoost models, the t-SNE neighbourhood,
leave-one-out LASSO, the inter-reader ICC. :data:`MINIMUMS` lists, per study and stage, the
patients counted (a study's kept patients, or those of them with CRF36 features, with TIMER
estimates, with both readers' ROIs) and the minimum with its reason. The stages' code reads
its thresholds from here (:func:`minimum`), ``pyradiogen validate`` reports every stage's
count against its minimum (text and ``--json``, key ``minimums``), and ``pyradiogen
replicate`` refuses a cohort below the minimum of a stage it would run before any work,
naming the stage, the count and the reason.

These are the sizes at which the methods *run*, not sizes with useful power: the published
studies had 110 and 122 patients.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: what each kind of count means (the key of :attr:`Minimum.counted`)
COUNTED = {
    "study1": "study 1's patients",
    "study1_crf36": "study 1's patients with CRF36",
    "study1_timer": "study 1's patients with TIMER",
    "study1_crf36_timer": "study 1's patients with CRF36 and TIMER",
    "study2": "study 2's patients",
}


@dataclass(frozen=True)
class Minimum:
    """The fewest ``patients`` (of kind ``counted``) stage ``stage`` of ``study`` needs."""

    study: str
    stage: str
    patients: int
    counted: str
    reason: str

    def describe(self) -> str:
        return (f"{self.stage}: at least {self.patients} {COUNTED[self.counted]}"
                f" — {self.reason}")


#: every stage's minimum; the stages' code reads these (one place to change them)
MINIMUMS: tuple[Minimum, ...] = (
    Minimum("liu2023", "liu2023-genomics", 2, "study1",
            "genefu rescales each signature and ssGSEA normalises its scores over the patients "
            "scored together"),
    Minimum("liu2023", "liu2023-drf", 2, "study1",
            "the autoencoder's train/validation split needs images of 2 patients"),
    Minimum("liu2023", "liu2023-associate", 3, "study1",
            "lme(X ~ G, random = ~1 | patient): the GF's denominator degrees of freedom are "
            "patients - 2"),
    Minimum("liu2023", "liu2023-associate", 3, "study1_crf36",
            "the same LME scan on the 36 CRFs (one row per patient)"),
    Minimum("liu2023", "liu2023-predict", 10, "study1_timer",
            "the signature/immune classes (nnet, XGBoost) binarise each target at its upper "
            "quartile and split 80/20: fewer than 10 patients leave a class of one or none"),
    Minimum("liu2023", "liu2023-predict", 10, "study1_crf36_timer",
            "the same classes on the CRF36 features"),
    Minimum("liu2023", "liu2023-explore", 5, "study1",
            "t-SNE of patients (perplexity 5) needs at least 5 rows"),
    Minimum("liu2023", "liu2023-explore", 5, "study1_crf36",
            "the same t-SNE on the CRF36 features"),
    Minimum("kim2020", "kim2020-crf", 2, "study2",
            "the inter-reader ICC needs 2 patients rated by both readers"),
    Minimum("kim2020", "kim2020-associate", 3, "study2",
            "Spearman correlation and Kruskal-Wallis tests need 3 patients"),
    Minimum("kim2020", "kim2020-predict", 5, "study2",
            "leave-one-out LASSO of each risk score on its Spearman-screened features"),
    Minimum("kim2020", "kim2020-explore", 5, "study2",
            "t-SNE and Kruskal-Wallis heatmaps of the pyradiomics features"),
)


def minimum(study: str, stage: str, counted: str | None = None) -> int:
    """The minimum of one stage (the largest when it counts several kinds of patients)."""
    vals = [m.patients for m in MINIMUMS if m.study == study and m.stage == stage
            and (counted is None or m.counted == counted)]
    if not vals:
        raise KeyError(f"no minimum for {study} {stage} ({counted or 'any count'})")
    return max(vals)


def patient_counts(cohort, studies: tuple[str, ...] = ("liu2023", "kim2020"),
                   kept: dict[str, Any] | None = None,
                   assemble: dict[str, Any] | None = None) -> dict[str, int | None]:
    """The counts of :data:`COUNTED` for a loaded cohort.

    ``kept`` may give each study's kept patients (``validate`` and the runner have them
    already); otherwise the studies are assembled with ``assemble`` (study name → its
    ``assemble(cohort)`` function; the caller passes them, as this module knows no study). A count is ``None`` where it does not apply: the cohort lacks
    the part (no CRF36 table, no ROIs) or the study cannot be assembled (``validate`` says
    why).
    """
    kept = dict(kept or {})
    out: dict[str, int | None] = dict.fromkeys(COUNTED)
    for study in ("liu2023", "kim2020"):
        if study not in studies or study in kept:
            continue
        if study == "kim2020" and cohort.manifest.path("rois") is None:
            continue
        if study not in (assemble or {}):
            continue
        try:
            kept[study] = assemble[study](cohort).patients
        except Exception:  # noqa: BLE001 - validate reports why a study cannot be assembled
            continue
    if "liu2023" in studies and kept.get("liu2023") is not None:
        s1 = set(map(str, kept["liu2023"]))
        crf36, timer = _part(cohort, "crf36"), _part(cohort, "timer")
        c36 = s1 & set(map(str, crf36.index)) if crf36 is not None else None
        tim = s1 & set(map(str, timer.index)) if timer is not None else None
        out["study1"] = len(s1)
        out["study1_crf36"] = None if c36 is None else len(c36)
        out["study1_timer"] = None if tim is None else len(tim)
        out["study1_crf36_timer"] = None if c36 is None or tim is None else len(c36 & tim)
    if "kim2020" in studies and kept.get("kim2020") is not None:
        out["study2"] = len(set(map(str, kept["kim2020"])))
    return out


def _part(cohort, name: str):
    """A cohort table, or None when it is absent or unreadable (``validate`` reports why)."""
    try:
        return getattr(cohort, name)
    except Exception:  # noqa: BLE001 - the part's own check names the problem
        return None


def check_minimums(counts: dict[str, int | None],
                   studies: tuple[str, ...] = ("liu2023", "kim2020")) -> list[dict[str, Any]]:
    """One row per minimum of ``studies``: the :class:`Minimum`'s fields, ``n`` (the count;
    ``None`` where it does not apply) and ``ok`` (``None`` where it does not apply)."""
    rows = []
    for m in MINIMUMS:
        if m.study not in studies:
            continue
        n = counts.get(m.counted)
        rows.append({**asdict(m), "counted_as": COUNTED[m.counted], "n": n,
                     "ok": None if n is None else n >= m.patients})
    return rows


def shortfalls(rows: list[dict[str, Any]]) -> list[str]:
    """One line per stage below its minimum (empty when every stage that applies has enough):
    ``liu2023-predict: 9 of the 10 study 1's patients with CRF36 it needs (why)``."""
    return [f"{r['stage']}: {r['n']} of the {r['patients']} "
            f"{r['counted_as']} it needs ({r['reason']})" for r in rows if r["ok"] is False]


class CohortTooSmallError(ValueError):
    """The cohort has fewer patients than a stage it would run needs."""


def require_minimums(cohort, studies: tuple[str, ...] = ("liu2023", "kim2020"),
                     kept: dict[str, Any] | None = None,
                     assemble: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Raise :class:`CohortTooSmallError` naming every stage of ``studies`` below its
    minimum (count, minimum, reason); return the rows of :func:`check_minimums` otherwise."""
    rows = check_minimums(patient_counts(cohort, studies, kept, assemble), studies)
    short = shortfalls(rows)
    if short:
        root = getattr(cohort, "root", "the cohort")
        raise CohortTooSmallError(
            f"cohort {root} is too small for {' and '.join(studies)}: {len(short)} stage "
            "minimum(s) not met — " + "; ".join(short)
            + " — fix: use a cohort with more patients, or run only the study that fits "
              "(--study); `pyradiogen validate` lists every stage's minimum")
    return rows
