"""Benchmark: liu2023's nnet fits, ``nnet::nnet`` vs the compiled bit-identical refit.

Usage: ``python benchmarks/bench_nnet.py [--rows 90] [--size 35] [--p 20 60 120 185]
[--maxit 200] [--repeats 3] [--out FILE]``.

For each number of inputs ``p`` a synthetic two-class problem (``rows`` x ``p`` standard normal
inputs, class = sign of the first input plus noise) is fitted by ``pyradiogen::nnet_fit`` with
``engine = "nnet"`` (``nnet::nnet``) and ``engine = "fast"`` from the same seed, as the study
calls nnet: ``size`` hidden units, decay 1e-5, ``maxit`` iterations. The network has
W = (p + 1) * size + size + 1 weights (771, 2171, 4271 and 6546 at the defaults). Reports the
best-of-``repeats`` time per fit of each engine (R's ``system.time``, elapsed), the speed-up,
and whether the weights, the final value and the predictions are ``identical()``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("PYRADIOGEN_PROGRESS", "0")

R_TIMER = """
function(rows, p, size, maxit, repeats, engine) {
  set.seed(p)
  x <- matrix(rnorm(rows * p), rows, p)
  y <- as.numeric(x[, 1] + rnorm(rows) > 0)
  best <- Inf
  for (r in seq_len(repeats)) {
    set.seed(1)
    el <- system.time(fit <- pyradiogen::nnet_fit(x, y, size = size, decay = 1e-5,
                                                   maxit = maxit, engine = engine))[["elapsed"]]
    best <- min(best, el)
  }
  list(seconds = best, wts = fit$wts, value = fit$value, convergence = fit$convergence,
       pred = as.numeric(predict(fit, x)))
}
"""


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=90)
    ap.add_argument("--size", type=int, default=35)
    ap.add_argument("--p", type=int, nargs="+", default=[20, 60, 120, 185])
    ap.add_argument("--maxit", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3, help="repeats per engine (best kept)")
    ap.add_argument("--out", type=Path, default=Path("results/bench/bench_nnet.json"))
    args = ap.parse_args(argv)

    from pyradiogen import rbridge

    rbridge.library("pyradiogen", "nnet")
    timer = rbridge.rraw(R_TIMER)
    rows = []
    for p in args.p:
        res = {}
        for engine in ("nnet", "fast"):
            res[engine] = rbridge.rcall(timer, args.rows, p, args.size, args.maxit,
                                        args.repeats, engine)
        same = all(bytes(memoryview(_arr(res["fast"][k]))) == bytes(memoryview(_arr(res["nnet"][k])))
                   for k in ("wts", "value", "convergence", "pred"))
        w = (p + 1) * args.size + args.size + 1
        t_nnet, t_fast = float(_arr(res["nnet"]["seconds"])[0]), float(_arr(res["fast"]["seconds"])[0])
        row = {"p": p, "weights": w, "nnet_s": round(t_nnet, 3), "fast_s": round(t_fast, 3),
               "speedup": round(t_nnet / t_fast, 2), "identical": same,
               "convergence": int(_arr(res["fast"]["convergence"])[0])}
        rows.append(row)
        print(f"W = {w:5d} (p = {p:3d}): nnet {t_nnet:7.2f} s  fast {t_fast:6.2f} s  "
              f"speed-up {t_nnet / t_fast:5.1f}x  identical: {same}", flush=True)
    out = {"rows": args.rows, "size": args.size, "maxit": args.maxit, "repeats": args.repeats,
           "machine": platform.processor() or platform.machine(), "results": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2))
    return out


def _arr(v):
    import numpy as np

    return np.atleast_1d(np.asarray(v))


if __name__ == "__main__":
    main()
