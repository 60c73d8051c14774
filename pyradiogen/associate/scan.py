"""The association scan: every feature × GF pair, in blocks, resumable, with BH per GF.

``associate(features, gfs, engine="fast"|"nlme")`` splits the features into blocks, fits each
block against every GF in worker processes (:func:`pyradiogen.parallel.pmap`: loky or Dask),
writes each finished block atomically under ``out_dir/blocks/<key>/`` (the key hashes the data
and the settings, so a killed run resumes with only the missing blocks), then joins the blocks
and adds Benjamini–Hochberg adjusted p-values within each GF across features.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from .. import store
from ..parallel import pmap
from ..stats import bh_adjust
from .result import PAPER_BLOCK_SIZE, AssociationResult, paper_block_of  # noqa: F401

log = logging.getLogger(__name__)

COLUMNS = ["feature", "gf", "estimate", "std_error", "df", "t", "p_value", "p_adj", "note"]
DEFAULT_BLOCK = {"fast": 128, "nlme": 4}


# --------------------------------------------------------------------------- inputs


def _split_features(features: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Feature values (images × F) and the patient id of each image."""
    df = features
    if "patient_id" not in df.columns:
        raise ValueError("feature table needs a 'patient_id' column (then one column per feature)")
    pid = df["patient_id"].astype(str).to_numpy()
    drop = [c for c in ("image_id", "patient_id") if c in df.columns]
    vals = df.drop(columns=drop)
    if vals.columns.duplicated().any():
        dup = vals.columns[vals.columns.duplicated()].unique().tolist()[:5]
        raise ValueError(f"feature table has duplicated feature columns {dup}; each feature "
                         "would be scanned twice — give every column a unique name")
    bad = [c for c in vals.columns if not pd.api.types.is_numeric_dtype(vals[c])]
    if bad:
        raise ValueError(f"feature columns must be numeric; not numeric: {bad[:5]}")
    return vals, pid


def _gf_frame(gfs: pd.DataFrame) -> pd.DataFrame:
    """GF table indexed by patient id (``patient_id`` or ``sample`` column, or the index)."""
    df = gfs
    for col in ("patient_id", "sample"):
        if col in df.columns:
            df = df.set_index(col)
            break
    df.index = df.index.astype(str)
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()].unique().tolist()[:5]
        raise ValueError(f"GF table has duplicated GF columns {dup}; give every GF a unique "
                         "name")
    if df.index.duplicated().any():
        dup = df.index[df.index.duplicated()].unique().tolist()[:5]
        raise ValueError(f"GF table has duplicated patients {dup}; keep one row per patient")
    bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise ValueError(f"GF columns must be numeric; not numeric: {bad[:5]}")
    return df.astype(float)


def align(features: pd.DataFrame, gfs: pd.DataFrame, left_out: dict | None = None
          ) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Keep the images whose patient has a GF row and the GF rows of patients with images.

    The patients left out on either side are warned about by name.

    Parameters
    ----------
    features : DataFrame, shape (n_images, 2 + F)
        ``image_id``, ``patient_id``, then one numeric column per feature.
    gfs : DataFrame, shape (n_patients, 1 + G)
        ``patient_id`` (or the index), then one numeric column per GF.
    left_out : dict or None, default None
        Filled in place with ``no_gf_row``, ``no_images`` (patient lists) and
        ``images_left_out`` (count).

    Returns
    -------
    values : DataFrame, shape (n_kept_images, F)
        The feature values.
    patient : ndarray of str, shape (n_kept_images,)
        Patient ID per image.
    gfs : DataFrame, shape (n_kept_patients, G)
        GFs indexed by patient ID.

    Raises
    ------
    ValueError
        If no patient is in both tables.
    """
    vals, pid = _split_features(features)
    g = _gf_frame(gfs)
    keep = np.isin(pid, g.index)
    if not keep.any():
        raise ValueError("no patient of the feature table is in the GF table; check that both "
                         "use 12-character TCGA barcodes (pyradiogen.cohort.ids.patient_barcode)")
    lost = sorted(set(pid[~keep]))
    spare = sorted(set(g.index) - set(pid))
    if lost:
        warnings.warn(f"{int((~keep).sum())} image(s) of {len(lost)} patient(s) without a GF row "
                      f"left out of the scan: {', '.join(lost[:10])}"
                      f"{' …' if len(lost) > 10 else ''}", UserWarning, stacklevel=3)
    if spare:
        warnings.warn(f"{len(spare)} patient(s) of the GF table have no feature row and are not "
                      f"used: {', '.join(spare[:10])}{' …' if len(spare) > 10 else ''}",
                      UserWarning, stacklevel=3)
    if left_out is not None:
        left_out.update(no_gf_row=lost, no_images=spare, images_left_out=int((~keep).sum()))
    vals = vals.loc[keep].reset_index(drop=True)
    pid = pid[keep]
    g = g.loc[[p for p in g.index if p in set(pid)]]
    return vals, pid, g


# --------------------------------------------------------------------------- BH


def add_bh(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with ``p_adj``: Benjamini–Hochberg within each GF across features.

    Parameters
    ----------
    table : DataFrame
        An association table with ``gf`` and ``p_value`` columns.

    Returns
    -------
    DataFrame
        The table with ``p_adj`` (:func:`pyradiogen.stats.bh_adjust` with the GFs as
        families).

    References
    ----------
    Benjamini Y, Hochberg Y (1995). *J R Stat Soc B* 57(1):289–300.
    """
    table = table.copy()
    table["p_adj"] = bh_adjust(table["p_value"].to_numpy(dtype=float),
                               groups=table["gf"].to_numpy())
    return table


