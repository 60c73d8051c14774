"""The embedded-R bridge: one lazily started R per process, explicit conversion both ways.

Everything that crosses between Python and R goes through :func:`to_r` / :func:`to_py`, used
inside an rpy2 ``localconverter`` (rpy2's global conversion is never activated).

Conversion rules (Python → R → Python round-trips exactly for these):

==========================================  ==========================================
Python                                      R
==========================================  ==========================================
``float`` array / Series (NaN)              ``numeric`` (NaN → ``NA_real_``)
``int`` array / Series, ``Int64`` (pd.NA)   ``integer`` (``NA_integer_``); ints outside
                                            the 32-bit range raise ``OverflowError``
``bool`` / ``boolean`` (pd.NA)              ``logical``
``str`` / ``string`` / object (None, NaN)   ``character`` (``NA_character_``)
``Categorical``                             ``factor`` (levels, ordered kept)
``DataFrame``                               ``data.frame`` (index → row names)
:class:`RMatrix` / 2-D ndarray              ``matrix`` (with dimnames for RMatrix)
``dict``                                    named ``list``
``list`` / ``tuple`` of scalars             atomic vector (``None`` → NA)
other ``list`` / ``tuple``                  unnamed ``list``
``None``                                    ``NULL``
==========================================  ==========================================

Back from R: ``integer`` without NA → ``int64`` arrays, with NA → ``Int64``; a ``character``
NA → ``None`` (``pd.NA`` in a data frame's ``string`` column); factors → ``Categorical``;
a matrix with dimnames → ``DataFrame``, without → ``ndarray``; length-one unnamed atomic
vectors → Python scalars; a named list → ``dict``.

R errors raise :class:`RError` (R's message and call); R warnings become Python
:class:`RWarning` warnings; console output of a call is captured and returned in
:attr:`RResult.output` (and logged at DEBUG).
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

INT32_MAX = 2**31 - 1
_R_LOCK = threading.Lock()
_STATE: dict[str, Any] = {"started": False, "pid": None, "thread": None, "seed": None}


class RError(RuntimeError):
    """An error raised by R, with R's message and the call that raised it.

    Parameters
    ----------
    message : str
        R's message (kept as ``r_message``).
    call : str or None, default None
        The R call (kept as ``r_call``).
    output : str, default ""
        R's console output before the error.
    """

    def __init__(self, message: str, call: str | None = None, output: str = ""):
        self.r_message = message
        self.r_call = call
        self.output = output
        where = f" in {call}" if call else ""
        super().__init__(f"R error{where}: {message}")

    def __reduce__(self):
        # rebuilt from R's message, call and output when it crosses a process boundary
        # (loky or Dask workers), not from the formatted text
        return (type(self), (self.r_message, self.r_call, self.output))


class RWarning(UserWarning):
    """A warning raised by R during a bridged call."""


class RThreadError(RuntimeError):
    """The embedded R was used from a thread other than the one that started it."""


class RUnavailableError(RuntimeError):
    """R or rpy2 cannot be started in this environment."""


class RPackageUnavailableError(RUnavailableError):
    """The R package pyradiogen cannot be installed or loaded (the message says how to fix it)."""


@dataclass
class RMatrix:
    """A numeric matrix for R, with optional row and column names.

    Parameters
    ----------
    values : ndarray, shape (n_rows, n_cols)
        Numbers (converted to an R double matrix).
    rownames : sequence of str or None, default None
        ``rownames`` in R.
    colnames : sequence of str or None, default None
        ``colnames`` in R.
    """

    values: np.ndarray
    rownames: Sequence[str] | None = None
    colnames: Sequence[str] | None = None

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> RMatrix:
        """Matrix from a numeric data frame, index and columns as dimnames.

        Parameters
        ----------
        df : DataFrame
            Numeric table.

        Returns
        -------
        RMatrix
            Float values with the index and columns as strings.
        """
        return cls(df.to_numpy(dtype=float), [str(i) for i in df.index], [str(c) for c in df.columns])


@dataclass
class RResult:
    """What a bridged call gave back: the converted value, R's warnings and console output.

    Parameters
    ----------
    value : Any
        The converted result (:func:`to_py`).
    warnings : list of str
        R's warnings, in order.
    output : str, default ""
        What R printed.
    """

    value: Any
    warnings: list[str] = field(default_factory=list)
    output: str = ""


# --------------------------------------------------------------------------- start-up

def project_r_library() -> Path:
    """The R library holding the R package pyradiogen.

    Returns
    -------
    Path
        :func:`pyradiogen.rlibrary.library_dir`.
    """
    from .rlibrary import library_dir

    return library_dir()


_HELPERS = r"""
local({
  e <- new.env()
  e$call <- function(f, args) {
    out <- character(0); warns <- character(0); err <- NULL
    con <- textConnection("out", "w", local = TRUE)
    sink(con); sink(con, type = "message")
    val <- tryCatch(
      withCallingHandlers(
        do.call(f, args),
        warning = function(w) {
          warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning")
        }),
      error = function(ee) { err <<- ee; NULL })
    sink(type = "message"); sink(); close(con)
    if (!is.null(err)) {
      cl <- conditionCall(err)
      return(list(ok = FALSE, message = conditionMessage(err),
                  call = if (is.null(cl)) NA_character_ else paste(deparse(cl), collapse = " "),
                  warnings = warns, output = paste(out, collapse = "\n")))
    }
    list(ok = TRUE, value = val, warnings = warns, output = paste(out, collapse = "\n"))
  }
  e$eval <- function(code, envir = globalenv()) eval(parse(text = code), envir = envir)
  e
})
"""


def _check_thread() -> None:
    owner = _STATE["thread"]
    if owner is not None and threading.get_ident() != owner:
        raise RThreadError(
            "the embedded R was started in another thread of this process and R is not "
            "thread-safe; run R work in processes with pyradiogen.parallel.pmap(backend='loky')"
        )
    if owner is None and threading.current_thread() is not threading.main_thread():
        raise RThreadError(
            "the embedded R must be started from the main thread; use "
            "pyradiogen.parallel.pmap (loky processes), not threads, to run R in parallel"
        )


def ensure_r():
    """Start the embedded R in this process if needed.

    Returns
    -------
    module
        ``rpy2.rinterface``, initialised.

    Raises
    ------
    RUnavailableError
        If R or rpy2 cannot be started.
    RThreadError
        If called from a thread other than the one that started R.
    """
    if _STATE["started"] and _STATE["pid"] == os.getpid():
        _check_thread()
        import rpy2.rinterface as ri

        return ri
    _check_thread()
    with _R_LOCK:
        try:
            import rpy2.rinterface as ri
            import rpy2.rinterface_lib.callbacks as cb
        except Exception as exc:  # pragma: no cover - depends on the machine
            raise RUnavailableError(
                f"cannot load rpy2/R ({exc}); install R with `sudo scripts/install-system-deps.sh` "
                "and the Python deps with `make venv`"
            ) from exc
        cb.consolewrite_print = lambda s: log.debug("R: %s", s.rstrip())
        cb.consolewrite_warnerror = lambda s: log.debug("R stderr: %s", s.rstrip())
        saved_ld = os.environ.get("LD_LIBRARY_PATH")
        ri.initr_simple()
        # R prepends its ldpaths to LD_LIBRARY_PATH; worker processes started later (loky,
        # Dask) must not inherit them, or their compiled extensions load R's libraries.
        if saved_ld is None:
            os.environ.pop("LD_LIBRARY_PATH", None)
        else:
            os.environ["LD_LIBRARY_PATH"] = saved_ld
        _STATE.update(started=True, pid=os.getpid(), thread=threading.get_ident(),
                      r_package=False)
        _STATE["bridge"] = ri.baseenv["eval"](ri.parse(_HELPERS))
        _add_library(ri, project_r_library())
    return ri


def _add_library(ri: Any, lib: Path) -> None:
    """Put ``lib`` first on R's library path (R ignores folders that do not exist yet)."""
    ri.baseenv["eval"](ri.parse(f'.libPaths(unique(c({_r_string(str(lib))}, .libPaths())))'))


