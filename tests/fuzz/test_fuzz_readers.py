"""Mutation fuzzing of every reader: each case is a correct parse or an AssaykitError, never another
exception and never a hang. Seeds are fixed so failures reproduce; more cases with --runslow / CI.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from assaykit.errors import AssaykitError
from assaykit.io import read_export
from tests.conftest import DATA, SHARED
from tests.fuzz.mutate import mutate

SEEDS_PER_FILE = int(os.environ.get("ASSAYKIT_FUZZ_SEEDS", "12"))
TIME_LIMIT_S = 20


def _seed_files() -> list[Path]:
    files: list[Path] = []
    exports = SHARED / "instrument-exports"
    if exports.exists():
        files += sorted(
            p
            for p in exports.rglob("*")
            if p.is_file() and p.suffix.lower() not in (".md", ".toml")
        )
    fixtures = DATA / "exports"
    if fixtures.exists():
        files += sorted(
            p
            for p in fixtures.rglob("*")
            if p.is_file() and p.suffix.lower() in (".csv", ".txt", ".xlsx", ".tsv")
        )
    return files


FILES = _seed_files()


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Hang


def check_one(data: bytes, suffix: str, tmp_path: Path, label: str) -> str:
    """Read mutated bytes; return 'ok' or 'error'; fail the test on anything else."""
    target = tmp_path / f"case{suffix}"
    target.write_bytes(data)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(TIME_LIMIT_S)
    try:
        df = read_export(target)
    except AssaykitError as err:
        msg = str(err)
        assert msg.strip() and "\n" not in msg.strip(), (
            f"{label}: multi-line or empty message {msg!r}"
        )
        assert target.name in msg, f"{label}: message does not name the file: {msg!r}"
        return "error"
    except _Hang:
        pytest.fail(f"{label}: reader hung for more than {TIME_LIMIT_S} s")
    except Exception as exc:  # noqa: BLE001 - this is what the fuzzer hunts
        pytest.fail(f"{label}: escaped as {type(exc).__name__}: {exc}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert target.read_bytes() == data, f"{label}: the input file was modified"
    assert len(df.columns) > 0
    return "ok"


@pytest.mark.skipif(not FILES, reason="no seed exports found (tests/data/exports or ../shared)")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_mutated_exports_parse_or_fail_cleanly(
    path: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    data = path.read_bytes()
    seeds = SEEDS_PER_FILE * (5 if request.config.getoption("--runslow") else 1)
    outcomes: dict[str, int] = {}
    for seed in range(seeds):
        name, mutated = mutate(data, seed)
        outcome = check_one(mutated, path.suffix, tmp_path, f"{path.name} seed {seed} ({name})")
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert sum(outcomes.values()) == seeds
