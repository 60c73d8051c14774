"""``pyradiogen signatures``: genefu signatures, module scores and subtypes to a CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from rich.markup import escape

from . import UserError, console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "signatures",
        help="genefu signatures (OncotypeDX, EndoPredict, rorS, gene70, GENIUS, PIK3CA-GS, GGI, "
             "TamR13), ESR1/ERBB2/AURKA modules, PAM50 and SCM subtypes",
        description="Scores every genefu signature of a samples × genes table on a log2 scale. "
                    "Columns may be gene symbols, Entrez Gene IDs or TCGA's SYMBOL|ENTREZ: "
                    "without --annot they are mapped to Entrez IDs with org.Hs.eg.db (symbols "
                    "it does not know are named once). Output: one row per sample; score "
                    "columns are genefu's numbers; every *_risk column uses one coding, Low / "
                    "Intermediate / High (OncotypeDX, rorS) or Low / High (EndoPredict, "
                    "gene70, GGI); ggi_risk needs the histological grade (--grade).")
    p.add_argument("--expr", required=True, type=Path, metavar="FILE",
                   help="expression CSV/TSV/parquet: samples as rows (the sample-ID column "
                        "first, or see --id-column), genes or probes as columns, log2 scale")
    p.add_argument("--annot", type=Path, default=None, metavar="FILE",
                   help="annotation CSV/TSV/parquet with columns probe (the --expr column "
                        "names), EntrezGene.ID and optionally a gene symbol, for probe-level "
                        "data (default: none; the column names are read as gene symbols, "
                        "Entrez IDs or SYMBOL|ENTREZ and mapped with org.Hs.eg.db)")
    p.add_argument("--id-column", default="auto", metavar="NAME",
                   help="column of sample IDs in --expr; default: a column named like an ID "
                        "(sample, id …), an unnamed or a non-numeric first column")
    p.add_argument("--scale", choices=("log2", "linear"), default="log2",
                   help="scale of --expr: log2 (default; values that look linear, e.g. up to "
                        "1e6, are refused) or linear (log2(x + 1) is applied first)")
    p.add_argument("--grade", type=Path, default=None, metavar="FILE",
                   help="table of histological grade per sample (sample ID column, then the "
                        "grade 1, 2 or 3; G1-G3 and I-III are read too) for GGI's grade "
                        "rescaling and ggi_risk (default: none; ggi is then genefu's unscaled "
                        "score and ggi_risk is empty)")
    p.add_argument("--grade-column", default=None, metavar="NAME",
                   help="column of --grade holding the grade (default: the only column, or "
                        "the one named like 'grade')")
    p.add_argument("--drop-na-genes", action="store_true",
                   help="leave out probes/genes with a missing value in any sample (named in a "
                        "warning); by default missing values are refused, naming them")
    p.add_argument("--no-mapping", action="store_true",
                   help="match signature probe IDs to the expression columns instead of mapping "
                        "genes through Entrez IDs (genefu's do.mapping = FALSE)")
    p.add_argument("--modules", choices=("mod1", "mod2"), default="mod1",
                   help="module set for the ESR1/ERBB2/AURKA scores: mod1 (Desmedt 2008) or "
                        "mod2 (Wirapati 2008)")
    p.add_argument("--tamr13-table", choices=("genefu", "corrected"), default="genefu",
                   help="TAMR13 gene table: 'genefu' (default; genefu's sig.tamr13 as the "
                        "studies used it, whose EntrezGene.ID column holds non-Entrez numbers "
                        "for 60 of its 192 genes, so with mapping some clusters read other "
                        "genes; a warning says so) or 'corrected' (Entrez IDs from the gene "
                        "symbols)")
    p.add_argument("--out", required=True, type=Path, metavar="FILE",
                   help="output CSV, one row per sample")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from ..cohort.expression import read_expression
    from ..cohort.usertable import describe_missing
    from ..genomics.expression import check_log2_scale
    from ..genomics.signatures import compute_signatures
    from ..store import write_frame

    expr = read_expression(args.expr, id_column=None if args.id_column == "none"
                           else args.id_column, all_na="keep" if args.drop_na_genes else "error")
    for note in expr.attrs.get("notes", []):
        console.print(f"[yellow]note:[/] {args.expr}: {escape(note)}", soft_wrap=True)
    where = f"expression table {args.expr} (--expr)"
    bad = ~np.isfinite(expr.to_numpy(dtype=float)).all(axis=0)
    if bad.any():
        desc = describe_missing(expr, row_word="sample", col_word="gene")
        if not args.drop_na_genes:
            raise UserError(f"{where}: {desc} — fix: impute them, or pass --drop-na-genes to "
                            "leave those genes out")
        console.print(f"[yellow]warning:[/] {where}: {int(bad.sum())} gene(s) with missing "
                      f"values left out ({escape(desc)})", soft_wrap=True)
        expr = expr.loc[:, ~bad]
    if args.scale == "linear":
        if (expr.to_numpy() < 0).any():
            raise UserError(f"{where}: negative values with --scale linear; the values are "
                            "already log-transformed — drop --scale linear")
        expr = np.log2(expr + 1.0)
    else:
        check_log2_scale(expr, where)
    if len(expr) < 2:
        raise UserError(f"{where}: {len(expr)} sample; genefu rescales every signature over "
                        "the samples scored together, so at least 2 are needed (score the "
                        "whole cohort in one call)")
    annot = _annotation(args, expr)
    hg = _grade(args, expr) if args.grade is not None else None
    try:
        res = compute_signatures(expr, annot, do_mapping=not args.no_mapping,
                                 modules=args.modules, tamr13_table=args.tamr13_table, hg=hg)
    except (TypeError, ValueError) as exc:
        named = f"{args.expr} / {args.annot}" if args.annot is not None else f"{args.expr}"
        raise UserError(f"{named}: {exc}") from exc
    num = [c for c in res.columns if pd.api.types.is_float_dtype(res[c])]
    empty = [c for c in num if res[c].isna().all()]
    if empty:
        console.print(f"[yellow]warning:[/] not computed (NaN for every sample): "
                      f"{', '.join(empty)} — none of their genes/probes is in {args.expr} "
                      + ("(probe IDs are matched to columns without mapping)" if args.no_mapping
                         else "after mapping through EntrezGene.ID"), soft_wrap=True)
    if hg is None and "ggi_risk" in res:
        console.print("[yellow]note:[/] ggi_risk is empty and ggi is genefu's unscaled score: "
                      "GGI's risk needs each sample's histological grade (--grade FILE)",
                      soft_wrap=True)
    write_frame(res, args.out, index=True)
    console.print(f"wrote {len(res)} samples × {res.shape[1]} signature columns to {args.out}")
    return 0


def _annotation(args: argparse.Namespace, expr):
    """--annot as genefu's annot table; ``None`` to map the column names (or no mapping)."""
    from ..cohort.usertable import read_table
    from ..genomics.signatures import SYMBOL_COLUMNS

    if args.annot is None:
        return None
    annot_tab = read_table(args.annot, what="annotation table", option="--annot",
                           id_column=None, numeric=["EntrezGene.ID"],
                           string_columns=("probe", *SYMBOL_COLUMNS), all_na="keep",
                           expect="columns probe, EntrezGene.ID and a gene symbol")
    annot = annot_tab.frame.reset_index(drop=True)
    if "probe" in annot:
        dup = annot["probe"].duplicated()
        if dup.any():
            raise UserError(f"annotation table {args.annot} (--annot): probe "
                            f"{annot['probe'][dup].iloc[0]!r} listed twice — fix: keep one row "
                            "per probe")
    return annot


