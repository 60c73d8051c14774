# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Deep versus conventional radiomic features
#
# This notebook runs the main steps of both studies on one cohort and puts the two kinds of
# radiomic feature side by side:
#
# * **DRFs** (deep radiomic features, Liu & Hu 2023): the 4,096 activations of a denoising
#   autoencoder's encoder, one row per 2-D image, quantile-normalised across images;
# * **CRFs** (conventional radiomic features): the 100 pyradiomics features of each reader's ROI
#   (Kim et al. 2020) and the 36 TCGA Breast Phenotype features that come with the cohort.
#
# For each we look at associations with genomic features, prediction of clinical
# characteristics, reader stability and unsupervised clustering.
#
# **Settings** come from environment variables, so the test suite can run this notebook on a
# small cohort: `PYRADIOGEN_VIGNETTE_COHORT` (a cohort directory; a synthetic demo cohort is
# generated when unset: under the scratch folder if one is given, else once in
# `~/.cache/pyradiogen`), `PYRADIOGEN_VIGNETTE_PATIENTS` (demo size, default 60),
# `PYRADIOGEN_VIGNETTE_OUT` (scratch folder), `PYRADIOGEN_VIGNETTE_EPOCHS` (autoencoder epochs,
# default 5) and `PYRADIOGEN_VIGNETTE_DRF_FEATURES` (how many DRFs, evenly spread over the 16
# kernels, enter the association scan and the lasso; default 1024).

# %%
# ruff: noqa: E402  (a notebook imports where each step starts)
import json
import os
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("PYRADIOGEN_PROGRESS", "0")  # no live progress bars in a notebook

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Image, display

from pyradiogen import store
from pyradiogen.plotting import PALETTE, apply_style, save_figure
from pyradiogen.rfuncs import RWarning

T0 = time.perf_counter()
OUT_ENV = os.environ.get("PYRADIOGEN_VIGNETTE_OUT")
OUT = Path(OUT_ENV or tempfile.mkdtemp(prefix="pyradiogen_vignette_"))
OUT.mkdir(parents=True, exist_ok=True)
N_PATIENTS = int(os.environ.get("PYRADIOGEN_VIGNETTE_PATIENTS", 60))
EPOCHS = int(os.environ.get("PYRADIOGEN_VIGNETTE_EPOCHS", 5))
N_DRF = int(os.environ.get("PYRADIOGEN_VIGNETTE_DRF_FEATURES", 1024))
SEED = 101
COHORT = os.environ.get("PYRADIOGEN_VIGNETTE_COHORT")
if not COHORT:
    from pyradiogen.demo import ensure_demo_cohort

    # generated once: under the scratch folder when one is given, else in the user's cache
    COHORT = ensure_demo_cohort(OUT / f"demo_cohort_{N_PATIENTS}" if OUT_ENV else None,
                                n_patients=N_PATIENTS, seed=0)
apply_style()


def show(fig: plt.Figure, name: str) -> None:
    """Save a figure (PNG + SVG) under the scratch folder and show it in the notebook."""
    paths = save_figure(fig, OUT / "figures" / name)  # closes the figure
    # pyradiogen draws with matplotlib's Agg backend: show the saved PNG
    display(Image(filename=str(next(p for p in paths if p.suffix == ".png"))))


print(f"cohort: {COHORT}\nscratch: {OUT}\nepochs: {EPOCHS}, DRFs in heavy steps: {N_DRF}")

# %% [markdown]
# ## 1. The cohort
#
# `load_cohort` reads and validates every part of the cohort directory. `liu2023.assemble` applies study
# 1's exclusions (1.5 T GE DCE series with matched RNA-seq) and picks its images; `kim2020.assemble`
# keeps the patients with ROIs of both readers.

# %%
from pyradiogen.cohort import load_cohort
from pyradiogen.studies import kim2020, liu2023

c = load_cohort(COHORT, progress=False)
s1 = liu2023.assemble(c)
s2 = kim2020.assemble(c)
clinical = c.clinical
print(f"study 1: {len(s1.patients)} patients, {len(s1.images)} images; "
      f"study 2: {len(s2.patients)} patients, readers {s2.extra['readers']}")
display(s1.flowchart)

# %% [markdown]
# ## 2. Deep radiomic features
#
# The denoising autoencoder is trained on study 1's images (`paper` preset: Adam, MSE, noise
# 0.05; when lr = 0.1 collapses the trainer restarts at a smaller rate and says so). A few epochs
# are enough for a demonstration; the paper trains for 100. The encoder's 16 × 16 × 16 output
# gives `fea_1 … fea_4096`, quantile-normalised across images.

# %%
from pyradiogen.drf import DRFExtractor, quantile_normalize

