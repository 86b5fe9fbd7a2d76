"""analyze_competition on the bundled homologous example and the binding example; the generator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.binding.competition_analysis import analyze_competition, competition_points
from assaykit.datasets.competition import example_paths, load_example
from assaykit.datasets.competition import make_example as gen
from assaykit.errors import SchemaError
from assaykit.result import QC_COLUMNS, AssayResult


def test_bundled_example_is_reproducible_and_small(tmp_path: Path) -> None:
    export, layout = gen.make_example(tmp_path)
    bundled = example_paths()
    assert export.read_bytes() == bundled[0].read_bytes()
    assert layout.read_bytes() == bundled[1].read_bytes()
    assert export.stat().st_size + layout.stat().st_size < 12_000


def test_homologous_example_recovers_the_simulated_truth() -> None:
    tubes = load_example()
    before = tubes.copy()
    res = analyze_competition(tubes, model="homologous", weighting="1/y2")
    pd.testing.assert_frame_equal(tubes, before)
    assert isinstance(res, AssayResult)
    row = res.main_table.iloc[0]
    assert row["status"] == "ok"
    assert row["kd_M_ci_low"] <= gen.TRUE["kd_M"] <= row["kd_M_ci_high"]
    assert row["bmax_cpm_ci_low"] <= gen.TRUE["bmax_cpm"] <= row["bmax_cpm_ci_high"]
    assert row["hot_M"] == pytest.approx(0.2e-9) and row["hot2_M"] == pytest.approx(2e-9)
    # NSB = 0.3 % of the added radioligand at each concentration (background subtracted)
    for col, hot in (("nsb_cpm", 0.2e-9), ("nsb2_cpm", 2e-9)):
        lo, hi = row[f"{col}_ci_low"], row[f"{col}_ci_high"]
        assert lo <= gen.TRUE["ns_fraction"] * gen.ADDED_CPM[hot] <= hi
    assert list(res.qc.columns) == list(QC_COLUMNS)
    assert res.qc["message"].str.contains("background").any()
    assert res.summary[0].startswith("FC131: Kd ")
    assert "78 tubes" in res.n_statement and "one experiment" in res.n_statement
    assert "homologous" in res.methods and "1/y2" in res.methods
    assert set(res.tables) == {"results", "points"}
    assert res.settings["weighting"] == "1/y2"
    assert "competition" in res.figures


def test_points_join_total_tubes_to_their_radioligand_concentration() -> None:
    pts, _ = competition_points(load_example())
    total = pts[pts["role"] == "total"]
    assert len(total) == 6 and (total["conc_M"] == 0).all()
    assert sorted(total["hot_M"].unique()) == [0.2e-9, 2e-9]
    nsb = pts[pts["role"] == "nsb"]
    assert len(nsb) == 6 and (nsb["conc_M"] == 1e-5).all()


def test_fit_ki_on_the_binding_example_uses_the_experiment_sheet() -> None:
    from assaykit.datasets.binding import EXPORT, LAYOUT
    from assaykit.datasets.binding.make_example import TRUE_HILL, TRUE_IC50
    from assaykit.io import read_export
    from assaykit.layout import annotate, read_layout

    tubes = annotate(read_export(EXPORT), read_layout(LAYOUT))
    res = analyze_competition(tubes, model="fit-ki", conc="conc")
    fits = res.main_table.set_index("curve")
    assert (fits["radioligand_M"] == 1e-10).all() and (fits["kd_M"] == 1e-9).all()
    for name, ic50 in TRUE_IC50.items():
        if TRUE_HILL[name] != -1.0:
            continue
        ki = ic50 / 1.1  # Cheng–Prusoff with the example's [L] 0.1 nM, Kd 1 nM
        assert fits.loc[name, "ki_M_ci_low"] <= ki <= fits.loc[name, "ki_M_ci_high"], name
    # NSB tubes blocked with AMD3100 are AMD3100 competition points (10 µM), no other curve's
    n = res.tables["points"].groupby("curve").size()
    assert n["AMD3100"] == n["iodo-CPCR4"] + 3


def test_depletion_takes_hot_from_the_standards() -> None:
    hot, kdc = 60_000.0, 100_000.0
    from assaykit.binding.competition_models import depletion_value

    conc = np.array([0.0, *10.0 ** np.arange(-11, -5.9, 0.5)])
    x = np.stack([conc, np.full_like(conc, hot), np.full_like(conc, kdc)], -1)[None]
    bound = depletion_value(x, np.array([[-8.5, 40_000.0, 0.01]]))[0]
    tubes = pd.DataFrame(
        {
            "role": ["blank", "standard", "standard", "total"] + ["competitor"] * (len(conc) - 1),
            "compound": ["", "", "", ""] + ["X"] * (len(conc) - 1),
            "conc_M": [np.nan, np.nan, np.nan, 0.0, *conc[1:]],
            "cpm": [20.0, hot + 20.0, hot + 20.0, *(bound + 20.0)],
        }
    )
    # Kd 1 nM · 1000 cpm/fmol · 0.1 mL · 1000 = 100 000 cpm
    res = analyze_competition(
        tubes, model="depletion", kd_M=1e-9, specific_activity_cpm_per_fmol=1000.0, volume_mL=0.1
    )
    row = res.main_table.iloc[0]
    assert row["hot_cpm"] == pytest.approx(hot)
    assert row["kd_cpm"] == pytest.approx(kdc)
    assert row["log_ki"] == pytest.approx(-8.5, abs=1e-6)
    assert res.qc["message"].str.contains("used as Hot").any()


def test_homologous_without_radioligand_concentration_is_refused() -> None:
    tubes = load_example().drop(columns=["hot_M"])
    with pytest.raises(SchemaError, match="radioligand"):
        analyze_competition(tubes, model="homologous")
