"""Gamma-counting corrections: half-lives, decay, background, efficiency, dead time, unmixing, limits.

Every function is pure and vectorised (scalars, arrays or Series in; the same shape out) and never
changes its inputs. The order of operations for one tube follows DOMAIN §3.1:

1. background: ``net_cpm = gross_cpm − mean(blank cpm)`` (:func:`subtract_background`);
2. dead time, non-paralysable: ``n = m / (1 − m·τ)`` (:func:`dead_time_correct`);
3. window crosstalk of two isotopes: ``true = M⁻¹ · observed`` (:func:`unmix`);
4. efficiency: ``DPM = CPM / ε``, ``Bq = DPM / 60`` (:func:`dpm_from_cpm`, :func:`bq_from_dpm`);
5. decay to a reference time: ``A(t_ref) = A(t_c) · exp(λ·(t_c − t_ref))``, ``λ = ln 2 / T½``, and
   the decay during a count of length Δt, ``λΔt / (1 − exp(−λΔt))`` (:func:`decay_correct`);
6. Poisson uncertainty and Currie detection limits (:func:`net_rate_sd`, :func:`currie_limits`,
   :func:`detection_flags`): values are always kept, a flag says when they are below a limit.

Half-lives are data (``assaykit/data/half_lives.csv``: value, uncertainty, unit, source). The
default source is ICRP Publication 107 as shipped by the ``radioactivedecay`` package (dataset
``icrp107_ame2020_nubase2020``, v0.6.1; ICRP-107 gives no uncertainties; its year is 365.2422 d).
Other evaluations are selectable with ``source=``; users add or override nuclides with
:func:`register_isotope` or a ``half_lives=`` mapping.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from assaykit.errors import AssaykitError, SchemaError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "HalfLife",
    "bq_from_dpm",
    "canonical_isotope",
    "currie_limits",
    "dead_time_correct",
    "decay_correct",
    "decay_during_count_factor",
    "decay_factor",
    "detection_flags",
    "dpm_from_cpm",
    "half_life",
    "half_life_info",
    "half_life_table",
    "net_rate_sd",
    "poisson_sd",
    "register_isotope",
    "seconds_between",
    "subtract_background",
    "unmix",
    "unregister_isotope",
]

DEFAULT_SOURCE = "ICRP-107"
_UNIT_SECONDS = {"s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0, "y": 365.2422 * 86400.0}
_ELEMENT_RE = re.compile(r"^([a-z]{1,2})-?(\d{1,3})(m?)$|^(\d{1,3})(m?)-?([a-z]{1,2})$")


@dataclass(frozen=True)
class HalfLife:
    """One half-life entry: ``value`` ± ``uncertainty`` in ``unit``, from ``source``."""

    isotope: str
    value: float
    uncertainty: float
    unit: str
    source: str

    @property
    def seconds(self) -> float:
        """The half-life in seconds."""
        return self.value * _UNIT_SECONDS[self.unit]

    @property
    def timedelta(self) -> pd.Timedelta:
        """The half-life as a :class:`pandas.Timedelta` (nanosecond resolution)."""
        import pandas as pd

        return pd.Timedelta(round(self.seconds * 1e9), unit="ns")


_USER: dict[str, HalfLife] = {}


@cache
def _bundled() -> tuple[HalfLife, ...]:
    import csv
    from importlib.resources import files

    text = files("assaykit.data").joinpath("half_lives.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return tuple(
        HalfLife(
            r["isotope"],
            float(r["half_life"]),
            float(r["uncertainty"]) if r["uncertainty"] else math.nan,
            r["unit"],
            r["source"],
        )
        for r in rows
    )


def canonical_isotope(name: str) -> str:
    """The canonical spelling ``Ga-68`` / ``Tc-99m`` of a nuclide written in any common way.

    Accepts ``Ga-68``, ``68Ga``, ``ga68``, ``[68Ga]``, ``I125``, ``99mTc``, ``Tc99m``.

    Examples
    --------
    >>> [canonical_isotope(s) for s in ("68Ga", "ga68", "I125", "[177Lu]", "99mTc", "Tc-99M")]
    ['Ga-68', 'Ga-68', 'I-125', 'Lu-177', 'Tc-99m', 'Tc-99m']
    """
    text = re.sub(r"[\s\[\]_]", "", str(name)).lower()
    m = _ELEMENT_RE.match(text)
    if m is None:
        raise AssaykitError(
            f"cannot read {name!r} as a nuclide; expected e.g. 'Ga-68', '68Ga', 'I125', 'Tc-99m'"
        )
    if m.group(1):
        symbol, mass, meta = m.group(1), m.group(2), m.group(3)
    else:
        mass, meta, symbol = m.group(4), m.group(5), m.group(6)
    return f"{symbol.capitalize()}-{int(mass)}{meta}"


def register_isotope(
    isotope: str,
    value: float,
    unit: str = "d",
    *,
    uncertainty: float = math.nan,
    source: str = "user",
) -> HalfLife:
    """Add a nuclide or override a bundled half-life for this session (all sources).

    Examples
    --------
    >>> import pandas as pd
    >>> register_isotope("I-125", 59.49, "d", source="older literature").source
    'older literature'
    >>> half_life("I125") / pd.Timedelta(days=1)
    59.49
    >>> unregister_isotope("I-125"); half_life("I125") / pd.Timedelta(days=1)
    59.4
    """
    if unit not in _UNIT_SECONDS:
        raise AssaykitError(
            f"unknown half-life unit {unit!r}; expected one of {sorted(_UNIT_SECONDS)}"
        )
    if not (value > 0 and math.isfinite(value)):
        raise AssaykitError(f"half-life of {isotope} must be a positive number, got {value!r}")
    entry = HalfLife(canonical_isotope(isotope), float(value), float(uncertainty), unit, source)
    _USER[entry.isotope] = entry
    return entry


def unregister_isotope(isotope: str) -> None:
    """Remove a user entry made with :func:`register_isotope` (bundled values come back)."""
    _USER.pop(canonical_isotope(isotope), None)


def half_life_table() -> pd.DataFrame:
    """Every half-life known: ``isotope, half_life, uncertainty, unit, source, seconds``.

    Examples
    --------
    >>> t = half_life_table()
    >>> t.loc[(t.isotope == "Ga-68") & (t.source == "ICRP-107"), ["half_life", "unit"]].values.tolist()
    [[67.71, 'min']]
    """
    import pandas as pd

    entries = list(_bundled()) + list(_USER.values())
    return pd.DataFrame(
        {
            "isotope": [e.isotope for e in entries],
            "half_life": [e.value for e in entries],
            "uncertainty": [e.uncertainty for e in entries],
            "unit": [e.unit for e in entries],
            "source": [e.source for e in entries],
            "seconds": [e.seconds for e in entries],
        }
    )


def _as_half_life(isotope: str, value: Any) -> HalfLife:
    if isinstance(value, HalfLife):
        return value
    import pandas as pd

    seconds = pd.Timedelta(value).total_seconds() if not isinstance(value, int | float) else value
    if not (seconds > 0 and math.isfinite(seconds)):
        raise AssaykitError(f"half-life of {isotope} must be positive, got {value!r}")
    return HalfLife(isotope, float(seconds), math.nan, "s", "user (half_lives= argument)")


def half_life_info(
    isotope: str,
    *,
    source: str = DEFAULT_SOURCE,
    half_lives: Mapping[str, Any] | None = None,
) -> HalfLife:
    """The :class:`HalfLife` entry used for ``isotope`` (value, uncertainty, unit and source).

    Precedence: the ``half_lives`` mapping (values are Timedelta, ``'59.49 days'`` or seconds),
    then :func:`register_isotope` entries, then the bundled table for ``source`` (falling back
    to ICRP-107 when that source does not list the nuclide).

    Examples
    --------
    >>> half_life_info("177Lu", source="PTB (Kossert et al. 2012)")
    HalfLife(isotope='Lu-177', value=6.639, uncertainty=0.009, unit='d', source='PTB (Kossert et al. 2012)')
    """
    name = canonical_isotope(isotope)
    if half_lives:
        for key, value in half_lives.items():
            if canonical_isotope(key) == name:
                return _as_half_life(name, value)
    if name in _USER:
        return _USER[name]
    bundled = [e for e in _bundled() if e.isotope == name]
    for wanted in (source, DEFAULT_SOURCE):
        for e in bundled:
            if e.source == wanted:
                return e
    known = sorted({e.isotope for e in _bundled()} | set(_USER))
    raise AssaykitError(
        f"no half-life known for {isotope!r}; known: {', '.join(known)} "
        "(add one with register_isotope(...) or half_lives={...})"
    )


def half_life(
    isotope: str,
    *,
    source: str = DEFAULT_SOURCE,
    half_lives: Mapping[str, Any] | None = None,
) -> pd.Timedelta:
    """Half-life of a nuclide as a :class:`pandas.Timedelta` (spellings as :func:`canonical_isotope`).

    Examples
    --------
    >>> half_life("68Ga")
    Timedelta('0 days 01:07:42.600000')
    >>> half_life("Xx-999")
    Traceback (most recent call last):
    ...
    assaykit.errors.AssaykitError: no half-life known for 'Xx-999'; known: Ac-225, ...
    """
    return half_life_info(isotope, source=source, half_lives=half_lives).timedelta


def _half_life_seconds(isotope: str | None, half_life: Any) -> float:
    if half_life is not None:
        return _as_half_life(isotope or "the nuclide", half_life).seconds
    if isotope is None:
        raise AssaykitError("decay correction needs an isotope or a half_life")
    return half_life_info(isotope).seconds


def decay_factor(elapsed_s: Any, half_life_s: float) -> np.ndarray:
    """``exp(λ·elapsed)``: the factor that takes a count ``elapsed_s`` after t_ref back to t_ref.

    Examples
    --------
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
