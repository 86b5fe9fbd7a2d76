"""Binding-kinetics models on the generic engine: equations, analytic Jacobians, data-driven starts.

Every model is an :class:`assaykit.fitting.Model` evaluated on many curves at once. Times are in
minutes. Concentrations enter **in nM** and second-order rate constants **per nM per minute**
(``kon_nM = kon_per_M_min · 1e-9``): the parameters of one fit then have similar magnitudes. The
analysis converts back to per-molar units (:mod:`assaykit.binding.kinetics`).

Equations (DOMAIN §8.2; GraphPad Prism's curve-fitting guide, same names):

- dissociation, one phase: ``Y = (Y0 − NS)·exp(−koff·t) + NS``; ``x = t``;
- association, one concentration: ``Y = Ymax·(1 − exp(−kobs·t))``; ``x = t``;
- association, global over ≥ 2 concentrations: ``kobs = kon·L + koff``, ``Kd = koff/kon``,
  ``Ymax = Bmax·L/(L + Kd)``, ``Y = Ymax·(1 − exp(−kobs·t))``; ``x = (t, L)``;
- association then dissociation (Prism): the global association for ``t < Time0``, then
  ``Y(Time0)·exp(−koff·(t − Time0))``, plus ``NS``; ``x = (t, L, Time0)``;
- kinetics of competitive binding (Motulsky & Mahan, Mol Pharmacol 1984): ``x = (t, L, I)``,
  parameters ``k1, k2`` (radioligand kon, koff: fixed), ``k3, k4`` (competitor kon, koff) and Bmax.

Examples
--------
>>> import numpy as np
>>> t = np.array([[1.0, 5.0, 30.0]])
>>> x = np.stack([t, np.ones_like(t), np.zeros_like(t)], axis=-1)   # L = 1 nM, I = 0
>>> # kon 1e8 /M/min = 0.1 /nM/min, koff 0.1 /min, Bmax 1000 (DOMAIN §8.2)
>>> MOTULSKY_MAHAN.eval(x, np.array([[0.1, 0.1, 0.01, 0.001, 1000.0]])).round(2)
array([[ 90.63, 316.06, 498.76]])
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from assaykit.fitting import Model

__all__ = [
    "ASSOCIATION",
    "ASSOCIATION_DISSOCIATION",
    "ASSOCIATION_GLOBAL",
    "DISSOCIATION",
    "MOTULSKY_MAHAN",
    "association_dissociation_curve",
    "association_global_curve",
    "kd_parameterized",
    "motulsky_mahan_curve",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Fractions of the time span used to build grids of rate constants for the multi-start.
_RATE_GRID = np.array([0.3, 1.0, 3.0, 10.0, 30.0])


def _t(x: FloatArray) -> FloatArray:
    return x[..., 0] if x.ndim == 3 else x


def _col(p: FloatArray, k: int) -> FloatArray:
    return p[:, k : k + 1]


# --------------------------------------------------------------------------- data-driven starts
def _span(t: FloatArray, mask: BoolArray) -> tuple[FloatArray, FloatArray]:
    """Smallest positive and largest time of each curve (usable points only)."""
    pos = mask & (t > 0)
    tmin = np.where(pos, t, np.inf).min(axis=1)
    tmax = np.where(mask, t, -np.inf).max(axis=1)
    tmax = np.where(np.isfinite(tmax) & (tmax > 0), tmax, 1.0)
    tmin = np.where(np.isfinite(tmin), tmin, tmax / 10)
    return tmin, tmax


def _half_time(t: FloatArray, y: FloatArray, mask: BoolArray, rising: bool) -> FloatArray:
    """Time at which y first passes half-way between its first and last values (per curve)."""
    big = np.where(mask, t, np.inf)
    small = np.where(mask, t, -np.inf)
    first = np.argmin(big, axis=1)
    last = np.argmax(small, axis=1)
    rows = np.arange(t.shape[0])
    y0, y1 = y[rows, first], y[rows, last]
    ylo, yhi = np.where(mask, y, np.inf).min(axis=1), np.where(mask, y, -np.inf).max(axis=1)
    if rising:
        half = 0.5 * (np.minimum(y0, 0.0) + yhi)
        passed = mask & (y >= half[:, None])
    else:
        half = 0.5 * (y0 + np.minimum(y1, ylo + 0.0))
        passed = mask & (y <= half[:, None])
    th = np.where(passed, t, np.inf).min(axis=1)
    _, tmax = _span(t, mask)
    return np.where(np.isfinite(th) & (th > 0), th, tmax / 3)


def _mean_at_extreme(t: FloatArray, y: FloatArray, mask: BoolArray, latest: bool) -> FloatArray:
    ext = (
        np.where(mask, t, -np.inf).max(axis=1) if latest else np.where(mask, t, np.inf).min(axis=1)
    )
    sel = mask & (t == ext[:, None])
    with np.errstate(all="ignore"):
        out = np.where(sel, y, 0.0).sum(axis=1) / sel.sum(axis=1)
    return np.nan_to_num(out)


def _grid(base: FloatArray, nc: int, npar: int, k: int, rates: FloatArray) -> FloatArray:
    """``(C, S, P)`` copies of ``base`` with parameter ``k`` replaced by each of ``rates[:, s]``."""
    out = np.repeat(base[:, None, :], rates.shape[1], axis=1)
    out[:, :, k] = rates
    return out


# --------------------------------------------------------------------------- dissociation
def _diss_func(x: FloatArray, p: FloatArray) -> FloatArray:
    t = _t(x)
    y0, koff, ns = _col(p, 0), _col(p, 1), _col(p, 2)
    return (y0 - ns) * np.exp(-koff * t) + ns


def _diss_jac(x: FloatArray, p: FloatArray) -> FloatArray:
    t = _t(x)
    y0, koff, ns = _col(p, 0), _col(p, 1), _col(p, 2)
    e = np.exp(-koff * t)
    return np.stack([e, -(y0 - ns) * t * e, 1.0 - e], axis=-1)


def _diss_guess(x: FloatArray, y: FloatArray, mask: BoolArray) -> FloatArray:
    t = _t(x)
    y0 = _mean_at_extreme(t, y, mask, latest=False)
    ns = np.minimum(_mean_at_extreme(t, y, mask, latest=True), y0)
    koff = np.log(2.0) / _half_time(t, y, mask, rising=False)
    return np.stack([y0, koff, 0.5 * ns], axis=-1)


def _diss_starts(x: FloatArray, y: FloatArray, mask: BoolArray, fixed: FloatArray) -> FloatArray:
    t = _t(x)
    base = _diss_guess(x, y, mask)
    base[:, 2] = _mean_at_extreme(t, y, mask, latest=True)
    _, tmax = _span(t, mask)
    rates = _RATE_GRID[None, :] / tmax[:, None]
    return _grid(base, t.shape[0], 3, 1, rates)


DISSOCIATION = Model(
    "dissociation",
    ("y0", "koff", "ns"),
    _diss_func,
    _diss_jac,
    _diss_guess,
    _diss_starts,
)


# --------------------------------------------------------------------------- association, one [L]
def _assoc_func(x: FloatArray, p: FloatArray) -> FloatArray:
    t = _t(x)
    return _col(p, 0) * -np.expm1(-_col(p, 1) * t)


def _assoc_jac(x: FloatArray, p: FloatArray) -> FloatArray:
    t = _t(x)
    ymax, kobs = _col(p, 0), _col(p, 1)
    e = np.exp(-kobs * t)
    return np.stack([1.0 - e, ymax * t * e], axis=-1)


def _assoc_guess(x: FloatArray, y: FloatArray, mask: BoolArray) -> FloatArray:
    t = _t(x)
    ymax = np.where(mask, y, -np.inf).max(axis=1)
    kobs = np.log(2.0) / _half_time(t, y, mask, rising=True)
    return np.stack([np.where(np.isfinite(ymax), ymax, 1.0), kobs], axis=-1)


def _assoc_starts(x: FloatArray, y: FloatArray, mask: BoolArray, fixed: FloatArray) -> FloatArray:
    t = _t(x)
    base = _assoc_guess(x, y, mask)
    _, tmax = _span(t, mask)
    rates = _RATE_GRID[None, :] / tmax[:, None]
    out = _grid(base, t.shape[0], 2, 1, rates)
    # Ymax of each start: the least-squares value for that kobs (the model is linear in Ymax)
    shape = -np.expm1(-rates[:, :, None] * t[:, None, :])
    m = mask[:, None, :]
    num = np.where(m, shape * y[:, None, :], 0.0).sum(axis=2)
    den = np.where(m, shape * shape, 0.0).sum(axis=2)
    with np.errstate(all="ignore"):
        out[:, :, 0] = np.where(den > 0, num / den, out[:, :, 0])
    return out


ASSOCIATION = Model(
    "association",
    ("ymax", "kobs"),
    _assoc_func,
    _assoc_jac,
    _assoc_guess,
    _assoc_starts,
)


# --------------------------------------------------------------------------- global association
def association_global_curve(
    t: FloatArray, conc_nM: FloatArray, kon: FloatArray, koff: FloatArray, bmax: FloatArray
) -> tuple[FloatArray, list[FloatArray]]:
    """Values and partial derivatives (kon, koff, Bmax) of the global association model.

    ``Ymax = Bmax·L·kon/(L·kon + koff)`` (= ``Bmax·L/(L + Kd)``), ``kobs = kon·L + koff``.
    """
    kobs = kon * conc_nM + koff
    den = kobs
    frac = conc_nM * kon / den
    ymax = bmax * frac
    e = np.exp(-kobs * t)
    rise = -np.expm1(-kobs * t)
    y = ymax * rise
    dy_dkobs = ymax * t * e
    dymax_dkon = bmax * conc_nM * koff / den**2
    dymax_dkoff = -bmax * conc_nM * kon / den**2
    d_kon = dymax_dkon * rise + dy_dkobs * conc_nM
    d_koff = dymax_dkoff * rise + dy_dkobs
    d_bmax = frac * rise
    return y, [d_kon, d_koff, d_bmax]


def _glob_func(x: FloatArray, p: FloatArray) -> FloatArray:
    return association_global_curve(x[..., 0], x[..., 1], _col(p, 0), _col(p, 1), _col(p, 2))[0]


def _glob_jac(x: FloatArray, p: FloatArray) -> FloatArray:
    _, d = association_global_curve(x[..., 0], x[..., 1], _col(p, 0), _col(p, 1), _col(p, 2))
    return np.stack(d, axis=-1)


def _kinetic_starts(
    t: FloatArray, conc: FloatArray, y: FloatArray, mask: BoolArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """kon, koff, Bmax from the half-times and highest values at each concentration."""
    nc = t.shape[0]
    kon = np.empty(nc)
    koff = np.empty(nc)
    bmax = np.empty(nc)
    for c in range(nc):
        m = mask[c] & np.isfinite(conc[c])
        levels = np.unique(conc[c][m])
        ks, ls, ys = [], [], []
        for lv in levels:
            sel = m & (conc[c] == lv)
            th = _half_time(t[c][None, sel], y[c][None, sel], np.ones((1, sel.sum()), bool), True)
            ks.append(np.log(2.0) / th[0])
            ls.append(lv)
            ys.append(float(y[c][sel].max()))
        ka, la = np.asarray(ks), np.asarray(ls)
        if la.size >= 2 and np.ptp(la) > 0:
            slope, icpt = np.polyfit(la, ka, 1)
        else:
            slope, icpt = np.nan, np.nan
        if not (slope > 0 and icpt > 0):
            med_k = float(np.median(ka)) if ka.size else 0.1
            med_l = float(np.median(la)) if la.size and np.median(la) > 0 else 1.0
            slope, icpt = med_k / (2 * med_l), med_k / 2
        kon[c], koff[c] = slope, icpt
        kd = icpt / slope
        if la.size:
            bmax[c] = float(np.median(np.asarray(ys) * (la + kd) / np.maximum(la, 1e-300)))
        else:
            bmax[c] = 1.0
    return kon, koff, bmax


def _glob_guess(x: FloatArray, y: FloatArray, mask: BoolArray) -> FloatArray:
    kon, koff, bmax = _kinetic_starts(x[..., 0], x[..., 1], y, mask)
    return np.stack([kon, koff, bmax], axis=-1)


def _glob_starts(x: FloatArray, y: FloatArray, mask: BoolArray, fixed: FloatArray) -> FloatArray:
    base = _glob_guess(x, y, mask)
    scale = np.array([0.25, 0.5, 2.0, 4.0])
    out = np.repeat(base[:, None, :], scale.size**2, axis=1)
    out[:, :, 0] *= np.repeat(scale, scale.size)[None, :]
    out[:, :, 1] *= np.tile(scale, scale.size)[None, :]
    return out


ASSOCIATION_GLOBAL = Model(
    "association_global",
    ("kon", "koff", "bmax"),
    _glob_func,
    _glob_jac,
    _glob_guess,
    _glob_starts,
)


# --------------------------------------------------------------------------- association then dissociation
def association_dissociation_curve(
    t: FloatArray,
    conc_nM: FloatArray,
    time0: FloatArray,
    kon: FloatArray,
    koff: FloatArray,
    bmax: FloatArray,
    ns: FloatArray,
) -> tuple[FloatArray, list[FloatArray]]:
    """Prism's "association then dissociation": values and derivatives (kon, koff, Bmax, NS)."""
    ya, da = association_global_curve(t, conc_nM, kon, koff, bmax)
    y0, d0 = association_global_curve(time0, conc_nM, kon, koff, bmax)
    dt = t - time0
    e = np.exp(-koff * np.where(dt > 0, dt, 0.0))
    yd = y0 * e
    after = t >= time0
    y = np.where(after, yd, ya) + ns
    d_kon = np.where(after, d0[0] * e, da[0])
    d_koff = np.where(after, d0[1] * e - yd * dt, da[1])
    d_bmax = np.where(after, d0[2] * e, da[2])
    return y, [d_kon, d_koff, d_bmax, np.ones_like(y)]


