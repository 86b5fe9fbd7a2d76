"""The ``assaykit`` command line.

Only typer is imported here: pandas, scipy, plotnine and pingouin are imported inside the
commands that need them, so ``assaykit --help`` and usage errors answer at once.
User errors (:class:`~assaykit.errors.AssaykitError`) print one line and exit with code 1.
"""

from __future__ import annotations

import sys
from typing import TextIO

import typer

from assaykit.cli import binding as _binding
from assaykit.cli import biodistribution as _biodistribution
from assaykit.cli import demo as _demo
from assaykit.cli import index as _index
from assaykit.cli import parse as _parse
from assaykit.cli import radiochem as _radiochem
from assaykit.cli import template as _template
from assaykit.cli import uptake as _uptake

app = typer.Typer(
    name="assaykit",
    help="Radioligand binding and uptake analysis from raw gamma-counter and plate-reader exports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("parse")(_parse.parse)
app.command("template")(_template.template)
app.command("demo")(_demo.demo)
app.add_typer(_binding.app, name="binding")
app.add_typer(_uptake.app, name="uptake")
app.command("biodistribution")(_biodistribution.analyze)
app.add_typer(_index.app, name="index")
app.add_typer(_radiochem.qc_app, name="qc")
app.add_typer(_radiochem.properties_app, name="properties")
app.command("profile")(_radiochem.profile)


def _print_version(value: bool) -> None:
    if value:
        from assaykit import __version__

        typer.echo(f"assaykit {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        is_eager=True,
        callback=_print_version,  # runs while parsing, before the 'missing command' check
    ),
) -> None:
    """Radioligand binding and uptake analysis from raw gamma-counter and plate-reader exports."""


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app, turning user errors into one line and exit code 1."""
    import warnings

    from assaykit.cli._common import OptionValueError
    from assaykit.errors import AssaykitError

    def _one_line_warning(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        typer.echo(f"assaykit: warning: {message}", err=True)

    warnings.showwarning = _one_line_warning
    try:
        # typer (>= 0.29) turns Ctrl-C into Exit(130) and, without standalone mode, *returns* the
        # exit code of an Exit raised inside a command instead of raising it
        code = app(args=argv, standalone_mode=False)
        if code == 130:
            raise KeyboardInterrupt
        if isinstance(code, int) and not isinstance(code, bool) and code != 0:
            sys.exit(code)
    except AssaykitError as err:
        typer.echo("assaykit: error: " + " ".join(str(err).splitlines()), err=True)
        sys.exit(1)
    except OptionValueError as err:  # a bad option value: one line naming the option
        hint = err.param_hint if isinstance(err.param_hint, str) else ""
        text = " ".join(str(err.message).splitlines())
        typer.echo(f"assaykit: error: {hint + ': ' if hint else ''}{text}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("assaykit: interrupted; no partial results were kept", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except Exception as exc:  # click's usage errors (typer >= 0.29 vendors click: typer._click)
        show = getattr(exc, "show", None)
        code = getattr(exc, "exit_code", None)
        if callable(show) and isinstance(code, int):  # ClickException: usage line + one error line
            show()
            sys.exit(code)
        if type(exc).__name__ == "Abort":
            typer.echo("Aborted.", err=True)
            sys.exit(1)
        raise
    sys.exit(0)
