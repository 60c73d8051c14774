"""The synthetic demo cohort's generator.

The synthetic demo cohort's generator; its public entry is
:func:`pyradiogen.datasets.make_demo_cohort`.

Latent tumour biology (:mod:`.biology`) drives a DCE-MRI phantom (:mod:`.phantom`) and
simulated RNA-seq (:mod:`.expression`); everything is written in the real formats that
:func:`pyradiogen.cohort.load_cohort` reads, with the planted links in ``truth.json``.
"""

from .generate import ensure_demo_cohort, make_demo_cohort

__all__ = ["ensure_demo_cohort", "make_demo_cohort"]
