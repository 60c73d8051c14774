"""Seeded, deterministic training of the denoising autoencoder, with checks a user can trust.

* Split: images at random (``split_by="image"``, as the authors) or whole patients
  (``"patient"``, no patient on both sides), 80/20 (paper) or 70/30 (code), seeded.
* Noise: added once to the clean images (as the authors' script), seeded; clean images are the
  targets.
* Each epoch shuffles the training images with a permutation derived from ``(seed, epoch)``,
  so a run resumed from a checkpoint is identical to an uninterrupted one.
* Losses as Keras reports them: the training loss is the sample-weighted mean of the batch
  losses during the epoch, the validation loss is computed with the weights at its end. Row
  ``epoch = 0`` holds both losses of the initial (untrained) model.
* Divergence: a non-finite loss, an exploded one (MSE validation loss over ``EXPLODE`` = 100
  times the untrained model's), or a collapsed model (every output pixel the same, e.g. dead
  ReLUs after Adam at lr 0.1). ``on_divergence="fallback"`` restarts from the same initial
  weights at ``fallback_lr`` and records it; ``"stop"`` raises :class:`DivergenceError`;
  ``"continue"`` records it and goes on (a non-finite loss still ends training, keeping the
  last finite weights).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from .. import threads
from ..progress import progress_task
from ..results import Summary
from ..store import atomic_path
from .config import DRFConfig
from .model import DenoisingAutoencoder, loss_fn, make_config, make_optimizer

log = logging.getLogger(__name__)
EXPLODE = 100.0  # an MSE validation loss this many times the untrained model's = diverged


class DivergenceError(RuntimeError):
    """Training diverged and the configuration says to stop."""


@dataclass
class TrainResult:
    """A trained model with its loss history, diagnosis and what happened on the way.

    Parameters
    ----------
    model : DenoisingAutoencoder
        The trained network.
    history : DataFrame
        Per epoch: ``epoch`` (0: the untrained model), ``train_loss``, ``val_loss``, ``lr``
        and the spread of the predictions.
    diagnosis : dict
        :func:`diagnose` of the history.
    lr_used : float
        The learning rate of the run that finished (lowered after a divergence).
    events : list of str
        What happened on the way (divergence, restarts, resumption).
    failed_history : DataFrame or None, default None
        History of a diverged attempt.
    train_index, val_index : ndarray of int or None, default None
        Images of the training and validation split.
    """

    model: DenoisingAutoencoder
    history: pd.DataFrame
    diagnosis: dict[str, Any]
    lr_used: float
    events: list[str] = field(default_factory=list)
    failed_history: pd.DataFrame | None = None
    train_index: np.ndarray | None = None
    val_index: np.ndarray | None = None

    def summary(self) -> Summary:
        """Learning rate used, the convergence diagnosis and the events on the way.

        Returns
        -------
        Summary
            Printable; HTML in a notebook.
        """
        info = {"learning rate used": self.lr_used,
                **{k: v for k, v in self.diagnosis.items() if not isinstance(v, (list, dict))}}
        return Summary("Denoising autoencoder training (liu2023 DRFs)", info, {}, list(self.events))


def resolve_device(device: str | None = "auto") -> torch.device:
    """The torch device to train on.

    Parameters
    ----------
    device : str or None, default "auto"
        ``"auto"``/None: CUDA when available, else CPU; or a torch device name.

    Returns
    -------
    torch.device
        The device.
    """
    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def split_indices(n: int, val_fraction: float, seed: int,
                  groups: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Seeded train/validation split of ``n`` images; by group (patient) when given.

    Parameters
    ----------
    n : int
        Number of images.
    val_fraction : float
        Fraction (0–1) of images, or of patients, for validation.
    seed : int
        NumPy seed.
    groups : ndarray or None, default None
        Patient of each image; whole patients go to one side.

    Returns
    -------
    train : ndarray of int
        Sorted image positions.
    val : ndarray of int
        Sorted image positions.

    Raises
    ------
    ValueError
        ``val_fraction`` outside (0, 1), fewer than 2 patients, or too few images.
    """
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    rng = np.random.default_rng([int(seed), 11])
    if groups is None:
        perm = rng.permutation(n)
        n_val = max(1, int(round(n * val_fraction)))
        if n_val >= n:
            raise ValueError(f"{n} images are too few for a train/validation split")
        return np.sort(perm[n_val:]), np.sort(perm[:n_val])
    groups = np.asarray(groups)
    uniq = np.unique(groups)
    if len(uniq) < 2:
        raise ValueError("a patient-level split needs at least 2 patients")
    perm = rng.permutation(uniq)
    n_val = min(len(uniq) - 1, max(1, int(round(len(uniq) * val_fraction))))
    val = np.isin(groups, perm[:n_val])
    return np.flatnonzero(~val), np.flatnonzero(val)


