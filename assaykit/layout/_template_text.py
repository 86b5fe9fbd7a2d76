"""Text of the template's Instructions sheet, and the example experiments shown on its Example sheet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assaykit.layout._vocab import (
    BINDING_ROLES,
    CONDITIONS,
    FRACTIONS,
    UPTAKE_ROLES,
    check_kind,
    fields_for,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["example_layout", "instructions"]

_ROLE_HELP = {
    "total": "total binding (TB): cells + radioligand, no competitor (100 %)",
    "nsb": "nonspecific binding (NSB): cells + radioligand + a large excess of cold ligand (0 %); "
    "give the blocking compound and its concentration",
    "competitor": "cells + radioligand + competitor at one concentration (compound, concentration and "
    "unit required)",
    "blank": "instrument background (BKG): empty tube or buffer only",
    "standard": "aliquot of the radioligand solution as added (STD / ADDED): total added counts",
    "sample": "a counted fraction of an incubated well (fraction, time and condition required)",
}
_ROLE_HELP_UPTAKE = {
    "blank": "instrument background: empty tube or buffer only",
    "standard": "aliquot of the applied tracer solution (100 % applied activity)",
}
_FRACTION_HELP = {
    "supernatant": "medium + washes (free tracer)",
    "surface": "acid wash (surface-bound tracer)",
    "internalized": "lysate, e.g. 1 M NaOH (internalized tracer)",
}


def instructions(kind: str, plate_size: int) -> list[str]:
    """Lines of the Instructions sheet (column A), blank lines as ``""``."""
    kind = check_kind(kind)
    roles = BINDING_ROLES if kind == "binding" else UPTAKE_ROLES
    title = (
        "competitive radioligand binding" if kind == "binding" else "cell uptake / internalization"
    )
    lines = [
        f"assaykit {kind} template — {title}",
        "",
        "How to fill it in",
        "1. Experiment sheet: fill column B (value) for each field; for concentrations also pick the "
        "unit in column C. Empty fields are allowed unless the analysis needs them.",
        f"2. Plate reader: fill the Wells sheet, one row per used well (the {plate_size} wells of one "
        "plate are listed; leave the role empty for unused wells, add rows for more plates).",
        "   Leave 'plate' empty to apply the map to every plate of the export, or give plate numbers "
        "(1, 2, …) in every row.",
        "3. Gamma counter: fill the Tubes sheet instead, one row per counted tube (rack and position as "
        "in the counter's rack; 'sample' is optional, or use it alone when tubes are identified by a "
        "sample code).",
        "4. Fill either Wells or Tubes, not both. Do not rename the sheets or the header row; extra "
        "columns (e.g. notes) are kept as text.",
        "5. Replicate may be left empty: tubes with the same "
        + (
            "role, compound and concentration"
            if kind == "binding"
            else "role, fraction, time, condition and compound"
        )
        + " are numbered 1, 2, 3 in order.",
        f"6. Check it: assaykit reads the file with 'assaykit {kind} … --layout FILE.xlsx'; any "
        "mistake is reported with the sheet and cell.",
        "",
        "Roles (column 'role')",
    ]
    for r in roles:
        text = (_ROLE_HELP_UPTAKE.get(r) if kind == "uptake" else None) or _ROLE_HELP[r]
        lines.append(f"   {r}: {text}")
    if kind == "binding":
        lines.append("   Also accepted: TB, NSB, BKG, STD, ADDED (read as the roles above).")
    else:
        lines += ["", "Fractions (column 'fraction', samples only)"]
        lines += [f"   {f}: {_FRACTION_HELP[f]}" for f in FRACTIONS]
        lines += [
            "",
            "Conditions (column 'condition')",
            f"   {CONDITIONS[0]}: tracer only (total uptake); {CONDITIONS[1]}: tracer + excess blocking "
            "agent (nonspecific uptake). Other names are allowed (e.g. a reference tracer); "
            "an empty condition of a sample means 'tracer'.",
            "   time (min): incubation time of the well; cells per well and protein mg are optional "
            "per-tube overrides for normalisation.",
        ]
    lines += [
        "",
        "Units",
        "   Concentrations: M, mM, µM (or uM), nM, pM, in the 'unit' column next to the value. "
        "assaykit converts everything to mol/L.",
        "   Numbers may be typed as numbers or text ('1,5' is read as 1.5); wells as A1 or A01.",
        "",
        "Experiment fields",
    ]
    for f in fields_for(kind):
        lines.append(f"   {f.label}: {f.help}")
    lines += [
        "",
        "The Example sheet shows a complete small experiment; it is never read as your data.",
    ]
    return lines


def example_layout(kind: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A complete small example experiment: the layout frame and its experiment dict.

    Binding: FC131 vs [125I]FC131 in tubes (2 blanks, 2 standards, triplicate TB and NSB, 8
    competitor concentrations 1 pM–10 µM in triplicate). Uptake: tracer and blocked wells at 10,
    30 and 60 min, three fractions each in triplicate, plus standards and blanks.

    Examples
    --------
    >>> layout, experiment = example_layout("binding")
    >>> len(layout), sorted(layout["role"].unique()), experiment["isotope"]
    (34, ['blank', 'competitor', 'nsb', 'standard', 'total'], 'I-125')
    >>> layout, experiment = example_layout("uptake")
    >>> len(layout), experiment["tracer"]
    (59, '[125I]CPCR4.3')
    """
    import pandas as pd

    from assaykit.layout import experiment_from_dict, layout_from_frame

    kind = check_kind(kind)
    experiment = {f.key: f.example for f in fields_for(kind)}
    for f in fields_for(kind):
        if f.kind == "conc" and f.example is not None:
            experiment[f.key] = (f.example, f.unit)
    rows: list[dict[str, Any]] = []
    if kind == "binding":
        rows += [{"role": "blank"}] * 2 + [{"role": "standard"}] * 2 + [{"role": "total"}] * 3
        rows += [{"role": "nsb", "compound": "FC131", "concentration": 1, "unit": "µM"}] * 3
        for exp10 in range(-12, -4):
            value, unit = {-12: (1, "pM"), -11: (10, "pM"), -10: (100, "pM"), -9: (1, "nM")}.get(
                exp10, (10 ** (exp10 + 9), "nM") if exp10 <= -7 else (10 ** (exp10 + 6), "µM")
            )
            rows += [
                {"role": "competitor", "compound": "FC131", "concentration": value, "unit": unit}
            ] * 3
    else:
        rows += [{"role": "blank"}] * 2 + [{"role": "standard"}] * 3
        for condition in ("tracer", "blocked"):
            for t in (10, 30, 60):
                for fraction in FRACTIONS:
                    rows += [
                        {
                            "role": "sample",
                            "fraction": fraction,
                            "time_min": t,
                            "condition": condition,
                            "compound": "CPCR4.3",
                        }
                    ] * 3
    frame = pd.DataFrame(rows)
    frame.insert(0, "rack", [i // 10 + 1 for i in range(len(frame))])
    frame.insert(1, "position", [i % 10 + 1 for i in range(len(frame))])
    exp = experiment_from_dict(experiment, kind)
    return layout_from_frame(frame, kind=kind, experiment=exp), exp
