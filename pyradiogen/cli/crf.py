"""``pyradiogen crf extract`` (pyradiomics features + inter-reader ICC) and ``pyradiogen icc``.

``icc --ratings CSV``: the table (CSV, TSV or parquet) has a header row; each row is one
subject, each column one rater. The subject-ID column is ``--id-column NAME`` (``none``: every
column is a rater); by default a column named like an ID (``subject``, ``id``, ``patient_id``
…), an unnamed first column or a non-numeric first column — a *numeric* first column is the ID
only when its name says so, and the command then says so. Every other column must be numeric;
``NA``, ``n/a``, an empty cell … are missing ratings: the subject is then left out (as irr
does), and the command names it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from . import UserError, add_cluster_options, console, err_console

ICC_MODELS = ("oneway", "twoway")
ICC_TYPES = ("consistency", "agreement")
ICC_UNITS = ("single", "average")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("crf", help="conventional radiomic features (pyradiomics, study kim2020)")
    csub = p.add_subparsers(dest="crf_command", metavar="SUBCOMMAND")
    e = csub.add_parser("extract", help="100 pyradiomics features for every patient x reader ROI, "
                                        "then the inter-reader ICC tables")
    e.add_argument("--cohort", required=True, type=Path, metavar="DIR",
                   help="cohort folder (with cohort.toml)")
    e.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    e.add_argument("--readers", nargs="+", default=None, metavar="READER",
                   help="readers to use (names under rois/; default: every reader)")
    e.add_argument("--params", default="kim2020_2d", metavar="NAME|YAML",
                   help="shipped pyradiomics parameter file (kim2020_2d: study kim2020's 100 "
                        "2-D features) or the path of a pyradiomics YAML file")
    e.add_argument("--n-jobs", type=int, default=2, metavar="N", help="worker processes")
    e.add_argument("--no-cache", action="store_true",
                   help="recompute every ROI (by default ROIs computed before are reused)")
    add_cluster_options(e)
    _icc_options(e)
    e.set_defaults(func=run_extract)
    p.set_defaults(func=lambda args: (p.print_help(), 1)[1])

    i = sub.add_parser("icc", help="intraclass correlation of a ratings table (irr::icc); "
                                   "default ICC(A,1): two-way, agreement, single rater",
                       description="irr::icc of a ratings table (one row per subject, one "
                                   "column per rater). The default form is ICC(A,1) — "
                                   "model twoway, type agreement, unit single — as study 2 "
                                   "and `crf extract` use; irr's own default is the one-way "
                                   "ICC(1) (--model oneway). --all prints all six forms.")
    i.add_argument("--ratings", required=True, type=Path, metavar="FILE",
                   help="CSV/TSV/parquet: header row, one row per subject, one column per "
                        "rater (optional column of subject IDs; missing ratings NA or empty)")
    i.add_argument("--id-column", default="auto", metavar="NAME",
                   help="column of subject IDs, or 'none' (every column a rater). Default: a "
                        "column named like an ID (subject, id, patient_id …), an unnamed or a "
                        "non-numeric first column; a numeric first column only when named "
                        "like an ID, with a note")
    _icc_options(i)
    i.add_argument("--r0", type=float, default=0.0,
                   help="ICC under the null hypothesis of the F test")
    i.add_argument("--all", action="store_true",
                   help="print all six forms (one-way/two-way × consistency/agreement × "
                        "single/average) instead of one")
    i.add_argument("--json", action="store_true", help="print the result as JSON")
    i.set_defaults(func=run_icc)


def _icc_options(p: argparse.ArgumentParser) -> None:
    """The ICC form; the default is ICC(A,1), study 2's (two-way, agreement, single)."""
    p.add_argument("--model", choices=ICC_MODELS, default="twoway",
                   help="oneway: raters differ per subject; twoway: the same raters rate "
                        "every subject")
    p.add_argument("--type", choices=ICC_TYPES, default="agreement",
                   help="agreement counts systematic differences between raters, "
                        "consistency does not (ignored for --model oneway)")
    p.add_argument("--unit", choices=ICC_UNITS, default="single",
                   help="reliability of a single rater's rating, or of the average of the "
                        "raters")
    p.add_argument("--conf-level", type=float, default=0.95, metavar="LEVEL",
                   help="confidence level of the interval")


