"""Synthetic data for examples, tests and benchmarks: every generator of the package, named
``make_*`` (the pattern of ``sklearn.datasets``).

- :func:`make_demo_cohort` — a whole cohort in the real TCIA/GDC/TCGA formats (DICOM, ROIs,
  RNA-seq, clinical, CRF36, TIMER) with planted image–gene links; what ``make demo`` and
  ``replicate`` without ``--cohort`` use (implementation: :mod:`pyradiogen.demo`).
- :func:`make_association_tables` — a feature table and a GF table shaped like study
  liu2023's, with linked features (for the LME scan).
- :func:`make_prediction_cohort` — image features, clinical labels and targets with a planted
  signal and a per-patient offset (for the prediction protocols).
- :func:`make_toy_images` — breast-MRI-like 2-D slices (for the autoencoder).
- :func:`fake_barcodes` — the one generator of fake TCGA patient barcodes they all use.

Every generator is deterministic given ``seed``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .config import DEFAULT_SEED
from .demo.barcodes import TCGA_BRCA_SITES, fake_barcodes

__all__ = ["TCGA_BRCA_SITES", "fake_barcodes", "make_association_tables", "make_demo_cohort",
           "make_prediction_cohort", "make_toy_images"]



def make_demo_cohort(out_dir: str | os.PathLike, n_patients: int = 110, seed: int = DEFAULT_SEED,
                     overwrite: bool = True, n_jobs: int = 1, layout: str = "mixed",
                     seg_share: float | None = None) -> Path:
    """Write the synthetic demo cohort to ``out_dir`` and return its path.

    Latent tumour biology (PAM50 subtype, proliferation, ER/HER2 axes, immune infiltration,
    size) drives a DCE-MRI phantom and simulated RNA-seq, so true image–gene associations exist;
    clinical marginals follow study liu2023's Table 1; the planted links are in
    ``truth.json``. Every part is written in the format its real download has (see
    ``docs/ARCHITECTURE.md``, "The cohort directory").

    Parameters
    ----------
    out_dir : path-like
        An empty or new folder, or one holding an earlier demo cohort (replaced).
    n_patients : int
        Patients kept by study liu2023's exclusions (at least 4); about 18% more are generated
        (other scanners, no DCE series, no RNA-seq) so the exclusions have work to do.
    seed : int
        Same seed → identical tables and pixels, whatever ``n_jobs``.
    overwrite : bool
        Replace an earlier demo cohort in ``out_dir``.
    n_jobs : int
        Worker processes writing patients.
    layout : str
        How each DCE acquisition is written: ``"mixed"`` (one layout drawn per patient) or one
        of :data:`pyradiogen.demo.layouts.LAYOUTS`.
    seg_share : float, optional
        Share of patients whose reader-1 ROI is a DICOM SEG (default 15%).

    Returns
    -------
    pathlib.Path
        The cohort folder (load it with :func:`pyradiogen.cohort.load_cohort`).

    Raises
    ------
    ValueError
        A folder holding something else, fewer than 4 patients, or an unknown layout.
    """
    from .demo.generate import make_demo_cohort as _make

    return _make(out_dir, n_patients=n_patients, seed=seed, overwrite=overwrite, n_jobs=n_jobs,
                 layout=layout, seg_share=seg_share)


# --------------------------------------------------------------------------- tables


def make_association_tables(n_patients: int = 30, n_features: int = 40, n_gfs: int = 8,
                            images: tuple[int, int] = (2, 6), n_linked: int = 5,
                            effect: float = 0.8, seed: int = 0
                            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A feature table and a GF table shaped like study liu2023's, for the LME scan.

    Each patient has ``images[0]``–``images[1]`` images; each feature has its own
    between-patient variance (an eighth none, so some fits sit at the boundary); the last
    ``n_linked`` features depend on ``GF_1`` with slope ``effect`` (in GF standard deviations);
    features are then scaled and shifted at random.

    Parameters
    ----------
    n_patients, n_features, n_gfs : int
        Table sizes.
    images : tuple of int
        Fewest and most images per patient.
    n_linked : int
        Features linked to ``GF_1``.
    effect : float
        Slope of the link.
    seed : int
        Random seed.

    Returns
    -------
    features : DataFrame, shape (n_images, 2 + n_features)
        ``image_id, patient_id, fea_1 … fea_<n_features>``.
    gfs : DataFrame, shape (n_patients, 1 + n_gfs)
        ``patient_id, GF_1 … GF_<n_gfs>``.
    """
    rng = np.random.default_rng(seed)
    pids = fake_barcodes(n_patients, site="S0")
    n_img = rng.integers(images[0], images[1] + 1, n_patients)
    codes = np.repeat(np.arange(n_patients), n_img)
    gf = rng.normal(size=(n_patients, n_gfs))
    sd_b = rng.uniform(0.0, 1.5, n_features)
    sd_b[: max(1, n_features // 8)] = 0.0
    Y = (rng.normal(size=(n_patients, n_features)) * sd_b)[codes]
    Y = Y + rng.normal(size=(codes.size, n_features)) * rng.uniform(0.5, 2.0, n_features)
    Y[:, n_features - n_linked:] += effect * gf[codes, :1]
    Y = Y * rng.uniform(0.1, 100.0, n_features) + rng.uniform(-50, 50, n_features)
    feats = pd.DataFrame(Y, columns=[f"fea_{j + 1}" for j in range(n_features)])
    feats.insert(0, "patient_id", [pids[c] for c in codes])
    feats.insert(0, "image_id", [f"IMG{j:05d}" for j in range(codes.size)])
    gfs = pd.DataFrame(gf * rng.uniform(0.5, 5.0, n_gfs) + 3.0,
                       columns=[f"GF_{j + 1}" for j in range(n_gfs)])
    gfs.insert(0, "patient_id", pids)
    return feats, gfs


def make_prediction_cohort(n_patients: int = 40, images_per_patient: int = 3,
                           n_features: int = 12, signal: float = 1.0,
                           patient_effect: float = 1.0, seed: int = 0, her2_missing: int = 4
                           ) -> dict[str, pd.DataFrame]:
    """Image-level features, a clinical table and targets with a planted signal.

    A latent patient score drives every label (T, N, ER, PR, HER2, with noise) and shifts
    ``fea_1`` up and ``fea_2`` down by ``signal``; every feature also carries a per-patient
    offset (SD ``patient_effect``) shared by that patient's images, which is what makes an
    image-level split leak.

    Parameters
    ----------
    n_patients, images_per_patient, n_features : int
        Sizes.
    signal : float
        Effect of the latent score on ``fea_1``/``fea_2`` (in noise SDs).
    patient_effect : float
        SD of the per-patient offset.
    seed : int
        Random seed.
    her2_missing : int
        Patients whose HER2 label is missing.

    Returns
    -------
    dict of str to DataFrame
        ``features`` (image_id, patient_id, fea_…), ``clinical`` (indexed by patient_id;
        ``T, N, ER, PR, HER2`` as Int64) and ``targets`` (patient_id, ``gene70`` linked to the
        latent score, ``B_cell`` pure noise).
    """
    rng = np.random.default_rng(seed)
    pats = fake_barcodes(n_patients, site="SY")
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


# --------------------------------------------------------------------------- images


def make_toy_images(n: int, size: int | tuple[int, int] = 64, seed: int = 0,
                    n_patients: int | None = None) -> tuple[np.ndarray, list[str]]:
    """``n`` breast-MRI-like 2-D slices and their patient IDs (no cohort needed).

    Each image is a smooth background with a bright elliptical "lesion" and mild noise, at a
    random intensity scale; images of one patient share the background texture.

    Parameters
    ----------
    n : int
        Number of images.
    size : int or tuple of int
        Image height and width in pixels.
    seed : int
        Random seed.
    n_patients : int, optional
        Patients the images belong to (default ``n // 4``, at least 1); image i belongs to
        patient ``i % n_patients``.

    Returns
    -------
    images : ndarray of float32, shape (n, H, W)
        Arbitrary intensity units.
    patient_ids : list of str, length n
        Fake TCGA barcodes (:func:`fake_barcodes` with site ``XX``).
    """
    h, w = (size, size) if isinstance(size, int) else size
    rng = np.random.default_rng(seed)
    n_patients = n_patients or max(1, n // 4)
    ids = fake_barcodes(n_patients, site="XX")
    yy, xx = np.mgrid[:h, :w].astype(np.float64)
    texture = rng.uniform(3, 9, size=(n_patients, 2))
    out = np.empty((n, h, w), dtype=np.float32)
    pids = []
    for i in range(n):
        p = i % n_patients
        cy, cx = rng.uniform(0.25, 0.75, 2) * (h, w)
        ry, rx = rng.uniform(0.05, 0.2, 2) * (h, w)
        bg = 0.3 + 0.1 * np.sin(xx / texture[p, 0]) * np.cos(yy / texture[p, 1])
        lesion = np.exp(-(((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2) / 2)
        img = bg + 0.7 * lesion + 0.02 * rng.standard_normal((h, w))
        out[i] = (np.clip(img, 0, None) * rng.uniform(200, 2000)).astype(np.float32)
        pids.append(ids[p])
    return out, pids
