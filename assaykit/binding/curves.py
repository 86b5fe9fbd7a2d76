"""Concentration–response curve functions on the log10-molar axis, and their batched models.

``four_pl`` is GraphPad's "log(inhibitor) vs. response — variable slope"::

    Y = bottom + (top - bottom) / (1 + 10**((log_ic50 - x) * hill))

with ``x = log10(conc / M)``; ``hill < 0`` is a falling (inhibition) curve, ``hill = -1`` the
one-site competition model. Swapping top and bottom while negating hill gives the same curve;
results are reported with ``top >= bottom`` (:func:`canonical_four_pl`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from assaykit.fitting.model import FloatArray, Model

if TYPE_CHECKING:
    from types import ModuleType

__all__ = [
    "FOUR_PL",
    "PARAMS",
    "canonical_four_pl",
    "four_pl",
    "four_pl_inverse",
    "four_pl_jacobian",
]

LN10 = float(np.log(10.0))

#: Parameter order of the 4PL model in the fitting engine.
PARAMS: tuple[str, ...] = ("top", "bottom", "log_ic50", "hill")


#: ln(10)·z is clipped to ±EXP_CLIP before exponentiation (no overflow; 1/(1+e^700) ~ 1e-304).
EXP_CLIP = 700.0


def _exp10z(x: ArrayLike, log_ic50: ArrayLike, hill: ArrayLike) -> FloatArray:
    """``10**((log_ic50 - x) * hill)`` with the exponent clipped (never overflows)."""
    t = np.array(np.subtract(np.asarray(log_ic50, float), np.asarray(x, float)), dtype=float)
    t *= LN10 * np.asarray(hill, dtype=float)
    np.minimum(t, EXP_CLIP, out=t)  # exp of a very negative number underflows to 0: fine
    return np.exp(t, out=t)


def _fraction(x: ArrayLike, log_ic50: ArrayLike, hill: ArrayLike) -> FloatArray:
    """``1 / (1 + 10**((log_ic50 - x) * hill))`` without overflow."""
    return 1.0 / (1.0 + _exp10z(x, log_ic50, hill))


def four_pl(
    x: ArrayLike, top: ArrayLike, bottom: ArrayLike, log_ic50: ArrayLike, hill: ArrayLike
) -> FloatArray:
    """Four-parameter logistic on log10 concentration (arguments broadcast like numpy).

    Parameters
    ----------
    x
        log10 of the concentration in M.
    top, bottom
        Plateaus at low and high concentration (for ``hill < 0``).
    log_ic50
        log10 of the concentration giving a response half-way between the plateaus.
    hill
        Hill slope; negative for a falling curve.

    Returns
    -------
    numpy.ndarray
        Responses.

    Examples
    --------
    >>> four_pl(-7.6, top=100, bottom=0, log_ic50=-7.6, hill=-1)
    array(50.)
    >>> four_pl([-11.0, -8.0, -4.0], 100, 0, -7.6, -1).round(3).tolist()  # DOMAIN.md §6 #8
    [99.96, 71.525, 0.025]
    >>> float(four_pl(-30.0, 100, 0, -7.6, -1000))  # no overflow far from the midpoint
    100.0
    """
    s = _fraction(x, log_ic50, hill)
    top = np.asarray(top, dtype=float)
    bottom = np.asarray(bottom, dtype=float)
    return np.asarray(bottom + (top - bottom) * s)


def four_pl_jacobian(
    x: ArrayLike, top: ArrayLike, bottom: ArrayLike, log_ic50: ArrayLike, hill: ArrayLike
) -> FloatArray:
    """Partial derivatives of :func:`four_pl` w.r.t. (top, bottom, log_ic50, hill), last axis.

    Examples
    --------
    >>> four_pl_jacobian(-7.6, 100, 0, -7.6, -1).round(4)  # at the midpoint: d/dhill = 0
    array([ 0.5   ,  0.5   , 57.5646, -0.    ])
    """
    x = np.asarray(x, dtype=float)
    u = _exp10z(x, log_ic50, hill)
    s = 1.0 / (1.0 + u)
    s1 = u * s  # 1 - s, computed without cancellation
    span = np.asarray(top, dtype=float) - np.asarray(bottom, dtype=float)
    core = -span * s * s1 * LN10  # d Y / d z
    d_top = s
    d_bottom = s1
    d_log = core * np.asarray(hill, dtype=float)
    d_hill = core * (np.asarray(log_ic50, dtype=float) - x)
    return np.stack(np.broadcast_arrays(d_top, d_bottom, d_log, d_hill), axis=-1)


def four_pl_inverse(
    y: ArrayLike, top: ArrayLike, bottom: ArrayLike, log_ic50: ArrayLike, hill: ArrayLike
) -> FloatArray:
    """log10 concentration at which :func:`four_pl` equals ``y`` (NaN outside the plateaus).

    Examples
    --------
    >>> float(four_pl_inverse(50.0, 100, 0, -7.6, -1))
    -7.6
    """
    y = np.asarray(y, dtype=float)
    with np.errstate(all="ignore"):
        frac = (y - np.asarray(bottom, float)) / (
            np.asarray(top, float) - np.asarray(bottom, float)
        )
        return np.asarray(log_ic50, float) - np.log10(1.0 / frac - 1.0) / np.asarray(hill, float)


def canonical_four_pl(params: FloatArray, cov: FloatArray | None = None) -> tuple[FloatArray, ...]:
    """Swap (top, bottom) and negate hill where ``top < bottom``: the same curve, ``top >= bottom``.

    Parameters
    ----------
    params
        ``(C, 4)`` in :data:`PARAMS` order.
    cov
        Optional ``(C, 4, 4)`` covariance, permuted and sign-flipped accordingly.

    Examples
    --------
    >>> import numpy as np
    >>> canonical_four_pl(np.array([[0.0, 100.0, -7.0, 1.0]]))[0]
    array([[100.,   0.,  -7.,  -1.]])
    """
    p = np.array(params, dtype=float, copy=True)
    swap = p[:, 0] < p[:, 1]
    perm = np.array([1, 0, 2, 3])
    sign = np.array([1.0, 1.0, 1.0, -1.0])
    p[swap] = p[swap][:, perm] * sign
    if cov is None:
        return (p,)
    c = np.array(cov, dtype=float, copy=True)
    cs = c[swap][:, perm][:, :, perm]
    with np.errstate(invalid="ignore"):
        c[swap] = cs * sign[None, :, None] * sign[None, None, :]
    return p, c


# ---------------------------------------------------------------------------- batched model


def _func(x: FloatArray, p: FloatArray) -> FloatArray:
    u = _exp10z(x, p[:, 2:3], p[:, 3:4])
    u += 1.0
    np.divide(p[:, 0:1] - p[:, 1:2], u, out=u)
    u += p[:, 1:2]
    return u


def _jac(x: FloatArray, p: FloatArray) -> FloatArray:
    """The Jacobian of :func:`_func_jac` (its values cost two more array operations)."""
    return _func_jac(x, p)[1]


def _func_jac(x: FloatArray, p: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Values and Jacobian from one exponential (the engine's fused trial evaluation)."""
    top, bottom, log_ic50, hill = p[:, 0:1], p[:, 1:2], p[:, 2:3], p[:, 3:4]
    d = log_ic50 - x
    out = np.empty((4, *d.shape))
    u = np.multiply(d, LN10 * hill, out=out[1])
    np.minimum(u, EXP_CLIP, out=u)
    np.exp(u, out=u)
    s = np.add(u, 1.0, out=out[0])
    np.divide(1.0, s, out=s)
    s1 = np.multiply(u, s, out=out[1])
    span = top - bottom
    f = s * span
    f += bottom
    core = s * s1
    core *= -LN10 * span
    np.multiply(core, hill, out=out[2])
    np.multiply(core, d, out=out[3])
    return f, out.transpose(1, 2, 0)


