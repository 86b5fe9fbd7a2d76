"""Writing the biodistribution template (blank or filled); read it with
:func:`assaykit.layout.biodistribution.read_biodistribution_layout`."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

from assaykit.errors import LayoutError
from assaykit.layout.biodistribution import (
    _ACTIVITY_UNITS,
    _TIME_UNITS,
    ANIMAL_COLUMNS,
    EXPERIMENT_FIELDS,
    TUBE_COLUMNS,
    TUBE_ROLES,
    BiodistributionLayout,
    _blank,
)

__all__ = ["example", "example_layout", "write_biodistribution_template", "write_template"]


# ----------------------------------------------------------------------------------------------
# writing the template


def _cell(v: object) -> object:
    import pandas as pd

    from assaykit.report.output import neutralise_formula

    if _blank(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if hasattr(v, "item"):
        v = v.item()
    return neutralise_formula(v) if isinstance(v, str) else v


def _template_frames(
    lay: BiodistributionLayout,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    animals: list[dict[str, Any]] = []
    for rec in lay.animals.to_dict("records"):
        r: dict[str, Any] = {str(k): v for k, v in rec.items()}
        t: Any = r.get("time_pi_min")
        unit = (
            "h" if t is not None and not _blank(t) and t >= 60 and (t / 60).is_integer() else "min"
        )
        row = dict(r, time_pi=None if _blank(t) else (t / 60 if unit == "h" else t), time_unit=unit)
        if not _blank(r.get("syringe_full_Bq")):
            row.update(
                activity_unit="MBq",
                syringe_full=r["syringe_full_Bq"] / 1e6,
                syringe_empty=r["syringe_empty_Bq"] / 1e6,
            )
        animals.append(row)
    return animals, [{str(k): v for k, v in rec.items()} for rec in lay.tubes.to_dict("records")]


def write_template(
    path: str | os.PathLike[str],
    layout: BiodistributionLayout | None = None,
    *,
    force: bool = False,
) -> Path:
    """See :func:`assaykit.layout.biodistribution.write_biodistribution_template`."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    from assaykit.layout._vocab import ISOTOPES
    from assaykit.report.output import atomic_path

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise LayoutError(f"a template must be written to an .xlsx file, got {target.name!r}")
    wb = Workbook()
    ws = wb.active
    ws.title = "Instructions"
    for i, line in enumerate(_INSTRUCTIONS, start=1):
        ws.cell(row=i, column=1, value=line or None)
    ws.column_dimensions["A"].width = 120
    head = PatternFill("solid", fgColor="DDEBF7")
    lists = wb.create_sheet("Lists")
    refs = {}
    for j, (name, values) in enumerate(
        (
            ("role", TUBE_ROLES),
            ("time unit", _TIME_UNITS),
            ("activity unit", _ACTIVITY_UNITS),
            ("isotope", ISOTOPES),
            ("sex", ("female", "male")),
        ),
        start=1,
    ):
        lists.cell(row=1, column=j, value=name)
        for i, v in enumerate(values, start=2):
            lists.cell(row=i, column=j, value=v)
        col = chr(64 + j)
        refs[name] = f"Lists!${col}$2:${col}${len(values) + 1}"
    lists.sheet_state = "hidden"

    def drop(sheet: Any, ref: str, sq: str) -> None:
        dv = DataValidation(type="list", formula1=ref, allow_blank=True)
        dv.showErrorMessage = True
        dv.error = "Pick a value from the list (see Instructions)."
        dv.add(sq)
        sheet.add_data_validation(dv)

    exp_ws = wb.create_sheet("Experiment", 1)
    exp_ws.cell(row=1, column=1, value="assaykit biodistribution experiment").font = Font(
        bold=True, size=13
    )
    for j, h in enumerate(("field", "value", "unit", "explanation"), start=1):
        exp_ws.cell(row=3, column=j, value=h).font = Font(bold=True)
        exp_ws.cell(row=3, column=j).fill = head
    exp = layout.experiment if layout is not None else {}
    for r, (key, label, kind, help_) in enumerate(EXPERIMENT_FIELDS, start=4):
        exp_ws.cell(row=r, column=1, value=label)
        c = exp_ws.cell(row=r, column=2, value=_cell(exp.get(key)))
        if kind == "datetime":
            c.number_format = "yyyy-mm-dd hh:mm"
        exp_ws.cell(row=r, column=4, value=help_)
        if kind == "isotope":
            drop(exp_ws, refs["isotope"], f"B{r}")
    for col, width in (("A", 22), ("B", 24), ("C", 8), ("D", 90)):
        exp_ws.column_dimensions[col].width = width
    animals, tubes = _template_frames(layout) if layout is not None else ([], [])
    for name, columns, rows in (
        ("Animals", ANIMAL_COLUMNS, animals),
        ("Tubes", TUBE_COLUMNS, tubes),
    ):
        sh = wb.create_sheet(name, 2 if name == "Animals" else 3)
        for j, (key, header, kind) in enumerate(columns, start=1):
            c = sh.cell(row=1, column=j, value=header)
            c.font, c.fill = Font(bold=True), head
            sh.column_dimensions[chr(64 + j)].width = max(10, len(header) + 2)
            for i, rec in enumerate(rows, start=2):
                cell = sh.cell(row=i, column=j, value=_cell(rec.get(key)))
                if kind == "datetime":
                    cell.number_format = "yyyy-mm-dd hh:mm"
            sq = f"{chr(64 + j)}2:{chr(64 + j)}2000"
            if kind in ("role", "time_unit", "activity_unit"):
                drop(sh, refs[kind.replace("_", " ")], sq)
            elif key == "sex":
                drop(sh, refs["sex"], sq)
        sh.freeze_panes = "A2"
    wb.active = 1
    wb.properties.created = wb.properties.modified = _dt.datetime(2000, 1, 1)
    wb.properties.creator = "assaykit"
    with atomic_path(target, force=force) as tmp:
        wb.save(tmp)
    return target


