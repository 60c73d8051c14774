"""Cohort readers, validation and study assembly.

A cohort is a folder with a ``cohort.toml`` manifest (see :mod:`.manifest` and
``docs/ARCHITECTURE.md``)::

    from pyradiogen.cohort import load_cohort
    c = load_cohort("COHORT")      # reads and validates every part
    c.images, c.exams, c.skipped, c.pixels(image_id), c.rois, c.mask(patient_id, reader),
    c.clinical,
    c.expression("unstranded"), c.genes, c.crf36, c.timer, c.immune, c.immune_qc,
    c.risk_genes,
    c.gene_sets, c.truth
    from pyradiogen.studies import liu2023, kim2020
    s1 = liu2023.assemble(c)       # study 1: exclusions flowchart, selected images, Table 1
    s2 = kim2020.assemble(c)       # study 2: patients with two readers' ROIs and RNA-seq

Every part is optional: a cohort of tables (expression, clinical …) without DICOM images is
a cohort too (``c.has_images`` is False; ``replicate`` skips the stages that need images).

DCE phases are numbered per exam from the pre-contrast phase 0 (:mod:`.dce`); non-image
objects (SEG, RTSTRUCT, SR …) are skipped at indexing and listed in ``c.skipped``; SEG and
RTSTRUCT objects can be ROI sources (:mod:`.roi_objects`); ``id_scheme = "any"`` accepts
non-TCGA patient IDs (:mod:`.ids`).

Every reader raises :class:`CohortError` naming the file, patient or gene and the fix. Every
table (cohort parts and command-line inputs alike) is read by :func:`read_table`
(:mod:`.usertable`): missing-value spellings, duplicated columns/IDs, the ID column and numeric
cells under one set of rules.
"""

from .assemble import StudyCohort
from .core import Check, Cohort
from .errors import CohortError
from .ids import patient_barcode
from .tables import read_gmt
from .usertable import NA_SPELLINGS, Table, TableError, read_table
from .validate import load_cohort, validate_cohort

__all__ = ["NA_SPELLINGS", "Check", "Cohort", "CohortError", "StudyCohort", "Table",
           "TableError", "load_cohort", "patient_barcode", "read_gmt", "read_table",
           "validate_cohort"]
