"""The uptake figures carry units, both conditions and mean ± SD error bars."""

from __future__ import annotations

import numpy as np
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


def test_fitted_association_curves_are_drawn(summary: pd.DataFrame) -> None:
    """With ok fits the lines are the fitted curves plateau·(1 − e^(−kt)), not joined means."""
    import math

    fits = pd.DataFrame(
        [
            {"compound": "", "condition": c, "quantity": q, "plateau": p, "k_per_min": 0.05,
             "status": "ok"}
            for q in ("surface_pct", "internalized_pct")
            for c, p in (("tracer", 6.0), ("blocked", 0.6))
        ]
    )  # fmt: skip
    p = plot_timecourse(summary, fits=fits)
    line = next(layer for layer in p.layers if type(layer.geom).__name__ == "geom_line")
    data = (
        line.geom.data if isinstance(getattr(line.geom, "data", None), pd.DataFrame) else line._data
    )
    curve = data[(data["condition"] == "Tracer") & (data["panel"] == "Internalized")]
    assert len(curve) > 50  # a smooth curve on a fine grid
    t = curve["time_min"].to_numpy()
    assert curve["mean"].to_numpy() == pytest.approx(6.0 * (1 - np.exp(-0.05 * t)))
    assert "one-phase association" in p.labels.caption
    assert math.isclose(float(curve["time_min"].min()), 0.0)
    p.draw()
    # a series without an ok fit: the means are joined for every series instead
    partial = plot_timecourse(summary, fits=fits.assign(status=["ok", "failed", "ok", "ok"]))
    assert "one-phase" not in partial.labels.caption


def test_legend_names_tracer_and_blocker() -> None:
    labels = condition_labels(["tracer", "blocked"], "AMD3100 100 µM", tracer="[68Ga]Ga-Pentixafor")
    assert labels["tracer"] == "[68Ga]Ga-Pentixafor"
    assert labels["blocked"] == "[68Ga]Ga-Pentixafor + AMD3100 100 µM (blocked)"
