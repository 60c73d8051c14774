"""Score the association scan against a demo cohort's planted truth.

A genomic feature (GF) is *truly linked* to the images when it is driven by a latent factor
that also drives a lesion property (``truth.json``: ``image_links``, ``gene_loadings``,
``signatures``, ``pathways``, ``risk_genes``). A GF is *called* when at least one feature is
significantly associated with it (BH-adjusted p < alpha). Power is the share of linked GFs
called; the false-discovery rate is the share of called GFs that are not linked.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import ReplicateJob


def linked_gfs(truth: dict[str, Any], gf_types: dict[str, str]) -> dict[str, bool]:
    """For every GF of the scan, whether the planted biology links it to the images."""
    image_factors = {f for links in truth.get("image_links", {}).values() for f in links}
    loadings = truth.get("gene_loadings", {})

    def factors_of(entry: Any) -> set[str]:
        if isinstance(entry, dict):
            if "factors" in entry:
                return {f for f, w in entry["factors"].items() if w}
            if "factor" in entry:
                return {entry["factor"]}
            return {f for f, w in entry.items() if isinstance(w, (int, float)) and w}
        return set()

    planted = {}
    for group in ("signatures", "pathways", "risk_genes"):
        for name, entry in (truth.get(group) or {}).items():
            planted[name] = factors_of(entry)
    out = {}
    for gf, kind in gf_types.items():
        if gf in planted:
            facs = planted[gf]
        elif kind == "risk_gene":
            facs = set(loadings.get(gf, {}))
        else:
            facs = set()
        out[gf] = bool(facs & image_factors)
    return out


def score_calls(called: set[str], linked: dict[str, bool]) -> dict[str, Any]:
    """Power and FDR of a set of called GFs against the linked/unlinked truth."""
    true = {g for g, v in linked.items() if v}
    tp = len(called & true)
    fp = len(called - true)
    return {"linked GFs": len(true), "unlinked GFs": len(linked) - len(true),
            "called GFs": len(called), "true positives": tp, "false positives": fp,
            "power": tp / len(true) if true else float("nan"),
            "FDR": fp / len(called) if called else 0.0}


def score_against_truth(job: ReplicateJob) -> pd.DataFrame | None:
    """One row per feature set (DRF, CRF) and GF type: power and FDR of the scan."""
    truth_path = job.cohort_dir / "truth.json"
    if not truth_path.exists():
        return None
    truth = json.loads(truth_path.read_text())
    types = job.gf_types()
    rows = []
    for label in ("drf", "crf"):
        path = job.stages_dir / "associate-liu" / label / "associations.csv"
        if not path.exists():
            continue
        assoc = pd.read_csv(path, usecols=["gf", "p_adj"])
        called_all = set(assoc.loc[assoc["p_adj"] < job.rcfg.alpha, "gf"])
        linked = linked_gfs(truth, types)
        for kind in ("risk_gene", "signature", "kegg", None):
            sub = {g: v for g, v in linked.items() if kind is None or types[g] == kind}
            if not sub:
                continue
            row = score_calls(called_all & set(sub), sub)
            rows.append({"features": label.upper(), "GF type": kind or "all", **row})
    return pd.DataFrame(rows) if rows else None
