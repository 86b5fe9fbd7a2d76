"""Many exports, one layout, one batched fit (``assaykit binding fit INPUT... --layout L``).

:func:`run_binding_batch` is what :func:`~assaykit.binding.pipeline.run_binding_analysis` does
for several inputs (files and/or folders):

1. every export is read (:func:`assaykit.io.read_export`), annotated with the same layout
   (:func:`assaykit.layout.annotate`) and normalised on its own
   (:func:`~assaykit.binding.normalise.normalise_binding`), **one file at a time**: the raw and
   annotated tables are dropped before the next file is read, only the normalised wells/tubes
   are kept (memory grows with the number of points, not with the size of the exports);
2. all curves of all files are fitted in **one** :func:`assaykit.binding.fit_curves` call; the
   curve key names the file: ``curve`` is ``"<compound> [<file>]"`` (``"<compound> [<file>,
   plate 2]"`` when a file holds several plate groups), and a ``source`` column holds the
   export's file name;
3. one results folder: ``results.csv`` (one row per curve per file, with ``source``),
   ``results.xlsx`` (parameters, flags, qc, [summary, comparisons,] normalised, settings and
   ``files``: one row per input with its status), ``provenance.json`` (every input with its
   SHA-256) and the figures chosen by ``figures``.

Each export is one experiment: the ``experiment`` column is the file name (or ``"<file>:
<experiment>"`` when the layout names experiments per well), so the same compounds measured in
several files get the ``summary`` sheet of :func:`~assaykit.binding.summary.summarise_experiments`.

A file that cannot be read, annotated or normalised stops the run with its error (nothing is
written), unless ``keep_going``: then it is listed with ``status = error`` in the ``files``
sheet, the others are analysed and written, and :attr:`BatchAnalysis.failed` names it.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from assaykit.errors import AssaykitError, FitError, SchemaError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AUTO_ALL_FIGURES",
    "BatchAnalysis",
    "expand_inputs",
    "is_batch",
    "run_binding_batch",
]

#: With ``figures="auto"``: one figure per curve up to this many curves in total, else overlays only.
AUTO_ALL_FIGURES = 24

#: Columns of the export that the normalised table does not need: positions are in ``well``, the
#: unit is in the settings, an instrument flag is in ``flags`` (``instrument_<flag>``).
_DROP = ("row", "col", "raw", "unit", "flag")

#: Columns of the ``files`` sheet.
STATUS_COLUMNS = ["file", "format", "rows", "points", "curves", "status", "message", "warnings"]

#: ``progress(stage, done, total)``: a stage name, the count done and the total (None: unknown).
Progress = Callable[[str, int, "int | None"], None]


class BatchAnalysis(NamedTuple):
    """What :func:`run_binding_batch` computed and where it wrote it."""

    results: pd.DataFrame
    normalised: pd.DataFrame
    qc: pd.DataFrame
    outdir: Path
    files: list[Path]
    status: pd.DataFrame
    failed: list[Path]


def expand_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The files given, in order, and every regular file directly inside a given folder.

    Files of a folder are sorted by name; hidden files (``.name``) and sub-folders are skipped.

    Raises
    ------
    AssaykitError
        A path does not exist, or nothing at all was found.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("b.csv", "a.csv", ".hidden.csv"):
    ...     _ = (d / name).write_text("x")
    >>> [p.name for p in expand_inputs([d / "b.csv", d])]
    ['b.csv', 'a.csv', 'b.csv']
    """
    from assaykit.errors import ParseError

    files: list[Path] = []
    given = [Path(p) for p in paths]
    for p in given:
        if p.is_dir():
            files += sorted(
                (f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")),
                key=lambda f: f.name,
            )
        elif p.exists():
            files.append(p)
        else:
            raise ParseError("no such file", path=p)
    if not files:
        raise AssaykitError(f"no input files found in {', '.join(map(str, given))}")
    return files


def is_batch(input: Any) -> bool:
    """Whether ``input`` means several exports: a list/tuple of more than one, or a folder.

    Examples
    --------
    >>> is_batch("run.csv"), is_batch(["run.csv"]), is_batch(["a.csv", "b.csv"])
    (False, False, True)
    """
    if isinstance(input, (list, tuple)):
        return len(input) != 1 or Path(input[0]).is_dir()
    return Path(input).is_dir()


def source_names(files: Sequence[Path]) -> list[str]:
    """A unique, readable name per file: its name, or ``folder/name`` when names repeat.

    Examples
    --------
    >>> source_names([Path("a/run.csv"), Path("b/run.csv"), Path("c.csv")])
    ['a/run.csv', 'b/run.csv', 'c.csv']
    """
    from collections import Counter

    counts = Counter(f.name for f in files)
    names: list[str] = []
    for f in files:
        name = f.name if counts[f.name] == 1 else f"{f.parent.name}/{f.name}"
        base, k = name, 2
        while name in names:
            name, k = f"{base} ({k})", k + 1
        names.append(name)
    return names


def _figure_mode(figures: bool | str | None, n_curves: int) -> str:
    if figures is True or figures is None or figures == "auto":
        return "all" if n_curves <= AUTO_ALL_FIGURES else "overlay"
    if figures is False:
        return "none"
    mode = str(figures).strip().lower()
    if mode not in ("all", "overlay", "none"):
        raise FitError(f"figures: unknown value {figures!r}; expected all, overlay, none or auto")
    return mode


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _read_export_points(
    path: Path,
    source: str,
    layout: pd.DataFrame,
    *,
    format: str | None,
    value: str | None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """One export → (normalised wells with ``source``, qc with ``source``, status fields)."""
    from assaykit.binding.normalise import normalise_binding
    from assaykit.io import read_export
    from assaykit.layout import annotate

    table = read_export(path, format=format)
    info = {"format": table.attrs.get("format", ""), "rows": len(table)}
    annotated = annotate(table, layout)
    del table  # only the annotated wells go on
    norm = normalise_binding(annotated, value=value)
    del annotated
    data = norm.data.drop(columns=[c for c in _DROP if c in norm.data.columns])
    empty = [c for c in data.columns if data[c].isna().all() or (data[c].astype(str) == "").all()]
    keep = ("curve_group", "compound", "conc", "curve", "flags")
    data = data.drop(columns=[c for c in empty if c not in keep])
    comp = data["role"] == "competitor"
    if not comp.any():
        raise SchemaError("the layout marks no tube or well as 'competitor'; nothing to fit")
    data.attrs = {}
    return _label(data, norm.qc, source, info)


def _read_tidy_points(
    path: Path, source: str, *, x: str, y: str, by: str, conc_unit: str
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    import pandas as pd

    from assaykit.binding.pipeline import _UNITS, read_tidy

    data = read_tidy(path, x=x, y=y, by=by)
    data["conc"] = data["conc"] * 10.0 ** _UNITS[conc_unit]
    data["role"] = "competitor"
    data["compound"] = data["compound"].astype(str) if "compound" in data.columns else data["curve"]
    data["curve_group"] = ""
    data.attrs = {}
    return _label(data, pd.DataFrame(), source, {"format": "tidy table", "rows": len(data)})


def _label(
    data: pd.DataFrame, qc: pd.DataFrame, source: str, info: dict[str, Any]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Put the file into the curve key, the group label and the experiment of every row."""
    group = data["curve_group"].fillna("").astype(str) if "curve_group" in data else ""
    inner = (source + ", " + group).where(group != "", source) if len(data) else group
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
    points = int(comp.sum())
    curves = int(data.loc[comp, "curve"].nunique())
    return data, qc, {**info, "points": points, "curves": curves}


def run_binding_batch(
    inputs: Sequence[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    layout: str | os.PathLike[str] | None = None,
    force: bool = False,
    keep_going: bool = False,
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
    figures: bool | str = "auto",
    progress: Progress | None = None,
    command: str = "run_binding_batch",
    **fit_options: Any,
) -> BatchAnalysis:
    """Analyse several exports with one layout: per-file normalisation, one batched fit.

    Parameters
    ----------
    inputs
        Export files and/or folders (a folder: every regular file in it, sorted by name, hidden
        files skipped). Without ``layout`` they are tidy tables (as in
        :func:`~assaykit.binding.pipeline.read_tidy`).
    outdir
        Results folder to create (refused if it exists, unless ``force``).
    layout
        Filled binding template (or wellmap TOML) that every export is annotated with.
    force
        Replace an existing ``outdir``.
    keep_going
        A file that fails to read, annotate or normalise is recorded (``files`` sheet,
        :attr:`BatchAnalysis.failed`) and skipped; without it the first such file stops the run
        with its error and nothing is written.
    x, y, by, format, model, fix, weighting, ci, radioligand_conc, kd, kd_se, value, conc_unit,
    ki_hill_range, **fit_options
        As for :func:`~assaykit.binding.pipeline.run_binding_analysis`.
    figures
        ``"all"`` (one figure per curve and one overlay per file), ``"overlay"`` (one overlay
        per file), ``"none"``, or ``"auto"`` (default): ``all`` up to
        :data:`AUTO_ALL_FIGURES` curves in total, else ``overlay``. ``True``/``False`` mean
        ``auto``/``none``.
    progress
        Called as ``progress(stage, done, total)`` while files are read (``"reading"``), before
        the fit (``"fitting"``), while writing (``"writing"``) and drawing (``"figures"``).
    command
        Recorded in provenance.json.

    Returns
    -------
    BatchAnalysis
        ``results`` (results.csv: one row per curve per file, with ``source``), ``normalised``,
        ``qc`` (one row per file and group), ``outdir``, the ``files`` written, ``status`` (the
        ``files`` sheet: file, format, rows, points, curves, status, message, warnings) and
        ``failed`` (inputs that could not be analysed; empty unless ``keep_going``).

    Raises
    ------
    AssaykitError
        A file fails (without ``keep_going``; the message names it), or no file could be used.

    Examples
    --------
    >>> import shutil, tempfile, pathlib
    >>> from assaykit.datasets.binding import EXPORT, LAYOUT
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("day1.csv", "day2.csv"):
    ...     _ = shutil.copy(EXPORT, tmp / name)
    >>> res = run_binding_batch([tmp / "day1.csv", tmp / "day2.csv"], tmp / "out",
    ...                         layout=LAYOUT, figures="none")
    >>> res.results[["source", "curve", "status"]].head(4)
         source                         curve status
    0  day1.csv            AMD3100 [day1.csv]     ok
    1  day1.csv  [natGa]Pentixafor [day1.csv]     ok
    2  day1.csv        iodo-CPCR4 [day1.csv]     ok
    3  day2.csv            AMD3100 [day2.csv]     ok
    >>> list(res.status["status"])
    ['ok', 'ok']
    """
    import pandas as pd

    from assaykit.binding.pipeline import (
        _UNITS,
        _assemble,
        _experiment_summary,
        _fit_and_settings,
        _settings_table,
        parse_molar,
    )
    from assaykit.report.output import OutputFolder, provenance

    def step(stage: str, done: int = 0, total: int | None = None) -> None:
        if progress is not None:
            progress(stage, done, total)

    folder = OutputFolder(outdir, force=force)  # refuse an existing folder before any work
    files = expand_inputs(inputs)
    sources = source_names(files)
    model_name = {"one-site": "one_site", "onesite": "one_site", "4PL": "4pl"}.get(model, model)
    if weighting in ("none", ""):
        weighting = None
    if conc_unit not in _UNITS:
        raise FitError(
            f"unknown concentration unit {conc_unit!r}; expected one of {', '.join(_UNITS)}"
        )
    _figure_mode(figures, 0)  # a bad value is refused before any file is read
    opts = {
        "radioligand_conc": parse_molar(radioligand_conc, what="radioligand concentration"),
        "kd": parse_molar(kd, what="Kd"),
        "kd_se": parse_molar(kd_se, what="Kd SE"),
        "ki_hill_range": tuple(ki_hill_range),
        "fix": dict(fix or {}),
        "model": model_name,
    }
    experiment: dict[str, Any] = {}
    lay = None
    if layout is not None:
        from assaykit.layout import read_layout

        lay = read_layout(layout)
        if lay.attrs.get("kind", "binding") != "binding":
            raise SchemaError(
                f"{Path(layout).name} is a {lay.attrs.get('kind')} template; expected a binding template"
            )
        experiment = dict(lay.attrs.get("experiment") or {})

    parts: list[pd.DataFrame] = []
    qcs: list[pd.DataFrame] = []
    status: list[dict[str, Any]] = []
    failed: list[Path] = []
    step("reading", 0, len(files))
    for i, (path, source) in enumerate(zip(files, sources, strict=True)):
        record: dict[str, Any] = {"file": source, "format": "", "rows": 0, "points": 0}
        record.update(curves=0, status="ok", message="")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if lay is not None:
                    data, qc, info = _read_export_points(
                        path, source, lay, format=format, value=value
                    )
                else:
                    data, qc, info = _read_tidy_points(
                        path, source, x=x, y=y, by=by, conc_unit=conc_unit
                    )
            except AssaykitError as err:
                err.with_context(path=path)
                if not keep_going:
                    raise
                record.update(status="error", message=_one_line(str(err)))
                failed.append(path)
            else:
                record.update(info)
                parts.append(data)
                if len(qc):
                    qcs.append(qc)
        record["warnings"] = "; ".join(dict.fromkeys(_one_line(w.message) for w in caught))
        for w in caught:  # shown as usual, naming the file
            warnings.warn(f"{source}: {_one_line(w.message)}", w.category, stacklevel=2)
        status.append(record)
        step("reading", i + 1, len(files))
    status_df = pd.DataFrame(status, columns=STATUS_COLUMNS)
    if not parts:
        raise AssaykitError(
            f"none of the {len(files)} inputs could be analysed; first error: {status[0]['message']}"
        )

    normalised = pd.concat(parts, ignore_index=True)
    del parts
    qc_all = pd.concat(qcs, ignore_index=True) if qcs else pd.DataFrame()
    points = normalised[normalised["role"] == "competitor"]
    n_curves = int(points["curve"].nunique())
    step(f"fitting {n_curves} curves", 0, None)
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
    # results file by file in the order of the inputs, curves sorted within a file as for one input
    rank = {s: k for k, s in enumerate(dict.fromkeys(points["source"]))}
    source_of = points.groupby("curve", sort=True)["source"].first()
    order = sorted(source_of.index, key=lambda c: rank[source_of[c]])
    fits = fits.set_index("curve").loc[order].reset_index()
    results = _assemble(fits, points, qc_all, experiment, opts)
    mode = _figure_mode(figures, len(results))

    settings: dict[str, Any] = {
        "inputs": len(files),
        "inputs_failed": len(failed),
        "layout": Path(layout).name if layout is not None else "",
        "format": format or ("detected per file" if layout is not None else "tidy table"),
        **common,
        "figures": mode,
        "keep_going": keep_going,
    }
    if experiment:
        settings.update({f"experiment.{k}": v for k, v in experiment.items()})

    written: list[Path] = []
    with folder as out:
        step("writing tables", 0, None)
        written.append(out.write_csv(results, "results.csv"))
        sheets = {"parameters": results, "flags": results[["curve", "status", "flags", "message"]]}
        if len(qc_all):
            sheets["qc"] = qc_all
        sheets.update(_experiment_summary(results))
        sheets["normalised"] = _sheet_view(normalised)
        sheets["settings"] = _settings_table(settings)
        sheets["files"] = status_df
        written.append(out.write_xlsx(sheets, "results.xlsx"))
        written += _figures(out, points, fits, results, mode, step)
        inputs_prov: dict[str, str | os.PathLike[str] | None] = {}
        width = len(str(len(files)))
        for k, path in enumerate(files, start=1):
            if os.access(path, os.R_OK):
                inputs_prov[f"input_{k:0{width}d}"] = path
        inputs_prov["layout"] = layout
        prov = provenance(
            inputs_prov,
            {
                k: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v))
                for k, v in settings.items()
            },
            command,
        )
        prov["sources"] = {f"input_{k:0{width}d}": s for k, s in enumerate(sources, start=1)}
        written.append(out.write_json(prov, "provenance.json"))
    final = Path(outdir)
    written = [final / p.name for p in written]
    return BatchAnalysis(results, normalised, qc_all, final, written, status_df, failed)


def _figures(
    out: Any,
    points: pd.DataFrame,
    fits: pd.DataFrame,
    results: pd.DataFrame,
    mode: str,
    step: Callable[..., None],
) -> list[Path]:
    """Per-curve figures (``all``) and one overlay per source file (``all``, ``overlay``)."""
    from assaykit.binding.figures import plot_curve, plot_overlay, series_colours
    from assaykit.binding.pipeline import _slug

    if mode == "none":
        return []
    sources = list(dict.fromkeys(points["source"]))
    total = (len(fits) if mode == "all" else 0) + len(sources)
    done = 0
    files: list[Path] = []
    taken: set[str] = set()
    if mode == "all":
        colours = series_colours(len(fits))
        for i, (_, fit) in enumerate(fits.iterrows()):
            step("figures", done, total)
            compound = str(results.loc[i, "compound"]) if "compound" in results.columns else ""
            plot = plot_curve(points, fit, compound=compound or None, color=colours[i])
            files += out.save_figure(plot, f"curve_{_slug(str(fit['curve']), taken)}")
            done += 1
    # overlays per file: the legend names curves as they are named inside the file
    source_of = points.groupby("curve", sort=False)["source"].first()
    fit_source = fits["curve"].map(source_of)
    for source in sources:
        step("figures", done, total)
        pts = points[points["source"] == source]
        part = fits[fit_source == source].copy()
        inner = {
            c: c.removesuffix(f" [{source}]").replace(f" [{source}, ", " [") for c in part["curve"]
        }
        pts = pts.assign(curve=pts["curve"].map(inner))
        part["curve"] = part["curve"].map(inner)
        height = 3.6 + 0.22 * min(len(part), 12)
        stem = f"overlay_{_slug(Path(source).stem, taken)}"
        files += out.save_figure(plot_overlay(pts, part), stem, width=5.0, height=height)
        done += 1
    step("figures", done, total)
    return files


def _sheet_view(normalised: pd.DataFrame) -> pd.DataFrame:
    """The normalised table without columns that only repeat ``source``."""
    drop = [
        c
        for c in ("curve_group", "experiment")
        if c in normalised.columns and normalised[c].equals(normalised["source"])
    ]
    return normalised.drop(columns=drop)
