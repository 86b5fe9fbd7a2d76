"""The whole kinetics analysis as one pure call: counts or responses in, an ``AssayResult`` out."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from assaykit.binding.kinetics import CIMethod, KineticsModel, Weighting, fit_kinetics
from assaykit.binding.kinetics_counting import kinetics_responses
from assaykit.binding.kinetics_figures import plot_kinetics, plot_kobs
from assaykit.result import AssayResult, Figure, qc_row, qc_table

__all__ = ["analyze_kinetics"]

_COUNT_COLUMNS = {"role", "measured_at", "count_time_s"}
_TITLES = {
    "dissociation": "dissociation",
    "association": "association at each concentration",
    "association_global": "global association",
    "association_dissociation": "association then dissociation",
    "competition": "competition kinetics (Motulsky–Mahan)",
}
_WEIGHTS = {
    "none": "unweighted",
    "counting": "counting-weighted (1/SD², the Poisson SD of each decay-corrected point)",
    "1/y2": "relatively weighted (1/Y²)",
    "poisson": "Poisson-weighted (1/Y)",
}


def _fmt(v: float, unit: str) -> str:
    return "n/a" if not math.isfinite(v) else f"{v:.3g} {unit}"


def _ci(row: pd.Series, col: str, unit: str) -> str:
    est, lo, hi = (
        row.get(col, math.nan),
        row.get(col + "_ci_low", math.nan),
        row.get(col + "_ci_high", math.nan),
    )
    if not math.isfinite(est):
        return "n/a"
    return f"{est:.3g} {unit} (95 % CI {lo:.3g} to {hi:.3g})"


def _summary_line(row: pd.Series, unit: str) -> str:
    head = f"{row['curve']}" + (
        f" [{row['conc_M']:.3g} M]" if row["model"] == "association" else ""
    )
    if row["status"] != "ok":
        return f"{head}: {row['status']}: {row['message']}"
    parts = []
    for col, u, label in (
        ("kon_per_M_min", "M⁻¹·min⁻¹", "kon"),
        ("koff_per_min", "min⁻¹", "koff"),
        ("kobs_per_min", "min⁻¹", "kobs"),
        ("kd_M", "M", "kinetic Kd"),
        ("t_half_min", "min", "t½"),
        ("residence_time_min", "min", "residence time"),
    ):
        if col in row.index and math.isfinite(row[col]):
            parts.append(f"{label} {_ci(row, col, u)}")
    if "kd_ratio" in row.index and math.isfinite(row["kd_ratio"]):
        parts.append(f"kinetic/equilibrium Kd {row['kd_ratio']:.3g}")
    flags = f" [{row['flags']}]" if row["flags"] else ""
    return f"{head}: " + "; ".join(parts) + flags


def _methods(model: str, settings: dict[str, Any], decay: bool | None) -> str:
    """The methods paragraph; ``decay`` None: responses were given (no counting step here)."""
    from assaykit import __version__

    eq = {
        "dissociation": "a one-phase exponential decay to a nonspecific plateau, Y = (Y0 − NS)·exp(−koff·t) + NS",
        "association": "a one-phase association at each radioligand concentration, Y = Ymax·(1 − exp(−kobs·t))",
        "association_global": (
            "a global association model shared over all radioligand concentrations (kobs = kon·[L] + koff, "
            "Ymax = Bmax·[L]/([L] + koff/kon))"
        ),
        "association_dissociation": (
            "Prism's association-then-dissociation model (Time0 and [L] fixed; kon, koff, Bmax, NS fitted)"
        ),
        "competition": (
            "the kinetics-of-competitive-binding model of Motulsky & Mahan (Mol Pharmacol 1984), the "
            "radioligand's kon and koff fixed and the competitor's kon and koff fitted"
        ),
    }[model]
    counting = (
        "Counts were background-subtracted and decay-corrected to one reference time with each tube's own "
        "count start and count length (including decay during the count); specific binding = total − NSB at "
        "the same radioligand concentration, NSB interpolated linearly in time. "
        if decay
        else "Counts were not decay-corrected. "
        if decay is not None
        else "Specific binding was given as responses (no counting step in this analysis). "
    )
    ci = "profile-likelihood" if settings["ci_method"] == "profile" else "Wald (estimate ± t·SE)"
    return (
        counting + f"Specific binding against time was fitted by {_WEIGHTS[settings['weighting']]} "
        f"nonlinear least squares (Levenberg–Marquardt, assaykit {__version__}) to {eq}. "
        f"Standard errors from s²(Jᵀ{'W' if settings['weighting'] != 'none' else ''}J)⁻¹; {settings['level'] * 100:g} % confidence intervals {ci}; "
        "the kinetic Kd = koff/kon with a delta-method SE"
        + (
            " and profile limits (Kd refitted as a parameter)"
            if settings["ci_method"] == "profile"
            else ""
        )
        + "; t½ = ln 2/koff and residence time = 1/koff with limits mapped from koff's."
    )


def analyze_kinetics(
    data: pd.DataFrame,
    *,
    model: KineticsModel = "association_global",
    reference_time: Any = None,
    isotope: str | None = None,
    half_life: Any = None,
    time_zero: Any = None,
    dissociation_start: Any = None,
    decay: bool = True,
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
) -> AssayResult:
    """Analyse a kinetics experiment: counting corrections, fit, verdicts, figures and words.

    Parameters
    ----------
    data
        Either an annotated counter table (``role``, ``measured_at``, ``count_time_s``,
        ``counts``/``cpm``, ``time_min`` or ``stopped_at``, ``conc_M``, ...; see
        :func:`~assaykit.binding.kinetics_counting.kinetics_responses`, which then needs
        ``reference_time`` and ``isotope``) or a tidy response table for
        :func:`~assaykit.binding.kinetics.fit_kinetics`.
    model, koff_per_min, koff_se, equilibrium_kd_M, radioligand_kon_per_M_min, radioligand_koff_per_min, dissociation_start_min, ci_method, weighting, level, kd_ratio_limit
        As in :func:`~assaykit.binding.kinetics.fit_kinetics`.
    reference_time, isotope, half_life, time_zero, dissociation_start, decay
        As in :func:`~assaykit.binding.kinetics_counting.kinetics_responses`.

    Returns
    -------
    AssayResult
        Tables ``kinetics`` (the fit rows; results.csv), ``kobs`` (per-concentration kobs, for
        the global association model), ``responses`` (the fitted points); figures
        ``kinetics_<curve>`` and ``kobs_<curve>``; settings; QC; summary; methods; n statement.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.array([1, 2, 4, 6, 10, 15, 20, 30, 45, 60.0])
    >>> rows = [pd.DataFrame({"time_min": t, "conc_M": c * 1e-9,
    ...                       "response": 1000 * c / (c + 1) * (1 - np.exp(-(0.1 * c + 0.1) * t))})
    ...         for c in (0.5, 1.0, 3.0)]
    >>> res = analyze_kinetics(pd.concat(rows), equilibrium_kd_M=1.2e-9)
    >>> print(res.summary[0])  # doctest: +ELLIPSIS
    curve 1: kon 1e+08 M⁻¹·min⁻¹ (95 % CI 1e+08 to 1e+08); koff 0.1 min⁻¹ ...; kinetic/equilibrium Kd 0.833
    """
    counted = _COUNT_COLUMNS.issubset(data.columns)
    qc_rows: list[dict[Any, Any]] = []
    tables: dict[str, pd.DataFrame] = {}
    standards = math.nan
    if counted:
        counts = kinetics_responses(
            data,
            reference_time=reference_time,
            isotope=isotope,
            half_life=half_life,
            time_zero=time_zero,
            dissociation_start=dissociation_start,
            decay=decay,
        )
        responses = counts.responses
        qc_rows += counts.qc.to_dict("records")
        standards = counts.standards_cpm
    else:
        responses = data.copy()
    fit_kw: dict[str, Any] = dict(  # noqa: C408
        koff_per_min=koff_per_min,
        koff_se=koff_se,
        equilibrium_kd_M=equilibrium_kd_M,
        radioligand_kon_per_M_min=radioligand_kon_per_M_min,
        radioligand_koff_per_min=radioligand_koff_per_min,
        dissociation_start_min=dissociation_start_min,
        ci_method=ci_method,
        weighting=weighting,
        level=level,
        kd_ratio_limit=kd_ratio_limit,
    )
    fits = fit_kinetics(responses, model=model, **fit_kw)
    tables["kinetics"] = fits
    per_conc = None
    if model == "association_global":
        per_conc = fit_kinetics(responses, model="association", **{**fit_kw, "koff_per_min": None})
        tables["kobs"] = per_conc
    tables["responses"] = responses.reset_index(drop=True)
    for _, row in fits.iterrows():
        where = str(row["curve"])
        if row["status"] != "ok":
            qc_rows.append(qc_row("warning", where, f"{row['status']}: {row['message']}"))
        elif row["flags"]:
            qc_rows.append(qc_row("warning", where, f"{row['flags']}: {row['message']}"))
    figures: dict[str, Figure] = {}
    curve_col = responses["curve"].astype(str) if "curve" in responses.columns else None
    for curve, frow in fits.groupby("curve", sort=False):
        sub = responses if curve_col is None else responses[curve_col == curve]
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(curve))
        figures[f"kinetics_{safe}"] = Figure(
            plot_kinetics(sub, frow, title=f"{curve}: {_TITLES[model]}"),
            width=6.5,
            height=4.5,
            caption="Specific binding against time with the fitted curves",
        )
        if per_conc is not None:
            pc = per_conc[per_conc["curve"] == curve]
            figures[f"kobs_{safe}"] = Figure(
                plot_kobs(pc, frow.iloc[0], title=f"{curve}: kobs against [L]"),
                width=5.0,
                height=4.0,
                caption="kobs of each concentration with the global fit's line",
            )
    settings: dict[str, Any] = {"model": model, "decay_corrected": bool(decay) if counted else None}
    settings.update(fit_kw)
    settings.update(
        reference_time=None if reference_time is None else str(reference_time),
        isotope=isotope,
        half_life=None if half_life is None else str(half_life),
    )
    summary = [_summary_line(r, "cpm") for _, r in fits.iterrows()]
    if math.isfinite(standards):
        summary.append(f"added activity (standards): {standards:.6g} cpm at the reference time")
    n_tubes = len(responses)
    n_times = responses["time_min"].nunique()
    n_conc = responses["conc_M"].nunique()
    n_statement = (
        f"n = {n_tubes} total-binding tubes at {n_times} times and {n_conc} radioligand "
        f"concentration(s), one experiment: the SEs and CIs describe the fit of this experiment, "
        "not the spread between independent experiments."
    )
    return AssayResult(
        assay="kinetics",
        tables=tables,
        figures=figures,
        settings=settings,
        qc=qc_table(qc_rows),
        summary=summary,
        methods=_methods(model, settings, bool(decay) if counted else None),
        n_statement=n_statement,
        data={"responses": responses},
    )
