"""The :class:`Cohort` object and :func:`load_cohort`."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import store
from ..resources import extdata, kegg_gmt
from . import clinical as _clinical
from . import dicom as _dicom
from . import expression as _expr
from . import masks as _masks
from . import tables as _tables
from .errors import CohortError
from .ids import read_patient_map, use_id_scheme
from .manifest import Manifest, read_manifest


@dataclass
class Check:
    """One validation result of a cohort part.

    Parameters
    ----------
    part : str
        The part (``dicom``, ``clinical``, ``expression`` …) or cross-check.
    status : {"ok", "warning", "error"}
        The outcome.
    detail : str
        What was found, in words.
    error : Exception or None, default None
        The reader's error when ``status`` is ``error``.
    """

    part: str
    status: str
    detail: str
    error: Exception | None = None


class Cohort:
    """A cohort directory: every part is read (and validated) on first access.

    :func:`pyradiogen.cohort.load_cohort` opens one and checks every part
    (:func:`pyradiogen.cohort.validate.validate_cohort`; the checks land in ``checks``). See
    ``docs/ARCHITECTURE.md`` for the attributes and the directory layout.

    Parameters
    ----------
    root : str or PathLike
        The cohort directory (holding ``cohort.toml``).
    cache_dir : str, PathLike or None, default None
        Where the DICOM index and parsed tables are cached (``<cohort>/.pyradiogen`` when
        None).
    progress : bool, default True
        Progress bars while indexing.
    n_jobs : int, default 1
        Processes indexing a large DICOM download.

    Raises
    ------
    CohortError
        A missing or invalid ``cohort.toml``.
    """

    def __init__(self, root: str | os.PathLike, cache_dir: str | os.PathLike | None = None,
                 progress: bool = True, n_jobs: int = 1) -> None:
        self.manifest: Manifest = read_manifest(root)
        self.root = self.manifest.root
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.progress = progress
        self.n_jobs = n_jobs
        self._expr_cache: dict[str, pd.DataFrame] = {}
        self.checks: list[Check] = []

    def __repr__(self) -> str:
        return f"Cohort({str(self.root)!r}, parts={sorted(self.manifest.parts)})"

    # ------------------------------------------------------------------ imaging
    @property
    def has_images(self) -> bool:
        """Whether the cohort has a DICOM part (a cohort of tables only has none)."""
        return self.manifest.path("dicom") is not None

    @cached_property
    def dicom_index(self) -> _dicom.DicomIndex:
        """The indexed DICOM folder (images, DCE exams, skipped files)."""
        if not self.has_images:
            raise CohortError("the cohort has no DICOM images", file=self.root / "cohort.toml",
                              fix="add `dicom = \"<folder>\"` under [parts] to use images; "
                                  "stages that need images are skipped without")
        with use_id_scheme(self.manifest.id_scheme):
            return _dicom.index_dicom_full(self.manifest.parts["dicom"], self.cache_dir,
                                           n_jobs=self.n_jobs)

    @property
    def images(self) -> pd.DataFrame:
        """One row per DICOM slice (or frame of a multi-frame file), indexed by ``image_id``.

        ``exam_id``/``phase``/``phase_rule``/``role`` come from DCE exam assembly; the other
        columns are listed in ``docs/ARCHITECTURE.md``.
        """
        return self.dicom_index.images

    @property
    def exams(self) -> pd.DataFrame:
        """One row per DCE exam, with its phases and the rule that decided each.

        Columns: patient, study, series, phases (0 = pre-contrast), ``ordered`` and a
        ``note`` (see :mod:`pyradiogen.cohort.dce`).
        """
        return self.dicom_index.exams

    @property
    def skipped(self) -> pd.DataFrame:
        """Files under the DICOM folder that were not indexed, with the reason.

        SEG, RTSTRUCT, SR, presentation states, non-DICOM files …: ``path, reason, kind,
        modality, sop_class``.
        """
        return self.dicom_index.skipped

    @cached_property
    def series(self) -> pd.DataFrame:
        """One row per series (patient, scanner, exam, phases, n_images, role, dce)."""
        return _dicom.series_table(self.images)

    @property
    def patients(self) -> pd.Index:
        """Patients with DICOM images (sorted; empty for a cohort without images)."""
        if not self.has_images:
            return pd.Index([], name="patient_id", dtype=object)
        return pd.Index(sorted(self.images["patient_id"].unique()), name="patient_id")

    def pixels(self, image_id: str) -> np.ndarray:
        """Pixel values of one slice, rescale slope and intercept applied.

        Parameters
        ----------
        image_id : str
            An index value of :attr:`images`.

        Returns
        -------
        ndarray of float32, shape (rows, cols)
            Values in the scanner's unit after ``RescaleSlope``/``RescaleIntercept``.

        Raises
        ------
        CohortError
            For an unknown image or a cohort without DICOM.
        """
        try:
            row = self.images.loc[image_id]
        except KeyError:
            raise CohortError(f"unknown image_id {image_id!r}",
                              fix="use an index value of Cohort.images") from None
        return _dicom.read_pixels(self.manifest.parts["dicom"] / row["path"],
                                  row["rescale_slope"], row["rescale_intercept"],
                                  int(row["frame"]))

    @cached_property
    def rois(self) -> pd.DataFrame:
        """The cohort's ROIs, one row per patient and reader.

        patient_id, reader, image_id, mask_path, sop_instance_uid, source (file, seg,
        rtstruct), segment, ref_sop (empty when the cohort has no ROIs).
        """
        p = self.manifest.path("rois")
        if p is None:
            return pd.DataFrame(columns=["patient_id", "reader", "image_id", "mask_path",
                                         "sop_instance_uid", "source", "segment", "ref_sop"])
        with use_id_scheme(self.manifest.id_scheme):
            return _masks.read_rois(p, self.images, self.root,
                                    dicom_root=self.manifest.parts["dicom"])

    def mask(self, patient_id: str, reader: str) -> np.ndarray:
        """One reader's ROI of a patient, aligned to the pixels of its slice.

        Parameters
        ----------
        patient_id : str
            The patient.
        reader : str
            The reader (a folder of ``rois/`` or the ``reader`` column of ``rois.csv``).

        Returns
        -------
        ndarray of uint8, shape (rows, cols)
            1 = lesion, aligned to ``pixels(image_id)`` of the ROI's slice.

        Raises
        ------
        CohortError
            No ROI of that reader, or a mask whose shape differs from its slice.
        """
        r = self.rois[(self.rois["patient_id"] == patient_id) & (self.rois["reader"] == reader)]
        if r.empty:
            raise CohortError(f"no ROI of reader {reader!r}", patient=patient_id,
                              fix=f"readers with ROIs: {sorted(self.rois['reader'].unique())}")
        row = r.iloc[0]
        m = _masks.roi_mask(row, self.images, self.manifest.parts["dicom"])
        img = self.images.loc[row["image_id"]]
        if m.shape != (img["rows"], img["cols"]):
            raise CohortError(f"mask shape {m.shape} differs from its slice "
                              f"({img['rows']}, {img['cols']})", file=row["mask_path"],
                              patient=patient_id, fix="export the mask on the slice's grid")
        return m

    # ------------------------------------------------------------------ patient IDs
    @cached_property
    def id_map(self) -> dict[str, dict[str, str]]:
        """``patients.csv`` as maps from expression and clinical IDs to patient IDs.

        ``patients.csv`` as {"expression": {ID: patient_id}, "clinical": {ID: patient_id}}
        (empty maps without the part).
        """
        p = self.manifest.path("patients")
        if p is None:
            return {"expression": {}, "clinical": {}}
        return read_patient_map(p, self.manifest.id_scheme)

    def _to_patients(self, obj, kind: str):
        """Rename a table's patient IDs to the imaging patient IDs of ``patients.csv``.

        Rename a table's patient index (or an Index) from expression/clinical IDs to the
        imaging patient IDs of ``patients.csv``.
        """
        m = self.id_map[kind]
        if not m:
            return obj
        if isinstance(obj, pd.Index):
            return pd.Index([m.get(v, v) for v in obj], name=obj.name)
        out = obj.copy()
        out.index = pd.Index([m.get(v, v) for v in out.index], name=obj.index.name)
        return out

    def _read(self, fn, *args, **kw):
        """Call a reader under the cohort's ID scheme."""
        with use_id_scheme(self.manifest.id_scheme):
            return fn(*args, **kw)

    # ------------------------------------------------------------------ tables
    @cached_property
    def _clinical_pair(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        p = self.manifest.path("clinical")
        if p is None:
            raise CohortError("the cohort has no clinical table", file=self.root / "cohort.toml",
                              fix="add `clinical = \"clinical.tsv\"` under [parts]")
        cl, raw = self._read(_clinical.read_clinical, p)
        return self._to_patients(cl, "clinical"), self._to_patients(raw, "clinical")

    @property
    def clinical(self) -> pd.DataFrame:
        """age, T, N, ER, PR, HER2 (Int64), pam50, sex (category), indexed by patient_id.

        ``clinical.attrs["missing"]``: missing values per column and how they are written.
        """
        return self._clinical_pair[0]

    @property
    def clinical_raw(self) -> pd.DataFrame:
        """The clinical table as read: TCGA Supplementary Table 1 columns, as text.

        Missing-value spellings are ``None``.
        """
        return self._clinical_pair[1]

    def _optional(self, part: str, reader, default=None, kind: str | None = None):
        p = self.manifest.path(part)
        if p is None:
            return default
        out = self._read(reader, p)
        return self._to_patients(out, kind) if kind else out

    @cached_property
    def crf36(self) -> pd.DataFrame | None:
        """Patients × the 36 TCGA Breast Phenotype features (None when absent)."""
        return self._optional("crf36", _tables.read_crf36, kind="clinical")

    @cached_property
    def timer(self) -> pd.DataFrame | None:
        """Patients × B_cell, CD4_T, CD8_T, Neutrophil, Macrophage, Dendritic."""
        return self._optional("timer", _tables.read_timer, kind="expression")

    @cached_property
    def _immune_pair(self) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
        p = self.manifest.path("immune")
        if p is None:
            return None, None
        cells, stats = self._read(_tables.read_immune_estimates, p,
                                  duplicates=self.manifest.immune_duplicates)
        return self._to_patients(cells, "expression"), self._to_patients(stats, "expression")

    @property
    def immune(self) -> pd.DataFrame | None:
        """Patients × the cell types of the ``immune`` part (None when absent).

        Any per-sample immune table: PanImmune CIBERSORT fractions, leukocyte fraction ….
        Several tumour aliquots of a patient follow ``[immune] duplicates``. Run statistics
        (CIBERSORT's ``P-value``, ``Correlation``, ``RMSE`` …) are not cell types: they are
        left out (``attrs["run_statistics"]`` names them) and kept in :attr:`immune_qc`.
        """
        return self._immune_pair[0]

    @property
    def immune_qc(self) -> pd.DataFrame | None:
        """Patients × the run statistics of the ``immune`` part (None when absent).

        CIBERSORT's ``P-value``, ``Correlation``, ``RMSE``, xCell's and ESTIMATE's summary
        scores (:data:`pyradiogen.cohort.tables.IMMUNE_RUN_STATISTICS`); no columns when the
        table has none.
        """
        return self._immune_pair[1]

    @property
    def expression_kind(self) -> str | None:
        """What the expression matrix holds, or None when cohort.toml does not say.

        ``[expression] kind``: counts, tpm, fpkm, rsem or log2.
        """
        return self.manifest.expression_kind

    @cached_property
    def risk_genes(self) -> list[str] | None:
        """The risk-gene list (None when absent)."""
        return self._optional("risk_genes", _tables.read_risk_genes)

    @cached_property
    def gene_sets(self) -> dict[str, list[str]]:
        """The cohort's GMT, or the bundled MSigDB C2 KEGG v7.2 sets."""
        p = self.manifest.path("genesets")
        return _tables.read_gmt(p if p is not None else kegg_gmt())

    @cached_property
    def truth(self) -> dict[str, Any] | None:
        """Planted links of a demo cohort (None for real data)."""
        p = self.manifest.path("truth")
        return json.loads(p.read_text(encoding="utf-8")) if p is not None else None

    # ------------------------------------------------------------------ expression
    @cached_property
    def expression_patients(self) -> pd.Index:
        """Patients with tumour RNA-seq (from file names; nothing is read)."""
        if self.manifest.path("star_counts") is not None:
            f = self._read(_expr.star_files, self.manifest.parts["star_counts"],
                           self.manifest.path("sample_sheet"))
            return pd.Index(sorted(self._to_patients(pd.Index(f["patient_id"]), "expression")),
                            name="patient_id")
        if self.manifest.path("matrix") is not None:
            return pd.Index(sorted(self.expression("matrix").index), name="patient_id")
        return pd.Index([], name="patient_id")

    def expression(self, value: str = "unstranded") -> pd.DataFrame:
        """Tumour expression, patients × gene symbols.

        Parameters
        ----------
        value : str, default "unstranded"
            A STAR-counts column (``unstranded``, ``tpm_unstranded``, ``fpkm_unstranded`` …) or
            ``"matrix"`` for the merged matrix ``expression/matrix.tsv``.

        Returns
        -------
        DataFrame, shape (n_patients, n_genes)
            Indexed by ``patient_id``; values as the files hold them (see
            :attr:`expression_kind`).

        Raises
        ------
        CohortError
            If the cohort has no expression data or ``value`` is not a column of its files.
        """
        if value in self._expr_cache:
            return self._expr_cache[value]
        if value == "matrix" or self.manifest.path("star_counts") is None:
            p = self.manifest.path("matrix")
            if p is None:
                raise CohortError("the cohort has no expression data",
                                  file=self.root / "cohort.toml",
                                  fix="add `star_counts` or `matrix` under [parts]")
            out, genes = self._read(_expr.read_expression_matrix, p)
            self._matrix_genes = genes
        else:
            mat, genes, stats = self._star(value)
            self._star_genes = genes
            self.star_stats = stats
            out = _expr.by_symbol(mat, genes)
        out = self._to_patients(out, "expression")
        self._expr_cache[value] = out
        return out

    @property
    def cache_root(self) -> Path:
        """Where indexes and parsed tables are cached (``<cohort>/.pyradiogen`` by default)."""
        base = self.manifest.parts.get("dicom") or self.root / "dicom"
        return self.cache_dir or _dicom.default_cache_dir(base)

    def _star(self, value: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """STAR-counts matrix of one value, cached as parquet keyed by the files' stats."""
        folder = self.manifest.parts["star_counts"]
        sheet = self.manifest.path("sample_sheet")
        files = self._read(_expr.star_files, folder, sheet)
        h = hashlib.sha256(f"{value}|{sheet}|{_expr.CACHE_VERSION}|"
                           f"{self.manifest.id_scheme}".encode())
        for f in files["path"]:
            st = Path(f).stat()
            h.update(f"{Path(f).name}|{st.st_size}|{st.st_mtime_ns}\n".encode())
        key = h.hexdigest()[:20]
        cdir = self.cache_root
        paths = [cdir / f"star_{value}_{key}_{part}.parquet" for part in ("x", "genes", "stats")]
        if all(p.exists() for p in paths):
            return tuple(pd.read_parquet(p) for p in paths)  # type: ignore[return-value]
        res = self._read(_expr.read_star_matrix, folder, value, sheet, progress=self.progress)
        try:
            for old in cdir.glob(f"star_{value}_*.parquet"):
                old.unlink(missing_ok=True)
            for frame, p in zip(res, paths):
                store.write_frame(frame, p)
        except OSError:
            pass
        return res

    @cached_property
    def genes(self) -> pd.DataFrame:
        """gene_id (Ensembl), gene_name, gene_type, entrez (Int64)."""
        p = self.manifest.path("genes")
        if p is not None:
            return _expr.read_gene_table(p)
        if self.manifest.path("star_counts") is not None:
            self.expression("unstranded")
            g = self._star_genes.copy()
        else:
            self.expression("matrix")
            g = self._matrix_genes.assign(gene_id=pd.NA, gene_type=pd.NA)
        if "entrez" not in g or g["entrez"].isna().all():
            g["entrez"] = g["gene_name"].map(_bundled_entrez())
        g["entrez"] = pd.array(g["entrez"], dtype="Int64")
        return g[["gene_id", "gene_name", "gene_type", "entrez"]]

    # ------------------------------------------------------------------ validation


def _bundled_entrez() -> dict[str, int]:
    """Symbol → Entrez from the bundled genefu tables (for cohorts without a gene table)."""
    out: dict[str, int] = {}
    for f in sorted(extdata("genefu").glob("*.csv")):
        d = pd.read_csv(f)
        if "EntrezGene.ID" not in d:
            continue
        for col in ("symbol", "NCBI.gene.symbol", "HUGO.gene.symbol", "probe"):
            if col in d:
                for s, e in zip(d[col], d["EntrezGene.ID"]):
                    if isinstance(s, str) and pd.notna(e) and s not in out:
                        out[s] = int(e)
    return out
