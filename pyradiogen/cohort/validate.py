"""Checks run by :meth:`Cohort.validate` and ``python -m pyradiogen validate DIR``."""

from __future__ import annotations

from collections.abc import Callable

from .core import Check, Cohort
from .errors import CohortError


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
    """Every part of the cohort, read and cross-checked."""
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
    checks += _run("dicom", dicom)
    imaging_ok = not any(ch.status == "error" for ch in checks if ch.part == "dicom")

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
            return f"{len(g)} genes, {int(g['entrez'].notna().sum())} with Entrez IDs"
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

    for part, attr in (("crf36", "crf36"), ("timer", "timer")):
        if c.manifest.path(part) is None:
            continue

        def tab(attr=attr, part=part):
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
    """The studies whose loss of every patient fails ``validate``: ``studies`` in cohort.toml,
    else liu2023, and kim2020 when the cohort has ROIs."""
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
    """The per-series table: patient, description, vendor, field strength, role, phase, the
    rule that decided it, slices, kept or why excluded (non-image objects included)."""
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


def report(c: Cohort, checks: list[Check]) -> dict:
    """Everything ``validate`` prints, as a JSON-ready dict.

    Keys: ``cohort``, ``valid``, ``checks``, ``notes``, ``studies`` (``liu2023``,
    ``kim2020``: ``required``, ``assessed``, ``patients``, ``n_patients``, ``flowchart``
    [{step, excluded, remaining, excluded_patients}], ``error``, ``warning`` and study
    details), ``series`` (the per-series table), ``exams`` [{exam_id, patient_id, study_uid,
    ordered, rule, note, phases: [{phase, series_uid, rule}]}], ``skipped`` [{path, reason,
    kind, ...}] and ``errors`` (why ``valid`` is false).
    """
    errors = [ch.detail for ch in checks if ch.status == "error"]
    out: dict = {"cohort": str(c.root), "name": c.manifest.name,
                 "id_scheme": c.manifest.id_scheme, "valid": False,
                 "checks": [{"part": ch.part, "status": ch.status, "detail": ch.detail}
                            for ch in checks],
                 "notes": list(c.manifest.notes), "studies": {}, "series": [], "exams": [],
                 "skipped": [], "errors": errors}
    imaging = not any(ch.status == "error" for ch in checks if ch.part == "dicom")
    required = required_studies(c)
    status: dict[str, str] = {}
    if imaging:
        out["skipped"] = [{k: _plain(v) for k, v in r.items()}
                          for r in c.skipped.to_dict("records")]
        out["exams"] = [{"exam_id": r.exam_id, "patient_id": r.patient_id,
                         "study_uid": r.study_uid, "manufacturer": r.manufacturer,
                         "field_strength": _plain(r.field_strength), "ordered": bool(r.ordered),
                         "rule": r.rule, "note": r.note, "n_phases": int(r.n_phases),
                         "phases": _plain(r.phases)} for r in c.exams.itertuples()]
        rois_ok = not any(ch.status == "error" for ch in checks if ch.part == "rois")
        e1, s1 = _study_entry("liu2023", c.study1, "liu2023" in required,
                              c.manifest.min_patients)
        if s1 is not None:
            ext = s1.extra
            status = ext.get("series_status", {})
            e1.update({"post_phase": ext["post_phase"], "scanner_rule": ext["scanner_rule"],
                       "n_images": len(s1.images),
                       "images_per_patient": _plain(ext["images_per_patient"]),
                       "unordered_exams": ext["unordered_exams"],
                       "exams": {str(p): str(e) for p, e in s1.series["exam_id"].items()}})
        out["studies"]["liu2023"] = e1
        if c.manifest.path("rois") is None:
            e2 = {"required": "kim2020" in required, "assessed": False, "patients": [],
                  "n_patients": 0, "flowchart": [], "warning": None,
                  "error": "the cohort has no ROIs (`rois` in cohort.toml): study kim2020 needs "
                           "two readers' ROIs"}
        elif rois_ok:
            e2, s2 = _study_entry("kim2020", c.study2, "kim2020" in required,
                                  c.manifest.min_patients)
            if s2 is not None:
                e2["readers"] = list(s2.extra["readers"])
                e2["scanners"] = _records(s2.extra["scanners"], ["scanner", "patients"])
        else:
            e2 = {"required": "kim2020" in required, "assessed": False, "patients": [],
                  "n_patients": 0, "flowchart": [], "error": "ROIs could not be read",
                  "warning": None}
        out["studies"]["kim2020"] = e2
        out["series"] = series_rows(c, status)
    else:
        for name in ("liu2023", "kim2020"):
            out["studies"][name] = {"required": name in required, "assessed": False,
                                    "patients": [], "n_patients": 0, "flowchart": [],
                                    "error": "the DICOM folder could not be indexed",
                                    "warning": None}
    for name, e in out["studies"].items():
        if e["required"] and e["error"]:
            errors.append(f"{name}: {e['error']}")
    out["errors"] = errors
    out["valid"] = not errors
    return out
