"""BMG MARS plate-format CSV reader: shared real exports and hand-written fixtures."""

from __future__ import annotations

import math

import pytest

from assaykit.errors import DataQualityWarning, ParseError
from assaykit.io import read_export
from tests.conftest import DATA, shared_path

FIX = DATA / "exports" / "bmg_mars"


def _value(df, read, well, plate=1):
    sel = df[(df.plate == plate) & (df.read == read) & (df.well == well)]
    assert len(sel) == 1, (plate, read, well, len(sel))
    return sel.iloc[0]


def test_pherastar_absorbance_96():
    df = read_export(shared_path("instrument-exports", "bmg-mars", "PHERAstar output file.CSV"))
    assert df.attrs["format"] == "bmg_mars"
    assert len(df) == 96 and set(df.read) == {"450"} and set(df.unit) == {"OD"}
    assert set(df.plate) == {1} and (df.flag == "").all()
    # row A: 1.691,1.557,...,1.641; row G ends 1.4; row H: 0.069 ... 0.884
    assert _value(df, "450", "A01").value == 1.691
    assert _value(df, "450", "A12").value == 1.641
    assert _value(df, "450", "G12").value == 1.4
    assert _value(df, "450", "H01").value == 0.069
    assert df.attrs["instrument"] == "BMG Labtech PHERAstar"
    assert df.attrs["test_name"] == "dsRNA ELISA"
    assert df.attrs["date"] == "6/18/2026" and df.attrs["time"] == "3:56:48 PM"
    assert df.attrs["id1"] == "20260618 dsRNA _PLATE_01_18Jun26"
    assert df.attrs["read_mode"] == "Absorbance"


def test_pherastar_fluorescence_384_partly_filled():
    df = read_export(
        shared_path("instrument-exports", "bmg-mars", "16-03-03 13-25-45 472 QC 384 FI.csv")
    )
    assert len(df) == 384 and set(df.read) == {"485/520"} and set(df.unit) == {"RFU"}
    assert _value(df, "485/520", "A01").value == 23864
    assert _value(df, "485/520", "C12").value == 2682
    assert _value(df, "485/520", "P24").value == 23949
    d1 = _value(df, "485/520", "D01")
    assert math.isnan(d1.value) and d1.flag == "empty"
    assert (df.flag == "").sum() == 68  # rows A-C and N-P hold 8 values, rows D-M hold 2
    assert df.attrs["test_run_no"] == "1"


def test_fixture_two_blocks_and_overflow():
    df = read_export(FIX / "two_blocks_overflow.csv")
    assert df.attrs["format"] == "bmg_mars"
    assert set(df.read) == {"485/520", "485/620"}
    assert len(df) == 2 * 96
    b4 = _value(df, "485/520", "B04")
    assert math.isnan(b4.value) and b4.flag == "overflow" and b4.raw == "overflow"
    assert _value(df, "485/620", "B04").value == 204
    assert _value(df, "485/620", "H10").value == 810
    assert _value(df, "485/620", "H11").flag == "empty"
    assert df.attrs["instrument"] == "BMG Labtech CLARIOstar"
    assert df.attrs["id2"] == "cells HEK"


def test_fixture_semicolon_decimal_comma():
    df = read_export(FIX / "semicolon_decimal_comma.csv")
    assert df.attrs["separator"] == ";" and df.attrs["decimal"] == ","
    assert _value(df, "450", "A01").value == 1.691
    assert _value(df, "450", "B09").value == 0.1
    assert _value(df, "450", "H12").value == 4.123
    assert df.attrs["instrument"] == "BMG Labtech FLUOstar Omega"


def test_fixture_1536_lower_case_rows():
    df = read_export(FIX / "plate1536.csv")
    assert len(df) == 1536 and set(df.unit) == {"RLU"} and set(df.read) == {"No filter"}
    assert _value(df, "No filter", "Z48").value == 2548  # row Z is the 26th row: 100*25 + 48
    assert _value(df, "No filter", "AA01").value == 2601  # 'a' → AA
    assert _value(df, "No filter", "AF10").value == 3110
    af11 = _value(df, "No filter", "AF11")  # row f is trimmed after 10 values
    assert math.isnan(af11.value) and af11.flag == "empty"


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("truncated.csv", 16, "cut off"),
        ("text_in_cell.csv", 12, "'high'"),
        ("no_data_block.csv", 6, "no data block"),
    ],
)
def test_broken_files(name, line, words):
    with pytest.raises(ParseError) as info:
        read_export(FIX / name)
    assert info.value.line == line and words in str(info.value) and name in str(info.value)


