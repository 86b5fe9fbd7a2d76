"""Wells that a labelled plate grid leaves out: find them, record them, report them.

A grid with row labels (``A``, ``B`` … ``a``–``f``) and a header of column numbers says where every
value belongs, even when some rows or columns are not written (a 1536-well export holding only
rows A, G, M, S, Y, e; an EnVision grid of rows A, E, I, M). Every labelled-grid reader therefore
reads what is there and reports the rest the same way:

- when the header is as wide as a standard plate, the plate is the smallest standard plate
  (:data:`assaykit.plate.PLATE_SHAPES`) holding the last row label and column, and each of its
  wells outside the grid's rows becomes a row of the table with value NaN and flag ``absent``
  (never a number, never silently dropped); a header of another width is a window of an unknown
  plate, and only the rows missing between its first and last row are absent;
- ``df.attrs["absent"]`` lists, per grid, its line (or cell), plate, read and the absent rows and
  columns; ``df.attrs["warnings"]`` and one :class:`~assaykit.errors.DataQualityWarning` per file
  say the same in words.

Two cases stay errors: a row label seen twice or out of order (the reader names the line), and a
grid that ends the file after a gap-free run of rows A, B, C … that stops before the plate's last
row, which is what a file cut off at a line break looks like (:func:`check_not_cut_off`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from assaykit.errors import DataQualityWarning, ParseError
from assaykit.plate import PLATE_SHAPES, row_label

if TYPE_CHECKING:
    from assaykit.io._grid import Grid

__all__ = [
    "ABSENT",
    "absent_records",
    "check_not_cut_off",
    "check_order",
    "grid_absent",
    "sheet_row_where",
    "describe",
    "plate_shape",
    "publish_absent",
]

#: Flag of a well of the plate that the export's grid does not contain.
ABSENT = "absent"
#: Header widths that name a standard plate.
_WIDTHS = frozenset(cols for _, cols in PLATE_SHAPES.values())


def plate_shape(n_rows: int, n_cols: int) -> tuple[int, int] | None:
    """(rows, columns) of the smallest standard plate with at least ``n_rows`` × ``n_cols``.

    Examples
    --------
    >>> plate_shape(8, 12), plate_shape(31, 48), plate_shape(4, 6), plate_shape(5, 12)
    ((8, 12), (32, 48), (4, 6), (8, 12))
    >>> plate_shape(33, 48) is None
    True
    """
    fits = [rc for rc in PLATE_SHAPES.values() if rc[0] >= n_rows and rc[1] >= n_cols]
    return min(fits, key=lambda rc: rc[0] * rc[1]) if fits else None


def _runs(indices: Sequence[int], name: Any) -> str:
    parts: list[str] = []
    k = 0
    while k < len(indices):
        m = k
        while m + 1 < len(indices) and indices[m + 1] == indices[m] + 1:
            m += 1
        a, b = name(indices[k]), name(indices[m])
        parts.append(a if k == m else f"{a}–{b}")
        k = m + 1
    return ", ".join(parts)


def describe(rows: Sequence[int], cols: Sequence[int]) -> str:
    """Words for absent row and column indices (0-based), runs joined with an en dash.

    Examples
    --------
    >>> describe([1, 2, 3, 5], [])
    'rows B–D, F'
    >>> describe([], [10, 11])
    'columns 11–12'
    >>> describe([26], [0])
    'row AA, column 1'
    """
    out = []
    if rows:
        out.append(("row " if len(rows) == 1 else "rows ") + _runs(rows, row_label))
    if cols:
        out.append(
            ("column " if len(cols) == 1 else "columns ") + _runs(cols, lambda j: str(j + 1))
        )
    return ", ".join(out)


def absent_records(
    rows_present: Iterable[int], cols_present: Iterable[int], **fields: Any
) -> tuple[list[dict[str, Any]], list[int], list[int]]:
    """Records (flag ``absent``, value NaN) for the wells a grid leaves out.

    ``cols_present`` are the header's columns (0-based). When the header is as wide as a standard
    plate (3, 4, 6, 8, 12, 24 or 48 columns) the plate is known (:func:`plate_shape` of the last
    row and column) and every well of it outside the grid is absent. A grid of another width (a
    Gen5 table of the wells read, a header cut at column 10) is a window of a plate whose size
    the grid does not say: only the rows missing between its first and last row are absent, in
    the header's columns. ``fields`` are copied into every record (``plate``, ``read``, ``unit``
    …). Returns the records and the absent row and column indices (0-based, sorted).

    Examples
    --------
    >>> recs, rows, cols = absent_records([0, 1, 2, 3, 5, 6, 7], range(12), plate=1, read="450")
    >>> len(recs), rows, cols, recs[0]["row_i"], recs[0]["col_j"], recs[0]["flag"]
    (12, [4], [], 4, 0, 'absent')
    >>> absent_records([0, 1, 2], range(12))[1]  # a 12-column header: a 96-well plate
    [3, 4, 5, 6, 7]
    >>> absent_records([0, 2], range(2))[1:]  # 2 columns: a window, only the gap is known
    ([1], [])
    """
    rows_in = sorted(set(rows_present))
    cols_in = sorted(set(cols_present))
    if not rows_in or not cols_in:
        return [], [], []
    shape = plate_shape(rows_in[-1] + 1, cols_in[-1] + 1)
    if shape is None:
        return [], [], []
    if cols_in[-1] + 1 in _WIDTHS:
        all_rows, all_cols = range(shape[0]), range(shape[1])
    else:
        all_rows, all_cols = range(rows_in[0], rows_in[-1] + 1), range(0)
    seen_rows, seen_cols = set(rows_in), set(cols_in)
    rows_out = [i for i in all_rows if i not in seen_rows]
    cols_out = [j for j in all_cols if j not in seen_cols]
    records = [
        {**fields, "row_i": i, "col_j": j, "value": math.nan, "flag": ABSENT}
        for i in sorted(seen_rows | set(rows_out))
        for j in sorted(seen_cols | set(cols_out))
        if i in rows_out or j in cols_out
    ]
    return records, rows_out, cols_out


def check_not_cut_off(
    row_order: Sequence[int], n_cols: int, *, at_end: bool, what: str, line: int
) -> None:
    """Refuse a grid that ends the file after rows A, B, C … without a gap, short of the plate's
    last row: the signature of a file cut off at a line break (``line`` is the grid's last line).

    Examples
    --------
    >>> check_not_cut_off([0, 6, 12], 48, at_end=True, what="grid", line=9)  # a selection: fine
    >>> check_not_cut_off([0, 1, 2], 12, at_end=True, what="grid", line=5)
    Traceback (most recent call last):
    ...
    assaykit.errors.ParseError: line 5: grid: the grid stops after row C but 12 columns mean a 96-well plate with rows A–H (is the file cut off?)
    """
    if not at_end or not row_order or list(row_order) != list(range(len(row_order))):
        return
    shape = plate_shape(len(row_order), n_cols)
    if shape is None or len(row_order) >= shape[0]:
        return
    raise ParseError(
        f"{what}: the grid stops after row {row_label(len(row_order) - 1)} but {n_cols} columns "
        f"mean a {shape[0] * shape[1]}-well plate with rows A–{row_label(shape[0] - 1)} "
        "(is the file cut off?)",
        line=line,
    )


def check_order(
    row_order: Sequence[int], *, what: str, where: Callable[[int], Mapping[str, Any]]
) -> None:
    """Row labels in order, each once; else ParseError at ``where(k)`` (``k``: the row's position).

    Examples
    --------
    >>> check_order([0, 2, 2], what="grid", where=lambda k: {"line": 10 + k})
    Traceback (most recent call last):
    ...
    assaykit.errors.ParseError: line 12: grid: row C follows row C; expected rows in order A, B, C, … each once
    """
    for k in range(1, len(row_order)):
        if row_order[k] <= row_order[k - 1]:
            raise ParseError(
                f"{what}: row {row_label(row_order[k])} follows row {row_label(row_order[k - 1])}; "
                "expected rows in order A, B, C, … each once",
                **where(k),
            )


def grid_absent(
    grid: Grid,
    *,
    what: str,
    where: str,
    notes: list[dict[str, Any]],
    row_where: Callable[[int], Mapping[str, Any]],
    **fields: Any,
) -> list[dict[str, Any]]:
    """Check a parsed grid's row labels and return its ``absent`` records (a note when any).

    For readers that parse with :func:`assaykit.io._grid.read_grid` (the xlsx readers): ``where``
    names the grid in the report (``"sheet 'X', cell A12"``), ``row_where(k)`` gives the error
    location of the grid's ``k``-th row.
    """
    n = grid.n_cols
    order = [grid.cells[m * n][0] for m in range(len(grid.cells) // n)] if n else []
    check_order(order, what=what, where=row_where)
    records, rows, cols = absent_records(order, grid.cols or range(n), **fields)
    if records:
        notes.append({"where": where, "what": what, "rows": rows, "cols": cols})
    return records


def sheet_row_where(sheet: str, header: int) -> Callable[[int], dict[str, Any]]:
    """``row_where`` for a grid whose header is row ``header`` (0-based) of worksheet ``sheet``.

    Examples
    --------
    >>> sheet_row_where("Result sheet", 10)(2)
    {'location': "sheet 'Result sheet', cell A14"}
    """
    from assaykit.io._xlsx import location

    def where(m: int) -> dict[str, Any]:
        return {"location": location(sheet, header + 1 + m, 0)}

    return where


def publish_absent(attrs: dict[str, Any], notes: Sequence[Mapping[str, Any]]) -> None:
    """Record the absent wells of a file in ``attrs`` and issue one DataQualityWarning.

    Each note has ``where`` (``"line 12"`` or a cell), ``what`` (the grid: plate and read),
    ``rows`` and ``cols`` (0-based absent indices). Call it once the whole file has been read.
    """
    if not notes:
        return
    attrs["absent"] = [
        {
            "where": n["where"],
            "grid": n["what"],
            "rows": [row_label(i) for i in n["rows"]],
            "cols": [j + 1 for j in n["cols"]],
        }
        for n in notes
    ]
    parts = [f"{n['what']} ({n['where']}): {describe(n['rows'], n['cols'])}" for n in notes]
    message = "wells absent from the export, read as NaN with flag 'absent': " + "; ".join(parts)
    attrs["warnings"] = [*attrs.get("warnings", []), message]
    warnings.warn(message, DataQualityWarning, stacklevel=3)
