"""Gene sets: GMT files, and the gene-set/gene mapping and size filter exactly as GSVA 1.46 does it.

GSVA (``.mapGeneSetsToFeatures`` then ``filterGeneSets``) maps each set's IDs to the row
names of the expression matrix, drops IDs that are not there, keeps a gene listed twice in a
set twice, uses the *first* row when a row name is duplicated, and then keeps the sets whose
mapped size ``k`` satisfies ``max(1, min_size) <= k <= max_size`` (empty sets always go), in
their input order. :func:`map_gene_sets` reproduces that.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from .. import store
from ..resources import kegg_gmt

GeneSets = dict[str, list[str]]


class GeneSetWarning(UserWarning):
    """A gene-set condition GSVA also warns about (e.g. sets of size one)."""


def read_gmt(path: str | os.PathLike) -> GeneSets:
    """Read a GMT file: ``name <tab> description <tab> gene ...`` per line.

    Empty fields (trailing tabs) are skipped; gene order and repeated genes are kept. A set
    name that appears twice raises ``ValueError`` naming both lines.
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: GMT file not found")
    sets: GeneSets = {}
    first_line: dict[str, int] = {}
    for lineno, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.rstrip("\r\n").split("\t")
        if len(fields) < 2:
            raise ValueError(f"{p}:{lineno}: a GMT line needs a name and a description "
                             "separated by tabs")
        name = fields[0].strip()
        if not name:
            raise ValueError(f"{p}:{lineno}: empty gene-set name")
        if name in sets:
            raise ValueError(f"{p}:{lineno}: gene set {name!r} already defined on line "
                             f"{first_line[name]}; rename or remove one of them")
        sets[name] = [g.strip() for g in fields[2:] if g.strip()]
        first_line[name] = lineno
    if not sets:
        raise ValueError(f"{p}: no gene sets found; is it a GMT file (tab-separated)?")
    return sets


def write_gmt(gene_sets: Mapping[str, Sequence[str]], path: str | os.PathLike,
              descriptions: Mapping[str, str] | None = None) -> Path:
    """Write gene sets as GMT atomically (description ``NA`` unless given)."""
    lines = []
    for name, genes in gene_sets.items():
        desc = (descriptions or {}).get(name, "NA")
        if "\t" in name or "\n" in name:
            raise ValueError(f"gene-set name {name!r} contains a tab or newline")
        lines.append("\t".join([name, desc, *[str(g) for g in genes]]))
    return store.atomic_write(path, "\n".join(lines) + "\n")


def kegg_gene_sets() -> GeneSets:
    """The bundled MSigDB C2 CP:KEGG v7.2 sets (186 sets; academic use only)."""
    return read_gmt(kegg_gmt())


def load_gene_sets(source: str | os.PathLike | Mapping[str, Sequence[str]] | None) -> GeneSets:
    """Gene sets from a GMT path, a mapping, or ``None`` for the bundled KEGG collection."""
    if source is None:
        return kegg_gene_sets()
    if isinstance(source, Mapping):
        return {str(k): [str(g) for g in v] for k, v in source.items()}
    return read_gmt(source)


def first_index(genes: Sequence[str]) -> dict[str, int]:
    """Gene → index of its first occurrence (R's ``match`` rule for duplicated names)."""
    index: dict[str, int] = {}
    for i, g in enumerate(genes):
        index.setdefault(str(g), i)
    return index


def map_gene_sets(gene_sets: Mapping[str, Sequence[str]], genes: Sequence[str],
                  min_size: int = 1, max_size: float = math.inf) -> dict[str, np.ndarray]:
    """Map each set to row indices of ``genes`` and filter by size, as GSVA 1.46 does.

    Returns ``{name: int array of row indices}`` (duplicates kept, set order kept). Raises
    ``ValueError`` when no ID of any set is among ``genes`` or when no set survives the
    size filter; warns (:class:`GeneSetWarning`) when a kept set has size one.
    """
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
    ones = [k for k, v in kept.items() if v.size == 1]
    if ones:
        warnings.warn(f"{len(ones)} gene set(s) have size one (e.g. {ones[0]}); consider "
                      "min_size > 1", GeneSetWarning, stacklevel=2)
    return kept


def intersect_gene_sets(gene_sets: Mapping[str, Sequence[str]], genes: Sequence[str],
                        min_size: int = 1, max_size: float = math.inf) -> GeneSets:
    """Like :func:`map_gene_sets` but returning gene names (duplicates kept)."""
    names = [str(g) for g in genes]
    return {k: [names[i] for i in v]
            for k, v in map_gene_sets(gene_sets, names, min_size, max_size).items()}
