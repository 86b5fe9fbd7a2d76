"""Saturation binding: Kd and Bmax (cpm, fmol, fmol/mg, fmol/10⁶ cells, sites per cell).

:func:`fit_saturation` fits GraphPad's saturation models (DOMAIN §8.1; equations in
:mod:`assaykit.binding.saturation_models`) on the batched engine, one row per curve:

* ``"total-nsb"`` (default when total and nonspecific tubes were both measured): total
  ``Bmax·X/(X+Kd) + NS·X + Bkg`` and nonspecific ``NS·X + Bkg`` fitted together, NS and Bkg shared;
* ``"total"``: total tubes only, ``Bmax·X/(Kd+X) + NS·X + Bkg``;
* ``"specific"``: ``Bmax·X/(Kd+X)`` on specific binding (given, or total − mean NSB at each X);
* ``"two-site"``: ``BmaxHi·X/(KdHi+X) + BmaxLo·X/(KdLo+X)`` on specific binding;
* ``"hill"``: ``Bmax·X^h/(Kd^h+X^h)`` on specific binding.

X is the free radioligand: the added concentration, or added − bound when more than
``depletion_limit`` (10 %) of the added radioligand is bound (bound from the tube's counts and
the added counts of the standards, or from efficiency, molar activity and volume). Bkg is fixed
at 0 unless ``fit_bkg=True``. Kd is fitted as log10(Kd) and reported in M with its SE (delta
method, exact for the Gauss–Newton covariance) and a 95 % CI from the profile likelihood (R's
``confint`` on ``nls``) or Wald on the log scale (``ci_method``). One site is compared with two
sites by the extra-sum-of-squares F test and AICc. The verdict rules are in :mod:`._saturation_verdicts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from assaykit.binding._saturation_verdicts import Verdicts, judge
from assaykit.binding.saturation_models import SITE_PARAMS, Site, saturation_model
from assaykit.errors import SchemaError
from assaykit.fitting import FitResult, least_squares
from assaykit.fitting.profile import profile_ci
from assaykit.fitting.stats import aicc, f_test, wald_ci
from assaykit.schema import require_columns

__all__ = [
    "AVOGADRO",
    "CiMethod",
    "FreeLigand",
    "RadioligandSetup",
    "SaturationModel",
    "bmax_units",
    "fit_saturation",
    "prepare_points",
]

SaturationModel = Literal["auto", "total-nsb", "total", "specific", "two-site", "hill"]
CiMethod = Literal["profile", "wald"]
FreeLigand = Literal["auto", "added", "free"]
Weighting = Literal["none", "poisson"]

#: Avogadro constant (SI 2019, exact), 1/mol.
AVOGADRO = 6.02214076e23

_KINDS = ("total", "nsb", "specific")
_MODELS = ("auto", "total-nsb", "total", "specific", "two-site", "hill")


@dataclass(frozen=True)
class RadioligandSetup:
    """What turns counts into moles and sites (all optional; None = not known).

    Attributes
    ----------
    efficiency
        Counter efficiency ε (cpm per dpm, 0–1) in the counting window used.
    molar_activity_GBq_per_umol
        Molar activity of the radioligand at the time the counts refer to (decay-correct the counts
        to the molar activity's reference time first; :func:`assaykit.layout.saturation.saturation_data`
        does). 1 GBq/µmol = 1 Bq/fmol = 60 dpm/fmol.
    volume_L
        Incubation volume per tube (for the bound concentration when no standards were counted).
    cells_per_tube
        Cells per tube/well (sites per cell, fmol/10⁶ cells).
    protein_mg_per_tube
        Protein per tube/well in mg (fmol/mg protein).
    """

    efficiency: float | None = None
    molar_activity_GBq_per_umol: float | None = None
    volume_L: float | None = None
    cells_per_tube: float | None = None
    protein_mg_per_tube: float | None = None

    @property
    def dpm_per_fmol(self) -> float | None:
        """``60 · molar activity [Bq/fmol]`` (4884 dpm/fmol at 2200 Ci/mmol)."""
        a = self.molar_activity_GBq_per_umol
        return None if a is None else 60.0 * a


def bmax_units(bmax_cpm: object, setup: RadioligandSetup) -> dict[str, np.ndarray]:
    """Bmax (or any bound cpm) in fmol, fmol/mg protein, fmol/10⁶ cells and sites per cell.

    ``fmol = cpm / (ε · dpm_per_fmol)``; ``sites/cell = fmol · 1e-15 · N_A / N_cells``
    (DOMAIN §8.1). Quantities whose inputs are missing are left out.

    Examples
    --------
    DOMAIN §8.1: 2000 cpm, ε 0.80, ¹²⁵I at 2200 Ci/mmol, 2 × 10⁵ cells → 0.5119 fmol, 1541 sites/cell.

    >>> from assaykit.units import convert
    >>> s = RadioligandSetup(efficiency=0.80, cells_per_tube=2e5,
    ...     molar_activity_GBq_per_umol=convert(2200, "Ci/mmol", "GBq/µmol"))
    >>> u = bmax_units(2000.0, s)
    >>> round(float(u["bmax_fmol"]), 4), round(float(u["sites_per_cell"]))
    (0.5119, 1541)
    """
    cpm = np.asarray(bmax_cpm, dtype=float)
    out: dict[str, np.ndarray] = {}
    if setup.efficiency is None or setup.dpm_per_fmol is None:
        return out
    if not (0 < setup.efficiency <= 1.5) or setup.dpm_per_fmol <= 0:
        raise SchemaError(
            f"efficiency must be in (0, 1] and molar activity > 0; got {setup.efficiency}, "
            f"{setup.molar_activity_GBq_per_umol} GBq/µmol"
        )
    fmol = cpm / (setup.efficiency * setup.dpm_per_fmol)
    out["bmax_fmol"] = fmol
    if setup.protein_mg_per_tube:
        out["bmax_fmol_per_mg"] = fmol / setup.protein_mg_per_tube
    if setup.cells_per_tube:
        out["bmax_fmol_per_1e6_cells"] = fmol / (setup.cells_per_tube / 1e6)
        out["sites_per_cell"] = fmol * 1e-15 * AVOGADRO / setup.cells_per_tube
    return out


def _fraction_bound(data: pd.DataFrame, setup: RadioligandSetup) -> tuple[np.ndarray, str]:
    """Fraction of the added radioligand bound in each tube and how it was obtained."""
    resp = data["response"].to_numpy(dtype=float)
    if "added_cpm" in data.columns:
        added = data["added_cpm"].to_numpy(dtype=float)
        with np.errstate(all="ignore"):
            f = np.where(added > 0, resp / added, np.nan)
        if np.isfinite(f).any():
            return f, "counts of the added-radioligand standards"
    if setup.efficiency and setup.dpm_per_fmol and setup.volume_L:
        fmol = resp / (setup.efficiency * setup.dpm_per_fmol)
        bound_m = fmol * 1e-15 / setup.volume_L
        with np.errstate(all="ignore"):
            f = bound_m / data["conc_M"].to_numpy(dtype=float)
        return f, "counts, efficiency, molar activity and volume"
    return np.full(len(data), np.nan), ""


def prepare_points(
    data: pd.DataFrame,
    *,
    setup: RadioligandSetup | None = None,
    free_ligand: FreeLigand = "auto",
    depletion_limit: float = 0.10,
) -> pd.DataFrame:
    """The tubes as fitted: ``curve, kind, conc_M, free_M, response, fraction_bound, used``.

    ``free_M`` is the added concentration, or added × (1 − fraction bound) where the curve's
    largest mean fraction bound in total (or specific) tubes exceeds ``depletion_limit``
    (``free_ligand="auto"``), always (``"free"``) or never (``"added"``). ``depletion`` (per row,
    the curve's largest fraction) lets the verdicts flag it.
    """
    require_columns(data, ["conc_M", "response", "kind"], stage="saturation fit")
    if free_ligand not in ("auto", "added", "free"):
        raise SchemaError(f"free_ligand must be 'auto', 'added' or 'free', not {free_ligand!r}")
    setup = setup or RadioligandSetup()
    d = data.copy()
    if "curve" not in d.columns:
        d["curve"] = "saturation"
    d["curve"] = d["curve"].astype(str)
    d["kind"] = d["kind"].astype(str).str.strip().str.lower()
    bad = ~d["kind"].isin(_KINDS)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise SchemaError(
            f"row {d.index[i]}: kind {d['kind'].iloc[i]!r} is not one of {', '.join(_KINDS)}"
        )
    for col in ("conc_M", "response"):
        d[col] = pd.to_numeric(d[col], errors="coerce")
    d["used"] = np.isfinite(d["conc_M"]) & np.isfinite(d["response"]) & (d["conc_M"] > 0)
    f, source = _fraction_bound(d, setup)
    d["fraction_bound"] = f
    tot = d[d["kind"].isin(["total", "specific"]) & d["used"]]
    per_conc = tot.groupby(["curve", "conc_M"])["fraction_bound"].mean()
    worst = per_conc.groupby(level=0).max() if len(per_conc) else pd.Series(dtype=float)
    d["depletion"] = d["curve"].map(worst).astype(float)
    subtract = np.isfinite(d["depletion"]) & (
        (free_ligand == "free") | ((free_ligand == "auto") & (d["depletion"] > depletion_limit))
    )
    frac = np.where(np.isfinite(d["fraction_bound"]), d["fraction_bound"], 0.0)
    d["free_M"] = np.where(subtract, d["conc_M"] * (1.0 - frac), d["conc_M"])
    d["free_corrected"] = subtract
    d["fraction_source"] = source
    d.loc[d["free_M"] <= 0, "used"] = False
    return d


def _specific_points(d: pd.DataFrame) -> pd.DataFrame:
    """Specific binding per total tube: given, or total − mean NSB at the same added concentration."""
    spec = d[d["kind"] == "specific"]
    if len(spec):
        return spec.copy()
    tot = d[d["kind"] == "total"].copy()
    nsb = d[(d["kind"] == "nsb") & d["used"]].groupby("conc_M")["response"].mean()
    listed = set(d.loc[d["kind"] == "nsb", "conc_M"])
    missing = ~tot["conc_M"].isin(listed) & tot["used"]
    if missing.any():
        c = float(tot.loc[missing, "conc_M"].iloc[0])
        raise SchemaError(
            f"curve {tot['curve'].iloc[0]!r}: specific binding needs nonspecific tubes at every "
            f"concentration; none at {c:g} M"
        )
    # a concentration whose NSB tubes are all unusable leaves its total tubes unusable too
    tot["used"] = tot["used"] & tot["conc_M"].isin(nsb.index)
    tot["response"] = tot["response"] - tot["conc_M"].map(nsb).to_numpy()
    tot["kind"] = "specific"
    return tot


def _resolve(model: str, kinds: set[str]) -> str:
    if model != "auto":
        return model
    if "total" in kinds and "nsb" in kinds:
        return "total-nsb"
    if "total" in kinds:
        return "total"
    return "specific"


def _arrays(
    parts: list[pd.DataFrame], global_fit: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Padded ``x`` (nM; with the specific-binding indicator for a global fit), ``y``, mask."""
    npt = max((len(p) for p in parts), default=0)
    c = len(parts)
    x = np.full((c, npt, 2) if global_fit else (c, npt), np.nan)
    y = np.full((c, npt), np.nan)
    for i, p in enumerate(parts):
        k = len(p)
        xv = p["free_M"].to_numpy(float) * 1e9
        if global_fit:
            x[i, :k, 0] = xv
            x[i, :k, 1] = (p["kind"] != "nsb").to_numpy(float)
        else:
            x[i, :k] = xv
        y[i, :k] = p["response"].to_numpy(float)
    mask = np.isfinite(y) & (np.isfinite(x[..., 0]) if global_fit else np.isfinite(x))
    return x, y, mask


def _fit(
    site: Site,
    nonspecific: bool,
    x: np.ndarray,
    y: np.ndarray,
    mask: np.ndarray,
    fit_bkg: bool,
    weighting: Weighting,
) -> tuple[FitResult, dict[str, float]]:
    model = saturation_model(site, nonspecific=nonspecific)
    fixed = {} if (fit_bkg or not nonspecific) else {"bkg": 0.0}
    w = None if weighting == "none" else weighting
    fit = least_squares(model, x, y, mask, fixed=fixed or None, weights=w)
    return fit, fixed


def fit_saturation(
    data: pd.DataFrame,
    *,
    model: SaturationModel = "auto",
    setup: RadioligandSetup | None = None,
    free_ligand: FreeLigand = "auto",
    depletion_limit: float = 0.10,
    fit_bkg: bool = False,
    ci_method: CiMethod = "profile",
    level: float = 0.95,
    weighting: Weighting = "none",
    compare_two_sites: bool = True,
    min_concentrations: int = 5,
    plateau_factor: float = 3.0,
    correlation_limit: float = 0.99,
) -> pd.DataFrame:
    """Fit saturation curves: one row per curve with Kd, Bmax (cpm and physical units) and a verdict.

    Parameters
    ----------
    data
        Tubes: ``conc_M`` (added radioligand, M), ``response`` (net cpm), ``kind`` ∈ total | nsb |
        specific; optional ``curve`` and ``added_cpm`` (counts of the added radioligand, for the
        fraction bound).
    model
        See the module docstring; ``"auto"``: total-nsb when both were measured, else total, else
        specific.
    setup
        Efficiency, molar activity, volume, cells, protein (:class:`RadioligandSetup`).
    free_ligand, depletion_limit
        Use added − bound as X when more than ``depletion_limit`` of the added radioligand is
        bound (``"auto"``), always (``"free"``) or never (``"added"``: a depleted curve then gets
        status ``depletion``).
    fit_bkg
        Fit Bkg (the NSB intercept) instead of fixing it at 0.
    ci_method
        ``"profile"`` (likelihood-profile limits, as R's ``confint``) or ``"wald"``
        (log10 Kd ± t·SE; Bmax ± t·SE).
    level
        Confidence level.
    weighting
        ``"none"`` (Prism's default) or ``"poisson"`` (weights 1/Y).
    compare_two_sites
        Also fit two sites with the same nonspecific part; F test and AICc.
    min_concentrations
        Fewer distinct concentrations give status ``insufficient_data``.
    plateau_factor
        The highest free concentration must reach this multiple of Kd (else ``no_plateau``).
    correlation_limit
        |corr(log Kd, Bmax)| above this gives ``not_identifiable`` (Kd–Bmax dependency).

    Returns
    -------
    pandas.DataFrame
        One row per curve: ``curve, model, status, flags, message, n_tubes,
        n_concentrations, conc_max_M``, ``kd_M`` and ``bmax_cpm`` each with ``_se``, ``_ci_low``,
        ``_ci_high``, ``log10_kd_M`` (+ ``_se``), ``ns_cpm_per_nM``, ``bkg_cpm`` (+ ``_se``),
        ``ci_method``, ``kd_bmax_correlation``, ``rss, df, sy_x, r_squared, aicc``,
        ``max_fraction_bound, free_ligand``, the two-site comparison (``two_site_f, two_site_p,
        aicc_two_site, two_sites_real, preferred_sites``), model-specific columns (``hill``, ``kd_hi_M``, ...)
        and, with a setup, ``bmax_fmol``, ``bmax_fmol_per_mg``, ``bmax_fmol_per_1e6_cells``,
        ``sites_per_cell`` (with CIs). Estimates are NaN unless ``status == "ok"``.

    Examples
    --------
    DOMAIN §8.1: Bmax 2000 cpm, Kd 2 nM, NS 50 cpm/nM, no noise.

    >>> import numpy as np, pandas as pd
    >>> x = np.array([0.25, 0.5, 1, 2, 4, 8, 16])
    >>> tot = pd.DataFrame({"conc_M": x * 1e-9, "response": 2000 * x / (2 + x) + 50 * x, "kind": "total"})
    >>> nsb = pd.DataFrame({"conc_M": x * 1e-9, "response": 50 * x, "kind": "nsb"})
    >>> res = fit_saturation(pd.concat([tot, nsb]), compare_two_sites=False)
    >>> r = res.iloc[0]
    >>> r["model"], r["status"], round(float(r["kd_M"]) * 1e9, 6), round(float(r["bmax_cpm"]), 3)
    ('total-nsb', 'ok', 2.0, 2000.0)
    """
    if model not in _MODELS:
        raise SchemaError(f"model must be one of {', '.join(_MODELS)}; got {model!r}")
    if ci_method not in ("profile", "wald"):
        raise SchemaError(f"ci_method must be 'profile' or 'wald', not {ci_method!r}")
    setup = setup or RadioligandSetup()
    pts = prepare_points(
        data, setup=setup, free_ligand=free_ligand, depletion_limit=depletion_limit
    )
    curves = list(dict.fromkeys(pts["curve"]))
    if not curves:
        raise SchemaError("the saturation table has no tubes")
    groups: dict[str, list[tuple[str, pd.DataFrame]]] = {}
    empty: list[dict[str, object]] = []
    for cv in curves:
        d = pts[pts["curve"] == cv]
        m = _resolve(model, set(d["kind"]))
        if m in ("specific", "two-site", "hill"):
            d = _specific_points(d)
        elif m == "total":
            d = d[d["kind"] == "total"]
        elif m == "total-nsb":
            d = d[d["kind"].isin(["total", "nsb"])]
            if not {"total", "nsb"} <= set(d["kind"]):
                raise SchemaError(
                    f"curve {cv!r}: model 'total-nsb' needs total and nsb tubes; found "
                    f"{', '.join(sorted(set(pts.loc[pts['curve'] == cv, 'kind'])))}"
                )
        used = d[d["used"]]
        if not (used["kind"] != "nsb").any():
            empty.append(_no_data_row(cv, m, used))
            continue
        groups.setdefault(m, []).append((cv, used))
    rows = [pd.DataFrame(empty)] if empty else []
    for m, items in groups.items():
        rows.append(
            _fit_group(
                m,
                items,
                setup=setup,
                fit_bkg=fit_bkg,
                ci_method=ci_method,
                level=level,
                weighting=weighting,
                compare=compare_two_sites,
                verdicts=Verdicts(
                    min_concentrations=min_concentrations,
                    plateau_factor=plateau_factor,
                    correlation_limit=correlation_limit,
                    depletion_limit=depletion_limit,
                    free_ligand=free_ligand,
                ),
            )
        )
    out = pd.concat(rows, ignore_index=True)
    order = {c: i for i, c in enumerate(curves)}
    return out.sort_values("curve", key=lambda s: s.map(order), kind="stable").reset_index(
        drop=True
    )


def _no_data_row(curve: str, model: str, used: pd.DataFrame) -> dict[str, object]:
    """The result row of a curve without one usable total or specific tube (nothing fitted)."""
    return {
        "curve": curve,
        "model": model,
        "status": "insufficient_data",
        "flags": "",
        "message": "no usable total or specific tube (missing counts, concentration ≤ 0, "
        "or bound ≥ added)",
        "n_tubes": len(used),
        "n_concentrations": 0,
        "kd_M": np.nan,
        "bmax_cpm": np.nan,
    }


def _fit_group(
    m: str,
    items: list[tuple[str, pd.DataFrame]],
    *,
    setup: RadioligandSetup,
    fit_bkg: bool,
    ci_method: CiMethod,
    level: float,
    weighting: Weighting,
    compare: bool,
    verdicts: Verdicts,
) -> pd.DataFrame:
    site: Site = "two" if m == "two-site" else "hill" if m == "hill" else "one"
    nonspecific = m in ("total", "total-nsb")
    global_fit = m == "total-nsb"
    names = [c for c, _ in items]
    parts = [p for _, p in items]
    x, y, mask = _arrays(parts, global_fit)
    fit, fixed = _fit(site, nonspecific, x, y, mask, fit_bkg, weighting)
    mdl = fit.model
    nc = len(items)
    out = pd.DataFrame({"curve": names, "model": m})
    out["n_tubes"] = [len(p) for p in parts]
    out["n_concentrations"] = [p.loc[p["kind"] != "nsb", "conc_M"].nunique() for p in parts]
    out["conc_max_M"] = [p.loc[p["kind"] != "nsb", "free_M"].max() for p in parts]
    w = None if weighting == "none" else weighting
    t_ok = fit.df >= 1

    def ci(name: str) -> tuple[np.ndarray, np.ndarray]:
        est, se = fit.param(name), fit.stderr(name)
        if ci_method == "wald":
            return wald_ci(est, se, fit.df, level)
        lo, hi = profile_ci(mdl, x, y, mask, fit, name, fixed=fixed or None, weights=w, level=level)
        return np.where(t_ok, lo, np.nan), np.where(t_ok, hi, np.nan)

    kd_names = [n for n in SITE_PARAMS[site] if n.startswith("log_kd")]
    bmax_names = [n for n in SITE_PARAMS[site] if n.startswith("bmax")]
    for ln in kd_names:
        col = "kd_M" if ln == "log_kd" else f"kd_{ln.split('_')[-1]}_M"
        lk, lse = fit.param(ln), fit.stderr(ln)
        lo, hi = ci(ln)
        out[col] = 10.0 ** (lk - 9.0)
        out[f"{col}_se"] = out[col] * np.log(10.0) * lse
        out[f"{col}_ci_low"] = 10.0 ** (lo - 9.0)
        out[f"{col}_ci_high"] = 10.0 ** (hi - 9.0)
        if ln == "log_kd":
            out["log10_kd_M"] = lk - 9.0
            out["log10_kd_M_se"] = lse
    for bn in bmax_names:
        col = "bmax_cpm" if bn == "bmax" else f"{bn}_cpm"
        lo, hi = ci(bn)
        out[col], out[f"{col}_se"] = fit.param(bn), fit.stderr(bn)
        out[f"{col}_ci_low"], out[f"{col}_ci_high"] = lo, hi
    if site == "two":  # total Bmax of both sites, Wald (sum of two parameters)
        i1, i2 = mdl.index("bmax_hi"), mdl.index("bmax_lo")
        tot = fit.params[:, i1] + fit.params[:, i2]
        v = fit.cov[:, i1, i1] + fit.cov[:, i2, i2] + 2 * fit.cov[:, i1, i2]
        se = np.sqrt(np.maximum(v, 0))
        lo, hi = wald_ci(tot, se, fit.df, level)
        out["bmax_cpm"], out["bmax_cpm_se"] = tot, se
        out["bmax_cpm_ci_low"], out["bmax_cpm_ci_high"] = lo, hi
        with np.errstate(all="ignore"):
            out["fraction_hi"] = fit.params[:, i1] / tot
    if site == "hill":
        lo, hi = wald_ci(fit.param("hill"), fit.stderr("hill"), fit.df, level)
        out["hill"], out["hill_se"] = fit.param("hill"), fit.stderr("hill")
        out["hill_ci_low"], out["hill_ci_high"] = lo, hi
    if nonspecific:
        out["ns_cpm_per_nM"], out["ns_cpm_per_nM_se"] = fit.param("ns"), fit.stderr("ns")
        out["bkg_cpm"] = fit.param("bkg")
        out["bkg_cpm_se"] = np.where(fit.free[:, mdl.index("bkg")], fit.stderr("bkg"), np.nan)
    out["ci_method"] = ci_method
    if site != "two":
        ib, ik = mdl.index("bmax"), mdl.index("log_kd")
        with np.errstate(all="ignore"):
            corr = fit.cov[:, ib, ik] / np.sqrt(fit.cov[:, ib, ib] * fit.cov[:, ik, ik])
        out["kd_bmax_correlation"] = corr
    out["n_fitted"] = fit.n  # fewer than n_tubes when 1/Y weights leave out Y ≤ 0
    out["rss"], out["df"] = fit.rss, fit.df
    with np.errstate(all="ignore"):
        out["sy_x"] = np.sqrt(fit.rss / np.where(fit.df > 0, fit.df, np.nan))
    out["r_squared"] = fit.r_squared
    n_free = fit.free.sum(axis=1)
    out["aicc"] = aicc(fit.rss, fit.n, n_free)
    out["max_fraction_bound"] = [float(p["depletion"].max()) if len(p) else np.nan for p in parts]
    out["free_ligand"] = [
        "added − bound" if len(p) and bool(p["free_corrected"].any()) else "added" for p in parts
    ]
    if compare and site in ("one", "two"):
        other: Site = "two" if site == "one" else "one"
        fit2, _ = _fit(other, nonspecific, x, y, mask, fit_bkg, weighting)
        one, two = (fit, fit2) if site == "one" else (fit2, fit)
        f, p = f_test(one.rss, one.df, two.rss, two.df)
        ok2 = two.converged & np.isfinite(two.rss)
        out["two_site_f"] = np.where(ok2, f, np.nan)
        out["two_site_p"] = np.where(ok2, p, np.nan)
        out["aicc_one_site"] = aicc(one.rss, one.n, one.free.sum(axis=1))
        out["aicc_two_site"] = np.where(ok2, aicc(two.rss, two.n, two.free.sum(axis=1)), np.nan)
        # two sites count only when both are real: Bmax > 0 each, the low-affinity Kd no more
        # than 10 × the highest concentration (else it is a second slope, not a site)
        tp = two.params
        xmax_nM = out["conc_max_M"].to_numpy(float) * 1e9
        real = (
            (tp[:, 0] > 0)
            & (tp[:, 2] > 0)
            & (10.0 ** np.maximum(tp[:, 1], tp[:, 3]) <= 10 * xmax_nM)
        )
        out["two_sites_real"] = real
        better_two = (
            ok2 & real & (out["two_site_p"] < 0.05) & (out["aicc_two_site"] < out["aicc_one_site"])
        )
        out["preferred_sites"] = np.where(better_two, "two", "one")
    per_cpm = bmax_units(np.ones(nc), setup)
    for key, f in per_cpm.items():
        out[key] = out["bmax_cpm"] * f
        out[f"{key}_se"] = out["bmax_cpm_se"] * f
        out[f"{key}_ci_low"] = out["bmax_cpm_ci_low"] * f
        out[f"{key}_ci_high"] = out["bmax_cpm_ci_high"] * f
    out = judge(out, fit, parts, nonspecific=nonspecific, site=site, rules=verdicts)
    return out
