"""DICOM index (one row per 2-D slice, cached on disk), DCE exam assembly and pixel loading.

Files are found at any depth under the DICOM folder, as TCIA delivers them. What is indexed:

* every single-frame image file (one row);
* every frame of an enhanced/legacy-converted multi-frame image (one row per frame: its
  position, orientation, spacing, rescale and temporal index come from the per-frame and
  shared functional groups, ``frame`` is the 1-based frame number).

What is skipped and listed (:attr:`DicomIndex.skipped`, ``validate``'s ``skipped``), never
fatal: files without the ``DICM`` preamble (unless named ``.dcm``: then they are reported as
damaged); non-image objects — DICOM SEG, RTSTRUCT, structured reports, presentation states,
key-object selections, RT plans/doses, registrations, encapsulated documents, any object
without pixel data — and secondary captures / colour images (no measurable 2-D slice). SEG and
RTSTRUCT objects remain usable as ROI sources (:mod:`pyradiogen.cohort.roi_objects`).

Every indexed image is checked for the tags below and for truncated pixel data, so a broken
download is refused at load time, naming the file. After indexing, the series are grouped into
DCE exams and their phases numbered (0 = pre-contrast) by :mod:`pyradiogen.cohort.dce`.

Compressed pixel data (JPEG baseline/extended/lossless, JPEG-LS, JPEG 2000, RLE, deflate) is
decoded by pydicom's decoder plugins (``pylibjpeg`` with ``pylibjpeg-libjpeg`` and
``pylibjpeg-openjpeg``, ``pyjpegls``; ``python-gdcm`` where installed); a syntax no installed
plugin decodes raises an error naming the syntax and the package to install.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pydicom
from pydicom.errors import InvalidDicomError

from .. import store
from .dce import EXAM_COLUMNS, EXAMS_COLUMNS, assemble_exams
from .errors import CohortError
from .ids import current_id_scheme, patient_id

REQUIRED_TAGS = ("PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID",
                 "Rows", "Columns", "PixelSpacing", "InstanceNumber", "BitsAllocated")
HEADER_COLUMNS = ("patient_id", "study_uid", "series_uid", "sop_uid", "frame",
                  "series_number", "series_description", "modality", "manufacturer",
                  "field_strength", "temporal_position", "n_temporal_positions",
                  "acquisition_number", "acquisition_time", "trigger_time", "content_time",
                  "instance_number", "slice_location", "slice_position", "orientation",
                  "rows", "cols", "pixel_spacing_row", "pixel_spacing_col", "rescale_slope",
                  "rescale_intercept", "transfer_syntax", "path")
#: the index's columns (``phase``: 0 = pre-contrast, 1 … K post-contrast, <NA> outside a DCE
#: exam; ``phase_rule``: the evidence that decided it; ``role``: pre/post/other)
INDEX_COLUMNS = ("patient_id", "study_uid", "series_uid", "sop_uid", "series_description",
                 "manufacturer", "field_strength", "phase", "instance_number",
                 "slice_location", "rows", "cols", "pixel_spacing_row", "pixel_spacing_col",
                 "rescale_slope", "rescale_intercept", "path", "exam_id", "phase_rule", "role",
                 "frame", "series_number", "modality", "temporal_position",
                 "n_temporal_positions", "acquisition_number", "acquisition_time",
                 "trigger_time", "content_time", "slice_position", "orientation",
                 "transfer_syntax")
SKIPPED_COLUMNS = ("path", "reason", "kind", "modality", "sop_class", "patient_id",
                   "study_uid", "series_uid", "sop_uid", "series_description")
INDEX_VERSION = 2
PARALLEL_MIN_FILES = 2000   # parallel header reading / progress bar from this many files
_FIX_DOWNLOAD = "re-download the series from TCIA (or remove the file)"
_UNCOMPRESSED = ("", "1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2")
#: non-image modalities (skipped at indexing)
NON_IMAGE_MODALITIES = {"SEG": "DICOM SEG", "RTSTRUCT": "RT structure set", "SR": "structured report",
                        "PR": "presentation state", "KO": "key object selection",
                        "RTPLAN": "RT plan", "RTDOSE": "RT dose", "RTRECORD": "RT record",
                        "REG": "registration", "DOC": "encapsulated document",
                        "FID": "fiducials", "PLAN": "plan", "RWV": "real world value map"}
#: SOP class name fragments of non-image objects
NON_IMAGE_SOP_WORDS = ("Segmentation", "Structure Set", "SR Storage", "Presentation State",
                       "Key Object", "RT Plan", "RT Dose", "Registration", "Encapsulated",
                       "Raw Data", "Spectroscopy", "Real World Value", "Waveform",
                       "Surface", "Parametric Map", "Document", "Treatment Record")
#: decoder packages to name when a transfer syntax cannot be decoded
DECODER_PACKAGES = {
    "1.2.840.10008.1.2.4.50": "pylibjpeg pylibjpeg-libjpeg (or python-gdcm)",
    "1.2.840.10008.1.2.4.51": "pylibjpeg pylibjpeg-libjpeg (or python-gdcm)",
    "1.2.840.10008.1.2.4.57": "pylibjpeg pylibjpeg-libjpeg (or python-gdcm)",
    "1.2.840.10008.1.2.4.70": "pylibjpeg pylibjpeg-libjpeg (or python-gdcm)",
    "1.2.840.10008.1.2.4.80": "pylibjpeg pylibjpeg-libjpeg (or pyjpegls / python-gdcm)",
    "1.2.840.10008.1.2.4.81": "pylibjpeg pylibjpeg-libjpeg (or pyjpegls / python-gdcm)",
    "1.2.840.10008.1.2.4.90": "pylibjpeg pylibjpeg-openjpeg (or python-gdcm)",
    "1.2.840.10008.1.2.4.91": "pylibjpeg pylibjpeg-openjpeg (or python-gdcm)",
    "1.2.840.10008.1.2.4.201": "pylibjpeg pylibjpeg-openjpeg",
    "1.2.840.10008.1.2.4.202": "pylibjpeg pylibjpeg-openjpeg",
    "1.2.840.10008.1.2.4.203": "pylibjpeg pylibjpeg-openjpeg",
    "1.2.840.10008.1.2.5": "pylibjpeg pylibjpeg-rle",
}


class Skip(Exception):
    """A file that is not an indexable 2-D image (the reason is kept in the skipped list).

    Parameters
    ----------
    reason : str
        Why, in words.
    kind : str
        ``seg``, ``rtstruct``, ``sr``, ``pr``, ``not_dicom`` ….
    info : dict or None, default None
        Modality, SOP class and other header values.
    """

    def __init__(self, reason: str, kind: str, info: dict | None = None) -> None:
        super().__init__(reason)
        self.reason, self.kind, self.info = reason, kind, info or {}


@dataclass
class DicomIndex:
    """The indexed DICOM folder: images, DCE exams and the files not indexed.

    Parameters
    ----------
    images : DataFrame
        One row per slice or frame, indexed by ``image_id`` (columns in
        ``docs/ARCHITECTURE.md``).
    exams : DataFrame
        One row per DCE exam (see :mod:`pyradiogen.cohort.dce`).
    skipped : DataFrame
        Files not indexed, with the reason.
    """

    images: pd.DataFrame
    exams: pd.DataFrame
    skipped: pd.DataFrame


def find_files(root: Path) -> list[Path]:
    """Every regular file under ``root`` (sorted, hidden files and folders skipped)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out.extend(Path(dirpath) / f for f in sorted(filenames) if not f.startswith("."))
    return out


