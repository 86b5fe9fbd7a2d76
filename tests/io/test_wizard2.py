"""WIZARD2 reader: values checked by eye against the raw CSV lines quoted in each test."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from assaykit.errors import ParseError
from assaykit.io import read_export
from assaykit.schema import COUNTER_COLUMNS
from tests.conftest import DATA, shared_path

HERE = DATA / "exports" / "wizard2"


def test_real_export_rows_and_values() -> None:
    df = read_export(shared_path("instrument-exports", "perkinelmer-wizard2-2470", "004640.csv"))
    assert df.attrs["format"] == "wizard2"
    assert list(df.columns[: len(COUNTER_COLUMNS)]) == list(COUNTER_COLUMNS)
    # 43 racks x 10 positions, one nuclide, every (rack, position) once
    assert len(df) == 430
    assert df[["rack", "position"]].drop_duplicates().shape[0] == 430
    assert sorted(df["rack"].unique()) == list(range(1, 44))
    # line 2: 65,TELLING 5 min,2024-03-06 12:42:48,0,4640,1,1,1,300.02,,24614.1,4919.63,1.43,
    first = df.iloc[0]
    assert (first["rack"], first["position"], first["detector"]) == (1, 1, 1)
    assert first["counts"] == 24614.1
    assert first["cpm"] == 4919.63
    assert first["error_pct"] == 1.43
    assert first["count_time_s"] == 300.02
    assert first["measured_at"] == pd.Timestamp("2024-03-06 12:42:48")
    assert first["isotope"] == "I-125"
    assert first["flag"] == ""
    assert first["run_id"] == 4640 and first["protocol_id"] == 65
    # line 13: ...,2024-03-06 12:53:43,0,4640,2,2,2,300.04,,93.72,2.72,60.94,I
    tube = df[(df["rack"] == 2) & (df["position"] == 2)].iloc[0]
    assert (tube["counts"], tube["cpm"], tube["error_pct"], tube["flag"]) == (
        93.72,
        2.72,
        60.94,
        "I",
    )
    assert tube["measured_at"] == pd.Timestamp("2024-03-06 12:53:43")
    # last line: ...,2024-03-06 20:31:29,0,4640,43,5,10,300.04,,109,3.57,52.72,I
    last = df.iloc[-1]
    assert (last["rack"], last["position"], last["detector"], last["cpm"]) == (43, 10, 5, 3.57)
    assert last["measured_at"] == pd.Timestamp("2024-03-06 20:31:29")
    # `grep -c ',I$'` on the file gives 11 tubes flagged I
    assert (df["flag"] == "I").sum() == 11
    # detector d counts positions d and d + 5 (FORMATS.md)
    assert ((df["position"] - 1) % 5 + 1 == df["detector"]).all()
    assert df.attrs["protocol"] == "TELLING 5 min"


def test_dual_label_gives_one_row_per_tube_and_nuclide() -> None:
    df = read_export(HERE / "dual_label.csv")
    assert list(df["isotope"]) == ["I-125", "Cr-51"] * 3
    assert df.attrs["isotopes"] == ["I-125", "Cr-51"]
    # tube 1/1: I-125 1000.5 counts, 1000.2 CPM, CPM-Bkg 990.2; Cr-51 50.0 counts, 49.9 CPM, 14.1 %
    i125, cr51 = df.iloc[0], df.iloc[1]
    assert (i125["counts"], i125["cpm"], i125["cpm_bkg"], i125["error_pct"]) == (
        1000.5,
        1000.2,
        990.2,
        3.16,
    )
    assert (cr51["counts"], cr51["cpm"], cr51["error_pct"]) == (50.0, 49.9, 14.1)
    assert math.isnan(cr51["cpm_bkg"])  # the Cr-51 group has no CPM-Bkg column
    assert i125["sample"] == "tot-1" and i125["dpm"] == 2100.0
    # a background-corrected CPM below zero is the vendor's number, kept as is
    assert df.iloc[2]["cpm"] == -3.5 and df.iloc[2]["flag"] == "I"
    # OVRFLW in Counts and CPM: NaN with one flag, never a number
    over = df.iloc[4]
    assert math.isnan(over["counts"]) and math.isnan(over["cpm"]) and over["flag"] == "overflow"
    assert df.iloc[5]["flag"] == "I" and df.iloc[5]["cpm"] == 9.8


def test_semicolon_and_decimal_comma() -> None:
    df = read_export(HERE / "semicolon_decimal_comma.csv")
    assert (df.attrs["separator"], df.attrs["decimal"]) == (";", ",")
    assert list(df["cpm"]) == [4919.63, 2.72]
    assert list(df["count_time_s"]) == [300.02, 300.04]
    assert list(df["isotope"]) == ["Tc-99m", "Tc-99m"]
    # 06.03.2024 is day-first
    assert df["measured_at"].iloc[1] == pd.Timestamp("2024-03-06 12:48:05")


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("truncated.csv", 3, "truncated row"),
        ("missing_rack.csv", 1, "lacks 'rack'"),
        ("text_in_cpm.csv", 3, "I-125 CPM: expected a number, got 'lots'"),
        ("bad_timestamp.csv", 2, "cannot read the time stamp '03/06/2024 12:42'"),
        ("negative_counts.csv", 2, "I-125 Counts: expected a count of zero or more"),
        ("extra_cells.csv", 2, "row has 2 filled cell(s) beyond the 7 header columns"),
    ],
)
def test_broken_files_name_the_line(name: str, line: int, words: str) -> None:
    with pytest.raises(ParseError) as info:
        read_export(HERE / name)
    msg = str(info.value)
    assert name in msg and f"line {line}:" in msg and words in msg
    assert "\n" not in msg
