"""Checks of a cohort: loading, validating, and what ``pyradiogen validate`` prints.

Checks of a cohort: :func:`load_cohort`, :func:`validate_cohort` and what
``python -m pyradiogen validate DIR`` prints (:func:`report`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from .core import Check, Cohort
from .errors import CohortError
from .tables import RunStatisticsWarning, run_statistics_message


def validate_cohort(c: Cohort, raise_on_error: bool = True, masks: bool = True
                    ) -> list[Check]:
    """Read every part of a cohort and check it.

    Parameters
    ----------
    c : Cohort
        A loaded cohort.
    raise_on_error : bool, default True
        Raise the first error (the reader's own :class:`CohortError`, naming the file,
        patient or gene).
    masks : bool, default True
        Also read every ROI mask.

    Returns
    -------
    list of Check
        One per part (also kept in ``c.checks``).

    Raises
    ------
    CohortError
        With ``raise_on_error``, the first problem found.
    """
    c.checks = run_checks(c, masks=masks)
    errors = [ch for ch in c.checks if ch.status == "error"]
    if errors and raise_on_error:
        raise errors[0].error
    return c.checks


def load_cohort(path: str | os.PathLike, validate: bool = True,
                cache_dir: str | os.PathLike | None = None, progress: bool = True,
                n_jobs: int = 1) -> Cohort:
    """Open a cohort directory (``cohort.toml``) and, by default, check every part now.

    Parameters
    ----------
    path : str or PathLike
        The cohort directory.
    validate : bool, default True
        Read and check every part now (:func:`validate_cohort`); otherwise parts are read on
        first access.
    cache_dir : str, PathLike or None, default None
        Where the DICOM index is cached (``<cohort>/.pyradiogen`` when None).
    progress : bool, default True
        Progress bars while indexing.
    n_jobs : int, default 1
        Processes indexing a large DICOM download.

    Returns
    -------
    Cohort
        The opened cohort.

    Raises
    ------
    CohortError
        A missing or invalid ``cohort.toml`` or, with ``validate``, the first problem in a
        part (file, patient or gene named).
    """
    c = Cohort(path, cache_dir=cache_dir, progress=progress, n_jobs=n_jobs)
    if validate:
        validate_cohort(c, raise_on_error=True)
    return c


def _run(part: str, fn: Callable[[], list[Check] | str]) -> list[Check]:
    try:
        res = fn()
    except CohortError as exc:
        return [Check(part, "error", str(exc), exc)]
    except (OSError, ValueError) as exc:
        err = CohortError(f"{type(exc).__name__}: {exc}", fix="check this part of the cohort")
        return [Check(part, "error", str(err), err)]
    return res if isinstance(res, list) else [Check(part, "ok", res)]


def _sample(items, k: int = 5) -> str:
    items = list(items)
    more = f" … (+{len(items) - k})" if len(items) > k else ""
    return ", ".join(map(str, items[:k])) + more


def run_checks(c: Cohort, masks: bool = True) -> list[Check]:
    """Read and cross-check every part of the cohort.

    Parameters
    ----------
    c : Cohort
        A loaded cohort.
    masks : bool, default True
        Also read every ROI mask.

    Returns
    -------
    list of Check
        One per part and cross-check (``ok``, ``warning`` or ``error``).
    """
    checks: list[Check] = []

    def dicom():
        im, se = c.images, c.series
        ex = c.exams
        n_ord = int(ex["ordered"].sum()) if len(ex) else 0
        out = [Check("dicom", "ok", f"{len(im)} slices, {im['patient_id'].nunique()} patients, "
                                    f"{len(se)} series; {n_ord} DCE exam(s) with ordered "
                                    "phases")]
        for note in c.manifest.notes:
            out.append(Check("dicom", "warning", note))
        sk = c.skipped
        if len(sk):
            kinds = sk["reason"].str.replace(r" \(.*", "", regex=True).value_counts()
            out.append(Check("dicom", "ok", f"{len(sk)} file(s) not indexed: " + "; ".join(
                f"{n} {k}" for k, n in kinds.items())))
            rois_given = c.manifest.path("rois") is not None
            segs = sk[sk["modality"].isin(["SEG", "RTSTRUCT"])] if "modality" in sk \
                else sk.iloc[:0]
            if len(segs) and not rois_given:
                base = c.manifest.path("dicom")
                try:
                    base = base.relative_to(c.root)
                except ValueError:
                    pass
                files = [str(base / p) for p in segs["path"]]
                out.append(Check("dicom", "ok", f"{len(segs)} DICOM SEG/RTSTRUCT object(s) "
                                 f"({_sample(files, 2)}) can be ROIs of study kim2020: "
                                 "list them in rois/rois.csv (mask = the file, segment = the "
                                 "segment number or label; `rois` in cohort.toml)"))
        if len(ex):
            for r in ex[~ex["ordered"]].itertuples():
                out.append(Check("dicom", "warning", f"DCE exam {r.exam_id} (series "
                                 f"{_sample(r.series_uids, 2)}) cannot be ordered: {r.note}"))
            for r in ex[ex["ordered"] & ex["note"].astype(bool)].itertuples():
                out.append(Check("dicom", "warning", f"DCE exam {r.exam_id}: {r.note} "
                                 f"(phases from {r.rule})"))
        owners = im.groupby("series_uid")["patient_id"].nunique()
        if (owners > 1).any():
            uid = owners[owners > 1].index[0]
            pats = sorted(im.loc[im["series_uid"] == uid, "patient_id"].unique())
            err = CohortError(f"series {uid} holds slices of {len(pats)} patients "
                              f"({', '.join(pats)})", patient=pats[0],
                              fix="correct the PatientID tags (a series belongs to one patient)")
            out.append(Check("dicom", "error", str(err), err))
        geo = im.groupby("series_uid")[["rows", "cols", "pixel_spacing_row"]].nunique()
        mixed = geo[(geo > 1).any(axis=1)].index
        if len(mixed):
            out.append(Check("dicom", "warning", f"{len(mixed)} series mix matrix sizes or "
                             f"pixel spacings: {_sample(mixed, 2)}"))
        nofs = se["field_strength"].isna()
        if nofs.any():
            out.append(Check("dicom", "warning", f"{int(nofs.sum())} series without "
                             "MagneticFieldStrength: study liu2023 cannot keep them"))
        return out
    if c.has_images:
        checks += _run("dicom", dicom)
    else:
        checks.append(Check("dicom", "ok", "no DICOM images (a cohort of tables): the stages "
                                           "that need images are skipped"))
    imaging_ok = c.has_images and not any(ch.status == "error" for ch in checks
                                          if ch.part == "dicom")

    if c.manifest.path("rois") is not None and imaging_ok:
        def rois():
            r = c.rois
            if masks:
                for row in r.itertuples():
                    c.mask(row.patient_id, row.reader)
            n2 = int((r.groupby("patient_id")["reader"].nunique() >= 2).sum())
            return (f"{len(r)} ROIs by {r['reader'].nunique()} readers; {n2} patients with "
                    "two readers")
        checks += _run("rois", rois)

    has_expr = (c.manifest.path("star_counts") or c.manifest.path("matrix")) is not None
    if has_expr:
        def expression():
            value = "unstranded" if c.manifest.path("star_counts") else "matrix"
            x = c.expression(value)
            out = [Check("expression", "ok",
                         f"{x.shape[0]} tumour samples × {x.shape[1]} genes ({value})")]
            if value == "unstranded":
                from .expression import star_files
                normal = star_files(c.manifest.path("star_counts"),
                                    c.manifest.path("sample_sheet")).attrs["normal_samples"]
            else:
                left = c._matrix_genes.attrs
                normal = left.get("normal_samples", [])
                if left.get("rows_without_symbol"):
                    out.append(Check("expression", "ok",
                                     f"{left['rows_without_symbol']} row(s) without a gene "
                                     "symbol ('?|ENTREZ') left out"))
            if normal:
                out.append(Check("expression", "ok",
                                 f"{len(normal)} normal-tissue sample(s) left out (tumour "
                                 f"samples are used): {_sample(normal)}"))
            if imaging_ok:
                miss = c.patients.difference(x.index)
                if len(miss):
                    out.append(Check("expression", "warning",
                                     f"{len(miss)} imaged patient(s) without RNA-seq: "
                                     f"{_sample(miss)}"))
            if c.manifest.path("matrix") is not None and value != "matrix":
                m = c.expression("matrix")
                out.append(Check("expression", "ok",
                                 f"merged matrix: {m.shape[0]} samples × {m.shape[1]} genes"))
            lib = x.sum(axis=1) if value == "unstranded" else None
            if lib is not None:
                empty = lib.index[lib <= 0]
                if len(empty):
                    err = CohortError("sample has no counts at all", patient=str(empty[0]),
                                      fix="remove or re-download the sample's file")
                    out.append(Check("expression", "error", str(err), err))
                low = lib.index[(lib > 0) & (lib < 0.1 * lib.median())]
                if len(low):
                    out.append(Check("expression", "warning", f"{len(low)} sample(s) with a "
                                     f"library under 10% of the median: {_sample(low)}"))
            return out
        checks += _run("expression", expression)

        def genes():
            g = c.genes
            n = int(g['entrez'].notna().sum())
            rest = (" (signatures map the others' symbols with org.Hs.eg.db)"
                    if n < len(g) else "")
            return f"{len(g)} genes, {n} with Entrez IDs{rest}"
        checks += _run("genes", genes)

    if c.manifest.path("clinical") is not None:
        def clinical():
            cl = c.clinical
            out = [Check("clinical", "ok", f"{len(cl)} patients")]
            miss = [r for r in cl.attrs.get("missing", []) if r["n_missing"]]
            if miss:
                out.append(Check("clinical", "ok", "missing values per column (patients kept; "
                                 "each analysis leaves out its own): " + "; ".join(
                                     f"{r['column']} {r['n_missing']} ({r['spellings']})"
                                     for r in miss)))
            if "sex" in cl and (cl["sex"] == "male").any():
                men = cl.index[cl["sex"] == "male"]
                out.append(Check("clinical", "warning", f"{len(men)} male patient(s) (kept; both "
                                 f"studies report women): {_sample(men)}"))
            odd = cl.index[(cl["age"] < 18) | (cl["age"] > 100)]
            if len(odd):
                out.append(Check("clinical", "warning", f"implausible age for {_sample(odd)}"))
            if imaging_ok:
                miss = c.patients.difference(cl.index)
                if len(miss):
                    out.append(Check("clinical", "warning", f"{len(miss)} imaged patient(s) "
                                     f"without clinical data: {_sample(miss)}"))
            return out
        checks += _run("clinical", clinical)
    else:
        checks.append(Check("clinical", "warning", "no clinical table: Table 1 is unavailable"))

    for part, attr in (("crf36", "crf36"), ("timer", "timer"), ("immune", "immune")):
        if c.manifest.path(part) is None:
            continue

        def tab(attr=attr, part=part):
            with warnings.catch_warnings():   # named below, as a check
                warnings.simplefilter("ignore", RunStatisticsWarning)
                t = getattr(c, attr)
            msg = f"{t.shape[0]} patients × {t.shape[1]} columns"
            if imaging_ok:
                msg += f"; {len(t.index.intersection(c.patients))} of them imaged"
            out = [Check(part, "ok", msg)]
            n_na = t.isna().sum()
            if int(n_na.sum()):
                out.append(Check(part, "ok", "missing values per column (patients kept): "
                                 + "; ".join(f"{k} {int(v)}" for k, v in n_na.items() if v)))
            for note in t.attrs.get("notes", []):
                out.append(Check(part, "ok", note))
            stats = t.attrs.get("run_statistics", [])
            if stats:
                out.append(Check(part, "warning", run_statistics_message(stats) + (
                    " (kept as quality control: Cohort.immune_qc)" if part == "immune" else "")))
            if part == "immune":
                out.append(Check(part, "warning", "no stage of replicate uses an immune table; "
                                 "study liu2023's immune-cell classes need TIMER estimates "
                                 "(`timer`: B_cell, CD4_Tcell, CD8_Tcell, Neutrophil, "
                                 "Macrophage, DC)"))
            return out
        checks += _run(part, tab)

    if c.manifest.path("risk_genes") is not None:
        def risk():
            genes = c.risk_genes
            out = [Check("risk_genes", "ok", f"{len(genes)} genes")]
            if has_expr and all(ch.status != "error" for ch in checks if ch.part == "expression"):
                value = "unstranded" if c.manifest.path("star_counts") else "matrix"
                miss = [g for g in genes if g not in c.expression(value).columns]
                if miss:
                    out.append(Check("risk_genes", "warning", f"{len(miss)} risk gene(s) not "
                                     f"in the expression data: {_sample(miss)}"))
            return out
        checks += _run("risk_genes", risk)

    def gene_sets():
        gs = c.gene_sets
        src = "cohort GMT" if c.manifest.path("genesets") else "bundled KEGG v7.2"
        out = [Check("gene_sets", "ok", f"{len(gs)} gene sets ({src})")]
        expr_ok = has_expr and all(ch.status != "error" for ch in checks
                                   if ch.part == "expression")
        if expr_ok:
            value = "unstranded" if c.manifest.path("star_counts") else "matrix"
            have = set(c.expression(value).columns)
            members = {g for genes in gs.values() for g in genes}
            cover = len(members & have) / max(len(members), 1)
            status = "ok" if cover >= 0.5 else "warning"
            out.append(Check("gene_sets", status, f"{cover:.0%} of the gene-set genes are in "
                             "the expression data" + ("" if status == "ok" else
                                                      ": are the symbols of the same kind?")))
        return out
    checks += _run("gene_sets", gene_sets)

    if c.manifest.path("truth") is not None:
        checks += _run("truth", lambda: f"planted links for {len(c.truth.get('patients', {}))} "
                                        "patients")
    return checks


# ----------------------------------------------------------------------------- report
def required_studies(c: Cohort) -> list[str]:
    """The studies whose loss of every patient fails ``validate``.

    Parameters
    ----------
    c : Cohort
        A loaded cohort.

    Returns
    -------
    list of str
        ``studies`` from cohort.toml; without it liu2023, and kim2020 when the cohort has
        ROIs.
    """
    if c.manifest.studies is not None:
        return list(c.manifest.studies)
    return ["liu2023"] + (["kim2020"] if c.manifest.path("rois") is not None else [])


def _records(df, columns) -> list[dict]:
    out = []
    for r in df[list(columns)].itertuples(index=False):
        out.append({k: _plain(v) for k, v in zip(columns, r)})
    return out


def _plain(v):
    """JSON-ready scalar (NaN/NA → None, numpy → Python)."""
    import numpy as np
    import pandas as pd

    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def series_rows(c: Cohort, status: dict[str, str] | None = None) -> list[dict]:
    """The per-series table of ``validate``, non-image objects included.

    Parameters
    ----------
    c : Cohort
        A loaded cohort.
    status : dict of str to str or None, default None
        Series UID → kept or why excluded (from a study's assembly).

    Returns
    -------
    list of dict
        Per series: patient, description, vendor, field strength, role, phase, the rule that
        decided it, slices and status.
    """
    import pandas as pd

    from .assemble import scanner_name

    status = status or {}
    rows = []
    se = c.series.sort_values(["patient_id", "exam_id", "phase_min", "series_number"],
                              na_position="last", kind="stable")
    for sid, r in se.iterrows():
        lo, hi = r["phase_min"], r["phase_max"]
        if pd.isna(lo):
            phase = None
        elif lo == hi:
            phase = str(int(lo))
        else:
            phase = f"{int(lo)}-{int(hi)}"
        rows.append({"patient_id": r["patient_id"], "series_uid": sid,
                     "description": r["series_description"],
                     "vendor": scanner_name(r["manufacturer"]),
                     "field_strength": _plain(r["field_strength"]),
                     "role": r["role"], "exam_id": r["exam_id"] or None, "phase": phase,
                     "rule": r["phase_rule"] or None, "slices": int(r["n_slices"]),
                     "images": int(r["n_images"]),
                     "status": status.get(sid, "")})
    for r in c.skipped.itertuples():
        if r.kind == "not-dicom":
            continue
        rows.append({"patient_id": r.patient_id or None, "series_uid": r.series_uid or None,
                     "description": r.series_description or r.sop_class,
                     "vendor": None, "field_strength": None, "role": "non-image",
                     "exam_id": None, "phase": None, "rule": None, "slices": 0, "images": 0,
                     "status": f"skipped: {r.reason}"})
    return rows


def _study_entry(name: str, fn, required: bool, min_patients: int) -> tuple[dict, object]:
    entry = {"required": required, "assessed": False, "patients": [], "n_patients": 0,
             "flowchart": [], "error": None, "warning": None}
    try:
        st = fn()
    except (CohortError, OSError, ValueError, KeyError) as exc:
        entry["error"] = str(exc)
        return entry, None
    entry["assessed"] = True
    entry["patients"] = [str(p) for p in st.patients]
    entry["n_patients"] = len(st.patients)
    entry["flowchart"] = _records(st.flowchart, ["step", "excluded", "remaining",
                                                "excluded_patients"])
    for f in entry["flowchart"]:
        f["excluded_patients"] = [p for p in str(f["excluded_patients"] or "").split(";") if p]
    if len(st.patients) == 0:
        entry["error"] = "keeps no patient (see its flowchart)"
    elif len(st.patients) < min_patients:
        entry["warning"] = (f"{name} keeps {len(st.patients)} patient(s), fewer than "
                            f"min_patients = {min_patients}")
    return entry, st


def report(c: Cohort, checks: list[Check],
           assemblers: Mapping[str, Callable[[Cohort], Any]] | None = None) -> dict:
    """Everything ``validate`` prints, as a JSON-ready dict.

    Parameters
    ----------
    c : Cohort
        A loaded cohort.
    checks : list of Check
        From :func:`run_checks`.
    assemblers : mapping of str to callable or None, default None
        Study name → its cohort assembly (``pyradiogen.studies.<name>.assemble``); each
        study's entry comes from it (none without).

    Returns
    -------
    dict
        ``cohort``, ``valid``, ``checks``, ``notes``, ``studies`` (per study: ``required``,
        ``assessed``, ``patients``, ``n_patients``, ``flowchart``, ``error``, ``warning``),
        ``series``, ``exams``, ``skipped`` and ``errors`` (why ``valid`` is false).
    """
    errors = [ch.detail for ch in checks if ch.status == "error"]
    out: dict = {"cohort": str(c.root), "name": c.manifest.name,
                 "id_scheme": c.manifest.id_scheme, "valid": False,
                 "checks": [{"part": ch.part, "status": ch.status, "detail": ch.detail}
                            for ch in checks],
                 "notes": list(c.manifest.notes), "studies": {}, "series": [], "exams": [],
                 "skipped": [], "errors": errors}
    imaging = c.has_images and not any(ch.status == "error" for ch in checks
                                       if ch.part == "dicom")
    dicom_failed = c.has_images and not imaging
    required = required_studies(c)
    status: dict[str, str] = {}
    assemblers = dict(assemblers or {})
    if imaging:
        out["skipped"] = [{k: _plain(v) for k, v in r.items()}
                          for r in c.skipped.to_dict("records")]
        out["exams"] = [{"exam_id": r.exam_id, "patient_id": r.patient_id,
                         "study_uid": r.study_uid, "manufacturer": r.manufacturer,
                         "field_strength": _plain(r.field_strength), "ordered": bool(r.ordered),
                         "rule": r.rule, "note": r.note, "n_phases": int(r.n_phases),
                         "phases": _plain(r.phases)} for r in c.exams.itertuples()]
    rois_ok = not any(ch.status == "error" for ch in checks if ch.part == "rois")
    for name, fn in assemblers.items():
        if dicom_failed:
            out["studies"][name] = {"required": name in required, "assessed": False,
                                    "patients": [], "n_patients": 0, "flowchart": [],
                                    "error": "the DICOM folder could not be indexed",
                                    "warning": None}
            continue
        if name == "kim2020" and c.manifest.path("rois") is not None and not rois_ok:
            out["studies"][name] = {"required": name in required, "assessed": False,
                                    "patients": [], "n_patients": 0, "flowchart": [],
                                    "error": "ROIs could not be read", "warning": None}
            continue
        e, st = _study_entry(name, lambda fn=fn: fn(c), name in required,
                             c.manifest.min_patients)
        if st is not None:
            ext = st.extra
            if "series_status" in ext and ext["series_status"]:
                status.update(ext["series_status"])
            if "scanner_rule" in ext:
                e.update({"post_phase": ext["post_phase"], "scanner_rule": ext["scanner_rule"],
                          "n_images": len(st.images),
                          "images_per_patient": _plain(ext["images_per_patient"]),
                          "unordered_exams": ext["unordered_exams"],
                          "exams": ({str(p): str(x) for p, x in st.series["exam_id"].items()}
                                    if "exam_id" in st.series else {})})
            if "readers" in ext:
                e["readers"] = list(ext["readers"])
                e["scanners"] = _records(ext["scanners"], ["scanner", "patients"])
            if not c.has_images or (name == "kim2020" and c.manifest.path("rois") is None):
                what = "images" if not c.has_images else "ROIs"
                e["warning"] = e["warning"] or (f"the cohort has no {what}: {name}'s stages "
                                                f"that need them are skipped")
        out["studies"][name] = e
    if imaging:
        out["series"] = series_rows(c, status)
    if assemblers:
        for name in required:
            if name not in assemblers:
                errors.append(f"cohort.toml `studies` names {name!r}, which is not a study of "
                              f"pyradiogen.studies (known: {', '.join(assemblers)})")
    for name, e in out["studies"].items():
        if e["required"] and e["error"]:
            errors.append(f"{name}: {e['error']}")
    out["errors"] = errors
    out["valid"] = not errors
    return out
