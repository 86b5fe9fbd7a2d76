"""Weighting by the fitted curve (Prism 5+) against R's iteratively reweighted ``nls``.

tests/data/reference/weight_by_fit/make_reference.R fits each curve with weights 1/fitted²
("1/y2") or 1/fitted ("poisson") and refits with the new curve's weights until they settle;
estimates, SEs and the weighted RSS of its last fit are in values.csv.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.binding import fit_curves
from assaykit.binding.curves import FOUR_PL
from assaykit.fitting import least_squares

REF = Path(__file__).resolve().parents[1] / "data" / "reference" / "weight_by_fit"


@pytest.fixture(scope="module")
def reference() -> tuple[pd.DataFrame, pd.DataFrame]:
    data = pd.read_csv(REF / "data.csv", skipinitialspace=True)
    values = pd.read_csv(REF / "values.csv", skipinitialspace=True).set_index("curve")
    return data, values


@pytest.mark.parametrize("scheme", ["1/y2", "poisson"])
def test_fit_curves_weight_by_fit_equals_r_reweighted_nls(reference, scheme):
    data, values = reference
    d = data[data["scheme"] == scheme]
    ref = values[values["scheme"] == scheme]
    res = fit_curves(d, x="conc_M", y="response", weighting=scheme, weight_by="fit")
    res = res.set_index("curve").loc[ref.index]
    assert (res["status"] == "ok").all(), res["message"].tolist()
    for name in ("top", "bottom", "log_ic50", "hill"):
        np.testing.assert_allclose(res[name], ref[name], rtol=1e-6, err_msg=name)
        np.testing.assert_allclose(res[f"{name}_se"], ref[f"{name}_se"], rtol=1e-6, err_msg=name)
    np.testing.assert_allclose(res["rss"], ref["rss"], rtol=1e-6)
    # weighting by the data gives other numbers (so the test above can fail)
    by_data = fit_curves(d, x="conc_M", y="response", weighting=scheme).set_index("curve")
    assert np.max(np.abs(by_data.loc[ref.index, "log_ic50"] - ref["log_ic50"])) > 1e-4


def test_engine_weight_by_fit_on_any_model_and_the_default_is_data(reference):
    data, values = reference
    d = data[data["scheme"] == "1/y2"]
    ref = values[values["scheme"] == "1/y2"]
    x = np.log10(d["conc_M"].to_numpy()).reshape(len(ref), -1)
    y = d["response"].to_numpy().reshape(len(ref), -1) / 1000.0
    for engine in ("auto", "numpy"):
        res = least_squares(FOUR_PL, x, y, weights="1/y2", weight_by="fit", engine=engine)
        assert res.converged.all()
        np.testing.assert_allclose(res.param("log_ic50"), ref["log_ic50"], rtol=1e-6)
    default = least_squares(FOUR_PL, x, y, weights="1/y2")
    by_data = least_squares(FOUR_PL, x, y, weights="1/y2", weight_by="data")
    np.testing.assert_array_equal(default.params, by_data.params)
    with pytest.raises(ValueError, match="weight_by"):
        least_squares(FOUR_PL, x, y, weights="1/y2", weight_by="curve")
