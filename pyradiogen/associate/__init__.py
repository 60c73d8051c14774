"""Associations of radiomic features with genomic features (study 1) and univariate screens
(study 2).

- :func:`associate` — ``lme(X ~ G, random = ~1 | PatientID)`` for every feature × GF, fast
  exact engine or R's nlme, BH within each GF, resumable blocks, loky or Dask workers.
- :func:`write_outputs` — associations.csv, Tables 2–3, Fig 5 panels, manifest.
- :func:`kruskal_scan`, :func:`spearman_scan`, :func:`class_counts` — study 2's screens.
"""

from .lme_fast import FastLME, fit_arrays
from .outputs import write_outputs
from .scan import AssociationResult, add_bh, associate, bh_adjust, kernel_of
from .univariate import (
    class_counts,
    feature_class,
    kruskal_scan,
    spearman_scan,
    write_univariate,
)

__all__ = ["FastLME", "fit_arrays", "associate", "AssociationResult", "add_bh", "bh_adjust",
           "kernel_of", "write_outputs", "kruskal_scan", "spearman_scan", "class_counts",
           "feature_class", "write_univariate"]
