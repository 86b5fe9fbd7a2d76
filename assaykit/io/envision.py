"""PerkinElmer EnVision CSV ("Plate2" export): every plate, every results and calculated block.

An EnVision export repeats, per plate and label, a ``Plate information`` block (plate number,
barcode, measurement date), an optional ``Background information`` block and one grid titled
``Results for <label>(<n>) - channel <k> (<unit>)`` or ``Calculated results: Calc <n>: <formula>``.
Trailer sections (``Basic assay information``, ``Protocol information``, ``Auto export
parameters`` …) hold the metadata. The field separator follows the Windows locale, so ``;`` with
decimal commas occurs; both are detected per file.

Reads are named after the label without its ``(1)`` index (``A450``), followed by the channel text
when one label has several channels (``AC HTRF Laser [Eu] channel 1 window 1``); a calculated block
is read ``Calc 1: <formula>`` with unit ``''``. A read measured in several plate repeats gets
`` repeat <r>`` for repeats after the first.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from assaykit.errors import ParseError
from assaykit.io._absent import publish_absent
from assaykit.io._grid import is_grid_header
from assaykit.io._plate_text import TextExport, check_rows, grid_records, load_text, raw_cell_count
from assaykit.io._registry import FileSample, register
from assaykit.io._text import plate_frame

__all__ = ["read_envision", "sniff_envision"]

_PLATE_INFO_RE = re.compile(r"^Plate information\s*$", re.MULTILINE)
_PLATE_HEADER_RE = re.compile(r"^Plate[,;\t]Repeat[,;\t]Barcode", re.MULTILINE)
_BLOCK_RE = re.compile(r"^(Results for |Calculated results:)", re.MULTILINE)
_RESULTS_RE = re.compile(
    r"^Results for (?P<label>.+?)(?: - (?P<chan>.+?))?\s*\((?P<unit>[^()]*)\)\s*$"
)
_LABEL_INDEX_RE = re.compile(r"^(?P<name>.*?)\((?P<n>\d+)\)$")

#: Trailer sections whose ``key,,,,value`` lines go into ``df.attrs`` (section title → attrs key).
_KV_SECTIONS = {
    "Basic assay information": "assay",
    "Protocol:": "protocol_info",
    "Plate type:": "plate_type",
    "Auto export parameters:": "export_settings",
    "Instrument:": "instrument_info",
}
#: Other section titles: they end a key/value section.
_OTHER_SECTIONS = {
    "Protocol information",
    "Coordinates of corners:",
    "Platemap:",
    "Calculations:",
    "Operations:",
    "Labels:",
    "Filters:",
    "Mirror modules:",
    "Aperture:",
    "Normalization:",
    "Background information",
    "Plate information",
}


def sniff_envision(sample: FileSample) -> bool:
    """True for an EnVision CSV: a ``Plate information`` title, its ``Plate,Repeat,Barcode`` header
    and at least one results or calculated-results block."""
    text = sample.text
    return bool(
        _PLATE_INFO_RE.search(text) and _PLATE_HEADER_RE.search(text) and _BLOCK_RE.search(text)
    )


def unwrap_excel_text(value: str) -> str:
    """Remove the ``="…"`` wrapper EnVision puts around barcodes and serial numbers.

    Examples
    --------
    >>> unwrap_excel_text('="1050242"'), unwrap_excel_text('=""'), unwrap_excel_text("N/A")
    ('1050242', '', 'N/A')
    """
    s = value.strip()
    if s.startswith('="') and s.endswith('"') and len(s) >= 3:
        return s[2:-1]
    return s


def _line_title(exp: TextExport, k: int) -> str:
    """The whole line as one title (labels may contain the separator), trailing separators cut."""
    return exp.lines[k].strip().rstrip(exp.separator).strip().strip('"')


def _plate_info(exp: TextExport, k: int) -> tuple[dict[str, str], int]:
    """Parse the ``Plate information`` block whose title is line index ``k``."""
    if k + 2 >= len(exp.rows) or not exp.rows[k + 1] or exp.rows[k + 1][0] != "Plate":
        raise ParseError(
            "'Plate information' must be followed by a header line starting 'Plate' and a value line",
            line=k + 2,
        )
    header, values = exp.rows[k + 1], exp.rows[k + 2]
    info = {h: (values[n] if n < len(values) else "") for n, h in enumerate(header) if h}
    try:
        plate = int(info.get("Plate", ""))
    except ValueError:
        raise ParseError(
            f"plate information: expected a plate number in the 'Plate' column, got {info.get('Plate', '')!r}",
            line=k + 3,
        ) from None
    if plate < 1:
        raise ParseError(
            f"plate information: plate number must be 1 or more, got {plate}", line=k + 3
        )
    repeat_text = info.get("Repeat", "1") or "1"
    if not repeat_text.isdigit():
        raise ParseError(
            f"plate information: expected a repeat number in the 'Repeat' column, got {repeat_text!r}",
            line=k + 3,
        )
    info["Plate"] = str(plate)
    info["Repeat"] = repeat_text
    if "Barcode" in info:
        info["Barcode"] = unwrap_excel_text(info["Barcode"])
    return info, k + 3


def _read_name(label: str, chan: str | None, multi_channel: bool, keep_index: bool) -> str:
    m = _LABEL_INDEX_RE.match(label)
    name = label if (keep_index or not m) else m.group("name").strip()
    if chan and multi_channel:
        name = f"{name} {chan}"
    return name


@register(
    "envision",
    description="PerkinElmer EnVision CSV (Plate2 export: results and calculated blocks per plate)",
    kind="plate",
    sniff=sniff_envision,
    aliases=("perkinelmer-envision",),
)
def read_envision(path: Path) -> pd.DataFrame:
    """Read a PerkinElmer EnVision CSV export into the tidy plate table.

    Parameters
    ----------
    path
        The ``.csv`` export (comma or semicolon separated).

    Returns
    -------
    pandas.DataFrame
        ``plate, well, row, col, read, value, unit, flag`` (+ ``raw`` for flagged cells). Every
        cell of every grid is a row; an empty cell is NaN with flag ``empty``. ``attrs`` holds
        ``instrument``, ``software``, ``protocol``, ``measurement_date`` (first plate, as written),
        ``barcode``, ``plates`` (per plate and block: repeat, barcode, measurement date),
        ``assay``, ``protocol_info``, ``plate_type``, ``export_settings``, ``instrument_info``,
        ``encoding``, ``separator``, ``decimal``.

    Raises
    ------
    ParseError
        A block without its grid, a results block before any ``Plate information``, a cut-off
        grid row, text in a value cell (the line and well are named).
    """
    exp = load_text(path)
    blocks: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    plate_info: dict[str, str] | None = None
    attrs: dict[str, Any] = {"instrument": "PerkinElmer EnVision", **exp.attrs()}
    plates_meta: dict[int, dict[str, str]] = {}
    section: str | None = None
    k = 0
    while k < len(exp.rows):
        first = exp.first(k)
        if first.startswith("Plate information"):
            plate_info, k = _plate_info(exp, k)
            p = int(plate_info["Plate"])
            plates_meta.setdefault(p, {})
            for key in ("Barcode", "Measurement date", "Repeat"):
                if key in plate_info:
                    plates_meta[p].setdefault(key.lower().replace(" ", "_"), plate_info[key])
            section = None
            continue
        if first.startswith(("Results for ", "Calculated results:")):
            k = _read_block(exp, k, plate_info, blocks, notes)
            section = None
            continue
        if first.startswith("Exported with "):
            attrs["software"] = first.removeprefix("Exported with ").strip()
        elif first.strip() in _KV_SECTIONS:
            section = _KV_SECTIONS[first.strip()]
            attrs.setdefault(section, {})
        elif first.strip() in _OTHER_SECTIONS:
            section = None
        elif section and len(exp.rows[k]) >= 2 and exp.rows[k][0]:
            key = exp.rows[k][0].strip().rstrip(":").strip()
            value = unwrap_excel_text(exp.rows[k][-1])
            attrs[section].setdefault(key, value)
        k += 1
    if not blocks:
        raise ParseError(
            "no 'Results for …' or 'Calculated results: …' block with a plate grid was found",
            line=exp.last_line,
        )
    records = _name_reads(blocks)
    assay = attrs.get("assay", {})
    if assay.get("Protocol Name"):
        attrs["protocol"] = assay["Protocol Name"]
    if assay.get("Serial#"):
        attrs["serial_number"] = assay["Serial#"]
    for key, name in (("Assay Started", "assay_started"), ("Assay Exported", "export_date")):
        if assay.get(key):
            attrs[name] = assay[key]
    first_plate = plates_meta[min(plates_meta)] if plates_meta else {}
    if first_plate.get("measurement_date"):
        attrs["measurement_date"] = first_plate["measurement_date"]
    if "barcode" in first_plate:
        attrs["barcode"] = first_plate["barcode"]
    attrs["plates"] = {str(p): meta for p, meta in sorted(plates_meta.items())}
    publish_absent(attrs, notes)
    return plate_frame(records, attrs)


def _read_block(
    exp: TextExport,
    k: int,
    plate_info: dict[str, str] | None,
    blocks: list[dict[str, Any]],
    notes: list[dict[str, Any]],
) -> int:
    """Parse the results/calculated block titled at line index ``k``; return the next index."""
    title = _line_title(exp, k)
    if plate_info is None:
        raise ParseError(
            f"{title[:60]!r} comes before any 'Plate information' block, so its plate is unknown",
            line=k + 1,
        )
    if title.startswith("Calculated results:"):
        block: dict[str, Any] = {
            "kind": "calc",
            "name": title.removeprefix("Calculated results:").strip(),
            "unit": "",
        }
        if not block["name"]:
            raise ParseError("'Calculated results:' without the calculation's name", line=k + 1)
    else:
        m = _RESULTS_RE.match(title)
        if not m:
            raise ParseError(
                f"cannot read the results title {title!r}; expected "
                "'Results for <label>(<n>) - channel <k> (<unit>)'",
                line=k + 1,
            )
        block = {
            "kind": "results",
            "label": m["label"].strip(),
            "chan": m["chan"],
            "unit": m["unit"].strip(),
        }
    header = k + 1
    if header >= len(exp.rows) or not is_grid_header(exp.rows[header], gaps=True):
        raise ParseError(
            f"{title[:60]!r} must be followed by a grid header ',01,02,…' on the next line",
            line=header + 1,
        )
    n_cols = len(exp.rows[header]) - 1
    width = raw_cell_count(exp.lines[header], exp.separator)
    plate = int(plate_info["Plate"])
    what = f"plate {plate}, {title[:60]!r}"
    fields: dict[str, Any] = {"plate": plate, "read": "", "unit": block["unit"]}
    records, end, row_order = grid_records(exp, header, what=what, **fields)
    for n in range(header + 1, end):
        if raw_cell_count(exp.lines[n], exp.separator) < min(width, n_cols + 1):
            raise ParseError(
                f"{what}: the row has fewer cells than the header's {n_cols} columns (is the file cut off?)",
                line=n + 1,
            )
    if end < len(exp.rows) and exp.rows[end]:
        raise ParseError(
            f"{what}: expected a row labelled with a plate row letter or a blank line after the grid, "
            f"got {exp.lines[end][:40]!r}",
            line=end + 1,
        )
    records += check_rows(exp, row_order, header=header, end=end, what=what, notes=notes, **fields)
    block.update(plate=plate, repeat=int(plate_info["Repeat"]), records=records, line=k + 1)
    blocks.append(block)
    return end


def _name_reads(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each block its read name (see the module docstring) and return all records."""
    channels: dict[str, set[str]] = {}
    stripped: dict[str, set[str]] = {}
    for b in blocks:
        if b["kind"] == "results":
            channels.setdefault(b["label"], set()).add(b["chan"] or "")
            m = _LABEL_INDEX_RE.match(b["label"])
            base = m.group("name").strip() if m else b["label"]
            stripped.setdefault(base, set()).add(b["label"])
    seen: dict[tuple[int, str], int] = {}
    records: list[dict[str, Any]] = []
    for b in blocks:
        if b["kind"] == "calc":
            read = b["name"]
        else:
            m = _LABEL_INDEX_RE.match(b["label"])
            base = m.group("name").strip() if m else b["label"]
            read = _read_name(
                b["label"],
                b["chan"],
                len(channels[b["label"]]) > 1,
                keep_index=len(stripped[base]) > 1,
            )
        if b["repeat"] > 1:
            read = f"{read} repeat {b['repeat']}"
        key = (b["plate"], read)
        if key in seen:
            raise ParseError(
                f"a second block for plate {b['plate']}, read {read!r} (the first is at line {seen[key]}); "
                "expected one block per plate, label, channel and repeat",
                line=b["line"],
            )
        seen[key] = b["line"]
        for r in b["records"]:
            r["read"] = read
        records.extend(b["records"])
    return records
