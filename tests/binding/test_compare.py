"""compare_log_ic50: shared vs separate logIC50, checked against an independent scipy fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from assaykit.binding import compare_log_ic50, four_pl
from assaykit.errors import FitError
from assaykit.fitting.stats import f_test

LX = np.repeat(np.arange(-11.0, -4.5, 0.5), 3)


def _curves(rng: np.random.Generator, logs: list[float], sd: float = 5.0) -> pd.DataFrame:
    parts = []
    for i, li in enumerate(logs):
        y = four_pl(LX, 100 - 3 * i, 2 * i, li, -1.0 - 0.1 * i) + rng.normal(0, sd, LX.size)
        parts.append(pd.DataFrame({"curve": f"c{i}", "conc": 10**LX, "response": y}))
    return pd.concat(parts, ignore_index=True)


def test_domain_23_extra_sum_of_squares() -> None:
    f, p = f_test(1200, 37, 1000, 36)
    assert float(f) == pytest.approx(7.20, abs=1e-12)
    assert float(p) == pytest.approx(0.0109, abs=5e-5)


def _scipy_shared_ss(df: pd.DataFrame) -> float:
    """Independent global fit: scipy least_squares over [log_shared, (top, bottom, hill) per curve]."""
    groups = [g for _, g in df.groupby("curve")]
    xs = [np.log10(g["conc"].to_numpy()) for g in groups]
    ys = [g["response"].to_numpy() for g in groups]

    def resid(q: np.ndarray) -> np.ndarray:
        out = []
        for j, (x, y) in enumerate(zip(xs, ys, strict=True)):
            t, b, h = q[1 + 3 * j : 4 + 3 * j]
            out.append(y - (b + (t - b) / (1 + 10 ** ((q[0] - x) * h))))
        return np.concatenate(out)

    best = np.inf
    for start in (-9.0, -8.0, -7.0):
        q0 = np.concatenate([[start], np.tile([100.0, 0.0, -1.0], len(groups))])
        r = optimize.least_squares(resid, q0, xtol=1e-14, ftol=1e-14, gtol=1e-14)
        best = min(best, 2 * r.cost)
    return best


def test_shared_fit_matches_independent_scipy_global_fit(rng: np.random.Generator) -> None:
    df = _curves(rng, [-8.0, -7.6, -7.9])
    res = compare_log_ic50(df).iloc[0]
    assert res["status"] == "ok"
    assert res["ss_shared"] == pytest.approx(_scipy_shared_ss(df), rel=1e-7)
    n = len(df)
    assert res["df_separate"] == n - 3 * 4
    assert res["df_shared"] == n - (1 + 3 * 3)
    # the F statistic and p follow from the two sums of squares
    f = ((res["ss_shared"] - res["ss_separate"]) / 2) / (res["ss_separate"] / res["df_separate"])
    assert res["f"] == pytest.approx(f, rel=1e-12)
    assert res["p_value"] == pytest.approx(stats.f.sf(f, 2, res["df_separate"]), rel=1e-10)
    assert res["ss_shared"] >= res["ss_separate"]


def test_detects_a_real_shift_and_accepts_equal_curves(rng: np.random.Generator) -> None:
    shifted = compare_log_ic50(_curves(rng, [-8.0, -7.0])).iloc[0]
    assert shifted["preferred"] == "separate" and shifted["p_value"] < 1e-6
    assert shifted["delta_aicc"] < 0 and shifted["prob_separate"] > 0.99
    same = compare_log_ic50(_curves(rng, [-8.0, -8.0])).iloc[0]
    assert same["log_ic50_shared"] == pytest.approx(-8.0, abs=0.1)


@pytest.mark.slow
def test_false_positive_rate_near_alpha() -> None:
    rng = np.random.default_rng(7)
    p = [compare_log_ic50(_curves(rng, [-8.0, -8.0])).loc[0, "p_value"] for _ in range(200)]
    rate = np.mean(np.array(p) < 0.05)
    assert 0.01 <= rate <= 0.10


def test_bad_requests_raise_one_line_fit_errors(rng: np.random.Generator) -> None:
    df = _curves(rng, [-8.0])
    with pytest.raises(FitError, match="at least two curves"):
        compare_log_ic50(df)
    with pytest.raises(FitError, match="log_ic50 cannot be fixed"):
        compare_log_ic50(_curves(rng, [-8, -7]), fix={"log_ic50": -8})


def test_too_few_points_gives_a_status(rng: np.random.Generator) -> None:
    df = _curves(rng, [-8.0, -7.0])
    df = df[(df["curve"] == "c0") | (df.index % 13 == 0)]
    res = compare_log_ic50(df).iloc[0]
    assert res["status"] == "insufficient_data" and "c1" in res["message"]


def test_fixed_parameters_apply_to_every_curve(rng: np.random.Generator) -> None:
    df = _curves(rng, [-8.0, -7.5])
    res = compare_log_ic50(df, fix={"top": 100, "bottom": 0}).iloc[0]
    n = len(df)
    assert res["df_separate"] == n - 2 * 2 and res["df_shared"] == n - 3
