"""The one writer: an :class:`~assaykit.result.AssayResult` → a results folder.

Every assay's workflow function ends here, so every results folder has the same shape:
``results.csv`` (the first table), ``results.xlsx`` (every table, the ``checks`` sheet with what
was dropped, regrouped or doubtful, the ``settings`` sheet), figures as PNG (300 dpi), PDF and SVG,
``results.pzfx`` (GraphPad Prism: the points as XY tables with replicates and the results, when
the result has concentration–response points), ``provenance.json`` (inputs with SHA-256,
versions, every option) and ``report.html`` (self-contained: what was run, results with
verdicts in words, figures, checks, methods), written atomically through
:class:`~assaykit.report.output.OutputFolder`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from assaykit.run._loop import Progress
from assaykit.schema import units_table

if TYPE_CHECKING:
    import pandas as pd

    from assaykit.io import InputLog
    from assaykit.report.output import OutputFolder
    from assaykit.result import AssayResult

__all__ = ["CHECKS_SHEET", "RunOutcome", "jsonable", "settings_table", "write_result"]

#: Sheet of results.xlsx that lists the result's QC table (what a person should know).
CHECKS_SHEET = "checks"


class RunOutcome(NamedTuple):
    """What a workflow function computed and where it wrote it."""

    result: AssayResult
    outdir: Path
    files: list[Path]
    failed: list[Path]
    status: pd.DataFrame | None = None

    @property
    def results(self) -> pd.DataFrame:
        """The results.csv table."""
        return self.result.main_table


def jsonable(v: Any) -> Any:
    """``v`` as JSON-friendly values (paths and other objects as text)."""
    if isinstance(v, str | int | float | bool) or v is None:
        return v
    if isinstance(v, tuple | list):
        return [jsonable(x) for x in v]
    if isinstance(v, Mapping):
        return {str(k): jsonable(x) for k, x in v.items()}
    return str(v)


def settings_table(settings: Mapping[str, Any]) -> pd.DataFrame:
    """The ``settings`` sheet: one row per option, its value as text."""
    import pandas as pd

    return pd.DataFrame({"setting": list(settings), "value": [str(v) for v in settings.values()]})


def write_result(
    out: OutputFolder,
    result: AssayResult,
    *,
    inputs: Mapping[str, str | os.PathLike[str] | None],
    command: str,
    progress: Progress | None = None,
    extra_provenance: Mapping[str, Any] | None = None,
    log: InputLog | None = None,
) -> list[Path]:
    """Write ``result`` into the open output folder ``out``; return the paths written."""
    from assaykit.report.output import provenance

    def step(stage: str, done: int = 0, total: int | None = None) -> None:
        if progress is not None:
            progress(stage, done, total)

    files: list[Path] = []
    step("writing tables")
    files.append(out.write_csv(result.main_table, "results.csv"))
    sheets = dict(result.tables)
    if len(result.qc):
        sheets[CHECKS_SHEET] = result.qc
    if "settings" not in sheets:
        sheets["settings"] = settings_table(result.settings)
    units = units_table(dict(result.tables))
    if len(units) and "units" not in sheets:
        sheets["units"] = units  # the unit of every numeric column, the same in every assay
    files.append(out.write_xlsx(sheets, "results.xlsx"))
    total = len(result.figures)
    png: dict[str, bytes] = {}
    for i, (stem, fig) in enumerate(result.figures.items()):
        step("figures", i, total)
        saved = out.save_figure(fig.plot, stem, width=fig.width, height=fig.height)
        files += saved
        for p in saved:
            if p.suffix == ".png":
                png[stem] = p.read_bytes()
    if total:
        step("figures", total, total)
    pzfx = _prism_file(result)
    if pzfx is not None:
        p = out.path("results.pzfx")
        p.write_bytes(pzfx)
        files.append(p)
    prov = provenance(inputs, jsonable(result.settings), command, log=log)
    prov["assay"] = result.assay  # what the index files the run under
    prov.update(extra_provenance or {})
    files.append(out.write_json(prov, "provenance.json"))
    step("report")
    from assaykit.report.html import render_report

    page = out.path("report.html")
    page.write_text(render_report(result, prov, png), encoding="utf-8")
    files.append(page)
    return files


def _prism_file(result: AssayResult) -> bytes | None:
    """results.pzfx for results whose points are concentration–response curves (else None)."""
    points = result.data.get("points")
    if points is None or not {"curve", "conc", "response"} <= set(points.columns) or points.empty:
        return None
    from assaykit import __version__
    from assaykit.report.prism import prism_points, pzfx_bytes

    experiment = {
        k.removeprefix("experiment."): v
        for k, v in result.settings.items()
        if k.startswith("experiment.") and v not in (None, "")
    }
    return pzfx_bytes(
        prism_points(points[points["curve"].astype(str) != ""]),
        result.main_table,
        y_title="Specific binding (%)" if result.assay == "binding" else "",
        notes=experiment,
        program_version=__version__,
    )
