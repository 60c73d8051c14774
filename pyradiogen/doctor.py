"""Environment report: Python, packages, R, R packages, the project R package, torch device.

Each check says what is missing and the exact command that fixes it.
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from typing import Any

from .store import python_versions

REQUIRED_PYTHON = (
    "numpy", "scipy", "pandas", "pyarrow", "torch", "monai", "pydicom", "pyradiomics",
    "SimpleITK", "rpy2", "joblib", "rich", "matplotlib", "scikit-learn", "xgboost-cpu", "tomli-w",
)
# R package -> Debian package that provides it
REQUIRED_R = {
    "nlme": "r-cran-nlme",
    "glmnet": "r-cran-glmnet",
    "GSVA": "r-bioc-gsva",
    "GSEABase": "r-bioc-gseabase",
    "Biobase": "r-bioc-biobase",
    "psych": "r-cran-psych",
    "ROCR": "r-cran-rocr",
    "nnet": "r-cran-nnet",
    "Matrix": "r-cran-matrix",
    "jsonlite": "r-cran-jsonlite",
    "testthat": "r-cran-testthat",
    "AnnotationDbi": "r-bioc-annotationdbi",
    "org.Hs.eg.db": "r-bioc-org.hs.eg.db",
}


@dataclass
class Check:
    """One line of the ``doctor`` report.

    Parameters
    ----------
    name : str
        What was checked (a package, R, a decoder …).
    kind : str
        ``python``, ``r``, ``r-package``, ``system`` ….
    ok : bool
        Whether it is usable.
    version : str or None, default None
        Version found.
    fix : str or None, default None
        The command that fixes it.
    detail : str or None, default None
        What was found.
    """

    name: str
    kind: str
    ok: bool
    version: str | None = None
    fix: str | None = None
    detail: str | None = None


def run_checks() -> list[Check]:
    """Run every check; never raises.

    Returns
    -------
    list of Check
        Python packages, DICOM decoders, R, R packages and the project's R package.
    """
    checks: list[Check] = []
    py_ok = sys.version_info >= (3, 11)
    checks.append(Check("python", "python", py_ok, sys.version.split()[0],
                        None if py_ok else "install Python >= 3.11"))
    for name, ver in python_versions(REQUIRED_PYTHON).items():
        fix = None
        if ver is None:
            fix = ("make venv" if name not in ("torch", "pyradiomics")
                   else {"torch": ".venv/bin/pip install torch==2.13.0",
                         "pyradiomics": ".venv/bin/pip install --no-build-isolation pyradiomics"}[name])
        checks.append(Check(name, "python-package", ver is not None, ver, fix))
    checks.append(_torch_check())
    checks.extend(_r_checks())
    return checks


def _torch_check() -> Check:
    try:
        import torch

        if torch.cuda.is_available():
            dev = f"cuda ({torch.cuda.get_device_name(0)})"
        else:
            dev = "cpu"
        return Check("torch-device", "device", True, dev)
    except Exception as exc:  # pragma: no cover
        return Check("torch-device", "device", False, None, ".venv/bin/pip install torch==2.13.0",
                     str(exc))


def _r_checks() -> list[Check]:
    out: list[Check] = []
    try:
        from . import rfuncs

        version = rfuncs.r_version()
    except Exception as exc:
        return [Check("R", "r", False, None, "sudo scripts/install-system-deps.sh", str(exc))]
    major_minor = tuple(int(x) for x in version.split(".")[:2])
    out.append(Check("R", "r", major_minor >= (4, 2), version,
                     None if major_minor >= (4, 2) else "sudo scripts/install-system-deps.sh"))
    names = list(REQUIRED_R)
    versions = rfuncs.r_package_versions(names)
    for name in names:
        ver = versions.get(name)
        fix = f"sudo apt-get install -y {REQUIRED_R[name]}"
        out.append(Check(name, "r-package", ver is not None, ver, None if ver else fix))
    out.append(c_compiler_check())
    out.append(r_package_check(version))
    return out


def c_compiler_check() -> Check:
    """R's C compiler, which installing the project's R package (it has C code) needs.

    Returns
    -------
    Check
        Named ``C compiler`` (kind ``build-tool``); the version is the compiler command R uses
        (``R CMD config CC``); the fix installs Debian's ``r-base-dev``.
    """
    from . import rlibrary

    cc, path = rlibrary.c_compiler()
    if path is not None:
        return Check("C compiler", "build-tool", True, cc, None, f"{path} (R CMD config CC)")
    return Check("C compiler", "build-tool", False, cc or None, rlibrary.COMPILER_FIX,
                 f"R's C compiler `{cc or '?'}` is not on PATH; the R package pyradiogen has C "
                 "code that R CMD INSTALL must compile")


def r_package_check(r_version: str | None = None) -> Check:
    """The project's own R package: its library, installed version and whether it is current.

    Parameters
    ----------
    r_version : str or None, default None
        R's version (asked from R when None).

    Returns
    -------
    Check
        The result, with ``pyradiogen setup-r`` as the fix when not current.
    """
    from . import rlibrary

    try:
        st = rlibrary.status(r_version=r_version)
    except Exception as exc:  # pragma: no cover - a broken installation
        return Check("pyradiogen", "r-package", False, None, rlibrary.SETUP_COMMAND, str(exc))
    ver = st.installed_version
    if st.ok:
        detail = f"current, in {st.library}"
    elif st.state == "missing":
        detail = (f"not installed in {st.library}; it is installed on first use, or now with "
                  f"`{st.fix}`")
    else:
        detail = f"stale in {st.library}: {st.reason}; it is reinstalled on first use, or now with `{st.fix}`"
    return Check("pyradiogen", "r-package", st.ok, ver, st.fix, detail)


def report(checks: list[Check]) -> dict[str, Any]:
    """JSON-able report: every check plus an overall ``ok``.

    Parameters
    ----------
    checks : list of Check
        From :func:`run_checks`.

    Returns
    -------
    dict
        ``ok`` and ``checks``.
    """
    return {"ok": all(c.ok for c in checks), "checks": [asdict(c) for c in checks]}
