"""Genomic features: expression, signatures, ssGSEA, risk genes and immune tables.

Genomic features: expression preparation, genefu signatures, ssGSEA pathway scores,
risk-gene panels and immune tables.
"""
