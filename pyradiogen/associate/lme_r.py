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
    """Fit every column of ``Y`` (images × features) against every column of ``gfs``
    (patients × GFs, indexed by patient id) with nlme.

    Returns feature, gf, estimate, std_error, df, t, p_value, lambda, loglik, note (R's error,
    or its warnings), with features outer and GFs inner as the fast engine's tidy table.
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
