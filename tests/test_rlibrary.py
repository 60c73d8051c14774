"""Where the R package pyradiogen is installed, when it counts as stale, and the one place that
loads it (issue 16)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from pyradiogen import __version__, rlibrary

REPO = Path(__file__).resolve().parents[1]


def test_versions_agree():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert pyproject["project"]["version"] == __version__
    assert rlibrary.source_version() == __version__


def test_library_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv(rlibrary.LIBRARY_ENV, str(tmp_path / "lib"))
    assert rlibrary.library_dir() == (tmp_path / "lib").resolve()
    monkeypatch.delenv(rlibrary.LIBRARY_ENV)
    assert rlibrary.in_checkout()
    assert rlibrary.library_dir() == REPO / ".rlib"
    monkeypatch.setattr(rlibrary, "in_checkout", lambda: False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert rlibrary.library_dir() == tmp_path / "xdg" / "pyradiogen" / "r-library" / __version__


def test_source_hash_covers_what_r_installs(tmp_path):
    import shutil

    src = tmp_path / "pyradiogen"
    shutil.copytree(REPO / "r", src)
    h0 = rlibrary.source_hash(src)
    assert h0 == rlibrary.source_hash(REPO / "r")
    (src / "tests" / "testthat" / "test-icc.R").write_text("# changed\n")  # not installed
    assert rlibrary.source_hash(src) == h0
    (src / "src" / "nnet_vm.o").write_bytes(b"object")  # what an in-place build leaves
    (src / "src" / "pyradiogen.so").write_bytes(b"library")
    assert rlibrary.source_hash(src) == h0
    (src / "src" / "nnet_vm.c").write_text((src / "src" / "nnet_vm.c").read_text() + "\n")
    h1 = rlibrary.source_hash(src)
    assert h1 != h0  # the C code is part of the installed package
    (src / "R" / "icc.R").write_text((src / "R" / "icc.R").read_text() + "\n# changed\n")
    assert rlibrary.source_hash(src) not in (h0, h1)


def test_missing_c_compiler_is_a_named_error_with_the_fix(monkeypatch, tmp_path):
    from pyradiogen.doctor import c_compiler_check

    cc, path = rlibrary.c_compiler()
    assert cc and path, "R's C compiler is missing: sudo scripts/install-system-deps.sh"
    assert c_compiler_check().ok
    monkeypatch.setattr(rlibrary, "c_compiler", lambda: ("gcc-99", None))
    with pytest.raises(rlibrary.RPackageError, match=r"`gcc-99` \(R CMD config CC\) is not installed.*r-base-dev"):
        rlibrary.install(tmp_path / "lib", r_version="4.2.2")
    assert not (tmp_path / "lib" / "pyradiogen").exists()
    check = c_compiler_check()
    assert not check.ok and check.name == "C compiler" and check.kind == "build-tool"
    assert "r-base-dev" in check.fix and "gcc-99" in check.detail


def test_install_status_stale_and_reinstall(tmp_path):
    lib = tmp_path / "lib"
    st = rlibrary.status(lib)
    assert st.state == "missing" and not st.ok
    assert st.fix == f"python -m pyradiogen setup-r --lib {lib}"
    assert str(lib) in st.reason
    st = rlibrary.install(lib, r_version="4.2.2")
    assert st.ok and st.installed_version == __version__
    assert (lib / "pyradiogen" / "R" / "pyradiogen.rdb").is_file()
    assert (lib / "pyradiogen" / "help").is_dir()  # R users get the help pages
    assert "DONE (pyradiogen)" in (lib / "pyradiogen-install.log").read_text()
    desc = lib / "pyradiogen" / "DESCRIPTION"
    text = desc.read_text()
    # another version
    desc.write_text(re.sub(r"Version: \S+", "Version: 0.0.9", text))
    st = rlibrary.status(lib)
    assert st.state == "stale" and "version 0.0.9 is installed" in st.reason
    # other sources
    desc.write_text(text.replace(f"{rlibrary.HASH_FIELD}:", f"{rlibrary.HASH_FIELD}: 0"))
    assert "sources differ" in rlibrary.status(lib).reason
    # built by another R
    desc.write_text(text)
    assert rlibrary.status(lib, r_version="4.2.2").ok
    assert "built by R" in rlibrary.status(lib, r_version="9.9.9").reason
    # ensure_installed replaces a stale copy, leaves a current one alone
    desc.write_text(re.sub(r"Version: \S+", "Version: 0.0.9", text))
    assert rlibrary.ensure_installed(lib).ok
    mtime = desc.stat().st_mtime_ns
    assert rlibrary.ensure_installed(lib).ok and desc.stat().st_mtime_ns == mtime


def test_concurrent_first_use_installs_once(tmp_path):
    lib = tmp_path / "lib"
    code = ("import sys; from pathlib import Path; from pyradiogen import rlibrary; "
            "print(rlibrary.ensure_installed(Path(sys.argv[1])).state)")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(lib)], cwd=REPO, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert [o[0].strip() for o in outs] == ["current", "current"]
    installs = sum("installing it into" in o[1] for o in outs)
    assert installs == 1, outs


def test_doctor_reports_missing_library_with_path_and_fix(monkeypatch, tmp_path):
    from pyradiogen.doctor import r_package_check

    monkeypatch.setenv(rlibrary.LIBRARY_ENV, str(tmp_path / "empty"))
    check = r_package_check("4.2.2")
    assert not check.ok and check.version is None
    assert check.fix == "python -m pyradiogen setup-r"
    assert str((tmp_path / "empty").resolve()) in check.detail and "not installed" in check.detail


def test_setup_r_installs_into_the_given_library(tmp_path, capsys):
    from pyradiogen.cli import main

    lib = tmp_path / "lib"
    assert main(["setup-r", "--lib", str(lib), "--check"]) == 1
    assert "missing" in capsys.readouterr().out
    assert main(["setup-r", "--lib", str(lib)]) == 0
    assert "current" in capsys.readouterr().out
    assert main(["setup-r", "--lib", str(lib), "--check"]) == 0


# R code and R package loading live in the R package and in pyradiogen.rbridge / rlibrary only;
# Python reaches R through rbridge and its typed wrappers in pyradiogen.rfuncs only (issue 15)
_R_LOADING = re.compile(r"""library\(\s*["']?pyradiogen|requireNamespace\(|(?<![\w.])source\(\s*["f]|"""
                        r"""rcall\(\s*["']library["']|\.libPaths\(""")
_R_FUNCTION = re.compile(r"""["']function\s*\(""")
_BOUNDARY = ("rbridge.py", "rfuncs.py", "rlibrary.py")
_CALLS = {"rcall", "reval", "rraw", "call_r", "ensure_r", "to_r", "to_py", "assign", "library"}
_MODULES = sorted(p for p in (REPO / "pyradiogen").rglob("*.py")
                  if not (p.parent.name == "pyradiogen" and p.name in _BOUNDARY))


@pytest.mark.parametrize("path", _MODULES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_r_loading_or_r_functions_outside_the_bridge(path):
    text = path.read_text()
    assert not _R_LOADING.search(text), "load R packages through pyradiogen.rbridge"
    assert not _R_FUNCTION.search(text), "put R functions into the R package (r/R)"


def boundary_violations(source: str) -> list[str]:
    """Imports of rpy2 or rbridge, and calls of the bridge's call functions, in ``source``."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names
                      if a.name.split(".")[0] == "rpy2" or a.name.endswith("rbridge")]
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if mod.split(".")[0] == "rpy2" or mod.split(".")[-1] == "rbridge":
                found.append(f"from {'.' * node.level}{mod} import …")
            found += [f"from {'.' * node.level}{mod} import {a.name}" for a in node.names
                      if a.name == "rbridge"]
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            owner = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) \
                else None
            if name in ("rcall", "reval", "rraw", "call_r") or (
                    owner in ("rbridge", "rb") and name in _CALLS):
                found.append(f"{owner + '.' if owner else ''}{name}(…) on line {node.lineno}")
    return found


@pytest.mark.parametrize("path", _MODULES, ids=lambda p: str(p.relative_to(REPO)))
def test_python_reaches_r_only_through_rfuncs(path):
    bad = boundary_violations(path.read_text())
    assert not bad, (f"{path.relative_to(REPO)} reaches R directly ({'; '.join(bad)}); add a "
                     "wrapper to pyradiogen/rfuncs.py and call that")


def test_boundary_guard_catches_direct_use():
    assert boundary_violations("import rpy2.robjects as ro") == ["import rpy2.robjects"]
    assert boundary_violations("from .. import rbridge")
    assert boundary_violations("from ..rbridge import RError")
    assert boundary_violations("x = rcall('stats::sd', [1.0, 2.0])")
    assert boundary_violations("from . import rfuncs\nrfuncs.icc(m)") == []


def test_rfuncs_wraps_each_r_function_once():
    """Every public wrapper names the R function it calls in its docstring."""
    import inspect

    from pyradiogen import rfuncs

    src = inspect.getsource(rfuncs)
    for name in rfuncs.__all__:
        obj = getattr(rfuncs, name)
        if not inspect.isfunction(obj) or obj.__module__ != "pyradiogen.rfuncs":
            continue
        assert obj.__doc__ and "R " in obj.__doc__, name
        assert src.count(f"\ndef {name}(") == 1, name


def test_failed_compile_names_the_compiler_fix():
    from pyradiogen import rlibrary

    out = "gcc ... -c nnet_vm.c\nnnet_vm.c:1:10: fatal error: R.h: No such file or directory\n" \
          "ERROR: compilation failed for package 'pyradiogen'"
    assert rlibrary.COMPILER_FIX in rlibrary._install_hint(out)
    assert "doctor" in rlibrary._install_hint("ERROR: dependency 'nlme' is not available")
