"""DICOM SEG and RTSTRUCT objects as ROI sources: the 2-D mask on one referenced slice.

A ``rois.csv`` row may name a DICOM SEG or RTSTRUCT file in its ``mask`` column instead of a
NRRD/NIfTI mask; the optional ``segment`` column picks what is drawn:

* **DICOM SEG** — read with highdicom. ``segment`` is a segment number, several numbers
  joined by ``;`` or ``+``, or a segment label (every segment with that label, case-
  insensitive); blank means the object's only segment (an object with several asks for one).
  The mask is the union of the chosen segments on the slice (fractional segmentations are
  thresholded at 0.5). highdicom refuses to index by source image unless the SEG states that
  spatial locations are preserved; many real SEGs (dcmqi's, TCIA's Duke SEGs) leave that
  attribute out, so we check the geometry ourselves — the SEG frame's ImagePositionPatient,
  ImageOrientationPatient and PixelSpacing must match the referenced slice's within
  :data:`GEOMETRY_TOL_MM` — and only then index by source image.
* **RTSTRUCT** — rasterised here (``rt-utils`` would bring a GUI OpenCV build and rasterises
  vertices rounded to whole pixels). ``segment`` is the ROI name (StructureSetROISequence
  ROIName, case-insensitive) or number; blank means the only ROI. The contours on a slice are
  those whose ContourImageSequence names it, else those whose points lie in its plane (within
  :data:`PLANE_TOL_MM`). Each contour's points are mapped to pixel coordinates with the
  slice's ImagePositionPatient/ImageOrientationPatient/PixelSpacing; a pixel belongs to the ROI
  when its centre lies inside the polygon or on its edge; several contours on one slice
  combine by the even–odd rule (an inner contour is a hole), as the DICOM standard's
  CLOSED_PLANAR contours are usually drawn.

The slice (``sop_instance_uid``) may be any slice of the same DCE exam at the same position as
a slice the object references — the phases of one exam share one grid, so a ROI drawn on the
pre-contrast series applies to the first post-contrast phase — or blank: the referenced slice
with the largest ROI area.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pydicom

from .errors import CohortError

SEG_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.66.4"
RTSTRUCT_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.481.3"
GEOMETRY_TOL_MM = 0.05
PLANE_TOL_MM = 0.5


def roi_object_kind(path: str | os.PathLike) -> str | None:
    """Whether a file is a DICOM SEG, an RTSTRUCT, or neither.

    Parameters
    ----------
    path : str or PathLike
        The DICOM object.

    Returns
    -------
    str or None
        ``"seg"``, ``"rtstruct"`` or None.
    """
    path = Path(path)
    if path.suffix.lower() in (".nrrd", ".nii", ".gz", ".mha", ".mhd"):
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(132)
        if len(head) < 132 or head[128:132] != b"DICM":
            return None
        ds = pydicom.dcmread(path, stop_before_pixels=True, specific_tags=["SOPClassUID",
                                                                             "Modality"])
    except (OSError, pydicom.errors.InvalidDicomError):
        return None
    sop = str(ds.get("SOPClassUID", ""))
    mod = str(ds.get("Modality", "")).upper()
    if sop == SEG_SOP_CLASS or mod == "SEG":
        return "seg"
    if sop == RTSTRUCT_SOP_CLASS or mod == "RTSTRUCT":
        return "rtstruct"
    return None


@dataclass
class SliceGeometry:
    """Where a slice lies in patient space.

    Parameters
    ----------
    ipp : ndarray, shape (3,)
        ImagePositionPatient, in mm.
    row_dir, col_dir : ndarray, shape (3,)
        Row and column direction cosines (ImageOrientationPatient).
    spacing : tuple of float
        PixelSpacing: row spacing, column spacing, in mm.
    shape : tuple of int
        Rows, columns.
    """

    ipp: np.ndarray
    row_dir: np.ndarray
    col_dir: np.ndarray
    spacing: tuple[float, float]
    shape: tuple[int, int]

    @property
    def normal(self) -> np.ndarray:
        """Unit normal of the slice plane (row direction × column direction), shape (3,)."""
        return np.cross(self.row_dir, self.col_dir)


def slice_geometry(path: str | os.PathLike, frame: int = 0) -> SliceGeometry:
    """Geometry of one indexed slice (a single-frame file or a frame of a multi-frame).

    Parameters
    ----------
    path : str or PathLike
        The image file.
    frame : int, default 0
        1-based frame of a multi-frame file (0: single frame).

    Returns
    -------
    SliceGeometry
        Its position, orientation, spacing and size.

    Raises
    ------
    CohortError
        If the slice has no ImagePositionPatient/ImageOrientationPatient.
    """
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    ipp, iop, sp = ds.get("ImagePositionPatient"), ds.get("ImageOrientationPatient"), \
        ds.get("PixelSpacing")
    if frame:
        from .dicom import _frame_views
        v = _frame_views(ds)[frame - 1]
        ipp = v.get("ImagePositionPatient", ipp)
        iop = v.get("ImageOrientationPatient", iop)
        sp = v.get("PixelSpacing", sp)
    if ipp is None or iop is None or sp is None:
        raise CohortError("the slice has no ImagePositionPatient/ImageOrientationPatient",
                          file=path, fix="ROIs from SEG/RTSTRUCT need the slice's geometry")
    iop = np.asarray([float(x) for x in iop])
    return SliceGeometry(np.asarray([float(x) for x in ipp]), iop[:3], iop[3:],
                         (float(sp[0]), float(sp[1])), (int(ds.Rows), int(ds.Columns)))


# ----------------------------------------------------------------------------- SEG
@lru_cache(maxsize=16)
def _segread(path: str, mtime: float):
    import highdicom as hd
    return hd.seg.segread(path)


def _seg(path: str | os.PathLike):
    p = str(path)
    try:
        return _segread(p, os.stat(p).st_mtime)
    except Exception as exc:  # noqa: BLE001 - highdicom/pydicom raise many types
        raise CohortError(f"cannot read the DICOM SEG ({type(exc).__name__}: {exc})",
                          file=path, fix="re-download the SEG object") from exc


def seg_segments(path: str | os.PathLike) -> pd.DataFrame:
    """Number and label of every segment of a DICOM SEG.

    Parameters
    ----------
    path : str or PathLike
        The DICOM object.

    Returns
    -------
    DataFrame
        ``number, label``.

    Raises
    ------
    CohortError
        An unreadable object (the file named).
    """
    seg = _seg(path)
    return pd.DataFrame([{"number": int(s.SegmentNumber), "label": str(s.SegmentLabel)}
                         for s in seg.SegmentSequence])


def seg_references(path: str | os.PathLike) -> pd.DataFrame:
    """One row per SEG frame: referenced SOPInstanceUID, segment number, frame position.

    Each is taken from the frame's functional groups, else from the shared ones.

    Parameters
    ----------
    path : str or PathLike
        The DICOM object.

    Returns
    -------
    DataFrame
        ``frame`` (1-based), ``ref_sop``, ``segment``, ``ipp`` (the frame's position, mm).

    Raises
    ------
    CohortError
        An unreadable SEG or a frame naming no segment.
    """
    seg = _seg(path)
    shared = seg.SharedFunctionalGroupsSequence[0] \
        if seg.get("SharedFunctionalGroupsSequence") else pydicom.Dataset()

    def item(fr: pydicom.Dataset, name: str) -> pydicom.Dataset | None:
        for src in (fr, shared):
            seq = src.get(name)
            if seq:
                return seq[0]
        return None

    rows = []
    for k, fr in enumerate(seg.PerFrameFunctionalGroupsSequence):
        ref = ""
        der = item(fr, "DerivationImageSequence")
        if der is not None and der.get("SourceImageSequence"):
            ref = str(der.SourceImageSequence[0].ReferencedSOPInstanceUID)
        ident = item(fr, "SegmentIdentificationSequence")
        if ident is None:
            raise CohortError(f"SEG frame {k + 1} names no segment", file=path,
                              fix="re-export the segmentation (SegmentIdentificationSequence)")
        pos = item(fr, "PlanePositionSequence")
        ipp = [float(x) for x in pos.ImagePositionPatient] if pos is not None else None
        rows.append({"frame": k + 1, "ref_sop": ref,
                     "segment": int(ident.ReferencedSegmentNumber), "ipp": ipp})
    return pd.DataFrame(rows, columns=["frame", "ref_sop", "segment", "ipp"])


def pick_segments(path: str | os.PathLike, segment: str, kind: str = "seg") -> list:
    """Segment numbers (SEG) or ROI numbers (RTSTRUCT) selected by the ``segment`` cell.

    Parameters
    ----------
    path : str or PathLike
        The object.
    segment : str
        The ``rois.csv`` cell: a number, a label, or empty (the object's only one).
    kind : {"seg", "rtstruct"}, default "seg"
        Object kind.

    Returns
    -------
    list of int
        Numbers selected.

    Raises
    ------
    CohortError
        An empty cell with several segments, or a number or label not in the object (the
        ones present listed).
    """
    table = seg_segments(path) if kind == "seg" else rtstruct_rois(path)
    what = "segment" if kind == "seg" else "ROI"
    listing = "; ".join(f"{n} = {lab!r}" for n, lab in zip(table["number"], table["label"]))
    text = str(segment or "").strip()
    if not text:
        if len(table) == 1:
            return [int(table["number"].iloc[0])]
        raise CohortError(f"the object holds {len(table)} {what}s ({listing}); the `segment` "
                          "column must say which", file=path,
                          fix=f"add a `segment` column to rois.csv with a {what} number or "
                              "label")
    parts = [p.strip() for p in text.replace("+", ";").split(";") if p.strip()]
    if all(p.isdigit() for p in parts):
        nums = [int(p) for p in parts]
        bad = [n for n in nums if n not in set(table["number"])]
        if bad:
            raise CohortError(f"{what} {bad[0]} is not in the object ({listing})", file=path,
                              fix=f"use one of its {what} numbers or labels")
        return nums
    hit = table[table["label"].str.lower() == text.lower()]
    if hit.empty:
        raise CohortError(f"no {what} labelled {text!r} ({listing})", file=path,
                          fix=f"use one of its {what} numbers or labels")
    return [int(n) for n in hit["number"]]


def _check_geometry(path, seg, frame_no: int, geo: SliceGeometry) -> None:
    """The SEG frame lies on the slice (position, orientation, spacing, matrix)."""
    fr = seg.PerFrameFunctionalGroupsSequence[frame_no - 1]
    sh = seg.SharedFunctionalGroupsSequence[0] if seg.get("SharedFunctionalGroupsSequence") \
        else pydicom.Dataset()

    def get(seq: str, key: str):
        for item in (fr, sh):
            s = item.get(seq)
            if s and key in s[0]:
                return [float(x) for x in s[0].get(key)]
        return None

    problems = []
    if (int(seg.Rows), int(seg.Columns)) != geo.shape:
        problems.append(f"matrix {int(seg.Rows)}×{int(seg.Columns)} vs {geo.shape}")
    ipp = get("PlanePositionSequence", "ImagePositionPatient")
    if ipp is not None and np.abs(np.asarray(ipp) - geo.ipp).max() > GEOMETRY_TOL_MM:
        problems.append(f"ImagePositionPatient {ipp} vs {geo.ipp.tolist()}")
    iop = get("PlaneOrientationSequence", "ImageOrientationPatient")
    if iop is not None and np.abs(np.asarray(iop) - np.r_[geo.row_dir, geo.col_dir]).max() > 1e-3:
        problems.append("ImageOrientationPatient differs")
    sp = get("PixelMeasuresSequence", "PixelSpacing")
    if sp is not None and np.abs(np.asarray(sp) - np.asarray(geo.spacing)).max() > 1e-3:
        problems.append(f"PixelSpacing {sp} vs {list(geo.spacing)}")
    if problems:
        raise CohortError("the SEG frame is not on the referenced slice's grid ("
                          + "; ".join(problems) + ")", file=path,
                          fix="export the segmentation on the grid of the slices it references")


def seg_mask(path: str | os.PathLike, ref_sop: str, segments: list[int],
             geo: SliceGeometry) -> np.ndarray:
    """Union of SEG segments on one slice.

    Parameters
    ----------
    path : str or PathLike
        The DICOM object.
    ref_sop : str
        SOPInstanceUID of the slice.
    segments : list of int
        Segment numbers.
    geo : SliceGeometry
        The slice's geometry.

    Returns
    -------
    ndarray of uint8, shape (rows, cols)
        1 inside the ROI.

    Raises
    ------
    CohortError
        A frame not on the slice's grid.
    """
    seg = _seg(path)
    refs = seg_references(path)
    frames = refs[(refs["ref_sop"] == ref_sop) & refs["segment"].isin(segments)]
    if frames.empty:
        return np.zeros(geo.shape, dtype=np.uint8)
    for f in frames["frame"]:
        _check_geometry(path, seg, int(f), geo)
    arr = seg.get_pixels_by_source_instance(
        source_sop_instance_uids=[ref_sop], segment_numbers=list(segments),
        combine_segments=False, ignore_spatial_locations=True, skip_overlap_checks=True)
    return (np.asarray(arr[0]) >= 0.5).any(axis=-1).astype(np.uint8)


# ----------------------------------------------------------------------------- RTSTRUCT
@lru_cache(maxsize=16)
def _rtread(path: str, mtime: float) -> pydicom.Dataset:
    return pydicom.dcmread(path)


def _rt(path: str | os.PathLike) -> pydicom.Dataset:
    p = str(path)
    try:
        return _rtread(p, os.stat(p).st_mtime)
    except Exception as exc:  # noqa: BLE001
        raise CohortError(f"cannot read the RTSTRUCT ({type(exc).__name__}: {exc})",
                          file=path, fix="re-download the RTSTRUCT object") from exc


def rtstruct_rois(path: str | os.PathLike) -> pd.DataFrame:
    """Number and label (ROIName) of every ROI of an RTSTRUCT.

    Parameters
    ----------
    path : str or PathLike
        The DICOM object.

    Returns
    -------
    DataFrame
        ``number, label``.

    Raises
    ------
    CohortError
        An unreadable object (the file named).
    """
    ds = _rt(path)
    return pd.DataFrame([{"number": int(r.ROINumber), "label": str(r.get("ROIName", ""))}
                         for r in ds.get("StructureSetROISequence", [])])


def rtstruct_contours(path: str | os.PathLike, rois: list[int]) -> list[dict]:
    """Contours of the chosen ROIs of an RTSTRUCT.

    Parameters
    ----------
    path : str or PathLike
        The DICOM object.
    rois : list of int
        ROI numbers.

    Returns
    -------
    list of dict
        ``points`` (n, 3) in mm and ``refs`` (referenced SOP UIDs) per contour.
    """
    ds = _rt(path)
    out = []
    for rc in ds.get("ROIContourSequence", []):
        if int(rc.ReferencedROINumber) not in rois:
            continue
        for c in rc.get("ContourSequence", []):
            pts = np.asarray([float(x) for x in c.ContourData], dtype=float).reshape(-1, 3)
            refs = [str(i.ReferencedSOPInstanceUID) for i in c.get("ContourImageSequence", [])]
            out.append({"points": pts, "refs": refs,
                        "type": str(c.get("ContourGeometricType", "CLOSED_PLANAR"))})
    return out


def rasterise_polygon(xy: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Pixel centres inside a polygon or on its edge (even–odd crossing test, vectorised).

    Parameters
    ----------
    xy : ndarray, shape (n, 2)
        Vertices as (column, row) index coordinates.
    shape : tuple of int
        Rows, columns.

    Returns
    -------
    ndarray of bool, shape (rows, cols)
        True inside.
    """
    rows, cols = shape
    out = np.zeros(shape, dtype=bool)
    if len(xy) < 3:
        return out
    x0, x1 = max(int(np.floor(xy[:, 0].min())), 0), min(int(np.ceil(xy[:, 0].max())), cols - 1)
    y0, y1 = max(int(np.floor(xy[:, 1].min())), 0), min(int(np.ceil(xy[:, 1].max())), rows - 1)
    if x1 < x0 or y1 < y0:
        return out
    X, Y = np.meshgrid(np.arange(x0, x1 + 1, dtype=float), np.arange(y0, y1 + 1, dtype=float))
    px, py = X.ravel()[:, None], Y.ravel()[:, None]
    a = xy
    b = np.roll(xy, -1, axis=0)
    ax, ay, bx, by = a[:, 0][None], a[:, 1][None], b[:, 0][None], b[:, 1][None]
    cond = (ay > py) != (by > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        xcross = ax + (py - ay) * (bx - ax) / (by - ay)
    inside = (cond & (px < xcross)).sum(axis=1) % 2 == 1
    # on an edge: collinear and within the segment's bounding box
    cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax)
    within = ((px >= np.minimum(ax, bx) - 1e-9) & (px <= np.maximum(ax, bx) + 1e-9)
              & (py >= np.minimum(ay, by) - 1e-9) & (py <= np.maximum(ay, by) + 1e-9))
    edge = ((np.abs(cross) < 1e-6) & within).any(axis=1)
    out[y0:y1 + 1, x0:x1 + 1] = (inside | edge).reshape(X.shape)
    return out


def rtstruct_mask(path: str | os.PathLike, ref_sop: str, rois: list[int],
                  geo: SliceGeometry) -> np.ndarray:
    """Mask of the chosen RTSTRUCT ROIs' contours on one slice.

    Parameters
    ----------
    path : str or PathLike
        The DICOM object.
    ref_sop : str
        SOPInstanceUID of the slice.
    rois : list of int
        ROI numbers.
    geo : SliceGeometry
        The slice's geometry.

    Returns
    -------
    ndarray of uint8, shape (rows, cols)
        1 inside the ROI.
    """
    mask = np.zeros(geo.shape, dtype=bool)
    normal = geo.normal
    for c in rtstruct_contours(path, rois):
        pts = c["points"]
        if c["refs"]:
            if ref_sop not in c["refs"]:
                continue
        elif np.abs((pts - geo.ipp) @ normal).max() > PLANE_TOL_MM:
            continue
        d = pts - geo.ipp
        xy = np.column_stack([d @ geo.row_dir / geo.spacing[1], d @ geo.col_dir / geo.spacing[0]])
        if c["type"].upper() == "POINT" or len(xy) < 3:
            for x, y in np.round(xy).astype(int):
                if 0 <= y < geo.shape[0] and 0 <= x < geo.shape[1]:
                    mask[y, x] ^= True
            continue
        mask ^= rasterise_polygon(xy, geo.shape)
    return mask.astype(np.uint8)


def rtstruct_references(path: str | os.PathLike, rois: list[int]) -> list[str]:
    """The SOP UIDs the chosen ROIs' contours name (empty when they name none).

    Parameters
    ----------
    path : str or PathLike
        The DICOM object.
    rois : list of int
        ROI numbers.

    Returns
    -------
    list of str
        Sorted UIDs.
    """
    return sorted({r for c in rtstruct_contours(path, rois) for r in c["refs"]})


def object_mask(kind: str, path: str | os.PathLike, ref_sop: str, segments: list[int],
                geo: SliceGeometry) -> np.ndarray:
    """The 2-D mask of a SEG/RTSTRUCT on one referenced slice.

    Parameters
    ----------
    kind : {"seg", "rtstruct"}
        Object kind.
    path : str or PathLike
        The DICOM object.
    ref_sop : str
        SOPInstanceUID of the slice.
    segments : list of int
        Segment or ROI numbers.
    geo : SliceGeometry
        The slice's geometry.

    Returns
    -------
    ndarray of uint8, shape (rows, cols)
        1 inside the ROI.
    """
    if kind == "seg":
        return seg_mask(path, ref_sop, segments, geo)
    return rtstruct_mask(path, ref_sop, segments, geo)


def object_references(kind: str, path: str | os.PathLike, segments: list[int]) -> list[str]:
    """The slices (SOP UIDs) a SEG/RTSTRUCT draws the chosen segments/ROIs on.

    Parameters
    ----------
    kind : {"seg", "rtstruct"}
        Object kind.
    path : str or PathLike
        The DICOM object.
    segments : list of int
        Segment or ROI numbers.

    Returns
    -------
    list of str
        Sorted UIDs.
    """
    if kind == "seg":
        refs = seg_references(path)
        return sorted(set(refs.loc[refs["segment"].isin(segments), "ref_sop"]) - {""})
    return rtstruct_references(path, segments)
