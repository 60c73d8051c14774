"""A parity certificate for a run: a seeded sample of its fast results recomputed in R.

Every fast engine has a parity test against the R method it replaces, on test data. The
certificate repeats that check on the run's *own* data, so a report can show that the
numbers it prints are R's numbers here too:

=====================  ==========================  ==========================================
engine                 reference                   sample (configurable, ``[certificate]``)
=====================  ==========================  ==========================================
LME scan (fast REML)   ``nlme::lme``               ``lme_pairs`` feature × GF pairs (200)
ssGSEA (fast)          ``GSVA::gsva(ssgsea)``      ``ssgsea_samples`` samples (20), every set
LASSO path             ``glmnet::glmnet``          one characteristic's biglasso path
ICC (Table 2)          ``psych::ICC``              every feature of the ICC table
=====================  ==========================  ==========================================

For each engine and compared quantity the certificate gives the largest absolute and
relative difference beside the stated tolerance (the one the engine's parity test asserts).
A check that exceeds it fails the certificate; :meth:`ParityCertificate.warnings` says which,
for the console and the report.

Use :func:`certify` with the pieces of a run, or the per-engine functions
(:func:`lme_check`, :func:`ssgsea_check`, :func:`lasso_check`, :func:`icc_check`).
"""

from __future__ import annotations

import html
import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import register_section


@register_section("certificate")
@dataclass
class CertificateConfig:
    """Configuration section ``[certificate]``: the parity certificate of ``replicate``.

    Parameters
    ----------
    enabled : bool, default True
        Recompute a sample of the fast results with R.
    lme_pairs : int, default 200
        Feature × GF pairs refitted with nlme (a grid of about sqrt(2 · pairs) features by
        the rest GFs).
    ssgsea_samples : int, default 20
        Samples scored by GSVA.
    lasso_paths : int, default 1
        biglasso paths refitted with glmnet.
    icc : bool, default True
        Recompute the ICC table with psych.
    seed : int or None, default None
        Draws the sample (the run's seed when None).
    """

    enabled: bool = True
    lme_pairs: int = 200
    ssgsea_samples: int = 20
    lasso_paths: int = 1
    icc: bool = True
    seed: int | None = None


#: tolerances the engines' parity tests assert (tests/test_associate_nlme.py,
#: tests/test_ssgsea.py, tests/test_predict_lasso.py, tests/test_icc.py)
TOLERANCES: dict[str, dict[str, tuple[str, float]]] = {
    "lme": {"estimate": ("rel", 1e-4), "std_error": ("rel", 1e-4), "p_value": ("abs", 1e-5)},
    "ssgsea": {"enrichment score": ("rel", 1e-8)},
    "lasso": {"lambda": ("rel", 1e-10), "deviance ratio": ("abs", 1e-9),
              "non-zero coefficients": ("abs", 0.0)},
    "icc": {"ICC": ("abs", 1e-10), "CI lower bound": ("abs", 1e-10),
            "CI upper bound": ("abs", 1e-10)},
}


@dataclass
class Check:
    """One compared quantity of one engine.

    Parameters
    ----------
    engine : str
        The fast engine (``"LME (fast)"`` …).
    reference : str
        The R function it is compared with.
    quantity : str
        What is compared (estimate, standard error, p-value …).
    sample : str
        What was sampled, in words.
    n : int
        Values compared.
    max_abs, max_rel : float
        Largest absolute and relative difference.
    tolerance : str
        The tolerance, in words.
    passed : bool
        Within tolerance.
    seconds : float, default 0.0
        Time the check took.
    note : str or None, default None
        What to know (pairs left out …).
    """

    engine: str
    reference: str
    quantity: str
    sample: str
    n: int
    max_abs: float
    max_rel: float
    tolerance: str
    passed: bool
    seconds: float = 0.0
    note: str | None = None

    @property
    def status(self) -> str:
        """``"pass"`` or ``"FAIL"``, as the table shows it."""
        return "pass" if self.passed else "FAIL"


