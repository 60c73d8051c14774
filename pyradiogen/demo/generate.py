"""``make_demo_cohort``: a synthetic cohort in the real TCIA/GDC/TCGA formats."""

from __future__ import annotations

import os
import shutil
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from .. import store
from ..cohort.manifest import MANIFEST, manifest_text
from ..cohort.tables import TIMER_COLUMNS, crf36_names
from ..config import DEFAULT_SEED
from ..parallel import pmap
from ..progress import track
from . import phantom
from .biology import FACTORS, PROGRAMS, clinical_table, n_generated, simulate_patients
from .expression import (
    PROGRAM_LOADING,
    PROGRAM_SHARE,
    gene_universe,
    planted_loadings,
    rsem_like_matrix,
    simulate_counts,
    star_counts_text,
    star_prefix,
)
from .layouts import LAYOUTS, MIXED_SHARES, SEG_SHARE, phase_series
from .writers import SeriesInfo, uid, write_mask, write_seg, write_slice

READERS = ("reader1", "reader2")
SELECTED_PHASE = 2          # temporal position (1-based) of the first post-contrast phase
POST_PHASE = SELECTED_PHASE - 1   # the same phase in exam numbering (0 = pre-contrast)
DEMO_VERSION = 3            # 3: expression programmes, CRF36 reliability (issue 19)
_SCANNERS = {"GE MEDICAL SYSTEMS": ("SIGNA EXCITE", "Ax VIBRANT MPh"),
             "SIEMENS": ("Avanto", "t1_fl3d_tra_dynaVIEWS_spair"),
             "Philips Medical Systems": ("Achieva", "DYN eTHRIVE SENSE")}


def _patient_rng(seed: int, index: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, index, stream])


