"""Per-tube corrections of a biodistribution count: merge runs, background, dead time, decay.

Every counted tube is matched to the layout by rack + position; the net rate is decay-corrected
from the start of its own count to one reference time, with the decay during the count
(DOMAIN §3.1 steps 1, 2, 5, 6). Tubes counted in several runs (or twice in one run) are merged
by the ``recount`` policy and reported in QC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, get_args

from assaykit._typing import RecountPolicy, UnknownTubePolicy
from assaykit.errors import LayoutError, SchemaError
from assaykit.result import qc_row
from assaykit.schema import join_flags

if TYPE_CHECKING:
    import pandas as pd

    from assaykit.layout.biodistribution import BiodistributionLayout

__all__ = ["correct_tubes", "merge_runs", "tube_names"]


def tube_names(tubes: pd.DataFrame) -> pd.Series:
    """``'rack 1 pos 3 (M1 liver)'`` for each tube of a layout-annotated table."""
    base = "rack " + tubes["rack"].astype(str) + " pos " + tubes["position"].astype(str)
    what = (
        tubes["animal"].fillna("").astype(str) + " " + tubes["organ"].fillna("").astype(str)
    ).str.strip()
    what = what.where(what != "", tubes["role"].fillna("").astype(str))
    return base + " (" + what + ")"


def merge_runs(counts: pd.DataFrame | Sequence[pd.DataFrame]) -> pd.DataFrame:
    """One counter table from one or several exports; ``run`` numbers the exports from 1.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"rack": [1], "position": [1], "cpm": [10.0]})
    >>> print(merge_runs([a, a.assign(rack=2)])[["run", "rack", "cpm"]].to_string(index=False))
     run  rack  cpm
       1     1 10.0
       2     2 10.0
    """
    import pandas as pd

    frames = [counts] if isinstance(counts, pd.DataFrame) else list(counts)
    if not frames:
        raise SchemaError("no counter table given")
    parts = []
    for k, f in enumerate(frames, start=1):
        g = f.copy()
        g.attrs = {}
        if "run" not in g.columns or len(frames) > 1:
            g["run"] = k
        parts.append(g)
    out = pd.concat(parts, ignore_index=True)
    out.attrs = {"sources": [f.attrs.get("source", f.attrs.get("path", "")) for f in frames]}
    return out


def _select_window(table: pd.DataFrame, isotope: str | None) -> pd.DataFrame:
    from assaykit.counting import canonical_isotope

    if "isotope" not in table.columns:
        return table
    names = table["isotope"].fillna("").astype(str).str.strip()
    names = names.map(lambda v: canonical_isotope(v) if v else "")
    windows = sorted(set(names) - {""})
    if isotope and windows and canonical_isotope(isotope) not in windows:
        raise LayoutError(
            f"isotope mismatch: the experiment is {canonical_isotope(isotope)} but the counter "
            f"counted in the {', '.join(windows)} window"
        )
    if len(windows) > 1:
        if not isotope:
            raise LayoutError(
                f"the counter table has several nuclide windows ({', '.join(windows)}); give isotope="
            )
        return table[names == canonical_isotope(isotope)]
    return table


def correct_tubes(
    counts: pd.DataFrame | Sequence[pd.DataFrame],
    layout: BiodistributionLayout,
    *,
    isotope: str | None = None,
    reference_time: Any = None,
    background_cpm: float | None = None,
    low_counts: float = 500.0,
    dead_time_s: float | None = None,
    max_dead_time_loss: float = 0.05,
    recount: RecountPolicy = "mean",
    unknown_tubes: UnknownTubePolicy = "raise",
    half_lives: Mapping[str, Any] | None = None,
) -> tuple[pd.DataFrame, list[dict[str, str]], dict[str, Any]]:
    """Annotate, background-subtract and decay-correct every counted tube.

    Returns
    -------
    tubes
        One row per layout tube that was counted: the layout columns plus ``tube``, ``runs``,
        ``n_counts``, ``measured_at``, ``count_time_s``, ``gross_cpm``, ``bkg_cpm``, ``net_cpm``,
        ``net_counts`` (net counts in the count time), ``decay_factor``, ``corrected_cpm`` (net
        rate at the reference time, decay during the count included), ``flags``.
    qc
        QC rows (recounts, low counts, dead time, blanks, tubes ignored).
    settings
        Isotope, half-life and its source, reference time and how it was chosen, background.
    """
    import numpy as np
    import pandas as pd

    from assaykit.counting import decay_during_count_factor, half_life_info, seconds_between
    from assaykit.schema import require_columns

    table = merge_runs(counts)
    require_columns(
        table, ["rack", "position", "cpm", "measured_at", "count_time_s"], stage="biodistribution"
    )
    exp = layout.experiment
    iso = isotope or exp.get("isotope")
    table = _select_window(table, iso)
    if not iso and "isotope" in table.columns:
        names = table["isotope"].fillna("").astype(str).str.strip()
        iso = names[names != ""].iloc[0] if (names != "").any() else None
    if not iso:
        raise LayoutError("the nuclide is unknown: give it on the Experiment sheet or as isotope=")
    info = half_life_info(iso, half_lives=half_lives)
    qc: list[dict[str, str]] = []
    table["rack"] = table["rack"].astype(int)
    table["position"] = table["position"].astype(int)
    lay = layout.tubes.copy()
    merged = table.merge(lay, on=["rack", "position"], how="left", indicator=True)
    unknown = merged["_merge"] == "left_only"
    if unknown.any():
        listed = sorted(
            {
                f"rack {a} pos {b}"
                for a, b in zip(
                    merged.loc[unknown, "rack"], merged.loc[unknown, "position"], strict=True
                )
            }
        )
        msg = f"counted tube(s) not in the layout: {', '.join(listed[:10])}{' ...' if len(listed) > 10 else ''}"
        if unknown_tubes == "raise":
            raise LayoutError(msg + "; add them to the Tubes sheet or pass unknown_tubes='ignore'")
        qc.append(qc_row("info", "counter", msg + " (ignored)"))
        merged = merged[~unknown]
    merged = merged.drop(columns="_merge")
    counted = set(zip(merged["rack"], merged["position"], strict=True))
    lay["tube"] = tube_names(lay)
    rec: Any
    for rec in lay.itertuples(index=False):
        if (rec.rack, rec.position) not in counted:
            if rec.role == "blank":
                qc.append(qc_row("warning", rec.tube, "blank tube not counted"))
            else:
                raise LayoutError(
                    f"tube {rec.tube} is in the layout but was counted in no export; "
                    "count it, give the export that has it, or delete its row"
                )
    merged["tube"] = tube_names(merged)
    # time stamps, background, dead time
    merged["measured_at"] = pd.to_datetime(merged["measured_at"])
    bad = merged["measured_at"].isna() | ~(merged["count_time_s"].astype(float) > 0)
    if bad.any():
        raise SchemaError(
            f"decay correction needs the count start and count time of every tube; missing for "
            f"{', '.join(merged.loc[bad, 'tube'].head(8))}"
        )
    rate = merged["cpm"].astype(float)
    blanks = merged["role"] == "blank"
    settings: dict[str, Any] = {}
    if background_cpm is not None:
        bkg = float(background_cpm)
        settings["background"] = f"given: {bkg:g} cpm"
    elif blanks.any():
        bkg = float(rate[blanks].mean())
        settings["background"] = f"mean of {int(blanks.sum())} blank tube(s): {bkg:.4g} cpm"
    else:
        bkg = 0.0
        settings["background"] = "none subtracted (no blank tube)"
        qc.append(
            qc_row(
                "warning",
                "counter",
                "no blank tube counted: no background subtracted "
                "(the counter's CPM is used as net; correct if it is not already)",
            )
        )
    merged["gross_cpm"] = rate
    merged["bkg_cpm"] = bkg
    t_s = merged["count_time_s"].astype(float)
    if "dead_time" in merged.columns:  # Hidex DTime: the instrument's dead-time factor
        loss = 1.0 - 1.0 / merged["dead_time"].astype(float).clip(lower=1.0)
    elif dead_time_s is not None and "counts" in merged.columns:
        loss = merged["counts"].astype(float) / t_s * float(dead_time_s)
    else:
        loss = pd.Series(np.nan, index=merged.index)
    merged["dead_time_loss"] = loss
    merged["net_cpm"] = rate - bkg
    merged["net_counts"] = merged["net_cpm"] * t_s / 60.0
    # decay to one time
    ref, rule = _reference_time(reference_time, exp, layout.animals, merged["measured_at"])
    elapsed = seconds_between(merged["measured_at"], ref)
    lam = np.log(2.0) / info.seconds
    merged["decay_factor"] = np.exp(lam * elapsed) * decay_during_count_factor(
        t_s.to_numpy(), info.seconds
    )
    merged["corrected_cpm"] = merged["net_cpm"] * merged["decay_factor"]
    settings.update(
        isotope=info.isotope,
        half_life=info.value,
        half_life_unit=info.unit,
        half_life_source=info.source,
        reference_time=ref,
        reference_time_rule=rule,
        decay_during_count=True,
        low_counts=low_counts,
        max_dead_time_loss=max_dead_time_loss,
        dead_time_s=dead_time_s,
        recount=recount,
    )
    # flags per counted row
    counted_roles = merged["role"] != "blank"
    flags = []
    r: Any
    for r, ok in zip(merged.itertuples(index=False), counted_roles, strict=True):
        f = []
        if ok and r.net_counts < low_counts:
            f.append("low_counts")
        if ok and r.dead_time_loss > max_dead_time_loss:
            f.append(f"dead_time_loss:{100 * r.dead_time_loss:.0f}%")
        cflag = str(getattr(r, "flag", "") or "").strip()
        if cflag and cflag != "nan":
            f.append(f"counter:{cflag}")
        flags.append(join_flags(*f))
    merged["flags"] = flags
    for r in merged[merged["flags"].str.contains("low_counts|dead_time", regex=True)].itertuples():
        txt = []
        if "low_counts" in r.flags:
            txt.append(f"{r.net_counts:.0f} net counts (< {low_counts:g}: unreliable)")
        if "dead_time" in r.flags:
            txt.append(
                f"dead-time loss {100 * r.dead_time_loss:.1f} % (> {100 * max_dead_time_loss:g} %): dilute or recount"
            )
        qc.append(qc_row("warning", r.tube, "; ".join(txt)))
    out = _merge_recounts(merged, recount, qc)
    return out, qc, settings


def _reference_time(
    given: Any, exp: Mapping[str, Any], animals: pd.DataFrame, measured: pd.Series
) -> tuple[pd.Timestamp, str]:
    import pandas as pd

    if given is not None:
        return pd.Timestamp(given), "given"
    if exp.get("reference_time") is not None:
        return pd.Timestamp(exp["reference_time"]), "Experiment sheet"
    inj = pd.to_datetime(animals["injection_time"]).dropna()
    if len(inj):
        return pd.Timestamp(inj.min()), "first injection"
    return pd.Timestamp(measured.min()), "first count start (no injection times)"


def _runs_text(runs: pd.Series) -> str:
    """``'run 1'`` when every count is from one run, else ``'runs 1, 2'``."""
    uniq = list(dict.fromkeys(int(r) for r in runs))
    return f"run {uniq[0]}" if len(uniq) == 1 else "runs " + ", ".join(map(str, uniq))


def _merge_recounts(
    merged: pd.DataFrame, recount: RecountPolicy, qc: list[dict[str, str]]
) -> pd.DataFrame:
    """One row per tube; a tube counted more than once is merged by ``recount`` and reported."""
    import pandas as pd

    if recount not in get_args(RecountPolicy):
        raise SchemaError(f"recount must be 'mean', 'first' or 'last', not {recount!r}")
    merged = merged.sort_values(["measured_at"], kind="stable")
    size = merged.groupby(["rack", "position"], sort=False)["cpm"].transform("size")
    merged["n_counts"] = size
    merged["runs"] = merged.groupby(["rack", "position"], sort=False)["run"].transform(
        lambda s: ",".join(str(v) for v in s)
    )
    single = merged[size == 1]
    multi = merged[size > 1]
    rows = [single]
    for _, g in multi.groupby(["rack", "position"], sort=False):
        vals = g["corrected_cpm"].to_numpy(dtype=float)
        spread = 100 * (vals.max() - vals.min()) / abs(vals.mean()) if vals.mean() else float("nan")
        if recount == "mean":
            row = g.iloc[[-1]].copy()
            for c in ("gross_cpm", "net_cpm", "net_counts", "corrected_cpm"):
                row[c] = g[c].mean()
            row["decay_factor"] = float("nan")
        else:
            row = g.iloc[[0 if recount == "first" else -1]].copy()
        row["flags"] = join_flags(row["flags"].iloc[0], f"counted_{len(g)}_times")
        qc.append(
            qc_row(
                "warning",
                str(g["tube"].iloc[0]),
                f"counted {len(g)} times ({_runs_text(g['run'])}): decay-corrected "
                f"{', '.join(f'{v:.6g}' for v in vals)} cpm ({spread:.1f} % apart); used the {recount}",
            )
        )
        rows.append(row)
    out = pd.concat(rows).sort_values(["rack", "position"], kind="stable").reset_index(drop=True)
    return out
