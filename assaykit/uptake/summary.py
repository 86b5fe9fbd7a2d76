"""Replicate summaries, specific uptake (tracer − blocked) and % of a reference compound."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from assaykit.errors import LayoutError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["percent_of_reference", "specific_uptake", "summarize"]

GROUP = ["compound", "condition", "time_min", "quantity"]


def summarize(wells: pd.DataFrame, quantities: Sequence[str] | None = None) -> pd.DataFrame:
    """Mean, SD (n − 1), SEM and n of each quantity per compound × condition × time.

    Wells whose value is NaN (e.g. a missing fraction) are not counted in ``n``. A group with
    ``n < 2`` has SD and SEM NaN and the flag ``single_replicate``.

    Returns
    -------
    ``compound, condition, time_min, quantity, n, mean, sd, sem, cv_pct, flags``.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"compound": "", "condition": "tracer", "time_min": [5.0, 5.0, 5.0, 15.0],
    ...                   "replicate": [1, 2, 3, 1], "internalized_pct": [1.0, 2.0, 3.0, 4.0]})
    >>> summarize(w, ["internalized_pct"])[["time_min", "n", "mean", "sd", "sem", "flags"]]
       time_min  n  mean   sd       sem             flags
    0       5.0  3   2.0  1.0  0.57735
    1      15.0  1   4.0  NaN      NaN  single_replicate
    """
    import numpy as np

    from assaykit.uptake.fractions import QUANTITIES, well_values_long

    long = well_values_long(wells, quantities or QUANTITIES).dropna(subset=["value"])
    g = long.groupby(GROUP, sort=True)["value"]
    out = g.agg(n="count", mean="mean", sd=lambda v: v.std(ddof=1)).reset_index()
    out["sd"] = out["sd"].where(out["n"] >= 2)
    out["sem"] = out["sd"] / np.sqrt(out["n"])
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cv_pct"] = 100 * out["sd"] / out["mean"].abs()
    out["flags"] = np.where(out["n"] < 2, "single_replicate", "")
    return out


def specific_uptake(
    summary: pd.DataFrame, *, tracer: str = "tracer", blocked: str = "blocked"
) -> pd.DataFrame:
    """Specific uptake ``tracer − blocked`` per compound × time × quantity, on the means.

    ``SD = sqrt(SD_t² + SD_b²)`` (independent groups, DOMAIN §2.2); a time point lacking one of
    the two conditions is left out. Ratios, the supernatant and the mass balance are not differenced.

    Returns
    -------
    ``compound, time_min, quantity, tracer_mean, tracer_sd, n_tracer, blocked_mean,
    blocked_sd, n_blocked, specific_mean, specific_sd, flags`` (``single_replicate``;
    ``negative_specific`` when the blocked wells took up more than the tracer wells).

    Examples
    --------
    DOMAIN §6 #14: total 8 %, blocked 0.5 % → specific 7.5 %.

    >>> import pandas as pd
    >>> s = pd.DataFrame({"compound": "", "condition": ["tracer", "blocked"], "time_min": 60.0,
    ...                   "quantity": "internalized_pct", "n": 3, "mean": [8.0, 0.5],
    ...                   "sd": [0.3, 0.4], "flags": ""})
    >>> specific_uptake(s)[["specific_mean", "specific_sd"]].to_dict("records")
    [{'specific_mean': 7.5, 'specific_sd': 0.5}]
    """
    import numpy as np
    import pandas as pd

    conds = set(summary["condition"])
    for c in (tracer, blocked):
        if c not in conds:
            raise LayoutError(
                f"specific uptake needs condition {c!r}; the layout has {sorted(conds)} "
                "(set tracer=/blocked= to the names used)"
            )
    keep = ~summary["quantity"].isin(
        ["internalized_of_bound_pct", "mass_balance", "supernatant_pct"]
    )
    s = summary[keep]
    key = ["compound", "time_min", "quantity"]
    cols = ["mean", "sd", "n", "flags"]
    t = s[s["condition"] == tracer][key + cols].rename(columns={c: f"tracer_{c}" for c in cols})
    b = s[s["condition"] == blocked][key + cols].rename(columns={c: f"blocked_{c}" for c in cols})
    out = t.merge(b, on=key, how="inner")
    out["specific_mean"] = out["tracer_mean"] - out["blocked_mean"]
    out["specific_sd"] = np.sqrt(out["tracer_sd"] ** 2 + out["blocked_sd"] ** 2)
    out = out.rename(columns={"tracer_n": "n_tracer", "blocked_n": "n_blocked"})
    from assaykit.schema import join_flag_columns as join_flags

    single = (out["tracer_flags"] != "") | (out["blocked_flags"] != "")
    out["flags"] = join_flags(
        pd.Series(np.where(single, "single_replicate", ""), index=out.index),
        pd.Series(np.where(out["specific_mean"] < 0, "negative_specific", ""), index=out.index),
    )
    out = out.drop(columns=["tracer_flags", "blocked_flags"])
    return out.sort_values(key, kind="stable").reset_index(drop=True)


def percent_of_reference(
    specific: pd.DataFrame, reference: str, *, quantity: str = "internalized_pct"
) -> pd.DataFrame:
    """``100 · specific_test / specific_reference`` at each time point (same experiment).

    Examples
    --------
    DOMAIN §6 #14: specific 7.5 % against a reference with 5 % → 150 %.

    >>> import pandas as pd
    >>> sp = pd.DataFrame({"compound": ["test", "ref"], "time_min": 60.0,
    ...                    "quantity": "internalized_pct", "specific_mean": [7.5, 5.0],
    ...                    "specific_sd": [0.5, 0.2]})
    >>> percent_of_reference(sp, "ref")[["compound", "pct_of_reference"]].to_dict("records")
    [{'compound': 'ref', 'pct_of_reference': 100.0}, {'compound': 'test', 'pct_of_reference': 150.0}]
    """
    import numpy as np

    s = specific[specific["quantity"] == quantity]
    if reference not in set(s["compound"]):
        raise LayoutError(
            f"reference compound {reference!r} not found; compounds: {sorted(set(s['compound']))}"
        )
    ref = s[s["compound"] == reference].set_index("time_min")
    out = s[["compound", "time_min", "quantity", "specific_mean", "specific_sd"]].copy()
    r_mean = out["time_min"].map(ref["specific_mean"])
    r_sd = out["time_min"].map(ref["specific_sd"])
    out["reference_mean"] = r_mean
    out["pct_of_reference"] = 100 * out["specific_mean"] / r_mean
    # relative errors add in quadrature (independent test and reference)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.sqrt((out["specific_sd"] / out["specific_mean"]) ** 2 + (r_sd / r_mean) ** 2)
    out["pct_of_reference_sd"] = (out["pct_of_reference"] * rel).abs()
    return out.sort_values(["compound", "time_min"], kind="stable").reset_index(drop=True)
