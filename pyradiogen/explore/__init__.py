"""Unsupervised views: hierarchical clustering with Fisher tests, t-SNE maps, PAM50 screens.

Names are imported lazily so that reading the configuration (``pyradiogen.explore.config``)
does not load matplotlib and scikit-learn.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "HierarchicalClustering": "clustering", "cluster_fisher": "clustering",
    "hclust_r": "clustering", "patient_means": "clustering",
    "fisher_exact": "fisher", "fisher_table": "fisher",
    "select_features": "kruskal",
    "explore_features": "pipeline", "explore_genes": "pipeline", "run_explore": "pipeline",
    "TSNEExplorer": "tsne", "tsne_embed": "tsne",
    "read_feature_table": "io",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
