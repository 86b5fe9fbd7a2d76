"""Profile-likelihood confidence limits, vectorised across curves.

For parameter θ the limit is where the best RSS with θ held fixed reaches
``RSS_min · (1 + t²/df)``, ``t = t((1+level)/2, df)`` — the F-based limit that R's ``confint``
on an ``nls`` fit (MASS profile) reports, solved here to a tolerance rather than interpolated.
Every curve is profiled at once: each trial value is one batched refit of all curves.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from assaykit.fitting.model import FloatArray, Model
from assaykit.fitting.prep import param_matrix
from assaykit.fitting.solver import FitResult, least_squares

__all__ = ["profile_ci"]


def _refit(
    model: Model,
    x: FloatArray,
    y: FloatArray,
    mask: NDArray[np.bool_],
    weights: ArrayLike | None,
    fixed: FloatArray,
    lower: Mapping[str, ArrayLike] | None,
    upper: Mapping[str, ArrayLike] | None,
    p0: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    spec = {name: fixed[:, k] for k, name in enumerate(model.param_names)}
    res = least_squares(
        model, x, y, mask, p0=p0, fixed=spec, lower=lower, upper=upper, weights=weights
    )
    return res.rss, res.params


def profile_ci(
    model: Model,
    x: ArrayLike,
    y: ArrayLike,
    mask: ArrayLike,
    fit: FitResult,
    name: str,
    *,
    fixed: Mapping[str, ArrayLike] | None = None,
    lower: Mapping[str, ArrayLike] | None = None,
    upper: Mapping[str, ArrayLike] | None = None,
    weights: ArrayLike | None = None,
    level: float = 0.95,
    max_steps: int = 12,
    tol: float = 1e-7,
) -> tuple[FloatArray, FloatArray]:
    """Profile-likelihood limits of parameter ``name`` for every curve of a batched fit.

    Parameters
    ----------
    model, x, y, mask, weights, fixed, lower, upper
        As given to :func:`~assaykit.fitting.least_squares` for ``fit``.
    fit
        The full fit (its optimum, RSS, df and SEs seed the search).
    name
        Parameter to profile.
    level
        Confidence level.
    max_steps
        Doubling steps (from one SE) allowed to bracket each limit; a limit not bracketed is
        returned as ``-inf``/``inf`` (the profile never reaches the cut-off: unbounded).
    tol
        Absolute tolerance on the limits.

    Returns
    -------
    low, high : numpy.ndarray
        Limits per curve (NaN where the fit has no finite SE or df < 1).

    Examples
    --------
    >>> import numpy as np
    >>> from assaykit.fitting import Model
    >>> line = Model("line", ("a", "b"), lambda x, p: p[:, :1] + p[:, 1:2] * x,
    ...              lambda x, p: np.stack([np.ones_like(x), x], axis=-1))
    >>> x = np.arange(6.0)[None]; y = np.array([[0.1, 1.1, 1.9, 3.2, 3.9, 5.1]])
    >>> fit = least_squares(line, x, y, p0=[0.0, 1.0])
    >>> lo, hi = profile_ci(line, x, y, np.ones_like(x, bool), fit, "b")
    >>> # a linear model: the profile limits equal the Wald limits
    >>> wald = fit.param("b") + np.array([-1, 1]) * 2.776445 * fit.stderr("b")
    >>> bool(np.allclose([lo[0], hi[0]], wald, atol=1e-6))
    True
    """
    xa, ya = np.asarray(x, float), np.asarray(y, float)
    m = np.asarray(mask, bool)
    k = model.index(name)
    nc = ya.shape[0]
    theta = fit.params[:, k]
    se = fit.se[:, k]
    df = fit.df.astype(float)
    usable = np.isfinite(theta) & np.isfinite(se) & (se > 0) & (df >= 1) & np.isfinite(fit.rss)
    t = stats.t.ppf(0.5 + level / 2, np.where(df >= 1, df, 1))
    target = fit.rss * (1 + t**2 / np.where(df >= 1, df, 1))
    base_fix = param_matrix(fixed, model, nc)
    limits = []
    for side in (-1.0, 1.0):
        # bracket: g(θ) = sqrt(RSS(θ) − RSS_min) − sqrt(target − RSS_min) changes sign
        inner = theta.copy()
        g_inner = -np.sqrt(np.maximum(target - fit.rss, 0))
        outer = np.full(nc, np.nan)
        g_outer = np.full(nc, np.nan)
        p_inner = fit.params.copy()
        step = se.copy()
        open_ = usable.copy()
        for _ in range(max_steps):
            if not open_.any():
                break
            idx = np.flatnonzero(open_)
            trial = theta[idx] + side * step[idx]
            fx = base_fix[idx].copy()
            fx[:, k] = trial
            rss, par = _refit(
                model, xa[idx], ya[idx], m[idx], _sub(weights, idx), fx, lower, upper, p_inner[idx]
            )
            g = np.sqrt(np.maximum(rss - fit.rss[idx], 0)) - np.sqrt(
                np.maximum(target[idx] - fit.rss[idx], 0)
            )
            crossed = np.isfinite(g) & (g >= 0)
            ci, cn = idx[crossed], idx[~crossed]
            outer[ci], g_outer[ci] = trial[crossed], g[crossed]
            ok_in = ~crossed & np.isfinite(g)
            inner[idx[ok_in]] = trial[ok_in]
            g_inner[idx[ok_in]] = g[ok_in]
            p_inner[idx[ok_in]] = par[ok_in]
            open_[ci] = False
            step[cn] *= 2.0
        unbounded = open_
        # refine by the Illinois variant of regula falsi (g is close to linear in θ)
        active = usable & ~unbounded & np.isfinite(outer)
        last = np.zeros(nc, dtype=int)
        for _ in range(60):
            idx = np.flatnonzero(active & (np.abs(outer - inner) > tol))
            if idx.size == 0:
                break
            gi, go = g_inner[idx], g_outer[idx]
            with np.errstate(all="ignore"):
                trial = inner[idx] - gi * (outer[idx] - inner[idx]) / (go - gi)
            bad = ~np.isfinite(trial) | ((trial - inner[idx]) * (trial - outer[idx]) >= 0)
            trial = np.where(bad, 0.5 * (inner[idx] + outer[idx]), trial)
            fx = base_fix[idx].copy()
            fx[:, k] = trial
            rss, par = _refit(
                model, xa[idx], ya[idx], m[idx], _sub(weights, idx), fx, lower, upper, p_inner[idx]
            )
            g = np.sqrt(np.maximum(rss - fit.rss[idx], 0)) - np.sqrt(
                np.maximum(target[idx] - fit.rss[idx], 0)
            )
            g = np.where(np.isfinite(g), g, np.abs(go))
            hit = g >= 0
            # replace the end point with the same sign; halve the other's g if kept twice
            o = idx[hit]
            outer[o], g_outer[o] = trial[hit], g[hit]
            g_inner[o] = np.where(last[o] == 1, g_inner[o] / 2, g_inner[o])
            last[o] = 1
            i_ = idx[~hit]
            inner[i_], g_inner[i_] = trial[~hit], g[~hit]
            p_inner[i_] = par[~hit]
            g_outer[i_] = np.where(last[i_] == -1, g_outer[i_] / 2, g_outer[i_])
            last[i_] = -1
        lim = np.where(active, 0.5 * (inner + outer), np.nan)
        lim = np.where(usable & unbounded, side * np.inf, lim)
        limits.append(lim)
    return limits[0], limits[1]


def _sub(weights: ArrayLike | None, idx: NDArray[np.int_]) -> ArrayLike | None:
    if weights is None or isinstance(weights, str):
        return weights
    return np.asarray(weights, float)[idx]
