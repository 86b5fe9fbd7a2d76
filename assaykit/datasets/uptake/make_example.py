"""Generate the bundled uptake example: [68Ga]Ga-Pentixafor on CXCR4+ cells, tracer vs AMD3100.

Run ``python -m assaykit.datasets.uptake.make_example`` to rewrite ``uptake_wizard2.csv`` (a
PerkinElmer WIZARD2-format export, same columns as a real I-125 run) and ``uptake_layout.xlsx``
(its filled assaykit uptake template). Seed :data:`SEED`; the numbers are reproducible.

The simulated experiment (all numbers are the truth the tests recover):

- hCXCR4-transfected Chem-1 cells, 2.5 × 10^5 per well (24-well plate), [68Ga]Ga-Pentixafor,
  37 °C for 5, 15, 30, 60 and 120 min; ``blocked`` wells with 100 µM AMD3100; triplicates;
- fractions per well: supernatant + washes, acid wash (surface), 1 M NaOH lysate (internalized);
- true % of applied activity (population mean of the wells):
  ``surface = 4.5·(1 − exp(−0.12·t))``, ``internalized = 12·(1 − exp(−0.025·t))`` (tracer);
  ``surface = 0.35·(1 − exp(−0.3·t))``, ``internalized = 0.25·(1 − exp(−0.05·t))`` (blocked);
  2 % of the activity is lost to plastic and pipetting (mass balance 0.98);
- biological variation: each well's surface and internalized % vary with CV 7 % (log-normal),
  the applied volume per well with CV 2 %; three applied-activity standards (CV 1 %);
- counting: one detector, 60 s per tube, 8 s changeover, three blanks (two first, one last),
  instrument background 22 CPM; Poisson counts of the activity decaying during and between
  counts (Ga-68, T½ 67.71 min): the run lasts ≈ 1.7 h, so decay correction matters;
- the vendor CPM is background-corrected by the instrument (CPM = counts/min − 22), as a WIZARD2
  protocol with background subtraction writes it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["SEED", "TRUTH", "simulate", "true_percent", "write_example"]

SEED = 20260310
HERE = Path(__file__).resolve().parent
CSV_NAME = "uptake_wizard2.csv"
LAYOUT_NAME = "uptake_layout.xlsx"

TIMES = (5.0, 15.0, 30.0, 60.0, 120.0)
#: plateau (%) and rate (1/min) per condition and fraction.
TRUTH: dict[str, dict[str, tuple[float, float]]] = {
    "tracer": {"surface": (4.5, 0.12), "internalized": (12.0, 0.025)},
    "blocked": {"surface": (0.35, 0.3), "internalized": (0.25, 0.05)},
}
LOSS = 0.02
CV_WELL = 0.07
CV_VOLUME = 0.02
CV_STANDARD = 0.01
APPLIED_CPM = 150_000.0  # applied activity per well at the reference time (counts per minute)
BACKGROUND_CPM = 22.0
COUNT_TIME_S = 60.0
CHANGEOVER_S = 8.0
HALF_LIFE_MIN = 67.71
START = "2026-03-10 14:05:00"
REFERENCE_TIME = "2026-03-10 14:00:00"
CELLS = 250_000


def true_percent(condition: str, fraction: str, time_min: Any) -> Any:
    """True population-mean % of applied activity (surface, internalized, cell_associated,
    supernatant) for a condition at ``time_min``.

    Examples
    --------
    >>> round(true_percent("tracer", "internalized", 60.0), 4)
    9.3224
    """
    import numpy as np

    t = np.asarray(time_min, dtype=float)
    if fraction == "cell_associated":
        return true_percent(condition, "surface", t) + true_percent(condition, "internalized", t)
    if fraction == "supernatant":
        return 100 * (1 - LOSS) - true_percent(condition, "cell_associated", t)
    plateau, k = TRUTH[condition][fraction]
    out = plateau * -np.expm1(-k * t)
    return float(out) if out.ndim == 0 else out


def _layout_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"role": "blank", "sample": "BKG 1"},
        {"role": "blank", "sample": "BKG 2"},
    ]
    rows += [{"role": "standard", "sample": f"STD {i}"} for i in (1, 2, 3)]
    short = {"supernatant": "S", "surface": "A", "internalized": "L"}
    for t in TIMES:
        for condition in ("tracer", "blocked"):
            for rep in (1, 2, 3):
                for fraction in ("supernatant", "surface", "internalized"):
                    rows.append(
                        {
                            "role": "sample",
                            "sample": f"{int(t)}{'T' if condition == 'tracer' else 'B'}{rep}{short[fraction]}",
                            "fraction": fraction,
                            "time_min": t,
                            "condition": condition,
                            "compound": "Pentixafor",
                            "replicate": rep,
                        }
                    )
    rows.append({"role": "blank", "sample": "BKG 3"})
    for i, r in enumerate(rows):
        r["rack"], r["position"] = i // 10 + 1, i % 10 + 1
    return rows


def simulate(
    seed: int = SEED, *, rng: np.random.Generator | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Simulate the run in memory: (counter table as read_export gives it, layout frame, experiment).

    The counter table has the columns of docs/CONTRACTS.md §1; the layout frame the uptake
    layout columns (§2) keyed by ``rack`` + ``position``.

    Examples
    --------
    >>> table, layout, experiment = simulate()
    >>> len(table), len(layout), experiment["isotope"]
    (96, 96, 'Ga-68')
    """
    import numpy as np
    import pandas as pd

    rng = rng if rng is not None else np.random.default_rng(seed)
    rows = _layout_rows()
    layout = pd.DataFrame(rows)
    n = len(layout)
    lam = math.log(2) / HALF_LIFE_MIN  # 1/min
    start = pd.Timestamp(START)
    ref = pd.Timestamp(REFERENCE_TIME)
    starts = start + pd.to_timedelta(np.arange(n) * (COUNT_TIME_S + CHANGEOVER_S), unit="s")
    # activity (CPM at the reference time) in each tube
    activity = np.zeros(n)
    samples = layout[layout.role == "sample"]
    wells = samples[["condition", "time_min", "replicate"]].drop_duplicates().reset_index(drop=True)
    # one draw per well: applied volume, then surface and internalized % (log-normal, mean 1)
    volume = APPLIED_CPM * rng.lognormal(-(CV_VOLUME**2) / 2, CV_VOLUME, len(wells))
    noise = rng.lognormal(-(CV_WELL**2) / 2, CV_WELL, (len(wells), 2))
    pct = pd.DataFrame(index=wells.index)
    for j, fraction in enumerate(("surface", "internalized")):
        mean = np.array(
            [
                true_percent(c, fraction, t)
                for c, t in zip(wells.condition, wells.time_min, strict=True)
            ]
        )
        pct[fraction] = mean * noise[:, j]
    pct["supernatant"] = 100 * (1 - LOSS) - pct["surface"] - pct["internalized"]
    well_of = samples.merge(
        wells.reset_index(), on=["condition", "time_min", "replicate"], how="left"
    )["index"]
    well_rows = well_of.to_numpy()
    cols = samples["fraction"].map({"surface": 0, "internalized": 1, "supernatant": 2}).to_numpy()
    pcts = pct[["surface", "internalized", "supernatant"]].to_numpy()
    activity[samples.index.to_numpy()] = volume[well_rows] * pcts[well_rows, cols] / 100
    std = (layout.role == "standard").to_numpy()
    activity[std] = APPLIED_CPM * rng.lognormal(-(CV_STANDARD**2) / 2, CV_STANDARD, std.sum())
    # expected counts: activity decaying from the reference time, integrated over the count
    t0 = ((starts - ref) / pd.Timedelta(minutes=1)).to_numpy(dtype=float)
    dt = COUNT_TIME_S / 60.0
    expected = activity * np.exp(-lam * t0) * -np.expm1(-lam * dt) / lam + BACKGROUND_CPM * dt
    counts = rng.poisson(expected).astype(float)
    cpm = counts / dt - BACKGROUND_CPM
    with np.errstate(divide="ignore"):
        error_pct = np.where(
            counts > 0, 200 * np.sqrt(counts) / np.maximum(np.abs(cpm * dt), 1.0), 100.0
        )
    table = pd.DataFrame(
        {
            "rack": layout["rack"],
            "position": layout["position"],
            "sample": "",
            "counts": counts,
            "count_time_s": COUNT_TIME_S,
            "cpm": cpm.round(2),
            "measured_at": starts.floor("s"),
            "isotope": "Ga-68",
            "flag": np.where(error_pct > 30, "I", ""),
            "error_pct": error_pct.round(2),
        }
    )
    table.attrs.update(instrument="PerkinElmer WIZARD2 (simulated)", kind="counter")
    experiment = {
        "experiment_id": "UPT-DEMO-68Ga",
        "tracer": "[68Ga]Ga-Pentixafor",
        "isotope": "Ga-68",
        "reference_time": ref,
        "cells_per_well": CELLS,
        "applied_volume_uL": 50,
        "blocking_agent": "AMD3100 100 µM",
        "notes": f"simulated by assaykit/datasets/uptake/make_example.py, seed {seed}",
    }
    return table, layout, experiment


