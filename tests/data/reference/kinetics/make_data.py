"""Simulate the kinetics data the R references are fitted to (run from the repo root; seed fixed).

``python tests/data/reference/kinetics/make_data.py`` writes ``data.csv`` beside this file: three
68Ga experiments counted after the incubation (one tube every 70 s, 60-s counts, Poisson noise,
background 30 cpm), decay-corrected to radioligand addition with each tube's own count time
(:func:`assaykit.binding.kinetics_counting.kinetics_responses`). Columns: ``dataset``, ``time_min``,
``conc_nM``, ``comp_nM``, ``response`` (specific binding, cpm at the reference time) and
``response_sd`` (its Poisson SD, for the counting-weighted fit).
Then ``Rscript tests/data/reference/kinetics/make_reference.R`` writes ``values.csv``.

Truth: kon 1e8 /M/min (0.1 /nM/min), koff 0.1 /min, Bmax 20 000 cpm; the competitor of the
Motulsky–Mahan set has kon (K3) 1e7 /M/min and koff (K4) 0.02 /min.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "binding"))

from _kinetics_sim import T_REF, simulate_tubes  # noqa: E402

from assaykit.binding.kinetics_counting import kinetics_responses  # noqa: E402
from assaykit.binding.kinetics_models import (  # noqa: E402
    ASSOCIATION_GLOBAL,
    MOTULSKY_MAHAN,
)

SEED = 20261205
KON_NM, KOFF, BMAX = 0.1, 0.1, 20_000.0
K3_NM, K4 = 0.01, 0.02


def _design(times, concs, comps=(0.0,), kind="association", reps=2):
    rows = [
        {"time_min": t, "conc_M": c * 1e-9, "competitor_conc_M": i * 1e-9, "kind": kind}
        for c in concs
        for i in comps
        for t in times
        for _ in range(reps)
    ]
    return pd.DataFrame(rows)


def _x(d: pd.DataFrame, extra: list[str]) -> np.ndarray:
    cols = [d["time_min"].to_numpy(float)] + [d[c].to_numpy(float) * 1e9 for c in extra]
    return np.stack(cols, axis=-1)[None]


def make(rng: np.random.Generator) -> pd.DataFrame:
    out = []
    # dissociation after equilibrium at 1 nM: B_eq = Bmax·L/(L + Kd) = 10 000 cpm
    d = _design([0, 2, 4, 7, 10, 15, 20, 30, 45, 60], [1.0], kind="dissociation")
    spec = lambda g: 10_000.0 * np.exp(-KOFF * g["time_min"].to_numpy(float))  # noqa: E731
    out.append(("dissociation", d, spec))
    d = _design([1, 2, 4, 6, 10, 15, 20, 30, 45, 60], [0.3, 1.0, 3.0])
    spec = lambda g: ASSOCIATION_GLOBAL.eval(  # noqa: E731
        _x(g, ["conc_M"]), np.array([[KON_NM, KOFF, BMAX]])
    )[0]
    out.append(("association_global", d, spec))
    d = _design(
        [1, 2, 4, 7, 10, 15, 20, 30, 45, 60, 90, 120], [1.0], comps=(0.0, 3.0, 10.0, 30.0), reps=1
    )
    spec = lambda g: MOTULSKY_MAHAN.eval(  # noqa: E731
        _x(g, ["conc_M", "competitor_conc_M"]), np.array([[0.1, 0.1, K3_NM, K4, BMAX]])
    )[0]
    out.append(("competition", d, spec))
    frames = []
    for name, design, spec in out:
        tubes = simulate_tubes(
            design, spec, rng=rng, counting_starts_min=float(design["time_min"].max()) + 10
        )
        res = kinetics_responses(tubes, reference_time=T_REF, isotope="Ga-68").responses
        frames.append(
            pd.DataFrame(
                {
                    "dataset": name,
                    "time_min": res["time_min"],
                    "conc_nM": res["conc_M"] * 1e9,
                    "comp_nM": res["competitor_conc_M"] * 1e9,
                    "response": res["response"].round(6),
                    "response_sd": res["response_sd"].round(6),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


if __name__ == "__main__":
    make(np.random.default_rng(SEED)).to_csv(HERE / "data.csv", index=False)
