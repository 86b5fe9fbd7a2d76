"""Nothing of the user's is lost: the writers replace only what assaykit wrote (issue 19).

Every test builds a sandbox of "user" files, runs a writer and compares every pre-existing file
(bytes) before and after; only files an earlier assaykit run listed in its manifest may change.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assaykit.errors import OutputError
from assaykit.io import InputLog
from assaykit.report.output import OutputFolder, read_manifest, write_table

REPO = Path(__file__).resolve().parents[2]
DF = pd.DataFrame({"a": [1.5, 2.5], "name": ["x", "=y"]})


def _snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _debris(root: Path) -> list[str]:
    return [p.name for p in root.rglob("*") if p.name.endswith((".part", ".lock"))]


def _user_folder(root: Path) -> dict[str, Path]:
    d = root / "d"
    d.mkdir(parents=True)
    (d / "export.csv").write_text("Protocol ID,...\n1,2\n")
    (d / "layout.xlsx").write_bytes(b"PK\x03\x04 not really")
    return {"dir": d, "export": d / "export.csv", "layout": d / "layout.xlsx"}


def _run(
    target: Path | str, *, force: bool = False, inputs: list[Path] = (), names=("results.csv",)
) -> None:  # type: ignore[assignment]  # noqa: E501
    with OutputFolder(target, force=force, inputs=inputs) as out:
        for n in names:
            out.write_csv(DF, n)
        out.write_json({"command": "test"}, "provenance.json")


# ---- the product owner's report: --force emptied the folder holding the export --------------------


@pytest.mark.parametrize("force", [False, True])
def test_folder_holding_the_inputs_is_refused_with_or_without_force(tmp_path, force) -> None:
    u = _user_folder(tmp_path)
    before = _snapshot(tmp_path)
    with pytest.raises(OutputError, match="holds the input export.csv"):
        _run(u["dir"], force=force, inputs=[u["export"], u["layout"]])
    assert _snapshot(tmp_path) == before
    assert _debris(tmp_path) == []


def test_inputs_found_through_symlinks_dots_and_relative_paths(tmp_path, monkeypatch) -> None:
    u = _user_folder(tmp_path)
    (tmp_path / "link").symlink_to(u["dir"])
    (u["dir"] / "sub").mkdir()
    monkeypatch.chdir(u["dir"] / "sub")
    before = _snapshot(tmp_path)
    for target in [
        "..",
        "../.",
        str(tmp_path / "link"),
        "../sub/..",
        str(tmp_path / "link" / "."),
    ]:
        with pytest.raises(OutputError, match="holds the input"):
            _run(target, force=True, inputs=[Path("../export.csv")])
    # the output file is the input itself, reached through a symlink
    (tmp_path / "alias.csv").symlink_to(u["export"])
    with pytest.raises(OutputError, match="is the input export.csv"):
        write_table(DF, tmp_path / "alias.csv", force=True, inputs=[u["export"]])
    assert _snapshot(tmp_path) == before


def test_case_insensitive_name_of_the_input_folder(tmp_path) -> None:
    u = _user_folder(tmp_path)
    other_case = tmp_path / "D"
    if not other_case.exists():
        pytest.skip("this file system is case-sensitive; inode comparison covers the other case")
    with pytest.raises(OutputError, match="holds the input"):
        _run(other_case, force=True, inputs=[u["export"]])


# ---- replace only what assaykit wrote --------------------------------------------------------------


def test_force_replaces_only_the_files_of_the_earlier_run(tmp_path) -> None:
    out = tmp_path / "out"
    _run(out, names=("results.csv", "curve_old.csv"))
    manifest = read_manifest(out)
    assert {"results.csv", "curve_old.csv", "provenance.json"} <= set(manifest)
    (out / "my notes.txt").write_text("the user's")
    with pytest.raises(OutputError, match="exists; use --force"):
        _run(out)
    _run(out, force=True, names=("results.csv",))
    assert (out / "my notes.txt").read_text() == "the user's"  # never removed
    assert not (out / "curve_old.csv").exists()  # the earlier run's own, unchanged: removed
    assert sorted(p.name for p in out.iterdir()) == [
        "my notes.txt",
        "provenance.json",
        "results.csv",
    ]
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["command"] == "test"
    assert set(prov["manifest"]["files"]) == {"results.csv"}


def test_an_output_edited_by_the_user_is_theirs(tmp_path) -> None:
    out = tmp_path / "out"
    _run(out, names=("results.csv", "fig.csv"))
    (out / "results.csv").write_text("edited by hand\n")
    before = _snapshot(tmp_path)
    with pytest.raises(OutputError, match="did not write .*results.csv"):
        _run(out, force=True)
    assert _snapshot(tmp_path) == before
    _run(out, force=True, names=("other.csv",))  # no collision: written; the edited file is kept
    assert (out / "results.csv").read_text() == "edited by hand\n"
    assert not (out / "fig.csv").exists()


@pytest.mark.parametrize("force", [False, True])
def test_foreign_folder_written_into_only_without_collision(tmp_path, force) -> None:
    out = tmp_path / "shared"
    out.mkdir()
    (out / "results.csv").write_text("someone else's")
    (out / "data.txt").write_text("keep")
    before = _snapshot(tmp_path)
    with pytest.raises(OutputError, match=r"did not write .*: results\.csv; nothing was written"):
        _run(out, force=force)
    assert _snapshot(tmp_path) == before and _debris(tmp_path) == []
    _run(out, force=force, names=("fit.csv",))
    after = _snapshot(tmp_path)
    assert {k: after[k] for k in before} == before
    assert sorted(p.name for p in out.iterdir()) == [
        "data.txt",
        "fit.csv",
        "provenance.json",
        "results.csv",
    ]


def test_folder_appearing_during_the_run_is_checked_at_the_end(tmp_path) -> None:
    out = tmp_path / "out"
    with pytest.raises(OutputError, match=r"results\.csv"), OutputFolder(out) as folder:
        folder.write_csv(DF, "results.csv")
        out.mkdir()
        (out / "results.csv").write_text("made meanwhile")
    assert (out / "results.csv").read_text() == "made meanwhile"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["out", "results.csv"]
    # an earlier run's folder appearing meanwhile is not replaced without force
    other = tmp_path / "other"
    _run(tmp_path / "earlier")
    with pytest.raises(OutputError, match="exists; use --force"), OutputFolder(other) as folder:
        folder.write_csv(DF, "results.csv")
        (tmp_path / "earlier").rename(other)
    assert _debris(tmp_path) == []


def test_second_concurrent_run_is_told_the_folder_is_busy(tmp_path) -> None:
    out = tmp_path / "out"
    with OutputFolder(out) as first:
        first.write_csv(DF, "results.csv")
        busy = pytest.raises(OutputError, match=r"another assaykit run \(process \d+\)")
        with busy, OutputFolder(out) as second:
            second.write_csv(DF, "results.csv")
    assert sorted(p.name for p in out.iterdir()) == ["provenance.json", "results.csv"]
    assert _debris(tmp_path) == []


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    (tmp_path / ".out.assaykit.lock").write_text(dead.stdout)
    _run(tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_input_changed_during_the_run_is_an_error(tmp_path) -> None:
    export = tmp_path / "export.csv"
    export.write_text("a\n1\n")
    log = InputLog()
    log.record("export", export)
    changed = pytest.raises(OutputError, match="changed while assaykit was reading it")
    with changed, OutputFolder(tmp_path / "out", log=log) as out:
        out.write_csv(DF, "results.csv")
        export.write_text("a\n2\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]


# ---- every output path and fault: one line, nothing left ------------------------------------------


@pytest.mark.parametrize("name", ["with space", "ünïcødé résultats", "-leading-dash", "x" * 200])
def test_awkward_but_valid_names_work(tmp_path, name) -> None:
    _run(tmp_path / name)
    assert (tmp_path / name / "results.csv").exists()
    write_table(DF, tmp_path / f"{name[:200]}.csv")
    assert _debris(tmp_path) == []


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / ("y" * 300), "file systems store at most 255"),
        (lambda d: d / "file.txt" / "out", "is a file, not a folder"),
        (lambda d: d / "file.txt", "exists and is not a folder"),
        (lambda d: Path("/"), "root or the home folder"),
        (lambda d: Path("~"), "root or the home folder"),
        (lambda d: "", "the output path is empty"),
    ],
)
def test_bad_output_paths_are_one_line(tmp_path, monkeypatch, make, message) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "file.txt").write_text("user")
    before = _snapshot(tmp_path)
    with pytest.raises(OutputError, match=message) as info:
        _run(make(tmp_path))
    assert "\n" not in str(info.value)
    assert _snapshot(tmp_path) == before and _debris(tmp_path) == []


def test_dot_and_dotdot_without_inputs_write_into_the_folder(tmp_path, monkeypatch) -> None:
    (tmp_path / "a").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    _run(".")
    _run("..")
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["provenance.json", "results.csv"]
    assert (tmp_path / "results.csv").exists()
    assert _debris(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_location_is_one_line(tmp_path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(OutputError, match="permission denied"):
            _run(ro / "out")
        with pytest.raises(OutputError, match="permission denied"):
            write_table(DF, ro / "t.csv")
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


def test_full_disk_is_one_line_and_leaves_nothing(tmp_path, monkeypatch) -> None:
    from assaykit.report import _files, output

    def full(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_files, "_write_frame", full)  # the folder's writer
    monkeypatch.setattr(output, "_write_frame", full)  # write_table's
    with pytest.raises(OutputError, match="the disk is full; nothing was kept"):
        _run(tmp_path / "new" / "deeper" / "out")
    with pytest.raises(OutputError, match="the disk is full"):
        write_table(DF, tmp_path / "sub" / "t.csv")
    assert list(tmp_path.iterdir()) == []  # not even the folder made for the table


def test_device_as_output_file_is_refused(tmp_path) -> None:
    (tmp_path / "full.csv").symlink_to("/dev/full")
    with pytest.raises(OutputError, match="not a regular file"):
        write_table(DF, tmp_path / "full.csv", force=True)


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_outputs_follow_the_umask(tmp_path, mask) -> None:
    old = os.umask(mask)
    try:
        _run(tmp_path / "out")
        write_table(DF, tmp_path / "t.csv")
    finally:
        os.umask(old)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o777 & ~mask
    assert (tmp_path / "out" / "results.csv").stat().st_mode & 0o777 == 0o666 & ~mask
    assert (tmp_path / "t.csv").stat().st_mode & 0o777 == 0o666 & ~mask


# ---- signals, in a real process ---------------------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import sys, time
    from assaykit.report.output import OutputFolder, atomic_path
    target = sys.argv[1]
    if sys.argv[2] == "folder":
        with OutputFolder(target) as out:
            out.write_json({"half": True}, "provenance.json")
            print("ready", flush=True)
            time.sleep(30)
    else:
        with atomic_path(target + ".csv") as tmp:
            tmp.write_text("a,b\\n1,")
            print("ready", flush=True)
            time.sleep(30)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("what", ["folder", "table"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_signals_leave_no_part_folder(tmp_path, sig, what) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(tmp_path / "new" / "out"), what],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    assert any(p.name.endswith(".part") for p in tmp_path.rglob("*"))
    proc.send_signal(sig)
    proc.wait(timeout=20)
    assert proc.returncode != 0
    assert list(tmp_path.iterdir()) == []


# ---- invariant: no pre-existing file outside assaykit's outputs ever changes -------------------

_PART = st.sampled_from([".", "..", "d", "out", "new", "a b", "é", "-x", "link", "file.txt", "sub"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.lists(_PART, min_size=1, max_size=4), force=st.booleans(), second=st.booleans())
def test_no_user_file_ever_changes(tmp_path_factory, parts, force, second) -> None:
    root = tmp_path_factory.mktemp("sandbox")
    u = _user_folder(root / "w")
    (u["dir"] / "sub").mkdir()
    (u["dir"] / "sub" / "results.csv").write_text("user's table")
    (root / "w" / "file.txt").write_text("user")
    (root / "w" / "link").symlink_to(u["dir"])
    (root / "w" / "out").mkdir()
    (root / "w" / "out" / "notes.txt").write_text("user")
    before = _snapshot(root)
    target = Path(root / "w" / "d", *parts)
    assume(os.path.abspath(target).startswith(str(root) + os.sep))  # stay in the sandbox
    written: set[str] = set()
    for attempt in range(2 if second else 1):
        try:
            _run(target, force=force or attempt == 1, inputs=[u["export"], u["layout"]])
        except OutputError as err:
            assert "\n" not in str(err)
        else:
            real = Path(os.path.realpath(target))
            written |= {
                (real / n).relative_to(root).as_posix() for n in ("results.csv", "provenance.json")
            }
    after = _snapshot(root)
    for name, digest in before.items():
        assert after.get(name) == digest, f"{name} changed writing to {target}"
    assert set(after) - set(before) <= written
    assert _debris(root) == []
