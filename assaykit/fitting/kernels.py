"""Compiled Levenberg–Marquardt for the 4PL: the same algorithm as the numpy engine, per curve.

:func:`assaykit.fitting.solver._lm` iterates all curves at once on whole arrays; at screening
scale (10⁴–10⁵ curves of a dozen points) its cost is dominated by dozens of passes over memory
per iteration. This module runs the identical algorithm — Marquardt's damped Gauss–Newton with
MINPACK's running column-norm scaling, Nielsen's damping update, Cholesky solves (a failed
pivot is a rejected step), box projection, and the same step / reduction / gradient tests —
one curve at a time in machine code (numba), so every curve's data stays in registers and
cache. Results agree with the numpy engine to rounding (tests/fitting/test_kernels.py).

The getters here import nothing heavy; the kernels themselves live in
:mod:`assaykit.fitting._numba_kernels`, imported on the first request. numba compiles them on
first use and caches the machine code on disk (``cache=True``); where no cache directory is
writable it compiles once per process instead. The getters return ``None`` when numba cannot be
imported, and the callers then use their numpy paths.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

__all__ = [
    "collapse_kernel",
    "covariance_kernel",
    "lm_kernel",
    "residuals_kernel",
    "rout_kernel",
    "starts_kernel",
    "summaries_kernel",
]


def lm_kernel(name: str) -> Callable[..., None] | None:
    """The compiled batch LM for model kernel ``name`` (``"four_pl"``), or None without numba.

    The returned function has the signature
    ``(x, y, sw, p0, free, lo, hi, max_iter, xtol, ftol, gtol, out_p, out_rss, out_conv,
    out_nit)`` with ``(C, N)`` float arrays ``x, y, sw`` (``sw`` = √weight, 0 for unused
    points), ``(C, P)`` ``p0, lo, hi`` and boolean ``free``; it fills the ``out_*`` arrays.
    """
    kernels = _compiled()
    return None if kernels is None else kernels.get(name)


def starts_kernel(name: str) -> Callable[..., None] | None:
    """The compiled start ranking for model ``name`` (``"four_pl"``), or None without numba.

    For ``"four_pl"`` the signature is ``(x, y, sw, mask, srows, ref_range, same_x, grid_frac,
    grid_hill, lo, hi, n_best, out)``. ``out`` ``(C, K, 4)`` receives the ``K`` best of
    [data-driven guess, ``n_best`` best grid points] ranked by weighted RSS — what
    :func:`assaykit.binding.curves._guess`, ``_starts`` and the engine's ranking compute on
    whole arrays. The grid is ``hill = grid_hill[g]``, ``log_ic50 = xlo + grid_frac[g]·(xhi −
    xlo)`` over each curve's tested range; ``srows`` ``(G, N)`` are its curve shapes on a
    reference curve with tested range ``ref_range`` (``xlo, xhi``), used for the curves with
    ``same_x`` and that range (others compute their own).
    """
    kernels = _compiled()
    return None if kernels is None else kernels.get(f"{name}_starts")


def collapse_kernel() -> Callable[..., int] | None:
    """The compiled replicate merge, or None without numba.

    Signature ``(xs, ys, ws, out_x, out_y, out_w, out_m, out_dev) -> width``: unused points
    have ``x = inf`` and weight 0 and may stand anywhere; each run of equal finite ``x`` becomes
    one point (weighted mean, weight sum) in the ``(C, N)`` outputs, packed left; the pure-error
    sum ``Σ w (y − ȳ_w)²`` goes to ``out_dev``; returns the widest row's run count, or −1 when
    the finite ``x`` of a row are not in ascending order (then sort first) — what
    :func:`assaykit.fitting.prep.collapse_replicates` computes with ``reduceat``.
    """
    kernels = _compiled()
    return None if kernels is None else kernels.get("collapse")


def rout_kernel() -> Callable[..., None] | None:
    """The compiled robust residual scale of ROUT, or None without numba.

    Signature ``(resid, mask, k, cut, out_t, out_cand, out_rsdr)``: per row the RSDR (68.27th
    percentile of the used ``|resid|``, linear interpolation, times ``N/(N−k)``), ``t =
    |resid| / RSDR`` (NaN off the mask) and the candidates ``t > cut`` — the first steps of
    :func:`assaykit.fitting.stats.rout_outliers`, with the same arithmetic.
    """
    kernels = _compiled()
    return None if kernels is None else kernels.get("rout")


def covariance_kernel() -> Callable[..., None] | None:
    """The compiled ``s² (JᵀWJ)⁻¹`` through the column-scaled Cholesky inverse, or None.

    Signature ``(a, free, s2, rcond, out_cov, out_sure)`` with ``a`` ``(C, P, P)``: per curve
    the covariance of the free parameters with a positive diagonal (0 elsewhere) and whether
    the Cholesky inverse settles ``λ_min > rcond · λ_max`` — the fast path of
    :func:`assaykit.fitting.solver._covariance`; the other curves are left to its
    eigen-decomposition.
    """
    kernels = _compiled()
    return None if kernels is None else kernels.get("covariance")


def residuals_kernel(name: str) -> Callable[..., None] | None:
    """The compiled residual pass of model ``name`` (``"four_pl"``), or None without numba.

    Signature ``(x, y, w, valid, params, level, out_resid, out_ss0, out_yscale)``: per curve the
    weighted residuals ``√w (y − f(x))`` at the valid points (0 elsewhere), the sum of squares
    about a horizontal line at ``level`` (NaN: the weighted mean) and the largest ``|y|`` — what
    :func:`assaykit.binding._verdicts.judge` computes on whole arrays.
    """
    kernels = _compiled()
    return None if kernels is None else kernels.get(f"{name}_residuals")


def summaries_kernel() -> Callable[..., None] | None:
    """The compiled per-curve summary of raw points, or None without numba.

    Signature ``(conc, resp, xlog, w, n_rows, out_valid, out_ints, out_flts)``: usable points
    and, per curve, ``out_ints`` = (n, non-positive concentrations, missing values, unusable
    weights, distinct concentrations) and ``out_flts`` = (scale, response range / scale, xmin,
    xmax) — what :func:`assaykit.binding.fit._summaries` computes on whole arrays.
    """
    kernels = _compiled()
    return None if kernels is None else kernels.get("summaries")


@cache
def _compiled() -> dict[str, Callable[..., Any]] | None:
    try:
        from assaykit.fitting import _numba_kernels as nk
    except ImportError:  # pragma: no cover - numba is a dependency; the numpy path remains
        return None
    return {
        "four_pl": nk.lm_four_pl,
        "four_pl_starts": nk.starts_four_pl,
        "collapse": nk.collapse,
        "rout": nk.rout,
        "covariance": nk.covariance,
        "four_pl_residuals": nk.four_pl_residuals,
        "summaries": nk.summaries,
    }
