"""Generic compiled pieces of the engine (numba), found lazily; nothing here knows a model.

A model's own compiled Levenberg–Marquardt (e.g. the 4PL's, :mod:`assaykit.binding._kernels_4pl`)
is handed to the engine by the model itself (``Model.kernel``, a loader; docs/fitting.md); it
runs the generic iterations :func:`assaykit.fitting._numba_kernels.lm_batch` with the
model's normal equations — the same algorithm as the numpy engine
(:func:`assaykit.fitting.lm.lm`), agreeing to rounding (tests/fitting/test_kernels.py).

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

__all__ = ["collapse_kernel", "covariance_kernel", "rout_kernel"]


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
    :func:`assaykit.fitting.covariance.covariance`; the other curves are left to its
    eigen-decomposition.
    """
    kernels = _compiled()
    return None if kernels is None else kernels.get("covariance")


@cache
def _compiled() -> dict[str, Callable[..., Any]] | None:
    try:
        from assaykit.fitting import _numba_kernels as nk
    except ImportError:  # pragma: no cover - numba is a dependency; the numpy path remains
        return None
    return {"collapse": nk.collapse, "rout": nk.rout, "covariance": nk.covariance}
