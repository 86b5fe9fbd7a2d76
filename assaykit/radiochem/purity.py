"""Radiochemical purity (RCP) from radio-TLC and radio-HPLC traces → :class:`AssayResult`.

Per trace: baseline (pybaselines) → peak regions (detected, or the ROI table given) → trapezoid
areas → ``%RCP = 100·area_product/Σ areas`` with a Poisson SE, pass/fail against the threshold,
Rf for TLC peaks ``(spot − origin)/(front − origin)``. Combined TLC + HPLC purity
``RCP = (100 − A_TLC)·T_HPLC/100`` (DOMAIN.md §4.3, §8.5).

Examples
--------
>>> rcp_verdict(9600, 10000)            # DOMAIN.md §6 check #22
(96.0, 'pass')
>>> rcp_verdict(9400, 10000)
(94.0, 'fail')
>>> combined_rcp(2.0, 97.0)
95.06
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from assaykit.errors import SchemaError
from assaykit.radiochem.peaks import (
    BaselineMethod,
    Region,
    estimate_baseline,
    find_regions,
    integrate,
    integrate_var,
    noise_sd,
)
from assaykit.result import AssayResult, Figure, qc_row, qc_table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["analyze_purity", "combined_rcp", "rcp_verdict"]

Z95 = 1.959963984540054


def rcp_verdict(product: float, total: float, threshold_pct: float = 95.0) -> tuple[float, str]:
    """``100·product/total`` and ``'pass'`` when it reaches ``threshold_pct``."""
    pct = round(100.0 * float(product) / float(total), 10)
    return pct, "pass" if pct >= threshold_pct else "fail"


def combined_rcp(tlc_impurity_pct: float, hplc_purity_pct: float) -> float:
    """Ph. Eur.-style combined purity ``(100 − A_TLC)·T_HPLC/100`` in %."""
    return round((100.0 - float(tlc_impurity_pct)) * float(hplc_purity_pct) / 100.0, 10)


def _regions_from_rois(rois: pd.DataFrame) -> list[tuple[str, Region]]:
    return [
        (str(r["name"]), Region(float(r["start"]), float(r["end"]), np.nan, np.nan))
        for _, r in rois.sort_values("start").iterrows()
    ]


def _one_trace(
    name: str,
    trace: pd.DataFrame,
    rois: pd.DataFrame | None,
    *,
    product: str | float | None,
    threshold_pct: float,
    baseline: BaselineMethod,
    overlap_fraction: float,
    min_prominence_sd: float,
    origin: float | None,
    front: float | None,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, str]], pd.DataFrame]:
    import pandas as pd

    kind = trace.attrs.get("kind") or ("tlc" if "position_mm" in trace.columns else "hplc")
    axis = "position_mm" if kind == "tlc" else "time_min"
    if axis not in trace.columns or "counts" not in trace.columns:
        raise SchemaError(f"trace {name!r} needs the columns {axis} and counts")
    x = trace[axis].to_numpy(float)
    y = trace["counts"].to_numpy(float)
    base = estimate_baseline(x, y, baseline)
    sig = y - base
    noise = noise_sd(y)
    qc: list[dict[str, str]] = []
    flags: list[str] = []
    detected = find_regions(
        x, sig, noise, min_prominence_sd=min_prominence_sd, overlap_fraction=overlap_fraction
    )
    if rois is not None and len(rois):
        named = _regions_from_rois(rois)
        source = "roi"
        for a, b in zip(named[:-1], named[1:], strict=False):
            if b[1].start < a[1].end:
                qc.append(qc_row("warning", f"{name}: {a[0]} / {b[0]}", "ROIs overlap"))
        for rname, reg in named:
            inside = (x >= reg.start) & (x <= reg.end)
            if inside.sum() < 2:
                raise SchemaError(
                    f"trace {name!r}: ROI {rname!r} ({reg.start:g}–{reg.end:g}) "
                    "holds fewer than 2 points of the trace"
                )
            top = sig[inside].max()
            for edge in (reg.start, reg.end):
                at = sig[np.argmin(np.abs(x - edge))]
                if top > 0 and at > overlap_fraction * top and at > 3 * noise:
                    flags.append("roi_cuts_peak")
                    qc.append(
                        qc_row(
                            "warning",
                            f"{name}: {rname}",
                            f"the ROI edge at {edge:g} cuts a peak ({at:.0f} counts above "
                            "baseline there): widen the ROI or check for an overlapping species",
                        )
                    )
                    break
    else:
        source = "detected"
        named = [(f"peak {k + 1}", r) for k, r in enumerate(detected)]
    over = [r for _, r in named if r.overlaps]
    if over:
        flags.append("overlapping_peaks")
        where = ", ".join(f"{r.apex:g}" for r in over)
        qc.append(
            qc_row(
                "warning",
                name,
                f"overlapping peaks at {where} (valley above {overlap_fraction:.0%} of the smaller "
                "peak): split at the valley; their areas are approximate",
            )
        )
    rows: list[dict[str, Any]] = []
    for rname, reg in named:
        inside = (x >= reg.start) & (x <= reg.end)
        apex = reg.apex if np.isfinite(reg.apex) else float(x[inside][np.argmax(sig[inside])])
        height = reg.height if np.isfinite(reg.height) else float(sig[inside].max())
        rows.append(
            {
                "trace": name,
                "kind": kind,
                "region": rname,
                "source": source,
                "start": reg.start,
                "end": reg.end,
                "apex": apex,
                "height_counts": height,
                "area": integrate(x, sig, reg.start, reg.end),
                "area_var": integrate_var(x, y, reg.start, reg.end),
                "step": float(np.median(np.diff(x))),
                "overlaps": reg.overlaps,
            }
        )
    total = sum(r["area"] for r in rows)
    res: dict[str, Any] = {"trace": name, "kind": kind, "threshold_pct": threshold_pct}
    if not rows or total <= 0:
        res.update(
            product="",
            rcp_pct=np.nan,
            rcp_pct_se=np.nan,
            rcp_pct_ci_low=np.nan,
            rcp_pct_ci_high=np.nan,
            verdict="",
            n_regions=len(rows),
            status="no_peaks",
            flags=";".join(flags),
            message="no peak above the noise: no purity can be given",
        )
        return res, rows, qc, pd.DataFrame({axis: x, "counts": y, "baseline": base})
    if isinstance(product, str):
        hit = [r for r in rows if r["region"].lower() == product.lower()]
        if not hit:
            raise SchemaError(
                f"trace {name!r}: no region named {product!r} "
                f"(regions: {', '.join(r['region'] for r in rows)})"
            )
        prod = hit[0]
    elif product is not None:
        hit = [r for r in rows if r["start"] <= float(product) <= r["end"]]
        if not hit:
            raise SchemaError(f"trace {name!r}: no region contains the product at {product:g}")
        prod = hit[0]
    else:
        prod = max(rows, key=lambda r: r["area"])
        qc.append(
            qc_row("info", name, f"product taken to be the largest region ({prod['region']})")
        )
    origin_v = float(x.min()) if origin is None else float(origin)
    front_v = float(x.max()) if front is None else float(front)
    if kind == "tlc" and (origin is None or front is None):
        qc.append(
            qc_row(
                "info",
                name,
                f"Rf from origin {origin_v:g} mm and front {front_v:g} mm "
                "(the ends of the scan unless given)",
            )
        )
    t_var = sum(r["area_var"] for r in rows)
    if source == "roi" and rois is not None and "counts" in rois.columns:
        # the scanner's own ROI counts (usually without baseline subtraction), for comparison
        given = dict(zip(rois["name"].astype(str), rois["counts"].astype(float), strict=True))
        s_total = sum(given.values())
        for r in rows:
            c = given.get(r["region"], np.nan)
            r["scanner_counts"] = c
            r["scanner_pct"] = 100.0 * c / s_total if s_total > 0 else np.nan
    for r in rows:
        r["pct"] = 100.0 * r["area"] / total
        r["is_product"] = r is prod
        r["rf"] = (r["apex"] - origin_v) / (front_v - origin_v) if kind == "tlc" else np.nan
    a, va = prod["area"], prod["area_var"]
    p = a / total
    var_p = ((1 - p) ** 2 * va + p**2 * (t_var - va)) / total**2
    se = 100.0 * float(np.sqrt(max(var_p, 0.0)))
    pct, verdict = rcp_verdict(a, total, threshold_pct)
    lo, hi = max(pct - Z95 * se, 0.0), min(pct + Z95 * se, 100.0)
    if lo < threshold_pct <= hi:
        flags.append("ci_spans_threshold")
    res.update(
        product=prod["region"],
        rcp_pct=pct,
        rcp_pct_se=se,
        rcp_pct_ci_low=lo,
        rcp_pct_ci_high=hi,
        verdict=verdict,
        n_regions=len(rows),
        status="overlapping_peaks" if over and prod["overlaps"] else "ok",
        flags=";".join(dict.fromkeys(flags)),
        message=f"RCP {pct:.1f} % ({verdict} at ≥ {threshold_pct:g} %)",
    )
    return res, rows, qc, pd.DataFrame({axis: x, "counts": y, "baseline": base})


def _regions_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The ``regions`` sheet: bounds in the trace's unit (``_mm`` or ``_min``), net counts, %."""
    import pandas as pd

    out = []
    for r in rows:
        unit = "mm" if r["kind"] == "tlc" else "min"
        row = {
            k: v
            for k, v in r.items()
            if k not in ("start", "end", "apex", "area", "area_var", "pct")
        }
        row.update(
            {f"start_{unit}": r["start"], f"end_{unit}": r["end"], f"apex_{unit}": r["apex"]}
        )
        # trapezoid area / median step = net counts of the region (the sum of its counts
        # above the baseline); the percentages are the same whichever is used
        row["net_counts"] = r["area"] / r["step"] if r["step"] > 0 else np.nan
        row["region_pct"] = r.get("pct", np.nan)
        row.pop("step", None)
        out.append(row)
    table = pd.DataFrame(out)
    first = ["trace", "kind", "region", "source"]
    bounds = [
        c
        for c in ("start_mm", "end_mm", "apex_mm", "start_min", "end_min", "apex_min")
        if c in table
    ]
    rest = [c for c in table.columns if c not in first + bounds]
    return table[[c for c in first if c in table] + bounds + rest]


