"""Safe output: atomic writes, no silent overwrite, formula-injection neutralised, provenance.

Every file assaykit writes goes through this module:

- a file is written to a temporary name in the same folder, then renamed into place, so an
  interrupted run never leaves a half-written CSV or workbook;
- a results folder is built under a temporary name and renamed when complete
  (:class:`OutputFolder`); an existing folder is replaced only with ``force=True``;
- text cells starting with ``=``, ``+``, ``-``, ``@`` (or tab/CR) are prefixed with ``'`` in CSV and
  XLSX so that a sample name cannot run as a spreadsheet formula;
- ``provenance.json`` records inputs (name, size, SHA-256), versions and every option used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import OutputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "OutputFolder",
    "atomic_path",
    "neutralise_formula",
    "provenance",
    "sanitise_frame",
    "sha256_of",
    "write_table",
]

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


@contextlib.contextmanager
def atomic_path(target: Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` only on success."""
    target = Path(target)
    if target.exists() and not force:
        raise OutputError(f"{target} exists; use --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _write_frame(df: pd.DataFrame, path: Path, fmt: str) -> None:
    safe = sanitise_frame(df)
    if fmt == "csv":
        safe.to_csv(path, index=False, lineterminator="\n", float_format=None)
    elif fmt == "xlsx":
        write_workbook({"data": safe}, path, sanitised=True)
    else:  # pragma: no cover - guarded by callers
        raise OutputError(f"unknown table format {fmt!r}")


def write_table(df: pd.DataFrame, path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write ``df`` to ``.csv`` or ``.xlsx`` atomically, formula-safe, refusing to overwrite."""
    target = Path(path)
    suffix = target.suffix.lower()
    fmt = {".csv": "csv", ".xlsx": "xlsx", ".txt": "csv"}.get(suffix)
    if fmt is None:
        raise OutputError(
            f"cannot write a table to {target.name}: expected a .csv or .xlsx file name"
        )
    with atomic_path(target, force=force) as tmp:
        _write_frame(df, tmp, fmt)
    return target


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


def sha256_of(path: str | os.PathLike[str]) -> str:
    """SHA-256 hex digest of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def provenance(
    inputs: Mapping[str, str | os.PathLike[str] | None], options: Mapping[str, Any], command: str
) -> dict[str, Any]:
    """What a result needs to be reproduced: inputs with hashes, versions, every option used."""
    import platform
    from importlib import metadata

    from assaykit import __version__

    versions = {"assaykit": __version__, "python": platform.python_version()}
    for pkg in (
        "numpy",
        "pandas",
        "scipy",
        "pingouin",
        "plotnine",
        "matplotlib",
        "openpyxl",
        "typer",
    ):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    files = {}
    for role, p in inputs.items():
        if p is None:
            continue
        path = Path(p)
        files[role] = {"name": path.name, "bytes": path.stat().st_size, "sha256": sha256_of(path)}
    return {
        "command": command,
        "inputs": files,
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in options.items()},
        "versions": versions,
    }


class OutputFolder:
    """A results folder assembled under a temporary name and moved into place when complete.

    Use as a context manager; on an exception (or Ctrl-C) nothing is left at the target.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> with OutputFolder(root / "out") as out:
    ...     _ = out.write_csv(pd.DataFrame({"a": [1]}), "results.csv")
    >>> sorted(p.name for p in (root / "out").iterdir())
    ['results.csv']
    """

    def __init__(self, target: str | os.PathLike[str], *, force: bool = False) -> None:
        self.target = Path(target)
        self.force = force
        if self.target.exists():
            if not force:
                raise OutputError(f"{self.target} exists; use --force to replace it")
            if not self.target.is_dir():
                raise OutputError(f"{self.target} exists and is not a folder")
        self.tmp: Path | None = None

    def __enter__(self) -> OutputFolder:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(
            tempfile.mkdtemp(prefix=f".{self.target.name}.", suffix=".part", dir=self.target.parent)
        )
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        assert self.tmp is not None
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        if self.target.exists():
            old = self.target.with_name(f".{self.target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(self.target, old)
            os.replace(self.tmp, self.target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(self.tmp, self.target)

    def path(self, name: str) -> Path:
        """Path of ``name`` inside the folder being built."""
        if self.tmp is None:
            raise RuntimeError("OutputFolder used outside its with-block")
        if Path(name).name != name:
            raise ValueError(f"output names must be plain file names, got {name!r}")
        return self.tmp / name

    def write_csv(self, df: pd.DataFrame, name: str) -> Path:
        """Write a formula-safe CSV (deterministic: same frame, same bytes)."""
        p = self.path(name)
        _write_frame(df, p, "csv")
        return p

    def write_xlsx(self, sheets: Mapping[str, pd.DataFrame], name: str) -> Path:
        """Write a formula-safe workbook with one sheet per frame."""
        p = self.path(name)
        write_workbook(sheets, p)
        return p

    def write_json(self, obj: Any, name: str) -> Path:
        """Write JSON with sorted keys."""
        p = self.path(name)
        p.write_text(
            json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
        )
        return p

    def save_figure(
        self, plot: Any, stem: str, *, width: float = 4.5, height: float = 3.5
    ) -> list[Path]:
        """Save a plotnine figure as PNG (300 dpi), PDF and SVG."""
        from assaykit.report.figures import save_figure

        if Path(stem).name != stem:
            raise ValueError(f"figure names must be plain names, got {stem!r}")
        assert self.tmp is not None
        return save_figure(plot, self.tmp / stem, width=width, height=height)
