"""Batched least squares: many curves fitted at once, no loop over curves.

Every curve is one row of padded 2-D arrays ``x, y`` with a boolean ``mask`` of usable points.
:func:`least_squares` prepares the problem (weights, replicate merge), ranks the starts, runs the
Levenberg–Marquardt iterations of :mod:`assaykit.fitting.lm` (numpy, or the model's compiled
kernel) and computes the covariance (:mod:`assaykit.fitting.covariance`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from assaykit.fitting.blocks import BLOCK, block_slices
from assaykit.fitting.covariance import RCOND
from assaykit.fitting.covariance import covariance as _covariance
from assaykit.fitting.lm import refine as _refine
from assaykit.fitting.model import FloatArray, Model
from assaykit.fitting.prep import collapse_replicates, param_matrix, weights_from
from assaykit.fitting.problem import Problem as _Problem
from assaykit.fitting.result import FitResult

__all__ = ["BLOCK", "RCOND", "FitResult", "WeightBy", "least_squares", "rank_starts"]

BoolArray = NDArray[np.bool_]

#: Where relative weights come from: the observed Y (``"data"``) or the fitted curve (``"fit"``).
WeightBy = Literal["data", "fit"]


def least_squares(
    model: Model,
    x: ArrayLike,
    y: ArrayLike,
    mask: ArrayLike | None = None,
    *,
    p0: ArrayLike | None = None,
    fixed: Mapping[str, ArrayLike] | None = None,
    lower: Mapping[str, ArrayLike] | None = None,
    upper: Mapping[str, ArrayLike] | None = None,
    weights: str | ArrayLike | None = None,
    multistart: bool = True,
    n_rescue: int = 3,
    max_iter: int = 200,
    xtol: float = 1e-10,
    ftol: float = 1e-15,
    gtol: float = 1e-10,
    collapse: bool = True,
    engine: str = "auto",
    weight_by: WeightBy = "data",
    reweight_tol: float = 1e-10,
    max_reweight: int = 100,
) -> FitResult:
    """Fit ``model`` to every row of ``x, y`` at once by (weighted) least squares.

    Parameters
    ----------
    model
        The model (function, Jacobian, ``guess`` and optional ``starts``).
    x, y
        ``(C, N)`` padded arrays, one curve per row (``x`` may have a trailing axis, see
        :func:`~assaykit.fitting.model.global_model`).
    mask
        ``(C, N)`` True for points to use; default: finite ``y`` (and finite ``x``).
    p0
        Starting values ``(P,)`` or ``(C, P)``; default ``model.guess``.
    fixed
        ``{name: value}`` (scalar or one per curve; NaN = free for that curve).
    lower, upper
        Bounds ``{name: value}`` (scalar or one per curve). Active-set LM: a parameter at its
        bound with the gradient pointing out of the box is held for the step and left out of
        the convergence test, so the fit converges to the constrained optimum (as R's
        ``nls(algorithm = "port")``). A parameter that ends at a bound is reported as GraphPad
        Prism does: treated as fixed there — ``at_bound`` True, SE NaN, left out of the
        covariance, and not counted in ``df`` (``df = n − free parameters not at a bound``).
    weights
        ``None``, ``"1/y2"``, ``"poisson"`` or a ``(C, N)`` array of weights.
    multistart
        Rank ``model.starts`` (and the guess) by RSS and refine the best one; curves that do
        not converge from it are refitted from the next ``n_rescue`` starts (lowest RSS kept).
    max_iter, xtol, ftol, gtol
        Iteration limit and MINPACK-style tolerances (step, relative reduction, gradient).
    collapse
        Fit replicates (points sharing an x in a curve) through their weighted means — exactly
        the same estimates, covariance and RSS (the pure-error part is added back), with a
        fraction of the work.
    engine
        ``"auto"``: the model's compiled kernel (:mod:`assaykit.fitting.kernels`) where it has
        one and numba is available, else the numpy iterations; ``"numpy"``: always numpy.
        Both run the same algorithm and agree to rounding.
    weight_by
        For ``weights="1/y2"`` / ``"poisson"``: ``"data"`` (default) weights by the observed
        Y (R ``nls``, GraphPad Prism 4); ``"fit"`` by the fitted curve (Prism 5 and later),
        iteratively reweighted: fitted with data weights first, then refitted with the weights
        of the curve until they settle (largest relative change ≤ ``reweight_tol``, at most
        ``max_reweight`` refits; a curve that does not settle is not ``converged``). Points
        where the curve is ≤ 0 get no weight; the estimates, SEs and RSS are those of the last
        weighted fit (the weights held fixed), as an iteratively reweighted ``nls`` in R.
    reweight_tol, max_reweight
        Settling tolerance and refit limit of ``weight_by="fit"``.

    Returns
    -------
    FitResult

    Examples
    --------
    >>> import numpy as np
    >>> expo = Model(
    ...     "exp", ("a", "k"),
    ...     func=lambda x, p: p[:, :1] * np.exp(-p[:, 1:2] * x),
    ...     jac=lambda x, p: np.stack(
    ...         [np.exp(-p[:, 1:2] * x), -x * p[:, :1] * np.exp(-p[:, 1:2] * x)], axis=-1),
    ... )
    >>> x = np.tile(np.linspace(0, 4, 9), (2, 1))
    >>> y = np.array([[5.0], [2.0]]) * np.exp(-np.array([[0.7], [1.3]]) * x)
    >>> res = least_squares(expo, x, y, p0=[1.0, 0.1])
    >>> np.round(res.params, 6)
    array([[5. , 0.7],
           [2. , 1.3]])
    >>> res.converged.tolist(), res.df.tolist()
    ([True, True], [7, 7])
    """
    if engine not in ("auto", "numpy"):
        raise ValueError(f"engine must be 'auto' or 'numpy', not {engine!r}")
    if weight_by not in ("data", "fit"):
        raise ValueError(f"weight_by must be 'data' or 'fit', not {weight_by!r}")
    if weight_by == "fit" and isinstance(weights, str) and weights in ("1/y2", "poisson"):
        options = {
            "p0": p0,
            "fixed": fixed,
            "lower": lower,
            "upper": upper,
            "multistart": multistart,
            "n_rescue": n_rescue,
            "max_iter": max_iter,
            "xtol": xtol,
            "ftol": ftol,
            "gtol": gtol,
            "collapse": collapse,
            "engine": engine,
        }
        return _weighted_by_fit(model, x, y, mask, weights, reweight_tol, max_reweight, options)
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    if ya.ndim != 2:
        raise ValueError("y must be 2-D (curves × points)")
    nc, npt = ya.shape
    if nc > 1.5 * BLOCK:
        return _in_blocks(
            model,
            xa,
            ya,
            mask,
            p0=p0,
            fixed=fixed,
            lower=lower,
            upper=upper,
            weights=weights,
            multistart=multistart,
            n_rescue=n_rescue,
            max_iter=max_iter,
            xtol=xtol,
            ftol=ftol,
            gtol=gtol,
            collapse=collapse,
            engine=engine,
        )
    xfin = np.isfinite(xa) if xa.ndim == 2 else np.all(np.isfinite(xa), axis=-1)
    m = np.isfinite(ya) & xfin
    if mask is not None:
        m &= np.asarray(mask, dtype=bool)
    if weights is None or (isinstance(weights, str) and weights == "none"):
        # unit weights (finite wherever y is): sqrt(1) = 1 on the mask, 0 off it
        sw = m.astype(float)
    else:
        w = weights_from(ya, weights)
        m &= np.isfinite(w)
        sw = np.sqrt(np.where(m, w, 0.0))
    sw2 = sw * sw
    yz = np.where(m, ya, 0.0)
    xz = np.where(xfin if xa.ndim == 2 else xfin[..., None], xa, 0.0)
    npar = model.n_params
    n = m.sum(axis=1)
    with np.errstate(all="ignore"):
        wsum = np.sum(sw2, axis=1)
        ybar = np.sum(sw2 * yz, axis=1) / wsum
        tss = np.sum(np.where(m, sw2 * (yz - ybar[:, None]) ** 2, 0.0), axis=1)
    pure_error = np.zeros(nc)
    if collapse and xa.ndim == 2 and npt > 1 and nc > 0:
        xc, yc, swc, mc, pe = collapse_replicates(xz, yz, sw2, m, compiled=engine == "auto")
        if xc.shape[1] < npt:  # replicates present: fit the means (same optimum, less work)
            xz, yz, sw, m, pure_error = xc, yc, swc, mc, pe
    # a curve with every point present and one weight throughout (e.g. the same number of
    # replicates at every x) is fitted unweighted: the same steps, RSS and JᵀWJ up to that factor
    wnorm = np.ones(nc)
    if m.all() and sw.shape[1] and np.all(sw == sw[:, :1]) and np.all(sw[:, 0] > 0):
        wnorm = sw[:, 0] ** 2
        sw = np.ones_like(sw)

    fix = param_matrix(fixed, model, nc)
    free = ~np.isfinite(fix)
    lo = np.nan_to_num(param_matrix(lower, model, nc), nan=-np.inf)
    hi = np.nan_to_num(param_matrix(upper, model, nc), nan=np.inf)
    lo = np.where(free, lo, -np.inf)
    hi = np.where(free, hi, np.inf)

    prob = _Problem(model, xz, yz, sw, m)
    cands = None
    if engine == "auto" and p0 is None and multistart and model.ranked_starts is not None:
        cands = model.ranked_starts(xz, yz, sw, m, fix, lo, hi, 1 + n_rescue)
    if cands is None:
        cands = rank_starts(prob, p0, fix, free, lo, hi, multistart, n_rescue)
    ns = cands.shape[1]
    # refine the best-ranked start of every curve; curves that do not converge get the next
    # n_rescue starts too, and each curve keeps its lowest RSS
    tols: dict[str, Any] = {"max_iter": max_iter, "xtol": xtol, "ftol": ftol, "gtol": gtol}
    p, rss, conv, nit, jtj = _refine(prob, cands[:, 0].copy(), free, lo, hi, engine=engine, **tols)
    retry = np.flatnonzero(~conv) if ns > 1 else np.array([], dtype=int)
    if retry.size:
        k = min(ns - 1, n_rescue)
        rep = np.repeat(retry, k)
        sub = _Problem(model, xz[rep], yz[rep], sw[rep], m[rep])
        p2, rss2, conv2, nit2, jtj2 = _refine(
            sub,
            cands[retry, 1 : k + 1].reshape(retry.size * k, npar).copy(),
            free[rep],
            lo[rep],
            hi[rep],
            engine=engine,
            **tols,
        )
        all_rss = np.concatenate([rss[retry, None], rss2.reshape(retry.size, k)], axis=1)
        all_p = np.concatenate([p[retry, None], p2.reshape(retry.size, k, npar)], axis=1)
        all_conv = np.concatenate([conv[retry, None], conv2.reshape(retry.size, k)], axis=1)
        all_nit = np.concatenate([nit[retry, None], nit2.reshape(retry.size, k)], axis=1)
        best = np.argmin(np.where(np.isfinite(all_rss), all_rss, np.inf), axis=1)
        ar = np.arange(retry.size)
        p[retry], rss[retry] = all_p[ar, best], all_rss[ar, best]
        conv[retry], nit[retry] = all_conv[ar, best], all_nit[ar, best]
        if jtj is not None and jtj2 is not None:
            all_jtj = np.concatenate(
                [jtj[retry, None], jtj2.reshape(retry.size, k, npar, npar)], axis=1
            )
            jtj[retry] = all_jtj[ar, best]
        else:
            jtj = None

    rss = rss * wnorm + pure_error
    with np.errstate(invalid="ignore"):
        tol_lo = 1e-10 * np.maximum(np.where(np.isfinite(lo), np.abs(lo), 1.0), 1.0)
        tol_hi = 1e-10 * np.maximum(np.where(np.isfinite(hi), np.abs(hi), 1.0), 1.0)
        at_bound = free & (
            (np.isfinite(lo) & (p <= np.where(np.isfinite(lo), lo, 0.0) + tol_lo))
            | (np.isfinite(hi) & (p >= np.where(np.isfinite(hi), hi, 0.0) - tol_hi))
        )
    # a parameter at a bound is reported as GraphPad Prism does: treated as fixed there (no SE,
    # left out of the covariance) and not counted as estimated (df one larger per bound hit)
    df = n - (free & ~at_bound).sum(axis=1)
    if jtj is not None:  # the kernel's JᵀJ has every LM-free parameter: not those at a bound
        jtj[at_bound.any(axis=1)] = np.nan
    cov, ident = _covariance(prob, p, free & ~at_bound, rss, df, jtj, compiled=engine == "auto")
    cov /= wnorm[:, None, None]
    se = np.sqrt(np.einsum("bii->bi", cov))
    se = np.where(at_bound, np.nan, se)
    with np.errstate(all="ignore"):
        r2 = np.where(tss > 0, 1.0 - rss / tss, np.nan)
    return FitResult(
        model=model,
        params=p,
        se=se,
        cov=cov,
        rss=rss,
        df=df,
        n=n,
        r_squared=r2,
        converged=conv & np.all(np.isfinite(p), axis=1) & np.isfinite(rss),
        n_iter=nit,
        identifiable=ident,
        free=free,
        at_bound=at_bound,
    )


def rank_starts(
    prob: _Problem,
    p0: ArrayLike | None,
    fix: FloatArray,
    free: BoolArray,
    lo: FloatArray,
    hi: FloatArray,
    multistart: bool,
    n_rescue: int,
) -> FloatArray:
    """``(C, K, P)`` starts: the guess (or ``p0``) and the model's ``starts``, best RSS first."""
    model, xz, yz, m = prob.model, prob.x, prob.y, prob.mask
    nc, npar = fix.shape
    if p0 is None:
        if model.guess is None:
            raise ValueError(f"model {model.name!r} has no guess(); give p0")
        start = np.asarray(model.guess(xz, yz, m), dtype=float)
    else:
        start = np.broadcast_to(np.asarray(p0, dtype=float), (nc, npar)).copy()
    start = np.where(free, start, fix)
    start = np.where(np.isfinite(start), start, 0.0)

    cands = start[:, None, :]
    if multistart and model.starts is not None and p0 is None:
        extra = np.asarray(model.starts(xz, yz, m, fix), dtype=float)
        extra = np.where(free[:, None, :], extra, fix[:, None, :])
        cands = np.concatenate([cands, extra], axis=1)
    cands = np.clip(cands, lo[:, None, :], hi[:, None, :])
    ns = cands.shape[1]
    if ns > 1:
        # rank the candidate starts by their RSS, one candidate at a time (no copies of the data)
        rss0 = np.empty((nc, ns))
        for k in range(ns):
            rk = prob.resid(None, cands[:, k])
            rss0[:, k] = np.einsum("bn,bn->b", rk, rk)
        rss0 = np.where(np.isfinite(rss0), rss0, np.inf)
        order = np.argsort(rss0, axis=1, kind="stable")[:, : 1 + n_rescue]
        cands = np.take_along_axis(cands, order[:, :, None], axis=1)
    return cands


