"""Agilent BioTek Gen5 tab-separated text export (endpoint and kinetic, one or more plates).

Structure: ``Software Version``, the experiment and protocol paths, then per plate a
``Plate Number`` block (Date, Time, Reader Type, Reader Serial Number, Reading Type),
``Procedure Details`` (free text), a ``Layout`` grid and the data sections:

- plate grids (``Results`` and other titled grids): a header ``\\t1\\t2…`` then one line per row
  *and data set*; continuation lines start with an empty row cell and the last cell names the data
  set (``LUM:Lum``, ``NormLum``, ``Max V [Blank OD600:450]``), which becomes the read;
- kinetic tables: a title (``OD600:450``, ``Blank OD600:450``), then ``Time\\t[T° …]\\tA1\\tA2…``
  and one line per time point (``H:MM:SS`` → ``time_s``); the temperature column is ignored.

Units: a data set named ``<read step>:<wavelength or filter>`` gets the unit of the read step's
mode in Procedure Details (Absorbance → ``OD``, Fluorescence → ``RFU``, Luminescence → ``RLU``);
derived data sets (blank-subtracted, normalised, calculated) get ``''``. Cells written as
``H:MM:SS`` in a results grid (e.g. ``t at Max V``) become seconds with unit ``s``. ``?????`` is
flagged ``undefined``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from assaykit.errors import ParseError
from assaykit.io._absent import absent_records, check_not_cut_off, publish_absent
from assaykit.io._grid import is_grid_header
from assaykit.io._plate_text import TextExport, cell_record, load_text, seconds_from_clock
from assaykit.io._registry import FileSample, register
from assaykit.io._text import plate_frame
from assaykit.plate import ij_from_well, row_index, row_label

__all__ = ["read_gen5", "sniff_gen5"]

_ROW_RE = re.compile(r"^(?:[A-Z]|A[A-F])$")
_WELL_HEADER_RE = re.compile(r"^[A-Z]{1,2}\d{1,2}$")
_MODE_UNITS = {"absorbance": "OD", "fluorescence": "RFU", "luminescence": "RLU"}
_PLATE_KEYS = ("Date", "Time", "Reader Type", "Reader Serial Number", "Reading Type")


def sniff_gen5(sample: FileSample) -> bool:
    """True for a Gen5 text export: ``Software Version`` and ``Plate Number`` lines, tab-separated."""
    text = sample.text
    return bool(
        re.search(r"^Software Version\t", text, re.MULTILINE)
        and re.search(r"^Plate Number\t", text, re.MULTILINE)
    )


@register(
    "gen5",
    description="Agilent BioTek Gen5 tab-separated text export (endpoint grids and kinetic tables)",
    kind="plate",
    sniff=sniff_gen5,
    aliases=("biotek-gen5", "agilent-gen5"),
)
def read_gen5(path: Path) -> pd.DataFrame:
    """Read a Gen5 text export into the tidy plate table.

    Parameters
    ----------
    path
        The tab-separated ``.txt`` export.

    Returns
    -------
    pandas.DataFrame
        ``plate, well, row, col, read, value, unit, flag`` (+ ``time_s`` when the file has
        kinetic tables, NaN for endpoint rows; + ``raw`` for flagged cells). ``attrs``:
        ``software``, ``experiment_file``, ``protocol_file``, ``instrument`` (reader type of the
        first plate), ``serial_number``, ``measurement_date`` (Date and Time of the first plate, as
        written), ``plates`` (per plate number: Date, Time, Reader Type …, procedure text),
        ``encoding``, ``separator``, ``decimal``.

    Raises
    ------
    ParseError
        Data before ``Plate Number``, a grid row cut short, a missing row or data-set line,
        text in a value cell, a kinetic line shorter than its header.
    """
    exp = load_text(path, separator="\t")
    attrs: dict[str, Any] = {**exp.attrs()}
    plates: dict[str, dict[str, Any]] = {}
    records: list[dict[str, Any]] = []
    plate = 0
    modes: dict[str, str] = {}
    seen: set[tuple[int, str]] = set()
    notes: list[dict[str, Any]] = []
    k = 0
    while k < len(exp.rows):
        row = exp.rows[k]
        first = row[0] if row else ""
        if first == "Software Version" and len(row) >= 2:
            attrs["software"] = f"Gen5 {row[1]}"
        elif first == "Experiment File Path:":
            attrs["experiment_file"] = row[1] if len(row) > 1 else ""
        elif first == "Protocol File Path:":
            attrs["protocol_file"] = row[1] if len(row) > 1 else ""
        elif first == "Plate Number":
            m = re.search(r"(\d+)\s*$", row[1] if len(row) > 1 else "")
            plate = int(m.group(1)) if m else plate + 1
            if str(plate) in plates:
                raise ParseError(f"plate number {plate} appears twice", line=k + 1)
            plates[str(plate)] = {"name": row[1] if len(row) > 1 else ""}
            modes = {}
        elif plate and first.rstrip(":") in _PLATE_KEYS and len(row) >= 2:
            plates[str(plate)].setdefault(first.rstrip(":"), row[1])
        elif first == "Procedure Details":
            k = _procedure(exp, k, plates.get(str(plate)), modes)
            continue
        elif len(row) == 1 and first:
            nxt = exp.next_nonblank(k + 1)
            if nxt < len(exp.rows) and is_grid_header(exp.rows[nxt]):
                if first != "Layout":
                    _need_plate(plate, first, k)
                    recs = _grid_section(exp, nxt, plate, first, modes, seen, notes)
                    records.extend(recs)
                k = _grid_end(exp, nxt)
                continue
            if nxt < len(exp.rows) and exp.rows[nxt][:1] == ["Time"]:
                _need_plate(plate, first, k)
                recs, k = _kinetic_section(exp, nxt, plate, first, modes, seen)
                records.extend(recs)
                continue
        k += 1
    if not records:
        raise ParseError(
            "no data found: expected a 'Results' grid or a kinetic table after 'Plate Number'",
            line=exp.last_line,
        )
    if plates:
        p1 = plates[min(plates, key=int)]
        if p1.get("Reader Type"):
            attrs["instrument"] = f"BioTek {p1['Reader Type']}"
        if p1.get("Reader Serial Number"):
            attrs["serial_number"] = p1["Reader Serial Number"]
        when = " ".join(p1[key] for key in ("Date", "Time") if p1.get(key))
        if when:
            attrs["measurement_date"] = when
    if "protocol_file" in attrs:
        attrs["protocol"] = attrs["protocol_file"]
    attrs["plates"] = plates
    publish_absent(attrs, notes)
    return plate_frame(records, attrs)


def _need_plate(plate: int, title: str, k: int) -> None:
    if not plate:
        raise ParseError(f"section {title!r} comes before any 'Plate Number' line", line=k + 1)


def _procedure(
    exp: TextExport, k: int, plate_meta: dict[str, Any] | None, modes: dict[str, str]
) -> int:
    """Collect Procedure Details (text, and read step → mode); return the index after it."""
    lines: list[str] = []
    j = k + 1
    step = ""
    while j < len(exp.rows):
        row = exp.rows[j]
        first = row[0] if row else ""
        if first in ("Layout", "Results", "Plate Number") or (
            len(row) == 1
            and first
            and not exp.lines[j].startswith(("\t", " "))
            and first != "Read"
            and j + 1 < len(exp.rows)
            and not exp.rows[j + 1]
        ):
            break
        if first == "Read" and len(row) > 1:
            step = row[1]
        elif not first and len(row) > 1 and step and step not in modes:
            mode = row[1].split(" ")[0].lower()
            if mode in _MODE_UNITS:
                modes[step] = _MODE_UNITS[mode]
        if exp.lines[j].strip():
            lines.append(exp.lines[j].strip().replace("\t", " "))
        j += 1
    if plate_meta is not None:
        plate_meta["procedure"] = "; ".join(lines)
    return j


def _grid_end(exp: TextExport, header: int) -> int:
    j = header + 1
    while j < len(exp.rows) and exp.rows[j]:
        j += 1
    return j


def _unit_of(name: str, modes: dict[str, str]) -> str:
    step = name.split(":", 1)[0].strip() if ":" in name else ""
    return modes.get(step, "")


def _grid_section(
    exp: TextExport,
    header: int,
    plate: int,
    title: str,
    modes: dict[str, str],
    seen: set[tuple[int, str]],
    notes: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """A plate grid whose rows may span several lines, one per data set named in the last cell.

    Rows come in order, each once; rows the grid leaves out are ``absent`` (``_absent.py``)."""
    n_cols = len(exp.rows[header]) - 1
    records: list[dict[str, Any]] = []
    current = -1
    row_sets: dict[int, list[str]] = {}
    row_lines: dict[int, int] = {}
    j = header + 1
    while j < len(exp.rows) and exp.rows[j]:
        cells = exp.lines[j].split("\t")
        label = cells[0].strip()
        if label:
            if not _ROW_RE.match(label):
                raise ParseError(
                    f"grid {title!r}: expected a row letter or an empty first cell, got {label!r}",
                    line=j + 1,
                )
            i = row_index(label)
            if i <= current:
                raise ParseError(
                    f"grid {title!r}: row {label} follows row {row_label(current)}; expected rows in order",
                    line=j + 1,
                )
            current = i
            row_sets[i] = []
            row_lines[i] = j + 1
        elif current < 0:
            raise ParseError(
                f"grid {title!r}: the first line after the header has no row letter", line=j + 1
            )
        if len(cells) < n_cols + 1:
            raise ParseError(
                f"grid {title!r}, row {row_label(current)}: {len(cells) - 1} cells where the header has "
                f"{n_cols} columns (is the file cut off?)",
                line=j + 1,
            )
        name = cells[n_cols + 1].strip() if len(cells) > n_cols + 1 else ""
        name = name or title
        if name in row_sets[current]:
            raise ParseError(
                f"grid {title!r}, row {row_label(current)}: data set {name!r} twice", line=j + 1
            )
        row_sets[current].append(name)
        unit = _unit_of(name, modes)
        for c in range(n_cols):
            token = cells[c + 1].strip()
            secs = seconds_from_clock(token)
            if secs is not None:
                records.append(
                    {
                        "row_i": current,
                        "col_j": c,
                        "value": secs,
                        "flag": "",
                        "plate": plate,
                        "read": name,
                        "unit": "s",
                    }
                )
                continue
            records.append(
                cell_record(
                    token,
                    i=current,
                    j=c,
                    decimal=exp.decimal,
                    line=j + 1,
                    what=f"data set {name!r}",
                    plate=plate,
                    read=name,
                    unit=unit,
                )
            )
        j += 1
    sets = list(row_sets.values())
    for i, names in row_sets.items():
        if names != sets[0]:
            raise ParseError(
                f"grid {title!r}: row {row_label(i)} has data sets {names} but row A has {sets[0]} "
                "(a line of the grid is missing)",
                line=row_lines[i],
            )
    for name in sets[0] if sets else []:
        if (plate, name) in seen:
            raise ParseError(f"data set {name!r} appears twice for plate {plate}", line=header)
        seen.add((plate, name))
    order = list(row_sets)
    check_not_cut_off(
        order,
        n_cols,
        at_end=exp.next_nonblank(j) >= len(exp.rows),
        what=f"grid {title!r}",
        line=j + 1,
    )
    for name in sets[0] if sets else []:
        absent, rows_out, cols_out = absent_records(
            order, range(n_cols), plate=plate, read=name, unit=_unit_of(name, modes)
        )
        records += absent
        if absent:
            notes.append(
                {
                    "where": f"line {header + 1}",
                    "what": f"plate {plate}, {name!r}",
                    "rows": rows_out,
                    "cols": cols_out,
                }
            )
    return records


def _kinetic_section(
    exp: TextExport,
    header: int,
    plate: int,
    title: str,
    modes: dict[str, str],
    seen: set[tuple[int, str]],
) -> tuple[list[dict[str, Any]], int]:
    """A time × well table; returns its records and the index after it."""
    names = exp.lines[header].split("\t")
    wells: dict[int, tuple[int, int]] = {}
    for c, name in enumerate(names[1:], start=1):
        name = name.strip()
        if _WELL_HEADER_RE.match(name):
            try:
                wells[c] = ij_from_well(name)
            except ValueError:
                raise ParseError(
                    f"kinetic table {title!r}: column {c + 1} header {name!r} is not a well",
                    line=header + 1,
                ) from None
        elif name and not name.startswith("T"):
            raise ParseError(
                f"kinetic table {title!r}: column {c + 1} header {name!r} is neither a well nor a temperature",
                line=header + 1,
            )
    if not wells:
        raise ParseError(
            f"kinetic table {title!r}: no well columns (A1, A2, …) in the header", line=header + 1
        )
    if (plate, title) in seen:
        raise ParseError(f"table {title!r} appears twice for plate {plate}", line=header - 1)
    seen.add((plate, title))
    unit = _unit_of(title, modes)
    records: list[dict[str, Any]] = []
    j = header + 1
    while j < len(exp.rows) and exp.rows[j]:
        cells = exp.lines[j].split("\t")
        t = seconds_from_clock(cells[0])
        if t is None:
            raise ParseError(
                f"kinetic table {title!r}: expected a time H:MM:SS in the first cell, got {cells[0].strip()!r}",
                line=j + 1,
            )
        if len(cells) < len(names):
            raise ParseError(
                f"kinetic table {title!r}: {len(cells)} cells where the header has {len(names)} "
                "(is the file cut off?)",
                line=j + 1,
            )
        for c, (i, jj) in wells.items():
            records.append(
                cell_record(
                    cells[c],
                    i=i,
                    j=jj,
                    decimal=exp.decimal,
                    line=j + 1,
                    what=f"table {title!r}",
                    plate=plate,
                    read=title,
                    unit=unit,
                    time_s=t,
                )
            )
        j += 1
    if j == header + 1:
        raise ParseError(
            f"kinetic table {title!r} has a header but no time points", line=header + 2
        )
    return records, j
