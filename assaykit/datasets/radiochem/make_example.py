"""Generate the bundled radiochemistry example (SIMULATED, fixed seed).

Run ``python -m assaykit.datasets.radiochem.make_example`` to rewrite the files of this folder.
Traces are Gaussian peaks on a linear baseline drift with Poisson noise; the true peak areas
(height·σ·√(2π)) and purities are in :data:`TRUE`. The logD counts are Poisson draws around a
true logD of −2.60 (equal 100 µL aliquots); stability follows a one-phase decay with t½ 400 min.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

SEED = 20261205
HERE = Path(__file__).resolve().parent

TLC_PEAKS = [("colloid", 10.0, 2.0, 1200.0), ("Pentixafor", 72.0, 2.8, 18000.0)]
HPLC_PEAKS = [
    ("free 68Ga", 2.1, 0.05, 800.0),
    ("radiolysis", 6.6, 0.07, 900.0),
    ("Pentixafor", 7.3, 0.08, 30000.0),
]


def _areas(peaks: list[tuple[str, float, float, float]]) -> dict[str, float]:
    return {n: h * s * math.sqrt(2 * math.pi) for n, _, s, h in peaks}


def _purity(peaks: list[tuple[str, float, float, float]]) -> float:
    a = _areas(peaks)
    return 100 * a["Pentixafor"] / sum(a.values())


TRUE = {
    "tlc_areas": _areas(TLC_PEAKS),
    "hplc_areas": _areas(HPLC_PEAKS),
    "tlc_rcp_pct": _purity(TLC_PEAKS),
    "hplc_rcp_pct": _purity(HPLC_PEAKS),
    "logd": -2.60,
    "t_half_min": 400.0,
}


def _trace(
    rng: np.random.Generator, x: np.ndarray, peaks: list[Any], drift: tuple[float, float]
) -> np.ndarray:
    mu = drift[0] + drift[1] * x
    for _, c, s, h in peaks:
        mu = mu + h * np.exp(-0.5 * ((x - c) / s) ** 2)
    return rng.poisson(mu).astype(float)


def make_example(folder: Path = HERE) -> list[Path]:
    """Write the example files into ``folder``; return their paths."""
    rng = np.random.default_rng(SEED)
    written = []
    x = np.round(np.arange(0, 100.01, 0.5), 2)
    y = _trace(rng, x, TLC_PEAKS, (60.0, 0.5))
    p = folder / "tlc_strip.csv"
    p.write_text(
        "Position (mm),Counts\n" + "".join(f"{a:g},{b:.0f}\n" for a, b in zip(x, y, strict=True))
    )
    written.append(p)
    p = folder / "tlc_rois.csv"
    p.write_text("Region,Start,End\ncolloid,2,20\nPentixafor,58,88\n")
    written.append(p)
    t = np.round(np.arange(0, 12.0, 0.01), 3)
    y = _trace(rng, t, HPLC_PEAKS, (150.0, 12.0))
    uv = 2.0 + 450 * np.exp(-0.5 * ((t - 7.25) / 0.07) ** 2) + rng.normal(0, 0.3, t.size)
    p = folder / "hplc_trace.csv"
    p.write_text(
        "Time (min)\tCounts\tUV (mAU)\n"
        + "".join(f"{a:g}\t{b:.0f}\t{c:.2f}\n" for a, b, c in zip(t, y, uv, strict=True))
    )
    written.append(p)
    p = folder / "synthesis.csv"
    p.write_text(
        "synthesis,isotope,start_activity_MBq,start_time,product_activity_MBq,product_time,"
        "precursor_amount_nmol\n"
        "GA-2026-041,Ga-68,1020,2026-03-02 09:00,612,2026-03-02 09:24,15\n"
        "GA-2026-042,Ga-68,980,2026-03-03 09:05,571,2026-03-03 09:28,15\n"
        "GA-2026-043,Ga-68,1050,2026-03-04 08:58,655,2026-03-04 09:21,15\n"
    )
    written.append(p)
    ratio = 10 ** float(TRUE["logd"])  # type: ignore[arg-type]
    buf = rng.poisson(480000, 6)
    octa = rng.poisson(480000 * ratio, 6)
    p = folder / "logd.csv"
    p.write_text(
        "compound,replicate,octanol_cpm,buffer_cpm,octanol_volume_uL,buffer_volume_uL\n"
        + "".join(
            f"Pentixafor,{i + 1},{o},{b},100,100\n"
            for i, (o, b) in enumerate(zip(octa, buf, strict=True))
        )
    )
    written.append(p)
    k = math.log(2) / float(TRUE["t_half_min"])  # type: ignore[arg-type]
    rows = []
    for tm in (0, 30, 60, 120, 240):
        for _ in range(2):
            rows.append(
                f"Pentixafor,serum,{tm},{98.5 * math.exp(-k * tm) + rng.normal(0, 0.6):.2f}\n"
            )
    p = folder / "stability.csv"
    p.write_text("compound,medium,time_min,pct_intact\n" + "".join(rows))
    written.append(p)
    return written


if __name__ == "__main__":  # pragma: no cover
    for path in make_example():
        print(path)
