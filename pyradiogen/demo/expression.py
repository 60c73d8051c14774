"""Simulated RNA-seq: genes driven by the latent factors, negative-binomial counts, and the
GDC STAR-counts TSV format.

The gene universe (``data/gene_universe.tsv``, built by ``data/make_gene_universe.R`` from
org.Hs.eg.db) holds every gene of the bundled genefu tables, of the KEGG v7.2 sets, of the risk
panel (``data/risk_panel.txt``) and 1,000 background protein-coding genes. Loadings on the
latent factors are planted for signature, PAM50, pathway and risk-panel genes
(:func:`planted_loadings`); background genes carry none.

Tumours also vary in ways the images do not show: :data:`PROGRAMS` expression programmes,
independent of the five latent factors, each drive whole KEGG pathways (every pathway belongs
to one programme, which moves :data:`PROGRAM_SHARE` of its genes together). Without them a
pathway's ssGSEA score would be almost a function of the five image-linked factors, and any
image feature would associate with nearly every pathway — far more than the real studies found
(issue 19; ``benchmarks/bench_demo_effects.py`` prints the counts beside the published ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..cohort.tables import read_gmt
from ..resources import extdata, kegg_gmt
from .biology import FACTORS, PROGRAMS, SUBTYPES

DATA = Path(__file__).resolve().parent / "data"

#: pathway -> (factor, strength) for the planted KEGG links
PATHWAY_LINKS: dict[str, tuple[str, float]] = {
    "KEGG_CELL_CYCLE": ("prolif", 0.6), "KEGG_DNA_REPLICATION": ("prolif", 0.6),
    "KEGG_MISMATCH_REPAIR": ("prolif", 0.5), "KEGG_RNA_DEGRADATION": ("prolif", 0.4),
    "KEGG_P53_SIGNALING_PATHWAY": ("prolif", 0.3),
    "KEGG_FATTY_ACID_METABOLISM": ("er", 0.5), "KEGG_INSULIN_SIGNALING_PATHWAY": ("er", 0.4),
    "KEGG_PHENYLALANINE_METABOLISM": ("er", 0.5), "KEGG_TYROSINE_METABOLISM": ("er", 0.5),
    "KEGG_STEROID_HORMONE_BIOSYNTHESIS": ("er", 0.4),
    "KEGG_ERBB_SIGNALING_PATHWAY": ("her2", 0.5),
    "KEGG_T_CELL_RECEPTOR_SIGNALING_PATHWAY": ("immune", 0.6),
    "KEGG_B_CELL_RECEPTOR_SIGNALING_PATHWAY": ("immune", 0.6),
    "KEGG_NATURAL_KILLER_CELL_MEDIATED_CYTOTOXICITY": ("immune", 0.6),
    "KEGG_ANTIGEN_PROCESSING_AND_PRESENTATION": ("immune", 0.6),
    "KEGG_CHEMOKINE_SIGNALING_PATHWAY": ("immune", 0.5),
    "KEGG_ECM_RECEPTOR_INTERACTION": ("size", 0.5), "KEGG_FOCAL_ADHESION": ("size", 0.4),
    "KEGG_VEGF_SIGNALING_PATHWAY": ("size", 0.4),
}
#: risk-panel genes with a planted factor (the rest of the panel is null)
RISK_LINKS: dict[str, tuple[str, float]] = {
    "ESR1": ("er", 1.0), "GATA3": ("er", 0.8), "FOXA1": ("er", 0.8), "TBX3": ("er", 0.5),
    "ERBB2": ("her2", 1.5), "MKI67": ("prolif", 1.0), "CCND1": ("er", 0.4),
    "MYC": ("prolif", 0.5), "FIBP": ("size", 0.7), "ATP6AP1L": ("size", 0.6),
    "OVOL1": ("er", 0.6), "RP11-57H14.3": ("size", 0.8), "RP11-400F19.8": ("prolif", 0.7),
    "ZNF703": ("er", 0.4), "TOX3": ("er", 0.4), "CASP8": ("immune", 0.4),
    "LSP1": ("immune", 0.6), "PTHLH": ("size", 0.4), "NTN4": ("er", 0.4),
    "KCNN4": ("prolif", 0.4),
}
#: genefu module name -> factor
#: (signature keys in truth.json follow genefu's score names: oncotypedx, endoPredict, gene70,
#: ggi, genius, pik3cags, tamr13, rorS, ESR1, ERBB2, AURKA; plus mod1_*/mod2_* and pam50)
#: share of a pathway's genes its programme drives, and the range of their loadings
PROGRAM_SHARE = 0.7
PROGRAM_LOADING = (0.4, 1.2)
MODULE_FACTORS = {"ESR1": "er", "ERBB2": "her2", "AURKA": "prolif", "STAT1": "immune",
                  "PLAU": "size", "VEGF": "size"}
_GENE_TYPES = {"protein-coding": "protein_coding", "ncRNA": "lncRNA",
               "pseudo": "transcribed_unprocessed_pseudogene", "other": "misc_RNA",
               "unknown": "lncRNA"}


def gene_universe() -> pd.DataFrame:
    """gene_id (versioned Ensembl), gene_name, gene_type, entrez (Int64), role, length_bp."""
    g = pd.read_csv(DATA / "gene_universe.tsv", sep="\t", dtype={"entrez": "Int64"},
                    keep_default_na=False, na_values=[""])
    rng = np.random.default_rng(12345)  # gene annotation is fixed, independent of the seed
    n = len(g)
    synth = [f"ENSG99{i:09d}" for i in range(n)]
    ens = g["ensembl"].where(g["ensembl"].notna(), pd.Series(synth, index=g.index))
    version = rng.integers(1, 20, n)
    out = pd.DataFrame({
        "gene_id": [f"{e}.{v}" for e, v in zip(ens, version)],
        "gene_name": g["gene_name"],
        "gene_type": g["genetype"].map(_GENE_TYPES).fillna("lncRNA"),
        "entrez": g["entrez"],
        "role": g["role"],
        "length_bp": np.round(np.exp(rng.normal(7.9, 0.6, n))).astype(int),
    })
    return out.sort_values("gene_id", kind="stable").reset_index(drop=True)


@dataclass
class Planted:
    """Planted gene loadings (genes × factors), PAM50 centroid effects and their sources."""

    loadings: pd.DataFrame          # gene_name x FACTORS
    subtype_effect: pd.DataFrame    # gene_name x SUBTYPES
    signatures: dict[str, dict]     # signature -> {"factors": {...}, "genes": [...]}
    pathways: dict[str, dict]
    risk: dict[str, dict]
    programs: pd.DataFrame | None = None   # gene_name x program loadings (image-independent)
    program_of: dict[str, int] | None = None  # KEGG pathway -> its programme


def _add(load: pd.DataFrame, genes, factor: str, values) -> list[str]:
    """Add ``values`` to the ``factor`` loading of ``genes`` (unknown or NaN genes skipped)."""
    names = [g if isinstance(g, str) else None for g in list(genes)]
    vals = np.broadcast_to(np.asarray(values, dtype=float), (len(names),))
    pos = {g: i for i, g in enumerate(load.index.tolist())}
    acc: dict[str, list[float]] = {}
    for g, v in zip(names, vals):
        if g is not None and g in pos and np.isfinite(v):
            acc.setdefault(g, []).append(float(v))
    if acc:
        rows = [pos[g] for g in acc]
        col = load.columns.get_loc(factor)
        vals_col = load.iloc[:, col].to_numpy(copy=True)
        vals_col[rows] += [np.mean(v) for v in acc.values()]
        load.iloc[:, col] = vals_col
    return list(acc)


def planted_loadings(genes: pd.DataFrame, rng: np.random.Generator) -> Planted:
    """Which genes each latent factor drives, and how strongly (log scale)."""
    names = pd.Index(genes["gene_name"])
    load = pd.DataFrame(0.0, index=names, columns=list(FACTORS))
    by_entrez = genes.dropna(subset=["entrez"]).drop_duplicates("entrez").set_index("entrez")[
        "gene_name"]

    def sym(df: pd.DataFrame) -> pd.Series:
        return df["EntrezGene.ID"].map(by_entrez)

    sigs: dict[str, dict] = {}
    g = pd.read_csv(extdata("genefu", "sig_oncotypedx.csv"))
    grp = {"proliferation": ("prolif", 0.9), "estrogen": ("er", 0.9), "her2": ("her2", 1.2),
           "invasion": ("size", 0.5)}
    used = []
    for gname, (f, s) in grp.items():
        used += _add(load, sym(g[g["group"] == gname]), f, s)
    sigs["oncotypedx"] = {"factors": {"prolif": 0.9, "er": -0.9, "her2": 1.2, "size": 0.5},
                          "genes": used}
    g = pd.read_csv(extdata("genefu", "sig_endopredict.csv"))
    goi = g[g["group"] == "GOI"]
    used = _add(load, sym(goi[goi["weight"] > 0]), "prolif", 0.7)
    used += _add(load, sym(goi[goi["weight"] < 0]), "er", 0.7)
    sigs["endoPredict"] = {"factors": {"prolif": 0.7, "er": -0.7}, "genes": used}
    g = pd.read_csv(extdata("genefu", "sig_gene70.csv"))
    used = _add(load, sym(g), "prolif", -0.6 * np.sign(g["average.good.prognosis.profile"]))
    sigs["gene70"] = {"factors": {"prolif": 0.6}, "genes": used}
    g = pd.read_csv(extdata("genefu", "sig_ggi.csv"))
    used = _add(load, sym(g), "prolif", np.where(g["grade"] == 3, 0.8, -0.8))
    sigs["ggi"] = {"factors": {"prolif": 0.8}, "genes": used}
    g = pd.read_csv(extdata("genefu", "sig_genius.csv"))
    used = []
    for mod, (f, s) in {"GENIUSM1": ("er", -0.5), "GENIUSM2": ("er", 0.5),
                        "GENIUSM3": ("her2", 0.6)}.items():
        sub = g[g["module"] == mod]
        used += _add(load, sym(sub), f, s * sub["coefficient"])
    sigs["genius"] = {"factors": {"her2": 0.6, "er": -0.5}, "genes": used}
    g = pd.read_csv(extdata("genefu", "sig_pik3cags.csv"))
    used = _add(load, sym(g), "er", 0.4 * g["coefficient"])
    sigs["pik3cags"] = {"factors": {"er": 0.4}, "genes": used}
    g = pd.read_csv(extdata("genefu", "sig_tamr13.csv"))
    used = _add(load, sym(g), "prolif", 0.4 * np.sign(g["cluster_coefficient"]) * g["coefficient"])
    sigs["tamr13"] = {"factors": {"prolif": 0.4}, "genes": used}
    for fname in ("mod1", "mod2"):
        g = pd.read_csv(extdata("genefu", f"{fname}.csv"))
        for mod, f in MODULE_FACTORS.items():
            sub = g[g["module"] == mod]
            if len(sub):
                used = _add(load, sym(sub), f, 0.7 * np.sign(sub["coefficient"]))
                sigs[f"{fname}_{mod}"] = {"factors": {f: 0.7}, "genes": used}
                if fname == "mod1" and mod in ("ESR1", "ERBB2", "AURKA"):
                    sigs[mod] = sigs[f"{fname}_{mod}"]   # genefu's module-score names
    load = load.clip(-2.0, 2.0)

    cen = pd.read_csv(extdata("genefu", "pam50_centroids.csv"))
    cen["gene_name"] = sym(cen).fillna(cen["probe"])
    cen = cen[cen["gene_name"].isin(names)].drop_duplicates("gene_name").set_index("gene_name")
    subtype_effect = pd.DataFrame(0.0, index=names, columns=list(SUBTYPES))
    subtype_effect.loc[cen.index] = 1.2 * cen[list(SUBTYPES)].to_numpy()
    sigs["pam50"] = {"factors": {"subtype": 1.2}, "genes": list(cen.index)}
    # ROR-S follows the PAM50 subtype, whose means are set by the er/her2/prolif factors
    sigs["rorS"] = {"factors": {"prolif": 0.8, "er": -0.5, "her2": 0.3},
                    "via": "PAM50 subtype", "genes": list(cen.index)}

    paths: dict[str, dict] = {}
    sets = read_gmt(kegg_gmt())
    for pname, (f, s) in PATHWAY_LINKS.items():
        members = [m for m in sets.get(pname, []) if m in load.index]
        hit = rng.random(len(members)) < 0.8
        chosen = [m for m, h in zip(members, hit) if h]
        _add(load, chosen, f, s * rng.uniform(0.6, 1.4, len(chosen)))
        paths[pname] = {"factor": f, "strength": s, "n_genes": len(members),
                        "n_driven": len(chosen)}
    risk = {}
    for gname, (f, s) in RISK_LINKS.items():
        if gname in load.index:
            _add(load, [gname], f, s)
            risk[gname] = {"factor": f, "strength": s}
    programs, program_of = program_loadings(names, sets, rng)
    return Planted(loadings=load.clip(-2.5, 2.5), subtype_effect=subtype_effect,
                   signatures=sigs, pathways=paths, risk=risk, programs=programs,
                   program_of=program_of)


def program_loadings(names: pd.Index, sets: dict[str, list[str]], rng: np.random.Generator
                     ) -> tuple[pd.DataFrame, dict[str, int]]:
    """Loadings (genes × :data:`PROGRAMS`) of the image-independent expression programmes:
    each KEGG pathway (in name order) is given one programme at random, which drives
    :data:`PROGRAM_SHARE` of its genes with loadings uniform in :data:`PROGRAM_LOADING`. A
    gene driven through several pathways has its loadings divided by the square root of their
    number, so a hub gene (ERBB2 is in 20 pathways) varies no more than any other."""
    pos = {g: i for i, g in enumerate(names)}
    load = np.zeros((len(names), PROGRAMS))
    hits = np.zeros(len(names))
    program_of: dict[str, int] = {}
    for pname in sorted(sets):
        k = int(rng.integers(PROGRAMS))
        program_of[pname] = k
        idx = np.array([pos[m] for m in dict.fromkeys(sets[pname]) if m in pos], dtype=int)
        hit = idx[rng.random(len(idx)) < PROGRAM_SHARE]
        load[hit, k] += rng.uniform(*PROGRAM_LOADING, len(hit))
        hits[hit] += 1
    load /= np.sqrt(np.maximum(hits, 1))[:, None]
    cols = [f"program_{k + 1}" for k in range(PROGRAMS)]
    return pd.DataFrame(load, index=names, columns=cols), program_of


def simulate_counts(genes: pd.DataFrame, planted: Planted, patients: pd.DataFrame,
                    rng: np.random.Generator) -> pd.DataFrame:
    """Negative-binomial counts, genes × samples (``sample_id`` columns)."""
    n_g = len(genes)
    names = genes["gene_name"].to_numpy()
    base = np.clip(rng.normal(2.0, 1.8, n_g), -3, 8)           # log CPM-like baseline
    disp = np.exp(rng.normal(np.log(0.12), 0.5, n_g))          # NB dispersion
    z = patients[list(FACTORS)].to_numpy().T                    # factors × patients
    eta = base[:, None] + planted.loadings.loc[names].to_numpy() @ z
    sub = planted.subtype_effect.loc[names, list(patients["subtype"])].to_numpy()
    eta = eta + sub + rng.normal(0, 0.35, eta.shape)
    if planted.programs is not None:  # image-independent programmes (module docstring)
        eta = eta + planted.programs.loc[names].to_numpy() @ program_activity(patients).T
    # a patient-independent denominator: a null gene's expected count does not move when
    # driven genes go up (no compositional artefact); library sizes vary a little with biology
    prop = np.exp(eta) / np.exp(base).sum()
    lib = rng.uniform(20e6, 60e6, len(patients)) * 0.2          # scaled to the genes kept
    mu = prop * lib[None, :]
    r = 1.0 / disp[:, None]
    counts = rng.negative_binomial(r, r / (r + mu))
    return pd.DataFrame(counts, index=genes["gene_id"], columns=patients["sample_id"])


def program_activity(patients: pd.DataFrame) -> np.ndarray:
    """Patients × :data:`PROGRAMS` activities (standard normal), the ``program_<k>`` columns
    of ``patients`` (drawn with the patients, :func:`.biology.simulate_patients`)."""
    cols = [f"program_{k + 1}" for k in range(PROGRAMS)]
    return patients[cols].to_numpy(dtype=float)


def star_prefix(genes: pd.DataFrame) -> list[str]:
    """The ``gene_id\tgene_name\tgene_type`` start of every gene line (computed once)."""
    return [f"{a}\t{b}\t{c}" for a, b, c in zip(genes["gene_id"].tolist(),
                                                 genes["gene_name"].tolist(),
                                                 genes["gene_type"].tolist())]


def star_counts_text(genes: pd.DataFrame, counts: np.ndarray, rng: np.random.Generator,
                     prefix: list[str] | None = None) -> str:
    """One sample's STAR-counts TSV exactly as GDC writes it (header comment, 4 ``N_`` rows)."""
    counts = np.asarray(counts, dtype=np.int64)
    first = rng.binomial(counts, 0.03)
    second = counts - first - rng.binomial(counts - first, 0.02)
    length_kb = genes["length_bp"].to_numpy() / 1e3
    rate = counts / length_kb
    tpm = rate / rate.sum() * 1e6
    total = counts.sum()
    fpkm = counts / length_kb / (total / 1e6)
    pc = (genes["gene_type"] == "protein_coding").to_numpy()
    uq = np.percentile(counts[pc], 75) if pc.any() else np.percentile(counts, 75)
    fpkm_uq = counts * 1e9 / (genes["length_bp"].to_numpy() * max(uq, 1))
    lines = ["# gene-model: GENCODE v36",
             "gene_id\tgene_name\tgene_type\tunstranded\tstranded_first\tstranded_second\t"
             "tpm_unstranded\tfpkm_unstranded\tfpkm_uq_unstranded"]
    extra = rng.integers(1, 4, 4) * total // np.array([20, 25, 15, 40])
    for name, v in zip(("N_unmapped", "N_multimapping", "N_noFeature", "N_ambiguous"), extra):
        lines.append(f"{name}\t\t\t{v}\t{v}\t{v}\t\t\t")
    prefix = prefix if prefix is not None else star_prefix(genes)
    body = [f"{p}\t{u}\t{f}\t{s}\t{t:.4f}\t{k:.4f}\t{q:.4f}" for p, u, f, s, t, k, q in
            zip(prefix, counts.tolist(), first.tolist(), second.tolist(), tpm.tolist(),
                fpkm.tolist(), fpkm_uq.tolist())]
    return "\n".join(lines + body) + "\n"


def rsem_like_matrix(genes: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Upper-quartile normalised counts (TCGA "RSEM normalized" style), rows ``SYMBOL|ENTREZ``."""
    c = counts.to_numpy(dtype=float)
    uq = np.percentile(c, 75, axis=0)
    norm = np.round(c / np.maximum(uq, 1) * 1000, 4)
    ent = genes["entrez"].astype("string").fillna("?")
    rows = [f"{s}|{e}" for s, e in zip(genes["gene_name"], ent)]
    out = pd.DataFrame(norm, index=pd.Index(rows, name="gene_id"), columns=counts.columns)
    return out.sort_index(kind="stable")
