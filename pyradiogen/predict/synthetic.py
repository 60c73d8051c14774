"""Small synthetic cohorts with a planted signal, for tests, examples and quick checks."""

from __future__ import annotations

import numpy as np
import pandas as pd


def make_prediction_cohort(n_patients: int = 40, images_per_patient: int = 3, n_features: int = 12,
                           signal: float = 1.0, patient_effect: float = 1.0, seed: int = 0,
                           her2_missing: int = 4) -> dict[str, pd.DataFrame]:
    """Image-level features, a clinical table and signature/TIMER-like targets.

    A latent patient score drives every label (T, N, ER, PR, HER2 with noise) and shifts
    ``fea_1`` up and ``fea_2`` down by ``signal``; every feature also carries a per-patient
    offset (``patient_effect``) shared by that patient's images, which is what makes an
    image-level split leak. Returns ``features`` (image_id, patient_id, fea_…), ``clinical``
    (indexed by patient_id, Int64 with ``her2_missing`` HER2 values missing) and ``targets``
    (patient_id + two scores, one linked to the latent score and one pure noise).
    """
    rng = np.random.default_rng(seed)
    pats = [f"TCGA-SY-{i:04d}" for i in range(n_patients)]
    latent = rng.normal(size=n_patients)
    clin = pd.DataFrame(
        {c: pd.array((latent + rng.normal(scale=0.6, size=n_patients) > 0).astype(int),
                     dtype="Int64") for c in ("T", "N", "ER", "PR", "HER2")},
        index=pd.Index(pats, name="patient_id"))
    if her2_missing:
        clin.loc[pats[:her2_missing], "HER2"] = pd.NA
    offsets = rng.normal(scale=patient_effect, size=(n_patients, n_features))
    rows = []
    for i, pid in enumerate(pats):
        for k in range(images_per_patient):
            f = offsets[i] + rng.normal(scale=0.5, size=n_features)
            f[0] += signal * latent[i]
            f[1] -= signal * latent[i]
            rows.append([f"{pid}-img{k}", pid, *f])
    cols = ["image_id", "patient_id"] + [f"fea_{j + 1}" for j in range(n_features)]
    features = pd.DataFrame(rows, columns=cols)
    targets = pd.DataFrame({"patient_id": pats,
                            "gene70": latent + rng.normal(scale=0.5, size=n_patients),
                            "B_cell": rng.normal(size=n_patients)})
    return {"features": features, "clinical": clin, "targets": targets}
