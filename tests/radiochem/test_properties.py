"""Compound properties: DOMAIN §8.6 logD check, PPB/efflux by hand, stability fit vs R nls."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import SchemaError
from assaykit.radiochem.properties import (
    analyze_efflux,
    analyze_logd,
    analyze_ppb,
    analyze_stability,
)

REF = Path(__file__).resolve().parents[1] / "data" / "reference" / "radiochem"


def test_logd_domain_check():
    t = pd.DataFrame({"compound": ["A"], "octanol_cpm": [1200.0], "buffer_cpm": [480000.0]})
    r = analyze_logd(t).main_table.iloc[0]
    assert r["logd"] == pytest.approx(-2.60, abs=0.005)
    assert r["logd"] == pytest.approx(math.log10(1 / 400))
    assert r["status"] == "insufficient_data"  # one replicate: no SD


def test_logd_replicates_volumes_and_sd():
    t = pd.DataFrame(
        {
            "compound": ["A"] * 3,
            "octanol_cpm": [1200.0, 1000.0, 1500.0],
            "buffer_cpm": [480000.0] * 3,
            "octanol_volume_uL": [50.0] * 3,
            "buffer_volume_uL": [100.0] * 3,
        }
    )
    r = analyze_logd(t).main_table.iloc[0]
    vals = [math.log10((c / 50) / (480000 / 100)) for c in (1200, 1000, 1500)]
    assert r["logd"] == pytest.approx(np.mean(vals))
    assert r["logd_sd"] == pytest.approx(np.std(vals, ddof=1))
    assert r["n"] == 3 and r["status"] == "ok"
    assert r["logd_ci_low"] == pytest.approx(
        np.mean(vals) - 4.302653 * np.std(vals, ddof=1) / math.sqrt(3), rel=1e-6
    )


def test_ppb_with_filter_correction():
    t = pd.DataFrame(
        {
            "compound": ["A", "A"],
            "free_cpm": [4800.0, 4800.0],
            "total_cpm": [10000.0, 10000.0],
            "filter_binding_pct": [0.0, 20.0],
        }
    )
    rep = analyze_ppb(t).tables["replicates"]
    assert rep["ppb_pct"].tolist() == pytest.approx([52.0, 40.0])  # 4800/0.8 = 6000 free


def test_efflux_fraction():
    t = pd.DataFrame(
        {
            "compound": ["A"] * 2,
            "time_min": [30.0, 30.0],
            "medium_cpm": [2000.0, 3000.0],
            "surface_cpm": [1000.0, 1000.0],
            "internal_cpm": [7000.0, 6000.0],
        }
    )
    r = analyze_efflux(t).main_table.iloc[0]
    assert r["externalized_pct"] == pytest.approx(25.0)
    assert r["externalized_pct_sd"] == pytest.approx(math.sqrt(50))


def test_stability_half_life_matches_r_nls():
    ref = pd.read_csv(REF / "values.csv").set_index("param")
    t = [0, 0, 30, 30, 60, 60, 120, 120, 240, 240]
    y = [99.1, 98.4, 93.0, 94.2, 88.9, 87.7, 79.5, 80.6, 64.1, 65.3]
    res = analyze_stability(
        pd.DataFrame({"compound": "A", "medium": "serum", "time_min": t, "pct_intact": y})
    )
    r = res.main_table.iloc[0]
    assert r["status"] == "ok"
    assert r["k_per_min"] == pytest.approx(ref.loc["k", "estimate"], rel=1e-5)
    assert r["y0_pct"] == pytest.approx(ref.loc["y0", "estimate"], rel=1e-6)
    assert r["k_per_min_se"] == pytest.approx(ref.loc["k", "se"], rel=1e-4)
    assert r["k_per_min_ci_low"] == pytest.approx(ref.loc["k", "ci_low"], rel=1e-3)
    assert r["k_per_min_ci_high"] == pytest.approx(ref.loc["k", "ci_high"], rel=1e-3)
    assert r["t_half_min"] == pytest.approx(math.log(2) / ref.loc["k", "estimate"], rel=1e-5)
    assert r["t_half_min_ci_low"] == pytest.approx(math.log(2) / ref.loc["k", "ci_high"], rel=1e-3)
    assert len(res.tables["points"]) == 5


def test_stable_compound_gets_no_half_life():
    t = [0, 60, 120, 240] * 2
    y = [99.0, 99.2, 98.9, 99.1, 98.8, 99.0, 99.3, 98.9]
    r = analyze_stability(
        pd.DataFrame({"compound": "B", "time_min": t, "pct_intact": y})
    ).main_table.iloc[0]
    assert r["status"] == "stable"
    assert math.isnan(r["t_half_min"])


def test_missing_column_and_text_are_schema_errors():
    with pytest.raises(SchemaError, match="lacks columns buffer_cpm"):
        analyze_logd(pd.DataFrame({"compound": ["A"], "octanol_cpm": [1.0]}))
    with pytest.raises(SchemaError, match="row 2: octanol_cpm is not a number"):
        analyze_logd(
            pd.DataFrame(
                {"compound": ["A", "A"], "octanol_cpm": [1.0, np.nan], "buffer_cpm": [2.0, 2.0]}
            )
        )


def test_stability_from_purity_results():
    purity = pd.DataFrame(
        {"compound": "A", "time_min": [0, 60, 120, 240], "rcp_pct": [99.0, 90.0, 82.0, 67.0]}
    )
    r = analyze_stability(purity).main_table.iloc[0]
    assert r["status"] == "ok" and 300 < r["t_half_min"] < 600
