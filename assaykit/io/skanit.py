"""Thermo Scientific SkanIt xlsx exports: Varioskan / Luminoskan (``skanit``) and Multiskan Sky (``multiskan``).

Both formats share one reader; they differ in how a result sheet holds its values.

``skanit``
    Each result sheet (``Absorbance 1_01``, ``Blank Subtraction 1_02`` …) starts with
    ``Measurement results``, the ``.skax`` session name and the run time, then the step name
    (``Absorbance 1``), and for each wavelength and plate: ``Wavelength: 450 nm``, ``Plate 1``
    and a grid whose top-left cell names the quantity (the unit ``Abs``/``RLU`` for measured
    data, ``Blank subtracted``, ``Conc. […]`` … for calculated data). The read is the step name,
    plus the wavelength when it is not 0 nm, plus the grid's name when that is not a unit:
    ``Absorbance 1 (450 nm)``, ``Standard Curve 1 (450 nm): Conc. [microg/ml]``. Grids holding
    only text (``Sample`` names) are annotations and are skipped.
``multiskan``
    A result sheet starting ``Measurement results <step>`` with a kinetic table
    ``Reading | A2 | B2 | …`` (one row per reading). Each well's measured time comes from the
    ``Reading | Times [s]`` table on the same sheet, else from the ``Raw data …`` sheet
    (``Measurement time(s)``), else from the kinetic interval in ``General information``.

SkanIt writes ``NaN`` for undefined results (flagged ``missing``) and `` > Max`` / `` < Min``
outside a standard curve (flagged ``above_range`` / ``below_range``). Blank grid cells are
wells without a value and are left out.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import ParseError
from assaykit.io._absent import grid_absent, publish_absent, sheet_row_where
from assaykit.io._registry import FileSample, register
from assaykit.io._text import parse_value, plate_frame
from assaykit.io._xlsx import (
    grid_at,
    header_width,
    is_blank,
    location,
    parse_cell,
    read_sheets,
    text_of,
)
from assaykit.plate import ij_from_well

if TYPE_CHECKING:
    import pandas as pd

    from assaykit.io._grid import Grid

__all__ = ["read_multiskan", "read_skanit"]

_MARKERS = {
    "> max": "above_range",
    "< min": "below_range",
    ">max": "above_range",
    "<min": "below_range",
}
_UNITS = {"abs": "OD", "od": "OD", "rlu": "RLU", "rfu": "RFU", "cps": "CPS", "counts": "CPS"}
_MODE_UNITS = {"absorbance": "OD", "fluorescence": "RFU", "luminescence": "RLU"}
_META_SHEETS = (
    "general information",
    "session information",
    "instrument information",
    "protocol parameters",
)


def _is_result_sheet(rows: list[list[Any]]) -> bool:
    return (
        bool(rows)
        and bool(rows[0])
        and text_of(rows[0][0]).lower().startswith("measurement results")
    )


def _has_reading_table(rows: list[list[Any]]) -> bool:
    for row in rows:
        if row and text_of(row[0]).lower() == "reading" and len(row) > 1:
            try:
                ij_from_well(text_of(row[1]))
                return True
            except ValueError:
                continue
    return False


def _is_multiskan(cells: dict[str, list[list[Any]]]) -> bool:
    for rows in cells.values():
        if _is_result_sheet(rows) and _has_reading_table(rows):
            return True
    for name, rows in cells.items():
        if name.lower() in _META_SHEETS:
            for row in rows:
                if any("multiskan" in text_of(c).lower() for c in row):
                    return True
    return False


def _sniff_skanit(sample: FileSample) -> bool:
    """A ``Measurement results`` sheet naming a ``.skax`` session or a ``Wavelength:`` line."""
    cells = sample.xlsx_cells
    hit = False
    for rows in cells.values():
        if _is_result_sheet(rows):
            texts = [text_of(c).lower() for row in rows[:15] for c in row[:2]]
            if any(t.endswith(".skax") or t.startswith("wavelength:") for t in texts):
                hit = True
    return hit and not _is_multiskan(cells)


def _sniff_multiskan(sample: FileSample) -> bool:
    """A ``Measurement results`` sheet in a Multiskan workbook (``Reading`` table or instrument name)."""
    cells = sample.xlsx_cells
    return any(_is_result_sheet(r) for r in cells.values()) and _is_multiskan(cells)


# ----------------------------------------------------------------------------------- metadata


def _key_values(rows: list[list[Any]]) -> dict[str, object]:
    """Key (first text cell after column A) → value (next non-empty cell) of a metadata sheet."""
    out: dict[str, object] = {}
    for row in rows[1:]:
        cells = [(j, c) for j, c in enumerate(row) if not is_blank(c)]
        if len(cells) >= 2 and cells[0][0] >= 1:
            key = text_of(cells[0][1]).rstrip(":")
            out.setdefault(key, cells[1][1])
    return out


def _metadata(sheets: dict[str, list[list[Any]]]) -> dict[str, Any]:
    found = {name.lower(): rows for name, rows in sheets.items()}
    general = _key_values(found.get("general information", []))
    session = _key_values(found.get("session information", []))
    instrument = _key_values(found.get("instrument information", []))
    protocol = _key_values(found.get("protocol parameters", []))
    meta: dict[str, Any] = {
        "instrument": text_of(instrument.get("Name") or general.get("Name")),
        "serial": text_of(instrument.get("Serial number") or general.get("Serial number")),
        "software": text_of(
            general.get("Report generated with SW version")
            or session.get("Executed with")
            or general.get("Version")
        ),
        "session": text_of(session.get("Session name")),
        "measured_at": text_of(session.get("Execution time") or general.get("Execution time")),
        "settings": {
            k: v.isoformat(sep=" ") if hasattr(v, "isoformat") else v
            for k, v in {**protocol, **general}.items()
            if k not in ("Name", "Serial number")
        },
    }
    meta["protocol"] = meta["session"]
    if meta["instrument"].lower().startswith("multiskan") and general.get("Version"):
        meta["software"] = f"SkanIt {text_of(general.get('Version'))}"
    return meta


# ------------------------------------------------------------------------------------ grids


def _step_name(sheet: str, rows: list[list[Any]]) -> str:
    """The step title under the session name and run time (``Absorbance 1``), else the sheet name.

    Multiskan writes it into cell A1 itself (``Measurement results Measure``).
    """
    after = text_of(rows[0][0])[len("measurement results") :].strip() if rows and rows[0] else ""
    if after:
        return after
    for row in rows[1:8]:
        cell = row[0] if row else None
        t = text_of(cell)
        if (
            isinstance(cell, str)
            and t
            and not t.lower().endswith(".skax")
            and not re.match(r"^\d{1,2}/\d{1,2}/\d{4}", t)
            and not t.lower().startswith(("wavelength:", "plate "))
        ):
            return t
    return sheet


def _nonzero_wavelength(text: str) -> bool:
    """False for '' and '0' (SkanIt writes 'Wavelength: 0 nm' for luminescence)."""
    m = re.match(r"\d+(?:[.,]\d+)?", text)
    return m is not None and float(m.group(0).replace(",", ".")) != 0


def _read_grids(
    sheet: str, rows: list[list[Any]], notes: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    step = _step_name(sheet, rows)
    records: list[dict[str, Any]] = []
    wavelength = ""
    plate = 1
    k = 0
    while k < len(rows):
        row = rows[k]
        first = text_of(row[0]) if row else ""
        if m := re.match(r"^wavelength:\s*([\d.,/ -]+?)\s*nm", first, re.IGNORECASE):
            wavelength = m.group(1).strip()
        elif m := re.match(r"^plate\s+(\d+)$", first, re.IGNORECASE):
            plate = int(m.group(1))
        elif first and header_width(row) >= 2:
            grid, sheet_row = grid_at(sheet, rows, k)
            read = step + (f" ({wavelength} nm)" if _nonzero_wavelength(wavelength) else "")
            recs = _grid_records(sheet, grid, sheet_row, read, first, plate)
            if recs:  # absent rows of a value grid (annotation grids give no records)
                recs += grid_absent(
                    grid,
                    what=f"plate {plate}, {recs[0]['read']!r}",
                    where=location(sheet, k, 0),
                    notes=notes,
                    row_where=sheet_row_where(sheet, k),
                    plate=plate,
                    read=recs[0]["read"],
                    unit=recs[0]["unit"],
                )
            records.extend(recs)
            k = grid.end
            continue
        k += 1
    return records


def _grid_records(
    sheet: str, grid: Grid, sheet_row: dict[int, int], read: str, label: str, plate: int
) -> list[dict[str, Any]]:
    """Records of one grid; [] for an annotation grid (only text such as sample names)."""
    tokens = [t for _, _, t in grid.cells if not is_blank(t)]
    values = [
        t for t in tokens if parse_value(t)[1] != "not_a_number" or text_of(t).lower() in _MARKERS
    ]
    if label.lower() == "sample" or not values:
        return []
    unit = _UNITS.get(label.strip().lower())
    if unit is None:  # a calculated quantity named in the top-left cell
        read, unit = f"{read}: {label}", ""
    out = []
    for i, j, token in grid.cells:
        if is_blank(token):
            continue
        value, flag, raw = parse_cell(token, sheet, sheet_row[i], j + 1, extra_markers=_MARKERS)
        out.append(
            {
                "plate": plate,
                "row_i": i,
                "col_j": j,
                "read": read,
                "value": value,
                "unit": unit,
                "flag": flag,
                "raw": raw,
            }
        )
    return out


# ------------------------------------------------------------------------------- kinetic tables


def _wells_of(sheet: str, row: list[Any], k: int) -> dict[int, tuple[int, int]]:
    wells = {}
    for j in range(1, len(row)):
        if is_blank(row[j]):
            continue
        try:
            wells[j] = ij_from_well(text_of(row[j]).replace(" ", ""))
        except ValueError:
            raise ParseError(
                f"expected a well name such as 'A2' in the 'Reading' header, got {text_of(row[j])!r}",
                location=location(sheet, k, j),
            ) from None
    return wells


def _raw_times(sheets: dict[str, list[list[Any]]]) -> dict[tuple[int, int], list[float]]:
    """Well → measurement times (s), in reading order, from a ``Raw data …`` sheet."""
    for name, rows in sheets.items():
        if not name.lower().startswith("raw data"):
            continue
        k = next((k for k, r in enumerate(rows) if r and text_of(r[0]).lower() == "well"), None)
        if k is None:
            continue
        header = [text_of(c).lower() for c in rows[k]]
        jt = next((j for j, h in enumerate(header) if h.startswith("measurement time")), None)
        if jt is None:
            continue
        out: dict[tuple[int, int], list[float]] = {}
        for r in rows[k + 1 :]:
            if not r or jt >= len(r):
                continue
            try:
                well = ij_from_well(text_of(r[0]).replace(" ", ""))
            except ValueError:
                continue
            t, flag = parse_value(r[jt])
            out.setdefault(well, []).append(t if not flag else math.nan)
        return out
    return {}


def _reading_index(cell: object) -> int | None:
    """The reading number in column A of a ``Reading`` table row, else None (end of the table)."""
    x, flag = parse_value(cell)
    return int(x) if not flag and float(x).is_integer() and x >= 0 else None


def _interval_s(meta: dict[str, Any]) -> float | None:
    text = text_of(meta.get("settings", {}).get("Kinetic interval"))
    m = re.fullmatch(r"(\d+):(\d{2}):(\d{2}(?:\.\d+)?)", text)
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)) if m else None


def _is_times_header(row: list[Any]) -> bool:
    cells = [text_of(c).lower() for c in row[1:] if not is_blank(c)]
    return bool(cells) and all(c.startswith("time") for c in cells)


def _times_table(
    rows: list[list[Any]], kt: int, wells: dict[int, tuple[int, int]]
) -> dict[tuple[int, int], dict[int, float]]:
    """Well → {reading: seconds} from a ``Reading | Times [s] | …`` table (columns as the values)."""
    out: dict[tuple[int, int], dict[int, float]] = {}
    for r in rows[kt + 1 :]:
        reading = _reading_index(r[0] if r else None)
        if reading is None:
            break
        for j, well in wells.items():
            t, flag = parse_value(r[j] if j < len(r) else None)
            out.setdefault(well, {})[reading] = math.nan if flag else t
    return out


def _read_kinetic(
    sheet: str, rows: list[list[Any]], sheets: dict[str, list[list[Any]]], meta: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every ``Reading | A1 | …`` table of a result sheet; the k-th times table gives its times.

    Only one table per sheet has been seen (Multiskan Sky, one wavelength); further tables are
    read as ``<read> [table k]``.
    """
    step = _step_name(sheet, rows)
    unit = next((u for key, u in _MODE_UNITS.items() if key in sheet.lower()), "")
    wl = text_of(meta.get("settings", {}).get("Wavelength(s) [nm]"))
    base = f"{step} ({wl} nm)" if re.fullmatch(r"\d+(\.\d+)?", wl) else step
    headers = [k for k, r in enumerate(rows) if r and text_of(r[0]).lower() == "reading"]
    value_headers = [k for k in headers if not _is_times_header(rows[k])]
    time_headers = [k for k in headers if _is_times_header(rows[k])]
    interval = _interval_s(meta)
    records: list[dict[str, Any]] = []
    sources = []
    for n, kv in enumerate(value_headers):
        read = base if n == 0 else f"{base} [table {n + 1}]"
        wells = _wells_of(sheet, rows[kv], kv)
        times = _times_table(rows, time_headers[n], wells) if n < len(time_headers) else {}
        raw_times = _raw_times(sheets) if not times and len(value_headers) == 1 else {}
        sources.append(
            "results sheet"
            if times
            else "raw-data sheet"
            if raw_times
            else "kinetic interval"
            if interval is not None
            else "none"
        )
        for k in range(kv + 1, len(rows)):
            r = rows[k]
            reading = _reading_index(r[0] if r else None)
            if reading is None:
                break
            for j, (i, jj) in wells.items():
                cell = r[j] if j < len(r) else None
                if is_blank(cell):
                    continue
                value, vflag, raw = parse_cell(cell, sheet, k, j, extra_markers=_MARKERS)
                if times:
                    t = times.get((i, jj), {}).get(reading, math.nan)
                elif raw_times:
                    seq = raw_times.get((i, jj), [])
                    t = seq[reading] if reading < len(seq) else math.nan
                else:
                    t = reading * interval if interval is not None else math.nan
                records.append(
                    {
                        "plate": 1,
                        "row_i": i,
                        "col_j": jj,
                        "read": read,
                        "value": value,
                        "unit": unit,
                        "flag": vflag,
                        "raw": raw,
                        "time_s": t,
                    }
                )
    meta["time_source"] = "; ".join(dict.fromkeys(sources))
    return records


