"""Registry of export readers, each found by sniffing the file's content (never its name)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FileSample", "Reader", "READERS", "register"]

#: How many bytes of a text file the sniff tests see.
SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class FileSample:
    """What the sniff tests look at: the path, the first bytes, and derived views.

    Decoding and opening a workbook happen once, lazily, and are shared by
    all sniff tests.
    """

    path: Path
    head: bytes

    @property
    def is_zip(self) -> bool:
        """True for zip containers (xlsx)."""
        return self.head[:4] == b"PK\x03\x04"

    @cached_property
    def text(self) -> str:
        """The decoded beginning of a text file ('' for binary containers)."""
        if self.is_zip:
            return ""
        from assaykit.io._text import decode_bytes

        try:
            return decode_bytes(self.head, path=self.path, partial=True)[0]
        except Exception:  # noqa: BLE001 - a sniff never fails, it just does not match
            return ""

    @cached_property
    def xlsx_cells(self) -> dict[str, list[list[object]]]:
        """First rows of every sheet of an xlsx file (sheet name → rows of values), {} otherwise."""
        if not self.is_zip:
            return {}
        from assaykit.io._xlsx import sheet_preview

        try:
            return sheet_preview(self.path)
        except Exception:  # noqa: BLE001 - a sniff never fails; the reader reports the damage
            return {}


@dataclass(frozen=True)
class Reader:
    """One export dialect: how to recognise it and how to read it into the tidy table."""

    name: str
    description: str
    kind: Literal["plate", "counter", "table"]
    sniff: Callable[[FileSample], bool]
    read: Callable[[Path], pd.DataFrame]
    #: Lower runs first; generic fall-back readers use a high number.
    priority: int = 50
    aliases: tuple[str, ...] = field(default=())


#: Format name → Reader; filled by the reader modules through :func:`register`.
READERS: dict[str, Reader] = {}


def register(
    name: str,
    *,
    description: str,
    kind: Literal["plate", "counter", "table"],
    sniff: Callable[[FileSample], bool],
    priority: int = 50,
    aliases: tuple[str, ...] = (),
) -> Callable[[Callable[[Path], pd.DataFrame]], Callable[[Path], pd.DataFrame]]:
    """Decorator registering ``read(path) -> DataFrame`` as the reader of format ``name``."""

    def decorate(read: Callable[[Path], pd.DataFrame]) -> Callable[[Path], pd.DataFrame]:
        if name in READERS:
            raise RuntimeError(f"reader {name!r} registered twice")
        READERS[name] = Reader(name, description, kind, sniff, read, priority, aliases)
        return read

    return decorate
