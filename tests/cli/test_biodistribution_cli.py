"""`assaykit biodistribution analyze|template` (CliRunner on the command group, and through main())."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from assaykit.cli import app  # the real app: "assaykit biodistribution EXPORT..."
from assaykit.datasets.biodistribution import example_paths


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    export, layout = example_paths()
    target = tmp_path_factory.mktemp("bd") / "results"
    res = CliRunner().invoke(
        app, ["biodistribution", str(export), "--layout", str(layout), "-o", str(target)]
    )
    assert res.exit_code == 0, res.output
    assert "tumor" in res.output and "files written" in res.output
    return target


@pytest.mark.slow  # draws and saves every figure (~11 s)
def test_results_folder(out: Path) -> None:
    names = {p.name for p in out.iterdir()}
    assert {"results.csv", "results.xlsx", "provenance.json"} <= names
    for stem in ("organs_pct_ia_per_g", "tumor_ratios"):
        assert {f"{stem}.png", f"{stem}.pdf", f"{stem}.svg"} <= names
    long = pd.read_csv(out / "results.csv")
    assert len(long) == 120 and "pct_ia_per_g" in long.columns
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert {"summary", "paper", "dosimetry", "ratios", "statistics", "checks", "settings"} <= set(
        sheets
    )
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["command"] == "assaykit biodistribution analyze"
    assert prov["inputs"]["input"]["name"] == "biodistribution_wizard2.csv"
    assert prov["inputs"]["layout"]["name"] == "biodistribution_layout.xlsx"


def test_two_runs_and_options(tmp_path: Path) -> None:
    export, layout = example_paths()
    lines = export.read_text().splitlines()
    head, body = lines[0], lines[1:]
    a, b = tmp_path / "run1.csv", tmp_path / "run2.csv"
    a.write_text("\n".join([head, *body[:60]]) + "\n")
    b.write_text("\n".join([head, *body[60:]]) + "\n")
    target = tmp_path / "o"
    args = [
        "biodistribution",
        str(a),
        str(b),
        "-l",
        str(layout),
        "-o",
        str(target),
        "--no-figures",
        "--test",
        "anova",
        "--recount",
        "last",
    ]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    prov = json.loads((target / "provenance.json").read_text())
    assert set(prov["inputs"]) == {"input 1", "input 2", "layout"}
    assert prov["options"]["counter_runs"] == "run 1: run1.csv; run 2: run2.csv"
    assert "F" in pd.read_excel(target / "results.xlsx", sheet_name="statistics").columns


def test_template_command(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["template", "biodistribution", "-o", str(tmp_path / "t.xlsx")])
    assert res.exit_code == 0 and (tmp_path / "t.xlsx").exists()


def _main_with_biodistribution():
    import assaykit.cli as cli

    return cli.main


def test_bad_input_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main = _main_with_biodistribution()
    export, layout = example_paths()
    bad = tmp_path / "layout.xlsx"
    import openpyxl

    wb = openpyxl.load_workbook(layout)
    wb["Tubes"]["H10"] = None  # drop a filled weight: the tube must be named
    wb.save(bad)
    with pytest.raises(SystemExit) as exc:
        main(["biodistribution", str(export), "-l", str(bad), "-o", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert exc.value.code == 1
    assert err.count("\n") == 1 and err.startswith("assaykit: error:")
    assert "no organ weight for tube(s) rack 1 pos 9" in err
    assert not (tmp_path / "o").exists()
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "biodistribution",
                str(export),
                "-l",
                str(layout),
                "-o",
                str(tmp_path / "o"),
                "--test",
                "bogus",
            ]
        )
    err = capsys.readouterr().err
    assert exc.value.code == 1 and err.count("\n") == 1 and "--test" in err


def test_balance_export_gives_the_filled_weights(tmp_path: Path) -> None:
    import openpyxl

    from assaykit.layout.biodistribution import read_biodistribution_layout

    export, layout = example_paths()
    truth = read_biodistribution_layout(layout).tubes
    tissue = truth[truth.role == "tissue"]
    wb = openpyxl.load_workbook(layout)
    for row in wb["Tubes"].iter_rows(min_row=2):
        if row[3].value == "tissue":
            row[7].value = None  # filled weights come from the balance instead
    bad = tmp_path / "layout.xlsx"
    wb.save(bad)
    weights = tmp_path / "balance.csv"
    pd.DataFrame({"Tube ID": tissue["tube_id"], "Weight (g)": tissue["filled_g"]}).to_csv(
        weights, index=False
    )
    target = tmp_path / "o"
    args = [
        "biodistribution",
        str(export),
        "-l",
        str(bad),
        "--balance",
        str(weights),
        "-o",
        str(target),
        "--no-figures",
    ]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    long = pd.read_csv(target / "results.csv")
    ref = long.merge(
        tissue[["animal", "organ", "mass_g"]], on=["animal", "organ"], suffixes=("", "_ref")
    )
    assert len(ref) == 120
    assert (ref["mass_g"] - ref["mass_g_ref"]).abs().max() < 1e-9
    prov = json.loads((target / "provenance.json").read_text())
    assert prov["inputs"]["balance"]["name"] == "balance.csv"
