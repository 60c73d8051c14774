"""Training: seeded, lowers validation loss, divergence handling, checkpoints and resume."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from pyradiogen.datasets import make_toy_images
from pyradiogen.drf.model import make_config
from pyradiogen.drf.train import (
    DivergenceError,
    diagnose,
    split_indices,
    train_autoencoder,
)
from pyradiogen.drf.transforms import preprocess_stack

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def images():
    x, pids = make_toy_images(40, (80, 72), seed=0, n_patients=10)
    return preprocess_stack(x, "minmax"), pids


def _cfg(**kw):
    return make_config("paper", lr=0.001, on_divergence="stop", **kw)


def test_training_lowers_validation_loss(images):
    x, _ = images
    res = train_autoencoder(x, _cfg(), seed=3, epochs=3, progress=False)
    h = res.history
    assert list(h["epoch"]) == [0, 1, 2, 3]
    assert h["val_loss"].iloc[-1] < 0.85 * h["val_loss"].iloc[0]
    assert res.diagnosis["learned"] and res.diagnosis["finite"]
    assert len(res.train_index) == 32 and len(res.val_index) == 8   # 80/20


def test_same_seed_same_model(images):
    x, _ = images
    a = train_autoencoder(x, _cfg(), seed=5, epochs=2, progress=False)
    b = train_autoencoder(x, _cfg(), seed=5, epochs=2, progress=False)
    c = train_autoencoder(x, _cfg(), seed=6, epochs=2, progress=False)
    sa, sb, sc = (r.model.state_dict() for r in (a, b, c))
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not torch.equal(sa["encoder.0.weight"], sc["encoder.0.weight"])
    assert a.history["val_loss"].tolist() == b.history["val_loss"].tolist()


def test_resume_equals_uninterrupted(images, tmp_path):
    x, _ = images
    full = train_autoencoder(x, _cfg(), seed=2, epochs=3, progress=False)
    train_autoencoder(x, _cfg(), seed=2, epochs=2, checkpoint_dir=tmp_path, progress=False)
    assert (tmp_path / "last.pt").exists()
    resumed = train_autoencoder(x, _cfg(), seed=2, epochs=3, checkpoint_dir=tmp_path,
                                progress=False)
    assert any("resumed" in e for e in resumed.events)
    sf, sr = full.model.state_dict(), resumed.model.state_dict()
    assert all(torch.equal(sf[k], sr[k]) for k in sf)
    assert resumed.history["val_loss"].tolist() == full.history["val_loss"].tolist()
    other = train_autoencoder(x, _cfg(), seed=9, epochs=1, checkpoint_dir=tmp_path,
                              progress=False)          # other seed: checkpoint not reused
    assert not any("resumed" in e for e in other.events)


def test_adam_lr_01_diverges_and_falls_back(images):
    x, _ = images
    res = train_autoencoder(x, "paper", seed=3, epochs=3, progress=False)
    assert res.lr_used == 0.001
    assert res.failed_history is not None and (res.failed_history["lr"] == 0.1).all()
    assert "diverged" in res.events[0] and "lr=0.001" in res.events[0]
    boom = train_autoencoder(x, make_config("paper", lr=10.0, output_activation="linear"),
                             seed=3, epochs=1, progress=False)
    assert "exploded" in boom.events[0] and boom.lr_used == 0.001
    assert np.isfinite(boom.history["val_loss"]).all()
    with pytest.raises(DivergenceError, match="lr=0.1"):
        train_autoencoder(x, make_config("paper", on_divergence="stop"), seed=3, epochs=3,
                          progress=False)


def test_code_preset_keras_cosine_does_not_learn(images):
    x, _ = images
    res = train_autoencoder(x, "code", seed=1, epochs=2, progress=False)
    assert len(res.val_index) == 12                                   # 70/30
    assert not res.diagnosis["learned"]
    assert any("cosine_proximity" in e for e in res.events)
    init = res.model.__class__("code", seed=1).state_dict()
    drift = max(float((res.model.state_dict()[k] - init[k]).abs().max()) for k in init)
    assert drift < 1e-5


def test_patient_split_keeps_patients_apart():
    pids = np.repeat([f"P{i}" for i in range(10)], 3)
    tr, va = split_indices(len(pids), 0.2, seed=1, groups=pids)
    assert set(pids[tr]).isdisjoint(pids[va]) and len(set(pids[va])) == 2
    tr2, va2 = split_indices(30, 0.3, seed=1)
    assert len(va2) == 9 and len(tr2) == 21 and not set(tr2) & set(va2)


def test_diagnose_flags():
    ep = np.arange(11)
    ok = pd.DataFrame({"epoch": ep, "train_loss": 1 / (1 + ep) ** 2 + 0.1,
                       "val_loss": 1 / (1 + ep) ** 2 + 0.12})
    d = diagnose(ok)
    assert d["learned"] and not d["overfitting"] and d["best_epoch"] == 10
    over = ok.assign(val_loss=[1.0, .5, .3, .2, .25, .3, .35, .4, .45, .5, .55])
    d = diagnose(over)
    assert d["overfitting"] and d["best_epoch"] == 3 and d["verdict"].startswith("overfitting")
    flat = ok.assign(train_loss=0.5, val_loss=0.5)
    d = diagnose(flat)
    assert not d["learned"] and d["converged"]
