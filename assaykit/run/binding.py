"""``assaykit binding fit``: exports (+ layout) or tidy tables → a binding results folder.

One function, :func:`run_binding`, for one input or many (one input is a batch of one): every
export is read, annotated with the layout and normalized on its own (one file at a time, so
memory grows with the points, not the exports), all curves are fitted in one batched call,
and the pure :func:`assaykit.binding.results.binding_result` is written by the one writer.
With several inputs each curve is labelled with its file (``source``) and each file is one
experiment; a file that fails stops the run, unless ``keep_going``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from assaykit.binding.options import BindingOptions, model_name
from assaykit.errors import AssaykitError, SchemaError
from assaykit.io import InputLog
from assaykit.io._checks import DuplicatePolicy
from assaykit.result import qc_row, qc_table
from assaykit.run._loop import Progress, caught_warnings, each_file
from assaykit.run._write import RunOutcome, write_result
from assaykit.run.inputs import expand_inputs, source_names

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FILES_COLUMNS", "kd_from_saturation", "run_binding", "run_binding_analysis"]

#: Columns of the ``files`` sheet (several inputs).
FILES_COLUMNS = ["file", "format", "rows", "points", "curves", "status", "message", "warnings"]
#: Columns of the export that the normalized table does not need when several files are merged.
_DROP = ("row", "col", "raw", "unit", "flag")

PathLike = str | os.PathLike[str]


def _read_export_points(
    path: Path,
    layout: pd.DataFrame,
    layout_path: Path,
    *,
    format: str | None,
    value: str | None,
    log: InputLog,
    duplicates: DuplicatePolicy,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any], dict[str, Any]]:
    """One export → (normalized rows, qc, experiment fields, status info)."""
    from assaykit.binding.normalise import normalize_binding
    from assaykit.io import read_export
    from assaykit.layout import annotate

    table = read_export(path, format=format, log=log, duplicates=duplicates)
    info = {
        "format": table.attrs.get("format", ""),
        "rows": len(table),
        "reader_qc": [str(r.get("message", r)) for r in table.attrs.get("qc", []) or []],
    }
    try:
        annotated = annotate(table, layout)
    except AssaykitError as err:  # a mismatch names both files
        if err.path is None:
            err.message = f"{err.message} (layout {layout_path.name})"
        raise err.with_context(path=path) from None
    del table  # only the annotated wells go on
    unused = annotated[annotated["role"].fillna("").astype(str).str.strip() == ""]
    info["unlisted"] = [_tube_name(r) for _, r in unused.iterrows()]
    norm = normalize_binding(annotated, value=value)
    experiment = dict(annotated.attrs.get("experiment") or {})
    del annotated
    if not (norm.data["role"] == "competitor").any():
        raise SchemaError(
            "the layout marks no tube or well as 'competitor'; nothing to fit", path=layout_path
        )
    return norm.data, norm.qc, experiment, info


def _tube_name(row: pd.Series) -> str:
    if "rack" in row.index and "position" in row.index:
        return f"rack {row['rack']} position {row['position']}"
    if "well" in row.index:
        return f"well {row['well']}"
    return f"row {row.name}"


def _unlisted_qc(status: pd.DataFrame, extras: dict[str, list[str]]) -> list[dict[str, str]]:
    """QC rows naming the export tubes/wells that the layout does not mention (not analysed)."""
    from assaykit.result import qc_row

    rows = []
    for source, names in extras.items():
        if names:
            shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
            rows.append(
                qc_row(
                    "warning",
                    source,
                    f"{len(names)} tube(s)/well(s) in the export are not in the layout and were "
                    f"not analysed: {shown}",
                )
            )
    return rows


def _conc_unit(text: str) -> str:
    """The tidy table's concentration unit, checked before any file is read."""
    from assaykit.units import CONC_UNITS, UnitError, canonical_unit

    try:
        unit = canonical_unit(text)
    except UnitError:
        unit = ""
    if unit not in CONC_UNITS:
        raise UnitError(
            f"unknown concentration unit {text!r}; expected one of {', '.join(CONC_UNITS)}"
        )
    return unit


def _read_tidy_points(path: Path, options: BindingOptions) -> pd.DataFrame:
    from assaykit.io.tidy import read_tidy
    from assaykit.units import PER_MOLAR

    data = read_tidy(path, x=options.x, y=options.y, by=options.by)
    if len(data) and not (data["conc"] > 0).any():
        raise SchemaError(
            f"every concentration in column {options.x!r} is 0, negative or empty: a competition "
            "curve needs competitor concentrations above 0 (in M, or give --conc-unit); "
            "log concentrations are not accepted",
            path=path,
        )
    unit = _conc_unit(options.conc_unit)
    if unit != "M":
        data["conc"] = data["conc"] / PER_MOLAR[unit]
    return data


