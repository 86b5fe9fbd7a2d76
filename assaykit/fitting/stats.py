"""Model-comparison and residual statistics used on batched fits (vectorised over curves)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from assaykit.fitting.kernels import rout_kernel
from assaykit.fitting.model import FloatArray

__all__ = ["aicc", "f_test", "rout_outliers", "rsdr", "wald_ci"]


def f_test(
    ss_simple: ArrayLike, df_simple: ArrayLike, ss_complex: ArrayLike, df_complex: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """Extra-sum-of-squares F test of nested least-squares models.

    ``F = ((SS_simple − SS_complex) / (df_simple − df_complex)) / (SS_complex / df_complex)``,
    p from F(df_simple − df_complex, df_complex). NaN where the test is not defined.

    Examples
    --------
    >>> f, p = f_test(1200, 37, 1000, 36)   # DOMAIN.md §6 #23
    >>> round(float(f), 2), round(float(p), 4)
    (7.2, 0.0109)
    """
    ss1, d1 = np.asarray(ss_simple, float), np.asarray(df_simple, float)
    ss2, d2 = np.asarray(ss_complex, float), np.asarray(df_complex, float)
    with np.errstate(all="ignore"):
        dnum = d1 - d2
        ok = (dnum > 0) & (d2 > 0) & np.isfinite(ss1) & np.isfinite(ss2)
        f = np.where(
            ok, ((ss1 - ss2) / np.where(ok, dnum, 1)) / (ss2 / np.where(ok, d2, 1)), np.nan
        )
        f = np.where(ok & (ss2 <= 0), np.where(ss1 > ss2, np.inf, 0.0), f)
        f = np.where(ok, np.maximum(f, 0.0), np.nan)
        p = stats.f.sf(f, np.where(ok, dnum, 1), np.where(ok, d2, 1))
    return f, np.where(ok, p, np.nan)


def aicc(rss: ArrayLike, n: ArrayLike, n_params: ArrayLike) -> FloatArray:
    """Corrected Akaike criterion of a least-squares fit (GraphPad's form, K = parameters + 1).

    ``AICc = N ln(SS/N) + 2K + 2K(K+1)/(N−K−1)``.

    Examples
    --------
    >>> round(float(aicc(10.0, 20, 3)), 4)
    -3.1963
    """
    rss, n = np.asarray(rss, float), np.asarray(n, float)
    k = np.asarray(n_params, float) + 1.0
    with np.errstate(all="ignore"):
        out = n * np.log(rss / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)
    return np.where(n - k - 1 > 0, out, np.nan)


def wald_ci(
    estimate: ArrayLike, se: ArrayLike, df: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """``estimate ± t((1+level)/2, df) · se`` (NaN where df < 1 or se is not finite).

    Examples
    --------
    >>> lo, hi = wald_ci(-7.60, 0.05, 26)   # DOMAIN.md §6 #9
    >>> round(float(lo), 3), round(float(hi), 3)
    (-7.703, -7.497)
    """
    est, se = np.asarray(estimate, float), np.asarray(se, float)
    df = np.asarray(df, float)
    ok = (df >= 1) & np.isfinite(se) & np.isfinite(est)
    ud, inv = np.unique(np.where(ok, df, 1), return_inverse=True)
    t = stats.t.ppf(0.5 + level / 2, ud)[inv].reshape(np.shape(df))
    half = np.where(ok, t * se, np.nan)
    return est - half, est + half


def rout_outliers(
    resid: FloatArray, mask: NDArray[np.bool_], n_params: ArrayLike, q: float = 0.01
) -> NDArray[np.bool_]:
    """ROUT's outlier test on given residuals (Motulsky & Brown 2006, steps 2-3), per curve.

    The robust SD of the residuals (RSDR: the 68.27th percentile of ``|residual|`` times
    ``N/(N−K)``) scales each residual to ``t = |r| / RSDR``; two-sided p values from t(N−K) are
    tested with the Benjamini–Hochberg false discovery rate ``q``. ROUT proper takes the
    residuals of a robust fit (:func:`assaykit.fitting.robust.rout`); on least-squares
    residuals (``fit_curves(outliers="flag")``) it is a screening flag only.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[0.1, -0.2, 0.15, -0.1, 0.05, 5.0, -0.12, 0.08, 0.11, -0.07]])
    >>> rout_outliers(r, np.ones_like(r, dtype=bool), 2).nonzero()[1].tolist()
    [5]
    """
    n = mask.sum(axis=1)
    k = np.asarray(n_params, float) * np.ones(len(n))
    dof = n - k
    dof1 = np.where(dof > 0, dof, 1)
    # BH never rejects p > q: compute p only where |t| beats the two-sided q cut-off
    # the cut-off depends on the degrees of freedom only: one quantile per distinct value
    ud, inv = np.unique(dof1, return_inverse=True)
    cut = stats.t.isf(q / 2, ud)[inv]
    kernel = rout_kernel()
    if kernel is not None:
        t = np.empty(resid.shape)
        cand = np.empty(resid.shape, dtype=bool)
        rsdr = np.empty(len(n))
        kernel(
            np.ascontiguousarray(resid, dtype=float),
            np.ascontiguousarray(mask, dtype=bool),
            k,
            cut,
            t,
            cand,
            rsdr,
        )
    else:
        t, cand, rsdr = _rout_scale(resid, mask, n, dof, cut)
    out = np.zeros_like(mask)
    rows = np.flatnonzero(cand.any(axis=1))  # BH can only reject on rows with a candidate
    if rows.size:
        cr = cand[rows]
        p: FloatArray = np.full((cr.shape[0], cr.shape[1]), np.inf)
        dd = np.broadcast_to(dof1[rows, None], cr.shape)
        p[cr] = 2 * stats.t.sf(t[rows][cr], dd[cr])
        order = np.argsort(p, axis=1)
        ps = np.take_along_axis(p, order, axis=1)
        rank = np.arange(1, p.shape[1] + 1)[None, :]
        crit = q * rank / np.maximum(n[rows], 1)[:, None]
        below = ps <= crit
        # BH: reject the k smallest where k is the largest rank with p_(k) <= q k / n
        last = np.where(below.any(axis=1), p.shape[1] - 1 - np.argmax(below[:, ::-1], axis=1), -1)
        flagged = np.zeros_like(cr)
        np.put_along_axis(flagged, order, rank - 1 <= last[:, None], axis=1)
        out[rows] = flagged
    return out & mask & (dof > 0)[:, None] & (rsdr > 0)[:, None]


def rsdr(resid: FloatArray, mask: NDArray[np.bool_], n_params: ArrayLike) -> FloatArray:
    """Robust SD of the residuals per curve: ``P68.27(|r|) · N / (N − K)`` (ROUT's RSDR).

    NaN where ``N <= K``.

    Examples
    --------
    >>> import numpy as np
    >>> r = np.array([[1.0, -2.0, 3.0, -4.0, 5.0, 100.0]])
    >>> round(float(rsdr(r, np.ones_like(r, dtype=bool), 2)[0]), 3)  # P68.27 = 4.4135, × 6/4
    6.62
    """
    n = mask.sum(axis=1)
    dof = n - np.asarray(n_params, float) * np.ones(len(n))
    return _rout_scale(resid, mask, n, dof, np.full(len(n), np.inf))[2]


def _rout_scale(
    resid: FloatArray,
    mask: NDArray[np.bool_],
    n: NDArray[np.int_],
    dof: FloatArray,
    cut: FloatArray,
) -> tuple[FloatArray, NDArray[np.bool_], FloatArray]:
    """RSDR, ``t = |r| / RSDR`` and the candidates ``t > cut`` on whole arrays."""
    a = np.where(mask & np.isfinite(resid), np.abs(resid), np.nan)
    # 68.27th percentile per row (linear interpolation, as numpy's default), without a row loop
    srt = np.sort(np.where(np.isnan(a), np.inf, a), axis=1)
    pos = 0.6827 * np.maximum(n - 1, 0)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    frac = pos - lo
    v_lo = np.take_along_axis(srt, lo[:, None], axis=1)[:, 0]
    v_hi = np.take_along_axis(srt, hi[:, None], axis=1)[:, 0]
    with np.errstate(all="ignore"):
        p68 = np.where(n > 0, v_lo + frac * (v_hi - v_lo), np.nan)
        rsdr = p68 * n / np.where(dof > 0, dof, np.nan)
        t = a / rsdr[:, None]
        cand = mask & np.isfinite(t) & (t > cut[:, None])
    return t, cand, rsdr