def add_noise(x: np.ndarray, std: float, clip: bool, seed: int) -> np.ndarray:
    """Add Gaussian noise ``x + std·N(0, 1)``, seeded (the denoising corruption).

    Parameters
    ----------
    x : ndarray
        Images in [0, 1].
    std : float
        Noise standard deviation, in image units.
    clip : bool
        Clip the result to [0, 1].
    seed : int
        NumPy seed.

    Returns
    -------
    ndarray of float32
        Noisy images, same shape.
    """
    rng = np.random.default_rng([int(seed), 22])
    noisy = x.astype(np.float64) + std * rng.standard_normal(x.shape)
    if clip:
        noisy = np.clip(noisy, 0.0, 1.0)
    return noisy.astype(np.float32)


def data_hash(x: np.ndarray) -> str:
    """Short hash of an image stack (ties a checkpoint to its data).

    Parameters
    ----------
    x : ndarray
        Preprocessed images.

    Returns
    -------
    str
        First 16 hex digits of the SHA-256 of the bytes.
    """
    return hashlib.sha256(np.ascontiguousarray(x).tobytes()).hexdigest()[:16]


def diagnose(history: pd.DataFrame, tol: float = 0.01, overfit_tol: float = 0.05
             ) -> dict[str, Any]:
    """Convergence and overfitting check on a loss history (rows with ``epoch ≥ 0``).

    Parameters
    ----------
    history : DataFrame
        ``epoch``, ``train_loss``, ``val_loss``.
    tol : float, default 0.01
        Relative change that counts as learning / not converged.
    overfit_tol : float, default 0.05
        Relative rise of the validation loss above its best that counts as overfitting.

    Returns
    -------
    dict
        ``learned`` (best validation loss improved on the untrained model's by more than
        ``tol``), ``converged`` (training loss changed by less than ``tol`` over the last
        ``max(3, 10%)`` epochs), ``overfitting`` (final validation loss above its best by more
        than ``overfit_tol`` while the training loss kept falling), ``epochs``, ``finite``,
        ``best_epoch``, final losses and a ``message``.
    """
    h = history.sort_values("epoch")
    tr = h["train_loss"].to_numpy(float)
    va = h["val_loss"].to_numpy(float)
    out: dict[str, Any] = {"epochs": int(h["epoch"].max()), "finite": bool(np.isfinite(va).all()
                                                                         and np.isfinite(tr).all())}
    if len(h) < 2 or not out["finite"]:
        out.update(learned=False, converged=False, overfitting=False,
                   verdict="not enough finite epochs to judge")
        return out
    scale = max(abs(va[0]), 1e-12)
    best = int(np.argmin(va))
    k = min(len(tr) - 1, max(3, int(math.ceil(0.1 * (len(tr) - 1)))))
    tail = abs(tr[-1] - tr[-1 - k]) / max(abs(tr[-1 - k]), 1e-12)
    out.update(
        val_loss_initial=float(va[0]), val_loss_final=float(va[-1]), val_loss_best=float(va[best]),
        best_epoch=int(h["epoch"].iloc[best]), train_loss_final=float(tr[-1]),
        val_improvement=float((va[0] - va[best]) / scale),
        train_change_last_epochs=float(tail), window=int(k),
        generalisation_gap=float((va[-1] - tr[-1]) / max(abs(tr[-1]), 1e-12)),
    )
    out["learned"] = out["val_improvement"] > tol
    out["converged"] = bool(tail < tol)
    rise = (va[-1] - va[best]) / max(abs(va[best]), 1e-12)
    out["overfitting"] = bool(rise > overfit_tol and tr[-1] < tr[best])
    if not out["learned"]:
        verdict = "did not learn: validation loss never improved on the untrained model"
    elif out["overfitting"]:
        verdict = (f"overfitting: validation loss rose {rise:.1%} above its best "
                   f"(epoch {out['best_epoch']}) while training loss fell")
    elif out["converged"]:
        verdict = "converged, no overfitting"
    else:
        verdict = "still improving: not converged within the epochs run (no overfitting)"
    out["verdict"] = verdict
    return out


