"""Cheng–Prusoff Ki, its CI and flags, against DOMAIN §6 #10/#11 and hand/Monte-Carlo references."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assaykit.binding.ki import cheng_prusoff, homologous_kd, ki_table
from assaykit.errors import FitError, SchemaError


def _fits(**over):
    base = {
        "curve": ["A"],
        "ic50": [24.8e-9],
        "log_ic50": [math.log10(24.8e-9)],
        "log_ic50_ci_low": [math.log10(24.8e-9) - 0.103],
        "log_ic50_ci_high": [math.log10(24.8e-9) + 0.103],
        "hill": [-1.0],
        "hill_se": [0.05],
        "status": ["ok"],
    }
    base.update({k: [v] for k, v in over.items()})
    return pd.DataFrame(base)


def test_domain_10_cheng_prusoff():
    assert cheng_prusoff(24.8e-9, 0.1e-9, 1.0e-9) * 1e9 == pytest.approx(22.545, abs=5e-4)
    # [L] << Kd: Ki ≈ IC50
    assert cheng_prusoff(24.8, 0.001, 1.0) == pytest.approx(24.8, rel=1e-3)


def test_domain_11_homologous_shortcut():
    kd, bmax = homologous_kd(5.1, 0.1, 1000)
    assert kd == pytest.approx(5.0)
    assert bmax == pytest.approx(51000.0)
    kd_bad, _ = homologous_kd(0.05, 0.1, 1000)  # IC50 below [Hot]: not determinable
    assert np.isnan(kd_bad)


def test_ki_ci_is_the_ic50_ci_divided_by_the_factor():
    out = ki_table(_fits(), radioligand_conc=0.1e-9, kd=1e-9).iloc[0]
    ic_lo, ic_hi = 10 ** (math.log10(24.8e-9) - 0.103), 10 ** (math.log10(24.8e-9) + 0.103)
    assert out["ki"] == pytest.approx(24.8e-9 / 1.1)
    assert out["ki_ci_low"] == pytest.approx(ic_lo / 1.1)
    assert out["ki_ci_high"] == pytest.approx(ic_hi / 1.1)
    assert out["pki"] == pytest.approx(-math.log10(24.8e-9 / 1.1))
    assert out["pki_ci_low"] == pytest.approx(-math.log10(ic_hi / 1.1))
    assert out["ki_factor"] == pytest.approx(1.1)


def test_kd_uncertainty_widens_the_ci_like_monte_carlo():
    rng = np.random.default_rng(5)
    L, Kd, kd_se, se_log_ic50 = 1e-9, 1e-9, 0.1e-9, 0.05
    z = 1.959964
    fits = _fits(
        log_ic50=-8.0,
        ic50=1e-8,
        log_ic50_ci_low=-8.0 - z * se_log_ic50,
        log_ic50_ci_high=-8.0 + z * se_log_ic50,
    )
    out = ki_table(fits, radioligand_conc=L, kd=Kd, kd_se=kd_se).iloc[0]
    # Monte Carlo reference: logIC50 ~ N(-8, 0.05), Kd ~ N(1 nM, 0.1 nM)
    log_ic = rng.normal(-8.0, se_log_ic50, 400_000)
    kd_s = rng.normal(Kd, kd_se, 400_000)
    log_ki = log_ic - np.log10(1 + L / kd_s)
    lo, hi = np.quantile(log_ki, [0.025, 0.975])
    assert math.log10(out["ki_ci_low"]) == pytest.approx(lo, abs=0.004)
    assert math.log10(out["ki_ci_high"]) == pytest.approx(hi, abs=0.004)
    plain = ki_table(fits, radioligand_conc=L, kd=Kd).iloc[0]
    assert out["ki_ci_low"] < plain["ki_ci_low"] and out["ki_ci_high"] > plain["ki_ci_high"]


def test_flags_hill_and_depletion_and_status():
    fits = pd.concat(
        [
            _fits(curve="steep", hill=-1.6),
            _fits(curve="fixed", hill=-1.6, hill_se=float("nan")),  # fixed slope: not judged
            _fits(curve="flat", status="no_inhibition", ic50=float("nan")),
            _fits(curve="fine", hill=-0.75),
        ],
        ignore_index=True,
    )
    out = ki_table(
        fits, radioligand_conc=0.1e-9, kd=1e-9, fraction_bound=[0.15, 0.05, 0.05, 0.05]
    ).set_index("curve")
    assert out.loc["steep", "ki_flags"] == "hill_not_unity;ligand_depletion"
    assert out.loc["fixed", "ki_flags"] == ""
    assert np.isnan(out.loc["flat", "ki"]) and "no_inhibition" in out.loc["flat", "ki_message"]
    assert out.loc["fine", "ki_flags"] == ""
    wider = ki_table(fits, radioligand_conc=0.1e-9, kd=1e-9, hill_range=(0.8, 1.2)).set_index(
        "curve"
    )
    assert wider.loc["fine", "ki_flags"] == "hill_not_unity"


def test_unknown_kd_gives_nan_with_reason():
    out = ki_table(_fits(), radioligand_conc=0.1e-9, kd=None).iloc[0]
    assert np.isnan(out["ki"]) and "Kd" in out["ki_message"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kd": -1e-9}, "positive"),
        ({"radioligand_conc": -1e-9}, ">= 0"),
        ({"hill_range": (1.3, 0.7)}, "hill_range"),
    ],
)
def test_bad_options_raise(kwargs, match):
    opts = {"radioligand_conc": 0.1e-9, "kd": 1e-9, **kwargs}
    with pytest.raises(FitError, match=match):
        ki_table(_fits(), **opts)


def test_missing_columns_raise_schema_error():
    with pytest.raises(SchemaError, match="log_ic50_ci_low"):
        ki_table(_fits().drop(columns="log_ic50_ci_low"), radioligand_conc=1e-10, kd=1e-9)


@given(ic50=st.floats(1e-12, 1e-4), conc=st.floats(0, 1e-7), kd=st.floats(1e-12, 1e-6))
def test_ki_never_exceeds_ic50_and_inverts(ic50, conc, kd):
    ki = float(cheng_prusoff(ic50, conc, kd))
    assert ki <= ic50 * (1 + 1e-12)
    assert ki * (1 + conc / kd) == pytest.approx(ic50, rel=1e-9)
