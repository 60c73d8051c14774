"""The CRF stage as ``pyradiogen crf extract`` and study 2 run it: extract, ICC tables, outputs."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .. import store
from ..results import Summary
from .config import CRFConfig
from .extract import extract_crfs
from .features import feature_columns, load_params
from .icc import class_ranges, inter_reader_table

OUTPUTS = ("crfs.parquet", "crf_diagnostics.parquet", "icc_by_feature.csv", "icc_by_class.csv",
           "crf_manifest.json")


@dataclass
class CRFStageResult:
    """What :func:`run_crf_stage` produced (ICC tables are ``None`` with fewer than 2 readers).

    Parameters
    ----------
    crfs : DataFrame
        ``patient_id``, ``reader``, ``image_id``, then the 100 features; one row per ROI.
    diagnostics : DataFrame
        pyradiomics diagnostics per ROI.
    icc_by_feature : DataFrame or None
        :func:`~pyradiogen.crf.icc.inter_reader_table`.
    icc_by_class : DataFrame or None
        :func:`~pyradiogen.crf.icc.class_ranges` (Table 2).
    paths : dict of str to Path
        Files written, by name.
    """

    crfs: pd.DataFrame
    diagnostics: pd.DataFrame
    icc_by_feature: pd.DataFrame | None
    icc_by_class: pd.DataFrame | None
    paths: dict[str, Path]

    def summary(self) -> Summary:
        """ROIs and features extracted, and the inter-reader ICC per feature class.

        Returns
        -------
        Summary
            Printable; HTML in a notebook.
        """
        info = {"ROIs": len(self.crfs),
                "readers": ", ".join(sorted(self.crfs["reader"].astype(str).unique()))
                if "reader" in self.crfs else "—",
                "features": len(self.crfs.columns.difference(["patient_id", "reader",
                                                              "image_id"]))}
        tables = {"ICC per feature class (kim2020 Table 2)": self.icc_by_class} \
            if self.icc_by_class is not None else {}
        notes = [] if self.icc_by_class is not None else ["fewer than 2 readers: no ICC"]
        return Summary("pyradiomics CRFs (kim2020)", info, tables, notes)


def run_crf_stage(cohort: Any, out_dir: str | os.PathLike, cfg: CRFConfig | None = None,
                  manifest_extra: dict[str, Any] | None = None,
                  patients: Sequence[str] | None = None,
                  published: Mapping[str, tuple[float, float]] | None = None) -> CRFStageResult:
    """Extract study kim2020's features for every ROI and write the inter-reader ICC tables.

    Writes ``crfs.parquet`` (patient_id, reader, image_id, 100 features),
    ``crf_diagnostics.parquet``, ``icc_by_feature.csv``, ``icc_by_class.csv`` (Table 2) and
    ``crf_manifest.json`` into ``out_dir``; ROIs are cached under ``out_dir/.cache/crf``.

    Parameters
    ----------
    cohort : Cohort
        A loaded cohort with DICOM and ROIs.
    out_dir : str or PathLike
        Output folder.
    cfg : CRFConfig or None, default None
        ``[crf]`` section.
    manifest_extra : dict or None, default None
        More manifest entries.
    patients : sequence of str or None, default None
        Keep only these patients' ROIs (a study's cohort; all when None).
    published : mapping or None, default None
        Published ICC range per class, for Table 2's ``published`` column.

    Returns
    -------
    CRFStageResult
        The tables and paths.

    References
    ----------
    .. [1] Kim et al. *J Korean Soc Radiol* 81(3), 632 (2020), Table 2.
    """
    cfg = cfg or CRFConfig()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    params = load_params(cfg.params)
    cache = out / ".cache" / "crf" if cfg.cache else None
    crfs, diag = extract_crfs(cohort, readers=cfg.readers, n_jobs=cfg.n_jobs, params=params,
                              cache_dir=cache, return_diagnostics=True)
    if patients is not None:
        keep = crfs["patient_id"].isin(set(patients)).to_numpy()
        crfs, diag = crfs[keep], diag[keep]
    paths = {"crfs": store.write_frame(crfs, out / "crfs.parquet", index=False),
             "diagnostics": store.write_frame(diag, out / "crf_diagnostics.parquet", index=False)}
    by_feature = by_class = None
    if crfs["reader"].nunique() >= 2:
        by_feature = inter_reader_table(crfs, model=cfg.icc_model, type=cfg.icc_type,
                                        unit=cfg.icc_unit, conf_level=cfg.conf_level)
        by_class = class_ranges(by_feature, published)
        paths["icc_by_feature"] = store.write_frame(by_feature, out / "icc_by_feature.csv",
                                                    index=False)
        paths["icc_by_class"] = store.write_frame(by_class, out / "icc_by_class.csv", index=False)
    extra = {"n_rois": len(crfs), "n_features": len(feature_columns(params)),
             "readers": sorted(crfs["reader"].astype(str).unique()), "params": params,
             **(manifest_extra or {})}
    paths["manifest"] = store.write_manifest(out, config={"crf": asdict(cfg)}, extra=extra,
                                             name="crf_manifest.json")
    return CRFStageResult(crfs, diag, by_feature, by_class, paths)
