"""Atomic writes, a stage cache keyed by inputs and configuration, and run manifests.

Every stage writes its outputs atomically (a temporary file in the same folder, then
``os.replace``) and records completion in ``<out>/.stages/<name>.json`` with the hash of its
inputs and parameters. A rerun with the same inputs skips finished stages; a changed input or
parameter reruns the stage. Beside every output folder, ``manifest.json`` records the
configuration, seeds, Python and R versions and R's ``sessionInfo()``.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

PYTHON_PACKAGES = (
    "pyradiogen", "numpy", "scipy", "pandas", "pyarrow", "torch", "monai", "pydicom",
    "pyradiomics", "SimpleITK", "rpy2", "joblib", "rich", "matplotlib", "scikit-learn",
    "xgboost-cpu", "xgboost",
)
R_PACKAGES = (
    "nlme", "glmnet", "GSVA", "GSEABase", "Biobase", "psych", "ROCR", "nnet", "Matrix",
    "jsonlite", "AnnotationDbi", "org.Hs.eg.db", "testthat", "pyradiogen",
)


# --------------------------------------------------------------------------- atomic writes

@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically.

    A context manager: an exception inside the block leaves ``path`` as it was and removes
    the temporary file.

    Parameters
    ----------
    path : str or PathLike
        The target file.

    Yields
    ------
    Path
        The temporary path to write.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix,
                               dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp creates 0600; outputs follow the umask
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def atomic_write(path: str | os.PathLike, data: str | bytes) -> Path:
    """Write text or bytes to a file atomically.

    Parameters
    ----------
    path : str or PathLike
        The target file.
    data : str or bytes
        Content (text as UTF-8).

    Returns
    -------
    Path
        ``path``.
    """
    with atomic_path(path) as tmp:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data, encoding="utf-8")
    return Path(path)


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write JSON atomically (sorted keys, indented, NaN as null).

    Parameters
    ----------
    path : str or PathLike
        The target file.
    obj : Any
        JSON-able data; NumPy scalars and arrays, paths and dataclasses are converted.

    Returns
    -------
    Path
        ``path``.
    """
    return atomic_write(path, json.dumps(_jsonable(obj), indent=2, sort_keys=True) + "\n")


def write_frame(df: pd.DataFrame, path: str | os.PathLike, index: bool = True) -> Path:
    """Write a DataFrame atomically as CSV, TSV or Parquet (by suffix).

    Parameters
    ----------
    df : DataFrame
        The table.
    path : str or PathLike
        The target file.
    index : bool, default True
        Write the index.

    Returns
    -------
    Path
        ``path``.
    """
    target = Path(path)
    with atomic_path(target) as tmp:
        if target.suffix == ".parquet":
            df.to_parquet(tmp, index=index)
        elif target.suffix in (".csv", ".gz"):
            df.to_csv(tmp, index=index)
        elif target.suffix == ".tsv":
            df.to_csv(tmp, sep="\t", index=index)
        else:
            raise ValueError(f"{target}: unknown table format; use .csv, .tsv or .parquet")
    return target


def read_frame(path: str | os.PathLike, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV, TSV or Parquet table written by :func:`write_frame` or a user.

    Parameters
    ----------
    path : str or PathLike
        The file (format by suffix).
    **kwargs : Any
        Passed to ``pandas.read_csv`` / ``read_parquet``.

    Returns
    -------
    DataFrame
        The table.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such table")
    if p.suffix == ".parquet":
        return pd.read_parquet(p, **kwargs)
    if p.suffix == ".tsv":
        return pd.read_csv(p, sep="\t", **kwargs)
    return pd.read_csv(p, **kwargs)


# --------------------------------------------------------------------------- hashing

def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        seq = sorted(obj, key=str) if isinstance(obj, set) else obj
        return [_jsonable(v) for v in seq]
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, float) and obj != obj:
        return None
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            return obj.item()
        except (ValueError, AttributeError):
            pass
    if hasattr(obj, "__dataclass_fields__"):
        from dataclasses import asdict

        return _jsonable(asdict(obj))
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


