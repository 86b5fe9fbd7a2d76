"""Binding kinetics: association, dissociation and Motulsky–Mahan fits with honest verdicts.

:func:`fit_kinetics` fits one of five models (:mod:`assaykit.binding.kinetics_models`) to a tidy
table of specific binding against time and returns one row per fitted curve: every rate with its
SE and 95 % CI, the derived kinetic Kd, half-life and residence time, and a ``status`` with the
reason when a number is not defined. Counting (background, decay to one reference time, decay
during each count, NSB) is done before, by :func:`assaykit.binding.kinetics_counting.kinetics_responses`;
:func:`assaykit.binding.kinetics_analysis.analyze_kinetics` chains both into an ``AssayResult``.

Units: time in minutes, concentrations in molar, kon per molar per minute, koff per minute; the
response keeps the unit it came in (``response_unit``, cpm by default), e.g. ``bmax_cpm``.

Examples
--------
>>> import numpy as np, pandas as pd
>>> t = np.array([0.5, 1, 2, 4, 8, 15, 30, 60.0])
>>> y = 900 * np.exp(-0.1 * t) + 100          # koff 0.1 /min: t½ = 6.93 min
>>> data = pd.DataFrame({"time_min": t, "response": y, "conc_M": 1e-9, "kind": "dissociation"})
>>> row = fit_kinetics(data, model="dissociation").iloc[0]
>>> round(float(row["koff_per_min"]), 6), round(float(row["t_half_min"]), 4), row["status"]
(0.1, 6.9315, 'ok')
"""

from __future__ import annotations

import math
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from assaykit.binding.kinetics_models import (
    ASSOCIATION,
    ASSOCIATION_DISSOCIATION,
    ASSOCIATION_GLOBAL,
    DISSOCIATION,
    MOTULSKY_MAHAN,
)
from assaykit.errors import SchemaError
from assaykit.fitting import FitResult, Model, least_squares
from assaykit.fitting.profile import profile_ci
from assaykit.fitting.stats import wald_ci
from assaykit.schema import require_columns

__all__ = ["CIMethod", "KineticsModel", "Weighting", "fit_kinetics"]

KineticsModel = Literal[
    "dissociation", "association", "association_global", "association_dissociation", "competition"
]
CIMethod = Literal["wald", "profile"]
Weighting = Literal["none", "1/y2", "poisson"]

NM = 1e9  # nM per M: concentrations enter the models in nM, kon per nM per minute
LN2 = math.log(2.0)

_MODELS: dict[str, Model] = {
    "dissociation": DISSOCIATION,
    "association": ASSOCIATION,
    "association_global": ASSOCIATION_GLOBAL,
    "association_dissociation": ASSOCIATION_DISSOCIATION,
    "competition": MOTULSKY_MAHAN,
}
#: Which rows (``kind``) each model uses.
_KINDS = {
    "dissociation": ("dissociation",),
    "association": ("association",),
    "association_global": ("association",),
    "association_dissociation": ("association", "dissociation"),
    "competition": ("association",),
}
#: Fraction of equilibrium (or of full dissociation) that counts as "plateau reached": 1 − e⁻³ = 95 %.
PLATEAU_RATE_TIMES = 3.0


def _estimates(response_unit: str) -> dict[str, list[str]]:
    """Output estimates of each model (in column order)."""
    u = response_unit
    return {
        "dissociation": [f"y0_{u}", f"ns_{u}", "koff_per_min", "t_half_min", "residence_time_min"],
        "association": [f"ymax_{u}", "kobs_per_min", "t_half_min", "kon_per_M_min"],
        "association_global": [
            "kon_per_M_min",
            "koff_per_min",
            "kd_M",
            f"bmax_{u}",
            "t_half_min",
            "residence_time_min",
        ],
        "association_dissociation": [
            "kon_per_M_min",
            "koff_per_min",
            "kd_M",
            f"bmax_{u}",
            f"ns_{u}",
            "t_half_min",
            "residence_time_min",
        ],
        "competition": [
            "kon_per_M_min",
            "koff_per_min",
            "kd_M",
            f"bmax_{u}",
            "t_half_min",
            "residence_time_min",
        ],
    }


def _check_choice(name: str, value: str, alias: Any) -> None:
    allowed = get_args(alias)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}, not {value!r}")


