"""Writers for the demo cohort: DICOM slices as TCIA delivers them and 2-D NRRD masks."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import SimpleITK as sitk
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

UID_PREFIX = "1.2.826.0.1.3680043.8.498."


def uid(*parts: object) -> str:
    """A deterministic DICOM UID derived from ``parts``."""
    return generate_uid(prefix=UID_PREFIX, entropy_srcs=[str(p) for p in parts])


@dataclass
class SeriesInfo:
    """Tags shared by every slice of one series."""

    patient_id: str
    study_uid: str
    series_uid: str
    series_number: int
    series_description: str
    manufacturer: str
    model: str
    field_strength: float
    study_date: str
    pixel_spacing: float
    slice_thickness: float
    slope: float
    intercept: float
    repetition_time: float = 5.0
    echo_time: float = 2.0


def write_slice(path: Path, info: SeriesInfo, values: np.ndarray, *, sop_uid: str,
                instance_number: int, temporal_position: int | None, acquisition_number: int,
                slice_location: float, trigger_time_ms: float = 0.0) -> None:
    """Write one 16-bit MR slice; ``values`` (float) become stored = (v - intercept) / slope."""
    stored = np.clip(np.round((values - info.intercept) / info.slope), 0, 4095).astype(np.uint16)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = MRImageStorage
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = UID_PREFIX + "1"
    meta.ImplementationVersionName = "PYRADIOGEN_DEMO"
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = MRImageStorage
    ds.SOPInstanceUID = sop_uid
    ds.StudyDate = info.study_date
    ds.SeriesDate = info.study_date
    ds.Modality = "MR"
    ds.Manufacturer = info.manufacturer
    ds.ManufacturerModelName = info.model
    ds.SeriesDescription = info.series_description
    ds.StudyDescription = "MRI BREAST BILATERAL"
    ds.PatientName = info.patient_id
    ds.PatientID = info.patient_id
    ds.PatientSex = "F"
    ds.BodyPartExamined = "BREAST"
    ds.MagneticFieldStrength = info.field_strength
    ds.SliceThickness = info.slice_thickness
    ds.RepetitionTime = info.repetition_time
    ds.EchoTime = info.echo_time
    ds.TriggerTime = trigger_time_ms
    ds.StudyInstanceUID = info.study_uid
    ds.SeriesInstanceUID = info.series_uid
    ds.SeriesNumber = info.series_number
    ds.AcquisitionNumber = acquisition_number
    ds.InstanceNumber = instance_number
    if temporal_position is not None:
        ds.TemporalPositionIdentifier = temporal_position
    ds.ImagePositionPatient = [-info.pixel_spacing * values.shape[1] / 2,
                               -info.pixel_spacing * values.shape[0] / 2, slice_location]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.SliceLocation = slice_location
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = int(values.shape[0]), int(values.shape[1])
    ds.PixelSpacing = [info.pixel_spacing, info.pixel_spacing]
    ds.BitsAllocated = 16
    ds.BitsStored = 12
    ds.HighBit = 11
    ds.PixelRepresentation = 0
    ds.RescaleIntercept = info.intercept
    ds.RescaleSlope = info.slope
    ds.RescaleType = "US"
    ds.PixelData = stored.tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)


def write_mask(path: str | os.PathLike, mask: np.ndarray, spacing: float) -> None:
    """A 2-D uint8 mask as (gzip) NRRD or NIfTI, by suffix."""
    img = sitk.GetImageFromArray(np.ascontiguousarray(mask, dtype=np.uint8))
    img.SetSpacing((float(spacing), float(spacing)))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    sitk.WriteImage(img, str(path), useCompression=True)