def hash_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes (a folder hashes its sorted relative paths and contents).

    Parameters
    ----------
    path : str or PathLike
        File or folder.
    chunk : int, default 1048576
        Bytes read at a time.

    Returns
    -------
    str
        Hex digest.
    """
    p = Path(path)
    h = hashlib.sha256()
    if p.is_dir():
        for sub in sorted(q for q in p.rglob("*") if q.is_file() and not q.name.startswith(".")):
            h.update(str(sub.relative_to(p)).encode())
            h.update(hash_file(sub).encode())
        return h.hexdigest()
    with open(p, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def hash_params(params: Any) -> str:
    """SHA-256 of a JSON-able parameter structure (order of dict keys does not matter).

    Parameters
    ----------
    params : Any
        Parameters (dataclasses, dicts, lists, scalars).

    Returns
    -------
    str
        Hex digest.
    """
    return hashlib.sha256(json.dumps(_jsonable(params), sort_keys=True).encode()).hexdigest()


# --------------------------------------------------------------------------- stage cache

@dataclass(frozen=True)
class StageTiming:
    """The time of the run that produced a stage's outputs.

    Parameters
    ----------
    name : str
        Stage name.
    seconds : float or None
        Wall time the stage took when it ran (None in records written before timings were
        kept).
    started, finished : str or None
        That run's UTC times (ISO 8601).
    ran : bool
        Whether *this* run produced the outputs (False: reused from the run that finished at
        ``finished``).
    info : mapping
        What the stage recorded beside (e.g. the thread policy it ran under).
    """

    name: str
    seconds: float | None
    started: str | None
    finished: str | None
    ran: bool
    info: Mapping[str, Any] = field(default_factory=dict)

    def label(self) -> str:
        """The timing in words, for the console and the report.

        Returns
        -------
        str
            ``ran in 12.3 s`` or ``reused from 2024-05-01 10:32 UTC (ran in 12.3 s)``.
        """
        took = "time not recorded" if self.seconds is None else f"{self.seconds:.1f} s"
        if self.ran:
            return f"ran in {took}"
        when = _short_time(self.finished) if self.finished else "an earlier run"
        return f"reused from {when} (ran in {took})" if self.seconds is not None \
            else f"reused from {when} ({took})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (manifest, report).

        Returns
        -------
        dict
            ``name, seconds, started, finished, ran, info``.
        """
        return {"name": self.name, "seconds": self.seconds, "started": self.started,
                "finished": self.finished, "ran": self.ran,
                "reused_from": None if self.ran else self.finished, "info": dict(self.info)}


def _short_time(iso: str) -> str:
    try:
        t = _dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return t.strftime("%Y-%m-%d %H:%M:%S UTC")


def now_iso() -> str:
    """The current time in UTC as ISO 8601 (``2026-01-31T12:00:00.000000+00:00``).

    Returns
    -------
    str
        The timestamp, for manifests and stage records.
    """
    return _dt.datetime.now(_dt.UTC).isoformat()


@dataclass
class StageCache:
    """Completion records for the stages writing into ``root``.

    Each record keeps the stage's key, outputs and the timing of the run that produced them
    (:class:`StageTiming`, read back with :meth:`timing`), so a resumed run can report how
    long a reused stage took when it ran, and when.

    Parameters
    ----------
    root : Path
        The output folder; records live in ``root/.stages``.
    """

    root: Path

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        self._ran: set[str] = set()

    def _record(self, name: str) -> Path:
        return self.root / ".stages" / f"{name}.json"

    def key(self, name: str, inputs: Sequence[str | os.PathLike] = (), params: Any = None) -> str:
        """The cache key of a stage: its name, its input files' hashes and its parameters.

        Parameters
        ----------
        name : str
            Stage name.
        inputs : sequence of str or PathLike, default ()
            Input files (hashed by content).
        params : Any, default None
            Parameters (:func:`hash_params`).

        Returns
        -------
        str
            Hex digest.
        """
        parts = {"stage": name, "params": _jsonable(params),
                 "inputs": {str(p): hash_file(p) for p in inputs}}
        return hash_params(parts)

    def is_done(self, name: str, key: str) -> bool:
        """True when the stage finished with this key and all its outputs still exist.

        Parameters
        ----------
        name : str
            Stage name.
        key : str
            :meth:`key` of the current inputs.

        Returns
        -------
        bool
            Whether the outputs can be reused.
        """
        rec = self._record(name)
        if not rec.exists():
            return False
        data = json.loads(rec.read_text())
        return data.get("key") == key and all((self.root / o).exists() for o in data.get("outputs", []))

    def mark_done(self, name: str, key: str, outputs: Sequence[str | os.PathLike],
                  info: Mapping[str, Any] | None = None, seconds: float | None = None,
                  started: str | None = None) -> None:
        """Record that the stage finished, with its outputs and the time it took.

        Parameters
        ----------
        name : str
            Stage name.
        key : str
            Its cache key.
        outputs : sequence of str or PathLike
            Files written (stored relative to ``root``).
        info : mapping or None, default None
            Stored in the record.
        seconds : float or None, default None
            Wall time.
        started : str or None, default None
            UTC start time (ISO 8601).
        """
        root = self.root.resolve()
        rel = []
        for o in outputs:
            p = Path(o).resolve()
            rel.append(str(p.relative_to(root)) if p.is_relative_to(root) else str(p))
        write_json(self._record(name), {"key": key, "outputs": rel, "finished": now_iso(),
                                        "started": started, "seconds": seconds,
                                        "info": dict(info or {})})

    def timing(self, name: str) -> StageTiming | None:
        """The timing of the run that produced a stage's recorded outputs.

        Parameters
        ----------
        name : str
            Stage name.

        Returns
        -------
        StageTiming or None
            None when there is no record.
        """
        rec = self._record(name)
        if not rec.exists():
            return None
        data = json.loads(rec.read_text())
        secs = data.get("seconds")
        return StageTiming(name=name, seconds=None if secs is None else float(secs),
                           started=data.get("started"), finished=data.get("finished"),
                           ran=name in self._ran, info=data.get("info") or {})

    def run(self, name: str, fn: Callable[[], Sequence[str | os.PathLike]],
            inputs: Sequence[str | os.PathLike] = (), params: Any = None,
            force: bool = False, info: Mapping[str, Any] | None = None
            ) -> tuple[bool, list[Path]]:
        """Run ``fn`` (which writes its outputs and returns their paths) unless already done.

        Parameters
        ----------
        name : str
            Stage name.
        fn : callable
            Writes the outputs, returns their paths.
        inputs : sequence of str or PathLike, default ()
            Input files of the key.
        params : Any, default None
            Parameters of the key.
        force : bool, default False
            Run even when done.
        info : mapping or None, default None
            Stored in the record (e.g. the thread policy).

        Returns
        -------
        ran : bool
            Whether ``fn`` ran (False: outputs reused).
        outputs : list of Path
            The outputs.
        """
        key = self.key(name, inputs, params)
        if not force and self.is_done(name, key):
            self._ran.discard(name)
            data = json.loads(self._record(name).read_text())
            return False, [self.root / o for o in data["outputs"]]
        started = now_iso()
        t0 = time.perf_counter()
        outputs = [Path(o) for o in fn()]
        self.mark_done(name, key, outputs, info=info, seconds=time.perf_counter() - t0,
                       started=started)
        self._ran.add(name)
        return True, outputs


