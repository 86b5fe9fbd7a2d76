"""Shared checks for the xlsx reader tests: which sniffers claim which files, byte-for-byte inputs."""

from __future__ import annotations

import hashlib
from pathlib import Path

from assaykit.io import _load_readers
from assaykit.io._registry import SNIFF_BYTES, FileSample
from tests.conftest import DATA, SHARED

EXPORTS = DATA / "exports"


def claims(fmt: str, path: Path) -> bool:
    """Whether the sniffer of ``fmt`` claims ``path``."""
    reader = _load_readers()[fmt]
    return bool(reader.sniff(FileSample(path, path.read_bytes()[:SNIFF_BYTES])))


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