t = time.perf_counter()
pixels = [c.pixels(i) for i in s1.images.index]
pid = s1.images["patient_id"].to_numpy()
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)
    est = DRFExtractor(preset="paper", seed=SEED, epochs=EPOCHS, progress=False)
    est.fit(pixels, pid)
raw = est.transform(pixels, pid, s1.images.index.to_numpy())
drf = quantile_normalize(raw).reset_index().copy()
drf_cols = [col for col in drf.columns if col.startswith("fea_")]
step = max(1, len(drf_cols) // max(1, N_DRF))
drf_sub = drf[["image_id", "patient_id", *drf_cols[::step]]]
seconds_drf = time.perf_counter() - t
print(f"DRFs: {drf.shape[0]} images × {len(drf_cols)} features in {seconds_drf:.1f} s; "
      f"training verdict: {est.diagnosis_['verdict']}")
print(f"heavy steps use every {step}th DRF: {drf_sub.shape[1] - 2} features")
ax = est.history_.plot(x="epoch", y=["train_loss", "val_loss"], figsize=(4.5, 3), marker="o")
ax.set_ylabel("MSE")
ax.set_title("autoencoder training")
show(ax.figure, "drf_training")

# %% [markdown]
# ## 3. Conventional radiomic features
#
# pyradiomics extracts study 2's 100 features (7 classes) from each reader's 2-D ROI. The 36 TCGA
# Breast Phenotype features (`crf36.csv`) are study 1's CRFs, one row per patient.

# %%
from pyradiogen.crf import class_ranges, extract_crfs, inter_reader_table

t = time.perf_counter()
crfs = extract_crfs(c, n_jobs=1, cache_dir=OUT / "crf_cache")
crfs = crfs[crfs["patient_id"].isin(s2.patients)].reset_index(drop=True)
readers = sorted(crfs["reader"].unique())
pyrad = crfs[crfs["reader"] == readers[0]].drop(columns=["reader"]).reset_index(drop=True)
print(f"pyradiomics: {len(crfs)} ROIs ({', '.join(readers)}), {pyrad.shape[1] - 2} features "
      f"in {time.perf_counter() - t:.1f} s")
crf_tables = {"CRF (pyradiomics)": pyrad}
if c.crf36 is not None:
    crf36 = c.crf36.loc[c.crf36.index.intersection(s1.patients)]
    crf36 = crf36.rename_axis("patient_id").reset_index()
    crf36.insert(0, "image_id", crf36["patient_id"])
    crf_tables["CRF (TCGA 36)"] = crf36
    print(f"TCGA CRFs: {len(crf36)} patients × {crf36.shape[1] - 2} features")
else:
    print("this cohort has no crf36.csv: the steps below use the pyradiomics CRFs only")
crf_main = crf_tables.get("CRF (TCGA 36)", pyrad)  # study 1's CRFs, for the lasso

# %% [markdown]
# ## 4. Genomic features
#
# Expression is prepared as study 1 prescribes (log2(TPM + 1), duplicate symbols collapsed).
# From it: six genefu signatures (computed by the R package), ssGSEA scores of the KEGG
# pathways (fast engine, identical to GSVA; see vignette 2) and the cohort's risk genes.

# %%
from pyradiogen.genomics.expression import cohort_expression
from pyradiogen.genomics.risk import cohort_risk_features
from pyradiogen.genomics.signatures import annotation_from_genes, compute_signatures
from pyradiogen.genomics.ssgsea import ssgsea_features

SIGNATURES = ["oncotypedx", "endoPredict", "rorS", "gene70", "genius", "pik3cags"]
expr = cohort_expression(c, study="liu2023")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RWarning)  # genes a signature misses in the demo panel
    sig = compute_signatures(expr, annotation_from_genes(list(expr.columns), c.genes))
kegg = ssgsea_features(expr, c.gene_sets, engine="fast")
risk, risk_note = cohort_risk_features(c, None, expr)
parts = [sig[SIGNATURES], kegg] if risk is None else [risk, sig[SIGNATURES], kegg]
gf = pd.concat(parts, axis=1).rename_axis("patient_id")
gf_class = {**({g: "risk gene" for g in risk.columns} if risk is not None else {}),
            **{s: "signature" for s in SIGNATURES}, **{k: "KEGG" for k in kegg.columns}}
print(f"{len(gf)} patients × {gf.shape[1]} GFs: "
      + ", ".join(f"{v} {k}" for k, v in pd.Series(gf_class).value_counts().items()))

