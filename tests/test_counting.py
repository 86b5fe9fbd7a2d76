"""Counting corrections against DOMAIN.md §6 (rows 1–6, 16–19) and invariants."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assaykit import counting as c
from assaykit.errors import AssaykitError, SchemaError

T0 = pd.Timestamp("2024-03-06 12:00:00")


def factor(isotope: str, minutes: float, **kw: object) -> float:
    return c.decay_correct(1.0, T0 + pd.Timedelta(minutes=minutes), T0, isotope, **kw)


# --- DOMAIN §6 rows 1–6 --------------------------------------------------------------------


def test_row1_ga68_one_half_life_doubles() -> None:
    assert c.decay_correct(1000.0, T0 + pd.Timedelta(minutes=67.71), T0, "Ga-68") == pytest.approx(
        2000.0, abs=1e-6
    )


def test_row2_ga68_60_and_120_min() -> None:
    assert round(factor("Ga-68", 60), 5) == 1.84821
    assert round(factor("Ga-68", 120), 5) == 3.41590


def test_row3_f18_one_half_life() -> None:
    assert round(factor("F-18", 109.77), 3) == 2.000


def test_row4_lu177_7d_and_1d() -> None:
    assert round(factor("Lu-177", 7 * 1440), 5) == 2.07499
    assert round(factor("177Lu", 1440), 5) == 1.10991


def test_row5_i125_source_choice_is_visible() -> None:
    assert round(factor("I-125", 30 * 1440), 5) == 1.41917
    assert round(factor("I-125", 30 * 1440, half_life=pd.Timedelta(days=59.49)), 5) == 1.41842
    assert round(factor("I-125", 30 * 1440, half_lives={"125I": "59.49 days"}), 5) == 1.41842
    info = c.half_life_info("I-125")
    assert (info.value, info.unit, info.source) == (59.4, "d", "ICRP-107")
    assert c.half_life_info("I125", half_lives={"I-125": "59.49 days"}).source.startswith("user")


@pytest.mark.parametrize(("minutes", "expected"), [(1, 1.00513), (5, 1.02581), (10, 1.05206)])
def test_row6_decay_during_count_ga68(minutes: float, expected: float) -> None:
    t_half = c.half_life("Ga-68").total_seconds()
    assert round(float(c.decay_during_count_factor(minutes * 60, t_half)), 5) == expected
    # and through decay_correct, counted at the reference time itself
    assert round(c.decay_correct(1.0, T0, T0, "Ga-68", count_time_s=minutes * 60), 5) == expected


def test_during_count_negligible_for_long_lived() -> None:
    t_half = c.half_life("I-125").total_seconds()
    assert float(c.decay_during_count_factor(300, t_half)) == pytest.approx(1.0, abs=3e-5)
    assert float(c.decay_during_count_factor(0, t_half)) == 1.0


# --- DOMAIN §6 rows 16–19 -------------------------------------------------------------------


def test_row16_efficiency() -> None:
    dpm = c.dpm_from_cpm(8000.0, 0.80)
    assert dpm == pytest.approx(10000.0)
    assert round(c.bq_from_dpm(dpm), 2) == 166.67
    with pytest.raises(AssaykitError, match="efficiency"):
        c.dpm_from_cpm(8000.0, 1.5)


def test_row17_dead_time() -> None:
    assert round(c.dead_time_correct(10000.0, 5e-6), 1) == 10526.3
    with pytest.raises(AssaykitError, match="saturated"):
        c.dead_time_correct(300000.0, 5e-6)


def test_row18_poisson_and_currie() -> None:
    assert c.poisson_sd(10000.0) == 100.0
    lc, ld = c.currie_limits(100.0)
    assert round(lc, 1) == 23.3
    assert round(ld, 2) == 49.21


def test_row19_unmixing() -> None:
    m = [[1.00, 0.05], [0.30, 1.00]]
    np.testing.assert_allclose(c.unmix([10250.0, 8000.0], m), [10000.0, 5000.0], rtol=1e-12)
    obs = pd.DataFrame({"w1": [10250.0, 1.0], "w2": [8000.0, 0.3]}, index=["a", "b"])
    out = c.unmix(obs, m)
    assert list(out.index) == ["a", "b"]
    np.testing.assert_allclose(out.to_numpy(), [[10000.0, 5000.0], [1.0, 0.0]], atol=1e-9)
    with pytest.raises(AssaykitError, match="singular"):
        c.unmix([1.0, 1.0], [[1.0, 1.0], [1.0, 1.0]])


# --- half-life table ------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["Ga-68", "68Ga", "ga68", "GA-68", "[68Ga]", "68-Ga", "Ga68"])
def test_spellings(spelling: str) -> None:
    assert abs(c.half_life(spelling) - pd.Timedelta(seconds=4062.6)) < pd.Timedelta(microseconds=1)


def test_tc99m_spellings() -> None:
    assert c.canonical_isotope("99mTc") == c.canonical_isotope("tc99m") == "Tc-99m"


def test_unknown_isotope_lists_known() -> None:
    with pytest.raises(AssaykitError, match=r"known: .*Ga-68.*I-125.*Lu-177"):
        c.half_life("Xx-999")
    with pytest.raises(AssaykitError, match="cannot read"):
        c.half_life("pentixafor")


def test_table_has_required_nuclides_and_sources() -> None:
    t = c.half_life_table()
    icrp = t[t.source == "ICRP-107"].set_index("isotope")
    expected = {
        "Ga-68": (67.71, "min"),
        "F-18": (109.77, "min"),
        "Cu-64": (12.700, "h"),
        "Zr-89": (78.41, "h"),
        "Y-90": (64.10, "h"),
        "In-111": (2.8047, "d"),
        "Tc-99m": (6.015, "h"),
        "I-125": (59.400, "d"),
        "I-131": (8.0207, "d"),
        "Lu-177": (6.647, "d"),
    }
    for iso, (value, unit) in expected.items():
        assert (icrp.loc[iso, "half_life"], icrp.loc[iso, "unit"]) == (value, unit)
    assert {"isotope", "half_life", "uncertainty", "unit", "source"} <= set(t.columns)
    assert not icrp.index.duplicated().any()
    ptb = c.half_life_info("Lu-177", source="PTB (Kossert et al. 2012)")
    assert (ptb.value, ptb.uncertainty) == (6.639, 0.009)


def test_register_isotope_overrides_and_restores() -> None:
    c.register_isotope("Ga-68", 68.0, "min", source="lab SOP")
    try:
        assert c.half_life("68Ga") == pd.Timedelta(minutes=68)
        assert c.half_life_info("Ga-68").source == "lab SOP"
    finally:
        c.unregister_isotope("Ga-68")
    assert c.half_life("68Ga").total_seconds() == pytest.approx(67.71 * 60)
    with pytest.raises(AssaykitError, match="unit"):
        c.register_isotope("Xy-1", 1.0, "weeks")


# --- vectorisation, inputs, errors ----------------------------------------------------------


def test_vectorised_series_keeps_index_and_input() -> None:
    values = pd.Series([1000.0, 1000.0, 1000.0], index=[10, 11, 12], name="net_cpm")
    times = pd.Series(T0 + pd.to_timedelta([0, 60, 120], unit="min"), index=[10, 11, 12])
    before = values.copy()
    out = c.decay_correct(values, times, T0, "Ga-68")
    pd.testing.assert_series_equal(values, before)
    assert list(out.index) == [10, 11, 12] and out.name == "net_cpm"
    np.testing.assert_allclose(out.to_numpy(), 1000 * np.array([1.0, 1.84821, 3.41590]), rtol=5e-6)
    # reference after the count: values shrink
    assert c.decay_correct(1000.0, T0, T0 + pd.Timedelta(minutes=67.71), "Ga-68") == pytest.approx(
        500.0
    )


def test_missing_time_stamp_names_rows() -> None:
    values = pd.Series([1.0, 2.0], index=["R1/P1", "R1/P2"])
    with pytest.raises(SchemaError, match=r"measured_at.*R1/P2"):
        c.decay_correct(values, [T0, pd.NaT], T0, "I-125")


def test_missing_count_time_raises() -> None:
    with pytest.raises(SchemaError, match="count_time_s"):
        c.decay_correct(np.array([1.0, 2.0]), [T0, T0], T0, "Ga-68", count_time_s=[60.0, np.nan])


def test_tz_mismatch_raises() -> None:
    with pytest.raises(SchemaError, match="time zone"):
        c.decay_correct(1.0, T0.tz_localize("UTC"), T0, "Ga-68")


hl_minutes = st.floats(min_value=1.0, max_value=1e6)
offsets = st.floats(min_value=-1e5, max_value=1e5)


@settings(max_examples=60, deadline=None)
@given(hl_minutes, offsets, offsets, offsets)
def test_decay_correction_composes(hl: float, a: float, b: float, d: float) -> None:
    t1, t2, t3 = (T0 + pd.Timedelta(minutes=x) for x in (a, b, d))
    h = pd.Timedelta(minutes=hl)
    if max(abs(a - b), abs(b - d), abs(a - d)) / hl > 200:  # factors beyond float range
        return
    two_steps = c.decay_correct(c.decay_correct(1.0, t1, t2, half_life=h), t2, t3, half_life=h)
    one_step = c.decay_correct(1.0, t1, t3, half_life=h)
    assert two_steps == pytest.approx(one_step, rel=1e-9)
    # correction then its inverse is the identity
    back = c.decay_correct(one_step, t3, t1, half_life=h)
    assert back == pytest.approx(1.0, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=1.0, max_value=1e7), st.floats(min_value=0.0, max_value=1e5))
def test_during_count_factor_is_mean_rate_ratio(hl_s: float, dt: float) -> None:
    # the mean of exp(-λt) over [0, Δt] times the factor gives back 1 (numerical integral)
    lam = math.log(2) / hl_s
    if lam * dt > 50:
        return
    t = np.linspace(0.0, dt, 20001)
    mean = np.trapezoid(np.exp(-lam * t), t) / dt if dt > 0 else 1.0
    assert float(c.decay_during_count_factor(dt, hl_s)) * mean == pytest.approx(1.0, rel=1e-6)
    assert float(c.decay_during_count_factor(dt, hl_s)) >= 1.0


# --- background, uncertainty, detection flags -----------------------------------------------


def counter(roles: list[str], counts: list[float], t: list[float] | None = None) -> pd.DataFrame:
    t = t or [60.0] * len(roles)
    return pd.DataFrame(
        {
            "role": roles,
            "counts": counts,
            "count_time_s": t,
            "cpm": [n / s * 60 for n, s in zip(counts, t, strict=True)],
        }
    )


def test_background_mean_of_blanks_and_poisson_sd() -> None:
    t = counter(["blank", "blank", "sample", "sample"], [40.0, 60.0, 10050.0, 80.0])
    before = t.copy()
    out = c.subtract_background(t)
    pd.testing.assert_frame_equal(t, before)
    assert out["bkg_cpm"].tolist() == [50.0] * 4
    assert out["net_cpm"].tolist() == [-10.0, 10.0, 10000.0, 30.0]
    # σ_net (cps) = sqrt(N_g/t_g² + ΣN_b/(Σt_b)²), in cpm × 60
    expected = 60 * math.sqrt(10050 / 60**2 + 100 / 120**2)
    assert out.loc[2, "net_cpm_sd"] == pytest.approx(expected)
    # B = 50 counts in 60 s: L_C = 2.33·√50 = 16.5, L_D = 2.71 + 4.65·√50 = 35.6
    assert out["detection_flag"].tolist() == [
        "below_critical_level",
        "below_critical_level",
        "",
        "below_detection_limit",
    ]


def test_background_per_count_time() -> None:
    t = counter(
        ["blank", "blank", "sample", "sample"],
        [60.0, 300.0, 1000.0, 5000.0],
        [60.0, 300.0, 60.0, 300.0],
    )
    out = c.subtract_background(t, by_count_time=True)
    assert out["bkg_cpm"].tolist() == [60.0, 60.0, 60.0, 60.0]
    t2 = counter(["blank", "sample"], [60.0, 1000.0], [60.0, 300.0])
    with pytest.raises(SchemaError, match="no blank tube was counted for"):
        c.subtract_background(t2, by_count_time=True)


def test_background_without_blanks_is_an_error() -> None:
    with pytest.raises(SchemaError, match="no blank tubes"):
        c.subtract_background(counter(["sample"], [100.0]))
    out = c.subtract_background(counter(["sample"], [100.0]), background_cpm=30.0)
    assert out["net_cpm"].tolist() == [70.0]


def test_detection_flags_3sigma_rule() -> None:
    assert c.detection_flags([20.0, 40.0], 100.0, rule="3sigma").tolist() == ["below_3_sigma", ""]


def test_currie_flags_use_raw_counts_when_vendor_cpm_is_background_corrected() -> None:
    """WIZARD2 CPM is already background-corrected: blanks read ~0 CPM but ~100 raw counts."""
    t = pd.DataFrame(
        {
            "role": ["blank", "blank", "sample", "sample"],
            "counts": [95.0, 105.0, 130.0, 160.0],  # 300 s counts; B = 100 counts
            "count_time_s": [300.0] * 4,
            "cpm": [-1.0, 1.0, 6.0, 12.0],  # (counts − 100)/5, as the counter writes it
        }
    )
    out = c.subtract_background(t)
    assert out["net_cpm"].tolist() == [-1.0, 1.0, 6.0, 12.0]
    # L_C = 23.3, L_D = 49.21 counts for B = 100: net 30 → detected but below L_D; net 60 → fine
    assert out["detection_flag"].tolist()[2:] == ["below_detection_limit", ""]
