"""Broken inputs are refused with a message that names the problem."""

from __future__ import annotations

import shutil

import pandas as pd
import pydicom
import pytest
from _helpers import clone

from pyradiogen.cohort import CohortError, load_cohort
from pyradiogen.cohort.clinical import read_clinical
from pyradiogen.cohort.dicom import index_dicom
from pyradiogen.cohort.expression import (
    read_expression_matrix,
    read_star_counts,
    read_star_matrix,
    star_files,
)
from pyradiogen.cohort.masks import read_mask, read_rois
from pyradiogen.cohort.tables import read_crf36, read_gmt, read_risk_genes, read_timer


def _one_patient_dicoms(demo, tmp_path):
    src = sorted((demo / "dicom").iterdir())[0]
    dst = tmp_path / "dicom" / src.name
    shutil.copytree(src, dst)
    return tmp_path / "dicom", sorted(dst.rglob("*.dcm"))


def test_truncated_dicom(demo_cohort_dir, tmp_path):
    root, files = _one_patient_dicoms(demo_cohort_dir, tmp_path)
    data = files[0].read_bytes()
    files[0].write_bytes(data[:-5000])
    with pytest.raises(CohortError, match="truncated") as e:
        index_dicom(root, cache_dir=tmp_path / "c")
    assert files[0].name in str(e.value) and "re-download" in str(e.value)


def test_dicom_missing_tag(demo_cohort_dir, tmp_path):
    root, files = _one_patient_dicoms(demo_cohort_dir, tmp_path)
    ds = pydicom.dcmread(files[1])
    del ds.PixelSpacing
    ds.save_as(files[1])
    with pytest.raises(CohortError, match="PixelSpacing missing") as e:
        index_dicom(root, cache_dir=tmp_path / "c")
    assert files[1].name in str(e.value)


def test_dicom_garbage_and_duplicates(demo_cohort_dir, tmp_path):
    root, files = _one_patient_dicoms(demo_cohort_dir, tmp_path)
    shutil.copy(files[0], files[0].parent / "copy.dcm")
    with pytest.raises(CohortError, match="SOPInstanceUID .* appears in 2 files"):
        index_dicom(root, cache_dir=tmp_path / "c")
    (files[0].parent / "copy.dcm").write_bytes(b"not dicom at all")
    with pytest.raises(CohortError, match="no DICM preamble"):
        index_dicom(root, cache_dir=tmp_path / "c")


def test_dicom_bad_patient_id(demo_cohort_dir, tmp_path):
    root, files = _one_patient_dicoms(demo_cohort_dir, tmp_path)
    ds = pydicom.dcmread(files[0])
    ds.PatientID = "anonymous"
    ds.save_as(files[0])
    with pytest.raises(CohortError, match="'anonymous' is not a TCGA barcode"):
        index_dicom(root, cache_dir=tmp_path / "c")


def _star(demo, tmp_path, n=2):
    src = sorted((demo / "expression" / "star_counts").iterdir())[:n]
    d = tmp_path / "star"
    d.mkdir()
    for f in src:
        shutil.copy(f, d / f.name)
    return d, sorted(d.iterdir())


def _edit_line(path, lineno, fn):
    lines = path.read_text().splitlines()
    lines[lineno] = fn(lines[lineno])
    path.write_text("\n".join(lines) + "\n")


def test_star_non_numeric_and_na(demo_cohort_dir, tmp_path):
    d, files = _star(demo_cohort_dir, tmp_path)
    gene = files[0].read_text().splitlines()[10].split("\t")[1]
    _edit_line(files[0], 10, lambda s: "\t".join(s.split("\t")[:3] + ["12x"] + s.split("\t")[4:]))
    with pytest.raises(CohortError, match="non-numeric value") as e:
        read_star_counts(files[0])
    assert f"gene {gene}" in str(e.value) and files[0].name in str(e.value)
    _edit_line(files[1], 12, lambda s: "\t".join(s.split("\t")[:3] + ["NA"] + s.split("\t")[4:]))
    with pytest.raises(CohortError, match=r"missing \(NA\) value"):
        read_star_counts(files[1])


def test_star_wrong_header(demo_cohort_dir, tmp_path):
    d, files = _star(demo_cohort_dir, tmp_path)
    _edit_line(files[0], 1, lambda s: s.replace("unstranded", "counts", 1))
    with pytest.raises(CohortError, match=r"header lacks column\(s\) \['unstranded'\]"):
        read_star_counts(files[0])


