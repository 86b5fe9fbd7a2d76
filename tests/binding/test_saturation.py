"""Saturation binding: DOMAIN §8.1's hand-computed checks, verdicts on hard cases, invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assaykit.binding.saturation import (
    RadioligandSetup,
    bmax_units,
    fit_saturation,
    prepare_points,
)
from assaykit.errors import SchemaError
from assaykit.units import convert

X_NM = np.array([0.25, 0.5, 1, 2, 4, 8, 16])


def _domain_data() -> pd.DataFrame:
    # DOMAIN §8.1 "Checks (computed)": the printed totals, NSB 12.5 … 800
    total = [234.72, 425.00, 716.67, 1100.00, 1533.33, 2000.00, 2577.78]
    return pd.concat(
        [
            pd.DataFrame({"conc_M": X_NM * 1e-9, "response": total, "kind": "total"}),
            pd.DataFrame({"conc_M": X_NM * 1e-9, "response": 50 * X_NM, "kind": "nsb"}),
        ],
        ignore_index=True,
    )


def _exact(kd=2.0, bmax=2000.0, ns=50.0, x=X_NM, reps=1) -> pd.DataFrame:
    xx = np.repeat(x, reps)
    tot = bmax * xx / (kd + xx) + ns * xx
    return pd.concat(
        [
            pd.DataFrame({"conc_M": xx * 1e-9, "response": tot, "kind": "total"}),
            pd.DataFrame({"conc_M": xx * 1e-9, "response": ns * xx, "kind": "nsb"}),
        ],
        ignore_index=True,
    )


def test_domain_checks_global_fit():
    # the printed totals are rounded to 0.01 cpm: the fit recovers Kd 2, Bmax 2000, NS 50 to ~1e-5
    r = fit_saturation(_domain_data(), compare_two_sites=False).iloc[0]
    assert r["model"] == "total-nsb" and r["status"] == "ok"
    assert r["kd_M"] == pytest.approx(2e-9, rel=2e-5)
    assert r["bmax_cpm"] == pytest.approx(2000, rel=2e-5)
    assert r["ns_cpm_per_nM"] == pytest.approx(50, rel=2e-5)


def test_domain_checks_exact_values_to_1e6():
    # the same model evaluated without rounding: the global fit returns the truth to 1e-6
    r = fit_saturation(_exact(), compare_two_sites=False, ci_method="wald").iloc[0]
    assert r["kd_M"] == pytest.approx(2e-9, rel=1e-6)
    assert r["bmax_cpm"] == pytest.approx(2000, rel=1e-6)
    assert r["ns_cpm_per_nM"] == pytest.approx(50, rel=1e-6)
    assert r["bkg_cpm"] == 0.0  # fixed by default


@pytest.mark.parametrize("model", ["total", "specific", "hill", "two-site"])
def test_other_models_recover_truth(model):
    r = fit_saturation(_exact(), model=model, compare_two_sites=False, ci_method="wald").iloc[0]
    if model == "two-site":  # one site in truth: the two-site fit cannot separate the sites
        assert r["status"] != "ok"
        return
    assert r["kd_M"] == pytest.approx(2e-9, rel=1e-6)
    assert r["bmax_cpm"] == pytest.approx(2000, rel=1e-6)
    if model == "hill":
        assert r["hill"] == pytest.approx(1.0, rel=1e-6)


def test_sites_per_cell_domain():
    # DOMAIN §8.1: 2000 cpm, ε 0.80, 125I 2200 Ci/mmol (4884 dpm/fmol), 2e5 cells → 0.5119 fmol, 1541
    setup = RadioligandSetup(
        efficiency=0.80,
        molar_activity_GBq_per_umol=convert(2200, "Ci/mmol", "GBq/µmol"),
        cells_per_tube=2e5,
        protein_mg_per_tube=0.05,
    )
    assert setup.dpm_per_fmol == pytest.approx(4884, abs=0.5)
    u = bmax_units(2000.0, setup)
    assert u["bmax_fmol"] == pytest.approx(0.5119, abs=1e-4)
    assert round(float(u["sites_per_cell"])) == 1541
    assert u["bmax_fmol_per_1e6_cells"] == pytest.approx(0.5119 * 5, abs=1e-3)
    assert u["bmax_fmol_per_mg"] == pytest.approx(0.5119 / 0.05, abs=1e-3)
    # DOMAIN §4.1: 0.5 fmol on 2e5 cells → 1505.5 sites/cell (via 1 Bq/fmol = 60 dpm/fmol)
    s2 = RadioligandSetup(efficiency=1.0, molar_activity_GBq_per_umol=1.0, cells_per_tube=2e5)
    assert float(bmax_units(30.0, s2)["sites_per_cell"]) == pytest.approx(1505.5, abs=0.1)
    r = fit_saturation(_exact(), setup=setup, compare_two_sites=False).iloc[0]
    assert round(r["sites_per_cell"]) == 1541
    assert r["sites_per_cell_ci_low"] < r["sites_per_cell"] < r["sites_per_cell_ci_high"]


def test_no_plateau_gives_status_not_number():
    x = np.array([0.05, 0.1, 0.2, 0.4, 0.8, 1.6])
    d = _exact(kd=20.0, x=x, reps=2)
    d["response"] *= np.random.default_rng(1).normal(1, 0.03, len(d))
    r = fit_saturation(d, compare_two_sites=False).iloc[0]
    assert r["status"] == "no_plateau"
    assert np.isnan(r["kd_M"]) and np.isnan(r["bmax_cpm"])
    assert r["message"]


def test_one_concentration_is_insufficient():
    d = _exact(x=np.array([4.0]), reps=3)
    r = fit_saturation(d, compare_two_sites=False).iloc[0]
    assert r["status"] == "insufficient_data"
    assert np.isnan(r["kd_M"])
    assert "1 radioligand concentration" in r["message"]


def test_flat_data_is_no_binding():
    rng = np.random.default_rng(3)
    d = _exact(bmax=0.0, reps=3)
    d["response"] = d["response"] + rng.normal(0, 5, len(d))
    r = fit_saturation(d, compare_two_sites=False).iloc[0]
    assert r["status"] == "no_binding"
    assert np.isnan(r["kd_M"])
    flat = _exact(reps=2).assign(response=100.0, kind="specific")
    assert fit_saturation(flat, compare_two_sites=False).iloc[0]["status"] == "no_binding"


def _depleted(k_cpm_per_nM: float = 1000.0) -> pd.DataFrame:
    """Exact saturation with depletion: free F known, added = F + bound (in cpm via k)."""
    free = X_NM
    bmax, kd, ns = 3000.0, 2.0, 40.0
    tot = bmax * free / (kd + free) + ns * free
    added_cpm_tot = free * k_cpm_per_nM + tot
    nsb = ns * free
    added_cpm_nsb = free * k_cpm_per_nM + nsb
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "conc_M": added_cpm_tot / k_cpm_per_nM * 1e-9,
                    "response": tot,
                    "kind": "total",
                    "added_cpm": added_cpm_tot,
                }
            ),
            pd.DataFrame(
                {
                    "conc_M": added_cpm_nsb / k_cpm_per_nM * 1e-9,
                    "response": nsb,
                    "kind": "nsb",
                    "added_cpm": added_cpm_nsb,
                }
            ),
        ],
        ignore_index=True,
    )


def test_depletion_corrected_to_free_ligand():
    d = _depleted()
    r = fit_saturation(d, compare_two_sites=False).iloc[0]
    assert "ligand_depletion" in r["flags"].split(";")
    assert r["free_ligand"] == "added − bound"
    assert r["max_fraction_bound"] > 0.5
    assert r["status"] == "ok"
    assert r["kd_M"] == pytest.approx(2e-9, rel=1e-6)  # exact once X is the free ligand
    assert r["bmax_cpm"] == pytest.approx(3000, rel=1e-6)


def test_depletion_not_corrected_is_a_status():
    r = fit_saturation(_depleted(), free_ligand="added", compare_two_sites=False).iloc[0]
    assert r["status"] == "depletion"
    assert np.isnan(r["kd_M"])
    assert "ligand_depletion" in r["flags"]


def test_depletion_from_physical_constants():
    # bound fraction from cpm, ε, molar activity, volume: 1 GBq/µmol, ε 1, 1 mL:
    # 60 dpm/fmol; 6000 cpm = 100 fmol in 1 mL = 0.1 nM; added 0.5 nM → 20 % bound
    setup = RadioligandSetup(efficiency=1.0, molar_activity_GBq_per_umol=1.0, volume_L=1e-3)
    d = pd.DataFrame({"conc_M": [0.5e-9], "response": [6000.0], "kind": ["total"]})
    p = prepare_points(d, setup=setup)
    assert p["fraction_bound"].iloc[0] == pytest.approx(0.2)
    assert p["free_M"].iloc[0] == pytest.approx(0.4e-9)


def test_input_not_modified_and_bad_kind_named():
    d = _exact()
    before = d.copy()
    fit_saturation(d, compare_two_sites=False, ci_method="wald")
    pd.testing.assert_frame_equal(d, before)
    bad = d.copy()
    bad.loc[3, "kind"] = "blank"
    with pytest.raises(SchemaError, match="row 3: kind 'blank'"):
        fit_saturation(bad)


def test_two_curves_and_profile_inside_wald_scale():
    a = _exact().assign(curve="A")
    b = _exact(kd=0.5, bmax=900).assign(curve="B")
    rng = np.random.default_rng(5)
    d = pd.concat([a, b], ignore_index=True)
    d["response"] += rng.normal(0, 10, len(d))
    res = fit_saturation(d, compare_two_sites=False)
    assert res["curve"].tolist() == ["A", "B"]
    assert (res["status"] == "ok").all()
    assert res.loc[1, "kd_M"] == pytest.approx(0.5e-9, rel=0.2)
    for _, r in res.iterrows():
        assert r["kd_M_ci_low"] < r["kd_M"] < r["kd_M_ci_high"]


@settings(max_examples=15, deadline=None)
@given(
    c=st.floats(0.01, 100.0),
    f=st.sampled_from([1e-3, 1.0, 1e3]),
)
def test_scaling_invariance(c, f):
    # response × c scales Bmax and NS by c; concentrations × f scale Kd by f, NS by 1/f
    d = _exact()
    d["response"] = d["response"] * c + np.tile(np.array([3, -2, 1, -1, 2, -3, 0.5]), 2) * c
    d2 = d.assign(conc_M=d["conc_M"] * f)
    r1 = fit_saturation(d, compare_two_sites=False, ci_method="wald").iloc[0]
    r2 = fit_saturation(d2, compare_two_sites=False, ci_method="wald").iloc[0]
    assert r2["kd_M"] == pytest.approx(r1["kd_M"] * f, rel=1e-6)
    assert r2["bmax_cpm"] == pytest.approx(r1["bmax_cpm"], rel=1e-6)
    assert r1["bmax_cpm"] / c == pytest.approx(
        fit_saturation(
            d.assign(response=d["response"] / c), compare_two_sites=False, ci_method="wald"
        ).iloc[0]["bmax_cpm"],
        rel=1e-6,
    )


@pytest.mark.slow
def test_kd_ci_coverage_1000_experiments():
    # 1200 simulated total + NSB experiments (8 concentrations 0.2-20 nM, triplicates, Kd 1.5 nM,
    # Bmax 4000 cpm, NS 60 cpm/nM, normal noise SD 60 cpm): the 95 % Wald CI of log Kd covers the
    # true Kd in 93-97 % of them, and so does the profile CI (checked on the first 300)
    rng = np.random.default_rng(20261205)
    n_exp, kd, bmax, ns = 1200, 1.5, 4000.0, 60.0
    x = np.repeat(np.array([0.2, 0.5, 1, 2, 4, 7, 12, 20]), 3)
    frames = []
    for k in range(n_exp):
        tot = bmax * x / (kd + x) + ns * x + rng.normal(0, 60, x.size)
        nsb = ns * x + rng.normal(0, 60, x.size)
        frames.append(
            pd.DataFrame(
                {
                    "curve": f"e{k:04d}",
                    "conc_M": np.r_[x, x] * 1e-9,
                    "response": np.r_[tot, nsb],
                    "kind": ["total"] * x.size + ["nsb"] * x.size,
                }
            )
        )
    d = pd.concat(frames, ignore_index=True)
    res = fit_saturation(d, compare_two_sites=False, ci_method="wald")
    assert (res["status"] == "ok").mean() > 0.99
    ok = res[res["status"] == "ok"]
    cover = ((ok["kd_M_ci_low"] <= kd * 1e-9) & (kd * 1e-9 <= ok["kd_M_ci_high"])).mean()
    assert 0.93 <= cover <= 0.97, cover
    sub = d[d["curve"] < "e0300"]
    prof = fit_saturation(sub, compare_two_sites=False, ci_method="profile")
    okp = prof[prof["status"] == "ok"]
    cover_p = ((okp["kd_M_ci_low"] <= kd * 1e-9) & (kd * 1e-9 <= okp["kd_M_ci_high"])).mean()
    assert 0.92 <= cover_p <= 0.98, cover_p


def test_molar_activity_units():
    # 1 Ci = 3.7e10 Bq: 2200 Ci/mmol = 8.14e16 Bq/mol = 81.4 GBq/µmol = 81.4 Bq/fmol
    from assaykit.units import UnitError, parse_quantity

    assert convert(2200, "Ci/mmol", "GBq/µmol") == pytest.approx(81.4, rel=1e-12)
    assert parse_quantity("80 GBq/umol", "molar_activity") == 80.0
    assert parse_quantity("50 MBq/nmol", "molar_activity") == 50.0
    assert parse_quantity("500 GBq/mmol", "molar_activity") == pytest.approx(0.5)
    with pytest.raises(UnitError, match="not a unit of molar_activity"):
        parse_quantity("5 nM", "molar_activity")


def test_curves_without_usable_tubes_get_a_status():
    only_nsb = _exact()[lambda d: d["kind"] == "nsb"]
    all_nan = _exact().assign(response=np.nan, curve="B")
    res = fit_saturation(
        pd.concat([_exact().assign(curve="A"), all_nan, only_nsb.assign(curve="C")]),
        compare_two_sites=False,
    )
    assert res["curve"].tolist() == ["A", "B", "C"]
    assert res["status"].tolist() == ["ok", "insufficient_data", "insufficient_data"]
    assert res["kd_M"].isna().tolist() == [False, True, True]
    with pytest.raises(SchemaError, match="no tubes"):
        fit_saturation(_exact().iloc[:0])


def test_unusable_nsb_at_one_concentration_drops_its_specific_points():
    d = _exact()
    d.loc[(d["kind"] == "nsb") & (d["conc_M"] == 1e-9), "response"] = np.nan
    r = fit_saturation(d, model="specific", compare_two_sites=False).iloc[0]
    assert r["n_concentrations"] == 6 and r["status"] == "ok"
    assert r["kd_M"] == pytest.approx(2e-9, rel=1e-6)
    with pytest.raises(SchemaError, match="none at 1e-09 M"):
        fit_saturation(_exact().drop(index=9), model="specific")  # NSB at 1 nM not listed


def test_poisson_weighting_reports_left_out_tubes():
    d = _exact(reps=2)
    d.loc[d.index[0], "response"] = -3.0  # a net count below the blank: no 1/Y weight
    r = fit_saturation(d, weighting="poisson", compare_two_sites=False).iloc[0]
    assert r["n_fitted"] == r["n_tubes"] - 1
    assert "points_left_out" in r["flags"] and "1 tube(s)" in r["message"]
    r0 = fit_saturation(d, compare_two_sites=False).iloc[0]
    assert r0["n_fitted"] == r0["n_tubes"] and "points_left_out" not in r0["flags"]
