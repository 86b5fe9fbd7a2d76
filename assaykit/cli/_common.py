"""Shared CLI pieces: option aliases and error handling for commands."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, get_args

import typer

OutDir = Annotated[
    Path,
    typer.Option(
        "--output", "-o", help="Output folder (created; refused if it exists, unless --force)."
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Replace an existing output folder or file.")]
Format = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="Export format name (see 'assaykit parse --list-formats'); detected from content by default.",
    ),
]
Layout = Annotated[
    Path | None,
    typer.Option(
        "--layout", "-l", help="Filled assaykit template (.xlsx) or wellmap layout (.toml)."
    ),
]
Duplicates = Annotated[
    str,
    typer.Option(
        "--duplicates",
        help="A tube counted more than once with different counts: error (default: the run "
        "stops naming it), or keep the first, the last or the mean count (recounts are real).",
    ),
]
Recursive = Annotated[
    bool,
    typer.Option("--recursive", "-r", help="Folders given as inputs: enter their sub-folders too."),
]
KeepGoing = Annotated[
    bool,
    typer.Option(
        "--keep-going",
        help="Several inputs: a file that cannot be read, annotated or normalized is listed "
        "as an error in the 'files' sheet of results.xlsx and skipped; the others are "
        "analysed and written, and the exit code is 1. Default: such a file stops the run "
        "(exit 1, nothing written).",
    ),
]
ShowProgress = Annotated[
    bool | None,
    typer.Option(
        "--progress/--no-progress",
        help="Progress bar on stderr for several inputs (default: only when stderr is a terminal).",
    ),
]


class OptionValueError(typer.BadParameter):
    """A bad value of an option, found by a command: one line naming the option, exit 1."""


def choice(
    value: str, policy: object, option: str, aliases: Mapping[str, str] | None = None
) -> str:
    """``value`` checked against a ``Literal`` policy of :mod:`assaykit._typing` (or a list).

    Raises :class:`typer.BadParameter` naming the option and the choices; the entry point
    prints it as one line and exits with code 1.
    """
    names = list(get_args(policy)) or list(policy)  # type: ignore[call-overload]
    key = value.strip()
    key = (aliases or {}).get(key, (aliases or {}).get(key.lower(), key))
    if key not in names and key.lower() in names:
        key = key.lower()
    if key not in names:
        raise OptionValueError(
            f"unknown value {value!r}; expected one of {', '.join(names)}", param_hint=option
        )
    return key


@contextmanager
def progress_bar(show: bool, *, forced: bool = False) -> Iterator[object]:
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


def show_progress(option: bool | None, n_inputs: int) -> tuple[bool, bool]:
    """(show a bar, force a terminal) from ``--progress/--no-progress`` and the input count."""
    import sys

    if option is None:
        return sys.stderr.isatty() and n_inputs > 1, False
    return option, option and not sys.stderr.isatty()


def quantity_option(
    text: str | None, dimension: str, option: str, base: str | None = None
) -> float | None:
    """An option's quantity (``'1.2 nM'``, ``'30 min'``; a bare number in ``base``), or None.

    A bad value is an :class:`OptionValueError` naming the option (one line, exit 1).
    """
    if text is None:
        return None
    from assaykit.units import UnitError, parse_quantity

    try:
        value = parse_quantity(text, dimension, base=base, what=option)  # type: ignore[arg-type]
    except UnitError as err:
        raise OptionValueError(str(err.message)) from None
    if value is None:
        raise OptionValueError(f"no value in {text!r}", param_hint=option)
    return value


def datetime_option(text: str | None, option: str) -> Any:
    """``--reference-time`` and the like, parsed as the template parses its cells (the one
    parser: an ambiguous day/month such as 10/03/2026 is refused, never read as 3 October)."""
    if text is None:
        return None
    from assaykit.layout import parse_datetime

    return parse_datetime(text, what=option)


def say_checks(qc: object) -> None:
    """Print the ``warning`` rows of a result's QC table (the checks sheet) on stderr."""
    rows = getattr(qc, "itertuples", None)
    if rows is None:
        return
    for r in rows(index=False):
        if getattr(r, "severity", "") == "warning":
            where = f"{r.where}: " if getattr(r, "where", "") else ""
            typer.echo(f"assaykit: warning: {where}{r.message}", err=True)


def say(lines: Iterable[str]) -> None:
    """Print result lines on stderr (stdout stays free for tables)."""
    for line in lines:
        typer.echo(line, err=True)
