"""What an association scan returns: :class:`AssociationResult` and its counts.

What an association scan returns: :class:`AssociationResult`, with the counts behind study
liu2023's Fig 5 and Tables 2–3 as its methods.

Vocabulary (``docs/ARCHITECTURE.md``): a **paper block** is the paper's grouping of the 4,096
DRFs into 16 blocks of 256 consecutive features (``fea_1 … fea_256`` is block 1), which the
paper calls "kernels"; the true convolution kernel of a DRF is
:meth:`pyradiogen.drf.DRFExtractor.kernel_of`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..results import Summary

#: features per paper block (the paper's "kernel")
PAPER_BLOCK_SIZE = 256


def paper_block_of(feature: str, block_size: int = PAPER_BLOCK_SIZE) -> int | None:
    """The paper block of a DRF ``fea_i``: block b holds features 256(b − 1) + 1 … 256b.

    Parameters
    ----------
    feature : str
        A feature name.
    block_size : int
        Features per block.

    Returns
    -------
    int or None
        The 1-based block, or ``None`` for a name that is not ``fea_<i>``.

    References
    ----------
    Liu Q, Hu P (2023). Radiogenomic association of deep MR imaging features with genomic
    profiles and clinical characteristics in breast cancer. *Biomarker Research* 11:9
    (Table 2, "kernel").
    """
    m = re.fullmatch(r"fea_(\d+)", str(feature))
    return None if m is None else (int(m.group(1)) - 1) // block_size + 1


@dataclass
class AssociationResult:
    """What :func:`pyradiogen.associate.associate` returns: the scan's table and its counts.

    Parameters
    ----------
    table : DataFrame, shape (n_features * n_gfs, 9)
        ``feature, gf, estimate, std_error, df, t, p_value, p_adj, note``; ``p_adj`` is
        Benjamini–Hochberg within each GF across features.
    engine, preset : str
        ``"fast"``/``"nlme"``; the config preset (``"paper"``/``"code"``).
    alpha : float
        Significance level of ``p_adj``.
    gf_class : dict of str to str
        GF → class (risk genes, signatures, KEGG …).
    n_failed : int
        Fits that failed (R error).
    left_out : dict
        Patients and images left out, by reason.
    na_action : str
        ``"fail"`` or ``"omit"``.
    blocks_run, blocks_reused : int
        Feature blocks fitted in this call and reused from an earlier one.
    seconds : float
        Wall time, in seconds.
    timings : dict of str to float
        Wall time per phase, in seconds.

    References
    ----------
    .. [1] Liu Q, Hu P. Radiogenomic association of deep MR imaging features with genomic
       profiles and clinical characteristics in breast cancer. *Biomark Res* 11, 9 (2023)
       (Fig 5, Tables 2–3).
    """

    table: pd.DataFrame
    engine: str
    preset: str
    alpha: float = 0.05
    gf_class: dict[str, str] = field(default_factory=dict)
    n_failed: int = 0
    left_out: dict = field(default_factory=dict)
    na_action: str = "fail"
    blocks_run: int = 0
    blocks_reused: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    # ------------------------------------------------------------------ rows
    def significant(self) -> pd.DataFrame:
        """The significant pairs.

        Returns
        -------
        DataFrame
            Rows of ``table`` with ``p_adj < alpha``.
        """
        return self.table[self.table["p_adj"] < self.alpha]

    def _sig(self) -> pd.DataFrame:
        sig = self.table.loc[self.table["p_adj"] < self.alpha,
                             ["feature", "gf", "estimate", "p_value", "p_adj"]].copy()
        sig["class"] = sig["gf"].map(lambda g: self.gf_class.get(g, "GF"))
        sig["paper_block"] = sig["feature"].map(paper_block_of)
        return sig

    # ------------------------------------------------------------------ counts
    def per_gf(self) -> pd.DataFrame:
        """Counts per GF.

        Returns
        -------
        DataFrame, shape (n_gfs, 5)
            ``gf, class, n_tested, n_failed`` (pairs without a p-value), ``n_significant``.
        """
        t = self.table
        flags = pd.DataFrame({"gf": t["gf"].to_numpy(), "na": t["p_value"].isna().to_numpy(),
                              "sig": (t["p_adj"] < self.alpha).to_numpy()})
        out = flags.groupby("gf", sort=False).agg(n_tested=("na", "size"),
                                                  n_failed=("na", "sum"),
                                                  n_significant=("sig", "sum"))
        out = out.astype({"n_failed": int, "n_significant": int})
        out.insert(0, "class", [self.gf_class.get(g, "GF") for g in out.index])
        return out.reset_index()

    def per_feature(self) -> pd.DataFrame:
        """Significant GFs per feature and GF class, most first (Fig 5e is its head).

        Returns
        -------
        DataFrame
            ``feature, paper_block``, one count column per GF class, ``total``.
        """
        sig = self._sig()
        classes = sorted(set(self.gf_class.values()))
        counts = (sig.groupby(["feature", "class"]).size().unstack(fill_value=0)
                  .reindex(columns=classes, fill_value=0))
        feats = pd.Index(self.table["feature"].unique(), name="feature")
        counts = counts.reindex(feats, fill_value=0)
        counts["total"] = counts.sum(axis=1)
        counts.insert(0, "paper_block", [paper_block_of(f) for f in counts.index])
        return counts.sort_values("total", ascending=False, kind="stable").reset_index()

    def per_block(self, block_size: int = PAPER_BLOCK_SIZE) -> pd.DataFrame:
        """Table 2: significant pairs per paper block and GF class, most first.

        Parameters
        ----------
        block_size : int, default 256
            Features per paper block (the paper's "kernel").

        Returns
        -------
        DataFrame
            ``paper_block``, one count column per GF class, ``total``; empty for features that
            are not DRFs.
        """
        sig = self._sig().dropna(subset=["paper_block"])
        if block_size != PAPER_BLOCK_SIZE:
            sig["paper_block"] = sig["feature"].map(lambda f: paper_block_of(f, block_size))
        classes = sorted(set(self.gf_class.values()))
        tab = (sig.groupby(["paper_block", "class"]).size().unstack(fill_value=0)
               .reindex(columns=classes, fill_value=0))
        blocks = sorted({k for k in (paper_block_of(f, block_size)
                                     for f in self.table["feature"].unique()) if k is not None})
        tab = tab.reindex(pd.Index(blocks, name="paper_block"), fill_value=0)
        tab["total"] = tab.sum(axis=1)
        return tab.sort_values("total", ascending=False, kind="stable").reset_index()

    def top_gfs(self, n: int = 5, n_blocks: int = 5) -> pd.DataFrame:
        """Table 3: per class, the GFs with most significant features and their blocks.

        Parameters
        ----------
        n : int, default 5
            GFs per class.
        n_blocks : int, default 5
            Most frequent paper blocks listed per GF.

        Returns
        -------
        DataFrame
            ``class, gf, n_significant, top_paper_blocks``.
        """
        sig = self._sig()
        rows = []
        for cls, sub in sig.groupby("class"):
            counts = sub.groupby("gf").size().sort_values(ascending=False, kind="stable")
            for gf, cnt in counts.head(n).items():
                blk = sub.loc[sub["gf"] == gf, "paper_block"].dropna().astype(int)
                top = blk.value_counts().sort_values(ascending=False, kind="stable").head(n_blocks)
                rows.append({"class": cls, "gf": gf, "n_significant": int(cnt),
                             "top_paper_blocks": ",".join(str(k) for k in top.index)})
        return pd.DataFrame(rows, columns=["class", "gf", "n_significant", "top_paper_blocks"])

    def not_fitted(self) -> dict[str, int]:
        """Pairs without a p-value, counted by reason.

        Returns
        -------
        dict of str to int
            The row's note (``"fit failed (no note)"`` when none) → number of pairs.
        """
        na = self.table[self.table["p_value"].isna()]
        reasons = na["note"].fillna("fit failed (no note)").astype(str)
        return {str(k): int(v) for k, v in reasons.value_counts().items()}

    def overview(self) -> dict:
        """Headline numbers of the scan (for ``summary.json`` and the report).

        Returns
        -------
        dict
            ``engine, preset, alpha, n_features, n_gfs, n_pairs, n_na, n_failed_fits,
            n_features_any, n_gfs_any``; ``classes`` (per GF class: ``n_gfs``,
            ``n_gfs_with_feature``, ``n_features_with_gf``, ``n_pairs``); ``notes``,
            ``not_fitted``, ``n_not_fitted``, ``left_out``, ``na_action``.
        """
        sig = self._sig()
        t = self.table
        out: dict = {"engine": self.engine, "preset": self.preset, "alpha": self.alpha,
                     "n_features": int(t["feature"].nunique()), "n_gfs": int(t["gf"].nunique()),
                     "n_pairs": int(len(t)), "n_na": int(t["p_value"].isna().sum()),
                     "n_failed_fits": self.n_failed,
                     "n_features_any": int(sig["feature"].nunique()),
                     "n_gfs_any": int(sig["gf"].nunique()), "classes": {}}
        for cls in sorted(set(self.gf_class.values())):
            gfs = [g for g, c in self.gf_class.items() if c == cls]
            s = sig[sig["class"] == cls]
            out["classes"][cls] = {"n_gfs": len(gfs),
                                   "n_gfs_with_feature": int(s["gf"].nunique()),
                                   "n_features_with_gf": int(s["feature"].nunique()),
                                   "n_pairs": int(len(s))}
        notes = t["note"].dropna()
        out["notes"] = {str(k): int(v) for k, v in notes.value_counts().items()}
        out["not_fitted"] = self.not_fitted()
        out["n_not_fitted"] = int(sum(out["not_fitted"].values()))
        out["left_out"] = self.left_out
        out["na_action"] = self.na_action
        return out

    def console_lines(self) -> list[str]:
        """Lines for the console: pairs not fitted by reason, patients and images left out.

        Returns
        -------
        list of str
            One line each; empty when nothing was left out.
        """
        lines = []
        nf = self.not_fitted()
        if nf:
            lines.append(f"{sum(nf.values())} of {len(self.table)} pairs not fitted "
                         "(no estimate, no p):")
            lines += [f"  {v} × {k}" for k, v in nf.items()]
        lo = self.left_out or {}
        if lo.get("no_gf_row"):
            lines.append(f"{lo['images_left_out']} image(s) of {len(lo['no_gf_row'])} patient(s) "
                         f"without a GF row left out: {', '.join(lo['no_gf_row'][:10])}")
        if lo.get("no_images"):
            lines.append(f"{len(lo['no_images'])} GF-table patient(s) without features not "
                         f"used: {', '.join(lo['no_images'][:10])}")
        for gf, pats in (lo.get("omitted_patients_per_gf") or {}).items():
            lines.append(f"GF {gf}: {len(pats)} patient(s) with a missing value omitted "
                         f"(--na-action omit): {', '.join(pats[:10])}")
        for feat, n in list((lo.get("omitted_images_per_feature") or {}).items())[:10]:
            lines.append(f"feature {feat}: {n} image(s) with a missing value omitted "
                         "(--na-action omit)")
        return lines

    def significance_matrix(self, cls: str | None = None) -> pd.DataFrame:
        """GFs × features matrix of −log10(p_adj), for the heatmaps.

        Parameters
        ----------
        cls : str or None, default None
            Only the GFs of this class; all when None.

        Returns
        -------
        DataFrame, shape (n_gfs, n_features)
            −log10 of the BH-adjusted p-value; NaN for pairs without a p-value.
        """
        t = self.table
        fcode, feats = pd.factorize(t["feature"])          # features in table order
        gcode, gfs = pd.factorize(t["gf"])
        if cls is not None:
            keep_gf = np.array([self.gf_class.get(g, "GF") == cls for g in gfs], dtype=bool)
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
        order = np.argsort(np.asarray(gfs[used_g], dtype=str), kind="stable")  # sorted, as pivot
        with np.errstate(divide="ignore"):
            vals = -np.log10(np.clip(mat[order], 1e-300, None))
        return pd.DataFrame(vals, index=pd.Index(np.asarray(gfs[used_g])[order], name="gf"),
                            columns=pd.Index(np.asarray(feats[used_f]), name="feature"))

    # ------------------------------------------------------------------ summary
    def summary(self) -> Summary:
        """The scan in brief: settings, counts per GF class, top GFs, what was not fitted.

        Returns
        -------
        Summary
            Printable; HTML in a notebook.
        """
        ov = self.overview()
        classes = pd.DataFrame(ov["classes"]).T.rename_axis("GF class")
        info = {"engine": self.engine, "preset": self.preset, "alpha (BH within GF)": self.alpha,
                "features": ov["n_features"], "GFs": ov["n_gfs"], "pairs": ov["n_pairs"],
                "pairs without p-value": ov["n_na"],
                "features with a significant GF": ov["n_features_any"],
                "GFs with a significant feature": ov["n_gfs_any"]}
        tables = {"Significant pairs per GF class": classes,
                  "Top GFs per class": self.top_gfs()}
        return Summary("LME association scan: lme(X ~ G, random = ~1 | patient)", info,
                       tables, self.console_lines())
