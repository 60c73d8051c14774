"""``pyradiogen explore``: clustering heatmaps, t-SNE maps and PAM50 screens (Fig 4a–c, Fig 1)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape

from ..config import DEFAULT_SEED
from . import UserError, console


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explore", help="unsupervised views: clustering heatmap, t-SNE, Kruskal-Wallis heatmaps",
        description="Hierarchical clustering with clinical bars and Fisher tests (liu2023 Fig "
                    "4a), t-SNE of patients and images (Fig 4b-c), Kruskal-Wallis heatmaps "
                    "across PAM50 (study kim2020 Fig 1). Feature files: image_id, patient_id, then "
                    "one column per feature (csv, tsv or parquet).")
    p.add_argument("--features", required=True, type=Path, metavar="FILE",
                   help="feature table (e.g. DRFs): image_id, patient_id, one column per "
                        "feature")
    p.add_argument("--label", default="drf", metavar="NAME",
                   help="name of --features in output file names and titles")
    p.add_argument("--crf", type=Path, default=None, metavar="FILE",
                   help="a second feature table (CRFs) drawn the same way, side by side "
                        "(default: none)")
    p.add_argument("--reader", default=None, metavar="READER",
                   help="reader whose ROIs to use when --crf has a reader column (default: "
                        "the first)")
    p.add_argument("--crf36", action="store_true",
                   help="also explore the cohort's 36 TCGA phenotype features (crf36.csv)")
    p.add_argument("--cohort", required=True, type=Path, metavar="DIR",
                   help="cohort folder (cohort.toml): clinical table and PAM50 calls")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.add_argument("--config", type=Path, default=None, metavar="FILE",
                   help="TOML configuration ([explore] section; default: the preset's values)")
    p.add_argument("--preset", choices=("paper", "code"), default=None,
                   help="settings preset (default: the --config file's, else paper)")
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help=f"t-SNE / k-means seed (default: the config's, else {DEFAULT_SEED})")
    p.add_argument("--expression-value", default="tpm_unstranded",
                   choices=("unstranded", "tpm_unstranded", "fpkm_unstranded"),
                   help="STAR-counts column for the gene Kruskal-Wallis heatmap")
    p.add_argument("--no-genes", action="store_true", help="skip the gene Kruskal-Wallis heatmap")
    p.add_argument("--drop-na-features", action="store_true",
                   help="leave out feature columns with a missing value (named in a warning); "
                        "by default missing feature values are refused, naming them")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import store
    from ..config import load_config
    from ..explore.io import read_feature_table
    from ..explore.pipeline import run_explore

    cfg = load_config(args.config, preset=args.preset, seed=args.seed)
    try:
        from ..cohort import load_cohort
    except ImportError as exc:  # pragma: no cover - cohort module missing
        raise UserError(f"cannot read cohorts ({exc}); is pyradiogen.cohort installed?") from exc
    if not args.cohort.exists():
        raise UserError(f"{args.cohort}: cohort folder not found")
    cohort = load_cohort(args.cohort)
    from .predict import _features

    sets = {args.label: _features(args.features, "--features", args.drop_na_features)}
    if args.crf is not None:
        crf = read_feature_table(args.crf, reader=args.reader, option="--crf")
        for note in crf.attrs.get("notes", []):
            console.print(f"[yellow]note:[/] {args.crf}: {escape(note)}", soft_wrap=True)
        sets["crf"] = crf
        if not crf.drop(columns=["image_id", "patient_id"]).notna().all().all():
            raise UserError(f"feature table {args.crf} (--crf) has missing values — impute "
                            "them or leave those features out")
    if args.crf36:
        if cohort.crf36 is None:
            raise UserError(f"{args.cohort}: the cohort has no crf36.csv; drop --crf36")
        sets["crf36"] = cohort.crf36
    expression = None
    if not args.no_genes:
        expression = cohort.expression(value=args.expression_value)
    res = run_explore(sets, cohort.clinical, args.out, expression=expression,
                      config=cfg.explore, seed=cfg.seed)
    store.write_manifest(args.out, config=cfg.to_dict(), seeds={"tsne": cfg.seed},
                         extra={"stage": "explore", "feature_sets": list(sets)})
    for label, summ in res.items():
        if label == "paths":
            continue
        if label == "genes":
            console.print(f"genes: {summ['significant']} of {summ['n_genes']} with "
                          f"Kruskal-Wallis p < {cfg.explore.kw_gene_alpha:g}")
            continue
        p_h = min(summ["hclust_fisher_p"].values(), default=float("nan"))
        console.print(f"{label}: {summ['n_patients']} patients, clusters "
                      f"{summ['hclust_sizes']} (min Fisher p {p_h:.3g}); t-SNE "
                      f"{summ['tsne_clusters']} clusters")
    console.print(f"[green]written to {args.out}[/]")
    return 0