def _diffs(fast: np.ndarray, ref: np.ndarray, floor: float = 1e-12) -> tuple[int, float, float,
                                                                             bool]:
    """Count, max |a − b|, max |a − b| / max(|b|, floor · max|b|), and whether NaNs agree."""
    a = np.asarray(fast, dtype=float).ravel()
    b = np.asarray(ref, dtype=float).ravel()
    same_nan = bool(np.array_equal(np.isnan(a), np.isnan(b)))
    ok = ~(np.isnan(a) | np.isnan(b))
    if not ok.any():
        return 0, 0.0, 0.0, same_nan
    d = np.abs(a[ok] - b[ok])
    den = np.maximum(np.abs(b[ok]), floor * max(np.abs(b[ok]).max(), 1e-300))
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(d == 0, 0.0, d / den)
    return int(ok.sum()), float(d.max()), float(rel.max()), same_nan


def _check(engine: str, reference: str, quantity: str, sample: str, fast, ref, kind: str,
           tol: float, seconds: float = 0.0, floor: float = 1e-12, note: str | None = None
           ) -> Check:
    n, mabs, mrel, same_nan = _diffs(fast, ref, floor)
    value = mabs if kind == "abs" else mrel
    passed = bool(same_nan and n > 0 and value <= tol)
    if not same_nan:
        note = "; ".join(x for x in (note, "missing values in different places") if x)
    if n == 0:
        note = "; ".join(x for x in (note, "nothing to compare") if x)
    return Check(engine, reference, quantity, sample, n, mabs, mrel,
                 f"{kind} ≤ {tol:g}", passed, seconds, note)


# --------------------------------------------------------------------------- engines

def lme_check(features: pd.DataFrame, gfs: pd.DataFrame, fast: pd.DataFrame | None = None,
              n_pairs: int = 200, seed: int = 101, preset: str = "paper") -> list[Check]:
    """Refit a seeded grid of about ``n_pairs`` feature × GF pairs with ``nlme::lme``.

    Parameters
    ----------
    features : DataFrame
        Images × (``image_id``, ``patient_id``, features…), as the scan got them.
    gfs : DataFrame
        Patients × (``patient_id``, GFs…).
    fast : DataFrame or None, default None
        The run's fast results (``feature, gf, estimate, std_error, p_value``); None
        recomputes the sample with the fast engine.
    n_pairs : int, default 200
        Sample size: ``k = ceil(sqrt(2 · n_pairs))`` features × ``n_pairs / k`` GFs, drawn
        without replacement among those with a fitted fast result.
    seed : int, default 101
        Seed of the draw.
    preset : {"paper", "code"}, default "paper"
        nlme control preset.

    Returns
    -------
    list of Check
        One each for the slope estimate, its standard error and its p-value.

    References
    ----------
    .. [1] R package nlme 3.1-162, ``lme``.
    """
    import warnings

    from .associate.lme_fast import FastLME
    from .associate.lme_r import fit_nlme
    from .associate.scan import align

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the scan itself named the rows it left out
        values, pid, g = align(features, gfs)
    rng = np.random.default_rng([int(seed), 17])
    # draw among features and GFs that can be fitted (constant ones have no estimate)
    v = values.to_numpy(dtype=float)
    gv = g.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        fit_f = np.isfinite(v).all(axis=0) & (np.nanstd(v, axis=0) > 0)
        fit_g = np.isfinite(gv).all(axis=0) & (np.nanstd(gv, axis=0) > 0)
    values = values.loc[:, fit_f]
    g = g.loc[:, fit_g]
    feats = [str(c) for c in values.columns]
    gf_names = [str(c) for c in g.columns]
    k_f = min(len(feats), max(1, math.ceil(math.sqrt(2 * n_pairs))))
    k_g = min(len(gf_names), max(1, math.ceil(n_pairs / k_f)))
    pick_f = sorted(rng.choice(len(feats), k_f, replace=False).tolist())
    pick_g = sorted(rng.choice(len(gf_names), k_g, replace=False).tolist())
    Y = values.iloc[:, pick_f]
    G = g.iloc[:, pick_g]
    if fast is None:
        ftab = FastLME().fit(Y, pid, G).results_
    else:
        want = pd.MultiIndex.from_product([[feats[i] for i in pick_f],
                                           [gf_names[j] for j in pick_g]],
                                          names=["feature", "gf"])
        ftab = (fast.assign(feature=fast["feature"].astype(str), gf=fast["gf"].astype(str))
                .set_index(["feature", "gf"]).reindex(want).reset_index())
    ref = fit_nlme(Y, pid, G, preset=preset)
    key = ["feature", "gf"]
    both = ftab.merge(ref, on=key, suffixes=("_fast", "_r"))
    # fits R could not make, or that the fast engine flags, are not compared
    usable = both["estimate_fast"].notna() & ~both["failed"].astype(bool)
    left = int((~usable).sum())
    both = both[usable]
    sample = (f"{len(both)} pairs ({k_f} features × {k_g} GFs, seed {seed})"
              + (f"; {left} pair(s) without a fit in one engine not compared" if left else ""))
    secs = time.perf_counter() - t0
    out = []
    for q, (kind, tol) in TOLERANCES["lme"].items():
        out.append(_check("LME scan (fast REML)", "nlme::lme", q.replace("_", " "), sample,
                          both[f"{q}_fast"], both[f"{q}_r"], kind, tol, secs))
    return out


