"""Safe, bounded access to xlsx workbooks (openpyxl with defusedxml, zip-bomb limits)."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Any

from assaykit.errors import ParseError

__all__ = [
    "check_xlsx_container",
    "load_workbook_safely",
    "one_line",
    "sheet_preview",
    "sheet_rows",
]

#: Refuse workbooks whose XML parts would inflate beyond this (zip-bomb guard).
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
#: …or whose compression ratio of any member is beyond this.
MAX_COMPRESSION_RATIO = 200


def check_xlsx_container(path: Path) -> None:
    """Raise ParseError for a zip that is not a workbook or would inflate dangerously."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, NotImplementedError) as err:
        raise ParseError(
            "the file starts like an Excel workbook but is not a valid .xlsx (truncated or damaged?)",
            path=path,
        ) from err
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise ParseError("a zip archive but not an Excel .xlsx workbook", path=path)
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ParseError(
            f"workbook inflates to {total / 2**20:.0f} MiB, over the limit of "
            f"{MAX_UNCOMPRESSED_BYTES / 2**20:.0f} MiB (zip bomb?)",
            path=path,
        )
    for i in infos:
        if (
            i.compress_size > 0
            and i.file_size / i.compress_size > MAX_COMPRESSION_RATIO
            and i.file_size > 10e6
        ):
            raise ParseError(
                f"workbook member {i.filename} is compressed {i.file_size / i.compress_size:.0f}:1 "
                "(zip bomb?); refusing to open it",
                path=path,
            )
    _check_no_dtd(path, infos)


#: How much of each XML part is searched for a DTD (Excel never writes one; it comes first).
_DTD_SCAN_BYTES = 4096


def _check_no_dtd(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse XML parts declaring a DTD or entities ("billion laughs", external entities)."""
    try:
        with zipfile.ZipFile(path) as zf:
            for info in infos:
                if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                with zf.open(info) as fh:
                    head = fh.read(_DTD_SCAN_BYTES)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise ParseError(
                        f"workbook part {info.filename} declares a DTD or XML entities, which Excel "
                        "never writes (entity-expansion attack?); refusing to open it",
                        path=path,
                    )
    except ParseError:
        raise
    except (
        zipfile.BadZipFile,
        ValueError,
        EOFError,
        OSError,
        NotImplementedError,
        RuntimeError,
        zlib.error,
    ) as err:
        raise ParseError(
            f"workbook part cannot be decompressed ({one_line(err)}); truncated or damaged .xlsx?",
            path=path,
        ) from err


def one_line(text: object, limit: int = 300) -> str:
    """``text`` on one line (runs of white space collapsed), cut to ``limit`` characters."""
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def load_workbook_safely(path: Path, *, read_only: bool = True, data_only: bool = True) -> Any:
    """Open an xlsx with openpyxl after the container checks; errors become ParseError."""
    check_xlsx_container(path)
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=read_only, data_only=data_only)
    except Exception as err:  # openpyxl raises many types for damaged files
        raise ParseError(
            f"cannot open the workbook ({type(err).__name__}: {one_line(err)})", path=path
        ) from err


def sheet_rows(ws: Any, max_rows: int | None = None) -> list[list[object]]:
    """Rows of a worksheet as lists of cell values, trailing empty cells removed."""
    rows: list[list[object]] = []
    try:
        for k, row in enumerate(ws.iter_rows(values_only=True)):
            if max_rows is not None and k >= max_rows:
                break
            values = list(row)
            while values and (
                values[-1] is None or (isinstance(values[-1], str) and not values[-1].strip())
            ):
                values.pop()
            rows.append(values)
    except Exception as err:  # read-only sheets parse lazily: damaged XML surfaces here
        raise ParseError(
            f"sheet {getattr(ws, 'title', '?')!r} cannot be read after row {len(rows)} "
            f"({type(err).__name__}: {one_line(err)}); truncated or damaged workbook?"
        ) from err
    return rows


def sheet_preview(path: Path, max_rows: int = 40) -> dict[str, list[list[object]]]:
    """First ``max_rows`` rows of every sheet, for sniffing."""
    wb = load_workbook_safely(path)
    try:
        return {ws.title: sheet_rows(ws, max_rows) for ws in wb.worksheets}
    except ParseError as err:
        raise err.with_context(path=path) from None
    finally:
        wb.close()
