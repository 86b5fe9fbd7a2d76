"""``assaykit uptake``: analyze uptake / internalization runs (heavy imports inside the command)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from assaykit._typing import DuplicatePolicy, PAdjust
from assaykit.cli._common import (
    Duplicates,
    Force,
    Format,
    Layout,
    OutDir,
    choice,
    datetime_option,
    say,
    say_checks,
)

app = typer.Typer(help="Uptake and internalization time courses.", no_args_is_help=True)


@app.command("analyze")
def analyze(
    input: Annotated[
        Path,
        typer.Argument(
            help="Gamma-counter export, or a tidy CSV/XLSX table that already has the layout columns.",
        ),
    ],
    output: OutDir,
    layout: Layout = None,
    force: Force = False,
    format: Format = None,
    reference_time: Annotated[
        str | None,
        typer.Option(
            "--reference-time",
            help="Decay-correct to this time (YYYY-MM-DD HH:MM); default: the template's, else the first count start.",
        ),
    ] = None,
    isotope: Annotated[
        str | None,
        typer.Option(
            "--isotope",
            help="Nuclide (e.g. Ga-68); default: the template's, checked against the counter.",
        ),
    ] = None,
    no_decay: Annotated[
        bool,
        typer.Option("--no-decay", help="Do not decay-correct (only for long-lived nuclides)."),
    ] = False,
    by_count_time: Annotated[
        bool,
        typer.Option("--by-count-time", help="Subtract blanks counted for the same time only."),
    ] = False,
    applied: Annotated[
        str,
        typer.Option(
            "--applied",
            help="Applied activity: 'standards' (mean of standard tubes) or 'sum' (S + A + L).",
        ),
    ] = "standards",
    tracer: Annotated[
        str, typer.Option("--tracer", help="Condition name of the unblocked wells.")
    ] = "tracer",
    blocked: Annotated[
        str, typer.Option("--blocked", help="Condition name of the blocked wells.")
    ] = "blocked",
    padjust: Annotated[
        str,
        typer.Option(
            "--padjust",
            help="Multiple-comparison correction: holm, bonf, sidak, fdr_bh, fdr_by, none.",
        ),
    ] = "holm",
    reference: Annotated[
        str | None,
        typer.Option(
            "--reference", help="Compound whose specific internalization is 100 % (% of reference)."
        ),
    ] = None,
    no_fit: Annotated[
        bool, typer.Option("--no-fit", help="Skip the one-phase association fits.")
    ] = False,
    no_figures: Annotated[
        bool, typer.Option("--no-figures", help="Write the tables only.")
    ] = False,
    duplicates: Duplicates = "error",
) -> None:
    """Corrected counts → % of applied activity → mean ± SD, Welch t-tests, ANOVA, fits and figures."""
    applied_key = choice(applied, ("standards", "sum"), "--applied")
    adjust = choice(padjust, PAdjust, "--padjust")
    from assaykit.run import run_uptake

    options: dict[str, Any] = {
        "decay": not no_decay,
        "by_count_time": by_count_time,
        "applied": applied_key,
        "tracer": tracer,
        "blocked": blocked,
        "padjust": adjust,
        "fit": not no_fit,
    }
    if reference_time is not None:
        options["reference_time"] = datetime_option(reference_time, "--reference-time")
    if isotope is not None:
        options["isotope"] = isotope
    if reference is not None:
        options["reference"] = reference
    outcome = run_uptake(
        input,
        output,
        layout=layout,
        force=force,
        format=format,
        figures=not no_figures,
        duplicates=choice(duplicates, DuplicatePolicy, "--duplicates"),  # type: ignore[arg-type]
        **options,
    )
    say(outcome.result.summary)
    say_checks(outcome.result.qc)
    say([f"{len(outcome.files)} files written to {output}"])
