"""Supplementary Table 1: MONAI EfficientNet-B0, with and without local pre-trained weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch


def test_preprocess_max_normalises_and_resizes():
    from pyradiogen.predict.efficientnet import preprocess

    im = np.arange(100, dtype=float).reshape(10, 10)
    out = preprocess(im, size=20, in_channels=3)
    assert out.shape == (3, 20, 20) and out.dtype == np.float32
    assert out.max() == pytest.approx(1.0, abs=0.02) and out.min() == pytest.approx(0, abs=0.02)
    np.testing.assert_array_equal(out[0], out[2])


def test_missing_weights_file_is_a_clear_error(tmp_path):
    from pyradiogen.predict.efficientnet import build_model, load_pretrained

    with pytest.raises(FileNotFoundError, match="never downloads"):
        load_pretrained(build_model(), tmp_path / "nope.pth")


def test_weights_loaded_from_local_file_head_skipped(tmp_path):
    from pyradiogen.predict.efficientnet import build_model, load_pretrained

    torch.manual_seed(0)
    src = build_model(3, 1000)  # an ImageNet-shaped checkpoint: 1000-class head
    path = tmp_path / "b0.pth"
    torch.save(src.state_dict(), path)
    dst = build_model(3, 2)
    skipped = load_pretrained(dst, path)
    assert skipped == ["_fc.bias", "_fc.weight"]
    assert torch.equal(dst.state_dict()["_conv_stem.weight"], src.state_dict()["_conv_stem.weight"])
    bad = tmp_path / "bad.pth"
    torch.save({"x": torch.zeros(2)}, bad)
    with pytest.raises(ValueError, match="efficientnet-b0"):
        load_pretrained(build_model(), bad)


@pytest.mark.r
def test_one_epoch_on_tiny_images_both_variants(tmp_path):
    from pyradiogen import rbridge

    rbridge.library("pyradiogen")
    from pyradiogen.predict.efficientnet import build_model, run_efficientnet

    torch.manual_seed(1)
    weights = tmp_path / "w.pth"
    torch.save(build_model(3, 1000).state_dict(), weights)
    rng = np.random.default_rng(0)
    n = 12
    images = [rng.uniform(size=(16, 16)) for _ in range(n)]
    labels = pd.DataFrame({"patient_id": [f"P{i // 2}" for i in range(n)],
                           "ER": pd.array([i % 2 for i in range(n)], dtype="Int64")})
    out = run_efficientnet(images, labels, mode="rigorous", characteristics=["ER"],
                           pretrained_weights=weights, epochs=1, image_size=32)
    assert out["weights"].tolist() == ["scratch", "pretrained"]
    assert (out["n_test"] + out["n_train"] == n).all()
    assert out["n_train"].iloc[0] == 2 * int(0.8 * 6)  # whole patients
    assert np.isfinite(out["final_loss"]).all()
    assert ((out["auc"] >= 0) & (out["auc"] <= 1)).all()
