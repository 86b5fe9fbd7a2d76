"""``assaykit biodistribution``: analyze ex-vivo biodistribution studies, write the template.

Heavy imports (pandas, pingouin, plotnine) happen inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from assaykit.cli._common import Force, Format, OutDir, choice, datetime_option, say

app = typer.Typer(help="Ex-vivo biodistribution: %IA/g, %IA, SUV, ratios.", no_args_is_help=True)


@app.command("analyze")
def analyze(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Gamma-counter export(s): one per counting run (racks may be spread over several)."
        ),
    ],
    output: OutDir,
    layout: Annotated[
        Path,
        typer.Option(
            "--layout",
            "-l",
            help="Filled biodistribution template (.xlsx; 'assaykit biodistribution template').",
        ),
    ],
    force: Force = False,
    format: Format = None,
    balance: Annotated[
        Path | None,
        typer.Option(
            "--balance",
            help="Balance export (CSV/XLSX: tube id, weight in g) giving the filled weights.",
        ),
    ] = None,
    isotope: Annotated[
        str | None, typer.Option("--isotope", help="Nuclide; default: the template's.")
    ] = None,
    reference_time: Annotated[
        str | None,
        typer.Option(
            "--reference-time",
            help="Decay-correct to this time (YYYY-MM-DD HH:MM); default: the template's, else the first injection.",
        ),
    ] = None,
    low_counts: Annotated[
        float, typer.Option("--low-counts", help="Flag tubes with fewer net counts.")
    ] = 500.0,
    dead_time: Annotated[
        float | None,
        typer.Option(
            "--dead-time", help="Counter dead time in µs, to flag dead-time losses above 5 %."
        ),
    ] = None,
    recount: Annotated[
        str, typer.Option("--recount", help="A tube counted more than once: mean, first or last.")
    ] = "mean",
    ignore_unknown_tubes: Annotated[
        bool,
        typer.Option(
            "--ignore-unknown-tubes",
            help="Counted tubes missing from the template become a QC row instead of an error.",
        ),
    ] = False,
    tumor: Annotated[
        str | None,
        typer.Option(
            "--tumor", help="Organ name of the tumour (default: the template's, else 'tumor')."
        ),
    ] = None,
    reference_group: Annotated[
        str | None,
        typer.Option(
            "--reference-group", help="Group the others are compared with (default: the first)."
        ),
    ] = None,
    test: Annotated[
        str, typer.Option("--test", help="welch (each group vs the reference), anova, or none.")
    ] = "welch",
    padjust: Annotated[
        str,
        typer.Option(
            "--padjust", help="Correction across organs: holm, bonf, sidak, fdr_bh, fdr_by, none."
        ),
    ] = "holm",
    no_figures: Annotated[
        bool, typer.Option("--no-figures", help="Write the tables only.")
    ] = False,
) -> None:
    """Counts → decay-corrected activity → %IA/g, %IA, SUV per animal and organ → mean ± SD (n), ratios, statistics, figures."""
    from assaykit._typing import GroupTest, PAdjust, RecountPolicy

    recount_key = choice(recount, RecountPolicy, "--recount")
    test_key = choice(test, GroupTest, "--test")
    adjust = choice(padjust, PAdjust, "--padjust")
    from assaykit.biodistribution.options import BiodistributionOptions
    from assaykit.run.biodistribution import run_biodistribution

    options: dict[str, Any] = {
        "low_counts": low_counts,
        "recount": recount_key,
        "unknown_tubes": "ignore" if ignore_unknown_tubes else "raise",
        "test": test_key,
        "padjust": adjust,
    }
    if reference_time is not None:
        options["reference_time"] = datetime_option(reference_time, "--reference-time")
    for key, value in (
        ("isotope", isotope),
        ("tumor", tumor),
        ("reference_group", reference_group),
    ):
        if value is not None:
            options[key] = value
    if dead_time is not None:
        options["dead_time_s"] = dead_time * 1e-6
    outcome = run_biodistribution(
        inputs,
        output,
        layout=layout,
        options=BiodistributionOptions(**options),
        balance=balance,
        force=force,
        format=format,
        figures=not no_figures,
    )
    say(outcome.result.summary)
    n_qc = len(outcome.result.qc)
    say([f"{n_qc} check(s) in results.xlsx (sheet 'checks')" if n_qc else "no checks raised"])
    say([f"{len(outcome.files)} files written to {output}"])
