"""The DRF stage as ``pyradiogen drf train|extract`` and the study run it.

:func:`stage` trains the denoising autoencoder on a cohort's selected images and/or extracts
the raw and quantile-normalised deep radiomic features, writing into one folder::

    drf_model.pt, checkpoints/, drf_loss_history.csv, drf_training_check.json,
    figures/drf_loss_curves.{png,svg}                       (train)
    drfs.parquet, drfs_qn.parquet, drfs_qn_patient.parquet,
    figures/drf_fig3_kernel_maps.{png,svg}, figures/drf_fig3_density.{png,svg}   (extract)

and returns the written paths by name (:data:`OUTPUTS`). With both steps the trained model
extracts directly (no reload).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import store

MODEL_FILE = "drf_model.pt"
STEPS = ("train", "extract")
#: result name → file written under the stage folder
OUTPUTS = {
    "model": MODEL_FILE, "loss_history": "drf_loss_history.csv",
    "training": "drf_training_check.json", "loss_curves": "figures/drf_loss_curves.png",
    "drfs": "drfs.parquet", "drfs_qn": "drfs_qn.parquet",
    "drfs_qn_patient": "drfs_qn_patient.parquet",
    "kernel_maps": "figures/drf_fig3_kernel_maps.png", "density": "figures/drf_fig3_density.png",
}


class DRFInputError(ValueError):
    """The images cannot feed the autoencoder (too few, non-finite pixels)."""


def check_intensities(pixels: Sequence[np.ndarray], images: pd.DataFrame) -> None:
    """Refuse non-finite pixels; warn about images of one constant intensity (no signal).

    Parameters
    ----------
    pixels : sequence of ndarray
        One 2-D array per image.
    images : DataFrame
        Indexed by ``image_id``, with ``patient_id`` (for messages).

    Raises
    ------
    DRFInputError
        If an image has NaN or infinite pixels (image and patient named).
    """
    flat = []
    for im, iid in zip(pixels, images.index):
        a = np.asarray(im)
        if not np.isfinite(a).all():
            raise DRFInputError(f"image {iid} (patient {images.loc[iid, 'patient_id']}) has NaN "
                                "or infinite pixel values — fix: re-export or re-download the "
                                "DICOM")
        if a.size and np.ptp(a) == 0:
            flat.append(str(iid))
    if flat:
        warnings.warn(f"{len(flat)} image(s) of one constant intensity (no signal; min-max "
                      f"scaling gives 0): {', '.join(flat[:5])}{' …' if len(flat) > 5 else ''}",
                      UserWarning, stacklevel=2)


def stage(cohort: Any, images: pd.DataFrame, out_dir: str | os.PathLike, config: Any,
          seed: int = 101, steps: Sequence[str] = STEPS, model: str | os.PathLike | None = None,
          resume: bool = True, n_threads: int | None = None, device: str | None = None,
          title: str = "", pixels: Sequence[np.ndarray] | None = None) -> dict[str, Any]:
    """Train the DRF autoencoder and/or extract DRFs of ``images`` (see the module docstring).

    Parameters
    ----------
    cohort : Cohort
        A loaded cohort (pixels are read from it unless ``pixels`` is given).
    images : DataFrame
        The selected images (index ``image_id``, column ``patient_id``), e.g. study liu2023's
        ``liu2023.assemble(c).images``.
    out_dir : str or PathLike
        Output folder.
    config : DRFConfig
        The ``[drf]`` section.
    seed : int, default 101
        Training seed.
    steps : sequence of {"train", "extract"}, default ("train", "extract")
        What to run.
    model : str, PathLike or None, default None
        Trained model to extract with (``OUT/drf_model.pt`` when None; ignored when
        training).
    resume : bool, default True
        Continue a matching checkpoint.
    n_threads : int or None, default None
        torch threads.
    device : str or None, default None
        Device.
    title : str, default ""
        Figure titles.
    pixels : sequence of ndarray or None, default None
        Pixels already read, in the order of ``images``.

    Returns
    -------
    dict
        Written paths by name plus ``estimator``, ``diagnosis`` and ``seconds``.

    Raises
    ------
    ValueError
        For an unknown step.
    DRFInputError
        Too few images or non-finite pixels.
    FileNotFoundError
        If extracting without a trained model.
    """
    from .extractor import DRFExtractor, patient_level, to_table
    from .figures import plot_densities, plot_kernel_maps, plot_loss_curves
    from .normalize import quantile_normalize

    steps = tuple(steps)
    bad = [s for s in steps if s not in STEPS]
    if bad or not steps:
        raise ValueError(f"unknown DRF step(s) {bad}; use {STEPS}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if len(images) < 2:
        raise DRFInputError(f"{len(images)} image(s) selected; DRFs need several")
    if pixels is None:
        from .cohort_io import load_pixels

        pixels = load_pixels(cohort, images)
    check_intensities(pixels, images)
    pids, iids = list(images["patient_id"]), list(images.index)
    res: dict[str, Any] = {"seconds": {}}
    if "train" in steps:
        t0 = time.perf_counter()
        est = DRFExtractor(config, seed=seed, checkpoint_dir=out / "checkpoints",
                           resume=resume, n_threads=n_threads)
        est.fit(pixels, pids, iids)
        res["seconds"]["train"] = time.perf_counter() - t0
        res["model"] = est.save(out / MODEL_FILE)
        # the loss history without the per-epoch wall times, so that two runs give
        # byte-identical tables; the times are kept beside it
        res["loss_history"] = store.write_frame(
            est.history_.drop(columns=["seconds"], errors="ignore"),
            out / OUTPUTS["loss_history"], index=False)
        store.write_frame(est.history_, out / "drf_loss_history_timed.csv", index=False)
        res["training"] = store.write_json(out / OUTPUTS["training"], est.diagnosis_)
        plot_loss_curves(est.history_, out / "figures" / "drf_loss_curves", title=title,
                         failed=est.train_result_.failed_history)
        res["loss_curves"] = out / OUTPUTS["loss_curves"]
    else:
        path = Path(model) if model is not None else out / MODEL_FILE
        if not path.exists():
            raise FileNotFoundError(f"{path}: no trained DRF model")
        est = DRFExtractor.load(path, device=device)
        if n_threads:
            est.n_threads = n_threads
    if "extract" in steps:
        t0 = time.perf_counter()
        raw = est.transform(pixels, pids, iids)
        res["seconds"]["extract"] = time.perf_counter() - t0
        qn = quantile_normalize(raw)
        res["drfs"] = store.write_frame(to_table(raw), out / OUTPUTS["drfs"], index=False)
        res["drfs_qn"] = store.write_frame(to_table(qn), out / OUTPUTS["drfs_qn"], index=False)
        res["drfs_qn_patient"] = store.write_frame(patient_level(qn),
                                                   out / OUTPUTS["drfs_qn_patient"])
        pick = int(np.argmax([p.size for p in pixels]))  # a representative image: the largest
        img = est.preprocess([pixels[pick]])[0]
        plot_kernel_maps(img, est.maps(qn.iloc[pick].to_numpy()),
                         out / "figures" / "drf_fig3_kernel_maps", title=str(images.index[pick]))
        plot_densities(raw, qn, out / "figures" / "drf_fig3_density")
        res["kernel_maps"] = out / OUTPUTS["kernel_maps"]
        res["density"] = out / OUTPUTS["density"]
        res["n_features"] = est.n_features_
        res["n_rows"] = len(raw)
    res["estimator"] = est
    res["diagnosis"] = est.diagnosis_
    return res
