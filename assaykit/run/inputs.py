"""What the user named on the command line → the list of input files (once, for every command)."""

from __future__ import annotations

import os
import stat
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from assaykit.errors import AssaykitError, ParseError

__all__ = ["check_input_file", "expand_inputs", "is_batch", "source_names"]


def check_input_file(path: str | os.PathLike[str]) -> Path:
    """``path`` if it is a regular file that exists; a one-line :class:`ParseError` otherwise.

    FIFOs, devices and sockets are refused before anything opens them (reading a FIFO would
    wait for a writer forever).

    Examples
    --------
    >>> check_input_file("/dev/null")
    Traceback (most recent call last):
    ...
    assaykit.errors.ParseError: /dev/null: is a device, not a file; give an export file
    """
    p = Path(path)
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        raise ParseError("no such file", path=p) from None
    except OSError as err:
        raise ParseError(f"cannot read it ({err.strerror})", path=p) from None
    if stat.S_ISDIR(mode):
        raise ParseError("is a folder, not a file", path=p)
    if not stat.S_ISREG(mode):
        kind = (
            "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode)
            else ("a socket" if stat.S_ISSOCK(mode) else "a device")
        )
        raise ParseError(f"is {kind}, not a file; give an export file", path=p)
    return p


def expand_inputs(
    paths: Iterable[str | os.PathLike[str]], *, recursive: bool = False
) -> list[Path]:
    """The files given, in order, and every regular file inside a given folder.

    Files of a folder are sorted by name; hidden files (``.name``) are skipped; sub-folders are
    entered only with ``recursive`` (their files sorted by relative path).

    Raises
    ------
    AssaykitError
        A path does not exist or is not a regular file, or nothing at all was found.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("b.csv", "a.csv", ".hidden.csv", "sub/c.csv"):
    ...     (d / name).parent.mkdir(exist_ok=True)
    ...     _ = (d / name).write_text("x")
    >>> [p.name for p in expand_inputs([d / "b.csv", d])]
    ['b.csv', 'a.csv', 'b.csv']
    >>> [p.name for p in expand_inputs([d], recursive=True)]
    ['a.csv', 'b.csv', 'c.csv']
    """
    files: list[Path] = []
    given = [Path(p) for p in paths]
    for p in given:
        if p.is_dir():
            found = p.rglob("*") if recursive else p.iterdir()
            inside = [
                f
                for f in found
                if not any(part.startswith(".") for part in f.relative_to(p).parts) and f.is_file()
            ]
            files += sorted(inside, key=lambda f: f.relative_to(p).as_posix())
        else:
            files.append(check_input_file(p))
    if not files:
        raise AssaykitError(f"no input files found in {', '.join(map(str, given))}")
    return files


def is_batch(inputs: Any) -> bool:
    """Whether ``inputs`` means several files: a list/tuple of more than one, or a folder.

    Examples
    --------
    >>> is_batch("run.csv"), is_batch(["run.csv"]), is_batch(["a.csv", "b.csv"])
    (False, False, True)
    """
    if isinstance(inputs, (list, tuple)):
        return len(inputs) != 1 or Path(inputs[0]).is_dir()
    return Path(inputs).is_dir()


def source_names(files: Sequence[Path]) -> list[str]:
    """A unique, readable name per file: its name, or ``folder/name`` when names repeat.

    Examples
    --------
    >>> source_names([Path("a/run.csv"), Path("b/run.csv"), Path("c.csv")])
    ['a/run.csv', 'b/run.csv', 'c.csv']
    """
    counts = Counter(f.name for f in files)
    names: list[str] = []
    for f in files:
        name = f.name if counts[f.name] == 1 else f"{f.parent.name}/{f.name}"
        base, k = name, 2
        while name in names:
            name, k = f"{base} ({k})", k + 1
        names.append(name)
    return names
