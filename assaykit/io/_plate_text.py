"""Helpers shared by the text plate-reader readers (EnVision, Kaleido, MARS, Gen5, SoftMax Pro).

Everything here is pure translation: cells of a text grid become tidy records with a value and a
flag; nothing is normalised. Errors name the 1-based line of the file and the well concerned.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assaykit.errors import ParseError
from assaykit.io._absent import absent_records, check_not_cut_off, check_order
from assaykit.io._grid import _column_number, read_grid
from assaykit.io._text import detect_decimal, detect_separator, parse_value, read_text, split_cells
from assaykit.plate import well_from_ij

__all__ = [
    "TextExport",
    "cell_record",
    "check_rows",
    "grid_records",
    "load_text",
    "seconds_from_clock",
]

_CLOCK_RE = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2}(?:[.,]\d+)?)$")


class TextExport:
    """A decoded text export split into raw lines and separator-split cells.

    Attributes
    ----------
    lines
        The lines, line endings removed (``lines[k]`` is line ``k + 1`` of the file).
    rows
        ``split_cells`` of every line (quotes removed, trailing empty cells dropped).
    separator, decimal, encoding
        What was detected.
    """

    def __init__(self, text: str, encoding: str, separator: str | None = None) -> None:
        self.text = text
        self.encoding = encoding
        self.lines = text.split("\n")
        self.separator = separator or detect_separator(self.lines)
        self.rows = [_split(line, self.separator, k + 1) for k, line in enumerate(self.lines)]
        self.decimal = detect_decimal((c for r in self.rows for c in r[1:]), self.separator)

    def attrs(self) -> dict[str, Any]:
        """The decoding facts every reader records in ``df.attrs``."""
        return {"encoding": self.encoding, "separator": self.separator, "decimal": self.decimal}

    @property
    def last_line(self) -> int:
        """1-based number of the last non-empty line (where a cut-off file ends)."""
        k = len(self.lines)
        while k > 1 and not self.lines[k - 1].strip():
            k -= 1
        return k

    def first(self, k: int) -> str:
        """First cell of line index ``k`` ('' for an empty line)."""
        row = self.rows[k]
        return row[0] if row else ""

    def next_nonblank(self, k: int) -> int:
        """Index of the first non-blank line at or after ``k`` (``len(lines)`` when none)."""
        while k < len(self.rows) and not self.rows[k]:
            k += 1
        return k


def _split(line: str, sep: str, lineno: int) -> list[str]:
    try:
        return split_cells(line, sep)
    except Exception as err:  # csv.Error on an unterminated quote, for instance
        raise ParseError(f"cannot split the line into cells ({err})", line=lineno) from err


def load_text(path: Path, separator: str | None = None) -> TextExport:
    """Read, decode and split a text export (separator detected unless given)."""
    text, encoding = read_text(path)
    return TextExport(text, encoding, separator)


def seconds_from_clock(token: str) -> float | None:
    """Seconds of a clock-style duration (``H:MM:SS``, ``MM:SS``, ``H:MM:SS.f``), else None.

    Examples
    --------
    >>> seconds_from_clock("0:02:00"), seconds_from_clock("00:01:30"), seconds_from_clock("1:00:05.5")
    (120.0, 90.0, 3605.5)
    >>> seconds_from_clock("12.5") is None
    True
    """
    m = _CLOCK_RE.match(token.strip())
    if not m:
        return None
    h, mnt, s = m.groups()
    return int(h or 0) * 3600.0 + int(mnt) * 60.0 + float(s.replace(",", "."))


def cell_record(
    token: object,
    *,
    i: int,
    j: int,
    decimal: str,
    line: int,
    what: str = "",
    **fields: Any,
) -> dict[str, Any]:
    """One tidy record from a cell; text that is neither a number nor a known marker raises.

    ``fields`` supplies ``plate``, ``read``, ``unit`` (and ``time_s`` for kinetic reads).
    """
    value, flag = parse_value(token, decimal)
    if flag == "not_a_number":
        where = f" of {what}" if what else ""
        raise ParseError(
            f"well {well_from_ij(i, j)}{where}: expected a number or an instrument marker "
            f"(e.g. OVRFLW, *****, ?????), got {str(token).strip()!r}",
            line=line,
        )
    rec: dict[str, Any] = {"row_i": i, "col_j": j, "value": value, "flag": flag, **fields}
    if flag and flag != "empty":
        rec["raw"] = str(token).strip()
    return rec


def grid_records(
    exp: TextExport,
    header: int,
    *,
    what: str,
    first: int = 1,
    **fields: Any,
) -> tuple[list[dict[str, Any]], int, list[int]]:
    """Records of the grid whose column-number header is line index ``header``.

    Returns the records, the index of the first line after the grid, and the row indices found
    (in file order). Every cell of the grid becomes a record; empty cells are flagged ``empty``.
    The header may skip column numbers (those columns are absent, see :func:`check_rows`); a value
    beyond the header's last column is a ParseError naming the line.
    """
    grid = read_grid(exp.rows, header, first=first, line_offset=1, gaps=True)
    for k in range(header + 1, grid.end):
        extra = [c for c in exp.rows[k][first + grid.n_cols :] if c.strip()]
        if extra:
            raise ParseError(
                f"{what}: the row has a value ({extra[0][:20]!r}) beyond the header's last column "
                f"{grid.cols[-1] + 1}; expected one value per column number of the header",
                line=k + 1,
            )
    records = []
    row_order: list[int] = []
    for n, (i, j, token) in enumerate(grid.cells):
        line = header + 2 + n // grid.n_cols
        if n % grid.n_cols == 0:
            row_order.append(i)
        records.append(
            cell_record(token, i=i, j=j, decimal=exp.decimal, line=line, what=what, **fields)
        )
    return records, grid.end, row_order


def check_rows(
    exp: TextExport,
    row_order: Sequence[int],
    *,
    header: int,
    end: int,
    what: str,
    notes: list[dict[str, Any]],
    **fields: Any,
) -> list[dict[str, Any]]:
    """Check a grid's row labels and return records for the plate wells it leaves out.

    Rows must come in order, each once (ParseError naming the line). A grid that ends the file
    after rows A, B, C … without a gap, short of its plate's last row, is a cut-off file
    (ParseError). Any other absent row or column becomes records flagged ``absent`` (with
    ``fields``) and a note in ``notes`` for :func:`assaykit.io._absent.publish_absent`.
    """
    check_order(row_order, what=what, where=lambda k: {"line": header + 2 + k})
    numbers = (_column_number(c) for c in exp.rows[header][1:])
    header_cols = [c - 1 for c in numbers if c is not None]
    at_end = exp.next_nonblank(end) >= len(exp.rows)
    check_not_cut_off(
        row_order,
        header_cols[-1] + 1,
        at_end=at_end,
        what=what,
        line=header + 2 + len(row_order),
    )
    records, rows, cols = absent_records(row_order, header_cols, **fields)
    if records:
        notes.append({"where": f"line {header + 1}", "what": what, "rows": rows, "cols": cols})
    return records


def raw_cell_count(line: str, sep: str) -> int:
    """Number of cells of a raw line, trailing empty cells included (quotes respected)."""
    if '"' in line:
        import csv

        return len(next(csv.reader([line], delimiter=sep)))
    return len(line.split(sep))
