"""Statistics and fits against independent references: scipy, pingouin by hand, numpy ANOVA."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import optimize, stats

from assaykit.errors import AssaykitError, LayoutError
from assaykit.uptake import compare_conditions, fit_association, two_way_anova

TIMES = [5.0, 15.0, 30.0, 60.0]


@pytest.fixture
def wells(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for t in TIMES:
        for cond, top, k in (("tracer", 10.0, 0.04), ("blocked", 0.6, 0.2)):
            mean = top * (1 - math.exp(-k * t))
            for rep, v in enumerate(mean * rng.lognormal(0, 0.1, 3), start=1):
                rows.append(
                    {
                        "compound": "",
                        "condition": cond,
                        "time_min": t,
                        "replicate": rep,
                        "internalized_pct": v,
                        "surface_pct": v / 3,
                    }
                )
    return pd.DataFrame(rows)


def test_welch_matches_scipy_and_holm_by_hand(wells: pd.DataFrame) -> None:
    r = compare_conditions(wells, quantities=["internalized_pct"])
    assert list(r["time_min"]) == TIMES
    p_raw = []
    for t, row in zip(TIMES, r.itertuples(), strict=True):
        at = wells[wells.time_min == t]
        x = at.loc[at.condition == "tracer", "internalized_pct"]
        y = at.loc[at.condition == "blocked", "internalized_pct"]
        ref = stats.ttest_ind(x, y, equal_var=False)
        assert row.t == pytest.approx(ref.statistic, rel=1e-10)
        assert row.p_unc == pytest.approx(ref.pvalue, rel=1e-8)
        assert row.dof == pytest.approx(ref.df, rel=1e-10)
        p_raw.append(ref.pvalue)
    # Holm by hand: sort ascending, multiply by (m − rank), running maximum, cap at 1
    order = np.argsort(p_raw)
    m = len(p_raw)
    adj = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_raw[i]))
        adj[i] = running
    np.testing.assert_allclose(r["p_adj"], adj, rtol=1e-10)
    assert (r["padjust"] == "holm").all()
    bonf = compare_conditions(wells, quantities=["internalized_pct"], padjust="bonf")
    np.testing.assert_allclose(bonf["p_adj"], np.minimum(1.0, np.array(p_raw) * m), rtol=1e-10)


def test_welch_matches_pingouin_by_hand(wells: pd.DataFrame) -> None:
    r = compare_conditions(wells, quantities=["surface_pct"]).set_index("time_min")
    x = wells.query("time_min == 30 and condition == 'tracer'")["surface_pct"]
    y = wells.query("time_min == 30 and condition == 'blocked'")["surface_pct"]
    ref = pg.ttest(x, y, correction=True).iloc[0]
    assert r.loc[30.0, "cohen_d"] == pytest.approx(ref["cohen_d"])
    # pingouin rounds its CI to 2 decimals; ours is exact (checked against R below)
    assert [r.loc[30.0, "ci95_low"], r.loc[30.0, "ci95_high"]] == pytest.approx(
        list(ref["CI95"]), abs=0.0051
    )


def test_welch_ci_is_r_t_test_exactly() -> None:
    """CI, t, df and p of every time point against R's t.test (tests/data/reference/welch_ci)."""
    from pathlib import Path

    ref_dir = Path(__file__).resolve().parents[1] / "data" / "reference" / "welch_ci"
    wells = pd.read_csv(ref_dir / "wells.csv", skipinitialspace=True)
    ref = pd.read_csv(ref_dir / "values.csv", skipinitialspace=True).set_index("time_min")
    r = compare_conditions(wells, quantities=["internalized_pct"]).set_index("time_min")
    for col in ("ci95_low", "ci95_high", "t", "dof"):
        np.testing.assert_allclose(r.loc[ref.index, col], ref[col], rtol=1e-10, err_msg=col)
    np.testing.assert_allclose(r.loc[ref.index, "p_unc"], ref["p"], rtol=1e-8)


def test_too_few_replicates_not_tested(wells: pd.DataFrame) -> None:
    w = wells[~((wells.time_min == 60) & (wells.condition == "blocked") & (wells.replicate > 1))]
    r = compare_conditions(w, quantities=["internalized_pct"]).set_index("time_min")
    assert r.loc[60.0, "note"] == "not tested: n < 2"
    assert math.isnan(r.loc[60.0, "p_unc"]) and math.isnan(r.loc[60.0, "p_adj"])
    # the family shrinks to the three tested time points
    p = r["p_unc"].dropna()
    assert r["p_adj"].dropna().min() == pytest.approx(min(1.0, 3 * p.min()))


