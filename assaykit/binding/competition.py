"""Prism's competition menu beyond the 4PL: fit Ki, homologous, depletion and two sites.

:func:`fit_competition` fits one of four models (:mod:`assaykit.binding.competition_models`)
to every curve of a tidy table with the generic engine (:mod:`assaykit.fitting`) and returns one
row per curve: estimates with SE and 95 % CI (Wald, or profile likelihood on request), the
constants that were used, ``rss, df, n``, and a verdict (``status``, ``flags``, ``message``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from assaykit.binding._competition_verdicts import compare_one_site, judge
from assaykit.binding.competition_models import (
    DEPLETION,
    ONE_SITE,
    TWO_SITE,
    FloatArray,
    homologous_model,
)
from assaykit.errors import FitError, SchemaError
from assaykit.fitting import FitResult, Model, least_squares
from assaykit.fitting.profile import profile_ci
from assaykit.fitting.stats import wald_ci
from assaykit.schema import require_columns

__all__ = ["CiMethod", "CompetitionModel", "Weighting", "fit_competition"]

CompetitionModel = Literal["fit-ki", "homologous", "depletion", "two-site"]
CiMethod = Literal["wald", "profile"]
Weighting = Literal["none", "1/y2", "poisson"]


@dataclass(frozen=True)
class _Param:
    """How a fitted parameter is reported: column stem, and whether it is a log10 of a molar value."""

    name: str
    column: str
    molar: str = ""  # name of the linear molar column (``ki_M``) for log10 parameters


_REPORT: dict[str, tuple[_Param, ...]] = {
    "fit-ki": (
        _Param("top", "top"),
        _Param("bottom", "bottom"),
        _Param("log_k", "log_ki", "ki_M"),
    ),
    "homologous": (
        _Param("log_kd", "log_kd", "kd_M"),
        _Param("bmax", "bmax_cpm"),
        _Param("nsb", "nsb_cpm"),
        _Param("nsb2", "nsb2_cpm"),
    ),
    "depletion": (
        _Param("log_ki", "log_ki", "ki_M"),
        _Param("bmax", "bmax_cpm"),
        _Param("ns", "ns_fraction"),
    ),
    "two-site": (
        _Param("top", "top"),
        _Param("bottom", "bottom"),
        _Param("fraction_high", "fraction_high"),
        _Param("log_k_high", "log_ic50_high", "ic50_high_M"),
        _Param("log_k_low", "log_ic50_low", "ic50_low_M"),
    ),
}


#: Result columns that are not estimates (kept when a curve's estimates are withheld).
_NOT_ESTIMATES = (
    "rss",
    "df",
    "n",
    "r_squared",
    "ci_method",
    "fraction_bound",
    "log_ic50_one_site",
    "rss_one_site",
    "df_one_site",
    "f",
    "f_p_value",
    "aicc_one_site",
    "aicc_two_site",
    "delta_aicc",
    "preferred",
)


def _constant(
    data: pd.DataFrame,
    groups: list[pd.DataFrame],
    names: list[str],
    value: float | None,
    column: str,
    *,
    what: str,
) -> FloatArray:
    """One value per curve: the keyword if given, else the column (constant within each curve)."""
    if value is not None:
        v = float(value)
        if not np.isfinite(v) or v < 0:
            raise FitError(f"{what} must be a finite number >= 0, got {value!r}")
        return np.full(len(groups), v)
    if column not in data.columns:
        raise SchemaError(f"competition fit needs {what}: give {column}=... or a {column!r} column")
    out = np.empty(len(groups))
    for i, g in enumerate(groups):
        vals = pd.to_numeric(g[column], errors="coerce").dropna().unique()
        if len(vals) != 1 or vals[0] < 0:
            raise FitError(
                f"curve {names[i]!r}: column {column!r} ({what}) must hold one value >= 0 "
                f"per curve, found {list(vals)[:4]}"
            )
        out[i] = float(vals[0])
    return out


def _pad(blocks: list[FloatArray], width: int) -> FloatArray:
    """Stack ``(n_i, k)`` blocks into ``(C, width, k)``, padding with NaN."""
    k = blocks[0].shape[1] if blocks else 1
    out = np.full((len(blocks), width, k), np.nan)
    for i, b in enumerate(blocks):
        out[i, : len(b)] = b
    return out


def _fill_unused(xa: FloatArray, mask: np.ndarray) -> None:
    """Give unused points (padding, excluded rows) a finite, harmless ``x`` in place.

    The engine zeroes their weight, but 0 × NaN is NaN: a model value must be finite there, so
    they copy a usable point of their curve (or concentration 0 with unit constants).
    """
    for i in range(xa.shape[0]):
        good = np.flatnonzero(mask[i])
        safe = xa[i, good[0]].copy() if good.size else np.r_[0.0, np.ones(xa.shape[2] - 1)]
        xa[i, ~mask[i]] = safe


def _ci(
    model: Model,
    x: FloatArray,
    y: FloatArray,
    mask: np.ndarray,
    fit: FitResult,
    fixed: Mapping[str, FloatArray],
    lower: Mapping[str, float],
    upper: Mapping[str, float],
    weights: str | None,
    method: CiMethod,
    level: float,
) -> dict[str, tuple[FloatArray, FloatArray]]:
    out: dict[str, tuple[FloatArray, FloatArray]] = {}
    for k, name in enumerate(model.param_names):
        lo, hi = wald_ci(fit.params[:, k], fit.se[:, k], fit.df, level)
        if method == "profile" and fit.free[:, k].any():
            plo, phi = profile_ci(
                model,
                x,
                y,
                mask,
                fit,
                name,
                fixed=fixed,
                lower=lower,
                upper=upper,
                weights=weights,
                level=level,
            )
            lo, hi = np.where(np.isnan(plo), lo, plo), np.where(np.isnan(phi), hi, phi)
        free = fit.free[:, k]
        out[name] = (np.where(free, lo, np.nan), np.where(free, hi, np.nan))
    return out


def fit_competition(
    data: pd.DataFrame,
    *,
    model: CompetitionModel,
    x: str = "conc_M",
    y: str = "response",
    by: str | Sequence[str] = "curve",
    radioligand_M: float | None = None,
    kd_M: float | None = None,
    kd_low_M: float | None = None,
    hot: str = "hot_M",
    hot_cpm: float | None = None,
    specific_activity_cpm_per_fmol: float | None = None,
    volume_mL: float | None = None,
    fix: Mapping[str, float] | None = None,
    weighting: Weighting = "none",
    ci: CiMethod = "wald",
    level: float = 0.95,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Fit a competition model of Prism's menu to every curve; one tidy row per curve.

    Parameters
    ----------
    data
        Tidy table, one row per tube/well: ``by`` column(s), competitor concentration ``x``
        (molar, linear; 0 = no competitor, e.g. total-binding tubes) and response ``y``.
        Never modified.
    model
        ``"fit-ki"``: one site, slope −1, ``logIC50 = log10(Ki·(1 + [L]/Kd))`` with [L]
        (``radioligand_M``) and Kd (``kd_M``) constant, Ki fitted. ``"homologous"``: radioligand
        and competitor are the same compound, ``Y = Bmax·Hot/(Hot + Cold + Kd) + NSB`` (Y in cpm);
        one or two radioligand concentrations (column ``hot``, M) fitted globally with logKd and
        Bmax shared and one NSB per radioligand concentration. ``"depletion"``: heterologous
        one site accounting for ligand depletion (Y = total bound cpm; constants ``hot_cpm``,
        ``kd_M``, ``specific_activity_cpm_per_fmol``, ``volume_mL``; Ki, Bmax and the
        nonspecific fraction NS fitted). ``"two-site"``: fraction of high-affinity sites and two
        logIC50s (also logKi when ``radioligand_M`` and ``kd_M`` are known; ``kd_low_M`` for the
        low-affinity site, default ``kd_M``), compared with one site (slope −1) by the
        extra-sum-of-squares F test and AICc.
    x, y, by
        Column names.
    radioligand_M, kd_M, kd_low_M, hot_cpm, specific_activity_cpm_per_fmol, volume_mL
        Constants of the experiment; when not given as keywords they are read from columns of
        the same name (one value per curve).
    hot
        Column holding the radioligand concentration (M) of each point for ``"homologous"``.
    fix
        Parameters held constant, e.g. ``{"top": 100, "bottom": 0}`` for % specific binding.
    weighting
        ``"none"``, ``"1/y2"`` (relative) or ``"poisson"`` (1/y).
    ci
        ``"wald"`` (estimate ± t·SE) or ``"profile"`` (profile likelihood, F-based as R's
        ``confint``).
    level, alpha
        Confidence level; significance level of the one- vs two-site F test.

    Returns
    -------
    pandas.DataFrame
        One row per curve: the ``by`` column(s); each estimate with ``_se``, ``_ci_low``,
        ``_ci_high`` (fit-ki: ``top, bottom, log_ki``; homologous: ``log_kd, bmax_cpm,
        nsb_cpm, nsb2_cpm``; depletion: ``log_ki, bmax_cpm, ns_fraction``; two-site: ``top,
        bottom, fraction_high, log_ic50_high, log_ic50_low`` and, with the constants,
        ``log_ki_high, log_ki_low``); molar values of log-affinities with their CI (``ki_M``,
        ``kd_M``, ``ic50_high_M``, ...); the constants used; ``rss, df, n, r_squared,
        ci_method, status, flags, message``. Model-specific: homologous ``ic50_M`` (= Hot + Kd);
        depletion ``kd_cpm`` and ``fraction_bound`` (largest bound/added); two-site
        ``rss_one_site, df_one_site, log_ic50_one_site, f, f_p_value, aicc_one_site,
        aicc_two_site, delta_aicc, preferred``.
        ``status`` ∈ {``ok``, ``one_site_preferred``, ``not_identifiable``, ``extrapolated``,
        ``failed``, ``insufficient_data``}; estimates are NaN unless the status is ``ok`` or
        ``one_site_preferred`` (the reason is in ``message``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> conc = np.array([0, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6])
    >>> resp = 100 / (1 + conc / (10e-9 * (1 + 0.5)))   # Ki 10 nM, [L] 0.5 nM, Kd 1 nM
    >>> df = pd.DataFrame({"curve": "a", "conc_M": conc, "response": resp})
    >>> res = fit_competition(df, model="fit-ki", radioligand_M=0.5e-9, kd_M=1e-9,
    ...                       fix={"top": 100, "bottom": 0})
    >>> float(res.loc[0, "ki_M"].round(15)), res.loc[0, "status"]
    (1e-08, 'ok')
    """
    if model not in _REPORT:
        raise FitError(f"unknown competition model {model!r}; use one of {', '.join(_REPORT)}")
    if ci not in ("wald", "profile"):
        raise FitError(f"ci must be 'wald' or 'profile', not {ci!r}")
    if weighting not in ("none", "1/y2", "poisson", None):
        raise FitError(f"weighting must be 'none', '1/y2' or 'poisson', not {weighting!r}")
    by_cols = [by] if isinstance(by, str) else list(by)
    require_columns(data, [*by_cols, x, y], stage=f"competition fit ({model})")
    keys: list[tuple[object, ...]] = []
    groups: list[pd.DataFrame] = []
    if by_cols:
        for key, g in data.groupby(by_cols, sort=True, dropna=False):
            keys.append(key if isinstance(key, tuple) else (key,))
            groups.append(g)
    else:
        keys, groups = [()], [data]
    if not groups or len(data) == 0:
        raise FitError(f"competition fit ({model}): the table has no rows")
    names = [" / ".join(map(str, k)) or "all" for k in keys]
    out = pd.DataFrame(keys, columns=by_cols) if by_cols else pd.DataFrame(index=[0])
    conc = [pd.to_numeric(g[x], errors="coerce").to_numpy(float) for g in groups]
    resp = [pd.to_numeric(g[y], errors="coerce").to_numpy(float) for g in groups]
    flags: list[list[str]] = [[] for _ in groups]
    for i in range(len(groups)):
        neg = np.isfinite(conc[i]) & (conc[i] < 0)
        miss = ~(np.isfinite(conc[i]) & np.isfinite(resp[i])) | neg
        if miss.any():
            flags[i].append(f"excluded_points:{int(miss.sum())}")
        conc[i] = np.where(miss, np.nan, conc[i])

    const: dict[str, FloatArray] = {}
    extra: list[FloatArray]
    if model in ("fit-ki", "two-site"):
        need_ki = model == "fit-ki" or (
            (radioligand_M is not None or "radioligand_M" in data.columns)
            and (kd_M is not None or "kd_M" in data.columns)
        )
        if need_ki:
            const["radioligand_M"] = _constant(
                data, groups, names, radioligand_M, "radioligand_M", what="[L] (radioligand, M)"
            )
            const["kd_M"] = _constant(data, groups, names, kd_M, "kd_M", what="Kd (M)")
            if np.any(const["kd_M"] <= 0):
                raise FitError("Kd of the radioligand must be > 0 M")
            f1 = 1.0 + const["radioligand_M"] / const["kd_M"]
            f2 = f1
            if model == "two-site":
                kd2 = const["kd_M"] if kd_low_M is None else np.full(len(groups), float(kd_low_M))
                const["kd_low_M"] = kd2
                f2 = 1.0 + const["radioligand_M"] / kd2
        else:
            f1 = f2 = np.ones(len(groups))
        # two sites are fitted as logIC50s; their logKi differ by the constant log10(1 + L/Kd)
        # (same SE and CI), so the model's factors are 1 there
        one = np.ones(len(groups))
        facs = [f1] if model == "fit-ki" else [one, one]
        extra = [
            np.stack([np.full_like(c, f[i]) for f in facs], axis=1) for i, c in enumerate(conc)
        ]
        fitted_model = ONE_SITE if model == "fit-ki" else TWO_SITE
    elif model == "homologous":
        hots = [
            pd.to_numeric(g[hot], errors="coerce").to_numpy(float) if hot in g else None
            for g in groups
        ]
        if any(h is None for h in hots):
            raise SchemaError(f"homologous competition needs the radioligand column {hot!r} (M)")
        levels = [np.unique(h[np.isfinite(h)]) for h in hots if h is not None]
        n_sets = max(len(lv) for lv in levels)
        if n_sets not in (1, 2) or min(len(lv) for lv in levels) < 1:
            raise FitError(
                "homologous competition takes one or two radioligand concentrations per curve; "
                f"found {[len(lv) for lv in levels]}"
            )
        const["hot_M"] = np.array([lv[0] for lv in levels])
        const["hot2_M"] = np.array([lv[1] if len(lv) > 1 else np.nan for lv in levels])
        extra = []
        for i, h in enumerate(hots):
            assert h is not None
            conc[i] = np.where(np.isfinite(h) & (h > 0), conc[i], np.nan)
            extra.append(
                np.stack([h, (h == levels[i][-1]) & (len(levels[i]) > 1)], axis=1).astype(float)
            )
        fitted_model = homologous_model(n_sets)
    else:
        const["hot_cpm"] = _constant(
            data, groups, names, hot_cpm, "hot_cpm", what="Hot (cpm added)"
        )
        const["kd_M"] = _constant(data, groups, names, kd_M, "kd_M", what="Kd (M)")
        sa = _constant(
            data,
            groups,
            names,
            specific_activity_cpm_per_fmol,
            "specific_activity_cpm_per_fmol",
            what="specific activity (cpm/fmol)",
        )
        vol = _constant(data, groups, names, volume_mL, "volume_mL", what="volume (mL)")
        const["specific_activity_cpm_per_fmol"], const["volume_mL"] = sa, vol
        # Kd [nM] · SpAct [cpm/fmol] · vol [mL] · 1000 = Kd in cpm (Prism)
        const["kd_cpm"] = const["kd_M"] * 1e9 * sa * vol * 1000.0
        extra = [
            np.stack(
                [np.full_like(c, const["hot_cpm"][i]), np.full_like(c, const["kd_cpm"][i])], axis=1
            )
            for i, c in enumerate(conc)
        ]
        fitted_model = DEPLETION

    width = max((len(c) for c in conc), default=0)
    xa = _pad([np.column_stack([c, e]) for c, e in zip(conc, extra, strict=True)], width)
    ya = _pad([r[:, None] for r in resp], width)[..., 0]
    mask = np.isfinite(ya) & np.all(np.isfinite(xa), axis=-1)
    _fill_unused(xa, mask)
    fixed_in = dict(fix or {})
    # parameters may be named as the engine does (log_k) or as the result columns (log_ki)
    alias = {p.column: p.name for p in _REPORT[model]}
    fixed: dict[str, FloatArray] = {}
    for name, value in fixed_in.items():
        pname = alias.get(name, name)
        if pname not in fitted_model.param_names:
            known = ", ".join(
                p.column for p in _REPORT[model] if p.name in fitted_model.param_names
            )
            raise FitError(f"cannot fix {name!r}: the {model} parameters are {known}")
        fixed[pname] = np.full(len(groups), float(value))
    two = model == "two-site"
    lower: dict[str, float] = {"fraction_high": 0.0} if two else {}
    upper: dict[str, float] = {"fraction_high": 1.0} if two else {}
    weights = None if weighting in (None, "none") else weighting
    n_free = fitted_model.n_params - len(fixed)
    n_conc = np.array([len(np.unique(c[np.isfinite(c)])) for c in conc])
    n_pts = mask.sum(axis=1)
    # distinct concentrations needed: one per free parameter (the NSB of a second radioligand
    # concentration in homologous competition is set by the same concentrations)
    n_sets_extra = 1 if "nsb2" in fitted_model.param_names and "nsb2" not in fixed else 0
    enough = (n_pts > n_free) & (n_conc >= n_free - n_sets_extra)

    fit = least_squares(
        fitted_model, xa, ya, mask, fixed=fixed, lower=lower, upper=upper, weights=weights
    )
    if model == "two-site":
        fit = _order_sites(fitted_model, xa, ya, mask, fit, fixed, lower, upper, weights)
    cis = _ci(fitted_model, xa, ya, mask, fit, fixed, lower, upper, weights, ci, level)

    # --- the table -------------------------------------------------------------------------
    for p in _REPORT[model]:
        if p.name not in fitted_model.param_names:
            continue
        k = fitted_model.index(p.name)
        est, se = fit.params[:, k], np.where(fit.free[:, k], fit.se[:, k], np.nan)
        lo, hi = cis[p.name]
        out[p.column], out[f"{p.column}_se"] = est, se
        out[f"{p.column}_ci_low"], out[f"{p.column}_ci_high"] = lo, hi
        if p.molar:
            with np.errstate(over="ignore"):
                out[p.molar] = 10.0**est
                out[f"{p.molar}_ci_low"], out[f"{p.molar}_ci_high"] = 10.0**lo, 10.0**hi
    if model == "two-site" and "radioligand_M" in const:
        for site, fac in (("high", f1), ("low", f2)):
            shift = np.log10(fac)
            stem = f"log_ki_{site}"
            out[stem] = out[f"log_ic50_{site}"] - shift
            out[f"{stem}_se"] = out[f"log_ic50_{site}_se"]
            out[f"{stem}_ci_low"] = out[f"log_ic50_{site}_ci_low"] - shift
            out[f"{stem}_ci_high"] = out[f"log_ic50_{site}_ci_high"] - shift
            out[f"ki_{site}_M"] = 10.0 ** out[stem]
    if model == "fit-ki":
        out["log_ic50"] = out["log_ki"] + np.log10(f1)
        out["ic50_M"] = 10.0 ** out["log_ic50"]
    for name, vals in const.items():
        out[name] = vals
    if model == "homologous":
        out["ic50_M"] = const["hot_M"] + out["kd_M"]
    out["rss"], out["df"], out["n"] = fit.rss, fit.df, fit.n
    out["r_squared"] = fit.r_squared
    out["ci_method"] = ci

    for rep in _REPORT[model]:  # a profile that never reaches the cut-off: say so
        if f"{rep.column}_ci_low" in out:
            lo_ci = out[f"{rep.column}_ci_low"].to_numpy(float)
            hi_ci = out[f"{rep.column}_ci_high"].to_numpy(float)
            for j in np.flatnonzero(np.isinf(lo_ci) | np.isinf(hi_ci)):
                flags[int(j)].append(f"{rep.column}_ci_unbounded")
    status = np.array(["ok"] * len(groups), dtype=object)
    message = [""] * len(groups)
    judge(
        model,
        fitted_model,
        fit,
        out,
        const,
        conc,
        resp,
        enough,
        status,
        flags,
        message,
        names,
        alpha,
    )
    if model == "two-site":
        compare_one_site(
            xa, ya, mask, fit, fixed, weights, alpha, out, status, flags, message, names
        )
    bad = ~np.isin(status, ["ok", "one_site_preferred"])
    keep = {*by_cols, *const, *_NOT_ESTIMATES}
    est_cols = [c for c in out.columns if c not in keep]
    out.loc[bad, est_cols] = np.nan
    out["status"] = status
    out["flags"] = [";".join(f) for f in flags]
    out["message"] = message
    out.attrs["fit"] = {
        "model": model,
        "engine_model": fitted_model.name,
        "param_names": fitted_model.param_names,
        "fix": fixed_in,
        "weighting": weighting,
        "ci": ci,
        "level": level,
        "alpha": alpha,
    }
    return out


def _order_sites(
    model: Model,
    xa: FloatArray,
    ya: FloatArray,
    mask: np.ndarray,
    fit: FitResult,
    fixed: Mapping[str, FloatArray],
    lower: Mapping[str, float],
    upper: Mapping[str, float],
    weights: str | None,
) -> FitResult:
    """Label the sites so that ``log_k_high < log_k_low`` (refit the swapped curves from there)."""
    kh, kl, kf = model.index("log_k_high"), model.index("log_k_low"), model.index("fraction_high")
    swap = fit.params[:, kh] > fit.params[:, kl]
    if not swap.any():
        return fit
    p0 = fit.params.copy()
    p0[swap, kh], p0[swap, kl] = fit.params[swap, kl], fit.params[swap, kh]
    p0[swap, kf] = 1.0 - fit.params[swap, kf]
    return least_squares(
        model, xa, ya, mask, p0=p0, fixed=fixed, lower=lower, upper=upper, weights=weights
    )
