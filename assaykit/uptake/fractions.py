"""Per-well fractions as % of applied activity (DOMAIN §2.2).

With S = supernatant (+ washes), A = acid wash (surface-bound), L = lysate (internalized) and
T = applied activity (mean of the standard tubes), all net and decay-corrected:

- ``surface_pct = 100·A/T``, ``internalized_pct = 100·L/T``,
  ``cell_associated_pct = 100·(A + L)/T`` (same well), ``supernatant_pct = 100·S/T``;
- ``internalized_of_bound_pct = 100·L/(A + L)``;
- ``mass_balance = (S + A + L)/T``, flagged outside 0.9–1.1 (configurable);
- per 10^6 cells: ``X·10^6/N_cells``; per mg protein: ``X/protein_mg``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from assaykit.errors import LayoutError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FRACTIONS", "QUANTITIES", "WELL_KEYS", "per_well"]

FRACTIONS = ("supernatant", "surface", "internalized")
#: Keys that identify one well (``compound`` is ``''`` when the layout has none).
WELL_KEYS = ["compound", "condition", "time_min", "replicate"]
#: Per-well quantities summarised and tested.
QUANTITIES = (
    "surface_pct",
    "internalized_pct",
    "cell_associated_pct",
    "internalized_of_bound_pct",
    "supernatant_pct",
    "mass_balance",
)


def _text(s: pd.Series) -> pd.Series:
    return s.fillna("").astype(str).str.strip()


def _applied(tubes: pd.DataFrame, keys: list[tuple[str, str]]) -> pd.DataFrame:
    """Mean corrected CPM of the standards per (compound, condition).

    The template assigns standards to a condition (and a compound) when they differ: a well uses
    the standards of its own compound and condition; standards that name no condition (or no
    compound) serve every condition (or compound). Standards assigned to other conditions are
    never averaged in: an error names the condition that has none.
    """
    import pandas as pd

    std = tubes[tubes["role"] == "standard"].copy()
    std["condition"] = _text(std["condition"]) if "condition" in std.columns else ""
    rows = []
    for comp, cond in keys:
        used = std.iloc[0:0]
        for c_ok, k_ok in ((comp, cond), (comp, ""), ("", cond), ("", "")):
            if comp == "" and c_ok != "":
                continue
            used = std[(std["compound"] == c_ok) & (std["condition"] == k_ok)]
            if len(used):
                break
        if comp == "" and not len(used) and not (std["condition"] != "").any():
            used = std
        if not len(used):
            have = sorted(
                {
                    f"{c or '(no compound)'}/{k or '(every condition)'}"
                    for c, k in zip(std["compound"], std["condition"], strict=True)
                }
            )
            raise LayoutError(
                f"no applied-activity standard (role 'standard') for compound {comp or '(none)'}, "
                f"condition {cond!r}"
                + (f"; standards exist for {', '.join(have)}" if have else "")
                + "; expected the standard tubes (3 aliquots of the applied volume) of that "
                "condition in the layout, or applied='sum' to use S + A + L of each well"
            )
        v = used["corrected_cpm"]
        if not v.mean() > 0:
            tubes_named = ", ".join(map(str, used.get("tube", used.index)))
            raise LayoutError(
                f"the applied-activity standards ({tubes_named}) read {v.mean():.4g} CPM after "
                "background subtraction; expected clearly positive counts (are they the right tubes?)"
            )
        rows.append(
            {
                "compound": comp,
                "condition": cond,
                "applied_cpm": v.mean(),
                "applied_sd": v.std(ddof=1) if len(v) > 1 else float("nan"),
                "applied_n": len(v),
            }
        )
    return pd.DataFrame(
        rows, columns=["compound", "condition", "applied_cpm", "applied_sd", "applied_n"]
    )


def per_well(
    tubes: pd.DataFrame,
    *,
    applied: Literal["standards", "sum"] = "standards",
    mass_balance_range: tuple[float, float] = (0.9, 1.1),
    cells_per_well: float | None = None,
) -> pd.DataFrame:
    """One row per well (compound × condition × time × replicate) with its fractions in %.

    Parameters
    ----------
    tubes
        Output of :func:`~assaykit.uptake.corrections.correct_tubes` (needs ``corrected_cpm``,
        ``role``, ``fraction``, ``time_min``, ``condition``, ``replicate``).
    applied
        ``'standards'``: T = mean of the standard tubes (per compound and per condition when the
        standards name them; standards of another condition are never averaged in);
        ``'sum'``: T = S + A + L of each well (mass balance is then 1 by construction → NaN).
    mass_balance_range
        Accepted range of (S + A + L)/T.
    cells_per_well
        Cell number per well when the layout has no ``cells_per_well`` column (default: the
        experiment sheet's ``cells_per_well``).

    Returns
    -------
    DataFrame with ``compound, condition, time_min, replicate``, the corrected CPM of each
    fraction (``supernatant_cpm``, ``surface_cpm``, ``internalized_cpm``; a fraction split over
    several supernatant/wash tubes is summed), ``applied_cpm``, ``applied_n``, the quantities
    of :data:`QUANTITIES`, per-cell / per-protein variants when known, and ``flags``.

    Examples
    --------
    DOMAIN §6 #13: A = 2000, L = 6000, S = 92000 cpm, standard 100 000 cpm.

    >>> import pandas as pd
    >>> tubes = pd.DataFrame({
    ...     "role": ["standard", "sample", "sample", "sample"],
    ...     "fraction": ["", "supernatant", "surface", "internalized"],
    ...     "condition": ["", "tracer", "tracer", "tracer"], "time_min": [None, 60, 60, 60],
    ...     "replicate": [1, 1, 1, 1], "corrected_cpm": [100000.0, 92000.0, 2000.0, 6000.0],
    ...     "flags": [""] * 4})
    >>> w = per_well(tubes)
    >>> w[["surface_pct", "internalized_pct", "cell_associated_pct",
    ...    "internalized_of_bound_pct", "mass_balance"]].round(2).to_dict("records")
    [{'surface_pct': 2.0, 'internalized_pct': 6.0, 'cell_associated_pct': 8.0, 'internalized_of_bound_pct': 75.0, 'mass_balance': 1.0}]
    """
    import numpy as np
    import pandas as pd

    from assaykit.schema import join_flag_columns as join_flags
    from assaykit.schema import require_columns

    require_columns(
        tubes,
        ["role", "fraction", "time_min", "condition", "replicate", "corrected_cpm"],
        stage="uptake fractions",
    )
    experiment = tubes.attrs.get("experiment") or {}
    t = tubes.copy()
    t.attrs = {}  # pandas deep-copies attrs on every operation
    t["role"] = _text(t["role"])
    t["compound"] = _text(t["compound"]) if "compound" in t.columns else ""
    if "flags" not in t.columns:
        t["flags"] = ""
    samples = t[t["role"] == "sample"].copy()
    if samples.empty:
        raise LayoutError(
            "the layout marks no tube as role 'sample'; expected sample tubes with a fraction"
        )
    samples["fraction"] = _text(samples["fraction"])
    samples["condition"] = _text(samples["condition"])
    label = samples["tube"] if "tube" in samples.columns else samples.index.astype(str)
    bad = ~samples["fraction"].isin(FRACTIONS)
    if bad.any():
        raise LayoutError(
            f"sample tube(s) {', '.join(map(str, label[bad][:6]))} have fraction "
            f"{sorted(set(samples.loc[bad, 'fraction']))}; expected one of {', '.join(FRACTIONS)}"
        )
    samples["time_min"] = pd.to_numeric(samples["time_min"], errors="coerce")
    for col, what in (
        ("time_min", "an incubation time (min)"),
        ("replicate", "a replicate number"),
    ):
        miss = samples[col].isna()
        if miss.any():
            raise LayoutError(f"sample tube(s) {', '.join(map(str, label[miss][:6]))} lack {what}")
    miss = samples["condition"] == ""
    if miss.any():
        raise LayoutError(
            f"sample tube(s) {', '.join(map(str, label[miss][:6]))} lack a condition (e.g. tracer, blocked)"
        )
    samples["replicate"] = samples["replicate"].astype(int)
    dup = samples[samples["fraction"] != "supernatant"].duplicated(
        WELL_KEYS + ["fraction"], keep=False
    )
    if dup.any():
        which = samples[samples["fraction"] != "supernatant"][dup]
        raise LayoutError(
            f"tubes {', '.join(map(str, which.get('tube', which.index)[:6]))} are the same well and "
            "fraction (compound, condition, time, replicate); expected one surface and one "
            "internalized tube per well (only supernatant + washes may be split)"
        )
    grouped = samples.groupby(WELL_KEYS + ["fraction"], sort=True)["corrected_cpm"]
    wide = grouped.sum(min_count=1).unstack("fraction").reindex(columns=list(FRACTIONS))
    wide = wide.dropna(how="all")
    wide.columns = [f"{c}_cpm" for c in wide.columns]
    w = wide.reset_index()
    S, A, L = (w[f"{f}_cpm"].to_numpy(dtype=float) for f in FRACTIONS)
    if applied == "standards":
        keys = sorted(set(zip(w["compound"], w["condition"], strict=True)))
        app = _applied(t, keys)
        w = w.merge(app, on=["compound", "condition"], how="left")
        T = w["applied_cpm"].to_numpy(dtype=float)
    elif applied == "sum":
        T = S + A + L
        w["applied_cpm"], w["applied_sd"], w["applied_n"] = T, np.nan, 0
    else:
        raise LayoutError(f"applied must be 'standards' or 'sum', got {applied!r}")
    with np.errstate(divide="ignore", invalid="ignore"):
        w["surface_pct"] = 100 * A / T
        w["internalized_pct"] = 100 * L / T
        w["cell_associated_pct"] = 100 * (A + L) / T
        w["internalized_of_bound_pct"] = 100 * L / (A + L)
        w["supernatant_pct"] = 100 * S / T
        w["mass_balance"] = (S + A + L) / T if applied == "standards" else np.nan
    lo, hi = mass_balance_range
    mb = w["mass_balance"]
    # per cells / per protein, from layout columns or the experiment sheet
    cells = cells_per_well if cells_per_well is not None else experiment.get("cells_per_well")
    for col, default in (("cells_per_well", cells), ("protein_mg", None)):
        if col in samples.columns:
            per = (
                pd.to_numeric(samples[col], errors="coerce")
                .groupby([samples[k] for k in WELL_KEYS])
                .first()
            )
            w[col] = per.reindex(pd.MultiIndex.from_frame(w[WELL_KEYS])).to_numpy()
            if default is not None:
                w[col] = w[col].fillna(float(default))
        elif default is not None and not pd.isna(default):
            w[col] = float(default)
    base = ("surface_pct", "internalized_pct", "cell_associated_pct")
    if "cells_per_well" in w.columns and w["cells_per_well"].notna().any():
        for q in base:
            w[f"{q}_per_1e6_cells"] = w[q] * 1e6 / w["cells_per_well"]
    if "protein_mg" in w.columns and w["protein_mg"].notna().any():
        for q in base:
            w[f"{q}_per_mg_protein"] = w[q] / w["protein_mg"]
    # flags: negative fractions, mass balance, missing fractions, tube flags
    flagged = samples[samples["flags"].fillna("") != ""]
    tube_flags = (
        (flagged["fraction"] + ":" + flagged["flags"])
        .groupby([flagged[k] for k in WELL_KEYS])
        .agg(";".join)
    )
    flags = [
        pd.Series(np.where(A < 0, "negative_surface", ""), index=w.index),
        pd.Series(np.where(L < 0, "negative_internalized", ""), index=w.index),
        pd.Series(np.where(np.isnan(A), "missing_surface", ""), index=w.index),
        pd.Series(np.where(np.isnan(L), "missing_internalized", ""), index=w.index),
        pd.Series(
            np.where(mb.notna() & ((mb < lo) | (mb > hi)), "mass_balance", ""), index=w.index
        ),
        pd.Series(
            tube_flags.reindex(pd.MultiIndex.from_frame(w[WELL_KEYS])).fillna("").to_numpy(),
            index=w.index,
        ),
    ]
    w["flags"] = join_flags(*flags)
    return w.sort_values(WELL_KEYS, kind="stable").reset_index(drop=True)


def well_values_long(wells: pd.DataFrame, quantities: Any = None) -> pd.DataFrame:
    """Per-well quantities in long form: ``compound, condition, time_min, replicate, quantity, value``."""
    q = [c for c in (quantities or QUANTITIES) if c in wells.columns]
    long = wells.melt(id_vars=WELL_KEYS, value_vars=q, var_name="quantity", value_name="value")
    return long