def ssgsea_check(expr: pd.DataFrame, gene_sets: Mapping[str, Sequence[str]],
                 n_samples: int = 20, seed: int = 101, alpha: float = 0.25,
                 min_size: int = 1, max_size: float = math.inf,
                 duplicate_members: str = "remove") -> list[Check]:
    """Score a seeded sample of samples with the fast engine and with GSVA, unnormalised.

    The normalisation divides by the range over the whole batch, so a sample's raw scores
    are what both engines must agree on.

    Parameters
    ----------
    expr : DataFrame, shape (n_samples, n_genes)
        As the run scored it.
    gene_sets : mapping of str to sequence of str
        The sets.
    n_samples : int, default 20
        Samples drawn.
    seed : int, default 101
        Seed of the draw.
    alpha, min_size, max_size, duplicate_members
        As the run's ``[genomics]`` settings.

    Returns
    -------
    list of Check
        One per compared quantity.

    References
    ----------
    .. [1] R package GSVA 1.46.0, ``gsva(method = "ssgsea")``.
    """
    from .genomics.ssgsea import ssgsea_features

    t0 = time.perf_counter()
    rng = np.random.default_rng([int(seed), 23])
    k = min(len(expr), int(n_samples))
    rows = sorted(rng.choice(len(expr), k, replace=False).tolist())
    sub = expr.iloc[rows]
    kw = {"alpha": alpha, "normalize": False, "min_size": min_size, "max_size": max_size,
          "duplicate_members": duplicate_members}
    fast = ssgsea_features(sub, gene_sets, engine="fast", **kw)
    ref = ssgsea_features(sub, gene_sets, engine="r", **kw)
    ref = ref.reindex(index=fast.index, columns=fast.columns)
    secs = time.perf_counter() - t0
    kind, tol = TOLERANCES["ssgsea"]["enrichment score"]
    # relative to a millionth of the largest score at least (scores that cancel to ~0)
    return [_check("ssGSEA (fast)", "GSVA::gsva(method = \"ssgsea\")", "enrichment score",
                   f"{k} samples × {fast.shape[1]} gene sets (seed {seed})", fast.to_numpy(),
                   ref.to_numpy(), kind, tol, secs, floor=1e-6)]


