"""Per-tube corrections of an annotated uptake run: background, decay, flags.

The input is the counter table (docs/CONTRACTS.md §1) with the uptake layout columns merged in
(§2): ``role`` (``sample``/``blank``/``standard``; ``''`` = not part of the experiment),
``fraction``, ``time_min``, ``condition``, ``replicate`` and optionally ``compound``,
``cells_per_well``, ``protein_mg``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from assaykit.errors import AssaykitError, LayoutError, SchemaError
from assaykit.schema import join_flag_columns

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["correct_tubes", "resolve_isotope", "tube_label"]

ROLES = ("sample", "blank", "standard")


def tube_label(table: pd.DataFrame) -> pd.Series:
    """``'rack 3 pos 7'`` for each tube (``'row 12'`` without rack/position columns)."""
    import pandas as pd

    if {"rack", "position"} <= set(table.columns):
        return "rack " + table["rack"].astype(str) + " pos " + table["position"].astype(str)
    return pd.Series([f"row {i}" for i in table.index], index=table.index)


def _labels(table: pd.DataFrame, mask: Any, limit: int = 6) -> str:
    labels = list(tube_label(table)[mask])
    more = f" and {len(labels) - limit} more" if len(labels) > limit else ""
    return ", ".join(labels[:limit]) + more


def resolve_isotope(table: pd.DataFrame, isotope: str | None = None) -> str:
    """The nuclide of the experiment, checked against the counter's isotope column.

    Order: ``isotope`` argument, then ``table.attrs["experiment"]["isotope"]``, then the
    counter's own ``isotope`` column (which must then name exactly one nuclide).

    Raises
    ------
    LayoutError
        The experiment names one nuclide and the counter counted the tubes in another window.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"isotope": ["I-125", "I-125"], "rack": [1, 1], "position": [1, 2]})
    >>> resolve_isotope(t), resolve_isotope(t, "125I")
    ('I-125', 'I-125')
    >>> resolve_isotope(t, "Lu-177")
    Traceback (most recent call last):
    ...
    assaykit.errors.LayoutError: isotope mismatch: the experiment is Lu-177 but the counter counted rack 1 pos 1, rack 1 pos 2 as I-125; expected the counter's window to match the experiment's nuclide
    """
    from assaykit.counting import canonical_isotope

    experiment = table.attrs.get("experiment") or {}
    declared = isotope or experiment.get("isotope") or None
    counted = None
    if "isotope" in table.columns:
        col = table["isotope"].fillna("").astype(str).str.strip()
        names = col[col != ""].map(canonical_isotope)
        if declared:
            want = canonical_isotope(declared)
            bad = names[names != want]
            if len(bad):
                raise LayoutError(
                    f"isotope mismatch: the experiment is {want} but the counter counted "
                    f"{_labels(table, bad.index)} as {', '.join(sorted(set(bad)))}; "
                    "expected the counter's window to match the experiment's nuclide"
                )
            return want
        if names.nunique() > 1:
            raise LayoutError(
                f"the counter table names several nuclides ({', '.join(sorted(set(names)))}); "
                "pick one with isotope=... (--isotope)"
            )
        counted = names.iloc[0] if len(names) else None
    if declared:
        return canonical_isotope(declared)
    if counted:
        return counted
    raise LayoutError(
        "the nuclide is unknown: neither the layout's experiment sheet nor the counter table "
        "names it; give it with isotope=... (--isotope)"
    )


def _select_window(table: pd.DataFrame, declared: str | None) -> tuple[pd.DataFrame, str]:
    """Keep the rows of the declared nuclide when a dual-label export has one row per window."""
    from assaykit.counting import canonical_isotope

    if "isotope" not in table.columns:
        return table, ""
    col = table["isotope"].fillna("").astype(str).str.strip()
    names = col.map(lambda v: canonical_isotope(v) if v else "")
    windows = sorted(set(names) - {""})
    if len(windows) < 2:
        return table, ""
    if not declared:
        raise LayoutError(
            f"the counter table has rows for several nuclides ({', '.join(windows)}); "
            "pick the one to analyse with isotope=... (--isotope)"
        )
    want = canonical_isotope(declared)
    if want not in windows:
        return table, ""  # resolve_isotope reports the mismatch with the tubes named
    return table[names == want], f"{want} of {', '.join(windows)}"


#: A reference time more half-lives than this from a count is a typo (a wrong year or day),
#: not an experiment: decay correction would scale the counts by more than 2**10.
MAX_HALF_LIVES = 10.0


def _check_reference_time(
    elapsed: np.ndarray,
    used: np.ndarray,
    ref: pd.Timestamp,
    when: pd.Series,
    half_life_s: float,
    isotope: str,
) -> None:
    """LayoutError naming the reference time when it is implausibly far from the counts."""
    import numpy as np

    far = used & (np.abs(elapsed) > MAX_HALF_LIVES * half_life_s)
    if not far.any():
        return
    k = int(np.argmax(np.where(far, np.abs(elapsed), -1.0)))
    n = elapsed[k] / half_life_s
    scale = f"{2.0**n:.3g}" if abs(n) < 1000 else f"about 1e{n * np.log10(2.0):.0f}"
    raise LayoutError(
        f"reference time {ref} is {abs(n):.1f} half-lives of {isotope} "
        f"{'before' if n > 0 else 'after'} the count of {when.iloc[k]} (decay correction "
        f"would multiply the counts by {scale}); is the date or year of the reference "
        "time (Experiment sheet, --reference-time) wrong?",
        location="Experiment: reference time",
    )


def correct_tubes(
    table: pd.DataFrame,
    *,
    isotope: str | None = None,
    reference_time: Any = None,
    decay: bool = True,
    by_count_time: bool = False,
    half_lives: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Background-subtract and decay-correct every tube of an annotated uptake run.

    Parameters
    ----------
    table
        Annotated counter table (see module docstring); not changed.
    isotope
        Nuclide; default from the layout's experiment sheet or the counter (checked against it).
    reference_time
        Time all counts are corrected to; default the experiment's ``reference_time``, else the
        earliest count start of the run. Percentages of applied activity do not depend on it.
    decay
        Correct for decay (to ``reference_time`` and during each count). Needs ``measured_at``.
    by_count_time
        Subtract only blanks with the same count time as each tube.
    half_lives
        Nuclide → half-life overrides (see :func:`assaykit.counting.half_life_info`).

    Returns
    -------
    A copy with ``tube``, ``bkg_cpm``, ``net_cpm``, ``net_cpm_sd``, ``detection_flag``,
    ``decay_factor``, ``corrected_cpm`` (net, decay-corrected), ``corrected_cpm_sd`` and ``flags``
    (``;``-joined: ``negative`` when the corrected value is below zero, the detection flag,
    the counter's own flag). ``attrs["settings"]`` records isotope, half-life and its source,
    reference time and the background used.

    Examples
    --------
    >>> import pandas as pd
    >>> t0 = pd.Timestamp("2024-03-06 12:00")
    >>> t = pd.DataFrame({
    ...     "rack": [1, 1, 1], "position": [1, 2, 3], "role": ["blank", "standard", "sample"],
    ...     "counts": [50.0, 100050.0, 6050.0], "count_time_s": [60.0] * 3,
    ...     "cpm": [50.0, 100050.0, 6050.0], "isotope": ["Ga-68"] * 3,
    ...     "measured_at": [t0, t0, t0 + pd.Timedelta(minutes=67.71)]})
    >>> out = correct_tubes(t, reference_time=t0)
    >>> out[["tube", "net_cpm", "corrected_cpm"]].round(1)
               tube   net_cpm  corrected_cpm
    0  rack 1 pos 1       0.0            0.0
    1  rack 1 pos 2  100000.0       100512.7
    2  rack 1 pos 3    6000.0        12061.5
    """
    import numpy as np
    import pandas as pd

    from assaykit.counting import (
        decay_during_count_factor,
        half_life_info,
        seconds_between,
        subtract_background,
    )
    from assaykit.schema import require_columns

    require_columns(table, ["role", "cpm"], stage="uptake corrections")
    # work without attrs: pandas deep-copies them on every operation
    source_attrs = dict(table.attrs)
    table = table.copy()
    table.attrs = {}
    experiment = source_attrs.get("experiment") or {}
    table, window = _select_window(table, isotope or experiment.get("isotope") or None)
    roles = table["role"].fillna("").astype(str).str.strip()
    unknown = sorted(set(roles) - set(ROLES) - {""})
    if unknown:
        raise LayoutError(
            f"unknown role(s) {', '.join(map(repr, unknown))} in the uptake layout; "
            f"expected one of {', '.join(ROLES)}"
        )
    used = roles != ""
    if not used.any():
        raise LayoutError(
            "no tube of the counter table is annotated by the layout (all roles empty)"
        )
    out = subtract_background(
        table.assign(role=roles), blank=(roles == "blank").to_numpy(), by_count_time=by_count_time
    )
    out.insert(0, "tube", tube_label(table))
    settings: dict[str, Any] = {
        "background": "mean of blank tubes" + (" per count time" if by_count_time else "")
    }
    settings["n_blank_tubes"] = int((roles == "blank").sum())
    if window:
        settings["counter_window"] = window
    settings["background_cpm"] = (
        float(out.loc[roles == "blank", "bkg_cpm"].mean()) if (roles == "blank").any() else np.nan
    )
    if decay:
        iso = resolve_isotope(table, isotope or experiment.get("isotope") or None)
        try:
            info = half_life_info(iso, half_lives=half_lives)
        except AssaykitError as err:
            raise LayoutError(
                f"no half-life is known for {iso} (the experiment's isotope), so the counts "
                "cannot be decay-corrected; for a long-lived nuclide (H-3, C-14, S-35; P-32 "
                "over a few hours) analyse without decay correction (decay=False, --no-decay), "
                f"or give its half-life (half_lives={{...}}); {err.message}"
            ) from None
        require_columns(table, ["measured_at"], stage="decay correction")
        when = pd.to_datetime(table["measured_at"])
        missing = used & when.isna()
        if missing.any():
            raise SchemaError(
                f"decay correction needs the count start time (measured_at) of every tube; "
                f"missing for {_labels(table, missing)}; expected a time stamp "
                "(or switch decay correction off)"
            )
        ref = reference_time if reference_time is not None else experiment.get("reference_time")
        if ref is None or (not isinstance(ref, str) and pd.isna(ref)):
            ref = when[used].min()
            settings["reference_time_rule"] = "earliest count start of the run"
        else:
            settings["reference_time_rule"] = "given"
        ref = pd.Timestamp(ref)
        elapsed = seconds_between(when.where(used, ref), ref)
        _check_reference_time(elapsed, used.to_numpy(), ref, when, info.seconds, info.isotope)
        lam = np.log(2.0) / info.seconds
        factor = np.exp(lam * elapsed)
        if "count_time_s" in table.columns:
            dt = table["count_time_s"].astype(float).to_numpy()
            bad = used.to_numpy() & ~(dt >= 0)
            if bad.any():
                raise SchemaError(
                    f"count time (count_time_s) missing for {_labels(table, bad)}; expected seconds"
                )
            factor = factor * decay_during_count_factor(np.where(used, dt, 0.0), info.seconds)
            settings["decay_during_count"] = True
        else:
            settings["decay_during_count"] = False
        settings.update(
            isotope=info.isotope,
            half_life=info.value,
            half_life_unit=info.unit,
            half_life_source=info.source,
            reference_time=ref,
        )
    else:
        factor = np.ones(len(out))
        settings.update(isotope=isotope or experiment.get("isotope") or "", decay_correction="off")
    out["decay_factor"] = factor
    out["corrected_cpm"] = out["net_cpm"].to_numpy() * factor
    out["corrected_cpm_sd"] = out["net_cpm_sd"].to_numpy() * factor
    counter_flag = (
        table["flag"].fillna("").astype(str).str.strip()
        if "flag" in table.columns
        else pd.Series("", index=table.index)
    )
    out["flags"] = join_flag_columns(
        pd.Series(
            np.where(used & (roles != "blank") & (out["corrected_cpm"] < 0), "negative", ""),
            index=out.index,
        ),
        pd.Series(np.where(used & (roles != "blank"), out["detection_flag"], ""), index=out.index),
        ("counter:" + counter_flag).where(counter_flag != "", ""),
    )
    out["role"] = roles
    out.attrs = source_attrs
    out.attrs["settings"] = settings
    return out
