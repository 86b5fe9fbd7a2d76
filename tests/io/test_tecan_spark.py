"""Tecan SparkControl / i-control xlsx: endpoint grid, kinetic cycles, Part of Plate, OVER."""

from __future__ import annotations

import math

import pytest

from assaykit.errors import ParseError
from assaykit.io import read_export
from tests.conftest import shared_path
from tests.io._xlsx_helpers import EXPORTS, all_sample_files, claims, digest

FIX = EXPORTS / "tecan_spark"


def test_real_endpoint_384_part_of_plate():
    path = shared_path("instrument-exports", "tecan-spark", "tekan_spark_endpoint.xlsx")
    df = read_export(path)
    assert df.attrs["format"] == "tecan_spark"
    # Part of Plate 'C11-C15;D11-D14': nine wells, every other well is blank and left out
    assert sorted(df["well"]) == ["C11", "C12", "C13", "C14", "C15", "D11", "D12", "D13", "D14"]
    v = df.set_index("well")["value"]
    # cells L38, M38, P38, L39, O39 of 'Result sheet'
    assert (v["C11"], v["C12"], v["C15"], v["D11"], v["D14"]) == (47088, 6600, 68576, 125959, 95432)
    assert set(df["read"]) == {"Label 1"} and set(df["unit"]) == {"CPS"} and set(df["flag"]) == {""}
    assert df.attrs["serial"] == "1708005973" and df.attrs["instrument"] == "Tecan Spark"
    assert df.attrs["software"] == "SparkControl V2.1" and df.attrs["date"] == "2025-05-12"
    assert df.attrs["labels"]["Label 1"]["Start Time"] == "2025-05-12 13:19:41"


def test_endpoint_fixture_flags():
    df = read_export(FIX / "endpoint.xlsx")
    assert df.attrs["format"] == "tecan_spark"
    rows = {r.well: (r.value, r.flag, getattr(r, "raw", "")) for r in df.itertuples()}
    assert set(rows) == {"B02", "B03", "C02", "C03"}  # Part of Plate B2-C3
    assert rows["B02"][:2] == (12345.0, "")
    assert math.isnan(rows["B03"][0]) and rows["B03"][1:] == ("overflow", "OVER")
    assert math.isnan(rows["C03"][0]) and rows["C03"][1] == "empty"  # inside Part of Plate, blank


def test_icontrol_label_before_mode():
    df = read_export(FIX / "icontrol.xlsx")
    assert df.attrs["format"] == "tecan_spark"
    assert df.attrs["instrument"] == "Tecan infinite 200Pro" and df.attrs["serial"] == "1107000001"
    assert df["well"].tolist() == ["A01", "A02", "A03"]  # blank wells are left out
    assert set(df["read"]) == {"Label1"} and set(df["unit"]) == {"OD"}
    assert df["value"].iloc[0] == 0.1234 and df["flag"].tolist() == ["", "overflow", ""]
    assert df.attrs["labels"]["Label1"]["Measurement Wavelength"] == 450


@pytest.mark.parametrize("name", ["kinetic_rows.xlsx", "kinetic_cols.xlsx"])
def test_kinetic_cycles_give_time_s(name):
    df = read_export(FIX / name)
    assert sorted(df["time_s"].unique()) == [0.0, 29.849, 59.854]
    assert set(df["well"]) == {"A01", "A02", "B01"} and set(df["unit"]) == {"OD"}
    a1 = df[df["well"] == "A01"].sort_values("time_s")["value"].tolist()
    assert a1 == pytest.approx([0.10, 0.11, 0.12])
    a2_last = df[(df["well"] == "A02") & (df["time_s"] == 59.854)].iloc[0]
    assert a2_last["flag"] == "overflow" and math.isnan(a2_last["value"])


def test_merged_cells_do_not_crash():
    df = read_export(FIX / "merged.xlsx")
    assert df.set_index("well").loc["C03", "flag"] == "empty"


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        (
            "no_grid.xlsx",
            "sheet 'Result sheet': no data found: expected a grid whose top-left cell is '<>'",
        ),
        (
            "text_value.xlsx",
            "sheet 'Result sheet', cell D31: expected a number or an instrument marker",
        ),
        ("empty.xlsx", "sheet 'Sheet': no 'Application: SparkControl'"),
        ("truncated.xlsx", "not a valid .xlsx"),
    ],
)
def test_bad_inputs(name, needle):
    path = FIX / name
    before = digest(path)
    with pytest.raises(ParseError) as info:
        read_export(path, format="tecan_spark")
    assert needle in str(info.value) and "\n" not in str(info.value)
    assert digest(path) == before


def test_empty_workbook_without_format_is_refused():
    assert not claims("tecan_spark", FIX / "empty.xlsx")
    with pytest.raises(ParseError):  # no reader, or an 'empty workbook' error from detection
        read_export(FIX / "empty.xlsx")


def test_sniffer_claims_only_spark_files():
    for p in all_sample_files():
        assert claims("tecan_spark", p) == (
            p.parent.name in ("tecan_spark", "tecan-spark") and p.stem not in ("empty", "truncated")
        ), p
