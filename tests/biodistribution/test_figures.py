"""Biodistribution figures: built from the bundled study, units and n on the figure."""

from __future__ import annotations

import pandas as pd
import pytest

from assaykit.biodistribution import analyze_biodistribution, group_summary
from assaykit.biodistribution.figures import plot_organs, plot_timecourse
from assaykit.datasets.biodistribution.make_example import simulate


def _long() -> pd.DataFrame:
    counts, layout = simulate()
    return analyze_biodistribution(counts, layout, figures=False).main_table


def test_organ_bars_state_units_and_n() -> None:
    p = plot_organs(_long())
    assert "%IA/g" in p.labels.y
    groups = list(p.data["group_label"].cat.categories)
    assert groups == ["control (n = 5)", "blocked (n = 4)"]  # B5 left out
    # bars are the means of the animals kept (B5 left out)
    long = _long()
    kept = long[(long.group == "blocked") & (long.organ == "tumor") & (long.status == "ok")]
    bar = p.data[(p.data["organ"] == "tumor") & (p.data["group_label"] == "blocked (n = 4)")]
    assert float(bar["mean"].iloc[0]) == pytest.approx(
        float(kept["pct_ia_per_g"].mean()), rel=1e-12
    )
    assert len(kept) == 4
    fig = p.draw()
    assert len(fig.axes) == 1


@pytest.mark.slow  # draws a 12-panel figure
def test_several_time_points_give_panels_with_n_and_a_timecourse(tmp_path) -> None:
    long = _long()
    late = long.assign(time_pi_min=180.0, animal=long["animal"] + "-3h")
    both = pd.concat([long, late], ignore_index=True)
    p = plot_organs(both)
    assert list(p.data["time_label"].cat.categories) == [
        "1 h p.i. (control n = 5, blocked n = 4)",
        "3 h p.i. (control n = 5, blocked n = 4)",
    ]
    tc = plot_timecourse(group_summary(both), both)
    assert tc.labels.x == "time p.i. (h)" and "%IA/g" in tc.labels.y
    assert set(tc.data["n_text"]) == {"n=5", "n=4"}
    fig = tc.draw()  # renders without error
    assert len(fig.axes) >= 12