def lasso_check(X: np.ndarray, y: np.ndarray, curve: pd.DataFrame, nlambda: int = 100,
                frac: float = 0.7, seed: int = 101, label: str = "") -> list[Check]:
    """Refit one stored biglasso path with a direct ``glmnet::glmnet`` call.

    The λ grid is also recomputed in NumPy
    (:func:`pyradiogen.predict.lasso.biglasso_lambda_grid`, the Python engine).

    Parameters
    ----------
    X : ndarray, shape (n_rows, p)
        The labelled rows the path was fitted on, before the authors' split.
    y : ndarray, shape (n_rows,)
        Labels.
    curve : DataFrame
        The run's path (``lambda``, ``nzero``, ``dev_ratio``).
    nlambda : int, default 100
        Grid length (the path may stop early where biglasso stops for saturation).
    frac : float, default 0.7
        Training fraction of ``set.seed(seed); sample.int(n, floor(frac·n))``.
    seed : int, default 101
        R's seed of the split.
    label : str, default ""
        Which path (feature set, characteristic), for the table.

    Returns
    -------
    list of Check
        One per compared quantity.

    References
    ----------
    .. [1] R package glmnet 4.1-6.
    """
    from . import rfuncs
    from .predict.lasso import biglasso_lambda_grid

    t0 = time.perf_counter()
    train = np.asarray(rfuncs.author_split(len(y), frac=float(frac), seed=int(seed)),
                       dtype=np.int64).reshape(-1) - 1
    xtr, ytr = X[train], y[train]
    y01 = (ytr == ytr.max()).astype(float)
    lam = curve["lambda"].to_numpy(dtype=float)
    grid = biglasso_lambda_grid(xtr, ytr, nlambda=int(nlambda), dims=xtr.shape)[: len(lam)]
    center = xtr.mean(axis=0)
    scale = np.sqrt(np.maximum((xtr**2).sum(axis=0) / len(xtr) - center**2, 0.0))
    keep = scale > 1e-6
    xk = xtr[:, keep]
    if xk.shape[1] < 2:
        xk = np.column_stack([xk, np.zeros(len(xk))])
    fit = rfuncs.glmnet_binomial_path(xk, y01, lam)
    dev = fit["dev_ratio"][: len(lam)]
    df = fit["df"][: len(lam)]
    secs = time.perf_counter() - t0
    sample = f"one path{': ' + label if label else ''} ({len(lam)} λ, {len(train)} rows)"
    stored_nz = curve["nzero"].to_numpy(dtype=float)
    # biglasso reports the null model at λ_max without iterating: compare from the 2nd λ
    out = [_check("LASSO path (biglasso grid, NumPy)", "pyradiogen R biglasso_lambda",
                  "lambda", sample, grid, lam, *TOLERANCES["lasso"]["lambda"], secs),
           _check("LASSO path (stored)", "glmnet::glmnet", "deviance ratio", sample,
                  curve["dev_ratio"].to_numpy(dtype=float)[: len(dev)], dev,
                  *TOLERANCES["lasso"]["deviance ratio"], secs),
           _check("LASSO path (stored)", "glmnet::glmnet", "non-zero coefficients", sample,
                  stored_nz[1: len(df)], df[1:], *TOLERANCES["lasso"]["non-zero coefficients"],
                  secs)]
    return out


def icc_check(crfs: pd.DataFrame, table: pd.DataFrame) -> list[Check]:
    """Recompute the run's inter-reader ICC table with ``psych::ICC`` (row ``ICC2``: ICC(A,1)).

    Parameters
    ----------
    crfs : DataFrame
        The run's CRF table (``patient_id``, ``reader``, features).
    table : DataFrame
        The run's ICC table (:func:`pyradiogen.crf.icc.inter_reader_table`).

    Returns
    -------
    list of Check
        One per compared quantity.

    References
    ----------
    .. [1] Revelle W. psych: procedures for psychological, psychometric, and personality
       research, R package 2.2.9 (``ICC``).
    """
    from . import rfuncs
    from .crf.icc import complete_subjects, reader_matrices

    t0 = time.perf_counter()
    done = table[table["icc"].notna()]
    mats = reader_matrices(crfs, list(done["feature"]))
    ours, theirs = [], []
    for feat, row in done.set_index("feature").iterrows():
        full, _ = complete_subjects(mats[feat])
        theirs.append(list(rfuncs.psych_icc2(full.to_numpy(dtype=float))))
        ours.append([row["icc"], row["lbound"], row["ubound"]])
    ours_a, theirs_a = np.array(ours, dtype=float), np.array(theirs, dtype=float)
    secs = time.perf_counter() - t0
    sample = f"{len(done)} features (ICC(A,1), two readers)"
    out = []
    for j, q in enumerate(("ICC", "CI lower bound", "CI upper bound")):
        kind, tol = TOLERANCES["icc"][q]
        out.append(_check("ICC (pyradiogen R package)", "psych::ICC (ICC2)", q, sample,
                          ours_a[:, j] if len(ours_a) else [], theirs_a[:, j] if len(theirs_a)
                          else [], kind, tol, secs))
    return out


