"""Batched Levenberg–Marquardt least squares: many curves fitted at once, no loop over curves.

Every curve is one row of padded 2-D arrays ``x, y`` with a boolean ``mask`` of usable points.
The solver is Marquardt's damped Gauss–Newton with MINPACK's diagonal scaling (the running
maximum of the column norms of the Jacobian), one damping factor per curve (Nielsen's update),
normal equations solved by a batched Cholesky factorisation (a failed pivot counts as a
rejected step), and per-curve convergence tests on the step, the relative reduction of the sum
of squares and the gradient. Fixed parameters have their Jacobian column removed; bounds are
enforced by projecting each trial point onto the box.

Standard errors follow R ``nls`` / ``minpack.lm`` and GraphPad: ``cov = s² (JᵀWJ)⁻¹`` with
``s² = RSS / df``, the inverse taken through an eigen-decomposition of the column-scaled matrix
so that a (near-)singular matrix is detected instead of inverted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from assaykit.fitting.linalg import chol_inverse, chol_solve, normal_equations
from assaykit.fitting.model import FloatArray, Model
from assaykit.fitting.prep import collapse_replicates, param_matrix, weights_from
from assaykit.fitting.problem import Problem as _Problem
from assaykit.fitting.problem import normal as _normal
from assaykit.fitting.problem import rowdot as _rowdot

__all__ = ["FitResult", "least_squares"]

BoolArray = NDArray[np.bool_]

#: Reciprocal condition number below which JᵀWJ counts as singular (parameters not identifiable).
RCOND = 1e-13

#: Curves per block: batches of more than 1.5 blocks are fitted in blocks of about this size (the
#: working arrays then stay in cache and memory is reused; a curve's fit does not depend on its batch).
BLOCK = 2_500

#: The LM working set is compacted when this fraction of it has finished.
COMPACT = 0.25


@dataclass
class FitResult:
    """Per-curve results of a batched fit (arrays with one row per curve).

    Attributes
    ----------
    params, se
        ``(C, P)`` estimates and standard errors (``inf`` when not identifiable, 0 when fixed).
    cov
        ``(C, P, P)`` covariance ``s² (JᵀWJ)⁻¹`` (rows/columns of fixed parameters are 0).
    rss, df, n, r_squared
        Weighted residual sum of squares, residual degrees of freedom, points used, R².
    converged, n_iter, identifiable
        Convergence flag, LM iterations (of the best start), finite covariance.
    free
        ``(C, P)`` which parameters were estimated.
    """

    model: Model
    params: FloatArray
    se: FloatArray
    cov: FloatArray
    rss: FloatArray
    df: NDArray[np.int_]
    n: NDArray[np.int_]
    r_squared: FloatArray
    converged: BoolArray
    n_iter: NDArray[np.int_]
    identifiable: BoolArray
    free: BoolArray
    at_bound: BoolArray

    def param(self, name: str) -> FloatArray:
        """Estimates of parameter ``name`` (one per curve)."""
        return self.params[:, self.model.index(name)]

    def stderr(self, name: str) -> FloatArray:
        """Standard errors of parameter ``name`` (one per curve)."""
        return self.se[:, self.model.index(name)]

    def to_frame(self) -> pd.DataFrame:
        """Long table: one row per curve × parameter (``curve, param, estimate, se, fixed``).

        Examples
        --------
        >>> import numpy as np
        >>> line = Model("line", ("a", "b"), lambda x, p: p[:, :1] + p[:, 1:2] * x,
        ...              lambda x, p: np.stack([np.ones_like(x), x], axis=-1))
        >>> res = least_squares(line, [[0.0, 1, 2]], [[1.1, 2.9, 5.0]], p0=[0, 0], fixed={"a": 1})
        >>> res.to_frame().round(3)
           curve param  estimate     se  fixed
        0      0     a      1.00  0.000   True
        1      0     b      1.98  0.042  False
        """
        nc, npar = self.params.shape
        return pd.DataFrame(
            {
                "curve": np.repeat(np.arange(nc), npar),
                "param": np.tile(np.array(self.model.param_names, dtype=object), nc),
                "estimate": self.params.ravel(),
                "se": self.se.ravel(),
                "fixed": ~self.free.ravel(),
            }
        )


def _lm(
    prob: _Problem,
    p: FloatArray,
    free: BoolArray,
    lower: FloatArray,
    upper: FloatArray,
    *,
    max_iter: int,
    xtol: float,
    ftol: float,
    gtol: float,
) -> tuple[FloatArray, FloatArray, BoolArray, NDArray[np.int_]]:
    """Run LM on every row; return params, rss, converged, iterations.

    The working set holds only the curves still iterating: it is compacted (rows copied out)
    when a quarter of it has finished, so every iteration works on whole arrays. Parameters,
    normal equations and their factorisation are held parameter-major (``(P, W)``,
    ``(P, P, W)``): every step is a few dozen operations on whole ``(W,)``/``(W, N)`` arrays.
    """
    nb, npar = p.shape
    p = np.clip(p, lower, upper)
    r = prob.resid(None, p)
    rss = _rowdot(r, r)
    ys = prob.sw * prob.y
    tiny = 1e-28 * np.maximum(_rowdot(ys, ys), 1e-300)
    out_p, out_rss = p.copy(), rss.copy()
    out_conv = np.zeros(nb, dtype=bool)
    out_nit = np.zeros(nb, dtype=int)
    diag_idx = np.arange(npar)
    # working set (rows `rows` of the problem), parameter-major
    rows = np.flatnonzero(np.isfinite(rss))
    sub = prob if rows.size == nb else prob.take(rows)
    r, rss, tiny, fr = r[rows], rss[rows], tiny[rows], free[rows]
    pt, lo, hi = (np.ascontiguousarray(v[rows].T) for v in (p, lower, upper))
    frt = np.ascontiguousarray(fr.T)
    nw = rows.size
    lam = np.full(nw, 1e-3)
    nu = np.full(nw, 2.0)
    dscale = np.zeros((npar, nw))
    amat = np.zeros((npar, npar, nw))
    grad = np.zeros((npar, nw))
    need = np.ones(nw, dtype=bool)
    done = np.zeros(nw, dtype=bool)
    conv = np.zeros(nw, dtype=bool)
    nit = np.zeros(nw, dtype=int)
    all_free = bool(fr.all())
    fused = prob.model.func_jac is not None
    bounded = bool(np.isfinite(lower).any() or np.isfinite(upper).any())
    for _ in range(max_iter):
        if done.any():
            # write back finished rows; compact when a quarter of the working set is done
            fin = np.flatnonzero(done)
            out_p[rows[fin]], out_rss[rows[fin]] = pt[:, fin].T, rss[fin]
            out_conv[rows[fin]], out_nit[rows[fin]] = conv[fin], nit[fin]
            if done.all():
                nw = 0
                break
            if done.mean() >= COMPACT:
                keep = np.flatnonzero(~done)
                rows, sub = rows[keep], sub.take(keep)
                r, rss, tiny, fr, lam, nu, need, conv, nit = (
                    v[keep] for v in (r, rss, tiny, fr, lam, nu, need, conv, nit)
                )
                pt, lo, hi, frt, dscale, grad = (
                    v[:, keep] for v in (pt, lo, hi, frt, dscale, grad)
                )
                amat = amat[:, :, keep]
                done = np.zeros(keep.size, dtype=bool)
                nw = keep.size
        live = ~done
        if need.any():
            if need.mean() > 0.5:
                amat, grad = _normal(sub.jac(None, pt.T, fr), r)
            else:
                nj = np.flatnonzero(need)
                a_n, g_n = _normal(sub.jac(nj, pt[:, nj].T, fr[nj]), r[nj])
                amat[:, :, nj], grad[:, nj] = a_n, g_n
            np.maximum(dscale, np.sqrt(amat[diag_idx, diag_idx]), out=dscale)
            need[:] = False
        diag = amat[diag_idx, diag_idx]
        with np.errstate(all="ignore"):
            cosine = np.abs(grad) / np.sqrt(diag * np.maximum(rss, 1e-300))
        cosine = np.where(diag > 0, cosine, 0.0).max(axis=0)
        stop = live & ((cosine <= gtol) | (rss <= tiny))
        conv |= stop
        done |= stop
        live &= ~stop
        if not live.any():
            continue
        d = np.where(dscale > 0, dscale, 1.0)
        m = amat.copy()
        m[diag_idx, diag_idx] += lam * d**2
        g = grad
        if not all_free:
            m[diag_idx, diag_idx] = np.where(frt, m[diag_idx, diag_idx], 1.0)
            g = np.where(frt, grad, 0.0)
        delta, ok = chol_solve(m, g)
        delta = np.where((ok & live) & frt, delta, 0.0)
        pn = pt + delta
        if bounded:
            pn = np.minimum(np.maximum(pn, lo), hi)
            delta = pn - pt
        cols_n: list[FloatArray | None] = []
        if fused:
            rn, cols_n = sub.resid_jac(pn.T, fr)
        else:
            rn = sub.resid(None, pn.T)
        rssn = _rowdot(rn, rn)
        ad = np.zeros_like(delta)
        for k in range(npar):
            ad += amat[:, k] * delta[k]
        pred = np.einsum("pb,pb->b", delta, 2 * grad - ad)
        accept = live & ok & np.isfinite(rssn) & (rssn < rss)
        nit += live
        with np.errstate(all="ignore"):
            rho = (rss - rssn) / pred
            dd, dp = d * delta, d * pt
            dnorm = np.sqrt(np.einsum("pb,pb->b", dd, dd))
            pnorm = np.sqrt(np.einsum("pb,pb->b", dp, dp))
            rel_red = (rss - rssn) / rss
            rel_pred = pred / rss
        small_step = dnorm <= xtol * (pnorm + xtol)
        small_red = accept & (np.abs(rel_red) <= ftol) & (np.abs(rel_pred) <= ftol)
        np.copyto(pt, pn, where=accept)
        np.copyto(r, rn, where=accept[:, None])
        rss = np.where(accept, rssn, rss)
        if fused:
            # the Jacobian at the trial point is at hand: update JᵀJ and Jᵀr where accepted
            with np.errstate(all="ignore"):
                an, gn = normal_equations(cols_n, rn)
            good = accept & np.isfinite(an).all(axis=(0, 1)) & np.isfinite(gn).all(axis=0)
            np.copyto(amat, an, where=good)
            np.copyto(grad, gn, where=good)
            with np.errstate(invalid="ignore"):
                dn = np.sqrt(an[diag_idx, diag_idx])
            np.copyto(dscale, np.maximum(dscale, dn), where=good)
            need = accept & ~good
        else:
            need = accept.copy()
        rho_a = np.clip(np.nan_to_num(rho, nan=0.0), 0.0, 1.0)
        factor = np.where(accept, np.maximum(1.0 / 3.0, 1.0 - (2.0 * rho_a - 1.0) ** 3), nu)
        lam = np.where(live, np.maximum(lam * factor, 1e-15), lam)
        nu = np.where(accept, 2.0, np.where(live, nu * 2.0, nu))
        fin = live & ((small_step & ok) | small_red)
        conv |= fin
        done |= fin | (live & (lam > 1e16))
    if nw:
        out_p[rows], out_rss[rows] = pt.T, rss
        out_conv[rows], out_nit[rows] = conv, nit
    return out_p, out_rss, out_conv, out_nit


def _jtj(prob: _Problem, p: FloatArray, free: BoolArray) -> FloatArray:
    """``JᵀWJ`` ``(P, P, C)`` at ``p``, non-finite Jacobian entries counted as 0."""
    cols = [
        None if c is None else np.where(np.isfinite(c), c, 0.0) for c in prob.jac(None, p, free)
    ]
    return normal_equations(cols, np.zeros_like(prob.y))[0]


def _refine(
    prob: _Problem,
    p: FloatArray,
    free: BoolArray,
    lower: FloatArray,
    upper: FloatArray,
    *,
    engine: str,
    max_iter: int,
    xtol: float,
    ftol: float,
    gtol: float,
) -> tuple[FloatArray, FloatArray, BoolArray, NDArray[np.int_], FloatArray | None]:
    """:func:`_lm`, or the model's compiled kernel (same algorithm) where there is one.

    The last item is the kernel's ``(C, P, P)`` ``JᵀJ`` at the returned parameters (NaN rows
    where it was not finite), or None from the numpy iterations.
    """
    kernel = None
    if engine == "auto" and prob.model.kernel is not None and prob.x.ndim == 2:
        from assaykit.fitting.kernels import lm_kernel

        kernel = lm_kernel(prob.model.kernel)
    if kernel is None:
        return (
            *_lm(prob, p, free, lower, upper, max_iter=max_iter, xtol=xtol, ftol=ftol, gtol=gtol),
            None,
        )
    nb = p.shape[0]
    out_p = np.empty_like(p)
    out_rss = np.empty(nb)
    out_conv = np.empty(nb, dtype=bool)
    out_nit = np.empty(nb, dtype=np.int64)
    out_jtj = np.empty((nb, p.shape[1], p.shape[1]))
    c = np.ascontiguousarray
    kernel(
        c(prob.x, dtype=float),
        c(prob.y, dtype=float),
        c(np.where(prob.mask, prob.sw, 0.0), dtype=float),
        c(p, dtype=float),
        c(free, dtype=bool),
        c(np.broadcast_to(lower, p.shape), dtype=float),
        c(np.broadcast_to(upper, p.shape), dtype=float),
        int(max_iter),
        float(xtol),
        float(ftol),
        float(gtol),
        out_p,
        out_rss,
        out_conv,
        out_nit,
        out_jtj,
    )
    return out_p, out_rss, out_conv, out_nit.astype(int), out_jtj


def _covariance(
    prob: _Problem,
    p: FloatArray,
    free: BoolArray,
    rss: FloatArray,
    df: NDArray[np.int_],
    jtj: FloatArray | None = None,
    *,
    compiled: bool = False,
) -> tuple[FloatArray, BoolArray]:
    """``s² (JᵀWJ)⁻¹`` per curve, and whether it is finite (parameters identifiable).

    The column-scaled matrix (unit diagonal) is inverted through its Cholesky factorisation;
    since its largest eigenvalue is at most ``P`` and its smallest at least
    ``1 / trace(inverse)``, that settles ``λ_min > RCOND · λ_max`` for almost every curve. The
    few others (near-singular) go through an eigen-decomposition, which decides singularity.
    ``jtj`` is ``(C, P, P)`` ``JᵀWJ`` at ``p`` for these ``free`` parameters when already at
    hand (from the compiled kernel); rows of it that are not finite are recomputed.
    ``compiled``: the Cholesky path in :func:`assaykit.fitting.kernels.covariance_kernel`.
    """
    nb, npar = p.shape
    redo = np.arange(nb) if jtj is None else np.flatnonzero(~np.isfinite(jtj).all(axis=(1, 2)))
    if redo.size == nb:
        a = np.ascontiguousarray(_jtj(prob, p, free).transpose(2, 0, 1))
    else:
        a = np.array(jtj, dtype=float)
        if redo.size:
            a[redo] = _jtj(prob.take(redo), p[redo], free[redo]).transpose(2, 0, 1)
    with np.errstate(all="ignore"):
        s2 = np.where(df > 0, rss / np.maximum(df, 1), np.nan)
    kernel = None
    if compiled:
        from assaykit.fitting.kernels import covariance_kernel

        kernel = covariance_kernel()
    if kernel is None:
        cov, singular = _scaled_inverse(a, free, s2)
    else:
        cov = np.empty_like(a)
        sure = np.empty(nb, dtype=bool)
        kernel(a, np.ascontiguousarray(free), s2, RCOND, cov, sure)
        singular = np.zeros(nb, dtype=bool)
        hard = np.flatnonzero(~sure)
        if hard.size:
            cov[hard], singular[hard] = _scaled_inverse(a[hard], free[hard], s2[hard])
    d = np.sqrt(np.einsum("bii->bi", a))
    ident = ~singular & np.all(~free | (d > 0), axis=1) & (df > 0)
    bad = ~ident
    cov[bad] = np.where(free[bad][:, :, None] & free[bad][:, None, :], np.inf, 0.0)
    return cov, ident


def _scaled_inverse(a: FloatArray, free: BoolArray, s2: FloatArray) -> tuple[FloatArray, BoolArray]:
    """``s² a⁻¹`` over the free parameters with a positive diagonal, and which are singular.

    ``a`` is ``(C, P, P)``; worked parameter-major (whole-array Cholesky), eigen-decomposition
    for the curves the Cholesky inverse does not settle.
    """
    nb, npar = free.shape
    a = np.ascontiguousarray(a.transpose(1, 2, 0))
    diag_idx = np.arange(npar)
    d = np.sqrt(a[diag_idx, diag_idx]).T  # (C, P)
    use = free & (d > 0)
    ds = np.where(use, d, 1.0)
    dsd = ds.T[:, None, :] * ds.T[None, :, :]
    eye = np.eye(npar, dtype=bool)[:, :, None]
    both = use.T[:, None, :] & use.T[None, :, :]
    with np.errstate(all="ignore"):
        scaled = a / dsd
    scaled = np.where(both, scaled, np.where(eye, 1.0, 0.0))
    scaled = np.where(np.isfinite(scaled), scaled, 0.0)
    inv, ok = chol_inverse(scaled)
    with np.errstate(all="ignore"):
        trace = np.sum(inv[diag_idx, diag_idx], axis=0)
        sure = ok & np.isfinite(inv).all(axis=(0, 1)) & (trace > 0) & (trace * RCOND * npar < 1)
    singular = np.zeros(nb, dtype=bool)
    inv = np.ascontiguousarray(inv.transpose(2, 0, 1))
    hard = np.flatnonzero(~sure)
    if hard.size:
        w, v = np.linalg.eigh(np.ascontiguousarray(scaled[:, :, hard].transpose(2, 0, 1)))
        wmax = np.max(np.abs(w), axis=1)
        singular[hard] = np.min(w, axis=1) <= RCOND * wmax
        winv = np.where(w > RCOND * wmax[:, None], 1.0 / np.where(w > 0, w, 1.0), 0.0)
        inv[hard] = np.einsum("bij,bj,bkj->bik", v, winv, v)
    inv /= dsd.transpose(2, 0, 1)
    cov = s2[:, None, None] * np.where(both.transpose(2, 0, 1), inv, 0.0)
    return cov, singular


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
        Bounds ``{name: value}``; trial points are projected onto the box.
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
        cands = _ranked_starts(prob, p0, fix, free, lo, hi, multistart, n_rescue)
    ns = cands.shape[1]
    # refine the best-ranked start of every curve; curves that do not converge get the next
    # n_rescue starts too, and each curve keeps its lowest RSS
    tols = {"max_iter": max_iter, "xtol": xtol, "ftol": ftol, "gtol": gtol}
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
    nfree = free.sum(axis=1)
    df = n - nfree
    with np.errstate(invalid="ignore"):
        tol_lo = 1e-10 * np.maximum(np.where(np.isfinite(lo), np.abs(lo), 1.0), 1.0)
        tol_hi = 1e-10 * np.maximum(np.where(np.isfinite(hi), np.abs(hi), 1.0), 1.0)
        at_bound = free & (
            (np.isfinite(lo) & (p <= np.where(np.isfinite(lo), lo, 0.0) + tol_lo))
            | (np.isfinite(hi) & (p >= np.where(np.isfinite(hi), hi, 0.0) - tol_hi))
        )
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


def _ranked_starts(
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
    nblocks = max(round(nc / BLOCK), 1)
    edges = np.linspace(0, nc, nblocks + 1).round().astype(int)
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
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        sl = slice(int(a), int(b))
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
