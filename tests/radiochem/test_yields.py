"""Yields and molar activity against hand computations with DOMAIN §3.2 half-lives."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from assaykit.errors import SchemaError
from assaykit.radiochem.yields import analyze_yield, molar_activity, radiochemical_yield

GA68_MIN = 67.71  # DOMAIN.md §3.2 (ICRP-107)
LU177_D = 6.647
T0 = pd.Timestamp("2026-03-02 09:00")


def test_rcy_and_activity_yield_ga68_by_hand():
    # 1000 MBq 68Ga at the start, 420 MBq product 35 min later
    table = pd.DataFrame(
        {
            "synthesis": ["s1"],
            "isotope": ["Ga-68"],
            "start_activity_MBq": [1000.0],
            "start_time": [T0],
            "product_activity_MBq": [420.0],
            "product_time": [T0 + pd.Timedelta(minutes=35)],
            "precursor_amount_nmol": [20.0],
            "product_amount_nmol": [2.0],
        }
    )
    r = analyze_yield(table).main_table.iloc[0]
    hand_rcy = 100 * 420 * 2 ** (35 / GA68_MIN) / 1000
    assert r["rcy_pct"] == pytest.approx(hand_rcy, rel=1e-9)
    assert r["rcy_pct"] == pytest.approx(60.0973, abs=1e-4)
    assert r["activity_yield_pct"] == pytest.approx(42.0)
    # Am stated at the end of synthesis: 420 MBq / 2 nmol = 210 GBq/µmol; apparent: /20 nmol
    assert r["am_GBq_per_umol"] == pytest.approx(210.0)
    assert r["am_apparent_GBq_per_umol"] == pytest.approx(21.0)


def test_molar_activity_lu177_decay_corrected_to_stated_time():
    # 1.0 GBq 177Lu on 10 nmol precursor measured at T0, stated one day later (DOMAIN #4: 1.10991)
    table = pd.DataFrame(
        {
            "synthesis": ["lu"],
            "isotope": ["177Lu"],
            "start_activity_MBq": [1100.0],
            "start_time": [T0 - pd.Timedelta(minutes=30)],
            "product_activity_MBq": [1000.0],
            "product_time": [T0],
            "precursor_amount_nmol": [10.0],
            "reference_time": [T0 + pd.Timedelta(days=1)],
        }
    )
    r = analyze_yield(table).main_table.iloc[0]
    assert r["am_apparent_GBq_per_umol"] == pytest.approx(100 / 1.10991, rel=1e-5)
    assert r["am_apparent_GBq_per_umol"] == pytest.approx(100 * 2 ** (-1 / LU177_D), rel=1e-9)
    assert math.isnan(r["am_GBq_per_umol"])


def test_one_half_life_rcy_and_units():
    assert radiochemical_yield(
        500e6, T0 + pd.Timedelta(minutes=GA68_MIN), 1000e6, T0, "68Ga"
    ) == pytest.approx(100.0)
    assert molar_activity(81.4e9, 1e-6) == pytest.approx(81.4)


def test_summary_over_syntheses_and_errors():
    table = pd.DataFrame(
        {
            "synthesis": ["a", "b", "c"],
            "isotope": ["Ga-68"] * 3,
            "start_activity_MBq": [1000.0] * 3,
            "start_time": [T0] * 3,
            "product_activity_MBq": [500.0, 600.0, 700.0],
            "product_time": [T0] * 3,
        }
    )
    res = analyze_yield(table)
    s = res.tables["summary"].set_index("quantity").loc["rcy_pct"]
    assert s["mean"] == pytest.approx(60.0) and s["sd"] == pytest.approx(10.0) and s["n"] == 3
    assert s["ci_low"] == pytest.approx(60 - 4.302653 * 10 / math.sqrt(3), rel=1e-5)
    bad = table.assign(product_time=[T0 - pd.Timedelta(minutes=1)] * 3)
    with pytest.raises(SchemaError, match="synthesis a .row 1.: the product was measured before"):
        analyze_yield(bad)
