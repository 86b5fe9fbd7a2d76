"""Turn raw layout records (from a workbook, a TOML file or a frame) into the checked layout frame.

Every reader produces a list of dicts keyed by column key (see :mod:`assaykit.layout._vocab`) plus a
``locate(i, key)`` callable giving the cell or well of a value, so that all three sources share
one set of checks and one set of messages.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, SupportsFloat, cast

from assaykit.errors import LayoutError
from assaykit.layout._vocab import (
    CONDITIONS,
    FRACTION_SYNONYMS,
    FRACTIONS,
    ROLE_SYNONYMS,
    canonical,
    check_kind,
    fields_for,
    isotope_from_text,
    molar_from,
    roles_for,
)
from assaykit.plate import PLATE_SHAPES, normalise_well, well_from_ij

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Locate",
    "build_experiment",
    "build_layout",
    "is_blank",
    "number_from",
    "parse_datetime",
]

Locate = Callable[[int, str], "str | None"]

_NUM_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")

#: Output columns, in order, per kind (keys first).
BINDING_OUT = ("role", "compound", "conc", "replicate")
UPTAKE_OUT = (
    "role",
    "fraction",
    "time_min",
    "condition",
    "compound",
    "replicate",
    "cells_per_well",
    "protein_mg",
)
_BODY_KEYS = {
    "role",
    "compound",
    "concentration",
    "conc_M",
    "replicate",
    "fraction",
    "time_min",
    "condition",
    "cells_per_well",
    "protein_mg",
}


def is_blank(value: object) -> bool:
    """True for None, NaN, NA and text that is only white space.

    Examples
    --------
    >>> is_blank(None), is_blank(" "), is_blank(float("nan")), is_blank(0)
    (True, True, True, False)
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    try:
        import pandas as pd

        # pandas-stubs has no isna overload for a plain object (any scalar is accepted)
        return bool(pd.isna(value)) if not isinstance(value, (list, tuple, dict)) else False  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _err(message: str, location: str | None) -> LayoutError:
    return LayoutError(message, location=location)


