"""Every public function, class and method of pyradiogen has a numpydoc docstring.

*Public* is defined in ``docs/ARCHITECTURE.md`` ("Public API and docstrings"): every function
and class defined at module level in a module of ``pyradiogen`` whose dotted path has no part
starting with ``_`` (``pyradiogen.cli._report`` and ``pyradiogen.__main__`` are private), whose
own name does not start with ``_``, and which the module's ``__all__`` lists when the module
has one; plus every method and property of such a class that the class defines itself and whose
name does not start with ``_`` (``__init__`` is documented in the class docstring, numpydoc's
convention; dataclass fields are documented there too). Excluded: the CLI modules' argparse
hooks ``register``, ``run`` and ``run_*`` (documented by their ``--help``, which
``tests/test_cli_help.py`` checks).

Each public object is checked with :func:`numpydoc.validate.validate`. Every object must pass
``BASIC`` (a docstring with a one-line summary ending in a period, laid out as numpydoc
wants). Objects of modules in full numpydoc form must pass ``ENFORCED`` as well (every
parameter documented, no unknown parameter, a Returns section, …). Modules not yet in full
form would be the files pyproject.toml lists with ``D205`` under
``[tool.ruff.lint.per-file-ignores]`` (one list for ruff and for this test); that list is
empty and may not grow (``MAX_PENDING``).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

import pyradiogen  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

#: what every public object must pass.
#: GL08 no docstring · SS01 no summary · SS03 summary does not end with a period ·
#: GL02/GL03 blank-line layout of the docstring.
BASIC = frozenset({"GL02", "GL03", "GL08", "SS01", "SS03"})

#: what objects of modules in full numpydoc form must pass besides BASIC.
#: SS06 summary over one line ·
#: PR01 a parameter is not documented · PR02 a documented parameter does not exist ·
#: PR10 "name:type" without the space · RT01 no Returns section (numpydoc skips it for
#: functions annotated ``-> None``) · YD01 no Yields section in a generator.
#: Not SS05 ("summary starts with a third-person verb"): numpydoc tests whether the first word
#: ends in "s", which refuses "Patients × genes …", "Kruskal–Wallis …" and "Spearman's …".
ENFORCED = BASIC | frozenset({"SS06", "PR01", "PR02", "PR10", "RT01", "YD01"})

#: the largest the not-yet-converted list may be: every module is in full numpydoc form
MAX_PENDING = 0

#: CLI argparse hooks: documented by ``--help`` (tests/test_cli_help.py).
CLI_HOOKS = ("register", "run")


def pending_modules() -> set[str]:
    """Modules not yet in full numpydoc form: pyproject's D205 per-file ignores."""
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())
    ignores = cfg["tool"]["ruff"]["lint"]["per-file-ignores"]
    out = set()
    for path, codes in ignores.items():
        if "D205" in codes and path.startswith("pyradiogen/") and path.endswith(".py"):
            mod = path[:-3].replace("/", ".")
            out.add(mod[: -len(".__init__")] if mod.endswith(".__init__") else mod)
    return out


def public_modules() -> list[str]:
    """Dotted names of the public modules of pyradiogen, sorted.

    Found from the files (``pkgutil`` skips folders without ``__init__.py``, such as the
    namespace package ``pyradiogen.replicate``).
    """
    root = Path(pyradiogen.__file__).parent
    names = []
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(p.startswith("_") for p in parts):
            continue
        names.append(".".join(["pyradiogen", *parts]))
    return sorted(names)


def _is_cli(modname: str) -> bool:
    return modname.startswith("pyradiogen.cli")


def public_objects() -> Iterator[tuple[str, object]]:
    """Yield ``(qualified name, object)`` for every public function, class and method."""
    for modname in public_modules():
        mod = importlib.import_module(modname)
        exported = getattr(mod, "__all__", None)
        for name, obj in sorted(vars(mod).items()):
            if name.startswith("_"):
                continue
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if getattr(obj, "__module__", None) != modname:
                continue        # imported from elsewhere: checked where it is defined
            if exported is not None and name not in exported:
                continue
            if _is_cli(modname) and (name in CLI_HOOKS or name.startswith("run_")):
                continue
            yield f"{modname}.{name}", obj
            if inspect.isclass(obj):
                yield from _public_members(f"{modname}.{name}", obj)


