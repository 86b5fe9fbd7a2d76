"""``assaykit saturation analyze`` on the bundled example (CliRunner), and one-line errors."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

import assaykit.cli as cli
from assaykit.datasets.saturation import EXPORT, LAYOUT


def test_analyze_bundled_example(tmp_path):
    out = tmp_path / "sat"
    res = CliRunner().invoke(
        cli.app, ["binding", "saturation", str(EXPORT), "--layout", str(LAYOUT), "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    for name in ("results.csv", "results.xlsx", "provenance.json", "saturation_saturation.png",
                 "scatchard_saturation.svg"):  # fmt: skip
        assert (out / name).exists(), name
    r = pd.read_csv(out / "results.csv").iloc[0]
    assert r["status"] == "ok" and 1.5e-9 < r["kd_M"] < 2.5e-9
    assert "sites/cell" in res.output
    assert set(pd.read_excel(out / "results.xlsx", sheet_name=None)) >= {
        "results",
        "points",
        "settings",
    }


def test_options_override_the_template(tmp_path):
    out = tmp_path / "sat"
    res = CliRunner().invoke(
        cli.app,
        ["binding", "saturation", str(EXPORT), "-l", str(LAYOUT), "-o", str(out), "--no-figures", "--ci", "wald",
         "--molar-activity", "2200 Ci/mmol", "--cells", "1e6", "--model", "total-nsb"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    r = pd.read_csv(out / "results.csv").iloc[0]
    assert r["ci_method"] == "wald"
    # 20× the molar activity and 5× the cells of the template → sites/cell 100× smaller
    assert 200 < r["sites_per_cell"] < 400
    assert not (out / "saturation_saturation.png").exists()


def test_template_command(tmp_path):
    p = tmp_path / "t.xlsx"
    assert CliRunner().invoke(cli.app, ["template", "saturation", "-o", str(p)]).exit_code == 0
    assert p.exists()


@pytest.fixture
def mounted(monkeypatch):
    """The real entry point (one-line errors) with the saturation commands mounted."""
    # the command is 'assaykit binding saturation' on the real app: nothing to mount


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--model", "three-site"], "--model: unknown value 'three-site'"),
        (["--molar-activity", "5 furlongs"], "--molar-activity: unknown unit 'furlongs'"),
    ],
)
def test_bad_options_are_one_line(mounted, tmp_path, capsys, args, needle):
    with pytest.raises(SystemExit) as info:
        cli.main(
            [
                "binding",
                "saturation",
                str(EXPORT),
                "-l",
                str(LAYOUT),
                "-o",
                str(tmp_path / "o"),
                *args,
            ]
        )
    assert info.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("assaykit: error: ") and needle in err[0], err


def test_export_without_layout_is_one_line(mounted, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["binding", "saturation", str(EXPORT), "-o", str(tmp_path / "o")])
    assert info.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "needs --layout" in err[0] and str(EXPORT) in err[0], err
    assert not (tmp_path / "o").exists()


def test_kd_from_a_saturation_run_flows_into_ki(tmp_path, capsys):
    """assaykit binding saturation → assaykit binding fit --kd-from: Ki uses that Kd and its CI."""
    import json

    import pandas as pd

    from assaykit.cli import main
    from assaykit.datasets.binding import EXPORT as BINDING
    from assaykit.datasets.binding import LAYOUT as BINDING_LAYOUT

    def run(argv):
        with pytest.raises(SystemExit) as info:
            main(argv)
        return int(info.value.code or 0)

    sat = tmp_path / "sat"
    assert run(["binding", "saturation", str(EXPORT), "-l", str(LAYOUT), "-o", str(sat),
                "--no-figures"]) == 0  # fmt: skip
    s = pd.read_csv(sat / "results.csv").iloc[0]
    out = tmp_path / "fit"
    assert run(["binding", "fit", str(BINDING), "-l", str(BINDING_LAYOUT), "--kd-from", str(sat),
                "-o", str(out), "--no-figures"]) == 0  # fmt: skip
    r = pd.read_csv(out / "results.csv")
    # Cheng–Prusoff by hand with the saturation Kd: Ki = IC50 / (1 + [L]/Kd)
    conc = json.loads((out / "provenance.json").read_text())["options"]["radioligand_conc_M"]
    expected = r["ic50"] / (1 + conc / s["kd_M"])
    assert r["ki"].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-9)
    # the Kd's CI widens Ki's CI beyond the IC50's relative width
    rel_ic50 = r["ic50_ci_high"] / r["ic50_ci_low"]
    rel_ki = r["ki_ci_high"] / r["ki_ci_low"]
    assert (rel_ki >= rel_ic50 * (1 - 1e-12)).all()
    prov = json.loads((out / "provenance.json").read_text())
    assert "kd_from" in prov["inputs"] and "saturation fit" in prov["options"]["kd_source"]
    assert "Ki " in capsys.readouterr().err


def test_template_saturation_through_the_main_command(tmp_path):
    from assaykit.cli import main

    p = tmp_path / "sat.xlsx"
    with pytest.raises(SystemExit) as info:
        main(["template", "saturation", "-o", str(p)])
    assert info.value.code == 0 and p.stat().st_size > 1000