def _is_dicom(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(132)
    return len(head) == 132 and head[128:132] == b"DICM"


# ----------------------------------------------------------------------------- tag values
def _num(v: Any) -> float:
    if v is None or v == "":
        return np.nan
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan


def _tm_seconds(tm: Any) -> float:
    s = str(tm or "").strip().replace(":", "")
    if not s:
        return np.nan
    try:
        hh, mm = int(s[0:2]), int(s[2:4] or 0)
        ss = float(s[4:] or 0)
    except ValueError:
        return np.nan
    return hh * 3600 + mm * 60 + ss


def _da_days(da: Any) -> float:
    s = str(da or "").strip().replace(".", "").replace("-", "")
    try:
        return float(_dt.date(int(s[0:4]), int(s[4:6]), int(s[6:8])).toordinal())
    except (ValueError, IndexError):
        return np.nan


def _datetime_seconds(dt: Any = None, da: Any = None, tm: Any = None) -> float:
    """Seconds of a DT, or of DA + TM (TM alone when the date is absent)."""
    s = str(dt or "").strip()
    if len(s) >= 8:
        s = s.split("+")[0].split("-")[0] if len(s) > 8 else s
        days = _da_days(s[:8])
        secs = _tm_seconds(s[8:]) if len(s) > 8 else 0.0
        if not np.isnan(days):
            return days * 86400 + (0.0 if np.isnan(secs) else secs)
    t = _tm_seconds(tm)
    if np.isnan(t):
        return np.nan
    d = _da_days(da)
    return t + (0.0 if np.isnan(d) else d * 86400)


def _orientation(iop: Any) -> tuple[str, np.ndarray | None]:
    try:
        v = np.asarray([float(x) for x in iop], dtype=float)
    except (TypeError, ValueError):
        return "", None
    if v.shape != (6,):
        return "", None
    normal = np.cross(v[:3], v[3:])
    return ",".join(f"{x:.3f}" for x in np.round(v, 3) + 0.0), normal


def _non_image_reason(ds: pydicom.Dataset) -> str | None:
    modality = str(ds.get("Modality", "") or "").upper()
    sop = ds.get("SOPClassUID")
    name = getattr(sop, "name", "") or str(sop or "")
    if modality in NON_IMAGE_MODALITIES:
        return f"non-image object: {NON_IMAGE_MODALITIES[modality]} ({name or modality})"
    if any(w.lower() in name.lower() for w in NON_IMAGE_SOP_WORDS):
        return f"non-image object: {name}"
    return None


def _meta_info(ds: pydicom.Dataset) -> dict:
    sop = ds.get("SOPClassUID")
    return {"modality": str(ds.get("Modality", "") or ""),
            "sop_class": getattr(sop, "name", "") or str(sop or ""),
            "patient_id": str(ds.get("PatientID", "") or ""),
            "study_uid": str(ds.get("StudyInstanceUID", "") or ""),
            "series_uid": str(ds.get("SeriesInstanceUID", "") or ""),
            "sop_uid": str(ds.get("SOPInstanceUID", "") or ""),
            "series_description": str(ds.get("SeriesDescription", "") or "")}


_FRAME_KEYS = ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing",
               "RescaleSlope", "RescaleIntercept", "TemporalPositionIdentifier",
               "TriggerTime", "AcquisitionTime", "AcquisitionDate", "AcquisitionDateTime",
               "ContentTime", "ContentDate", "SliceLocation", "AcquisitionNumber",
               "NumberOfTemporalPositions")


