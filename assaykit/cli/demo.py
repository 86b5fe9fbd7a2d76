"""``assaykit demo``: run every analysis on bundled example data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assaykit.cli._common import Force


def demo(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder for the demo results.")
    ] = Path("assaykit-demo"),
    force: Force = False,
) -> None:
    """Run every analysis on bundled example exports and filled templates."""
    from assaykit.run import run_demo

    result = run_demo(output, force=force, progress=lambda msg: typer.echo(f"• {msg}", err=True))
    table = result["binding_results"]
    typer.echo("\nCompetitive binding ([125I]FC131, Jurkat) — IC50 with 95% CI:")
    for row in table.itertuples(index=False):
        if row.status == "ok":
            typer.echo(
                f"  {row.curve:<20s} IC50 {row.ic50 * 1e9:8.2f} nM  "
                f"({row.ic50_ci_low * 1e9:.2f}–{row.ic50_ci_high * 1e9:.2f})  "
                f"Hill {row.hill:5.2f}  Ki {row.ki * 1e9:.2f} nM  [{row.status}]"
            )
        else:
            typer.echo(f"  {row.curve:<20s} {row.status}: {row.message}")
    out = Path(result["output"])
    summary = result["uptake"].results
    internalised = summary[summary["quantity"] == "internalized_pct"]
    typer.echo("\nUptake ([68Ga]Ga-Pentixafor) — internalised, % of applied activity (mean ± SD):")
    for cond, part in internalised.groupby("condition", sort=False):
        cells = "  ".join(
            f"{r.time_min:g} min {r.mean:.2f}±{r.sd:.2f}" for r in part.itertuples(index=False)
        )
        typer.echo(f"  {cond:<8s} (n = {int(part['n'].min())} wells)  {cells}")
    from assaykit.run.demo import STEPS

    for step in STEPS[2:]:  # every further assay prints its own summary lines
        typer.echo(f"\n{step.say[:1].upper()}{step.say[1:]}:")
        for line in result[step.assay].result.summary:
            typer.echo(line)
    folders = ", ".join(f"{out}/{s.assay}" for s in STEPS)
    typer.echo(
        f"\nResults, figures (PNG/PDF/SVG) and provenance: {folders}; "
        f"the example exports and filled templates: {out}/inputs"
    )