def _evaluate(model: DenoisingAutoencoder, noisy: torch.Tensor, clean: torch.Tensor,
              loss: Any, batch_size: int) -> tuple[float, float]:
    """Mean loss (sample-weighted) and the std of all predicted pixels."""
    model.eval()
    total, n, s1, s2, m = 0.0, 0, 0.0, 0.0, 0
    with torch.no_grad():
        for i in range(0, len(noisy), batch_size):
            pred = model(noisy[i:i + batch_size])
            b = len(pred)
            total += float(loss(pred, clean[i:i + batch_size])) * b
            n += b
            p = pred.double()
            s1 += float(p.sum())
            s2 += float((p * p).sum())
            m += p.numel()
    mean = s1 / max(m, 1)
    std = math.sqrt(max(s2 / max(m, 1) - mean * mean, 0.0))
    return total / max(n, 1), std


def train_autoencoder(images: np.ndarray, config: DRFConfig | str = "paper", seed: int = 0,
                      patient_ids: Any = None, epochs: int | None = None,
                      checkpoint_dir: str | Path | None = None, resume: bool = True,
                      device: str | None = None, n_threads: int | None = None,
                      progress: bool = True) -> TrainResult:
    """Train the autoencoder on preprocessed images; see the module docstring.

    Runs with ``n_threads`` torch threads and deterministic kernels
    (:func:`pyradiogen.threads.deterministic_torch`): the same configuration, seed and images
    give bit-identical weights and losses on a CPU however often and from whichever process
    it runs.

    Parameters
    ----------
    images : ndarray of float32, shape (n, size, size)
        Preprocessed images in [0, 1].
    config : DRFConfig or {"paper", "code"}, default "paper"
        Settings.
    seed : int, default 0
        Seeds the split, the noise, the initial weights and the shuffling.
    patient_ids : sequence or None, default None
        Patient per image (needed when the configuration splits by patient).
    epochs : int or None, default None
        Overrides the configuration's epochs.
    checkpoint_dir : str, Path or None, default None
        Where ``last.pt`` is written each epoch.
    resume : bool, default True
        Continue a checkpoint of the same settings, seed and images.
    device : str or None, default None
        As :func:`resolve_device` (the configuration's when None).
    n_threads : int or None, default None
        torch threads (the configuration's ``threads`` when None).
    progress : bool, default True
        Show a progress bar.

    Returns
    -------
    TrainResult
        Model, history, diagnosis and events.

    Raises
    ------
    ValueError
        If ``images`` is not ``(n, size, size)``, or the split is impossible.
    DivergenceError
        If training diverges and the configuration says to stop.
    """
    cfg = make_config(config)
    if epochs is not None:
        cfg = dataclasses.replace(cfg, epochs=int(epochs))
    x = np.asarray(images, dtype=np.float32)
    if x.ndim != 3 or x.shape[1:] != (cfg.size, cfg.size):
        raise ValueError(f"expected preprocessed images of shape (n, {cfg.size}, {cfg.size}), "
                         f"got {x.shape}; run pyradiogen.drf.transforms.preprocess_stack first")
    if n_threads:
        cfg = dataclasses.replace(cfg, threads=int(n_threads))
    with threads.deterministic_torch(cfg.threads):
        return _train(x, cfg, seed, patient_ids, checkpoint_dir, resume, device, progress)