def _ad_args(x: FloatArray, p: FloatArray) -> tuple[FloatArray, ...]:
    return (x[..., 0], x[..., 1], x[..., 2], _col(p, 0), _col(p, 1), _col(p, 2), _col(p, 3))


def _ad_func(x: FloatArray, p: FloatArray) -> FloatArray:
    return association_dissociation_curve(*_ad_args(x, p))[0]


def _ad_jac(x: FloatArray, p: FloatArray) -> FloatArray:
    return np.stack(association_dissociation_curve(*_ad_args(x, p))[1], axis=-1)


def _ad_guess(x: FloatArray, y: FloatArray, mask: BoolArray) -> FloatArray:
    t, conc, time0 = x[..., 0], x[..., 1], x[..., 2]
    before = mask & (t < time0)
    after = mask & (t >= time0)
    kon, koff, bmax = _kinetic_starts(t, conc, y, before)
    # koff from the dissociation phase (its own half-time), kon from kobs = kon·L + koff
    k_d = np.log(2.0) / _half_time(np.where(after, t - time0, 0.0), y, after, rising=False)
    has_d = after.sum(axis=1) >= 2
    kobs = kon * np.nanmedian(np.where(before, conc, np.nan), axis=1) + koff
    med_l = np.nanmedian(np.where(mask, conc, np.nan), axis=1)
    koff = np.where(has_d, k_d, koff)
    kon = np.where(has_d & (kobs > koff), (kobs - koff) / med_l, kon)
    kd = koff / kon
    ymax = np.where(mask, y, -np.inf).max(axis=1)
    bmax = np.where(np.isfinite(ymax), ymax * (med_l + kd) / med_l, bmax)
    return np.stack([kon, koff, bmax, np.zeros_like(kon)], axis=-1)


