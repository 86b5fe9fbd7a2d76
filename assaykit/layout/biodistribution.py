"""Ex-vivo biodistribution layouts: the Excel template, its reader and the typed frames.

A biodistribution study is described by three tables (sheets of the template):

- **Experiment** — field / value / unit rows: tracer, isotope, injection route, reference time,
  counting efficiency (needed only when doses come from a dose calibrator), tumour organ name;
- **Animals** — one row per animal: id, group, time p.i. + unit, body weight (g), sex, strain,
  species, age (ARRIVE 2.0 fields are optional), injection time, and either the dose calibrator
  readings of the syringe (full and empty, each with its measurement time and the activity unit)
  or nothing (the dose then comes from counted injectate standards); ``excluded`` holds the
  reason an animal is left out of the summaries;
- **Tubes** — one row per counted tube: rack + position (the counter's keys), tube id, role
  (``tissue``, ``tail``, ``blank``, ``standard``), animal and organ, tare and filled weights (g),
  and the dilution factor of a standard (a 1 % standard has dilution factor 100).

:func:`read_biodistribution_layout` returns a :class:`BiodistributionLayout` (typed frames with
units in base units: ``time_pi_min``, activities in Bq, masses in g); every error names the
sheet and cell. :mod:`assaykit.layout.biodistribution_template` writes the blank or a filled
template (it imports this module's vocabulary; this module never imports it).

Examples
--------
>>> import tempfile, pathlib
>>> from assaykit.layout.biodistribution_template import example_layout, write_biodistribution_template
>>> p = pathlib.Path(tempfile.mkdtemp()) / "bd.xlsx"
>>> _ = write_biodistribution_template(p, example_layout())
>>> lay = read_biodistribution_layout(p)
>>> lay.animals[["animal", "group", "time_pi_min", "body_weight_g"]].head(2)
  animal    group  time_pi_min  body_weight_g
0     M1  control         60.0           20.1
1     M2  control         60.0           19.8
>>> print(lay.tubes[["rack", "position", "role", "animal", "organ", "mass_g"]].head(3).to_string(index=False))
 rack  position     role animal organ  mass_g
    1         1    blank                  NaN
    1         2 standard                  NaN
    1         3   tissue     M1 tumor    0.21
"""

from __future__ import annotations

import datetime as _dt
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import AssaykitError, LayoutError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "TUBE_ROLES",
    "BiodistributionLayout",
    "biodistribution_layout",
    "merge_balance_weights",
    "read_biodistribution_layout",
]

#: Roles of a counted tube.
TUBE_ROLES: tuple[str, ...] = ("tissue", "tail", "blank", "standard")
_ROLE_SYNONYMS = {
    "organ": "tissue",
    "sample": "tissue",
    "bkg": "blank",
    "background": "blank",
    "std": "standard",
    "injectate": "standard",
}

