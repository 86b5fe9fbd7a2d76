"""``assaykit kinetics analyze``: a counter export + kinetics template → a kinetics results folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import AssaykitError, LayoutError, UnsupportedFormatError
from assaykit.run._loop import Progress
from assaykit.run._write import RunOutcome, write_result
from assaykit.run.inputs import check_input_file

if TYPE_CHECKING:
    import pandas as pd

    from assaykit.binding.kinetics_options import KineticsOptions

__all__ = ["read_kinetics_input", "run_kinetics"]

PathLike = str | os.PathLike[str]


def read_kinetics_input(
    input: PathLike | pd.DataFrame,
    layout: PathLike | None = None,
    *,
    format: str | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The table to analyse and the template's experiment settings.

    A counter export (any format :func:`assaykit.io.read_export` knows) needs the filled
    kinetics template (``layout``): its tubes are joined on rack and position. Without a layout
    the input must be a tidy table: either an annotated counter table (``role``,
    ``measured_at``, ``count_time_s``, ``counts``, ``time_min``, ``conc_M``, ...) or responses
    (``time_min``, ``response``, ``conc_M``, ...).
    """
    from assaykit.io import read_export
    from assaykit.io.tidy import read_tidy_table
    from assaykit.layout.kinetics import annotate_kinetics, read_kinetics_layout

    experiment: dict[str, Any] = {}
    if not isinstance(input, str | os.PathLike):
        table = input
    elif layout is None:
        table = read_tidy_table(check_input_file(input))
        if "response" not in table.columns and "role" not in table.columns:
            raise LayoutError(
                "a counter export needs its filled kinetics template (--layout); a table without "
                "one needs 'time_min', 'response', 'conc_M' columns (or annotated tubes with 'role')",
                path=input,
            )
        return table, experiment
    else:
        path = check_input_file(input)
        try:
            table = read_export(path, format=format)
        except UnsupportedFormatError:
            if format:
                raise
            table = read_tidy_table(path)
    if layout is not None:
        tubes, experiment = read_kinetics_layout(check_input_file(layout))
        try:
            table = annotate_kinetics(table, tubes)
        except AssaykitError as err:
            raise err.with_context(path=layout) from None
    _check_isotope(table, experiment, input)
    return table, experiment


def _check_isotope(table: pd.DataFrame, experiment: dict[str, Any], input: object) -> None:
    """The counter's nuclide must be the template's; without one in the template it is used."""
    if "isotope" not in table.columns:
        return
    from assaykit.counting import canonical_isotope

    seen = {str(v) for v in table["isotope"].dropna().unique() if str(v).strip()}
    try:
        found = {canonical_isotope(v) for v in seen}
    except AssaykitError:
        return  # a window name the table does not know: the template's isotope decides
    if len(found) != 1:
        return
    counted = found.pop()
    given = experiment.get("isotope")
    if given is not None and canonical_isotope(str(given)) != counted:
        raise AssaykitError(
            f"the template says {given} but the counter counted {counted}; correct the "
            "template's isotope (decay correction depends on it)",
            path=input if isinstance(input, str | os.PathLike) else None,
        )
    experiment.setdefault("isotope", counted)


def run_kinetics(
    input: PathLike | pd.DataFrame,
    outdir: PathLike,
    *,
    layout: PathLike | None = None,
    options: KineticsOptions | None = None,
    force: bool = False,
    format: str | None = None,
    figures: bool = True,
    progress: Progress | None = None,
    command: str = "assaykit kinetics analyze",
) -> RunOutcome:
    """Analyse a binding-kinetics run and write the results folder.

    Parameters
    ----------
    input
        Counter export (with ``layout``), or a tidy table / DataFrame (annotated tubes or responses).
    outdir
        Results folder (built atomically; see :class:`~assaykit.report.output.OutputFolder`).
    layout
        Filled kinetics template (``write_kinetics_template``).
    options
        :class:`~assaykit.binding.kinetics_options.KineticsOptions`; options left None come from
        the template's Experiment sheet (model, isotope, reference time, Kd, rates).
    figures
        Draw the figures (PNG 300 dpi, PDF, SVG).
    progress
        ``progress(stage, done, total)``.

    Returns
    -------
    RunOutcome
        ``results`` is results.csv (one row per fitted curve); results.xlsx also holds the
        per-concentration kobs (global association), the fitted points, checks and settings.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from assaykit.datasets.kinetics import example_paths
    >>> export, layout = example_paths()
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "kinetics"
    >>> res = run_kinetics(export, out, layout=layout, figures=False)
    >>> res.results.loc[0, "status"]
    'ok'
    >>> {"results.csv", "results.xlsx", "provenance.json"} <= {p.name for p in out.iterdir()}
    True
    """
    from assaykit.binding.kinetics_analysis import analyze_kinetics
    from assaykit.binding.kinetics_options import KineticsOptions
    from assaykit.report.output import OutputFolder

    folder = OutputFolder(outdir, force=force)  # refuses an unusable folder before any work
    if progress is not None:
        progress("reading", 0, 1)
    table, experiment = read_kinetics_input(input, layout, format=format)
    opts = (options or KineticsOptions()).with_template(experiment)
    if progress is not None:
        progress("analysing", 0, None)
    try:
        result = analyze_kinetics(table, **opts.analysis_kwargs())
    except AssaykitError as err:
        where = input if isinstance(input, str | os.PathLike) else None
        raise err.with_context(path=where) from None
    if not figures:
        result.figures = {}
    result.settings.update(
        format=format,
        experiment_id=experiment.get("experiment_id"),
        radioligand=experiment.get("radioligand"),
    )
    named = {
        "input": input if isinstance(input, str | os.PathLike) else None,
        "layout": layout,
    }
    with folder as out:
        written = write_result(out, result, inputs=named, command=command, progress=progress)
    final = Path(outdir)
    return RunOutcome(result, final, [final / p.name for p in written], [])