def _ad_starts(x: FloatArray, y: FloatArray, mask: BoolArray, fixed: FloatArray) -> FloatArray:
    base = _ad_guess(x, y, mask)
    scale = np.array([0.3, 1.0, 3.0])
    out = np.repeat(base[:, None, :], scale.size**2, axis=1)
    out[:, :, 0] *= np.repeat(scale, scale.size)[None, :]
    out[:, :, 1] *= np.tile(scale, scale.size)[None, :]
    return out


ASSOCIATION_DISSOCIATION = Model(
    "association_dissociation",
    ("kon", "koff", "bmax", "ns"),
    _ad_func,
    _ad_jac,
    _ad_guess,
    _ad_starts,
)


# --------------------------------------------------------------------------- Motulsky–Mahan
def motulsky_mahan_curve(
    t: FloatArray,
    conc_nM: FloatArray,
    comp_nM: FloatArray,
    k1: FloatArray,
    k2: FloatArray,
    k3: FloatArray,
    k4: FloatArray,
    bmax: FloatArray,
) -> tuple[FloatArray, list[FloatArray]]:
    """Motulsky–Mahan specific binding of the radioligand and its derivatives (k1, k2, k3, k4, Bmax).

    Rate constants per nM per minute (k1, k3) and per minute (k2, k4); L and I in nM.
    """
    a = k1 * conc_nM
    ka = a + k2
    kb = k3 * comp_nM + k4
    c4 = k1 * k3 * conc_nM * comp_nM  # the "4·K1·K3·L·I" term divided by 4
    diff = ka - kb
    s = np.sqrt(diff * diff + 4.0 * c4)
    kf = 0.5 * (ka + kb + s)
    ks = 0.5 * (ka + kb - s)
    ef = np.exp(-kf * t)
    es = np.exp(-ks * t)
    q = bmax * a / s
    g = k4 * s / (kf * ks) + (k4 / kf - 1.0) * ef - (k4 / ks - 1.0) * es
    y = q * g
    zero = np.zeros_like(y)
    one = np.ones_like(y)
    # d(a), d(KA), d(KB), d(c4), d(k4), d(bmax) for each parameter
    partials = [
        (conc_nM * one, conc_nM * one, zero, k3 * conc_nM * comp_nM * one, zero, zero),  # k1
        (zero, one, zero, zero, zero, zero),  # k2
        (zero, zero, comp_nM * one, k1 * conc_nM * comp_nM * one, zero, zero),  # k3
        (zero, zero, one, zero, one, zero),  # k4
        (zero, zero, zero, zero, zero, one),  # bmax
    ]
    out = []
    for da, dka, dkb, dc4, dk4, dbm in partials:
        ds = (diff * (dka - dkb) + 2.0 * dc4) / s
        dkf = 0.5 * (dka + dkb + ds)
        dks = 0.5 * (dka + dkb - ds)
        prod = kf * ks
        dg = (
            dk4 * s / prod
            + k4 * ds / prod
            - k4 * s * (dkf * ks + kf * dks) / prod**2
            + (dk4 / kf - k4 * dkf / kf**2) * ef
            - (k4 / kf - 1.0) * t * dkf * ef
            - (dk4 / ks - k4 * dks / ks**2) * es
            + (k4 / ks - 1.0) * t * dks * es
        )
        dq = dbm * a / s + bmax * da / s - bmax * a * ds / s**2
        out.append(dq * g + q * dg)
    return y, out