# (key, header, kind); kind: text, int, float, time_unit, activity_unit, datetime, role
EXPERIMENT_FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("experiment_id", "experiment id", "text", "a name for this study"),
    ("tracer", "tracer", "text", "e.g. [68Ga]Ga-Pentixafor"),
    ("isotope", "isotope", "isotope", "nuclide, e.g. Ga-68 (its half-life is used for decay)"),
    ("route", "injection route", "text", "e.g. i.v. (tail vein)"),
    ("reference_time", "reference time", "datetime", "time every activity is decay-corrected to "
     "(default: the first injection); %IA does not depend on it"),
    ("efficiency", "counting efficiency", "float", "counts per decay (0-1) of the counter window; "
     "needed only when doses come from a dose calibrator"),
    ("tumor_organ", "tumor organ", "text", "organ name of the tumour (default: tumor)"),
    ("blocking_agent", "blocking agent", "text", "e.g. AMD3100 2 mg/kg co-injected (optional)"),
    ("model", "animal model", "text", "e.g. Daudi xenograft in CB-17 SCID mice (optional)"),
    ("notes", "notes", "text", ""),
)  # fmt: skip
ANIMAL_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("animal", "animal", "text"),
    ("group", "group", "text"),
    ("time_pi", "time p.i.", "float"),
    ("time_unit", "time unit", "time_unit"),
    ("body_weight_g", "body weight (g)", "float"),
    ("sex", "sex", "text"),
    ("strain", "strain", "text"),
    ("species", "species", "text"),
    ("age", "age", "text"),
    ("injection_time", "injection time", "datetime"),
    ("activity_unit", "activity unit", "activity_unit"),
    ("syringe_full", "syringe full", "float"),
    ("syringe_full_time", "syringe full time", "datetime"),
    ("syringe_empty", "syringe empty", "float"),
    ("syringe_empty_time", "syringe empty time", "datetime"),
    ("excluded", "excluded (reason)", "text"),
    ("notes", "notes", "text"),
)
TUBE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("rack", "rack", "int"),
    ("position", "position", "int"),
    ("tube_id", "tube id", "text"),
    ("role", "role", "role"),
    ("animal", "animal", "text"),
    ("organ", "organ", "text"),
    ("tare_g", "tare (g)", "float"),
    ("filled_g", "filled (g)", "float"),
    ("dilution_factor", "dilution factor", "float"),
    ("notes", "notes", "text"),
)
_SYNONYMS = {
    "animal id": "animal", "mouse": "animal", "id": "animal", "time pi": "time_pi",
    "time p.i": "time_pi", "body weight": "body_weight_g", "weight (g)": "body_weight_g",
    "pos": "position", "tube": "tube_id", "tissue": "organ", "tare": "tare_g",
    "filled": "filled_g", "full (g)": "filled_g", "mass (g)": "mass_g", "net weight (g)": "mass_g",
    "dilution": "dilution_factor", "excluded": "excluded", "exclusion reason": "excluded",
}  # fmt: skip
_TIME_UNITS = ("min", "h", "d")
_ACTIVITY_UNITS = ("MBq", "kBq", "Bq", "GBq", "µCi", "mCi")


@dataclass(frozen=True)
class BiodistributionLayout:
    """A checked biodistribution layout.

    Attributes
    ----------
    experiment
        Experiment fields (``isotope`` canonical, ``reference_time`` a Timestamp or None,
        ``efficiency`` a float or None, ``tumor_organ`` defaulting to ``"tumor"``).
    animals
        ``animal, group, time_pi_min, body_weight_g, sex, strain, species, age, injection_time,
        syringe_full_Bq, syringe_full_time, syringe_empty_Bq, syringe_empty_time, excluded, notes``.
    tubes
        ``rack, position, tube_id, role, animal, organ, tare_g, filled_g, mass_g,
        dilution_factor, notes`` (``mass_g`` = filled − tare, NaN when a weight is missing).
    path
        The file read, when there was one.
    settings
        Notes from reading (e.g. where weights came from).
    """

    experiment: dict[str, Any]
    animals: pd.DataFrame
    tubes: pd.DataFrame
    path: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)


def _blank(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
    if isinstance(v, float):
        return math.isnan(v)
    try:
        import pandas as pd

        return bool(pd.isna(v))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _norm(text: object) -> str:
    return re.sub(r"\s+", " ", str(text).replace("\u00a0", " ").strip().lower()).rstrip(":")


Locate = Callable[[int, str], str]  # (row index, key) -> "Sheet!C7"


def _value(kind: str, v: object, where: str) -> Any:
    """One cell converted to its kind (None when blank); LayoutError naming ``where`` otherwise."""
    import pandas as pd

    if _blank(v):
        return None
    try:
        if kind == "text":
            return str(v).strip() if not isinstance(v, float) or not v.is_integer() else str(int(v))
        if kind in ("float", "int"):
            x = float(str(v).replace(",", ".")) if isinstance(v, str) else float(v)  # type: ignore[arg-type]
            if not math.isfinite(x) or x < 0:
                raise ValueError
            if kind == "int":
                if not x.is_integer() or x < 1:
                    raise ValueError
                return int(x)
            return x
        if kind == "datetime":
            from assaykit.io._counter import parse_timestamp

            if isinstance(v, _dt.datetime | pd.Timestamp):
                return pd.Timestamp(v).tz_localize(None) if pd.Timestamp(v).tz else pd.Timestamp(v)
            return pd.Timestamp(parse_timestamp(v))
        if kind == "time_unit":
            from assaykit.units import canonical_unit, unit_dimension

            u = canonical_unit(str(v))
            if unit_dimension(u) != "time":
                raise ValueError
            return u
        if kind == "activity_unit":
            from assaykit.units import canonical_unit, unit_dimension

            u = canonical_unit(str(v))
            if unit_dimension(u) != "activity":
                raise ValueError
            return u
        if kind == "isotope":
            from assaykit.layout._vocab import isotope_from_text

            return isotope_from_text(v)
        if kind == "role":
            r = _norm(v)
            r = _ROLE_SYNONYMS.get(r, r)
            if r not in TUBE_ROLES:
                raise ValueError
            return r
    except AssaykitError as err:
        raise LayoutError(err.message, location=where) from None
    except (ValueError, TypeError):
        expected = {
            "float": "a number ≥ 0",
            "int": "a whole number ≥ 1",
            "datetime": "a date and time (YYYY-MM-DD HH:MM)",
            "time_unit": f"a time unit ({', '.join(_TIME_UNITS)})",
            "activity_unit": f"an activity unit ({', '.join(_ACTIVITY_UNITS)})",
            "role": f"one of {', '.join(TUBE_ROLES)}",
        }.get(kind, kind)
        raise LayoutError(f"expected {expected}, got {v!r}", location=where) from None
    raise AssertionError(kind)  # pragma: no cover


def _typed(
    records: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str, str]], locate: Locate
) -> list[dict[str, Any]]:
    kinds = {k: kind for k, _, kind in columns}
    kinds.setdefault("mass_g", "float")
    out = []
    for i, rec in enumerate(records):
        row = dict.fromkeys(kinds)
        for k, v in rec.items():
            row[k] = _value(kinds.get(k, "text"), v, locate(i, k))
        out.append(row)
    return out


