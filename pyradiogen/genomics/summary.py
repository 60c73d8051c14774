"""Summaries of the genomic features a run computed, for the report and the console.

What the genomics stage wrote (signature scores, PAM50 calls, ssGSEA scores) described in a
few rows: per score its count, missing values, mean, SD and range (:func:`score_summary`);
subtype counts (:func:`subtype_counts`); the size of an ssGSEA score table
(:func:`gene_set_overview`). A degenerate score (missing for every sample, one value, or
constant) is said in a ``note``, never printed as a number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .subtypes import PAM50_CLASSES

__all__ = ["gene_set_overview", "restrict_to", "score_summary", "subtype_counts"]

SUMMARY_COLUMNS = ["score", "column", "n", "missing", "mean", "SD", "min", "median", "max",
                   "note"]


def restrict_to(table: pd.DataFrame, samples: Sequence[str] | None) -> pd.DataFrame:
    """The rows of ``table`` that belong to ``samples`` (all rows when ``samples`` is None).

    Parameters
    ----------
    table : DataFrame, shape (n_samples, n_columns)
        Indexed by sample (patient) ID.
    samples : sequence of str or None
        The samples to keep, e.g. a study's patients; IDs absent from ``table`` are ignored.

    Returns
    -------
    DataFrame, shape (n_kept, n_columns)
        In ``table``'s order.
    """
    if samples is None:
        return table
    return table.loc[table.index.isin(pd.Index(samples))]


def score_summary(scores: pd.DataFrame, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per score: samples with a value, missing values, mean, SD and range.

    Parameters
    ----------
    scores : DataFrame, shape (n_samples, n_scores)
        Scores per sample (signature scores, ssGSEA enrichment scores; unitless).
    names : mapping of str to str, optional
        Column → the name to show (the paper's); only these columns, in this order, when
        given (a column the table lacks gets a row saying so). All numeric columns otherwise.

    Returns
    -------
    DataFrame, shape (n_scores, 10)
        Columns ``score`` (the name shown), ``column``, ``n`` (samples with a value),
        ``missing``, ``mean``, ``SD`` (``ddof=1``), ``min``, ``median``, ``max`` and ``note``.
        Statistics that are not defined are NaN with the reason in ``note``: a score missing
        for every sample (not computed), an SD of one value, a constant score.
    """
    if names is None:
        cols = [c for c in scores.columns if pd.api.types.is_numeric_dtype(scores[c])
                and not pd.api.types.is_bool_dtype(scores[c])]
        names = {c: str(c) for c in cols}
    rows = []
    for col, shown in names.items():
        if col not in scores.columns:
            rows.append({"score": shown, "column": col, "n": 0, "missing": len(scores),
                         "note": "not computed: not in the table the stage wrote"})
            continue
        v = pd.to_numeric(scores[col], errors="coerce").to_numpy(dtype=float)
        ok = v[np.isfinite(v)]
        row: dict[str, Any] = {"score": shown, "column": col, "n": int(ok.size),
                               "missing": int(v.size - ok.size), "note": ""}
        if ok.size == 0:
            row["note"] = f"not computed: missing for all {v.size} samples"
        else:
            row.update(mean=float(ok.mean()), min=float(ok.min()),
                       median=float(np.median(ok)), max=float(ok.max()))
            if ok.size == 1:
                row["note"] = "SD not defined (one sample with a value)"
            elif np.ptp(ok) == 0:
                row["note"] = "constant across samples (SD 0)"
                row["SD"] = 0.0
            else:
                row["SD"] = float(ok.std(ddof=1))
        rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def subtype_counts(calls: pd.Series, classes: Sequence[str] = PAM50_CLASSES) -> pd.DataFrame:
    """Samples per subtype call, every class shown, and the samples without a call.

    Parameters
    ----------
    calls : Series, shape (n_samples,)
        One subtype label per sample (missing: no call).
    classes : sequence of str, default ("LumA", "LumB", "Her2", "Basal", "Normal")
        The classes, shown in this order even when no sample has them; other labels follow.

    Returns
    -------
    DataFrame
        Columns ``subtype``, ``n`` and ``percent`` (of the samples with a call, one
        decimal); a last row ``no call`` when some samples have none (its percent is of all
        samples).
    """
    s = pd.Series(calls, dtype=object)
    called = s.dropna().astype(str)
    counts = called.value_counts()
    labels = list(classes) + sorted(set(counts.index) - set(classes))
    total = len(called)
    rows = [{"subtype": lab, "n": int(counts.get(lab, 0)),
             "percent": round(100 * counts.get(lab, 0) / total, 1) if total else np.nan}
            for lab in labels]
    if len(s) > total:
        rows.append({"subtype": "no call", "n": len(s) - total,
                     "percent": round(100 * (len(s) - total) / len(s), 1)})
    return pd.DataFrame(rows, columns=["subtype", "n", "percent"])


def gene_set_overview(scores: pd.DataFrame) -> dict[str, Any]:
    """The size and range of an ssGSEA score table, as named values.

    Parameters
    ----------
    scores : DataFrame, shape (n_samples, n_gene_sets)
        Enrichment scores (unitless) per sample and gene set.

    Returns
    -------
    dict
        ``gene sets scored``, ``samples``, ``gene sets with a missing score``, ``lowest
        score``, ``highest score`` and ``median SD of a gene set across samples`` (the last
        three rounded to 4 significant digits; "not defined" where no value exists).
    """
    v = scores.apply(pd.to_numeric, errors="coerce")
    finite = v.to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    sds = v.std(ddof=1).dropna()

    def num(x: float | None) -> Any:
        return float(f"{x:.4g}") if x is not None and np.isfinite(x) else "not defined"

    return {"gene sets scored": int(v.shape[1]), "samples": int(v.shape[0]),
            "gene sets with a missing score": int(v.isna().any().sum()),
            "lowest score": num(finite.min() if finite.size else None),
            "highest score": num(finite.max() if finite.size else None),
            "median SD of a gene set across samples": num(float(sds.median()) if len(sds)
                                                          else None)}
