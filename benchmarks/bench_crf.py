"""Benchmark: pyradiomics extraction time per ROI and the speed-up from 1 to 2 workers.

Usage: ``python benchmarks/bench_crf.py [--cohort DIR] [--patients 24] [--out FILE]``.
Without ``--cohort`` a demo cohort is generated (``pyradiogen.datasets.make_demo_cohort``). Reading
the pixels and masks (main process) is timed apart from the uncached extraction; the "cold"
2-worker time includes starting the loky workers, "warm" reuses them (median of ``--repeats``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("PYRADIOGEN_PROGRESS", "0")


def timed(fn):
    t0 = time.perf_counter()
    res = fn()
    return res, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cohort", type=Path, default=None)
    ap.add_argument("--patients", type=int, default=24)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per setting (median)")
    ap.add_argument("--out", type=Path, default=Path("results/bench/bench_crf.json"))
    args = ap.parse_args(argv)

    from pyradiogen import store
    from pyradiogen.cohort import load_cohort
    from pyradiogen.crf.extract import _extract_item, _roi_items, assemble, extract_image
    from pyradiogen.crf.features import load_params
    from pyradiogen.parallel import pmap

    params = load_params()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.cohort
        if root is None:
            from pyradiogen.datasets import make_demo_cohort

            root = Path(tmp) / "demo"
            make_demo_cohort(root, n_patients=args.patients, seed=args.seed)
        cohort = load_cohort(root)
        # reading pixels (DICOM) and masks (NRRD) and hashing them happens in the main process
        (items, _), t_load = timed(lambda: _roi_items(cohort, None, params, None))
    n_rois = len(items)
    first = items[0]
    extract_image(first["image"], first["mask"], first["spacing"])  # warm-up: imports
    _, t_one = timed(lambda: extract_image(first["image"], first["mask"], first["spacing"]))

    def run(n_jobs):
        return pmap(_extract_item, items, n_jobs=n_jobs, description="bench")

    serial_times, warm_times = [], []
    serial = None
    for _ in range(args.repeats):
        serial, t = timed(lambda: run(1))
        serial_times.append(t)
    par, t2_cold = timed(lambda: run(2))  # includes starting the loky workers
    for _ in range(args.repeats):
        _, t = timed(lambda: run(2))
        warm_times.append(t)
    t1, t2 = statistics.median(serial_times), statistics.median(warm_times)
    same = bool(assemble(items, serial, params).equals(assemble(items, par, params)))
    report = {
        "n_rois": n_rois, "image_shape": list(first["image"].shape),
        "roi_pixels_first": int((first["mask"] > 0).sum()),
        "load_and_hash_s": t_load, "load_per_roi_s": t_load / n_rois,
        "single_roi_extract_s": t_one, "serial_s": t1, "per_roi_serial_s": t1 / n_rois,
        "two_workers_cold_s": t2_cold, "two_workers_warm_s": t2,
        "speedup_1_to_2_cold": t1 / t2_cold, "speedup_1_to_2_warm": t1 / t2,
        "repeats": args.repeats, "parallel_equals_serial": same,
        "cpu_count": os.cpu_count(), "load_average": os.getloadavg()[0],
        "platform": platform.platform(),
    }
    store.write_json(args.out, report)
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