def require_r_package() -> None:
    """Make the R package pyradiogen usable in this process: the one place that loads it.

    Installs it on first use, or reinstalls it when stale, into
    :func:`pyradiogen.rlibrary.library_dir` (see :mod:`pyradiogen.rlibrary`), then loads its
    namespace from there. Called automatically by :func:`call_r`, :func:`reval` and
    :func:`rraw` for code that uses ``pyradiogen::``, and by ``library("pyradiogen")``.
    Raises :class:`RUnavailableError` (an :class:`pyradiogen.rlibrary.RPackageError`) with
    the command that fixes it when the package cannot be installed.
    """
    ri = ensure_r()
    if _STATE.get("r_package"):
        return
    from . import rlibrary

    lib = rlibrary.library_dir()
    try:
        rlibrary.ensure_installed(lib, r_version=r_version())
    except rlibrary.RPackageError as exc:
        raise RPackageUnavailableError(str(exc)) from exc
    _add_library(ri, lib)
    loaded = call_r("function(lib) { if (isNamespaceLoaded('pyradiogen')) "
                    "return(normalizePath(getNamespaceInfo('pyradiogen', 'path'))); "
                    "loadNamespace('pyradiogen', lib.loc = lib); "
                    "normalizePath(getNamespaceInfo('pyradiogen', 'path')) }", str(lib)).value
    expected = (lib / rlibrary.PACKAGE).resolve()
    if Path(str(loaded)).resolve() != expected:
        raise RPackageUnavailableError(
            f"this R session already loaded the R package pyradiogen from {loaded}, not from "
            f"{expected}; start a new Python process")
    _STATE["r_package"] = True