def number_from(value: object, *, what: str, location: str | None) -> float | None:
    """A float from a number or a number stored as text (``'1,5'`` too); None when blank.

    Examples
    --------
    >>> number_from(" 2,5 ", what="concentration", location=None), number_from("", what="x", location=None)
    (2.5, None)
    >>> number_from("ten", what="concentration", location="Tubes!E4")
    Traceback (most recent call last):
    ...
    assaykit.errors.LayoutError: Tubes!E4: concentration must be a number, got text 'ten'
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise _err(f"{what} must be a number, got {value!r}", location)
    if isinstance(value, (int, float)):
        x = float(value)
    elif hasattr(value, "dtype") and str(getattr(value, "dtype", "")).startswith(("int", "float")):
        x = float(cast("SupportsFloat", value))  # numpy scalars
    else:
        s = str(value).strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
        if not _NUM_RE.match(s):
            raise _err(f"{what} must be a number, got text {str(value).strip()!r}", location)
        x = float(s.replace(",", "."))
    if not math.isfinite(x):
        raise _err(f"{what} must be a finite number, got {value!r}", location)
    return x


def _int_from(value: object, *, what: str, location: str | None, minimum: int = 1) -> int | None:
    x = number_from(value, what=what, location=location)
    if x is None:
        return None
    if not float(x).is_integer() or x < minimum:
        raise _err(f"{what} must be a whole number >= {minimum}, got {value!r}", location)
    return int(x)


def _text(value: object) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = re.sub(r"\s+", " ", str(value).strip())
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]  # undo the formula guard of assaykit.report.output.neutralise_formula
    return text


def _max_well(plate_size: int | None) -> tuple[int, int] | None:
    return PLATE_SHAPES.get(plate_size) if plate_size else None


def _key(
    rec: Mapping[str, Any], i: int, table: str, locate: Locate, plate_size: int | None
) -> dict[str, Any]:
    """The checked key of one record."""
    if table == "Wells":
        well = rec.get("well")
        if is_blank(well):
            raise _err(
                "well is empty; every row with a role needs a well such as A1 or B07",
                locate(i, "well"),
            )
        try:
            w = normalise_well(_text(well))
        except ValueError:
            raise _err(
                f"cannot read well {_text(well)!r}; expected a row letter and a column number, e.g. A1 or B07",
                locate(i, "well"),
            ) from None
        shape = _max_well(plate_size)
        if shape is not None:
            from assaykit.plate import ij_from_well

            r, c = ij_from_well(w)
            if r >= shape[0] or c >= shape[1]:
                last = well_from_ij(shape[0] - 1, shape[1] - 1)
                raise _err(
                    f"well {w} is not on a {plate_size}-well plate (A01 to {last}); check 'plate size' on the Experiment sheet",
                    locate(i, "well"),
                )
        plate = _int_from(rec.get("plate"), what="plate", location=locate(i, "plate"))
        return {"plate": plate, "well": w}
    rack = _int_from(rec.get("rack"), what="rack", location=locate(i, "rack"))
    pos = _int_from(rec.get("position"), what="position", location=locate(i, "position"))
    sample = _text(rec.get("sample"))
    if (rack is None) != (pos is None):
        missing = "rack" if rack is None else "position"
        raise _err(
            f"{missing} is empty; give both rack and position (or only a sample code)",
            locate(i, missing),
        )
    if rack is None and not sample:
        raise _err("tube has neither rack + position nor a sample code", locate(i, "rack"))
    return {"rack": rack, "position": pos, "sample": sample}


def build_layout(
    records: Sequence[Mapping[str, Any]],
    *,
    kind: str,
    table: str,
    locate: Locate,
    experiment: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Check raw records and return the layout frame of docs/CONTRACTS.md §2.

    Parameters
    ----------
    records
        One mapping per row with column keys (``well``/``plate`` or ``rack``/``position``/``sample``,
        ``role``, ``compound``, ``concentration`` + ``unit`` or ``conc_M``, ``replicate``, and for
        uptake ``fraction``, ``time_min``, ``condition``, ``cells_per_well``, ``protein_mg``);
        any other key is kept as an extra text column.
    kind
        ``"binding"`` or ``"uptake"``.
    table
        ``"Wells"`` (plate readers) or ``"Tubes"`` (counters).
    locate
        ``locate(i, key)`` → the cell or well named in messages.
    experiment
        The experiment dict (``attrs["experiment"]``); its ``plate_size`` limits the wells.

    Examples
    --------
    >>> recs = [{"well": "a1", "role": "TB"}, {"well": "A2", "role": "competitor",
    ...          "compound": "FC131", "concentration": "10", "unit": "nM"}]
    >>> df = build_layout(recs, kind="binding", table="Wells", locate=lambda i, k: f"row {i + 1}")
    >>> print(df[["well", "role", "conc", "replicate"]].to_string(index=False))
    well       role         conc  replicate
     A01      total          NaN          1
     A02 competitor 1.000000e-08          1
    """
    import pandas as pd

    kind = check_kind(kind)
    experiment = dict(experiment or {})
    plate_size = experiment.get("plate_size")
    roles = roles_for(kind)
    rows: list[dict[str, Any]] = []
    where: list[int] = []
    extras: list[str] = []
    for i, rec in enumerate(records):
        body = {
            k: v
            for k, v in rec.items()
            if k in _BODY_KEYS or k not in ("plate", "well", "rack", "position", "sample", "unit")
        }
        if all(is_blank(v) for v in body.values()):
            continue  # an unused, pre-filled well or an empty line
        if is_blank(rec.get("role")):
            raise _err(
                f"role is empty; expected one of {', '.join(roles)} (or leave the row out)",
                locate(i, "role"),
            )
        row = _key(rec, i, table, locate, plate_size)
        try:
            role = canonical(rec.get("role"), roles, ROLE_SYNONYMS, what="role")
        except LayoutError as err:
            raise err.with_context(location=locate(i, "role")) from None
        row["role"] = role
        row["compound"] = _text(rec.get("compound"))
        row["conc"] = _conc(rec, i, locate, kind=kind, role=role)
        row["replicate"] = _int_from(
            rec.get("replicate"), what="replicate", location=locate(i, "replicate")
        )
        if kind == "uptake":
            _uptake_fields(row, rec, i, locate)
        for k, v in rec.items():
            if (
                k not in row
                and k not in _BODY_KEYS
                and k not in ("unit", "plate", "well", "rack", "position", "sample")
            ):
                row[k] = _text(v)
                if k not in extras:
                    extras.append(k)
        rows.append(row)
        where.append(i)
    if not rows:
        what = "plate map (Wells sheet)" if table == "Wells" else "tube list (Tubes sheet)"
        raise LayoutError(
            f"the {what} is empty: no row has a role; fill in at least the role of each used {'well' if table == 'Wells' else 'tube'}"
        )
    _check_keys(rows, where, table, locate)
    if kind == "binding":
        _check_binding(rows, where, locate)
    _number_replicates(rows, kind)
    keys = ["plate", "well"] if table == "Wells" else ["rack", "position", "sample"]
    body_cols = list(BINDING_OUT if kind == "binding" else UPTAKE_OUT)
    df = pd.DataFrame(rows, columns=[*keys, *body_cols, *extras])
    int_cols = ["plate"] if table == "Wells" else ["rack", "position"]
    for c in [*int_cols, "replicate"]:
        df[c] = pd.array([None if is_blank(v) else int(v) for v in df[c]], dtype="Int64")
    for c in ("conc", "time_min", "cells_per_well", "protein_mg"):
        if c in df:
            df[c] = pd.to_numeric(df[c]).astype("float64")
    for c in ("well", "sample", "role", "compound", "fraction", "condition", *extras):
        if c in df:
            df[c] = df[c].fillna("").astype(object)
    df.attrs["kind"] = kind
    df.attrs["experiment"] = experiment
    return df


