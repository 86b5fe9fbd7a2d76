"""Excel templates of the radiochemistry tables (yield, logD, stability, PPB, efflux, ITLC).

One workbook per assay: an ``Instructions`` sheet (what each column means, with its unit) and a
``Data`` sheet whose first row holds the column names; the reader checks every cell and names
the cell of each problem (``Data!C5``). Cell ``Instructions!B1`` records the assay, so
:func:`read_radiochem_template` knows which columns it needs.

Examples
--------
>>> import tempfile, pathlib
>>> p = write_radiochem_template(pathlib.Path(tempfile.mkdtemp()) / "logd.xlsx", "logd",
...                              rows=[["A", 1, 1200, 480000, 100, 100]])
>>> t = read_radiochem_template(p)
>>> t.attrs["kind"], float(t.loc[0, "buffer_cpm"])
('logd', 480000.0)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import LayoutError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "TEMPLATE_COLUMNS",
    "is_radiochem_template",
    "read_radiochem_template",
    "write_radiochem_template",
]

_MARK = "assaykit radiochemistry template"

#: assay → (column, meaning, required, type) with type ``text``, ``number`` or ``time``.
TEMPLATE_COLUMNS: dict[str, list[tuple[str, str, bool, str]]] = {
    "yield": [
        ("synthesis", "Synthesis / batch id", True, "text"),
        ("isotope", "Nuclide, e.g. Ga-68, Lu-177, F-18", True, "text"),
        ("start_activity_MBq", "Starting activity (MBq)", True, "number"),
        (
            "start_time",
            "Time the starting activity was measured (start of synthesis)",
            True,
            "time",
        ),
        ("product_activity_MBq", "Product activity (MBq)", True, "number"),
        ("product_time", "Time the product activity was measured", True, "time"),
        (
            "product_amount_nmol",
            "Amount of compound in the product (nmol; gives Am)",
            False,
            "number",
        ),
        ("precursor_amount_nmol", "Precursor used (nmol; gives the apparent Am)", False, "number"),
        ("reference_time", "Time Am is stated at (default: product time)", False, "time"),
    ],
    "logd": [
        ("compound", "Compound", True, "text"),
        ("replicate", "Replicate number", False, "number"),
        ("octanol_cpm", "Counts of the n-octanol aliquot (cpm)", True, "number"),
        ("buffer_cpm", "Counts of the PBS pH 7.4 aliquot (cpm)", True, "number"),
        ("octanol_volume_uL", "Volume of the octanol aliquot (µL)", False, "number"),
        ("buffer_volume_uL", "Volume of the buffer aliquot (µL)", False, "number"),
    ],
    "stability": [
        ("compound", "Compound", True, "text"),
        ("medium", "serum, plasma, PBS, ...", False, "text"),
        ("time_min", "Incubation time (min)", True, "number"),
        ("pct_intact", "Intact compound (% of the radiochromatogram)", True, "number"),
    ],
    "ppb": [
        ("compound", "Compound", True, "text"),
        ("matrix", "human plasma, HSA, ...", False, "text"),
        ("free_cpm", "Counts of the ultrafiltrate (cpm, same volume as total)", True, "number"),
        ("total_cpm", "Counts of the sample before filtration (cpm)", True, "number"),
        (
            "filter_binding_pct",
            "Compound retained by the device without protein (%)",
            False,
            "number",
        ),
    ],
    "efflux": [
        ("compound", "Compound", True, "text"),
        ("time_min", "Time after loading (min)", True, "number"),
        ("replicate", "Well", False, "number"),
        ("medium_cpm", "Medium (externalised) counts", True, "number"),
        ("surface_cpm", "Acid wash (surface-bound) counts", True, "number"),
        ("internal_cpm", "Lysate (internalised) counts", True, "number"),
    ],
    "itlc": [
        ("preparation", "Kit / preparation id", True, "text"),
        ("strip", "1 (free pertechnetate migrates) or 2 (hydrolysed stays)", True, "number"),
        ("top_cpm", "Counts of the top half", True, "number"),
        ("bottom_cpm", "Counts of the bottom half", True, "number"),
    ],
}


def write_radiochem_template(
    path: str | os.PathLike[str],
    kind: str,
    *,
    rows: Sequence[Sequence[Any]] | None = None,
    force: bool = False,
) -> Path:
    """Write the template of ``kind`` (a key of :data:`TEMPLATE_COLUMNS`), optionally filled."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from assaykit.report.output import atomic_path

    if kind not in TEMPLATE_COLUMNS:
        raise LayoutError(f"unknown template {kind!r}; known: {', '.join(TEMPLATE_COLUMNS)}")
    cols = TEMPLATE_COLUMNS[kind]
    wb = Workbook()
    info = wb.active
    info.title = "Instructions"
    info["A1"], info["B1"] = _MARK, kind
    info["A3"] = "Fill the Data sheet, one row per measurement; leave optional columns empty."
    info.append([])
    info.append(["column", "meaning", "required"])
    for c, meaning, req, _ in cols:
        info.append([c, meaning, "yes" if req else "no"])
    info.column_dimensions["A"].width = 26
    info.column_dimensions["B"].width = 70
    data = wb.create_sheet("Data")
    data.append([c for c, *_ in cols])
    for cell in data[1]:
        cell.font = Font(bold=True)
        data.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 2)
    for r in rows or []:
        data.append(list(r))
    target = Path(path)
    with atomic_path(target, force=force) as tmp:
        wb.save(tmp)
    return target


