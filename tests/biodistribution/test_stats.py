"""Group comparisons against R (t.test Welch + p.adjust holm; tests/data/reference/biodistribution)."""

from __future__ import annotations

import pandas as pd
import pytest

from assaykit.biodistribution import compare_groups
from tests.conftest import DATA

REF = DATA / "reference" / "biodistribution"


def _long() -> pd.DataFrame:
    d = pd.read_csv(REF / "input.csv")
    return d.assign(time_pi_min=60.0, status="ok")


def test_welch_and_holm_match_r() -> None:
    ref = pd.read_csv(REF / "values.csv").set_index("organ")
    res, qc = compare_groups(_long(), reference_group="control")
    res = res.set_index("organ")
    assert set(res.index) == set(ref.index)
    for organ, r in ref.iterrows():
        got = res.loc[organ]
        assert got["group"] == "blocked" and got["reference_group"] == "control"
        assert got["t"] == pytest.approx(r["t"], rel=1e-9)
        assert got["dof"] == pytest.approx(r["df"], rel=1e-9)
        assert got["p_unc"] == pytest.approx(r["p"], rel=1e-7)
        assert got["p_adj"] == pytest.approx(r["p_holm"], rel=1e-7)
        assert got["diff"] == pytest.approx(r["diff"], rel=1e-12)
        # the CI is computed exactly (not pingouin's 2-decimal CI95)
        assert got["diff_ci_low"] == pytest.approx(r["ci_low"], rel=1e-9, abs=1e-12)
        assert got["diff_ci_high"] == pytest.approx(r["ci_high"], rel=1e-9, abs=1e-12)
    assert res.loc["tumor", "significant"] and not res.loc["muscle", "significant"]
    assert (res["padjust"] == "holm across organs").all()
    # n = 4 blocked animals < 5: a warning row, not a refusal
    assert any("group blocked" in r["where"] and "n = 4" in r["message"] for r in qc)
    assert not any("group control" in r["where"] for r in qc)


def test_excluded_animals_are_not_tested() -> None:
    long = _long()
    long.loc[(long.animal == "B4"), "status"] = "excluded"
    res, _ = compare_groups(long, reference_group="control")
    assert (res["n"] == 3).all()


def test_anova_of_two_groups_equals_pooled_t_squared() -> None:
    from scipy import stats

    long = _long()
    res, _ = compare_groups(long, test="anova")
    tumor = long[long.organ == "tumor"]
    t = stats.ttest_ind(
        tumor.loc[tumor.group == "blocked", "pct_ia_per_g"],
        tumor.loc[tumor.group == "control", "pct_ia_per_g"],
        equal_var=True,
    )
    row = res.set_index("organ").loc["tumor"]
    assert row["F"] == pytest.approx(t.statistic**2, rel=1e-9)
    assert row["p_unc"] == pytest.approx(t.pvalue, rel=1e-7)
    assert (row["df_between"], row["df_within"]) == (1, 7)


def test_n_below_two_is_not_tested() -> None:
    long = _long()
    keep = (long.group == "control") | (long.animal == "B1")
    res, _ = compare_groups(long[keep], reference_group="control")
    assert res["p_unc"].isna().all() and (res["note"] == "not tested: n < 2").all()


def test_anova_of_three_groups_matches_r() -> None:
    ref = pd.read_csv(REF / "anova_values.csv").set_index("organ")
    long = pd.read_csv(REF / "anova_input.csv").assign(time_pi_min=60.0, status="ok")
    res, _ = compare_groups(long, test="anova")
    res = res.set_index("organ")
    for organ, r in ref.iterrows():
        got = res.loc[organ]
        assert got["F"] == pytest.approx(r["F"], rel=1e-9)
        assert (got["df_between"], got["df_within"]) == (r["df_between"], r["df_within"])
        assert got["p_unc"] == pytest.approx(r["p"], rel=1e-7)
        assert got["p_adj"] == pytest.approx(r["p_holm"], rel=1e-7)
    assert set(res.loc["tumor", "groups"].split(", ")) == {"NOTA", "blocked", "control"}
