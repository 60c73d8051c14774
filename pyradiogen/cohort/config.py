"""Settings of cohort assembly (``[cohort]`` in a run's TOML)."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import register_section


@register_section("cohort")
@dataclass
class CohortConfig:
    """Study liu2023's image selection and study kim2020's readers.

    ``post_phase`` is the DCE phase used for study liu2023's 2-D images, counted from the
    pre-contrast phase 0 (1 = first post-contrast; ``"last"`` = each exam's last phase; the
    old ``phase`` setting was a DICOM temporal position, ``phase = 2`` is ``post_phase = 1``);
    ``None`` takes the value in the cohort's ``cohort.toml`` (``[liu2023]``), as do
    ``manufacturer`` (a vendor, a list of vendors or ``"any"``) and ``field_strength``
    (tesla or ``"any"``). ``max_slices`` keeps that many slices around the middle of the phase
    (all when ``None``). ``readers`` names study kim2020's two readers (the first two in
    ``rois.csv`` when empty).
    """

    post_phase: int | str | None = None
    manufacturer: str | list[str] | None = None
    field_strength: float | str | None = None
    max_slices: int | None = None
    readers: list[str] | None = None

    def liu2023_kwargs(self) -> dict:
        """Keyword arguments for :func:`pyradiogen.studies.liu2023.assemble`."""
        return {"post_phase": self.post_phase, "manufacturer": self.manufacturer,
                "field_strength": self.field_strength, "max_slices": self.max_slices}

    def kim2020_kwargs(self) -> dict:
        """Keyword arguments for :func:`pyradiogen.studies.kim2020.assemble`."""
        return {"readers": tuple(self.readers) if self.readers else None}
