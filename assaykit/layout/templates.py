"""Excel templates for describing an experiment: blank (to fill in) or filled from a layout frame.

Sheets (one source of truth: the long tables, never grids):

- **Instructions** — how to fill it in, the role/fraction vocabulary, units, every field;
- **Experiment** — field / value / unit / explanation rows (radioligand, isotope, reference time …);
- **Wells** — plate readers: one row per well (plate, well, role, compound, concentration, unit,
  replicate …); the blank template lists every well of a 96- or 384-well plate;
- **Tubes** — gamma counters: one row per tube (rack, position, sample, role, …);
- **Example** — a complete small experiment (never read as data);
- **Lists** — hidden; the drop-down lists of the data validations.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "binding.xlsx"
>>> write_template("binding", path)
PosixPath('...binding.xlsx')
>>> import openpyxl
>>> openpyxl.load_workbook(path).sheetnames
['Instructions', 'Experiment', 'Wells', 'Tubes', 'Example', 'Lists']
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from assaykit.errors import LayoutError
from assaykit.layout._template_text import example_layout, instructions
from assaykit.layout._vocab import (
    BINDING_ROLES,
    CONDITIONS,
    FRACTIONS,
    ISOTOPES,
    PER_MOLAR,
    UNITS,
    UPTAKE_ROLES,
    Column,
    check_kind,
    columns_for,
    fields_for,
    nice_unit,
)

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["SHEETS", "example_layout", "fill_template", "write_template"]

#: Sheet names of every template, in order.
SHEETS: tuple[str, ...] = ("Instructions", "Experiment", "Wells", "Tubes", "Example", "Lists")
#: Rows of the Wells / Tubes tables covered by the drop-down validations.
VALIDATED_ROWS = 1600
_EXPERIMENT_HEADER_ROW = 3
_FIXED_UNITS = {
    "cells_per_well": "cells",
    "added_counts_cpm": "cpm",
    "applied_volume_uL": "µL",
    "plate_size": "wells",
}


def _check_plate_size(plate_size: object) -> int:
    if plate_size not in (96, 384):
        raise LayoutError(f"plate size must be 96 or 384, got {plate_size!r}")
    return int(plate_size)


def write_template(
    kind: str, path: str | os.PathLike[str], *, force: bool = False, plate_size: int = 96
) -> Path:
    """Write a blank template workbook to fill in.

    Parameters
    ----------
    kind
        ``"binding"`` or ``"uptake"``.
    path
        The ``.xlsx`` file to write (atomic; refused when it exists unless ``force``).
    force
        Replace an existing file.
    plate_size
        96 or 384: the wells listed on the Wells sheet and the default 'plate size'.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
    >>> _ = write_template("uptake", p, plate_size=384)
    >>> write_template("uptake", p)
    Traceback (most recent call last):
    ...
    assaykit.errors.OutputError: ...t.xlsx: exists; use --force to replace it
    """
    kind = check_kind(kind)
    plate_size = _check_plate_size(plate_size)
    wb = _workbook(kind, plate_size, layout=None, experiment=None)
    return _save(wb, path, force=force)


def fill_template(
    kind: str,
    path: str | os.PathLike[str],
    layout: pd.DataFrame,
    experiment: Mapping[str, Any] | None = None,
    *,
    force: bool = False,
) -> Path:
    """Write a filled template from a layout frame and an experiment dict.

    Parameters
    ----------
    kind
        ``"binding"`` or ``"uptake"``.
    path
        The ``.xlsx`` file to write (atomic; refused when it exists unless ``force``).
    layout
        A layout frame as returned by :func:`assaykit.layout.read_layout` (``conc`` in M), or with
        the template's columns (``concentration`` + ``unit``); checked with
        :func:`assaykit.layout.layout_from_frame`. Rows with ``well`` go to the Wells sheet,
        rows with ``rack``/``position``/``sample`` to the Tubes sheet.
    experiment
        Keys as in ``attrs["experiment"]`` (``radioligand_conc_M`` in M or as ``(value, unit)``);
        defaults to ``layout.attrs["experiment"]``.
    force
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        The file written; :func:`assaykit.layout.read_layout` gives ``layout`` back.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> from assaykit.layout import read_layout
    >>> layout = pd.DataFrame({"well": ["A1", "A2", "B1"], "role": ["total", "nsb", "competitor"],
    ...                        "compound": ["", "FC131", "FC131"], "conc": [None, 1e-6, 3e-9]})
    >>> p = fill_template("binding", pathlib.Path(tempfile.mkdtemp()) / "f.xlsx", layout,
    ...                   {"radioligand": "[125I]FC131", "radioligand_conc_M": 1e-10})
    >>> print(read_layout(p)[["well", "role", "conc"]].to_string(index=False))
    well       role         conc
     A01      total          NaN
     A02        nsb 1.000000e-06
     B01 competitor 3.000000e-09
    """
    from assaykit.layout import experiment_from_dict, layout_from_frame

    kind = check_kind(kind)
    if experiment is None:
        experiment = getattr(layout, "attrs", {}).get("experiment")
    exp = experiment_from_dict(experiment, kind)
    checked = layout_from_frame(layout, kind=kind, experiment=exp)
    wb = _workbook(kind, int(exp.get("plate_size") or 96), layout=checked, experiment=exp)
    return _save(wb, path, force=force)


def _save(wb: Workbook, path: str | os.PathLike[str], *, force: bool) -> Path:
    from assaykit.report.output import atomic_path

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise LayoutError(f"a template must be written to an .xlsx file, got {target.name!r}")
    with atomic_path(target, force=force) as tmp:
        wb.save(tmp)
    return target


# --------------------------------------------------------------------------------------------
# workbook building


def _workbook(
    kind: str,
    plate_size: int,
    *,
    layout: pd.DataFrame | None,
    experiment: Mapping[str, Any] | None,
) -> Workbook:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    lists = _lists(kind)
    _instructions_sheet(wb.create_sheet("Instructions"), kind, plate_size)
    exp_ws = wb.create_sheet("Experiment")
    wells = wb.create_sheet("Wells")
    tubes = wb.create_sheet("Tubes")
    example = wb.create_sheet("Example")
    lists_ws = wb.create_sheet("Lists")
    refs = _lists_sheet(lists_ws, lists)
    exp = dict(experiment or {})
    if layout is None:
        exp.setdefault("plate_size", plate_size)
    _experiment_block(exp_ws, kind, exp, refs, filled=experiment is not None)
    table_rows: dict[str, list[dict[str, Any]]] = {"Wells": [], "Tubes": []}
    if layout is None:
        from assaykit.plate import iter_wells

        table_rows["Wells"] = [{"well": w} for w in iter_wells(plate_size)]
    else:
        table_rows["Wells" if "well" in layout.columns else "Tubes"] = _template_rows(layout)
    for ws, name in ((wells, "Wells"), (tubes, "Tubes")):
        _table(ws, columns_for(kind, name), table_rows[name], refs, first_row=1)
    ex_layout, ex_exp = example_layout(kind)
    _example_sheet(example, kind, ex_layout, ex_exp, refs)
    lists_ws.sheet_state = "hidden"
    wb.active = 1
    wb.properties.created = _dt.datetime(2000, 1, 1)
    wb.properties.modified = _dt.datetime(2000, 1, 1)
    wb.properties.creator = "assaykit"
    return wb


def _lists(kind: str) -> dict[str, Sequence[object]]:
    roles = BINDING_ROLES if kind == "binding" else UPTAKE_ROLES
    out: dict[str, Sequence[object]] = {"role": roles, "unit": tuple(UNITS), "isotope": ISOTOPES}
    if kind == "uptake":
        out["fraction"] = FRACTIONS
        out["condition"] = CONDITIONS
    out["plate size"] = (96, 384)
    return out


def _lists_sheet(ws: Worksheet, lists: Mapping[str, Sequence[object]]) -> dict[str, str]:
    from openpyxl.utils import get_column_letter

    refs: dict[str, str] = {}
    for j, (name, values) in enumerate(lists.items(), start=1):
        ws.cell(row=1, column=j, value=name)
        for i, v in enumerate(values, start=2):
            ws.cell(row=i, column=j, value=v)
        col = get_column_letter(j)
        refs[name] = f"Lists!${col}$2:${col}${len(values) + 1}"
        refs[f"{name}.hint"] = ", ".join(str(v) for v in values)  # shown when a cell is selected
    return refs


def _validation(
    ws: Worksheet,
    formula: str,
    sqref: str,
    *,
    strict: bool = True,
    prompt: str = "",
    hint: str = "",
) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    if hint:
        dv.showInputMessage = True
        dv.promptTitle = "assaykit"
        dv.prompt = hint[:250]  # Excel's limit is 255 characters
    dv.showErrorMessage = True
    dv.errorStyle = "stop" if strict else "warning"
    dv.error = prompt or "Pick a value from the list."
    dv.errorTitle = "assaykit"
    dv.add(sqref)
    ws.add_data_validation(dv)


def _number_validation(ws: Worksheet, sqref: str, *, whole: bool, minimum: float) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(
        type="whole" if whole else "decimal",
        operator="greaterThanOrEqual",
        formula1=str(minimum),
        allow_blank=True,
    )
    dv.showErrorMessage = True
    dv.errorStyle = "warning"
    dv.error = f"Expected a {'whole ' if whole else ''}number >= {minimum}."
    dv.errorTitle = "assaykit"
    dv.add(sqref)
    ws.add_data_validation(dv)


def _bold(ws: Worksheet, row: int, n: int) -> None:
    from openpyxl.styles import Font, PatternFill

    for j in range(1, n + 1):
        c = ws.cell(row=row, column=j)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDEBF7")


def _instructions_sheet(ws: Worksheet, kind: str, plate_size: int) -> None:
    from openpyxl.styles import Font

    for i, line in enumerate(instructions(kind, plate_size), start=1):
        ws.cell(row=i, column=1, value=line or None)
        if line and not line.startswith((" ", "1", "2", "3", "4", "5", "6", "The ")):
            ws.cell(row=i, column=1).font = Font(bold=True)
    ws.column_dimensions["A"].width = 120


def _excel(value: object) -> object:
    """A cell value: None for blanks, plain Python types, formula-safe text."""
    import pandas as pd

    from assaykit.report.output import neutralise_formula

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return float(f"{value:.12g}")
    if isinstance(value, str):
        return neutralise_formula(value) if value else None
    return value


def _experiment_block(
    ws: Worksheet,
    kind: str,
    exp: Mapping[str, Any],
    refs: Mapping[str, str],
    *,
    filled: bool,
    top: int = 1,
) -> int:
    """Write title, header and field rows from row ``top``; return the next free row."""
    from openpyxl.styles import Font

    ws.cell(row=top, column=1, value=f"assaykit {kind} experiment").font = Font(bold=True, size=13)
    ws.cell(row=top, column=2, value="fill column B (and the unit in column C); see Instructions")
    h = top + _EXPERIMENT_HEADER_ROW - 1
    for j, text in enumerate(("field", "value", "unit", "explanation"), start=1):
        ws.cell(row=h, column=j, value=text)
    _bold(ws, h, 4)
    r = h
    for f in fields_for(kind):
        r += 1
        ws.cell(row=r, column=1, value=f.label)
        value = exp.get(f.key)
        unit = _FIXED_UNITS.get(f.key, "")
        if f.kind == "conc":
            unit = f.unit
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                unit = nice_unit(float(value))
                value = float(value) * PER_MOLAR[unit]
        elif f.kind == "date" and value is not None:
            value = value.date() if hasattr(value, "date") else value
        cell = ws.cell(row=r, column=2, value=_excel(value))
        if f.kind == "time":
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif f.kind == "date":
            cell.number_format = "yyyy-mm-dd"
        ws.cell(row=r, column=3, value=unit or None)
        ws.cell(row=r, column=4, value=f.help)
        if f.kind == "conc":
            _validation(ws, refs["unit"], f"C{r}", prompt="Pick a unit: " + ", ".join(UNITS))
        elif f.kind == "isotope":
            _validation(ws, refs["isotope"], f"B{r}", strict=False, prompt="Not a listed isotope.")
        elif f.key == "plate_size":
            _validation(ws, refs["plate size"], f"B{r}", prompt="Plate size must be 96 or 384.")
    for col, width in (("A", 26), ("B", 22), ("C", 8), ("D", 90)):
        ws.column_dimensions[col].width = width
    _ = filled
    return r + 1


def _template_rows(layout: pd.DataFrame) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for rec in layout.to_dict(orient="records"):
        row = cast("dict[str, Any]", dict(rec))  # the layout's columns are named by str
        conc = row.pop("conc", None)
        if conc is not None and not (isinstance(conc, float) and math.isnan(conc)):
            unit = nice_unit(float(conc))
            row["concentration"] = float(conc) * PER_MOLAR[unit]
            row["unit"] = unit
        rows.append(row)
    return rows


def _table(
    ws: Worksheet,
    columns: Sequence[Column],
    rows: Sequence[Mapping[str, Any]],
    refs: Mapping[str, str],
    *,
    first_row: int,
    validate: bool = True,
) -> None:
    from openpyxl.utils import get_column_letter

    extras = [
        k
        for k in (rows[0] if rows else {})
        if k not in {c.key for c in columns} and k not in ("conc",)
    ]
    extras = [k for k in extras if k != "notes"]
    headers = [c.header for c in columns] + extras + ["notes"]
    keys = [c.key for c in columns] + extras + ["notes"]
    for j, text in enumerate(headers, start=1):
        ws.cell(row=first_row, column=j, value=text)
        width = columns[j - 1].width if j <= len(columns) else 20
        ws.column_dimensions[get_column_letter(j)].width = width
    _bold(ws, first_row, len(headers))
    for i, rec in enumerate(rows, start=first_row + 1):
        for j, key in enumerate(keys, start=1):
            ws.cell(row=i, column=j, value=_excel(rec.get(key)))
    ws.freeze_panes = ws.cell(row=first_row + 1, column=1)
    if not validate:
        return
    last = max(first_row + VALIDATED_ROWS, first_row + len(rows) + 200)
    for j, c in enumerate(columns, start=1):
        col = get_column_letter(j)
        sq = f"{col}{first_row + 1}:{col}{last}"
        if c.kind in ("role", "unit", "fraction"):
            _validation(
                ws,
                refs[c.kind],
                sq,
                prompt=f"Pick a {c.kind} from the list (see Instructions).",
                hint=f"{c.kind}: {refs[c.kind + '.hint']}",
            )
        elif c.kind == "condition":
            _validation(
                ws,
                refs["condition"],
                sq,
                strict=False,
                prompt="Not a listed condition; keep it?",
                hint=f"condition: {refs['condition.hint']} (or your own name)",
            )
        elif c.kind == "int":
            _number_validation(ws, sq, whole=True, minimum=1)
        elif c.kind == "number":
            _number_validation(ws, sq, whole=False, minimum=0)


def _example_sheet(
    ws: Worksheet, kind: str, layout: pd.DataFrame, exp: Mapping[str, Any], refs: Mapping[str, str]
) -> None:
    from openpyxl.styles import Font

    nxt = _experiment_block(ws, kind, exp, refs, filled=True)
    ws.cell(
        row=1, column=1, value=f"EXAMPLE (not read): a complete small {kind} experiment"
    ).font = Font(bold=True, size=13)
    ws.cell(
        row=1,
        column=2,
        value="this sheet is never read; fill in the Experiment and Wells or Tubes sheets",
    )
    ws.cell(
        row=nxt + 1, column=1, value="Tubes (gamma counter): one row per counted tube"
    ).font = Font(bold=True)
    _table(
        ws,
        columns_for(kind, "Tubes"),
        _template_rows(layout),
        refs,
        first_row=nxt + 2,
        validate=False,
    )
    ws.freeze_panes = None
    ws.data_validations.dataValidation = []