def read_ratings(path: Path, id_column: str = "auto"):
    """Read a ratings table as subjects × raters (see the module docstring for the layout).

    Parameters
    ----------
    path : Path
        The table.
    id_column : str, default "auto"
        Column holding the subject IDs (``"auto"``: found by name).

    Returns
    -------
    ratings : DataFrame
        Subjects × raters.
    notes : list of str
        What the reader decided.
    """
    from ..cohort.usertable import read_table

    tab = read_table(path, what="ratings table", option="--ratings",
                     id_column=None if id_column == "none" else id_column,
                     id_option="--id-column", min_columns=2, min_rows=2,
                     expect="one row per subject, one numeric column per rater")
    return tab.frame, tab.notes


def run_icc(args: argparse.Namespace) -> int:
    from ..crf.icc import DegenerateICCError, icc, icc_all

    ratings, notes = read_ratings(args.ratings, args.id_column)
    for note in notes:  # on stderr: stdout holds the result only (--json stays parseable)
        err_console.print(f"[yellow]note:[/] {args.ratings}: {escape(note)}", soft_wrap=True)
    where = f"ratings table {args.ratings}"
    try:
        if args.all:
            out = icc_all(ratings, r0=args.r0, conf_level=args.conf_level, where=where)
            dropped = out.attrs.get("dropped", [])
            if args.json:
                print(json.dumps({"forms": json.loads(out.to_json(orient="records")),
                                  "dropped_subjects": dropped, "notes": notes}, indent=2))
            else:
                print(out.to_string(index=False))
            return 0
        res = icc(ratings, model=args.model, type=args.type, unit=args.unit, r0=args.r0,
                  conf_level=args.conf_level, where=where)
    except DegenerateICCError as exc:
        raise UserError(f"{exc} — fix: check the ratings (a constant table has no "
                        "between-subject variance)") from exc
    if args.json:
        d = res.to_frame().iloc[0].to_dict()
        d.update(dropped_subjects=list(res.dropped), notes=notes)
        print(json.dumps(d, indent=2, default=float))
    else:
        # the subjects left out are named once, in the warning on stderr (and in --json)
        console.print(str(res), soft_wrap=True)
    return 0


def run_extract(args: argparse.Namespace) -> int:
    if not args.cohort.is_dir():
        raise UserError(f"{args.cohort}: cohort folder not found")
    from ..cohort import load_cohort
    from ..crf.config import CRFConfig
    from ..crf.stage import run_crf_stage
    from ..studies.kim2020 import PUBLISHED_ICC_RANGES

    cfg = CRFConfig(params=args.params, readers=args.readers, n_jobs=args.n_jobs,
                    cache=not args.no_cache, icc_model=args.model, icc_type=args.type,
                    icc_unit=args.unit, conf_level=args.conf_level)
    res = run_crf_stage(load_cohort(args.cohort), args.out, cfg,
                        manifest_extra={"cohort": str(args.cohort)},
                        published=PUBLISHED_ICC_RANGES)
    crfs = res.crfs
    console.print(f"crfs.parquet: {len(crfs)} ROIs x {crfs.shape[1] - 3} features "
                  f"({crfs['patient_id'].nunique()} patients, readers "
                  f"{sorted(crfs['reader'].unique())}) in {args.out}")
    if res.icc_by_class is None:
        console.print("[yellow]one reader only: no inter-reader ICC table[/]")
        return 0
    name = res.icc_by_feature["icc_name"].iloc[0]
    if res.icc_by_feature["icc"].isna().all():
        console.print(f"[yellow]warning:[/] no feature has an inter-reader {name} "
                      f"({escape(str(res.icc_by_feature['note'].iloc[0]))}); icc_by_feature.csv "
                      "lists every feature with the reason", soft_wrap=True)
        return 0
    t = Table(title=f"Inter-reader {name} by feature class (study kim2020, Table 2)")
    for col in ("class", "features", "ICC range", "95% CI range", "published"):
        t.add_column(col, overflow="fold")
    for r in res.icc_by_class.itertuples():
        t.add_row(r.feature_class, str(r.n_features), f"{r.icc_min:.3f}–{r.icc_max:.3f}",
                  r.range, r.published)
    console.print(t)
    return 0
