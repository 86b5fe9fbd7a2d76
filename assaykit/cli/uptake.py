"""``assaykit uptake``: command group (commands are added by the uptake analysis)."""

from __future__ import annotations

import typer

app = typer.Typer(help="uptake analysis.", no_args_is_help=True)