# %% [markdown]
# ## 5. Associations with genomic features
#
# For every feature X and GF G: `lme(X ~ G, random = ~1 | patient)` (the fast engine gives
# nlme's numbers; vignette 2 checks one pair against R), Benjamini–Hochberg within each GF,
# significant when the adjusted p < 0.05. For the one-row-per-patient CRFs the random effect
# cannot be told apart from the residual, and the model reduces to ordinary regression.

# %%
from pyradiogen.associate import associate

t = time.perf_counter()
gfs = gf.reset_index()
assoc = {label: associate(feats, gfs, engine="fast", gf_class=gf_class)
         for label, feats in {"DRF": drf_sub, **crf_tables}.items()}
rows = []
for label, res in assoc.items():
    ov = res.overview()
    row = {"features": label, "n_features": ov["n_features"], "pairs tested": ov["n_pairs"],
           "significant pairs": int((res.table["p_adj"] < res.alpha).sum()),
           "features with ≥1 GF": ov["n_features_any"], "GFs with ≥1 feature": ov["n_gfs_any"]}
    for cls, d in ov["classes"].items():
        row[f"pairs: {cls}"] = d["n_pairs"]
    rows.append(row)
assoc_counts = pd.DataFrame(rows).set_index("features")
assoc_counts["share significant"] = (assoc_counts["significant pairs"]
                                     / assoc_counts["pairs tested"]).round(4)
seconds_assoc = time.perf_counter() - t
print(f"association scans: {seconds_assoc:.1f} s")
display(assoc_counts.T)

# %% [markdown]
# The share of significant pairs is the fair comparison: the scans test different numbers of
# features. In the demo cohort the latent biology (proliferation, ER, HER2, immune, size) is
# planted in the lesion's size, shape, margin, texture and enhancement (`truth.json`), which the
# CRFs measure directly, so expect most CRFs to associate with many GFs; the DRFs of a briefly
# trained autoencoder are not built to measure those properties and pick up a smaller share.
# In the paper it was the other way round (2,028 of 4,096 DRFs associated with 381 GFs, but
# only 14 of the 36 TCGA CRFs with 8 risk genes): which features win depends on the data, and
# on a real cohort the autoencoder is trained for 100 epochs.

# %% [markdown]
# ## 6. Predicting clinical characteristics
#
# Lasso logistic regression per characteristic (biglasso's path fitted by glmnet), on a small
# lambda grid, for the DRFs and for study 1's CRFs (the 36 TCGA features). **Paper mode** copies the authors: a random 70/30 split of *images* (one
# patient's images can fall on both sides) and the best test AUC over the path. **Rigorous
# mode** splits by patient, tunes lambda by grouped cross-validation on the training set and
# reports a nested cross-validated AUC with a confidence interval.

# %%
from pyradiogen.predict.lasso import run_lasso

t = time.perf_counter()
summaries = []
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RWarning)  # glmnet: tiny classes in small folds
    for mode in ("paper", "rigorous"):
        for label, feats in (("DRF", drf_sub), ("CRF", crf_main)):
            res = run_lasso(feats, clinical, mode=mode, feature_set=label, nlambda=10,
                            seed=SEED)
            summaries.append(res.table)
lasso = pd.concat(summaries, ignore_index=True)
seconds_lasso = time.perf_counter() - t
auc = lasso.pivot_table(index="characteristic", columns=["mode", "feature_set"], values="auc")
auc = auc.reindex(["T", "N", "ER", "PR", "HER2"])
print(f"lasso: {seconds_lasso:.1f} s")
display(auc.round(3))
leak = lasso.loc[lasso["mode"] == "paper", ["feature_set", "characteristic",
                                             "patients_on_both_sides"]]
display(leak.set_index(["feature_set", "characteristic"]).T)

# %% [markdown]
# Paper-mode AUCs are optimistic twice over: DRF images of the same patient sit in training
# and test sets (`patients_on_both_sides`), and lambda is picked on the test set. The rigorous
# AUCs are the ones to compare between feature types. An empty cell (NaN) means the small test
# set held one class only, so no AUC exists.

# %% [markdown]
# ## 7. Reader stability
#
# Two readers drew each ROI; the two-way agreement ICC of every pyradiomics feature measures how
# much a feature depends on who drew it (study 2's Table 2). DRFs are computed from the whole
# image and need no ROI, so they do not depend on the reader at all; the TCGA CRFs come from one
# (semi-automatic) segmentation and cannot be checked here.

