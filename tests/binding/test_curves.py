"""four_pl and friends: properties (hypothesis) and the DOMAIN.md §6 #8 values."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assaykit.binding.curves import (
    FOUR_PL,
    canonical_four_pl,
    four_pl,
    four_pl_inverse,
    four_pl_jacobian,
)

DOMAIN_X = np.array([-11, -10, -9, -8, -7.5, -7, -6.5, -6, -5, -4], dtype=float)
DOMAIN_Y = np.array([99.960, 99.603, 96.171, 71.525, 44.269, 20.076, 7.359, 2.450, 0.251, 0.025])

finite = st.floats(-1e3, 1e3, allow_nan=False)
logs = st.floats(-12, -3, allow_nan=False)
hills = st.floats(0.2, 6, allow_nan=False).flatmap(lambda h: st.sampled_from([h, -h]))


def test_domain_8_values() -> None:
    """DOMAIN.md §6 #8: Bottom 0, Top 100, logIC50 −7.6, nH 1 (falling: hill −1 here)."""
    np.testing.assert_allclose(four_pl(DOMAIN_X, 100, 0, -7.6, -1), DOMAIN_Y, atol=5e-4)


def test_sign_convention_matches_reference_readme() -> None:
    # hill < 0 is a falling curve, top is the plateau at low concentration
    y = four_pl(np.array([-12.0, -3.0]), 100, 0, -7.6, -1.0)
    assert y[0] > 99.99 and y[1] < 0.01


@given(top=finite, bottom=finite, log_ic50=logs, hill=hills)
def test_midpoint_is_the_ic50(top, bottom, log_ic50, hill) -> None:
    assert four_pl(log_ic50, top, bottom, log_ic50, hill) == pytest.approx(
        (top + bottom) / 2, abs=1e-9 * (1 + abs(top) + abs(bottom))
    )


@given(log_ic50=logs, hill=hills, frac=st.floats(0.01, 0.99))
def test_inverse_round_trip(log_ic50, hill, frac) -> None:
    y = 10 + 80 * frac
    x = four_pl_inverse(y, 90, 10, log_ic50, hill)
    assert float(four_pl(x, 90, 10, log_ic50, hill)) == pytest.approx(y, rel=1e-9)


@given(top=finite, bottom=finite, log_ic50=logs, hill=hills)
def test_monotone_in_the_direction_of_hill(top, bottom, log_ic50, hill) -> None:
    x = np.linspace(log_ic50 - 3, log_ic50 + 3, 50)
    d = np.diff(four_pl(x, top, bottom, log_ic50, hill))
    sign = np.sign((top - bottom) * hill)  # dY/dx = (top − bottom)·s(1−s)·ln10·hill
    assert np.all(d * sign >= -1e-12)


@given(top=finite, bottom=finite, log_ic50=logs, hill=hills)
def test_canonical_form_is_the_same_curve(top, bottom, log_ic50, hill) -> None:
    (p,) = canonical_four_pl(np.array([[top, bottom, log_ic50, hill]]))
    assert p[0, 0] >= p[0, 1]
    x = np.linspace(-13, -2, 23)
    np.testing.assert_allclose(
        four_pl(x, *p[0]), four_pl(x, top, bottom, log_ic50, hill), atol=1e-9 * (1 + abs(top))
    )


def test_canonical_covariance_follows_the_swap() -> None:
    cov = np.arange(16.0).reshape(1, 4, 4)
    cov = cov + cov.transpose(0, 2, 1)
    p, c = canonical_four_pl(np.array([[0.0, 100.0, -7.0, 1.0]]), cov)
    assert c[0, 0, 0] == cov[0, 1, 1] and c[0, 1, 1] == cov[0, 0, 0]
    assert c[0, 3, 2] == -cov[0, 3, 2]  # hill changes sign, so its covariances do


@settings(max_examples=50)
@given(top=finite, bottom=finite, log_ic50=logs, hill=hills)
def test_jacobian_matches_central_differences(top, bottom, log_ic50, hill) -> None:
    x = np.linspace(log_ic50 - 2, log_ic50 + 2, 9)
    p = np.array([top, bottom, log_ic50, hill])
    jac = four_pl_jacobian(x, *p)
    for k in range(4):
        h = 1e-6 * max(1.0, abs(p[k]))
        e = np.eye(4)[k] * h
        num = (four_pl(x, *(p + e)) - four_pl(x, *(p - e))) / (2 * h)
        np.testing.assert_allclose(jac[:, k], num, rtol=1e-5, atol=1e-6 * (1 + abs(top - bottom)))


def test_batched_model_agrees_with_the_public_functions() -> None:
    rng = np.random.default_rng(3)
    p = np.column_stack(
        [
            rng.uniform(50, 150, 5),
            rng.uniform(-10, 10, 5),
            rng.uniform(-9, -6, 5),
            -rng.uniform(0.5, 2, 5),
        ]
    )
    x = np.tile(np.linspace(-11, -4, 8), (5, 1))
    np.testing.assert_allclose(FOUR_PL.func(x, p), four_pl(x, *(p[:, k : k + 1] for k in range(4))))
    np.testing.assert_allclose(
        FOUR_PL.jac(x, p), four_pl_jacobian(x, *(p[:, k : k + 1] for k in range(4)))
    )


def test_no_overflow_far_from_the_midpoint() -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = four_pl(np.array([-300.0, 300.0]), 100, 0, -7, -50)
        j = four_pl_jacobian(np.array([-300.0, 300.0]), 100, 0, -7, -50)
    assert y[0] == 100.0 and 0 <= y[1] < 1e-300
    assert np.all(np.isfinite(j))
