"""numba kernels of :mod:`assaykit.fitting.kernels` (imported only when a kernel is asked for).

Module-level functions, so that numba's on-disk cache finds them again in the next process (a
kernel that closes over other compiled functions misses the cache and is compiled anew in every
process). The constants are repeated here, not imported, because the cache is invalidated by
changes to this file only.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numba
import numpy as np

#: As :data:`assaykit.binding.curves.LN10` / ``EXP_CLIP``: ln(10)·z is clipped before exp.
LN10 = math.log(10.0)
EXP_CLIP = 700.0
#: As :data:`assaykit.fitting.linalg.PIVOT_MIN`.
PIVOT_MIN = 1e-300


def _decorator(**options: Any) -> Any:
    """``numba.njit(cache=True)``, or without the disk cache where none can be written."""

    def wrap(func: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", numba.NumbaWarning)
                return numba.njit(cache=True, **options)(func)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return numba.njit(cache=False, **options)(func)

    return wrap


# error_model="numpy": x / 0 gives inf or NaN as in numpy (numba's default raises ZeroDivisionError)
_jit = _decorator(error_model="numpy")
_inline = _decorator(inline="always", error_model="numpy")

# ---------------------------------------------------------------------------- 4PL LM


@_inline
def _normal_equations(x: Any, y: Any, sw: Any, p: Any, free: Any, a: Any, g: Any, u: Any):
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


@_inline
def _chol_solve(m: Any, b: Any, out: Any, low: Any, z: Any) -> bool:
    """Solve ``m out = b`` by Cholesky; False where a pivot fails or the result is not finite."""
    npar = b.shape[0]
    for j in range(npar):
        s = m[j, j]
        for k in range(j):
            s -= low[j, k] * low[j, k]
        if not s > PIVOT_MIN:
            return False
        dj = math.sqrt(s)
        low[j, j] = dj
        for i in range(j + 1, npar):
            v = m[i, j]
            for k in range(j):
                v -= low[i, k] * low[j, k]
            low[i, j] = v / dj
    for i in range(npar):
        v = b[i]
        for k in range(i):
            v -= low[i, k] * z[k]
        z[i] = v / low[i, i]
    for i in range(npar - 1, -1, -1):
        v = z[i]
        for k in range(i + 1, npar):
            v -= low[k, i] * out[k]
        out[i] = v / low[i, i]
    for i in range(npar):  # noqa: SIM110 - a plain loop compiles; all(generator) does not
        if not math.isfinite(out[i]):
            return False
    return True


@_jit
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
    ncurves = y.shape[0]
    npar = p0.shape[1]
    ubuf = np.empty(y.shape[1])
    a = np.empty((npar, npar))
    an = np.empty((npar, npar))
    m = np.empty((npar, npar))
    low = np.zeros((npar, npar))
    g = np.empty(npar)
    gn = np.empty(npar)
    rhs = np.empty(npar)
    z = np.empty(npar)
    delta = np.empty(npar)
    p = np.empty(npar)
    pn = np.empty(npar)
    dscale = np.empty(npar)
    dk = np.empty(npar)
    for c in range(ncurves):
        xc, yc, swc, fr = x[c], y[c], sw[c], free[c]
        bounded = False
        for k in range(npar):
            v = min(max(p0[c, k], lo[c, k]), hi[c, k])
            p[k] = v
            bounded = bounded or math.isfinite(lo[c, k]) or math.isfinite(hi[c, k])
        yy = 0.0
        for i in range(yc.shape[0]):
            t = swc[i] * yc[i]
            yy += t * t
        tiny = 1e-28 * max(yy, 1e-300)
        rss, finite = _normal_equations(xc, yc, swc, p, fr, a, g, ubuf)
        for k in range(npar):
            out_p[c, k] = p[k]
        out_rss[c] = rss
        out_conv[c] = False
        out_nit[c] = 0
        for k in range(npar):
            for j in range(npar):
                out_jtj[c, k, j] = math.nan
        if not math.isfinite(rss):
            continue
        jtj_ok = finite
        if not finite:  # as the numpy engine: a non-finite JᵀJ counts as zero
            for k in range(npar):
                g[k] = 0.0
                for j in range(npar):
                    a[k, j] = 0.0
        for k in range(npar):
            dscale[k] = math.sqrt(a[k, k])
        lam = 1e-3
        nu = 2.0
        conv = False
        nit = 0
        for _ in range(max_iter):
            cosine = 0.0
            for k in range(npar):
                if a[k, k] > 0:
                    cs = abs(g[k]) / math.sqrt(a[k, k] * max(rss, 1e-300))
                    if cs != cs or cs > cosine:
                        cosine = cs
                        if cs != cs:
                            break
            if cosine <= gtol or rss <= tiny:
                conv = True
                break
            for k in range(npar):
                dk[k] = dscale[k] if dscale[k] > 0 else 1.0
                for j in range(npar):
                    m[k, j] = a[k, j]
                m[k, k] += lam * dk[k] * dk[k]
                if fr[k]:
                    rhs[k] = g[k]
                else:
                    m[k, k] = 1.0
                    rhs[k] = 0.0
            ok = _chol_solve(m, rhs, delta, low, z)
            for k in range(npar):
                if not (ok and fr[k]):
                    delta[k] = 0.0
                v = p[k] + delta[k]
                if bounded:
                    v = min(max(v, lo[c, k]), hi[c, k])
                    delta[k] = v - p[k]
                pn[k] = v
            rssn, finite = _normal_equations(xc, yc, swc, pn, fr, an, gn, ubuf)
            pred = 0.0
            dn2 = 0.0
            pn2 = 0.0
            for k in range(npar):
                ad = 0.0
                for j in range(npar):
                    ad += a[k, j] * delta[j]
                pred += delta[k] * (2.0 * g[k] - ad)
                dn2 += (dk[k] * delta[k]) ** 2
                pn2 += (dk[k] * p[k]) ** 2
            accept = ok and math.isfinite(rssn) and rssn < rss
            nit += 1
            dnorm = math.sqrt(dn2)
            pnorm = math.sqrt(pn2)
            small_step = ok and dnorm <= xtol * (pnorm + xtol)
            small_red = accept and abs((rss - rssn) / rss) <= ftol and abs(pred / rss) <= ftol
            if accept:
                # as the numpy engine's clip(nan_to_num(rho), 0, 1)
                rho = (rss - rssn) / pred if pred != 0.0 else math.inf
                rho = 0.0 if rho != rho else min(max(rho, 0.0), 1.0)
                factor = max(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3)
                nu_next = 2.0
                for k in range(npar):
                    p[k] = pn[k]
                rss = rssn
                jtj_ok = finite
                if finite:
                    for k in range(npar):
                        g[k] = gn[k]
                        for j in range(npar):
                            a[k, j] = an[k, j]
                        dscale[k] = max(dscale[k], math.sqrt(an[k, k]))
                else:
                    for k in range(npar):
                        g[k] = 0.0
                        for j in range(npar):
                            a[k, j] = 0.0
            else:
                factor = nu
                nu_next = 2.0 * nu
            lam = max(lam * factor, 1e-15)
            nu = nu_next
            if small_step or small_red:
                conv = True
                break
            if lam > 1e16:
                break
        for k in range(npar):
            out_p[c, k] = p[k]
        out_rss[c] = rss
        out_conv[c] = conv
        out_nit[c] = nit
        if jtj_ok:  # JᵀJ at the final point (NaN where it was not finite)
            for k in range(npar):
                for j in range(npar):
                    out_jtj[c, k, j] = a[k, j]


# ---------------------------------------------------------------------------- starts


@_inline
def _weighted_rss(x: Any, y: Any, sw: Any, top: float, bot: float, log_ic50: float, hill: float):
    """As the engine's ranking: Σ (√w (y − f))², f evaluated as the numpy model does."""
    scale_z = LN10 * hill
    span = top - bot
    rss = 0.0
    for i in range(x.shape[0]):
        u = math.exp(min((log_ic50 - x[i]) * scale_z, EXP_CLIP))
        r = sw[i] * (y[i] - (span / (1.0 + u) + bot))
        rss += r * r
    return rss if math.isfinite(rss) else math.inf


