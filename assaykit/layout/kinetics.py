"""Kinetics layouts: the Excel template (writer) and its reader, validated cell by cell.

A kinetics experiment is a list of counted tubes. The **Tubes** sheet has one row per tube:
``rack``, ``position``, ``role`` (total, nsb, blank, standard), ``kind`` (association: time
after radioligand addition; dissociation: time after dissociation start), ``time`` with its
``time unit`` (s, min, h), the radioligand concentration with its unit, the competitor
concentration with its unit (Motulsky–Mahan), and ``curve`` (separate fits). NSB tubes may be at
every time or at selected times (interpolated). The **Experiment** sheet holds the reference time
every count is decay-corrected to, the isotope, the model and its constants.

:func:`read_kinetics_layout` returns the tube table in base units (``time_min``, ``conc_M``,
``competitor_conc_M``) and the experiment settings; every error names the sheet and cell.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "kinetics.xlsx"
>>> _ = write_kinetics_template(path, example=True)
>>> tubes, exp = read_kinetics_layout(path)
>>> tubes[["role", "kind", "time_min", "conc_M"]].head(3)
    role         kind  time_min        conc_M
0  blank  association       NaN           NaN
1  blank  association       NaN           NaN
2  total  association       1.0  1.000000e-09
>>> exp["isotope"], exp["model"]
('Ga-68', 'association_global')
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd

from assaykit.errors import LayoutError
from assaykit.units import CONC_UNITS, TIME_UNITS, UnitError, canonical_unit, to_base

__all__ = [
    "EXPERIMENT_FIELDS",
    "KINDS",
    "ROLES",
    "TUBE_COLUMNS",
    "annotate_kinetics",
    "read_kinetics_layout",
    "write_kinetics_template",
]

ROLES: tuple[str, ...] = ("total", "nsb", "blank", "standard")
KINDS: tuple[str, ...] = ("association", "dissociation")
MODELS: tuple[str, ...] = (
    "association_global",
    "association",
    "dissociation",
    "association_dissociation",
    "competition",
)
ISOTOPES: tuple[str, ...] = (
    "Ga-68",
    "F-18",
    "Cu-64",
    "Tc-99m",
    "In-111",
    "Lu-177",
    "I-125",
    "Zr-89",
)
#: Tubes sheet header (in this order).
TUBE_COLUMNS: tuple[str, ...] = (
    "rack",
    "position",
    "role",
    "kind",
    "time",
    "time unit",
    "radioligand conc",
    "conc unit",
    "competitor conc",
    "competitor unit",
    "curve",
)
#: Experiment fields: key, label, unit (fixed or a default), explanation.
EXPERIMENT_FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("experiment_id", "experiment id", "", "free text"),
    ("radioligand", "radioligand", "", "e.g. [68Ga]Ga-Pentixafor"),
    ("isotope", "isotope", "", "nuclide: its half-life comes from assaykit's table"),
    (
        "reference_time",
        "reference time",
        "date & time",
        "every count is decay-corrected to this time (e.g. radioligand addition)",
    ),
    (
        "model",
        "model",
        "",
        "association_global, association, dissociation, association_dissociation, competition",
    ),
    (
        "dissociation_start",
        "dissociation start",
        "min",
        "time after radioligand addition at which dissociation began (association_dissociation)",
    ),
    (
        "equilibrium_kd",
        "equilibrium Kd",
        "nM",
        "Kd from saturation binding: the kinetic Kd is compared with it",
    ),
    (
        "koff",
        "koff (measured)",
        "min⁻¹",
        "a separately measured koff, for kon from one concentration",
    ),
    (
        "radioligand_kon",
        "radioligand kon",
        "M⁻¹·min⁻¹",
        "competition: K1 of the radioligand (fixed)",
    ),
    ("radioligand_koff", "radioligand koff", "min⁻¹", "competition: K2 of the radioligand (fixed)"),
)
_VALIDATED_ROWS = 600


def _blank(v: object) -> bool:
    return (
        v is None
        or (isinstance(v, str) and not v.strip())
        or (isinstance(v, float) and math.isnan(v))
    )


# --------------------------------------------------------------------------- writer
def _example_tubes() -> tuple[list[list[object]], dict[str, object]]:
    rows: list[list[object]] = []
    pos = 1
    for _ in range(2):
        rows.append([1, pos, "blank", None, None, None, None, None, None, None, None])
        pos += 1
    for role in ("total", "nsb"):
        for c in (1.0, 3.0):
            for t in (1, 5, 15, 30) if role == "total" else (1, 30):
                rows.append(
                    [
                        1 + (pos - 1) // 10,
                        (pos - 1) % 10 + 1,
                        role,
                        "association",
                        t,
                        "min",
                        c,
                        "nM",
                        0,
                        "nM",
                        "Pentixafor",
                    ]
                )
                pos += 1
    rows.append(
        [
            1 + (pos - 1) // 10,
            (pos - 1) % 10 + 1,
            "standard",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ]
    )
    exp = {
        "experiment_id": "KIN-EXAMPLE",
        "radioligand": "[68Ga]Ga-Pentixafor",
        "isotope": "Ga-68",
        "reference_time": _dt.datetime(2026, 3, 12, 10, 0),
        "model": "association_global",
        "equilibrium_kd": 1.0,
    }
    return rows, exp


def write_kinetics_template(
    path: str | os.PathLike[str],
    *,
    tubes: pd.DataFrame | None = None,
    experiment: dict[str, object] | None = None,
    example: bool = False,
    force: bool = False,
) -> Path:
    """Write the kinetics template (blank, the built-in example, or filled from ``tubes``).

    ``tubes`` has the Tubes sheet's columns (``rack, position, role, kind, time, time unit,
    radioligand conc, conc unit, competitor conc, competitor unit, curve``); ``experiment`` maps
    the keys of :data:`EXPERIMENT_FIELDS` to values (numbers in the field's unit).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    out = Path(path)
    rows: list[list[object]] = []
    exp: dict[str, object] = dict(experiment or {})
    if example:
        rows, ex = _example_tubes()
        exp = {**ex, **exp}
    elif tubes is not None:
        rows = [
            [_cell(v) for v in r]
            for r in tubes.reindex(columns=list(TUBE_COLUMNS)).itertuples(index=False)
        ]
    wb = Workbook()
    wb.remove(wb.active)
    ins = wb.create_sheet("Instructions")
    ws_e = wb.create_sheet("Experiment")
    ws_t = wb.create_sheet("Tubes")
    lists = wb.create_sheet("Lists")
    head = PatternFill("solid", fgColor="DDEBF7")
    text = [
        "assaykit kinetics template",
        "",
        "Experiment: one value per field (units in column C; change a unit only where it is a concentration).",
        "Tubes: one row per counted tube, matched to the counter export by rack and position.",
        "role: total, nsb (nonspecific binding), blank (background), standard (added activity).",
        "kind: association (time = after radioligand addition) or dissociation (time = after dissociation start).",
        "time + time unit (s, min, h): when the tube was stopped. NSB at every time or at selected times.",
        "radioligand conc + unit (pM, nM, µM, ...); competitor conc + unit for Motulsky–Mahan (0 = none).",
        "curve: tubes fitted together (e.g. one experiment or one compound).",
    ]
    for i, line in enumerate(text, start=1):
        ins.cell(row=i, column=1, value=line)
    ins["A1"].font = Font(bold=True, size=13)
    ws_e.append(["assaykit kinetics experiment"])
    ws_e["A1"].font = Font(bold=True)
    ws_e.append([])
    ws_e.append(["field", "value", "unit", "explanation"])
    for j in range(1, 5):
        ws_e.cell(row=3, column=j).fill = head
        ws_e.cell(row=3, column=j).font = Font(bold=True)
    for key, label, unit, expl in EXPERIMENT_FIELDS:
        ws_e.append([label, _cell(exp.get(key)), unit, expl])
    ws_e.column_dimensions["A"].width = 22
    ws_e.column_dimensions["B"].width = 24
    ws_e.column_dimensions["D"].width = 70
    for row in ws_e.iter_rows(min_row=4, max_col=2):
        if row[0].value == "reference time":
            row[1].number_format = "yyyy-mm-dd hh:mm:ss"
    ws_t.append(list(TUBE_COLUMNS))
    for j in range(1, len(TUBE_COLUMNS) + 1):
        ws_t.cell(row=1, column=j).fill = head
        ws_t.cell(row=1, column=j).font = Font(bold=True)
        ws_t.column_dimensions[chr(64 + j)].width = 14
    for r in rows:
        ws_t.append(list(r))
    for j, (name, values) in enumerate(
        (
            ("role", ROLES),
            ("kind", KINDS),
            ("time unit", tuple(TIME_UNITS)),
            ("conc unit", tuple(CONC_UNITS)),
            ("model", MODELS),
            ("isotope", ISOTOPES),
        ),
        start=1,
    ):
        lists.cell(row=1, column=j, value=name)
        for i, v in enumerate(values, start=2):
            lists.cell(row=i, column=j, value=v)
    lists.sheet_state = "hidden"

    def dv(col: int, letter: str, n: int, sheet_col: str) -> None:
        v = DataValidation(
            type="list", formula1=f"Lists!${letter}$2:${letter}${n + 1}", allow_blank=True
        )
        v.showErrorMessage = True
        v.add(f"{sheet_col}2:{sheet_col}{_VALIDATED_ROWS}")
        ws_t.add_data_validation(v)

    dv(3, "A", len(ROLES), "C")
    dv(4, "B", len(KINDS), "D")
    dv(6, "C", len(TIME_UNITS), "F")
    dv(8, "D", len(CONC_UNITS), "H")
    dv(10, "D", len(CONC_UNITS), "J")
    wb.active = 1
    wb.properties.created = _dt.datetime(2000, 1, 1)
    wb.properties.modified = _dt.datetime(2000, 1, 1)
    wb.properties.creator = "assaykit"
    from assaykit.report.output import atomic_path

    with atomic_path(out, force=force) as tmp:  # the one safe writer (refusals, --force, signals)
        wb.save(tmp)
    return out


def _cell(v: object) -> object:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if hasattr(v, "item"):
        return v.item()  # numpy scalar
    return v


# --------------------------------------------------------------------------- reader
def _number(
    v: object, where: str, what: str, *, minimum: float = 0.0, strict: bool = False
) -> float:
    try:
        x = float(str(v).replace(",", ".")) if isinstance(v, str) else float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise LayoutError(f"{what} must be a number, not {v!r}", location=where) from None
    if not math.isfinite(x) or x < minimum or (strict and x <= minimum):
        sign = ">" if strict else "≥"
        raise LayoutError(f"{what} must be {sign} {minimum:g}, not {v!r}", location=where)
    return x


def _unit(v: object, where: str, dimension: str, default: str | None = None) -> str:
    if _blank(v):
        if default is not None:
            return default
        raise LayoutError(f"the {dimension} unit is missing", location=where)
    try:
        u = canonical_unit(str(v))
        to_base(1.0, u, dimension)  # type: ignore[arg-type]
    except UnitError as err:
        raise LayoutError(str(err.message), location=where) from None
    return u


def _experiment(ws: Any) -> dict[str, Any]:
    by_label = {label.lower(): (key, unit) for key, label, unit, _ in EXPERIMENT_FIELDS}
    out: dict[str, Any] = {}
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if i <= 3 or not row or _blank(row[0]):
            continue
        label = str(row[0]).strip().lower()
        value = row[1] if len(row) > 1 else None
        unit = row[2] if len(row) > 2 else None
        if label not in by_label:
            raise LayoutError(f"unknown experiment field {row[0]!r}", location=f"Experiment!A{i}")
        key, default_unit = by_label[label]
        if _blank(value):
            continue
        where = f"Experiment!B{i}"
        if key == "reference_time":
            try:
                out[key] = pd.Timestamp(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise LayoutError(
                    f"reference time must be a date and time, not {value!r}", location=where
                ) from None
        elif key == "isotope":
            from assaykit.counting import canonical_isotope

            try:
                out[key] = canonical_isotope(str(value))
            except Exception as err:  # the counting module raises its own error type
                raise LayoutError(str(err), location=where) from None
        elif key == "model":
            m = str(value).strip().lower()
            if m not in MODELS:
                raise LayoutError(
                    f"model must be one of {', '.join(MODELS)}, not {value!r}", location=where
                )
            out[key] = m
        elif key == "dissociation_start":
            u = _unit(unit, f"Experiment!C{i}", "time", "min")
            out["dissociation_start_min"] = to_base(_number(value, where, label), u, "time")
        elif key == "equilibrium_kd":
            u = _unit(unit, f"Experiment!C{i}", "concentration", "nM")
            out["equilibrium_kd_M"] = to_base(
                _number(value, where, label, strict=True), u, "concentration"
            )
        elif key in ("koff", "radioligand_koff"):
            out[key.replace("koff", "koff_per_min")] = _number(value, where, label, strict=True)
        elif key == "radioligand_kon":
            out["radioligand_kon_per_M_min"] = _number(value, where, label, strict=True)
        else:
            out[key] = str(value).strip()
    return out


def read_kinetics_layout(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Read a filled kinetics template: the tube table in base units and the experiment settings.

    Returns
    -------
    tubes : pandas.DataFrame
        ``rack, position, role, kind, time_min, conc_M, competitor_conc_M, curve`` (time and
        concentrations NaN for blanks and standards).
    experiment : dict
        ``experiment_id, radioligand, isotope, reference_time`` (Timestamp), ``model``, and when
        given ``dissociation_start_min, equilibrium_kd_M, koff_per_min,
        radioligand_kon_per_M_min, radioligand_koff_per_min``.

    Raises
    ------
    LayoutError
        Naming the file and the cell (``Tubes!E7``) of the first problem.
    """
    from assaykit.io._xlsx import load_workbook_safely

    p = Path(path)
    wb = load_workbook_safely(p, read_only=False, data_only=True)
    try:
        if "Tubes" not in wb.sheetnames:
            raise LayoutError("no 'Tubes' sheet: write one with write_kinetics_template()", path=p)
        try:
            exp = _experiment(wb["Experiment"]) if "Experiment" in wb.sheetnames else {}
            tubes = _tubes(wb["Tubes"])
        except LayoutError as err:
            raise err.with_context(path=p) from None
    finally:
        wb.close()
    return tubes, exp


def _tubes(ws: Any) -> pd.DataFrame:
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        raise LayoutError("the Tubes sheet is empty", location="Tubes!A1")
    header = [str(h).strip().lower() if not _blank(h) else "" for h in rows[0]]
    col = {}
    for name in TUBE_COLUMNS:
        if name not in header:
            if name in ("competitor conc", "competitor unit", "curve", "kind"):
                continue
            raise LayoutError(
                f"the Tubes header has no {name!r} column; keep the template's header",
                location="Tubes!A1",
            )
        col[name] = header.index(name)
    letters = {n: chr(65 + j) for n, j in col.items()}
    out = []
    seen: dict[tuple[int, int], int] = {}
    for i, row in enumerate(rows[1:], start=2):
        row = list(row) + [None] * len(TUBE_COLUMNS)

        def get(name: str, row: list[object] = row) -> object:
            return row[col[name]] if name in col else None

        def at(name: str, i: int = i) -> str:
            return f"Tubes!{letters.get(name, 'A')}{i}"

        if all(_blank(get(n)) for n in col):
            continue
        rack = int(_number(get("rack"), at("rack"), "rack", minimum=1))
        pos = int(_number(get("position"), at("position"), "position", minimum=1))
        if (rack, pos) in seen:
            raise LayoutError(
                f"rack {rack} position {pos} is listed twice (also row {seen[rack, pos]})",
                location=at("position"),
            )
        seen[rack, pos] = i
        role = str(get("role") or "").strip().lower()
        if role not in ROLES:
            raise LayoutError(
                f"role must be one of {', '.join(ROLES)}, not {get('role')!r}", location=at("role")
            )
        kind = str(get("kind") or "association").strip().lower()
        if kind not in KINDS:
            raise LayoutError(
                f"kind must be association or dissociation, not {get('kind')!r}",
                location=at("kind"),
            )
        rec: dict[str, Any] = {
            "rack": rack,
            "position": pos,
            "role": role,
            "kind": kind,
            "time_min": math.nan,
            "conc_M": math.nan,
            "competitor_conc_M": 0.0,
            "curve": "curve 1" if _blank(get("curve")) else str(get("curve")).strip(),
        }
        if role in ("total", "nsb"):
            t = _number(get("time"), at("time"), "time")
            rec["time_min"] = to_base(t, _unit(get("time unit"), at("time unit"), "time"), "time")
            c = _number(
                get("radioligand conc"), at("radioligand conc"), "radioligand conc", strict=True
            )
            rec["conc_M"] = to_base(
                c, _unit(get("conc unit"), at("conc unit"), "concentration"), "concentration"
            )
            if not _blank(get("competitor conc")):
                ic = _number(get("competitor conc"), at("competitor conc"), "competitor conc")
                u = _unit(
                    get("competitor unit"),
                    at("competitor unit"),
                    "concentration",
                    "nM" if ic == 0 else None,
                )
                rec["competitor_conc_M"] = to_base(ic, u, "concentration")
        out.append(rec)
    if not out:
        raise LayoutError("the Tubes sheet has no tube rows", location="Tubes!A2")
    return pd.DataFrame(out)


def annotate_kinetics(counts: pd.DataFrame, tubes: pd.DataFrame) -> pd.DataFrame:
    """Join a counter export (``rack, position, counts, count_time_s, measured_at, ...``) with the
    layout's tubes on rack and position; every layout tube must have been counted.

    Counted positions that the layout does not list are left out (they are not part of the
    experiment).
    """
    from assaykit.schema import require_columns

    require_columns(
        counts, ["rack", "position", "measured_at", "count_time_s"], stage="kinetics annotation"
    )
    c = counts.copy()
    c["rack"] = pd.to_numeric(c["rack"], errors="coerce").astype("Int64")
    c["position"] = pd.to_numeric(c["position"], errors="coerce").astype("Int64")
    t = tubes.copy()
    t["rack"] = t["rack"].astype("Int64")
    t["position"] = t["position"].astype("Int64")
    dup = c.duplicated(["rack", "position"], keep=False)
    if dup.any():
        first = c[dup].iloc[0]
        raise LayoutError(
            f"rack {first['rack']} position {first['position']} was counted more than once"
        )
    merged = t.merge(
        c.drop(columns=[k for k in ("role", "kind", "curve") if k in c.columns]),
        on=["rack", "position"],
        how="left",
        indicator=True,
    )
    missing = merged["_merge"] == "left_only"
    if missing.any():
        names = ", ".join(f"{r.rack}/{r.position}" for r in merged[missing].head(8).itertuples())
        raise LayoutError(
            f"tube(s) of the layout not in the counter export (rack/position): {names}"
        )
    return merged.drop(columns="_merge")
