"""Intraclass correlation as R's ``irr::icc`` computes it (R package ``pyradiogen::icc``).

:func:`icc` returns one :class:`ICCResult`; :func:`inter_reader_table` gives the ICC and its
95% CI for every feature between readers, and :func:`class_ranges` the per-class ranges of
study kim2020's Table 2. The arithmetic runs in R (``r/R/icc.R``), tested against ``psych::ICC``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from .. import rfuncs
from ..results import Summary
from .features import CLASS_LABELS, feature_class_of

Model = Literal["oneway", "twoway"]
Type = Literal["consistency", "agreement"]
Unit = Literal["single", "average"]

#: Row order of the per-class table (study 2's Table 2).
TABLE2_ORDER = ["Shape", "GLDM", "GLCM", "First order", "GLRLM", "GLSZM", "NGTDM"]


@dataclass
class ICCResult:
    """One ICC, shaped like irr's ``icclist`` (dots in R names become underscores).

    Parameters
    ----------
    subjects, raters : int
        Complete subjects and raters used.
    model : {"oneway", "twoway"}
        ICC model.
    type : {"consistency", "agreement"}
        ICC type.
    unit : {"single", "average"}
        Single or average measures.
    icc_name : str
        E.g. ``"ICC(A,1)"``.
    value : float
        The ICC.
    r0 : float
        Null-hypothesis value.
    Fvalue, df1, df2, p_value : float
        F test of ``ICC = r0``.
    conf_level : float
        Confidence level.
    lbound, ubound : float
        Confidence bounds.

    References
    ----------
    .. [1] McGraw KO, Wong SP. *Psychol Methods* 1(1), 30–46 (1996).
    .. [2] R package irr 0.84.1, ``icc``.
    """

    subjects: int
    raters: int
    model: str
    type: str
    unit: str
    icc_name: str
    value: float
    r0: float
    Fvalue: float
    df1: float
    df2: float
    p_value: float
    conf_level: float
    lbound: float
    ubound: float

    @classmethod
    def from_r(cls, res: dict[str, Any]) -> ICCResult:
        """Build from the named list R's ``pyradiogen::icc`` returns.

        Parameters
        ----------
        res : dict
            R's list converted to a dict (``icc.name``, ``value``, ``lbound`` …).

        Returns
        -------
        ICCResult
            The same values.
        """
        return cls(**{k.replace(".", "_"): res[k] for k in res})

    def summary(self) -> Summary:
        """What irr's print method shows: the ICC, its CI and the F test.

        Returns
        -------
        Summary
            Printable; HTML in a notebook.
        """
        what = "one-way" if self.model == "oneway" else f"two-way, {self.type}"
        info = {"ICC": round(float(self.value), 4),
                f"{100 * self.conf_level:g}% CI": f"[{self.lbound:.4f}, {self.ubound:.4f}]",
                "subjects x raters": f"{self.subjects} x {self.raters}",
                f"F test of H0 ICC = {self.r0:g}": f"F({self.df1:.4g}, {self.df2:.4g}) = "
                                                  f"{self.Fvalue:.4f}, p = {self.p_value:.4g}"}
        dropped = list(getattr(self, "dropped", []) or [])
        notes = [f"left out for missing ratings: {'; '.join(dropped)}"] if dropped else []
        return Summary(f"{self.icc_name}: {what}, {self.unit} measures", info, {}, notes)

    def to_frame(self) -> pd.DataFrame:
        """Every field as a one-row table.

        Returns
        -------
        DataFrame, shape (1, n_fields)
            One column per field.
        """
        return pd.DataFrame([asdict(self)])

    def __str__(self) -> str:
        """One line: the ICC, its CI and the F test."""
        what = "one-way" if self.model == "oneway" else f"two-way, {self.type}"
        return (f"{self.icc_name} ({what}, {self.unit} measures): {self.value:.4f}, "
                f"{100 * self.conf_level:g}% CI [{self.lbound:.4f}, {self.ubound:.4f}]; "
                f"{self.subjects} subjects x {self.raters} raters; "
                f"H0 ICC = {self.r0:g}: F({self.df1:.4g}, {self.df2:.4g}) = {self.Fvalue:.4f}, "
                f"p = {self.p_value:.4g}")


class DroppedSubjectsWarning(UserWarning):
    """Subjects without complete ratings were left out of an ICC."""


class DegenerateICCError(ValueError):
    """The ICC is not defined for these ratings (e.g. every rating is the same)."""


def complete_subjects(ratings: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The subjects with every rating, and why each other subject was left out.

    Parameters
    ----------
    ratings : DataFrame or array-like, shape (n_subjects, n_raters)
        Subjects in rows, raters in columns; missing ratings allowed.

    Returns
    -------
    complete : DataFrame
        The complete subjects (the ICC, as ``irr::icc``, uses these only).
    dropped : list of str
        ``"subject S3 (no rating from R2)"`` per subject left out.
    """
    vals = ratings.to_numpy(dtype=float)
    miss = ~np.isfinite(vals)
    rows = miss.any(axis=1)
    dropped = [f"subject {ratings.index[i]} (no rating from "
               f"{', '.join(str(c) for c, m in zip(ratings.columns, miss[i]) if m)})"
               for i in np.flatnonzero(rows)]
    return ratings.loc[~rows], dropped


