"""Bounded fits against R's ``nls(algorithm = "port", lower =, upper =)``.

The curves (tests/data/reference/bounded_4pl, made by make_reference.R there) have their
unconstrained optimum outside the box — a negative bottom fitted with ``bottom >= 0``, steep
curves fitted with ``hill >= -1.2`` — so the bound is active at the constrained optimum. Before
the engine held such parameters (active set), most of these fits stopped at the iteration limit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.binding import fit_curves
from assaykit.binding.curves import FOUR_PL
from assaykit.fitting import least_squares

REF = Path(__file__).resolve().parents[1] / "data" / "reference" / "bounded_4pl"
BOUNDS = {"bottom": {"bottom": (0.0, np.inf)}, "hill": {"hill": (-1.2, 10.0)}}


@pytest.fixture(scope="module")
def reference() -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_csv(REF / "data.csv"), pd.read_csv(REF / "values.csv", skipinitialspace=True)


@pytest.mark.parametrize("which", ["bottom", "hill"])
def test_bounded_fits_reach_r_port_optimum(reference, which):
    data, values = reference
    data = data[data["set"] == which]
    ref = values[values["set"] == which].set_index("curve")
    res = fit_curves(data, x="conc_M", y="response", bounds=BOUNDS[which]).set_index("curve")
    param = "bottom" if which == "bottom" else "hill"
    bound = 0.0 if which == "bottom" else -1.2
    ok = ref["converged"].astype(str).str.strip().str.upper() == "TRUE"
    assert ok.sum() >= 0.9 * len(ref)
    # every fit converged (no "failed"), and names the parameter held at its bound
    assert not (res["status"] == "failed").any(), res["status"].value_counts()
    at = ref.index[np.isclose(ref[param], bound, atol=1e-9)]
    assert len(at) >= 0.8 * len(ref)  # the bound is active on most curves, as intended
    assert res.loc[at, "flags"].str.contains(f"at_bound:{param}").all()
    assert res.loc[at, f"{param}_se"].isna().all()  # Prism: at a bound, no SE
    # parameters to 1e-5 relative (plateaus relative to the top: a bottom near 0 has no scale
    # of its own), the bounded one exactly at the bound; RSS to 1e-7
    cmp = ok[ok].index
    span = ref.loc[cmp, "top"].abs().to_numpy()
    for name in ("top", "bottom", "log_ic50", "hill"):
        tol = 1e-5 * (span if name in ("top", "bottom") else ref.loc[cmp, name].abs().to_numpy())
        diff = np.abs(res.loc[cmp, name].to_numpy() - ref.loc[cmp, name].to_numpy())
        assert np.all(diff <= tol), (name, diff.max())
    held = ref.loc[at.intersection(cmp), param]
    np.testing.assert_array_equal(res.loc[held.index, param], held)
    np.testing.assert_allclose(res.loc[cmp, "rss"], ref.loc[cmp, "rss"], rtol=1e-7)
    # df: a parameter at a bound is not counted as estimated (Prism's convention)
    n_at = np.isclose(res.loc[cmp, param], bound, atol=1e-12).astype(int)
    np.testing.assert_array_equal(res.loc[cmp, "df"], res.loc[cmp, "n"] - 4 + n_at)


def test_compiled_and_numpy_engines_agree_on_bounded_fits(reference):
    data, values = reference
    d = data[data["set"] == "bottom"]
    x = np.log10(d["conc_M"].to_numpy()).reshape(-1, 24)
    y = d["response"].to_numpy().reshape(-1, 24) / 100.0
    fast = least_squares(FOUR_PL, x, y, lower={"bottom": 0.0}, engine="auto")
    slow = least_squares(FOUR_PL, x, y, lower={"bottom": 0.0}, engine="numpy")
    assert fast.converged.all() and slow.converged.all()
    np.testing.assert_array_equal(fast.at_bound, slow.at_bound)
    np.testing.assert_allclose(fast.params, slow.params, rtol=1e-7, atol=1e-9)
    np.testing.assert_array_equal(fast.df, slow.df)
