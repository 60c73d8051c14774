"""How much genefu's TAMR13 gene IDs change the score: faithful vs corrected table on real data.

    python data-raw/measure_tamr13.py [REAL_DATA]     (from the repository root)

REAL_DATA defaults to ../shared/data/real (the folder ``tests/conftest.py`` uses). Reads the
real TCGA-BRCA and GEO breast expression matrices of ``tcga_brca_expression/`` (see its
PROVENANCE.md), scores TAMR13 with gene mapping twice — genefu's ``sig.tamr13`` table and the
corrected one (``r/inst/extdata/genefu/sig_tamr13_corrected.csv``) — and writes
``data-raw/tamr13_difference.csv``. ``tests/test_tamr13_ids.py`` recomputes the first data set
and checks it against this table.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATASETS = {
    # name: (file, kind) — counts are turned into log2(CPM + 1); "log2" is used as it is
    "TCGA-BRCA RNA-seq, ER set (PathAnalyser, 60 tumours)":
        ("pathanalyser_ER_TCGA_RNAseq.tsv", "counts"),
    "TCGA-BRCA RNA-seq, HER2 set (PathAnalyser, 60 tumours)":
        ("pathanalyser_HER2_TCGA_RNAseq.tsv", "counts"),
    "GEO GSE31448 microarray (PathAnalyser, 60 tumours)":
        ("pathanalyser_ER_GEO_microarr.tsv", "log2"),
}


def tamr13_genes() -> set[float]:
    from pyradiogen.resources import extdata

    ids: set[float] = set()
    for f in ("sig_tamr13.csv", "sig_tamr13_corrected.csv"):
        tab = pd.read_csv(extdata("genefu", f))
        ids.update(pd.to_numeric(tab["EntrezGene.ID"], errors="coerce").dropna().astype(float))
    return ids


def _tamr13_corrected_path() -> Path:
    from pyradiogen.resources import extdata

    return extdata("genefu", "sig_tamr13_corrected.csv")


def load(path: Path, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Samples x genes (log2) restricted to the genes either TAMR13 table can map, and the
    genefu annotation (probe = symbol, Entrez ID from org.Hs.eg.db)."""
    from pyradiogen.genomics.expression import symbols_to_entrez

    values = pd.read_csv(path, sep="\t", index_col=0)
    values = values[~values.index.duplicated()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # symbols without an Entrez ID are simply not used
        entrez = symbols_to_entrez([str(s) for s in values.index])
    keep = entrez.astype("Float64").isin(tamr13_genes()).fillna(False).to_numpy(dtype=bool)
    if kind == "counts":
        values = values / values.sum() * 1e6
        values = np.log2(values + 1)
    expr = values[keep].T.astype(float)
    annot = pd.DataFrame({"probe": expr.columns, "EntrezGene.ID": entrez[keep].to_numpy(float),
                          "symbol": expr.columns})
    return expr, annot


def compare(expr: pd.DataFrame, annot: pd.DataFrame) -> dict:
    """TAMR13 with genefu's table and with the corrected one; how far apart they are."""
    from scipy import stats

    from pyradiogen.genomics.signatures import call_signature

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the faithful table's warning; genes absent from data
        faithful = call_signature("tamr13", expr, annot, table="genefu")
        corrected = call_signature("tamr13", expr, annot, table="corrected")
    a = np.asarray(faithful["score"], dtype=float)
    b = np.asarray(corrected["score"], dtype=float)
    ca = pd.DataFrame(faithful["cluster.scores"])
    cb = pd.DataFrame(corrected["cluster.scores"])
    fix = pd.read_csv(_tamr13_corrected_path())
    genes = fix.drop_duplicates(["symbol", "genefu.EntrezGene.ID"])
    present = set(annot["EntrezGene.ID"].dropna().astype(float))
    rank_a = stats.rankdata(a)
    rank_b = stats.rankdata(b)
    return {
        "samples": len(a),
        "genes_read_genefu": int(genes["genefu.EntrezGene.ID"].isin(present).sum()),
        "genes_read_corrected": int(genes["EntrezGene.ID"].isin(present).sum()),
        "genefu_reads_other_gene": int((genes["id.status"].eq("differs")
                                        & genes["genefu.EntrezGene.ID"].isin(present)).sum()),
        "pearson_r": float(np.corrcoef(a, b)[0, 1]),
        "spearman_rho": float(stats.spearmanr(a, b).statistic),
        "mean_diff_over_sd": float(np.mean(b - a) / np.std(a, ddof=1)),
        "mean_abs_diff_over_sd": float(np.mean(np.abs(a - b)) / np.std(a, ddof=1)),
        "max_rank_change": int(np.max(np.abs(rank_a - rank_b))),
        "clusters_changed": int(sum(not np.allclose(ca[c], cb[c]) for c in ca.columns)),
        "same_top_quartile": float(np.mean((a >= np.quantile(a, 0.75))
                                           == (b >= np.quantile(b, 0.75)))),
    }


def main(real: Path) -> pd.DataFrame:
    rows = []
    folder = real / "tcga_brca_expression"
    for name, (file, kind) in DATASETS.items():
        expr, annot = load(folder / file, kind)
        rows.append({"data": name, "file": file, **compare(expr, annot)})
    out = pd.DataFrame(rows)
    out.to_csv(HERE / "tamr13_difference.csv", index=False, float_format="%.6g")
    return out


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent / "shared" / "data" / "real"
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(main(root))