# ------------------------------------------------------------------------------------ readers


def _read(path: Path, flavour: str) -> pd.DataFrame:
    sheets = read_sheets(path)
    results = [name for name, rows in sheets.items() if _is_result_sheet(rows)]
    if not results:
        first = next(iter(sheets), "")
        raise ParseError(
            "no result sheet found: expected a sheet whose cell A1 starts with 'Measurement results'",
            location=f"sheet '{first}', cell A1" if first else "workbook",
        )
    meta = _metadata(sheets)
    records: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for name in results:
        rows = sheets[name]
        if _has_reading_table(rows):
            records.extend(_read_kinetic(name, rows, sheets, meta))
        else:
            records.extend(_read_grids(name, rows, notes))
    if not records:
        raise ParseError(
            "the result sheets hold no value grid (a row of column numbers 1, 2, 3 … under a unit "
            "such as 'Abs' or 'RLU') and no 'Reading' table",
            location=f"sheet '{results[0]}'",
        )
    first_rows = sheets[results[0]]
    meta.setdefault("session", "")
    if len(first_rows) > 2 and not meta["measured_at"]:
        meta["measured_at"] = text_of(first_rows[2][0] if first_rows[2] else "") or text_of(
            first_rows[1][0] if first_rows[1] else ""
        )
    meta["result_sheets"] = results
    meta["flavour"] = flavour
    publish_absent(meta, notes)
    return plate_frame(records, meta)