def _uses_r_package(code: str) -> bool:
    return "pyradiogen::" in code or "library(pyradiogen" in code or "require(pyradiogen" in code


def _r_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def r_started() -> bool:
    """Whether this process has started its embedded R.

    Returns
    -------
    bool
        False in a fresh process or a forked child.
    """
    return bool(_STATE["started"] and _STATE["pid"] == os.getpid())


# --------------------------------------------------------------------------- Python -> R

def _na_mask(values: pd.Series | np.ndarray) -> np.ndarray:
    return np.asarray(pd.isna(pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values))


def _vector(values: Any, name_hint: str = "") -> Any:
    """Convert a 1-D array-like (ndarray, Series, list) to an R vector."""
    ri = ensure_r()
    if isinstance(values, pd.Series):
        series = values
    else:
        series = pd.Series(list(values) if not isinstance(values, np.ndarray) else values)
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cats = [str(c) for c in dtype.categories]
        codes = series.cat.codes.to_numpy()
        vec = ri.IntSexpVector([int(c) + 1 if c >= 0 else ri.NA_Integer for c in codes])
        vec.do_slot_assign("levels", ri.StrSexpVector(cats))
        cls = ["ordered", "factor"] if dtype.ordered else ["factor"]
        return _set_class(vec, cls)
    na = np.asarray(series.isna())
    if pd.api.types.is_bool_dtype(dtype):
        return ri.BoolSexpVector(
            [ri.NA_Logical if m else bool(v) for v, m in zip(series.to_numpy(dtype=object), na)]
        )
    if pd.api.types.is_integer_dtype(dtype):
        arr = series.to_numpy(dtype=object)
        out = []
        for v, m in zip(arr, na):
            if m:
                out.append(ri.NA_Integer)
                continue
            iv = int(v)
            if abs(iv) > INT32_MAX:
                raise OverflowError(
                    f"integer {iv} in {name_hint or 'a vector'} does not fit R's 32-bit integer; "
                    "convert the column to float first"
                )
            out.append(iv)
        return ri.IntSexpVector(out)
    if pd.api.types.is_float_dtype(dtype):
        arr = series.to_numpy(dtype=float, na_value=np.nan)
        vec = ri.FloatSexpVector(arr)
        if na.any():
            for i in np.flatnonzero(na):
                vec[int(i)] = ri.NA_Real
        return vec
    if pd.api.types.is_datetime64_any_dtype(dtype):
        raise TypeError(f"datetime column {name_hint!r}: convert to ISO strings before sending to R")
    # strings / objects: decide by content
    arr = series.to_numpy(dtype=object)
    nonmissing = [v for v, m in zip(arr, na) if not m]
    if nonmissing and all(isinstance(v, (bool, np.bool_)) for v in nonmissing):
        return ri.BoolSexpVector([ri.NA_Logical if m else bool(v) for v, m in zip(arr, na)])
    if nonmissing and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in nonmissing):
        return _vector(pd.Series(arr, dtype="Int64"), name_hint)
    if nonmissing and all(isinstance(v, (float, int, np.floating, np.integer)) for v in nonmissing):
        return _vector(pd.Series(arr, dtype="Float64").astype(float), name_hint)
    return ri.StrSexpVector([ri.NA_Character if m else str(v) for v, m in zip(arr, na)])


