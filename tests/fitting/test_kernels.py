"""The compiled 4PL kernel against the numpy iterations, and both against scipy's MINPACK.

The two engines run the same algorithm, so on curves with a well-defined optimum they must
reach the same point to the convergence tolerance; each is also checked against an independent
optimiser (scipy.optimize.least_squares with the analytic Jacobian at 1e-15 tolerances).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

from assaykit.binding.curves import FOUR_PL, four_pl, four_pl_jacobian, lm_kernel
from assaykit.fitting import least_squares

pytestmark = pytest.mark.skipif(lm_kernel() is None, reason="numba is not installed")

LOG_CONC = np.linspace(-11.0, -5.5, 12)


def _curves(n: int, seed: int, replicates: int = 3, missing: float = 0.0):
    rng = np.random.default_rng(seed)
    truth = np.column_stack(
        [
            rng.normal(100, 5, n),
            rng.normal(2, 2, n),
            rng.uniform(-9.5, -7.0, n),
            -rng.uniform(0.7, 1.4, n),
        ]
    )
    x = np.tile(np.repeat(LOG_CONC, replicates), (n, 1))
    y = four_pl(x, *(truth[:, k : k + 1] for k in range(4))) + rng.normal(0, 4, x.shape)
    if missing:
        y[rng.random(y.shape) < missing] = np.nan
    return x, y / 100.0, truth


def _minpack(x, y, p0, fixed=None, w=None):
    """Tightly converged reference optimum of one curve (free parameters only)."""
    fixed = fixed or {}
    free = [k for k in range(4) if k not in fixed]
    ok = np.isfinite(y)
    x, y = x[ok], y[ok]
    sw = np.ones_like(y) if w is None else np.sqrt(w[ok])

    def full(q):
        p = np.empty(4)
        p[free] = q
        for k, v in fixed.items():
            p[k] = v
        return p

    def resid(q):
        return sw * (four_pl(x, *full(q)) - y)

    def jac(q):
        return sw[:, None] * four_pl_jacobian(x, *full(q))[:, free]

    r = optimize.least_squares(
        resid, np.asarray(p0)[free], jac=jac, method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15
    )
    return full(r.x), float(np.sum(r.fun**2))


@pytest.mark.parametrize("missing", [0.0, 0.15])
def test_compiled_and_numpy_engines_reach_the_same_optimum(missing):
    x, y, _ = _curves(300, seed=11, missing=missing)
    fast = least_squares(FOUR_PL, x, y, engine="auto")
    slow = least_squares(FOUR_PL, x, y, engine="numpy")
    assert fast.converged.all() and slow.converged.all()
    np.testing.assert_allclose(fast.rss, slow.rss, rtol=1e-10)
    np.testing.assert_allclose(fast.params, slow.params, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(fast.se, slow.se, rtol=1e-5)
    assert np.array_equal(fast.identifiable, slow.identifiable)
    # and both at MINPACK's optimum (an optimiser written by others)
    for i in range(0, 300, 37):
        p_ref, rss_ref = _minpack(x[i], y[i], fast.params[i])
        assert fast.rss[i] <= rss_ref * (1 + 1e-10)
        assert abs(fast.params[i, 2] - p_ref[2]) < 1e-6


def test_fixed_bounded_and_weighted_fits_agree_between_engines():
    x, y, _ = _curves(120, seed=5, replicates=2)
    w = 1.0 / np.clip(y, 0.05, None) ** 2
    options = {
        "fixed": {"bottom": 0.0},
        "lower": {"hill": -1.2},
        "upper": {"top": 1.02},
        "weights": w,
    }
    fast = least_squares(FOUR_PL, x, y, engine="auto", **options)
    slow = least_squares(FOUR_PL, x, y, engine="numpy", **options)
    assert np.array_equal(fast.converged, slow.converged)
    assert np.array_equal(fast.at_bound, slow.at_bound)
    assert (fast.params[:, 1] == 0.0).all()
    assert (fast.params[:, 3] >= -1.2).all() and (fast.params[:, 0] <= 1.02).all()
    # the active-set LM converges on every curve, 63 with top and 25 with hill at a bound
    conv = fast.converged
    assert conv.all() and fast.at_bound[:, 0].sum() > 30 and fast.at_bound[:, 3].any()
    np.testing.assert_allclose(fast.rss[conv], slow.rss[conv], rtol=1e-10)
    np.testing.assert_allclose(fast.params[conv], slow.params[conv], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(fast.rss, slow.rss, rtol=1e-8)
    np.testing.assert_allclose(fast.params, slow.params, rtol=1e-6, atol=1e-6)
    both = np.isfinite(slow.se)
    assert np.array_equal(np.isfinite(fast.se), both)
    np.testing.assert_allclose(fast.se[both], slow.se[both], rtol=1e-5)
    # a curve away from every bound against MINPACK with the same fixed bottom and weights
    i = int(np.flatnonzero(conv & ~fast.at_bound.any(axis=1))[0])
    p_ref, _ = _minpack(x[i], y[i], fast.params[i], fixed={1: 0.0}, w=w[i])
    assert abs(fast.params[i, 2] - p_ref[2]) < 1e-6


def test_kernel_reports_non_finite_start_as_not_converged():
    kernel = lm_kernel()
    x = np.tile(LOG_CONC, (2, 1))
    y = np.vstack([four_pl(LOG_CONC, 1.0, 0.0, -8.0, -1.0)] * 2)
    p0 = np.array([[1.0, 0.0, -8.0, -1.0], [np.inf, 0.0, -8.0, -1.0]])
    out = (np.empty((2, 4)), np.empty(2), np.empty(2, bool), np.empty(2, np.int64))
    jtj = np.empty((2, 4, 4))
    inf = np.full((2, 4), np.inf)
    kernel(
        x,
        y,
        np.ones_like(y),
        p0,
        np.ones((2, 4), bool),
        -inf,
        inf,
        50,
        1e-10,
        1e-15,
        1e-10,
        *out,
        jtj,
    )
    p, rss, conv, nit = out
    assert conv.tolist() == [True, False] and nit[1] == 0
    assert rss[0] < 1e-20 and not np.isfinite(rss[1])
    assert np.isfinite(jtj[0]).all() and np.isnan(jtj[1]).all()


def test_unknown_engine_is_refused():
    x, y, _ = _curves(2, seed=1)
    with pytest.raises(ValueError, match="engine"):
        least_squares(FOUR_PL, x, y, engine="fortran")


@pytest.mark.parametrize(
    ("hard", "missing"), [(False, 0.0), (True, 0.0), (False, 0.2), (True, 0.3)]
)
def test_compiled_start_ranking_equals_the_numpy_ranking(hard, missing):
    """Guess + grid + ranking in one compiled pass give the engine's own ranked starts."""
    from assaykit.binding.curves import _compiled_starts as _ranked_starts
    from assaykit.fitting.solver import _Problem
    from assaykit.fitting.solver import rank_starts as numpy_ranked_starts

    rng = np.random.default_rng(3)
    n = 400
    x = np.tile(LOG_CONC, (n, 1))
    truth = np.column_stack(
        [
            rng.normal(1.0, 0.05, n),
            rng.normal(0.02, 0.02, n),
            rng.uniform(-12, -4.5, n) if hard else rng.uniform(-9.5, -7, n),
            -rng.uniform(0.3, 4, n) if hard else -rng.uniform(0.7, 1.4, n),
        ]
    )
    y = four_pl(x, *(truth[:, k : k + 1] for k in range(4))) + rng.normal(
        0, 0.1 if hard else 0.04, x.shape
    )
    mask = rng.random(y.shape) >= missing
    # the engine's convention for unused points: weight 0, y 0
    sw = np.where(mask, np.sqrt(rng.uniform(0.5, 2.0, x.shape)), 0.0)
    y = np.where(mask, y, 0.0)
    fixed = np.full((n, 4), np.nan)
    lo = np.full((n, 4), -np.inf)
    hi = np.full((n, 4), np.inf)
    hi[:, 3] = 0.5  # a bound the starts are clipped to
    fast = _ranked_starts(x, y, sw, mask, fixed, lo, hi, 4)
    slow = numpy_ranked_starts(
        _Problem(FOUR_PL, x, y, sw, mask), None, fixed, ~np.isfinite(fixed), lo, hi, True, 3
    )
    assert fast is not None and fast.shape == slow.shape == (n, 4, 4)
    # the grid RSS is Σy² − βᵀb (cancellation): equal to rounding of that, not to the last bit
    np.testing.assert_allclose(fast, slow, rtol=1e-10, atol=1e-10)
    # a fixed parameter is left to the engine's numpy ranking
    fix_bottom = np.where(np.arange(4) == 1, 0.0, fixed)
    assert _ranked_starts(x, y, sw, mask, fix_bottom, lo, hi, 4) is None


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("missing", [0.0, 0.2, 0.6])
def test_compiled_replicate_merge_equals_reduceat(missing, shuffle):
    """One pass per curve gives the run means, weight sums and pure error of the numpy merge."""
    from assaykit.fitting.prep import collapse_replicates

    rng = np.random.default_rng(8)
    x, y, _ = _curves(300, seed=2, missing=missing)
    m = np.isfinite(y)
    w = rng.uniform(0.2, 3.0, y.shape)
    xz, yz = np.where(m, x, 0.0), np.where(m, y, 0.0)
    # in order with gaps where points are missing (merged in place), or shuffled (sorted first)
    perm = np.argsort(rng.random(x.shape), axis=1) if shuffle else np.indices(x.shape)[1]
    args = [np.take_along_axis(a, perm, axis=1) for a in (xz, yz, w, m)]
    fast = collapse_replicates(*args, compiled=True)
    slow = collapse_replicates(*args, compiled=False)
    for a, b in zip(fast, slow, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
    # by hand on one curve: the mean and pure error of the first concentration's replicates
    first = m[0, :3]
    yy, ww = y[0, :3][first], w[0, :3][first]
    mean = np.sum(ww * yy) / np.sum(ww)
    assert np.isclose(fast[1][0, 0], mean) and np.isclose(fast[2][0, 0] ** 2, ww.sum())


def test_compiled_rout_scale_equals_the_numpy_one():
    """Same RSDR, t and candidates, bit for bit, on residuals with gaps and non-finite values."""
    from scipy import stats

    from assaykit.fitting.stats import _rout_scale

    rng = np.random.default_rng(4)
    resid = rng.standard_t(3, (500, 36))
    resid[rng.random(resid.shape) < 0.02] = np.nan
    resid[7, 3] = np.inf
    resid[20:60] = np.round(resid[20:60])  # many ties
    mask = rng.random(resid.shape) > 0.2
    mask[9] = False  # a curve with no usable point
    mask[10, 5:] = False  # and one with too few for the degrees of freedom
    n = mask.sum(axis=1)
    k = np.full(len(n), 4.0)
    dof = n - k
    cut = stats.t.isf(0.005, np.where(dof > 0, dof, 1))
    t, cand, rsdr = (np.empty(resid.shape), np.empty(resid.shape, bool), np.empty(len(n)))
    lm_kernel()  # numba present (module mark); the rout kernel comes with it
    from assaykit.fitting.kernels import rout_kernel

    rout_kernel()(resid, mask, k, cut, t, cand, rsdr)
    t_np, cand_np, rsdr_np = _rout_scale(resid, mask, n, dof, cut)
    np.testing.assert_array_equal(rsdr, rsdr_np)
    np.testing.assert_array_equal(t, t_np)
    np.testing.assert_array_equal(cand, cand_np)
    assert cand.any() and np.isnan(rsdr[9]) and np.isnan(rsdr[10])


def test_compiled_covariance_equals_the_numpy_one_including_singular_curves():
    from assaykit.fitting.solver import _covariance, _Problem

    rng = np.random.default_rng(12)
    n = 200
    jac = rng.normal(size=(n, 10, 4))
    jac[:20, :, 3] = jac[:20, :, 2] * 2.0  # exactly collinear columns: singular
    jac[20:40, :, 3] = jac[20:40, :, 2] * (1 + 1e-9)  # nearly: left to the eigen-decomposition
    jtj = np.einsum("bni,bnj->bij", jac, jac)
    free = np.ones((n, 4), dtype=bool)
    free[40:60, 1] = False  # a fixed parameter
    jtj[40:60, 1, :] = jtj[40:60, :, 1] = 0.0
    rss = rng.uniform(0.5, 2.0, n)
    df = np.full(n, 6)
    dummy = _Problem(
        FOUR_PL, np.zeros((n, 1)), np.zeros((n, 1)), np.ones((n, 1)), np.ones((n, 1), bool)
    )
    p = np.zeros((n, 4))
    fast, ident_fast = _covariance(dummy, p, free, rss, df, jtj, compiled=True)
    slow, ident_slow = _covariance(dummy, p, free, rss, df, jtj, compiled=False)
    np.testing.assert_array_equal(ident_fast, ident_slow)
    assert not ident_fast[:20].any() and ident_fast[60:].all()
    np.testing.assert_allclose(fast, slow, rtol=1e-10, atol=0)
    # and against a direct inverse where the matrix is well conditioned
    ref = (rss / df)[60:, None, None] * np.linalg.inv(jtj[60:])
    np.testing.assert_allclose(fast[60:], ref, rtol=1e-9)


def test_kernels_compile_without_a_disk_cache_where_none_can_be_written(monkeypatch):
    """A read-only installation: numba refuses cache=True, the kernel is compiled per process."""
    import types

    from assaykit.fitting import _numba_kernels

    calls = []

    def njit(cache=False, **options):
        calls.append(cache)
        if cache:
            raise RuntimeError("cannot cache function 'f': no locator available for file 'f.py'")
        return lambda func: func

    monkeypatch.setattr(
        _numba_kernels, "numba", types.SimpleNamespace(njit=njit, NumbaWarning=Warning)
    )
    assert _numba_kernels._decorator()(abs)(-2) == 2
    assert calls == [True, False]


def test_compiled_kernels_are_found_in_the_disk_cache_by_the_next_process(tmp_path):
    """Kernels at module level: a second process loads them instead of compiling again."""
    import os
    import subprocess
    import sys

    code = (
        "import numpy as np; from assaykit.fitting import least_squares;"
        "from assaykit.binding.curves import FOUR_PL;"
        "x = np.tile(np.linspace(-11, -5, 8), (3, 1));"
        "y = 1 / (1 + 10 ** (x + 8));"
        "least_squares(FOUR_PL, x, y)"
    )
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path), NUMBA_DEBUG_CACHE="1")
    runs = [
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        for _ in range(2)
    ]
    assert all(r.returncode == 0 for r in runs), runs[-1].stderr
    saved = lambda r: {ln.split("'")[1] for ln in r.stdout.splitlines() if "data saved" in ln}  # noqa: E731
    assert saved(runs[0])  # the first process compiled and wrote its kernels
    assert not saved(runs[1]), "the second process compiled again instead of loading the cache"
    assert "data loaded" in runs[1].stdout


