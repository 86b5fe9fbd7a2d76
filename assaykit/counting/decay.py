"""Decay correction to a reference time, including the decay during each count."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from assaykit.errors import SchemaError

if TYPE_CHECKING:
    import numpy as np

from assaykit.counting.halflife import _half_life_seconds, half_life_info

__all__ = [
    "decay_correct",
    "decay_during_count_factor",
    "decay_factor",
    "seconds_between",
]


def decay_factor(elapsed_s: Any, half_life_s: float) -> np.ndarray:
    """``exp(λ·elapsed)``: the factor that takes a count ``elapsed_s`` after t_ref back to t_ref.

    Examples
    --------
    >>> from assaykit.counting import half_life
    >>> float(decay_factor(3600.0, half_life("Ga-68").total_seconds()))
    1.848...
    """
    import numpy as np

    lam = math.log(2.0) / float(half_life_s)
    return np.exp(lam * np.asarray(elapsed_s, dtype=float))


def decay_during_count_factor(count_time_s: Any, half_life_s: float) -> np.ndarray:
    """``λΔt / (1 − exp(−λΔt))``: mean rate over a count of length Δt → rate at its start.

    Exactly 1 for Δt = 0; computed with ``expm1`` so long-lived nuclides lose no digits.

    Examples
    --------
    >>> from assaykit.counting import half_life
    >>> round(float(decay_during_count_factor(600.0, half_life("Ga-68").total_seconds())), 5)
    1.05206
    """
    import numpy as np

    x = math.log(2.0) / float(half_life_s) * np.asarray(count_time_s, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = x / -np.expm1(-x)
    return np.where(x == 0, 1.0, f)


def _epoch_ns(x: Any) -> tuple[np.ndarray, bool]:
    """Nanoseconds since the epoch as int64 (NaT → a mask), and whether ``x`` was time-zone aware."""
    import numpy as np
    import pandas as pd

    if isinstance(x, pd.Series | pd.Index | np.ndarray | list | tuple):
        idx = pd.DatetimeIndex(pd.to_datetime(x))
    else:
        idx = pd.DatetimeIndex([pd.NaT if x is None else pd.Timestamp(x)])
    aware = idx.tz is not None
    if aware:
        idx = idx.tz_convert("UTC").tz_localize(None)
    ns = idx.as_unit("ns").asi8.copy()
    return ns, aware


def seconds_between(later: Any, earlier: Any) -> np.ndarray:
    """``later − earlier`` in seconds, vectorised over datetimes; NaT gives NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> seconds_between(pd.Series(pd.to_datetime(["2024-03-06 12:00", "2024-03-06 13:00"])), "2024-03-06 12:00")
    array([   0., 3600.])
    """
    import numpy as np

    a, a_aware = _epoch_ns(later)
    b, b_aware = _epoch_ns(earlier)
    if a_aware != b_aware:
        raise SchemaError(
            "count time stamps and reference time must both carry a time zone or both be naive local time"
        )
    nat = np.iinfo(np.int64).min
    diff = (a - b).astype(float) / 1e9
    return np.where((a == nat) | (b == nat), np.nan, diff)


def decay_correct(
    values: Any,
    measured_at: Any,
    reference_time: Any,
    isotope: str | None = None,
    count_time_s: Any = None,
    *,
    half_life: Any = None,
    half_lives: Mapping[str, Any] | None = None,
) -> Any:
    """Decay-correct count rates (or counts) from the count start ``measured_at`` to ``reference_time``.

    ``A(t_ref) = A(t_c) · exp(λ·(t_c − t_ref))`` with ``λ = ln 2 / T½``; with ``count_time_s`` also
    the decay during the count, ``λΔt / (1 − exp(−λΔt))`` (applied for every nuclide: ≈ 1 for
    long-lived ones). Counts after ``reference_time`` grow, counts before it shrink.

    Parameters
    ----------
    values
        Net rates or counts: scalar, array or Series.
    measured_at
        Start of each count: datetime scalar, array or Series (naive local time, as exported).
    reference_time
        The common time to correct to: one datetime, or one per value.
    isotope
        Nuclide (any spelling :func:`canonical_isotope` reads); its half-life comes from the table.
    count_time_s
        Count length in seconds (scalar or per value); ``None`` skips the during-count factor.
    half_life
        Overrides the table: Timedelta, ``'67.71 min'`` or seconds.
    half_lives
        Mapping of nuclide → half-life consulted before the table.

    Returns
    -------
    Same kind as ``values`` (a Series keeps its index and name; an array stays an array; a
    scalar gives a float): the corrected values.

    Raises
    ------
    SchemaError
        A time stamp or count time is missing (the rows are named) or negative.

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-03-06 12:00")
    >>> round(decay_correct(1000.0, t0 + pd.Timedelta(minutes=67.71), t0, "Ga-68"), 6)
    2000.0
    >>> s = pd.Series([100.0, 100.0], index=["tube 1", "tube 2"])
    >>> decay_correct(s, [t0, t0 + pd.Timedelta(hours=1)], t0, "68Ga", count_time_s=60).round(3)
    tube 1    100.513
    tube 2    185.769
    dtype: float64
    """
    import numpy as np
    import pandas as pd

    if half_life is None and isotope is not None and half_lives:
        half_life = half_life_info(isotope, half_lives=half_lives)
    t_half = _half_life_seconds(isotope, half_life)
    vals = np.asarray(values, dtype=float)
    elapsed = seconds_between(measured_at, reference_time)
    if elapsed.size == 1 and vals.ndim == 0:
        elapsed = elapsed.reshape(())
    missing = np.isnan(np.broadcast_to(elapsed, np.broadcast_shapes(elapsed.shape, vals.shape)))
    if missing.any():
        rows = _row_labels(values, missing)
        raise SchemaError(
            f"decay correction needs a count time stamp (measured_at) for every value; missing for {rows}"
        )
    factor = decay_factor(elapsed, t_half)
    if count_time_s is not None:
        dt = np.asarray(count_time_s, dtype=float)
        bad = np.isnan(dt) | (dt < 0)
        if bad.any():
            rows = _row_labels(
                values, np.broadcast_to(bad, np.broadcast_shapes(bad.shape, vals.shape))
            )
            raise SchemaError(
                f"count time (count_time_s) missing or negative for {rows}; expected seconds ≥ 0"
            )
        factor = factor * decay_during_count_factor(dt, t_half)
    out = vals * factor
    if isinstance(values, pd.Series):
        return pd.Series(out, index=values.index, name=values.name)
    if np.ndim(out) == 0:
        return float(out)
    return out


def _row_labels(values: Any, mask: Any) -> str:
    import numpy as np
    import pandas as pd

    mask = np.atleast_1d(np.asarray(mask))
    labels = (
        list(values.index[mask])
        if isinstance(values, pd.Series) and len(values) == mask.size
        else list(np.flatnonzero(mask))
    )
    shown = ", ".join(str(x) for x in labels[:8])
    more = f" and {len(labels) - 8} more" if len(labels) > 8 else ""
    return f"row(s) {shown}{more}"
