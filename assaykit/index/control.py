"""Control chart of a reference compound across runs, with Westgard-style rules.

A lab runs the same reference compound in every experiment; its logIC50 per run should scatter
around a stable mean. :func:`control_chart` takes the compound's history (one value per run, oldest
first), estimates the mean and SD from the first ``baseline_n`` defined runs (or takes them as
given) and judges every run with the multi-rules of Westgard (single control material, rules
applied across consecutive runs; ``z`` is the run's distance from the mean in SDs):

=========  ==========================================================================
``1-2s``   ``|z| > 2`` — a *warning* only: look at the other rules
``1-3s``   ``|z| > 3`` — reject (random error or a large shift)
``2-2s``   this and the previous run both ``> +2`` or both ``< −2`` (systematic error)
``R-4s``   this and the previous run on opposite sides beyond 2 SD (range > 4 SD: random error)
``4-1s``   this and the previous 3 runs all ``> +1`` or all ``< −1`` (systematic shift)
``10-x``   this and the previous 9 runs all on the same side of the mean (drift)
=========  ==========================================================================

A rule is flagged on the run that completes its pattern. Runs that did not define the value
(``status`` not ``ok``, or NaN) are shown as not determined and skipped by the sequence rules.

Examples
--------
>>> import pandas as pd
>>> h = pd.DataFrame({"value": [0.0, 0.5, 3.5, 0.2, 2.2, 2.4]})
>>> t = control_chart(h, mean=0.0, sd=1.0)
>>> t["rules"].tolist()
['', '', '1-2s;1-3s', '', '1-2s', '1-2s;2-2s']
>>> t["verdict"].tolist()
['in_control', 'in_control', 'reject', 'in_control', 'warning', 'reject']
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from assaykit.errors import SchemaError

__all__ = ["REJECT_RULES", "chart_result", "control_chart", "plot_control_chart", "westgard_flags"]

Verdict = Literal["in_control", "warning", "reject", "not_determined"]

#: Rules that reject a run (``1-2s`` only warns).
REJECT_RULES: tuple[str, ...] = ("1-3s", "2-2s", "R-4s", "4-1s", "10-x")
RULES: tuple[str, ...] = ("1-2s", *REJECT_RULES)

#: Fewest defined baseline runs from which a mean and SD are estimated.
MIN_BASELINE = 5


def westgard_flags(z: Any) -> list[list[str]]:
    """The rules each run violates, for z-scores of consecutive defined runs (no NaN).

    Examples
    --------
    >>> westgard_flags([2.1, -2.3])
    [['1-2s'], ['1-2s', 'R-4s']]
    >>> westgard_flags([1.1, 1.2, 1.5, 1.3])[-1]
    ['4-1s']
    >>> westgard_flags([0.5] * 10)[-1], westgard_flags([0.5] * 9)[-1]
    (['10-x'], [])
    """
    zs = np.asarray(z, dtype=float)
    out: list[list[str]] = []
    for i, zi in enumerate(zs):
        f = []
        if abs(zi) > 2:
            f.append("1-2s")
        if abs(zi) > 3:
            f.append("1-3s")
        if i >= 1:
            prev = zs[i - 1]
            if (zi > 2 and prev > 2) or (zi < -2 and prev < -2):
                f.append("2-2s")
            if (zi > 2 and prev < -2) or (zi < -2 and prev > 2):
                f.append("R-4s")
        if i >= 3:
            last4 = zs[i - 3 : i + 1]
            if np.all(last4 > 1) or np.all(last4 < -1):
                f.append("4-1s")
        if i >= 9:
            last10 = zs[i - 9 : i + 1]
            if np.all(last10 > 0) or np.all(last10 < 0):
                f.append("10-x")
        out.append(f)
    return out


def control_chart(
    history: pd.DataFrame,
    *,
    value: str = "value",
    baseline_n: int = 20,
    mean: float | None = None,
    sd: float | None = None,
) -> pd.DataFrame:
    """Judge each run of a reference compound's history against its control limits.

    Parameters
    ----------
    history
        One row per run, oldest first (e.g. :func:`assaykit.index.compound_history`): the
        ``value`` column and, if present, ``status`` (only ``ok`` rows are defined).
    value
        Column holding the monitored quantity (logIC50, pKi, ...).
    baseline_n
        The mean and SD come from the first ``baseline_n`` defined runs (at least
        :data:`MIN_BASELINE` are needed); later runs never move the limits.
    mean, sd
        Given limits (e.g. from a validation study) instead of the baseline estimate; both or
        neither.

    Returns
    -------
    pandas.DataFrame
        The history's columns plus ``run_no`` (1-based), ``defined``, ``baseline`` (used for the
        limits), ``mean``, ``sd``, ``lcl_3sd``, ``lcl_2sd``, ``ucl_2sd``, ``ucl_3sd``, ``z``,
        ``rules`` (``;``-joined, see the module doc), ``verdict`` (``in_control``, ``warning``,
        ``reject``, ``not_determined``) and ``message``. ``df.attrs`` holds ``mean``, ``sd`` and
        ``n_baseline``.
    """
    if value not in history.columns:
        raise SchemaError(f"history lacks the column {value!r}")
    if (mean is None) != (sd is None):
        raise ValueError("give both mean and sd, or neither")
    out = history.reset_index(drop=True).copy()
    vals = pd.to_numeric(out[value], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(vals)
    if "status" in out.columns:
        ok &= out["status"].astype(str).to_numpy() == "ok"
    out.insert(0, "run_no", np.arange(1, len(out) + 1))
    out["defined"] = ok
    defined_idx = np.flatnonzero(ok)
    if mean is None:
        base_idx = defined_idx[:baseline_n]
        if len(base_idx) < MIN_BASELINE:
            raise ValueError(
                f"only {len(base_idx)} defined run(s) for the baseline; at least {MIN_BASELINE} "
                "are needed to estimate control limits (or give mean and sd)"
            )
        m = float(np.mean(vals[base_idx]))
        s = float(np.std(vals[base_idx], ddof=1))
    else:
        base_idx = np.array([], dtype=int)
        m, s = float(mean), float(sd)  # type: ignore[arg-type]
    if not (np.isfinite(s) and s > 0):
        raise ValueError(f"the control SD must be positive and finite (got {s})")
    out["baseline"] = False
    out.loc[base_idx, "baseline"] = True
    out["mean"] = m
    out["sd"] = s
    for k, name in ((-3, "lcl_3sd"), (-2, "lcl_2sd"), (2, "ucl_2sd"), (3, "ucl_3sd")):
        out[name] = m + k * s
    z = (vals - m) / s
    out["z"] = np.where(ok, z, np.nan)
    rules = [""] * len(out)
    for j, f in zip(defined_idx.tolist(), westgard_flags(z[defined_idx]), strict=True):
        rules[j] = ";".join(f)
    verdicts: list[Verdict] = []
    messages = []
    for i in range(len(out)):
        fl = [r for r in rules[i].split(";") if r]
        if not ok[i]:
            verdicts.append("not_determined")
            st = str(out["status"].iloc[i]) if "status" in out.columns else "missing"
            messages.append(f"status {st}; not judged")
        elif any(r in REJECT_RULES for r in fl):
            verdicts.append("reject")
            messages.append("violates " + ", ".join(r for r in fl if r in REJECT_RULES))
        elif fl:
            verdicts.append("warning")
            messages.append("beyond 2 SD (1-2s): check against the other rules")
        else:
            verdicts.append("in_control")
            messages.append("")
    out["rules"] = rules
    out["verdict"] = verdicts
    out["message"] = messages
    out.attrs.update(mean=m, sd=s, n_baseline=len(base_idx), value_column=value)
    return out


def plot_control_chart(
    chart: pd.DataFrame, *, title: str = "", y_label: str = "log10 IC50 (M)"
) -> Any:
    """Levey–Jennings chart of :func:`control_chart`'s table (a plotnine ``ggplot``).

    Points are the runs in order; the solid line is the mean, dashed ±2 SD, dotted ±3 SD; runs
    that break a rejecting rule are drawn in vermillion, warnings in orange. The caption states
    the baseline n.
    """
    from plotnine import (
        aes,
        element_text,
        geom_hline,
        geom_line,
        geom_point,
        geom_vline,
        ggplot,
        labs,
        scale_color_manual,
        theme,
    )

    from assaykit.report.figures import PALETTE, theme_assaykit

    pts = chart[chart["defined"]].copy()
    pts["y"] = pts[str(chart.attrs.get("value_column", "value"))]
    pts["judged"] = pd.Categorical(
        pts["verdict"].map(
            {"in_control": "in control", "warning": "warning (1-2s)", "reject": "rejected"}
        ),
        categories=["in control", "warning (1-2s)", "rejected"],
    )
    m = float(chart["mean"].iloc[0])
    s = float(chart["sd"].iloc[0])
    n_base = int(chart["baseline"].sum())
    n_runs = len(pts)
    caption = (
        f"n = {n_runs} runs with a defined value ({len(chart) - n_runs} not determined)\n"
        + (f"limits from the first {n_base} runs" if n_base else "limits given")
        + f": mean {m:.4g}, SD {s:.2g}"
    )
    plot = (
        ggplot(pts, aes("run_no", "y"))
        + geom_hline(yintercept=m, color="black", size=0.6)
        + geom_hline(yintercept=[m - 2 * s, m + 2 * s], color="#555555", linetype="dashed")
        + geom_hline(yintercept=[m - 3 * s, m + 3 * s], color="#555555", linetype="dotted")
        + geom_line(color="#999999", size=0.4)
        + geom_point(aes(color="judged"), size=2.2)
        + scale_color_manual(
            values={"in control": PALETTE[0], "warning (1-2s)": PALETTE[4], "rejected": PALETTE[1]},
            drop=False,
        )
        + labs(
            x="run (in order of experiment date)",
            y=y_label,
            title=title,
            caption=caption,
            color="",
        )
        + theme_assaykit()
        + theme(plot_caption=element_text(ha="left", size=8))
    )
    if n_base and n_base < len(chart):
        last_base = int(chart.loc[chart["baseline"], "run_no"].max())
        plot += geom_vline(xintercept=last_base + 0.5, color="#bbbbbb", linetype="dashdot")
    return plot


def chart_result(
    history: pd.DataFrame,
    compound: str,
    *,
    parameter: str = "log_ic50",
    baseline_n: int = 20,
    mean: float | None = None,
    sd: float | None = None,
    y_label: str = "log10 IC50 (M)",
) -> Any:
    """The control chart as an :class:`~assaykit.result.AssayResult` (table, figure, QC, words).

    What ``assaykit index chart`` hands the workflow layer, so the chart gets the same results
    folder, workbook and report.html as any assay. The QC table has one warning per rejected run.
    """
    from assaykit.result import AssayResult, Figure, qc_row, qc_table

    chart = control_chart(history, baseline_n=baseline_n, mean=mean, sd=sd)
    m, s = chart.attrs["mean"], chart.attrs["sd"]
    n_def = int(chart["defined"].sum())
    rejected = chart[chart["verdict"] == "reject"]
    where_all = [
        str(r.get("experiment_id") or r.get("run_date") or f"run {r['run_no']}")
        for r in chart.to_dict("records")
    ]
    where = [where_all[i] for i in np.flatnonzero(chart["verdict"].to_numpy() == "reject")]
    qc = qc_table(
        qc_row("warning", w, f"{compound}: {msg}")
        for w, msg in zip(where, rejected["message"], strict=True)
    )
    source = "given" if mean is not None else f"the first {chart.attrs['n_baseline']} defined runs"
    summary = [
        f"{compound} {parameter}: mean {m:.4g}, SD {s:.3g} ({source})",
        f"{len(rejected)} of {n_def} runs rejected by the Westgard rules"
        + (f": {', '.join(where)}" if where else ""),
    ]
    # the verdict is the row's status on the common report; the fit's own status stays beside it
    table = chart.drop(columns=[c for c in ("curve",) if c in chart.columns]).rename(
        columns={"status": "fit_status", "verdict": "status"}
    )
    table.insert(0, "run", where_all)
    return AssayResult(
        assay="control_chart",
        tables={"control_chart": table},
        figures={
            f"control_chart_{compound}": Figure(
                plot_control_chart(
                    chart, title=f"{compound}: {parameter} per run", y_label=y_label
                ),
                width=7.0,
                height=3.8,
                caption=f"Levey–Jennings chart of {compound}: mean (solid), ±2 SD (dashed), "
                "±3 SD (dotted); rejected runs in vermillion.",
            )
        },
        settings={
            "compound": compound,
            "parameter": parameter,
            "baseline_n": baseline_n,
            "mean": m,
            "sd": s,
        },  # fmt: skip
        qc=qc,
        summary=summary,
        methods=(
            f"Control limits for {parameter} of the reference compound {compound} were the mean "
            f"± 2 SD and ± 3 SD of {source}; each run was judged with the Westgard multi-rules "
            "1-2s (warning), 1-3s, 2-2s, R-4s, 4-1s and 10-x (rejection) applied across "
            "consecutive runs."
        ),
        n_statement=f"n = {n_def} independent experiments (runs) with a defined {parameter}; "
        f"{len(chart) - n_def} run(s) without one",
    )
