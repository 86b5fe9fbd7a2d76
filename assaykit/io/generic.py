"""Generic fall-back layouts for instruments without a dedicated reader (tried after all others).

``plate_grid`` — CSV/TSV/XLSX holding only plate grids: a header row of column numbers
``1, 2, 3 …`` (3, 4, 6, 8, 12, 24 or 48 columns: 6- to 1536-well plates) followed by one row per
row letter (``A …``; 1536-well plates ``AA``–``AF`` or ``a``–``f``), in order, each once. Rows the
grid leaves out are read as NaN with flag ``absent`` and reported (``attrs["absent"]``, one
:class:`~assaykit.errors.DataQualityWarning`; see ``assaykit/io/_absent.py``); a grid that ends
the file after rows A, B, C … without a gap but short of its plate is refused as cut off.
A grid may carry a title in its top-left cell or on a one-cell line just above it. Blank lines
separate grids. Nothing else may be in the file, so vendor exports with metadata are never
claimed. How stacked grids become plates and reads:

- a title ``Plate 2`` or ``Plate 2 - A450`` gives plate 2 (read ``A450``);
- any other title is the read name; a title seen again starts the next plate;
- untitled grids are plates 1, 2, 3 … with read ``''``;
- the unit is taken from the title when it names one (``CPM``, ``CPS``, ``RFU``, ``OD``, ``RLU``).

Cells are numbers, instrument markers (``OVRFLW`` …, flagged NaN) or empty (flag ``empty``);
text in a cell raises ParseError naming it. A file whose grids are mostly text (a plater layout)
is therefore not detected as an export.

``tube_table`` — CSV/XLSX (first sheet) whose first row is a header with at least a position
column (``position``/``pos``/``tube``/``vial``) and ``cpm`` or ``counts``; optional ``rack`` (default
1), ``sample``, ``count_time_s``/``time``/``count time``, ``measured_at``/``date``/``time stamp``
(``YYYY-MM-DD HH:MM[:SS]``, ``DD.MM.YYYY HH:MM[:SS]`` or an Excel date), ``isotope``, ``flag``.
Header matching ignores case and a unit in brackets (``Time (s)``). A CPM that is not in the file
stays NaN: it is never computed from counts and time. Other columns are kept, snake_cased.
Both formats accept ``;`` with decimal commas.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import ParseError
from assaykit.io._absent import absent_records, publish_absent
from assaykit.io._counter import (
    check_time_order,
    counter_number,
    loose_value,
    parse_timestamp,
    snake_name,
)
from assaykit.io._grid import is_grid_header, read_grid
from assaykit.io._registry import SNIFF_BYTES, FileSample, register
from assaykit.io._text import (
    counter_frame,
    detect_decimal,
    detect_separator,
    parse_value,
    plate_frame,
    read_text,
    split_cells,
)
from assaykit.plate import row_label, well_from_ij

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_plate_grid", "read_tube_table"]

#: Grid width → number of rows of the standard plate.
_ROWS_FOR_WIDTH = {3: 2, 4: 3, 6: 4, 8: 6, 12: 8, 24: 16, 48: 32}
_UNITS = {"cpm": "CPM", "cps": "CPS", "rfu": "RFU", "od": "OD", "rlu": "RLU"}
_ROW_LABEL_RE = re.compile(r"^(?:[A-Z]|A[A-F]|[a-f])$")
_PLATE_TITLE_RE = re.compile(r"^plate\s*#?\s*(\d+)\s*[-:_,;/]?\s*(.*)$", re.IGNORECASE)


@dataclass
class _Sheet:
    """Rows of cells from one text file or one worksheet, and how to name a cell in a message."""

    name: str | None
    rows: list[list[object]]

    def where(self, k: int, j: int | None = None) -> dict[str, Any]:
        if self.name is None:
            return {"line": k + 1, "location": None if j is None else f"column {j + 1}"}
        from assaykit.io._xlsx import column_letter

        cell = f"{column_letter(j or 0)}{k + 1}" if j is not None else f"row {k + 1}"
        return {"location": f"sheet {self.name!r}, {cell}"}


def _text_sheets(text: str) -> tuple[list[_Sheet], str]:
    lines = text.split("\n")
    sep = detect_separator(lines)
    return [_Sheet(None, [list(split_cells(ln, sep)) for ln in lines])], sep


def _load(path: Path) -> tuple[list[_Sheet], dict[str, Any]]:
    with path.open("rb") as fh:
        is_zip = fh.read(4) == b"PK\x03\x04"
    if is_zip:
        from assaykit.io._xlsx import checked_rows, load_workbook_safely, visible_worksheets

        wb = load_workbook_safely(path)
        try:  # hidden sheets are never read (an older run hidden in the workbook)
            sheets = [_Sheet(ws.title, checked_rows(ws)) for ws in visible_worksheets(wb, path)]
        finally:
            wb.close()
        return sheets, {"encoding": "xlsx", "separator": ""}
    text, encoding = read_text(path)
    sheets, sep = _text_sheets(text)
    return sheets, {"encoding": encoding, "separator": sep}


def _sample_sheets(sample: FileSample) -> list[_Sheet]:
    if sample.is_zip:
        return [_Sheet(name, rows) for name, rows in sample.xlsx_cells.items()]
    text = sample.text
    if len(sample.head) >= SNIFF_BYTES:  # the last line may be cut
        text = text.rsplit("\n", 1)[0]
    return _text_sheets(text)[0]


def _blank(row: list[object]) -> bool:
    return all(c is None or not str(c).strip() for c in row)


def _text(cell: object) -> str:
    return "" if cell is None else str(cell).strip()


# --------------------------------------------------------------------------------------------
# plate_grid


@dataclass
class _FoundGrid:
    sheet: _Sheet
    header: int
    title: str
    n_rows: int
    n_cols: int
    cells: list[tuple[int, int, object]]
    labels: list[int]  # row indices present, in file order


def _scan(sheet: _Sheet, *, partial: bool = False) -> Iterator[_FoundGrid]:
    """The grids of a sheet; ParseError for anything that is not a title, a grid or a blank line."""
    rows = sheet.rows
    k, pending = 0, ""
    while k < len(rows):
        row = rows[k]
        if _blank(row):
            k += 1
            continue
        nxt = rows[k + 1] if k + 1 < len(rows) else []
        if is_grid_header(row, first=1, min_cols=3) and nxt and _ROW_LABEL_RE.match(_text(nxt[0])):
            top_left = _text(row[0])
            title = top_left if top_left not in ("", "<>") else pending
            width = len([c for c in row[1:] if _text(c)])
            if width not in _ROWS_FOR_WIDTH:
                known = ", ".join(str(w) for w in _ROWS_FOR_WIDTH)
                raise ParseError(
                    f"grid header has {width} columns; a plate grid has {known} columns",
                    **sheet.where(k),
                )
            try:
                grid = read_grid(rows, k, first=1, line_offset=1)
            except ParseError as err:
                err.line = None
                raise err.with_context(**sheet.where(k)) from None
            expected = _ROWS_FOR_WIDTH[width]
            n_lines = grid.end - k - 1
            labels = [grid.cells[n * width][0] for n in range(n_lines)]  # row by row, in file order
            for n in range(1, n_lines):
                if labels[n] <= labels[n - 1]:
                    raise ParseError(
                        f"row {row_label(labels[n])} follows row {row_label(labels[n - 1])}; "
                        "expected rows in order A, B, C … each once",
                        **sheet.where(k + 1 + n),
                    )
            if labels[-1] >= expected:
                raise ParseError(
                    f"row {row_label(labels[-1])} is beyond the {expected} rows "
                    f"(A–{row_label(expected - 1)}) of a {width}-column plate",
                    **sheet.where(k + n_lines),
                )
            at_end = all(_blank(r) for r in rows[grid.end :])
            if labels == list(range(n_lines)) and n_lines < expected and at_end:
                if partial:
                    return
                raise ParseError(
                    f"grid has {n_lines} rows; a {width}-column plate needs {expected} rows "
                    f"labelled A, B, C … in order (is the file cut off?)",
                    **sheet.where(k),
                )
            yield _FoundGrid(sheet, k, title, expected, width, grid.cells, labels)
            k, pending = grid.end, ""
            continue
        filled = [c for c in row if _text(c)]
        if len(filled) == 1 and _text(row[0]) and not pending:
            pending = _text(row[0])
            k += 1
            continue
        raise ParseError(
            "expected a grid title, a header of column numbers 1, 2, 3 … followed by row A, or a blank line; "
            f"got {', '.join(repr(_text(c)) for c in row[:4])}{' …' if len(row) > 4 else ''}",
            **sheet.where(k),
        )


def _sniff_plate_grid(sample: FileSample) -> bool:
    """The first non-blank line (after an optional one-cell title) starts a grid of mostly numbers.

    Only the start is judged, so a grid file with a fault further down is still claimed and the
    reader names the fault; a layout whose first grid holds text (plater) is not claimed.
    """
    sheet = next((sh for sh in _sample_sheets(sample) if any(not _blank(r) for r in sh.rows)), None)
    if sheet is None:
        return False
    rows = [r for r in sheet.rows if not _blank(r)]
    k = (
        1
        if len(rows) > 1 and len([c for c in rows[0] if _text(c)]) == 1 and _text(rows[0][0])
        else 0
    )
    if (
        len(rows) < k + 2
        or not is_grid_header(rows[k], first=1, min_cols=3)
        or not _ROW_LABEL_RE.match(_text(rows[k + 1][0]))
    ):
        return False
    try:
        grid = read_grid(rows, k, first=1)
    except ParseError:
        return False
    tokens = [t for _, _, t in grid.cells if _text(t)]
    text_cells = sum(1 for t in tokens if parse_value(t, ",")[1] == "not_a_number")
    return bool(tokens) and text_cells <= 0.1 * len(tokens)


def _plate_and_read(titles: list[str]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    untitled = 0
    for title in titles:
        m = _PLATE_TITLE_RE.match(title)
        if m:
            out.append((int(m.group(1)), m.group(2).strip()))
        elif not title:
            untitled += 1
            out.append((untitled, ""))
        else:
            seen[title] = seen.get(title, 0) + 1
            out.append((seen[title], title))
    return out


@register(
    "plate_grid",
    description="Generic plate grid(s): header of column numbers, row letters (CSV/TSV/XLSX)",
    kind="plate",
    sniff=_sniff_plate_grid,
    priority=90,
    aliases=("plate-grid", "grid"),
)
def read_plate_grid(path: Path) -> pd.DataFrame:
    """Read a file of one or more plate grids into the plate-reader table.

    Parameters
    ----------
    path
        A CSV/TSV/TXT or .xlsx file holding only plate grids (and their titles).

    Returns
    -------
    pandas.DataFrame
        ``plate, well, row, col, read, value, unit, flag`` (``raw`` for flagged cells).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "grid.csv"
    >>> rows = ["CPM;" + ";".join(str(c) for c in range(1, 4))]
    >>> rows += [f"{r};1,5;2;OVRFLW" for r in "AB"]
    >>> _ = p.write_text("\\n".join(rows) + "\\n")
    >>> read_plate_grid(p).head(3)
       plate well row  col read  value unit      flag     raw
    0      1  A01   A    1  CPM    1.5  CPM
    1      1  A02   A    2  CPM    2.0  CPM
    2      1  A03   A    3  CPM    NaN  CPM  overflow  OVRFLW
    """
    sheets, attrs = _load(path)
    grids = [g for sheet in sheets for g in _scan(sheet)]
    if not grids:
        raise ParseError(
            "no plate grid found: expected a header row 1, 2, 3 … followed by rows A, B, C …"
        )
    strings = [t for g in grids for _, _, t in g.cells if isinstance(t, str)]
    decimal = detect_decimal(strings, ";" if attrs["separator"] != "," else ",")
    attrs.update(decimal=decimal, instrument="unknown (generic plate grid)")
    records: list[dict[str, Any]] = []
    keys = _plate_and_read([g.title for g in grids])
    used: dict[tuple[int, str], str] = {}
    notes: list[dict[str, Any]] = []
    for g, (plate, read) in zip(grids, keys, strict=True):
        if (plate, read) in used:
            raise ParseError(
                f"a second grid for plate {plate}{f' read {read!r}' if read else ''} "
                f"(the first starts at {used[(plate, read)]})",
                **g.sheet.where(g.header),
            )
        used[(plate, read)] = f"{'line' if g.sheet.name is None else 'row'} {g.header + 1}"
        words = re.findall(r"[a-z]+", g.title.lower())
        unit = next((_UNITS[w] for w in words if w in _UNITS), "")
        for i, j, token in g.cells:
            value, flag = parse_value(token if _text(token) else "", decimal)
            if flag == "not_a_number":
                raise ParseError(
                    f"well {well_from_ij(i, j)}: expected a number, an instrument marker or an empty cell, "
                    f"got {_text(token)!r}",
                    **g.sheet.where(g.header + 1 + g.labels.index(i), j + 1),
                )
            rec = {
                "plate": plate,
                "row_i": i,
                "col_j": j,
                "read": read,
                "value": value,
                "unit": unit,
                "flag": flag,
            }
            if flag and flag != "empty":
                rec["raw"] = _text(token)
            records.append(rec)
        absent, rows_out, cols_out = absent_records(
            g.labels, range(g.n_cols), plate=plate, read=read, unit=unit
        )
        records += absent
        if absent:
            what = f"plate {plate}" + (f", read {read!r}" if read else "")
            where = g.sheet.where(g.header)
            place = where.get("location") or f"line {where['line']}"
            notes.append({"where": place, "what": what, "rows": rows_out, "cols": cols_out})
    publish_absent(attrs, notes)
    return plate_frame(records, attrs)


# --------------------------------------------------------------------------------------------
# tube_table

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "position": ("position", "pos", "tube", "vial", "tube no", "position no"),
    "cpm": ("cpm",),
    "counts": ("counts", "count", "total counts"),
    "rack": ("rack", "rack no"),
    "sample": ("sample", "sample name", "sample id", "sample code"),
    "count_time_s": (
        "count time s",
        "count time",
        "counting time",
        "time",
        "time s",
        "count time sec",
    ),
    "measured_at": (
        "measured at",
        "date",
        "time stamp",
        "timestamp",
        "date time",
        "date & time",
        "datetime",
    ),
    "isotope": ("isotope", "nuclide"),
    "flag": ("flag", "info"),
}
_LOOKUP = {alias: col for col, aliases in _SYNONYMS.items() for alias in aliases}


def _normalise_header(name: object) -> str:
    s = re.sub(r"[\(\[].*?[\)\]]", " ", _text(name).lower())
    s = re.sub(r"[_.#:]+", " ", s)
    return " ".join(s.split())


def _tube_columns(header: list[object]) -> tuple[dict[str, int], dict[str, int]]:
    known: dict[str, int] = {}
    extra: dict[str, int] = {}
    for j, name in enumerate(header):
        col = _LOOKUP.get(_normalise_header(name))
        if col is None:
            if _text(name):
                extra[snake_name(_text(name))] = j
            continue
        if col in known:
            raise ParseError(
                f"columns {_text(header[known[col]])!r} and {_text(name)!r} both mean {col!r}; keep one of them"
            )
        known[col] = j
    return known, extra


def _header_row(rows: list[list[object]]) -> int:
    return next((k for k, r in enumerate(rows) if not _blank(r)), -1)


def _sniff_tube_table(sample: FileSample) -> bool:
    sheets = _sample_sheets(sample)
    if not sheets:
        return False
    rows = sheets[0].rows
    k = _header_row(rows)
    if k < 0 or len(rows[k]) < 2:
        return False
    if any(parse_value(c)[1] != "not_a_number" for c in rows[k] if _text(c)):
        return False  # a header is all text
    try:
        known, _ = _tube_columns(rows[k])
    except ParseError:
        return True  # ours, with an error the reader will report
    if "position" in known and ("cpm" in known or "counts" in known):
        return True
    # a tube table lacking a required column: claimed when most of its header is recognised, so
    # that the reader can say what is missing (a vendor header is mostly other names)
    named = [c for c in rows[k] if _text(c)]
    core = "position" in known or "cpm" in known or "counts" in known
    return core and len(known) >= 2 and len(known) >= 0.5 * len(named)


def _whole_number(token: object, what: str, where: dict[str, Any]) -> int:
    if isinstance(token, float) and token.is_integer():
        token = int(token)
    s = _text(token)
    if not re.fullmatch(r"\d{1,6}", s) or int(s) < 1:
        raise ParseError(f"{what}: expected a whole number from 1, got {s!r}", **where)
    return int(s)


@register(
    "tube_table",
    description="Generic counter table: header with position and cpm/counts columns (CSV/XLSX)",
    kind="counter",
    sniff=_sniff_tube_table,
    priority=91,
    aliases=("tube-table", "counter_table"),
)
def read_tube_table(path: Path) -> pd.DataFrame:
    """Read a generic one-row-per-tube counter table into the counter table.

    Parameters
    ----------
    path
        A CSV/TSV or .xlsx (first sheet) whose first row is the header.

    Returns
    -------
    pandas.DataFrame
        ``rack, position, sample, counts, count_time_s, cpm, measured_at, isotope, flag`` plus
        every other column of the file, snake_cased.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tubes.csv"
    >>> _ = p.write_text("Tube;CPM;Time (s);Date\\n1;1234,5;60;2024-03-06 12:42:48\\n")
    >>> read_tube_table(p)[["rack", "position", "cpm", "count_time_s", "measured_at"]]
       rack  position     cpm  count_time_s         measured_at
    0     1         1  1234.5          60.0 2024-03-06 12:42:48
    """
    sheets, attrs = _load(path)
    sheet = sheets[0]
    rows = sheet.rows
    k0 = _header_row(rows)
    if k0 < 0:
        raise ParseError(
            "the table is empty: expected a header row (position, cpm …) and one row per tube"
        )
    header = rows[k0]
    try:
        known, extra = _tube_columns(header)
    except ParseError as err:
        raise err.with_context(**sheet.where(k0)) from None
    if "position" not in known or not ("cpm" in known or "counts" in known):
        need = []
        if "position" not in known:
            need.append("a position column (position, pos, tube or vial)")
        if "cpm" not in known and "counts" not in known:
            need.append("a cpm or counts column")
        found = ", ".join(repr(_text(c)) for c in header if _text(c)) or "no names"
        raise ParseError(
            f"tube table needs {' and '.join(need)}; the header has {found}", **sheet.where(k0)
        )
    data = [(k, r) for k, r in enumerate(rows) if k > k0 and not _blank(r)]
    if not data:
        raise ParseError("the header is not followed by any tube rows", **sheet.where(k0))
    numeric = [known[c] for c in ("cpm", "counts", "count_time_s") if c in known]
    decimal = detect_decimal(
        (_text(r[j]) for _, r in data for j in numeric if j < len(r)), attrs["separator"] or ";"
    )
    attrs.update(decimal=decimal, instrument="unknown (generic tube table)")

    records: list[dict[str, Any]] = []
    order = check_time_order()
    for k, row in data:
        if len(row) > len(header) and any(_text(c) for c in row[len(header) :]):
            raise ParseError(
                f"row has cells beyond the {len(header)} header columns", **sheet.where(k)
            )
        row = list(row) + [None] * (len(header) - len(row))

        def get(col: str, row: list[object] = row) -> object:
            return row[known[col]] if col in known else None

        rec: dict[str, Any] = {
            "rack": _whole_number(
                get("rack"), _text(header[known["rack"]]), sheet.where(k, known["rack"])
            )
            if "rack" in known
            else 1,
            "position": _whole_number(
                get("position"), _text(header[known["position"]]), sheet.where(k, known["position"])
            ),
            "sample": _text(get("sample")),
            "isotope": _text(get("isotope")),
        }
        flags = [_text(get("flag"))] if _text(get("flag")) else []
        for col in ("counts", "cpm", "count_time_s"):
            if col not in known:
                rec[col] = math.nan
                continue
            token, what = get(col), _text(header[known[col]])
            if not _text(token):
                raise ParseError(
                    f"{what}: expected a number, got an empty cell (truncated row?)",
                    **sheet.where(k, known[col]),
                )
            rec[col], flag = counter_number(
                token, decimal, what=what, negative=col == "cpm", **sheet.where(k, known[col])
            )
            if flag:
                flags.append(flag)
        if "cpm" not in known and rec["count_time_s"] > 0:  # CPM from counts and count time
            rec["cpm"] = rec["counts"] * 60.0 / rec["count_time_s"]
        rec["flag"] = ";".join(flags)
        stamp = get("measured_at")
        if _text(stamp):
            try:
                rec["measured_at"] = parse_timestamp(stamp)
            except ValueError as err:
                raise ParseError(
                    f"{_text(header[known['measured_at']])}: {err}",
                    **sheet.where(k, known["measured_at"]),
                ) from None
            try:
                order.check(rec["measured_at"], k + 1)
            except ParseError as err:
                raise ParseError(err.message, **sheet.where(k, known["measured_at"])) from None
        else:
            rec["measured_at"] = None
        for name, j in extra.items():
            rec[name] = loose_value(row[j], decimal)
        records.append(rec)
    if "cpm" not in known and "count_time_s" not in known:  # after the cells: those errors first
        found = ", ".join(repr(_text(c)) for c in header if _text(c))
        raise ParseError(
            "tube table has counts but no cpm column and no count time to compute CPM from "
            f"them; add a 'cpm' or a 'count time (s)' column (the header has {found})",
            **sheet.where(k0),
        )
    attrs["qc"] = order.qc()
    return counter_frame(records, attrs)
