"""From a tidy table to padded ``(curves × points)`` arrays, without a loop over curves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from assaykit.fitting.model import FloatArray

__all__ = ["pad_groups"]


def pad_groups(
    data: pd.DataFrame, columns: Sequence[str], by: Sequence[str]
) -> tuple[pd.DataFrame, list[FloatArray]]:
    """Split ``data`` by ``by`` and pad each column of ``columns`` to a ``(C, N_max)`` array.

    Values are converted with ``pd.to_numeric(errors="coerce")`` (text becomes NaN); padding is
    NaN. Curves keep their order of first sorted key (``groupby(sort=True)``); rows keep their
    order within a curve.

    Parameters
    ----------
    data
        Tidy table, one row per point.
    columns
        Numeric columns to pad.
    by
        Columns identifying a curve (empty: the whole table is one curve).

    Returns
    -------
    keys : pandas.DataFrame
        One row per curve with the ``by`` columns (and ``_n_rows``, the rows of each curve).
    arrays : list of numpy.ndarray
        One ``(C, N_max)`` float array per entry of ``columns``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"c": ["a", "b", "a"], "v": [1.0, 2.0, "x"]})
    >>> keys, (v,) = pad_groups(df, ["v"], ["c"])
    >>> keys["c"].tolist(), v.tolist()
    (['a', 'b'], [[1.0, nan], [2.0, nan]])
    """
    by = list(by)
    if len(by) == 1 and not data[by[0]].isna().any():
        key = data[by[0]]
        if len(key) and key.is_monotonic_increasing:
            # rows already sorted by curve (the usual tidy table): runs of equal keys are the
            # curves, in sorted order — what factorize(sort=True) gives, without hashing
            vals = key.to_numpy()
            change = np.flatnonzero(vals[1:] != vals[:-1]) + 1
            gid = np.zeros(len(vals), dtype=np.intp)
            gid[change] = 1
            np.cumsum(gid, out=gid)
            uniques: Any = key.iloc[np.concatenate([[0], change])].reset_index(drop=True)
        else:
            # one key column: factorize (sorted) is the groupby numbering without the groupby
            codes, uniques = pd.factorize(key, sort=True)
            gid = np.asarray(codes, dtype=np.intp)
        counts: NDArray[np.intp] = np.bincount(gid, minlength=len(uniques))
        keys = pd.DataFrame({by[0]: uniques, "_n_rows": counts})
    elif by:
        grouped = data.groupby(by, sort=True, dropna=False)
        gid = grouped.ngroup().to_numpy().astype(np.intp)
        keys = grouped.size().reset_index(name="_n_rows")  # in ngroup's numbering
        counts = np.bincount(gid, minlength=len(keys))
    else:
        gid = np.zeros(len(data), dtype=np.intp)
        counts = np.array([len(data)])
        keys = pd.DataFrame({"_n_rows": [len(data)]})
    n_curves = len(counts) if len(gid) else 0
    width = int(counts.max()) if len(gid) else 0
    # flat position of each row in the (C, width) arrays: its curve's row, then its rank
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    in_order = bool(len(gid)) and bool(np.all(gid[1:] >= gid[:-1]))  # rows grouped by curve
    # grouped with every curve as long as the longest: row i goes to flat position i
    regular = in_order and len(gid) == n_curves * width
    if regular:
        flat = np.arange(0)
    elif in_order:
        flat = np.arange(len(gid)) - np.repeat(first - np.arange(n_curves) * width, counts)
    else:
        order = np.argsort(gid, kind="stable")
        flat = np.empty(len(gid), dtype=np.intp)
        flat[order] = np.arange(len(gid)) - np.repeat(first - np.arange(n_curves) * width, counts)
    arrays = []
    for col in columns:
        vals = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if regular:  # every curve has the same number of rows, in order: a reshape
            out = vals.reshape(n_curves, width).copy()
        else:
            padded = np.full(n_curves * width, np.nan)
            padded[flat] = vals
            out = padded.reshape(n_curves, width)
        arrays.append(out)
    return keys.reset_index(drop=True), arrays
