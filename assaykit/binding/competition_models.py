"""Models of Prism's competition menu for the generic engine (:mod:`assaykit.fitting`).

Every model takes ``x`` of shape ``(C, N, k)``: ``x[..., 0]`` is the competitor concentration in
**M on a linear scale** (0 is allowed, so total-binding tubes without competitor are ordinary
points), the other columns carry the per-point constants of the experiment. Each has an
analytic Jacobian and a data-driven ``guess``; log-affinities are log10 M.

=============  ==========================================================  =====================
model          equation                                                    x[..., 1:]
=============  ==========================================================  =====================
one site       ``Y = bottom + (top − bottom)/(1 + I/(Ki·f))``               ``f = 1 + [L]/Kd``
two sites      ``bottom + (top − bottom)·(F/(1 + I/(K1·f1))``               ``f1, f2``
               ``+ (1 − F)/(1 + I/(K2·f2)))``
homologous     ``Y = Bmax·Hot/(Hot + I + Kd) + NSB_j``                      ``Hot [M], set j``
depletion      quadratic root, Prism "one site – heterologous with          ``Hot [cpm], Kd [cpm]``
               depletion" (see :func:`depletion_value`)
=============  ==========================================================  =====================

With ``f = 1`` the one-site and two-site models give logIC50 instead of logKi.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from assaykit.fitting import Model

__all__ = [
    "DEPLETION",
    "ONE_SITE",
    "TWO_SITE",
    "depletion_value",
    "homologous_model",
    "midpoint_guess",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
LN10 = float(np.log(10.0))


def _cols(p: FloatArray) -> list[FloatArray]:
    """Parameter columns as ``(C, 1)`` arrays (broadcast over points)."""
    return [p[:, k : k + 1] for k in range(p.shape[1])]


def _row_value(a: FloatArray, mask: BoolArray) -> FloatArray:
    """Per row, the first value where ``mask`` holds (a constant of the curve); NaN if none."""
    first = np.argmax(mask, axis=1)
    val = np.take_along_axis(a, first[:, None], axis=1)[:, 0]
    return np.where(mask.any(axis=1), val, np.nan)


def midpoint_guess(conc: FloatArray, y: FloatArray, mask: BoolArray) -> FloatArray:
    """Per curve ``(top, bottom, log10 of the concentration where y crosses the middle)``.

    ``top`` is the mean response at the lowest concentration, ``bottom`` at the highest; the
    midpoint is interpolated in log10 concentration between positive concentrations (zero
    concentrations count only for ``top``).

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([[0.0, 1e-10, 1e-9, 1e-8, 1e-7]])
    >>> y = 100 / (1 + c / 1e-9)
    >>> np.round(midpoint_guess(c, y, np.ones_like(c, bool)), 2)
    array([[100.  ,   0.99,  -9.01]])
    """
    nc = conc.shape[0]
    out = np.zeros((nc, 3))
    for i in range(nc):
        m = mask[i] & np.isfinite(conc[i]) & np.isfinite(y[i])
        c, v = conc[i][m], y[i][m]
        if c.size == 0:
            out[i] = (1.0, 0.0, -9.0)
            continue
        lo, hi = c.min(), c.max()
        top = float(np.mean(v[c == lo]))
        bottom = float(np.mean(v[c == hi]))
        pos = c > 0
        if not pos.any():
            out[i] = (top, bottom, -9.0)
            continue
        lc = np.log10(c[pos])
        ux = np.unique(lc)
        uy = np.array([np.mean(v[pos][lc == u]) for u in ux])
        mid = 0.5 * (top + bottom)
        above = (uy - mid) * np.sign(top - bottom if top != bottom else 1.0) >= 0
        k = np.flatnonzero(above[:-1] & ~above[1:])
        if k.size:
            j = int(k[0])
            d = uy[j + 1] - uy[j]
            t = 0.5 if d == 0 else float((mid - uy[j]) / d)
            xm = float(ux[j] + np.clip(t, 0.0, 1.0) * (ux[j + 1] - ux[j]))
        else:
            xm = float(np.median(ux))
        out[i] = (top, bottom, xm)
    return out


# --- one site (Fit logIC50 with slope −1 / Fit Ki) ------------------------------------------


def _one_site_parts(x: FloatArray, p: FloatArray) -> tuple[FloatArray, ...]:
    top, bottom, logk = _cols(p)
    with np.errstate(all="ignore"):
        r = x[..., 0] * 10.0 ** (-logk) / x[..., 1]
        u = 1.0 / (1.0 + r)
    return top, bottom, r, u


def _one_site_func(x: FloatArray, p: FloatArray) -> FloatArray:
    top, bottom, _, u = _one_site_parts(x, p)
    return bottom + (top - bottom) * u


def _one_site_jac(x: FloatArray, p: FloatArray) -> FloatArray:
    top, bottom, r, u = _one_site_parts(x, p)
    with np.errstate(all="ignore"):
        dlogk = (top - bottom) * LN10 * r * u * u
    return np.stack([u, 1.0 - u, dlogk], axis=-1)


def _one_site_guess(x: FloatArray, y: FloatArray, mask: BoolArray) -> FloatArray:
    g = midpoint_guess(x[..., 0], y, mask)
    f = _row_value(x[..., 1], mask)
    g[:, 2] -= np.log10(np.where(np.isfinite(f) & (f > 0), f, 1.0))
    return g


def _one_site_starts(
    x: FloatArray, y: FloatArray, mask: BoolArray, fixed: FloatArray
) -> FloatArray:
    g = _one_site_guess(x, y, mask)
    shifts = np.array([-2.0, -1.0, 1.0, 2.0])
    out = np.repeat(g[:, None, :], shifts.size, axis=1)
    out[:, :, 2] += shifts[None, :]
    return out


#: One-site competition with slope −1: ``(top, bottom, log_k)``; ``log_k`` is logKi when
#: ``x[..., 1] = 1 + [L]/Kd``, logIC50 when it is 1.
ONE_SITE = Model(
    "one site competition",
    ("top", "bottom", "log_k"),
    _one_site_func,
    _one_site_jac,
    _one_site_guess,
    _one_site_starts,
)


# --- two sites ---------------------------------------------------------------------------------


def _two_site_parts(x: FloatArray, p: FloatArray) -> tuple[FloatArray, ...]:
    top, bottom, frac, k1, k2 = _cols(p)
    with np.errstate(all="ignore"):
        r1 = x[..., 0] * 10.0 ** (-k1) / x[..., 1]
        r2 = x[..., 0] * 10.0 ** (-k2) / x[..., 2]
        u1, u2 = 1.0 / (1.0 + r1), 1.0 / (1.0 + r2)
    return top, bottom, frac, r1, r2, u1, u2


def _two_site_func(x: FloatArray, p: FloatArray) -> FloatArray:
    top, bottom, frac, _, _, u1, u2 = _two_site_parts(x, p)
    return bottom + (top - bottom) * (frac * u1 + (1.0 - frac) * u2)


def _two_site_jac(x: FloatArray, p: FloatArray) -> FloatArray:
    top, bottom, frac, r1, r2, u1, u2 = _two_site_parts(x, p)
    s = frac * u1 + (1.0 - frac) * u2
    span = top - bottom
    with np.errstate(all="ignore"):
        d1 = span * frac * LN10 * r1 * u1 * u1
        d2 = span * (1.0 - frac) * LN10 * r2 * u2 * u2
    return np.stack([s, 1.0 - s, span * (u1 - u2), d1, d2], axis=-1)


def _two_site_guess(x: FloatArray, y: FloatArray, mask: BoolArray) -> FloatArray:
    g = midpoint_guess(x[..., 0], y, mask)
    f1 = _row_value(x[..., 1], mask)
    f2 = _row_value(x[..., 2], mask)
    lf1 = np.log10(np.where(np.isfinite(f1) & (f1 > 0), f1, 1.0))
    lf2 = np.log10(np.where(np.isfinite(f2) & (f2 > 0), f2, 1.0))
    return np.stack(
        [g[:, 0], g[:, 1], np.full(len(g), 0.5), g[:, 2] - 1.0 - lf1, g[:, 2] + 1.0 - lf2], axis=1
    )


def _two_site_starts(
    x: FloatArray, y: FloatArray, mask: BoolArray, fixed: FloatArray
) -> FloatArray:
    g = _two_site_guess(x, y, mask)
    mid = 0.5 * (g[:, 3] + g[:, 4])
    cands = []
    for frac in (0.2, 0.5, 0.8):
        for half in (0.5, 1.0, 1.5, 2.5):
            for shift in (-0.5, 0.0, 0.5):
                c = g.copy()
                c[:, 2] = frac
                c[:, 3] = mid + shift - half
                c[:, 4] = mid + shift + half
                cands.append(c)
    return np.stack(cands, axis=1)


#: Two-site competition: ``(top, bottom, fraction_high, log_k_high, log_k_low)``; log Ki with
#: ``x[..., 1:3] = 1 + [L]/Kd`` of each site, log IC50 with ones.
TWO_SITE = Model(
    "two site competition",
    ("top", "bottom", "fraction_high", "log_k_high", "log_k_low"),
    _two_site_func,
    _two_site_jac,
    _two_site_guess,
    _two_site_starts,
)


# --- homologous --------------------------------------------------------------------------------


def homologous_model(n_sets: int) -> Model:
    """Homologous competition over ``n_sets`` (1 or 2) radioligand concentrations.

    ``Y = Bmax·Hot/(Hot + Cold + Kd) + NSB_j``: ``log_kd`` (log10 M) and ``bmax`` (Y units) are
    shared, every radioligand concentration ``j`` has its own bottom ``nsb``, ``nsb2``.
    ``x[..., 0]`` = cold (M), ``x[..., 1]`` = hot (M), ``x[..., 2]`` = set index.

    Examples
    --------
    >>> import numpy as np
    >>> m = homologous_model(1)
    >>> x = np.array([[[0.0, 1e-10, 0], [5.1e-9, 1e-10, 0]]])
    >>> np.round(m.eval(x, np.array([[np.log10(5e-9), 51000.0, 100.0]])), 6)
    array([[1100.,  600.]])
    """
    if n_sets not in (1, 2):
        raise ValueError("homologous competition takes one or two radioligand concentrations")
    names = ("log_kd", "bmax", "nsb") + (("nsb2",) if n_sets == 2 else ())

    def parts(
        x: FloatArray, p: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, BoolArray]:
        logkd, bmax = p[:, 0:1], p[:, 1:2]
        with np.errstate(all="ignore"):
            kd = 10.0**logkd
            hot = x[..., 1]
            d = hot + x[..., 0] + kd
        second = x[..., 2] > 0.5
        return kd, bmax, hot, d, second

    def func(x: FloatArray, p: FloatArray) -> FloatArray:
        kd, bmax, hot, d, second = parts(x, p)
        nsb = p[:, 2:3] if n_sets == 1 else np.where(second, p[:, 3:4], p[:, 2:3])
        with np.errstate(all="ignore"):
            return bmax * hot / d + nsb

    def jac(x: FloatArray, p: FloatArray) -> FloatArray:
        kd, bmax, hot, d, second = parts(x, p)
        with np.errstate(all="ignore"):
            cols = [-bmax * hot * kd * LN10 / (d * d), hot / d]
        if n_sets == 1:
            cols.append(np.ones_like(d))
        else:
            cols += [np.logical_not(second).astype(float), second.astype(float)]
        return np.stack(cols, axis=-1)

    def guess(x: FloatArray, y: FloatArray, mask: BoolArray) -> FloatArray:
        # DOMAIN §1.4 shortcut on the first set: IC50 from the midpoint, Kd = IC50 − Hot,
        # Bmax = B0·IC50/Hot
        first = mask & (x[..., 2] < 0.5)
        g = midpoint_guess(x[..., 0], y, first)
        hot = _row_value(x[..., 1], first)
        ic50 = 10.0 ** g[:, 2]
        kd = np.where(ic50 > 1.5 * hot, ic50 - hot, 0.5 * ic50)
        b0 = np.maximum(g[:, 0] - g[:, 1], 1e-12)
        bmax = b0 * (hot + kd) / np.where(hot > 0, hot, 1.0)
        out = [np.log10(kd), bmax, g[:, 1]]
        if n_sets == 2:
            second = mask & (x[..., 2] > 0.5)
            out.append(midpoint_guess(x[..., 0], y, second)[:, 1])
        return np.stack(out, axis=1)

    def starts(x: FloatArray, y: FloatArray, mask: BoolArray, fixed: FloatArray) -> FloatArray:
        g = guess(x, y, mask)
        cands = []
        for shift in (-1.0, -0.5, 0.5, 1.0):
            c = g.copy()
            c[:, 0] += shift
            c[:, 1] *= 10.0 ** max(shift, 0.0)
            cands.append(c)
        return np.stack(cands, axis=1)

    return Model(f"homologous competition ({n_sets} hot)", names, func, jac, guess, starts)


# --- heterologous with ligand depletion ---------------------------------------------------------


def _depletion_parts(x: FloatArray, p: FloatArray) -> tuple[FloatArray, ...]:
    logki, bmax, ns = _cols(p)
    with np.errstate(all="ignore"):
        ratio = x[..., 0] * 10.0 ** (-logki)
        hot, kdc = x[..., 1], x[..., 2]
        rr = ns + 1.0
        s = (1.0 + ratio) * kdc + hot
        b = rr * s + ns * hot + bmax
        c = -hot * (s * ns + bmax)
        disc = np.sqrt(b * b + 4.0 * rr * c)  # b² − 4ac with a = −R
        # the smaller root of −R·Y² + b·Y + c = 0, written without cancellation
        yv = -2.0 * c / (b + disc)
    return ratio, hot, kdc, rr, s, b, disc, yv, ns, bmax


def depletion_value(x: FloatArray, p: FloatArray) -> FloatArray:
    """Total bound cpm with radioligand depletion (Prism "one site – heterologous with depletion").

    Parameters ``(log_ki, bmax, ns)``; ``x[..., 1]`` = Hot (cpm added), ``x[..., 2]`` = Kd in
    cpm (``Kd[nM] · SpAct[cpm/fmol] · vol[mL] · 1000``). With ``R = NS + 1``,
    ``S = (1 + I/Ki)·KdCPM + Hot``, ``a = −R``, ``b = R·S + NS·Hot + Bmax``,
    ``c = −Hot·(S·NS + Bmax)``: ``Y = (−b + sqrt(b² − 4ac)) / (2a)``, the bound radioligand that
    balances ``Hot = free + specific + NS·free`` (Person & Wells 2011; computed here as
    ``2c / (−b − sqrt(b² − 4ac))``, the same root without cancellation).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[[0.0, 50000.0, 20000.0]]])
    >>> float(np.round(depletion_value(x, np.array([[-9.0, 10000.0, 0.0]]))[0, 0], 3))
    6833.752
    """
    return _depletion_parts(x, p)[7]


def _depletion_jac(x: FloatArray, p: FloatArray) -> FloatArray:
    ratio, hot, kdc, rr, s, b, disc, yv, ns, bmax = _depletion_parts(x, p)
    # implicit differentiation of P(Y) = −R·Y² + b·Y + c = 0: dY/dθ = −(∂P/∂θ)/(∂P/∂Y)
    with np.errstate(all="ignore"):
        dpdy = -2.0 * rr * yv + b
        ds_dlogki = -LN10 * ratio * kdc
        dp_ds = rr * yv - hot * ns  # ∂b/∂S·Y + ∂c/∂S
        d_logki = -(dp_ds * ds_dlogki) / dpdy
        d_bmax = -(yv - hot) / dpdy
        d_ns = -(-(yv * yv) + (s + hot) * yv - hot * s) / dpdy
    return np.stack([d_logki, d_bmax, d_ns], axis=-1)


def _depletion_guess(x: FloatArray, y: FloatArray, mask: BoolArray) -> FloatArray:
    g = midpoint_guess(x[..., 0], y, mask)
    hot = _row_value(x[..., 1], mask)
    kdc = _row_value(x[..., 2], mask)
    top, bottom = g[:, 0], np.maximum(g[:, 1], 0.0)
    ns = np.clip(bottom / np.maximum(hot - bottom, 1e-12), 0.0, 10.0)
    free = np.maximum(hot - top, 0.05 * hot)
    spec = np.maximum(top - ns * free, 1e-6 * hot)
    bmax = spec * (free + kdc) / free
    # the midpoint of bound counts sits where I/Ki ≈ 1 + free/Kd (depletion aside)
    logki = g[:, 2] - np.log10(1.0 + free / np.maximum(kdc, 1e-300))
    return np.stack([logki, bmax, ns], axis=1)


def _depletion_starts(
    x: FloatArray, y: FloatArray, mask: BoolArray, fixed: FloatArray
) -> FloatArray:
    g = _depletion_guess(x, y, mask)
    cands = []
    for shift in (-1.5, -0.5, 0.5, 1.5):
        c = g.copy()
        c[:, 0] += shift
        cands.append(c)
    return np.stack(cands, axis=1)


#: Heterologous competition with ligand depletion, counts-based: ``(log_ki, bmax, ns)``.
DEPLETION = Model(
    "heterologous competition with depletion",
    ("log_ki", "bmax", "ns"),
    depletion_value,
    _depletion_jac,
    _depletion_guess,
    _depletion_starts,
)
