"""Absent rows of labelled grids, across readers: each value in its labelled well, the rest 'absent'.

The xlsx cases start from the hand-written fixtures and delete one grid row with openpyxl (so the
expected values are the fixture's own cells); the hypothesis case writes MARS grids of 96, 384 and
1536 wells with a random subset of rows, each value = 100 × row index + column.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assaykit.errors import DataQualityWarning, ParseError
from assaykit.io import read_export
from assaykit.io._absent import describe
from assaykit.plate import PLATE_SHAPES, row_label
from tests.conftest import DATA

EXPORTS = DATA / "exports"


def _edited(src: Path, dst: Path, edit) -> Path:
    wb = openpyxl.load_workbook(src)
    edit(wb.worksheets[0])
    wb.save(dst)
    return dst


def _row_c_after(ws, header_first: object, second: object = None) -> int:
    """1-based sheet row of row C of the first grid whose header row starts with these cells."""
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 1).value == header_first and (
            second is None or ws.cell(r, 2).value == second
        ):
            assert ws.cell(r + 3, 1).value == "C"
            return r + 3
    raise AssertionError("grid header not found")


def _cell(df, well, read=None, plate=1):
    sel = df[(df.plate == plate) & (df.well == well)]
    if read is not None:
        sel = sel[sel.read == read]
    assert len(sel) == 1, (well, read, plate, len(sel))
    return sel.iloc[0]


def test_skanit_grid_without_row_c(tmp_path: Path):
    p = _edited(  # row C of plate 1 at 450 nm (the first 'Abs' grid)
        EXPORTS / "skanit" / "two_wavelengths.xlsx",
        tmp_path / "s.xlsx",
        lambda ws: ws.delete_rows(_row_c_after(ws, "Abs")),
    )
    read = "Absorbance 1 (450 nm)"
    with pytest.warns(DataQualityWarning, match=r"plate 1, 'Absorbance 1 \(450 nm\)' .*: row C"):
        df = read_export(p)
    assert _cell(df, "D01", read).value == 1.3 and _cell(df, "B02", read).value == 1.11
    c = df[(df.plate == 1) & (df.read == read) & (df.row == "C")]
    assert len(c) == 12 and (c.flag == "absent").all() and c.value.isna().all()
    assert _cell(df, "C01", read, plate=2).value == 2.2  # plate 2 is whole
    assert df.attrs["absent"][0]["where"].startswith("sheet 'Absorbance 1_01', cell A")


def test_skanit_duplicate_row_names_the_cell(tmp_path: Path):
    p = _edited(
        EXPORTS / "skanit" / "two_wavelengths.xlsx",
        tmp_path / "s.xlsx",
        lambda ws: ws.cell(row=_row_c_after(ws, "Abs"), column=1, value="B"),
    )
    wb = openpyxl.load_workbook(EXPORTS / "skanit" / "two_wavelengths.xlsx")
    line = _row_c_after(wb.worksheets[0], "Abs")
    with pytest.raises(ParseError) as info:
        read_export(p)
    msg = str(info.value)
    assert "row B follows row B" in msg and f"cell A{line}" in msg and "\n" not in msg


def test_smart_control_grid_without_row_c(tmp_path: Path):
    def edit(ws):  # row C of the second grid (after '1. Layout'): '2. Raw Data (485/520)'
        first = _row_c_after(ws, None, 1)
        for r in range(first, ws.max_row + 1):
            if ws.cell(r, 1).value is None and ws.cell(r, 2).value == 1 and r > first:
                ws.delete_rows(r + 3)
                return
        raise AssertionError("raw data grid not found")

    p = _edited(EXPORTS / "bmg_smart_control" / "grids_only.xlsx", tmp_path / "g.xlsx", edit)
    with pytest.warns(DataQualityWarning, match=r"grid 'Raw Data \(485/520\)'.*: row C"):
        df = read_export(p)
    assert _cell(df, "D01").value == 4200 and _cell(df, "B07").value == 2800
    c05 = _cell(df, "C05")
    assert math.isnan(c05.value) and c05.flag == "absent"
    assert df.attrs["absent"][0]["rows"] == ["C"]


def test_spark_absent_row_only_within_part_of_plate(tmp_path: Path):
    p = _edited(  # Part of Plate is B2-C3
        EXPORTS / "tecan_spark" / "endpoint.xlsx",
        tmp_path / "e.xlsx",
        lambda ws: ws.delete_rows(_row_c_after(ws, "<>")),
    )
    with pytest.warns(DataQualityWarning, match=r"label 'Label 1'.*: row C"):
        df = read_export(p)
    assert _cell(df, "B02").value == 12345.0
    assert sorted(df[df.flag == "absent"].well) == ["C02", "C03"]  # outside the part: left out
    assert len(df) == 4


# --------------------------------------------------------------------------------------------
# invariant over plate sizes and row subsets (BMG MARS text grids)


def _mars_text(n_wells: int, present: list[int], short: dict[int, int]) -> str:
    n_rows, n_cols = PLATE_SHAPES[n_wells]
    lines = [
        "User: U,Path: C:\\BMG\\PHERAstar\\User\\Data,Test run no.: 1",
        "Luminescence",
        "Raw Data (No filter)",
        "," + ",".join(str(c) for c in range(1, n_cols + 1)),
    ]
    for i in present:
        label = row_label(i) if i < 26 else "abcdef"[i - 26]
        n = short.get(i, n_cols)
        lines.append(label + "," + ",".join(str(100 * i + c) for c in range(1, n + 1)))
    lines.append("")
    lines.append("Exported with MARS")  # so that no subset looks like a file cut off
    return "\r\n".join(lines) + "\r\n"


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), n_wells=st.sampled_from([96, 384, 1536]))
def test_any_row_subset_keeps_labelled_wells(tmp_path_factory, data, n_wells):
    n_rows, n_cols = PLATE_SHAPES[n_wells]
    present = sorted(
        data.draw(st.sets(st.integers(0, n_rows - 1), min_size=1, max_size=n_rows), label="rows")
    )
    short = {present[0]: data.draw(st.integers(1, n_cols), label="first row length")}
    p = tmp_path_factory.mktemp("mars") / "grid.csv"
    p.write_text(_mars_text(n_wells, present, short))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = read_export(p)
    assert len(df) == n_wells
    missing = [i for i in range(n_rows) if i not in present]
    absent = df[df.flag == "absent"]
    assert len(absent) == len(missing) * n_cols and absent.value.isna().all()
    values = df[df.flag == ""]
    assert len(values) == len(present) * n_cols - (n_cols - short[present[0]])
    # every value names its own well: 100 × row index + column
    from assaykit.plate import ij_from_well

    ij = [ij_from_well(w) for w in values.well]
    assert [100 * i + j + 1 for i, j in ij] == list(values.value.astype(int))
    quality = [w for w in caught if issubclass(w.category, DataQualityWarning)]
    if missing:
        assert len(quality) == 1 and describe(missing, []) in str(quality[0].message)
    else:
        assert not quality and "absent" not in df.attrs
