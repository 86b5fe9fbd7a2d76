"""Molecular Devices SoftMax Pro text export (``##BLOCKS= n``; UTF-16LE with BOM or UTF-8).

The file holds ``n`` blocks, each ending with ``~End``: ``Note:`` (free text), ``Plate:`` (data)
and ``Group:`` (user-defined tables, ignored; their names are kept in ``attrs["groups"]``).

The ``Plate:`` header line is a tab-separated list of settings in fixed positions (empty fields
count). Fluorescence headers carry one extra field (the read position, TRUE/FALSE) after the read
mode, shifting the later fields by one::

    0 Plate:  1 name  2 version (1.3)  3 TimeFormat|PlateFormat  4 Endpoint|Kinetic  5 read mode
    6 Raw|Reduced  7 pre-read  8 number of reads  9 read time  10 interval  11-13 spectrum range
    14 number of wavelengths  15 wavelengths  16 first column  17 number of columns
    18 number of wells  [fluorescence: 19 excitation wavelengths]

**PlateFormat**: a header ``\\tTemperature(°C)\\t1\\t2…`` (wavelengths side by side, separated by an
empty column), then per read a grid whose first line starts with the time (kinetic) and the
temperature. **TimeFormat**: a header ``Time\\tTemperature(°C)\\tA1\\tA2…``, then per wavelength
one line per read. A reduced section may follow the raw data after a blank line; it becomes the
read ``Reduced`` (unit ``''``).

Reads are named after the wavelength: absorbance ``450``, fluorescence ``<ex>/<em>`` (``485/525``),
luminescence ``Lum`` (or the emission wavelength when one is given). Two wavelengths with the same
name get `` Lm1``, `` Lm2`` (SoftMax's own wavelength names). Plates are numbered by their
``Plate:`` block order; names are in ``attrs["plates"]``. Kinetic reads have ``time_s``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from assaykit.errors import ParseError
from assaykit.io._plate_text import TextExport, cell_record, load_text, seconds_from_clock
from assaykit.io._registry import FileSample, register
from assaykit.io._text import plate_frame
from assaykit.plate import ij_from_well

__all__ = ["read_softmax", "sniff_softmax"]

_BLOCKS_RE = re.compile(r"^##BLOCKS=\s*(\d+)\s*$")
_MODE_UNITS = {"Absorbance": "OD", "Fluorescence": "RFU", "Luminescence": "RLU"}
_DATA_TYPES = {"Raw", "Reduced"}


def sniff_softmax(sample: FileSample) -> bool:
    """True when the first non-empty line is ``##BLOCKS= n``."""
    return bool(_BLOCKS_RE.match(sample.text.lstrip().split("\n", 1)[0]))