def test_missing_row_read_and_reported():
    """Row D is absent from the first block: other rows keep their labelled wells."""
    with pytest.warns(DataQualityWarning, match=r"block 'Raw Data \(485/520\)' \(line 9\): row D"):
        df = read_export(FIX / "missing_row.csv")
    assert _value(df, "485/520", "E01").value == 5001  # the line after C is labelled E
    assert _value(df, "485/520", "C12").value == 3012
    d05 = _value(df, "485/520", "D05")
    assert math.isnan(d05.value) and d05.flag == "absent"
    assert (df[df.read == "485/520"].flag == "absent").sum() == 12
    assert _value(df, "485/620", "D05").value == 405  # the second block is whole
    assert df.attrs["absent"][0]["rows"] == ["D"] and "row D" in df.attrs["warnings"][0]


def test_1536_only_some_rows_uneven_lines():
    """Rows A, G, M, S, Y, e only (CRLF, lines trimmed to 48/30/48/12/47/5 values).

    Values are 100 × row index + column (row A = 0, row e = AE = 30), so each one names its well.
    """
    with pytest.warns(DataQualityWarning, match=r"rows B–F, H–L, N–R, T–X, Z–AD, AF"):
        df = read_export(FIX / "plate1536_sparse_rows.csv")
    assert len(df) == 1536 and df.attrs["instrument"] == "BMG Labtech PHERAstar FSX"
    assert _value(df, "No filter", "A48").value == 48
    assert _value(df, "No filter", "G30").value == 630
    assert _value(df, "No filter", "S12").value == 1812
    assert _value(df, "No filter", "Y47").value == 2447
    assert _value(df, "No filter", "AE05").value == 3005  # lower-case 'e' is row AE
    assert _value(df, "No filter", "G31").flag == "empty"  # the line stops after 30 values
    assert _value(df, "No filter", "AE48").flag == "empty"
    for well in ("B01", "F48", "Z10", "AF01", "AD48"):
        row = _value(df, "No filter", well)
        assert math.isnan(row.value) and row.flag == "absent"
    counts = df.flag.value_counts()
    assert counts[""] == 48 + 30 + 48 + 12 + 47 + 5 and counts["absent"] == 26 * 48
    (note,) = df.attrs["absent"]
    assert note["where"] == "line 9" and note["cols"] == []
    assert note["rows"][:6] == ["B", "C", "D", "E", "F", "H"] and note["rows"][-1] == "AF"


def test_duplicate_row_label_names_the_line():
    with pytest.raises(ParseError) as info:
        read_export(FIX / "duplicate_row.csv")
    assert info.value.line == 11 and "row C follows row C" in str(info.value)


def _mars(tmp_path, header_cols, rows):
    lines = [
        "User: LAB,Path: C:\\BMG\\CLARIOstar\\User\\Data,Test run no.: 1",
        "Absorbance",
        "Raw Data (450)",
        "," + ",".join(str(c) for c in header_cols),
    ]
    lines += [r + "," + ",".join(cells) for r, cells in rows]
    p = tmp_path / "grid.csv"
    p.write_text("\r\n".join(lines) + "\r\n")
    return p


def test_absent_columns_reported(tmp_path):
    """A header 1–4, 7–12 skips columns 5–6: each value keeps its header's column, 5–6 are absent."""
    cols = [1, 2, 3, 4, 7, 8, 9, 10, 11, 12]
    rows = [(r, [f"{i}.{c:02d}" for c in cols]) for i, r in enumerate("ABCDEFGH", start=1)]
    with pytest.warns(DataQualityWarning, match=r"\(line 4\): columns 5–6"):
        df = read_export(_mars(tmp_path, cols, rows))
    assert len(df) == 96 and (df.flag == "absent").sum() == 16
    assert _value(df, "450", "A04").value == 1.04 and _value(df, "450", "A07").value == 1.07
    assert _value(df, "450", "H12").value == 8.12
    assert _value(df, "450", "C05").flag == "absent" and _value(df, "450", "C06").flag == "absent"
    assert df.attrs["absent"][0]["cols"] == [5, 6] and df.attrs["absent"][0]["rows"] == []


def test_header_of_other_width_is_a_window(tmp_path, recwarn):
    """A header 1–10 does not say the plate: nothing beyond it is invented or reported."""
    cols = list(range(1, 11))
    rows = [(r, ["0.5"] * 10) for r in "ABCDEFGH"]
    df = read_export(_mars(tmp_path, cols, rows))
    assert len(df) == 80 and (df.flag == "").all() and "absent" not in df.attrs
    assert not [w for w in recwarn if issubclass(w.category, DataQualityWarning)]


def test_value_beyond_the_header_names_the_line(tmp_path):
    cols = list(range(1, 13))
    rows = [(r, ["0.5"] * (13 if r == "C" else 12)) for r in "ABCDEFGH"]
    with pytest.raises(ParseError) as info:
        read_export(_mars(tmp_path, cols, rows))
    assert info.value.line == 7 and "beyond the header's last column 12" in str(info.value)
