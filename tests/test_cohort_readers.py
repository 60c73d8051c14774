"""Cohort readers on the generated demo cohort (24 patients, seed 7)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pyradiogen.cohort import CohortError, load_cohort, patient_barcode, read_gmt
from pyradiogen.cohort.dicom import INDEX_COLUMNS, index_dicom
from pyradiogen.cohort.expression import read_star_counts, star_files
from pyradiogen.cohort.ids import sample_barcode, sample_type
from pyradiogen.cohort.tables import crf36_names
from pyradiogen.resources import kegg_gmt


@pytest.fixture(scope="module")
def cohort(demo_cohort_dir):
    return load_cohort(demo_cohort_dir, progress=False)


def test_barcodes():
    assert patient_barcode("TCGA-A1-A0SB-01A-11R-A144-07") == "TCGA-A1-A0SB"
    assert patient_barcode("tcga.a1.a0sb.01") == "TCGA-A1-A0SB"
    assert sample_barcode("TCGA.A1.A0SB.01") == "TCGA-A1-A0SB-01A"
    assert sample_type("TCGA-A1-A0SB-11B") == 11
    with pytest.raises(CohortError, match="not a TCGA barcode"):
        patient_barcode("patient_7")


def test_images_index(cohort):
    im = cohort.images
    assert list(im.columns[:len(INDEX_COLUMNS)]) == list(INDEX_COLUMNS)
    assert im.index.is_unique and im["sop_uid"].is_unique
    assert im["patient_id"].nunique() == 28          # 24 kept + 4 to be excluded
    assert set(im["rows"]) <= {256, 512}
    ex = cohort.exams
    assert ex["ordered"].all() and ex["n_phases"].between(3, 9).all()   # pre + 2..8 post
    assert sorted(ex["patient_id"]) == sorted(cohort.series.loc[cohort.series["dce"],
                                                                "patient_id"].unique())
    assert [p["phase"] for p in ex["phases"].iloc[0]] == list(range(ex["n_phases"].iloc[0]))
    assert (im["field_strength"].isin([1.5, 3.0])).all()


def test_pixels_and_masks(cohort):
    roi = cohort.rois.iloc[0]
    img = cohort.pixels(roi["image_id"])
    m = cohort.mask(roi["patient_id"], roi["reader"])
    assert img.dtype == np.float32 and img.shape == m.shape and m.dtype == np.uint8
    assert 20 < m.sum() < img.size / 4
    assert img[m == 1].mean() > 1.5 * img[m == 0].mean()   # the lesion enhances
    # slope/intercept applied: values equal stored * slope + intercept
    row = cohort.images.loc[roi["image_id"]]
    import pydicom
    ds = pydicom.dcmread(cohort.manifest.parts["dicom"] / row["path"])
    np.testing.assert_allclose(img, ds.pixel_array * float(ds.RescaleSlope)
                               + float(ds.RescaleIntercept))


def test_two_readers_disagree_a_little(cohort):
    r = cohort.rois
    both = r.groupby("patient_id")["reader"].nunique()
    dice = []
    for pid in both[both == 2].index[:10]:
        a, b = cohort.mask(pid, "reader1"), cohort.mask(pid, "reader2")
        dice.append(2 * (a & b).sum() / (a.sum() + b.sum()))
    assert 0.7 < np.mean(dice) < 0.99


def test_expression(cohort):
    x = cohort.expression("unstranded")
    assert x.shape == (27, 7604) and x.index.name == "patient_id"
    assert (x.to_numpy() >= 0).all() and x.sum(axis=1).between(2e6, 5e7).all()
    tpm = cohort.expression("tpm_unstranded")
    np.testing.assert_allclose(tpm.sum(axis=1), 1e6, rtol=1e-3)
    m = cohort.expression("matrix")
    assert m.shape == x.shape
    g = cohort.genes
    assert {"ESR1", "ERBB2", "AURKA"} <= set(g["gene_name"])
    assert g.set_index("gene_name").loc["ESR1", "entrez"] == 2099
    assert str(g["entrez"].dtype) == "Int64"


def test_star_file_layout(demo_cohort_dir):
    f = star_files(demo_cohort_dir / "expression" / "star_counts")
    genes, stats = read_star_counts(f["path"].iloc[0])
    assert set(stats) == {"N_unmapped", "N_multimapping", "N_noFeature", "N_ambiguous"}
    assert list(genes.columns[:3]) == ["gene_name", "gene_type", "unstranded"]
    first = open(f["path"].iloc[0]).readline()
    assert first.startswith("# gene-model: GENCODE v36")


def test_clinical(cohort):
    cl = cohort.clinical
    assert cl.index.is_unique and len(cl) == 28
    for col in ("T", "N", "ER", "PR", "HER2"):
        assert str(cl[col].dtype) == "Int64"
    assert cl["HER2"].isna().sum() >= 1
    assert set(cl["pam50"].cat.categories) == {"LumA", "LumB", "Her2", "Basal", "Normal"}
    assert cl["age"].between(29, 82).all()


def test_small_tables(cohort):
    assert list(cohort.crf36.columns) == crf36_names() and len(crf36_names()) == 36
    assert 0.6 < len(cohort.crf36) / 28 < 1.0
    assert list(cohort.timer.columns) == ["B_cell", "CD4_T", "CD8_T", "Neutrophil",
                                          "Macrophage", "Dendritic"]
    assert len(cohort.risk_genes) == 60 and "BRCA1" in cohort.risk_genes
    assert len(cohort.gene_sets) == 186
    assert cohort.truth["n_patients_kept"] == 24


def test_gmt_reader():
    sets = read_gmt(kegg_gmt())
    assert len(sets) == 186
    assert sets["KEGG_GLYCOLYSIS_GLUCONEOGENESIS"][:3] == ["ACSS2", "GCK", "PGK2"]


def test_dicom_index_is_cached(demo_cohort_dir, tmp_path):
    root = demo_cohort_dir / "dicom"
    a = index_dicom(root, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("dicom_index_*.parquet"))) == 1
    b = index_dicom(root, cache_dir=tmp_path)
    pd.testing.assert_frame_equal(a, b)


def test_dicom_index_parallel_matches_serial(demo_cohort_dir, tmp_path, monkeypatch):
    import pyradiogen.cohort.dicom as dicom_mod

    monkeypatch.setattr(dicom_mod, "PARALLEL_MIN_FILES", 10)
    root = demo_cohort_dir / "dicom"
    a = index_dicom(root, cache_dir=tmp_path / "a", n_jobs=2)
    b = index_dicom(root, cache_dir=tmp_path / "b", n_jobs=1)
    pd.testing.assert_frame_equal(a, b)
