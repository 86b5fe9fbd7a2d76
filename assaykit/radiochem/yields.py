"""Radiochemical yield, activity yield and molar activity, named as Coenen et al. 2017 name them.

- **Radiochemical yield (RCY)**: product activity decay-corrected to the start of synthesis,
  as % of the starting activity.
- **Activity yield (AY)**: product activity at the end of synthesis as % of the starting
  activity, *not* decay-corrected.
- **Molar activity (Am)**: activity per amount of the compound (radioactive and
  non-radioactive forms of the product), GBq/µmol, decay-corrected to a stated time;
  **apparent molar activity** uses all the precursor mass instead.

Activities in Bq (MBq in tables), times as timestamps; half-lives from
:mod:`assaykit.counting` (ICRP-107 by default).

Examples
--------
>>> import pandas as pd
>>> t0 = pd.Timestamp("2026-01-01 09:00")
>>> round(radiochemical_yield(500e6, t0 + pd.Timedelta(minutes=67.71), 1000e6, t0, "Ga-68"), 6)
100.0
>>> activity_yield(500e6, 1000e6)
50.0
>>> molar_activity(1e9, 10e-9)   # 1 GBq on 10 nmol
100.0
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from assaykit.errors import SchemaError
from assaykit.result import AssayResult, qc_row, qc_table

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "activity_yield",
    "analyze_yield",
    "decay_to",
    "molar_activity",
    "radiochemical_yield",
]


def decay_to(activity_Bq: float, measured_at: Any, to: Any, isotope: str) -> float:
    """Activity measured at ``measured_at`` expressed at time ``to`` (earlier or later)."""
    import pandas as pd

    from assaykit.counting import half_life

    t_half = half_life(isotope).total_seconds()
    dt = (pd.Timestamp(measured_at) - pd.Timestamp(to)).total_seconds()
    return float(activity_Bq) * math.exp(math.log(2.0) * dt / t_half)


def radiochemical_yield(
    product_Bq: float, product_at: Any, start_Bq: float, start_at: Any, isotope: str
) -> float:
    """RCY in %: product activity decay-corrected to the start of synthesis / starting activity."""
    return 100.0 * decay_to(product_Bq, product_at, start_at, isotope) / float(start_Bq)


def activity_yield(product_Bq: float, start_Bq: float) -> float:
    """Activity yield in % (not decay-corrected)."""
    return 100.0 * float(product_Bq) / float(start_Bq)


def molar_activity(activity_Bq: float, amount_mol: float) -> float:
    """Molar activity in GBq/µmol (``activity_Bq`` already at the stated time)."""
    return float(activity_Bq) / 1e9 / (float(amount_mol) * 1e6)


_NEED = (
    "synthesis",
    "isotope",
    "start_activity_MBq",
    "start_time",
    "product_activity_MBq",
    "product_time",
)


def analyze_yield(table: pd.DataFrame, *, reference: str = "end_of_synthesis") -> AssayResult:
    """RCY, activity yield and molar activities per synthesis, and their mean ± SD.

    Parameters
    ----------
    table
        One row per synthesis: ``synthesis, isotope, start_activity_MBq, start_time,
        product_activity_MBq, product_time`` and optionally ``product_amount_nmol`` (the
        compound, e.g. from the HPLC UV calibration: gives Am), ``precursor_amount_nmol`` (gives
        the apparent Am) and ``reference_time`` (the time Am is stated at).
    reference
        When ``reference_time`` is empty: ``end_of_synthesis`` (the product's measurement
        time) or ``start_of_synthesis``.

    Returns
    -------
    AssayResult
        ``results`` (per synthesis) and ``summary`` (mean, SD, SE and 95 % CI over syntheses).
    """
    import pandas as pd

    from assaykit.counting import half_life_info

    if missing := [c for c in _NEED if c not in table.columns]:
        raise SchemaError(f"the yield table lacks columns {', '.join(missing)}")
    rows, qc = [], []
    for i, r in enumerate(table.to_dict("records"), start=1):
        where = f"synthesis {r['synthesis']} (row {i})"
        try:
            t0, t1 = pd.Timestamp(r["start_time"]), pd.Timestamp(r["product_time"])
        except (ValueError, TypeError):
            raise SchemaError(f"{where}: start_time/product_time are not times") from None
        if t1 < t0:
            raise SchemaError(f"{where}: the product was measured before the start of synthesis")
        a0, a1 = float(r["start_activity_MBq"]) * 1e6, float(r["product_activity_MBq"]) * 1e6
        if not (a0 > 0 and a1 >= 0):
            raise SchemaError(f"{where}: activities must be positive")
        iso = str(r["isotope"])
        ref = r.get("reference_time")
        ref_t = (
            pd.Timestamp(ref)
            if ref is not None and not pd.isna(ref) and str(ref).strip()
            else (t1 if reference == "end_of_synthesis" else t0)
        )
        rcy = radiochemical_yield(a1, t1, a0, t0, iso)
        out: dict[str, Any] = {
            "synthesis": r["synthesis"],
            "isotope": half_life_info(iso).isotope,
            "synthesis_time_min": (t1 - t0).total_seconds() / 60,
            "rcy_pct": rcy,
            "activity_yield_pct": activity_yield(a1, a0),
            "am_reference_time": ref_t,
        }
        a_ref = decay_to(a1, t1, ref_t, iso)
        for col, name in (("product_amount_nmol", "am"), ("precursor_amount_nmol", "am_apparent")):
            n: Any = r.get(col)
            ok = n is not None and not pd.isna(n) and float(n) > 0
            out[f"{name}_GBq_per_umol"] = molar_activity(a_ref, float(n) * 1e-9) if ok else np.nan
        if rcy > 100.0 + 1e-9:
            qc.append(
                qc_row(
                    "warning", where, f"RCY {rcy:.1f} % exceeds 100 %: check times and activities"
                )
            )
        out.update(status="ok", flags="", message="")
        rows.append(out)
    res = pd.DataFrame(rows)
    summ = []
    from scipy import stats

    for col in ("rcy_pct", "activity_yield_pct", "am_GBq_per_umol", "am_apparent_GBq_per_umol"):
        v = res[col].dropna().to_numpy(float)
        n = v.size
        if n == 0:
            continue
        sd = float(v.std(ddof=1)) if n > 1 else np.nan
        se = sd / math.sqrt(n) if n > 1 else np.nan
        t = float(stats.t.ppf(0.975, n - 1)) if n > 1 else np.nan
        summ.append(
            {
                "quantity": col,
                "n": n,
                "mean": float(v.mean()),
                "sd": sd,
                "se": se,
                "ci_low": float(v.mean()) - t * se,
                "ci_high": float(v.mean()) + t * se,
            }
        )
    summary_table = pd.DataFrame(summ)
    lines = []
    for out in rows:
        line = (
            f"{out['synthesis']}: RCY {out['rcy_pct']:.1f} % (decay-corrected), activity yield "
            f"{out['activity_yield_pct']:.1f} %"
        )
        if np.isfinite(out["am_GBq_per_umol"]):
            line += f", Am {out['am_GBq_per_umol']:.3g} GBq/µmol"
        if np.isfinite(out["am_apparent_GBq_per_umol"]):
            line += f", apparent Am {out['am_apparent_GBq_per_umol']:.3g} GBq/µmol"
        lines.append(line)
    if len(rows) > 1:
        s: Any = summary_table.set_index("quantity").loc["rcy_pct"].to_dict()
        lines.append(
            f"RCY {s['mean']:.1f} ± {s['sd']:.1f} % (mean ± SD, n = {int(s['n'])} syntheses; "
            f"95 % CI {s['ci_low']:.1f}–{s['ci_high']:.1f})"
        )
    return AssayResult(
        assay="radiochem_yield",
        tables={"results": res, "summary": summary_table},
        settings={"reference": reference},
        qc=qc_table(qc),
        summary=lines,
        methods=(
            "Radiochemical yield (RCY) is the product activity decay-corrected to the start of "
            "synthesis as a percentage of the starting activity; activity yield is not "
            "decay-corrected; molar activity Am (GBq/µmol) is the product activity at the stated "
            "time divided by the amount of compound, the apparent Am uses all the precursor "
            "(nomenclature of Coenen et al., Nucl Med Biol 2017); half-lives ICRP-107 (assaykit)."
        ),
        n_statement=f"n = {len(res)} syntheses (independent radiolabellings)",
    )
