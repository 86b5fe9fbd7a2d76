"""fit_curves: recovery, CI arithmetic, verdicts, bad input per curve, options (DOMAIN.md §6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import curve_fit

from assaykit.binding import fit_curves, four_pl
from assaykit.binding.fit import RESULT_COLUMNS
from assaykit.errors import FitError, SchemaError

LX = np.arange(-11.0, -4.5, 0.5)  # 13 concentrations, 1e-11 … 1e-5 M


def curve(
    name="A", log_ic50=-7.6, hill=-1.0, top=100.0, bottom=0.0, sd=3.0, reps=3, seed=0, lx=LX
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = np.repeat(lx, reps)
    y = four_pl(x, top, bottom, log_ic50, hill) + rng.normal(0, sd, x.size)
    return pd.DataFrame({"curve": name, "conc": 10.0**x, "response": y})


def test_columns_follow_the_contract() -> None:
    """The columns docs/CONTRACTS.md §3 promises, written out here (not the code's own list)."""
    res = fit_curves(curve())
    documented = [
        "curve", "top", "bottom", "hill", "log_ic50", "ic50", "top_se", "bottom_se", "hill_se",
        "log_ic50_se", "log_ic50_ci_low", "log_ic50_ci_high", "ic50_ci_low", "ic50_ci_high",
        "rss", "df", "n", "r_squared", "x_min", "x_max", "status", "flags", "message",
        "n_outliers", "ci_method",
    ]  # fmt: skip
    assert sorted(res.columns) == sorted(documented)
    assert list(res.columns) == ["curve", *RESULT_COLUMNS]
    assert res["df"].dtype.kind == "i" and res["n"].dtype.kind == "i"


def test_domain_8_noise_free_recovery() -> None:
    """DOMAIN.md §6 #8: the printed (3-decimal) y values give logIC50 −7.600, |nH| 1.000."""
    x = np.array([-11, -10, -9, -8, -7.5, -7, -6.5, -6, -5, -4], dtype=float)
    y = [99.960, 99.603, 96.171, 71.525, 44.269, 20.076, 7.359, 2.450, 0.251, 0.025]
    res = fit_curves(pd.DataFrame({"conc": 10**x, "response": y}), by=None).iloc[0]
    assert res["log_ic50"] == pytest.approx(-7.600, abs=5e-4)
    assert res["hill"] == pytest.approx(-1.000, abs=5e-4)
    assert res["ic50"] * 1e9 == pytest.approx(25.12, abs=0.02)
    assert res["status"] == "ok"
    # exact values: recovery to the engine's tolerance
    exact = fit_curves(
        pd.DataFrame({"conc": 10**x, "response": four_pl(x, 100, 0, -7.6, -1)}), by=None
    ).iloc[0]
    assert exact["log_ic50"] == pytest.approx(-7.6, abs=1e-8)
    assert exact["top"] == pytest.approx(100, abs=1e-6) and exact["bottom"] == pytest.approx(
        0, abs=1e-6
    )


def test_domain_9_ci_arithmetic() -> None:
    """DOMAIN.md §6 #9: logIC50 −7.60, SE 0.05, df 26 → −7.703 … −7.497, IC50 19.8 … 31.8 nM."""
    from assaykit.fitting.stats import wald_ci

    lo, hi = wald_ci(-7.60, 0.05, 26)
    assert (round(float(lo), 3), round(float(hi), 3)) == (-7.703, -7.497)
    assert (round(10 ** float(lo) * 1e9, 1), round(10 ** float(hi) * 1e9, 1)) == (19.8, 31.8)
    # and fit_curves applies the same arithmetic to its own SE and df
    res = fit_curves(curve(reps=2)).iloc[0]
    lo, hi = wald_ci(res["log_ic50"], res["log_ic50_se"], res["df"])
    assert res["df"] == 26 - 4 + 0 and res["n"] == 26
    assert (res["log_ic50_ci_low"], res["log_ic50_ci_high"]) == pytest.approx((lo, hi), abs=1e-12)
    assert res["ic50_ci_low"] == pytest.approx(10**lo) and res["ic50_ci_high"] == pytest.approx(
        10**hi
    )


def test_matches_scipy_curve_fit_on_a_clean_curve() -> None:
    df = curve(seed=5)
    ours = fit_curves(df).iloc[0]
    x, y = np.log10(df["conc"]), df["response"]
    p, cov = curve_fit(
        lambda x, t, b, li, h: four_pl(x, t, b, li, h),
        x,
        y,
        p0=[100, 0, -7.5, -1],
        xtol=1e-14,
        ftol=1e-14,
        gtol=1e-14,
    )
    assert ours["log_ic50"] == pytest.approx(p[2], abs=1e-7)
    assert ours["log_ic50_se"] == pytest.approx(np.sqrt(cov[2, 2]), rel=1e-5)
    assert ours["hill_se"] == pytest.approx(np.sqrt(cov[3, 3]), rel=1e-5)


@pytest.mark.parametrize("weighting", ["1/y2", "poisson"])
def test_weighted_fits_match_scipy_with_sigma(weighting: str) -> None:
    df = curve(bottom=10.0, sd=1.0, seed=2)
    ours = fit_curves(df, weighting=weighting).iloc[0]
    x, y = np.log10(df["conc"]), df["response"].to_numpy()
    sigma = y if weighting == "1/y2" else np.sqrt(y)
    p, cov = curve_fit(
        lambda x, t, b, li, h: four_pl(x, t, b, li, h),
        x,
        y,
        p0=[100, 10, -7.5, -1],
        sigma=sigma,
        xtol=1e-14,
        ftol=1e-14,
        gtol=1e-14,
    )
    assert ours["log_ic50"] == pytest.approx(p[2], abs=1e-7)
    assert ours["log_ic50_se"] == pytest.approx(np.sqrt(cov[2, 2]), rel=1e-5)


def test_many_curves_by_several_columns_and_order_of_rows() -> None:
    parts = [curve(name="A", seed=1), curve(name="B", log_ic50=-6.5, seed=2)]
    df = pd.concat(parts, ignore_index=True)
    df["plate"] = 1
    res = fit_curves(df, by=["plate", "curve"])
    assert list(res["curve"]) == ["A", "B"] and list(res.columns[:2]) == ["plate", "curve"]
    shuffled = fit_curves(df.sample(frac=1.0, random_state=3), by=["plate", "curve"])
    np.testing.assert_allclose(shuffled["log_ic50"], res["log_ic50"], atol=1e-9)
    single = fit_curves(parts[1])
    assert single.loc[0, "log_ic50"] == pytest.approx(res.loc[1, "log_ic50"], abs=1e-9)


def test_conc_unit_shifts_log_ic50() -> None:
    df = curve()
    nm = df.assign(conc=df["conc"] * 1e9)
    a = fit_curves(df).iloc[0]
    b = fit_curves(nm, conc_unit="nM").iloc[0]
    assert b["log_ic50"] == pytest.approx(a["log_ic50"], abs=1e-9)
    assert b["x_min"] == pytest.approx(-11) and b["x_max"] == pytest.approx(-5)


def test_huge_counts_fit_like_small_ones() -> None:
    df = curve(top=5000, bottom=200, sd=100, seed=4)
    big = df.assign(response=df["response"] * 2e8)  # ~1e12 counts
    a, b = fit_curves(df).iloc[0], fit_curves(big).iloc[0]
    assert b["status"] == a["status"] == "ok"
    assert b["log_ic50"] == pytest.approx(a["log_ic50"], abs=1e-8)
    assert b["top"] == pytest.approx(a["top"] * 2e8, rel=1e-8)
    assert b["rss"] == pytest.approx(a["rss"] * 4e16, rel=1e-8)


# ----------------------------------------------------------------------------- verdicts


def test_flat_data_is_no_inhibition() -> None:
    rng = np.random.default_rng(8)
    x = np.repeat(LX, 3)
    df = pd.DataFrame({"curve": "flat", "conc": 10**x, "response": 100 + rng.normal(0, 5, x.size)})
    res = fit_curves(df).iloc[0]
    assert res["status"] == "no_inhibition"
    assert np.isnan(res["ic50"]) and np.isnan(res["log_ic50"]) and np.isnan(res["ic50_ci_low"])
    assert "highest concentration" in res["message"] and "p = " in res["message"]


def test_ic50_beyond_the_range_is_extrapolated_and_not_reported() -> None:
    # the response falls to ~83 % at the highest concentration: a real but partial effect
    df = curve(log_ic50=-5.8, sd=1.0, lx=np.arange(-11, -6.4, 0.5))
    res = fit_curves(df).iloc[0]
    assert res["status"] in {"extrapolated", "not_identifiable"}
    assert np.isnan(res["ic50"]) and np.isnan(res["log_ic50_ci_high"])
    assert "bottom" in res["message"] and "100" in res["message"]
    # with the plateaus the lab knows (% specific binding: 100 and 0) the IC50 is estimable
    fixed = fit_curves(df, fix={"top": 100, "bottom": 0}).iloc[0]
    assert fixed["status"] == "extrapolated" and "log_ic50_outside_range" in fixed["flags"]
    assert np.isnan(fixed["ic50"]) and "logIC50 = -5.8" in fixed["message"]


def test_missing_plateau_suggests_a_constraint_and_the_constraint_fixes_it() -> None:
    lx = np.arange(-11, -6.9, 0.5)  # stops just past the IC50: no bottom plateau
    df = curve(log_ic50=-7.5, sd=1.0, lx=lx, seed=6)
    free = fit_curves(df).iloc[0]
    assert free["status"] == "extrapolated" and np.isnan(free["ic50"])
    assert "no_bottom_plateau" in free["flags"] and "fix bottom" in free["message"]
    fixed = fit_curves(df, fix={"bottom": 0}).iloc[0]
    assert fixed["status"] == "ok" and fixed["bottom"] == 0 and np.isnan(fixed["bottom_se"])
    assert fixed["log_ic50"] == pytest.approx(-7.5, abs=0.1)
    assert "fixed:bottom=0" in fixed["flags"] and fixed["df"] == fixed["n"] - 3


def test_hill_and_direction_flags() -> None:
    steep = fit_curves(curve(hill=-8.0, sd=1.0, lx=np.arange(-9, -6, 0.25))).iloc[0]
    assert "hill_implausible" in steep["flags"]
    rising = fit_curves(curve(hill=1.0, sd=2.0)).iloc[0]
    assert (
        "rising_curve" in rising["flags"]
        and rising["hill"] > 0
        and rising["top"] >= rising["bottom"]
    )


def test_one_site_fixes_hill() -> None:
    res = fit_curves(curve(), model="one_site").iloc[0]
    assert res["hill"] == -1.0 and np.isnan(res["hill_se"])
    assert res["df"] == res["n"] - 3 and "fixed:hill=-1" in res["flags"]
    with pytest.raises(FitError, match="one_site"):
        fit_curves(curve(), model="one_site", fix={"hill": -0.8})


def test_outlier_is_flagged_and_kept() -> None:
    df = curve(sd=1.0, seed=9)
    df.loc[10, "response"] += 60
    res = fit_curves(df).iloc[0]
    assert "outliers:1" in res["flags"] and res["n"] == len(df)


def test_bounds_are_respected() -> None:
    res = fit_curves(curve(bottom=-5.0, sd=1.0), bounds={"bottom": (0, 50)}).iloc[0]
    assert res["bottom"] == pytest.approx(0.0, abs=1e-9)
    assert "at_bound:bottom" in res["flags"] and np.isnan(res["bottom_se"])
    # the constrained optimum is reached (active-set LM), not the iteration limit
    assert res["status"] == "ok", res["message"]
    assert "not_converged" not in res["flags"]
    assert res["df"] == res["n"] - 3  # bottom held at its bound counts as fixed (Prism)


# ------------------------------------------------------------------------ bad input per curve


def _bad_inputs() -> pd.DataFrame:
    good = curve(name="good")
    x = np.repeat(LX, 3)
    bad = {
        "all_nan": pd.DataFrame({"conc": 10**x, "response": np.nan}),
        "constant": pd.DataFrame({"conc": 10**x, "response": 42.0}),
        "one_conc": pd.DataFrame({"conc": 1e-8, "response": np.linspace(1, 2, 9)}),
        "two_conc": pd.DataFrame({"conc": [1e-8, 1e-6] * 4, "response": [9, 1] * 4}),
        "nonpositive": pd.DataFrame({"conc": [0.0, -1e-9] * 5, "response": np.arange(10.0)}),
        "text": pd.DataFrame({"conc": ["n/a"] * 6, "response": ["x"] * 6}),
        "inf": pd.DataFrame({"conc": 10**x, "response": np.inf}),
    }
    parts = [good] + [d.assign(curve=k) for k, d in bad.items()]
    return pd.concat(parts, ignore_index=True)


def test_bad_input_gives_a_status_per_curve_never_a_crash() -> None:
    df = _bad_inputs()
    res = fit_curves(df).set_index("curve")
    assert res.loc["good", "status"] == "ok"
    expect = {
        "all_nan": "insufficient_data",
        "constant": "no_inhibition",
        "one_conc": "insufficient_data",
        "two_conc": "insufficient_data",
        "nonpositive": "insufficient_data",
        "text": "insufficient_data",
        "inf": "insufficient_data",
    }
    for name, status in expect.items():
        row = res.loc[name]
        assert row["status"] == status, name
        assert np.isnan(row["ic50"]) and np.isnan(row["log_ic50"]), name
        assert row["message"], name
    assert "excluded_nonpositive_conc:10" in res.loc["nonpositive", "flags"]
    assert "missing_values:6" in res.loc["text", "flags"]
    # the good curve is unaffected by its neighbours
    alone = fit_curves(curve(name="good")).iloc[0]
    assert res.loc["good", "log_ic50"] == pytest.approx(alone["log_ic50"], abs=1e-9)


def test_controls_with_zero_conc_are_left_out_and_counted() -> None:
    df = pd.concat([curve(), pd.DataFrame({"curve": "A", "conc": [0.0] * 3, "response": 100.0})])
    res = fit_curves(df).iloc[0]
    assert res["n"] == 39 and "excluded_nonpositive_conc:3" in res["flags"]


def test_relative_weighting_with_nonpositive_responses_is_reported() -> None:
    df = curve(bottom=0.0, sd=2.0, seed=1)
    res = fit_curves(df, weighting="1/y2").iloc[0]
    k = int((df["response"] <= 0).sum())
    assert k > 0 and f"excluded_nonpositive_y_weighted:{k}" in res["flags"]
    assert res["n"] == len(df) - k


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"model": "5pl"}, "unknown model"),
        ({"fix": {"slope": 1}}, "cannot fix 'slope'"),
        ({"fix": {"top": "high"}}, "must be a number"),
        ({"fix": {"top": np.nan}}, "must be finite"),
        ({"fix": {"top": 1, "bottom": 0, "hill": -1, "log_ic50": -7}}, "nothing left"),
        ({"fix": {"top": 5, "bottom": 5}}, "horizontal line"),
        ({"bounds": {"hill": (1, -1)}}, "low < high"),
        ({"bounds": {"hill": 3}}, "pair"),
        ({"bounds": {"top": (0, 1)}, "fix": {"top": 1}}, "both fixed and bounded"),
        ({"weighting": "1/x"}, "unknown weighting"),
        ({"ci": "bootstrap"}, "unknown ci"),
        ({"conc_unit": "mg/L"}, "unknown conc_unit"),
        ({"conc_unit": -1.0}, "positive"),
        ({"level": 95}, "level"),
        ({"hill_range": (5, 0.3)}, "hill_range"),
    ],
)
def test_options_that_make_no_sense_raise_one_line(kwargs, match) -> None:
    with pytest.raises(FitError, match=match) as err:
        fit_curves(curve(), **kwargs)
    assert "\n" not in str(err.value)