def test_curves_without_points_are_refused_as_by_the_numpy_engine():
    """Zero-width data never reaches a kernel (it would read past the end of a row)."""
    from assaykit.binding.curves import _compiled_starts as _ranked_starts

    empty = np.empty((2, 0))
    fixed = np.full((2, 4), np.nan)
    inf = np.full((2, 4), np.inf)
    assert _ranked_starts(empty, empty, empty, empty.astype(bool), fixed, -inf, inf, 4) is None
    for engine in ("auto", "numpy"):
        with pytest.raises(ValueError):
            least_squares(FOUR_PL, empty, empty, engine=engine)


def test_compiled_kernels_divide_as_numpy_does():
    """Zero residuals (a robust scale of 0) give inf/NaN as in numpy, not ZeroDivisionError."""
    from assaykit.fitting.stats import rout_outliers

    r = np.zeros((2, 12))
    r[1, :6] = 1e-3  # more than 68 % of the residuals are exactly 0: RSDR = 0
    assert not rout_outliers(r, np.ones_like(r, dtype=bool), 4).any()


@pytest.mark.parametrize(
    "options",
    [{}, {"fix": {"bottom": 0.0}}, {"fix": {"top": 100.0, "bottom": 0.0}}, {"weighting": "1/y2"}],
)
def test_verdicts_are_the_same_with_the_compiled_residual_pass(monkeypatch, options):
    """Statuses, flags, messages and numbers of fit_curves with and without the kernel."""
    import pandas as pd

    from assaykit.binding import _verdicts, fit_curves

    rng = np.random.default_rng(21)
    x, y, _ = _curves(60, seed=9, missing=0.1)
    y = y * 100
    y[3] = 50.0 + rng.normal(0, 1, y.shape[1])  # no inhibition
    for c in (4, 6, 8):  # one outlier each
        y[c, np.flatnonzero(np.isfinite(y[c]))[10]] += 60.0
    y[5] = np.round(y[5])  # ties in the residuals
    curve = np.repeat(np.arange(len(x)), x.shape[1])
    data = pd.DataFrame({"curve": curve, "conc": 10.0 ** x.ravel(), "response": y.ravel()})
    fast = fit_curves(data, **options)
    monkeypatch.setattr(_verdicts, "residuals_kernel", lambda: None)
    slow = fit_curves(data, **options)
    for col in ("status", "flags", "message"):
        assert fast[col].tolist() == slow[col].tolist(), col
    num = fast.select_dtypes("number").columns
    np.testing.assert_allclose(fast[num].to_numpy(float), slow[num].to_numpy(float), rtol=1e-12)
    assert fast["flags"].str.contains("outliers:1").sum() >= 2


