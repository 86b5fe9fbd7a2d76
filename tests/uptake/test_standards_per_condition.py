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
