"""Counts of a kinetics experiment → decay-corrected specific binding at one reference time.

A kinetics experiment is stopped tube by tube over minutes to hours and counted afterwards, each
tube at its own time. For short-lived nuclides (68Ga loses 46 % per hour) a count taken later is
smaller for the same number of bound molecules, so every tube is corrected **with its own count
start and count length** to one reference time before anything is fitted (DOMAIN §3.1):

1. ``cpm = counts / (count_time_s / 60)`` from the raw counts (the export's CPM only without them:
   counters may have corrected it already);
2. ``net_cpm = cpm − mean(blank cpm)`` (:func:`assaykit.counting.subtract_background`, with
   Poisson SD and Currie flags);
3. ``corrected_cpm = net_cpm · exp(λ·(t_count − t_ref)) · λΔt/(1 − exp(−λΔt))``
   (:func:`assaykit.counting.decay_correct`);
4. specific binding of each total tube = its corrected cpm − NSB at the same radioligand
   concentration (and curve and kind when NSB tubes exist there), NSB interpolated linearly in
   time between the times it was measured (constant outside them).

Times are explicit: ``time_min`` is minutes after radioligand addition for association tubes and
minutes after dissociation start for dissociation tubes; or give ``stopped_at`` time stamps with
``time_zero`` (radioligand addition) and ``dissociation_start``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from assaykit.counting import decay_correct, seconds_between, subtract_background
from assaykit.errors import LayoutError, SchemaError
from assaykit.result import qc_row, qc_table
from assaykit.schema import require_columns

__all__ = ["KineticsCounts", "kinetics_responses"]

ROLES = ("total", "nsb", "blank", "standard")


@dataclass
class KineticsCounts:
    """Result of :func:`kinetics_responses`.

    Attributes
    ----------
    responses
        One row per total tube: ``curve, kind, time_min, conc_M, competitor_conc_M, response``
        (specific binding, cpm at the reference time), ``response_sd`` (its Poisson SD: the
        tube's and the interpolated NSB mean's, through the decay factors), ``total_cpm``,
        ``nsb_cpm`` and the tube
        keys that were given (``rack``, ``position``, ``tube``, ``well``).
    tubes
        Every tube with ``cpm``, ``bkg_cpm``, ``net_cpm``, ``net_cpm_sd``, ``detection_flag``,
        ``decay_factor``, ``corrected_cpm`` and ``corrected_cpm_sd``.
    qc
        What a person should know (no blanks, tubes below the detection limit, NSB borrowed
        from another curve, standards).
    standards_cpm
        Mean decay-corrected cpm of the ``standard`` tubes (added activity), NaN without them.
    """

    responses: pd.DataFrame
    tubes: pd.DataFrame
    qc: pd.DataFrame = field(default_factory=lambda: qc_table([]))
    standards_cpm: float = float("nan")


def _tube_name(row: pd.Series) -> str:
    for keys in (("rack", "position"), ("tube",), ("well",)):
        if all(k in row.index and pd.notna(row[k]) for k in keys):
            return "tube " + "/".join(str(row[k]) for k in keys)
    return f"row {row.name}"


def _times(df: pd.DataFrame, time_zero: Any, dissociation_start: Any) -> pd.Series:
    """``time_min`` from the table, or from ``stopped_at`` and the explicit time zeros."""
    if "time_min" in df.columns:
        return pd.to_numeric(df["time_min"], errors="coerce")
    if "stopped_at" not in df.columns:
        raise SchemaError(
            "kinetics counting needs the incubation time of each tube: a 'time_min' column "
            "(minutes after radioligand addition, or after dissociation start) or 'stopped_at' "
            "time stamps with time_zero"
        )
    diss = df["kind"].eq("dissociation")
    out = pd.Series(np.nan, index=df.index)
    if (~diss).any():
        if time_zero is None:
            raise SchemaError("stopped_at needs time_zero (the time of radioligand addition)")
        out[~diss] = seconds_between(df.loc[~diss, "stopped_at"], time_zero) / 60.0
    if diss.any():
        if dissociation_start is None:
            raise SchemaError(
                "dissociation tubes with stopped_at need dissociation_start (when dissociation began)"
            )
        out[diss] = seconds_between(df.loc[diss, "stopped_at"], dissociation_start) / 60.0
    return out


def kinetics_responses(
    tubes: pd.DataFrame,
    *,
    reference_time: Any,
    isotope: str | None = None,
    half_life: Any = None,
    time_zero: Any = None,
    dissociation_start: Any = None,
    decay: bool = True,
    background_cpm: float | None = None,
) -> KineticsCounts:
    """Decay-corrected specific binding of every total tube, ready for :func:`fit_kinetics`.

    Parameters
    ----------
    tubes
        Annotated counter table: ``role`` (total, nsb, blank, standard), ``measured_at`` (count
        start), ``count_time_s``, ``counts`` (or ``cpm``), and for total/NSB tubes ``time_min``
        (or ``stopped_at``) and ``conc_M``; optional ``kind`` (association, dissociation),
        ``curve``, ``competitor_conc_M``.
    reference_time
        The one time every count is corrected to (e.g. radioligand addition).
    isotope, half_life
        Nuclide (half-life from assaykit's table) or an explicit half-life.
    time_zero, dissociation_start
        Radioligand addition and dissociation start, used only with ``stopped_at``.
    decay
        False skips the decay correction (only for long-lived nuclides: the QC says so).
    background_cpm
        A known background rate instead of blank tubes.

    Returns
    -------
    KineticsCounts

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2026-03-12 10:00")
    >>> tubes = pd.DataFrame({
    ...     "role": ["blank", "total", "nsb"], "counts": [30, 10_030, 1_030],
    ...     "count_time_s": 60.0, "measured_at": [t0 + pd.Timedelta(minutes=67.71)] * 3,
    ...     "time_min": [None, 10.0, 10.0], "conc_M": [None, 1e-9, 1e-9]})
    >>> out = kinetics_responses(tubes, reference_time=t0, isotope="Ga-68")
    >>> round(float(out.responses.loc[0, "response"]), 1)   # (10 000 − 1 000) · 2 · 1.00513
    18092.3
    """
    require_columns(tubes, ["role", "measured_at", "count_time_s"], stage="kinetics counting")
    df = tubes.copy()
    df["role"] = df["role"].astype(str).str.strip().str.lower()
    bad = sorted(set(df["role"]) - set(ROLES))
    if bad:
        raise LayoutError(
            f"unknown role(s) {', '.join(map(repr, bad))}; a kinetics tube is one of {', '.join(ROLES)}"
        )
    qc: list[dict[str, str]] = []
    if "counts" in df.columns:
        # raw counts, never the export's CPM (counters may already subtract background or decay-correct it)
        df["cpm"] = pd.to_numeric(df["counts"], errors="coerce") / (
            pd.to_numeric(df["count_time_s"], errors="coerce") / 60.0
        )
    else:
        require_columns(df, ["cpm"], stage="kinetics counting (no 'counts' column)")
        qc.append(qc_row("info", "counts", "no raw counts: the export's CPM used as given"))
    if "kind" not in df.columns:
        df["kind"] = "association"
    df["kind"] = df["kind"].fillna("association").astype(str).str.strip().str.lower()
    if "curve" not in df.columns:
        df["curve"] = "curve 1"
    df["curve"] = df["curve"].fillna("curve 1").astype(str)
    if "competitor_conc_M" not in df.columns:
        df["competitor_conc_M"] = 0.0
    df["competitor_conc_M"] = pd.to_numeric(df["competitor_conc_M"], errors="coerce").fillna(0.0)

    if background_cpm is None and not df["role"].eq("blank").any():
        qc.append(
            qc_row(
                "warning", "blanks", "no blank tubes: counts used without background subtraction"
            )
        )
        background_cpm = 0.0
    df = subtract_background(df, background_cpm=background_cpm)
    low = df["detection_flag"].astype(str).ne("") & df["role"].isin(["total", "nsb"])
    if low.any():
        names = ", ".join(_tube_name(r) for _, r in df[low].head(8).iterrows())
        qc.append(
            qc_row("warning", names, "net counts below the Currie detection limit (values kept)")
        )
    if decay:
        if isotope is None and half_life is None:
            raise SchemaError("decay correction needs isotope= or half_life= (or decay=False)")
        factor = decay_correct(
            pd.Series(1.0, index=df.index),
            df["measured_at"],
            reference_time,
            isotope,
            df["count_time_s"].astype(float),
            half_life=half_life,
        )
        df["decay_factor"] = factor
        df["corrected_cpm"] = df["net_cpm"].astype(float) * factor
    else:
        qc.append(qc_row("info", "decay", "counts not decay-corrected (decay=False)"))
        df["decay_factor"] = 1.0
        df["corrected_cpm"] = df["net_cpm"].astype(float)
    # Poisson SD of the net rate (gross counts only where the background was given as a number),
    # carried through the same factor
    sd = df["net_cpm_sd"].astype(float)
    if "counts" in df.columns:
        gross = df["counts"].astype(float).to_numpy()
        gross_sd = 60.0 * np.sqrt(gross) / df["count_time_s"].astype(float).to_numpy()
        sd = pd.Series(np.where(sd.notna(), sd.to_numpy(), gross_sd), index=df.index)
    df["corrected_cpm_sd"] = sd * df["decay_factor"]

    std = df["role"].eq("standard")
    standards = float(df.loc[std, "corrected_cpm"].mean()) if std.any() else float("nan")
    if std.any():
        qc.append(
            qc_row(
                "info",
                "standards",
                f"added activity {standards:.6g} cpm at the reference time "
                f"(mean of {int(std.sum())} standard tube(s))",
            )
        )

    work = df[df["role"].isin(["total", "nsb"])].copy()
    if work.empty:
        raise LayoutError("no total (or nsb) tubes: nothing to fit")
    work["time_min"] = _times(work, time_zero, dissociation_start)
    require_columns(work, ["conc_M"], stage="kinetics counting")
    work["conc_M"] = pd.to_numeric(work["conc_M"], errors="coerce")
    missing = work["time_min"].isna() | work["conc_M"].isna()
    if missing.any():
        names = ", ".join(_tube_name(r) for _, r in work[missing].head(8).iterrows())
        raise LayoutError(f"total/NSB tube(s) without a time or radioligand concentration: {names}")
    responses = _specific(work, qc)
    low = responses["response"] <= 0
    if low.any():
        names = ", ".join(_tube_name(r) for _, r in responses[low].head(8).iterrows())
        qc.append(
            qc_row(
                "warning",
                names,
                f"{int(low.sum())} total tube(s) at or below NSB (specific binding ≤ 0; kept in the fit)",
            )
        )
    return KineticsCounts(responses=responses, tubes=df, qc=qc_table(qc), standards_cpm=standards)


def _specific(work: pd.DataFrame, qc: list[dict[str, str]]) -> pd.DataFrame:
    total = work[work["role"] == "total"]
    nsb = work[work["role"] == "nsb"]
    if total.empty:
        raise LayoutError("no total-binding tubes (role 'total'): nothing to fit")
    out = []
    nsb_conc = nsb["conc_M"].to_numpy(float)
    for (curve, kind, conc), g in total.groupby(["curve", "kind", "conc_M"], sort=False):
        # same concentration to 1e-9 relative (never an absolute tolerance: these are ~1e-9 M)
        same = np.isclose(nsb_conc, float(conc), rtol=1e-9, atol=0.0)  # type: ignore[arg-type]
        src = nsb[(nsb["curve"] == curve) & (nsb["kind"] == kind) & same]
        if src.empty:
            src = nsb[same]
            if not src.empty:
                qc.append(
                    qc_row(
                        "info",
                        f"{curve} / {kind} / {conc:.3g} M",
                        "no NSB tubes here: NSB of the same radioligand concentration elsewhere used",
                    )
                )
        if src.empty:
            raise LayoutError(
                f"no NSB tubes at radioligand {conc:.3g} M (curve {curve!r}, {kind}): specific "
                "binding needs NSB at each concentration (at each or at selected times)"
            )
        by_t = src.groupby("time_min")
        means = by_t["corrected_cpm"].mean().sort_index()
        # SD of each NSB mean (Poisson, independent tubes), interpolated like the mean
        sd_mean = (
            by_t["corrected_cpm_sd"]
            .apply(lambda v: float(np.sqrt((v**2).sum())) / len(v))
            .sort_index()
        )
        tg = g["time_min"].to_numpy(float)
        knots = means.index.to_numpy(float)
        nsb_at = np.interp(tg, knots, means.to_numpy(float))
        nsb_sd = np.interp(tg, knots, sd_mean.to_numpy(float))
        part = g.copy()
        part["total_cpm"] = part["corrected_cpm"]
        part["nsb_cpm"] = nsb_at
        part["response"] = part["corrected_cpm"] - nsb_at
        part["response_sd"] = np.sqrt(part["corrected_cpm_sd"].to_numpy(float) ** 2 + nsb_sd**2)
        out.append(part)
    res = pd.concat(out)
    keys = [k for k in ("rack", "position", "tube", "well") if k in res.columns]
    cols = [
        "curve",
        "kind",
        "time_min",
        "conc_M",
        "competitor_conc_M",
        "response",
        "response_sd",
        "total_cpm",
        "nsb_cpm",
    ]
    return res[cols + keys].reset_index(drop=True)