def _conc(rec: Mapping[str, Any], i: int, locate: Locate, *, kind: str, role: str) -> float:
    value = rec.get("concentration")
    unit = rec.get("unit")
    if "conc_M" in rec and not is_blank(rec.get("conc_M")):
        if not is_blank(value):
            raise _err(
                "give the concentration either as concentration + unit or as conc_M, not both",
                locate(i, "conc_M"),
            )
        value, unit = rec.get("conc_M"), "M"
    x = number_from(value, what="concentration", location=locate(i, "concentration"))
    if x is None:
        if role == "competitor":
            raise _err(
                "competitor has no concentration; give its concentration and unit (e.g. 10 nM)",
                locate(i, "concentration"),
            )
        return math.nan
    if x < 0:
        raise _err(f"concentration must not be negative, got {x:g}", locate(i, "concentration"))
    if is_blank(unit):
        raise _err(
            f"concentration {x:g} has no unit; expected one of M, mM, µM, uM, nM, pM",
            locate(i, "unit"),
        )
    try:
        conc = molar_from(x, unit)
    except LayoutError as err:
        raise err.with_context(location=locate(i, "unit")) from None
    if role == "competitor" and conc == 0:
        raise _err(
            "competitor concentration is 0; use role 'total' for tubes without competitor",
            locate(i, "concentration"),
        )
    return conc


def _uptake_fields(row: dict[str, Any], rec: Mapping[str, Any], i: int, locate: Locate) -> None:
    role = row["role"]
    frac = rec.get("fraction")
    if is_blank(frac):
        if role == "sample":
            raise _err(
                f"sample has no fraction; expected one of {', '.join(FRACTIONS)}",
                locate(i, "fraction"),
            )
        row["fraction"] = ""
    else:
        try:
            row["fraction"] = canonical(frac, FRACTIONS, FRACTION_SYNONYMS, what="fraction")
        except LayoutError as err:
            raise err.with_context(location=locate(i, "fraction")) from None
        if role != "sample":
            raise _err(
                f"a fraction is given for a {role} tube; fractions belong to samples only (clear the cell)",
                locate(i, "fraction"),
            )
    t = number_from(rec.get("time_min"), what="time (min)", location=locate(i, "time_min"))
    if t is None and role == "sample":
        raise _err(
            "sample has no incubation time; give time (min), e.g. 5, 15, 30, 60",
            locate(i, "time_min"),
        )
    if t is not None and t < 0:
        raise _err(f"time (min) must not be negative, got {t:g}", locate(i, "time_min"))
    row["time_min"] = math.nan if t is None else t
    cond = _text(rec.get("condition"))
    for c in CONDITIONS:
        if cond.lower() == c:
            cond = c
    if cond and cond not in CONDITIONS:
        from assaykit.layout._vocab import did_you_mean

        raise _err(
            f"unknown condition {cond!r}; expected one of {', '.join(CONDITIONS)} (the statistics "
            f"compare tracer with blocked; a condition outside the list would be left out of "
            f"them){did_you_mean(cond.lower(), CONDITIONS)}",
            locate(i, "condition"),
        )
    if not cond and role == "sample":
        cond = "tracer"
    row["condition"] = cond
    for key, what in (("cells_per_well", "cells per well"), ("protein_mg", "protein mg")):
        x = number_from(rec.get(key), what=what, location=locate(i, key))
        if x is not None and x < 0:
            raise _err(f"{what} must not be negative, got {x:g}", locate(i, key))
        row[key] = math.nan if x is None else x


