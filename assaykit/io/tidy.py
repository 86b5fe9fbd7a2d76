"""Read a tidy table (CSV/TSV/XLSX) that a user prepared, with the same care as an export.

Used where an analysis accepts "a tidy table" instead of an instrument export: decoding,
separators and workbooks go through the same guarded helpers as the readers, so a damaged or
hostile file gives a one-line :class:`~assaykit.errors.ParseError`, never a traceback.
"""

from __future__ import annotations

import io
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

from assaykit.errors import AssaykitError, ParseError, SchemaError, UnsupportedFormatError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_annotated_table", "read_tidy", "read_tidy_table"]


def read_tidy_table(path: str | PathLike[str]) -> pd.DataFrame:
    """Read a header row plus data rows from a CSV/TSV (any separator) or the first xlsx sheet.

    Numbers stay numbers; text columns stay text; nothing is renamed.

    Raises
    ------
    ParseError
        Missing, empty, binary, undecodable or damaged file, or no header row with data below it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "points.csv"
    >>> _ = p.write_text("curve;conc;response\\nA;1e-9;98,5\\n", encoding="utf-8")
    >>> read_tidy_table(p).to_dict("records")
    [{'curve': 'A', 'conc': 1e-09, 'response': 98.5}]
    """
    import pandas as pd

    p = Path(path)
    from assaykit.io._files import require_regular_file

    require_regular_file(p, what="table")  # before opening: a FIFO would block
    with p.open("rb") as fh:
        head = fh.read(4)
    if head[:4] == b"PK\x03\x04":
        from assaykit.io._xlsx import checked_rows, load_workbook_safely, visible_worksheets

        wb = load_workbook_safely(p)
        try:
            if not wb.worksheets:
                raise ParseError("the workbook has no sheets", path=p)
            shown = visible_worksheets(wb, p)  # the active sheet if visible, never a hidden one
            active = wb.active if wb.active in shown else shown[0]
            rows = checked_rows(active)
        except ParseError as err:
            raise err.with_context(path=p) from None
        except Exception as err:  # damaged sheet XML surfaces while iterating
            raise ParseError(f"cannot read the first sheet ({type(err).__name__})", path=p) from err
        finally:
            wb.close()
        rows = [r for r in rows if any(v is not None and str(v).strip() for v in r)]
        if len(rows) < 2:
            raise ParseError(
                "no table found: expected a header row and at least one data row", path=p
            )
        header = ["" if v is None else str(v).strip() for v in rows[0]]
        width = len(header)
        body = [list(r[:width]) + [None] * (width - len(r)) for r in rows[1:]]
        df = pd.DataFrame(body, columns=header)
        for col in df.columns:
            num = pd.to_numeric(df[col], errors="coerce")
            if num.notna().sum() == df[col].notna().sum():
                df[col] = num
        return df

    from assaykit.io._text import detect_decimal, detect_separator, read_text

    text, _encoding = read_text(p)
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) < 2:
        raise ParseError("no table found: expected a header row and at least one data row", path=p)
    sep = detect_separator(lines[:50])
    cells = [c for ln in lines[1:50] for c in ln.split(sep)]
    decimal = detect_decimal(cells, sep)
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, decimal=decimal, skip_blank_lines=True)
    except (pd.errors.ParserError, ValueError) as err:
        msg = " ".join(str(err).split())
        raise ParseError(f"not a readable table ({msg})", path=p) from None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def read_tidy(
    path: str | PathLike[str], *, x: str = "conc", y: str = "response", by: str = "curve"
) -> pd.DataFrame:
    """Read a tidy table of points and return it with columns ``conc``, ``response``, ``curve``.

    The original columns named by ``x``, ``y``, ``by`` are renamed; other columns are kept.

    Raises
    ------
    SchemaError
        A column is missing (the message suggests ``--layout`` for instrument exports) or
        ``x``/``y`` hold text that is not a number (the row is named).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "points.csv"
    >>> _ = p.write_text("name,c,r\\nA,1e-9,98.5\\n", encoding="utf-8")
    >>> read_tidy(p, x="c", y="r", by="name").to_dict("records")
    [{'curve': 'A', 'conc': 1e-09, 'response': 98.5}]
    """
    import pandas as pd

    p = Path(path)
    df = read_tidy_table(p)
    missing = [c for c in (x, y, by) if c not in df.columns]
    if missing:
        fmt = _export_format(p)
        if fmt:
            raise SchemaError(
                f"this is a {fmt} instrument export, not a tidy table: give its filled binding template "
                "with --layout FILLED.xlsx (make one with 'assaykit template binding')",
                path=p,
            )
        have = ", ".join(repr(c) for c in df.columns[:12]) + (" …" if len(df.columns) > 12 else "")
        raise SchemaError(
            f"a tidy table needs columns {x!r} (concentration, M), {y!r} (response) and {by!r} (curve); "
            f"missing {', '.join(map(repr, missing))} (it has {have}). Name other columns with --x/--y/--by, "
            "or give an instrument export with --layout FILLED.xlsx",
            path=p,
        )
    out = df.drop(
        columns=[
            c for c in ("conc", "response", "curve") if c in df.columns and c not in (x, y, by)
        ]
    )
    out = out.rename(columns={x: "conc", y: "response", by: "curve"})
    for col, orig in (("conc", x), ("response", y)):
        num = pd.to_numeric(out[col], errors="coerce")
        bad = num.isna() & out[col].notna() & (out[col].astype(str).str.strip() != "")
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise SchemaError(
                f"column {orig!r} must hold numbers; got {out[col].iloc[i]!r}", path=p, line=i + 2
            )
        out[col] = num.astype(float)
    out["curve"] = out["curve"].astype(str).str.strip()
    return out


def _export_format(path: Path) -> str:
    """The instrument format of ``path`` when a dedicated reader recognises it, else ``''``."""
    from assaykit.io import detect_format

    try:
        name = detect_format(path)
    except AssaykitError:
        return ""
    return "" if name.startswith("generic") or name in ("plate_grid", "tube_table") else name


def read_annotated_table(path: str | PathLike[str]) -> pd.DataFrame:
    """Read a tidy counter table that already carries the layout columns (``role``, ...).

    Raises
    ------
    UnsupportedFormatError
        No ``role`` column: neither an export nor an annotated table.
    SchemaError
        ``measured_at`` holds a value that is not a date-time.
    """
    import pandas as pd

    p = Path(path)
    df = read_tidy_table(p)
    if "role" not in df.columns:
        raise UnsupportedFormatError(
            "not a known export format, and not an annotated table (no 'role' column); expected an "
            "instrument export (with --layout) or a tidy table with the layout columns",
            path=p,
        )
    if "measured_at" in df.columns:
        try:
            df["measured_at"] = pd.to_datetime(df["measured_at"])
        except (ValueError, TypeError) as err:
            raise SchemaError(
                f"column measured_at holds a value that is not a date-time: {err}", path=p
            ) from None
    for col in ("role", "fraction", "condition", "compound", "isotope", "flag"):
        if col in df.columns:
            df[col] = df[col].fillna("").astype(str)
    df.attrs["format"] = "tidy table"
    df.attrs["source"] = p.name
    return df