def _mm_args(x: FloatArray, p: FloatArray) -> tuple[FloatArray, ...]:
    return (x[..., 0], x[..., 1], x[..., 2]) + tuple(_col(p, k) for k in range(5))


def _mm_func(x: FloatArray, p: FloatArray) -> FloatArray:
    return motulsky_mahan_curve(*_mm_args(x, p))[0]


def _mm_jac(x: FloatArray, p: FloatArray) -> FloatArray:
    return np.stack(motulsky_mahan_curve(*_mm_args(x, p))[1], axis=-1)


def _mm_guess(x: FloatArray, y: FloatArray, mask: BoolArray) -> FloatArray:
    """k3, k4 from the span of times and the competitor concentrations; Bmax from the highest y.

    k1 and k2 are fixed in practice (the guess gives placeholders the engine replaces).
    """
    t, conc, comp = x[..., 0], x[..., 1], x[..., 2]
    _, tmax = _span(t, mask)
    k4 = 3.0 / tmax
    med_i = np.nanmedian(np.where(mask & (comp > 0), comp, np.nan), axis=1)
    med_i = np.where(np.isfinite(med_i), med_i, 1.0)
    k3 = k4 / med_i  # Ki ≈ the typical competitor concentration
    med_l = np.nanmedian(np.where(mask, conc, np.nan), axis=1)
    ymax = np.where(mask, y, -np.inf).max(axis=1)
    bmax = np.where(np.isfinite(ymax), 3.0 * ymax, 1.0)
    k1 = np.full_like(k4, 0.1)
    k2 = k1 * np.where(np.isfinite(med_l), med_l, 1.0)
    return np.stack([k1, k2, k3, k4, bmax], axis=-1)


