"""The broken-file corpus (tests/data/broken/cases.csv) through every relevant command.

A failing case must exit 1 with exactly one stderr line naming the file and the problem, print no
traceback, leave nothing in the output folder and leave the input byte-identical. A case expected
to parse (hostile but valid exports) must write a table whose text cells cannot run as formulas.
In-process by default (fast); the same table in real subprocesses with --runslow / CI.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from tests.conftest import DATA
from tests.robustness._cli import (
    argv_for,
    check_failure,
    run_inprocess,
    run_subprocess,
    sha256,
)

BROKEN = DATA / "broken"


def _cases() -> list:
    params = []
    with open(BROKEN / "cases.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for command in row["commands"].split():
                marks = []
                if row["xfail"]:
                    marks.append(pytest.mark.xfail(strict=True, reason=row["xfail"]))
                params.append(
                    pytest.param(
                        row["file"],
                        command,
                        int(row["exit_code"]),
                        row["message"],
                        id=f"{row['file']}-{command}",
                        marks=marks,
                    )
                )
    return params


CASES = _cases()


def test_corpus_covers_every_file() -> None:
    listed = {c.values[0] for c in CASES}
    present = {
        p.name for p in BROKEN.iterdir() if p.suffix in (".csv", ".xlsx") and p.name != "cases.csv"
    }
    assert present == listed


def _check(run, file: Path, command: str, code: int, message: str, out: Path, before: str) -> None:
    label = f"{file.name} / {command}"
    assert sha256(file) == before, f"{label}: the input was modified"
    if code == 1:
        # a mismatch between export and layout may name either file
        also = ("binding_layout.xlsx", "uptake_layout.xlsx") if "layout" in message else ()
        check_failure(run, file=file, expected=message, out=out, label=label, also=also)
        return
    assert run.code == 0, f"{label}: exit {run.code}: {run.stderr}"
    assert "Traceback" not in run.stderr
    written = sorted(p.name for p in out.iterdir())
    assert written and not any(n.endswith(".part") for n in written), written


@pytest.mark.parametrize(("name", "command", "code", "message"), CASES)
def test_corpus_in_process(
    name: str, command: str, code: int, message: str, tmp_path: Path
) -> None:
    file = BROKEN / name
    before = sha256(file)
    out = tmp_path / "out"
    out.mkdir()
    run = run_inprocess(argv_for(command, file, out))
    _check(run, file, command, code, message, out, before)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "command", "code", "message"), CASES)
def test_corpus_subprocess(
    name: str, command: str, code: int, message: str, tmp_path: Path
) -> None:
    file = BROKEN / name
    before = sha256(file)
    out = tmp_path / "out"
    out.mkdir()
    run = run_subprocess(argv_for(command, file, out), cwd=tmp_path)
    _check(run, file, command, code, message, out, before)


# a few real subprocesses on every run: the console entry point itself prints no traceback
@pytest.mark.parametrize(
    ("name", "command", "message"),
    [
        ("binary_junk.csv", "parse", "the file is binary"),
        ("xlsx_billion_laughs.xlsx", "parse", "declares a DTD or XML entities"),
        ("template_role_typo.xlsx", "binding_layout", "unknown role 'totl'"),
    ],
)
def test_corpus_subprocess_smoke(name: str, command: str, message: str, tmp_path: Path) -> None:
    file = BROKEN / name
    out = tmp_path / "out"
    out.mkdir()
    before = sha256(file)
    run = run_subprocess(argv_for(command, file, out), cwd=tmp_path)
    _check(run, file, command, 1, message, out, before)


def test_usage_errors_are_not_tracebacks(tmp_path: Path) -> None:
    run = run_subprocess(["binding", "fit", "x.csv"], cwd=tmp_path)
    assert run.code == 2 and "Traceback" not in run.stderr
    assert "Missing option '--output'" in run.stderr


# ---- zip bombs: built here, never committed ----------------------------------------------------


def _bomb(path: Path, member_mb: int) -> Path:
    """A valid-looking workbook whose sheet inflates to ``member_mb`` MB of zeros."""
    from tests.data.broken.make_broken import HERE

    good = (HERE / "xlsx_merged_cells.xlsx").read_bytes()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with zout.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
                    chunk = b"\0" * (1 << 20)
                    for _ in range(member_mb):
                        fh.write(chunk)
            else:
                zout.writestr(info, zin.read(info.filename))
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bombs")
    return {
        "ratio": _bomb(root / "ratio_bomb.xlsx", 20),  # 20 MB from ~20 kB: refused by ratio
        "total": _bomb(root / "total_bomb.xlsx", 260),  # beyond the 200 MB limit
    }


@pytest.mark.parametrize(
    ("kind", "message"),
    [("ratio", "(zip bomb?); refusing to open it"), ("total", "over the limit of 200 MiB")],
)
@pytest.mark.parametrize("command", ["parse", "binding", "binding_layout"])
def test_zip_bomb_is_refused(
    bombs: dict[str, Path], kind: str, message: str, command: str, tmp_path: Path
) -> None:
    file = bombs[kind]
    assert file.stat().st_size < 2_000_000  # small on disk
    before = sha256(file)
    out = tmp_path / "out"
    out.mkdir()
    run = run_inprocess(argv_for(command, file, out))
    _check(run, file, command, 1, message, out, before)


def test_corpus_generator_is_deterministic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """make_broken.py writes the same bytes every time (the committed files may lag behind edits
    of the bundled datasets they are derived from; the cases do not depend on those edits)."""
    from tests.data.broken import make_broken

    runs = []
    for k in (1, 2):
        monkeypatch.setattr(make_broken, "HERE", tmp_path / str(k))
        (tmp_path / str(k)).mkdir()
        make_broken.text_files()
        make_broken.xlsx_files()
        make_broken.template_files()
        make_broken.faulty_exports()
        runs.append({p.name: p.read_bytes() for p in (tmp_path / str(k)).iterdir()})
    assert runs[0] == runs[1]
    assert set(runs[0]) == {p.name for p in BROKEN.iterdir() if p.suffix in (".csv", ".xlsx")} - {
        "cases.csv"
    }


def test_version_and_bare_command() -> None:
    run = run_inprocess(["--version"])
    assert run.code == 0 and run.stdout.startswith("assaykit ")
    run = run_inprocess([])
    assert run.code == 2 and "Traceback" not in run.stderr


# ---- the same files as tidy tables (no --layout): binding fit / uptake analyze ------------------

_TIDY_BUGS: dict[tuple[str, str], str] = {}
_OWNERS = {"binding": "assaykit/run/binding.py", "uptake": "assaykit/run/uptake.py"}


def _tidy_cases() -> list:
    out = []
    names = sorted({c.values[0] for c in CASES})
    for name in names:
        for command in ("binding", "uptake"):
            bug = _TIDY_BUGS.get((name, command))
            marks = (
                [pytest.mark.xfail(strict=True, reason=f"{bug} — owner: {_OWNERS[command]}")]
                if bug
                else []
            )
            out.append(pytest.param(name, command, id=f"{name}-{command}-tidy", marks=marks))
    return out


@pytest.mark.parametrize(("name", "command"), _tidy_cases())
def test_corpus_as_tidy_table(name: str, command: str, tmp_path: Path) -> None:
    """Without --layout the file is read as a tidy table: still one clean error line."""
    file = BROKEN / name
    before = sha256(file)
    out = tmp_path / "out"
    out.mkdir()
    argv = {"binding": ["binding", "fit"], "uptake": ["uptake", "analyze"]}[command]
    try:
        run = run_inprocess([*argv, str(file), "-o", str(out / "res")])
    except Exception as exc:  # noqa: BLE001 - an escape is the bug this test reports
        pytest.fail(f"{name} / {command}: escaped as {type(exc).__name__}: {exc}")
    assert sha256(file) == before
    check_failure(run, file=file, expected="", out=out, label=f"{name} / {command} (tidy)")
