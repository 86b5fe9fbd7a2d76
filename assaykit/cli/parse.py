"""``assaykit parse``: an export → the tidy table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assaykit.cli._common import Force, Format


def parse(
    export: Annotated[Path | None, typer.Argument(help="Instrument export (text or .xlsx).", show_default=False)] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the table here (.csv or .xlsx) instead of printing it.")
    ] = None,
    format: Format = None,
    force: Force = False,
    list_formats: Annotated[bool, typer.Option("--list-formats", help="List the formats assaykit reads and exit.")] = False,
) -> None:
    """Read an instrument export into one tidy table, one row per measured value."""
    from assaykit.errors import AssaykitError

    if list_formats:
        from assaykit.io import READERS, known_formats

        for name in known_formats():
            r = READERS[name]
            typer.echo(f"{name:24s} {r.kind:8s} {r.description}")
        return
    if export is None:
        raise AssaykitError("missing EXPORT: give the export file to read (or --list-formats)")
    from assaykit.io import read_export

    df = read_export(export, format=format)
    if output is None:
        import sys

        df.to_csv(sys.stdout, index=False)
        return
    from assaykit.report.output import write_table

    write_table(df, output, force=force)
    typer.echo(f"{len(df)} rows ({df.attrs.get('format')}) written to {output}", err=True)
