"""Generic numba kernels of the fitting engine (imported only when a kernel is asked for).

Nothing here knows a model. A model brings its own compiled pieces (e.g.
:mod:`assaykit.binding._kernels_4pl`): a ``normal_equations(x, y, sw, p, free, a, g, u) ->
(rss, finite)`` function for one curve, and a module-level batch kernel that runs
:func:`lm_batch` (the engine's Levenberg–Marquardt) with it.
The generic pieces — the LM iterations, the Cholesky solve, the replicate merge, ROUT's
robust scale, the covariance — live here.

Module-level functions, so that numba's on-disk cache finds them again in the next process (a
kernel that closes over other compiled functions misses the cache and is compiled anew in every
process). numba keys a cached kernel on the source file of the top-level function only; a
model's batch kernel that inlines :func:`lm_batch` is decorated with :data:`model_jit`, which
adds this file's stamp to its cache key (editing this file then recompiles it).
"""

from __future__ import annotations

import math
import os
import warnings
from typing import Any

import numba
import numpy as np

#: As :data:`assaykit.fitting.linalg.PIVOT_MIN`.
PIVOT_MIN = 1e-300


def _decorator(depends: tuple[str, ...] = (), **options: Any) -> Any:
    """``numba.njit(cache=True)``, or without the disk cache where none can be written.

    ``depends``: other source files the kernel inlines; their modification stamps join the
    kernel's own in the cache key, so editing them invalidates the cached machine code (numba
    itself only watches the file defining the kernel).
    """

    def wrap(func: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", numba.NumbaWarning)
                disp = numba.njit(cache=True, **options)(func)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return numba.njit(cache=False, **options)(func)
        if depends:
            _extend_stamp(disp, depends)
        return disp

    return wrap


def _extend_stamp(disp: Any, depends: tuple[str, ...]) -> None:
    """Add the stamps (mtime, size) of ``depends`` to the cache key of dispatcher ``disp``."""
    try:
        cache_file = disp._cache._cache_file
        stamps = [cache_file._source_stamp]
        for path in depends:
            st = os.stat(path)
            stamps.append((st.st_mtime, st.st_size))
        cache_file._source_stamp = tuple(stamps)
    except (AttributeError, OSError):  # pragma: no cover - another numba layout: numba's own key
        pass


# error_model="numpy": x / 0 gives inf or NaN as in numpy (numba's default raises ZeroDivisionError)
jit = _decorator(error_model="numpy")
inline = _decorator(inline="always", error_model="numpy")
#: For a model's batch kernel that inlines :func:`lm_batch`: recompiled when this file changes.
model_jit = _decorator(depends=(__file__,), error_model="numpy")
_jit, _inline = jit, inline


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


# ---------------------------------------------------------------------------- generic LM


@_inline
def lm_batch(
    ne,
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
    """The engine's Levenberg–Marquardt on every curve, with the model's ``ne`` (normal equations).

    ``ne(x, y, sw, p, free, a, g, u) -> (rss, finite)`` fills ``JᵀJ`` (``a``) and ``Jᵀr``
    (``g``) of one curve at ``p`` (``u``: scratch of one row's length); the iterations are
    those of :func:`assaykit.fitting.lm.lm` (MINPACK scaling, Nielsen damping, Cholesky
    solves, active-set bounds with box projection, step / reduction / gradient tests). Called
    (inlined) by a model's module-level batch kernel decorated with :data:`model_jit`.
    """
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
    held = np.zeros(npar, dtype=np.bool_)
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
        rss, finite = ne(xc, yc, swc, p, fr, a, g, ubuf)
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
            # active set: a parameter at its bound with the gradient pushing outward is held
            # for this step and left out of the convergence test (projected LM)
            any_held = False
            if bounded:
                for k in range(npar):
                    out_lo = p[k] <= lo[c, k] and g[k] < 0
                    out_hi = p[k] >= hi[c, k] and g[k] > 0
                    held[k] = fr[k] and (out_lo or out_hi)
                    any_held = any_held or held[k]
            cosine = 0.0
            for k in range(npar):
                if a[k, k] > 0 and not (any_held and held[k]):
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
            if any_held:  # a held parameter: unit row and column, no step
                for k in range(npar):
                    if held[k]:
                        for j in range(npar):
                            m[k, j] = 0.0
                            m[j, k] = 0.0
                        m[k, k] = 1.0
                        rhs[k] = 0.0
            ok = _chol_solve(m, rhs, delta, low, z)
            for k in range(npar):
                if not (ok and fr[k]) or (any_held and held[k]):
                    delta[k] = 0.0
                v = p[k] + delta[k]
                if bounded:
                    v = min(max(v, lo[c, k]), hi[c, k])
                    delta[k] = v - p[k]
                pn[k] = v
            rssn, finite = ne(xc, yc, swc, pn, fr, an, gn, ubuf)
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


# ---------------------------------------------------------------------------- ordering


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
