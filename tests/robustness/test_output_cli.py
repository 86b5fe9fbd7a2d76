"""The product owner's reports through the command line (issue 19).

``assaykit binding fit d/export.csv -l d/layout.xlsx -o d --force`` emptied ``d``. The writer no
longer deletes anything it did not write, and the workflow layer passes the inputs to the writer
(``OutputFolder(..., inputs=[export, layout])``), so a folder holding the export is refused.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.robustness._cli import BINDING_EXPORT, BINDING_LAYOUT, run_inprocess


def _snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def user_folder(tmp_path: Path) -> Path:
    d = tmp_path / "d"
    d.mkdir()
    shutil.copy2(BINDING_EXPORT, d / "export.csv")
    shutil.copy2(BINDING_LAYOUT, d / "layout.xlsx")
    (d / "notes.txt").write_text("the user's notes")
    return d


def _fit(d: Path, out: str, *extra: str) -> list[str]:
    return [
        "binding",
        "fit",
        str(d / "export.csv"),
        "-l",
        str(d / "layout.xlsx"),
        "-o",
        out,
        *extra,
    ]


def test_force_into_the_export_folder_deletes_nothing(user_folder: Path) -> None:
    before = _snapshot(user_folder)
    run = run_inprocess(_fit(user_folder, str(user_folder), "--force"))
    after = _snapshot(user_folder)
    assert {k: after.get(k) for k in before} == before, run.stderr  # nothing of the user's lost
    assert not [p for p in user_folder.rglob("*") if ".part" in p.name or p.name.endswith(".lock")]


def test_force_into_the_export_folder_is_refused(user_folder: Path) -> None:
    run = run_inprocess(_fit(user_folder, str(user_folder), "--force"))
    assert run.code == 1 and "holds the input export.csv" in run.stderr


@pytest.mark.slow
def test_dot_and_dotdot_give_no_traceback(user_folder: Path, monkeypatch) -> None:  # noqa: ANN001
    work = user_folder.parent / "work"
    (work / "sub").mkdir(parents=True)
    monkeypatch.chdir(work / "sub")
    for out in (".", ".."):
        run = run_inprocess(_fit(user_folder, out))
        assert run.code == 0, run.stderr
        assert "Traceback" not in run.stderr
    assert (work / "sub" / "results.csv").exists() and (work / "results.csv").exists()
    assert not [p for p in work.parent.rglob("*") if ".part" in p.name]
    # a second run into '.' without --force: one line naming the earlier results
    run = run_inprocess(_fit(user_folder, "."))
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    assert run.code == 1 and len(lines) == 1 and "exists; use --force" in lines[0]