_INSTRUCTIONS: tuple[str, ...] = (
    "assaykit biodistribution template",
    "",
    "Experiment: tracer, isotope, injection route, reference time (optional), counting efficiency "
    "(only when doses come from a dose calibrator), tumor organ name (default 'tumor').",
    "Animals: one row per animal. time p.i. + time unit (min, h, d); body weight in g (for SUV). "
    "ARRIVE 2.0 fields (sex, strain, species, age) are optional but recommended.",
    "  Dose from a dose calibrator: activity unit, syringe full + its measurement time, syringe "
    "empty + its measurement time (each is decay-corrected from its own time).",
    "  Dose from injectate standards: leave the syringe columns empty and count standard tubes "
    "(role 'standard', dilution factor = injected / standard, e.g. 100 for a 1 % standard).",
    "  A standard tube with an animal applies to that animal only; without one, to every animal "
    "that has no dose calibrator readings.",
    "  excluded (reason): animals with a reason are left out of the group summaries (and listed).",
    "Tubes: one row per counted tube, keyed by rack + position as on the counter. role: tissue, "
    "tail, blank, standard. Tissue tubes need animal + organ; the tail tube of an animal is "
    "subtracted from its dose.",
    "  tare (g) and filled (g): organ mass = filled - tare. An organ split over several tubes is "
    "summed. Tube id links the tube to a balance export.",
)


def example() -> BiodistributionLayout:
    """A small complete layout (two animals per group, two organs) used by the docs."""
    import pandas as pd

    inj = pd.Timestamp("2026-03-10 09:00")
    animals = [
        {
            "animal": f"M{k}",
            "group": g,
            "time_pi": 1,
            "time_unit": "h",
            "body_weight_g": w,
            "sex": "female",
            "strain": "CB17-SCID",
            "species": "Mus musculus",
            "injection_time": inj + pd.Timedelta(minutes=3 * k),
        }
        for k, (g, w) in enumerate(
            (("control", 20.1), ("control", 19.8), ("blocked", 20.5), ("blocked", 21.0)), start=1
        )
    ]
    tubes: list[dict[str, Any]] = [{"role": "blank"}, {"role": "standard", "dilution_factor": 100}]
    for a in animals:
        for organ, m in (("tumor", 0.21), ("muscle", 0.12), ("tail", 0.0)):
            t = {
                "role": "tail" if organ == "tail" else "tissue",
                "animal": a["animal"],
                "organ": organ,
            }
            if organ != "tail":
                t.update(tare_g=1.0, filled_g=1.0 + m)
            tubes.append(t)
    for i, t in enumerate(tubes):
        t.update(rack=i // 10 + 1, position=i % 10 + 1)
    from assaykit.layout.biodistribution import biodistribution_layout

    return biodistribution_layout(
        {"isotope": "Ga-68", "tracer": "[68Ga]Ga-Pentixafor"}, animals, tubes
    )


def write_biodistribution_template(
    path: str | os.PathLike[str],
    layout: BiodistributionLayout | None = None,
    *,
    force: bool = False,
) -> Path:
    """Write the blank template, or a filled one from ``layout`` (read back unchanged).

    Sheets: Instructions, Experiment, Animals, Tubes, Lists (hidden drop-down lists); the file
    is written atomically and an existing one is replaced only with ``force``.
    """
    return write_template(path, layout, force=force)


def example_layout() -> BiodistributionLayout:
    """A small complete layout (two animals per group, two organs and the tail) for the docs."""
    return example()
