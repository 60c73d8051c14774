"""The genomic-feature stage: signatures, ssGSEA scores and risk-gene features of a cohort.

The genomic-feature stage: a cohort's expression → signatures (PAM50 included), ssGSEA
pathway scores and risk-gene features, written into one folder.

Files (``out_dir``): ``expression_log2.parquet`` (patients × genes, prepared as
:func:`~.expression.cohort_expression` says), ``signatures.csv`` (genefu's signatures, module
scores and subtype calls, ``pam50_subtype`` among them; index ``sample``), ``ssgsea.csv``
(patients × gene sets; with ``pathways``), ``risk_genes.csv`` and ``risk_note.json`` (with
``risk``; the table only when a risk-gene list exists) and ``genomics.json`` (how the
expression was prepared, the warnings the signatures raised, and ``oncotypedx_clamped``: how
many OncotypeDX scores, and whose, sit at genefu's clamp bound 0 or 100 — also marked in
``signatures.csv``'s ``oncotypedx_clamped`` column and warned about on their own).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from .. import store


def stage(cohort: Any, out_dir: str | os.PathLike, config: Any = None,
          study: str = "liu2023",
          pathways: bool = True, risk: bool = True) -> dict[str, Path]:
    """Compute a cohort's genomic features for a study and write them to ``out_dir``.

    Missing signature genes are named in ``genomics.json`` (``warnings``) and summarised once
    on the console; OncotypeDX scores at genefu's clamp bound are warned about on their own
    and recorded in ``genomics.json`` (``oncotypedx_clamped``).

    Parameters
    ----------
    cohort : Cohort
        A loaded cohort with expression.
    out_dir : str or PathLike
        Output folder.
    config : GenomicsConfig or None, default None
        ``[genomics]`` section (``None``: paper preset).
    study : {"liu2023", "kim2020"}, default "liu2023"
        Whose preparation and features (see the module docstring).
    pathways : bool, default True
        Also compute ssGSEA KEGG scores.
    risk : bool, default True
        Also the risk-gene features (when a list is given).

    Returns
    -------
    dict of str to Path
        ``expression``, ``signatures``, ``ssgsea``, ``risk_genes``, ``risk_note`` and
        ``genomics`` (what was written).
    """
    from .expression import cohort_expression, default_genomics_config, matrix_preparation
    from .risk import cohort_risk_features
    from .signatures import (
        ONCOTYPEDX_BOUNDS,
        ClampedScoreWarning,
        annotation_from_genes,
        compute_signatures,
    )
    from .ssgsea import pathway_scores

    cfg = config or default_genomics_config()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    expr = cohort_expression(cohort, cfg, study=study)
    annot = annotation_from_genes(list(expr.columns), cohort.genes)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sig = compute_signatures(expr, annot, do_mapping=True)
    sig.index.name = "sample"
    sig_warnings = list(dict.fromkeys(str(w.message) for w in caught
                                      if not issubclass(w.category, (DeprecationWarning,
                                                                     FutureWarning,
                                                                     ClampedScoreWarning))))
    clamp_msgs = [str(w.message) for w in caught if issubclass(w.category, ClampedScoreWarning)]
    clamped = _clamped_summary(sig, ONCOTYPEDX_BOUNDS)
    for msg in clamp_msgs:    # a degenerate result: said on its own, not among the gene notes
        warnings.warn(f"signatures (study {study}): {msg}", ClampedScoreWarning, stacklevel=2)
    paths: dict[str, Path] = {"signatures": store.write_frame(sig, out / "signatures.csv")}
    if pathways:
        kegg = pathway_scores(cohort, cfg, expr)
        kegg.index.name = "sample"
        paths["ssgsea"] = store.write_frame(kegg, out / "ssgsea.csv")
    paths["expression"] = store.write_frame(expr, out / "expression_log2.parquet")
    if risk:
        table, note = cohort_risk_features(cohort, cfg, expr)
        paths["risk_note"] = store.write_json(out / "risk_note.json", note)
        if table is not None:
            table.index.name = "sample"
            paths["risk_genes"] = store.write_frame(table, out / "risk_genes.csv")
    kim = study == "kim2020"
    matrix = cohort.manifest.path("star_counts") is None
    prep = matrix_preparation(cohort, cfg, study) if matrix else {
        "source": "star_counts",
        "value": cfg.kim2020_expression_value if kim else cfg.expression_value,
        "kind": cfg.kim2020_expression_kind if kim else cfg.expression_kind,
        "normalization": cfg.kim2020_normalization if kim else cfg.normalization}
    paths["genomics"] = store.write_json(out / "genomics.json", {
        "study": study, "patients": int(len(expr)), "genes": int(expr.shape[1]),
        "preparation": prep, "warnings": sig_warnings, "oncotypedx_clamped": clamped})
    if sig_warnings:
        warnings.warn(f"signatures (study {study}): {len(sig_warnings)} warning(s) from the "
                      f"genefu functions, e.g. {sig_warnings[0]} — all in "
                      f"{paths['genomics']}", UserWarning, stacklevel=2)
    return paths


def _clamped_summary(sig, bounds: tuple[float, float]) -> dict:
    """``genomics.json``'s record of the OncotypeDX scores at genefu's clamp bound."""
    if "oncotypedx_clamped" not in sig:
        return {"n": 0, "of": 0, "at_100": 0, "at_0": 0, "samples": []}
    flag = sig["oncotypedx_clamped"].fillna(False).astype(bool)
    score = sig["oncotypedx"]
    return {"n": int(flag.sum()), "of": int(score.notna().sum()),
            "at_100": int((score == bounds[1]).sum()), "at_0": int((score == bounds[0]).sum()),
            "samples": [str(i) for i in sig.index[flag.to_numpy()]]}

def oncotypedx_clamp_note(genomics: dict | None, study: str) -> list[str]:
    """The report note on OncotypeDX scores at genefu's clamp bound (empty when none).

    Parameters
    ----------
    genomics : dict or None
        The genomics stage's ``genomics.json``.
    study : str
        The study, for the note.

    Returns
    -------
    list of str
        One sentence, or none.
    """
    c = (genomics or {}).get("oncotypedx_clamped") or {}
    if not c.get("n"):
        return []
    names = ", ".join(c["samples"][:10]) + (" …" if len(c["samples"]) > 10 else "")
    return [f"OncotypeDX ({study}): {c['n']} of {c['of']} patients' recurrence scores sit at "
            f"genefu's clamp bound ({c['at_100']} at 100, {c['at_0']} at 0; {names}): genefu "
            "rescales each gene to 0-15 over the cohort and clamps the score to [0, 100], a "
            "scaling made for microarray data that RNA-seq saturates. The scores are genefu's; "
            "signatures.csv marks these patients (oncotypedx_clamped)."]
