"""Fit concentration–response (competition) curves: one tidy row per curve, with an honest verdict.

All curves are fitted at once by the batched engine in :mod:`assaykit.fitting`; this module
turns a tidy table into padded arrays, checks the options, and judges every fit (see
:func:`fit_curves`, Notes).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Literal, cast

import numpy as np
import pandas as pd

from assaykit import units as _units
from assaykit.binding import _verdicts
from assaykit.binding._points import summaries as _summaries
from assaykit.binding.curves import FOUR_PL, PARAMS, canonical_four_pl
from assaykit.errors import FitError
from assaykit.fitting import FitResult, least_squares, weights_from
from assaykit.fitting.blocks import block_slices
from assaykit.fitting.data import pad_groups
from assaykit.fitting.profile import profile_ci
from assaykit.fitting.robust import rout
from assaykit.fitting.stats import wald_ci
from assaykit.schema import require_columns

__all__ = ["CONC_UNITS", "RESULT_COLUMNS", "fit_curves"]

#: Concentration units understood by ``conc_unit`` (factor to M), from the one units module.
CONC_UNITS: dict[str, float] = {
    **{u: 1.0 / f for u, f in _units.PER_MOLAR.items()},
    "uM": 1e-6,
}

#: Result columns after the ``by`` column(s), in order.
RESULT_COLUMNS: tuple[str, ...] = (
    "top",
    "bottom",
    "hill",
    "log_ic50",
    "ic50",
    "top_se",
    "bottom_se",
    "hill_se",
    "log_ic50_se",
    "log_ic50_ci_low",
    "log_ic50_ci_high",
    "ic50_ci_low",
    "ic50_ci_high",
    "rss",
    "df",
    "n",
    "r_squared",
    "x_min",
    "x_max",
    "status",
    "flags",
    "message",
    "n_outliers",
    "ci_method",
)

#: Convergence tolerances of the batched fit (step, gradient, relative RSS reduction): estimates
#: to ~1e-8 relative, far inside the 1e-4 agreement with R, for ~25 % fewer iterations.
FIT_TOLERANCES: dict[str, Any] = {"xtol": 1e-8, "gtol": 1e-8, "ftol": 1e-12}

_MODELS: dict[str, dict[str, float]] = {"4pl": {}, "one_site": {"hill": -1.0}}
_WEIGHTINGS = (None, "none", "1/y2", "poisson")


def _options(
    model: str,
    fix: Mapping[str, float] | None,
    bounds: Mapping[str, tuple[float, float]] | None,
    weighting: str | None,
    ci: str,
    conc_unit: str | float,
    level: float,
    alpha: float,
    hill_range: tuple[float, float],
) -> tuple[dict[str, float], dict[str, tuple[float, float]], float]:
    """Check the options; return fixed values, bounds and the unit factor (FitError otherwise)."""
    if model not in _MODELS:
        raise FitError(f"unknown model {model!r}; use one of {', '.join(map(repr, _MODELS))}")
    fixed = dict(_MODELS[model])
    for name, value in (fix or {}).items():
        if name not in PARAMS:
            raise FitError(f"cannot fix {name!r}: the 4PL parameters are {', '.join(PARAMS)}")
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise FitError(f"fix[{name!r}] must be a number, got {value!r}") from None
        if not np.isfinite(v):
            raise FitError(f"fix[{name!r}] must be finite, got {value!r}")
        if name in _MODELS[model] and v != _MODELS[model][name]:
            raise FitError(
                f"model {model!r} fixes {name} = {_MODELS[model][name]}; use model='4pl'"
            )
        fixed[name] = v
    if len(fixed) == len(PARAMS):
        raise FitError("every parameter is fixed: nothing left to fit")
    if "top" in fixed and "bottom" in fixed and fixed["top"] == fixed["bottom"]:
        raise FitError("fixed top equals fixed bottom: the curve would be a horizontal line")
    bnds: dict[str, tuple[float, float]] = {}
    for name, pair in (bounds or {}).items():
        if name not in PARAMS:
            raise FitError(f"cannot bound {name!r}: the 4PL parameters are {', '.join(PARAMS)}")
        if name in fixed:
            raise FitError(f"{name!r} is both fixed and bounded; choose one")
        try:
            lo, hi = (float(v) for v in pair)
        except (TypeError, ValueError):
            raise FitError(f"bounds[{name!r}] must be a (low, high) pair, got {pair!r}") from None
        if not lo < hi or np.isnan(lo) or np.isnan(hi):
            raise FitError(f"bounds[{name!r}] needs low < high, got ({lo}, {hi})")
        bnds[name] = (lo, hi)
    if weighting not in _WEIGHTINGS:
        raise FitError(f"unknown weighting {weighting!r}; use None, '1/y2' or 'poisson'")
    if ci not in ("wald", "profile"):
        raise FitError(f"unknown ci {ci!r}; use 'wald' or 'profile'")
    if isinstance(conc_unit, str):
        try:
            unit = _units.canonical_unit(conc_unit)
        except _units.UnitError:
            unit = ""
        if unit not in CONC_UNITS:
            raise FitError(f"unknown conc_unit {conc_unit!r}; use one of {', '.join(CONC_UNITS)}")
        factor = CONC_UNITS[unit]
    else:
        factor = float(conc_unit)
        if not (np.isfinite(factor) and factor > 0):
            raise FitError(f"conc_unit as a factor to M must be positive, got {conc_unit!r}")
    if not 0 < level < 1:
        raise FitError(f"level must be between 0 and 1, got {level!r}")
    if not 0 < alpha < 1:
        raise FitError(f"alpha must be between 0 and 1, got {alpha!r}")
    if not (len(hill_range) == 2 and 0 < hill_range[0] < hill_range[1]):
        raise FitError(f"hill_range needs 0 < low < high, got {hill_range!r}")
    return fixed, bnds, factor


def _take(spec: Mapping[str, Any], sel: np.ndarray) -> dict[str, Any]:
    """Per-curve entries of a {name: scalar or array} spec restricted to rows ``sel``."""
    return {
        k: (v[sel] if isinstance(v, np.ndarray) and v.ndim == 1 else v) for k, v in spec.items()
    }


def _subset(fit: FitResult, sel: np.ndarray) -> FitResult:
    """The rows ``sel`` of a batched fit result."""
    fields = {f.name: getattr(fit, f.name) for f in dataclasses.fields(fit)}
    return FitResult(**{k: (v if k == "model" else v[sel]) for k, v in fields.items()})


def _fit_block(
    conc: np.ndarray,
    resp: np.ndarray,
    n_rows: np.ndarray,
    *,
    model: str,
    fixed: dict[str, float],
    bnds: dict[str, tuple[float, float]],
    factor: float,
    weighting: str | None,
    ci: str,
    level: float,
    alpha: float,
    hill_range: tuple[float, float],
    outlier_q: float,
    weight_by: str = "data",
    outliers: str | None = "flag",
) -> dict[str, object]:
    """Fit and judge one block of padded curves; the result columns (after ``by``)."""
    nc, width = conc.shape
    with np.errstate(all="ignore"):
        xlog = np.where(conc > 0, np.log10(conc * factor), np.nan)
    # weights by the fitted curve: every finite response is usable (its weight comes later)
    by_fit = weight_by == "fit" and weighting in ("1/y2", "poisson")
    w = weights_from(resp, None if by_fit else weighting)
    sm = _summaries(conc, resp, xlog, w, n_rows)
    valid, n, scale, distinct, yr = sm.valid, sm.n, sm.scale, sm.distinct, sm.yr
    # scale responses to O(1) per curve (counts of 1e12 are fitted like counts of 1e3)
    ys = resp / scale[:, None]
    n_free = len(PARAMS) - len(fixed)
    insufficient = (n < n_free + 1) | (distinct < 3)
    constant = ~insufficient & (yr <= 1e-12)
    todo = np.flatnonzero(~insufficient & ~constant)

    fix_spec = {k: (v / scale[todo] if k in ("top", "bottom") else v) for k, v in fixed.items()}
    lower = {k: (lo / scale[todo] if k in ("top", "bottom") else lo) for k, (lo, _) in bnds.items()}
    upper = {k: (hi / scale[todo] if k in ("top", "bottom") else hi) for k, (_, hi) in bnds.items()}
    every = todo.size == nc  # the usual case: no copies of the data

    def rows(a: np.ndarray) -> np.ndarray:
        return a if every else a[todo]

    wt = rows(np.where(valid, w, np.nan))
    fit = least_squares(
        FOUR_PL,
        rows(xlog),
        rows(ys),
        rows(valid),
        fixed=fix_spec,
        lower=lower,
        upper=upper,
        # unit weights: the mask says it; by the fit: the engine reweights from the curve
        weights=None if weighting in (None, "none") else (weighting if by_fit else wt),
        weight_by="fit" if by_fit else "data",
        **FIT_TOLERANCES,
    )
    if by_fit:
        # the engine's weights are those of the scaled curve, w = scale^a / F^a (a = 2 for
        # 1/y2, 1 for poisson): back to the original scale for the verdicts and the profile
        power = 2.0 if weighting == "1/y2" else 1.0
        w_fit = np.full((nc, width), np.nan)
        f_scaled = FOUR_PL.func(np.where(np.isfinite(xlog[todo]), xlog[todo], 0.0), fit.params)
        w_fit[todo] = weights_from(f_scaled, weighting)
        wt = np.where(rows(valid), w_fit[todo], np.nan)
        w = np.where(np.isfinite(w_fit), w_fit / scale[:, None] ** power, 0.0)
    excluded = np.zeros((nc, width), dtype=bool)
    if outliers == "rout" and todo.size:
        # ROUT: robust (Lorentzian) fit, FDR test of its residuals, least squares without them
        unweighted = weighting in (None, "none")
        found, _ = rout(
            FOUR_PL,
            rows(xlog),
            rows(ys),
            rows(valid),
            q=outlier_q,
            weights=None if unweighted else np.where(np.isfinite(wt), wt, 0.0),
            p0=fit.params,
            fixed=fix_spec,
            lower=lower,
            upper=upper,
            **FIT_TOLERANCES,
        )
        excluded[todo] = found
        redo = np.flatnonzero(found.any(axis=1))
        if redo.size:
            rt = todo[redo]
            refit = least_squares(
                FOUR_PL,
                xlog[rt],
                ys[rt],
                valid[rt] & ~excluded[rt],
                fixed=_take(fix_spec, redo),
                lower=_take(lower, redo),
                upper=_take(upper, redo),
                weights=None if unweighted else (weighting if by_fit else wt[redo]),
                weight_by="fit" if by_fit else "data",
                **FIT_TOLERANCES,
            )
            fit = fit.replace_rows(redo, refit)
            valid = valid & ~excluded
            n = valid.sum(axis=1)
            if by_fit:  # the refitted curves' weights
                f_re = FOUR_PL.func(np.where(np.isfinite(xlog[rt]), xlog[rt], 0.0), refit.params)
                w_re = weights_from(f_re, weighting)
                wt = np.array(wt, copy=True)
                wt[redo] = np.where(valid[rt], w_re, np.nan)
                w[rt] = np.where(np.isfinite(w_re), w_re / scale[rt, None] ** power, 0.0)
            else:
                wt = np.where(rows(valid), wt, np.nan)
    params = np.full((nc, 4), np.nan)
    cov = np.full((nc, 4, 4), np.nan)
    rss = np.full(nc, np.nan)
    free = np.ones((nc, 4), dtype=bool)
    for k in fixed:
        free[:, PARAMS.index(k)] = False
    p_c, cov_c = canonical_four_pl(fit.params, fit.cov)
    sc = np.ones((todo.size, 4))
    sc[:, :2] = scale[todo][:, None]
    params[todo] = p_c * sc
    cov[todo] = cov_c * sc[:, :, None] * sc[:, None, :]
    rss[todo] = fit.rss * scale[todo] ** (2.0 - (power if by_fit else 0.0))
    se = np.sqrt(np.einsum("bii->bi", cov))
    se = np.where(free, se, np.nan)
    at_bound = np.zeros((nc, 4), dtype=bool)
    at_bound[todo] = fit.at_bound
    se = np.where(at_bound, np.nan, se)
    # a parameter at a bound counts as fixed there (GraphPad's convention): df one larger
    df = np.where(insufficient, np.maximum(n - n_free, 0), n - n_free + at_bound.sum(axis=1))
    r2 = np.full(nc, np.nan)
    r2[todo] = fit.r_squared

    xmin, xmax = sm.xmin, sm.xmax

    ctx = _verdicts.Context(
        n_curves=nc,
        todo=todo,
        params=params,
        se=se,
        rss=rss,
        df=df,
        n=n,
        free=free,
        at_bound=at_bound,
        converged=fit.converged,
        identifiable=fit.identifiable,
        x=xlog,
        y=resp,
        w=np.where(valid, w, 0.0),
        valid=valid,
        xmin=xmin,
        xmax=xmax,
        fixed=fixed,
        insufficient=insufficient,
        constant=constant,
        distinct=distinct,
        n_free=n_free,
        n_nonpositive=sm.n_nonpositive,
        n_missing=sm.n_missing,
        n_bad_weight=sm.n_bad_weight,
        alpha=alpha,
        hill_range=hill_range,
        outlier_q=outlier_q,
        model=model,
        outliers=outliers,
        excluded=excluded if outliers == "rout" else None,
    )
    status, flags, message, defined, n_outliers = _verdicts.judge(ctx)

    log_ic50 = np.where(defined, params[:, 2], np.nan)
    log_se = np.where(defined, se[:, 2], np.nan)
    if ci == "profile":
        # profile only the curves that define an IC50 (rows of `todo` with `defined`)
        sel = np.flatnonzero(defined[todo])
        lo_ci = np.full(nc, np.nan)
        hi_ci = np.full(nc, np.nan)
        if sel.size:
            sub = _subset(fit, sel)
            lo_ci[todo[sel]], hi_ci[todo[sel]] = profile_ci(
                FOUR_PL,
                xlog[todo[sel]],
                ys[todo[sel]],
                valid[todo[sel]],
                sub,
                "log_ic50",
                fixed=_take(fix_spec, sel),
                lower=_take(lower, sel),
                upper=_take(upper, sel),
                weights=wt[sel],
                level=level,
            )
    else:
        lo_ci, hi_ci = wald_ci(log_ic50, log_se, df, level)
    with np.errstate(over="ignore"):
        out = {
            "top": params[:, 0],
            "bottom": params[:, 1],
            "hill": params[:, 3],
            "log_ic50": log_ic50,
            "ic50": 10.0**log_ic50,
            "top_se": se[:, 0],
            "bottom_se": se[:, 1],
            "hill_se": se[:, 3],
            "log_ic50_se": log_se,
            "log_ic50_ci_low": lo_ci,
            "log_ic50_ci_high": hi_ci,
            "ic50_ci_low": 10.0**lo_ci,
            "ic50_ci_high": 10.0**hi_ci,
            "rss": rss,
            "df": df.astype(int),
            "n": n.astype(int),
            "r_squared": r2,
            "x_min": xmin,
            "x_max": xmax,
            "status": status,
            "flags": flags,
            "message": message,
            "n_outliers": n_outliers.astype(int),
            "ci_method": np.full(nc, ci, dtype=object),
            "_excluded": excluded,
        }
    return out


def fit_curves(
    data: pd.DataFrame,
    x: str = "conc",
    y: str = "response",
    by: str | Sequence[str] | None = "curve",
    *,
    model: Literal["4pl", "one_site", "fit-ki", "homologous", "depletion", "two-site"] = "4pl",
    fix: Mapping[str, float] | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    weighting: Literal["1/y2", "poisson"] | None = None,
    ci: Literal["wald", "profile"] = "wald",
    conc_unit: str | float = "M",
    level: float = 0.95,
    alpha: float = 0.05,
    hill_range: tuple[float, float] = (0.3, 5.0),
    outlier_q: float | None = None,
    weight_by: Literal["data", "fit"] = "data",
    outliers: Literal["rout", "flag"] | None = "flag",
    rout_q: float = 0.01,
    constants: Mapping[str, float | None] | None = None,
) -> pd.DataFrame:
    """Fit a 4PL (or one-site) competition curve to every curve of a tidy table, all at once.

    Parameters
    ----------
    data
        One row per point (replicates as separate rows).
    x
        Concentration column (in ``conc_unit``; rows with conc <= 0, e.g. TB/NSB controls,
        are left out of the log-scale fit and counted in ``flags``).
    y
        Response column (counts, CPM, % specific binding, ...).
    by
        Column(s) identifying a curve; ``None`` fits the whole table as one curve.
    model
        ``"4pl"`` (variable slope, all four parameters free) or ``"one_site"`` (hill = −1);
        Prism's further competition models ``"fit-ki"``, ``"homologous"``, ``"depletion"``
        and ``"two-site"`` are fitted by :func:`assaykit.binding.competition.fit_competition`
        (its columns; ``constants`` gives ``radioligand_M``, ``kd_M``, ``hot_cpm``, ...).
    fix
        Parameters held constant, e.g. ``{"top": 100, "bottom": 0}`` for % specific binding.
    bounds
        ``{name: (low, high)}`` constraints.
    weighting
        ``None`` (unweighted), ``"1/y2"`` (relative) or ``"poisson"`` (1/y).
    weight_by
        Where the relative weights' Y comes from: ``"data"`` (default: the observed response,
        as R ``nls`` with fixed weights and GraphPad Prism 4 — published numbers do not move)
        or ``"fit"`` (the fitted curve, as Prism 5 and later: iteratively reweighted until the
        weights settle; a response ≤ 0 is then usable wherever the curve is positive).
    ci
        ``"wald"`` (``logIC50 ± t·SE``) or ``"profile"`` (profile likelihood, F-based).
    conc_unit
        Unit of ``x`` (``"M"``, ``"mM"``, ``"uM"``, ``"nM"``, ``"pM"``) or a factor to M.
    level
        Confidence level of the intervals.
    alpha
        Significance level of the F test against a horizontal line (no inhibition).
    hill_range
        ``|hill|`` outside this range is flagged ``hill_implausible``.
    outlier_q
        Earlier name of ``rout_q`` (used when given).
    outliers
        ``"flag"`` (default, as before): ROUT's FDR test on the least-squares residuals, the
        points flagged (``outliers:<k>``) and kept in the fit; ``"rout"``: ROUT proper
        (Motulsky & Brown 2006, :func:`assaykit.fitting.robust.rout`) — a robust Lorentzian
        fit, its residuals tested with false discovery rate ``rout_q``, the outliers excluded
        (``outliers_excluded:<k>``) and the curve refitted by least squares without them;
        ``None``: no outlier test.
    rout_q
        ROUT's false discovery rate Q (default 1 %).
    constants
        The competition models' constants (keywords of
        :func:`~assaykit.binding.competition.fit_competition`: ``radioligand_M``, ``kd_M``,
        ``kd_low_M``, ``hot_cpm``, ``specific_activity_cpm_per_fmol``, ``volume_mL``).

    Returns
    -------
    pandas.DataFrame
        One row per curve: the ``by`` column(s), then ``top, bottom, hill, log_ic50, ic50``
        (IC50 in M, NaN unless the curve defines it), standard errors ``*_se``, the
        ``log_ic50_ci_low/high`` and ``ic50_ci_low/high`` limits, ``rss``, ``df``, ``n``
        (points fitted), ``r_squared``, ``x_min``/``x_max`` (log10 M tested range), ``status``
        (``ok``, ``no_inhibition``, ``extrapolated``, ``not_identifiable``, ``failed``,
        ``insufficient_data``), ``flags`` (``;``-joined) and ``message``; then
        ``n_outliers`` (points excluded by ROUT with ``outliers="rout"``, flagged with
        ``"flag"``, 0 with None) and ``ci_method`` (``wald`` or ``profile``: how the
        ``*_ci_*`` limits were computed). ``n`` and ``df`` count the points fitted, i.e.
        without excluded outliers. ``attrs["outliers"]`` lists the excluded points (the
        ``by`` column(s), ``x`` and ``y``; empty unless ``outliers="rout"``).

    Notes
    -----
    Model: ``Y = bottom + (top − bottom) / (1 + 10**((log_ic50 − x)·hill))``, x = log10 M,
    hill < 0 falling, reported with top ≥ bottom. Least squares by a batched
    Levenberg–Marquardt with a data-driven start plus a (logIC50 × hill) grid of starts;
    SEs from ``s²(JᵀWJ)⁻¹`` with ``s² = RSS/df`` (as R ``nls`` and GraphPad).

    Verdicts: ``insufficient_data`` (fewer than free parameters + 1 points or fewer than 3
    concentrations); ``no_inhibition`` (constant response, or the extra-sum-of-squares F test
    against a horizontal line gives p ≥ alpha); ``failed`` (no convergence);
    ``not_identifiable`` (singular covariance, logIC50 SE larger than the tested range, or a
    best fit that runs off to infinity); ``extrapolated`` (logIC50 outside the tested range:
    IC50 not reported; or a free plateau not reached within the tested range); ``ok``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from assaykit.binding.curves import four_pl
    >>> conc = np.repeat(10.0 ** np.arange(-11, -4.5, 0.5), 3)
    >>> noise = np.tile([-1.0, 0.0, 1.0], 13)
    >>> df = pd.DataFrame({"curve": "A", "conc": conc,
    ...                    "response": four_pl(np.log10(conc), 100, 0, -7.6, -1) + noise})
    >>> res = fit_curves(df)
    >>> res[["curve", "log_ic50", "hill", "status"]].round(3)
      curve  log_ic50  hill status
    0     A      -7.6  -1.0     ok
    >>> bool(res.loc[0, "ic50_ci_low"] < 10**-7.6 < res.loc[0, "ic50_ci_high"])
    True
    """
    if model in ("fit-ki", "homologous", "depletion", "two-site"):
        from assaykit.binding.competition import fit_competition
        from assaykit.units import CONC_UNITS, canonical_unit

        unit = canonical_unit(conc_unit) if isinstance(conc_unit, str) else None
        factor_m = 10.0 ** CONC_UNITS[unit] if unit is not None else float(conc_unit)
        points = data.assign(**{x: pd.to_numeric(data[x], errors="coerce") * factor_m})
        return fit_competition(
            points, model=model, x=x, y=y, by=by if by is not None else "curve", fix=fix,
            weighting=weighting or "none", ci=ci, level=level, alpha=alpha,
            **cast("dict[str, Any]", {k: v for k, v in (constants or {}).items() if v is not None}),
        )  # fmt: skip
    fixed, bnds, factor = _options(
        model, fix, bounds, weighting, ci, conc_unit, level, alpha, hill_range
    )
    if weight_by not in ("data", "fit"):
        raise FitError(f"unknown weight_by {weight_by!r}; use 'data' or 'fit'")
    if outliers not in ("rout", "flag", None):
        raise FitError(f"unknown outliers {outliers!r}; use 'rout', 'flag' or None")
    q = rout_q if outlier_q is None else outlier_q  # outlier_q: the earlier name
    if not 0 < q < 1:
        raise FitError(f"rout_q must be between 0 and 1, got {q!r}")
    if not isinstance(data, pd.DataFrame):
        raise FitError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    by_cols = [] if by is None else [by] if isinstance(by, str) else list(by)
    require_columns(data, [x, y, *by_cols], stage="binding fit")
    if len(data) == 0:
        raise FitError("no rows to fit: the table is empty")
    keys, (conc, resp) = pad_groups(data, [x, y], by_cols)
    n_rows = keys["_n_rows"].to_numpy()
    # blocks of curves: the (curves × points) work arrays stay small (cache, memory reuse)
    parts = [
        _fit_block(
            conc[sl],
            resp[sl],
            n_rows[sl],
            model=model,
            fixed=fixed,
            bnds=bnds,
            factor=factor,
            weighting=weighting,
            ci=ci,
            level=level,
            alpha=alpha,
            hill_range=hill_range,
            outlier_q=q,
            weight_by=weight_by,
            outliers=outliers,
        )
        for sl in block_slices(len(n_rows))
    ]
    out = {
        k: (
            [v for part in parts for v in part[k]]  # type: ignore[attr-defined]
            if isinstance(parts[0][k], list)
            else np.concatenate([part[k] for part in parts])
        )
        for k in parts[0]
    }
    excluded = np.asarray(out.pop("_excluded"), dtype=bool)
    result = pd.concat([keys.drop(columns="_n_rows"), pd.DataFrame(out, index=keys.index)], axis=1)
    if excluded.any():  # the points ROUT excluded: their curve's key(s), x and y
        ci_, cj_ = np.nonzero(excluded)
        points = keys.drop(columns="_n_rows").iloc[ci_].reset_index(drop=True)
        points[x] = conc[ci_, cj_]
        points[y] = resp[ci_, cj_]
    else:
        points = pd.DataFrame({c: [] for c in (*by_cols, x, y)})
    result.attrs["outliers"] = points
    result.attrs["fit"] = {
        "model": model,
        "fixed": dict(fixed),
        "bounds": {k: list(v) for k, v in bnds.items()},
        "weighting": weighting,
        "weight_by": weight_by,
        "outliers": outliers,
        "rout_q": q,
        "ci": ci,
        "level": level,
        "conc_unit": conc_unit,
        "x": "log10(conc / M)",
    }
    return result
