"""Generate the bundled kinetics example (simulated, fixed seed).

Run ``python -m assaykit.datasets.kinetics.make_example`` to rewrite ``kinetics_wizard2.csv`` (a
PerkinElmer WIZARD2-format gamma-counter export) and ``kinetics_layout.xlsx`` (its filled kinetics
template) in this folder. Same seed → same files. **The data are simulated**, not measured.

The experiment: association of [68Ga]Ga-Pentixafor to CXCR4 on cells at three radioligand
concentrations (0.3, 1 and 3 nM), tubes stopped at 1, 2, 4, 7, 10, 15, 20 and 30 min after
radioligand addition (10:00:00) in duplicate; NSB (excess AMD3100) at 1, 10 and 30 min only (it is
interpolated in time); three background (empty) tubes and two standards of the added activity.
The tubes are counted afterwards, one every 70 s for 60 s from 10:35 (about an hour of counting,
in which 68Ga loses a half of its activity), so the decay correction with each tube's own count
time matters.

Truth (what an analysis should recover): kon 1e8 M⁻¹·min⁻¹, koff 0.1 min⁻¹ (kinetic Kd 1 nM,
t½ 6.93 min, residence time 10 min), Bmax 20 000 cpm at the reference time; nonspecific binding
300 cpm per nM; background 30 cpm; Poisson counting noise; 3 % tube-to-tube pipetting noise.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["SEED", "TRUE", "simulate", "write_example"]

SEED = 20261205
HERE = Path(__file__).resolve().parent
CSV_NAME = "kinetics_wizard2.csv"
LAYOUT_NAME = "kinetics_layout.xlsx"
TRUE = {"kon_per_M_min": 1e8, "koff_per_min": 0.1, "bmax_cpm": 20_000.0, "kd_M": 1e-9}
HALF_LIFE_MIN = 67.71  # Ga-68, ICRP-107 (assaykit's table)
T0 = pd.Timestamp("2026-03-12 10:00:00")
COUNT_START = T0 + pd.Timedelta(minutes=35)
COUNT_TIME_S, SPACING_S = 60.0, 70.0
CONCS_NM = (0.3, 1.0, 3.0)
TIMES = (1, 2, 4, 7, 10, 15, 20, 30)
NSB_TIMES = (1, 10, 30)
NSB_PER_NM, BKG_CPM, STANDARD_CPM, PIPETTING_CV = 300.0, 30.0, 100_000.0, 0.03


def _specific(t: float, conc_nM: float) -> float:
    kon, koff = TRUE["kon_per_M_min"] * 1e-9, TRUE["koff_per_min"]
    kobs = kon * conc_nM + koff
    return TRUE["bmax_cpm"] * conc_nM / (conc_nM + koff / kon) * -math.expm1(-kobs * t)


def simulate(seed: int = SEED) -> pd.DataFrame:
    """The tube list (layout columns) with simulated counts and count start times."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    rows += [{"role": "blank", "rate": 0.0} for _ in range(3)]
    rows += [{"role": "standard", "rate": STANDARD_CPM} for _ in range(2)]
    for c in CONCS_NM:
        for t in TIMES:
            for _ in range(2):
                rows.append(
                    {
                        "role": "total",
                        "time": t,
                        "conc": c,
                        "rate": _specific(t, c) + NSB_PER_NM * c,
                    }
                )
        for t in NSB_TIMES:
            rows.append({"role": "nsb", "time": t, "conc": c, "rate": NSB_PER_NM * c})
    tab = pd.DataFrame(rows)
    n = len(tab)
    tab["rack"] = np.arange(n) // 10 + 1
    tab["position"] = np.arange(n) % 10 + 1
    lam = math.log(2) / HALF_LIFE_MIN
    start_min = (COUNT_START - T0).total_seconds() / 60 + np.arange(n) * SPACING_S / 60
    pip = rng.lognormal(0.0, PIPETTING_CV, n)
    mean = (
        tab["rate"].to_numpy(float)
        * pip
        * np.exp(-lam * start_min)
        * -np.expm1(-lam * COUNT_TIME_S / 60)
        / lam
    )
    tab["counts"] = rng.poisson(mean + BKG_CPM * COUNT_TIME_S / 60)
    tab["measured_at"] = T0 + pd.to_timedelta(np.round(start_min * 60), unit="s")
    return tab


def _wizard2_csv(tab: pd.DataFrame) -> str:
    head = (
        "Protocol ID,Protocol name,Measurement date & time,Completion status,Run ID,Rack,Det,Pos,"
        "Time,Sample code,Ga-68 Counts,Ga-68 CPM,Ga-68 Error %,Ga-68 Info"
    )
    lines = [head]
    for r in tab.itertuples(index=False):
        n = float(r.counts)  # type: ignore[arg-type]
        cpm = n / (COUNT_TIME_S / 60)
        err = 100 / math.sqrt(n) if n > 0 else 0.0
        lines.append(
            f"14,Ga-68 1 min,{r.measured_at:%Y-%m-%d %H:%M:%S},0,6001,{r.rack},1,{r.position},"
            f"{COUNT_TIME_S:.2f},,{r.counts:.0f},{cpm:.2f},{err:.2f},"
        )
    return "\n".join(lines) + "\n"


def _only(used: np.ndarray, value: str) -> list[str | None]:
    return [value if u else None for u in used]


def write_example(folder: Path = HERE, *, seed: int = SEED) -> tuple[Path, Path]:
    """Write the export CSV and the filled kinetics template into ``folder``."""
    from assaykit.layout.kinetics import write_kinetics_template

    tab = simulate(seed)
    csv_path = Path(folder) / CSV_NAME
    csv_path.write_text(_wizard2_csv(tab), encoding="utf-8")
    used = tab["role"].isin(["total", "nsb"]).to_numpy()
    tubes = pd.DataFrame(
        {
            "rack": tab["rack"],
            "position": tab["position"],
            "role": tab["role"],
            "kind": _only(used, "association"),
            "time": tab.get("time"),
            "time unit": _only(used, "min"),
            "radioligand conc": tab.get("conc"),
            "conc unit": _only(used, "nM"),
            "competitor conc": np.where(used, 0.0, np.nan),
            "competitor unit": _only(used, "nM"),
            "curve": _only(used, "Pentixafor"),
        }
    )
    experiment = {
        "experiment_id": "KIN-DEMO-001 (simulated)",
        "radioligand": "[68Ga]Ga-Pentixafor",
        "isotope": "Ga-68",
        "reference_time": T0.to_pydatetime(),
        "model": "association_global",
        "equilibrium_kd": 1.2,
    }
    layout = write_kinetics_template(
        Path(folder) / LAYOUT_NAME, tubes=tubes, experiment=experiment, force=True
    )
    return csv_path, layout


if __name__ == "__main__":  # pragma: no cover
    for p in write_example():
        print(p)
