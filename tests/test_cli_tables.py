"""Every CLI sub-command × every table it reads × ten kinds of awkward input (issue 14).

Cases: an empty file, a header only, one row, a wrong header, a non-numeric cell, a column
without any value, a duplicated column, a duplicated ID, an unknown ID and a constant column.
Each either exits with code 2 and a message naming the file and the column or ID (never a
traceback), or — where the input is legitimate — gives the right result and reports the drop,
the missing values or the degenerate column. Commands run in-process through
``pyradiogen.cli.main`` on tiny tables. Cohort commands whose work after reading the cohort
takes minutes (training, pyradiomics, the report) stop at a sentinel right after the cohort is
read: the tables are what is tested here; their stages have their own tests.

``test_every_subcommand_is_covered`` lists the sub-commands from the parser: a new sub-command
with a file option fails it until it gets rows here.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pyradiogen.cli import build_parser, main

CASES = ("empty", "header_only", "one_row", "wrong_header", "non_numeric", "all_missing",
         "dup_column", "dup_id", "unknown_id", "constant")
SENTINEL = "REACHED-AFTER-READING"
UNKNOWN = "TCGA-ZZ-ZZZZ"


class Reached(Exception):
    """Raised by stubs after the tables were read (a user error: exit 2 with SENTINEL)."""


# --------------------------------------------------------------------------- table text


def write_rows(path: Path, rows: list[list[str]], sep: str = ",") -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue())
    return path


def read_rows(path: Path, sep: str) -> list[list[str]]:
    return [r for r in csv.reader(io.StringIO(path.read_text()), delimiter=sep)]


@dataclass
class Spec:
    """How to break one table: the ID column, a numeric column, another column."""

    id_col: str | None
    num: str | None
    other: str | None = None
    key: str | None = None          # the column renamed by wrong_header (default: id_col)
    unknown: str = UNKNOWN          # the unknown ID written by unknown_id
    unknown_col: str | None = None  # where unknown_id writes (default: id_col)
    sep: str = ","


def mutate(path: Path, case: str, sp: Spec) -> None:
    """Rewrite ``path`` (a valid table) as ``case``."""
    if case == "empty":
        path.write_text("")
        return
    rows = read_rows(path, sp.sep)
    head = rows[0]
    col = {h: i for i, h in enumerate(head)}
    if case == "header_only":
        rows = rows[:1]
    elif case == "one_row":
        rows = rows[:2]
    elif case == "wrong_header":
        k = sp.key or sp.id_col
        head[col[k]] = f"bogus_{k}"
    elif case == "non_numeric":
        rows[2][col[sp.num]] = "abc"
    elif case == "all_missing":
        for r in rows[1:]:
            r[col[sp.num]] = "NA"
    elif case == "dup_column":
        head[col[sp.other]] = sp.num
    elif case == "dup_id":
        rows[2][col[sp.id_col]] = rows[1][col[sp.id_col]]
    elif case == "unknown_id":
        rows[1][col[sp.unknown_col or sp.id_col]] = sp.unknown
    elif case == "constant":
        for r in rows[1:]:
            r[col[sp.num]] = "1.5"
    write_rows(path, rows, sp.sep)


# --------------------------------------------------------------------------- the registry


@dataclass
class Entry:
    """One table option of one command."""

    command: str                   # "icc", "drf train", ...
    table: str                     # the option ("--ratings") or cohort part ("cohort:clinical")
    make: Callable[[Path], dict]   # writes valid inputs; returns {"argv": [...], "target": Path}
    spec: Spec
    expect: dict[str, tuple] = field(default_factory=dict)   # case -> ("error"|"ok", [frags])
    stub: str | None = None        # stop after reading: "drf", "crf", "explore", ...

    @property
    def id(self) -> str:
        return f"{self.command}:{self.table}"


def E(*frags: str) -> tuple:
    return ("error", list(frags))


def OK(*frags: str) -> tuple:
    return ("ok", list(frags))


def NO_PATIENTS(*frags: str) -> tuple:
    """Legitimate input that leaves a study of the cohort without patients: exit 1."""
    return ("no_patients", list(frags))


def generic(sp: Spec, **over: tuple) -> dict[str, tuple]:
    """Errors that every numeric table shares; ``over`` gives the table's own outcomes."""
    out = {"empty": E("empty"), "header_only": E("no data rows"),
           "wrong_header": E(f"bogus_{sp.key or sp.id_col}"),
           "non_numeric": E(sp.num or "", "abc"),
           "all_missing": E(sp.num or "", "no value"),
           "dup_column": E(sp.num or "", "duplicated column"),
           "dup_id": E("more than one row")}
    out.update(over)
    return out


# ---- small valid inputs


