"""``summary()`` means one thing on every results object: a printable :class:`Summary`."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import numpy as np
import pandas as pd
import pytest

import pyradiogen
from pyradiogen.results import Summary

#: bridge plumbing, not a statistical result
NOT_RESULTS = {"RResult"}


def _result_classes() -> dict[str, type]:
    out = {}
    for mod in pkgutil.walk_packages(pyradiogen.__path__, "pyradiogen."):
        if mod.name.startswith(("pyradiogen.cli", "pyradiogen._rpkg")):
            continue
        try:
            m = importlib.import_module(mod.name)
        except ImportError:  # optional extras
            continue
        for name, obj in vars(m).items():
            if (inspect.isclass(obj) and name.endswith("Result") and obj.__module__ == m.__name__
                    and name not in NOT_RESULTS):
                out[name] = obj
    return out


def _examples() -> dict[str, object]:
    from pyradiogen.associate.result import AssociationResult
    from pyradiogen.crf.icc import ICCResult
    from pyradiogen.crf.stage import CRFStageResult
    from pyradiogen.drf.train import TrainResult
    from pyradiogen.predict.classes import ClassesResult
    from pyradiogen.predict.lasso import LassoResult

    assoc = pd.DataFrame({"feature": ["fea_1", "fea_2"], "gf": ["G", "G"], "estimate": 1.0,
                          "std_error": 0.1, "df": 10.0, "t": 10.0, "p_value": [1e-4, np.nan],
                          "p_adj": [2e-4, np.nan], "note": [None, "fit failed"]})
    lasso = pd.DataFrame({"feature_set": ["DRF"], "mode": ["paper"], "characteristic": ["T"],
                          "auc": [0.8], "auc_rule": ["best lambda"], "note": ["2 left out"]})
    classes = pd.DataFrame({"feature_set": ["DRF"], "mode": ["paper"], "target": ["gene70"],
                            "model": ["nnet"], "auc": [0.7], "note": [None]})
    icc = ICCResult(10, 2, "twoway", "agreement", "single", "ICC(A,1)", 0.9, 0.0, 19.0, 9.0,
                    9.0, 1e-4, 0.95, 0.6, 0.97)
    crfs = pd.DataFrame({"patient_id": ["P1", "P1"], "reader": ["R1", "R2"], "f": [1.0, 2.0]})
    return {
        "AssociationResult": AssociationResult(assoc, "fast", "paper", gf_class={"G": "KEGG"}),
        "LassoResult": LassoResult(pd.DataFrame(), lasso),
        "ClassesResult": ClassesResult(classes, pd.DataFrame()),
        "ICCResult": icc,
        "CRFStageResult": CRFStageResult(crfs, pd.DataFrame(), None, None, {}),
        "TrainResult": TrainResult(None, pd.DataFrame(), {"epochs": 3, "converged": True}, 1e-3,
                                   events=["restarted at lr 0.001"]),
    }


def test_every_result_class_is_covered():
    assert set(_result_classes()) == set(_examples())


@pytest.mark.parametrize("name", sorted(_examples()))
def test_summary_is_a_printable_summary(name):
    res = _examples()[name]
    fields = {f.name for f in dataclasses.fields(res)} if dataclasses.is_dataclass(res) else set()
    assert "summary" not in fields, "tables go in `table`; summary() is the method"
    s = res.summary()
    assert isinstance(s, Summary)
    text = str(s)
    assert text.startswith(s.title) and len(text.splitlines()) >= 2
    assert s.as_html().startswith("<h4>")