def _wizard2_csv(table: pd.DataFrame) -> str:
    head = (
        "Protocol ID,Protocol name,Measurement date & time,Completion status,Run ID,Rack,Det,Pos,"
        "Time,Sample code,Ga-68 Counts,Ga-68 CPM,Ga-68 Error %,Ga-68 Info"
    )
    lines = [head]
    for r in table.itertuples(index=False):
        lines.append(
            f"12,Ga-68 1 min,{r.measured_at:%Y-%m-%d %H:%M:%S},0,5127,{r.rack},1,{r.position},"
            f"{r.count_time_s:.2f},,{r.counts:.0f},{r.cpm:.2f},{r.error_pct:.2f},{r.flag}"
        )
    return "\n".join(lines) + "\n"


def write_example(
    folder: Path = HERE, *, seed: int = SEED, force: bool = True
) -> tuple[Path, Path]:
    """Write the export CSV and the filled uptake template into ``folder``."""
    from assaykit.layout.templates import fill_template
    from assaykit.report.output import atomic_path

    table, layout, experiment = simulate(seed)
    csv_path = Path(folder) / CSV_NAME
    with atomic_path(csv_path, force=force) as tmp:
        tmp.write_text(_wizard2_csv(table), encoding="utf-8")
    layout_path = fill_template(
        "uptake", Path(folder) / LAYOUT_NAME, layout, experiment, force=force
    )
    return csv_path, layout_path


if __name__ == "__main__":  # pragma: no cover
    for p in write_example():
        print(p)