def _masked_range(v: FloatArray, mask: NDArray[np.bool_]) -> tuple[FloatArray, FloatArray]:
    lo = np.min(np.where(mask, v, np.inf), axis=1)
    hi = np.max(np.where(mask, v, -np.inf), axis=1)
    ok = np.isfinite(lo) & np.isfinite(hi)
    return np.where(ok, lo, 0.0), np.where(ok, hi, 0.0)


def _guess(x: FloatArray, y: FloatArray, mask: NDArray[np.bool_]) -> FloatArray:
    """Data-driven start: plateaus from the extremes, direction from the x–y covariance."""
    ymin, ymax = _masked_range(y, mask)
    n = np.maximum(mask.sum(axis=1), 1)
    xm = np.sum(np.where(mask, x, 0.0), axis=1) / n
    ym = np.sum(np.where(mask, y, 0.0), axis=1) / n
    cxy = np.sum(np.where(mask, (x - xm[:, None]) * (y - ym[:, None]), 0.0), axis=1)
    hill = np.where(cxy <= 0, -1.0, 1.0)
    mid = 0.5 * (ymin + ymax)
    dist = np.where(mask, np.abs(y - mid[:, None]), np.inf)
    log_ic50 = np.take_along_axis(x, np.argmin(dist, axis=1)[:, None], axis=1)[:, 0]
    return np.stack([ymax, ymin, log_ic50, hill], axis=1)


