"""Read wellmap TOML layouts with :mod:`tomllib` (no extra dependency).

The subset of the wellmap format that plate maps use is expanded here: ``[expt]``, ``[row.A]``,
``[col.3]`` (also the dotted ``[row] A.key = …`` form), ``[well.B5]``, ``[block.WxH.A1]``, lists and
patterns in names (``'A,C,...,G'``, ``'1,3,...,17'``, ``'A-D'``, ``'A1-B3'``) and numbered
``[plate.N]`` tables. Precedence goes from general to specific: expt < row < col < block < well.
Files that use wellmap features beyond that (``[meta]`` includes, ``[irow]``/``[icol]``) are read
with the ``wellmap`` package when it is installed (``pip install assaykit[wellmap]``).

assaykit's own settings go in a top-level ``[assaykit]`` table (wellmap keeps unknown top-level
tables as extras): ``kind = "binding"`` and the Experiment fields, concentrations as
``radioligand_conc = 0.1`` + ``radioligand_conc_unit = "nM"`` or ``radioligand_conc_M = 1e-10``.

Per-well keys: ``role``, ``compound``, ``conc`` + ``conc_unit`` (or ``conc_M``, or ``conc_nM`` …),
``replicate``, and for uptake ``fraction``, ``time_min``, ``condition``, ``cells_per_well``,
``protein_mg``; other keys are kept as text columns.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import LayoutError
from assaykit.layout._validate import build_experiment, build_layout
from assaykit.layout._vocab import check_kind, did_you_mean, fields_for, unit_from_text
from assaykit.plate import ij_from_well, row_index, well_from_ij

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["expand_wellmap", "read_wellmap"]

_WELL_TABLES = ("expt", "row", "col", "block", "well")
_WELLMAP_ONLY = ("irow", "icol", "meta")
_KNOWN_TOP = (*_WELL_TABLES, "plate", "assaykit", *_WELLMAP_ONLY)


def read_wellmap(path: Path, *, kind: str | None = None) -> pd.DataFrame:
    """Read a wellmap TOML layout (see the module docstring)."""
    try:
        with open(path, "rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise LayoutError(f"not valid TOML: {err}") from None
    except UnicodeDecodeError:
        raise LayoutError("not valid TOML: the file is not UTF-8 text") from None
    settings = doc.pop("assaykit", {})
    if not isinstance(settings, dict):
        raise LayoutError(
            "'assaykit' must be a table: [assaykit] with kind = \"binding\" and experiment fields"
        )
    special = [k for k in _WELLMAP_ONLY if k in doc]
    if special:
        wells = _with_wellmap(path, special)
    else:
        wells = expand_wellmap(doc)
    declared = settings.pop("kind", None)
    if declared is not None:
        declared = check_kind(declared)
    if kind is not None and declared is not None and check_kind(kind) != declared:
        raise LayoutError(
            f"[assaykit] kind = {declared!r}, but {'an' if kind == 'uptake' else 'a'} "
            f"{check_kind(kind)} layout is needed",
            location="[assaykit]",
        )
    if kind is None:
        uptake = any("fraction" in params for params in wells.values())
        kind = declared or ("uptake" if uptake else "binding")
    kind = check_kind(kind)
    experiment = build_experiment(_experiment_items(settings, kind), kind)
    if not wells:
        raise LayoutError(
            "the layout defines no wells; name them with [well.A1], [block.WxH.A1] or both [row.X] and [col.N]"
        )
    keys = sorted({k for params in wells.values() for k in params})
    if "role" not in keys:
        roles = (
            "total, nsb, competitor, blank, standard"
            if kind == "binding"
            else "sample, blank, standard"
        )
        raise LayoutError(
            f"required column 'role' is missing: no well has a 'role' key (keys found: {', '.join(keys) or 'none'}); "
            f"assaykit needs role ({roles}), compound and conc + conc_unit per well"
        )
    records = []
    names = []
    for (plate, well), params in sorted(
        wells.items(), key=lambda kv: (kv[0][0] or 0, ij_from_well(kv[0][1]))
    ):
        rec = _record(params, well)
        rec["plate"] = plate
        rec["well"] = well
        records.append(rec)
        names.append(well if plate is None else f"{well} (plate {plate})")

    def locate(i: int, key: str) -> str:
        return f"well {names[i]}" + ("" if key in ("well", "plate") else f", '{key}'")

    return build_layout(records, kind=kind, table="Wells", locate=locate, experiment=experiment)


def _experiment_items(
    settings: dict[str, Any], kind: str
) -> dict[str, tuple[object, object, str | None]]:
    known = {f.key for f in fields_for(kind)}
    items: dict[str, tuple[object, object, str | None]] = {}
    for key, value in settings.items():
        loc = f"[assaykit] {key}"
        if key.endswith("_unit"):
            continue
        if key.endswith("_M") and key in known:
            items[key] = (value, "M", loc)
        elif f"{key}_M" in known:
            items[f"{key}_M"] = (value, settings.get(f"{key}_unit"), loc)
        elif key in known:
            items[key] = (value, None, loc)
        else:
            hint = did_you_mean(key, sorted(known), cutoff=0.75)
            if hint:
                raise LayoutError(f"unknown experiment field {key!r}{hint}", location="[assaykit]")
            items[key] = (value, None, loc)
    return items


def _record(params: dict[str, Any], well: str) -> dict[str, Any]:
    rec: dict[str, Any] = {}
    for key, value in params.items():
        m = re.fullmatch(r"conc_(\w+)", key)
        if key in ("conc", "concentration"):
            rec["concentration"] = value
        elif key in ("conc_unit", "unit"):
            rec["unit"] = value
        elif key == "conc_M":
            rec["conc_M"] = value
        elif m and m.group(1) not in ("unit",):
            try:
                unit = unit_from_text(m.group(1))
            except LayoutError as err:
                raise err.with_context(location=f"well {well}, '{key}'") from None
            if "concentration" in params or "conc" in params:
                raise LayoutError(f"both 'conc' and {key!r} are given", location=f"well {well}")
            rec["concentration"], rec["unit"] = value, unit
        else:
            rec[key] = value
    return rec


def _with_wellmap(path: Path, features: list[str]) -> dict[tuple[int | None, str], dict[str, Any]]:
    try:
        import wellmap  # type: ignore[import-not-found]
    except ImportError:
        raise LayoutError(
            f"the layout uses wellmap's {', '.join(repr(f) for f in features)} section(s), which assaykit's "
            "built-in reader does not support; install the wellmap package: pip install 'assaykit[wellmap]'"
        ) from None
    try:
        df = wellmap.load(path)
    except Exception as err:  # wellmap raises its own LayoutError and others
        raise LayoutError(f"wellmap could not read it: {err}") from None
    skip = {"well", "well0", "row", "col", "row_i", "col_j", "plate", "path"}
    wells: dict[tuple[int | None, str], dict[str, Any]] = {}
    for rec in df.to_dict(orient="records"):
        plate = rec.get("plate")
        wells[
            (
                _plate_number(plate) if plate is not None else None,
                well_from_ij(int(rec["row_i"]), int(rec["col_j"])),
            )
        ] = {k: v for k, v in rec.items() if k not in skip}
    return wells


def _plate_number(name: object) -> int:
    s = str(name).strip()
    if not re.fullmatch(r"\d+", s) or int(s) < 1:
        raise LayoutError(
            f"plate names must be numbers 1, 2, … (as in the export), got {s!r}",
            location=f"[plate.{s}]",
        )
    return int(s)


def expand_wellmap(doc: dict[str, Any]) -> dict[tuple[int | None, str], dict[str, Any]]:
    """Expand a parsed wellmap document into ``{(plate, well): {key: value}}``.

    Examples
    --------
    >>> doc = {"expt": {"compound": "FC131"}, "row": {"A": {"rep": 1}, "B": {"rep": 2}},
    ...        "col": {"1,3,...,5": {"role": "total"}}, "well": {"B3": {"role": "nsb"}}}
    >>> w = expand_wellmap(doc)
    >>> sorted(k[1] for k in w), w[(None, "B03")]
    (['A01', 'A03', 'A05', 'B01', 'B03', 'B05'], {'compound': 'FC131', 'rep': 2, 'role': 'nsb'})
    """
    unknown = [k for k, v in doc.items() if isinstance(v, dict) and k not in _KNOWN_TOP]
    for k in unknown:
        hint = did_you_mean(k, _KNOWN_TOP, cutoff=0.7)
        if hint:
            raise LayoutError(f"unknown table [{k}]{hint}")
    plates = doc.get("plate")
    if plates:
        if not isinstance(plates, dict):
            raise LayoutError("[plate] must hold one table per plate, e.g. [plate.1]")
        out: dict[tuple[int | None, str], dict[str, Any]] = {}
        base = {k: v for k, v in doc.items() if k in _WELL_TABLES}
        for name, sub in plates.items():
            n = _plate_number(name)
            merged = _merge_docs(base, sub)
            for (_, well), well_params in expand_wellmap(merged).items():
                out[(n, well)] = well_params
        return out
    expt = doc.get("expt", {})
    rows = _named(doc.get("row", {}), "row")
    cols = _named(doc.get("col", {}), "col")
    blocks = _blocks(doc.get("block", {}))
    wells = _named(doc.get("well", {}), "well")
    defined: set[tuple[int, int]] = set()
    defined |= {(i, j) for i in rows for j in cols}
    for cells, _ in blocks:
        defined |= cells
    defined |= set(wells)
    result: dict[tuple[int | None, str], dict[str, Any]] = {}
    for i, j in defined:
        params: dict[str, Any] = dict(expt) if isinstance(expt, dict) else {}
        params.update(rows.get(i, {}))
        params.update(cols.get(j, {}))
        for cells, p in blocks:
            if (i, j) in cells:
                params.update(p)
        params.update(wells.get((i, j), {}))
        result[(None, well_from_ij(i, j))] = params
    return result


def _merge_docs(base: dict[str, Any], sub: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _WELL_TABLES:
        a, b = base.get(key, {}), sub.get(key, {})
        if key == "expt":
            out[key] = {**a, **b}
            continue
        merged: dict[str, Any] = {}
        for name in {*a, *b}:
            merged[name] = (
                {**a.get(name, {}), **b.get(name, {})}
                if isinstance(a.get(name, {}), dict)
                else b.get(name, a.get(name))
            )
        out[key] = merged
    for key, value in sub.items():
        if key not in _WELL_TABLES and not isinstance(value, dict):
            out.setdefault("expt", {})[key] = value
    return out


def _named(table: Any, kind: str) -> dict[Any, dict[str, Any]]:
    """``{index: params}`` for row (index i), col (index j) or well ((i, j)) tables."""
    if not isinstance(table, dict):
        raise LayoutError(f"[{kind}] must be a table")
    out: dict[Any, dict[str, Any]] = {}
    for name, params in table.items():
        if not isinstance(params, dict):
            raise LayoutError(
                f"[{kind}] entry {name!r} must be a table of values, e.g. [{kind}.{'A' if kind == 'row' else '1' if kind == 'col' else 'A1'}]"
            )
        for idx in _expand_names(str(name), kind):
            out.setdefault(idx, {}).update(params)
    return out


def _blocks(table: Any) -> list[tuple[set[tuple[int, int]], dict[str, Any]]]:
    if not isinstance(table, dict):
        raise LayoutError("[block] must be a table such as [block.2x3.A1]")
    out = []
    for size, anchors in table.items():
        m = re.fullmatch(r"\s*(\d+)\s*x\s*(\d+)\s*", str(size))
        if not m or not isinstance(anchors, dict):
            raise LayoutError(
                f"cannot read block size {size!r}; expected WIDTHxHEIGHT, e.g. [block.2x3.A1]"
            )
        width, height = int(m.group(1)), int(m.group(2))
        for anchor, params in anchors.items():
            for i0, j0 in _expand_names(str(anchor), "well"):
                cells = {(i0 + di, j0 + dj) for di in range(height) for dj in range(width)}
                out.append((cells, params))
    return out


def _expand_names(name: str, kind: str) -> list[Any]:
    """Indices named by ``A``, ``'A,C,...,G'``, ``'A-D'``, ``'1,3,...,17'``, ``'A1-B3'``."""
    parts = [p.strip() for p in name.split(",") if p.strip()]
    try:
        if "..." in parts:
            k = parts.index("...")
            if k < 2 or k != len(parts) - 2:
                raise ValueError("'...' needs two items before it and one after")
            first, second, last = (_one(p, kind) for p in (parts[0], parts[1], parts[-1]))
            return _step(first, second, last, kind)
        out: list[Any] = []
        for p in parts:
            if "-" in p:
                a, b = (q.strip() for q in p.split("-", 1))
                out += _range(_one(a, kind), _one(b, kind), kind)
            else:
                out.append(_one(p, kind))
        return out
    except ValueError as err:
        example = {"row": "A or 'A,C,...,G'", "col": "1 or '1,3,...,11'", "well": "A1 or 'A1-B3'"}[
            kind
        ]
        raise LayoutError(
            f"cannot read {kind} name {name!r} ({err}); expected e.g. {example}",
            location=f"[{kind}.{name}]",
        ) from None


def _one(text: str, kind: str) -> Any:
    if kind == "row":
        if not re.fullmatch(r"[A-Za-z]{1,2}", text):
            raise ValueError(f"{text!r} is not a row letter")
        return row_index(text.upper())
    if kind == "col":
        if not re.fullmatch(r"\d{1,2}", text) or int(text) < 1:
            raise ValueError(f"{text!r} is not a column number")
        return int(text) - 1
    return ij_from_well(text)


def _range(a: Any, b: Any, kind: str) -> list[Any]:
    if kind == "well":
        (i0, j0), (i1, j1) = a, b
        return [
            (i, j)
            for i in range(min(i0, i1), max(i0, i1) + 1)
            for j in range(min(j0, j1), max(j0, j1) + 1)
        ]
    return list(range(min(a, b), max(a, b) + 1))


def _step(first: Any, second: Any, last: Any, kind: str) -> list[Any]:
    if kind == "well":
        (i0, j0), (i1, j1), (i2, j2) = first, second, last
        di, dj = i1 - i0, j1 - j0
        if (di, dj) == (0, 0):
            raise ValueError("the first two wells are the same")
        out: list[tuple[int, int]] = []
        i, j = i0, j0
        while (i - i2) * (di or 1) <= 0 and (j - j2) * (dj or 1) <= 0 and len(out) < 1536:
            out.append((i, j))
            i, j = i + di, j + dj
        return out
    step = second - first
    if step <= 0:
        raise ValueError("the first two items must increase")
    return list(range(first, last + 1, step))
