"""Generate the bundled homologous competition example (SIMULATED, fixed seed).

Run ``python -m assaykit.datasets.competition.make_example`` to rewrite
``homologous_wizard2.csv`` (a PerkinElmer WIZARD2-format gamma-counter export) and
``homologous_layout.csv`` (its tidy tube table) in this folder. Same seed → same files.

The experiment (made up, with plausible numbers; nothing here was measured): [125I]FC131
competed by unlabelled FC131 on Jurkat cells (a homologous competition, DOMAIN §1.4), at two
radioligand concentrations (0.2 and 2 nM), cold FC131 at 0 (total binding) and 10^-11 … 10^-6 M
in half-log steps plus 10 µM (nonspecific), in triplicate; three background tubes and three
added-activity standards per radioligand concentration. True values: Kd 4 nM, Bmax 60 000 cpm,
nonspecific binding 0.3 % of the added radioligand.

Counts: ``gross = background + (Bmax·Hot/(Hot + Cold + Kd) + NS·added) · pipetting``, with a 3 %
log-normal pipetting factor and Poisson counting noise on a 60-s count.
"""

from __future__ import annotations

import math
from pathlib import Path

__all__ = ["SEED", "TRUE", "make_example"]

SEED = 20261205
HERE = Path(__file__).resolve().parent
EXPORT_NAME = "homologous_wizard2.csv"
LAYOUT_NAME = "homologous_layout.csv"

#: True values of the simulation: what an analysis of the example should recover.
TRUE: dict[str, float] = {"kd_M": 4e-9, "bmax_cpm": 60_000.0, "ns_fraction": 0.003}
HOT_M: tuple[float, ...] = (0.2e-9, 2e-9)
#: Added radioligand (cpm) per tube at each concentration (0.2 mL, 3900 cpm/fmol).
ADDED_CPM: dict[float, float] = {h: h * 1e9 * 3900.0 * 0.2 * 1000.0 for h in HOT_M}
COLD_M: tuple[float, ...] = tuple(
    10.0**e for e in (-11, -10.5, -10, -9.5, -9, -8.5, -8, -7.5, -7, -6.5, -6)
)
NSB_M = 1e-5
BACKGROUND_CPM = 30.0
PIPETTING_CV = 0.03
START = "2026-04-02 10:12:40"


def _tubes() -> list[dict[str, object]]:
    tubes: list[dict[str, object]] = []
    for _ in range(3):
        tubes.append({"role": "blank", "compound": "", "conc_M": math.nan, "hot_M": math.nan})
    for hot in HOT_M:
        rows = [("standard", "", math.nan), ("total", "", 0.0)]
        rows += [("competitor", "FC131", c) for c in COLD_M] + [("nsb", "FC131", NSB_M)]
        for role, compound, conc in rows:
            for _ in range(3):
                tubes.append({"role": role, "compound": compound, "conc_M": conc, "hot_M": hot})
    rep: dict[tuple[object, ...], int] = {}
    for i, t in enumerate(tubes):
        key = (t["role"], t["conc_M"], t["hot_M"])
        rep[key] = rep.get(key, 0) + 1
        t["replicate"] = rep[key]
        t["rack"], t["position"] = i // 10 + 1, i % 10 + 1
    return tubes


def _expected_cpm(t: dict[str, object]) -> float:
    if t["role"] == "blank":
        return BACKGROUND_CPM
    hot = float(t["hot_M"])  # type: ignore[arg-type]
    if t["role"] == "standard":
        return BACKGROUND_CPM + ADDED_CPM[hot]
    cold = float(t["conc_M"])  # type: ignore[arg-type]
    spec = TRUE["bmax_cpm"] * hot / (hot + cold + TRUE["kd_M"])
    return BACKGROUND_CPM + spec + TRUE["ns_fraction"] * ADDED_CPM[hot]


def make_example(folder: str | Path = HERE, *, seed: int = SEED) -> tuple[Path, Path]:
    """Write the export and the tube table into ``folder``; return their paths."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    folder = Path(folder)
    tubes = _tubes()
    start = pd.Timestamp(START)
    lines = [
        "Protocol ID,Protocol name,Measurement date & time,Completion status,Run ID,Rack,Det,Pos,"
        "Time,Sample code,I-125 Counts,I-125 CPM,I-125 Error %,I-125 Info"
    ]
    for i, t in enumerate(tubes):
        mu = _expected_cpm(t)
        if t["role"] != "blank":
            mu = BACKGROUND_CPM + (mu - BACKGROUND_CPM) * float(np.exp(rng.normal(0, PIPETTING_CV)))
        count_time = 60.0 + float(rng.choice([0.01, 0.02, 0.03]))
        counts = int(rng.poisson(mu * count_time / 60.0))
        cpm = counts * 60.0 / count_time
        err = 100.0 / math.sqrt(counts) if counts > 0 else 100.0
        group = i // 5
        when = start + pd.Timedelta(seconds=round(group * 77.3 + (group % 3)))
        det = (int(t["position"]) - 1) % 5 + 1  # type: ignore[call-overload]
        lines.append(
            f"14,I-125 1 min,{when:%Y-%m-%d %H:%M:%S},0,5301,{t['rack']},{det},{t['position']},"
            f"{count_time:.2f},,{counts},{cpm:.2f},{err:.2f},"
        )
    export = folder / EXPORT_NAME
    export.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="")
    layout = pd.DataFrame(tubes)[
        ["rack", "position", "role", "compound", "conc_M", "hot_M", "replicate"]
    ]
    path = folder / LAYOUT_NAME
    layout.to_csv(path, index=False, float_format="%.6g", lineterminator="\n")
    return export, path


if __name__ == "__main__":  # pragma: no cover - run by hand to regenerate the files
    for p in make_example():
        print(p)