@_inline
def _stable_order(v: Any, idx: Any, n: int) -> None:
    """Indices 0…n-1 in ``idx`` sorted by ``v`` (ties keep their order): insertion sort."""
    for i in range(n):
        idx[i] = i
    for i in range(1, n):
        j = i
        while j > 0 and v[idx[j - 1]] > v[idx[j]]:
            idx[j - 1], idx[j] = idx[j], idx[j - 1]
            j -= 1


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


# ---------------------------------------------------------------------------- replicates


@_jit
def collapse(
    xs, ys, ws, out_x, out_y, out_w, out_m, out_dev
):  # pragma: no cover - compiled; its Python body is not what runs
    ncurves, npts = ys.shape
    width = 1
    for c in range(ncurves):
        for j in range(npts):
            out_x[c, j] = 0.0
            out_y[c, j] = 0.0
            out_w[c, j] = 0.0
            out_m[c, j] = False
        k = 0
        dev = 0.0
        prev = -math.inf
        i = 0
        while i < npts:
            xv = xs[c, i]
            if not math.isfinite(xv):  # an unused point (x = inf): skipped where it stands
                i += 1
                continue
            if xv < prev:
                return -1  # not in order: the caller sorts the rows first
            wsum = 0.0
            wy = 0.0
            j = i
            while j < npts:
                xj = xs[c, j]
                if math.isfinite(xj):
                    if xj != xv:
                        break
                    wsum += ws[c, j]
                    wy += ws[c, j] * ys[c, j]
                j += 1
            mean = wy / wsum if wsum > 0 else 0.0
            for t in range(i, j):
                if ws[c, t] > 0 and math.isfinite(xs[c, t]):
                    dev += ws[c, t] * (ys[c, t] - mean) ** 2
            out_x[c, k] = xv
            out_w[c, k] = wsum
            out_m[c, k] = wsum > 0
            out_y[c, k] = mean if wsum > 0 else 0.0
            k += 1
            prev = xv
            i = j
        out_dev[c] = dev
        width = max(width, k)
    return width


