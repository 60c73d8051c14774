"""Typed TOML configuration with presets."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pyradiogen import config as cfg


@cfg.register_section("_testsec", presets={"code": {"epochs": 5, "optimizer": "adadelta"}})
@dataclass
class _TestSection:
    epochs: int = 100
    lr: float = 0.1
    optimizer: str = "adam"
    layers: list[int] | None = None


def test_presets_and_file_override(tmp_path):
    assert cfg.default_config("paper")._testsec.epochs == 100
    code = cfg.default_config("code")
    assert (code._testsec.epochs, code._testsec.optimizer) == (5, "adadelta")
    f = tmp_path / "run.toml"
    f.write_text('preset = "code"\nseed = 3\n[_testsec]\nlr = 1\nlayers = [16, 16]\n')
    c = cfg.load_config(f)
    assert (c.preset, c.seed, c._testsec.lr, c._testsec.epochs) == ("code", 3, 1.0, 5)
    assert c._testsec.layers == [16, 16]
    again = tmp_path / "again.toml"
    again.write_text(c.to_toml())
    assert cfg.load_config(again).to_dict() == c.to_dict()


@pytest.mark.parametrize("body, message", [
    ('[_testsec]\nepochs = "many"\n', "expected an integer"),
    ('[_testsec]\nepoch = 3\n', "has no setting 'epoch'"),
    ('[nosuch]\nx = 1\n', "unknown section"),
    ('preset = "fast"\n', "unknown preset"),
    ('[_testsec\n', "not valid TOML"),
])
def test_bad_config_names_the_problem(tmp_path, body, message):
    f = tmp_path / "bad.toml"
    f.write_text(body)
    with pytest.raises(cfg.ConfigError, match=message) as exc:
        cfg.load_config(f)
    assert "bad.toml" in str(exc.value)
