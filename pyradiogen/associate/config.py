"""Settings of the association stage (liu2023's LME scan, kim2020's univariate screens)."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import register_section


@register_section("associate", presets={"code": {"lme_control": "code"}})
@dataclass
class AssociateConfig:
    """``engine``: "fast" (exact vectorised REML) or "nlme" (R); ``lme_control``: "default"
    or "code" (``lmeControl(maxIter = 1, niterEM = 1)``, the authors' script); ``alpha``: BH
    level; ``na_action``: "fail" (nlme's default) or "omit"; ``block_size``: features per
    block (0 = engine default); ``backend``: "loky", "sequential" or "dask".
    """

    engine: str = "fast"
    lme_control: str = "default"
    alpha: float = 0.05
    na_action: str = "fail"
    block_size: int = 0
    n_jobs: int = 2
    backend: str = "loky"
    spearman_alpha: float = 0.05
    kruskal_alpha: float = 0.05
