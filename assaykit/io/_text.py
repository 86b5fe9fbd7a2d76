"""Shared text-export helpers: decoding, separators, numbers with markers, tidy frame building."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import ParseError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MARKERS",
    "counter_frame",
    "decode_bytes",
    "detect_decimal",
    "detect_separator",
    "parse_value",
    "plate_frame",
    "read_text",
    "split_cells",
]

#: Placeholder text written by instruments instead of a number → flag. Matching is case-insensitive
#: and ignores surrounding white space. Values such as ``<0.01`` / ``>4.0`` are handled in parse_value.
MARKERS: dict[str, str] = {
    "ovrflw": "overflow",
    "overflow": "overflow",
    "over": "overflow",
    "ovr": "overflow",
    "sat": "saturated",
    "sat.": "saturated",
    "#sat": "saturated",
    "saturated": "saturated",
    "range?": "out_of_range",
    "*****": "overflow",
    "****": "overflow",
    "?????": "undefined",
    "n/a": "missing",
    "na": "missing",
    "nan": "missing",
    "-": "empty",
    "": "empty",
    "invalid": "invalid",
    "error": "invalid",
    "#div/0!": "invalid",
    "#value!": "invalid",
    "#n/a": "missing",
    "inf": "invalid",
    "-inf": "invalid",
}

_NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")

#: The largest text sample a reader needs to decode in full.
MAX_TEXT_BYTES = 200 * 1024 * 1024


def decode_bytes(
    data: bytes, *, path: Path | str | None = None, partial: bool = False
) -> tuple[str, str]:
    """Decode an export: BOM (UTF-8/16) first, then UTF-8, then cp1252; refuse binary data.

    Returns the text with line endings normalised to ``\\n`` and the encoding used.
    ``partial`` tolerates a multi-byte character cut at the end of a sniffing sample.

    Examples
    --------
    >>> decode_bytes("Temp (°C)\\r\\n1".encode("utf-16"))
    ('Temp (°C)\\n1', 'utf-16')
    >>> decode_bytes(b"caf\\xe9")
    ('café', 'cp1252')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8", data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, body = "utf-16", data
    elif len(data) >= 4 and data[1:4:2] == b"\x00\x00" and data[0] != 0:
        encoding, body = "utf-16-le", data  # UTF-16LE without BOM
    elif len(data) >= 4 and data[0:3:2] == b"\x00\x00" and data[1] != 0:
        encoding, body = "utf-16-be", data  # UTF-16BE without BOM
    else:
        encoding, body = "", data
    if partial and encoding.startswith("utf-16") and len(body) % 2:
        body = body[:-1]
    if encoding:
        try:
            text = body.decode(encoding, errors="replace" if partial else "strict")
        except UnicodeDecodeError as err:
            raise ParseError(
                f"the file claims {encoding} by its byte-order mark but byte {err.start} is not valid {encoding}",
                path=path,
            ) from err
    else:
        if b"\x00" in body[:8192]:
            raise ParseError(
                "the file is binary, not a text export (expected a CSV/TXT export or an .xlsx workbook)",
                path=path,
            )
        try:
            text = body.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError as err:
            if partial and len(body) - err.start < 4:
                text = body[: err.start].decode("utf-8")
                encoding = "utf-8"
            else:
                text = body.decode("cp1252", errors="replace")
                encoding = "cp1252"
        if _looks_binary(text):
            raise ParseError(
                "the file is binary, not a text export (expected a CSV/TXT export or an .xlsx workbook)",
                path=path,
            )
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or ch == "\ufffd")
    return bad / len(sample) > 0.05


def read_text(path: Path) -> tuple[str, str]:
    """Read and decode a whole text export; see :func:`decode_bytes`."""
    size = path.stat().st_size
    if size > MAX_TEXT_BYTES:
        raise ParseError(
            f"file is {size / 2**20:.0f} MiB, over the limit of {MAX_TEXT_BYTES / 2**20:.0f} MiB",
            path=path,
        )
    return decode_bytes(path.read_bytes(), path=path)


def detect_separator(lines: Sequence[str], candidates: str = ",;\t") -> str:
    """The field separator used most consistently over the non-empty lines.

    Examples
    --------
    >>> detect_separator(["a;b;c", "1,5;2,5;3"])
    ';'
    >>> detect_separator(["Well\\tValue", "A1\\t0.5"])
    '\\t'
    """
    best, best_score = ",", -1.0
    rows = [ln for ln in lines if ln.strip()][:200]
    for sep in candidates:
        counts = [ln.count(sep) for ln in rows]
        with_sep = [c for c in counts if c > 0]
        if not with_sep:
            continue
        score = len(with_sep) + sum(with_sep) / (1 + len(rows))
        if score > best_score:
            best, best_score = sep, score
    return best


def detect_decimal(cells: Iterable[str], separator: str) -> str:
    """``','`` when the separator is not a comma and numbers are written ``1,5``; else ``'.'``.

    Examples
    --------
    >>> detect_decimal(["1,5", "2,25", "3"], ";")
    ','
    >>> detect_decimal(["1.5", "2"], ";")
    '.'
    """
    if separator == ",":
        return "."
    comma = dot = 0
    for c in cells:
        s = c.strip()
        if re.fullmatch(r"[+-]?\d+,\d+([eE][+-]?\d+)?", s):
            comma += 1
        elif re.fullmatch(r"[+-]?\d*\.\d+([eE][+-]?\d+)?", s):
            dot += 1
    return "," if comma > dot else "."