# --------------------------------------------------------------------------- manifest

def python_versions(packages: Sequence[str] = PYTHON_PACKAGES) -> dict[str, str | None]:
    """Installed version of each Python distribution.

    Parameters
    ----------
    packages : sequence of str, default PYTHON_PACKAGES
        Distribution names.

    Returns
    -------
    dict of str to str or None
        Version, None when absent.
    """
    out: dict[str, str | None] = {}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def git_commit() -> str | None:
    """The project's git commit, when run from a checkout.

    Returns
    -------
    str or None
        The commit hash, or None outside a checkout.
    """
    try:
        root = Path(__file__).resolve().parents[1]
        res = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=False)
        return res.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def r_provenance() -> dict[str, Any]:
    """R version, R package versions, the last R seed and ``sessionInfo()`` text.

    Returns
    -------
    dict
        ``version``, ``packages``, ``seed``, ``session_info``; ``error`` when R is not
        available.
    """
    try:
        from . import rfuncs

        return {
            "version": rfuncs.r_version(),
            "packages": rfuncs.r_package_versions(R_PACKAGES),
            "seed": rfuncs.last_seed(),
            "sessionInfo": rfuncs.session_info(),
        }
    except Exception as exc:  # R missing must not stop a manifest from being written
        return {"error": f"{type(exc).__name__}: {exc}"}


def build_manifest(config: Any = None, seeds: Mapping[str, Any] | None = None,
                   extra: Mapping[str, Any] | None = None, include_r: bool = True) -> dict[str, Any]:
    """The run manifest as a dict (see :func:`write_manifest`).

    Parameters
    ----------
    config : Any, default None
        The run's configuration.
    seeds : mapping or None, default None
        Seeds used.
    extra : mapping or None, default None
        More entries.
    include_r : bool, default True
        Add :func:`r_provenance`.

    Returns
    -------
    dict
        ``created``, ``command``, Python and package versions, git commit, threads, config,
        seeds, R provenance and ``extra``.
    """
    return {
        "created": _dt.datetime.now(_dt.UTC).isoformat(),
        "command": sys.argv,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "git_commit": git_commit(),
        "packages": python_versions(),
        "config": _jsonable(config),
        "seeds": _jsonable(dict(seeds or {})),
        "r": r_provenance() if include_r else None,
        **_jsonable(dict(extra or {})),
    }


def write_manifest(out_dir: str | os.PathLike, config: Any = None,
                   seeds: Mapping[str, Any] | None = None, extra: Mapping[str, Any] | None = None,
                   include_r: bool = True, name: str = "manifest.json") -> Path:
    """Write ``manifest.json``: config, seeds, Python/R/package versions, sessionInfo.

    Parameters
    ----------
    out_dir : str or PathLike
        Output folder.
    config : Any, default None
        The run's configuration.
    seeds : mapping or None, default None
        Seeds used.
    extra : mapping or None, default None
        More entries.
    include_r : bool, default True
        Record R's provenance.
    name : str, default "manifest.json"
        File name.

    Returns
    -------
    Path
        The file written.
    """
    return write_json(Path(out_dir) / name, build_manifest(config, seeds, extra, include_r))