# --------------------------------------------------------------------------- certificate

@dataclass
class ParityCertificate:
    """The checks of one run and what was sampled.

    Parameters
    ----------
    checks : list of Check
        Every comparison.
    seed : int, default 101
        Seed of the sample.
    errors : dict of str to str
        Engine → why it could not be checked.
    seconds : float, default 0.0
        Time the certificate took.
    """

    checks: list[Check] = field(default_factory=list)
    seed: int = 101
    errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """True when there was at least one check, every check passed and no engine failed."""
        return bool(self.checks) and all(c.passed for c in self.checks) and not self.errors

    def table(self) -> pd.DataFrame:
        """The certificate as a table, one row per engine and quantity checked.

        Returns
        -------
        DataFrame
            Columns ``engine, reference, quantity, sample, n, max_abs_diff, max_rel_diff,
            tolerance, result, note``; an engine that could not be checked is one ``ERROR`` row.
        """
        rows = [{"engine": c.engine, "reference": c.reference, "quantity": c.quantity,
                 "sample": c.sample, "n": c.n, "max_abs_diff": c.max_abs,
                 "max_rel_diff": c.max_rel, "tolerance": c.tolerance, "result": c.status,
                 "note": c.note} for c in self.checks]
        rows += [{"engine": k, "reference": "", "quantity": "", "sample": "", "n": 0,
                  "max_abs_diff": math.nan, "max_rel_diff": math.nan, "tolerance": "",
                  "result": "ERROR", "note": v} for k, v in self.errors.items()]
        return pd.DataFrame(rows, columns=["engine", "reference", "quantity", "sample", "n",
                                           "max_abs_diff", "max_rel_diff", "tolerance",
                                           "result", "note"])

    def warnings(self) -> list[str]:
        """One message per failed check or engine that could not be checked.

        Returns
        -------
        list of str
            Messages for the console and the report (empty when everything passed).
        """
        out = [f"parity certificate: {c.engine} {c.quantity} differs from {c.reference} by "
               f"{c.max_abs:.3g} (abs) / {c.max_rel:.3g} (rel), beyond {c.tolerance}"
               + (f" ({c.note})" if c.note else "") for c in self.checks if not c.passed]
        out += [f"parity certificate: {k} not checked: {v}" for k, v in self.errors.items()]
        return out

    def to_dict(self) -> dict[str, Any]:
        """The certificate as plain data (what :meth:`write_json` writes).

        Returns
        -------
        dict
            ``passed``, ``seed``, ``seconds``, ``checks`` (one dict per :class:`Check`) and
            ``errors`` (engine → message).
        """
        return {"passed": self.passed, "seed": self.seed, "seconds": self.seconds,
                "checks": [asdict(c) for c in self.checks], "errors": dict(self.errors)}

    def write_json(self, path: str | Path) -> Path:
        """Write :meth:`to_dict` as JSON, atomically.

        Parameters
        ----------
        path : str or Path
            The file to write.

        Returns
        -------
        Path
            The file written.
        """
        from .store import write_json

        return write_json(path, self.to_dict())

    @classmethod
    def read_json(cls, path: str | Path) -> ParityCertificate:
        """Read a certificate written by :meth:`write_json`.

        Parameters
        ----------
        path : str or Path
            A ``parity_certificate.json``.

        Returns
        -------
        ParityCertificate
            The certificate with its checks and errors.
        """
        data = json.loads(Path(path).read_text())
        return cls([Check(**c) for c in data.get("checks", [])], data.get("seed", 101),
                   data.get("errors", {}), data.get("seconds", 0.0))

    def to_html(self) -> str:
        """An HTML fragment: the verdict (a visible warning when it failed) and the table.

        Returns
        -------
        str
            HTML.
        """
        tab = self.table()
        head = "".join(f"<th>{html.escape(c.replace('_', ' '))}</th>" for c in tab.columns)
        body = []
        for r in tab.itertuples(index=False):
            cells = []
            for col, v in zip(tab.columns, r):
                if col in ("max_abs_diff", "max_rel_diff"):
                    txt = "—" if v is None or (isinstance(v, float) and math.isnan(v)) \
                        else f"{v:.3g}"
                elif v is None or (isinstance(v, float) and math.isnan(v)):
                    txt = "—"
                else:
                    txt = html.escape(str(v))
                if col == "result":
                    txt = f"<span class=\"{'ok' if v == 'pass' else 'bad'}\">{txt}</span>"
                cells.append(f"<td>{txt}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        if self.passed:
            verdict = (f"<p class=\"note\">Every sampled result agrees with the R reference "
                       f"within its stated tolerance ({self.seconds:.0f} s, seed "
                       f"{self.seed}).</p>")
        else:
            items = "".join(f"<li>{html.escape(w)}</li>" for w in self.warnings())
            verdict = ("<div class=\"deviation\"><strong>Parity certificate FAILED:</strong> "
                       f"<ul>{items}</ul>Numbers from these engines may not be R's numbers on "
                       "this data; rerun the scan with the R engine (e.g. "
                       "<code>--engine nlme</code>) or report the data.</div>")
        return (verdict + f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}"
                "</tbody></table>")


