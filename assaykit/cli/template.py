"""``assaykit template``: write a blank Excel template to fill in (plate map or tube list)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assaykit.cli._common import Force, OptionValueError, choice

#: Template kind → (module, function) of its writer: ``writer(path, *, force=...)`` (imported on
#: use, so that --help stays fast). Every assay adds its line here.
WRITERS: dict[str, tuple[str, str]] = {
    "binding": ("assaykit.layout.templates", "write_template"),
    "uptake": ("assaykit.layout.templates", "write_template"),
    "saturation": ("assaykit.layout.saturation", "write_saturation_template"),
    "kinetics": ("assaykit.layout.kinetics", "write_kinetics_template"),
    "biodistribution": (
        "assaykit.layout.biodistribution_template",
        "write_biodistribution_template",
    ),
}


def template(
    kind: Annotated[
        str, typer.Argument(help="binding, uptake, saturation, kinetics or biodistribution")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The .xlsx file to write.")],
    force: Force = False,
    example: Annotated[
        bool,
        typer.Option(
            "--example", help="kinetics: fill the template with a small example experiment."
        ),
    ] = False,
    plate_size: Annotated[
        int,
        typer.Option(
            "--plate-size", help="Binding/uptake: wells listed on the Wells sheet, 96 or 384."
        ),
    ] = 96,
) -> None:
    """Write an Excel template (instructions, experiment sheet, tube or well table, example)."""
    import importlib

    key = choice(kind, tuple(WRITERS), "KIND")
    module, name = WRITERS[key]
    writer = getattr(importlib.import_module(module), name)
    if name == "write_template":
        writer(key, output, force=force, plate_size=plate_size)
    elif example:
        import inspect

        if "example" not in inspect.signature(writer).parameters:
            raise OptionValueError(f"the {key} template has no --example", param_hint="--example")
        writer(output, force=force, example=True)
    else:
        writer(output, force=force)
    typer.echo(f"template written to {output}", err=True)
