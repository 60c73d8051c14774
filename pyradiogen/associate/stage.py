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
    """Scan every feature × GF and write the outputs into ``out_dir`` (the ``associate`` command).

    Parameters
    ----------
    features : DataFrame, shape (n_images, 2 + F)
        ``image_id``, ``patient_id``, then one numeric column per feature.
    gfs : DataFrame, shape (n_patients, 1 + G)
        ``patient_id`` (or the index), then one numeric column per GF.
    out_dir : str or PathLike
        Output folder.
    gf_class : dict of str to str or None, default None
        GF → class for the summaries.
    label : {"DRF", "CRF36", "CRF"} or None, default None
        Picks Fig 5e or 5f (None: DRF when the features are ``fea_<i>``).
    engine, preset, n_jobs, backend, scheduler, block_size, na_action, alpha, device
        As :func:`~pyradiogen.associate.associate`.
    blocks_dir : str, PathLike or None, default None
        Where resumable blocks go (``out_dir`` when None).
    make_figures : bool, default True
        Draw the Fig 5 panels.
    config : object, default None
        The run's configuration, recorded in the manifest.
    extra : dict or None, default None
        More manifest entries.
    csv : {"significant", "all", "none"}, default "significant"
        The CSV written beside ``associations.parquet`` (:func:`~.outputs.write_table`).

    Returns
    -------
    result : AssociationResult
        The scan.
    paths : dict of str to Path
        ``associations``, ``per_gf``, ``table2``, ``table3``, ``per_feature``,
        ``fig5e``/``fig5f``, ``summary``, ``manifest`` and one entry per Fig 5 file.
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