def test_compiled_point_summaries_equal_the_numpy_ones(monkeypatch):
    """Usable points, counts, scale, ranges on messy padded rows: kernel and numpy agree."""
    from assaykit.binding import _points as fit_module
    from assaykit.fitting import weights_from

    rng = np.random.default_rng(5)
    nc, width = 300, 40
    conc = 10.0 ** rng.uniform(-11, -5, (nc, width))
    conc[rng.random(conc.shape) < 0.05] = np.nan
    conc[rng.random(conc.shape) < 0.05] = 0.0
    conc[rng.random(conc.shape) < 0.02] = -1e-9
    conc[:100] = np.sort(conc[:100], axis=1)  # some rows in order, the others not
    resp = rng.normal(50, 40, (nc, width))
    resp[rng.random(resp.shape) < 0.05] = np.nan
    resp[7] = 3.0  # constant
    resp[8] = 0.0  # all zero: scale 1
    n_rows = rng.integers(0, width + 1, nc)
    n_rows[:3] = width
    with np.errstate(all="ignore"):
        xlog = np.where(conc > 0, np.log10(conc), np.nan)
    for weighting in (None, "1/y2"):
        w = weights_from(resp, weighting)
        fast = fit_module.summaries(conc, resp, xlog, w, n_rows)
        monkeypatch.setattr(fit_module, "summaries_kernel", lambda: None)
        slow = fit_module.summaries(conc, resp, xlog, w, n_rows)
        monkeypatch.undo()
        for field in ("valid", "n", "n_nonpositive", "n_missing", "n_bad_weight", "distinct"):
            np.testing.assert_array_equal(getattr(fast, field), getattr(slow, field), field)
        for field in ("scale", "yr", "xmin", "xmax"):
            np.testing.assert_array_equal(getattr(fast, field), getattr(slow, field), field)
    assert slow.n_bad_weight.sum() > 0 and slow.n_nonpositive.sum() > 0


def test_model_kernel_cache_key_includes_the_generic_lm_source():
    """Editing the generic LM (inlined into the 4PL kernel) must invalidate the 4PL's cache."""
    import os

    from assaykit.binding import _kernels_4pl
    from assaykit.fitting import _numba_kernels

    stamp = _kernels_4pl.lm_four_pl._cache._cache_file._source_stamp
    st = os.stat(_numba_kernels.__file__)
    assert len(stamp) == 2 and tuple(stamp[1]) == (st.st_mtime, st.st_size)
