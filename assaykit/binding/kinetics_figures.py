"""Figures of binding kinetics (plotnine builders; they return a ggplot and never save).

- :func:`plot_kinetics`: specific binding against time, one colour per radioligand (or competitor)
  concentration, points = mean ± SD of the replicate tubes at each time, lines = the fitted model
  drawn densely from the fit's parameters (so a Motulsky–Mahan overshoot is visible);
- :func:`plot_kobs`: kobs of each concentration (one-concentration fits, 95 % CI bars) against
  [L], with the global fit's line ``kobs = kon·[L] + koff``.

:func:`kinetics_curve` evaluates a fitted row at any times (used by both figures and by tests).
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import numpy as np
import pandas as pd

from assaykit.binding.kinetics_models import (
    ASSOCIATION,
    ASSOCIATION_DISSOCIATION,
    ASSOCIATION_GLOBAL,
    DISSOCIATION,
    MOTULSKY_MAHAN,
)
from assaykit.errors import SchemaError
from assaykit.schema import require_columns

__all__ = ["kinetics_curve", "plot_kinetics", "plot_kobs"]

NM = 1e9


def _amp(row: pd.Series, name: str) -> float:
    hits = [
        c
        for c in row.index
        if c.startswith(f"{name}_") and not c.endswith(("_se", "_ci_low", "_ci_high"))
    ]
    if not hits:
        raise SchemaError(f"fit row has no {name}_<unit> column")
    return float(row[hits[0]])


def kinetics_curve(
    row: pd.Series, time_min: Any, conc_M: float = math.nan, competitor_conc_M: float = 0.0
) -> np.ndarray:
    """Values of the fitted model of ``row`` (a row of :func:`fit_kinetics`) at ``time_min``.

    Examples
    --------
    >>> import pandas as pd
    >>> row = pd.Series({"model": "association_global", "kon_per_M_min": 1e8,
    ...                  "koff_per_min": 0.1, "bmax_cpm": 1000.0})
    >>> kinetics_curve(row, [1.0, 5.0, 30.0], 1e-9).round(2)
    array([ 90.63, 316.06, 498.76])
    """
    t = np.atleast_1d(np.asarray(time_min, dtype=float))[None]
    full = np.full_like(t, 1.0)
    m = str(row["model"])
    if m == "dissociation":
        p = [_amp(row, "y0"), row["koff_per_min"], _amp(row, "ns")]
        return DISSOCIATION.eval(t, np.array([p], float))[0]
    if m == "association":
        return ASSOCIATION.eval(t, np.array([[_amp(row, "ymax"), row["kobs_per_min"]]], float))[0]
    kon = float(row["kon_per_M_min"]) / NM
    conc = full * conc_M * NM
    if m == "association_global":
        x = np.stack([t, conc], axis=-1)
        return ASSOCIATION_GLOBAL.eval(
            x, np.array([[kon, row["koff_per_min"], _amp(row, "bmax")]])
        )[0]
    if m == "association_dissociation":
        x = np.stack([t, conc, full * float(row["dissociation_start_min"])], axis=-1)
        p = [kon, row["koff_per_min"], _amp(row, "bmax"), _amp(row, "ns")]
        return ASSOCIATION_DISSOCIATION.eval(x, np.array([p], float))[0]
    if m == "competition":
        x = np.stack([t, conc, full * competitor_conc_M * NM], axis=-1)
        p = [
            float(row["radioligand_kon_per_M_min"]) / NM,
            row["radioligand_koff_per_min"],
            kon,
            row["koff_per_min"],
            _amp(row, "bmax"),
        ]
        return MOTULSKY_MAHAN.eval(x, np.array([p], float))[0]
    raise SchemaError(f"unknown kinetics model {m!r}")


def _conc_label(v: float) -> str:
    from assaykit.units import format_molar

    return "0" if v == 0 else format_molar(v)


def plot_kinetics(
    data: pd.DataFrame,
    fits: pd.DataFrame,
    *,
    response_unit: str = "cpm",
    title: str | None = None,
    n_points: int = 300,
) -> Any:
    """Specific binding against time with the fitted curves, one colour per concentration.

    Parameters
    ----------
    data
        The table given to :func:`fit_kinetics` (``time_min``, ``response``, ``conc_M``, and
        ``competitor_conc_M`` for competition; ``kind`` with dissociation times after their start).
    fits
        Its result (rows with ``status == 'ok'`` get a line; the others are named in the caption).
    """
    from plotnine import aes, geom_line, geom_linerange, geom_point, ggplot, labs

    from assaykit.report.figures import theme_assaykit

    require_columns(data, ["time_min", "response", "conc_M"], stage="kinetics figure")
    d = data.copy()
    model = str(fits["model"].iloc[0])
    if model == "association_dissociation" and "kind" in d.columns:
        t0 = float(fits["dissociation_start_min"].iloc[0])
        d.loc[d["kind"] == "dissociation", "time_min"] += t0
    by_comp = model == "competition"
    key = "competitor_conc_M" if by_comp else "conc_M"
    if key not in d.columns:
        d[key] = 0.0
    d["series"] = d[key].map(_conc_label)
    pts = (
        d.groupby(["series", key, "time_min"], as_index=False)["response"]
        .agg(mean="mean", sd="std", n="count")
        .fillna({"sd": 0.0})
    )
    order = [_conc_label(v) for v in sorted(d[key].unique())]
    lines = []
    for _, row in fits.iterrows():
        if row["status"] != "ok":
            continue
        levels = sorted(d[key].unique()) if model != "association" else [row["conc_M"]]
        tmax = float(d["time_min"].max())
        tt = np.linspace(0.0, tmax, n_points)
        for lv in levels:
            conc = float(lv) if not by_comp else float(d["conc_M"].iloc[0])
            comp = float(lv) if by_comp else 0.0
            y = kinetics_curve(row, tt, conc, comp)
            lines.append(pd.DataFrame({"time_min": tt, "fit": y, "series": _conc_label(float(lv))}))
    pts["series"] = pd.Categorical(pts["series"], categories=order)
    legend = "Competitor" if by_comp else "Radioligand"
    n_tubes = int(d["response"].notna().sum())
    caption = (
        f"Points: mean ± SD of the replicates at each time (n = {n_tubes} tubes or points in all); "
        f"lines: {model.replace('_', ' ')} fit."
    )
    bad = fits[fits["status"] != "ok"]
    if not bad.empty:
        caption += " Not drawn: " + "; ".join(
            f"{r['curve']} ({r['status']})" for _, r in bad.iterrows()
        )
    p = (
        ggplot(pts, aes("time_min", "mean", color="series"))
        + geom_linerange(aes(ymin="mean - sd", ymax="mean + sd"))
        + geom_point(size=2)
    )
    if lines:
        ld = pd.concat(lines, ignore_index=True)
        ld["series"] = pd.Categorical(ld["series"], categories=order)
        p = p + geom_line(aes("time_min", "fit", color="series"), data=ld)
    x_label = "Time after radioligand addition (min)"
    if model == "dissociation":
        x_label = "Time after dissociation start (min)"
    return (
        p
        + labs(
            x=x_label,
            y=f"Specific binding ({response_unit}, decay-corrected)",
            color=legend,
            title=title or f"Binding kinetics: {model.replace('_', ' ')}",
            caption=textwrap.fill(caption, 90),
        )
        + theme_assaykit()
    )


def plot_kobs(
    per_conc: pd.DataFrame, global_row: pd.Series | None = None, *, title: str | None = None
) -> Any:
    """kobs against [L] (nM): one point per concentration with its 95 % CI, and the global line.

    ``per_conc`` is the result of ``fit_kinetics(..., model='association')``; ``global_row`` one
    row of ``model='association_global'`` (its kon and koff draw ``kobs = kon·[L] + koff``).
    """
    from plotnine import aes, expand_limits, geom_abline, geom_linerange, geom_point, ggplot, labs

    from assaykit.report.figures import theme_assaykit

    require_columns(per_conc, ["conc_M", "kobs_per_min"], stage="kobs figure")
    d = per_conc[per_conc["status"] == "ok"].copy()
    d["conc_nM"] = d["conc_M"] * NM
    p = (
        ggplot(d, aes("conc_nM", "kobs_per_min"))
        + geom_linerange(aes(ymin="kobs_per_min_ci_low", ymax="kobs_per_min_ci_high"))
        + geom_point(size=2.5)
        + expand_limits(x=0, y=0)
    )
    caption = (
        f"Points: kobs of each concentration (one-phase fit, 95 % CI); n = {len(d)} concentrations."
    )
    if global_row is not None and global_row["status"] == "ok":
        slope = float(global_row["kon_per_M_min"]) / NM
        p = p + geom_abline(
            intercept=float(global_row["koff_per_min"]), slope=slope, linetype="dashed"
        )
        caption += (
            f" Line: global fit, kon = {global_row['kon_per_M_min']:.3g} M⁻¹·min⁻¹, "
            f"koff = {global_row['koff_per_min']:.3g} min⁻¹."
        )
    return (
        p
        + labs(
            x="Radioligand [L] (nM)",
            y="kobs (min⁻¹)",
            title=title or "Observed association rate against concentration",
            caption=textwrap.fill(caption, 55),
        )
        + theme_assaykit()
    )
