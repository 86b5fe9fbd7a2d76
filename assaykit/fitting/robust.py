"""ROUT (Motulsky & Brown 2006): robust Lorentzian fit, robust SD of residuals, FDR outliers.

ROUT identifies outliers in a curve fit in three steps (BMC Bioinformatics 2006, 7:123):

1. a robust fit assuming Lorentzian (Cauchy) scatter, which minimises
   ``Σ ln(1 + (r_i / s)²)`` instead of ``Σ r_i²``; here by iteratively reweighted least squares
   with the engine (weights ``1 / (1 + (r_i / s)²)``, the scale ``s`` the RSDR of the current
   residuals, re-estimated every pass until the parameters settle) — so it works for every
   model the engine fits;
2. the robust SD of the residuals of that fit, ``RSDR = P68.27(|r|) · N / (N − K)``, and for
   every point ``t = |r| / RSDR`` with a two-sided P value from t(N − K); the points are tested
   with the false discovery rate ``Q`` (Benjamini–Hochberg: ranked by P, the point of rank
   ``j`` is compared with ``Q·j/N``, i.e. the largest residual with ``Q/N``, the next with
   ``2Q/N``, …, as the paper's ``Q(N − (i − 1))/N`` ranking from the smallest);
3. the outliers are removed and the rest fitted by ordinary (weighted) least squares — the
   caller's job (:func:`assaykit.binding.fit.fit_curves` with ``outliers="rout"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from assaykit.fitting.model import FloatArray, Model
from assaykit.fitting.result import FitResult
from assaykit.fitting.solver import _rows, least_squares
from assaykit.fitting.stats import rout_outliers, rsdr

__all__ = ["robust_fit", "rout"]


def robust_fit(
    model: Model,
    x: ArrayLike,
    y: ArrayLike,
    mask: ArrayLike | None = None,
    *,
    p0: ArrayLike | None = None,
    fixed: Mapping[str, ArrayLike] | None = None,
    lower: Mapping[str, ArrayLike] | None = None,
    upper: Mapping[str, ArrayLike] | None = None,
    weights: ArrayLike | None = None,
    max_passes: int = 100,
    tol: float = 1e-9,
    **options: Any,
) -> tuple[FitResult, FloatArray]:
    """Lorentzian (Cauchy) robust fit of every curve; returns the fit and the robust weights.

    Parameters
    ----------
    model, x, y, mask, fixed, lower, upper
        As for :func:`~assaykit.fitting.least_squares`.
    p0
        Start ``(P,)`` or ``(C, P)``; default: the least-squares fit.
    weights
        ``(C, N)`` weights of the scatter model (e.g. 1/y²), or None.
    max_passes, tol
        Reweighting passes at most, and the largest relative parameter change that ends them.
    options
        Passed to :func:`~assaykit.fitting.least_squares` (tolerances, ``engine``).

    Returns
    -------
    fit, robust_weights
        The last weighted fit (its ``params`` are the robust estimates; its SEs are not
        meaningful) and the ``(C, N)`` Lorentzian weights ``1/(1 + (r/s)²)`` of the last pass.

    Examples
    --------
    >>> import numpy as np
    >>> line = Model("line", ("a", "b"), lambda x, p: p[:, :1] + p[:, 1:2] * x,
    ...              lambda x, p: np.stack([np.ones_like(x), x], axis=-1))
    >>> x = np.arange(10.0)[None]
    >>> y = 1 + 2 * x + np.array([[0.1, -0.1, 0.05, -0.05, 0.0, 0.1, -0.1, 0.05, 30.0, -0.05]])
    >>> fit, u = robust_fit(line, x, y, p0=[0.0, 1.0])
    >>> np.round(fit.params, 1).tolist()  # least squares gives [-2.3, 3.3]: the outlier pulls
    [[1.0, 2.0]]
    """
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    xfin = np.isfinite(xa) if xa.ndim == 2 else np.all(np.isfinite(xa), axis=-1)
    m = np.isfinite(ya) & xfin
    if mask is not None:
        m &= np.asarray(mask, dtype=bool)
    base = np.ones_like(ya) if weights is None else np.asarray(weights, dtype=float)
    m &= np.isfinite(base) & (base > 0)
    base = np.where(m, base, 1.0)
    spec: dict[str, Any] = {"fixed": fixed, "lower": lower, "upper": upper}
    if p0 is None:
        fit = least_squares(model, xa, ya, m, weights=base, **spec, **options)
    else:
        fit = least_squares(model, xa, ya, m, p0=p0, weights=base, **spec, **options)
    xz = np.where(xfin if xa.ndim == 2 else xfin[..., None], xa, 0.0)
    nc = ya.shape[0]
    u = np.ones_like(ya)
    todo = np.arange(nc)
    for _ in range(max_passes):
        p_now = fit.params[todo]
        with np.errstate(all="ignore"):
            f = model.func(xz[todo], p_now)
            r = np.where(m[todo], np.sqrt(base[todo]) * (ya[todo] - f), 0.0)
        s = rsdr(r, m[todo], fit.free[todo].sum(axis=1))
        s = np.where(np.isfinite(s) & (s > 0), s, np.inf)  # no scale: least squares stays
        u[todo] = 1.0 / (1.0 + (r / s[:, None]) ** 2)
        new = least_squares(
            model,
            xa[todo],
            ya[todo],
            m[todo],
            p0=p_now,
            weights=base[todo] * u[todo],
            multistart=False,
            **_rows(spec, todo, nc),
            **options,
        )
        with np.errstate(all="ignore"):
            step = np.abs(new.params - p_now) / np.maximum(np.abs(p_now), 1e-12)
        fit = fit.replace_rows(todo, new)
        moving = np.where(np.isfinite(step), step, 0.0).max(axis=1) > tol
        todo = todo[moving]
        if todo.size == 0:
            break
    return fit, u


def rout(
    model: Model,
    x: ArrayLike,
    y: ArrayLike,
    mask: ArrayLike | None = None,
    *,
    q: float = 0.01,
    weights: ArrayLike | None = None,
    **options: Any,
) -> tuple[NDArray[np.bool_], FitResult]:
    """Outliers of every curve by ROUT with false discovery rate ``q`` (module docstring).

    Returns the ``(C, N)`` outlier mask and the robust fit. ``options`` go to
    :func:`robust_fit` (``p0``, ``fixed``, ``lower``, ``upper``, tolerances, ``engine``).

    Examples
    --------
    >>> import numpy as np
    >>> line = Model("line", ("a", "b"), lambda x, p: p[:, :1] + p[:, 1:2] * x,
    ...              lambda x, p: np.stack([np.ones_like(x), x], axis=-1))
    >>> x = np.arange(12.0)[None]
    >>> noise = np.array([[0.1, -0.1, 0.05, -0.05, 0.0, 0.1, -0.1, 0.05, 0.02, -0.05, 0.03, 0.0]])
    >>> y = 1 + 2 * x + noise
    >>> y[0, 11] += 5.0  # at the last x: high leverage
    >>> out, _ = rout(line, x, y, p0=[0.0, 1.0])
    >>> np.flatnonzero(out[0]).tolist()
    [11]
    """
    ya = np.asarray(y, dtype=float)
    fit, _ = robust_fit(model, x, y, mask, weights=weights, **options)
    xa = np.asarray(x, dtype=float)
    xfin = np.isfinite(xa) if xa.ndim == 2 else np.all(np.isfinite(xa), axis=-1)
    m = np.isfinite(ya) & xfin
    if mask is not None:
        m &= np.asarray(mask, dtype=bool)
    base = np.ones_like(ya) if weights is None else np.asarray(weights, dtype=float)
    m &= np.isfinite(base) & (base > 0)
    xz = np.where(xfin if xa.ndim == 2 else xfin[..., None], xa, 0.0)
    with np.errstate(all="ignore"):
        r = np.where(m, np.sqrt(np.where(m, base, 1.0)) * (ya - model.func(xz, fit.params)), 0.0)
    out = rout_outliers(r, m, fit.free.sum(axis=1), q=q)
    return out & np.all(np.isfinite(fit.params), axis=1)[:, None], fit
