"""Statistics of an uptake time course (pingouin): Welch t-tests per time point and two-way ANOVA."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from assaykit.errors import AssaykitError, LayoutError

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import ArrayLike

__all__ = ["PADJUST", "compare_conditions", "two_way_anova", "welch_ci"]

#: Multiple-comparison corrections accepted (pingouin.multicomp names).
PADJUST = ("holm", "bonf", "sidak", "fdr_bh", "fdr_by", "none")
TESTED = ("surface_pct", "internalized_pct", "cell_associated_pct")


def welch_ci(x: ArrayLike, y: ArrayLike, level: float = 0.95) -> tuple[float, float]:
    """Confidence interval of ``mean(x) − mean(y)`` of Welch's t-test, unrounded (R ``t.test``).

    ``diff ± t((1+level)/2, ν) · SE`` with ``SE = √(s²ₓ/nₓ + s²ᵧ/nᵧ)`` and the
    Welch–Satterthwaite ``ν``.

    Examples
    --------
    >>> lo, hi = welch_ci([6.1, 5.8, 6.4], [0.5, 0.7, 0.4])
    >>> round(lo, 6), round(hi, 6)  # R: t.test(c(6.1, 5.8, 6.4), c(0.5, 0.7, 0.4))$conf.int
    (4.944767, 6.188566)
    """
    import numpy as np
    from scipy import stats

    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    vx, vy = xa.var(ddof=1) / xa.size, ya.var(ddof=1) / ya.size
    se = float(np.sqrt(vx + vy))
    dof = (vx + vy) ** 2 / (vx**2 / (xa.size - 1) + vy**2 / (ya.size - 1))
    half = float(stats.t.ppf(0.5 + level / 2, dof)) * se
    diff = float(xa.mean() - ya.mean())
    return diff - half, diff + half


def compare_conditions(
    wells: pd.DataFrame,
    *,
    tracer: str = "tracer",
    blocked: str = "blocked",
    quantities: Sequence[str] = TESTED,
    padjust: str = "holm",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Welch's unpaired t-test tracer vs blocked at each time point, p adjusted across times.

    The family corrected for multiple comparisons is the set of time points of one quantity of
    one compound (``padjust``: Holm by default; see :data:`PADJUST`). A time point with fewer
    than two wells in a condition is not tested (``p`` NaN, note ``not tested: n < 2``).

    Returns
    -------
    ``compound, quantity, time_min, n_tracer, n_blocked, mean_tracer, mean_blocked, diff,
    t, dof, p_unc, p_adj, padjust, significant, ci95_low, ci95_high, cohen_d, test, note``.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"compound": "", "time_min": 60.0, "replicate": [1, 2, 3] * 2,
    ...                   "condition": ["tracer"] * 3 + ["blocked"] * 3,
    ...                   "internalized_pct": [6.1, 5.8, 6.4, 0.5, 0.7, 0.4]})
    >>> r = compare_conditions(w, quantities=["internalized_pct"])
    >>> r[["n_tracer", "n_blocked", "diff"]].round(3).to_dict("records")
    [{'n_tracer': 3, 'n_blocked': 3, 'diff': 5.567}]
    """
    import numpy as np
    import pandas as pd
    import pingouin as pg

    if padjust not in PADJUST:
        raise AssaykitError(
            f"unknown p-value adjustment {padjust!r}; expected one of {', '.join(PADJUST)}"
        )
    conds = set(wells["condition"])
    for c in (tracer, blocked):
        if c not in conds:
            raise LayoutError(
                f"the comparison needs condition {c!r}; the layout has {sorted(conds)}"
            )
    rows = []
    for q in (q for q in quantities if q in wells.columns):
        for (comp, time), g in wells.groupby(["compound", "time_min"], sort=True):
            x = g.loc[g["condition"] == tracer, q].dropna().to_numpy(dtype=float)
            y = g.loc[g["condition"] == blocked, q].dropna().to_numpy(dtype=float)
            row = {
                "compound": comp,
                "quantity": q,
                "time_min": time,
                "n_tracer": len(x),
                "n_blocked": len(y),
                "mean_tracer": x.mean() if len(x) else np.nan,
                "mean_blocked": y.mean() if len(y) else np.nan,
                "t": np.nan,
                "dof": np.nan,
                "p_unc": np.nan,
                "ci95_low": np.nan,
                "ci95_high": np.nan,
                "cohen_d": np.nan,
                "note": "",
            }
            row["diff"] = float(x.mean() - y.mean()) if len(x) and len(y) else np.nan
            if len(x) < 2 or len(y) < 2:
                row["note"] = "not tested: n < 2"
            elif np.ptp(x) == 0 and np.ptp(y) == 0:
                row["note"] = "not tested: no variance"
            else:
                res = pg.ttest(x, y, paired=False, correction=True)
                r = res.iloc[0]
                # pingouin rounds its CI to 2 decimals: diff ± t·SE computed exactly instead
                low, high = welch_ci(x, y, 0.95)
                row.update(
                    t=float(r["T"]),
                    dof=float(r["dof"]),
                    p_unc=float(r["p_val"]),
                    ci95_low=low,
                    ci95_high=high,
                    cohen_d=float(r["cohen_d"]),
                )
            rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["p_adj"] = np.nan
    for _, idx in out.groupby(["compound", "quantity"]).groups.items():
        p = out.loc[idx, "p_unc"]
        ok = p.notna()
        if ok.any():
            if padjust == "none":
                adj = p[ok].to_numpy()
            else:
                _, adj = pg.multicomp(p[ok].to_numpy(), alpha=alpha, method=padjust)
            out.loc[p[ok].index, "p_adj"] = adj
    out["padjust"] = padjust
    out["significant"] = out["p_adj"] < alpha
    out["test"] = "Welch t-test (pingouin.ttest, correction=True), two-sided"
    cols = [
        "compound", "quantity", "time_min", "n_tracer", "n_blocked", "mean_tracer",
        "mean_blocked", "diff", "t", "dof", "p_unc", "p_adj", "padjust", "significant",
        "ci95_low", "ci95_high", "cohen_d", "test", "note",
    ]  # fmt: skip
    return out[cols]


