"""Our PAM50 calls against published ones: agreement, Cohen's kappa, confusion table.

A TCGA cohort's clinical table (TCGA 2012 Supplementary Table 1, ``PAM50 mRNA``) carries the
consortium's PAM50 calls; :func:`compare_subtypes` sets the nearest-centroid calls of the
genomics stage (genefu ``intrinsic.cluster.predict`` with ``pam50.robust``, column
``pam50_subtype`` of the signatures) beside them.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .. import store

PAM50_CLASSES = ("LumA", "LumB", "Her2", "Basal", "Normal")


def compare_subtypes(ours: pd.Series, published: pd.Series,
                     classes: tuple[str, ...] = PAM50_CLASSES
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Agreement of two subtype calls per patient (both indexed by patient ID).

    With no patient holding both calls the agreement rows are marked ``not modelled: …``
    instead of a number.

    Parameters
    ----------
    ours : Series
        Our PAM50 call per patient.
    published : Series
        The published call per patient (e.g. TCGA 2012's ``PAM50 mRNA``).
    classes : tuple of str, default ("LumA", "LumB", "Her2", "Basal", "Normal")
        The classes, in the order of the confusion table.

    Returns
    -------
    summary : DataFrame
        One row per measure (``measure``, ``value``, ``note``): patients with both calls,
        with only ours, with only the published one, the share that agree, Cohen's kappa and,
        per class, the share of the published class we call the same.
    confusion : DataFrame, shape (n_classes, n_classes)
        Patients by our call (rows) and the published call (columns), every class shown.

    References
    ----------
    .. [1] Cohen J. A coefficient of agreement for nominal scales. *Educ Psychol Meas* 20,
       37–46 (1960).
    .. [2] The Cancer Genome Atlas Network. Comprehensive molecular portraits of human breast
       tumours. *Nature* 490, 61–70 (2012) (published PAM50 calls).
    """
    ours = pd.Series(ours, dtype=object).dropna().astype(str)
    pub = pd.Series(published, dtype=object).dropna().astype(str)
    both = ours.index.intersection(pub.index)
    a, b = ours.loc[both], pub.loc[both]
    rows: list[dict] = [
        {"measure": "patients with both calls", "value": float(len(both)), "note": ""},
        {"measure": "patients with our call only", "value": float(len(ours.index.difference(
            pub.index))), "note": "no published call (missing in the clinical table)"},
        {"measure": "patients with the published call only",
         "value": float(len(pub.index.difference(ours.index))),
         "note": "no expression, or no call of ours"},
    ]
    if len(both) == 0:
        why = "not modelled: no patient has both calls"
        rows += [{"measure": "agreement", "value": np.nan, "note": why},
                 {"measure": "Cohen's kappa", "value": np.nan, "note": why}]
    else:
        from sklearn.metrics import cohen_kappa_score

        labels = sorted(set(a) | set(b), key=lambda c: (classes.index(c) if c in classes
                                                        else len(classes), c))
        kappa = float(cohen_kappa_score(b, a, labels=labels)) if len(set(a) | set(b)) > 1 \
            else np.nan
        rows += [{"measure": "agreement", "value": float((a == b).mean()),
                  "note": f"{int((a == b).sum())} of {len(both)} patients"},
                 {"measure": "Cohen's kappa", "value": kappa,
                  "note": "" if np.isfinite(kappa) else "not modelled: one class only"}]
        for c in classes:
            n = int((b == c).sum())
            if n:
                rows.append({"measure": f"agreement within published {c}",
                             "value": float(((b == c) & (a == c)).sum() / n),
                             "note": f"{int(((b == c) & (a == c)).sum())} of {n}"})
    summary = pd.DataFrame(rows)
    extra_ours = sorted(set(a) - set(classes))
    extra_pub = sorted(set(b) - set(classes))
    conf = pd.DataFrame(0, index=pd.Index(list(classes) + extra_ours),
                        columns=pd.Index(list(classes) + extra_pub), dtype=int)
    for x, y in zip(a, b):
        conf.loc[x, y] += 1
    conf.index.name = "ours"
    conf.columns.name = "published"
    return summary, conf


def stage(ours: pd.Series, published: pd.Series, out_dir: str | os.PathLike
          ) -> dict[str, Path]:
    """Compare PAM50 calls and write ``pam50_agreement.csv`` and ``pam50_confusion.csv``.

    Parameters
    ----------
    ours : Series
        Our PAM50 call per patient.
    published : Series
        The published call per patient.
    out_dir : str or PathLike
        Where the two tables are written (atomically).

    Returns
    -------
    dict of str to Path
        ``agreement`` and ``confusion``.
    """
    summary, conf = compare_subtypes(ours, published)
    out = Path(out_dir)
    return {"agreement": store.write_frame(summary, out / "pam50_agreement.csv", index=False),
            "confusion": store.write_frame(conf, out / "pam50_confusion.csv")}
