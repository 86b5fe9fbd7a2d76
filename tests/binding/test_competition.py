"""fit_competition: hand-checked numbers (DOMAIN §6 #11), exact identities, verdicts, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assaykit.binding.competition import fit_competition
from assaykit.binding.competition_models import (
    DEPLETION,
    ONE_SITE,
    TWO_SITE,
    depletion_value,
    homologous_model,
)
from assaykit.binding.curves import four_pl
from assaykit.errors import FitError, SchemaError

GRID = np.array([0.0, *10.0 ** np.arange(-11, -4.9, 0.5)])


def _frame(conc: np.ndarray, resp: np.ndarray, curve: str = "c", **cols: object) -> pd.DataFrame:
    return pd.DataFrame({"curve": curve, "conc_M": conc, "response": resp, **cols})


# --- exact identities ---------------------------------------------------------------------------


def test_fit_ki_on_noise_free_4pl_gives_cheng_prusoff_to_1e8() -> None:
    ic50, lig, kd = 25e-9, 0.7e-9, 1.3e-9
    conc = 10.0 ** np.arange(-11, -4.9, 0.5)
    resp = four_pl(np.log10(conc), 3000.0, 200.0, np.log10(ic50), -1.0)
    res = fit_competition(_frame(conc, resp), model="fit-ki", radioligand_M=lig, kd_M=kd)
    row = res.iloc[0]
    assert row["status"] == "ok"
    assert row["ki_M"] == pytest.approx(ic50 / (1 + lig / kd), rel=1e-8)
    assert row["ic50_M"] == pytest.approx(ic50, rel=1e-8)
    assert row["top"] == pytest.approx(3000.0, rel=1e-8)


def test_homologous_shortcut_domain_check_11() -> None:
    # DOMAIN §6 #11: IC50 5.1 nM, [Hot] 0.1 nM, B0 1000 cpm → Kd 5.0 nM, Bmax 51 000 cpm
    hot, kd, bmax, nsb = 0.1e-9, 5.0e-9, 51_000.0, 80.0
    cold = np.array([0.0, *10.0 ** np.arange(-11, -5.9, 0.5)])
    resp = bmax * hot / (hot + cold + kd) + nsb
    data = _frame(cold, resp, hot_M=hot)
    row = fit_competition(data, model="homologous").iloc[0]
    assert row["status"] == "ok", row["message"]
    assert row["kd_M"] == pytest.approx(5.0e-9, rel=1e-7)
    assert row["bmax_cpm"] == pytest.approx(51_000.0, rel=1e-7)
    assert row["ic50_M"] == pytest.approx(5.1e-9, rel=1e-7)
    # the same points fitted as an ordinary one-site curve: IC50 = Hot + Kd, B0 = Bmax·Hot/IC50
    one = fit_competition(data, model="fit-ki", radioligand_M=0.0, kd_M=1.0).iloc[0]
    assert one["ic50_M"] == pytest.approx(5.1e-9, rel=1e-7)
    b0 = one["top"] - one["bottom"]
    assert b0 == pytest.approx(1000.0, rel=1e-7)
    assert one["ic50_M"] - hot == pytest.approx(row["kd_M"], rel=1e-6)
    assert b0 * one["ic50_M"] / hot == pytest.approx(row["bmax_cpm"], rel=1e-6)


def test_two_sites_noise_free_recovered_and_labelled_high_first() -> None:
    resp = 100 + 2000 * (0.3 / (1 + GRID / 1e-9) + 0.7 / (1 + GRID / 3e-7))
    row = fit_competition(_frame(GRID, resp), model="two-site").iloc[0]
    assert row["fraction_high"] == pytest.approx(0.3, rel=1e-6)
    assert row["log_ic50_high"] == pytest.approx(-9.0, abs=1e-6)
    assert row["log_ic50_low"] == pytest.approx(np.log10(3e-7), abs=1e-6)
    assert row["preferred"] == "two-site"


def test_two_site_ki_form_shifts_by_cheng_prusoff_factor() -> None:
    resp = 100 + 2000 * (0.3 / (1 + GRID / 1e-9) + 0.7 / (1 + GRID / 3e-7))
    row = fit_competition(
        _frame(GRID, resp), model="two-site", radioligand_M=1e-9, kd_M=1e-9, kd_low_M=4e-9
    ).iloc[0]
    assert row["ki_high_M"] == pytest.approx(1e-9 / 2, rel=1e-6)
    assert row["ki_low_M"] == pytest.approx(3e-7 / 1.25, rel=1e-6)
    assert row["log_ki_high_se"] == pytest.approx(row["log_ic50_high_se"], nan_ok=True)


def test_depletion_noise_free_and_bound_fraction() -> None:
    x = np.stack([GRID, np.full_like(GRID, 50_000.0), np.full_like(GRID, 780_000.0)], axis=-1)
    resp = depletion_value(x[None], np.array([[-8.0, 200_000.0, 0.02]]))[0]
    data = _frame(GRID, resp)
    row = fit_competition(
        data,
        model="depletion",
        hot_cpm=50_000.0,
        kd_M=1e-9,
        specific_activity_cpm_per_fmol=3900.0,
        volume_mL=0.2,
    ).iloc[0]
    assert row["kd_cpm"] == pytest.approx(780_000.0)
    assert row["ki_M"] == pytest.approx(1e-8, rel=1e-7)
    assert row["bmax_cpm"] == pytest.approx(200_000.0, rel=1e-7)
    assert row["fraction_bound"] == pytest.approx(resp.max() / 50_000.0)
    assert row["fraction_bound"] > 0.1  # depletion matters here
    assert "depletion_below_10pct" not in row["flags"]


@settings(max_examples=60, deadline=None)
@given(
    logki=st.floats(-11, -5),
    bmax=st.floats(10.0, 1e6),
    ns=st.floats(0.0, 0.5),
    hot=st.floats(100.0, 1e6),
    kdc=st.floats(100.0, 1e7),
    conc=st.floats(0.0, 1e-4),
)
def test_depletion_root_balances_the_mass(
    logki: float, bmax: float, ns: float, hot: float, kdc: float, conc: float
) -> None:
    yv = float(depletion_value(np.array([[[conc, hot, kdc]]]), np.array([[logki, bmax, ns]]))[0, 0])
    free = hot - yv
    spec = bmax * free / (free + kdc * (1 + conc / 10**logki))
    assert 0 <= yv <= hot
    assert yv == pytest.approx(spec + ns * free, rel=1e-9, abs=1e-9 * hot)


@pytest.mark.parametrize(
    ("model", "x", "p"),
    [
        (ONE_SITE, np.stack([GRID, np.full_like(GRID, 1.5)], -1), [3000.0, 100.0, -8.2]),
        (
            TWO_SITE,
            np.stack([GRID, np.full_like(GRID, 1.5), np.full_like(GRID, 1.1)], -1),
            [3000.0, 100.0, 0.35, -9.3, -6.8],
        ),
        (
            homologous_model(2),
            np.stack(
                [
                    np.r_[GRID, GRID],
                    np.r_[GRID * 0 + 1e-10, GRID * 0 + 1e-9],
                    np.r_[GRID * 0, GRID * 0 + 1],
                ],
                -1,
            ),
            [-8.6, 20_000.0, 100.0, 400.0],
        ),
        (
            DEPLETION,
            np.stack([GRID, np.full_like(GRID, 5e4), np.full_like(GRID, 2e5)], -1),
            [-8.0, 5e4, 0.03],
        ),
    ],
    ids=["one-site", "two-site", "homologous", "depletion"],
)
def test_jacobians_match_central_differences(model, x, p) -> None:  # type: ignore[no-untyped-def]
    x, p = x[None], np.array([p])
    jac = model.jac(x, p)
    for k in range(p.shape[1]):
        h = 1e-6 * max(1.0, abs(p[0, k]))
        up, dn = p.copy(), p.copy()
        up[0, k] += h
        dn[0, k] -= h
        num = (model.func(x, up) - model.func(x, dn)) / (2 * h)
        np.testing.assert_allclose(jac[..., k], num, rtol=1e-6, atol=1e-6 * np.abs(num).max())


# --- verdicts -------------------------------------------------------------------------------------


def test_homologous_with_hot_far_above_kd_is_not_identifiable(rng: np.random.Generator) -> None:
    hot, kd = 20e-9, 0.5e-9
    cold = np.repeat(np.array([0.0, *10.0 ** np.arange(-10, -5.9, 0.5)]), 3)
    mu = 30_000 * hot / (hot + cold + kd) + 300
    data = _frame(cold, rng.poisson(mu).astype(float), hot_M=hot)
    row = fit_competition(data, model="homologous").iloc[0]
    assert "ic50_not_above_hot" in row["flags"] or row["status"] == "not_identifiable"
    assert row["status"] != "ok"
    assert np.isnan(row["kd_M"])
    assert "radioligand" in row["message"] or "not defined" in row["message"]


def test_two_sites_on_one_site_data_are_not_reported(rng: np.random.Generator) -> None:
    conc = np.repeat(GRID, 3)
    data = _frame(conc, rng.poisson(300 + 3000 / (1 + conc / 1e-8)).astype(float))
    row = fit_competition(data, model="two-site").iloc[0]
    assert row["status"] in ("one_site_preferred", "not_identifiable")
    assert row["preferred"] == "one-site" or row["status"] == "not_identifiable"
    assert row["message"]


def test_too_few_points_give_insufficient_data() -> None:
    data = _frame(np.array([0.0, 1e-9, 1e-8]), np.array([100.0, 60.0, 20.0]))
    row = fit_competition(data, model="fit-ki", radioligand_M=1e-10, kd_M=1e-9).iloc[0]
    assert row["status"] == "insufficient_data"
    assert np.isnan(row["ki_M"])


def test_several_curves_and_input_untouched(rng: np.random.Generator) -> None:
    conc = np.repeat(GRID, 2)
    frames = [
        _frame(conc, rng.poisson(200 + 3000 / (1 + conc / (k * 1.5))).astype(float), curve=name)
        for name, k in (("a", 1e-9), ("b", 3e-8))
    ]
    data = pd.concat(frames, ignore_index=True)
    before = data.copy()
    res = fit_competition(data, model="fit-ki", radioligand_M=0.5e-9, kd_M=1e-9)
    pd.testing.assert_frame_equal(data, before)
    assert res["curve"].tolist() == ["a", "b"]
    assert res["log_ki"].to_numpy() == pytest.approx([-9.0, np.log10(3e-8)], abs=0.1)
    assert (res["status"] == "ok").all()


def test_constants_from_columns(rng: np.random.Generator) -> None:
    conc = np.repeat(GRID, 2)
    data = _frame(conc, 100 / (1 + conc / 3e-9), radioligand_M=1e-9, kd_M=2e-9)
    row = fit_competition(data, model="fit-ki").iloc[0]
    assert row["ki_M"] == pytest.approx(2e-9, rel=1e-7)
    data.loc[0, "kd_M"] = 3e-9
    with pytest.raises(FitError, match="kd_M"):
        fit_competition(data, model="fit-ki")


def test_errors_name_what_is_missing() -> None:
    data = _frame(GRID, 100 / (1 + GRID / 1e-8))
    with pytest.raises(SchemaError, match="radioligand_M"):
        fit_competition(data, model="fit-ki", kd_M=1e-9)
    with pytest.raises(SchemaError, match="hot_M"):
        fit_competition(data, model="homologous")
    with pytest.raises(SchemaError, match="hot_cpm"):
        fit_competition(data, model="depletion")
    with pytest.raises(FitError, match="unknown competition model"):
        fit_competition(data, model="three-site")  # type: ignore[arg-type]
    with pytest.raises(FitError, match="cannot fix"):
        fit_competition(data, model="two-site", fix={"hill": 1})


def test_curves_of_different_lengths_fit_as_alone(rng: np.random.Generator) -> None:
    # padding of the shorter curve must not spoil its fit (0 × NaN in masked points)
    short = _frame(GRID, 200 + 3000 / (1 + GRID / 1.5e-8), curve="short")
    conc = np.repeat(GRID, 3)
    long = _frame(conc, rng.poisson(200 + 3000 / (1 + conc / 1.5e-7)).astype(float), curve="long")
    long.loc[4, "conc_M"] = np.nan  # an unusable row inside a curve
    both = fit_competition(
        pd.concat([long, short]), model="fit-ki", radioligand_M=0.5e-9, kd_M=1e-9
    )
    alone = fit_competition(short, model="fit-ki", radioligand_M=0.5e-9, kd_M=1e-9)
    row = both.set_index("curve").loc["short"]
    assert row["status"] == "ok"
    assert row["log_ki"] == pytest.approx(alone.loc[0, "log_ki"], abs=1e-9)
    assert row["log_ki"] == pytest.approx(np.log10(1e-8), abs=1e-7)
    assert "excluded_points:1" in both.set_index("curve").loc["long", "flags"]


def test_fix_by_result_column_name() -> None:
    hot, kd = 1e-9, 3e-9
    cold = np.array([0.0, *10.0 ** np.arange(-11, -5.9, 0.5)])
    data = _frame(cold, 20_000 * hot / (hot + cold + kd) + 50.0, hot_M=hot)
    row = fit_competition(data, model="homologous", fix={"nsb_cpm": 50.0}).iloc[0]
    assert row["nsb_cpm"] == 50.0 and np.isnan(row["nsb_cpm_se"])
    assert row["kd_M"] == pytest.approx(kd, rel=1e-7)
    assert row["df"] == len(cold) - 2


def test_two_sites_on_noise_free_one_site_data_coincide() -> None:
    conc = np.repeat(GRID, 3)
    row = fit_competition(_frame(conc, 300 + 3000 / (1 + conc / 1e-8)), model="two-site").iloc[0]
    assert row["status"] == "not_identifiable"
    assert "sites_not_separated" in row["flags"]
    assert "coincide" in row["message"]
    assert np.isnan(row["fraction_high"]) and np.isnan(row["ic50_high_M"])


def test_fraction_at_bound_is_reported() -> None:
    from assaykit.binding._competition_verdicts import judge
    from assaykit.fitting import FitResult

    p = np.array([[3000.0, 200.0, 1.0, -9.0, -7.0]])
    fit = FitResult(
        model=TWO_SITE,
        params=p,
        se=np.array([[10.0, 10.0, np.nan, 0.05, 0.5]]),
        cov=np.zeros((1, 5, 5)),
        rss=np.array([1.0]),
        df=np.array([20]),
        n=np.array([25]),
        r_squared=np.array([0.99]),
        converged=np.array([True]),
        n_iter=np.array([5]),
        identifiable=np.array([True]),
        free=np.ones((1, 5), bool),
        at_bound=np.array([[False, False, True, False, False]]),
    )
    out = pd.DataFrame({"log_ic50_high_ci_high": [-8.9], "log_ic50_low_ci_low": [-8.0]})
    status, flags, message = np.array(["ok"], dtype=object), [[]], [""]  # type: ignore[var-annotated]
    conc = [np.array([0.0, *10.0 ** np.arange(-11, -4.9, 0.5)])]
    judge(
        "two-site",
        TWO_SITE,
        fit,
        out,
        {},
        conc,
        [conc],
        np.array([True]),
        status,
        flags,
        message,
        ["c"],
    )
    assert status[0] == "not_identifiable"
    assert "fraction_at_bound" in flags[0] and "at_bound:fraction_high" in flags[0]
    assert "went to 1" in message[0]


def test_ki_beyond_the_tested_range_is_not_reported(rng: np.random.Generator) -> None:
    conc = np.repeat(10.0 ** np.arange(-12, -8.9, 0.5), 3)  # highest 1 nM, IC50 150 nM
    y = rng.poisson(300 + 3000 / (1 + conc / 1.5e-7)).astype(float)
    row = fit_competition(_frame(conc, y), model="fit-ki", radioligand_M=0.5e-9, kd_M=1e-9).iloc[0]
    assert row["status"] in ("extrapolated", "not_identifiable")
    assert np.isnan(row["ki_M"]) and np.isnan(row["log_ki_ci_low"])
    assert {"log_ki_outside_range", "no_significant_competition"} & set(row["flags"].split(";"))


@pytest.mark.parametrize("model", ["fit-ki", "homologous", "depletion", "two-site"])
def test_no_competition_is_not_a_result(model: str, rng: np.random.Generator) -> None:
    conc = np.repeat(GRID, 3)
    data = _frame(conc, rng.poisson(1000, conc.size).astype(float), hot_M=1e-9)
    consts = {
        "fit-ki": {"radioligand_M": 1e-10, "kd_M": 1e-9},
        "depletion": {
            "hot_cpm": 5e4,
            "kd_M": 1e-9,
            "specific_activity_cpm_per_fmol": 100.0,
            "volume_mL": 0.2,
        },
    }.get(model, {})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing printed: verdicts, not warnings
        row = fit_competition(data, model=model, **consts).iloc[0]  # type: ignore[arg-type]
    assert row["status"] == "not_identifiable", row["message"]
    assert "no_significant_competition" in row["flags"]
    assert "does not change with the competitor" in row["message"]


@settings(max_examples=60, deadline=None)
@given(
    log_kd=st.floats(-11, -6),
    hot=st.floats(1e-12, 1e-7),
    bmax=st.floats(1.0, 1e6),
    nsb=st.floats(0.0, 1e4),
    cold=st.floats(0.0, 1e-4),
)
def test_homologous_curve_is_a_one_site_curve_with_ic50_hot_plus_kd(
    log_kd: float, hot: float, bmax: float, nsb: float, cold: float
) -> None:
    # DOMAIN §1.4: IC50 = Hot + Kd, top = NSB + Bmax·Hot/(Hot + Kd), bottom = NSB
    kd = 10.0**log_kd
    homo = homologous_model(1).eval(np.array([[[cold, hot, 0.0]]]), np.array([[log_kd, bmax, nsb]]))
    top = nsb + bmax * hot / (hot + kd)
    one = ONE_SITE.eval(np.array([[[cold, 1.0]]]), np.array([[top, nsb, np.log10(hot + kd)]]))
    assert float(homo[0, 0]) == pytest.approx(float(one[0, 0]), rel=1e-10, abs=1e-12 * bmax)