@register(
    "softmax",
    description="Molecular Devices SoftMax Pro text export (##BLOCKS; TimeFormat and PlateFormat)",
    kind="plate",
    sniff=sniff_softmax,
    aliases=("softmaxpro", "softmax-pro", "moldev-softmaxpro"),
)
def read_softmax(path: Path) -> pd.DataFrame:
    """Read a SoftMax Pro text export into the tidy plate table.

    Parameters
    ----------
    path
        The ``.txt`` export (UTF-16 with BOM or UTF-8, tab-separated).

    Returns
    -------
    pandas.DataFrame
        ``plate, well, row, col, read, value, unit, flag`` (+ ``time_s`` when any plate is
        kinetic; + ``raw`` for flagged cells). ``attrs``: ``software``, ``plates`` (per plate
        number: name, format, read type, mode, wavelengths, first temperature), ``groups``,
        ``notes``, ``original_filename``, ``date_last_saved``, ``encoding``, ``separator``,
        ``decimal``.

    Raises
    ------
    ParseError
        A missing ``##BLOCKS`` line, fewer blocks than announced (cut-off file), a block
        without ``~End``, a Plate header that cannot be read, a grid with missing lines or cells,
        text in a value cell.
    """
    exp = load_text(path, separator="\t")
    k = exp.next_nonblank(0)
    m = _BLOCKS_RE.match(exp.lines[k].strip()) if k < len(exp.lines) else None
    if not m:
        raise ParseError("expected '##BLOCKS= <n>' on the first line", line=k + 1)
    n_blocks = int(m.group(1))
    attrs: dict[str, Any] = {"software": "SoftMax Pro", **exp.attrs()}
    plates: dict[str, dict[str, Any]] = {}
    groups: list[str] = []
    notes: list[str] = []
    records: list[dict[str, Any]] = []
    k += 1
    for b in range(n_blocks):
        k = exp.next_nonblank(k)
        if k >= len(exp.lines):
            raise ParseError(
                f"the file announces {n_blocks} blocks but ends after {b} (is the file cut off?)",
                line=exp.last_line,
            )
        end = k
        while end < len(exp.lines) and exp.lines[end].strip() != "~End":
            end += 1
        if end >= len(exp.lines):
            raise ParseError(
                f"block {b + 1} starting here has no '~End' line (is the file cut off?)", line=k + 1
            )
        kind = exp.lines[k].split("\t", 1)[0].strip()
        if kind == "Plate:":
            number = len(plates) + 1
            recs, meta = _plate_block(exp, k, end, number)
            records.extend(recs)
            plates[str(number)] = meta
        elif kind.startswith("Group:"):
            groups.append(exp.lines[k].strip().removeprefix("Group:").strip())
        elif kind.startswith("Note:"):
            notes.append(" ".join(ln.strip() for ln in exp.lines[k + 1 : end] if ln.strip()))
        else:
            raise ParseError(
                f"expected a block starting 'Plate:', 'Group:' or 'Note:', got {exp.lines[k][:40]!r}",
                line=k + 1,
            )
        k = end + 1
    for line in exp.lines[k:]:
        if line.startswith("Original Filename:"):
            for part in line.split(";"):
                key, _, value = part.partition(":")
                attrs[key.strip().lower().replace(" ", "_")] = value.strip()
    if not records:
        raise ParseError("no 'Plate:' block with data in the file", line=1)
    attrs["plates"] = plates
    attrs["groups"] = groups
    if notes:
        attrs["notes"] = notes
    return plate_frame(records, attrs)


def _field(h: list[str], n: int) -> str:
    return h[n].strip() if n < len(h) else ""


def _int_field(h: list[str], n: int, what: str, line: int, default: int | None = None) -> int:
    s = _field(h, n)
    if not s and default is not None:
        return default
    try:
        return int(s)
    except ValueError:
        raise ParseError(
            f"Plate header field {n + 1} ({what}) should be a whole number, got {s!r}", line=line
        ) from None


def _read_names(mode: str, em: list[str], ex: list[str]) -> list[str]:
    names = []
    for w, e in enumerate(em):
        e = e.strip()
        if mode == "Fluorescence" and w < len(ex):
            names.append(f"{ex[w]}/{e}")
        elif mode == "Luminescence" and e in ("", "0"):
            names.append("Lum")
        else:
            names.append(e)
    if len(set(names)) < len(names):
        names = [f"{name} Lm{w + 1}" for w, name in enumerate(names)]
    return names


