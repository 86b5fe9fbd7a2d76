"""The biodistribution template: round trip, typed frames, and errors that name the cell."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from assaykit.errors import LayoutError
from assaykit.layout.biodistribution import (
    biodistribution_layout,
    merge_balance_weights,
    read_biodistribution_layout,
)
from assaykit.layout.biodistribution_template import example_layout, write_biodistribution_template


def test_blank_template_has_the_sheets_and_cannot_be_overwritten(tmp_path: Path) -> None:
    p = write_biodistribution_template(tmp_path / "blank.xlsx")
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == ["Instructions", "Experiment", "Animals", "Tubes", "Lists"]
    headers = [c.value for c in wb["Tubes"][1]]
    assert headers[:4] == ["rack", "position", "tube id", "role"]
    assert "syringe full time" in [c.value for c in wb["Animals"][1]]
    with pytest.raises(Exception, match="exists"):
        write_biodistribution_template(p)
    with pytest.raises(LayoutError, match="blank.xlsx: the Animals sheet has no row"):
        read_biodistribution_layout(p)


def test_filled_template_round_trip(tmp_path: Path) -> None:
    lay = example_layout()
    p = write_biodistribution_template(tmp_path / "f.xlsx", lay)
    back = read_biodistribution_layout(p)
    pd.testing.assert_frame_equal(back.animals, lay.animals, check_dtype=False)
    pd.testing.assert_frame_equal(back.tubes, lay.tubes, check_dtype=False)
    assert back.experiment["isotope"] == "Ga-68" and back.path == str(p)


def test_units_are_converted() -> None:
    lay = biodistribution_layout(
        {"isotope": "[177Lu]", "efficiency": 0.6},
        [
            {
                "animal": "M1",
                "time_pi": 2,
                "time_unit": "d",
                "activity_unit": "µCi",
                "syringe_full": 100,
                "syringe_full_time": "2026-03-10 09:00",
                "syringe_empty": 10,
                "syringe_empty_time": "2026-03-10 09:05",
            }
        ],
        [{"rack": 1, "position": 1, "role": "tail", "animal": "M1"}],
    )
    a = lay.animals.iloc[0]
    assert lay.experiment["isotope"] == "Lu-177"
    assert a["time_pi_min"] == 2880.0
    assert a["syringe_full_Bq"] == pytest.approx(3.7e6) and a["syringe_empty_Bq"] == pytest.approx(
        3.7e5
    )
    assert a["syringe_empty_time"] == pd.Timestamp("2026-03-10 09:05")
    assert lay.tubes.iloc[0]["organ"] == "tail"


def _edit(tmp_path: Path, sheet: str, cell: str, value: object) -> Path:
    p = write_biodistribution_template(tmp_path / "f.xlsx", example_layout(), force=True)
    wb = openpyxl.load_workbook(p)
    wb[sheet][cell] = value
    wb.save(p)
    return p


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "where", "what"),
    [
        ("Animals", "A3", "M1", "Animals!A3", "listed twice"),
        ("Animals", "D2", "fortnights", "Animals!D2", "unknown unit"),
        ("Animals", "C3", None, "Animals!C3", "needs its time p.i."),
        ("Animals", "E2", "heavy", "Animals!E2", "a number"),
        ("Tubes", "D4", "organ-ish", "Tubes!D4", "one of tissue, tail, blank, standard"),
        ("Tubes", "E4", "M77", "Tubes!E4", "'M77' is not on the Animals sheet"),
        ("Tubes", "H4", 0.5, "Tubes!H4", "below the tare"),
        ("Tubes", "I3", None, "Tubes!I3", "dilution factor"),
        ("Tubes", "B4", 2, "Tubes!B4", "listed twice"),
        ("Experiment", "B9", 1.5, "Experiment!B9", "efficiency must be in"),
    ],
)
def test_errors_name_the_cell(
    tmp_path: Path, sheet: str, cell: str, value: object, where: str, what: str
) -> None:
    p = _edit(tmp_path, sheet, cell, value)
    with pytest.raises(LayoutError) as err:
        read_biodistribution_layout(p)
    msg = str(err.value)
    assert where in msg and what in msg and "f.xlsx" in msg


def test_half_filled_syringe_is_refused(tmp_path: Path) -> None:
    p = _edit(tmp_path, "Animals", "L2", 5.0)  # syringe full without its time and the empty syringe
    with pytest.raises(LayoutError, match=r"Animals!M2: animal 'M1': the dose calibrator needs"):
        read_biodistribution_layout(p)


def test_unknown_column_is_named(tmp_path: Path) -> None:
    p = _edit(tmp_path, "Tubes", "K1", "colour")
    with pytest.raises(LayoutError, match=r"Tubes!K1.*unknown column 'colour'"):
        read_biodistribution_layout(p)


def test_balance_weights_fill_the_masses() -> None:
    lay = example_layout()
    tissue = lay.tubes[lay.tubes.role == "tissue"].copy()
    tissue["tube_id"] = [f"T{k}" for k in range(len(tissue))]
    tissue["filled_g"] = float("nan")
    balance = pd.DataFrame({"Tube ID": ["T0", "T1"], "Weight (g)": [1.5, 1.25]})
    out = merge_balance_weights(tissue, balance)
    assert out["mass_g"].iloc[:2].round(6).tolist() == [0.5, 0.25]
    assert out["mass_g"].iloc[2:].isna().all()
    with pytest.raises(LayoutError, match="T99"):
        merge_balance_weights(tissue, pd.DataFrame({"tube_id": ["T99"], "weight_g": [1.0]}))
