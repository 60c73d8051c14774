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
                   help="expression CSV/TSV: samples as rows (first column the sample ID), "
                        "probes or genes as columns, log2 scale")
    p.add_argument("--annot", required=True, type=Path,
                   help="annotation CSV/TSV with columns probe, EntrezGene.ID and a gene symbol")
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


def _read_table(path: Path, what: str, index_col: int | None) -> pd.DataFrame:
    if not path.exists():
        raise FileNotFoundError(f"{what} file {path} does not exist")
    sep = "\t" if path.suffix.lower() in (".tsv", ".txt") else ","
    try:
        return pd.read_csv(path, sep=sep, index_col=index_col)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read the {what} table ({exc})") from exc


def run(args: argparse.Namespace) -> int:
    from ..genomics.signatures import compute_signatures
    from ..store import write_frame

    expr = _read_table(args.expr, "expression", index_col=0)
    annot = _read_table(args.annot, "annotation", index_col=None)
    try:
        res = compute_signatures(expr, annot, do_mapping=not args.no_mapping,
                                 modules=args.modules, tamr13_table=args.tamr13_table)
    except (TypeError, ValueError) as exc:
        raise UserError(f"{args.expr} / {args.annot}: {exc}") from exc
    write_frame(res, args.out, index=True)
    console.print(f"wrote {len(res)} samples × {res.shape[1]} signature columns to {args.out}")
    return 0