def _plate_block(
    exp: TextExport, k: int, end: int, plate: int
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Records and metadata of the Plate block whose header is line index ``k`` (``~End`` at ``end``)."""
    h = exp.lines[k].split("\t")
    line = k + 1
    name, fmt, read_type, mode = _field(h, 1), _field(h, 3), _field(h, 4), _field(h, 5)
    if fmt not in ("TimeFormat", "PlateFormat"):
        raise ParseError(
            f"Plate header field 4 should be TimeFormat or PlateFormat, got {fmt!r}", line=line
        )
    if read_type not in ("Endpoint", "Kinetic"):
        raise ParseError(
            f"Plate header field 5: only Endpoint and Kinetic reads are supported, got {read_type!r}",
            line=line,
        )
    off = 1 if _field(h, 6) in ("TRUE", "FALSE") else 0
    if _field(h, 6 + off) not in _DATA_TYPES:
        raise ParseError(
            f"Plate header field {7 + off} should be Raw or Reduced, got {_field(h, 6 + off)!r} "
            "(not a SoftMax Pro 1.3 Plate header?)",
            line=line,
        )
    if _field(h, 6 + off) == "Reduced":
        raise ParseError(
            f"plate {name!r} was exported as reduced data only (field {7 + off} is 'Reduced'); "
            "export the raw data (Raw) from SoftMax Pro",
            line=line,
        )
    n_reads = _int_field(h, 8 + off, "number of reads", line, default=1)
    n_wl = _int_field(h, 14 + off, "number of wavelengths", line, default=1)
    wavelengths = _field(h, 15 + off).split()
    first_col = _int_field(h, 16 + off, "first column", line, default=1)
    n_cols = _int_field(h, 17 + off, "number of columns", line)
    n_wells = _int_field(h, 18 + off, "number of wells", line)
    excitation = _field(h, 19 + off).split() if mode == "Fluorescence" else []
    if len(wavelengths) != n_wl:
        raise ParseError(
            f"Plate header announces {n_wl} wavelength(s) but lists {len(wavelengths)}: {wavelengths}",
            line=line,
        )
    if n_cols < 1 or n_wells < n_cols or n_wells % n_cols:
        raise ParseError(
            f"Plate header: {n_wells} wells in {n_cols} columns is not a plate", line=line
        )
    reads = _read_names(mode, wavelengths, excitation)
    unit = _MODE_UNITS.get(mode, "")
    kinetic = read_type == "Kinetic"
    meta: dict[str, Any] = {
        "name": name,
        "format": fmt,
        "read_type": read_type,
        "mode": mode,
        "wavelengths": " ".join(wavelengths),
    }
    if excitation:
        meta["excitation"] = " ".join(excitation)
    body = exp.lines[k + 1 : end]
    ctx = _Ctx(exp, k + 1, plate, unit, kinetic)
    if fmt == "PlateFormat":
        records = _plate_format(
            ctx, body, reads, n_reads, n_cols, n_wells // n_cols, first_col, meta
        )
    else:
        records = _time_format(ctx, body, reads, n_reads, meta)
    return records, meta


class _Ctx:
    """What every cell record of one Plate block shares."""

    def __init__(self, exp: TextExport, start: int, plate: int, unit: str, kinetic: bool) -> None:
        self.exp, self.start, self.plate, self.unit, self.kinetic = exp, start, plate, unit, kinetic

    def record(
        self, token: str, i: int, j: int, n: int, read: str, t: float | None, unit: str
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {"plate": self.plate, "read": read, "unit": unit}
        if self.kinetic:
            fields["time_s"] = t
        return cell_record(
            token,
            i=i,
            j=j,
            decimal=self.exp.decimal,
            line=self.start + n + 1,
            what=f"plate block {self.plate}, read {read!r}",
            **fields,
        )


def _time_of(ctx: _Ctx, cell: str, n: int) -> float | None:
    if not ctx.kinetic:
        return None
    t = seconds_from_clock(cell)
    if t is None:
        raise ParseError(
            f"expected a read time such as 00:01:30 in the first cell, got {cell.strip()!r}",
            line=ctx.start + n + 1,
        )
    return t


def _plate_format(
    ctx: _Ctx,
    body: list[str],
    reads: list[str],
    n_reads: int,
    n_cols: int,
    n_rows: int,
    first_col: int,
    meta: dict[str, Any],
) -> list[dict[str, Any]]:
    if (
        not body
        or not body[0].split("\t")[1:2]
        or not body[0].split("\t")[1].startswith("Temperature")
    ):
        raise ParseError(
            "expected the column header '\\tTemperature(°C)\\t1\\t2…' after the Plate line",
            line=ctx.start + 1,
        )
    records: list[dict[str, Any]] = []
    n = 1
    for r in range(n_reads):
        while n < len(body) and not body[n].strip():
            n += 1
        if n + n_rows > len(body):
            raise ParseError(
                f"read {r + 1} of {n_reads}: expected {n_rows} grid lines, the block ends first",
                line=ctx.start + min(n, len(body)) + 1,
            )
        first_cells = body[n].split("\t")
        t = _time_of(ctx, first_cells[0], n)
        if r == 0 and len(first_cells) > 1:
            meta["temperature"] = first_cells[1].strip()
        for i in range(n_rows):
            cells = body[n + i].split("\t")
            if i and not body[n + i].startswith("\t"):
                raise ParseError(
                    f"read {r + 1}: expected {n_rows} grid lines (one per plate row), found {i}",
                    line=ctx.start + n + i + 1,
                )
            need = 2 + len(reads) * (n_cols + 1) - 1
            if len(cells) < need:
                raise ParseError(
                    f"read {r + 1}, grid line {i + 1}: {len(cells)} cells, expected {need} "
                    f"({len(reads)} wavelength(s) × {n_cols} columns; is the file cut off?)",
                    line=ctx.start + n + i + 1,
                )
            for w, read in enumerate(reads):
                base = 2 + w * (n_cols + 1)
                for j in range(n_cols):
                    records.append(
                        ctx.record(cells[base + j], i, first_col - 1 + j, n + i, read, t, ctx.unit)
                    )
        n += n_rows
        if n < len(body) and body[n].strip() and r + 1 < n_reads:
            raise ParseError(
                f"read {r + 1}: more grid lines than the {n_rows} rows announced",
                line=ctx.start + n + 1,
            )
    while n < len(body) and not body[n].strip():
        n += 1
    if n < len(body):  # reduced section: header of column numbers, then n_rows lines
        for i in range(n_rows):
            if n + 1 + i >= len(body):
                raise ParseError(
                    "the reduced-data grid has fewer lines than the plate has rows",
                    line=ctx.start + n + i + 1,
                )
            cells = body[n + 1 + i].split("\t")
            for j in range(n_cols):
                token = cells[2 + j] if 2 + j < len(cells) else ""
                records.append(
                    ctx.record(token, i, first_col - 1 + j, n + 1 + i, "Reduced", None, "")
                )
    return records


def _time_format(
    ctx: _Ctx, body: list[str], reads: list[str], n_reads: int, meta: dict[str, Any]
) -> list[dict[str, Any]]:
    header = body[0].split("\t") if body else []
    if len(header) < 3 or not header[1].startswith("Temperature"):
        raise ParseError(
            "expected the column header 'Time\\tTemperature(°C)\\tA1\\tA2…' after the Plate line",
            line=ctx.start + 1,
        )
    wells = _well_columns(header, ctx.start + 1, "the header")
    records: list[dict[str, Any]] = []
    n = 1
    for w, read in enumerate(reads):
        while n < len(body) and not body[n].strip():
            n += 1
        for r in range(n_reads):
            if n >= len(body) or not body[n].strip():
                raise ParseError(
                    f"wavelength {read}: expected {n_reads} read line(s), found {r}",
                    line=ctx.start + min(n, len(body)) + 1,
                )
            cells = body[n].split("\t")
            t = _time_of(ctx, cells[0], n)
            if w == 0 and r == 0 and len(cells) > 1:
                meta["temperature"] = cells[1].strip()
            if len(cells) < max(wells) + 1:
                raise ParseError(
                    f"{len(cells)} cells where the header has {max(wells) + 1} (is the file cut off?)",
                    line=ctx.start + n + 1,
                )
            for c, (i, j) in wells.items():
                records.append(ctx.record(cells[c], i, j, n, read, t, ctx.unit))
            n += 1
    while n < len(body) and not body[n].strip():
        n += 1
    if n < len(body):  # reduced section: a well header and one value line
        names = body[n].split("\t")
        reduced = _well_columns(
            names, ctx.start + n + 1, "the reduced-data header (after the last read)"
        )
        if n + 1 >= len(body):
            raise ParseError(
                "the reduced-data header is not followed by a value line", line=ctx.start + n + 1
            )
        cells = body[n + 1].split("\t")
        for c, (i, j) in reduced.items():
            token = cells[c] if c < len(cells) else ""
            records.append(ctx.record(token, i, j, n + 1, "Reduced", None, ""))
    return records


def _well_columns(names: list[str], line: int, what: str) -> dict[int, tuple[int, int]]:
    """Column index → (row, col) for the well names from the third cell on; others raise."""
    wells: dict[int, tuple[int, int]] = {}
    for c, name in enumerate(names[2:], start=2):
        if name.strip():
            try:
                wells[c] = ij_from_well(name)
            except ValueError:
                raise ParseError(
                    f"column {c + 1} of {what} should be a well such as A1, got {name.strip()!r}",
                    line=line,
                ) from None
    if not wells:
        raise ParseError(f"{what} names no wells (expected A1, A2, …)", line=line)
    return wells
