"""Saturation template, its reader (errors name the cell) and counts → tube table; bundled example."""

from __future__ import annotations

import math

import numpy as np
import openpyxl
import pandas as pd
import pytest

from assaykit.binding.saturation_analysis import analyze_saturation
from assaykit.datasets.saturation import EXPORT, LAYOUT, make_example
from assaykit.errors import LayoutError, OutputError
from assaykit.io import read_export
from assaykit.layout.saturation import (
    read_saturation_layout,
    saturation_data,
    setup_from_experiment,
    write_saturation_template,
)


def _tubes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rack": [1, 1, 1, 1, 1, 1],
            "position": [1, 2, 3, 4, 5, 6],
            "role": ["blank", "standard", "total", "total", "nsb", "nsb"],
            "conc": [math.nan, 2.0, 2.0, 2.0, 2.0, 2.0],
            "unit": [None, "nM", "nM", "nM", "nM", "nM"],
            "replicate": [1, 1, 1, 2, 1, 2],
        }
    )


def test_template_round_trip(tmp_path):
    exp = {
        "isotope": "Ga-68",
        "molar_activity": (2200.0, "Ci/mmol"),
        "efficiency": 0.8,
        "molar_activity_time": "2026-04-02 14:00",
        "cells_per_tube": 2e5,
        "protein_per_tube": (50.0, "µg"),
        "volume": (250.0, "µL"),
    }
    p = write_saturation_template(tmp_path / "s.xlsx", tubes=_tubes(), experiment=exp)
    with pytest.raises(OutputError):
        write_saturation_template(p)
    lay = read_saturation_layout(p)
    assert lay["role"].tolist() == ["blank", "standard", "total", "total", "nsb", "nsb"]
    assert math.isnan(lay["conc_M"].iloc[0]) and lay["conc_M"].iloc[1] == 2e-9
    e = lay.attrs["experiment"]
    assert e["molar_activity_GBq_per_umol"] == pytest.approx(81.4)  # 2200 × 0.037
    assert e["protein_per_tube_mg"] == pytest.approx(0.05)
    assert e["volume_L"] == pytest.approx(250e-6)
    assert e["molar_activity_time"] == pd.Timestamp("2026-04-02 14:00")
    s = setup_from_experiment(e)
    assert s.dpm_per_fmol == pytest.approx(4884)


@pytest.mark.parametrize(
    ("cell", "value", "match", "where"),
    [
        ("C4", "totl", "did you mean 'total'", "Tubes!C4"),
        ("D4", None, "needs its radioligand concentration", "Tubes!D4"),
        ("D2", 1.0, "blank tube has no radioligand", "Tubes!D2"),
        ("B4", 2, "listed twice", "Tubes!B4"),
        ("E4", "furlong", "unknown unit", "Tubes!E4"),
    ],
)
def test_reader_names_the_cell(tmp_path, cell, value, match, where):
    p = write_saturation_template(tmp_path / "s.xlsx", tubes=_tubes())
    wb = openpyxl.load_workbook(p)
    wb["Tubes"][cell] = value
    wb.save(p)
    with pytest.raises(LayoutError, match=match) as err:
        read_saturation_layout(p)
    assert err.value.location == where
    assert str(p) in str(err.value)


def test_reader_rejects_bad_efficiency(tmp_path):
    p = write_saturation_template(
        tmp_path / "s.xlsx", tubes=_tubes(), experiment={"efficiency": 1.5}
    )
    with pytest.raises(LayoutError, match="Counter efficiency") as err:
        read_saturation_layout(p)
    assert err.value.location.startswith("Experiment!B")


def test_saturation_data_background_standards_and_decay(tmp_path):
    p = write_saturation_template(
        tmp_path / "s.xlsx",
        tubes=_tubes(),
        experiment={"isotope": "Ga-68", "molar_activity_time": "2026-04-02 14:00"},
    )
    lay = read_saturation_layout(p)
    t0 = pd.Timestamp("2026-04-02 14:00")
    counts = pd.DataFrame(
        {
            "rack": [1] * 6,
            "position": [1, 2, 3, 4, 5, 6],
            "cpm": [40.0, 10040.0, 1040.0, 1140.0, 240.0, 260.0],
            "measured_at": [t0] * 5 + [t0 + pd.Timedelta(minutes=67.71)],
        }
    )
    before = counts.copy()
    d = saturation_data(counts, lay)
    pd.testing.assert_frame_equal(counts, before)
    # net = cpm − 40 (one blank); the last tube was counted one 68Ga half-life later → × 2
    assert d["response"].round(6).tolist() == [1000.0, 1100.0, 200.0, 440.0]
    assert d["kind"].tolist() == ["total", "total", "nsb", "nsb"]
    assert (d["added_cpm"] == 10000.0).all()
    assert d.attrs["decay_corrected"] and d.attrs["background_cpm"] == 40.0


def test_saturation_data_names_missing_tubes(tmp_path):
    lay = read_saturation_layout(write_saturation_template(tmp_path / "s.xlsx", tubes=_tubes()))
    counts = pd.DataFrame({"rack": [1, 1], "position": [1, 2], "cpm": [1.0, 2.0]})
    with pytest.raises(LayoutError, match="rack 1 pos 3"):
        saturation_data(counts, lay)


def test_bundled_example_recovers_truth():
    from assaykit.datasets.saturation import make_example as mk

    lay = read_saturation_layout(LAYOUT)
    d = saturation_data(read_export(EXPORT), lay)
    res = analyze_saturation(d, setup=setup_from_experiment(lay.attrs["experiment"]))
    r = res.main_table.iloc[0]
    assert r["status"] == "ok"
    assert r["kd_M_ci_low"] < mk.TRUE_KD_M < r["kd_M_ci_high"]
    assert r["sites_per_cell_ci_low"] < mk.TRUE_SITES_PER_CELL < r["sites_per_cell_ci_high"]
    assert r["max_fraction_bound"] < 0.10


def test_example_generator_is_reproducible(tmp_path):
    export, _ = make_example.make_example(tmp_path)
    assert export.read_text() == EXPORT.read_text()
    assert np.isfinite(make_example.TRUE_BMAX_FMOL)


def test_example_qc_says_how_counts_were_corrected():
    lay = read_saturation_layout(LAYOUT)
    d = saturation_data(read_export(EXPORT), lay)
    res = analyze_saturation(d, setup=setup_from_experiment(lay.attrs["experiment"]))
    text = " ".join(res.qc["message"])
    assert "decay-corrected to 2026-04-02 14:00:00 (I-125)" in text
    assert "cpm subtracted" in text
