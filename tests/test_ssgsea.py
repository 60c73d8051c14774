"""ssGSEA: the fast engine against a direct running-sum implementation and against GSVA 1.46."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from pyradiogen.cohort.tables import read_gmt
from pyradiogen.genomics.genesets import (
    GeneSetWarning,
    intersect_gene_sets,
    map_gene_sets,
    write_gmt,
)
from pyradiogen.genomics.ssgsea import (
    SSGSEA,
    max_relative_difference,
    rank_weights,
    ssgsea,
    ssgsea_features,
)

RTOL = 1e-8  # parity tolerance, elementwise relative


def _naive_es(x: np.ndarray, genes: list[str], sets: dict[str, list[str]], alpha: float = 0.25,
              min_size: int = 1, max_size: float = math.inf) -> pd.DataFrame:
    """Spec §3-§4 written as loops: truncated average ranks, stable decreasing order, sum of the
    differences of the two running sums over all positions."""
    n, s = x.shape
    first = {}
    for i, g in enumerate(genes):
        first.setdefault(g, i)
    mapped = {k: [first[g] for g in v if g in first] for k, v in sets.items()}
    mapped = {k: v for k, v in mapped.items() if max(1, min_size) <= len(v) <= max_size}
    out = np.zeros((len(mapped), s))
    for j in range(s):
        col = x[:, j]
        ranks = np.empty(n)
        for g in range(n):  # average rank, then truncated
            less = np.sum(col < col[g])
            eq = np.sum(col == col[g])
            ranks[g] = int(less + (eq + 1) / 2)
        order = sorted(range(n), key=lambda g: (-ranks[g], g))
        w = ranks ** alpha
        for r, idx in enumerate(mapped.values()):
            counts = np.zeros(n)
            for g in idx:
                counts[g] += 1
            k = len(idx)
            tot_in = sum(w[g] for g in idx)
            p_in = p_out = 0.0
            es = 0.0
            for g in order:
                p_in += counts[g] * w[g] / tot_in
                p_out += (counts[g] == 0) / (n - k)
                es += p_in - p_out
            out[r, j] = es
    return pd.DataFrame(out, index=list(mapped))


def _random_case(seed: int, n: int = 40, s: int = 6):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 6, size=(n, s)).astype(float)  # heavy ties
    x[:, 0] = rng.normal(size=n)  # one sample without ties
    x[7] = 2.0  # a constant gene
    genes = [f"G{i}" for i in range(n)]
    genes[12] = genes[3]  # duplicated row name: the first row is used
    sets = {f"set{k}": list(rng.choice(genes + ["ABSENT1", "ABSENT2"],
                                       size=int(rng.integers(2, 12))))
            for k in range(7)}
    sets["all_absent"] = ["ABSENT1", "NOPE"]
    sets["single"] = ["G5", "NOPE"]
    sets["repeated"] = ["G1", "G1", "G2", "G30"]
    expr = pd.DataFrame(x, index=genes, columns=[f"S{j}" for j in range(s)])
    return expr, sets


# --------------------------------------------------------------------------- without R

def test_hand_example_raw_score():
    # 4 genes, values 1..4: ranks 1..4; set {g4, g2} sits at positions 1 and 3 (q = 4 and 2)
    expr = pd.DataFrame({"s": [1.0, 2.0, 3.0, 4.0]}, index=["g1", "g2", "g3", "g4"])
    got = ssgsea(expr, {"S": ["g4", "g2"]}, normalize=False).loc["S", "s"]
    w4, w2 = 4 ** 0.25, 2 ** 0.25
    expected = (w4 * 4 + w2 * 2) / (w4 + w2) - (10 - 6) / 2
    assert got == pytest.approx(expected, rel=1e-14)
    assert got == pytest.approx(1.0864272337258902, rel=1e-12)


def test_truncated_ranks_and_stable_positions():
    x = np.array([[3.0], [1.0], [3.0], [2.0], [3.0], [1.0]])
    ranks, w, q = rank_weights(x)
    # average ranks 5,1.5,5,3,5,1.5 -> truncated 5,1,5,3,5,1
    assert ranks[:, 0].tolist() == [5, 1, 5, 3, 5, 1]
    # decreasing order, ties in row order: rows 0,2,4,3,1,5 -> q = 6,5,4,3,2,1
    assert q[:, 0].tolist() == [6, 2, 5, 3, 4, 1]
    np.testing.assert_allclose(w[:, 0], np.array([5, 1, 5, 3, 5, 1]) ** 0.25)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("kw", [{}, {"min_size": 3}, {"max_size": 5}])
def test_fast_equals_running_sum_definition(seed, kw):
    expr, sets = _random_case(seed)
    # the running-sum definition equals GSVA's closed form only for sets without repeats
    # (GSVA counts a repeated gene twice; that case is checked against R below)
    sets = {k: list(dict.fromkeys(v)) for k, v in sets.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GeneSetWarning)
        fast = ssgsea(expr, sets, normalize=False, **kw)
    naive = _naive_es(expr.to_numpy(), list(expr.index), sets, **kw)
    assert list(fast.index) == list(naive.index)
    assert max_relative_difference(fast.to_numpy(), naive.to_numpy()) < RTOL


def test_normalisation_is_over_the_whole_batch():
    expr, sets = _random_case(4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GeneSetWarning)
        est = SSGSEA(sets)
        full = est.fit_transform(expr)
        raw = est.raw_scores_
        sub = ssgsea(expr.iloc[:, :3], sets)
        sub_raw = ssgsea(expr.iloc[:, :3], sets, normalize=False)
    assert est.scale_ == pytest.approx(raw.to_numpy().max() - raw.to_numpy().min())
    np.testing.assert_allclose(full.to_numpy(), raw.to_numpy() / est.scale_, rtol=1e-15)
    # raw scores are per sample; normalised ones depend on the batch
    np.testing.assert_allclose(sub_raw.to_numpy(), raw.iloc[:, :3].to_numpy(), rtol=1e-14)
    assert not np.allclose(sub.to_numpy(), full.iloc[:, :3].to_numpy())
    assert full.to_numpy().max() - full.to_numpy().min() == pytest.approx(1.0)


def test_torch_cpu_path_matches_numpy():
    expr, sets = _random_case(5, n=80, s=9)
    expr.iloc[3, 2] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GeneSetWarning)
        a = ssgsea(expr, sets, normalize=False, device="numpy", na="propagate")
        b = ssgsea(expr, sets, normalize=False, device="cpu", na="propagate")
    assert max_relative_difference(a, b) < 1e-13
    assert np.isnan(a.to_numpy()).sum() == np.isnan(b.to_numpy()).sum() > 0


def test_chunked_scoring_equals_one_block():
    from pyradiogen.genomics.ssgsea import ssgsea_fast

    expr, sets = _random_case(6, n=50, s=11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GeneSetWarning)
        mapped = list(map_gene_sets(sets, list(expr.index)).values())
    one = ssgsea_fast(expr.to_numpy(), mapped, device="numpy")
    chunked = ssgsea_fast(expr.to_numpy(), mapped, device="numpy", chunk_size=4)
    np.testing.assert_array_equal(one, chunked)


def test_map_gene_sets_like_gsva():
    genes = ["A", "B", "C", "A", "D"]
    sets = {"s1": ["A", "X", "A", "C"], "s2": ["X", "Y"], "s3": ["D"], "s4": ["B", "C", "D"]}
    with pytest.warns(GeneSetWarning, match="size one"):
        m = map_gene_sets(sets, genes, duplicate_members="keep")  # GSVA 1.46
    assert list(m) == ["s1", "s3", "s4"]  # empty set dropped, order kept
    assert m["s1"].tolist() == [0, 0, 2]  # first row of duplicated 'A'; repeat kept
    m2 = map_gene_sets(sets, genes, min_size=2, max_size=3, duplicate_members="keep")
    assert list(m2) == ["s1", "s4"]
    assert intersect_gene_sets(sets, genes, min_size=3, duplicate_members="keep") == {
        "s1": ["A", "A", "C"], "s4": ["B", "C", "D"]}
    # default (GSVA >= 1.50): the repeat is removed, with a warning naming set and gene
    with pytest.warns(GeneSetWarning, match=r"counted once .*s1: A"):
        m3 = map_gene_sets(sets, genes)
    assert m3["s1"].tolist() == [0, 2]
    with pytest.raises(ValueError, match="no gene of any gene set"):
        map_gene_sets({"s": ["X"]}, genes)
    with pytest.raises(ValueError, match="relax min_size"):
        map_gene_sets(sets, genes, min_size=4)


def test_gmt_round_trip_and_errors(tmp_path):
    sets = {"KEGG_A": ["G1", "G2", "G2"], "KEGG_B": ["G3"]}
    path = write_gmt(sets, tmp_path / "x.gmt", {"KEGG_A": "http://a"})
    assert path.read_text().splitlines()[0] == "KEGG_A\thttp://a\tG1\tG2\tG2"
    (tmp_path / "y.gmt").write_text(path.read_text() + "KEGG_C\tNA\tG4\t\t\n")
    assert read_gmt(tmp_path / "y.gmt") == {**sets, "KEGG_C": ["G4"]}
    (tmp_path / "dup.gmt").write_text("S\tNA\tA\nS\tNA\tB\n")
    with pytest.raises(ValueError, match="line 1"):
        read_gmt(tmp_path / "dup.gmt")


def test_bundled_kegg_has_186_sets():
    from pyradiogen.genomics.genesets import kegg_gene_sets

    sets = kegg_gene_sets()
    assert len(sets) == 186
    assert sum(len(v) for v in sets.values()) == 12797
    assert len({g for v in sets.values() for g in v}) == 5245


def test_features_orientation():
    expr, sets = _random_case(8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GeneSetWarning)
        a = ssgsea(expr, sets)
        b = ssgsea_features(expr.T, sets)
    assert list(b.index) == list(expr.columns)
    assert list(b.columns) == list(a.index)
    np.testing.assert_array_equal(a.to_numpy().T, b.to_numpy())


# --------------------------------------------------------------------------- against GSVA


def _quiet_r(fn, *args, **kw):
    from pyradiogen.rbridge import RWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RWarning)
        warnings.simplefilter("ignore", GeneSetWarning)
        return fn(*args, **kw)


@pytest.mark.r
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("kw", [{}, {"min_size": 3}, {"max_size": 5}, {"normalize": False},
                                {"alpha": 1.0}, {"duplicate_members": "keep"},
                                {"duplicate_members": "keep", "normalize": False}])
def test_fast_equals_gsva_random(seed, kw):
    expr, sets = _random_case(seed)
    fast = _quiet_r(ssgsea, expr, sets, engine="fast", **kw)
    r = _quiet_r(ssgsea, expr, sets, engine="r", **kw)
    assert list(fast.index) == list(r.index)
    assert list(fast.columns) == list(r.columns)
    assert max_relative_difference(fast, r) < RTOL


@pytest.mark.r
def test_fast_equals_gsva_with_missing_values():
    expr, sets = _random_case(3)
    expr.iloc[2, 1] = np.nan
    expr.iloc[20, 1] = np.nan
    raw_f = _quiet_r(ssgsea, expr, sets, normalize=False, na="propagate")
    raw_r = _quiet_r(ssgsea, expr, sets, engine="r", normalize=False, na="propagate")
    assert np.isnan(raw_f.to_numpy()).any()
    assert max_relative_difference(raw_f, raw_r) < RTOL  # NaN positions agree too
    norm_f = _quiet_r(ssgsea, expr, sets, na="propagate")
    norm_r = _quiet_r(ssgsea, expr, sets, engine="r", na="propagate")
    assert np.isnan(norm_f.to_numpy()).all() and np.isnan(norm_r.to_numpy()).all()


def demo_like_expression(n_samples: int = 16, seed: int = 11) -> pd.DataFrame:
    """log2(TPM + 1)-like genes × samples over the demo gene universe (many exact zeros)."""
    from pathlib import Path

    import pyradiogen

    uni = pd.read_csv(Path(pyradiogen.__file__).parent / "demo" / "data" / "gene_universe.tsv",
                      sep="\t")
    genes = uni["gene_name"].astype(str).tolist()
    rng = np.random.default_rng(seed)
    base = rng.gamma(0.6, 20.0, size=len(genes))
    tpm = base[:, None] * rng.lognormal(0.0, 0.7, size=(len(genes), n_samples))
    tpm[rng.random(tpm.shape) < 0.15] = 0.0
    tpm = np.round(tpm, 3)  # TPM as GDC writes it: 3-4 decimals, hence ties
    return pd.DataFrame(np.log2(tpm + 1), index=genes,
                        columns=[f"TCGA-XX-{i:04d}" for i in range(n_samples)])


@pytest.mark.r
def test_fast_equals_gsva_on_demo_like_matrix_with_kegg():
    from pyradiogen.genomics.genesets import kegg_gene_sets

    expr = demo_like_expression()
    sets = kegg_gene_sets()
    fast = _quiet_r(ssgsea, expr, sets)
    r = _quiet_r(ssgsea, expr, sets, engine="r")
    assert fast.shape == r.shape and fast.shape[1] == 16 and fast.shape[0] > 150
    assert list(fast.index) == list(r.index)
    assert max_relative_difference(fast, r) < RTOL


@pytest.mark.r
def test_demo_cohort_parity(demo_cohort_dir):
    from pyradiogen.cohort import load_cohort
    from pyradiogen.genomics.config import GenomicsConfig
    from pyradiogen.genomics.expression import cohort_expression
    from pyradiogen.genomics.ssgsea import pathway_scores

    c = load_cohort(demo_cohort_dir)
    expr = cohort_expression(c)  # log2(TPM + 1), patients × genes
    fast = _quiet_r(pathway_scores, c, GenomicsConfig(), expr)
    r = _quiet_r(pathway_scores, c, GenomicsConfig(ssgsea_engine="r"), expr)
    assert list(fast.index) == list(expr.index)  # every patient scored
    assert fast.shape[1] == 186 and list(fast.columns) == list(c.gene_sets)
    assert max_relative_difference(fast, r) < RTOL


@pytest.mark.r
def test_r_wrapper_agrees_with_python(tmp_path):
    from pyradiogen import rbridge

    rbridge.library("pyradiogen")
    expr, sets = _random_case(9)
    sets = {k: v for k, v in sets.items() if k != "single"}
    path = write_gmt(sets, tmp_path / "s.gmt")
    via_r = _quiet_r(rbridge.rcall, "pyradiogen::pyradiogen_ssgsea",
                     rbridge.RMatrix.from_frame(expr.T), str(path), samples_as_rows=True,
                     min_size=2)
    py = _quiet_r(ssgsea_features, expr.T, read_gmt(path), min_size=2,
                  duplicate_members="keep")  # the R wrapper calls GSVA 1.46 as it is
    assert list(via_r.columns) == list(py.columns)
    assert max_relative_difference(py.to_numpy(), via_r.to_numpy()) < RTOL


@pytest.mark.r
def test_cli_both_engines(tmp_path):
    from pyradiogen.cli import main

    expr, sets = _random_case(10)
    expr = expr[~expr.index.duplicated()]
    sets = {k: v for k, v in sets.items() if k != "single"}
    expr.T.rename_axis("sample").to_csv(tmp_path / "expr.csv")
    write_gmt(sets, tmp_path / "s.gmt")
    outs = {}
    for engine in ("r", "fast"):
        out = tmp_path / f"{engine}.csv"
        rc = _quiet_r(main, ["ssgsea", "--expr", str(tmp_path / "expr.csv"), "--gmt",
                             str(tmp_path / "s.gmt"), "--engine", engine, "--out", str(out)])
        assert rc == 0
        outs[engine] = pd.read_csv(out)
    assert outs["fast"].columns[0] == "sample"
    assert outs["fast"]["sample"].tolist() == list(expr.columns)
    assert list(outs["fast"].columns[1:]) == list(map_gene_sets(sets, list(expr.index)))
    assert max_relative_difference(outs["fast"].iloc[:, 1:], outs["r"].iloc[:, 1:]) < RTOL
    assert main(["ssgsea", "--expr", str(tmp_path / "nope.csv"), "--out",
                 str(tmp_path / "o.csv")]) == 2


def test_cli_real_counts_need_no_transform(real_data, tmp_path, capsys):
    """Real TCGA raw counts, genes as rows: ssGSEA ranks within each sample, so the scores
    equal those of log2(x + 1); the command says so in a note instead of warning that it
    expects log2 and pointing to an option that does not exist."""
    from pyradiogen.cli import main

    src = real_data / "tcga_brca_expression" / "pathanalyser_ER_TCGA_RNAseq.tsv"
    m = pd.read_csv(src, sep="\t", index_col=0).iloc[:4000, :8]
    m.to_csv(tmp_path / "counts.tsv", sep="\t")
    np.log2(m + 1).to_csv(tmp_path / "log2.tsv", sep="\t")
    scores = {}
    for name in ("counts", "log2"):
        out = tmp_path / f"{name}_o.csv"
        assert main(["ssgsea", "--expr", str(tmp_path / f"{name}.tsv"), "--genes-as-rows",
                     "--out", str(out)]) == 0
        captured = capsys.readouterr()
        text = " ".join((captured.out + captured.err).split())
        assert "log2 expression is expected" not in text
        assert ("nothing to transform" in text) == (name == "counts")
        scores[name] = pd.read_csv(out, index_col="sample")
    assert scores["counts"].shape == (8, scores["counts"].shape[1])
    np.testing.assert_allclose(scores["counts"].to_numpy(), scores["log2"].to_numpy(),
                               rtol=1e-12)


def test_cli_tcga_symbol_entrez_ids(real_data, tmp_path, capsys):
    """The real TCGAbiolinks RSEM matrix names genes SYMBOL|ENTREZ (28 rows '?|ENTREZ',
    SLC35E2 on two rows): ssgsea reads the symbols, as signatures does, and says what it left
    out; the scores equal those of the same matrix named by symbol. It used to fail with 'no
    gene of any gene set … if the file holds genes as rows, drop --genes-as-rows'."""
    from pyradiogen.cli import main

    src = real_data / "tcga_brca_expression" / "tcga_brca_dataBRCA_rsem_20530x10.tsv"
    m = pd.read_csv(src, sep="\t", index_col=0)
    out = tmp_path / "o.csv"
    assert main(["ssgsea", "--expr", str(src), "--genes-as-rows", "--out", str(out)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "genes named SYMBOL|ENTREZ are read as their symbols" in text
    assert "28 row(s) without a symbol ('?|ENTREZ') left out" in text
    assert "1 symbol(s) on several rows kept once, the row with the highest mean (SLC35E2)" \
        in text
    got = pd.read_csv(out, index_col="sample")
    sym = m.index.str.split("|").str[0]
    by_symbol = m[sym != "?"].copy()
    by_symbol.index = sym[sym != "?"]
    slc = by_symbol.loc["SLC35E2"]
    by_symbol = by_symbol[by_symbol.index != "SLC35E2"]
    by_symbol.loc["SLC35E2"] = slc.iloc[int(np.argmax(slc.mean(axis=1).to_numpy()))]
    by_symbol.to_csv(tmp_path / "sym.tsv", sep="\t")
    assert main(["ssgsea", "--expr", str(tmp_path / "sym.tsv"), "--genes-as-rows",
                 "--out", str(tmp_path / "s.csv")]) == 0
    want = pd.read_csv(tmp_path / "s.csv", index_col="sample")
    pd.testing.assert_frame_equal(got.loc[want.index, want.columns], want, rtol=1e-12)


def test_cli_unknown_genes_with_genes_as_rows_names_the_right_fix(real_data, tmp_path, capsys):
    from pyradiogen.cli import main

    src = real_data / "tcga_brca_expression" / "pathanalyser_ER_TCGA_RNAseq.tsv"
    m = pd.read_csv(src, sep="\t", index_col=0).iloc[:50, :6]
    m.index = [f"G{i}" for i in range(len(m))]
    m.to_csv(tmp_path / "e.tsv", sep="\t")
    assert main(["ssgsea", "--expr", str(tmp_path / "e.tsv"), "--genes-as-rows",
                 "--out", str(tmp_path / "o.csv")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "if the file holds samples as rows, drop --genes-as-rows" in err
