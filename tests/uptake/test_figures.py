"""The uptake figures carry units, both conditions and mean ± SD error bars."""

from __future__ import annotations

import pandas as pd
import pytest

from assaykit.uptake.figures import condition_labels, plot_internalized_fraction, plot_timecourse


@pytest.fixture
def summary() -> pd.DataFrame:
    rows = []
    for q in ("surface_pct", "internalized_pct", "internalized_of_bound_pct"):
        for cond, scale in (("tracer", 1.0), ("blocked", 0.1)):
            for t, m in ((5.0, 1.0), (30.0, 4.0), (120.0, 6.0)):
                rows.append(
                    {"compound": "", "condition": cond, "time_min": t, "quantity": q, "n": 3,
                     "mean": m * scale * (10 if q.endswith("bound_pct") else 1), "sd": 0.2}
                )  # fmt: skip
    rows[-1]["sd"] = float("nan")  # a single-replicate point still plots (no bar)
    return pd.DataFrame(rows)


def test_timecourse(summary: pd.DataFrame) -> None:
    p = plot_timecourse(summary, labels={"blocked": "Blocked (AMD3100)"})
    assert p.labels.x == "Time (min)"
    assert p.labels.y == "% of applied activity"
    assert list(p.data["panel"].cat.categories) == ["Surface-bound", "Internalized"]
    assert list(p.data["condition"].cat.categories) == ["Tracer", "Blocked (AMD3100)"]
    geoms = {type(layer.geom).__name__ for layer in p.layers}
    assert {"geom_errorbar", "geom_point", "geom_line"} <= geoms
    d = p.data
    row = d[(d.condition == "Tracer") & (d.time_min == 30.0) & (d.panel == "Internalized")].iloc[0]
    assert (row["lo"], row["hi"]) == pytest.approx((3.8, 4.2))  # mean ± SD
    p.draw()


def test_internalized_fraction(summary: pd.DataFrame) -> None:
    p = plot_internalized_fraction(summary)
    assert p.labels.y == "Internalized (% of cell-bound activity)"
    assert set(p.data["quantity"]) == {"internalized_of_bound_pct"}
    p.draw()


def test_condition_labels() -> None:
    assert condition_labels(["tracer", "blocked", "FC131 co-incubation"]) == {
        "tracer": "Tracer",
        "blocked": "Blocked",
        "FC131 co-incubation": "FC131 co-incubation",
    }
