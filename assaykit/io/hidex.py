"""Hidex 300 SL (TDCR liquid scintillation counter): the semicolon CSV of per-sample blocks.

The file opens with a free-text preamble (run title, ``Start Time 8:40:58``, the ROI channel
limits, ``Counting type``), then one block per sample and repetition, starting at the line
``Sample start``: ``key;value`` lines (``Samp.``, ``Repe.``, ``Vial``, ``WName``, ``CPM``, ``DPM``,
``TDCR``, ``Chemi``, ``Counts``, ``DTime``, ``Time``, ``EndTime`` …) followed by the spectra, which
this reader skips without splitting them.

Choices (the counter table of ``docs/CONTRACTS.md`` §1), one row per sample × repetition:

- ``rack`` = 1, ``position`` = the sample number (``Samp.``), ``sample`` = ``''`` (the file has no
  sample names); extra columns ``repetition``, ``vial``, ``well`` (``WName``);
- ``cpm`` = ``CPM`` and ``counts`` = ``Counts`` as written, ``count_time_s`` = ``Time``; the CPM
  is never recomputed (in the sample it is ≈ Counts / Time × 60 × DTime, i.e. dead-time corrected);
- ``measured_at`` = ``EndTime − Time``, the start of the count; ``end_time`` keeps ``EndTime``.
  ``EndTime`` is read as ``DD/MM/YYYY HH:MM:SS`` (day first, as the instrument writes it).
  ``Time`` is taken as clock time: in the sample export, consecutive end times of a vial with
  ``DTime`` 1.125 are 4 s further apart than those of a vial with ``DTime`` 1.000, not the 12.5 s
  a live-time ``Time`` of 100 s would add;
- extra columns ``dpm``, ``tdcr``, ``chemi``, ``dead_time`` (``DTime``), ``qpe``, ``qpi``,
  ``lumi_cps``, ``temp_c`` and any other key snake_cased; the ``Column 17…20`` placeholders are
  dropped;
- ``isotope`` from the run title or ROI line when it names exactly one nuclide (``Lu-177``),
  else ``''`` (the file name is never used).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import ParseError
from assaykit.io._counter import (
    counter_number,
    loose_value,
    nuclide_from_text,
    parse_timestamp,
    snake_name,
)
from assaykit.io._registry import FileSample, register
from assaykit.io._text import counter_frame, detect_decimal, read_text

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_hidex300sl"]

_BLOCK_RE = re.compile(r"^Sample start[ \t;]*$", re.MULTILINE)
_KEY_RE = re.compile(r"^([A-Za-z][^;]*);(.*)$")
_PLACEHOLDER_RE = re.compile(r"^Column \d+$")
_KEYS = {
    "samp.": "position",
    "repe.": "repetition",
    "vial": "vial",
    "wname": "well",
    "cpm": "cpm",
    "dpm": "dpm",
    "tdcr": "tdcr",
    "chemi": "chemi",
    "counts": "counts",
    "dtime": "dead_time",
    "time": "count_time_s",
    "endtime": "end_time",
    "qpe": "qpe",
    "qpi": "qpi",
    "lumicps": "lumi_cps",
    "temp": "temp_c",
}
_REQUIRED = ("Samp.", "Repe.", "CPM", "Counts", "Time", "EndTime")
_DATE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M:%S")
#: Longest summary a block can have before its spectra (lines); guards against a missing 'Spectrum:'.
_MAX_SUMMARY_LINES = 200


def _sniff(sample: FileSample) -> bool:
    t = sample.text
    return bool(_BLOCK_RE.search(t)) and "\nSamp.;" in t and "\nEndTime;" in t


def _summary(text: str, start: int) -> list[str]:
    """The key;value lines of the block whose 'Sample start' line begins at ``start``."""
    out: list[str] = []
    pos = text.find("\n", start) + 1
    while 0 < pos < len(text) and len(out) < _MAX_SUMMARY_LINES:
        end = text.find("\n", pos)
        line = text[pos : end if end >= 0 else len(text)]
        if not _KEY_RE.match(line) or line.startswith("Spectrum"):
            break
        out.append(line)
        if end < 0:
            break
        pos = end + 1
    return out


@register(
    "hidex300sl",
    description="Hidex 300 SL liquid scintillation counter CSV (per-sample key;value blocks)",
    kind="counter",
    sniff=_sniff,
    aliases=("hidex", "hidex-300sl", "hidex300"),
)
def read_hidex300sl(path: Path) -> pd.DataFrame:
    """Read a Hidex 300 SL export into the counter table (one row per sample × repetition).

    Parameters
    ----------
    path
        The semicolon-separated ``.csv`` written by the Hidex 300 SL software.

    Returns
    -------
    pandas.DataFrame
        ``rack, position, sample, counts, count_time_s, cpm, measured_at, isotope, flag`` plus
        ``repetition, vial, well, dpm, tdcr, chemi, dead_time, end_time, qpe, qpi, lumi_cps, temp_c``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "lu.csv"
    >>> _ = p.write_text(
    ...     "Lu-177 run 1\\nStart Time 8:40:58\\nSample start\\nSamp.;1\\nRepe.;1\\nVial;1\\nWName;A01\\n"
    ...     "CPM;83.970\\nCounts;140\\nTime;100\\nEndTime;30/11/2023 08:44:20\\nSpectrum:;Alpha\\n1;0\\n")
    >>> read_hidex300sl(p)[["position", "repetition", "counts", "cpm", "measured_at", "isotope"]]
       position  repetition  counts    cpm         measured_at isotope
    0         1           1   140.0  83.97 2023-11-30 08:42:40  Lu-177
    """
    text, encoding = read_text(path)
    starts = [m.start() for m in _BLOCK_RE.finditer(text)]
    if not starts:
        raise ParseError(
            "no 'Sample start' line: expected one block per sample (Hidex 300 SL export)"
        )
    preamble = [ln.strip() for ln in text[: starts[0]].split("\n") if ln.strip()]
    attrs: dict[str, Any] = {
        "instrument": "Hidex 300 SL",
        "title": preamble[0] if preamble else "",
        "encoding": encoding,
        "separator": ";",
    }
    for ln in preamble[1:]:
        low = ln.lower()
        if low.startswith("start time"):
            attrs["start_time"] = ln[len("start time") :].strip()
        elif "roi" in low and "limits" in low:
            attrs.setdefault("roi", []).append(ln.lstrip("- ").strip())
        elif low.startswith("counting type"):
            attrs["counting_type"] = ln.split(":", 1)[1].strip() if ":" in ln else ln
    isotope = nuclide_from_text(" ".join([attrs["title"], *attrs.get("roi", [])]))
    attrs["isotope_source"] = "run title" if isotope else "not in the file"

    blocks: list[tuple[int, list[str]]] = []
    line_no, last = 1, 0
    for s in starts:
        line_no += text.count("\n", last, s)
        last = s
        blocks.append((line_no, _summary(text, s)))
    values = [ln.split(";", 1)[1].strip() for _, b in blocks for ln in b]
    decimal = detect_decimal(values, ";")
    attrs["decimal"] = decimal

    records: list[dict[str, Any]] = []
    seen: dict[tuple[int, int], int] = {}
    for first, block in blocks:
        raw: dict[str, tuple[str, int]] = {}
        for k, ln in enumerate(block, start=first + 1):
            key, value = (p.strip() for p in ln.split(";", 1))
            if ";" in value:
                value = value.split(";")[0].strip()
            if not _PLACEHOLDER_RE.match(key):
                raw[key] = (value, k)
        missing = [key for key in _REQUIRED if key not in raw]
        if missing:
            found = ", ".join(repr(key) for key in raw) or "no key;value lines"
            raise ParseError(
                f"sample block lacks {', '.join(repr(m) for m in missing)} (truncated file?); found {found}",
                line=first,
            )
        rec: dict[str, Any] = {"rack": 1, "sample": "", "isotope": isotope}
        flags: list[str] = []
        for key, (value, k) in raw.items():
            col = _KEYS.get(key.lower(), snake_name(key))
            if col in ("position", "repetition", "vial"):
                if not re.fullmatch(r"\d{1,6}", value):
                    raise ParseError(f"{key}: expected a whole number, got {value!r}", line=k)
                rec[col] = int(value)
            elif col == "well":
                rec[col] = value
            elif col == "end_time":
                try:
                    rec[col] = parse_timestamp(value, _DATE_FORMATS)
                except ValueError as err:
                    raise ParseError(f"EndTime: {err}", line=k) from None
            elif col in ("counts", "cpm", "count_time_s", "dpm", "dead_time"):
                number, flag = counter_number(value, decimal, what=key, line=k)
                rec[col] = number
                if flag and col in ("counts", "cpm"):
                    flags.append(flag)
            else:
                rec[col] = loose_value(value, decimal)
        seconds = rec["count_time_s"]
        if not 0 <= seconds < 1e7:  # NaN (empty or a marker) fails this test too
            raise ParseError(
                f"Time: expected the count time in seconds, got {raw['Time'][0]!r}",
                line=raw["Time"][1],
            )
        rec["measured_at"] = rec["end_time"] - dt.timedelta(seconds=seconds)
        rec["flag"] = ";".join(flags)
        key2 = (rec["position"], rec["repetition"])
        if key2 in seen:
            raise ParseError(
                f"sample {key2[0]} repetition {key2[1]} appears twice (first block at line {seen[key2]})",
                line=first,
            )
        seen[key2] = first
        records.append(rec)
    return counter_frame(records, attrs)
