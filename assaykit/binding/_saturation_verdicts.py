"""Verdicts on saturation fits: a status, ``;``-joined flags and a message per curve.

Private helper of :func:`assaykit.binding.saturation.fit_saturation`. Statuses, first match wins:

``insufficient_data``
    fewer than ``min_concentrations`` distinct concentrations, or no residual degree of freedom;
``no_binding``
    flat data, Bmax ≤ 0, or the specific part not better than nonspecific binding alone
    (extra-sum-of-squares F test, p ≥ 0.05);
``depletion``
    more than ``depletion_limit`` of the added radioligand bound and X not corrected to free;
``no_plateau``
    the highest concentration below ``plateau_factor`` × Kd (Kd and Bmax extrapolated), also
    when the fit ran away towards an infinite Kd;
``failed``
    the fit did not converge;
``not_identifiable``
    singular covariance, |corr(log Kd, Bmax)| above ``correlation_limit`` (Prism's Kd–Bmax
    dependency), a Wald CI of Kd or Bmax crossing 0 or an unbounded profile limit.

Every estimate column is NaN unless the status is ``ok``; the message then gives the raw value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from assaykit.fitting import FitResult
from assaykit.fitting.stats import f_test

#: Estimate columns are those starting with these prefixes (blanked unless status is ok).
_ESTIMATES = ("kd_", "bmax_", "log10_kd", "hill", "fraction_hi", "ns_", "bkg_", "sites_per_cell")


@dataclass(frozen=True)
class Verdicts:
    """The thresholds of the verdict rules (see the module docstring)."""

    min_concentrations: int = 5
    plateau_factor: float = 3.0
    correlation_limit: float = 0.99
    depletion_limit: float = 0.10
    free_ligand: str = "auto"
    alpha: float = 0.05


def _null_rss(part: pd.DataFrame, nonspecific: bool, fixed_bkg: bool) -> tuple[float, int]:
    """RSS and df of the model without specific binding (NS·X + Bkg, or a horizontal line)."""
    y = part["response"].to_numpy(float)
    x = part["free_M"].to_numpy(float) * 1e9
    if nonspecific:
        a = x[:, None] if fixed_bkg else np.column_stack([x, np.ones_like(x)])
    else:
        a = np.ones((len(y), 1))
    if len(y) <= a.shape[1]:
        return np.nan, 0
    coef, *_ = np.linalg.lstsq(a, y, rcond=None)
    r = y - a @ coef
    return float(r @ r), len(y) - a.shape[1]


def judge(
    out: pd.DataFrame,
    fit: FitResult,
    parts: list[pd.DataFrame],
    *,
    nonspecific: bool,
    site: str,
    rules: Verdicts,
) -> pd.DataFrame:
    """``out`` with ``status``, ``flags`` and ``message`` (first) and failed estimates blanked."""
    out = out.copy()
    nc = len(out)
    kd = out["kd_M"].to_numpy(float) if "kd_M" in out else np.full(nc, np.nan)
    bmax = out["bmax_cpm"].to_numpy(float)
    fixed_bkg = nonspecific and not bool(fit.free[0, fit.model.index("bkg")])
    t = stats.t.ppf(0.975, np.maximum(fit.df, 1))
    status, flags, messages = [], [], []
    for i in range(nc):
        part = parts[i]
        fl: list[str] = []
        msg: list[str] = []
        st = "ok"
        ncon = int(out["n_concentrations"].iloc[i])
        cmax = float(out["conc_max_M"].iloc[i])
        y = part["response"].to_numpy(float)
        depl = float(out["max_fraction_bound"].iloc[i])
        corrected = out["free_ligand"].iloc[i] != "added"
        if np.isfinite(depl) and depl > rules.depletion_limit:
            fl.append("ligand_depletion")
            msg.append(
                f"{100 * depl:.0f} % of the added radioligand bound"
                + ("; X = added − bound (free)" if corrected else "; X = added (not corrected)")
            )
        corr = float(out["kd_bmax_correlation"].iloc[i]) if "kd_bmax_correlation" in out else np.nan
        raw = (
            f"Kd ≈ {kd[i] * 1e9:.3g} nM, Bmax ≈ {bmax[i]:.4g} cpm"
            if np.isfinite(kd[i])
            else f"Bmax ≈ {bmax[i]:.4g} cpm"
        )
        if ncon < rules.min_concentrations or fit.df[i] < 1:
            st = "insufficient_data"
            msg.append(
                f"{ncon} radioligand concentration(s) and {int(fit.n[i])} tubes; "
                f"need ≥ {rules.min_concentrations} concentrations to define Kd and Bmax"
            )
        elif len(y) == 0 or np.ptp(y) <= 1e-12 * max(np.abs(y).max(), 1.0):
            st = "no_binding"
            msg.append("the response is flat: no saturable binding")
        elif np.isfinite(depl) and depl > rules.depletion_limit and not corrected:
            st = "depletion"
            msg.append("free ≠ added: refit with free_ligand='auto' or 'free'")
        if st == "ok":
            ss0, df0 = _null_rss(part, nonspecific, fixed_bkg)
            _, p = f_test(ss0, df0, fit.rss[i], fit.df[i])
            if np.isfinite(bmax[i]) and bmax[i] <= 0:
                st = "no_binding"
                msg.append(f"Bmax ≤ 0 ({bmax[i]:.3g} cpm): no specific binding")
            elif np.isfinite(p) and p >= rules.alpha:  # also a fit that ran away
                st = "no_binding"
                msg.append(
                    f"specific binding not distinguishable from {'nonspecific binding' if nonspecific else 'a flat line'} "
                    f"(F test p = {float(p):.2g})"
                )
        if st == "ok" and np.isfinite(kd[i]) and cmax < rules.plateau_factor * kd[i]:
            st = "no_plateau"
            msg.append(
                f"highest concentration {cmax * 1e9:.3g} nM is below {rules.plateau_factor:g} × Kd "
                f"({raw}): no plateau, Kd and Bmax are extrapolated"
            )
        if st == "ok" and not fit.converged[i]:
            st = "failed"
            msg.append("the fit did not converge")
        if st == "ok":
            why = _identifiability(out, fit, i, t[i], corr, rules.correlation_limit, site)
            if why:
                st = "not_identifiable"
                msg.extend(why)
                msg.append(f"({raw})")
        if np.isfinite(corr) and abs(corr) > 0.95 and st == "ok":
            fl.append("kd_bmax_dependency")
            msg.append(f"Kd–Bmax correlation {corr:.3f}")
        left_out = int(out["n_tubes"].iloc[i]) - int(fit.n[i])
        if left_out > 0:
            fl.append("points_left_out")
            msg.append(f"{left_out} tube(s) with response ≤ 0 have no 1/Y weight and were left out")
        if "preferred_sites" in out and out["preferred_sites"].iloc[i] == "two" and site == "one":
            fl.append("two_sites_preferred")
            msg.append(f"two sites fit better (F test p = {out['two_site_p'].iloc[i]:.2g})")
        if site == "hill" and st == "ok":
            h = float(out["hill"].iloc[i])
            if not 0.8 <= h <= 1.25:
                fl.append("hill_not_unity")
                msg.append(f"Hill slope {h:.2f}: not simple one-site binding")
        status.append(st)
        flags.append(";".join(fl))
        messages.append("; ".join(msg))
    out["status"] = status
    out["flags"] = flags
    out["message"] = messages
    bad = out["status"] != "ok"
    est_cols = [c for c in out.columns if c.startswith(_ESTIMATES)]
    out.loc[bad, est_cols] = np.nan
    lead = ["curve", "model", "status", "flags", "message"]
    return out[lead + [c for c in out.columns if c not in lead]]


def _identifiability(
    out: pd.DataFrame,
    fit: FitResult,
    i: int,
    t: float,
    corr: float,
    limit: float,
    site: str,
) -> list[str]:
    why: list[str] = []
    if not fit.identifiable[i] or not np.all(np.isfinite(fit.se[i][fit.free[i]])):
        return ["parameters not identifiable (singular covariance)"]
    if np.isfinite(corr) and abs(corr) > limit:
        why.append(f"Kd–Bmax correlation {corr:.4f} > {limit:g}: Kd and Bmax not separable")
    for col in [c for c in out.columns if c.startswith(("kd_", "bmax_")) and c + "_se" in out]:
        label = col.removesuffix("_M").removesuffix("_cpm").replace("_", " ")
        v, se = float(out[col].iloc[i]), float(out[f"{col}_se"].iloc[i])
        if np.isfinite(v) and np.isfinite(se) and v - t * se <= 0:
            why.append(f"the Wald 95 % CI of {label} crosses 0")
        lo, hi = float(out[f"{col}_ci_low"].iloc[i]), float(out[f"{col}_ci_high"].iloc[i])
        if not (np.isfinite(lo) and np.isfinite(hi)) or (col.startswith("kd") and lo <= 0):
            why.append(f"the 95 % CI of {label} is unbounded")
    return why
