"""Benchmark: what deterministic autoencoder training costs, and that it is deterministic.

Trains the DRF autoencoder for a few epochs on a demo cohort's study-1 images, each setting in
a fresh process (so the oneDNN instruction-set pin applies): torch threads 1 and 2, with and
without the deterministic settings of ``pyradiogen.threads.deterministic_torch``, and with and
without ``ONEDNN_MAX_CPU_ISA=AVX2``/``MKL_CBWR=AVX2`` (``pyradiogen.threads.pin_numerics``).
Reports seconds per epoch and a hash of the loss history; settings with the same thread count
and pin must give the same hash.

    python benchmarks/bench_determinism.py --patients 24 --epochs 3 --out results/bench/bench_determinism.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import hashlib, json, sys, time
import torch
from pyradiogen.cohort import load_cohort
from pyradiogen.drf import DRFExtractor
from pyradiogen.drf.train import train_autoencoder, _train
from pyradiogen.drf.model import make_config
cohort, threads, det, epochs = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", int(sys.argv[4])
c = load_cohort(cohort)
s1 = c.study1()
x = DRFExtractor("paper", seed=101).preprocess([c.pixels(i) for i in s1.images.index])
cfg = make_config("paper", epochs=epochs, lr=0.001, threads=threads)
t0 = time.perf_counter()
if det:
    res = train_autoencoder(x, cfg, seed=101, progress=False)
else:  # the same loop without the deterministic settings, torch threads set plainly
    torch.set_num_threads(threads)
    res = _train(x, cfg, 101, None, None, False, None, False)
sec = time.perf_counter() - t0
h = hashlib.sha256(res.history[["train_loss", "val_loss"]].to_numpy().tobytes()).hexdigest()
print(json.dumps({"seconds": sec, "per_epoch": sec / epochs, "images": len(x),
                  "loss_hash": h[:16], "final_val_loss": float(res.history["val_loss"].iloc[-1])}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--patients", type=int, default=24)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("results/bench/bench_determinism.json"))
    args = ap.parse_args()
    from pyradiogen.demo import make_demo_cohort

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        make_demo_cohort(Path(tmp) / "cohort", n_patients=args.patients, seed=7)
        for pin in (False, True):
            for threads in (1, 2):
                for det in (False, True):
                    env = {k: v for k, v in os.environ.items()
                           if k not in ("ONEDNN_MAX_CPU_ISA", "MKL_CBWR")}
                    env["PYRADIOGEN_PROGRESS"] = "0"
                    if pin:
                        env.update(ONEDNN_MAX_CPU_ISA="AVX2", MKL_CBWR="AVX2")
                    res = subprocess.run([sys.executable, "-c", CHILD, str(Path(tmp) / "cohort"),
                                          str(threads), "1" if det else "0", str(args.epochs)],
                                         env=env, capture_output=True, text=True, check=True)
                    row = {"isa_pinned": pin, "threads": threads, "deterministic": det,
                           **json.loads(res.stdout.strip().splitlines()[-1])}
                    print(json.dumps(row))
                    rows.append(row)
    out = {"epochs": args.epochs, "patients": args.patients, "runs": rows,
           "load_average": list(os.getloadavg())}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
