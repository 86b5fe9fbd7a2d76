"""Tecan xlsx exports: Magellan tables and Spark / i-control result sheets (two formats).

``tecan_magellan``
    A header row holding ``Well positions``; the other header cells name the reads (``Raw data``,
    ``Label1`` …) except ``Plate`` (the plate's name). The wide layout has header rows with each
    column's time (``0s``) and temperature (``24.8 °C``) before the well rows. Free-text lines
    below the table give the date, method, serial number and ``Unit:`` of each measurement.
``tecan_spark``
    One ``Result sheet`` with a preamble (``Application: SparkControl`` or ``Tecan i-control``,
    device, serial number, date …), then for each label its parameters (``Mode``, ``Name``,
    ``Output``, ``Part of Plate``) and either an endpoint grid whose top-left cell is ``<>`` or a
    kinetic table ``Cycle Nr. | Time [s] | Temp. [°C] | A1 | …`` (cycles as rows or as columns).
    Wells outside ``Part of Plate`` are blank and left out; a blank well inside it is flagged
    ``empty``. ``OVER`` becomes NaN flagged ``overflow``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import ParseError
from assaykit.io._absent import grid_absent, publish_absent, sheet_row_where
from assaykit.io._grid import _column_number
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
    wells_in_ranges,
)
from assaykit.plate import ij_from_well

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_tecan_magellan", "read_tecan_spark"]

_UNITS = {
    "od": "OD",
    "abs": "OD",
    "rfu": "RFU",
    "rlu": "RLU",
    "counts / s": "CPS",
    "counts/s": "CPS",
    "cps": "CPS",
}
_MODE_UNITS = {"absorbance": "OD", "fluorescence": "RFU", "luminescence": "RLU"}


def _unit(text: str) -> str:
    t = text.strip().lower()
    if t in _UNITS:
        return _UNITS[t]
    return next((u for key, u in _MODE_UNITS.items() if key in t), "")  # unknown: '' (CONTRACTS §1)


# --------------------------------------------------------------------------------------- Magellan


def _magellan_header(rows: list[list[Any]]) -> tuple[int, int] | None:
    """(row, column) of the ``Well positions`` cell, or None."""
    for k, row in enumerate(rows):
        for j, cell in enumerate(row):
            if text_of(cell).lower() == "well positions":
                return k, j
    return None


def _sniff_magellan(sample: FileSample) -> bool:
    """A header row with ``Well positions`` and at least one other column heading."""
    for rows in sample.xlsx_cells.values():
        hit = _magellan_header(rows)
        if hit is not None:
            k, _ = hit
            return sum(1 for c in rows[k] if not is_blank(c)) >= 2
    return False


_TIME_RE = re.compile(r"^([+-]?\d+(?:[.,]\d+)?)\s*s$")
_TEMP_RE = re.compile(r"^([+-]?\d+(?:[.,]\d+)?)\s*°?\s*C$")


@register(
    "tecan_magellan",
    description="Tecan Magellan xlsx (long 'Raw data | Well positions' or wide 'Well positions | Label1 …')",
    kind="plate",
    sniff=_sniff_magellan,
    aliases=("magellan",),
)
def read_tecan_magellan(path: Path) -> pd.DataFrame:
    """Read a Tecan Magellan xlsx export into the tidy plate table.

    Parameters
    ----------
    path
        The ``.xlsx`` workbook written by Magellan.

    Returns
    -------
    pandas.DataFrame
        ``plate, well, row, col, read, value, unit, flag`` (+ ``time_s`` when a read occurs in
        several time columns, i.e. kinetic; + ``raw`` for flagged cells). ``read`` is the column
        heading (``Raw data``, ``Label1`` …). ``attrs``: ``instrument``, ``serial``, ``software``,
        ``date``, ``method``, ``workspace``, ``plate_names``, ``times_s``, ``temperatures_C``,
        ``footer`` (the free-text lines below the table).

    Raises
    ------
    ParseError
        No ``Well positions`` header, a well name that is not one, or text in a value cell.

    Examples
    --------
    >>> from tests.conftest import DATA
    >>> df = read_tecan_magellan(DATA / "exports" / "tecan_magellan" / "wide.xlsx")
    >>> df[["well", "read", "value", "unit"]].head(2)
      well    read  value unit
    0  A01  Label1   0.05   OD
    1  A01  Label2   0.06   OD
    """
    sheets = read_sheets(path)
    found = None
    for name, rows in sheets.items():
        hit = _magellan_header(rows)
        if hit is not None:
            found = (name, rows, *hit)
            break
    if found is None:
        first = next(iter(sheets), "")
        raise ParseError(
            "no 'Well positions' column heading found; expected a Magellan table with a "
            "'Well positions' column and one column per read",
            location=f"sheet '{first}'" if first else "workbook",
        )
    sheet, rows, kh, jw = found
    header = rows[kh]
    plate_col = next(
        (j for j, c in enumerate(header) if text_of(c).lower() == "plate" and j != jw), None
    )
    read_cols = [j for j, c in enumerate(header) if j not in (jw, plate_col) and not is_blank(c)]
    if not read_cols:
        raise ParseError(
            "the 'Well positions' header names no read column", location=location(sheet, kh)
        )

    # Header rows between the heading and the first well: times and temperatures per column.
    times: dict[int, float] = {}
    temps: dict[int, float] = {}
    k = kh + 1
    while k < len(rows):
        row = rows[k]
        well_cell = text_of(row[jw]) if jw < len(row) else ""
        if well_cell:
            break
        if not any(not is_blank(row[j]) for j in read_cols if j < len(row)):
            break
        for j in read_cols:
            t = text_of(row[j]) if j < len(row) else ""
            if m := _TIME_RE.match(t):
                times[j] = float(m.group(1).replace(",", "."))
            elif m := _TEMP_RE.match(t):
                temps[j] = float(m.group(1).replace(",", "."))
        k += 1
    labels = {j: text_of(header[j]) for j in read_cols}
    kinetic = len(set(labels.values())) < len(labels) and bool(times)

    records: list[dict[str, Any]] = []
    plate_names: list[str] = []
    current_plate = ""
    first_well = k
    while k < len(rows):
        row = rows[k]
        well_text = text_of(row[jw]) if jw < len(row) else ""
        if not well_text:
            break
        try:
            i, j0 = ij_from_well(well_text)
        except ValueError:
            if k == first_well:
                raise ParseError(
                    f"expected a well name such as 'A1' below 'Well positions', got {well_text!r}",
                    location=location(sheet, k, jw),
                ) from None
            break  # the free-text footer starts here
        plate_name = (
            text_of(row[plate_col]) if plate_col is not None and plate_col < len(row) else ""
        )
        if not plate_name and plate_names:
            # Magellan fills the Plate cell only on some rows; a blank one continues the plate
            plate_name = current_plate
        current_plate = plate_name
        if plate_name not in plate_names:
            plate_names.append(plate_name)
        for j in read_cols:
            cell = row[j] if j < len(row) else None
            if is_blank(cell):
                continue
            value, flag, raw = parse_cell(cell, sheet, k, j)
            rec: dict[str, Any] = {
                "plate": plate_names.index(plate_name) + 1,
                "row_i": i,
                "col_j": j0,
                "read": labels[j],
                "value": value,
                "unit": "",
                "flag": flag,
                "raw": raw,
            }
            if kinetic:
                rec["time_s"] = times.get(j)
            records.append(rec)
        k += 1
    if not records:
        raise ParseError(
            "the 'Well positions' header is not followed by rows of wells with values",
            location=location(sheet, kh),
        )

    footer = [text_of(r[0]) for r in rows[k:] if r and text_of(r[0])]
    attrs = _magellan_footer(footer)
    units = attrs.pop("units")
    distinct = list(dict.fromkeys(labels.values()))
    if len(set(units)) == 1:
        by_read = dict.fromkeys(distinct, units[0])
    elif len(units) == len(distinct):
        by_read = dict(zip(distinct, units, strict=True))
    else:
        by_read = {}
    for rec in records:
        rec["unit"] = by_read.get(rec["read"], "")
    attrs.update(
        {
            "software": "Magellan",
            "sheet": sheet,
            "plate_names": [p for p in plate_names if p],
            "times_s": {labels[j]: t for j, t in times.items()} if not kinetic else {},
            "temperatures_C": {labels[j]: t for j, t in temps.items()},
            "footer": footer,
        }
    )
    return plate_frame(records, attrs)


def _magellan_footer(lines: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "units": [],
        "instrument": "",
        "serial": "",
        "date": "",
        "method": "",
        "workspace": "",
    }
    for line in lines:
        low = line.lower()
        if low.startswith("unit:"):
            out["units"].append(_unit(line.split(":", 1)[1]))
        elif low.startswith("instrument serial number:"):
            out["serial"] = line.split(":", 1)[1].strip()
        elif low.startswith("date of measurement:"):
            out["date"] = line.split(":", 1)[1].split("/")[0].strip()
            if "time of measurement:" in low:
                out["time"] = line.lower().split("time of measurement:", 1)[1].strip()
        elif low.endswith(".mth") and not out["method"]:
            out["method"] = line
        elif low.endswith(".wsp") and not out["workspace"]:
            out["workspace"] = line
        elif low.startswith("measurement wavelength:"):
            out.setdefault("wavelengths", []).append(line.split(":", 1)[1].strip())
        elif low.startswith("measurement mode:"):
            out.setdefault("modes", []).append(line.split(":", 1)[1].strip())
        elif (
            re.fullmatch(r"[A-Z][A-Za-z0-9 ]{1,20}", line)
            and not out["instrument"]
            and "user" not in low
        ):
            out["instrument"] = "Tecan " + line  # e.g. 'ULTRA', 'SUNRISE', 'INFINITE'
    out["protocol"] = out["method"]
    return out


# ------------------------------------------------------------------------------------ Spark / i-control

_APP_RE = re.compile(r"^application:\s*(.*)$", re.IGNORECASE)


def _sniff_spark(sample: FileSample) -> bool:
    """``Application: SparkControl`` or ``Tecan i-control`` in the first rows."""
    for rows in sample.xlsx_cells.values():
        for row in rows[:20]:
            texts = [text_of(c) for c in row[:8]]
            for t in texts:
                m = _APP_RE.match(t)
                if m:
                    rest = (m.group(1) + " " + " ".join(texts)).lower()
                    if "sparkcontrol" in rest or "i-control" in rest:
                        return True
    return False


def _first_value(row: list[Any], start: int = 1) -> object:
    return next((c for c in row[start:] if not is_blank(c)), None)


def _spark_meta(rows: list[list[Any]]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for row in rows[:15]:
        if not row:
            continue
        key = text_of(row[0])
        rest = _first_value(row)
        low = key.lower()
        if low.startswith("method name:"):
            meta["protocol"] = key.split(":", 1)[1].strip()
        elif low.startswith("application:"):
            meta["software"] = (key.split(":", 1)[1].strip() + " " + text_of(rest)).strip()
        elif low.startswith("device:"):
            meta["instrument"] = "Tecan " + key.split(":", 1)[1].strip()
            if text_of(rest).lower().startswith("serial number:"):
                meta["serial"] = text_of(rest).split(":", 1)[1].strip()
        elif low.startswith("serial number:"):
            meta["serial"] = key.split(":", 1)[1].strip() or text_of(rest)
        elif low.startswith("firmware"):
            meta["firmware"] = text_of(rest)
        elif low.rstrip(": ") in ("date", "time", "system", "user", "plate"):
            meta[low.rstrip(": ")] = text_of(rest)
    return meta


def _spark_grid(
    sheet: str, rows: list[list[Any]], k: int, ctx: dict[str, Any], notes: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], int]:
    if header_width(rows[k]) < 2:
        raise ParseError(
            "expected column numbers 1, 2, 3, … after '<>'", location=location(sheet, k, 1)
        )
    grid, sheet_row = grid_at(sheet, rows, k)
    records = []
    for i, j, token in grid.cells:
        rec = _spark_value(sheet, sheet_row[i], j + 1, token, i, j, ctx)
        if rec is not None:
            records.append(rec)
    absent = grid_absent(
        grid,
        what=f"label {ctx['label']!r}",
        where=location(sheet, k, 0),
        notes=notes,
        row_where=sheet_row_where(sheet, k),
        plate=1,
        read=ctx["label"],
        unit=ctx["unit"],
    )
    part: set[tuple[int, int]] = ctx["part"]
    records += [r for r in absent if not part or (r["row_i"], r["col_j"]) in part]
    return records, grid.end


def _spark_value(
    sheet: str, k: int, jc: int, token: object, i: int, j: int, ctx: dict[str, Any]
) -> dict[str, Any] | None:
    part: set[tuple[int, int]] = ctx["part"]
    if is_blank(token):
        if (i, j) not in part:
            return None  # not measured
        value, flag, raw = float("nan"), "empty", ""
    else:
        value, flag, raw = parse_cell(token, sheet, k, jc)
    return {
        "plate": 1,
        "row_i": i,
        "col_j": j,
        "read": ctx["label"],
        "value": value,
        "unit": ctx["unit"],
        "flag": flag,
        "raw": raw,
    }


def _spark_kinetic(
    sheet: str, rows: list[list[Any]], k: int, ctx: dict[str, Any]
) -> tuple[list[dict[str, Any]], int]:
    """The ``Cycle Nr.`` table, cycles as rows (wells across) or as columns (wells down)."""
    row = rows[k]
    across = len(row) > 1 and text_of(row[1]).lower().startswith("time")
    records: list[dict[str, Any]] = []
    if across:
        cols = {j: text_of(c) for j, c in enumerate(row) if j >= 1 and not is_blank(c)}
        time_col = 1
        well_cols = {}
        for j, name in cols.items():
            if j == time_col or name.lower().startswith("temp"):
                continue
            try:
                well_cols[j] = ij_from_well(name)
            except ValueError:
                raise ParseError(
                    f"expected a well name such as 'A1', got {name!r}",
                    location=location(sheet, k, j),
                ) from None
        kk = k + 1
        while kk < len(rows) and rows[kk] and _column_number(rows[kk][0]) is not None:
            r = rows[kk]
            t = r[time_col] if len(r) > time_col else None
            time_s, tflag, _ = parse_cell(t, sheet, kk, time_col)
            if tflag:
                raise ParseError(
                    f"expected the elapsed time in seconds, got {text_of(t)!r}",
                    location=location(sheet, kk, time_col),
                )
            for j, (i, jj) in well_cols.items():
                rec = _spark_value(sheet, kk, j, r[j] if j < len(r) else None, i, jj, ctx)
                if rec is not None:
                    rec["time_s"] = time_s
                    records.append(rec)
            kk += 1
        return records, kk
    # cycles as columns: rows 'Cycle Nr.', 'Time [s]', 'Temp. [°C]', then one row per well
    time_row = k + 1
    if time_row >= len(rows) or not text_of(
        rows[time_row][0] if rows[time_row] else ""
    ).lower().startswith("time"):
        raise ParseError(
            "expected 'Time [s]' beside or below 'Cycle Nr.'", location=location(sheet, k, 0)
        )
    times = rows[time_row]
    n_cycles = len(rows[k]) - 1
    kk = time_row + 1
    while kk < len(rows) and rows[kk]:
        name = text_of(rows[kk][0])
        if name.lower().startswith("temp"):
            kk += 1
            continue
        try:
            i, jj = ij_from_well(name)
        except ValueError:
            break
        r = rows[kk]
        for c in range(1, n_cycles + 1):
            t = times[c] if c < len(times) else None
            time_s, tflag, _ = parse_cell(t, sheet, time_row, c)
            if tflag:
                raise ParseError(
                    f"expected the elapsed time in seconds, got {text_of(t)!r}",
                    location=location(sheet, time_row, c),
                )
            rec = _spark_value(sheet, kk, c, r[c] if c < len(r) else None, i, jj, ctx)
            if rec is not None:
                rec["time_s"] = time_s
                records.append(rec)
        kk += 1
    return records, kk


@register(
    "tecan_spark",
    description="Tecan SparkControl / i-control xlsx result sheet (endpoint grid or kinetic cycles)",
    kind="plate",
    sniff=_sniff_spark,
    aliases=("spark", "sparkcontrol", "tecan_icontrol", "i-control"),
)
def read_tecan_spark(path: Path) -> pd.DataFrame:
    """Read a Tecan SparkControl or i-control xlsx export into the tidy plate table.

    Parameters
    ----------
    path
        The ``.xlsx`` workbook (``Result sheet``).

    Returns
    -------
    pandas.DataFrame
        ``plate, well, row, col, read, value, unit, flag`` (+ ``time_s`` for kinetic labels, the
        measured elapsed seconds of each cycle; + ``raw`` for flagged cells). ``read`` is the
        label name (``Label 1``). Wells outside ``Part of Plate`` are left out.
        ``attrs``: ``instrument``, ``serial``, ``software``, ``firmware``, ``protocol`` (method
        name), ``date``, ``time``, ``plate``, ``labels`` (the parameters of each label).

    Raises
    ------
    ParseError
        No data grid or cycle table, or text where a value belongs (names the cell).

    Examples
    --------
    >>> from tests.conftest import DATA
    >>> df = read_tecan_spark(DATA / "exports" / "tecan_spark" / "endpoint.xlsx")
    >>> df[["well", "read", "value", "unit", "flag"]]
      well     read    value unit      flag
    0  B02  Label 1  12345.0  CPS
    1  B03  Label 1      NaN  CPS  overflow
    2  C02  Label 1    678.0  CPS
    3  C03  Label 1      NaN  CPS     empty
    """
    sheets = read_sheets(path)
    sheet = next(
        (
            n
            for n, r in sheets.items()
            if any(_APP_RE.match(text_of(c)) for row in r[:20] for c in row[:8])
        ),
        None,
    )
    if sheet is None:
        sheet = next(iter(sheets), "")
        raise ParseError(
            "no 'Application: SparkControl' / 'Tecan i-control' line found in the first rows",
            location=f"sheet '{sheet}'" if sheet else "workbook",
        )
    rows = sheets[sheet]
    meta = _spark_meta(rows)
    # One context per label section. SparkControl writes 'Mode' then 'Name'; i-control writes
    # 'Label: Label1' before 'Mode'. A context is used up by its grid or cycle table.
    ctx: dict[str, Any] = {"label": "", "unit": "", "part": set(), "mode": "", "used": True}
    labels: dict[str, dict[str, Any]] = {}
    records: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    k = 0
    while k < len(rows):
        row = rows[k]
        key = text_of(row[0]) if row else ""
        low = key.lower()
        value = _first_value(row) if row else None
        if low == "mode" or low.startswith("label:"):
            if ctx["used"]:
                ctx = {"label": "", "unit": "", "part": set(), "mode": "", "used": False}
            if low == "mode":
                ctx["mode"] = text_of(value)
                ctx["unit"] = ctx["unit"] or _unit(ctx["mode"])
            else:
                ctx["label"] = key.split(":", 1)[1].strip() or text_of(value)
        elif low == "name" and ctx["mode"] and not ctx["used"]:
            ctx["label"] = text_of(value)
        elif low in ("output", "unit") and not ctx["used"]:
            ctx["unit"] = _unit(text_of(value))
        elif low in ("part of plate", "part of the plate"):
            ctx["part"] = wells_in_ranges(text_of(value))
        elif key == "<>" or low.startswith("cycle nr"):
            if not ctx["label"]:
                ctx["label"] = ctx["mode"] or "Label 1"
            if key == "<>":
                got, k = _spark_grid(sheet, rows, k, ctx, notes)
            else:
                got, k = _spark_kinetic(sheet, rows, k, ctx)
            records.extend(got)
            info = labels.setdefault(ctx["label"], {})
            info.update({"mode": ctx["mode"], "unit": ctx["unit"]})
            ctx["used"] = True
            continue
        if ctx["label"] and key and value is not None and low not in ("mode", "name"):
            labels.setdefault(ctx["label"], {}).setdefault(key, value)
        k += 1
    if not records:
        raise ParseError(
            "no data found: expected a grid whose top-left cell is '<>' or a 'Cycle Nr.' table",
            location=f"sheet '{sheet}'",
        )
    meta.update({"sheet": sheet, "labels": labels})
    publish_absent(meta, notes)
    return plate_frame(records, meta)
