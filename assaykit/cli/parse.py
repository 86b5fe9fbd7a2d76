"""``assaykit parse``: exports → tidy tables (one file to stdout or a file; many files to a folder)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assaykit.cli._common import Force, Format

if TYPE_CHECKING:
    from assaykit.report.output import OutputFolder

#: Show a progress bar (on a terminal) from this many exports on.
PROGRESS_FROM = 20
_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


def parse(
    exports: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Instrument export(s) (text or .xlsx), or a folder of exports.", show_default=False
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="One export: write the table here (.csv or .xlsx) instead of printing it. "
            "Several exports or a folder: the output folder (one <name>.csv per export and "
            "parse_summary.csv).",
        ),
    ] = None,
    format: Format = None,
    force: Force = False,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress",
            help="Progress bar on stderr for many exports (default: only on a terminal).",
        ),
    ] = None,
    list_formats: Annotated[
        bool, typer.Option("--list-formats", help="List the formats assaykit reads and exit.")
    ] = False,
) -> None:
    """Read instrument exports into tidy tables, one row per measured value."""
    from assaykit.errors import AssaykitError

    if list_formats:
        from assaykit.io import READERS, known_formats

        for name in known_formats():
            r = READERS[name]
            typer.echo(f"{name:24s} {r.kind:8s} {r.description}")
        return
    if not exports:
        raise AssaykitError(
            "missing EXPORT: give the export file(s) or folder to read (or --list-formats)"
        )
    if len(exports) == 1 and not exports[0].is_dir():
        _parse_one(exports[0], output, format=format, force=force)
        return
    if output is None:
        raise AssaykitError(
            "several exports (or a folder) need -o OUTDIR: the folder to write one table per export to"
        )
    if output.suffix.lower() in (".csv", ".xlsx", ".txt"):
        raise AssaykitError(
            f"-o {output}: with several exports (or a folder) -o names an output folder, not a "
            f"{output.suffix} file"
        )
    files = list(_expand(exports))
    if not files:
        raise AssaykitError(f"no export files found in {', '.join(str(p) for p in exports)}")
    show = (
        progress if progress is not None else (sys.stderr.isatty() and len(files) >= PROGRESS_FROM)
    )
    failed, total = parse_many(files, output, format=format, force=force, show_progress=show)
    if failed:
        raise AssaykitError(
            f"{len(failed)} of {total} exports could not be read; the others are in {output} "
            "(see parse_summary.csv)"
        )
    typer.echo(f"{total} exports parsed; tables and parse_summary.csv in {output}", err=True)


def _parse_one(export: Path, output: Path | None, *, format: str | None, force: bool) -> None:
    from assaykit.io import read_export

    if output is not None and output.exists() and not force:
        from assaykit.errors import OutputError

        raise OutputError(f"{output} exists; use --force to replace it")  # before reading
    df = read_export(export, format=format)
    if output is None:  # formula-safe too: stdout is often redirected into a .csv
        from assaykit.report.output import sanitise_frame

        sanitise_frame(df).to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    from assaykit.report.output import write_table

    write_table(df, output, force=force)
    typer.echo(f"{len(df)} rows ({df.attrs.get('format')}) written to {output}", err=True)


def _expand(paths: Sequence[Path]) -> Iterator[Path]:
    """Files given, and the files directly inside given folders (sorted; hidden files skipped)."""
    from assaykit.errors import ParseError

    for p in paths:
        if p.is_dir():
            yield from sorted(
                (f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")),
                key=lambda f: f.name,
            )
        elif p.exists():
            yield p
        else:
            raise ParseError("no such file", path=p)


def output_name(source: Path, taken: set[str]) -> str:
    """A safe, unique ``<stem>.csv`` for ``source`` (plain characters; ``-2``, ``-3`` … on clashes).

    Only the input's own file name is used, never text from inside the export.

    Examples
    --------
    >>> taken = set()
    >>> output_name(Path("run 1.csv"), taken), output_name(Path("run 1.txt"), taken)
    ('run_1.csv', 'run_1-2.csv')
    >>> output_name(Path("..weird;name.xlsx"), taken), output_name(Path("parse_summary.csv"), taken)
    ('weird_name.csv', 'parse_summary-2.csv')
    """
    stem = _UNSAFE.sub("_", source.stem).strip("._") or "export"
    stem = stem[:120]
    taken.add("parse_summary.csv")
    name, k = f"{stem}.csv", 1
    while name.lower() in taken:
        k += 1
        name = f"{stem}-{k}.csv"
    taken.add(name.lower())
    return name


def parse_many(
    files: Sequence[Path],
    outdir: Path,
    *,
    format: str | None = None,
    force: bool = False,
    show_progress: bool = False,
) -> tuple[list[Path], int]:
    """Parse ``files`` one at a time into ``outdir`` (built atomically); return (failed, total).

    Each export is read, written as ``<stem>.csv`` and dropped before the next one, so memory does
    not grow with the number of files. ``parse_summary.csv`` lists file, format, rows, status,
    message and warnings; a failed file gets one ``assaykit: error:`` line on stderr.
    """
    import pandas as pd

    from assaykit.report.output import OutputFolder

    folder = OutputFolder(outdir, force=force)  # refuse an existing folder before any work
    summary: list[dict[str, Any]] = []
    failed: list[Path] = []
    taken: set[str] = set()
    with folder as out:
        for path in _progress(files, show_progress):
            record = _parse_into(path, out, taken, format)
            summary.append(record)
            if record["status"] != "ok":
                failed.append(path)
                typer.echo(f"assaykit: error: {record['message']}", err=True)
        out.write_csv(pd.DataFrame(summary, columns=_SUMMARY_COLUMNS), "parse_summary.csv")
    return failed, len(files)


_SUMMARY_COLUMNS = ["file", "format", "rows", "status", "output", "message", "warnings"]


def _parse_into(
    path: Path, out: OutputFolder, taken: set[str], format: str | None
) -> dict[str, Any]:
    import warnings

    from assaykit.errors import AssaykitError
    from assaykit.io import read_export

    record: dict[str, Any] = {
        "file": path.name,
        "format": "",
        "rows": 0,
        "status": "ok",
        "output": "",
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            df = read_export(path, format=format)
        except AssaykitError as err:
            record.update(status="error", message=" ".join(str(err).splitlines()))
            df = None
    record["warnings"] = "; ".join(dict.fromkeys(" ".join(str(w.message).split()) for w in caught))
    if df is not None:
        name = output_name(path, taken)
        out.write_csv(df, name)
        record.update(format=df.attrs.get("format", ""), rows=len(df), output=name, message="")
        del df
    return record


def _progress(files: Sequence[Path], show: bool) -> Iterator[Path]:
    if not show:
        yield from files
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("parsing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("parse", total=len(files))
        for f in files:
            yield f
            bar.advance(task)