def _compact(data: pd.DataFrame) -> pd.DataFrame:
    """A normalized table of one of several files, without columns that are empty or repeated."""
    data = data.drop(columns=[c for c in _DROP if c in data.columns])
    empty = [c for c in data.columns if data[c].isna().all() or (data[c].astype(str) == "").all()]
    keep = ("curve_group", "compound", "conc", "curve", "flags")
    return data.drop(columns=[c for c in empty if c not in keep])


def kd_from_saturation(
    path: PathLike, options: BindingOptions, *, curve: str | None = None
) -> tuple[BindingOptions, Path]:
    """``options`` with the Kd (and its CI) of a saturation run: a results folder or its results.csv.

    Returns the new options and the results file read (recorded in provenance).
    """
    import dataclasses

    import pandas as pd

    from assaykit.binding.ki import kd_from_results
    from assaykit.run.inputs import check_input_file

    p = Path(path)
    file = check_input_file(p / "results.csv" if p.is_dir() else p)
    try:
        table = pd.read_csv(file)
    except (OSError, ValueError, UnicodeDecodeError) as err:
        raise SchemaError(f"cannot read it as saturation results ({err})", path=file) from None
    try:
        kd, lo, hi, source = kd_from_results(table, curve)
    except AssaykitError as err:
        raise err.with_context(path=file) from None
    new = dataclasses.replace(
        options, kd_M=kd, kd_ci_M=(lo, hi), kd_se_M=None, kd_source=f"{source} in {file}"
    )
    return new, file


