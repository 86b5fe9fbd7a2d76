"""The simulated experiment: known truth recovered within the stated uncertainty.

Truth: ``assaykit.datasets.uptake.make_example`` (population-mean % per condition × time).
Each well varies log-normally (CV 7 %), so a nominal 95 % CI of a triplicate mean
(mean ± t(0.975, 2)·SEM) covers the truth in ~95 % of simulated experiments; the bundled file is
checked with simultaneous (Bonferroni) 95 % intervals over its time points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from assaykit.datasets.uptake import example_paths, load_example
from assaykit.datasets.uptake.make_example import TIMES, TRUTH, simulate, true_percent
from assaykit.uptake import analyze, correct_tubes, per_well, summarize


def quick(seed: int, *, decay: bool = True) -> pd.DataFrame:
    """Simulate one run and summarise it (layout joined by position: same order as the run)."""
    table, layout, experiment = simulate(seed)
    annotated = table.join(layout.drop(columns=["rack", "position", "sample"]))
    annotated.attrs["experiment"] = experiment
    wells = per_well(correct_tubes(annotated, decay=decay))
    return summarize(wells, ["surface_pct", "internalized_pct"])


def truth_of(s: pd.DataFrame) -> np.ndarray:
    return np.array(
        [
            true_percent(c, q.removesuffix("_pct"), t)
            for c, q, t in zip(s["condition"], s["quantity"], s["time_min"], strict=True)
        ]
    )


@pytest.fixture(scope="module")
def bundled() -> dict[str, pd.DataFrame]:
    return analyze(*load_example())


def test_bundled_files_exist_and_are_wizard2() -> None:
    export, layout = example_paths()
    head = export.read_text(encoding="utf-8").splitlines()[0]
    assert head.startswith("Protocol ID,Protocol name,Measurement date & time")
    assert "Ga-68 Counts,Ga-68 CPM,Ga-68 Error %,Ga-68 Info" in head
    assert layout.suffix == ".xlsx"


def test_bundled_file_is_what_the_generator_writes() -> None:
    from assaykit.datasets.uptake.make_example import _wizard2_csv

    export, _ = example_paths()
    table, _, _ = simulate()
    assert export.read_text(encoding="utf-8") == _wizard2_csv(table)


def test_bundled_truth_within_simultaneous_95ci(bundled: dict[str, pd.DataFrame]) -> None:
    s = bundled["summary"]
    for q in ("surface_pct", "internalized_pct", "cell_associated_pct"):
        d = s[s["quantity"] == q]
        assert len(d) == 2 * len(TIMES) and (d["n"] == 3).all()
        tq = stats.t.ppf(1 - 0.025 / len(d), 2)  # Bonferroni over the family of time points
        miss = np.abs(d["mean"] - truth_of(d)) > tq * d["sem"]
        assert not miss.any(), d[miss]


def test_bundled_decay_correction_settings(bundled: dict[str, pd.DataFrame]) -> None:
    settings = dict(zip(bundled["settings"]["setting"], bundled["settings"]["value"], strict=True))
    assert settings["isotope"] == "Ga-68"
    assert settings["half_life_source"] == "ICRP-107"
    assert settings["reference_time"] == "2026-03-10 14:00:00"
    tubes = bundled["per_tube"]
    # the run lasts ~1.8 h: the last tube is corrected by more than 3× (Ga-68 T½ 67.71 min)
    assert tubes["decay_factor"].max() > 3.0
    assert (bundled["per_well"]["mass_balance"].between(0.9, 1.1)).all()


@pytest.mark.parametrize("seeds", [range(1, 21)], ids=["20 runs"])
def test_ci_coverage_over_simulated_runs(seeds: range) -> None:
    hits = total = 0
    for seed in seeds:
        s = quick(seed)
        half = stats.t.ppf(0.975, s["n"] - 1) * s["sem"]
        hits += int((np.abs(s["mean"] - truth_of(s)) <= half).sum())
        total += len(s)
    coverage = hits / total  # 400 intervals: 95 % expected, binomial SD 1.1 %
    assert 0.90 <= coverage <= 0.99, coverage


def test_without_decay_correction_the_truth_is_missed() -> None:
    """Decay correction matters here: late-counted wells lose > 30 % without it."""
    s = quick(3, decay=False)
    ratio = s["mean"].to_numpy() / truth_of(s)
    assert ratio.min() < 0.7
    corrected = quick(3)
    assert np.abs(corrected["mean"].to_numpy() / truth_of(corrected) - 1).max() < 0.25


def test_association_fit_recovers_rates_on_average() -> None:
    """Tracer internalization: plateau 12 %, k 0.025/min (t½ 27.7 min); median over runs."""
    from assaykit.uptake import fit_association

    plateaus, ks = [], []
    for seed in range(1, 13):
        table, layout, experiment = simulate(seed)
        annotated = table.join(layout.drop(columns=["rack", "position", "sample"]))
        annotated.attrs["experiment"] = experiment
        w = per_well(correct_tubes(annotated))
        f = fit_association(w[w.condition == "tracer"], quantities=["internalized_pct"]).iloc[0]
        assert f["status"] == "ok"
        plateaus.append(f["plateau"])
        ks.append(f["k_per_min"])
    plateau, k = TRUTH["tracer"]["internalized"]
    assert np.median(plateaus) == pytest.approx(plateau, rel=0.06)
    assert np.median(ks) == pytest.approx(k, rel=0.15)


@pytest.mark.slow
def test_ci_coverage_many_runs() -> None:
    hits = total = 0
    for seed in range(100, 300):
        s = quick(seed)
        half = stats.t.ppf(0.975, s["n"] - 1) * s["sem"]
        hits += int((np.abs(s["mean"] - truth_of(s)) <= half).sum())
        total += len(s)
    assert 0.935 <= hits / total <= 0.965
