"""One fuzz case: mutate a seed file, read it with the export or template reader, classify the result.

Shared by the pytest fuzzers and ``tests/fuzz/run_fuzz.py``. A case is ``ok`` (parsed), ``error``
(an AssaykitError with a one-line message naming the file) or an escape: any other exception, a
hang beyond the time limit, a message on several lines or without the file name, or a modified input.
"""

from __future__ import annotations

import signal
import traceback
from dataclasses import dataclass
from pathlib import Path

from assaykit.errors import AssaykitError
from tests.conftest import DATA, REPO, SHARED
from tests.fuzz.mutate import mutate

__all__ = ["Outcome", "SeedFile", "run_case", "seed_exports", "seed_layouts"]

TIME_LIMIT_S = 20


@dataclass(frozen=True)
class SeedFile:
    path: Path
    target: str  # "export" or "layout"

    @property
    def label(self) -> str:
        try:
            return str(self.path.relative_to(REPO))
        except ValueError:
            return str(self.path.relative_to(SHARED))


@dataclass
class Outcome:
    status: str  # ok, error, escape
    detail: str = ""


def seed_exports() -> list[SeedFile]:
    """Real exports (../shared, when present) and the committed reader fixtures."""
    files: list[Path] = []
    exports = SHARED / "instrument-exports"
    if exports.exists():
        files += sorted(
            p
            for p in exports.rglob("*")
            if p.is_file() and p.suffix.lower() not in (".md", ".toml") and "layout-" not in str(p)
        )
    fixtures = DATA / "exports"
    if fixtures.exists():
        files += sorted(
            p
            for p in fixtures.rglob("*")
            if p.is_file() and p.suffix.lower() in (".csv", ".txt", ".xlsx", ".tsv")
        )
    datasets = REPO / "assaykit" / "datasets"
    files += sorted(datasets.glob("*/*_wizard2.csv"))
    return [SeedFile(p, "export") for p in files]


def seed_layouts() -> list[SeedFile]:
    """Blank templates, the bundled filled templates and wellmap layouts."""
    files = sorted((REPO / "templates").glob("*.xlsx"))
    files += sorted((REPO / "assaykit" / "datasets").glob("*/*_layout.xlsx"))
    files += sorted((DATA / "layouts").glob("*.toml"))
    wellmap = SHARED / "instrument-exports" / "layout-wellmap"
    if wellmap.exists():
        files += sorted(wellmap.glob("*.toml"))
    return [SeedFile(p, "layout") for p in files]


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Hang


def read_target(path: Path, target: str) -> object:
    if target == "layout":
        from assaykit.layout import read_layout

        return read_layout(path)
    from assaykit.io import read_export

    return read_export(path)


def check_bytes(
    data: bytes, suffix: str, target: str, workdir: Path, name: str = "case"
) -> Outcome:
    """Write ``data`` to ``workdir/<name><suffix>`` and read it; never raises for a reader failure."""
    path = workdir / f"{name}{suffix}"
    path.write_bytes(data)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT_S)
    try:
        read_target(path, target)
        outcome = Outcome("ok")
    except AssaykitError as err:
        msg = str(err)
        if not msg.strip() or "\n" in msg.strip():
            outcome = Outcome("escape", f"multi-line or empty message {msg!r}")
        elif path.name not in msg:
            outcome = Outcome("escape", f"message does not name the file: {msg!r}")
        else:
            outcome = Outcome("error", msg)
    except _Hang:
        outcome = Outcome("escape", f"hang: more than {TIME_LIMIT_S} s")
    except Exception as exc:  # noqa: BLE001 - this is what the fuzzer hunts
        tb = traceback.extract_tb(exc.__traceback__)
        where = next(
            (
                f"{Path(f.filename).name}:{f.lineno}"
                for f in reversed(tb)
                if "/assaykit/" in f.filename
            ),
            "?",
        )
        outcome = Outcome("escape", f"{type(exc).__name__} at {where}: {str(exc)[:200]}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    if path.read_bytes() != data:
        outcome = Outcome("escape", "the input file was modified")
    return outcome


def run_case(
    seed_file: SeedFile, seed: int, workdir: Path, mutation: str | None = None
) -> tuple[str, Outcome]:
    """Mutate ``seed_file`` with ``seed`` and check the result; returns (mutation name, outcome)."""
    data = seed_file.path.read_bytes()
    name, mutated = mutate(data, seed, mutation)
    return name, check_bytes(mutated, seed_file.path.suffix, seed_file.target, workdir)