#: Grid of starts: Hill slopes (magnitudes, falling) × logIC50 positions across the tested range.
GRID_HILLS: tuple[float, ...] = (-0.6, -1.6)
GRID_STEPS = 6


def _linear_plateaus(
    sum_s: FloatArray,
    a11: FloatArray,
    b1: FloatArray,
    sum_w: FloatArray,
    sum_wy: FloatArray,
    yy: FloatArray,
    fallback: FloatArray,
) -> tuple[FloatArray, ...]:
    """Best top/bottom for a fixed curve shape ``s``: the 2×2 weighted linear least squares.

    ``Y = bot + (top − bot)·s`` is linear in the plateaus; from the sums ``Σw s``, ``Σw s²``,
    ``Σw s y``, ``Σw``, ``Σw y`` and ``Σw y²`` return ``top, bot`` (``fallback`` where the system
    is singular), the RSS (``inf`` there) and the cross terms ``a12, a22, b2`` for callers that
    hold one plateau fixed.
    """
    a12 = sum_s - a11  # Σw s(1−s)
    a22 = sum_w - 2 * sum_s + a11  # Σw (1−s)²
    b2 = sum_wy - b1  # Σw (1−s) y
    det = a11 * a22 - a12 * a12
    ok = det > 1e-12 * np.maximum(a11 * a22, 1e-300)
    with np.errstate(all="ignore"):
        top = np.where(ok, (b1 * a22 - b2 * a12) / det, np.nan)
        bot = np.where(ok, (a11 * b2 - a12 * b1) / det, np.nan)
        # the RSS of a linear least-squares solution: Σwy² − βᵀb
        rss = np.where(ok, yy - top * b1 - bot * b2, np.inf)
    top = np.where(ok, top, fallback)
    bot = np.where(ok, bot, fallback)
    return top, bot, rss, a12, a22, b2


