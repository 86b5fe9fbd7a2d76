"""Normalisation to % specific binding and the QC flags, against DOMAIN §6 hand-computed numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assaykit.binding.normalise import normalise_binding
from assaykit.errors import LayoutError, SchemaError


def _table(tb, nsb, comp, *, blank=(), std=(), conc=1e-8, compound="X", col="cpm"):
    rows = [("total", "", math.nan, v) for v in tb]
    rows += [("nsb", "", math.nan, v) for v in nsb]
    rows += [("competitor", compound, conc, v) for v in comp]
    rows += [("blank", "", math.nan, v) for v in blank]
    rows += [("standard", "", math.nan, v) for v in std]
    return pd.DataFrame(rows, columns=["role", "compound", "conc", col])


def test_domain_7_half_specific_binding():
    # DOMAIN §6 #7: TB 10000, NSB 1000, sample 5500 cpm -> 50.0 %
    res = normalise_binding(_table([10000], [1000], [5500]))
    comp = res.data[res.data["role"] == "competitor"]
    assert comp["response"].iloc[0] == pytest.approx(50.0)
    assert res.qc["specific_total"].iloc[0] == pytest.approx(9000.0)


def test_background_is_subtracted_before_the_ratio():
    # blank 100 added to every tube: net values are the #7 numbers again
    res = normalise_binding(_table([10100], [1100], [5600], blank=[90, 110]))
    d = res.data.set_index("role")
    assert d.loc["competitor", "net"] == pytest.approx(5500.0)
    assert d.loc["competitor", "response"] == pytest.approx(50.0)
    assert res.qc["background"].iloc[0] == pytest.approx(100.0)
    assert res.qc["n_blank"].iloc[0] == 2


def test_domain_12_ligand_depletion_flag():
    # DOMAIN §6 #12: TB net 1500 cpm, added 10000 cpm -> 15 % bound -> flag
    res = normalise_binding(_table([1500], [100], [800], std=[10000]))
    assert res.qc["fraction_bound"].iloc[0] == pytest.approx(0.15)
    assert "ligand_depletion" in res.qc["flags"].iloc[0]
    assert all("ligand_depletion" in f for f in res.data["flags"])
    # 5 % bound: no flag; added counts from the experiment sheet when there are no standards
    t = _table([500], [100], [300])
    t.attrs["experiment"] = {"added_counts_cpm": 10000.0}
    ok = normalise_binding(t)
    assert ok.qc["fraction_bound"].iloc[0] == pytest.approx(0.05)
    assert "ligand_depletion" not in ok.qc["flags"].iloc[0]


def test_no_added_counts_means_no_depletion_check():
    res = normalise_binding(_table([1500], [100], [800]))
    assert math.isnan(res.qc["fraction_bound"].iloc[0])
    assert res.qc["flags"].iloc[0] == ""


def test_weak_window_flag():
    # NSB 6000 of TB 10000: SB/TB = 0.4 < 0.5
    res = normalise_binding(_table([10000], [6000], [8000]))
    assert res.qc["window"].iloc[0] == pytest.approx(0.4)
    assert "weak_window" in res.qc["flags"].iloc[0]
    assert (
        "weak_window" not in normalise_binding(_table([10000], [4000], [8000])).qc["flags"].iloc[0]
    )


def test_replicate_cv_flag_marks_only_that_set():
    t = pd.concat(
        [
            _table([10000, 10100, 9900], [1000, 1010, 990], [5000, 5100, 4900], conc=1e-8),
            _table([], [], [2000, 4000, 3000], conc=1e-7),  # CV = 1000/3000 = 33 %
        ],
        ignore_index=True,
    )
    res = normalise_binding(t)
    d = res.data
    hi = d[(d["conc"] == 1e-7)]
    assert hi["replicate_cv"].iloc[0] == pytest.approx(1000 / 3000)
    assert all("high_cv" in f for f in hi["flags"])
    lo = d[(d["conc"] == 1e-8)]
    assert lo["replicate_cv"].iloc[0] == pytest.approx(np.std([5000, 5100, 4900], ddof=1) / 5000)
    assert not any("high_cv" in f for f in lo["flags"])
    assert res.qc["n_high_cv"].iloc[0] == 1


def test_groups_are_normalised_separately_and_named_in_curve():
    a = _table([10000], [1000], [5500])
    b = _table([20000], [2000], [5600])
    a["experiment"], b["experiment"] = "E1", "E2"
    res = normalise_binding(pd.concat([a, b], ignore_index=True))
    comp = res.data[res.data["role"] == "competitor"].set_index("experiment")
    assert comp.loc["E1", "response"] == pytest.approx(50.0)
    assert comp.loc["E2", "response"] == pytest.approx(100 * 3600 / 18000)
    assert list(comp["curve"]) == ["X [E1]", "X [E2]"]
    assert list(res.qc["experiment"]) == ["E1", "E2"]


def test_plate_reader_value_column_and_read_choice():
    t = _table([10000], [1000], [5500], col="value")
    t2 = t.copy()
    t2["value"] = t2["value"] * 2
    t["read"], t2["read"] = "A", "B"
    both = pd.concat([t, t2], ignore_index=True)
    with pytest.raises(SchemaError, match="several reads"):
        normalise_binding(both)
    res = normalise_binding(both, read="B")
    assert res.data.loc[res.data["role"] == "competitor", "response"].iloc[0] == pytest.approx(50.0)


def test_no_window_is_an_error_that_suggests_the_swap():
    """TB not above NSB is an impossible order (issue: mistakes are caught): one clear error."""
    with pytest.raises(LayoutError, match="not above nonspecific binding.*swapped"):
        normalise_binding(_table([1000], [1000], [900]))


@pytest.mark.parametrize(
    ("table", "err", "match"),
    [
        (_table([1], [1], [1]).drop(columns="conc"), SchemaError, "'conc'"),
        (_table([1], [1], [1]).rename(columns={"cpm": "counts"}), SchemaError, "'cpm'"),
        (_table([], [1], [1]), LayoutError, "total-binding"),
        (_table([1], [], [1]), LayoutError, "nonspecific"),
        (_table([1], [1], [1]).replace({"role": {"nsb": "NSB-ish"}}), SchemaError, "NSB-ish"),
        (_table([1], [1], [1]).assign(cpm=["a", "b", "c"]), SchemaError, "numbers"),
    ],
    ids=["no-conc", "no-value", "no-tb", "no-nsb", "bad-role", "text-values"],
)
def test_bad_tables_raise_one_line_errors(table, err, match):
    with pytest.raises(err, match=match) as info:
        normalise_binding(table)
    assert "\n" not in str(info.value)


@settings(max_examples=50, deadline=None)
@given(
    # replicates within a factor 2 of each other: wider spreads are mislabels, refused by design
    tb=st.lists(st.floats(5000, 10000), min_size=1, max_size=4),
    nsb=st.lists(st.floats(500, 1000), min_size=1, max_size=4),
    comp=st.lists(st.floats(0, 60000), min_size=1, max_size=4),
    scale=st.floats(0.1, 10),
)
def test_percent_scale_invariant_and_anchored(tb, nsb, comp, scale):
    res = normalise_binding(_table(tb, nsb, comp))
    d = res.data
    assert d.loc[d["role"] == "total", "response"].mean() == pytest.approx(100.0)
    assert d.loc[d["role"] == "nsb", "response"].mean() == pytest.approx(0.0, abs=1e-9)
    expected = [100 * (c - np.mean(nsb)) / (np.mean(tb) - np.mean(nsb)) for c in comp]
    np.testing.assert_allclose(
        d.loc[d["role"] == "competitor", "response"], expected, rtol=1e-9, atol=1e-9
    )
    scaled = normalise_binding(
        _table([v * scale for v in tb], [v * scale for v in nsb], [v * scale for v in comp])
    )
    np.testing.assert_allclose(scaled.data["response"], d["response"], rtol=1e-9, atol=1e-7)


def test_decay_correction_uses_counting_module_domain_5():
    # DOMAIN §6 #5: 125I counted 30 d after the reference time -> factor 1.41917 (T½ 59.400 d)
    t0 = pd.Timestamp("2024-03-06 12:00")
    t = _table([10000], [1000], [1000])
    t["measured_at"] = [t0, t0, t0 + pd.Timedelta(days=30)]
    t.attrs["experiment"] = {"isotope": "I-125", "reference_time": t0}
    res = normalise_binding(t)
    comp = res.data[res.data["role"] == "competitor"].iloc[0]
    assert comp["decay_factor"] == pytest.approx(1.41917, abs=2e-5)
    assert comp["net"] == pytest.approx(1419.17, abs=0.02)
    assert bool(res.qc["decay_corrected"].iloc[0])
    # switched off on request; required info missing with decay=True is an error
    assert normalise_binding(t, decay=False).data["decay_factor"].eq(1.0).all()
    with pytest.raises(SchemaError, match="decay correction needs"):
        normalise_binding(t.drop(columns="measured_at"), decay=True)


def test_plates_with_their_own_controls_are_separate_groups():
    a = _table([10000], [1000], [5500], col="value")
    b = _table([20000], [2000], [11000], col="value")
    a["plate"], b["plate"] = 1, 2
    a["well"], b["well"] = ["A01", "A02", "A03"], ["A01", "A02", "A03"]
    res = normalise_binding(pd.concat([a, b], ignore_index=True))
    comp = res.data[res.data["role"] == "competitor"]
    np.testing.assert_allclose(comp["response"], [50.0, 50.0])
    assert list(comp["curve"]) == ["X [plate 1]", "X [plate 2]"]
    # a second plate without controls: pooled, one group
    c = _table([], [], [5500], col="value").assign(plate=2, well="B01")
    pooled = normalise_binding(pd.concat([a, c], ignore_index=True))
    assert len(pooled.qc) == 1
    assert list(pooled.data.loc[pooled.data["role"] == "competitor", "curve"]) == ["X", "X"]


def test_dual_label_counts_are_never_mixed():
    i125 = _table([10000], [1000], [5500]).assign(isotope="I-125")
    lu177 = _table([500], [400], [450]).assign(isotope="Lu-177")
    both = pd.concat([i125, lu177], ignore_index=True)
    with pytest.raises(SchemaError, match="several isotopes.*I-125, Lu-177"):
        normalise_binding(both)
    res = normalise_binding(both, isotope="I-125")
    assert res.data.loc[res.data["role"] == "competitor", "response"].tolist() == [50.0]
    both.attrs["experiment"] = {"isotope": "I-125"}
    assert len(normalise_binding(both).data) == 3


# ---- the mistakes people make with controls are named (tube, likely mislabel) ------------------


def _tubes(tb, nsb, comp=(5000.0,), std=()):
    rows = [("total", v) for v in tb] + [("nsb", v) for v in nsb] + [("standard", v) for v in std]
    rows += [("competitor", v) for v in comp]
    t = pd.DataFrame(rows, columns=["role", "cpm"])
    t["compound"] = ["X" if r == "competitor" else "" for r in t["role"]]
    t["conc"] = [1e-8 if r == "competitor" else float("nan") for r in t["role"]]
    t["rack"] = 3
    t["position"] = range(1, len(t) + 1)
    return t


def test_tb_tube_labelled_nsb_is_named():
    t = _tubes([10000.0, 9800.0, 10150.0], [1000.0, 1020.0, 9900.0])
    with pytest.raises(
        LayoutError, match=r"rack 3 position 6 is labelled nsb but counts like total"
    ):
        normalise_binding(t)


def test_nsb_tube_labelled_total_is_named():
    t = _tubes([10000.0, 1010.0, 10150.0], [1000.0, 1020.0, 990.0])
    with pytest.raises(
        LayoutError, match=r"rack 3 position 2 is labelled total but counts like nonspecific"
    ):
        normalise_binding(t)


def test_tb_and_standards_swapped_is_an_error_not_a_depletion_warning():
    # TB 1244 % of "added": the standards hold what TB should (DOMAIN §1.2 order: NSB < TB < added)
    t = _tubes([124400.0, 124000.0], [800.0, 820.0], comp=(5000.0,), std=(10000.0, 10100.0))
    with pytest.raises(LayoutError, match=r"standards.*count less than total binding.*swapped"):
        normalise_binding(t)


def test_one_outlying_tb_tube_is_named_but_not_fatal():
    t = _tubes([10000.0, 9900.0, 10100.0, 6000.0], [1000.0, 1010.0, 990.0])
    res = normalise_binding(t)
    qc = res.qc.iloc[0]
    assert "control_outlier" in qc["flags"]
    assert "total tube rack 3 position 4 counts 6000" in qc["message"]


def test_high_cv_names_the_set_and_skips_blanks_near_background():
    t = _tubes([10000.0, 10100.0], [1000.0, 1005.0], comp=(5000.0, 8000.0))
    blanks = pd.DataFrame({"role": "blank", "cpm": [30.0, 32.0, 29.0], "compound": "",
                           "conc": float("nan"), "rack": 4, "position": [1, 2, 3]})  # fmt: skip
    res = normalise_binding(pd.concat([t, blanks], ignore_index=True))
    msg = res.qc["message"].iloc[0]
    assert "competitor X at 1e-08 M (CV" in msg
    assert "blank" not in msg


def test_nanomolar_numbers_with_unit_m_are_refused():
    """Concentrations typed in nM with the unit left at M gave IC50 = 40.4 M with status ok."""
    t = _tubes([10000.0, 10100.0], [1000.0, 1005.0], comp=(9000.0, 5000.0, 2000.0))
    t.loc[t["role"] == "competitor", "conc"] = [1.0, 10.0, 100.0]
    with pytest.raises(LayoutError, match=r"typed in nM .* unit cell left at M"):
        normalise_binding(t)


def test_a_femtomolar_slip_names_the_tube_and_the_unit():
    """Typed in M with the unit set to nM: 3e-18 M, outside 1 fM–10 mM."""
    t = _tubes([10000.0, 10100.0], [1000.0, 1005.0], comp=(9000.0, 5000.0))
    t.loc[t["role"] == "competitor", "conc"] = [3e-18, 1e-8]
    with pytest.raises(LayoutError, match=r"rack 3 position 5: competitor 'X' at 3e-18 M"):
        normalise_binding(t)


@pytest.mark.parametrize(
    ("conc", "kd", "match"),
    [
        (1e-7, 2e-10, "500 × its Kd"),  # 100 typed meaning pM, unit left at nM (issue: factor 501)
        (5e-3, 1e-9, "outside 0.1 pM–10 µM"),
        (1e-10, 3.0, "radioligand Kd 3 M"),
    ],
)
def test_radioligand_plausibility(conc, kd, match):
    from assaykit.binding.controls import check_radioligand

    with pytest.raises(LayoutError, match=match):
        check_radioligand(conc, kd)
