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
# # The R-faithful API, beside R's own output
#
# The two studies were analysed in R (nlme, glmnet/biglasso, GSVA, genefu, irr). pyradiogen
# gives the same numbers from Python: some steps run in R through `pyradiogen.rbridge`, others
# have fast exact engines in NumPy. This notebook computes each result twice, once through the
# Python API and once by calling the R function directly on the same input, prints both, and
# asserts that the largest absolute difference is below a stated tolerance:
#
# | step | Python | R, called directly |
# |---|---|---|
# | linear mixed model | `associate.fit_arrays`, `associate(engine="fast")` | `nlme::lme` |
# | lasso path | `predict.lasso.BiglassoPath`, `biglasso_lambda_grid` | `glmnet::glmnet` |
# | ssGSEA | `genomics.ssgsea.ssgsea(engine="fast")` | `GSVA::gsva(method = "ssgsea")` |
# | genefu signatures | `genomics.signatures.compute_signatures` | `pyradiogen::oncotypedx`, ... |
# | ICC | `crf.icc_all` | `psych::ICC` |
#
# Settings: `PYRADIOGEN_VIGNETTE_COHORT` (a cohort directory; a synthetic demo cohort is
# generated when unset: under the scratch folder if one is given, else once in
# `~/.cache/pyradiogen`), `PYRADIOGEN_VIGNETTE_PATIENTS` (demo size, default 60) and
# `PYRADIOGEN_VIGNETTE_OUT` (scratch folder).

# %%
# ruff: noqa: E402  (a notebook imports where each step starts)
import json
import os
import tempfile
import time
import warnings
from pathlib import Path

os.environ.setdefault("PYRADIOGEN_PROGRESS", "0")  # no live progress bars in a notebook

import numpy as np
import pandas as pd
from IPython.display import display

from pyradiogen import rbridge, store
from pyradiogen.rbridge import RWarning

T0 = time.perf_counter()
OUT_ENV = os.environ.get("PYRADIOGEN_VIGNETTE_OUT")
OUT = Path(OUT_ENV or tempfile.mkdtemp(prefix="pyradiogen_vignette_"))
OUT.mkdir(parents=True, exist_ok=True)
N_PATIENTS = int(os.environ.get("PYRADIOGEN_VIGNETTE_PATIENTS", 60))
COHORT = os.environ.get("PYRADIOGEN_VIGNETTE_COHORT")
if not COHORT:
    from pyradiogen.demo import ensure_demo_cohort

    # generated once: under the scratch folder when one is given, else in the user's cache
    COHORT = ensure_demo_cohort(OUT / f"demo_cohort_{N_PATIENTS}" if OUT_ENV else None,
                                n_patients=N_PATIENTS, seed=0)
rbridge.library("pyradiogen")
print(f"cohort: {COHORT}")
print(rbridge.r_version())
print(rbridge.r_package_versions(["nlme", "glmnet", "GSVA", "psych", "pyradiogen"]))

PARITY: list[dict] = []


def check(step: str, quantity: str, ours, theirs, tol: float) -> None:
    """Record max |ours − R| for one quantity and assert it is below ``tol``."""
    a = np.asarray(ours, dtype=float)
    b = np.asarray(theirs, dtype=float)
    assert a.shape == b.shape, f"{step}: shapes differ, {a.shape} vs {b.shape}"
    assert np.array_equal(np.isnan(a), np.isnan(b)), f"{step}: missing values differ"
    ok = ~np.isnan(a)
    diff = float(np.max(np.abs(a[ok] - b[ok]))) if ok.any() else 0.0
    PARITY.append({"step": step, "quantity": quantity, "n_values": int(ok.sum()),
                   "max_abs_diff": diff, "tolerance": tol, "ok": diff < tol})
    print(f"{step:10s} {quantity:38s} max |Python − R| = {diff:.3g} (tolerance {tol:g})")
    assert diff < tol, f"{step}: {quantity} differs from R by {diff:.3g} (> {tol:g})"


