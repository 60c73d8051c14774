"""Typed configuration (TOML) with named presets that each stage extends.

A stage declares its settings as a dataclass and registers it with the presets it differs in::

    @register_section("drf", presets={"code": {"optimizer": "adadelta"}})
    @dataclass
    class DRFConfig:
        optimizer: str = "adam"

A :class:`Config` holds the preset name, the global seed and one instance of every registered
section. ``load_config("run.toml", preset="code")`` starts from the preset and applies the file's
tables (``[drf]`` …) on top; unknown sections or keys, and values of the wrong type, raise
:class:`ConfigError` naming the file, section and key.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import tomli_w

PRESETS = ("paper", "code")
#: the one default seed of every command, the API and the demo cohort: the papers' code calls
#: ``set.seed(101)`` before every random step
DEFAULT_SEED = 101

_SECTIONS: dict[str, type] = {}
_PRESET_VALUES: dict[str, dict[str, dict[str, Any]]] = {}


class ConfigError(ValueError):
    """An invalid configuration value, naming where it came from."""


def register_section(name: str, presets: Mapping[str, Mapping[str, Any]] | None = None
                     ) -> Callable[[type], type]:
    """Class decorator: register a dataclass as config section ``name`` with preset overrides."""

    def deco(cls: type) -> type:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"config section {name!r} must be a dataclass")
        for preset in presets or {}:
            if preset not in PRESETS:
                raise ValueError(f"unknown preset {preset!r} for section {name!r}; known: {PRESETS}")
        _SECTIONS[name] = cls
        _PRESET_VALUES[name] = {k: dict(v) for k, v in (presets or {}).items()}
        return cls

    return deco


def sections() -> dict[str, type]:
    """The registered sections (importing the stage modules registers theirs)."""
    _import_stage_modules()
    return dict(_SECTIONS)


def _import_stage_modules() -> None:
    import importlib

    for mod in ("pyradiogen.drf.config", "pyradiogen.associate.config",
                "pyradiogen.predict.config", "pyradiogen.crf.config",
                "pyradiogen.genomics.config", "pyradiogen.explore.config",
                "pyradiogen.cohort.config", "pyradiogen.replicate.config",
                "pyradiogen.threads", "pyradiogen.certificate"):
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name is None or not mod.startswith(exc.name):
                raise


def _check_type(value: Any, annotation: Any, where: str) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        errors = []
        for arg in args:
            try:
                return _check_type(value, arg, where)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(f"{where}: {value!r} matches none of {annotation}")
    if annotation is type(None):
        if value is None:
            return None
        raise ConfigError(f"{where}: expected nothing, got {value!r}")
    if origin is typing.Literal:
        if value in args:
            return value
        raise ConfigError(f"{where}: {value!r} is not one of {list(args)}")
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        inner = args[0] if args else Any
        vals = [_check_type(v, inner, f"{where}[{i}]") for i, v in enumerate(value)]
        return vals if origin is list else tuple(vals)
    if origin is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a table, got {value!r}")
        return dict(value)
    if annotation is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if annotation is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        return value
    if annotation in (str, bool):
        if not isinstance(value, annotation):
            raise ConfigError(f"{where}: expected {annotation.__name__}, got {value!r}")
        return value
    return value


def _build_section(name: str, preset: str, values: Mapping[str, Any], source: str) -> Any:
    cls = _SECTIONS[name]
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
    merged = dict(_PRESET_VALUES[name].get(preset, {}))
    for key, val in values.items():
        if key not in fields:
            raise ConfigError(f"{source}: section [{name}] has no setting {key!r}; "
                              f"known: {sorted(fields)}")
        merged[key] = _check_type(val, hints[key], f"{source}: [{name}] {key}")
    return cls(**merged)


@dataclasses.dataclass
class Config:
    """A whole run's configuration: preset, seed and every registered section."""

    preset: str = "paper"
    seed: int = DEFAULT_SEED
    sections: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        secs = self.__dict__.get("sections", {})
        if name in secs:
            return secs[name]
        raise AttributeError(f"configuration has no section {name!r}")

    def section(self, name: str) -> Any:
        """The settings of section ``name``."""
        if name not in self.sections:
            raise ConfigError(f"no config section {name!r}; known: {sorted(self.sections)}")
        return self.sections[name]

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form (what goes into manifests and TOML files)."""
        return {"preset": self.preset, "seed": self.seed,
                **{k: dataclasses.asdict(v) for k, v in sorted(self.sections.items())}}

    def to_toml(self) -> str:
        """TOML text that :func:`load_config` reads back to an equal Config."""
        return tomli_w.dumps(_strip_none(self.to_dict()))


def _strip_none(d: Any) -> Any:
    if isinstance(d, dict):
        return {k: _strip_none(v) for k, v in d.items() if v is not None}
    return d


def default_config(preset: str = "paper", seed: int = DEFAULT_SEED) -> Config:
    """The configuration of a named preset with no file applied."""
    return make_config({}, preset=preset, seed=seed, source="<defaults>")


def make_config(data: Mapping[str, Any], preset: str | None = None, seed: int | None = None,
                source: str = "<dict>") -> Config:
    """Build a Config from a parsed-TOML mapping on top of a preset."""
    secs = sections()
    data = dict(data)
    preset = preset or data.pop("preset", "paper")
    data.pop("preset", None)
    if preset not in PRESETS:
        raise ConfigError(f"{source}: unknown preset {preset!r}; choose one of {PRESETS}")
    file_seed = data.pop("seed", DEFAULT_SEED)
    seed = seed if seed is not None else _check_type(file_seed, int, f"{source}: seed")
    unknown = set(data) - set(secs)
    if unknown:
        raise ConfigError(f"{source}: unknown section(s) {sorted(unknown)}; known: {sorted(secs)}")
    built = {name: _build_section(name, preset, data.get(name, {}), source) for name in secs}
    return Config(preset=preset, seed=int(seed), sections=built)


def load_config(path: str | os.PathLike | None = None, preset: str | None = None,
                seed: int | None = None) -> Config:
    """Read a TOML configuration file on top of ``preset`` (default: the file's, else paper)."""
    if path is None:
        return default_config(preset or "paper", DEFAULT_SEED if seed is None else seed)
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{p}: configuration file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML ({exc})") from exc
    return make_config(data, preset=preset, seed=seed, source=str(p))
