"""Settings of the prediction stage (``[predict]`` in a run's TOML)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import register_section


@register_section("predict", presets={"code": {"nlambda": 20}})
@dataclass
class PredictConfig:
    """LASSO, LOO regression, nnet/XGBoost and EfficientNet settings.

    ``nlambda`` is 100 in the paper and 20 in the authors' code (the ``code`` preset).
    ``modes`` lists which modes run; both by default so they are reported side by side.
    ``crf_image_level``: repeat each patient's CRFs on every image of that patient for the
    LASSO (the authors index DRFs and CRFs with one label vector, i.e. image level).
    """

    modes: list[str] = field(default_factory=lambda: ["paper", "rigorous"])
    characteristics: list[str] = field(default_factory=lambda: ["T", "N", "ER", "PR", "HER2"])
    nlambda: int = 100
    crf_image_level: bool = True
    lasso_train_fraction: float = 0.7
    cv_folds: int = 5
    outer_folds: int = 5
    seed: int = 101
    n_jobs: int = 1
    loo_alpha: float = 0.05
    loo_inner_folds: int = 10
    classes_train_fraction: float = 0.8
    selection_permutations: int = 100
    #: permutations inside each rigorous outer fold (None: ``selection_permutations``)
    selection_permutations_rigorous: int | None = None
    selection_threshold: float = 40.0
    classifyr_version: str = "3.0"
    models: list[str] = field(default_factory=lambda: ["nnet", "xgboost"])
    efficientnet: bool = False
    efficientnet_weights: str | None = None
    efficientnet_epochs: int = 100
    efficientnet_image_size: int = 224
    efficientnet_train_fraction: float = 0.8
    efficientnet_device: str = "auto"
    #: torch threads for EfficientNet training: part of the result (float32 sums split across
    #: threads round differently). It trains in its own process beside the other models, whose
    #: worker pool gets the remaining cores of the thread budget.
    efficientnet_threads: int = 1
