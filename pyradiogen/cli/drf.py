"""``pyradiogen drf train|extract``: deep radiomic features of a cohort (study 1)."""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from ..config import DEFAULT_SEED
from . import UserError, console
from ._report import note

MODEL_FILE = "drf_model.pt"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("drf", help="deep radiomic features: train the autoencoder, extract DRFs")
    dsub = p.add_subparsers(dest="drf_command", metavar="ACTION")
    for name, helptext in (("train", "train the denoising autoencoder on the cohort's images"),
                           ("extract", "extract raw and quantile-normalised DRFs")):
        q = dsub.add_parser(name, help=helptext)
        q.add_argument("--cohort", required=True, type=Path, metavar="DIR",
                       help="cohort directory (with cohort.toml)")
        q.add_argument("--out", required=True, type=Path, metavar="DIR",
                       help="output directory")
        q.add_argument("--preset", choices=("paper", "code"), default=None,
                       help="paper: the text (min-max scaling, 2 conv blocks, Adam lr 0.1, MSE); "
                            "code: the authors' script (divide by the maximum, 3 blocks, "
                            "adadelta, cosine loss); default: the --config file's preset, "
                            "else paper")
        q.add_argument("--config", type=Path, default=None, metavar="FILE",
                       help="TOML configuration ([drf] section) on top of the preset "
                            "(default: none, the preset's values)")
        q.add_argument("--epochs", type=int, default=None, metavar="N",
                       help="training epochs (default: the preset's, 100)")
        q.add_argument("--seed", type=int, default=None, metavar="S",
                       help=f"random seed (default: the config's, else {DEFAULT_SEED})")
        q.add_argument("--device", default=None, metavar="DEVICE",
                       help="torch device: auto, cpu or cuda (default: the config's, auto = "
                            "cuda when torch sees a GPU)")
        q.add_argument("--threads", type=int, default=None, metavar="N",
                       help="torch CPU threads (default: torch's choice)")
        if name == "train":
            q.add_argument("--no-resume", action="store_true",
                           help="ignore an existing checkpoint in OUT/checkpoints (by default "
                                "training resumes from it)")
        else:
            q.add_argument("--model", type=Path, default=None, metavar="FILE",
                           help=f"trained model (default: OUT/{MODEL_FILE})")
        q.set_defaults(func=run_train if name == "train" else run_extract)
    p.set_defaults(func=lambda args: (p.print_help(), 1)[1])


def _setup(args: argparse.Namespace):
    from ..cohort import load_cohort
    from ..config import load_config
    from ..drf.cohort_io import load_pixels, select_images

    cfg = load_config(args.config, preset=args.preset, seed=args.seed)
    drf_cfg = cfg.section("drf")
    if args.epochs is not None:
        if args.epochs < 1:
            raise UserError(f"--epochs must be at least 1, got {args.epochs}")
        drf_cfg = dataclasses.replace(drf_cfg, epochs=args.epochs)
    if args.device:
        drf_cfg = dataclasses.replace(drf_cfg, device=args.device)
    cfg.sections["drf"] = drf_cfg
    if not args.cohort.exists():
        raise UserError(f"{args.cohort}: cohort directory not found")
    cohort = load_cohort(args.cohort)
    images, how = select_images(cohort)
    if len(images) < 2:
        raise UserError(f"{args.cohort}: {len(images)} image(s) selected; DRFs need several")
    pixels = load_pixels(cohort, images)
    _check_intensities(pixels, images)
    return cfg, images, pixels, how


def _check_intensities(pixels, images) -> None:
    """Refuse non-finite pixels; warn about images of one constant intensity (no signal)."""
    import warnings

    import numpy as np

    flat = []
    for im, iid in zip(pixels, images.index):
        a = np.asarray(im)
        if not np.isfinite(a).all():
            raise UserError(f"image {iid} (patient {images.loc[iid, 'patient_id']}) has NaN or "
                            "infinite pixel values — fix: re-export or re-download the DICOM")
        if a.size and np.ptp(a) == 0:
            flat.append(str(iid))
    if flat:
        warnings.warn(f"{len(flat)} image(s) of one constant intensity (no signal; min-max "
                      f"scaling gives 0): {', '.join(flat[:5])}{' …' if len(flat) > 5 else ''}",
                      UserWarning, stacklevel=2)


