"""The tidy column vocabulary shared by every stage, and the check each stage runs on entry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from assaykit.errors import SchemaError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COUNTER_COLUMNS",
    "STATUSES",
    "join_flags",
    "PLATE_READER_COLUMNS",
    "require_columns",
]

#: Columns of a plate-reader table, one row per measured value (``time_s`` added for kinetic reads).
PLATE_READER_COLUMNS: tuple[str, ...] = (
    "plate",
    "well",
    "row",
    "col",
    "read",
    "value",
    "unit",
    "flag",
)

#: Columns of a counter table, one row per counted tube (or well of a counter plate).
COUNTER_COLUMNS: tuple[str, ...] = (
    "rack",
    "position",
    "sample",
    "counts",
    "count_time_s",
    "cpm",
    "measured_at",
    "isotope",
    "flag",
)


#: Every fitted row's ``status`` (docs/CONTRACTS.md §3): the curve's verdict in one word.
STATUSES: tuple[str, ...] = (
    "ok",
    "no_inhibition",
    "extrapolated",
    "not_identifiable",
    "insufficient_data",
    "failed",
)


def join_flags(*parts: object, sep: str = ";") -> str:
    """Join ``sep``-separated lists of flags (or messages), dropping empties, NaN and repeats.

    The one helper for every ``flags`` (``;``) and ``message`` (``"; "``) cell.

    Examples
    --------
    >>> join_flags("a;b", "", None, "b;c")
    'a;b;c'
    >>> join_flags("fit failed", "check the layout", sep="; ")
    'fit failed; check the layout'
    """
    seen: list[str] = []
    for part in parts:
        for item in str(part if part is not None else "").split(sep):
            item = item.strip()
            if item and item.lower() != "nan" and item not in seen:
                seen.append(item)
    return sep.join(seen)


def require_columns(df: pd.DataFrame, columns: Iterable[str], *, stage: str) -> None:
    """Raise :class:`~assaykit.errors.SchemaError` unless ``df`` has every column named.

    Parameters
    ----------
    df
        The table to check.
    columns
        Required column names.
    stage
        The step asking (used in the message).

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"conc": [1.0]}), ["conc", "response"], stage="binding fit")
    Traceback (most recent call last):
    ...
    assaykit.errors.SchemaError: binding fit needs column(s) 'response'; the table has 'conc'
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        have = ", ".join(repr(str(c)) for c in df.columns) or "no columns"
        need = ", ".join(repr(c) for c in missing)
        raise SchemaError(f"{stage} needs column(s) {need}; the table has {have}")