def _public_members(qual: str, cls: type) -> Iterator[tuple[str, object]]:
    fields = set(getattr(cls, "__dataclass_fields__", {}))
    for name, member in sorted(vars(cls).items()):
        if name.startswith("_") or name in fields:
            continue
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        if isinstance(member, functools.cached_property):
            member = property(member.func, doc=member.__doc__)
        if isinstance(member, property):
            yield f"{qual}.{name}", member
        elif inspect.isfunction(member):
            yield f"{qual}.{name}", member


def _module_of(qual: str, modules: list[str]) -> str:
    return max((m for m in modules if qual.startswith(m + ".")), key=len)


def docstring_errors() -> tuple[int, dict[str, list[tuple[str, str]]]]:
    """Check every public object; return (count, {qualified name: [(code, message)]})."""
    n = 0
    modules = public_modules()
    pending = pending_modules()
    problems: dict[str, list[tuple[str, str]]] = {}
    for qual, obj in public_objects():
        n += 1
        codes = BASIC if _module_of(qual, modules) in pending else ENFORCED
        res = (_validate_property(qual, obj) if isinstance(obj, property)
               else numpydoc_validate.validate(qual))
        errs = [(code, msg) for code, msg in res["errors"] if code in codes]
        if errs:
            problems[qual] = errs
    return n, problems


def _validate_property(qual: str, prop: property) -> dict:
    # numpydoc validates by import path, which a property's getter has not; a one-line
    # summary ending in a period is what a property needs
    doc = inspect.getdoc(prop) or ""
    if not doc.strip():
        return {"errors": [("GL08", "The object does not have a docstring")]}
    first = doc.strip().splitlines()[0]
    errs = []
    if not first.endswith("."):
        errs.append(("SS03", "Summary does not end with a period"))
    if len(doc.strip().splitlines()) > 1 and doc.strip().splitlines()[1].strip():
        errs.append(("SS06", "Summary should fit in a single line"))
    return {"errors": errs}


def _where(qual: str) -> str:
    obj = None
    parts = qual.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for p in parts[i:]:
            obj = getattr(obj, p)
        break
    if isinstance(obj, property):
        obj = obj.fget
    elif isinstance(obj, functools.cached_property):
        obj = obj.func
    try:
        return f"{inspect.getsourcefile(obj)}:{inspect.getsourcelines(obj)[1]}"
    except (TypeError, OSError):
        return "?"


def test_every_public_object_has_a_numpydoc_docstring():
    t0 = time.perf_counter()
    n, problems = docstring_errors()
    assert n > 300, f"only {n} public objects found: the collector is broken"
    if problems:
        lines = [f"{len(problems)} of {n} public objects break numpydoc rules (BASIC "
                 f"{sorted(BASIC)} everywhere, {sorted(ENFORCED - BASIC)} outside the pending "
                 "modules):"]
        for qual, errs in sorted(problems.items()):
            lines.append(f"  {qual}  ({_where(qual)})")
            lines += [f"      {code}: {msg}" for code, msg in errs]
        pytest.fail("\n".join(lines), pytrace=False)
    assert time.perf_counter() - t0 < 120


def test_no_docstring_cites_a_file_outside_the_repository():
    """Docstrings cite the published method, never ``specs/`` or ``../shared`` files."""
    bad = []
    for qual, obj in public_objects():
        doc = inspect.getdoc(obj) or ""
        if "specs/" in doc or "../shared" in doc or "/work/" in doc:
            bad.append(qual)
    for modname in public_modules():
        doc = importlib.import_module(modname).__doc__ or ""
        if "specs/" in doc or "../shared" in doc or "/work/" in doc:
            bad.append(modname)
    assert not bad, f"docstrings citing files outside the repository: {bad}"


def test_the_collector_sees_the_public_api():
    names = {q for q, _ in public_objects()}
    for q in ["pyradiogen.drf.extractor.DRFExtractor", "pyradiogen.drf.extractor.DRFExtractor.fit",
              "pyradiogen.genomics.ssgsea.SSGSEA", "pyradiogen.stats.bh_adjust",
              "pyradiogen.results.Summary", "pyradiogen.rfuncs.fisher_test"]:
        assert q in names, q
    assert not any(".cli." in q and q.rsplit(".", 1)[1] in CLI_HOOKS for q in names)
    assert not any(part.startswith("_") for q in names for part in q.split(".")[1:])


def test_pending_list_only_shrinks():
    pending = pending_modules()
    modules = set(public_modules())
    assert pending <= modules, f"pending entries that are not public modules: {pending - modules}"
    assert len(pending) <= MAX_PENDING, (
        f"{len(pending)} modules pending full numpydoc form, more than {MAX_PENDING}: new modules "
        "must be written in full numpydoc form, not added to the D205 per-file ignores")