def run_train(args: argparse.Namespace) -> int:
    from ..drf import DRFExtractor
    from ..drf.figures import plot_loss_curves
    from ..store import write_frame, write_json, write_manifest

    cfg, images, pixels, how = _setup(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    est = DRFExtractor(cfg.section("drf"), seed=cfg.seed, checkpoint_dir=out / "checkpoints",
                       resume=not args.no_resume, n_threads=args.threads)
    est.fit(pixels, list(images["patient_id"]), list(images.index))
    seconds = time.perf_counter() - t0
    est.save(out / MODEL_FILE)
    write_frame(est.history_, out / "drf_loss_history.csv", index=False)
    write_json(out / "drf_training_check.json", est.diagnosis_)
    res = est.train_result_
    plot_loss_curves(est.history_, out / "figures" / "drf_loss_curves",
                     title=f"{cfg.preset} preset", failed=res.failed_history)
    write_manifest(out, cfg, seeds={"drf": cfg.seed}, include_r=False,
                   name="manifest_drf_train.json",
                   extra={"stage": "drf train", "cohort": str(args.cohort), "image_selection": how,
                          "n_images": len(images),
                          "n_patients": int(images["patient_id"].nunique()),
                          "training": est.diagnosis_, "seconds": seconds})
    d = est.diagnosis_
    for ev in d.get("events", []):  # once: a divergence was already reported as a warning
        note(str(ev), console.print)
    console.print(f"drf train: {len(images)} images, {d['epochs']} epochs, lr {d['lr_used']:g}: "
                  f"{d['verdict']} (validation loss {d.get('val_loss_initial', float('nan')):.4g}"
                  f" → {d.get('val_loss_final', float('nan')):.4g}); model {out / MODEL_FILE}")
    return 0


def run_extract(args: argparse.Namespace) -> int:
    import numpy as np

    from ..drf import DRFExtractor, patient_level, quantile_normalize, to_table
    from ..drf.figures import plot_densities, plot_kernel_maps
    from ..store import write_frame, write_manifest

    out = Path(args.out)
    model_path = args.model or out / MODEL_FILE
    if not model_path.exists():
        raise UserError(f"{model_path}: no trained DRF model; run `pyradiogen drf train "
                        f"--cohort {args.cohort} --out {out}` first or pass --model")
    cfg, images, pixels, how = _setup(args)
    est = DRFExtractor.load(model_path, device=args.device)
    if args.threads:
        est.n_threads = args.threads
    if dataclasses.replace(cfg.section("drf"), epochs=est.config_.epochs,
                           device=est.config_.device) != est.config_:
        console.print("[yellow]note:[/] the model was trained with other DRF settings than "
                      "this command's preset/config; extraction uses the model's")
    t0 = time.perf_counter()
    raw = est.transform(pixels, list(images["patient_id"]), list(images.index))
    seconds = time.perf_counter() - t0
    qn = quantile_normalize(raw)
    write_frame(to_table(raw), out / "drfs.parquet", index=False)
    write_frame(to_table(qn), out / "drfs_qn.parquet", index=False)
    write_frame(patient_level(qn), out / "drfs_qn_patient.parquet")
    figs = out / "figures"
    pick = int(np.argmax([p.size for p in pixels]))  # a representative image: the largest
    img = est.preprocess([pixels[pick]])[0]
    plot_kernel_maps(img, est.maps(qn.iloc[pick].to_numpy()), figs / "drf_fig3_kernel_maps",
                     title=str(images.index[pick]))
    plot_densities(raw, qn, figs / "drf_fig3_density")
    write_manifest(out, cfg, seeds={"drf": est.seed}, include_r=False,
                   extra={"stage": "drf extract", "cohort": str(args.cohort),
                          "model": str(model_path), "model_config": est.config_,
                          "image_selection": how, "n_images": len(images),
                          "n_patients": int(images["patient_id"].nunique()),
                          "n_features": est.n_features_, "flatten": est.config_.flatten,
                          "training": est.diagnosis_, "extract_seconds": seconds,
                          "outputs": ["drfs.parquet", "drfs_qn.parquet",
                                      "drfs_qn_patient.parquet"]})
    console.print(f"drf extract: {len(raw)} images × {est.n_features_} features → "
                  f"{out / 'drfs.parquet'}, {out / 'drfs_qn.parquet'}")
    return 0

