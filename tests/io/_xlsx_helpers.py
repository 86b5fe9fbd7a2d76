"""Shared checks for the xlsx reader tests: which sniffers claim which files, byte-for-byte inputs."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from assaykit.io import _load_readers
from assaykit.io._registry import SNIFF_BYTES, FileSample
from tests.conftest import DATA, SHARED

EXPORTS = DATA / "exports"


@functools.cache
def _sample(path: Path) -> FileSample:
    """One FileSample per file for the whole session: its workbook preview is computed once."""
    return FileSample(path, path.read_bytes()[:SNIFF_BYTES])


def claims(fmt: str, path: Path) -> bool:
    """Whether the sniffer of ``fmt`` claims ``path``."""
    return bool(_load_readers()[fmt].sniff(_sample(path)))


def all_sample_files() -> list[Path]:
    """Every shared instrument export and every fixture workbook (for sniff exclusivity checks)."""
    files = []
    for root in (SHARED / "instrument-exports", EXPORTS):
        if root.exists():
            files += [
                p for p in sorted(root.rglob("*")) if p.is_file() and p.suffix not in (".py", ".md")
            ]
    return files


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
