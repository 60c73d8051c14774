"""Time ``demo-data`` then ``validate`` (the issue-3 target: 110 patients in under a minute).

    python benchmarks/bench_demo.py                     # 110 patients
    python benchmarks/bench_demo.py --patients 110 1000 # also the 1,000-patient scale test
    python benchmarks/bench_demo.py --json out.json

Each size runs in a fresh temporary folder (removed afterwards unless ``--keep``); timings are
wall-clock and CPU seconds of this process (one core unless ``--jobs``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def _du(path: Path) -> float:
    out = subprocess.run(["du", "-sm", str(path)], capture_output=True, text=True).stdout
    return float(out.split()[0]) if out else float("nan")


def bench(n: int, seed: int, jobs: int, keep: bool) -> dict:
    from pyradiogen.cohort import load_cohort
    from pyradiogen.datasets import make_demo_cohort
    from pyradiogen.studies import kim2020, liu2023

    tmp = Path(tempfile.mkdtemp(prefix=f"bench_demo_{n}_"))
    try:
        w0, c0 = time.perf_counter(), time.process_time()
        make_demo_cohort(tmp, n_patients=n, seed=seed, n_jobs=jobs)
        w1, c1 = time.perf_counter(), time.process_time()
        c = load_cohort(tmp, progress=False)          # reads and checks every part
        s1, s2 = liu2023.assemble(c), kim2020.assemble(c)
        w2, c2 = time.perf_counter(), time.process_time()
        c = load_cohort(tmp, progress=False)          # second time: the DICOM index is cached
        w3 = time.perf_counter()
        return {
            "patients_kept": n, "patients_generated": int(c.images["patient_id"].nunique()),
            "slices": int(len(c.images)), "study1_kept": int(len(s1.patients)),
            "study1_images": int(len(s1.images)), "study2_kept": int(len(s2.patients)),
            "size_mb": _du(tmp),
            "generate_wall_s": round(w1 - w0, 2), "generate_cpu_s": round(c1 - c0, 2),
            "validate_wall_s": round(w2 - w1, 2), "validate_cpu_s": round(c2 - c1, 2),
            "revalidate_cached_wall_s": round(w3 - w2, 2),
            "total_wall_s": round(w2 - w0, 2),
        }
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, nargs="+", default=[110])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the generated cohorts")
    ap.add_argument("--json", help="also write the results to this JSON file")
    args = ap.parse_args()
    os.environ.setdefault("PYRADIOGEN_PROGRESS", "0")
    results = []
    for n in args.patients:
        r = bench(n, args.seed, args.jobs, args.keep)
        results.append(r)
        print(json.dumps(r))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
