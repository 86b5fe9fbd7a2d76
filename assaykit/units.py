"""One vocabulary of units: tables, parsers and formatting for every assay.

Every concentration, time, activity, mass and volume that enters assaykit goes through this
module, so a unit is spelled, converted and reported the same way in the templates, the CLI, the
library and the results. A unit that is not known raises :class:`UnitError` (a ``ValueError``)
with a "did you mean" hint.

Conversions by an exact power of ten are done in decimal, so ``0.1 nM`` is exactly ``1e-10`` M.

Examples
--------
>>> to_base(2.5, "nM")
2.5e-09
>>> parse_quantity("0.1 nM", "concentration")
1e-10
>>> parse_quantity("30 s", "time", base="min")
0.5
>>> canonical_unit("um")
'µM'
>>> format_quantity(3.2e-9, "concentration")
'3.20 nM'
"""

from __future__ import annotations

import difflib
import math
import re
from decimal import Decimal
from typing import Literal

from assaykit.errors import AssaykitError

__all__ = [
    "ACTIVITY_UNITS",
    "CONC_UNITS",
    "MASS_UNITS",
    "MOLAR_ACTIVITY_UNITS",
    "PER_MOLAR",
    "TIME_UNITS",
    "VOLUME_UNITS",
    "Dimension",
    "UnitError",
    "canonical_unit",
    "parse_molar",
    "plausible_conc_units",
    "convert",
    "format_molar",
    "format_quantity",
    "parse_quantity",
    "to_base",
    "unit_dimension",
]

Dimension = Literal["concentration", "time", "activity", "mass", "volume", "molar_activity"]


class UnitError(AssaykitError, ValueError):
    """A unit that assaykit does not know, or a quantity that cannot be read."""


#: Concentration units → power of ten to molar (M).
CONC_UNITS: dict[str, int] = {"M": 0, "mM": -3, "µM": -6, "nM": -9, "pM": -12, "fM": -15}
#: The same units as divisors (``nM`` → 1e9): dividing by an exact power of ten keeps
#: ``0.1 nM`` == ``1e-10`` exactly, which multiplying by 1e-9 does not.
PER_MOLAR: dict[str, float] = {u: 10.0 ** (-e) for u, e in CONC_UNITS.items()}
#: Time units → factor to minutes (the time unit of every assaykit table: ``time_min``).
TIME_UNITS: dict[str, float] = {"s": 1 / 60, "min": 1.0, "h": 60.0, "d": 1440.0}
#: Activity units → factor to becquerel.
ACTIVITY_UNITS: dict[str, float] = {
    "Bq": 1.0,
    "kBq": 1e3,
    "MBq": 1e6,
    "GBq": 1e9,
    "µCi": 3.7e4,
    "mCi": 3.7e7,
    "Ci": 3.7e10,
}
#: Mass units → power of ten to gram.
MASS_UNITS: dict[str, int] = {"g": 0, "mg": -3, "µg": -6, "ng": -9, "kg": 3}
#: Volume units → power of ten to litre.
VOLUME_UNITS: dict[str, int] = {"L": 0, "mL": -3, "µL": -6, "nL": -9}

#: Molar (specific) activity units → factor to GBq/µmol (= MBq/nmol = Bq/fmol).
MOLAR_ACTIVITY_UNITS: dict[str, float] = {
    "GBq/µmol": 1.0,
    "MBq/nmol": 1.0,
    "TBq/mmol": 1.0,
    "Bq/fmol": 1.0,
    "GBq/mmol": 1e-3,
    "MBq/µmol": 1e-3,
    "Ci/mmol": 0.037,
    "mCi/µmol": 0.037,
    "Bq/mol": 1e-15,
}

