"""``cohort.toml``: the manifest naming the parts of a cohort directory.

Example (every path relative to the cohort directory; every part but ``dicom`` optional)::

    name = "my cohort"
    kind = "tcga"            # or "demo"
    id_scheme = "tcga"       # "any": accept non-TCGA patient IDs (Duke, I-SPY, own exams)
    studies = ["liu2023", "kim2020"]   # the studies this cohort is for (validate fails when
                                       # one of them keeps no patient); default: liu2023, and
                                       # kim2020 when the cohort has ROIs
    min_patients = 20        # validate warns when a study keeps fewer

    [parts]
    dicom = "dicom"                                  # TCIA download, any depth
    rois = "rois/rois.csv"                           # patient_id, reader, sop_instance_uid, mask
    patients = "patients.csv"                        # optional: imaging ID -> expression/clinical ID
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
    post_phase = 1       # post-contrast phase used for the 2-D images: 0 = pre-contrast,
                         # 1 = first post-contrast (the default), ..., or "last"
    manufacturer = "GE"  # accepted vendors: a name, a list (["GE", "Siemens"]) or "any"
    field_strength = 1.5 # accepted field strength in T, or "any"
    max_slices = 5       # optional: keep this many slices around the middle of the phase

Phase numbering changed with DCE exam assembly (:mod:`pyradiogen.cohort.dce`): phases are
counted from the pre-contrast phase 0, so the old key ``phase`` (a DICOM temporal position,
``phase = 2`` = first post-contrast) is read as ``post_phase = phase - 1`` and reported in
:attr:`Manifest.notes`; write ``post_phase`` in new manifests.

``patients.csv`` (optional) has the column ``patient_id`` (the DICOM PatientID, harmonised
under the ID scheme) and ``expression_id`` and/or ``clinical_id``: the same patient's ID in
the expression files (and TIMER) and in the clinical table (and CRF36). Every table is then
indexed by the imaging ``patient_id``.
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
PARTS = ("dicom", "rois", "patients", "star_counts", "sample_sheet", "matrix", "genes",
         "clinical", "crf36", "timer", "risk_genes", "genesets", "truth")
DEFAULT_PARTS = {
    "dicom": "dicom", "rois": "rois/rois.csv", "patients": "patients.csv",
    "star_counts": "expression/star_counts",
    "matrix": "expression/matrix.tsv", "genes": "expression/genes.tsv",
    "clinical": "clinical.tsv", "crf36": "crf36.csv", "timer": "timer.csv",
    "risk_genes": "risk_genes.txt", "genesets": "genesets.gmt", "truth": "truth.json",
}
STUDY1_DEFAULTS = {"post_phase": 1, "manufacturer": "GE", "field_strength": 1.5}
STUDY1_KEYS = ("post_phase", "manufacturer", "field_strength", "max_slices")
STUDIES = ("liu2023", "kim2020")
DEFAULT_MIN_PATIENTS = 20


@dataclass
class Manifest:
    """The parsed manifest: ``root``, resolved ``parts`` (only those that exist) and settings."""

    root: Path
    name: str = ""
    kind: str = "tcga"
    parts: dict[str, Path] = field(default_factory=dict)
    study1: dict[str, Any] = field(default_factory=lambda: dict(STUDY1_DEFAULTS))
    raw: dict[str, Any] = field(default_factory=dict)
    id_scheme: str = "tcga"
    studies: tuple[str, ...] | None = None
    min_patients: int = DEFAULT_MIN_PATIENTS
    notes: list[str] = field(default_factory=list)

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
        if not mpath.exists():
            raise CohortError(
                f"no {MANIFEST} and no dicom/ folder, so not a cohort folder", file=root,
                what="cohort folder",
                fix=f"give the folder that holds {MANIFEST}, write a {MANIFEST} naming the "
                    "cohort's files (README.md, 'Running on real TCIA/TCGA data'), or make a "
                    "demo cohort with `python -m pyradiogen demo-data --out DIR`")
        raise CohortError("the cohort has no DICOM part", file=mpath,
                          fix="add `dicom = \"<folder>\"` under [parts] in cohort.toml")
    notes: list[str] = []
    study1 = _study1(raw.get("study1", {}), mpath, notes)
    scheme = str(raw.get("id_scheme", "tcga")).lower()
    if scheme not in ("tcga", "any"):
        raise CohortError(f"id_scheme = {raw.get('id_scheme')!r} is not known", file=mpath,
                          fix='use id_scheme = "tcga" (TCGA barcodes) or "any" (other IDs)')
    studies = raw.get("studies")
    if studies is not None:
        studies = tuple(str(s) for s in ([studies] if isinstance(studies, str) else studies))
        bad = [s for s in studies if s not in STUDIES]
        if bad:
            raise CohortError(f"unknown study {bad[0]!r} in `studies`", file=mpath,
                              fix=f"use {', '.join(STUDIES)}")
    try:
        min_patients = int(raw.get("min_patients", DEFAULT_MIN_PATIENTS))
    except (TypeError, ValueError):
        raise CohortError(f"min_patients = {raw.get('min_patients')!r} is not a number",
                          file=mpath, fix="give a whole number") from None
    return Manifest(root=root, name=str(raw.get("name", root.name)),
                    kind=str(raw.get("kind", "tcga")), parts=parts, study1=study1, raw=raw,
                    id_scheme=scheme, studies=studies, min_patients=min_patients, notes=notes)


def _study1(given: dict[str, Any], mpath: Path, notes: list[str]) -> dict[str, Any]:
    """``[study1]`` with defaults; the old ``phase`` key (a temporal position) migrated."""
    study1 = dict(STUDY1_DEFAULTS)
    given = dict(given)
    if "phase" in given:
        old = given.pop("phase")
        if "post_phase" in given:
            raise CohortError("[study1] has both `phase` (old) and `post_phase`", file=mpath,
                              fix="keep only post_phase (0 = pre-contrast, 1 = first "
                                  "post-contrast)")
        try:
            given["post_phase"] = int(old) - 1
        except (TypeError, ValueError):
            raise CohortError(f"[study1] phase = {old!r} is not a number", file=mpath,
                              fix="write post_phase = 1 (first post-contrast)") from None
        notes.append(f"[study1] phase = {old} (old key: DICOM temporal position, 1 = "
                     f"pre-contrast) read as post_phase = {given['post_phase']}; write "
                     f"post_phase = {given['post_phase']} in {mpath.name}")
    unknown = sorted(set(given) - set(STUDY1_KEYS))
    if unknown:
        raise CohortError(f"unknown key(s) {unknown} in [study1]", file=mpath,
                          fix=f"use {', '.join(STUDY1_KEYS)}")
    study1.update(given)
    pp = study1["post_phase"]
    if not (pp == "last" or (isinstance(pp, int) and not isinstance(pp, bool) and pp >= 0)):
        raise CohortError(f"[study1] post_phase = {pp!r}", file=mpath,
                          fix='give 0 (pre-contrast), 1 (first post-contrast), 2, ... or "last"')
    fs = study1["field_strength"]
    if not (fs == "any" or (isinstance(fs, (int, float)) and not isinstance(fs, bool))):
        raise CohortError(f"[study1] field_strength = {fs!r}", file=mpath,
                          fix='give the field strength in tesla (1.5) or "any"')
    man = study1["manufacturer"]
    if not (isinstance(man, str) or (isinstance(man, list) and man
                                     and all(isinstance(m, str) for m in man))):
        raise CohortError(f"[study1] manufacturer = {man!r}", file=mpath,
                          fix='give a vendor ("GE"), a list (["GE", "Siemens"]) or "any"')
    return study1


def manifest_text(name: str, kind: str, parts: dict[str, str], **extra: Any) -> str:
    """The text of a ``cohort.toml`` (used by the demo generator and tests)."""
    doc: dict[str, Any] = {"name": name, "kind": kind}
    doc.update({k: v for k, v in extra.items() if not isinstance(v, dict)})
    doc["parts"] = dict(parts)
    doc.update({k: v for k, v in extra.items() if isinstance(v, dict)})
    return tomli_w.dumps(doc)
