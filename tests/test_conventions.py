"""Every estimator follows scikit-learn's estimator contract; ``summary()`` means one thing.

Estimators are found, not listed: every public class of pyradiogen with a ``fit`` or
``fit_transform`` method. Each must have a tiny case in ``CASES`` (so a new estimator cannot
slip by) and pass a ``check_estimator``-style contract (see ``pyradiogen/estimator.py``):

- ``get_params`` returns exactly the constructor arguments, stored unchanged (``is``);
  ``set_params`` round-trips and refuses unknown names; ``sklearn.base.clone`` works;
- the constructor sets nothing else (no validation, no fitted state);
- ``fit`` returns ``self``; everything it adds is named with a trailing ``_`` and did not
  exist before; it does not change the parameters;
- ``transform``/``predict``/``predict_proba``/``decision_function`` before ``fit`` raise
  :class:`pyradiogen.estimator.NotFittedError`.

The whole file runs in seconds: a 1-epoch DRF autoencoder on eight 64×64 images, a 1-epoch
EfficientNet on 32×32 images.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import pyradiogen
from pyradiogen.estimator import NotFittedError
from pyradiogen.results import Summary

UNFITTED_METHODS = ("transform", "predict", "predict_proba", "decision_function")


def _public_classes() -> dict[str, type]:
    out = {}
    for info in pkgutil.walk_packages(pyradiogen.__path__, "pyradiogen."):
        if any(p.startswith("_") for p in info.name.split(".")[1:]):
            continue
        mod = importlib.import_module(info.name)
        for name, obj in vars(mod).items():
            if inspect.isclass(obj) and obj.__module__ == info.name and not name.startswith("_"):
                out[name] = obj
    return out


def estimator_classes() -> dict[str, type]:
    """Public classes with ``fit`` or ``fit_transform``."""
    return {n: c for n, c in _public_classes().items()
            if callable(getattr(c, "fit", None)) or callable(getattr(c, "fit_transform", None))}


# ------------------------------------------------------------------------- tiny cases

def _lme():
    from pyradiogen.associate.lme_fast import FastLME

    rng = np.random.default_rng(0)
    pid = np.repeat([f"P{i}" for i in range(6)], 2)
    feats = pd.DataFrame(rng.normal(size=(12, 2)), columns=["fea_1", "fea_2"])
    gfs = pd.DataFrame({"G": rng.normal(size=6)}, index=[f"P{i}" for i in range(6)])
    return FastLME(tol=1e-8), (feats, pid, gfs)


def _lasso():
    from pyradiogen.predict.lasso import BiglassoPath

    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(30, 4)), columns=list("abcd"))
    y = (X["a"] + rng.normal(scale=0.5, size=30) > 0).astype(int).to_numpy()
    return BiglassoPath(nlambda=5), (X, y)


def _effnet():
    from pyradiogen.predict.efficientnet import EfficientNetClassifier

    rng = np.random.default_rng(2)
    images = [rng.random((16, 16)).astype(np.float32) for _ in range(6)]
    return (EfficientNetClassifier(image_size=32, epochs=1, batch_size=6, device="cpu"),
            (images, [0, 1, 0, 1, 0, 1]))


def _tsne():
    from pyradiogen.explore.tsne import TSNEExplorer

    rng = np.random.default_rng(3)
    feats = pd.DataFrame(rng.normal(size=(8, 3)), columns=["f1", "f2", "f3"])
    feats.insert(0, "patient_id", [f"P{i}" for i in range(8)])
    feats.insert(0, "image_id", [f"I{i}" for i in range(8)])
    return TSNEExplorer(perplexity=2.0, max_iter=250, pca_dims=None, n_clusters=2), (feats,)


def _hclust():
    from pyradiogen.explore.clustering import HierarchicalClustering

    X = pd.DataFrame(np.arange(18, dtype=float).reshape(6, 3) ** 1.5,
                     index=[f"P{i}" for i in range(6)])
    return HierarchicalClustering(n_clusters=2), (X,)


def _drf():
    from pyradiogen.datasets import make_toy_images
    from pyradiogen.drf import DRFExtractor

    imgs, pids = make_toy_images(8, (64, 64), seed=1, n_patients=4)
    return (DRFExtractor("paper", seed=0, epochs=1, progress=False, n_threads=1),
            (list(imgs), pids))


def _risk():
    from pyradiogen.genomics.risk import RiskGenePanel

    expr = pd.DataFrame(np.ones((3, 3)), columns=["BRCA1", "TP53", "ESR1"])
    return RiskGenePanel(["BRCA1", "ESR1", "NOPE"], warn=False), (expr,)


def _ssgsea():
    from pyradiogen.genomics.ssgsea import SSGSEA

    rng = np.random.default_rng(4)
    expr = pd.DataFrame(rng.normal(size=(10, 4)), index=[f"g{i}" for i in range(10)])
    return SSGSEA({"s1": ["g1", "g2", "g3"], "s2": ["g4", "g5"]}), (expr,)


CASES = {"FastLME": _lme, "BiglassoPath": _lasso, "EfficientNetClassifier": _effnet,
         "TSNEExplorer": _tsne, "HierarchicalClustering": _hclust, "DRFExtractor": _drf,
         "RiskGenePanel": _risk, "SSGSEA": _ssgsea}


def test_every_estimator_has_a_case():
    found = set(estimator_classes())
    assert found >= {"DRFExtractor", "SSGSEA", "FastLME", "BiglassoPath"}
    assert found == set(CASES), (f"estimators without a case in CASES: {found - set(CASES)}; "
                                 f"cases without an estimator: {set(CASES) - found}")


def _fitting(est, args):
    if callable(getattr(est, "fit", None)):
        return est.fit(*args)
    est.fit_transform(*args)
    return est


def _public_attrs(est) -> set[str]:
    return {k for k in vars(est) if not k.startswith("_")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_estimator_contract(name):
    est, args = CASES[name]()
    cls = type(est)
    init_params = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]

    # get_params: exactly the constructor's arguments, stored unchanged
    params = est.get_params()
    assert sorted(params) == sorted(init_params)
    assert est.get_params(deep=False) == params
    assert _public_attrs(est) == set(init_params), \
        f"{name}.__init__ sets attributes that are not parameters"
    # set_params round trip, unknown names refused
    assert est.set_params(**params) is est
    assert all(est.get_params()[k] is v for k, v in params.items())
    with pytest.raises(ValueError, match="no parameter"):
        est.set_params(not_a_parameter=1)
    # clone: same class and parameters, a new object
    twin = clone(est)
    assert type(twin) is cls and twin is not est
    assert twin.get_params().keys() == params.keys()

    # nothing fitted before fit; unfitted use says so
    assert not [k for k in vars(est) if k.endswith("_") and not k.startswith("_")]
    for meth in UNFITTED_METHODS:
        if callable(getattr(est, meth, None)):
            with pytest.raises(NotFittedError, match="not fitted"):
                getattr(est, meth)(*args[:1])

    before = set(vars(est))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = _fitting(est, args)
    assert fitted is est, f"{name}.fit must return self"
    new = set(vars(est)) - before
    assert new, f"{name}.fit set no fitted attribute"
    assert all(k.endswith("_") for k in new if not k.startswith("_")), \
        f"{name}.fit set attributes without a trailing underscore: {sorted(new)}"
    assert all(est.get_params()[k] is v for k, v in params.items()), \
        f"{name}.fit changed its parameters"
    # a clone of a fitted estimator is unfitted
    assert not [k for k in vars(clone(est)) if k.endswith("_") and not k.startswith("_")]


def test_every_summary_returns_a_summary():
    """Every public class with ``summary()`` returns :class:`pyradiogen.results.Summary`."""
    from test_results import _examples

    examples = _examples()
    with_summary = {n for n, c in _public_classes().items() if callable(getattr(c, "summary", None))}
    assert with_summary >= {"AssociationResult", "LassoResult", "ClassesResult", "ICCResult"}
    missing = with_summary - set(examples)
    assert not missing, f"results classes with summary() but no example in test_results: {missing}"
    for name in sorted(with_summary):
        out = examples[name].summary()
        assert isinstance(out, Summary), f"{name}.summary() returned {type(out).__name__}"
        assert out.title and str(out)
