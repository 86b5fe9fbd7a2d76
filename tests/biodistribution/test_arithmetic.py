"""Biodistribution arithmetic against DOMAIN.md's hand-checked numbers (checks #1, #2, #6, #20, #21, #26)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assaykit.biodistribution import analyze_biodistribution, tumor_ratios
from assaykit.errors import LayoutError
from assaykit.layout.biodistribution import biodistribution_layout

T0 = pd.Timestamp("2026-03-10 11:00:00")


def _study(
    tissue: list[dict],
    *,
    isotope: str = "Ga-68",
    std_cpm: float | None = 20000.0,
    std_at: pd.Timestamp = T0,
    std_time_s: float = 60.0,
    animals: list[dict] | None = None,
    experiment: dict | None = None,
    extra_tubes: list[dict] | None = None,
):
    """A counter table + layout: one blank (0 cpm), a 1 % standard, and the tissue tubes given
    as dicts with animal, organ, mass, cpm, at (count start), dt (count time s)."""
    animals = animals or [
        {"animal": a, "group": "g", "time_pi": 60, "body_weight_g": 20.0}
        for a in dict.fromkeys(t["animal"] for t in tissue)
    ]
    tubes = [{"rack": 1, "position": 1, "role": "blank"}]
    rows = [
        {
            "rack": 1,
            "position": 1,
            "cpm": 0.0,
            "counts": 0.0,
            "measured_at": T0,
            "count_time_s": 60.0,
        }
    ]
    if std_cpm is not None:
        tubes.append({"rack": 1, "position": 2, "role": "standard", "dilution_factor": 100})
        rows.append(
            {
                "rack": 1,
                "position": 2,
                "cpm": std_cpm,
                "counts": std_cpm * std_time_s / 60,
                "measured_at": std_at,
                "count_time_s": std_time_s,
            }
        )
    for k, t in enumerate(tissue, start=3):
        role = "tail" if t["organ"] == "tail" else "tissue"
        tubes.append(
            {
                "rack": 1,
                "position": k,
                "role": role,
                "animal": t["animal"],
                "organ": t["organ"],
                "tare_g": None if t.get("mass") is None else 1.0,
                "filled_g": None if t.get("mass") is None else 1.0 + t["mass"],
            }
        )
        dt = t.get("dt", 60.0)
        rows.append(
            {
                "rack": 1,
                "position": k,
                "cpm": t["cpm"],
                "counts": t["cpm"] * dt / 60,
                "measured_at": t.get("at", T0),
                "count_time_s": dt,
            }
        )
    tubes += extra_tubes or []
    counts = pd.DataFrame(rows).assign(isotope=isotope, flag="")
    exp = {"isotope": isotope, "reference_time": T0, **(experiment or {})}
    return counts, biodistribution_layout(exp, animals, tubes)


def _value(res, animal: str, organ: str, col: str = "pct_ia_per_g") -> float:
    long = res.tables["biodistribution"]
    return float(long.loc[(long.animal == animal) & (long.organ == organ), col].iloc[0])


def test_check20_pct_id_per_g_and_pct_id() -> None:
    # DOMAIN #20: organ 5000 cpm, 1 % standard 20 000 cpm → ID 2 000 000 cpm; 0.25 g → 0.25 %, 1.00 %ID/g
    counts, layout = _study(
        [{"animal": "M1", "organ": "liver", "mass": 0.25, "cpm": 5000.0}], isotope="I-125"
    )
    res = analyze_biodistribution(counts, layout, figures=False)
    assert _value(res, "M1", "liver", "pct_ia") == pytest.approx(0.25, rel=1e-9)
    assert _value(res, "M1", "liver") == pytest.approx(1.00, rel=1e-9)
    assert _value(res, "M1", "liver", "suv") == pytest.approx(1.00 * 20.0 / 100, rel=1e-9)
    # at the reference time, start of the count (I-125: the during-count factor is 1 + 4e-7)
    assert float(res.tables["animals"]["injected_cpm"].iloc[0]) == pytest.approx(2.0e6, rel=1e-5)


def test_check20_with_decay_during_the_count() -> None:
    # DOMAIN #6 (68Ga): a 10-min count reads 1/1.05206 of the start rate, a 1-min count 1/1.00513
    counts, layout = _study(
        [{"animal": "M1", "organ": "liver", "mass": 0.25, "cpm": 5000.0 / 1.05206, "dt": 600.0}],
        std_cpm=20000.0 / 1.00513,
    )
    res = analyze_biodistribution(counts, layout, figures=False)
    assert _value(res, "M1", "liver") == pytest.approx(1.00, abs=2e-5)


def test_decay_a_tube_counted_60_min_after_the_standard() -> None:
    # DOMAIN #2: 68Ga decays by a factor of 1.84821 in 60 min; the late tube reads that much less
    late = T0 + pd.Timedelta(minutes=60)
    counts, layout = _study(
        [
            {"animal": "M1", "organ": "liver", "mass": 0.25, "cpm": 5000.0},
            {"animal": "M2", "organ": "liver", "mass": 0.25, "cpm": 5000.0 / 1.84821, "at": late},
        ]
    )
    res = analyze_biodistribution(counts, layout, figures=False)
    now, later = _value(res, "M1", "liver"), _value(res, "M2", "liver")
    assert now == pytest.approx(1.00, rel=1e-12)
    assert later == pytest.approx(now, rel=1e-5)
    # without the correction the late tube would read 46 % less: the correction is not a no-op
    factor = float(res.tables["tubes"].set_index("animal").loc["M2", "decay_factor"])
    assert factor == pytest.approx(1.84821 * 1.00513, rel=1e-5)  # DOMAIN #2 × #6 (1-min count)


def test_reference_time_cancels() -> None:
    tissue = [
        {
            "animal": "M1",
            "organ": "liver",
            "mass": 0.25,
            "cpm": 5000.0,
            "at": T0 + pd.Timedelta(minutes=37),
        }
    ]
    a = analyze_biodistribution(*_study(tissue), figures=False)
    b = analyze_biodistribution(
        *_study(tissue), reference_time=T0 - pd.Timedelta(hours=3), figures=False
    )
    assert _value(a, "M1", "liver") == pytest.approx(_value(b, "M1", "liver"), rel=1e-10)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scale=st.floats(0.01, 100.0),
    minutes=st.floats(0.0, 300.0),
    mass=st.floats(0.01, 2.0),
)
def test_invariants_scale_and_count_time(scale: float, minutes: float, mass: float) -> None:
    # %IA/g does not change when every rate is scaled (efficiency cancels) or when a tube is
    # counted later (decay corrected), and is inversely proportional to the organ mass
    lam = math.log(2) / 67.71
    at = T0 + pd.Timedelta(minutes=minutes)
    cpm = 5000.0 * scale * math.exp(-lam * minutes)
    counts, layout = _study(
        [{"animal": "M1", "organ": "liver", "mass": mass, "cpm": cpm, "at": at}],
        std_cpm=20000.0 * scale,
    )
    res = analyze_biodistribution(counts, layout, figures=False, test="none")
    assert _value(res, "M1", "liver") == pytest.approx(0.25 / mass, rel=1e-8)


def test_tail_is_subtracted_from_the_dose() -> None:
    counts, layout = _study(
        [
            {"animal": "M1", "organ": "liver", "mass": 0.25, "cpm": 4500.0},
            {"animal": "M1", "organ": "tail", "cpm": 200000.0},
        ]
    )
    res = analyze_biodistribution(counts, layout, figures=False)
    animals = res.tables["animals"].iloc[0]
    assert animals["injected_cpm"] == pytest.approx(
        1.8e6 * 1.00513, rel=1e-5
    )  # 1-min counts, DOMAIN #6
    assert animals["tail_pct"] == pytest.approx(10.0)
    assert _value(res, "M1", "liver", "pct_ia") == pytest.approx(0.25)


def test_dose_calibrator_with_its_own_measurement_times() -> None:
    # full 2.0 MBq at the reference time; empty 0.05 MBq one 68Ga half-life later (= 0.1 MBq at
    # the reference time, DOMAIN #1); injected 1.9 MBq; efficiency 0.5 → 5.7e7 cpm
    animals = [
        {
            "animal": "M1",
            "group": "g",
            "time_pi": 60,
            "activity_unit": "MBq",
            "syringe_full": 2.0,
            "syringe_full_time": T0,
            "syringe_empty": 0.05,
            "syringe_empty_time": T0 + pd.Timedelta(minutes=67.71),
        }
    ]
    # the tube reads the mean rate of a 1-min count: 57 000 cpm at its start (DOMAIN #6)
    tissue = [{"animal": "M1", "organ": "liver", "mass": 0.5, "cpm": 57000.0 / 1.00513}]
    counts, layout = _study(tissue, std_cpm=None, animals=animals, experiment={"efficiency": 0.5})
    res = analyze_biodistribution(counts, layout, figures=False)
    assert float(res.tables["animals"]["injected_cpm"].iloc[0]) == pytest.approx(5.7e7, rel=1e-9)
    assert _value(res, "M1", "liver", "pct_ia") == pytest.approx(0.1, rel=1e-5)
    assert _value(res, "M1", "liver") == pytest.approx(0.2, rel=1e-5)
    counts, layout = _study(tissue, std_cpm=None, animals=animals)
    with pytest.raises(LayoutError, match="M1.*no counting efficiency"):
        analyze_biodistribution(counts, layout, figures=False)


def test_organ_in_two_tubes_is_summed() -> None:
    counts, layout = _study(
        [
            {"animal": "M1", "organ": "intestine", "mass": 0.2, "cpm": 3000.0},
            {"animal": "M1", "organ": "intestine", "mass": 0.3, "cpm": 2000.0},
        ]
    )
    res = analyze_biodistribution(counts, layout, figures=False)
    assert _value(res, "M1", "intestine", "pct_ia") == pytest.approx(0.25)
    assert _value(res, "M1", "intestine") == pytest.approx(0.5)
    assert _value(res, "M1", "intestine", "n_tubes") == 2


def test_check21_ratio_of_means_and_mean_of_ratios_are_labelled() -> None:
    # DOMAIN #21: tumour 1.8, muscle 0.5, blood 1.5 %ID/g (group means) → T/M 3.6, T/B 1.2
    long = pd.DataFrame(
        {
            "animal": ["a"] * 3 + ["b"] * 3,
            "group": "PC-3",
            "time_pi_min": 60.0,
            "status": "ok",
            "organ": ["tumor", "muscle", "blood"] * 2,
            "pct_ia_per_g": [2.0, 0.4, 1.5, 1.6, 0.6, 1.5],
        }
    )
    per_animal, ratios = tumor_ratios(long)
    r = ratios.set_index(["ratio", "method"])["value"]
    assert r[("tumor/muscle", "ratio of group means")] == pytest.approx(3.6)
    assert r[("tumor/blood", "ratio of group means")] == pytest.approx(1.2)
    # the per-animal ratios are 5.0 and 2.667: their mean is not 3.6, and the table says which
    assert r[("tumor/muscle", "mean of per-animal ratios")] == pytest.approx((5.0 + 1.6 / 0.6) / 2)
    assert set(ratios["method"]) == {"mean of per-animal ratios", "ratio of group means"}
    assert sorted(per_animal.loc[per_animal.organ == "muscle", "ratio"].round(4)) == [2.6667, 5.0]


def test_check26_published_daudi_tumor_ratio() -> None:
    # DOMAIN #26: [68Ga]Pentixafor vs [68Ga]NOTA-pentixafor, Daudi tumour 16.2 vs 1.7 %ID/g → 9.5-fold
    tissue = []
    for k, v in enumerate((12.4, 16.2, 20.0)):
        tissue.append(
            {"animal": f"P{k}", "organ": "tumor", "mass": 0.25, "cpm": v * 0.25 * 2e6 / 100}
        )
    for k, v in enumerate((1.3, 1.7, 2.1)):
        tissue.append(
            {"animal": f"N{k}", "organ": "tumor", "mass": 0.25, "cpm": v * 0.25 * 2e6 / 100}
        )
    animals = [
        {
            "animal": t["animal"],
            "group": "Pentixafor" if t["animal"][0] == "P" else "NOTA-pentixafor",
            "time_pi": 90,
        }
        for t in tissue
    ]
    res = analyze_biodistribution(
        *_study(tissue, animals=animals), reference_group="NOTA-pentixafor", figures=False
    )
    s = res.tables["summary"].set_index("group")
    assert s.loc["Pentixafor", "pct_ia_per_g_mean"] == pytest.approx(16.2)
    assert s.loc["NOTA-pentixafor", "pct_ia_per_g_mean"] == pytest.approx(1.7)
    stats = res.tables["statistics"].iloc[0]
    assert round(stats["ratio"], 1) == 9.5
    assert res.tables["paper"].iloc[0]["Pentixafor, 1.5 h p.i."] == "16.2 ± 3.8 (3)"


def test_low_counts_and_dead_time_are_flagged() -> None:
    counts, layout = _study(
        [
            {"animal": "M1", "organ": "muscle", "mass": 0.1, "cpm": 300.0},
            {"animal": "M1", "organ": "kidney", "mass": 0.3, "cpm": 3.0e6},
        ]
    )
    res = analyze_biodistribution(counts, layout, dead_time_s=5e-6, figures=False)
    flags = res.tables["biodistribution"].set_index("organ")["flags"]
    assert "low_counts" in flags["muscle"]
    # 3e6 counts in 60 s = 5e4 cps; × 5 µs = 25 % lost (m·τ, DOMAIN §3.1 step 2)
    assert "dead_time_loss:25%" in flags["kidney"]
    assert "dead_time" not in flags["muscle"]
    qc = res.qc
    assert qc["where"].str.contains("rack 1 pos 3").any()
    assert qc["message"].str.contains("dead-time loss").any()


def test_excluded_animal_is_left_out_and_named() -> None:
    animals = [
        {"animal": a, "group": "g", "time_pi": 60, "excluded": "paravenous" if a == "M3" else ""}
        for a in ("M1", "M2", "M3")
    ]
    tissue = [
        {"animal": a, "organ": "liver", "mass": 0.25, "cpm": c}
        for a, c in (("M1", 5000.0), ("M2", 7500.0), ("M3", 100.0))
    ]
    res = analyze_biodistribution(*_study(tissue, animals=animals), figures=False)
    s = res.tables["summary"].iloc[0]
    assert s["n"] == 2 and s["pct_ia_per_g_mean"] == pytest.approx(1.25)
    assert s["left_out"] == "M3: paravenous"
    assert res.qc["message"].str.contains("left out of the summaries: paravenous").any()


def test_missing_weight_names_the_tube() -> None:
    counts, layout = _study([{"animal": "M1", "organ": "liver", "mass": None, "cpm": 5000.0}])
    with pytest.raises(LayoutError, match=r"rack 1 pos 3 \(M1 liver\)"):
        analyze_biodistribution(counts, layout, figures=False)


def test_unknown_tube_is_an_error_or_a_qc_row() -> None:
    counts, layout = _study([{"animal": "M1", "organ": "liver", "mass": 0.25, "cpm": 5000.0}])
    extra = pd.DataFrame(
        [
            {
                "rack": 9,
                "position": 9,
                "cpm": 100.0,
                "counts": 100.0,
                "measured_at": T0,
                "count_time_s": 60.0,
                "isotope": "Ga-68",
                "flag": "",
            }
        ]
    )
    both = pd.concat([counts, extra], ignore_index=True)
    with pytest.raises(LayoutError, match="rack 9 pos 9"):
        analyze_biodistribution(both, layout, figures=False)
    res = analyze_biodistribution(both, layout, unknown_tubes="ignore", figures=False)
    assert res.qc["message"].str.contains("rack 9 pos 9").any()


def test_layout_tube_not_counted_is_named() -> None:
    extra = [
        {
            "rack": 2,
            "position": 1,
            "role": "tissue",
            "animal": "M1",
            "organ": "lung",
            "tare_g": 1,
            "filled_g": 1.1,
        }
    ]
    counts, layout = _study(
        [{"animal": "M1", "organ": "liver", "mass": 0.25, "cpm": 5000.0}], extra_tubes=extra
    )
    with pytest.raises(LayoutError, match=r"rack 2 pos 1 \(M1 lung\).*counted in no export"):
        analyze_biodistribution(counts, layout, figures=False)


def test_animal_without_dose_names_its_tubes() -> None:
    counts, layout = _study(
        [{"animal": "M1", "organ": "liver", "mass": 0.25, "cpm": 5000.0}], std_cpm=None
    )
    with pytest.raises(LayoutError, match=r"animal M1 has no dose.*rack 1 pos 3"):
        analyze_biodistribution(counts, layout, figures=False)


def test_two_runs_merge_and_a_tube_counted_twice_is_reported() -> None:
    counts, layout = _study(
        [
            {"animal": "M1", "organ": "liver", "mass": 0.25, "cpm": 5000.0},
            {"animal": "M1", "organ": "lung", "mass": 0.25, "cpm": 2500.0},
        ]
    )
    one = analyze_biodistribution(counts, layout, figures=False)
    # run 2 counts the lung again 67.71 min later (half the rate), plus nothing else
    run1 = counts.copy()
    run2 = counts[counts.position == 4].assign(
        cpm=1250.0, counts=1250.0, measured_at=T0 + pd.Timedelta(minutes=67.71)
    )
    two = analyze_biodistribution([run1, run2], layout, figures=False)
    assert _value(two, "M1", "lung") == pytest.approx(_value(one, "M1", "lung"), rel=1e-6)
    assert _value(two, "M1", "liver") == pytest.approx(_value(one, "M1", "liver"), rel=1e-12)
    hit = two.qc[two.qc["message"].str.contains("counted 2 times")]
    assert len(hit) == 1 and "rack 1 pos 4 (M1 lung)" in hit["where"].iloc[0]
    assert "(runs 1, 2)" in hit["message"].iloc[0]
    assert (
        "counted_2_times" in two.tables["biodistribution"].set_index("organ").loc["lung", "flags"]
    )


def test_animal_without_tissue_is_reported() -> None:
    animals = [{"animal": a, "group": "g", "time_pi": 60} for a in ("M1", "M2")]
    res = analyze_biodistribution(
        *_study([{"animal": "M1", "organ": "liver", "mass": 0.25, "cpm": 5000.0}], animals=animals),
        figures=False,
    )
    assert (
        (res.qc["where"] == "animal M2") & res.qc["message"].str.contains("no tissue tube")
    ).any()


def test_ratio_ci_is_t_based() -> None:
    from scipy import stats

    long = pd.DataFrame(
        {
            "animal": ["a", "a", "b", "b", "c", "c"],
            "group": "g",
            "time_pi_min": 60.0,
            "status": "ok",
            "organ": ["tumor", "muscle"] * 3,
            "pct_ia_per_g": [2.0, 0.5, 3.0, 0.5, 2.5, 0.5],
        }
    )
    _, ratios = tumor_ratios(long)
    row = ratios[ratios.method == "mean of per-animal ratios"].iloc[0]
    half = stats.t.ppf(0.975, 2) * 1.0 / math.sqrt(3)  # ratios 4, 6, 5: mean 5, SD 1
    assert (row["value"], row["sd"]) == pytest.approx((5.0, 1.0))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((5.0 - half, 5.0 + half))
