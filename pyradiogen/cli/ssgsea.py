"""``pyradiogen ssgsea``: ssGSEA pathway scores of an expression file (GSVA 1.46 or fast)."""

from __future__ import annotations

import argparse
import math

from . import UserError, console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ssgsea", help="ssGSEA scores of gene sets (GSVA 1.46 in R, or the fast exact engine)",
        description="Expression file: samples as rows, genes as columns, first column = sample "
                    "ID (CSV, or TSV by .tsv/.txt suffix), values already on the scale to rank "
                    "(ssGSEA is rank-based). Output CSV: one row per sample, first column "
                    "`sample`, then one column per retained gene set.")
    p.add_argument("--expr", required=True, help="expression file (samples × genes)")
    p.add_argument("--gmt", default=None,
                   help="GMT gene sets (default: bundled MSigDB C2 CP:KEGG v7.2)")
    p.add_argument("--engine", choices=("r", "fast"), default="fast")
    p.add_argument("--out", required=True, help="output CSV")
    p.add_argument("--alpha", type=float, default=0.25, help="weight exponent tau (0.25)")
    p.add_argument("--min-size", type=int, default=1, help="minimum mapped set size (1)")
    p.add_argument("--max-size", type=float, default=math.inf, help="maximum mapped set size")
    p.add_argument("--no-normalize", action="store_true",
                   help="raw scores (GSVA ssgsea.norm = FALSE)")
    p.add_argument("--genes-as-rows", action="store_true",
                   help="the expression file holds genes as rows instead")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import store
    from ..genomics.expression import read_expression
    from ..genomics.genesets import load_gene_sets
    from ..genomics.ssgsea import ssgsea_features

    expr = read_expression(args.expr, samples_as_rows=not args.genes_as_rows)
    if expr.shape[1] < 2:
        raise UserError(f"{args.expr}: needs at least 2 genes (columns); use --genes-as-rows "
                        "if genes are rows")
    sets = load_gene_sets(args.gmt)
    from ..rbridge import RError, RUnavailableError

    try:
        scores = ssgsea_features(expr, sets, engine=args.engine, alpha=args.alpha,
                                 normalize=not args.no_normalize, min_size=args.min_size,
                                 max_size=args.max_size)
    except (RError, RUnavailableError) as exc:
        raise UserError(f"GSVA in R failed: {exc}; `pyradiogen doctor` checks the R setup, "
                        "or use --engine fast") from exc
    scores.index.name = "sample"
    store.write_frame(scores.reset_index(), args.out, index=False)
    console.print(f"ssGSEA ({args.engine}): {scores.shape[1]} gene sets × {scores.shape[0]} "
                  f"samples → {args.out}")
    return 0