def run_binding(
    inputs: PathLike | Sequence[PathLike],
    outdir: PathLike,
    *,
    layout: PathLike | None = None,
    options: BindingOptions | None = None,
    format: str | None = None,
    force: bool = False,
    keep_going: bool = False,
    figures: bool | str | None = None,
    recursive: bool = False,
    progress: Progress | None = None,
    command: str = "assaykit binding fit",
    kd_from: PathLike | None = None,
    duplicates: DuplicatePolicy = "error",
) -> RunOutcome:
    """Analyse a competitive binding experiment (one export or many) and write the results folder.

    Parameters
    ----------
    inputs
        Tidy CSV/XLSX tables of points (``conc`` in M, ``response``, ``curve``), or instrument
        exports (then ``layout`` is required); files and/or folders.
    outdir
        Results folder (built atomically; see :class:`~assaykit.report.output.OutputFolder`).
    layout
        Filled binding template (``.xlsx``) or wellmap TOML that every export is annotated with.
    options
        How to fit (:class:`~assaykit.binding.options.BindingOptions`).
    format
        Export format name (default: detected from each file's content).
    force
        Replace what assaykit wrote in an existing ``outdir``.
    keep_going
        Several inputs: a file that fails is listed (``files`` sheet, ``failed``) and skipped.
    figures
        ``all``, ``overlay``, ``none``; default (None/``auto``): ``all`` for one input, else by
        the number of curves (:data:`~assaykit.binding.results.AUTO_ALL_FIGURES`).
    recursive
        Enter sub-folders of folders given as inputs.
    kd_from
        A saturation results folder (or its results.csv): its Kd and 95 % CI replace the
        template's Kd, and Ki's CI carries the Kd's uncertainty (provenance records the file).
    duplicates
        A tube counted more than once with different counts: ``error`` (default, naming it), or
        keep the ``first``, the ``last`` or the ``mean`` count (recounts are real).
    progress
        ``progress(stage, done, total)``.
    command
        Recorded in provenance.json.

    Returns
    -------
    RunOutcome
        ``result`` (the :class:`~assaykit.result.AssayResult`; ``results`` is results.csv),
        ``outdir``, the ``files`` written, ``failed`` inputs and (several inputs) ``status``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from assaykit.datasets.binding import EXPORT, LAYOUT
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "binding"
    >>> res = run_binding(EXPORT, out, layout=LAYOUT, figures="none")
    >>> for r in res.results.itertuples():
    ...     print(f"{r.curve}: {r.status}, IC50 {r.ic50 * 1e9:.3g} nM, Ki {r.ki * 1e9:.3g} nM")
    AMD3100: ok, IC50 301 nM, Ki 274 nM
    [natGa]Pentixafor: ok, IC50 35 nM, Ki 31.9 nM
    iodo-CPCR4: ok, IC50 5.42 nM, Ki 4.93 nM
    >>> sorted(p.name for p in out.iterdir())
    ['provenance.json', 'report.html', 'results.csv', 'results.pzfx', 'results.xlsx']
    """
    import pandas as pd

    from assaykit.binding.fit import fit_curves
    from assaykit.binding.results import assemble, binding_result, figure_mode, label_source
    from assaykit.report.output import OutputFolder

    options = options or BindingOptions()
    listed = [inputs] if isinstance(inputs, str | os.PathLike) else list(inputs)
    files = expand_inputs(listed, recursive=recursive)
    log = InputLog()
    protect = [*files, layout, kd_from]
    # refuse an unusable folder (or one holding an input) before any work
    folder = OutputFolder(outdir, force=force, inputs=protect, log=log)
    kd_file = None
    if kd_from is not None:
        options, kd_file = kd_from_saturation(kd_from, options)
        log.record("kd_from", kd_file)
    several = len(files) > 1 or any(Path(p).is_dir() for p in listed)
    sources = source_names(files)
    figure_mode(figures, 0)  # bad values are refused before any file is read
    _conc_unit(options.conc_unit)
    model = model_name(options.model)

    lay = None
    experiment: dict[str, Any] = {}
    if layout is not None:
        from assaykit.layout import read_layout

        lay = read_layout(layout, log=log)
        if lay.attrs.get("kind", "binding") != "binding":
            raise SchemaError(
                f"{Path(layout).name} is a {lay.attrs.get('kind')} template; expected a binding template"
            )
        experiment = dict(lay.attrs.get("experiment") or {})

    unlisted: dict[str, list[str]] = {}
    reader_notes: dict[str, list[str]] = {}

    def read_one(
        path: Path, source: str
    ) -> tuple[tuple[pd.DataFrame, pd.DataFrame], dict[str, Any]]:
        nonlocal experiment
        if lay is not None:
            assert layout is not None
            data, qc, exp, info = _read_export_points(
                path,
                lay,
                Path(layout),
                format=format,
                value=options.value,
                log=log,
                duplicates=duplicates,
            )
            experiment = exp or experiment
            unlisted[source] = info.pop("unlisted", [])
            reader_notes[source] = info.pop("reader_qc", [])
        else:
            log.record("input", path)
            data = _read_tidy_points(path, options)
            info = {"format": "tidy table", "rows": len(data)}
            qc = pd.DataFrame()
        if several:
            if lay is None:
                data["role"] = "competitor"
                data["compound"] = (
                    data["compound"].astype(str) if "compound" in data.columns else data["curve"]
                )
                data["curve_group"] = ""
            data = _compact(data) if lay is not None else data
            data.attrs = {}
            data, qc = label_source(data, qc, source)
        comp = data["role"] == "competitor" if "role" in data.columns else None
        points = int(comp.sum()) if comp is not None else len(data)
        curves = (
            int(data.loc[comp, "curve"].nunique()) if comp is not None else data["curve"].nunique()
        )
        return (data, qc), {**info, "points": points, "curves": curves}

    loop = each_file(
        files, sources, read_one, columns=FILES_COLUMNS, keep_going=keep_going, progress=progress
    )
    if not loop.parts:
        raise AssaykitError(
            f"none of the {len(files)} inputs could be analysed; first error: "
            f"{loop.status['message'].iloc[0]}"
        )
    normalized = pd.concat([d for d, _ in loop.parts], ignore_index=True)
    qcs = [q for _, q in loop.parts if len(q)]
    qc = pd.concat(qcs, ignore_index=True) if qcs else pd.DataFrame()
    if several:
        normalized.attrs = {}
    else:
        normalized.attrs = loop.parts[0][0].attrs
    points = normalized[normalized["role"] == "competitor"] if "role" in normalized else normalized

    if progress is not None:
        progress(f"fitting {points['curve'].nunique()} curve(s)", 0, None)
    weighting = None if options.weighting == "none" else options.weighting
    with caught_warnings() as caught:
        fits = fit_curves(
            points,
            "conc",
            "response",
            "curve",
            model=model,
            fix=dict(options.fix) or None,
            weighting=weighting,
            ci=options.ci,
            **dict(options.fit_options),
        )
    if several:  # results file by file in the order of the inputs, curves sorted within a file
        rank = {s: k for k, s in enumerate(dict.fromkeys(points["source"]))}
        source_of = points.groupby("curve", sort=True)["source"].first()
        order = sorted(source_of.index, key=lambda c: rank[source_of[c]])
        fits = fits.set_index("curve").loc[order].reset_index()
    results = assemble(fits, points, qc, experiment, options.ki_options())
    mode = figure_mode(figures if several or figures is not None else "all", len(results))

    common: dict[str, Any] = {
        "x": options.x,
        "y": options.y,
        "conc_unit": options.conc_unit,
        "by": options.by,
        "model": model,
        "fix": dict(options.fix),
        "weighting": options.weighting,
        "ci": options.ci,
        "radioligand_conc_M": options.radioligand_conc_M or experiment.get("radioligand_conc_M"),
        "kd_M": options.kd_M or experiment.get("radioligand_kd_M"),
        "kd_se_M": options.kd_se_M,
        **(
            {"kd_ci_M": options.kd_ci_M, "kd_source": options.kd_source}
            if options.kd_source
            else {}
        ),
        "ki_hill_range": tuple(options.ki_hill_range),
        **dict(options.fit_options),
    }
    layout_name = Path(layout).name if layout is not None else ""
    if several:
        settings: dict[str, Any] = {
            "inputs": len(files),
            "inputs_failed": len(loop.failed),
            "layout": layout_name,
            "format": format or ("detected per file" if layout is not None else "tidy table"),
            **common,
            "figures": mode,
            "keep_going": keep_going,
        }
    else:
        settings = {
            "input": files[0].name,
            "layout": layout_name,
            "format": format
            or (normalized.attrs.get("format", "") if layout is not None else "tidy table"),
            **common,
            "figures": mode != "none" if mode != "overlay" else "overlay",
        }
    if experiment:
        settings.update({f"experiment.{k}": v for k, v in experiment.items()})

    result = binding_result(
        results,
        points,
        fits,
        normalized,
        qc,
        settings,
        mode=mode,
        files=loop.status if several else None,
    )
    result.qc = qc_table(
        [
            *_unlisted_qc(loop.status, unlisted),
            *(qc_row("warning", src, m) for src, ms in reader_notes.items() for m in ms),
            *cast("list[dict[str, object]]", result.qc.to_dict("records")),
            *caught.qc_rows("fit"),
        ]
    )
    width = len(str(len(files)))
    if several:
        named: dict[str, PathLike | None] = {
            f"input_{k:0{width}d}": p for k, p in enumerate(files, start=1) if os.access(p, os.R_OK)
        }
        extra: dict[str, Any] = {
            "sources": {f"input_{k:0{width}d}": s for k, s in enumerate(sources, start=1)}
        }
    else:
        named, extra = {"input": files[0]}, {}
    named["layout"] = layout
    if kd_file is not None:
        named["kd_from"] = kd_file
    with folder as out:
        written = write_result(
            out,
            result,
            inputs=named,
            command=command,
            progress=progress,
            extra_provenance=extra,
            log=log,
        )
    final = Path(outdir)
    return RunOutcome(
        result,
        final,
        [final / p.name for p in written],
        loop.failed,
        loop.status if several else None,
    )


