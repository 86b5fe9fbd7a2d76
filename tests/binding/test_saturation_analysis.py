"""analyze_saturation: the AssayResult contract, summary, QC, and the figures it builds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from assaykit.binding.saturation import RadioligandSetup
from assaykit.binding.saturation_analysis import analyze_saturation, summary_line
from assaykit.binding.saturation_figures import fitted_curves
from assaykit.units import convert


def _data(seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = np.repeat(np.array([0.25, 0.5, 1, 2, 4, 8, 16]), 3)
    tot = rng.normal(2000 * x / (2 + x) + 50 * x, 20)
    nsb = rng.normal(50 * x, 20)
    return pd.concat(
        [
            pd.DataFrame({"conc_M": x * 1e-9, "response": tot, "kind": "total"}),
            pd.DataFrame({"conc_M": x * 1e-9, "response": nsb, "kind": "nsb"}),
        ],
        ignore_index=True,
    )


def test_analysis_result_contract():
    setup = RadioligandSetup(
        efficiency=0.8,
        molar_activity_GBq_per_umol=convert(2200, "Ci/mmol", "GBq/µmol"),
        cells_per_tube=2e5,
    )
    d = _data()
    d.loc[0, "response"] = np.nan  # a missing count is reported, not silently dropped
    res = analyze_saturation(d, setup=setup)
    assert res.assay == "saturation"
    assert list(res.tables) == ["results", "points"]
    r = res.main_table.iloc[0]
    assert r["status"] == "ok"
    assert 1.8e-9 < r["kd_M"] < 2.2e-9
    assert {"kd_M_se", "kd_M_ci_low", "kd_M_ci_high", "bmax_cpm_ci_low", "sites_per_cell"} <= set(
        res.main_table.columns
    )
    assert res.summary[0].startswith("saturation: Kd ")
    assert "sites/cell" in res.summary[0]
    assert "row 0" in " ".join(res.qc["where"])
    assert "42 tubes" not in res.n_statement and "41 tubes" in res.n_statement
    assert "profile-likelihood" in res.methods
    assert set(res.figures) == {"saturation_saturation", "scatchard_saturation"}
    for f in res.figures.values():
        f.plot.draw()  # builds without error


def test_summary_line_for_failed_curve_gives_reason():
    r = pd.Series({"curve": "B", "status": "no_plateau", "message": "highest concentration ..."})
    assert summary_line(r) == "B: no_plateau — highest concentration ..."


def test_fitted_curves_only_for_ok_fits():
    fits = pd.DataFrame(
        {
            "curve": ["a", "b"],
            "model": ["specific", "specific"],
            "status": ["ok", "no_plateau"],
            "bmax_cpm": [100.0, np.nan],
            "kd_M": [1e-9, np.nan],
        }
    )
    c = fitted_curves(fits, 10.0, n=11)
    assert set(c["curve"]) == {"a"}
    # specific binding at X = Kd is Bmax / 2 (DOMAIN §4.1 one-site equation)
    assert c.loc[c["free_nM"] == 1.0, "response"].iloc[0] == 50.0
