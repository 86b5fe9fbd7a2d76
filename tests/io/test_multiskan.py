"""Thermo Multiskan Sky xlsx (SkanIt kinetic 'Reading' table): values and per-well times."""

from __future__ import annotations

import openpyxl
import pytest

from assaykit.errors import ParseError
from assaykit.io import read_export
from assaykit.plate import normalise_well
from tests.conftest import shared_path
from tests.io._xlsx_helpers import EXPORTS, all_sample_files, claims, digest

FIX = EXPORTS / "multiskan"


@pytest.fixture(scope="module")
def real():
    path = shared_path("instrument-exports", "thermo-multiskan", "Multiskan Sky.xlsx")
    return path, read_export(path)


def test_real_file_values_and_times(real):
    path, df = real
    assert df.attrs["format"] == "multiskan"
    assert (
        len(df) == 101 * 7 and set(df["read"]) == {"Measure (340 nm)"} and set(df["unit"]) == {"OD"}
    )
    v = df.set_index(["well", "time_s"])["value"]
    assert v[("A02", 0.0)] == 1.1296  # 'Absorbance results'!B7, time B112
    assert v[("G02", 2.54)] == 0.1092  # H7, time H112
    assert v[("A02", 599.99)] == 1.0306  # B107, time B212
    assert df.attrs["instrument"] == "Multiskan Sky" and df.attrs["serial"] == "1530-00516C"
    assert df.attrs["time_source"] == "results sheet"


def test_real_file_against_raw_data_sheet(real):
    """Every (well, value, time) pair also appears in the instrument's 'Raw data 340 nm' sheet."""
    path, df = real
    ws = openpyxl.load_workbook(path, data_only=True)["Raw data 340 nm"]
    raw = {}
    for row in ws.iter_rows(min_row=6, values_only=True):
        if row[0]:
            raw.setdefault(normalise_well(row[0].replace(" ", "")), []).append((row[2], row[3]))
    for well, group in df.groupby("well"):
        ours = list(zip(group["value"], group["time_s"], strict=True))
        assert ours == [(float(a), float(t)) for a, t in raw[well]]


@pytest.mark.parametrize(
    ("name", "source", "b1_times"),
    [
        ("kinetic.xlsx", "results sheet", [0.42, 6.42, 12.42]),
        ("raw_times.xlsx", "raw-data sheet", [0.92, 6.92, 12.92]),  # fixture's raw sheet adds 0.5 s
        ("interval_times.xlsx", "kinetic interval", [0.0, 6.0, 12.0]),
    ],
)
def test_time_sources(name, source, b1_times):
    df = read_export(FIX / name)
    assert df.attrs["time_source"] == source
    b1 = df[df["well"] == "B01"]
    assert b1["time_s"].tolist() == pytest.approx(b1_times)
    assert b1["value"].tolist() == [0.5, 0.49, 0.48]


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        (
            "text_value.xlsx",
            "sheet 'Absorbance results', cell C8: expected a number or an instrument marker (e.g. OVER, NaN), got 'high'",
        ),
        ("truncated.xlsx", "not a valid .xlsx"),
    ],
)
def test_bad_inputs(name, needle):
    path = FIX / name
    before = digest(path)
    with pytest.raises(ParseError) as info:
        read_export(path, format="multiskan")
    assert needle in str(info.value) and "\n" not in str(info.value)
    assert digest(path) == before


def test_sniffer_claims_only_multiskan_files():
    for p in all_sample_files():
        assert claims("multiskan", p) == (
            p.parent.name in ("multiskan", "thermo-multiskan") and p.stem != "truncated"
        ), p
