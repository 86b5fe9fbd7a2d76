"""Output-path checks shared by the writers: inputs protected, one-line errors, signals, locks.

- :func:`check_target` refuses an output that is an input, or a folder holding an input
  (compared by device and inode, so symlinks, ``.``, ``..``, relative paths and case-insensitive
  file systems cannot hide it), the file-system root and the home folder, a path under a file and
  names the file system cannot store;
- :func:`os_error` turns an ``OSError`` into an :class:`~assaykit.errors.OutputError` of one line;
- :func:`cleanup_on_signals` makes SIGTERM and SIGHUP raise ``KeyboardInterrupt`` while outputs are
  being written, so the same clean-up as Ctrl-C runs;
- :class:`FolderLock` is the lock file that tells a second run on one folder that it is busy;
- :func:`fix_modes` gives files the permissions the umask asks for (``mkstemp``/``mkdtemp``
  create 0600/0700).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import threading
from collections.abc import Iterable, Iterator
from os import PathLike
from pathlib import Path

from assaykit.errors import OutputError

__all__ = [
    "FolderLock",
    "check_target",
    "cleanup_on_signals",
    "current_umask",
    "fix_modes",
    "os_error",
]

#: Longest file name (bytes) common file systems store.
NAME_MAX = 255

_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.ENAMETOOLONG: "the name is too long for the file system",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "it is a folder",
    errno.ELOOP: "too many symbolic links",
    errno.EEXIST: "it exists",
    errno.ENOTEMPTY: "the folder is not empty",
    errno.EXDEV: "it is on another file system",
}


def os_error(err: OSError, target: str | PathLike[str]) -> OutputError:
    """One-line OutputError for ``err`` met while writing ``target`` (nothing kept).

    Examples
    --------
    >>> import errno
    >>> str(os_error(OSError(errno.ENOSPC, "No space left on device"), "out"))
    'out: cannot write the results: the disk is full; nothing was kept'
    """
    reason = _REASONS.get(err.errno or 0, err.strerror or type(err).__name__)
    return OutputError(f"cannot write the results: {reason}; nothing was kept", path=target)


def current_umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def fix_modes(root: Path, mask: int) -> None:
    """chmod ``root`` (file or folder tree) to 0666/0777 minus ``mask``, as ``open`` would."""
    paths = [root]
    if root.is_dir() and not root.is_symlink():
        paths.extend(root.rglob("*"))
    for p in paths:
        if p.is_symlink():
            continue
        mode = 0o777 if p.is_dir() else 0o666
        os.chmod(p, mode & ~mask)


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _stat(p: Path) -> os.stat_result | None:
    try:
        return os.stat(p)
    except OSError:
        return None


def check_target(
    target: str | PathLike[str],
    inputs: Iterable[str | PathLike[str] | None] = (),
    *,
    kind: str = "folder",
) -> Path:
    """The absolute output path after every check; OutputError (one line) when it is refused.

    ``kind`` is ``"folder"`` (a results folder) or ``"file"`` (one table).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "export.csv").write_text("x")
    >>> check_target(d / "sub" / "..", [d / "export.csv"])
    Traceback (most recent call last):
    ...
    assaykit.errors.OutputError: ...: holds the input export.csv; assaykit never writes into a folder holding its inputs; choose another output folder
    """
    raw = os.fspath(target)
    if not raw.strip():
        raise OutputError("the output path is empty; name a folder or file")
    path = Path(os.path.abspath(os.path.expanduser(raw)))
    for part in path.parts[1:]:
        if len(part.encode("utf-8", "surrogateescape")) > NAME_MAX:
            raise OutputError(
                f"the name {part[:40]!r}… has {len(part.encode())} bytes; file systems store at "
                f"most {NAME_MAX}",
                path=raw,
            )
    if path == Path(path.anchor) or _is_home(path):
        raise OutputError(
            "refusing to write results directly into the file-system root or the home folder; "
            "name a new folder for them",
            path=raw,
        )
    # the first existing ancestor must be a folder (a path under a file cannot be created)
    for parent in path.parents:
        st = _stat(parent)
        if st is None:
            if os.path.lexists(parent):  # a dangling symlink
                raise OutputError(f"{parent} is a broken symbolic link", path=raw)
            continue
        if not stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{parent} is a file, not a folder", path=raw)
        break
    st = _stat(path)
    if st is not None:
        if kind == "folder" and not stat.S_ISDIR(st.st_mode):
            raise OutputError("exists and is not a folder", path=raw)
        if kind == "file" and not stat.S_ISREG(st.st_mode):
            what = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
            raise OutputError(f"exists and is {what}; expected a .csv or .xlsx file name", path=raw)
    _check_inputs(path, raw, inputs, st)
    return path


def _is_home(path: Path) -> bool:
    home = _stat(Path.home())
    here = _stat(path)
    return home is not None and here is not None and _same(home, here)


def _check_inputs(
    path: Path,
    raw: str,
    inputs: Iterable[str | PathLike[str] | None],
    st: os.stat_result | None,
) -> None:
    for inp in inputs:
        if inp is None:
            continue
        ip = Path(os.path.abspath(os.path.expanduser(os.fspath(inp))))
        ist = _stat(ip)
        if ist is None:
            continue
        if st is not None and _same(st, ist):
            raise OutputError(
                f"is the input {ip.name}; assaykit never writes over its inputs", path=raw
            )
        if st is None:
            continue
        # is the input inside the target folder? (walk the input's real ancestors)
        for parent in Path(os.path.realpath(ip)).parents:
            pst = _stat(parent)
            if pst is not None and _same(pst, st):
                raise OutputError(
                    f"holds the input {ip.name}; assaykit never writes into a folder holding its "
                    "inputs; choose another output folder",
                    path=raw,
                )


_SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))
_depth = threading.local()


def _raise_interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


@contextlib.contextmanager
def cleanup_on_signals() -> Iterator[None]:
    """While active, SIGTERM and SIGHUP raise KeyboardInterrupt (clean-up runs, as for Ctrl-C).

    Only in the main thread (elsewhere signal handlers cannot be set); nests.
    """
    if threading.current_thread() is not threading.main_thread() or getattr(_depth, "n", False):
        yield
        return
    old = {s: signal.getsignal(s) for s in _SIGNALS}
    _depth.n = True
    try:
        for s in _SIGNALS:
            if old[s] in (signal.SIG_DFL, None) or old[s] is signal.default_int_handler:
                signal.signal(s, _raise_interrupt)
        yield
    finally:
        for s, h in old.items():
            if h is not None:
                signal.signal(s, h)
        _depth.n = False


class FolderLock:
    """A lock file (``O_EXCL``) naming the process that writes a results folder.

    A lock left by a process that no longer runs is taken over; a live one is an OutputError.
    """

    def __init__(self, path: Path, target: Path | str) -> None:
        self.path = path
        self.target = target
        self.held = False

    def acquire(self) -> None:
        for _attempt in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                pid = self._owner()
                if pid is not None and _alive(pid):
                    raise OutputError(
                        f"another assaykit run (process {pid}) is writing this folder; wait for "
                        f"it to finish (or delete {self.path.name} if no run is active)",
                        path=self.target,
                    ) from None
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.path)  # stale: its process has ended
                continue
            except OSError as err:
                raise os_error(err, self.target) from None
            with os.fdopen(fd, "w") as fh:
                fh.write(f"{os.getpid()}\n")
            self.held = True
            return
        raise OutputError(  # pragma: no cover - a race lost twice
            "another assaykit run is writing this folder", path=self.target
        )

    def _owner(self) -> int | None:
        try:
            return int(self.path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def release(self) -> None:
        if self.held:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            self.held = False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
