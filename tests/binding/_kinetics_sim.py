"""Simulated kinetics experiments counted on a gamma counter (decay and Poisson counting noise).

Used by the kinetics tests and by ``tests/data/reference/kinetics/make_data.py`` (the data the R
references were fitted to). The truth is the model curve in cpm **at the reference time**
(radioligand addition); each tube is counted later, at its own time, for ``count_time_s``:
expected counts = ∫ rate over the count = B·exp(−λ(t_c − t_ref))·(1 − exp(−λΔt))/λ, then Poisson.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

T_REF = pd.Timestamp("2026-03-12 10:00")


def expected_counts(
    rate_cpm_at_ref: np.ndarray,
    count_start_min: np.ndarray,
    count_time_s: float,
    half_life_min: float,
) -> np.ndarray:
    lam = math.log(2) / half_life_min  # per minute
    dt = count_time_s / 60.0
    return rate_cpm_at_ref * np.exp(-lam * count_start_min) * (-np.expm1(-lam * dt)) / lam


def simulate_tubes(
    design: pd.DataFrame,
    specific: Callable[[pd.DataFrame], np.ndarray],
    *,
    rng: np.random.Generator,
    nsb_cpm_per_nM: float = 300.0,
    bkg_cpm: float = 30.0,
    half_life_min: float = 67.71,
    count_time_s: float = 60.0,
    counting_starts_min: float = 100.0,
    spacing_s: float = 70.0,
    n_blanks: int = 3,
) -> pd.DataFrame:
    """Tubes of ``design`` (``time_min, conc_M, competitor_conc_M, kind, curve``): one total and
    one NSB tube per row, counted one after another in the row order from ``counting_starts_min``."""
    d = design.reset_index(drop=True)
    conc_nM = d["conc_M"].to_numpy(float) * 1e9
    total_rate = specific(d) + nsb_cpm_per_nM * conc_nM
    nsb_rate = nsb_cpm_per_nM * conc_nM
    tubes = []
    for role, rate in (("total", total_rate), ("nsb", nsb_rate)):
        t = d.copy()
        t["role"] = role
        t["rate"] = rate
        tubes.append(t)
    blanks = pd.DataFrame({"role": ["blank"] * n_blanks, "rate": [0.0] * n_blanks})
    all_t = pd.concat(tubes + [blanks], ignore_index=True)
    n = len(all_t)
    start_min = counting_starts_min + np.arange(n) * spacing_s / 60.0
    mu = expected_counts(all_t["rate"].to_numpy(float), start_min, count_time_s, half_life_min)
    mu = mu + bkg_cpm * count_time_s / 60.0
    all_t["counts"] = rng.poisson(mu).astype(float)
    all_t["count_time_s"] = count_time_s
    all_t["measured_at"] = T_REF + pd.to_timedelta(start_min, unit="min")
    all_t["position"] = np.arange(1, n + 1)
    return all_t.drop(columns="rate")
