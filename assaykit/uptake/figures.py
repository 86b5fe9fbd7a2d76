"""Uptake figures (plotnine): time course per fraction and the internalized fraction.

Builders return a ``ggplot`` and never save; the pipeline saves them with
:meth:`assaykit.report.output.OutputFolder.save_figure`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["condition_labels", "plot_internalized_fraction", "plot_timecourse"]

FRACTION_LABELS = {
    "surface_pct": "Surface-bound",
    "internalized_pct": "Internalized",
    "cell_associated_pct": "Cell-associated",
}


def condition_labels(
    conditions: Any, blocking_agent: str | None = None, tracer: str | None = None
) -> dict[str, str]:
    """Legend labels that name the tracer and the blocker (a paper figure says what was added).

    Examples
    --------
    >>> condition_labels(["tracer", "blocked"], "AMD3100")
    {'tracer': 'Tracer', 'blocked': 'Blocked (AMD3100)'}
    >>> condition_labels(["tracer", "blocked"], "AMD3100 100 µM", tracer="[68Ga]Ga-Pentixafor")
    {'tracer': '[68Ga]Ga-Pentixafor', 'blocked': '[68Ga]Ga-Pentixafor + AMD3100 100 µM (blocked)'}
    """
    out = {}
    for c in conditions:
        label = str(c)[:1].upper() + str(c)[1:]
        if c == "tracer" and tracer:
            label = str(tracer)
        if c == "blocked" and blocking_agent:
            label = (
                f"{tracer} + {blocking_agent} (blocked)"
                if tracer
                else f"Blocked ({blocking_agent})"
            )
        out[c] = label
    return out


def fitted_curves(
    fits: pd.DataFrame | None, summary: pd.DataFrame, points: int = 120
) -> pd.DataFrame:
    """One-phase association curves of the ``ok`` fits on a fine time grid, for drawing.

    Columns ``compound, condition, quantity, time_min, mean`` (the fitted value).
    """
    import numpy as np
    import pandas as pd

    from assaykit.uptake.fit import one_phase_association

    cols = ["compound", "condition", "quantity", "time_min", "mean"]
    if fits is None or fits.empty or "status" not in fits:
        return pd.DataFrame(columns=cols)
    ok = fits[fits["status"] == "ok"]
    if ok.empty:
        return pd.DataFrame(columns=cols)
    t = np.linspace(0.0, float(summary["time_min"].max()), points)
    parts = [
        pd.DataFrame(
            {
                "compound": r["compound"],
                "condition": r["condition"],
                "quantity": r["quantity"],
                "time_min": t,
                "mean": one_phase_association(t, float(r["plateau"]), float(r["k_per_min"])),
                "n": 0,
                "sd": 0.0,
            }
        )
        for _, r in ok.iterrows()
    ]
    return pd.concat(parts, ignore_index=True)


def _prepare(
    summary: pd.DataFrame, quantities: list[str], labels: Mapping[str, str] | None = None
) -> pd.DataFrame:
    import pandas as pd

    d = summary[summary["quantity"].isin(quantities)].copy()
    d["panel"] = pd.Categorical(
        d["quantity"].map(FRACTION_LABELS).fillna(d["quantity"]),
        categories=[FRACTION_LABELS.get(q, q) for q in quantities],
    )
    d["sd0"] = d["sd"].fillna(0.0)
    d["lo"] = d["mean"] - d["sd0"]
    d["hi"] = d["mean"] + d["sd0"]
    conditions = list(dict.fromkeys(["tracer", "blocked", *sorted(set(d["condition"]))]))
    conditions = [c for c in conditions if c in set(d["condition"])]
    names = {**condition_labels(conditions), **dict(labels or {})}
    d["condition"] = pd.Categorical(
        d["condition"].map(names), categories=list(dict.fromkeys(names[c] for c in conditions))
    )
    return d


def _time_breaks(xmax: float) -> dict[str, Any]:
    """Minute ticks a reader expects (every 30 min up to 2.5 h, every hour up to 6 h)."""
    import numpy as np

    for limit, step in ((65, 15), (150, 30), (360, 60)):
        if xmax <= limit:
            return {"breaks": list(np.arange(0, xmax + step, step))}
    return {}


def _layers(d: pd.DataFrame, ylab: str, xmax: float, curves: pd.DataFrame | None = None) -> Any:
    from plotnine import (
        aes,
        element_blank,
        geom_errorbar,
        geom_line,
        geom_point,
        ggplot,
        labs,
        scale_color_manual,
        scale_shape_manual,
        scale_x_continuous,
        theme,
    )

    from assaykit.report.figures import PALETTE, theme_assaykit

    width = max(xmax * 0.025, 0.5)
    n = len(d["condition"].cat.categories)
    n_lo, n_hi = int(d["n"].min()), int(d["n"].max())
    n_text = f"n = {n_lo}" if n_lo == n_hi else f"n = {n_lo}–{n_hi}"
    caption = f"Mean ± SD, {n_text} wells per point"
    fitted = curves is not None and len(curves) > 0
    if fitted:
        caption += "; lines: one-phase association fits"
    line = geom_line(data=curves, size=0.6) if fitted else geom_line(size=0.6)
    return (
        ggplot(d, aes("time_min", "mean", color="condition", shape="condition", group="condition"))
        + line
        + geom_errorbar(aes(ymin="lo", ymax="hi"), width=width, size=0.5)
        + geom_point(size=2.2, fill="white", stroke=0.8)
        + scale_color_manual(values=list(PALETTE[:n]), name="")
        + scale_shape_manual(values=["o", "s", "^", "D", "v", "P"][:n], name="")
        # plotnine's annotation omits None, which it documents as 'this end from the data'
        + scale_x_continuous(limits=(0, None), expand=(0.02, 0, 0.05, 0), **_time_breaks(xmax))  # type: ignore[arg-type]
        + labs(x="Time (min)", y=ylab, caption=caption)
        + theme_assaykit()
        + theme(legend_title=element_blank(), legend_position="top")
    )


def plot_timecourse(
    summary: pd.DataFrame,
    *,
    quantities: tuple[str, ...] = ("surface_pct", "internalized_pct"),
    labels: Mapping[str, str] | None = None,
    fits: pd.DataFrame | None = None,
) -> Any:
    """Mean ± SD % of applied activity over time, one panel per fraction, one line per condition.

    With ``fits`` (:func:`assaykit.uptake.fit_association`), the fitted one-phase association
    curves are drawn instead of lines joining the means (when every series has an ``ok`` fit).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"compound": "", "condition": ["tracer", "blocked"] * 2,
    ...                   "time_min": [5.0, 5.0, 60.0, 60.0], "quantity": "internalized_pct",
    ...                   "n": 3, "mean": [1.0, 0.2, 6.0, 0.4], "sd": [0.1, 0.05, 0.5, 0.1]})
    >>> type(plot_timecourse(s)).__name__
    'ggplot'
    """
    from plotnine import expand_limits, facet_grid, facet_wrap, theme

    d = _prepare(summary, list(quantities), labels)
    curves: pd.DataFrame | None
    curves = fitted_curves(fits, summary)
    curves = curves[curves["quantity"].isin(quantities)]
    series = d.groupby(["compound", "condition", "quantity"], observed=True).ngroups
    if len(curves):
        curves = _prepare(curves.assign(n=d["n"].min()), list(quantities), labels)
        if curves.groupby(["compound", "condition", "quantity"], observed=True).ngroups < series:
            curves = None  # some series were not fitted: join the means for all of them
    xmax = float(d["time_min"].max())
    p = _layers(d, "% of applied activity", xmax, curves) + expand_limits(y=0)
    if d["compound"].nunique() > 1:
        p = p + facet_grid("compound ~ panel")
    else:
        p = p + facet_wrap("panel", nrow=1)
    return p + theme(panel_spacing_x=0.04)


def plot_internalized_fraction(
    summary: pd.DataFrame, *, labels: Mapping[str, str] | None = None
) -> Any:
    """Internalized activity as % of the cell-bound activity (mean ± SD) over time.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"compound": "", "condition": "tracer", "time_min": [5.0, 60.0],
    ...                   "quantity": "internalized_of_bound_pct", "n": 3, "mean": [40.0, 75.0],
    ...                   "sd": [3.0, 2.0]})
    >>> type(plot_internalized_fraction(s)).__name__
    'ggplot'
    """
    from plotnine import coord_cartesian, facet_wrap, scale_y_continuous

    d = _prepare(summary, ["internalized_of_bound_pct"], labels)
    p = _layers(d, "Internalized (% of cell-bound activity)", float(d["time_min"].max()))
    p = p + scale_y_continuous(breaks=[0, 25, 50, 75, 100]) + coord_cartesian(ylim=(0, 100))
    if d["compound"].nunique() > 1:
        p = p + facet_wrap("compound", nrow=1)
    return p
