"""Revvity Kaleido / EnSight CSV reader: the shared real export and hand-written fixtures."""

from __future__ import annotations

import math

import pytest

from assaykit.errors import DataQualityWarning, ParseError
from assaykit.io import read_export
from tests.conftest import DATA, shared_path

FIX = DATA / "exports" / "kaleido"


def _value(df, read, well, plate=1):
    sel = df[(df.plate == plate) & (df.read == read) & (df.well == well)]
    assert len(sel) == 1, (plate, read, well, len(sel))
    return sel.iloc[0]


def test_shared_luminescence_endpoint():
    path = shared_path(
        "instrument-exports", "revvity-kaleido", "luminescence_endpoint_single_plate_example_01.csv"
    )
    df = read_export(path)
    assert df.attrs["format"] == "kaleido"
    assert len(df) == 96 and set(df.read) == {"Luminescence 1"} and set(df.plate) == {1}
    assert (df.flag == "").all()
    # row A: 94395,87450,81740,...; row G: ...,3145,1620,825,65,85,55; row H ends 75
    assert _value(df, "Luminescence 1", "A01").value == 94395
    assert _value(df, "Luminescence 1", "G09").value == 825
    assert _value(df, "Luminescence 1", "H12").value == 75
    assert df.attrs["protocol"] == "foo"
    assert df.attrs["measurement_date"] == "2023-05-17 16:21:30"
    assert df.attrs["barcode"] == "V-2023-05-17 16:21:29"
    assert df.attrs["software"] == "Kaleido 3.0.3067.117"
    assert df.attrs["serial_number"] == "1234567"
    assert df.attrs["measurement_info"]["Measurement Finished"] == "2023-05-17 16:22:38"


def test_fixture_two_labels_padded_lines_and_markers():
    df = read_export(FIX / "two_labels_markers.csv")
    assert set(df.read) == {"Luminescence 1", "Absorbance 1"} and len(df) == 2 * 96
    c3 = _value(df, "Luminescence 1", "C03")
    assert math.isnan(c3.value) and c3.flag == "overflow" and c3.raw == "*****"
    assert _value(df, "Luminescence 1", "G11").flag == "empty"
    assert _value(df, "Absorbance 1", "G07").value == 0.707
    assert _value(df, "Absorbance 1", "H12").flag == "overflow"
    assert df.attrs["reads"]["Absorbance 1"]["Exc wl / filter"] == "450"
    assert df.attrs["software"] == "Kaleido 3.5.0.1"


def test_fixture_two_plates():
    df = read_export(FIX / "two_plates.csv")
    assert sorted(df.plate.unique()) == [1, 2]
    assert _value(df, "Luminescence 1", "A01", plate=1).value == 94395
    assert _value(df, "Luminescence 1", "A01", plate=2).value == 11111
    assert df.attrs["plates"]["2"]["barcode"] == "AK-PLATE-8"
    assert df.attrs["plates"]["2"]["measurement_date"] == "11/24/2026 09:20"


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("truncated.csv", 15, "cut off"),
        ("text_in_cell.csv", 12, "'9l465'"),
    ],
)
def test_broken_files(name, line, words):
    with pytest.raises(ParseError) as info:
        read_export(FIX / name)
    assert info.value.line == line and words in str(info.value) and name in str(info.value)


def test_missing_row_read_and_reported():
    """Row E is not in the grid: the labelled rows keep their wells, E01–E12 are 'absent'."""
    with pytest.warns(DataQualityWarning, match=r"'Result for Luminescence 1' \(line 10\): row E"):
        df = read_export(FIX / "missing_row.csv")
    lum = df[df.read == "Luminescence 1"]
    assert len(lum) == 96
    assert _value(df, "Luminescence 1", "F01").value == 40015  # the line after D is row F
    assert _value(df, "Luminescence 1", "D03").value == 68560
    absent = lum[lum.flag == "absent"]
    assert sorted(absent.well) == [f"E{c:02d}" for c in range(1, 13)] and absent.value.isna().all()
    assert df.attrs["absent"] == [
        {
            "where": "line 10",
            "grid": "plate 1, 'Result for Luminescence 1'",
            "rows": ["E"],
            "cols": [],
        }
    ]
    assert (df[df.read == "Absorbance 1"].flag != "absent").all()
