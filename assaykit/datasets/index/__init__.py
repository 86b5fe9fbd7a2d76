"""Simulated reference-compound runs for the demo's index and control chart (documented as such).

A lab runs its reference compound (here AMD3100 against [125I]FC131) in every binding
experiment. :func:`reference_runs` simulates ``n`` such runs as tidy tables (``conc`` in M,
``response`` in % specific binding, ``curve``): stable logIC50 scatter first, then a planted
upward drift of ``drift`` log units in the last ``n_drift`` runs, which the control chart must
catch. Nothing here is measured data.

Examples
--------
>>> runs = reference_runs(n=4, n_drift=1, seed=1)
>>> [name for name, _ in runs][:2], list(runs[0][1].columns)
(['run_2026-01-05', 'run_2026-01-12'], ['curve', 'conc', 'response'])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TRUE_LOG_IC50", "reference_runs"]

#: The reference compound's true logIC50 (M) in the stable runs.
TRUE_LOG_IC50 = -6.52


def reference_runs(
    n: int = 14, *, n_drift: int = 4, drift: float = 0.35, sd: float = 0.06, seed: int = 20261205
) -> list[tuple[str, pd.DataFrame]]:
    """``(name, tidy table)`` for ``n`` weekly runs of the reference compound (simulated)."""
    import numpy as np
    import pandas as pd

    from assaykit.binding.curves import four_pl

    rng = np.random.default_rng(seed)
    x = np.repeat(np.arange(-10.0, -3.5, 0.5), 3)
    start = pd.Timestamp("2026-01-05")
    out = []
    for k in range(n):
        shift = drift if k >= n - n_drift else 0.0
        log_ic50 = TRUE_LOG_IC50 + shift + rng.normal(0.0, sd)
        y = four_pl(x, top=100.0, bottom=0.0, log_ic50=log_ic50, hill=-0.95)
        y = y + rng.normal(0.0, 3.0, x.size)
        day = (start + pd.Timedelta(weeks=k)).date().isoformat()
        out.append(
            (f"run_{day}", pd.DataFrame({"curve": "AMD3100", "conc": 10.0**x, "response": y}))
        )
    return out
