"""ROI masks: the ``rois.csv`` table and 2-D masks aligned to one DICOM slice.

ROI masks: ``rois.csv`` (patient_id, reader, sop_instance_uid, mask[, segment]) and 2-D
masks (uint8, 1 = lesion) aligned to one DICOM slice: NRRD/NIfTI files, or DICOM SEG/RTSTRUCT
objects (:mod:`pyradiogen.cohort.roi_objects`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import SimpleITK as sitk

from .errors import CohortError
from .ids import patient_id

ROI_COLUMNS = ("patient_id", "reader", "sop_instance_uid", "mask")


def read_mask(path: str | os.PathLike) -> np.ndarray:
    """Read a 2-D mask (NRRD or NIfTI); a 3-D mask with one slice is squeezed.

    Parameters
    ----------
    path : str or PathLike
        The mask file.

    Returns
    -------
    ndarray of uint8, shape (rows, cols)
        1 = lesion.

    Raises
    ------
    CohortError
        A missing or unreadable file, a mask that is not one 2-D slice, values other than
        0/1, or an empty mask.
    """
    path = Path(path)
    if not path.exists():
        raise CohortError("mask file not found", file=path,
                          fix="check the `mask` column of rois.csv (paths relative to it)")
    try:
        arr = sitk.GetArrayFromImage(sitk.ReadImage(str(path)))
    except RuntimeError as exc:
        raise CohortError(f"cannot read the mask ({str(exc).splitlines()[0]})", file=path,
                          fix="save the ROI as NRRD (.nrrd) or NIfTI (.nii/.nii.gz)") from exc
    if arr.ndim == 3 and 1 in arr.shape:
        arr = arr.reshape([s for s in arr.shape if s != 1] or [1])
    if arr.ndim != 2:
        raise CohortError(f"mask has shape {arr.shape}; a 2-D ROI on one slice is expected",
                          file=path, fix="export the ROI of the representative slice only")
    vals = np.unique(arr)
    if not np.isin(vals, (0, 1)).all():
        if np.isin(vals, (0, 255)).all():
            arr = arr // 255
        else:
            raise CohortError(f"mask values {vals[:6].tolist()} are not 0/1", file=path,
                              fix="write a binary mask (1 = lesion)")
    if not arr.any():
        raise CohortError("mask is empty", file=path, fix="draw the ROI or drop the row")
    return arr.astype(np.uint8)


def _resolve(mask: str, bases: list[Path]) -> Path:
    if Path(mask).is_absolute():
        return Path(mask)
    for b in bases:
        if (b / mask).exists():
            return b / mask
    return bases[0] / mask


def read_rois(path: str | os.PathLike, images: pd.DataFrame | None = None,
              root: str | os.PathLike | None = None,
              dicom_root: str | os.PathLike | None = None) -> pd.DataFrame:
    """Read the ROI table ``rois/rois.csv`` and match each ROI to its slice.

    Mask paths are relative to ``root`` (the cohort folder), to the CSV's folder or to
    ``dicom_root``. A mask may be a NRRD/NIfTI file or a DICOM SEG/RTSTRUCT (see
    :mod:`pyradiogen.cohort.roi_objects`; the optional ``segment`` column picks the segment
    or ROI). For a SEG/RTSTRUCT, ``ref_sop`` is the slice the object draws on and a blank
    ``sop_instance_uid`` takes the referenced slice with the largest ROI.

    Parameters
    ----------
    path : str or PathLike
        ``rois.csv`` (or a ``rois/<reader>/`` layout).
    images : DataFrame or None, default None
        The DICOM index; each ROI's SOPInstanceUID is matched to a slice.
    root : str, PathLike or None, default None
        The cohort folder.
    dicom_root : str, PathLike or None, default None
        The DICOM folder.

    Returns
    -------
    DataFrame
        ``patient_id, reader, image_id, mask_path`` (absolute), ``sop_instance_uid``,
        ``source`` (``file``, ``seg`` or ``rtstruct``), ``segment``, ``ref_sop``.

    Raises
    ------
    CohortError
        An unknown slice or patient, a missing mask, or a second ROI of the same reader and
        patient.
    """
    from . import roi_objects as ro

    path = Path(path)
    from .usertable import read_table  # the shared reader (missing values, duplicates, layout)

    tab = read_table(path, what="ROI list", id_column=None, strings=True, required=ROI_COLUMNS,
                     expect=f"header {','.join(ROI_COLUMNS)}")
    df = tab.frame.reset_index(drop=True)
    # sop_instance_uid may be blank for a SEG/RTSTRUCT row (the referenced slice with the
    # largest ROI is taken); every other column needs a value
    for col in ("patient_id", "reader", "mask"):
        miss = df[col].isna()
        if miss.any():
            raise tab.error("empty or missing cell", column=col,
                            line=int(tab.lines.iloc[int(miss.to_numpy().argmax())]),
                            fix="fill the cell or remove the row")
    df["patient_id"] = [patient_id(v, str(path)) for v in df["patient_id"]]
    df["sop_instance_uid"] = df["sop_instance_uid"].fillna("").astype(str).str.strip()
    df["segment"] = df["segment"].fillna("").astype(str) if "segment" in df else ""
    dup = df.duplicated(["patient_id", "reader"], keep=False)
    if dup.any():
        row = df[dup].iloc[0]
        raise CohortError(f"reader {row['reader']!r} has more than one ROI", file=path,
                          patient=row["patient_id"], fix="keep one ROI per reader and patient")
    bases = [Path(root)] if root is not None else []
    bases += [path.parent, path.parent.parent]
    if dicom_root is not None:
        bases.append(Path(dicom_root))
    df["mask_path"] = [str(_resolve(m, bases)) for m in df["mask"]]
    for mp, pid in zip(df["mask_path"], df["patient_id"]):
        if not Path(mp).exists():
            raise CohortError(f"mask file {mp} not found", file=path, patient=pid,
                              fix="check the `mask` column (paths relative to the cohort "
                                  "folder or to rois.csv)")
    df["source"] = [ro.roi_object_kind(mp) or "file" for mp in df["mask_path"]]
    df["ref_sop"] = ""
    df["image_id"] = pd.NA
    if images is not None:
        by_sop = pd.Series(images.index, index=images["sop_uid"])
        by_sop = by_sop[~by_sop.index.duplicated()]
        known = set(images["patient_id"])
        for i, row in df.iterrows():
            pid = row["patient_id"]
            if pid not in known:
                raise CohortError("ROI for a patient with no DICOM images", file=path,
                                  patient=pid,
                                  fix="add the patient's images or remove the ROI row")
            sop = row["sop_instance_uid"]
            if row["source"] != "file":
                iid, ref = _object_slice(row, images, by_sop, dicom_root, path)
                df.loc[i, "image_id"], df.loc[i, "ref_sop"] = iid, ref
                continue
            if sop not in by_sop.index:
                raise CohortError(f"SOPInstanceUID {sop} is not among the "
                                  "indexed DICOM slices", file=path, patient=pid,
                                  fix="give the UID of the slice the ROI was drawn on")
            iid = by_sop[sop]
            if images.loc[iid, "patient_id"] != pid:
                raise CohortError(f"slice {sop} belongs to patient "
                                  f"{images.loc[iid, 'patient_id']}", file=path,
                                  patient=pid, fix="correct the patient or UID")
            df.loc[i, "image_id"] = iid
    return df[["patient_id", "reader", "image_id", "mask_path", "sop_instance_uid", "source",
               "segment", "ref_sop"]]


def _same_grid(a: pd.Series, b: pd.Series) -> bool:
    return (a["orientation"] == b["orientation"] and int(a["rows"]) == int(b["rows"])
            and int(a["cols"]) == int(b["cols"])
            and abs(float(a["pixel_spacing_row"]) - float(b["pixel_spacing_row"])) < 1e-3
            and abs(float(a["pixel_spacing_col"]) - float(b["pixel_spacing_col"])) < 1e-3
            and abs(float(a["slice_position"]) - float(b["slice_position"])) <= 0.05)


def _object_slice(row: pd.Series, images: pd.DataFrame, by_sop: pd.Series,
                  dicom_root: str | os.PathLike | None, csv: Path) -> tuple[str, str]:
    """(image_id of the ROI's slice, SOP UID the SEG/RTSTRUCT draws on) for one row."""
    from . import roi_objects as ro

    kind, mp, pid = row["source"], row["mask_path"], row["patient_id"]
    segs = ro.pick_segments(mp, row["segment"], kind)
    refs = [r for r in ro.object_references(kind, mp, segs) if r in by_sop.index]
    refs = [r for r in refs if images.loc[by_sop[r], "patient_id"] == pid]
    sop = row["sop_instance_uid"]
    what = "SEG" if kind == "seg" else "RTSTRUCT"
    if not sop:
        if not refs:
            raise CohortError(f"the {what} draws on no indexed slice of this patient",
                              file=mp, patient=pid,
                              fix="index the series it references, or give "
                                  "sop_instance_uid in rois.csv")
        root = Path(dicom_root) if dicom_root is not None else Path(".")
        areas = []
        for r in refs:
            meta = images.loc[by_sop[r]]
            geo = ro.slice_geometry(root / meta["path"], int(meta["frame"]))
            areas.append(int(ro.object_mask(kind, mp, r, segs, geo).sum()))
        best = refs[int(np.argmax(areas))]
        return by_sop[best], best
    if sop not in by_sop.index:
        raise CohortError(f"SOPInstanceUID {sop} is not among the indexed DICOM slices",
                          file=csv, patient=pid,
                          fix="give the UID of a slice the object draws on (or leave it blank)")
    iid = by_sop[sop]
    if images.loc[iid, "patient_id"] != pid:
        raise CohortError(f"slice {sop} belongs to patient {images.loc[iid, 'patient_id']}",
                          file=csv, patient=pid, fix="correct the patient or UID")
    if sop in refs:
        return iid, sop
    target = images.loc[iid]
    for r in refs:
        ref = images.loc[by_sop[r]]
        same_acq = (target["exam_id"] and target["exam_id"] == ref["exam_id"]) \
            or target["series_uid"] == ref["series_uid"]
        if same_acq and _same_grid(target, ref):
            return iid, r
    if kind == "rtstruct" and not ro.object_references(kind, mp, segs):
        return iid, sop       # contours without image references: matched by plane
    raise CohortError(f"the {what} draws nothing on slice {sop} (nor at its position in "
                      f"another phase of its DCE exam); it draws on {len(refs)} indexed "
                      "slice(s)", file=mp, patient=pid,
                      fix="give the UID of a slice the object draws on (or leave it blank)")


def roi_mask(row: pd.Series | dict, images: pd.DataFrame,
             dicom_root: str | os.PathLike) -> np.ndarray:
    """The mask of one :func:`read_rois` row on its slice, whatever its source.

    Parameters
    ----------
    row : Series or dict
        A row of :func:`read_rois`.
    images : DataFrame
        The DICOM index.
    dicom_root : str or PathLike
        The DICOM folder.

    Returns
    -------
    ndarray of uint8, shape (rows, cols)
        1 = lesion, aligned to the slice's pixels.
    """
    from . import roi_objects as ro

    if row["source"] == "file":
        return read_mask(row["mask_path"])
    meta = images.loc[row["image_id"]]
    geo = ro.slice_geometry(Path(dicom_root) / meta["path"], int(meta["frame"]))
    segs = ro.pick_segments(row["mask_path"], row["segment"], row["source"])
    m = ro.object_mask(row["source"], row["mask_path"], row["ref_sop"] or row["sop_instance_uid"],
                       segs, geo)
    if not m.any():
        raise CohortError(f"the {row['source'].upper()} mask is empty on slice "
                          f"{row['ref_sop'] or row['sop_instance_uid']}", file=row["mask_path"],
                          patient=row["patient_id"],
                          fix="pick a slice (or segment) the object draws on")
    return m