def ratings(d: Path) -> dict:
    rng = np.random.default_rng(1)
    truth = rng.normal(5, 2, 8)
    rows = [["subject", "R1", "R2", "R3"]] + [
        [f"S{i + 1}", *(f"{truth[i] + rng.normal(0, 0.3):.3f}" for _ in range(3))]
        for i in range(8)]
    p = write_rows(d / "ratings.csv", rows)
    return {"argv": ["icc", "--ratings", str(p)], "target": p}


def expression(d: Path, n_samples: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    genes = [f"GENE{i:02d}" for i in range(12)]
    return pd.DataFrame(rng.normal(8, 2, (n_samples, len(genes))).round(4),
                        index=pd.Index([f"S{i}" for i in range(n_samples)], name="sample"),
                        columns=genes)


def gmt(d: Path) -> Path:
    p = d / "sets.gmt"
    p.write_text("SET1\tNA\tGENE00\tGENE01\tGENE02\tGENE03\n"
                 "SET2\tNA\tGENE04\tGENE05\tGENE06\tGENE07\tGENE08\n")
    return p


def ssgsea_expr(d: Path) -> dict:
    p = d / "expr.csv"
    expression(d).to_csv(p)
    return {"argv": ["ssgsea", "--expr", str(p), "--gmt", str(gmt(d)), "--out",
                     str(d / "o.csv")], "target": p}


def ssgsea_gmt(d: Path) -> dict:
    e = d / "expr.csv"
    expression(d).to_csv(e)
    g = gmt(d)
    return {"argv": ["ssgsea", "--expr", str(e), "--gmt", str(g), "--out", str(d / "o.csv")],
            "target": g}


def mutate_gmt(path: Path, case: str) -> None:
    lines = path.read_text().splitlines()
    if case == "empty":
        path.write_text("")
        return
    if case == "one_row":
        lines = lines[:1]
    elif case == "wrong_header":
        lines[0] = lines[0].replace("\t", " ")
    elif case == "all_missing":
        lines.append("SET3\tNA\tNA\tNA")
    elif case == "dup_column":
        lines[0] += "\tGENE01"
    elif case == "dup_id":
        lines.append(lines[0])
    elif case == "unknown_id":
        lines.append("SET9\tNA\tNOT_A_GENE\tALSO_NOT")
    path.write_text("\n".join(lines) + "\n")


GENEFU_GENES = [("ESR1", 2099), ("ERBB2", 2064), ("AURKA", 6790), ("PGR", 5241),
                ("MKI67", 4288), ("BIRC5", 332), ("CCNB1", 891), ("MYBL2", 4605),
                ("GRB7", 2886), ("BCL2", 596), ("SCUBE2", 57758), ("MMP11", 4320),
                ("CTSL2", 1515), ("CD68", 968), ("GSTM1", 2944), ("BAG1", 573),
                ("FOXA1", 3169), ("KRT5", 3852), ("EGFR", 1956), ("MYC", 4609)]


def sig_inputs(d: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(3)
    genes = [g for g, _ in GENEFU_GENES]
    x = pd.DataFrame(rng.normal(8, 2, (8, len(genes))).round(4),
                     index=pd.Index([f"S{i}" for i in range(8)], name="sample"), columns=genes)
    e = d / "sig_expr.csv"
    x.to_csv(e)
    a = write_rows(d / "annot.csv", [["probe", "EntrezGene.ID", "symbol"]]
                   + [[g, str(e_), g] for g, e_ in GENEFU_GENES])
    return e, a


def sig_expr(d: Path) -> dict:
    e, a = sig_inputs(d)
    return {"argv": ["signatures", "--expr", str(e), "--annot", str(a), "--out",
                     str(d / "o.csv")], "target": e}


def sig_annot(d: Path) -> dict:
    e, a = sig_inputs(d)
    return {"argv": ["signatures", "--expr", str(e), "--annot", str(a), "--out",
                     str(d / "o.csv")], "target": a}


def sig_grade(d: Path) -> dict:
    e, a = sig_inputs(d)
    g = write_rows(d / "grade.csv", [["sample", "grade", "age"]]
                   + [[f"S{i}", str(v), str(50 + i)] for i, v in
                      enumerate([1, 2, 3, 1, 3, 2, 1, 3])])
    return {"argv": ["signatures", "--expr", str(e), "--annot", str(a), "--grade", str(g),
                     "--out", str(d / "o.csv")], "target": g}


PATIENTS = [f"TCGA-AA-{i:04d}" for i in range(12)]


def assoc_inputs(d: Path) -> tuple[Path, Path, Path]:
    rng = np.random.default_rng(4)
    rows = [["image_id", "patient_id", "fea_1", "fea_2", "fea_3"]]
    for p in PATIENTS:
        for k in range(2):
            rows.append([f"{p}_{k}", p, *(f"{rng.normal():.4f}" for _ in range(3))])
    f = write_rows(d / "features.csv", rows)
    g = write_rows(d / "gf.csv", [["patient_id", "GF1", "GF2"]] + [
        [p, f"{rng.normal():.4f}", f"{rng.normal():.4f}"] for p in PATIENTS])
    c = write_rows(d / "classes.csv", [["gf", "class"], ["GF1", "kegg"], ["GF2", "kegg"]])
    return f, g, c


def assoc(which: int) -> Callable[[Path], dict]:
    def make(d: Path) -> dict:
        f, g, c = assoc_inputs(d)
        return {"argv": ["associate", "--features", str(f), "--gf", str(g), "--gf-classes",
                         str(c), "--out", str(d / "out"), "--no-figures", "--n-jobs", "1",
                         "--backend", "sequential"], "target": (f, g, c)[which]}
    return make


KIM = [f"TCGA-KM-{i:04d}" for i in range(16)]


def kim_inputs(d: Path) -> tuple[Path, Path, Path]:
    rng = np.random.default_rng(5)
    X = rng.normal(size=(len(KIM), 3))
    f = write_rows(d / "kim_features.csv", [["patient_id", "original_shape_A",
                                             "original_glcm_B", "original_glcm_C"]]
                   + [[p, *(f"{v:.4f}" for v in X[i])] for i, p in enumerate(KIM)])
    y = X[:, 0] + rng.normal(0, 0.5, len(KIM))
    s = write_rows(d / "scores.csv", [["patient_id", "GENE70", "AURKA"]]
                   + [[p, f"{y[i]:.4f}", f"{rng.normal():.4f}"] for i, p in enumerate(KIM)])
    sc = write_rows(d / "screen.csv", [["score", "feature", "p_value"],
                                       ["GENE70", "original_shape_A", "0.001"],
                                       ["GENE70", "original_glcm_B", "0.2"],
                                       ["AURKA", "original_glcm_C", "0.03"]])
    return f, s, sc


def kim(which: int) -> Callable[[Path], dict]:
    def make(d: Path) -> dict:
        f, s, sc = kim_inputs(d)
        return {"argv": ["predict", "--study", "kim2020", "--mode", "paper", "--features",
                         str(f), "--risk-scores", str(s), "--screen", str(sc), "--out",
                         str(d / "out")], "target": (f, s, sc)[which]}
    return make


def liu_inputs(d: Path) -> dict[str, Path]:
    rng = np.random.default_rng(6)
    pats = PATIENTS
    rows = [["image_id", "patient_id", "fea_1", "fea_2", "fea_3"]]
    for p in pats:
        for k in range(2):
            rows.append([f"{p}_{k}", p, *(f"{rng.normal():.4f}" for _ in range(3))])
    out = {"--features": write_rows(d / "drf.csv", rows)}
    out["--clinical"] = write_rows(d / "clinical.csv", [["patient_id", "T", "N", "ER", "PR",
                                                          "HER2"]]
                                   + [[p, *(str(int(v)) for v in rng.integers(0, 2, 5))]
                                      for p in pats])
    out["--crf"] = write_rows(d / "crf.csv", [["patient_id", "CRF_A", "CRF_B"]]
                              + [[p, f"{rng.normal():.3f}", f"{rng.normal():.3f}"]
                                 for p in pats])
    out["--signatures"] = write_rows(d / "sig.csv", [["patient_id", "oncotypedx", "rorS"]]
                                     + [[p, f"{rng.normal():.3f}", f"{rng.normal():.3f}"]
                                        for p in pats])
    out["--timer"] = write_rows(d / "timer.csv", [["patient_id", "B_cell", "CD8_T"]]
                                + [[p, f"{rng.uniform():.3f}", f"{rng.uniform():.3f}"]
                                   for p in pats])
    return out


def liu(option: str) -> Callable[[Path], dict]:
    def make(d: Path) -> dict:
        t = liu_inputs(d)
        argv = ["predict", "--study", "liu2023", "--mode", "paper", "--out", str(d / "out")]
        for k, v in t.items():
            argv += [k, str(v)]
        return {"argv": argv, "target": t[option]}
    return make


# ---- cohorts


@pytest.fixture(scope="module")
def small_cohort(tmp_path_factory) -> Path:
    """A 6-patient demo cohort with its DICOM/expression cache built once."""
    from pyradiogen.cohort import load_cohort
    from pyradiogen.datasets import make_demo_cohort

    d = tmp_path_factory.mktemp("tables_cohort")
    make_demo_cohort(d, n_patients=6, seed=3)
    load_cohort(d, progress=False)  # builds d/.pyradiogen (shared by the clones)
    return d


COHORT_PARTS = {  # part -> (file in the demo cohort, separator, spec)
    "clinical": ("clinical.tsv", "\t", Spec("Complete TCGA ID",
                                            "Age at Initial Pathologic Diagnosis",
                                            other="Gender", sep="\t")),
    "crf36": ("crf36.csv", ",", Spec("Complete TCGA ID", "Maximum enhancement (K1)",
                                     other="Time to peak (K2)")),
    "timer": ("timer.csv", ",", Spec("barcode", "B_cell", other="DC", key="B_cell",
                                     unknown="TCGA-ZZ-ZZZZ-01")),
    "rois": ("rois/rois.csv", ",", Spec(None, "patient_id", other="reader",
                                        key="sop_instance_uid", unknown_col="patient_id")),
    "genes": ("expression/genes.tsv", "\t", Spec("gene_id", "entrez", other="gene_type",
                                                 sep="\t")),
    "matrix": ("expression/matrix.tsv", "\t", Spec("gene_id", None, sep="\t")),
    "risk_genes": ("risk_genes.txt", "\n", Spec(None, None)),
}


def cohort_clone(src: Path, d: Path, part: str) -> tuple[Path, Path]:
    """Symlinks to ``src`` (cache included) with ``part`` copied so that it can be broken."""
    import tomllib

    import tomli_w

    c = d / "cohort"
    c.mkdir()
    for entry in src.iterdir():
        if entry.name in ("cohort.toml",):
            continue
        os.symlink(entry, c / entry.name)
    rel = COHORT_PARTS[part][0]
    target = c / f"broken_{Path(rel).name}"
    shutil.copy(src / rel, target)
    man = tomllib.loads((src / "cohort.toml").read_text())
    man["parts"][part] = target.name
    (c / "cohort.toml").write_text(tomli_w.dumps(man))
    return c, target


def features_of(cohort: Path, d: Path) -> Path:
    from pyradiogen.cohort.clinical import read_clinical

    pats = list(read_clinical(cohort / "clinical.tsv")[0].index)
    rng = np.random.default_rng(7)
    return write_rows(d / "cohort_features.csv", [["image_id", "patient_id", "fea_1", "fea_2"]]
                      + [[f"{p}_0", p, f"{rng.normal():.3f}", f"{rng.normal():.3f}"]
                         for p in pats])


COHORT_COMMANDS: dict[str, Callable[[Path, Path], list[str]]] = {
    "validate": lambda c, d: ["validate", str(c), "--no-masks"],
    "drf train": lambda c, d: ["drf", "train", "--cohort", str(c), "--out", str(d / "o")],
    "drf extract": lambda c, d: ["drf", "extract", "--cohort", str(c), "--out", str(d / "o"),
                                 "--model", str(_touch(d / "model.pt"))],
    "crf extract": lambda c, d: ["crf", "extract", "--cohort", str(c), "--out", str(d / "o")],
    "explore": lambda c, d: ["explore", "--features", str(features_of(c, d)), "--cohort",
                             str(c), "--out", str(d / "o"), "--no-genes"],
    "replicate": lambda c, d: ["replicate", "--cohort", str(c), "--out", str(d / "o")],
    "vignettes": lambda c, d: ["vignettes", "--cohort", str(c), "--out", str(d / "o")],
    "predict": lambda c, d: ["predict", "--study", "liu2023", "--mode", "paper", "--features",
                             str(features_of(c, d)), "--cohort", str(c), "--out", str(d / "o")],
}


def _touch(p: Path) -> Path:
    p.write_bytes(b"")
    return p


# outcomes of the cohort tables under `validate` (the other cohort commands read the cohort
# with the same reader; their legitimate cases reach the stage after reading)
CLINICAL = generic(COHORT_PARTS["clinical"][2],
                   wrong_header=E("Complete TCGA ID"),
                   one_row=OK("without clinical data"),
                   all_missing=OK("age 7 (NA ×7)", "patients kept"),
                   dup_column=E("duplicated column", "Age at Initial Pathologic Diagnosis"),
                   unknown_id=OK("without clinical data"),
                   non_numeric=E("Age at Initial Pathologic Diagnosis", "abc"),
                   constant=OK("cohort valid"))
COHORT_EXPECT = {
    "clinical": CLINICAL,
    "crf36": generic(COHORT_PARTS["crf36"][2], one_row=OK("1 patients × 36 columns"),
                     wrong_header=OK("5 patients × 36 columns"),  # ID found from content
                     unknown_id=OK("of them imaged", "cohort valid"),
                     constant=OK("cohort valid")),
    "timer": generic(COHORT_PARTS["timer"][2], one_row=OK("1 patients × 6 columns"),
                     wrong_header=E("B_cell", "missing"),
                     unknown_id=OK("of them imaged", "cohort valid"),
                     constant=OK("cohort valid")),
    "rois": {"empty": E("empty"), "header_only": E("no data rows"),
             "one_row": NO_PATIENTS("1 ROIs by 1 readers", "kim2020: keeps no patient"),
             "wrong_header": E("sop_instance_uid", "missing"),
             "dup_column": E("patient_id", "duplicated column"),
             "dup_id": None, "unknown_id": E(UNKNOWN, "no DICOM images"),
             "all_missing": None, "non_numeric": None, "constant": None},
    "genes": generic(COHORT_PARTS["genes"][2], one_row=OK("1 genes"),
                     wrong_header=E("gene_id", "missing"),
                     non_numeric=E("entrez", "abc"), all_missing=OK("0 with Entrez IDs"),
                     dup_column=E("entrez", "duplicated column"),
                     dup_id=E("listed twice"), unknown_id=OK("genes,", "cohort valid"),
                     constant=E("entrez", "1.5", "not an integer")),
    "matrix": {"empty": E("empty"), "header_only": E("no data rows"),
               "one_row": OK("merged matrix: 7 samples × 1 genes"),
               "wrong_header": OK("merged matrix"), "dup_id": E("A2M|2", "more than one row"),
               "unknown_id": OK("merged matrix"), "dup_column": None, "non_numeric": None,
               "all_missing": None, "constant": None},
    "risk_genes": {"empty": E("empty"), "one_row": OK("risk_genes", "1 genes"),
                   "dup_id": E("gene listed twice"),
                   "unknown_id": OK("not in the expression data"),
                   "all_missing": OK("missing-value line")},
}


def mutate_cohort(path: Path, part: str, case: str) -> None:
    _, sep, sp = COHORT_PARTS[part]
    if part == "risk_genes":
        lines = path.read_text().splitlines()
        if case == "empty":
            path.write_text("")
            return
        lines = {"one_row": lines[:1], "dup_id": lines + lines[:1],
                 "unknown_id": lines + ["NOT_A_GENE_XYZ"], "all_missing": lines + ["NA"]}[case]
        path.write_text("\n".join(lines) + "\n")
        return
    if part == "matrix":
        rows = read_rows(path, sep)
        if case == "empty":
            path.write_text("")
            return
        if case == "header_only":
            rows = rows[:1]
        elif case == "one_row":
            rows = rows[:2]
        elif case == "wrong_header":
            rows[0][0] = "bogus"
        elif case == "dup_id":   # a symbol on two rows: the larger total kept, with a warning
            rows[2][0] = rows[1][0]
        elif case == "unknown_id":
            rows[1][0] = "?|0"   # TCGA RSEM's unnamed gene: dropped
        write_rows(path, rows, sep)
        return
    if part == "rois" and case == "unknown_id":
        rows = read_rows(path, sep)
        rows[1][0] = UNKNOWN
        write_rows(path, rows, sep)
        return
    if part == "clinical" and case == "wrong_header":
        sp = Spec("Complete TCGA ID", None, sep="\t")
    if part == "clinical" and case == "all_missing":
        sp = Spec("Complete TCGA ID", "Age at Initial Pathologic Diagnosis", sep="\t")
    mutate(path, case, sp)


# ---- the registry of plain table options

ASSOC_F = Spec("image_id", "fea_1", other="fea_2", key="patient_id", unknown_col="patient_id")
ASSOC_G = Spec("patient_id", "GF1", other="GF2")
ASSOC_C = Spec("gf", "gf", other="class", key="class")
KIM_F = Spec("patient_id", "original_shape_A", other="original_glcm_B")
KIM_S = Spec("patient_id", "GENE70", other="AURKA")
KIM_SC = Spec(None, "p_value", other="feature", key="p_value", unknown_col="feature",
              unknown="original_not_a_feature")
LIU_F = Spec("image_id", "fea_1", other="fea_2", key="patient_id", unknown_col="patient_id")
LIU_P = {"--clinical": Spec("patient_id", "ER", other="PR"),
         "--crf": Spec("patient_id", "CRF_A", other="CRF_B"),
         "--signatures": Spec("patient_id", "oncotypedx", other="rorS"),
         "--timer": Spec("patient_id", "B_cell", other="CD8_T")}
RAT = Spec("subject", "R1", other="R2", unknown="")
SSG = Spec("sample", "GENE00", other="GENE01", unknown="")
SIGX = Spec("sample", "ESR1", other="ERBB2", unknown="")
GRADE = Spec("sample", "grade", other="age")
SIGA = Spec(None, "EntrezGene.ID", other="symbol", key="EntrezGene.ID", unknown_col="probe",
            unknown="NOT_A_PROBE")

ENTRIES: list[Entry] = [
    Entry("icc", "--ratings", ratings, RAT, generic(
        RAT, one_row=E("at least 2"), wrong_header=OK("8 subjects x 3 raters"),
        unknown_id=E("row without an ID"),
        constant=OK("R1 give every subject the same rating", "8 subjects x 3 raters"))),
    Entry("ssgsea", "--expr", ssgsea_expr, SSG, generic(
        SSG, one_row=OK("1 samples"), wrong_header=OK("6 samples"),
        unknown_id=E("row without an ID"), constant=OK("6 samples"))),
    Entry("ssgsea", "--gmt", ssgsea_gmt, Spec(None, None), {
        "empty": E("no gene sets"), "one_row": OK("1 gene sets"),
        "wrong_header": E("tab-separated"), "all_missing": OK("SET3", "left out"),
        "dup_column": OK("counted once", "SET1: GENE01"), "dup_id": E("SET1", "already defined"),
        "unknown_id": OK("SET9", "left out")}),
    Entry("signatures", "--expr", sig_expr, SIGX, generic(
        SIGX, one_row=E("at least 2"), wrong_header=OK("wrote 8 samples"),
        unknown_id=E("row without an ID"), constant=OK("wrote 8 samples"))),
    Entry("signatures", "--annot", sig_annot, SIGA, {
        "empty": E("empty"), "header_only": E("no data rows"),
        "one_row": E("no annotation row"), "wrong_header": E("EntrezGene.ID"),
        "non_numeric": E("EntrezGene.ID", "abc"),
        "all_missing": OK("not computed", "wrote 8 samples"),
        "dup_column": E("EntrezGene.ID", "duplicated column"), "dup_id": None,
        "unknown_id": E("ESR1", "no annotation row"), "constant": OK("wrote 8 samples")}),
    Entry("signatures", "--grade", sig_grade, GRADE, generic(
        GRADE, one_row=E("grade 1 and of grade 3"), wrong_header=OK("wrote 8 samples"),
        non_numeric=E("'abc' is not a histological grade"),
        all_missing=E("grade 1 and of grade 3"),
        unknown_id=OK("no grade for 1 of 8 samples", "wrote 8 samples"),
        constant=E("'1.5' is not a histological grade"))),
    Entry("associate", "--features", assoc(0), ASSOC_F, generic(
        ASSOC_F, one_row=E("at least 2"), wrong_header=E("patient_id"),
        dup_id=E("appears more than once"),
        unknown_id=OK("without a GF row left out", UNKNOWN),
        constant=OK("not fitted", "constant"))),
    Entry("associate", "--gf", assoc(1), ASSOC_G, generic(
        ASSOC_G, one_row=E("at least 2"), wrong_header=OK("pairs"),
        unknown_id=OK("without features not used", UNKNOWN),
        constant=OK("not fitted", "no variance"))),
    Entry("associate", "--gf-classes", assoc(2), ASSOC_C, {
        "empty": E("empty"), "header_only": E("no data rows"), "one_row": OK("pairs"),
        "wrong_header": E("class", "missing"), "dup_column": E("gf", "duplicated column"),
        "dup_id": E("GF1", "listed twice"), "unknown_id": OK("not in the GF tables"),
        "all_missing": None, "non_numeric": None, "constant": None}),
    Entry("predict kim2020", "--features", kim(0), KIM_F, generic(
        KIM_F, one_row=E("at least 2"), wrong_header=E("patient_id"),
        all_missing=E("original_shape_A", "no value"),
        unknown_id=OK("left out", UNKNOWN),
        constant=OK("constant feature(s) left out of the lasso", "original_shape_A"))),
    Entry("predict kim2020", "--risk-scores", kim(1), KIM_S, generic(
        KIM_S, one_row=E("only 1 patients", "--risk-scores"), wrong_header=OK("GENE70"),
        all_missing=OK("GENE70", "not modelled", "no value"),
        unknown_id=OK("left out", UNKNOWN),
        constant=OK("GENE70", "not modelled", "the same"))),
    Entry("predict kim2020", "--screen", kim(2), KIM_SC, {
        "empty": E("empty"), "header_only": E("no data rows"), "one_row": OK("GENE70"),
        "wrong_header": E("'p_value'", "missing"), "non_numeric": E("p_value", "abc"),
        "all_missing": E("p_value", "no value"), "dup_column": E("feature", "duplicated column"),
        "dup_id": None, "unknown_id": OK("not in the feature table", "original_not_a_feature"),
        "constant": OK("no feature passed the Spearman screen")}),
    Entry("predict liu2023", "--features", liu("--features"), LIU_F, generic(
        LIU_F, one_row=E("at least 2"), wrong_header=E("patient_id"),
        dup_id=E("appears more than once"), unknown_id=OK(SENTINEL), constant=OK(SENTINEL)),
        stub="liu"),
] + [
    Entry("predict liu2023", opt, liu(opt), sp, generic(
        sp, one_row=OK(SENTINEL),
        all_missing=OK(SENTINEL) if opt != "--crf" else E("CRF_A", "no value"),
        unknown_id=OK(SENTINEL),
        constant=OK(SENTINEL) if opt != "--clinical" else E("ER", "not 0 or 1"),
        wrong_header=OK(SENTINEL) if opt != "--crf" else E("patient_id", "missing"),
        non_numeric=E(sp.num, "abc")),
        stub="liu")
    for opt, sp in LIU_P.items()
]
# one_row CRF: a single-patient CRF table is legitimate to read (the stage then uses what it
# can); the feature reader needs 2 rows only for --features
ENTRIES[-3].expect["one_row"] = E("at least 2")

COHORT_ENTRIES: list[Entry] = (
    [Entry("validate", f"cohort:{part}", None, COHORT_PARTS[part][2], COHORT_EXPECT[part])
     for part in COHORT_PARTS]
    + [Entry(cmd, "cohort:clinical", None, COHORT_PARTS["clinical"][2],
             {k: (v if v[0] == "error" else OK(SENTINEL)) for k, v in CLINICAL.items()},
             stub=cmd)
       for cmd in COHORT_COMMANDS if cmd != "validate"]
)


# --------------------------------------------------------------------------- running


def run_cli(argv: list[str], capsys, monkeypatch=None) -> tuple[int, str, str]:
    if monkeypatch is not None:  # wide console: table cells are not folded across lines
        from pyradiogen import cli

        monkeypatch.setattr(cli.console, "width", 400)
    rc = main(argv)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def _stubs(monkeypatch, kind: str | None) -> None:
    """Stop right after the tables were read (the stage's own tests cover the rest)."""
    def stop(*a, **k):
        raise Reached(SENTINEL)

    if kind is None:
        return
    import pyradiogen.cli as cli_pkg

    monkeypatch.setattr(cli_pkg, "_is_user_error",
                        (lambda orig: lambda exc: isinstance(exc, Reached) or orig(exc))(
                            cli_pkg._is_user_error))
    if kind == "liu" or kind == "predict":
        import pyradiogen.predict.run as prun
        monkeypatch.setattr(prun, "run_liu2023", stop)
    elif kind in ("drf train", "drf extract"):
        import pyradiogen.drf.cohort_io as dio
        monkeypatch.setattr(dio, "select_images", stop)
    elif kind == "crf extract":
        import pyradiogen.crf.stage as cst
        monkeypatch.setattr(cst, "run_crf_stage", stop)
    elif kind == "explore":
        import pyradiogen.explore.pipeline as ep
        monkeypatch.setattr(ep, "run_explore", stop)
    elif kind == "replicate":
        import pyradiogen.minimums as mins
        import pyradiogen.replicate.runner as rr
        monkeypatch.setattr(rr.Runner, "run", stop)
        monkeypatch.setattr(mins, "require_minimums", stop)  # checked once tables are read
    elif kind == "vignettes":
        import pyradiogen.vignettes as vg
        monkeypatch.setattr(vg, "vignette_paths", stop)


def check(rc: int, out: str, err: str, expect: tuple, target: Path) -> None:
    text = " ".join((out + "\n" + err).split())
    assert "Traceback" not in text, text
    kind, frags = expect
    if kind == "error":
        assert rc == 2, f"expected exit 2, got {rc}: {text}"
        e = " ".join(err.split())
        assert str(target.name) in e, f"file not named: {e}"
        for f in frags:
            assert f in e, f"{f!r} not in: {e}"
    elif kind == "no_patients":
        assert rc == 1, f"expected exit 1, got {rc}: {text}"
        for f in frags:
            assert f in text, f"{f!r} not in: {text}"
    else:
        if SENTINEL in frags:
            assert rc == 2 and SENTINEL in text, f"{rc}: {text}"
        else:
            assert rc == 0, f"expected exit 0, got {rc}: {text}"
        for f in frags:
            assert f in text, f"{f!r} not in: {text}"


def _params(entries: list[Entry]):
    for e in entries:
        for case in CASES:
            exp = e.expect.get(case)
            if exp is not None:
                yield pytest.param(e, case, id=f"{e.id}:{case}")


@pytest.fixture(scope="module")
def r_ready():
    from pyradiogen import rbridge

    rbridge.library("pyradiogen")


@pytest.mark.parametrize(("entry", "case"), list(_params(ENTRIES)))
def test_table_option(entry: Entry, case: str, tmp_path, capsys, monkeypatch, r_ready):
    made = entry.make(tmp_path)
    target: Path = made["target"]
    if entry.table == "--gmt":
        mutate_gmt(target, case)
    else:
        mutate(target, case, entry.spec)
    _stubs(monkeypatch, entry.stub)
    rc, out, err = run_cli(made["argv"], capsys, monkeypatch)
    check(rc, out, err, entry.expect[case], target)


@pytest.mark.parametrize(("entry", "case"), list(_params(COHORT_ENTRIES)))
def test_cohort_table(entry: Entry, case: str, small_cohort, tmp_path, capsys, monkeypatch):
    part = entry.table.split(":", 1)[1]
    c, target = cohort_clone(small_cohort, tmp_path, part)
    mutate_cohort(target, part, case)
    _stubs(monkeypatch, entry.stub)
    rc, out, err = run_cli(COHORT_COMMANDS[entry.command](c, tmp_path), capsys, monkeypatch)
    check(rc, out, err, entry.expect[case], target)


# --------------------------------------------------------------------------- coverage


NO_TABLE = {"doctor", "demo-data", "setup-r"}   # commands that read no user table
# path options that name a folder, not a table
NOT_TABLES = {"setup-r": {"lib"}}
OUTPUT_OPTIONS = {"out", "config", "efficientnet_weights", "model"}


def subcommands() -> dict[str, set[str]]:
    """Every sub-command (``drf train`` …) with its file options (type=Path, not outputs)."""
    def walk(p: argparse.ArgumentParser, prefix: str, out: dict) -> None:
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if subs:
            for name, sp in subs[0].choices.items():
                walk(sp, f"{prefix} {name}".strip(), out)
            return
        out[prefix] = {a.dest for a in p._actions if a.type is Path
                       and a.dest not in OUTPUT_OPTIONS}

    out: dict[str, set[str]] = {}
    walk(build_parser(), "", out)
    return out


def test_every_subcommand_is_covered():
    covered = {e.command.split()[0] if e.command.startswith("predict") else e.command
               for e in ENTRIES + COHORT_ENTRIES}
    opts: dict[str, set[str]] = {}
    for e in ENTRIES:
        cmd = "predict" if e.command.startswith("predict") else e.command
        opts.setdefault(cmd, set()).add(e.table.lstrip("-").replace("-", "_"))
    for e in COHORT_ENTRIES:
        opts.setdefault(e.command, set()).update({"cohort", "dir"})
    for cmd, file_opts in subcommands().items():
        file_opts = set(file_opts) - NOT_TABLES.get(cmd, set())
        if not file_opts:
            assert cmd in NO_TABLE or cmd in covered, f"{cmd}: reads no table? add it to NO_TABLE"
            continue
        assert cmd in covered, f"sub-command {cmd!r} reads {file_opts} but has no table cases"
        missing = file_opts - opts[cmd] - {"cohort", "dir", "features"} \
            if cmd in COHORT_COMMANDS else file_opts - opts[cmd]
        if cmd == "explore":
            missing -= {"crf"}  # read by read_features like --features (cases below)
        assert not missing, f"{cmd}: file option(s) {missing} have no table cases"


def test_explore_crf_option(small_cohort, tmp_path, capsys, monkeypatch):
    """explore --crf goes through the feature reader: a duplicated column is refused."""
    f = features_of(small_cohort, tmp_path)
    crf = tmp_path / "crf.csv"
    shutil.copy(f, crf)
    mutate(crf, "dup_column", Spec("image_id", "fea_1", other="fea_2"))
    _stubs(monkeypatch, "explore")
    rc, out, err = run_cli(["explore", "--features", str(f), "--crf", str(crf), "--cohort",
                            str(small_cohort), "--out", str(tmp_path / "o"), "--no-genes"],
                           capsys)
    check(rc, out, err, E("fea_1", "duplicated column"), crf)


EXPLORE_F = Spec("image_id", "fea_1", other="fea_2", key="patient_id", unknown_col="patient_id")
EXPLORE_EXPECT = generic(EXPLORE_F, one_row=E("at least 2"), wrong_header=E("patient_id"),
                         dup_id=E("appears more than once"), unknown_id=OK(SENTINEL),
                         constant=OK(SENTINEL))


@pytest.mark.parametrize("case", CASES)
def test_explore_features_option(case, small_cohort, tmp_path, capsys, monkeypatch):
    f = features_of(small_cohort, tmp_path)
    mutate(f, case, EXPLORE_F)
    _stubs(monkeypatch, "explore")
    rc, out, err = run_cli(["explore", "--features", str(f), "--cohort", str(small_cohort),
                            "--out", str(tmp_path / "o"), "--no-genes"], capsys, monkeypatch)
    check(rc, out, err, EXPLORE_EXPECT[case], f)