_TABLES: dict[str, dict[str, int] | dict[str, float]] = {
    "concentration": CONC_UNITS,
    "time": TIME_UNITS,
    "activity": ACTIVITY_UNITS,
    "mass": MASS_UNITS,
    "volume": VOLUME_UNITS,
    "molar_activity": MOLAR_ACTIVITY_UNITS,
}
_BASE: dict[str, str] = {
    "concentration": "M",
    "time": "min",
    "activity": "Bq",
    "mass": "g",
    "volume": "L",
    "molar_activity": "GBq/µmol",
}
#: Other spellings (keys compared case-sensitively first, then lower-cased where unambiguous).
_ALIASES: dict[str, str] = {
    "uM": "µM",
    "μM": "µM",  # Greek mu U+03BC
    "mol/l": "M",
    "mol/L": "M",
    "sec": "s",
    "secs": "s",
    "second": "s",
    "seconds": "s",
    "mins": "min",
    "minute": "min",
    "minutes": "min",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "day": "d",
    "days": "d",
    "uCi": "µCi",
    "μCi": "µCi",
    "ug": "µg",
    "μg": "µg",
    "uL": "µL",
    "μL": "µL",
    "ul": "µL",
    "ml": "mL",
    "l": "L",
    "GBq/umol": "GBq/µmol",
    "MBq/umol": "MBq/µmol",
    "mCi/umol": "mCi/µmol",
}
# Lower-case spellings that are unambiguous ('mm' is mM here: no length units in assaykit).
_LOWER: dict[str, str] = {
    "m": "M",
    "mm": "mM",
    "um": "µM",
    "µm": "µM",
    "μm": "µM",
    "nm": "nM",
    "pm": "pM",
    "fm": "fM",
    "bq": "Bq",
    "kbq": "kBq",
    "mbq": "MBq",
    "gbq": "GBq",
    "uci": "µCi",
    "µci": "µCi",
    "mci": "mCi",
    "ci": "Ci",
}
_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([^\d\s].*?)?\s*$")


def _all_units() -> list[str]:
    return [u for table in _TABLES.values() for u in table]


def canonical_unit(text: str) -> str:
    """The canonical spelling of a unit (``um`` → ``µM``, ``minutes`` → ``min``).

    Raises
    ------
    UnitError
        The unit is not known; the message suggests the closest known unit.
    """
    raw = str(text).strip()
    if any(raw in table for table in _TABLES.values()):
        return raw
    if raw in _ALIASES:
        return _ALIASES[raw]
    low = raw.lower()
    if low in _LOWER:
        return _LOWER[low]
    if low in _ALIASES:
        return _ALIASES[low]
    close = difflib.get_close_matches(raw, _all_units() + list(_ALIASES), n=1, cutoff=0.5)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise UnitError(f"unknown unit {raw!r}{hint}; known units: {', '.join(_all_units())}")


def unit_dimension(unit: str) -> Dimension:
    """The dimension of a unit: ``nM`` → ``'concentration'``."""
    u = canonical_unit(unit)
    for dim, table in _TABLES.items():
        if u in table:
            return dim  # type: ignore[return-value]
    raise UnitError(f"unknown unit {unit!r}")  # pragma: no cover - canonical_unit raised


def _factor(unit: str, dimension: Dimension | None) -> tuple[str, Decimal | float]:
    u = canonical_unit(unit)
    dim = unit_dimension(u)
    if dimension is not None and dim != dimension:
        raise UnitError(f"{u!r} is a unit of {dim}, expected a unit of {dimension}")
    table = _TABLES[dim]
    f = table[u]
    if isinstance(f, int):
        return dim, Decimal(1).scaleb(f)
    return dim, f


def to_base(value: float, unit: str, dimension: Dimension | None = None) -> float:
    """``value`` in ``unit`` expressed in the dimension's base unit (M, min, Bq, g, L).

    Examples
    --------
    >>> to_base(0.1, "nM"), to_base(2, "h"), to_base(1, "mCi")
    (1e-10, 120.0, 37000000.0)
    """
    _, f = _factor(unit, dimension)
    if isinstance(f, Decimal):
        v = float(value)
        if not math.isfinite(v):
            return v
        return float(Decimal(repr(v)) * f)
    return float(value) * f


def convert(value: float, unit: str, to: str) -> float:
    """Convert ``value`` from ``unit`` to ``to`` (same dimension).

    Examples
    --------
    >>> convert(2.5, "nM", "pM"), convert(90, "s", "min")
    (2500.0, 1.5)
    """
    dim, f_from = _factor(unit, None)
    _, f_to = _factor(to, dim)  # type: ignore[arg-type]
    if isinstance(f_from, Decimal) and isinstance(f_to, Decimal):
        v = float(value)
        if not math.isfinite(v):
            return v
        return float(Decimal(repr(v)) * f_from / f_to)
    return float(value) * float(f_from) / float(f_to)