def _set_class(vec: Any, classes: list[str]) -> Any:
    """Set the class through R's ``class<-`` so the object bit is set and methods dispatch."""
    ri = ensure_r()
    return ri.baseenv["class<-"](vec, ri.StrSexpVector(classes))


def _named_list(items: Mapping[str, Any] | Sequence[Any]) -> Any:
    ri = ensure_r()
    if isinstance(items, Mapping):
        names = [str(k) for k in items]
        vec = ri.ListSexpVector([to_r(v) for v in items.values()])
        vec.do_slot_assign("names", ri.StrSexpVector(names))
        return vec
    return ri.ListSexpVector([to_r(v) for v in items])


def _data_frame(df: pd.DataFrame) -> Any:
    ri = ensure_r()
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()].tolist()
        raise ValueError(f"data frame has duplicated column names {dup}; R needs unique names")
    cols = [_vector(df[c], str(c)) for c in df.columns]
    vec = ri.ListSexpVector(cols)
    vec.do_slot_assign("names", ri.StrSexpVector([str(c) for c in df.columns]))
    if isinstance(df.index, pd.RangeIndex) and df.index.start == 0 and df.index.step == 1:
        rn = ri.IntSexpVector([ri.NA_Integer, -len(df)])  # compact automatic row names
    else:
        if df.index.duplicated().any():
            raise ValueError(
                f"row names must be unique for R; duplicated: {df.index[df.index.duplicated()][:5].tolist()}"
            )
        rn = ri.StrSexpVector([str(i) for i in df.index])
    vec.do_slot_assign("row.names", rn)
    return _set_class(vec, ["data.frame"])


def _matrix(values: np.ndarray, rownames=None, colnames=None) -> Any:
    ri = ensure_r()
    arr = np.asarray(values)
    if arr.ndim != 2:
        raise ValueError(f"a matrix needs 2 dimensions, got shape {arr.shape}")
    flat = arr.reshape(-1, order="F")
    if arr.dtype.kind in "iu":
        vec = _vector(flat.astype(np.int64))
    elif arr.dtype.kind == "b":
        vec = _vector(flat)
    elif arr.dtype.kind in "f":
        vec = _vector(flat.astype(float))
    else:
        vec = _vector(pd.Series(flat, dtype=object))
    vec.do_slot_assign("dim", ri.IntSexpVector(list(arr.shape)))
    if rownames is not None or colnames is not None:
        dn = ri.ListSexpVector([
            ri.StrSexpVector([str(x) for x in rownames]) if rownames is not None else ri.NULL,
            ri.StrSexpVector([str(x) for x in colnames]) if colnames is not None else ri.NULL,
        ])
        vec.do_slot_assign("dimnames", dn)
    return vec