def _prepare(data: pd.DataFrame, model: str, dissociation_start_min: float | None) -> pd.DataFrame:
    require_columns(data, ["time_min", "response", "conc_M"], stage=f"kinetics fit ({model})")
    df = data.copy()
    if "kind" in df.columns:
        kinds = df["kind"].astype(str).str.strip().str.lower()
        bad = sorted(set(kinds) - {"association", "dissociation"})
        if bad:
            raise SchemaError(
                f"kind must be 'association' or 'dissociation'; found {', '.join(map(repr, bad))}"
            )
        df["kind"] = kinds
        df = df[kinds.isin(_KINDS[model])]
    else:
        df["kind"] = "dissociation" if model == "dissociation" else "association"
    if df.empty:
        raise SchemaError(
            f"no {' or '.join(_KINDS[model])} rows for the {model} model (column 'kind')"
        )
    if "curve" not in df.columns:
        df["curve"] = "curve 1"
    df["curve"] = df["curve"].astype(str)
    for col in ("time_min", "response", "conc_M"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    bad_t = df["time_min"].isna() | (df["time_min"] < 0)
    if bad_t.any():
        rows = ", ".join(str(i) for i in df.index[bad_t][:5])
        raise SchemaError(f"time_min must be a number ≥ 0 (rows {rows})")
    if model != "dissociation":
        bad_c = ~(df["conc_M"] > 0)
        if bad_c.any():
            rows = ", ".join(str(i) for i in df.index[bad_c][:5])
            raise SchemaError(f"conc_M (radioligand) must be > 0 molar for {model} (rows {rows})")
    if model == "competition":
        require_columns(df, ["competitor_conc_M"], stage="kinetics fit (competition)")
        df["competitor_conc_M"] = pd.to_numeric(df["competitor_conc_M"], errors="coerce")
        bad_i = ~(df["competitor_conc_M"] >= 0)
        if bad_i.any():
            rows = ", ".join(str(i) for i in df.index[bad_i][:5])
            raise SchemaError(f"competitor_conc_M must be ≥ 0 molar (rows {rows})")
    if model == "association_dissociation":
        if dissociation_start_min is None:
            raise SchemaError(
                "association_dissociation needs dissociation_start_min (Time0: minutes after "
                "radioligand addition at which dissociation was started)"
            )
        # dissociation rows carry time after dissociation start: make it time after addition
        diss = df["kind"] == "dissociation"
        df.loc[diss, "time_min"] = df.loc[diss, "time_min"] + float(dissociation_start_min)
    return df


def _groups(df: pd.DataFrame, model: str) -> list[tuple[tuple[str, float], pd.DataFrame]]:
    if model == "association":
        return [
            ((str(k[0]), float(k[1])), g)  # type: ignore[arg-type]
            for k, g in df.groupby(["curve", "conc_M"], sort=False)
        ]
    return [((str(k), math.nan), g) for k, g in df.groupby("curve", sort=False)]


def _x_columns(g: pd.DataFrame, model: str, time0: float | None) -> np.ndarray:
    t = g["time_min"].to_numpy(float)
    conc = g["conc_M"].to_numpy(float) * NM
    if model in ("dissociation", "association"):
        return t[:, None]
    if model == "association_global":
        return np.stack([t, conc], axis=-1)
    if model == "association_dissociation":
        return np.stack([t, conc, np.full_like(t, float(time0 or 0.0))], axis=-1)
    comp = g["competitor_conc_M"].to_numpy(float) * NM
    return np.stack([t, conc, comp], axis=-1)


def _pad(
    groups: list[tuple[tuple[str, float], pd.DataFrame]], model: str, time0: float | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = max(len(g) for _, g in groups)
    k = _x_columns(groups[0][1], model, time0).shape[1]
    x = np.zeros((len(groups), n, k))
    y = np.zeros((len(groups), n))
    m = np.zeros((len(groups), n), dtype=bool)
    for c, (_, g) in enumerate(groups):
        xc = _x_columns(g, model, time0)
        yc = g["response"].to_numpy(float)
        x[c, : len(g)] = xc
        y[c, : len(g)] = yc
        m[c, : len(g)] = np.isfinite(yc)
    if model in ("dissociation", "association"):
        return x[..., 0], y, m
    return x, y, m


def fit_kinetics(
    data: pd.DataFrame,
    *,
    model: KineticsModel = "association_global",
    koff_per_min: float | None = None,
    koff_se: float | None = None,
    equilibrium_kd_M: float | None = None,
    radioligand_kon_per_M_min: float | None = None,
    radioligand_koff_per_min: float | None = None,
    dissociation_start_min: float | None = None,
    ci_method: CIMethod = "wald",
    weighting: Weighting = "none",
    level: float = 0.95,
    kd_ratio_limit: float = 3.0,
    response_unit: str = "cpm",
) -> pd.DataFrame:
    """Fit a binding-kinetics model to each curve of a tidy table.

    Parameters
    ----------
    data
        Columns ``time_min`` (after radioligand addition; for ``kind == 'dissociation'`` rows,
        after dissociation start), ``response`` (specific binding, decay-corrected), ``conc_M``
        (radioligand), optional ``competitor_conc_M``, ``kind`` (``association`` or
        ``dissociation``) and ``curve`` (separate fits; default one curve).
    model
        ``dissociation`` (one-phase decay to NS), ``association`` (one concentration: kobs,
        Ymax; kon only with a given ``koff_per_min``), ``association_global`` (≥ 2
        concentrations: kon, koff, Bmax shared), ``association_dissociation`` (Prism's piecewise
        model at ``dissociation_start_min``; one radioligand concentration per curve) or
        ``competition`` (Motulsky–Mahan: the competitor's kon and koff; needs the radioligand's
        ``radioligand_kon_per_M_min`` and ``radioligand_koff_per_min``).
    koff_per_min, koff_se
        A separately measured koff (and its SE) for kon from one concentration,
        ``kon = (kobs − koff)/[L]``.
    equilibrium_kd_M
        Kd from saturation binding: the kinetic Kd is compared with it (``kd_ratio``); a ratio
        outside ``[1/kd_ratio_limit, kd_ratio_limit]`` flags ``kd_inconsistent``.
    ci_method
        ``wald`` (estimate ± t·SE) or ``profile`` (profile likelihood of the fitted rates; the
        half-life and residence time follow from koff's limits; Kd and a kon derived from a
        given koff keep delta-method Wald limits).
    weighting
        ``none``, ``1/y2`` (relative) or ``poisson`` (1/y).
    level
        Confidence level of the intervals.
    response_unit
        Unit of ``response`` (suffix of the amplitude columns, e.g. ``bmax_cpm``).

    Returns
    -------
    pandas.DataFrame
        One row per curve (per curve and concentration for ``association``): ``curve``,
        ``model``, ``conc_M`` (one-concentration models), ``concentrations_M``, the fixed
        constants (``radioligand_kon_per_M_min``, ``radioligand_koff_per_min`` for
        ``competition``; ``dissociation_start_min``), ``n_points``,
        ``n_times``, each estimate of the model with ``_se``, ``_ci_low``, ``_ci_high``,
        ``kd_ratio`` (kinetic / equilibrium Kd), ``rss``, ``df``, ``sy_x``, ``r_squared``,
        ``ci_method``, ``status`` (``ok``, ``not_identifiable``, ``too_few_points``, ``failed``),
        ``flags`` (``;``-joined: ``plateau_not_reached``, ``kon_not_identifiable``,
        ``kon_from_given_koff``, ``kd_inconsistent``, ``few_time_points``) and ``message``.
    """
    _check_choice("model", model, KineticsModel)
    _check_choice("ci_method", ci_method, CIMethod)
    _check_choice("weighting", weighting, Weighting)
    if model == "competition" and (
        radioligand_kon_per_M_min is None or radioligand_koff_per_min is None
    ):
        raise SchemaError(
            "the competition (Motulsky–Mahan) model needs the radioligand's own rates: "
            "radioligand_kon_per_M_min (K1) and radioligand_koff_per_min (K2)"
        )
    df = _prepare(data, model, dissociation_start_min)
    groups = _groups(df, model)
    mdl = _MODELS[model]
    x, y, mask = _pad(groups, model, dissociation_start_min)
    fixed: dict[str, float] = {}
    if model == "competition":
        fixed = {"k1": float(radioligand_kon_per_M_min) / NM, "k2": float(radioligand_koff_per_min)}  # type: ignore[arg-type]
    n_free = mdl.n_params - len(fixed)
    t_only = x if x.ndim == 2 else x[..., 0]
    n_times = np.array([len(np.unique(t_only[c][mask[c]])) for c in range(len(groups))])
    fit_ok = n_times >= n_free + 1
    w = None if weighting == "none" else weighting
    res: FitResult | None = None
    if fit_ok.any():
        res = least_squares(mdl, x[fit_ok], y[fit_ok], mask[fit_ok], fixed=fixed or None, weights=w)
    prof: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if res is not None and ci_method == "profile":
        names = [p for p in mdl.param_names if p not in fixed]
        for name in names:
            prof[name] = profile_ci(
                mdl,
                x[fit_ok],
                y[fit_ok],
                mask[fit_ok],
                res,
                name,
                fixed=fixed or None,
                weights=w,
                level=level,
            )
    rows = []
    j = 0
    for c, ((curve, conc), g) in enumerate(groups):
        row: dict[str, Any] = {"curve": curve, "model": model}
        row["conc_M"] = (
            conc
            if model == "association"
            else (float(g["conc_M"].iloc[0]) if g["conc_M"].nunique() == 1 else math.nan)
        )
        row["concentrations_M"] = ";".join(f"{v:.4g}" for v in sorted(g["conc_M"].unique()))
        if model == "competition":
            row["radioligand_kon_per_M_min"] = float(radioligand_kon_per_M_min)  # type: ignore[arg-type]
            row["radioligand_koff_per_min"] = float(radioligand_koff_per_min)  # type: ignore[arg-type]
        if model == "association_dissociation":
            row["dissociation_start_min"] = float(dissociation_start_min)  # type: ignore[arg-type]
        row["n_points"] = int(mask[c].sum())
        row["n_times"] = int(n_times[c])
        ctx = _Context(
            model=model,
            level=level,
            fixed=fixed,
            n_free=n_free,
            koff=koff_per_min,
            koff_se=koff_se,
            kd_eq=equilibrium_kd_M,
            kd_limit=kd_ratio_limit,
            unit=response_unit,
            ci_method=ci_method,
            conc_M_row=conc,
        )
        if not fit_ok[c]:
            row.update(_empty(ctx))
            row["status"] = "too_few_points"
            row["flags"] = "few_time_points"
            row["message"] = (
                f"{n_times[c]} distinct time(s); the {model} model has {n_free} free parameters "
                f"and needs at least {n_free + 1}"
            )
        else:
            assert res is not None
            pr = {k: (v[0][j], v[1][j]) for k, v in prof.items()}
            row.update(_row_from_fit(res, j, ctx, pr, t_only[c][mask[c]], x[c][mask[c]]))
            j += 1
        rows.append(row)
    return pd.DataFrame(rows)


class _Context:
    def __init__(self, **kw: Any) -> None:
        self.__dict__.update(kw)

    model: str
    level: float
    fixed: dict[str, float]
    n_free: int
    koff: float | None
    koff_se: float | None
    kd_eq: float | None
    kd_limit: float
    unit: str
    ci_method: str
    conc_M_row: float


def _empty(ctx: _Context) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _estimates(ctx.unit)[ctx.model]:
        for suf in ("", "_se", "_ci_low", "_ci_high"):
            out[name + suf] = math.nan
    out.update(kd_ratio=math.nan, rss=math.nan, df=0, sy_x=math.nan, r_squared=math.nan)
    out["ci_method"] = ctx.ci_method
    return out


def _put(out: dict[str, Any], name: str, est: float, se: float, lo: float, hi: float) -> None:
    out[name], out[name + "_se"], out[name + "_ci_low"], out[name + "_ci_high"] = est, se, lo, hi


def _row_from_fit(
    res: FitResult,
    j: int,
    ctx: _Context,
    prof: dict[str, tuple[float, float]],
    t: np.ndarray,
    xj: np.ndarray,
) -> dict[str, Any]:
    out = _empty(ctx)
    mdl = res.model
    df = int(res.df[j])
    p = {n: float(res.params[j, k]) for k, n in enumerate(mdl.param_names)}
    se = {n: float(res.se[j, k]) for k, n in enumerate(mdl.param_names)}
    cov = res.cov[j]

    def ci(name: str, scale: float = 1.0) -> tuple[float, float]:
        if name in prof:
            lo, hi = prof[name]
            return float(lo) * scale, float(hi) * scale
        w_lo, w_hi = wald_ci(p[name] * scale, se[name] * abs(scale), df, ctx.level)
        return float(w_lo), float(w_hi)

    def put_fitted(col: str, name: str, scale: float = 1.0) -> None:
        lo, hi = ci(name, scale)
        _put(out, col, p[name] * scale, se[name] * abs(scale), lo, hi)

    def put_koff_derived(koff_name: str, residence: bool = True) -> None:
        k, s = p[koff_name], se[koff_name]
        lo, hi = ci(koff_name)
        derived = (("t_half_min", LN2), ("residence_time_min", 1.0))
        for col, const in derived if residence else derived[:1]:
            est = const / k if k != 0 else math.inf
            with np.errstate(all="ignore"):
                se_d = const * s / k**2 if k != 0 else math.nan
                # monotone in koff: the limits of koff map to the limits of t½ and 1/koff
                lim = sorted(const / v if v > 0 else math.inf for v in (lo, hi))
            _put(out, col, est, se_d, lim[0], lim[1])

    def put_kd(kon_name: str, koff_name: str) -> None:
        kon, koff = p[kon_name], p[koff_name]
        i, k = mdl.index(kon_name), mdl.index(koff_name)
        kd = koff / kon / NM
        # delta method: d(koff/kon) = (dkoff/kon − koff·dkon/kon²)
        g = np.zeros(mdl.n_params)
        g[i], g[k] = -koff / kon**2, 1.0 / kon
        with np.errstate(all="ignore"):
            var = float(g @ np.nan_to_num(cov, nan=np.inf) @ g) / NM**2
        s = math.sqrt(var) if var >= 0 and math.isfinite(var) else math.nan
        lo, hi = wald_ci(kd, s, df, ctx.level)
        _put(out, "kd_M", kd, s, float(lo), float(hi))

    u = ctx.unit
    flags: list[str] = []
    notes: list[str] = []
    m = ctx.model
    tmax = float(t.max()) if t.size else math.nan
    if m == "dissociation":
        put_fitted(f"y0_{u}", "y0")
        put_fitted(f"ns_{u}", "ns")
        put_fitted("koff_per_min", "koff")
        put_koff_derived("koff")
        if p["koff"] * (tmax - float(t.min())) < PLATEAU_RATE_TIMES:
            flags.append("plateau_not_reached")
            notes.append(
                f"dissociation followed for {tmax - float(t.min()):.3g} min = "
                f"{p['koff'] * (tmax - float(t.min())):.2g}/koff (< {PLATEAU_RATE_TIMES:g}/koff): "
                "NS and koff are correlated"
            )
    elif m == "association":
        put_fitted(f"ymax_{u}", "ymax")
        put_fitted("kobs_per_min", "kobs")
        put_koff_derived("kobs", residence=False)  # association half-time ln 2 / kobs
        if p["kobs"] * tmax < PLATEAU_RATE_TIMES:
            flags.append("plateau_not_reached")
            notes.append(
                f"last time {tmax:.3g} min = {p['kobs'] * tmax:.2g}/kobs (< {PLATEAU_RATE_TIMES:g}/kobs): "
                "the plateau Ymax is extrapolated"
            )
    elif m in ("association_global", "association_dissociation", "competition"):
        kon_name, koff_name = ("k3", "k4") if m == "competition" else ("kon", "koff")
        put_fitted("kon_per_M_min", kon_name, NM)
        put_fitted("koff_per_min", koff_name)
        put_kd(kon_name, koff_name)
        put_fitted(f"bmax_{u}", "bmax")
        if m == "association_dissociation":
            put_fitted(f"ns_{u}", "ns")
        put_koff_derived(koff_name)
        if m == "association_global":
            lmin = float(xj[:, 1].min())
            kmin = p["kon"] * lmin + p["koff"]
            if kmin * tmax < PLATEAU_RATE_TIMES:
                flags.append("plateau_not_reached")
                notes.append(
                    f"at the lowest concentration ({lmin:.3g} nM) the last time {tmax:.3g} min is "
                    f"{kmin * tmax:.2g}/kobs (< {PLATEAU_RATE_TIMES:g}/kobs)"
                )
        elif m == "association_dissociation":
            t0 = float(xj[0, 2])
            kob = p["kon"] * float(xj[0, 1]) + p["koff"]
            if kob * t0 < PLATEAU_RATE_TIMES:
                flags.append("plateau_not_reached")
                notes.append(
                    f"association stopped at Time0 = {t0:.3g} min = {kob * t0:.2g}/kobs "
                    f"(< {PLATEAU_RATE_TIMES:g}/kobs)"
                )
            if p["koff"] * (tmax - t0) < PLATEAU_RATE_TIMES:
                flags.append("plateau_not_reached")
                notes.append(
                    f"dissociation followed for {tmax - t0:.3g} min = {p['koff'] * (tmax - t0):.2g}/koff"
                )
        else:
            ka = p["k1"] * float(np.median(xj[:, 1])) + p["k2"]
            kb = p["k3"] * float(np.median(xj[:, 2])) + p["k4"]
            s = math.sqrt(
                max(
                    (ka - kb) ** 2
                    + 4
                    * p["k1"]
                    * p["k3"]
                    * float(np.median(xj[:, 1]))
                    * float(np.median(xj[:, 2])),
                    0.0,
                )
            )
            ks = 0.5 * (ka + kb - s)
            if ks * tmax < PLATEAU_RATE_TIMES:
                flags.append("plateau_not_reached")
                notes.append(
                    f"the slow phase (KS = {ks:.3g}/min) is {ks * tmax:.2g}/KS at the last time "
                    f"{tmax:.3g} min: equilibrium not reached, the competitor's koff is poorly defined"
                )
    # fit quality and identifiability
    status = "ok"
    key = {"dissociation": ["koff"], "association": ["kobs"], "competition": ["k3", "k4"]}.get(
        m, ["kon", "koff"]
    )
    if not bool(res.converged[j]):
        status = "failed"
        notes.insert(0, "the fit did not converge")
    elif not bool(res.identifiable[j]) or not all(np.isfinite(se[k]) for k in key):
        status = "not_identifiable"
        notes.insert(0, "the data do not define every parameter (singular covariance)")
    elif any(p[k] <= 0 for k in key):
        status = "not_identifiable"
        notes.insert(0, "a fitted rate constant is ≤ 0 (not physical)")
    if status != "ok":
        for name in _estimates(u)[m]:
            if name.startswith(("kon", "koff", "kd", "kobs", "t_half", "residence")):
                _put(out, name, math.nan, math.nan, math.nan, math.nan)
    # kon from one concentration
    if m == "association":
        flags_kon = _kon_one_conc(out, p, se, df, ctx, status)
        flags += flags_kon[0]
        notes += flags_kon[1]
    # kinetic vs equilibrium Kd
    if ctx.kd_eq is not None and np.isfinite(out.get("kd_M", math.nan)):
        ratio = out["kd_M"] / float(ctx.kd_eq)
        out["kd_ratio"] = ratio
        if not (1.0 / ctx.kd_limit <= ratio <= ctx.kd_limit):
            flags.append("kd_inconsistent")
            notes.append(
                f"kinetic Kd {out['kd_M']:.3g} M is {ratio:.3g} × the equilibrium Kd "
                f"{float(ctx.kd_eq):.3g} M (outside 1/{ctx.kd_limit:g}–{ctx.kd_limit:g})"
            )
    n_t = len(np.unique(t))
    if n_t < ctx.n_free + 3:
        flags.append("few_time_points")
        notes.append(f"only {n_t} distinct times for {ctx.n_free} parameters")
    rss = float(res.rss[j])
    out.update(
        rss=rss,
        df=df,
        sy_x=math.sqrt(rss / df) if df > 0 else math.nan,
        r_squared=float(res.r_squared[j]),
        status=status,
        flags=";".join(dict.fromkeys(flags)),
        message="; ".join(notes),
    )
    return out


def _kon_one_conc(
    out: dict[str, Any],
    p: dict[str, float],
    se: dict[str, float],
    df: int,
    ctx: _Context,
    status: str,
) -> tuple[list[str], list[str]]:
    """kon from one concentration: only with a given koff, ``kon = (kobs − koff)/[L]``."""
    conc_M = float(ctx.conc_M_row)
    if ctx.koff is None:
        return ["kon_not_identifiable"], [
            "kon is not identifiable from one radioligand concentration: fit ≥ 2 concentrations "
            "globally (association_global) or give a measured koff (kon = (kobs − koff)/[L])"
        ]
    if status != "ok" or not np.isfinite(conc_M):
        return ["kon_from_given_koff"], []
    kon = (p["kobs"] - float(ctx.koff)) / conc_M
    s_koff = float(ctx.koff_se) if ctx.koff_se is not None else 0.0
    s = math.sqrt(se["kobs"] ** 2 + s_koff**2) / conc_M
    lo, hi = wald_ci(kon, s, df, ctx.level)
    _put(out, "kon_per_M_min", kon, s, float(lo), float(hi))
    extra = "" if ctx.koff_se is not None else " (its SE not given: treated as exact)"
    return ["kon_from_given_koff"], [
        f"kon = (kobs − koff)/[L] with the given koff {float(ctx.koff):.3g}/min{extra}"
    ]
