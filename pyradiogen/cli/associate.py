"""``pyradiogen associate``: LME scan of every feature × genomic feature (study 1, Fig 5)."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import UserError, console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "associate",
        help="lme(X ~ G, random = ~1|PatientID) for every feature X and genomic feature G",
        description="Feature file: image_id, patient_id, then one column per feature (CSV or "
                    "parquet). GF file(s): patient_id then one column per GF; with several "
                    "files each file's stem is its GF class (e.g. risk_genes, signatures, "
                    "kegg). Writes DIR/associations.csv (feature, gf, estimate, std_error, df, "
                    "t, p, p_adj, note), summary tables, Fig 5 panels and manifest.json.")
    p.add_argument("--features", required=True, type=Path, help="feature table (CSV/parquet)")
    p.add_argument("--gf", required=True, type=Path, nargs="+", action="extend",
                   help="GF table(s); may be given several times")
    p.add_argument("--gf-classes", type=Path, default=None,
                   help="optional CSV with columns gf, class (overrides file stems)")
    p.add_argument("--engine", choices=["fast", "nlme"], default="fast")
    p.add_argument("--preset", choices=["paper", "code"], default="paper",
                   help="code: lmeControl(maxIter = 1, niterEM = 1) as the authors' script")
    p.add_argument("--backend", choices=["loky", "dask", "sequential"], default="loky")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:port)")
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--block-size", type=int, default=None)
    p.add_argument("--na-action", choices=["fail", "omit"], default="fail")
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--label", choices=["DRF", "CRF"], default=None,
                   help="feature set for Fig 5e/5f (default: DRF when names are fea_<i>)")
    p.add_argument("--device", default=None, help="fast engine: cuda or auto (torch)")
    p.add_argument("--no-figures", action="store_true")
    p.add_argument("--out", required=True, type=Path, help="output folder")
    p.set_defaults(func=run)


def _read(path: Path):
    from ..store import read_frame

    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    return read_frame(path)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..associate import associate, write_outputs

    if args.backend == "dask" and not args.scheduler:
        raise UserError("--backend dask needs --scheduler tcp://host:port of a running cluster")
    feats = _read(args.features)
    for col in ("patient_id",):
        if col not in feats.columns:
            raise UserError(f"{args.features}: needs columns image_id, patient_id, then features")
    gf_tables, gf_class = [], {}
    for path in args.gf:
        t = _read(path)
        key = "patient_id" if "patient_id" in t.columns else ("sample" if "sample" in t.columns
                                                             else None)
        if key is None:
            raise UserError(f"{path}: needs a patient_id column then one column per GF")
        t = t.set_index(key)
        t.index = t.index.astype(str)
        gf_class.update({str(c): path.stem for c in t.columns})
        gf_tables.append(t)
    gfs = pd.concat(gf_tables, axis=1, join="outer") if len(gf_tables) > 1 else gf_tables[0]
    if gfs.columns.duplicated().any():
        dup = gfs.columns[gfs.columns.duplicated()].tolist()[:5]
        raise UserError(f"GF names appear in more than one GF file: {dup}")
    if args.gf_classes is not None:
        cls = _read(args.gf_classes)
        if not {"gf", "class"} <= set(cls.columns):
            raise UserError(f"{args.gf_classes}: needs columns gf, class")
        gf_class.update(dict(zip(cls["gf"].astype(str), cls["class"].astype(str))))
    gfs.index.name = "patient_id"
    res = associate(feats, gfs.reset_index(), engine=args.engine, preset=args.preset,
                    n_jobs=args.n_jobs, backend=args.backend, scheduler=args.scheduler,
                    block_size=args.block_size, out_dir=args.out, na_action=args.na_action,
                    alpha=args.alpha, device=args.device, gf_class=gf_class)
    label = args.label or ("DRF" if str(res.table["feature"].iloc[0]).startswith("fea_")
                           else "CRF")
    write_outputs(res, args.out, label=label, make_figures=not args.no_figures,
                  config={"engine": args.engine, "preset": args.preset,
                          "backend": args.backend, "na_action": args.na_action,
                          "alpha": args.alpha},
                  extra={"inputs": {"features": str(args.features),
                                    "gf": [str(g) for g in args.gf]}})
    sig = int((res.table["p_adj"] < args.alpha).sum())
    console.print(f"{len(res.table)} pairs ({res.engine}, {res.seconds:.1f} s): {sig} significant "
                  f"(BH < {args.alpha}), {res.n_failed} failed fits; written to {args.out}")
    return 0
