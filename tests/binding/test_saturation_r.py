"""Saturation fits against R (nls; profile CIs from confint; anova for one vs two sites).

The data and the reference values come from tests/data/reference/saturation/make_reference.R
(simulated saturation experiments with Poisson counting noise; R 4.2.2, minpack.lm, MASS).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assaykit.binding.saturation import fit_saturation
from tests.conftest import DATA

REF = DATA / "reference" / "saturation"
MODEL = {
    "global": "total-nsb",
    "global_bkg": "total-nsb",
    "total": "total",
    "specific": "specific",
    "two_site": "two-site",
    "hill": "hill",
    "global_poisson": "total-nsb",
}
DATA_CASE = {"two_site": "specific"}
COLUMN = {
    "bmax_cpm": "bmax_cpm",
    "kd_nM": "kd_M",
    "ns_cpm_per_nM": "ns_cpm_per_nM",
    "bkg_cpm": "bkg_cpm",
    "hill": "hill",
    "bmax_hi_cpm": "bmax_hi_cpm",
    "kd_hi_nM": "kd_hi_M",
    "bmax_lo_cpm": "bmax_lo_cpm",
    "kd_lo_nM": "kd_lo_M",
}


@pytest.fixture(scope="module")
def ref() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return (
        pd.read_csv(REF / "data.csv"),
        pd.read_csv(REF / "values.csv"),
        pd.read_csv(REF / "anova.csv"),
    )


def _fit(data: pd.DataFrame, case: str, **kw: object) -> pd.Series:
    d = data[data["case"] == DATA_CASE.get(case, case)]
    res = fit_saturation(
        d,
        model=MODEL[case],  # type: ignore[arg-type]
        fit_bkg=case == "global_bkg",
        weighting="poisson" if case == "global_poisson" else "none",
        **kw,  # type: ignore[arg-type]
    )
    assert len(res) == 1
    return res.iloc[0]


@pytest.mark.parametrize("case", list(MODEL))
def test_estimates_and_se_match_r(ref, case):
    data, values, _ = ref
    row = _fit(data, case, ci_method="wald", compare_two_sites=False)
    v = values[values["case"] == case]
    assert row["df"] == v["df"].iloc[0]
    assert row["rss"] == pytest.approx(v["rss"].iloc[0], rel=1e-8)
    for _, r in v.iterrows():
        col = COLUMN[r["param"]]
        scale = 1e-9 if col.endswith("_M") else 1.0
        est, se = row[col] / scale, row[f"{col}_se"] / scale
        assert est == pytest.approx(r["estimate"], rel=1e-5), (case, col)
        assert se == pytest.approx(r["se"], rel=1e-3), (case, col)


@pytest.mark.parametrize(
    "case", ["global", "global_bkg", "total", "specific", "hill", "global_poisson"]
)
def test_profile_ci_match_r_confint(ref, case):
    data, values, _ = ref
    row = _fit(data, case, ci_method="profile", compare_two_sites=False)
    assert row["ci_method"] == "profile"
    v = values[values["case"] == case].set_index("param")
    for param in ("kd_nM", "bmax_cpm"):
        col = COLUMN[param]
        scale = 1e-9 if col.endswith("_M") else 1.0
        # MASS interpolates a spline through its profile points; measured agreement ~1e-5
        assert row[f"{col}_ci_low"] / scale == pytest.approx(v.loc[param, "ci_low"], rel=1e-4)
        assert row[f"{col}_ci_high"] / scale == pytest.approx(v.loc[param, "ci_high"], rel=1e-4)


def test_one_vs_two_sites_matches_r_anova(ref):
    data, _, anova = ref
    row = _fit(data, "specific", ci_method="wald")
    a = anova.iloc[0]
    assert row["two_site_f"] == pytest.approx(a["f"], rel=1e-5)
    assert row["two_site_p"] == pytest.approx(a["p"], rel=1e-3)
    assert row["preferred_sites"] == "two"
    assert "two_sites_preferred" in row["flags"].split(";")
    two = _fit(data, "two_site", ci_method="wald")
    assert two["two_site_f"] == pytest.approx(a["f"], rel=1e-5)
    assert two["rss"] == pytest.approx(a["rss_two"], rel=1e-8)
    assert np.isfinite(two["kd_hi_M"]) and two["kd_hi_M"] < two["kd_lo_M"]