def parse_quantity(
    text: str | float | int | None,
    dimension: Dimension,
    *,
    base: str | None = None,
    default_unit: str | None = None,
    what: str = "value",
) -> float | None:
    """A quantity given as a number or as text with its unit (``"1 nM"``, ``"30 s"``) → float.

    Parameters
    ----------
    text
        A number (taken in ``default_unit``, or the base unit) or text with a unit.
    dimension
        What the quantity is (``concentration``, ``time``, ...).
    base
        The unit to return the value in (default: the dimension's base, M for concentrations).
    default_unit
        Unit of a bare number (default: ``base``).
    what
        Name of the quantity for the message (an option or a cell).

    Returns
    -------
    float or None
        None for ``None`` or an empty string.

    Examples
    --------
    >>> parse_quantity("2.5 µM", "concentration"), parse_quantity(3, "concentration", default_unit="nM")
    (2.5e-06, 3e-09)
    >>> parse_quantity("3 furlongs", "concentration", what="--kd")
    Traceback (most recent call last):
    ...
    assaykit.units.UnitError: --kd: unknown unit 'furlongs'; expected a concentration such as 1e-9 (M) or '1 nM'
    """
    target = base or _BASE[dimension]
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    example = {
        "concentration": "1e-9 (M) or '1 nM'",
        "time": "'30 min' or '2 h'",
        "activity": "'5 MBq'",
        "mass": "'0.25 g'",
        "volume": "'200 µL'",
        "molar_activity": "'80 GBq/µmol' or '2200 Ci/mmol'",
    }[dimension]
    if isinstance(text, (int, float)):
        return convert(float(text), default_unit or target, target)
    m = _NUMBER_UNIT.match(str(text))
    if not m:
        raise UnitError(f"{what}: expected a {dimension} such as {example}, got {text!r}")
    unit = (m.group(2) or "").strip() or default_unit or target
    try:
        return convert(float(m.group(1)), unit, target)
    except UnitError:
        if unit not in _all_units() and unit not in _ALIASES and unit.lower() not in _LOWER:
            raise UnitError(
                f"{what}: unknown unit {unit!r}; expected a {dimension} such as {example}"
            ) from None
        raise UnitError(f"{what}: {unit!r} is not a unit of {dimension}") from None


def format_quantity(value: float, dimension: Dimension, *, digits: int = 3) -> str:
    """A value in the base unit written with the unit that keeps it readable.

    Examples
    --------
    >>> format_quantity(3.2e-9, "concentration"), format_quantity(1.5e-12, "concentration")
    ('3.20 nM', '1.50 pM')
    >>> format_quantity(float("nan"), "concentration")
    'n/a'
    """
    if value is None or not math.isfinite(value):
        return "n/a"
    if dimension == "concentration":
        return format_molar(value, digits)
    return f"{value:.{digits}g} {_BASE[dimension]}"


def format_molar(conc: float, digits: int = 3) -> str:
    """A molar concentration with a readable unit and ``digits`` significant digits.

    Examples
    --------
    >>> format_molar(3.5518e-8), format_molar(5.0e-12), format_molar(2.5e-6), format_molar(float("nan"))
    ('35.5 nM', '5.00 pM', '2.50 µM', 'n/a')
    """
    if conc is None or not math.isfinite(conc) or conc <= 0:
        return "n/a"
    for unit, exp in sorted(CONC_UNITS.items(), key=lambda kv: -kv[1]):
        f = 10.0**exp
        if conc >= f * 0.9995:
            v = float(f"{conc / f:.{digits}g}")  # round to significant digits first
            return f"{v:.{max(digits - 1 - int(math.floor(math.log10(v))), 0)}f} {unit}"
    return f"{conc:.3g} M"


def parse_molar(text: str | float | int | None, *, what: str = "concentration") -> float | None:
    """A concentration given as ``1e-9`` (M), ``"1 nM"``, ``"0.1nM"`` or ``"2.5 µM"`` → M.

    Examples
    --------
    >>> parse_molar("1 nM"), parse_molar("0.1nM"), parse_molar(2e-9), parse_molar(None)
    (1e-09, 1e-10, 2e-09, None)
    """
    return parse_quantity(text, "concentration", what=what)


def plausible_conc_units(number: float, *, low: float = 1e-12, high: float = 1e-3) -> list[str]:
    """The concentration units under which ``number`` is a plausible assay concentration.

    For the hint of a unit slip: ``40`` typed with the unit left at M is plausible in µM or nM.

    Examples
    --------
    >>> plausible_conc_units(40.0), plausible_conc_units(3.04e-9)
    (['µM', 'nM', 'pM'], ['M', 'mM'])
    """
    out = []
    for unit, f in PER_MOLAR.items():
        if low <= abs(float(number)) / f <= high:
            out.append(unit)
    return out
