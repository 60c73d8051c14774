"""The error every cohort reader raises: it names the file, patient or gene and the fix."""

from __future__ import annotations

import os


class CohortError(ValueError):
    """A problem with the cohort's input files.

    The message names what is wrong (``file``, ``patient``, ``gene`` when known) and ends with
    what to do about it (``fix``). The parts are also kept as attributes for programs.
    """

    def __init__(self, problem: str, *, file: str | os.PathLike | None = None,
                 patient: str | None = None, gene: str | None = None,
                 fix: str | None = None) -> None:
        self.problem = problem
        self.file = str(file) if file is not None else None
        self.patient = patient
        self.gene = gene
        self.fix = fix
        where = []
        if self.file:
            where.append(f"file {self.file}")
        if patient:
            where.append(f"patient {patient}")
        if gene:
            where.append(f"gene {gene}")
        msg = (f"{'; '.join(where)}: " if where else "") + problem
        if fix:
            msg += f" — fix: {fix}"
        super().__init__(msg)
