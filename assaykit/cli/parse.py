"""``assaykit parse``: exports → tidy tables (one file to stdout or a file; many files to a folder)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from assaykit.cli._common import Force, Format, Recursive, progress_bar

#: Show a progress bar (on a terminal) from this many exports on.
PROGRESS_FROM = 20


def parse(
    exports: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Instrument export(s) (text or .xlsx), or a folder of exports.", show_default=False
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="One export: write the table here (.csv or .xlsx) instead of printing it. "
            "Several exports or a folder: the output folder (one <name>.csv per export and "
            "parse_summary.csv).",
        ),
    ] = None,
    format: Format = None,
    force: Force = False,
    recursive: Recursive = False,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress",
            help="Progress bar on stderr for many exports (default: only on a terminal).",
        ),
    ] = None,
    list_formats: Annotated[
        bool, typer.Option("--list-formats", help="List the formats assaykit reads and exit.")
    ] = False,
) -> None:
    """Read instrument exports into tidy tables, one row per measured value."""
    from assaykit.errors import AssaykitError

    if list_formats:
        from assaykit.io import READERS, known_formats

        for name in known_formats():
            r = READERS[name]
            typer.echo(f"{name:24s} {r.kind:8s} {r.description}")
        return
    if not exports:
        raise AssaykitError(
            "missing EXPORT: give the export file(s) or folder to read (or --list-formats)"
        )
    from assaykit.run import expand_inputs, parse_many, parse_one

    if len(exports) == 1 and not exports[0].is_dir():
        df = parse_one(exports[0], output, format=format, force=force)
        if output is None:  # formula-safe too: stdout is often redirected into a .csv
            from assaykit.report.output import sanitise_frame

            sanitise_frame(df).to_csv(sys.stdout, index=False, lineterminator="\n")
        else:
            typer.echo(f"{len(df)} rows ({df.attrs.get('format')}) written to {output}", err=True)
        return
    if output is None:
        raise AssaykitError(
            "several exports (or a folder) need -o OUTDIR: the folder to write one table per export to"
        )
    if output.suffix.lower() in (".csv", ".xlsx", ".txt"):
        raise AssaykitError(
            f"-o {output}: with several exports (or a folder) -o names an output folder, not a "
            f"{output.suffix} file"
        )
    files = expand_inputs(exports, recursive=recursive)
    show = (
        progress if progress is not None else (sys.stderr.isatty() and len(files) >= PROGRESS_FROM)
    )
    with progress_bar(bool(show)) as bar:
        failed, summary = parse_many(
            files,
            output,
            format=format,
            force=force,
            progress=bar,  # type: ignore[arg-type]
        )
    for _, row in summary[summary["status"] != "ok"].iterrows():
        typer.echo(f"assaykit: error: {row['message']}", err=True)
    total = len(files)
    if failed:
        raise AssaykitError(
            f"{len(failed)} of {total} exports could not be read; the others are in {output} "
            "(see parse_summary.csv)"
        )
    typer.echo(f"{total} exports parsed; tables and parse_summary.csv in {output}", err=True)
