"""BMG LABTECH SMART Control xlsx exports (``Microplate End point`` / ``Table End point`` sheets).

The workbook repeats a block of ``Key: value`` lines (User, Path, Test ID, Test Name, Date, Time,
ID1–ID3) and the read mode (``Fluorescence (FI)``) at the top of each sheet. Values are taken from
the long ``Table …`` sheet (a ``Well`` row of well names, annotation rows such as ``Content`` and
``Dilutions``, then one row per data set such as ``Raw Data (480-14/520-30)``). When that sheet is
absent the numbered grids of the ``Microplate …`` sheet (``4. Raw Data (…)``) are read instead;
the layout, standard-concentration and dilution grids are annotations, not reads.

A blank cell means the well has no value in that data set (e.g. the blanks themselves after blank
correction) and is left out.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import ParseError
from assaykit.io._absent import grid_absent, publish_absent, sheet_row_where
from assaykit.io._registry import FileSample, register
from assaykit.io._text import plate_frame
from assaykit.io._xlsx import (
    grid_at,
    header_width,
    is_blank,
    location,
    parse_cell,
    read_sheets,
    text_of,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_bmg_smart_control"]

_KEY_RE = re.compile(r"^(User|Path|Test ID|Test Name|Date|Time|ID1|ID2|ID3):\s*(.*)$")
#: Rows / grids that annotate wells rather than measure them.
_ANNOTATION_RE = re.compile(
    r"^(\d+\.\s*)?(layout|content|standard concentrations?|dilutions?|sample ids?|groups?)\b",
    re.IGNORECASE,
)
_KINETIC_RE = re.compile(r"^(time|cycle|kinetic)\b", re.IGNORECASE)
_UNITS = {"fluorescence": "RFU", "absorbance": "OD", "luminescence": "RLU"}
_INSTRUMENTS = (
    "PHERAstar",
    "CLARIOstar",
    "FLUOstar",
    "POLARstar",
    "SPECTROstar",
    "VANTAstar",
    "NEPHELOstar",
    "Omega",
)


def _sniff(sample: FileSample) -> bool:
    """A workbook whose first column carries BMG's ``User:``, ``Path:`` and ``Test Name:`` lines."""
    for rows in sample.xlsx_cells.values():
        keys = {m.group(1) for row in rows if row for m in [_KEY_RE.match(text_of(row[0]))] if m}
        if {"User", "Path", "Test Name"} <= keys and ("Test ID" in keys or "ID1" in keys):
            return True
    return False


def _header(rows: list[list[Any]]) -> tuple[dict[str, str], str, int]:
    """The ``Key: value`` lines, the read-mode line and the index of the first row after them."""
    meta: dict[str, str] = {}
    mode = ""
    k = 0
    for k, row in enumerate(rows):
        cell = text_of(row[0]) if row else ""
        m = _KEY_RE.match(cell)
        if m:
            meta[m.group(1)] = m.group(2).strip()
        elif cell and meta and not mode:
            mode = cell
            return meta, mode, k + 1
        elif cell and not meta:
            break
    return meta, mode, k + 1


def _unit(mode: str) -> str:
    low = mode.lower()
    return next((u for key, u in _UNITS.items() if key in low), "")


def _settings(rows: list[list[Any]]) -> dict[str, object]:
    """``Key:`` / value pairs of the Protocol Information sheet."""
    out: dict[str, object] = {}
    for row in rows:
        if len(row) >= 2 and text_of(row[0]).endswith(":") and not is_blank(row[1]):
            out[text_of(row[0]).rstrip(":").strip()] = row[1]
    return out


def _from_table(sheet: str, rows: list[list[Any]], unit: str) -> list[dict[str, Any]]:
    k_well = next((k for k, r in enumerate(rows) if r and text_of(r[0]).lower() == "well"), None)
    if k_well is None:
        raise ParseError(
            "no row starting with 'Well' followed by well names (A01, A02, …) was found",
            location=f"sheet '{sheet}'",
        )
    from assaykit.plate import ij_from_well

    header = rows[k_well]
    wells: dict[int, tuple[int, int]] = {}
    for j in range(1, len(header)):
        if is_blank(header[j]):
            continue
        try:
            wells[j] = ij_from_well(text_of(header[j]))
        except ValueError:
            raise ParseError(
                f"expected a well name such as 'A01', got {text_of(header[j])!r}",
                location=location(sheet, k_well, j),
            ) from None
    records: list[dict[str, Any]] = []
    for k in range(k_well + 1, len(rows)):
        row = rows[k]
        label = text_of(row[0]) if row else ""
        if not label or _ANNOTATION_RE.match(label):
            continue
        if _KINETIC_RE.match(label):
            raise ParseError(
                f"found {label!r}: kinetic SMART Control tables are not supported yet; "
                "expected an endpoint table (one row per data set)",
                location=location(sheet, k, 0),
            )
        for j, (i, jj) in wells.items():
            cell = row[j] if j < len(row) else None
            if is_blank(cell):
                continue
            value, flag, raw = parse_cell(cell, sheet, k, j)
            records.append(
                {
                    "plate": 1,
                    "row_i": i,
                    "col_j": jj,
                    "read": label,
                    "value": value,
                    "unit": unit,
                    "flag": flag,
                    "raw": raw,
                }
            )
    if not records:
        raise ParseError(
            "the 'Well' row is not followed by any data row (e.g. 'Raw Data (…)')",
            location=location(sheet, k_well),
        )
    return records


