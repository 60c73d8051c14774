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
        out = [Check("dicom", "ok", f"{len(im)} slices, {im['patient_id'].nunique()} patients, "
                                    f"{len(se)} series ({int(se['dce'].sum())} DCE)")]
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
                             "MagneticFieldStrength: study 1 cannot keep them"))
        return out
    checks += _run("dicom", dicom)
    imaging_ok = checks[-1].status == "ok"

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
