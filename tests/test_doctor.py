"""``pyradiogen doctor``."""

from __future__ import annotations

import json
import subprocess
import sys

from pyradiogen.doctor import REQUIRED_R


def test_doctor_json_lists_r_42_and_every_package():
    res = subprocess.run([sys.executable, "-m", "pyradiogen", "doctor", "--json"],
                         capture_output=True, text=True, timeout=120)
    rep = json.loads(res.stdout)
    checks = {c["name"]: c for c in rep["checks"]}
    assert checks["R"]["version"].startswith("4.2")
    for pkg in [*REQUIRED_R, "pyradiogen"]:
        assert checks[pkg]["kind"] == "r-package"
        assert checks[pkg]["ok"], f"{pkg}: {checks[pkg]}"
        assert checks[pkg]["version"]
    assert checks["torch"]["version"].startswith("2.13.0")
    assert checks["torch-device"]["version"] in ("cpu",) or checks["torch-device"]["version"].startswith("cuda")
    assert rep["ok"] is True and res.returncode == 0


def test_doctor_reports_missing_with_fix(monkeypatch):
    from pyradiogen import doctor

    monkeypatch.setitem(doctor.REQUIRED_R, "surely.not.a.package", "r-cran-surely")
    checks = {c.name: c for c in doctor.run_checks()}
    missing = checks["surely.not.a.package"]
    assert not missing.ok and missing.fix == "sudo apt-get install -y r-cran-surely"
    assert doctor.report(list(checks.values()))["ok"] is False
