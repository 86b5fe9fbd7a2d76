"""Half-lives as data: the bundled table (value, uncertainty, unit, source), spellings, overrides."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from assaykit.errors import AssaykitError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_SOURCE",
    "HalfLife",
    "canonical_isotope",
    "half_life",
    "half_life_info",
    "half_life_table",
    "register_isotope",
    "unregister_isotope",
]

DEFAULT_SOURCE = "ICRP-107"
_UNIT_SECONDS = {"s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0, "y": 365.2422 * 86400.0}
_ELEMENT_RE = re.compile(r"^([a-z]{1,2})-?(\d{1,3})(m?)$|^(\d{1,3})(m?)-?([a-z]{1,2})$")


@dataclass(frozen=True)
class HalfLife:
    """One half-life entry: ``value`` ± ``uncertainty`` in ``unit``, from ``source``."""

    isotope: str
    value: float
    uncertainty: float
    unit: str
    source: str

    @property
    def seconds(self) -> float:
        """The half-life in seconds."""
        return self.value * _UNIT_SECONDS[self.unit]

    @property
    def timedelta(self) -> pd.Timedelta:
        """The half-life as a :class:`pandas.Timedelta` (nanosecond resolution)."""
        import pandas as pd

        return pd.Timedelta(round(self.seconds * 1e9), unit="ns")


_USER: dict[str, HalfLife] = {}


@cache
def _bundled() -> tuple[HalfLife, ...]:
    import csv
    from importlib.resources import files

    text = files("assaykit.data").joinpath("half_lives.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return tuple(
        HalfLife(
            r["isotope"],
            float(r["half_life"]),
            float(r["uncertainty"]) if r["uncertainty"] else math.nan,
            r["unit"],
            r["source"],
        )
        for r in rows
    )


def canonical_isotope(name: str) -> str:
    """The canonical spelling ``Ga-68`` / ``Tc-99m`` of a nuclide written in any common way.

    Accepts ``Ga-68``, ``68Ga``, ``ga68``, ``[68Ga]``, ``I125``, ``99mTc``, ``Tc99m``.

    Examples
    --------
    >>> [canonical_isotope(s) for s in ("68Ga", "ga68", "I125", "[177Lu]", "99mTc", "Tc-99M")]
    ['Ga-68', 'Ga-68', 'I-125', 'Lu-177', 'Tc-99m', 'Tc-99m']
    """
    text = re.sub(r"[\s\[\]_]", "", str(name)).lower()
    m = _ELEMENT_RE.match(text)
    if m is None:
        raise AssaykitError(
            f"cannot read {name!r} as a nuclide; expected e.g. 'Ga-68', '68Ga', 'I125', 'Tc-99m'"
        )
    if m.group(1):
        symbol, mass, meta = m.group(1), m.group(2), m.group(3)
    else:
        mass, meta, symbol = m.group(4), m.group(5), m.group(6)
    return f"{symbol.capitalize()}-{int(mass)}{meta}"


def register_isotope(
    isotope: str,
    value: float,
    unit: str = "d",
    *,
    uncertainty: float = math.nan,
    source: str = "user",
) -> HalfLife:
    """Add a nuclide or override a bundled half-life for this session (all sources).

    Examples
    --------
    >>> import pandas as pd
    >>> register_isotope("I-125", 59.49, "d", source="older literature").source
    'older literature'
    >>> half_life("I125") / pd.Timedelta(days=1)
    59.49
    >>> unregister_isotope("I-125"); half_life("I125") / pd.Timedelta(days=1)
    59.4
    """
    if unit not in _UNIT_SECONDS:
        raise AssaykitError(
            f"unknown half-life unit {unit!r}; expected one of {sorted(_UNIT_SECONDS)}"
        )
    if not (value > 0 and math.isfinite(value)):
        raise AssaykitError(f"half-life of {isotope} must be a positive number, got {value!r}")
    entry = HalfLife(canonical_isotope(isotope), float(value), float(uncertainty), unit, source)
    _USER[entry.isotope] = entry
    return entry


def unregister_isotope(isotope: str) -> None:
    """Remove a user entry made with :func:`register_isotope` (bundled values come back)."""
    _USER.pop(canonical_isotope(isotope), None)


def half_life_table() -> pd.DataFrame:
    """Every half-life known: ``isotope, half_life, uncertainty, unit, source, seconds``.

    Examples
    --------
    >>> t = half_life_table()
    >>> t.loc[(t.isotope == "Ga-68") & (t.source == "ICRP-107"), ["half_life", "unit"]].values.tolist()
    [[67.71, 'min']]
    """
    import pandas as pd

    entries = list(_bundled()) + list(_USER.values())
    return pd.DataFrame(
        {
            "isotope": [e.isotope for e in entries],
            "half_life": [e.value for e in entries],
            "uncertainty": [e.uncertainty for e in entries],
            "unit": [e.unit for e in entries],
            "source": [e.source for e in entries],
            "seconds": [e.seconds for e in entries],
        }
    )


def _as_half_life(isotope: str, value: Any) -> HalfLife:
    if isinstance(value, HalfLife):
        return value
    import pandas as pd

    seconds = pd.Timedelta(value).total_seconds() if not isinstance(value, int | float) else value
    if not (seconds > 0 and math.isfinite(seconds)):
        raise AssaykitError(f"half-life of {isotope} must be positive, got {value!r}")
    return HalfLife(isotope, float(seconds), math.nan, "s", "user (half_lives= argument)")


def half_life_info(
    isotope: str,
    *,
    source: str = DEFAULT_SOURCE,
    half_lives: Mapping[str, Any] | None = None,
) -> HalfLife:
    """The :class:`HalfLife` entry used for ``isotope`` (value, uncertainty, unit and source).

    Precedence: the ``half_lives`` mapping (values are Timedelta, ``'59.49 days'`` or seconds),
    then :func:`register_isotope` entries, then the bundled table for ``source`` (falling back
    to ICRP-107 when that source does not list the nuclide).

    Examples
    --------
    >>> half_life_info("177Lu", source="PTB (Kossert et al. 2012)")
    HalfLife(isotope='Lu-177', value=6.639, uncertainty=0.009, unit='d', source='PTB (Kossert et al. 2012)')
    """
    name = canonical_isotope(isotope)
    if half_lives:
        for key, value in half_lives.items():
            if canonical_isotope(key) == name:
                return _as_half_life(name, value)
    if name in _USER:
        return _USER[name]
    bundled = [e for e in _bundled() if e.isotope == name]
    for wanted in (source, DEFAULT_SOURCE):
        for e in bundled:
            if e.source == wanted:
                return e
    known = sorted({e.isotope for e in _bundled()} | set(_USER))
    raise AssaykitError(
        f"no half-life known for {isotope!r}; known: {', '.join(known)} "
        "(add one with register_isotope(...) or half_lives={...})"
    )


def half_life(
    isotope: str,
    *,
    source: str = DEFAULT_SOURCE,
    half_lives: Mapping[str, Any] | None = None,
) -> pd.Timedelta:
    """Half-life of a nuclide as a :class:`pandas.Timedelta` (spellings as :func:`canonical_isotope`).

    Examples
    --------
    >>> half_life("68Ga")
    Timedelta('0 days 01:07:42.600000')
    >>> half_life("Xx-999")
    Traceback (most recent call last):
    ...
    assaykit.errors.AssaykitError: no half-life known for 'Xx-999'; known: Ac-225, ...
    """
    return half_life_info(isotope, source=source, half_lives=half_lives).timedelta


def _half_life_seconds(isotope: str | None, half_life: Any) -> float:
    if half_life is not None:
        return _as_half_life(isotope or "the nuclide", half_life).seconds
    if isotope is None:
        raise AssaykitError("decay correction needs an isotope or a half_life")
    return half_life_info(isotope).seconds
