"""``assaykit demo``: run the analyses on bundled example data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assaykit.cli._common import Force


def demo(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the demo results.")] = Path("assaykit-demo"),
    force: Force = False,
) -> None:
    """Run binding and uptake analyses on bundled example exports and filled templates."""
    from assaykit.datasets import run_demo

    run_demo(output, force=force)
