"""The batched engine itself: ragged data, fixed/bounded parameters, weights, global models."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from assaykit.fitting import Model, global_model, least_squares, param_matrix, weights_from


def _exp_model() -> Model:
    def f(x, p):
        return p[:, :1] * np.exp(-p[:, 1:2] * x) + p[:, 2:3]

    def j(x, p):
        e = np.exp(-p[:, 1:2] * x)
        return np.stack([e, -x * p[:, :1] * e, np.ones_like(x)], axis=-1)

    def guess(x, y, mask):
        lo = np.min(np.where(mask, y, np.inf), axis=1)
        hi = np.max(np.where(mask, y, -np.inf), axis=1)
        return np.stack([hi - lo, np.ones_like(lo), lo], axis=1)

    return Model("exp", ("a", "k", "c"), f, j, guess)


EXP = _exp_model()


def _scipy_fit(x, y, p0, w=None):
    sw = np.ones_like(y) if w is None else np.sqrt(w)

    def resid(p):
        return sw * (y - (p[0] * np.exp(-p[1] * x) + p[2]))

    r = optimize.least_squares(resid, p0, xtol=1e-15, ftol=1e-15, gtol=1e-15)
    jw = r.jac
    s2 = 2 * r.cost / (y.size - len(p0))
    return r.x, np.sqrt(np.diag(s2 * np.linalg.inv(jw.T @ jw))), 2 * r.cost


def test_ragged_nan_padded_curves_match_scipy_one_by_one(rng: np.random.Generator) -> None:
    n_curves, width = 6, 15
    x = np.tile(np.linspace(0, 5, width), (n_curves, 1))
    truth = np.column_stack(
        [rng.uniform(2, 5, n_curves), rng.uniform(0.3, 2, n_curves), rng.uniform(-1, 1, n_curves)]
    )
    y = EXP.func(x, truth) + rng.normal(0, 0.05, x.shape)
    for i in range(n_curves):  # ragged: each curve loses a different tail
        y[i, width - i :] = np.nan
    res = least_squares(EXP, x, y)
    assert res.converged.all()
    for i in range(n_curves):
        ok = np.isfinite(y[i])
        p, se, rss = _scipy_fit(x[i, ok], y[i, ok], truth[i])
        np.testing.assert_allclose(res.params[i], p, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(res.se[i], se, rtol=1e-6)
        assert res.rss[i] == pytest.approx(rss, rel=1e-9)
        assert res.n[i] == ok.sum() and res.df[i] == ok.sum() - 3


def test_fixed_per_curve_and_bounds(rng: np.random.Generator) -> None:
    x = np.tile(np.linspace(0, 5, 20), (3, 1))
    y = EXP.func(x, np.array([[3.0, 1.0, 0.5]] * 3)) + rng.normal(0, 0.02, x.shape)
    res = least_squares(EXP, x, y, fixed={"c": [0.0, np.nan, 0.5]}, upper={"k": [0.5, 10, 10]})
    assert res.params[0, 2] == 0.0 and res.params[2, 2] == 0.5
    assert res.se[0, 2] == 0.0 and res.se[1, 2] > 0
    # curve 0: c fixed, k held at its upper bound: only a is estimated there (Prism's df)
    assert res.df.tolist() == [19, 17, 18]
    assert res.params[0, 1] == pytest.approx(0.5) and res.at_bound[0, 1]
    assert not res.at_bound[1:].any()


def test_weights_equal_scipy_weighted_fit(rng: np.random.Generator) -> None:
    x = np.linspace(0, 5, 25)
    y = 4 * np.exp(-0.7 * x) + 1 + rng.normal(0, 0.03, x.size)
    w = 1 / y**2
    res = least_squares(EXP, x[None], y[None], weights="1/y2")
    p, se, rss = _scipy_fit(x, y, [4, 0.7, 1], w)
    np.testing.assert_allclose(res.params[0], p, rtol=1e-7)
    np.testing.assert_allclose(res.se[0], se, rtol=1e-6)
    assert res.rss[0] == pytest.approx(rss, rel=1e-9)
    np.testing.assert_allclose(weights_from(y[None], "poisson"), 1 / y[None])


def test_unidentifiable_parameters_are_detected() -> None:
    # a and c are confounded when k is fixed at 0: y = a + c
    x = np.linspace(0, 5, 10)[None]
    y = 3 + 0.01 * np.sin(np.arange(10.0))[None]
    res = least_squares(EXP, x, y, fixed={"k": 0.0}, p0=[1.0, 0.0, 1.0])
    assert not res.identifiable[0]
    assert np.isinf(res.se[0, 0]) and np.isinf(res.se[0, 2])


def test_global_model_shares_a_parameter(rng: np.random.Generator) -> None:
    xs = np.linspace(0, 5, 12)
    ks = 0.9
    ys = [a * np.exp(-ks * xs) + c + rng.normal(0, 0.02, xs.size) for a, c in [(3, 0.2), (5, -0.4)]]
    g = global_model(EXP, 2, ["k"])
    xx = np.concatenate([np.column_stack([xs, np.full(12, j)]) for j in range(2)])[None]
    yy = np.concatenate(ys)[None]
    res = least_squares(g, xx, yy, p0=[1.0, 2, 0, 2, 0])
    assert res.converged[0] and res.df[0] == 24 - 5

    def resid(q):
        return np.concatenate(
            [ys[j] - (q[1 + 2 * j] * np.exp(-q[0] * xs) + q[2 + 2 * j]) for j in range(2)]
        )

    ref = optimize.least_squares(resid, [1.0, 2, 0, 2, 0], xtol=1e-15, ftol=1e-15, gtol=1e-15)
    np.testing.assert_allclose(res.params[0], ref.x, rtol=1e-7, atol=1e-9)
    # the Jacobian of the global model is the per-curve one, scattered into its columns
    num = np.stack(
        [
            (g.func(xx, res.params + h) - g.func(xx, res.params - h)) / 2e-7
            for h in np.eye(5) * 1e-7
        ],
        axis=-1,
    )
    np.testing.assert_allclose(g.jac(xx, res.params), num, rtol=1e-5, atol=1e-7)


def test_param_matrix_rejects_wrong_lengths() -> None:
    with pytest.raises(ValueError, match="one value per curve"):
        param_matrix({"a": [1.0, 2.0, 3.0]}, EXP, 2)
    with pytest.raises(KeyError, match="has no parameter 'z'"):
        param_matrix({"z": 1.0}, EXP, 2)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10**6), n_curves=st.integers(1, 6), n_pad=st.integers(0, 5))
def test_a_curve_fits_the_same_alone_or_in_any_batch(seed: int, n_curves: int, n_pad: int) -> None:
    """Batching, padding and neighbours never change a curve's result."""
    from assaykit.binding.curves import FOUR_PL, four_pl

    rng = np.random.default_rng(seed)
    x = np.tile(np.repeat(np.linspace(-11, -5, 10), 2), (n_curves, 1))
    p = np.column_stack(
        [
            rng.uniform(80, 120, n_curves),
            rng.uniform(-5, 10, n_curves),
            rng.uniform(-9, -7, n_curves),
            -rng.uniform(0.6, 2, n_curves),
        ]
    )
    y = four_pl(x, *(p[:, k : k + 1] for k in range(4))) + rng.normal(0, 4, x.shape)
    xp = np.pad(x, ((0, 0), (0, n_pad)), constant_values=np.nan)
    yp = np.pad(y, ((0, 0), (0, n_pad)), constant_values=np.nan)
    batch = least_squares(FOUR_PL, xp, yp)
    for i in range(n_curves):
        alone = least_squares(FOUR_PL, x[i : i + 1], y[i : i + 1])
        np.testing.assert_allclose(batch.params[i], alone.params[0], rtol=1e-7, atol=1e-7)
        assert batch.rss[i] == pytest.approx(alone.rss[0], rel=1e-10)
        assert batch.n[i] == x.shape[1]


