"""Hidex 300 SL reader: values checked by eye against the key;value lines of each block."""

from __future__ import annotations

import pandas as pd
import pytest

from assaykit.errors import ParseError
from assaykit.io import read_export
from tests.conftest import DATA, shared_path

HERE = DATA / "exports" / "hidex300sl"


def test_real_export() -> None:
    df = read_export(shared_path("instrument-exports", "hidex-300sl", "Lu-177_2023_11_30.csv"))
    assert df.attrs["format"] == "hidex300sl"
    # blocks in file order: (Samp., Repe.) = (1,1), (1,2), (2,1), (2,2)
    assert df[["position", "repetition"]].values.tolist() == [[1, 1], [1, 2], [2, 1], [2, 2]]
    assert (df["rack"] == 1).all()
    # lines 10-17: CPM;83.970 DPM;126 ... Counts;140 ... Time;100 EndTime;30/11/2023 08:44:20
    first = df.iloc[0]
    assert (first["cpm"], first["counts"], first["count_time_s"], first["dpm"]) == (
        83.97,
        140.0,
        100.0,
        126.0,
    )
    assert first["end_time"] == pd.Timestamp("2023-11-30 08:44:20")
    assert first["measured_at"] == pd.Timestamp("2023-11-30 08:42:40")  # 08:44:20 - 100 s
    assert (first["vial"], first["well"], first["tdcr"]) == (1, "A01", 0.664)
    # lines 2164-2175: Samp.;2 Repe.;1 Vial;8 WName;A08 CPM;252623.230 ... DTime;1.125 EndTime 08:47:44
    third = df.iloc[2]
    assert (third["vial"], third["well"], third["cpm"], third["counts"]) == (
        8,
        "A08",
        252623.23,
        374237.0,
    )
    assert third["dead_time"] == 1.125 and third["dpm"] == 258604.0
    assert third["measured_at"] == pd.Timestamp("2023-11-30 08:46:04")
    # the title line "Lu-177 HS3 301123_ciclo1" names the nuclide
    assert (df["isotope"] == "Lu-177").all() and df.attrs["isotope_source"] == "run title"
    assert df.attrs["start_time"] == "8:40:58" and df.attrs["counting_type"] == "Low"
    assert not any(
        c.startswith("column") for c in df.columns
    )  # 'Column 17…20' placeholders dropped


def test_decimal_comma_blocks() -> None:
    df = read_export(HERE / "comma_decimal.csv")
    assert df.attrs["decimal"] == ","
    assert df["cpm"].tolist() == [83.97, 87.5, 1234.5]
    assert df["count_time_s"].tolist() == [100.0, 100.0, 120.0]
    # EndTime 01/02/2024 is 1 February (day first): 10:03:10 - 120 s
    assert df["measured_at"].iloc[2] == pd.Timestamp("2024-02-01 10:01:10")
    assert df["temp_c"].iloc[0] == 21.5
    assert (df["isotope"] == "Tc-99m").all()


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("truncated.csv", 27, "lacks 'Counts', 'Time', 'EndTime' (truncated file?)"),
        (
            "bad_endtime.csv",
            16,
            "cannot read the time stamp '02/13/2024 10:01:40'; expected DD/MM/YYYY",
        ),
        ("text_in_cpm.csv", 10, "CPM: expected a number, got 'high'"),
        ("negative_counts.csv", 13, "Counts: expected a count of zero or more"),
        ("duplicate.csv", 27, "sample 1 repetition 1 appears twice"),
    ],
)
def test_broken_files(name: str, line: int, words: str) -> None:
    with pytest.raises(ParseError) as info:
        read_export(HERE / name)
    msg = str(info.value)
    assert name in msg and f"line {line}:" in msg and words in msg
