"""Run every benchmark at full size and collect the reports in ``results/bench/``.

Usage: ``make bench`` (or ``.venv/bin/python benchmarks/run_all.py [--only NAME ...]``).
Each benchmark is its own script; this runner calls them one after the other (never in
parallel, so timings are not disturbed) and writes ``results/bench/summary.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "results" / "bench"

BENCHES = {
    "demo": ["bench_demo.py", "--patients", "110", "--json", str(OUT / "bench_demo.json")],
    "drf": ["bench_drf.py", "--threads", "2", "--out", str(OUT / "bench_drf.json")],
    "crf": ["bench_crf.py", "--patients", "110", "--out", str(OUT / "bench_crf.json")],
    "ssgsea": ["bench_ssgsea.py", "--out", str(OUT / "bench_ssgsea.json")],
    "nnet": ["bench_nnet.py", "--out", str(OUT / "bench_nnet.json")],
    "associate": ["bench_associate.py", "--n-jobs", "2", "--json",
                  str(OUT / "bench_associate.json")],
    "launch": ["bench_launch.py", "--json", str(OUT / "bench_launch.json")],
    "determinism": ["bench_determinism.py", "--out", str(OUT / "bench_determinism.json")],
    "dask": ["bench_dask.py", "--patients", "110", "--mode", "paper", "--config",
             str(HERE / "bench_dask_reduced.toml"), "--json", str(OUT / "bench_dask.json")],
    "dask_stages": ["bench_dask_stages.py", "--cohort", "110=/tmp/bench_dask/cohort_110",
                    "--json", str(OUT / "bench_dask_stages.json")],
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--only", nargs="+", choices=sorted(BENCHES), help="run only these")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    summary = {}
    failed = []
    for name in args.only or list(BENCHES):
        script, *rest = BENCHES[name]
        t0 = time.perf_counter()
        res = subprocess.run([sys.executable, str(HERE / script), *rest], check=False)
        summary[name] = {"seconds": round(time.perf_counter() - t0, 1), "exit": res.returncode}
        if res.returncode:
            failed.append(name)
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
