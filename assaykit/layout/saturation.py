"""Saturation-binding layouts: the Excel template, its reader, and counts → the fit's tube table.

A saturation experiment in a gamma counter is a list of tubes, each with a role:

``total``
    cells + radioligand at one concentration (total binding);
``nsb``
    the same with an excess of unlabelled ligand (nonspecific binding);
``standard``
    an aliquot of the radioligand added at one concentration (added counts; gives the fraction
    bound and so the free concentration);
``blank``
    an empty tube (counter background).

The template (:func:`write_saturation_template`) has an **Experiment** sheet (field / value /
unit: radioligand, isotope, molar activity and the time it refers to, counter efficiency,
cells and protein per tube, incubation volume) and a **Tubes** sheet (rack, position, role,
concentration, unit, replicate). :func:`read_saturation_layout` reads it back and names the cell
of every problem; :func:`saturation_data` joins it with a counter export
(:func:`assaykit.io.read_export`) into the tube table that
:func:`assaykit.binding.saturation.fit_saturation` takes.
"""

from __future__ import annotations

import difflib
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from assaykit.binding.saturation import RadioligandSetup
from assaykit.errors import LayoutError, SchemaError
from assaykit.units import CONC_UNITS, Dimension, UnitError, parse_quantity

__all__ = [
    "EXPERIMENT_FIELDS",
    "ROLES",
    "read_saturation_layout",
    "saturation_data",
    "setup_from_experiment",
    "write_saturation_template",
]

#: Tube roles of a saturation experiment.
ROLES: tuple[str, ...] = ("total", "nsb", "standard", "blank")
_ROLE_SYNONYMS = {
    "tb": "total",
    "total binding": "total",
    "ns": "nsb",
    "nonspecific": "nsb",
    "std": "standard",
    "added": "standard",
    "bkg": "blank",
    "background": "blank",
}
TUBE_COLUMNS: tuple[str, ...] = ("Rack", "Position", "Role", "Conc", "Unit", "Replicate")


@dataclass(frozen=True)
class _Field:
    key: str
    label: str
    kind: str  # text | number | fraction | time | a units.Dimension
    unit: str = ""
    help: str = ""


#: The Experiment sheet's fields (key in ``attrs["experiment"]``, label, kind, default unit).
EXPERIMENT_FIELDS: tuple[_Field, ...] = (
    _Field("experiment_id", "Experiment ID", "text"),
    _Field("date", "Date", "text"),
    _Field("radioligand", "Radioligand", "text", help="e.g. [125I]FC131"),
    _Field("isotope", "Isotope", "text", help="e.g. I-125, Ga-68"),
    _Field(
        "molar_activity",
        "Molar activity",
        "molar_activity",
        "GBq/µmol",
        help="at the reference time below; e.g. 81.4 GBq/µmol = 2200 Ci/mmol",
    ),
    _Field(
        "molar_activity_time",
        "Molar activity reference time",
        "time",
        help="YYYY-MM-DD HH:MM; counts are decay-corrected to it",
    ),
    _Field("efficiency", "Counter efficiency", "fraction", help="cpm per dpm, 0-1"),
    _Field("cells_per_tube", "Cells per tube", "number"),
    _Field("protein_per_tube", "Protein per tube", "mass", "mg"),
    _Field("volume", "Incubation volume", "volume", "µL"),
    _Field("nsb_compound", "NSB compound", "text", help="unlabelled ligand in excess"),
    _Field("operator", "Operator", "text"),
    _Field("notes", "Notes", "text"),
)
_BY_LABEL = {f.label.lower(): f for f in EXPERIMENT_FIELDS} | {f.key: f for f in EXPERIMENT_FIELDS}


def _blank(v: object) -> bool:
    return (
        v is None
        or (isinstance(v, float) and math.isnan(v))
        or (isinstance(v, str) and not v.strip())
    )


