"""TCGA barcode harmonisation (property-based)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyradiogen.cohort import CohortError, patient_barcode
from pyradiogen.cohort.ids import harmonise, is_barcode, sample_barcode

alnum = st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=1)
site = st.builds(lambda a, b: a + b, alnum, alnum)
part = st.builds(lambda *c: "".join(c), alnum, alnum, alnum, alnum)


@given(site, part, st.integers(1, 19), st.sampled_from("ABC"), st.sampled_from("-."),
       st.booleans())
def test_patient_barcode_any_form(s, p, stype, vial, sep, lower):
    full = sep.join(["TCGA", s, p, f"{stype:02d}{vial}", "11R", "A144", "07"])
    if lower:
        full = full.lower()
    assert patient_barcode(full) == f"TCGA-{s}-{p}"
    assert sample_barcode(full) == f"TCGA-{s}-{p}-{stype:02d}{vial}"
    assert is_barcode(full)


def test_harmonise_and_errors():
    idx = harmonise(["TCGA-A1-A0SB", "TCGA.A1.A0SB.01", "tcga-a2-a0cm-01a"])
    assert list(idx) == ["TCGA-A1-A0SB", "TCGA-A1-A0SB", "TCGA-A2-A0CM"]
    for bad in ("TCGA-A1", "A1-A0SB", "TCGA-A1-A0SB-1", ""):
        with pytest.raises(CohortError, match="not a TCGA barcode"):
            patient_barcode(bad, where="clinical.tsv")
    with pytest.raises(CohortError, match="patient barcode, not a sample barcode"):
        sample_barcode("TCGA-A1-A0SB")