@register(
    "skanit",
    description="Thermo SkanIt xlsx (Varioskan / Luminoskan result sheets with plate grids)",
    kind="plate",
    sniff=_sniff_skanit,
    aliases=("varioskan", "luminoskan"),
)
def read_skanit(path: Path) -> pd.DataFrame:
    """Read a SkanIt (Varioskan / Luminoskan) xlsx export into the tidy plate table.

    Parameters
    ----------
    path
        The ``.xlsx`` report written by SkanIt.

    Returns
    -------
    pandas.DataFrame
        ``plate, well, row, col, read, value, unit, flag`` (+ ``raw`` for flagged cells); one row
        per well of every value grid of every result sheet. ``attrs``: ``instrument``, ``serial``,
        ``software``, ``session`` / ``protocol``, ``measured_at`` (as written), ``settings``,
        ``result_sheets``.

    Raises
    ------
    ParseError
        No ``Measurement results`` sheet, no grid, or text where a value belongs (names the cell).

    Examples
    --------
    >>> from tests.conftest import DATA
    >>> df = read_skanit(DATA / "exports" / "skanit" / "two_wavelengths.xlsx")
    >>> df.groupby(["plate", "read"]).size()
    plate  read
    1      Absorbance 1 (450 nm)                       96
           Absorbance 1 (620 nm)                       96
           Standard Curve 1 (450 nm): Conc. [ng/ml]    84
    2      Absorbance 1 (450 nm)                       96
    dtype: int64
    """
    return _read(path, "skanit")


