"""Figures of saturation binding (plotnine): the isotherm on a linear nM axis, and a Scatchard plot.

Builders return ``ggplot`` objects and never save. The isotherm shows total, nonspecific and
specific binding (points: tubes; lines: the fitted model) against the free radioligand
concentration in nM on a linear axis, as papers show saturation. The Scatchard plot
(bound/free vs bound) is drawn from the same data and the fitted curve as a picture only: its
caption says the parameters come from the nonlinear fit, never from a line through it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from assaykit.binding.saturation_models import saturation_model
from assaykit.report.figures import theme_assaykit

__all__ = ["fitted_curves", "plot_saturation", "plot_scatchard", "specific_points"]

_COLOURS = {"total": "#1f4e79", "nonspecific": "#9e9e9e", "specific": "#c0392b"}


def specific_points(points: pd.DataFrame) -> pd.DataFrame:
    """Specific binding per total tube (total − mean NSB at its added concentration), or as given.

    ``points`` is the table of tubes from :func:`assaykit.binding.saturation.prepare_points`.
    """
    used = points[points["used"]]
    out = []
    for _, d in used.groupby("curve", sort=False):
        sp = d[d["kind"] == "specific"]
        if len(sp) == 0:
            nsb = d[d["kind"] == "nsb"].groupby("conc_M")["response"].mean()
            tot = d[(d["kind"] == "total") & d["conc_M"].isin(nsb.index)]
            sp = tot.assign(
                response=tot["response"] - tot["conc_M"].map(nsb).to_numpy(), kind="specific"
            )
        out.append(sp[["curve", "conc_M", "free_M", "response"]])
    if not out:
        return pd.DataFrame(columns=["curve", "conc_M", "free_M", "response"])
    return pd.concat(out, ignore_index=True)


def _params(row: pd.Series, site: str, nonspecific: bool) -> np.ndarray | None:
    def g(name: str) -> float:
        try:
            return float(row.get(name, np.nan))
        except (TypeError, ValueError):
            return float("nan")

    with np.errstate(all="ignore"):
        if site == "two":
            p = [g("bmax_hi_cpm"), np.log10(g("kd_hi_M") * 1e9), g("bmax_lo_cpm")]
            p.append(np.log10(g("kd_lo_M") * 1e9))
        elif site == "hill":
            p = [g("bmax_cpm"), np.log10(g("kd_M") * 1e9), g("hill")]
        else:
            p = [g("bmax_cpm"), np.log10(g("kd_M") * 1e9)]
    if nonspecific:
        p += [g("ns_cpm_per_nM"), g("bkg_cpm")]
    arr = np.asarray(p, dtype=float)
    return arr if np.all(np.isfinite(arr)) else None


def fitted_curves(fits: pd.DataFrame, x_max_nM: float | pd.Series, n: int = 200) -> pd.DataFrame:
    """Fitted total, nonspecific and specific binding on a grid of free concentrations (nM).

    Curves whose status is not ``ok`` (estimates NaN) give no rows.

    Examples
    --------
    >>> import pandas as pd
    >>> fits = pd.DataFrame({"curve": ["a"], "model": ["total-nsb"], "status": ["ok"],
    ...     "bmax_cpm": [2000.0], "kd_M": [2e-9], "ns_cpm_per_nM": [50.0], "bkg_cpm": [0.0]})
    >>> c = fitted_curves(fits, 16.0, n=3)
    >>> c[c["free_nM"] == 16.0].set_index("kind")["response"].round(2).to_dict()
    {'specific': 1777.78, 'nonspecific': 800.0, 'total': 2577.78}
    """
    rows = []
    for i, (_, r) in enumerate(fits.iterrows()):
        m = str(r["model"])
        site = "two" if m == "two-site" else "hill" if m == "hill" else "one"
        nonspecific = m in ("total", "total-nsb")
        p = _params(r, site, nonspecific)
        if p is None or r.get("status") != "ok":
            continue
        xm = float(x_max_nM.iloc[i]) if isinstance(x_max_nM, pd.Series) else float(x_max_nM)
        x = np.linspace(0.0, xm, n)
        spec_model = saturation_model(site, nonspecific=False)  # type: ignore[arg-type]
        k = len(p) - (2 if nonspecific else 0)
        sp = spec_model.eval(x, p[:k])[0]
        rows.append(
            pd.DataFrame({"curve": r["curve"], "kind": "specific", "free_nM": x, "response": sp})
        )
        if nonspecific:
            ns = p[k] * x + p[k + 1]
            rows.append(
                pd.DataFrame(
                    {"curve": r["curve"], "kind": "nonspecific", "free_nM": x, "response": ns}
                )
            )
            rows.append(
                pd.DataFrame(
                    {"curve": r["curve"], "kind": "total", "free_nM": x, "response": sp + ns}
                )
            )
    if not rows:
        return pd.DataFrame(columns=["curve", "kind", "free_nM", "response"])
    return pd.concat(rows, ignore_index=True)


def _subtitle(fits: pd.DataFrame, curve: str) -> str:
    r = fits[fits["curve"] == curve].iloc[0]
    if r["status"] != "ok":
        return f"{r['status']}: {str(r['message'])[:110]}"
    kd = r.get("kd_M")
    if kd is not None and np.isfinite(kd):
        return (
            f"Kd {kd * 1e9:.3g} nM (95% CI {r['kd_M_ci_low'] * 1e9:.2g}–{r['kd_M_ci_high'] * 1e9:.2g}), "
            f"Bmax {r['bmax_cpm']:.4g} cpm; n = {int(r['n_tubes'])} tubes"
        )
    return f"Bmax {r['bmax_cpm']:.4g} cpm; n = {int(r['n_tubes'])} tubes"


def plot_saturation(points: pd.DataFrame, fits: pd.DataFrame, curve: str) -> Any:
    """Total, nonspecific and specific binding of one curve vs free radioligand (linear nM axis).

    Parameters
    ----------
    points
        Tubes from :func:`assaykit.binding.saturation.prepare_points`.
    fits
        Result of :func:`assaykit.binding.saturation.fit_saturation`.
    curve
        Which curve.
    """
    from plotnine import aes, geom_line, geom_point, ggplot, labs, scale_colour_manual

    pts = points[(points["curve"] == curve) & points["used"]]
    raw = pts[pts["kind"] != "specific"].assign(
        kind=lambda d: d["kind"].map({"total": "total", "nsb": "nonspecific"})
    )
    sp = specific_points(pts)
    allp = pd.concat(
        [
            raw[["free_M", "response", "kind"]],
            sp.assign(kind="specific")[["free_M", "response", "kind"]],
        ],
        ignore_index=True,
    ).assign(free_nM=lambda d: d["free_M"] * 1e9)
    xmax = float(allp["free_nM"].max()) if len(allp) else 1.0
    lines = fitted_curves(fits[fits["curve"] == curve], xmax * 1.05)
    levels = [
        k
        for k in ("total", "nonspecific", "specific")
        if k in set(allp["kind"]) | set(lines["kind"])
    ]
    allp["kind"] = pd.Categorical(allp["kind"], levels)
    lines["kind"] = pd.Categorical(lines["kind"], levels)
    p = (
        ggplot(allp, aes("free_nM", "response", colour="kind"))
        + geom_point(size=1.8, alpha=0.85)
        + scale_colour_manual(values=_COLOURS, name="")
        + labs(
            x="Free radioligand (nM)",
            y="Bound (cpm)",
            colour="",
            title=f"{curve}: saturation binding",
            subtitle=_subtitle(fits, curve),
        )
        + theme_assaykit()
    )
    if len(lines):
        p = p + geom_line(aes("free_nM", "response", colour="kind"), data=lines, size=0.8)
    return p


def plot_scatchard(points: pd.DataFrame, fits: pd.DataFrame, curve: str) -> Any:
    """Scatchard plot (specific bound / free vs bound) of one curve: a picture only.

    Points are specific binding over free radioligand (cpm/nM) against specific binding (cpm);
    the line is the fitted nonlinear model transformed the same way. The caption says Kd and
    Bmax come from the nonlinear fit (Scatchard regression is biased: DOMAIN §8.1).
    """
    from plotnine import aes, geom_line, geom_point, ggplot, labs

    pts = points[(points["curve"] == curve) & points["used"]]
    sp = specific_points(pts)
    sp = sp.assign(
        bound=sp["response"].astype(float),
        ratio=sp["response"].astype(float) / (sp["free_M"].astype(float) * 1e9),
    )
    sp = sp[np.isfinite(sp["ratio"].to_numpy(float))]
    xmax = float(sp["free_M"].max() * 1e9) if len(sp) else 1.0
    lines = fitted_curves(fits[fits["curve"] == curve], xmax * 1.05)
    lines = lines[(lines["kind"] == "specific") & (lines["free_nM"] > 0)]
    lines = lines.assign(bound=lines["response"], ratio=lines["response"] / lines["free_nM"])
    p = (
        ggplot(sp, aes("bound", "ratio"))
        + geom_point(size=1.8, colour=_COLOURS["specific"])
        + labs(
            x="Specific bound (cpm)",
            y="Bound / free (cpm/nM)",
            title=f"{curve}: Scatchard plot (picture only)",
            subtitle=f"line: nonlinear fit, transformed (not a regression); n = {len(sp)} tubes",
        )
        + theme_assaykit()
    )
    if len(lines):
        p = p + geom_line(aes("bound", "ratio"), data=lines, colour="black", size=0.7)
    return p
