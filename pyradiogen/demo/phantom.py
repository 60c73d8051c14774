"""A 2-D DCE breast-MRI phantom whose lesion follows the latent factors.

2-D DCE breast-MRI phantom: breast outline, chest wall, fibroglandular texture and an
enhancing lesion whose size, shape, margin, kinetics and heterogeneity follow the latent
biology (see :data:`IMAGE_LINKS`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter

#: how each lesion property depends on the latent factors: property = base * exp(sum w*z)
#: (or a logistic for the bounded ones); the weights are the planted image links.
IMAGE_LINKS: dict[str, dict[str, float]] = {
    "radius_mm": {"size": 0.35, "prolif": 0.08},
    "irregularity": {"prolif": 0.8, "er": -0.6},
    "margin_blur_mm": {"er": -0.35, "immune": 0.3},
    "peak_enhancement": {"her2": 0.25, "prolif": 0.2},
    "washout_per_s": {"prolif": 0.5, "her2": 0.25},
    "heterogeneity": {"prolif": 0.9, "immune": 0.6},
}


def _lin(z: dict[str, float], prop: str) -> float:
    return sum(w * z[f] for f, w in IMAGE_LINKS[prop].items())


def _sigmoid(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x)))


@dataclass
class Lesion:
    """Physical lesion properties of one patient (the planted image phenotype).

    Parameters
    ----------
    radius_mm : float
        Mean radius, in mm.
    irregularity : float
        Boundary irregularity (harmonic amplitude, relative).
    margin_blur_mm : float
        Margin blur, in mm.
    peak_enhancement : float
        Peak relative enhancement.
    washout_per_s : float
        Washout rate, per second.
    heterogeneity : float
        Internal texture strength.
    uptake_s : float
        Uptake time constant, in seconds.
    harmonics : ndarray, shape (k, 3)
        (order, amplitude, phase) rows of the boundary shape.
    side : int
        0 right breast (image left), 1 left breast.
    offset : tuple of float
        Position offset in the breast.
    """

    radius_mm: float
    irregularity: float
    margin_blur_mm: float
    peak_enhancement: float
    washout_per_s: float
    heterogeneity: float
    uptake_s: float
    harmonics: np.ndarray   # (k, amplitude, phase) rows of the boundary shape
    side: int               # 0 right breast (image left), 1 left breast
    offset: tuple[float, float]


def lesion_from_latent(z: dict[str, float], rng: np.random.Generator) -> Lesion:
    """Draw the lesion properties of one patient from its latent factors.

    Parameters
    ----------
    z : dict of str to float
        Latent factor values (``prolif``, ``er``, ``her2``, ``immune``, ``size``).
    rng : numpy.random.Generator
        Random stream.

    Returns
    -------
    Lesion
        The planted image phenotype.
    """
    e = rng.normal(0, 1, 6)
    irr = 0.35 * _sigmoid(_lin(z, "irregularity") - 0.5 + 0.4 * e[1])
    ks = np.arange(2, 9)
    amp = rng.random(len(ks)) / ks ** 0.6
    amp *= irr / max(amp.sum(), 1e-9) * 1.4
    return Lesion(
        radius_mm=float(np.clip(9.5 * np.exp(_lin(z, "radius_mm") + 0.12 * e[0]), 3.0, 40.0)),
        irregularity=irr,
        margin_blur_mm=float(0.7 * np.exp(_lin(z, "margin_blur_mm") + 0.15 * e[2])),
        peak_enhancement=float(1.3 * np.exp(_lin(z, "peak_enhancement") + 0.1 * e[3])),
        washout_per_s=float(0.003 * np.exp(_lin(z, "washout_per_s") + 0.15 * e[4])),
        heterogeneity=0.35 * _sigmoid(_lin(z, "heterogeneity") - 0.3 + 0.3 * e[5]),
        uptake_s=float(50.0 * np.exp(-0.2 * z["her2"] - 0.15 * z["prolif"])),
        harmonics=np.column_stack([ks, amp, rng.uniform(0, 2 * np.pi, len(ks))]),
        side=int(rng.integers(2)),
        offset=(float(rng.uniform(-0.35, 0.35)), float(rng.uniform(-0.15, 0.25))),
    )


def kinetic_curve(t: np.ndarray | float, lesion: Lesion) -> np.ndarray:
    """Relative enhancement of the lesion at a time after contrast injection.

    Parameters
    ----------
    t : ndarray or float
        Seconds after injection.
    lesion : Lesion
        The patient's lesion.

    Returns
    -------
    ndarray
        ``(1 − exp(−t / uptake)) · exp(−washout · t)``.
    """
    t = np.maximum(np.asarray(t, dtype=float), 0.0)
    return (1 - np.exp(-t / lesion.uptake_s)) * np.exp(-lesion.washout_per_s * t)


def _boundary(theta: np.ndarray, radius_px: float, harmonics: np.ndarray) -> np.ndarray:
    r = np.ones_like(theta)
    for k, a, ph in harmonics:
        r = r + a * np.cos(k * theta + ph)
    return radius_px * r


@dataclass
class SliceGeometry:
    """Anatomy shared by every phase of one slice position.

    Parameters
    ----------
    size : int
        Matrix side, in pixels.
    spacing : float
        Pixel spacing, in mm.
    body : ndarray of int
        Tissue class map: 0 air, 1 fat, 2 fibroglandular, 3 muscle, 4 torso.
    base : ndarray of float32
        Pre-contrast signal of the normal tissue.
    bpe : ndarray of float32
        Background parenchymal enhancement of the normal tissue.
    bbox : tuple of int
        ``y0, y1, x0, x1`` of the lesion's neighbourhood.
    lesion_w : ndarray
        Soft lesion membership in [0, 1] inside ``bbox``.
    lesion_tex : ndarray
        Lesion heterogeneity field, ~N(0, 1), inside ``bbox``.
    centre_px : tuple of float
        Lesion centre, in pixels.
    radius_px : float
        Lesion radius on this slice, in pixels.
    """

    size: int
    spacing: float
    body: np.ndarray       # tissue class map: 0 air, 1 fat, 2 fibroglandular, 3 muscle, 4 torso
    base: np.ndarray       # pre-contrast signal of the normal tissue (float32)
    bpe: np.ndarray        # background enhancement of the normal tissue (float32)
    bbox: tuple[int, int, int, int]  # y0, y1, x0, x1 of the lesion's neighbourhood
    lesion_w: np.ndarray   # soft lesion membership in [0, 1] inside bbox
    lesion_tex: np.ndarray  # lesion heterogeneity field, ~N(0, 1), inside bbox
    centre_px: tuple[float, float]
    radius_px: float


def _smooth_noise(rng: np.random.Generator, n: int, sigma: float) -> np.ndarray:
    f = gaussian_filter(rng.standard_normal((n, n), dtype=np.float32), sigma, mode="wrap")
    return f / max(float(f.std()), 1e-6)


def slice_geometry(lesion: Lesion, size: int, spacing: float, dz_mm: float,
                   rng: np.random.Generator) -> SliceGeometry:
    """Anatomy and lesion footprint of the slice ``dz_mm`` from the lesion centre.

    Parameters
    ----------
    lesion : Lesion
        The patient's lesion.
    size : int
        Matrix side, in pixels.
    spacing : float
        Pixel spacing, in mm.
    dz_mm : float
        Distance of the slice from the lesion centre, in mm.
    rng : numpy.random.Generator
        Random stream.

    Returns
    -------
    SliceGeometry
        The slice's anatomy.
    """
    n = size
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32) / n
    cx = (0.28, 0.72)
    breast = np.zeros((n, n), dtype=bool)
    for c in cx:
        breast |= ((xx - c) / 0.21) ** 2 + ((yy - 0.50) / 0.30) ** 2 <= 1
    breast &= yy < 0.55
    torso = (((xx - 0.5) / 0.47) ** 2 + ((yy - 0.86) / 0.33) ** 2 <= 1)
    muscle = torso & (yy < 0.62)
    body = np.zeros((n, n), dtype=np.uint8)
    body[breast] = 1
    body[torso] = 4
    body[muscle] = 3
    tex = _smooth_noise(rng, n, sigma=n / 64)
    fgt = breast & (tex + 2.5 * (yy - 0.35) > 0.2) & ~muscle
    body[fgt] = 2
    c = cx[lesion.side]
    centre = ((c + 0.12 * lesion.offset[0]) * n, (0.40 + 0.12 * lesion.offset[1]) * n)
    r_mm = np.sqrt(max(lesion.radius_mm ** 2 - dz_mm ** 2, 0.0))
    r_px = r_mm / spacing
    blur = max(lesion.margin_blur_mm / spacing, 0.3)
    bbox = (0, 0, 0, 0)
    w = ltex = np.zeros((0, 0), dtype=np.float32)
    if r_px > 0:
        reach = int(np.ceil(lesion.radius_mm / spacing * (1 + 2 * lesion.irregularity)
                            + 8 * blur + 2))
        y0, y1 = max(int(centre[1]) - reach, 0), min(int(centre[1]) + reach + 1, n)
        x0, x1 = max(int(centre[0]) - reach, 0), min(int(centre[0]) + reach + 1, n)
        bbox = (y0, y1, x0, x1)
        by, bx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        dy, dx = by - centre[1], bx - centre[0]
        rho, theta = np.hypot(dx, dy), np.arctan2(dy, dx)
        edge = _boundary(theta, r_px, lesion.harmonics)
        w = (1.0 / (1.0 + np.exp(np.clip((rho - edge) / blur, -50, 50)))).astype(np.float32)
        ltex = _smooth_noise(rng, max(y1 - y0, x1 - x0),
                             sigma=max(1.5 / spacing, 1.0))[:y1 - y0, :x1 - x0]
    base = _BASE[body] * (1 + np.float32(0.08) * tex * (body > 0))
    return SliceGeometry(size=n, spacing=spacing, body=body, base=base.astype(np.float32),
                         bpe=_BPE[body], bbox=bbox, lesion_w=w, lesion_tex=ltex,
                         centre_px=centre, radius_px=r_px)


_BASE = np.array([0.0, 820.0, 420.0, 330.0, 260.0], dtype=np.float32)
_BPE = np.array([0.0, 0.02, 0.12, 0.25, 0.45], dtype=np.float32)


def render(geom: SliceGeometry, lesion: Lesion, t_s: float, rng: np.random.Generator
           ) -> np.ndarray:
    """Signal intensity of one slice at a time after injection.

    Parameters
    ----------
    geom : SliceGeometry
        The slice.
    lesion : Lesion
        The patient's lesion.
    t_s : float
        Seconds after injection (< 0: pre-contrast).
    rng : numpy.random.Generator
        Random stream.

    Returns
    -------
    ndarray of float32, shape (size, size)
        Magnitude signal: the noiseless image plus Gaussian noise (SD 12), absolute value.
    """
    k_bg = np.float32(1 - np.exp(-max(t_s, 0.0) / 120.0))
    img = geom.base * (1 + geom.bpe * k_bg)
    y0, y1, x0, x1 = geom.bbox
    if y1 > y0:
        enh = lesion.peak_enhancement * float(kinetic_curve(t_s, lesion)) if t_s > 0 else 0.0
        het = lesion.heterogeneity * geom.lesion_tex
        les = 400.0 * (1 + enh * (1 + 2.0 * het)) * (1 + 0.5 * het)
        w = geom.lesion_w
        img[y0:y1, x0:x1] = img[y0:y1, x0:x1] * (1 - w) + les * w
    img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(12.0)
    return np.abs(img, out=img)


def true_mask(geom: SliceGeometry) -> np.ndarray:
    """The lesion's true extent on the slice.

    Parameters
    ----------
    geom : SliceGeometry
        The slice.

    Returns
    -------
    ndarray of uint8, shape (size, size)
        1 inside the lesion.
    """
    out = np.zeros((geom.size, geom.size), dtype=np.uint8)
    y0, y1, x0, x1 = geom.bbox
    out[y0:y1, x0:x1] = geom.lesion_w > 0.5
    return out


def reader_mask(geom: SliceGeometry, lesion: Lesion, rng: np.random.Generator,
                bias_px: float = 0.0) -> np.ndarray:
    """A reader's ROI: the true boundary with a small shift, scale bias and wobble.

    Parameters
    ----------
    geom : SliceGeometry
        The slice.
    lesion : Lesion
        The patient's lesion.
    rng : numpy.random.Generator
        Random stream.
    bias_px : float, default 0.0
        Systematic outward (positive) or inward shift of this reader's boundary, in pixels.

    Returns
    -------
    ndarray of uint8, shape (size, size)
        1 inside the ROI.
    """
    n = geom.size
    shift = rng.normal(0, 0.5, 2)
    wob = np.column_stack([np.arange(3, 9), rng.normal(0, 0.015, 6), rng.uniform(0, 6.3, 6)])
    harm = np.vstack([lesion.harmonics, wob])
    scale = 1 + rng.normal(0, 0.03)
    out = np.zeros((n, n), dtype=np.uint8)
    reach = int(np.ceil(geom.radius_px * scale * (1 + 3 * lesion.irregularity) + abs(bias_px) + 4))
    cx, cy = geom.centre_px[0] + shift[0], geom.centre_px[1] + shift[1]
    y0, y1 = max(int(cy) - reach, 0), min(int(cy) + reach + 1, n)
    x0, x1 = max(int(cx) - reach, 0), min(int(cx) + reach + 1, n)
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    dx, dy = xx - cx, yy - cy
    rho, theta = np.hypot(dx, dy), np.arctan2(dy, dx)
    edge = _boundary(theta, geom.radius_px * scale, harm) + bias_px
    out[y0:y1, x0:x1] = rho <= edge
    return out
