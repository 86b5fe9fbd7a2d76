"""Generate the bundled competitive binding example (synthetic, fixed seed).

Run ``python -m assaykit.datasets.binding.make_example`` to rewrite ``binding_wizard2.csv`` (a
PerkinElmer WIZARD2-format gamma-counter export) and ``binding_layout.xlsx`` (its filled binding
template) in this folder. Same seed → same files.

The experiment (made up, but with the numbers of a real [125I]FC131 assay on Jurkat cells,
DOMAIN §1.1/§1.5): 2 × 10^5 Jurkat cells per tube, [125I]FC131 at 0.1 nM, three competitors at
ten concentrations 10^-11 … 10^-5 M (half-log steps between 10^-9 and 10^-6 M) in triplicate,
triplicate total-binding (TB) and nonspecific-binding (NSB, 10 µM AMD3100) tubes, three
background tubes (empty) and three added-activity standards. The Kd of [125I]FC131 on Jurkat
cells is **not known** (DOMAIN §1.5); 1 nM is **assumed** here so that Ki can be demonstrated.

Counts: ``gross = background + (NSB + SB_total · f(conc)) · pipetting``, with ``f`` a falling
logistic in log10 concentration with the true IC50 and Hill slope below, ``pipetting`` a 4 %
log-normal tube-to-tube factor, and Poisson counting noise on a 60-s count. Tubes are counted
five at a time (detectors 1–5 count positions d and d+5 of a 10-position rack), so each group
of five shares a start time, about 77 s apart, as in the real export.
"""

from __future__ import annotations

import math
from pathlib import Path

__all__ = ["ADDED_CPM", "CONCENTRATIONS", "SEED", "TRUE_HILL", "TRUE_IC50", "make_example"]

SEED = 20261124
HERE = Path(__file__).resolve().parent
EXPORT_NAME = "binding_wizard2.csv"
LAYOUT_NAME = "binding_layout.xlsx"

#: True IC50 (M) of each competitor: what an analysis of the example should recover.
TRUE_IC50: dict[str, float] = {
    "[natGa]Pentixafor": 35e-9,
    "iodo-CPCR4": 5e-9,
    "AMD3100": 300e-9,
}
#: True Hill slopes (CONTRACTS sign convention: negative = falling curve).
TRUE_HILL: dict[str, float] = {"[natGa]Pentixafor": -1.0, "iodo-CPCR4": -1.0, "AMD3100": -0.9}
#: Competitor concentrations (M).
CONCENTRATIONS: tuple[float, ...] = tuple(
    10.0**e for e in (-11, -10, -9, -8.5, -8, -7.5, -7, -6.5, -6, -5)
)
ADDED_CPM = 52_000.0  # radioligand added per tube (the standards)
SB_TOTAL_CPM = 3_100.0  # specific binding without competitor
NSB_CPM = 380.0
BACKGROUND_CPM = 32.0
COUNT_TIME_S = 60.0
PIPETTING_CV = 0.04
START = "2026-03-12 15:05:12"
EXPERIMENT = {
    "experiment_id": "BND-DEMO-001",
    "date": "2026-03-12",
    "radioligand": "[125I]FC131",
    "radioligand_conc_M": 0.1e-9,
    "radioligand_kd_M": 1.0e-9,
    "isotope": "I-125",
    "reference_time": "2026-03-12 15:00",
    "cells_per_well": 200000,
    "operator": "assaykit example generator",
    "notes": (
        "SYNTHETIC data (make_example.py, seed 20261124). Jurkat, 2 h RT. "
        "Kd of [125I]FC131 ASSUMED 1 nM (not measured) to demonstrate Ki."
    ),
}