def _starts(
    x: FloatArray,
    y: FloatArray,
    mask: NDArray[np.bool_],
    fixed: FloatArray | None = None,
    n_best: int = 4,
    hills: list[float] | None = None,
) -> FloatArray:
    """Grid of (log_ic50, hill) starts; top/bottom solved linearly for each (variable projection).

    Returns the ``n_best`` grid points of lowest RSS per curve, ``(C, n_best, 4)``. ``hills``
    (default: from :data:`GRID_HILLS` and which parameters are fixed) are the grid's slopes.
    """
    c = x.shape[0]
    fixed = np.full((c, 4), np.nan) if fixed is None else fixed
    xlo, xhi = _masked_range(x, mask)
    w = mask.astype(float)
    fix_top, fix_bot = fixed[:, 0], fixed[:, 1]
    both_free = ~np.isfinite(fix_top) & ~np.isfinite(fix_bot)
    if hills is None:
        hills = list(GRID_HILLS)
        if not np.all(both_free):
            hills += [-h for h in GRID_HILLS]  # direction is then not absorbed by top/bottom
        if np.all(np.isfinite(fixed[:, 3])):
            hills = [float("nan")]
    fracs = np.linspace(-0.1, 1.1, GRID_STEPS)
    any_fixed_plateau = not np.all(both_free)
    full = bool(mask.all())  # every point used: w = 1, no multiplications by it
    sum_w = w.sum(axis=1)
    sum_wy = np.einsum("bn,bn->b", w, y)
    fallback = sum_wy / np.maximum(sum_w, 1)
    wy = y if full else w * y
    yy = np.einsum("bn,bn->b", wy, y)
    grid = [
        (
            np.where(np.isfinite(fixed[:, 3]), fixed[:, 3], h0),
            np.where(np.isfinite(fixed[:, 2]), fixed[:, 2], xlo + f * (xhi - xlo)),
        )
        for h0 in hills
        for f in fracs
    ]
    # the usual plate layout: every curve has the same concentrations (and tested range), so
    # each grid point's fraction s is one row shared by all curves and the sums Σw s, Σw s²,
    # Σw s y of all grid points are three matrix products
    shared = (
        c > 1
        and bool(np.all(x == x[:1]))
        and bool(np.all(xlo == xlo[0]) and np.all(xhi == xhi[0]))
        and all(_constant(fixed[:, k]) for k in (2, 3))
    )
    if not shared and c > 1 and all(_constant(fixed[:, k]) for k in (2, 3)):
        # e.g. a few curves missing a whole concentration: the others still share one layout
        ref = int(np.argmax(mask.sum(axis=1)))
        same = np.all(x == x[ref], axis=1) & (xlo == xlo[ref]) & (xhi == xhi[ref])
        if 2 * same.sum() > c:
            out = np.empty((c, min(n_best, len(grid)), 4))
            for rows in (same, ~same):
                out[rows] = _starts(x[rows], y[rows], mask[rows], fixed[rows], n_best, hills)
            return out
    if shared:
        srows = np.stack([_fraction(x[0], li[0], h[0]) for h, li in grid])  # (G, N)
        # (C, N) × (N, G) products with N ~ 12 by einsum: a BLAS call this small spends more
        # time waking its threads than multiplying (milliseconds, erratically)
        if full:
            sum_all = np.broadcast_to(srows.sum(axis=1), (c, len(grid)))
            a11_all = np.broadcast_to((srows * srows).sum(axis=1), (c, len(grid)))
        else:
            sum_all = np.einsum("cn,gn->cg", w, srows)
            a11_all = np.einsum("cn,gn->cg", w, srows * srows)
        b1_all = np.einsum("cn,gn->cg", wy, srows)
        if not any_fixed_plateau:
            return _best_shared(grid, sum_all, a11_all, b1_all, sum_w, sum_wy, yy, fallback, n_best)
    # candidates as (C, G) tables, one per quantity (no (C, G, 4) stack of every grid point)
    all_rss, tops, bots = (np.empty((c, len(grid))) for _ in range(3))
    for g, (h, log_ic50) in enumerate(grid):
        if shared:
            s = srows[g][None, :]
            sum_s, a11, b1 = sum_all[:, g], a11_all[:, g], b1_all[:, g]
        else:
            # s = 1 / (1 + 10**((log_ic50 - x)·h)), computed in one buffer
            s = np.subtract(log_ic50[:, None], x)
            s *= (LN10 * h)[:, None]
            np.minimum(s, EXP_CLIP, out=s)
            np.exp(s, out=s)
            s += 1.0
            np.divide(1.0, s, out=s)
            ws = s if full else w * s
            sum_s = np.einsum("bn->b", ws)
            a11 = np.einsum("bn,bn->b", ws, s)
            b1 = np.einsum("bn,bn->b", ws, y)
        top, bot, rss, a12, a22, b2 = _linear_plateaus(sum_s, a11, b1, sum_w, sum_wy, yy, fallback)
        if any_fixed_plateau:
            with np.errstate(all="ignore"):
                # one plateau fixed: least squares for the other one
                top_1 = (b1 - fix_bot * a12) / a11
                bot_1 = (b2 - fix_top * a12) / a22
            top = np.where(np.isfinite(fix_bot), top_1, top)
            bot = np.where(np.isfinite(fix_top), bot_1, bot)
            top = np.where(np.isfinite(fix_top), fix_top, top)
            bot = np.where(np.isfinite(fix_bot), fix_bot, bot)
            top = np.where(np.isfinite(top), top, fallback)
            bot = np.where(np.isfinite(bot), bot, fallback)
            res = w * (y - bot[:, None] - (top - bot)[:, None] * s)
            rss = np.where(both_free, rss, np.einsum("bn,bn->b", res, res))
        all_rss[:, g] = np.where(np.isfinite(rss), rss, np.inf)
        tops[:, g], bots[:, g] = top, bot
    k = min(n_best, all_rss.shape[1])
    best = np.argsort(all_rss, axis=1, kind="stable")[:, :k]
    logs = np.stack([li for _, li in grid], axis=1)
    hs = np.stack([h for h, _ in grid], axis=1)
    return np.stack([np.take_along_axis(v, best, axis=1) for v in (tops, bots, logs, hs)], axis=-1)


