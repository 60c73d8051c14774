"""Settings of the prediction stage (``[predict]`` in a run's TOML)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import register_section


@register_section("predict", presets={"code": {"nlambda": 20}})
@dataclass
class PredictConfig:
    """Configuration section ``[predict]``: LASSO, LOO regression, nnet/XGBoost and EfficientNet.

    Parameters
    ----------
    modes : list of str, default ["paper", "rigorous"]
        Modes run, reported side by side.
    characteristics : list of str, default ["T", "N", "ER", "PR", "HER2"]
        Fig 4d–e outcomes.
    nlambda : int, default 100
        biglasso path length (the paper's 100; the authors' code and the ``code`` preset 20).
    crf_image_level : bool, default True
        Repeat each patient's CRFs on every image of that patient for the LASSO (the authors
        index DRFs and CRFs with one label vector, i.e. image level).
    lasso_train_fraction : float, default 0.7
        LASSO training fraction.
    cv_folds : int, default 5
        ``cv.glmnet`` folds.
    outer_folds : int, default 5
        Rigorous mode's nested folds.
    seed : int, default 101
        Seed of splits and models.
    n_jobs : int, default 1
        Worker processes.
    loo_alpha : float, default 0.05
        kim2020 Table 4 screen level.
    loo_inner_folds : int, default 10
        Rigorous LOO's inner folds.
    classes_train_fraction : float, default 0.8
        Supp. Fig 1 training fraction.
    selection_permutations : int, default 100
        ClassifyR repeats.
    selection_permutations_rigorous : int or None, default None
        Repeats inside each rigorous outer fold (``selection_permutations`` when None).
    selection_threshold : float, default 40.0
        Selection percentage.
    classifyr_version : str, default "3.0"
        ClassifyR behaviour.
    models : list of str, default ["nnet", "xgboost"]
        Supp. Fig 1 models.
    efficientnet : bool, default False
        Run the EfficientNet baseline (Supp. Table 1).
    efficientnet_weights : str or None, default None
        Local pre-trained weights.
    efficientnet_epochs : int, default 100
        Epochs.
    efficientnet_image_size : int, default 224
        Input side, in pixels.
    efficientnet_train_fraction : float, default 0.8
        Training fraction.
    efficientnet_device : str, default "auto"
        Device.
    efficientnet_threads : int, default 1
        torch threads for EfficientNet training: part of the result. It trains in its own
        process beside the other models, whose pool gets the remaining cores.
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
