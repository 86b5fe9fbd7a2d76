"""Verdicts of :func:`assaykit.binding.competition.fit_competition` and the one- vs two-site test.

Private helpers: every curve gets a ``status``, ``flags`` and a ``message`` naming the curve and the
reason (too few points, no convergence, singular covariance, a log-affinity with an SE above a
decade, an estimate outside the tested range, IC50 not above the radioligand concentration in
homologous competition, the fraction of high-affinity sites at 0 or 1, two sites not separated,
one site preferred by the F test).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from assaykit.binding.competition_models import ONE_SITE, FloatArray
from assaykit.fitting import FitResult, Model, least_squares
from assaykit.fitting.stats import aicc, f_test

__all__ = ["DEPLETION_LIMIT", "MAX_LOG_SE", "MIN_SEPARATION", "compare_one_site", "judge"]

#: Largest SE (log10 units) of a log-affinity that still counts as defined (a decade).
MAX_LOG_SE = 1.0
#: Fraction of added radioligand bound above which the standard equations are biased (DOMAIN §1.3).
DEPLETION_LIMIT = 0.10

#: Two logIC50s closer than this (log10 units) are one site.
MIN_SEPARATION = 0.05

#: Key log-affinities whose SE decides "not identifiable".
_KEY = {
    "fit-ki": ("log_k",),
    "homologous": ("log_kd",),
    "depletion": ("log_ki",),
    "two-site": ("log_k_high", "log_k_low"),
}

#: Engine parameter names as the result columns call them (for flags and messages).
_LABEL = {"log_k": "log_ki", "log_k_high": "log_ic50_high", "log_k_low": "log_ic50_low"}


def judge(
    model: str,
    fitted_model: Model,
    fit: FitResult,
    out: pd.DataFrame,
    const: Mapping[str, FloatArray],
    conc: list[FloatArray],
    resp: list[FloatArray],
    enough: np.ndarray,
    status: np.ndarray,
    flags: list[list[str]],
    message: list[str],
    names: list[str],
    alpha: float = 0.05,
) -> None:
    """Fill ``status``, ``flags`` and ``message`` in place (first verdict wins)."""

    def set_(i: int, st: str, msg: str) -> None:
        if status[i] == "ok":
            status[i], message[i] = st, f"{names[i]}: {msg}"

    for i in range(len(status)):
        if not enough[i]:
            set_(
                i,
                "insufficient_data",
                f"{int(fit.n[i])} points at {len(np.unique(conc[i][np.isfinite(conc[i])]))} concentrations are too few for {int(fit.free[i].sum())} parameters",
            )
            continue
        if not fit.converged[i]:
            flags[i].append("not_converged")
            set_(i, "failed", "the fit did not converge")
            continue
        p_flat = _p_against_flat(fit, i)
        if not p_flat < alpha:
            flags[i].append("no_significant_competition")
            set_(
                i,
                "not_identifiable",
                "the response does not change with the competitor (F test of the model against "
                f"a horizontal line: p = {p_flat:.3g})",
            )
        if "bmax" in fitted_model.param_names and not fit.params[i, fitted_model.index("bmax")] > 0:
            flags[i].append("no_specific_binding")
            set_(i, "not_identifiable", "Bmax is not above 0: no specific binding to fit")
        if fit.at_bound[i].any():
            at = [n for n, b in zip(fitted_model.param_names, fit.at_bound[i], strict=True) if b]
            flags[i].append("at_bound:" + ",".join(at))
        if model == "two-site":
            _two_site_checks(i, fitted_model, fit, out, flags, set_)
        if not fit.identifiable[i]:
            flags[i].append("singular_covariance")
            set_(
                i,
                "not_identifiable",
                "the parameters are not identifiable from these data (singular covariance)",
            )
        for key in _KEY[model]:
            k = fitted_model.index(key)
            if fit.free[i, k] and not (np.isfinite(fit.se[i, k]) and fit.se[i, k] <= MAX_LOG_SE):
                flags[i].append(f"{_LABEL.get(key, key)}_se_too_large")
                set_(
                    i,
                    "not_identifiable",
                    f"{_LABEL.get(key, key)} has SE {fit.se[i, k]:.3g} log units (> {MAX_LOG_SE}): not defined by these data",
                )
        pos = conc[i][np.isfinite(conc[i]) & (conc[i] > 0)]
        if pos.size and model in ("fit-ki", "two-site", "depletion"):
            lo, hi = np.log10(pos.min()), np.log10(pos.max())
            for key in _KEY[model]:
                v = fit.params[i, fitted_model.index(key)]
                shift = 0.0
                if model == "fit-ki":
                    shift = float(np.log10(1.0 + const["radioligand_M"][i] / const["kd_M"][i]))
                if not lo <= v + shift <= hi:
                    flags[i].append(f"{_LABEL.get(key, key)}_outside_range")
                    set_(
                        i,
                        "extrapolated",
                        f"{_LABEL.get(key, key)} = {v:.3f} lies outside the tested range log10 M {lo:.2f} … {hi:.2f}; estimate not reported",
                    )
        if model == "homologous":
            with np.errstate(over="ignore"):
                kd = 10.0 ** fit.params[i, 0]
            hot = const["hot_M"][i]
            if kd < hot:
                # IC50 = Hot + Kd: when IC50 is not well above Hot, Kd is a small difference
                flags[i].append("ic50_not_above_hot")
                if kd < 0.1 * hot:
                    set_(
                        i,
                        "not_identifiable",
                        f"Kd ({kd:.3g} M) is far below the radioligand concentration ({hot:.3g} M): IC50 ≈ Hot and Kd cannot be determined; use less radioligand",
                    )
                else:
                    message[i] = (
                        message[i]
                        or f"{names[i]}: IC50 ({kd + hot:.3g} M) is less than twice the radioligand concentration: Kd is imprecise"
                    )
        if model == "depletion":
            hot_c = const["hot_cpm"][i]
            top = (
                np.nanmax(np.where(np.isfinite(conc[i]), resp[i], np.nan))
                if resp[i].size
                else np.nan
            )
            frac = top / hot_c if hot_c > 0 else np.nan
            out.loc[out.index[i], "fraction_bound"] = frac
            if np.isfinite(frac) and frac <= DEPLETION_LIMIT:
                flags[i].append("depletion_below_10pct")
        if status[i] == "ok" and not message[i]:
            message[i] = f"{names[i]}: fitted ({int(fit.n[i])} points, df {int(fit.df[i])})"


def _p_against_flat(fit: FitResult, i: int) -> float:
    """p of the extra-sum-of-squares F test of curve ``i`` against its mean (1: constant data)."""
    r2, rss = float(fit.r_squared[i]), float(fit.rss[i])
    if not np.isfinite(r2):  # the response is constant: nothing to fit
        return 1.0
    if r2 >= 1.0:
        return 0.0
    _, p = f_test(rss / (1.0 - r2), fit.n[i] - 1, rss, fit.df[i])
    return float(p) if np.isfinite(p) else 1.0


def _two_site_checks(
    i: int,
    fitted_model: Model,
    fit: FitResult,
    out: pd.DataFrame,
    flags: list[list[str]],
    set_: Callable[[int, str, str], None],
) -> None:
    """Two sites that the data do not support: F at 0 or 1, log IC50s equal or overlapping CIs."""
    kf = fitted_model.index("fraction_high")
    kh, kl = fitted_model.index("log_k_high"), fitted_model.index("log_k_low")
    if fit.at_bound[i, kf]:
        flags[i].append("fraction_at_bound")
        set_(
            i,
            "not_identifiable",
            f"the fraction of high-affinity sites went to {fit.params[i, kf]:.0f}: "
            "the data show one site",
        )
    high, low = fit.params[i, kh], fit.params[i, kl]
    ci_high = out.loc[out.index[i], "log_ic50_high_ci_high"]
    ci_low = out.loc[out.index[i], "log_ic50_low_ci_low"]
    if abs(low - high) < MIN_SEPARATION:
        flags[i].append("sites_not_separated")
        set_(
            i,
            "not_identifiable",
            f"the two logIC50s coincide ({high:.2f}, {low:.2f}): the data show one site",
        )
    elif np.isfinite(ci_high) and np.isfinite(ci_low) and ci_high >= ci_low:
        flags[i].append("sites_not_separated")
        set_(
            i,
            "not_identifiable",
            f"the two logIC50s ({high:.2f}, {low:.2f}) have overlapping CIs: "
            "the sites are not separated",
        )


def compare_one_site(
    xa: FloatArray,
    ya: FloatArray,
    mask: np.ndarray,
    fit2: FitResult,
    fixed: Mapping[str, FloatArray],
    weights: str | None,
    alpha: float,
    out: pd.DataFrame,
    status: np.ndarray,
    flags: list[list[str]],
    message: list[str],
    names: list[str],
) -> None:
    """One site (slope −1) on the same points; extra-sum-of-squares F test and AICc."""
    x1 = xa[..., :2].copy()
    x1[..., 1] = np.where(np.isfinite(x1[..., 1]), 1.0, np.nan)
    fix1 = {k: v for k, v in fixed.items() if k in ONE_SITE.param_names}
    fit1 = least_squares(ONE_SITE, x1, ya, mask, fixed=fix1, weights=weights)
    f, p = f_test(fit1.rss, fit1.df, fit2.rss, fit2.df)
    with np.errstate(all="ignore"):
        a1 = aicc(fit1.rss, fit1.n, fit1.free.sum(axis=1))
        a2 = aicc(fit2.rss, fit2.n, fit2.free.sum(axis=1))
        delta = a2 - a1
    out["log_ic50_one_site"] = fit1.params[:, ONE_SITE.index("log_k")]
    out["rss_one_site"], out["df_one_site"] = fit1.rss, fit1.df
    out["f"], out["f_p_value"] = f, p
    out["aicc_one_site"], out["aicc_two_site"] = a1, a2
    out["delta_aicc"] = delta
    two = (p < alpha) & np.isfinite(p)
    out["preferred"] = np.where(two, "two-site", "one-site")
    for i in range(len(status)):
        if status[i] == "ok" and not two[i]:
            status[i] = "one_site_preferred"
            flags[i].append("one_site_preferred")
            message[i] = (
                f"{names[i]}: the extra-sum-of-squares F test does not prefer two sites "
                f"(F = {f[i]:.3g}, p = {p[i]:.3g}; ΔAICc = {delta[i]:.3g}): report one site"
            )
        elif status[i] == "ok":
            message[i] = (
                f"{names[i]}: two sites preferred (F = {f[i]:.3g}, p = {p[i]:.2g}; "
                f"ΔAICc = {delta[i]:.3g})"
            )
