"""The competitive binding analysis from a file to a results folder (``assaykit binding fit``).

Input is either

- a **tidy table** (CSV or XLSX) with one row per point: concentration in M (``conc``), response
  (``response``, e.g. % specific binding) and curve name (``curve``) — other names via ``x``,
  ``y``, ``by``; or
- an **instrument export** with its filled binding template (``layout``): the export is read
  (:func:`assaykit.io.read_export`), annotated (:func:`assaykit.layout.annotate`), normalised to
  % specific binding with the QC checks (:func:`~assaykit.binding.normalise.normalise_binding`).

Then every curve is fitted (:func:`assaykit.binding.fit_curves`), Ki computed where the
radioligand concentration and Kd are known (:func:`~assaykit.binding.ki.ki_table`), and the folder
written through :class:`~assaykit.report.output.OutputFolder`: ``results.csv`` (one row per
curve), ``results.xlsx`` (parameters, normalised, qc, flags, settings [, summary,
comparisons]), ``provenance.json`` and figures (one per curve plus an overlay; PNG, PDF, SVG).

Several inputs (files and/or folders) go to :func:`assaykit.binding.batch.run_binding_batch`:
each export normalised on its own, all curves fitted in one batched call, a ``source`` column.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from assaykit.errors import AssaykitError, FitError, SchemaError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BindingAnalysis",
    "parse_molar",
    "read_tidy",
    "run_binding_analysis",
    "run_binding_summary",
]

#: Columns of results.csv in order (the ``by`` column first, then what exists of these).
RESULT_ORDER: tuple[str, ...] = (
    "curve", "source", "compound", "experiment", "plate", "status", "ic50", "ic50_ci_low", "ic50_ci_high",
    "log_ic50", "log_ic50_se", "log_ic50_ci_low", "log_ic50_ci_high", "hill", "hill_se", "top", "top_se",
    "bottom", "bottom_se", "fixed", "ki", "ki_ci_low", "ki_ci_high", "pki", "pki_ci_low", "pki_ci_high", "ki_factor",
    "rss", "df", "n", "r_squared", "x_min", "x_max", "flags", "message",
)  # fmt: skip

#: Concentration unit → power of ten to M.
_UNITS = {"M": 0, "mM": -3, "uM": -6, "µM": -6, "μM": -6, "nM": -9, "pM": -12, "fM": -15}
_MOLAR_RE = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-zA-Zµμ]*)\s*$")


class BindingAnalysis(NamedTuple):
    """What :func:`run_binding_analysis` computed and where it wrote it."""

    results: pd.DataFrame
    normalised: pd.DataFrame
    qc: pd.DataFrame
    outdir: Path
    files: list[Path]


def parse_molar(text: str | float | None, *, what: str = "concentration") -> float | None:
    """A concentration given as ``1e-9``, ``"1 nM"``, ``"0.1nM"`` or ``"2.5 µM"`` → M.

    Examples
    --------
    >>> parse_molar("1 nM"), parse_molar("0.1nM"), parse_molar(2e-9), parse_molar(None)
    (1e-09, 1e-10, 2e-09, None)
    >>> parse_molar("3 furlongs", what="--kd")
    Traceback (most recent call last):
    ...
    assaykit.errors.FitError: --kd: expected a concentration such as 1e-9 (M) or '1 nM', got '3 furlongs'
    """
    if text is None:
        return None
    if isinstance(text, (int, float)):
        return float(text)
    m = _MOLAR_RE.match(str(text))
    unit = m.group(2) if m else ""
    if not m or (unit and unit not in _UNITS):
        raise FitError(f"{what}: expected a concentration such as 1e-9 (M) or '1 nM', got {text!r}")
    from decimal import Decimal

    return float(Decimal(m.group(1)).scaleb(_UNITS[unit or "M"]))  # exact: '0.1 nM' → 1e-10


def read_tidy(
    path: str | os.PathLike[str], *, x: str = "conc", y: str = "response", by: str = "curve"
) -> pd.DataFrame:
    """Read a tidy CSV/XLSX table of points and return it with columns ``conc``, ``response``, ``curve``.

    The original columns named by ``x``, ``y``, ``by`` are renamed; other columns are kept.

    Raises
    ------
    SchemaError
        A column is missing (the message suggests ``--layout`` for instrument exports) or
        ``x``/``y`` hold text that is not a number (the row is named).
    """
    import pandas as pd

    from assaykit.io.tidy import read_tidy_table

    p = Path(path)
    df = read_tidy_table(p)
    missing = [c for c in (x, y, by) if c not in df.columns]
    if missing:
        fmt = _export_format(p)
        if fmt:
            raise SchemaError(
                f"this is a {fmt} instrument export, not a tidy table: give its filled binding template "
                "with --layout FILLED.xlsx (make one with 'assaykit template binding')",
                path=p,
            )
        have = ", ".join(repr(c) for c in df.columns[:12]) + (" …" if len(df.columns) > 12 else "")
        raise SchemaError(
            f"a tidy table needs columns {x!r} (concentration, M), {y!r} (response) and {by!r} (curve); "
            f"missing {', '.join(map(repr, missing))} (it has {have}). Name other columns with --x/--y/--by, "
            "or give an instrument export with --layout FILLED.xlsx",
            path=p,
        )
    out = df.drop(
        columns=[
            c for c in ("conc", "response", "curve") if c in df.columns and c not in (x, y, by)
        ]
    )
    out = out.rename(columns={x: "conc", y: "response", by: "curve"})
    for col, orig in (("conc", x), ("response", y)):
        num = pd.to_numeric(out[col], errors="coerce")
        bad = num.isna() & out[col].notna() & (out[col].astype(str).str.strip() != "")
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise SchemaError(
                f"column {orig!r} must hold numbers; got {out[col].iloc[i]!r}", path=p, line=i + 2
            )
        out[col] = num.astype(float)
    out["curve"] = out["curve"].astype(str).str.strip()
    return out


def _export_format(path: Path) -> str:
    """The instrument format of ``path`` when a dedicated reader recognises it, else ``''``."""
    from assaykit.io import detect_format

    try:
        name = detect_format(path)
    except AssaykitError:
        return ""
    return "" if name.startswith("generic") or name in ("plate_grid", "tube_table") else name


def _slug(name: str, taken: set[str]) -> str:
    s = re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_") or "curve"
    s, i = s[:60], 2
    base = s
    while s.lower() in taken:
        s, i = f"{base}_{i}", i + 1
    taken.add(s.lower())
    return s


def _join(*parts: Any, sep: str = ";") -> str:
    """Join ``sep``-separated lists, dropping empties and repeats (flags: ``;``, messages: ``; ``)."""
    seen: list[str] = []
    for part in parts:
        for item in str(part if part is not None else "").split(sep):
            item = item.strip()
            if item and item.lower() != "nan" and item not in seen:
                seen.append(item)
    return sep.join(seen)


def _assemble(
    fits: pd.DataFrame,
    points: pd.DataFrame,
    qc: pd.DataFrame,
    experiment: Mapping[str, Any],
    opts: Mapping[str, Any],
) -> pd.DataFrame:
    """Fits + Ki + per-curve flags from normalisation → the results table (one row per curve)."""
    import numpy as np
    import pandas as pd

    from assaykit.binding.ki import ki_table

    meta_cols = [
        c
        for c in ("source", "compound", "experiment", "plate", "curve_group")
        if c in points.columns
    ]
    meta = points.groupby("curve", sort=False)[meta_cols].first() if meta_cols else None
    row_flags = (
        points.groupby("curve", sort=False)["flags"].agg(lambda s: _join(*s))
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
    res = ki_table(
        res,
        radioligand_conc=conc,
        kd=kd,
        kd_se=opts.get("kd_se"),
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
            _join(r.get("flags", ""), row_flags.get(r["curve"], ""), r.get("ki_flags", ""))
        )
        messages.append(
            _join(
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
        # and summarised (assaykit.binding.summary.summarise_experiments)
        res["experiment"] = str(experiment["experiment_id"])
    held = dict(opts.get("fix") or {})
    if opts.get("model") == "one_site":
        held.setdefault("hill", -1.0)
    res["fixed"] = ";".join(f"{k}={v:g}" for k, v in held.items())
    order = [c for c in RESULT_ORDER if c in res.columns]
    return res[order].reset_index(drop=True)


def _fit_and_settings(
    points: pd.DataFrame,
    *,
    model_name: str,
    fix: Mapping[str, float] | None,
    weighting: str | None,
    ci: str,
    x: str,
    y: str,
    conc_unit: str,
    by: str,
    opts: Mapping[str, Any],
    experiment: Mapping[str, Any],
    ki_hill_range: tuple[float, float],
    fit_options: Mapping[str, Any],
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Fit every competitor curve of ``points`` in one batch; the settings shared by all runs."""
    from assaykit.binding.fit import fit_curves

    fits = fit_curves(
        points,
        "conc",
        "response",
        "curve",
        model=model_name,
        fix=fix,
        weighting=weighting,
        ci=ci,
        **fit_options,
    )
    settings: dict[str, Any] = {
        "x": x,
        "y": y,
        "conc_unit": conc_unit,
        "by": by,
        "model": model_name,
        "fix": dict(fix or {}),
        "weighting": weighting or "none",
        "ci": ci,
        "radioligand_conc_M": opts["radioligand_conc"] or experiment.get("radioligand_conc_M"),
        "kd_M": opts["kd"] or experiment.get("radioligand_kd_M"),
        "kd_se_M": opts["kd_se"],
        "ki_hill_range": tuple(ki_hill_range),
        **fit_options,
    }
    return fits, settings


