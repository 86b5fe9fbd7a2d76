"""Writing files safely: formula-neutral cells, reproducible workbooks, placing a new file.

The primitives under :mod:`assaykit.report.output` and :mod:`assaykit.report.folder` (both
import them from here, so neither imports the other).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import OutputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["neutralise_formula", "sanitise_frame", "write_workbook"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with ``'``; leave numbers alone.

    Examples
    --------
    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_formula("-5 nM"), neutralise_formula(-5.0), neutralise_formula("Pentixafor")
    ("'-5 nM", -5.0, 'Pentixafor')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def sanitise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell (and column name) passed through neutralise_formula."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or str(s.dtype) in ("string", "str"):
            out[col] = s.map(neutralise_formula)
    out.columns = [neutralise_formula(c) if isinstance(c, str) else c for c in out.columns]
    return out


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; return those created (to remove them on failure)."""
    created: list[Path] = []
    for p in [folder, *folder.parents]:
        if os.path.isdir(p):
            break
        created.append(p)
    for p in reversed(created):
        os.mkdir(p)
    return created


def _remove_created(created: list[Path]) -> None:
    for p in created:  # innermost first
        with contextlib.suppress(OSError):
            os.rmdir(p)


def _place_new(src: Path, dst: Path, raw: object) -> None:
    """Move ``src`` to ``dst`` only if ``dst`` does not exist (atomically where links work)."""
    try:
        os.link(src, dst)
    except FileExistsError:
        raise OutputError(
            "appeared while the results were being written; nothing was replaced "
            "(use --force to replace it)",
            path=str(raw),
        ) from None
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        if os.path.lexists(dst):  # no hard links here: check, then rename
            raise OutputError(
                "appeared while the results were being written; nothing was replaced",
                path=str(raw),
            ) from None
        os.rename(src, dst)
        return
    os.unlink(src)


def _write_frame(df: pd.DataFrame, path: Path, fmt: str) -> None:
    safe = sanitise_frame(df)
    if fmt == "csv":
        safe.to_csv(path, index=False, lineterminator="\n", float_format=None)
    elif fmt == "xlsx":
        write_workbook({"data": safe}, path, sanitised=True)
    else:  # pragma: no cover - guarded by callers
        raise OutputError(f"unknown table format {fmt!r}")


def _excel_value(v: Any) -> Any:
    import math

    import numpy as np
    import pandas as pd

    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, np.generic):
        v = v.item()
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return None
    if isinstance(v, float) and math.isinf(v):
        return None
    if v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.tz_localize(None).to_pydatetime() if v.tzinfo else v.to_pydatetime()
    if isinstance(v, pd.Timedelta):
        return v.total_seconds()
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(v, default=str)
    return v


def write_workbook(
    sheets: Mapping[str, pd.DataFrame], path: Path, *, sanitised: bool = False
) -> None:
    """Write several frames as sheets of one xlsx (to ``path`` directly; wrap in atomic_path).

    Rows are streamed (openpyxl write-only mode) and sanitised in chunks, so a results table of
    many plates never holds a million cell objects; creation and member times are fixed, so the
    same frames give the same bytes.
    """
    import datetime as _dt
    import io

    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    chunk_rows = 5000
    wb = Workbook(write_only=True)
    for name, df in sheets.items():
        ws = wb.create_sheet(title=str(name)[:31])
        ws.freeze_panes = "A2"
        header = df.iloc[:0] if sanitised else sanitise_frame(df.iloc[:0])
        for j, col in enumerate(header.columns, start=1):
            width = min(40, max(8, len(str(col)) + 2))
            ws.column_dimensions[get_column_letter(j)].width = width
        ws.append([str(c) for c in header.columns])
        for start in range(0, len(df), chunk_rows):
            part = df.iloc[start : start + chunk_rows]
            safe = part if sanitised else sanitise_frame(part)
            for row in safe.itertuples(index=False, name=None):
                ws.append([_excel_value(v) for v in row])
    wb.properties.created = _dt.datetime(2000, 1, 1)
    wb.properties.modified = _dt.datetime(2000, 1, 1)
    wb.properties.creator = "assaykit"
    buf = io.BytesIO()
    wb.save(buf)
    Path(path).write_bytes(_reproducible_zip(buf.getvalue()))


_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _reproducible_zip(data: bytes) -> bytes:
    """The same workbook with fixed member time stamps (openpyxl stamps the save time)."""
    import io
    import re
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", body
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, body)
    return out.getvalue()