def _tubes() -> list[dict[str, object]]:
    tubes: list[dict[str, object]] = []
    for role, compound, conc in (
        ("blank", "", math.nan),
        ("standard", "[125I]FC131", math.nan),
        ("total", "", math.nan),
        ("nsb", "AMD3100", 1e-5),
    ):
        for rep in (1, 2, 3):
            tubes.append({"role": role, "compound": compound, "conc": conc, "replicate": rep})
    for compound in TRUE_IC50:
        for conc in CONCENTRATIONS:
            for rep in (1, 2, 3):
                tubes.append(
                    {"role": "competitor", "compound": compound, "conc": conc, "replicate": rep}
                )
    for i, t in enumerate(tubes):
        t["rack"], t["position"] = i // 10 + 1, i % 10 + 1
    return tubes


def _expected_cpm(t: dict[str, object]) -> float:
    role = t["role"]
    if role == "blank":
        return BACKGROUND_CPM
    if role == "standard":
        return BACKGROUND_CPM + ADDED_CPM
    if role == "nsb":
        return BACKGROUND_CPM + NSB_CPM
    if role == "total":
        return BACKGROUND_CPM + NSB_CPM + SB_TOTAL_CPM
    compound, conc = str(t["compound"]), float(t["conc"])  # type: ignore[arg-type]
    hill = TRUE_HILL[compound]
    frac = 1.0 / (1.0 + 10.0 ** ((math.log10(TRUE_IC50[compound]) - math.log10(conc)) * hill))
    return BACKGROUND_CPM + NSB_CPM + SB_TOTAL_CPM * frac


def make_example(folder: str | Path = HERE, *, seed: int = SEED) -> tuple[Path, Path]:
    """Write the export and the filled template into ``folder``; return their paths."""
    import numpy as np
    import pandas as pd

    from assaykit.layout.templates import fill_template

    rng = np.random.default_rng(seed)
    folder = Path(folder)
    tubes = _tubes()
    start = pd.Timestamp(START)
    lines = [
        "Protocol ID,Protocol name,Measurement date & time,Completion status,Run ID,Rack,Det,Pos,Time,"
        "Sample code,I-125 Counts,I-125 CPM,I-125 Error %,I-125 Info"
    ]
    for i, t in enumerate(tubes):
        cpm_true = _expected_cpm(t)
        if t["role"] not in ("blank", "standard"):
            bound = cpm_true - BACKGROUND_CPM
            cpm_true = BACKGROUND_CPM + bound * float(np.exp(rng.normal(0.0, PIPETTING_CV)))
        elif t["role"] == "standard":
            cpm_true = BACKGROUND_CPM + ADDED_CPM * float(np.exp(rng.normal(0.0, 0.01)))
        count_time = COUNT_TIME_S + float(rng.choice([0.01, 0.02, 0.03]))
        counts = int(rng.poisson(cpm_true * count_time / 60.0))
        cpm = counts * 60.0 / count_time
        err = 100.0 / math.sqrt(counts) if counts > 0 else 100.0
        info = "I" if err > 35 else ""
        group = i // 5  # five detectors count together
        when = start + pd.Timedelta(seconds=round(group * 77.3 + (group % 3)))
        det = (int(t["position"]) - 1) % 5 + 1  # type: ignore[call-overload]
        lines.append(
            f"12,I-125 1 min,{when:%Y-%m-%d %H:%M:%S},0,5123,{t['rack']},{det},{t['position']},"
            f"{count_time:.2f},,{counts},{cpm:.2f},{err:.2f},{info}"
        )
    export = folder / EXPORT_NAME
    export.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    layout = pd.DataFrame(
        [
            {
                "rack": t["rack"],
                "position": t["position"],
                "role": t["role"],
                "compound": t["compound"],
                "conc": t["conc"],
                "replicate": t["replicate"],
            }
            for t in tubes
        ]
    )
    path = fill_template("binding", folder / LAYOUT_NAME, layout, EXPERIMENT, force=True)
    return export, path


if __name__ == "__main__":  # pragma: no cover - run by hand to regenerate the files
    for p in make_example():
        print(p)
