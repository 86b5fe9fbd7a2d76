"""numba kernels of the 4PL (imported only when a kernel is asked for, see :mod:`.curves`).

The 4PL's compiled pieces handed to the generic engine (:mod:`assaykit.fitting`): its normal
equations for the engine's Levenberg–Marquardt (:func:`lm_four_pl` runs
:func:`assaykit.fitting._numba_kernels.lm_batch` with them), its guess + grid +
ranking of starts, and the residual pass and point summaries of :mod:`.fit` / :mod:`._verdicts`.

Module-level functions, so that numba's on-disk cache finds them again in the next process. The
constants are repeated here, not imported, because the cache is invalidated by changes to this
file only (:func:`lm_four_pl`, which inlines the generic LM, is decorated with
:data:`~assaykit.fitting._numba_kernels.model_jit`: edits to that module recompile it too).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from assaykit.fitting._numba_kernels import (
    _stable_order,
    inline,
    jit,
    lm_batch,
    model_jit,
)

#: As :data:`assaykit.binding.curves.LN10` / ``EXP_CLIP``: ln(10)·z is clipped before exp.
LN10 = math.log(10.0)
EXP_CLIP = 700.0

_jit, _inline = jit, inline

# ---------------------------------------------------------------------------- 4PL LM


@_inline
def _normal_equations(x: Any, y: Any, sw: Any, p: Any, free: Any, a: Any, g: Any, u: Any) -> Any:
    """RSS, ``JᵀJ`` (a) and ``Jᵀr`` (g) of one 4PL curve at ``p``; unused points skipped.

    The model is bottom + (top − bottom) / (1 + 10**((log_ic50 − x)·hill)); its four
    derivatives and the ten distinct entries of ``JᵀJ`` are held in registers. The
    exponentials are taken first, into the scratch ``u``: a call into libm in the
    accumulating loop would spill every accumulator around it.
    """
    top, bottom, log_ic50, hill = p[0], p[1], p[2], p[3]
    f0 = 1.0 if free[0] else 0.0
    f1 = 1.0 if free[1] else 0.0
    f2 = 1.0 if free[2] else 0.0
    f3 = 1.0 if free[3] else 0.0
    span = top - bottom
    scale_z = LN10 * hill
    scale_core = -LN10 * span
    rss = 0.0
    g0 = g1 = g2 = g3 = 0.0
    a00 = a10 = a11 = a20 = a21 = a22 = a30 = a31 = a32 = a33 = 0.0
    npts = x.shape[0]
    for i in range(npts):
        t = (log_ic50 - x[i]) * scale_z
        u[i] = math.exp(min(t, EXP_CLIP))
    for i in range(npts):
        w = sw[i]
        if w == 0.0:
            continue
        d = log_ic50 - x[i]
        s = 1.0 / (1.0 + u[i])
        s1 = u[i] * s
        core = s * s1 * scale_core
        ri = w * (y[i] - (span * s + bottom))
        rss += ri * ri
        j0 = w * f0 * s
        j1 = w * f1 * s1
        j2 = w * f2 * core * hill
        j3 = w * f3 * core * d
        g0 += j0 * ri
        g1 += j1 * ri
        g2 += j2 * ri
        g3 += j3 * ri
        a00 += j0 * j0
        a10 += j1 * j0
        a11 += j1 * j1
        a20 += j2 * j0
        a21 += j2 * j1
        a22 += j2 * j2
        a30 += j3 * j0
        a31 += j3 * j1
        a32 += j3 * j2
        a33 += j3 * j3
    g[0], g[1], g[2], g[3] = g0, g1, g2, g3
    a[0, 0], a[1, 1], a[2, 2], a[3, 3] = a00, a11, a22, a33
    a[1, 0] = a[0, 1] = a10
    a[2, 0] = a[0, 2] = a20
    a[2, 1] = a[1, 2] = a21
    a[3, 0] = a[0, 3] = a30
    a[3, 1] = a[1, 3] = a31
    a[3, 2] = a[2, 3] = a32
    finite = math.isfinite(rss + g0 + g1 + g2 + g3)
    finite = finite and math.isfinite(a00 + a10 + a11 + a20 + a21 + a22)
    finite = finite and math.isfinite(a30 + a31 + a32 + a33)
    return rss, finite


@model_jit
def lm_four_pl(
    x,
    y,
    sw,
    p0,
    free,
    lo,
    hi,
    max_iter,
    xtol,
    ftol,
    gtol,
    out_p,
    out_rss,
    out_conv,
    out_nit,
    out_jtj,
):  # pragma: no cover - compiled; its Python body is not what runs
    """The engine's LM on every 4PL curve (signature of ``Model.kernel``, see docs/fitting.md)."""
    lm_batch(
        _normal_equations,
        x,
        y,
        sw,
        p0,
        free,
        lo,
        hi,
        max_iter,
        xtol,
        ftol,
        gtol,
        out_p,
        out_rss,
        out_conv,
        out_nit,
        out_jtj,
    )


