"""Compare logIC50 between curves of one experiment: shared-logIC50 global fit vs separate fits.

The extra-sum-of-squares F test (GraphPad's "Do the best-fit values of logIC50 differ?") and
AICc of both models, in one tidy row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from assaykit.binding.curves import FOUR_PL, PARAMS, canonical_four_pl
from assaykit.binding.fit import _options
from assaykit.errors import FitError
from assaykit.fitting import global_model, least_squares, weights_from
from assaykit.fitting.data import pad_groups
from assaykit.fitting.stats import aicc, f_test
from assaykit.schema import require_columns

__all__ = ["compare_log_ic50"]


def compare_log_ic50(
    data: pd.DataFrame,
    x: str = "conc",
    y: str = "response",
    by: str | Sequence[str] = "curve",
    *,
    model: str = "4pl",
    fix: Mapping[str, float] | None = None,
    weighting: str | None = None,
    conc_unit: str | float = "M",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Test whether two or more curves share one logIC50 (other parameters per curve).

    Fits every curve separately and all curves together with a single shared logIC50, then
    ``F = ((SS_shared − SS_sep)/(df_shared − df_sep)) / (SS_sep/df_sep)`` with p from
    F(df_shared − df_sep, df_sep), and AICc = N ln(SS/N) + 2K + 2K(K+1)/(N−K−1) (K = fitted
    parameters + 1) of both models.

    Parameters
    ----------
    data
        Tidy points of the curves to compare (conc <= 0 rows are left out).
    x, y
        Concentration and response columns.
    by
        Column(s) naming the curves (at least two distinct curves).
    model, fix, weighting, conc_unit
        As in :func:`~assaykit.binding.fit_curves` (the same for every curve).
    alpha
        Significance level for ``preferred``.

    Returns
    -------
    pandas.DataFrame
        One row: ``n_curves``, ``curves``, ``log_ic50_shared``, ``log_ic50_shared_se``,
        ``ic50_shared`` (M), ``ss_shared``, ``df_shared``, ``ss_separate``, ``df_separate``,
        ``f``, ``df_num``, ``df_den``, ``p_value``, ``aicc_shared``, ``aicc_separate``,
        ``delta_aicc`` (separate − shared; > 0 favours one shared logIC50),
        ``prob_separate`` (Akaike weight of the separate model), ``preferred``
        (``shared``/``separate`` by the F test at ``alpha``), ``status`` and ``message``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from assaykit.binding.curves import four_pl
    >>> lx = np.repeat(np.arange(-11.0, -4.5, 0.5), 2)
    >>> wiggle = np.tile([-2.0, 2.0], 13)
    >>> df = pd.concat([
    ...     pd.DataFrame({"curve": c, "conc": 10**lx,
    ...                   "response": four_pl(lx, 100, 0, li, -1) + wiggle})
    ...     for c, li in [("A", -8.0), ("B", -7.0)]])
    >>> res = compare_log_ic50(df)
    >>> res[["n_curves", "df_num", "df_den", "preferred"]]
       n_curves  df_num  df_den preferred
    0         2       1      44  separate
    >>> bool(res.loc[0, "p_value"] < 1e-10)
    True
    """
    fixed, _, factor = _options(
        model, fix, None, weighting, "wald", conc_unit, 0.95, alpha, (0.3, 5.0)
    )
    if "log_ic50" in fixed:
        raise FitError("log_ic50 cannot be fixed when comparing logIC50 between curves")
    by_cols = [by] if isinstance(by, str) else list(by)
    require_columns(data, [x, y, *by_cols], stage="logIC50 comparison")
    keys, (conc, resp) = pad_groups(data, [x, y], by_cols)
    m = len(keys)
    if m < 2:
        raise FitError(f"comparing logIC50 needs at least two curves; found {m}")
    names = [
        ";".join(str(v) for v in row) if len(by_cols) > 1 else str(row[0])
        for row in keys[by_cols].itertuples(index=False)
    ]
    with np.errstate(all="ignore"):
        xlog = np.where(conc > 0, np.log10(conc * factor), np.nan)
    w = weights_from(resp, weighting)
    valid = np.isfinite(xlog) & np.isfinite(resp) & np.isfinite(w)
    n = valid.sum(axis=1)
    k_free = len(PARAMS) - len(fixed)
    scale = np.max(np.where(valid, np.abs(resp), 0.0))
    scale = scale if np.isfinite(scale) and scale > 0 else 1.0
    base = {
        "n_curves": m,
        "curves": ", ".join(names),
    }
    short = [nm for nm, k in zip(names, n, strict=True) if k < k_free + 1]
    if short:
        return _row(
            base,
            status="insufficient_data",
            message=f"curve(s) {', '.join(short)} have fewer than {k_free + 1} usable points",
        )
    ys = resp / scale
    fix_s = {k: (v / scale if k in ("top", "bottom") else v) for k, v in fixed.items()}
    wv = np.where(valid, w, np.nan)
    sep = least_squares(FOUR_PL, xlog, ys, valid, fixed=fix_s, weights=wv)
    ss_sep = float(np.sum(sep.rss)) * scale**2
    df_sep = int(np.sum(n) - m * k_free)

    # global fit: all points in one row, x[..., 1] = curve index
    gm = global_model(FOUR_PL, m, ["log_ic50"])
    order = np.argsort(~valid, axis=1, kind="stable")
    xg = np.take_along_axis(xlog, order, axis=1)
    yg = np.take_along_axis(ys, order, axis=1)
    wg = np.take_along_axis(wv, order, axis=1)
    vg = np.take_along_axis(valid, order, axis=1)
    gid = np.broadcast_to(np.arange(m)[:, None], xg.shape)
    xx = np.stack([xg[vg], gid[vg]], axis=-1)[None]
    yy, ww = yg[vg][None], wg[vg][None]
    gfixed = {f"{k}_{j}": v for k, v in fix_s.items() for j in range(m)}
    # starts: every curve's own logIC50 and their mean, the rest from the separate fits
    own = sep.params[:, 2]
    shared_starts = np.unique(np.append(own[np.isfinite(own)], np.nanmean(own)))
    p0 = np.empty((shared_starts.size, gm.n_params))
    p0[:, 0] = shared_starts
    for j in range(m):
        for k, pname in enumerate(PARAMS):
            if pname != "log_ic50":
                p0[:, gm.param_names.index(f"{pname}_{j}")] = sep.params[j, k]
    rep = np.zeros(shared_starts.size, dtype=int)
    glob = least_squares(gm, xx[rep], yy[rep], fixed=gfixed, weights=ww[rep], p0=p0)
    best = int(np.argmin(np.where(np.isfinite(glob.rss), glob.rss, np.inf)))
    ss_sh = float(glob.rss[best]) * scale**2
    df_sh = int(glob.df[best])
    f, p = f_test(ss_sh, df_sh, ss_sep, df_sep)
    ntot = int(np.sum(n))
    a_sh = float(aicc(ss_sh, ntot, ntot - df_sh))
    a_sep = float(aicc(ss_sep, ntot, ntot - df_sep))
    delta = a_sep - a_sh
    with np.errstate(over="ignore"):
        prob_sep = 1.0 / (1.0 + np.exp(delta / 2.0)) if np.isfinite(delta) else np.nan
    log_sh = float(glob.params[best, 0])
    se_sh = float(glob.se[best, 0])
    ok = bool(np.all(sep.converged) and glob.converged[best])
    xmin, xmax = float(np.nanmin(xlog[valid])), float(np.nanmax(xlog[valid]))
    msgs = []
    if not ok:
        msgs.append("a fit did not converge: the comparison is not reliable")
    falling = canonical_four_pl(sep.params)[0][:, 3] < 0
    if not (xmin <= log_sh <= xmax):
        msgs.append("the shared logIC50 lies outside the tested range")
    if not (np.all(falling) or not np.any(falling)):
        msgs.append("the curves do not all run in the same direction")
    pval = float(p)
    out = dict(
        base,
        log_ic50_shared=log_sh,
        log_ic50_shared_se=se_sh,
        ic50_shared=10.0**log_sh,
        ss_shared=ss_sh,
        df_shared=df_sh,
        ss_separate=ss_sep,
        df_separate=df_sep,
        f=float(f),
        df_num=df_sh - df_sep,
        df_den=df_sep,
        p_value=pval,
        aicc_shared=a_sh,
        aicc_separate=a_sep,
        delta_aicc=delta,
        prob_separate=prob_sep,
        preferred=("separate" if pval < alpha else "shared") if np.isfinite(pval) else "",
    )
    return _row(out, status="ok" if ok else "failed", message="; ".join(msgs))


_COLUMNS = (
    "n_curves",
    "curves",
    "log_ic50_shared",
    "log_ic50_shared_se",
    "ic50_shared",
    "ss_shared",
    "df_shared",
    "ss_separate",
    "df_separate",
    "f",
    "df_num",
    "df_den",
    "p_value",
    "aicc_shared",
    "aicc_separate",
    "delta_aicc",
    "prob_separate",
    "preferred",
    "status",
    "message",
)


def _row(values: dict[str, object], *, status: str, message: str) -> pd.DataFrame:
    row = {c: values.get(c, np.nan) for c in _COLUMNS}
    row["status"], row["message"] = status, message
    if not isinstance(row["preferred"], str):
        row["preferred"] = ""
    return pd.DataFrame([row], columns=list(_COLUMNS))
