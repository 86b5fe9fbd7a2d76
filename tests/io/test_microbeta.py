"""MicroBeta reader: values checked by eye against the COLUMNS table and the PLATES grids."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from assaykit.errors import DataQualityWarning, ParseError
from assaykit.io import read_export
from tests.conftest import DATA, shared_path

HERE = DATA / "exports" / "microbeta"


def test_real_report() -> None:
    df = read_export(shared_path("instrument-exports", "perkinelmer-microbeta", "A16_414.txt"))
    assert df.attrs["format"] == "microbeta"
    # 14 plates ("Plate 1" … "End of plate 14") of 24 counted wells
    assert len(df) == 336 and df.attrs["n_plates"] == 14
    assert df.groupby("plate").size().eq(24).all()
    assert (df["rack"] == df["plate"]).all()
    # " \tUnk_1\tA01\t4630\t2.1\t"
    first = df.iloc[0]
    assert (first["sample"], first["well"], first["plate"], first["position"]) == (
        "Unk_1",
        "A01",
        1,
        1,
    )
    assert (first["cpm"], first["error_pct"]) == (4630.0, 2.1)
    # " \tUnk_50\tA02\t25\t39.0\t": third plate (POS restarted at A01 twice before)
    unk50 = df[df["sample"] == "Unk_50"].iloc[0]
    assert (unk50["plate"], unk50["well"], unk50["position"], unk50["cpm"], unk50["error_pct"]) == (
        3,
        "A02",
        2,
        25.0,
        39.0,
    )
    # " \tUnk_336\tD06\t1342\t3.7\t": last well of plate 14, position 4*6 = 24 of the 4*6 cassette
    last = df.iloc[-1]
    assert (last["plate"], last["well"], last["position"], last["cpm"]) == (14, "D06", 24, 1342.0)
    # B01 of a 4 x 6 cassette is position 7: " \tUnk_7\tB01\t990\t4.3\t"
    assert df.iloc[6][["well", "position", "cpm"]].tolist() == ["B01", 7, 990.0]
    # "Counting protocol no: 16 ... Thu 19-Dec-2019  4:37" — the same run time on every row
    assert (df["measured_at"] == pd.Timestamp("2019-12-19 04:37")).all()
    assert df.attrs["protocol"] == "COPY_OF_H-3_KORTYZOL_5_MIN"
    assert df.attrs["protocol_no"] == "16"
    assert (df["isotope"] == "H-3").all() and df.attrs["isotope_source"] == "protocol name"
    assert df["counts"].isna().all() and df["count_time_s"].isna().all()
    # "Total count rate:   396987.2 CCPM"; the table shows integers, so the sum may differ by
    # up to half a count per well
    assert df.attrs["total_count_rate_ccpm"] == 396987.2
    assert abs(df["cpm"].sum() - 396987.2) <= 0.5 * len(df)


def test_two_plates_with_a_warning_line() -> None:
    with pytest.warns(DataQualityWarning, match="DETECTORS NOT NORMALIZED"):
        df = read_export(HERE / "two_plates.txt")
    assert df.attrs["warnings"] == ["DETECTORS NOT NORMALIZED"]
    assert df[["plate", "well", "position", "cpm"]].values.tolist() == [
        [1, "A01", 1, 1500.0],
        [1, "A02", 2, 1490.0],
        [1, "B01", 4, 35.0],  # B01 of a 2*3 cassette
        [2, "A01", 1, 820.0],
        [2, "A03", 3, 0.0],
    ]
    assert (df["measured_at"] == pd.Timestamp("2025-02-03 14:05")).all()
    assert (df["isotope"] == "I-125").all()
    assert df.attrs["total_count_rate_ccpm"] == 3845.0 == df["cpm"].sum()


def test_plates_come_from_the_grids_not_from_pos_order() -> None:
    # POS runs A01, A02, B01, B02 without restarting, but the grids put B01/B02 on plate 2
    df = read_export(HERE / "plates_by_grid.txt")
    assert df["plate"].tolist() == [1, 1, 2, 2]
    assert df["position"].tolist() == [1, 2, 4, 5]
    assert df["isotope"].eq("").all() and df.attrs["isotope_source"] == "not in the file"
    assert not math.isnan(df["cpm"].iloc[3])


def test_without_plates_section_pos_restarts_give_plates() -> None:
    df = read_export(HERE / "no_plates_section.txt")
    # POS A01, B01, A01, H12: the restart at A01 starts plate 2; H12 needs a 96-well format
    assert df["plate"].tolist() == [1, 1, 2, 2]
    assert df["position"].tolist() == [1, 13, 1, 96]
    assert df.attrs["plate_shape"].startswith("8*12, assumed")


def test_decimal_comma_and_a_second_grid() -> None:
    df = read_export(HERE / "decimal_comma.txt")
    assert df.attrs["decimal"] == ","
    assert df["well"].tolist() == ["A01", "A02", "B03"]
    assert df["position"].tolist() == [1, 2, 6]  # B03 of a 2*3 cassette
    assert df["cpm"].iloc[0] == 1500.5 and df["cpm"].iloc[2] == 12.25
    assert (
        math.isnan(df["cpm"].iloc[1]) and df["flag"].iloc[1] == "overflow"
    )  # OVRFLW in table and grid
    assert df["error_pct"].tolist() == [2.6, 0.0, 28.6]
    assert df.attrs["total_count_rate_ccpm"] == 1512.8  # "Total count rate:   1512,8 CCPM"
    assert (df["isotope"] == "C-14").all()


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("grid_mismatch.txt", 15, "35 in the COLUMNS table but 53 in the plate grid"),
        (
            "pct_mismatch.txt",
            12,
            "CCPM1% of well B03 on plate 1 is 28.6 in the COLUMNS table but 82,6",
        ),
        ("truncated.txt", 15, "truncated row"),
        ("missing_ccpm.txt", 12, "lacks 'CCPM1'; found 'SAMPLE', 'POS', 'CPM', 'CPM%'"),
        ("text_in_cpm.txt", 15, "CCPM1: expected a number, got 'n.d.'"),
        ("bad_date.txt", 4, "'Mon 31-Feb-2025 14:05' is not a valid date"),
        ("no_date.txt", 1, "has no run date"),
    ],
)
@pytest.mark.filterwarnings("ignore::assaykit.errors.DataQualityWarning")
def test_broken_reports(name: str, line: int, words: str) -> None:
    with pytest.raises(ParseError) as info:
        read_export(HERE / name)
    msg = str(info.value)
    assert name in msg and f"line {line}:" in msg and words in msg
