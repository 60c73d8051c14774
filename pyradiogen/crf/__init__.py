"""Conventional radiomic features (pyradiomics) and inter-reader ICC (issue 5, study kim2020)."""

from __future__ import annotations

from .extract import GeometryError, MaskError, extract_crfs, extract_image, extract_image_crfs
from .features import KIM2020_COUNTS, feature_classes, feature_columns, feature_counts, load_params
from .icc import ICCResult, class_ranges, icc, icc_all, inter_reader_table

__all__ = [
    "GeometryError", "ICCResult", "MaskError", "KIM2020_COUNTS", "class_ranges", "extract_crfs",
    "extract_image", "extract_image_crfs", "feature_classes", "feature_columns", "feature_counts",
    "icc", "icc_all", "inter_reader_table", "load_params",
]
