"""Kd from a saturation fit flows into Ki: kd_from_results and a Ki CI carrying Kd's uncertainty."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from assaykit.binding.ki import kd_from_results, ki_table
from assaykit.binding.saturation import fit_saturation
from assaykit.errors import FitError


def _fits() -> pd.DataFrame:
    lg = math.log10(24.8e-9)
    return pd.DataFrame(
        {
            "curve": ["A"],
            "ic50": [24.8e-9],
            "log_ic50": [lg],
            "log_ic50_ci_low": [lg - 0.1],
            "log_ic50_ci_high": [lg + 0.1],
            "hill": [-1.0],
            "status": ["ok"],
        }
    )


def test_ki_ci_from_kd_ci_by_hand():
    # [L] = Kd = 1 nM → factor 2, Ki = 12.4 nM; d log Ki / d log Kd = 0.5;
    # Kd CI 0.5–2 nM → SE(log Kd) = log10(4)/(2z) → Kd half-width z·0.5·SE = log10(4)/4
    out = ki_table(_fits(), radioligand_conc=1e-9, kd=1e-9, kd_ci=(0.5e-9, 2e-9)).iloc[0]
    hw = math.hypot(0.1, math.log10(4) / 4)
    assert out["ki"] == pytest.approx(12.4e-9, rel=1e-12)
    assert out["ki_ci_low"] == pytest.approx(12.4e-9 * 10**-hw, rel=1e-10)
    assert out["ki_ci_high"] == pytest.approx(12.4e-9 * 10**hw, rel=1e-10)
    # without the Kd's uncertainty the CI is the IC50's, shifted
    plain = ki_table(_fits(), radioligand_conc=1e-9, kd=1e-9).iloc[0]
    assert plain["ki_ci_high"] == pytest.approx(12.4e-9 * 10**0.1, rel=1e-10)
    assert out["ki_ci_high"] > plain["ki_ci_high"]


def test_kd_from_saturation_table_end_to_end():
    rng = np.random.default_rng(11)
    x = np.repeat([0.25, 0.5, 1, 2, 4, 8, 16], 3)
    d = pd.concat(
        [
            pd.DataFrame(
                {
                    "conc_M": x * 1e-9,
                    "response": rng.normal(2000 * x / (2 + x) + 50 * x, 25),
                    "kind": "total",
                }
            ),
            pd.DataFrame({"conc_M": x * 1e-9, "response": rng.normal(50 * x, 25), "kind": "nsb"}),
        ]
    )
    table = fit_saturation(d, compare_two_sites=False)
    kd, lo, hi, src = kd_from_results(table)
    assert lo < kd < hi and 1.5e-9 < kd < 2.5e-9
    assert "total-nsb" in src and "profile" in src
    out = ki_table(_fits(), radioligand_conc=0.1e-9, kd=kd, kd_ci=(lo, hi)).iloc[0]
    assert out["ki_ci_low"] < out["ki"] < out["ki_ci_high"]


def test_kd_from_results_refuses_a_failed_curve():
    t = pd.DataFrame(
        {
            "curve": ["A", "B"],
            "status": ["ok", "no_plateau"],
            "message": ["", "highest conc below 3 × Kd"],
            "kd_M": [2e-9, np.nan],
            "kd_M_ci_low": [1e-9, np.nan],
            "kd_M_ci_high": [3e-9, np.nan],
        }
    )
    with pytest.raises(FitError, match="2 curves"):
        kd_from_results(t)
    with pytest.raises(FitError, match="status 'no_plateau': highest conc"):
        kd_from_results(t, "B")
    assert kd_from_results(t, "A")[0] == 2e-9