def _best_shared(
    grid: list[tuple[FloatArray, FloatArray]],
    sum_all: FloatArray,
    a11_all: FloatArray,
    b1_all: FloatArray,
    sum_w: FloatArray,
    sum_wy: FloatArray,
    yy: FloatArray,
    fallback: FloatArray,
    n_best: int,
) -> FloatArray:
    """:func:`_starts` for a shared layout with free plateaus: every grid point at once."""
    a11, b1 = a11_all.T, b1_all.T  # (G, C)
    sum_s = np.broadcast_to(sum_all.T, a11.shape)
    top, bot, rss = _linear_plateaus(sum_s, a11, b1, sum_w, sum_wy, yy, fallback)[:3]
    all_rss = np.where(np.isfinite(rss), rss, np.inf)
    k = min(n_best, all_rss.shape[0])
    best = np.argsort(all_rss, axis=0, kind="stable")[:k]  # (k, C)
    logs = np.stack([li for _, li in grid])
    hs = np.stack([h for h, _ in grid])
    out = np.stack([np.take_along_axis(v, best, axis=0) for v in (top, bot, logs, hs)], axis=-1)
    return np.ascontiguousarray(out.transpose(1, 0, 2))


def _compiled_starts(
    x: FloatArray,
    y: FloatArray,
    sw: FloatArray,
    mask: NDArray[np.bool_],
    fixed: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
    n_keep: int,
) -> FloatArray | None:
    """Guess, grid and ranking in one compiled pass (None: a case it does not cover).

    Covered: no parameter fixed (then :func:`_starts` uses :data:`GRID_HILLS` on every curve).
    Returns the ``n_keep`` best of [:func:`_guess`, 4 best grid points] by weighted RSS, as the
    engine's own ranking would. Curves at the same concentrations share the grid's curve
    shapes (computed once), as in :func:`_starts`.
    """
    kernel = starts_kernel()
    c, npts = x.shape
    if kernel is None or c == 0 or npts == 0 or np.isfinite(fixed).any():
        return None
    fracs = np.linspace(-0.1, 1.1, GRID_STEPS)
    grid = [(h0, f) for h0 in GRID_HILLS for f in fracs]
    # the grid's curve shapes once, on the curve with most points, for every curve at the same
    # concentrations and tested range (the kernel checks the range; others compute their own)
    ref = int(np.argmax(mask.sum(axis=1)))
    xr = x[ref][mask[ref]]
    xlo, xhi = (float(xr.min()), float(xr.max())) if xr.size else (0.0, 0.0)
    srows = np.stack([_fraction(x[ref], xlo + f * (xhi - xlo), h) for h, f in grid])
    same_x = np.all((x == x[ref]) | ~mask, axis=1) if c > 1 else np.zeros(c, dtype=bool)
    n_best = 4
    out = np.empty((c, min(n_keep, 1 + n_best), 4))
    kernel(
        np.ascontiguousarray(x, dtype=float),
        np.ascontiguousarray(y, dtype=float),
        np.ascontiguousarray(sw, dtype=float),
        np.ascontiguousarray(mask, dtype=bool),
        srows,
        np.array([xlo, xhi]),
        same_x,
        np.array([f for _, f in grid]),
        np.array([h for h, _ in grid]),
        np.ascontiguousarray(lower, dtype=float),
        np.ascontiguousarray(upper, dtype=float),
        n_best,
        out,
    )
    return out


