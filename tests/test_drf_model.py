"""The autoencoder's Keras semantics."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from pyradiogen.drf.model import (
    DenoisingAutoencoder,
    keras_max_pool,
    loss_fn,
    make_config,
    make_optimizer,
)

torch.set_num_threads(1)


@pytest.mark.parametrize("preset,n_enc", [("paper", 2), ("code", 3)])
def test_shapes_per_preset(preset, n_enc):
    m = DenoisingAutoencoder(preset, seed=0)
    x = torch.rand(5, 1, 64, 64)
    assert len(m.encoder) == n_enc and len(m.decoder) == n_enc
    assert m(x).shape == (5, 1, 64, 64)
    assert m.encode(x).shape == (5, 16, 16, 16)
    assert m.features(x).shape == (5, 4096)
    if preset == "code":
        out = m(x).detach()
        assert float(out.min()) > 0 and float(out.max()) < 1  # sigmoid output


def test_glorot_uniform_and_zero_bias():
    m = DenoisingAutoencoder("code", seed=4)
    conv = m.encoder[1]                       # 16 → 16, 3×3
    limit = math.sqrt(6 / (9 * 16 + 9 * 16))
    w = conv.weight.detach().numpy()
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.95 * limit
    assert abs(float(w.std()) - limit / math.sqrt(3)) < 0.02   # U(-a, a) has sd a/√3
    assert all(float(c.bias.detach().abs().max()) == 0 for c in [*m.encoder, *m.decoder, m.output])
    first = m.encoder[0].weight.detach().numpy()
    assert np.abs(first).max() <= math.sqrt(6 / (9 * 1 + 9 * 16))


def test_seeded_init():
    a = DenoisingAutoencoder("paper", seed=1).state_dict()
    b = DenoisingAutoencoder("paper", seed=1).state_dict()
    c = DenoisingAutoencoder("paper", seed=2).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(a["encoder.0.weight"], c["encoder.0.weight"])


def test_same_padding_pool_on_odd_sides():
    x = torch.arange(15.0).reshape(1, 1, 3, 5) - 20      # all negative: −inf padding matters
    y = keras_max_pool(x)
    assert y.shape == (1, 1, 2, 3)
    assert y[0, 0].tolist() == [[-14, -12, -11], [-9, -7, -6]]


def test_channels_last_flatten_order():
    m = DenoisingAutoencoder("code", seed=0)
    x = torch.rand(2, 1, 64, 64)
    z = m.encode(x)                                          # (n, k, r, c)
    f = m.features(x)
    for j in (1, 2, 16, 17, 256, 4043, 4096):               # j − 1 = (r·16 + c)·16 + k − 1
        k, pos = (j - 1) % 16, (j - 1) // 16
        assert torch.equal(f[:, j - 1], z[:, k, pos // 16, pos % 16])
    mf = DenoisingAutoencoder("code", seed=0, flatten="channels_first")
    assert torch.equal(mf.features(x), z.reshape(2, -1))


def test_keras_cosine_proximity_is_per_pixel():
    loss = loss_fn("cosine_proximity")
    target = torch.tensor([[[[0.5, 0.0], [0.2, -0.1]]]])
    pred = torch.tensor([[[[0.3, 0.7], [0.9, 0.4]]]], requires_grad=True)
    val = loss(pred, target)
    assert float(val.detach()) == pytest.approx(-(1 + 0 + 1 - 1) / 4)
    val.backward()
    assert float(pred.grad.abs().max()) < 1e-6            # flat almost everywhere
    img = loss_fn("cosine_image")(pred.detach(), target)
    t, p = target.flatten(), pred.detach().flatten()
    assert float(img) == pytest.approx(-float(t @ p / (t.norm() * p.norm())))


def test_optimizers_use_keras_defaults():
    m = DenoisingAutoencoder("code")
    opt = make_optimizer(m, "adadelta", 1.0)
    g = opt.param_groups[0]
    assert (g["lr"], g["rho"], g["eps"]) == (1.0, 0.95, 1e-7)
    adam = make_optimizer(m, "adam", 0.1).param_groups[0]
    assert (adam["lr"], adam["betas"], adam["eps"]) == (0.1, (0.9, 0.999), 1e-7)


def test_config_validation():
    with pytest.raises(ValueError, match="unknown DRF preset"):
        make_config("keras")
    with pytest.raises(ValueError, match="divisible"):
        make_config("code", size=36)
