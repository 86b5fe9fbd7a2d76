"""Molecular Devices SoftMax Pro text reader: the shared real exports and hand-written fixtures."""

from __future__ import annotations

import math

import pytest

from assaykit.errors import ParseError
from assaykit.io import read_export
from tests.conftest import DATA, shared_path

FIX = DATA / "exports" / "softmax"


def _one(df, read, well, plate=1, time_s=None):
    sel = df[(df.plate == plate) & (df.read == read) & (df.well == well)]
    if time_s is not None:
        sel = sel[sel.time_s == time_s]
    assert len(sel) == 1, (plate, read, well, time_s, len(sel))
    return sel.iloc[0]


def _shared(name):
    return shared_path("instrument-exports", "moldev-softmaxpro", name)


def test_absorbance_plateformat_two_plates_utf16_with_groups():
    df = read_export(_shared("MD_SMP_absorbance_endpoint_example01.txt"))
    assert df.attrs["format"] == "softmax" and df.attrs["encoding"] == "utf-16"
    assert sorted(df.plate.unique()) == [1, 2]
    assert set(df.read) == {"450", "Reduced"} and "time_s" not in df.columns
    assert set(df[df.read == "450"].unit) == {"OD"}
    # Plate01 raw grid: first line "\tNaN\t3.41797666666667…", second line starts 1.13885666666667
    assert _one(df, "450", "A01").value == 3.41797666666667
    assert _one(df, "450", "B03").value == 1.12797666666667
    assert _one(df, "450", "H12").value == 2.68254658466667
    assert _one(df, "450", "H01").value == 7.66666666666667e-05
    assert _one(df, "450", "A04", plate=2).value == 0.698856627333333
    assert _one(df, "Reduced", "A01").value == 3.4179766666666667
    assert df.attrs["plates"]["2"]["name"] == "Plate02"
    assert df.attrs["groups"] == ["Standards", "UnknownsNoDiln"]
    assert df.attrs["date_last_saved"] == "11/27/2023 10:43:25 AM"


def test_luminescence_timeformat_partial_plate():
    df = read_export(_shared("MD_SMP_luminescence_endpoint_example03.txt"))
    assert sorted(df.plate.unique()) == [1, 2] and set(df.read) == {"Lum", "Reduced"}
    assert set(df[df.read == "Lum"].unit) == {"RLU"}
    assert _one(df, "Lum", "A01").value == 1011329
    assert _one(df, "Lum", "B03").value == 1251410
    assert _one(df, "Lum", "A01", plate=2).value == 1497823
    h12 = _one(df, "Lum", "H12")  # listed in the header, empty in the data line
    assert math.isnan(h12.value) and h12.flag == "empty"
    assert df.attrs["plates"]["1"]["name"] == "c12345_2"
    assert df.attrs["plates"]["2"]["temperature"] == "24"


def test_fluorescence_kinetic_plateformat_side_by_side():
    df = read_export(_shared("fl_kinetic_plates.txt"))
    assert df.attrs["encoding"] == "utf-8"
    assert set(df.read) == {"485/525 Lm1", "485/525 Lm2", "Reduced"}
    assert sorted(df.dropna(subset=["time_s"]).time_s.unique()) == [0.0, 90.0, 180.0, 270.0]
    assert sorted(df.well.unique()) == ["A01", "A02", "A03", "B01", "B02", "B03"]
    # 00:01:30 grid: "00:01:30\t35\t39.50988\t20.26845\t10.26596\t\t19.75494\t10.13423\t5.13298"
    assert _one(df, "485/525 Lm1", "A01", time_s=90.0).value == 39.50988
    assert _one(df, "485/525 Lm2", "A03", time_s=90.0).value == 5.13298
    assert _one(df, "485/525 Lm2", "B03", time_s=270.0).value == 15.83771
    assert _one(df, "Reduced", "B03").value == 0.11264294841269841
    assert set(df[df.read != "Reduced"].unit) == {"RFU"}
    assert df.attrs["plates"]["1"]["excitation"] == "485 485"


def test_fixture_timeformat_kinetic_utf16_markers():
    df = read_export(FIX / "timeformat_kinetic_utf16.txt")
    assert df.attrs["encoding"] == "utf-16"
    assert set(df.read) == {"450", "620", "Reduced"}
    a2 = _one(df, "450", "A02", time_s=60.0)
    assert math.isnan(a2.value) and a2.flag == "out_of_range" and a2.raw == "Range?"
    assert _one(df, "620", "B01", time_s=60.0).flag == "saturated"
    assert _one(df, "450", "B01", time_s=120.0).flag == "empty"
    assert _one(df, "620", "B02", time_s=120.0).value == 0.066
    assert _one(df, "Reduced", "B01").value == 5.25
    assert df.attrs["groups"] == ["Standards"]


def test_fixture_plateformat_two_plates_two_wavelengths():
    df = read_export(FIX / "plateformat_two_plates.txt")
    assert sorted(df.plate.unique()) == [1, 2] and len(df) == 2 * 2 * 24
    assert _one(df, "485/520", "B03").flag == "overflow"
    assert _one(df, "530/590", "D06").flag == "empty"
    assert _one(df, "485/520", "C02", plate=2).value == 5202
    assert _one(df, "530/590", "D05", plate=2).value == 535


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("truncated.txt", 10, "no '~End'"),
        ("text_in_cell.txt", 6, "'n.d.'"),
        ("missing_grid_line.txt", 7, "found 3"),
        ("bad_header.txt", 2, "TimeFormat or PlateFormat"),
        ("reduced_only.txt", 2, "export the raw data"),
    ],
)
def test_broken_files(name, line, words):
    with pytest.raises(ParseError) as info:
        read_export(FIX / name)
    assert info.value.line == line and words in str(info.value) and name in str(info.value)
