"""GraphPad Prism files (.pzfx) a Prism user opens directly: data as XY tables, results as a table.

A .pzfx file is XML (``PrismXMLVersion="5.00"``, namespace ``http://graphpad.com/prism/Prism.htm``):
a ``TableSequence`` lists the tables by ``ID``; each ``Table`` has a ``Title``, an ``XColumn``
(one ``Subcolumn``) and ``YColumn`` elements whose ``Subcolumns`` are the replicates; every cell is a
``<d>`` element (empty for a missing value, ``Excluded="1"`` for an excluded one). Prism adds its
analyses and graphs when the user clicks *Analyze*; this module writes data and results only.

:func:`prism_points` turns a tidy points frame (concentration in molar) into the (curve, x, y,
replicate) frame with ``x = log10(concentration / M)``; :func:`pzfx_bytes` writes one XY table per
curve (one Y subcolumn per replicate) and the results as a grouped table (one row per curve, one
column per numeric result; the status and message of each curve go into the project notes).

Examples
--------
>>> import pandas as pd
>>> pts = pd.DataFrame({"curve": ["A"] * 4, "conc": [1e-9, 1e-9, 1e-8, 1e-8],
...                     "response": [98.0, 96.5, 51.0, 49.5]})
>>> xy = prism_points(pts)
>>> xy[["curve", "x", "y", "replicate"]].values.tolist()
[['A', -9.0, 98.0, 1], ['A', -9.0, 96.5, 2], ['A', -8.0, 51.0, 1], ['A', -8.0, 49.5, 2]]
>>> data = pzfx_bytes(xy, pd.DataFrame({"curve": ["A"], "log_ic50": [-8.0], "status": ["ok"]}))
>>> data[:38]
b'<?xml version="1.0" encoding="UTF-8"?>'
"""

from __future__ import annotations

import contextlib
import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from assaykit.errors import SchemaError

__all__ = ["PRISM_NAMESPACE", "prism_points", "pzfx_bytes"]

PRISM_NAMESPACE = "http://graphpad.com/prism/Prism.htm"

_RESULT_ID_COLUMNS = ("curve", "compound", "group", "sample", "name")


def prism_points(
    data: pd.DataFrame,
    *,
    curve: str = "curve",
    conc: str = "conc",
    response: str = "response",
    replicate: str | None = None,
    excluded: str | None = None,
) -> pd.DataFrame:
    """Tidy points for Prism: ``curve``, ``x`` (log10 of molar concentration), ``y``, ``replicate``.

    Rows with a concentration <= 0 (total-binding or NSB controls) have no log concentration and
    are left out. Without a ``replicate`` column, replicates are numbered 1, 2, ... in row order
    within each (curve, concentration). ``excluded`` names a boolean column carried through as
    ``excluded`` (Prism shows those values struck out).
    """
    missing = [c for c in (curve, conc, response) if c not in data.columns]
    if missing:
        raise SchemaError(f"points table lacks column(s) {', '.join(missing)}")
    cval = pd.to_numeric(data[conc], errors="coerce")
    keep = cval > 0
    out = pd.DataFrame(
        {
            "curve": data.loc[keep, curve].astype(str).to_numpy(),
            "x": np.log10(cval[keep].to_numpy(dtype=float)),
            "y": pd.to_numeric(data.loc[keep, response], errors="coerce").to_numpy(dtype=float),
        }
    )
    if replicate is not None:
        out["replicate"] = data.loc[keep, replicate].to_numpy()
    else:
        out["replicate"] = out.groupby(["curve", "x"], sort=False).cumcount() + 1
    if excluded is not None:
        out["excluded"] = data.loc[keep, excluded].astype(bool).to_numpy()
    return out


def _num(v: Any) -> str:
    """Full-precision text of a number (round-trips exactly); '' for missing."""
    if v is None:
        return ""
    x = float(v)
    if not math.isfinite(x):
        return ""
    return repr(x) if not x.is_integer() or abs(x) >= 1e16 else str(int(x))


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _subcolumn(parent: ET.Element, values: list[Any], excluded: list[bool] | None = None) -> None:
    sub = _sub(parent, "Subcolumn")
    for i, v in enumerate(values):
        d = _sub(sub, "d")
        text = _num(v)
        if text:
            d.text = text
        if excluded is not None and excluded[i] and text:
            d.set("Excluded", "1")


def _xy_table(
    root: ET.Element, tid: str, name: str, pts: pd.DataFrame, x_title: str, y_title: str
) -> None:
    xs = sorted(pts["x"].unique())
    reps = list(pd.unique(pts["replicate"]))
    with contextlib.suppress(TypeError):
        reps = sorted(reps)
    n_rep = max(len(reps), 1)
    table = _sub(
        root,
        "Table",
        ID=tid,
        XFormat="numbers",
        YFormat="replicates",
        Replicates=str(n_rep),
        TableType="XY",
        EVFormat="AsteriskAfterNumber",
    )
    _sub(table, "Title", name)
    xcol = _sub(table, "XColumn", Width="81", Subcolumns="1", Decimals="2")
    _sub(xcol, "Title", x_title)
    _subcolumn(xcol, xs)
    ycol = _sub(table, "YColumn", Width=str(81 * n_rep), Decimals="3", Subcolumns=str(n_rep))
    _sub(ycol, "Title", y_title or name)
    has_excl = "excluded" in pts.columns
    for rep in reps:
        by_x = pts[pts["replicate"] == rep].drop_duplicates("x").set_index("x")
        vals = [by_x["y"].get(x, None) for x in xs]
        excl = [bool(by_x["excluded"].get(x, False)) for x in xs] if has_excl else None
        _subcolumn(ycol, vals, excl)


