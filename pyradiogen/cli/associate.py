"""``pyradiogen associate``: LME scan of every feature × genomic feature (study liu2023, Fig 5)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape

from . import UserError, console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "associate",
        help="lme(X ~ G, random = ~1|PatientID) for every feature X and genomic feature G",
        description="Feature file: image_id, patient_id, then one column per feature (CSV or "
                    "parquet). GF file(s): patient_id then one column per GF; with several "
                    "files each file's stem is its GF class (e.g. risk_genes, signatures, "
                    "kegg). Tables: CSV, TSV or parquet; missing values NA, empty, n/a … "
                    "Writes DIR/associations.parquet (every pair: feature, gf, estimate, "
                    "std_error, df, t, p_value, p_adj, note: why a pair has no estimate), "
                    "associations_significant.csv (the pairs with p_adj < alpha; --csv all "
                    "writes every pair as associations.csv), summary.json (pairs not fitted, "
                    "by reason; patients and images left out), summary tables, Fig 5 panels "
                    "and manifest.json.")
    p.add_argument("--features", required=True, type=Path, metavar="FILE",
                   help="feature table: image_id, patient_id, then one column per feature "
                        "(CSV, TSV or parquet)")
    p.add_argument("--gf", required=True, type=Path, nargs="+", action="extend", metavar="FILE",
                   help="GF table(s): patient_id, then one column per genomic feature; may be "
                        "given several times")
    p.add_argument("--gf-classes", type=Path, default=None, metavar="FILE",
                   help="CSV with columns gf, class naming each GF's class (risk genes, "
                        "signatures, KEGG …) for the summaries; default: the stem of the file "
                        "the GF comes from")
    p.add_argument("--engine", choices=["fast", "nlme"], default="fast",
                   help="fast: exact REML fits of all pairs at once (NumPy/torch; tested "
                        "against nlme); nlme: nlme::lme in R, one fit per pair (hours for a "
                        "full DRF scan)")
    p.add_argument("--preset", choices=["paper", "code"], default="paper",
                   help="paper: nlme's default control; code: lmeControl(maxIter = 1, "
                        "niterEM = 1) as the authors' script (the same fit for this model)")
    p.add_argument("--backend", choices=["loky", "dask", "sequential"], default="loky",
                   help="how blocks of pairs run: loky (local worker processes, --n-jobs), "
                        "dask (a running cluster, --scheduler) or sequential (this process)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask scheduler address tcp://host:port; needed with --backend dask "
                        "(default: none)")
    p.add_argument("--n-jobs", type=int, default=2, metavar="N",
                   help="worker processes with --backend loky")
    p.add_argument("--block-size", type=int, default=None, metavar="N",
                   help="features per block (the unit of parallel work and of resuming); "
                        "default: 128 for the fast engine, 4 for nlme")
    p.add_argument("--na-action", choices=["fail", "omit"], default="fail",
                   help="missing values in features or GFs: fail (default, as nlme's "
                        "na.fail) refuses them, naming the features/GFs and patients; omit (as "
                        "na.omit) fits each pair on the images and patients that have both "
                        "values, and the summary names what was left out")
    p.add_argument("--alpha", type=float, default=0.05,
                   help="significance threshold on the Benjamini-Hochberg adjusted p-value "
                        "(within each GF across features), for the counts and figures")
    p.add_argument("--label", choices=["DRF", "CRF36", "CRF"], default=None,
                   help="feature set for Fig 5e/5f (default: DRF when names are fea_<i>, "
                        "else CRF)")
    p.add_argument("--device", default=None, metavar="DEVICE",
                   help="fast engine: cuda, auto (cuda when torch sees a GPU) or cpu "
                        "(default: cpu, NumPy)")
    p.add_argument("--no-figures", action="store_true",
                   help="write the tables only, not the Fig 5 panels")
    p.add_argument("--csv", choices=["significant", "all", "none"], default="significant",
                   help="CSV beside associations.parquet: the significant pairs (default), "
                        "every pair (a 4,096 × 476 scan is 1.95 M rows, ~230 MB), or none")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.set_defaults(func=run)


def _na_check(feats, gfs, args) -> None:
    """``--na-action fail``: refuse missing values up front, naming them."""
    import numpy as np

    from ..cohort.usertable import describe_missing

    fv = feats.drop(columns=["image_id", "patient_id"]).set_index(feats["image_id"])
    used = gfs.loc[gfs.index.isin(set(feats["patient_id"]))]
    parts = []
    if not np.isfinite(fv.to_numpy(dtype=float)).all():
        parts.append(f"{args.features} (--features): "
                     + describe_missing(fv, row_word="image", col_word="feature"))
    if not np.isfinite(used.to_numpy(dtype=float)).all():
        parts.append("GF table(s) (--gf): " + describe_missing(used, row_word="patient",
                                                               col_word="GF"))
    if parts:
        raise UserError("missing values with --na-action fail (nlme's na.fail): "
                        + "; ".join(parts) + " — fix: impute them, or pass --na-action omit "
                        "to fit each pair on its complete images and patients")


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..associate.stage import stage
    from ..cohort.tables import read_features, read_patient_table
    from ..cohort.usertable import read_table

    if args.backend == "dask" and not args.scheduler:
        raise UserError("--backend dask needs --scheduler tcp://host:port of a running cluster")
    feats = read_features(args.features, option="--features")
    notes = [f"{args.features}: {n}" for n in feats.attrs.get("notes", [])]
    gf_tables, gf_class = [], {}
    for path in args.gf:
        t = read_patient_table(path, what="GF table", option="--gf", min_rows=2,
                               all_na="error")
        notes += [f"{path}: {n}" for n in t.attrs.get("notes", [])]
        gf_class.update({str(c): path.stem for c in t.columns})
        gf_tables.append(t)
    gfs = pd.concat(gf_tables, axis=1, join="outer") if len(gf_tables) > 1 else gf_tables[0]
    if gfs.columns.duplicated().any():
        dup = gfs.columns[gfs.columns.duplicated()].tolist()[:5]
        raise UserError(f"GF names appear in more than one GF file: {dup}")
    if args.gf_classes is not None:
        cls = read_table(args.gf_classes, what="GF-class table", option="--gf-classes",
                         id_column=None, strings=True, required=("gf", "class"))
        c = cls.frame.dropna(subset=["gf", "class"])
        if c["gf"].duplicated().any():
            raise UserError(f"GF-class table {args.gf_classes} (--gf-classes): GF "
                            f"{c['gf'][c['gf'].duplicated()].iloc[0]!r} listed twice")
        unknown = sorted(set(c["gf"]) - set(map(str, gfs.columns)))
        if unknown:
            notes.append(f"{args.gf_classes}: {len(unknown)} GF(s) not in the GF tables "
                         f"ignored: {', '.join(unknown[:5])}")
        gf_class.update(dict(zip(c["gf"].astype(str), c["class"].astype(str))))
    for n in notes:
        console.print(f"[yellow]note:[/] {escape(n)}", soft_wrap=True)
    if args.na_action == "fail":
        _na_check(feats, gfs, args)
    gfs.index.name = "patient_id"
    res, _paths = stage(feats, gfs.reset_index(), args.out, gf_class=gf_class, label=args.label,
                        engine=args.engine, preset=args.preset, n_jobs=args.n_jobs,
                        backend=args.backend, scheduler=args.scheduler,
                        block_size=args.block_size, na_action=args.na_action, alpha=args.alpha,
                        device=args.device, make_figures=not args.no_figures, csv=args.csv,
                        config={"engine": args.engine, "preset": args.preset,
                                "backend": args.backend, "na_action": args.na_action,
                                "alpha": args.alpha},
                        extra={"inputs": {"features": str(args.features),
                                          "gf": [str(g) for g in args.gf]},
                               "reader_notes": notes})
    sig = int((res.table["p_adj"] < args.alpha).sum())
    n_nf = int(res.table["p_value"].isna().sum())
    console.print(f"{len(res.table)} pairs ({res.engine}, {res.seconds:.1f} s): {sig} significant "
                  f"(BH < {args.alpha}), {len(res.table) - n_nf} fitted, {n_nf} not fitted; "
                  f"written to {args.out}", soft_wrap=True)
    for line in res.console_lines():
        console.print(line, soft_wrap=True, highlight=False)
    return 0
