"""Helpers shared by the counter readers: nuclide names, time stamps, numeric cells, column names."""

from __future__ import annotations

import datetime as dt
import math
import re

from assaykit.errors import ParseError
from assaykit.io._text import parse_value

__all__ = [
    "check_time_order",
    "counter_number",
    "find_nuclides",
    "loose_value",
    "nuclide_from_text",
    "parse_timestamp",
    "snake_name",
]

#: Chemical element symbols, to tell a nuclide such as ``Lu-177`` from any ``Xx-123`` text.
_ELEMENTS = frozenset(
    """H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se
    Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy
    Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf
    Es Fm""".split()  # noqa: SIM905 - a readable table of symbols
)

_NUCLIDE_RE = re.compile(r"(?<![A-Za-z0-9])([A-Z][a-z]?)-?(\d{1,3})(m?)(?![0-9A-Za-z])")


def find_nuclides(text: str) -> list[str]:
    """Every distinct nuclide named in ``text``, canonical (``Lu-177``, ``Tc-99m``), in order.

    Examples
    --------
    >>> find_nuclides("Lu-177 HS3 301123_ciclo1")
    ['Lu-177']
    >>> find_nuclides("COPY_OF_H-3_KORTYZOL_5_MIN"), find_nuclides("HS3 plate A-12")
    (['H-3'], [])
    """
    found: list[str] = []
    for m in _NUCLIDE_RE.finditer(text.replace("_", " ")):
        symbol, mass, meta = m.groups()
        if symbol not in _ELEMENTS or int(mass) == 0:
            continue
        name = f"{symbol}-{int(mass)}{meta}"
        if name not in found:
            found.append(name)
    return found


def nuclide_from_text(text: str) -> str:
    """The one nuclide named in ``text``; ``''`` when none or several are named (no guessing).

    Examples
    --------
    >>> nuclide_from_text("Tc-99m bone scan"), nuclide_from_text("I-125 vs I-131"), nuclide_from_text("")
    ('Tc-99m', '', '')
    """
    found = find_nuclides(text)
    return found[0] if len(found) == 1 else ""


#: Time-stamp layouts accepted from counter exports. Slash dates are not guessed: each reader
#: passes the order its instrument writes (e.g. Hidex ``DD/MM/YYYY``).
ISO_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
)


def parse_timestamp(text: object, formats: tuple[str, ...] = ISO_FORMATS) -> dt.datetime:
    """A naive local time stamp read with one of ``formats``; ``ValueError`` naming them otherwise.

    ``datetime`` objects (xlsx cells) are returned unchanged.

    Examples
    --------
    >>> parse_timestamp("2024-03-06 12:42:48")
    datetime.datetime(2024, 3, 6, 12, 42, 48)
    >>> parse_timestamp("30/11/2023 08:44:20", ("%d/%m/%Y %H:%M:%S",))
    datetime.datetime(2023, 11, 30, 8, 44, 20)
    """
    if isinstance(text, dt.datetime):
        return text.replace(tzinfo=None)
    s = " ".join(str(text).split())
    for fmt in formats:
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            continue
    shown = ", ".join(
        f.replace("%Y", "YYYY")
        .replace("%m", "MM")
        .replace("%d", "DD")
        .replace("%H", "HH")
        .replace("%M", "MM")
        .replace("%S", "SS")
        for f in formats
    )
    raise ValueError(f"cannot read the time stamp {s!r}; expected {shown}")


#: Larger counts, CPM, DPM or times are not instrument output (1e15 DPM would be ~17 TBq in a tube).
MAX_COUNTER_VALUE = 1e15


def counter_number(
    token: object,
    decimal: str,
    *,
    what: str,
    line: int | None = None,
    location: str | None = None,
    negative: bool = False,
) -> tuple[float, str]:
    """A numeric counter cell: (value, marker flag) — text that is not a number raises ParseError.

    Empty cells and instrument markers (``OVRFLW`` …) give NaN with their flag; a negative value
    raises unless ``negative`` (background-subtracted CPM may legitimately be below zero), and so
    does a magnitude beyond :data:`MAX_COUNTER_VALUE` (``1e308`` is garbage, not a count).

    Examples
    --------
    >>> counter_number("1,5", ",", what="CPM")
    (1.5, '')
    >>> counter_number("abc", ".", what="CPM", line=3)
    Traceback (most recent call last):
    ...
    assaykit.errors.ParseError: line 3: CPM: expected a number, got 'abc'
    """
    value, flag = parse_value(token, decimal)
    if flag == "not_a_number":
        raise ParseError(
            f"{what}: expected a number, got {str(token).strip()!r}", line=line, location=location
        )
    if not math.isnan(value) and abs(value) > MAX_COUNTER_VALUE:
        raise ParseError(
            f"{what}: {str(token).strip()!r} is not a value a counter reports (more than "
            f"{MAX_COUNTER_VALUE:.0e}); is the column or the decimal separator wrong?",
            line=line,
            location=location,
        )
    if not negative and not math.isnan(value) and value < 0:
        raise ParseError(
            f"{what}: expected a count of zero or more, got {str(token).strip()!r}",
            line=line,
            location=location,
        )
    return value, flag


