"""Kinetics template: write → read round trip, cell-named errors, the bundled example end to end."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from assaykit.datasets import example_path
from assaykit.errors import LayoutError, OutputError
from assaykit.layout.kinetics import (
    annotate_kinetics,
    read_kinetics_layout,
    write_kinetics_template,
)


def _edit(path, sheet, cell, value):
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)


def test_blank_template_has_the_sheets_and_refuses_to_overwrite(tmp_path):
    p = write_kinetics_template(tmp_path / "k.xlsx")
    assert openpyxl.load_workbook(p).sheetnames == ["Instructions", "Experiment", "Tubes", "Lists"]
    with pytest.raises(OutputError, match="exists; use --force"):  # one line, not a traceback
        write_kinetics_template(p)
    with pytest.raises(LayoutError, match="no tube rows"):
        read_kinetics_layout(p)


def test_round_trip_converts_units_to_minutes_and_molar(tmp_path):
    tubes = pd.DataFrame(
        {
            "rack": [1, 1, 1],
            "position": [1, 2, 3],
            "role": ["total", "nsb", "blank"],
            "kind": ["dissociation", "association", None],
            "time": [90, 2, None],
            "time unit": ["s", "h", None],
            "radioligand conc": [500, 1, None],
            "conc unit": ["pM", "nM", None],
            "competitor conc": [10, 0, None],
            "competitor unit": ["nM", "nM", None],
            "curve": ["A", "A", None],
        }
    )
    exp = {
        "isotope": "68Ga",
        "reference_time": pd.Timestamp("2026-03-12 10:00"),
        "model": "association_dissociation",
        "dissociation_start": 1,
        "equilibrium_kd": 2,
    }
    p = write_kinetics_template(tmp_path / "k.xlsx", tubes=tubes, experiment=exp)
    got, e = read_kinetics_layout(p)
    assert got["time_min"].tolist()[:2] == [1.5, 120.0]
    assert got["conc_M"].tolist()[:2] == pytest.approx([5e-10, 1e-9])
    assert got["competitor_conc_M"].tolist()[0] == pytest.approx(1e-8)
    assert got["kind"].tolist()[:2] == ["dissociation", "association"]
    assert e["isotope"] == "Ga-68" and e["dissociation_start_min"] == 1.0
    assert e["equilibrium_kd_M"] == pytest.approx(2e-9)
    assert e["reference_time"] == pd.Timestamp("2026-03-12 10:00")


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "match"),
    [
        ("Tubes", "C4", "totl", r"Tubes!C4: role must be one of"),
        ("Tubes", "F4", "minutes please", r"Tubes!F4"),
        ("Tubes", "E4", -3, r"Tubes!E4: time must be ≥ 0"),
        ("Tubes", "G4", 0, r"Tubes!G4: radioligand conc must be > 0"),
        ("Tubes", "B5", 3, r"Tubes!B5: rack 1 position 3 is listed twice"),
        ("Experiment", "B8", "two-phase", r"Experiment!B8: model must be one of"),
        ("Experiment", "A10", "equilibrium Kb", r"Experiment!A10: unknown experiment field"),
    ],
)
def test_errors_name_the_file_and_cell(tmp_path, sheet, cell, value, match):
    p = write_kinetics_template(tmp_path / "k.xlsx", example=True)
    _edit(p, sheet, cell, value)
    with pytest.raises(LayoutError, match=match) as err:
        read_kinetics_layout(p)
    assert "k.xlsx" in str(err.value)


def test_annotate_requires_every_layout_tube_counted():
    tubes = pd.DataFrame({"rack": [1, 1], "position": [1, 2], "role": ["total", "nsb"]})
    counts = pd.DataFrame(
        {
            "rack": [1],
            "position": [1],
            "measured_at": [pd.Timestamp(0)],
            "count_time_s": [60.0],
            "counts": [10],
        }
    )
    with pytest.raises(LayoutError, match="1/2"):
        annotate_kinetics(counts, tubes)


def test_bundled_example_recovers_the_simulated_truth():
    from assaykit.binding.kinetics_analysis import analyze_kinetics
    from assaykit.datasets.kinetics.make_example import TRUE
    from assaykit.io import read_export

    counts = read_export(example_path("kinetics", "kinetics_wizard2.csv"))
    tubes, exp = read_kinetics_layout(example_path("kinetics", "kinetics_layout.xlsx"))
    res = analyze_kinetics(
        annotate_kinetics(counts, tubes),
        model=exp["model"],
        reference_time=exp["reference_time"],
        isotope=exp["isotope"],
        equilibrium_kd_M=exp["equilibrium_kd_M"],
    )
    row = res.main_table.iloc[0]
    assert row["status"] == "ok"
    for col in ("kon_per_M_min", "koff_per_min", "kd_M"):
        assert row[col + "_ci_low"] <= TRUE[col] <= row[col + "_ci_high"], col
