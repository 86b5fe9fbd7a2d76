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

from assaykit.errors import ParseError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_tidy_table"]


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
