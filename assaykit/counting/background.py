"""Background, Poisson uncertainty, Currie limits, efficiency, dead time, dual-isotope unmixing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assaykit.errors import AssaykitError, SchemaError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "bq_from_dpm",
    "currie_limits",
    "dead_time_correct",
    "detection_flags",
    "dpm_from_cpm",
    "net_rate_sd",
    "poisson_sd",
    "subtract_background",
    "unmix",
]


def poisson_sd(counts: Any) -> Any:
    """Poisson standard deviation ``sqrt(N)`` of raw counts.

    Examples
    --------
    >>> poisson_sd(10000.0), 100 * poisson_sd(10000.0) / 10000.0
    (100.0, 1.0)
    """
    import numpy as np

    out = np.sqrt(np.asarray(counts, dtype=float))
    return float(out) if out.ndim == 0 else out


def net_rate_sd(gross_counts: Any, gross_time_s: Any, bkg_counts: Any, bkg_time_s: Any) -> Any:
    """SD of a net rate (per second): ``sqrt(N_g/t_g² + N_b/t_b²)``; multiply by 60 for CPM.

    Examples
    --------
    >>> round(net_rate_sd(10000, 100.0, 400, 100.0), 4)
    1.0198
    """
    import numpy as np

    g = np.asarray(gross_counts, dtype=float) / np.asarray(gross_time_s, dtype=float) ** 2
    b = np.asarray(bkg_counts, dtype=float) / np.asarray(bkg_time_s, dtype=float) ** 2
    out = np.sqrt(g + b)
    return float(out) if out.ndim == 0 else out


def currie_limits(background_counts: Any) -> tuple[Any, Any]:
    """Currie (1968) critical level and detection limit in counts, paired blank, α = β = 5 %.

    ``L_C = 2.33·sqrt(B)``, ``L_D = 2.71 + 4.65·sqrt(B)``; B = background counts in the same
    count time as the sample.

    Examples
    --------
    >>> tuple(round(v, 2) for v in currie_limits(100.0))
    (23.3, 49.21)
    """
    import numpy as np

    root = np.sqrt(np.asarray(background_counts, dtype=float))
    lc, ld = 2.33 * root, 2.71 + 4.65 * root
    if lc.ndim == 0:
        return float(lc), float(ld)
    return lc, ld


def detection_flags(net_counts: Any, background_counts: Any, *, rule: str = "currie") -> Any:
    """Flag net counts below the Currie limits (the values themselves are never changed).

    ``'below_critical_level'`` when ``net ≤ L_C`` (not distinguishable from background),
    ``'below_detection_limit'`` when ``L_C < net < L_D``, ``''`` otherwise. With
    ``rule='3sigma'`` the lab rule ``net < 3·sqrt(B)`` gives ``'below_3_sigma'``.

    Examples
    --------
    >>> detection_flags([10.0, 30.0, 60.0], 100.0).tolist()
    ['below_critical_level', 'below_detection_limit', '']
    """
    import numpy as np

    net = np.asarray(net_counts, dtype=float)
    bkg = np.broadcast_to(np.asarray(background_counts, dtype=float), net.shape)
    if rule == "3sigma":
        return np.where(net < 3 * np.sqrt(bkg), "below_3_sigma", "").astype(object)
    if rule != "currie":
        raise AssaykitError(f"unknown detection rule {rule!r}; expected 'currie' or '3sigma'")
    lc, ld = currie_limits(bkg)
    out = np.where(
        net <= lc, "below_critical_level", np.where(net < ld, "below_detection_limit", "")
    )
    return out.astype(object)


def dpm_from_cpm(cpm: Any, efficiency: Any) -> Any:
    """Disintegrations per minute ``DPM = CPM / ε`` (ε in (0, 1]).

    Examples
    --------
    >>> dpm_from_cpm(8000.0, 0.80), round(bq_from_dpm(dpm_from_cpm(8000.0, 0.80)), 2)
    (10000.0, 166.67)
    """
    import numpy as np

    eff = np.asarray(efficiency, dtype=float)
    if np.any(~((eff > 0) & (eff <= 1))):
        raise AssaykitError(f"counting efficiency must be in (0, 1], got {efficiency!r}")
    out = np.asarray(cpm, dtype=float) / eff
    return float(out) if out.ndim == 0 else out


def bq_from_dpm(dpm: Any) -> Any:
    """Becquerel from DPM: ``Bq = DPM / 60``."""
    import numpy as np

    out = np.asarray(dpm, dtype=float) / 60.0
    return float(out) if out.ndim == 0 else out


def dead_time_correct(rate_cps: Any, dead_time_s: float) -> Any:
    """True rate from an observed rate with a non-paralysable dead time: ``n = m / (1 − m·τ)``.

    Examples
    --------
    >>> round(dead_time_correct(10000.0, 5e-6), 1)
    10526.3
    """
    import numpy as np

    m = np.asarray(rate_cps, dtype=float)
    if not (dead_time_s >= 0):
        raise AssaykitError(f"dead time must be ≥ 0 s, got {dead_time_s!r}")
    loss = m * dead_time_s
    if np.any(loss >= 1):
        raise AssaykitError(
            f"observed rate × dead time reaches {np.nanmax(loss):.3g} (must be < 1): "
            "the counter is saturated; dilute the sample instead of correcting"
        )
    out = m / (1.0 - loss)
    return float(out) if out.ndim == 0 else out


def unmix(observed: Any, crosstalk: Any) -> Any:
    """Dual-isotope unmixing: solve ``observed = M · true`` for every row of ``observed``.

    Parameters
    ----------
    observed
        Rates per window, shape (k,) or (n, k), or a DataFrame with k window columns.
    crosstalk
        k × k matrix; column j is the response of each window to unit activity of isotope j
        (measured with single-isotope standards).

    Examples
    --------
    >>> unmix([10250.0, 8000.0], [[1.00, 0.05], [0.30, 1.00]]).round(6).tolist()
    [10000.0, 5000.0]
    """
    import numpy as np
    import pandas as pd

    m = np.asarray(crosstalk, dtype=float)
    obs = np.asarray(observed, dtype=float)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or obs.shape[-1] != m.shape[0]:
        raise AssaykitError(
            f"crosstalk matrix must be square and match the {obs.shape[-1]} windows, got shape {m.shape}"
        )
    if not np.isfinite(np.linalg.cond(m)) or np.linalg.cond(m) > 1e8:
        raise AssaykitError(
            "crosstalk matrix is singular: the windows cannot separate the isotopes"
        )
    true = np.linalg.solve(m, obs.T).T
    if isinstance(observed, pd.DataFrame):
        return pd.DataFrame(true, index=observed.index, columns=observed.columns)
    return true


def subtract_background(
    table: pd.DataFrame,
    *,
    blank: Any = None,
    value: str = "cpm",
    by_count_time: bool = False,
    background_cpm: float | None = None,
) -> pd.DataFrame:
    """Subtract the mean of blank tubes from every tube; add uncertainty and detection flags.

    Parameters
    ----------
    table
        Counter table with ``value`` (CPM) and, for uncertainty and limits, ``counts`` and
        ``count_time_s``.
    blank
        Boolean mask of blank tubes; by default ``table["role"] == "blank"``.
    by_count_time
        Use only blanks counted for the same ``count_time_s`` (to 0.1 s) as each tube.
    background_cpm
        A known background rate instead of blanks.

    Returns
    -------
    A copy with ``bkg_cpm`` (mean blank rate), ``n_blanks``, ``net_cpm``, ``net_cpm_sd`` (Poisson,
    NaN without counts) and ``detection_flag`` (Currie, see :func:`detection_flags`; B and the
    net counts come from raw ``counts``, so the limits hold when the vendor's CPM is already
    background-corrected).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"role": ["blank", "blank", "sample"], "counts": [40.0, 60.0, 10050.0],
    ...                   "count_time_s": [60.0] * 3, "cpm": [40.0, 60.0, 10050.0]})
    >>> subtract_background(t)[["bkg_cpm", "net_cpm", "detection_flag"]]
       bkg_cpm  net_cpm        detection_flag
    0     50.0    -10.0  below_critical_level
    1     50.0     10.0  below_critical_level
    2     50.0  10000.0
    """
    import numpy as np
    import pandas as pd

    from assaykit.schema import require_columns

    require_columns(table, [value], stage="background subtraction")
    out = table.copy()
    rate = out[value].astype(float)
    has_counts = {"counts", "count_time_s"} <= set(out.columns)
    if background_cpm is not None:
        out["bkg_cpm"] = float(background_cpm)
        out["n_blanks"] = 0
        bkg_counts_total = np.full(len(out), np.nan)
        bkg_time_total = np.full(len(out), np.nan)
    else:
        if blank is None:
            require_columns(table, ["role"], stage="background subtraction")
            blank = out["role"].astype(str).eq("blank")
        blank = np.asarray(blank, dtype=bool)
        if not blank.any():
            raise SchemaError(
                "background subtraction found no blank tubes (role 'blank'); "
                "mark blank tubes in the layout or pass background_cpm="
            )
        if by_count_time:
            require_columns(table, ["count_time_s"], stage="background subtraction by count time")
            key = out["count_time_s"].astype(float).round(1)
        else:
            key = pd.Series(0.0, index=out.index)
        blanks = pd.DataFrame({"key": key[blank].to_numpy(), "rate": rate[blank].to_numpy()})
        if has_counts:
            blanks["counts"] = out.loc[blank, "counts"].astype(float).to_numpy()
            blanks["time"] = out.loc[blank, "count_time_s"].astype(float).to_numpy()
        else:
            blanks["counts"] = np.nan
            blanks["time"] = np.nan
        agg = blanks.groupby("key").agg(
            bkg=("rate", "mean"), n=("rate", "size"), counts=("counts", "sum"), time=("time", "sum")
        )
        missing = ~key.isin(agg.index)
        if missing.any():
            times = sorted(set(key[missing]))
            raise SchemaError(
                f"no blank tube was counted for {times} s; blanks exist for {list(agg.index)} s "
                "(count blanks with the same time or use by_count_time=False)"
            )
        out["bkg_cpm"] = key.map(agg["bkg"]).to_numpy()
        out["n_blanks"] = key.map(agg["n"]).to_numpy()
        bkg_counts_total = key.map(agg["counts"]).to_numpy(dtype=float)
        bkg_time_total = key.map(agg["time"]).to_numpy(dtype=float)
    out["net_cpm"] = rate - out["bkg_cpm"]
    if has_counts:
        gross = out["counts"].astype(float).to_numpy()
        t = out["count_time_s"].astype(float).to_numpy()
        out["net_cpm_sd"] = 60.0 * net_rate_sd(gross, t, bkg_counts_total, bkg_time_total)
        # expected background counts in this tube's count time, from the blanks' raw counts
        # (right even when the vendor CPM is already background-corrected)
        with np.errstate(divide="ignore", invalid="ignore"):
            bkg_rate = np.where(
                np.isfinite(bkg_counts_total) & (bkg_time_total > 0),
                bkg_counts_total / bkg_time_total,
                out["bkg_cpm"].to_numpy() / 60.0,
            )
        bkg_in_count = bkg_rate * t
        out["detection_flag"] = detection_flags(gross - bkg_in_count, bkg_in_count)
    else:
        out["net_cpm_sd"] = np.nan
        out["detection_flag"] = ""
    return out
