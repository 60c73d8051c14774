"""Which cohort images feed the DRF stage, and loading their pixels.

Study liu2023 uses every slice of the selected post-contrast phase of each kept patient's DCE
exam (``pyradiogen.studies.liu2023.assemble(c).images``: ``[liu2023] post_phase`` counted from the
pre-contrast phase 0, the accepted scanners, matched RNA-seq). When that selection cannot be
made (a cohort it rejects), every image of ``c.images`` is used and the returned description
(recorded in the manifest) says why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..progress import track

log = logging.getLogger(__name__)


def select_images(cohort: Any, assemble: Callable[[Any], Any] | None = None
                  ) -> tuple[pd.DataFrame, str]:
    """The images DRFs are computed for, and how they were chosen.

    Parameters
    ----------
    cohort : Cohort
        A loaded cohort with DICOM.
    assemble : callable or None, default None
        A study's cohort assembly (``pyradiogen.studies.liu2023.assemble``) whose ``images``
        are used; without it, or when it fails, every image of ``c.images``.

    Returns
    -------
    images : DataFrame
        Indexed by ``image_id``, with ``patient_id``.
    how : str
        How they were chosen, for the manifest.
    """
    if assemble is None:
        return cohort.images, "all images of c.images"
    name = f"{getattr(assemble, '__module__', '')}.{getattr(assemble, '__name__', '')}"
    try:
        st = assemble(cohort)
    except Exception as exc:  # the selection is optional for DRFs; say why it was skipped
        log.warning("study image selection failed (%s); using every image", exc)
        return cohort.images, f"all images of c.images ({name} failed: {exc})"
    extra = getattr(st, "extra", {}) or {}
    return st.images, (f"{name}: post-contrast phase {extra.get('post_phase')} (0 = "
                       f"pre-contrast) of the {extra.get('scanner_rule')} DCE exam, "
                       f"{len(st.patients)} patients")


def load_pixels(cohort: Any, images: pd.DataFrame) -> list[np.ndarray]:
    """Read every image's pixels, with a progress bar.

    Parameters
    ----------
    cohort : Cohort
        A loaded cohort.
    images : DataFrame
        Indexed by ``image_id``.

    Returns
    -------
    list of ndarray
        ``cohort.pixels(image_id)`` per image (float32, rescale applied).
    """
    return [np.asarray(cohort.pixels(i)) for i in track(list(images.index), "drf: reading images")]
