"""Locate data bundled with pyradiogen (signature tables, gene sets, test images).

The single copy lives in the R package (``r/inst/extdata``); a wheel carries the R package's
sources as ``pyradiogen/_rpkg``, so the data are in ``pyradiogen/_rpkg/inst/extdata``.
Provenance of every file: ``data-raw/README.md``.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def extdata_dir() -> Path:
    """The folder holding the bundled data (``r/inst/extdata`` or the wheel's copy).

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    FileNotFoundError
        If the bundled data is missing (reinstall).
    """
    for cand in (_HERE / "_rpkg" / "inst" / "extdata", _HERE.parent / "r" / "inst" / "extdata"):
        if cand.is_dir():
            return cand
    raise FileNotFoundError("bundled data not found: reinstall pyradiogen (`make venv`)")


def extdata(*parts: str) -> Path:
    """Path of one bundled file, e.g. ``extdata("genefu", "sig_gene70.csv")``.

    Parameters
    ----------
    *parts : str
        Path parts under the data folder.

    Returns
    -------
    Path
        The file.

    Raises
    ------
    FileNotFoundError
        If it is not bundled.
    """
    path = extdata_dir().joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"bundled file {'/'.join(parts)} not found in {extdata_dir()}")
    return path


def kegg_gmt() -> Path:
    """The bundled MSigDB C2 CP:KEGG v7.2 gene sets (academic use only; see ``data-raw``).

    Returns
    -------
    Path
        ``c2.cp.kegg.v7.2.symbols.gmt``.
    """
    return extdata("genesets", "c2.cp.kegg.v7.2.symbols.gmt")
