"""The two papers' published numbers, for the report's side-by-side comparison.

Source: Liu & Hu 2023 (Biomarker Research 11:9) and Kim et al. 2020 (J Korean Soc Radiol
81:632), as transcribed in the project's study notes.
"""

from __future__ import annotations

import pandas as pd

LIU2023 = "Liu & Hu 2023, Biomarker Research 11:9"
KIM2020 = "Kim et al. 2020, J Korean Soc Radiol 81:632"

# ---------------------------------------------------------------- study 1 (Liu & Hu 2023)

LIU_TABLE1 = {
    "patients": 110,
    "age_min": 29, "age_max": 82, "age_mean": 53.76, "age_sd": 12.07,
    "T+": 70, "T-": 40, "N+": 54, "N-": 56, "ER+": 86, "ER-": 24,
    "PR+": 77, "PR-": 33, "HER2+": 21, "HER2-": 78, "HER2 NA": 11,
}

LIU_ASSOCIATION = {
    "DRFs associated with risk genes": 1774,
    "risk genes associated (of 288)": 213,
    "DRFs associated with EndoPredict": 848,
    "DRFs associated with rorS": 1395,
    "DRFs associated with KEGG pathways": 1739,
    "KEGG pathways associated (of 182)": 166,
    "DRFs associated with any GF": 2028,
    "GFs associated with any DRF": 381,
    "CRFs associated with risk genes": 14,
    "risk genes associated with CRFs": 8,
    "CRFs associated with signatures": 0,
    "CRFs associated with pathways": 0,
    "top DRF": "fea_4043",
    "top DRF kernel": 16,
    "top DRF GFs": 146,
}

# Table 2: kernel -> (risk genes, signatures, KEGG, total)
LIU_TABLE2 = pd.DataFrame(
    [
        (13, 3251, 227, 7848, 11326), (14, 3374, 208, 7423, 11005),
        (15, 3039, 190, 6776, 10005), (16, 3093, 178, 6650, 9921),
        (12, 2510, 203, 6853, 9566), (11, 2176, 194, 5934, 8304),
        (10, 2045, 185, 5307, 7537), (9, 1964, 183, 4706, 6853),
        (8, 1852, 163, 3988, 6003), (7, 1358, 118, 2752, 4228),
        (6, 725, 85, 1601, 2411), (5, 577, 75, 1399, 2051),
        (1, 654, 59, 1158, 1871), (4, 496, 67, 961, 1524),
        (2, 358, 56, 890, 1304), (3, 384, 52, 793, 1229),
    ],
    columns=["kernel", "risk_genes", "signatures", "kegg", "total"],
)

# Table 3: GF -> (significant DRFs, top-5 kernels)
LIU_TABLE3 = pd.DataFrame(
    [
        ("RP11-57H14.3", "risk gene", 1118, "13,14,15,12,16"),
        ("FIBP", "risk gene", 1050, "13,14,15,10,11"),
        ("ATP6AP1L", "risk gene", 1038, "13,14,16,10,15"),
        ("OVOL1", "risk gene", 1019, "13,14,10,16,11"),
        ("RP11-400F19.8", "risk gene", 1017, "13,14,16,12,15"),
        ("EndoPredict", "signature", 848, "13,14,12,15,11"),
        ("Prosigna rorS", "signature", 1395, "13,14,12,11,10"),
        ("Fatty acid metabolism", "KEGG", 1269, "12,10,11,13,9"),
        ("Insulin signaling", "KEGG", 1243, "13,12,11,14,10"),
        ("Phenylalanine metabolism", "KEGG", 1217, "12,13,10,9,11"),
        ("RNA degradation", "KEGG", 1211, "12,13,11,14,15"),
        ("Tyrosine metabolism", "KEGG", 1205, "12,9,10,11,13"),
    ],
    columns=["gf", "type", "significant_drfs", "top5_kernels"],
)

LIU_CLUSTERING = {
    "hierarchical clusters": "2 (14 and 96 patients)",
    "Fisher tests, clusters vs clinical": "all P > 0.05",
    "t-SNE visible clusters": 5,
    "t-SNE Fisher tests": "all P > 0.05",
}

LIU_PREDICTION = {
    "DRF AUC (T, N, ER, PR, HER2)": ">= 0.90 for all five",
    "CRF AUC": "good for T and ER; < 0.8 for N, PR, HER2",
}

# ---------------------------------------------------------------- study 2 (Kim et al. 2020)

KIM_COHORT = {
    "patients": 122,
    "GE 1.5 T": 91, "Siemens 1.5 T": 13, "Philips 1.5 T": 15, "Philips 3 T": 3,
    "PAM50 Basal": 17, "PAM50 Her2": 8, "PAM50 LumA": 79, "PAM50 LumB": 18,
}

KIM_FEATURE_COUNTS = {"firstorder": 18, "shape2D": 8, "glcm": 23, "glrlm": 16, "glszm": 16,
                      "ngtdm": 5, "gldm": 14}

# Table 2: ICC range per feature class
KIM_TABLE2 = pd.DataFrame(
    [
        ("shape", 0.771, 1.000), ("gldm", 0.799, 1.000), ("glcm", 0.817, 1.000),
        ("firstorder", 0.768, 1.000), ("glrlm", 0.787, 1.000), ("glszm", 0.820, 1.000),
        ("ngtdm", 0.818, 1.000), ("overall", 0.768, 1.000),
    ],
    columns=["feature_class", "icc_min", "icc_max"],
)

KIM_KRUSKAL = {
    "maximum 2D diameter": 0.0189,
    "correlation (GLCM)": 0.0386,
    "inverse difference moment normalised (GLCM)": 0.0337,
}

# Table 3: significant (p < 0.05) Spearman features per class and score
_T3_CLASSES = ["shape", "gldm", "glcm", "firstorder", "glrlm", "glszm", "ngtdm"]
KIM_TABLE3 = pd.DataFrame(
    {
        "GENE70": [3, 3, 0, 3, 2, 1, 0],
        "GGI": [2, 2, 0, 2, 2, 1, 0],
        "ERBB2": [0] * 7,
        "GENIUS": [0] * 7,
        "PIK3CA": [0] * 7,
    },
    index=pd.Index(_T3_CLASSES, name="feature_class"),
)

# Table 4: LASSO with leave-one-out; adjusted R^2 and p (None = not significant)
KIM_TABLE4 = pd.DataFrame(
    [
        ("AURKA", 0.1998, "<0.001"), ("ESR1", 0.152, "<0.001"), ("ERBB2", None, "n.s."),
        ("GGI", 0.1835, "<0.001"), ("GENIUS", None, "n.s."), ("EndoPredict", 0.1118, "0.00693"),
        ("OncotypeDx", 0.1474, "0.00167"), ("TamR", 0.1991, "<0.001"),
        ("GENE70", 0.2171, "<0.001"), ("PIK3CA", None, "n.s."), ("ROR-S", 0.1903, "<0.001"),
    ],
    columns=["score", "adj_r2", "p_value"],
)

KIM_FIG1 = {"genes with Kruskal-Wallis p < 1e-9": 133, "radiomic features with p < 0.1": 4}