def _is_scalar(v: Any) -> bool:
    return v is None or isinstance(v, (bool, int, float, str, np.bool_, np.integer, np.floating))


def to_r(obj: Any) -> Any:
    """Convert a Python object to an R object (see the module docstring for the rules).

    Parameters
    ----------
    obj : Any
        None, scalars, sequences, ndarray, Series, DataFrame, :class:`RMatrix`, dict, or an
        rpy2 object (passed through).

    Returns
    -------
    rpy2 object
        The R value.
    """
    ri = ensure_r()
    if isinstance(obj, ri.Sexp):
        return obj
    if hasattr(obj, "__sexp__"):  # rpy2.robjects objects
        return obj.__sexp__ if isinstance(obj.__sexp__, ri.Sexp) else obj
    if obj is None:
        return ri.NULL
    if isinstance(obj, RMatrix):
        return _matrix(obj.values, obj.rownames, obj.colnames)
    if isinstance(obj, pd.DataFrame):
        return _data_frame(obj)
    if isinstance(obj, pd.Series):
        vec = _vector(obj, str(obj.name or ""))
        if not isinstance(obj.index, pd.RangeIndex):
            vec.do_slot_assign("names", ri.StrSexpVector([str(i) for i in obj.index]))
        return vec
    if isinstance(obj, pd.Categorical):
        return _vector(pd.Series(obj))
    if isinstance(obj, np.ndarray):
        if obj.ndim == 2:
            return _matrix(obj)
        if obj.ndim == 1:
            return _vector(obj)
        raise ValueError(f"cannot send a {obj.ndim}-D array to R; reshape to 1-D or 2-D")
    if isinstance(obj, Mapping):
        return _named_list(obj)
    if isinstance(obj, (bool, np.bool_)):
        return ri.BoolSexpVector([bool(obj)])
    if isinstance(obj, (int, np.integer)):
        return _vector(np.array([int(obj)], dtype=np.int64))
    if isinstance(obj, (float, np.floating)):
        return _vector(np.array([float(obj)]))
    if isinstance(obj, str):
        return ri.StrSexpVector([obj])
    if isinstance(obj, os.PathLike):
        return ri.StrSexpVector([os.fspath(obj)])
    if isinstance(obj, (list, tuple)):
        items = list(obj)
        if items and all(_is_scalar(v) for v in items) and any(v is not None for v in items):
            return _vector(pd.Series(items, dtype=object))  # [1.0, 2.0] -> c(1, 2)
        return _named_list(items)
    if obj is pd.NA:
        return ri.BoolSexpVector([ri.NA_Logical])
    raise TypeError(f"no R conversion for {type(obj).__name__}")


# --------------------------------------------------------------------------- R -> Python

def _attr(sexp: Any, name: str) -> Any:
    ri = ensure_r()
    val = sexp.do_slot(name) if name in sexp.list_attrs() else ri.NULL
    return None if val is ri.NULL else val