# %%
from pyradiogen.cohort import load_cohort
from pyradiogen.studies import liu2023

c = load_cohort(COHORT, progress=False)
s1 = liu2023.assemble(c)
print(f"study 1: {len(s1.patients)} patients, {len(s1.images)} images")

# %% [markdown]
# ## 1. Linear mixed model: `fit_arrays` vs `nlme::lme`
#
# Study 1 fits `lme(X ~ G, random = ~1 | PatientID)` for every image feature X and genomic
# feature G. The fast engine profiles the REML likelihood exactly and vectorises over all pairs.
# Here X are three simple image features (mean, SD and 90th percentile of each image's pixels,
# several images per patient) and G the six TIMER immune estimates, both z-scored. We pick the
# pair with the smallest p among those where the patient variance is not at its boundary, and
# fit it with `nlme::lme` directly.

# %%
from pyradiogen.associate import associate, fit_arrays

images = s1.images
pix = [c.pixels(i) for i in images.index]
feats = pd.DataFrame({"image_id": images.index, "patient_id": images["patient_id"].to_numpy(),
                      "mean": [p.mean() for p in pix], "sd": [p.std() for p in pix],
                      "p90": [np.percentile(p, 90) for p in pix]})
feature_names = ["mean", "sd", "p90"]
if c.timer is not None:
    gf6 = c.timer.loc[c.timer.index.intersection(s1.patients)]
else:  # no TIMER table in this cohort: use six KEGG pathway scores as the GFs
    from pyradiogen.genomics.expression import cohort_expression
    from pyradiogen.genomics.ssgsea import ssgsea_features

    gf6 = ssgsea_features(cohort_expression(c, study="liu2023"), c.gene_sets).iloc[:, :6]
    gf6 = gf6.loc[gf6.index.intersection(s1.patients)]
feats = feats[feats["patient_id"].isin(gf6.index)].reset_index(drop=True)
codes, patients = pd.factorize(feats["patient_id"])
Y = feats[feature_names].to_numpy(float)
Y = (Y - Y.mean(axis=0)) / Y.std(axis=0)
G = gf6.reindex(patients).to_numpy(float)
G = (G - G.mean(axis=0)) / G.std(axis=0)
fast = fit_arrays(Y, codes, G)
p_inner = np.where(fast["lambda"] > 0, fast["p"], np.inf)
i, j = np.unravel_index(np.argmin(p_inner), p_inner.shape)
print(f"pair: X = {feature_names[i]}, G = {gf6.columns[j]} "
      f"(σ_b²/σ² = {fast['lambda'][i, j]:.3f})")

d = pd.DataFrame({"x": Y[:, i], "g": G[codes, j], "patient": feats["patient_id"].to_numpy()})
rbridge.assign("d", d)
t_table = rbridge.reval("summary(nlme::lme(x ~ g, random = ~ 1 | patient, data = d))$tTable")
ours = pd.Series({k: float(fast[k][i, j]) for k in ("estimate", "std_error", "df", "t", "p")})
theirs = pd.Series(t_table.loc["g"].to_numpy(float), index=ours.index)
nlme_side = pd.DataFrame({"fit_arrays": ours, "nlme::lme": theirs, "difference": ours - theirs})
print("nlme::lme tTable:")
display(t_table)
display(nlme_side)
check("nlme", "estimate, SE, df, t (one pair)", ours.drop("p"), theirs.drop("p"), 1e-4)
check("nlme", "p (one pair)", ours["p"], theirs["p"], 1e-5)

# %% [markdown]
# nlme stops its optimiser within its own tolerance of the REML optimum, so the two agree to
# about 1e-5 or better, not to machine precision (hence the looser tolerances for nlme). The same check for the whole scan: `associate` with the
# fast engine against `associate(engine="nlme")`, which calls `nlme::lme` for every pair.