def run_binding_analysis(
    input: PathLike | Sequence[PathLike],
    outdir: PathLike,
    *,
    layout: PathLike | None = None,
    force: bool = False,
    keep_going: bool = False,
    x: str = "conc",
    y: str = "response",
    by: str = "curve",
    format: str | None = None,
    model: str = "4pl",
    fix: dict[str, float] | None = None,
    weighting: str | None = None,
    ci: str = "wald",
    radioligand_conc: float | str | None = None,
    kd: float | str | None = None,
    kd_se: float | str | None = None,
    value: str | None = None,
    conc_unit: str = "M",
    ki_hill_range: tuple[float, float] = (0.7, 1.3),
    figures: bool | str | None = None,
    progress: Progress | None = None,
    command: str = "run_binding_analysis",
    **fit_options: Any,
) -> RunOutcome:
    """:func:`run_binding` with the options as keywords (the pre-0.2 signature, kept for scripts).

    Concentrations (``radioligand_conc``, ``kd``, ``kd_se``) may be numbers in M or text with a
    unit (``"1 nM"``).
    """
    from assaykit.units import parse_molar

    options = BindingOptions(
        model=model_name(model),
        fix=dict(fix or {}),
        weighting=weighting or "none",  # type: ignore[arg-type]
        ci=ci,  # type: ignore[arg-type]
        radioligand_conc_M=parse_molar(radioligand_conc, what="radioligand concentration"),
        kd_M=parse_molar(kd, what="Kd"),
        kd_se_M=parse_molar(kd_se, what="Kd SE"),
        ki_hill_range=tuple(ki_hill_range),  # type: ignore[arg-type]
        value=value,
        x=x,
        y=y,
        by=by,
        conc_unit=conc_unit,
        fit_options=fit_options,
    )
    return run_binding(
        input,
        outdir,
        layout=layout,
        options=options,
        format=format,
        force=force,
        keep_going=keep_going,
        figures=figures,
        progress=progress,
        command=command,
    )
