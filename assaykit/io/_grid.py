"""Plate grids as written by most readers: a header of column numbers, then one row per row letter."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

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


def _increasing(nums: Sequence[int | None]) -> bool:
    """True for column numbers that rise strictly (no blank or text among them)."""
    ints = [n for n in nums if n is not None]
    return (
        bool(ints)
        and len(ints) == len(nums)
        and all(a < b for a, b in zip(ints, ints[1:], strict=False))
    )


def is_grid_header(
    cells: Sequence[object], first: int = 1, min_cols: int = 2, *, gaps: bool = False
) -> bool:
    """True when ``cells[first:]`` reads 1, 2, 3, … (at least ``min_cols`` columns).

    With ``gaps``, any increasing column numbers (``1, 2, 5, 6``: columns 3–4 absent) count, as
    long as the cell before them is not a row label (so a row of small whole numbers is not taken
    for a header).

    Examples
    --------
    >>> is_grid_header(["", "01", "02", "03"]), is_grid_header(["<>", 1.0, 2.0]), is_grid_header(["A", "x"])
    (True, True, False)
    >>> is_grid_header(["", "1", "2", "5"]), is_grid_header(["", "1", "2", "5"], gaps=True)
    (False, True)
    """
    nums = [_column_number(c) for c in cells[first:]]
    while nums and nums[-1] is None and (cells[first + len(nums) - 1] in ("", None)):
        nums.pop()
    if len(nums) < min_cols:
        return False
    if not gaps:
        return nums == list(range(1, len(nums) + 1))
    label = str(cells[first - 1]).strip() if first >= 1 and cells[first - 1] is not None else ""
    return not _ROW_RE.match(label) and _increasing(nums)


@dataclass
class Grid:
    """A parsed grid: cells as ``(row_i, col_j, token)`` (0-based) and the index after its last row."""

    cells: list[tuple[int, int, object]]
    n_rows: int
    n_cols: int
    end: int
    #: 0-based columns of the header, in order (``range(n_cols)`` unless read with ``gaps``).
    cols: list[int] = field(default_factory=list)


def read_grid(
    rows: Sequence[Sequence[object]],
    header: int,
    *,
    first: int = 1,
    line_offset: int = 1,
    gaps: bool = False,
) -> Grid:
    """Read the grid whose column-number header is ``rows[header]``.

    Row labels are in column ``first - 1``; values start at column ``first``. With ``gaps`` the
    header may skip columns (``1, 2, 5``); each value keeps the column its header names. The grid ends at the
    first row that does not start with a row label. Empty cells are returned as ``''`` so the
    caller decides (usually: an empty well, flagged, not a zero). ``line_offset`` converts
    indices into the 1-based line numbers used in error messages.
    """
    cols = [_column_number(c) for c in rows[header][first:]]
    while cols and cols[-1] is None:
        cols.pop()
    if gaps and _increasing(cols):
        pass
    elif not cols or cols != list(range(1, len(cols) + 1)):
        raise ParseError(
            "expected a grid header of column numbers 1, 2, 3, …", line=header + line_offset
        )
    header_cols = [int(c) - 1 for c in cols if c is not None]
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
        for j, v in zip(header_cols, values, strict=True):
            cells.append((i, j, "" if v is None else v))
        n_rows = max(n_rows, i + 1)
        k += 1
    if not cells:
        raise ParseError(
            "grid header is not followed by rows labelled A, B, C, …", line=header + 1 + line_offset
        )
    return Grid(cells, n_rows, n_cols, k, header_cols)
