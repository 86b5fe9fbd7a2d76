"""Frequentist check: the 95 % Wald CI of logIC50 covers the truth ~95 % of the time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assaykit.binding import fit_curves, four_pl


@pytest.mark.slow
def test_wald_ci_coverage_of_log_ic50() -> None:
    """2,000 simulated competition curves (12 conc × 3 replicates), fitted in one batch."""
    rng = np.random.default_rng(20261124)
    reps, truth = 2000, -8.0
    lx = np.repeat(np.linspace(-11.0, -5.5, 12), 3)
    y = four_pl(lx, 100.0, 5.0, truth, -1.0) + rng.normal(0, 6.0, (reps, lx.size))
    df = pd.DataFrame(
        {
            "curve": np.repeat(np.arange(reps), lx.size),
            "conc": np.tile(10.0**lx, reps),
            "response": y.ravel(),
        }
    )
    res = fit_curves(df)
    assert (res["status"] == "ok").mean() > 0.99
    covered = (res["log_ic50_ci_low"] <= truth) & (truth <= res["log_ic50_ci_high"])
    coverage = covered.mean()  # curves without a CI count as misses
    assert 0.93 <= coverage <= 0.97, coverage
    # and the estimator is unbiased to well within its spread
    assert abs(res["log_ic50"].mean() - truth) < 0.01
