"""Generic plate_grid and tube_table readers on hand-written fixtures (values visible in the files)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assaykit.errors import DataQualityWarning, ParseError, UnsupportedFormatError
from assaykit.io import read_export
from tests.conftest import DATA, shared_path

GRID = DATA / "exports" / "plate_grid"
TUBES = DATA / "exports" / "tube_table"


def _cell(df: pd.DataFrame, plate: int, well: str, read: str | None = None) -> pd.Series:
    sel = (df["plate"] == plate) & (df["well"] == well)
    if read is not None:
        sel &= df["read"] == read
    rows = df[sel]
    assert len(rows) == 1
    return rows.iloc[0]


def test_stacked_semicolon_grids_with_decimal_comma() -> None:
    df = read_export(GRID / "two_plates_semicolon.csv")
    assert df.attrs["format"] == "plate_grid"
    assert (df.attrs["separator"], df.attrs["decimal"]) == (";", ",")
    assert len(df) == 192 and sorted(df["plate"].unique()) == [1, 2]
    # the same title twice: second grid is plate 2; the title "Counts (CPM)" gives the unit
    assert set(df["read"]) == {"Counts (CPM)"} and set(df["unit"]) == {"CPM"}
    assert _cell(df, 1, "A01")["value"] == 101.5  # "A;101,5;..."
    assert _cell(df, 1, "H11")["value"] == 811.5
    b07 = _cell(df, 1, "B07")  # "OVRFLW"
    assert math.isnan(b07["value"]) and b07["flag"] == "overflow" and b07["raw"] == "OVRFLW"
    h12 = _cell(df, 1, "H12")  # row H ends with an empty cell
    assert math.isnan(h12["value"]) and h12["flag"] == "empty"
    assert _cell(df, 2, "C05")["value"] == 1305.0


def test_384_tab_separated_untitled() -> None:
    df = read_export(GRID / "plate_384.tsv")
    assert len(df) == 384 and set(df["plate"]) == {1} and set(df["read"]) == {""}
    assert _cell(df, 1, "P24")["value"] == 1624.0  # row P (16th), column 24
    assert _cell(df, 1, "B07")["value"] == 207.0
    assert (df["flag"] == "").all()


def test_xlsx_reads_on_one_plate() -> None:
    df = read_export(GRID / "reads.xlsx")
    assert df.attrs["encoding"] == "xlsx"
    assert set(df["plate"]) == {1} and sorted(set(df["read"])) == ["A450", "A620"]
    assert _cell(df, 1, "C04", "A450")["value"] == pytest.approx(0.304)
    assert _cell(df, 1, "H12", "A620")["value"] == pytest.approx(1.812)


@pytest.mark.parametrize(
    ("name", "where", "words"),
    [
        (
            "text_cell.csv",
            "line 4, column 5",
            "well C04: expected a number, an instrument marker or an empty cell, got 'n.d.'",
        ),
        ("short_grid.csv", "line 1", "grid has 7 rows; a 12-column plate needs 8 rows"),
        ("bad_width.csv", "line 1", "grid header has 10 columns"),
        ("stray_line.csv", "line 10", "got 'Operator:', 'Jane'"),
        (
            "duplicate_plate.csv",
            "line 11",
            "a second grid for plate 1 (the first starts at line 1)",
        ),
    ],
)
def test_broken_grids(name: str, where: str, words: str) -> None:
    with pytest.raises(ParseError) as info:
        read_export(GRID / name)
    msg = str(info.value)
    assert f"{name}, {where}: " in msg and words in msg


def test_plater_layout_is_not_an_export() -> None:
    path = shared_path("instrument-exports", "layout-plater", "example-1.csv")
    with pytest.raises(UnsupportedFormatError, match="not a format assaykit recognises"):
        read_export(path)
    # forced, the text grid is reported at its first cell
    with pytest.raises(ParseError, match=r"line 2, column 2: well A01: expected a number.*got 'A'"):
        read_export(path, format="plate_grid")


def test_tube_table_csv() -> None:
    df = read_export(TUBES / "tubes.csv")
    assert df.attrs["format"] == "tube_table"
    # "1,2,nsb,310,295.2,60,2024-05-02 09:31:05,I-125,JB"
    row = df.iloc[1]
    assert (row["rack"], row["position"], row["sample"], row["counts"], row["cpm"]) == (
        1,
        2,
        "nsb",
        310.0,
        295.2,
    )
    assert (row["count_time_s"], row["isotope"], row["operator"]) == (60.0, "I-125", "JB")
    assert row["measured_at"] == pd.Timestamp("2024-05-02 09:31:05")
    assert len(df) == 3  # the blank line is skipped
    assert df.iloc[2]["cpm"] == -1.5 and df.iloc[2]["rack"] == 2


def test_tube_table_semicolon_never_computes_cpm() -> None:
    df = read_export(TUBES / "tubes_semicolon.csv")
    assert df.attrs["decimal"] == ","
    assert df["cpm"].iloc[0] == 1234.5 and df["count_time_s"].iloc[0] == 60.0
    assert (df["rack"] == 1).all() and df["counts"].isna().all()
    assert math.isnan(df["cpm"].iloc[1]) and df["flag"].iloc[1] == "overflow"
    assert df["measured_at"].iloc[0] == pd.Timestamp("2024-03-06 12:42:48")


def test_tube_table_xlsx() -> None:
    df = read_export(TUBES / "tubes.xlsx")
    assert df[["rack", "position", "cpm", "counts"]].values.tolist() == [
        [3, 1, 1500.25, 1501.0],
        [3, 2, 750.5, 751.0],
    ]
    assert df["measured_at"].tolist() == [
        pd.Timestamp("2024-07-01 08:00"),
        pd.Timestamp("2024-07-01 08:01"),
    ]
    assert (df["isotope"] == "Lu-177").all() and (df["count_time_s"] == 60.0).all()


@pytest.mark.parametrize(
    ("name", "where", "words"),
    [
        (
            "missing_cpm.csv",
            "line 1",
            "needs a cpm or counts column; the header has 'Tube', 'Sample', 'Time'",
        ),
        ("text_in_cpm.csv", "line 3, column 2", "CPM: expected a number, got 'lots'"),
        ("bad_timestamp.csv", "line 2, column 3", "cannot read the time stamp '03/06/2024 12:00'"),
        (
            "negative_counts.csv",
            "line 3, column 2",
            "Counts: expected a count of zero or more, got '-5'",
        ),
        ("truncated.csv", "line 3, column 4", "got an empty cell (truncated row?)"),
        ("ambiguous.csv", "line 1", "columns 'Pos' and 'Tube' both mean 'position'"),
    ],
)
def test_broken_tube_tables(name: str, where: str, words: str) -> None:
    with pytest.raises(ParseError) as info:
        read_export(TUBES / name)
    msg = str(info.value)
    assert f"{name}, {where}: " in msg and words in msg


def test_tube_table_missing_position_lists_what_is_required(tmp_path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("Sample,CPM\nx,1\n")
    with pytest.raises(
        ParseError,
        match=r"needs a position column \(position, pos, tube or vial\); the header has 'Sample', 'CPM'",
    ):
        read_export(p, format="tube_table")


@pytest.mark.parametrize(
    "late_rows", ["AA AB AC AD AE AF", "a b c d e f"], ids=["AA-AF", "bmg-a-f"]
)
def test_1536_grid_rows_beyond_z(tmp_path, late_rows: str) -> None:
    labels = [chr(65 + k) for k in range(26)] + late_rows.split()
    lines = ["," + ",".join(str(c) for c in range(1, 49))]
    lines += [
        f"{lab}," + ",".join(str(i * 100 + j) for j in range(1, 49))
        for i, lab in enumerate(labels, 1)
    ]
    p = tmp_path / "p1536.csv"
    p.write_text("\n".join(lines) + "\n")
    df = read_export(p)
    assert df.attrs["format"] == "plate_grid" and len(df) == 1536
    assert _cell(df, 1, "Z48")["value"] == 2648.0
    assert _cell(df, 1, "AA01")["value"] == 2701.0  # 27th row
    assert _cell(df, 1, "AF48")["value"] == 3248.0


# ------------------------------------------------------------------------------------------
# round trips: a grid / table written here with random numbers reads back to the same numbers

_values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 3))


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    width=st.sampled_from([12, 24]),
    sep=st.sampled_from([",", ";", "\t"]),
    data=st.data(),
)
def test_plate_grid_round_trip(tmp_path_factory, width: int, sep: str, data: st.DataObject) -> None:
    n_rows = {12: 8, 24: 16}[width]
    values = data.draw(st.lists(_values, min_size=n_rows * width, max_size=n_rows * width))
    comma = sep == ";"

    def fmt(x: float) -> str:
        s = repr(x)
        return s.replace(".", ",") if comma else s

    lines = [sep.join(["RFU"] + [str(c) for c in range(1, width + 1)])]
    for i in range(n_rows):
        lines.append(sep.join([chr(65 + i)] + [fmt(values[i * width + j]) for j in range(width)]))
    p = tmp_path_factory.mktemp("grid") / "g.csv"
    p.write_text("\n".join(lines) + "\n")
    df = read_export(p)
    assert df.attrs["format"] == "plate_grid"
    assert df["value"].tolist() == values  # row-major, like the file
    assert set(df["unit"]) == {"RFU"}


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cpms=st.lists(
        st.floats(min_value=0, max_value=1e7, allow_nan=False).map(lambda x: round(x, 2)),
        min_size=1,
        max_size=30,
    ),
    sep=st.sampled_from([",", ";"]),
)
def test_tube_table_round_trip(tmp_path_factory, cpms: list[float], sep: str) -> None:
    rows = ["Rack" + sep + "Position" + sep + "CPM"]
    for k, cpm in enumerate(cpms):
        text = repr(cpm).replace(".", ",") if sep == ";" else repr(cpm)
        rows.append(f"{k // 10 + 1}{sep}{k % 10 + 1}{sep}{text}")
    p = tmp_path_factory.mktemp("tubes") / "t.csv"
    p.write_text("\n".join(rows) + "\n")
    df = read_export(p)
    assert df["cpm"].tolist() == cpms
    assert df["rack"].tolist() == [k // 10 + 1 for k in range(len(cpms))]
    assert df["position"].tolist() == [k % 10 + 1 for k in range(len(cpms))]


def test_plate_grid_absent_row_read_and_reported() -> None:
    """Plate 1 lacks row C (values 1000 + 100 × row index + column); plate 2 is whole."""
    with pytest.warns(DataQualityWarning, match=r"plate 1, read 'CPM' \(line 1\): row C"):
        df = read_export(GRID / "absent_row.csv")
    assert df.attrs["format"] == "plate_grid" and len(df) == 192
    v = df.set_index(["plate", "well"])
    assert v.loc[(1, "D01"), "value"] == 1301  # the line after B is labelled D
    assert v.loc[(1, "H12"), "value"] == 1712
    assert v.loc[(1, "C05"), "flag"] == "absent" and math.isnan(v.loc[(1, "C05"), "value"])
    assert v.loc[(2, "C05"), "value"] == 2205
    assert df.attrs["absent"] == [
        {"where": "line 1", "grid": "plate 1, read 'CPM'", "rows": ["C"], "cols": []}
    ]


def test_plate_grid_1536_sparse_rows_tab_crlf() -> None:
    with pytest.warns(DataQualityWarning, match="rows B–F, H–L, N–R, T–X, Z–AD, AF"):
        df = read_export(GRID / "sparse_1536.tsv")
    assert df.attrs["format"] == "plate_grid" and len(df) == 1536
    v = df.set_index("well")
    assert v.loc["M48", "value"] == 1248 and v.loc["AE05", "value"] == 3005
    assert v.loc["S13", "flag"] == "empty" and v.loc["B01", "flag"] == "absent"
    assert (df.flag == "absent").sum() == 26 * 48


def test_plate_grid_duplicate_row_names_the_line() -> None:
    with pytest.raises(ParseError, match=r"line 4: row B follows row B"):
        read_export(GRID / "duplicate_row.csv")
