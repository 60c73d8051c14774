"""Write an association scan's table, summaries, figures and manifest into one folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import store
from . import figures
from .scan import AssociationResult


def write_outputs(res: AssociationResult, out_dir: str | Path, label: str = "DRF",
                  config: Any = None, make_figures: bool = True,
                  extra: dict | None = None) -> dict[str, Path]:
    """Write ``associations.csv`` and the summary tables, Fig 5 panels and ``manifest.json``.

    ``label`` (``"DRF"``, or ``"CRF36"``/``"CRF"`` for liu2023's 36 TCGA features) picks the
    Fig 5e (top-30 DRFs) or 5f (significant CRFs) table.
    Returns the written paths by name.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    paths["associations"] = store.write_frame(res.table, out / "associations.csv", index=False)
    paths["per_gf"] = store.write_frame(res.per_gf(), out / "per_gf.csv", index=False)
    blocks = res.per_block()
    if len(blocks):
        paths["table2"] = store.write_frame(blocks, out / "table2_kernels.csv", index=False)
        paths["table3"] = store.write_frame(res.top_gfs(), out / "table3_top_gfs.csv",
                                            index=False)
    paths["per_feature"] = store.write_frame(res.per_feature(), out / "per_feature.csv",
                                             index=False)
    if label.upper() == "DRF":
        paths["fig5e"] = store.write_frame(figures.top_drf_table(res), out / "fig5e_top30.csv",
                                           index=False)
    else:
        paths["fig5f"] = store.write_frame(figures.significant_crf_table(res),
                                           out / "fig5f_significant.csv", index=False)
    over = res.overview()
    over.update({"seconds": res.seconds, "blocks_run": res.blocks_run,
                 "blocks_reused": res.blocks_reused, "label": label})
    paths["summary"] = store.write_json(out / "summary.json", over)
    if make_figures:
        for p in figures.fig5(res, out / "figures", label=label):
            paths[p.name] = p
    paths["manifest"] = store.write_manifest(
        out, config=config, extra={"associate": over, **(extra or {})},
        include_r=res.engine == "nlme")
    return paths
