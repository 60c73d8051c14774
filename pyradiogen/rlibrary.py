"""The R package ``pyradiogen``: where it is installed, whether it is current, installing it.

Every R-backed function of pyradiogen runs R code of the R package ``pyradiogen``, whose sources
travel with the Python package (a wheel carries them as ``pyradiogen/_rpkg``; a source checkout
has them in ``r/``). On first use :func:`ensure_installed` installs them with ``R CMD INSTALL``
into one R library, chosen by :func:`library_dir`:

1. ``PYRADIOGEN_R_LIBS`` when set (the Makefile sets it to the checkout's ``.rlib``);
2. in a source checkout, ``<checkout>/.rlib``;
3. otherwise a per-user, per-version library under the platform's user data directory
   (``platformdirs.user_data_dir("pyradiogen")/r-library/<version>``, e.g.
   ``~/.local/share/pyradiogen/r-library/0.1.0`` on Linux).

An installed copy is *current* when its version is the Python package's version, its recorded
source hash (``PyradiogenSourceHash`` in the installed DESCRIPTION) is the hash of the bundled
sources, and it was built by the R that runs now; otherwise it is *stale* and is reinstalled.
Installs are serialised by a lock file in the library, so parallel workers install once.
The R package has C code (``src/``), so installing needs R's C compiler (Debian
``r-base-dev``); a missing compiler is reported by name with that fix, before R CMD INSTALL.
``python -m pyradiogen setup-r`` runs the same code explicitly; ``doctor`` reports the state.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import __version__

log = logging.getLogger(__name__)

PACKAGE = "pyradiogen"
LIBRARY_ENV = "PYRADIOGEN_R_LIBS"
HASH_FIELD = "PyradiogenSourceHash"
# what R CMD INSTALL uses from a source folder (tests and vignettes are not installed)
SOURCE_PARTS = ("DESCRIPTION", "NAMESPACE", "LICENSE", "R", "man", "inst", "src")
# in src/, only sources count: objects an in-place `R CMD INSTALL r` leaves there do not
_COMPILED_SUFFIXES = (".o", ".so", ".dll", ".dylib")
SETUP_COMMAND = "python -m pyradiogen setup-r"
# the R package has C code (src/): R CMD INSTALL needs R's C compiler
COMPILER_FIX = ("sudo apt-get install -y r-base-dev (Debian/Ubuntu: R's headers, gcc and make; "
                "in a checkout `sudo scripts/install-system-deps.sh` installs it)")

_HERE = Path(__file__).resolve().parent


class RPackageError(RuntimeError):
    """The R package pyradiogen cannot be found or installed."""


@dataclass
class RPackageStatus:
    """State of the R package in the library pyradiogen uses.

    Parameters
    ----------
    library : Path
        The R library.
    state : {"current", "missing", "stale"}
        Whether the installed package matches the sources (version, source hash, R version).
    expected_version : str
        Version of the bundled sources.
    installed_version : str or None, default None
        Version installed.
    reason : str or None, default None
        Why it is not current.
    """

    library: Path
    state: str  # "current", "missing" or "stale"
    expected_version: str
    installed_version: str | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """True when the installed R package is current (version, sources and R match)."""
        return self.state == "current"

    @property
    def fix(self) -> str | None:
        """The command that installs the R package into this library, or None when current."""
        if self.ok:
            return None
        if Path(self.library) == library_dir():
            return SETUP_COMMAND
        return f"{SETUP_COMMAND} --lib {self.library}"


# --------------------------------------------------------------------------- where

def source_dir() -> Path:
    """The R package sources: the wheel's ``pyradiogen/_rpkg`` or the checkout's ``r/``.

    Returns
    -------
    Path
        The folder holding ``DESCRIPTION``.

    Raises
    ------
    RPackageError
        If neither exists.
    """
    for cand in (_HERE / "_rpkg", _HERE.parent / "r"):
        if (cand / "DESCRIPTION").is_file() and (cand / "R").is_dir():
            return cand
    raise RPackageError("the R package sources are missing from this installation of "
                        "pyradiogen (neither pyradiogen/_rpkg nor r/ exists); reinstall it")


def in_checkout() -> bool:
    """Whether pyradiogen runs from a source checkout (its R sources are ``<checkout>/r``).

    Returns
    -------
    bool
        True in a checkout, False in an installed wheel.
    """
    return not (_HERE / "_rpkg" / "DESCRIPTION").is_file() and (_HERE.parent / "r" /
                                                                 "DESCRIPTION").is_file()


def default_user_library() -> Path:
    """The per-user, per-version library under the platform's user data directory.

    Returns
    -------
    Path
        ``<user data dir>/pyradiogen/r-library/<version>`` (platformdirs).
    """
    from platformdirs import user_data_dir

    return Path(user_data_dir(PACKAGE, appauthor=False)) / "r-library" / __version__


def library_dir() -> Path:
    """The R library pyradiogen installs into and loads from (see the module docstring).

    Returns
    -------
    Path
        ``PYRADIOGEN_R_LIBS``, else the checkout's ``.rlib``, else
        :func:`default_user_library`.
    """
    env = os.environ.get(LIBRARY_ENV)
    if env:
        return Path(env).expanduser().resolve()
    if in_checkout():
        return _HERE.parent / ".rlib"
    return default_user_library()


# --------------------------------------------------------------------------- what

def source_hash(src: Path | None = None) -> str:
    """SHA-256 over the files ``R CMD INSTALL`` uses (names and contents, in a fixed order).

    Parameters
    ----------
    src : Path or None, default None
        The sources (:func:`source_dir` when None).

    Returns
    -------
    str
        Hex digest.
    """
    src = source_dir() if src is None else Path(src)
    h = hashlib.sha256()
    files = _source_files(src)
    for f in sorted(files, key=lambda f: f.relative_to(src).as_posix()):
        h.update(f.relative_to(src).as_posix().encode())
        h.update(b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def _source_files(src: Path) -> list[Path]:
    files: list[Path] = []
    for part in SOURCE_PARTS:
        p = src / part
        if p.is_file():
            files.append(p)
        elif p.is_dir():
            files.extend(f for f in p.rglob("*")
                         if f.is_file() and f.suffix not in _COMPILED_SUFFIXES)
    return files


def c_compiler() -> tuple[str, str | None]:
    """R's C compiler (``R CMD config CC``) and where it is on PATH.

    Returns
    -------
    tuple of (str, str or None)
        The compiler command R uses (e.g. ``"gcc"``) and its full path, None when it is not
        installed (or R cannot say which compiler it uses).
    """
    try:
        out = subprocess.run([r_executable(), "CMD", "config", "CC"], capture_output=True,
                             text=True, timeout=120)
        cc = out.stdout.strip()
    except (OSError, subprocess.SubprocessError, RPackageError):
        return "", None
    if out.returncode != 0 or not cc:
        return cc, None
    return cc, shutil.which(cc.split()[0])


def require_c_compiler() -> str:
    """Path of R's C compiler; raises a named error with the fix when it is missing.

    Returns
    -------
    str
        Full path of the compiler.

    Raises
    ------
    RPackageError
        When R's C compiler is not installed.
    """
    cc, path = c_compiler()
    if path is None:
        what = f"`{cc.split()[0]}` (R CMD config CC)" if cc else "(R CMD config CC gave none)"
        raise RPackageError(
            f"R's C compiler {what} is not installed: the R package pyradiogen has compiled "
            f"code (src/) that R CMD INSTALL must build. Install it with `{COMPILER_FIX}`, "
            f"then run `{SETUP_COMMAND}`")
    return path


def _read_dcf(path: Path) -> dict[str, str]:
    fields: dict[str, str] = {}
    key = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line[:1] in (" ", "\t") and key:
            fields[key] = f"{fields[key]} {line.strip()}".strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip()
            fields[key] = value.strip()
    return fields


def source_version(src: Path | None = None) -> str:
    """``Version`` of the bundled R package's DESCRIPTION.

    Parameters
    ----------
    src : Path or None, default None
        The sources (:func:`source_dir` when None).

    Returns
    -------
    str
        The version.
    """
    src = source_dir() if src is None else Path(src)
    return _read_dcf(src / "DESCRIPTION").get("Version", "")


def installed_description(lib: Path | None = None) -> dict[str, str] | None:
    """The installed package's DESCRIPTION fields.

    Parameters
    ----------
    lib : Path or None, default None
        The R library (:func:`library_dir` when None).

    Returns
    -------
    dict of str to str or None
        Fields, or None when the package is not installed.
    """
    lib = library_dir() if lib is None else Path(lib)
    desc = lib / PACKAGE / "DESCRIPTION"
    return _read_dcf(desc) if desc.is_file() else None


def _built_r_version(desc: dict[str, str]) -> str | None:
    built = desc.get("Built", "")  # "R 4.2.2; ; 2024-01-01 00:00:00 UTC; unix"
    first = built.split(";")[0].strip()
    return first[2:].strip() if first.startswith("R ") else None


def status(lib: Path | None = None, r_version: str | None = None) -> RPackageStatus:
    """Whether the installed R package is current (see the module docstring).

    Parameters
    ----------
    lib : Path or None, default None
        The R library (:func:`library_dir` when None).
    r_version : str or None, default None
        R's version (asked from R when None).

    Returns
    -------
    RPackageStatus
        The state and why.
    """
    lib = library_dir() if lib is None else Path(lib)
    st = RPackageStatus(library=lib, state="missing", expected_version=__version__)
    desc = installed_description(lib)
    if desc is None:
        st.reason = f"the R package pyradiogen is not installed in {lib}"
        return st
    st.installed_version = desc.get("Version")
    reasons = []
    if st.installed_version != __version__:
        reasons.append(f"version {st.installed_version} is installed, the Python package is "
                       f"{__version__}")
    if desc.get(HASH_FIELD) != source_hash():
        reasons.append("its sources differ from the ones bundled with the Python package"
                       if desc.get(HASH_FIELD) else "it was not installed by pyradiogen "
                       "(no source hash recorded)")
    built = _built_r_version(desc)
    if r_version and built and built != r_version:
        reasons.append(f"it was built by R {built}, this is R {r_version}")
    st.state = "stale" if reasons else "current"
    st.reason = "; ".join(reasons) or None
    return st


# --------------------------------------------------------------------------- install

def r_executable() -> str:
    """The ``R`` of the R installation rpy2 embeds (``R_HOME/bin/R``), else ``R`` on PATH.

    Returns
    -------
    str
        Path or command.
    """
    home = os.environ.get("R_HOME")
    if not home:
        try:
            from rpy2 import situation

            home = situation.get_r_home()
        except Exception:  # pragma: no cover - depends on the machine
            home = None
    if home and (Path(home) / "bin" / "R").exists():
        return str(Path(home) / "bin" / "R")
    found = shutil.which("R")
    if not found:
        raise RPackageError("R is not installed (no `R` on PATH); install it with "
                            "`sudo scripts/install-system-deps.sh` (Debian r-base-core)")
    return found


@contextmanager
def _locked(lib: Path):
    lib.mkdir(parents=True, exist_ok=True)
    with open(lib / ".pyradiogen-install.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def install(lib: Path | None = None, r_version: str | None = None) -> RPackageStatus:
    """Install the bundled R package into a library (replacing any copy).

    The sources are copied to a temporary folder, the source hash is added to their
    DESCRIPTION, ``R CMD INSTALL`` installs them into a staging library beside ``lib`` and the
    result replaces ``lib/pyradiogen``. ``R CMD INSTALL``'s output goes to
    ``lib/pyradiogen-install.log``. A file lock keeps concurrent processes from installing at
    once.

    Parameters
    ----------
    lib : Path or None, default None
        The R library (:func:`library_dir` when None).
    r_version : str or None, default None
        R's version (asked from R when None).

    Returns
    -------
    RPackageStatus
        The state after installing.

    Raises
    ------
    RPackageError
        If R's C compiler is missing (named, with the fix) or ``R CMD INSTALL`` fails (the
        log named).
    """
    lib = library_dir() if lib is None else Path(lib)
    with _locked(lib):
        return _install_locked(lib, r_version)


def _install_locked(lib: Path, r_version: str | None) -> RPackageStatus:
    require_c_compiler()
    src = source_dir()
    digest = source_hash(src)
    logfile = lib / "pyradiogen-install.log"
    with tempfile.TemporaryDirectory(prefix=".pyradiogen-install-", dir=lib) as tmp:
        tmp_path = Path(tmp)
        pkg_src = tmp_path / "src" / PACKAGE
        pkg_src.mkdir(parents=True)
        for f in _source_files(src):
            dest = pkg_src / f.relative_to(src)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, dest)
        desc = (pkg_src / "DESCRIPTION").read_text(encoding="utf-8").rstrip("\n")
        desc = "\n".join(line for line in desc.splitlines() if not line.startswith(HASH_FIELD))
        (pkg_src / "DESCRIPTION").write_text(f"{desc}\n{HASH_FIELD}: {digest}\n", encoding="utf-8")
        staging = tmp_path / "lib"
        staging.mkdir()
        cmd = [r_executable(), "CMD", "INSTALL", "--no-multiarch", "--no-test-load",
               "-l", str(staging), str(pkg_src)]
        log.info("installing the R package pyradiogen into %s", lib)
        proc = subprocess.run(cmd, capture_output=True, text=True)
        logfile.write_text(f"$ {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}", encoding="utf-8")
        built = staging / PACKAGE
        if proc.returncode != 0 or not (built / "DESCRIPTION").is_file():
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-8:])
            raise RPackageError(
                f"installing the R package pyradiogen into {lib} failed (R CMD INSTALL exit "
                f"{proc.returncode}); full log: {logfile}\n{tail}\n"
                f"{_install_hint(proc.stdout + proc.stderr)}, then run `{SETUP_COMMAND}`")
        target = lib / PACKAGE
        if target.exists():
            old = tmp_path / "old"
            os.replace(target, old)
        os.replace(built, target)
    st = status(lib, r_version)
    if not st.ok:  # pragma: no cover - would mean the hash or version logic is inconsistent
        raise RPackageError(f"the R package installed into {lib} is not current: {st.reason}")
    return st


def _install_hint(output: str) -> str:
    """The likely fix for a failed ``R CMD INSTALL``, from its output."""
    compiler = re.search(r"(gcc|cc|make|g\+\+|clang)[^\n]*(not found|No such file)|"
                         r"cannot find the compiler|compilation failed", output)
    if compiler:
        return ("The package's C code could not be compiled: install R's headers and C "
                f"compiler with `{COMPILER_FIX}` (Fedora: R-devel; macOS: xcode-select "
                "--install; Windows: Rtools)")
    return ("Check that the R packages it needs are installed "
            "(`python -m pyradiogen doctor`)")


def ensure_installed(lib: Path | None = None, r_version: str | None = None) -> RPackageStatus:
    """Install the R package unless the library already holds the current one.

    Parameters
    ----------
    lib : Path or None, default None
        The R library (:func:`library_dir` when None).
    r_version : str or None, default None
        R's version (asked from R when None).

    Returns
    -------
    RPackageStatus
        The state (current).

    Raises
    ------
    RPackageError
        If installing fails.
    """
    lib = library_dir() if lib is None else Path(lib)
    st = status(lib, r_version)
    if st.ok:
        return st
    with _locked(lib):
        st = status(lib, r_version)  # another process may have installed it meanwhile
        if st.ok:
            return st
        log.warning("R package pyradiogen: %s; installing it into %s (once)", st.reason, lib)
        return _install_locked(lib, r_version)
