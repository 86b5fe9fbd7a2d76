"""Per-curve facts about the raw points of a block of padded curves (private to :mod:`.fit`)."""

from __future__ import annotations

import dataclasses

import numpy as np

from assaykit.binding.curves import summaries_kernel

__all__ = ["Summaries", "summaries"]


@dataclasses.dataclass
class Summaries:
    """Per-curve facts about the raw points of a block (``valid`` is per point)."""

    valid: np.ndarray
    n: np.ndarray
    n_nonpositive: np.ndarray
    n_missing: np.ndarray
    n_bad_weight: np.ndarray
    scale: np.ndarray
    distinct: np.ndarray
    yr: np.ndarray
    xmin: np.ndarray
    xmax: np.ndarray


def summaries(
    conc: np.ndarray, resp: np.ndarray, xlog: np.ndarray, w: np.ndarray, n_rows: np.ndarray
) -> Summaries:
    """Which points are usable, and per curve: counts, response scale and range, tested range.

    ``scale`` is the largest usable ``|response|`` (1 where there is none or it is 0), ``yr`` the
    range of ``response / scale``, ``distinct`` the number of concentrations more than 1e-9
    log units apart, ``xmin``/``xmax`` the tested range (NaN without usable points).
    """
    nc, width = conc.shape
    kernel = summaries_kernel()
    if kernel is not None:
        valid = np.empty((nc, width), dtype=bool)
        ints = np.empty((nc, 5), dtype=np.int64)  # n, nonpositive, missing, bad weight, distinct
        flts = np.empty((nc, 4))  # scale, yr, xmin, xmax
        kernel(
            np.ascontiguousarray(conc, dtype=float),
            np.ascontiguousarray(resp, dtype=float),
            np.ascontiguousarray(xlog, dtype=float),
            np.ascontiguousarray(w, dtype=float),
            np.ascontiguousarray(n_rows, dtype=np.int64),
            valid,
            ints,
            flts,
        )
        n, nonpos, missing, bad_weight, distinct = ints.T
        scale, yr, xmin, xmax = flts.T
        return Summaries(valid, n, nonpos, missing, bad_weight, scale, distinct, yr, xmin, xmax)
    present = np.arange(width)[None, :] < n_rows[:, None]
    nonpos = present & np.isfinite(conc) & (conc <= 0)
    missing = present & ~(np.isfinite(conc) & np.isfinite(resp))
    valid = present & np.isfinite(xlog) & np.isfinite(resp)
    bad_weight = valid & ~np.isfinite(w)
    valid &= np.isfinite(w)
    scale = np.max(np.where(valid, np.abs(resp), 0.0), axis=1)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    ys = resp / scale[:, None]
    n = valid.sum(axis=1)
    xs = np.where(valid, xlog, np.inf)
    if not np.all(xs[:, 1:] >= xs[:, :-1]):  # usually in order already
        xs = np.sort(xs, axis=1)
    with np.errstate(invalid="ignore"):
        step = np.diff(xs, axis=1)
    distinct = np.where(n > 0, 1 + np.sum(np.isfinite(step) & (step > 1e-9), axis=1), 0)
    yr = np.max(np.where(valid, ys, -np.inf), axis=1) - np.min(np.where(valid, ys, np.inf), axis=1)
    xmin = np.min(np.where(valid, xlog, np.inf), axis=1)
    xmax = np.max(np.where(valid, xlog, -np.inf), axis=1)
    return Summaries(
        valid,
        n,
        nonpos.sum(axis=1),
        missing.sum(axis=1),
        bad_weight.sum(axis=1),
        scale,
        distinct,
        yr,
        np.where(np.isfinite(xmin), xmin, np.nan),
        np.where(np.isfinite(xmax), xmax, np.nan),
    )
