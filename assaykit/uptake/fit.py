"""One-phase association fits of uptake time courses: ``Y = plateau·(1 − exp(−k·t))``, t½ = ln 2/k.

Every replicate well is one point (not the means). Curves are fitted together with the shared
batched least-squares engine (:mod:`assaykit.fitting`, Gauss–Newton standard errors).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from assaykit.fitting import Model

__all__ = ["association", "fit_association", "one_phase_association"]

FITTED = ("surface_pct", "internalized_pct", "cell_associated_pct")


def one_phase_association(t: np.ndarray, plateau: float, k: float) -> np.ndarray:
    """``plateau·(1 − exp(−k·t))`` (t in min, k in 1/min).

    Examples
    --------
    >>> round(float(one_phase_association(30.0, 10.0, math.log(2) / 30.0)), 6)
    5.0
    """
    import numpy as np

    return plateau * -np.expm1(-k * np.asarray(t, dtype=float))


def association() -> Model:
    """The one-phase association :class:`assaykit.fitting.Model` (parameters plateau, k)."""
    import numpy as np

    from assaykit.fitting import Model

    def func(x: np.ndarray, p: np.ndarray) -> np.ndarray:
        return p[:, :1] * -np.expm1(-p[:, 1:2] * x)

    def jac(x: np.ndarray, p: np.ndarray) -> np.ndarray:
        e = np.exp(-p[:, 1:2] * x)
        return np.stack([1.0 - e, p[:, :1] * x * e], axis=-1)

    def guess(x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> np.ndarray:
        ym = np.where(mask, y, np.nan)
        xm = np.where(mask, x, np.nan)
        top = np.nanmax(ym, axis=1)
        # time at which the curve reaches half its top, from the points (rough)
        half = np.nanmedian(xm, axis=1)
        return np.stack([1.1 * top, math.log(2) / np.where(half > 0, half, 1.0)], axis=1)

    return Model("one-phase association", ("plateau", "k"), func, jac, guess)


def fit_association(
    wells: pd.DataFrame,
    *,
    quantities: Sequence[str] = FITTED,
    by: Sequence[str] = ("compound", "condition"),
    weighting: str | None = None,
) -> pd.DataFrame:
    """Fit ``Y = plateau·(1 − exp(−k·t))`` to each compound × condition × quantity.

    Parameters
    ----------
    wells
        Output of :func:`~assaykit.uptake.fractions.per_well` (one row per replicate well).
    quantities
        Columns to fit (percent of applied activity).
    by
        Columns defining one curve (besides the quantity).
    weighting
        ``None`` (ordinary least squares, GraphPad's default) or ``'1/y2'`` (relative weights,
        for well-to-well scatter proportional to the value).

    Returns
    -------
    One row per curve: the ``by`` columns, ``quantity``, ``plateau``, ``plateau_se``, ``k_per_min``,
    ``k_se``, ``t_half_min`` (ln 2/k), ``t_half_ci_low``, ``t_half_ci_high`` (from the 95 %
    Wald CI of k), ``n``, ``df``, ``rss``, ``r_squared``, ``status`` (``ok``,
    ``insufficient_data`` with fewer than 3 time points, ``not_identifiable``, ``failed``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.repeat([5.0, 15, 30, 60, 120], 2)
    >>> w = pd.DataFrame({"compound": "", "condition": "tracer", "time_min": t,
    ...                   "internalized_pct": one_phase_association(t, 8.0, 0.05)})
    >>> r = fit_association(w, quantities=["internalized_pct"])
    >>> r[["plateau", "k_per_min", "t_half_min", "status"]].round(4).to_dict("records")
    [{'plateau': 8.0, 'k_per_min': 0.05, 't_half_min': 13.8629, 'status': 'ok'}]
    """
    import numpy as np
    import pandas as pd
    from scipy import stats

    from assaykit.fitting import least_squares

    by = list(by)
    curves = []
    for q in (q for q in quantities if q in wells.columns):
        for key, g in wells.groupby(by, sort=True):
            d = g[["time_min", q]].dropna()
            key = key if isinstance(key, tuple) else (key,)
            curves.append(
                (
                    dict(zip(by, key, strict=True)),
                    q,
                    d["time_min"].to_numpy(float),
                    d[q].to_numpy(float),
                )
            )
    cols = by + ["quantity", "plateau", "plateau_se", "k_per_min", "k_se", "t_half_min",
                 "t_half_ci_low", "t_half_ci_high", "n", "df", "rss", "r_squared", "status"]  # fmt: skip
    if not curves:
        return pd.DataFrame(columns=cols)
    width = max(len(c[2]) for c in curves)
    x = np.full((len(curves), width), np.nan)
    y = np.full_like(x, np.nan)
    for i, (_, _, xi, yi) in enumerate(curves):
        x[i, : len(xi)], y[i, : len(yi)] = xi, yi
    mask = np.isfinite(x) & np.isfinite(y)
    enough = np.array([np.unique(c[2]).size >= 3 and c[2].size >= 3 for c in curves])
    rows = []
    res = None
    if enough.any():
        res = least_squares(
            association(),
            np.where(mask, x, 0.0)[enough],
            y[enough],
            mask[enough],
            lower={"k": 0.0},
            weights=weighting,
        )
    j = 0
    for i, (keys, q, _, _) in enumerate(curves):
        row = {**keys, "quantity": q}
        if not enough[i]:
            row.update(n=int(mask[i].sum()), status="insufficient_data")
            rows.append(row)
            continue
        assert res is not None  # enough[i] holds, so the joint fit above ran
        plateau, k = res.params[j]
        plateau_se, k_se = res.se[j]
        df = int(res.df[j])
        status = "ok"
        if not res.converged[j]:
            status = "failed"
        elif not res.identifiable[j] or not np.isfinite(k_se) or k <= 0:
            status = "not_identifiable"
        tq = stats.t.ppf(0.975, df) if df > 0 else np.nan
        k_lo, k_hi = k - tq * k_se, k + tq * k_se
        row.update(
            plateau=plateau,
            plateau_se=plateau_se,
            k_per_min=k,
            k_se=k_se,
            t_half_min=math.log(2) / k if k > 0 else np.nan,
            t_half_ci_low=math.log(2) / k_hi if k_hi > 0 else np.nan,
            t_half_ci_high=math.log(2) / k_lo if k_lo > 0 else np.inf,
            n=int(res.n[j]),
            df=df,
            rss=float(res.rss[j]),
            r_squared=float(res.r_squared[j]),
            status=status,
        )
        rows.append(row)
        j += 1
    return pd.DataFrame(rows).reindex(columns=cols)
