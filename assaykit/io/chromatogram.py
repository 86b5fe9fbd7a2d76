"""Radio-TLC and radio-HPLC traces and region-of-interest (ROI) tables.

A trace is a two-column table (position or time, counts), optionally with a UV channel, as
exported by radio-TLC scanners and radio-HPLC software (CSV, TSV, semicolon CSV with decimal
commas, or the first sheet of an xlsx file). No public export of a commercial scanner
(MiniGITA/GINAstar, raytest, LabLogic Laura, Bioscan AR-2000) was available, so the built-in
reader is the generic one; a vendor format is one more module that calls
:func:`register_chromatogram` (kind ``"chromatogram"``, a separate registry from the counter and
plate-reader exports of :func:`assaykit.io.read_export`, whose sniffing it never disturbs).

:func:`read_chromatogram` returns ``position_mm, counts`` (radio-TLC) or ``time_min, counts``
(radio-HPLC, plus ``uv`` when there is a third column); ``attrs``: ``kind`` (``tlc``/``hplc``),
``axis``, ``format``, ``source``, ``uv_unit``. :func:`read_rois` returns ``name, start, end``
(+ ``counts`` when the scanner exported them), in the trace's axis unit.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "strip.csv"
>>> _ = p.write_text("Position (mm),Counts\\n0,1\\n1,5\\n2,2\\n")
>>> tr = read_chromatogram(p)
>>> tr.attrs["kind"], tr.columns.tolist(), float(tr["counts"].sum())
('tlc', ['position_mm', 'counts'], 8.0)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from assaykit.errors import ParseError, UnsupportedFormatError
from assaykit.io._registry import SNIFF_BYTES, FileSample

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CHROMATOGRAM_READERS",
    "ChromatogramKind",
    "read_chromatogram",
    "read_rois",
    "register_chromatogram",
]

ChromatogramKind = Literal["tlc", "hplc"]

_TLC_WORDS = ("position", "distance", "mm", "rf", "migration")
_HPLC_WORDS = ("time", "min", "retention", "rt", "sec")
_NUM = re.compile(r"^[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?$")


@dataclass(frozen=True)
class ChromatogramReader:
    """One trace dialect: how to recognise it and how to read it."""

    name: str
    description: str
    sniff: Callable[[FileSample], bool]
    read: Callable[[Path, ChromatogramKind | None], pd.DataFrame]
    priority: int = 50
    kind: str = "chromatogram"


#: Format name → reader; vendor modules add theirs through :func:`register_chromatogram`.
CHROMATOGRAM_READERS: dict[str, ChromatogramReader] = {}


def register_chromatogram(
    name: str, *, description: str, sniff: Callable[[FileSample], bool], priority: int = 50
) -> Callable[[Callable[..., pd.DataFrame]], Callable[..., pd.DataFrame]]:
    """Decorator registering ``read(path, kind) -> DataFrame`` as the trace reader ``name``."""

    def decorate(read: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
        if name in CHROMATOGRAM_READERS:
            raise RuntimeError(f"chromatogram reader {name!r} registered twice")
        CHROMATOGRAM_READERS[name] = ChromatogramReader(name, description, sniff, read, priority)
        return read

    return decorate


# --------------------------------------------------------------------------- raw rows


def _rows(path: Path) -> tuple[list[tuple[str, list[str]]], str]:
    """(where, cells) of every non-empty line/row; ``where`` is 'line 5' or 'Sheet1!A5'."""
    head = path.read_bytes()[:4]
    if head == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as err:  # noqa: BLE001 - a damaged workbook is the user's file
            raise ParseError(f"cannot open the workbook ({err})", path=path) from None
        ws = wb.worksheets[0]
        out: list[tuple[str, list[str]]] = []
        for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else str(v).strip() for v in row]
            while cells and cells[-1] == "":
                cells.pop()
            if cells:
                out.append((f"{ws.title}!A{i}", cells))
        wb.close()
        return out, "."
    from assaykit.io._text import decode_bytes

    text = decode_bytes(path.read_bytes(), path=path)[0]
    lines = text.splitlines()
    body = [ln for ln in lines if ln.strip()]
    sep = max(("\t", ";", ","), key=lambda s: sum(ln.count(s) for ln in body[:50]))
    if not any(sep in ln for ln in body[:50]):
        sep = " "
    decimal = (
        "," if sep in ("\t", ";", " ") and any(re.search(r"\d,\d", ln) for ln in body) else "."
    )
    rows = []
    for i, ln in enumerate(lines, start=1):
        if not ln.strip():
            continue
        cells = ln.split() if sep == " " else [c.strip().strip('"') for c in ln.split(sep)]
        while cells and cells[-1] == "":
            cells.pop()
        rows.append((f"line {i}", cells))
    return rows, decimal


def _number(cell: str, decimal: str) -> float | None:
    c = cell.replace(",", ".") if decimal == "," else cell
    c = c.replace(" ", "")
    if not _NUM.match(c) or (decimal == "." and "," in c):
        return None
    return float(c)


def _error(where: str, message: str, path: Path, col: int = 0) -> ParseError:
    """A ParseError at 'line N' of a text file, or at the cell (column ``col``) of a sheet."""
    if where.startswith("line "):
        return ParseError(message, path=path, line=int(where[5:]))
    sheet, _, ref = where.rpartition("!")
    return ParseError(message, path=path, location=f"{sheet}!{'ABC'[col]}{ref[1:]}")


def _split_header(
    rows: list[tuple[str, list[str]]], decimal: str
) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The last non-numeric line before the data (header) and the data lines."""
    header: list[str] = []
    for k, (_, cells) in enumerate(rows):
        if len(cells) >= 2 and all(_number(c, decimal) is not None for c in cells[:2]):
            return header, rows[k:]
        header = cells
    return header, []


