"""The code version of a stage: a hash of the source it runs.

``replicate`` reruns a stage when its code changed. Rather than a hand-kept counter, the
version is the SHA-256 of the source of every ``pyradiogen`` module the stage's function can
reach through its imports (module-level and function-level ``import`` statements, read with
:mod:`ast`), plus the source of the study's adapter. Study modules (``pyradiogen.studies``)
are not followed as a whole: only the adapter's and the stage function's own imports are, so
editing one stage of a study reruns that stage, not the study's every stage.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import textwrap
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import pyradiogen

ROOT = Path(pyradiogen.__file__).resolve().parent
PACKAGE = "pyradiogen"
STUDIES = f"{PACKAGE}.studies"


def module_file(name: str) -> Path | None:
    """The source file of a ``pyradiogen`` module (package ``__init__`` or ``.py``).

    Parameters
    ----------
    name : str
        Dotted module name.

    Returns
    -------
    Path or None
        The file, or None outside ``pyradiogen``.
    """
    if name != PACKAGE and not name.startswith(PACKAGE + "."):
        return None
    parts = name.split(".")[1:]
    base = ROOT.joinpath(*parts)
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    f = base.with_suffix(".py")
    return f if f.is_file() else None


def _package_of(module: str, is_package: bool) -> str:
    return module if is_package else module.rpartition(".")[0]


def imports_of(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """The ``pyradiogen`` modules named by the import statements anywhere in a syntax tree.

    ``from X import y`` names ``X.y`` when that is a module, else ``X``.

    Parameters
    ----------
    tree : ast.AST
        A parsed module.
    module : str
        Its dotted name (resolves relative imports).
    is_package : bool
        Whether it is a package ``__init__``.

    Returns
    -------
    set of str
        Dotted module names.
    """
    out: set[str] = set()
    pkg = _package_of(module, is_package)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if module_file(a.name) is not None:
                    out.add(a.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = pkg.split(".")
                if node.level > 1:
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts)
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if module_file(target) is None:
                continue
            added = False
            for a in node.names:
                sub = f"{target}.{a.name}"
                if module_file(sub) is not None:
                    out.add(sub)
                    added = True
            if not added or any(module_file(f"{target}.{a.name}") is None for a in node.names):
                out.add(target)
    return out


@cache
def _module_imports(module: str) -> frozenset[str]:
    f = module_file(module)
    if f is None:
        return frozenset()
    tree = ast.parse(f.read_text(encoding="utf-8"))
    return frozenset(imports_of(tree, module, f.name == "__init__.py"))


@cache
def _source(module: str) -> str:
    f = module_file(module)
    return f.read_text(encoding="utf-8") if f is not None else ""


def closure(roots: Iterable[str], follow_studies: bool = False) -> list[str]:
    """Every ``pyradiogen`` module reachable from some modules by imports.

    Parameters
    ----------
    roots : iterable of str
        Dotted module names to start from.
    follow_studies : bool, default False
        Follow imports out of study modules (leaves otherwise).

    Returns
    -------
    list of str
        Sorted dotted names.
    """
    seen: set[str] = set()
    todo = [r for r in roots if module_file(r) is not None]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        if m.startswith(STUDIES) and not follow_studies:
            continue
        todo.extend(_module_imports(m) - seen)
    return sorted(seen)


def _function_imports(fn: Callable) -> tuple[str, set[str]]:
    """A function's source and the ``pyradiogen`` modules its own body imports."""
    try:
        src = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):
        return "", set()
    mod = getattr(fn, "__module__", "") or ""
    f = module_file(mod)
    return src, imports_of(ast.parse(src), mod, f is not None and f.name == "__init__.py")


def code_version(*functions: Callable) -> str:
    """SHA-256 of the source the given functions run (see the module docstring).

    Parameters
    ----------
    *functions : callable
        Stage functions and adapters.

    Returns
    -------
    str
        Hex digest over the sources of their modules' import closures.
    """
    h = hashlib.sha256()
    roots: set[str] = set()
    for fn in functions:
        src, imported = _function_imports(fn)
        h.update(src.encode())
        roots |= imported
        mod = getattr(fn, "__module__", "") or ""
        if mod.startswith(STUDIES):
            # the study module's own top-level imports (helpers its functions use)
            tree = ast.parse(_source(mod))
            top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
            f = module_file(mod)
            roots |= imports_of(ast.Module(body=top, type_ignores=[]), mod,
                                f is not None and f.name == "__init__.py")
        else:
            roots.add(mod)
    for m in closure(r for r in roots if not r.startswith(STUDIES)):
        h.update(m.encode())
        h.update(_source(m).encode())
    h.update(pyradiogen.__version__.encode())
    return h.hexdigest()
