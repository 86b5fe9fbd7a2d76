"""`assaykit kinetics analyze` on the bundled example: files written; bad input → one line, exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from assaykit.datasets.kinetics import example_paths


@pytest.fixture
def root(monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    """The root app with the kinetics command mounted (the lead registers it in cli/__init__)."""
    from assaykit import cli

    return cli.app  # the command is "assaykit binding kinetics" on the real app


@pytest.mark.slow  # ~8 s: two figures in PNG (300 dpi), PDF and SVG
def test_example_writes_the_results_folder(root: typer.Typer, tmp_path: Path) -> None:
    export, layout = example_paths()
    out = tmp_path / "kinetics"
    res = CliRunner().invoke(
        root, ["binding", "kinetics", str(export), "--layout", str(layout), "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    assert {"results.csv", "results.xlsx", "provenance.json"} <= names
    for stem in ("kinetics_Pentixafor", "kobs_Pentixafor"):
        assert {f"{stem}.png", f"{stem}.pdf", f"{stem}.svg"} <= names
    main = pd.read_csv(out / "results.csv")
    assert main.loc[0, "status"] == "ok"
    assert main.loc[0, "kd_ratio"] == pytest.approx(main.loc[0, "kd_M"] / 1.2e-9)
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert {"kinetics", "kobs", "responses", "checks", "settings"} <= set(sheets)
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["inputs"]["input"]["name"] == "kinetics_wizard2.csv"
    assert "kon" in res.output and "files written" in res.output


def test_options_override_the_template(root: typer.Typer, tmp_path: Path) -> None:
    export, layout = example_paths()
    out = tmp_path / "k"
    res = CliRunner().invoke(
        root,
        [
            "binding",
            "kinetics",
            str(export),
            "--layout",
            str(layout),
            "-o",
            str(out),
            "--kd",
            "3 nM",
            "--ci",
            "profile",
            "--weighting",
            "counting",
            "--no-figures",
        ],
    )
    assert res.exit_code == 0, res.output
    main = pd.read_csv(out / "results.csv")
    assert main.loc[0, "ci_method"] == "profile"
    assert main.loc[0, "kd_ratio"] == pytest.approx(main.loc[0, "kd_M"] / 3e-9)
    names = {p.name for p in out.iterdir()}
    assert {"results.csv", "results.xlsx", "provenance.json"} <= names
    assert not any(p.suffix == ".png" for p in out.iterdir())


def _run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from assaykit.cli import main

    with pytest.raises(SystemExit) as exc:
        main(args)
    return int(exc.value.code or 0), capsys.readouterr().err


def test_bad_input_is_one_line_and_exit_1(
    root: typer.Typer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export, _ = example_paths()
    code, err = _run_main(["binding", "kinetics", str(export), "-o", str(tmp_path / "a")], capsys)
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("assaykit: error:") and "--layout" in err
    bad = tmp_path / "layout.xlsx"
    from assaykit.layout.kinetics import write_kinetics_template

    write_kinetics_template(bad, example=True)
    import openpyxl

    wb = openpyxl.load_workbook(bad)
    wb["Tubes"]["A3"] = 9  # rack 9 was never counted
    wb.save(bad)
    code, err = _run_main(
        ["binding", "kinetics", str(export), "-l", str(bad), "-o", str(tmp_path / "b")], capsys
    )
    assert code == 1 and err.count("\n") == 1 and "layout.xlsx" in err
    code, err = _run_main(
        ["binding", "kinetics", str(export), "-o", str(tmp_path / "c"), "--ci", "bootstrap"], capsys
    )
    assert code == 1 and "--ci" in err and err.count("\n") == 1
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_template_command_writes_a_readable_template(
    root: typer.Typer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from assaykit.layout.kinetics import read_kinetics_layout

    out = tmp_path / "kin.xlsx"
    res = CliRunner().invoke(root, ["template", "kinetics", "-o", str(out), "--example"])
    assert res.exit_code == 0, res.output
    tubes, exp = read_kinetics_layout(out)
    assert exp["model"] == "association_global" and len(tubes) > 10
    code, err = _run_main(["template", "kinetics", "-o", str(out)], capsys)
    assert code == 1 and "exists" in err and err.count("\n") == 1


def test_template_isotope_must_match_the_counter(tmp_path: Path) -> None:
    import openpyxl

    from assaykit.errors import AssaykitError
    from assaykit.run.kinetics import run_kinetics

    export, layout = example_paths()
    wrong = tmp_path / "wrong.xlsx"
    wb = openpyxl.load_workbook(layout)
    ws = wb["Experiment"]
    for row in ws.iter_rows(min_row=4):
        if row[0].value == "isotope":
            row[1].value = "F-18"
    wb.save(wrong)
    with pytest.raises(AssaykitError, match="counter counted Ga-68"):
        run_kinetics(export, tmp_path / "out", layout=wrong, figures=False)
    assert not (tmp_path / "out").exists()
