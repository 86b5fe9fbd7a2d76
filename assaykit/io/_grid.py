"""Plate grids as written by most readers: a header of column numbers, then one row per row letter."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assaykit.errors import ParseError
from assaykit.plate import row_index

__all__ = ["Grid", "is_grid_header", "read_grid"]

_ROW_RE = re.compile(r"^(?:[A-Z]|A[A-F]|[a-f])$")


def _column_number(cell: object) -> int | None:
    """1-based column number of a header cell ('01', '1', '1.0', 1, 1.0), else None."""
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, int):
        return cell if cell > 0 else None
    if isinstance(cell, float):
        return int(cell) if cell.is_integer() and cell > 0 else None
    s = str(cell).strip()
    m = re.fullmatch(r"0*(\d{1,2})(?:\.0+)?", s)
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None


def is_grid_header(cells: Sequence[object], first: int = 1, min_cols: int = 2) -> bool:
    """True when ``cells[first:]`` reads 1, 2, 3, … (at least ``min_cols`` columns).

    Examples
    --------
    >>> is_grid_header(["", "01", "02", "03"]), is_grid_header(["<>", 1.0, 2.0]), is_grid_header(["A", "x"])
    (True, True, False)
    """
    nums = [_column_number(c) for c in cells[first:]]
    while nums and nums[-1] is None and (cells[first + len(nums) - 1] in ("", None)):
        nums.pop()
    return len(nums) >= min_cols and nums == list(range(1, len(nums) + 1))


@dataclass
class Grid:
    """A parsed grid: cells as ``(row_i, col_j, token)`` (0-based) and the index after its last row."""

    cells: list[tuple[int, int, object]]
    n_rows: int
    n_cols: int
    end: int


def read_grid(
    rows: Sequence[Sequence[object]], header: int, *, first: int = 1, line_offset: int = 1
) -> Grid:
    """Read the grid whose column-number header is ``rows[header]``.

    Row labels are in column ``first - 1``; values start at column ``first``. The grid ends at the
    first row that does not start with a row label. Empty cells are returned as ``''`` so the
    caller decides (usually: an empty well, flagged, not a zero). ``line_offset`` converts
    indices into the 1-based line numbers used in error messages.
    """
    cols = [_column_number(c) for c in rows[header][first:]]
    while cols and cols[-1] is None:
        cols.pop()
    if not cols or cols != list(range(1, len(cols) + 1)):
        raise ParseError(
            "expected a grid header of column numbers 1, 2, 3, …", line=header + line_offset
        )
    n_cols = len(cols)
    cells: list[tuple[int, int, object]] = []
    k = header + 1
    n_rows = 0
    while k < len(rows):
        row = rows[k]
        label = (
            str(row[first - 1]).strip() if len(row) >= first and row[first - 1] is not None else ""
        )
        if not _ROW_RE.match(label):
            break
        i = row_index(label)
        values = list(row[first : first + n_cols])
        if len(row) > first + n_cols and any(
            str(v).strip() for v in row[first + n_cols :] if v is not None
        ):
            # something beyond the grid width: tolerated only as a trailing label (Gen5 data-set names)
            pass
        values += [""] * (n_cols - len(values))
        for j, v in enumerate(values):
            cells.append((i, j, "" if v is None else v))
        n_rows = max(n_rows, i + 1)
        k += 1
    if not cells:
        raise ParseError(
            "grid header is not followed by rows labelled A, B, C, …", line=header + 1 + line_offset
        )
    return Grid(cells, n_rows, n_cols, k)
