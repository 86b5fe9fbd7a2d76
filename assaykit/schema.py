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
    "column_unit",
    "join_flag_columns",
    "join_flags",
    "units_table",
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


#: Units of the columns whose names predate the unit-suffix convention (binding, uptake).
LEGACY_UNITS: dict[str, str] = {
    "conc": "M",
    "ic50": "M",
    "ic50_ci_low": "M",
    "ic50_ci_high": "M",
    "ki": "M",
    "ki_ci_low": "M",
    "ki_ci_high": "M",
    "log_ic50": "log10 M",
    "log_ic50_se": "log10 M",
    "log_ic50_ci_low": "log10 M",
    "log_ic50_ci_high": "log10 M",
    "log_conc": "log10 M",
    "x_min": "log10 M",
    "x_max": "log10 M",
    "pki": "−log10 M",
    "pki_ci_low": "−log10 M",
    "pki_ci_high": "−log10 M",
    "mean_log_ic50": "log10 M",
    "sd_log_ic50": "log10 M",
    "geomean_ic50": "M",
    "response": "% specific binding (binding) or as measured",
    "top": "as response",
    "bottom": "as response",
    "hill": "1 (slope per log10 M)",
    "ki_factor": "1",
    "r_squared": "1",
    "rss": "(response unit)²",
    "df": "degrees of freedom",
    "n": "points (wells or tubes)",
    "n_outliers": "points",
    "n_blank": "tubes",
    "n_total": "tubes",
    "n_nsb": "tubes",
    "cpm": "counts/min",
    "counts": "counts",
    "count_time_s": "s",
    "time_min": "min",
    "k_per_min": "1/min",
    "t_half_min": "min",
}
#: Unit suffixes of column names (longest first): ``kd_M`` → M, ``time_min`` → min, ...
_SUFFIX_UNITS: tuple[tuple[str, str], ...] = (
    ("_GBq_per_umol", "GBq/µmol"),
    ("_per_M_min", "1/(M·min)"),
    ("_per_min", "1/min"),
    ("_per_g", "per g"),
    ("_fmol_per_mg", "fmol/mg protein"),
    ("_fmol", "fmol"),
    ("_pct", "%"),
    ("_cpm", "counts/min"),
    ("_min", "min"),
    ("_nM", "nM"),
    ("_M", "M"),
    ("_s", "s"),
    ("_g", "g"),
    ("_mL", "mL"),
    ("_uL", "µL"),
    ("_Bq", "Bq"),
    ("_MBq", "MBq"),
    ("_mm", "mm"),
    ("_counts", "counts"),
)


def column_unit(name: str) -> str:
    """The unit of a result column, from its suffix or the legacy names (``''``: none/unknown).

    Examples
    --------
    >>> column_unit("kd_M_ci_low"), column_unit("log_ic50"), column_unit("pct_ia_per_g")
    ('M', 'log10 M', '% per g')
    """
    if name in LEGACY_UNITS:
        return LEGACY_UNITS[name]
    base = name
    for tail in ("_ci_low", "_ci_high", "_se", "_sd", "_mean"):
        base = base.removesuffix(tail)
    if base in LEGACY_UNITS:
        return LEGACY_UNITS[base]
    if base.startswith("pct_") or "_pct" in base:
        rest = base.split("pct", 1)[1]
        return "%" + (" per g" if rest.endswith("_per_g") else "")
    for suffix, unit in _SUFFIX_UNITS:
        if base.endswith(suffix):
            return unit
    return ""


def units_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The ``units`` sheet: every numeric column of every table with its unit."""
    import pandas as pd

    rows = [
        {"table": t, "column": str(c), "unit": column_unit(str(c))}
        for t, df in tables.items()
        for c in df.columns
        if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
    ]
    return pd.DataFrame(rows, columns=["table", "column", "unit"])


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


def join_flag_columns(*flags: pd.Series) -> pd.Series:
    """Join flag columns row by row with ``;``, skipping empty ones (vectorised).

    Examples
    --------
    >>> import pandas as pd
    >>> join_flag_columns(pd.Series(["a", ""]), pd.Series(["b", ""]), pd.Series(["", "c"])).tolist()
    ['a;b', 'c']
    """
    out = flags[0].fillna("").astype(str)
    for f in flags[1:]:
        f = f.fillna("").astype(str)
        sep = ((out != "") & (f != "")).map({True: ";", False: ""})
        out = out + sep + f
    return out


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
