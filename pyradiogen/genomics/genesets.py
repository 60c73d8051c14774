"""Gene sets: GMT files, and the gene-set/gene mapping and size filter exactly as GSVA 1.46 does it.

GSVA (``.mapGeneSetsToFeatures`` then ``filterGeneSets``) maps each set's IDs to the row
names of the expression matrix, drops IDs that are not there, uses the *first* row when a row
name is duplicated, and then keeps the sets whose mapped size ``k`` satisfies
``max(1, min_size) <= k <= max_size`` (empty sets always go), in their input order.
:func:`map_gene_sets` reproduces that.

Repeated members: GSVA 1.46 keeps a gene listed twice in a set twice (it then counts twice
in the set's size and sums); GSVA >= 1.50 removes the repeat and warns. pyradiogen removes
repeats by default, warning (:class:`GeneSetWarning`) with the set and gene names
(``duplicate_members="remove"``); ``duplicate_members="keep"`` reproduces GSVA 1.46 exactly
for parity runs (the CLI's ``ssgsea --keep-duplicate-members``).
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from .. import store
from ..cohort.tables import GeneSetWarning, read_gmt
from ..resources import kegg_gmt

GeneSets = dict[str, list[str]]


def repeated_members(gene_sets: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Genes listed more than once in a set.

    Parameters
    ----------
    gene_sets : mapping of str to sequence of str
        Gene set name → member gene IDs.

    Returns
    -------
    dict of str to list of str
        Set name → its repeated genes, only for sets that have some.
    """
    out = {}
    for name, genes in gene_sets.items():
        seen: set[str] = set()
        rep = [g for g in map(str, genes) if g in seen or seen.add(g)]
        if rep:
            out[str(name)] = list(dict.fromkeys(rep))
    return out


def dedupe_members(gene_sets: Mapping[str, Sequence[str]], duplicate_members: str = "remove",
                   warn: bool = True) -> GeneSets:
    """Remove repeated members of gene sets, or keep them as GSVA 1.46 counts them.

    Parameters
    ----------
    gene_sets : mapping of str to sequence of str
        Gene set name → member gene IDs.
    duplicate_members : {"remove", "keep"}, default "remove"
        ``"remove"``: keep each gene once (as GSVA ≥ 1.50); ``"keep"``: unchanged (GSVA 1.46
        counts a repeated gene twice).
    warn : bool, default True
        With ``"remove"``, warn (:class:`GeneSetWarning`) naming set and gene.

    Returns
    -------
    dict of str to list of str
        The sets, in order.

    Raises
    ------
    ValueError
        For an unknown ``duplicate_members``.
    """
    if duplicate_members not in ("remove", "keep"):
        raise ValueError(f"duplicate_members must be 'remove' or 'keep', got "
                         f"{duplicate_members!r}")
    sets = {str(k): [str(g) for g in v] for k, v in gene_sets.items()}
    if duplicate_members == "keep":
        return sets
    rep = repeated_members(sets)
    if rep and warn:
        desc = "; ".join(f"{k}: {', '.join(v)}" for k, v in list(rep.items())[:5])
        more = f"; … (+{len(rep) - 5} sets)" if len(rep) > 5 else ""
        warnings.warn(f"genes listed more than once in a gene set are counted once (GSVA >= "
                      f"1.50 does the same; GSVA 1.46 counted them twice — pass "
                      f"duplicate_members='keep' / --keep-duplicate-members for its exact "
                      f"numbers): {desc}{more}", GeneSetWarning, stacklevel=3)
    return {k: list(dict.fromkeys(v)) for k, v in sets.items()}



def write_gmt(gene_sets: Mapping[str, Sequence[str]], path: str | os.PathLike,
              descriptions: Mapping[str, str] | None = None) -> Path:
    """Write gene sets as a GMT file, atomically.

    Parameters
    ----------
    gene_sets : mapping of str to sequence of str
        Gene set name → member gene IDs.
    path : str or PathLike
        The file to write.
    descriptions : mapping of str to str or None, default None
        Second GMT column per set (``NA`` when not given).

    Returns
    -------
    Path
        The file written.
    """
    lines = []
    for name, genes in gene_sets.items():
        desc = (descriptions or {}).get(name, "NA")
        if "\t" in name or "\n" in name:
            raise ValueError(f"gene-set name {name!r} contains a tab or newline")
        lines.append("\t".join([name, desc, *[str(g) for g in genes]]))
    return store.atomic_write(path, "\n".join(lines) + "\n")


def kegg_gene_sets() -> GeneSets:
    """The bundled MSigDB C2 CP:KEGG v7.2 gene sets (186 sets; academic use only).

    Returns
    -------
    dict of str to list of str
        Set name → member gene symbols, as the GMT lists them.

    References
    ----------
    .. [1] Liberzon A, Birger C, Thorvaldsdóttir H, et al. The Molecular Signatures Database
       hallmark gene set collection. *Cell Syst* 1, 417–425 (2015); MSigDB v7.2.
    .. [2] Kanehisa M, Goto S. KEGG: Kyoto Encyclopedia of Genes and Genomes. *Nucleic Acids
       Res* 28, 27–30 (2000).
    """
    return read_gmt(kegg_gmt())


