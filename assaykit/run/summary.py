"""``assaykit binding summarize``: results of independent experiments → mean ± SD and comparisons."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assaykit._typing import PAdjust
from assaykit.errors import FitError, SchemaError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["run_binding_summary"]


def _read_results(path: Path) -> pd.DataFrame:
    """A results.csv, a results folder or a results.xlsx → the per-curve results table."""
    import pandas as pd

    from assaykit.run.inputs import check_input_file

    p = path / "results.csv" if path.is_dir() else path
    check_input_file(p)
    try:
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(p, sheet_name="parameters")
        return pd.read_csv(p)
    except (OSError, ValueError, UnicodeDecodeError) as err:
        msg = " ".join(str(err).split())
        raise SchemaError(f"cannot read it as a binding results table ({msg})", path=p) from None


def run_binding_summary(
    inputs: Sequence[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    force: bool = False,
    paired: bool | None = None,
    padjust: PAdjust = "holm",
    command: str = "assaykit binding summarize",
) -> dict[str, pd.DataFrame]:
    """Summarize results of independent experiments: mean ± SD logIC50 and comparisons.

    Parameters
    ----------
    inputs
        results.csv files, results folders or results.xlsx written by ``binding fit``
        (columns ``compound``, ``experiment``, ``log_ic50``, ``status``); one may hold several
        experiments.
    outdir
        Folder for ``summary.csv``, ``comparisons.csv`` (when two or more compounds have two or
        more experiments), ``summary.xlsx`` and ``provenance.json``.
    force
        Replace what assaykit wrote in an existing folder.
    paired, padjust
        See :func:`assaykit.binding.summary.compare_experiments`.

    Returns
    -------
    dict
        ``{"summary": DataFrame, "comparisons": DataFrame}`` (comparisons may be empty).
    """
    import pandas as pd

    from assaykit.binding.summary import compare_experiments, summarize_experiments
    from assaykit.report.output import OutputFolder, provenance
    from assaykit.schema import require_columns

    folder = OutputFolder(outdir, force=force)
    if not inputs:
        raise SchemaError("give at least one results.csv to summarize")
    parts = []
    for given in inputs:
        p = Path(given)
        df = _read_results(p)
        try:
            require_columns(
                df, ["compound", "experiment", "log_ic50", "status"], stage="binding summary"
            )
        except SchemaError as err:
            raise err.with_context(path=p) from None
        parts.append(df)
    fits = pd.concat(parts, ignore_index=True)
    summary = summarize_experiments(fits)
    try:
        comparisons = compare_experiments(fits, paired=paired, padjust=padjust)
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
        files: dict[str, str | os.PathLike[str] | None] = {}
        for i, given in enumerate(inputs):
            p = Path(given)
            files[f"results_{i + 1}"] = p / "results.csv" if p.is_dir() else p
        out.write_json(
            provenance(files, {"paired": paired, "padjust": padjust}, command), "provenance.json"
        )
    return {"summary": summary, "comparisons": comparisons}
