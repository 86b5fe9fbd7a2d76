"""``assaykit binding``: command group (commands are added by the binding analysis)."""

from __future__ import annotations

import typer

app = typer.Typer(help="binding analysis.", no_args_is_help=True)
