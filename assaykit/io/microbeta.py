"""PerkinElmer/Wallac MicroBeta (MicroBeta Windows) text report.

The report has sections titled in capitals and underlined with ``=``: ``RUN INFORMATION:``
(protocol number, run date such as ``Thu 19-Dec-2019  4:37``, protocol name, ``***`` warning
lines), ``COLUMNS:`` (a tab-separated table ``SAMPLE, POS, CCPM1, CCPM1%, …``, one row per well
counted) and ``PLATES:`` (per plate a cassette line with the format ``4*6`` and one grid per
quantity, ``-`` for wells not counted), then ``Total count rate:`` and ``END``.

Choices (the counter table of ``docs/CONTRACTS.md`` §1):

- the COLUMNS table is the source of values; ``cpm`` = ``CCPM1`` (the vendor's corrected CPM),
  ``error_pct`` = ``CCPM1%``; other columns (``CCPM2`` …) are kept snake_cased (``ccpm2_pct``);
- ``counts`` and ``count_time_s`` are NaN: the report gives neither;
- ``measured_at`` is the run date for every row (the report has no time per well);
- plates: with a PLATES section, plate *n* takes the next rows, as many as its grid has counted
  wells; without one, a new plate starts whenever POS does not move forward (it restarts at
  A01). The grids are then a cross-check: a well or value that disagrees raises ParseError;
- ``rack`` = plate number, ``position`` = 1-based row-major index of the well in the plate
  (B01 of a 4×6 cassette is 7), the plate format taken from the cassette line (``4*6``); without
  one, the smallest of the 24/96/384/1536 formats holding every well is assumed and
  ``attrs["plate_shape"]`` says so; extra columns ``plate`` and ``well``;
- ``isotope`` from the protocol name when it names exactly one nuclide (``H-3`` in
  ``COPY_OF_H-3_KORTYZOL_5_MIN``), else ``''``; ``attrs["isotope_source"]`` says so;
- ``***`` lines (``*** DETECTORS NOT NORMALIZED``) go to ``attrs["warnings"]`` and, once the file
  has been read, each is issued as a :class:`~assaykit.errors.DataQualityWarning`;
- decimal commas in the COLUMNS table are detected (``attrs["decimal"]``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import DataQualityWarning, ParseError
from assaykit.io._counter import counter_number, nuclide_from_text, snake_name
from assaykit.io._grid import read_grid
from assaykit.io._registry import FileSample, register
from assaykit.io._text import counter_frame, detect_decimal, parse_value, read_text
from assaykit.plate import PLATE_SHAPES, ij_from_well, well_from_ij

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_microbeta"]

_DATE_RE = re.compile(
    r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
)
_MONTHS = {
    m: k
    for k, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}


def _sniff(sample: FileSample) -> bool:
    t = sample.text
    return "RUN INFORMATION:" in t and "COLUMNS:" in t and "CCPM" in t


def _find(lines: list[str], title: str, start: int = 0) -> int:
    for k in range(start, len(lines)):
        if lines[k].strip().upper() == title:
            return k
    return -1


def _run_information(lines: list[str], end: int, attrs: dict[str, Any]) -> dt.datetime:
    when: dt.datetime | None = None
    found_warnings: list[str] = []
    for k in range(end):
        s = lines[k].strip()
        if s.startswith("***"):
            found_warnings.append(s.strip("* ").strip())
            continue
        m = _DATE_RE.search(s)
        if m and when is None:
            day, mon, year, hour, minute, sec = m.groups()
            if mon.lower() not in _MONTHS:
                raise ParseError(f"run date {m.group(0)!r}: unknown month {mon!r}", line=k + 1)
            try:
                when = dt.datetime(
                    int(year), _MONTHS[mon.lower()], int(day), int(hour), int(minute), int(sec or 0)
                )
            except ValueError as err:
                raise ParseError(
                    f"run date {m.group(0)!r} is not a valid date ({err})", line=k + 1
                ) from None
            s = s[: m.start()].strip()
        low = s.lower()
        if low.startswith("counting protocol no:"):
            attrs["protocol_no"] = s.split(":", 1)[1].strip()
        elif low.startswith("name:"):
            attrs["protocol"] = s.split(":", 1)[1].strip()
        elif low.startswith("cpm normalization protocol no:"):
            attrs["normalization_protocol_no"] = s.split(":", 1)[1].strip()
    if found_warnings:
        attrs["warnings"] = found_warnings
    if when is None:
        raise ParseError(
            "RUN INFORMATION has no run date; expected e.g. 'Thu 19-Dec-2019  4:37' after the protocol number",
            line=1,
        )
    return when


def _columns_table(
    lines: list[str], start: int
) -> tuple[list[str], list[tuple[int, list[str]]], int]:
    k = start + 1
    while k < len(lines) and (not lines[k].strip() or set(lines[k].strip()) == {"="}):
        k += 1
    if k >= len(lines):
        raise ParseError("COLUMNS section has no header row (SAMPLE, POS, CCPM1 …)", line=start + 1)
    header = [c.strip() for c in lines[k].split("\t")]
    while header and not header[-1]:
        header.pop()
    rows: list[tuple[int, list[str]]] = []
    k += 1
    while k < len(lines) and lines[k].strip() and lines[k].strip().upper() != "PLATES:":
        cells = [c.strip() for c in lines[k].split("\t")]
        while len(cells) > len(header) and not cells[-1]:
            cells.pop()
        rows.append((k, cells))
        k += 1
    return header, rows, k


def _plates(lines: list[str], start: int) -> list[dict[str, Any]]:
    """Each plate of the PLATES section: number, shape and its grids (quantity → {(i, j): token})."""
    plates: list[dict[str, Any]] = []
    k = start + 1
    current: dict[str, Any] | None = None
    quantity = ""
    while k < len(lines):
        s = lines[k].strip()
        m = re.fullmatch(r"Plate\s+(\d+)", s)
        if m:
            current = {"number": int(m.group(1)), "line": k + 1, "shape": None, "grids": {}}
            plates.append(current)
        elif current is not None and s.lower().startswith("assay:"):
            fmt = re.search(r"/(\d+)\*(\d+)\s*$", s)
            if fmt:
                current["shape"] = (int(fmt.group(1)), int(fmt.group(2)))
        elif s.lower().startswith(("end of plate", "total count rate", "end")) or not s:
            pass
        elif (
            current is not None
            and lines[k].startswith((" \t", "\t"))
            and re.fullmatch(r"[\d\s]+", s)
        ):
            rows = [[c.strip() for c in ln.split("\t")] for ln in lines[k : k + 34]]
            grid = read_grid(rows, 0, first=1, line_offset=k + 1)
            current["grids"][quantity] = {(i, j): str(tok).strip() for i, j, tok in grid.cells}
            current.setdefault("grid_lines", {})[quantity] = k + 1
            k += grid.end
            continue
        elif current is not None and re.fullmatch(r"[A-Za-z][\w%]*", s):
            quantity = s
        k += 1
    return plates


def _shape_for(wells: list[tuple[int, int]]) -> tuple[int, int]:
    rows = max(i for i, _ in wells) + 1
    cols = max(j for _, j in wells) + 1
    for size in (24, 96, 384, 1536):  # MicroBeta cassette formats
        shape = PLATE_SHAPES[size]
        if shape[0] >= rows and shape[1] >= cols:
            return shape
    raise ParseError(f"well {well_from_ij(rows - 1, cols - 1)} is beyond a 1536-well plate")


@register(
    "microbeta",
    description="PerkinElmer/Wallac MicroBeta text report (COLUMNS table, PLATES grids)",
    kind="counter",
    sniff=_sniff,
    aliases=("wallac-microbeta", "perkinelmer-microbeta"),
)
def read_microbeta(path: Path) -> pd.DataFrame:
    """Read a MicroBeta report into the counter table (one row per counted well).

    Parameters
    ----------
    path
        The ``.txt`` report written by MicroBeta Windows.

    Returns
    -------
    pandas.DataFrame
        ``rack, position, sample, counts, count_time_s, cpm, measured_at, isotope, flag`` plus
        ``plate, well, error_pct`` and any further COLUMNS column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "run.txt"
    >>> _ = p.write_text(
    ...     "C:\\\\mbw\\\\results\\\\X.txt\\nRUN INFORMATION:\\n================\\n"
    ...     "Counting protocol no: 16     Thu 19-Dec-2019  4:37\\nName: H-3 RIA\\n\\n"
    ...     "COLUMNS:\\n========\\n \\tSAMPLE\\tPOS\\tCCPM1\\tCCPM1%\\t\\n \\tUnk_1\\tA01\\t4630\\t2.1\\t\\n"
    ...     " \\tUnk_2\\tA02\\t4214\\t2.2\\t\\n\\nEND\\n")
    >>> read_microbeta(p)[["rack", "position", "well", "cpm", "error_pct", "measured_at", "isotope"]]
       rack  position well     cpm  error_pct         measured_at isotope
    0     1         1  A01  4630.0        2.1 2019-12-19 04:37:00     H-3
    1     1         2  A02  4214.0        2.2 2019-12-19 04:37:00     H-3
    """
    text, encoding = read_text(path)
    lines = text.split("\n")
    k_run = _find(lines, "RUN INFORMATION:")
    k_cols = _find(lines, "COLUMNS:")
    if k_run < 0 or k_cols < 0:
        raise ParseError(
            "not a MicroBeta report: expected the sections 'RUN INFORMATION:' and 'COLUMNS:'"
        )
    attrs: dict[str, Any] = {
        "instrument": "PerkinElmer/Wallac MicroBeta",
        "results_path": lines[0].strip() if k_run > 0 else "",
        "encoding": encoding,
        "separator": "\t",
        "decimal": ".",
    }
    measured_at = _run_information(lines, k_cols, attrs)
    isotope = nuclide_from_text(attrs.get("protocol", ""))
    attrs["isotope_source"] = "protocol name" if isotope else "not in the file"

    header, rows, end = _columns_table(lines, k_cols)
    upper = [h.upper() for h in header]
    missing = [c for c in ("POS", "CCPM1") if c not in upper]
    if missing:
        found = ", ".join(repr(h) for h in header if h) or "nothing"
        raise ParseError(
            f"COLUMNS header lacks {', '.join(repr(c) for c in missing)}; found {found}",
            line=end - len(rows),
        )
    if not rows:
        raise ParseError("COLUMNS table has a header but no rows", line=end)
    j_pos, j_cpm = upper.index("POS"), upper.index("CCPM1")
    j_err = upper.index("CCPM1%") if "CCPM1%" in upper else None
    j_sample = upper.index("SAMPLE") if "SAMPLE" in upper else None
    extra = {
        j: snake_name(h)
        for j, h in enumerate(header)
        if h and j not in (j_pos, j_cpm, j_err, j_sample)
    }

    numeric = [j for j in (j_cpm, j_err, *extra) if j is not None]
    decimal = detect_decimal((c[j] for _, c in rows for j in numeric if j < len(c)), "\t")
    attrs["decimal"] = decimal
    records: list[dict[str, Any]] = []
    for k, cells in rows:
        if len(cells) < len(header):
            raise ParseError(
                f"COLUMNS row has {len(cells)} cells, the header has {len(header)} (truncated row?)",
                line=k + 1,
            )
        try:
            i, j = ij_from_well(cells[j_pos])
        except ValueError as err:
            raise ParseError(f"POS: {err}", line=k + 1) from None
        cpm, flag = counter_number(cells[j_cpm], decimal, what="CCPM1", line=k + 1)
        rec: dict[str, Any] = {
            "sample": cells[j_sample] if j_sample is not None else "",
            "counts": math.nan,
            "count_time_s": math.nan,
            "cpm": cpm,
            "measured_at": measured_at,
            "isotope": isotope,
            "flag": flag,
            "well": well_from_ij(i, j),
            "ij": (i, j),
            "line": k + 1,
        }
        if j_err is not None:
            rec["error_pct"] = counter_number(cells[j_err], decimal, what="CCPM1%", line=k + 1)[0]
        for jj, name in extra.items():
            rec[name] = counter_number(
                cells[jj], decimal, what=header[jj], line=k + 1, negative=True
            )[0]
        records.append(rec)

    k_plates = _find(lines, "PLATES:", end)
    plates = _plates(lines, k_plates) if k_plates >= 0 else []
    if plates:
        _assign_by_grids(records, plates, header, j_cpm, j_err, decimal)
    else:
        plate, last = 1, -1
        for rec in records:
            i, j = rec["ij"]
            index = i * 1000 + j
            if index <= last:
                plate += 1
            last = index
            rec["plate"] = plate
    shapes = {p["number"]: p["shape"] for p in plates if p.get("shape")}
    fallback = _shape_for([r["ij"] for r in records])
    if len(shapes) < _n_plates(records):
        attrs["plate_shape"] = (
            f"{fallback[0]}*{fallback[1]}, assumed: the smallest of the 24/96/384/1536 formats "
            "holding every well (no cassette line gives it)"
        )
    for rec in records:
        n_rows, n_cols = shapes.get(rec["plate"], fallback)
        i, j = rec.pop("ij")
        line = rec.pop("line")
        if i >= n_rows or j >= n_cols:
            raise ParseError(
                f"well {rec['well']} lies outside the {n_rows}*{n_cols} cassette of its plate",
                line=line,
            )
        rec["rack"] = rec["plate"]
        rec["position"] = i * n_cols + j + 1
    line_total = next((ln for ln in lines if ln.strip().lower().startswith("total count rate")), "")
    m_total = re.search(r"([\d.,]+)\s*CCPM", line_total)
    total, _ = parse_value(m_total.group(1) if m_total else "", decimal)
    if not math.isnan(total):
        attrs["total_count_rate_ccpm"] = total
    attrs["n_plates"] = max(r["plate"] for r in records)
    df = counter_frame(records, attrs)
    for w in attrs.get("warnings", []):  # only once the file has been read without error
        warnings.warn(f"MicroBeta run information: {w}", DataQualityWarning, stacklevel=2)
    return df


def _n_plates(records: list[dict[str, Any]]) -> int:
    """Number of plates the rows were given."""
    return len({r["plate"] for r in records})


def _assign_by_grids(
    records: list[dict[str, Any]],
    plates: list[dict[str, Any]],
    header: list[str],
    j_cpm: int,
    j_err: int | None,
    decimal: str,
) -> None:
    """Give each COLUMNS row its plate from the grids, and check wells and values against them."""
    quantities = {h.upper(): snake_name(h) for h in header if h}
    quantities[header[j_cpm].upper()] = "cpm"
    if j_err is not None:
        quantities[header[j_err].upper()] = "error_pct"
    k = 0
    for plate in plates:
        grids = plate["grids"]
        if not grids:
            raise ParseError(f"Plate {plate['number']} has no grid of values", line=plate["line"])
        first = next(iter(grids.values()))
        counted = [ij for ij, tok in first.items() if tok not in ("-", "")]
        chunk = records[k : k + len(counted)]
        if len(chunk) < len(counted):
            raise ParseError(
                f"Plate {plate['number']} grid has {len(counted)} counted wells but the COLUMNS table "
                f"has only {len(chunk)} rows left",
                line=plate["line"],
            )
        for rec in chunk:
            rec["plate"] = plate["number"]
            for quantity, grid in grids.items():
                column = quantities.get(quantity.upper())
                if column is None or column not in rec:
                    continue
                token = grid.get(rec["ij"], "")
                value, flag = parse_value(token, decimal)
                if flag and flag == rec["flag"] and column == "cpm":
                    continue  # the same marker (e.g. OVRFLW) in table and grid
                if token in ("-", "") or flag:
                    raise ParseError(
                        f"COLUMNS row {rec['sample'] or rec['well']} is well {rec['well']} of plate "
                        f"{plate['number']}, but that well is {token or 'empty'!r} in the plate's {quantity} grid",
                        line=rec["line"],
                    )
                decimals = len(re.split(r"[.,]", token)[1]) if re.search(r"[.,]", token) else 0
                if (
                    math.isnan(rec[column])
                    or abs(value - rec[column]) > 0.5 * 10.0**-decimals + 1e-9
                ):
                    raise ParseError(
                        f"{quantity} of well {rec['well']} on plate {plate['number']} is {rec[column]:g} in "
                        f"the COLUMNS table but {token} in the plate grid (line {plate['grid_lines'][quantity]})",
                        line=rec["line"],
                    )
        k += len(counted)
    if k != len(records):
        raise ParseError(
            f"the COLUMNS table has {len(records)} rows but the plate grids hold {k} counted wells",
            line=records[k]["line"] if k < len(records) else None,
        )
