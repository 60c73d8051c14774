"""DRFExtractor: output table, kernel map, determinism, patient level, save/load."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from pyradiogen.datasets import make_toy_images
from pyradiogen.drf import (
    DRFExtractor,
    features_to_maps,
    kernel_map,
    patient_level,
    quantile_normalize,
    to_table,
)
from pyradiogen.estimator import NotFittedError

torch.set_num_threads(1)
SETTINGS = {"lr": 0.001}


@pytest.fixture(scope="module")
def data():
    imgs, pids = make_toy_images(40, (96, 80), seed=1, n_patients=10)
    ids = [f"img{i:03d}" for i in range(len(imgs))]
    return list(imgs), pids, ids


@pytest.fixture(scope="module")
def fitted(data):
    imgs, pids, ids = data
    est = DRFExtractor("paper", seed=4, epochs=2, config=SETTINGS, progress=False)
    return est.fit(imgs, pids, ids)


def test_output_shape_names_and_index(fitted, data):
    imgs, pids, ids = data
    df = fitted.transform(imgs, pids, ids)
    assert df.shape == (40, 4096)
    assert list(df.columns[:3]) == ["fea_1", "fea_2", "fea_3"] and df.columns[-1] == "fea_4096"
    assert df.index.names == ["image_id", "patient_id"]
    assert df.index[5] == ("img005", pids[5])
    assert (df.dtypes == np.float32).all() and np.isfinite(df.to_numpy()).all()
    assert (df.to_numpy() >= 0).all() and df.to_numpy().max() > 0     # ReLU then max-pool
    tab = to_table(df)
    assert list(tab.columns[:3]) == ["image_id", "patient_id", "fea_1"]


def test_kernel_map(fitted, data):
    km = fitted.kernel_map_
    assert len(km) == 4096 and km.index[0] == "fea_1"
    assert [fitted.kernel_of(j) for j in (1, 2, 16, 17, 32)] == [1, 2, 16, 1, 16]
    assert fitted.kernel_of("fea_4043") == 11 and km.at["fea_4043", "paper_block"] == 16
    assert (km["kernel"].value_counts() == 256).all()
    assert km.at["fea_4043", "row"] == 15 and km.at["fea_4043", "col"] == 12
    cf = kernel_map(16, 16, "channels_first")
    assert cf.at["fea_257", "kernel"] == 2 and cf.at["fea_256", "kernel"] == 1
    with pytest.raises(KeyError, match="fea_5000"):
        fitted.kernel_of("fea_5000")
    # maps put each feature where the encoder computed it
    imgs, pids, ids = data
    df = fitted.transform(imgs[:2], pids[:2], ids[:2])
    x = torch.from_numpy(fitted.preprocess(imgs[:2])[:, None])
    z = fitted.model_.encode(x).detach().numpy()
    assert np.array_equal(fitted.maps(df.iloc[1].to_numpy()), z[1])
    assert np.array_equal(features_to_maps(df.iloc[0].to_numpy()), z[0])


def test_same_seed_identical_features(data):
    imgs, pids, ids = data
    a = DRFExtractor("code", seed=8, epochs=1, progress=False).fit_transform(imgs, pids, ids)
    b = DRFExtractor("code", seed=8, epochs=1, progress=False).fit_transform(imgs, pids, ids)
    c = DRFExtractor("code", seed=9, epochs=1, progress=False).fit_transform(imgs, pids, ids)
    pd.testing.assert_frame_equal(a, b)
    assert not np.array_equal(a.to_numpy(), c.to_numpy())


def test_patient_level_is_mean_of_images(fitted, data):
    imgs, pids, ids = data
    df = fitted.transform(imgs, pids, ids)
    pl = patient_level(df)
    assert pl.shape == (10, 4096) and pl.index.name == "patient_id"
    p = pids[3]
    mask = np.array(pids) == p
    assert np.allclose(pl.loc[p].to_numpy(), df.to_numpy()[mask].mean(axis=0), rtol=1e-6)
    assert np.allclose(patient_level(to_table(df)).to_numpy(), pl.to_numpy())


def test_save_load_round_trip(fitted, data, tmp_path):
    imgs, pids, ids = data
    path = fitted.save(tmp_path / "drf.pt")
    back = DRFExtractor.load(path)
    pd.testing.assert_frame_equal(back.transform(imgs, pids, ids), fitted.transform(imgs, pids, ids))
    assert back.config_ == fitted.config_ and back.seed == 4
    pd.testing.assert_frame_equal(back.history_, fitted.history_)
    assert back.diagnosis_["verdict"] == fitted.diagnosis_["verdict"]
    with pytest.raises(FileNotFoundError, match="drf train"):
        DRFExtractor.load(tmp_path / "missing.pt")


def test_normalised_table(fitted, data):
    imgs, pids, ids = data
    raw = fitted.transform(imgs, pids, ids)
    qn = quantile_normalize(raw)
    assert qn.index.equals(raw.index) and list(qn.columns) == list(raw.columns)
    r, v = raw.to_numpy().astype(np.float64), qn.to_numpy()
    ref = np.sort(r, axis=1).mean(axis=0)
    for i in (0, 17, 39):   # untied values take the reference value at their rank
        vals, inverse, counts = np.unique(r[i], return_inverse=True, return_counts=True)
        untied = counts[inverse] == 1
        expected = ref[np.argsort(np.argsort(r[i], kind="stable"), kind="stable")]
        assert untied.sum() > 2000
        assert np.allclose(v[i][untied], expected[untied], rtol=1e-6)
        assert np.all(v[i][r[i] == 0] == ref[0])   # ReLU zeros tie at the minimum rank


def test_unfitted_and_bad_ids(data):
    imgs, pids, ids = data
    with pytest.raises(NotFittedError, match="not fitted"):
        DRFExtractor().transform(imgs)
    est = DRFExtractor("paper", seed=1, epochs=1, config=SETTINGS, progress=False)
    with pytest.raises(ValueError, match="3 patient ids given for 40 images"):
        est.fit(imgs, pids[:3])
