"""The one writer: an :class:`~assaykit.result.AssayResult` → a results folder.

Every assay's workflow function ends here, so every results folder has the same shape:
``results.csv`` (the first table), ``results.xlsx`` (every table, the ``checks`` sheet with what
was dropped, regrouped or doubtful, the ``settings`` sheet), figures as PNG (300 dpi), PDF and SVG,
and ``provenance.json`` (inputs with SHA-256, versions, every option), written atomically through
:class:`~assaykit.report.output.OutputFolder`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from assaykit.run._loop import Progress

if TYPE_CHECKING:
    import pandas as pd

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
    files.append(out.write_xlsx(sheets, "results.xlsx"))
    total = len(result.figures)
    for i, (stem, fig) in enumerate(result.figures.items()):
        step("figures", i, total)
        files += out.save_figure(fig.plot, stem, width=fig.width, height=fig.height)
    if total:
        step("figures", total, total)
    prov = provenance(inputs, jsonable(result.settings), command)
    prov.update(extra_provenance or {})
    files.append(out.write_json(prov, "provenance.json"))
    return files
