"""A new user's first hour (issue 19): messages that make sense, stated minimum cohort sizes,
ssGSEA's left-out sets and orientation."""

from __future__ import annotations

import json
import time

import numpy as np
import pandas as pd
import pytest

from pyradiogen.cli import main
from pyradiogen.minimums import MINIMUMS, check_minimums, minimum, shortfalls


def run(argv, capsys):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def tiny_cohort(tmp_path_factory):
    """A 6-patient demo cohort: too small for the signature/immune classes (10)."""
    from pyradiogen.demo import make_demo_cohort

    d = tmp_path_factory.mktemp("tiny")
    make_demo_cohort(d, n_patients=6, seed=3)
    return d


# --------------------------------------------------------------------------- minimums

def test_minimums_are_stated_once_and_used_by_the_stages():
    from pyradiogen.predict import classes, loo

    assert classes.MIN_PATIENTS == minimum("liu2023", "liu2023-predict") == 10
    assert loo.MIN_PATIENTS == minimum("kim2020", "kim2020-predict") == 5
    assert all(m.reason and m.patients >= 2 for m in MINIMUMS)
    rows = check_minimums({"study1": 12, "study1_crf36": 9, "study1_timer": 12,
                           "study1_crf36_timer": 9, "study2": None}, ("liu2023", "kim2020"))
    short = shortfalls(rows)
    assert len(short) == 1
    assert short[0].startswith("liu2023-predict: 9 of the 10 study 1's patients with "
                               "CRF36 and TIMER it needs (")
    assert all(r["ok"] is None for r in rows if r["study"] == "kim2020")  # no count: n/a


def test_validate_reports_minimums_and_replicate_stops_up_front(tiny_cohort, tmp_path, capsys):
    code, out, _ = run(["validate", tiny_cohort, "--json"], capsys)
    rep = json.loads(out)
    rows = {(r["study"], r["stage"], r["counted"]): r for r in rep["minimums"]}
    classes = rows[("liu2023", "liu2023-predict", "study1_timer")]
    assert classes["patients"] == 10 and classes["n"] == 6 and classes["ok"] is False
    assert rows[("liu2023", "liu2023-associate", "study1")]["ok"] is True
    code, out, _ = run(["validate", tiny_cohort, "--no-series"], capsys)
    text = " ".join(out.split())
    assert "Patients each stage of replicate needs" in text
    assert "replicate would stop: liu2023-predict: 6 of the 10" in text
    t0 = time.perf_counter()
    code, out, err = run(["replicate", "--cohort", tiny_cohort, "--out", tmp_path / "r"],
                         capsys)
    assert code == 2 and time.perf_counter() - t0 < 60
    msg = " ".join(err.split())
    assert "too small" in msg and "liu2023-predict: 6 of the 10 study 1's patients" in msg
    assert "barcode" not in msg
    assert not (tmp_path / "r" / "stages").exists()       # no stage ran


def test_too_few_patients_for_the_classes_says_so_not_barcodes():
    from pyradiogen.predict.modes import align_patients

    f = pd.DataFrame({"patient_id": [f"TCGA-A1-A{i:03d}" for i in range(6)], "x": range(6)})
    t = pd.DataFrame({"patient_id": f["patient_id"], "y": range(6)})
    with pytest.raises(ValueError, match="too small: at least 10") as exc:
        align_patients(f, t, 10, "targets")
    assert "barcode" not in str(exc.value)
    f2 = pd.DataFrame({"patient_id": [f"TCGA-A1-A{i:03d}" for i in range(12)], "x": range(12)})
    t2 = pd.DataFrame({"patient_id": [f"P{i}" for i in range(12)], "y": range(12)})
    with pytest.raises(ValueError, match="barcodes"):
        align_patients(f2, t2, 10, "targets")


# --------------------------------------------------------------------------- validate

def test_validate_on_a_folder_without_cohort_toml(tmp_path, capsys):
    (tmp_path / "some.csv").write_text("a,b\n1,2\n")
    code, _, err = run(["validate", tmp_path], capsys)
    msg = " ".join(err.split())
    assert code == 2
    assert f"cohort folder {tmp_path}: no cohort.toml and no dicom/ folder" in msg
    assert "demo-data" in msg and "under  in" not in msg


def test_validate_prints_bracketed_names(tiny_cohort, capsys, monkeypatch):
    """Text in square brackets ([parts], [study1]) is printed, not taken as rich markup."""
    import pyradiogen.cohort.validate as cv
    from pyradiogen.cohort import Check

    monkeypatch.setattr(cv, "validate_cohort", lambda c, **kw: [
        Check("expression", "error", "no expression part — fix: add `matrix` under [parts] "
              "in cohort.toml")])
    code, out, err = run(["validate", tiny_cohort, "--no-series"], capsys)
    assert code == 2
    assert "[parts]" in out and "under [parts] in" in " ".join(err.split())


# --------------------------------------------------------------------------- ssgsea

def _expr(tmp_path, genes):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(5, 1, (6, len(genes))), columns=genes,
                      index=pd.Index([f"s{i}" for i in range(6)], name="sample"))
    df.to_csv(tmp_path / "samples_rows.csv")
    df.T.rename_axis("gene").to_csv(tmp_path / "genes_rows.csv")
    (tmp_path / "sets.gmt").write_text("SET_A\tna\tG1\tG2\tG3\tG4\nSET_EMPTY\tna\tX1\tX2\n"
                                       "SET_C\tna\tG10\tG11\tG12\n")


