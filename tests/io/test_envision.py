"""PerkinElmer EnVision CSV reader: shared real exports and hand-written fixtures."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from assaykit.errors import DataQualityWarning, ParseError
from assaykit.io import read_export
from tests.conftest import DATA, shared_path

FIX = DATA / "exports" / "envision"


def _value(df, plate, read, well):
    sel = df[(df.plate == plate) & (df.read == read) & (df.well == well)]
    assert len(sel) == 1, (plate, read, well, len(sel))
    return sel.iloc[0]


def _shared(name: str) -> Path:
    return shared_path("instrument-exports", "perkinelmer-envision", name)


def test_absorbance_two_plates():
    df = read_export(_shared("PE_Envision_absorbance_A450_example.csv"))
    assert df.attrs["format"] == "envision"
    assert sorted(df.plate.unique()) == [1, 2]
    assert set(df.read) == {"A450"}
    assert set(df.unit) == {"A"}
    assert len(df) == 2 * 96 and (df.flag == "").all()
    # plate 1 row A: 0.1500,0.0850,0.1000,1.8500 ...; plate 2 row B col 7 is 1.0000, H12 0.1300
    assert _value(df, 1, "A450", "A04").value == 1.85
    assert _value(df, 1, "A450", "B07").value == 0.25
    assert _value(df, 2, "A450", "B07").value == 1.0
    assert _value(df, 2, "A450", "H12").value == 0.13
    assert df.attrs["protocol"] == "Absorbance Test Protocol"
    assert df.attrs["serial_number"] == "1050242"  # ="1050242" unwrapped
    assert df.attrs["plates"]["2"]["measurement_date"] == "1/15/2024 10:31:35 AM"
    assert df.attrs["export_settings"]["Field separator to use"] == "System"
    assert df.attrs["software"] == "EnVision Workstation version 1.14.3049.1642"


def test_htrf_two_channels_and_calc_with_empty_wells():
    df = read_export(_shared("PE_Envision_fluorescence_example01.csv"))
    reads = set(df.read)
    assert reads == {
        "AC HTRF Laser [Eu] channel 1 window 1",
        "AC HTRF Laser [Eu] channel 2 window 1",
        "Calc 1: HTRF ratio value for AC HTRF Laser [Eu]",
    }
    assert set(df.plate) == {1}
    assert _value(df, 1, "AC HTRF Laser [Eu] channel 1 window 1", "A01").value == 31441
    assert _value(df, 1, "AC HTRF Laser [Eu] channel 2 window 1", "H12").flag == "empty"
    assert _value(df, 1, "AC HTRF Laser [Eu] channel 2 window 1", "H07").value == 81633
    calc = _value(df, 1, "Calc 1: HTRF ratio value for AC HTRF Laser [Eu]", "D02")
    assert calc.value == pytest.approx(997.698002862) and calc.unit == ""
    # column 4 and 8-12 are empty in every grid: NaN + flag, never 0
    empty = df[df.col.isin([4, 8, 9, 10, 11, 12])]
    assert len(empty) == 3 * 8 * 6 and empty.value.isna().all() and (empty.flag == "empty").all()
    assert df.attrs["barcode"] == ""  # "=""""" in the file
    assert df.attrs["measurement_date"] == "10/13/2022 3:08:06 PM"


def test_luminescence_384_partial_rows_two_plates():
    with pytest.warns(DataQualityWarning, match="rows B–D, F–H, J–L, N–P"):
        df = read_export(_shared("PE_Envision_luminescence_example01.csv"))
    assert sorted(df.plate.unique()) == [1, 2]
    # only rows A, E, I, M are in the grids: they hold the values, the other 12 rows of the
    # 384-well plate are reported 'absent' (NaN), never given a number
    with_value = df[df.flag != "absent"]
    assert sorted(with_value.row.unique()) == ["A", "E", "I", "M"]
    assert len(with_value) == 2 * 2 * 4 * 24 and len(df) == 2 * 2 * 384
    absent = df[df.flag == "absent"]
    assert absent.value.isna().all() and set(absent.row) == set("BCDFGHJKLNOP")
    assert [a["rows"] for a in df.attrs["absent"]] == [list("BCDFGHJKLNOP")] * 4
    raw = "0_1 US LUM 384"
    assert set(df[df.read == raw].unit) == {"CPS"}
    assert _value(df, 1, raw, "I08").value == 120
    assert _value(df, 2, raw, "E01").value == 80
    calc = "Calc 1: Crosstalk = Crosstalk correction where Label : 0_1 US LUM 384(1) channel 1"
    assert _value(df, 1, calc, "I08").value == 120.0
    assert df.attrs["plates"]["2"]["barcode"] == "8/22/2023 12:16:57 PM"


def test_fixture_markers_and_plates():
    df = read_export(FIX / "two_plates_markers.csv")
    assert df.attrs["format"] == "envision"
    assert sorted(df.plate.unique()) == [1, 2]
    assert set(df.read) == {"RLB LUM", "Calc 1: Net = background subtracted"}
    a3 = _value(df, 1, "RLB LUM", "A03")
    assert math.isnan(a3.value) and a3.flag == "overflow" and a3.raw == "OVRFLW"
    b4 = _value(df, 1, "RLB LUM", "B04")
    assert math.isnan(b4.value) and b4.flag == "overflow" and b4.raw == "*****"
    assert _value(df, 1, "RLB LUM", "A05").flag == "empty"
    assert _value(df, 2, "RLB LUM", "D06").value == 860
    assert _value(df, 1, "Calc 1: Net = background subtracted", "A06").value == 97.0
    assert len(df[(df.plate == 2)]) == 24  # 4 x 6 grid, nothing invented
    assert df.attrs["plates"]["1"]["barcode"] == "AK-0001"
    assert df.attrs["assay"]["Assay ID"] == "77"
    assert df.attrs["serial_number"] == "1059999"


def test_fixture_semicolon_decimal_comma():
    df = read_export(FIX / "semicolon_decimal_comma.csv")
    assert df.attrs["separator"] == ";" and df.attrs["decimal"] == ","
    assert _value(df, 1, "Calc 1: Ratio 665/620", "A01").value == pytest.approx(3912.12920565)
    assert _value(df, 1, "HTRF channel 2 window 1", "D06").value == 84026
    assert _value(df, 1, "HTRF channel 1 window 1", "C04").flag == "empty"
    assert df.attrs["measurement_date"] == "13.10.2022 15:08:06"


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("truncated.csv", 23, "fewer cells"),
        ("text_in_cell.csv", 12, "'n.d.'"),
        ("missing_grid_rows.csv", 10, "grid header"),
        ("repeated_row.csv", 13, "row A follows row B"),
    ],
)
def test_broken_files(name, line, words):
    with pytest.raises(ParseError) as info:
        read_export(FIX / name, format="envision")
    err = info.value
    assert err.line == line and words in str(err) and name in str(err)
    assert "\n" not in str(err)


def test_input_not_modified(tmp_path):
    src = FIX / "two_plates_markers.csv"
    before = src.read_bytes()
    read_export(src)
    assert src.read_bytes() == before