# --------------------------------------------------------------------------- blocks


@dataclass
class _Block:
    number: int
    path: Path
    values: np.ndarray
    names: list[str]


def _fit_block(block: _Block, codes: np.ndarray, pid: np.ndarray, gfs: pd.DataFrame,
               engine: str, preset: str, na_action: str, device: str | None) -> str:
    """Fit one block in a worker and write it atomically; return its path.

    A block already on disk is kept (a task run again after its Dask worker died having
    written it).
    """
    if block.path.exists():
        return str(block.path)
    if engine == "fast":
        from .lme_fast import fit_arrays, tidy

        res = fit_arrays(block.values, codes, gfs.to_numpy(dtype=float), na_action, device)
        table = tidy(res, block.names, [str(c) for c in gfs.columns])
        table["failed"] = False
    else:
        from .lme_r import fit_nlme

        table = fit_nlme(pd.DataFrame(block.values, columns=block.names), pid, gfs,
                         preset=preset, na_action=na_action)
        table = table.drop(columns=["lambda", "loglik"])
    table["note"] = table["note"].astype(object).where(table["note"].notna(), None)
    store.write_frame(table, block.path, index=False)
    return str(block.path)


def data_key(values: pd.DataFrame, pid: np.ndarray, gfs: pd.DataFrame, params: dict) -> str:
    """Hash of the aligned inputs and the settings (names the resumable block folder).

    Parameters
    ----------
    values : DataFrame, shape (n_images, F)
        Aligned features.
    pid : ndarray of str, shape (n_images,)
        Patient ID per image.
    gfs : DataFrame, shape (n_patients, G)
        Aligned GFs.
    params : dict
        Settings that change the results (engine, preset, na_action …).

    Returns
    -------
    str
        Hex SHA-256 prefix.
    """
    import hashlib

    h = hashlib.sha256()
    h.update(np.ascontiguousarray(values.to_numpy(dtype=float)).tobytes())
    h.update("\x00".join(map(str, values.columns)).encode())
    h.update("\x00".join(pid).encode())
    h.update(np.ascontiguousarray(gfs.to_numpy(dtype=float)).tobytes())
    h.update("\x00".join(map(str, gfs.columns)).encode())
    h.update("\x00".join(gfs.index).encode())
    h.update(store.hash_params(params).encode())
    return h.hexdigest()


# --------------------------------------------------------------------------- results


