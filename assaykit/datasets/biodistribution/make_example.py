"""Generate the bundled biodistribution example: [68Ga]Ga-Pentixafor in Daudi xenografts, 1 h p.i.

**Simulated data**, not a real study. Run ``python -m assaykit.datasets.biodistribution.make_example``
to rewrite ``biodistribution_wizard2.csv`` (a PerkinElmer WIZARD2-format export) and
``biodistribution_layout.xlsx`` (the filled biodistribution template). Seed :data:`SEED`.

The simulated study (the truth the tests recover):

- CB-17 SCID mice (female, 18–23 g) with Daudi lymphoma xenografts; [68Ga]Ga-Pentixafor i.v.,
  1 h p.i.; ``control`` (n = 5) and ``blocked`` (n = 5, AMD3100 co-injected); mouse B5 is
  left out (paravenous injection: 30 % of the dose in the tail);
- true mean %IA/g per organ in :data:`TRUTH` (control / blocked; the control tumour, liver,
  intestine and kidney follow the published Daudi values of Poschenrieder et al. 2016, at 90
  min p.i.); each animal's organ values vary log-normally (CV 15 %);
- dose: three 1 % injectate standards (dilution factor 100) counted with the organs, injected
  activity 1.5 MBq ≙ 4.05 × 10^7 cpm at the first injection; 1–3 % of the dose stays in the
  tail (subtracted);
- counting: one tube per 68 s (60 s count + 8 s changeover) from 11:00, about 2.2 h for the
  whole run, so 68Ga (T½ 67.71 min) decays by a factor of ~4 during the run; Poisson counts
  of the activity decaying during each count; background 25 cpm; the CPM column is the gross
  rate (no background subtracted by the counter); three blank tubes; the control tumour of
  M1 is counted a second time at the end (reported as counted twice).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from assaykit.layout.biodistribution import BiodistributionLayout

__all__ = ["SEED", "TRUTH", "simulate", "write_example"]

SEED = 20261205
HERE = Path(__file__).resolve().parent
CSV_NAME = "biodistribution_wizard2.csv"
LAYOUT_NAME = "biodistribution_layout.xlsx"

#: organ → (true mean %IA/g control, blocked, typical mass in g)
TRUTH: dict[str, tuple[float, float, float]] = {
    "blood": (1.2, 1.4, 0.10),
    "heart": (0.6, 0.7, 0.10),
    "lung": (1.6, 1.3, 0.15),
    "liver": (2.0, 1.8, 1.00),
    "spleen": (1.1, 0.9, 0.08),
    "pancreas": (0.4, 0.4, 0.10),
    "stomach": (0.6, 0.6, 0.15),
    "intestine": (0.7, 0.7, 0.30),
    "kidney": (1.7, 2.6, 0.30),
    "muscle": (0.35, 0.35, 0.10),
    "bone": (0.5, 0.5, 0.05),
    "tumor": (16.2, 2.1, 0.30),
}
CV_ANIMAL = 0.15
DOSE_CPM = 1.5e6 * 60 * 0.45  # 1.5 MBq, 45 % counting efficiency, at the first injection
BACKGROUND_CPM = 25.0
COUNT_TIME_S = 60.0
CHANGEOVER_S = 8.0
HALF_LIFE_MIN = 67.71
FIRST_INJECTION = "2026-03-10 09:00:00"
COUNT_START = "2026-03-10 11:00:00"
EXCLUDED = {"B5": "paravenous injection (30 % of the dose in the tail)"}


def simulate(
    seed: int = SEED, *, rng: np.random.Generator | None = None
) -> tuple[pd.DataFrame, BiodistributionLayout]:
    """Simulate the study in memory: (counter table as read_export gives it, layout).

    ``layout.settings["truth"]`` holds the true %IA/g of every animal and organ (the value
    the analysis must recover up to counting noise).

    Examples
    --------
    >>> counts, layout = simulate()
    >>> len(counts), len(layout.animals), layout.experiment["isotope"]
    (137, 10, 'Ga-68')
    """
    import numpy as np
    import pandas as pd

    from assaykit.layout.biodistribution import BiodistributionLayout, biodistribution_layout

    rng = rng if rng is not None else np.random.default_rng(seed)
    lam = math.log(2) / HALF_LIFE_MIN
    inj0 = pd.Timestamp(FIRST_INJECTION)
    animals: list[dict[str, Any]] = []
    tubes: list[dict[str, Any]] = []
    activity: list[float] = []
    truth: list[dict[str, Any]] = []
    tubes += [{"role": "blank", "tube_id": "BKG1"}, {"role": "blank", "tube_id": "BKG2"}]
    activity += [0.0, 0.0]
    for k in (1, 2, 3):
        tubes.append({"role": "standard", "tube_id": f"STD{k}", "dilution_factor": 100.0})
        activity.append(DOSE_CPM / 100)  # exact aliquots: only counting noise
    for i, (group, letter) in enumerate([("control", "C")] * 5 + [("blocked", "B")] * 5):
        name = f"{letter}{i % 5 + 1}"
        animals.append(
            {
                "animal": name,
                "group": group,
                "time_pi": 1,
                "time_unit": "h",
                "body_weight_g": round(float(rng.uniform(18, 23)), 1),
                "sex": "female",
                "strain": "CB-17 SCID",
                "species": "Mus musculus",
                "age": "8 weeks",
                "injection_time": inj0 + pd.Timedelta(minutes=4 * i),
                "excluded": EXCLUDED.get(name, ""),
            }
        )
        tail_frac = 0.30 if name in EXCLUDED else float(rng.uniform(0.01, 0.03))
        injected = DOSE_CPM * (1 - tail_frac)
        for organ, (ctrl, blk, mass) in TRUTH.items():
            pct = (ctrl if group == "control" else blk) * rng.lognormal(
                -(CV_ANIMAL**2) / 2, CV_ANIMAL
            )
            m = round(mass * float(rng.lognormal(0, 0.2)), 4)
            tare = round(float(rng.normal(1.05, 0.02)), 4)
            tubes.append(
                {
                    "role": "tissue",
                    "animal": name,
                    "organ": organ,
                    "tube_id": f"{name}-{organ}",
                    "tare_g": tare,
                    "filled_g": round(tare + m, 4),
                }
            )
            activity.append(injected * pct / 100 * m)
            truth.append({"animal": name, "organ": organ, "pct_ia_per_g": pct, "mass_g": m})
        tubes.append({"role": "tail", "animal": name, "tube_id": f"{name}-tail"})
        activity.append(DOSE_CPM * tail_frac)
    tubes.append({"role": "blank", "tube_id": "BKG3"})
    activity.append(0.0)
    for j, t in enumerate(tubes):
        t["rack"], t["position"] = j // 10 + 1, j % 10 + 1
    # the count order: every tube once, then the M1 tumour again
    order = list(range(len(tubes))) + [
        next(j for j, t in enumerate(tubes) if t.get("tube_id") == "C1-tumor")
    ]
    start = pd.Timestamp(COUNT_START)
    starts = start + pd.to_timedelta(
        np.arange(len(order)) * (COUNT_TIME_S + CHANGEOVER_S), unit="s"
    )
    act = np.array([activity[j] for j in order])
    t0 = ((starts - inj0) / pd.Timedelta(minutes=1)).to_numpy(dtype=float)
    dt = COUNT_TIME_S / 60.0
    expected = act * np.exp(-lam * t0) * -np.expm1(-lam * dt) / lam + BACKGROUND_CPM * dt
    counts = rng.poisson(expected).astype(float)
    cpm = counts / dt
    table = pd.DataFrame(
        {
            "rack": [tubes[j]["rack"] for j in order],
            "position": [tubes[j]["position"] for j in order],
            "sample": "",
            "counts": counts,
            "count_time_s": COUNT_TIME_S,
            "cpm": cpm.round(2),
            "measured_at": starts.floor("s"),
            "isotope": "Ga-68",
            "error_pct": (200 / np.sqrt(np.maximum(counts, 1))).round(2),
        }
    )
    table["flag"] = np.where(table["error_pct"] > 30, "I", "")
    experiment = {
        "experiment_id": "BD-DEMO-68Ga",
        "tracer": "[68Ga]Ga-Pentixafor",
        "isotope": "Ga-68",
        "route": "i.v. (tail vein)",
        "tumor_organ": "tumor",
        "blocking_agent": "AMD3100 (co-injected)",
        "model": "Daudi xenograft, CB-17 SCID mice",
        "notes": f"SIMULATED by assaykit/datasets/biodistribution/make_example.py, seed {seed}",
    }
    lay = biodistribution_layout(experiment, animals, tubes)
    lay = BiodistributionLayout(
        lay.experiment, lay.animals, lay.tubes, settings={"truth": pd.DataFrame(truth)}
    )
    return table, lay


def _wizard2_csv(table: pd.DataFrame) -> str:
    head = (
        "Protocol ID,Protocol name,Measurement date & time,Completion status,Run ID,Rack,Det,Pos,"
        "Time,Sample code,Ga-68 Counts,Ga-68 CPM,Ga-68 Error %,Ga-68 Info"
    )
    lines = [head]
    for r in table.itertuples(index=False):
        lines.append(
            f"14,Ga-68 biodist 1 min,{r.measured_at:%Y-%m-%d %H:%M:%S},0,6021,{r.rack},1,{r.position},"
            f"{r.count_time_s:.2f},,{r.counts:.0f},{r.cpm:.2f},{r.error_pct:.2f},{r.flag}"
        )
    return "\n".join(lines) + "\n"


def write_example(
    folder: Path = HERE, *, seed: int = SEED, force: bool = True
) -> tuple[Path, Path]:
    """Write the export CSV and the filled biodistribution template into ``folder``."""
    from assaykit.layout.biodistribution_template import write_biodistribution_template
    from assaykit.report.output import atomic_path

    table, layout = simulate(seed)
    csv_path = Path(folder) / CSV_NAME
    with atomic_path(csv_path, force=force) as tmp:
        tmp.write_text(_wizard2_csv(table), encoding="utf-8")
    return csv_path, write_biodistribution_template(Path(folder) / LAYOUT_NAME, layout, force=force)


if __name__ == "__main__":  # pragma: no cover
    for p in write_example():
        print(p)
