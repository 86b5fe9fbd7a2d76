"""fit_competition against R (minpack.lm::nlsLM on the same equations).

Data and reference values: tests/data/reference/competition/ (make_reference.R simulates the
data with 3 % pipetting and Poisson counting noise and fits them in R 4.2.2 / minpack.lm 1.2.3;
profile limits by uniroot on R's refitted profile, F test by ``anova``, AIC by ``AIC``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.binding.competition import fit_competition

REF = Path(__file__).resolve().parents[1] / "data" / "reference" / "competition"
VALUES = pd.read_csv(REF / "values.csv")
FITS = pd.read_csv(REF / "fits.csv").set_index("case")

# case → (model, R case of the values, our column of each R parameter[, weighting])
CASES: dict[str, tuple] = {
    "fitki": ("fit-ki", "fitki", {"top": "top", "bottom": "bottom", "log_ki": "log_ki"}),
    "homo1": ("homologous", "homo1", {"log_kd": "log_kd", "bmax": "bmax_cpm", "nsb": "nsb_cpm"}),
    "homo2": (
        "homologous",
        "homo2",
        {"log_kd": "log_kd", "bmax": "bmax_cpm", "nsb": "nsb_cpm", "nsb2": "nsb2_cpm"},
    ),
    "depl": ("depletion", "depl", {"log_ki": "log_ki", "bmax": "bmax_cpm", "ns": "ns_fraction"}),
    "homo2_w": (
        "homologous",
        "homo2_w",
        {"log_kd": "log_kd", "bmax": "bmax_cpm", "nsb": "nsb_cpm", "nsb2": "nsb2_cpm"},
        "1/y2",
    ),
    "depl_w": (
        "depletion",
        "depl_w",
        {"log_ki": "log_ki", "bmax": "bmax_cpm", "ns": "ns_fraction"},
        "poisson",
    ),
    "twosite": (
        "two-site",
        "twosite_two",
        {
            "top": "top",
            "bottom": "bottom",
            "fraction_high": "fraction_high",
            "log_k_high": "log_ic50_high",
            "log_k_low": "log_ic50_low",
        },
    ),
}


@pytest.fixture(scope="module")
def fitted() -> dict[str, pd.DataFrame]:
    out = {}
    for case, (model, _, _, *w) in CASES.items():
        data = pd.read_csv(REF / f"data_{case.removesuffix('_w')}.csv")
        weighting = w[0] if w else "none"
        out[case] = fit_competition(data, model=model, ci="profile", weighting=weighting)
    return out


def _rows(case: str) -> list[tuple[str, str, pd.Series]]:
    _model, rcase, cols, *_ = CASES[case]
    ref = VALUES[VALUES["case"] == rcase].set_index("param")
    return [(p, c, ref.loc[p]) for p, c in cols.items()]


@pytest.mark.parametrize("case", list(CASES))
def test_estimates_and_se_match_r(fitted: dict[str, pd.DataFrame], case: str) -> None:
    row = fitted[case].iloc[0]
    assert row["status"] == "ok", row["message"]
    for _p, col, ref in _rows(case):
        assert row[col] == pytest.approx(ref["estimate"], rel=1e-5), col
        assert row[f"{col}_se"] == pytest.approx(ref["se"], rel=1e-3), col
    rcase = CASES[case][1]
    assert row["rss"] == pytest.approx(FITS.loc[rcase, "rss"], rel=1e-8)
    assert row["df"] == FITS.loc[rcase, "df"]
    assert row["n"] == FITS.loc[rcase, "n"]


@pytest.mark.parametrize("case", list(CASES))
def test_profile_ci_matches_r(fitted: dict[str, pd.DataFrame], case: str) -> None:
    row = fitted[case].iloc[0]
    assert row["ci_method"] == "profile"
    for _p, col, ref in _rows(case):
        width = ref["profile_high"] - ref["profile_low"]
        assert abs(row[f"{col}_ci_low"] - ref["profile_low"]) < 1e-4 * width, col
        assert abs(row[f"{col}_ci_high"] - ref["profile_high"]) < 1e-4 * width, col
        if np.isfinite(ref["mass_low"]):  # R's confint (MASS, spline-interpolated profile)
            assert abs(row[f"{col}_ci_low"] - ref["mass_low"]) < 1e-3 * width, col
            assert abs(row[f"{col}_ci_high"] - ref["mass_high"]) < 1e-3 * width, col


def test_wald_ci_is_estimate_pm_t_se() -> None:
    data = pd.read_csv(REF / "data_fitki.csv")
    row = fit_competition(data, model="fit-ki").iloc[0]
    ref = VALUES[(VALUES["case"] == "fitki") & (VALUES["param"] == "log_ki")].iloc[0]
    half = 2.0226909117347285 * ref["se"]  # R: qt(0.975, 39)
    assert row["ci_method"] == "wald"
    assert row["log_ki_ci_low"] == pytest.approx(ref["estimate"] - half, rel=1e-5)
    assert row["ki_M_ci_high"] == pytest.approx(10 ** (ref["estimate"] + half), rel=1e-4)


def test_f_test_and_aicc_match_anova_and_aic(fitted: dict[str, pd.DataFrame]) -> None:
    row = fitted["twosite"].iloc[0]
    ref = pd.read_csv(REF / "anova.csv").iloc[0]
    assert row["f"] == pytest.approx(ref["f"], rel=1e-6)
    assert row["f_p_value"] == pytest.approx(ref["p"], rel=1e-4)
    assert row["df_one_site"] - row["df"] == ref["df_num"]
    assert row["df"] == ref["df_den"]
    one, two = FITS.loc["twosite_one"], FITS.loc["twosite_two"]
    assert row["rss_one_site"] == pytest.approx(one["rss"], rel=1e-8)
    # GraphPad's AICc omits R's constant N·(ln 2π + 1); differences are equal
    const = one["n"] * (math.log(2 * math.pi) + 1)
    assert row["aicc_one_site"] + const == pytest.approx(one["aicc"], rel=1e-9)
    assert row["aicc_two_site"] + const == pytest.approx(two["aicc"], rel=1e-9)
    assert row["delta_aicc"] == pytest.approx(two["aicc"] - one["aicc"], rel=1e-8)
    assert row["preferred"] == "two-site"