# %%
icc_table = inter_reader_table(crfs)
ranges = class_ranges(icc_table, kim2020.PUBLISHED_ICC_RANGES)  # the paper's ranges beside ours
display(ranges)
fig, ax = plt.subplots(figsize=(6, 3))
order = [k for k in ranges["feature_class"] if k != "Overall"]
data = [icc_table.loc[icc_table["class_label"] == k, "icc"].dropna() for k in order]
ax.boxplot(data)
ax.set_xticks(range(1, len(order) + 1), order, rotation=30)
ax.axhline(0.75, color=PALETTE[1], lw=1, ls="--", label="ICC 0.75 (good)")
ax.set_ylabel("ICC(A,1) between readers")
ax.legend(frameon=False)
show(fig, "icc_by_class")
n_stable = int((icc_table["icc"] >= 0.75).sum())
print(f"{n_stable} of {len(icc_table)} pyradiomics features have ICC ≥ 0.75")

# %% [markdown]
# ## 8. Clustering
#
# Patients (mean of their images) are clustered hierarchically (complete linkage, two clusters)
# and embedded with t-SNE; Fisher's exact test asks whether the clusters go with a clinical
# characteristic. CRFs are z-scored first (their scales differ by orders of magnitude); DRFs
# are already quantile-normalised.

# %%
from pyradiogen.explore import HierarchicalClustering, TSNEExplorer, cluster_fisher, patient_means

t = time.perf_counter()
sets = {"DRF": (drf, "none"), **{label: (feats, "zscore") for label, feats in crf_tables.items()}}
fisher_rows, maps = [], {}
for label, (feats, scale) in sets.items():
    P = patient_means(feats)
    hc = HierarchicalClustering(n_clusters=2, scale=scale).fit(P)
    ts = TSNEExplorer(max_iter=1000, seed=SEED, images=False).fit(feats)
    maps[label] = ts.patients_
    for how, labels in (("hclust", hc.labels_), ("t-SNE", ts.patients_["cluster"])):
        ft = cluster_fisher(labels, clinical).set_index("characteristic")["p_value"]
        fisher_rows.append({"features": label, "clusters": how,
                            "sizes": "/".join(str(v) for v in labels.value_counts().sort_index()),
                            **ft.round(4).to_dict()})
fisher = pd.DataFrame(fisher_rows).set_index(["features", "clusters"])
seconds_cluster = time.perf_counter() - t
display(fisher)
fig, axes = plt.subplots(1, len(maps), figsize=(3.4 * len(maps), 3.2))
for ax, (label, pts) in zip(axes, maps.items()):
    er = clinical["ER"].reindex(pts.index)
    for val, colour, name in ((1, PALETTE[0], "ER+"), (0, PALETTE[1], "ER−")):
        sel = (er == val).fillna(False).to_numpy()
        ax.scatter(pts.loc[sel, "tsne1"], pts.loc[sel, "tsne2"], s=18, color=colour, label=name)
    ax.set_title(f"{label}: {pts['cluster'].nunique()} clusters")
    ax.set_xticks([])
    ax.set_yticks([])
axes[0].legend(frameon=False)
fig.tight_layout()
show(fig, "tsne_drf_vs_crf")

# %% [markdown]
# P-values above 0.05 mean the clusters do not follow that characteristic — what the paper
# reports for DRFs (Fig 4a–c). With a few dozen patients these tests have little power, so read
# them together with the maps.

# %% [markdown]
# ## 9. Summary
#
# The numbers below are also written to `vignette01_summary.json` in the scratch folder.

# %%
summary = {
    "cohort": str(COHORT),
    "n_patients_study1": int(len(s1.patients)), "n_images": int(len(drf)),
    "n_patients_study2": int(len(s2.patients)),
    "n_drf": len(drf_cols), "n_drf_scanned": int(drf_sub.shape[1] - 2),
    "drf_verdict": est.diagnosis_["verdict"],
    "significant_pairs": {k: int(v) for k, v in assoc_counts["significant pairs"].items()},
    "share_significant": {k: float(v) for k, v in assoc_counts["share significant"].items()},
    "auc": {f"{m}/{fs}/{ch}": None if pd.isna(v) else float(v)  # NaN: one class in the test
            for (m, fs), col in auc.items() for ch, v in col.items()},
    "icc_overall": ranges.set_index("feature_class").loc["Overall", "range"],
    "n_icc_ge_075": n_stable,
    "fisher_min_p": {f"{a}/{b}": float(np.nanmin(r.to_numpy(dtype=float)))
                     for (a, b), r in fisher.drop(columns="sizes").iterrows()},
    "seconds": {"drf": round(seconds_drf, 1), "associate": round(seconds_assoc, 1),
                "lasso": round(seconds_lasso, 1), "cluster": round(seconds_cluster, 1),
                "total": round(time.perf_counter() - T0, 1)},
}
store.write_json(OUT / "vignette01_summary.json", summary)
print("VIGNETTE_SUMMARY " + json.dumps(summary))
