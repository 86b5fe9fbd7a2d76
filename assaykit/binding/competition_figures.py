"""Figures of the competition models (plotnine): data and fitted curves on a log10 M axis.

:func:`plot_competition` draws every curve of a :func:`~assaykit.binding.competition.fit_competition`
table beside its points (mean ± SD of replicates at each concentration): fit-Ki and depletion as one
line, homologous competition as one line per radioligand concentration, two sites as the total
line with both components dashed. Builders return a ``ggplot`` and never save.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from assaykit.binding.competition_models import DEPLETION, ONE_SITE, TWO_SITE, homologous_model
from assaykit.errors import SchemaError
from assaykit.report.figures import PALETTE, log10_molar_labels, theme_assaykit
from assaykit.schema import require_columns

__all__ = ["competition_lines", "plot_competition"]

_OK = ("ok", "one_site_preferred")
_Y_LABELS = {
    "fit-ki": "Bound (as entered)",
    "two-site": "Bound (as entered)",
    "homologous": "Total bound (cpm)",
    "depletion": "Total bound (cpm)",
}


def competition_lines(
    fit: pd.Series, model: str, lo: float, hi: float, n: int = 200
) -> pd.DataFrame:
    """Fitted curve(s) of one result row on log10 M ``lo … hi``: ``log_conc, value, line``.

    ``line`` is ``fit`` (two sites: also ``high-affinity site``, ``low-affinity site``, each
    drawn as ``bottom + span·fraction·occupancy``) or, for homologous competition, the
    radioligand concentration (``hot 0.5 nM``). Empty when the row has no estimates.

    Examples
    --------
    >>> import pandas as pd
    >>> row = pd.Series({"top": 100.0, "bottom": 0.0, "log_ki": -9.0, "radioligand_M": 0.0,
    ...                  "kd_M": 1e-9, "status": "ok"})
    >>> competition_lines(row, "fit-ki", -11, -7, n=3).round(3).to_dict("list")
    {'log_conc': [-11.0, -9.0, -7.0], 'value': [99.01, 50.0, 0.99], 'line': ['fit', 'fit', 'fit']}
    """
    xs = np.linspace(lo, hi, n)
    c = 10.0**xs
    ones = np.ones_like(c)
    frames: list[pd.DataFrame] = []

    def add(values: np.ndarray, line: str) -> None:
        frames.append(pd.DataFrame({"log_conc": xs, "value": values, "line": line}))

    if str(fit.get("status", "")) not in _OK:
        return pd.DataFrame(columns=["log_conc", "value", "line"])
    if model == "fit-ki":
        f = 1.0 + float(fit["radioligand_M"]) / float(fit["kd_M"])
        p = np.array([[fit["top"], fit["bottom"], fit["log_ki"]]], dtype=float)
        add(ONE_SITE.func(np.stack([c, f * ones], -1)[None], p)[0], "fit")
    elif model == "two-site":
        top, bottom, frac = (float(fit[k]) for k in ("top", "bottom", "fraction_high"))
        p = np.array([[top, bottom, frac, fit["log_ic50_high"], fit["log_ic50_low"]]], dtype=float)
        add(TWO_SITE.func(np.stack([c, ones, ones], -1)[None], p)[0], "fit")
        span = top - bottom
        add(
            bottom + span * frac / (1 + c / 10.0 ** float(fit["log_ic50_high"])),
            "high-affinity site",
        )
        add(
            bottom + span * (1 - frac) / (1 + c / 10.0 ** float(fit["log_ic50_low"])),
            "low-affinity site",
        )
    elif model == "homologous":
        hots = [float(fit["hot_M"])]
        if np.isfinite(float(fit.get("hot2_M", np.nan))):
            hots.append(float(fit["hot2_M"]))
        m = homologous_model(len(hots))
        names = ["log_kd", "bmax_cpm", "nsb_cpm"] + (["nsb2_cpm"] if len(hots) == 2 else [])
        ph = np.array([[float(fit[k]) for k in names]])
        for j, h in enumerate(hots):
            xj = np.stack([c, h * ones, j * ones], -1)[None]
            add(m.func(xj, ph)[0], f"hot {_molar(h)}")
    elif model == "depletion":
        xd = np.stack([c, float(fit["hot_cpm"]) * ones, float(fit["kd_cpm"]) * ones], -1)[None]
        p = np.array([[fit["log_ki"], fit["bmax_cpm"], fit["ns_fraction"]]], dtype=float)
        add(DEPLETION.func(xd, p)[0], "fit")
    else:
        raise SchemaError(f"unknown competition model {model!r}")
    return pd.concat(frames, ignore_index=True)


def _molar(v: float) -> str:
    from assaykit.units import format_quantity

    return format_quantity(v, "concentration")


def _subtitle(fit: pd.Series, model: str) -> str:
    status = str(fit.get("status", ""))
    if status not in _OK:
        return f"{status}: {fit.get('message', '')}"[:90]

    def ci(col: str, molar: str) -> str:
        return (
            f"{_molar(float(fit[molar]))} (95% CI {_molar(float(fit[molar + '_ci_low']))}"
            f" – {_molar(float(fit[molar + '_ci_high']))})"
        )

    if model in ("fit-ki", "depletion"):
        return "Ki " + ci("log_ki", "ki_M")
    if model == "homologous":
        return f"Kd {ci('log_kd', 'kd_M')}, Bmax {float(fit['bmax_cpm']):,.0f} cpm"
    text = (
        f"{100 * float(fit['fraction_high']):.0f}% high: IC50 {_molar(float(fit['ic50_high_M']))}"
        f", {_molar(float(fit['ic50_low_M']))}"
    )
    return text + ("" if status == "ok" else " (one site preferred)")


def plot_competition(
    data: pd.DataFrame,
    fits: pd.DataFrame,
    *,
    model: str,
    x: str = "conc_M",
    y: str = "response",
    by: str = "curve",
    hot: str = "hot_M",
    y_label: str | None = None,
) -> Any:
    """Points (mean ± SD of replicates) and fitted curves of every curve, one panel each.

    Parameters
    ----------
    data
        The tidy table given to :func:`~assaykit.binding.competition.fit_competition`.
    fits
        Its result.
    model
        The model that was fitted.
    x, y, by, hot
        Column names as in the fit.
    y_label
        y-axis title with its unit (default: ``Total bound (cpm)`` for homologous and
        depletion, ``Bound (as entered)`` otherwise).

    Returns
    -------
    plotnine.ggplot
        Tubes without competitor (concentration 0) are fitted but cannot sit on a log axis:
        the caption says how many.
    """
    from plotnine import (
        aes,
        facet_wrap,
        geom_errorbar,
        geom_line,
        geom_point,
        ggplot,
        labs,
        scale_color_manual,
        scale_linetype_manual,
        scale_x_continuous,
    )

    require_columns(data, [x, y, by], stage="competition figure")
    require_columns(fits, [by, "status"], stage="competition figure")
    d = data.copy()
    d["_c"] = pd.to_numeric(d[x], errors="coerce")
    d["_y"] = pd.to_numeric(d[y], errors="coerce")
    d = d[np.isfinite(d["_c"]) & np.isfinite(d["_y"])]
    zero = int((d["_c"] == 0).sum())
    d = d[d["_c"] > 0]
    d["series"] = (
        "data" if model != "homologous" else d[hot].map(lambda h: f"hot {_molar(float(h))}")
    )
    pts = (
        d.assign(log_conc=np.log10(d["_c"]))
        .groupby([by, "series", "log_conc"], sort=True)["_y"]
        .agg(mean="mean", sd="std", n="size")
        .reset_index()
    )
    pts["sd"] = pts["sd"].fillna(0.0)
    pts["ymin"], pts["ymax"] = pts["mean"] - pts["sd"], pts["mean"] + pts["sd"]
    lo = float(pts["log_conc"].min()) - 0.5 if len(pts) else -12.0
    hi = float(pts["log_conc"].max()) + 0.5 if len(pts) else -4.0
    lines, titles = [], {}
    for _, row in fits.iterrows():
        ln = competition_lines(row, model, lo, hi)
        ln[by] = row[by]
        lines.append(ln)
        titles[row[by]] = f"{row[by]}\n{_subtitle(row, model)}"
    ld = pd.concat(lines, ignore_index=True) if lines else pd.DataFrame()
    for frame in (pts, ld):
        if len(frame):
            frame["panel"] = frame[by].map(titles)
    if model == "homologous":
        series = sorted(set(pts["series"]) | set(ld.get("line", pd.Series(dtype=str))))
        ld["series"], ld["kind"] = ld["line"], "fit"
    else:
        series = ["data"]
        ld["series"] = "data"
        ld["kind"] = ld["line"].where(ld["line"] == "fit", "component") if len(ld) else "fit"
    colours = dict(zip(series, PALETTE, strict=False))
    n_tubes = len(d) + zero
    caption = f"n = {n_tubes} tubes in {len(fits)} curve(s); points: mean ± SD of replicates"
    if model == "two-site":
        caption += "; dashed: each site's share"
    if zero:
        caption += f"\n{zero} tubes without competitor were fitted but are not drawn (log axis)"
    breaks = list(range(int(np.ceil(lo)), int(np.floor(hi)) + 1))
    p = (
        ggplot()
        + geom_errorbar(
            aes("log_conc", ymin="ymin", ymax="ymax", color="series"), data=pts, width=0.1
        )
        + geom_point(aes("log_conc", "mean", color="series"), data=pts, size=2.0)
        + scale_x_continuous(breaks=breaks, labels=log10_molar_labels, limits=(lo, hi))
        + scale_color_manual(values=colours, guide=None if model != "homologous" else "legend")
        + labs(
            x="log10 [competitor] (M)",
            y=y_label or _Y_LABELS.get(model, "Bound"),
            caption=caption,
            color="",
        )
        + theme_assaykit()
    )
    if len(ld):
        p += geom_line(
            aes("log_conc", "value", color="series", linetype="kind", group="line"),
            data=ld,
            size=0.8,
        )
        p += scale_linetype_manual(values={"fit": "solid", "component": "dashed"}, guide=None)
    if len(fits) > 1 or len(titles):
        p += facet_wrap("panel", scales="free_y")
    return p