def degenerate_reason(ratings: pd.DataFrame) -> str | None:
    """Why an ICC of these (complete) ratings is not defined, or None.

    Parameters
    ----------
    ratings : DataFrame, shape (n_subjects, n_raters)
        Complete ratings.

    Returns
    -------
    str or None
        E.g. ``"every rating is 3: no variance, the ICC is 0/0"``; None when defined.
    """
    vals = ratings.to_numpy(dtype=float)
    if vals.size and np.ptp(vals) == 0:
        return f"every rating is {vals.flat[0]:g}: no variance, the ICC is 0/0"
    return None


def _ratings_matrix(ratings: Any, where: str = "ratings") -> rfuncs.RMatrix:
    df = ratings if isinstance(ratings, pd.DataFrame) else pd.DataFrame(np.asarray(ratings))
    if df.ndim != 2 or df.shape[1] < 2:
        raise ValueError(f"{where}: need subjects in rows and at least 2 raters in columns, "
                         f"got shape {df.shape}")
    try:
        values = df.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: ratings must be numeric ({exc})") from exc
    return rfuncs.RMatrix(values, [str(i) for i in df.index], [str(c) for c in df.columns])


def _checked(ratings: Any, where: str) -> tuple[rfuncs.RMatrix, list[str]]:
    """Ratings as an R matrix of complete subjects; raise when no ICC is defined."""
    mat = _ratings_matrix(ratings, where)
    df = pd.DataFrame(mat.values, index=mat.rownames, columns=mat.colnames)
    full, dropped = complete_subjects(df)
    if dropped:
        warnings.warn(f"{where}: {len(dropped)} subject(s) left out of the ICC for missing "
                      f"ratings: {'; '.join(dropped[:10])}{' …' if len(dropped) > 10 else ''}",
                      DroppedSubjectsWarning, stacklevel=3)
    if len(full) < 2:
        raise ValueError(f"{where}: {len(full)} subject(s) with a rating from every rater "
                         f"({len(dropped)} left out for missing ratings); the ICC needs at least "
                         "2 — fill the missing ratings or drop the rater who lacks them")
    reason = degenerate_reason(full)
    if reason:
        raise DegenerateICCError(f"{where}: ICC not modelled: {reason}")
    const = [str(c) for c in full.columns if np.ptp(full[c].to_numpy()) == 0]
    if const:
        warnings.warn(f"{where}: rater(s) {', '.join(const)} give every subject the same "
                      "rating", UserWarning, stacklevel=3)
    return rfuncs.RMatrix(full.to_numpy(dtype=float), [str(i) for i in full.index],
                          [str(c) for c in full.columns]), dropped


