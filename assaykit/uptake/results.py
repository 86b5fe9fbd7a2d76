"""The results of an uptake run as an :class:`~assaykit.result.AssayResult` (pure, no files).

:func:`uptake_result` turns what :func:`assaykit.uptake.analyze` returns into the named tables of
results.xlsx, the two time-course figures and the console lines with the key numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from assaykit.result import AssayResult

__all__ = ["SHEETS", "uptake_result"]

#: Tables of :func:`assaykit.uptake.analyze` → sheet names of results.xlsx (in this order).
SHEETS = {
    "summary": "summary",
    "specific": "specific uptake",
    "stats": "statistics",
    "anova": "two-way ANOVA",
    "fits": "association fits",
    "reference": "% of reference",
    "per_well": "per well",
    "per_tube": "per tube",
    "settings": "settings",
}


def _excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Columns Excel cannot hold (tz-aware times) as text; everything else unchanged."""
    out = df.copy()
    for col in out.columns:
        if hasattr(out[col], "dt") and getattr(out[col].dt, "tz", None) is not None:
            out[col] = out[col].astype(str)
    return out


def _summary_lines(summary: pd.DataFrame) -> list[str]:
    """Internalized % of applied activity per condition and time (mean ± SD, n)."""
    part = summary[summary["quantity"] == "internalized_pct"]
    lines = []
    for (compound, cond), rows in part.groupby(["compound", "condition"], sort=False):
        cells = ", ".join(
            f"{r.time_min:g} min {r.mean:.2f} ± {r.sd:.2f}" for r in rows.itertuples(index=False)
        )
        n = int(rows["n"].min()) if len(rows) else 0
        lines.append(f"  {compound} {cond} (n = {n} wells): internalized % applied {cells}")
    return lines


def _lonely_groups(per_well: pd.DataFrame) -> list[dict[str, str]]:
    """QC rows for groups of one: a time or condition that appears once is often a typo (6 for 60,
    the blocker's name typed as the condition) that silently makes a new group."""
    from assaykit.result import qc_row

    rows: list[dict[str, str]] = []
    if per_well.empty or not {"condition", "time_min"} <= set(per_well.columns):
        return rows
    keys = (
        ["compound", "condition", "time_min"]
        if "compound" in per_well
        else ["condition", "time_min"]
    )
    sizes = per_well.groupby(keys, sort=False).size()
    for key, n in sizes.items():
        if n == 1:
            parts = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
            rows.append(
                qc_row(
                    "warning",
                    f"condition {parts['condition']!r}, {parts['time_min']:g} min",
                    "a group of one well: no SD, and often a typo in the layout (time or condition)",
                )
            )
    times = per_well.groupby("time_min")["condition"].nunique()
    n_cond = per_well["condition"].nunique()
    for t, k in times.items():
        if n_cond > 1 and k == 1:
            rows.append(
                qc_row("warning", f"{t:g} min", "this time point appears in one condition only")
            )
    per_cond = per_well.groupby("condition")["time_min"].nunique()
    for c, k in per_cond.items():
        if per_well["time_min"].nunique() > 1 and k == 1:
            rows.append(
                qc_row(
                    "warning", f"condition {c!r}", "this condition appears at one time point only"
                )
            )
    return rows


def uptake_result(
    tables: Mapping[str, pd.DataFrame], options: Mapping[str, Any], *, figures: bool = True
) -> AssayResult:
    """The uptake tables, figures and summary lines as an AssayResult.

    ``tables`` is what :func:`assaykit.uptake.analyze` returns; ``options`` the options used.
    """
    from assaykit.result import AssayResult, Figure, qc_table
    from assaykit.uptake.figures import (
        condition_labels,
        plot_internalized_fraction,
        plot_timecourse,
    )

    sheets = {
        SHEETS[k]: _excel_safe(tables[k]) for k in SHEETS if k in tables and not tables[k].empty
    }
    sheets = {"summary": sheets.pop("summary"), **sheets}
    settings_used = dict(
        zip(tables["settings"]["setting"], tables["settings"]["value"], strict=True)
    )
    figs: dict[str, Figure] = {}
    if figures:
        summary = tables["summary"]
        n_compounds = max(1, summary["compound"].nunique())
        experiment = tables["per_tube"].attrs.get("experiment") or {}
        labels = condition_labels(
            sorted(set(tables["per_well"]["condition"])),
            experiment.get("blocking_agent"),
            tracer=experiment.get("tracer"),
        )
        fits = tables.get("fits")
        figs["uptake_timecourse"] = Figure(
            plot_timecourse(summary, labels=labels, fits=fits), 6.5, 0.6 + 2.6 * n_compounds
        )
        figs["internalized_fraction"] = Figure(
            plot_internalized_fraction(summary, labels=labels), min(3.6 * n_compounds, 9.0), 3.2
        )
    return AssayResult(
        assay="uptake",
        tables=sheets,
        figures=figs,
        settings={**dict(options), "figures": figures, "settings_used": settings_used},
        summary=_summary_lines(tables["summary"]),
        qc=qc_table(_lonely_groups(tables["per_well"])),
        n_statement="n = wells (replicate wells of one experiment) per condition and time",
    )