def snake_name(name: str) -> str:
    """A column name as a snake_case extra-column name (``'CPM-Bkg'`` → ``'cpm_bkg'``, ``'%'`` → ``pct``).

    Examples
    --------
    >>> snake_name("CPM-Bkg"), snake_name("Error %"), snake_name("Sample code")
    ('cpm_bkg', 'error_pct', 'sample_code')
    """
    s = name.strip().lower().replace("%", " pct ")
    s = re.sub(r"[^0-9a-z]+", "_", s).strip("_")
    return s or "column"


def loose_value(token: object, decimal: str = ".") -> object:
    """A cell of an unknown column: a float when it is a number, NaN when empty, else its text.

    Examples
    --------
    >>> loose_value("1,5", ","), loose_value(""), loose_value("ok")
    (1.5, nan, 'ok')
    """
    if token is None or (isinstance(token, str) and not token.strip()):
        return math.nan
    value, flag = parse_value(token, decimal)
    return value if not flag else (token.strip() if isinstance(token, str) else token)


class TimeOrder:
    """Checks that a counter's time stamps never go backwards, line by line.

    Counters count tubes one after another; a time stamp earlier than the one before is a clock
    change (daylight saving fall-back), a day jump back or an edited file, and would make decay
    correction wrong by the jump: a ParseError naming both lines.

    Examples
    --------
    >>> order = TimeOrder()
    >>> order.check(dt.datetime(2026, 10, 25, 2, 50), 5)
    >>> order.check(dt.datetime(2026, 10, 25, 2, 5), 6)
    Traceback (most recent call last):
    ...
    assaykit.errors.ParseError: line 6: time stamp 2026-10-25 02:05:00 is 0:45:00 earlier than 2026-10-25 02:50:00 on line 5; time stamps may not go backwards (a daylight-saving change or a wrong date would make decay correction wrong); fix the time stamps in the export
    """

    #: A forward step longer than this between consecutive tubes is reported (not an error).
    JUMP = dt.timedelta(minutes=30)

    def __init__(self) -> None:
        self.last: dt.datetime | None = None
        self.last_line: int | None = None
        self.jumps: list[dict[str, object]] = []

    def qc(self) -> list[dict[str, object]]:
        """The forward jumps seen, as QC rows (``check``, ``line``, ``message``) for ``attrs``."""
        return list(self.jumps)

    def check(self, stamp: dt.datetime, line: int) -> None:
        if self.last is not None and stamp - self.last > self.JUMP:
            self.jumps.append(
                {
                    "check": "time_jump",
                    "line": line,
                    "message": f"line {line}: time stamps jump forward by {stamp - self.last} "
                    f"after line {self.last_line} ({self.last} → {stamp}); if the counter's "
                    "clock changed (daylight saving) the decay correction of the later tubes "
                    "is wrong by the jump",
                }
            )
        if self.last is not None and stamp < self.last:
            raise ParseError(
                f"time stamp {stamp} is {self.last - stamp} earlier than {self.last} on line "
                f"{self.last_line}; time stamps may not go backwards (a daylight-saving change "
                "or a wrong date would make decay correction wrong); fix the time stamps in the "
                "export",
                line=line,
            )
        self.last, self.last_line = stamp, line


def check_time_order() -> TimeOrder:
    """A fresh :class:`TimeOrder` for one run of a reader."""
    return TimeOrder()


def check_count_time(value: float, *, what: str, line: int | None) -> None:
    """ParseError naming the line when a count time is zero or negative (CPM divides by it)."""
    if not math.isnan(value) and value <= 0:
        raise ParseError(
            f"{what}: count time {value:g} s; a count needs a time above zero "
            "(CPM = counts / minutes)",
            line=line,
        )
