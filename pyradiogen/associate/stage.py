"""The association stage as ``pyradiogen associate`` and study 1 run it: scan, then outputs.

:func:`stage` fits ``lme(X ~ G, random = ~1 | PatientID)`` for every feature × GF
(:func:`~.scan.associate`) and writes the table, summaries, Fig 5 panels and manifest
(:func:`~.outputs.write_outputs`). Study 2's univariate screens are
:func:`~.univariate.write_univariate`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from .outputs import write_outputs
from .scan import AssociationResult, associate


def stage(features: pd.DataFrame, gfs: pd.DataFrame, out_dir: str | os.PathLike, *,
          gf_class: dict[str, str] | None = None, label: str | None = None,
          engine: str = "fast", preset: str = "paper", n_jobs: int = 1, backend: str = "loky",
          scheduler: str | None = None, block_size: int | None = None, na_action: str = "fail",
          alpha: float = 0.05, device: str | None = None,
          blocks_dir: str | os.PathLike | None = None, make_figures: bool = True,
          config: Any = None, extra: dict | None = None, csv: str = "significant"
          ) -> tuple[AssociationResult, dict[str, Path]]:
    """Scan every feature × GF and write the outputs into ``out_dir``.

    ``features``: images × (``image_id``, ``patient_id``, features…); ``gfs``: patients ×
    (``patient_id``, GFs…). ``label`` (``DRF``/``CRF``) picks Fig 5e or 5f (default: DRF when
    the feature names are ``fea_<i>``). Resumable blocks go to ``blocks_dir`` (default
    ``out_dir``). Returns the result and the written paths by name (``associations``,
    ``per_gf``, ``table2``, ``table3``, ``per_feature``, ``fig5e``/``fig5f``, ``summary``,
    ``manifest`` and one entry per Fig 5 file). ``csv`` picks the CSV written beside
    ``associations.parquet`` (see :func:`~pyradiogen.associate.outputs.write_table`).
    """
    res = associate(features, gfs, engine=engine, preset=preset, n_jobs=n_jobs,
                    backend=backend, scheduler=scheduler, block_size=block_size,
                    out_dir=blocks_dir if blocks_dir is not None else out_dir,
                    na_action=na_action, alpha=alpha, device=device, gf_class=gf_class)
    if label is None:
        label = "DRF" if str(res.table["feature"].iloc[0]).startswith("fea_") else "CRF"
    paths = write_outputs(res, out_dir, label=label, config=config, make_figures=make_figures,
                          extra=extra, csv=csv)
    return res, paths