#: Former private name (tests and callers of the previous layout).
_ranked_starts = rank_starts


def _in_blocks(
    model: Model,
    x: FloatArray,
    y: FloatArray,
    mask: ArrayLike | None,
    *,
    p0: ArrayLike | None,
    fixed: Mapping[str, ArrayLike] | None,
    lower: Mapping[str, ArrayLike] | None,
    upper: Mapping[str, ArrayLike] | None,
    weights: str | ArrayLike | None,
    **options: object,
) -> FitResult:
    """:func:`least_squares` on blocks of about :data:`BLOCK` curves, results concatenated."""
    nc = y.shape[0]
    m = None if mask is None else np.asarray(mask, dtype=bool)
    p0a = None if p0 is None else np.asarray(p0, dtype=float)
    w = weights
    if w is not None and not isinstance(w, str):
        w = np.broadcast_to(np.asarray(w, dtype=float), y.shape)

    def rows(spec: Mapping[str, ArrayLike] | None, sl: slice) -> dict[str, ArrayLike] | None:
        if spec is None:
            return None
        return {k: (np.asarray(v)[sl] if np.ndim(v) == 1 else v) for k, v in spec.items()}

    parts = []
    for sl in block_slices(nc):
        parts.append(
            least_squares(
                model,
                x[sl],
                y[sl],
                None if m is None else m[sl],
                p0=None if p0a is None else (p0a[sl] if p0a.ndim == 2 else p0a),
                fixed=rows(fixed, sl),
                lower=rows(lower, sl),
                upper=rows(upper, sl),
                weights=w if w is None or isinstance(w, str) else w[sl],
                **options,  # type: ignore[arg-type]
            )
        )
    fields = [f.name for f in dataclasses.fields(FitResult) if f.name != "model"]
    return FitResult(
        model=model, **{k: np.concatenate([getattr(r, k) for r in parts]) for k in fields}
    )


