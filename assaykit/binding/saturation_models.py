"""Saturation-binding models for the batched engine (GraphPad's equations, DOMAIN §8.1).

Every model is evaluated on ``x`` of shape ``(C, N, 2)``: ``x[..., 0]`` is the free radioligand
concentration **in nM** and ``x[..., 1]`` an indicator that is 1 for a tube whose response
contains specific binding (total or specific tubes) and 0 for a nonspecific-binding tube. One
equation then covers all of Prism's one-site models::

    Y = s · site(X) + NS·X + Bkg            (s = indicator; NS, Bkg only with nonspecific=True)

* ``site="one"``:  ``Bmax·X/(Kd + X)``
* ``site="two"``:  ``BmaxHi·X/(KdHi + X) + BmaxLo·X/(KdLo + X)``
* ``site="hill"``: ``Bmax·X^h/(Kd^h + X^h)``

With every indicator 1 and no nonspecific term this is "one site – specific binding"; with
nonspecific terms and every indicator 1 it is "one site – total"; with total tubes (s = 1) and
NSB tubes (s = 0) fitted together it is "one site – total and nonspecific" with NS and Bkg shared.
Dissociation constants are fitted as ``log_kd = log10(Kd / nM)``: the likelihood is closer to
quadratic there and Kd stays positive; standard errors on the Kd scale follow exactly from the
Gauss–Newton covariance (``SE(Kd) = Kd·ln10·SE(log_kd)``).

Starting values come from a grid over the nonlinear parameters (``log_kd``, ``hill``) with the
linear ones (Bmax, NS, Bkg) solved by least squares at each grid point (variable projection); the
engine ranks these starts by their sum of squares and refines the best.
"""

from __future__ import annotations

import itertools
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from assaykit.fitting.model import FloatArray, Model

__all__ = ["SITE_PARAMS", "Site", "saturation_model"]

Site = Literal["one", "two", "hill"]

LN10 = float(np.log(10.0))

#: Parameters of the specific part of each site model, in engine order.
SITE_PARAMS: dict[str, tuple[str, ...]] = {
    "one": ("bmax", "log_kd"),
    "two": ("bmax_hi", "log_kd_hi", "bmax_lo", "log_kd_lo"),
    "hill": ("bmax", "log_kd", "hill"),
}

#: Hill slopes tried by the start grid of the Hill model.
_HILL_GRID = (0.6, 1.0, 1.6, 2.5)


