"""``assaykit kinetics``: association / dissociation / competition kinetics (heavy imports inside)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assaykit.cli._common import (
    Force,
    Format,
    Layout,
    OutDir,
    choice,
    datetime_option,
    quantity_option,
    say,
)

app = typer.Typer(
    help="Binding kinetics: kon, koff, kinetic Kd, residence time.", no_args_is_help=True
)

_MODELS = (
    "association_global",
    "association",
    "dissociation",
    "association_dissociation",
    "competition",
)


@app.command("analyze")
def analyze(
    input: Annotated[
        Path,
        typer.Argument(help="Gamma-counter export (with --layout), or a tidy CSV/XLSX table."),
    ],
    output: OutDir,
    layout: Layout = None,
    force: Force = False,
    format: Format = None,
    model: Annotated[
        str | None,
        typer.Option("--model", help=f"One of {', '.join(_MODELS)}; default: the template's."),
    ] = None,
    reference_time: Annotated[
        str | None,
        typer.Option(
            "--reference-time",
            help="Decay-correct to this time (YYYY-MM-DD HH:MM); default: the template's.",
        ),
    ] = None,
    isotope: Annotated[
        str | None, typer.Option("--isotope", help="Nuclide (e.g. Ga-68); default: the template's.")
    ] = None,
    no_decay: Annotated[
        bool,
        typer.Option("--no-decay", help="Do not decay-correct (only for long-lived nuclides)."),
    ] = False,
    kd: Annotated[
        str | None,
        typer.Option("--kd", help="Equilibrium Kd to compare the kinetic Kd with, e.g. '1.2 nM'."),
    ] = None,
    koff: Annotated[
        float | None,
        typer.Option("--koff", help="Measured koff (min⁻¹): kon from one concentration."),
    ] = None,
    koff_se: Annotated[
        float | None, typer.Option("--koff-se", help="SE of --koff (min⁻¹).")
    ] = None,
    radioligand_kon: Annotated[
        float | None,
        typer.Option("--radioligand-kon", help="Competition: radioligand kon K1 (M⁻¹·min⁻¹)."),
    ] = None,
    radioligand_koff: Annotated[
        float | None,
        typer.Option("--radioligand-koff", help="Competition: radioligand koff K2 (min⁻¹)."),
    ] = None,
    dissociation_start: Annotated[
        str | None,
        typer.Option(
            "--dissociation-start", help="Time0 after radioligand addition, e.g. '30 min'."
        ),
    ] = None,
    ci: Annotated[
        str, typer.Option("--ci", help="Confidence intervals: wald or profile.")
    ] = "wald",
    weighting: Annotated[
        str,
        typer.Option("--weighting", help="none, counting (1/SD², Poisson), 1/y2 or poisson."),
    ] = "none",
    kd_ratio_limit: Annotated[
        float,
        typer.Option("--kd-ratio-limit", help="Flag kinetic/equilibrium Kd outside [1/x, x]."),
    ] = 3.0,
    no_figures: Annotated[
        bool, typer.Option("--no-figures", help="Write the tables only.")
    ] = False,
) -> None:
    """Counts → decay-corrected specific binding → kon, koff, kinetic Kd, t½, residence time, figures."""
    from assaykit.binding.kinetics import CIMethod, Weighting

    model_key = None if model is None else choice(model, _MODELS, "--model")
    ci_key = choice(ci, CIMethod, "--ci")
    w_key = choice(weighting, Weighting, "--weighting")
    kd_M = quantity_option(kd, "concentration", "--kd")
    t0 = quantity_option(dissociation_start, "time", "--dissociation-start", base="min")
    from assaykit.binding.kinetics_options import KineticsOptions
    from assaykit.run.kinetics import run_kinetics

    ref = datetime_option(reference_time, "--reference-time")
    options = KineticsOptions(
        model=model_key,  # type: ignore[arg-type]
        reference_time=ref,
        isotope=isotope,
        decay=not no_decay,
        koff_per_min=koff,
        koff_se=koff_se,
        equilibrium_kd_M=kd_M,
        radioligand_kon_per_M_min=radioligand_kon,
        radioligand_koff_per_min=radioligand_koff,
        dissociation_start_min=t0,
        ci_method=ci_key,  # type: ignore[arg-type]
        weighting=w_key,  # type: ignore[arg-type]
        kd_ratio_limit=kd_ratio_limit,
    )
    outcome = run_kinetics(
        input,
        output,
        layout=layout,
        options=options,
        force=force,
        format=format,
        figures=not no_figures,
    )
    say(outcome.result.summary)
    say([f"{len(outcome.files)} files written to {output}"])
