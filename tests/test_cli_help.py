"""Every option of every sub-command has help text and states its default in ``--help``."""

from __future__ import annotations

import argparse

import pytest

from pyradiogen.cli import HelpFormatter, build_parser, main, states_default

SKIP = (argparse._HelpAction, argparse._VersionAction, argparse._SubParsersAction)


def commands() -> dict[str, argparse.ArgumentParser]:
    """Every leaf sub-command (``drf train`` …) and its parser."""
    out: dict[str, argparse.ArgumentParser] = {}

    def walk(p: argparse.ArgumentParser, prefix: str) -> None:
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            out[prefix] = p
            return
        for name, sp in subs[0].choices.items():
            walk(sp, f"{prefix} {name}".strip())

    walk(build_parser(), "")
    return out


def rendered_help(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    """The help text of one option exactly as ``--help`` prints it (defaults expanded)."""
    return parser._get_formatter()._expand_help(action)


def test_every_subcommand_is_found():
    assert {"doctor", "demo-data", "validate", "drf train", "drf extract", "crf extract", "icc",
            "signatures", "ssgsea", "associate", "predict", "explore", "replicate",
            "vignettes", "setup-r"} <= set(commands())


@pytest.mark.parametrize("command", sorted(commands()))
def test_every_option_has_help_and_a_stated_default(command):
    parser = commands()[command]
    assert parser.formatter_class is HelpFormatter
    for action in parser._actions:
        if isinstance(action, SKIP):
            continue
        name = "/".join(action.option_strings) or action.dest
        assert action.help and action.help is not argparse.SUPPRESS, \
            f"{command} {name}: no help text"
        assert len(action.help.split()) >= 2, f"{command} {name}: help {action.help!r} too terse"
        text = rendered_help(parser, action)
        optional = action.option_strings and not action.required and action.nargs != 0
        if optional:
            assert states_default(text), \
                f"{command} {name}: --help does not state the default ({text!r})"
            if action.default not in (None, argparse.SUPPRESS) and "%(default)" not in (
                    action.help or "") and "(default: " in text:
                assert f"(default: {action.default})" in text


def test_help_prints_defaults(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["associate", "--help"])
    assert exc.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    for text in ("--backend {loky,dask,sequential}", "(default: loky)", "(default: fast)",
                 "(default: paper)",
                 "--n-jobs N", "(default: 2)", "default: 128 for the fast engine"):
        assert text in out, text


def test_one_default_seed():
    """demo-data, the demo generator, replicate's demo cohort and the config: seed 101."""
    import inspect

    from pyradiogen.config import DEFAULT_SEED, default_config
    from pyradiogen.demo import ensure_demo_cohort, make_demo_cohort

    assert DEFAULT_SEED == 101
    assert default_config().seed == DEFAULT_SEED
    assert default_config().section("replicate").demo_seed == DEFAULT_SEED
    for fn in (make_demo_cohort, ensure_demo_cohort):
        assert inspect.signature(fn).parameters["seed"].default == DEFAULT_SEED
    seed = next(a for a in commands()["demo-data"]._actions if a.dest == "seed")
    assert seed.default == DEFAULT_SEED


def test_icc_default_is_icc_a1():
    icc = commands()["icc"]
    defaults = {a.dest: a.default for a in icc._actions}
    assert (defaults["model"], defaults["type"], defaults["unit"]) == (
        "twoway", "agreement", "single")
    assert "ICC(A,1)" in icc.format_help()
