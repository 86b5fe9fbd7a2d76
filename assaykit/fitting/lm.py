"""Batched Levenberg–Marquardt iterations: the numpy engine, or a model's compiled kernel.

Marquardt's damped Gauss–Newton with MINPACK's diagonal scaling (the running maximum of the
column norms of the Jacobian), one damping factor per curve (Nielsen's update), normal
equations solved by a batched Cholesky factorisation (a failed pivot counts as a rejected
step), and per-curve convergence tests on the step, the relative reduction of the sum of
squares and the gradient. Fixed parameters have their Jacobian column removed. Bounds by an
active set (projected LM): a parameter at its bound whose gradient points out of the box is
held for the step (its row and column of the damped normal equations replaced by the unit
ones) and left out of the gradient test; the trial point is projected onto the box. A bounded
fit thus converges to the constrained optimum (as R's ``nls(algorithm = "port")``) instead of
creeping along the bound until the iteration limit.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from assaykit.fitting.linalg import chol_solve, normal_equations
from assaykit.fitting.model import FloatArray
from assaykit.fitting.problem import Problem as _Problem
from assaykit.fitting.problem import normal as _normal
from assaykit.fitting.problem import rowdot as _rowdot

__all__ = ["lm", "refine"]

BoolArray = NDArray[np.bool_]

#: The LM working set is compacted when this fraction of it has finished.
COMPACT = 0.25


def lm(
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
                r, rss, tiny, lam, nu, nit = (v[keep] for v in (r, rss, tiny, lam, nu, nit))
                fr, need, conv = fr[keep], need[keep], conv[keep]
                pt, lo, hi, dscale, grad = (v[:, keep] for v in (pt, lo, hi, dscale, grad))
                frt = frt[:, keep]
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
        step_free = frt
        if bounded:
            # active set: a parameter at its bound with the gradient pushing outward is held
            # for this step and left out of the convergence test (projected LM)
            held = frt & (((pt <= lo) & (grad < 0)) | ((pt >= hi) & (grad > 0)))
            step_free = frt & ~held
        with np.errstate(all="ignore"):
            cosine = np.abs(grad) / np.sqrt(diag * np.maximum(rss, 1e-300))
        cosine = np.where((diag > 0) & step_free, cosine, 0.0).max(axis=0)
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
        if not all_free or bounded:
            # fixed and held parameters: a unit row and column, no step
            m = np.where(step_free[:, None, :] & step_free[None, :, :], m, 0.0)
            m[diag_idx, diag_idx] = np.where(step_free, m[diag_idx, diag_idx], 1.0)
            g = np.where(step_free, grad, 0.0)
        delta, ok = chol_solve(m, g)
        delta = np.where((ok & live) & step_free, delta, 0.0)
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


def refine(
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
    """:func:`lm`, or the model's compiled kernel (same algorithm) where there is one.

    The last item is the kernel's ``(C, P, P)`` ``JᵀJ`` at the returned parameters (NaN rows
    where it was not finite), or None from the numpy iterations.
    """
    kernel = None
    if engine == "auto" and prob.model.kernel is not None and prob.x.ndim == 2:
        kernel = prob.model.kernel()  # the model's loader: None without numba
    if kernel is None:
        return (
            *lm(prob, p, free, lower, upper, max_iter=max_iter, xtol=xtol, ftol=ftol, gtol=gtol),
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