def _settings_table(settings: Mapping[str, Any]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({"setting": list(settings), "value": [str(v) for v in settings.values()]})


def run_binding_analysis(
    input: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    layout: str | os.PathLike[str] | None = None,
    force: bool = False,
    x: str = "conc",
    y: str = "response",
    by: str = "curve",
    format: str | None = None,
    model: str = "4pl",
    fix: Mapping[str, float] | None = None,
    weighting: str | None = None,
    ci: str = "wald",
    radioligand_conc: float | str | None = None,
    kd: float | str | None = None,
    kd_se: float | str | None = None,
    value: str | None = None,
    conc_unit: str = "M",
    ki_hill_range: tuple[float, float] = (0.7, 1.3),
    figures: bool | str = True,
    progress: Callable[[str], None] | None = None,
    command: str = "run_binding_analysis",
    **fit_options: Any,
) -> BindingAnalysis:
    """Analyse a competitive binding experiment and write the results folder.

    Parameters
    ----------
    input
        Tidy CSV/XLSX of points, or an instrument export (then ``layout`` is required). Several
        files and/or a folder: :func:`assaykit.binding.batch.run_binding_batch` analyses them
        (one batched fit, a ``source`` column) and its
        :class:`~assaykit.binding.batch.BatchAnalysis` is returned; ``progress`` is then called
        as ``progress(stage, done, total)`` and ``figures`` defaults to ``"auto"``.
    outdir
        Results folder to create (refused if it exists, unless ``force``).
    layout
        Filled binding template (``.xlsx``) or wellmap TOML for an instrument export.
    force
        Replace an existing ``outdir``.
    x, y, by
        Column names of concentration (M), response and curve in a tidy table.
    format
        Export format name (default: detected from the content).
    model, fix, weighting, ci
        Passed to :func:`assaykit.binding.fit_curves` (``model`` ``"4pl"`` or ``"one_site"``;
        ``"one-site"`` is accepted too).
    radioligand_conc, kd, kd_se
        Radioligand concentration, its Kd and Kd's SE (M, or text such as ``"1 nM"``); default
        from the template's Experiment sheet. Needed for Ki.
    value
        Measured-value column of the export (default ``cpm`` / ``value``).
    conc_unit
        Unit of the tidy table's concentrations (``M``, ``mM``, ``uM``, ``µM``, ``nM``, ``pM``);
        converted to M before fitting, so results and figures are always in M.
    ki_hill_range
        |Hill slope| outside this range flags ``hill_not_unity`` on Ki (Cheng–Prusoff assumes 1).
    figures
        ``True`` or ``"all"``: one figure per curve plus the overlay(s); ``"overlay"``: the
        overlay(s) only; ``False`` or ``"none"``: tables and provenance only (much faster).
    progress
        Called with a short description before each step (the CLI shows it).
    command
        Recorded in provenance.json.
    **fit_options
        Further options of :func:`assaykit.binding.fit_curves` (``bounds``, ``level``, …).

    Returns
    -------
    BindingAnalysis
        ``results`` (the results.csv table), ``normalised`` (points), ``qc``, ``outdir`` and
        the ``files`` written. results.csv has one row per curve: ``curve``, ``compound`` (and
        ``experiment``/``plate`` when known), ``status``, ``ic50`` with ``ic50_ci_low/high``
        (M; NaN unless status is ``ok``), ``log_ic50`` with SE and CI, ``hill``, ``top``,
        ``bottom`` with SEs (NaN when held), ``fixed`` (held parameters), ``ki`` with CI, ``pki``
        with CI, ``ki_factor`` (1 + [L]/Kd), ``rss``, ``df``, ``n``, ``r_squared``,
        ``x_min``/``x_max`` (log10 M tested), ``flags`` (fit, QC and Ki flags, ``;``-joined) and
        ``message`` (why, in words).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from assaykit.datasets.binding import EXPORT, LAYOUT
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "binding"
    >>> res = run_binding_analysis(EXPORT, out, layout=LAYOUT, figures=False)
    >>> for r in res.results.itertuples():
    ...     print(f"{r.curve}: {r.status}, IC50 {r.ic50 * 1e9:.3g} nM, Ki {r.ki * 1e9:.3g} nM")
    AMD3100: ok, IC50 301 nM, Ki 274 nM
    [natGa]Pentixafor: ok, IC50 35 nM, Ki 31.9 nM
    iodo-CPCR4: ok, IC50 5.42 nM, Ki 4.93 nM
    >>> sorted(p.name for p in out.iterdir())
    ['provenance.json', 'results.csv', 'results.xlsx']
    """
    from assaykit.binding.batch import is_batch, run_binding_batch

    if is_batch(input):
        return run_binding_batch(  # type: ignore[return-value]
            list(input) if isinstance(input, (list, tuple)) else [input],  # type: ignore[arg-type]
            outdir,
            layout=layout,
            force=force,
            x=x,
            y=y,
            by=by,
            format=format,
            model=model,
            fix=fix,
            weighting=weighting,
            ci=ci,
            radioligand_conc=radioligand_conc,
            kd=kd,
            kd_se=kd_se,
            value=value,
            conc_unit=conc_unit,
            ki_hill_range=ki_hill_range,
            figures="auto" if figures is True else figures,
            progress=progress,  # type: ignore[arg-type]
            command=command,
            **fit_options,
        )
    if isinstance(input, (list, tuple)):
        input = input[0]
    import pandas as pd

    from assaykit.binding.figures import plot_curve, series_colours
    from assaykit.report.output import OutputFolder, provenance

    figure_mode = {True: "all", False: "none"}.get(figures, figures)  # type: ignore[call-overload]
    if figure_mode not in ("all", "overlay", "none"):
        raise FitError(f"figures: unknown value {figures!r}; expected all, overlay or none")
    figures = figure_mode != "none"

    def step(text: str) -> None:
        if progress is not None:
            progress(text)

    folder = OutputFolder(outdir, force=force)  # refuse an existing folder before any work
    model_name = {"one-site": "one_site", "onesite": "one_site", "4PL": "4pl"}.get(model, model)
    if weighting in ("none", ""):
        weighting = None
    opts = {
        "radioligand_conc": parse_molar(radioligand_conc, what="radioligand concentration"),
        "kd": parse_molar(kd, what="Kd"),
        "kd_se": parse_molar(kd_se, what="Kd SE"),
        "ki_hill_range": tuple(ki_hill_range),
        "fix": dict(fix or {}),
        "model": model_name,
    }
    qc = pd.DataFrame()
    experiment: dict[str, Any] = {}
    if layout is not None:
        from assaykit.binding.normalise import normalise_binding
        from assaykit.io import read_export
        from assaykit.layout import annotate, read_layout

        step("reading the export and the layout")
        table = read_export(input, format=format)
        lay = read_layout(layout)
        if lay.attrs.get("kind", "binding") != "binding":
            raise SchemaError(
                f"{Path(layout).name} is a {lay.attrs.get('kind')} template; expected a binding template"
            )
        try:
            annotated = annotate(table, lay)
        except AssaykitError as err:
            raise err.with_context(path=layout) from None
        step("normalising to % specific binding")
        norm = normalise_binding(annotated, value=value)
        experiment = dict(annotated.attrs.get("experiment") or {})
        normalised, qc = norm.data, norm.qc
        points = normalised[normalised["role"] == "competitor"]
        if points.empty:
            raise SchemaError(
                "the layout marks no tube or well as 'competitor'; nothing to fit", path=layout
            )
    else:
        step("reading the table")
        normalised = read_tidy(input, x=x, y=y, by=by)
        if conc_unit != "M":
            if conc_unit not in _UNITS:
                raise FitError(
                    f"unknown concentration unit {conc_unit!r}; expected one of {', '.join(_UNITS)}"
                )
            normalised["conc"] = normalised["conc"] * 10.0 ** _UNITS[conc_unit]
        points = normalised
    step(f"fitting {points['curve'].nunique()} curve(s)")
    fits, common = _fit_and_settings(
        points,
        model_name=model_name,
        fix=fix,
        weighting=weighting,
        ci=ci,
        x=x,
        y=y,
        conc_unit=conc_unit,
        by=by,
        opts=opts,
        experiment=experiment,
        ki_hill_range=ki_hill_range,
        fit_options=fit_options,
    )
    results = _assemble(fits, points, qc, experiment, opts)

    settings: dict[str, Any] = {
        "input": Path(input).name,
        "layout": Path(layout).name if layout is not None else "",
        "format": format
        or (normalised.attrs.get("format", "") if layout is not None else "tidy table"),
        **common,
        "figures": figures if figure_mode != "overlay" else "overlay",
    }
    if experiment:
        settings.update({f"experiment.{k}": v for k, v in experiment.items()})

    files: list[Path] = []
    with folder as out:
        step("writing tables")
        files.append(out.write_csv(results, "results.csv"))
        sheets = {"parameters": results, "flags": results[["curve", "status", "flags", "message"]]}
        if len(qc):
            sheets["qc"] = qc
        sheets.update(_experiment_summary(results))
        sheets["normalised"] = normalised
        sheets["settings"] = _settings_table(settings)
        files.append(out.write_xlsx(sheets, "results.xlsx"))
        taken: set[str] = set()
        n_curves = len(fits) if figure_mode == "all" else 0
        colours = series_colours(n_curves)
        for i, (_, fit) in enumerate(fits.iloc[:n_curves].iterrows()):
            step(f"figure {i + 1}/{n_curves}: {fit['curve']}")
            compound = str(results.loc[i, "compound"]) if "compound" in results.columns else None
            plot = plot_curve(points, fit, compound=compound or None, color=colours[i])
            files += out.save_figure(plot, f"curve_{_slug(str(fit['curve']), taken)}")
        if figures:
            files += _overlays(out, points, fits, step)
        prov = provenance(
            {"input": input, "layout": layout},
            {
                k: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v))
                for k, v in settings.items()
            },
            command,
        )
        files.append(out.write_json(prov, "provenance.json"))
    final = Path(outdir)
    files = [final / p.name for p in files]
    return BindingAnalysis(results, normalised, qc, final, files)


