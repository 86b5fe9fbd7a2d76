"""Read instrument exports into one tidy table.

:func:`read_export` detects the format from the file's content and returns

- for plate readers: ``plate, well, row, col, read, value, unit, flag`` (+ ``time_s`` for kinetic reads);
- for counters: ``rack, position, sample, counts, count_time_s, cpm, measured_at, isotope, flag``;

with instrument metadata in ``df.attrs``. Values an instrument marks as overflow, saturated or
undefined become NaN with a ``flag``; they are never a number.
"""

from __future__ import annotations

import importlib
import zipfile
import zlib
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from assaykit.errors import AssaykitError, ParseError, UnsupportedFormatError
from assaykit.io._checks import DuplicatePolicy, check_counter_table
from assaykit.io._files import InputLog, hash_input, require_regular_file
from assaykit.io._registry import READERS, SNIFF_BYTES, FileSample, Reader, register

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "READERS",
    "InputLog",
    "detect_format",
    "hash_input",
    "known_formats",
    "read_export",
    "register",
    "require_regular_file",
]

#: Modules that register readers; imported on first use so that ``import assaykit.io`` stays cheap.
_READER_MODULES: tuple[str, ...] = (
    "assaykit.io.envision",
    "assaykit.io.kaleido",
    "assaykit.io.bmg_mars",
    "assaykit.io.bmg_smart_control",
    "assaykit.io.gen5",
    "assaykit.io.softmax",
    "assaykit.io.tecan",
    "assaykit.io.skanit",
    "assaykit.io.multiskan_text",
    "assaykit.io.microbeta",
    "assaykit.io.wizard2",
    "assaykit.io.hidex",
    "assaykit.io.prism_pzfx",
    "assaykit.io.generic",
)


def _load_readers() -> dict[str, Reader]:
    for name in _READER_MODULES:
        # a reader module that is missing is a broken installation: fail loudly, never skip it
        importlib.import_module(name)
    return READERS


def known_formats() -> list[str]:
    """Names of every format :func:`read_export` can read, sorted.

    Examples
    --------
    >>> "wizard2" in known_formats()
    True
    """
    return sorted(_load_readers())


def _resolve_format(name: str) -> Reader:
    readers = _load_readers()
    key = name.strip().lower()
    for reader in readers.values():
        if key == reader.name or key in reader.aliases:
            return reader
    raise UnsupportedFormatError(
        f"unknown format {name!r}; known formats: {', '.join(sorted(readers))}"
    )


def detect_format(path: str | PathLike[str]) -> str:
    """Name of the format of ``path``, found from its content."""
    p = Path(path)
    sample = _sample(p)
    for reader in sorted(_load_readers().values(), key=lambda r: (r.priority, r.name)):
        if reader.sniff(sample):
            return reader.name
    if not sample.is_zip:
        from assaykit.io._text import decode_bytes

        decode_bytes(sample.head, path=p, partial=True)  # a binary file gets its own message
    else:
        try:
            _explain_unread_workbook(p)
        except AssaykitError as err:
            raise err.with_context(path=p) from None
    raise UnsupportedFormatError(
        "not a format assaykit recognises; known formats: "
        + ", ".join(sorted(_load_readers()))
        + " (name one with --format, or use the generic plate-grid or tube-table layout)",
        path=p,
    )


def _explain_unread_workbook(p: Path) -> None:
    """Raise the most useful error for a zip no reader claimed: damage, no data, or a template."""
    from assaykit.io._xlsx import (
        check_xlsx_container,
        hidden_sheet_names,
        load_workbook_safely,
        sheet_preview,
    )

    check_xlsx_container(p)
    sheets = sheet_preview(p)  # a damaged workbook raises its ParseError here
    if not any(
        any(v is not None and str(v).strip() for v in row)
        for rows in sheets.values()
        for row in rows
    ):
        wb = load_workbook_safely(p)
        try:
            hidden = hidden_sheet_names(wb)
        finally:
            wb.close()
        if hidden:
            raise ParseError(
                "every visible sheet of the workbook is empty; the hidden sheet(s) "
                f"{', '.join(repr(h) for h in hidden)} are never read: make the sheet to analyse "
                "visible in Excel",
                path=p,
            )
        raise ParseError(
            "every sheet of the workbook is empty; expected an instrument export", path=p
        )
    if "Experiment" in sheets and ("Tubes" in sheets or "Wells" in sheets):
        raise UnsupportedFormatError(
            "this is an assaykit template (a layout), not an instrument export; give it with --layout",
            path=p,
        )


def _sample(p: Path) -> FileSample:
    require_regular_file(p, what="export")  # before opening: a FIFO would block open()
    try:
        with p.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as err:
        raise ParseError(f"cannot read the file ({err.strerror})", path=p) from err
    if not head.strip():
        raise ParseError("the file is empty", path=p)
    return FileSample(p, head)


def read_export(
    path: str | PathLike[str],
    format: str | None = None,
    *,
    log: InputLog | None = None,
    duplicates: DuplicatePolicy | Literal["keep"] = "error",
) -> pd.DataFrame:
    """Read an instrument export into the tidy table.

    Parameters
    ----------
    path
        The export file (text or .xlsx). It is only read, never changed.
    format
        A name from :func:`known_formats` to skip detection.
    log
        An :class:`InputLog`: the file's SHA-256 is recorded (role ``"export"``) as it is read,
        for provenance and the end-of-run check that it did not change.
    duplicates
        A counter tube (rack, position, nuclide) counted more than once: ``"error"`` (default,
        naming the tube and lines), or keep the ``"first"``, the ``"last"`` or the ``"mean"`` of
        the counts (recounts are real; say which one the analysis should use); ``"keep"``: every
        count stays a row, for an analysis that resolves recounts itself (biodistribution).

    Returns
    -------
    pandas.DataFrame
        Plate readers: ``plate, well, row, col, read, value, unit, flag`` (+ ``time_s``).
        Counters: ``rack, position, sample, counts, count_time_s, cpm, measured_at, isotope, flag``.
        ``df.attrs`` holds ``format``, ``source`` and the instrument metadata found.

    Raises
    ------
    UnsupportedFormatError
        No reader recognises the file (the message lists the known formats).
    ParseError
        The file is recognised but malformed (the message names the line or cell).
    """
    p = Path(path)
    if format:
        reader = _resolve_format(format)
        _sample(p)  # regular file, existence and emptiness checks with the file's name
    else:
        reader = _resolve_format(detect_format(p))
    if log is not None:
        log.record("export", p)
    try:
        df = reader.read(p)
        if reader.kind == "counter":
            df = check_counter_table(df, duplicates=duplicates)
    except AssaykitError as err:
        raise err.with_context(path=p) from None
    except (
        UnicodeDecodeError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        SyntaxError,  # xml.etree ParseError from a damaged workbook part
        EOFError,
        zipfile.BadZipFile,
        zlib.error,
    ) as err:
        from assaykit.io._xlsx import one_line

        raise ParseError(
            f"cannot read as {reader.name} ({type(err).__name__}: {one_line(err)})", path=p
        ) from err
    df.attrs["format"] = reader.name
    df.attrs["source"] = p.name
    df.attrs.setdefault("kind", reader.kind)
    return df
