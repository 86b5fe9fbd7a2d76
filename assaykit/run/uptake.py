"""``assaykit uptake analyze``: a counter export (+ layout) → an uptake results folder."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, cast

from assaykit.errors import AssaykitError, UnsupportedFormatError
from assaykit.io import InputLog
from assaykit.io._checks import DuplicatePolicy
from assaykit.result import qc_row, qc_table
from assaykit.run._loop import Progress
from assaykit.run._single import run_analysis
from assaykit.run._write import RunOutcome
from assaykit.run.inputs import check_input_file

if TYPE_CHECKING:
    import pandas as pd

    from assaykit.result import AssayResult

__all__ = ["read_uptake_input", "run_uptake", "run_uptake_analysis"]

PathLike = str | os.PathLike[str]


def read_uptake_input(
    input: PathLike | pd.DataFrame,
    layout: PathLike | pd.DataFrame | None = None,
    *,
    format: str | None = None,
    log: InputLog | None = None,
    duplicates: DuplicatePolicy = "error",
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Read the export (any counter format :func:`assaykit.io.read_export` knows) or a tidy
    annotated CSV/XLSX table, and the layout (filled template, wellmap TOML or DataFrame)."""
    from assaykit.io import read_export
    from assaykit.io.tidy import read_annotated_table

    if isinstance(input, str | os.PathLike):
        path = check_input_file(input)
        try:
            table = read_export(path, format=format, log=log, duplicates=duplicates)
        except UnsupportedFormatError:
            if format or path.suffix.lower() not in (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"):
                raise
            if log is not None:
                log.record("input", path)
            table = read_annotated_table(path)
    else:
        table = input
    if table.attrs.get("kind") not in (None, "counter") and "role" not in table.columns:
        raise AssaykitError(
            f"{table.attrs.get('source', 'the input')} is a {table.attrs.get('kind')} export; "
            "the uptake analysis expects a gamma-counter export (one row per tube)"
        )
    lay = None
    if isinstance(layout, str | os.PathLike):
        from assaykit.layout import read_layout

        lay = read_layout(check_input_file(layout), kind="uptake", log=log)
    elif layout is not None:
        from assaykit.layout import layout_from_frame

        lay = layout_from_frame(layout, kind="uptake")
    return table, lay


def run_uptake(
    input: PathLike | pd.DataFrame,
    outdir: PathLike,
    *,
    layout: PathLike | pd.DataFrame | None = None,
    force: bool = False,
    format: str | None = None,
    figures: bool = True,
    progress: Progress | None = None,
    command: str = "assaykit uptake analyze",
    duplicates: DuplicatePolicy = "error",
    **options: Any,
) -> RunOutcome:
    """Analyse an uptake run and write the results folder.

    Parameters
    ----------
    input
        Counter export (read with :func:`assaykit.io.read_export`) or an annotated tidy table
        (CSV/XLSX with the layout columns), or a DataFrame.
    outdir
        Results folder (built atomically; see :class:`~assaykit.report.output.OutputFolder`).
    layout
        Filled uptake template / wellmap TOML / layout DataFrame; not needed for tidy tables.
    format
        Export format name, to skip detection.
    figures
        Draw the figures (PNG 300 dpi, PDF, SVG); off for quick batch runs.
    progress
        ``progress(stage, done, total)``.
    **options
        Passed to :func:`assaykit.uptake.analyze` (``isotope``, ``reference_time``,
        ``decay``, ``by_count_time``, ``applied``, ``tracer``, ``blocked``, ``padjust``,
        ``reference``, ``fit``, ...).

    Returns
    -------
    RunOutcome
        ``results`` is results.csv (the summary: mean ± SD per condition × time); results.xlsx
        holds summary, specific uptake, statistics, two-way ANOVA, association fits, per well,
        per tube and settings.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from assaykit.datasets.uptake import example_paths
    >>> export, layout = example_paths()
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "uptake"
    >>> res = run_uptake(export, out, layout=layout)
    >>> sorted(p.name for p in out.iterdir())[:4]
    ['internalized_fraction.pdf', 'internalized_fraction.png', 'internalized_fraction.svg', 'provenance.json']
    """
    from assaykit.uptake.analysis import analyze
    from assaykit.uptake.results import uptake_result

    def analyse(log: InputLog) -> AssayResult:
        table, lay = read_uptake_input(input, layout, format=format, log=log, duplicates=duplicates)
        reader_qc = [
            qc_row("warning", str(table.attrs.get("source", "export")), str(r.get("message", r)))
            for r in table.attrs.get("qc", []) or []
        ]
        tables = analyze(table, lay, **options)
        result = uptake_result(tables, {"format": format, **options}, figures=figures)
        result.qc = qc_table(
            [*reader_qc, *cast("list[dict[str, object]]", result.qc.to_dict("records"))]
        )
        return result

    return run_analysis(
        analyse,
        outdir,
        inputs={"input": input, "layout": layout},
        command=command,
        force=force,
        figures=figures,
        progress=progress,
    )


#: The pre-0.2 name, kept for scripts.
run_uptake_analysis = run_uptake