def chromatogram_figure(
    curve: pd.DataFrame, regions: pd.DataFrame, title: str, baseline: str = ""
) -> Any:
    """The trace with its baseline, each region shaded and labelled with its %."""
    from plotnine import (
        aes,
        annotate,
        geom_line,
        geom_rect,
        geom_text,
        ggplot,
        labs,
    )

    from assaykit.report.figures import theme_assaykit

    axis = "position_mm" if "position_mm" in curve.columns else "time_min"
    xlab = "Position (mm)" if axis == "position_mm" else "Retention time (min)"
    top = float(curve["counts"].max())
    span = float(curve[axis].max() - curve[axis].min()) or 1.0
    # labels of neighbouring regions closer than 12 % of the axis alternate between two heights
    apex = regions["apex"].to_numpy(float)
    level = np.zeros(apex.size)
    for k in range(1, apex.size):
        if apex[k] - apex[k - 1] < 0.12 * span and level[k - 1] == 0:
            level[k] = 1
    reg = regions.assign(
        ymax=top * 1.05,
        label=[f"{r}\n{p:.1f} %" for r, p in zip(regions["region"], regions["pct"], strict=True)],
        ypos=top * (1.08 + 0.2 * level),
        role=np.where(regions["is_product"], "product", "impurity / other"),
    )
    p = (
        ggplot()
        + geom_rect(
            aes(xmin="start", xmax="end", ymin=0, ymax="ymax", fill="role"), reg, alpha=0.25
        )
        + geom_line(aes(axis, "counts"), curve, size=0.4)
        + geom_line(aes(axis, "baseline"), curve, linetype="dashed", color="#777777", size=0.4)
        + geom_text(aes("apex", "ypos", label="label"), reg, size=7, va="bottom")
        + annotate("blank", x=float(curve[axis].min()), y=top * 1.5)
        + labs(
            x=xlab,
            y="Counts",
            fill="Region",
            title=title,
            caption=f"dashed: baseline ({baseline}); % of the summed region areas after "
            "baseline subtraction; one radiochromatogram",
        )
        + theme_assaykit()
    )
    return p


