"""``pyradiogen signatures``: genefu signatures, module scores and subtypes to a CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from . import UserError, console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "signatures",
        help="genefu signatures (OncotypeDX, EndoPredict, rorS, gene70, GENIUS, PIK3CA-GS, GGI, "
             "TamR13), ESR1/ERBB2/AURKA modules, PAM50 and SCM subtypes",
    )
    p.add_argument("--expr", required=True, type=Path,
                   help="expression CSV/TSV/parquet: samples as rows (the sample-ID column "
                        "first, or see --id-column), probes or genes as columns, log2 scale")
    p.add_argument("--annot", required=True, type=Path,
                   help="annotation CSV/TSV/parquet with columns probe, EntrezGene.ID and a "
                        "gene symbol")
    p.add_argument("--id-column", default="auto", metavar="NAME",
                   help="column of sample IDs in --expr; default: a column named like an ID "
                        "(sample, id …), an unnamed or a non-numeric first column")
    p.add_argument("--scale", choices=("log2", "linear"), default="log2",
                   help="scale of --expr: log2 (default; values that look linear, e.g. up to "
                        "1e6, are refused) or linear (log2(x + 1) is applied first)")
    p.add_argument("--drop-na-genes", action="store_true",
                   help="leave out probes/genes with a missing value in any sample (named in a "
                        "warning); by default missing values are refused, naming them")
    p.add_argument("--no-mapping", action="store_true",
                   help="match signature probe IDs to the expression columns instead of mapping "
                        "genes through Entrez IDs (genefu's do.mapping = FALSE)")
    p.add_argument("--modules", choices=("mod1", "mod2"), default="mod1",
                   help="module set for the ESR1/ERBB2/AURKA scores (default mod1)")
    p.add_argument("--tamr13-table", choices=("genefu", "corrected"), default="genefu",
                   help="TAMR13 gene table: 'genefu' (default; genefu's sig.tamr13 as the "
                        "studies used it, whose EntrezGene.ID column holds non-Entrez numbers "
                        "for 60 of its 192 genes, so with mapping some clusters read other "
                        "genes; a warning says so) or 'corrected' (Entrez IDs from the gene "
                        "symbols)")
    p.add_argument("--out", required=True, type=Path, help="output CSV, one row per sample")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from ..cohort.expression import read_expression
    from ..cohort.usertable import describe_missing, read_table
    from ..genomics.expression import check_log2_scale
    from ..genomics.signatures import SYMBOL_COLUMNS, compute_signatures
    from ..store import write_frame

    expr = read_expression(args.expr, id_column=None if args.id_column == "none"
                           else args.id_column, all_na="keep" if args.drop_na_genes else "error")
    for note in expr.attrs.get("notes", []):
        console.print(f"[yellow]note:[/] {args.expr}: {note}", soft_wrap=True)
    where = f"expression table {args.expr} (--expr)"
    bad = ~np.isfinite(expr.to_numpy(dtype=float)).all(axis=0)
    if bad.any():
        desc = describe_missing(expr, row_word="sample", col_word="gene")
        if not args.drop_na_genes:
            raise UserError(f"{where}: {desc} — fix: impute them, or pass --drop-na-genes to "
                            "leave those genes out")
        console.print(f"[yellow]warning:[/] {where}: {int(bad.sum())} gene(s) with missing "
                      f"values left out ({desc})", soft_wrap=True)
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
    try:
        res = compute_signatures(expr, annot, do_mapping=not args.no_mapping,
                                 modules=args.modules, tamr13_table=args.tamr13_table)
    except (TypeError, ValueError) as exc:
        raise UserError(f"{args.expr} / {args.annot}: {exc}") from exc
    num = [c for c in res.columns if pd.api.types.is_float_dtype(res[c])]
    empty = [c for c in num if res[c].isna().all()]
    if empty:
        console.print(f"[yellow]warning:[/] not computed (NaN for every sample): "
                      f"{', '.join(empty)} — none of their genes/probes is in {args.expr} "
                      + ("(probe IDs are matched to columns without mapping)" if args.no_mapping
                         else "after mapping through EntrezGene.ID"), soft_wrap=True)
    write_frame(res, args.out, index=True)
    console.print(f"wrote {len(res)} samples × {res.shape[1]} signature columns to {args.out}")
    return 0