def _results_table(root: ET.Element, tid: str, results: pd.DataFrame, id_col: str) -> list[str]:
    numeric = [
        c
        for c in results.columns
        if c != id_col
        and pd.api.types.is_numeric_dtype(results[c])
        and not pd.api.types.is_bool_dtype(results[c])
    ]
    table = _sub(
        root,
        "Table",
        ID=tid,
        XFormat="none",
        YFormat="replicates",
        Replicates="1",
        TableType="TwoWay",
        EVFormat="AsteriskAfterNumber",
    )
    _sub(table, "Title", "Results")
    rows = _sub(table, "RowTitlesColumn", Width="120")
    sub = _sub(rows, "Subcolumn")
    for v in results[id_col].astype(str):
        _sub(sub, "d", v)
    for col in numeric:
        ycol = _sub(table, "YColumn", Width="100", Decimals="4", Subcolumns="1")
        _sub(ycol, "Title", str(col))
        _subcolumn(ycol, results[col].tolist())
    return numeric


def pzfx_bytes(
    points: pd.DataFrame,
    results: pd.DataFrame | None = None,
    *,
    x_title: str = "log[concentration, M]",
    y_title: str = "",
    notes: Mapping[str, Any] | None = None,
    program_version: str = "",
) -> bytes:
    """A .pzfx file (UTF-8 XML bytes) with one XY table per curve and the results table.

    Parameters
    ----------
    points
        ``curve``, ``x``, ``y``, ``replicate`` (and optionally a boolean ``excluded``), e.g. from
        :func:`prism_points`. Each curve becomes a table titled with its name; rows are the
        distinct ``x`` values (ascending), Y subcolumns the replicates (a missing replicate is an
        empty cell).
    results
        One row per curve; its first id-like column (``curve``, ``compound``, ...) becomes the row
        titles, every numeric column a Y column. Text columns (``status``, ``flags``,
        ``message``) are written to the project notes, one line per curve, since Prism data cells
        hold numbers.
    x_title, y_title
        Column titles (``y_title`` defaults to the curve name).
    notes
        Extra ``name → value`` pairs for the project info (experiment id, operator, ...).
    program_version
        Written as the creating program's version.

    Returns
    -------
    bytes
        The file content; the workflow layer writes it (e.g. ``results.pzfx``).
    """
    need = [c for c in ("curve", "x", "y", "replicate") if c not in points.columns]
    if need:
        raise SchemaError(f"points table lacks column(s) {', '.join(need)}")
    root = ET.Element("GraphPadPrismFile", {"xmlns": PRISM_NAMESPACE, "PrismXMLVersion": "5.00"})
    created = _sub(root, "Created")
    _sub(
        created,
        "OriginalVersion",
        CreatedByProgram="assaykit",
        CreatedByVersion=program_version or "unknown",
    )
    info_seq = _sub(root, "InfoSequence")
    _sub(info_seq, "Ref", ID="Info0", Selected="1")
    info = _sub(root, "Info", ID="Info0")
    _sub(info, "Title", "Project info 1")
    note_lines: list[str] = []
    id_col = ""
    if results is not None and len(results):
        id_col = next((c for c in _RESULT_ID_COLUMNS if c in results.columns), results.columns[0])
        text_cols = [c for c in ("status", "flags", "message") if c in results.columns]
        for rec in results.to_dict("records"):
            parts = [
                f"{c}: {rec[c]}" for c in text_cols if isinstance(rec[c], str) and rec[c].strip()
            ]
            if parts:
                note_lines.append(f"{rec[id_col]}: " + "; ".join(parts))
    notes_el = _sub(info, "Notes")
    notes_el.text = "\n".join(["Exported by assaykit.", *note_lines])
    for key, value in (notes or {}).items():
        const = _sub(info, "Constant")
        _sub(const, "Name", str(key))
        _sub(const, "Value", "" if value is None else str(value))

    curves = list(pd.unique(points["curve"].astype(str)))
    ids = [f"Table{i}" for i in range(len(curves) + (1 if id_col else 0))]
    seq = _sub(root, "TableSequence")
    for i, tid in enumerate(ids):
        ref = _sub(seq, "Ref", ID=tid)
        if i == 0:
            ref.set("Selected", "1")
    pts = points.assign(curve=points["curve"].astype(str))
    for tid, name in zip(ids, curves, strict=False):
        _xy_table(root, tid, name, pts[pts["curve"] == name], x_title, y_title)
    if id_col and results is not None:
        _results_table(root, ids[-1], results, id_col)
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")
