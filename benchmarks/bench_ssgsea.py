"""Benchmark: ssGSEA of the 186 KEGG sets × 20,000 genes × 200 samples, GSVA 1.46 vs fast.

Usage: ``python benchmarks/bench_ssgsea.py [--genes 20000] [--samples 200] [--out FILE]``.
The expression is synthetic log2(TPM + 1) (gamma-distributed, 15% zeros, 3-decimal TPM so
there are ties) over every KEGG gene plus filler genes. Both engines score the same matrix in
one run; the R time is the ``GSVA::gsva`` call alone (the matrix is sent to R first, and GSVA
is loaded and warmed up on a tiny input), the fast time is the whole Python call. Reports both
times, the speed-up and the maximum relative difference (elementwise, with a floor of 1e-6 ×
the largest score; see ``max_relative_difference``).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("PYRADIOGEN_PROGRESS", "0")


def synthetic_expression(n_genes: int, n_samples: int, genes: list[str], seed: int = 1):
    import numpy as np
    import pandas as pd

    names = list(dict.fromkeys(genes))[:n_genes]
    names += [f"FILLER{i}" for i in range(n_genes - len(names))]
    rng = np.random.default_rng(seed)
    base = rng.gamma(0.6, 20.0, size=n_genes)
    tpm = base[:, None] * rng.lognormal(0.0, 0.7, size=(n_genes, n_samples))
    tpm[rng.random(tpm.shape) < 0.15] = 0.0
    tpm = np.round(tpm, 3)
    return pd.DataFrame(np.log2(tpm + 1.0), index=names,
                        columns=[f"S{j:04d}" for j in range(n_samples)])


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--genes", type=int, default=20_000)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3, help="fast-engine repeats (best kept)")
    ap.add_argument("--device", default=None, help="fast engine device (numpy, cpu, cuda)")
    ap.add_argument("--skip-r", action="store_true", help="time the fast engine only")
    ap.add_argument("--out", type=Path, default=Path("results/bench/bench_ssgsea.json"))
    args = ap.parse_args(argv)

    import numpy as np

    from pyradiogen import rbridge, store
    from pyradiogen.genomics.genesets import kegg_gene_sets, map_gene_sets
    from pyradiogen.genomics.ssgsea import _torch_device, max_relative_difference, ssgsea

    sets = kegg_gene_sets()
    expr = synthetic_expression(args.genes, args.samples,
                                sorted({g for v in sets.values() for g in v}))
    n_sets = len(map_gene_sets(sets, list(expr.index)))

    times = []
    fast = None
    for _ in range(max(1, args.repeats)):
        t0 = time.perf_counter()
        fast = ssgsea(expr, sets, engine="fast", device=args.device)
        times.append(time.perf_counter() - t0)
    t_fast = min(times)

    report = {
        "benchmark": "ssgsea", "gene_sets": n_sets, "genes": args.genes,
        "samples": args.samples, "fast_seconds": round(t_fast, 4),
        "fast_seconds_all": [round(t, 4) for t in times],
        "fast_device": _torch_device(args.device) or "numpy",
        "machine": platform.platform(), "cpus": os.cpu_count(),
        "omp_threads": os.environ.get("OMP_NUM_THREADS"),
    }
    if not args.skip_r:
        rbridge.library("GSVA")
        rbridge.assign(".bench_x", rbridge.RMatrix.from_frame(expr))
        rbridge.assign(".bench_sets", {k: np.array(v, dtype=object) for k, v in sets.items()})
        call = ('{t0 <- proc.time()[["elapsed"]]; utils::capture.output(es <- GSVA::gsva('
                '.bench_x, .bench_sets, method = "ssgsea", verbose = FALSE)); '
                'list(es = es, seconds = proc.time()[["elapsed"]] - t0)}')
        with warnings.catch_warnings():  # constant genes / size-one sets: GSVA's warnings
            warnings.simplefilter("ignore")
            rbridge.reval('invisible(utils::capture.output(GSVA::gsva(.bench_x[1:50, 1:2], '
                          '.bench_sets, method = "ssgsea", verbose = FALSE)))')
            res = rbridge.reval(call)
        r_scores = res["es"]
        report.update({
            "gsva_seconds": round(float(res["seconds"]), 3),
            "gsva_version": rbridge.r_package_versions(["GSVA"])["GSVA"],
            "speedup": round(float(res["seconds"]) / t_fast, 1),
            "max_relative_difference": max_relative_difference(fast, r_scores),
            "max_abs_difference": float(np.nanmax(np.abs(fast.to_numpy()
                                                         - r_scores.to_numpy()))),
            "same_sets_and_samples": bool(list(fast.index) == list(r_scores.index)
                                          and list(fast.columns) == list(r_scores.columns)),
        })
    store.write_json(args.out, report)
    for k, v in report.items():
        print(f"{k}: {v}")
    return report


if __name__ == "__main__":
    main()
