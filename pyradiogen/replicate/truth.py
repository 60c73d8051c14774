"""Score the association scan against a demo cohort's planted truth.

A genomic feature (GF) is *linked* to the images when the generator planted a latent factor
on it that also drives a lesion property (``truth.json``: ``image_links``, ``gene_loadings``,
``signatures``, ``pathways``, ``risk_genes``). A GF is *called* when at least one feature is
significantly associated with it (BH-adjusted p < alpha).

Unplanted GFs are not all null on the measured scale: TPM is compositional, so raising many
proliferation genes lowers every other gene's share, and unplanted genes and pathways end up
correlated with the factors. Such GFs (|Spearman r| >= ``confounded_r`` with an image-driving
factor) are counted apart as *confounded*; only the rest are *null*. Power is the share of
linked GFs called; the FDR is the share of called GFs that are null.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd


def linked_gfs(truth: dict[str, Any], gf_types: dict[str, str]) -> dict[str, bool]:
    """For every GF of the scan, whether the demo's planted biology links it to the images.

    Parameters
    ----------
    truth : dict
        The demo cohort's ``truth.json``.
    gf_types : dict of str to str
        GF → ``risk_gene``/``signature``/``kegg``.

    Returns
    -------
    dict of str to bool
        GF → linked.
    """
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


def measured_links(gfs: pd.DataFrame, truth: dict[str, Any]) -> pd.Series:
    """Largest |Spearman r| of every GF with the image-driving latent factors.

    Parameters
    ----------
    gfs : DataFrame, shape (n_patients, n_gfs)
        GF values.
    truth : dict
        The demo cohort's ``truth.json`` (latent factors per patient).

    Returns
    -------
    Series of float
        Per GF; NaN without factors.
    """
    image_factors = sorted({f for links in truth.get("image_links", {}).values() for f in links})
    lat = pd.DataFrame({p: v["latent"] for p, v in truth.get("patients", {}).items()}).T
    common = gfs.index.intersection(lat.index)
    if len(common) < 5 or not image_factors:
        return pd.Series(np.nan, index=gfs.columns)
    g = gfs.loc[common].rank()
    f = lat.loc[common, image_factors].astype(float).rank()
    gz = (g - g.mean()) / g.std(ddof=0)
    fz = (f - f.mean()) / f.std(ddof=0)
    r = (gz.T.to_numpy() @ fz.to_numpy()) / len(common)
    return pd.Series(np.nanmax(np.abs(r), axis=1), index=gfs.columns)


def score_calls(called: set[str], linked: dict[str, bool],
                confounded: set[str] | None = None) -> dict[str, Any]:
    """Power and FDR of a set of called GFs against linked, confounded and null GFs.

    Parameters
    ----------
    called : set of str
        GFs the scan calls.
    linked : dict of str to bool
        :func:`linked_gfs`.
    confounded : set of str or None, default None
        Null GFs correlated with a linked factor (not counted as false).

    Returns
    -------
    dict
        Counts of linked, confounded, null and called GFs, ``power`` and ``FDR``.
    """
    confounded = (confounded or set()) - {g for g, v in linked.items() if v}
    true = {g for g, v in linked.items() if v}
    null = set(linked) - true - confounded
    tp = len(called & true)
    fp = len(called & null)
    return {"linked GFs": len(true), "confounded GFs": len(confounded & set(linked)),
            "null GFs": len(null), "called GFs": len(called),
            "called linked": tp, "called confounded": len(called & confounded),
            "called null": fp,
            "power": tp / len(true) if true else float("nan"),
            "FDR": fp / len(called) if called else 0.0}


def score_against_truth(truth: dict[str, Any], gfs: pd.DataFrame, gf_types: dict[str, str],
                        associations: Mapping[str, pd.DataFrame], alpha: float = 0.05,
                        confounded_r: float = 0.2) -> pd.DataFrame | None:
    """Power and FDR of the scan, one row per feature set and GF type.

    A GF is called when some feature's ``p_adj`` is below ``alpha``.

    Parameters
    ----------
    truth : dict
        The demo cohort's ``truth.json``.
    gfs : DataFrame, shape (n_patients, n_gfs)
        GF values.
    gf_types : dict of str to str
        GF → ``risk_gene``/``signature``/``kegg``.
    associations : mapping of str to DataFrame
        Feature-set label (``DRF``, ``CRF``) → the scan's table (``gf``, ``p_adj``).
    alpha : float, default 0.05
        Call level.
    confounded_r : float, default 0.2
        |Spearman r| with a linked factor above which a null GF counts as confounded.

    Returns
    -------
    DataFrame or None
        Rows of :func:`score_calls`; None without truth.
    """
    measured = measured_links(gfs, truth)
    confounded = set(measured.index[measured >= confounded_r])
    linked = linked_gfs(truth, gf_types)
    rows = []
    for label, assoc in associations.items():
        called_all = set(assoc.loc[assoc["p_adj"] < alpha, "gf"])
        for kind in ("risk_gene", "signature", "kegg", None):
            sub = {g: v for g, v in linked.items() if kind is None or gf_types[g] == kind}
            if not sub:
                continue
            row = score_calls(called_all & set(sub), sub, confounded & set(sub))
            rows.append({"features": label, "GF type": kind or "all", **row})
    return pd.DataFrame(rows) if rows else None
