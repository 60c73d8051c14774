"""Associations of radiomic with genomic features (liu2023) and univariate screens (kim2020).

Associations of radiomic features with genomic features (study liu2023) and univariate
screens (study kim2020).

- :func:`associate` — ``lme(X ~ G, random = ~1 | PatientID)`` for every feature × GF, fast
  exact engine or R's nlme, BH within each GF, resumable blocks, loky or Dask workers.
- :class:`AssociationResult` — the scan's table with its counts as methods (``per_gf``,
  ``per_block``: Table 2, ``top_gfs``: Table 3, ``overview``, ``summary()``).
- :func:`write_outputs` — associations.csv, Tables 2–3, Fig 5 panels, manifest.
- :func:`kruskal_scan`, :func:`spearman_scan`, :func:`class_counts` — study kim2020's screen
  tables (the tests are :mod:`pyradiogen.stats`).
"""

from .lme_fast import FastLME, fit_arrays
from .outputs import write_outputs
from .result import AssociationResult, paper_block_of
from .scan import add_bh, associate
from .univariate import (
    class_counts,
    feature_class,
    kruskal_scan,
    spearman_scan,
    write_univariate,
)

__all__ = ["FastLME", "fit_arrays", "associate", "AssociationResult", "add_bh",
           "paper_block_of", "write_outputs", "kruskal_scan", "spearman_scan", "class_counts",
           "feature_class", "write_univariate"]
