"""Study assembly: exclusion counts, image selection and Table 1."""

from __future__ import annotations

import pandas as pd
import pytest
from _helpers import clone

from pyradiogen.cli import main
from pyradiogen.cohort import load_cohort
from pyradiogen.studies import kim2020, liu2023


@pytest.fixture(scope="module")
def cohort(demo_cohort_dir):
    return load_cohort(demo_cohort_dir, progress=False)


def test_study1(cohort):
    s = liu2023.assemble(cohort)
    f = s.flowchart.set_index("step")
    assert f.loc["patients with DICOM images", "remaining"] == 28
    assert f.loc["no DCE exam", "excluded"] + f.loc["no 1.5 T GE DCE exam", "excluded"] == 3
    assert f.loc["no post-contrast phase 1", "excluded"] == 0
    assert f.loc["no matched RNA-seq", "excluded"] == 1
    assert len(s.patients) == 24 == f["remaining"].iloc[-1]
    # excluded patients really are non-GE / 3 T / without DCE
    dropped = f.loc["no 1.5 T GE DCE exam", "excluded_patients"].split(";")
    for pid in dropped:
        se = cohort.series[cohort.series["patient_id"] == pid]
        assert not (se["dce"] & se["manufacturer"].str.startswith("GE")
                    & (se["field_strength"] == 1.5)).any()
    assert (s.images["phase"] == 1).all() and (s.images["role"] == "post").all()
    assert s.extra["post_phase"] == 1 and s.extra["scanner_rule"] == "1.5 T GE"
    kept = {k for k, v in s.extra["series_status"].items() if v == "kept"}
    assert kept == set(s.images["series_uid"])
    assert set(s.images["patient_id"]) == set(s.patients)
    per = s.images.groupby("patient_id").size()
    assert per.between(3, 5).all()


def test_table1(cohort):
    t = liu2023.assemble(cohort).table1.set_index(["characteristic", "level"])["value"]
    assert t[("Patients", "n")] == "24"
    assert int(t[("ER", "positive")]) == round(24 * 86 / 110)
    assert int(t[("T (>2 cm)", "positive")]) == round(24 * 70 / 110)
    assert int(t[("HER2", "NA")]) == round(24 * 11 / 110)
    assert abs(float(t[("Age", "mean")]) - 53.76) < 2.0


def test_study_write(cohort, tmp_path):
    s = liu2023.assemble(cohort)
    paths = s.write(tmp_path)
    assert [p.name for p in paths] == ["study1_flowchart.csv", "study1_table1.csv",
                                       "study1_images.csv"]
    back = pd.read_csv(paths[0])
    assert back["remaining"].iloc[-1] == 24


def test_study2(cohort):
    s = kim2020.assemble(cohort)
    assert len(s.patients) == 26
    assert (s.rois.groupby("patient_id")["reader"].nunique() == 2).all()
    assert s.extra["scanners"]["patients"].sum() == 26


def test_validate_cli(demo_cohort_dir, capsys):
    assert main(["validate", str(demo_cohort_dir)]) == 0
    out = capsys.readouterr().out
    assert "no 1.5 T GE DCE exam" in out and "Table 1" in out and "cohort valid" in out
    assert "pre-contrast" in out and "Series" in out


def test_validate_cli_reports_errors(demo_cohort_dir, tmp_path, capsys):
    d = clone(demo_cohort_dir, tmp_path / "c", copy=("timer.csv",))
    (d / "timer.csv").write_text("barcode,B_cell\nTCGA-A1-A0SB-01,0.1\n")
    assert main(["validate", str(d)]) == 2  # an input problem (issue 14 F)
    assert "cell-type column(s)" in capsys.readouterr().out


def test_cohort_config_section(cohort):
    from pyradiogen.config import default_config

    cfg = default_config("paper").cohort
    assert cfg.post_phase is None and cfg.readers is None
    cfg.max_slices = 2
    s = liu2023.assemble(cohort, **cfg.liu2023_kwargs())
    assert (s.images.groupby("patient_id").size() == 2).all()
    assert s.flow is s.flowchart
    s2 = kim2020.assemble(cohort, **cfg.kim2020_kwargs())
    t = s2.table1.set_index(["characteristic", "level"])
    assert t.loc[("PAM50", "LumA"), "published"] == "79"
    assert s2.extra["scanners"].set_index("scanner").loc["GE 1.5 T", "published"] == 91


def test_scanner_rule_reads_inside_the_flowchart_step():
    """'no any field strength GE DCE exam' (seen with the real GE multiphase series and
    field_strength = "any") reads as 'no GE (any field strength) DCE exam'."""
    from pyradiogen.cohort.assemble import scanner_rule

    assert scanner_rule("GE", 1.5) == "1.5 T GE"
    assert scanner_rule(["GE", "Siemens"], 3) == "3 T GE/Siemens"
    assert scanner_rule("GE", "any") == "GE (any field strength)"
    assert scanner_rule("any", 1.5) == "1.5 T (any vendor)"
    assert scanner_rule("any", "any") == "any-scanner"


def test_table1_age_sd_of_one_patient_is_not_a_number(real_data):
    """One patient (a Duke exam mapped to a TCGA clinical row): the SD is said to be
    undefined, not printed as 'nan'."""
    from pyradiogen.cohort.assemble import table1
    from pyradiogen.cohort.clinical import read_clinical

    clin = read_clinical(real_data / "tcga2012_clinical" / "tcga2012_nature_supp_table1.csv")[0]
    t = table1(clin.loc[["TCGA-A8-A08X"]]).set_index(["characteristic", "level"])["value"]
    assert t[("Age", "mean")] == "43.00"
    assert t[("Age", "SD")] == "not defined (1 patient with an age)"
    two = table1(clin.loc[["TCGA-A8-A08X", "TCGA-A2-A0D3"]]).set_index(
        ["characteristic", "level"])["value"]
    assert two[("Age", "SD")] != "not defined (1 patient with an age)"
