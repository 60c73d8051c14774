"""The HTML report's layout: long tables cut to the inline limit with a link to the full CSV,
published and our tables in one layout, degenerate AUCs flagged, the contents on the first
screen of a headless Chromium window."""

from __future__ import annotations

import time
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pyradiogen.predict.modes import auc_display, degenerate_auc, flag_degenerate
from pyradiogen.replicate.report import (
    MAX_INLINE_ROWS,
    Report,
    align_to_published,
    merged_values,
    truncate,
)


class _Tables(HTMLParser):
    """Body rows of every <table>, the links and the captions of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[int] = []
        self.links: list[str] = []
        self.first_cells: list[list[str]] = []
        self._depth = 0
        self._in_body = False
        self._cell = False
        self._row_first: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.rows.append(0)
            self.first_cells.append([])
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows[-1] += 1
            self._row_first = None
        elif tag in ("td", "th") and self._in_body and self._row_first is None:
            self._cell, self._text = True, ""
        elif tag == "a":
            self.links.append(dict(attrs).get("href", ""))

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag in ("td", "th") and self._cell:
            self._cell = False
            self._row_first = self._text
            self.first_cells[-1].append(self._text.strip())

    def handle_data(self, data):
        if self._cell:
            self._text += data


def _parse(html: str) -> _Tables:
    p = _Tables()
    p.feed(html)
    return p


def _long_table(n: int = 300, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = rng.uniform(1e-6, 0.05, n)
    return pd.DataFrame({"feature": [f"f{i}" for i in range(n)], "gf": "KEGG_X",
                         "p_value": p / 3, "p_adj": p})


def test_truncate_sorts_and_cuts_to_the_limit():
    df = _long_table()
    shown, n = truncate(df, 25, sort_by="p_adj")
    assert n == 300 and len(shown) == 25
    assert shown["p_adj"].is_monotonic_increasing
    assert shown["p_adj"].iloc[0] == df["p_adj"].min()
    shown, _ = truncate(df.assign(count=np.arange(300)), 25, sort_by="count", ascending=False)
    assert list(shown["count"][:3]) == [299, 298, 297]
    short, n = truncate(df.head(10), 25, sort_by="p_adj")
    assert n == 10 and len(short) == 10


def test_long_table_shows_top_rows_and_links_the_full_csv(tmp_path):
    df = _long_table()
    run_csv = tmp_path / "tables" / "liu2023_fig5f_crfs.csv"
    run_csv.parent.mkdir()
    df.to_csv(run_csv, index=False)
    rep = Report("t", {"cohort": "x"})
    sec = rep.section("Associations")
    rep.table(sec, "Fig 5f: significant CRF–GF pairs", df, "pairs with BH p < 0.05",
              csv=run_csv, sort_by="p_adj")
    rep.table(sec, "A long table without a CSV", df.assign(count=np.arange(300)), "counts",
              sort_by="count", ascending=False)
    rep.table(sec, "Short", df.head(5), "five rows")
    html = rep.write(tmp_path / "report.html").read_text()
    parsed = _parse(html)
    body_rows = parsed.rows[1:]  # the first table holds the run settings
    assert body_rows == [MAX_INLINE_ROWS, MAX_INLINE_ROWS, 5]
    assert f"showing {MAX_INLINE_ROWS} of 300 rows" in html
    assert "tables/liu2023_fig5f_crfs.csv" in parsed.links  # relative to the report
    # the smallest adjusted p is the first row shown
    assert parsed.first_cells[1][0] == df.loc[df["p_adj"].idxmin(), "feature"]
    # a table without a CSV gets one written beside the report, linked relatively
    written = [h for h in parsed.links if h.startswith("tables/report_")]
    assert len(written) == 1
    full = pd.read_csv(tmp_path / written[0])
    assert len(full) == 300 and full["count"].max() == 299
    assert parsed.first_cells[2][0] == df.loc[299, "feature"]  # largest count first
    assert "<p class='caption'>pairs with BH p &lt; 0.05</p>" in html


def test_compare_aligns_rows_columns_and_orientation():
    paper = pd.DataFrame({"score": ["AURKA", "ESR1", "GGI"], "adj_r2": [0.2, 0.15, 0.18],
                          "p_value": ["<0.001"] * 3})
    ours = pd.DataFrame({"note": ["", "", "", ""], "p_value": [0.01, 0.02, 0.03, 0.04],
                         "score": ["GGI", "TamR", "AURKA", "ESR1"],
                         "r2": [0.3, 0.1, 0.25, 0.2]})
    out = align_to_published(paper, ours, key="score", rename={"r2": "adj_r2"})
    assert list(out["score"]) == ["AURKA", "ESR1", "GGI", "TamR"]  # published order, extras last
    assert list(out.columns) == ["score", "adj_r2", "p_value", "note"]
    assert out.set_index("score").loc["GGI", "adj_r2"] == 0.3

    # ours transposed relative to the paper (scores as rows instead of columns)
    pub = pd.DataFrame({"GENE70": [3, 2], "GGI": [2, 2]},
                       index=pd.Index(["shape", "GLCM"], name="feature_class"))
    mine = pd.DataFrame({"GLCM": [1, 4, 0], "shape": [5, 6, 1]},
                        index=pd.Index(["GGI", "GENE70", "ESR1"], name="score"))
    out = align_to_published(pub, mine)
    assert list(out.index) == ["shape", "GLCM"]
    assert list(out.columns) == ["GENE70", "GGI", "ESR1"]
    assert out.loc["shape", "GENE70"] == 6

    # named quantities: one table, published beside ours on every row
    merged = merged_values({"top DRF": "fea_4043", "DRFs associated with rorS": 1395},
                           pd.DataFrame({"value": ["fea_49", 7]},
                                        index=["top DRF", "GFs associated with any DRF"]))
    assert list(merged["quantity"]) == ["top DRF", "DRFs associated with rorS",
                                        "GFs associated with any DRF"]
    assert merged.iloc[0].tolist() == ["top DRF", "fea_4043", "fea_49"]
    assert merged.iloc[1]["this run"] is None and merged.iloc[2]["published"] is None


def test_compare_renders_ours_in_the_published_layout(tmp_path):
    rep = Report("t", {})
    sec = rep.section("s")
    paper = pd.DataFrame({"characteristic": ["Patients", "ER", "ER"],
                          "level": ["n", "positive", "negative"], "value": ["110", "86", "24"]})
    ours = pd.DataFrame({"characteristic": ["ER", "Patients", "ER"],
                         "level": ["negative", "n", "positive"], "value": ["4", "24", "20"]})
    rep.compare(sec, "Table 1", paper, ours, key=["characteristic", "level"],
                caption="counts of patients")
    parsed = _parse(rep.write(tmp_path / "r.html").read_text())
    assert parsed.first_cells[1] == parsed.first_cells[2] == ["Patients", "ER", "ER"]


def test_degenerate_auc_is_flagged_with_its_reason():
    assert degenerate_auc(0.81, 0.62, 0.95, 40, 12) == ""
    assert degenerate_auc(1.0, 1.0, 1.0, 4, 2) == (
        "degenerate: n_test = 4, AUC 1 with CI [1, 1]: test set separated perfectly")
    assert degenerate_auc(float("nan"), float("nan"), float("nan"), 4, 4) == (
        "degenerate: n_test = 4, one class")
    assert degenerate_auc(0.75, float("nan"), float("nan"), 5, 1) == (
        "degenerate: n_test = 5, CI not computable")
    t = pd.DataFrame({"characteristic": ["T", "ER", "PR"], "auc": [0.8, 1.0, np.nan],
                      "ci_low": [0.6, 1.0, np.nan], "ci_high": [0.95, 1.0, np.nan],
                      "ci_method": "DeLong", "n_test": [30, 4, 3],
                      "n_positive_test": [10, 2, 0]})
    flags = flag_degenerate(t)
    assert flags.tolist()[0] == "" and "[1, 1]" in flags[1] and "one class" in flags[2]
    shown = auc_display(t)
    assert "auc" not in shown.columns and "ci_low" not in shown.columns
    col = shown["AUC (95% CI)"].tolist()
    assert col[0] == "0.80 [0.60, 0.95]" and shown["CI method"].iloc[0] == "DeLong"
    assert col[1].startswith("⚠ degenerate: n_test = 4") and col[2].startswith("⚠ degenerate")


@pytest.fixture(scope="module")
def small_report(tmp_path_factory) -> Path:
    """A report of many sections with a long, a wide and a compared table and one figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = tmp_path_factory.mktemp("report")
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    fig.savefig(out / "fig.png")
    plt.close(fig)
    stages = pd.DataFrame({"stage": [f"stage-{i}" for i in range(13)], "study": "liu2023",
                           "status": "reused", "time of the producing run":
                           "reused from 2026-05-01 10:32:00 UTC (ran in 12.3 s)",
                           "missing input": ""})
    rep = Report("pyradiogen replicate: Liu & Hu 2023 and Kim et al. 2020",
                 {"cohort": "demo", "preset": "paper", "seed": 101}, stages=stages)
    for i in range(40):
        rep.deviation(f"Deviation {i}: a long explanation of what differs and why. " * 2)
    for i in range(14):
        sec = rep.section(f"Study {1 + i // 7} — section {i} with a realistic title", "cite")
        rep.table(sec, "Fig 5f: significant CRFs", _long_table(5861, seed=i),
                  "pairs", sort_by="p_adj")
        wide = pd.DataFrame(np.arange(60.0).reshape(2, 30),
                            columns=[f"a_rather_long_column_name_{j}" for j in range(30)])
        rep.table(sec, "A wide table", wide, "thirty columns")
        rep.compare(sec, "Counts", {"a": 1, "b": 2}, pd.DataFrame({"value": [3]}, index=["a"]),
                    caption="counts")
        rep.figure(sec, out / "fig.png", "a line", title="A figure")
    return rep.write(out / "report.html")


def test_report_first_screen_shows_the_contents_in_chromium(small_report):
    """Headless Chromium at 1280 × 800: the contents list lies on the first screen, no table
    holds more rows than the inline limit, wide tables scroll inside their box (the page does
    not overflow sideways) and the figures decode."""
    from pyradiogen.replicate.browser import page_metrics

    t0 = time.perf_counter()
    m = page_metrics(small_report, width=1280, height=800)
    assert time.perf_counter() - t0 < 60
    # Chromium's window of 1280 × 800 leaves about 660 px of page (window decorations)
    assert m["viewport-width"] == 1280 and 600 <= m["viewport-height"] <= 800
    assert 0 <= m["contents-top"] < m["contents-bottom"] <= m["viewport-height"]
    assert m["tables"] >= 14 * 3
    assert 0 < m["max-table-rows"] <= MAX_INLINE_ROWS
    assert m["page-overflow-x"] <= 0
    assert m["images-rendered"] == m["images-total"] == 14
    # the same limit read from the HTML itself
    parsed = _parse(small_report.read_text())
    assert max(parsed.rows) == MAX_INLINE_ROWS
    assert sum(h.startswith("tables/report_") for h in parsed.links) == 14
