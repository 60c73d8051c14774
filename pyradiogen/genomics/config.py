"""Configuration section ``[genomics]``: expression scale, ssGSEA, risk genes, immune classes.

Both presets use the same values: neither study liu2023's paper nor its code states the
expression scale, so ``log2(TPM + 1)`` is used for liu2023 and ``log2(upper-quartile-scaled
counts + 1)`` stands in for study kim2020's RSEM-normalised values (see
:mod:`pyradiogen.genomics.expression`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ..config import register_section


@register_section("genomics", presets={"paper": {}, "code": {}})
@dataclass
class GenomicsConfig:
    """Configuration section ``[genomics]``: expression scale, ssGSEA, risk genes, immune classes.

    Parameters
    ----------
    expression_value : str, default "tpm_unstranded"
        Column of the GDC STAR files for liu2023.
    expression_kind : {"counts", "tpm", "fpkm", "rsem", "log2"}, default "tpm"
        What liu2023's values hold.
    normalization : {"none", "cpm", "upper_quartile"}, default "none"
        liu2023's library scaling.
    kim2020_expression_value : str, default "unstranded"
        Column for kim2020.
    kim2020_expression_kind : {"counts", "tpm", "fpkm", "rsem", "log2"}, default "counts"
        What kim2020's values hold (RSEM-normalised in the paper).
    kim2020_normalization : {"none", "cpm", "upper_quartile"}, default "upper_quartile"
        kim2020's library scaling.
    pseudocount : float, default 1.0
        ``log2(x + pseudocount)``.
    duplicate_symbols : {"first", "max_mean", "mean"}, default "max_mean"
        Repeated symbols.
    min_expression : float, default 0.0
        log2 value a gene must exceed …
    min_expressed_fraction : float, default 0.0
        … in this fraction of samples (0 = keep all).
    gmt : str or None, default None
        Gene sets (the bundled MSigDB C2 CP:KEGG v7.2 when None).
    ssgsea_engine : {"r", "fast"}, default "fast"
        ssGSEA engine.
    ssgsea_alpha : float, default 0.25
        GSVA's ``tau``.
    ssgsea_normalize : bool, default True
        GSVA's ``ssgsea.norm``.
    ssgsea_min_size : int, default 1
        GSVA's ``min.sz``.
    ssgsea_max_size : float, default inf
        GSVA's ``max.sz``.
    ssgsea_duplicate_members : {"remove", "keep"}, default "remove"
        Genes listed twice in a set (GSVA ≥ 1.50 removes them; 1.46 keeps them).
    risk_genes : str or None, default None
        Risk-gene list file (the cohort's ``risk_genes.txt`` when None).
    binarize_rule : {"gt", "ge"}, default "gt"
        Immune classes: value > (or ≥) ``quantile(x, 0.75, type = 7)``.
    """

    # expression preparation (study liu2023)
    expression_value: str = "tpm_unstranded"  # column of the GDC STAR files (c.expression)
    expression_kind: Literal["counts", "tpm", "fpkm", "rsem", "log2"] = "tpm"
    normalization: Literal["none", "cpm", "upper_quartile"] = "none"
    # expression preparation (study kim2020: RSEM-normalised in the paper)
    kim2020_expression_value: str = "unstranded"
    kim2020_expression_kind: Literal["counts", "tpm", "fpkm", "rsem", "log2"] = "counts"
    kim2020_normalization: Literal["none", "cpm", "upper_quartile"] = "upper_quartile"
    pseudocount: float = 1.0
    duplicate_symbols: Literal["first", "max_mean", "mean"] = "max_mean"
    min_expression: float = 0.0  # log2 value a gene must exceed ...
    min_expressed_fraction: float = 0.0  # ... in this fraction of samples (0 = keep all)
    # ssGSEA (GSVA 1.46 defaults)
    gmt: str | None = None  # None = bundled MSigDB C2 CP:KEGG v7.2
    ssgsea_engine: Literal["r", "fast"] = "fast"
    ssgsea_alpha: float = 0.25
    ssgsea_normalize: bool = True
    ssgsea_min_size: int = 1
    ssgsea_max_size: float = math.inf
    # genes listed twice in a set: "remove" (GSVA >= 1.50, with a warning) or "keep" (GSVA 1.46)
    ssgsea_duplicate_members: Literal["remove", "keep"] = "remove"
    # risk genes and immune classes
    risk_genes: str | None = None  # file, one symbol a line; None = cohort's risk_genes.txt
    binarize_rule: Literal["gt", "ge"] = "gt"  # value > (or >=) quantile(x, 0.75, type = 7)