def biodistribution_layout(
    experiment: Mapping[str, Any] | None,
    animals: pd.DataFrame | Sequence[Mapping[str, Any]],
    tubes: pd.DataFrame | Sequence[Mapping[str, Any]],
    *,
    locate: Mapping[str, Locate] | None = None,
    path: str | None = None,
) -> BiodistributionLayout:
    """Check and type a layout given as Python tables (the template's keys, see module doc).

    Errors name the cell through ``locate`` (the template reader) or the row of the table
    (``Animals row 3`` = third row).

    Examples
    --------
    >>> lay = biodistribution_layout({"isotope": "68Ga"},
    ...     [{"animal": "M1", "group": "a", "time_pi": 1, "time_unit": "h"}],
    ...     [{"rack": 1, "position": 1, "role": "tissue", "animal": "M1", "organ": "liver",
    ...       "tare_g": 1.0, "filled_g": 1.25}])
    >>> lay.experiment["isotope"], float(lay.animals.loc[0, "time_pi_min"]), float(lay.tubes.loc[0, "mass_g"])
    ('Ga-68', 60.0, 0.25)
    >>> biodistribution_layout({}, [{"animal": "M1", "time_pi": 30}], [{"rack": 1, "position": 1, "role": "tissue",
    ...     "animal": "M9", "organ": "liver"}])
    Traceback (most recent call last):
    ...
    assaykit.errors.LayoutError: Tubes row 1: animal 'M9' is not on the Animals sheet (animals: M1)
    """
    import pandas as pd

    from assaykit.units import to_base

    def default(sheet: str) -> Locate:
        return lambda i, k: f"{sheet} row {i + 1}"

    loc = dict(locate or {})
    loc_a = loc.get("Animals", default("Animals"))
    loc_t = loc.get("Tubes", default("Tubes"))
    loc_e = loc.get("Experiment", lambda i, k: f"experiment[{k!r}]")
    a_recs: list[Mapping[str, Any]] = (
        [{str(k): v for k, v in r.items()} for r in animals.to_dict("records")]
        if isinstance(animals, pd.DataFrame)
        else list(animals)
    )
    t_recs: list[Mapping[str, Any]] = (
        [{str(k): v for k, v in r.items()} for r in tubes.to_dict("records")]
        if isinstance(tubes, pd.DataFrame)
        else list(tubes)
    )
    exp: dict[str, Any] = {}
    for key, _, kind, _ in EXPERIMENT_FIELDS:
        exp[key] = _value(kind, (experiment or {}).get(key), loc_e(0, key))
    for key, v in (experiment or {}).items():
        if key not in exp:
            exp[key] = v
    exp["tumor_organ"] = exp.get("tumor_organ") or "tumor"
    if exp.get("efficiency") is not None and not 0 < exp["efficiency"] <= 1:
        raise LayoutError(
            f"counting efficiency must be in (0, 1], got {exp['efficiency']}",
            location=loc_e(0, "efficiency"),
        )
    if not a_recs or not t_recs:
        empty = "Animals" if not a_recs else "Tubes"
        raise LayoutError(f"the {empty} sheet has no row; fill in one row per {empty[:-1].lower()}")
    arows = _typed(a_recs, ANIMAL_COLUMNS, loc_a)
    seen: dict[str, int] = {}
    for i, r in enumerate(arows):
        if r["animal"] is None:
            raise LayoutError("an animal row needs an animal id", location=loc_a(i, "animal"))
        if r["animal"] in seen:
            raise LayoutError(
                f"animal {r['animal']!r} is listed twice (first at {loc_a(seen[r['animal']], 'animal')})",
                location=loc_a(i, "animal"),
            )
        seen[r["animal"]] = i
        r["group"] = r["group"] or ""
        unit = r.pop("time_unit") or "min"
        if r["time_pi"] is None:
            raise LayoutError(f"animal {r['animal']!r} needs its time p.i.", location=loc_a(i, "time_pi"))  # fmt: skip
        r["time_pi_min"] = to_base(r["time_pi"], unit, "time")
        r.pop("time_pi")
        aunit = r.pop("activity_unit") or "MBq"
        given = [r[k] is not None for k in ("syringe_full", "syringe_full_time", "syringe_empty", "syringe_empty_time")]  # fmt: skip
        if any(given) and not all(given):
            missing = [k for k, g in zip(("syringe_full", "syringe_full_time", "syringe_empty", "syringe_empty_time"), given, strict=True) if not g]  # fmt: skip
            raise LayoutError(
                f"animal {r['animal']!r}: the dose calibrator needs the syringe full and empty "
                f"activities each with its measurement time; {', '.join(missing)} missing",
                location=loc_a(i, missing[0]),
            )
        for k in ("syringe_full", "syringe_empty"):
            v = r.pop(k)
            r[f"{k}_Bq"] = None if v is None else to_base(v, aunit, "activity")
        if all(given) and r["syringe_full_Bq"] <= r["syringe_empty_Bq"]:
            raise LayoutError(
                f"animal {r['animal']!r}: syringe full ({r['syringe_full_Bq']:.4g} Bq) is not "
                f"above syringe empty ({r['syringe_empty_Bq']:.4g} Bq)",
                location=loc_a(i, "syringe_full"),
            )
        r["excluded"] = r["excluded"] or ""
    trows = _typed(t_recs, TUBE_COLUMNS, loc_t)
    keys: dict[tuple[int, int], int] = {}
    for i, r in enumerate(trows):
        for k in ("rack", "position", "role"):
            if r[k] is None:
                raise LayoutError(f"a tube needs its {k}", location=loc_t(i, k))
        rp = (r["rack"], r["position"])
        if rp in keys:
            raise LayoutError(
                f"rack {rp[0]} position {rp[1]} is listed twice (first at {loc_t(keys[rp], 'rack')})",
                location=loc_t(i, "position"),
            )
        keys[rp] = i
        role = r["role"]
        r["animal"], r["organ"] = r["animal"] or "", r["organ"] or ""
        r["tube_id"] = r["tube_id"] or ""
        if role in ("tissue", "tail") and not r["animal"]:
            raise LayoutError(f"a {role} tube needs its animal", location=loc_t(i, "animal"))
        if r["animal"] and r["animal"] not in seen:
            known = ", ".join(list(seen)[:12])
            raise LayoutError(
                f"animal {r['animal']!r} is not on the Animals sheet (animals: {known})",
                location=loc_t(i, "animal"),
            )
        if role == "tissue" and not r["organ"]:
            raise LayoutError("a tissue tube needs its organ", location=loc_t(i, "organ"))
        if role == "tail":
            r["organ"] = "tail"
        if role == "standard" and (r["dilution_factor"] is None or r["dilution_factor"] <= 0):
            raise LayoutError(
                "a standard needs its dilution factor (injected activity / activity in the "
                "tube, e.g. 100 for a 1 % standard)",
                location=loc_t(i, "dilution_factor"),
            )
        if r.get("mass_g") is None and r["tare_g"] is not None and r["filled_g"] is not None:
            if r["filled_g"] < r["tare_g"]:
                raise LayoutError(
                    f"filled weight {r['filled_g']} g is below the tare {r['tare_g']} g",
                    location=loc_t(i, "filled_g"),
                )
            r["mass_g"] = r["filled_g"] - r["tare_g"]
    a_cols = ["animal", "group", "time_pi_min", "body_weight_g", "sex", "strain", "species", "age",
              "injection_time", "syringe_full_Bq", "syringe_full_time", "syringe_empty_Bq",
              "syringe_empty_time", "excluded", "notes"]  # fmt: skip
    t_cols = ["rack", "position", "tube_id", "role", "animal", "organ", "tare_g", "filled_g",
              "mass_g", "dilution_factor", "notes"]  # fmt: skip
    adf = pd.DataFrame(arows, columns=a_cols)
    for c in ("time_pi_min", "body_weight_g", "syringe_full_Bq", "syringe_empty_Bq"):
        adf[c] = adf[c].astype(float)
    for c in ("injection_time", "syringe_full_time", "syringe_empty_time"):
        adf[c] = pd.to_datetime(adf[c])
    for c in ("sex", "strain", "species", "age", "notes"):
        adf[c] = adf[c].fillna("").astype(str)
    tdf = pd.DataFrame(trows, columns=t_cols)
    for c in ("rack", "position"):
        tdf[c] = tdf[c].astype(int)
    for c in ("tare_g", "filled_g", "mass_g", "dilution_factor"):
        tdf[c] = tdf[c].astype(float)
    tdf["notes"] = tdf["notes"].fillna("").astype(str)
    return BiodistributionLayout(experiment=exp, animals=adf, tubes=tdf, path=path)


