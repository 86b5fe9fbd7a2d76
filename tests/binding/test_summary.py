"""Summaries and comparisons across experiments, checked against scipy run by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from assaykit.binding.summary import compare_experiments, summarise_experiments
from assaykit.errors import FitError, SchemaError

A = [-7.62, -7.41, -7.55, -7.70]
B = [-8.31, -8.20, -8.35, -8.12]
C = [-6.40, -6.62, -6.55, -6.31]


def _fits(groups: dict[str, list[float]], status=None) -> pd.DataFrame:
    rows = []
    for name, vals in groups.items():
        for i, v in enumerate(vals, start=1):
            rows.append({"compound": name, "experiment": f"E{i}", "log_ic50": v, "status": "ok"})
    df = pd.DataFrame(rows)
    if status:
        for (name, exp), st in status.items():
            df.loc[(df.compound == name) & (df.experiment == exp), "status"] = st
    return df


def test_summary_matches_hand_computation():
    s = summarise_experiments(_fits({"A": A, "B": B})).set_index("compound")
    a = np.array(A)
    sem = a.std(ddof=1) / math.sqrt(4)
    t = stats.t.ppf(0.975, 3)
    assert s.loc["A", "n"] == 4
    assert s.loc["A", "mean_log_ic50"] == pytest.approx(a.mean())
    assert s.loc["A", "sd_log_ic50"] == pytest.approx(a.std(ddof=1))
    assert s.loc["A", "geomean_ic50"] == pytest.approx(stats.gmean(10**a))
    assert s.loc["A", "ic50_ci_low"] == pytest.approx(10 ** (a.mean() - t * sem))
    assert s.loc["A", "ic50_ci_high"] == pytest.approx(10 ** (a.mean() + t * sem))
    assert s.loc["A", "mean_ic50"] == pytest.approx(np.mean(10**a))
    assert s.loc["A", "mean_pic50"] == pytest.approx(-a.mean())


def test_summary_leaves_out_failed_fits_and_counts_them():
    fits = _fits({"A": A}, status={("A", "E2"): "no_inhibition"})
    s = summarise_experiments(fits).iloc[0]
    assert s["n"] == 3 and s["n_excluded"] == 1
    assert s["mean_log_ic50"] == pytest.approx(np.mean([A[0], A[2], A[3]]))


def test_two_compounds_paired_matches_scipy():
    out = compare_experiments(_fits({"A": A, "B": B})).iloc[0]
    ref = stats.ttest_rel(A, B)
    assert out["test"] == "paired t-test"
    assert out["statistic"] == pytest.approx(ref.statistic)
    assert out["p_unc"] == pytest.approx(ref.pvalue)
    assert out["diff_log_ic50"] == pytest.approx(np.mean(np.subtract(A, B)))
    assert out["fold_ic50"] == pytest.approx(10 ** np.mean(np.subtract(A, B)))


def test_two_compounds_unpaired_is_welch():
    fits = _fits({"A": A, "B": B[:3]})
    fits.loc[fits.compound == "B", "experiment"] = ["F1", "F2", "F3"]
    out = compare_experiments(fits).iloc[0]
    ref = stats.ttest_ind(A, B[:3], equal_var=False)
    assert out["test"] == "Welch t-test"
    assert out["statistic"] == pytest.approx(ref.statistic)
    assert out["p_unc"] == pytest.approx(ref.pvalue)
    assert (out["n_a"], out["n_b"]) == (4, 3)
    with pytest.raises(FitError, match="paired"):
        compare_experiments(fits, paired=True)


def test_three_compounds_unpaired_anova_and_holm():
    fits = _fits({"A": A, "B": B, "C": C})
    out = compare_experiments(fits, paired=False)
    omni = out.iloc[0]
    ref = stats.f_oneway(A, B, C)
    assert omni["test"] == "one-way ANOVA"
    assert omni["statistic"] == pytest.approx(ref.statistic)
    assert omni["p_unc"] == pytest.approx(ref.pvalue)
    pairs = out.iloc[1:].set_index(["a", "b"])
    raw = {k: stats.ttest_ind(x, y, equal_var=False).pvalue for k, (x, y) in
           {("A", "B"): (A, B), ("A", "C"): (A, C), ("B", "C"): (B, C)}.items()}  # fmt: skip
    order = sorted(raw, key=raw.get)
    holm, running = {}, 0.0
    for i, k in enumerate(order):  # Holm step-down by hand
        running = max(running, min(1.0, (3 - i) * raw[k]))
        holm[k] = running
    for k in raw:
        assert pairs.loc[k, "p_unc"] == pytest.approx(raw[k])
        assert pairs.loc[k, "p_adj"] == pytest.approx(holm[k])
        assert pairs.loc[k, "padjust"] == "holm"


def test_three_compounds_paired_rm_anova():
    out = compare_experiments(_fits({"A": A, "B": B, "C": C}))
    assert out.iloc[0]["test"] == "repeated-measures ANOVA"
    # RM ANOVA by hand: SS_between-conditions / SS_error with subjects removed
    y = np.array([A, B, C])  # conditions x subjects
    grand = y.mean()
    ss_cond = 4 * ((y.mean(axis=1) - grand) ** 2).sum()
    ss_subj = 3 * ((y.mean(axis=0) - grand) ** 2).sum()
    ss_err = ((y - grand) ** 2).sum() - ss_cond - ss_subj
    f = (ss_cond / 2) / (ss_err / 6)
    assert out.iloc[0]["statistic"] == pytest.approx(f)
    assert out.iloc[0]["p_unc"] == pytest.approx(stats.f.sf(f, 2, 6))
    ab = out[(out.a == "A") & (out.b == "B")].iloc[0]
    assert ab["p_unc"] == pytest.approx(stats.ttest_rel(A, B).pvalue)


def test_comparison_needs_two_usable_compounds():
    with pytest.raises(FitError, match="at least two compounds"):
        compare_experiments(_fits({"A": A, "B": [B[0]]}))
    with pytest.raises(FitError, match="padjust"):
        compare_experiments(_fits({"A": A, "B": B}), padjust="tukey")
    with pytest.raises(SchemaError, match="experiment"):
        summarise_experiments(_fits({"A": A}).drop(columns="experiment"))


def test_rm_anova_fallback_matches_pingouin_where_pingouin_works() -> None:
    import numpy as np
    import pandas as pd
    import pingouin as pg

    from assaykit.binding.summary import _rm_anova_uncorrected

    y = np.array([[-7.1, -8.2, -6.5], [-7.0, -8.1, -6.6], [-7.3, -8.0, -6.4], [-6.9, -8.3, -6.7]])
    long = pd.DataFrame(
        {
            "experiment": np.repeat(np.arange(4), 3),
            "compound": np.tile(list("abc"), 4),
            "log_ic50": y.ravel(),
        }
    )
    ref = pg.rm_anova(data=long, dv="log_ic50", within="compound", subject="experiment").iloc[0]
    ours = _rm_anova_uncorrected(y)
    assert ours["F"] == pytest.approx(ref["F"], rel=1e-10)
    assert ours["p_unc"] == pytest.approx(ref["p_unc"], rel=1e-8)
    assert (ours["ddof1"], ours["ddof2"]) == (ref["ddof1"], ref["ddof2"])


def test_two_experiments_three_compounds_do_not_crash() -> None:
    import pandas as pd

    from assaykit.binding.summary import compare_experiments

    fits = pd.DataFrame(
        {
            "experiment": ["e1"] * 3 + ["e2"] * 3,
            "curve": ["a", "b", "c"] * 2,
            "log_ic50": [-7.1, -8.2, -6.5, -7.0, -8.1, -6.6],
            "status": "ok",
        }
    )
    out = compare_experiments(fits, compound="curve", experiment="experiment")
    # two experiments with all three compounds: a repeated-measures ANOVA, then the three
    # pairwise paired t-tests (Holm), each against an independent computation
    import numpy as np
    from scipy import stats

    assert list(out["test"]) == ["repeated-measures ANOVA"] + ["pairwise paired t-test"] * 3
    by = fits.pivot(index="experiment", columns="curve", values="log_ic50")
    # RM-ANOVA by hand: SS_conditions / SS_error with (k-1, (k-1)(n-1)) df
    grand = by.to_numpy().mean()
    ss_cond = len(by) * ((by.mean(axis=0) - grand) ** 2).sum()
    resid = by.to_numpy() - by.mean(axis=0).to_numpy() - by.mean(axis=1).to_numpy()[:, None] + grand
    f = (ss_cond / 2) / ((resid**2).sum() / 2)
    assert out.loc[0, "statistic"] == pytest.approx(f, rel=1e-9)
    raw = []
    for _, row in out.iloc[1:].iterrows():
        ref = stats.ttest_rel(by[row["a"]], by[row["b"]])
        assert row["statistic"] == pytest.approx(ref.statistic, rel=1e-9)
        assert row["p_unc"] == pytest.approx(ref.pvalue, rel=1e-9)
        raw.append(ref.pvalue)
    order = np.argsort(raw)
    holm = np.minimum(1, np.maximum.accumulate(np.sort(raw) * (3 - np.arange(3))))
    expected = np.empty(3)
    expected[order] = holm
    assert out["p_adj"].iloc[1:].to_numpy() == pytest.approx(expected, rel=1e-9)


def test_ki_is_summarized_beside_ic50() -> None:
    """Ki wherever IC50 is shown: mean ± SD of pKi and the geometric-mean Ki, by hand."""
    import numpy as np
    import pandas as pd

    from assaykit.binding.summary import summarize_experiments

    ki = np.array([2.0e-8, 3.0e-8, 4.5e-8])
    fits = pd.DataFrame({"compound": "A", "experiment": [1, 2, 3], "status": "ok",
                         "log_ic50": np.log10(ki * 1.1), "ki": ki})  # fmt: skip
    s = summarize_experiments(fits).iloc[0]
    pki = -np.log10(ki)
    assert s["n_ki"] == 3
    assert s["mean_pki"] == pytest.approx(pki.mean(), rel=1e-12)
    assert s["sd_pki"] == pytest.approx(pki.std(ddof=1), rel=1e-12)
    assert s["geomean_ki"] == pytest.approx(float(np.prod(ki) ** (1 / 3)), rel=1e-12)
