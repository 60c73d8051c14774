"""``cohort.toml``: the manifest naming the parts of a cohort directory.

Example (every path relative to the cohort directory; every part but ``dicom`` optional)::

    name = "my cohort"
    kind = "tcga"            # or "demo"

    [parts]
    dicom = "dicom"                                  # TCIA download, any depth
    rois = "rois/rois.csv"                           # patient_id, reader, sop_instance_uid, mask
    star_counts = "expression/star_counts"           # GDC STAR-counts TSVs, one per sample
    sample_sheet = "expression/gdc_sample_sheet.tsv" # optional: GDC sample sheet (File Name -> Sample ID)
    matrix = "expression/matrix.tsv"                 # merged genes x samples (SYMBOL|ENTREZ rows)
    genes = "expression/genes.tsv"                   # gene_id, gene_name, gene_type, entrez
    clinical = "clinical.tsv"                        # TCGA 2012 Nature Supp. Table 1 layout
    crf36 = "crf36.csv"
    timer = "timer.csv"
    risk_genes = "risk_genes.txt"
    genesets = "genesets.gmt"                        # the bundled KEGG v7.2 GMT otherwise
    truth = "truth.json"                             # demo cohorts only

    [study1]
    phase = 2            # temporal position used for the 2-D images (2 = first post-contrast)
    manufacturer = "GE"  # kept scanners: manufacturer contains this text ...
    field_strength = 1.5 # ... at this field strength (T)
    max_slices = 5       # optional: keep this many slices around the middle of the phase
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from .errors import CohortError

MANIFEST = "cohort.toml"
PARTS = ("dicom", "rois", "star_counts", "sample_sheet", "matrix", "genes", "clinical", "crf36",
         "timer", "risk_genes", "genesets", "truth")
DEFAULT_PARTS = {
    "dicom": "dicom", "rois": "rois/rois.csv", "star_counts": "expression/star_counts",
    "matrix": "expression/matrix.tsv", "genes": "expression/genes.tsv",
    "clinical": "clinical.tsv", "crf36": "crf36.csv", "timer": "timer.csv",
    "risk_genes": "risk_genes.txt", "genesets": "genesets.gmt", "truth": "truth.json",
}
STUDY1_DEFAULTS = {"phase": 2, "manufacturer": "GE", "field_strength": 1.5}


@dataclass
class Manifest:
    """The parsed manifest: ``root``, resolved ``parts`` (only those that exist) and settings."""

    root: Path
    name: str = ""
    kind: str = "tcga"
    parts: dict[str, Path] = field(default_factory=dict)
    study1: dict[str, Any] = field(default_factory=lambda: dict(STUDY1_DEFAULTS))
    raw: dict[str, Any] = field(default_factory=dict)

    def path(self, part: str) -> Path | None:
        """The path of a part, or None when the cohort does not have it."""
        return self.parts.get(part)


def read_manifest(root: str | os.PathLike) -> Manifest:
    """Read ``ROOT/cohort.toml``; a folder without one uses the default layout."""
    root = Path(root)
    if not root.is_dir():
        raise CohortError("cohort directory not found", file=root,
                          fix="give the folder holding cohort.toml (make one with "
                              "`python -m pyradiogen demo-data --out DIR`)")
    mpath = root / MANIFEST
    raw: dict[str, Any] = {}
    if mpath.exists():
        try:
            raw = tomllib.loads(mpath.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise CohortError(f"not valid TOML ({exc})", file=mpath,
                              fix="correct the syntax of the manifest") from exc
        declared = raw.get("parts", {})
        unknown = sorted(set(declared) - set(PARTS))
        if unknown:
            raise CohortError(f"unknown part(s) {unknown} in [parts]", file=mpath,
                              fix=f"use only {', '.join(PARTS)}")
        missing = [k for k, v in declared.items() if not (root / v).exists()]
        if missing:
            raise CohortError(
                f"part(s) {', '.join(f'{k} = {declared[k]!r}' for k in missing)} do not exist",
                file=mpath, fix="correct the paths (relative to the cohort folder) or remove them")
    else:
        declared = {k: v for k, v in DEFAULT_PARTS.items() if (root / v).exists()}
    parts = {k: root / v for k, v in declared.items()}
    if "dicom" not in parts:
        raise CohortError("the cohort has no DICOM part", file=mpath,
                          fix="add `dicom = \"<folder>\"` under [parts] in cohort.toml")
    study1 = dict(STUDY1_DEFAULTS)
    study1.update(raw.get("study1", {}))
    return Manifest(root=root, name=str(raw.get("name", root.name)),
                    kind=str(raw.get("kind", "tcga")), parts=parts, study1=study1, raw=raw)


def manifest_text(name: str, kind: str, parts: dict[str, str], **extra: Any) -> str:
    """The text of a ``cohort.toml`` (used by the demo generator and tests)."""
    doc: dict[str, Any] = {"name": name, "kind": kind}
    doc.update({k: v for k, v in extra.items() if not isinstance(v, dict)})
    doc["parts"] = dict(parts)
    doc.update({k: v for k, v in extra.items() if isinstance(v, dict)})
    return tomli_w.dumps(doc)