def merge_balance_weights(
    tubes: pd.DataFrame, balance: pd.DataFrame, *, into: str = "filled_g"
) -> pd.DataFrame:
    """Fill tare or filled weights from a balance export table (``tube_id``, ``weight_g``).

    A tube id missing from the balance table keeps its weight from the Tubes sheet; a balance
    row naming no tube of the layout is an error (a typo would silently drop a weight).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"tube_id": ["T1", "T2"], "tare_g": [1.0, 1.0], "filled_g": [None, 1.5]})
    >>> b = pd.DataFrame({"tube_id": ["T1"], "weight_g": [1.2]})
    >>> merge_balance_weights(t, b)["mass_g"].round(3).tolist()
    [0.2, 0.5]
    """
    return _merge_balance(tubes, balance, into=into)


# ----------------------------------------------------------------------------------------------
# reading the workbook


def read_biodistribution_layout(
    path: str | os.PathLike[str], *, balance: pd.DataFrame | None = None
) -> BiodistributionLayout:
    """Read a filled biodistribution template (see the module docstring for the sheets).

    Parameters
    ----------
    path
        The ``.xlsx`` file; never modified.
    balance
        Optional balance export (``tube_id``, ``weight_g``) giving the filled weights.

    Raises
    ------
    LayoutError
        Naming the file, sheet and cell, and what was expected.
    """
    from assaykit.io._xlsx import load_workbook_safely, sheet_rows

    p = Path(path)
    try:
        if not p.exists():
            raise LayoutError("layout file not found")
        wb = load_workbook_safely(p, read_only=True, data_only=True)
        try:
            sheets = {_norm(ws.title): ws for ws in wb.worksheets}
            for need in ("animals", "tubes"):
                if need not in sheets:
                    raise LayoutError(
                        f"no {need.capitalize()!r} sheet (sheets: {', '.join(ws.title for ws in wb.worksheets)}); "
                        "write one with write_biodistribution_template()"
                    )
            exp, loc_e = (
                _experiment_rows(sheet_rows(sheets["experiment"]))
                if "experiment" in sheets
                else ({}, {})
            )
            a_recs, loc_a = _table_rows(sheet_rows(sheets["animals"]), "Animals", ANIMAL_COLUMNS)
            t_recs, loc_t = _table_rows(sheet_rows(sheets["tubes"]), "Tubes", TUBE_COLUMNS)
        finally:
            wb.close()
        lay = biodistribution_layout(
            exp,
            a_recs,
            t_recs,
            locate={
                "Experiment": lambda i, k: loc_e.get(k, "Experiment"),
                "Animals": loc_a,
                "Tubes": loc_t,
            },
            path=str(p),
        )
        if balance is not None:
            tubes = merge_balance_weights(lay.tubes, balance)
            lay = BiodistributionLayout(lay.experiment, lay.animals, tubes, path=str(p))
        return lay
    except AssaykitError as err:
        if isinstance(err, LayoutError):
            raise err.with_context(path=p) from None
        raise LayoutError(err.message, path=p, location=err.location) from err


