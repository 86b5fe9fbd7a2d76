"""Profile table: IC50 pooling by hand, values carried with n and uncertainty."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import SchemaError
from assaykit.radiochem.profile import analyze_profile, build_profile


def _binding():
    return pd.DataFrame(
        {
            "curve": ["A e1", "A e2", "A e3", "B"],
            "compound": ["A", "A", "A", "B"],
            "status": ["ok", "ok", "ok", "ok"],
            "ic50": [10e-9, 20e-9, 40e-9, 5e-9],
            "ic50_ci_low": [8e-9, 16e-9, 30e-9, 4e-9],
            "ic50_ci_high": [12e-9, 25e-9, 50e-9, 6e-9],
            "log_ic50": np.log10([10e-9, 20e-9, 40e-9, 5e-9]),
            "n": [30, 30, 30, 28],
        }
    )


def test_binding_pooled_geometric_mean_and_single_curve():
    prof = build_profile(binding=_binding()).set_index("compound")
    assert prof.loc["A", "ic50_nM"] == pytest.approx(20.0)  # geometric mean of 10, 20, 40
    sd = math.log10(2)  # log10 values step by log10(2): SD = log10(2)
    assert prof.loc["A", "log_ic50_sd"] == pytest.approx(sd)
    half = 4.302653 * sd / math.sqrt(3)
    assert prof.loc["A", "ic50_nM_ci_low"] == pytest.approx(20 * 10**-half, rel=1e-6)
    assert prof.loc["A", "ic50_n"] == 3 and "independent" in prof.loc["A", "ic50_n_counts"]
    assert prof.loc["B", "ic50_nM"] == pytest.approx(5.0) and prof.loc["B", "ic50_n"] == 28


def test_all_tables_joined_by_compound():
    logd = pd.DataFrame({"compound": ["A"], "logd": [-2.6], "logd_sd": [0.1], "n": [6]})
    ppb = pd.DataFrame({"compound": ["B"], "ppb_pct": [52.0], "ppb_pct_sd": [1.0], "n": [3]})
    uptake = pd.DataFrame(
        {
            "compound": ["A", "A"],
            "condition": ["tracer"] * 2,
            "time_min": [30.0, 60.0],
            "quantity": ["internalized_pct"] * 2,
            "n": [3, 3],
            "mean": [4.0, 6.0],
            "sd": [0.2, 0.3],
        }
    )
    res = analyze_profile(binding=_binding(), uptake=uptake, logd=logd, ppb=ppb)
    prof = res.main_table.set_index("compound")
    assert (
        prof.loc["A", "internalized_pct"] == 6.0
        and prof.loc["A", "internalized_pct_time_min"] == 60
    )
    assert prof.loc["A", "logd"] == -2.6 and prof.loc["A", "logd_n"] == 6
    assert prof.loc["B", "ppb_pct"] == 52.0 and math.isnan(prof.loc["B", "logd"])
    assert any("IC50 20 nM" in s for s in res.summary)


def test_failed_curves_are_left_out_with_a_note():
    b = _binding()
    b.loc[3, "status"] = "no_inhibition"
    res = analyze_profile(binding=b)
    prof = res.main_table.set_index("compound")
    assert math.isnan(prof.loc["B", "ic50_nM"]) and prof.loc["B", "ic50_note"] == "no_inhibition"
    assert res.qc["message"].str.contains("without status ok").any()


def test_nothing_given():
    with pytest.raises(SchemaError):
        build_profile()


def test_radiochemistry_columns_have_units():
    from assaykit.schema import column_unit

    assert column_unit("start_mm") == "mm"
    assert column_unit("net_counts") == "counts"
    assert column_unit("am_apparent_GBq_per_umol") == "GBq/µmol"
    assert column_unit("kd_M") == "M" and column_unit("conc_mM") == ""  # unchanged
