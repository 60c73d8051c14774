"""How the demo writes a DCE acquisition: the layouts TCIA delivers.

=================  ============================================================================
layout             series written for phases 0 (pre-contrast) … K (post-contrast)
=================  ============================================================================
``tagged``         one series, every phase, ``TemporalPositionIdentifier`` 1 … K+1 (GE VIBRANT
                   MPh / Philips style; the vendor's own description)
``ph_prefix``      a bare ``ax 3d dyn`` (pre-contrast) beside ``Ph1/ax 3d dyn`` … ``PhK/…``
``vibrant_ph``     ``Ax Vibrant MultiPhase`` beside ``Ph1/Ax Vibrant MultiPhase`` …
``dynviews_pass``  Siemens ``t1_fl3d_tra_dynVIEWS_spair`` beside ``… 1st pass``, ``… 2nd pass`` …
``duke_pass``      ``ax dyn pre`` beside ``ax dyn 1st pass`` … (Duke-Breast-Cancer-MRI)
``philips_dyn``    Philips ``DYN eTHRIVE dyn 1`` … ``dyn K+1`` (numbered acquisitions, no
                   separate pre-contrast: dyn 1 is the pre-contrast)
``untagged``       one series holding every phase, no phase tag, AcquisitionNumber 1: phases
                   differ only in acquisition/trigger/content time and InstanceNumber blocks
=================  ============================================================================

Every per-phase layout writes ``AcquisitionNumber = 1`` and no ``TemporalPositionIdentifier``,
as the real Duke exam does. Pixels do not depend on the layout.
"""

from __future__ import annotations

LAYOUTS = ("tagged", "ph_prefix", "vibrant_ph", "dynviews_pass", "duke_pass", "philips_dyn",
           "untagged")
#: share of DCE patients written in each layout by ``make_demo_cohort(layout="mixed")``
MIXED_SHARES = {"tagged": 0.4, "ph_prefix": 0.1, "vibrant_ph": 0.1, "dynviews_pass": 0.1,
                "duke_pass": 0.1, "philips_dyn": 0.1, "untagged": 0.1}
#: share of patients whose reader-1 ROI is (also) written as a DICOM SEG
SEG_SHARE = 0.15


def ordinal(n: int) -> str:
    """English ordinal of a number: 1st, 2nd, 3rd, 4th, 11th, 21st.

    Parameters
    ----------
    n : int
        The number.

    Returns
    -------
    str
        ``n`` with its suffix.
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def phase_series(layout: str, phase: int, vendor_description: str) -> tuple[str, str, int,
                                                                            bool]:
    """The series of one DCE phase in a layout; phases with the same key share one series.

    Parameters
    ----------
    layout : str
        One of :data:`LAYOUTS`.
    phase : int
        DCE phase (0 = pre-contrast).
    vendor_description : str
        The vendor's DCE series name.

    Returns
    -------
    tuple
        ``(series key, SeriesDescription, SeriesNumber, tagged)``.

    Raises
    ------
    ValueError
        For an unknown layout.
    """
    if layout == "tagged":
        return "dce", vendor_description, 600, True
    if layout == "untagged":
        return "dce", "Ax 3D DYN", 600, False
    if layout == "philips_dyn":
        return f"dce{phase}", f"DYN eTHRIVE dyn {phase + 1}", 600 + phase, False
    bases = {"ph_prefix": ("ax 3d dyn", "Ph{k}/ax 3d dyn"),
             "vibrant_ph": ("Ax Vibrant MultiPhase", "Ph{k}/Ax Vibrant MultiPhase"),
             "dynviews_pass": ("t1_fl3d_tra_dynVIEWS_spair",
                               "t1_fl3d_tra_dynVIEWS_spair {o} pass"),
             "duke_pass": ("ax dyn pre", "ax dyn {o} pass")}
    if layout not in bases:
        raise ValueError(f"unknown DCE layout {layout!r}; known: {', '.join(LAYOUTS)}")
    pre, post = bases[layout]
    desc = pre if phase == 0 else post.format(k=phase, o=ordinal(phase))
    return f"dce{phase}", desc, 600 + 100 * phase if layout == "duke_pass" else 600 + phase, \
        False
