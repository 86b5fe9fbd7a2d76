"""``assaykit saturation``: saturation binding (Kd, Bmax, sites per cell); heavy imports inside."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from assaykit.cli._common import Force, Format, OutDir, choice, quantity_option, say, say_checks

app = typer.Typer(help="Saturation binding: Kd, Bmax and sites per cell.", no_args_is_help=True)

_MODELS = Literal["auto", "total-nsb", "total", "specific", "two-site", "hill"]


@app.command("analyze")
def analyze(
    input: Annotated[
        Path,
        typer.Argument(help="Gamma-counter export (with --layout), or a tidy CSV/XLSX of tubes."),
    ],
    output: OutDir,
    layout: Annotated[
        Path | None,
        typer.Option("--layout", "-l", help="Filled saturation template (.xlsx)."),
    ] = None,
    force: Force = False,
    format: Format = None,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            help="auto (total-nsb when both were measured), total-nsb, total, specific, two-site, hill.",
        ),
    ] = "auto",
    ci: Annotated[str, typer.Option("--ci", help="CI method: profile or wald.")] = "profile",
    weighting: Annotated[str, typer.Option("--weighting", help="none or poisson (1/Y).")] = "none",
    free_ligand: Annotated[
        str,
        typer.Option(
            "--free-ligand",
            help="auto (added − bound when > 10 % is bound), free (always), added (never).",
        ),
    ] = "auto",
    fit_bkg: Annotated[
        bool, typer.Option("--fit-bkg", help="Fit the NSB intercept instead of fixing it at 0.")
    ] = False,
    no_two_site: Annotated[
        bool, typer.Option("--no-two-site", help="Skip the one- vs two-site comparison.")
    ] = False,
    efficiency: Annotated[
        float | None, typer.Option("--efficiency", help="Counter efficiency (cpm/dpm, 0–1).")
    ] = None,
    molar_activity: Annotated[
        str | None,
        typer.Option("--molar-activity", help="e.g. '81.4 GBq/µmol' or '2200 Ci/mmol'."),
    ] = None,
    cells: Annotated[float | None, typer.Option("--cells", help="Cells per tube.")] = None,
    protein: Annotated[
        str | None, typer.Option("--protein", help="Protein per tube, e.g. '50 µg'.")
    ] = None,
    volume: Annotated[
        str | None, typer.Option("--volume", help="Incubation volume, e.g. '250 µL'.")
    ] = None,
    no_figures: Annotated[
        bool, typer.Option("--no-figures", help="Write the tables only.")
    ] = False,
) -> None:
    """Counts → free radioligand → Kd, Bmax (cpm, fmol, sites/cell), statuses, figures."""
    from typing import get_args

    from assaykit.run.saturation import SaturationOptions, run_saturation

    opts = SaturationOptions(
        model=choice(model, get_args(_MODELS), "--model"),  # type: ignore[arg-type]
        ci_method=choice(ci, ("profile", "wald"), "--ci"),  # type: ignore[arg-type]
        weighting=choice(weighting, ("none", "poisson"), "--weighting"),  # type: ignore[arg-type]
        free_ligand=choice(free_ligand, ("auto", "added", "free"), "--free-ligand"),  # type: ignore[arg-type]
        fit_bkg=fit_bkg,
        compare_two_sites=not no_two_site,
        efficiency=efficiency,
        molar_activity_GBq_per_umol=quantity_option(
            molar_activity, "molar_activity", "--molar-activity", base="GBq/µmol"
        ),
        cells_per_tube=cells,
        protein_mg_per_tube=quantity_option(protein, "mass", "--protein", base="mg"),
        volume_L=quantity_option(volume, "volume", "--volume", base="L"),
    )
    outcome = run_saturation(
        input, output, layout=layout, options=opts, force=force, format=format,
        figures=not no_figures,
    )  # fmt: skip
    say(outcome.result.summary)
    say_checks(outcome.result.qc)
    say([f"{len(outcome.files)} files written to {output}"])
