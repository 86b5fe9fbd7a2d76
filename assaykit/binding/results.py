"""From fitted curves to the results of a binding run (pure: tables and figures, no files).

The counterpart of :mod:`assaykit.uptake.analysis` for competitive binding: fits + Ki + the
per-curve flags of normalisation become the results table (:func:`assemble`), several
experiments get a summary (:func:`experiment_summary`), and :func:`binding_result` wraps
everything in an :class:`~assaykit.result.AssayResult` that the workflow layer
(:mod:`assaykit.run`) writes. A run of several exports labels every curve with its file first
(:func:`label_source`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from assaykit.errors import FitError
from assaykit.schema import join_flags

if TYPE_CHECKING:
    import pandas as pd

    from assaykit.result import AssayResult, Figure

__all__ = [
    "AUTO_ALL_FIGURES",
    "RESULT_ORDER",
    "FigureMode",
    "assemble",
    "binding_result",
    "experiment_summary",
    "figure_mode",
    "label_source",
    "slug",
]

FigureMode = Literal["all", "overlay", "none"]

#: With ``figures="auto"``: one figure per curve up to this many curves in total, else overlays only.
AUTO_ALL_FIGURES = 24

#: Columns of results.csv in order (what exists of these).
RESULT_ORDER: tuple[str, ...] = (
    "curve", "source", "compound", "experiment", "plate", "status", "ic50", "ic50_ci_low", "ic50_ci_high",
    "log_ic50", "log_ic50_se", "log_ic50_ci_low", "log_ic50_ci_high", "hill", "hill_se", "top", "top_se",
    "bottom", "bottom_se", "fixed", "ki", "ki_ci_low", "ki_ci_high", "pki", "pki_ci_low", "pki_ci_high", "ki_factor",
    "rss", "df", "n", "r_squared", "x_min", "x_max", "n_outliers", "ci_method", "flags", "message",
)  # fmt: skip


def slug(name: str, taken: set[str]) -> str:
    """A file-name-safe, unique (case-insensitively) stem for ``name``.

    Examples
    --------
    >>> taken = set()
    >>> slug("[natGa]Pentixafor", taken), slug("natGa Pentixafor", taken)
    ('natGa_Pentixafor', 'natGa_Pentixafor_2')
    """
    s = re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_") or "curve"
    s, i = s[:60], 2
    base = s
    while s.lower() in taken:
        s, i = f"{base}_{i}", i + 1
    taken.add(s.lower())
    return s


def figure_mode(figures: bool | str | None, n_curves: int) -> FigureMode:
    """``figures`` option → ``all``, ``overlay`` or ``none`` (``auto``/None/True: by curve count).

    Examples
    --------
    >>> figure_mode("auto", 3), figure_mode("auto", 100), figure_mode(False, 3)
    ('all', 'overlay', 'none')
    """
    if figures is True or figures is None or figures == "auto":
        return "all" if n_curves <= AUTO_ALL_FIGURES else "overlay"
    if figures is False:
        return "none"
    mode = str(figures).strip().lower()
    if mode not in ("all", "overlay", "none"):
        raise FitError(f"figures: unknown value {figures!r}; expected all, overlay, none or auto")
    return mode  # type: ignore[return-value]


def label_source(
    data: pd.DataFrame, qc: pd.DataFrame, source: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Put the file into the curve key, the group label and the experiment of every row.

    Used when several exports are analysed together: ``curve`` becomes ``"<compound>
    [<file>]"`` (``"<compound> [<file>, <group>]"`` for several plate groups), a ``source``
    column holds the file name and each file is one experiment.
    """
    data = data.copy()
    inner: pd.Series | str
    if "curve_group" in data:
        group = data["curve_group"].fillna("").astype(str)
        inner = (source + ", " + group).where(group != "", source) if len(data) else group
    else:  # every caller sets curve_group; without it the file name alone labels the rows
        inner = source if len(data) else ""
    comp = data["role"] == "competitor"
    label = data["compound"].astype(str) + " [" + inner + "]"
    data["curve"] = label.where(comp, "")
    data["curve_group"] = inner
    data.insert(0, "source", source)
    if "experiment" in data.columns:
        exp = data["experiment"].fillna("").astype(str)
        data["experiment"] = (source + ": " + exp).where(exp != "", source)
    else:
        data["experiment"] = source
    if len(qc):
        qc = qc.copy()
        g = qc["curve_group"].fillna("").astype(str)
        qc["curve_group"] = (source + ", " + g).where(g != "", source)
        qc.insert(0, "source", source)
    return data, qc


