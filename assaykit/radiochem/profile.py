"""The compound profile table: one row per compound with what the lab measured.

Built from results tables (binding ``results.csv``, uptake ``results.csv``, and the logD,
stability, protein-binding and purity results of :mod:`assaykit.radiochem`), each value with its
uncertainty and its n, and what n counts. Several binding curves of one compound (independent
experiments) are pooled on the log scale (mean ± SD of log IC50, n = experiments); a single
curve keeps its own 95 % CI and n = wells/tubes.

Examples
--------
>>> import pandas as pd
>>> logd = pd.DataFrame({"compound": ["A"], "logd": [-2.6], "logd_sd": [0.05], "n": [6]})
>>> build_profile(logd=logd).loc[0, ["compound", "logd", "logd_n"]].to_dict()
{'compound': 'A', 'logd': -2.6, 'logd_n': 6}
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from assaykit.errors import SchemaError
from assaykit.result import AssayResult, qc_row, qc_table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["analyze_profile", "build_profile"]


def _binding(binding: pd.DataFrame, qc: list[dict[str, str]]) -> dict[str, dict[str, Any]]:
    from scipy import stats

    if "compound" not in binding.columns:
        binding = binding.assign(compound=binding["curve"])
    out: dict[str, dict[str, Any]] = {}
    for comp, g in binding.groupby("compound", sort=False):
        ok = g[g["status"] == "ok"]
        if len(ok) < len(g):
            qc.append(
                qc_row(
                    "info",
                    str(comp),
                    f"{len(g) - len(ok)} binding curve(s) without "
                    "status ok left out of the profile",
                )
            )
        row: dict[str, Any] = {}
        if len(ok) == 0:
            row["ic50_note"] = "; ".join(f"{s}" for s in g["status"].astype(str))
        elif len(ok) == 1:
            r = ok.iloc[0]
            row.update(
                ic50_nM=r["ic50"] * 1e9,
                ic50_nM_ci_low=r["ic50_ci_low"] * 1e9,
                ic50_nM_ci_high=r["ic50_ci_high"] * 1e9,
                ic50_n=int(r["n"]),
                ic50_n_counts="wells/tubes (one curve)",
            )
            if "ki" in ok.columns and np.isfinite(r.get("ki", np.nan)):
                row.update(
                    ki_nM=r["ki"] * 1e9,
                    ki_nM_ci_low=r["ki_ci_low"] * 1e9,
                    ki_nM_ci_high=r["ki_ci_high"] * 1e9,
                )
        else:
            lg = ok["log_ic50"].to_numpy(float)
            n = lg.size
            sd = float(lg.std(ddof=1))
            t = float(stats.t.ppf(0.975, n - 1))
            m = float(lg.mean())
            row.update(
                ic50_nM=10**m * 1e9,
                ic50_nM_ci_low=10 ** (m - t * sd / math.sqrt(n)) * 1e9,
                ic50_nM_ci_high=10 ** (m + t * sd / math.sqrt(n)) * 1e9,
                log_ic50_sd=sd,
                ic50_n=n,
                ic50_n_counts="independent experiments (geometric mean)",
            )
            if "ki" in ok.columns and ok["ki"].notna().all():
                lk = np.log10(ok["ki"].to_numpy(float))
                mk = float(lk.mean())
                half = t * float(lk.std(ddof=1)) / math.sqrt(n)
                row.update(
                    ki_nM=10**mk * 1e9,
                    ki_nM_ci_low=10 ** (mk - half) * 1e9,
                    ki_nM_ci_high=10 ** (mk + half) * 1e9,
                )
        out[str(comp)] = row
    return out


def _uptake(uptake: pd.DataFrame, quantity: str, condition: str) -> dict[str, dict[str, Any]]:
    need = {"compound", "condition", "time_min", "quantity", "n", "mean", "sd"}
    if missing := need - set(uptake.columns):
        raise SchemaError(f"the uptake results lack columns {', '.join(sorted(missing))}")
    u = uptake[(uptake["quantity"] == quantity) & (uptake["condition"] == condition)]
    out: dict[str, dict[str, Any]] = {}
    for comp, g in u.groupby("compound", sort=False):
        last: Any = g.loc[g["time_min"].idxmax()]  # type: ignore[call-overload]
        out[str(comp)] = {
            quantity: float(last["mean"]),
            f"{quantity}_sd": float(last["sd"]),
            f"{quantity}_n": int(last["n"]),
            f"{quantity}_time_min": float(last["time_min"]),
        }
    return out


def _simple(
    table: pd.DataFrame, col: str, extra: tuple[str, ...] = ()
) -> dict[str, dict[str, Any]]:
    if "compound" not in table.columns or col not in table.columns:
        raise SchemaError(f"a results table with compound and {col} is needed")
    out: dict[str, dict[str, Any]] = {}
    for r in table.to_dict("records"):
        row = {col: r[col]}
        for suffix in ("_sd", "_ci_low", "_ci_high"):
            if col + suffix in r:
                row[col + suffix] = r[col + suffix]
        if "n" in r:
            row[f"{col}_n"] = r["n"]
        for e in extra:
            if e in r:
                row[e] = r[e]
        if "medium" in r or "matrix" in r:
            row[f"{col}_in"] = r.get("medium", r.get("matrix"))
        out.setdefault(str(r["compound"]), row)
    return out


def build_profile(
    binding: pd.DataFrame | None = None,
    uptake: pd.DataFrame | None = None,
    logd: pd.DataFrame | None = None,
    stability: pd.DataFrame | None = None,
    ppb: pd.DataFrame | None = None,
    purity: pd.DataFrame | None = None,
    *,
    uptake_quantity: str = "internalized_pct",
    uptake_condition: str = "tracer",
    qc: list[dict[str, str]] | None = None,
) -> pd.DataFrame:
    """One row per compound from the results tables given (any may be None).

    ``purity`` needs a ``compound`` column (e.g. added by the caller from the trace names).
    """
    import pandas as pd

    notes = qc if qc is not None else []
    parts: list[dict[str, dict[str, Any]]] = []
    if binding is not None:
        parts.append(_binding(binding, notes))
    if uptake is not None:
        parts.append(_uptake(uptake, uptake_quantity, uptake_condition))
    if logd is not None:
        parts.append(_simple(logd, "logd"))
    if stability is not None:
        parts.append(
            _simple(
                stability,
                "pct_intact_last",
                ("last_time_min", "t_half_min", "t_half_min_ci_low", "t_half_min_ci_high"),
            )
        )
    if ppb is not None:
        parts.append(_simple(ppb, "ppb_pct"))
    if purity is not None:
        parts.append(_simple(purity, "rcp_pct", ("verdict", "rcp_method")))
    if not parts:
        raise SchemaError("no results table given for the profile")
    compounds: list[str] = list(dict.fromkeys(c for p in parts for c in p))
    rows = []
    for c in compounds:
        row: dict[str, Any] = {"compound": c}
        for p in parts:
            row.update(p.get(c, {}))
        rows.append(row)
    return pd.DataFrame(rows)


def analyze_profile(
    *,
    uptake_quantity: str = "internalized_pct",
    uptake_condition: str = "tracer",
    **tables: pd.DataFrame | None,
) -> AssayResult:
    """:func:`build_profile` as an :class:`AssayResult` (``profile`` table + summary lines)."""
    qc: list[dict[str, str]] = []
    prof = build_profile(
        **tables,
        uptake_quantity=uptake_quantity,
        uptake_condition=uptake_condition,
        qc=qc,
    )
    given = [k for k, v in tables.items() if v is not None]
    lines = []
    for r in prof.to_dict("records"):
        bits = [str(r["compound"])]
        if np.isfinite(r.get("ic50_nM", np.nan)):
            bits.append(
                f"IC50 {r['ic50_nM']:.3g} nM ({r['ic50_nM_ci_low']:.3g}–{r['ic50_nM_ci_high']:.3g}, "
                f"n = {int(r['ic50_n'])})"
            )
        if np.isfinite(r.get("logd", np.nan)):
            bits.append(f"logD {r['logd']:.2f} ± {r.get('logd_sd', np.nan):.2f}")
        if np.isfinite(r.get("ppb_pct", np.nan)):
            bits.append(f"PPB {r['ppb_pct']:.1f} %")
        if np.isfinite(r.get("t_half_min", np.nan)):
            bits.append(f"t½ {r['t_half_min']:.0f} min in {r.get('pct_intact_last_in', '')}")
        if np.isfinite(r.get("rcp_pct", np.nan)):
            bits.append(f"RCP {r['rcp_pct']:.1f} % ({r.get('rcp_method', '')})")
        lines.append(": ".join([bits[0], ", ".join(bits[1:])]) if len(bits) > 1 else bits[0])
    missing = [c for c in prof["compound"] if prof.set_index("compound").loc[c].isna().all()]
    for c in missing:  # pragma: no cover - every compound has at least one value by construction
        qc.append(qc_row("info", c, "no value"))
    return AssayResult(
        assay="profile",
        tables={"profile": prof},
        settings={"tables": given},
        qc=qc_table(qc),
        summary=lines,
        methods="Compound profile assembled by assaykit from the results tables of each assay; "
        "IC50 of several independent experiments pooled as the geometric mean with a t-based "
        "95 % CI of log IC50.",
        n_statement="n per column: ic50_n (wells of one curve, or independent experiments), "
        "logd_n (aliquot pairs), ppb_pct_n (ultrafiltrations), uptake n (wells)",
    )
