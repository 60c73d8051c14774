"""The estimator contract every ``fit``-able class of pyradiogen follows (scikit-learn's).

Constructor arguments are stored unchanged as attributes of the same name and read back by
:meth:`EstimatorMixin.get_params`; everything learnt by ``fit`` is an attribute whose name ends
in ``_`` and exists only after ``fit``; ``fit`` returns the estimator; using an unfitted
estimator raises :class:`NotFittedError`. Because :meth:`~EstimatorMixin.get_params` and
:meth:`~EstimatorMixin.set_params` follow scikit-learn's protocol, ``sklearn.base.clone`` and
scikit-learn's model-selection tools work on these estimators, without this module importing
scikit-learn (which would add a second to every command's start).

``tests/test_conventions.py`` checks the contract on every estimator of the package.

References
----------
.. [1] Buitinck L, Louppe G, Blondel M, et al. API design for machine learning software:
   experiences from the scikit-learn project. ECML PKDD Workshop (2013). arXiv:1309.0238.
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["EstimatorMixin", "NotFittedError", "check_is_fitted"]


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before ``fit`` (as scikit-learn's ``NotFittedError``).

    A :class:`ValueError` (the command line reports it as a user error) and an
    :class:`AttributeError` (``hasattr`` on a fitted attribute stays ``False``).
    """


class EstimatorMixin:
    """``get_params``/``set_params`` from the constructor's signature (scikit-learn protocol)."""

    @classmethod
    def _param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        sig = inspect.signature(init)
        for p in sig.parameters.values():
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(f"{cls.__name__}.__init__ takes *args/**kwargs; estimators "
                                "must name every parameter")
        return sorted(p.name for p in sig.parameters.values() if p.name != "self")

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments, as stored.

        Parameters
        ----------
        deep : bool, default True
            Accepted for scikit-learn compatibility; pyradiogen's estimators hold no nested
            estimators, so it changes nothing.

        Returns
        -------
        dict of str to object
            Parameter name → value, one entry per constructor argument.
        """
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> EstimatorMixin:
        """Set constructor arguments (as ``clone`` and grid searches do).

        Parameters
        ----------
        **params : object
            New values, by constructor-argument name.

        Returns
        -------
        EstimatorMixin
            The estimator itself (not refitted: call ``fit`` again).

        Raises
        ------
        ValueError
            If a name is not a constructor argument of this estimator.
        """
        valid = set(self._param_names())
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"{type(self).__name__} has no parameter {name!r}; "
                                 f"valid parameters: {sorted(valid)}")
            setattr(self, name, value)
        return self


def check_is_fitted(estimator: object, attribute: str) -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has the fitted ``attribute``.

    Parameters
    ----------
    estimator : object
        The estimator to check.
    attribute : str
        A fitted attribute (ending in ``_``) that ``fit`` always sets.

    Raises
    ------
    NotFittedError
        If ``fit`` has not been called, with a message that says to call it.
    """
    if not hasattr(estimator, attribute):
        name = type(estimator).__name__
        raise NotFittedError(f"{name} is not fitted yet: call {name}.fit(...) before using "
                             "it")
