"""BMG Labtech MARS plate-format CSV (PHERAstar, CLARIOstar, FLUOstar …).

The export starts with ``Key: value`` cells (``User:``, ``Path:``, ``Test run no.:``, ``Test name:``,
``Date:``, ``Time:``, ``ID1:`` …), then the read mode (``Absorbance``, ``Fluorescence (FI)``,
``Luminescence``) and one grid per data block titled ``Raw Data (<filter>)``. Each block becomes a
read named after the text in brackets (``485/520``, ``450``, ``No filter``); other titled grids
(e.g. blank-corrected data) keep their whole title as the read name and unit ``''``. Rows of a
1536-well plate go on after ``Z`` with ``a``–``f``. The separator and decimal mark follow the
Windows locale and are detected per file.
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

__all__ = ["read_bmg_mars", "sniff_bmg_mars"]

_KEY_RE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9 .#]*?):\s*(?P<value>.*)$")
_RAW_RE = re.compile(r"^Raw Data\s*\((?P<filter>.*)\)\s*$")
_MODE_UNITS = {"absorbance": "OD", "fluorescence": "RFU", "luminescence": "RLU"}
_FIRST_LINE_RE = re.compile(r"^User:.*Path:.*Test run no\.:", re.IGNORECASE)


def sniff_bmg_mars(sample: FileSample) -> bool:
    """True for a MARS export: its first line holds ``User:``, ``Path:`` and ``Test run no.:``."""
    text = sample.text.lstrip()
    first = text.split("\n", 1)[0]
    return bool(_FIRST_LINE_RE.match(first))


def instrument_from_path(path_text: str) -> str:
    """The BMG instrument named by the ``Path:`` entry (the folder after ``BMG``), else ''.

    Examples
    --------
    >>> instrument_from_path(r"C:\\Program Files (x86)\\BMG\\PHERAstar\\User\\Data")
    'PHERAstar'
    >>> instrument_from_path(r"D:\\data")
    ''
    """
    parts = [p for p in re.split(r"[\\/]", path_text) if p]
    for n, part in enumerate(parts[:-1]):
        if part.upper() == "BMG":
            return parts[n + 1]
    return ""


@register(
    "bmg_mars",
    description="BMG Labtech MARS plate-format CSV (one grid per Raw Data block)",
    kind="plate",
    sniff=sniff_bmg_mars,
    aliases=("mars", "bmg-mars"),
)
def read_bmg_mars(path: Path) -> pd.DataFrame:
    """Read a BMG MARS plate-format CSV export into the tidy plate table.

    Parameters
    ----------
    path
        The ``.csv`` export.

    Returns
    -------
    pandas.DataFrame
        ``plate, well, row, col, read, value, unit, flag`` (+ ``raw`` for flagged cells); ``plate``
        is 1 (a MARS plate-format file holds one plate). ``attrs`` holds every ``Key: value``
        of the header (``user``, ``path``, ``test_run_no``, ``test_name``, ``date``, ``time``,
        ``id1`` …), ``instrument`` (from ``Path:``), ``read_mode``, ``encoding``, ``separator``,
        ``decimal``.

    Raises
    ------
    ParseError
        No data block, a grid with a missing or cut-off row, text in a value cell.
    """
    exp = load_text(path)
    attrs: dict[str, Any] = {**exp.attrs()}
    header_info: dict[str, str] = {}
    mode = ""
    records: list[dict[str, Any]] = []
    reads: dict[str, int] = {}
    notes: list[dict[str, Any]] = []
    k = 0
    while k < len(exp.rows):
        row = exp.rows[k]
        if not row:
            k += 1
            continue
        if is_grid_header(row, gaps=True):
            raise ParseError("a plate grid without a 'Raw Data (…)' title above it", line=k + 1)
        pairs = [m for m in (_KEY_RE.match(c) for c in row if c) if m]
        if pairs and len(pairs) == len([c for c in row if c]) and not _RAW_RE.match(row[0]):
            for m in pairs:
                key = re.sub(r"[^a-z0-9]+", "_", m["key"].strip().lower()).strip("_")
                header_info.setdefault(key, m["value"].strip())
            k += 1
            continue
        title = row[0].strip()
        nxt = exp.next_nonblank(k + 1)
        if len(row) == 1 and nxt < len(exp.rows) and is_grid_header(exp.rows[nxt], gaps=True):
            raw = _RAW_RE.match(title)
            read = raw["filter"].strip() if raw else title
            unit = _MODE_UNITS.get(mode.split(" ")[0].lower(), "") if raw else ""
            if read in reads:
                raise ParseError(
                    f"a second block {title!r} (the first is at line {reads[read]}); expected one grid per block",
                    line=k + 1,
                )
            reads[read] = k + 1
            what = f"block {title!r}"
            fields: dict[str, Any] = {"plate": 1, "read": read, "unit": unit}
            recs, end, order = grid_records(exp, nxt, what=what, **fields)
            recs += check_rows(exp, order, header=nxt, end=end, what=what, notes=notes, **fields)
            records.extend(recs)
            k = end
            continue
        if len(row) == 1 and not mode and not records:
            mode = title
        k += 1
    if not records:
        raise ParseError(
            "no data block found: expected a 'Raw Data (…)' title followed by a grid ',1,2,3,…'",
            line=exp.last_line,
        )
    attrs.update(header_info)
    attrs["instrument"] = " ".join(
        s for s in ("BMG Labtech", instrument_from_path(header_info.get("path", ""))) if s
    )
    attrs["software"] = "MARS"
    if mode:
        attrs["read_mode"] = mode
    if "test_name" in header_info:
        attrs["protocol"] = header_info["test_name"]
    publish_absent(attrs, notes)
    return plate_frame(records, attrs)
