"""Tecan Magellan xlsx (long and wide layouts): values checked against the workbook's cells."""

from __future__ import annotations

import openpyxl
import pytest

from assaykit.errors import ParseError, UnsupportedFormatError
from assaykit.io import read_export
from assaykit.plate import normalise_well
from tests.conftest import shared_path
from tests.io._xlsx_helpers import EXPORTS, all_sample_files, claims, digest

FIX = EXPORTS / "tecan_magellan"


def _sheet_values(path, value_cols):
    """{(well, header): value} straight from the sheet, for rows whose column A/B names a well."""
    ws = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    jw = header.index("Well positions")
    out = {}
    for row in rows[1:]:
        try:
            well = normalise_well(str(row[jw]))
        except ValueError:
            continue
        for j in value_cols:
            out[(well, header[j])] = row[j]
    return out


def test_long_layout_real_file():
    path = shared_path("instrument-exports", "tecan-magellan", "SLA01P01_OD.xlsx")
    df = read_export(path)
    assert df.attrs["format"] == "tecan_magellan"
    assert len(df) == 96 and set(df["read"]) == {"Raw data"} and set(df["unit"]) == {"OD"}
    v = df.set_index("well")["value"]
    assert v["A01"] == 0.1462 and v["B01"] == 0.2118 and v["A02"] == 0.1418  # cells A2, A3, A10
    expected = _sheet_values(path, [0])
    assert {w: v[w] for w, _ in expected} == {w: x for (w, _), x in expected.items()}
    assert df.attrs["serial"] == "12901000069" and df.attrs["plate_names"] == ["96WEL008"]
    assert df.attrs["date"] == "2021-07-06"
    assert "time_s" not in df
    # the Plate cell is filled on the first 45 rows only: still one plate of 96 distinct wells
    assert set(df["plate"]) == {1} and df["well"].nunique() == 96


def test_wide_layout_real_file_384():
    path = shared_path("instrument-exports", "tecan-magellan", "SLA01P01_ELISA.xlsx")
    df = read_export(path)
    assert len(df) == 2 * 384 and df["well"].nunique() == 384
    assert set(df["read"]) == {"Label1", "Label2"} and set(df["unit"]) == {"OD"}
    v = df.set_index(["well", "read"])["value"]
    assert v[("A01", "Label1")] == 0.0557 and v[("A01", "Label2")] == 0.0509  # cells B4, C4
    assert v[("P24", "Label1")] == 0.0356 and v[("P24", "Label2")] == 0.05  # cells B387, C387
    expected = _sheet_values(path, [1, 2])
    assert all(v[key] == x for key, x in expected.items()) and len(expected) == 768
    assert df.attrs["temperatures_C"] == {"Label1": 24.8, "Label2": 25.1}
    assert df.attrs["wavelengths"] == ["485 nm", "560 nm"]
    assert "time_s" not in df  # two labels at 0 s: endpoint, not kinetic


def test_long_fixture_two_plates():
    df = read_export(FIX / "long.xlsx")
    assert sorted(df["plate"].unique()) == [1, 2]
    v = df.set_index(["plate", "well"])["value"]
    assert v[(1, "A01")] == 0.1 and v[(2, "H12")] == round(0.2 + 0.07 + 0.011, 4)
    assert (
        df.attrs["plate_names"] == ["PLATE_A", "PLATE_B"]
        and df.attrs["instrument"] == "Tecan SUNRISE"
    )


def test_kinetic_fixture_has_time_s():
    df = read_export(FIX / "kinetic.xlsx")
    assert sorted(df["time_s"].unique()) == [0.0, 60.0, 120.0]
    a1 = df[df["well"] == "A01"].sort_values("time_s")
    assert a1["value"].tolist() == [0.05, 0.06, 0.07]


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("no_anchor.xlsx", "sheet 'Magellan Sheet 1': no 'Well positions' column heading"),
        (
            "text_value.xlsx",
            "sheet 'Magellan Sheet 1', cell C10: expected a number or an instrument marker",
        ),
        ("empty.xlsx", "sheet 'Sheet': no 'Well positions'"),
        ("truncated.xlsx", "not a valid .xlsx"),
    ],
)
def test_bad_inputs(name, needle):
    path = FIX / name
    before = digest(path)
    with pytest.raises(ParseError) as info:
        read_export(path, format="tecan_magellan")
    assert needle in str(info.value) and "\n" not in str(info.value)
    assert digest(path) == before


def test_missing_anchor_is_not_claimed():
    with pytest.raises(UnsupportedFormatError):
        read_export(FIX / "no_anchor.xlsx")


def test_sniffer_claims_only_magellan_files():
    for p in all_sample_files():
        assert claims("tecan_magellan", p) == (
            p.parent.name in ("tecan_magellan", "tecan-magellan")
            and p.stem not in ("no_anchor", "empty", "truncated")
        ), p
