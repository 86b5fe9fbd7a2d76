"""Checks every counter table passes before it leaves :func:`assaykit.io.read_export`.

A faulty export is named, never analysed silently:

- a tube (rack, position, nuclide) counted more than once is an error naming the tube and its
  counts, unless the caller says which count to keep (``duplicates="first" | "last" | "mean"``;
  recounts are real);
- a count time of zero or less is an error naming the tube (CPM would divide by it);
- (time stamps that go backwards are checked by the readers that keep the file's order, with the
  line: :func:`assaykit.io._counter.check_time_order`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from assaykit._typing import DuplicatePolicy
from assaykit.errors import ParseError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DuplicatePolicy", "check_counter_table"]


_KEY = ("rack", "position", "isotope")
#: Columns by which an instrument labels planned recounts (Hidex ``Repe.``): distinct counts.
_REPEAT = ("repetition", "cycle", "repeat")


def _tube(row: pd.Series) -> str:
    iso = f" ({row['isotope']})" if str(row.get("isotope", "")) else ""
    return f"tube rack {row['rack']} position {row['position']}{iso}"


def check_counter_table(
    df: pd.DataFrame, *, duplicates: DuplicatePolicy | Literal["keep"] = "error"
) -> pd.DataFrame:
    """``df`` checked (count times, time order, duplicate tubes); a new frame when duplicates merge.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"rack": [1, 1], "position": [3, 3], "isotope": ["I-125"] * 2,
    ...     "counts": [100.0, 140.0], "count_time_s": [60.0, 60.0], "cpm": [100.0, 140.0],
    ...     "measured_at": pd.to_datetime(["2026-03-10 10:00", "2026-03-10 10:05"]),
    ...     "sample": ["", ""], "flag": ["", ""]})
    >>> check_counter_table(df)
    Traceback (most recent call last):
    ...
    assaykit.errors.ParseError: tube rack 1 position 3 (I-125) is counted 2 times (CPM 100, 140); say which count to keep (duplicates: first, last or mean) or fix the export
    >>> check_counter_table(df, duplicates="mean")["cpm"].tolist()
    [120.0]
    """
    import pandas as pd

    if duplicates not in ("error", "first", "last", "mean", "keep"):
        raise ValueError(f"duplicates must be error, first, last or mean, got {duplicates!r}")
    if not len(df) or not all(c in df.columns for c in ("rack", "position")):
        return df
    if "count_time_s" in df.columns:
        t = pd.to_numeric(df["count_time_s"], errors="coerce")
        bad = t.notna() & (t <= 0)
        if bad.any():
            row = df[bad].iloc[0]
            raise ParseError(
                f"{_tube(row)}: count time {row['count_time_s']:g} s; a count needs a time "
                "above zero (CPM = counts / minutes)"
            )
    if duplicates == "keep":  # the caller resolves recounts itself (after decay correction)
        return df
    key = [c for c in (*_KEY, *_REPEAT) if c in df.columns]
    dup = df[key].duplicated(keep=False)
    if not dup.any():
        return df
    if duplicates == "error":
        first = df[dup].iloc[0]
        same = df[dup & (df[key] == first[key]).all(axis=1)]
        values = ", ".join(f"{v:g}" for v in same["cpm"]) if "cpm" in same else ""
        n_tubes = int(df.loc[dup, key].drop_duplicates().shape[0])
        more = f"; {n_tubes - 1} more tube(s) likewise" if n_tubes > 1 else ""
        raise ParseError(
            f"{_tube(first)} is counted {len(same)} times (CPM {values}){more}; say which count "
            "to keep (duplicates: first, last or mean) or fix the export",
        )
    if duplicates in ("first", "last"):
        out = df.drop_duplicates(key, keep=duplicates).reset_index(drop=True)
    else:
        numeric = [c for c in ("counts", "cpm", "count_time_s", "error_pct") if c in df.columns]
        agg = {c: "first" for c in df.columns if c not in key}
        agg.update(dict.fromkeys(numeric, "mean"))
        out = df.groupby(key, sort=False, as_index=False, dropna=False).agg(agg)[list(df.columns)]
        counted = df.groupby(key, sort=False, dropna=False).size().to_numpy()
        out["flag"] = [
            ";".join(x for x in (str(f), f"mean_of_{n}_counts") if x) if n > 1 else f
            for f, n in zip(out["flag"], counted, strict=True)
        ]
    out.attrs.update(df.attrs)
    out.attrs["duplicates"] = duplicates
    return out
