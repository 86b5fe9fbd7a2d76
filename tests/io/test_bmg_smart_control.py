"""BMG SMART Control xlsx: values checked against the workbook's own cells (read here with openpyxl)."""

from __future__ import annotations

import math

import openpyxl
import pytest

from assaykit.errors import ParseError
from assaykit.io import read_export
from tests.conftest import shared_path
from tests.io._xlsx_helpers import EXPORTS, all_sample_files, claims, digest

FIX = EXPORTS / "bmg_smart_control"
RAW = "Raw Data (480-14/520-30)"
BLANK = "Blank corrected based on Raw Data (480-14/520-30)"


@pytest.fixture(scope="module")
def real():
    path = shared_path(
        "instrument-exports", "bmg-smart-control", "fluorescence_endpoint_example2.xlsx"
    )
    return path, read_export(path)


def test_real_file_cells(real):
    path, df = real
    assert df.attrs["format"] == "bmg_smart_control"
    raw = df[df["read"] == RAW].set_index("well")
    # cells seen in the file: Table End point B17 (A01), Microplate End point M58 (H12), E53 (C04)
    assert raw.loc["A01", "value"] == 8168026.0
    assert raw.loc["H12", "value"] == 15882.0
    assert raw.loc["C04", "value"] == 18405.0
    assert (raw["unit"] == "RFU").all() and (raw["flag"] == "").all()
    assert len(raw) == 96
    blank = df[df["read"] == BLANK].set_index("well")
    # the blank wells H10–H12 have no blank-corrected value (cells K69:M69 are empty)
    assert len(blank) == 93 and not {"H10", "H11", "H12"} & set(blank.index)
    assert blank.loc["H01", "value"] == -80.0
    assert df.attrs["protocol"] == "96 PicoGreen, Quant-iT"
    assert df.attrs["date"] == "11/12/2024" and df.attrs["time"] == "1:06:28 PM"
    assert df.attrs["settings"]["Excitation"] == "480-14"


def test_real_file_matches_every_grid_cell(real):
    """The long table (what we read) against the plate grid '4. Raw Data' of the other sheet."""
    path, df = real
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb["Microplate End point"]
    assert ws["B49"].value.startswith("4. Raw Data")
    raw = df[df["read"] == RAW].set_index("well")["value"]
    for i, letter in enumerate("ABCDEFGH"):
        for j in range(12):
            cell = ws.cell(row=51 + i, column=2 + j).value
            assert raw[f"{letter}{j + 1:02d}"] == float(cell)


def test_fixture_values_and_metadata():
    df = read_export(FIX / "endpoint.xlsx")
    raw = df[df["read"] == "Raw Data (485/520)"].set_index("well")
    assert raw.loc["A01", "value"] == 1200.0  # 1000*1 + 100*1 + 100
    assert raw.loc["H12", "value"] == 9300.0
    blank = df[df["read"] == "Blank corrected based on Raw Data (485/520)"]
    assert len(blank) == 95 and "H12" not in set(blank["well"])
    assert df.attrs["test_id"] == "7" and df.attrs["mode"] == "Fluorescence (FI)"
    assert df.attrs["settings"]["No. of flashes per well"] == 20.0


def test_grids_are_read_when_the_table_sheet_is_absent():
    table = read_export(FIX / "endpoint.xlsx")
    grids = read_export(FIX / "grids_only.xlsx")
    assert set(grids["read"]) == {"Raw Data (485/520)"}  # '1. Layout' is an annotation
    a = table[table["read"] == "Raw Data (485/520)"].set_index("well")["value"]
    b = grids.set_index("well")["value"]
    assert a.sort_index().equals(b.sort_index())


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("no_well_row.xlsx", "sheet 'Table End point': no row starting with 'Well'"),
        ("text_value.xlsx", "sheet 'Table End point', cell D16: expected a number"),
        ("kinetic_table.xlsx", "cell A16: found 'Time [s]': kinetic SMART Control tables"),
        ("empty.xlsx", "sheet 'Sheet': the workbook is empty"),
        ("truncated.xlsx", "not a valid .xlsx"),
    ],
)
def test_bad_inputs_raise_one_clear_line(name, needle):
    path = FIX / name
    before = digest(path)
    with pytest.raises(ParseError) as info:
        read_export(path, format="bmg_smart_control")
    msg = str(info.value)
    assert needle in msg and "\n" not in msg and name in msg
    assert digest(path) == before


def test_empty_workbook_without_format_is_refused():
    assert not claims("bmg_smart_control", FIX / "empty.xlsx")
    with pytest.raises(ParseError):  # no reader, or an 'empty workbook' error from detection
        read_export(FIX / "empty.xlsx")


def test_sniffer_claims_only_bmg_smart_control_files():
    for p in all_sample_files():
        assert claims("bmg_smart_control", p) == (
            p.parent.name in ("bmg_smart_control", "bmg-smart-control")
            and p.stem not in ("empty", "truncated")
        ), p


def test_values_are_floats_never_text():
    df = read_export(FIX / "endpoint.xlsx")
    assert df["value"].dtype == "float64"
    assert not any(isinstance(v, str) for v in df["value"]) and not any(
        math.isnan(v) for v in df["value"]
    )
