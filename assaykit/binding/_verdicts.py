"""Judge batched 4PL fits: a status, ``;``-joined flags and a message per curve.

Private helper of :func:`assaykit.binding.fit.fit_curves` (the rules are documented there).
Every test is vectorised; only the final joining of strings loops over curves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from assaykit.binding.curves import _fraction, four_pl, residuals_kernel
from assaykit.fitting.stats import f_test, rout_outliers

#: A free plateau counts as reached when the fitted curve covers this fraction of the span
#: at the corresponding end of the tested range.
PLATEAU_FRACTION = 0.8


@dataclass
class Context:
    """Everything the verdict needs, as arrays with one row per curve."""

    n_curves: int
    todo: NDArray[np.int_]
    params: NDArray[np.float64]
    se: NDArray[np.float64]
    rss: NDArray[np.float64]
    df: NDArray[np.int_]
    n: NDArray[np.int_]
    free: NDArray[np.bool_]
    at_bound: NDArray[np.bool_]
    converged: NDArray[np.bool_]
    identifiable: NDArray[np.bool_]
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    w: NDArray[np.float64]
    valid: NDArray[np.bool_]
    xmin: NDArray[np.float64]
    xmax: NDArray[np.float64]
    fixed: dict[str, float]
    insufficient: NDArray[np.bool_]
    constant: NDArray[np.bool_]
    distinct: NDArray[np.int_]
    n_free: int
    n_nonpositive: NDArray[np.int_]
    n_missing: NDArray[np.int_]
    n_bad_weight: NDArray[np.int_]
    alpha: float
    hill_range: tuple[float, float]
    outlier_q: float
    model: str
    #: "flag": screen the least-squares residuals (flags only); "rout": ``excluded`` points
    #: were removed by ROUT before the fit; None: no outlier test
    outliers: str | None = "flag"
    excluded: NDArray[np.bool_] | None = None


def _null_level(c: Context) -> tuple[float, int]:
    """Level of the horizontal line nested in the model (NaN: fitted) and its free parameters."""
    if "top" in c.fixed and "bottom" in c.fixed:
        return np.nan, -1  # no nested line: the model has no free plateau
    if "top" in c.fixed or "bottom" in c.fixed:
        return float(c.fixed.get("top", c.fixed.get("bottom", np.nan))), 0
    return np.nan, 1


def _residual_pass(
    c: Context,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Largest |y|, RSS and df of the nested horizontal line, and the weighted residuals."""
    level, k = _null_level(c)
    kernel = residuals_kernel()
    if kernel is not None:
        resid = np.empty(c.y.shape)
        ss = np.empty(c.n_curves)
        yscale = np.empty(c.n_curves)
        kernel(
            np.ascontiguousarray(c.x, dtype=float),
            np.ascontiguousarray(c.y, dtype=float),
            np.ascontiguousarray(c.w, dtype=float),
            np.ascontiguousarray(c.valid),
            np.ascontiguousarray(c.params, dtype=float),
            np.full(c.n_curves, level),
            resid,
            ss,
            yscale,
        )
    else:
        yscale = np.max(np.where(c.valid, np.abs(c.y), 0.0), axis=1)
        y = np.where(c.valid, c.y, 0.0)
        with np.errstate(all="ignore"):
            lev = np.full(c.n_curves, level)
            if k == 1:
                lev = np.sum(c.w * y, axis=1) / np.sum(c.w, axis=1)
            ss = np.sum(np.where(c.valid, c.w * (y - lev[:, None]) ** 2, 0.0), axis=1)
        top, bottom, log_ic50, hill = (c.params[:, j, None] for j in range(4))
        pred = four_pl(c.x, top, bottom, log_ic50, hill)
        resid = np.where(c.valid, np.sqrt(c.w) * (c.y - pred), 0.0)
    if k < 0:
        return yscale, np.full(c.n_curves, np.nan), np.full(c.n_curves, np.nan), resid
    return yscale, ss, (c.n - k).astype(float), resid


def _fmt_conc(log_m: float) -> str:
    return f"{10.0**log_m:.3g} M"