def test_ssgsea_names_sets_without_genes_and_the_genes_as_rows_option(tmp_path, capsys):
    _expr(tmp_path, [f"G{i}" for i in range(30)])
    code, out, err = run(["ssgsea", "--expr", tmp_path / "samples_rows.csv", "--gmt",
                          tmp_path / "sets.gmt", "--out", tmp_path / "o.csv"], capsys)
    assert code == 0                                    # without -v
    assert "1 with no gene in the expression data): SET_EMPTY" in " ".join(err.split())
    assert "2 of 3 gene sets" in out and "1 set(s) left out" in out
    code, out, err = run(["ssgsea", "--expr", tmp_path / "genes_rows.csv", "--gmt",
                          tmp_path / "sets.gmt", "--out", tmp_path / "o2.csv"], capsys)
    msg = " ".join(err.split())
    assert code == 2 and "pass --genes-as-rows" in msg and "first column" in msg
    code, out, err = run(["ssgsea", "--expr", tmp_path / "genes_rows.csv", "--genes-as-rows",
                          "--gmt", tmp_path / "sets.gmt", "--out", tmp_path / "o3.csv"], capsys)
    assert code == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "o.csv"),
                                  pd.read_csv(tmp_path / "o3.csv"))
    code, _, err = run(["ssgsea", "--expr", tmp_path / "samples_rows.csv", "--genes-as-rows",
                        "--gmt", tmp_path / "sets.gmt", "--out", tmp_path / "o4.csv"], capsys)
    assert code == 2 and "drop --genes-as-rows" in " ".join(err.split())


# --------------------------------------------------------------------------- console

def r_warns(i: int) -> int:
    """Raises the same R warning in every task (as glmnet does in every fold)."""
    from pyradiogen import rbridge

    rbridge.rcall("function(i) { warning('dangerous ground'); i }", i)
    return i


def test_worker_warnings_come_back_to_the_parent():
    import warnings

    from pyradiogen.parallel import pmap
    from pyradiogen.rbridge import RWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert pmap(r_warns, range(6), n_jobs=2) == list(range(6))
    msgs = [str(w.message) for w in caught if issubclass(w.category, RWarning)]
    assert msgs == ["R: dangerous ground"] * 6


def test_warning_report_once_short_grouped():
    from pyradiogen.cli._report import WarningReport
    from pyradiogen.rbridge import RWarning

    lines: list[str] = []
    rep = WarningReport(lines.append)
    for _ in range(37):
        rep.showwarning("R: from glmnet C++ code: dangerous ground", RWarning, "/x/rbridge.py", 9)
    genes = ", ".join(f"G{i} (Entrez {i})" for i in range(40))
    rep.showwarning(f"R: gene70: 49 of 52 signature genes not found in the data (the score "
                    f"uses the other 3 genes): {genes}", RWarning, "f.py", 1)
    rep.showwarning(f"R: ggi: 104 of 104 signature genes not found in the data (the result is "
                    f"NA for every sample; add these genes): {genes}", RWarning, "f.py", 1)
    rep.showwarning(f"12 patients left out: {genes}", UserWarning, "f.py", 1)
    rep.note("training diverged at epoch 1")
    rep.add("warning", "training diverged at epoch 1")      # logged after the note: counted
    rep.finish()
    text = "\n".join(lines)
    assert text.count("dangerous ground") == 2                 # once, then its count
    assert "repeated:[/] 37 × R warning" in text
    assert "gene70 49/52; ggi 104/104 (not computed)" in text
    assert "Entrez 39" not in text and "-v prints all" in text  # the long list is cut
    assert "rbridge.py" not in text and "return call_r" not in text
    assert sum("signature genes" in ln for ln in lines) == 1


def test_signatures_console_is_short(tmp_path, capsys):
    """A small symbols table: a handful of short warning lines, no file paths."""
    from test_signatures import full_platform

    x, _ = full_platform(n=8)
    x = x.iloc[:, :60]
    x.columns = [c[1:] for c in x.columns]                # Entrez IDs as column names
    x.to_csv(tmp_path / "e.csv")
    code, out, err = run(["signatures", "--expr", tmp_path / "e.csv", "--out",
                          tmp_path / "o.csv"], capsys)
    assert code == 0
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert "rbridge.py" not in err and "call_r" not in err and "Warning:" not in err
    assert sum("signature genes missing from the data" in ln for ln in lines) == 1
    assert sum(ln.startswith(("R warning", "warning", "repeated")) for ln in lines) <= 6, err


def test_vignette_kernel_is_local_and_quiet(tmp_path, capfd):
    """Notebooks run on a kernel over local IPC sockets: no TCP, no eavesdropping warning."""
    from pyradiogen.vignettes import execute

    (tmp_path / "01_tiny.py").write_text("# %%\nprint(6 * 7)\n")
    nb = execute(tmp_path / "01_tiny.py", tmp_path)
    assert nb.cells[0].outputs[0]["text"] == "42\n"
    err = capfd.readouterr().err
    assert "eavesdropping" not in err and "WARNING" not in err
    assert not list(tmp_path.glob("kernel*"))


def test_drf_train_reports_the_divergence_once(tiny_cohort, tmp_path, capsys):
    """The paper preset (Adam, lr 0.1) diverges and restarts at lr 0.001: said once."""
    code, out, err = run(["drf", "train", "--cohort", tiny_cohort, "--out", tmp_path / "d",
                          "--epochs", "2"], capsys)
    assert code == 0
    both = " ".join((out + err).split())
    n = both.count("training diverged at epoch")
    assert n <= 1, both
    if n:
        assert "restarted from the initial weights at lr=0.001" in both
    assert "WARNING" not in err and ".py:" not in err
