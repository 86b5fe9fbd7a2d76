"""The layout vocabulary: roles, fractions, units, isotopes, column and experiment-field names.

Shared by the template writer (:mod:`assaykit.layout.templates`) and the layout reader, so the lists
offered in the workbook's drop-downs and the words the reader accepts can never drift apart.
Every lookup is forgiving about case and surrounding spaces and raises
:class:`~assaykit.errors.LayoutError` with a "did you mean" hint for anything else.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assaykit import units as _units
from assaykit.errors import LayoutError

__all__ = [
    "BINDING_ROLES",
    "CONDITIONS",
    "FRACTIONS",
    "ISOTOPES",
    "KINDS",
    "UNITS",
    "UPTAKE_ROLES",
    "canonical",
    "check_kind",
    "did_you_mean",
    "isotope_from_text",
    "molar_from",
    "unit_from_text",
]

KINDS: tuple[str, ...] = ("binding", "uptake")

#: Roles of a competitive binding experiment (docs/CONTRACTS.md §2).
BINDING_ROLES: tuple[str, ...] = ("total", "nsb", "competitor", "blank", "standard")
#: Roles of an uptake / internalization experiment.
UPTAKE_ROLES: tuple[str, ...] = ("sample", "blank", "standard")
#: Fractions collected in an uptake experiment (samples only).
FRACTIONS: tuple[str, ...] = ("supernatant", "surface", "internalized")
#: Conditions of the uptake template; any other is an error naming the cell (the statistics
#: compare tracer with blocked and would silently leave another condition out).
CONDITIONS: tuple[str, ...] = ("tracer", "blocked")

#: Common spellings accepted for each role / fraction (keys lower case).
ROLE_SYNONYMS: dict[str, str] = {
    "tb": "total",
    "total binding": "total",
    "ns": "nsb",
    "nonspecific": "nsb",
    "non-specific": "nsb",
    "nonspecific binding": "nsb",
    "non-specific binding": "nsb",
    "comp": "competitor",
    "bkg": "blank",
    "background": "blank",
    "bg": "blank",
    "std": "standard",
    "added": "standard",
    "applied": "standard",
}
FRACTION_SYNONYMS: dict[str, str] = {
    "free": "supernatant",
    "medium": "supernatant",
    "sup": "supernatant",
    "acid wash": "surface",
    "surface-bound": "surface",
    "surface bound": "surface",
    "membrane": "surface",
    "lysate": "internalized",
    "internalised": "internalized",
    "internal": "internalized",
}

#: The concentration units offered in the template as divisors (``nM`` → 1e9), from the one
#: units module (:mod:`assaykit.units`; fM is not offered, the ASCII spelling ``uM`` is):
#: dividing by an exact power of ten keeps ``0.1 nM`` == ``1e-10`` exactly.
PER_MOLAR: dict[str, float] = {
    u: _units.PER_MOLAR["µM" if u == "uM" else u] for u in ("M", "mM", "µM", "uM", "nM", "pM")
}
#: The same units → factor to molar.
UNITS: dict[str, float] = {u: 1.0 / f for u, f in PER_MOLAR.items()}
_UNIT_LOOKUP: dict[str, str] = {
    "m": "M",
    "mol/l": "M",
    "mm": "mM",
    "µm": "µM",  # micro sign U+00B5
    "μm": "µM",  # Greek mu U+03BC
    "um": "µM",
    "nm": "nM",
    "pm": "pM",
}

#: Isotopes offered in the template, in the counter exports' ``I-125`` spelling.
ISOTOPES: tuple[str, ...] = (
    "I-125",
    "I-123",
    "I-124",
    "I-131",
    "Ga-68",
    "Ga-67",
    "F-18",
    "Cu-64",
    "Lu-177",
    "Tc-99m",
    "In-111",
    "Y-90",
    "Zr-89",
    "Sc-44",
    "Tb-161",
    "Ac-225",
    "Pb-212",
    "At-211",
    "Cr-51",
    "H-3",
    "C-14",
    "P-32",
    "S-35",
)
_ISOTOPE_RE = re.compile(
    r"^\[?\s*(?:(?P<m1>\d{1,3})(?P<x1>m?)\s*-?\s*(?P<e1>[A-Za-z]{1,2})|(?P<e2>[A-Za-z]{1,2})\s*-?\s*(?P<m2>\d{1,3})(?P<x2>m?))\s*\]?$"
)


def check_kind(kind: object) -> str:
    """The experiment kind, checked (``binding`` or ``uptake``).

    Examples
    --------
    >>> check_kind(" Binding ")
    'binding'
    >>> check_kind("bindng")
    Traceback (most recent call last):
    ...
    assaykit.errors.LayoutError: unknown template kind 'bindng'; expected one of binding, uptake (did you mean 'binding'?)
    """
    k = str(kind).strip().lower()
    if k in KINDS:
        return k
    raise LayoutError(
        f"unknown template kind {str(kind)!r}; expected one of {', '.join(KINDS)}{did_you_mean(k, KINDS)}"
    )


def did_you_mean(word: object, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """``" (did you mean 'x'?)"`` for the closest choice, or ``""``.

    Examples
    --------
    >>> did_you_mean("competiter", BINDING_ROLES)
    " (did you mean 'competitor'?)"
    >>> did_you_mean("xyz", BINDING_ROLES)
    ''
    """
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    hits = difflib.get_close_matches(str(word).strip().lower(), list(lowered), n=1, cutoff=cutoff)
    return f" (did you mean {lowered[hits[0]]!r}?)" if hits else ""


def canonical(
    value: object, choices: Iterable[str], synonyms: Mapping[str, str], *, what: str
) -> str:
    """The canonical spelling of a vocabulary word, or a LayoutError with a hint.

    Examples
    --------
    >>> canonical(" NSB ", BINDING_ROLES, ROLE_SYNONYMS, what="role")
    'nsb'
    >>> canonical("lysate", FRACTIONS, FRACTION_SYNONYMS, what="fraction")
    'internalized'
    >>> canonical("surfce", FRACTIONS, FRACTION_SYNONYMS, what="fraction")
    Traceback (most recent call last):
    ...
    assaykit.errors.LayoutError: unknown fraction 'surfce'; expected one of supernatant, surface, internalized (did you mean 'surface'?)
    """
    choices = tuple(choices)
    key = re.sub(r"\s+", " ", str(value).strip().lower())
    for c in choices:
        if key == c.lower():
            return c
    if key in synonyms and synonyms[key] in choices:
        return synonyms[key]
    words = {c.lower(): c for c in choices}
    words.update({s: t for s, t in synonyms.items() if t in choices})
    hits = difflib.get_close_matches(key, list(words), n=1, cutoff=0.6)
    hint = f" (did you mean {words[hits[0]]!r}?)" if hits else ""
    raise LayoutError(
        f"unknown {what} {str(value).strip()!r}; expected one of {', '.join(choices)}{hint}"
    )


def unit_from_text(text: object) -> str:
    """The canonical concentration unit of ``text`` (case-insensitive; ``uM`` → ``µM``).

    Examples
    --------
    >>> unit_from_text("uM"), unit_from_text(" nm "), unit_from_text("μM"), unit_from_text("m")
    ('µM', 'nM', 'µM', 'M')
    >>> unit_from_text("nMol")
    Traceback (most recent call last):
    ...
    assaykit.errors.LayoutError: unknown concentration unit 'nMol'; expected one of M, mM, µM, uM, nM, pM (did you mean 'nM'?)
    """
    key = str(text).strip().lower()
    if key in _UNIT_LOOKUP:
        return _UNIT_LOOKUP[key]
    hint = did_you_mean(key, UNITS, cutoff=0.5)
    raise LayoutError(
        f"unknown concentration unit {str(text).strip()!r}; expected one of {', '.join(UNITS)}{hint}"
    )


def molar_from(value: float, unit: object) -> float:
    """``value`` in ``unit`` converted to mol/L.

    Examples
    --------
    >>> molar_from(10, "nM"), molar_from(1.5, "uM")
    (1e-08, 1.5e-06)
    """
    return float(value) / PER_MOLAR[unit_from_text(unit)]


def nice_unit(conc_m: float) -> str:
    """The unit that writes a molar concentration with 1 to 999 in front (M for zero).

    Examples
    --------
    >>> nice_unit(3e-10), nice_unit(1e-9), nice_unit(2.5e-5), nice_unit(0.0)
    ('pM', 'nM', 'µM', 'M')
    """
    if not conc_m or not math.isfinite(conc_m):
        return "M"
    for unit in ("M", "mM", "µM", "nM"):
        if abs(conc_m) * PER_MOLAR[unit] >= 1 - 1e-9:
            return unit
    return "pM"


def isotope_from_text(text: object) -> str:
    """The ``I-125`` spelling of an isotope written ``125I``, ``[125I]``, ``i125`` or ``I-125``.

    Examples
    --------
    >>> isotope_from_text("125I"), isotope_from_text("[68Ga]"), isotope_from_text("lu177")
    ('I-125', 'Ga-68', 'Lu-177')
    >>> isotope_from_text("I-152")
    Traceback (most recent call last):
    ...
    assaykit.errors.LayoutError: unknown isotope 'I-152'; expected e.g. I-125, I-123, I-124, I-131, Ga-68, F-18, Lu-177, Cu-64 (did you mean 'I-125'?)
    """
    s = str(text).strip()
    m = _ISOTOPE_RE.match(s)
    guess = s
    if m:
        element = (m.group("e1") or m.group("e2")).capitalize()
        mass = m.group("m1") or m.group("m2")
        meta = m.group("x1") or m.group("x2") or ""
        guess = f"{element}-{int(mass)}{meta}"
        for iso in ISOTOPES:
            if iso.lower() == guess.lower():
                return iso
    common = ", ".join(("I-125", "I-123", "I-124", "I-131", "Ga-68", "F-18", "Lu-177", "Cu-64"))
    raise LayoutError(
        f"unknown isotope {s!r}; expected e.g. {common}{did_you_mean(guess, ISOTOPES)}"
    )


@dataclass(frozen=True)
class Field:
    """One row of the Experiment sheet."""

    label: str  # as written in column A of the template
    key: str  # key in attrs["experiment"]
    kind: str  # "text", "number", "conc", "time", "date", "isotope", "int"
    help: str
    example: object = None
    unit: str = ""  # default unit shown in column C (conc fields)


BINDING_FIELDS: tuple[Field, ...] = (
    Field(
        "experiment id",
        "experiment_id",
        "text",
        "A short unique name, e.g. BND-2026-031.",
        "BND-2026-031",
    ),
    Field("date", "date", "date", "Day of the experiment (YYYY-MM-DD).", "2026-03-12"),
    Field(
        "radioligand",
        "radioligand",
        "text",
        "The labelled ligand, e.g. [125I]FC131.",
        "[125I]FC131",
    ),
    Field(
        "radioligand concentration",
        "radioligand_conc_M",
        "conc",
        "Final concentration of the radioligand in the tube/well; give the unit in column C.",
        0.1,
        "nM",
    ),
    Field(
        "radioligand Kd",
        "radioligand_kd_M",
        "conc",
        "Dissociation constant of the radioligand (for Cheng-Prusoff Ki); leave empty if unknown.",
        4.0,
        "nM",
    ),
    Field(
        "isotope",
        "isotope",
        "isotope",
        "The nuclide counted, e.g. I-125 (125I and [125I] are read too).",
        "I-125",
    ),
    Field(
        "reference time",
        "reference_time",
        "time",
        "Time to which counts are decay-corrected (YYYY-MM-DD HH:MM); empty: the start of the first count.",
        "2026-03-12 14:00",
    ),
    Field(
        "cells per well",
        "cells_per_well",
        "number",
        "Cells per well or tube (e.g. 200000).",
        200000,
    ),
    Field(
        "total added counts",
        "added_counts_cpm",
        "number",
        "Optional: counts (cpm) of the radioligand added per tube, if not measured as 'standard' tubes.",
        None,
    ),
    Field(
        "plate size",
        "plate_size",
        "int",
        "Plate readers only: 96 or 384 (wells beyond it are refused).",
        96,
    ),
    Field("operator", "operator", "text", "Who did the experiment.", "A. Scientist"),
    Field(
        "notes",
        "notes",
        "text",
        "Anything else worth keeping with the results.",
        "Jurkat cells, 2 h RT",
    ),
)

UPTAKE_FIELDS: tuple[Field, ...] = (
    Field(
        "experiment id",
        "experiment_id",
        "text",
        "A short unique name, e.g. UPT-2026-007.",
        "UPT-2026-007",
    ),
    Field("date", "date", "date", "Day of the experiment (YYYY-MM-DD).", "2026-03-14"),
    Field(
        "tracer",
        "tracer",
        "text",
        "The radiolabelled compound, e.g. [68Ga]Pentixafor.",
        "[125I]CPCR4.3",
    ),
    Field("isotope", "isotope", "isotope", "The nuclide counted, e.g. I-125 or Ga-68.", "I-125"),
    Field(
        "reference time",
        "reference_time",
        "time",
        "Time to which counts are decay-corrected (YYYY-MM-DD HH:MM); empty: the start of the first count.",
        "2026-03-14 09:00",
    ),
    Field(
        "cells per well",
        "cells_per_well",
        "number",
        "Cells seeded per well (overridable per tube).",
        250000,
    ),
    Field(
        "applied volume",
        "applied_volume_uL",
        "number",
        "Volume of tracer solution added per well, in µL.",
        25,
    ),
    Field(
        "blocking agent",
        "blocking_agent",
        "text",
        "What the 'blocked' wells got, e.g. AMD3100.",
        "AMD3100",
    ),
    Field(
        "blocking agent concentration",
        "blocking_conc_M",
        "conc",
        "Final concentration of the blocking agent in the 'blocked' wells; give the unit in column C.",
        100,
        "µM",
    ),
    Field(
        "plate size",
        "plate_size",
        "int",
        "Plate readers only: 96 or 384 (wells beyond it are refused).",
        96,
    ),
    Field("operator", "operator", "text", "Who did the experiment.", "A. Scientist"),
    Field(
        "notes",
        "notes",
        "text",
        "Anything else worth keeping with the results.",
        "Chem-1 hCXCR4, 37 °C",
    ),
)


def fields_for(kind: str) -> tuple[Field, ...]:
    """The Experiment-sheet fields of ``kind``."""
    return BINDING_FIELDS if check_kind(kind) == "binding" else UPTAKE_FIELDS


def roles_for(kind: str) -> tuple[str, ...]:
    """The roles of ``kind``."""
    return BINDING_ROLES if check_kind(kind) == "binding" else UPTAKE_ROLES


@dataclass(frozen=True)
class Column:
    """One column of the Wells / Tubes tables."""

    header: str  # as written in the template
    key: str  # output column (before unit conversion)
    kind: str  # "int", "well", "text", "role", "number", "unit", "fraction", "condition"
    width: float = 12


_KEYS_PLATE = (Column("plate", "plate", "int", 7), Column("well", "well", "well", 7))
_KEYS_TUBE = (
    Column("rack", "rack", "int", 7),
    Column("position", "position", "int", 9),
    Column("sample", "sample", "text", 12),
)
_BINDING_BODY = (
    Column("role", "role", "role", 12),
    Column("compound", "compound", "text", 22),
    Column("concentration", "concentration", "number", 14),
    Column("unit", "unit", "unit", 7),
    Column("replicate", "replicate", "int", 10),
)
_UPTAKE_BODY = (
    Column("role", "role", "role", 11),
    Column("fraction", "fraction", "fraction", 14),
    Column("time (min)", "time_min", "number", 11),
    Column("condition", "condition", "condition", 12),
    Column("compound", "compound", "text", 20),
    Column("replicate", "replicate", "int", 10),
    Column("cells per well", "cells_per_well", "number", 14),
    Column("protein mg", "protein_mg", "number", 11),
)


def columns_for(kind: str, sheet: str) -> tuple[Column, ...]:
    """Columns of the ``Wells`` or ``Tubes`` sheet of ``kind``."""
    keys = _KEYS_PLATE if sheet == "Wells" else _KEYS_TUBE
    body = _BINDING_BODY if check_kind(kind) == "binding" else _UPTAKE_BODY
    return keys + body


#: Header spellings accepted for each column key (besides the template's own header).
HEADER_SYNONYMS: dict[str, str] = {
    "plate": "plate",
    "plate number": "plate",
    "plate no": "plate",
    "well": "well",
    "well id": "well",
    "rack": "rack",
    "rack number": "rack",
    "position": "position",
    "pos": "position",
    "tube": "position",
    "sample": "sample",
    "sample code": "sample",
    "sample id": "sample",
    "role": "role",
    "type": "role",
    "compound": "compound",
    "competitor": "compound",
    "concentration": "concentration",
    "conc": "concentration",
    "conc.": "concentration",
    "unit": "unit",
    "conc unit": "unit",
    "conc_unit": "unit",
    "concentration unit": "unit",
    "conc_m": "conc_M",
    "conc (m)": "conc_M",
    "replicate": "replicate",
    "rep": "replicate",
    "fraction": "fraction",
    "time (min)": "time_min",
    "time_min": "time_min",
    "time min": "time_min",
    "time": "time_min",
    "condition": "condition",
    "cells per well": "cells_per_well",
    "cells_per_well": "cells_per_well",
    "cells": "cells_per_well",
    "protein mg": "protein_mg",
    "protein (mg)": "protein_mg",
    "protein_mg": "protein_mg",
    "protein": "protein_mg",
    "notes": "notes",
    "note": "notes",
    "comment": "notes",
    "experiment": "experiment",
}
