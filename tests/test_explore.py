"""Explore stage: clustering, Fisher and Kruskal–Wallis parity with R, t-SNE, planted subgroups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist
from sklearn.metrics import adjusted_rand_score

from pyradiogen.explore.clustering import (
    HierarchicalClustering,
    cluster_fisher,
    hclust_r,
    patient_means,
    relabel_by_appearance,
)
from pyradiogen.explore.fisher import fisher_2x2, fisher_exact, fisher_rx2, fisher_rxc
from pyradiogen.explore.kruskal import select_features
from pyradiogen.explore.tsne import TSNEExplorer, choose_kmeans, tsne_embed
from pyradiogen.rfuncs import kruskal_test
from pyradiogen.stats import kruskal_screen

P_RTOL = 1e-9  # fast engines vs R: relative tolerance on p-values


def synthetic(n_pat=40, n_sub=10, n_img=3, n_feat=120, shift=3.0, seed=0):
    """Images × features with a planted subgroup (``n_sub`` patients shifted in 30 features)."""
    rng = np.random.default_rng(seed)
    pids = [f"TCGA-A1-{i:04d}" for i in range(n_pat)]
    sub = np.zeros(n_pat, dtype=int)
    sub[rng.choice(n_pat, n_sub, replace=False)] = 1
    base = rng.normal(size=(n_pat, n_feat))
    base[sub == 1, :30] += shift
    rows = [[f"{p}_{j}", p, *(base[i] + rng.normal(scale=0.5, size=n_feat))]
            for i, p in enumerate(pids) for j in range(n_img)]
    feats = pd.DataFrame(rows, columns=["image_id", "patient_id",
                                        *[f"fea_{k + 1}" for k in range(n_feat)]])
    clin = pd.DataFrame({c: pd.array(rng.integers(0, 2, n_pat), dtype="Int64")
                         for c in ["T", "N", "ER", "PR", "HER2"]},
                        index=pd.Index(pids, name="patient_id"))
    clin.loc[clin.index[:5], "HER2"] = pd.NA
    clin["pam50"] = pd.Categorical(rng.choice(["Basal", "Her2", "LumA", "LumB"], n_pat))
    return feats, clin, pd.Series(sub, index=pids)


@pytest.fixture(scope="module")
def data():
    return synthetic()


# ----------------------------------------------------------------------------- clustering

def test_patient_means_average_images(data):
    feats, _, _ = data
    P = patient_means(feats)
    assert P.shape == (40, 120)
    first = feats[feats["patient_id"] == P.index[0]]
    np.testing.assert_allclose(P.iloc[0].to_numpy(), first.iloc[:, 2:].mean().to_numpy())


def test_relabel_follows_cutree_numbering():
    np.testing.assert_array_equal(relabel_by_appearance([7, 7, 3, 9, 3]), [1, 1, 2, 3, 2])


@pytest.mark.parametrize("k", [2, 3, 5])
def test_labels_reproduce_scipy_complete_linkage(data, k):
    P = patient_means(data[0])
    hc = HierarchicalClustering(n_clusters=k).fit(P)
    ref_link = linkage(pdist(P.to_numpy()), method="complete")
    np.testing.assert_allclose(hc.linkage_, ref_link)
    ref = fcluster(ref_link, k, criterion="maxclust")
    assert adjusted_rand_score(ref, hc.labels_) == 1.0
    np.testing.assert_array_equal(hc.labels_.to_numpy(), relabel_by_appearance(ref))
    assert hc.sizes_.sum() == 40 and len(hc.sizes_) == k


@pytest.mark.r
@pytest.mark.parametrize("k", [2, 4])
def test_labels_equal_r_hclust_cutree(data, k):
    P = patient_means(data[0]).iloc[:, :30]
    ours = HierarchicalClustering(n_clusters=k).fit_predict(P)
    theirs = hclust_r(P, n_clusters=k)
    np.testing.assert_array_equal(ours.to_numpy(), theirs.to_numpy())


def test_planted_subgroup_recovered_by_hclust(data):
    feats, _, sub = data
    labels = HierarchicalClustering(n_clusters=2).fit_predict(patient_means(feats))
    assert adjusted_rand_score(sub.loc[labels.index], labels) > 0.8
    assert sorted(labels.value_counts()) == [10, 30]


def test_missing_values_are_refused(data):
    P = patient_means(data[0])
    P.iloc[2, 3] = np.nan
    with pytest.raises(ValueError, match="missing values"):
        HierarchicalClustering().fit(P)


# ----------------------------------------------------------------------------- Fisher

TABLES_2X2 = [[[3, 1], [1, 3]], [[10, 2], [3, 15]], [[0, 5], [6, 0]], [[12, 40], [2, 56]],
              [[5, 5], [5, 5]], [[14, 0], [82, 14]], [[1, 0], [0, 1]], [[7, 11], [13, 9]]]
TABLES_RXC = [[[3, 1], [1, 3], [2, 5]], [[10, 12], [30, 20], [5, 14], [8, 8], [3, 0]],
              [[10, 12, 3], [30, 20, 4], [5, 14, 2]], [[2, 2], [2, 2], [2, 2]],
              [[14, 7, 1], [40, 30, 18]], [[0, 4], [4, 0], [2, 2], [1, 3]],
              [[3, 5, 10, 2], [4, 1, 3, 6]]]


def test_fisher_known_values():
    # hypergeometric by hand: [[3,1],[1,3]] two-sided = (1 + 16 + 1 + 16 ... ) / 70 → 34/70
    assert fisher_2x2(np.array([[3, 1], [1, 3]])) == pytest.approx(34 / 70, rel=1e-12)
    assert fisher_2x2(np.array([[4, 0], [0, 4]])) == pytest.approx(2 / 70, rel=1e-12)


@pytest.mark.r
@pytest.mark.parametrize("table", TABLES_2X2 + TABLES_RXC)
def test_fisher_equals_r(table):
    from pyradiogen import rbridge

    x = np.array(table)
    ref = rbridge.rcall("stats::fisher.test", x)["p.value"]
    assert fisher_exact(x, engine="python") == pytest.approx(ref, rel=P_RTOL)
    assert fisher_exact(x, engine="r") == pytest.approx(ref, rel=1e-15)


@pytest.mark.r
def test_fisher_random_tables_equal_r():
    from pyradiogen import rbridge

    rng = np.random.default_rng(3)
    for _ in range(25):
        shape = (int(rng.integers(2, 6)), 2)
        x = rng.integers(0, 12, size=shape)
        x[:, 0] += 1
        ref = rbridge.rcall("stats::fisher.test", x)["p.value"]
        assert fisher_exact(x, engine="python") == pytest.approx(ref, rel=P_RTOL), x


def test_fisher_rx2_search_equals_full_enumeration():
    rng = np.random.default_rng(8)
    for _ in range(20):
        k = int(rng.integers(2, 6))
        x = rng.integers(0, 15, size=(k, 2))
        x[:, 1] += 1
        assert fisher_rx2(x) == pytest.approx(fisher_rxc(x), rel=1e-10), x


@pytest.mark.r
def test_fisher_cohort_sized_rx2_equals_r():
    from pyradiogen import rbridge

    rng = np.random.default_rng(4)
    for k in (5, 8):
        sizes = rng.multinomial(110, np.ones(k) / k)
        pos = rng.binomial(sizes, 0.65)
        x = np.column_stack([pos, sizes - pos])
        ref = rbridge.rcall("stats::fisher.test", x)["p.value"]
        assert fisher_exact(x, engine="python") == pytest.approx(ref, rel=P_RTOL), x


def test_fisher_rxc_matches_2x2_route():
    x = np.array([[10, 2], [3, 15]])
    # the r×c enumeration with FEXACT's tolerance agrees with the 2×2 formula here
    assert fisher_rxc(x) == pytest.approx(fisher_2x2(x), rel=1e-12)


def test_fisher_degenerate_table_is_nan():
    assert np.isnan(fisher_exact([[5, 0], [3, 0]]))


@pytest.mark.r
def test_cluster_fisher_equals_r_on_clinical_with_na(data):
    from pyradiogen import rbridge

    feats, clin, _ = data
    labels = HierarchicalClustering(n_clusters=3).fit_predict(patient_means(feats))
    res = cluster_fisher(labels, clin).set_index("characteristic")
    assert res.loc["HER2", "n"] == 35  # five HER2 missing are left out
    for ch in ["T", "N", "ER", "PR", "HER2"]:
        v = clin[ch].reindex(labels.index)
        ok = v.notna().to_numpy()
        ref = rbridge.rcall("stats::fisher.test", labels.to_numpy()[ok].astype(float),
                            v.to_numpy()[ok].astype(float))["p.value"]
        assert res.loc[ch, "p_value"] == pytest.approx(ref, rel=P_RTOL)


# ----------------------------------------------------------------------------- Kruskal–Wallis

@pytest.mark.r
def test_kruskal_equals_r_with_ties_and_missing(data):
    _, clin, _ = data
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.normal(size=(40, 4)), index=clin.index, columns=list("abcd"))
    X["ties"] = np.round(rng.normal(size=40))
    X["signal"] = X["a"] + 3.0 * (clin["pam50"] == "Basal").to_numpy()
    X.iloc[3, 1] = np.nan
    res = kruskal_screen(X, clin["pam50"])
    assert res.loc["b", "n"] == 39
    for col in X.columns:
        ok = X[col].notna()
        ref = kruskal_test(X.loc[ok, col].to_numpy(), clin["pam50"][ok].astype(str).to_numpy())
        assert res.loc[col, "statistic"] == pytest.approx(ref["statistic"], rel=1e-12)
        assert res.loc[col, "df"] == ref["df"] == 3
        assert res.loc[col, "p_value"] == pytest.approx(ref["p_value"], rel=P_RTOL)
    assert res.loc["signal", "p_value"] < 1e-3


def test_kruskal_selection_falls_back_to_top():
    t = pd.DataFrame({"p_value": [0.5, 1e-12, 0.01, 1e-3]}, index=list("abcd"))
    chosen, caption = select_features(t, 1e-9, min_show=3)
    assert chosen == ["b", "d", "c"] and "smallest" in caption
    assert select_features(t, 0.05)[0] == ["b", "d", "c"]


# ----------------------------------------------------------------------------- t-SNE

def test_tsne_deterministic_for_a_seed(data):
    P = patient_means(data[0])
    a = tsne_embed(P, perplexity=5, max_iter=300, seed=11)
    b = tsne_embed(P, perplexity=5, max_iter=300, seed=11)
    c = tsne_embed(P, perplexity=5, max_iter=300, seed=12)
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())
    assert not np.allclose(a.to_numpy(), c.to_numpy())


def test_tsne_recovers_planted_subgroup_and_colours_images(data):
    feats, _, sub = data
    ts = TSNEExplorer(max_iter=3000, image_perplexity=10, seed=3).fit(feats)
    assert ts.n_clusters_ == 2
    assert adjusted_rand_score(sub.loc[ts.patients_.index], ts.patients_["cluster"]) > 0.8
    imgs = ts.images_
    assert len(imgs) == 120
    expected = ts.patients_["cluster"].reindex(imgs["patient_id"]).to_numpy()
    np.testing.assert_array_equal(imgs["cluster"].to_numpy(), expected)


def test_kmeans_silhouette_picks_three_blobs():
    rng = np.random.default_rng(0)
    Y = np.vstack([rng.normal(c, 0.3, size=(15, 2)) for c in ([0, 0], [6, 0], [0, 6])])
    labels, scores = choose_kmeans(Y, max_clusters=6, seed=1)
    assert max(scores, key=scores.get) == 3 and len(set(labels)) == 3
    truth = np.repeat([1, 2, 3], 15)
    assert adjusted_rand_score(truth, labels) == 1.0


@pytest.mark.r
def test_fisher_large_cohort_bounded_memory_and_named_monte_carlo():
    """1,000-patient cohorts: no exact algorithm fits some tables (R's FEXACT errors, and the
    Python searches grew to 22 GB and were killed); the p-value is then R's seeded Monte
    Carlo one, named in the method column, in bounded memory."""
    import resource

    from pyradiogen.explore.fisher import (
        MONTE_CARLO_B,
        TooManyTablesError,
        fisher_exact_method,
        fisher_rx2,
        fisher_table,
    )
    from pyradiogen.rbridge import RError

    # t-SNE clusters x ER of 819 patients: beyond FEXACT's workspace (error 7)
    x = np.array([[19, 120], [5, 16], [83, 62], [140, 46], [35, 131], [144, 18]])
    with pytest.raises(TooManyTablesError, match="partial tables"):
        fisher_rx2(x)  # stops at its budget instead of growing without bound
    with pytest.raises(TooManyTablesError):
        fisher_exact_method(x, engine="python")
    with pytest.raises(RError, match="FEXACT"):
        fisher_exact(x)  # exact or nothing
    p, method = fisher_exact_method(x)
    assert method == f"Monte Carlo (B = {MONTE_CARLO_B})"
    assert 1 / (MONTE_CARLO_B + 1) <= p <= 1
    assert fisher_exact_method(x) == (p, method)  # seeded
    y = np.array([[19, 18, 7, 60], [72, 1, 101, 30], [106, 6, 64, 6], [28, 118, 44, 139]])
    assert fisher_exact_method(y)[1].startswith("Monte Carlo")  # FEXACT error 6 (4 x 4)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 3e6  # KiB: under 3 GB
    groups = pd.Series(np.repeat(np.arange(6), x.sum(axis=1)))
    status = pd.Series(np.concatenate([np.r_[np.ones(a), np.zeros(b)] for a, b in x]))
    clin = pd.DataFrame({"ER": status.to_numpy()}, index=groups.index)
    tab = fisher_table(groups, clin, ["ER"])
    assert tab.loc[0, "method"] == method and tab.loc[0, "p_value"] == p
    small = fisher_table(groups.iloc[::8], clin, ["ER"])  # 103 patients: exact
    assert small.loc[0, "method"] == "exact"


def test_fisher_table_flags_a_cluster_of_one_patient():
    # complete linkage of 1,000 patients' DRFs split them 999 / 1: the singleton's test only
    # restates that patient's status (p = 491/1000 for T), so the row is flagged
    from pyradiogen.explore.fisher import fisher_table

    groups = pd.Series([0] * 999 + [1], index=[f"P{i}" for i in range(1000)])
    status = np.r_[np.ones(491), np.zeros(508), 1.0]
    clin = pd.DataFrame({"T": status}, index=groups.index)
    row = fisher_table(groups, clin, ["T"]).iloc[0]
    assert bool(row["degenerate"]) and row["method"] == "exact"
    assert row["p_value"] == pytest.approx(492 / 1000, rel=1e-9)
    ok = fisher_table(pd.Series([0] * 500 + [1] * 500, index=groups.index), clin, ["T"])
    assert not bool(ok.iloc[0]["degenerate"])
