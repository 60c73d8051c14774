"""Settings of cohort assembly (``[cohort]`` in a run's TOML)."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import register_section


@register_section("cohort")
@dataclass
class CohortConfig:
    """Configuration section ``[cohort]``: study liu2023's image selection, kim2020's readers.

    ``None`` takes the value in the cohort's ``cohort.toml`` (``[liu2023]``).

    Parameters
    ----------
    post_phase : int, "last" or None, default None
        DCE phase of study liu2023's 2-D images, counted from the pre-contrast phase 0
        (1 = first post-contrast; ``"last"`` = each exam's last phase; the old ``phase``
        setting was a DICOM temporal position, ``phase = 2`` is ``post_phase = 1``).
    manufacturer : str, list of str or None, default None
        A vendor, a list of vendors or ``"any"``.
    field_strength : float, str or None, default None
        Tesla, or ``"any"``.
    max_slices : int or None, default None
        Slices kept around the middle of the phase (all when None).
    readers : list of str or None, default None
        Study kim2020's two readers (the first two in ``rois.csv`` when empty).
    """

    post_phase: int | str | None = None
    manufacturer: str | list[str] | None = None
    field_strength: float | str | None = None
    max_slices: int | None = None
    readers: list[str] | None = None

    def liu2023_kwargs(self) -> dict:
        """Keyword arguments for :func:`pyradiogen.studies.liu2023.assemble`.

        Returns
        -------
        dict
            ``post_phase``, ``manufacturer``, ``field_strength``, ``max_slices``.
        """
        return {"post_phase": self.post_phase, "manufacturer": self.manufacturer,
                "field_strength": self.field_strength, "max_slices": self.max_slices}

    def kim2020_kwargs(self) -> dict:
        """Keyword arguments for :func:`pyradiogen.studies.kim2020.assemble`.

        Returns
        -------
        dict
            ``readers`` (a tuple, or None).
        """
        return {"readers": tuple(self.readers) if self.readers else None}