def _atomic(sexp: Any) -> pd.Series | np.ndarray:
    """An atomic R vector as a 1-D numpy array or pandas extension array (no names)."""
    ri = ensure_r()
    classes = list(_attr(sexp, "class") or [])
    if sexp.typeof == ri.RTYPES.INTSXP and "factor" in classes:
        levels = list(_attr(sexp, "levels") or [])
        codes = np.array([-1 if v is ri.NA_Integer else int(v) - 1 for v in sexp], dtype=np.int64)
        return pd.Categorical.from_codes(codes, categories=levels, ordered="ordered" in classes)
    if sexp.typeof == ri.RTYPES.INTSXP:
        vals = list(sexp)
        if any(v is ri.NA_Integer for v in vals):
            return pd.array([pd.NA if v is ri.NA_Integer else int(v) for v in vals], dtype="Int64")
        return np.asarray(vals, dtype=np.int64)
    if sexp.typeof == ri.RTYPES.REALSXP:
        return np.array(sexp, dtype=float)  # NA_real_ and NaN both become NaN
    if sexp.typeof == ri.RTYPES.LGLSXP:
        vals = list(sexp)
        if any(v is ri.NA_Logical for v in vals):
            return pd.array([pd.NA if v is ri.NA_Logical else bool(v) for v in vals], dtype="boolean")
        return np.asarray(vals, dtype=bool)
    if sexp.typeof == ri.RTYPES.STRSXP:
        return np.array([None if v is ri.NA_Character else str(v) for v in sexp], dtype=object)
    if sexp.typeof == ri.RTYPES.CPLXSXP:
        return np.array(list(sexp), dtype=complex)
    raise TypeError(f"unsupported R vector type {sexp.typeof}")


def _frame(sexp: Any) -> pd.DataFrame:
    ri = ensure_r()
    names = list(_attr(sexp, "names") or [])
    data = {}
    for name, col in zip(names, sexp):
        conv = to_py(col, simplify=False)
        if isinstance(conv, np.ndarray) and conv.dtype == object:
            conv = pd.array(conv, dtype="string")
        data[name] = conv
    rn = _attr(sexp, "row.names")
    nrow = 0
    if rn is not None:
        if rn.typeof == ri.RTYPES.INTSXP and len(rn) == 2 and rn[0] is ri.NA_Integer:
            nrow = abs(int(rn[1]))
            index = pd.RangeIndex(nrow)
        elif rn.typeof == ri.RTYPES.INTSXP:
            vals = [int(v) for v in rn]
            nrow = len(vals)
            index = pd.RangeIndex(nrow) if vals == list(range(1, nrow + 1)) else pd.Index([str(v) for v in vals])
        else:
            index = pd.Index([str(v) for v in rn])
            nrow = len(index)
    else:
        index = None
    return pd.DataFrame(data, index=index)


def to_py(sexp: Any, simplify: bool = True) -> Any:
    """Convert an R object to Python (see the module docstring for the rules).

    Parameters
    ----------
    sexp : rpy2 object
        An R value.
    simplify : bool, default True
        Return length-1 vectors as scalars.

    Returns
    -------
    Any
        None, scalar, ndarray, Series, DataFrame, dict (named lists) or list.
    """
    ri = ensure_r()
    if sexp is ri.NULL or sexp is None:
        return None
    classes = list(_attr(sexp, "class") or [])
    if sexp.typeof == ri.RTYPES.VECSXP:
        if "data.frame" in classes:
            return _frame(sexp)
        names = _attr(sexp, "names")
        items = [to_py(v) for v in sexp]
        if names is not None and all(n is not ri.NA_Character and str(n) != "" for n in names):
            return {str(n): v for n, v in zip(names, items)}
        return items
    if sexp.typeof in (ri.RTYPES.INTSXP, ri.RTYPES.REALSXP, ri.RTYPES.LGLSXP,
                       ri.RTYPES.STRSXP, ri.RTYPES.CPLXSXP):
        values = _atomic(sexp)
        dim = _attr(sexp, "dim")
        if dim is not None and len(dim) == 2:
            nr, nc = int(dim[0]), int(dim[1])
            arr = np.asarray(values).reshape((nr, nc), order="F")
            dn = _attr(sexp, "dimnames")
            if dn is not None:
                rn = None if dn[0] is ri.NULL else [str(x) for x in dn[0]]
                cn = None if dn[1] is ri.NULL else [str(x) for x in dn[1]]
                return pd.DataFrame(arr, index=rn, columns=cn)
            return arr
        names = _attr(sexp, "names")
        if names is not None:
            return pd.Series(values, index=[None if n is ri.NA_Character else str(n) for n in names])
        if simplify and len(values) == 1 and not isinstance(values, pd.Categorical):
            v = values[0]
            if v is pd.NA:
                return None
            return v.item() if isinstance(v, np.generic) else v
        return values
    if sexp.typeof == ri.RTYPES.NILSXP:
        return None
    return sexp  # closures, environments, S4 objects: returned as rpy2 objects