def icc(ratings: Any, model: Model = "oneway", type: Type = "consistency",
        unit: Unit = "single", r0: float = 0.0, conf_level: float = 0.95,
        where: str = "ratings") -> ICCResult:
    """``irr::icc`` of a subjects × raters ratings table.

    Subjects with any missing rating are left out (as irr does), with a
    :class:`DroppedSubjectsWarning` naming each and the rater whose rating is missing; the
    result's ``dropped`` attribute lists them. Defaults follow irr.

    Parameters
    ----------
    ratings : DataFrame or array-like, shape (n_subjects, n_raters)
        Subjects in rows, raters in columns; missing ratings allowed.
    model : {"oneway", "twoway"}, default "oneway"
        ICC model.
    type : {"consistency", "agreement"}, default "consistency"
        ICC type.
    unit : {"single", "average"}, default "single"
        Single or average measures.
    r0 : float, default 0.0
        Null-hypothesis value of the F test.
    conf_level : float, default 0.95
        Confidence level.
    where : str, default "ratings"
        The table, named in messages.

    Returns
    -------
    ICCResult
        The ICC, its CI and F test.

    Raises
    ------
    ValueError
        With fewer than 2 complete subjects.
    DegenerateICCError
        If every rating is the same (the ICC is 0/0).

    References
    ----------
    .. [1] McGraw KO, Wong SP. Forming inferences about some intraclass correlation
       coefficients. *Psychol Methods* 1(1), 30–46 (1996).
    .. [2] Gamer M, Lemon J, Fellows I, Singh P. irr: various coefficients of interrater
       reliability and agreement, R package 0.84.1 (``icc``), re-implemented in the R package
       ``pyradiogen``.
    """
    mat, dropped = _checked(ratings, where)
    res = rfuncs.icc(mat, model=model, type=type, unit=unit, r0=r0, conf_level=conf_level)
    out = ICCResult.from_r(res)
    out.dropped = dropped
    return out


def icc_all(ratings: Any, r0: float = 0.0, conf_level: float = 0.95,
            where: str = "ratings") -> pd.DataFrame:
    """All six ICC forms of one table, one row each.

    Parameters
    ----------
    ratings : DataFrame or array-like, shape (n_subjects, n_raters)
        Subjects in rows, raters in columns; missing ratings allowed.
    r0 : float, default 0.0
        Null-hypothesis value.
    conf_level : float, default 0.95
        Confidence level.
    where : str, default "ratings"
        The table, named in messages.

    Returns
    -------
    DataFrame, shape (6, n_fields)
        :meth:`ICCResult.to_frame` rows of every model × type × unit (subjects left out as
        :func:`icc`).
    """
    mat, dropped = _checked(ratings, where)
    out = rfuncs.icc_all(mat, r0=r0, conf_level=conf_level)
    out = out.rename(columns=lambda c: c.replace(".", "_"))
    out.attrs["dropped"] = dropped
    return out


