"""From a tidy table to padded ``(curves × points)`` arrays, without a loop over curves."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

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
    if by:
        grouped = data.groupby(by, sort=True, dropna=False)
        gid = grouped.ngroup().to_numpy()
        keys = grouped.size().reset_index(name="_n_rows")  # in ngroup's numbering
        # position of each row within its curve (a cumcount without pandas' overhead)
        order = np.argsort(gid, kind="stable")
        counts = np.bincount(gid, minlength=len(keys))
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        pos = np.empty(len(gid), dtype=int)
        pos[order] = np.arange(len(gid)) - np.repeat(first, counts)
    else:
        gid = np.zeros(len(data), dtype=int)
        pos = np.arange(len(data))
        keys = pd.DataFrame({"_n_rows": [len(data)]})
    n_curves = int(gid.max()) + 1 if len(gid) else 0
    width = int(pos.max()) + 1 if len(pos) else 0
    arrays = []
    for col in columns:
        vals = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        out = np.full((n_curves, width), np.nan)
        out[gid, pos] = vals
        arrays.append(out)
    return keys.reset_index(drop=True), arrays
