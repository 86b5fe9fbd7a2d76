"""Read CSV layouts: a long table (one row per well or tube) or plater-style stacked plate grids.

A long table has a header row with ``role`` and ``well`` (or ``rack`` + ``position``, or ``sample``)
and the template's other column names. In the grid form, the top-left cell of each grid names the variable, the rest of its header row holds the column
numbers, each following row starts with its row letter; grids are separated by blank lines.
Variables use the template's column names (``role``, ``compound``, ``concentration`` + ``unit`` or
``conc_M``, ``replicate``, ``fraction``, ``time (min)``, ``condition`` …); others are kept as text.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import LayoutError, ParseError
from assaykit.layout._validate import build_experiment, build_layout, is_blank
from assaykit.layout._vocab import HEADER_SYNONYMS, check_kind, roles_for
from assaykit.plate import well_from_ij

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_csv_layout"]

_KEY_HEADERS = {"well", "rack", "position", "sample"}


def read_csv_layout(path: Path, *, kind: str | None = None) -> pd.DataFrame:
    """Read a CSV layout: a long table or plater-style grids (see the module docstring)."""
    from assaykit.io._text import detect_separator, read_text, split_cells

    try:
        text, _ = read_text(path)
    except ParseError as err:
        raise LayoutError(err.message) from None
    lines = text.split("\n")
    sep = detect_separator(lines)
    rows = [split_cells(line, sep) for line in lines]
    for k, row in enumerate(rows):
        if any(c.strip() for c in row):
            keys = {HEADER_SYNONYMS.get(re.sub(r"\s+", " ", c.strip().lower())) for c in row}
            if "role" in keys and keys & _KEY_HEADERS:
                return _long_table(rows, k, kind)
            break
    return _grids(rows, kind)


def _long_table(rows: list[list[str]], header: int, kind: str | None) -> pd.DataFrame:
    cols: dict[int, str] = {}
    for j, cell in enumerate(rows[header]):
        if not cell.strip():
            continue
        key = _variable_key(cell, header + 1)
        if key in cols.values():
            raise LayoutError(
                f"column {cell.strip()!r} appears twice in the header", line=header + 1
            )
        cols[j] = key
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    for k in range(header + 1, len(rows)):
        row = rows[k]
        rec = {key: (row[j] if j < len(row) else "") for j, key in cols.items()}
        if all(is_blank(v) for v in rec.values()):
            continue
        records.append(rec)
        lines.append(k + 1)
    if kind is None:
        kind = "uptake" if "fraction" in cols.values() else "binding"
    table = "Wells" if "well" in cols.values() else "Tubes"
    return build_layout(
        records,
        kind=check_kind(kind),
        table=table,
        locate=lambda i, key: f"line {lines[i]}, column {key!r}",
        experiment=build_experiment({}, check_kind(kind)),
    )


def _grids(rows: list[list[str]], kind: str | None) -> pd.DataFrame:
    from assaykit.io._grid import is_grid_header, read_grid

    wells: dict[str, dict[str, Any]] = {}
    where: dict[str, dict[str, str]] = {}
    names: list[str] = []
    shown: list[str] = []
    k = 0
    while k < len(rows):
        row = rows[k]
        if not row or not any(c.strip() for c in row):
            k += 1
            continue
        if not (row[0].strip() and is_grid_header(row)):
            raise LayoutError(
                "expected a header row with 'role' and 'well' (a long table) or a grid header "
                f"(variable name, then column numbers 1, 2, 3, …), got {','.join(row)[:40]!r}",
                line=k + 1,
            )
        name = row[0].strip()
        key = _variable_key(name, k + 1)
        if key in names:
            raise LayoutError(f"variable {name!r} has two grids", line=k + 1)
        names.append(key)
        shown.append(name)
        try:
            grid = read_grid(rows, k, first=1, line_offset=1)
        except ParseError as err:
            raise LayoutError(err.message, line=err.line) from None
        for i, j, value in grid.cells:
            if is_blank(value):
                continue
            well = well_from_ij(i, j)
            wells.setdefault(well, {})[key] = value
            where.setdefault(well, {})[key] = f"{name} grid line {k + 2 + i}"
        k = grid.end
    if not names:
        raise LayoutError("no plate grid found; expected a header row such as 'role,1,2,3,…,12'")
    if "role" not in names:
        roles = ", ".join(roles_for(kind or "binding"))
        raise LayoutError(
            f"required column 'role' is missing: no grid named 'role' (grids: {', '.join(shown)}); "
            f"assaykit needs role ({roles}), compound and concentration + unit grids"
        )
    if kind is None:
        kind = "uptake" if "fraction" in names else "binding"
    kind = check_kind(kind)
    order = sorted(wells, key=lambda w: (w[0], int(w[1:])))
    records = [dict(wells[w], well=w) for w in order]

    def locate(i: int, key: str) -> str:
        w = order[i]
        return f"well {w}" + (f" ({where[w][key]})" if key in where[w] else "")

    return build_layout(
        records, kind=kind, table="Wells", locate=locate, experiment=build_experiment({}, kind)
    )


def _variable_key(name: str, line: int) -> str:
    t = re.sub(r"\s+", " ", name.strip().lower())
    if t in HEADER_SYNONYMS:
        return HEADER_SYNONYMS[t]
    hits = difflib.get_close_matches(t, list(HEADER_SYNONYMS), n=1, cutoff=0.8)
    if hits:
        raise LayoutError(f"unknown variable {name!r} (did you mean {hits[0]!r}?)", line=line)
    return re.sub(r"[^0-9a-z]+", "_", t).strip("_") or f"variable_line_{line}"