def _group_values(item: pydicom.Dataset, out: dict) -> None:
    """Values of one functional-groups item (shared or per-frame) into ``out``."""
    def first(seq_name: str) -> pydicom.Dataset | None:
        seq = item.get(seq_name)
        return seq[0] if seq else None

    if (s := first("PlanePositionSequence")) is not None and "ImagePositionPatient" in s:
        out["ImagePositionPatient"] = s.ImagePositionPatient
    if (s := first("PlaneOrientationSequence")) is not None and "ImageOrientationPatient" in s:
        out["ImageOrientationPatient"] = s.ImageOrientationPatient
    if (s := first("PixelMeasuresSequence")) is not None and "PixelSpacing" in s:
        out["PixelSpacing"] = s.PixelSpacing
    if (s := first("PixelValueTransformationSequence")) is not None:
        for k in ("RescaleSlope", "RescaleIntercept"):
            if s.get(k) not in (None, ""):
                out[k] = s.get(k)
    if (s := first("FrameContentSequence")) is not None:
        if s.get("TemporalPositionIndex") not in (None, ""):
            out["TemporalPositionIdentifier"] = s.TemporalPositionIndex
        if s.get("FrameAcquisitionDateTime") not in (None, ""):
            out["AcquisitionDateTime"] = s.FrameAcquisitionDateTime
    if (s := first("CardiacSynchronizationSequence")) is not None \
            and s.get("NominalCardiacTriggerDelayTime") not in (None, ""):
        out["TriggerTime"] = s.NominalCardiacTriggerDelayTime
    for conv in ("UnassignedSharedConvertedAttributesSequence",
                 "UnassignedPerFrameConvertedAttributesSequence"):
        if (s := first(conv)) is not None:
            for k in _FRAME_KEYS:
                if s.get(k) not in (None, ""):
                    out[k] = s.get(k)


