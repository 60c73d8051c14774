"""engine="nlme": the real ``nlme::lme(X ~ G, random = ~1 | PatientID)`` through the R bridge.

Each call fits one batch of features against a set of GFs inside the calling process's R (one
R per loky or Dask worker, started lazily; called through :func:`pyradiogen.rfuncs.lme_batch`). Failed fits are kept
with R's message in ``note``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import rfuncs

CONTROLS = {"paper": "default", "code": "code"}


def fit_nlme(Y: pd.DataFrame, patient: np.ndarray | pd.Series, gfs: pd.DataFrame,
             preset: str = "paper", na_action: str = "fail",
             start_lambda: np.ndarray | None = None) -> pd.DataFrame:
    """Fit every feature against every GF with R's nlme (the reference engine).

    Parameters
    ----------
    Y : DataFrame, shape (n_images, F)
        Image-level features.
    patient : ndarray or Series, shape (n_images,)
        Patient ID of each image.
    gfs : DataFrame, shape (n_patients, G)
        Patient-level GFs indexed by patient ID.
    preset : {"paper", "code"}, default "paper"
        ``"code"`` adds the authors' ``lmeControl(maxIter = 1, niterEM = 1)``.
    na_action : {"fail", "omit"}, default "fail"
        nlme's ``na.action``.
    start_lambda : ndarray or None, shape (F, G), default None
        Starting λ per pair (speeds up nlme; the optimum is the same).

    Returns
    -------
    DataFrame, shape (F·G, 10)
        ``feature, gf, estimate, std_error, df, t, p_value, lambda, loglik, note`` (R's error
        or warnings), features outer and GFs inner as :func:`~.lme_fast.tidy`.

    Raises
    ------
    ValueError
        For an unknown preset.

    References
    ----------
    .. [1] Pinheiro JC, Bates DM. *Mixed-Effects Models in S and S-PLUS*. Springer (2000).
    .. [2] R package nlme 3.1-162, ``lme``.
    """
    if preset not in CONTROLS:
        raise ValueError(f"preset must be one of {sorted(CONTROLS)}, got {preset!r}")
    X = rfuncs.RMatrix(Y.to_numpy(dtype=float), None, [str(c) for c in Y.columns])
    out = rfuncs.lme_batch(X, gfs, patient, control=CONTROLS[preset], na_action=na_action,
                           start_lambda=start_lambda)
    note = out["error"].astype(object).where(out["error"].notna(), None)
    warn = out["warning"].astype(object).where(out["warning"].notna(), None)
    note = [n if n is not None else (f"warning: {w}" if w is not None else None)
            for n, w in zip(note, warn)]
    res = pd.DataFrame({
        "feature": out["feature"].astype(str).to_numpy(dtype=object),
        "gf": out["gf"].astype(str).to_numpy(dtype=object),
        **{k: out[k].to_numpy(dtype=float) for k in
           ("estimate", "std_error", "df", "t", "p", "lambda", "loglik")},
        "note": np.asarray(note, dtype=object),
    }).rename(columns={"p": "p_value"})
    res["failed"] = out["error"].notna().to_numpy()
    degenerate = ~res["failed"] & (~(res["std_error"] > 0) | (res["lambda"] > 1e10))
    res.loc[degenerate, "note"] = ("degenerate nlme fit: sigma -> 0 (lambda > 1e10: constant "
                                   "feature or no within-patient variation); values are R's")
    return res