def test_missing_columns_and_empty_tables() -> None:
    with pytest.raises(SchemaError, match="response"):
        fit_curves(pd.DataFrame({"curve": [], "conc": []}))
    with pytest.raises(FitError, match="empty"):
        fit_curves(pd.DataFrame({"curve": [], "conc": [], "response": []}))


# ------------------------------------------------------------------------------ invariants


@settings(max_examples=15, deadline=None)
@given(
    log_ic50=st.floats(-9.5, -6.5),
    hill=st.floats(-2.5, -0.5),
    a=st.floats(0.01, 1e6),
    b=st.floats(-1e3, 1e3),
    seed=st.integers(0, 10**6),
)
def test_affine_response_changes_leave_log_ic50_unchanged(log_ic50, hill, a, b, seed) -> None:
    df = curve(log_ic50=log_ic50, hill=hill, sd=4.0, seed=seed)
    res = fit_curves(df).iloc[0]
    res2 = fit_curves(df.assign(response=a * df["response"] + b)).iloc[0]
    assert res2["status"] == res["status"]
    if res["status"] != "ok":  # an IC50 the curve does not define is NaN in both (e.g. -9.5, -0.5)
        assert np.isnan(res["log_ic50"]) and np.isnan(res2["log_ic50"])
        return
    assert res2["log_ic50"] == pytest.approx(res["log_ic50"], abs=1e-6)
    assert res2["top"] == pytest.approx(a * res["top"] + b, rel=1e-6, abs=1e-6 * a)
    assert res2["log_ic50_se"] == pytest.approx(res["log_ic50_se"], rel=1e-5)
    assert res2["top"] >= res2["bottom"]