def _write_patient(root: Path, seed: int, i: int, p: pd.Series, layout: str = "mixed",
                   seg_share: float | None = None) -> dict:
    """Write one patient's DICOMs and ROIs; return its image phenotype and ROI rows."""
    rng = _patient_rng(seed, i, 1)
    z = {f: float(p[f]) for f in FACTORS}
    lesion = phantom.lesion_from_latent(z, rng)
    size = 512 if rng.random() < 0.1 else 256
    fov = float(rng.uniform(320, 360))
    spacing = round(fov / size, 4)
    thick = float(rng.choice([2.0, 2.2, 3.0]))
    n_post = int(rng.integers(2, 9))
    n_slices = int(rng.integers(3, 6))
    t_res = float(rng.uniform(60, 120))
    model, desc = _SCANNERS[p["manufacturer"]]
    pid = p["patient_id"]
    study_uid = uid(seed, pid, "study")
    year = int(rng.integers(1999, 2005))
    date = f"{year}{int(rng.integers(1, 13)):02d}{int(rng.integers(1, 29)):02d}"
    slope, intercept = (1.0, 0.0) if rng.random() < 0.6 else (0.5, -50.0)
    pdir = root / "dicom" / pid / f"{date[4:6]}-{date[6:]}-{date[:4]}-MRI BREAST BILATERAL-{i:05d}"
    offsets = (np.arange(n_slices) - n_slices // 2) * thick
    geoms = {float(dz): phantom.slice_geometry(lesion, size, spacing, float(dz), rng)
             for dz in offsets}
    centre = geoms[0.0]
    out: dict = {"lesion": lesion, "rois": [], "n_post": n_post, "size": size,
                 "spacing": spacing, "t_res": t_res}
    if not p["has_dce"]:  # only a T2 series: study liu2023 excludes the patient, no ROIs drawn
        info = SeriesInfo(pid, study_uid, uid(seed, pid, "t2"), 3, "Ax T2 FSE",
                          p["manufacturer"], model, float(p["field_strength"]), date, spacing,
                          thick, slope, intercept, repetition_time=4000.0, echo_time=90.0)
        for k, (dz, g) in enumerate(geoms.items(), 1):
            write_slice(pdir / f"3.000000-Ax T2 FSE-{i:05d}" / f"1-{k:02d}.dcm", info,
                        phantom.render(g, lesion, -1.0, rng), sop_uid=uid(seed, pid, "t2", k),
                        instance_number=k, temporal_position=None, acquisition_number=1,
                        slice_location=float(dz))
        return out
    lrng = _patient_rng(seed, i, 5)          # layout and SEG draws: pixels do not change
    if layout == "mixed":
        names = list(MIXED_SHARES)
        lay = names[int(lrng.choice(len(names), p=list(MIXED_SHARES.values())))]
    else:
        lay = layout
    with_seg = bool(lrng.random() < SEG_SHARE) if seg_share is None else bool(
        lrng.random() < seg_share)
    xrng = _patient_rng(seed, i, 6)          # extra slices of the untagged layout
    n_phases = n_post + 1
    inst: dict[str, int] = {}
    sop_centre = path_centre = None
    out["layout"] = lay
    for tp in range(1, n_phases + 1):                 # 1 = pre-contrast, 2.. = post-contrast
        t_s = -1.0 if tp == 1 else (tp - 1.5) * t_res
        key, sdesc, snum, tagged = phase_series(lay, tp - 1, desc)
        info = SeriesInfo(pid, study_uid, uid(seed, pid, key), snum, sdesc, p["manufacturer"],
                          model, float(p["field_strength"]), date, spacing, thick, slope,
                          intercept)
        sdir = pdir / f"{snum}.000000-{sdesc.replace('/', '_')}-{i:05d}"
        acq = 28800.0 + 300.0 + (tp - 1) * t_res      # AcquisitionTime (s after midnight)
        for k, (dz, g) in enumerate(geoms.items()):
            if tp != SELECTED_PHASE and dz != 0.0:
                if lay != "untagged":
                    continue                          # other phases: the central slice only
                values = phantom.render(g, lesion, t_s, xrng)
            else:
                values = phantom.render(g, lesion, t_s, rng)
            inst[key] = inst.get(key, 0) + 1
            sop = uid(seed, pid, "dce", tp, dz)
            fpath = sdir / f"1-{inst[key]:03d}.dcm"
            write_slice(fpath, info, values, sop_uid=sop, instance_number=inst[key],
                        temporal_position=tp if tagged else None,
                        n_temporal_positions=n_phases if tagged else None,
                        acquisition_number=tp if tagged else 1, slice_location=float(dz),
                        trigger_time_ms=max(t_s, 0.0) * 1000, acquisition_time_s=acq,
                        content_time_s=acq + 0.5 * k)
            if tp == SELECTED_PHASE and dz == 0.0:
                sop_centre, path_centre = sop, fpath
    if rng.random() < 0.5:  # a T2 series as well, to be skipped by the DCE selection
        t2 = SeriesInfo(pid, study_uid, uid(seed, pid, "t2"), 3, "Ax T2 FSE", p["manufacturer"],
                        model, float(p["field_strength"]), date, spacing, thick, slope,
                        intercept, repetition_time=4000.0, echo_time=90.0)
        write_slice(pdir / f"3.000000-Ax T2 FSE-{i:05d}" / "1-01.dcm", t2,
                    phantom.render(centre, lesion, -1.0, rng), sop_uid=uid(seed, pid, "t2", 1),
                    instance_number=1, temporal_position=None, acquisition_number=1,
                    slice_location=0.0)
    out["true_area_mm2"] = float(phantom.true_mask(centre).sum() * spacing ** 2)
    miss_r2 = rng.random() < 0.04
    for r, reader in enumerate(READERS):
        if r == 1 and miss_r2:
            continue
        m = phantom.reader_mask(centre, lesion, rng, bias_px=0.6 * r)
        if r == 0 and with_seg:      # reader 1's ROI as a DICOM SEG on the same slice
            seg = pdir / f"300.000000-Segmentation-{i:05d}" / "1-1.dcm"
            write_seg(seg, path_centre, m, series_uid=uid(seed, pid, "seg"),
                      sop_uid=uid(seed, pid, "seg", 1), date=date)
            rel = str(seg.relative_to(root))
        else:
            rel = f"rois/{reader}/{pid}.nrrd"
            write_mask(root / rel, m, spacing)
        out["rois"].append({"patient_id": pid, "reader": reader, "sop_instance_uid": sop_centre,
                            "mask": rel})
    return out


#: how closely each of the 36 TCGA features follows the lesion's planted properties: the
#: correlation of a measured feature with the feature computed from those properties. The
#: real features were computed by another group's software on its own 3-D segmentations of
#: other DCE phases; study 1 found them associated with only 8 of 288 risk genes and with no
#: signature or pathway, so the demo measures them with that much error (issue 19).
CRF36_RELIABILITY = 0.15


def _crf36(pat: pd.DataFrame, les: dict, rng: np.random.Generator,
           reliability: float = CRF36_RELIABILITY) -> pd.DataFrame:
    """The 36 conventional features: computed from the planted lesion properties (+ 5% noise),
    then measured with reliability ``reliability`` — each feature, standardised over the
    patients, is ``reliability × value + sqrt(1 − reliability²) × N(0, 1)`` and returned to its
    own mean and spread."""
    rows = []
    for _, p in pat.iterrows():
        lz: phantom.Lesion = les[p["patient_id"]]["lesion"]
        r, irr = lz.radius_mm, lz.irregularity
        t = np.linspace(0, 600, 61)
        k = lz.peak_enhancement * phantom.kinetic_curve(t, lz)
        ipk = int(np.argmax(k))
        vol = 4 / 3 * np.pi * r ** 3 * (1 + 2 * irr)
        surf = 4 * np.pi * r ** 2 * (1 + 3 * irr)
        het = lz.heterogeneity
        e = rng.normal(0, 1, 36)
        vals = [k[ipk], t[ipk], k[ipk] / max(t[ipk], 10), max(k[ipk] - k[-1], 0) / 600,
                (k[-1] - k[ipk]) / max(k[ipk], 1e-6), k[6], k[6] / max(k[-1], 1e-6),
                het * k[ipk] * 0.1, t[ipk] * (1 + 0.1 * e[0]), het * 0.01, het * 0.005,
                40 * het, 0.5 + het, 1.5 + 2 * het, 20 * het, 0.1 - 0.2 * het, 3 + 4 * het,
                0.4 - het, -0.2 - 0.3 * het, 0.8 + 0.3 * het, 0.9 - het * 0.5, 50 + 60 * het,
                4 + 3 * het, 300 * het, 80 * het, 1 - irr, irr, surf / vol,
                1 / lz.margin_blur_mm, 0.2 * lz.margin_blur_mm, irr * 0.5,
                vol, 2 * r, surf, vol * 0.3 * k[ipk], 2 * r * (1 + irr)]
        vals = [v * (1 + 0.05 * ee) for v, ee in zip(vals, e)]
        rows.append([p["patient_id"], *vals])
    out = pd.DataFrame(rows, columns=["Complete TCGA ID", *crf36_names()])
    v = out.iloc[:, 1:].astype(float)
    if len(v) > 2 and reliability < 1:
        mean, sd = v.mean(), v.std(ddof=1).replace(0.0, 1.0)
        z = (v - mean) / sd
        noise = rng.normal(size=v.shape)
        v = mean + sd * (reliability * z + np.sqrt(1 - reliability ** 2) * noise)
    out.iloc[:, 1:] = np.round(v.to_numpy(), 6)
    return out


def _timer(pat: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    base = {"B_cell": 0.09, "CD4_T": 0.12, "CD8_T": 0.18, "Neutrophil": 0.11,
            "Macrophage": 0.06, "Dendritic": 0.45}
    weight = {"B_cell": 0.4, "CD4_T": 0.3, "CD8_T": 0.5, "Neutrophil": 0.2,
              "Macrophage": 0.2, "Dendritic": 0.4}
    n = len(pat)
    tab = {c: np.round(base[c] * np.exp(weight[c] * pat["immune"].to_numpy()
                                        + rng.normal(0, 0.25, n)), 6) for c in TIMER_COLUMNS}
    names = dict(zip(TIMER_COLUMNS, ("B_cell", "CD4_Tcell", "CD8_Tcell", "Neutrophil",
                                     "Macrophage", "DC")))
    df = pd.DataFrame({"barcode": pat["sample_id"].str[:15]})
    for c in TIMER_COLUMNS:
        df[names[c]] = tab[c]
    return df, {c: {"immune": weight[c]} for c in TIMER_COLUMNS}


DEMO_MARKER = ".pyradiogen-demo"


def _is_demo_folder(root: Path) -> bool:
    """Whether ``root`` holds (part of) a demo cohort written by this module."""
    if (root / DEMO_MARKER).exists():
        return True
    m = root / MANIFEST
    return m.exists() and 'kind = "demo"' in m.read_text(encoding="utf-8")


def _write_patient_item(item: tuple[int, dict], root: Path, seed: int, layout: str = "mixed",
                        seg_share: float | None = None) -> dict:
    i, p = item
    return _write_patient(root, seed, i, pd.Series(p), layout, seg_share)


def make_demo_cohort(out_dir: str | os.PathLike, n_patients: int = 110,
                     seed: int = DEFAULT_SEED,
                     overwrite: bool = True, n_jobs: int = 1, layout: str = "mixed",
                     seg_share: float | None = None) -> Path:
    """Write a synthetic cohort to ``out_dir`` and return its path.

    ``layout`` is how each DCE acquisition is written (:mod:`pyradiogen.demo.layouts`):
    ``"mixed"`` (default) draws one per patient — 40% one tagged series, 10% each of the
    per-phase naming conventions and of the untagged single series — or name one layout for
    every patient; pixels and every table are the same whatever the layout. ``seg_share`` is
    the share of patients whose reader-1 ROI is written as a DICOM SEG (default 15%).

    ``n_patients`` is the number study liu2023 KEEPS: about 18% more are generated (non-GE or 3 T
    scanners, one GE patient without a DCE series, patients without RNA-seq) so that the
    exclusions have work to do. Same ``seed`` → identical tables and pixels (whatever
    ``n_jobs``: every patient has its own random stream). ``cohort.toml`` is written last, so
    a folder without it is an unfinished cohort.
    """
    if layout != "mixed" and layout not in LAYOUTS:
        raise ValueError(f"layout={layout!r}; use 'mixed' or one of {', '.join(LAYOUTS)}")
    if n_patients < 4:
        raise ValueError(f"n_patients={n_patients}: the demo cohort needs at least 4 patients")
    root = Path(out_dir)
    if root.exists() and any(root.iterdir()):
        if not _is_demo_folder(root):
            raise ValueError(f"{root} is not empty and holds no demo cohort: choose an empty or "
                             "new folder (demo-data only overwrites its own output)")
        if not overwrite:
            raise ValueError(f"{root} already holds a demo cohort; pass overwrite=True")
        for sub in ("dicom", "rois", "expression"):
            shutil.rmtree(root / sub, ignore_errors=True)
    root.mkdir(parents=True, exist_ok=True)
    (root / MANIFEST).unlink(missing_ok=True)
    (root / DEMO_MARKER).write_text("pyradiogen demo cohort (being) written here\n")
    rng = np.random.default_rng([seed, 0])
    pat = simulate_patients(n_patients, rng)

    items = list(enumerate(pat.to_dict("records")))
    if n_jobs == 1:
        res = [_write_patient_item(it, root, seed, layout, seg_share)
               for it in track(items, "demo: images")]
    else:
        res = pmap(partial(_write_patient_item, root=root, seed=seed, layout=layout,
                           seg_share=seg_share), items, n_jobs=n_jobs,
                   description="demo: images")
    images = dict(zip(pat["patient_id"], res))
    rois = [r for v in images.values() for r in v["rois"]]
    store.write_frame(pd.DataFrame(rois, columns=["patient_id", "reader", "sop_instance_uid",
                                                  "mask"]), root / "rois" / "rois.csv",
                      index=False)

    erng = np.random.default_rng([seed, 2])
    genes = gene_universe()
    planted = planted_loadings(genes, np.random.default_rng([seed, 3]))
    expr_pat = pat[pat["has_expression"]].reset_index(drop=True)
    counts = simulate_counts(genes, planted, expr_pat, erng)
    sdir = root / "expression" / "star_counts"
    sdir.mkdir(parents=True, exist_ok=True)
    prefix = star_prefix(genes)
    for s in track(list(counts.columns), "demo: expression"):
        full = f"{s}-11R-A115-07"
        # plain writes: cohort.toml, written last, marks the cohort complete
        (sdir / f"{full}.rna_seq.augmented_star_gene_counts.tsv").write_text(
            star_counts_text(genes, counts[s].to_numpy(), erng, prefix), encoding="utf-8")
    store.write_frame(rsem_like_matrix(genes, counts), root / "expression" / "matrix.tsv")
    store.write_frame(genes[["gene_id", "gene_name", "gene_type", "entrez"]],
                      root / "expression" / "genes.tsv", index=False)

    crng = np.random.default_rng([seed, 4])
    store.write_frame(clinical_table(pat, crng), root / "clinical.tsv", index=False)
    has_crf = crng.random(len(pat)) < 0.8
    store.write_frame(_crf36(pat[has_crf], images, crng), root / "crf36.csv", index=False)
    timer, timer_links = _timer(pat, crng)
    store.write_frame(timer, root / "timer.csv", index=False)
    risk = (Path(__file__).parent / "data" / "risk_panel.txt").read_text()
    store.atomic_write(root / "risk_genes.txt", risk)

    truth = _truth(pat, images, planted, timer_links, seed, n_patients)
    store.write_json(root / "truth.json", truth)
    parts = {"dicom": "dicom", "rois": "rois/rois.csv", "star_counts": "expression/star_counts",
             "matrix": "expression/matrix.tsv", "genes": "expression/genes.tsv",
             "clinical": "clinical.tsv", "crf36": "crf36.csv", "timer": "timer.csv",
             "risk_genes": "risk_genes.txt", "truth": "truth.json"}
    store.atomic_write(root / MANIFEST, manifest_text(
        "pyradiogen demo cohort", "demo", parts, seed=seed, n_patients=n_patients,
        n_generated=int(len(pat)), demo_version=DEMO_VERSION, layout=layout,
        liu2023={"post_phase": POST_PHASE, "manufacturer": "GE", "field_strength": 1.5},
        expression={"kind": "rsem"}))  # matrix.tsv: RSEM-normalised values (as TCGA legacy)
    return root


def _truth(pat: pd.DataFrame, images: dict, planted, timer_links: dict, seed: int,
           n_patients: int) -> dict:
    per_patient = {}
    for _, p in pat.iterrows():
        im = images[p["patient_id"]]
        lz = im["lesion"]
        per_patient[p["patient_id"]] = {
            "role": p["role"], "subtype": p["subtype"],
            "latent": {f: round(float(p[f]), 6) for f in FACTORS},
            "programs": [round(float(p[f"program_{k + 1}"]), 6) for k in range(PROGRAMS)],
            "image": {k: round(float(getattr(lz, k)), 6) for k in phantom.IMAGE_LINKS},
            "true_area_mm2": round(im.get("true_area_mm2", float("nan")), 4),
            "n_post_contrast_phases": im["n_post"], "matrix": im["size"],
            "dce_layout": im.get("layout"),
        }
    load = planted.loadings
    genes = {g: {f: round(float(v), 4) for f, v in row.items() if v != 0}
             for g, row in load.iterrows() if (row != 0).any()}
    return {
        "seed": seed, "n_patients_kept": n_patients, "n_generated": n_generated(n_patients)[0],
        "factors": list(FACTORS),
        "notes": "image properties = base * exp(sum(weight * factor)) (logistic for "
                 "irregularity and heterogeneity); gene log-expression += loading * factor "
                 "+ programme loading * programme activity; PAM50 genes also get 1.2 * "
                 "centroid of the patient's subtype; CRF36 = the features of the lesion "
                 "properties measured with reliability crf36_reliability.",
        "image_links": phantom.IMAGE_LINKS,
        "gene_loadings": genes,
        "signatures": planted.signatures, "pathways": planted.pathways,
        "risk_genes": planted.risk, "timer": timer_links,
        "crf36_reliability": CRF36_RELIABILITY,
        "expression_programs": {
            "n": PROGRAMS, "share_of_pathway_genes": PROGRAM_SHARE,
            "loading_range": list(PROGRAM_LOADING),
            "note": "image-independent: programme activities are standard normal per patient, "
                    "independent of the factors; each KEGG pathway is driven by one programme",
            "pathway_program": {k: v + 1 for k, v in (planted.program_of or {}).items()}},
        "null_genes": "role == background in expression/genes.tsv carry no loading",
        "patients": per_patient,
    }


def ensure_demo_cohort(path: str | os.PathLike | None = None, n_patients: int = 110,
                       seed: int = DEFAULT_SEED, n_jobs: int = 1) -> Path:
    """The demo cohort at ``path`` (default ``~/.cache/pyradiogen/demo-<n>-seed<seed>``),
    generated only when it is missing or unfinished (no ``cohort.toml``) or was made with
    other settings. The ``replicate`` job uses this when no data are given."""
    import tomllib

    if path is None:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        path = base / "pyradiogen" / f"demo-{n_patients}-seed{seed}"
    path = Path(path)
    m = path / MANIFEST
    if m.exists():
        meta = tomllib.loads(m.read_text(encoding="utf-8"))
        if meta.get("n_patients") == n_patients and meta.get("seed") == seed \
                and meta.get("demo_version") == DEMO_VERSION:
            return path
    return make_demo_cohort(path, n_patients=n_patients, seed=seed, n_jobs=n_jobs)
