"""Helpers shared by the xlsx plate-reader readers: whole-sheet reading, cell names, strict values."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assaykit.errors import ParseError
from assaykit.io._excel import load_workbook_safely, sheet_rows
from assaykit.io._text import parse_value

if TYPE_CHECKING:
    from assaykit.io._grid import Grid

__all__ = [
    "cell_name",
    "grid_at",
    "header_width",
    "is_blank",
    "location",
    "parse_cell",
    "read_sheets",
    "text_of",
    "wells_in_ranges",
]

#: Column letters are computed rather than imported so that this module stays import-light.
_A = ord("A")


def _column_letter(j: int) -> str:
    """Excel column letters of 0-based column index ``j`` (``0 → 'A'``, ``26 → 'AA'``)."""
    letters = ""
    n = j + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(_A + rem) + letters
    return letters


def cell_name(k: int, j: int) -> str:
    """Excel name of the cell at 0-based row ``k`` and column ``j``.

    Examples
    --------
    >>> cell_name(0, 0), cell_name(11, 2), cell_name(16, 26)
    ('A1', 'C12', 'AA17')
    """
    return f"{_column_letter(j)}{k + 1}"


def location(sheet: str, k: int, j: int | None = None) -> str:
    """Location text for an error: ``sheet 'X', cell C12`` (or ``row 12`` without a column).

    Examples
    --------
    >>> location("Result sheet", 11, 2)
    "sheet 'Result sheet', cell C12"
    >>> location("Result sheet", 11)
    "sheet 'Result sheet', row 12"
    """
    if j is None:
        return f"sheet '{sheet}', row {k + 1}"
    return f"sheet '{sheet}', cell {cell_name(k, j)}"


def text_of(value: object) -> str:
    """A cell's value as stripped text ('' for an empty cell).

    Examples
    --------
    >>> text_of(None), text_of("  Plate 1 "), text_of(2.0)
    ('', 'Plate 1', '2.0')
    """
    if value is None:
        return ""
    return str(value).strip()


def is_blank(value: object) -> bool:
    """True for an empty cell: None, '' or white space only."""
    return value is None or (isinstance(value, str) and not value.strip())


def read_sheets(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet of a workbook as rows of cell values (row ``k`` is Excel row ``k + 1``).

    Trailing empty cells and trailing empty rows are removed. The workbook is opened through
    :func:`assaykit.io._excel.load_workbook_safely` (container checks, read-only).
    """
    wb = load_workbook_safely(path)
    try:
        sheets: dict[str, list[list[object]]] = {}
        for ws in wb.worksheets:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # some writers store a wrong <dimension>; read what is there
            try:
                rows = sheet_rows(ws)
            except Exception as err:  # damaged sheet XML surfaces here, not at opening
                raise ParseError(
                    f"sheet '{ws.title}' cannot be read ({type(err).__name__}: {err}); "
                    "is the workbook damaged?"
                ) from err
            while rows and not rows[-1]:
                rows.pop()
            sheets[ws.title] = rows
        return sheets
    finally:
        wb.close()


def parse_cell(
    value: object, sheet: str, k: int, j: int, *, extra_markers: Mapping[str, str] | None = None
) -> tuple[float, str, str]:
    """A value cell as ``(value, flag, raw)``; text that is neither a number nor a marker is an error.

    Markers (:data:`assaykit.io._text.MARKERS` plus ``extra_markers``) become NaN with a flag and
    keep their original text in ``raw``.

    Raises
    ------
    ParseError
        Naming the sheet and cell, the text found and what was expected.

    Examples
    --------
    >>> parse_cell(0.25, "S", 3, 1)
    (0.25, '', '')
    >>> parse_cell("OVER", "S", 3, 1)
    (nan, 'overflow', 'OVER')
    >>> parse_cell("abc", "S", 3, 1)
    Traceback (most recent call last):
    ...
    assaykit.errors.ParseError: sheet 'S', cell B4: expected a number or an instrument marker (e.g. OVER, NaN), got 'abc'
    """
    if isinstance(value, str) and extra_markers:
        key = value.strip().lower()
        if key in extra_markers:
            return math.nan, extra_markers[key], value.strip()
    x, flag = parse_value(value)
    if flag == "not_a_number":
        raise ParseError(
            f"expected a number or an instrument marker (e.g. OVER, NaN), got {text_of(value)!r}",
            location=location(sheet, k, j),
        )
    raw = "" if not flag or value is None else str(value).strip()
    return x, flag, raw


_RANGE_RE = re.compile(r"^([A-Za-z]{1,2})\s*(\d{1,3})(?:\s*-\s*([A-Za-z]{1,2})\s*(\d{1,3}))?$")


def wells_in_ranges(spec: str) -> set[tuple[int, int]]:
    """0-based (row, column) indices of the wells named by ``'C11-C15;D11-D14'`` (rectangles).

    Returns an empty set when the text is not such a list (the caller then trusts the grid).

    Examples
    --------
    >>> sorted(wells_in_ranges("A1-B2"))
    [(0, 0), (0, 1), (1, 0), (1, 1)]
    >>> len(wells_in_ranges("C11-C15;D11-D14")), wells_in_ranges("whole plate")
    (9, set())
    """
    from assaykit.plate import ij_from_well

    wells: set[tuple[int, int]] = set()
    for part in re.split(r"[;,]", spec):
        part = part.strip()
        if not part:
            continue
        m = _RANGE_RE.match(part)
        if not m:
            return set()
        try:
            i0, j0 = ij_from_well(m.group(1) + m.group(2))
            i1, j1 = ij_from_well((m.group(3) or m.group(1)) + (m.group(4) or m.group(2)))
        except ValueError:
            return set()
        for i in range(min(i0, i1), max(i0, i1) + 1):
            for j in range(min(j0, j1), max(j0, j1) + 1):
                wells.add((i, j))
    return wells


def header_width(row: Sequence[object]) -> int:
    """How many cells after the first read 1, 2, 3, … without a gap (0 when not a grid header).

    Cells beyond the run are ignored, so notes typed beside a grid do not hide it.

    Examples
    --------
    >>> header_width(["Abs", 1.0, 2.0, 3.0, None, 67.8]), header_width(["<>", "1", "2"]), header_width(["A", 5])
    (3, 2, 0)
    """
    from assaykit.io._grid import _column_number

    n = 0
    for cell in row[1:]:
        if _column_number(cell) != n + 1:
            break
        n += 1
    return n


def grid_at(sheet: str, rows: Sequence[Sequence[object]], k: int) -> tuple[Grid, dict[int, int]]:
    """The plate grid whose column-number header is row ``k`` (row labels in column A).

    Returns the grid (cells as 0-based ``(row, column, value)``) and, for each plate row, the
    index of the sheet row holding it (for error locations).

    Raises
    ------
    ParseError
        The header is not followed by rows labelled A, B, C, … (names the sheet and row).
    """
    from assaykit.io._grid import read_grid
    from assaykit.plate import row_index

    n = header_width(rows[k])
    trimmed = list(rows)
    trimmed[k] = list(rows[k][: n + 1])
    try:
        grid = read_grid(trimmed, k)
    except ParseError as err:
        raise ParseError(err.message, location=location(sheet, k + 1 if n else k, 0)) from None
    sheet_row = {row_index(text_of(rows[kk][0])): kk for kk in range(k + 1, grid.end)}
    return grid, sheet_row
