"""``assaykit binding``: competitive binding analysis (``assaykit binding fit``).

Only typer is imported at module level; the analysis (pandas, scipy, plotnine) is imported
inside the command so that ``assaykit --help`` answers at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from assaykit.cli._common import Force, Format, Layout, OutDir

#: Several inputs, default figures: one per curve up to this many curves, else overlays only
#: (the same number as assaykit.binding.batch.AUTO_ALL_FIGURES; kept here so that --help does not
#: import pandas).
AUTO_ALL_FIGURES = 24

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
        list[Path],
        typer.Argument(
            help="Tidy table (CSV/XLSX with conc [M], response, curve) or an instrument export "
            "(with --layout). Several files and/or folders (every regular file in a folder, "
            "sorted, hidden files skipped): each export is normalised on its own, all curves are "
            "fitted together, and results.csv gets a 'source' column (the file name).",
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
    figures: Annotated[
        str | None,
        typer.Option(
            "--figures",
            help="all (one figure per curve + overlay), overlay (overlays only: one per input "
            f"file when there are several) or none. Default: all for one input; for several "
            f"inputs all up to {AUTO_ALL_FIGURES} curves in total, else overlay.",
            show_default=False,
        ),
    ] = None,
    no_figures: Annotated[
        bool, typer.Option("--no-figures", help="Tables only (much faster); = --figures none.")
    ] = False,
    keep_going: Annotated[
        bool,
        typer.Option(
            "--keep-going",
            help="Several inputs: a file that cannot be read, annotated or normalised is listed "
            "as an error in the 'files' sheet of results.xlsx and skipped; the others are "
            "analysed and written, and the exit code is 1. Default: such a file stops the run "
            "(exit 1, nothing written).",
        ),
    ] = False,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress",
            help="Progress bar on stderr for several inputs (default: only when stderr is a "
            "terminal).",
        ),
    ] = None,
    force: Force = False,
) -> None:
    """Fit competition curves: IC50 with 95% CI, Hill slope, Ki; results.csv/xlsx and figures in OUTPUT."""
    model_key = _MODELS[_choice(model, _MODELS, "--model")]
    weight_key = _WEIGHTINGS[_choice(weighting, _WEIGHTINGS, "--weighting")]
    ci_key = _choice(ci, _CIS, "--ci")
    fix = {k: v for k, v in (("top", fix_top), ("bottom", fix_bottom)) if v is not None}
    figure_mode = _figure_option(figures, no_figures)

    from assaykit.binding.batch import is_batch
    from assaykit.binding.pipeline import parse_molar

    kd_m = parse_molar(kd, what="--kd")
    conc_m = parse_molar(radioligand_conc, what="--radioligand-conc")
    options = {
        "layout": layout,
        "force": force,
        "x": x,
        "y": y,
        "by": by,
        "format": format,
        "conc_unit": conc_unit.strip(),
        "model": model_key,
        "fix": fix or None,
        "weighting": weight_key,
        "ci": ci_key,
        "kd": kd_m,
        "radioligand_conc": conc_m,
        "command": "assaykit binding fit",
    }
    if is_batch(input):
        _fit_many(input, output, options, figure_mode, keep_going, progress)
    else:
        _fit_one(input[0], output, options, figure_mode or "all")


def _figure_option(figures: str | None, no_figures: bool) -> str | None:
    """--figures and --no-figures → all, overlay, none, or None (the default rule)."""
    if figures is None:
        return "none" if no_figures else None
    key = _choice(figures, ("all", "overlay", "none"), "--figures")
    if no_figures and key != "none":
        from assaykit.errors import FitError

        raise FitError(f"--no-figures contradicts --figures {key}; give one of them")
    return key


def _fit_one(input: Path, output: Path, options: dict[str, object], figures: str) -> None:
    from rich.console import Console

    from assaykit.binding.pipeline import run_binding_analysis

    console = Console(stderr=True)
    with console.status("binding analysis …") as status:

        def progress(text: str) -> None:
            status.update(f"binding analysis: {text} …")

        result = run_binding_analysis(
            input,
            output,
            figures=figures,
            progress=progress,
            **options,  # type: ignore[arg-type]
        )
    _report(result.results, result.outdir)


def _report(res: object, outdir: Path, *, per_curve: bool = True, tail: str = "") -> None:
    from assaykit.binding.figures import ic50_label

    if per_curve:
        for _, row in res.iterrows():  # type: ignore[attr-defined]
            typer.echo(f"  {row['curve']}: {ic50_label(row, multiline=False)}", err=True)
    n_ok = int((res["status"] == "ok").sum())  # type: ignore[index]
    typer.echo(
        f"{len(res)} curve(s){tail}, {n_ok} with status ok; results in {outdir}",  # type: ignore[arg-type]
        err=True,
    )


def _fit_many(
    inputs: list[Path],
    output: Path,
    options: dict[str, object],
    figures: str | None,
    keep_going: bool,
    show: bool | None,
) -> None:
    import sys

    from assaykit.binding.batch import expand_inputs, run_binding_batch
    from assaykit.errors import AssaykitError

    files = expand_inputs(inputs)  # a missing path is refused before the bar appears
    if show is None:
        show = sys.stderr.isatty()
    with _progress_bar(show, forced=show and not sys.stderr.isatty()) as bar:
        result = run_binding_batch(
            files, output, keep_going=keep_going, figures=figures or "auto", progress=bar, **options
        )
    for _, row in result.status[result.status["status"] != "ok"].iterrows():
        typer.echo(f"assaykit: error: {row['message']}", err=True)
    n_files = len(result.status)
    _report(
        result.results,
        result.outdir,
        per_curve=len(result.results) <= AUTO_ALL_FIGURES,
        tail=f" from {n_files - len(result.failed)} of {n_files} file(s)",
    )
    if result.failed:
        raise AssaykitError(
            f"{len(result.failed)} of {n_files} input files could not be analysed; the others' "
            f"results are in {result.outdir} (see the 'files' sheet of results.xlsx)"
        )


@contextmanager
def _progress_bar(show: bool, *, forced: bool = False) -> Iterator[object]:
    """A rich progress bar on stderr as a ``progress(stage, done, total)`` callback (or None)."""
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    console = Console(stderr=True, force_terminal=True if forced else None)
    with Progress(*columns, console=console, transient=True) as bar:
        task = [bar.add_task("loading", total=None)]

        def update(stage: str, done: int, total: int | None) -> None:
            if bar.tasks[-1].description != stage:  # a new stage: a new bar (None: no total)
                bar.remove_task(task[0])
                task[0] = bar.add_task(stage, total=total)
            bar.update(task[0], completed=done)

        yield update


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