def _experiment_rows(rows: list[list[object]]) -> tuple[dict[str, Any], dict[str, str]]:
    by_label = {h: k for k, h, _, _ in EXPERIMENT_FIELDS} | {k: k for k, *_ in EXPERIMENT_FIELDS}
    values: dict[str, Any] = {}
    where: dict[str, str] = {}
    for i, row in enumerate(rows):
        if not row or _blank(row[0]):
            continue
        label = re.sub(r"\s*\(.*\)\s*$", "", _norm(row[0]))
        if label in ("field", "parameter") or label.startswith("assaykit"):
            continue
        key = by_label.get(label)
        if key is None:
            import difflib

            hit = difflib.get_close_matches(label, list(by_label), n=1, cutoff=0.75)
            hint = f" (did you mean {hit[0]!r}?)" if hit else ""
            raise LayoutError(
                f"unknown experiment field {row[0]!r}{hint}", location=f"Experiment!A{i + 1}"
            )
        values[key] = row[1] if len(row) > 1 else None
        where[key] = f"Experiment!B{i + 1}"
    return values, where


def _table_rows(
    rows: list[list[object]], sheet: str, columns: Sequence[tuple[str, str, str]]
) -> tuple[list[dict[str, Any]], Locate]:
    from openpyxl.utils import get_column_letter

    headers = {h: k for k, h, _ in columns} | {k: k for k, _, _ in columns} | _SYNONYMS
    first = columns[0][1]
    h_i = next((i for i, r in enumerate(rows[:25]) if first in {_norm(c) for c in r if isinstance(c, str)}), None)  # fmt: skip
    if h_i is None:
        raise LayoutError(
            f"no header row with {first!r} in the first 25 rows", location=f"{sheet}!A1"
        )
    cols: dict[int, str] = {}
    for j, c in enumerate(rows[h_i]):
        if _blank(c):
            continue
        key = headers.get(_norm(c)) or headers.get(re.sub(r"\s*\(.*\)\s*$", "", _norm(c)))
        if key is None:
            raise LayoutError(
                f"unknown column {c!r}; expected {', '.join(h for _, h, _ in columns)}",
                location=f"{sheet}!{get_column_letter(j + 1)}{h_i + 1}",
            )
        cols[j] = key
    letters = {k: get_column_letter(j + 1) for j, k in cols.items()}
    recs: list[dict[str, Any]] = []
    lines: list[int] = []
    for i in range(h_i + 1, len(rows)):
        rec = {k: (rows[i][j] if j < len(rows[i]) else None) for j, k in cols.items()}
        if all(_blank(v) for v in rec.values()):
            continue
        recs.append(rec)
        lines.append(i + 1)

    def locate(k: int, key: str) -> str:
        return f"{sheet}!{letters.get(key, 'A')}{lines[k]}"

    return recs, locate


