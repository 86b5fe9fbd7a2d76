"""Standards assigned per condition in the template are used per condition (issue 19).

Hand computation (DOMAIN §6 #13 arithmetic, internalized % = 100 · L / T):
tracer standards 100 000 cpm, blocked standards 60 000 cpm; tracer well L = 1 428 cpm →
1.428 % with its own standards, 1.785 % if both conditions' standards were pooled (80 000).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import LayoutError
from assaykit.uptake import per_well


def _tubes(std_conditions: list[str]) -> pd.DataFrame:
    n = len(std_conditions)
    std_cpm = [100_000.0 if c in ("tracer", "") else 60_000.0 for c in std_conditions]
    return pd.DataFrame(
        {
            "role": ["standard"] * n + ["sample"] * 6,
            "fraction": [""] * n + ["supernatant", "surface", "internalized"] * 2,
            "condition": std_conditions + ["tracer"] * 3 + ["blocked"] * 3,
            "time_min": [np.nan] * n + [60.0] * 6,
            "replicate": [1] * (n + 6),
            "corrected_cpm": std_cpm + [95_000.0, 2_000.0, 1_428.0] + [58_000.0, 300.0, 120.0],
        }
    )


def test_each_condition_uses_its_own_standards() -> None:
    w = per_well(_tubes(["tracer", "tracer", "blocked", "blocked"])).set_index("condition")
    assert w.loc["tracer", "applied_cpm"] == pytest.approx(100_000.0)
    assert w.loc["blocked", "applied_cpm"] == pytest.approx(60_000.0)
    assert w.loc["tracer", "internalized_pct"] == pytest.approx(1.428)  # not 1.785 (pooled)
    assert w.loc["blocked", "internalized_pct"] == pytest.approx(0.2)
    assert w.loc["tracer", "applied_n"] == 2


def test_standards_without_condition_serve_every_condition() -> None:
    w = per_well(_tubes(["", ""])).set_index("condition")
    assert w.loc["tracer", "applied_cpm"] == w.loc["blocked", "applied_cpm"] == 100_000.0


def test_condition_without_its_standards_is_named() -> None:
    with pytest.raises(
        LayoutError, match=r"condition 'tracer'; standards exist for \(no compound\)/blocked"
    ):
        per_well(_tubes(["blocked", "blocked"]))


def test_reference_time_a_year_off_is_named() -> None:
    """Issue 19: a reference time a year off gave 'needs condition tracer; the layout has []'.

    Ga-68 (67.71 min): one year is ~7 760 half-lives; anything beyond 10 half-lives is refused.
    """
    from assaykit.uptake import correct_tubes

    t0 = pd.Timestamp("2026-03-10 14:00")
    run = pd.DataFrame(
        {
            "rack": [1, 1],
            "position": [1, 2],
            "role": ["blank", "standard"],
            "cpm": [10.0, 1000.0],
            "counts": [10.0, 1000.0],
            "count_time_s": [60.0, 60.0],
            "measured_at": [t0, t0],
            "isotope": ["Ga-68", "Ga-68"],
        }
    )
    ok = correct_tubes(run, isotope="Ga-68", reference_time=t0 - pd.Timedelta(hours=2))
    assert ok["decay_factor"].iloc[1] == pytest.approx(2 ** (120 / 67.71) * 1.005128, rel=1e-4)
    with pytest.raises(
        LayoutError,
        match=r"reference time 2025-03-10 14:00:00 is \d+\.\d half-lives of Ga-68 before",
    ):
        correct_tubes(run, isotope="Ga-68", reference_time=pd.Timestamp("2025-03-10 14:00"))
