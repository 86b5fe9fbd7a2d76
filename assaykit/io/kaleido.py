"""Revvity Kaleido / EnSight CSV (``EnSight Results from`` …).

The file opens with ``EnSight Results from``, ``Protocol Name`` and ``Measurement Date``; then per
label a ``Result for <label>`` title, a settings header (Barcode, Repeat, Loop no, …) with one value
line, and a plate grid ``,1,2,…`` with row letters. Trailer sections (``Measurement Information``,
``Instrument Information``, ``Protocol Information``, ``Plate Type Information`` …) hold
``key,,value`` lines. Kaleido 3.5 pads every line with separators; trailing empty cells are
ignored. Each ``Result for`` block is one read named after its label; the unit is not written in
the file and is left ``''``. A new ``EnSight Results from`` line starts the next plate.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from assaykit.errors import ParseError
from assaykit.io._absent import publish_absent
from assaykit.io._grid import is_grid_header
from assaykit.io._plate_text import check_rows, grid_records, load_text
from assaykit.io._registry import FileSample, register
from assaykit.io._text import plate_frame

__all__ = ["read_kaleido", "sniff_kaleido"]

_FIRST_RE = re.compile(r"^\s*EnSight Results from", re.IGNORECASE)
_KV_SECTIONS = {
    "Measurement Information": "measurement_info",
    "Instrument Information": "instrument_info",
    "Protocol Information": "protocol_info",
    "Plate Type Information": "plate_type",
}
_OTHER_SECTIONS = {
    "Plate Type Coordinates [mm]",
    "Platemap",
    "Measurement Sequence",
    "Details of Measurement Sequence",
    "Post Processing Sequence",
    "EXPORT",
    "Comments:",
}


def sniff_kaleido(sample: FileSample) -> bool:
    """True when the first non-empty line starts with ``EnSight Results from``."""
    return bool(_FIRST_RE.match(sample.text.lstrip().split("\n", 1)[0]))


@register(
    "kaleido",
    description="Revvity Kaleido / EnSight CSV (Result for <label> blocks with plate grids)",
    kind="plate",
    sniff=sniff_kaleido,
    aliases=("ensight", "revvity-kaleido"),
)
def read_kaleido(path: Path) -> pd.DataFrame:
    """Read a Revvity Kaleido / EnSight CSV export into the tidy plate table.

    Parameters
    ----------
    path
        The ``.csv`` export.

    Returns
    -------
    pandas.DataFrame
        ``plate, well, row, col, read, value, unit, flag`` (+ ``raw`` for flagged cells).
        ``attrs``: ``instrument``, ``software``, ``protocol``, ``measurement_date`` (as written),
        ``barcode``, ``plates`` (per plate: measurement date, barcode), ``reads`` (per read: the settings line, e.g. Barcode and Repeat),
        ``measurement_info``, ``instrument_info``, ``protocol_info``, ``plate_type``, ``encoding``,
        ``separator``, ``decimal``.

    Raises
    ------
    ParseError
        A ``Result for`` block without its grid, a grid with a missing or cut-off row, text in a
        value cell.
    """
    exp = load_text(path)
    attrs: dict[str, Any] = {"instrument": "Revvity EnSight/EnVision", **exp.attrs()}
    records: list[dict[str, Any]] = []
    reads_meta: dict[str, dict[str, str]] = {}
    seen: dict[tuple[int, str], int] = {}
    notes: list[dict[str, Any]] = []
    plates: dict[str, dict[str, str]] = {}
    plate = 0
    section: str | None = None
    k = 0
    while k < len(exp.rows):
        row = exp.rows[k]
        first = row[0] if row else ""
        if _FIRST_RE.match(first):
            plate += 1
            section = None
        elif first.startswith("Result for "):
            if plate == 0:
                raise ParseError(
                    "'Result for …' before the 'EnSight Results from' line", line=k + 1
                )
            label = first.removeprefix("Result for ").strip()
            k = _read_block(exp, k, plate, label, records, reads_meta, seen, notes)
            barcode = reads_meta[_read_key(label, plate)].get("Barcode")
            if barcode:
                plates.setdefault(str(plate), {}).setdefault("barcode", barcode)
            section = None
            continue
        elif first in ("Protocol Name", "Measurement Date") and section is None and len(row) >= 2:
            attrs.setdefault(first.lower().replace(" ", "_"), row[1])
            if plate:
                plates.setdefault(str(plate), {})[first.lower().replace(" ", "_")] = row[1]
        elif first in _KV_SECTIONS:
            section = _KV_SECTIONS[first]
            attrs.setdefault(section, {})
        elif first in _OTHER_SECTIONS or (first.startswith("Exported with") and len(row) == 1):
            section = None
            if first.startswith("Exported with"):
                attrs["software"] = first.removeprefix("Exported with").strip()
        elif section and len(row) >= 2 and first:
            attrs[section].setdefault(first, row[-1])
        k += 1
    if not records:
        raise ParseError(
            "no 'Result for <label>' block with a plate grid was found", line=exp.last_line
        )
    attrs["reads"] = reads_meta
    attrs["plates"] = plates
    if "protocol_name" in attrs:
        attrs["protocol"] = attrs.pop("protocol_name")
    info = attrs.get("measurement_info", {})
    if info.get("Barcode"):
        attrs["barcode"] = info["Barcode"]
    serial = attrs.get("instrument_info", {}).get("Instrument Serial Number")
    if serial:
        attrs["serial_number"] = serial
    publish_absent(attrs, notes)
    return plate_frame(records, attrs)


def _read_key(label: str, plate: int) -> str:
    return label if plate == 1 else f"{label} (plate {plate})"


def _read_block(
    exp: Any,
    k: int,
    plate: int,
    label: str,
    records: list[dict[str, Any]],
    reads_meta: dict[str, dict[str, str]],
    seen: dict[tuple[int, str], int],
    notes: list[dict[str, Any]],
) -> int:
    """Parse the ``Result for`` block titled at line index ``k``; return the next index."""
    if not label:
        raise ParseError("'Result for' without a label name", line=k + 1)
    if (plate, label) in seen:
        raise ParseError(
            f"a second 'Result for {label}' block in plate {plate} (the first is at line "
            f"{seen[(plate, label)]})",
            line=k + 1,
        )
    seen[(plate, label)] = k + 1
    j = k + 1
    meta: dict[str, str] = {}
    if j < len(exp.rows) and exp.rows[j] and not is_grid_header(exp.rows[j], gaps=True):
        names = exp.rows[j]
        values = exp.rows[j + 1] if j + 1 < len(exp.rows) else []
        meta = {n: (values[c] if c < len(values) else "") for c, n in enumerate(names) if n}
        j += 2
    header = exp.next_nonblank(j)
    if header >= len(exp.rows) or not is_grid_header(exp.rows[header], gaps=True):
        raise ParseError(
            f"'Result for {label}' must be followed by a plate grid with a header ',1,2,3,…'",
            line=min(header, len(exp.lines) - 1) + 1,
        )
    what = f"plate {plate}, 'Result for {label}'"
    fields: dict[str, Any] = {"plate": plate, "read": label, "unit": ""}
    recs, end, order = grid_records(exp, header, what=what, **fields)
    recs += check_rows(exp, order, header=header, end=end, what=what, notes=notes, **fields)
    if end < len(exp.rows) and exp.rows[end]:
        raise ParseError(
            f"{what}: expected a row labelled with a plate row letter or a blank line after the grid, "
            f"got {exp.lines[end][:40]!r}",
            line=end + 1,
        )
    records.extend(recs)
    reads_meta[_read_key(label, plate)] = {key: val for key, val in meta.items() if val}
    return end