# %%
gfs = gf6.rename_axis("patient_id").reset_index()
scan_fast = associate(feats, gfs, engine="fast").table
scan_nlme = associate(feats, gfs, engine="nlme").table
m = scan_fast.merge(scan_nlme, on=["feature", "gf"], suffixes=("_fast", "_nlme"))
display(m[["feature", "gf", "estimate_fast", "estimate_nlme", "p_value_fast", "p_value_nlme"]].head(6))
rel = (m["estimate_fast"] - m["estimate_nlme"]) / m["std_error_nlme"]
check("nlme", f"estimate / SE ({len(m)} pairs)", rel, np.zeros(len(m)), 1e-4)
check("nlme", f"p ({len(m)} pairs)", m["p_value_fast"], m["p_value_nlme"], 1e-5)
check("nlme", f"BH-adjusted p ({len(m)} pairs)", m["p_adj_fast"], m["p_adj_nlme"], 1e-5)

# %% [markdown]
# ## 2. Lasso path: `BiglassoPath` vs `glmnet::glmnet`
#
# Study 1's lasso logistic regressions used biglasso. pyradiogen computes biglasso's lambda grid
# in NumPy (`biglasso_lambda_grid`) and solves the path with glmnet in R (`BiglassoPath`). Here
# the 36 TCGA CRFs (z-scored) predict ER status; we refit the same grid with `glmnet::glmnet`
# directly and compare the grid, the coefficients, the intercepts and the linear predictors.

# %%
from pyradiogen.predict.lasso import BiglassoPath, biglasso_lambda_grid

# without crf36.csv, the patient means of the three image features of section 1 stand in
X = c.crf36 if c.crf36 is not None else feats.groupby("patient_id")[feature_names].mean()
er = c.clinical["ER"].reindex(X.index)
keep = er.notna().to_numpy() & X.notna().all(axis=1).to_numpy()
X = X.loc[keep]
y = er[keep].astype(int).to_numpy()
Xz = (X - X.mean()) / X.std(ddof=0)
path = BiglassoPath(nlambda=20).fit(Xz, y)
grid = biglasso_lambda_grid(Xz.to_numpy(), y, nlambda=20)
print(f"{len(Xz)} patients ({y.sum()} ER+), {Xz.shape[1]} features; path of "
      f"{len(path.lambda_)} lambdas, non-zero coefficients: {path.nzero_.tolist()}")
rbridge.library("glmnet")
rbridge.assign("x", rbridge.RMatrix.from_frame(Xz))
rbridge.assign("y", y.astype(float))
rbridge.assign("lam", path.lambda_)
coef_r = rbridge.reval("fit <- glmnet::glmnet(x, y, family = 'binomial', lambda = lam, "
                       "thresh = 1e-12, maxit = 1e6); as.matrix(coef(fit))")
link_r = np.asarray(rbridge.reval("predict(fit, newx = x, type = 'link')"), dtype=float)
coef_r = np.asarray(coef_r, dtype=float)
k = int(np.argmax(path.nzero_ > 0)) if (path.nzero_ > 0).any() else 0
side = pd.DataFrame({"BiglassoPath": path.coef_[k], "glmnet::glmnet": coef_r[1:, k]},
                    index=Xz.columns)
print(f"coefficients at lambda #{k + 1} = {path.lambda_[k]:.4g} (non-zero rows):")
display(side[(side != 0).any(axis=1)])
check("glmnet", "lambda grid (NumPy vs R path)", grid[:len(path.lambda_)], path.lambda_, 1e-12)
check("glmnet", "coefficients (all lambdas)", path.coef_, coef_r[1:].T, 1e-8)
check("glmnet", "intercepts", path.intercept_, coef_r[0], 1e-8)
check("glmnet", "linear predictors", path.decision_function(Xz), link_r, 1e-8)

