"""The per-file loop with ``--keep-going``, and the one progress signature."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from assaykit.errors import AssaykitError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FileLoop", "Progress", "WarningLog", "caught_warnings", "each_file", "one_line"]

#: ``progress(stage, done, total)``: a stage name, the count done and the total (None: unknown).
#: The one progress signature of every workflow function.
Progress = Callable[[str, int, "int | None"], None]

T = TypeVar("T")


def one_line(text: object) -> str:
    """``text`` on one line (a message cell, a console line)."""
    return " ".join(str(text).split())


class FileLoop(NamedTuple, Generic[T]):
    """What :func:`each_file` gathered: the parts read, one status row per file, the failures."""

    parts: list[T]
    status: pd.DataFrame
    failed: list[Path]


def each_file(
    files: Sequence[Path],
    sources: Sequence[str],
    read_one: Callable[[Path, str], tuple[T, dict[str, Any]]],
    *,
    columns: Sequence[str],
    keep_going: bool = False,
    progress: Progress | None = None,
    stage: str = "reading",
) -> FileLoop[T]:
    """Read every file with ``read_one(path, source) -> (part, info)``, one at a time.

    A file whose reading raises an :class:`~assaykit.errors.AssaykitError` stops the loop with
    that error (the message names the file), unless ``keep_going``: then it is recorded with
    ``status = error`` and its message, and the loop goes on. Warnings raised while a file is
    read are recorded in its ``warnings`` cell and shown again naming the file.

    Returns
    -------
    FileLoop
        ``parts`` (the values returned for the files that were read), ``status`` (one row per
        file with ``columns``: ``file``, ``status``, ``message``, ``warnings`` and what
        ``read_one``'s ``info`` adds) and ``failed`` (the paths that could not be read).

    Examples
    --------
    >>> from pathlib import Path
    >>> def read(path, source):
    ...     if path.name == "bad.csv":
    ...         raise AssaykitError("not a table")
    ...     return path.stem, {"rows": 3}
    >>> files = [Path("a.csv"), Path("bad.csv")]
    >>> loop = each_file(files, ["a.csv", "bad.csv"], read, keep_going=True,
    ...                  columns=["file", "rows", "status", "message", "warnings"])
    >>> loop.parts, list(loop.status["status"]), [p.name for p in loop.failed]
    (['a'], ['ok', 'error'], ['bad.csv'])
    """
    import pandas as pd

    parts: list[T] = []
    status: list[dict[str, Any]] = []
    failed: list[Path] = []
    if progress is not None:
        progress(stage, 0, len(files))
    for i, (path, source) in enumerate(zip(files, sources, strict=True)):
        record: dict[str, Any] = dict.fromkeys(columns, "")
        record.update(file=source, status="ok", message="")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                part, info = read_one(path, source)
            except AssaykitError as err:
                err.with_context(path=path)
                if not keep_going:
                    raise
                record.update(status="error", message=one_line(err))
                failed.append(path)
            else:
                record.update(info)
                parts.append(part)
        record["warnings"] = "; ".join(dict.fromkeys(one_line(w.message) for w in caught))
        for w in caught:  # shown as usual, naming the file
            warnings.warn(f"{source}: {one_line(w.message)}", w.category, stacklevel=2)
        status.append(record)
        if progress is not None:
            progress(stage, i + 1, len(files))
    return FileLoop(parts, pd.DataFrame(status, columns=list(columns)), failed)


class WarningLog(list[warnings.WarningMessage]):
    """Warnings caught during an analysis (see :func:`caught_warnings`)."""

    def qc_rows(self, where: str) -> list[dict[str, str]]:
        """The warnings as QC rows: assaykit's own as ``warning``, libraries' as ``info``."""
        from assaykit.errors import AssaykitWarning
        from assaykit.result import qc_row

        rows = []
        for text, is_ours in dict.fromkeys(
            (one_line(w.message), issubclass(w.category, AssaykitWarning)) for w in self
        ):
            if is_ours:
                rows.append(qc_row("warning", where, text))
            else:
                rows.append(qc_row("info", where, f"numerical note from a library: {text}"))
        return rows


@contextmanager
def caught_warnings() -> Iterator[WarningLog]:
    """Collect the warnings of a block instead of printing them.

    A library's warning (scipy's "the integral is probably divergent", numpy's divide by zero)
    means nothing to a scientist on the console: the workflow records it in the checks sheet
    (:meth:`WarningLog.qc_rows`). assaykit's own warnings become ``warning`` rows there, which
    the command line prints after the results.
    """
    log = WarningLog()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield log
    log.extend(caught)
