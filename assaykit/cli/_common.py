"""Shared CLI pieces: option aliases and error handling for commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

OutDir = Annotated[
    Path,
    typer.Option(
        "--output", "-o", help="Output folder (created; refused if it exists, unless --force)."
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Replace an existing output folder or file.")]
Format = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="Export format name (see 'assaykit parse --list-formats'); detected from content by default.",
    ),
]
Layout = Annotated[
    Path | None,
    typer.Option(
        "--layout", "-l", help="Filled assaykit template (.xlsx) or wellmap layout (.toml)."
    ),
]
