"""Settings of cohort assembly (``[cohort]`` in a run's TOML)."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import register_section


@register_section("cohort")
@dataclass
class CohortConfig:
    """Study 1's image selection and study 2's readers.

    ``phase`` is the DICOM temporal position used for study 1's 2-D images (1 = first
    acquisition, the pre-contrast in demo cohorts; 2 = first post-contrast); ``None`` takes
    the value in the cohort's ``cohort.toml`` (``[study1]``), as do ``manufacturer`` and
    ``field_strength``. ``max_slices`` keeps that many slices around the middle of the phase
    (all when ``None``). ``readers`` names study 2's two readers (the first two in
    ``rois.csv`` when empty).
    """

    phase: int | None = None
    manufacturer: str | None = None
    field_strength: float | None = None
    max_slices: int | None = None
    readers: list[str] | None = None

    def study1_kwargs(self) -> dict:
        """Keyword arguments for :func:`pyradiogen.cohort.assemble_study1`."""
        return {"phase": self.phase, "manufacturer": self.manufacturer,
                "field_strength": self.field_strength, "max_slices": self.max_slices}

    def study2_kwargs(self) -> dict:
        """Keyword arguments for :func:`pyradiogen.cohort.assemble_study2`."""
        return {"readers": tuple(self.readers) if self.readers else None}
