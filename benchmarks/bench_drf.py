"""Benchmark of the DRF stage: seconds per training epoch and extraction throughput.

    python benchmarks/bench_drf.py [--images 600] [--threads 2] [--epochs 3] [--device auto]

Targets (issue 4, 2 CPU cores): ≤ 0.6 s per epoch for 600 images of 64×64 (all 600 pass through
the model: 80% trained on, 20% validated, paper preset), extraction ≥ 2,000 images/s (feature
forward pass on preprocessed 64×64 images; preprocessing of raw slices timed separately).
On a shared machine wall times depend on the load; the ``cpu`` figures (process CPU time, with
``--threads 1`` an estimate of the wall time on one idle core) are reported beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("PYRADIOGEN_PROGRESS", "0")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from pyradiogen.datasets import make_toy_images  # noqa: E402
from pyradiogen.drf import DRFExtractor  # noqa: E402
from pyradiogen.drf.train import resolve_device, train_autoencoder  # noqa: E402
from pyradiogen.drf.transforms import preprocess_stack  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--images", type=int, default=600)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--extract-images", type=int, default=5000)
    ap.add_argument("--out", default=None, help="also write the report as JSON here")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dev = resolve_device(args.device)
    report: dict = {"device": str(dev), "threads": args.threads, "torch": torch.__version__,
                    "cpu_count": os.cpu_count(), "loadavg": os.getloadavg()}
    if dev.type == "cuda":
        report["gpu"] = torch.cuda.get_device_name(0)

    raw, pids = make_toy_images(args.images, 64, seed=0)
    x = preprocess_stack(list(raw), "minmax")
    for preset in ("paper", "code"):
        over = {"lr": 0.001} if preset == "paper" else {}
        from pyradiogen.drf.model import make_config

        cfg = make_config(preset, device=str(dev), **over)
        c0 = time.process_time()
        res = train_autoencoder(x, cfg, seed=1, epochs=args.epochs, progress=False)
        report[f"train_{preset}_cpu_s_per_epoch"] = (time.process_time() - c0) / args.epochs
        secs = res.history["seconds"].iloc[1:].to_numpy()
        report[f"train_{preset}_s_per_epoch"] = {"first": float(secs[0]),
                                                 "median_after_first": float(np.median(secs[1:]))
                                                 if len(secs) > 1 else float(secs[0])}
        est = DRFExtractor(cfg, seed=1, progress=False)
        est.config_ = cfg
        est._set_fitted(res.model, res.history, res.diagnosis)
        big = np.tile(x, (int(np.ceil(args.extract_images / len(x))), 1, 1))[:args.extract_images]
        est.features_array(big[:512])  # warm-up
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t0, c0 = time.perf_counter(), time.process_time()
        est.features_array(big)
        if dev.type == "cuda":
            torch.cuda.synchronize()
        report[f"extract_{preset}_images_per_s"] = len(big) / (time.perf_counter() - t0)
        report[f"extract_{preset}_images_per_cpu_s"] = len(big) / (time.process_time() - c0)

    raw512, _ = make_toy_images(50, 512, seed=2)
    t0 = time.perf_counter()
    preprocess_stack(list(raw512), "max")
    report["preprocess_512px_images_per_s"] = 50 / (time.perf_counter() - t0)
    report["loadavg_after"] = os.getloadavg()
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        from pyradiogen.store import atomic_write

        atomic_write(args.out, text + "\n")


if __name__ == "__main__":
    main()