def test_bad_options(wells: pd.DataFrame) -> None:
    with pytest.raises(AssaykitError, match="unknown p-value adjustment"):
        compare_conditions(wells, padjust="tukey")
    with pytest.raises(LayoutError, match="needs condition 'AMD3100'"):
        compare_conditions(wells, blocked="AMD3100")


def test_two_way_anova_by_hand(wells: pd.DataFrame) -> None:
    """Balanced design: SS from cell, row and column means (textbook formulas)."""
    a = two_way_anova(wells, quantities=["internalized_pct"]).set_index("source")
    y = wells["internalized_pct"].to_numpy()
    grand = y.mean()
    n = 3
    cell = wells.groupby(["time_min", "condition"])["internalized_pct"].mean()
    t_means = wells.groupby("time_min")["internalized_pct"].mean()
    c_means = wells.groupby("condition")["internalized_pct"].mean()
    ss_t = n * 2 * ((t_means - grand) ** 2).sum()
    ss_c = n * len(TIMES) * ((c_means - grand) ** 2).sum()
    fitted = wells.set_index(["time_min", "condition"]).index.map(cell)
    ss_e = ((y - np.asarray(fitted)) ** 2).sum()
    ss_i = ((y - grand) ** 2).sum() - ss_t - ss_c - ss_e
    df_e = len(y) - 2 * len(TIMES)
    assert a.loc["time_min", "SS"] == pytest.approx(ss_t)
    assert a.loc["condition", "SS"] == pytest.approx(ss_c)
    assert a.loc["time_min * condition", "SS"] == pytest.approx(ss_i)
    assert a.loc["Residual", "SS"] == pytest.approx(ss_e)
    f_i = (ss_i / (len(TIMES) - 1)) / (ss_e / df_e)
    assert a.loc["time_min * condition", "F"] == pytest.approx(f_i)
    assert a.loc["time_min * condition", "p_unc"] == pytest.approx(
        stats.f.sf(f_i, len(TIMES) - 1, df_e)
    )


def test_association_fit_matches_curve_fit(wells: pd.DataFrame) -> None:
    f = fit_association(wells, quantities=["internalized_pct"]).set_index("condition")
    d = wells[wells.condition == "tracer"]
    popt, pcov = optimize.curve_fit(
        lambda t, top, k: top * (1 - np.exp(-k * t)),
        d["time_min"],
        d["internalized_pct"],
        p0=[8, 0.05],
    )
    row = f.loc["tracer"]
    assert row["status"] == "ok"
    assert [row["plateau"], row["k_per_min"]] == pytest.approx(list(popt), rel=1e-6)
    assert [row["plateau_se"], row["k_se"]] == pytest.approx(list(np.sqrt(np.diag(pcov))), rel=1e-4)
    assert row["t_half_min"] == pytest.approx(math.log(2) / popt[1], rel=1e-6)
    tq = stats.t.ppf(0.975, len(d) - 2)
    k_lo = popt[1] - tq * math.sqrt(pcov[1, 1])
    assert row["t_half_ci_high"] == pytest.approx(math.log(2) / k_lo, rel=1e-4)


def test_association_fit_too_few_time_points() -> None:
    w = pd.DataFrame(
        {
            "compound": "",
            "condition": "tracer",
            "time_min": [5.0, 5.0, 60.0, 60.0],
            "internalized_pct": [1.0, 1.1, 5.0, 5.2],
        }
    )
    f = fit_association(w, quantities=["internalized_pct"])
    assert f.loc[0, "status"] == "insufficient_data"
    assert math.isnan(f.loc[0, "plateau"])


def test_relative_weighting_matches_curve_fit_with_sigma(wells: pd.DataFrame) -> None:
    d = wells[wells.condition == "tracer"]
    f = fit_association(d, quantities=["internalized_pct"], weighting="1/y2").iloc[0]
    popt, _ = optimize.curve_fit(
        lambda t, top, k: top * (1 - np.exp(-k * t)),
        d["time_min"],
        d["internalized_pct"],
        p0=[8, 0.05],
        sigma=d["internalized_pct"],
    )
    assert [f["plateau"], f["k_per_min"]] == pytest.approx(list(popt), rel=1e-5)
