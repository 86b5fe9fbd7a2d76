"""A competition experiment from counted tubes to an :class:`~assaykit.result.AssayResult`.

:func:`analyze_competition` is the pure analysis behind a workflow command: it takes the counter
table already merged with its tube layout, subtracts the instrument background, builds one curve
per competitor (total-binding tubes join every curve of their radioligand concentration), fits
the chosen model with :func:`~assaykit.binding.competition.fit_competition` and returns tables,
a figure, QC rows, console lines, the methods paragraph and the n statement.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from assaykit.binding.competition import (
    CiMethod,
    CompetitionModel,
    Weighting,
    fit_competition,
)
from assaykit.binding.competition_figures import plot_competition
from assaykit.errors import SchemaError
from assaykit.result import AssayResult, Figure, qc_row, qc_table
from assaykit.schema import require_columns
from assaykit.units import format_quantity

__all__ = ["analyze_competition", "competition_points"]

_MODEL_TEXT = {
    "fit-ki": "one site with slope −1 fitted for log Ki directly (logIC50 = log10(Ki·(1 + [L]/Kd)), "
    "[L] and Kd constant; GraphPad Prism 'One site – Fit Ki')",
    "homologous": "homologous one-site competition Y = Bmax·Hot/(Hot + Cold + Kd) + NSB, log Kd and "
    "Bmax shared across radioligand concentrations, one NSB per radioligand concentration "
    "(DeBlasi et al. 1989; Prism 'One site – homologous')",
    "depletion": "heterologous one-site competition accounting for radioligand depletion, solved "
    "in closed form per point (Prism 'One site – heterologous with depletion'; Person & Wells 2011)",
    "two-site": "two-site competition (fraction of high-affinity sites and two log IC50s), compared "
    "with one site (slope −1) by the extra-sum-of-squares F test and AICc",
}


def competition_points(
    tubes: pd.DataFrame,
    *,
    conc: str = "conc_M",
    response: str = "cpm",
    hot: str = "hot_M",
) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """Net counts per tube, grouped into curves; and the QC rows of what was done.

    Returns a table with ``curve, conc_M, net_cpm, role, replicate`` (and ``hot_M``): one
    curve per competitor compound; total-binding tubes (no competitor) join every curve with
    their radioligand concentration; NSB tubes join a curve only when they hold the same
    compound (homologous: cold self-competition at a high concentration). The instrument
    background (mean of ``blank`` tubes) is subtracted.
    """
    require_columns(tubes, ["role", response, conc], stage="competition analysis")
    qc: list[dict[str, str]] = []
    t = tubes.copy()
    t["_cpm"] = pd.to_numeric(t[response], errors="coerce")
    blank = t.loc[t["role"] == "blank", "_cpm"].dropna()
    bkg = float(blank.mean()) if len(blank) else 0.0
    if len(blank):
        qc.append(
            qc_row(
                "info", "blank tubes", f"background {bkg:.1f} cpm (mean of {len(blank)}) subtracted"
            )
        )
    else:
        qc.append(
            qc_row(
                "warning",
                "blank tubes",
                "no blank tubes: counts used without background subtraction",
            )
        )
    t["net_cpm"] = t["_cpm"] - bkg
    if "compound" not in t.columns:
        t["compound"] = ""
    t["compound"] = t["compound"].fillna("").astype(str)
    has_hot = hot in t.columns
    comp = t[t["role"] == "competitor"]
    compounds = sorted(c for c in comp["compound"].unique() if c)
    if not compounds:
        raise SchemaError("competition analysis: no 'competitor' tubes with a compound name")
    parts = []
    for name in compounds:
        mine = t[(t["role"] == "competitor") & (t["compound"] == name)]
        hots = set(mine[hot].dropna()) if has_hot else set()
        total = t[t["role"] == "total"]
        if has_hot:
            total = total[total[hot].isin(hots)]
        total = total.assign(**{conc: 0.0})
        nsb = t[(t["role"] == "nsb") & (t["compound"] == name)]
        parts.append(pd.concat([total, mine, nsb]).assign(curve=name))
    other_nsb = t[(t["role"] == "nsb") & ~t["compound"].isin(compounds)]
    if len(other_nsb):
        qc.append(
            qc_row(
                "info",
                "nsb tubes",
                f"{len(other_nsb)} NSB tubes block with another compound "
                f"({', '.join(sorted(set(other_nsb['compound'])))}): not curve points, the bottom is fitted",
            )
        )
    pts = pd.concat(parts, ignore_index=True)
    pts = pts.rename(columns={conc: "conc_M"}) if conc != "conc_M" else pts
    keep = ["curve", "role", "conc_M", "net_cpm"] + [
        c for c in ("replicate", "rack", "position", "well") if c in pts
    ]
    if has_hot:
        pts = pts.rename(columns={hot: "hot_M"}) if hot != "hot_M" else pts
        keep.append("hot_M")
    bad = pts["net_cpm"].isna()
    if bad.any():
        qc.append(
            qc_row("warning", "tubes", f"{int(bad.sum())} tubes without a count were left out")
        )
    return pts.loc[~bad, keep].reset_index(drop=True), qc


def analyze_competition(
    tubes: pd.DataFrame,
    *,
    model: CompetitionModel = "homologous",
    conc: str = "conc_M",
    response: str = "cpm",
    hot: str = "hot_M",
    radioligand_M: float | None = None,
    kd_M: float | None = None,
    kd_low_M: float | None = None,
    hot_cpm: float | None = None,
    specific_activity_cpm_per_fmol: float | None = None,
    volume_mL: float | None = None,
    fix: Mapping[str, float] | None = None,
    weighting: Weighting = "none",
    ci: CiMethod = "wald",
    level: float = 0.95,
    alpha: float = 0.05,
) -> AssayResult:
    """Analyze one competition experiment counted on a gamma counter.

    Parameters
    ----------
    tubes
        The counter table merged with its tube layout: ``role`` (``blank``, ``standard``,
        ``total``, ``nsb``, ``competitor``), ``compound``, concentration ``conc`` (M),
        ``response`` (cpm) and, for homologous competition, the radioligand concentration
        ``hot`` (M; default from ``tubes.attrs["experiment"]["radioligand_conc_M"]``).
    model, radioligand_M, kd_M, kd_low_M, specific_activity_cpm_per_fmol, volume_mL, fix, weighting, ci, level, alpha
        As in :func:`~assaykit.binding.competition.fit_competition`; ``radioligand_M`` and
        ``kd_M`` default to the experiment's ``radioligand_conc_M`` and ``radioligand_kd_M``.
    hot_cpm
        Added radioligand (cpm) for ``"depletion"``; default: mean net cpm of the ``standard``
        tubes.

    Returns
    -------
    AssayResult
        Tables ``results`` (one row per curve, see ``fit_competition``) and ``points`` (net cpm
        per tube); figure ``competition``; QC rows (background, added activity, bound fraction,
        every curve not ``ok``); summary lines; methods; n statement.

    Examples
    --------
    >>> from assaykit.datasets.competition import load_example
    >>> res = analyze_competition(load_example(), model="homologous", weighting="1/y2")
    >>> row = res.main_table.iloc[0]
    >>> row["curve"], row["status"], round(float(row["kd_M"]) * 1e9, 2)
    ('FC131', 'ok', 4.0)
    >>> res.summary
    ['FC131: Kd 4.00 nM (95 % CI 3.78 nM – 4.22 nM), Bmax 59,875 ± 1,250 cpm']
    """
    exp: dict[str, Any] = dict(tubes.attrs.get("experiment", {}) or {})
    t = tubes
    if model == "homologous" and hot not in t.columns:
        if exp.get("radioligand_conc_M") is None:
            raise SchemaError(
                f"homologous competition needs the radioligand concentration: a {hot!r} column "
                "or radioligand_conc_M in the experiment sheet"
            )
        t = t.assign(**{hot: float(exp["radioligand_conc_M"])})
    pts, qc = competition_points(t, conc=conc, response=response, hot=hot)
    std = tubes.assign(_c=pd.to_numeric(tubes[response], errors="coerce"))
    blank = std.loc[std["role"] == "blank", "_c"].mean()
    std_net = std.loc[std["role"] == "standard", "_c"] - (0.0 if np.isnan(blank) else blank)
    added = float(std_net.mean()) if len(std_net) else float("nan")
    if model in ("fit-ki", "two-site"):
        radioligand_M = (
            radioligand_M if radioligand_M is not None else exp.get("radioligand_conc_M")
        )
        kd_M = kd_M if kd_M is not None else exp.get("radioligand_kd_M")
        if model == "two-site" and (radioligand_M is None or kd_M is None):
            radioligand_M = kd_M = None
    if model == "depletion":
        kd_M = kd_M if kd_M is not None else exp.get("radioligand_kd_M")
        if hot_cpm is None and np.isfinite(added):
            hot_cpm = added
            qc.append(
                qc_row(
                    "info",
                    "standard tubes",
                    f"added radioligand {added:.0f} cpm (mean of {len(std_net)} standards) used as Hot",
                )
            )
    fits = fit_competition(
        pts,
        model=model,
        x="conc_M",
        y="net_cpm",
        by="curve",
        radioligand_M=radioligand_M,
        kd_M=kd_M,
        kd_low_M=kd_low_M,
        hot="hot_M",
        hot_cpm=hot_cpm,
        specific_activity_cpm_per_fmol=specific_activity_cpm_per_fmol,
        volume_mL=volume_mL,
        fix=fix,
        weighting=weighting,
        ci=ci,
        level=level,
        alpha=alpha,
    )
    if model != "depletion":
        qc += _bound_fraction_qc(t, response=response, hot=hot)
    for _, row in fits.iterrows():
        if row["status"] not in ("ok",):
            qc.append(
                qc_row("warning", f"curve {row['curve']}", f"{row['status']}: {row['message']}")
            )
        elif row["flags"]:
            qc.append(qc_row("info", f"curve {row['curve']}", f"flags: {row['flags']}"))
    n_tubes = pts.groupby("curve").size()
    summary = [_summary_line(row, model) for _, row in fits.iterrows()]
    n_statement = (
        "n = "
        + ", ".join(f"{c}: {k} tubes" for c, k in n_tubes.items())
        + " from one experiment; SE and CI describe the fit within this experiment, not the "
        "spread between independent experiments."
    )
    methods = (
        f"Counts were corrected for the instrument background (mean of blank tubes). Curves were fitted by "
        f"{'weighted (' + weighting + ') ' if weighting not in (None, 'none') else ''}nonlinear least squares "
        f"(assaykit, Levenberg–Marquardt) to a {_MODEL_TEXT[model]}. Uncertainties are asymptotic standard "
        f"errors; {int(level * 100)} % confidence intervals are "
        f"{'profile-likelihood' if ci == 'profile' else 'Wald (estimate ± t·SE)'} intervals on the log scale."
    )
    settings = {
        "model": model,
        "conc": conc,
        "response": response,
        "hot": hot,
        "radioligand_M": radioligand_M,
        "kd_M": kd_M,
        "kd_low_M": kd_low_M,
        "hot_cpm": hot_cpm,
        "specific_activity_cpm_per_fmol": specific_activity_cpm_per_fmol,
        "volume_mL": volume_mL,
        "fix": dict(fix or {}),
        "weighting": weighting,
        "ci": ci,
        "level": level,
        "alpha": alpha,
    }
    fig = plot_competition(pts, fits, model=model, y="net_cpm", y_label="Bound (net cpm)")
    return AssayResult(
        assay="competition",
        tables={"results": fits, "points": pts},
        figures={
            "competition": Figure(fig, width=6.5, height=4.8, caption=f"{model} competition fit")
        },
        settings=settings,
        qc=qc_table(qc),
        summary=summary,
        methods=methods,
        n_statement=n_statement,
        data={"points": pts},
    )


def _bound_fraction_qc(tubes: pd.DataFrame, *, response: str, hot: str) -> list[dict[str, str]]:
    """Bound/added in the total-binding tubes per radioligand concentration (DOMAIN §1.3, #12)."""
    c = pd.to_numeric(tubes[response], errors="coerce")
    blank = c[tubes["role"] == "blank"].mean()
    net = c - (0.0 if np.isnan(blank) else float(blank))
    levels: list[float | None] = [None]
    if hot in tubes:
        levels = [float(h) for h in sorted(tubes[hot].dropna().unique())]
    rows = []
    for h in levels:
        sel = np.ones(len(tubes), bool) if h is None else (tubes[hot] == h).to_numpy()
        tb = net[(tubes["role"] == "total").to_numpy() & sel].mean()
        added = net[(tubes["role"] == "standard").to_numpy() & sel].mean()
        if not (np.isfinite(tb) and np.isfinite(added) and added > 0):
            continue
        frac = float(tb / added)
        where = "total-binding tubes" + (
            "" if h is None else f" (hot {format_quantity(h, 'concentration')})"
        )
        if frac > 0.10:
            text = (
                f"{100 * frac:.1f} % of the added radioligand is bound (> 10 %): ligand "
                "depletion biases the standard equations; consider model='depletion'"
            )
            rows.append(qc_row("warning", where, text))
        else:
            rows.append(
                qc_row("info", where, f"{100 * frac:.1f} % of the added radioligand is bound")
            )
    return rows


def _summary_line(row: pd.Series, model: str) -> str:
    name, status = row["curve"], row["status"]
    if status not in ("ok", "one_site_preferred"):
        return f"{name}: {status} — {row['message']}"

    def q(col: str) -> str:
        return (
            f"{format_quantity(row[col], 'concentration')} (95 % CI "
            f"{format_quantity(row[col + '_ci_low'], 'concentration')} – "
            f"{format_quantity(row[col + '_ci_high'], 'concentration')})"
        )

    if model == "homologous":
        return (
            f"{name}: Kd {q('kd_M')}, Bmax {row['bmax_cpm']:,.0f} ± {row['bmax_cpm_se']:,.0f} cpm"
        )
    if model in ("fit-ki", "depletion"):
        return f"{name}: Ki {q('ki_M')}"
    return (
        f"{name}: {100 * row['fraction_high']:.0f} % high affinity, IC50 {q('ic50_high_M')} and "
        f"{q('ic50_low_M')}; preferred: {row['preferred']} (F test p = {row['f_p_value']:.2g})"
    )
