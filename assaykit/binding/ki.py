"""Inhibition constants from IC50: Cheng–Prusoff, its confidence interval, and when it does not hold.

``Ki = IC50 / (1 + [L]/Kd)`` (Cheng & Prusoff 1973), ``pKi = −log10(Ki / M)``, with [L] the free
radioligand concentration and Kd its dissociation constant, both in M. The relation assumes one
site, competitive binding at equilibrium and no ligand depletion; :func:`ki_table` flags fits
where a Hill slope far from 1 or more than 10 % of the added radioligand bound says otherwise.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from assaykit.errors import FitError
from assaykit.schema import require_columns

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["cheng_prusoff", "homologous_kd", "kd_from_results", "ki_table"]


def cheng_prusoff(ic50: Any, radioligand_conc: Any, kd: Any) -> np.ndarray:
    """``Ki = IC50 / (1 + [L]/Kd)``, element-wise (all concentrations in the same unit, e.g. M).

    Parameters
    ----------
    ic50
        IC50 value(s).
    radioligand_conc
        Free radioligand concentration [L].
    kd
        Dissociation constant of the radioligand.

    Returns
    -------
    numpy.ndarray
        Ki, same unit as ``ic50``; NaN where an input is NaN or Kd is not positive.

    Examples
    --------
    DOMAIN §6 #10: IC50 24.8 nM, [L] 0.1 nM, Kd 1.0 nM → Ki 22.545 nM; with [L] << Kd, Ki ≈ IC50.

    >>> round(float(cheng_prusoff(24.8e-9, 0.1e-9, 1.0e-9)) * 1e9, 3)
    22.545
    >>> cheng_prusoff([24.8, 24.8], [0.1, 0.001], 1.0).round(4)
    array([22.5455, 24.7752])
    """
    import numpy as np

    ic50_a = np.asarray(ic50, dtype=float)
    conc_a = np.asarray(radioligand_conc, dtype=float)
    kd_a = np.asarray(kd, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ki = ic50_a / (1.0 + conc_a / kd_a)
    return np.where(kd_a > 0, ki, np.nan)


def homologous_kd(ic50: Any, hot_conc: Any, b0: Any) -> tuple[np.ndarray, np.ndarray]:
    """Homologous competition shortcut (one site, no depletion): ``Kd = IC50 − [Hot]``, ``Bmax = B0·IC50/[Hot]``.

    Only meaningful when IC50 is clearly larger than [Hot]; NaN otherwise.

    Parameters
    ----------
    ic50
        IC50 of the cold ligand competing with its own labelled form.
    hot_conc
        Concentration of the labelled ligand (same unit as ``ic50``).
    b0
        Specific binding without competitor (cpm, fmol, …); Bmax comes out in the same unit.

    Returns
    -------
    (Kd, Bmax)

    Examples
    --------
    DOMAIN §6 #11: IC50 5.1 nM, [Hot] 0.1 nM, B0 = 1000 cpm → Kd 5.0 nM, Bmax 51 000 cpm.

    >>> kd, bmax = homologous_kd(5.1, 0.1, 1000)
    >>> round(float(kd), 6), round(float(bmax), 3)
    (5.0, 51000.0)
    """
    import numpy as np

    ic50_a = np.asarray(ic50, dtype=float)
    hot_a = np.asarray(hot_conc, dtype=float)
    b0_a = np.asarray(b0, dtype=float)
    ok = (hot_a > 0) & (ic50_a > hot_a)
    with np.errstate(divide="ignore", invalid="ignore"):
        kd = np.where(ok, ic50_a - hot_a, np.nan)
        bmax = np.where(ok, b0_a * ic50_a / hot_a, np.nan)
    return kd, bmax


def ki_table(
    fits: pd.DataFrame,
    *,
    radioligand_conc: float | None,
    kd: float | None,
    kd_se: float | None = None,
    kd_ci: tuple[float, float] | None = None,
    fraction_bound: Any = None,
    hill_range: tuple[float, float] = (0.7, 1.3),
    depletion_limit: float = 0.10,
    level: float = 0.95,
) -> pd.DataFrame:
    """Ki, its confidence interval and pKi for each fitted curve, with the Cheng–Prusoff caveats.

    Parameters
    ----------
    fits
        Output of :func:`assaykit.binding.fit_curves`: needs ``ic50``, ``log_ic50``,
        ``log_ic50_ci_low``, ``log_ic50_ci_high``, ``hill``, ``status``; other columns are kept.
    radioligand_conc
        Radioligand concentration [L] in M (free ≈ added when there is no depletion).
    kd
        Kd of the radioligand in M, measured under the same conditions.
    kd_se
        Standard error of Kd in M, if known: propagated into the Ki CI on the log scale
        (``SE(log10 Kd) = kd_se / (Kd · ln 10)``, normal quantile for its part).
    kd_ci
        ``(low, high)`` confidence limits of Kd in M at ``level`` (e.g. from a
        saturation fit, :func:`kd_from_results`), used instead of ``kd_se``:
        ``SE(log10 Kd) = (log10 high − log10 low) / (2 z)``.
    fraction_bound
        Fraction of added radioligand bound in the TB tubes: one number or one per row
        (e.g. from the QC table of :func:`~assaykit.binding.normalise.normalise_binding`).
    hill_range
        |Hill slope| outside this range flags ``hill_not_unity`` (only where the slope was fitted).
    depletion_limit
        ``fraction_bound`` above this flags ``ligand_depletion``.
    level
        Level of the interval contributed by Kd's SE (the IC50 part uses the fit's own CI).

    Returns
    -------
    pandas.DataFrame
        ``fits`` plus ``ki``, ``ki_ci_low``, ``ki_ci_high``, ``pki``, ``pki_ci_low``,
        ``pki_ci_high``, ``ki_factor`` (= 1 + [L]/Kd), ``ki_flags``, ``ki_message``.
        Ki is NaN where the fit's status is not ``ok`` or [L]/Kd are unknown (the message says why).

    Notes
    -----
    Ki is monotone in IC50, so with a known Kd the Ki CI is the IC50 CI divided by ``1 + [L]/Kd``.
    With ``kd_se``, on the log10 scale ``log Ki = log IC50 − log10(1 + [L]/Kd)`` and
    ``d log Ki / d log Kd = f = ([L]/Kd) / (1 + [L]/Kd)``; the half-widths add in quadrature:
    ``hw = sqrt(hw_IC50² + (z · f · SE(log Kd))²)``.

    Examples
    --------
    >>> import math, pandas as pd
    >>> lg = math.log10(24.8e-9)
    >>> fits = pd.DataFrame({"curve": ["A"], "ic50": [24.8e-9], "log_ic50": [lg],
    ...     "log_ic50_ci_low": [lg - 0.1], "log_ic50_ci_high": [lg + 0.1], "hill": [-1.0], "status": ["ok"]})
    >>> out = ki_table(fits, radioligand_conc=0.1e-9, kd=1e-9)
    >>> print(f"{out['ki'].iloc[0] * 1e9:.3f} nM, pKi {out['pki'].iloc[0]:.3f}, flags {out['ki_flags'].iloc[0]!r}")
    22.545 nM, pKi 7.647, flags ''
    """
    import numpy as np
    import pandas as pd
    from scipy import stats

    require_columns(
        fits,
        ["ic50", "log_ic50", "log_ic50_ci_low", "log_ic50_ci_high", "hill", "status"],
        stage="Ki calculation",
    )
    lo_h, hi_h = hill_range
    if not 0 < lo_h < hi_h:
        raise FitError(f"hill_range must be two positive numbers, low < high; got {hill_range}")
    out = fits.copy()
    n = len(out)
    conc = math.nan if radioligand_conc is None else float(radioligand_conc)
    kd_v = math.nan if kd is None else float(kd)
    if not math.isnan(kd_v) and kd_v <= 0:
        raise FitError(f"the radioligand Kd must be a positive concentration in M; got {kd_v:g}")
    if not math.isnan(conc) and conc < 0:
        raise FitError(f"the radioligand concentration must be >= 0 M; got {conc:g}")
    known = not (math.isnan(conc) or math.isnan(kd_v))
    factor = 1.0 + conc / kd_v if known else math.nan
    status = out["status"].astype(str).to_numpy()
    ok = status == "ok"
    log_ic50 = out["log_ic50"].to_numpy(dtype=float)
    lo = out["log_ic50_ci_low"].to_numpy(dtype=float)
    hi = out["log_ic50_ci_high"].to_numpy(dtype=float)
    shift = math.log10(factor) if known else math.nan
    log_ki = np.where(ok, log_ic50 - shift, np.nan)
    hw_lo, hw_hi = log_ic50 - lo, hi - log_ic50
    se_log_kd = math.nan
    if kd_ci is not None:
        k_lo, k_hi = (float(v) for v in kd_ci)
        if not 0 < k_lo <= k_hi:
            raise FitError(f"kd_ci must be two positive limits in M, low <= high; got {kd_ci}")
        se_log_kd = (math.log10(k_hi) - math.log10(k_lo)) / (2 * stats.norm.ppf(0.5 + level / 2))
    elif kd_se is not None and kd_se > 0 and known:
        se_log_kd = float(kd_se) / (kd_v * math.log(10))
    if known and math.isfinite(se_log_kd) and se_log_kd > 0:
        f = (conc / kd_v) / factor
        extra = stats.norm.ppf(0.5 + level / 2) * f * se_log_kd
        hw_lo, hw_hi = np.hypot(hw_lo, extra), np.hypot(hw_hi, extra)
    out["ki"] = 10.0**log_ki
    out["ki_ci_low"] = np.where(ok, 10.0 ** (log_ki - hw_lo), np.nan)
    out["ki_ci_high"] = np.where(ok, 10.0 ** (log_ki + hw_hi), np.nan)
    out["pki"] = -log_ki
    out["pki_ci_low"] = -np.log10(out["ki_ci_high"].to_numpy(dtype=float))
    out["pki_ci_high"] = -np.log10(out["ki_ci_low"].to_numpy(dtype=float))
    out["ki_factor"] = factor

    hill = out["hill"].to_numpy(dtype=float)
    hill_fixed = out["hill_se"].isna().to_numpy() if "hill_se" in out.columns else np.zeros(n, bool)
    if fraction_bound is None:
        fb = np.full(n, np.nan)
    else:
        fb = np.broadcast_to(np.asarray(fraction_bound, dtype=float), (n,))
    flags_col, msg_col = [], []
    for i in range(n):
        flags, msgs = [], []
        if not known:
            msgs.append("Ki not computed: radioligand concentration and Kd are needed")
        elif not ok[i]:
            msgs.append(f"Ki not computed: fit status is {status[i]!r}")
        if not hill_fixed[i] and np.isfinite(hill[i]) and not lo_h <= abs(hill[i]) <= hi_h:
            flags.append("hill_not_unity")
            msgs.append(
                f"|Hill slope| {abs(hill[i]):.2f} outside {lo_h:g}–{hi_h:g}: Cheng–Prusoff assumes one site"
            )
        if np.isfinite(fb[i]) and fb[i] > depletion_limit:
            flags.append("ligand_depletion")
            msgs.append(f"{100 * fb[i]:.1f} % of added radioligand bound: free ≠ added, Ki biased")
        flags_col.append(";".join(flags))
        msg_col.append("; ".join(msgs))
    out["ki_flags"] = pd.Series(flags_col, index=out.index, dtype=object)
    out["ki_message"] = pd.Series(msg_col, index=out.index, dtype=object)
    return out


def kd_from_results(
    table: pd.DataFrame, curve: str | None = None
) -> tuple[float, float, float, str]:
    """The radioligand Kd (M) and its CI from a saturation results table, for :func:`ki_table`.

    Parameters
    ----------
    table
        :func:`assaykit.binding.saturation.fit_saturation`'s table (or the ``results.csv`` of a
        saturation run): ``curve, status, kd_M, kd_M_ci_low, kd_M_ci_high`` (``model`` and
        ``ci_method`` are quoted in the source when present).
    curve
        Which curve; needed when the table has more than one.

    Returns
    -------
    (kd_M, kd_ci_low, kd_ci_high, source)
        ``source`` says where the Kd comes from (curve, model, CI method).

    Raises
    ------
    FitError
        No such curve, several curves and none chosen, or the curve's status is not ``ok``
        (the message quotes the status and its reason).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"curve": ["A"], "status": ["ok"], "kd_M": [2e-9], "kd_M_ci_low": [1.7e-9],
    ...     "kd_M_ci_high": [2.4e-9], "model": ["total-nsb"], "ci_method": ["profile"]})
    >>> kd, lo, hi, src = kd_from_results(t)
    >>> kd, src
    (2e-09, "saturation fit 'A' (total-nsb, profile 95% CI)")
    """
    require_columns(
        table, ["curve", "status", "kd_M", "kd_M_ci_low", "kd_M_ci_high"], stage="Kd lookup"
    )
    curves = [str(c) for c in table["curve"]]
    if curve is None:
        if len(curves) != 1:
            raise FitError(
                f"the saturation table has {len(curves)} curves ({', '.join(curves[:5])}); "
                "name the one whose Kd applies"
            )
        i = 0
    elif str(curve) in curves:
        i = curves.index(str(curve))
    else:
        raise FitError(f"no saturation curve {curve!r}; curves: {', '.join(curves[:10])}")
    row = table.iloc[i]
    if row["status"] != "ok":
        why = f": {row['message']}" if "message" in table.columns and row["message"] else ""
        raise FitError(f"saturation curve {curves[i]!r} has status {row['status']!r}{why}; no Kd")
    kd, lo, hi = float(row["kd_M"]), float(row["kd_M_ci_low"]), float(row["kd_M_ci_high"])
    if not (kd > 0 and 0 < lo <= kd <= hi and math.isfinite(hi)):
        raise FitError(
            f"saturation curve {curves[i]!r}: Kd {kd:g} M with CI {lo:g}-{hi:g} is not usable"
        )
    model = f"{row['model']}, " if "model" in table.columns else ""
    method = f"{row['ci_method']} " if "ci_method" in table.columns else ""
    return kd, lo, hi, f"saturation fit {curves[i]!r} ({model}{method}95% CI)"
