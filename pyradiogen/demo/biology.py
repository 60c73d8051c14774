"""Latent tumour biology of demo patients and the clinical variables that follow from it.

Every patient gets five latent factors (standard-normal scale): ``prolif`` (proliferation),
``er`` (oestrogen-receptor axis), ``her2`` (HER2 axis), ``immune`` (immune infiltration) and
``size``. The PAM50 subtype is drawn first and shifts ``er``, ``her2`` and ``prolif``; the
images (:mod:`.phantom`) and the expression (:mod:`.expression`) are both driven by the
factors, so true image–gene associations exist.

The clinical marginals follow study liu2023's published Table 1
(``pyradiogen.studies.liu2023.PUBLISHED_TABLE1``: age mean, SD and range; the shares of T+,
N+, ER+, PR+ and HER2+ patients, HER2 missing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .barcodes import fake_barcodes

FACTORS = ("prolif", "er", "her2", "immune", "size")
#: expression programmes independent of the factors and of the images (standard normal per
#: patient; :mod:`.expression` says which genes each drives)
PROGRAMS = 24
SUBTYPES = ("LumA", "LumB", "Her2", "Basal", "Normal")
SUBTYPE_PROBS = (0.52, 0.20, 0.10, 0.15, 0.03)
#: subtype means of (er, her2, prolif)
SUBTYPE_MEANS = {
    "LumA": (1.0, -0.3, -0.7), "LumB": (0.7, 0.1, 0.6), "Her2": (-0.5, 1.8, 0.6),
    "Basal": (-1.8, -0.6, 1.2), "Normal": (0.3, -0.4, -0.8),
}


def _table1_marginals() -> dict[str, float]:
    """Study liu2023's published Table 1 as the demo's clinical marginals (shares of patients)."""
    from ..studies.liu2023 import PUBLISHED_TABLE1 as t

    n = int(t[("Patients", "n")])
    lo, hi = t[("Age", "range")].split("–")

    def pos(label: str) -> int:
        return int(t[(label, "positive")])

    return {"age_mean": float(t[("Age", "mean")]), "age_sd": float(t[("Age", "SD")]),
            "age_min": int(lo), "age_max": int(hi), "T": pos("T (>2 cm)") / n,
            "N": pos("N") / n, "ER": pos("ER") / n, "PR": pos("PR") / n,
            "HER2": pos("HER2") / (pos("HER2") + int(t[("HER2", "negative")])),
            "HER2_missing": int(t[("HER2", "NA")]) / n}


#: study liu2023 Table 1 proportions
TABLE1 = _table1_marginals()
#: share of patients (relative to those kept) generated to be excluded by study liu2023
EXCLUDED_SCANNER = 0.12   # non-GE or 3 T scanner, or no DCE series
EXCLUDED_NO_EXPRESSION = 0.06


def n_generated(n_patients: int) -> tuple[int, int, int]:
    """(total, excluded for scanner, excluded for missing expression) for ``n_patients`` kept."""
    n_scan = int(round(EXCLUDED_SCANNER * n_patients))
    n_expr = int(round(EXCLUDED_NO_EXPRESSION * n_patients))
    if n_patients >= 10:
        n_scan, n_expr = max(n_scan, 2), max(n_expr, 1)
    return n_patients + n_scan + n_expr, n_scan, n_expr


def _top(score: np.ndarray, share: float) -> np.ndarray:
    """1 for the ``share`` of patients with the highest score (exact marginals), else 0."""
    k = int(round(share * len(score)))
    out = np.zeros(len(score), dtype=int)
    out[np.argsort(-score, kind="stable")[:k]] = 1
    return out


def simulate_patients(n_patients: int, rng: np.random.Generator) -> pd.DataFrame:
    """One row per generated patient: IDs, scanner, exclusion flags, latent factors, clinical.

    ``n_patients`` is the number kept by study liu2023's exclusions; :func:`n_generated` more are
    generated so the exclusions have work to do (their flags are ``scanner_ok`` and
    ``has_expression``).
    """
    n, n_scan, n_expr = n_generated(n_patients)
    pid = fake_barcodes(n, rng)
    order = rng.permutation(n)
    role = np.array(["kept"] * n, dtype=object)
    role[order[:n_scan]] = "scanner"
    role[order[n_scan:n_scan + n_expr]] = "no_expression"
    manuf = np.array(["GE MEDICAL SYSTEMS"] * n, dtype=object)
    field = np.full(n, 1.5)
    has_dce = np.ones(n, dtype=bool)
    for j, i in enumerate(np.flatnonzero(role == "scanner")):
        kind = ("siemens", "philips", "philips3t", "ge3t", "siemens", "philips", "nodce")[j % 7]
        manuf[i] = {"siemens": "SIEMENS", "philips": "Philips Medical Systems",
                    "philips3t": "Philips Medical Systems"}.get(kind, "GE MEDICAL SYSTEMS")
        field[i] = 3.0 if kind in ("philips3t", "ge3t") else 1.5
        has_dce[i] = kind != "nodce"
    sub = rng.choice(len(SUBTYPES), size=n, p=SUBTYPE_PROBS)
    subtype = np.array(SUBTYPES)[sub]
    means = np.array([SUBTYPE_MEANS[s] for s in subtype])
    er = means[:, 0] + rng.normal(0, 0.6, n)
    her2 = means[:, 1] + rng.normal(0, 0.6, n)
    prolif = means[:, 2] + rng.normal(0, 0.6, n)
    immune = rng.normal(0, 1, n) + 0.5 * np.isin(subtype, ("Basal", "Her2"))
    size = rng.normal(0, 1, n) + 0.3 * prolif
    kept = role == "kept"
    groups = [np.flatnonzero(kept), np.flatnonzero(~kept)]

    def top(score: np.ndarray, share: float) -> np.ndarray:
        out = np.zeros(n, dtype=int)
        for g in groups:   # exact marginals among the kept patients
            out[g] = _top(score[g], share)
        return out

    za = rng.normal(0, 1, n)
    for g in groups:
        if len(g) > 2:
            za[g] = (za[g] - za[g].mean()) / za[g].std(ddof=1)
    age = np.clip(np.round(TABLE1["age_mean"] + TABLE1["age_sd"] * za),
                  TABLE1["age_min"], TABLE1["age_max"]).astype(int)
    er_pos = top(er + rng.normal(0, 0.5, n), TABLE1["ER"])
    pr_pos = top(er + rng.normal(0, 0.8, n), TABLE1["PR"])
    her2_missing = top(rng.random(n), TABLE1["HER2_missing"]).astype(bool)
    her2_pos = top(her2 + rng.normal(0, 0.4, n) - 100 * her2_missing,
                   TABLE1["HER2"] * (1 - TABLE1["HER2_missing"])).astype(float)
    her2_pos[her2_missing] = np.nan
    t_pos = top(size + rng.normal(0, 0.4, n), TABLE1["T"])
    n_pos = top(0.5 * size + 0.3 * prolif + rng.normal(0, 0.8, n), TABLE1["N"])
    programs = rng.normal(size=(n, PROGRAMS))  # drawn last: the factors above do not change
    out = pd.DataFrame({
        "patient_id": pid,
        "sample_id": [f"{p}-01A" for p in pid],
        "role": role, "manufacturer": manuf, "field_strength": field, "has_dce": has_dce,
        "scanner_ok": role != "scanner", "has_expression": role != "no_expression",
        "subtype": subtype, "prolif": prolif, "er": er, "her2": her2, "immune": immune,
        "size": size, "age": age, "ER": er_pos, "PR": pr_pos, "HER2": her2_pos, "T": t_pos,
        "N": n_pos,
    })
    progs = pd.DataFrame(programs, columns=[f"program_{k + 1}" for k in range(PROGRAMS)])
    return pd.concat([out, progs], axis=1)


_PAM50_NAMES = {"LumA": "Luminal A", "LumB": "Luminal B", "Her2": "HER2-enriched",
                "Basal": "Basal-like", "Normal": "Normal-like"}


def clinical_table(pat: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The TCGA 2012 Nature Supplementary Table 1 layout for the generated patients."""
    n = len(pat)
    t_stage = np.where(pat["T"] == 1, rng.choice(["T2", "T3", "T4"], n, p=[0.8, 0.15, 0.05]),
                       "T1")
    n_stage = np.where(pat["N"] == 1, rng.choice(["N1", "N2", "N3"], n, p=[0.7, 0.2, 0.1]),
                       "N0")
    her2 = np.where(pat["HER2"].isna(),
                    rng.choice(["Not Available", "Equivocal"], n, p=[0.6, 0.4]),
                    np.where(pat["HER2"] == 1, "Positive", "Negative"))
    stage = np.where((pat["T"] == 0) & (pat["N"] == 0), "Stage I",
                     np.where(pat["N"] == 1, "Stage II", "Stage IIA"))
    days = rng.integers(30, 4000, n)
    dead = rng.random(n) < 0.1
    return pd.DataFrame({
        "Complete TCGA ID": pat["patient_id"],
        "Gender": "FEMALE",
        "Age at Initial Pathologic Diagnosis": pat["age"],
        "ER Status": np.where(pat["ER"] == 1, "Positive", "Negative"),
        "PR Status": np.where(pat["PR"] == 1, "Positive", "Negative"),
        "HER2 Final Status": her2,
        "Tumor": t_stage,
        "Tumor--T1 Coded": np.where(pat["T"] == 1, "T_Other", "T1"),
        "Node": n_stage,
        "Node-Coded": np.where(pat["N"] == 1, "Positive", "Negative"),
        "Metastasis": "M0",
        "Metastasis-Coded": "Negative",
        "AJCC Stage": stage,
        "Vital Status": np.where(dead, "DECEASED", "LIVING"),
        "Days to Date of Last Contact": days,
        "OS event": dead.astype(int),
        "OS Time": days,
        "PAM50 mRNA": [_PAM50_NAMES[s] for s in pat["subtype"]],
    })
