"""The whole saturation analysis as one pure call: tubes in, :class:`~assaykit.result.AssayResult` out.

:func:`analyze_saturation` fits (:func:`~assaykit.binding.saturation.fit_saturation`), draws the
isotherm and the Scatchard picture for every curve, and writes the QC rows, the console summary
("Kd 2.01 nM (95% CI 1.7–2.4), Bmax 2000 cpm = 1541 sites/cell"), the methods paragraph and the
n statement. Nothing is read or written here.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

from assaykit.binding.saturation import (
    CiMethod,
    FreeLigand,
    RadioligandSetup,
    SaturationModel,
    fit_saturation,
    prepare_points,
)
from assaykit.binding.saturation_figures import plot_saturation, plot_scatchard
from assaykit.result import AssayResult, Figure, qc_row, qc_table

__all__ = ["analyze_saturation", "summary_line"]

_MODEL_WORDS = {
    "total-nsb": "one site, total and nonspecific binding fitted globally "
    "(total = Bmax·X/(Kd+X) + NS·X + Bkg, nonspecific = NS·X + Bkg, NS and Bkg shared)",
    "total": "one site, total binding (Bmax·X/(Kd+X) + NS·X + Bkg)",
    "specific": "one site, specific binding (Bmax·X/(Kd+X)) on total − mean nonspecific binding",
    "two-site": "two sites, specific binding (BmaxHi·X/(KdHi+X) + BmaxLo·X/(KdLo+X))",
    "hill": "specific binding with a Hill slope (Bmax·X^h/(Kd^h+X^h))",
}


def _fmt(v: float, digits: int = 3) -> str:
    return "n/a" if v is None or not math.isfinite(v) else f"{v:.{digits}g}"


def summary_line(row: pd.Series) -> str:
    """One console line per curve: Kd with its CI, Bmax in cpm and sites per cell, or the verdict.

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.Series({"curve": "A", "status": "ok", "kd_M": 2.01e-9, "kd_M_ci_low": 1.7e-9,
    ...     "kd_M_ci_high": 2.4e-9, "bmax_cpm": 2000.0, "sites_per_cell": 1541.3, "flags": ""})
    >>> summary_line(r)
    'A: Kd 2.01 nM (95% CI 1.7–2.4), Bmax 2000 cpm = 1541 sites/cell'
    """
    name = row["curve"]
    if row["status"] != "ok":
        return f"{name}: {row['status']} — {row.get('message', '')}"
    parts = []
    kd = row.get("kd_M", np.nan)
    if kd is not None and math.isfinite(kd):
        parts.append(
            f"Kd {_fmt(kd * 1e9)} nM (95% CI {_fmt(row['kd_M_ci_low'] * 1e9, 2)}–"
            f"{_fmt(row['kd_M_ci_high'] * 1e9, 2)})"
        )
    else:
        parts.append(
            f"Kd(high) {_fmt(row.get('kd_hi_M', np.nan) * 1e9)} nM, "
            f"Kd(low) {_fmt(row.get('kd_lo_M', np.nan) * 1e9)} nM"
        )
    b = f"Bmax {row['bmax_cpm']:.4g} cpm"
    spc = row.get("sites_per_cell", np.nan)
    if spc is not None and math.isfinite(spc):
        b += f" = {spc:.0f} sites/cell"
    elif math.isfinite(row.get("bmax_fmol", np.nan) or np.nan):
        b += f" = {row['bmax_fmol']:.3g} fmol"
    parts.append(b)
    line = f"{name}: " + ", ".join(parts)
    if row.get("flags"):
        line += f" [{row['flags']}]"
    return line


def _qc(
    points: pd.DataFrame, fits: pd.DataFrame, setup: RadioligandSetup, attrs: dict[str, Any]
) -> pd.DataFrame:
    rows = []
    if "decay_corrected" in attrs:  # tubes made from counts by assaykit.layout.saturation
        exp = attrs.get("experiment", {})
        if attrs["decay_corrected"]:
            text = f"net cpm decay-corrected to {exp.get('molar_activity_time')} ({exp.get('isotope')})"
        else:
            text = (
                "net cpm not decay-corrected (isotope, molar activity reference time or count "
                "time stamps missing): fmol and sites/cell assume counting at that time"
            )
        rows.append(qc_row("info", "counts", text))
        if "background_cpm" in attrs:
            rows.append(
                qc_row(
                    "info",
                    "counts",
                    f"blank (background) {attrs['background_cpm']:.1f} cpm subtracted",
                )
            )
    for idx, r in points[~points["used"]].iterrows():
        rows.append(
            qc_row(
                "warning",
                f"curve {r['curve']}, row {idx}",
                f"{r['kind']} tube at {r['conc_M']:g} M, response {r['response']:g}: not used "
                "(missing value, concentration ≤ 0 or bound ≥ added)",
            )
        )
    for _, r in fits.iterrows():
        where = f"curve {r['curve']}"
        if r["status"] != "ok":
            rows.append(qc_row("warning", where, f"{r['status']}: {r['message']}"))
        elif r["flags"]:
            rows.append(qc_row("warning", where, f"{r['flags']}: {r['message']}"))
        if not math.isfinite(r.get("max_fraction_bound", np.nan)):
            rows.append(
                qc_row(
                    "info",
                    where,
                    "ligand depletion not checked: no added-radioligand standards and no "
                    "efficiency + molar activity + volume; X taken as the added concentration",
                )
            )
    if setup.efficiency is None or setup.molar_activity_GBq_per_umol is None:
        rows.append(
            qc_row(
                "info",
                "setup",
                "Bmax in cpm only: efficiency and molar activity are needed for fmol and sites/cell",
            )
        )
    return qc_table(rows)


def _methods(fits: pd.DataFrame, ci_method: str, weighting: str, fit_bkg: bool) -> str:
    from assaykit import __version__

    models = sorted(set(fits["model"]))
    words = "; ".join(_MODEL_WORDS[m] for m in models)
    ci = (
        "profile-likelihood 95 % confidence intervals"
        if ci_method == "profile"
        else "Wald 95 % confidence intervals (on log10 Kd)"
    )
    text = (
        f"Saturation binding was analysed with assaykit {__version__} by nonlinear least squares "
        f"({'unweighted' if weighting == 'none' else 'weighted by 1/Y'}; model: {words}). "
        f"{'Bkg was fitted. ' if fit_bkg else 'Bkg was fixed at 0. ' if any(m in ('total', 'total-nsb') for m in models) else ''}"
        "X is the free radioligand concentration (added, or added − bound where more than 10 % "
        "of the added radioligand was bound). Kd was fitted as log10 Kd and is reported with its "
        f"standard error and {ci}; Bmax was converted to fmol as cpm/(efficiency · dpm per fmol) "
        "and to sites per cell with Avogadro's number. One and two sites were compared by the "
        "extra-sum-of-squares F test and AICc. Scatchard plots are shown as pictures only."
    )
    return text


def analyze_saturation(
    data: pd.DataFrame,
    *,
    model: SaturationModel = "auto",
    setup: RadioligandSetup | None = None,
    free_ligand: FreeLigand = "auto",
    depletion_limit: float = 0.10,
    fit_bkg: bool = False,
    ci_method: CiMethod = "profile",
    weighting: Any = "none",
    compare_two_sites: bool = True,
) -> AssayResult:
    """Fit, judge and draw saturation binding: the pure analysis behind ``assaykit saturation``.

    Parameters
    ----------
    data
        Tubes as for :func:`~assaykit.binding.saturation.fit_saturation` (``conc_M``,
        ``response``, ``kind``, optional ``curve``, ``added_cpm``).
    model, setup, free_ligand, depletion_limit, fit_bkg, ci_method, weighting, compare_two_sites
        As in :func:`~assaykit.binding.saturation.fit_saturation`.

    Returns
    -------
    AssayResult
        Tables ``results`` (one row per curve) and ``points`` (every tube with its free
        concentration and fraction bound), figures ``saturation_<curve>`` and
        ``scatchard_<curve>``, QC, summary, methods and n statement.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> x = np.array([0.25, 0.5, 1, 2, 4, 8, 16])
    >>> d = pd.concat([pd.DataFrame({"conc_M": x * 1e-9, "response": 2000 * x / (2 + x) + 50 * x, "kind": "total"}),
    ...                pd.DataFrame({"conc_M": x * 1e-9, "response": 50 * x, "kind": "nsb"})])
    >>> res = analyze_saturation(d, compare_two_sites=False)
    >>> res.summary[0]
    'saturation: Kd 2 nM (95% CI 2–2), Bmax 2000 cpm'
    >>> sorted(res.figures)
    ['saturation_saturation', 'scatchard_saturation']
    """
    setup = setup or RadioligandSetup()
    fits = fit_saturation(
        data,
        model=model,
        setup=setup,
        free_ligand=free_ligand,
        depletion_limit=depletion_limit,
        fit_bkg=fit_bkg,
        ci_method=ci_method,
        weighting=weighting,
        compare_two_sites=compare_two_sites,
    )
    points = prepare_points(
        data, setup=setup, free_ligand=free_ligand, depletion_limit=depletion_limit
    )
    figures: dict[str, Figure] = {}
    drawable = set(points.loc[points["used"] & (points["kind"] != "nsb"), "curve"])
    for cv in fits["curve"]:
        if cv not in drawable:  # nothing to draw (the QC table says why)
            continue
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(cv))
        figures[f"saturation_{safe}"] = Figure(
            plot_saturation(points, fits, cv),
            width=6.0,
            height=4.5,
            caption=f"{cv}: total, nonspecific and specific binding vs free radioligand",
        )
        figures[f"scatchard_{safe}"] = Figure(
            plot_scatchard(points, fits, cv),
            width=5.0,
            height=4.0,
            caption=f"{cv}: Scatchard transform (picture only)",
        )
    n_tubes = int(points["used"].sum())
    n_curves = len(fits)
    n_statement = (
        f"n = {n_tubes} tubes in {n_curves} saturation curve(s); each curve is one experiment, "
        "tubes are technical replicates (the CIs describe the fit, not between-experiment spread)"
    )
    keep = ["curve", "kind", "conc_M", "free_M", "response", "fraction_bound", "used"]
    keep += [c for c in ("added_cpm",) if c in points.columns]
    settings = {
        "model": model,
        "free_ligand": free_ligand,
        "depletion_limit": depletion_limit,
        "fit_bkg": fit_bkg,
        "ci_method": ci_method,
        "weighting": weighting,
        "compare_two_sites": compare_two_sites,
        **{f"setup.{k}": v for k, v in dataclasses.asdict(setup).items()},
    }
    return AssayResult(
        assay="saturation",
        tables={"results": fits, "points": points[keep].reset_index(drop=True)},
        figures=figures,
        settings=settings,
        qc=_qc(points, fits, setup, {str(k): v for k, v in data.attrs.items()}),
        summary=[summary_line(r) for _, r in fits.iterrows()],
        methods=_methods(fits, ci_method, str(weighting), fit_bkg),
        n_statement=n_statement,
    )
