"""Nothing lost: inputs never change, outputs are atomic, nothing is overwritten without --force,
an interrupted run leaves nothing behind, same input gives byte-identical tables, provenance.

The analysis runs (binding fit, uptake analyze) take seconds each, so they share module fixtures;
they run by default because they are the point of the issue.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tests.robustness._cli import (
    BINDING_EXPORT,
    BINDING_LAYOUT,
    UPTAKE_EXPORT,
    UPTAKE_LAYOUT,
    run_inprocess,
    sha256,
)


def _copy_inputs(root: Path) -> dict[str, Path]:
    root.mkdir(parents=True, exist_ok=True)
    paths = {}
    for key, src in {
        "binding_export": BINDING_EXPORT,
        "binding_layout": BINDING_LAYOUT,
        "uptake_export": UPTAKE_EXPORT,
        "uptake_layout": UPTAKE_LAYOUT,
    }.items():
        paths[key] = Path(shutil.copy2(src, root / src.name))
    return paths


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            p.stat().st_mtime_ns,
        )
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _no_debris(folder: Path) -> list[str]:
    return [
        p.name for p in folder.rglob("*") if p.name.endswith((".part", ".old")) or ".part" in p.name
    ]


# ---- two full runs of each analysis, shared by the tests below ---------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("runs")
    inputs = _copy_inputs(root / "in")
    before = _snapshot(root / "in")
    argv = {
        "binding": [
            "binding",
            "fit",
            str(inputs["binding_export"]),
            "--layout",
            str(inputs["binding_layout"]),
        ],
        "uptake": [
            "uptake",
            "analyze",
            str(inputs["uptake_export"]),
            "--layout",
            str(inputs["uptake_layout"]),
        ],
    }
    results = {}
    for name, args in argv.items():
        for k in (1, 2):
            out = root / f"{name}{k}"
            results[f"{name}{k}"] = (run_inprocess([*args, "-o", str(out)]), out)
    return {"root": root, "inputs": inputs, "before": before, "results": results, "argv": argv}


def test_analyses_succeed_and_leave_inputs_unchanged(runs: dict) -> None:
    for name, (run, out) in runs["results"].items():
        assert run.code == 0, f"{name}: {run.stderr}"
        assert (out / "results.csv").exists() and (out / "provenance.json").exists()
    assert _snapshot(runs["root"] / "in") == runs["before"]  # bytes and modification times
    assert _no_debris(runs["root"]) == []


@pytest.mark.parametrize("name", ["binding", "uptake"])
def test_same_input_gives_byte_identical_tables(runs: dict, name: str) -> None:
    a, b = runs["results"][f"{name}1"][1], runs["results"][f"{name}2"][1]
    assert (a / "results.csv").read_bytes() == (b / "results.csv").read_bytes()
    pa, pb = (
        json.loads((a / "provenance.json").read_text()),
        json.loads((b / "provenance.json").read_text()),
    )
    pa.pop("options", None), pb.pop("options", None)  # the output folder differs by name
    assert pa == pb


@pytest.mark.parametrize("name", ["binding", "uptake"])
def test_same_input_gives_byte_identical_workbooks(runs: dict, name: str) -> None:
    a, b = runs["results"][f"{name}1"][1], runs["results"][f"{name}2"][1]
    assert (a / "results.xlsx").read_bytes() == (b / "results.xlsx").read_bytes()


@pytest.mark.parametrize("name", ["binding", "uptake"])
def test_provenance_records_inputs_versions_options(runs: dict, name: str) -> None:
    out = runs["results"][f"{name}1"][1]
    prov = json.loads((out / "provenance.json").read_text())
    files = prov["inputs"]
    export = runs["inputs"][f"{name}_export"]
    layout = runs["inputs"][f"{name}_layout"]
    by_name = {v["name"]: v for v in files.values()}
    assert by_name[export.name]["sha256"] == sha256(export)
    assert by_name[layout.name]["sha256"] == sha256(layout)
    assert by_name[export.name]["bytes"] == export.stat().st_size
    versions = prov["versions"]
    for pkg in ("assaykit", "python", "numpy", "pandas", "scipy", "openpyxl"):
        assert versions.get(pkg), f"{pkg} version missing from provenance"
    assert prov["options"], "options missing"
    assert "command" in prov


@pytest.mark.parametrize("name", ["binding", "uptake"])
def test_existing_output_is_not_overwritten_without_force(runs: dict, name: str) -> None:
    out = runs["results"][f"{name}1"][1]
    before = _snapshot(out)
    run = run_inprocess([*runs["argv"][name], "-o", str(out)])
    assert run.code == 1
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "exists; use --force to replace it" in lines[0]
    assert _snapshot(out) == before


def test_force_replaces_only_what_assaykit_wrote(runs: dict) -> None:
    out = runs["results"]["binding2"][1]
    (out / "notes.txt").write_text("the user's, not assaykit's")
    run = run_inprocess([*runs["argv"]["binding"], "-o", str(out), "--force"])
    assert run.code == 0, run.stderr
    assert (out / "notes.txt").read_text() == "the user's, not assaykit's"  # never deleted
    assert (out / "results.csv").read_bytes() == (
        runs["results"]["binding1"][1] / "results.csv"
    ).read_bytes()
    assert _no_debris(runs["root"]) == []


# ---- interrupted runs ----------------------------------------------------------------------------


def _interrupt_in(monkeypatch: pytest.MonkeyPatch, attr: str) -> None:
    """Make OutputFolder.<attr> write half a file and then raise KeyboardInterrupt."""
    from assaykit.report import output

    def half_then_interrupt(self, obj, name, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        path = self.path(name if "." in name else name + ".png")
        path.write_bytes(b"PK\x03\x04half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(output.OutputFolder, attr, half_then_interrupt)


@pytest.mark.parametrize(
    ("command", "attr"),
    [
        ("binding", "write_xlsx"),
        ("binding", "save_figure"),
        ("uptake", "write_xlsx"),
        ("uptake", "write_json"),
    ],
)
def test_interrupted_analysis_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, attr: str
) -> None:
    inputs = _copy_inputs(tmp_path / "in")
    before = _snapshot(tmp_path / "in")
    _interrupt_in(monkeypatch, attr)
    out = tmp_path / "results"
    args = {
        "binding": [
            "binding",
            "fit",
            str(inputs["binding_export"]),
            "--layout",
            str(inputs["binding_layout"]),
        ],
        "uptake": [
            "uptake",
            "analyze",
            str(inputs["uptake_export"]),
            "--layout",
            str(inputs["uptake_layout"]),
        ],
    }[command]
    run = run_inprocess([*args, "-o", str(out)])
    assert run.code == 130
    assert "interrupted; no partial results were kept" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]  # no results folder, no .part
    assert _snapshot(tmp_path / "in") == before


def test_interrupted_parse_to_xlsx_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assaykit.report import _files

    def half_then_interrupt(sheets, path, **kwargs):  # noqa: ANN001, ANN003
        Path(path).write_bytes(b"PK\x03\x04half a workbook")
        raise KeyboardInterrupt

    monkeypatch.setattr(_files, "write_workbook", half_then_interrupt)
    export = Path(shutil.copy2(BINDING_EXPORT, tmp_path / "export.csv"))
    run = run_inprocess(["parse", str(export), "-o", str(tmp_path / "table.xlsx")])
    assert run.code == 130
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]


def test_interrupted_folder_parse_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assaykit.io
    from tests.robustness.test_load import make_exports

    make_exports(tmp_path / "in", 10)
    before = _snapshot(tmp_path / "in")
    original, seen = assaykit.io.read_export, []

    def interrupt_at_five(*args, **kwargs):  # noqa: ANN002, ANN003
        seen.append(1)
        if len(seen) == 5:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(assaykit.io, "read_export", interrupt_at_five)
    run = run_inprocess(["parse", str(tmp_path / "in"), "-o", str(tmp_path / "out")])
    assert run.code == 130
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]
    assert _snapshot(tmp_path / "in") == before


# ---- parse: overwrite, determinism, inputs -------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_parse_output_file_refused_without_force_and_deterministic(
    tmp_path: Path, suffix: str
) -> None:
    export = Path(shutil.copy2(BINDING_EXPORT, tmp_path / "export.csv"))
    h = sha256(export)
    target = tmp_path / f"table{suffix}"
    assert run_inprocess(["parse", str(export), "-o", str(target)]).code == 0
    first = target.read_bytes()
    run = run_inprocess(["parse", str(export), "-o", str(target)])
    assert run.code == 1 and "exists; use --force" in run.stderr
    assert target.read_bytes() == first
    assert run_inprocess(["parse", str(export), "-o", str(target), "--force"]).code == 0
    assert target.read_bytes() == first  # byte-identical, xlsx too
    assert sha256(export) == h
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["export.csv", target.name])


def test_template_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "t.xlsx"
    assert run_inprocess(["template", "binding", "-o", str(target)]).code == 0
    first = target.read_bytes()
    run = run_inprocess(["template", "binding", "-o", str(target)])
    assert run.code == 1 and "exists" in run.stderr and "--force" in run.stderr
    assert target.read_bytes() == first