# ---------------------------------------------------------------------------- starts


@_inline
def _weighted_rss(
    x: Any, y: Any, sw: Any, top: float, bot: float, log_ic50: float, hill: float
) -> Any:
    """As the engine's ranking: Σ (√w (y − f))², f evaluated as the numpy model does."""
    scale_z = LN10 * hill
    span = top - bot
    rss = 0.0
    for i in range(x.shape[0]):
        u = math.exp(min((log_ic50 - x[i]) * scale_z, EXP_CLIP))
        r = sw[i] * (y[i] - (span / (1.0 + u) + bot))
        rss += r * r
    return rss if math.isfinite(rss) else math.inf


@_jit
def starts_four_pl(
    x, y, sw, mask, srows, ref_range, same_x, grid_frac, grid_hill, lo, hi, n_best, out
):  # pragma: no cover - compiled; its Python body is not what runs
    ncurves, npts = y.shape
    ngrid = grid_frac.shape[0]
    nkeep = out.shape[1]
    grid_rss = np.empty(ngrid)
    tops = np.empty(ngrid)
    bots = np.empty(ngrid)
    logs = np.empty(ngrid)
    gidx = np.empty(ngrid, dtype=np.int64)
    srow = np.empty(npts)
    cand = np.empty((1 + n_best, 4))
    crss = np.empty(1 + n_best)
    cidx = np.empty(1 + n_best, dtype=np.int64)
    for c in range(ncurves):
        xc, yc, swc, mc = x[c], y[c], sw[c], mask[c]
        # the data-driven guess: plateaus from the extremes, direction from cov(x, y)
        n = 0
        ymin = math.inf
        ymax = -math.inf
        xlo = math.inf
        xhi = -math.inf
        sx = 0.0
        sy = 0.0
        yy = 0.0
        for i in range(npts):
            if mc[i]:
                n += 1
                ymin = min(ymin, yc[i])
                ymax = max(ymax, yc[i])
                xlo = min(xlo, xc[i])
                xhi = max(xhi, xc[i])
                sx += xc[i]
                sy += yc[i]
                yy += yc[i] * yc[i]
        if not (math.isfinite(ymin) and math.isfinite(ymax)):
            ymin = ymax = 0.0
        if not (math.isfinite(xlo) and math.isfinite(xhi)):
            xlo = xhi = 0.0
        xm = sx / max(n, 1)
        ym = sy / max(n, 1)
        cxy = 0.0
        mid = 0.5 * (ymin + ymax)
        best_i = 0
        best_d = math.inf
        for i in range(npts):
            if mc[i]:
                cxy += (xc[i] - xm) * (yc[i] - ym)
                d = abs(yc[i] - mid)
                if d < best_d:
                    best_d = d
                    best_i = i
        cand[0, 0] = ymax
        cand[0, 1] = ymin
        cand[0, 2] = xc[best_i]
        cand[0, 3] = -1.0 if cxy <= 0 else 1.0
        for j in range(4):  # as the engine: a start that is not finite becomes 0
            if not math.isfinite(cand[0, j]):
                cand[0, j] = 0.0
        # grid of (logIC50, hill) shapes; plateaus by linear least squares on each
        sum_w = float(n)
        sum_wy = sy
        fallback = sum_wy / max(sum_w, 1.0)
        shared = same_x[c] and xlo == ref_range[0] and xhi == ref_range[1]
        for g in range(ngrid):
            log_g = xlo + grid_frac[g] * (xhi - xlo)
            logs[g] = log_g
            if shared:
                for i in range(npts):
                    srow[i] = srows[g, i]
            else:
                scale_z = LN10 * grid_hill[g]
                for i in range(npts):
                    if mc[i]:
                        srow[i] = 1.0 / (1.0 + math.exp(min((log_g - xc[i]) * scale_z, EXP_CLIP)))
            sum_s = 0.0
            a11 = 0.0
            b1 = 0.0
            for i in range(npts):
                if mc[i]:
                    sum_s += srow[i]
                    a11 += srow[i] * srow[i]
                    b1 += yc[i] * srow[i]
            a12 = sum_s - a11
            a22 = sum_w - 2 * sum_s + a11
            b2 = sum_wy - b1
            det = a11 * a22 - a12 * a12
            if det > 1e-12 * max(a11 * a22, 1e-300):
                top = (b1 * a22 - b2 * a12) / det
                bot = (a11 * b2 - a12 * b1) / det
                rss = yy - top * b1 - bot * b2
                grid_rss[g] = rss if math.isfinite(rss) else math.inf
            else:
                top = bot = fallback
                grid_rss[g] = math.inf
            tops[g] = top
            bots[g] = bot
        _stable_order(grid_rss, gidx, ngrid)
        for k in range(n_best):
            g = gidx[k]
            cand[1 + k, 0] = tops[g]
            cand[1 + k, 1] = bots[g]
            cand[1 + k, 2] = logs[g]
            cand[1 + k, 3] = grid_hill[g]
        # clip to the bounds, rank every candidate by its weighted RSS, keep the best
        for k in range(1 + n_best):
            for j in range(4):
                cand[k, j] = min(max(cand[k, j], lo[c, j]), hi[c, j])
            crss[k] = _weighted_rss(xc, yc, swc, cand[k, 0], cand[k, 1], cand[k, 2], cand[k, 3])
        _stable_order(crss, cidx, 1 + n_best)
        for k in range(nkeep):
            for j in range(4):
                out[c, k, j] = cand[cidx[k], j]