def _hyper(x: FloatArray, lk: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``X/(K+X)`` and its derivative with respect to ``log10 K`` (``−X·K·ln10/(K+X)²``)."""
    k = 10.0**lk
    den = k + x
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(den > 0, x / den, 0.0)
        dfrac = np.where(den > 0, -x * k * LN10 / den**2, 0.0)
    return frac, dfrac


def _hill_parts(
    x: FloatArray, lk: FloatArray, h: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``1/(1+u)``, ``u = (K/X)^h``, and its derivatives by ``log10 K`` and ``h``."""
    xs = np.maximum(x, 1e-300)
    z = np.clip(h * (lk * LN10 - np.log(xs)), -700.0, 700.0)
    u = np.exp(z)
    g = 1.0 / (1.0 + u)
    dg_du = -(g**2)
    return g, dg_du * u * h * LN10, dg_du * u * (lk * LN10 - np.log(xs))


def _site_value_jac(site: str, x: FloatArray, p: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Specific part and its Jacobian ``(C, N, n_site_params)`` for params ``p`` (C, P)."""
    if site == "one":
        b, lk = p[:, 0:1], p[:, 1:2]
        fr, dfr = _hyper(x, lk)
        return b * fr, np.stack([fr, b * dfr], axis=-1)
    if site == "two":
        b1, l1, b2, l2 = (p[:, i : i + 1] for i in range(4))
        f1, d1 = _hyper(x, l1)
        f2, d2 = _hyper(x, l2)
        return b1 * f1 + b2 * f2, np.stack([f1, b1 * d1, f2, b2 * d2], axis=-1)
    b, lk, h = p[:, 0:1], p[:, 1:2], p[:, 2:3]
    g, dlk, dh = _hill_parts(x, lk, h)
    return b * g, np.stack([g, b * dlk, b * dh], axis=-1)


def _split(xg: FloatArray) -> tuple[FloatArray, FloatArray]:
    xa = np.asarray(xg, float)
    if xa.ndim == 2:  # plain concentrations: every tube carries specific binding
        return xa, np.ones_like(xa)
    return xa[..., 0], np.nan_to_num(xa[..., 1], nan=1.0)


def _grid(site: str, x: FloatArray, mask: NDArray[np.bool_]) -> FloatArray:
    """Grid of the nonlinear site parameters per curve: ``(C, G, n_nonlinear)``."""
    xm = np.where(mask & (x > 0), x, np.nan)
    with np.errstate(all="ignore"):
        lo = np.log10(np.nanmin(xm, axis=1))
        hi = np.log10(np.nanmax(xm, axis=1))
    lo = np.where(np.isfinite(lo), lo, -1.0)
    hi = np.where(np.isfinite(hi), hi, 1.0)
    if site == "one":
        t = np.linspace(0.0, 1.0, 14)
        lk = (lo - 1.0)[:, None] + (hi - lo + 2.0)[:, None] * t[None, :]
        return lk[:, :, None]
    if site == "two":
        t = np.linspace(0.0, 1.0, 9)
        lk = (lo - 1.0)[:, None] + (hi - lo + 2.0)[:, None] * t[None, :]
        pairs = np.array(list(itertools.combinations(range(t.size), 2)))
        return np.stack([lk[:, pairs[:, 0]], lk[:, pairs[:, 1]]], axis=-1)
    t = np.linspace(0.0, 1.0, 10)
    lk = (lo - 1.0)[:, None] + (hi - lo + 2.0)[:, None] * t[None, :]
    hh = np.array(_HILL_GRID)
    lk_g = np.repeat(lk, hh.size, axis=1)
    h_g = np.broadcast_to(np.tile(hh, t.size), lk_g.shape)
    return np.stack([lk_g, h_g], axis=-1)


def _basis(
    site: str, x: FloatArray, s: FloatArray, nl: FloatArray, nonspecific: bool
) -> FloatArray:
    """Linear basis ``(C, G, N, L)`` at the grid values ``nl`` ``(C, G, k)``."""
    xe = x[:, None, :]
    se = s[:, None, :]
    cols = []
    if site == "one":
        cols.append(se * _hyper(xe, nl[:, :, 0:1])[0])
    elif site == "two":
        cols.append(se * _hyper(xe, nl[:, :, 0:1])[0])
        cols.append(se * _hyper(xe, nl[:, :, 1:2])[0])
    else:
        cols.append(se * _hill_parts(xe, nl[:, :, 0:1], nl[:, :, 1:2])[0])
    if nonspecific:
        g = nl.shape[1]
        cols.append(np.broadcast_to(xe, (x.shape[0], g, x.shape[1])))
        cols.append(np.ones((x.shape[0], g, x.shape[1])))
    return np.stack(cols, axis=-1)


def _linear_layout(site: str, nonspecific: bool) -> tuple[list[int], list[int]]:
    """Positions (in the parameter vector) of the linear and the nonlinear parameters."""
    names = SITE_PARAMS[site] + (("ns", "bkg") if nonspecific else ())
    linear = [i for i, n in enumerate(names) if n.startswith("bmax") or n in ("ns", "bkg")]
    nonlinear = [i for i, n in enumerate(names) if i not in linear]
    return linear, nonlinear


def _grid_starts(
    site: str,
    nonspecific: bool,
    xg: FloatArray,
    y: FloatArray,
    mask: NDArray[np.bool_],
    fixed: FloatArray | None,
) -> FloatArray:
    """Every grid point with its least-squares linear parameters: ``(C, G, P)``."""
    x, s = _split(xg)
    m = np.asarray(mask, bool) & np.isfinite(y) & np.isfinite(x)
    xz = np.where(m, x, 0.0)
    yz = np.where(m, y, 0.0)
    c = yz.shape[0]
    linear, nonlinear = _linear_layout(site, nonspecific)
    npar = len(linear) + len(nonlinear)
    fix = np.full((c, npar), np.nan) if fixed is None else np.asarray(fixed, float)
    nl = _grid(site, xz, m)
    for j, pos in enumerate(nonlinear):  # a fixed nonlinear parameter is used as given
        nl[:, :, j] = np.where(np.isfinite(fix[:, pos])[:, None], fix[:, pos][:, None], nl[:, :, j])
    a = _basis(site, xz, s, nl, nonspecific) * m[:, None, :, None]
    yadj = np.broadcast_to(yz[:, None, :], a.shape[:3]).copy()
    free_lin = np.ones((c, len(linear)), dtype=bool)
    for j, pos in enumerate(linear):
        v = fix[:, pos]
        isfix = np.isfinite(v)
        free_lin[:, j] = ~isfix
        yadj -= np.where(isfix, v, 0.0)[:, None, None] * a[..., j]
    a = a * free_lin[:, None, None, :]
    ata = np.einsum("cgni,cgnj->cgij", a, a)
    aty = np.einsum("cgni,cgn->cgi", a, yadj)
    scale = np.maximum(np.einsum("cgii->cg", ata), 1e-300)
    ata = ata + (1e-10 * scale)[..., None, None] * np.eye(len(linear))
    coef = np.linalg.solve(ata, aty[..., None])[..., 0]
    out = np.empty((c, nl.shape[1], npar))
    for j, pos in enumerate(linear):
        out[:, :, pos] = np.where(free_lin[:, j][:, None], coef[:, :, j], fix[:, pos][:, None])
    for j, pos in enumerate(nonlinear):
        out[:, :, pos] = nl[:, :, j]
    return out


def saturation_model(site: Site = "one", *, nonspecific: bool = True) -> Model:
    """The batched saturation model with a given specific part and optional linear NSB.

    Parameters
    ----------
    site
        ``"one"``, ``"two"`` or ``"hill"`` (see the module docstring).
    nonspecific
        Add ``NS·X + Bkg`` (parameters ``ns`` in response per nM and ``bkg``).

    Examples
    --------
    DOMAIN §8.1: Bmax 2000 cpm, Kd 2 nM, NS 50 cpm/nM → total binding at 0.25 and 16 nM,
    nonspecific binding at 16 nM:

    >>> import numpy as np
    >>> m = saturation_model("one", nonspecific=True)
    >>> m.param_names
    ('bmax', 'log_kd', 'ns', 'bkg')
    >>> x = np.array([[[0.25, 1.0], [16.0, 1.0], [16.0, 0.0]]])
    >>> m.eval(x, np.array([[2000.0, np.log10(2.0), 50.0, 0.0]])).round(2)
    array([[ 234.72, 2577.78,  800.  ]])
    """
    if site not in SITE_PARAMS:
        raise ValueError(f"site must be one of {sorted(SITE_PARAMS)}, not {site!r}")
    names = SITE_PARAMS[site] + (("ns", "bkg") if nonspecific else ())
    ns_site = len(SITE_PARAMS[site])

    def func_jac(xg: FloatArray, p: FloatArray) -> tuple[FloatArray, FloatArray]:
        x, s = _split(xg)
        val, jac = _site_value_jac(site, x, p)
        val = s * val
        jac = s[..., None] * jac
        if nonspecific:
            val = val + p[:, ns_site : ns_site + 1] * x + p[:, ns_site + 1 : ns_site + 2]
            jac = np.concatenate([jac, x[..., None], np.ones_like(x)[..., None]], axis=-1)
        return val, jac

    def func(xg: FloatArray, p: FloatArray) -> FloatArray:
        return func_jac(xg, p)[0]

    def jac(xg: FloatArray, p: FloatArray) -> FloatArray:
        return func_jac(xg, p)[1]

    def starts(
        xg: FloatArray, y: FloatArray, mask: NDArray[np.bool_], fixed: FloatArray | None = None
    ) -> FloatArray:
        return _grid_starts(site, nonspecific, xg, y, mask, fixed)

    def guess(xg: FloatArray, y: FloatArray, mask: NDArray[np.bool_]) -> FloatArray:
        cand = _grid_starts(site, nonspecific, xg, y, mask, None)
        x, s = _split(xg)
        m = np.asarray(mask, bool)
        pred = np.stack([func(xg, cand[:, g]) for g in range(cand.shape[1])], axis=1)  # (C, G, N)
        rss = np.sum(np.where(m[:, None, :], (pred - np.where(m, y, 0.0)[:, None, :]) ** 2, 0), -1)
        best = np.argmin(np.where(np.isfinite(rss), rss, np.inf), axis=1)
        return cand[np.arange(cand.shape[0]), best]

    label = {"one": "one site", "two": "two sites", "hill": "one site (Hill)"}[site]
    name = f"{label}{' + nonspecific' if nonspecific else ', specific'}"
    return Model(
        name,
        names,
        func=func,
        jac=jac,
        guess=guess,
        starts=starts,
        func_jac=func_jac,
        extra={"site": site, "nonspecific": nonspecific},
    )