# ---------------------------------------------------------------------------- ROUT


@_inline
def _select(buf: Any, m: int, k: int) -> float:
    """The k-th smallest of ``buf[:m]`` (0-based; partially reorders ``buf``): quickselect."""
    lo = 0
    hi = m - 1
    while lo < hi:
        pivot = buf[(lo + hi) // 2]
        i = lo
        j = hi
        while i <= j:
            while buf[i] < pivot:
                i += 1
            while buf[j] > pivot:
                j -= 1
            if i <= j:
                buf[i], buf[j] = buf[j], buf[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            break
    return buf[k]


@_jit
def rout(
    resid, mask, k, cut, out_t, out_cand, out_rsdr
):  # pragma: no cover - compiled; its Python body is not what runs
    ncurves, npts = resid.shape
    buf = np.empty(npts)
    for c in range(ncurves):
        n = 0
        m = 0  # finite |residuals| in buf; the non-finite ones rank last (as inf)
        for i in range(npts):
            if mask[c, i]:
                n += 1
                v = resid[c, i]
                if math.isfinite(v):
                    buf[m] = abs(v)
                    m += 1
        dof = n - k[c]
        if n > 0:
            pos = 0.6827 * (n - 1)
            lo = int(math.floor(pos))
            hi = min(lo + 1, n - 1)
            frac = pos - lo
            v_lo = _select(buf, m, lo) if lo < m else math.inf
            if hi == lo:
                v_hi = v_lo
            elif hi < m:  # after the selection, the next order statistic is the smallest above
                v_hi = buf[lo + 1]
                for j in range(lo + 2, m):
                    v_hi = min(v_hi, buf[j])
            else:
                v_hi = math.inf
            p68 = v_lo + frac * (v_hi - v_lo)
        else:
            p68 = math.nan
        rsdr = p68 * n / dof if dof > 0 else math.nan
        out_rsdr[c] = rsdr
        for i in range(npts):
            v = resid[c, i]
            if mask[c, i] and math.isfinite(v):
                t = abs(v) / rsdr
                out_t[c, i] = t
                out_cand[c, i] = math.isfinite(t) and t > cut[c]
            else:
                out_t[c, i] = math.nan
                out_cand[c, i] = False


# ---------------------------------------------------------------------------- covariance


@_jit
def covariance(
    a, free, s2, rcond, out_cov, out_sure
):  # pragma: no cover - compiled; its Python body is not what runs
    ncurves, npar = free.shape
    ds = np.empty(npar)
    use = np.empty(npar, dtype=np.bool_)
    sc = np.empty((npar, npar))
    low = np.zeros((npar, npar))
    minv = np.zeros((npar, npar))
    for c in range(ncurves):
        for k in range(npar):
            dk = math.sqrt(a[c, k, k])
            use[k] = free[c, k] and dk > 0
            ds[k] = dk if use[k] else 1.0
        for i in range(npar):
            for j in range(npar):
                if use[i] and use[j]:
                    v = a[c, i, j] / (ds[i] * ds[j])
                else:
                    v = 1.0 if i == j else 0.0
                sc[i, j] = v if math.isfinite(v) else 0.0
        ok = True
        for j in range(npar):  # Cholesky factor of the scaled matrix
            s = sc[j, j]
            for k in range(j):
                s -= low[j, k] * low[j, k]
            if not s > PIVOT_MIN:
                ok = False
                break
            low[j, j] = math.sqrt(s)
            for i in range(j + 1, npar):
                v = sc[i, j]
                for k in range(j):
                    v -= low[i, k] * low[j, k]
                low[i, j] = v / low[j, j]
        out_sure[c] = False
        if not ok:
            continue
        for i in range(npar):  # M = L⁻¹ (lower triangular)
            minv[i, i] = 1.0 / low[i, i]
            for j in range(i):
                v = 0.0
                for k in range(j, i):
                    v -= low[i, k] * minv[k, j]
                minv[i, j] = v / low[i, i]
        trace = 0.0
        finite = True
        for i in range(npar):  # (scaled)⁻¹ = MᵀM
            for j in range(i + 1):
                v = 0.0
                for k in range(i, npar):
                    v += minv[k, i] * minv[k, j]
                finite = finite and math.isfinite(v)
                sc[i, j] = v
                sc[j, i] = v
            trace += sc[i, i]
        if not (finite and trace > 0 and trace * rcond * npar < 1):
            continue
        out_sure[c] = True
        for i in range(npar):
            for j in range(npar):
                if use[i] and use[j]:
                    out_cov[c, i, j] = s2[c] * (sc[i, j] / (ds[i] * ds[j]))
                else:
                    out_cov[c, i, j] = 0.0


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
