"""Benchmark of ``replicate`` on a Dask cluster of this machine against the local run.

For each cohort size: ``demo-data --patients N``, then ``replicate`` twice into fresh output
folders — with worker processes here (loky) and with ``--scheduler`` of a
``distributed.LocalCluster`` (processes, ``--workers`` workers of one thread each). Reported:
wall time per stage (the run's ``manifest.json``), peak resident memory of the client
process and of each Dask worker (the worker plus its child process that owns R), sampled
every 0.25 s with psutil, and whether every published table is byte-identical between the two
runs.

    python benchmarks/bench_dask.py --patients 110 1000 --workers 2 \\
        --config benchmarks/bench_dask_1000.toml --json benchmarks/results/bench_dask.json

``--config`` reduces settings for large cohorts on a small machine (the TOML is recorded in
the results). Needs ``distributed`` and ``psutil``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil


class PeakRSS:
    """Peak resident memory (MiB) of processes and their descendants, sampled in a thread."""

    def __init__(self, roots: dict[str, int], interval: float = 0.25):
        self.roots = roots
        self.interval = interval
        self.peak = {name: 0.0 for name in roots}
        self.peak_child = {name: 0.0 for name in roots}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self, pid: int) -> tuple[float, float]:
        try:
            p = psutil.Process(pid)
            own = p.memory_info().rss
            kids = [c.memory_info().rss for c in p.children(recursive=True)]
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return 0.0, 0.0
        return (own + sum(kids)) / 2**20, (max(kids) if kids else 0) / 2**20

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pid in self.roots.items():
                total, child = self._rss(pid)
                self.peak[name] = max(self.peak[name], total)
                self.peak_child[name] = max(self.peak_child[name], child)
            time.sleep(self.interval)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


def replicate(cohort: Path, out: Path, study: str, config: Path | None,
              scheduler: str | None, worker_pids: dict[str, int], mode: str = "both",
              fresh: bool = True) -> dict[str, Any]:
    """One ``replicate`` run in a subprocess; stage times and peak memory.

    ``fresh=False`` resumes an interrupted run in ``out``: its finished stages are reused and
    reported with the seconds of the run that produced them (``stages_reused_s``).
    """
    cmd = [sys.executable, "-m", "pyradiogen", "replicate", "--study", study, "--cohort",
           str(cohort), "--out", str(out), *(["--fresh"] if fresh else []), "--mode", mode]
    if config is not None:
        cmd += ["--config", str(config)]
    if scheduler:
        cmd += ["--scheduler", scheduler]
    if fresh:
        shutil.rmtree(cohort / ".pyradiogen", ignore_errors=True)  # index the DICOM headers anew
    env = {**os.environ, "PYRADIOGEN_PROGRESS": "0"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    with PeakRSS({"client": proc.pid, **worker_pids}) as mem:
        log, _ = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"replicate failed ({proc.returncode}):\n{log[-4000:]}")
    manifest = json.loads((out / "manifest.json").read_text())
    stages = {s["name"]: round(float(s["seconds"]), 2) for s in manifest["stages"]
              if s["status"] == "ran"}
    reused = {s["name"]: round(float(s["seconds"] or 0), 2) for s in manifest["stages"]
              if s["status"] == "reused"}
    return {"wall_s": round(wall, 1), "stages_s": stages, "stages_reused_s": reused,
            "peak_rss_mib": {k: round(v) for k, v in mem.peak.items()},
            "peak_rss_largest_child_mib": {k: round(v) for k, v in mem.peak_child.items()}}


def same_tables(a: Path, b: Path) -> dict[str, bool]:
    names = sorted(p.name for p in (a / "tables").iterdir())
    return {n: (b / "tables" / n).exists() and
            (a / "tables" / n).read_bytes() == (b / "tables" / n).read_bytes() for n in names}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--patients", type=int, nargs="+", default=[110, 1000])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--study", default="all")
    ap.add_argument("--config", type=Path, default=None, help="TOML for every size")
    ap.add_argument("--mode", choices=["paper", "rigorous", "both"], default="both",
                    help="replicate --mode (prediction modes)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench_dask"))
    ap.add_argument("--skip-local", action="store_true", help="only the Dask run")
    ap.add_argument("--resume", action="store_true",
                    help="continue interrupted runs in --work instead of starting them afresh")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    import distributed

    from pyradiogen.datasets import make_demo_cohort
    from pyradiogen.parallel import r_worker_env

    results: dict[str, Any] = {"workers": args.workers, "threads_per_worker": 1,
                               "cpu_count": os.cpu_count(), "study": args.study, "mode": args.mode,
                               "config": args.config.read_text() if args.config else None,
                               "runs": []}
    args.work.mkdir(parents=True, exist_ok=True)
    for n in args.patients:
        cohort = args.work / f"cohort_{n}"
        t0 = time.perf_counter()
        if not (cohort / "cohort.toml").exists():
            make_demo_cohort(cohort, n_patients=n, seed=0, n_jobs=args.workers)
        run: dict[str, Any] = {"patients": n, "demo_data_s": round(time.perf_counter() - t0, 1),
                               "dicom_files": sum(1 for _ in (cohort / "dicom").rglob("*.dcm"))}
        if not args.skip_local:
            run["local"] = replicate(cohort, args.work / f"local_{n}", args.study, args.config,
                                     None, {}, args.mode, fresh=not args.resume)
            print(json.dumps({"patients": n, "local": run["local"]}), flush=True)
        with r_worker_env(), distributed.LocalCluster(
                n_workers=args.workers, threads_per_worker=1, processes=True,
                dashboard_address=None) as cluster, distributed.Client(cluster) as client:
            pids = {f"worker{i}": pid for i, pid in
                    enumerate(sorted(client.run(os.getpid).values()))}
            run["dask"] = replicate(cohort, args.work / f"dask_{n}", args.study, args.config,
                                    cluster.scheduler_address, pids, args.mode,
                                    fresh=not args.resume)
        print(json.dumps({"patients": n, "dask": run["dask"]}), flush=True)
        if not args.skip_local:
            same = same_tables(args.work / f"local_{n}", args.work / f"dask_{n}")
            run["tables_identical"] = all(same.values())
            run["tables_differing"] = [k for k, v in same.items() if not v]
        results["runs"].append(run)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
