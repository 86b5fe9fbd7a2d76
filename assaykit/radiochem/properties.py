"""Compound properties reported beside the IC50: logD7.4, stability, protein binding, efflux.

Tidy tables in, :class:`AssayResult` out (DOMAIN.md §8.6):

- shake-flask ``logD = log10((cpm_oct/V_oct)/(cpm_buffer/V_buffer))`` per replicate, mean ± SD;
- serum/plasma stability: % intact over time, optional one-phase decay
  ``y = y0·exp(−k·t)`` fitted with :mod:`assaykit.fitting` → t½ = ln 2/k with a profile CI;
- plasma-protein binding ``%PPB = 100·(1 − C_free/C_total)``, the free fraction corrected for
  binding to the ultrafiltration device when measured;
- efflux/externalisation ``% externalised = 100·medium/(medium + surface + internal)``.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"compound": ["A"], "octanol_cpm": [1200.0], "buffer_cpm": [480000.0]})
>>> round(float(analyze_logd(t).main_table.loc[0, "logd"]), 2)    # DOMAIN.md §8.6
-2.6
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from assaykit.errors import SchemaError
from assaykit.result import AssayResult, Figure, qc_row, qc_table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["analyze_efflux", "analyze_logd", "analyze_ppb", "analyze_stability", "describe"]


def _need(table: pd.DataFrame, cols: tuple[str, ...], what: str) -> None:
    if missing := [c for c in cols if c not in table.columns]:
        raise SchemaError(f"the {what} table lacks columns {', '.join(missing)}")
    for c in cols:
        if c.endswith(("_cpm", "_uL", "_pct", "_min")):
            bad = ~np.isfinite(table[c].to_numpy(float))
            if bad.any():
                raise SchemaError(
                    f"{what} table, row {int(np.argmax(bad)) + 1}: {c} is not a number"
                )


def describe(values: Any, name: str) -> dict[str, float]:
    """``name``, ``name_sd``, ``name_se``, ``name_ci_low/high`` (t, n − 1 df) and ``n``.

    Examples
    --------
    >>> d = describe([1.0, 2.0, 3.0], "x")
    >>> d["x"], d["x_sd"], d["n"]
    (2.0, 1.0, 3)
    """
    from scipy import stats

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    n = int(v.size)
    mean = float(v.mean()) if n else math.nan
    sd = float(v.std(ddof=1)) if n > 1 else math.nan
    se = sd / math.sqrt(n) if n > 1 else math.nan
    t = float(stats.t.ppf(0.975, n - 1)) if n > 1 else math.nan
    return {
        name: mean,
        f"{name}_sd": sd,
        f"{name}_se": se,
        f"{name}_ci_low": mean - t * se,
        f"{name}_ci_high": mean + t * se,
        "n": n,
    }


def _groups(table: pd.DataFrame, by: list[str]) -> Any:
    keys = [c for c in by if c in table.columns]
    if not keys:
        return [((), table)]
    return table.groupby(keys, sort=False, dropna=False)


def _status(d: dict[str, float]) -> dict[str, str]:
    if d["n"] < 2:
        return {
            "status": "insufficient_data",
            "flags": "single_replicate",
            "message": "one replicate: no SD or CI",
        }
    return {"status": "ok", "flags": "", "message": ""}


def _result(
    assay: str,
    tables: dict[str, pd.DataFrame],
    qc: list[dict[str, str]],
    summary: list[str],
    methods: str,
    n_statement: str,
    figures: dict[str, Figure] | None = None,
    settings: dict[str, Any] | None = None,
) -> AssayResult:
    return AssayResult(
        assay=assay,
        tables=tables,
        figures=figures or {},
        settings=settings or {},
        qc=qc_table(qc),
        summary=summary,
        methods=methods,
        n_statement=n_statement,
    )


def analyze_logd(table: pd.DataFrame) -> AssayResult:
    """logD by shake-flask counting: ``compound, octanol_cpm, buffer_cpm`` (+ ``replicate``,
    ``octanol_volume_uL``, ``buffer_volume_uL``: counted aliquot volumes, equal by default)."""
    import pandas as pd

    _need(table, ("compound", "octanol_cpm", "buffer_cpm"), "logD")
    t = table.copy()
    v_oct = t.get("octanol_volume_uL", 1.0)
    v_buf = t.get("buffer_volume_uL", 1.0)
    qc = []
    ok = (t["octanol_cpm"] > 0) & (t["buffer_cpm"] > 0)
    for i in np.flatnonzero(~ok.to_numpy()):
        qc.append(
            qc_row(
                "warning",
                f"{t['compound'].iloc[i]} row {i + 1}",
                "a phase with no counts above 0: replicate left out of logD",
            )
        )
    ratio = (t["octanol_cpm"] / v_oct) / (t["buffer_cpm"] / v_buf)
    t["logd"] = np.where(ok, np.log10(ratio.where(ok, 1.0)), np.nan)
    rows, lines = [], []
    for key, g in _groups(t, ["compound"]):
        d = describe(g["logd"], "logd")
        rows.append({"compound": key[0] if isinstance(key, tuple) else key, **d, **_status(d)})
        lines.append(
            f"{rows[-1]['compound']}: logD {d['logd']:.2f} ± {d['logd_sd']:.2f} (SD, n = {d['n']})"
        )
    return _result(
        "logd",
        {"results": pd.DataFrame(rows), "replicates": t},
        qc,
        lines,
        "logD was determined by the shake-flask method: logD = log10((cpm_octanol/V_octanol) / "
        "(cpm_buffer/V_buffer)) per replicate, reported as mean ± SD (assaykit).",
        "n = replicates (aliquot pairs) per compound",
    )


def analyze_ppb(table: pd.DataFrame) -> AssayResult:
    """Protein binding: ``compound, free_cpm, total_cpm`` (counts of equal volumes of filtrate
    and of the sample before filtration) + optional ``filter_binding_pct`` (% of the compound
    retained by the device without protein): ``C_free`` is divided by ``1 − filter/100``."""
    import pandas as pd

    _need(table, ("compound", "free_cpm", "total_cpm"), "protein-binding")
    t = table.copy()
    fb = t["filter_binding_pct"].fillna(0.0) if "filter_binding_pct" in t else 0.0
    free = t["free_cpm"] / (1.0 - np.asarray(fb, float) / 100.0)
    t["ppb_pct"] = 100.0 * (1.0 - free / t["total_cpm"])
    qc = [
        qc_row("warning", f"{t['compound'].iloc[i]} row {i + 1}", "free above total: %PPB < 0")
        for i in np.flatnonzero((t["ppb_pct"] < 0).to_numpy())
    ]
    rows, lines = [], []
    for key, g in _groups(t, ["compound", "matrix"]):
        key = key if isinstance(key, tuple) else (key,)
        head = dict(zip([c for c in ("compound", "matrix") if c in t.columns], key, strict=False))
        d = describe(g["ppb_pct"], "ppb_pct")
        rows.append({**head, **d, **_status(d)})
        lines.append(
            f"{' '.join(map(str, key))}: protein binding {d['ppb_pct']:.1f} ± {d['ppb_pct_sd']:.1f} % (n = {d['n']})"
        )
    return _result(
        "ppb",
        {"results": pd.DataFrame(rows), "replicates": t},
        qc,
        lines,
        "Plasma-protein binding: %PPB = 100·(1 − C_free/C_total), C_free from the ultrafiltrate "
        "corrected for binding to the device where measured; mean ± SD (assaykit).",
        "n = replicate ultrafiltrations per compound",
    )


def analyze_efflux(table: pd.DataFrame) -> AssayResult:
    """Externalisation: ``compound, time_min, medium_cpm, surface_cpm, internal_cpm``."""
    import pandas as pd

    _need(table, ("compound", "time_min", "medium_cpm", "surface_cpm", "internal_cpm"), "efflux")
    t = table.copy()
    tot = t["medium_cpm"] + t["surface_cpm"] + t["internal_cpm"]
    t["externalized_pct"] = 100.0 * t["medium_cpm"] / tot
    rows = []
    for key, g in _groups(t, ["compound", "time_min"]):
        d = describe(g["externalized_pct"], "externalized_pct")
        rows.append({"compound": key[0], "time_min": float(key[1]), **d, **_status(d)})
    res = pd.DataFrame(rows)
    figs = {
        "efflux": Figure(
            _time_plot(res, "externalized_pct", "Externalised (% of cell-loaded activity)"), 6, 4
        )
    }
    last = res.sort_values("time_min").groupby("compound").tail(1)
    lines = [
        f"{r.compound}: {r.externalized_pct:.1f} % externalised at {r.time_min:g} min (n = {r.n})"
        for r in last.itertuples()
    ]
    return _result(
        "efflux",
        {"results": res, "replicates": t},
        [],
        lines,
        "Externalisation: % externalised = 100·medium/(medium + acid-wash surface + lysate) "
        "per well, mean ± SD per time point (assaykit).",
        "n = wells per time point",
        figs,
    )


def _time_plot(res: pd.DataFrame, col: str, ylab: str, fitted: pd.DataFrame | None = None) -> Any:
    from plotnine import aes, geom_line, geom_linerange, geom_point, ggplot, labs

    from assaykit.report.figures import theme_assaykit

    d = res.assign(
        lo=res[col] - res[f"{col}_sd"].fillna(0), hi=res[col] + res[f"{col}_sd"].fillna(0)
    )
    lo_n, hi_n = int(d["n"].min()), int(d["n"].max())
    n_range = f"{lo_n}" if lo_n == hi_n else f"{lo_n}–{hi_n}"
    p = (
        ggplot(d, aes("time_min", col, color="compound"))
        + geom_point()
        + geom_linerange(aes(ymin="lo", ymax="hi"))
        + labs(
            x="Time (min)",
            y=ylab,
            color="",
            caption=f"mean ± SD; n = {n_range} per point"
            + ("; line: one-phase decay fit" if fitted is not None else ""),
        )
        + theme_assaykit()
    )
    if fitted is not None and len(fitted):
        p = p + geom_line(aes("time_min", col, color="compound"), fitted)
    else:
        p = p + geom_line()
    return p


def _decay_model() -> Any:
    from assaykit.fitting import Model

    def func(x: Any, p: Any) -> Any:
        return p[:, :1] * np.exp(-p[:, 1:2] * x)

    def jac(x: Any, p: Any) -> Any:
        e = np.exp(-p[:, 1:2] * x)
        return np.stack([e, -p[:, :1] * x * e], axis=-1)

    def guess(x: Any, y: Any, m: Any) -> Any:
        out = np.empty((x.shape[0], 2))
        for i in range(x.shape[0]):
            xi, yi = x[i][m[i]], y[i][m[i]]
            good = yi > 0
            slope = np.polyfit(xi[good], np.log(yi[good]), 1)[0] if good.sum() >= 2 else 0.0
            out[i] = (yi.max(), max(-slope, 1e-6))
        return out

    return Model("one_phase_decay", ("y0", "k"), func, jac, guess)


def _fit_decay(t: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    from assaykit.fitting import least_squares
    from assaykit.fitting.profile import profile_ci

    model = _decay_model()
    x, yy = t[None, :], y[None, :]
    mask = np.isfinite(yy)
    fit = least_squares(model, x, yy, mask, lower={"k": 0.0})
    k, k_se = float(fit.param("k")[0]), float(fit.stderr("k")[0])
    out: dict[str, Any] = {"k_per_min": k, "k_per_min_se": k_se}
    if bool(fit.at_bound[0, 1]) and k <= 0:  # the best fit is no decay at all
        return {
            **out,
            "y0_pct": float(fit.param("y0")[0]),
            "t_half_min": math.nan,
            "t_half_min_ci_low": math.nan,
            "t_half_min_ci_high": math.inf,
            "fit_status": "stable",
            "fit_message": "the best fit is no decay (k at its bound 0): t½ not defined",
        }
    if not fit.converged[0] or int(fit.df[0]) < 1:
        return {
            **out,
            "fit_status": "failed",
            "fit_message": "the one-phase decay did not converge",
        }
    lo, hi = profile_ci(model, x, yy, mask, fit, "k", lower={"k": 0.0})
    lo_k, hi_k = max(float(lo[0]), 0.0), float(hi[0])
    out.update(k_per_min_ci_low=lo_k, k_per_min_ci_high=hi_k, y0_pct=float(fit.param("y0")[0]))
    if k <= 0 or lo_k <= 0 or math.log(2) / k > 10 * float(t.max()):
        return {
            **out,
            "t_half_min": math.nan,
            "t_half_min_ci_low": math.log(2) / hi_k if hi_k > 0 else math.nan,
            "t_half_min_ci_high": math.inf,
            "fit_status": "stable",
            "fit_message": "no decay distinguishable from none over the times measured: t½ not defined",
        }
    th = math.log(2) / k
    return {
        **out,
        "t_half_min": th,
        "t_half_min_se": th * k_se / k,
        "t_half_min_ci_low": math.log(2) / hi_k,
        "t_half_min_ci_high": math.log(2) / lo_k,
        "fit_status": "ok",
        "fit_message": "",
    }


def analyze_stability(table: pd.DataFrame, *, fit_decay: bool = True) -> AssayResult:
    """% intact over time: ``compound, time_min, pct_intact`` (or ``rcp_pct``: purity results
    with a ``time_min`` column added) + optional ``medium`` (serum, plasma, PBS), ``replicate``."""
    import pandas as pd

    if "pct_intact" not in table.columns and "rcp_pct" in table.columns:
        table = table.rename(columns={"rcp_pct": "pct_intact"})  # purity results + times
    _need(table, ("compound", "time_min", "pct_intact"), "stability")
    t = table.copy()
    rows = []
    for key, g in _groups(t, ["compound", "medium", "time_min"]):
        key = key if isinstance(key, tuple) else (key,)
        head = dict(
            zip(
                [c for c in ("compound", "medium", "time_min") if c in t.columns], key, strict=False
            )
        )
        d = describe(g["pct_intact"], "pct_intact")
        rows.append({**head, **d})
    points = pd.DataFrame(rows)
    fits, curves, lines = [], [], []
    for key, g in _groups(t, ["compound", "medium"]):
        key = key if isinstance(key, tuple) else (key,)
        head = dict(zip([c for c in ("compound", "medium") if c in t.columns], key, strict=False))
        last = g.loc[g["time_min"].idxmax()]
        row: dict[str, Any] = {
            **head,
            "last_time_min": float(last["time_min"]),
            "pct_intact_last": float(g.loc[g["time_min"] == last["time_min"], "pct_intact"].mean()),
            "n": int((g["time_min"] == last["time_min"]).sum()),
        }
        if fit_decay and g["time_min"].nunique() >= 3:
            f = _fit_decay(g["time_min"].to_numpy(float), g["pct_intact"].to_numpy(float))
            row.update(f)
            tt = np.linspace(0, float(g["time_min"].max()), 100)
            if f["fit_status"] in ("ok", "stable"):
                curves.append(
                    pd.DataFrame(
                        {
                            **head,
                            "time_min": tt,
                            "pct_intact": f["y0_pct"] * np.exp(-f["k_per_min"] * tt),
                        }
                    )
                )
        row.update(status=row.get("fit_status", "ok"), flags="", message=row.get("fit_message", ""))
        fits.append(row)
        name = " ".join(map(str, key))
        th = row.get("t_half_min", math.nan)
        lines.append(
            f"{name}: {row['pct_intact_last']:.1f} % intact at {row['last_time_min']:g} min"
            + (
                f"; t½ {th:.0f} min (95 % CI {row['t_half_min_ci_low']:.0f}–{row['t_half_min_ci_high']:.0f})"
                if np.isfinite(th)
                else ""
            )
        )
    res = pd.DataFrame(fits).drop(columns=["fit_status", "fit_message"], errors="ignore")
    fig = _time_plot(
        points,
        "pct_intact",
        "Intact compound (%)",
        pd.concat(curves, ignore_index=True) if curves else None,
    )
    return _result(
        "stability",
        {"results": res, "points": points},
        [],
        lines,
        "Stability: % intact = 100·product/Σ all regions of the radiochromatogram at each time; "
        "a one-phase decay y = y0·exp(−k·t) was fitted by least squares (assaykit.fitting) and "
        "t½ = ln 2/k given with a profile-likelihood 95 % CI (assaykit).",
        "n = samples (chromatograms) per time point",
        {"stability": Figure(fig, 6, 4)},
        {"fit_decay": fit_decay},
    )
