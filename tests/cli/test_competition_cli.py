"""``assaykit competition analyze`` through assaykit.cli.main on the bundled homologous example.

The command is not registered in assaykit/cli/__init__.py yet (the lead does that): the test mounts
it on a root app and runs it through the real entry point ``main`` (one-line errors, exit codes).
"""

from __future__ import annotations

import pandas as pd
import pytest
import typer

import assaykit.cli as cli
from assaykit.cli import competition
from assaykit.datasets.competition import example_paths
from assaykit.datasets.competition.make_example import TRUE


@pytest.fixture(autouse=True)
def mounted(monkeypatch: pytest.MonkeyPatch) -> None:
    root = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
    root.add_typer(competition.app, name="competition")

    @root.callback()
    def _root() -> None:
        """assaykit"""

    monkeypatch.setattr(cli, "app", root)


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    return int(info.value.code or 0)


def test_homologous_example_writes_results(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    export, layout = example_paths()
    out = tmp_path / "out"
    code = run(["competition", "analyze", str(export), "--layout", str(layout), "-o", str(out),
                "--model", "homologous", "--weighting", "1/y2", "--ci", "profile"])  # fmt: skip
    assert code == 0
    res = pd.read_csv(out / "results.csv")
    assert res.loc[0, "status"] == "ok"
    assert res.loc[0, "ci_method"] == "profile"
    assert res.loc[0, "kd_M_ci_low"] <= TRUE["kd_M"] <= res.loc[0, "kd_M_ci_high"]
    for name in ("results.xlsx", "provenance.json", "competition.png", "competition.svg"):
        assert (out / name).exists(), name
    sheets = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert {"results", "points"} <= set(sheets)
    err = capsys.readouterr().err
    assert "FC131: Kd " in err and "files written to" in err


def test_bad_inputs_give_one_line_and_exit_1(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    export, layout = example_paths()
    code = run(["competition", "analyze", str(export), "-o", str(tmp_path / "a")])
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("assaykit: error: ") and "layout" in err[0]
    code = run(["competition", "analyze", str(export), "-l", str(layout), "-o", str(tmp_path / "b"),
                "--model", "three-site"])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--model" in err[0]
    code = run(["competition", "analyze", str(export), "-l", str(layout), "-o", str(tmp_path / "c"),
                "--model", "depletion"])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "needs Kd" in err[0]
    assert not (tmp_path / "c").exists()


def test_fit_ki_on_the_binding_example_takes_l_and_kd_from_the_template(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from assaykit.datasets.binding import EXPORT, LAYOUT
    from assaykit.datasets.binding.make_example import TRUE_IC50

    out = tmp_path / "out"
    code = run(["competition", "analyze", str(EXPORT), "-l", str(LAYOUT), "-o", str(out),
                "--model", "fit-ki", "--no-figures"])  # fmt: skip
    assert code == 0
    res = pd.read_csv(out / "results.csv").set_index("curve")
    assert (res["radioligand_M"] == 1e-10).all() and (res["kd_M"] == 1e-9).all()
    ki = TRUE_IC50["iodo-CPCR4"] / 1.1
    assert res.loc["iodo-CPCR4", "ki_M_ci_low"] <= ki <= res.loc["iodo-CPCR4", "ki_M_ci_high"]
    assert not list(out.glob("*.png"))
