"""Generate the bundled saturation-binding example (SIMULATED, fixed seed).

Run ``python -m assaykit.datasets.saturation.make_example`` to rewrite ``saturation_wizard2.csv``
(a PerkinElmer WIZARD2-format gamma-counter export) and ``saturation_layout.xlsx`` (its filled
saturation template) in this folder. Same seed → same files.

The made-up experiment: [125I]FC131 diluted with unlabelled FC131 to 110 Ci/mmol (4.07 GBq/µmol;
244 dpm/fmol), eight concentrations 0.25-16 nM in 250 µL, 2 × 10^5 cells per tube with 30 000
sites per cell (Bmax 9.96 fmol), Kd 2 nM; total and nonspecific (10 µM AMD3100) tubes in
triplicate, one added-radioligand standard per concentration, three blanks; counter efficiency
0.80. Counts: ``gross = background + (bound) · pipetting`` with a 3 % log-normal pipetting factor
and Poisson noise on 60-s counts; nonspecific binding is 0.4 % of the added radioligand.
Less than 2 % of the added radioligand is bound, so free ≈ added.
"""

from __future__ import annotations

import math
from pathlib import Path

__all__ = ["SEED", "TRUE_BMAX_FMOL", "TRUE_KD_M", "TRUE_SITES_PER_CELL", "make_example"]

SEED = 20261205
HERE = Path(__file__).resolve().parent
EXPORT_NAME = "saturation_wizard2.csv"
LAYOUT_NAME = "saturation_layout.xlsx"

TRUE_KD_M = 2.0e-9
TRUE_SITES_PER_CELL = 30_000.0
CELLS = 2.0e5
TRUE_BMAX_FMOL = TRUE_SITES_PER_CELL * CELLS / 6.02214076e23 * 1e15
MOLAR_ACTIVITY_CI_PER_MMOL = 110.0
EFFICIENCY = 0.80
VOLUME_L = 250e-6
NSB_FRACTION = 0.004
BACKGROUND_CPM = 35.0
CONC_NM: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0, 6.0, 10.0, 16.0)
START = "2026-04-02 14:10:05"
EXPERIMENT = {
    "experiment_id": "SAT-DEMO-001",
    "date": "2026-04-02",
    "radioligand": "[125I]FC131",
    "isotope": "I-125",
    "molar_activity": (MOLAR_ACTIVITY_CI_PER_MMOL, "Ci/mmol"),
    "molar_activity_time": "2026-04-02 14:00",
    "efficiency": EFFICIENCY,
    "cells_per_tube": CELLS,
    "volume": (250.0, "µL"),
    "nsb_compound": "AMD3100 10 µM",
    "operator": "assaykit example generator",
    "notes": "SIMULATED data (make_example.py, seed 20261205); true Kd 2 nM, 30000 sites/cell",
}


def _tubes() -> list[dict[str, object]]:
    tubes: list[dict[str, object]] = [
        {"role": "blank", "conc": math.nan, "replicate": r} for r in (1, 2, 3)
    ]
    for c in CONC_NM:
        tubes.append({"role": "standard", "conc": c, "replicate": 1})
    for role in ("total", "nsb"):
        for c in CONC_NM:
            for r in (1, 2, 3):
                tubes.append({"role": role, "conc": c, "replicate": r})
    for i, t in enumerate(tubes):
        t["rack"], t["position"], t["unit"] = i // 10 + 1, i % 10 + 1, "nM"
    return tubes


def _expected_cpm(t: dict[str, object]) -> float:
    dpm_per_fmol = MOLAR_ACTIVITY_CI_PER_MMOL * 3.7e10 / 1e-3 * 1e-15 * 60.0
    cpm_per_fmol = EFFICIENCY * dpm_per_fmol
    if t["role"] == "blank":
        return BACKGROUND_CPM
    x = float(t["conc"])  # type: ignore[arg-type]
    added_fmol = x * 1e-9 * VOLUME_L * 1e15
    if t["role"] == "standard":
        return BACKGROUND_CPM + added_fmol * cpm_per_fmol
    nsb = NSB_FRACTION * added_fmol
    spec = TRUE_BMAX_FMOL * x / (TRUE_KD_M * 1e9 + x) if t["role"] == "total" else 0.0
    return BACKGROUND_CPM + (nsb + spec) * cpm_per_fmol


def make_example(folder: str | Path = HERE, *, seed: int = SEED) -> tuple[Path, Path]:
    """Write the export and the filled template into ``folder``; return their paths."""
    import numpy as np
    import pandas as pd

    from assaykit.layout.saturation import write_saturation_template

    rng = np.random.default_rng(seed)
    folder = Path(folder)
    tubes = _tubes()
    start = pd.Timestamp(START)
    lines = [
        "Protocol ID,Protocol name,Measurement date & time,Completion status,Run ID,Rack,Det,Pos,"
        "Time,Sample code,I-125 Counts,I-125 CPM,I-125 Error %,I-125 Info"
    ]
    for i, t in enumerate(tubes):
        cpm_true = _expected_cpm(t)
        if t["role"] != "blank":
            sd = 0.01 if t["role"] == "standard" else 0.03
            cpm_true = BACKGROUND_CPM + (cpm_true - BACKGROUND_CPM) * float(
                np.exp(rng.normal(0.0, sd))
            )
        count_time = 60.0 + float(rng.choice([0.01, 0.02, 0.03]))
        counts = int(rng.poisson(cpm_true * count_time / 60.0))
        cpm = counts * 60.0 / count_time
        err = 100.0 / math.sqrt(counts) if counts > 0 else 100.0
        group = i // 5
        when = start + pd.Timedelta(seconds=round(group * 77.3 + (group % 3)))
        det = (int(t["position"]) - 1) % 5 + 1  # type: ignore[call-overload]
        lines.append(
            f"12,I-125 1 min,{when:%Y-%m-%d %H:%M:%S},0,6001,{t['rack']},{det},{t['position']},"
            f"{count_time:.2f},,{counts},{cpm:.2f},{err:.2f},"
        )
    export = folder / EXPORT_NAME
    export.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    layout = pd.DataFrame(tubes)
    path = write_saturation_template(
        folder / LAYOUT_NAME, tubes=layout, experiment=EXPERIMENT, force=True
    )
    return export, path


if __name__ == "__main__":  # pragma: no cover - run by hand to regenerate the files
    for p in make_example():
        print(p)
