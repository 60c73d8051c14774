"""Settings of the association stage (liu2023's LME scan, kim2020's univariate screens)."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import register_section


@register_section("associate", presets={"code": {"lme_control": "code"}})
@dataclass
class AssociateConfig:
    """Configuration section ``[associate]``: the LME scan and kim2020's univariate screens.

    Parameters
    ----------
    engine : {"fast", "nlme"}, default "fast"
        Exact vectorised REML or R's nlme.
    lme_control : {"default", "code"}, default "default"
        ``"code"``: the authors' ``lmeControl(maxIter = 1, niterEM = 1)`` (the ``code``
        preset).
    alpha : float, default 0.05
        Benjamini–Hochberg level of ``p_adj``.
    na_action : {"fail", "omit"}, default "fail"
        nlme's ``na.action``.
    block_size : int, default 0
        Features per resumable block (0 = the engine's default).
    n_jobs : int, default 2
        Worker processes.
    backend : {"loky", "sequential", "dask"}, default "loky"
        :func:`pyradiogen.parallel.pmap` backend.
    spearman_alpha : float, default 0.05
        kim2020's Spearman screen level (Table 3; unadjusted, as the paper).
    kruskal_alpha : float, default 0.05
        kim2020's Kruskal–Wallis screen level (Fig 1).
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
