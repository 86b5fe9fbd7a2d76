"""Radiochemistry templates: write → fill → read, and errors naming the cell."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from assaykit.errors import LayoutError
from assaykit.layout.radiochem import (
    TEMPLATE_COLUMNS,
    is_radiochem_template,
    read_radiochem_template,
    write_radiochem_template,
)
from assaykit.run.radiochem import run_properties


@pytest.mark.parametrize("kind", list(TEMPLATE_COLUMNS))
def test_every_template_has_its_columns(tmp_path, kind):
    p = write_radiochem_template(tmp_path / f"{kind}.xlsx", kind)
    assert is_radiochem_template(p)
    header = [c.value for c in load_workbook(p)["Data"][1]]
    assert header == [c for c, *_ in TEMPLATE_COLUMNS[kind]]


def test_filled_logd_template_runs(tmp_path):
    rows = [["A", i, c, 480000, 100, 100] for i, c in enumerate((1200, 1150, 1250), start=1)]
    p = write_radiochem_template(tmp_path / "logd.xlsx", "logd", rows=rows)
    r = run_properties("logd", p, tmp_path / "out", figures=False).results.iloc[0]
    assert r["n"] == 3 and -2.65 < r["logd"] < -2.55


@pytest.mark.parametrize(
    "row,match",
    [
        (["A", 1, "lots", 480000], r"Data!C2.*octanol_cpm: 'lots' is not a number"),
        (["A", 1, None, 480000], r"Data!C2.*octanol_cpm is empty"),
        (["A", 1, -5, 480000], r"Data!C2.*negative"),
    ],
)
def test_bad_cells_are_named(tmp_path, row, match):
    p = write_radiochem_template(tmp_path / "logd.xlsx", "logd", rows=[row])
    with pytest.raises(LayoutError, match=match):
        read_radiochem_template(p)


def test_yield_template_times(tmp_path):
    p = write_radiochem_template(
        tmp_path / "y.xlsx",
        "yield",
        rows=[["s1", "Ga-68", 1000, "2026-03-02 09:00", 500, "not a time"]],
    )
    with pytest.raises(LayoutError, match=r"Data!F2.*product_time"):
        read_radiochem_template(p)