def is_radiochem_template(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a workbook written by :func:`write_radiochem_template`."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True)
        ok = "Instructions" in wb.sheetnames and wb["Instructions"]["A1"].value == _MARK
        wb.close()
        return bool(ok)
    except Exception:  # noqa: BLE001 - not a workbook we wrote
        return False


def read_radiochem_template(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The Data sheet of a filled template, every cell checked (errors name the cell)."""
    import pandas as pd
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    p = Path(path)
    wb = load_workbook(p, data_only=True)
    kind = str(wb["Instructions"]["B1"].value)
    if kind not in TEMPLATE_COLUMNS:
        raise LayoutError(f"Instructions!B1 names no known template ({kind!r})", path=p)
    ws = wb["Data"]
    header = [None if c.value is None else str(c.value).strip() for c in ws[1]]
    spec = {c: (req, typ) for c, _, req, typ in TEMPLATE_COLUMNS[kind]}
    for c, (req, _) in spec.items():
        if req and c not in header:
            raise LayoutError(
                f"the Data sheet has no column {c!r} in row 1", path=p, location="Data!1"
            )
    out: dict[str, list[Any]] = {c: [] for c in header if c in spec}
    for i, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if all(v is None or str(v).strip() == "" for v in row):
            continue
        for j, name in enumerate(header):
            if name not in spec:
                continue
            req, typ = spec[name]
            v = row[j] if j < len(row) else None
            cell = f"Data!{get_column_letter(j + 1)}{i}"
            if v is None or str(v).strip() == "":
                if req:
                    raise LayoutError(f"{name} is empty", path=p, location=cell)
                out[name].append(None)
                continue
            if typ == "number":
                try:
                    v = (
                        float(str(v).replace(",", "."))
                        if not isinstance(v, int | float)
                        else float(v)
                    )
                except ValueError:
                    raise LayoutError(
                        f"{name}: {v!r} is not a number", path=p, location=cell
                    ) from None
                if name.endswith(("_cpm", "_MBq", "_nmol", "_uL")) and v < 0:
                    raise LayoutError(f"{name}: {v:g} is negative", path=p, location=cell)
            elif typ == "time":
                try:
                    v = pd.Timestamp(v)
                except (ValueError, TypeError):
                    raise LayoutError(
                        f"{name}: {v!r} is not a date and time", path=p, location=cell
                    ) from None
            out[name].append(v)
    wb.close()
    if not next(iter(out.values()), []):
        raise LayoutError("the Data sheet has no rows", path=p)
    df = pd.DataFrame(out)
    df.attrs["kind"] = kind
    return df
