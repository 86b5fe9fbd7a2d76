"""Figures of competition curves (plotnine): one compound with its fit, or all compounds overlaid.

The builders return a ``ggplot`` and never save (the pipeline saves through
:meth:`assaykit.report.output.OutputFolder.save_figure`). x is log10 of the competitor
concentration in M, y the % specific binding; points are the mean ± SD of the replicates at each
concentration, the line is the fitted curve drawn from the fit's parameters, and the IC50 is
marked by a dashed drop line with its value and 95 % CI. A curve whose status is not ``ok``
shows its status and the reason instead of an IC50.
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Any

from assaykit.errors import SchemaError
from assaykit.schema import require_columns
from assaykit.units import format_molar

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "format_molar",
    "ic50_label",
    "plot_curve",
    "plot_overlay",
    "replicate_means",
    "series_colours",
]


_Y_LABEL = "Specific binding (%)"


def _same_unit(lo: float, hi: float) -> tuple[str, str]:
    a, b = format_molar(lo), format_molar(hi)
    ua, ub = a.split(" ")[-1], b.split(" ")[-1]
    return (a.rsplit(" ", 1)[0], b) if ua == ub else (a, b)


def ic50_label(fit: Any, *, multiline: bool = True) -> str:
    """The text shown for a fit: IC50 with 95 % CI and Hill slope, or the status and why.

    Examples
    --------
    >>> ic50_label({"status": "ok", "ic50": 3.55e-8, "ic50_ci_low": 3.14e-8, "ic50_ci_high": 4.02e-8,
    ...             "hill": -0.98, "hill_se": 0.07})
    'IC50 = 35.5 nM\\n95% CI 31.4–40.2 nM\\nHill slope −0.98'
    >>> ic50_label({"status": "ok", "ic50": 3e-7, "ic50_ci_low": 2.3e-7, "ic50_ci_high": 3.9e-7}, multiline=False)
    'IC50 = 300 nM (95% CI 230–390 nM)'
    >>> ic50_label({"status": "no_inhibition", "message": "no decrease over the tested range"})
    'no IC50: no inhibition\\nno decrease over the tested range'
    """
    get = fit.get if hasattr(fit, "get") else lambda k, d=None: getattr(fit, k, d)
    status = str(get("status", "") or "")
    sep = "\n" if multiline else "; "
    if status != "ok":
        why = str(get("message", "") or "").strip()
        text = f"no IC50: {status.replace('_', ' ') or 'not fitted'}"
        if why and why.lower() != "nan":
            text += sep + (why if len(why) <= 60 else why[:57] + "…")
        return text
    lo, hi = _same_unit(float(get("ic50_ci_low", math.nan)), float(get("ic50_ci_high", math.nan)))
    parts = [f"IC50 = {format_molar(float(get('ic50', math.nan)))}", f"95% CI {lo}–{hi}"]
    hill, hill_se = get("hill", math.nan), get("hill_se", math.nan)
    if hill is not None and math.isfinite(float(hill)):
        fixed = hill_se is None or not math.isfinite(float(hill_se))
        parts.append(
            f"Hill slope {float(hill):.2f}".replace("-", "\u2212") + (" (fixed)" if fixed else "")
        )
    if multiline:
        return "\n".join(parts)
    return f"{parts[0]} ({parts[1]})" + "".join(f", {x}" for x in parts[2:])


def replicate_means(
    normalised: pd.DataFrame, *, x: str = "conc", y: str = "response", by: str = "curve"
) -> pd.DataFrame:
    """Mean, SD and n of ``y`` per curve and concentration (concentrations > 0 only).

    Returns
    -------
    pandas.DataFrame
        ``by``, ``conc``, ``log_conc``, ``mean``, ``sd`` (NaN for one replicate), ``n``,
        ``ymin``, ``ymax`` (mean ∓ SD, or the mean when SD is NaN).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"curve": ["A"] * 3, "conc": [1e-8] * 3, "response": [40.0, 50.0, 60.0]})
    >>> replicate_means(d)[["curve", "log_conc", "mean", "sd", "n"]]
      curve  log_conc  mean    sd  n
    0     A      -8.0  50.0  10.0  3
    """
    import numpy as np

    require_columns(normalised, [x, y, by], stage="binding figure")
    d = normalised[[by, x, y]].copy()
    d[x] = d[x].astype(float)
    d[y] = d[y].astype(float)
    d = d[(d[x] > 0) & np.isfinite(d[y])]
    g = d.groupby([by, x], sort=True)[y]
    out = g.agg(mean="mean", sd="std", n="count").reset_index().rename(columns={x: "conc"})
    out.insert(2, "log_conc", np.log10(out["conc"]))
    sd = out["sd"].fillna(0.0)
    out["ymin"], out["ymax"] = out["mean"] - sd, out["mean"] + sd
    return out


def _curve_line(fit: Any, lo: float, hi: float, n: int = 200) -> pd.DataFrame | None:
    import numpy as np
    import pandas as pd

    from assaykit.binding.curves import four_pl

    p = [float(fit.get(k, math.nan)) for k in ("top", "bottom", "log_ic50", "hill")]
    if not all(math.isfinite(v) for v in p):
        return None
    xs = np.linspace(lo, hi, n)
    return pd.DataFrame({"log_conc": xs, "fit": four_pl(xs, *p)})


def _x_range(points: pd.DataFrame, fits: list[Any]) -> tuple[float, float]:
    lo = float(points["log_conc"].min()) if len(points) else math.nan
    hi = float(points["log_conc"].max()) if len(points) else math.nan
    for f in fits:
        for k, fn in (("x_min", min), ("x_max", max)):
            v = float(f.get(k, math.nan))
            if math.isfinite(v):
                if k == "x_min":
                    lo = v if not math.isfinite(lo) else fn(lo, v)
                else:
                    hi = v if not math.isfinite(hi) else fn(hi, v)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = -11.0, -5.0
    return lo - 0.5, hi + 0.5


def _axes(lo: float, hi: float, x_title: str, ymin: float, ymax: float) -> list[Any]:
    from plotnine import coord_cartesian, labs, scale_x_continuous, scale_y_continuous

    from assaykit.report.figures import log10_molar_labels

    breaks = list(range(math.ceil(lo), math.floor(hi) + 1))
    y_lo = min(-10.0, 10 * math.floor(ymin / 10))
    y_hi = max(120.0, 10 * math.ceil(ymax / 10))
    return [
        scale_x_continuous(breaks=breaks, labels=log10_molar_labels, expand=(0, 0)),
        # ticks every 25 % over the whole visible range, negative values included: a curve
        # whose bottom lies at -34 % must show it (a mislabelled TB tube does that)
        scale_y_continuous(
            breaks=[
                b for b in range(25 * math.floor(y_lo / 25), int(y_hi) + 1, 25) if y_lo <= b <= y_hi
            ],
            expand=(0, 0),
        ),
        coord_cartesian(xlim=(lo, hi), ylim=(y_lo, y_hi)),
        labs(x=x_title, y=_Y_LABEL),
    ]


def series_colours(n: int) -> list[str]:
    """``n`` distinct colours: the Okabe–Ito :data:`~assaykit.report.figures.PALETTE` first, then tab20.

    Examples
    --------
    >>> series_colours(2)
    ['#0072B2', '#D55E00']
    >>> len(set(series_colours(20)))
    20
    """
    from assaykit.report.figures import PALETTE

    if n <= len(PALETTE):
        return list(PALETTE[:n])
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    # the registry is typed as Colormap; tab20 is a ListedColormap, which has .colors
    extra = [to_hex(c).upper() for c in colormaps["tab20"].colors]  # type: ignore[attr-defined]
    extra = [c for c in extra if c not in PALETTE]
    out = list(PALETTE) + extra
    while len(out) < n:  # beyond ~27 curves an overlay is unreadable anyway; keep it defined
        out += extra
    return out[:n]


def _n_note(pts: pd.DataFrame) -> str:
    """``Mean ± SD of n = 3 replicates per concentration`` (or the range of n)."""
    if not len(pts):
        return ""
    lo, hi = int(pts["n"].min()), int(pts["n"].max())
    n = f"{lo}" if lo == hi else f"{lo}–{hi}"
    return f"Points: mean ± SD, n = {n} replicates per concentration"


def _x_title(compound: str) -> str:
    """``log₁₀ [X] (M)``; a name that starts with a bracket (``[natGa]Pentixafor``) is not re-bracketed."""
    return f"log₁₀ {compound} (M)" if compound.startswith("[") else f"log₁₀ [{compound}] (M)"


def _as_mapping(fit: Any) -> dict[str, Any]:
    return dict(fit.items()) if hasattr(fit, "items") else dict(fit._asdict())


def plot_curve(
    normalised: pd.DataFrame,
    fit: Any,
    *,
    x: str = "conc",
    y: str = "response",
    by: str = "curve",
    compound: str | None = None,
    color: str | None = None,
) -> Any:
    """One competition curve: replicate means ± SD, the fitted 4PL, the IC50 and its 95 % CI.

    Parameters
    ----------
    normalised
        Tidy points: ``x`` (concentration, M), ``y`` (% specific binding), ``by`` (curve name);
        only rows of this curve with ``x > 0`` are drawn.
    fit
        One row of :func:`assaykit.binding.fit_curves` (Series or dict): ``by``, ``top``,
        ``bottom``, ``log_ic50``, ``hill``, ``ic50``, ``ic50_ci_low``, ``ic50_ci_high``,
        ``status``, ``message`` (and ``x_min``/``x_max``, ``hill_se`` when known).
    compound
        Name on the x axis and in the title (default: the curve name).
    color
        Line and point colour (default: first of :data:`assaykit.report.figures.PALETTE`).

    Returns
    -------
    plotnine.ggplot

    Examples
    --------
    >>> import pandas as pd
    >>> pts = pd.DataFrame({"curve": "A", "conc": [1e-10, 1e-9, 1e-8, 1e-7, 1e-6],
    ...                     "response": [99.0, 91.0, 50.0, 9.0, 1.0]})
    >>> fit = {"curve": "A", "top": 100, "bottom": 0, "log_ic50": -8, "hill": -1, "ic50": 1e-8,
    ...        "ic50_ci_low": 8e-9, "ic50_ci_high": 1.2e-8, "status": "ok"}
    >>> p = plot_curve(pts, fit)
    >>> p.labels.x, p.labels.y
    ('log₁₀ [A] (M)', 'Specific binding (%)')
    """
    import pandas as pd
    from plotnine import (
        aes,
        element_text,
        geom_errorbar,
        geom_line,
        geom_point,
        geom_segment,
        ggplot,
        labs,
        theme,
    )

    from assaykit.report.figures import PALETTE, theme_assaykit

    f = _as_mapping(fit)
    name = str(f.get(by, ""))
    compound = compound or name
    color = color or PALETTE[0]
    pts = replicate_means(normalised[normalised[by].astype(str) == name], x=x, y=y, by=by)
    lo, hi = _x_range(pts, [f])
    line = _curve_line(f, lo, hi)
    ok = str(f.get("status", "")) == "ok"
    ymin = float(pts["ymin"].min()) if len(pts) else 0.0
    ymax = float(pts["ymax"].max()) if len(pts) else 100.0
    y_floor = min(-10.0, 10 * math.floor(ymin / 10))
    p = ggplot()
    if line is not None:
        p += geom_line(
            aes("log_conc", "fit"), data=line, color=color if ok else "#808080",
            linetype="solid" if ok else "dashed", size=0.8,
        )  # fmt: skip
    if ok and math.isfinite(float(f.get("log_ic50", math.nan))):
        from assaykit.binding.curves import four_pl

        lx = float(f["log_ic50"])
        ly = float(four_pl(lx, f["top"], f["bottom"], lx, f["hill"]))
        drop = pd.DataFrame({"x": [lx], "y": [ly], "y0": [y_floor]})
        p += geom_segment(
            aes(x="x", xend="x", y="y0", yend="y"),
            data=drop,
            linetype="dashed",
            color=color,
            size=0.5,
        )
        p += geom_point(
            aes("x", "y"), data=drop, shape="D", fill="white", color=color, size=2.2, stroke=0.8
        )
    if len(pts):
        p += geom_errorbar(
            aes("log_conc", ymin="ymin", ymax="ymax"), data=pts, width=0.12, color=color, size=0.5
        )
        p += geom_point(aes("log_conc", "mean"), data=pts, color=color, fill=color, size=2.2)
    # the result goes in the subtitle (never over the data); a failed fit says why in the caption
    n_note = _n_note(pts)
    if ok:
        p += labs(title=compound, subtitle=ic50_label(f, multiline=False), caption=n_note)
    else:
        why = str(f.get("message", "") or "").strip()
        why = "" if why.lower() == "nan" else why
        status = str(f.get("status", "") or "not fitted").replace("_", " ")
        caption = "\n".join(x for x in (textwrap.fill(why, 75), n_note) if x)
        p += labs(title=compound, subtitle=f"no IC50: {status}", caption=caption)
    for layer in _axes(lo, hi, _x_title(compound), ymin, ymax):
        p += layer
    p += theme_assaykit() + theme(plot_caption=element_text(size=7.5, ha="left", color="#404040"))
    if not ok:
        red = "#B22222"
        p += theme(plot_subtitle=element_text(color=red), plot_caption=element_text(color=red))
    return p


def plot_overlay(
    normalised: pd.DataFrame,
    fits: pd.DataFrame,
    *,
    x: str = "conc",
    y: str = "response",
    by: str = "curve",
) -> Any:
    """All curves on one figure, one colour per compound, legend with each IC50 or status.

    Parameters
    ----------
    normalised
        Tidy points (``x``, ``y``, ``by``), as for :func:`plot_curve`.
    fits
        :func:`assaykit.binding.fit_curves` output, one row per curve (order = legend order).

    Returns
    -------
    plotnine.ggplot

    Examples
    --------
    >>> import pandas as pd
    >>> pts = pd.DataFrame({"curve": ["A"] * 3 + ["B"] * 3, "conc": [1e-9, 1e-8, 1e-7] * 2,
    ...                     "response": [91.0, 50.0, 9.0, 99.0, 91.0, 50.0]})
    >>> fits = pd.DataFrame({"curve": ["A", "B"], "top": [100, 100], "bottom": [0, 0],
    ...     "log_ic50": [-8, -7], "hill": [-1, -1], "ic50": [1e-8, 1e-7], "ic50_ci_low": [8e-9, 8e-8],
    ...     "ic50_ci_high": [1.2e-8, 1.2e-7], "status": ["ok", "ok"]})
    >>> p = plot_overlay(pts, fits)
    >>> p.labels.x
    'log₁₀ [competitor] (M)'
    """
    import pandas as pd
    from plotnine import (
        aes,
        element_blank,
        element_text,
        geom_errorbar,
        geom_line,
        geom_point,
        geom_segment,
        ggplot,
        guide_legend,
        guides,
        labs,
        scale_color_manual,
        theme,
    )

    from assaykit.binding.curves import four_pl
    from assaykit.report.figures import theme_assaykit

    require_columns(fits, [by, "status"], stage="binding overlay figure")
    rows = [_as_mapping(r) for _, r in fits.iterrows()]
    if not rows:
        raise SchemaError("binding overlay figure: no fitted curves to draw")
    names = [str(r[by]) for r in rows]
    labels = {}
    for r, n in zip(rows, names, strict=True):
        if str(r.get("status")) == "ok":
            lo_s, hi_s = _same_unit(
                float(r.get("ic50_ci_low", math.nan)), float(r.get("ic50_ci_high", math.nan))
            )
            labels[n] = f"{n}  (IC50 {format_molar(float(r['ic50']))}, 95% CI {lo_s}–{hi_s}"
            ki = float(r.get("ki", math.nan))
            labels[n] += f"; Ki {format_molar(ki)})" if math.isfinite(ki) else ")"
        else:
            labels[n] = f"{n}  (no IC50: {str(r.get('status')).replace('_', ' ')})"
    palette = series_colours(len(names))
    colours = {labels[n]: palette[i] for i, n in enumerate(names)}
    level = list(colours)
    pts = replicate_means(normalised[normalised[by].astype(str).isin(names)], x=x, y=y, by=by)
    pts["series"] = pd.Categorical(pts[by].astype(str).map(labels), categories=level)
    lo, hi = _x_range(pts, rows)
    lines, drops = [], []
    for r, n in zip(rows, names, strict=True):
        line = _curve_line(r, lo, hi)
        ok = str(r.get("status")) == "ok"
        if line is not None:
            line["series"] = labels[n]
            line["ok"] = ok
            lines.append(line)
        if ok and math.isfinite(float(r.get("log_ic50", math.nan))):
            lx = float(r["log_ic50"])
            drops.append(
                {
                    "x": lx,
                    "y": float(four_pl(lx, r["top"], r["bottom"], lx, r["hill"])),
                    "series": labels[n],
                }
            )
    ymin = float(pts["ymin"].min()) if len(pts) else 0.0
    ymax = float(pts["ymax"].max()) if len(pts) else 100.0
    y_floor = min(-10.0, 10 * math.floor(ymin / 10))
    p = ggplot()
    if lines:
        ld = pd.concat(lines, ignore_index=True)
        ld["series"] = pd.Categorical(ld["series"], categories=level)
        if ld["ok"].any():
            p += geom_line(aes("log_conc", "fit", color="series"), data=ld[ld["ok"]], size=0.8)
        if (~ld["ok"]).any():
            p += geom_line(
                aes("log_conc", "fit", color="series"),
                data=ld[~ld["ok"]],
                size=0.8,
                linetype="dashed",
            )
    if drops:
        dd = pd.DataFrame(drops)
        dd["y0"] = y_floor
        dd["series"] = pd.Categorical(dd["series"], categories=level)
        p += geom_segment(aes(x="x", xend="x", y="y0", yend="y", color="series"), data=dd, linetype="dashed",
                          size=0.45, show_legend=False)  # fmt: skip
    if len(pts):
        p += geom_errorbar(aes("log_conc", ymin="ymin", ymax="ymax", color="series"), data=pts, width=0.12,
                           size=0.5, show_legend=False)  # fmt: skip
        p += geom_point(aes("log_conc", "mean", color="series"), data=pts, size=2.0)
    p += scale_color_manual(values=colours, breaks=level)
    for layer in _axes(lo, hi, "log₁₀ [competitor] (M)", ymin, ymax):
        p += layer
    note = _n_note(pts) + "; dashed drop lines: IC50" if drops else _n_note(pts)
    return (
        p
        + labs(caption=note)
        + guides(color=guide_legend(ncol=1))
        + theme_assaykit()
        + theme(
            legend_position="bottom",
            legend_direction="vertical",
            legend_title=element_blank(),
            plot_caption=element_text(size=7.5, ha="left", color="#404040"),
        )
    )
