"""Error and warning types of assaykit.

Every user mistake (a malformed export, a template with a typo, an option
that does not fit the data) raises a subclass of :class:`AssaykitError`.
The CLI turns these into one line on stderr and exit code 1; anything else
is a bug and keeps its traceback.

Each error also subclasses the matching builtin, so ``except ValueError``
keeps working for callers that do not know assaykit's types.
"""

from __future__ import annotations

from os import PathLike

__all__ = [
    "AssaykitError",
    "AssaykitWarning",
    "DataQualityWarning",
    "FitError",
    "FitQualityWarning",
    "LayoutError",
    "ParseError",
    "SchemaError",
    "UnsupportedFormatError",
]


class AssaykitError(Exception):
    """Base class of every error caused by the user's input.

    Parameters
    ----------
    message
        What was wrong and what was expected.
    path
        The file concerned, when known.
    line
        1-based line number in a text file, when known.
    location
        A cell (``"Plate map!C5"``), a well (``"B07"``) or a tube, when known.

    Examples
    --------
    >>> err = ParseError("expected a number, got 'abc'", path="run.csv", line=12)
    >>> str(err)
    "run.csv, line 12: expected a number, got 'abc'"
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike[str] | None = None,
        line: int | None = None,
        location: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.location = location

    def with_context(
        self,
        *,
        path: str | PathLike[str] | None = None,
        line: int | None = None,
        location: str | None = None,
    ) -> AssaykitError:
        """Fill in context that is unknown yet (at a boundary) and return ``self``."""
        if self.path is None and path is not None:
            self.path = str(path)
        if self.line is None and line is not None:
            self.line = line
        if self.location is None and location is not None:
            self.location = location
        return self

    def __str__(self) -> str:
        where = []
        if self.path:
            where.append(self.path)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.location:
            where.append(self.location)
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ParseError(AssaykitError, ValueError):
    """An export's content is not what its format requires."""


class UnsupportedFormatError(ParseError):
    """No reader recognises the file, or the named format does not exist."""


class LayoutError(AssaykitError, ValueError):
    """A layout or filled template is inconsistent or does not match the export."""


class SchemaError(AssaykitError, ValueError):
    """A table lacks required columns, or a column has the wrong kind of values."""


class FitError(AssaykitError, RuntimeError):
    """A fit could not be set up (bad options, no usable data at all)."""


class OutputError(AssaykitError, OSError):
    """An output cannot be written (exists without ``--force``, not writable)."""


class RunIndexError(AssaykitError, RuntimeError):
    """The lab's run index cannot be opened, upgraded, read or written."""


class AssaykitWarning(UserWarning):
    """Base class of assaykit's warnings: usable input with a doubtful part."""


class DataQualityWarning(AssaykitWarning):
    """Saturated or low counts, high replicate CV, wells left out."""


class FitQualityWarning(AssaykitWarning):
    """IC50 outside the tested range, implausible Hill slope, unidentifiable parameter."""


__all__ += ["OutputError", "RunIndexError"]