def _mm_starts(x: FloatArray, y: FloatArray, mask: BoolArray, fixed: FloatArray) -> FloatArray:
    """A grid of competitor koff (over the time span) × Ki (around the concentrations used).

    Bmax of each start is the least-squares value for its rates (the model is linear in Bmax).
    """
    t, comp = x[..., 0], x[..., 2]
    base = _mm_guess(x, y, mask)
    base = np.where(np.isfinite(fixed), fixed, base)
    _, tmax = _span(t, mask)
    med_i = np.nanmedian(np.where(mask & (comp > 0), comp, np.nan), axis=1)
    med_i = np.where(np.isfinite(med_i), med_i, 1.0)
    k4s = np.array([0.01, 0.1, 1.0, 10.0])
    kis = np.array([0.01, 0.1, 1.0, 10.0])
    nc = t.shape[0]
    out = np.repeat(base[:, None, :], k4s.size * kis.size, axis=1)
    out[:, :, 3] = np.repeat(k4s, kis.size)[None, :] / tmax[:, None]
    out[:, :, 2] = out[:, :, 3] / (np.tile(kis, k4s.size)[None, :] * med_i[:, None])
    out[:, :, 4] = 1.0
    for s in range(out.shape[1]):
        shape = _mm_func(x, out[:, s])
        num = np.where(mask, shape * y, 0.0).sum(axis=1)
        den = np.where(mask, shape * shape, 0.0).sum(axis=1)
        with np.errstate(all="ignore"):
            out[:, s, 4] = np.where(den > 0, num / den, base[:, 4])
    return out.reshape(nc, -1, 5)


