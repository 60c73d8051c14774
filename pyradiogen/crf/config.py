"""Settings of the conventional-radiomic-feature stage (kim2020: pyradiomics + inter-reader ICC).

Study kim2020 has no public code, so the ``paper`` and ``code`` presets are the same. The paper says
only that irr computed the ICC; the form is not given, so two-way absolute agreement of single
measures (ICC(A,1), readers as a random sample) is the default and the choice is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..config import register_section


@register_section("crf", presets={})
@dataclass
class CRFConfig:
    """Configuration section ``[crf]``: pyradiomics extraction and the inter-reader ICC.

    Parameters
    ----------
    params : str, default "kim2020_2d"
        A shipped parameter file (``pyradiogen/crf/params``) or a path.
    readers : list of str or None, default None
        Readers whose ROIs are used (every reader in ``rois.csv`` when None).
    n_jobs : int, default 2
        Worker processes.
    cache : bool, default True
        Per-ROI cache under ``<out>/.cache/crf``.
    icc_model : {"oneway", "twoway"}, default "twoway"
        ICC model (the paper does not state it; assumed).
    icc_type : {"consistency", "agreement"}, default "agreement"
        ICC type (assumed).
    icc_unit : {"single", "average"}, default "single"
        Single or average measures (assumed).
    conf_level : float, default 0.95
        Confidence level of the ICC's interval.
    """

    params: str = "kim2020_2d"            # shipped parameter file (pyradiogen/crf/params) or path
    readers: list[str] | None = None     # None: every reader in rois.csv
    n_jobs: int = 2
    cache: bool = True                   # per-ROI cache under <out>/.cache/crf
    icc_model: Literal["oneway", "twoway"] = "twoway"          # paper: not stated (assumed)
    icc_type: Literal["consistency", "agreement"] = "agreement"  # paper: not stated (assumed)
    icc_unit: Literal["single", "average"] = "single"          # paper: not stated (assumed)
    conf_level: float = 0.95
