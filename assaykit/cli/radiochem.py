"""``assaykit qc``, ``assaykit properties`` and ``assaykit profile``; heavy imports inside.

Three typer apps for the lead to register (see docs/radiochem.md):
``qc_app`` (purity, itlc, yield, template), ``properties_app`` (logd, stability, ppb, efflux)
and :func:`profile` (a single command).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from assaykit.cli._common import Force, Format, OutDir, choice, say

qc_app = typer.Typer(
    help="Radiochemistry QC: radiochemical purity, cut-and-count ITLC, yields and molar activity.",
    no_args_is_help=True,
)
properties_app = typer.Typer(
    help="Compound properties: logD7.4, serum stability, protein binding, efflux.",
    no_args_is_help=True,
)

NoFigures = Annotated[bool, typer.Option("--no-figures", help="Write the tables only.")]
Table = Annotated[Path, typer.Argument(help="Tidy CSV/XLSX table or filled template (.xlsx).")]


def _done(outcome: object, output: Path) -> None:
    say(outcome.result.summary)  # type: ignore[attr-defined]
    say([f"{len(outcome.files)} files written to {output}"])  # type: ignore[attr-defined]


@qc_app.command("purity")
def purity(
    traces: Annotated[list[Path], typer.Argument(help="Radio-TLC/HPLC traces (files or folders).")],
    output: OutDir,
    rois: Annotated[
        Path | None, typer.Option("--rois", help="ROI table (Region, Start, End[, Counts]).")
    ] = None,
    product: Annotated[
        str | None,
        typer.Option(
            "--product",
            help="Product ROI name, or a position (mm) / time (min) inside its region "
            "(default: the largest region).",
        ),
    ] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Acceptance threshold, % RCP.")
    ] = 95.0,
    baseline: Annotated[
        str, typer.Option("--baseline", help="arpls, snip, modpoly or none (pybaselines).")
    ] = "arpls",
    kind: Annotated[
        str | None, typer.Option("--kind", help="tlc or hplc (default: from the header).")
    ] = None,
    origin: Annotated[float | None, typer.Option("--origin", help="TLC origin (mm).")] = None,
    front: Annotated[float | None, typer.Option("--front", help="TLC solvent front (mm).")] = None,
    combine: Annotated[
        bool, typer.Option("--combine", help="One TLC + one HPLC trace: (100 − A_TLC)·T_HPLC/100.")
    ] = False,
    force: Force = False,
    keep_going: Annotated[
        bool, typer.Option("--keep-going", help="Skip traces that cannot be read (exit 1).")
    ] = False,
    no_figures: NoFigures = False,
) -> None:
    """Traces → baseline, regions, %RCP per region, pass/fail, Rf, figures."""
    from assaykit.run.radiochem import PurityOptions, run_purity

    opts = PurityOptions(
        product=product,
        threshold_pct=threshold,
        baseline=choice(baseline, ("arpls", "snip", "modpoly", "none"), "--baseline"),  # type: ignore[arg-type]
        kind=None if kind is None else choice(kind, ("tlc", "hplc"), "--kind"),  # type: ignore[arg-type]
        origin_mm=origin,
        front_mm=front,
        combine=combine,
    )
    outcome = run_purity(
        traces,
        output,
        rois=rois,
        options=opts,
        force=force,
        keep_going=keep_going,
        figures=not no_figures,
    )
    _done(outcome, output)
    if outcome.failed:
        raise typer.Exit(1)


@qc_app.command("itlc")
def itlc(
    input: Annotated[
        Path,
        typer.Argument(
            help="Tidy table/template (preparation, strip, top_cpm, bottom_cpm), "
            "or a gamma-counter export with --tubes."
        ),
    ],
    output: OutDir,
    tubes: Annotated[
        Path | None,
        typer.Option(
            "--tubes",
            help="Map of the export's tubes: rack, position, preparation, "
            "strip, half (top/bottom/background).",
        ),
    ] = None,
    force: Force = False,
    format: Format = None,
    threshold: Annotated[float, typer.Option("--threshold", help="% bound to pass.")] = 95.0,
) -> None:
    """Two-strip cut-and-count ITLC: % free, % hydrolysed, % bound."""
    from assaykit.run.radiochem import run_properties

    outcome = run_properties(
        "itlc",
        input,
        output,
        force=force,
        threshold_pct=threshold,
        tubes=tubes,
        format=format,
        command="assaykit qc itlc",
    )
    _done(outcome, output)


@qc_app.command("yield")
def yield_(
    table: Table,
    output: OutDir,
    force: Force = False,
    reference: Annotated[
        str,
        typer.Option(
            "--reference",
            help="Am stated at end_of_synthesis or start_of_synthesis "
            "(when the table has no reference_time).",
        ),
    ] = "end_of_synthesis",
) -> None:
    """RCY (decay-corrected), activity yield, molar activity Am and apparent Am (GBq/µmol)."""
    from assaykit.run.radiochem import run_yield

    ref = choice(reference, ("end_of_synthesis", "start_of_synthesis"), "--reference")
    _done(run_yield(table, output, reference=ref, force=force), output)  # type: ignore[arg-type]


@qc_app.command("template")
def template(
    kind: Annotated[str, typer.Argument(help="yield, logd, stability, ppb, efflux or itlc.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The .xlsx file to write.")],
    force: Force = False,
) -> None:
    """Write an Excel template for one of the radiochemistry tables."""
    from assaykit.layout.radiochem import TEMPLATE_COLUMNS, write_radiochem_template

    write_radiochem_template(output, choice(kind, list(TEMPLATE_COLUMNS), "KIND"), force=force)
    typer.echo(f"template written to {output}", err=True)


def _property(kind: str) -> Any:  # a typer command factory
    def command(
        table: Table, output: OutDir, force: Force = False, no_figures: NoFigures = False
    ) -> None:
        from assaykit.run.radiochem import run_properties

        _done(run_properties(kind, table, output, force=force, figures=not no_figures), output)  # type: ignore[arg-type]

    return command


properties_app.command("logd", help="Shake-flask logD7.4: mean ± SD over replicates.")(
    _property("logd")
)
properties_app.command("ppb", help="Plasma-protein binding %PPB = 100·(1 − C_free/C_total).")(
    _property("ppb")
)
properties_app.command("efflux", help="% externalised = 100·medium/(medium + surface + internal).")(
    _property("efflux")
)


@properties_app.command("stability")
def stability(
    table: Table,
    output: OutDir,
    force: Force = False,
    no_figures: NoFigures = False,
    no_fit: Annotated[bool, typer.Option("--no-fit", help="No one-phase decay fit.")] = False,
) -> None:
    """Serum/plasma stability: % intact over time, one-phase decay t½ with its 95 % CI."""
    from assaykit.run.radiochem import run_properties

    _done(
        run_properties(
            "stability", table, output, force=force, figures=not no_figures, fit_decay=not no_fit
        ),
        output,
    )


def profile(
    results: Annotated[
        list[Path], typer.Argument(help="Results folders (or results.csv) of any assay.")
    ],
    output: OutDir,
    force: Force = False,
    uptake_quantity: Annotated[
        str, typer.Option("--uptake-quantity", help="Uptake quantity reported (last time point).")
    ] = "internalized_pct",
) -> None:
    """One row per compound: IC50/Ki, internalisation, logD, stability, protein binding, RCP."""
    from assaykit.run.radiochem import run_profile

    _done(run_profile(results, output, force=force, uptake_quantity=uptake_quantity), output)