MOTULSKY_MAHAN = Model(
    "motulsky_mahan",
    ("k1", "k2", "k3", "k4", "bmax"),
    _mm_func,
    _mm_jac,
    _mm_guess,
    _mm_starts,
)


# --------------------------------------------------------------------------- Kd as a parameter
def kd_parameterized(model: Model, kon: str = "kon", koff: str = "koff") -> Model:
    """``model`` with its association rate replaced by ``kd = koff/kon`` (nM), same order.

    Used to profile the kinetic Kd itself (its profile-likelihood limits); the optimum is the
    same as the original model's.

    Examples
    --------
    >>> import numpy as np
    >>> m = kd_parameterized(ASSOCIATION_GLOBAL)
    >>> m.param_names
    ('kd', 'koff', 'bmax')
    >>> x = np.array([[[5.0, 1.0]]])
    >>> bool(np.allclose(m.eval(x, np.array([[1.0, 0.1, 1000.0]])),
    ...                  ASSOCIATION_GLOBAL.eval(x, np.array([[0.1, 0.1, 1000.0]]))))
    True
    """
    i, k = model.index(kon), model.index(koff)
    names = tuple("kd" if n == kon else n for n in model.param_names)

    def to_base(p: FloatArray) -> FloatArray:
        q = p.copy()
        q[:, i] = p[:, k] / p[:, i]
        return q

    def func(x: FloatArray, p: FloatArray) -> FloatArray:
        return model.func(x, to_base(p))

    def jac(x: FloatArray, p: FloatArray) -> FloatArray:
        j = model.jac(x, to_base(p)).copy()
        kd, kf = p[:, i : i + 1], p[:, k : k + 1]
        d_kon = j[..., i].copy()
        j[..., i] = d_kon * (-kf / kd**2)  # kon = koff/kd
        j[..., k] = j[..., k] + d_kon / kd
        return j

    def guess(x: FloatArray, y: FloatArray, mask: BoolArray) -> FloatArray:
        if model.guess is None:
            raise ValueError(f"model {model.name!r} has no guess()")
        q = model.guess(x, y, mask).copy()
        q[:, i] = q[:, k] / q[:, i]
        return q

    return Model(f"{model.name}(kd)", names, func, jac, guess)