def test_star_duplicate_patient_and_gene_mismatch(demo_cohort_dir, tmp_path):
    d, files = _star(demo_cohort_dir, tmp_path)
    dup = files[0].name.replace("-01A-", "-01B-")
    shutil.copy(files[0], d / dup)
    with pytest.raises(CohortError, match="2 tumour samples for one patient"):
        star_files(d)
    (d / dup).unlink()
    normal = files[0].name.replace("-01A-", "-11A-")   # normal tissue is dropped silently
    shutil.copy(files[0], d / normal)
    assert len(star_files(d)) == 2
    (d / normal).unlink()
    lines = files[1].read_text().splitlines()
    files[1].write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(CohortError, match="genes differ from the first file's"):
        read_star_matrix(d, progress=False)


def test_star_unknown_sample(demo_cohort_dir, tmp_path):
    d, files = _star(demo_cohort_dir, tmp_path)
    files[0].rename(d / "9f3c-uuid.rna_seq.augmented_star_gene_counts.tsv")
    with pytest.raises(CohortError, match="does not start with a TCGA sample barcode"):
        star_files(d)


def test_matrix_errors(tmp_path):
    p = tmp_path / "m.tsv"
    p.write_text("gene_id\tTCGA-A1-A0SB-01A\tTCGA-A2-A0CM-01A\nESR1|2099\t1.5\tabc\n")
    with pytest.raises(CohortError, match="non-numeric value 'abc'") as e:
        read_expression_matrix(p)
    assert "gene ESR1" in str(e.value)
    p.write_text("gene_id\tTCGA-A1-A0SB-01A\tTCGA-A2-A0CM-01A\nESR1|2099\t1.5\tNA\n")
    with pytest.raises(CohortError, match=r"missing \(NA\) value"):
        read_expression_matrix(p)
    p.write_text("gene_id\tsampleA\nESR1|2099\t1.5\n")
    with pytest.raises(CohortError, match="'sampleA' is not a TCGA sample barcode"):
        read_expression_matrix(p)
    p.write_text("gene_id\tTCGA.A1.A0SB.01\tTCGA-A2-A0CM-01A\nESR1|2099\t1\t2\n?|5\t3\t4\n")
    x, g = read_expression_matrix(p)
    assert list(x.index) == ["TCGA-A1-A0SB", "TCGA-A2-A0CM"] and list(x.columns) == ["ESR1"]
    assert int(g["entrez"].iloc[0]) == 2099


def test_clinical_errors(demo_cohort_dir, tmp_path):
    raw = pd.read_csv(demo_cohort_dir / "clinical.tsv", sep="\t", dtype=str)
    p = tmp_path / "clinical.tsv"
    pd.concat([raw, raw.iloc[[3]]]).to_csv(p, sep="\t", index=False)
    with pytest.raises(CohortError, match="more than one row") as e:
        read_clinical(p)
    assert raw["Complete TCGA ID"].iloc[3] in str(e.value)
    bad = raw.copy()
    bad.loc[2, "ER Status"] = "Positiv"
    bad.to_csv(p, sep="\t", index=False)
    with pytest.raises(CohortError, match="'ER Status' holds 'Positiv'"):
        read_clinical(p)
    raw.drop(columns=["HER2 Final Status"]).to_csv(p, sep="\t", index=False)
    with pytest.raises(CohortError, match="HER2 Final Status"):
        read_clinical(p)