def _constant(v: FloatArray) -> bool:
    """All NaN, or all the same value."""
    return bool(np.all(np.isnan(v)) or np.all(v == v[0]))


# ---------------------------------------------------------------------------- compiled kernels


@cache
def _kernels() -> ModuleType | None:
    """:mod:`assaykit.binding._kernels_4pl` (numba), imported on first use; None without numba."""
    try:
        from assaykit.binding import _kernels_4pl
    except ImportError:  # pragma: no cover - numba is a dependency; the numpy paths remain
        return None
    return _kernels_4pl


def _kernel(name: str) -> Callable[..., Any] | None:
    k = _kernels()
    return None if k is None else getattr(k, name)


def lm_kernel() -> Callable[..., None] | None:
    """The 4PL's compiled Levenberg–Marquardt (``Model.kernel`` of :data:`FOUR_PL`), or None."""
    return _kernel("lm_four_pl")


def starts_kernel() -> Callable[..., None] | None:
    """The compiled guess + grid + ranking of starts, or None without numba.

    Signature ``(x, y, sw, mask, srows, ref_range, same_x, grid_frac, grid_hill, lo, hi,
    n_best, out)``. ``out`` ``(C, K, 4)`` receives the ``K`` best of [data-driven guess,
    ``n_best`` best grid points] ranked by weighted RSS — what :func:`_guess`, :func:`_starts`
    and the engine's ranking compute on whole arrays. The grid is ``hill = grid_hill[g]``,
    ``log_ic50 = xlo + grid_frac[g]·(xhi − xlo)`` over each curve's tested range; ``srows``
    ``(G, N)`` are its curve shapes on a reference curve with tested range ``ref_range``, used
    for the curves with ``same_x`` and that range (others compute their own).
    """
    return _kernel("starts_four_pl")


def residuals_kernel() -> Callable[..., None] | None:
    """The compiled 4PL residual pass of :func:`assaykit.binding._verdicts.judge`, or None.

    Signature ``(x, y, w, valid, params, level, out_resid, out_ss0, out_yscale)``: per curve the
    weighted residuals ``√w (y − f(x))`` at the valid points (0 elsewhere), the sum of squares
    about a horizontal line at ``level`` (NaN: the weighted mean) and the largest ``|y|``.
    """
    return _kernel("four_pl_residuals")


def summaries_kernel() -> Callable[..., None] | None:
    """The compiled per-curve summary of raw points of :mod:`assaykit.binding.fit`, or None.

    Signature ``(conc, resp, xlog, w, n_rows, out_valid, out_ints, out_flts)``: usable points
    and, per curve, ``out_ints`` = (n, non-positive concentrations, missing values, unusable
    weights, distinct concentrations) and ``out_flts`` = (scale, response range / scale, xmin,
    xmax).
    """
    return _kernel("summaries")


#: The variable-slope 4PL as a batched model (``x`` = log10 M), parameters :data:`PARAMS`.
FOUR_PL = Model(
    "4pl",
    PARAMS,
    _func,
    _jac,
    _guess,
    _starts,
    func_jac=_func_jac,
    kernel=lm_kernel,
    ranked_starts=_compiled_starts,
)
