"""Thermo Multiskan text exports (Multiskan Spectrum / Ascent / FC, also SkanIt's ``.txt``).

The file holds a title line ``Results of <step>`` (``Results of Photometric1``), then per plate and
wavelength a header ``Plate:1 - Wavelength:340`` (also ``Plate: Plate 1 - Wavelength: 620``) and,
for a kinetic run, one block per cycle opened by ``Iteration: N``; an endpoint run has its grid
right after the plate header. A grid is tab-separated lines with **no row letters and no column
numbers**; each line starts with a tab, lines can end in blank cells, and the line ending is CRLF.

How the grid is read (stated here and in ``docs/readers.md``):

- **By position.** Line *k* of a block is plate row *k* (A, B, …) and cell *j* after the leading tab
  is column *j* (1, 2, …). The leading tab is dropped when every data line of the file starts with
  one; further leading tabs are empty wells. The plate format is the smallest standard plate
  (96, 384, 1536 wells) holding every line and cell; ``attrs["well_positions"]`` says so.
- **Empty cells** (a doubled tab, blank trailing cells) are wells without a value: NaN with flag
  ``empty``, up to the usual width of the file's lines.
- **A line with an extra empty cell** (more cells than the file's usual line width, with an empty
  cell among its values) is where the instrument dropped a value or inserted a cell, so the values
  after it may belong one well to the left. Its cells are still read by position, but from the
  extra empty cell onward each well gets value NaN, flag ``shifted`` and its text in ``raw``; the
  line is listed in ``attrs["anomalies"]`` and a :class:`~assaykit.errors.DataQualityWarning` names
  it. A line whose values then run past the plate's last column is refused (ParseError, line).
- **Time.** The file gives no times: kinetic reads get ``iteration`` (1-based, the ``Iteration: N``
  number) and ``time_s`` NaN; ``attrs["time_s"]`` explains. Multiply by the protocol's interval
  yourself; the reader never guesses one.

Garbled or cut-off files raise a one-line ParseError naming the line: a block with fewer lines than
the plate's other blocks, a file ending inside a grid line, iterations out of order, a plate and
wavelength seen twice, text in a value cell, a line that is neither header, iteration nor grid.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import DataQualityWarning, ParseError
from assaykit.io._registry import FileSample, register
from assaykit.io._text import detect_decimal, parse_value, plate_frame, read_text
from assaykit.plate import PLATE_SHAPES, row_label, well_from_ij

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_multiskan_text", "sniff_multiskan_text"]

_TITLE_RE = re.compile(r"^\s*Results of\s+(?P<step>\S.*?)\s*$", re.IGNORECASE)
_PLATE_RE = re.compile(
    r"^\s*Plate\s*:\s*(?:Plate\s*)?(?P<plate>\d+)\s*-\s*Wavelength\s*:\s*(?P<wl>\d+(?:[.,]\d+)?)\s*(?:nm)?\s*$",
    re.IGNORECASE,
)
_ITER_RE = re.compile(r"^\s*Iteration\s*:\s*(?P<n>\d+)\s*$", re.IGNORECASE)
_STEP_UNITS = {"photometric": "OD", "fluorometric": "RFU", "luminometric": "RLU"}
#: Standard plates by size, smallest first: (rows, columns).
_PLATES = sorted((rc for n, rc in PLATE_SHAPES.items() if n >= 96), key=lambda rc: rc[0] * rc[1])


def sniff_multiskan_text(sample: FileSample) -> bool:
    """True when the first non-blank line is ``Results of …`` and a ``Plate:… - Wavelength:…``
    header follows within the next few non-blank lines.

    Examples
    --------
    >>> from pathlib import Path
    >>> head = b"Results of Photometric1\\r\\n\\r\\nPlate:1 - Wavelength:340\\r\\n"
    >>> sniff_multiskan_text(FileSample(Path("x.txt"), head))
    True
    >>> sniff_multiskan_text(FileSample(Path("x.txt"), b"Results of the run\\nA,1,2\\n"))
    False
    """
    lines = [ln for ln in sample.text.split("\n")[:40] if ln.strip()]
    if not lines or not _TITLE_RE.match(lines[0]):
        return False
    return any(_PLATE_RE.match(ln) for ln in lines[1:6])


@dataclass
class _Block:
    """One grid: its plate, wavelength, iteration (None for an endpoint) and data lines."""

    step: str
    plate: int
    wavelength: str
    iteration: int | None
    line: int  # 1-based line of the header or 'Iteration' line opening the block
    lines: list[tuple[int, str]] = field(default_factory=list)  # (1-based line, raw text)


def _blocks(lines: list[str]) -> list[_Block]:
    """Split the file into grid blocks; ParseError for any line that fits nowhere."""
    blocks: list[_Block] = []
    step = ""
    section: tuple[int, str, int] | None = None  # plate, wavelength, header line
    current: _Block | None = None
    seen_sections: dict[tuple[str, int, str], int] = {}
    last_iter = 0
    title_line = 0
    for k, text in enumerate(lines, start=1):
        if not text.strip():
            current = None if current is not None and current.lines else current
            continue
        if m := _TITLE_RE.match(text):
            _check_title_used(title_line, section, step)
            step, section, current, title_line = m["step"], None, None, k
            continue
        if m := _PLATE_RE.match(text):
            if not step:
                raise ParseError(
                    "a 'Plate: … - Wavelength: …' header before any 'Results of …' title", line=k
                )
            section = (int(m["plate"]), m["wl"].replace(",", "."), k)
            key = (step, section[0], section[1])
            if key in seen_sections:
                raise ParseError(
                    f"plate {section[0]}, wavelength {section[1]} of {step!r} a second time "
                    f"(the first is at line {seen_sections[key]})",
                    line=k,
                )
            seen_sections[key] = k
            current = _Block(step, section[0], section[1], None, k)
            blocks.append(current)
            last_iter = 0
            continue
        if m := _ITER_RE.match(text):
            if section is None:
                raise ParseError(
                    "an 'Iteration:' line before any 'Plate: … - Wavelength: …' header", line=k
                )
            n = int(m["n"])
            if n != last_iter + 1:
                raise ParseError(
                    f"'Iteration: {n}' follows iteration {last_iter}; expected iteration {last_iter + 1}",
                    line=k,
                )
            last_iter = n
            if blocks and blocks[-1].line == section[2] and not blocks[-1].lines:
                blocks.pop()  # the plate header opens iteration blocks, not a grid of its own
            current = _Block(step, section[0], section[1], n, k)
            blocks.append(current)
            continue
        if current is None or "\t" not in text and not _is_value_line(text):
            raise ParseError(
                "expected 'Results of …', 'Plate: … - Wavelength: …', 'Iteration: N' or a "
                f"tab-separated line of values, got {text.strip()[:40]!r}",
                line=k,
            )
        current.lines.append((k, text))
    _check_title_used(title_line, section, step)
    for b in blocks:
        if not b.lines and b.iteration is None and not _opens_iterations(b, blocks):
            raise ParseError(
                f"plate {b.plate}, wavelength {b.wavelength}: the header is not followed by a grid "
                "or 'Iteration: N' (is the file cut off?)",
                line=b.line,
            )
    return [b for b in blocks if b.lines or b.iteration is not None]


def _check_title_used(line: int, section: tuple[int, str, int] | None, step: str) -> None:
    """A 'Results of …' title must be followed by a plate header before the next title or the end."""
    if line and section is None:
        raise ParseError(
            f"'Results of {step}' is not followed by a 'Plate: … - Wavelength: …' header "
            "(is the file cut off?)",
            line=line,
        )


def _opens_iterations(b: _Block, blocks: list[_Block]) -> bool:
    return any(
        o.iteration is not None
        and (o.step, o.plate, o.wavelength) == (b.step, b.plate, b.wavelength)
        for o in blocks
    )


def _is_value_line(text: str) -> bool:
    return parse_value(text.strip(), ",")[1] != "not_a_number"


def _cells(text: str, lead: bool) -> list[str]:
    cells = [c.strip() for c in text.split("\t")]
    return cells[1:] if lead else cells


def _extent(cells: list[str]) -> int:
    n = len(cells)
    while n and not cells[n - 1]:
        n -= 1
    return n


def _shift_at(cells: list[str], usual: int) -> int | None:
    """Index of the extra empty cell of a line longer than the usual width, else None."""
    if len(cells) <= usual:
        return None
    return next((j for j in range(_extent(cells)) if not cells[j]), None)


def _plate_shape(n_rows: int, n_cols: int, line: int) -> tuple[int, int]:
    for rows, cols in _PLATES:
        if n_rows <= rows and n_cols <= cols:
            return rows, cols
    raise ParseError(
        f"a grid of {n_rows} lines × {n_cols} cells is larger than a 1536-well plate (32 × 48)",
        line=line,
    )


@register(
    "multiskan_text",
    description="Thermo Multiskan text export: 'Results of …', 'Plate:n - Wavelength:λ', unlabelled grids",
    kind="plate",
    sniff=sniff_multiskan_text,
    aliases=("multiskan-text", "multiskan_txt", "ascent"),
)
def read_multiskan_text(path: Path) -> pd.DataFrame:
    """Read a Thermo Multiskan text export into the tidy plate table.

    Parameters
    ----------
    path
        The ``.txt`` export.

    Returns
    -------
    pandas.DataFrame
        ``plate, well, row, col, read, value, unit, flag`` (+ ``time_s`` and ``iteration`` for
        kinetic runs, ``raw`` for flagged cells). ``read`` is ``"<step> (<λ> nm)"``, e.g.
        ``"Photometric1 (340 nm)"``; ``unit`` is ``OD`` for photometric steps. ``attrs``:
        ``software``, ``steps``, ``wavelengths_nm``, ``plate_format``, ``well_positions``,
        ``time_s`` (for kinetic runs), ``anomalies`` (lines with an extra empty cell),
        ``warnings``, ``encoding``, ``separator``, ``decimal``.

    Raises
    ------
    ParseError
        See the module docstring; the message names the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ms.txt"
    >>> grid = "".join("\\t" + "\\t".join(f"{r}.{c:02d}" for c in range(1, 13)) + "\\r\\n" for r in range(1, 9))
    >>> _ = p.write_bytes(("Results of Photometric1\\r\\n\\r\\nPlate:1 - Wavelength:340\\r\\n" + grid).encode())
    >>> df = read_multiskan_text(p)
    >>> df.loc[df.well == "H12", ["plate", "read", "value", "unit"]]
        plate                   read  value unit
    95      1  Photometric1 (340 nm)   8.12   OD
    """
    text, encoding = read_text(path)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    blocks = _blocks(lines)
    if not blocks:
        raise ParseError(
            "no grid found: expected 'Plate: … - Wavelength: …' followed by tab-separated lines of values",
            line=len(lines) or 1,
        )
    for b in blocks:
        if not b.lines:
            raise ParseError(
                f"iteration {b.iteration} of plate {b.plate}, wavelength {b.wavelength} has no grid lines",
                line=b.line,
            )
    data_lines = [t for b in blocks for _, t in b.lines]
    lead = all(t.startswith("\t") for t in data_lines)
    widths = Counter(len(_cells(t, lead)) for t in data_lines)
    usual = widths.most_common(1)[0][0]
    decimal = detect_decimal((c for t in data_lines for c in _cells(t, lead)), "\t")
    _check_cut_off(blocks, text)
    n_rows = max(len(b.lines) for b in blocks)
    n_cols = max(
        _extent(cells)
        for cells in (_cells(t, lead) for t in data_lines)
        if _shift_at(cells, usual) is None
    )
    rows, cols = _plate_shape(n_rows, max(n_cols, 1), blocks[0].line)
    records: list[dict[str, Any]] = []
    anomalies: list[str] = []
    for b in blocks:
        records.extend(_block_records(b, lead, usual, cols, decimal, anomalies))
    kinetic = any(b.iteration is not None for b in blocks)
    steps = list(dict.fromkeys(b.step for b in blocks))
    attrs: dict[str, Any] = {
        "encoding": encoding,
        "separator": "\t",
        "decimal": decimal,
        "software": "Thermo Multiskan (text export)",
        "steps": steps,
        "wavelengths_nm": list(dict.fromkeys(b.wavelength for b in blocks)),
        "plate_format": rows * cols,
        "well_positions": (
            "by position: line k of a block is plate row k, cell j (after the leading tab) column j"
        ),
    }
    if kinetic:
        attrs["time_s"] = (
            "not in the file: kinetic reads are numbered by 'iteration' (1-based); time_s is NaN"
        )
    if anomalies:
        attrs["anomalies"] = anomalies
        attrs["warnings"] = list(anomalies)
    df = plate_frame(records, attrs)
    if kinetic:
        df["iteration"] = [r.get("iteration") for r in records]
        df["iteration"] = df["iteration"].astype("Int64")
    for msg in anomalies:
        warnings.warn(msg, DataQualityWarning, stacklevel=2)
    return df


def _check_cut_off(blocks: list[_Block], text: str) -> None:
    """Every block of a plate and wavelength has the same number of lines, the file's last grid is
    not shorter than its others, and the file ends with a line break after its last grid line."""
    expected: dict[tuple[str, int, str], int] = {}
    for b in blocks:
        key = (b.step, b.plate, b.wavelength)
        n = expected.setdefault(key, len(b.lines))
        if len(b.lines) != n:
            where = f"iteration {b.iteration} of " if b.iteration is not None else ""
            end = "the file is cut off?" if b is blocks[-1] else "a line of the grid is missing?"
            raise ParseError(
                f"{where}plate {b.plate}, wavelength {b.wavelength} has {len(b.lines)} grid lines "
                f"where the first block has {n} ({end})",
                line=b.lines[-1][0],
            )
    last = blocks[-1]
    last_line = last.lines[-1][0]
    if not text.endswith("\n") and last_line == len(text.split("\n")):
        raise ParseError(
            "the file ends inside a grid line, without a line break after it (cut off?)",
            line=last_line,
        )
    longest = max((len(b.lines) for b in blocks[:-1]), default=0)
    if len(last.lines) < longest:
        where = f"iteration {last.iteration} of " if last.iteration is not None else ""
        raise ParseError(
            f"the last grid ({where}plate {last.plate}, wavelength {last.wavelength}) has "
            f"{len(last.lines)} lines where the other grids of the file have up to {longest} "
            "(the file is cut off?)",
            line=last_line,
        )


def _block_records(
    b: _Block, lead: bool, usual: int, n_cols: int, decimal: str, anomalies: list[str]
) -> list[dict[str, Any]]:
    unit = next((u for k, u in _STEP_UNITS.items() if b.step.lower().startswith(k)), "")
    read = f"{b.step} ({b.wavelength} nm)"
    where = f"plate {b.plate}, {read}" + (
        f", iteration {b.iteration}" if b.iteration is not None else ""
    )
    base: dict[str, Any] = {"plate": b.plate, "read": read, "unit": unit}
    if b.iteration is not None:
        base.update(time_s=math.nan, iteration=b.iteration)
    out: list[dict[str, Any]] = []
    for i, (lineno, text) in enumerate(b.lines):
        cells = _cells(text, lead)
        extent = _extent(cells)
        shift_from = _shift_at(cells, usual)
        if shift_from is not None:
            anomalies.append(
                f"line {lineno}: {where}, row {row_label(i)} has {len(cells)} cells where the file's lines have {usual}, with an "
                f"empty cell at column {shift_from + 1}: values from well "
                f"{well_from_ij(i, shift_from)} on may be one well to the right; flagged 'shifted'"
            )
        if extent > n_cols:
            raise ParseError(
                f"{where}, row {row_label(i)}: a value in cell {extent} but the "
                f"plate has {n_cols} columns (an extra cell shifts the line?)",
                line=lineno,
            )
        for j in range(max(min(max(len(cells), usual), n_cols), extent)):
            token = cells[j] if j < len(cells) else ""
            value, flag = parse_value(token, decimal)
            if flag == "not_a_number":
                raise ParseError(
                    f"well {well_from_ij(i, j)} of {where}: expected a number or an "
                    f"instrument marker, got {token!r}",
                    line=lineno,
                )
            rec = {**base, "row_i": i, "col_j": j, "value": value, "flag": flag}
            if flag and flag != "empty":
                rec["raw"] = token
            if shift_from is not None and shift_from <= j < extent:
                rec.update(value=math.nan, flag="shifted", raw=token)
            out.append(rec)
    return out
