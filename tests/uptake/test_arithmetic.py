"""Uptake arithmetic against DOMAIN.md §6 rows 13–15 and the bad inputs that must not pass silently."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assaykit.errors import AssaykitError, LayoutError, SchemaError
from assaykit.uptake import (
    correct_tubes,
    per_well,
    percent_of_reference,
    specific_uptake,
    summarize,
)

T0 = pd.Timestamp("2026-03-10 14:00:00")


def tubes(**extra: object) -> pd.DataFrame:
    """One well (S, A, L) + one standard, already corrected (DOMAIN §6 #13)."""
    d = pd.DataFrame(
        {
            "role": ["standard", "sample", "sample", "sample"],
            "fraction": ["", "supernatant", "surface", "internalized"],
            "condition": ["", "tracer", "tracer", "tracer"],
            "time_min": [np.nan, 60.0, 60.0, 60.0],
            "replicate": [1, 1, 1, 1],
            "corrected_cpm": [100_000.0, 92_000.0, 2_000.0, 6_000.0],
        }
    )
    for k, v in extra.items():
        d[k] = v
    return d


def test_row13_fractions() -> None:
    w = per_well(tubes())
    row = w.iloc[0]
    assert row["surface_pct"] == pytest.approx(2.0)
    assert row["internalized_pct"] == pytest.approx(6.0)
    assert row["cell_associated_pct"] == pytest.approx(8.0)
    assert row["internalized_of_bound_pct"] == pytest.approx(75.0)
    assert round(row["mass_balance"], 2) == 1.00
    assert row["flags"] == ""


def test_row13_mass_balance_flag() -> None:
    t = tubes()
    t.loc[1, "corrected_cpm"] = 50_000.0  # supernatant half lost → (50 + 2 + 6)/100 = 0.58
    w = per_well(t)
    assert w.loc[0, "mass_balance"] == pytest.approx(0.58)
    assert "mass_balance" in w.loc[0, "flags"]
    assert per_well(t, mass_balance_range=(0.5, 1.1)).loc[0, "flags"] == ""


def test_row14_specific_and_reference() -> None:
    s = pd.DataFrame(
        {
            "compound": ["test", "test", "ref", "ref"],
            "condition": ["tracer", "blocked"] * 2,
            "time_min": 60.0,
            "quantity": "internalized_pct",
            "n": 3,
            "mean": [8.0, 0.5, 6.0, 1.0],
            "sd": [0.3, 0.4, 0.2, 0.1],
            "flags": "",
        }
    )
    sp = specific_uptake(s)
    test = sp[sp.compound == "test"].iloc[0]
    assert test["specific_mean"] == pytest.approx(7.5)
    assert test["specific_sd"] == pytest.approx(0.5)  # sqrt(0.3² + 0.4²)
    ref = percent_of_reference(sp, "ref")
    assert ref.set_index("compound").loc["test", "pct_of_reference"] == pytest.approx(150.0)
    with pytest.raises(LayoutError, match="reference compound 'FC131' not found"):
        percent_of_reference(sp, "FC131")


def test_row15_per_million_cells() -> None:
    w = per_well(tubes(cells_per_well=2e5))
    assert w.loc[0, "internalized_pct_per_1e6_cells"] == pytest.approx(30.0)
    # from the experiment sheet when the layout has no column
    t = tubes()
    t.attrs["experiment"] = {"cells_per_well": 2e5}
    assert per_well(t).loc[0, "internalized_pct_per_1e6_cells"] == pytest.approx(30.0)


def test_per_protein() -> None:
    w = per_well(tubes(protein_mg=0.12))
    assert w.loc[0, "internalized_pct_per_mg_protein"] == pytest.approx(50.0)


def test_applied_sum_option_states_itself() -> None:
    w = per_well(tubes(), applied="sum")
    assert w.loc[0, "applied_cpm"] == pytest.approx(100_000.0)
    assert math.isnan(w.loc[0, "mass_balance"])


def test_input_not_changed() -> None:
    t = tubes()
    before = t.copy()
    per_well(t)
    pd.testing.assert_frame_equal(t, before)


# --- bad inputs ------------------------------------------------------------------------------


def test_missing_standards_is_an_error() -> None:
    t = tubes().iloc[1:]
    with pytest.raises(LayoutError, match="no applied-activity standard"):
        per_well(t)


def test_standard_for_other_compound_only() -> None:
    t = tubes(compound=["FC131", "Pentixafor", "Pentixafor", "Pentixafor"])
    with pytest.raises(
        LayoutError, match=r"compound Pentixafor, condition 'tracer'; standards exist for FC131"
    ):
        per_well(t)


def test_duplicate_surface_tube_is_an_error() -> None:
    t = pd.concat([tubes(), tubes().iloc[[2]]], ignore_index=True)
    with pytest.raises(LayoutError, match="same well and fraction"):
        per_well(t)


def test_unknown_fraction_and_missing_time() -> None:
    t = tubes()
    t.loc[2, "fraction"] = "membrane?"
    with pytest.raises(LayoutError, match="expected one of supernatant, surface, internalized"):
        per_well(t)
    t = tubes()
    t.loc[3, "time_min"] = np.nan
    with pytest.raises(LayoutError, match="incubation time"):
        per_well(t)


def test_negative_corrected_values_are_flagged_not_hidden() -> None:
    t = tubes()
    t.loc[2, "corrected_cpm"] = -150.0
    w = per_well(t)
    assert w.loc[0, "surface_pct"] == pytest.approx(-0.15)  # value kept
    assert "negative_surface" in w.loc[0, "flags"]


def test_single_replicate_time_point_is_flagged() -> None:
    w = pd.DataFrame(
        {
            "compound": "",
            "condition": "tracer",
            "time_min": [5.0, 5.0, 5.0, 15.0],
            "replicate": [1, 2, 3, 1],
            "internalized_pct": [1.0, 1.2, 1.1, 3.0],
        }
    )
    s = summarize(w, ["internalized_pct"]).set_index("time_min")
    assert s.loc[15.0, "n"] == 1
    assert math.isnan(s.loc[15.0, "sd"])
    assert s.loc[15.0, "flags"] == "single_replicate"
    assert s.loc[5.0, "flags"] == ""
    assert s.loc[5.0, "sd"] == pytest.approx(np.std([1.0, 1.2, 1.1], ddof=1))
    assert s.loc[5.0, "sem"] == pytest.approx(np.std([1.0, 1.2, 1.1], ddof=1) / math.sqrt(3))


# --- per-tube corrections ------------------------------------------------------------------


def counter_run(isotope: str = "Ga-68") -> pd.DataFrame:
    times = T0 + pd.to_timedelta([0, 1, 2, 3, 4, 5], unit="min")
    return pd.DataFrame(
        {
            "rack": 1,
            "position": range(1, 7),
            "role": ["blank", "blank", "standard", "sample", "sample", "sample"],
            "fraction": ["", "", "", "supernatant", "surface", "internalized"],
            "condition": ["", "", "", "tracer", "tracer", "tracer"],
            "time_min": [np.nan] * 3 + [30.0] * 3,
            "replicate": 1,
            "counts": [20.0, 30.0, 100_025.0, 92_025.0, 2_025.0, 6_025.0],
            "count_time_s": 60.0,
            "cpm": [20.0, 30.0, 100_025.0, 92_025.0, 2_025.0, 6_025.0],
            "measured_at": times,
            "isotope": isotope,
            "flag": "",
        }
    )


def test_correct_tubes_by_hand() -> None:
    run = counter_run()
    before = run.copy()
    out = correct_tubes(run, reference_time=T0)
    pd.testing.assert_frame_equal(run, before)
    lam = math.log(2) / (67.71 * 60)
    during = lam * 60 / (1 - math.exp(-lam * 60))
    for i in range(6):
        expected = (run.loc[i, "cpm"] - 25.0) * math.exp(lam * 60 * i) * during
        assert out.loc[i, "corrected_cpm"] == pytest.approx(expected, rel=1e-12)
    s = out.attrs["settings"]
    assert (s["isotope"], s["half_life"], s["half_life_source"]) == ("Ga-68", 67.71, "ICRP-107")


def test_missing_time_stamp_names_the_tube() -> None:
    run = counter_run()
    run.loc[4, "measured_at"] = pd.NaT
    with pytest.raises(SchemaError, match=r"measured_at.*rack 1 pos 5"):
        correct_tubes(run)
    # without decay correction the run is usable
    assert correct_tubes(run, decay=False)["decay_factor"].eq(1.0).all()


def test_isotope_mismatch_layout_vs_counter() -> None:
    run = counter_run("I-125")
    run.attrs["experiment"] = {"isotope": "Lu-177"}
    with pytest.raises(
        LayoutError, match=r"isotope mismatch: the experiment is Lu-177 .* as I-125"
    ):
        correct_tubes(run)
    with pytest.raises(LayoutError, match="isotope mismatch"):
        correct_tubes(counter_run("I-125"), isotope="68Ga")
    assert (
        correct_tubes(counter_run("I-125"), isotope="125I").attrs["settings"]["isotope"] == "I-125"
    )


def test_unknown_isotope_lists_known() -> None:
    run = counter_run("")
    with pytest.raises(AssaykitError, match="known: .*Ga-68"):
        correct_tubes(run, isotope="Xx-12")


def test_no_blank_tubes() -> None:
    run = counter_run()
    run.loc[[0, 1], "role"] = "sample"
    run.loc[[0, 1], ["fraction", "condition", "time_min"]] = ["surface", "tracer", 5.0]
    with pytest.raises(SchemaError, match="no blank tubes"):
        correct_tubes(run)


def test_negative_and_low_tubes_are_flagged() -> None:
    run = counter_run()
    run.loc[5, ["counts", "cpm"]] = [22.0, 22.0]  # internalized ≈ background
    run.loc[4, ["counts", "cpm"]] = [10.0, 10.0]  # below background → negative
    out = correct_tubes(run, reference_time=T0)
    assert out.loc[4, "corrected_cpm"] < 0
    assert out.loc[4, "flags"].split(";")[0] == "negative"
    assert "below_critical_level" in out.loc[5, "flags"]
    assert out.loc[3, "flags"] == ""


def test_unknown_role_is_refused() -> None:
    run = counter_run()
    run.loc[0, "role"] = "total"
    with pytest.raises(LayoutError, match="unknown role"):
        correct_tubes(run)


def test_dual_label_export_selects_the_declared_window() -> None:
    ga = counter_run("Ga-68")
    i125 = counter_run("I-125").assign(
        cpm=lambda d: d["cpm"] / 10, counts=lambda d: d["counts"] / 10
    )
    both = pd.concat([ga, i125], ignore_index=True)
    out = correct_tubes(both, isotope="I-125", reference_time=T0)
    assert len(out) == 6 and (out["isotope"] == "I-125").all()
    assert out.attrs["settings"]["counter_window"] == "I-125 of Ga-68, I-125"
    with pytest.raises(LayoutError, match="several nuclides"):
        correct_tubes(both)
    with pytest.raises(LayoutError, match="isotope mismatch"):
        correct_tubes(both, isotope="Lu-177")


# --- invariants ------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    shift_min=st.floats(min_value=-600, max_value=600),
    scale=st.floats(min_value=1e-3, max_value=1e3),
)
def test_percentages_do_not_depend_on_reference_time_or_activity_scale(
    shift_min: float, scale: float
) -> None:
    """% of applied activity: the reference time cancels, and so does the amount of activity."""
    run = counter_run()
    base = per_well(correct_tubes(run, reference_time=T0))
    moved = per_well(correct_tubes(run, reference_time=T0 + pd.Timedelta(minutes=shift_min)))
    scaled_run = run.assign(cpm=run["cpm"] * scale, counts=run["counts"] * scale)
    scaled = per_well(correct_tubes(scaled_run, reference_time=T0))
    cols = ["surface_pct", "internalized_pct", "cell_associated_pct", "mass_balance"]
    np.testing.assert_allclose(moved[cols].to_numpy(), base[cols].to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(scaled[cols].to_numpy(), base[cols].to_numpy(), rtol=1e-9)


def test_standards_at_background_are_refused() -> None:
    t = tubes()
    t.loc[0, "corrected_cpm"] = -3.0
    with pytest.raises(LayoutError, match="applied-activity standards .* read -3 CPM"):
        per_well(t)


def test_negative_specific_uptake_is_flagged() -> None:
    s = pd.DataFrame(
        {
            "compound": "",
            "condition": ["tracer", "blocked"],
            "time_min": 5.0,
            "quantity": "surface_pct",
            "n": 3,
            "mean": [0.2, 0.3],
            "sd": [0.05, 0.05],
            "flags": "",
        }
    )
    sp = specific_uptake(s)
    assert sp.loc[0, "specific_mean"] == pytest.approx(-0.1)
    assert sp.loc[0, "flags"] == "negative_specific"


def test_binding_layout_is_refused_by_the_uptake_analysis() -> None:
    from assaykit.uptake import analyze

    run = counter_run()
    run.attrs["kind"] = "binding"
    with pytest.raises(LayoutError, match="expected an uptake layout"):
        analyze(run)
