"""Safe, bounded access to xlsx workbooks: the one module of assaykit's xlsx helpers.

- the container is checked before openpyxl sees it (zip bombs, DTDs/entities, not a workbook);
- sheets are read from the cells that exist, never from the declared ``<dimension>`` range:
  memory and time follow the data, so a stray cell at ``XFD1048576`` cannot make a 16 KB file
  build a 1M × 16k grid; a cell far outside the data is named in an error instead;
- hidden and very hidden sheets are never read silently: :func:`read_sheets` reads the visible
  sheets and names the hidden ones in ``hidden``; a workbook whose data is only in hidden sheets
  is an error naming them;
- a formula cell without a saved result reads as empty in every spreadsheet library: it is
  reported (an error naming the cells), never dropped silently;
- cell names, locations and strict value parsing shared by the xlsx plate-reader readers.
"""

from __future__ import annotations

import math
import re
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import ParseError
from assaykit.io._text import parse_value

if TYPE_CHECKING:
    from assaykit.io._grid import Grid

__all__ = [
    "SheetCells",
    "cell_name",
    "check_xlsx_container",
    "checked_rows",
    "hidden_sheet_names",
    "column_letter",
    "grid_at",
    "header_width",
    "is_blank",
    "load_workbook_safely",
    "location",
    "one_line",
    "parse_cell",
    "read_sheets",
    "sheet_cells",
    "sheet_preview",
    "sheet_rows",
    "text_of",
    "visible_worksheets",
    "wells_in_ranges",
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


#: Empty rows (or, in a row, empty columns) after which a cell is "far outside the data".
MAX_GAP = 10_000


@dataclass
class SheetCells:
    """The cells of one sheet that hold a value, read without the declared dimension.

    ``cells`` maps 1-based ``(row, column)`` to the value; ``formulas_without_value`` lists the
    names of formula cells with no saved result (they read as empty).
    """

    title: str
    state: str = "visible"
    cells: dict[tuple[int, int], object] = field(default_factory=dict)
    formulas_without_value: list[str] = field(default_factory=list)

    def rows(self) -> list[list[object]]:
        """Dense rows (row ``k`` is Excel row ``k + 1``), trailing empty cells and rows removed.

        A cell more than :data:`MAX_GAP` empty rows below the data above it, or columns right of
        its row's other cells, is a ParseError naming it (memory stays bounded by the data).
        """
        by_row: dict[int, dict[int, object]] = {}
        for (r, c), v in self.cells.items():
            by_row.setdefault(r, {})[c] = v
        out: list[list[object]] = []
        last = 0
        for r in sorted(by_row):
            cols = by_row[r]
            if r - last > MAX_GAP and last:
                self._far(r, min(cols), f"{r - last - 1} empty rows below row {last}")
            if r - last > MAX_GAP and not last:
                self._far(r, min(cols), f"{r - 1} empty rows above it")
            prev = 0
            for c in sorted(cols):
                if c - prev > MAX_GAP:
                    self._far(r, c, f"{c - prev - 1} empty columns left of it")
                prev = c
            out.extend([] for _ in range(r - 1 - len(out)))
            row: list[object] = [None] * max(cols)
            for c, v in cols.items():
                row[c - 1] = v
            out.append(row)
            last = r
        return out

    def _far(self, r: int, c: int, why: str) -> None:
        raise ParseError(
            f"cell {cell_name(r - 1, c - 1)} holds {one_line(self.cells[(r, c)], 40)!r} with "
            f"{why}; an export never has data that far out; delete that cell or copy the data "
            "into a new workbook",
            location=f"sheet '{self.title}'",
        )


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def sheet_cells(ws: Any, max_rows: int | None = None) -> SheetCells:
    """The non-empty cells of ``ws`` (read-only or normal openpyxl sheet), bounded by the data."""
    out = SheetCells(str(getattr(ws, "title", "?")), str(getattr(ws, "sheet_state", "visible")))
    try:
        if hasattr(ws, "_get_source"):  # read-only: parse the sheet XML, cells as they come
            _parse_read_only(ws, out, max_rows)
        else:
            for (r, c), cell in ws._cells.items():
                if max_rows is not None and r > max_rows:
                    continue
                v = cell.value
                if not _blank(v):
                    out.cells[(r, c)] = v
    except ParseError:
        raise
    except Exception as err:  # read-only sheets parse lazily: damaged XML surfaces here
        raise ParseError(
            f"sheet {out.title!r} cannot be read after {len(out.cells)} cells "
            f"({type(err).__name__}: {one_line(err)}); truncated or damaged workbook?"
        ) from err
    return out


def _parse_read_only(ws: Any, out: SheetCells, max_rows: int | None) -> None:
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    missing = out.formulas_without_value

    class _Parser(WorkSheetParser):
        def parse_cell(self, element: Any) -> dict[str, Any]:
            cell: dict[str, Any] = super().parse_cell(element)
            if (
                element.find(FORMULA_TAG) is not None
                and element.findtext(VALUE_TAG, None) in (None, "")
                and element.get("t") != "inlineStr"
            ):
                missing.append(cell_name(cell["row"] - 1, cell["column"] - 1))
            return cell

    wb = ws.parent
    with ws._get_source() as src:
        parser = _Parser(
            src,
            ws._shared_strings,
            data_only=wb.data_only,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        for idx, row in parser.parse():
            if max_rows is not None and idx > max_rows:
                break
            for cell in row:
                v = cell["value"]
                if not _blank(v):
                    out.cells[(cell["row"], cell["column"])] = v


def checked_rows(ws: Any) -> list[list[object]]:
    """:func:`sheet_rows` of a whole sheet; formula cells without a saved result are an error.

    Such a cell reads as empty (openpyxl, pandas and every other library read the saved result),
    so a sheet of formulas written by a script and never opened in Excel would lose its wells
    silently.
    """
    cells = sheet_cells(ws)
    if cells.formulas_without_value:
        shown = ", ".join(cells.formulas_without_value[:5])
        n = len(cells.formulas_without_value)
        raise ParseError(
            f"{n} cell(s) hold a formula without a saved result ({shown}"
            f"{', ...' if n > 5 else ''}); they would read as empty; open and save the "
            "file in Excel so the results are stored, or export the values",
            location=f"sheet '{cells.title}'",
        )
    return cells.rows()


def sheet_rows(ws: Any, max_rows: int | None = None) -> list[list[object]]:
    """Rows of a worksheet as lists of cell values, trailing empty cells removed (bounded)."""
    return sheet_cells(ws, max_rows).rows()


def visible_worksheets(wb: Any, path: Path | None = None) -> list[Any]:
    """The visible sheets of ``wb``; a ParseError naming the sheets when none is visible."""
    shown = [ws for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    if not shown and wb.worksheets:
        names = ", ".join(f"{ws.title!r} ({ws.sheet_state})" for ws in wb.worksheets)
        raise ParseError(
            f"every sheet of the workbook is hidden: {names}; make the sheet to analyse visible "
            "in Excel (assaykit never reads hidden sheets silently)",
            path=path,
        )
    return shown


def hidden_sheet_names(wb: Any) -> list[str]:
    """Titles of the hidden and very hidden sheets of ``wb``."""
    return [ws.title for ws in wb.worksheets if getattr(ws, "sheet_state", "visible") != "visible"]


def sheet_preview(path: Path, max_rows: int = 40) -> dict[str, list[list[object]]]:
    """First ``max_rows`` rows of every visible sheet, for sniffing."""
    wb = load_workbook_safely(path)
    try:
        return {ws.title: sheet_rows(ws, max_rows) for ws in visible_worksheets(wb, path)}
    except ParseError as err:
        raise err.with_context(path=path) from None
    finally:
        wb.close()


_A = ord("A")


def column_letter(j: int) -> str:
    """Column letters of 0-based column ``j`` (``0 → 'A'``, ``26 → 'AA'``), beyond XFD too.

    Text tables may have more columns than Excel (18,278 = ZZZ): the letters simply go on.

    Examples
    --------
    >>> column_letter(0), column_letter(26), column_letter(18277), column_letter(18278)
    ('A', 'AA', 'ZZZ', 'AAAA')
    """
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
    return f"{column_letter(j)}{k + 1}"


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
    """Every visible sheet of a workbook as rows of cell values (row ``k`` is Excel row ``k + 1``).

    Trailing empty cells and rows are removed. Hidden and very hidden sheets are not read (an
    older run kept in a hidden sheet must not be analysed instead of the visible one); a
    workbook with no visible sheet is an error naming its sheets. Formula cells without a saved
    result are an error naming them (they would read as empty wells). Memory follows the cells
    that exist, not the declared range.
    """
    wb = load_workbook_safely(path)
    try:
        sheets: dict[str, list[list[object]]] = {}
        for ws in visible_worksheets(wb, path):
            rows = checked_rows(ws)
            while rows and not rows[-1]:
                rows.pop()
            sheets[ws.title] = rows
        return sheets
    except ParseError as err:
        raise err.with_context(path=path) from None
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