@register(
    "multiskan",
    description="Thermo Multiskan Sky xlsx (SkanIt kinetic 'Reading' table, times per well)",
    kind="plate",
    sniff=_sniff_multiskan,
    aliases=("multiskan_sky",),
)
def read_multiskan(path: Path) -> pd.DataFrame:
    """Read a Multiskan Sky (SkanIt) xlsx export into the tidy plate table.

    Parameters
    ----------
    path
        The ``.xlsx`` report written by SkanIt for a Multiskan.

    Returns
    -------
    pandas.DataFrame
        ``plate, well, row, col, read, value, unit, flag, time_s`` (+ ``raw``); one row per well and
        reading. ``time_s`` is each well's own measured time; ``attrs["time_source"]`` says where
        it came from. Other ``attrs`` as :func:`read_skanit`.

    Raises
    ------
    ParseError
        No result sheet, a ``Reading`` header cell that is not a well, or text in a value cell.

    Examples
    --------
    >>> from tests.conftest import DATA
    >>> df = read_multiskan(DATA / "exports" / "multiskan" / "kinetic.xlsx")
    >>> df[["well", "read", "value", "time_s"]].head(3)
      well              read  value  time_s
    0  A01  Measure (340 nm)   1.10    0.00
    1  B01  Measure (340 nm)   0.50    0.42
    2  A01  Measure (340 nm)   1.09    6.00
    """
    return _read(path, "multiskan")
