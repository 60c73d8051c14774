"""The distributed stage kernels at 110 and 1,000 patients: loky workers here vs a Dask cluster.

A full ``replicate`` of 1,000 demo patients does not fit the time a shared 2-core machine gives
(``bench_dask.py`` measures the whole run at 110 patients), so this measures the stages whose
tasks go to the cluster, at both sizes, each with loky and with Dask:

* DICOM header indexing of the demo cohort (``index_dicom_full``, cache off; chunks of 500
  files from 2,000 files on);
* the LME scan, fast engine, on a liu2023-shaped table of N patients (3–8 images each,
  ``--features`` features × ``--gfs`` GFs, blocks of 64 features).

Reported: wall time, peak resident memory (MiB) of every worker process (for Dask: the worker
plus its R process), and whether the loky and Dask results are identical.

    python benchmarks/bench_dask_stages.py --cohort 110=/tmp/c110 --cohort 1000=/tmp/c1000 \\
        --json benchmarks/results/bench_dask_stages.json
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
from bench_dask import PeakRSS


def run_kernels(n: int, cohort: Path | None, features: int, gfs: int, scheduler: str | None,
                worker_pids: dict[str, int]) -> dict[str, Any]:
    import pandas as pd

    from pyradiogen.associate.scan import associate
    from pyradiogen.cohort.dicom import index_dicom_full
    from pyradiogen.datasets import make_association_tables
    from pyradiogen.distributed import use_cluster

    out: dict[str, Any] = {}
    roots = worker_pids or {"here": os.getpid()}
    with use_cluster(scheduler):
        if cohort is not None:
            with tempfile.TemporaryDirectory() as cache, PeakRSS(roots) as mem:
                t0 = time.perf_counter()
                idx = index_dicom_full(cohort / "dicom", cache_dir=cache, use_cache=False,
                                       n_jobs=2)
                out["dicom_index"] = {"seconds": round(time.perf_counter() - t0, 1),
                                      "files": int(len(idx.images)),
                                      "peak_rss_mib": {k: round(v) for k, v in mem.peak.items()},
                                      "largest_child_mib": {k: round(v) for k, v in
                                                            mem.peak_child.items()}}
            out["_index"] = idx.images
        feats, gf = make_association_tables(n_patients=n, n_features=features, n_gfs=gfs,
                                            images=(3, 8), seed=1)
        with tempfile.TemporaryDirectory() as tmp, PeakRSS(roots) as mem:
            t0 = time.perf_counter()
            res = associate(feats, gf, engine="fast", n_jobs=2, block_size=64, out_dir=tmp)
            out["lme_scan_fast"] = {"seconds": round(time.perf_counter() - t0, 1),
                                    "images": int(len(feats)), "pairs": features * gfs,
                                    "peak_rss_mib": {k: round(v) for k, v in mem.peak.items()},
                                    "largest_child_mib": {k: round(v) for k, v in
                                                          mem.peak_child.items()}}
        out["_table"] = res.table
    assert isinstance(out["_table"], pd.DataFrame)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cohort", action="append", default=[], metavar="N=DIR",
                    help="patients=demo cohort folder (repeat)")
    ap.add_argument("--features", type=int, default=512)
    ap.add_argument("--gfs", type=int, default=64)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    import distributed
    import pandas as pd

    from pyradiogen.parallel import r_worker_env

    results: dict[str, Any] = {"workers": args.workers, "features": args.features,
                               "gfs": args.gfs, "cpu_count": os.cpu_count(),
                               "load_average_at_start": os.getloadavg(), "sizes": []}
    for spec in args.cohort:
        n, _, folder = spec.partition("=")
        n = int(n)
        cohort = Path(folder)
        row: dict[str, Any] = {"patients": n}
        local = run_kernels(n, cohort, args.features, args.gfs, None, {})
        with r_worker_env(), distributed.LocalCluster(
                n_workers=args.workers, threads_per_worker=1, processes=True,
                dashboard_address=None) as cluster, distributed.Client(cluster) as client:
            pids = {f"worker{i}": p for i, p in enumerate(sorted(client.run(os.getpid).values()))}
            dask = run_kernels(n, cohort, args.features, args.gfs, cluster.scheduler_address,
                               pids)
        for what in ("dicom_index", "lme_scan_fast"):
            row[what] = {"loky": local[what], "dask": dask[what]}
        row["dicom_index_identical"] = bool(local["_index"].equals(dask["_index"]))
        try:
            pd.testing.assert_frame_equal(local["_table"], dask["_table"])
            row["lme_table_identical"] = True
        except AssertionError:
            row["lme_table_identical"] = False
        results["sizes"].append(row)
        print(json.dumps(row), flush=True)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=2))
    results["load_average_at_end"] = os.getloadavg()
    results["memory_total_mib"] = round(psutil.virtual_memory().total / 2**20)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
