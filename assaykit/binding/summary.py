"""IC50 across independent experiments: mean ± SD of logIC50, geometric-mean IC50, and comparisons.

Each independent experiment contributes one logIC50 per compound (DOMAIN §5: n = experiments,
not wells; test logIC50, never IC50). Only fits with status ``ok`` are used; the others are
counted in ``n_excluded`` so that a summary never hides them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

from assaykit.errors import FitError
from assaykit.schema import require_columns

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["compare_experiments", "summarise_experiments", "summarize_experiments"]

_PADJUST = ("holm", "bonf", "sidak", "fdr_bh", "fdr_by", "none")


def _usable(fits: pd.DataFrame, compound: str, experiment: str, stage: str) -> pd.DataFrame:
    import numpy as np

    require_columns(fits, [compound, experiment, "log_ic50", "status"], stage=stage)
    ok = (fits["status"].astype(str) == "ok") & np.isfinite(fits["log_ic50"].astype(float))
    return fits.loc[ok, [compound, experiment, "log_ic50"]].astype({"log_ic50": float})


def summarize_experiments(
    fits: pd.DataFrame,
    *,
    compound: str = "compound",
    experiment: str = "experiment",
    level: float = 0.95,
) -> pd.DataFrame:
    """Mean ± SD of logIC50 per compound over independent experiments, and the geometric-mean IC50.

    Parameters
    ----------
    fits
        One row per compound × experiment (e.g. :func:`assaykit.binding.fit_curves` output with
        ``compound`` and ``experiment`` columns): needs ``log_ic50`` (log10 M) and ``status``.
    compound, experiment
        Column names of the compound and of the independent experiment.
    level
        Level of the interval for the geometric mean (t distribution, n − 1 df).

    Returns
    -------
    pandas.DataFrame
        One row per compound: ``compound``, ``n`` (experiments with an ``ok`` fit),
        ``n_excluded``, ``mean_log_ic50``, ``sd_log_ic50``, ``sem_log_ic50``, ``log_ic50_ci_low``,
        ``log_ic50_ci_high``, ``geomean_ic50`` (= 10^mean, M), ``ic50_ci_low``, ``ic50_ci_high``,
        ``mean_pic50``, ``mean_ic50`` and ``sd_ic50`` (arithmetic, M, as often quoted "42 ± 12 nM");
        with a ``ki`` column also ``n_ki``, ``mean_pki``, ``sd_pki``, ``geomean_ki``,
        ``ki_ci_low``, ``ki_ci_high`` (Ki beside IC50). SD and CI are NaN for n < 2.

    Examples
    --------
    >>> import pandas as pd
    >>> fits = pd.DataFrame({"compound": ["A"] * 3 + ["B"], "experiment": [1, 2, 3, 1],
    ...     "log_ic50": [-7.7, -7.6, -7.5, -8.3], "status": ["ok", "ok", "ok", "ok"]})
    >>> s = summarize_experiments(fits)
    >>> s[["compound", "n", "mean_log_ic50", "sd_log_ic50"]].round(3)
      compound  n  mean_log_ic50  sd_log_ic50
    0        A  3           -7.6          0.1
    1        B  1           -8.3          NaN
    >>> print(f"{s['geomean_ic50'][0] * 1e9:.1f} nM ({s['ic50_ci_low'][0] * 1e9:.1f}–{s['ic50_ci_high'][0] * 1e9:.1f})")
    25.1 nM (14.2–44.5)
    """
    import pandas as pd
    from scipy import stats

    if not 0 < level < 1:
        raise FitError(f"level must be between 0 and 1; got {level}")
    use = _usable(fits, compound, experiment, "experiment summary")
    rows = []
    for name in pd.unique(fits[compound]):
        v = use.loc[use[compound] == name, "log_ic50"].to_numpy()
        n = int(v.size)
        n_all = int((fits[compound] == name).sum())
        mean = float(v.mean()) if n else math.nan
        sd = float(v.std(ddof=1)) if n > 1 else math.nan
        sem = sd / math.sqrt(n) if n > 1 else math.nan
        hw = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sem if n > 1 else math.nan
        ic = 10.0**v
        rows.append(
            {
                compound: name,
                "n": n,
                "n_excluded": n_all - n,
                "mean_log_ic50": mean,
                "sd_log_ic50": sd,
                "sem_log_ic50": sem,
                "log_ic50_ci_low": mean - hw,
                "log_ic50_ci_high": mean + hw,
                "geomean_ic50": 10.0**mean,
                "ic50_ci_low": 10.0 ** (mean - hw),
                "ic50_ci_high": 10.0 ** (mean + hw),
                "mean_pic50": -mean,
                "mean_ic50": float(ic.mean()) if n else math.nan,
                "sd_ic50": float(ic.std(ddof=1)) if n > 1 else math.nan,
                **_ki_summary(fits.loc[use.index[use[compound] == name]], level),
            }
        )
    return pd.DataFrame(rows, columns=list(rows[0]) if rows else [compound, "n", "mean_log_ic50"])


def _ki_summary(rows: pd.DataFrame, level: float) -> dict[str, float]:
    """Ki beside IC50: mean ± SD of pKi over the experiments and the geometric-mean Ki (M)."""
    import numpy as np
    import pandas as pd
    from scipy import stats

    if "ki" not in rows.columns:
        return {}
    ki = pd.to_numeric(rows["ki"], errors="coerce").to_numpy(dtype=float)
    pki = -np.log10(ki[np.isfinite(ki) & (ki > 0)])
    n = int(pki.size)
    if n == 0:
        return {"n_ki": 0, "mean_pki": math.nan, "sd_pki": math.nan, "geomean_ki": math.nan}
    mean = float(pki.mean())
    sd = float(pki.std(ddof=1)) if n > 1 else math.nan
    hw = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / math.sqrt(n) if n > 1 else math.nan
    return {
        "n_ki": n,
        "mean_pki": mean,
        "sd_pki": sd,
        "geomean_ki": 10.0**-mean,
        "ki_ci_low": 10.0 ** -(mean + hw),
        "ki_ci_high": 10.0 ** -(mean - hw),
    }


def _rm_anova_uncorrected(y: Any) -> Any:
    """One-way repeated-measures ANOVA of ``y`` (subjects × conditions), no sphericity correction.

    Examples
    --------
    >>> import numpy as np
    >>> r = _rm_anova_uncorrected(np.array([[1.0, 2.0, 4.0], [2.0, 2.5, 5.0]]))
    >>> round(float(r["F"]), 4), int(r["ddof1"]), int(r["ddof2"])
    (117.0, 2, 2)
    """
    import numpy as np
    import pandas as pd
    from scipy import stats

    n, k = y.shape
    grand = y.mean()
    ss_cond = n * ((y.mean(axis=0) - grand) ** 2).sum()
    ss_subj = k * ((y.mean(axis=1) - grand) ** 2).sum()
    ss_err = ((y - grand) ** 2).sum() - ss_cond - ss_subj
    df1, df2 = k - 1, (k - 1) * (n - 1)
    f = (ss_cond / df1) / (ss_err / df2) if ss_err > 0 else np.inf
    p = float(stats.f.sf(f, df1, df2)) if np.isfinite(f) else 0.0
    return pd.Series({"F": f, "ddof1": df1, "ddof2": df2, "p_unc": p})


def compare_experiments(
    fits: pd.DataFrame,
    *,
    compound: str = "compound",
    experiment: str = "experiment",
    paired: bool | None = None,
    padjust: Literal["holm", "bonf", "sidak", "fdr_bh", "fdr_by", "none"] = "holm",
) -> pd.DataFrame:
    """Compare compounds' logIC50 over independent experiments (pingouin).

    Two compounds: a paired t-test when the compounds were run side by side in the same
    experiments, else Welch's t-test. Three or more: one-way ANOVA (repeated-measures when
    paired) followed by pairwise t-tests (paired, or Welch) with ``padjust`` correction.

    Parameters
    ----------
    fits
        One row per compound × experiment with ``log_ic50`` and ``status`` (only ``ok`` used).
    compound, experiment
        Column names.
    paired
        ``None`` (default): paired when every experiment has an ``ok`` fit of every compound
        and there are at least two experiments; ``True`` requires that.
    padjust
        Multiple-comparison correction of the pairwise tests (pingouin names).

    Returns
    -------
    pandas.DataFrame
        One row per test: ``test`` (``paired t-test``, ``Welch t-test``, ``one-way ANOVA``,
        ``repeated-measures ANOVA``, ``pairwise paired t-test``, ``pairwise Welch t-test``),
        ``a``, ``b`` (compounds; empty for an ANOVA), ``n_a``, ``n_b``, ``diff_log_ic50``
        (mean a − mean b; for paired tests the mean of the differences), ``fold_ic50``
        (10^diff), ``statistic`` (T or F), ``dof``, ``p_unc`` (uncorrected), ``p_adj``, ``padjust``.

    Raises
    ------
    FitError
        Fewer than two compounds with at least two usable experiments each, or ``paired=True``
        when the experiments do not pair up.

    Examples
    --------
    >>> import pandas as pd
    >>> fits = pd.DataFrame({"compound": ["A"] * 3 + ["B"] * 3, "experiment": [1, 2, 3] * 2,
    ...     "log_ic50": [-7.6, -7.5, -7.7, -8.3, -8.1, -8.3], "status": ["ok"] * 6})
    >>> compare_experiments(fits)[["test", "a", "b", "diff_log_ic50", "dof"]].round(3)
                  test  a  b  diff_log_ic50  dof
    0  paired t-test  A  B          0.633  2.0
    """
    import numpy as np
    import pandas as pd
    import pingouin as pg

    if padjust not in _PADJUST:
        raise FitError(f"unknown padjust {padjust!r}; expected one of {', '.join(_PADJUST)}")
    use = _usable(fits, compound, experiment, "experiment comparison")
    counts = use.groupby(compound, sort=False)["log_ic50"].size()
    names = [c for c in pd.unique(fits[compound]) if counts.get(c, 0) >= 2]
    if len(names) < 2:
        raise FitError(
            "comparing compounds needs at least two compounds with an 'ok' fit in two or more experiments each; "
            f"have {', '.join(f'{k}: n={v}' for k, v in counts.items()) or 'none'}"
        )
    use = use[use[compound].isin(names)]
    wide = use.pivot_table(index=experiment, columns=compound, values="log_ic50", aggfunc="mean")[
        names
    ]
    complete = wide.dropna()
    can_pair = len(complete) >= 2 and len(complete) == len(wide)
    if paired is True and not can_pair:
        raise FitError(
            "paired comparison needs every experiment to have an 'ok' fit of every compound"
        )
    is_paired = can_pair if paired is None else bool(paired)

    def _row(
        test: str,
        a: str,
        b: str,
        na: int,
        nb: int,
        diff: float,
        stat: float,
        dof: float,
        p: float,
        p_adj: float,
        adj: str,
    ) -> dict[str, object]:
        return {"test": test, "a": a, "b": b, "n_a": na, "n_b": nb, "diff_log_ic50": diff,
                "fold_ic50": 10.0**diff if np.isfinite(diff) else math.nan, "statistic": float(stat), "dof": float(dof),
                "p_unc": p, "p_adj": p_adj, "padjust": adj}  # fmt: skip

    rows = []
    if len(names) == 2:
        a, b = names
        if is_paired:
            x, y = complete[a].to_numpy(), complete[b].to_numpy()
            r = pg.ttest(x, y, paired=True).iloc[0]
            rows.append(_row("paired t-test", a, b, len(x), len(y), float((x - y).mean()), r["T"], r["dof"],
                             r["p_val"], r["p_val"], "none"))  # fmt: skip
        else:
            x = use.loc[use[compound] == a, "log_ic50"].to_numpy()
            y = use.loc[use[compound] == b, "log_ic50"].to_numpy()
            r = pg.ttest(x, y, paired=False, correction=True).iloc[0]
            rows.append(_row("Welch t-test", a, b, len(x), len(y), float(x.mean() - y.mean()), r["T"], r["dof"],
                             r["p_val"], r["p_val"], "none"))  # fmt: skip
        return pd.DataFrame(rows)

    if is_paired:
        long = complete.reset_index().melt(
            id_vars=experiment, var_name=compound, value_name="log_ic50"
        )
        if len(complete) >= 3:
            aov = pg.rm_anova(data=long, dv="log_ic50", within=compound, subject=experiment).iloc[0]
        else:  # pingouin's sphericity test divides by zero with two subjects
            aov = _rm_anova_uncorrected(complete.to_numpy(dtype=float))
        post = pg.pairwise_tests(
            data=long, dv="log_ic50", within=compound, subject=experiment, padjust=padjust
        )
        omnibus, pair_name = "repeated-measures ANOVA", "pairwise paired t-test"
        n_of = {c: len(complete) for c in names}
    else:
        long = use
        aov = pg.anova(data=long, dv="log_ic50", between=compound).iloc[0]
        post = pg.pairwise_tests(
            data=long, dv="log_ic50", between=compound, padjust=padjust, correction=True
        )
        omnibus, pair_name = "one-way ANOVA", "pairwise Welch t-test"
        n_of = {c: int(counts[c]) for c in names}
    rows.append(_row(omnibus, "", "", len(long), 0, math.nan, aov["F"], aov["ddof2"], aov["p_unc"],
                     aov["p_unc"], "none"))  # fmt: skip
    means = long.groupby(compound)["log_ic50"].mean()
    for _, r in post.iterrows():
        a, b = r["A"], r["B"]
        diff = (
            float((complete[a] - complete[b]).mean()) if is_paired else float(means[a] - means[b])
        )
        p_adj = r["p_corr"] if "p_corr" in r.index and padjust != "none" else r["p_unc"]
        rows.append(
            _row(
                pair_name,
                a,
                b,
                n_of[a],
                n_of[b],
                diff,
                r.get("T", math.nan),
                r.get("dof", math.nan),  # pingouin leaves it out for degenerate data
                r.get("p_unc", math.nan),
                p_adj,
                padjust,
            )
        )
    return pd.DataFrame(rows)


#: British spelling, kept as an alias for one release (the API spells it the American way).
summarise_experiments = summarize_experiments
