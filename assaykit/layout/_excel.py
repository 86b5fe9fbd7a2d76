"""Read a filled assaykit Excel template: Experiment sheet + Wells or Tubes sheet → layout frame."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import LayoutError
from assaykit.layout._validate import build_experiment, build_layout, is_blank
from assaykit.layout._vocab import HEADER_SYNONYMS, KINDS, check_kind, fields_for, molar_from

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_template"]

#: Sheet names accepted for each part (compared lower-case, spaces collapsed).
_SHEETS = {
    "experiment": "Experiment",
    "experiment info": "Experiment",
    "wells": "Wells",
    "plate map": "Wells",
    "tubes": "Tubes",
    "tube list": "Tubes",
}
_MAX_HEADER_SEARCH = 25


def _norm(text: object) -> str:
    s = re.sub(r"\s+", " ", str(text).replace("\u00a0", " ").strip().lower())
    return s.rstrip(":").strip()


def _col_letter(j: int) -> str:
    from assaykit.io._xlsx import column_letter

    return column_letter(j)


def _rows(ws: Any, max_row: int | None = None) -> list[tuple[int, list[object]]]:
    """``(Excel row number, values)`` of the rows holding a value, read from the cells that exist.

    Never from the declared range: a stray cell at XFD1048576 costs one row, not a 1M × 16k grid.
    """
    from assaykit.io._xlsx import sheet_cells

    by_row: dict[int, dict[int, object]] = {}
    for (r, c), v in sheet_cells(ws, max_row).cells.items():
        by_row.setdefault(r, {})[c] = v
    out = []
    for r in sorted(by_row):
        cols = by_row[r]
        row: list[object] = [None] * max(cols)
        for c, v in cols.items():
            row[c - 1] = v
        out.append((r, row))
    return out


def read_template(path: Path, *, kind: str | None = None) -> pd.DataFrame:
    """Read a filled template workbook (see :func:`assaykit.layout.read_layout`)."""
    try:
        return _read_template(path, kind=kind)
    except LayoutError as err:
        raise _formula_hint(path, err) from None


def _formula_hint(path: Path, err: LayoutError) -> LayoutError:
    """Explain an error at a cell that holds a formula without a saved result (it reads as empty)."""
    m = re.fullmatch(r"(.+)!([A-Z]{1,3})(\d+)", err.location or "")
    if not m:
        return err
    from assaykit.io._xlsx import load_workbook_safely

    try:
        wb = load_workbook_safely(path, read_only=False, data_only=False)
    except Exception:  # the first load worked; never hide the original message
        return err
    try:
        sheet, col, row = m.groups()
        if sheet not in wb.sheetnames:
            return err
        formula = wb[sheet][f"{col}{row}"].value
    finally:
        wb.close()
    if not (isinstance(formula, str) and formula.startswith("=")):
        return err
    shown = formula if len(formula) <= 40 else formula[:37] + "..."
    return LayoutError(
        f"the cell holds a formula ({shown}) and no saved result, so it reads as empty; type the value "
        "instead, or open and save the file in Excel so that the result is stored",
        path=err.path,
        location=err.location,
    )


def _refuse_formulas_without_values(path: Path, titles: list[str]) -> None:
    """LayoutError at the first formula cell without a saved result in the sheets read.

    Such a cell reads as empty: a formula for a sample name or a concentration would silently
    leave the tube unannotated. (Excel stores results when it saves; scripts often do not.)
    """
    from assaykit.io._xlsx import load_workbook_safely, sheet_cells

    wb = load_workbook_safely(path)
    try:
        for title in titles:
            missing = sheet_cells(wb[title]).formulas_without_value
            if missing:
                more = f" (and {len(missing) - 1} more cell(s))" if len(missing) > 1 else ""
                raise LayoutError(
                    f"the cell holds a formula and no saved result{more}, so it reads as empty; "
                    "type the value instead, or open and save the file in Excel so that the "
                    "result is stored",
                    location=f"{title}!{missing[0]}",
                )
    finally:
        wb.close()


def _read_template(path: Path, *, kind: str | None = None) -> pd.DataFrame:
    from assaykit.io._xlsx import load_workbook_safely

    wb = load_workbook_safely(path, read_only=False, data_only=True)
    try:
        sheets: dict[str, Any] = {}
        for ws in wb.worksheets:
            part = _SHEETS.get(_norm(ws.title))
            if part and ws.sheet_state != "visible":
                raise LayoutError(
                    f"the {ws.title!r} sheet is {ws.sheet_state.replace('veryHidden', 'very hidden')}"
                    "; assaykit never reads a hidden sheet silently: make it visible (or delete "
                    "it if it holds an older layout)",
                    location=f"{ws.title}!A1",
                )
            if part and part not in sheets:
                sheets[part] = ws
        _refuse_formulas_without_values(path, [ws.title for ws in sheets.values()])
        if "Wells" not in sheets and "Tubes" not in sheets:
            names = ", ".join(repr(ws.title) for ws in wb.worksheets)
            raise LayoutError(
                f"no 'Wells' or 'Tubes' sheet (sheets: {names}); write a template with "
                "'assaykit template binding -o FILE.xlsx' and fill it in"
            )
        kind = _kind(sheets, kind)
        exp_items: dict[str, tuple[object, object, str | None]] = {}
        if "Experiment" in sheets:
            exp_items = _experiment_items(sheets["Experiment"], kind)
        experiment = build_experiment(exp_items, kind)
        tables = {
            name: _table_records(sheets[name]) for name in ("Wells", "Tubes") if name in sheets
        }
        filled = [n for n, (recs, _) in tables.items() if any(_has_body(r) for r in recs)]
        if len(filled) == 2:
            raise LayoutError(
                "both the Wells and the Tubes sheet are filled in; use Wells for plate readers or "
                "Tubes for gamma counters, and clear the other"
            )
        if not filled:
            which = (
                "neither the Wells nor the Tubes sheet has a row"
                if len(tables) == 2
                else f"the {next(iter(tables))} sheet has no row"
            )
            raise LayoutError(
                f"the plate map is empty: {which} with a role; "
                "fill in the role (and compound, concentration) of each used well or tube"
            )
        name = filled[0]
        records, locate = tables[name]
        if kind == "binding":
            check_plausible(records, locate, exp_items)
        return build_layout(records, kind=kind, table=name, locate=locate, experiment=experiment)
    finally:
        wb.close()


def check_plausible(
    records: list[dict[str, Any]],
    locate: Any,
    exp_items: dict[str, tuple[object, object, str | None]],
) -> None:
    """Concentrations a binding assay cannot have are errors naming the cell and the unit.

    A competitor series typed as whole numbers with the unit cell left at M (40 M), a competitor
    outside 1 fM–10 mM, and a radioligand concentration or Kd outside 0.1 pM–10 µM or far above
    its Kd (Ki divided by > 100): each names the cell and the unit under which the number typed
    would make sense.
    """
    from assaykit.units import plausible_conc_units

    def molar(value: object, unit: object) -> float | None:
        try:
            x = float(value)  # type: ignore[arg-type]
            return molar_from(x, unit) if not is_blank(unit) else None
        except (TypeError, ValueError, LayoutError):
            return None

    def hint(value: object) -> str:
        try:
            units = plausible_conc_units(float(value))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return ""
        return f"; typed in {' or '.join(units)}?" if units else ""

    series: dict[str, list[tuple[int, float]]] = {}
    for i, rec in enumerate(records):
        if str(rec.get("role", "")).strip().lower() not in ("competitor", "comp"):
            continue
        m = molar(rec.get("concentration"), rec.get("unit"))
        if m is None or m <= 0:
            continue
        series.setdefault(str(rec.get("compound", "")), []).append((i, m))
    for compound, rows in series.items():
        if len(rows) >= 3 and all(m >= 1e-4 for _, m in rows):
            i = rows[0][0]
            raise LayoutError(
                f"competitor {compound!r}: every concentration is ≥ 100 µM, which no competition "
                "series is: the numbers look typed in nM (or µM) with the unit cells left at M or "
                "mM; set the unit cells",
                location=locate(i, "unit"),
            )
    for rows in series.values():
        for i, m in rows:
            rec = records[i]
            if not 1e-15 <= m <= 1e-2:
                raise LayoutError(
                    f"competitor {rec.get('compound')!r}: {rec.get('concentration')} "
                    f"{rec.get('unit')} = {m:.3g} M is not a physical concentration (1 fM–10 mM)"
                    + hint(rec.get("concentration")),
                    location=locate(i, "unit"),
                )
    conc = exp_items.get("radioligand_conc_M")
    kd = exp_items.get("radioligand_kd_M")
    values = {}
    for key, item, what in (
        (conc, "conc", "radioligand concentration"),
        (kd, "kd", "radioligand Kd"),
    ):
        if key is None:
            continue
        m = molar(key[0], key[1])
        if m is None:
            continue
        values[item] = m
        if not 1e-13 <= m <= 1e-5:
            raise LayoutError(
                f"{what} {key[0]} {key[1]} = {m:.3g} M is outside 0.1 pM–10 µM" + hint(key[0]),
                location=re.sub(r"!B(\d+)$", r"!C\1", key[2]) if key[2] else None,
            )
    if "conc" in values and "kd" in values and values["conc"] > 100 * values["kd"]:
        assert conc is not None and kd is not None
        raise LayoutError(
            f"radioligand concentration {conc[0]} {conc[1]} is {values['conc'] / values['kd']:.0f} × "
            f"its Kd {kd[0]} {kd[1]}: Ki would be divided by {1 + values['conc'] / values['kd']:.0f}; "
            "check both values and their unit cells (was a pre-filled unit left unchanged?)",
            location=conc[2],
        )


def _has_body(rec: dict[str, Any]) -> bool:
    keys = ("plate", "well", "rack", "position", "sample", "unit")
    return any(not is_blank(v) for k, v in rec.items() if k not in keys)


def _kind(sheets: dict[str, Any], kind: str | None) -> str:
    """The kind asked for, checked against the one the template declares (or looks like)."""
    asked = None if kind is None else check_kind(kind)
    declared = None
    if "Experiment" in sheets:
        for _r, row in _rows(sheets["Experiment"], 3):
            for cell in row:
                text = _norm(cell) if isinstance(cell, str) else ""
                for k in KINDS:
                    if declared is None and (f"{k} experiment" in text or f"{k} template" in text):
                        declared = k
    if declared is None:
        for name in ("Tubes", "Wells"):
            if name in sheets:
                for _r, row in _rows(sheets[name], _MAX_HEADER_SEARCH):
                    texts = {_norm(c) for c in row if isinstance(c, str)}
                    if "role" in texts and "fraction" in texts:
                        declared = "uptake"
    if asked is not None and declared is not None and asked != declared:
        raise LayoutError(
            f"this is {'an' if declared == 'uptake' else 'a'} {declared} template, but {'an' if asked == 'uptake' else 'a'} "
            f"{asked} layout is needed; write one with 'assaykit template {asked} -o FILE.xlsx'",
            location="Experiment!A1" if "Experiment" in sheets else None,
        )
    return asked or declared or "binding"


def _experiment_items(ws: Any, kind: str) -> dict[str, tuple[object, object, str | None]]:
    """``{key: (value, unit, cell)}`` from the field / value / unit rows of the Experiment sheet."""
    fields = fields_for(kind)
    by_label = {_norm(f.label): f for f in fields}
    by_label.update({_norm(f.key): f for f in fields})
    rows = _rows(ws)
    start = 0
    for k, (r, row) in enumerate(rows):
        if r > _MAX_HEADER_SEARCH:
            break
        if row and isinstance(row[0], str) and _norm(row[0]) in ("field", "parameter", "key"):
            start = k + 1
            break
    items: dict[str, tuple[object, object, str | None]] = {}
    seen: dict[str, str] = {}
    for r, values in rows[start:]:
        i = r - 1  # 0-based Excel row, for the cell names below
        row = values + [None, None, None]
        label, value, unit = row[0], row[1], row[2]
        if is_blank(label):
            if not is_blank(value):
                raise LayoutError(
                    f"value {value!r} has no field name in column A",
                    location=f"{ws.title}!B{i + 1}",
                )
            continue
        text = re.sub(r"\s*\(.*\)\s*$", "", _norm(label))
        loc = f"{ws.title}!B{i + 1}"
        f = by_label.get(text)
        if f is None:
            hits = difflib.get_close_matches(text, list(by_label), n=1, cutoff=0.75)
            if hits:
                raise LayoutError(
                    f"unknown experiment field {str(label).strip()!r} (did you mean {by_label[hits[0]].label!r}?)",
                    location=f"{ws.title}!A{i + 1}",
                )
            if is_blank(value):
                continue
            key = re.sub(r"[^0-9a-z]+", "_", text).strip("_")
            items[key] = (value, unit, loc)
            continue
        if f.key in seen:
            raise LayoutError(
                f"field {f.label!r} is given twice (first at {seen[f.key]})",
                location=f"{ws.title}!A{i + 1}",
            )
        seen[f.key] = f"{ws.title}!A{i + 1}"
        items[f.key] = (
            value,
            unit,
            loc
            if f.kind != "conc" or is_blank(value) or not is_blank(unit)
            else f"{ws.title}!C{i + 1}",
        )
    return items


def _header_key(text: str, known: list[str]) -> str | None:
    t = _norm(text)
    if t in HEADER_SYNONYMS:
        return HEADER_SYNONYMS[t]
    t2 = re.sub(r"\s*\(.*\)\s*$", "", t)
    if t2 == "time":
        return "?time (min)"  # a time in other units than minutes: ask for minutes
    if t2 in HEADER_SYNONYMS:
        return HEADER_SYNONYMS[t2]
    hits = difflib.get_close_matches(t, known, n=1, cutoff=0.8)
    if hits:
        return "?" + hits[0]
    return None


def _table_records(ws: Any) -> tuple[list[dict[str, Any]], Any]:
    rows = _rows(ws)
    header_i = None
    header_k = 0
    for k, (r, row) in enumerate(rows):
        if r > _MAX_HEADER_SEARCH:
            break
        i = r - 1
        texts = {_norm(c) for c in row if isinstance(c, str)}
        if "role" in texts and texts & {
            "well",
            "position",
            "sample",
            "rack",
            "tube",
            "pos",
            "well id",
        }:
            header_i, header_k = i, k
            break
    if header_i is None:
        raise LayoutError(
            "no header row with 'role' and 'well' (or 'rack', 'position') found in the first "
            f"{_MAX_HEADER_SEARCH} rows; keep the template's header row",
            location=f"{ws.title}!A1",
        )
    known = sorted(HEADER_SYNONYMS)
    cols: dict[int, str] = {}
    for j, cell in enumerate(rows[header_k][1]):
        if is_blank(cell):
            continue
        key = _header_key(str(cell), known)
        loc = f"{ws.title}!{_col_letter(j)}{header_i + 1}"
        if key is not None and key.startswith("?"):
            raise LayoutError(
                f"unknown column {str(cell).strip()!r} (did you mean {key[1:]!r}?)", location=loc
            )
        if key is None:
            key = re.sub(r"[^0-9a-z]+", "_", _norm(cell)).strip("_") or f"column_{j + 1}"
        if key in cols.values():
            raise LayoutError(
                f"column {str(cell).strip()!r} appears twice in the header", location=loc
            )
        cols[j] = key
    letters = {key: _col_letter(j) for j, key in cols.items()}
    if "conc_M" in letters:
        letters.setdefault("concentration", letters["conc_M"])
    records: list[dict[str, Any]] = []
    excel_rows: list[int] = []
    for r, row in rows[header_k + 1 :]:
        rec = {key: (row[j] if j < len(row) else None) for j, key in cols.items()}
        if all(is_blank(v) for v in rec.values()):
            continue
        records.append(rec)
        excel_rows.append(r)

    def locate(k: int, key: str) -> str:
        col = letters.get(key) or letters.get("role", "A")
        return f"{ws.title}!{col}{excel_rows[k]}"

    return records, locate