def split_cells(line: str, sep: str) -> list[str]:
    """Split one line into cells, strip quotes and trailing empty cells (ragged rows)."""
    if '"' in line:
        import csv

        cells = next(csv.reader([line], delimiter=sep))
    else:
        cells = line.split(sep)
    cells = [c.strip() for c in cells]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def parse_value(token: object, decimal: str = ".") -> tuple[float, str]:
    """A measured value and its flag ('' when the value is a plain finite number).

    Instrument markers (:data:`MARKERS`) and ``<x``/``>x`` range values become NaN with a flag;
    never a number, never an exception.

    Examples
    --------
    >>> parse_value("1.25")
    (1.25, '')
    >>> parse_value("1,25", decimal=",")
    (1.25, '')
    >>> parse_value("OVRFLW")
    (nan, 'overflow')
    >>> parse_value(">4.000")
    (nan, 'above_range')
    >>> parse_value("abc")
    (nan, 'not_a_number')
    """
    if token is None:
        return math.nan, "empty"
    if isinstance(token, bool):
        return math.nan, "not_a_number"
    if isinstance(token, (int, float)):
        x = float(token)
        if math.isnan(x):
            return math.nan, "missing"
        if math.isinf(x):
            return math.nan, "invalid"
        return x, ""
    s = str(token).strip()
    key = s.lower()
    if key in MARKERS:
        return math.nan, MARKERS[key]
    if s.startswith(("<", ">")) and _NUMBER_RE.match(s[1:].strip().replace(" ", "")):
        return math.nan, "below_range" if s[0] == "<" else "above_range"
    t = s.replace("\u2212", "-")
    if decimal == ",":
        t = t.replace(".", "") if t.count(",") == 1 and t.count(".") >= 1 else t
        t = t.replace(",", ".")
    if _NUMBER_RE.match(t):
        try:
            x = float(t)
        except ValueError:
            return math.nan, "not_a_number"
        if math.isinf(x):
            return math.nan, "overflow"
        return x, ""
    return math.nan, "not_a_number"


def _text_column(s: pd.Series) -> pd.Series:
    """A column as text with missing values as '' (whatever dtype an all-missing column got)."""
    return s.astype(object).where(s.notna(), "").astype(str)


def plate_frame(
    records: Iterable[Mapping[str, Any]], attrs: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Build the tidy plate-reader table from records with the keys of PLATE_READER_COLUMNS.

    ``well`` is normalised to the canonical id; ``row`` (label) and ``col`` (1-based) are derived
    from it when absent. ``time_s`` is kept when any record has it. ``raw`` (the original text of a
    flagged cell) is kept when given.
    """
    import pandas as pd

    from assaykit.plate import ij_from_well, row_label, well_from_ij
    from assaykit.schema import PLATE_READER_COLUMNS

    rows = []
    for r in records:
        r = dict(r)
        if "row_i" in r and "col_j" in r:
            i, j = int(r.pop("row_i")), int(r.pop("col_j"))
        else:
            i, j = ij_from_well(str(r["well"]))
        r["well"] = well_from_ij(i, j)
        r["row"] = row_label(i)
        r["col"] = j + 1
        rows.append(r)
    columns = list(PLATE_READER_COLUMNS)
    if any("time_s" in r for r in rows):
        columns.append("time_s")
    if any(r.get("raw") for r in rows):
        columns.append("raw")
    df = pd.DataFrame(rows, columns=columns)
    df["plate"] = df["plate"].astype("int64") if len(df) else df["plate"]
    df["col"] = df["col"].astype("int64") if len(df) else df["col"]
    df["value"] = pd.to_numeric(df["value"], errors="coerce").astype("float64")
    df["flag"] = _text_column(df["flag"])
    df["unit"] = _text_column(df["unit"])
    df["read"] = _text_column(df["read"])
    if "time_s" in df:
        df["time_s"] = pd.to_numeric(df["time_s"], errors="coerce").astype("float64")
    if "raw" in df:
        df["raw"] = _text_column(df["raw"])
    df.attrs.update(dict(attrs or {}))
    df.attrs.setdefault("kind", "plate")
    return df


def counter_frame(
    records: Iterable[Mapping[str, Any]], attrs: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Build the tidy counter table from records with the keys of COUNTER_COLUMNS.

    Extra keys (e.g. ``error_pct``, ``dpm``, ``run_id``, ``detector``, ``well``) are kept as extra
    columns after the standard ones.
    """
    import pandas as pd

    from assaykit.schema import COUNTER_COLUMNS

    rows = [dict(r) for r in records]
    standard = set(COUNTER_COLUMNS)
    seen: dict[str, None] = {}  # ordered set: linear in rows × columns (a list was quadratic)
    for r in rows:
        seen.update(dict.fromkeys(k for k in r if k not in standard))
    df = pd.DataFrame(rows, columns=[*COUNTER_COLUMNS, *seen])
    for c in ("counts", "count_time_s", "cpm"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
    df["measured_at"] = pd.to_datetime(df["measured_at"], errors="coerce")
    df["flag"] = _text_column(df["flag"])
    df["isotope"] = _text_column(df["isotope"])
    df["sample"] = _text_column(df["sample"])
    df.attrs.update(dict(attrs or {}))
    df.attrs.setdefault("kind", "counter")
    return df