def _axis_kind(name: str) -> ChromatogramKind | None:
    low = name.lower()
    if any(w in low for w in ("position", "distance", "migration")) or re.search(r"\bmm\b", low):
        return "tlc"
    if any(w in low for w in ("time", "retention")) or re.search(r"\b(min|s|sec|rt)\b", low):
        return "hplc"
    return None


def _time_unit(name: str) -> str:
    m = re.search(r"[\[(]\s*([A-Za-z]+)\s*[\])]", name)
    unit = m.group(1) if m else ("s" if re.search(r"\b(s|sec)\b", name.lower()) else "min")
    from assaykit.units import to_base

    to_base(1.0, unit, "time")  # refuses units that are not times (UnitError)
    return unit


def _trace_frame(path: Path, kind: ChromatogramKind | None) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    from assaykit.units import to_base

    rows, decimal = _rows(path)
    header, data = _split_header(rows, decimal)
    if not data:
        raise ParseError("no data lines (two numeric columns: position or time, counts)", path=path)
    found = _axis_kind(header[0]) if header else None
    if kind is None:
        kind = found
    if kind is None:
        raise ParseError(
            "cannot tell a radio-TLC trace (position in mm) from a radio-HPLC trace (time): name "
            "the first column 'Position (mm)' or 'Time (min)', or give kind='tlc'/'hplc'",
            path=path,
        )
    if kind == "tlc" and header and re.search(r"\bcm\b|\(cm\)", header[0].lower()):
        raise ParseError("positions must be in mm (the header says cm)", path=path)
    factor = (
        to_base(1.0, _time_unit(header[0] if header else ""), "time") if kind == "hplc" else 1.0
    )
    ncol = min(len(c) for _, c in data)
    ncol = 3 if ncol >= 3 else 2
    x, y, uv = [], [], []
    prev = -math.inf
    for where, cells in data:
        vals = []
        for j in range(ncol):
            cell = cells[j] if j < len(cells) else ""
            v = _number(cell, decimal)
            if v is None:
                col = ("position/time", "counts", "UV")[j]
                raise _error(where, f"{col} {cell!r} is not a number", path, j)
            vals.append(v)
        if vals[0] <= prev:
            raise _error(
                where,
                f"the first column must increase: {vals[0]:g} follows {prev:g} (not monotonic)",
                path,
            )
        if vals[1] < 0:
            raise _error(where, f"negative counts ({vals[1]:g}); counts are never below 0", path, 1)
        prev = vals[0]
        x.append(vals[0] * factor)
        y.append(vals[1])
        if ncol == 3:
            uv.append(vals[2])
    if len(x) < 3:
        raise ParseError(f"only {len(x)} data line(s); a trace needs at least 3", path=path)
    axis = "position_mm" if kind == "tlc" else "time_min"
    df = pd.DataFrame({axis: np.asarray(x), "counts": np.asarray(y, dtype=float)})
    if uv:
        df["uv"] = np.asarray(uv, dtype=float)
    df.attrs.update(kind=kind, axis=axis, source=path.name, header=list(header))
    if uv and len(header) >= 3:
        df.attrs["uv_unit"] = header[2]
    return df


def _sniff_two_column(sample: FileSample) -> bool:
    text = sample.text
    if not text and sample.is_zip:
        sheets = sample.xlsx_cells
        rows = next(iter(sheets.values()), [])
        text = "\n".join(",".join("" if v is None else str(v) for v in r) for r in rows)
    lines = [ln for ln in text.splitlines() if ln.strip()][:40]
    numeric = 0
    for ln in lines:
        cells = re.split(r"[\t;,]\s*|\s+", ln.strip())
        if len(cells) >= 2 and all(_number(c, ",") is not None for c in cells[:2]):
            numeric += 1
    return numeric >= 3


