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
    """A deterministic DICOM UID derived from ``parts``.

    Parameters
    ----------
    *parts : object
        What identifies the object (patient, series, slice …).

    Returns
    -------
    str
        A UID under :data:`UID_PREFIX` (pydicom's ``generate_uid``).
    """
    return generate_uid(prefix=UID_PREFIX, entropy_srcs=[str(p) for p in parts])


@dataclass
class SeriesInfo:
    """Tags shared by every slice of one series.

    Parameters
    ----------
    patient_id, study_uid, series_uid : str
        PatientID, StudyInstanceUID, SeriesInstanceUID.
    series_number : int
        SeriesNumber.
    series_description : str
        SeriesDescription.
    manufacturer, model : str
        Manufacturer and ManufacturerModelName.
    field_strength : float
        MagneticFieldStrength, in tesla.
    study_date : str
        StudyDate (``YYYYMMDD``).
    pixel_spacing : float
        PixelSpacing, in mm (square pixels).
    slice_thickness : float
        SliceThickness, in mm.
    slope, intercept : float
        RescaleSlope and RescaleIntercept.
    repetition_time : float, default 5.0
        RepetitionTime, in ms.
    echo_time : float, default 2.0
        EchoTime, in ms.
    """

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


def _tm(seconds: float) -> str:
    seconds = seconds % 86400
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{int(h):02d}{int(m):02d}{s:09.6f}"


def write_slice(path: Path, info: SeriesInfo, values: np.ndarray, *, sop_uid: str,
                instance_number: int, temporal_position: int | None, acquisition_number: int,
                slice_location: float, trigger_time_ms: float | None = 0.0,
                acquisition_time_s: float | None = None, content_time_s: float | None = None,
                n_temporal_positions: int | None = None,
                frame_of_reference_uid: str | None = None) -> None:
    """Write one 16-bit MR slice; ``values`` become stored = (v − intercept) / slope.

    Parameters
    ----------
    path : Path
        The file.
    info : SeriesInfo
        Series tags.
    values : ndarray of float, shape (rows, cols)
        Signal.
    sop_uid : str
        SOPInstanceUID.
    instance_number : int
        InstanceNumber.
    temporal_position : int or None
        TemporalPositionIdentifier (None leaves it out).
    acquisition_number : int
        AcquisitionNumber.
    slice_location : float
        SliceLocation, in mm.
    trigger_time_ms : float or None, default 0.0
        TriggerTime (None leaves it out).
    acquisition_time_s, content_time_s : float or None, default None
        Seconds after midnight (AcquisitionTime, ContentTime; None leaves them out).
    n_temporal_positions : int or None, default None
        NumberOfTemporalPositions.
    frame_of_reference_uid : str or None, default None
        FrameOfReferenceUID.
    """
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
    if trigger_time_ms is not None:
        ds.TriggerTime = trigger_time_ms
    if acquisition_time_s is not None:
        ds.AcquisitionDate = info.study_date
        ds.AcquisitionTime = _tm(acquisition_time_s)
    if content_time_s is not None:
        ds.ContentDate = info.study_date
        ds.ContentTime = _tm(content_time_s)
    ds.StudyTime = "080000"
    ds.StudyID = ""
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.PatientBirthDate = ""
    ds.FrameOfReferenceUID = frame_of_reference_uid or generate_uid(
        prefix=UID_PREFIX, entropy_srcs=[info.study_uid, "frame-of-reference"])
    ds.PositionReferenceIndicator = ""
    ds.StudyInstanceUID = info.study_uid
    ds.SeriesInstanceUID = info.series_uid
    ds.SeriesNumber = info.series_number
    ds.AcquisitionNumber = acquisition_number
    ds.InstanceNumber = instance_number
    if temporal_position is not None:
        ds.TemporalPositionIdentifier = temporal_position
    if n_temporal_positions is not None:
        ds.NumberOfTemporalPositions = n_temporal_positions
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
    """Write a 2-D uint8 mask as (gzip) NRRD or NIfTI, by suffix.

    Parameters
    ----------
    path : str or PathLike
        ``.nrrd`` or ``.nii``/``.nii.gz``.
    mask : ndarray of uint8, shape (rows, cols)
        1 = lesion.
    spacing : float
        Pixel spacing, in mm.
    """
    img = sitk.GetImageFromArray(np.ascontiguousarray(mask, dtype=np.uint8))
    img.SetSpacing((float(spacing), float(spacing)))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    sitk.WriteImage(img, str(path), useCompression=True)


def write_seg(path: Path, source: Path, mask: np.ndarray, *, series_uid: str, sop_uid: str,
              date: str, label: str = "Lesion") -> None:
    """Write a DICOM SEG (highdicom, BINARY, one segment) of ``mask`` on the slice ``source``.

    Every date/time is set to ``date`` (08:30) so the same seed writes the same bytes.

    Parameters
    ----------
    path : Path
        The SEG file.
    source : Path
        The referenced image slice.
    mask : ndarray of uint8, shape (rows, cols)
        1 = lesion.
    series_uid, sop_uid : str
        UIDs of the SEG.
    date : str
        StudyDate-style ``YYYYMMDD``.
    label : str, default "Lesion"
        SegmentLabel.
    """
    import warnings

    import highdicom as hd
    import pydicom

    src = pydicom.dcmread(source)
    desc = hd.seg.SegmentDescription(
        segment_number=1, segment_label=label,
        segmented_property_category=hd.sr.CodedConcept("49755003", "SCT",
                                                       "Morphologically Altered Structure"),
        segmented_property_type=hd.sr.CodedConcept("108369006", "SCT", "Neoplasm"),
        algorithm_type=hd.seg.SegmentAlgorithmTypeValues.MANUAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)   # single-component PatientName
        seg = hd.seg.Segmentation(
            source_images=[src], pixel_array=np.asarray(mask, dtype=np.uint8)[None],
            segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
            segment_descriptions=[desc], series_instance_uid=series_uid, series_number=300,
            sop_instance_uid=sop_uid, instance_number=1, manufacturer="pyradiogen",
            manufacturer_model_name="demo reader", software_versions="1",
            device_serial_number="0", series_description="Segmentation")
    dim_uid = uid(sop_uid, "dimension-organization")
    for elem in seg.iterall():
        if elem.keyword == "DimensionOrganizationUID":
            elem.value = dim_uid
            continue
        if not elem.value:
            continue
        if elem.VR == "DA":
            elem.value = date
        elif elem.VR == "TM":
            elem.value = "083000"
        elif elem.VR == "DT":
            elem.value = date + "083000"
    path.parent.mkdir(parents=True, exist_ok=True)
    seg.save_as(path, enforce_file_format=True)
