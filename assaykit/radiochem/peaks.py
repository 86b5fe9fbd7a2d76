"""Baseline, noise, peak regions and their areas on one radiochromatogram (numpy arrays in).

The baseline comes from pybaselines (a maintained library; SNIP by default), peaks from
:func:`scipy.signal.find_peaks` with a prominence measured in noise SDs, areas by the trapezoid
rule over each region after the baseline is subtracted.

Examples
--------
>>> import numpy as np
>>> x = np.linspace(0, 100, 501)
>>> y = 20 + 1000 * np.exp(-0.5 * ((x - 30) / 2) ** 2) + 300 * np.exp(-0.5 * ((x - 70) / 3) ** 2)
>>> base = estimate_baseline(x, y)
>>> regions = find_regions(x, y - base, noise_sd(y))
>>> [round(r.apex) for r in regions]
[30, 70]
>>> areas = [integrate(x, y - base, r.start, r.end) for r in regions]
>>> round(float(areas[0] / (1000 * 2 * np.sqrt(2 * np.pi))), 3)
1.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "BaselineMethod",
    "Region",
    "estimate_baseline",
    "find_regions",
    "integrate",
    "integrate_var",
    "noise_sd",
]

FloatArray = NDArray[np.float64]

#: ``snip`` (statistics-sensitive non-linear iterative peak clipping), ``arpls`` (asymmetrically
#: reweighted penalised least squares), ``modpoly`` (modified polynomial, order 2), ``none``.
BaselineMethod = Literal["snip", "arpls", "modpoly", "none"]


@dataclass(frozen=True)
class Region:
    """A peak region: bounds, apex and height above the baseline (axis units / counts)."""

    start: float
    end: float
    apex: float
    height: float
    overlaps: bool = False


def noise_sd(y: FloatArray) -> float:
    """Robust SD of the point-to-point noise: 1.4826·MAD(diff(y))/√2 (drift and peaks cancel).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> round(noise_sd(rng.normal(0, 5, 5000)), 0)
    5.0
    """
    d = np.diff(np.asarray(y, dtype=float))
    if d.size == 0:
        return 0.0
    return float(1.4826 * np.median(np.abs(d - np.median(d))) / np.sqrt(2.0))


def _smooth(y: FloatArray, half: int) -> FloatArray:
    if half < 1:
        return y
    k = np.ones(2 * half + 1) / (2 * half + 1)
    pad = np.pad(y, half, mode="edge")
    return np.convolve(pad, k, mode="valid")


def estimate_baseline(
    x: FloatArray, y: FloatArray, method: BaselineMethod = "snip", *, half_window: int | None = None
) -> FloatArray:
    """The baseline under a trace (pybaselines), evaluated at every point.

    ``half_window`` (points) must exceed the half-width of the widest peak; default: a tenth
    of the trace (at least 10 points).
    """
    y = np.asarray(y, dtype=float)
    if method == "none":
        return np.zeros_like(y)
    from pybaselines import Baseline

    fitter = Baseline(x_data=np.asarray(x, dtype=float))
    hw = half_window or max(10, y.size // 10)
    if method == "snip":
        base, _ = fitter.snip(y, max_half_window=hw, decreasing=True, smooth_half_window=2)
    elif method == "arpls":
        base, _ = fitter.arpls(y, lam=1e7)
    elif method == "modpoly":
        base, _ = fitter.modpoly(y, poly_order=2)
    else:  # pragma: no cover - Literal guards it
        raise ValueError(f"unknown baseline method {method!r}")
    return np.asarray(base, dtype=float)


def find_regions(
    x: FloatArray,
    signal: FloatArray,
    noise: float,
    *,
    min_prominence_sd: float = 8.0,
    overlap_fraction: float = 0.1,
) -> list[Region]:
    """Peaks of a baseline-subtracted trace and the region each one owns.

    A peak needs a prominence of ``min_prominence_sd`` noise SDs (on a lightly smoothed trace),
    both of the trace's noise and of the local noise around it (counting noise grows with the
    counts, so a tall peak's top is noisier than the baseline).
    Its region runs from the apex outwards until the smoothed signal reaches the baseline (or
    the lowest point between it and its neighbour), then widens by half the peak's width at
    half height so that the tails under the noise are counted. Neighbours whose valley stays
    above ``overlap_fraction`` of the smaller height are marked ``overlaps`` (split at the
    valley: perpendicular drop).
    """
    from scipy.signal import find_peaks, peak_widths

    x = np.asarray(x, dtype=float)
    s = _smooth(np.asarray(signal, dtype=float), 2)
    prom = max(min_prominence_sd * max(noise, 1e-12) / np.sqrt(5.0), 1e-12)
    idx, props = find_peaks(s, prominence=prom)
    if idx.size == 0:
        return []
    # counting noise grows with the counts (Poisson): a bump on top of a tall peak must also
    # stand out from the noise around it (second differences: curvature of a smooth peak
    # hardly contributes, so this is the local point-to-point noise)
    raw = np.asarray(signal, dtype=float)
    keep = s[idx] > 0
    widths = peak_widths(s, idx, rel_height=0.5)[0]
    for k, i in enumerate(idx):
        w = int(max(10, 2 * widths[k]))
        seg = raw[max(i - w, 0) : i + w + 1]
        d2 = seg[2:] - 2 * seg[1:-1] + seg[:-2]
        local = (
            1.4826 * float(np.median(np.abs(d2 - np.median(d2)))) / np.sqrt(6.0) if d2.size else 0.0
        )
        keep[k] &= props["prominences"][k] >= min_prominence_sd * max(noise, local) / np.sqrt(5.0)
    idx = idx[keep]
    if idx.size == 0:
        return []
    half_w = peak_widths(s, idx, rel_height=0.5)[0] / 2.0
    n = s.size
    valleys = [int(a + np.argmin(s[a : b + 1])) for a, b in zip(idx[:-1], idx[1:], strict=True)]
    regions: list[Region] = []
    for k, i in enumerate(idx):
        lo_lim = valleys[k - 1] if k > 0 else 0
        hi_lim = valleys[k] if k < len(valleys) else n - 1
        lo = i
        while lo > lo_lim and s[lo] > 0:
            lo -= 1
        hi = i
        while hi < hi_lim and s[hi] > 0:
            hi += 1
        pad = int(np.ceil(half_w[k]))
        lo = lo_lim if lo == lo_lim else max(lo - pad, lo_lim)
        hi = hi_lim if hi == hi_lim else min(hi + pad, hi_lim)
        over = False
        for j in (k - 1, k):
            if 0 <= j < len(valleys):
                smaller = min(s[idx[j]], s[idx[j + 1]])
                over = over or s[valleys[j]] > overlap_fraction * smaller
        regions.append(Region(float(x[lo]), float(x[hi]), float(x[i]), float(s[i]), over))
    # neighbours that did not meet at a valley must not overlap after widening
    for k in range(1, len(regions)):
        a, b = regions[k - 1], regions[k]
        if b.start < a.end:
            cut = x[valleys[k - 1]]
            regions[k - 1] = Region(a.start, float(cut), a.apex, a.height, a.overlaps)
            regions[k] = Region(float(cut), b.end, b.apex, b.height, b.overlaps)
    return regions


def _inside(x: FloatArray, start: float, end: float) -> NDArray[np.bool_]:
    return (x >= start) & (x <= end)


def integrate(x: FloatArray, signal: FloatArray, start: float, end: float) -> float:
    """Trapezoid area of ``signal`` over ``start ≤ x ≤ end`` (counts × axis unit)."""
    m = _inside(np.asarray(x, float), start, end)
    if m.sum() < 2:
        return 0.0
    return float(np.trapezoid(np.asarray(signal, float)[m], np.asarray(x, float)[m]))


def integrate_var(x: FloatArray, counts: FloatArray, start: float, end: float) -> float:
    """Poisson variance of :func:`integrate` over the region (gross counts; trapezoid weights)."""
    x = np.asarray(x, float)
    m = _inside(x, start, end)
    if m.sum() < 2:
        return 0.0
    xs, ys = x[m], np.clip(np.asarray(counts, float)[m], 0, None)
    dx = np.diff(xs)
    w = np.zeros_like(xs)
    w[:-1] += dx / 2
    w[1:] += dx / 2
    return float(np.sum(w**2 * ys))
