"""Study kim2020's 100 pyradiomics features: class names, counts and column names.

The parameter file ``params/kim2020_2d.yaml`` is the single source of truth; its header explains
which pyradiomics features are left out to reach the paper's counts and why.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

PARAMS_DIR = Path(__file__).resolve().parent / "params"
DEFAULT_PARAMS = "kim2020_2d"
#: earlier names of shipped parameter files
_OLD_PARAMS = {"study2_2d": "kim2020_2d"}

#: Feature classes of study kim2020 in the order of its methods section, with the published
#: counts.
KIM2020_COUNTS: dict[str, int] = {
    "firstorder": 18, "shape2D": 8, "glcm": 23, "glrlm": 16, "glszm": 16, "ngtdm": 5, "gldm": 14,
}

#: Display names of the classes as in study kim2020's Table 2.
CLASS_LABELS: dict[str, str] = {
    "shape2D": "Shape", "shape": "Shape", "gldm": "GLDM", "glcm": "GLCM",
    "firstorder": "First order", "glrlm": "GLRLM", "glszm": "GLSZM", "ngtdm": "NGTDM",
}

#: pyradiomics 3.0.1 features left out of study kim2020's set, with the reason.
EXCLUDED: dict[str, dict[str, str]] = {
    "firstorder": {"StandardDeviation": "deprecated in pyradiomics; equals sqrt(Variance)"},
    "shape2D": {
        "SphericalDisproportion": "deprecated in pyradiomics; equals 1 / Sphericity",
        "PixelSurface": "pixel-count approximation of MeshSurface (same area, coarser)",
    },
    "glcm": {
        "SumAverage": "equals 2 x JointAverage for pyradiomics' symmetrical GLCM; disabled in "
                      "pyradiomics' example parameter files",
        "Dissimilarity": "deprecated; equals DifferenceAverage",
        "Homogeneity1": "deprecated; equals Id",
        "Homogeneity2": "deprecated; equals Idm",
        "SumVariance": "deprecated; equals ClusterTendency",
    },
    "gldm": {
        "DependencePercentage": "deprecated; always 1",
        "GrayLevelNonUniformityNormalized": "deprecated; equals first-order Uniformity",
    },
}


def params_path(name: str = DEFAULT_PARAMS) -> Path:
    """Path of a pyradiomics parameter file shipped in ``pyradiogen/crf/params``.

    Parameters
    ----------
    name : str, default "kim2020_2d"
        File name without ``.yaml`` (the earlier name ``study2_2d`` is read as
        ``kim2020_2d``).

    Returns
    -------
    Path
        The file.

    Raises
    ------
    FileNotFoundError
        If no such file is shipped (the shipped names listed).
    """
    path = PARAMS_DIR / f"{_OLD_PARAMS.get(name, name)}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in PARAMS_DIR.glob("*.yaml"))
        raise FileNotFoundError(f"no pyradiomics parameter file {name!r}; shipped: {known}")
    return path


@functools.lru_cache(maxsize=8)
def _read_yaml(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_params(params: str | Path | dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyradiomics parameter dict from a shipped name, a YAML path or a dict (copied).

    Parameters
    ----------
    params : str, Path, dict or None, default None
        A shipped parameter-file name, a YAML path, or a parameter dict (the default file,
        ``kim2020_2d``, when None).

    Returns
    -------
    dict
        ``setting``, ``imageType``, ``featureClass`` … as pyradiomics reads them.

    Raises
    ------
    FileNotFoundError
        If a path does not exist.
    """
    if params is None:
        params = DEFAULT_PARAMS
    if isinstance(params, dict):
        data = params
    else:
        p = Path(params)
        path = p if p.suffix in (".yaml", ".yml") else params_path(str(params))
        if not path.exists():
            raise FileNotFoundError(f"{path}: pyradiomics parameter file not found")
        data = _read_yaml(str(path))
    return {key: (dict(val) if isinstance(val, dict) else val) for key, val in data.items()}


def feature_classes(params: str | Path | dict[str, Any] | None = None) -> dict[str, list[str]]:
    """Enabled feature names per class, in the parameter file's order.

    Parameters
    ----------
    params : str, Path, dict or None, default None
        A shipped parameter-file name, a YAML path, or a parameter dict (the default file,
        ``kim2020_2d``, when None).

    Returns
    -------
    dict of str to list of str
        pyradiomics class (``firstorder``, ``shape2D``, ``glcm`` …) → feature names.
    """
    fc = load_params(params).get("featureClass") or {}
    return {cls: list(names or []) for cls, names in fc.items()}


def feature_counts(params: str | Path | dict[str, Any] | None = None) -> dict[str, int]:
    """Number of enabled features per class (kim2020: 18, 8, 23, 16, 16, 5, 14).

    Parameters
    ----------
    params : str, Path, dict or None, default None
        A shipped parameter-file name, a YAML path, or a parameter dict (the default file,
        ``kim2020_2d``, when None).

    Returns
    -------
    dict of str to int
        pyradiomics class → count.
    """
    return {cls: len(names) for cls, names in feature_classes(params).items()}


def feature_columns(params: str | Path | dict[str, Any] | None = None,
                    image_type: str = "original") -> list[str]:
    """pyradiomics output names of the enabled features, e.g. ``original_glcm_Idmn``.

    Parameters
    ----------
    params : str, Path, dict or None, default None
        A shipped parameter-file name, a YAML path, or a parameter dict (the default file,
        ``kim2020_2d``, when None).
    image_type : str, default "original"
        pyradiomics image type prefix.

    Returns
    -------
    list of str
        ``<image_type>_<class>_<feature>`` in class and file order.

    References
    ----------
    .. [1] van Griethuysen JJM, Fedorov A, Parmar C, et al. Computational radiomics system to
       decode the radiographic phenotype. *Cancer Res* 77(21), e104–e107 (2017);
       pyradiomics 3.0.1.
    """
    return [f"{image_type}_{cls}_{name}" for cls, names in feature_classes(params).items()
            for name in names]


def feature_class_of(column: str) -> str:
    """The pyradiomics class of an output column name (``original_glcm_Idmn`` → ``glcm``).

    Parameters
    ----------
    column : str
        A pyradiomics output name.

    Returns
    -------
    str
        The class part.

    Raises
    ------
    ValueError
        If ``column`` is not ``imageType_class_feature``.
    """
    parts = column.split("_")
    if len(parts) < 3:
        raise ValueError(f"{column!r} is not a pyradiomics feature name (imageType_class_feature)")
    return parts[1]
