"""Pure well arithmetic: names, indices and plate formats (no I/O).

Canonical well ids are a row label and a zero-padded column, ``A01`` …
``P24``; 1536-well plates use ``AA``–``AF`` after ``Z`` (BMG writes lower-case
``a``–``f`` for those rows, which :func:`ij_from_well` accepts too).
"""

from __future__ import annotations

import re

__all__ = [
    "PLATE_SHAPES",
    "ij_from_well",
    "iter_wells",
    "row_label",
    "row_index",
    "shape_from_size",
    "well_from_ij",
    "normalise_well",
]

#: Number of wells → (rows, columns).
PLATE_SHAPES: dict[int, tuple[int, int]] = {
    6: (2, 3),
    12: (3, 4),
    24: (4, 6),
    48: (6, 8),
    96: (8, 12),
    384: (16, 24),
    1536: (32, 48),
}

_WELL_RE = re.compile(r"^\s*([A-Za-z]{1,2})\s*0*(\d{1,3})(?:\.0+)?\s*$")


def row_label(i: int) -> str:
    """Row label of 0-based row index ``i`` (``0 → 'A'``, ``26 → 'AA'``).

    Examples
    --------
    >>> row_label(0), row_label(15), row_label(26), row_label(31)
    ('A', 'P', 'AA', 'AF')
    """
    if i < 0:
        raise ValueError(f"row index must be >= 0, got {i}")
    if i < 26:
        return chr(ord("A") + i)
    return "A" + chr(ord("A") + i - 26)


def row_index(label: str) -> int:
    """0-based row index of a row label; BMG's lower-case ``a``–``f`` follow ``Z``.

    Examples
    --------
    >>> row_index("A"), row_index("P"), row_index("a"), row_index("AF")
    (0, 15, 26, 31)
    """
    s = label.strip()
    if len(s) == 1 and s.isalpha():
        if s.isupper():
            return ord(s) - ord("A")
        return 26 + ord(s) - ord("a")
    if len(s) == 2 and s.isalpha() and s.isupper() and s[0] == "A":
        return 26 + ord(s[1]) - ord("A")
    raise ValueError(f"not a row label: {label!r} (expected A–Z, a–f or AA–AF)")


def ij_from_well(well: str) -> tuple[int, int]:
    """0-based (row, column) indices of a well name such as ``'B7'``, ``'b07'`` or ``'AA1'``.

    Raises ``ValueError`` with the expected form when the name is not a well.

    Examples
    --------
    >>> ij_from_well("A1"), ij_from_well("H12"), ij_from_well("P024")
    ((0, 0), (7, 11), (15, 23))
    """
    m = _WELL_RE.match(str(well))
    if not m:
        raise ValueError(
            f"cannot read well {well!r}: expected a row letter and a column number, e.g. 'A1' or 'B07'"
        )
    letters, digits = m.groups()
    if len(letters) == 1 and letters.islower():
        # 'a1' is row A in most software; BMG's lower-case rows only occur beyond Z in 1536 plates,
        # and those are passed through row_index() by the readers explicitly.
        letters = letters.upper()
    i = row_index(letters.upper() if len(letters) == 2 else letters)
    j = int(digits) - 1
    if j < 0:
        raise ValueError(f"cannot read well {well!r}: columns start at 1")
    return i, j


def well_from_ij(i: int, j: int) -> str:
    """Canonical well id from 0-based indices (``(1, 6) → 'B07'``).

    Examples
    --------
    >>> well_from_ij(1, 6), well_from_ij(31, 47)
    ('B07', 'AF48')
    """
    return f"{row_label(i)}{j + 1:02d}"


def normalise_well(well: str) -> str:
    """Canonical id of any accepted spelling of a well name.

    Examples
    --------
    >>> normalise_well("b7"), normalise_well(" A01 "), normalise_well("C3.0")
    ('B07', 'A01', 'C03')
    """
    return well_from_ij(*ij_from_well(well))


def shape_from_size(n_wells: int) -> tuple[int, int]:
    """(rows, columns) of a standard plate with ``n_wells`` wells."""
    try:
        return PLATE_SHAPES[n_wells]
    except KeyError:
        known = ", ".join(str(k) for k in PLATE_SHAPES)
        raise ValueError(f"unknown plate size {n_wells}; known sizes: {known}") from None


def iter_wells(n_wells: int = 96) -> list[str]:
    """All well ids of a plate in row-major order.

    Examples
    --------
    >>> wells = iter_wells(384)
    >>> len(wells), wells[0], wells[23], wells[-1]
    (384, 'A01', 'A24', 'P24')
    """
    n_rows, n_cols = shape_from_size(n_wells)
    return [well_from_ij(i, j) for i in range(n_rows) for j in range(n_cols)]