@pytest.mark.parametrize("weights", [None, "1/y2"])
def test_replicates_through_their_means_give_the_same_fit(
    rng: np.random.Generator, weights
) -> None:
    from assaykit.binding.curves import FOUR_PL, four_pl

    x = np.tile(np.repeat(np.linspace(-11, -5, 8), 3), (4, 1))
    y = four_pl(x, 100, 10, -8, -1) + rng.normal(0, 3, x.shape)
    y[1, :5] = np.nan  # ragged: a curve with a partly missing replicate set
    merged = least_squares(FOUR_PL, x, y, weights=weights)
    plain = least_squares(FOUR_PL, x, y, weights=weights, collapse=False)
    np.testing.assert_allclose(merged.params, plain.params, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(merged.se, plain.se, rtol=1e-6)
    np.testing.assert_allclose(merged.rss, plain.rss, rtol=1e-10)
    np.testing.assert_allclose(merged.r_squared, plain.r_squared, rtol=1e-10)
    assert merged.n.tolist() == plain.n.tolist() == [24, 19, 24, 24]


def test_a_table_with_no_fittable_curve_gives_statuses_not_a_crash() -> None:
    """Regression: an empty batch (every curve screened out) reached replicate collapsing."""
    import pandas as pd

    from assaykit.binding import fit_curves

    conc = np.repeat(10.0 ** np.arange(-11, -4.9, 0.5), 3)
    res = fit_curves(pd.DataFrame({"conc": conc, "response": 50.0, "curve": "flat"}))
    assert res["status"].tolist() == ["no_inhibition"] and np.isnan(res["ic50"].iloc[0])