def _train(x: np.ndarray, cfg: DRFConfig, seed: int, patient_ids: Any,
           checkpoint_dir: str | Path | None, resume: bool, device: str | None,
           progress: bool) -> TrainResult:
    """:func:`train_autoencoder` under the configured, deterministic torch threads."""
    dev = resolve_device(device or cfg.device)
    if dev.type == "cuda":
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    groups = None
    if cfg.split_by == "patient":
        if patient_ids is None:
            raise ValueError("split_by='patient' needs patient_ids")
        groups = np.asarray(patient_ids)
    tr_idx, va_idx = split_indices(len(x), cfg.val_fraction, seed, groups)
    noisy = add_noise(x, cfg.noise_std, cfg.noise_clip, seed)
    to = {"device": dev, "dtype": torch.float32}
    xtr_n = torch.from_numpy(noisy[tr_idx, None]).to(**to)
    xtr_c = torch.from_numpy(x[tr_idx, None]).to(**to)
    xva_n = torch.from_numpy(noisy[va_idx, None]).to(**to)
    xva_c = torch.from_numpy(x[va_idx, None]).to(**to)
    loss = loss_fn(cfg.loss)
    settings = {k: v for k, v in dataclasses.asdict(cfg).items()
                if k not in ("epochs", "device", "checkpoint_every")}  # may change on resume
    ident = {"config": settings, "seed": int(seed), "data": data_hash(x)}
    ckpt = Path(checkpoint_dir) / "last.pt" if checkpoint_dir else None

    lr = cfg.lr
    events: list[str] = []
    failed: pd.DataFrame | None = None
    state = _fresh_state(cfg, seed, lr, dev)
    if ckpt is not None and resume and ckpt.exists():
        saved = torch.load(ckpt, map_location=dev, weights_only=False)
        if saved.get("ident") == ident and int(saved["epoch"]) > cfg.epochs:
            log.warning("%s is at epoch %s, past the %s requested; starting afresh", ckpt,
                        saved["epoch"], cfg.epochs)
        elif saved.get("ident") == ident:
            state = _restore_state(saved, cfg, dev)
            lr, events = saved["lr"], list(saved["events"])
            failed = pd.DataFrame(saved["failed"]) if saved.get("failed") else None
            events.append(f"resumed from {ckpt} after epoch {state['epoch']}")
        else:
            log.warning("%s belongs to another configuration, seed or data; starting afresh",
                        ckpt)

    while True:
        outcome = _run_epochs(state, cfg, seed, loss, xtr_n, xtr_c, xva_n, xva_c, ckpt, ident,
                              lr, events, failed, progress)
        if outcome is None:
            break
        reason = outcome
        msg = (f"training diverged at epoch {state['epoch'] + 1} with {cfg.optimizer} "
               f"lr={lr:g}: {reason}")
        if cfg.on_divergence == "stop":
            raise DivergenceError(msg + "; set on_divergence='fallback' or lower lr")
        if cfg.on_divergence == "fallback" and lr != cfg.fallback_lr:
            events.append(msg + f"; restarted from the initial weights at lr={cfg.fallback_lr:g}")
            log.warning(events[-1])
            failed = pd.DataFrame(state["history"])
            lr = cfg.fallback_lr
            state = _fresh_state(cfg, seed, lr, dev)
            continue
        events.append(msg + "; kept going as configured" if "non-finite" not in reason
                      else msg + "; stopped, keeping the last finite weights")
        log.warning(events[-1])
        if "non-finite" in reason:
            state["model"].load_state_dict(state["last_good"])
            state["history"] = [r for r in state["history"]
                                if np.isfinite(r["val_loss"]) and np.isfinite(r["train_loss"])]
            break
        state["epoch"] += 1  # record kept; carry on after the collapsed epoch
        state["ignore_collapse"] = True

    hist = pd.DataFrame(state["history"])
    diag = diagnose(hist)
    if cfg.loss == "cosine_proximity" and not diag["learned"]:
        events.append("Keras' cosine_proximity normalises each pixel on its own (axis -1 is the "
                      "1-channel axis), so the loss is flat and its gradient zero wherever "
                      "|output| > 1e-6: the weights stay at their initial values, as they would "
                      "in the authors' Keras run. Use loss='cosine_image' or 'mse' to learn.")
    diag["lr_used"] = lr
    diag["events"] = list(events)
    return TrainResult(state["model"], hist, diag, lr, events, failed, tr_idx, va_idx)


def _fresh_state(cfg: DRFConfig, seed: int, lr: float, dev: torch.device) -> dict[str, Any]:
    model = DenoisingAutoencoder(cfg, seed=seed).to(dev)
    return {"model": model, "opt": make_optimizer(model, cfg.optimizer, lr), "epoch": 0,
            "history": [], "last_good": copy.deepcopy(model.state_dict()),
            "ignore_collapse": False}