#: spellings of histological grade (Elston-Ellis / Nottingham) read by --grade
_GRADES = {"1": 1.0, "2": 2.0, "3": 3.0, "g1": 1.0, "g2": 2.0, "g3": 3.0, "i": 1.0,
           "ii": 2.0, "iii": 3.0, "grade1": 1.0, "grade2": 2.0, "grade3": 3.0,
           "low": 1.0, "intermediate": 2.0, "high": 3.0}


def _grade(args: argparse.Namespace, expr):
    """--grade: histological grade (1, 2, 3 or NaN) per sample of ``expr``, in its order."""
    import re

    import numpy as np

    from ..cohort.usertable import read_table

    tab = read_table(args.grade, what="grade table", option="--grade", strings=True,
                     expect="a sample-ID column, then the histological grade 1, 2 or 3")
    frame = tab.frame
    where = f"grade table {args.grade} (--grade)"
    if args.grade_column is not None:
        if args.grade_column not in frame.columns:
            raise UserError(f"{where}: no column {args.grade_column!r} (found "
                            f"{', '.join(map(str, frame.columns[:8]))}) — fix: name one of "
                            "them with --grade-column")
        col = args.grade_column
    elif frame.shape[1] == 1:
        col = frame.columns[0]
    else:
        named = [c for c in frame.columns if "grade" in str(c).lower()]
        if len(named) != 1:
            raise UserError(f"{where}: {frame.shape[1]} columns and "
                            f"{'none' if not named else 'several'} named like 'grade' — fix: "
                            "name the grade column with --grade-column")
        col = named[0]
    grade = {}
    for sample, value in frame[col].items():
        if pd.isna(value):
            grade[str(sample)] = np.nan
            continue
        text = str(value).strip()
        try:
            key = f"{float(text):g}"
        except ValueError:
            key = re.sub(r"[\s_.-]", "", text).lower()
        if key in ("gx", "x", "gradex"):
            grade[str(sample)] = np.nan
        elif key in _GRADES:
            grade[str(sample)] = _GRADES[key]
        else:
            raise UserError(f"{where}; column {col!r}; sample {sample}: {value!r} is not a "
                            "histological grade — fix: write 1, 2 or 3 (or G1-G3), missing as "
                            "NA")
    hg = np.array([grade.get(str(s), np.nan) for s in expr.index], dtype=float)
    absent = [str(s) for s in expr.index if str(s) not in grade]
    if absent:
        console.print(f"[yellow]warning:[/] {where}: no grade for {len(absent)} of "
                      f"{len(expr)} samples of {args.expr} ({', '.join(absent[:5])}"
                      f"{' …' if len(absent) > 5 else ''}); GGI's grade rescaling uses the "
                      "samples with a grade",
                      soft_wrap=True)
    if not (hg == 1).any() or not (hg == 3).any():
        raise UserError(f"{where}: GGI's grade rescaling needs samples of grade 1 and of "
                        f"grade 3 among the samples of {args.expr} (found "
                        f"{sorted({int(g) for g in hg[np.isfinite(hg)]})}) — fix: score the "
                        "whole cohort together, or leave out --grade")
    return hg