def load_gene_sets(source: str | os.PathLike | Mapping[str, Sequence[str]] | None) -> GeneSets:
    """Gene sets from a GMT path, a mapping, or the bundled KEGG collection.

    Parameters
    ----------
    source : str, PathLike, mapping of str to sequence of str, or None
        A GMT file (read by :func:`pyradiogen.cohort.tables.read_gmt`), sets already in
        memory, or ``None`` for :func:`kegg_gene_sets`.

    Returns
    -------
    dict of str to list of str
        Set name → member gene IDs.
    """
    if source is None:
        return kegg_gene_sets()
    if isinstance(source, Mapping):
        return {str(k): [str(g) for g in v] for k, v in source.items()}
    return read_gmt(source)


def first_index(genes: Sequence[str]) -> dict[str, int]:
    """Each gene's row index of its first occurrence (R's ``match`` rule for duplicated names).

    Parameters
    ----------
    genes : sequence of str
        Gene IDs, possibly repeated.

    Returns
    -------
    dict of str to int
        Gene → 0-based index of its first occurrence.
    """
    index: dict[str, int] = {}
    for i, g in enumerate(genes):
        index.setdefault(str(g), i)
    return index


def map_gene_sets(gene_sets: Mapping[str, Sequence[str]], genes: Sequence[str],
                  min_size: int = 1, max_size: float = math.inf,
                  duplicate_members: str = "remove") -> dict[str, np.ndarray]:
    """Map each set to row indices of ``genes`` and filter by size, as GSVA does.

    Parameters
    ----------
    gene_sets : mapping of str to sequence of str
        Gene set name → member gene IDs.
    genes : sequence of str
        The expression's gene IDs, in row order.
    min_size : int, default 1
        Smallest number of members present for a set to be kept (GSVA's ``min.sz``).
    max_size : float, default inf
        Largest (GSVA's ``max.sz``).
    duplicate_members : {"remove", "keep"}, default "remove"
        Repeated members removed with a warning (GSVA ≥ 1.50) or counted twice (GSVA 1.46).

    Returns
    -------
    dict of str to ndarray of int
        Set name → row indices of its members in ``genes``, set order kept.

    Raises
    ------
    ValueError
        If no ID of any set is among ``genes``, or no set survives the size filter.

    Warns
    -----
    GeneSetWarning
        When a kept set has one member.

    References
    ----------
    .. [1] Hänzelmann S, Castelo R, Guinney J. GSVA: gene set variation analysis for
       microarray and RNA-seq data. *BMC Bioinformatics* 14, 7 (2013). R package GSVA 1.46.0.
    """
    gene_sets = dedupe_members(gene_sets, duplicate_members)
    index = first_index(genes)
    mapped: dict[str, np.ndarray] = {}
    any_match = False
    for name, members in gene_sets.items():
        idx = np.array([index[g] for g in map(str, members) if g in index], dtype=np.int64)
        any_match |= idx.size > 0
        mapped[str(name)] = idx
    if not any_match:
        raise ValueError("no gene of any gene set is among the expression's genes; check that "
                         "both use the same identifiers (symbols vs Entrez IDs)")
    lo = max(1, min_size)
    kept = {k: v for k, v in mapped.items() if lo <= v.size <= max_size}
    if not kept:
        raise ValueError(f"no gene set has between {lo} and {max_size} genes in the expression "
                         "data; relax min_size/max_size")
    gone = [k for k in mapped if k not in kept]
    if gone:
        empty = [k for k in gone if mapped[k].size == 0]
        desc = (f"{len(empty)} with no gene in the expression data" if empty else "")
        sized = len(gone) - len(empty)
        if sized:
            desc += ("; " if desc else "") + f"{sized} outside the size limits {lo}–{max_size}"
        warnings.warn(f"{len(gone)} gene set(s) left out ({desc}): {', '.join(gone[:10])}"
                      f"{' …' if len(gone) > 10 else ''}", GeneSetWarning, stacklevel=2)
    ones = [k for k, v in kept.items() if v.size == 1]
    if ones:
        warnings.warn(f"{len(ones)} gene set(s) have size one (e.g. {ones[0]}); consider "
                      "min_size > 1", GeneSetWarning, stacklevel=2)
    return kept


def intersect_gene_sets(gene_sets: Mapping[str, Sequence[str]], genes: Sequence[str],
                        min_size: int = 1, max_size: float = math.inf,
                        duplicate_members: str = "remove") -> GeneSets:
    """Like :func:`map_gene_sets` but returning gene names.

    Parameters
    ----------
    gene_sets : mapping of str to sequence of str
        Gene set name → member gene IDs.
    genes : sequence of str
        The expression's gene IDs.
    min_size, max_size, duplicate_members
        As :func:`map_gene_sets`.

    Returns
    -------
    dict of str to list of str
        Set name → members present in ``genes``.
    """
    names = [str(g) for g in genes]
    return {k: [names[i] for i in v]
            for k, v in map_gene_sets(gene_sets, names, min_size, max_size,
                                      duplicate_members).items()}
