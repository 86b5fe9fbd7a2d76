"""PerkinElmer WIZARD2 gamma counter: the flat CSV with one row per counted tube.

The header is ``Protocol ID,Protocol name,Measurement date & time,Completion status,Run ID,Rack,
Det,Pos,Time,Sample code`` followed by one column group per nuclide, each column named
``<nuclide> <quantity>`` (``I-125 Counts``, ``I-125 CPM``, ``I-125 Error %``, ``I-125 Info``).
The groups are found by pattern, so ``Tc-99m CPM`` or a dual-label protocol need no change.

Output: the counter table, **one row per tube × nuclide** (a single-label run gives one row per
tube), with

- ``rack``, ``position`` (``Pos``), ``sample`` (``Sample code``);
- ``counts``, ``cpm`` (the vendor's CPM, never recomputed: it is background-corrected and may be
  negative near background), ``error_pct``;
- ``count_time_s`` (``Time``), ``measured_at`` (``Measurement date & time``: the start of the
  count, shared by the tubes counted together on the five detectors);
- ``isotope`` from the column group, ``flag`` = the ``Info`` text passed through (``I`` marks
  near-background tubes), joined by ``;`` with a marker flag when a number cell holds e.g.
  ``OVRFLW``;
- extra columns ``detector``, ``run_id``, ``protocol_id``, ``completion_status`` and every
  other column snake_cased (``CPM-Bkg`` → ``cpm_bkg``, ``DPM`` → ``dpm``).

Separators ``,`` and ``;`` (with a decimal comma) are both accepted. Time stamps must be
``YYYY-MM-DD HH:MM[:SS]`` or ``DD.MM.YYYY HH:MM[:SS]``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import ParseError
from assaykit.io._counter import (
    check_count_time,
    check_time_order,
    counter_number,
    loose_value,
    parse_timestamp,
    snake_name,
)
from assaykit.io._registry import FileSample, register
from assaykit.io._text import counter_frame, detect_decimal, read_text

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_wizard2"]

_GROUP_RE = re.compile(r"^([A-Z][a-z]?-\d{1,3}m?)\s+(.+)$")

#: Header (lower case) → output column, for the columns outside the nuclide groups.
_FIXED = {
    "protocol id": "protocol_id",
    "protocol name": "protocol",
    "measurement date & time": "measured_at",
    "completion status": "completion_status",
    "run id": "run_id",
    "rack": "rack",
    "det": "detector",
    "pos": "position",
    "time": "count_time_s",
    "sample code": "sample",
}
#: Quantity (lower case) of a nuclide group → output column.
_QUANTITY = {"counts": "counts", "cpm": "cpm", "error %": "error_pct", "info": "flag"}
_REQUIRED = ("measured_at", "rack", "position", "count_time_s")


def _first_line(text: str) -> tuple[int, str]:
    for k, line in enumerate(text.split("\n")):
        if line.strip():
            return k, line
    return -1, ""


def _sniff(sample: FileSample) -> bool:
    _, line = _first_line(sample.text)
    low = line.lower().lstrip('"')
    return (
        low.startswith("protocol id")
        and "protocol name" in low
        and "measurement date & time" in low
    )


def _cells(line: str, sep: str) -> list[str]:
    if '"' in line:
        return [c.strip() for c in next(csv.reader([line], delimiter=sep))]
    return [c.strip() for c in line.split(sep)]


def _once(seen: dict[str, int], key: str, j: int, header: list[str], line: int) -> None:
    """Record column ``j`` under ``key``; a second column for the same value is an error."""
    if key in seen:
        from assaykit.io._xlsx import column_letter

        raise ParseError(
            f"two columns hold {header[j]!r} (columns {column_letter(seen[key])} and "
            f"{column_letter(j)}); which one to use is not clear: remove one from the export",
            line=line,
        )
    seen[key] = j


@register(
    "wizard2",
    description="PerkinElmer WIZARD2 gamma counter CSV (one row per tube and nuclide)",
    kind="counter",
    sniff=_sniff,
    aliases=("perkinelmer-wizard2", "wizard"),
)
def read_wizard2(path: Path) -> pd.DataFrame:
    """Read a WIZARD2 CSV export into the counter table.

    Parameters
    ----------
    path
        The ``.csv`` written by the WIZARD2 software.

    Returns
    -------
    pandas.DataFrame
        ``rack, position, sample, counts, count_time_s, cpm, measured_at, isotope, flag`` plus
        ``error_pct, detector, run_id, protocol_id, completion_status`` and any other column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "run.csv"
    >>> _ = p.write_text(
    ...     "Protocol ID,Protocol name,Measurement date & time,Completion status,Run ID,Rack,Det,Pos,"
    ...     "Time,Sample code,I-125 Counts,I-125 CPM,I-125 Error %,I-125 Info\\n"
    ...     "65,TELLING 5 min,2024-03-06 12:42:48,0,4640,1,2,2,300.02,,93.72,2.72,60.94,I\\n")
    >>> df = read_wizard2(p)
    >>> df[["rack", "position", "counts", "cpm", "isotope", "flag"]]
       rack  position  counts   cpm isotope flag
    0     1         2   93.72  2.72   I-125    I
    """
    text, encoding = read_text(path)
    first, header_line = _first_line(text)
    if first < 0:
        raise ParseError("the file is empty")
    sep = ";" if header_line.count(";") > header_line.count(",") else ","
    header = _cells(header_line, sep)
    while header and not header[-1]:
        header.pop()
    fixed: dict[str, int] = {}
    groups: dict[str, dict[str, int]] = {}
    other: dict[str, int] = {}
    for j, name in enumerate(header):
        key = " ".join(name.lower().split())
        m = _GROUP_RE.match(name.strip())
        if key in _FIXED:
            _once(fixed, _FIXED[key], j, header, first + 1)
        elif m:
            nuclide, qty = m.group(1), " ".join(m.group(2).lower().split())
            _once(
                groups.setdefault(nuclide, {}),
                _QUANTITY.get(qty, snake_name(qty)),
                j,
                header,
                first + 1,
            )
        elif name:
            other[snake_name(name)] = j
    missing = [c for c in _REQUIRED if c not in fixed]
    if missing or not any("cpm" in g for g in groups.values()):
        need = [k for k, v in _FIXED.items() if v in missing]
        if not any("cpm" in g for g in groups.values()):
            need.append("<nuclide> CPM (e.g. 'I-125 CPM')")
        raise ParseError(
            f"WIZARD2 header lacks {', '.join(repr(n) for n in need)}; found {', '.join(repr(h) for h in header)}",
            line=first + 1,
        )

    lines = text.split("\n")
    data = [(k, _cells(ln, sep)) for k, ln in enumerate(lines) if k > first and ln.strip()]
    if not data:
        raise ParseError("the header is not followed by any tube rows", line=first + 1)
    decimal = "."
    if sep == ";":
        numeric_cols = [j for g in groups.values() for j in g.values()] + [fixed["count_time_s"]]
        decimal = detect_decimal((c[j] for _, c in data for j in numeric_cols if j < len(c)), sep)

    records: list[dict[str, Any]] = []
    order = check_time_order()
    protocols: list[str] = []
    runs: list[str] = []
    for k, cells in data:
        line_no = k + 1
        if len(cells) < len(header):
            raise ParseError(
                f"row has {len(cells)} cells but the header has {len(header)} (truncated row?)",
                line=line_no,
            )
        if any(cells[len(header) :]):
            raise ParseError(
                f"row has {len([c for c in cells[len(header) :] if c])} filled cell(s) beyond the "
                f"{len(header)} header columns",
                line=line_no,
            )

        def cell(col: str, cells: list[str] = cells) -> str:
            return cells[fixed[col]] if col in fixed else ""

        base: dict[str, Any] = {}
        for col in ("rack", "position"):
            token = cell(col)
            if not re.fullmatch(r"\d{1,6}", token) or int(token) < 1:
                raise ParseError(
                    f"{header[fixed[col]]}: expected a whole number from 1, got {token!r}",
                    line=line_no,
                )
            base[col] = int(token)
        try:
            base["measured_at"] = parse_timestamp(cell("measured_at"))
        except ValueError as err:
            raise ParseError(f"{header[fixed['measured_at']]}: {err}", line=line_no) from None
        order.check(base["measured_at"], line_no)
        base["count_time_s"], time_flag = counter_number(
            cell("count_time_s"), decimal, what=header[fixed["count_time_s"]], line=line_no
        )
        check_count_time(base["count_time_s"], what=header[fixed["count_time_s"]], line=line_no)
        base["sample"] = cell("sample")
        if "detector" in fixed:
            det = cell("detector")
            base["detector"] = int(det) if re.fullmatch(r"\d{1,9}", det) else det
        for col in ("run_id", "protocol_id", "completion_status"):
            if col in fixed:
                v = cell(col)
                base[col] = int(v) if re.fullmatch(r"\d{1,9}", v) else v
        for name, j in other.items():
            base[name] = loose_value(cells[j], decimal)
        if cell("protocol") and cell("protocol") not in protocols:
            protocols.append(cell("protocol"))
        if cell("run_id") and cell("run_id") not in runs:
            runs.append(cell("run_id"))

        for nuclide, cols in groups.items():
            rec = dict(base)
            rec["isotope"] = nuclide
            flags = [time_flag] if time_flag else []
            for out, j in cols.items():
                token = cells[j]
                if out == "flag":
                    continue
                if out in ("counts", "cpm", "error_pct"):
                    value, flag = counter_number(
                        token, decimal, what=header[j], line=line_no, negative=out in ("cpm",)
                    )
                    rec[out] = value
                    if flag and out != "error_pct":
                        flags.append(flag)
                else:
                    rec[out] = loose_value(token, decimal)
            info = cells[cols["flag"]] if "flag" in cols else ""
            rec["flag"] = ";".join(dict.fromkeys(f for f in [info, *flags] if f))
            records.append(rec)

    attrs = {
        "instrument": "PerkinElmer WIZARD2",
        "protocol": "; ".join(protocols),
        "run_id": "; ".join(runs),
        "isotopes": list(groups),
        "encoding": encoding,
        "separator": sep,
        "decimal": decimal,
        "qc": order.qc(),
    }
    return counter_frame(records, attrs)
