"""Control chart: Westgard rules against hand-worked sequences, limits, a planted drift, the figure."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.index import (
    add_runs,
    chart_result,
    compound_history,
    control_chart,
    plot_control_chart,
)
from assaykit.index.control import westgard_flags
from tests.index._runs import write_run

# z-score sequences worked by hand (mean 0, SD 1) → rules flagged on each run
HAND = [
    ([0.5, 3.2], [[], ["1-2s", "1-3s"]]),
    ([-3.01, 0.0], [["1-2s", "1-3s"], []]),
    ([3.0, 0.0], [["1-2s"], []]),  # exactly 3 SD is not beyond 3 SD
    ([2.1, 2.3], [["1-2s"], ["1-2s", "2-2s"]]),
    ([2.1, 1.9], [["1-2s"], []]),  # second within 2 SD: no 2-2s
    ([-2.5, -2.1], [["1-2s"], ["1-2s", "2-2s"]]),
    ([2.1, -2.3], [["1-2s"], ["1-2s", "R-4s"]]),  # opposite sides: R-4s, not 2-2s
    ([2.5, -1.8], [["1-2s"], []]),  # range 4.3 SD but the second is within 2 SD
    ([1.1, 1.2, 1.5, 1.3], [[], [], [], ["4-1s"]]),
    ([1.1, 1.2, -1.5, 1.3], [[], [], [], []]),
    ([-1.1, -1.2, -1.5, -1.3, -1.05], [[], [], [], ["4-1s"], ["4-1s"]]),
    ([0.5] * 9, [[]] * 9),
    ([0.5] * 10, [[]] * 9 + [["10-x"]]),
    ([-0.2] * 9 + [0.1], [[]] * 10),  # the tenth crosses the mean
    ([1.5, 1.5, 1.5, 2.5], [[], [], [], ["1-2s", "4-1s"]]),
]


@pytest.mark.parametrize(("z", "expected"), HAND, ids=[str(i) for i in range(len(HAND))])
def test_westgard_rules_hand_sequences(z: list[float], expected: list[list[str]]) -> None:
    assert westgard_flags(z) == expected


def test_limits_from_baseline_by_hand() -> None:
    # baseline 1..5: mean 3, SD (n-1) = sqrt(2.5) = 1.58114; later runs never move the limits
    h = pd.DataFrame({"value": [1.0, 2.0, 3.0, 4.0, 5.0, 8.0, 3.5]})
    t = control_chart(h, baseline_n=5)
    sd = math.sqrt(2.5)
    assert t.attrs["mean"] == pytest.approx(3.0) and t.attrs["sd"] == pytest.approx(sd)
    assert t["ucl_3sd"].iloc[0] == pytest.approx(3 + 3 * sd)
    assert t["lcl_2sd"].iloc[0] == pytest.approx(3 - 2 * sd)
    assert t["z"].iloc[5] == pytest.approx(5 / sd)  # 3.162 SD
    assert t["rules"].iloc[5] == "1-2s;1-3s" and t["verdict"].iloc[5] == "reject"
    assert t["baseline"].tolist() == [True] * 5 + [False] * 2
    assert t["verdict"].iloc[6] == "in_control"


def test_undefined_runs_are_not_judged_and_skipped_by_sequences() -> None:
    h = pd.DataFrame(
        {"value": [2.5, np.nan, 2.4, 0.0], "status": ["ok", "not_identifiable", "ok", "failed"]}
    )
    t = control_chart(h, mean=0.0, sd=1.0)
    assert t["verdict"].tolist() == ["warning", "not_determined", "reject", "not_determined"]
    assert t["rules"].iloc[2] == "1-2s;2-2s"  # the NaN run between them does not break the pair
    assert "status not_identifiable" in t["message"].iloc[1]
    assert "status failed" in t["message"].iloc[3]  # a value with a failed status is not used


def test_too_short_baseline_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 5"):
        control_chart(pd.DataFrame({"value": [1.0, 2.0, 3.0, np.nan, 4.0]}))


def test_planted_drift_is_flagged_end_to_end(tmp_path: Path) -> None:
    """30 stable runs, then the reference compound drifts by +2.5 SD; one run fails in between."""
    rng = np.random.default_rng(20261205)
    db = tmp_path / "lab.sqlite"
    values = np.r_[rng.normal(-8.0, 0.1, 30), rng.normal(-7.75, 0.1, 12)]
    dirs = []
    for i, v in enumerate(values):
        date = (pd.Timestamp("2025-01-06") + pd.Timedelta(days=7 * i)).date()
        status = "not_identifiable" if i == 33 else "ok"
        dirs.append(
            write_run(tmp_path / f"r{i:02d}", seed=i, date=str(date), log_ic50=v, status=status)
        )
    add_runs(db, reversed(dirs))  # added in any order: the history follows experiment dates
    hist = compound_history(db, "AMD3100")
    assert len(hist) == 42 and hist["run_date"].is_monotonic_increasing
    t = control_chart(hist, baseline_n=20)
    rejected = t.index[t["verdict"] == "reject"].to_numpy()
    assert (rejected < 30).sum() == 0  # no false alarm while the assay is stable
    # caught within the first six drifted runs (run 33 among them failed and is not judged)
    assert 34 <= rejected.min() <= 35
    assert (t["verdict"].iloc[30:] == "reject").sum() >= 4
    assert t["verdict"].iloc[33] == "not_determined"
    drift_rules = set(";".join(t["rules"].iloc[30:]).split(";"))
    assert {"2-2s", "4-1s"} <= drift_rules


def test_figure(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    v = np.r_[rng.normal(-8.0, 0.1, 20), rng.normal(-7.7, 0.1, 8)]
    t = control_chart(pd.DataFrame({"value": v, "status": "ok"}), baseline_n=20)
    p = plot_control_chart(t, title="AMD3100 reference: logIC50 per run")
    out = tmp_path / "chart.png"
    p.save(out, width=6.5, height=3.5, dpi=110, verbose=False)
    assert out.stat().st_size > 10_000
    assert "n = 28 runs" in str(p.labels.caption)


def test_chart_result_feeds_the_common_report(tmp_path: Path) -> None:
    from assaykit.report.html import render_report

    v = [-8.0, -8.1, -7.9, -8.05, -7.95, -8.0, -7.5]  # baseline 6 runs, then +3.6 SD
    h = pd.DataFrame({"value": v, "status": "ok", "experiment_id": [f"E{i}" for i in range(7)]})
    res = chart_result(h, "AMD3100", baseline_n=6)
    t = res.main_table
    assert t["status"].iloc[-1] == "reject" and res.qc["where"].tolist() == ["E6"]
    assert t["run"].tolist() == [f"E{i}" for i in range(7)] and (t["fit_status"] == "ok").all()
    assert "1 of 7 runs rejected" in res.summary[1]
    assert "n = 7 independent experiments" in res.n_statement
    html = render_report(res, {}, {})
    assert "Westgard" in html and "E6 — rejected" in html and "E0 — in control" in html
