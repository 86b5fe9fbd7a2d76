"""Group comparisons per organ: Welch t-tests with Holm across organs, or one-way ANOVA.

Each comparison (e.g. ``blocked`` vs ``control`` at 1 h p.i.) is tested in every organ; the
family corrected for multiple comparisons is the set of organs of that comparison. Welch's t,
its Welch–Satterthwaite df and p come from ``pingouin.ttest``; the 95 % CI of the difference is
computed exactly (``diff ± t(0.975, df) · sqrt(s1²/n1 + s2²/n2)``), not taken from pingouin's
rounded ``CI95``. Groups with fewer than 5 animals are tested but reported in QC (journals
such as BJP ask n ≥ 5 per group before inferential statistics); n < 2 is not tested.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assaykit._typing import GroupTest, PAdjust
from assaykit.errors import AssaykitError, LayoutError
from assaykit.result import qc_row

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["compare_groups"]

MIN_N = 5


def _adjust(p: pd.Series, method: str, alpha: float) -> pd.Series:
    import pingouin as pg

    ok = p.notna()
    out = p.copy() * float("nan")
    if ok.any():
        vals = p[ok].to_numpy(dtype=float)
        out[ok] = vals if method == "none" else pg.multicomp(vals, alpha=alpha, method=method)[1]
    return out


def compare_groups(
    long: pd.DataFrame,
    *,
    reference_group: str | None = None,
    test: GroupTest = "welch",
    padjust: PAdjust = "holm",
    alpha: float = 0.05,
    quantity: str = "pct_ia_per_g",
) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """Compare groups per organ and time point on ``quantity`` (animals left out excluded).

    Parameters
    ----------
    long
        The long table (:func:`assaykit.biodistribution.tables.organ_values`).
    reference_group
        The group every other group is compared with (Welch); default the first group.
    test
        ``"welch"`` (each group vs the reference), ``"anova"`` (one-way ANOVA across all groups
        at a time point, pingouin), ``"none"``.
    padjust
        Correction across organs (pingouin.multicomp names).

    Returns
    -------
    Welch: ``time_pi_min, organ, group, reference_group, n, n_reference, mean, mean_reference,
    diff, ratio`` (mean / mean of the reference group), ``diff_ci_low, diff_ci_high, t, dof, p_unc, p_adj, padjust, significant, test, note``;
    ANOVA: ``time_pi_min, organ, groups, n_total, F, df_between, df_within, p_unc, p_adj,
    padjust, significant, test, note``. And QC rows (n < 5).

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"animal": list("abcdef"), "group": ["c"] * 3 + ["b"] * 3,
    ...     "time_pi_min": 60.0, "organ": "tumor", "status": "ok",
    ...     "pct_ia_per_g": [16.0, 14.0, 18.0, 2.0, 2.5, 1.5]})
    >>> res, qc = compare_groups(long)
    >>> res[["group", "reference_group", "diff", "dof"]].round(3).values.tolist()
    [['b', 'c', -14.0, 2.249]]
    >>> len(qc)
    2
    """
    import numpy as np
    import pandas as pd
    import pingouin as pg
    from scipy import stats

    if test not in ("welch", "anova", "none"):
        raise AssaykitError(f"unknown test {test!r}; expected 'welch', 'anova' or 'none'")
    used = long[long["status"] == "ok"]
    groups = list(dict.fromkeys(long["group"]))
    qc: list[dict[str, str]] = []
    if test == "none" or len(groups) < 2:
        return pd.DataFrame(), qc
    counts: dict[Any, int] = used.groupby(["group", "time_pi_min"])["animal"].nunique().to_dict()
    for (g, t), n in counts.items():
        if n < MIN_N:
            qc.append(
                qc_row(
                    "warning",
                    f"group {g}, {t:g} min p.i.",
                    f"n = {n} animals (< {MIN_N}): statistics reported, interpret with care",
                )
            )
    rows = []
    if test == "welch":
        ref = reference_group if reference_group is not None else groups[0]
        if ref not in groups:
            raise LayoutError(
                f"reference group {ref!r} is not in the layout (groups: {', '.join(groups)})"
            )
        for (time, organ), d in used.groupby(["time_pi_min", "organ"], sort=False):
            y = d.loc[d["group"] == ref, quantity].dropna().to_numpy(float)
            for g in (g for g in groups if g != ref):
                x = d.loc[d["group"] == g, quantity].dropna().to_numpy(float)
                if not len(x):
                    continue
                row = {
                    "time_pi_min": time,
                    "organ": organ,
                    "group": g,
                    "reference_group": ref,
                    "n": len(x),
                    "n_reference": len(y),
                    "mean": x.mean(),
                    "mean_reference": y.mean() if len(y) else np.nan,
                }
                row["diff"] = row["mean"] - row["mean_reference"]
                row["ratio"] = (
                    row["mean"] / row["mean_reference"] if row["mean_reference"] else np.nan
                )
                row.update(
                    diff_ci_low=np.nan,
                    diff_ci_high=np.nan,
                    t=np.nan,
                    dof=np.nan,
                    p_unc=np.nan,
                    note="",
                )
                if len(x) < 2 or len(y) < 2:
                    row["note"] = "not tested: n < 2"
                elif np.ptp(x) == 0 and np.ptp(y) == 0:
                    row["note"] = "not tested: no variance"
                else:
                    r = pg.ttest(x, y, paired=False, correction=True).iloc[0]
                    se = np.sqrt(x.var(ddof=1) / len(x) + y.var(ddof=1) / len(y))
                    half = stats.t.ppf(0.975, float(r["dof"])) * se
                    row.update(
                        t=float(r["T"]),
                        dof=float(r["dof"]),
                        p_unc=float(r["p_val"]),
                        diff_ci_low=row["diff"] - half,
                        diff_ci_high=row["diff"] + half,
                    )
                rows.append(row)
        out = pd.DataFrame(rows)
        family = ["time_pi_min", "group"]
        label = "Welch two-sample t-test, two-sided (pingouin.ttest, correction=True); exact t-based 95 % CI of the difference"
    else:
        for (time, organ), d in used.groupby(["time_pi_min", "organ"], sort=False):
            d = d[["group", quantity]].dropna()
            sizes = d.groupby("group").size()
            row = {
                "time_pi_min": time,
                "organ": organ,
                "groups": ", ".join(sizes.index),
                "n_total": int(sizes.sum()),
                "F": np.nan,
                "df_between": np.nan,
                "df_within": np.nan,
                "p_unc": np.nan,
                "note": "",
            }
            if len(sizes) < 2 or (sizes < 2).any():
                row["note"] = "not tested: < 2 groups with n ≥ 2"
            else:
                a = pg.anova(data=d, dv=quantity, between="group", detailed=True)
                row.update(
                    F=float(a["F"].iloc[0]),
                    df_between=float(a["DF"].iloc[0]),
                    df_within=float(a["DF"].iloc[1]),
                    p_unc=float(a["p_unc"].iloc[0]),
                )
            rows.append(row)
        out = pd.DataFrame(rows)
        family = ["time_pi_min"]
        label = "one-way ANOVA across groups (pingouin.anova)"
    if out.empty:
        return out, qc
    out["p_adj"] = np.nan
    for _, part in out.groupby(family, sort=False):
        out.loc[part.index, "p_adj"] = _adjust(part["p_unc"], padjust, alpha)
    out["padjust"] = f"{padjust} across organs"
    out["significant"] = out["p_adj"] < alpha
    out["test"] = label
    note = out.pop("note")
    out["note"] = note
    return out, qc
