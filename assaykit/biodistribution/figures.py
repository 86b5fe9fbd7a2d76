"""Biodistribution figures (plotnine): %IA/g per organ, tumour-to-organ ratios, %IA/g over time.

Builders return a ``ggplot`` and never save. Bars are group means, error bars ± SD, points the
individual animals (animals left out are not drawn); n per group is in the legend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["plot_organs", "plot_ratios", "plot_timecourse"]


def _legend(long: pd.DataFrame) -> dict[str, str]:
    """Group → legend label; with one time point it carries n (animals), else the panels do."""
    used = long[long["status"] == "ok"]
    groups = list(dict.fromkeys(long["group"]))
    if long["time_pi_min"].nunique() > 1:
        return {g: g for g in groups}
    n = used.groupby("group", sort=False)["animal"].nunique()
    return {g: f"{g} (n = {n.get(g, 0)})" for g in groups}


def _time_labels(long: pd.DataFrame) -> dict[float, str]:
    """Time p.i. → panel title with n per group: ``'1 h p.i. (control n = 5, blocked n = 4)'``."""
    from assaykit.biodistribution.tables import time_label

    used = long[long["status"] == "ok"]
    n: dict[Any, int] = (
        used.groupby(["time_pi_min", "group"], sort=False)["animal"].nunique().to_dict()
    )
    out = {}
    for t in sorted(set(long["time_pi_min"])):
        parts = ", ".join(f"{g} n = {k}" for (tt, g), k in n.items() if tt == t)
        out[t] = f"{time_label(t)} ({parts})"
    return out


def _group_factor(d: pd.DataFrame, names: dict[str, str]) -> Any:
    import pandas as pd

    return pd.Categorical(d["group"].map(names), categories=list(names.values()))


def _bars(points: pd.DataFrame, x: str, y: str, ylab: str, title: str, facet: bool) -> Any:
    from plotnine import (
        aes,
        facet_wrap,
        geom_col,
        geom_errorbar,
        geom_point,
        ggplot,
        labs,
        position_dodge,
        position_jitterdodge,
        scale_color_manual,
        scale_fill_manual,
        scale_y_continuous,
        theme,
    )

    from assaykit.report.figures import PALETTE, theme_assaykit

    keys = [x, "group_label"] + (["time_label"] if facet else [])
    means = points.groupby(keys, observed=True)[y].agg(["mean", "std"]).reset_index()
    means["std"] = means["std"].fillna(0.0)
    means["lo"] = (means["mean"] - means["std"]).clip(lower=0)
    means["hi"] = means["mean"] + means["std"]
    dodge = position_dodge(width=0.8)
    p = (
        ggplot(means, aes(x, "mean", fill="group_label"))
        + geom_col(position=dodge, width=0.75, alpha=0.55)
        + geom_errorbar(aes(ymin="lo", ymax="hi"), position=dodge, width=0.3, size=0.4)
        + geom_point(
            aes(x, y, color="group_label"),
            points,
            position=position_jitterdodge(jitter_width=0.15, dodge_width=0.8, random_state=1),
            size=1.2,
            inherit_aes=False,
        )
        + scale_fill_manual(values=list(PALETTE))
        + scale_color_manual(values=list(PALETTE))
        + scale_y_continuous(expand=(0, 0, 0.05, 0))
        + labs(x="", y=ylab, fill="", color="", title=title)
        + theme_assaykit()
        + theme(axis_text_x=_rotated(), legend_position="top")
    )
    if facet:
        p = p + facet_wrap("~time_label", ncol=1)
    return p


def _rotated() -> Any:
    from plotnine import element_text

    return element_text(rotation=45, ha="right")


def _prepare(long: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    import pandas as pd

    d = long[long["status"] == "ok"].copy()
    d["group_label"] = _group_factor(d, _legend(long))
    d["organ"] = pd.Categorical(d["organ"], categories=list(dict.fromkeys(long["organ"])))
    labels = _time_labels(long)
    d["time_label"] = pd.Categorical(d["time_pi_min"].map(labels), categories=list(labels.values()))
    return d, len(labels) > 1


def plot_organs(long: pd.DataFrame, *, title: str = "", quantity: str = "pct_ia_per_g") -> Any:
    """Grouped bars of %IA/g (mean ± SD) per organ, one point per animal.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"animal": ["a", "b"], "group": ["c", "c"], "time_pi_min": 60.0,
    ...     "organ": ["tumor", "tumor"], "pct_ia_per_g": [15.0, 17.0], "status": "ok"})
    >>> type(plot_organs(long)).__name__
    'ggplot'
    """
    d, facet = _prepare(long)
    ylab = {"pct_ia_per_g": "%IA/g", "pct_ia": "%IA per organ", "suv": "SUV (body weight)"}[
        quantity
    ] + " (mean ± SD)"
    return _bars(d, "organ", quantity, ylab, title, facet)


def plot_ratios(per_animal: pd.DataFrame, long: pd.DataFrame, *, tumor: str = "tumor") -> Any:
    """Tumour-to-organ ratios of %IA/g: bars = mean of per-animal ratios ± SD, points = animals."""
    import pandas as pd

    d = per_animal[(per_animal["status"] == "ok") & per_animal["ratio"].notna()].copy()
    d["group_label"] = _group_factor(d, _legend(long))
    d["organ"] = pd.Categorical(d["organ"], categories=list(dict.fromkeys(per_animal["organ"])))
    labels = _time_labels(long)
    d["time_label"] = pd.Categorical(d["time_pi_min"].map(labels), categories=list(labels.values()))
    title = "bars: mean of per-animal ratios ± SD; points: animals"
    return _bars(d, "organ", "ratio", f"{tumor}-to-organ ratio (%IA/g)", title, len(labels) > 1)


def plot_timecourse(summary: pd.DataFrame, long: pd.DataFrame) -> Any:
    """%IA/g (mean ± SD) over time p.i.: one panel per organ (own y scale), one line per group.

    n (animals) per group and time point is written at each point.
    """
    import pandas as pd
    from plotnine import (
        aes,
        facet_wrap,
        geom_errorbar,
        geom_line,
        geom_point,
        geom_text,
        ggplot,
        labs,
        scale_color_manual,
        scale_y_continuous,
        theme,
    )

    from assaykit.report.figures import PALETTE, theme_assaykit

    d = summary[summary["n"] > 0].copy()
    groups = list(dict.fromkeys(long["group"]))
    d["group"] = pd.Categorical(d["group"], categories=groups)
    d["organ"] = pd.Categorical(d["organ"], categories=list(dict.fromkeys(long["organ"])))
    d["time_h"] = d["time_pi_min"] / 60.0
    d["sd0"] = d["pct_ia_per_g_sd"].fillna(0.0)
    d["lo"] = (d["pct_ia_per_g_mean"] - d["sd0"]).clip(lower=0)
    d["hi"] = d["pct_ia_per_g_mean"] + d["sd0"]
    d["n_text"] = "n=" + d["n"].astype(int).astype(str)
    return (
        ggplot(d, aes("time_h", "pct_ia_per_g_mean", color="group", group="group"))
        + geom_line()
        + geom_point(size=1.5)
        + geom_errorbar(aes(ymin="lo", ymax="hi"), width=0.08)
        + geom_text(aes(y="hi", label="n_text"), va="bottom", size=6, show_legend=False)
        + facet_wrap("~organ", scales="free_y")
        + scale_y_continuous(expand=(0.05, 0, 0.18, 0))
        + scale_color_manual(values=list(PALETTE))
        + labs(x="time p.i. (h)", y="%IA/g (mean ± SD)", color="")
        + theme_assaykit()
        + theme(legend_position="top")
    )
