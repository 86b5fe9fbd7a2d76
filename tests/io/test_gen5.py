"""Agilent BioTek Gen5 text reader: the shared real exports and hand-written fixtures."""

from __future__ import annotations

import math

import pytest

from assaykit.errors import DataQualityWarning, ParseError
from assaykit.io import read_export
from tests.conftest import DATA, shared_path

FIX = DATA / "exports" / "gen5"


def _one(df, read, well, plate=1, time_s=None):
    sel = df[(df.plate == plate) & (df.read == read) & (df.well == well)]
    if time_s is not None:
        sel = sel[sel.time_s == time_s]
    assert len(sel) == 1, (plate, read, well, time_s, len(sel))
    return sel.iloc[0]


def test_shared_endpoint_two_data_sets_per_row():
    df = read_export(shared_path("instrument-exports", "agilent-gen5", "endpoint_singleplate.txt"))
    assert df.attrs["format"] == "gen5"
    assert set(df.read) == {"LUM:Lum", "NormLum"} and len(df) == 2 * 96
    assert "time_s" not in df.columns
    assert set(df[df.read == "LUM:Lum"].unit) == {"RLU"}
    assert set(df[df.read == "NormLum"].unit) == {""}
    # row A: 8718 ... 210 LUM:Lum, then 99.846 ... -0.020 NormLum; row H ends 8490 / 97.170
    assert _one(df, "LUM:Lum", "A01").value == 8718
    assert _one(df, "NormLum", "A12").value == -0.02
    assert _one(df, "LUM:Lum", "H12").value == 8490
    assert _one(df, "NormLum", "H12").value == 97.17
    assert _one(df, "NormLum", "D10").value == 4.991
    assert df.attrs["software"] == "Gen5 3.12.08"
    assert df.attrs["measurement_date"] == "10/10/2022 9:15:37 PM"


def test_shared_kinetic_tables_and_undefined():
    df = read_export(shared_path("instrument-exports", "agilent-gen5", "kinetic_singleplate.txt"))
    raw = df[df.read == "OD600:450"]
    assert len(raw) == 6 * 96 and set(raw.unit) == {"OD"}
    assert sorted(raw.time_s.unique()) == [0.0, 60.0, 120.0, 180.0, 240.0, 300.0]
    assert _one(df, "OD600:450", "A01", time_s=0.0).value == 1.24
    assert _one(df, "OD600:450", "H12", time_s=300.0).value == 3.19
    assert _one(df, "OD600:450", "H11", time_s=300.0).value == 3.18
    assert _one(df, "Blank OD600:450", "A01", time_s=300.0).value == -0.025
    assert _one(df, "Blank OD600:450", "H12", time_s=300.0).value == 0.365
    lag = df[df.read == "Lagtime [Blank OD600:450]"]
    assert len(lag) == 96 and lag.value.isna().all() and (lag.flag == "undefined").all()
    assert set(lag.raw) == {"?????"}
    tmax = _one(df, "t at Max V [Blank OD600:450]", "C05")
    assert tmax.value == 120.0 and tmax.unit == "s"  # 0:02:00 in the file
    assert _one(df, "Max V [Blank OD600:450]", "H12").value == 261.7
    assert math.isnan(_one(df, "Max V [Blank OD600:450]", "H12").time_s)
    assert df.attrs["instrument"] == "BioTek Synergy H1"


def test_fixture_two_plates_markers():
    df = read_export(FIX / "endpoint_two_plates.txt")
    assert sorted(df.plate.unique()) == [1, 2] and len(df) == 2 * 2 * 24
    a3 = _one(df, "LUM:Lum", "A03")
    assert math.isnan(a3.value) and a3.flag == "overflow" and a3.raw == "OVRFLW"
    assert _one(df, "NormLum", "A03").flag == "undefined"
    assert _one(df, "LUM:Lum", "B06").flag == "empty"
    assert _one(df, "NormLum", "D06", plate=2).value == 41.6
    assert _one(df, "LUM:Lum", "C01", plate=2).value == 3001
    assert df.attrs["plates"]["2"]["Time"] == "9:41:12 AM"


def test_fixture_kinetic_partial_plate():
    df = read_export(FIX / "kinetic_markers.txt")
    raw = df[df.read == "OD600:600"]
    assert sorted(raw.well.unique()) == ["A01", "A02", "B01", "B02"]  # only the wells read
    assert _one(df, "OD600:600", "A02", time_s=90.0).flag == "overflow"
    assert _one(df, "OD600:600", "B01", time_s=180.0).flag == "empty"
    assert _one(df, "OD600:600", "B02", time_s=180.0).value == 0.282
    assert _one(df, "Blank OD600:600", "A02", time_s=90.0).flag == "undefined"
    assert _one(df, "t at Max V [Blank OD600:600]", "B01").value == 5400.0  # 1:30:00


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("truncated.txt", 33, "cut off"),
        ("text_in_cell.txt", 40, "'61 48'"),
        ("missing_dataset_line.txt", 38, "a line of the grid is missing"),
    ],
)
def test_broken_files(name, line, words):
    with pytest.raises(ParseError) as info:
        read_export(FIX / name)
    assert info.value.line == line and words in str(info.value) and name in str(info.value)


def test_missing_row_read_and_reported():
    """Plate 1's Results grid has rows A, B, D: row C of both data sets is 'absent', D stays D."""
    with pytest.warns(DataQualityWarning, match=r"plate 1, 'LUM:Lum' \(line 35\): row C"):
        df = read_export(FIX / "missing_row.txt")
    assert _one(df, "LUM:Lum", "D01").value == 8905
    assert _one(df, "NormLum", "D06").value == -0.045
    for read in ("LUM:Lum", "NormLum"):
        c = df[(df.plate == 1) & (df.read == read) & (df.row == "C")]
        assert len(c) == 6 and (c.flag == "absent").all() and c.value.isna().all()
    assert [(a["grid"], a["rows"]) for a in df.attrs["absent"]] == [
        ("plate 1, 'LUM:Lum'", ["C"]),
        ("plate 1, 'NormLum'", ["C"]),
    ]
    assert not (df[df.plate == 2].flag == "absent").any()