# --------------------------------------------------------------------------- calls

def _converter():
    from rpy2.robjects.conversion import Converter

    conv = Converter("pyradiogen")
    conv.py2rpy.register(object, to_r)
    conv.rpy2py.register(object, lambda x: x)
    return conv


def call_r(fun: str | Any, *args: Any, **kwargs: Any) -> RResult:
    """Call an R function with converted arguments; return value, warnings and output.

    R warnings are re-issued as :class:`RWarning`.

    Parameters
    ----------
    fun : str or rpy2 closure
        A function name (``"nlme::lme"``, ``"sum"``) or an R closure.
    *args : Any
        Positional arguments, converted by :func:`to_r`.
    **kwargs : Any
        Named arguments, converted by :func:`to_r` (names as R spells them).

    Returns
    -------
    RResult
        The converted value, R's warnings and console output.

    Raises
    ------
    RError
        If R raises an error (R's message and call kept).
    RUnavailableError
        If R or rpy2 cannot be started.
    """
    ri = ensure_r()
    from rpy2.robjects.conversion import localconverter

    if isinstance(fun, str) and _uses_r_package(fun):
        require_r_package()
    with localconverter(_converter()):
        if isinstance(fun, str):
            f = ri.baseenv["eval"](ri.parse(fun))
        else:
            f = fun
        rargs = [to_r(a) for a in args]
        names = [""] * len(rargs) + list(kwargs)
        rargs += [to_r(v) for v in kwargs.values()]
        arglist = ri.ListSexpVector(rargs)
        if rargs:
            arglist.do_slot_assign("names", ri.StrSexpVector(names))
        res = _STATE["bridge"]["call"](f, arglist)
        out = dict(zip([str(n) for n in res.do_slot("names")], res))
        output = str(out["output"][0]) if len(out["output"]) else ""
        warns = [str(w) for w in out["warnings"]]
        if output:
            log.debug("R output:\n%s", output)
        if not bool(out["ok"][0]):
            call = out["call"][0]
            raise RError(str(out["message"][0]), None if call is ri.NA_Character else str(call), output)
        for w in warns:
            warnings.warn(f"R: {w}", RWarning, stacklevel=2)
        return RResult(value=to_py(out["value"]), warnings=warns, output=output)


def rcall(fun: str | Any, *args: Any, **kwargs: Any) -> Any:
    """Call an R function and return only its converted value.

    Parameters
    ----------
    fun : str or rpy2 closure
        A function name (``"nlme::lme"``, ``"sum"``) or an R closure.
    *args : Any
        Positional arguments, converted by :func:`to_r`.
    **kwargs : Any
        Named arguments, converted by :func:`to_r` (names as R spells them).

    Returns
    -------
    Any
        The converted value (:func:`to_py`).

    Raises
    ------
    RError
        If R raises an error (R's message and call kept).
    RUnavailableError
        If R or rpy2 cannot be started.
    """
    return call_r(fun, *args, **kwargs).value


def reval(code: str) -> Any:
    """Evaluate R code in the global environment; return the converted value.

    Parameters
    ----------
    code : str
        R source.

    Returns
    -------
    Any
        The converted value of the last expression.

    Raises
    ------
    RError
        If R raises an error (R's message and call kept).
    RUnavailableError
        If R or rpy2 cannot be started.
    """
    ensure_r()
    if _uses_r_package(code):
        require_r_package()
    return call_r(_STATE["bridge"]["eval"], code).value


