"""Settings of the end-to-end ``replicate`` job."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import DEFAULT_SEED, register_section


@register_section("replicate")
@dataclass
class ReplicateConfig:
    """Configuration section ``[replicate]``: what ``replicate`` runs and at which size.

    Parameters
    ----------
    demo_patients : int, default 110
        Patients the demo cohort keeps after study liu2023's exclusions.
    demo_seed : int, default DEFAULT_SEED
        Seed of the demo cohort.
    drf_epochs : int or None, default None
        DRF epochs (the preset's when None).
    classes_permutations_rigorous : int, default 20
        ClassifyR-style selection repeats inside every rigorous outer fold (paper mode keeps
        the authors' 100).
    loo_inner_folds_rigorous : int, default 5
        Inner ``cv.glmnet`` folds of study kim2020's nested leave-one-out (the paper's own
        LOO is unchanged).
    efficientnet_epochs : int, default 2
        Kept small: EfficientNet-B0 on a CPU is slow (the paper trained 100).
    efficientnet_max_images : int, default 160
        Images used for the EfficientNet baseline.
    efficientnet_image_size : int, default 96
        Its input side, in pixels.
    n_jobs : int, default 2
        Worker processes of the heavy stages.
    scheduler : str or None, default None
        ``tcp://host:port`` of a Dask cluster that runs the heavy stages' tasks instead
        (``replicate --scheduler``; README "Running on a Dask cluster").
    alpha : float, default 0.05
        Significance level of the report's counts.
    """

    demo_patients: int = 110
    demo_seed: int = DEFAULT_SEED
    drf_epochs: int | None = None
    classes_permutations_rigorous: int = 20
    loo_inner_folds_rigorous: int = 5
    efficientnet_epochs: int = 2
    efficientnet_max_images: int = 160
    efficientnet_image_size: int = 96
    n_jobs: int = 2
    scheduler: str | None = None
    alpha: float = 0.05
