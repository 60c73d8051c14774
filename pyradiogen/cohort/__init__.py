"""Cohort readers, validation and study assembly.

A cohort is a folder with a ``cohort.toml`` manifest (see :mod:`.manifest` and
``docs/ARCHITECTURE.md``)::

    from pyradiogen.cohort import load_cohort
    c = load_cohort("COHORT")      # reads and validates every part
    c.images, c.exams, c.skipped, c.pixels(image_id), c.rois, c.mask(patient_id, reader),
    c.clinical,
    c.expression("unstranded"), c.genes, c.crf36, c.timer, c.risk_genes, c.gene_sets, c.truth
    s1 = c.study1()                # exclusions flowchart, selected images, Table 1
    s2 = c.study2()                # patients with two readers' ROIs and RNA-seq
    # the same as assemble_study1(c) / assemble_study2(c); results are StudyCohort objects

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
from .assemble import study1 as assemble_study1
from .assemble import study2 as assemble_study2
from .core import Check, Cohort, load_cohort
from .errors import CohortError
from .ids import patient_barcode
from .tables import read_gmt
from .usertable import NA_SPELLINGS, Table, TableError, read_table

__all__ = ["NA_SPELLINGS", "Check", "Cohort", "CohortError", "StudyCohort", "Table",
           "TableError", "assemble_study1", "assemble_study2", "load_cohort", "patient_barcode",
           "read_gmt", "read_table"]
