"""``pyradiogen ssgsea``: ssGSEA pathway scores of an expression file (GSVA 1.46 or fast)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from rich.markup import escape

from . import UserError, console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ssgsea", help="ssGSEA scores of gene sets (GSVA 1.46 in R, or the fast exact engine)",
        description="Expression file: samples as rows, genes as columns, first column = sample "
                    "ID (CSV, TSV or parquet; the delimiter is sniffed), values already on the "
                    "scale to rank (ssGSEA is rank-based, so log2 or linear give the same "
                    "scores). Missing values are refused, naming gene and sample, unless "
                    "--drop-na-genes. Output CSV: one row per sample, first column `sample`, "
                    "then one column per retained gene set.")
    p.add_argument("--expr", required=True, type=Path, metavar="FILE",
                   help="expression file (samples × genes, or genes × samples with "
                        "--genes-as-rows; CSV, TSV or parquet)")
    p.add_argument("--gmt", default=None, type=Path, metavar="FILE",
                   help="GMT gene sets (default: the bundled MSigDB C2 CP:KEGG v7.2)")
    p.add_argument("--engine", choices=("r", "fast"), default="fast",
                   help="r: GSVA 1.46's gsva(method = 'ssgsea') in R; fast: the same scores "
                        "computed exactly in NumPy/torch (about 40x faster)")
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="output CSV")
    p.add_argument("--alpha", type=float, default=0.25,
                   help="weight exponent tau of the rank weights (GSVA's tau)")
    p.add_argument("--min-size", type=int, default=1, metavar="N",
                   help="minimum number of a set's genes present in the data (GSVA's min.sz)")
    p.add_argument("--max-size", type=float, default=math.inf, metavar="N",
                   help="maximum number of a set's genes present in the data (GSVA's max.sz)")
    p.add_argument("--no-normalize", action="store_true",
                   help="raw scores (GSVA ssgsea.norm = FALSE); by default scores are divided "
                        "by their range over all sets and samples scored together")
    p.add_argument("--genes-as-rows", action="store_true",
                   help="the expression file holds genes as rows and samples as columns (by "
                        "default samples are rows)")
    p.add_argument("--id-column", default="auto", metavar="NAME",
                   help="column of sample IDs (gene IDs with --genes-as-rows); default: a "
                        "column named like an ID (sample, id …), an unnamed or a non-numeric "
                        "first column")
    p.add_argument("--drop-na-genes", action="store_true",
                   help="leave out genes with a missing value in any sample (named in a "
                        "warning); by default missing values are refused, since one makes "
                        "every score NaN")
    p.add_argument("--keep-duplicate-members", action="store_true",
                   help="count a gene listed twice in a set twice, exactly as GSVA 1.46 "
                        "(parity runs); by default repeats are removed with a warning naming "
                        "set and gene, as GSVA >= 1.50 does")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import store
    from ..cohort.expression import read_expression
    from ..genomics.expression import check_log2_scale
    from ..genomics.genesets import load_gene_sets
    from ..genomics.ssgsea import ssgsea_features

    expr = read_expression(args.expr, samples_as_rows=not args.genes_as_rows,
                           id_column=None if args.id_column == "none" else args.id_column,
                           all_na="keep" if args.drop_na_genes else "error")
    for note in expr.attrs.get("notes", []):
        console.print(f"[yellow]note:[/] {args.expr}: {escape(note)}", soft_wrap=True)
    if expr.shape[1] < 2:
        raise UserError(f"expression table {args.expr} (--expr): {expr.shape[1]} gene "
                        "column(s); ssGSEA needs at least 2 — use --genes-as-rows if genes are "
                        "rows")
    rep = check_log2_scale(expr, f"expression table {args.expr}", refuse=False,
                           option="a log2 transform (ssGSEA ranks are the same either way)")
    sets = load_gene_sets(args.gmt)
    _check_orientation(expr, sets, args)
    from ..rfuncs import RError, RUnavailableError

    na = "drop_genes" if args.drop_na_genes else "error"
    try:
        scores = ssgsea_features(expr, sets, engine=args.engine, alpha=args.alpha,
                                 normalize=not args.no_normalize, min_size=args.min_size,
                                 max_size=args.max_size, na=na,
                                 duplicate_members="keep" if args.keep_duplicate_members
                                 else "remove")
    except (RError, RUnavailableError) as exc:
        raise UserError(f"GSVA in R failed on {args.expr}: {exc}; `pyradiogen doctor` checks "
                        "the R setup, or use --engine fast") from exc
    except ValueError as exc:
        msg = str(exc).replace("na='drop_genes'", "--drop-na-genes").replace(
            "relax min_size/max_size", "relax --min-size/--max-size")
        if "no gene of any gene set" in msg:
            msg += (" — or, if the file holds genes as rows, drop --genes-as-rows"
                    if args.genes_as_rows else
                    " — or, if the file holds genes as rows, pass --genes-as-rows")
        raise UserError(f"expression table {args.expr} (--expr): {msg}") from exc
    if scores.isna().any().any():  # should not happen after the checks; never write NaN silently
        bad = scores.columns[scores.isna().any()].tolist()
        raise UserError(f"ssGSEA gave NaN scores for gene set(s) {bad[:5]} of {args.expr}")
    scores.index.name = "sample"
    store.write_frame(scores.reset_index(), args.out, index=False)
    left = len(sets) - scores.shape[1]
    console.print(f"ssGSEA ({args.engine}): {scores.shape[1]} of {len(sets)} gene sets × "
                  f"{scores.shape[0]} samples → {args.out}"
                  + (f"; {left} set(s) left out (see the warning above)" if left else "")
                  + (f" (input scale: {rep['verdict']})" if rep.get("verdict") != "log2"
                     else ""), soft_wrap=True)
    return 0


def _check_orientation(expr, sets, args: argparse.Namespace) -> None:
    """Refuse a file whose genes are where the samples should be: genes as rows without
    --genes-as-rows, or samples as rows with it (``expr`` is already samples × genes)."""
    members = {str(g) for v in sets.values() for g in v}
    in_genes = sum(str(c) in members for c in expr.columns)   # where the genes should be
    in_samples = sum(str(r) in members for r in expr.index)
    if in_samples > max(in_genes, 1) and in_samples >= 2:
        first, header = ("header", "first column") if args.genes_as_rows else (
            "first column", "header")
        held, fix = (("samples as rows", "drop --genes-as-rows") if args.genes_as_rows
                     else ("genes as rows", "pass --genes-as-rows"))
        raise UserError(f"expression table {args.expr} (--expr): {in_samples} of the "
                        f"{len(expr)} IDs in the file's {first} are genes of the gene sets, "
                        f"{in_genes} of the {expr.shape[1]} in its {header} — the file holds "
                        f"{held}; fix: {fix}")