def analyze_purity(
    traces: Mapping[str, pd.DataFrame],
    rois: pd.DataFrame | Mapping[str, pd.DataFrame] | None = None,
    *,
    product: str | float | None = None,
    threshold_pct: float = 95.0,
    baseline: BaselineMethod = "arpls",
    overlap_fraction: float = 0.1,
    min_prominence_sd: float = 8.0,
    origin_mm: float | None = None,
    front_mm: float | None = None,
    combine: tuple[str, str] | None = None,
) -> AssayResult:
    """Radiochemical purity of each trace (and the combined TLC + HPLC purity).

    Parameters
    ----------
    traces
        Name → trace (:func:`assaykit.io.chromatogram.read_chromatogram` frames).
    rois
        One ROI table for every trace, or name → ROI table (``name, start, end``); an ROI table
        with a ``trace`` column is split by it. Default: regions from detected peaks.
    product
        The product's ROI name or a position/time inside its region; default: largest region.
    threshold_pct
        Acceptance threshold (pass when RCP ≥ it).
    baseline
        pybaselines method (``arpls`` default; ``snip``, ``modpoly``, ``none``).
    overlap_fraction
        A valley above this fraction of the smaller peak's height marks peaks as overlapping.
    origin_mm, front_mm
        TLC origin and solvent front (default: the ends of the scan).
    combine
        ``(tlc_trace, hplc_trace)``: add ``(100 − A_TLC)·T_HPLC/100`` as a result row.

    Returns
    -------
    AssayResult
        ``results`` (one row per trace: ``rcp_pct`` with SE and 95 % CI, ``verdict``, ``status``),
        ``regions`` (area, %, Rf per region) and one figure per trace.
    """
    import pandas as pd

    if not traces:
        raise SchemaError("no trace to analyse")
    results, regions, qc = [], [], []
    figures: dict[str, Figure] = {}
    for name, trace in traces.items():
        if isinstance(rois, Mapping):
            r = rois.get(name)
        elif rois is not None and "trace" in rois.columns:
            r = rois[rois["trace"].astype(str) == str(name)]
            r = r if len(r) else None
        else:
            r = rois
            axis = "position_mm" if "position_mm" in trace.columns else "time_min"
            if r is not None and axis in trace.columns:
                lo, hi = float(trace[axis].min()), float(trace[axis].max())
                if not ((r["start"] >= lo) & (r["end"] <= hi)).all():
                    qc.append(
                        qc_row(
                            "info",
                            str(name),
                            f"the ROI table ({r['start'].min():g}–"
                            f"{r['end'].max():g}) does not fit this trace's axis "
                            f"({lo:g}–{hi:g}): regions from detected peaks instead",
                        )
                    )
                    r = None
        res, rows, q, curve = _one_trace(
            name,
            trace,
            r,
            product=product,
            threshold_pct=threshold_pct,
            baseline=baseline,
            overlap_fraction=overlap_fraction,
            min_prominence_sd=min_prominence_sd,
            origin=origin_mm,
            front=front_mm,
        )
        results.append(res)
        regions += rows
        qc += q
        if rows and np.isfinite(res["rcp_pct"]):
            reg = pd.DataFrame(rows)
            title = f"{name}: RCP {res['rcp_pct']:.1f} % ({res['verdict']})"
            stem = "trace_" + "".join(c if c.isalnum() else "_" for c in str(name))
            figures[stem] = Figure(chromatogram_figure(curve, reg, title, baseline), 7.0, 4.0)
    table = pd.DataFrame(results)
    if combine is not None:
        tlc, hplc = (table.set_index("trace").loc[c].to_dict() for c in combine)
        comb = combined_rcp(100.0 - float(tlc["rcp_pct"]), float(hplc["rcp_pct"]))
        se = float(
            np.hypot(tlc["rcp_pct_se"] * hplc["rcp_pct"], hplc["rcp_pct_se"] * tlc["rcp_pct"]) / 100
        )
        verdict = "pass" if comb >= threshold_pct else "fail"
        table = pd.concat(
            [
                table,
                pd.DataFrame(
                    [
                        {
                            "trace": f"{combine[0]} + {combine[1]}",
                            "kind": "combined",
                            "threshold_pct": threshold_pct,
                            "product": tlc["product"],
                            "rcp_pct": comb,
                            "rcp_pct_se": se,
                            "rcp_pct_ci_low": comb - Z95 * se,
                            "rcp_pct_ci_high": min(comb + Z95 * se, 100.0),
                            "verdict": verdict,
                            "n_regions": np.nan,
                            "status": "ok",
                            "flags": "",
                            "message": f"(100 − A_TLC)·T_HPLC/100 = {comb:.1f} % ({verdict})",
                        }
                    ]
                ),
            ],
            ignore_index=True,
        )
    reg_table = _regions_table(regions)
    summary = [
        f"{r['trace']}: RCP {r['rcp_pct']:.1f} % (95 % CI {r['rcp_pct_ci_low']:.1f}–"
        f"{r['rcp_pct_ci_high']:.1f}) → {r['verdict'] or r['status']}"
        for _, r in table.iterrows()
    ]
    methods = (
        "Radiochemical purity was computed with assaykit: the baseline of each radiochromatogram "
        f"was estimated with pybaselines ({baseline}), regions of interest were "
        + (
            "taken from the scanner's ROI table"
            if rois is not None
            else "set around peaks detected with scipy.signal.find_peaks "
            f"(prominence ≥ {min_prominence_sd:g} noise SD)"
        )
        + ", integrated by the trapezoid rule after baseline subtraction, and %RCP = 100 · product "
        f"area / sum of all region areas (acceptance ≥ {threshold_pct:g} %); the SE assumes "
        "Poisson counting statistics."
    )
    return AssayResult(
        assay="radiochem_purity",
        tables={"results": table, "regions": reg_table},
        figures=figures,
        settings={
            "threshold_pct": threshold_pct,
            "baseline": baseline,
            "product": product,
            "overlap_fraction": overlap_fraction,
            "min_prominence_sd": min_prominence_sd,
            "origin_mm": origin_mm,
            "front_mm": front_mm,
            "rois": rois is not None,
            "combine": combine,
        },
        qc=qc_table(qc),
        summary=summary,
        methods=methods,
        n_statement="n = 1 radiochromatogram per row (counts are one measurement; the SE is "
        "Poisson counting error only)",
    )