def assemble(
    fits: pd.DataFrame,
    points: pd.DataFrame,
    qc: pd.DataFrame,
    experiment: Mapping[str, Any],
    opts: Mapping[str, Any],
) -> pd.DataFrame:
    """Fits + Ki + per-curve flags from normalisation → the results table (one row per curve).

    ``opts`` holds ``radioligand_conc``, ``kd``, ``kd_se`` (M or None: from ``experiment``),
    ``ki_hill_range``, ``fix`` and ``model``.
    """
    import numpy as np
    import pandas as pd

    from assaykit.binding.controls import check_radioligand
    from assaykit.binding.ki import ki_table

    meta_cols = [
        c
        for c in ("source", "compound", "experiment", "plate", "curve_group")
        if c in points.columns
    ]
    meta = points.groupby("curve", sort=False)[meta_cols].first() if meta_cols else None
    row_flags = (
        points.groupby("curve", sort=False)["flags"].agg(lambda s: join_flags(*s))
        if "flags" in points.columns
        else pd.Series(dtype=object)
    )
    res = fits.copy()
    if meta is not None:
        res = res.merge(meta, left_on="curve", right_index=True, how="left")
    fraction = np.full(len(res), np.nan)
    if len(qc) and "fraction_bound" in qc.columns and "curve_group" in res.columns:
        fb = dict(zip(qc["curve_group"], qc["fraction_bound"], strict=True))
        fraction = res["curve_group"].map(fb).to_numpy(dtype=float)
    conc = opts.get("radioligand_conc")
    kd = opts.get("kd")
    conc = conc if conc is not None else experiment.get("radioligand_conc_M")
    kd = kd if kd is not None else experiment.get("radioligand_kd_M")
    check_radioligand(conc, kd)
    res = ki_table(
        res,
        radioligand_conc=conc,
        kd=kd,
        kd_se=opts.get("kd_se"),
        kd_ci=opts.get("kd_ci"),
        fraction_bound=fraction,
        hill_range=opts.get("ki_hill_range", (0.7, 1.3)),
    )
    qc_msg = (
        dict(zip(qc["curve_group"], qc["message"], strict=True))
        if len(qc) and "message" in qc
        else {}
    )
    flags, messages = [], []
    for _, r in res.iterrows():
        flags.append(
            join_flags(r.get("flags", ""), row_flags.get(r["curve"], ""), r.get("ki_flags", ""))
        )
        messages.append(
            join_flags(
                r.get("message", ""),
                qc_msg.get(r.get("curve_group", ""), ""),
                r.get("ki_message", ""),
                sep="; ",
            )
        )
    res["flags"] = flags
    res["message"] = messages
    if "experiment" not in res.columns and experiment.get("experiment_id"):
        # one export = one experiment: name it, so results of several runs can be concatenated
        # and summarised (assaykit.binding.summary.summarize_experiments)
        res["experiment"] = str(experiment["experiment_id"])
    held = dict(opts.get("fix") or {})
    if opts.get("model") == "one_site":
        held.setdefault("hill", -1.0)
    res["fixed"] = ";".join(f"{k}={v:g}" for k, v in held.items())
    order = [c for c in RESULT_ORDER if c in res.columns]
    return res[order].reset_index(drop=True)


