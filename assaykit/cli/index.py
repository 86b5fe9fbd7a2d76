"""``assaykit index``: the lab's memory of results folders (SQLite), and control charts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from assaykit.cli._common import Force, OutDir, say, say_checks

app = typer.Typer(help="The lab's memory: index results folders, query them, control charts.",
                  no_args_is_help=True)  # fmt: skip

Db = Annotated[
    Path,
    typer.Option(
        "--db",
        help="The index file (SQLite); default: $ASSAYKIT_INDEX or assaykit-index.sqlite here.",
    ),
]


def _db(db: Path | None) -> Path:
    return db if db is not None else Path(os.environ.get("ASSAYKIT_INDEX", "assaykit-index.sqlite"))


def _print(df: object) -> None:
    import pandas as pd

    assert isinstance(df, pd.DataFrame)
    with pd.option_context("display.width", 160, "display.max_columns", 12):
        typer.echo(df.to_string(index=False) if len(df) else "(nothing)")


@app.command("add")
def add(
    results: Annotated[list[Path], typer.Argument(help="Results folders written by assaykit.")],
    db: Db = None,  # type: ignore[assignment]
) -> None:
    """Record results folders (idempotent; a changed re-analysis becomes a new version)."""
    from assaykit.index import add_runs

    report = add_runs(_db(db), results)
    _print(report)
    failed = report[(~report["added"]) & report["run_id"].isna()]
    if len(failed):
        from assaykit.errors import AssaykitError

        raise AssaykitError(f"{len(failed)} folder(s) could not be indexed; see the table above")


@app.command("list")
def list_(
    db: Db = None,  # type: ignore[assignment]
    compound: Annotated[
        str | None, typer.Option("--compound", help="Runs with this compound.")
    ] = None,
    assay: Annotated[str | None, typer.Option("--assay", help="binding, uptake, ...")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Experiment date YYYY-MM-DD or later.")
    ] = None,
    operator: Annotated[str | None, typer.Option("--operator", help="Exact operator name.")] = None,
    latest: Annotated[
        bool, typer.Option("--latest", help="Only the newest version of each run.")
    ] = False,
) -> None:
    """List indexed runs (oldest experiment first)."""
    from assaykit.index import list_runs

    _print(list_runs(_db(db), compound=compound, assay=assay, since=since, operator=operator,
                     latest_only=latest))  # fmt: skip


@app.command("show")
def show(
    run_id: Annotated[int, typer.Argument(help="The run id (see 'assaykit index list').")],
    db: Db = None,  # type: ignore[assignment]
) -> None:
    """One run: its fields, inputs with SHA-256 and result rows."""
    from assaykit.index import show_run

    run = show_run(_db(db), run_id)
    for k, v in run.items():
        if k in ("inputs", "results", "provenance"):
            continue
        typer.echo(f"{k}: {v}")
    typer.echo("inputs:")
    _print(run["inputs"])
    typer.echo("results:")
    _print(run["results"])


@app.command("chart")
def chart(
    compound: Annotated[str, typer.Argument(help="The reference compound.")],
    output: OutDir,
    db: Db = None,  # type: ignore[assignment]
    parameter: Annotated[
        str, typer.Option("--parameter", help="Result column charted.")
    ] = "log_ic50",
    baseline: Annotated[int, typer.Option("--baseline", help="Runs that set mean ± SD.")] = 20,
    force: Force = False,
) -> None:
    """Control chart of a reference compound: value per run, mean ± 2/3 SD, Westgard rules."""
    from assaykit.run.index import run_control_chart

    out = run_control_chart(_db(db), compound, output, parameter=parameter,
                            baseline_n=baseline, force=force)  # fmt: skip
    say(out.result.summary)
    say_checks(out.result.qc)
    say([f"control chart in {out.outdir}"])
