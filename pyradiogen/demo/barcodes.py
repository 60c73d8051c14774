"""Fake TCGA patient barcodes for synthetic data.

Fake TCGA patient barcodes for synthetic data (public entry:
:func:`pyradiogen.datasets.fake_barcodes`).
"""

from __future__ import annotations

import numpy as np

#: TCGA-BRCA tissue-source-site codes the random barcodes draw from
_ALNUM = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
TCGA_BRCA_SITES = ("A1", "A2", "A7", "A8", "AO", "AR", "B6", "BH", "C8", "D8", "E2", "EW", "GM",
                   "LL")


def fake_barcodes(n: int, rng: np.random.Generator | None = None, site: str = "SY"
                  ) -> list[str]:
    """``n`` distinct fake 12-character TCGA patient barcodes.

    With ``rng``: ``TCGA-<site>-A<3 characters>`` with the site drawn from
    :data:`TCGA_BRCA_SITES` and the participant code at random (the demo cohort's; it
    consumes draws of ``rng``). Without: ``TCGA-<site>-0000``, ``TCGA-<site>-0001`` … in order.
    Both parse as barcodes (:func:`pyradiogen.cohort.ids.is_barcode`).

    Parameters
    ----------
    n : int
        Number of barcodes (at most 10,000 without ``rng``).
    rng : numpy.random.Generator, optional
        Source of random barcodes.
    site : str
        Two-character site code of the sequential barcodes.

    Returns
    -------
    list of str, length n

    Raises
    ------
    ValueError
        When ``site`` is not two letters or digits, or ``n`` exceeds the sequential range.
    """
    if rng is not None:
        seen: set[str] = set()
        out = []
        while len(out) < n:
            code = (f"TCGA-{TCGA_BRCA_SITES[rng.integers(len(TCGA_BRCA_SITES))]}-"
                    f"A{''.join(rng.choice(_ALNUM, 3))}")
            if code not in seen:
                seen.add(code)
                out.append(code)
        return out
    if len(site) != 2 or not site.isalnum():
        raise ValueError(f"site must be two letters or digits, got {site!r}")
    if n > 10_000:
        raise ValueError(f"{n} sequential barcodes do not fit 4 digits; pass rng")
    return [f"TCGA-{site.upper()}-{i:04d}" for i in range(n)]


# --------------------------------------------------------------------------- cohort