# %% [markdown]
# ## 3. ssGSEA: fast engine vs `GSVA::gsva(method = "ssgsea")`
#
# The KEGG pathway scores are ssGSEA enrichment scores (GSVA 1.46, normalised by the range of
# all scores). The fast engine reproduces GSVA's ranking, weighting and normalisation exactly.

# %%
from pyradiogen.genomics.expression import cohort_expression
from pyradiogen.genomics.ssgsea import ssgsea

expr = cohort_expression(c, study="liu2023")   # patients × genes, log2(TPM + 1)
E = expr.T                             # genes × samples, as GSVA takes it
sets = c.gene_sets
t = time.perf_counter()
es_fast = ssgsea(E, sets, engine="fast")
seconds_fast = time.perf_counter() - t
rbridge.library("GSVA")
rbridge.assign("E", rbridge.RMatrix.from_frame(E))
rbridge.assign("gsets", {name: np.asarray(genes, dtype=object) for name, genes in sets.items()})
t = time.perf_counter()
es_r = rbridge.reval("GSVA::gsva(E, gsets, method = 'ssgsea', verbose = FALSE)")
seconds_r = time.perf_counter() - t
es_r = es_r.loc[es_fast.index, es_fast.columns]
print(f"{es_fast.shape[0]} gene sets × {es_fast.shape[1]} samples; fast {seconds_fast:.2f} s, "
      f"GSVA {seconds_r:.2f} s")
display(pd.DataFrame({"fast": es_fast.iloc[:5, 0], "GSVA": es_r.iloc[:5, 0]}))
check("ssGSEA", "normalised enrichment scores", es_fast, es_r, 1e-10)

# %% [markdown]
# ## 4. genefu signatures: `compute_signatures` vs the R package's functions
#
# The R package `pyradiogen` re-implements genefu's signatures. `compute_signatures` sends only
# the genes some signature can use and calls `pyradiogen_signatures` once for the whole batch;
# here each R function gets the full expression matrix directly.

# %%
from pyradiogen.genomics.signatures import annotation_from_genes, compute_signatures

annot = annotation_from_genes(list(expr.columns), c.genes)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RWarning)  # signature genes absent from the demo panel
    sig = compute_signatures(expr, annot)
rbridge.assign("data", rbridge.RMatrix.from_frame(expr))
rbridge.assign("annot", annot)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RWarning)  # call_r also returns them in .warnings
    direct = rbridge.call_r(rbridge.reval("""function() {
      data.frame(oncotypedx = pyradiogen::oncotypedx(data, annot, do.mapping = TRUE)$score,
                 endoPredict = pyradiogen::endoPredict(data, annot, do.mapping = TRUE)$score,
                 rorS = pyradiogen::rorS(data, annot, do.mapping = TRUE)$score,
                 gene70 = pyradiogen::gene70(data, annot, do.mapping = TRUE)$score,
                 genius = pyradiogen::genius(data, annot, do.mapping = TRUE)$score,
                 pik3cags = as.numeric(pyradiogen::pik3cags(data, annot, do.mapping = TRUE)),
                 row.names = rownames(data))
    }"""))
print(f"R warned {len(direct.warnings)} time(s) (signature genes missing from the demo panel)")
r_sig = direct.value
display(pd.concat({"Python": sig[r_sig.columns].head(4), "R": r_sig.head(4)}, axis=1))
check("genefu", "6 study-1 signatures (direct calls)", sig[r_sig.columns], r_sig, 1e-10)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", RWarning)
    full = rbridge.rcall("pyradiogen::pyradiogen_signatures", rbridge.RMatrix.from_frame(expr),
                         annot)
# (flags such as `oncotypedx_clamped`, the scores at genefu's 0/100 bound, are Python's own)
num = [col for col in sig.columns if pd.api.types.is_numeric_dtype(sig[col])
       and not pd.api.types.is_bool_dtype(sig[col])]