def judge(
    c: Context,
) -> tuple[list[str], list[str], list[str], NDArray[np.bool_], NDArray[np.int_]]:
    """Status, flags, message per curve, whether it defines its IC50, and its outlier count.

    The count is of the points ROUT excluded (``outliers="rout"``) or flagged (``"flag"``).
    """
    nc = c.n_curves
    top, bottom, log_ic50, hill = (c.params[:, k] for k in range(4))
    fitted = np.zeros(nc, dtype=bool)
    fitted[c.todo] = True
    conv = np.zeros(nc, dtype=bool)
    conv[c.todo] = c.converged
    ident = np.zeros(nc, dtype=bool)
    ident[c.todo] = c.identifiable
    finite = np.all(np.isfinite(c.params), axis=1) & np.isfinite(c.rss)
    span_x = c.xmax - c.xmin
    free_log = "log_ic50" not in c.fixed
    free_hill = "hill" not in c.fixed

    # runaway: no convergence because the fit keeps improving towards an infinite logIC50,
    # plateau or slope (a ridge, not a minimum)
    yscale, ss0, df0, resid = _residual_pass(c)
    with np.errstate(invalid="ignore"):
        far = (log_ic50 < c.xmin) | (log_ic50 > c.xmax)
        huge = (np.abs(top) > 10 * np.maximum(yscale, 1e-300)) | (
            np.abs(bottom) > 10 * np.maximum(yscale, 1e-300)
        )
        extreme_hill = free_hill & ((np.abs(hill) > 10) | (np.abs(hill) < 0.05))

    fstat, p_flat = f_test(ss0, df0, c.rss, c.df)
    # the F test also judges a fit that wanders without converging (its RSS is near the limit)
    no_inh = fitted & finite & np.isfinite(p_flat) & (p_flat >= c.alpha)
    runaway = fitted & finite & ~conv & ~no_inh & (far | huge | extreme_hill | ~ident)
    failed = fitted & ~runaway & ~no_inh & (~conv | ~finite)

    se_log = c.se[:, 2]
    with np.errstate(invalid="ignore"):
        se_huge = free_log & ~(se_log <= np.maximum(span_x, 1.0))
    not_ident = fitted & ~failed & ~no_inh & (runaway | ~ident | se_huge)

    ok_fit = fitted & ~failed & ~no_inh & ~not_ident
    with np.errstate(invalid="ignore"):
        below = log_ic50 < c.xmin
        above = log_ic50 > c.xmax
    outside = ok_fit & (below | above)
    # plateaus reached within the tested range (only for free plateaus)
    s_lo = _fraction(c.xmin, log_ic50, hill)
    s_hi = _fraction(c.xmax, log_ic50, hill)
    with np.errstate(invalid="ignore"):
        span_y = top - bottom
        top_seen = (np.maximum(s_lo, s_hi) >= PLATEAU_FRACTION) & ~(c.se[:, 0] > span_y)
        bottom_seen = (np.minimum(s_lo, s_hi) <= 1 - PLATEAU_FRACTION) & ~(c.se[:, 1] > span_y)
    no_top = ok_fit & ~outside & ("top" not in c.fixed) & ~top_seen
    no_bottom = ok_fit & ~outside & ("bottom" not in c.fixed) & ~bottom_seen
    extrap = outside | no_top | no_bottom
    # an IC50 that hangs on an extrapolated plateau or lies outside the data is not reported
    defined = ok_fit & ~extrap

    # residual screen for outliers on every fitted curve
    screen = c.valid & (fitted & finite)[:, None]
    if c.outliers == "flag":
        outl = rout_outliers(resid, screen, c.n_free, q=c.outlier_q)
    else:
        outl = np.zeros_like(c.valid)
    n_out = outl.sum(axis=1)
    excl = np.zeros_like(c.valid) if c.excluded is None else c.excluded
    n_excl = excl.sum(axis=1)

    status = np.full(nc, "ok", dtype=object)
    status[extrap] = "extrapolated"
    status[not_ident] = "not_identifiable"
    status[no_inh] = "no_inhibition"
    status[c.constant] = "no_inhibition"
    status[failed] = "failed"
    status[c.insufficient] = "insufficient_data"

    lo_h, hi_h = c.hill_range
    with np.errstate(invalid="ignore"):
        hill_bad = free_hill & fitted & finite & ((np.abs(hill) > hi_h) | (np.abs(hill) < lo_h))
        rising = fitted & finite & (hill > 0) & ~no_inh & ~c.constant
    names = ("top", "bottom", "log_ic50", "hill")
    fixed_txt = ",".join(f"{k}={v:g}" for k, v in c.fixed.items())

    # only curves with something to say go through the (per-curve) string building below
    special = (
        (c.n_nonpositive > 0)
        | (c.n_missing > 0)
        | (c.n_bad_weight > 0)
        | (status != "ok")
        | no_top
        | no_bottom
        | hill_bad
        | rising
        | c.at_bound.any(axis=1)
        | (n_out > 0)
        | (n_excl > 0)
    )
    flags_out = [f"fixed:{fixed_txt}" if fixed_txt else ""] * nc
    msg_out = [""] * nc
    for i in np.flatnonzero(special).tolist():
        fl: list[str] = []
        ms: list[str] = []
        st = status[i]
        if c.n_nonpositive[i]:
            fl.append(f"excluded_nonpositive_conc:{c.n_nonpositive[i]}")
            ms.append(
                f"{c.n_nonpositive[i]} row(s) with concentration <= 0 left out of the log-scale "
                "fit (controls such as TB/NSB belong in normalisation)"
            )
        if c.n_missing[i]:
            fl.append(f"missing_values:{c.n_missing[i]}")
            ms.append(f"{c.n_missing[i]} row(s) without a numeric concentration or response")
        if c.n_bad_weight[i]:
            fl.append(f"excluded_nonpositive_y_weighted:{c.n_bad_weight[i]}")
            ms.append(f"{c.n_bad_weight[i]} point(s) with response <= 0 cannot be weighted by 1/y")
        if fixed_txt:
            fl.append(f"fixed:{fixed_txt}")
        if st == "insufficient_data":
            ms.insert(
                0,
                f"only {c.n[i]} usable point(s) at {c.distinct[i]} concentration(s); the "
                f"{c.model} fit needs at least {c.n_free + 1} points at 3 or more concentrations",
            )
        elif c.constant[i]:
            fl.append("constant_response")
            ms.insert(0, "the response is constant: no concentration effect, IC50 not defined")
        elif failed[i]:
            fl.append("not_converged")
            ms.insert(0, "the fit did not converge; try fixing top/bottom or check the data")
        elif no_inh[i]:
            fl.append("no_significant_effect")
            ms.insert(
                0,
                f"no significant concentration effect (F test against a horizontal line: "
                f"F = {fstat[i]:.3g}, p = {p_flat[i]:.3g}); IC50 not determined, "
                f"> highest concentration tested ({_fmt_conc(c.xmax[i])}) if it exists",
            )
        elif not_ident[i]:
            if runaway[i] and extreme_hill[i] and not (far[i] or huge[i]):
                fl.append("hill_unbounded")
                why = (
                    f"the Hill slope runs off to infinity (a step near {_fmt_conc(log_ic50[i])}"
                    " between two tested concentrations); fix hill (model='one_site') or test "
                    "more concentrations around it"
                )
            elif runaway[i]:
                fl.append("no_finite_optimum")
                why = "the best fit runs off to an infinite plateau or logIC50"
            elif not ident[i]:
                fl.append("singular_covariance")
                why = "the parameters are not separately determined (singular covariance)"
            else:
                fl.append("log_ic50_se_too_large")
                why = f"SE of logIC50 ({se_log[i]:.3g}) exceeds the tested range"
            ms.insert(
                0,
                f"IC50 not identifiable: {why}; constrain bottom to the NSB level "
                "(bottom=0 for specific binding) and/or top to 100 (% of control)",
            )
        elif outside[i]:
            fl.append("log_ic50_outside_range")
            where = "above the highest" if above[i] else "below the lowest"
            ms.insert(
                0,
                f"fitted logIC50 = {log_ic50[i]:.3g} lies {where} concentration tested "
                f"({_fmt_conc(c.xmax[i] if above[i] else c.xmin[i])}): IC50 extrapolated, "
                "not reported; extend the concentration range or constrain bottom/top",
            )
        if no_top[i] or no_bottom[i]:
            missing_p = [p for p, f in (("top", no_top[i]), ("bottom", no_bottom[i])) if f]
            fl.extend(f"no_{p}_plateau" for p in missing_p)
            ms.insert(
                0,
                f"{' and '.join(missing_p)} plateau not reached within the tested range: the "
                f"fitted logIC50 ({log_ic50[i]:.3g} ± {se_log[i]:.2g}) depends on an "
                "extrapolated plateau and is not reported; fix bottom to the NSB level "
                "(0 for specific binding) and/or top to 100 (% of control)",
            )
        if hill_bad[i]:
            fl.append("hill_implausible")
            ms.append(f"Hill slope {hill[i]:.3g} outside ±[{lo_h:g}, {hi_h:g}]")
        if rising[i]:
            fl.append("rising_curve")
            ms.append("the response rises with concentration (hill > 0): not an inhibition curve")
        bounded = [names[k] for k in range(4) if c.at_bound[i, k]]
        if bounded:
            fl.append("at_bound:" + ",".join(bounded))
            ms.append(f"{', '.join(bounded)} at a bound: held there as fixed (no SE, df + 1)")
        if n_out[i]:
            fl.append(f"outliers:{n_out[i]}")
            xs = ", ".join(_fmt_conc(v) for v in c.x[i][outl[i]])
            ms.append(f"{n_out[i]} possible outlier(s) at {xs} (ROUT-like screen, kept in the fit)")
        if n_excl[i]:
            fl.append(f"outliers_excluded:{n_excl[i]}")
            xs = ", ".join(_fmt_conc(v) for v in c.x[i][excl[i]])
            ms.append(
                f"{n_excl[i]} outlier(s) at {xs} excluded by ROUT (Q = {100 * c.outlier_q:g} %) "
                "and the curve refitted without them"
            )
        flags_out[i] = ";".join(fl)
        msg_out[i] = "; ".join(ms)
    n_counted = n_out if c.excluded is None else n_excl
    return list(status), flags_out, msg_out, defined, n_counted