def experiment_summary(results: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Summary (and comparisons) tables when the same compounds were run in several experiments.

    Returns the tables and the notes for the QC table (e.g. why there is no comparison).
    """
    from assaykit.binding.summary import compare_experiments, summarize_experiments

    if not {"compound", "experiment"} <= set(results.columns):
        return {}, []
    if results["experiment"].nunique() < 2:
        return {}, []
    sheets = {"summary": summarize_experiments(results)}
    notes: list[str] = []
    # fewer than two compounds with two usable experiments each: nothing to compare
    with contextlib.suppress(FitError):
        try:
            sheets["comparisons"] = compare_experiments(results)
        except (ZeroDivisionError, FloatingPointError) as err:
            # degenerate data (e.g. the same export given twice: zero variance) must not cost
            # the whole analysis; the summary is still written
            notes.append(f"no comparisons sheet: the experiments cannot be compared ({err})")
    return sheets, notes


def _overlay_groups(
    points: pd.DataFrame, fits: pd.DataFrame, *, by_source: bool
) -> list[tuple[str, pd.DataFrame, pd.DataFrame]]:
    """(name, points, fits) per overlay: one per source file, or one per plate group."""
    if by_source:
        source_of = points.groupby("curve", sort=False)["source"].first()
        fit_source = fits["curve"].map(source_of)
        out = []
        for source in dict.fromkeys(points["source"]):
            pts = points[points["source"] == source]
            part = fits[fit_source == source].copy()
            # the legend names curves as they are named inside the file
            inner = {
                c: c.removesuffix(f" [{source}]").replace(f" [{source}, ", " [")
                for c in part["curve"]
            }
            out.append(
                (
                    str(source),
                    pts.assign(curve=pts["curve"].map(inner)),
                    part.assign(curve=part["curve"].map(inner)),
                )
            )
        return out
    if "curve_group" in points.columns and points["curve_group"].nunique() > 1:
        group_of = points.groupby("curve", sort=False)["curve_group"].first()
        key = fits["curve"].map(group_of)
        return [(str(g), points, fits[key == g]) for g in dict.fromkeys(key)]
    return [("", points, fits)]


def binding_figures(
    points: pd.DataFrame,
    fits: pd.DataFrame,
    results: pd.DataFrame,
    mode: FigureMode,
    *,
    by_source: bool = False,
) -> dict[str, Figure]:
    """Per-curve figures (``all``) and the overlays (``all``, ``overlay``), by file stem."""
    from pathlib import PurePath

    from assaykit.binding.figures import plot_curve, plot_overlay, series_colours
    from assaykit.result import Figure

    out: dict[str, Figure] = {}
    if mode == "none":
        return out
    taken: set[str] = set()
    excluded = fits.attrs.get("outliers")
    kept = _without_excluded(points, excluded)
    if mode == "all":
        colours = series_colours(len(fits))
        for i, (_, fit) in enumerate(fits.iterrows()):
            compound = str(results.loc[i, "compound"]) if "compound" in results.columns else ""
            plot = plot_curve(kept, fit, compound=compound or None, color=colours[i])
            plot = _mark_excluded(plot, excluded, str(fit["curve"]))
            out[f"curve_{slug(str(fit['curve']), taken)}"] = Figure(plot, 6.0, 4.5)
    if "ki" in results.columns:  # the legend gives Ki wherever it gives IC50
        ki_of = dict(zip(results["curve"], results["ki"], strict=True))
        fits = fits.assign(ki=fits["curve"].map(ki_of))
    for name, pts, part in _overlay_groups(points, fits, by_source=by_source):
        if by_source:
            stem = f"overlay_{slug(PurePath(name).stem, taken)}"
        else:
            stem = "overlay" if not name else f"overlay_{slug(name, taken)}"
        height = 3.6 + 0.22 * min(len(part), 12)
        out[stem] = Figure(plot_overlay(pts, part), 5.0, height)
    return out


def _without_excluded(points: pd.DataFrame, excluded: pd.DataFrame | None) -> pd.DataFrame:
    """The points without those ROUT excluded (they are drawn apart, not in the means)."""
    if excluded is None or not len(excluded) or "conc" not in excluded.columns:
        return points
    key = set(
        zip(excluded["curve"].astype(str), excluded["conc"], excluded["response"], strict=True)
    )
    drop = [
        (c, x, y) in key
        for c, x, y in zip(
            points["curve"].astype(str), points["conc"], points["response"], strict=True
        )
    ]
    return points[[not d for d in drop]]


def _mark_excluded(plot: Any, excluded: pd.DataFrame | None, curve: str) -> Any:
    """Draw the points ROUT excluded from ``curve`` as red crosses, and say so in the caption."""
    import numpy as np
    from plotnine import aes, geom_point, labs

    if excluded is None or not len(excluded) or "conc" not in excluded.columns:
        return plot
    mine = excluded[excluded["curve"].astype(str) == curve]
    if mine.empty:
        return plot
    data = mine.assign(log_conc=np.log10(mine["conc"].astype(float)))
    caption = getattr(plot.labels, "caption", None) or ""
    note = f"×: {len(mine)} point(s) excluded as outliers by ROUT (not fitted)"
    return (
        plot
        + geom_point(
            aes("log_conc", "response"), data=data, shape="x", color="#D55E00", size=3.5, stroke=1.2
        )
        + labs(caption=f"{caption}\n{note}".strip())
    )


def binding_result(
    results: pd.DataFrame,
    points: pd.DataFrame,
    fits: pd.DataFrame,
    normalised: pd.DataFrame,
    qc: pd.DataFrame,
    settings: Mapping[str, Any],
    *,
    mode: FigureMode,
    files: pd.DataFrame | None = None,
) -> AssayResult:
    """Everything a binding run produced, as an :class:`~assaykit.result.AssayResult`.

    Tables (results.xlsx sheets, in order): ``parameters`` (= results.csv), ``flags``, ``qc``
    (per group: TB/NSB levels, fraction bound), ``summary``/``comparisons`` (several
    experiments), ``normalised`` (every point), ``files`` (several exports: one row each).
    """
    from assaykit.binding.figures import ic50_label
    from assaykit.result import AssayResult, qc_row, qc_table

    by_source = files is not None
    tables: dict[str, pd.DataFrame] = {
        "parameters": results,
        "flags": results[["curve", "status", "flags", "message"]],
    }
    if len(qc):
        tables["qc"] = qc
    summary_tables, notes = experiment_summary(results)
    tables.update(summary_tables)
    tables["normalised"] = _sheet_view(normalised) if by_source else normalised
    if files is not None:
        tables["files"] = files
    excluded = fits.attrs.get("outliers")
    if excluded is not None and len(excluded):
        tables["outliers"] = excluded  # points ROUT excluded (concentration in M, response)
    n_ok = int((results["status"] == "ok").sum())
    lines = _ki_inputs_line(settings)
    if not by_source or len(results) <= AUTO_ALL_FIGURES:
        lines += [
            f"  {r['curve']}: {_with_ki(ic50_label(r, multiline=False), r)}"
            for _, r in results.iterrows()
        ]
    return AssayResult(
        assay="binding",
        tables=tables,
        figures=binding_figures(points, fits, results, mode, by_source=by_source),
        settings=dict(settings),
        qc=qc_table(qc_row("warning", "comparisons", n) for n in notes),
        summary=lines,
        n_statement=f"{len(results)} curve(s), {n_ok} with status ok; n = wells or tubes per curve",
        data={"points": points},
    )


def _ki_inputs_line(settings: Mapping[str, Any]) -> list[str]:
    """Say which [L] and Kd Ki was computed from (a pre-filled unit left unchanged shows here)."""
    import math

    from assaykit.units import format_molar

    conc, kd = settings.get("radioligand_conc_M"), settings.get("kd_M")
    if conc is None or kd is None or not (math.isfinite(conc) and math.isfinite(kd)):
        return []
    src = settings.get("kd_source") or "template Experiment sheet or options"
    return [
        f"  Ki by Cheng–Prusoff with [L] = {format_molar(conc)} and Kd = {format_molar(kd)} "
        f"(factor {1 + conc / kd:.3g}; from {src}): check both and their units"
    ]


def _with_ki(label: str, row: Any) -> str:
    """The IC50 label plus Ki (95 % CI) and pKi when the curve has them."""
    import math

    from assaykit.units import format_molar

    ki = float(row.get("ki", math.nan)) if "ki" in row else math.nan
    if not math.isfinite(ki):
        return label
    lo, hi = float(row.get("ki_ci_low", math.nan)), float(row.get("ki_ci_high", math.nan))
    ci = f" (95% CI {format_molar(lo)}–{format_molar(hi)})" if math.isfinite(lo) else ""
    return f"{label}; Ki {format_molar(ki)}{ci}, pKi {float(row.get('pki', math.nan)):.2f}"


def _sheet_view(normalised: pd.DataFrame) -> pd.DataFrame:
    """The normalised table without columns that only repeat ``source``."""
    drop = [
        c
        for c in ("curve_group", "experiment")
        if c in normalised.columns and normalised[c].equals(normalised["source"])
    ]
    return normalised.drop(columns=drop)
