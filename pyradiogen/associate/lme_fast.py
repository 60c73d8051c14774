"""Exact REML for ``lme(X ~ G, random = ~1 | patient)`` over many features × GFs at once.

The genomic feature G is constant within each patient, so the REML criterion of every pair
reduces to a one-dimensional profile in λ = σ_b²/σ² (Pinheiro & Bates 2000, §2.2: the
profiled REML log-likelihood of a linear mixed-effects model) that depends only on per-patient sums. Patients enter the sums only through their number of
images n_i, so with patients grouped into *size classes* (equal n_i) every sum is a short
combination of class totals precomputed by matrix products. The profile is minimised over
t = log λ by a shared grid on [-20, 10] followed by a bracketed Newton iteration with exact
first and second derivatives, and compared with the boundary λ = 0 (nlme then stops at a tiny
σ_b, whose estimates equal the λ = 0 fit to ~1e-8). Degrees of freedom follow nlme's
containment rule: a patient-level covariate gets m − 2.

Features and GFs are standardised before the sums (an exact reparametrisation that keeps the
slope's t and p and rescales its estimate and standard error), which keeps the sums well
conditioned. Arrays run on NumPy, or on torch (CUDA) when ``device="cuda"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..estimator import EstimatorMixin

T_GRID = np.linspace(-20.0, 10.0, 31)
T_UPPER = 40.0          # bracket end when the grid's best point is its upper end
NOTE_BOUNDARY = "boundary: between-patient variance estimated at 0 (nlme returns a tiny sigma_b)"
NOTE_UPPER = "boundary: within-patient variance near 0 (lambda > e^10)"
NOTE_NO_WITHIN = ("no within-patient variation: the REML optimum is at lambda -> infinity, "
                  "where nlme's fit is numerically meaningless; use one row per patient")
NOTE_NOCONV = "optimizer did not converge"
NOTE_DEGENERATE = "degenerate fit (zero residual variance)"
# reasons for NA, by code (0 = fitted)
REASONS = [None,
           "feature has missing or infinite values (nlme's na.fail); impute or drop it, or "
           "use --na-action omit (na_action='omit' in Python)",
           "feature is constant across images: nothing to fit",
           "GF has missing values for some patients (nlme's na.fail); use --na-action omit "
           "(na_action='omit' in Python) or impute",
           "GF has no variance across patients",
           "fewer than 3 patients: the GF's denominator DF (m - 2) would be < 1",
           NOTE_NO_WITHIN]
R_FEATURE_NA, R_FEATURE_CONST, R_GF_NA, R_GF_FLAT, R_FEW, R_NO_WITHIN = range(1, 7)


# --------------------------------------------------------------------------- array module


class _Xp:
    """The few array operations the solver needs, for NumPy or torch."""

    def __init__(self, device: str | None):
        self.torch = None
        self.device = device
        if device not in (None, "cpu-numpy"):
            import torch

            self.torch = torch

    def asarray(self, a: np.ndarray) -> Any:
        if self.torch is None:
            return np.asarray(a, dtype=np.float64)
        return self.torch.as_tensor(np.asarray(a, dtype=np.float64), device=self.device)

    def asbool(self, a: np.ndarray) -> Any:
        if self.torch is None:
            return np.asarray(a, dtype=bool)
        return self.torch.as_tensor(np.asarray(a, dtype=bool), device=self.device)

    def to_numpy(self, a: Any) -> np.ndarray:
        if self.torch is None:
            return np.asarray(a)
        return a.detach().cpu().numpy()

    def log(self, a: Any) -> Any:
        return np.log(a) if self.torch is None else self.torch.log(a)

    def exp(self, a: Any) -> Any:
        return np.exp(a) if self.torch is None else self.torch.exp(a)

    def where(self, c: Any, a: Any, b: Any) -> Any:
        return np.where(c, a, b) if self.torch is None else self.torch.where(c, a, b)

    def full(self, n: int, v: float) -> Any:
        if self.torch is None:
            return np.full(n, v)
        return self.torch.full((n,), v, dtype=self.torch.float64, device=self.device)

    def einsum(self, spec: str, *ops: Any) -> Any:
        return np.einsum(spec, *ops) if self.torch is None else self.torch.einsum(spec, *ops)

    def abs(self, a: Any) -> Any:
        return np.abs(a) if self.torch is None else self.torch.abs(a)

    def argmin0(self, a: Any) -> Any:
        return np.argmin(a, axis=0) if self.torch is None else self.torch.argmin(a, dim=0)

    def nonzero(self, a: Any) -> Any:
        if self.torch is None:
            return np.flatnonzero(a)
        return self.torch.nonzero(a).flatten()

    def any(self, a: Any) -> bool:
        return bool(a.any())


def resolve_device(device: str | None) -> str | None:
    """Where the fast LME engine runs: NumPy (``None``) or a torch device.

    Parameters
    ----------
    device : str or None
        ``None``/``"numpy"``/``"cpu"``: NumPy; ``"auto"``: ``"cuda"`` when torch sees a GPU,
        else NumPy; ``"torch-cpu"``: the torch code path on the CPU (for tests); ``"cuda"``.

    Returns
    -------
    str or None
        A torch device name, or ``None`` for NumPy.

    Raises
    ------
    ValueError
        For an unknown device.
    """
    if device in (None, "numpy", "cpu"):
        return None
    if device == "torch-cpu":
        return "cpu"
    if device == "auto":
        try:
            import torch

            return "cuda" if torch.cuda.is_available() else None
        except ImportError:  # pragma: no cover
            return None
    return device


# --------------------------------------------------------------------------- preparation


@dataclass
class Prepared:
    """Class sums of one block of features against every GF (pair index p = f · G + g).

    Patients are grouped into size classes (K classes of equal image counts); every REML
    quantity of a pair is a combination of these sums.

    Parameters
    ----------
    n_class : ndarray, shape (K,)
        Images per patient in each size class.
    m_kg : array, shape (K, P)
        Patients of class k in the pair's data.
    sx, sxx : array, shape (K, P)
        Class sums of the GF and of its square.
    sy, syy : array, shape (K, P)
        Class sums of the patient means of the feature and of their squares.
    sxy : array, shape (K, P)
        Class sums of GF × patient mean.
    ssw : array, shape (P,)
        Within-patient sum of squares of the feature.
    n_obs, n_pat : ndarray, shape (P,)
        Images N and patients m of each pair.
    reason : ndarray of int8, shape (P,)
        Code into ``REASONS`` (0: fit).
    scale : ndarray, shape (P,)
        sd(y) / sd(x): back-transform of the slope (the sums are of standardised values).
    yvar : ndarray, shape (P,)
        var(y): back-transform of σ².
    extra : dict
        Engine-specific arrays.
    """

    n_class: np.ndarray            # (K,) images per patient in each size class
    m_kg: Any                      # (K, P) patients of class k in the pair's data
    sx: Any                        # (K, P) class sums of x
    sxx: Any                       # (K, P)
    sy: Any                        # (K, P) class sums of patient means of y
    syy: Any                       # (K, P)
    sxy: Any                       # (K, P)
    ssw: Any                       # (P,) within-patient sum of squares
    n_obs: np.ndarray              # (P,) N of the pair
    n_pat: np.ndarray              # (P,) m of the pair
    reason: np.ndarray             # (P,) int8 code into REASONS (0: fit)
    scale: np.ndarray              # (P,) sd(y) / sd(x): back-transform of the slope
    yvar: np.ndarray               # (P,) var(y): back-transform of sigma²
    extra: dict[str, Any] = field(default_factory=dict)


def _patient_codes(patient: np.ndarray, n_pat: int) -> np.ndarray:
    codes = np.asarray(patient)
    if codes.dtype.kind not in "iu":
        raise TypeError("patient must hold integer codes 0..m-1 (use pandas.factorize)")
    if codes.size and (codes.min() < 0 or codes.max() >= n_pat):
        raise ValueError(f"patient codes must lie in 0..{n_pat - 1} (one per GF row)")
    return codes


def prepare(Y: np.ndarray, patient: np.ndarray, X: np.ndarray, xp: _Xp,
            na_action: str = "fail") -> Prepared:
    """Per-class sufficient statistics of features ``Y`` against GFs ``X``.

    Patients without images are ignored. With ``na_action="omit"`` a GF's missing patients
    are left out of that GF's fits (as ``na.action = na.omit``); with ``"fail"`` such GFs give
    NA (as nlme's default ``na.fail``).

    Parameters
    ----------
    Y : ndarray, shape (N, F)
        Image-level features.
    patient : ndarray of int, shape (N,)
        Row of ``X`` of each image (codes 0 … m − 1).
    X : ndarray, shape (m, G)
        Patient-level GFs.
    xp : _Xp
        The array namespace (NumPy, or torch on a device).
    na_action : {"fail", "omit"}, default "fail"
        Missing-value policy.

    Returns
    -------
    Prepared
        The class sums of every pair.

    Raises
    ------
    ValueError
        If ``Y`` or ``X`` is not 2-D, or the patient codes do not fit ``X``.
    TypeError
        If ``patient`` is not integer codes.
    """
    Y = np.asarray(Y, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    if Y.ndim != 2 or X.ndim != 2:
        raise ValueError("Y must be images × features and X patients × GFs (2-D)")
    n_img, n_feat = Y.shape
    m_all, n_gf = X.shape
    codes = _patient_codes(patient, m_all)
    if codes.shape[0] != n_img:
        raise ValueError(f"patient has {codes.shape[0]} entries but Y has {n_img} rows")
    n_i = np.bincount(codes, minlength=m_all).astype(np.float64)
    has_img = n_i > 0

    # ---- feature checks and standardisation
    f_reason = np.zeros(n_feat, dtype=np.int8)
    y_na = ~np.isfinite(Y).all(axis=0)
    f_reason[y_na] = R_FEATURE_NA
    Yc = np.where(np.isfinite(Y), Y, 0.0)
    mu = Yc.mean(axis=0)
    Yc = Yc - mu
    sd = np.sqrt((Yc ** 2).mean(axis=0))
    scale_y = np.abs(mu) + sd
    const = (sd <= 1e-12 * np.maximum(scale_y, 1e-300)) & ~y_na
    f_reason[const] = R_FEATURE_CONST
    sd_safe = np.where(sd > 0, sd, 1.0)
    Yc = Yc / sd_safe
    # patient means and within-patient sums of squares
    Z = np.zeros((m_all, n_img))
    Z[codes, np.arange(n_img)] = 1.0                            # patient indicator
    n_safe = np.where(has_img, n_i, 1.0)
    ybar = (Z @ Yc) / n_safe[:, None]                           # (m, F)
    resid = Yc - ybar[codes]
    ssw_pat = Z @ (resid * resid)

    # ---- GF mask, checks and standardisation
    M = np.isfinite(X) & has_img[:, None]                       # (m, G)
    g_reason = np.zeros(n_gf, dtype=np.int8)
    gf_na = (~np.isfinite(X) & has_img[:, None]).any(axis=0)
    if na_action == "fail":
        g_reason[gf_na] = R_GF_NA
    elif na_action != "omit":
        raise ValueError(f"na_action must be 'fail' or 'omit', got {na_action!r}")
    Mf = M.astype(np.float64)
    m_g = Mf.sum(axis=0)
    Xz = np.where(M, X, 0.0)
    xmu = Xz.sum(axis=0) / np.maximum(m_g, 1)
    Xz = np.where(M, X - xmu, 0.0)
    xsd = np.sqrt((Xz ** 2).sum(axis=0) / np.maximum(m_g, 1))
    xscale = np.abs(xmu) + xsd
    no_var = xsd <= 1e-12 * np.maximum(xscale, 1e-300)
    g_reason[no_var & (g_reason == 0)] = R_GF_FLAT
    Xz = Xz / np.where(xsd > 0, xsd, 1.0)
    N_g = n_i @ Mf                                              # (G,)
    g_reason[(m_g < 3) & (g_reason == 0)] = R_FEW

    # ---- size classes
    cls_n = np.unique(n_i[has_img])
    K = cls_n.size
    P = n_feat * n_gf
    mk, sx, sxx = (np.empty((K, n_gf)) for _ in range(3))
    sy, syy, sxy = (np.empty((K, n_feat, n_gf)) for _ in range(3))
    for k, nk in enumerate(cls_n):
        idx = np.flatnonzero(n_i == nk)
        Mk = Mf[idx]
        Xk = Xz[idx]
        yk = ybar[idx]                                          # (mk, F)
        mk[k] = Mk.sum(axis=0)
        sx[k] = Xk.sum(axis=0)
        sxx[k] = (Xk ** 2).sum(axis=0)
        sy[k] = yk.T @ Mk
        syy[k] = (yk ** 2).T @ Mk
        sxy[k] = yk.T @ Xk
    ssw = ssw_pat.T @ Mf                                        # (F, G)
    no_within = ((ssw <= 1e-20 * N_g[None, :]) & ~const[:, None] & ~y_na[:, None]
                 & (N_g > m_g)[None, :])

    reason = np.where(f_reason[:, None] > 0, f_reason[:, None], g_reason[None, :])
    reason[no_within & (reason == 0)] = R_NO_WITHIN
    scale = (sd_safe[:, None] / np.where(xsd > 0, xsd, 1.0)[None, :]).reshape(P)

    trivial = bool(M[has_img].all())
    compact = {"mk": xp.asarray(mk), "sx": xp.asarray(sx), "sxx": xp.asarray(sxx),
               "N": xp.asarray(N_g), "shape": (n_feat, n_gf),
               "sy": xp.asarray(sy[:, :, 0]) if trivial and n_gf else None,
               "syy": xp.asarray(syy[:, :, 0]) if trivial and n_gf else None,
               "ssw": xp.asarray(ssw[:, 0]) if trivial and n_gf else None}

    def pairs_kg(a: np.ndarray) -> Any:  # (K, G) -> (K, P)
        return xp.asarray(np.broadcast_to(a[:, None, :], (K, n_feat, n_gf)).reshape(K, P))

    return Prepared(
        n_class=cls_n, m_kg=pairs_kg(mk), sx=pairs_kg(sx), sxx=pairs_kg(sxx),
        sy=xp.asarray(sy.reshape(K, P)), syy=xp.asarray(syy.reshape(K, P)),
        sxy=xp.asarray(sxy.reshape(K, P)), ssw=xp.asarray(ssw.reshape(P)),
        n_obs=np.broadcast_to(N_g, (n_feat, n_gf)).reshape(P).copy(),
        n_pat=np.broadcast_to(m_g, (n_feat, n_gf)).reshape(P).copy(),
        reason=reason.reshape(P), scale=scale,
        yvar=np.broadcast_to((sd_safe ** 2)[:, None], (n_feat, n_gf)).reshape(P).copy(),
        extra=compact,
    )


# --------------------------------------------------------------------------- profile


def _profile(pr: Prepared, lam: Any, idx: Any, order: int, xp: _Xp) -> dict[str, Any]:
    """−2·ℓ_R (up to a constant) of pairs ``idx`` at λ, with t-derivatives up to ``order``.

    ``lam`` is a scalar shared by all pairs (grid) or one value per selected pair.
    """
    nk = xp.asarray(pr.n_class)[:, None]                         # (K, 1)
    sel = (lambda a: a) if idx is None else (lambda a: a[:, idx])
    m_kg, sx, sxx = sel(pr.m_kg), sel(pr.sx), sel(pr.sxx)
    sy, syy, sxy = sel(pr.sy), sel(pr.syy), sel(pr.sxy)
    ssw = pr.ssw if idx is None else pr.ssw[idx]
    nobs = xp.asarray(pr.n_obs if idx is None else pr.n_obs[xp.to_numpy(idx)])
    w = nk / (1.0 + nk * lam)                                   # (K, P) or (K, 1)

    def s(arr: Any, wt: Any) -> Any:
        if wt.shape[1] == 1:                                    # one λ for all pairs
            return wt[:, 0] @ arr
        return xp.einsum("kp,kp->p", wt, arr)

    a0, a1, a2 = s(m_kg, w), s(sx, w), s(sxx, w)
    b0, b1, c = s(sy, w), s(sxy, w), s(syy, w)
    L = s(m_kg, xp.log(1.0 + nk * lam) + 0.0 * w)
    D = a0 * a2 - a1 * a1
    P_ = a2 * b0 * b0 - 2.0 * a1 * b0 * b1 + a0 * b1 * b1
    R = ssw + c - P_ / D
    dfr = nobs - 2.0
    out = {"f": dfr * xp.log(R) + L + xp.log(D), "a0": a0, "a1": a1, "D": D, "b0": b0, "b1": b1,
           "R": R}
    if order == 0:
        return out
    w2, w3 = w * w, w * w * w
    # d/dλ of each weighted sum: -Σ w² S ; second derivative: 2 Σ w³ S
    a0d, a1d, a2d = -s(m_kg, w2), -s(sx, w2), -s(sxx, w2)
    b0d, b1d, cd = -s(sy, w2), -s(sxy, w2), -s(syy, w2)
    a0dd, a1dd, a2dd = 2 * s(m_kg, w3), 2 * s(sx, w3), 2 * s(sxx, w3)
    b0dd, b1dd, cdd = 2 * s(sy, w3), 2 * s(sxy, w3), 2 * s(syy, w3)
    Ld, Ldd = s(m_kg, w), -s(m_kg, w2)
    Dd = a0d * a2 + a0 * a2d - 2 * a1 * a1d
    Ddd = a0dd * a2 + 2 * a0d * a2d + a0 * a2dd - 2 * a1d * a1d - 2 * a1 * a1dd
    Pd = (a2d * b0 * b0 + 2 * a2 * b0 * b0d
          - 2 * (a1d * b0 * b1 + a1 * b0d * b1 + a1 * b0 * b1d)
          + a0d * b1 * b1 + 2 * a0 * b1 * b1d)
    Pdd = (a2dd * b0 * b0 + 4 * a2d * b0 * b0d + 2 * a2 * b0d * b0d + 2 * a2 * b0 * b0dd
           - 2 * (a1dd * b0 * b1 + a1 * b0dd * b1 + a1 * b0 * b1dd
                  + 2 * a1d * b0d * b1 + 2 * a1d * b0 * b1d + 2 * a1 * b0d * b1d)
           + a0dd * b1 * b1 + 4 * a0d * b1 * b1d + 2 * a0 * b1d * b1d + 2 * a0 * b1 * b1dd)
    Rd = cd - Pd / D + P_ * Dd / (D * D)
    Rdd = (cdd - Pdd / D + 2 * Pd * Dd / (D * D) + P_ * Ddd / (D * D)
           - 2 * P_ * Dd * Dd / (D * D * D))
    fd = dfr * Rd / R + Ld + Dd / D
    fdd = dfr * (Rdd / R - (Rd / R) ** 2) + Ldd + Ddd / D - (Dd / D) ** 2
    out["g"] = lam * fd                                          # d f / d t
    out["h"] = lam * fd + lam * lam * fdd                        # d² f / d t²
    return out


def _grid(pr: Prepared, lam: float, xp: _Xp) -> Any:
    """−2·ℓ_R (up to a constant) of every pair at one shared λ, from the compact sums."""
    c = pr.extra
    n_feat, n_gf = c["shape"]
    nk = pr.n_class
    w = xp.asarray(nk / (1.0 + nk * lam))
    logw = xp.asarray(np.log1p(nk * lam))
    a0, a1, a2 = w @ c["mk"], w @ c["sx"], w @ c["sxx"]            # (G,)
    L = logw @ c["mk"]
    if c["sy"] is not None:
        b0 = (w @ c["sy"])[:, None]                                  # (F, 1)
        cc = (w @ c["syy"])[:, None]
        ssw = c["ssw"][:, None]
    else:
        b0 = (w @ pr.sy).reshape(n_feat, n_gf)
        cc = (w @ pr.syy).reshape(n_feat, n_gf)
        ssw = pr.ssw.reshape(n_feat, n_gf)
    b1 = (w @ pr.sxy).reshape(n_feat, n_gf)
    D = a0 * a2 - a1 * a1
    P_ = a2 * b0 * b0 - 2.0 * a1 * b0 * b1 + a0 * b1 * b1
    R = ssw + cc - P_ / D
    f = (c["N"] - 2.0) * xp.log(R) + L + xp.log(D)
    return f.reshape(n_feat * n_gf)


def _subset(pr: Prepared, keep: np.ndarray, xp: _Xp) -> Prepared:
    """The pairs ``keep`` of ``pr`` (gathered once, so later passes need no indexing)."""
    kt = keep if xp.torch is None else xp.torch.as_tensor(keep, device=xp.device)
    return Prepared(
        n_class=pr.n_class, m_kg=pr.m_kg[:, kt], sx=pr.sx[:, kt], sxx=pr.sxx[:, kt],
        sy=pr.sy[:, kt], syy=pr.syy[:, kt], sxy=pr.sxy[:, kt], ssw=pr.ssw[kt],
        n_obs=pr.n_obs[keep], n_pat=pr.n_pat[keep], reason=pr.reason[keep],
        scale=pr.scale[keep], yvar=pr.yvar[keep])


def _optimise(pr: Prepared, idx: Any, xp: _Xp, tol: float, max_iter: int,
              grid: tuple[Any, Any] | None = None) -> tuple[Any, Any, Any]:
    """λ̂ for pairs ``idx``: grid, boundary λ = 0, then bracketed Newton in t = log λ.

    Returns (λ̂, boundary flag, converged flag) for the selected pairs.
    """
    n = int(pr.ssw.shape[0] if idx is None else idx.shape[0])
    if grid is None:
        fgrid = [_profile(pr, float(np.exp(t)), idx, 0, xp)["f"] for t in T_GRID]
        F = np.stack(fgrid) if xp.torch is None else xp.torch.stack(fgrid)
        f0 = _profile(pr, 0.0, idx, 0, xp)["f"]
    else:
        F, f0 = grid
    F = xp.where(F == F, F, xp.asarray(np.array(np.inf)))        # NaN → +inf
    j = xp.argmin0(F)
    jn = xp.to_numpy(j)
    t = xp.asarray(T_GRID[jn])
    lo = xp.asarray(T_GRID[np.maximum(jn - 1, 0)])
    hi = xp.asarray(T_GRID[np.minimum(jn + 1, T_GRID.size - 1)])
    # start from the vertex of the parabola through the three grid points
    inner = (jn > 0) & (jn < T_GRID.size - 1)
    Fn = xp.to_numpy(F)
    col = np.arange(n)
    fl = Fn[np.maximum(jn - 1, 0), col]
    fm = Fn[jn, col]
    fh = Fn[np.minimum(jn + 1, T_GRID.size - 1), col]
    curv = fl - 2 * fm + fh
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(inner & (curv > 0), 0.5 * (fl - fh) / curv, 0.0)
    step_g = T_GRID[1] - T_GRID[0]
    t = t + xp.asarray(np.clip(shift, -0.5, 0.5) * step_g)
    upper = jn == T_GRID.size - 1
    hi = xp.where(xp.asbool(upper), xp.asarray(np.array(T_UPPER)), hi)
    refine = inner | upper
    active = xp.asbool(refine)
    conv = xp.asbool(~refine)
    for _ in range(max_iter):
        act = xp.nonzero(active)
        if act.shape[0] == 0:
            break
        ta = t[act]
        res = _profile(pr, xp.exp(ta), act if idx is None else idx[act], 1, xp)
        g, h = res["g"], res["h"]
        lo_a, hi_a = lo[act], hi[act]
        # keep the bracket on the side of the minimum
        lo_a = xp.where(g < 0, ta, lo_a)
        hi_a = xp.where(g > 0, ta, hi_a)
        newton = ta - g / xp.where(h > 0, h, xp.asarray(np.array(1.0)))
        ok = (h > 0) & (newton > lo_a) & (newton < hi_a) & (newton == newton)
        tn = xp.where(ok, newton, 0.5 * (lo_a + hi_a))
        done = (xp.abs(tn - ta) < tol) | (hi_a - lo_a < tol)
        t[act] = tn
        lo[act] = lo_a
        hi[act] = hi_a
        conv[act] = done
        active[act] = ~done
    lam = xp.exp(t)
    f_hat = _profile(pr, lam, idx, 0, xp)["f"]
    boundary = (jn == 0) | xp.to_numpy(f0 <= f_hat)
    lam = xp.where(xp.asbool(boundary), xp.asarray(np.array(0.0)), lam)
    return lam, boundary, xp.to_numpy(conv)


def fit_arrays(Y: np.ndarray, patient: np.ndarray, X: np.ndarray, na_action: str = "fail",
               device: str | None = None, tol: float = 1e-10, max_iter: int = 60,
               lam: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Fit every feature (column of ``Y``) against every GF (column of ``X``) by exact REML.

    Parameters
    ----------
    Y : ndarray, shape (N, F)
        Image-level features.
    patient : ndarray of int, shape (N,)
        Row of ``X`` of each image (``pandas.factorize`` codes).
    X : ndarray, shape (m, G)
        Patient-level GFs.
    na_action : {"fail", "omit"}, default "fail"
        As :class:`FastLME`.
    device : str or None, default None
        As :func:`resolve_device`.
    tol : float, default 1e-10
        Newton tolerance on log λ.
    max_iter : int, default 60
        Newton iterations.
    lam : ndarray or None, shape (F, G), default None
        Evaluate the fits at this λ instead of the REML optimum (for parity checks).

    Returns
    -------
    dict of str to ndarray
        Arrays of shape (F, G): ``estimate``, ``std_error``, ``df``, ``t``, ``p``,
        ``lambda`` (σ_b²/σ²), ``sigma2``, ``loglik`` (REML, as nlme's ``logLik``) and
        ``note`` (object: NA reason, boundary note or None).

    References
    ----------
    .. [1] Pinheiro JC, Bates DM. *Mixed-Effects Models in S and S-PLUS*. Springer (2000).
    .. [2] R package nlme 3.1-162, ``lme``.
    """
    xp = _Xp(resolve_device(device))
    Y = np.asarray(Y, dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    n_feat, n_gf = Y.shape[1], X.shape[1]
    lam_given = lam is not None
    pr = prepare(Y, patient, X, xp, na_action=na_action)
    P = n_feat * n_gf
    ok = pr.reason == 0
    est, se, lam_out, sig2, loglik = (np.full(P, np.nan) for _ in range(5))
    note = np.array(REASONS, dtype=object)[pr.reason]
    if ok.any():
        okn = np.flatnonzero(ok)
        po = _subset(pr, okn, xp)
        idx = None
        n_ok = okn.size
        if lam is not None:
            fixed = np.asarray(lam, dtype=np.float64).reshape(P)[okn]
            boundary = fixed <= 0
            lam = xp.asarray(fixed)
            conv = np.ones(n_ok, bool)
        elif po.n_class.size == 1 and po.n_class[0] == 1:
            # one image per patient: the likelihood is flat in λ and every λ gives the OLS fit
            lam = xp.asarray(np.zeros(n_ok))
            boundary = np.zeros(n_ok, bool)
            conv = np.ones(n_ok, bool)
        else:
            kt = okn if xp.torch is None else xp.torch.as_tensor(okn, device=xp.device)
            with np.errstate(divide="ignore", invalid="ignore"):
                fg = [_grid(pr, float(np.exp(t)), xp)[kt] for t in T_GRID]
                F = np.stack(fg) if xp.torch is None else xp.torch.stack(fg)
                grid = (F, _grid(pr, 0.0, xp)[kt])
            lam, boundary, conv = _optimise(po, idx, xp, tol, max_iter, grid)
        res = _profile(po, lam, idx, 0, xp)
        a0, a1, D, b0, b1, R = (xp.to_numpy(res[k]) for k in ("a0", "a1", "D", "b0", "b1", "R"))
        dfr = po.n_obs - 2.0
        s2 = R / dfr
        slope = (a0 * b1 - a1 * b0) / D
        var = s2 * a0 / D
        est[okn] = slope * po.scale
        se[okn] = np.sqrt(var) * po.scale
        lam_out[okn] = xp.to_numpy(lam)
        sig2[okn] = s2 * po.yvar
        log_sy = 0.5 * np.log(po.yvar)
        loglik[okn] = (-0.5 * (xp.to_numpy(res["f"]) + dfr * (1 + np.log(2 * np.pi) - np.log(dfr)))
                       - dfr * log_sy - (log_sy - np.log(po.scale)))
        lam_n = xp.to_numpy(lam)
        note[okn[~np.asarray(conv, bool)]] = NOTE_NOCONV
        note[okn[np.asarray(boundary, bool)]] = NOTE_BOUNDARY
        note[okn[lam_n >= np.exp(T_GRID[-1]) * (1 - 1e-12)]] = NOTE_UPPER
        bad = ~np.isfinite(se[okn]) | (se[okn] <= 0)
        if bad.any():
            sel = okn[bad]
            est[sel] = np.nan
            se[sel] = np.nan
            note[sel] = NOTE_DEGENERATE
    df = (pr.n_pat - 2.0).astype(np.float64)
    if na_action == "omit" and not lam_given:
        # features with missing values: refit each on its complete images (as na.omit)
        codes = np.asarray(patient)
        for j in np.flatnonzero(~np.isfinite(Y).all(axis=0)):
            rows = np.isfinite(Y[:, j])
            if rows.sum() < 3:
                continue
            sub = fit_arrays(Y[rows, j:j + 1], codes[rows], X, na_action, device, tol, max_iter)
            sl = slice(j * n_gf, (j + 1) * n_gf)
            est[sl], se[sl] = sub["estimate"][0], sub["std_error"][0]
            lam_out[sl], sig2[sl] = sub["lambda"][0], sub["sigma2"][0]
            loglik[sl], note[sl], df[sl] = sub["loglik"][0], sub["note"][0], sub["df"][0]
    df = np.where(np.isfinite(est), df, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        tval = est / se
    p = 2.0 * stats.t.sf(np.abs(tval), df)
    shape = (n_feat, n_gf)
    return {"estimate": est.reshape(shape), "std_error": se.reshape(shape),
            "df": df.reshape(shape), "t": tval.reshape(shape), "p": p.reshape(shape),
            "lambda": lam_out.reshape(shape), "sigma2": sig2.reshape(shape),
            "loglik": loglik.reshape(shape),
            "note": note.reshape(shape)}


def tidy(res: dict[str, np.ndarray], features: list[str], gfs: list[str]) -> pd.DataFrame:
    """Long table of :func:`fit_arrays` results, one row per feature × GF pair.

    Parameters
    ----------
    res : dict of str to ndarray
        Output of :func:`fit_arrays`, arrays of shape (F, G).
    features : list of str
        The F feature names.
    gfs : list of str
        The G GF names.

    Returns
    -------
    DataFrame, shape (F·G, 8)
        ``feature, gf, estimate, std_error, df, t, p_value, note`` (features outer, GFs
        inner; the array ``p`` becomes ``p_value``).
    """
    n_feat, n_gf = len(features), len(gfs)
    return pd.DataFrame({
        "feature": np.repeat(np.asarray(features, dtype=object), n_gf),
        "gf": np.tile(np.asarray(gfs, dtype=object), n_feat),
        **{("p_value" if k == "p" else k): res[k].reshape(-1)
           for k in ("estimate", "std_error", "df", "t", "p")},
        "note": res["note"].reshape(-1),
    })


class FastLME(EstimatorMixin):
    """Exact REML random-intercept fits of every feature against every patient-level GF.

    For each feature ``y`` (image level) and genomic feature ``g`` (patient level) fits
    ``y ~ g + (1 | patient)`` by restricted maximum likelihood, exactly as
    ``nlme::lme(y ~ g, random = ~ 1 | patient, method = "REML")`` (nlme 3.1), vectorised over
    all F × G pairs with a Newton search on log λ (λ = σ²_patient / σ²). The slope's t-test
    uses nlme's between-group degrees of freedom.

    Parameters
    ----------
    na_action : {"fail", "omit"}, default "fail"
        ``"fail"`` refuses missing values as nlme's default ``na.fail`` does; ``"omit"`` drops
        the images (or patients) with a missing value pair by pair, as ``na.omit``.
    device : {None, "numpy", "cuda", "auto"}, default None
        Where the batched linear algebra runs (``None``/``"numpy"``: NumPy on the CPU;
        ``"auto"``: CUDA through torch when present).
    tol : float, default 1e-10
        Newton convergence tolerance on log λ.
    max_iter : int, default 60
        Newton iterations per pair before the pair is marked not converged in ``note``.

    Attributes
    ----------
    arrays_ : dict of str to ndarray
        Arrays of shape (F, G): ``estimate``, ``std_error``, ``df``, ``t``, ``p``,
        ``lambda``, ``sigma2``, ``loglik`` and ``note`` (empty string when fitted).
    results_ : DataFrame
        The same in long form, F·G rows: ``feature, gf, estimate, std_error, df, t, p_value,
        note`` (see :func:`tidy`).

    References
    ----------
    .. [1] Pinheiro JC, Bates DM. *Mixed-Effects Models in S and S-PLUS*. Springer (2000),
       ch. 2 (REML for linear mixed-effects models).
    .. [2] R package nlme 3.1-162, ``lme``.
    .. [3] Liu Q, Hu P. Radiogenomic association of deep MR imaging features with genomic
       profiles and clinical characteristics in breast cancer. *Biomark Res* 11, 9 (2023).
    """

    def __init__(self, na_action: str = "fail", device: str | None = None, tol: float = 1e-10,
                 max_iter: int = 60):
        self.na_action = na_action
        self.device = device
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, features: pd.DataFrame, patient: pd.Series | np.ndarray,
            gfs: pd.DataFrame) -> FastLME:
        """Fit every feature × GF pair.

        Parameters
        ----------
        features : DataFrame, shape (n_images, F)
            Image-level features, one column per feature (numeric; names become ``feature``).
        patient : Series or ndarray, shape (n_images,)
            The patient ID of each image (the random-intercept grouping).
        gfs : DataFrame, shape (n_patients, G)
            Patient-level genomic features indexed by patient ID.

        Returns
        -------
        FastLME
            The fitted estimator (``results_``, ``arrays_``).

        Raises
        ------
        ValueError
            If an image's patient has no row in ``gfs`` (the patients are named). Missing
            values do not raise: with ``na_action="fail"`` the pairs they touch get no
            p-value and a ``note``, as nlme refuses them.
        """
        pid = np.asarray(patient).astype(str)
        index = {str(p): i for i, p in enumerate(gfs.index)}
        missing = sorted(set(pid) - set(index))
        if missing:
            raise ValueError(f"patients {missing[:5]} have images but no GF row; "
                             "drop their images or add them to the GF table")
        codes = np.array([index[p] for p in pid], dtype=np.int64)
        self.arrays_ = fit_arrays(features.to_numpy(dtype=float), codes,
                                  gfs.to_numpy(dtype=float), self.na_action,
                                  self.device, self.tol, self.max_iter)
        self.results_ = tidy(self.arrays_, [str(c) for c in features.columns],
                             [str(c) for c in gfs.columns])
        return self
