"""Files in, results folder out: :func:`run_uptake_analysis` (the only uptake code that does I/O)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import AssaykitError, SchemaError, UnsupportedFormatError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_uptake_input", "run_uptake_analysis"]

SHEETS = {
    "summary": "summary",
    "specific": "specific uptake",
    "stats": "statistics",
    "anova": "two-way ANOVA",
    "fits": "association fits",
    "reference": "% of reference",
    "per_well": "per well",
    "per_tube": "per tube",
    "settings": "settings",
}


def _read_tidy(path: Path) -> pd.DataFrame:
    import pandas as pd

    from assaykit.io.tidy import read_tidy_table

    df = read_tidy_table(path)
    if "role" not in df.columns:
        raise UnsupportedFormatError(
            "not a known export format, and not an annotated table (no 'role' column); expected an "
            "instrument export (with --layout) or a tidy table with the layout columns",
            path=path,
        )
    if "measured_at" in df.columns:
        try:
            df["measured_at"] = pd.to_datetime(df["measured_at"])
        except (ValueError, TypeError) as err:
            raise SchemaError(
                f"column measured_at holds a value that is not a date-time: {err}", path=path
            ) from None
    for col in ("role", "fraction", "condition", "compound", "isotope", "flag"):
        if col in df.columns:
            df[col] = df[col].fillna("").astype(str)
    df.attrs["format"] = "tidy table"
    df.attrs["source"] = path.name
    return df


def read_uptake_input(
    input: str | os.PathLike[str] | pd.DataFrame,
    layout: str | os.PathLike[str] | pd.DataFrame | None = None,
    *,
    format: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Read the export (any counter format :func:`assaykit.io.read_export` knows) or a tidy
    annotated CSV/XLSX table, and the layout (filled template, wellmap TOML or DataFrame)."""
    from assaykit.io import read_export

    if isinstance(input, str | os.PathLike):
        path = Path(input)
        try:
            table = read_export(path, format=format)
        except UnsupportedFormatError:
            if format or path.suffix.lower() not in (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"):
                raise
            table = _read_tidy(path)
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

        lay = read_layout(layout, kind="uptake")
    elif layout is not None:
        from assaykit.layout import layout_from_frame

        lay = layout_from_frame(layout, kind="uptake")
    return table, lay


def run_uptake_analysis(
    input: str | os.PathLike[str] | pd.DataFrame,
    outdir: str | os.PathLike[str],
    *,
    layout: str | os.PathLike[str] | pd.DataFrame | None = None,
    force: bool = False,
    format: str | None = None,
    figures: bool = True,
    **options: Any,
) -> dict[str, Path]:
    """Analyse an uptake run and write the results folder.

    Parameters
    ----------
    input
        Counter export (read with :func:`assaykit.io.read_export`) or an annotated tidy table
        (CSV/XLSX with the layout columns), or a DataFrame.
    outdir
        Results folder (built atomically; an existing one is replaced only with ``force``).
    layout
        Filled uptake template / wellmap TOML / layout DataFrame; not needed for tidy tables.
    format
        Export format name, to skip detection.
    figures
        Draw the figures (PNG 300 dpi, PDF, SVG); off for quick batch runs.
    **options
        Passed to :func:`assaykit.uptake.analysis.analyze` (``isotope``, ``reference_time``,
        ``decay``, ``by_count_time``, ``applied``, ``tracer``, ``blocked``, ``padjust``,
        ``reference``, ``fit``, ...).

    Returns
    -------
    dict of the files written: ``results_csv`` (summary), ``results_xlsx`` (per tube, per well,
    summary, specific uptake, statistics, ANOVA, fits, settings), ``provenance`` and the
    figures ``timecourse_png`` … ``internalized_fraction_svg``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from assaykit.datasets.uptake import example_paths
    >>> export, layout = example_paths()
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "uptake"
    >>> files = run_uptake_analysis(export, out, layout=layout)
    >>> sorted(p.name for p in out.iterdir())[:4]
    ['internalized_fraction.pdf', 'internalized_fraction.png', 'internalized_fraction.svg', 'provenance.json']
    """
    from assaykit.report.output import OutputFolder, provenance
    from assaykit.uptake.analysis import analyze
    from assaykit.uptake.figures import (
        condition_labels,
        plot_internalized_fraction,
        plot_timecourse,
    )

    folder = OutputFolder(outdir, force=force)  # refuses an existing folder before any work
    table, lay = read_uptake_input(input, layout, format=format)
    try:
        results = analyze(table, lay, **options)
    except AssaykitError as err:
        where = input if isinstance(input, str | os.PathLike) else None
        raise err.with_context(path=where) from None
    out_paths: dict[str, Path] = {}
    target = Path(outdir)
    written: list[Path] = []
    with folder as out:
        out.write_csv(results["summary"], "results.csv")
        sheets = {
            SHEETS[k]: _excel_safe(results[k])
            for k in SHEETS
            if k in results and not results[k].empty
        }
        out.write_xlsx(sheets, "results.xlsx")
        inputs = {
            "input": input if isinstance(input, str | os.PathLike) else None,
            "layout": layout if isinstance(layout, str | os.PathLike) else None,
        }
        opts = {"format": format, "figures": figures}
        opts.update({k: _jsonable(v) for k, v in options.items()})
        opts["settings_used"] = dict(
            zip(results["settings"]["setting"], results["settings"]["value"], strict=True)
        )
        out.write_json(provenance(inputs, opts, "assaykit uptake analyze"), "provenance.json")
        if figures:
            n_compounds = max(1, results["summary"]["compound"].nunique())
            labels = condition_labels(
                sorted(set(results["per_well"]["condition"])),
                (results["per_tube"].attrs.get("experiment") or {}).get("blocking_agent"),
            )
            written += out.save_figure(
                plot_timecourse(results["summary"], labels=labels),
                "uptake_timecourse",
                width=6.5,
                height=0.6 + 2.6 * n_compounds,
            )
            written += out.save_figure(
                plot_internalized_fraction(results["summary"], labels=labels),
                "internalized_fraction",
                width=min(3.6 * n_compounds, 9.0),
                height=3.2,
            )
    for name in ("results.csv", "results.xlsx", "provenance.json"):
        out_paths[name.replace(".", "_").replace("provenance_json", "provenance")] = target / name
    for p in written:
        out_paths[f"{p.stem}_{p.suffix[1:]}"] = target / p.name
    return out_paths


def _excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Columns Excel cannot hold (tz-aware times) as text; everything else unchanged."""
    out = df.copy()
    for col in out.columns:
        if hasattr(out[col], "dt") and getattr(out[col].dt, "tz", None) is not None:
            out[col] = out[col].astype(str)
    return out


def _jsonable(v: Any) -> Any:
    if isinstance(v, str | int | float | bool) or v is None:
        return v
    if isinstance(v, tuple | list):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return str(v)
