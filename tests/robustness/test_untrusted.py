"""Untrusted files: formula injection neutralised end to end, safe XML, no path taken from an export."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import openpyxl
import pytest

from assaykit.errors import AssaykitError, LayoutError, ParseError
from tests.conftest import DATA
from tests.robustness._cli import (
    BINDING_EXPORT,
    BINDING_LAYOUT,
    UPTAKE_EXPORT,
    UPTAKE_LAYOUT,
    run_inprocess,
)

BROKEN = DATA / "broken"
HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","click")',
    "+cmd",
    "@SUM(A1:A9)",
    "-2+3",
]
_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _all_files(root: Path) -> set[Path]:
    return set(root.rglob("*"))


def _check_csv(path: Path) -> list[str]:
    """Every text cell of a CSV: none may start a formula; returns the cells."""
    with open(path, newline="", encoding="utf-8") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    for c in cells:
        if c.startswith(_STARTS):
            try:
                float(c)  # a negative number is a number, not a formula
            except ValueError:
                pytest.fail(f"{path.name}: cell {c!r} would run as a formula")
    return cells


def _check_xlsx(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    pytest.fail(f"{path.name} {ws.title}!{cell.coordinate}: formula {cell.value!r}")
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(_STARTS), (
                        f"{ws.title}!{cell.coordinate}: {cell.value!r}"
                    )
    return texts


def test_openpyxl_uses_defusedxml() -> None:
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_parse_neutralises_formula_sample_codes(tmp_path: Path, suffix: str) -> None:
    src = BROKEN / "wizard2_formula_samples.csv"
    target = tmp_path / f"table{suffix}"
    run = run_inprocess(["parse", str(src), "-o", str(target)])
    assert run.code == 0, run.stderr
    cells = _check_csv(target) if suffix == ".csv" else _check_xlsx(target)
    for s in HOSTILE:
        assert "'" + s in cells, f"{s!r} not written as text with a leading apostrophe"


def test_parse_to_stdout_is_formula_safe_too() -> None:
    """stdout is often redirected into a .csv file: the same guard applies."""
    run = run_inprocess(["parse", str(BROKEN / "wizard2_formula_samples.csv")])
    assert run.code == 0
    assert "'=cmd|' /C calc'!A0" in run.stdout
    assert "\n=cmd" not in run.stdout and ",=cmd" not in run.stdout


def _hostile_layout(src: Path, dst: Path, replace: dict[str, str], column: str) -> Path:
    wb = openpyxl.load_workbook(src)
    ws = wb["Tubes"]
    header = [c.value for c in ws[1]]
    j = header.index(column) + 1
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(r, j)
        if cell.value in replace:
            cell.value = replace[cell.value]
            cell.data_type = "s"  # text, as a user typing into the cell
    wb.save(dst)
    return dst


def test_binding_results_neutralise_hostile_compound_names(tmp_path: Path) -> None:
    layout = _hostile_layout(
        BINDING_LAYOUT,
        tmp_path / "layout.xlsx",
        {"[natGa]Pentixafor": "@SUM(A1:A9)", "AMD3100": "../../evil", "iodo-CPCR4": "-2+3"},
        "compound",
    )
    export = Path(shutil.copy2(BINDING_EXPORT, tmp_path / "export.csv"))
    before = _all_files(tmp_path.parent)
    out = tmp_path / "res"
    run = run_inprocess(["binding", "fit", str(export), "--layout", str(layout), "-o", str(out)])
    assert run.code == 0, run.stderr
    cells = _check_csv(out / "results.csv")
    assert "'@SUM(A1:A9)" in cells and "../../evil" in cells
    texts = _check_xlsx(out / "results.xlsx")
    assert "'@SUM(A1:A9)" in texts
    # every new file is inside the results folder, with a plain name
    new = _all_files(tmp_path.parent) - before
    assert all(p == out or out in p.parents for p in new), sorted(map(str, new))
    assert all(p.parent == out for p in out.rglob("*")), "no sub-folders from compound names"
    assert not any("evil" in p.name and ".." in p.name for p in new)


def test_uptake_results_neutralise_hostile_names(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(UPTAKE_LAYOUT)
    compounds = {c.value for c in wb["Tubes"]["H"][1:] if c.value}
    layout = _hostile_layout(
        UPTAKE_LAYOUT, tmp_path / "layout.xlsx", dict.fromkeys(compounds, "+cmd|calc"), "compound"
    )
    export = Path(shutil.copy2(UPTAKE_EXPORT, tmp_path / "export.csv"))
    out = tmp_path / "res"
    run = run_inprocess(["uptake", "analyze", str(export), "--layout", str(layout), "-o", str(out)])
    assert run.code == 0, run.stderr
    assert "'+cmd|calc" in _check_csv(out / "results.csv")
    assert "'+cmd|calc" in _check_xlsx(out / "results.xlsx")


def test_sample_names_like_paths_create_no_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = BROKEN / "wizard2_path_samples.csv"
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy2(src, folder / src.name)
    for args in (["parse", str(src), "-o", "t.csv"], ["parse", str(folder), "-o", "outdir"]):
        assert run_inprocess(args).code == 0
    found = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert found == [
        "in",
        f"in/{src.name}",
        "outdir",
        "outdir/parse_summary.csv",
        "outdir/provenance.json",  # the manifest of what assaykit wrote
        "outdir/wizard2_path_samples.csv",
        "t.csv",
    ]
    assert not Path("/tmp/assaykit_evil").exists()


@pytest.mark.parametrize("name", ["xlsx_billion_laughs.xlsx", "xlsx_external_entity.xlsx"])
def test_entity_payloads_are_refused_by_both_readers(name: str) -> None:
    from assaykit.io import read_export
    from assaykit.layout import read_layout

    with pytest.raises(ParseError, match="declares a DTD or XML entities"):
        read_export(BROKEN / name)
    with pytest.raises(LayoutError, match="declares a DTD or XML entities"):
        read_layout(BROKEN / name)


def test_entity_payload_in_any_part_is_refused(tmp_path: Path) -> None:
    """The DTD check covers every XML part, not only the sheets."""
    import io
    import zipfile

    good = (BROKEN / "xlsx_merged_cells.xlsx").read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                body = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + body
            zout.writestr(info, body)
    p = tmp_path / "ct.xlsx"
    p.write_bytes(out.getvalue())
    from assaykit.io import read_export

    with pytest.raises(AssaykitError, match=r"\[Content_Types\]\.xml declares a DTD"):
        read_export(p)