# ---------------------------------------------------------------------------- 4PL residuals


@_jit
def four_pl_residuals(
    x, y, w, valid, params, level, out_resid, out_ss0, out_yscale
):  # pragma: no cover - compiled; its Python body is not what runs
    ncurves, npts = y.shape
    for c in range(ncurves):
        top, bottom, log_ic50, hill = params[c, 0], params[c, 1], params[c, 2], params[c, 3]
        scale_z = LN10 * hill
        yscale = 0.0
        wsum = 0.0
        wy = 0.0
        for i in range(npts):
            if valid[c, i]:
                yscale = max(yscale, abs(y[c, i]))
                wsum += w[c, i]
                wy += w[c, i] * y[c, i]
                u = math.exp(min((log_ic50 - x[c, i]) * scale_z, EXP_CLIP))
                s = 1.0 / (1.0 + u)
                out_resid[c, i] = math.sqrt(w[c, i]) * (y[c, i] - (bottom + (top - bottom) * s))
            else:
                out_resid[c, i] = 0.0
        out_yscale[c] = yscale
        lev = level[c] if math.isfinite(level[c]) else wy / wsum
        ss = 0.0
        for i in range(npts):
            if valid[c, i]:
                ss += w[c, i] * (y[c, i] - lev) ** 2
        out_ss0[c] = ss


# ---------------------------------------------------------------------------- point summaries


@_jit
def summaries(
    conc, resp, xlog, w, n_rows, out_valid, out_ints, out_flts
):  # pragma: no cover - compiled; its Python body is not what runs
    ncurves, width = resp.shape
    xbuf = np.empty(width)
    for c in range(ncurves):
        n = nonpos = missing = bad_weight = 0
        scale = 0.0
        ymax = -math.inf
        ymin = math.inf
        xmin = math.inf
        xmax = -math.inf
        in_order = True
        for i in range(width):
            ok = False
            if i < n_rows[c]:
                cf = math.isfinite(conc[c, i])
                rf = math.isfinite(resp[c, i])
                if cf and conc[c, i] <= 0:
                    nonpos += 1
                if not (cf and rf):
                    missing += 1
                if math.isfinite(xlog[c, i]) and rf:
                    if math.isfinite(w[c, i]):
                        ok = True
                    else:
                        bad_weight += 1
            out_valid[c, i] = ok
            if ok:
                r = resp[c, i]
                xv = xlog[c, i]
                scale = max(scale, abs(r))
                ymax = max(ymax, r)
                ymin = min(ymin, r)
                if n > 0 and xv < xbuf[n - 1]:
                    in_order = False
                xbuf[n] = xv
                n += 1
                xmin = min(xmin, xv)
                xmax = max(xmax, xv)
        if not (math.isfinite(scale) and scale > 0):
            scale = 1.0
        if not in_order:
            xbuf[:n] = np.sort(xbuf[:n])
        distinct = 0
        if n > 0:
            distinct = 1
            for i in range(1, n):
                if xbuf[i] - xbuf[i - 1] > 1e-9:
                    distinct += 1
        out_ints[c, 0] = n
        out_ints[c, 1] = nonpos
        out_ints[c, 2] = missing
        out_ints[c, 3] = bad_weight
        out_ints[c, 4] = distinct
        out_flts[c, 0] = scale
        out_flts[c, 1] = ymax / scale - ymin / scale
        out_flts[c, 2] = xmin if math.isfinite(xmin) else math.nan
        out_flts[c, 3] = xmax if math.isfinite(xmax) else math.nan
