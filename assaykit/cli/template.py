"""``assaykit template``: write a blank Excel template to fill in (plate map or tube list)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assaykit.cli._common import Force


def template(
    kind: Annotated[str, typer.Argument(help="binding or uptake")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The .xlsx file to write.")],
    force: Force = False,
    plate_size: Annotated[
        int, typer.Option("--plate-size", help="Wells listed on the Wells sheet: 96 or 384.")
    ] = 96,
) -> None:
    """Write an Excel template (instructions, experiment sheet, Wells and Tubes tables, example)."""
    from assaykit.layout.templates import write_template

    write_template(kind, output, force=force, plate_size=plate_size)
    typer.echo(f"template written to {output}", err=True)
