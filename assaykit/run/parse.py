"""``assaykit parse``: exports → tidy tables (one to a file or stdout, many into a folder)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.run._loop import Progress, each_file
from assaykit.run.inputs import check_input_file, source_names

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PARSE_SUMMARY_COLUMNS", "output_name", "parse_many", "parse_one"]

#: Columns of parse_summary.csv.
PARSE_SUMMARY_COLUMNS = ["file", "format", "rows", "status", "output", "message", "warnings"]
_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


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


def parse_one(
    export: Path, output: Path | None, *, format: str | None = None, force: bool = False
) -> pd.DataFrame:
    """Read one export; write it to ``output`` (.csv/.xlsx, atomically) when given."""
    from assaykit.io import read_export

    if output is not None and output.exists() and not force:
        from assaykit.errors import OutputError

        raise OutputError(f"{output} exists; use --force to replace it")  # before reading
    if output is not None:
        from assaykit.report._safety import check_target

        check_target(output, [export], kind="file")  # the export itself is never the output
    df = read_export(check_input_file(export), format=format)
    if output is not None:
        from assaykit.report.output import write_table

        write_table(df, output, force=force, inputs=[export])
    return df


def parse_many(
    files: Sequence[Path],
    outdir: Path,
    *,
    format: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> tuple[list[Path], pd.DataFrame]:
    """Parse ``files`` one at a time into ``outdir`` (built atomically); return (failed, summary).

    Each export is read, written as ``<stem>.csv`` and dropped before the next one, so memory does
    not grow with the number of files. ``parse_summary.csv`` lists file, format, rows, status,
    output, message and warnings of each.
    """
    from assaykit.io import read_export
    from assaykit.report.output import OutputFolder

    # refuse an unusable folder (or one holding an export) before any work
    folder = OutputFolder(outdir, force=force, inputs=files)
    taken: set[str] = set()
    with folder as out:

        def read_one(path: Path, source: str) -> tuple[None, dict[str, Any]]:
            df = read_export(check_input_file(path), format=format)
            name = output_name(path, taken)
            out.write_csv(df, name)
            return None, {"format": df.attrs.get("format", ""), "rows": len(df), "output": name}

        loop = each_file(
            files,
            source_names(files),
            read_one,
            columns=PARSE_SUMMARY_COLUMNS,
            keep_going=True,
            progress=progress,
            stage="parsing",
        )
        summary = loop.status.assign(rows=loop.status["rows"].replace("", 0))
        out.write_csv(summary, "parse_summary.csv")
    return loop.failed, summary
