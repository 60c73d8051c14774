"""Benchmark of the association scan: the full 4,096 DRF × 476 GF scan on 110 patients.

Fast engine over the whole scan (loky workers), nlme on a random sample of pairs (timed per
fit and extrapolated), their ratio, peak memory and the fast-vs-nlme differences on the sample.

    python benchmarks/bench_associate.py --n-jobs 2 --json /tmp/bench_associate.json
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import numpy as np


def make_data(n_patients: int, n_features: int, n_gfs: int, seed: int):
    from pyradiogen.datasets import make_association_tables

    feats, gfs = make_association_tables(n_patients=n_patients, n_features=n_features, n_gfs=n_gfs,
                                  images=(3, 8), n_linked=64, effect=0.5, seed=seed)
    names = [c for c in gfs.columns if c != "patient_id"]
    cls = {}
    for i, g in enumerate(names):
        cls[g] = "risk genes" if i < 288 else ("signatures" if i < 294 else "KEGG")
    return feats, gfs, cls


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--patients", type=int, default=110)
    ap.add_argument("--features", type=int, default=4096)
    ap.add_argument("--gfs", type=int, default=476)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--block-size", type=int, default=128)
    ap.add_argument("--device", default=None, help="cuda for the torch path on a GPU")
    ap.add_argument("--nlme-features", type=int, default=20)
    ap.add_argument("--nlme-gfs", type=int, default=10)
    ap.add_argument("--skip-nlme", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    from pyradiogen.associate import associate

    feats, gfs, cls = make_data(args.patients, args.features, args.gfs, args.seed)
    n_pairs = args.features * args.gfs
    out: dict = {"patients": args.patients, "images": len(feats), "features": args.features,
                 "gfs": args.gfs, "pairs": n_pairs, "n_jobs": args.n_jobs,
                 "block_size": args.block_size, "device": args.device}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        c0 = time.process_time()
        res = associate(feats, gfs, engine="fast", n_jobs=args.n_jobs,
                        block_size=args.block_size, out_dir=tmp, device=args.device,
                        gf_class=cls)
        out["fast_seconds"] = time.perf_counter() - t0
        # CPU time of this process: the whole scan's CPU cost when n_jobs = 1 (load-independent)
        out["fast_cpu_seconds_in_process"] = time.process_time() - c0
        # the rest of the `associate` command: the table (Parquet + CSV of the significant
        # pairs), the summary tables, the Fig 5 panels and the manifest
        from pyradiogen.associate import write_outputs

        t1 = time.perf_counter()
        write_outputs(res, Path(tmp) / "out", label="DRF")
        out["outputs_seconds"] = time.perf_counter() - t1
        out["command_seconds_without_reading_inputs"] = out["fast_seconds"] + out["outputs_seconds"]
        out["parquet_mb"] = (Path(tmp) / "out" / "associations.parquet").stat().st_size / 2**20
    out["fast_phases_seconds"] = res.timings
    out["fast_us_per_pair"] = 1e6 * out["fast_seconds"] / n_pairs
    out["n_significant"] = int((res.table["p_adj"] < 0.05).sum())
    out["n_na"] = int(res.table["p_value"].isna().sum())
    out["notes"] = {str(k): int(v) for k, v in res.table["note"].value_counts().items()}
    out["peak_rss_mb_parent"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["peak_rss_mb_children"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(out, indent=2))

    if not args.skip_nlme:
        from pyradiogen.associate.lme_r import fit_nlme

        rng = np.random.default_rng(args.seed)
        fcols = [c for c in feats.columns if c not in ("image_id", "patient_id")]
        gcols = [c for c in gfs.columns if c != "patient_id"]
        fs = list(rng.choice(fcols, args.nlme_features, replace=False))
        gs = list(rng.choice(gcols, args.nlme_gfs, replace=False))
        G = gfs.set_index("patient_id")[gs]
        fit_nlme(feats[fs[:1]], feats["patient_id"], G.iloc[:, :1])     # start R, load nlme
        t0 = time.perf_counter()
        c0 = time.process_time()
        r = fit_nlme(feats[fs], feats["patient_id"], G)
        sec = time.perf_counter() - t0
        cpu = time.process_time() - c0
        out["nlme_cpu_ms_per_fit"] = 1e3 * cpu / len(r)
        if args.n_jobs == 1:
            out["speedup_vs_nlme_cpu"] = (cpu / len(r)) * n_pairs / out["fast_cpu_seconds_in_process"]
        per_fit = sec / len(r)
        out["nlme_fits_timed"] = len(r)
        out["nlme_ms_per_fit"] = 1e3 * per_fit
        out["nlme_extrapolated_hours_1core"] = per_fit * n_pairs / 3600
        out["speedup_vs_nlme_1core"] = per_fit * n_pairs / out["fast_seconds"]
        f = res.table.set_index(["feature", "gf"]).loc[list(zip(r["feature"], r["gf"]))]
        ok = r["p_value"].notna().to_numpy() & f["p_value"].notna().to_numpy()

        def rel(a: np.ndarray, b: np.ndarray) -> float:
            return float(np.max(np.abs(a - b) / np.abs(b)))

        from pyradiogen.associate.lme_fast import FastLME

        fl = FastLME().fit(feats[fs], feats["patient_id"], G)
        st = fit_nlme(feats[fs], feats["patient_id"], G, start_lambda=fl.arrays_["lambda"])
        fr = fl.results_
        out["sample_parity_nlme_started_at_fast_optimum"] = {
            "max_rel_estimate": rel(fr["estimate"].to_numpy(), st["estimate"].to_numpy()),
            "max_rel_std_error": rel(fr["std_error"].to_numpy(), st["std_error"].to_numpy()),
            "max_abs_p": float(np.max(np.abs(fr["p_value"].to_numpy() - st["p_value"].to_numpy()))),
        }
        dll = fl.arrays_["loglik"].reshape(-1) - r["loglik"].to_numpy()
        out["fast_minus_nlme_reml_loglik"] = {"min": float(dll.min()), "max": float(dll.max())}
        out["sample_parity"] = {
            "pairs": int(ok.sum()),
            "max_rel_estimate": rel(f["estimate"].to_numpy()[ok], r["estimate"].to_numpy()[ok]),
            "max_rel_std_error": rel(f["std_error"].to_numpy()[ok],
                                     r["std_error"].to_numpy()[ok]),
            "max_abs_p": float(np.max(np.abs(f["p_value"].to_numpy()[ok] - r["p_value"].to_numpy()[ok]))),
            "nlme_failed": int(r["failed"].sum()),
        }
    out["load_average"] = list(np.round(np.array(__import__("os").getloadavg()), 2))
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=str))


if __name__ == "__main__":
    main()