def certify(config: CertificateConfig | None = None, seed: int = 101, *,
            lme: dict[str, Any] | None = None, ssgsea: dict[str, Any] | None = None,
            lasso: Sequence[dict[str, Any]] = (), icc: dict[str, Any] | None = None
            ) -> ParityCertificate:
    """Run the checks whose inputs are given (keyword dicts of the per-engine functions).

    An engine whose check raises is recorded in ``errors`` (and fails the certificate)
    rather than stopping the run.

    Parameters
    ----------
    config : CertificateConfig or None, default None
        Sizes (defaults when None).
    seed : int, default 101
        Seed of the samples (``config.seed`` wins when set).
    lme : dict or None, default None
        Keyword arguments of :func:`lme_check`.
    ssgsea : dict or None, default None
        Keyword arguments of :func:`ssgsea_check`.
    lasso : sequence of dict, default ()
        Keyword arguments of :func:`lasso_check`, one per path.
    icc : dict or None, default None
        Keyword arguments of :func:`icc_check`.

    Returns
    -------
    ParityCertificate
        Every check and error.
    """
    cfg = config or CertificateConfig()
    seed = int(cfg.seed if cfg.seed is not None else seed)
    cert = ParityCertificate(seed=seed)
    t0 = time.perf_counter()
    jobs: list[tuple[str, Any]] = []
    if lme is not None and cfg.lme_pairs > 0:
        jobs.append(("LME scan", lambda: lme_check(**lme, n_pairs=cfg.lme_pairs, seed=seed)))
    if ssgsea is not None and cfg.ssgsea_samples > 0:
        jobs.append(("ssGSEA", lambda: ssgsea_check(**ssgsea, n_samples=cfg.ssgsea_samples,
                                                    seed=seed)))
    for spec in list(lasso)[: max(cfg.lasso_paths, 0)]:
        jobs.append((f"LASSO path {spec.get('label', '')}".strip(),
                     lambda spec=spec: lasso_check(**{"seed": 101, **spec})))
    if icc is not None and cfg.icc:
        jobs.append(("ICC", lambda: icc_check(**icc)))
    for name, job in jobs:
        try:
            cert.checks.extend(job())
        except Exception as exc:  # noqa: BLE001 - a failed check is reported, not fatal
            cert.errors[name] = f"{type(exc).__name__}: {exc}"
    cert.seconds = time.perf_counter() - t0
    return cert


__all__ = ["CertificateConfig", "Check", "ParityCertificate", "TOLERANCES", "certify",
           "icc_check", "lasso_check", "lme_check", "ssgsea_check"]
