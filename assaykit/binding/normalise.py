"""Counts → % specific binding for competitive binding assays, with the QC checks of the assay.

The calculation chain (per experiment or plate, the ``by`` groups):

1. ``net = value − mean(blank)`` (instrument background, role ``blank``);
2. optionally ``net`` decay-corrected to the reference time (:func:`assaykit.counting.decay_correct`);
3. ``specific = net − mean(NSB)``; ``SB_total = mean(TB) − mean(NSB)``;
4. ``response = 100 · specific / SB_total`` (% specific binding: mean(TB) = 100, mean(NSB) = 0).

QC flags (heuristics of the field, thresholds are options):

- ``high_cv``: coefficient of variation of a replicate set (net counts) above ``cv_limit`` (20 %);
- ``weak_window``: ``SB_total / mean(TB)`` below ``window_limit`` (0.5, NSB > 50 % of total);
- ``ligand_depletion``: more than ``depletion_limit`` (10 %) of the added radioligand bound in the
  total-binding tubes (needs the added counts: ``standard`` tubes or ``added_counts``);
- ``no_window``: ``SB_total <= 0`` (no specific binding at all; responses are NaN).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

from assaykit.binding.controls import check_concentrations, check_controls, noisy_replicate_sets
from assaykit.errors import LayoutError, SchemaError
from assaykit.schema import require_columns

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BINDING_ROLES", "BindingNormalisation", "normalise_binding", "normalize_binding"]

#: Roles a binding layout may give a well or tube.
BINDING_ROLES: tuple[str, ...] = ("total", "nsb", "competitor", "blank", "standard")

_STAGE = "binding normalisation"


class BindingNormalisation(NamedTuple):
    """Result of :func:`normalise_binding`: the per-tube table and the per-group QC table."""

    data: pd.DataFrame
    qc: pd.DataFrame


def _value_column(data: pd.DataFrame, value: str | None) -> str:
    if value is not None:
        require_columns(data, [value], stage=_STAGE)
        return value
    for candidate in ("cpm", "value"):
        if candidate in data.columns:
            return candidate
    raise SchemaError(
        f"{_STAGE} needs a measured value: a column 'cpm' (counters) or 'value' (plate readers), "
        f"or name it with value=; the table has {', '.join(map(repr, map(str, data.columns)))}"
    )


def _default_by(rows: pd.DataFrame) -> list[str]:
    by: list[str] = []
    if "experiment" in rows.columns:
        exp = rows["experiment"].fillna("").astype(str)
        if (exp != "").any():
            by.append("experiment")
    if "plate" in rows.columns and rows["plate"].nunique(dropna=True) > 1:
        # a plate is its own group only when every plate has its own TB and NSB wells
        has = rows.groupby("plate")["role"].agg(lambda r: {"total", "nsb"} <= set(r))
        if bool(has.all()):
            by.append("plate")
    return by


def _group_label(key: tuple[Any, ...], by: list[str]) -> str:
    parts = []
    for col, val in zip(by, key, strict=True):
        parts.append(f"plate {val}" if col == "plate" else str(val))
    return ", ".join(parts)


def _where(row: pd.Series) -> str:
    """A well or tube named for a message: ``well B07`` / ``rack 2 position 5`` / ``row 3``."""
    if "well" in row.index and str(row["well"]) not in ("", "nan"):
        plate = f"plate {row['plate']} " if "plate" in row.index else ""
        return f"{plate}well {row['well']}"
    if "rack" in row.index and "position" in row.index:
        return f"rack {row['rack']} position {row['position']}"
    return f"row {row.name}"


def _cv(values: Any) -> float:
    import numpy as np

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size < 2:
        return math.nan
    mean = float(v.mean())
    if mean <= 0:
        return math.nan
    return float(v.std(ddof=1)) / mean


def _decay_factors(rows: pd.DataFrame, isotope: str, reference_time: Any) -> Any:
    """Factor per row that brings a count at ``measured_at`` back to ``reference_time``."""
    import numpy as np
    import pandas as pd

    from assaykit.counting import decay_correct

    when = pd.to_datetime(rows["measured_at"])
    ones = pd.Series(np.ones(len(rows)), index=rows.index)
    count_time = rows["count_time_s"].to_numpy(dtype=float) if "count_time_s" in rows else None
    if count_time is not None and not np.isfinite(count_time).all():
        count_time = None
    corrected = decay_correct(ones, when, reference_time, isotope, count_time)
    return np.asarray(corrected, dtype=float)


def _settings_from_attrs(data: pd.DataFrame) -> dict[str, Any]:
    exp = data.attrs.get("experiment") or {}
    return dict(exp) if isinstance(exp, dict) else {}


def normalize_binding(
    data: pd.DataFrame,
    *,
    value: str | None = None,
    by: str | list[str] | None = None,
    read: str | None = None,
    decay: bool | None = None,
    isotope: str | None = None,
    reference_time: Any = None,
    added_counts: float | None = None,
    cv_limit: float = 0.20,
    window_limit: float = 0.5,
    depletion_limit: float = 0.10,
) -> BindingNormalisation:
    """Normalise an annotated binding table to % specific binding and run the assay's QC checks.

    Parameters
    ----------
    data
        Export table annotated with a binding layout (:func:`assaykit.layout.annotate`): columns
        ``role`` (``total``, ``nsb``, ``competitor``, ``blank``, ``standard``; ``''`` = not used),
        ``compound``, ``conc`` (M) and a value column. Optional: ``replicate``, ``experiment``,
        ``plate``, ``measured_at`` (counters), ``flag`` (instrument markers).
        ``data.attrs["experiment"]`` may give ``isotope``, ``reference_time``, ``added_counts_cpm``.
    value
        Column with the measured value; default ``cpm`` (counters) or ``value`` (plate readers).
    by
        Column(s) whose groups are normalised separately (each needs TB and NSB). Default:
        ``experiment`` when filled, plus ``plate`` when every plate has its own TB and NSB wells.
    read
        For plate-reader tables with several reads (``read`` column): the one to use.
    decay
        Decay-correct net counts to ``reference_time``. ``None`` (default): when the isotope
        and ``measured_at`` are known. ``True`` requires them. Without a reference time every
        tube is brought to the start of the first count (% specific binding does not depend on
        which common time is chosen).
    isotope, reference_time
        Override the experiment sheet (``attrs["experiment"]``). With counts of several
        isotopes (dual-label runs) only the rows of ``isotope`` are used.
    added_counts
        Counts of the radioligand as added per tube (cpm); default: mean of the ``standard``
        tubes, else ``attrs["experiment"]["added_counts_cpm"]``. Needed for the depletion check.
    cv_limit, window_limit, depletion_limit
        QC thresholds: replicate CV (fraction), ``SB_total / mean(TB)``, fraction of added bound.

    Returns
    -------
    BindingNormalisation
        ``data``: one row per used well/tube with the input columns plus ``background``,
        ``decay_factor``, ``net``, ``specific``, ``response`` (% specific binding; NaN for blank and
        standard tubes), ``curve`` (competitor rows: the compound, plus the group when there are
        several; ``''`` for the other roles), ``replicate_cv`` (of its replicate
        set), ``flags`` (``;``-joined). ``qc``: one row per group with ``curve_group``,
        ``n_blank``, ``background``, ``mean_total``, ``cv_total``, ``mean_nsb``, ``cv_nsb``,
        ``specific_total``, ``window``, ``added_counts``, ``fraction_bound``, ``decay_corrected``,
        ``n_high_cv``, ``flags``, ``message``.

    Raises
    ------
    SchemaError
        A required column is missing, a role is unknown, values are not numbers.
    LayoutError
        A group has no total-binding or no NSB tubes.

    Examples
    --------
    DOMAIN §6 #7: TB = 10000, NSB = 1000, sample = 5500 cpm → 50 % specific binding.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"role": ["total", "nsb", "competitor"], "compound": ["", "", "X"],
    ...                   "conc": [float("nan"), float("nan"), 1e-8], "cpm": [10000.0, 1000.0, 5500.0]})
    >>> res = normalise_binding(t)
    >>> res.data[["role", "net", "specific", "response"]]
       role      net  specific  response
    0      total  10000.0    9000.0     100.0
    1        nsb   1000.0       0.0       0.0
    2  competitor   5500.0    4500.0      50.0
    >>> float(res.qc["window"].iloc[0])
    0.9
    """
    import numpy as np
    import pandas as pd

    require_columns(data, ["role", "compound", "conc"], stage=_STAGE)
    col = _value_column(data, value)
    settings = _settings_from_attrs(data)

    df = data.copy()
    given = df["role"].fillna("").astype(str).str.strip()
    df["role"] = given.str.lower()
    bad = ~df["role"].isin((*BINDING_ROLES, ""))
    if bad.any():
        first = df.index[bad][0]
        unknown = sorted(set(given[bad]))
        raise SchemaError(
            f"{_STAGE}: unknown role(s) {', '.join(map(repr, unknown))} (first at {_where(df.loc[first])}); "
            f"expected one of {', '.join(BINDING_ROLES)}"
        )
    df = df[df["role"] != ""]
    if "isotope" in df.columns and df["isotope"].nunique(dropna=True) > 1:
        # a dual-label count gives one row per tube and nuclide: never mix them
        isotopes = sorted(map(str, df["isotope"].dropna().unique()))
        want = isotope or settings.get("isotope") or ""
        if want not in isotopes:
            raise SchemaError(
                f"{_STAGE}: the export has counts of several isotopes ({', '.join(isotopes)}); "
                f"choose one with isotope= (or the template's isotope field)"
                + (f"; {want!r} is not among them" if want else "")
            )
        df = df[df["isotope"].astype(str) == want]
    if "read" in df.columns and df["read"].nunique(dropna=True) > 1:
        reads = sorted(map(str, df["read"].dropna().unique()))
        if read is None:
            raise SchemaError(
                f"{_STAGE}: the table has several reads ({', '.join(reads)}); choose one with read="
            )
        if read not in reads:
            raise SchemaError(
                f"{_STAGE}: read {read!r} not in the table; it has {', '.join(reads)}"
            )
        df = df[df["read"].astype(str) == read]
    if df.empty:
        raise LayoutError(
            f"{_STAGE}: no well or tube has a role; expected roles {', '.join(BINDING_ROLES)}"
        )
    for src, dst in ((col, "_value"), ("conc", "conc")):
        num = pd.to_numeric(df[src], errors="coerce")
        bad = num.isna() & df[src].notna() & (df[src].astype(str).str.strip() != "")
        if bad.any():
            first = df.index[bad][0]
            raise SchemaError(
                f"{_STAGE}: column {src!r} must hold numbers; got {df.loc[first, src]!r} at {_where(df.loc[first])}"
            )
        df[dst] = num.astype(float)
    df["compound"] = df["compound"].fillna("").astype(str)
    check_concentrations(df, _where)

    by_cols = _default_by(df) if by is None else ([by] if isinstance(by, str) else list(by))
    require_columns(df, by_cols, stage=_STAGE)

    # decay correction settings
    iso = isotope or settings.get("isotope") or ""
    if not iso and "isotope" in df.columns and df["isotope"].nunique(dropna=True) == 1:
        iso = str(df["isotope"].dropna().iloc[0])
    ref = reference_time if reference_time is not None else settings.get("reference_time")
    if (
        (ref is None or pd.isna(ref))
        and "measured_at" in df.columns
        and df["measured_at"].notna().any()
    ):
        # % specific binding does not depend on the reference time, only on every tube being
        # brought to the same one: without a stated time, use the start of the first count.
        ref = pd.to_datetime(df["measured_at"]).min()
    have_decay_info = (
        bool(iso) and ref is not None and not pd.isna(ref) and "measured_at" in df.columns
    )
    if decay and not have_decay_info:
        raise SchemaError(
            f"{_STAGE}: decay correction needs the isotope and a 'measured_at' column (count start times)"
        )
    do_decay = have_decay_info if decay is None else bool(decay)
    df["decay_factor"] = (
        _decay_factors(df, iso, pd.Timestamp(ref)) if do_decay and ref is not None else 1.0
    )

    all_blank = df.loc[df["role"] == "blank", "_value"].dropna()
    added_default = added_counts if added_counts is not None else settings.get("added_counts_cpm")

    groups = [((), df)] if not by_cols else list(df.groupby(by_cols, sort=True, dropna=False))
    multi = len(groups) > 1
    out_parts = []
    qc_rows = []
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        label = _group_label(key, by_cols) if by_cols else ""
        g = g.copy()
        blanks = g.loc[g["role"] == "blank", "_value"].dropna()
        if blanks.empty:
            blanks = all_blank
        bkg = float(blanks.mean()) if len(blanks) else 0.0
        g["background"] = bkg
        g["net"] = (g["_value"] - bkg) * g["decay_factor"]
        where = f" in group {label!r}" if label else ""
        tb = g.loc[g["role"] == "total", "net"].dropna()
        nsb = g.loc[g["role"] == "nsb", "net"].dropna()
        if tb.empty:
            raise LayoutError(
                f"{_STAGE}: no total-binding tubes (role 'total'){where}; expected at least one"
            )
        if nsb.empty:
            raise LayoutError(
                f"{_STAGE}: no nonspecific-binding tubes (role 'nsb'){where}; expected at least one"
            )
        mean_tb, mean_nsb = float(tb.mean()), float(nsb.mean())
        sb_total = mean_tb - mean_nsb
        g["specific"] = g["net"] - mean_nsb
        found = check_controls(g, _where, group=label)
        flags: list[str] = list(found.flags)
        messages: list[str] = list(found.messages)
        if sb_total > 0:
            g["response"] = 100.0 * g["specific"] / sb_total
        else:
            g["response"] = np.nan
            flags.append("no_window")
            messages.append(
                f"mean(TB) {mean_tb:.4g} is not above mean(NSB) {mean_nsb:.4g}: no specific binding"
            )
        window = sb_total / mean_tb if mean_tb > 0 else math.nan
        if sb_total > 0 and window < window_limit:
            flags.append("weak_window")
            messages.append(f"specific window SB/TB = {window:.2f} < {window_limit:g}")
        std = g.loc[g["role"] == "standard", "net"].dropna()
        added = (
            float(std.mean())
            if len(std)
            else (float(added_default) if added_default is not None else math.nan)
        )
        fraction_bound = mean_tb / added if added and added > 0 else math.nan
        if fraction_bound > 1 and not len(std):
            raise LayoutError(
                f"{_STAGE}: total binding{where} ({mean_tb:.4g} cpm) is more than the added "
                f"radioligand given in the template (added_counts_cpm {added:.4g}): "
                f"{100 * fraction_bound:.0f} % bound is impossible; check that value and its unit"
            )
        if fraction_bound > depletion_limit:
            flags.append("ligand_depletion")
            messages.append(
                f"{100 * fraction_bound:.1f} % of the added radioligand bound in TB (> {100 * depletion_limit:g} %)"
            )
        # replicate sets: same role, compound, concentration
        set_keys = ["role", "compound", g["conc"].fillna(-1.0).rename("_ckey")]
        g["replicate_cv"] = g.groupby(set_keys, sort=False)["net"].transform(_cv)
        bkg_sd = float(blanks.std(ddof=1)) if len(blanks) > 1 else math.nan
        noisy = noisy_replicate_sets(g, g["replicate_cv"], cv_limit, bkg_sd)
        high = (g["replicate_cv"] > cv_limit) & (g["role"] != "blank")
        n_high = len(noisy)
        if n_high:
            flags.append("high_cv")
            messages.append(f"replicate CV > {100 * cv_limit:g} %: {', '.join(noisy[:6])}")
            if len(noisy) > 6:
                messages[-1] += f" and {len(noisy) - 6} more"
        else:
            high &= False
        g["_group_flags"] = ";".join(f for f in flags if f != "high_cv")
        g["_high"] = high
        is_comp = g["role"] == "competitor"
        curve = g["compound"] + " [" + label + "]" if multi else g["compound"]
        g["curve"] = curve.where(is_comp, "")
        # % specific binding means nothing for background and added-activity tubes
        g.loc[g["role"].isin(["blank", "standard"]), "response"] = np.nan
        g["curve_group"] = label
        out_parts.append(g)
        qc_rows.append(
            {
                **dict(zip(by_cols, key, strict=True)),
                "curve_group": label,
                "n_blank": int((g["role"] == "blank").sum()),
                "background": bkg,
                "n_total": len(tb),
                "mean_total": mean_tb,
                "cv_total": _cv(tb),
                "n_nsb": len(nsb),
                "mean_nsb": mean_nsb,
                "cv_nsb": _cv(nsb),
                "specific_total": sb_total,
                "window": window,
                "added_counts": added,
                "fraction_bound": fraction_bound,
                "decay_corrected": do_decay,
                "n_high_cv": n_high,
                "flags": ";".join(flags),
                "message": "; ".join(messages),
            }
        )
    out = pd.concat(out_parts)

    def _row_flags(r: pd.Series) -> str:
        f = [x for x in str(r["_group_flags"]).split(";") if x]
        if r["_high"]:
            f.append("high_cv")
        inst = str(r.get("flag", "") or "").strip() if "flag" in out.columns else ""
        if inst and inst.lower() != "nan":
            f.append(f"instrument_{inst}")
        return ";".join(f)

    out["flags"] = out.apply(_row_flags, axis=1) if len(out) else ""
    out = out.drop(columns=["_value", "_group_flags", "_high"]).sort_index()
    out.attrs = dict(data.attrs)
    qc = pd.DataFrame(qc_rows)
    return BindingNormalisation(out, qc)


#: British spelling, kept as an alias for one release (the API spells it the American way).
normalise_binding = normalize_binding