def test_table_errors(demo_cohort_dir, tmp_path):
    crf = pd.read_csv(demo_cohort_dir / "crf36.csv")
    p = tmp_path / "crf36.csv"
    crf.drop(columns=["Sphericity (G1)"]).to_csv(p, index=False)
    with pytest.raises(CohortError, match="36 feature columns are missing.*Sphericity"):
        read_crf36(p)
    crf2 = crf.astype(object)
    crf2.iloc[1, 5] = "high"
    crf2.to_csv(p, index=False)
    with pytest.raises(CohortError, match="non-numeric value 'high'"):
        read_crf36(p)
    t = pd.read_csv(demo_cohort_dir / "timer.csv")
    p = tmp_path / "timer.csv"
    pd.concat([t, t.iloc[[0]]]).to_csv(p, index=False)
    with pytest.raises(CohortError, match="appear more than once"):
        read_timer(p)
    t.rename(columns={"DC": "Dendritic_x"}).to_csv(p, index=False)
    with pytest.raises(CohortError, match="Dendritic"):
        read_timer(p)
    g = tmp_path / "r.txt"
    g.write_text("BRCA1\nTP53\nBRCA1\n")
    with pytest.raises(CohortError, match="gene BRCA1: gene listed twice"):
        read_risk_genes(g)
    gmt = tmp_path / "x.gmt"
    gmt.write_text("SET_A desc GENE1 GENE2\n")
    with pytest.raises(CohortError, match="tab-separated"):
        read_gmt(gmt)


def test_roi_errors(demo_cohort_dir, tmp_path):
    c = load_cohort(demo_cohort_dir, validate=False, progress=False)
    rois = pd.read_csv(demo_cohort_dir / "rois" / "rois.csv")
    p = tmp_path / "rois.csv"
    bad = rois.copy()
    bad.loc[0, "patient_id"] = "TCGA-ZZ-ZZZZ"
    bad.to_csv(p, index=False)
    with pytest.raises(CohortError, match="patient TCGA-ZZ-ZZZZ: ROI for a patient with no DICOM"):
        read_rois(p, c.images, demo_cohort_dir)
    pd.concat([rois, rois.iloc[[0]]]).to_csv(p, index=False)
    with pytest.raises(CohortError, match="more than one ROI"):
        read_rois(p, c.images, demo_cohort_dir)
    bad = rois.copy()
    bad.loc[0, "sop_instance_uid"] = "1.2.3"
    bad.to_csv(p, index=False)
    with pytest.raises(CohortError, match="1.2.3 is not among the indexed DICOM slices"):
        read_rois(p, c.images, demo_cohort_dir)
    m = tmp_path / "bad.nrrd"
    m.write_bytes(b"NRRD0004\ngarbage")
    with pytest.raises(CohortError, match="cannot read the mask"):
        read_mask(m)


def test_load_cohort_refuses_broken_part(demo_cohort_dir, tmp_path):
    d = clone(demo_cohort_dir, tmp_path / "c", copy=("clinical.tsv",))
    raw = pd.read_csv(d / "clinical.tsv", sep="\t", dtype=str)
    raw.loc[0, "Age at Initial Pathologic Diagnosis"] = "fifty"
    raw.to_csv(d / "clinical.tsv", sep="\t", index=False)
    with pytest.raises(CohortError, match="age 'fifty' is not a number"):
        load_cohort(d, progress=False, cache_dir=tmp_path / "cache")
    (d / "cohort.toml").unlink()
    (d / "cohort.toml").write_text('[parts]\ndicom = "dicom"\nclinical = "missing.tsv"\n')
    with pytest.raises(CohortError, match="do not exist"):
        load_cohort(d)


def test_mask_on_wrong_grid_and_series_owner(demo_cohort_dir, tmp_path):
    import numpy as np

    from pyradiogen.cohort import Cohort, validate_cohort
    from pyradiogen.demo.writers import write_mask

    d = clone(demo_cohort_dir, tmp_path / "c", copy=("rois",))
    rois = pd.read_csv(d / "rois" / "rois.csv")
    write_mask(d / rois["mask"].iloc[0], np.ones((10, 12), np.uint8), 1.0)
    with pytest.raises(CohortError, match=r"mask shape \(10, 12\) differs from its slice") as e:
        load_cohort(d, progress=False)
    assert rois["patient_id"].iloc[0] in str(e.value)
    # a series whose slices carry two PatientIDs
    d2 = clone(demo_cohort_dir, tmp_path / "c2", copy=("dicom",))
    series = sorted(p for p in (d2 / "dicom").rglob("*.dcm"))[:2]
    ds = pydicom.dcmread(series[1])
    other = sorted(p.name for p in (d2 / "dicom").iterdir())[-1]
    ds.PatientID = other
    ds.save_as(series[1])
    checks = validate_cohort(Cohort(d2, progress=False), raise_on_error=False, masks=False)
    errs = [ch.detail for ch in checks if ch.status == "error"]
    assert any("holds slices of 2 patients" in e for e in errs)
