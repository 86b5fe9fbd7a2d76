"""``assaykit template``: write a blank Excel template to fill in (implemented with the layout issue)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assaykit.cli._common import Force


def template(
    kind: Annotated[str, typer.Argument(help="binding or uptake")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The .xlsx file to write.")],
    force: Force = False,
) -> None:
    """Write an Excel template (plate map or tube list, experiment sheet, instructions, example)."""
    from assaykit.templates import write_template

    write_template(kind, output, force=force)
    typer.echo(f"template written to {output}", err=True)
