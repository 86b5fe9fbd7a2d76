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
    kd_parameterized,
)
from assaykit.binding.kinetics_verdicts import NM, Context, empty_row, row_from_fit
from assaykit.errors import SchemaError
from assaykit.fitting import FitResult, Model, least_squares
from assaykit.fitting.profile import profile_ci
from assaykit.schema import require_columns

__all__ = ["CIMethod", "KineticsModel", "Weighting", "fit_kinetics"]

KineticsModel = Literal[
    "dissociation", "association", "association_global", "association_dissociation", "competition"
]
CIMethod = Literal["wald", "profile"]
Weighting = Literal["none", "counting", "1/y2", "poisson"]


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


#: Association and dissociation rate parameters of the models that define a kinetic Kd.
_KD_RATES = {
    "association_global": ("kon", "koff"),
    "association_dissociation": ("kon", "koff"),
    "competition": ("k3", "k4"),
}


def _kd_profile(
    mdl: Model,
    rates: tuple[str, str],
    x: np.ndarray,
    y: np.ndarray,
    mask: np.ndarray,
    res: FitResult,
    fixed: dict[str, float],
    weights: str | np.ndarray | None,
    level: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Profile-likelihood limits of Kd (nM): the model refitted with Kd as a parameter."""
    kon, koff = rates
    kdm = kd_parameterized(mdl, kon, koff)
    i, k = mdl.index(kon), mdl.index(koff)
    p0 = res.params.copy()
    with np.errstate(all="ignore"):
        p0[:, i] = res.params[:, k] / res.params[:, i]
    fit = least_squares(kdm, x, y, mask, p0=p0, fixed=fixed or None, weights=weights)
    return profile_ci(kdm, x, y, mask, fit, "kd", fixed=fixed or None, weights=weights, level=level)


def _counting_weights(
    groups: list[tuple[tuple[str, float], pd.DataFrame]], shape: tuple[int, ...]
) -> np.ndarray:
    """``1/response_sd²`` per point (padding gets 1: it is masked anyway)."""
    w = np.ones(shape)
    for c, (_, g) in enumerate(groups):
        if "response_sd" not in g.columns:
            raise SchemaError(
                "weighting='counting' needs a 'response_sd' column (kinetics_responses gives it)"
            )
        sd = pd.to_numeric(g["response_sd"], errors="coerce").to_numpy(float)
        bad = ~(np.isfinite(sd) & (sd > 0))
        if bad.any():
            rows = ", ".join(str(i) for i in g.index[bad][:5])
            raise SchemaError(
                f"response_sd must be a number > 0 for counting weights (rows {rows})"
            )
        w[c, : len(g)] = 1.0 / sd**2
    return w


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
        ``wald`` (estimate ± t·SE) or ``profile`` (profile likelihood of the fitted rates and of
        Kd itself, refitted with Kd as a parameter; the half-life and residence time follow
        from koff's limits; a kon derived from a given koff keeps delta-method Wald limits).
    weighting
        ``none``; ``counting``: ``1/response_sd²``, the Poisson variance of each decay-corrected
        point (:func:`~assaykit.binding.kinetics_counting.kinetics_responses` gives
        ``response_sd``; right for short-lived nuclides, where late counts are noisier);
        ``1/y2`` (relative) or ``poisson`` (1/y).
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
    w: str | np.ndarray | None = None if weighting == "none" else weighting
    if weighting == "counting":
        w = _counting_weights(groups, y.shape)
    fixed: dict[str, float] = {}
    if model == "competition":
        fixed = {"k1": float(radioligand_kon_per_M_min) / NM, "k2": float(radioligand_koff_per_min)}  # type: ignore[arg-type]
    n_free = mdl.n_params - len(fixed)
    t_only = x if x.ndim == 2 else x[..., 0]
    n_times = np.array([len(np.unique(t_only[c][mask[c]])) for c in range(len(groups))])
    fit_ok = n_times >= n_free + 1
    wk = w[fit_ok] if isinstance(w, np.ndarray) else w
    res: FitResult | None = None
    if fit_ok.any():
        res = least_squares(
            mdl, x[fit_ok], y[fit_ok], mask[fit_ok], fixed=fixed or None, weights=wk
        )
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
                weights=wk,
                level=level,
            )
        if model in _KD_RATES:
            prof["kd"] = _kd_profile(
                mdl, _KD_RATES[model], x[fit_ok], y[fit_ok], mask[fit_ok], res, fixed, wk, level
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
        ctx = Context(
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
            row.update(empty_row(ctx))
            row["status"] = "too_few_points"
            row["flags"] = "few_time_points"
            row["message"] = (
                f"{n_times[c]} distinct time(s); the {model} model has {n_free} free parameters "
                f"and needs at least {n_free + 1}"
            )
        else:
            assert res is not None
            pr = {k: (v[0][j], v[1][j]) for k, v in prof.items()}
            row.update(row_from_fit(res, j, ctx, pr, t_only[c][mask[c]], x[c][mask[c]]))
            j += 1
        rows.append(row)
    return pd.DataFrame(rows)