def _overlays(
    out: Any, points: pd.DataFrame, fits: pd.DataFrame, step: Callable[[str], None]
) -> list[Path]:
    """One overlay of all curves, or one per experiment/plate group when there are several."""
    from assaykit.binding.figures import plot_overlay

    groups = [("", fits)]
    if "curve_group" in points.columns and points["curve_group"].nunique() > 1:
        group_of = points.groupby("curve", sort=False)["curve_group"].first()
        key = fits["curve"].map(group_of)
        groups = [(str(g), fits[key == g]) for g in dict.fromkeys(key)]
    files: list[Path] = []
    taken: set[str] = set()
    for name, part in groups:
        stem = "overlay" if not name else f"overlay_{_slug(name, taken)}"
        step(f"overlay figure {name}".strip())
        height = 3.6 + 0.22 * min(len(part), 12)
        files += out.save_figure(plot_overlay(points, part), stem, width=5.0, height=height)
    return files


def _experiment_summary(results: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Summary (and comparisons) sheets when the same compounds were run in several experiments."""
    from assaykit.binding.summary import compare_experiments, summarise_experiments

    if not {"compound", "experiment"} <= set(results.columns):
        return {}
    if results["experiment"].nunique() < 2:
        return {}
    sheets = {"summary": summarise_experiments(results)}
    # fewer than two compounds with two usable experiments each: nothing to compare
    with contextlib.suppress(FitError):
        try:
            sheets["comparisons"] = compare_experiments(results)
        except (ZeroDivisionError, FloatingPointError) as err:
            # degenerate data (e.g. the same export given twice: zero variance) must not
            # cost the whole analysis; the summary sheet is still written
            import warnings

            from assaykit.errors import FitQualityWarning

            warnings.warn(
                f"no comparisons sheet: the experiments cannot be compared ({err})",
                FitQualityWarning,
                stacklevel=2,
            )
    return sheets


def run_binding_summary(
    inputs: list[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    force: bool = False,
    paired: bool | None = None,
    padjust: str = "holm",
    command: str = "run_binding_summary",
) -> dict[str, pd.DataFrame]:
    """Summarise results.csv files of independent experiments: mean ± SD logIC50 and comparisons.

    Parameters
    ----------
    inputs
        results.csv files written by :func:`run_binding_analysis` (columns ``compound``,
        ``experiment``, ``log_ic50``, ``status``); one file may hold several experiments.
    outdir
        Folder for ``summary.csv``, ``comparisons.csv`` (when two or more compounds have two or
        more experiments), ``summary.xlsx`` and ``provenance.json``.
    force
        Replace an existing folder.
    paired, padjust
        See :func:`assaykit.binding.summary.compare_experiments`.

    Returns
    -------
    dict
        ``{"summary": DataFrame, "comparisons": DataFrame}`` (comparisons may be empty).
    """
    import pandas as pd

    from assaykit.binding.summary import compare_experiments, summarise_experiments
    from assaykit.report.output import OutputFolder, provenance
    from assaykit.schema import require_columns

    folder = OutputFolder(outdir, force=force)
    if not inputs:
        raise SchemaError("give at least one results.csv to summarise")
    parts = []
    for p in inputs:
        try:
            df = pd.read_csv(p)
        except (OSError, ValueError, UnicodeDecodeError) as err:
            raise SchemaError(f"cannot read it as a results table ({err})", path=p) from None
        try:
            require_columns(
                df, ["compound", "experiment", "log_ic50", "status"], stage="binding summary"
            )
        except SchemaError as err:
            raise err.with_context(path=p) from None
        parts.append(df)
    fits = pd.concat(parts, ignore_index=True)
    summary = summarise_experiments(fits)
    try:
        comparisons = compare_experiments(fits, paired=paired, padjust=padjust)  # type: ignore[arg-type]
    except FitError as err:
        if "padjust" in str(err) or "paired" in str(err):
            raise
        comparisons = pd.DataFrame()
    with folder as out:
        out.write_csv(summary, "summary.csv")
        sheets = {"summary": summary}
        if len(comparisons):
            out.write_csv(comparisons, "comparisons.csv")
            sheets["comparisons"] = comparisons
        sheets["experiments"] = fits
        out.write_xlsx(sheets, "summary.xlsx")
        files = {f"results_{i + 1}": p for i, p in enumerate(inputs)}
        out.write_json(
            provenance(files, {"paired": paired, "padjust": padjust}, command), "provenance.json"
        )
    return {"summary": summary, "comparisons": comparisons}
