"""Settings of the end-to-end ``replicate`` job."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import DEFAULT_SEED, register_section


@register_section("replicate")
@dataclass
class ReplicateConfig:
    """What ``replicate`` runs and at which size.

    ``demo_patients`` is the number of patients the demo cohort keeps after study 1's
    exclusions; ``drf_epochs`` of ``None`` uses the DRF preset's epochs; ``efficientnet_epochs``
    is kept small by default because EfficientNet-B0 on a CPU is slow (the paper trained 100);
    ``classes_permutations_rigorous`` bounds the ClassifyR-style selection repeated inside every
    rigorous outer fold (paper mode keeps the authors' 100 permutations), and
    ``loo_inner_folds_rigorous`` the inner ``cv.glmnet`` folds of study 2's nested
    leave-one-out (the paper's own LOO is unchanged). ``n_jobs`` is the number of worker
    processes of the heavy stages; ``scheduler`` (``tcp://host:port``) runs their tasks on that
    Dask cluster instead (``replicate --scheduler``; README "Running on a Dask cluster").
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