def rraw(code: str) -> Any:
    """Evaluate R code and return the unconverted rpy2 object (for closures, S4, models).

    Parameters
    ----------
    code : str
        R source.

    Returns
    -------
    rpy2 object
        The value as R gives it.

    Raises
    ------
    RError
        If R raises an error (R's message and call kept).
    RUnavailableError
        If R or rpy2 cannot be started.
    """
    ri = ensure_r()
    if _uses_r_package(code):
        require_r_package()
    bridge = _STATE["bridge"]
    res = bridge["call"](bridge["eval"], ri.ListSexpVector([ri.StrSexpVector([code])]))
    out = dict(zip([str(n) for n in res.do_slot("names")], res))
    if not bool(out["ok"][0]):
        call = out["call"][0]
        raise RError(str(out["message"][0]), None if call is ri.NA_Character else str(call))
    for w in out["warnings"]:
        warnings.warn(f"R: {w}", RWarning, stacklevel=2)
    return out["value"]


def assign(name: str, value: Any) -> None:
    """Assign a converted Python value to a variable in R's global environment.

    Parameters
    ----------
    name : str
        R variable name.
    value : Any
        Converted by :func:`to_r`.
    """
    ri = ensure_r()
    ri.globalenv[name] = to_r(value)


def library(*packages: str) -> None:
    """Attach R packages; a missing one raises :class:`RError` naming it and the fix.

    ``"pyradiogen"`` (the project's own R package) is first installed or updated when needed
    (:func:`require_r_package`).

    Parameters
    ----------
    *packages : str
        Package names.

    Raises
    ------
    RError
        If a package is not installed (its Debian package named).
    """
    for pkg in packages:
        if pkg == "pyradiogen":
            require_r_package()
        ok = rcall("requireNamespace", pkg, quietly=True)
        if not ok:
            raise RError(f"R package '{pkg}' is not installed; run "
                         "`sudo scripts/install-system-deps.sh`", f"library({pkg})")
        rcall("suppressPackageStartupMessages", rraw(f"quote(library({pkg}))"))


def set_seed(seed: int) -> dict[str, Any]:
    """Seed R's RNG explicitly (Mersenne-Twister, Inversion, Rejection) and record it.

    Parameters
    ----------
    seed : int
        ``set.seed`` value.

    Returns
    -------
    dict
        ``seed`` and ``kind`` (R's ``RNGkind()``), also kept for :func:`last_seed`.
    """
    reval(f'set.seed({int(seed)}L, kind = "Mersenne-Twister", normal.kind = "Inversion", '
          'sample.kind = "Rejection")')
    kinds = reval("RNGkind()")
    record = {"seed": int(seed), "kind": [str(k) for k in kinds]}
    _STATE["seed"] = record
    return record


def last_seed() -> dict[str, Any] | None:
    """The last seed given to :func:`set_seed` in this process (for run manifests).

    Returns
    -------
    dict or None
        :func:`set_seed`'s record, or None.
    """
    return _STATE["seed"]


def r_version() -> str:
    """R's version string, e.g. ``"4.2.2"``.

    Returns
    -------
    str
        ``major.minor``.
    """
    return str(reval('paste(R.version$major, R.version$minor, sep = ".")'))


def r_package_versions(packages: Sequence[str]) -> dict[str, str | None]:
    """Installed version of each R package.

    Parameters
    ----------
    packages : sequence of str
        Package names.

    Returns
    -------
    dict of str to str or None
        Version, or None for a package that is not installed.
    """
    code = ("vapply(c(" + ", ".join(_r_string(p) for p in packages) + "), function(p) "
            "tryCatch(as.character(packageVersion(p)), error = function(e) NA_character_), character(1))")
    vers = reval(code)
    vals = list(vers) if isinstance(vers, (pd.Series, np.ndarray, list)) else [vers]
    return {p: (None if v is None or pd.isna(v) else str(v)) for p, v in zip(packages, vals)}


def session_info() -> str:
    """R's ``sessionInfo()`` as printed text.

    Returns
    -------
    str
        The printed lines.
    """
    return "\n".join(str(x) for x in np.atleast_1d(reval("capture.output(print(sessionInfo()))")))
