"""Rows of :func:`~assaykit.binding.kinetics.fit_kinetics`: estimates, derived quantities, verdicts.

From one curve's fit: every rate in per-molar/per-minute units with its SE and CI (Wald or the
engine's profile limits), the kinetic Kd (delta-method SE), half-life and residence time (limits
mapped from koff's), and the verdicts: ``status`` (ok, not_identifiable, failed) and ``flags``
(plateau_not_reached, kon_not_identifiable, kon_from_given_koff, kd_inconsistent,
few_time_points) with the reasons in ``message``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from assaykit.fitting import FitResult
from assaykit.fitting.stats import wald_ci

__all__ = ["LN2", "NM", "PLATEAU_RATE_TIMES", "Context", "empty_row", "estimates", "row_from_fit"]

NM = 1e9  # nM per M: concentrations enter the models in nM, kon per nM per minute
LN2 = math.log(2.0)
#: Fraction of equilibrium (or of full dissociation) that counts as "plateau reached": 1 − e⁻³ = 95 %.
PLATEAU_RATE_TIMES = 3.0


def estimates(response_unit: str) -> dict[str, list[str]]:
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


class Context:
    """What the verdicts of one curve need to know (the model and the user's options)."""

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


def empty_row(ctx: Context) -> dict[str, Any]:
    """Every estimate column of the model as NaN (a curve that was not fitted)."""
    out: dict[str, Any] = {}
    for name in estimates(ctx.unit)[ctx.model]:
        for suf in ("", "_se", "_ci_low", "_ci_high"):
            out[name + suf] = math.nan
    out.update(kd_ratio=math.nan, rss=math.nan, df=0, sy_x=math.nan, r_squared=math.nan)
    out["ci_method"] = ctx.ci_method
    return out


def _put(out: dict[str, Any], name: str, est: float, se: float, lo: float, hi: float) -> None:
    out[name], out[name + "_se"], out[name + "_ci_low"], out[name + "_ci_high"] = est, se, lo, hi


def row_from_fit(
    res: FitResult,
    j: int,
    ctx: Context,
    prof: dict[str, tuple[float, float]],
    t: np.ndarray,
    xj: np.ndarray,
) -> dict[str, Any]:
    """The output columns of fitted curve ``j``: estimates, SE, CI, derived values and verdicts."""
    out = empty_row(ctx)
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
        if "kd" in prof:  # profile limits of Kd itself (nM → M)
            lo, hi = (float(v) / NM for v in prof["kd"])
        else:
            lo, hi = (float(v) for v in wald_ci(kd, s, df, ctx.level))
        _put(out, "kd_M", kd, s, lo, hi)

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
    if m == "association_global" and np.unique(xj[:, 1]).size < 2:
        status = "not_identifiable"
        flags.append("kon_not_identifiable")
        notes.insert(
            0,
            "one radioligand concentration: kon and koff are not separately identifiable; fit "
            "≥ 2 concentrations, or model='association' with a measured koff",
        )
    if status != "ok":
        for name in estimates(u)[m]:
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
    ctx: Context,
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
