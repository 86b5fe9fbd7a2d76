"""``assaykit index chart``: a reference compound's control chart → a results folder."""

from __future__ import annotations

import os
from pathlib import Path

from assaykit.run._write import RunOutcome, write_result

__all__ = ["run_control_chart"]


def run_control_chart(
    db: str | os.PathLike[str],
    compound: str,
    outdir: str | os.PathLike[str],
    *,
    parameter: str = "log_ic50",
    assay: str | None = None,
    baseline_n: int = 20,
    force: bool = False,
    command: str = "assaykit index chart",
) -> RunOutcome:
    """The control chart of ``compound``'s ``parameter`` over the indexed runs, written like any
    assay's results (results.csv, results.xlsx, the chart figure, provenance, report)."""
    from assaykit.index import chart_result, compound_history
    from assaykit.report.output import OutputFolder

    folder = OutputFolder(outdir, force=force, inputs=[db])
    history = compound_history(db, compound, parameter=parameter, assay=assay)
    result = chart_result(history, compound, parameter=parameter, baseline_n=baseline_n)
    result.settings.update({"index": str(db), "compound": compound, "baseline_n": baseline_n})
    with folder as out:
        written = write_result(out, result, inputs={"index": db}, command=command)
    final = Path(outdir)
    return RunOutcome(result, final, [final / p.name for p in written], [])
