"""Table 1 in the report: each characteristic's NA row directly under its own levels.

The published Table 1 of study liu2023 has one NA row (HER2); this run's Table 1 has one per
characteristic with missing values. Beside the published table, the rows the paper lacks stay
in their own characteristic (they used to follow the last published row, HER2 NA). Run on the
real TCGA 2012 clinical table (825 patients).
"""

from __future__ import annotations

import pytest
from _helpers import html_tables

from pyradiogen.cohort.assemble import table1
from pyradiogen.cohort.clinical import read_clinical
from pyradiogen.replicate.report import Report, published_row_order
from pyradiogen.replicate.stage import Artefacts
from pyradiogen.studies import kim2020, liu2023

#: this run's Table 1 of the 825 patients, in the order the report must show it
LIU = [["Patients", "n", "825"],
       ["Age", "range", "26–90"], ["Age", "mean", "58.04"], ["Age", "SD", "13.21"],
       ["T (>2 cm)", "positive", "578"], ["T (>2 cm)", "negative", "210"],
       ["T (>2 cm)", "NA", "37"],
       ["N", "positive", "406"], ["N", "negative", "385"], ["N", "NA", "34"],
       ["ER", "positive", "601"], ["ER", "negative", "179"], ["ER", "NA", "45"],
       ["PR", "positive", "522"], ["PR", "negative", "255"], ["PR", "NA", "48"],
       ["HER2", "positive", "114"], ["HER2", "negative", "652"], ["HER2", "NA", "59"],
       ["PAM50", "LumA", "231"], ["PAM50", "LumB", "127"], ["PAM50", "Her2", "58"],
       ["PAM50", "Basal", "98"], ["PAM50", "Normal", "8"]]


@pytest.fixture(scope="module")
def report_html(real_data, tmp_path_factory) -> str:
    clinical, _ = read_clinical(real_data / "tcga2012_clinical" /
                                "tcga2012_nature_supp_table1.csv")
    d = tmp_path_factory.mktemp("table1")
    table1(clinical, liu2023.PUBLISHED_TABLE1).to_csv(d / "liu.csv", index=False)
    table1(clinical, kim2020.PUBLISHED_TABLE1).to_csv(d / "kim.csv", index=False)
    art = Artefacts({"liu2023_table1": d / "liu.csv", "kim2020_table1": d / "kim.csv"})
    rep = Report("Table 1", {})
    liu2023.report(rep, art, {})
    kim2020.report(rep, art, {})
    return rep.render()


def _ours(html: str, title: str) -> list[list[str]]:
    [t] = [t for t in html_tables(html) if t.get("h3") == title and t.get("h4") == "This run"]
    assert t["rows"][0] == ["characteristic", "level", "value"]
    return t["rows"][1:]


def test_liu2023_na_rows_under_their_characteristic(report_html):
    rows = _ours(report_html, "Table 1: participant characteristics")
    assert rows == LIU
    # T and ER: positive, negative, NA, then the next characteristic
    at = rows.index(["T (>2 cm)", "NA", "37"])
    assert rows[at - 2:at + 2] == [["T (>2 cm)", "positive", "578"],
                                   ["T (>2 cm)", "negative", "210"],
                                   ["T (>2 cm)", "NA", "37"], ["N", "positive", "406"]]
    at = rows.index(["ER", "NA", "45"])
    assert rows[at - 1:at + 2] == [["ER", "negative", "179"], ["ER", "NA", "45"],
                                   ["PR", "positive", "522"]]
    # the published NA row (HER2) is the last of HER2's rows, the subtypes follow
    assert rows[18:20] == [["HER2", "NA", "59"], ["PAM50", "LumA", "231"]]


def test_kim2020_rows_the_paper_lacks_stay_in_their_group(report_html):
    """kim2020's published Table 1 has the patients and four subtypes only."""
    rows = _ours(report_html, "Table 1: cohort")
    # characteristics the paper lacks follow the one before them in our table (Patients);
    # the subtypes come in the published order, Normal (not published) last among them
    assert rows == LIU[:19] + [["PAM50", "Basal", "98"], ["PAM50", "Her2", "58"],
                               ["PAM50", "LumA", "231"], ["PAM50", "LumB", "127"],
                               ["PAM50", "Normal", "8"]]


def test_published_row_order_one_key_keeps_extras_last():
    paper = [("aurka",), ("esr1",), ("ggi",)]
    ours = [("ggi",), ("tamr",), ("aurka",), ("esr1",)]
    assert published_row_order(paper, ours) == [2, 3, 0, 1]
    # two keys: a group the paper lacks first in ours stays first
    paper = [("b", "x"), ("b", "y")]
    ours = [("a", "1"), ("b", "y"), ("b", "z"), ("b", "x"), ("c", "1")]
    assert published_row_order(paper, ours) == [0, 3, 1, 2, 4]