@register_chromatogram(
    "two_column",
    description="Generic trace: position (mm) or time (min/s), counts[, UV] (CSV/TSV/xlsx)",
    sniff=_sniff_two_column,
    priority=90,
)
def read_two_column(path: Path, kind: ChromatogramKind | None = None) -> pd.DataFrame:
    """Read a generic two- or three-column trace."""
    return _trace_frame(path, kind)


def read_chromatogram(
    path: str | PathLike[str],
    *,
    kind: ChromatogramKind | None = None,
    format: str | None = None,
) -> pd.DataFrame:
    """Read a radio-TLC or radio-HPLC trace (see the module docstring).

    Parameters
    ----------
    path
        The exported trace.
    kind
        ``"tlc"`` or ``"hplc"``; default: from the header of the first column.
    format
        A registered reader name; default: the first whose sniff test accepts the content.

    Raises
    ------
    ParseError
        One line naming the file and the line: empty trace, text in a number, a first column
        that does not increase, negative counts.
    """
    p = Path(path)
    if format is not None:
        if format not in CHROMATOGRAM_READERS:
            known = ", ".join(sorted(CHROMATOGRAM_READERS))
            raise UnsupportedFormatError(f"unknown trace format {format!r}; known: {known}")
        reader = CHROMATOGRAM_READERS[format]
    else:
        with p.open("rb") as fh:
            sample = FileSample(p, fh.read(SNIFF_BYTES))
        ordered = sorted(CHROMATOGRAM_READERS.values(), key=lambda r: (r.priority, r.name))
        match = [r for r in ordered if r.sniff(sample)]
        if not match:
            raise ParseError(
                "not a trace: expected lines of two numbers (position or time, counts)", path=p
            )
        reader = match[0]
    try:
        df = reader.read(p, kind)
    except ParseError as err:
        raise err.with_context(path=p) from None
    df.attrs["format"] = reader.name
    return df


_ROI_WORDS = {
    "name": ("name", "region", "roi", "peak", "label", "species"),
    "start": ("start", "from", "begin", "left", "low"),
    "end": ("end", "to", "stop", "right", "high"),
    "counts": ("counts", "area", "cts", "integral"),
}


def read_rois(path: str | PathLike[str]) -> pd.DataFrame:
    """Read a region-of-interest table: ``name, start, end`` (+ ``counts``, ``trace``).

    The header names the columns (``Region/ROI/Peak/Name``, ``Start/From``, ``End/To/Stop``,
    optional ``Counts/Area`` and ``Trace``); positions in mm or times in min, as the trace.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "rois.csv"
    >>> _ = p.write_text("Region;Start;End\\nfree 68Ga;0;15\\nproduct;50;80\\n")
    >>> read_rois(p).to_dict("list")
    {'name': ['free 68Ga', 'product'], 'start': [0.0, 50.0], 'end': [15.0, 80.0]}
    """
    import pandas as pd

    p = Path(path)
    rows, decimal = _rows(p)
    if not rows:
        raise ParseError("empty ROI table", path=p)
    where0, header = rows[0]
    cols: dict[str, int] = {}
    for j, cell in enumerate(header):
        low = cell.lower()
        if low.startswith("trace") or low in ("strip", "sample", "file"):
            cols.setdefault("trace", j)
            continue
        for key, words in _ROI_WORDS.items():
            if key not in cols and any(low.startswith(w) or w == low for w in words):
                cols[key] = j
                break
    missing = [k for k in ("name", "start", "end") if k not in cols]
    if missing:
        raise _error(
            where0,
            f"the ROI table's header needs columns {', '.join(missing)} "
            "(e.g. 'Region, Start, End[, Counts]')",
            p,
        )
    out: dict[str, list[object]] = {k: [] for k in cols}
    for where, cells in rows[1:]:
        for key, j in cols.items():
            cell = cells[j] if j < len(cells) else ""
            if key in ("name", "trace"):
                if not cell and key == "name":
                    raise _error(where, "an ROI without a name", p)
                out[key].append(cell)
                continue
            v = _number(cell, decimal)
            if v is None:
                raise _error(where, f"{key} {cell!r} is not a number", p)
            out[key].append(v)
        if out["end"][-1] <= out["start"][-1]:  # type: ignore[operator]
            raise _error(where, f"ROI {out['name'][-1]!r}: end must be after start", p)
    if not out["name"]:
        raise ParseError("the ROI table has a header but no regions", path=p)
    order = [k for k in ("trace", "name", "start", "end", "counts") if k in out]
    return pd.DataFrame({k: out[k] for k in order})