def write_saturation_template(
    path: str | os.PathLike[str],
    *,
    tubes: pd.DataFrame | None = None,
    experiment: dict[str, Any] | None = None,
    force: bool = False,
) -> Path:
    """Write the saturation template workbook (optionally filled) to ``path``.

    Parameters
    ----------
    path
        Output ``.xlsx``.
    tubes
        Optional rows for the Tubes sheet: ``rack, position, role, conc, unit, replicate``.
    experiment
        Optional values of the Experiment sheet by field key (:data:`EXPERIMENT_FIELDS`);
        a value may be ``(number, unit)``.
    force
        Overwrite an existing file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = write_saturation_template(pathlib.Path(tempfile.mkdtemp()) / "sat.xlsx")
    >>> import openpyxl
    >>> openpyxl.load_workbook(p).sheetnames
    ['Instructions', 'Experiment', 'Tubes', 'Lists']
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    out = Path(path)
    wb = Workbook()
    ins = wb.active
    ins.title = "Instructions"
    for i, line in enumerate(
        [
            "assaykit saturation template",
            "Experiment: one value per field (units in column C; change them from the list).",
            "Tubes: one row per counted tube: rack, position, role (total, nsb, standard, blank),",
            "radioligand concentration + unit (not for blanks), replicate number.",
            "standard = an aliquot of the radioligand added at that concentration (added counts).",
            "Counts are net of the blanks and decay-corrected to the molar activity's reference time.",
        ],
        start=1,
    ):
        ins.cell(row=i, column=1, value=line)
    ins["A1"].font = Font(bold=True)
    exp = wb.create_sheet("Experiment")
    exp.append(["saturation experiment"])
    exp.append(["Field", "Value", "Unit", "Help"])
    for c in "ABCD":
        exp[f"{c}2"].font = Font(bold=True)
    given = experiment or {}
    for f in EXPERIMENT_FIELDS:
        v = given.get(f.key)
        unit = f.unit
        if isinstance(v, tuple):
            v, unit = v
        if isinstance(v, pd.Timestamp):
            v = v.strftime("%Y-%m-%d %H:%M")
        exp.append([f.label, v, unit, f.help])
    tub = wb.create_sheet("Tubes")
    tub.append(list(TUBE_COLUMNS))
    for c in "ABCDEF":
        tub[f"{c}1"].font = Font(bold=True)
    if tubes is not None:
        for _, r in tubes.iterrows():
            conc = r.get("conc")
            conc = None if _blank(conc) else float(cast(float, conc))
            tub.append(
                [
                    int(r["rack"]),
                    int(r["position"]),
                    str(r["role"]),
                    conc,
                    r.get("unit") if conc is not None else None,
                    None if _blank(r.get("replicate")) else int(r["replicate"]),
                ]
            )
    lists = wb.create_sheet("Lists")
    lists.append(["Role", "Conc unit"])
    units = [u for u in CONC_UNITS if u != "fM"]
    for i in range(max(len(ROLES), len(units))):
        lists.append([ROLES[i] if i < len(ROLES) else None, units[i] if i < len(units) else None])
    dv = DataValidation(type="list", formula1=f"=Lists!$A$2:$A${len(ROLES) + 1}", allow_blank=True)
    dv.error, dv.errorTitle = "role: total, nsb, standard or blank", "Unknown role"
    tub.add_data_validation(dv)
    dv.add("C2:C500")
    du = DataValidation(type="list", formula1=f"=Lists!$B$2:$B${len(units) + 1}", allow_blank=True)
    tub.add_data_validation(du)
    du.add("E2:E500")
    tub.freeze_panes = "A2"
    for col, width in zip("ABCDEF", (7, 9, 11, 10, 7, 10), strict=True):
        tub.column_dimensions[col].width = width
    exp.column_dimensions["A"].width = 32
    exp.column_dimensions["D"].width = 55
    from assaykit.report.output import atomic_path

    with atomic_path(out, force=force) as tmp:  # the one safe writer (refusals, --force, signals)
        wb.save(tmp)
    return out


def _experiment(ws: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
        row = list(row) + [None, None, None]
        label, value, unit = row[0], row[1], row[2]
        if _blank(label) or str(label).strip().lower() in ("field", "saturation experiment"):
            continue
        key = str(label).strip().lower()
        f = _BY_LABEL.get(key)
        if f is None:
            hint = difflib.get_close_matches(key, list(_BY_LABEL), n=1, cutoff=0.7)
            more = f" (did you mean {_BY_LABEL[hint[0]].label!r}?)" if hint else ""
            raise LayoutError(
                f"unknown experiment field {label!r}{more}", location=f"{ws.title}!A{i}"
            )
        if _blank(value):
            continue
        cell = f"{ws.title}!B{i}"
        try:
            out.update(_parse_field(f, value, unit))
        except (UnitError, ValueError, TypeError) as err:
            raise LayoutError(f"{f.label}: {err}", location=cell) from None
    return out


def _parse_field(f: _Field, value: object, unit: object) -> dict[str, Any]:
    if f.kind == "text":
        return {f.key: str(value).strip()}
    if f.kind == "time":
        ts = pd.Timestamp(value)  # type: ignore[arg-type]
        return {f.key: ts}
    if f.kind in ("number", "fraction"):
        v = float(value)  # type: ignore[arg-type]
        if not v > 0 or (f.kind == "fraction" and v > 1):
            raise ValueError(
                f"expected {'a fraction in (0, 1]' if f.kind == 'fraction' else 'a number > 0'}, got {value!r}"
            )
        return {f.key: v}
    u = str(unit).strip() if not _blank(unit) else f.unit
    base = {"molar_activity": "GBq/µmol", "mass": "mg", "volume": "L"}[f.kind]
    suffix = {"molar_activity": "_GBq_per_umol", "mass": "_mg", "volume": "_L"}[f.kind]
    q = parse_quantity(
        value if isinstance(value, str) else float(cast(float, value)),
        cast(Dimension, f.kind),
        base=base,
        default_unit=u,
        what=f.label,
    )
    if q is None or not q > 0:
        raise ValueError(f"expected a positive quantity, got {value!r}")
    return {f.key + suffix: q}


def read_saturation_layout(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a filled saturation template: one row per tube, the experiment in ``attrs``.

    Returns
    -------
    pandas.DataFrame
        ``rack, position, role, conc_M, replicate``; ``attrs["experiment"]`` holds the
        Experiment sheet (``molar_activity_GBq_per_umol``, ``molar_activity_time``,
        ``efficiency``, ``cells_per_tube``, ``protein_per_tube_mg``, ``volume_L``, ...),
        ``attrs["kind"] == "saturation"``.

    Raises
    ------
    LayoutError
        Naming the file and cell: unknown role or unit, a concentration missing (total, nsb,
        standard) or given for a blank, a tube listed twice, no total tubes.
    """
    from assaykit.io._xlsx import load_workbook_safely

    p = Path(path)
    wb = load_workbook_safely(p, read_only=False, data_only=True)
    try:
        names = {ws.title.strip().lower(): ws for ws in wb.worksheets}
        if "tubes" not in names:
            raise LayoutError(
                f"no 'Tubes' sheet (sheets: {', '.join(wb.sheetnames)}); write a template with "
                "write_saturation_template()",
                path=p,
            )
        try:
            experiment = _experiment(names["experiment"]) if "experiment" in names else {}
            tubes = _tubes(names["tubes"])
        except LayoutError as err:
            raise LayoutError(err.message, path=p, location=err.location) from None
    finally:
        wb.close()
    tubes.attrs["experiment"] = experiment
    tubes.attrs["kind"] = "saturation"
    tubes.attrs["layout_path"] = str(p)
    return tubes


