"""Plate and tube layouts: what each well or tube contains, merged onto an export table.

A layout comes from a filled assaykit Excel template (``assaykit template binding -o FILE.xlsx``),
from a wellmap TOML file, or from a DataFrame built in Python. All three give the same frame
(docs/CONTRACTS.md §2): one row per annotated well (``plate``, ``well``) or tube (``rack``,
``position``, ``sample``) with ``role``, ``compound``, ``conc`` (molar), ``replicate`` and, for
uptake experiments, ``fraction``, ``time_min``, ``condition``, ``cells_per_well``, ``protein_mg``.
``attrs["kind"]`` is ``"binding"`` or ``"uptake"``; ``attrs["experiment"]`` holds the Experiment
sheet (concentrations in M, ``reference_time`` as a pandas Timestamp or None).

Examples
--------
>>> import pandas as pd
>>> layout = layout_from_frame(pd.DataFrame({
...     "well": ["A1", "A2", "A3"], "role": ["total", "nsb", "competitor"],
...     "compound": ["", "FC131", "FC131"], "concentration": [None, 1, 10], "unit": ["", "µM", "nM"]}),
...     kind="binding")
>>> layout[["well", "role", "conc"]]
  well        role          conc
0  A01       total           NaN
1  A02         nsb  1.000000e-06
2  A03  competitor  1.000000e-08
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import AssaykitError, LayoutError
from assaykit.layout._validate import build_experiment, build_layout, is_blank, parse_datetime
from assaykit.layout._vocab import (
    BINDING_ROLES,
    CONDITIONS,
    FRACTIONS,
    ISOTOPES,
    UNITS,
    UPTAKE_ROLES,
    check_kind,
)

if TYPE_CHECKING:
    import pandas as pd

    from assaykit.io._files import InputLog

__all__ = [
    "parse_datetime",
    "BINDING_ROLES",
    "CONDITIONS",
    "FRACTIONS",
    "ISOTOPES",
    "UNITS",
    "UPTAKE_ROLES",
    "annotate",
    "experiment_from_dict",
    "layout_from_frame",
    "read_layout",
]

_KEY_COLUMNS = ("plate", "well", "rack", "position", "sample")


def _require_regular(p: Path) -> None:
    from assaykit.errors import ParseError
    from assaykit.io._files import require_regular_file

    try:
        require_regular_file(p, what="layout")
    except ParseError as err:
        raise LayoutError(err.message) from None


def read_layout(
    path: str | os.PathLike[str], *, kind: str | None = None, log: InputLog | None = None
) -> pd.DataFrame:
    """Read a filled template (``.xlsx``), a wellmap layout (``.toml``) or a CSV layout (``.csv``).

    Parameters
    ----------
    path
        The filled assaykit template, wellmap TOML file, or CSV (a long table with the template's
        columns, or plater-style stacked plate grids, one per variable); never modified.
    kind
        ``"binding"`` or ``"uptake"``; read from the template's Experiment sheet (or the TOML's
        ``[meta] kind``) when not given, else ``"binding"``.
    log
        An :class:`assaykit.io.InputLog`: the layout's SHA-256 is recorded (role ``"layout"``)
        as it is read.

    Returns
    -------
    pandas.DataFrame
        One row per annotated well or tube. Keys ``plate`` (Int64, <NA> = every plate) + ``well``,
        or ``rack`` + ``position`` (Int64) + ``sample`` (str); ``role``, ``compound``, ``conc`` (M,
        NaN when none), ``replicate`` (Int64, numbered 1, 2, … when left empty); uptake adds
        ``fraction``, ``time_min``, ``condition`` (``tracer`` when a sample's is empty),
        ``cells_per_well``, ``protein_mg``. ``attrs["kind"]``, ``attrs["experiment"]``,
        ``attrs["layout_path"]``.

    Raises
    ------
    LayoutError
        One line naming the file, sheet and cell (or well) and what was expected.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from assaykit.layout.templates import example_layout, fill_template
    >>> layout, experiment = example_layout("binding")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "filled.xlsx"
    >>> _ = fill_template("binding", path, layout, experiment)
    >>> df = read_layout(path)
    >>> df.attrs["kind"], df.attrs["experiment"]["radioligand_conc_M"], len(df)
    ('binding', 1e-10, 34)
    """
    p = Path(path)
    try:
        if not p.exists():
            raise LayoutError("layout file not found")
        if p.is_dir():
            raise LayoutError(
                "is a folder; expected a filled template (.xlsx) or a wellmap layout (.toml)"
            )
        _require_regular(p)  # before opening: a FIFO would block the run
        if log is not None:
            log.record("layout", p)
        suffix = p.suffix.lower()
        if suffix == ".toml":
            from assaykit.layout._toml import read_wellmap

            df = read_wellmap(p, kind=kind)
        elif suffix in (".csv", ".txt"):
            from assaykit.layout._csv import read_csv_layout

            df = read_csv_layout(p, kind=kind)
        elif suffix in (".xlsx", ".xlsm"):
            from assaykit.layout._excel import read_template

            df = read_template(p, kind=kind)
        else:
            with open(p, "rb") as fh:
                head = fh.read(4)
            if head.startswith(b"PK"):
                from assaykit.layout._excel import read_template

                df = read_template(p, kind=kind)
            else:
                raise LayoutError(
                    f"cannot read a layout from a {suffix or 'suffix-less'} file; expected a filled "
                    "assaykit template (.xlsx), a wellmap layout (.toml) or a CSV layout (.csv)"
                )
    except AssaykitError as err:
        if isinstance(err, LayoutError):
            raise err.with_context(path=p) from None
        raise LayoutError(err.message, path=p, line=err.line, location=err.location) from err
    df.attrs["layout_path"] = str(p)
    return df


def experiment_from_dict(experiment: Mapping[str, Any] | None, kind: str) -> dict[str, Any]:
    """Check and complete an experiment dict given in Python (keys as in ``attrs["experiment"]``).

    Concentrations may be given in M (``radioligand_conc_M``) or as value + unit pairs
    (``radioligand_conc_M=(0.1, "nM")``); ``reference_time`` as text, datetime or Timestamp.

    Examples
    --------
    >>> e = experiment_from_dict({"radioligand_conc_M": (0.1, "nM"), "isotope": "[125I]"}, "binding")
    >>> e["radioligand_conc_M"], e["isotope"], e["radioligand_kd_M"]
    (1e-10, 'I-125', None)
    """
    items: dict[str, tuple[object, object, str | None]] = {}
    for key, value in dict(experiment or {}).items():
        if isinstance(value, tuple) and len(value) == 2:
            items[key] = (value[0], value[1], f"experiment[{key!r}]")
        else:
            unit = "M" if key.endswith("_M") else None
            items[key] = (value, unit, f"experiment[{key!r}]")
    return build_experiment(items, kind)


def layout_from_frame(
    frame: pd.DataFrame, *, kind: str = "binding", experiment: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Check a layout given as a DataFrame and return it in the layout-frame form.

    ``frame`` has the template's columns (``plate``/``well`` or ``rack``/``position``/``sample``,
    ``role``, ``compound``, ``concentration`` + ``unit`` **or** ``conc`` / ``conc_M`` in M,
    ``replicate``, uptake columns). A frame returned by :func:`read_layout` passes unchanged.
    Errors name the row (``row 3`` = third row of the frame).

    Examples
    --------
    >>> import pandas as pd
    >>> df = layout_from_frame(pd.DataFrame({"rack": [1, 1], "position": [1, 2],
    ...     "role": ["sample", "standard"], "fraction": ["lysate", ""], "time_min": [30, None]}),
    ...     kind="uptake")
    >>> print(df[["rack", "position", "role", "fraction", "condition"]].to_string(index=False))
     rack  position     role     fraction condition
        1         1   sample internalized    tracer
        1         2 standard
    """
    import pandas as pd

    kind = check_kind(kind)
    if not isinstance(frame, pd.DataFrame):
        raise LayoutError(f"a layout must be a DataFrame, got {type(frame).__name__}")
    if experiment is None:
        experiment = frame.attrs.get("experiment")
    exp = experiment_from_dict(experiment, kind)
    cols = {str(c): c for c in frame.columns}
    table = "Wells" if "well" in cols else "Tubes"
    if table == "Tubes" and not ({"rack", "position"} <= set(cols) or "sample" in cols):
        have = ", ".join(cols) or "no columns"
        raise LayoutError(
            f"a layout frame needs a 'well' column (plate readers) or 'rack' + 'position' (counters); it has {have}"
        )
    if "role" not in cols:
        raise LayoutError("a layout frame needs a 'role' column; it has " + ", ".join(cols))
    records = []
    for rec in frame.to_dict(orient="records"):
        r = {str(k): v for k, v in rec.items()}
        if "conc" in r:
            r.setdefault("conc_M", r.pop("conc"))
        if "concentration" in r and "conc_M" in r and is_blank(r["concentration"]):
            r.pop("concentration")
        records.append(r)
    df = build_layout(
        records,
        kind=kind,
        table=table,
        locate=lambda i, key: f"row {i + 1} ({key})",
        experiment=exp,
    )
    return df


def _present(s: pd.Series) -> bool:
    return bool(s.map(lambda v: not is_blank(v)).all())


def annotate(table: pd.DataFrame, layout: pd.DataFrame) -> pd.DataFrame:
    """Merge a layout onto an export table (pure: neither input is changed).

    Keys: ``plate`` + ``well`` (a layout without plate numbers applies to every plate; a counter
    table with ``well`` columns works too), ``rack`` + ``position``, or ``sample`` codes when the
    layout identifies tubes only by sample code.

    Parameters
    ----------
    table
        An export table (docs/CONTRACTS.md §1).
    layout
        A layout frame from :func:`read_layout` or :func:`layout_from_frame`.

    Returns
    -------
    pandas.DataFrame
        ``table`` with the layout columns added; wells/tubes the layout does not list keep
        ``role == ""``. ``attrs``: the table's, plus the layout's ``experiment``, ``kind``
        (binding/uptake; the export's own kind moves to ``export_kind``) and ``unannotated``
        (number of export wells or tubes not in the layout).

    Raises
    ------
    LayoutError
        When the layout names wells or tubes the export lacks (the first few and the count).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"plate": [1, 1, 1], "well": ["A01", "A02", "A03"], "value": [9.0, 1.0, 5.0]})
    >>> layout = layout_from_frame(pd.DataFrame({"well": ["A1", "A2"], "role": ["total", "nsb"]}))
    >>> out = annotate(table, layout)
    >>> print(out[["well", "value", "role"]].to_string(index=False))
    well  value  role
     A01    9.0 total
     A02    1.0   nsb
     A03    5.0
    >>> out.attrs["unannotated"]
    1
    """
    import pandas as pd

    if not isinstance(table, pd.DataFrame) or not isinstance(layout, pd.DataFrame):
        raise LayoutError("annotate(table, layout) needs two DataFrames")
    if layout.attrs.get("kind") not in ("binding", "uptake"):
        # a frame built by hand: check it (and normalise well names) before merging
        layout = layout_from_frame(
            layout, kind="uptake" if "fraction" in layout.columns else "binding"
        )
    keys, lay = _merge_keys(table, layout)
    tab = table.copy()
    lay = lay.copy()
    if "well" in keys:
        from assaykit.plate import normalise_well

        try:
            tab["well"] = tab["well"].map(lambda w: normalise_well(str(w)))
        except ValueError as err:
            raise LayoutError(f"the export has a well name that is not a well: {err}") from None
    for k in keys:
        if k in ("plate", "rack", "position"):
            tab[k] = pd.to_numeric(tab[k], errors="coerce").astype("Int64")
            lay[k] = lay[k].astype("Int64")
        else:
            tab[k] = tab[k].astype(str).str.strip()
            lay[k] = lay[k].astype(str).str.strip()
    have = set(map(tuple, tab[keys].drop_duplicates().itertuples(index=False, name=None)))
    wanted = list(lay[keys].itertuples(index=False, name=None))
    missing = [k for k in wanted if tuple(k) not in have]
    if missing:
        names = [_name(keys, k) for k in missing]
        more = f" and {len(names) - 5} more" if len(names) > 5 else ""
        what = ("well" if "well" in keys else "tube") + ("s" if len(names) > 1 else "")
        raise LayoutError(
            f"the layout names {len(names)} {what} the export lacks: {', '.join(names[:5])}{more}; "
            "check the plate/rack numbers and the layout file"
        )
    value_cols = [c for c in lay.columns if c not in keys]
    clash = [c for c in value_cols if c in tab.columns]
    lay = lay.rename(columns={c: f"layout_{c}" for c in clash})
    out = tab.merge(lay, on=keys, how="left", validate="many_to_one", sort=False)
    for c in out.columns:
        if c in lay.columns and c not in keys and out[c].dtype == object:
            out[c] = out[c].fillna("")
    annotated = set(map(tuple, lay[keys].itertuples(index=False, name=None)))
    out.attrs = dict(table.attrs)
    if "kind" in table.attrs:
        out.attrs["export_kind"] = table.attrs["kind"]
    for key, v in layout.attrs.items():
        out.attrs[key] = v
    out.attrs["unannotated"] = len(have - annotated)
    out.attrs["layout_keys"] = list(keys)
    return out


def _name(keys: list[str], k: tuple[Any, ...]) -> str:
    d = dict(zip(keys, k, strict=True))
    if "well" in d:
        return d["well"] + (f" (plate {d['plate']})" if "plate" in d else "")
    if "rack" in d:
        return f"rack {d['rack']} pos {d['position']}"
    return f"sample {d['sample']!r}"


def _merge_keys(table: pd.DataFrame, layout: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    """The key columns of the merge, and the layout reduced to those plus its value columns."""
    tcols = set(map(str, table.columns))
    lay = layout
    if "well" in layout.columns:
        if "well" not in tcols:
            raise LayoutError(
                "the layout lists wells (plate map) but the export has no 'well' column; "
                "for gamma-counter runs fill in the Tubes sheet (rack, position) instead"
            )
        if "plate" in layout.columns and _present(layout["plate"]):
            if "plate" not in tcols:
                raise LayoutError(
                    "the layout gives plate numbers but the export has no 'plate' column"
                )
            return ["plate", "well"], lay
        return ["well"], lay.drop(columns=[c for c in ("plate",) if c in lay.columns])
    if {"rack", "position"} <= set(layout.columns) and _present(layout["rack"]):
        if not {"rack", "position"} <= tcols:
            raise LayoutError(
                "the layout lists tubes by rack and position but the export has no 'rack'/'position' "
                "columns; use a plate map (Wells sheet) for plate readers"
            )
        drop = [c for c in ("sample",) if c in lay.columns and (c in tcols or not _present(lay[c]))]
        return ["rack", "position"], lay.drop(columns=drop)
    if "sample" in layout.columns and _present(layout["sample"]):
        if "sample" not in tcols:
            raise LayoutError(
                "the layout identifies tubes by sample code but the export has no 'sample' column"
            )
        lay = lay.drop(columns=[c for c in ("rack", "position") if c in lay.columns])
        return ["sample"], lay
    raise LayoutError(
        "the layout has no keys: expected 'well', 'rack' + 'position', or 'sample' values"
    )
