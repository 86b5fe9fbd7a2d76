"""Run assaykit commands in-process or in a subprocess and check the failure contract."""

from __future__ import annotations

import contextlib
import hashlib
import io
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO

DATASETS = REPO / "assaykit" / "datasets"
BINDING_EXPORT = DATASETS / "binding" / "binding_wizard2.csv"
BINDING_LAYOUT = DATASETS / "binding" / "binding_layout.xlsx"
UPTAKE_EXPORT = DATASETS / "uptake" / "uptake_wizard2.csv"
UPTAKE_LAYOUT = DATASETS / "uptake" / "uptake_layout.xlsx"

#: Command name → argv with ``{file}`` (the file under test) and ``{out}`` (an empty folder).
COMMANDS: dict[str, list[str]] = {
    "parse": ["parse", "{file}", "-o", "{out}/table.csv"],
    "parse_xlsx": ["parse", "{file}", "-o", "{out}/table.xlsx"],
    "binding": ["binding", "fit", "{file}", "--layout", str(BINDING_LAYOUT), "-o", "{out}/res"],
    "uptake": ["uptake", "analyze", "{file}", "--layout", str(UPTAKE_LAYOUT), "-o", "{out}/res"],
    "binding_layout": [
        "binding",
        "fit",
        str(BINDING_EXPORT),
        "--layout",
        "{file}",
        "-o",
        "{out}/res",
    ],
    "uptake_layout": [
        "uptake",
        "analyze",
        str(UPTAKE_EXPORT),
        "--layout",
        "{file}",
        "-o",
        "{out}/res",
    ],
}


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def argv_for(command: str, file: Path, out: Path) -> list[str]:
    return [a.format(file=file, out=out) for a in COMMANDS[command]]


def run_inprocess(argv: list[str]) -> Run:
    """``main(argv)`` with stdout/stderr captured; any exception but SystemExit propagates."""
    from assaykit.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return Run(code, out.getvalue(), err.getvalue())


def run_subprocess(argv: list[str], cwd: Path, timeout: float = 300) -> Run:
    """The real console entry point in a fresh interpreter (``python -m assaykit.cli`` has no main)."""
    proc = subprocess.run(
        [sys.executable, "-c", "from assaykit.cli import main; main()", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={
            "PYTHONPATH": str(REPO),
            "PATH": "/usr/bin:/bin",
            "MPLBACKEND": "Agg",
            "HOME": str(cwd),
        },
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def error_lines(stderr: str) -> list[str]:
    """stderr lines that are not warnings (assaykit prints warnings as 'assaykit: warning: ...')."""
    return [
        ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("assaykit: warning:")
    ]


def check_failure(
    run: Run, *, file: Path, expected: str, out: Path, label: str, also: tuple[str, ...] = ()
) -> None:
    """Exit 1, one error line naming the file and the problem, no traceback, nothing written."""
    assert "Traceback" not in run.stderr, f"{label}: traceback\n{run.stderr}"
    assert run.code == 1, f"{label}: exit {run.code}, stderr {run.stderr!r}"
    lines = error_lines(run.stderr)
    assert len(lines) == 1, f"{label}: expected one error line, got {lines!r}"
    assert lines[0].startswith("assaykit: error: "), f"{label}: {lines[0]!r}"
    named = any(n in lines[0] for n in (file.name, *also))
    assert named, f"{label}: the message does not name {file.name}: {lines[0]!r}"
    assert expected in lines[0], f"{label}: expected {expected!r} in {lines[0]!r}"
    assert list(out.iterdir()) == [], (
        f"{label}: left behind {sorted(p.name for p in out.iterdir())}"
    )