def _from_grids(
    sheet: str, rows: list[list[Any]], start: int, unit: str, notes: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    title = ""
    for k in range(start, len(rows)):
        row = rows[k]
        texts = [text_of(c) for c in row]
        titled = [t for t in texts if re.match(r"^\d+\.\s+\S", t)]
        if titled:
            title = re.sub(r"^\d+\.\s*", "", titled[0])
            continue
        if header_width(row) < 2 or not is_blank(row[0]) or not title:
            continue
        if _ANNOTATION_RE.match(title):
            title = ""
            continue
        grid, sheet_row = grid_at(sheet, rows, k)
        for i, j, token in grid.cells:
            if is_blank(token):
                continue
            value, flag, raw = parse_cell(token, sheet, sheet_row[i], j + 1)
            records.append(
                {
                    "plate": 1,
                    "row_i": i,
                    "col_j": j,
                    "read": title,
                    "value": value,
                    "unit": unit,
                    "flag": flag,
                    "raw": raw,
                }
            )
        records += grid_absent(
            grid,
            what=f"grid {title!r}",
            where=location(sheet, k, 0),
            notes=notes,
            row_where=sheet_row_where(sheet, k),
            plate=1,
            read=title,
            unit=unit,
        )
        title = ""
    if not records:
        raise ParseError(
            "no numbered data grid (e.g. '4. Raw Data (…)' above a row of column numbers) was found",
            location=f"sheet '{sheet}'",
        )
    return records


@register(
    "bmg_smart_control",
    description="BMG LABTECH SMART Control xlsx (Microplate / Table End point sheets)",
    kind="plate",
    sniff=_sniff,
    aliases=("smart_control", "bmg_smart"),
)
def read_bmg_smart_control(path: Path) -> pd.DataFrame:
    """Read a BMG SMART Control xlsx export into the tidy plate table.

    Parameters
    ----------
    path
        The ``.xlsx`` workbook written by SMART Control.

    Returns
    -------
    pandas.DataFrame
        ``plate, well, row, col, read, value, unit, flag`` (+ ``raw`` for flagged cells); one row
        per well and data set (``read`` is the data-set title, e.g. ``Raw Data (480-14/520-30)``).
        ``attrs``: ``instrument``, ``software``, ``protocol`` (Test Name), ``test_id``, ``user``,
        ``date``, ``time`` (as written), ``ids``, ``mode``, ``settings``.

    Raises
    ------
    ParseError
        No BMG header, no ``Well`` row or grid, or text where a value belongs (names the cell).

    Examples
    --------
    >>> from tests.conftest import DATA
    >>> df = read_bmg_smart_control(DATA / "exports" / "bmg_smart_control" / "endpoint.xlsx")
    >>> df[["well", "read", "value", "unit"]].head(2)
      well                  read   value unit
    0  A01  Raw Data (485/520)  1200.0  RFU
    1  A02  Raw Data (485/520)  1300.0  RFU
    """
    sheets = read_sheets(path)
    table = next((n for n in sheets if n.lower().startswith("table")), None)
    plate_sheet = next((n for n in sheets if n.lower().startswith("microplate")), None)
    source = table or plate_sheet
    if source is None:
        source = next((n for n, r in sheets.items() if any(r)), None)
        if source is None:
            first = next(iter(sheets), "")
            raise ParseError(
                "the workbook is empty; expected a SMART Control export with a 'Table End point' "
                "or 'Microplate End point' sheet",
                location=f"sheet '{first}'" if first else None,
            )
    meta, mode, start = _header(sheets[source])
    if not meta:
        raise ParseError(
            "expected BMG header lines ('User: …', 'Path: …', 'Test Name: …') in column A",
            location=f"sheet '{source}', cell A1",
        )
    unit = _unit(mode)
    notes: list[dict[str, Any]] = []
    if table is not None:
        records = _from_table(table, sheets[table], unit)
    else:
        records = _from_grids(source, sheets[source], start, unit, notes)
    path_text = meta.get("Path", "")
    instrument = next(
        (name for name in _INSTRUMENTS if name.lower() in path_text.lower()), "BMG LABTECH"
    )
    protocol_sheet = next((n for n in sheets if n.lower().startswith("protocol")), None)
    attrs = {
        "instrument": instrument,
        "software": "SMART Control",
        "protocol": meta.get("Test Name", ""),
        "test_id": meta.get("Test ID", ""),
        "user": meta.get("User", ""),
        "date": meta.get("Date", ""),
        "time": meta.get("Time", ""),
        "ids": [meta[k] for k in ("ID1", "ID2", "ID3") if meta.get(k)],
        "mode": mode,
        "path": path_text,
        "settings": _settings(sheets[protocol_sheet]) if protocol_sheet else {},
        "sheet": source,
    }
    publish_absent(attrs, notes)
    return plate_frame(records, attrs)
