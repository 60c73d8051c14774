"""Which cohort images feed the DRF stage, and loading their pixels.

Study liu2023 uses every slice of the selected post-contrast phase of each kept patient's DCE
exam (``pyradiogen.cohort.assemble.study1(c).images``: ``[liu2023] post_phase`` counted from the
pre-contrast phase 0, the accepted scanners, matched RNA-seq). When that selection cannot be
made (an older cohort package, or a cohort it rejects), every image of ``c.images`` is used
and the returned description (recorded in the manifest) says why.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from ..progress import track

log = logging.getLogger(__name__)


#: study ID -> the cohort assembly that selects its images
_ASSEMBLY = {"liu2023": "study1", "kim2020": "study2"}


def select_images(cohort: Any, study: str = "liu2023") -> tuple[pd.DataFrame, str]:
    """The images table (indexed by ``image_id``, with ``patient_id``) and how it was chosen.

    ``study`` is a study ID (``"liu2023"``, ``"kim2020"``).
    """
    if study not in _ASSEMBLY:
        raise ValueError(f"study must be one of {', '.join(_ASSEMBLY)}, got {study!r}")
    try:
        from ..cohort import assemble
    except ImportError:
        return cohort.images, "all images of c.images (pyradiogen.cohort.assemble missing)"
    fn = getattr(assemble, _ASSEMBLY[study], None)
    if fn is None:
        return cohort.images, f"all images of c.images (no assemble.{_ASSEMBLY[study]})"
    try:
        st = fn(cohort)
    except Exception as exc:  # the selection is optional for DRFs; say why it was skipped
        log.warning("%s image selection failed (%s); using every image", study, exc)
        return cohort.images, (f"all images of c.images (assemble.{_ASSEMBLY[study]} failed: "
                               f"{exc})")
    extra = getattr(st, "extra", {}) or {}
    return st.images, (f"pyradiogen.cohort.assemble.{_ASSEMBLY[study]}: post-contrast phase "
                       f"{extra.get('post_phase')} (0 = pre-contrast) of the "
                       f"{extra.get('scanner_rule')} DCE exam, {len(st.patients)} patients")


def load_pixels(cohort: Any, images: pd.DataFrame) -> list[np.ndarray]:
    """``cohort.pixels(image_id)`` for every image, with a progress bar."""
    return [np.asarray(cohort.pixels(i)) for i in track(list(images.index), "drf: reading images")]
