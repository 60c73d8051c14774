"""The error every cohort reader raises: it names the file, patient or gene and the fix."""

from __future__ import annotations

import os


class CohortError(ValueError):
    """A problem with the cohort's input files, naming the file, patient or gene and the fix.

    The message names what is wrong (``file``, ``column``, ``line``, ``patient``, ``gene``
    when known) and ends with what to do about it (``fix``). The parts are also kept as
    attributes for programs. A ``ValueError``: the command line reports it in one line with
    exit code 2.

    Parameters
    ----------
    problem : str
        What is wrong.
    file : str, PathLike or None, default None
        The input file.
    patient : str or None, default None
        The patient.
    gene : str or None, default None
        The gene.
    fix : str or None, default None
        What the user should do; the message ends with it.
    column : str or None, default None
        The column.
    line : int or None, default None
        The file line.
    option : str or None, default None
        The command-line option that gave the file (``--ratings``).
    what : str or None, default None
        What the file is (``"ratings table"``).
    """

    def __init__(self, problem: str, *, file: str | os.PathLike | None = None,
                 patient: str | None = None, gene: str | None = None,
                 fix: str | None = None, column: str | None = None, line: int | None = None,
                 option: str | None = None, what: str | None = None) -> None:
        self.problem = problem
        self.file = str(file) if file is not None else None
        self.patient = patient
        self.gene = gene
        self.fix = fix
        self.column = column
        self.line = line
        self.option = option
        self.what = what
        where = []
        if self.file:
            head = f"{what} " if what else "file "
            head += self.file
            if option:
                head += f" ({option})"
            where.append(head)
        elif option:
            where.append(option)
        if column is not None:
            where.append(f"column {column!r}")
        if line is not None:
            where.append(f"line {line}")
        if patient:
            where.append(f"patient {patient}")
        if gene:
            where.append(f"gene {gene}")
        msg = (f"{'; '.join(where)}: " if where else "") + problem
        if fix:
            msg += f" — fix: {fix}"
        super().__init__(msg)
