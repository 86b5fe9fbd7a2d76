"""Safe output: atomic writes, nothing of the user's replaced, formula injection neutralised.

Every file assaykit writes goes through this module (and :mod:`assaykit.report.folder`):

- a file is written to a temporary name in the same folder, then moved into place
  (:func:`atomic_path`), so an interrupted run (exception, Ctrl-C, SIGTERM, SIGHUP) never leaves
  a half-written CSV or workbook; a file that appeared meanwhile is not replaced without force;
- an output is never one of the inputs (``inputs=``), with or without force, and every fault of
  the path (read-only, full disk, path under a file, too-long name, ...) is one OutputError line;
- a results folder is built aside and committed at the end (:class:`OutputFolder`): only files
  an earlier assaykit run wrote (its manifest in ``provenance.json``) are ever replaced;
- text cells starting with ``=``, ``+``, ``-``, ``@`` (or tab/CR) are prefixed with ``'`` in CSV and
  XLSX so that a sample name cannot run as a spreadsheet formula;
- ``provenance.json`` records inputs (name, size, SHA-256 as read, see
  :class:`~assaykit.io.InputLog`), versions, every option used and the manifest;
- files follow the umask.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import AssaykitError, OutputError
from assaykit.io._files import InputLog, hash_input
from assaykit.report._safety import (
    check_target,
    cleanup_on_signals,
    current_umask,
    fix_modes,
    os_error,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MANIFEST_NAME",
    "InputLog",
    "OutputFolder",
    "check_target",
    "hash_input",
    "atomic_path",
    "neutralise_formula",
    "provenance",
    "read_manifest",
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


@contextlib.contextmanager
def atomic_path(
    target: str | os.PathLike[str],
    *,
    force: bool = False,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it onto ``target`` only on success.

    Refused (OutputError, one line) when ``target`` is one of ``inputs`` (with or without
    ``force``), exists without ``force``, or cannot be written; a file that appears at
    ``target`` while writing is never replaced without ``force``. SIGTERM/SIGHUP and Ctrl-C
    remove the temporary file; folders created for it are removed again on failure. The file
    gets the permissions of the umask.
    """
    raw = target
    path = check_target(target, inputs, kind="file")
    if path.exists() and not force:
        raise OutputError("exists; use --force to replace it", path=raw)
    mask = current_umask()
    created: list[Path] = []
    tmp_path: Path | None = None
    ok = False
    with cleanup_on_signals():
        try:
            created = _make_parents(path.parent)
            fd, tmp = tempfile.mkstemp(
                prefix=f".{path.name[:200]}.", suffix=".part", dir=path.parent
            )
            os.close(fd)
            tmp_path = Path(tmp)
            yield tmp_path
            fix_modes(tmp_path, mask)
            if force:
                check_target(path, inputs, kind="file")  # still not an input (symlink swapped?)
                os.replace(tmp_path, path)
            else:
                _place_new(tmp_path, path, raw)
            ok = True
        except AssaykitError:
            raise
        except OSError as err:
            raise os_error(err, raw) from err
        finally:
            if tmp_path is not None and os.path.lexists(tmp_path):
                with contextlib.suppress(OSError):
                    tmp_path.unlink()
            if not ok:
                _remove_created(created)


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


def write_table(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> Path:
    """Write ``df`` to ``.csv`` or ``.xlsx`` atomically, formula-safe, refusing to overwrite.

    ``inputs`` are the files the table was made from: ``path`` may never be one of them, with
    or without ``force``. Every fault of the path is an OutputError of one line.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    fmt = {".csv": "csv", ".xlsx": "xlsx", ".txt": "csv"}.get(suffix)
    if fmt is None:
        raise OutputError(
            f"cannot write a table to {target.name}: expected a .csv or .xlsx file name"
        )
    with atomic_path(target, force=force, inputs=inputs) as tmp:
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
    inputs: Mapping[str, str | os.PathLike[str] | None],
    options: Mapping[str, Any],
    command: str,
    *,
    log: InputLog | None = None,
) -> dict[str, Any]:
    """What a result needs to be reproduced: inputs with hashes, versions, every option used.

    With ``log`` (an :class:`~assaykit.io.InputLog` filled as the inputs were read), each input
    is described by the hash taken when it was read, not re-read after the analysis; an input
    the log lacks is hashed now.
    """
    import platform
    from importlib import metadata

    from assaykit import __version__

    versions: dict[str, str | None] = {
        "assaykit": __version__,
        "python": platform.python_version(),
    }
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
    logged = log.records if log is not None else {}
    files: dict[str, Any] = {}
    for role, p in inputs.items():
        if p is None:
            continue
        rec = logged.get(role)
        if rec is not None and rec.path == Path(p):
            files[role] = rec.as_dict()
            continue
        path = Path(p)
        files[role] = {"name": path.name, "bytes": path.stat().st_size, "sha256": sha256_of(path)}
    return {
        "command": command,
        "inputs": files,
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in options.items()},
        "versions": versions,
    }


from assaykit.report.folder import MANIFEST_NAME, OutputFolder, read_manifest  # noqa: E402
