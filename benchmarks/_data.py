"""Synthetic competition curves for benchmarks: 12 concentrations × 3 replicates, known truth."""

from __future__ import annotations

import numpy as np
import pandas as pd

LOG_CONC = np.linspace(-11.0, -5.5, 12)


def simulate_curves(
    n_curves: int,
    *,
    seed: int = 0,
    replicates: int = 3,
    ragged: float = 0.0,
    log_ic50_range: tuple[float, float] = (-9.5, -7.0),
    hill_range: tuple[float, float] = (0.7, 1.4),
    noise: float = 4.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tidy table ``curve, conc, response`` and the true parameters of each curve.

    ``ragged`` is the fraction of points removed at random (missing wells). The defaults give
    well-behaved curves; wider ``log_ic50_range``/``hill_range`` and more ``noise`` give hard
    ones (IC50 near or beyond the tested range 1e-11 … 10^-5.5 M, shallow or steep slopes).
    """
    rng = np.random.default_rng(seed)
    truth = pd.DataFrame(
        {
            "curve": np.arange(n_curves),
            "top": rng.normal(100, 5, n_curves),
            "bottom": rng.normal(2, 2, n_curves),
            "log_ic50": rng.uniform(*log_ic50_range, n_curves),
            "hill": -rng.uniform(*hill_range, n_curves),
        }
    )
    x = np.tile(np.repeat(LOG_CONC, replicates), (n_curves, 1))
    t, b, li, h = (truth[c].to_numpy()[:, None] for c in ("top", "bottom", "log_ic50", "hill"))
    y = b + (t - b) / (1 + 10 ** ((li - x) * h))
    y = y + rng.normal(0, noise, y.shape)
    keep = np.ones_like(y, dtype=bool) if ragged <= 0 else rng.random(y.shape) >= ragged
    curve = np.repeat(truth["curve"].to_numpy()[:, None], x.shape[1], axis=1)
    data = pd.DataFrame({"curve": curve[keep], "conc": 10.0 ** x[keep], "response": y[keep]})
    return data, truth
