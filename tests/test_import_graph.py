"""The import graph of ``pyradiogen/`` has no circle.

Every ``import`` statement counts — module level, inside functions and under
``TYPE_CHECKING`` — because each is a dependency a reader has to follow. An edge goes from a
module to the ``pyradiogen`` module it names (``from .x import y`` → ``x``, or ``x.y`` when
that is a module). A package's ``__init__`` importing its own submodules is the usual
re-export and is not a circle unless a submodule imports the package back.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pyradiogen

ROOT = Path(pyradiogen.__file__).resolve().parent


def _modules() -> dict[str, Path]:
    out = {}
    for f in ROOT.rglob("*.py"):
        rel = f.relative_to(ROOT.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


def _edges(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    is_pkg = path.name == "__init__.py"
    pkg = name if is_pkg else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target not in modules:
                continue
            subs = {f"{target}.{a.name}" for a in node.names} & set(modules)
            out |= subs
            if len(subs) < len(node.names):
                out.add(target)
    out.discard(name)
    return out


def import_graph() -> dict[str, set[str]]:
    """Module → the ``pyradiogen`` modules it imports."""
    modules = _modules()
    return {m: _edges(m, p, modules) for m, p in modules.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    comps: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return comps


def test_finds_a_planted_cycle():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(g) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_graph_sees_function_level_and_type_checking_imports():
    g = import_graph()
    assert "pyradiogen.store" in g["pyradiogen.replicate.runner"]
    # function-level: the liu2023 adapters import the stage packages lazily
    assert "pyradiogen.drf.stage" in g["pyradiogen.studies.liu2023"]
    # under TYPE_CHECKING
    assert "pyradiogen.cohort.core" in g["pyradiogen.cohort.assemble"]


def test_pyradiogen_import_graph_has_no_cycle():
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles: " + "; ".join(" ↔ ".join(c) for c in cycles)


def test_layers():
    """Stage packages know no study; ``replicate`` knows none either (studies are handed to
    the runner); only the CLI sees both. The demo generator reads study 1's published Table 1
    (its clinical marginals)."""
    g = import_graph()
    for mod, deps in g.items():
        if mod.startswith(("pyradiogen.cli", "pyradiogen.studies")) or \
                mod == "pyradiogen.demo.biology":
            continue
        assert not {d for d in deps if d.startswith("pyradiogen.studies")}, mod
    for mod, deps in g.items():
        if mod.startswith("pyradiogen.replicate"):
            assert not {d for d in deps if d.startswith("pyradiogen.cli")}, mod
