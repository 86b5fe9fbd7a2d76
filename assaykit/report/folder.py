"""A results folder: built aside, committed at the end, replacing only what assaykit wrote.

:class:`OutputFolder` is what every analysis writes its results through. The rules:

- **Inputs are sacred.** The folder may not be an input, nor hold one (at any depth), with
  ``force`` or without; compared by device and inode (symlinks, ``.``, ``..``, relative paths,
  case-insensitive file systems).
- **A manifest.** ``provenance.json`` gets a ``manifest``: every file this run wrote (relative
  path and SHA-256). That is how a later run knows which files are assaykit's.
- **Replace only what assaykit wrote.** A new folder is renamed into place in one step. Into an
  existing folder the files are moved one by one, and only if nothing collides: a file of an
  earlier run (listed in its manifest, unchanged since) is replaced with ``force``; any other file
  in the way (the user's, or an assaykit output edited since) refuses the run, listing it, with
  ``force`` or without. With ``force``, outputs of the earlier run that this run does not write
  are removed (only when unchanged). Nothing else is ever deleted; a folder is never emptied.
- **Checked again at the end.** A folder that appeared while the analysis ran is treated by the
  same rules; a lock file makes a second concurrent run on the same folder fail at once.
- **Nothing left behind.** An exception, Ctrl-C, SIGTERM or SIGHUP removes the staging folder
  and the lock; a move that fails half-way is undone. Every fault of the path is one
  :class:`~assaykit.errors.OutputError` line. Files and folders follow the umask.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import AssaykitError, OutputError
from assaykit.report._safety import (
    FolderLock,
    check_target,
    cleanup_on_signals,
    current_umask,
    fix_modes,
    os_error,
)

if TYPE_CHECKING:
    import pandas as pd

    from assaykit.io._files import InputLog

__all__ = ["MANIFEST_NAME", "OutputFolder", "read_manifest"]

#: The file holding the manifest (``{"manifest": {"files": {relpath: sha256}}}``).
MANIFEST_NAME = "provenance.json"
_LOCK = ".assaykit.lock"
_STAGE_PREFIX = ".assaykit-"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(folder: str | os.PathLike[str]) -> dict[str, str | None]:
    """Files an earlier assaykit run wrote into ``folder``: ``{relative path: sha256}``.

    Empty when the folder has no ``provenance.json`` with a manifest (then nothing in it is
    assaykit's). ``provenance.json`` itself maps to ``None`` (it is rewritten by every run).
    """
    p = Path(folder) / MANIFEST_NAME
    try:
        with open(p, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    files = data.get("manifest", {}).get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    out: dict[str, str | None] = {
        str(k): (str(v) if v else None) for k, v in files.items() if _safe_rel(str(k))
    }
    out[MANIFEST_NAME] = None
    return out


def _safe_rel(rel: str) -> bool:
    parts = Path(rel).parts
    return bool(parts) and not Path(rel).is_absolute() and ".." not in parts


def _listing(names: list[str], limit: int = 6) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" (and {len(names) - limit} more)" if len(names) > limit else "")


class OutputFolder:
    """A results folder assembled aside and moved into place when complete.

    Parameters
    ----------
    target
        The results folder. It may exist: then files are added if nothing collides.
    force
        Replace the files of an earlier assaykit run in ``target`` (never any other file).
    inputs
        The files the results are made from (export, layout, ...): ``target`` may not be one of
        them nor a folder holding one of them, with ``force`` or without.
    log
        An :class:`~assaykit.io.InputLog`: its inputs are protected too, and
        :meth:`InputLog.verify` runs before anything is committed (an input changed during the
        run is an error, nothing is written).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> with OutputFolder(root / "out") as out:
    ...     _ = out.write_csv(pd.DataFrame({"a": [1]}), "results.csv")
    >>> sorted(p.name for p in (root / "out").iterdir())
    ['provenance.json', 'results.csv']
    >>> _ = (root / "out" / "notes.txt").write_text("mine")
    >>> with OutputFolder(root / "out", force=True) as out:
    ...     _ = out.write_csv(pd.DataFrame({"a": [2]}), "results.csv")
    >>> sorted(p.name for p in (root / "out").iterdir())  # the user's notes are kept
    ['notes.txt', 'provenance.json', 'results.csv']
    """

    def __init__(
        self,
        target: str | os.PathLike[str],
        *,
        force: bool = False,
        inputs: Iterable[str | os.PathLike[str] | None] = (),
        log: InputLog | None = None,
    ) -> None:
        self.raw = os.fspath(target)
        self.log = log
        self.inputs = [p for p in inputs if p is not None]
        self.target = check_target(target, self._all_inputs(), kind="folder")
        self.force = force
        self.tmp: Path | None = None
        self._lock: FolderLock | None = None
        self._made: list[Path] = []
        self._committed = False
        self._signals: contextlib.ExitStack | None = None
        self._mask = current_umask()
        if self.target.is_dir() and not force:
            ours = [r for r in read_manifest(self.target) if (self.target / r).exists()]
            if len(ours) > 1:  # more than provenance.json: results of an earlier run
                raise OutputError(
                    f"exists; use --force to replace it (it holds the results of an earlier "
                    f"run: {_listing(sorted(ours))})",
                    path=self.raw,
                )

    def _all_inputs(self) -> list[str | os.PathLike[str]]:
        return [*self.inputs, *(self.log.paths() if self.log is not None else [])]

    # ---- life cycle ------------------------------------------------------------------------

    def __enter__(self) -> OutputFolder:
        stack = contextlib.ExitStack()
        stack.enter_context(cleanup_on_signals())
        self._signals = stack
        try:
            if self.target.is_dir():
                self._lock = FolderLock(self.target / _LOCK, self.raw)
                self._lock.acquire()
                where = self.target
            else:
                from assaykit.report._files import _make_parents

                where = self.target.parent
                self._made = _make_parents(where)  # removed again unless the run commits
                self._lock = FolderLock(where / f".{self.target.name[:200]}{_LOCK}", self.raw)
                self._lock.acquire()
            self.tmp = Path(tempfile.mkdtemp(prefix=_STAGE_PREFIX, suffix=".part", dir=where))
        except BaseException as err:
            self._cleanup()
            if isinstance(err, OSError) and not isinstance(err, AssaykitError):
                raise os_error(err, self.raw) from err
            raise
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        try:
            if exc is None:
                try:
                    self._commit()
                    self._committed = True
                except AssaykitError:
                    raise
                except OSError as err:
                    raise os_error(err, self.raw) from err
            elif isinstance(exc, OSError) and not isinstance(exc, AssaykitError):
                raise os_error(exc, self.raw) from exc
        finally:
            self._cleanup()

    def _cleanup(self) -> None:
        if self.tmp is not None and self.tmp.exists():
            shutil.rmtree(self.tmp, ignore_errors=True)
        if self._lock is not None:
            self._lock.release()
        if not self._committed:
            for d in self._made:  # folders made for a run that left nothing
                with contextlib.suppress(OSError):
                    os.rmdir(d)
        if self._signals is not None:
            self._signals.close()
            self._signals = None

    # ---- commit ----------------------------------------------------------------------------

    def _staged_files(self) -> list[str]:
        assert self.tmp is not None
        return sorted(
            p.relative_to(self.tmp).as_posix()
            for p in self.tmp.rglob("*")
            if p.is_file() or p.is_symlink()
        )

    def _write_manifest(self, files: list[str]) -> None:
        assert self.tmp is not None
        prov = self.tmp / MANIFEST_NAME
        data: dict[str, Any] = {}
        if prov.exists():
            with contextlib.suppress(ValueError):
                loaded = json.loads(prov.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    data = loaded
        data["manifest"] = {
            "written_by": "assaykit",
            "files": {rel: _sha256(self.tmp / rel) for rel in files if rel != MANIFEST_NAME},
        }
        prov.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", "utf-8")

    def _commit(self) -> None:
        assert self.tmp is not None
        if self.log is not None:
            self.log.verify()
        check_target(self.target, self._all_inputs(), kind="folder")  # still not an input
        files = self._staged_files()
        self._write_manifest(files)
        if MANIFEST_NAME not in files:
            files.append(MANIFEST_NAME)
        fix_modes(self.tmp, self._mask)
        if self.tmp.parent != self.target and not os.path.lexists(self.target):
            try:
                os.rename(self.tmp, self.target)  # one step; an empty folder made meanwhile is
                return  # replaced (nothing in it), a non-empty one makes this fail
            except OSError:
                if not self.target.is_dir():
                    raise OutputError(
                        "appeared while the results were being written and is not a folder; "
                        "nothing was written",
                        path=self.raw,
                    ) from None
        if not self.target.is_dir():
            raise OutputError("exists and is not a folder; nothing was written", path=self.raw)
        self._merge(sorted(set(files)))

    def _merge(self, files: list[str]) -> None:
        assert self.tmp is not None
        old = read_manifest(self.target)
        ours_unchanged = {
            rel
            for rel, digest in old.items()
            if (self.target / rel).is_file()
            and (digest is None or _sha256(self.target / rel) == digest)
        }
        replace: list[str] = []
        foreign: list[str] = []
        earlier: list[str] = []
        for rel in files:
            dst = self.target / rel
            blocking = [rel] if os.path.lexists(dst) else []
            for parent in Path(rel).parents:
                d = self.target / parent
                if str(parent) != "." and os.path.lexists(d) and not d.is_dir():
                    blocking.append(parent.as_posix())
            for b in blocking:
                if b in ours_unchanged:
                    (replace if self.force else earlier).append(b)
                else:
                    foreign.append(b)
        if foreign:
            raise OutputError(
                f"holds files assaykit did not write (or that were edited since) where this run "
                f"writes: {_listing(foreign)}; nothing was written or removed; choose another "
                "folder, or move those files",
                path=self.raw,
            )
        if earlier:
            raise OutputError(
                f"exists; use --force to replace it (it holds the results of an earlier run: "
                f"{_listing(earlier)})",
                path=self.raw,
            )
        stale = sorted(r for r in ours_unchanged - set(files) if self.force)
        self._move_in(files, set(replace), stale)

    def _move_in(self, files: list[str], replace: set[str], stale: list[str]) -> None:
        assert self.tmp is not None
        backup = self.tmp / ".replaced"
        moved: list[Path] = []
        backed: list[tuple[Path, Path]] = []
        made: list[Path] = []
        from assaykit.report._files import _place_new

        try:
            for rel in [*files, *stale]:
                dst = self.target / rel
                if rel in replace or rel in stale:
                    keep = backup / rel
                    keep.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(dst, keep)
                    backed.append((keep, dst))
                if rel in stale:
                    continue
                for parent in reversed(Path(rel).parents):
                    d = self.target / parent
                    if str(parent) != "." and not d.exists():
                        os.mkdir(d)
                        made.append(d)
                _place_new(self.tmp / rel, dst, self.raw)
                moved.append(dst)
        except BaseException:
            for p in reversed(moved):
                with contextlib.suppress(OSError):
                    p.unlink()
            for keep, dst in reversed(backed):
                with contextlib.suppress(OSError):
                    os.replace(keep, dst)
            for d in reversed(made):
                with contextlib.suppress(OSError):
                    os.rmdir(d)
            raise
        for rel in stale:  # remove folders the earlier run made that are now empty
            for parent in Path(rel).parents:
                if str(parent) != ".":
                    with contextlib.suppress(OSError):
                        os.rmdir(self.target / parent)

    # ---- writing ---------------------------------------------------------------------------

    def path(self, name: str) -> Path:
        """Path of ``name`` inside the folder being built."""
        if self.tmp is None:
            raise RuntimeError("OutputFolder used outside its with-block")
        if Path(name).name != name or name in ("", ".", "..") or name.startswith(_STAGE_PREFIX):
            raise ValueError(f"output names must be plain file names, got {name!r}")
        if name == _LOCK:
            raise ValueError(f"{name!r} is reserved")
        return self.tmp / name

    def write_csv(self, df: pd.DataFrame, name: str) -> Path:
        """Write a formula-safe CSV (deterministic: same frame, same bytes)."""
        from assaykit.report._files import _write_frame

        p = self.path(name)
        _write_frame(df, p, "csv")
        return p

    def write_xlsx(self, sheets: Mapping[str, pd.DataFrame], name: str) -> Path:
        """Write a formula-safe workbook with one sheet per frame."""
        from assaykit.report._files import write_workbook

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