def _weighted_by_fit(
    model: Model,
    x: ArrayLike,
    y: ArrayLike,
    mask: ArrayLike | None,
    scheme: str,
    tol: float,
    max_reweight: int,
    options: dict[str, Any],
) -> FitResult:
    """:func:`least_squares` with relative weights from the fitted curve, iteratively reweighted."""
    xa = np.asarray(x, dtype=float)
    ya = np.asarray(y, dtype=float)
    xfin = np.isfinite(xa) if xa.ndim == 2 else np.all(np.isfinite(xa), axis=-1)
    m = np.isfinite(ya) & xfin
    if mask is not None:
        m &= np.asarray(mask, dtype=bool)
    xz = np.where(xfin if xa.ndim == 2 else xfin[..., None], xa, 0.0)
    res = least_squares(model, xa, ya, m, weights=scheme, **options)
    nc = ya.shape[0]
    settled = np.zeros(nc, dtype=bool)
    w_old = np.full(ya.shape, np.nan)
    todo = np.arange(nc)
    refit = {k: v for k, v in options.items() if k not in ("p0", "multistart")}
    for _ in range(max_reweight):
        with np.errstate(all="ignore"):
            f = model.func(xz[todo], res.params[todo])
        w = np.where(m[todo], weights_from(f, scheme), np.nan)
        fin, fin_old = np.isfinite(w), np.isfinite(w_old[todo])
        with np.errstate(all="ignore"):
            rel = np.abs(w / w_old[todo] - 1.0)
        # a point gaining or losing its weight is a change; a point without either is not
        change = np.where(fin & fin_old, rel, np.where(fin != fin_old, np.inf, 0.0)).max(axis=1)
        done = change <= tol
        settled[todo[done]] = True
        todo, w = todo[~done], w[~done]
        if todo.size == 0:
            break
        w_old[todo] = w
        sub = least_squares(
            model,
            xa[todo],
            ya[todo],
            m[todo] & np.isfinite(w),
            p0=res.params[todo],
            weights=np.where(np.isfinite(w), w, 1.0),
            multistart=False,
            **_rows(refit, todo, nc),
        )
        res = res.replace_rows(todo, sub)
    res.converged = res.converged & settled
    return res


def _rows(options: dict[str, Any], idx: NDArray[np.int_], nc: int) -> dict[str, Any]:
    """``fixed``/``lower``/``upper`` specs restricted to curves ``idx`` (others as they are)."""
    out = dict(options)
    for key in ("fixed", "lower", "upper"):
        spec = options.get(key)
        if spec is not None:
            out[key] = {
                k: (np.asarray(v)[idx] if np.ndim(v) == 1 and np.size(v) == nc else v)
                for k, v in spec.items()
            }
    return out