@pytest.mark.filterwarnings("ignore::scipy.optimize.OptimizeWarning")
def test_converges_where_curve_fit_from_its_default_start_does_not() -> None:
    df = curve(log_ic50=-8.3, hill=-0.9, top=2400, bottom=150, sd=40, seed=11)
    x, y = np.log10(df["conc"].to_numpy()), df["response"].to_numpy()
    ours = fit_curves(df).iloc[0]
    assert ours["status"] == "ok" and ours["log_ic50"] == pytest.approx(-8.3, abs=0.1)
    # scipy's default start (all ones) and the same model
    try:
        p, _ = curve_fit(lambda x, t, b, li, h: four_pl(x, t, b, li, h), x, y, maxfev=5000)
        rss_cf = float(np.sum((y - four_pl(x, *p)) ** 2))
    except RuntimeError:
        rss_cf = np.inf
    assert ours["rss"] <= rss_cf * (1 + 1e-9)


def test_a_step_between_two_concentrations_is_not_a_confident_ic50() -> None:
    # hill −10 with 1-log spacing: any slope steeper than the spacing fits as well (no optimum)
    res = fit_curves(curve(hill=-10.0, log_ic50=-7.5, sd=2.0, lx=np.arange(-11.0, -4.5, 1.0))).iloc[
        0
    ]
    assert res["status"] == "not_identifiable" and np.isnan(res["ic50"])
    assert "hill_unbounded" in res["flags"] and "one_site" in res["message"]


def test_profile_limits_are_the_same_batched_or_one_by_one() -> None:
    parts = [curve(name=n, log_ic50=li, seed=s) for n, li, s in [("a", -8.0, 1), ("b", -7.0, 2)]]
    parts.append(curve(name="c", log_ic50=-7.5, seed=3, sd=8.0))
    df = pd.concat(parts, ignore_index=True)
    batch = fit_curves(df, ci="profile", fix={"bottom": 0}).set_index("curve")
    for part in parts:
        one = fit_curves(part, ci="profile", fix={"bottom": 0}).iloc[0]
        row = batch.loc[one["curve"]]
        assert row["log_ic50_ci_low"] == pytest.approx(one["log_ic50_ci_low"], abs=1e-6)
        assert row["log_ic50_ci_high"] == pytest.approx(one["log_ic50_ci_high"], abs=1e-6)
        # a well-determined curve: profile and Wald limits agree closely
        wald = fit_curves(part, fix={"bottom": 0}).iloc[0]
        assert one["log_ic50_ci_low"] == pytest.approx(wald["log_ic50_ci_low"], abs=0.05)
        assert one["log_ic50_ci_high"] == pytest.approx(wald["log_ic50_ci_high"], abs=0.05)