check("genefu", f"all {len(num)} numeric columns", sig[num], full.loc[sig.index, num], 1e-10)

# %% [markdown]
# ## 5. ICC: `crf.icc_all` vs `psych::ICC`
#
# Study 2 measured inter-reader agreement with R's `irr`; pyradiogen's R package re-implements
# it (`pyradiogen::icc`). psych gives the same six forms under other names. For every
# pyradiomics feature of the two readers we compare the ICCs and their 95% CIs. One known
# difference is not a bug: for ICC(A,k) psych transforms the single-rater interval, irr
# computes its own, so that interval is shown but not compared.

# %%
from pyradiogen.crf import extract_crfs, icc_all
from pyradiogen.crf.icc import reader_matrices
from pyradiogen.studies import kim2020

s2 = kim2020.assemble(c)
crfs = extract_crfs(c, n_jobs=1, cache_dir=OUT / "crf_cache")
crfs = crfs[crfs["patient_id"].isin(s2.patients)].drop(columns=["image_id"])
mats = {f: m.dropna() for f, m in reader_matrices(crfs).items()}
mats = {f: m for f, m in mats.items() if m.std().min() > 0}
rbridge.library("psych")
PSYCH = {"ICC(1)": "ICC1", "ICC(k)": "ICC1k", "ICC(C,1)": "ICC3", "ICC(C,k)": "ICC3k",
         "ICC(A,1)": "ICC2", "ICC(A,k)": "ICC2k"}
ours_rows, psych_rows = [], []
for feat, ratings in mats.items():
    a = icc_all(ratings).set_index("icc_name")
    rbridge.assign("r", rbridge.RMatrix.from_frame(ratings))
    p = rbridge.reval("psych::ICC(r, lmer = FALSE)$results").set_index("type")
    for name, pname in PSYCH.items():
        ours_rows.append({"feature": feat, "form": name, "icc": a.loc[name, "value"],
                          "lower": a.loc[name, "lbound"], "upper": a.loc[name, "ubound"]})
        psych_rows.append({"feature": feat, "form": name, "icc": p.loc[pname, "ICC"],
                           "lower": p.loc[pname, "lower bound"],
                           "upper": p.loc[pname, "upper bound"]})
ours_icc = pd.DataFrame(ours_rows).set_index(["feature", "form"])
psych_icc = pd.DataFrame(psych_rows).set_index(["feature", "form"])
first = next(iter(mats))
display(pd.concat({"crf.icc_all": ours_icc.loc[first], "psych::ICC": psych_icc.loc[first]},
                  axis=1).round(6))
ci = ours_icc.index.get_level_values("form") != "ICC(A,k)"
check("ICC", f"ICC values ({len(mats)} features × 6 forms)", ours_icc["icc"], psych_icc["icc"],
      1e-10)
check("ICC", "95% CI bounds (5 forms)", ours_icc.loc[ci, ["lower", "upper"]],
      psych_icc.loc[ci, ["lower", "upper"]], 1e-10)
gap = (ours_icc.loc[~ci, ["lower", "upper"]] - psych_icc.loc[~ci, ["lower", "upper"]]).abs()
print(f"ICC(A,k) interval, irr vs psych (by design): max |difference| = {gap.max().max():.3g}")

# %% [markdown]
# ## Summary
#
# Every check passed (an `assert` stops the notebook otherwise). The table is also written to
# `vignette02_parity.json` in the scratch folder.

# %%
parity = pd.DataFrame(PARITY)
display(parity)
assert parity["ok"].all()
assert {"nlme", "glmnet", "ssGSEA", "genefu", "ICC"} <= set(parity["step"])
store.write_json(OUT / "vignette02_parity.json",
                 {"cohort": str(COHORT), "checks": PARITY,
                  "seconds": round(time.perf_counter() - T0, 1)})
print("VIGNETTE_PARITY " + json.dumps(PARITY))
