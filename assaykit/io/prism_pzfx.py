"""GraphPad Prism .pzfx files (XML): XY, column and grouped data tables as one tidy table.

Years of a lab's data live in Prism files; this reader brings their data tables back as rows:

``table, table_type, row, row_title, x, column, subcolumn, value, text, flag``

- ``table``: the table's title; ``table_type``: Prism's ``TableType`` (``XY``, ``OneWay`` for
  column tables, ``TwoWay`` for grouped tables, ...);
- ``row``: 1-based row number; ``row_title``: the row's title when the table has one;
- ``x``: the X value of the row (XY tables; NaN elsewhere);
- ``column``: the Y column's title (``Y1``, ``Y2`` ... when untitled); ``subcolumn``: 1-based
  subcolumn (the replicate, or mean/SD/N in that order for summary formats);
- ``value``: the number (dot or comma decimals both read); ``text`` keeps the cell as written;
- ``flag``: ``excluded`` for values Prism shows struck out (``Excluded="1"``; the number is kept),
  ``text`` for a cell that is not a number (value NaN), ``""`` otherwise. Empty cells give no row.

Prism's newer ``.prism`` (zip) format and the analyses and graphs inside a .pzfx are not read.
The XML is parsed with defusedxml (no entity expansion, no external entities).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import ParseError
from assaykit.io._registry import FileSample, register

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["parse_prism_number", "read_pzfx"]

COLUMNS = (
    "table",
    "table_type",
    "row",
    "row_title",
    "x",
    "column",
    "subcolumn",
    "value",
    "text",
    "flag",
)
_NUMBER = re.compile(r"^[+-]?(\d+|\d*\.\d+|\d+\.\d*)([eE][+-]?\d+)?$")
_MAX_BYTES = 200 * 1024 * 1024


def parse_prism_number(text: str) -> float:
    """A cell's number: dot or comma decimal, optional thousands separator; NaN if not a number.

    Examples
    --------
    >>> parse_prism_number("1,5"), parse_prism_number("-2.25e-3"), parse_prism_number("1.234,5")
    (1.5, -0.00225, 1234.5)
    >>> parse_prism_number("1,234.5"), parse_prism_number("12 345,6")
    (1234.5, 12345.6)
    >>> import math; math.isnan(parse_prism_number("n.d."))
    True
    """
    s = text.strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    if "," in s and "." in s:
        # the later separator is the decimal one, the other groups thousands
        if s.rfind(",") > s.rfind("."):
            s = s.replace(".", "").replace(",", ".")
        else:
            s = s.replace(",", "")
    elif s.count(",") == 1:
        s = s.replace(",", ".")
    return float(s) if _NUMBER.match(s) else math.nan


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if _local(c.tag) == name]


def _text(el: Any) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def _sniff(sample: FileSample) -> bool:
    return "<GraphPadPrismFile" in sample.text[:4096]


def _cells(sub: Any) -> list[tuple[str, bool]]:
    return [(_text(d), d.get("Excluded") == "1") for d in _children(sub, "d")]


@register(
    "prism_pzfx",
    description="GraphPad Prism .pzfx project (XML): XY, column and grouped data tables",
    kind="table",
    sniff=_sniff,
    priority=20,
    aliases=("pzfx", "prism"),
)
def read_pzfx(path: Path) -> pd.DataFrame:
    """Read every data table of a .pzfx file into the tidy table described in the module doc."""
    import pandas as pd
    from defusedxml import ElementTree as SafeET

    p = Path(path)
    if p.stat().st_size > _MAX_BYTES:
        raise ParseError("the .pzfx file is larger than 200 MB", path=p)
    try:
        root = SafeET.parse(p).getroot()
    except SafeET.ParseError as err:
        line = getattr(err, "position", (None, None))[0]
        raise ParseError(f"not well-formed XML ({err})", path=p, line=line) from None
    if _local(root.tag) != "GraphPadPrismFile":
        raise ParseError(
            f"the root element is <{_local(root.tag)}>, not <GraphPadPrismFile>", path=p
        )
    rows: list[dict[str, Any]] = []
    tables = [t for t in root.iter() if _local(t.tag) in ("Table", "HugeTable")]
    for n_table, table in enumerate(tables, start=1):
        title = _text(next(iter(_children(table, "Title")), None)) or f"Table {n_table}"
        ttype = table.get("TableType", "")
        x_by_row: dict[int, float] = {}
        for xcol in _children(table, "XColumn"):
            subs = _children(xcol, "Subcolumn")
            if subs:
                for i, (txt, _ex) in enumerate(_cells(subs[0]), start=1):
                    if txt:
                        x_by_row[i] = parse_prism_number(txt)
        titles: dict[int, str] = {}
        for rt in _children(table, "RowTitlesColumn"):
            for sub in _children(rt, "Subcolumn")[:1]:
                titles = {i: txt for i, (txt, _ex) in enumerate(_cells(sub), start=1)}
        ycols = [c for c in table if _local(c.tag) in ("YColumn", "YAdvancedColumn")]
        for k, ycol in enumerate(ycols, start=1):
            col_title = _text(next(iter(_children(ycol, "Title")), None)) or f"Y{k}"
            for j, sub in enumerate(_children(ycol, "Subcolumn"), start=1):
                for i, (txt, excluded) in enumerate(_cells(sub), start=1):
                    if not txt:
                        continue
                    value = parse_prism_number(txt)
                    flag = "excluded" if excluded else ("text" if math.isnan(value) else "")
                    rows.append(
                        {
                            "table": title,
                            "table_type": ttype,
                            "row": i,
                            "row_title": titles.get(i, ""),
                            "x": x_by_row.get(i, math.nan),
                            "column": col_title,
                            "subcolumn": j,
                            "value": value,
                            "text": txt,
                            "flag": flag,
                        }
                    )
    if not tables:
        raise ParseError("the Prism file holds no data table", path=p)
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    df = df.astype({"row": "int64", "subcolumn": "int64", "x": "float64", "value": "float64"})
    df.attrs["prism_version"] = root.get("PrismXMLVersion", "")
    df.attrs["tables"] = [
        _text(next(iter(_children(t, "Title")), None)) or f"Table {i}"
        for i, t in enumerate(tables, start=1)
    ]
    return df
