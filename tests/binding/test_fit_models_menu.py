"""fit_curves routes Prism's further competition models to assaykit.binding.competition."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assaykit.binding import fit_curves
from assaykit.binding.curves import four_pl


def test_fit_ki_through_fit_curves_is_cheng_prusoff_exact():
    """Noise-free one-site data (hill −1): Ki = IC50 / (1 + [L]/Kd) (DOMAIN §1.3), to 1e-8."""
    x = np.repeat(np.arange(-11.0, -4.5, 0.5), 2)
    y = four_pl(x, top=100.0, bottom=2.0, log_ic50=-7.6, hill=-1.0)
    df = pd.DataFrame({"curve": "P", "conc_nM": 10.0**x * 1e9, "response": y})
    res = fit_curves(df, x="conc_nM", conc_unit="nM", model="fit-ki",
                     constants={"radioligand_M": 1e-9, "kd_M": 2e-9}).iloc[0]  # fmt: skip
    assert res["status"] == "ok"
    assert res["ki_M"] == pytest.approx(10**-7.6 / (1 + 1e-9 / 2e-9), rel=1e-8)


def test_unknown_model_still_refused():
    from assaykit.errors import FitError

    df = pd.DataFrame({"curve": "P", "conc": [1e-9, 1e-8], "response": [90.0, 10.0]})
    with pytest.raises(FitError, match="unknown model"):
        fit_curves(df, model="five_pl")  # type: ignore[arg-type]
