"""Competition figures: the drawn curves are the fitted model; the plot builds and saves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.binding.competition import fit_competition
from assaykit.binding.competition_figures import competition_lines, plot_competition

REF = Path(__file__).resolve().parents[1] / "data" / "reference" / "competition"


def test_two_site_components_add_up_to_the_fit() -> None:
    row = pd.Series(
        {
            "top": 3000.0,
            "bottom": 200.0,
            "fraction_high": 0.4,
            "log_ic50_high": -9.5,
            "log_ic50_low": -7.0,
            "status": "ok",
        }
    )
    ln = competition_lines(row, "two-site", -12, -4, n=50).pivot(
        index="log_conc", columns="line", values="value"
    )
    total = ln["high-affinity site"] + ln["low-affinity site"] - 200.0
    np.testing.assert_allclose(ln["fit"], total, rtol=1e-12)
    c = 10.0 ** ln.index.to_numpy()
    expected = 200 + 2800 * (0.4 / (1 + c / 10**-9.5) + 0.6 / (1 + c / 1e-7))
    np.testing.assert_allclose(ln["fit"], expected, rtol=1e-12)


def test_no_line_without_estimates() -> None:
    row = pd.Series({"status": "not_identifiable", "log_kd": np.nan})
    assert competition_lines(row, "homologous", -11, -5).empty


@pytest.mark.parametrize(
    ("case", "model"),
    [("homo2", "homologous"), ("twosite", "two-site"), ("depl", "depletion"), ("fitki", "fit-ki")],
)
def test_plot_builds_and_saves(tmp_path: Path, case: str, model: str) -> None:
    data = pd.read_csv(REF / f"data_{case}.csv")
    fits = fit_competition(data, model=model)  # type: ignore[arg-type]
    p = plot_competition(data, fits, model=model)
    assert p.labels.x == "log10 [competitor] (M)"
    assert "n = " in p.labels.caption
    if model == "homologous":
        assert "cpm" in p.labels.y
    out = tmp_path / "fig.png"
    p.save(out, width=4, height=3, dpi=50, verbose=False)
    assert out.stat().st_size > 1000
