"""Read the planted links of a demo cohort (``truth.json``) as tables, for power/FDR checks.

A gene, signature or pathway is *truly linked* to an image property when both depend on a
common latent factor (:data:`pyradiogen.demo.phantom.IMAGE_LINKS` for images, the planted
loadings for genes).
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def latent_table(truth: dict[str, Any]) -> pd.DataFrame:
    """Patients × latent factors (prolif, er, her2, immune, size).

    Parameters
    ----------
    truth : dict
        A demo cohort's ``truth.json``.

    Returns
    -------
    DataFrame
        Indexed by ``patient_id``.
    """
    return pd.DataFrame({p: v["latent"] for p, v in truth["patients"].items()}).T.rename_axis(
        "patient_id")[truth["factors"]]


def image_table(truth: dict[str, Any]) -> pd.DataFrame:
    """Patients × planted lesion properties, plus role and subtype.

    Parameters
    ----------
    truth : dict
        A demo cohort's ``truth.json``.

    Returns
    -------
    DataFrame
        Indexed by ``patient_id``: ``radius_mm``, ``irregularity`` …, ``role``, ``subtype``.
    """
    rows = {p: {**v["image"], "role": v["role"], "subtype": v["subtype"]}
            for p, v in truth["patients"].items()}
    return pd.DataFrame(rows).T.rename_axis("patient_id")


def gene_loadings(truth: dict[str, Any]) -> pd.DataFrame:
    """Genes with a planted loading × factors (0 where none).

    Parameters
    ----------
    truth : dict
        A demo cohort's ``truth.json``.

    Returns
    -------
    DataFrame
        Indexed by ``gene``.
    """
    df = pd.DataFrame(truth["gene_loadings"]).T.reindex(columns=truth["factors"]).fillna(0.0)
    return df.rename_axis("gene")


def factors_of(truth: dict[str, Any], image_property: str, min_weight: float = 0.1) -> list[str]:
    """Latent factors an image property depends on.

    Parameters
    ----------
    truth : dict
        A demo cohort's ``truth.json``.
    image_property : str
        A planted lesion property (``radius_mm``, ``irregularity`` …).
    min_weight : float, default 0.1
        Smallest |weight| counted.

    Returns
    -------
    list of str
        Factor names.
    """
    links = truth["image_links"][image_property]
    return [f for f, w in links.items() if abs(w) >= min_weight]


def linked_genes(truth: dict[str, Any], image_property: str | None = None,
                 factor: str | None = None, min_loading: float = 0.3) -> list[str]:
    """Genes truly linked to an image property (or driven by one factor).

    Parameters
    ----------
    truth : dict
        A demo cohort's ``truth.json``.
    image_property : str or None, default None
        A planted lesion property.
    factor : str or None, default None
        A latent factor instead.
    min_loading : float, default 0.3
        Smallest |loading| counted.

    Returns
    -------
    list of str
        Sorted gene names.
    """
    load = gene_loadings(truth)
    facs = [factor] if factor else factors_of(truth, image_property)
    hit = (load[facs].abs() >= min_loading).any(axis=1)
    return sorted(load.index[hit])


def linked_pathways(truth: dict[str, Any], image_property: str) -> list[str]:
    """KEGG pathways planted on a factor the image property depends on.

    Parameters
    ----------
    truth : dict
        A demo cohort's ``truth.json``.
    image_property : str
        A planted lesion property (``radius_mm``, ``irregularity`` …).

    Returns
    -------
    list of str
        Sorted pathway names.
    """
    facs = set(factors_of(truth, image_property))
    return sorted(p for p, v in truth["pathways"].items() if v["factor"] in facs)


def linked_signatures(truth: dict[str, Any], image_property: str) -> list[str]:
    """Signatures whose planted factors include one the image property depends on.

    Parameters
    ----------
    truth : dict
        A demo cohort's ``truth.json``.
    image_property : str
        A planted lesion property (``radius_mm``, ``irregularity`` …).

    Returns
    -------
    list of str
        Sorted signature names.
    """
    facs = set(factors_of(truth, image_property))
    return sorted(s for s, v in truth["signatures"].items() if facs & set(v["factors"]))
