"""Study 1's association counts on a demo cohort, beside the published ones (issue 19).

    python benchmarks/bench_demo_effects.py                      # 24 patients, seed 101
    python benchmarks/bench_demo_effects.py --patients 110 --json out.json
    python benchmarks/bench_demo_effects.py --cohort DIR         # an existing demo cohort

Generates a demo cohort (or reads ``--cohort``), computes study 1's genomic features (risk
panel, the 6 signatures, KEGG ssGSEA), trains the autoencoder and extracts the DRFs, scans DRFs
and the 36 CRFs against every GF (fast LME engine, BH < 0.05 within each GF), and prints the
counts the paper reports (features with a significant GF, GFs with a significant feature, per
GF class) beside the published ones, with the power/FDR of the calls against the planted truth
(``pyradiogen.replicate.truth``). The demo's planted effects are tuned so that these counts
are of the papers' order of magnitude (DRFs: most GFs; CRFs: a handful of risk genes, no
signature, no pathway) while the planted links stay detectable by the DRF arm.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

#: Liu & Hu 2023 (Fig 5, text): counts of the association scan on 110 patients
PUBLISHED = {
    "DRF": {"risk genes": (1774, 213), "signatures": (None, None), "KEGG": (1739, 166),
            "any": (2028, 381)},
    "CRF": {"risk genes": (14, 8), "signatures": (0, 0), "KEGG": (0, 0), "any": (14, 8)},
}
SIGNATURES = ("oncotypedx", "endoPredict", "rorS", "gene70", "genius", "pik3cags")


def genomic_features(cohort) -> tuple[pd.DataFrame, dict[str, str]]:
    """Study 1's GFs (patients × GF) and each GF's class."""
    from pyradiogen.genomics.expression import cohort_expression
    from pyradiogen.genomics.risk import cohort_risk_features
    from pyradiogen.genomics.signatures import annotation_from_genes, compute_signatures
    from pyradiogen.genomics.ssgsea import pathway_scores

    expr = cohort_expression(cohort)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sig = compute_signatures(expr, annotation_from_genes(list(expr.columns), cohort.genes))
    kegg = pathway_scores(cohort, None, expr)
    risk, _ = cohort_risk_features(cohort, None, expr)
    parts = {"risk genes": risk, "signatures": sig[list(SIGNATURES)], "KEGG": kegg}
    gf = pd.concat([p for p in parts.values() if p is not None], axis=1)
    gf.index.name = "patient_id"
    classes = {str(c): cls for cls, p in parts.items() if p is not None for c in p.columns}
    return gf, classes


def drfs(cohort, epochs: int | None, seed: int) -> pd.DataFrame:
    """Quantile-normalised DRFs of study 1's images (image_id, patient_id, fea_…)."""
    import dataclasses

    from pyradiogen.config import default_config
    from pyradiogen.drf import DRFExtractor, quantile_normalize, to_table

    s1 = cohort.study1()
    images = s1.images
    pixels = [cohort.pixels(i) for i in images.index]
    cfg = default_config("paper", seed).section("drf")
    if epochs:
        cfg = dataclasses.replace(cfg, epochs=epochs)
    est = DRFExtractor(cfg, seed=seed)
    est.fit(pixels, list(images["patient_id"]), list(images.index))
    raw = est.transform(pixels, list(images["patient_id"]), list(images.index))
    return to_table(quantile_normalize(raw)), list(s1.patients)


def crf36(cohort, patients) -> pd.DataFrame:
    crf = cohort.crf36
    crf = crf.loc[crf.index.intersection(patients)]
    out = crf.reset_index().rename(columns={crf.index.name or "index": "patient_id"})
    out.insert(0, "image_id", out["patient_id"])
    return out


def counts(res, classes: dict[str, str], alpha: float) -> dict:
    t = res.table
    sig = t[t["p_adj"] < alpha]
    out = {}
    for cls in ("risk genes", "signatures", "KEGG"):
        s = sig[sig["gf"].map(classes) == cls]
        n_gf = sum(v == cls for v in classes.values())
        out[cls] = {"features": int(s["feature"].nunique()), "gfs": int(s["gf"].nunique()),
                    "of_gfs": n_gf,
                    "median_min_p": float(t[t["gf"].map(classes) == cls].groupby("gf")["p"]
                                          .min().median())}
    out["any"] = {"features": int(sig["feature"].nunique()), "gfs": int(sig["gf"].nunique()),
                  "of_gfs": len(classes),
                  "min_p": float(t["p"].min())}
    out["n_features"] = int(t["feature"].nunique())
    return out


def truth_scores(cohort_dir: Path, gf: pd.DataFrame, classes: dict[str, str],
                 called: dict[str, set[str]]) -> list[dict]:
    from pyradiogen.replicate.truth import linked_gfs, measured_links, score_calls

    truth = json.loads((cohort_dir / "truth.json").read_text())
    kind = {"risk genes": "risk_gene", "signatures": "signature", "KEGG": "kegg"}
    types = {g: kind[c] for g, c in classes.items()}
    measured = measured_links(gf, truth)
    confounded = set(measured.index[measured >= 0.2])
    linked = linked_gfs(truth, types)
    rows = []
    for label, c in called.items():
        for k in ("risk_gene", "signature", "kegg", None):
            sub = {g: v for g, v in linked.items() if k is None or types[g] == k}
            rows.append({"features": label, "GF type": k or "all",
                         **score_calls(c & set(sub), sub, confounded & set(sub))})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=24)
    ap.add_argument("--seed", type=int, default=101, help="demo-cohort seed")
    ap.add_argument("--cohort", type=Path, default=None, help="an existing demo cohort")
    ap.add_argument("--epochs", type=int, default=None,
                    help="autoencoder epochs (default: the paper preset's 100)")
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    from pyradiogen.associate import associate
    from pyradiogen.cohort import load_cohort
    from pyradiogen.demo import make_demo_cohort

    t0 = time.perf_counter()
    tmp = None
    if args.cohort is None:
        tmp = Path(tempfile.mkdtemp(prefix="bench_demo_effects_"))
        make_demo_cohort(tmp, n_patients=args.patients, seed=args.seed, n_jobs=args.n_jobs)
        cdir = tmp
    else:
        cdir = args.cohort
    try:
        cohort = load_cohort(cdir, progress=False)
        gf, classes = genomic_features(cohort)
        d, patients = drfs(cohort, args.epochs, 101)
        out = {"patients": len(patients), "seed": args.seed, "counts": {}}
        called = {}
        for label, feats in (("DRF", d), ("CRF", crf36(cohort, patients))):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = associate(feats, gf.reset_index(), engine="fast", n_jobs=args.n_jobs,
                                gf_class=classes)
            out["counts"][label] = counts(res, classes, 0.05)
            called[label] = set(res.table.loc[res.table["p_adj"] < 0.05, "gf"])
        out["truth"] = truth_scores(cdir, gf, classes, called)
        out["seconds"] = round(time.perf_counter() - t0, 1)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    for label, c in out["counts"].items():
        print(f"{label}s ({c['n_features']} features, {out['patients']} patients):")
        for cls in ("risk genes", "signatures", "KEGG", "any"):
            pub = PUBLISHED[label][cls]
            pub_s = "—" if pub[0] is None else f"{pub[0]} features / {pub[1]} GFs"
            x = c[cls]
            print(f"  {cls:11s} {x['features']:5d} features with {x['gfs']:3d} of "
                  f"{x['of_gfs']:3d} GFs   (published, 110 patients: {pub_s})")
    print(pd.DataFrame(out["truth"]).to_string(index=False))
    print(f"{out['seconds']} s")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