def _tubes(ws: Any) -> pd.DataFrame:
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    if not rows:
        raise LayoutError("the Tubes sheet is empty", location=f"{ws.title}!A1")
    header = [str(c).strip().lower() if not _blank(c) else "" for c in rows[0]]
    col = {h: j for j, h in enumerate(header) if h}
    for need in ("rack", "position", "role", "conc", "unit"):
        if need not in col:
            raise LayoutError(
                f"the Tubes header lacks column {need.title()!r}", location=f"{ws.title}!A1"
            )
    letter = {h: "ABCDEFGHIJKLMNOP"[j] for h, j in col.items()}
    out = []
    seen: dict[tuple[int, int], int] = {}
    for i, row in enumerate(rows[1:], start=2):
        row = row + [None] * len(header)

        def get(h: str, row: list[object] = row) -> object:
            return row[col[h]] if h in col else None

        if all(_blank(get(h)) for h in col):
            continue
        where = f"{ws.title}!{{}}{i}"
        role_raw = get("role")
        if _blank(role_raw):
            raise LayoutError("role missing", location=where.format(letter["role"]))
        role = str(role_raw).strip().lower()
        role = _ROLE_SYNONYMS.get(role, role)
        if role not in ROLES:
            hint = difflib.get_close_matches(role, list(ROLES), n=1)
            more = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise LayoutError(
                f"unknown role {role_raw!r}{more}; use {', '.join(ROLES)}",
                location=where.format(letter["role"]),
            )
        try:
            rack, pos = int(get("rack")), int(get("position"))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            raise LayoutError(
                "rack and position must be whole numbers", location=where.format(letter["rack"])
            ) from None
        if (rack, pos) in seen:
            raise LayoutError(
                f"rack {rack} position {pos} is listed twice (first in row {seen[rack, pos]})",
                location=where.format(letter["position"]),
            )
        seen[rack, pos] = i
        conc, unit = get("conc"), get("unit")
        conc_m = math.nan
        if role == "blank":
            if not _blank(conc):
                raise LayoutError(
                    "a blank tube has no radioligand concentration; clear it",
                    location=where.format(letter["conc"]),
                )
        else:
            if _blank(conc):
                raise LayoutError(
                    f"a {role} tube needs its radioligand concentration",
                    location=where.format(letter["conc"]),
                )
            if _blank(unit) and not isinstance(conc, str):
                raise LayoutError(
                    "the concentration needs a unit (nM, pM, M, ...)",
                    location=where.format(letter["unit"]),
                )
            try:
                v = parse_quantity(
                    conc if isinstance(conc, str) else float(conc),  # type: ignore[arg-type]
                    "concentration",
                    default_unit=None if _blank(unit) else str(unit),
                    what="concentration",
                )
            except (UnitError, ValueError) as err:
                raise LayoutError(str(err), location=where.format(letter["unit"])) from None
            if v is None or not v > 0:
                raise LayoutError(
                    f"concentration must be > 0, got {conc!r}",
                    location=where.format(letter["conc"]),
                )
            conc_m = v
        rep = get("replicate")
        out.append(
            {
                "rack": rack,
                "position": pos,
                "role": role,
                "conc_M": conc_m,
                "replicate": None if _blank(rep) else int(cast(int, rep)),
            }
        )
    df = pd.DataFrame(out, columns=["rack", "position", "role", "conc_M", "replicate"])
    if not (df["role"] == "total").any():
        raise LayoutError("no tube has role 'total'", location=f"{ws.title}!C2")
    df["replicate"] = df["replicate"].astype("Int64")
    return df