def reader_matrices(crfs: pd.DataFrame, features: Sequence[str] | None = None,
                    readers: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
    """Patients × readers table of every feature from a long CRF table.

    Patients missing a reader are kept with NaN (and dropped by the ICC).

    Parameters
    ----------
    crfs : DataFrame
        ``patient_id``, ``reader`` and one column per feature (as :func:`extract_crfs`
        gives).
    features : sequence of str or None, default None
        Features (all feature columns when None).
    readers : sequence of str or None, default None
        Readers (all when None).

    Returns
    -------
    dict of str to DataFrame
        Feature → patients × readers.

    Raises
    ------
    ValueError
        A missing column, fewer than 2 readers, or a patient with two ROIs of one reader.
    """
    for col in ("patient_id", "reader"):
        if col not in crfs.columns:
            raise ValueError(f"CRF table has no {col!r} column; pass extract_crfs' output")
    if features is None:
        features = [c for c in crfs.columns if c not in ("patient_id", "reader", "image_id")
                    and pd.api.types.is_numeric_dtype(crfs[c])]
    dup = crfs.duplicated(["patient_id", "reader"])
    if dup.any():
        first = crfs.loc[dup, ["patient_id", "reader"]].iloc[0].tolist()
        raise ValueError(f"patient {first[0]} has more than one ROI of reader {first[1]}; "
                         "keep one ROI per patient and reader")
    all_readers = sorted(crfs["reader"].astype(str).unique())
    readers = list(readers) if readers is not None else all_readers
    if len(readers) < 2:
        raise ValueError(f"inter-reader ICC needs at least 2 readers, found {all_readers}")
    data = crfs.assign(reader=crfs["reader"].astype(str))
    out = {}
    for feat in features:
        wide = data.pivot(index="patient_id", columns="reader", values=feat)
        out[feat] = wide.reindex(columns=readers)
    return out


#: numeric columns of :func:`inter_reader_table` (besides ``feature``, its class and note)
_ICC_COLUMNS = ("icc", "Fvalue", "df1", "df2", "p_value", "lbound", "ubound", "subjects",
                "raters")


def icc_form_name(model: Model = "twoway", type: Type = "agreement",
                  unit: Unit = "single") -> str:
    """Name an ICC form as irr does.

    Parameters
    ----------
    model : {"oneway", "twoway"}, default "twoway"
        irr's ``model``.
    type : {"consistency", "agreement"}, default "agreement"
        irr's ``type`` (ignored for one-way models).
    unit : {"single", "average"}, default "single"
        irr's ``unit``.

    Returns
    -------
    str
        ``ICC(1)``/``ICC(k)`` (one-way), ``ICC(C,1)``, ``ICC(C,k)``, ``ICC(A,1)`` or
        ``ICC(A,k)``.

    References
    ----------
    McGraw KO, Wong SP (1996). Forming inferences about some intraclass correlation
    coefficients. *Psychol Methods* 1(1):30–46; irr 0.84.1 ``icc``.
    """
    k = "1" if unit == "single" else "k"
    if model == "oneway":
        return f"ICC({k})"
    return f"ICC({'A' if type == 'agreement' else 'C'},{k})"


def inter_reader_table(crfs: pd.DataFrame, readers: Sequence[str] | None = None,
                       model: Model = "twoway", type: Type = "agreement",
                       unit: Unit = "single", conf_level: float = 0.95,
                       features: Sequence[str] | None = None) -> pd.DataFrame:
    """ICC and CI of every feature between readers (study kim2020, Table 2's inputs).

    ``note`` says which patients were left out (no ROI of a reader, or a missing value) and
    marks a feature whose ICC is not defined (``not modelled: …``), whose values are NaN.

    Parameters
    ----------
    crfs : DataFrame
        Long CRF table (``patient_id``, ``reader``, features).
    readers : sequence of str or None, default None
        Readers compared (all when None).
    model, type, unit : str, default "twoway", "agreement", "single"
        As :func:`icc` (ICC(A,1), the paper's).
    conf_level : float, default 0.95
        Confidence level.
    features : sequence of str or None, default None
        Features (all when None).

    Returns
    -------
    DataFrame
        One row per feature: ``feature, feature_class, class_label, icc_name, icc, lbound,
        ubound, Fvalue, df1, df2, p_value, subjects, raters, note``.

    References
    ----------
    .. [1] McGraw KO, Wong SP. Forming inferences about some intraclass correlation
       coefficients. *Psychol Methods* 1(1), 30–46 (1996).
    .. [2] Gamer M, Lemon J, Fellows I, Singh P. irr: various coefficients of interrater
       reliability and agreement, R package 0.84.1 (``icc``), re-implemented in the R package
       ``pyradiogen``.
    """
    mats = reader_matrices(crfs, features, readers)
    notes: dict[str, str] = {}
    ok: dict[str, rfuncs.RMatrix] = {}
    for k, v in mats.items():
        full, dropped = complete_subjects(v)
        parts = [f"left out: {'; '.join(dropped)}"] if dropped else []
        reason = degenerate_reason(full) or (
            f"{len(full)} patient(s) with both readers; at least 2 needed"
            if len(full) < 2 else None)
        if reason:
            parts.insert(0, f"not modelled: {reason}")
        else:
            ok[k] = _ratings_matrix(full, f"feature {k}")
        notes[k] = "; ".join(parts)
    if ok:
        res = rfuncs.icc_many(ok, model=model, type=type, unit=unit, conf_level=conf_level)
        res = res.rename(columns=lambda c: c.replace(".", "_")).rename(
            columns={"name": "feature", "value": "icc"})
    else:  # no feature has an ICC (e.g. one patient with both readers): NaN in every column
        res = pd.DataFrame({c: pd.Series(dtype="float64") for c in _ICC_COLUMNS})
        res.insert(0, "feature", pd.Series(dtype="object"))
        res.insert(1, "icc_name", pd.Series(dtype="object"))
    res = res.set_index("feature").reindex(list(mats)).rename_axis("feature").reset_index()
    # the form's name also on the rows without an ICC (irr's name where R computed one)
    res["icc_name"] = res["icc_name"].fillna(icc_form_name(model, type, unit))
    res.insert(1, "feature_class", [feature_class_of(f) for f in res["feature"]])
    res.insert(2, "class_label", [CLASS_LABELS.get(c, c) for c in res["feature_class"]])
    res["note"] = [notes[f] or None for f in res["feature"]]
    bad = [f for f in mats if f not in ok]
    if bad:
        warnings.warn(f"inter-reader ICC not modelled for {len(bad)} feature(s): "
                      + "; ".join(f"{f} ({notes[f]})" for f in bad[:5]), UserWarning,
                      stacklevel=2)
    return res.reset_index(drop=True)


def class_ranges(table: pd.DataFrame,
                 published: Mapping[str, tuple[float, float]] | None = None) -> pd.DataFrame:
    """Per feature class: the ICC range and the 95% CI range (min lower – max upper bound).

    Parameters
    ----------
    table : DataFrame
        :func:`inter_reader_table`'s output.
    published : mapping of str to (float, float) or None, default None
        Class label → published (low, high), e.g.
        ``pyradiogen.studies.kim2020.PUBLISHED_ICC_RANGES``.

    Returns
    -------
    DataFrame
        Rows in Table 2's order plus ``Overall``: ``n_features``, ``n_undefined`` (ICC NaN),
        ``icc_min``, ``icc_max``, CI range and ``published``.
    """
    def summarise(g: pd.DataFrame) -> dict[str, Any]:
        return {"n_features": len(g), "n_undefined": int(g["icc"].isna().sum()),
                "icc_min": g["icc"].min(), "icc_max": g["icc"].max(),
                "ci_lower_min": g["lbound"].min(), "ci_upper_max": g["ubound"].max()}

    rows = {lab: summarise(g) for lab, g in table.groupby("class_label", sort=False)}
    order = [lab for lab in TABLE2_ORDER if lab in rows] + sorted(set(rows) - set(TABLE2_ORDER))
    out = pd.DataFrame([{"feature_class": lab, **rows[lab]} for lab in order]
                       + [{"feature_class": "Overall", **summarise(table)}])
    out["range"] = [f"{lo:.3f}–{hi:.3f}" if pd.notna(lo) and pd.notna(hi) else ""
                    for lo, hi in zip(out["ci_lower_min"], out["ci_upper_max"])]
    ref = published or {}
    out["published"] = [f"{ref[c][0]:.3f}–{ref[c][1]:.3f}" if c in ref else ""
                        for c in out["feature_class"]]
    return out
