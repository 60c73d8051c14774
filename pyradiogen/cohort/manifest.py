"""``cohort.toml``: the manifest naming the parts of a cohort directory.

Example (every path relative to the cohort directory; every part optional — what a cohort
holds decides which stages ``replicate`` runs, see ``pyradiogen validate``)::

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
    timer = "timer.csv"                              # TIMER: patient barcode + 6 cell types
    immune = "immune.tsv"                            # any per-sample immune table (PanImmune
                                                     # CIBERSORT, leukocyte fraction ...)
    risk_genes = "risk_genes.txt"
    genesets = "genesets.gmt"                        # the bundled KEGG v7.2 GMT otherwise
    truth = "truth.json"                             # demo cohorts only

    [liu2023]            # study liu2023's image selection ([study1] is read as the old name)
    post_phase = 1       # post-contrast phase used for the 2-D images: 0 = pre-contrast,
                         # 1 = first post-contrast (the default), ..., or "last"
    manufacturer = "GE"  # accepted vendors: a name, a list (["GE", "Siemens"]) or "any"
    field_strength = 1.5 # accepted field strength in T, or "any"
    max_slices = 5       # optional: keep this many slices around the middle of the phase

    [expression]
    kind = "counts"      # what `matrix` holds: "counts" (raw read counts), "tpm", "fpkm",
                         # "rsem" (RSEM-normalised, TCGA legacy), or "log2" (already
                         # log2-transformed); the genomics stage prepares it accordingly and
                         # refuses values whose scale contradicts it. STAR-counts files say
                         # what they hold per column, so `kind` describes `matrix` only.

    [immune]
    duplicates = "error" # a patient with several tumour aliquots in `immune`: "error"
                         # (refuse, naming them), "mean" (average them) or "first"

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
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from .errors import CohortError

MANIFEST = "cohort.toml"
PARTS = ("dicom", "rois", "patients", "star_counts", "sample_sheet", "matrix", "genes",
         "clinical", "crf36", "timer", "immune", "risk_genes", "genesets", "truth")
DEFAULT_PARTS = {
    "dicom": "dicom", "rois": "rois/rois.csv", "patients": "patients.csv",
    "star_counts": "expression/star_counts",
    "matrix": "expression/matrix.tsv", "genes": "expression/genes.tsv",
    "clinical": "clinical.tsv", "crf36": "crf36.csv", "timer": "timer.csv",
    "risk_genes": "risk_genes.txt", "genesets": "genesets.gmt", "truth": "truth.json",
}
LIU2023_DEFAULTS = {"post_phase": 1, "manufacturer": "GE", "field_strength": 1.5}
LIU2023_KEYS = ("post_phase", "manufacturer", "field_strength", "max_slices")
#: the studies of ``pyradiogen.studies`` (``studies`` in cohort.toml may name others: a study is
#: one module there, and ``validate``/``replicate`` check the names against it)
STUDIES = ("liu2023", "kim2020")
DEFAULT_MIN_PATIENTS = 20
#: what an expression matrix can hold (``[expression] kind``)
EXPRESSION_KINDS = ("counts", "tpm", "fpkm", "rsem", "log2")
IMMUNE_DUPLICATES = ("error", "mean", "first")


@dataclass
class Manifest:
    """The parsed manifest: ``root``, resolved ``parts`` (only those that exist) and settings."""

    root: Path
    name: str = ""
    kind: str = "tcga"
    parts: dict[str, Path] = field(default_factory=dict)
    liu2023: dict[str, Any] = field(default_factory=lambda: dict(LIU2023_DEFAULTS))
    raw: dict[str, Any] = field(default_factory=dict)
    id_scheme: str = "tcga"
    studies: tuple[str, ...] | None = None
    min_patients: int = DEFAULT_MIN_PATIENTS
    notes: list[str] = field(default_factory=list)
    expression_kind: str | None = None
    immune_duplicates: str = "error"

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
    if not parts:
        if not mpath.exists():
            raise CohortError(
                f"no {MANIFEST} and no dicom/ folder, so not a cohort folder", file=root,
                what="cohort folder",
                fix=f"give the folder that holds {MANIFEST}, write a {MANIFEST} naming the "
                    "cohort's files (README.md, 'Running on real TCIA/TCGA data'), or make a "
                    "demo cohort with `python -m pyradiogen demo-data --out DIR`")
        raise CohortError("the cohort names no part (no [parts] table and none of the default "
                          "files exists)", file=mpath,
                          fix="list the cohort's files under [parts] in cohort.toml")
    notes: list[str] = []
    kind = _expression_kind(raw.get("expression", {}), parts, mpath)
    dups = _immune_duplicates(raw.get("immune", {}), mpath)
    if "study1" in raw and "liu2023" in raw:
        raise CohortError("has both [liu2023] and [study1] (its old name)", file=mpath,
                          fix="keep [liu2023] only")
    if "study1" in raw:
        notes.append(f"[study1] (old name) read as [liu2023]; rename the section in "
                     f"{mpath.name}")
    liu2023 = _liu2023(raw.get("liu2023", raw.get("study1", {})), mpath, notes)
    scheme = str(raw.get("id_scheme", "tcga")).lower()
    if scheme not in ("tcga", "any"):
        raise CohortError(f"id_scheme = {raw.get('id_scheme')!r} is not known", file=mpath,
                          fix='use id_scheme = "tcga" (TCGA barcodes) or "any" (other IDs)')
    studies = raw.get("studies")
    if studies is not None:
        studies = tuple(str(s) for s in ([studies] if isinstance(studies, str) else studies))
        bad = [s for s in studies if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", s)]
        if bad:
            raise CohortError(f"study name {bad[0]!r} in `studies` is not a module name",
                              file=mpath, fix=f"name studies of pyradiogen.studies, e.g. "
                                              f"{', '.join(STUDIES)}")
    try:
        min_patients = int(raw.get("min_patients", DEFAULT_MIN_PATIENTS))
    except (TypeError, ValueError):
        raise CohortError(f"min_patients = {raw.get('min_patients')!r} is not a number",
                          file=mpath, fix="give a whole number") from None
    return Manifest(root=root, name=str(raw.get("name", root.name)),
                    kind=str(raw.get("kind", "tcga")), parts=parts, liu2023=liu2023, raw=raw,
                    id_scheme=scheme, studies=studies, min_patients=min_patients, notes=notes,
                    expression_kind=kind, immune_duplicates=dups)


def _expression_kind(given: Any, parts: dict[str, Path], mpath: Path) -> str | None:
    """``[expression] kind``: what the merged matrix holds (None when not stated)."""
    if not isinstance(given, dict):
        raise CohortError("[expression] must be a table", file=mpath,
                          fix='write [expression] then kind = "counts" (or tpm, fpkm, rsem, '
                              'log2)')
    unknown = sorted(set(given) - {"kind"})
    if unknown:
        raise CohortError(f"unknown key(s) {unknown} in [expression]", file=mpath,
                          fix="use kind")
    if "kind" not in given:
        return None
    kind = str(given["kind"]).lower()
    if kind not in EXPRESSION_KINDS:
        raise CohortError(f"[expression] kind = {given['kind']!r} is not known", file=mpath,
                          fix=f"say what the matrix holds: {', '.join(EXPRESSION_KINDS)}")
    if "matrix" not in parts:
        raise CohortError("[expression] kind describes the merged `matrix`, but the cohort has "
                          "none", file=mpath,
                          fix="add `matrix = \"...\"` under [parts], or remove [expression] "
                              "(STAR-counts files say what each column holds)")
    return kind


def _immune_duplicates(given: Any, mpath: Path) -> str:
    if not isinstance(given, dict) or sorted(set(given) - {"duplicates"}):
        raise CohortError("[immune] takes one key, duplicates", file=mpath,
                          fix='write duplicates = "error" (or "mean", "first")')
    rule = str(given.get("duplicates", "error"))
    if rule not in IMMUNE_DUPLICATES:
        raise CohortError(f"[immune] duplicates = {rule!r} is not known", file=mpath,
                          fix=f"use one of {', '.join(IMMUNE_DUPLICATES)}")
    return rule


def _liu2023(given: dict[str, Any], mpath: Path, notes: list[str]) -> dict[str, Any]:
    """``[liu2023]`` with defaults; the old ``phase`` key (a temporal position) migrated."""
    sel = dict(LIU2023_DEFAULTS)
    given = dict(given)
    if "phase" in given:
        old = given.pop("phase")
        if "post_phase" in given:
            raise CohortError("[liu2023] has both `phase` (old) and `post_phase`", file=mpath,
                              fix="keep only post_phase (0 = pre-contrast, 1 = first "
                                  "post-contrast)")
        try:
            given["post_phase"] = int(old) - 1
        except (TypeError, ValueError):
            raise CohortError(f"[liu2023] phase = {old!r} is not a number", file=mpath,
                              fix="write post_phase = 1 (first post-contrast)") from None
        notes.append(f"[liu2023] phase = {old} (old key: DICOM temporal position, 1 = "
                     f"pre-contrast) read as post_phase = {given['post_phase']}; write "
                     f"post_phase = {given['post_phase']} in {mpath.name}")
    unknown = sorted(set(given) - set(LIU2023_KEYS))
    if unknown:
        raise CohortError(f"unknown key(s) {unknown} in [liu2023]", file=mpath,
                          fix=f"use {', '.join(LIU2023_KEYS)}")
    sel.update(given)
    pp = sel["post_phase"]
    if not (pp == "last" or (isinstance(pp, int) and not isinstance(pp, bool) and pp >= 0)):
        raise CohortError(f"[liu2023] post_phase = {pp!r}", file=mpath,
                          fix='give 0 (pre-contrast), 1 (first post-contrast), 2, ... or "last"')
    fs = sel["field_strength"]
    if not (fs == "any" or (isinstance(fs, (int, float)) and not isinstance(fs, bool))):
        raise CohortError(f"[liu2023] field_strength = {fs!r}", file=mpath,
                          fix='give the field strength in tesla (1.5) or "any"')
    man = sel["manufacturer"]
    if not (isinstance(man, str) or (isinstance(man, list) and man
                                     and all(isinstance(m, str) for m in man))):
        raise CohortError(f"[liu2023] manufacturer = {man!r}", file=mpath,
                          fix='give a vendor ("GE"), a list (["GE", "Siemens"]) or "any"')
    return sel


def manifest_text(name: str, kind: str, parts: dict[str, str], **extra: Any) -> str:
    """The text of a ``cohort.toml`` (used by the demo generator and tests)."""
    doc: dict[str, Any] = {"name": name, "kind": kind}
    doc.update({k: v for k, v in extra.items() if not isinstance(v, dict)})
    doc["parts"] = dict(parts)
    doc.update({k: v for k, v in extra.items() if isinstance(v, dict)})
    return tomli_w.dumps(doc)