def _frame_views(ds: pydicom.Dataset) -> list[dict]:
    """Per-frame attribute overrides of a multi-frame image (empty list: single frame)."""
    n = int(ds.get("NumberOfFrames", 1) or 1)
    if n <= 1 and "PerFrameFunctionalGroupsSequence" not in ds:
        return []
    shared: dict = {}
    if ds.get("SharedFunctionalGroupsSequence"):
        _group_values(ds.SharedFunctionalGroupsSequence[0], shared)
    per = ds.get("PerFrameFunctionalGroupsSequence")
    if not per or len(per) != n:
        raise Skip(f"multi-frame image ({n} frames) without per-frame functional groups: "
                   "frame positions unknown", "multi-frame", _meta_info(ds))
    views = []
    for item in per:
        v = dict(shared)
        _group_values(item, v)
        views.append(v)
    return views


def read_header(path: Path, rel: str, scheme: str | None = None) -> list[dict]:
    """Index rows of one DICOM file, one per frame.

    Parameters
    ----------
    path : Path
        The file.
    rel : str
        Its path relative to the DICOM folder (kept in the index).
    scheme : {"tcga", "any"} or None, default None
        Patient-ID scheme.

    Returns
    -------
    list of dict
        One row per frame: IDs, series description, scanner, timing, geometry, rescale.

    Raises
    ------
    Skip
        For non-image objects (SEG, RTSTRUCT, SR, presentation states …).
    CohortError
        For a damaged image (the file named).
    """
    try:
        with open(path, "rb") as fh:
            ds = pydicom.dcmread(fh, stop_before_pixels=True)
            pixel_start = fh.tell()
    except (InvalidDicomError, EOFError, OSError, ValueError, KeyError) as exc:
        raise CohortError(f"not a readable DICOM file ({type(exc).__name__}: {exc})",
                          file=path, fix=_FIX_DOWNLOAD) from exc
    reason = _non_image_reason(ds)
    if reason:
        raise Skip(reason, "non-image", _meta_info(ds))
    size = path.stat().st_size
    if size - pixel_start < 8:
        raise Skip("non-image object: no pixel data", "non-image", _meta_info(ds))
    sop_name = getattr(ds.get("SOPClassUID"), "name", "") or ""
    if "Secondary Capture" in sop_name or int(ds.get("SamplesPerPixel", 1) or 1) > 1:
        raise Skip(f"not a grey-scale 2-D slice ({sop_name or 'SamplesPerPixel > 1'})",
                   "secondary-capture", _meta_info(ds))
    views = _frame_views(ds)
    required = [t for t in REQUIRED_TAGS if not (views and t in ("PixelSpacing",
                                                                  "InstanceNumber"))]
    missing = [t for t in required if ds.get(t) in (None, "")]
    if views and any("PixelSpacing" not in v for v in views) and ds.get("PixelSpacing") in (
            None, ""):
        missing.append("PixelSpacing")
    if missing:
        raise CohortError(f"required DICOM tag(s) {', '.join(missing)} missing", file=path,
                          fix="re-export the series with complete headers or remove the file")
    rows, cols = int(ds.Rows), int(ds.Columns)
    n_frames = max(len(views), 1)
    expect = rows * cols * int(ds.BitsAllocated) * n_frames // 8
    tsyntax = str(getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", "") or "")
    if tsyntax in _UNCOMPRESSED and size - pixel_start < expect:
        raise CohortError(f"truncated: {expect} bytes of pixel data expected, "
                          f"{max(size - pixel_start - 12, 0)} present", file=path,
                          fix=_FIX_DOWNLOAD)
    fs = _num(ds.get("MagneticFieldStrength"))
    if fs > 100:  # some scanners write gauss
        fs = fs / 10000
    base = {
        "patient_id": patient_id(ds.PatientID, str(path), scheme),
        "study_uid": str(ds.StudyInstanceUID), "series_uid": str(ds.SeriesInstanceUID),
        "sop_uid": str(ds.SOPInstanceUID),
        "series_number": _num(ds.get("SeriesNumber")),
        "series_description": str(ds.get("SeriesDescription", "") or ""),
        "modality": str(ds.get("Modality", "") or ""),
        "manufacturer": str(ds.get("Manufacturer", "") or ""),
        "field_strength": fs, "rows": rows, "cols": cols, "transfer_syntax": tsyntax,
        "path": rel,
    }
    out = []
    for k, view in enumerate(views or [{}]):
        def get(key: str, view: dict = view) -> Any:
            v = view.get(key)
            return v if v not in (None, "") else ds.get(key)

        sp = [float(v) for v in get("PixelSpacing")]
        orient, normal = _orientation(get("ImageOrientationPatient"))
        ipp = get("ImagePositionPatient")
        ipp = [float(x) for x in ipp] if ipp not in (None, "") and len(ipp) == 3 else None
        loc = _num(get("SliceLocation"))
        if np.isnan(loc) and ipp is not None:
            loc = ipp[2]
        pos = float(np.dot(ipp, normal)) if ipp is not None and normal is not None else loc
        slope, icpt = _num(get("RescaleSlope")), _num(get("RescaleIntercept"))
        inst = k + 1 if views else int(ds.InstanceNumber)
        out.append({**base,
                    "frame": k + 1 if views else 0,
                    "temporal_position": _num(get("TemporalPositionIdentifier")),
                    "n_temporal_positions": _num(get("NumberOfTemporalPositions")),
                    "acquisition_number": _num(get("AcquisitionNumber")),
                    "acquisition_time": _datetime_seconds(get("AcquisitionDateTime"),
                                                          get("AcquisitionDate"),
                                                          get("AcquisitionTime")),
                    "trigger_time": _num(get("TriggerTime")),
                    "content_time": _datetime_seconds(None, get("ContentDate"),
                                                      get("ContentTime")),
                    "instance_number": inst, "slice_location": float(loc),
                    "slice_position": pos, "orientation": orient,
                    "pixel_spacing_row": sp[0],
                    "pixel_spacing_col": sp[1] if len(sp) > 1 else sp[0],
                    "rescale_slope": 1.0 if np.isnan(slope) or slope == 0 else slope,
                    "rescale_intercept": 0.0 if np.isnan(icpt) else icpt})
    return out


def _read_chunk(files, root: Path, scheme: str = "tcga") -> tuple[list[dict], list[dict]]:
    rows, skipped = [], []
    for f in files:
        rel = str(f.relative_to(root))
        if not _is_dicom(f):
            if f.suffix.lower() == ".dcm":
                raise CohortError("no DICM preamble: damaged or not a DICOM file", file=f,
                                  fix=_FIX_DOWNLOAD)
            skipped.append({"path": rel, "reason": "not a DICOM file (no DICM preamble)",
                            "kind": "not-dicom"})
            continue
        try:
            rows.extend(read_header(f, rel, scheme))
        except Skip as s:
            skipped.append({"path": rel, "reason": s.reason, "kind": s.kind, **s.info})
    return rows, skipped


def _fingerprint(root: Path, files: list[Path], scheme: str) -> str:
    h = hashlib.sha256(f"v{INDEX_VERSION}|{scheme}".encode())
    for f in files:
        st = f.stat()
        h.update(f"{f.relative_to(root)}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:20]


def default_cache_dir(root: Path) -> Path:
    """``<cohort>/.pyradiogen`` when writable, else ``~/.cache/pyradiogen/<hash>``."""
    cand = root.parent / ".pyradiogen"
    if os.access(root.parent, os.W_OK):
        return cand
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pyradiogen" / key


def _headers(root: Path, files: list[Path], n_jobs: int, scheme: str
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    from ..distributed import active_scheduler

    if (n_jobs > 1 or active_scheduler()) and len(files) >= PARALLEL_MIN_FILES:
        from ..parallel import pmap
        chunks = [files[i:i + 500] for i in range(0, len(files), 500)]
        parts = pmap(partial(_read_chunk, root=root, scheme=scheme), chunks, n_jobs=n_jobs,
                     description="indexing DICOM headers")
        rows = [r for part in parts for r in part[0]]
        skipped = [s for part in parts for s in part[1]]
    else:
        from ..progress import track
        it = track(files, "indexing DICOM headers") if len(files) >= PARALLEL_MIN_FILES \
            else files
        rows, skipped = _read_chunk(it, root, scheme)
    df = pd.DataFrame(rows, columns=list(HEADER_COLUMNS))
    sk = pd.DataFrame(skipped, columns=list(SKIPPED_COLUMNS)).astype(object).fillna("")
    return df, sk


def _finish(df: pd.DataFrame, root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Duplicate check, exam assembly, stable order and image IDs."""
    dup = df.duplicated(["sop_uid", "frame"], keep=False)
    if dup.any():
        d = df[dup].sort_values("sop_uid")
        raise CohortError(f"SOPInstanceUID {d['sop_uid'].iloc[0]} appears in "
                          f"{int(dup.sum())} files ({d['path'].iloc[0]}, {d['path'].iloc[1]})",
                          file=root / d["path"].iloc[0], patient=d["patient_id"].iloc[0],
                          fix="remove the duplicate copy of the slice")
    df, exams = assemble_exams(df)
    order = df.assign(_sn=df["series_number"].fillna(1e9), _ph=df["phase"].fillna(-1))
    order = order.sort_values(["patient_id", "study_uid", "exam_id", "_ph", "_sn", "series_uid",
                               "slice_position", "instance_number", "frame", "path"],
                              kind="stable")
    df = df.loc[order.index].reset_index(drop=True)
    num = df.groupby("patient_id").cumcount() + 1
    df.index = pd.Index([f"{p}_{n:04d}" for p, n in zip(df["patient_id"], num)],
                        name="image_id")
    return df[list(INDEX_COLUMNS)], exams


def index_dicom_full(root: str | os.PathLike, cache_dir: str | os.PathLike | None = None,
                     use_cache: bool = True, n_jobs: int = 1, scheme: str | None = None
                     ) -> DicomIndex:
    """Index a DICOM folder: images (one row per slice/frame), DCE exams, skipped files.

    ``image_id`` is ``<patient_id>_<n>`` in a stable order (patient, study, exam, phase,
    series, slice position). The headers are cached (Parquet + JSON) and re-read when any
    file's name, size or time changes.

    Parameters
    ----------
    root : str or PathLike
        The DICOM folder (any depth, any DCE layout).
    cache_dir : str, PathLike or None, default None
        Cache folder (:func:`default_cache_dir` when None).
    use_cache : bool, default True
        Reuse a current cache.
    n_jobs : int, default 1
        More than one reads the headers of large downloads (> 2,000 files) in worker
        processes.
    scheme : {"tcga", "any"} or None, default None
        Patient-ID scheme (the one in force when None, see
        :func:`pyradiogen.cohort.ids.use_id_scheme`).

    Returns
    -------
    DicomIndex
        Images, exams and skipped files.

    Raises
    ------
    CohortError
        No images found, or a damaged file (named).
    """
    root = Path(root)
    scheme = scheme or current_id_scheme()
    if not root.is_dir():
        raise CohortError("DICOM folder not found", file=root,
                          fix="point `dicom` in cohort.toml at the TCIA download folder")
    files = find_files(root)
    cache = Path(cache_dir) if cache_dir else default_cache_dir(root)
    fp = _fingerprint(root, files, scheme)
    cfile = cache / f"dicom_index_{fp}.parquet"
    sfile = cache / f"dicom_skipped_{fp}.json"
    if use_cache and cfile.exists() and sfile.exists():
        df = pd.read_parquet(cfile)
        sk = pd.DataFrame(json.loads(sfile.read_text()), columns=list(SKIPPED_COLUMNS))
    else:
        df, sk = _headers(root, files, n_jobs, scheme)
        if use_cache:
            try:
                for old in [*cache.glob("dicom_index_*.parquet"),
                            *cache.glob("dicom_skipped_*.json")]:
                    old.unlink(missing_ok=True)
                store.write_frame(df, cfile, index=False)
                store.atomic_write(sfile, json.dumps(sk.to_dict("records")))
                store.atomic_write(cache / "dicom_index.json", json.dumps(
                    {"root": str(root.resolve()), "fingerprint": fp, "n_rows": len(df),
                     "n_skipped": len(sk)}))
            except OSError:
                pass
    if df.empty:
        what = (f"; {len(sk)} file(s) skipped ({sk['reason'].iloc[0]}, …)" if len(sk) else "")
        raise CohortError(f"no DICOM images found{what}", file=root,
                          fix="download the MR series (not only SEG/RTSTRUCT objects) from "
                              "TCIA into this folder")
    images, exams = _finish(df, root)
    return DicomIndex(images, exams, sk)


def index_dicom(root: str | os.PathLike, cache_dir: str | os.PathLike | None = None,
                use_cache: bool = True, n_jobs: int = 1, scheme: str | None = None
                ) -> pd.DataFrame:
    """The images table of :func:`index_dicom_full` (one row per slice/frame).

    Parameters
    ----------
    root : str or PathLike
        The DICOM folder.
    cache_dir, use_cache, n_jobs, scheme
        As :func:`index_dicom_full`.

    Returns
    -------
    DataFrame
        Indexed by ``image_id``.
    """
    return index_dicom_full(root, cache_dir, use_cache, n_jobs, scheme).images


def _decoder_problem(tsyntax: str) -> str | None:
    """Why pixel data in ``tsyntax`` cannot be decoded here (None when it can)."""
    if tsyntax in _UNCOMPRESSED or tsyntax == "1.2.840.10008.1.2.1.99":
        return None
    from pydicom.pixels.decoders.base import get_decoder
    from pydicom.uid import UID
    uid = UID(tsyntax)
    try:
        dec = get_decoder(uid)
    except (NotImplementedError, ValueError):
        return (f"transfer syntax {uid.name} ({tsyntax}) is not supported by pydicom; "
                "convert the file (e.g. `gdcmconv --raw`) before use")
    if dec.is_available:
        return None
    pkg = DECODER_PACKAGES.get(tsyntax, "pylibjpeg pylibjpeg-libjpeg pylibjpeg-openjpeg")
    return (f"pixel data compressed as {uid.name} ({tsyntax}) and no decoder for it is "
            f"installed: `pip install {pkg}`")


def read_pixels(path: str | os.PathLike, slope: float | None = None,
                intercept: float | None = None, frame: int = 0) -> np.ndarray:
    """Pixel values of one slice as float32 (rows, cols), rescale slope/intercept applied.

    Parameters
    ----------
    path : str or PathLike
        The DICOM file.
    slope, intercept : float or None, default None
        RescaleSlope/RescaleIntercept (the file's when None; 1 and 0 when absent).
    frame : int, default 0
        1-based frame number of a multi-frame file (0: a single-frame file).

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        ``stored * slope + intercept``.

    Raises
    ------
    CohortError
        Naming the file and, for compressed data no installed plugin decodes, the transfer
        syntax and the package to install.
    """
    path = Path(path)
    try:
        ds = pydicom.dcmread(path, stop_before_pixels=True)
    except Exception as exc:  # noqa: BLE001 - pydicom raises many types for broken files
        raise CohortError(f"not a readable DICOM file ({type(exc).__name__}: {exc})",
                          file=path, fix=_FIX_DOWNLOAD) from exc
    tsyntax = str(getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", "") or "")
    problem = _decoder_problem(tsyntax)
    if problem:
        raise CohortError(problem, file=path, fix="install the package named, then rerun")
    try:
        from pydicom.pixels import pixel_array
        arr = pixel_array(str(path), index=frame - 1 if frame else None)
        arr = arr.astype(np.float32)
    except Exception as exc:  # pydicom raises many types for broken pixel data
        raise CohortError(f"pixel data cannot be decoded ({type(exc).__name__}: {exc})",
                          file=path, fix=_FIX_DOWNLOAD) from exc
    if arr.ndim != 2:
        raise CohortError(f"expected one 2-D slice per file, got an array of shape {arr.shape}",
                          file=path, fix="split multi-frame files into one file per slice")
    s = _num(ds.get("RescaleSlope")) if slope is None else slope
    b = _num(ds.get("RescaleIntercept")) if intercept is None else intercept
    s = 1.0 if np.isnan(s) or s == 0 else s
    b = 0.0 if np.isnan(b) else b
    return arr * np.float32(s) + np.float32(b)


def series_table(images: pd.DataFrame) -> pd.DataFrame:
    """One row per series: patient, scanner, exam, phases (0 = pre-contrast), slices, role.

    ``n_phases`` counts the series' own phases (a series holding every phase has several);
    ``dce`` is True for series that belong to an ordered DCE exam.

    Parameters
    ----------
    images : DataFrame
        The images table.

    Returns
    -------
    DataFrame
        One row per series UID.
    """
    g = images.groupby("series_uid", sort=False)
    out = g.agg(patient_id=("patient_id", "first"), study_uid=("study_uid", "first"),
                series_number=("series_number", "first"),
                series_description=("series_description", "first"),
                manufacturer=("manufacturer", "first"),
                field_strength=("field_strength", "first"), exam_id=("exam_id", "first"),
                n_phases=("phase", "nunique"), n_images=("sop_uid", "size"),
                phase_min=("phase", "min"), phase_max=("phase", "max"),
                phase_rule=("phase_rule", "first"))
    roles = g["role"].agg(lambda r: "+".join(sorted(set(r), key=["pre", "post",
                                                                  "other"].index)))
    out["role"] = roles
    out["n_slices"] = g["slice_position"].nunique()
    out["dce"] = out["exam_id"].ne("") & out["phase_min"].notna()
    return out


__all__ = ["DECODER_PACKAGES", "DicomIndex", "EXAM_COLUMNS", "EXAMS_COLUMNS", "INDEX_COLUMNS",
           "REQUIRED_TAGS", "Skip", "index_dicom", "index_dicom_full", "read_header",
           "read_pixels", "series_table"]