def associate(features: pd.DataFrame, gfs: pd.DataFrame, engine: str = "fast",
              preset: str = "paper", n_jobs: int = 1, backend: str = "loky",
              scheduler: str | None = None, block_size: int | None = None,
              out_dir: str | Path | None = None, na_action: str = "fail", alpha: float = 0.05,
              device: str | None = None, gf_class: dict[str, str] | None = None
              ) -> AssociationResult:
    """Fit ``lme(X ~ G, random = ~1 | PatientID)`` for every feature X and GF G.

    The ``code`` preset adds ``lmeControl(maxIter = 1, niterEM = 1)`` to nlme (no effect on
    the fit of this model; the fast engine ignores it). Finished blocks persist in
    ``out_dir/blocks/`` so an interrupted run resumes. ``p_adj`` is Benjamini–Hochberg within
    each GF across features, as the paper.

    Parameters
    ----------
    features : DataFrame, shape (n_images, 2 + F)
        ``image_id``, ``patient_id``, then one numeric column per feature.
    gfs : DataFrame, shape (n_patients, 1 + G)
        ``patient_id`` (or the index), then one numeric column per GF.
    engine : {"fast", "nlme"}, default "fast"
        Exact vectorised REML (:class:`FastLME`) or R's nlme.
    preset : {"paper", "code"}, default "paper"
        Configuration preset.
    n_jobs : int, default 1
        Worker processes (≤ 0: the thread budget).
    backend : {"loky", "sequential", "dask"}, default "loky"
        How blocks are distributed (:func:`pyradiogen.parallel.pmap`).
    scheduler : str or None, default None
        Dask scheduler address with ``backend="dask"``.
    block_size : int or None, default None
        Features per block (``None``: the engine's default).
    out_dir : str, Path or None, default None
        Where resumable blocks are kept; none kept when None.
    na_action : {"fail", "omit"}, default "fail"
        nlme's ``na.action``.
    alpha : float, default 0.05
        Significance level of ``p_adj``.
    device : str or None, default None
        Fast engine device (:func:`~.lme_fast.resolve_device`).
    gf_class : dict of str to str or None, default None
        GF → class (risk genes, signatures, KEGG …) for the summaries.

    Returns
    -------
    AssociationResult
        The table (F·G rows) and its counts.

    Raises
    ------
    ValueError
        For an unknown engine or preset, or no patient in both tables.

    References
    ----------
    .. [1] Liu Q, Hu P. Radiogenomic association of deep MR imaging features with genomic
       profiles and clinical characteristics in breast cancer. *Biomark Res* 11, 9 (2023).
    .. [2] Pinheiro JC, Bates DM. *Mixed-Effects Models in S and S-PLUS*. Springer (2000);
       R package nlme 3.1-162.
    """
    import time

    if engine not in DEFAULT_BLOCK:
        raise ValueError(f"engine must be 'fast' or 'nlme', got {engine!r}")
    if preset not in ("paper", "code"):
        raise ValueError(f"preset must be 'paper' or 'code', got {preset!r}")
    start = time.perf_counter()
    left_out: dict = {}
    values, pid, g = align(features, gfs, left_out)
    if na_action == "omit":
        vals_na = ~np.isfinite(values.to_numpy(dtype=float))
        gf_na = ~np.isfinite(g.to_numpy(dtype=float))
        left_out["omitted_images_per_feature"] = {
            str(c): int(n) for c, n in zip(values.columns, vals_na.sum(axis=0)) if n}
        left_out["omitted_patients_per_gf"] = {
            str(c): [str(p) for p in g.index[gf_na[:, j]]]
            for j, c in enumerate(g.columns) if gf_na[:, j].any()}
    block_size = int(block_size or DEFAULT_BLOCK[engine])
    params = {"engine": engine, "preset": preset if engine == "nlme" else "any",
              "na_action": na_action, "block_size": block_size, "version": 2}
    key = data_key(values, pid, g, params)
    scratch = None if out_dir is not None else tempfile.TemporaryDirectory(prefix="associate_")
    root = Path(out_dir) if scratch is None else Path(scratch.name)
    bdir = root / "blocks" / key[:16]
    bdir.mkdir(parents=True, exist_ok=True)
    store.write_json(bdir / "params.json", {**params, "key": key})
    codes = pd.Index(g.index).get_indexer(pid).astype(np.int64)
    arr = values.to_numpy(dtype=float)
    names = [str(c) for c in values.columns]
    starts = list(range(0, len(names), block_size))
    paths = [bdir / f"block_{i:05d}.parquet" for i in range(len(starts))]
    todo = [_Block(i, paths[i], arr[:, s:s + block_size], names[s:s + block_size])
            for i, s in enumerate(starts) if not paths[i].exists()]
    reused = len(starts) - len(todo)
    if reused:
        log.info("resuming: %d of %d blocks already done in %s", reused, len(starts), bdir)
    fn = partial(_fit_block, codes=codes, pid=pid, gfs=g, engine=engine, preset=preset,
                 na_action=na_action, device=device)
    t_fit = time.perf_counter()
    pmap(fn, todo, n_jobs=n_jobs, backend=backend, scheduler=scheduler,
         description=f"LME scan ({engine}) blocks")
    t_join = time.perf_counter()
    table = pd.concat([store.read_frame(p) for p in paths], ignore_index=True)
    if scratch is not None:  # no folder to resume from was asked for: leave nothing behind
        scratch.cleanup()
    n_failed = int(table.pop("failed").sum()) if "failed" in table else 0
    table["note"] = table["note"].astype(object).where(table["note"].notna(), None)
    table = add_bh(table)[COLUMNS]
    classes = {str(c): "GF" for c in g.columns}
    classes.update({str(k): str(v) for k, v in (gf_class or {}).items() if str(k) in classes})
    return AssociationResult(table=table, engine=engine, preset=preset, alpha=alpha,
                             gf_class=classes, n_failed=n_failed, left_out=left_out,
                             na_action=na_action, blocks_run=len(todo),
                             blocks_reused=reused, seconds=time.perf_counter() - start,
                             timings={"prepare": t_fit - start, "fit_blocks": t_join - t_fit,
                                      "join_bh": time.perf_counter() - t_join})