def _check_keys(rows: list[dict[str, Any]], where: list[int], table: str, locate: Locate) -> None:
    if table == "Wells":
        with_plate = [r["plate"] is not None for r in rows]
        if any(with_plate) and not all(with_plate):
            first_bare = with_plate.index(False)
            raise _err(
                "plate is empty here but given in other rows; give a plate number in every row or in none (none: the map applies to every plate)",
                locate(where[first_bare], "plate"),
            )
        keyf: Callable[[dict[str, Any]], tuple[Any, ...]] = lambda r: (r["plate"], r["well"])  # noqa: E731
        key_col = "well"
    else:
        by_pos = [r["rack"] is not None for r in rows]
        if all(by_pos):
            keyf, key_col = (lambda r: (r["rack"], r["position"])), "position"
        elif any(by_pos):
            first_bare = by_pos.index(False)
            raise _err(
                "this tube has only a sample code while others have rack + position; identify every tube the same way",
                locate(where[first_bare], "rack"),
            )
        else:
            keyf, key_col = (lambda r: (r["sample"],)), "sample"
    seen: dict[tuple[Any, ...], int] = {}
    for r, i in zip(rows, where, strict=True):
        k = keyf(r)
        if k in seen:
            first = locate(seen[k], key_col) or f"row {seen[k] + 1}"
            name = _key_name(r, table, key_col)
            raise _err(
                f"duplicate {name}: already listed at {first}; each {'well' if table == 'Wells' else 'tube'} may appear once",
                locate(i, key_col),
            )
        seen[k] = i


def _key_name(r: Mapping[str, Any], table: str, key_col: str) -> str:
    if table == "Wells":
        return f"well {r['well']}" + (f" on plate {r['plate']}" if r["plate"] is not None else "")
    if key_col == "sample":
        return f"sample {r['sample']!r}"
    return f"tube rack {r['rack']} position {r['position']}"


def _check_binding(rows: list[dict[str, Any]], where: list[int], locate: Locate) -> None:
    for r, i in zip(rows, where, strict=True):
        if r["role"] == "competitor" and not r["compound"]:
            raise _err(
                "competitor has no compound name; name the unlabelled competitor (e.g. FC131)",
                locate(i, "compound"),
            )


def _number_replicates(rows: list[dict[str, Any]], kind: str) -> None:
    """Fill empty replicate numbers 1, 2, 3, … within each group of identical conditions."""
    counters: dict[tuple[Any, ...], int] = {}
    for r in rows:
        group: tuple[Any, ...]
        if kind == "binding":
            group = (r.get("plate"), r["role"], r["compound"], r["conc"])
        else:
            group = (r["role"], r["fraction"], r["time_min"], r["condition"], r["compound"])
        group = tuple("nan" if isinstance(g, float) and math.isnan(g) else g for g in group)
        n = counters.get(group, 0) + 1
        if r["replicate"] is None:
            r["replicate"] = n
        counters[group] = max(n, r["replicate"])


def _timestamp(value: object, *, what: str, location: str | None) -> Any:
    if is_blank(value):
        return None
    return parse_datetime(value, what=what, location=location)


_CLOCK = r"(?:[ T]+(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?"
_DMY = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{2,4})" + _CLOCK)
_YMD = re.compile(r"\d{4}([-/.])\d{1,2}\1\d{1,2}" + _CLOCK)