def setup_from_experiment(experiment: dict[str, Any]) -> RadioligandSetup:
    """The :class:`~assaykit.binding.saturation.RadioligandSetup` an Experiment sheet describes."""
    return RadioligandSetup(
        efficiency=experiment.get("efficiency"),
        molar_activity_GBq_per_umol=experiment.get("molar_activity_GBq_per_umol"),
        volume_L=experiment.get("volume_L"),
        cells_per_tube=experiment.get("cells_per_tube"),
        protein_mg_per_tube=experiment.get("protein_per_tube_mg"),
    )


def saturation_data(counts: pd.DataFrame, layout: pd.DataFrame) -> pd.DataFrame:
    """An annotated counter table → the tubes ``fit_saturation`` takes (pure).

    Net cpm = cpm − mean cpm of the blank tubes; with an isotope, a molar-activity reference
    time and count time stamps (``measured_at``) the net cpm are decay-corrected to that time
    (:func:`assaykit.counting.decay_correct`). Standards at each concentration give
    ``added_cpm`` (their mean) for every total/nsb tube at that concentration.

    Parameters
    ----------
    counts
        A counter export (:func:`assaykit.io.read_export`): ``rack, position, cpm`` and
        optionally ``measured_at``, ``count_time_s``.
    layout
        :func:`read_saturation_layout`'s frame.

    Returns
    -------
    pandas.DataFrame
        ``rack, position, kind, conc_M, response`` (net cpm), ``added_cpm`` (NaN without
        standards), ``replicate``; ``attrs``: ``experiment``, ``background_cpm``,
        ``decay_corrected`` (bool).
    """
    from assaykit.counting import decay_correct

    for need in ("rack", "position", "cpm"):
        if need not in counts.columns:
            raise SchemaError(
                f"the counter table has no {need!r} column (columns: {', '.join(map(str, counts.columns))})"
            )
    c = counts.copy()
    c["rack"] = pd.to_numeric(c["rack"], errors="coerce").astype("Int64")
    c["position"] = pd.to_numeric(c["position"], errors="coerce").astype("Int64")
    lay = layout.copy()
    lay["rack"] = lay["rack"].astype("Int64")
    lay["position"] = lay["position"].astype("Int64")
    m = lay.merge(c, on=["rack", "position"], how="left", validate="one_to_one", indicator=True)
    missing = m[m["_merge"] != "both"]
    if len(missing):
        names = ", ".join(
            f"rack {r} pos {p}" for r, p in zip(missing["rack"], missing["position"], strict=True)
        )
        raise LayoutError(f"the layout lists tubes the export lacks: {names[:200]}")
    exp = dict(layout.attrs.get("experiment", {}))
    blanks = m.loc[m["role"] == "blank", "cpm"].astype(float)
    bkg = float(blanks.mean()) if len(blanks) else 0.0
    net = m["cpm"].astype(float) - bkg
    corrected = False
    iso, t_ref = exp.get("isotope"), exp.get("molar_activity_time")
    if iso and t_ref is not None and "measured_at" in m.columns and m["measured_at"].notna().all():
        ct = m["count_time_s"] if "count_time_s" in m.columns else None
        net = pd.Series(
            decay_correct(
                net.to_numpy(float),
                m["measured_at"],
                pd.Timestamp(t_ref),
                iso,
                count_time_s=None if ct is None else ct.to_numpy(float),
            ),
            index=m.index,
        )
        corrected = True
    m["response"] = net
    std = m[m["role"] == "standard"].groupby("conc_M")["response"].mean()
    body = m[m["role"].isin(["total", "nsb"])].copy()
    body["added_cpm"] = body["conc_M"].map(std).astype(float) if len(std) else np.nan
    out = body.rename(columns={"role": "kind"})[
        ["rack", "position", "kind", "conc_M", "response", "added_cpm", "replicate"]
    ].reset_index(drop=True)
    out.attrs = {"experiment": exp, "background_cpm": bkg, "decay_corrected": corrected}
    return out
