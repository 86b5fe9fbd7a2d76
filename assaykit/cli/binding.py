"""``assaykit binding``: competitive binding analysis (``fit``) and summaries (``summarize``).

Only typer is imported at module level; the analysis (pandas, scipy, plotnine) is imported
inside the commands so that ``assaykit --help`` answers at once. Commands build a typed
:class:`~assaykit.binding.options.BindingOptions` and call the workflow layer (:mod:`assaykit.run`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assaykit._typing import CIMethod, DuplicatePolicy, FigureMode, PAdjust, Weighting
from assaykit.cli import kinetics as _kinetics
from assaykit.cli import saturation as _saturation
from assaykit.cli._common import (
    Duplicates,
    Force,
    Format,
    KeepGoing,
    Layout,
    OptionValueError,
    OutDir,
    Recursive,
    ShowProgress,
    choice,
    progress_bar,
    say,
    say_checks,
    show_progress,
)

#: Several inputs, default figures: one per curve up to this many curves, else overlays only
#: (the same number as assaykit.binding.results.AUTO_ALL_FIGURES; kept here so that --help does
#: not import pandas; a test checks they agree).
AUTO_ALL_FIGURES = 24

app = typer.Typer(help="Competitive binding analysis: IC50, Ki, figures.", no_args_is_help=True)

_MODEL_CHOICES = ("4pl", "one-site", "fit-ki", "homologous", "depletion", "two-site")
_MODEL_ALIASES = {
    "one_site": "one-site",
    "onesite": "one-site",
    "4PL": "4pl",
    "fit_ki": "fit-ki",
    "two_site": "two-site",
}
#: Models fitted by assaykit.binding.competition (Prism's competition menu beyond the 4PL).
_COMPETITION = ("fit-ki", "homologous", "depletion", "two-site")


@app.command("fit")
def fit(
    input: Annotated[
        list[Path],
        typer.Argument(
            help="Tidy table (CSV/XLSX with conc [M], response, curve) or an instrument export "
            "(with --layout). Several files and/or folders (every regular file in a folder, "
            "sorted, hidden files skipped): each export is normalized on its own, all curves are "
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
        str,
        typer.Option(
            "--model",
            help="4pl (variable slope), one-site (Hill slope −1), fit-ki (Ki fitted directly from "
            "[L] and Kd), homologous (Kd and Bmax; radioligand = competitor), depletion "
            "(heterologous, accounting for ligand depletion; needs --specific-activity and "
            "--volume) or two-site (fraction high, two IC50/Ki; compared with one site).",
        ),
    ] = "4pl",
    kd_low: Annotated[
        str | None, typer.Option("--kd-low", help="two-site: Kd at the low-affinity site.")
    ] = None,
    hot_cpm: Annotated[
        float | None,
        typer.Option("--hot-cpm", help="depletion: added radioligand (cpm); default: standards."),
    ] = None,
    specific_activity: Annotated[
        float | None,
        typer.Option("--specific-activity", help="depletion: specific activity (cpm/fmol)."),
    ] = None,
    volume: Annotated[
        float | None, typer.Option("--volume", help="depletion: incubation volume (mL).")
    ] = None,
    fix_top: Annotated[
        float | None, typer.Option("--fix-top", help="Hold the top plateau, e.g. 100.")
    ] = None,
    fix_bottom: Annotated[
        float | None, typer.Option("--fix-bottom", help="Hold the bottom plateau, e.g. 0.")
    ] = None,
    weighting: Annotated[str, typer.Option("--weighting", help="none, 1/y2 or poisson.")] = "none",
    weight_by: Annotated[
        str,
        typer.Option(
            "--weight-by",
            help="With --weighting: take the weights' Y from the data (default, as R nls and "
            "Prism 4) or from the fitted curve (fit, as Prism 5 and later; iterated).",
        ),
    ] = "data",
    outliers: Annotated[
        str,
        typer.Option(
            "--outliers",
            help="flag (default: ROUT's test flags outliers, all points fitted), rout (Prism's "
            "ROUT: robust fit, outliers at FDR Q excluded, least-squares refit) or none.",
        ),
    ] = "flag",
    rout_q: Annotated[
        float, typer.Option("--rout-q", help="ROUT's false discovery rate Q (Prism: 1 %).")
    ] = 0.01,
    ci: Annotated[
        str,
        typer.Option(
            "--ci",
            help="wald (default: t on the SE, log scale) or profile (the F/t profile, as R's "
            "confint.nls and Prism) confidence intervals.",
        ),
    ] = "wald",
    kd: Annotated[
        str | None,
        typer.Option(
            "--kd", help="Kd of the radioligand for Ki, e.g. '1 nM' (default: from the template)."
        ),
    ] = None,
    kd_from: Annotated[
        Path | None,
        typer.Option(
            "--kd-from",
            help="Saturation results folder (or its results.csv): use its Kd and 95% CI for Ki; "
            "Ki's CI then carries the Kd's uncertainty.",
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
    duplicates: Duplicates = "error",
    keep_going: KeepGoing = False,
    recursive: Recursive = False,
    progress: ShowProgress = None,
    force: Force = False,
) -> None:
    """Fit competition curves: IC50 with 95% CI, Hill slope, Ki; results.csv/xlsx and figures in OUTPUT."""
    model_key = choice(model, _MODEL_CHOICES, "--model", _MODEL_ALIASES)
    weight_key = choice(weighting, Weighting, "--weighting")
    ci_key = choice(ci, CIMethod, "--ci")
    figure_mode = _figure_option(figures, no_figures)
    if model_key in _COMPETITION:
        if len(input) != 1 or input[0].is_dir():
            raise OptionValueError(f"--model {model_key} fits one export at a time")
        if layout is None:
            raise OptionValueError(
                f"--model {model_key} needs the export's filled template (--layout)"
            )
        from assaykit.cli import competition as _competition

        _competition.analyze(
            input=input[0],
            output=output,
            layout=layout,
            force=force,
            format=format,
            model=model_key,
            radioligand_conc=radioligand_conc,
            kd=kd,
            kd_low=kd_low,
            hot_cpm=hot_cpm,
            specific_activity=specific_activity,
            volume=volume,
            weighting=weight_key,
            ci=ci_key,
            no_figures=figure_mode == "none",
        )
        return
    if kd_from is not None and kd is not None:
        raise OptionValueError("give the Kd once: --kd or --kd-from")

    from assaykit.binding.options import BindingOptions, model_name
    from assaykit.errors import AssaykitError
    from assaykit.run import run_binding
    from assaykit.units import parse_molar

    options = BindingOptions(
        model=model_name(model_key),
        fix={k: v for k, v in (("top", fix_top), ("bottom", fix_bottom)) if v is not None},
        weighting=weight_key,  # type: ignore[arg-type]
        ci=ci_key,  # type: ignore[arg-type]
        radioligand_conc_M=parse_molar(radioligand_conc, what="--radioligand-conc"),
        kd_M=parse_molar(kd, what="--kd"),
        x=x,
        y=y,
        by=by,
        conc_unit=conc_unit.strip(),
        fit_options={
            "weight_by": choice(weight_by, ("data", "fit"), "--weight-by"),
            "outliers": {"none": None}.get(
                o := choice(outliers, ("flag", "rout", "none"), "--outliers"), o
            ),
            "rout_q": _rout_q(rout_q),
        },
    )
    show, forced = show_progress(progress, len(input) if len(input) > 1 else 0)
    with progress_bar(show, forced=forced) as bar:
        outcome = run_binding(
            input,
            output,
            layout=layout,
            options=options,
            format=format,
            force=force,
            keep_going=keep_going,
            figures=figure_mode,
            recursive=recursive,
            progress=bar,  # type: ignore[arg-type]
            kd_from=kd_from,
            duplicates=choice(duplicates, DuplicatePolicy, "--duplicates"),  # type: ignore[arg-type]
        )
    status = outcome.status
    if status is not None:
        for _, row in status[status["status"] != "ok"].iterrows():
            typer.echo(f"assaykit: error: {row['message']}", err=True)
    say(outcome.result.summary)
    say_checks(outcome.result.qc)
    res = outcome.results
    n_ok = int((res["status"] == "ok").sum())
    tail = ""
    if status is not None:
        n_files = len(status)
        tail = f" from {n_files - len(outcome.failed)} of {n_files} file(s)"
    say([f"{len(res)} curve(s){tail}, {n_ok} with status ok; results in {outcome.outdir}"])
    if outcome.failed:
        raise AssaykitError(
            f"{len(outcome.failed)} of {len(status) if status is not None else 1} input files could "
            f"not be analysed; the others' results are in {outcome.outdir} (see the 'files' "
            "sheet of results.xlsx)"
        )


def _rout_q(q: float) -> float:
    if not 0 < q < 0.5:
        raise OptionValueError(
            f"must be between 0 and 0.5 (Prism uses 0.01); got {q:g}", param_hint="--rout-q"
        )
    return q


def _figure_option(figures: str | None, no_figures: bool) -> str | None:
    """--figures and --no-figures → all, overlay, none, or None (the default rule)."""
    if figures is None:
        return "none" if no_figures else None
    key = choice(figures, FigureMode, "--figures")
    if no_figures and key != "none":
        raise OptionValueError(f"--no-figures contradicts --figures {key}; give one of them")
    return key


def summarize(
    results: Annotated[
        list[Path],
        typer.Argument(
            help="Results of independent experiments: results.csv files, results folders or "
            "results.xlsx written by 'binding fit'.",
            show_default=False,
        ),
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
        choice(paired, ("auto", "yes", "no"), "--paired")
    ]
    adjust = choice(padjust, PAdjust, "--padjust")

    from assaykit.binding.figures import format_molar
    from assaykit.run import run_binding_summary

    out = run_binding_summary(
        results,
        output,
        force=force,
        paired=paired_key,
        padjust=adjust,  # type: ignore[arg-type]
        command="assaykit binding summarize",
    )
    say(f"note: {n}" for n in out["notes"])
    for _, r in out["summary"].iterrows():
        sd = f" ± {r['sd_log_ic50']:.2f}" if r["n"] > 1 else ""
        say(
            [
                f"  {r['compound']}: logIC50 {r['mean_log_ic50']:.2f}{sd} (n = {r['n']} "
                f"experiments), geometric mean IC50 {format_molar(r['geomean_ic50'])}"
                + (
                    f", pKi {r['mean_pki']:.2f}, geometric mean Ki {format_molar(r['geomean_ki'])}"
                    if "geomean_ki" in r and r["geomean_ki"] == r["geomean_ki"]
                    else ""
                )
            ]
        )
    say([f"summary in {output}"])


app.command("summarize")(summarize)
app.command("saturation")(_saturation.analyze)
app.command("kinetics")(_kinetics.analyze)
# British spelling, kept as an alias for one release (hidden from --help)
app.command("summarise", hidden=True)(summarize)
