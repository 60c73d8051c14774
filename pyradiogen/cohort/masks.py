"""ROI masks: ``rois.csv`` (patient_id, reader, sop_instance_uid, mask) and 2-D NRRD/NIfTI
masks (uint8, 1 = lesion) aligned to one DICOM slice."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import SimpleITK as sitk

from .errors import CohortError
from .ids import patient_barcode

ROI_COLUMNS = ("patient_id", "reader", "sop_instance_uid", "mask")


def read_mask(path: str | os.PathLike) -> np.ndarray:
    """A 2-D mask (NRRD or NIfTI) as uint8 (rows, cols); a 3-D mask with one slice is squeezed."""
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
              root: str | os.PathLike | None = None) -> pd.DataFrame:
    """ROI table: patient_id, reader, image_id, mask_path (absolute), sop_instance_uid.

    Mask paths are relative to ``root`` (the cohort folder) or to the CSV's folder.
    With ``images`` (the DICOM index), each ROI's SOPInstanceUID is matched to a slice; an
    unknown slice or patient, or a second ROI of the same reader and patient, is an error.
    """
    path = Path(path)
    from .usertable import read_table  # the shared reader (missing values, duplicates, layout)

    tab = read_table(path, what="ROI list", id_column=None, strings=True, required=ROI_COLUMNS,
                     expect=f"header {','.join(ROI_COLUMNS)}")
    df = tab.frame.reset_index(drop=True)
    for col in ROI_COLUMNS:
        miss = df[col].isna()
        if miss.any():
            raise tab.error("empty or missing cell", column=col,
                            line=int(tab.lines.iloc[int(miss.to_numpy().argmax())]),
                            fix="fill the cell or remove the row")
    df["patient_id"] = [patient_barcode(v, str(path)) for v in df["patient_id"]]
    dup = df.duplicated(["patient_id", "reader"], keep=False)
    if dup.any():
        row = df[dup].iloc[0]
        raise CohortError(f"reader {row['reader']!r} has more than one ROI", file=path,
                          patient=row["patient_id"], fix="keep one ROI per reader and patient")
    bases = [Path(root)] if root is not None else []
    bases += [path.parent, path.parent.parent]
    df["mask_path"] = [str(_resolve(m, bases)) for m in df["mask"]]
    for mp, pid in zip(df["mask_path"], df["patient_id"]):
        if not Path(mp).exists():
            raise CohortError(f"mask file {mp} not found", file=path, patient=pid,
                              fix="check the `mask` column (paths relative to the cohort "
                                  "folder or to rois.csv)")
    df["image_id"] = pd.NA
    if images is not None:
        by_sop = pd.Series(images.index, index=images["sop_uid"])
        known = set(images["patient_id"])
        for i, row in df.iterrows():
            if row["patient_id"] not in known:
                raise CohortError("ROI for a patient with no DICOM images", file=path,
                                  patient=row["patient_id"],
                                  fix="add the patient's images or remove the ROI row")
            if row["sop_instance_uid"] not in by_sop.index:
                raise CohortError(f"SOPInstanceUID {row['sop_instance_uid']} is not among the "
                                  "indexed DICOM slices", file=path, patient=row["patient_id"],
                                  fix="give the UID of the slice the ROI was drawn on")
            iid = by_sop[row["sop_instance_uid"]]
            if images.loc[iid, "patient_id"] != row["patient_id"]:
                raise CohortError(f"slice {row['sop_instance_uid']} belongs to patient "
                                  f"{images.loc[iid, 'patient_id']}", file=path,
                                  patient=row["patient_id"], fix="correct the patient or UID")
            df.loc[i, "image_id"] = iid
    return df[["patient_id", "reader", "image_id", "mask_path", "sop_instance_uid"]]
