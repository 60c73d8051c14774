"""Counts behind Fig 5 and Tables 2–3 of study 1, from an association table."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .scan import KERNEL_SIZE, AssociationResult, kernel_of


def _sig(table: pd.DataFrame, alpha: float, gf_class: Mapping[str, str]) -> pd.DataFrame:
    sig = table.loc[table["p_adj"] < alpha, ["feature", "gf", "estimate", "p", "p_adj"]].copy()
    sig["class"] = sig["gf"].map(lambda g: gf_class.get(g, "GF"))
    sig["kernel"] = sig["feature"].map(kernel_of)
    return sig


def per_gf(res: AssociationResult) -> pd.DataFrame:
    """gf, class, n_tested, n_failed (NA fits), n_significant (features with p_adj < alpha)."""
    t = res.table
    flags = pd.DataFrame({"gf": t["gf"].to_numpy(), "na": t["p"].isna().to_numpy(),
                          "sig": (t["p_adj"] < res.alpha).to_numpy()})
    out = flags.groupby("gf", sort=False).agg(n_tested=("na", "size"), n_failed=("na", "sum"),
                                              n_significant=("sig", "sum"))
    out = out.astype({"n_failed": int, "n_significant": int})
    out.insert(0, "class", [res.gf_class.get(g, "GF") for g in out.index])
    return out.reset_index()


def per_feature(res: AssociationResult) -> pd.DataFrame:
    """feature, kernel, significant GFs per class and in total (sorted: most first)."""
    sig = _sig(res.table, res.alpha, res.gf_class)
    classes = sorted(set(res.gf_class.values()))
    counts = (sig.groupby(["feature", "class"]).size().unstack(fill_value=0)
              .reindex(columns=classes, fill_value=0))
    feats = pd.Index(res.table["feature"].unique(), name="feature")
    counts = counts.reindex(feats, fill_value=0)
    counts["total"] = counts.sum(axis=1)
    counts.insert(0, "kernel", [kernel_of(f) for f in counts.index])
    return counts.sort_values("total", ascending=False, kind="stable").reset_index()


def per_kernel(res: AssociationResult, kernel_size: int = KERNEL_SIZE) -> pd.DataFrame:
    """Table 2: significant pairs per kernel and GF class, with the total (most first)."""
    sig = _sig(res.table, res.alpha, res.gf_class).dropna(subset=["kernel"])
    classes = sorted(set(res.gf_class.values()))
    tab = (sig.groupby(["kernel", "class"]).size().unstack(fill_value=0)
           .reindex(columns=classes, fill_value=0))
    kernels = sorted({k for k in map(kernel_of, res.table["feature"].unique()) if k is not None})
    tab = tab.reindex(pd.Index(kernels, name="kernel"), fill_value=0)
    tab["total"] = tab.sum(axis=1)
    return tab.sort_values("total", ascending=False, kind="stable").reset_index()


def top_gfs(res: AssociationResult, n: int = 5, n_kernels: int = 5) -> pd.DataFrame:
    """Table 3: per class, the ``n`` GFs with most significant features and their top kernels."""
    sig = _sig(res.table, res.alpha, res.gf_class)
    rows = []
    for cls, sub in sig.groupby("class"):
        counts = sub.groupby("gf").size().sort_values(ascending=False, kind="stable")
        for gf, cnt in counts.head(n).items():
            ker = sub.loc[sub["gf"] == gf, "kernel"].dropna().astype(int)
            top = ker.value_counts().sort_values(ascending=False, kind="stable").head(n_kernels)
            rows.append({"class": cls, "gf": gf, "n_significant": int(cnt),
                         "top_kernels": ",".join(str(k) for k in top.index)})
    return pd.DataFrame(rows, columns=["class", "gf", "n_significant", "top_kernels"])


def overview(res: AssociationResult) -> dict:
    """Headline numbers per GF class: features with ≥ 1 significant GF, GFs with ≥ 1 feature."""
    sig = _sig(res.table, res.alpha, res.gf_class)
    n_feat = int(res.table["feature"].nunique())
    out: dict = {"engine": res.engine, "preset": res.preset, "alpha": res.alpha,
                 "n_features": n_feat, "n_gfs": int(res.table["gf"].nunique()),
                 "n_pairs": int(len(res.table)), "n_na": int(res.table["p"].isna().sum()),
                 "n_failed_fits": res.n_failed,
                 "n_features_any": int(sig["feature"].nunique()),
                 "n_gfs_any": int(sig["gf"].nunique()), "classes": {}}
    for cls in sorted(set(res.gf_class.values())):
        gfs = [g for g, c in res.gf_class.items() if c == cls]
        s = sig[sig["class"] == cls]
        out["classes"][cls] = {"n_gfs": len(gfs), "n_gfs_with_feature": int(s["gf"].nunique()),
                               "n_features_with_gf": int(s["feature"].nunique()),
                               "n_pairs": int(len(s))}
    notes = res.table["note"].dropna()
    out["notes"] = {str(k): int(v) for k, v in notes.value_counts().items()}
    out["not_fitted"] = not_fitted(res)
    out["n_not_fitted"] = int(sum(out["not_fitted"].values()))
    out["left_out"] = res.left_out
    out["na_action"] = res.na_action
    return out


def not_fitted(res: AssociationResult) -> dict[str, int]:
    """Pairs without a p-value, counted by reason (the row's note; "fit failed" when none)."""
    t = res.table
    na = t[t["p"].isna()]
    reasons = na["note"].fillna("fit failed (no note)").astype(str)
    return {str(k): int(v) for k, v in reasons.value_counts().items()}


def console_summary(res: AssociationResult) -> list[str]:
    """Lines for the console: pairs not fitted by reason, patients and images left out."""
    lines = []
    nf = not_fitted(res)
    if nf:
        n = sum(nf.values())
        lines.append(f"{n} of {len(res.table)} pairs not fitted (no estimate, no p):")
        lines += [f"  {v} × {k}" for k, v in nf.items()]
    lo = res.left_out or {}
    if lo.get("no_gf_row"):
        lines.append(f"{lo['images_left_out']} image(s) of {len(lo['no_gf_row'])} patient(s) "
                     f"without a GF row left out: {', '.join(lo['no_gf_row'][:10])}")
    if lo.get("no_images"):
        lines.append(f"{len(lo['no_images'])} GF-table patient(s) without features not used: "
                     f"{', '.join(lo['no_images'][:10])}")
    for gf, pats in (lo.get("omitted_patients_per_gf") or {}).items():
        lines.append(f"GF {gf}: {len(pats)} patient(s) with a missing value omitted "
                     f"(--na-action omit): {', '.join(pats[:10])}")
    for feat, n in list((lo.get("omitted_images_per_feature") or {}).items())[:10]:
        lines.append(f"feature {feat}: {n} image(s) with a missing value omitted "
                     "(--na-action omit)")
    return lines


def significance_matrix(res: AssociationResult, cls: str | None = None) -> pd.DataFrame:
    """GFs × features matrix of −log10(p_adj) (NaN for NA fits), for the heatmaps."""
    t = res.table
    fcode, feats = pd.factorize(t["feature"])          # features in table order
    gcode, gfs = pd.factorize(t["gf"])
    if cls is not None:
        keep_gf = np.array([res.gf_class.get(g, "GF") == cls for g in gfs], dtype=bool)
        rows = keep_gf[gcode]
    else:
        keep_gf = np.ones(len(gfs), dtype=bool)
        rows = np.ones(len(t), dtype=bool)
    used_g = np.flatnonzero(keep_gf)
    used_f = np.unique(fcode[rows])                     # features that have such a GF row
    gpos = np.full(len(gfs), -1)
    gpos[used_g] = np.arange(len(used_g))
    fpos = np.full(len(feats), -1)
    fpos[used_f] = np.arange(len(used_f))
    mat = np.full((len(used_g), len(used_f)), np.nan)
    mat[gpos[gcode[rows]], fpos[fcode[rows]]] = t["p_adj"].to_numpy(dtype=float)[rows]
    order = np.argsort(np.asarray(gfs[used_g], dtype=str), kind="stable")  # GFs sorted, as pivot
    with np.errstate(divide="ignore"):
        vals = -np.log10(np.clip(mat[order], 1e-300, None))
    return pd.DataFrame(vals, index=pd.Index(np.asarray(gfs[used_g])[order], name="gf"),
                        columns=pd.Index(np.asarray(feats[used_f]), name="feature"))
