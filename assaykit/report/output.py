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
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import AssaykitError, OutputError
from assaykit.io._files import InputLog, hash_input
from assaykit.report._files import (
    _make_parents,
    _place_new,
    _remove_created,
    _write_frame,
    neutralise_formula,
    sanitise_frame,
    write_workbook,
)
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
    "write_workbook",
]


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
