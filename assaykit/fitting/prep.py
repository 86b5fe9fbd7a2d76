"""Preparing batched problems: parameter matrices, weights, and replicate merging."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from assaykit.fitting.model import FloatArray, Model

__all__ = ["collapse_replicates", "param_matrix", "weights_from"]

BoolArray = NDArray[np.bool_]


def param_matrix(
    spec: Mapping[str, ArrayLike] | None, model: Model, n_curves: int, fill: float = np.nan
) -> FloatArray:
    """``(C, P)`` matrix from ``{name: scalar or per-curve array}``; unnamed entries are ``fill``.

    Examples
    --------
    >>> import numpy as np
    >>> m = Model("m", ("a", "b"), lambda x, p: x, lambda x, p: x)
    >>> param_matrix({"b": [1.0, np.nan]}, m, 2)
    array([[nan,  1.],
           [nan, nan]])
    """
    out = np.full((n_curves, model.n_params), fill, dtype=float)
    for name, value in (spec or {}).items():
        v = np.asarray(value, dtype=float)
        if v.ndim > 1 or (v.ndim == 1 and v.shape[0] != n_curves):
            raise ValueError(f"value for {name!r} must be a scalar or one value per curve")
        out[:, model.index(name)] = v
    return out


def weights_from(y: FloatArray, scheme: str | ArrayLike | None) -> FloatArray:
    """Weights for a weighting scheme: ``None`` (1), ``"1/y2"`` (relative), ``"poisson"`` (1/y).

    Points whose weight is not finite and positive (e.g. ``y <= 0`` under relative weighting) get
    weight NaN, which the solver treats as missing.

    Examples
    --------
    >>> import numpy as np
    >>> weights_from(np.array([[1.0, 2.0, 0.0, -1.0]]), "1/y2")
    array([[1.  , 0.25,  nan,  nan]])
    """
    y = np.asarray(y, dtype=float)
    if scheme is None or (isinstance(scheme, str) and scheme == "none"):
        w = np.ones_like(y)
    elif isinstance(scheme, str):
        with np.errstate(divide="ignore", invalid="ignore"):
            if scheme == "1/y2":
                w = 1.0 / y**2
            elif scheme == "poisson":
                w = 1.0 / y
            else:
                raise ValueError(f"unknown weighting {scheme!r}; use None, '1/y2' or 'poisson'")
    else:
        w = np.broadcast_to(np.asarray(scheme, dtype=float), y.shape).copy()
    ok = np.isfinite(w) & (w > 0) & np.isfinite(y)
    if isinstance(scheme, str) and scheme in ("1/y2", "poisson"):
        ok &= y > 0  # relative weights need a positive response
    return np.where(ok, w, np.nan)


def collapse_replicates(
    x: FloatArray, y: FloatArray, w: FloatArray, m: BoolArray, *, compiled: bool = False
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray, FloatArray]:
    """Merge points sharing an x within a curve (replicates) into their weighted mean.

    ``Σ w_i (y_i − f)² = W (ȳ_w − f)² + Σ w_i (y_i − ȳ_w)²`` for points at one x, so least
    squares on the means with weights ``W = Σ w_i`` gives the same estimates and the same
    ``JᵀWJ``; the second (pure-error) term is returned per curve and added to the RSS.
    Returns ``x, y, sqrt(W), mask`` of shape ``(C, U)`` and the pure-error sum of squares.
    ``compiled``: merge the runs with :func:`assaykit.fitting.kernels.collapse_kernel` (same
    sums, one pass) when numba is available.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1.0, 1.0, 2.0, 2.0]])
    >>> y = np.array([[1.0, 3.0, 5.0, 5.0]])
    >>> xc, yc, sw, mc, pe = collapse_replicates(x, y, np.ones_like(y), np.ones_like(y, bool))
    >>> xc.tolist(), yc.tolist(), (sw**2).round(12).tolist(), pe.tolist()
    ([[1.0, 2.0]], [[2.0, 5.0]], [[2.0, 2.0]], [2.0])
    """
    nc, npt = y.shape
    key = np.where(m, x, np.inf)
    ws = np.where(m, w, 0.0)
    ym = np.where(m, y, 0.0)
    kernel = None
    if compiled:
        from assaykit.fitting.kernels import collapse_kernel

        kernel = collapse_kernel()
    if kernel is not None:
        # one pass per curve; unused points may stay where they are (ragged rows need no sort)
        xc, yc, wsum = np.empty((nc, npt)), np.empty((nc, npt)), np.empty((nc, npt))
        mc = np.empty((nc, npt), dtype=bool)
        dev = np.empty(nc)
        width = kernel(key, ym, ws, xc, yc, wsum, mc, dev)
        if width < 0:  # some row out of order: sort the rows, then merge
            key, ym, ws = _sort_rows(key, ym, ws)
            width = kernel(key, ym, ws, xc, yc, wsum, mc, dev)
        return xc[:, :width], yc[:, :width], np.sqrt(wsum[:, :width]), mc[:, :width], dev
    xs, ys = key, ym
    if not np.all(key[:, 1:] >= key[:, :-1]):  # usually sorted already: no reordering
        xs, ys, ws = _sort_rows(key, ym, ws)
    if m.all():
        brk = xs[:, 1:] != xs[:, :-1]
        if np.all(brk == brk[:1]):  # every curve has the same layout of replicates
            first = np.flatnonzero(np.concatenate([[True], brk[0]]))
            sizes = np.diff(np.append(first, npt))
            wsum = np.add.reduceat(ws, first, axis=1)
            wy = np.add.reduceat(ws * ys, first, axis=1)
            with np.errstate(all="ignore"):
                yc = wy / wsum
            mc = wsum > 0
            yc = np.where(mc, yc, 0.0)
            dev = np.einsum("bn,bn->b", ws, (ys - np.repeat(yc, sizes, axis=1)) ** 2)
            return xs[:, first], yc, np.sqrt(wsum), mc, dev
    # runs of equal x in the flattened rows: one reduceat per sum, no per-row work
    xf, yf, wf = xs.ravel(), ys.ravel(), ws.ravel()
    new = np.empty(nc * npt, dtype=bool)
    new[0] = True
    np.not_equal(xf[1:], xf[:-1], out=new[1:])
    new[::npt] = True  # every curve starts a new run
    starts = np.flatnonzero(new)
    row = starts // npt
    wyf = wf * yf
    wsum_g = np.add.reduceat(wf, starts)
    wy_g = np.add.reduceat(wyf, starts)
    keep = np.isfinite(xf[starts])  # the run of masked points (x = inf) is dropped
    # position of each run within its curve
    first = np.searchsorted(row, np.arange(nc))
    col = np.arange(starts.size) - first[row]
    width = max(int(col[keep].max()) + 1 if keep.any() else 1, 1)
    xc = np.zeros((nc, width))
    wsum = np.zeros((nc, width))
    wy = np.zeros((nc, width))
    rk, ck = row[keep], col[keep]
    xc[rk, ck] = xf[starts[keep]]
    wsum[rk, ck] = wsum_g[keep]
    wy[rk, ck] = wy_g[keep]
    mc = np.zeros((nc, width), dtype=bool)
    mc[rk, ck] = wsum_g[keep] > 0
    with np.errstate(all="ignore"):
        yc = np.where(mc, wy / np.where(mc, wsum, 1.0), 0.0)
        # run means, spread back over the points for the pure-error sum Σ w (y − ȳ_w)²
        mean_g = np.where(wsum_g > 0, wy_g / np.where(wsum_g > 0, wsum_g, 1.0), 0.0)
    sizes = np.diff(np.append(starts, nc * npt))
    back = np.repeat(mean_g, sizes)
    dev = wf * (yf - back) ** 2
    dev = np.where(wf > 0, dev, 0.0).reshape(nc, npt).sum(axis=1)
    return xc, yc, np.sqrt(wsum), mc, dev


def _sort_rows(key: FloatArray, *others: FloatArray) -> tuple[FloatArray, ...]:
    """``key`` sorted within each row (stably), and ``others`` in the same order."""
    order = np.argsort(key, axis=1, kind="stable")
    return tuple(np.take_along_axis(v, order, axis=1) for v in (key, *others))
