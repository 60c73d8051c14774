"""DICOM index (one row per slice, cached on disk) and lazy pixel loading.

Files are found at any depth under the DICOM folder, as TCIA delivers them (one file per
slice). Files without the ``DICM`` preamble are skipped unless their name ends in ``.dcm``
(then they are reported as damaged). Every indexed file is checked for the tags below and for
truncated pixel data, so a broken download is refused at load time, naming the file.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pydicom
from pydicom.errors import InvalidDicomError

from .. import store
from .errors import CohortError
from .ids import patient_barcode

REQUIRED_TAGS = ("PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID",
                 "Rows", "Columns", "PixelSpacing", "InstanceNumber", "BitsAllocated")
INDEX_COLUMNS = ("patient_id", "study_uid", "series_uid", "sop_uid", "series_description",
                 "manufacturer", "field_strength", "phase", "instance_number",
                 "slice_location", "rows", "cols", "pixel_spacing_row", "pixel_spacing_col",
                 "rescale_slope", "rescale_intercept", "path")
INDEX_VERSION = 1
PARALLEL_MIN_FILES = 2000   # parallel header reading / progress bar from this many files
_FIX_DOWNLOAD = "re-download the series from TCIA (or remove the file)"


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


def _phase(ds: pydicom.Dataset) -> int:
    for key in ("TemporalPositionIdentifier", "AcquisitionNumber"):
        v = ds.get(key)
        if v not in (None, ""):
            return int(v)
    return 1


def read_header(path: Path, rel: str) -> dict:
    """Index row of one DICOM file; raises :class:`CohortError` naming the file."""
    try:
        with open(path, "rb") as fh:
            ds = pydicom.dcmread(fh, stop_before_pixels=True)
            pixel_start = fh.tell()
    except (InvalidDicomError, EOFError, OSError, ValueError, KeyError) as exc:
        raise CohortError(f"not a readable DICOM file ({type(exc).__name__}: {exc})",
                          file=path, fix=_FIX_DOWNLOAD) from exc
    missing = [t for t in REQUIRED_TAGS if ds.get(t) in (None, "")]
    if missing:
        raise CohortError(f"required DICOM tag(s) {', '.join(missing)} missing", file=path,
                          fix="re-export the series with complete headers or remove the file")
    rows, cols = int(ds.Rows), int(ds.Columns)
    expect = rows * cols * int(ds.BitsAllocated) // 8 * int(ds.get("SamplesPerPixel", 1) or 1)
    size = path.stat().st_size
    tsyntax = str(getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", ""))
    compressed = tsyntax not in ("", "1.2.840.10008.1.2", "1.2.840.10008.1.2.1",
                                 "1.2.840.10008.1.2.2")
    if not compressed and size - pixel_start < expect:
        raise CohortError(f"truncated: {expect} bytes of pixel data expected, "
                          f"{max(size - pixel_start - 12, 0)} present", file=path,
                          fix=_FIX_DOWNLOAD)
    sp = [float(v) for v in ds.PixelSpacing]
    loc = ds.get("SliceLocation")
    if loc in (None, ""):
        ipp = ds.get("ImagePositionPatient")
        loc = float(ipp[2]) if ipp else np.nan
    fs = ds.get("MagneticFieldStrength")
    fs = float(fs) if fs not in (None, "") else np.nan
    if fs > 100:  # some scanners write gauss
        fs = fs / 10000
    return {
        "patient_id": patient_barcode(ds.PatientID, str(path)),
        "study_uid": str(ds.StudyInstanceUID), "series_uid": str(ds.SeriesInstanceUID),
        "sop_uid": str(ds.SOPInstanceUID),
        "series_description": str(ds.get("SeriesDescription", "") or ""),
        "manufacturer": str(ds.get("Manufacturer", "") or ""),
        "field_strength": fs, "phase": _phase(ds), "instance_number": int(ds.InstanceNumber),
        "slice_location": float(loc), "rows": rows, "cols": cols,
        "pixel_spacing_row": sp[0], "pixel_spacing_col": sp[1] if len(sp) > 1 else sp[0],
        "rescale_slope": float(ds.get("RescaleSlope", 1.0) or 1.0),
        "rescale_intercept": float(ds.get("RescaleIntercept", 0.0) or 0.0),
        "path": rel,
    }


def _read_chunk(files, root: Path) -> list[dict]:
    rows = []
    for f in files:
        if not _is_dicom(f):
            if f.suffix.lower() == ".dcm":
                raise CohortError("no DICM preamble: damaged or not a DICOM file", file=f,
                                  fix=_FIX_DOWNLOAD)
            continue
        rows.append(read_header(f, str(f.relative_to(root))))
    return rows


def _fingerprint(root: Path, files: list[Path]) -> str:
    h = hashlib.sha256(f"v{INDEX_VERSION}".encode())
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


def index_dicom(root: str | os.PathLike, cache_dir: str | os.PathLike | None = None,
                use_cache: bool = True, n_jobs: int = 1) -> pd.DataFrame:
    """One row per slice (columns :data:`INDEX_COLUMNS`), indexed by ``image_id``.

    ``image_id`` is ``<patient_id>_<n>`` in a stable order (patient, series, phase, slice).
    The index is cached (parquet) and rebuilt when any file's name, size or time changes;
    ``n_jobs`` > 1 reads the headers of large downloads (> 2,000 files) in worker processes.
    """
    root = Path(root)
    if not root.is_dir():
        raise CohortError("DICOM folder not found", file=root,
                          fix="point `dicom` in cohort.toml at the TCIA download folder")
    files = find_files(root)
    cache = Path(cache_dir) if cache_dir else default_cache_dir(root)
    fp = _fingerprint(root, files)
    cfile = cache / f"dicom_index_{fp}.parquet"
    if use_cache and cfile.exists():
        return pd.read_parquet(cfile)
    if n_jobs > 1 and len(files) >= PARALLEL_MIN_FILES:
        from ..parallel import pmap
        chunks = [files[i:i + 500] for i in range(0, len(files), 500)]
        rows = [r for part in pmap(partial(_read_chunk, root=root), chunks, n_jobs=n_jobs,
                                   description="indexing DICOM headers") for r in part]
    else:
        from ..progress import track
        it = track(files, "indexing DICOM headers") if len(files) >= PARALLEL_MIN_FILES \
            else files
        rows = _read_chunk(it, root)
    if not rows:
        raise CohortError("no DICOM files found", file=root,
                          fix="download the TCGA-BRCA MRI from TCIA into this folder")
    df = pd.DataFrame(rows, columns=list(INDEX_COLUMNS))
    dup = df["sop_uid"].duplicated(keep=False)
    if dup.any():
        d = df[dup].sort_values("sop_uid")
        raise CohortError(f"SOPInstanceUID {d['sop_uid'].iloc[0]} appears in "
                          f"{int(dup.sum())} files ({d['path'].iloc[0]}, {d['path'].iloc[1]})",
                          file=root / d["path"].iloc[0], patient=d["patient_id"].iloc[0],
                          fix="remove the duplicate copy of the slice")
    df = df.sort_values(["patient_id", "study_uid", "series_uid", "phase", "slice_location",
                         "instance_number", "path"], kind="stable").reset_index(drop=True)
    num = df.groupby("patient_id").cumcount() + 1
    df.index = pd.Index([f"{p}_{n:04d}" for p, n in zip(df["patient_id"], num)],
                        name="image_id")
    if use_cache:
        try:
            for old in cache.glob("dicom_index_*.parquet"):
                old.unlink(missing_ok=True)
            store.write_frame(df, cfile)
            store.atomic_write(cache / "dicom_index.json", json.dumps(
                {"root": str(root.resolve()), "fingerprint": fp, "n_files": len(df)}))
        except OSError:
            pass
    return df


def read_pixels(path: str | os.PathLike, slope: float | None = None,
                intercept: float | None = None) -> np.ndarray:
    """Pixel values of one slice as float32 (rows, cols), rescale slope/intercept applied."""
    path = Path(path)
    try:
        ds = pydicom.dcmread(path)
        arr = ds.pixel_array.astype(np.float32)
    except Exception as exc:  # pydicom raises many types for broken pixel data
        raise CohortError(f"pixel data cannot be decoded ({type(exc).__name__}: {exc})",
                          file=path, fix=_FIX_DOWNLOAD) from exc
    if arr.ndim != 2:
        raise CohortError(f"expected one 2-D slice per file, got an array of shape {arr.shape}",
                          file=path, fix="split multi-frame files into one file per slice")
    s = float(ds.get("RescaleSlope", 1.0) or 1.0) if slope is None else slope
    b = float(ds.get("RescaleIntercept", 0.0) or 0.0) if intercept is None else intercept
    return arr * np.float32(s) + np.float32(b)


def series_table(images: pd.DataFrame) -> pd.DataFrame:
    """One row per series: patient, scanner, number of phases and slices, DCE or not."""
    g = images.groupby("series_uid", sort=False)
    out = g.agg(patient_id=("patient_id", "first"), study_uid=("study_uid", "first"),
                series_description=("series_description", "first"),
                manufacturer=("manufacturer", "first"),
                field_strength=("field_strength", "first"), n_phases=("phase", "nunique"),
                n_images=("sop_uid", "size"))
    out["dce"] = out["n_phases"] >= 2
    return out
