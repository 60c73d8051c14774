"""DCE exam assembly on every layout TCIA delivers: headers written here, synthetic pixels;
the demo cohort rewritten in each layout keeps the same study-1 patients and pixels."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

from pyradiogen.cli import main
from pyradiogen.cohort import CohortError, load_cohort
from pyradiogen.cohort.dce import base_description, description_marker
from pyradiogen.cohort.dicom import index_dicom_full
from pyradiogen.datasets import make_demo_cohort
from pyradiogen.demo.layouts import LAYOUTS
from pyradiogen.studies import liu2023

N_PHASES, N_SLICES, SIZE = 4, 3, 12


def _pixels(phase: int, k: int) -> np.ndarray:
    """Synthetic 12×12 slice k of phase ``phase`` (enhancing square in the middle)."""
    a = np.full((SIZE, SIZE), 100 + 10 * k, dtype=np.uint16)
    a[4:8, 4:8] += 50 * phase
    return a


def _slice(path, *, series_uid, desc, phase, k, instance, tpi=None, acq=None, trig=None,
           content=None, study_uid="1.2.3.4", patient="TCGA-AA-0001", series_number=1):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = MRImageStorage
    sop = generate_uid(entropy_srcs=[str(path)])
    meta.MediaStorageSOPInstanceUID = sop
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = MRImageStorage, sop, "MR"
    ds.PatientID, ds.StudyInstanceUID, ds.SeriesInstanceUID = patient, study_uid, series_uid
    ds.SeriesDescription, ds.SeriesNumber, ds.InstanceNumber = desc, series_number, instance
    ds.Manufacturer, ds.MagneticFieldStrength = "GE MEDICAL SYSTEMS", 1.5
    ds.AcquisitionNumber = 1
    if tpi is not None:
        ds.TemporalPositionIdentifier, ds.NumberOfTemporalPositions = tpi, N_PHASES
    if acq is not None:
        ds.AcquisitionDate, ds.AcquisitionTime = "20010203", acq
    if trig is not None:
        ds.TriggerTime = trig
    if content is not None:
        ds.ContentDate, ds.ContentTime = "20010203", content
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.ImagePositionPatient = [-50.0, -50.0, 2.5 * k]
    ds.SliceLocation = 2.5 * k
    ds.PixelSpacing = [0.7, 0.7]
    ds.Rows = ds.Columns = SIZE
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = _pixels(phase, k).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)


def _tm(phase: int, k: int = 0, base: int = 8) -> str:
    return f"{base:02d}{10 + phase:02d}{10 + k:02d}.000000"


#: layouts written by the test: per phase (description, series key, TPI?, times?)
def write_layout(root, layout: str) -> None:
    """One DCE exam of 4 phases × 3 slices in ``layout``; phases have distinct pixels."""
    inst: dict[str, int] = {}
    for phase in range(N_PHASES):
        for k in range(N_SLICES):
            tpi = acq = trig = content = None
            if layout == "tagged":
                key, desc, tpi = "s", "Ax VIBRANT MPh", phase + 1
            elif layout == "tagged_per_series":
                key, desc, tpi = f"s{phase}", "ax dyn", phase + 1
            elif layout == "ph_prefix":
                key, desc = f"s{phase}", "ax 3d dyn" if phase == 0 else f"Ph{phase}/ax 3d dyn"
            elif layout == "vibrant_ph":
                key = f"s{phase}"
                desc = "Ax Vibrant MultiPhase" if phase == 0 else f"Ph{phase}/Ax Vibrant MultiPhase"
            elif layout == "ph_only":          # Ph1 … Ph4 without a bare series: Ph1 = pre
                key, desc = f"s{phase}", f"Ph{phase + 1}/Ax VIBRANT"
            elif layout == "dynviews_pass":
                key = f"s{phase}"
                desc = "t1_fl3d_tra_dynVIEWS_spair" + ("" if phase == 0 else
                                                        f" {['', '1st', '2nd', '3rd'][phase]} pass")
            elif layout == "duke_pass":
                key = f"s{phase}"
                desc = "ax dyn pre" if phase == 0 else f"ax dyn {['', '1st', '2nd', '3rd'][phase]} pass"
            elif layout == "philips_dyn":
                key, desc = f"s{phase}", f"DYN eTHRIVE dyn {phase + 1}"
            elif layout == "pre_post_times":   # 'pre' + unnumbered 'post' series ordered by time
                key = f"s{phase}"
                desc, acq = ("T1 FS pre" if phase == 0 else "T1 FS post"), _tm(phase)
            elif layout == "times_only":       # same description, order by AcquisitionTime
                key, desc, acq = f"s{phase}", "Ax 3D DYN", _tm(phase)
            elif layout == "untagged_times":   # one series, phases by acquisition/trigger time
                key, desc = "s", "Ax 3D DYN"
                acq, trig, content = _tm(phase), 1000.0 * phase, _tm(phase, k)
            elif layout == "untagged_trigger":
                key, desc, trig = "s", "Ax 3D DYN", 1000.0 * phase
            elif layout == "untagged_instances":   # no time at all: InstanceNumber blocks
                key, desc = "s", "Ax 3D DYN"
            else:
                raise ValueError(layout)
            inst[key] = inst.get(key, 0) + 1
            _slice(root / key / f"{phase}_{k}.dcm", series_uid=f"1.2.3.4.{len(key)}.{key[1:] or 9}",
                   desc=desc, phase=phase, k=k, instance=inst[key], tpi=tpi, acq=acq,
                   trig=trig, content=content, series_number=10 + int(key[1:] or 0))


LAYOUT_RULES = {
    "tagged": "TemporalPositionIdentifier", "tagged_per_series": "TemporalPositionIdentifier",
    "ph_prefix": "SeriesDescription", "vibrant_ph": "SeriesDescription",
    "ph_only": "SeriesDescription", "dynviews_pass": "SeriesDescription",
    "duke_pass": "SeriesDescription", "philips_dyn": "SeriesDescription",
    "pre_post_times": "SeriesDescription (pre) + AcquisitionTime",
    "times_only": "AcquisitionTime",
    "untagged_times": "AcquisitionTime within the series",
    "untagged_trigger": "TriggerTime within the series",
    "untagged_instances": "InstanceNumber blocks within the series",
}


@pytest.mark.parametrize("layout", sorted(LAYOUT_RULES))
def test_generated_layouts_give_the_same_exam(tmp_path, layout):
    write_layout(tmp_path / layout, layout)
    idx = index_dicom_full(tmp_path / layout, use_cache=False)
    ex = idx.exams
    assert len(ex) == 1 and bool(ex["ordered"].iloc[0]), ex.to_dict("records")
    assert ex["rule"].iloc[0] == LAYOUT_RULES[layout]
    assert [p["phase"] for p in ex["phases"].iloc[0]] == list(range(N_PHASES)) \
        or len(ex["phases"].iloc[0]) == 1      # one series holding every phase
    im = idx.images
    assert sorted(im["phase"].unique()) == list(range(N_PHASES))
    assert (im["role"] == np.where(im["phase"] == 0, "pre", "post")).all()
    assert im["phase_rule"].str.len().gt(0).all()
    # same pixels as the plain layout: phase p, slice k holds _pixels(p, k)
    for _, r in im.iterrows():
        arr = pydicom.dcmread(tmp_path / layout / r["path"]).pixel_array
        k = int(round(r["slice_position"] / 2.5))
        np.testing.assert_array_equal(arr, _pixels(int(r["phase"]), k))


def test_unorderable_exam_is_reported_not_dropped(tmp_path):
    # four series with one description and nothing else to order them by
    for phase in range(3):
        for k in range(2):
            _slice(tmp_path / f"s{phase}" / f"{k}.dcm", series_uid=f"1.2.9.{phase}",
                   desc="Ax 3D DYN", phase=phase, k=k, instance=k + 1, series_number=5)
    idx = index_dicom_full(tmp_path, use_cache=False)
    ex = idx.exams
    assert len(ex) == 1 and not ex["ordered"].iloc[0]
    assert "no TemporalPositionIdentifier" in ex["note"].iloc[0]
    assert idx.images["phase"].isna().all()
    assert idx.images["phase_rule"].str.startswith("not ordered").all()


def test_description_markers():
    m = description_marker
    assert (m("ax dyn 1st pass").kind, m("ax dyn 1st pass").number) == ("post_n", 1)
    assert m("t1_fl3d_tra_dynVIEWS_spair 3rd pass").number == 3
    assert (m("Ph2/Ax Vibrant MultiPhase").kind, m("Ph2/Ax Vibrant MultiPhase").number) == \
        ("acq_n", 2)
    assert m("ax dyn pre").kind == "pre" and m("Ax T1 PRE-contrast").kind == "pre"
    assert m("T1 FS post").kind == "post" and m("Ax 3D +C").kind == "post"
    assert m("DYN eTHRIVE dyn 4").number == 4 and m("post 2").number == 2
    assert m("Ax T2 FSE").kind == "" and m("t1_fl3d_tra_dynVIEWS_spair").kind == ""
    assert m("prep scan").kind == "" and m("Ax 3D").kind == ""
    assert base_description("Ph3/ax 3d dyn") == base_description("ax 3d dyn") == "ax 3d dyn"
    assert base_description("ax dyn 2nd pass") == base_description("ax dyn pre") == "ax dyn"


# ----------------------------------------------------------------------------- demo layouts
@pytest.fixture(scope="module")
def layout_cohorts(tmp_path_factory):
    base = tmp_path_factory.mktemp("layouts")
    return {lay: make_demo_cohort(base / lay, n_patients=6, seed=3, layout=lay, seg_share=0.5)
            for lay in LAYOUTS}


def test_every_layout_keeps_the_study1_patients_of_the_tagged_layout(layout_cohorts):
    ref = load_cohort(layout_cohorts["tagged"], progress=False)
    s_ref = liu2023.assemble(ref)
    assert len(s_ref.patients) == 6
    px_ref = {(r.patient_id, r.slice_location): ref.pixels(i) for i, r in s_ref.images.iterrows()}
    ph_ref = ref.exams.set_index("patient_id")["n_phases"]
    for lay in LAYOUTS[1:]:
        c = load_cohort(layout_cohorts[lay], progress=False)
        s = liu2023.assemble(c)
        assert list(s.patients) == list(s_ref.patients), lay
        pd.testing.assert_frame_equal(s.flowchart, s_ref.flowchart)
        assert c.exams["ordered"].all(), lay
        pd.testing.assert_series_equal(c.exams.set_index("patient_id")["n_phases"], ph_ref)
        assert len(s.images) == len(s_ref.images)
        for i, r in s.images.iterrows():
            np.testing.assert_array_equal(c.pixels(i), px_ref[(r.patient_id, r.slice_location)])
        # SEG ROIs give the same mask as the NRRD of the tagged layout
        seg = c.rois[c.rois["source"] == "seg"]
        assert len(seg) >= 1, lay
        for r in seg.itertuples():
            m = c.mask(r.patient_id, r.reader)
            assert m.sum() > 20 and m.shape == ref.mask(r.patient_id, r.reader).shape
            np.testing.assert_array_equal(m, ref.mask(r.patient_id, r.reader))


def test_mixed_demo_layouts_and_seg_skipped(demo_cohort_dir):
    c = load_cohort(demo_cohort_dir, progress=False)
    truth = {p: v["dce_layout"] for p, v in c.truth["patients"].items() if v["dce_layout"]}
    assert len(set(truth.values())) >= 4           # several layouts in one cohort
    assert c.exams["ordered"].all()
    sk = c.skipped
    assert len(sk) == (c.rois["source"] == "seg").sum() >= 1
    assert sk["reason"].str.contains("DICOM SEG").all()


# ----------------------------------------------------------------------------- validate
def _validate_json(capsys, *args) -> tuple[int, dict]:
    rc = main(["validate", *map(str, args), "--json"])
    return rc, json.loads(capsys.readouterr().out)


def test_validate_json_keys(demo_cohort_dir, capsys):
    rc, rep = _validate_json(capsys, demo_cohort_dir)
    assert rc == 0 and rep["valid"]
    s1, s2 = rep["studies"]["liu2023"], rep["studies"]["kim2020"]
    assert len(s1["patients"]) == 24 and len(s2["patients"]) == 26
    assert [f["step"] for f in s1["flowchart"]][:3] == ["patients with DICOM images",
                                                         "no DCE exam", "no 1.5 T GE DCE exam"]
    assert {"step", "excluded", "remaining"} <= set(s1["flowchart"][0])
    ex = rep["exams"][0]
    assert {"patient_id", "study_uid", "phases"} <= set(ex)
    assert {"phase", "series_uid", "rule"} == set(ex["phases"][0])
    assert rep["skipped"] and {"path", "reason"} <= set(rep["skipped"][0])
    roles = {r["role"] for r in rep["series"]}
    assert {"pre", "post", "other", "non-image"} <= roles <= {"pre", "post", "pre+post",
                                                                "other", "non-image"}
    kept = [r for r in rep["series"] if r["status"] == "kept"]
    assert len({r["patient_id"] for r in kept}) == 24


def test_validate_fails_when_study1_keeps_no_patient(demo_cohort_dir, tmp_path, capsys):
    from _helpers import clone

    d = clone(demo_cohort_dir, tmp_path / "c", copy=("cohort.toml",))
    text = (d / "cohort.toml").read_text().replace('manufacturer = "GE"',
                                                   'manufacturer = "Toshiba"')
    (d / "cohort.toml").write_text(text)
    rc, rep = _validate_json(capsys, d)
    assert rc == 1 and not rep["valid"]
    assert rep["studies"]["liu2023"]["patients"] == []
    assert "liu2023: keeps no patient (see its flowchart)" in rep["errors"]
    assert rep["exams"] and rep["series"] and rep["studies"]["kim2020"]["patients"]
    assert main(["validate", str(d), "--no-series"]) == 1
    assert "keeps no patient" in capsys.readouterr().out


def test_validate_json_for_a_dicom_only_cohort(demo_cohort_dir, tmp_path, capsys):
    d = tmp_path / "only"
    d.mkdir()
    (d / "dicom").symlink_to(demo_cohort_dir / "dicom")
    rc, rep = _validate_json(capsys, d)
    assert rc == 1 and rep["studies"]["liu2023"]["patients"] == []
    steps = {f["step"]: f["excluded"] for f in rep["studies"]["liu2023"]["flowchart"]}
    assert steps["no matched RNA-seq"] == 25
    assert len(rep["exams"]) == 28 and rep["skipped"]   # every DCE exam, any scanner


# ----------------------------------------------------------------------------- objects
def _non_image(path, modality, sop_class, patient="TCGA-AA-0001"):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = sop_class, meta.MediaStorageSOPInstanceUID, \
        modality
    ds.PatientID, ds.StudyInstanceUID, ds.SeriesInstanceUID = patient, "1.2.3.4", generate_uid()
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return ds


def test_non_image_objects_are_skipped_and_counted(tmp_path):
    write_layout(tmp_path, "duke_pass")
    _non_image(tmp_path / "sr" / "1.dcm", "SR", "1.2.840.10008.5.1.4.1.1.88.22")
    _non_image(tmp_path / "pr" / "1.dcm", "PR", "1.2.840.10008.5.1.4.1.1.11.1")
    _non_image(tmp_path / "ko" / "1.dcm", "KO", "1.2.840.10008.5.1.4.1.1.88.59")
    _non_image(tmp_path / "rt" / "1.dcm", "RTSTRUCT", "1.2.840.10008.5.1.4.1.1.481.3")
    (tmp_path / "LICENSE").write_text("TCIA data usage policy")
    idx = index_dicom_full(tmp_path, use_cache=False)
    assert len(idx.images) == N_PHASES * N_SLICES and len(idx.exams) == 1
    reasons = idx.skipped.set_index("path")["reason"]
    assert "structured report" in reasons["sr/1.dcm"]
    assert "presentation state" in reasons["pr/1.dcm"]
    assert "key object selection" in reasons["ko/1.dcm"]
    assert "RT structure set" in reasons["rt/1.dcm"]
    assert "not a DICOM file" in reasons["LICENSE"]


def _rtstruct(path, ref: pydicom.Dataset, polygons_mm: list[np.ndarray], name="GTV"):
    ds = _non_image(path, "RTSTRUCT", "1.2.840.10008.5.1.4.1.1.481.3", ref.PatientID)
    roi = Dataset()
    roi.ROINumber, roi.ROIName = 7, name
    ds.StructureSetROISequence = [roi]
    rc = Dataset()
    rc.ReferencedROINumber = 7
    contours = []
    for poly in polygons_mm:
        c = Dataset()
        img = Dataset()
        img.ReferencedSOPClassUID, img.ReferencedSOPInstanceUID = ref.SOPClassUID, \
            ref.SOPInstanceUID
        c.ContourImageSequence = [img]
        c.ContourGeometricType = "CLOSED_PLANAR"
        c.NumberOfContourPoints = len(poly)
        c.ContourData = [f"{v:.4f}" for v in poly.ravel()]
        contours.append(c)
    rc.ContourSequence = contours
    ds.ROIContourSequence = [rc]
    ds.save_as(path, enforce_file_format=True)


def test_rtstruct_roi_source(tmp_path):
    root = tmp_path / "cohort"
    write_layout(root / "dicom", "duke_pass")
    ref_path = root / "dicom" / "s1" / "1_1.dcm"      # phase 1, slice 1
    ref = pydicom.dcmread(ref_path)
    o, sp, z = np.array([-50.0, -50.0]), 0.7, float(ref.ImagePositionPatient[2])

    def square(c0, r0, c1, r1):      # pixel (column, row) corners → patient mm
        pts = [(c0, r0), (c1, r0), (c1, r1), (c0, r1)]
        return np.array([[o[0] + c * sp, o[1] + r * sp, z] for c, r in pts])

    # an outer square with a hole: even–odd rule
    _rtstruct(root / "rt" / "rs.dcm", ref, [square(2, 3, 9, 8), square(5, 5, 6, 6)])
    (root / "rois.csv").write_text("patient_id,reader,sop_instance_uid,mask,segment\n"
                                   f"TCGA-AA-0001,r1,{ref.SOPInstanceUID},rt/rs.dcm,GTV\n")
    (root / "cohort.toml").write_text('[parts]\ndicom = "dicom"\nrois = "rois.csv"\n')
    c = load_cohort(root, validate=False, progress=False)
    r = c.rois.iloc[0]
    assert r["source"] == "rtstruct" and r["ref_sop"] == ref.SOPInstanceUID
    m = c.mask("TCGA-AA-0001", "r1")
    expect = np.zeros((SIZE, SIZE), np.uint8)
    expect[3:9, 2:10] = 1                       # centres inside or on the edge
    expect[5:7, 5:7] = 0                        # the hole: its edge pixels are on both
    np.testing.assert_array_equal(m, expect)
    # the same ROI named on the same position of another phase of the exam
    other = c.images[(c.images["phase"] == 3)
                     & (c.images["slice_position"] == c.images.loc[r["image_id"],
                                                                   "slice_position"])]
    (root / "rois.csv").write_text("patient_id,reader,sop_instance_uid,mask,segment\n"
                                   f"TCGA-AA-0001,r1,{other['sop_uid'].iloc[0]},rt/rs.dcm,7\n")
    c2 = load_cohort(root, validate=False, progress=False)
    assert c2.rois["image_id"].iloc[0] == other.index[0]
    np.testing.assert_array_equal(c2.mask("TCGA-AA-0001", "r1"), m)
    (root / "rois.csv").write_text("patient_id,reader,sop_instance_uid,mask,segment\n"
                                   "TCGA-AA-0001,r1,,rt/rs.dcm,Tumour\n")
    with pytest.raises(CohortError, match="no ROI labelled 'Tumour'"):
        _ = load_cohort(root, validate=False, progress=False).rois


# ----------------------------------------------------------------------------- patient IDs
def test_id_scheme_any_and_patients_csv(tmp_path, demo_cohort_dir):
    root = tmp_path / "c"
    write_layout(root / "dicom", "duke_pass")
    for f in (root / "dicom").rglob("*.dcm"):
        ds = pydicom.dcmread(f)
        ds.PatientID = "Breast_MRI_001"
        ds.save_as(f)
    (root / "cohort.toml").write_text('[parts]\ndicom = "dicom"\n')
    with pytest.raises(CohortError, match="not a TCGA barcode"):
        load_cohort(root, progress=False)
    (root / "cohort.toml").write_text('id_scheme = "any"\n[parts]\ndicom = "dicom"\n'
                                      'clinical = "clinical.tsv"\npatients = "patients.csv"\n')
    src = pd.read_csv(demo_cohort_dir / "clinical.tsv", sep="\t", dtype=str).iloc[:1]
    src.loc[:, "Complete TCGA ID"] = "DUKE-CLIN-1"
    src.to_csv(root / "clinical.tsv", sep="\t", index=False)
    (root / "patients.csv").write_text("patient_id,clinical_id\nBreast_MRI_001,DUKE-CLIN-1\n")
    c = load_cohort(root, progress=False)
    assert list(c.patients) == ["Breast_MRI_001"]
    assert list(c.clinical.index) == ["Breast_MRI_001"]
    assert c.exams["patient_id"].iloc[0] == "Breast_MRI_001"
