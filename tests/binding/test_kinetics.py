"""Binding kinetics: DOMAIN §8.2 numbers, R (minpack.lm) references, decay correction, verdicts."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _kinetics_sim import T_REF, simulate_tubes
from hypothesis import given, settings
from hypothesis import strategies as st

from assaykit.binding.kinetics import fit_kinetics
from assaykit.binding.kinetics_counting import kinetics_responses
from assaykit.binding.kinetics_models import (
    ASSOCIATION,
    ASSOCIATION_DISSOCIATION,
    ASSOCIATION_GLOBAL,
    DISSOCIATION,
    MOTULSKY_MAHAN,
)
from assaykit.errors import LayoutError, SchemaError

REF = Path(__file__).resolve().parents[1] / "data" / "reference" / "kinetics"


def _mm(t, conc_nM, comp_nM, k1, k2, k3, k4, bmax):
    t = np.atleast_1d(np.asarray(t, float))[None]
    x = np.stack([t, np.full_like(t, conc_nM), np.full_like(t, comp_nM)], axis=-1)
    return MOTULSKY_MAHAN.eval(x, np.array([[k1, k2, k3, k4, bmax]]))[0]


def _global_data(t, concs_nM, kon_nM, koff, bmax):
    rows = []
    for c in concs_nM:
        x = np.stack([t, np.full_like(t, c)], axis=-1)[None]
        y = ASSOCIATION_GLOBAL.eval(x, np.array([[kon_nM, koff, bmax]]))[0]
        rows.append(pd.DataFrame({"time_min": t, "response": y, "conc_M": c * 1e-9}))
    return pd.concat(rows, ignore_index=True)


# ----------------------------------------------------------------------------- DOMAIN §8.2
def test_domain_association_numbers_kobs_half_time_kd():
    # kon 1e8 /M/min, koff 0.1 /min, L 1 nM → kobs 0.2 /min, t½ 3.466 min, Kd 1 nM
    t = np.array([0.5, 1, 2, 3, 5, 8, 12, 20, 30, 45.0])
    data = _global_data(t, [1.0], 0.1, 0.1, 1000.0)
    one = fit_kinetics(data, model="association", koff_per_min=0.1).iloc[0]
    assert one["kobs_per_min"] == pytest.approx(0.2, rel=1e-7)
    assert one["t_half_min"] == pytest.approx(3.466, abs=5e-4)
    assert one["kon_per_M_min"] == pytest.approx(1e8, rel=1e-6)
    glob = fit_kinetics(_global_data(t, [0.5, 1.0, 3.0], 0.1, 0.1, 1000.0)).iloc[0]
    assert glob["kd_M"] == pytest.approx(1e-9, rel=1e-7)
    assert glob["kon_per_M_min"] == pytest.approx(1e8, rel=1e-7)
    assert glob["koff_per_min"] == pytest.approx(0.1, rel=1e-7)


def test_domain_motulsky_mahan_without_competitor_is_the_association_curve():
    y = _mm([1, 5, 30], 1.0, 0.0, 0.1, 0.1, 0.01, 0.001, 1000.0)
    assert y == pytest.approx([90.635, 316.06, 498.76], abs=5e-3)


def test_domain_motulsky_mahan_overshoot():
    # K3 1e7 /M/min (0.01 /nM/min), K4 0.001 /min, I 10 nM: overshoot, then Bmax·(L/Kd)/(1 + L/Kd + I/Ki)
    assert _mm(10, 1.0, 10.0, 0.1, 0.1, 0.01, 0.001, 1000.0)[0] == pytest.approx(273.2, abs=0.05)
    assert _mm(1e5, 1.0, 10.0, 0.1, 0.1, 0.01, 0.001, 1000.0)[0] == pytest.approx(9.804, abs=5e-4)
    expected = 1000 * 1 / (1 + 1 + 100)  # Bmax·(L/Kd)/(1 + L/Kd + I/Ki)
    assert expected == pytest.approx(9.804, abs=5e-4)


def test_domain_published_kinetic_kd_and_consistency_verdict():
    # Ryffel et al. 1982: kon 1.1e6 /M/min, koff 0.19 /min → kinetic Kd 1.73e-7 M (equilibrium 1.2e-7 M)
    t = np.array([0.25, 0.5, 1, 2, 3, 5, 8, 12, 20, 30.0])
    data = _global_data(t, [30.0, 100.0, 300.0], 1.1e6 * 1e-9, 0.19, 500.0)
    row = fit_kinetics(data, equilibrium_kd_M=1.2e-7).iloc[0]
    assert row["kd_M"] == pytest.approx(1.73e-7, rel=2e-3)
    assert row["kd_ratio"] == pytest.approx(0.19 / 1.1e6 / 1.2e-7, rel=1e-6)  # 1.44
    assert "kd_inconsistent" not in row["flags"]
    strict = fit_kinetics(data, equilibrium_kd_M=1.2e-7, kd_ratio_limit=1.2).iloc[0]
    assert "kd_inconsistent" in strict["flags"]
    assert "1.44" in strict["message"]


# ----------------------------------------------------------------------------- Jacobians
@pytest.mark.parametrize(
    ("model", "x", "p"),
    [
        (DISSOCIATION, None, [1000.0, 0.1, 50.0]),
        (ASSOCIATION, None, [1000.0, 0.2]),
        (ASSOCIATION_GLOBAL, [2.0], [0.1, 0.1, 1000.0]),
        (ASSOCIATION_DISSOCIATION, [2.0, 10.0], [0.1, 0.1, 1000.0, 20.0]),
        (MOTULSKY_MAHAN, [1.0, 10.0], [0.1, 0.1, 0.01, 0.02, 1000.0]),
        (MOTULSKY_MAHAN, [1.0, 3.0], [0.1, 0.1, 0.05, 0.03, 1000.0]),
    ],
    ids=["dissociation", "association", "global", "assoc-dissoc", "mm-a", "mm-b"],
)
def test_analytic_jacobian_matches_central_differences(model, x, p):
    t = np.array([[0.5, 2, 7, 9.9, 10.0, 15, 25, 40, 60]])
    xx = t if x is None else np.stack([t] + [np.full_like(t, v) for v in x], axis=-1)
    pp = np.array([p])
    jac = model.jac(xx, pp)
    for k in range(pp.shape[1]):
        h = 1e-5 * abs(pp[0, k])
        up, dn = pp.copy(), pp.copy()
        up[0, k] += h
        dn[0, k] -= h
        num = (model.func(xx, up) - model.func(xx, dn)) / (2 * h)
        scale = np.abs(num).max() + 1e-12
        assert np.abs(jac[..., k] - num).max() / scale < 1e-6, model.param_names[k]


# ----------------------------------------------------------------------------- R references
def _ref_data() -> tuple[pd.DataFrame, pd.DataFrame]:
    d = pd.read_csv(REF / "data.csv")
    d["conc_M"] = d["conc_nM"] * 1e-9
    d["competitor_conc_M"] = d["comp_nM"] * 1e-9
    return d, pd.read_csv(REF / "values.csv")


@pytest.mark.parametrize(
    ("dataset", "kwargs", "columns"),
    [
        ("dissociation", {}, {"y0": "y0_cpm", "koff": "koff_per_min", "ns": "ns_cpm"}),
        (
            "association_global_weighted",
            {"weighting": "counting"},
            {"kon": "kon_per_M_min", "koff": "koff_per_min", "bmax": "bmax_cpm"},
        ),
        (
            "association_global",
            {},
            {"kon": "kon_per_M_min", "koff": "koff_per_min", "bmax": "bmax_cpm"},
        ),
        (
            "competition",
            {"radioligand_kon_per_M_min": 1e8, "radioligand_koff_per_min": 0.1},
            {"k3": "kon_per_M_min", "k4": "koff_per_min", "bmax": "bmax_cpm"},
        ),
    ],
)
def test_fit_agrees_with_r_minpack_lm(dataset, kwargs, columns):
    data, ref = _ref_data()
    kind = "dissociation" if dataset == "dissociation" else "association"
    source = dataset.removesuffix("_weighted")  # the weighted fit uses the same data
    row = fit_kinetics(data[data["dataset"] == source].assign(kind=kind), model=source, **kwargs)
    row = row.iloc[0]
    assert row["status"] == "ok"
    for _, r in ref[ref["dataset"] == dataset].iterrows():
        scale = 1e9 if r["param"] in ("kon", "k3") else 1.0  # R works per nM per minute
        col = columns[r["param"]]
        est, se = r["estimate"] * scale, r["se"] * scale
        # 1e-5 relative; NS of the dissociation set is ≈ 0 (−5 ± 49 cpm): there 1e-5 of its SE
        assert abs(row[col] - est) <= 1e-5 * max(abs(est), se), col
        assert row[col + "_se"] == pytest.approx(se, rel=1e-3), col
        assert row["df"] == r["df"]
        assert row["rss"] == pytest.approx(r["rss"], rel=1e-9)


# ----------------------------------------------------------------------------- decay during a 68Ga run
def _ga68_run(seed: int) -> pd.DataFrame:
    design = pd.DataFrame(
        [
            {"time_min": t, "conc_M": c * 1e-9, "competitor_conc_M": 0.0, "kind": "association"}
            for c in (0.3, 1.0, 3.0)
            for t in (1, 2, 4, 7, 10, 15, 20, 30)
            for _ in range(2)
        ]
    )

    def spec(g: pd.DataFrame) -> np.ndarray:
        x = np.stack([g["time_min"].to_numpy(float), g["conc_M"].to_numpy(float) * 1e9], axis=-1)
        return ASSOCIATION_GLOBAL.eval(x[None], np.array([[0.1, 0.1, 20_000.0]]))[0]

    # 99 tubes (48 total, 48 NSB, 3 blanks), 20-s counts, one every 24 s: 40 minutes of counting
    return simulate_tubes(
        design,
        spec,
        rng=np.random.default_rng(seed),
        counting_starts_min=40.0,
        spacing_s=40 * 60 / 99,
        count_time_s=20.0,
    )


def test_ga68_association_needs_decay_correction_per_tube():
    tubes = _ga68_run(0)
    assert (tubes["measured_at"].max() - tubes["measured_at"].min()).total_seconds() / 60 > 39
    right = kinetics_responses(tubes, reference_time=T_REF, isotope="Ga-68").responses
    wrong = kinetics_responses(tubes, reference_time=T_REF, isotope="Ga-68", decay=False).responses
    good = fit_kinetics(right).iloc[0]
    bad = fit_kinetics(wrong).iloc[0]
    for col, truth in (("kon_per_M_min", 1e8), ("koff_per_min", 0.1), ("kd_M", 1e-9)):
        assert good[col + "_ci_low"] <= truth <= good[col + "_ci_high"], col
    # without decay correction kon is off by > 10 % and its CI excludes the truth
    assert abs(bad["kon_per_M_min"] / 1e8 - 1) > 0.10
    assert not (bad["kon_per_M_min_ci_low"] <= 1e8 <= bad["kon_per_M_min_ci_high"])


# ----------------------------------------------------------------------------- counting
def test_counting_uses_each_tubes_own_count_time_and_domain_factors():
    # DOMAIN §6 #1 (one half-life → ×2) and #6 (10-min count of 68Ga → ×1.05206)
    at = [T_REF + pd.Timedelta(minutes=67.71), T_REF, T_REF]
    tubes = pd.DataFrame(
        {
            "role": ["total", "nsb", "total"],
            "counts": [1000.0, 0.0, 10_000.0],
            "count_time_s": [60.0, 60.0, 600.0],
            "measured_at": at,
            "time_min": [5.0, 5.0, 5.0],
            "conc_M": [1e-9, 1e-9, 2e-9],
            "curve": ["a", "a", "b"],
        }
    )
    tubes.loc[3] = ["nsb", 0.0, 600.0, T_REF, 5.0, 2e-9, "b"]
    out = kinetics_responses(tubes, reference_time=T_REF, isotope="Ga-68", background_cpm=0.0)
    f_a = 2.0 * 1.00513  # one half-life, 1-min count
    assert out.tubes.loc[0, "decay_factor"] == pytest.approx(f_a, rel=2e-5)
    assert out.tubes.loc[2, "decay_factor"] == pytest.approx(1.05206, rel=1e-5)
    r = out.responses.set_index("curve")["response"]
    assert r["a"] == pytest.approx(1000.0 * f_a, rel=2e-5)
    # Poisson: 1000 counts in 1 min → SD sqrt(1000) cpm, times the same decay factor (NSB had 0)
    sd = out.responses.set_index("curve")["response_sd"]
    assert sd["a"] == pytest.approx(math.sqrt(1000.0) * f_a, rel=2e-5)
    assert r["b"] == pytest.approx(1000.0 * 1.05206, rel=1e-5)
    assert "no blank" not in " ".join(out.qc["message"])


def test_nsb_interpolated_between_selected_times_and_stopped_at_times():
    base = {"count_time_s": 60.0, "measured_at": T_REF, "conc_M": 1e-9}
    rows = [
        {"role": "nsb", "counts": 100.0, "stopped_at": T_REF + pd.Timedelta(minutes=0)},
        {"role": "nsb", "counts": 300.0, "stopped_at": T_REF + pd.Timedelta(minutes=20)},
        {"role": "total", "counts": 1200.0, "stopped_at": T_REF + pd.Timedelta(minutes=5)},
        {"role": "blank", "counts": 0.0, "stopped_at": pd.NaT},
    ]
    tubes = pd.DataFrame([{**base, **r} for r in rows])
    out = kinetics_responses(tubes, reference_time=T_REF, decay=False, time_zero=T_REF)
    row = out.responses.iloc[0]
    assert row["time_min"] == pytest.approx(5.0)
    assert row["nsb_cpm"] == pytest.approx(150.0)  # 100 + (300 − 100)·5/20
    assert row["response"] == pytest.approx(1050.0)


def test_counting_errors_name_the_problem():
    tubes = pd.DataFrame(
        {"role": ["totl"], "counts": [1.0], "count_time_s": [60.0], "measured_at": [T_REF]}
    )
    with pytest.raises(LayoutError, match="totl"):
        kinetics_responses(tubes, reference_time=T_REF, isotope="Ga-68")
    tubes["role"] = "total"
    tubes["time_min"], tubes["conc_M"] = 1.0, 1e-9
    with pytest.raises(LayoutError, match="no NSB"):
        kinetics_responses(tubes, reference_time=T_REF, isotope="Ga-68")
    with pytest.raises(SchemaError, match="isotope"):
        kinetics_responses(tubes, reference_time=T_REF)


# ----------------------------------------------------------------------------- verdicts
def test_kon_not_identifiable_from_one_concentration_without_koff():
    t = np.array([0.5, 1, 2, 3, 5, 8, 12, 20, 30, 45.0])
    row = fit_kinetics(_global_data(t, [1.0], 0.1, 0.1, 1000.0), model="association").iloc[0]
    assert math.isnan(row["kon_per_M_min"])
    assert "kon_not_identifiable" in row["flags"]
    assert "kon = (kobs − koff)/[L]" in row["message"]
    assert row["kobs_per_min"] == pytest.approx(0.2, rel=1e-7)


def test_plateau_not_reached_is_flagged():
    t = np.array([0.5, 1, 2, 3, 4, 5.0])  # kobs 0.2: 5 min is 1/kobs
    rng = np.random.default_rng(1)
    data = _global_data(t, [1.0], 0.1, 0.1, 1000.0)
    data["response"] += rng.normal(0, 2, len(data))
    row = fit_kinetics(data, model="association").iloc[0]
    assert "plateau_not_reached" in row["flags"]
    assert "extrapolated" in row["message"]


def test_too_few_time_points_gives_a_status_not_a_number():
    data = pd.DataFrame(
        {
            "time_min": [0, 5, 10.0],
            "response": [1000, 500, 250.0],
            "conc_M": 1e-9,
            "kind": "dissociation",
        }
    )
    row = fit_kinetics(data, model="dissociation").iloc[0]
    assert row["status"] == "too_few_points"
    assert math.isnan(row["koff_per_min"])
    assert "needs at least 4" in row["message"]


def test_flat_data_do_not_define_koff():
    data = pd.DataFrame(
        {
            "time_min": np.arange(8.0),
            "response": 100.0 + np.array([1, -1, 2, 0, -2, 1, 0, -1.0]),
            "conc_M": 1e-9,
            "kind": "dissociation",
        }
    )
    row = fit_kinetics(data, model="dissociation").iloc[0]
    assert row["status"] in ("not_identifiable", "failed")
    assert math.isnan(row["koff_per_min"]) and math.isnan(row["t_half_min"])
    assert row["message"]


def test_profile_ci_is_reported_and_maps_to_half_life():
    data, _ = _ref_data()
    d = data[data["dataset"] == "dissociation"].assign(kind="dissociation")
    row = fit_kinetics(d, model="dissociation", ci_method="profile").iloc[0]
    assert row["ci_method"] == "profile"
    assert row["koff_per_min_ci_low"] < row["koff_per_min"] < row["koff_per_min_ci_high"]
    assert row["t_half_min_ci_low"] == pytest.approx(math.log(2) / row["koff_per_min_ci_high"])
    assert row["residence_time_min_ci_high"] == pytest.approx(1 / row["koff_per_min_ci_low"])


def test_association_then_dissociation_recovers_rates():
    t1, t2 = np.array([1, 2, 4, 8, 15, 30.0]), np.array([1, 2, 4, 8, 15, 30, 60.0])
    x = np.stack([np.r_[t1, t2 + 30], np.full(13, 2.0), np.full(13, 30.0)], axis=-1)[None]
    y = ASSOCIATION_DISSOCIATION.eval(x, np.array([[0.1, 0.1, 1000.0, 20.0]]))[0]
    data = pd.DataFrame(
        {
            "time_min": np.r_[t1, t2],
            "response": y,
            "conc_M": 2e-9,
            "kind": ["association"] * 6 + ["dissociation"] * 7,
        }
    )
    row = fit_kinetics(data, model="association_dissociation", dissociation_start_min=30).iloc[0]
    assert row["kon_per_M_min"] == pytest.approx(1e8, rel=1e-6)
    assert row["koff_per_min"] == pytest.approx(0.1, rel=1e-6)
    assert row["ns_cpm"] == pytest.approx(20.0, rel=1e-5)
    with pytest.raises(SchemaError, match="dissociation_start_min"):
        fit_kinetics(data, model="association_dissociation")


def test_inputs_are_not_modified_and_bad_options_are_refused():
    t = np.array([0.5, 1, 2, 3, 5, 8, 12, 20, 30, 45.0])
    data = _global_data(t, [0.5, 1.0], 0.1, 0.1, 1000.0)
    before = data.copy()
    fit_kinetics(data)
    pd.testing.assert_frame_equal(data, before)
    with pytest.raises(ValueError, match="model must be"):
        fit_kinetics(data, model="two_phase")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="radioligand_kon_per_M_min"):
        fit_kinetics(data.assign(competitor_conc_M=0.0), model="competition")


@settings(max_examples=40, deadline=None)
@given(
    k1=st.floats(0.01, 1.0),
    k2=st.floats(0.01, 1.0),
    k3=st.floats(1e-4, 1.0),
    k4=st.floats(1e-4, 1.0),
    conc=st.floats(0.05, 20.0),
)
def test_motulsky_mahan_without_competitor_equals_association(k1, k2, k3, k4, conc):
    t = np.array([0.5, 2.0, 10.0, 60.0])
    ka = k1 * conc + k2
    if abs(ka - k4) < 1e-3 * ka:  # KA = KB makes S = 0 (the equation's own singular case)
        return
    mm = _mm(t, conc, 0.0, k1, k2, k3, k4, 1000.0)
    assoc = 1000.0 * k1 * conc / ka * -np.expm1(-ka * t)
    assert mm == pytest.approx(assoc, rel=1e-8, abs=1e-9)


# ----------------------------------------------------------------------------- analysis and figures
def test_analyze_kinetics_from_counts_gives_a_complete_result():
    from assaykit.binding.kinetics_analysis import analyze_kinetics
    from assaykit.binding.kinetics_figures import kinetics_curve

    res = analyze_kinetics(
        _ga68_run(0), reference_time=T_REF, isotope="Ga-68", equilibrium_kd_M=1e-9
    )
    assert list(res.tables) == ["kinetics", "kobs", "responses"]
    main = res.main_table.iloc[0]
    assert main["status"] == "ok" and main["ci_method"] == "wald"
    assert set(res.figures) == {"kinetics_curve_1", "kobs_curve_1"}
    assert "kon" in res.summary[0] and "95 % CI" in res.summary[0]
    assert "decay during the count" in res.methods
    assert "48 total-binding tubes" in res.n_statement
    assert res.settings["isotope"] == "Ga-68"
    # the drawn line is the fitted model: kinetics_curve reproduces the model at the fit
    y = kinetics_curve(main, [5.0], 1e-9)
    x = np.array([[[5.0, 1.0]]])
    p = [[main["kon_per_M_min"] / 1e9, main["koff_per_min"], main["bmax_cpm"]]]
    assert y[0] == pytest.approx(ASSOCIATION_GLOBAL.eval(x, np.array(p))[0, 0])
    # per-concentration kobs lie on the global line within their CIs
    kobs = res.tables["kobs"]
    line = main["kon_per_M_min"] * kobs["conc_M"] + main["koff_per_min"]
    assert ((kobs["kobs_per_min_ci_low"] <= line) & (line <= kobs["kobs_per_min_ci_high"])).all()


def test_figures_render(tmp_path):
    from assaykit.binding.kinetics_analysis import analyze_kinetics

    data, _ = _ref_data()
    res = analyze_kinetics(
        data[data["dataset"] == "competition"],
        model="competition",
        radioligand_kon_per_M_min=1e8,
        radioligand_koff_per_min=0.1,
    )
    fig = res.figures["kinetics_curve_1"]
    out = tmp_path / "mm.png"
    fig.plot.save(out, width=fig.width, height=fig.height, dpi=50, verbose=False)
    assert out.stat().st_size > 5000


def test_profile_limits_agree_with_r_mass_confint():
    # profile.csv: MASS::confint on nls (the F-based profile cut-off), kon and Kd parameterizations
    data, _ = _ref_data()
    ref = pd.read_csv(REF / "profile.csv").set_index("param")
    d = data[data["dataset"] == "association_global"]
    row = fit_kinetics(d, ci_method="profile").iloc[0]
    cols = {
        "kon": ("kon_per_M_min", 1e9),
        "koff": ("koff_per_min", 1.0),
        "bmax": ("bmax_cpm", 1.0),
        "kd": ("kd_M", 1e-9),
    }
    for param, (col, scale) in cols.items():
        # R interpolates its profile with a spline; ours is solved to a tolerance
        assert row[col + "_ci_low"] == pytest.approx(ref.loc[param, "ci_low"] * scale, rel=1e-5)
        assert row[col + "_ci_high"] == pytest.approx(ref.loc[param, "ci_high"] * scale, rel=1e-5)


@pytest.mark.slow  # ~15 s: 200 simulated 68Ga runs, three fits each
def test_ci_coverage_over_simulated_ga68_runs():
    hits: dict[tuple[str, str], list[bool]] = {}
    for seed in range(1000, 1200):
        tubes = _ga68_run(seed)
        for decay, weighting in ((True, "none"), (True, "counting"), (False, "none")):
            r = kinetics_responses(tubes, reference_time=T_REF, isotope="Ga-68", decay=decay)
            row = fit_kinetics(r.responses, weighting=weighting).iloc[0]
            key = ("decay" if decay else "no decay", weighting)
            for col, truth in (("kon_per_M_min", 1e8), ("kd_M", 1e-9)):
                ok = row[col + "_ci_low"] <= truth <= row[col + "_ci_high"]
                hits.setdefault((*key, col), []).append(bool(ok))  # type: ignore[arg-type]
    cover = {k: np.mean(v) for k, v in hits.items()}
    # counting weights: nominal 95 % within binomial noise (SE 1.5 % over 200 runs)
    assert 0.91 <= cover[("decay", "counting", "kon_per_M_min")] <= 0.99
    assert 0.91 <= cover[("decay", "counting", "kd_M")] <= 0.99
    # unweighted fits of decay-corrected 68Ga data: the late, decayed counts are noisier
    assert cover[("decay", "none", "kon_per_M_min")] >= 0.85
    # without decay correction the CI almost never holds the truth
    assert cover[("no decay", "none", "kon_per_M_min")] < 0.05


def test_association_then_dissociation_from_counts_with_explicit_time_zeros():
    # association at 2 nM for 30 min, then dissociation (excess unlabelled ligand); dissociation
    # tubes carry the time after dissociation start, as the template asks
    t_assoc, t_diss = (1, 2, 4, 8, 15, 30), (1, 2, 4, 8, 15, 30, 60)
    design = pd.DataFrame(
        [{"time_min": t, "kind": "association"} for t in t_assoc for _ in range(2)]
        + [{"time_min": t, "kind": "dissociation"} for t in t_diss for _ in range(2)]
    ).assign(conc_M=2e-9, competitor_conc_M=0.0)

    def spec(g: pd.DataFrame) -> np.ndarray:
        t = g["time_min"].to_numpy(float) + np.where(g["kind"] == "dissociation", 30.0, 0.0)
        x = np.stack([t, np.full_like(t, 2.0), np.full_like(t, 30.0)], axis=-1)[None]
        return ASSOCIATION_DISSOCIATION.eval(x, np.array([[0.1, 0.1, 20_000.0, 0.0]]))[0]

    tubes = simulate_tubes(design, spec, rng=np.random.default_rng(7), counting_starts_min=100.0)
    res = kinetics_responses(tubes, reference_time=T_REF, isotope="Ga-68")
    assert set(res.responses["kind"]) == {"association", "dissociation"}
    row = fit_kinetics(
        res.responses,
        model="association_dissociation",
        dissociation_start_min=30.0,
        weighting="counting",
    ).iloc[0]
    assert row["status"] == "ok", row["message"]
    for col, truth in (("kon_per_M_min", 1e8), ("koff_per_min", 0.1), ("kd_M", 1e-9)):
        assert row[col + "_ci_low"] <= truth <= row[col + "_ci_high"], col


def test_one_concentration_analysis_with_a_measured_koff():
    from assaykit.binding.kinetics_analysis import analyze_kinetics

    t = np.array([0.5, 1, 2, 3, 5, 8, 12, 20, 30, 45.0])
    data = _global_data(t, [1.0, 3.0], 0.1, 0.1, 1000.0)
    res = analyze_kinetics(data, model="association", koff_per_min=0.1, koff_se=0.005)
    tab = res.main_table
    assert len(tab) == 2 and (tab["status"] == "ok").all()
    assert tab["kon_per_M_min"].to_numpy() == pytest.approx([1e8, 1e8], rel=1e-6)
    # SE of kon = sqrt(SE(kobs)² + SE(koff)²)/[L]; noise-free kobs: SE(kobs) ≈ 0
    assert tab["kon_per_M_min_se"].to_numpy() == pytest.approx(
        [0.005 / 1e-9, 0.005 / 3e-9], rel=1e-4
    )
    assert all("kon_from_given_koff" in f for f in tab["flags"])
    assert set(res.figures) == {"kinetics_curve_1"}


@settings(max_examples=15, deadline=None)
@given(scale=st.floats(1e-3, 1e4), kon_nM=st.floats(0.02, 0.5), koff=st.floats(0.02, 0.5))
def test_global_fit_rates_do_not_depend_on_the_response_scale(scale, kon_nM, koff):
    t = np.array([0.5, 1, 2, 4, 7, 10, 15, 25, 40, 60.0])
    data = _global_data(t, [0.3, 1.0, 3.0], kon_nM, koff, 1000.0)
    noise = np.random.default_rng(3).normal(0.0, 5.0, len(data))
    data["response"] = (data["response"] + noise) * scale
    row = fit_kinetics(data).iloc[0]
    base = data.assign(response=data["response"] / scale)
    ref = fit_kinetics(base).iloc[0]
    assert row["kon_per_M_min"] == pytest.approx(ref["kon_per_M_min"], rel=1e-6)
    assert row["koff_per_min"] == pytest.approx(ref["koff_per_min"], rel=1e-6)
    assert row["bmax_cpm"] == pytest.approx(ref["bmax_cpm"] * scale, rel=1e-6)
    assert row["kon_per_M_min_se"] == pytest.approx(ref["kon_per_M_min_se"], rel=1e-4)


def test_total_below_nsb_is_reported_not_dropped():
    base = {"count_time_s": 60.0, "measured_at": T_REF, "conc_M": 1e-9, "time_min": 5.0}
    rows = [
        {"role": "nsb", "counts": 500.0, "position": 1},
        {"role": "total", "counts": 400.0, "position": 2},
        {"role": "total", "counts": 900.0, "position": 3},
    ]
    tubes = pd.DataFrame([{**base, **r, "rack": 1} for r in rows])
    out = kinetics_responses(tubes, reference_time=T_REF, decay=False, background_cpm=0.0)
    assert len(out.responses) == 2
    msg = out.qc[out.qc["message"].str.contains("at or below NSB")]
    assert len(msg) == 1 and msg.iloc[0]["where"] == "tube 1/2"


def test_global_association_needs_two_concentrations():
    t = np.array([0.5, 1, 2, 4, 8, 15, 30.0])
    data = _global_data(t, [1.0], 0.1, 0.1, 1000.0)
    data["response"] += np.random.default_rng(0).normal(0, 5, len(data))
    row = fit_kinetics(data).iloc[0]
    assert row["status"] == "not_identifiable"
    assert "kon_not_identifiable" in row["flags"]
    assert row["message"].startswith("one radioligand concentration")
    assert math.isnan(row["kon_per_M_min"]) and math.isnan(row["kd_M"])
