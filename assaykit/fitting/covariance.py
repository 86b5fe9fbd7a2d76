"""Covariance of batched fits: ``s² (JᵀWJ)⁻¹``, with singular matrices detected, not inverted.

Standard errors follow R ``nls`` / ``minpack.lm`` and GraphPad: ``cov = s² (JᵀWJ)⁻¹`` with
``s² = RSS / df``, the inverse taken through the column-scaled matrix so that a
(near-)singular matrix is detected instead of inverted.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from assaykit.fitting.linalg import chol_inverse, normal_equations
from assaykit.fitting.model import FloatArray
from assaykit.fitting.problem import Problem as _Problem

__all__ = ["RCOND", "covariance", "jtj"]

BoolArray = NDArray[np.bool_]

#: Reciprocal condition number below which JᵀWJ counts as singular (parameters not identifiable).
RCOND = 1e-13


def jtj(prob: _Problem, p: FloatArray, free: BoolArray) -> FloatArray:
    """``JᵀWJ`` ``(P, P, C)`` at ``p``, non-finite Jacobian entries counted as 0."""
    cols = [
        None if c is None else np.where(np.isfinite(c), c, 0.0) for c in prob.jac(None, p, free)
    ]
    return normal_equations(cols, np.zeros_like(prob.y))[0]


def covariance(
    prob: _Problem,
    p: FloatArray,
    free: BoolArray,
    rss: FloatArray,
    df: NDArray[np.int_],
    jtj_at_p: FloatArray | None = None,
    *,
    compiled: bool = False,
) -> tuple[FloatArray, BoolArray]:
    """``s² (JᵀWJ)⁻¹`` per curve, and whether it is finite (parameters identifiable).

    The column-scaled matrix (unit diagonal) is inverted through its Cholesky factorisation;
    since its largest eigenvalue is at most ``P`` and its smallest at least
    ``1 / trace(inverse)``, that settles ``λ_min > RCOND · λ_max`` for almost every curve. The
    few others (near-singular) go through an eigen-decomposition, which decides singularity.
    ``jtj_at_p`` is ``(C, P, P)`` ``JᵀWJ`` at ``p`` for these ``free`` parameters when already at
    hand (from the compiled kernel); rows of it that are not finite are recomputed.
    ``compiled``: the Cholesky path in :func:`assaykit.fitting.kernels.covariance_kernel`.
    """
    nb, npar = p.shape
    redo = (
        np.arange(nb)
        if jtj_at_p is None
        else np.flatnonzero(~np.isfinite(jtj_at_p).all(axis=(1, 2)))
    )
    if redo.size == nb:
        a = np.ascontiguousarray(jtj(prob, p, free).transpose(2, 0, 1))
    else:
        a = np.array(jtj_at_p, dtype=float)
        if redo.size:
            a[redo] = jtj(prob.take(redo), p[redo], free[redo]).transpose(2, 0, 1)
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