def _restore_state(saved: dict[str, Any], cfg: DRFConfig, dev: torch.device) -> dict[str, Any]:
    model = DenoisingAutoencoder(cfg, seed=None).to(dev)
    model.load_state_dict(saved["model"])
    opt = make_optimizer(model, cfg.optimizer, saved["lr"])
    opt.load_state_dict(saved["optimizer"])
    return {"model": model, "opt": opt, "epoch": int(saved["epoch"]),
            "history": list(saved["history"]), "last_good": copy.deepcopy(model.state_dict()),
            "ignore_collapse": bool(saved.get("ignore_collapse", False))}


def _run_epochs(state: dict[str, Any], cfg: DRFConfig, seed: int, loss: Any,
                xtr_n: torch.Tensor, xtr_c: torch.Tensor, xva_n: torch.Tensor,
                xva_c: torch.Tensor, ckpt: Path | None, ident: dict[str, Any], lr: float,
                events: list[str], failed: pd.DataFrame | None, progress: bool) -> str | None:
    """Train until ``cfg.epochs``; return a divergence reason, or None when done."""
    model, opt = state["model"], state["opt"]
    bs = cfg.batch_size
    if not state["history"]:
        t0 = time.perf_counter()
        tl, _ = _evaluate(model, xtr_n, xtr_c, loss, bs)
        vl, vstd = _evaluate(model, xva_n, xva_c, loss, bs)
        state["history"].append({"epoch": 0, "train_loss": tl, "val_loss": vl, "lr": lr,
                                 "pred_std": vstd, "seconds": time.perf_counter() - t0})
    n = len(xtr_n)
    desc = f"drf: training ({cfg.optimizer} lr={lr:g})"
    with progress_task(desc, total=cfg.epochs) as advance:
        advance(state["epoch"]) if progress else None
        while state["epoch"] < cfg.epochs:
            ep = state["epoch"] + 1
            t0 = time.perf_counter()
            model.train()
            perm = torch.from_numpy(np.random.default_rng([int(seed), 33, ep]).permutation(n))
            perm = perm.to(xtr_n.device)
            total = 0.0
            for i in range(0, n, bs):
                idx = perm[i:i + bs]
                opt.zero_grad(set_to_none=True)
                batch_loss = loss(model(xtr_n[idx]), xtr_c[idx])
                batch_loss.backward()
                opt.step()
                total += float(batch_loss.detach()) * len(idx)
            tl = total / n
            vl, vstd = _evaluate(model, xva_n, xva_c, loss, bs)
            row = {"epoch": ep, "train_loss": tl, "val_loss": vl, "lr": lr, "pred_std": vstd,
                   "seconds": time.perf_counter() - t0}
            state["history"].append(row)
            if not (math.isfinite(tl) and math.isfinite(vl)):
                return f"non-finite loss (train {tl}, validation {vl})"
            v0 = state["history"][0]["val_loss"]
            if state["ignore_collapse"]:
                pass
            elif cfg.loss == "mse" and vl > EXPLODE * max(v0, 1e-12):
                return (f"exploded: validation loss {vl:.4g}, over {EXPLODE:g}× the untrained "
                        f"model's {v0:.4g}")
            elif vstd < 1e-7:
                return "collapsed: every output pixel has the same value (dead units)"
            state["epoch"] = ep
            state["last_good"] = copy.deepcopy(model.state_dict())
            if ckpt is not None and (ep % max(cfg.checkpoint_every, 1) == 0 or ep == cfg.epochs):
                save_checkpoint(ckpt, state, ident, lr, events, failed)
            if progress:
                advance()
    return None


def save_checkpoint(path: Path, state: dict[str, Any], ident: dict[str, Any], lr: float,
                    events: list[str], failed: pd.DataFrame | None) -> None:
    """Atomically save model, optimiser, epoch, history and identity for resuming.

    Parameters
    ----------
    path : Path
        The checkpoint file.
    state : dict
        ``model``, ``optimizer`` state dicts, ``epoch``, ``history``.
    ident : dict
        Settings, seed and data hash the checkpoint belongs to.
    lr : float
        Learning rate in use.
    events : list of str
        Events so far.
    failed : DataFrame or None
        History of a diverged attempt.
    """
    payload = {"model": state["model"].state_dict(), "optimizer": state["opt"].state_dict(),
               "epoch": state["epoch"], "history": state["history"], "ident": ident, "lr": lr,
               "events": list(events), "ignore_collapse": state["ignore_collapse"],
               "failed": failed.to_dict("list") if failed is not None else None}
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)