def two_way_anova(
    wells: pd.DataFrame,
    *,
    quantities: Sequence[str] = TESTED,
    ss_type: int = 2,
) -> pd.DataFrame:
    """Two-way ANOVA ``quantity ~ time × condition`` per compound (pingouin.anova).

    Time is a categorical factor. Sum of squares type ``ss_type`` (2 by default; balanced
    designs give the same for every type).

    Returns
    -------
    ``compound, quantity, source, SS, DF, MS, F, p_unc, np2`` (``source`` ∈ time_min, condition,
    time_min * condition, Residual).

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"compound": "", "time_min": [5.0] * 4 + [60.0] * 4,
    ...                   "condition": ["tracer", "tracer", "blocked", "blocked"] * 2,
    ...                   "internalized_pct": [1.0, 1.2, 0.2, 0.3, 6.0, 6.5, 0.4, 0.5]})
    >>> two_way_anova(w, quantities=["internalized_pct"])["source"].tolist()
    ['time_min', 'condition', 'time_min * condition', 'Residual']
    """
    import pandas as pd
    import pingouin as pg

    frames = []
    for q in (q for q in quantities if q in wells.columns):
        for comp, g in wells.groupby("compound", sort=True):
            d = g[["time_min", "condition", q]].dropna()
            if d["time_min"].nunique() < 2 or d["condition"].nunique() < 2:
                continue
            cells = d.groupby(["time_min", "condition"]).size()
            if len(cells) < d["time_min"].nunique() * d["condition"].nunique():
                continue
            d = d.assign(time_min=d["time_min"].astype(str))
            res = pg.anova(data=d, dv=q, between=["time_min", "condition"], ss_type=ss_type)
            res = res.rename(columns={"Source": "source"})
            res.insert(0, "quantity", q)
            res.insert(0, "compound", comp)
            frames.append(res)
    if not frames:
        return pd.DataFrame(
            columns=["compound", "quantity", "source", "SS", "DF", "MS", "F", "p_unc", "np2"]
        )
    return pd.concat(frames, ignore_index=True)
