"""Fitting on bad data: every curve gets a status and a message, never a crash or a misleading IC50."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssaykitError

CONC = np.repeat(10.0 ** np.arange(-11, -4.9, 0.5), 3)


def _good() -> np.ndarray:
    rng = np.random.default_rng(20261124)
    return 100 / (1 + 10 ** (np.log10(CONC) + 8)) + rng.normal(0, 3, CONC.size)


GOOD = _good()

#: name → (conc, response, expected status(es), text the message or flags must contain)
CASES = {
    "all_nan": (CONC, np.full(CONC.size, np.nan), {"insufficient_data"}, "usable point"),
    "constant": (CONC, np.full(CONC.size, 50.0), {"no_inhibition"}, "constant"),
    "one_concentration": (
        np.full(6, 1e-8),
        np.linspace(40, 60, 6),
        {"insufficient_data"},
        "1 concentration",
    ),
    "two_points": (
        np.array([1e-9, 1e-7]),
        np.array([90.0, 10.0]),
        {"insufficient_data"},
        "usable point",
    ),
    "negative_conc": (np.r_[-1e-8, CONC[1:]], GOOD, {"ok"}, "concentration <= 0"),
    "zero_conc_on_log_axis": (np.r_[0.0, 0.0, 0.0, CONC[3:]], GOOD, {"ok"}, "concentration <= 0"),
    "nan_conc": (np.r_[np.nan, CONC[1:]], GOOD, {"ok"}, "without a numeric"),
    "inf_response": (CONC, np.r_[np.inf, GOOD[1:]], {"ok"}, "without a numeric"),
}


def _fit(x: np.ndarray, y: np.ndarray, name: str = "c") -> pd.Series:
    from assaykit.binding import fit_curves

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_curves(pd.DataFrame({"conc": x, "response": y, "curve": name}))
    assert len(res) == 1
    return res.iloc[0]


@pytest.mark.parametrize("name", list(CASES))
def test_bad_curve_gets_status_and_message(name: str) -> None:
    x, y, statuses, text = CASES[name]
    row = _fit(x, y, name)
    assert row["status"] in statuses, (row["status"], row["message"])
    assert text in f"{row['message']} {row['flags']}", (row["message"], row["flags"])
    if row["status"] != "ok":
        assert np.isnan(row["ic50"]), "an IC50 from a curve that does not define one"
    else:
        assert 5e-9 < row["ic50"] < 2e-8  # the points that remain still give the true IC50


def test_order_and_duplicates_do_not_change_the_fit() -> None:
    ref = _fit(CONC, GOOD)
    rev = _fit(CONC[::-1].copy(), GOOD[::-1].copy())
    dup = _fit(np.r_[CONC, CONC], np.r_[GOOD, GOOD])
    assert rev["status"] == dup["status"] == "ok"
    assert rev["log_ic50"] == pytest.approx(ref["log_ic50"], abs=1e-6)
    assert dup["log_ic50"] == pytest.approx(ref["log_ic50"], abs=1e-6)


def test_1e12_counts_fit_like_percentages() -> None:
    counts = 1e9 + (1e12 - 1e9) / (1 + 10 ** (np.log10(CONC) + 8))
    row = _fit(CONC, counts)
    assert row["status"] == "ok"
    assert row["log_ic50"] == pytest.approx(-8, abs=1e-3)
    assert row["top"] == pytest.approx(1e12, rel=1e-3)


def test_empty_table_is_a_clear_error() -> None:
    with pytest.raises(AssaykitError, match="empty"):
        _fit(np.array([]), np.array([]))


def test_one_bad_curve_does_not_spoil_the_others() -> None:
    from assaykit.binding import fit_curves

    df = pd.concat(
        [
            pd.DataFrame({"conc": CONC, "response": GOOD, "curve": "good"}),
            pd.DataFrame({"conc": CONC, "response": np.nan, "curve": "nan"}),
            pd.DataFrame({"conc": CONC, "response": 50.0, "curve": "flat"}),
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_curves(df).set_index("curve")
    assert res.loc["good", "status"] == "ok"
    assert res.loc["nan", "status"] == "insufficient_data"
    assert res.loc["flat", "status"] == "no_inhibition"
    assert res.loc[["nan", "flat"], "ic50"].isna().all()


def test_cli_on_a_flat_curve_reports_its_status(tmp_path) -> None:  # noqa: ANN001
    """End to end: a tidy table whose only curve is flat gives results with a status, no crash."""
    from tests.robustness._cli import run_inprocess

    table = tmp_path / "flat.csv"
    pd.DataFrame({"conc": CONC, "response": 50.0, "curve": "flat"}).to_csv(table, index=False)
    run = run_inprocess(["binding", "fit", str(table), "-o", str(tmp_path / "out")])
    assert run.code == 0, run.stderr
    res = pd.read_csv(tmp_path / "out" / "results.csv")
    assert res.loc[0, "status"] == "no_inhibition" and np.isnan(res.loc[0, "ic50"])