def _merge_balance(tubes: pd.DataFrame, balance: pd.DataFrame, *, into: str) -> pd.DataFrame:
    """See :func:`merge_balance_weights`."""
    if into not in ("tare_g", "filled_g"):
        raise LayoutError(f"balance weights go into 'tare_g' or 'filled_g', not {into!r}")
    cols = {_norm(c): c for c in balance.columns}
    id_col = next(
        (cols[c] for c in ("tube_id", "tube id", "tube", "id", "sample") if c in cols), None
    )
    w_col = next(
        (cols[c] for c in ("weight_g", "weight (g)", "weight", "mass", "net") if c in cols), None
    )
    if id_col is None or w_col is None:
        raise LayoutError(
            f"a balance table needs a tube id and a weight column; it has {list(balance.columns)}"
        )
    weights = {
        str(k).strip(): float(v) for k, v in zip(balance[id_col], balance[w_col], strict=True)
    }
    out = tubes.copy()
    ids = out["tube_id"].astype(str).str.strip()
    unknown = sorted(set(weights) - set(ids))
    if unknown:
        raise LayoutError(
            f"the balance table names tube id(s) not in the layout: {', '.join(unknown[:8])}"
        )
    out[into] = [weights.get(i, w) for i, w in zip(ids, out[into], strict=True)]
    out[into] = out[into].astype(float)
    out["mass_g"] = out["filled_g"].astype(float) - out["tare_g"].astype(float)
    return out
