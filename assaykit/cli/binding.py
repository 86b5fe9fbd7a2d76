"""``assaykit binding``: competitive binding analysis (``assaykit binding fit``).

Only typer is imported at module level; the analysis (pandas, scipy, plotnine) is imported
inside the command so that ``assaykit --help`` answers at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assaykit.cli._common import Force, Format, Layout, OutDir

app = typer.Typer(help="Competitive binding analysis: IC50, Ki, figures.", no_args_is_help=True)

_MODELS = {"4pl": "4pl", "one-site": "one_site", "one_site": "one_site"}
_WEIGHTINGS = {"none": None, "1/y2": "1/y2", "poisson": "poisson"}
_CIS = ("wald", "profile")


def _choice(value: str, choices: object, option: str) -> str:
    from assaykit.errors import FitError

    names = list(choices)  # type: ignore[call-overload]
    key = value.strip().lower()
    if key not in names:
        raise FitError(f"{option}: unknown value {value!r}; expected one of {', '.join(names)}")
    return key


@app.command("fit")
def fit(
    input: Annotated[
        Path,
        typer.Argument(
            help="Tidy table (CSV/XLSX with conc [M], response, curve) or an instrument export (with --layout).",
            show_default=False,
        ),
    ],
    output: OutDir,
    layout: Layout = None,
    format: Format = None,
    x: Annotated[
        str, typer.Option("--x", help="Concentration column (M) of a tidy table.")
    ] = "conc",
    y: Annotated[str, typer.Option("--y", help="Response column of a tidy table.")] = "response",
    by: Annotated[str, typer.Option("--by", help="Curve column of a tidy table.")] = "curve",
    conc_unit: Annotated[
        str,
        typer.Option(
            "--conc-unit", help="Unit of a tidy table's concentrations: M, mM, uM, nM or pM."
        ),
    ] = "M",
    model: Annotated[
        str, typer.Option("--model", help="4pl (variable slope) or one-site (Hill slope −1).")
    ] = "4pl",
    fix_top: Annotated[
        float | None, typer.Option("--fix-top", help="Hold the top plateau, e.g. 100.")
    ] = None,
    fix_bottom: Annotated[
        float | None, typer.Option("--fix-bottom", help="Hold the bottom plateau, e.g. 0.")
    ] = None,
    weighting: Annotated[str, typer.Option("--weighting", help="none, 1/y2 or poisson.")] = "none",
    ci: Annotated[str, typer.Option("--ci", help="wald or profile confidence intervals.")] = "wald",
    kd: Annotated[
        str | None,
        typer.Option(
            "--kd", help="Kd of the radioligand for Ki, e.g. '1 nM' (default: from the template)."
        ),
    ] = None,
    radioligand_conc: Annotated[
        str | None,
        typer.Option(
            "--radioligand-conc",
            help="Radioligand concentration, e.g. '0.1 nM' (default: from the template).",
        ),
    ] = None,
    no_figures: Annotated[
        bool, typer.Option("--no-figures", help="Tables only (much faster).")
    ] = False,
    force: Force = False,
) -> None:
    """Fit competition curves: IC50 with 95% CI, Hill slope, Ki; results.csv/xlsx and figures in OUTPUT."""
    model_key = _MODELS[_choice(model, _MODELS, "--model")]
    weight_key = _WEIGHTINGS[_choice(weighting, _WEIGHTINGS, "--weighting")]
    ci_key = _choice(ci, _CIS, "--ci")
    fix = {k: v for k, v in (("top", fix_top), ("bottom", fix_bottom)) if v is not None}

    from rich.console import Console

    from assaykit.binding.pipeline import parse_molar, run_binding_analysis

    kd_m = parse_molar(kd, what="--kd")
    conc_m = parse_molar(radioligand_conc, what="--radioligand-conc")
    console = Console(stderr=True)
    with console.status("binding analysis …") as status:

        def progress(text: str) -> None:
            status.update(f"binding analysis: {text} …")

        result = run_binding_analysis(
            input,
            output,
            layout=layout,
            force=force,
            x=x,
            y=y,
            by=by,
            format=format,
            conc_unit=conc_unit.strip(),
            model=model_key,
            fix=fix or None,
            weighting=weight_key,
            ci=ci_key,
            kd=kd_m,
            radioligand_conc=conc_m,
            figures=not no_figures,
            progress=progress,
            command="assaykit binding fit",
        )
    from assaykit.binding.figures import ic50_label

    res = result.results
    for _, row in res.iterrows():
        typer.echo(f"  {row['curve']}: {ic50_label(row, multiline=False)}", err=True)
    n_ok = int((res["status"] == "ok").sum())
    typer.echo(f"{len(res)} curve(s), {n_ok} with status ok; results in {result.outdir}", err=True)


@app.command("summarise")
def summarise(
    results: Annotated[
        list[Path],
        typer.Argument(help="results.csv files of independent experiments.", show_default=False),
    ],
    output: OutDir,
    paired: Annotated[
        str,
        typer.Option(
            "--paired", help="auto (paired when every experiment has every compound), yes or no."
        ),
    ] = "auto",
    padjust: Annotated[
        str,
        typer.Option(
            "--padjust",
            help="Correction of pairwise tests: holm, bonf, sidak, fdr_bh, fdr_by, none.",
        ),
    ] = "holm",
    force: Force = False,
) -> None:
    """Mean ± SD of logIC50 over experiments, geometric-mean IC50 with 95% CI, and comparisons."""
    paired_key = {"auto": None, "yes": True, "no": False}[
        _choice(paired, ("auto", "yes", "no"), "--paired")
    ]
    adjust = _choice(padjust, ("holm", "bonf", "sidak", "fdr_bh", "fdr_by", "none"), "--padjust")

    from assaykit.binding.figures import format_molar
    from assaykit.binding.pipeline import run_binding_summary

    out = run_binding_summary(
        results,
        output,
        force=force,
        paired=paired_key,
        padjust=adjust,
        command="assaykit binding summarise",
    )
    for _, r in out["summary"].iterrows():
        sd = f" ± {r['sd_log_ic50']:.2f}" if r["n"] > 1 else ""
        typer.echo(
            f"  {r['compound']}: logIC50 {r['mean_log_ic50']:.2f}{sd} (n = {r['n']}), "
            f"geometric mean IC50 {format_molar(r['geomean_ic50'])}",
            err=True,
        )
    typer.echo(f"summary in {output}", err=True)
