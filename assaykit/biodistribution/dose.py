"""Injected activity per animal, at the reference time, in counter units (cpm).

Two sources (DOMAIN §3.3, §8.4):

- **injectate standards** counted with the organs: ``ID = mean(standard · dilution factor)``
  (standards with an animal apply to that animal; others to every animal without calibrator
  readings);
- **dose calibrator**: ``A_inj = A_full − A_empty``, each decay-corrected from its own
  measurement time to the reference time, converted to cpm with the counting efficiency
  (``cpm = Bq · 60 · ε``).

The tail (decay-corrected like every tube) is subtracted in both cases:
``injected = ID − tail``. ``tail_pct = 100 · tail / ID``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from assaykit.errors import LayoutError
from assaykit.result import qc_row

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["injected_activity"]


def injected_activity(
    tubes: pd.DataFrame,
    animals: pd.DataFrame,
    experiment: Mapping[str, Any],
    *,
    reference_time: Any,
    half_life_s: float,
    max_tail_pct: float = 10.0,
) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """The injected activity of every animal (cpm at ``reference_time``) and QC rows.

    Parameters
    ----------
    tubes
        Corrected tubes (:func:`assaykit.biodistribution.tubes.correct_tubes`).
    animals
        The layout's Animals frame.
    experiment
        The layout's experiment dict (``efficiency`` for calibrator doses).
    reference_time
        The time every activity is corrected to.
    half_life_s
        Half-life of the nuclide in seconds.
    max_tail_pct
        A tail holding more than this % of the dose is reported (paravenous injection?).

    Returns
    -------
    A copy of ``animals`` with ``dose_source``, ``dose_cpm`` (before the tail), ``dose_Bq``
    (calibrator only), ``tail_cpm``, ``tail_pct``, ``injected_cpm``; and QC rows.

    Raises
    ------
    LayoutError
        An animal has no dose (its tubes are named), a calibrator dose without an efficiency,
        or a dose that is not positive after the tail.

    Examples
    --------
    >>> import pandas as pd
    >>> tubes = pd.DataFrame({"role": ["standard", "tail"], "animal": ["", "M1"],
    ...     "corrected_cpm": [20000.0, 0.0], "dilution_factor": [100.0, None], "tube": ["s", "t"]})
    >>> animals = pd.DataFrame({"animal": ["M1"], "syringe_full_Bq": [None],
    ...     "syringe_empty_Bq": [None], "syringe_full_time": [None], "syringe_empty_time": [None]})
    >>> out, _ = injected_activity(tubes, animals, {}, reference_time="2026-01-01", half_life_s=4062.6)
    >>> float(out.loc[0, "injected_cpm"])
    2000000.0
    """
    import numpy as np
    import pandas as pd

    from assaykit.counting import seconds_between

    out = animals.copy()
    qc: list[dict[str, str]] = []
    lam = np.log(2.0) / half_life_s
    std = tubes[tubes["role"] == "standard"]
    shared = std[std["animal"].fillna("") == ""]
    eff = experiment.get("efficiency")
    sources, dose_cpm, dose_bq, tail_cpm = [], [], [], []
    checked: set[str] = set()
    a: Any
    for a in out.itertuples(index=False):
        own = std[std["animal"] == a.animal]
        has_cal = not pd.isna(a.syringe_full_Bq)
        if has_cal:
            t_full = seconds_between(pd.Series([a.syringe_full_time]), reference_time)[0]
            t_empty = seconds_between(pd.Series([a.syringe_empty_time]), reference_time)[0]
            bq = a.syringe_full_Bq * np.exp(lam * t_full) - a.syringe_empty_Bq * np.exp(
                lam * t_empty
            )
            if eff is None:
                raise LayoutError(
                    f"animal {a.animal}: the dose comes from the dose calibrator (Bq) but the "
                    "Experiment sheet gives no counting efficiency to compare it with the "
                    "counted tubes; give the efficiency or count injectate standards"
                )
            sources.append("dose calibrator")
            dose_bq.append(bq)
            dose_cpm.append(bq * 60.0 * float(eff))
        else:
            use = own if len(own) else shared
            if not len(use):
                mine = tubes.loc[tubes["animal"] == a.animal, "tube"].head(6)
                raise LayoutError(
                    f"animal {a.animal} has no dose: no syringe readings on the Animals sheet "
                    f"and no injectate standard counted (its tubes: {', '.join(mine) or 'none'})"
                )
            vals = use["corrected_cpm"].to_numpy(float) * use["dilution_factor"].to_numpy(float)
            key = ", ".join(use["tube"])
            if len(vals) > 1 and vals.mean() > 0 and key not in checked:
                checked.add(key)
                cv = 100 * vals.std(ddof=1) / vals.mean()
                if cv > 5:
                    qc.append(
                        qc_row(
                            "warning", key, f"injectate standards differ by CV {cv:.1f} % (> 5 %)"
                        )
                    )
            sources.append(
                f"{len(vals)} injectate standard(s)" + (" of this animal" if len(own) else "")
            )
            dose_bq.append(np.nan)
            dose_cpm.append(float(vals.mean()))
        tails = tubes[(tubes["role"] == "tail") & (tubes["animal"] == a.animal)]
        if len(tails):
            tail_cpm.append(float(tails["corrected_cpm"].sum()))
        else:
            tail_cpm.append(0.0)
            qc.append(
                qc_row(
                    "info", f"animal {a.animal}", "no tail counted: dose not corrected for the tail"
                )
            )
    out["dose_source"] = sources
    out["dose_cpm"] = dose_cpm
    out["dose_Bq"] = dose_bq
    out["tail_cpm"] = tail_cpm
    out["tail_pct"] = 100 * out["tail_cpm"] / out["dose_cpm"]
    out["injected_cpm"] = out["dose_cpm"] - out["tail_cpm"]
    for a in out.itertuples(index=False):
        if not a.injected_cpm > 0:
            raise LayoutError(
                f"animal {a.animal}: injected activity is not positive ({a.dose_cpm:.4g} cpm "
                f"dose − {a.tail_cpm:.4g} cpm tail); check the dose and the tail tube"
            )
        if a.tail_pct > max_tail_pct:
            qc.append(
                qc_row(
                    "warning",
                    f"animal {a.animal}",
                    f"tail holds {a.tail_pct:.1f} % of the dose (> {max_tail_pct:g} %): paravenous injection?",
                )
            )
    return out, qc