def parse_datetime(
    value: object, *, what: str = "date and time", location: str | None = None
) -> Any:
    """A date and time from a template cell or a command-line option, never guessed.

    The one parser of assaykit for user-typed times (the template and ``--reference-time`` both
    call it): ISO ``2026-03-10 14:00`` (or ``2026/03/10``), ``10.03.2026 14:00`` (dots: day
    first, as in Europe), a slash date only when the day is above 12 or equals the month,
    month names (``10 Mar 2026``), datetime objects and Excel date serials. An ambiguous
    ``10/03/2026``, a two-digit year or a dash date in day/month order is a LayoutError naming
    ``location`` (and ``what``), never read as 3 October. Naive local time, as counters write.

    Examples
    --------
    >>> parse_datetime("2026-03-10 14:00"), parse_datetime("10.03.2026 14:00")
    (Timestamp('2026-03-10 14:00:00'), Timestamp('2026-03-10 14:00:00'))
    >>> parse_datetime("25/03/2026 9:30")
    Timestamp('2026-03-25 09:30:00')
    >>> parse_datetime("10/03/2026", what="--reference-time")
    Traceback (most recent call last):
    ...
    assaykit.errors.LayoutError: --reference-time '10/03/2026' is ambiguous (day/month or month/day?); write it as YYYY-MM-DD HH:MM
    """
    import pandas as pd

    if isinstance(value, (_dt.datetime, _dt.date, pd.Timestamp)):
        ts = pd.Timestamp(value)
        return ts.tz_localize(None) if ts.tzinfo is not None else ts
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 <= value < 80000:
        from openpyxl.utils.datetime import from_excel

        return pd.Timestamp(from_excel(value)).round("s")  # a date serial in an unformatted cell
    shown = repr(value) if isinstance(value, (int, float)) else repr(str(value).strip())
    bad = _err(f"{what} must be a date and time such as 2026-03-12 14:00, got {shown}", location)
    if isinstance(value, (int, float)) or value is None:
        raise bad
    text = " ".join(str(value).split())
    m = _DMY.fullmatch(text)
    if m:
        a, sep, b, year, clock = m.groups()
        if len(year) != 4:
            raise _err(
                f"{what} {text!r} has a two-digit year; write it as YYYY-MM-DD HH:MM", location
            )
        if sep == "-" or (sep == "/" and int(a) <= 12 and int(b) <= 12 and a != b):
            raise _err(
                f"{what} {text!r} is ambiguous (day/month or month/day?); write it as "
                "YYYY-MM-DD HH:MM",
                location,
            )
        day, month = (a, b) if sep == "." or int(a) > 12 else (b, a)
        text = f"{year}-{int(month):02d}-{int(day):02d}" + (f" {clock}" if clock else "")
    elif not _YMD.fullmatch(text) and not re.search(r"[A-Za-z]{3}", text):
        raise bad  # no free-form guessing of digit-only dates
    try:
        ts = pd.Timestamp(text.replace("/", "-") if _YMD.fullmatch(text) else text)
    except (ValueError, TypeError, OverflowError):
        raise bad from None
    if ts is pd.NaT:  # type: ignore[comparison-overlap]  # pandas-stubs: Timestamp("NaT") is NaT
        raise bad
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def build_experiment(
    items: Mapping[str, tuple[object, object, str | None]], kind: str
) -> dict[str, Any]:
    """The experiment dict from ``{key: (value, unit, location)}`` (keys as in the field list).

    Concentrations are converted to M, times to pandas Timestamps, isotopes to ``I-125`` form;
    every documented key is present (None when not given); unknown keys are kept as text.

    Examples
    --------
    >>> e = build_experiment({"radioligand_conc_M": (100, "pM", "Experiment!B5"),
    ...                       "isotope": ("125I", None, None)}, "binding")
    >>> e["radioligand_conc_M"], e["isotope"], e["reference_time"]
    (1e-10, 'I-125', None)
    """
    kind = check_kind(kind)
    out: dict[str, Any] = {f.key: None for f in fields_for(kind)}
    fields = {f.key: f for f in fields_for(kind)}
    for key, (value, unit, loc) in items.items():
        f = fields.get(key)
        if f is None:
            out[key] = None if is_blank(value) else value
            continue
        label = f.label
        if f.kind == "text":
            out[key] = _text(value) or None
        elif f.kind == "isotope":
            if is_blank(value):
                out[key] = None
            else:
                try:
                    out[key] = isotope_from_text(value)
                except LayoutError as err:
                    raise err.with_context(location=loc) from None
        elif f.kind in ("date", "time"):
            ts = _timestamp(value, what=label, location=loc)
            out[key] = ts.normalize() if (ts is not None and f.kind == "date") else ts
        elif f.kind == "int":
            n = _int_from(value, what=label, location=loc)
            if n is not None and f.key == "plate_size" and n not in (96, 384):
                raise _err(f"plate size must be 96 or 384, got {n}", loc)
            out[key] = n
        elif f.kind == "conc":
            x = number_from(value, what=label, location=loc)
            if x is None:
                out[key] = None
                continue
            if x < 0:
                raise _err(f"{label} must not be negative, got {x:g}", loc)
            if key.endswith("_M") and is_blank(unit):
                raise _err(f"{label} {x:g} has no unit; expected one of M, mM, µM, uM, nM, pM", loc)
            try:
                out[key] = molar_from(x, unit)
            except LayoutError as err:
                unit_loc = re.sub(r"!B(\d+)$", r"!C\1", loc) if loc else loc
                raise err.with_context(location=unit_loc) from None
        else:
            x = number_from(value, what=label, location=loc)
            if x is not None and x < 0:
                raise _err(f"{label} must not be negative, got {x:g}", loc)
            out[key] = x
    return out
