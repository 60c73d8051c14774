"""pyradiomics feature extraction for 2-D ROIs (study kim2020), array-level and cohort-level.

:func:`extract_image` works on plain arrays and needs nothing but pyradiomics; it checks the
mask (size, empty, label) before pyradiomics sees it. :func:`extract_crfs` runs it for every
patient × reader ROI of a cohort in worker processes (:func:`pyradiogen.parallel.pmap`), with a
progress bar and a per-ROI cache keyed by the image, mask, spacing and parameters.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import store
from ..parallel import pmap
from .features import feature_columns, load_params

log = logging.getLogger(__name__)

ID_COLUMNS = ["patient_id", "reader", "image_id"]
MIN_ROIS_PER_WORKER = 100


def _workers(n_jobs: int, n_todo: int, min_per_worker: int) -> int:
    """Worker count: no more workers than there are ``min_per_worker``-sized shares of work."""
    if n_jobs < 0:
        n_jobs = os.cpu_count() or 1
    return max(1, min(n_jobs, n_todo // max(1, min_per_worker)))


class MaskError(ValueError):
    """An ROI mask pyradiomics cannot use (empty, wrong size, label absent, too small)."""


class GeometryError(MaskError):
    """Image and mask do not share one geometry (shape or spacing)."""


def _where(where: str) -> str:
    return f"{where}: " if where else ""


def check_mask(image: np.ndarray, mask: np.ndarray, label: int = 1, where: str = "") -> None:
    """Refuse a mask pyradiomics cannot use, naming the ROI.

    Parameters
    ----------
    image : ndarray, shape (rows, cols) or (slices, rows, cols)
        The image.
    mask : ndarray, same shape as ``image``
        The ROI labels.
    label : int, default 1
        The ROI's label value.
    where : str, default ""
        Prefix of every message (e.g. ``"patient TCGA-A1-A0SB, reader R1"``).

    Raises
    ------
    GeometryError
        The image is not 2-D/3-D, or mask and image differ in shape.
    MaskError
        The mask is empty, ``label`` is absent, or the image has NaN/inf pixels in the ROI.
    """
    pre = _where(where)
    if image.ndim not in (2, 3):
        raise GeometryError(f"{pre}image has {image.ndim} dimensions; expected a 2-D slice "
                            "(rows, cols) or a 3-D volume (slices, rows, cols)")
    if mask.shape != image.shape:
        raise GeometryError(
            f"{pre}mask has the wrong size: mask {tuple(mask.shape)} vs image "
            f"{tuple(image.shape)}; redraw or resample the ROI on the image it belongs to")
    if not np.any(mask):
        raise MaskError(f"{pre}mask is empty (no pixel set); redraw the ROI or drop this reader")
    if not np.any(mask == label):
        present = [int(v) for v in np.unique(mask) if v != 0][:10]
        raise MaskError(f"{pre}label {label} is absent from the mask (labels present: {present}); "
                        "set `label` to the lesion's value or fix the mask")
    roi = image[mask == label]
    if not np.all(np.isfinite(roi)):
        raise MaskError(f"{pre}the image has NaN/inf pixels inside the ROI; check the DICOM")
    check_roi_size(mask == label, where)


def check_roi_size(roi: np.ndarray, where: str = "", min_dimensions: int = 2,
                   min_size: int | None = None) -> None:
    """Refuse an ROI pyradiomics cannot use, in words a reader understands.

    pyradiomics needs the ROI's bounding box to span more than one pixel in at least
    ``min_dimensions`` directions (its ``minimumROIDimensions``) and, when set, at least
    ``min_size`` pixels (``minimumROISize``); otherwise it fails with "mask has too few
    dimensions".

    Parameters
    ----------
    roi : ndarray of bool
        The ROI's pixels.
    where : str, default ""
        Prefix of every message.
    min_dimensions : int, default 2
        pyradiomics' ``minimumROIDimensions``.
    min_size : int or None, default None
        pyradiomics' ``minimumROISize``, in pixels.

    Raises
    ------
    MaskError
        The ROI is too small (its pixel count and bounding box named).
    """
    idx = np.nonzero(roi)
    n = int(roi.sum())
    extent = [int(a.max() - a.min() + 1) for a in idx] if n else [0] * roi.ndim
    box = " × ".join(str(e) for e in (extent[-2:] if roi.ndim == 3 and extent[0] == 1
                                      else extent))
    if sum(e > 1 for e in extent) < min_dimensions:
        raise MaskError(f"{_where(where)}ROI of {n} pixel(s) ({box} bounding box) is too small "
                        f"for pyradiomics' texture and shape features; at least a "
                        f"{' × '.join(['2'] * min_dimensions)} bounding box is needed (the ROI "
                        "must span two or more pixels in each in-plane direction) — redraw the "
                        "ROI or drop this reader")
    if min_size is not None and n < min_size:
        raise MaskError(f"{_where(where)}ROI of {n} pixel(s) ({box} bounding box) is smaller "
                        f"than the parameter file's minimumROISize {min_size}; at least "
                        f"{min_size} pixels needed — redraw the ROI or lower minimumROISize")


def _check_spacing(spacing: Sequence[float], ndim: int, where: str) -> tuple[float, ...]:
    sp = tuple(float(s) for s in spacing)
    if len(sp) != ndim or not all(np.isfinite(s) and s > 0 for s in sp):
        raise GeometryError(f"{_where(where)}pixel spacing {tuple(spacing)} is not {ndim} positive "
                            "numbers (mm, numpy axis order); check PixelSpacing in the DICOM")
    return sp


@functools.lru_cache(maxsize=8)
def _extractor(params_json: str):
    from radiomics import featureextractor

    logging.getLogger("radiomics").setLevel(logging.ERROR)
    return featureextractor.RadiomicsFeatureExtractor(json.loads(params_json))


def _params_json(params: dict[str, Any], label: int | None) -> str:
    p = json.loads(json.dumps(params))  # deep copy, JSON-able
    if label is not None:
        p.setdefault("setting", {})
        p["setting"] = dict(p["setting"] or {}, label=int(label))
    return json.dumps(p, sort_keys=True)


def to_sitk(image: np.ndarray, mask: np.ndarray, spacing: Sequence[float]):
    """SimpleITK image and mask from NumPy arrays (a 2-D slice becomes a one-slice volume).

    The image keeps its pixel type, as when pyradiomics reads a file: resampling returns that
    type, so an integer image is rounded after interpolation.

    Parameters
    ----------
    image : ndarray, shape (rows, cols) or (slices, rows, cols)
        Pixels.
    mask : ndarray, same shape
        ROI labels.
    spacing : sequence of float
        Pixel spacing in mm, in the arrays' axis order.

    Returns
    -------
    image : SimpleITK.Image
        With the spacing set (SimpleITK's x, y, z order).
    mask : SimpleITK.Image
        Same geometry.
    """
    import SimpleITK as sitk

    img = np.asarray(image)
    if img.dtype.kind not in "iuf" or img.dtype == np.float16:
        img = img.astype(np.float32)  # keep the pixel type: pyradiomics resamples within it
    msk = np.asarray(mask).astype(np.uint32)
    sp = list(spacing)
    if img.ndim == 2:
        img, msk, sp = img[None], msk[None], [1.0, *sp]
    s_img = sitk.GetImageFromArray(img)
    s_msk = sitk.GetImageFromArray(msk)
    for s in (s_img, s_msk):
        s.SetSpacing(tuple(float(v) for v in sp[::-1]))
    return s_img, s_msk


def extract_image(image_array: np.ndarray, mask_array: np.ndarray, spacing: Sequence[float],
                  params: str | Path | dict[str, Any] | None = None, label: int | None = None,
                  where: str = "") -> dict[str, Any]:
    """pyradiomics features and diagnostics of one ROI.

    Parameters
    ----------
    image_array : ndarray, shape (rows, cols) or (slices, rows, cols)
        A 2-D slice or 3-D volume.
    mask_array : ndarray, same shape
        ROI labels.
    spacing : sequence of float
        Pixel spacing in mm, in the same axis order.
    params : str, Path, dict or None, default None
        A shipped parameter-file name, a YAML path or a pyradiomics parameter dict (study
        kim2020's when None).
    label : int or None, default None
        The ROI label (the parameters' ``label``, else 1, when None).
    where : str, default ""
        Prefix of every error (e.g. ``"patient TCGA-A1-A0SB, reader R1"``).

    Returns
    -------
    dict
        pyradiomics' ordered output: ``diagnostics_*`` entries (strings) and features
        (floats).

    Raises
    ------
    MaskError
        If the mask cannot be used or pyradiomics rejects the ROI.

    References
    ----------
    .. [1] van Griethuysen JJM, Fedorov A, Parmar C, et al. Computational radiomics system to
       decode the radiographic phenotype. *Cancer Res* 77(21), e104–e107 (2017);
       pyradiomics 3.0.1.
    """
    pdict = load_params(params)
    image = np.asarray(image_array)
    mask = np.asarray(mask_array)
    setting = pdict.get("setting") or {}
    lab = int(label if label is not None else setting.get("label", 1))
    check_mask(image, mask, lab, where)
    if "minimumROIDimensions" in setting or "minimumROISize" in setting:
        check_roi_size(mask == lab, where, int(setting.get("minimumROIDimensions", 2)),
                       setting.get("minimumROISize"))
    sp = _check_spacing(spacing, image.ndim, where)
    s_img, s_msk = to_sitk(image, mask, sp)
    extractor = _extractor(_params_json(pdict, label))
    try:
        result = extractor.execute(s_img, s_msk, label=lab)
    except ValueError as exc:  # pyradiomics' checkMask / force2D problems
        raise MaskError(f"{_where(where)}pyradiomics rejected the ROI: {exc}") from exc
    out: dict[str, Any] = {}
    for key, val in result.items():
        if key.startswith("diagnostics_"):
            out[key] = str(val)
        else:
            out[key] = float(val)
    return out


# --------------------------------------------------------------------------- cohort level

def roi_key(image: np.ndarray, mask: np.ndarray, spacing: Sequence[float],
            params: dict[str, Any]) -> str:
    """Cache key of one ROI: hash of image, mask, spacing, parameters and pyradiomics version.

    Parameters
    ----------
    image : ndarray
        Pixels.
    mask : ndarray
        ROI labels.
    spacing : sequence of float
        Pixel spacing in mm.
    params : dict
        pyradiomics parameters.

    Returns
    -------
    str
        Hex SHA-256.
    """
    from radiomics import __version__ as rv

    h = hashlib.sha256()
    for arr in (np.ascontiguousarray(image), np.ascontiguousarray(mask)):
        h.update(str((arr.dtype.str, arr.shape)).encode())
        h.update(arr.tobytes())
    h.update(json.dumps([list(map(float, spacing)), rv]).encode())
    h.update(store.hash_params(params).encode())
    return h.hexdigest()


def _extract_item(item: dict[str, Any]) -> dict[str, Any]:
    res = extract_image(item["image"], item["mask"], item["spacing"], item["params"],
                        where=item["where"])
    if item.get("cache_file"):
        store.write_json(item["cache_file"], res)
    return res


def _item(pid: str, reader: str, image_id: Any, pixels: np.ndarray, mask: np.ndarray,
          spacing: tuple[float, float], params: dict[str, Any], where: str,
          cache_dir: Path | None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    key = roi_key(pixels, mask, spacing, params)
    cache_file = None if cache_dir is None else cache_dir / f"{key}.json"
    item = {"patient_id": pid, "reader": reader, "image_id": image_id, "image": pixels,
            "mask": mask, "spacing": spacing, "params": params, "where": where,
            "cache_file": None if cache_file is None else str(cache_file)}
    hit = json.loads(cache_file.read_text()) if cache_file is not None and cache_file.exists() else None
    return item, hit


def _spacing(images: pd.DataFrame, image_id: Any) -> tuple[float, float]:
    meta = images.loc[image_id]
    return float(meta["pixel_spacing_row"]), float(meta["pixel_spacing_col"])


def _roi_items(cohort: Any, readers: Sequence[str] | None, params: dict[str, Any],
               cache_dir: Path | None) -> tuple[list[dict[str, Any]], list[dict[str, Any] | None]]:
    rois = cohort.rois
    if readers is not None:
        missing = sorted(set(readers) - set(rois["reader"].astype(str)))
        if missing:
            raise ValueError(f"reader(s) {missing} have no ROIs; readers in the cohort: "
                             f"{sorted(rois['reader'].astype(str).unique())}")
        rois = rois[rois["reader"].astype(str).isin([str(r) for r in readers])]
    images = cohort.images
    items, cached = [], []
    for row in rois.itertuples(index=False):
        pid, reader, image_id = str(row.patient_id), str(row.reader), row.image_id
        where = f"patient {pid}, reader {reader}, image {image_id}"
        mask_path = getattr(row, "mask_path", None)
        if mask_path is not None:
            where += f" (mask {mask_path})"
        if image_id not in images.index:
            raise GeometryError(f"{where}: the ROI's image is not in the cohort's DICOM index; "
                                "check sop_instance_uid in rois/rois.csv")
        pixels = np.asarray(cohort.pixels(image_id))
        mask = np.asarray(cohort.mask(pid, reader))
        if mask.shape != pixels.shape:
            raise GeometryError(f"{where}: mask size {tuple(mask.shape)} does not match the image "
                                f"{tuple(pixels.shape)}; the ROI was drawn on another image or "
                                "resampled; redraw it on the referenced slice")
        item, hit = _item(pid, reader, image_id, pixels, mask, _spacing(images, image_id), params,
                          where, cache_dir)
        items.append(item)
        cached.append(hit)
    return items, cached


def extract_crfs(cohort: Any, readers: Sequence[str] | None = None, n_jobs: int = 2,
                 params: str | Path | dict[str, Any] | None = None,
                 cache_dir: str | os.PathLike | None = None, backend: str = "loky",
                 return_diagnostics: bool = False, min_rois_per_worker: int = MIN_ROIS_PER_WORKER
                 ) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Features of every patient × reader ROI of a cohort.

    ROIs already in ``cache_dir`` (keyed by :func:`roi_key`) are not recomputed. Worker
    processes are started only when each gets at least ``min_rois_per_worker`` ROIs: one ROI
    takes ~0.03 s, starting a worker a few seconds (``benchmarks/bench_crf.py``).

    Parameters
    ----------
    cohort : Cohort
        A loaded cohort with DICOM and ROIs.
    readers : sequence of str or None, default None
        Readers whose ROIs are used (all when None).
    n_jobs : int, default 2
        Worker processes.
    params : str, Path, dict or None, default None
        A shipped parameter-file name, a YAML path or a pyradiomics parameter dict (study
        kim2020's when None).
    cache_dir : str, PathLike or None, default None
        Per-ROI cache.
    backend : {"loky", "sequential", "dask"}, default "loky"
        :func:`pyradiogen.parallel.pmap` backend.
    return_diagnostics : bool, default False
        Also return pyradiomics' diagnostics.
    min_rois_per_worker : int, default MIN_ROIS_PER_WORKER
        Fewest ROIs per worker worth a process.

    Returns
    -------
    features : DataFrame
        ``patient_id, reader, image_id`` and one column per feature (100 for kim2020).
    diagnostics : DataFrame
        Only with ``return_diagnostics``: one row per ROI.

    References
    ----------
    .. [1] van Griethuysen JJM, Fedorov A, Parmar C, et al. Computational radiomics system to
       decode the radiographic phenotype. *Cancer Res* 77(21), e104–e107 (2017);
       pyradiomics 3.0.1.
    """
    pdict = load_params(params)
    cdir = None if cache_dir is None else Path(cache_dir)
    if cdir is not None:
        cdir.mkdir(parents=True, exist_ok=True)
    items, cached = _roi_items(cohort, readers, pdict, cdir)
    todo = [it for it, c in zip(items, cached) if c is None]
    log.info("pyradiomics: %d ROIs, %d cached, %d to extract", len(items), len(items) - len(todo),
             len(todo))
    fresh = iter(pmap(_extract_item, todo, n_jobs=_workers(n_jobs, len(todo), min_rois_per_worker),
                      backend=backend, description="pyradiomics features") if todo else [])
    results = [c if c is not None else next(fresh) for c in cached]
    return assemble(items, results, pdict, return_diagnostics)


def assemble(items: Sequence[dict[str, Any]], results: Sequence[dict[str, Any]],
             params: dict[str, Any], return_diagnostics: bool = False
             ) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Feature (and diagnostics) tables from per-ROI results.

    Parameters
    ----------
    items : sequence of dict
        Per ROI: ``patient_id``, ``reader``, ``image_id``.
    results : sequence of dict
        Per ROI: :func:`extract_image`'s output.
    params : dict
        pyradiomics parameters (decide the feature columns).
    return_diagnostics : bool, default False
        Also return the diagnostics table.

    Returns
    -------
    features : DataFrame
        ``patient_id, reader, image_id`` + features.
    diagnostics : DataFrame
        Only with ``return_diagnostics``.

    Raises
    ------
    RuntimeError
        If pyradiomics returned no value for an enabled feature.
    """
    cols = feature_columns(params)
    ids = pd.DataFrame([{k: it[k] for k in ID_COLUMNS} for it in items], columns=ID_COLUMNS)
    feats = pd.DataFrame([{c: res.get(c, np.nan) for c in cols} for res in results],
                         columns=cols, dtype=float)
    missing = [c for c in cols if feats[c].isna().all()] if len(feats) else []
    if missing:
        raise RuntimeError(f"pyradiomics returned no value for {missing[:5]}; check the parameter "
                           "file's feature names against pyradiomics' getFeatureNames()")
    table = pd.concat([ids, feats], axis=1)
    if not return_diagnostics:
        return table
    diag = pd.DataFrame([{k: v for k, v in res.items() if k.startswith("diagnostics_")}
                         for res in results])
    return table, pd.concat([ids, diag], axis=1)


def _at_slice(image_id: Any, meta: pd.Series, roi_image: Any, ref: pd.Series,
              tol_mm: float) -> bool:
    if image_id == roi_image:
        return True
    a, b = meta.get("slice_location"), ref.get("slice_location")
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return False
    return abs(float(a) - float(b)) <= tol_mm


def _image_items(cohort: Any, reader: str | None, params: dict[str, Any],
                 cache_dir: Path | None, tol_mm: float
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any] | None], list[str]]:
    rois = cohort.rois
    readers = sorted(rois["reader"].astype(str).unique())
    reader = readers[0] if reader is None else str(reader)
    if reader not in readers:
        raise ValueError(f"reader {reader!r} has no ROIs; readers in the cohort: {readers}")
    rois = rois[rois["reader"].astype(str) == reader]
    images = cohort.images
    items, cached, skipped = [], [], []
    for row in rois.itertuples(index=False):
        pid, roi_image = str(row.patient_id), row.image_id
        mask = np.asarray(cohort.mask(pid, reader))
        ref = images.loc[roi_image]
        same = images[images["patient_id"].astype(str) == pid]
        if "exam_id" in images.columns and ref.get("exam_id"):
            same = same[same["exam_id"] == ref["exam_id"]]   # the phases of the ROI's exam
        for image_id, meta in same.iterrows():
            if not (_at_slice(image_id, meta, roi_image, ref, tol_mm)
                    and (int(meta["rows"]), int(meta["cols"])) == mask.shape):
                skipped.append(str(image_id))
                continue
            pixels = np.asarray(cohort.pixels(image_id))
            where = f"patient {pid}, image {image_id} (ROI of reader {reader} on {roi_image})"
            item, hit = _item(pid, reader, image_id, pixels, mask, _spacing(images, image_id),
                              params, where, cache_dir)
            items.append(item)
            cached.append(hit)
    return items, cached, skipped


def extract_image_crfs(cohort: Any, reader: str | None = None, n_jobs: int = 2,
                       params: str | Path | dict[str, Any] | None = None,
                       cache_dir: str | os.PathLike | None = None, backend: str = "loky",
                       slice_tol_mm: float = 0.01,
                       min_rois_per_worker: int = MIN_ROIS_PER_WORKER) -> pd.DataFrame:
    """Features of every image of every patient (study liu2023's image level), one reader's ROI.

    A patient's ROI (drawn on one slice) is applied to each of the patient's images at the
    same slice location (within ``slice_tol_mm``) and of the same size — within the ROI
    slice's DCE exam when the index has one (``exam_id``), i.e. the other DCE phases; other
    images are skipped and logged.

    Parameters
    ----------
    cohort : Cohort
        A loaded cohort with DICOM and ROIs.
    reader : str or None, default None
        The reader whose ROI is used (the first when None).
    n_jobs : int, default 2
        Worker processes.
    params : str, Path, dict or None, default None
        A shipped parameter-file name, a YAML path or a pyradiomics parameter dict (study
        kim2020's when None).
    cache_dir : str, PathLike or None, default None
        Per-ROI cache.
    backend : {"loky", "sequential", "dask"}, default "loky"
        :func:`pyradiogen.parallel.pmap` backend.
    slice_tol_mm : float, default 0.01
        Slice-location tolerance, in mm.
    min_rois_per_worker : int, default MIN_ROIS_PER_WORKER
        Fewest ROIs per worker worth a process.

    Returns
    -------
    DataFrame
        ``image_id, patient_id`` then the features (the between-stage layout).
    """
    pdict = load_params(params)
    cdir = None if cache_dir is None else Path(cache_dir)
    if cdir is not None:
        cdir.mkdir(parents=True, exist_ok=True)
    items, cached, skipped = _image_items(cohort, reader, pdict, cdir, slice_tol_mm)
    if skipped:
        log.info("pyradiomics: %d images skipped (no ROI at their slice location): %s",
                 len(skipped), skipped[:10])
    todo = [it for it, c in zip(items, cached) if c is None]
    fresh = iter(pmap(_extract_item, todo, n_jobs=_workers(n_jobs, len(todo), min_rois_per_worker),
                      backend=backend, description="pyradiomics features (images)") if todo else [])
    results = [c if c is not None else next(fresh) for c in cached]
    table = assemble(items, results, pdict)
    return table.drop(columns="reader")[["image_id", "patient_id", *feature_columns(pdict)]]
