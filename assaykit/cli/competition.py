"""``assaykit competition``: fit Ki, homologous, depletion and two-site models (heavy imports inside)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from assaykit.cli._common import Force, Format, Layout, OutDir, choice, say

app = typer.Typer(
    help="Competition models beyond the 4PL: fit Ki, homologous, depletion, two sites.",
    no_args_is_help=True,
)

_MODELS = Literal["fit-ki", "homologous", "depletion", "two-site"]
_WEIGHTINGS = Literal["none", "1/y2", "poisson"]
_CI = Literal["wald", "profile"]


@app.command("analyze")
def analyze(
    input: Annotated[Path, typer.Argument(help="Gamma-counter export (one row per tube).")],
    output: OutDir,
    layout: Layout = None,
    force: Force = False,
    format: Format = None,
    model: Annotated[
        str,
        typer.Option("--model", "-m", help="fit-ki, homologous, depletion or two-site."),
    ] = "homologous",
    radioligand_conc: Annotated[
        str | None,
        typer.Option(
            "--radioligand-conc",
            help="Radioligand concentration [L] for fit-ki/two-site Ki, e.g. '0.1 nM' "
            "(default: from the template).",
        ),
    ] = None,
    kd: Annotated[
        str | None,
        typer.Option(
            "--kd", help="Kd of the radioligand, e.g. '1 nM' (default: from the template)."
        ),
    ] = None,
    kd_low: Annotated[
        str | None,
        typer.Option("--kd-low", help="two-site: Kd of the radioligand at the low-affinity site."),
    ] = None,
    hot_cpm: Annotated[
        float | None,
        typer.Option(
            "--hot-cpm", help="depletion: added radioligand (cpm); default: the standards."
        ),
    ] = None,
    specific_activity: Annotated[
        float | None,
        typer.Option("--specific-activity", help="depletion: specific activity (cpm/fmol)."),
    ] = None,
    volume: Annotated[
        float | None, typer.Option("--volume", help="depletion: incubation volume (mL).")
    ] = None,
    weighting: Annotated[
        str, typer.Option("--weighting", help="none, 1/y2 (relative) or poisson (1/y).")
    ] = "none",
    ci: Annotated[str, typer.Option("--ci", help="wald or profile confidence intervals.")] = "wald",
    no_figures: Annotated[
        bool, typer.Option("--no-figures", help="Write the tables only.")
    ] = False,
) -> None:
    """Net counts → one fit per competitor → estimates with SE and 95 % CI, verdicts and a figure."""
    model_key = choice(model, _MODELS, "--model")
    weight_key = choice(weighting, _WEIGHTINGS, "--weighting")
    ci_key = choice(ci, _CI, "--ci")
    from assaykit.run.competition import CompetitionOptions, run_competition
    from assaykit.units import parse_molar

    options = CompetitionOptions(
        model=model_key,  # type: ignore[arg-type]
        radioligand_M=parse_molar(radioligand_conc, what="--radioligand-conc"),
        kd_M=parse_molar(kd, what="--kd"),
        kd_low_M=parse_molar(kd_low, what="--kd-low"),
        hot_cpm=hot_cpm,
        specific_activity_cpm_per_fmol=specific_activity,
        volume_mL=volume,
        weighting=weight_key,  # type: ignore[arg-type]
        ci=ci_key,  # type: ignore[arg-type]
    )
    outcome = run_competition(
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
