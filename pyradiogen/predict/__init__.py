"""Prediction: LASSO classifiers, LOO regression, nnet/XGBoost classes, EfficientNet.

Prediction (issue 8): biglasso-equivalent LASSO classifiers (liu2023 Fig 4d–e), glmnet
leave-one-out regression (kim2020 Table 4), nnet/XGBoost classes (liu2023 Supp. Fig 1) and an
EfficientNet-B0 baseline (liu2023 Supp. Table 1), each in ``paper`` and ``rigorous`` mode.
"""

from .classes import run_classes, selection_frequency, upper_quartile_classes
from .lasso import BiglassoPath, biglasso_lambda_grid, run_lasso
from .loo import run_loo, run_loo_modes
from .modes import MODES, auc_score, author_split, delong_ci, patient_split
from .run import run_kim2020, run_liu2023

__all__ = [
    "MODES", "BiglassoPath", "auc_score", "author_split", "biglasso_lambda_grid", "delong_ci",
    "patient_split", "run_classes", "run_kim2020", "run_liu2023", "run_lasso", "run_loo", "run_loo_modes",
    "selection_frequency", "upper_quartile_classes",
]
