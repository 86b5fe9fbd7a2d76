"""Thermo SkanIt xlsx (Varioskan / Luminoskan): grids per step, wavelength and plate; markers."""

from __future__ import annotations

import math

import openpyxl
import pytest

from assaykit.errors import ParseError
from assaykit.io import read_export
from tests.conftest import shared_path
from tests.io._xlsx_helpers import EXPORTS, all_sample_files, claims, digest

FIX = EXPORTS / "skanit"
SK = ("instrument-exports", "thermo-skanit")


def test_luminescence_real_file_every_cell():
    path = shared_path(*SK, "luciferase_assay_example.xlsx")
    df = read_export(path)
    assert df.attrs["format"] == "skanit"
    assert len(df) == 96 and set(df["read"]) == {"Luminescence 1"} and set(df["unit"]) == {"RLU"}
    v = df.set_index("well")["value"]
    assert v["A01"] == 105.4 and v["B07"] == 398100.0 and v["H12"] == 1043.0  # cells B11, H12, M18
    ws = openpyxl.load_workbook(path, data_only=True)["Luminescence 1_01"]
    for i, letter in enumerate("ABCDEFGH"):
        for j in range(12):
            assert v[f"{letter}{j + 1:02d}"] == ws.cell(row=11 + i, column=2 + j).value
    assert df.attrs["measured_at"] == "8/23/2024 3:02:30 PM"


@pytest.fixture(scope="module")
def data():
    return read_export(shared_path(*SK, "skanit_data.xlsx"))


def test_absorbance_and_calculated_steps(data):
    reads = data.groupby("read").size().to_dict()
    assert reads["Absorbance 1 (450 nm)"] == 96
    assert reads["Blank Subtraction 1 (450 nm): Blank subtracted"] == 96
    assert reads["Standard Curve 1 (450 nm): Signal"] == 94  # H01, H02 blank in the sheet
    assert not any(r.endswith(": Sample") for r in reads)  # sample-name grids are annotations
    v = data.set_index(["read", "well"])["value"]
    assert v[("Absorbance 1 (450 nm)", "A01")] == 1.7455  # 'Absorbance 1_01'!B11
    assert v[("Absorbance 1 (450 nm)", "H12")] == 0.1032  # M18
    assert v[("Blank Subtraction 1 (450 nm): Blank subtracted", "H01")] == -0.000555  # B21
    assert set(data.loc[data["read"] == "Absorbance 1 (450 nm)", "unit"]) == {"OD"}
    assert data.attrs["instrument"] == "Varioskan LUX" and data.attrs["serial"] == "3020-81776"
    assert data.attrs["session"] == "5. APOE potency MOA_EB_20230522_003 (1).skax"


def test_markers_of_the_standard_curve_and_dilution_sheets(data):
    conc = data[data["read"] == "Standard Curve 1 (450 nm): Conc. [microg/ml]"].set_index("well")
    assert (
        conc.loc["A01", "flag"] == "above_range" and conc.loc["A01", "raw"] == "> Max"
    )  # B84 ' > Max'
    assert conc.loc["A03", "flag"] == "below_range"  # D84 ' < Min'
    assert conc.loc["A02", "value"] == 0.9022 and conc.loc["A02", "flag"] == ""  # C84
    value = data[data["read"] == "Dilution Factor 1 (450 nm): Value"].set_index("well")
    assert value.loc["A01", "flag"] == "missing" and math.isnan(
        value.loc["A01", "value"]
    )  # B14 'NaN'
    assert value.loc["D03", "value"] == 64.0  # D17


def test_two_wavelengths_fixture():
    df = read_export(FIX / "two_wavelengths.xlsx")
    v = df.set_index(["plate", "read", "well"])["value"]
    assert v[(1, "Absorbance 1 (450 nm)", "A01")] == 1.0
    assert v[(1, "Absorbance 1 (450 nm)", "B02")] == 1.11
    assert v[(1, "Absorbance 1 (620 nm)", "H12")] == round((1.0 + 0.7 + 0.11) / 10, 4)
    assert v[(2, "Absorbance 1 (450 nm)", "A01")] == 2.0  # the 'Plate 2' block below
    assert set(df.loc[df["plate"] == 2, "read"]) == {"Absorbance 1 (450 nm)"}
    flags = df[df["read"] == "Standard Curve 1 (450 nm): Conc. [ng/ml]"].set_index("well")["flag"]
    assert (flags["A01"], flags["A02"], flags["A03"], flags["A04"]) == (
        "above_range",
        "below_range",
        "missing",
        "",
    )
    assert (
        df.attrs["instrument"] == "Varioskan LUX" and df.attrs["software"] == "SkanIt Software 7.0"
    )


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("no_grid.xlsx", "sheet 'Absorbance 1_01': the result sheets hold no value grid"),
        (
            "text_value.xlsx",
            "sheet 'Absorbance 1_01', cell C12: expected a number or an instrument marker",
        ),
        ("empty.xlsx", "sheet 'Sheet', cell A1: no result sheet found"),
        ("truncated.xlsx", "not a valid .xlsx"),
    ],
)
def test_bad_inputs(name, needle):
    path = FIX / name
    before = digest(path)
    with pytest.raises(ParseError) as info:
        read_export(path, format="skanit")
    assert needle in str(info.value) and "\n" not in str(info.value)
    assert digest(path) == before


def test_empty_workbook_without_format_is_refused():
    assert not claims("skanit", FIX / "empty.xlsx")
    with pytest.raises(ParseError):  # no reader, or an 'empty workbook' error from detection
        read_export(FIX / "empty.xlsx")


def test_sniffer_claims_only_skanit_files():
    for p in all_sample_files():
        assert claims("skanit", p) == (
            p.parent.name in ("skanit", "thermo-skanit") and p.stem not in ("empty", "truncated")
        ), p
