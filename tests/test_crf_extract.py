"""Array-level and cohort-level pyradiomics extraction: 100 features, clear mask errors, cache."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pyradiogen.crf.extract import (
    GeometryError,
    MaskError,
    extract_crfs,
    extract_image,
    extract_image_crfs,
)
from pyradiogen.crf.features import feature_columns


def lesion(seed: int, shift: int = 0, size: int = 48):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    r = np.hypot(yy - size / 2, xx - size / 2 - shift)
    image = (200.0 * np.exp(-r / 12) + rng.normal(0, 10, (size, size))).astype(np.float32)
    mask = (r < 9 + seed % 3).astype(np.uint8)
    return image, mask


class FakeCohort:
    """The part of the cohort API (docs/ARCHITECTURE.md) that extract_crfs uses."""

    def __init__(self, n_patients: int = 3, readers=("R1", "R2")):
        self.pix, self.masks, rows, imgs = {}, {}, [], []
        for p in range(n_patients):
            pid = f"TCGA-AA-{p:04d}"
            image, _ = lesion(p)
            iid = f"img{p}"
            self.pix[iid] = image
            imgs.append({"image_id": iid, "patient_id": pid, "pixel_spacing_row": 0.7,
                         "pixel_spacing_col": 0.7, "slice_location": 10.0, "rows": 48,
                         "cols": 48})
            for j, reader in enumerate(readers):
                self.masks[(pid, reader)] = lesion(p, shift=j)[1]
                rows.append({"patient_id": pid, "reader": reader, "image_id": iid,
                             "mask_path": f"rois/{reader}/{pid}.nrrd"})
        self.rois = pd.DataFrame(rows)
        self.images = pd.DataFrame(imgs).set_index("image_id")

    def pixels(self, image_id):
        return self.pix[image_id]

    def mask(self, patient_id, reader):
        return self.masks[(patient_id, reader)]


def test_extract_image_gives_100_finite_features_and_diagnostics():
    image, mask = lesion(0)
    out = extract_image(image, mask, (0.7, 0.7))
    feats = {k: v for k, v in out.items() if not k.startswith("diagnostics_")}
    assert sorted(feats) == sorted(feature_columns())
    assert np.isfinite(list(feats.values())).all()
    assert out["diagnostics_Mask-original_VoxelNum"] == str(int(mask.sum()))
    # pixel area 0.49 mm^2 enters the 2-D shape: mesh area close to the pixel count x area
    assert feats["original_shape2D_MeshSurface"] == pytest.approx(mask.sum() * 0.49, rel=0.05)
    assert feats["original_firstorder_Maximum"] == pytest.approx(float(image[mask == 1].max()))


@pytest.mark.parametrize("mask_fn, message", [
    (lambda m: np.zeros_like(m), "mask is empty"),
    (lambda m: m[:-3], "mask has the wrong size: mask \\(45, 48\\) vs image \\(48, 48\\)"),
    (lambda m: m * 2, "label 1 is absent .*labels present: \\[2\\]"),
])
def test_broken_masks_give_clear_errors(mask_fn, message):
    image, mask = lesion(1)
    with pytest.raises(MaskError, match=f"patient TCGA-XX-0001, reader R2: {message}"):
        extract_image(image, mask_fn(mask), (0.7, 0.7), where="patient TCGA-XX-0001, reader R2")


def test_bad_spacing_and_tiny_roi():
    image, mask = lesion(1)
    with pytest.raises(GeometryError, match="pixel spacing"):
        extract_image(image, mask, (0.7,))
    one = np.zeros_like(mask)
    one[10, 10:14] = 1  # a 1-pixel-high line: fewer than 2 dimensions
    # issue 14 G: named in words, not pyradiomics' "mask has too few dimensions"
    with pytest.raises(MaskError, match=r"patient P: ROI of 4 pixel\(s\) \(1 × 4 bounding box\) "
                                        r"is too small .* at least a 2 × 2 bounding box"):
        extract_image(image, one, (0.7, 0.7), where="patient P")


def test_extract_crfs_every_patient_and_reader_with_cache(tmp_path):
    cohort = FakeCohort(3)
    table, diag = extract_crfs(cohort, n_jobs=1, cache_dir=tmp_path, return_diagnostics=True)
    assert list(table.columns[:3]) == ["patient_id", "reader", "image_id"]
    assert table.shape == (6, 3 + 100)
    assert list(table.columns[3:]) == feature_columns()
    assert np.isfinite(table.iloc[:, 3:].to_numpy()).all()
    assert len(list(tmp_path.glob("*.json"))) == 6
    assert diag.shape[0] == 6 and "diagnostics_Versions_PyRadiomics" in diag.columns
    # one ROI equals the array-level function
    first = extract_image(cohort.pixels("img0"), cohort.mask("TCGA-AA-0000", "R1"), (0.7, 0.7))
    assert table.loc[0, "original_glcm_Idmn"] == first["original_glcm_Idmn"]
    # second run reads the cache: same numbers, and a corrupted worker could not be reached
    again = extract_crfs(cohort, n_jobs=1, cache_dir=tmp_path, backend="sequential")
    pd.testing.assert_frame_equal(again, table)
    only = extract_crfs(cohort, readers=["R2"], n_jobs=1, cache_dir=tmp_path)
    assert set(only["reader"]) == {"R2"} and len(only) == 3


def test_parallel_equals_serial():
    cohort = FakeCohort(2)
    serial = extract_crfs(cohort, n_jobs=1)
    parallel = extract_crfs(cohort, n_jobs=2, min_rois_per_worker=1)
    pd.testing.assert_frame_equal(serial, parallel)


def test_cohort_geometry_mismatch_names_patient_and_reader():
    cohort = FakeCohort(2)
    cohort.masks[("TCGA-AA-0001", "R2")] = cohort.masks[("TCGA-AA-0001", "R2")][:, :40]
    with pytest.raises(GeometryError, match=r"patient TCGA-AA-0001, reader R2, image img1 "
                                            r"\(mask rois/R2/TCGA-AA-0001.nrrd\): mask size"):
        extract_crfs(cohort, n_jobs=1)
    with pytest.raises(ValueError, match="reader\\(s\\) \\['R9'\\] have no ROIs"):
        extract_crfs(FakeCohort(1), readers=["R9"])


def test_image_level_extraction_applies_the_roi_to_images_at_its_slice():
    cohort = FakeCohort(2)
    extra = []
    for p, (pid, loc) in enumerate([("TCGA-AA-0000", 10.0), ("TCGA-AA-0000", 14.0),
                                    ("TCGA-AA-0001", 10.0)]):
        iid = f"phase{p}"
        cohort.pix[iid] = lesion(10 + p)[0]
        extra.append({"image_id": iid, "patient_id": pid, "pixel_spacing_row": 0.7,
                      "pixel_spacing_col": 0.7, "slice_location": loc, "rows": 48, "cols": 48})
    cohort.images = pd.concat([cohort.images, pd.DataFrame(extra).set_index("image_id")])
    table = extract_image_crfs(cohort, reader="R2", n_jobs=1)
    assert list(table.columns[:2]) == ["image_id", "patient_id"]
    assert sorted(table["image_id"]) == ["img0", "img1", "phase0", "phase2"]  # phase1: 14 mm
    ours = table.set_index("image_id").loc["phase0", "original_firstorder_Mean"]
    direct = extract_image(cohort.pix["phase0"], cohort.mask("TCGA-AA-0000", "R2"), (0.7, 0.7))
    assert ours == direct["original_firstorder_Mean"]


def test_worker_count_grows_with_the_work():
    from pyradiogen.crf.extract import _workers

    assert [_workers(2, n, 100) for n in (0, 55, 199, 200, 5000)] == [1, 1, 1, 2, 2]
    assert _workers(4, 300, 100) == 3
