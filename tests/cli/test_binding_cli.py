"""``assaykit binding fit`` through assaykit.cli.main: results on good input, one line and exit 1 on bad."""

from __future__ import annotations

import pandas as pd
import pytest

from assaykit.cli import main
from assaykit.datasets.binding import EXPORT, LAYOUT

X = [-11, -10, -9, -8, -7.5, -7, -6.5, -6, -5, -4]
Y = [99.960, 99.603, 96.171, 71.525, 44.269, 20.076, 7.359, 2.450, 0.251, 0.025]


def run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(argv)
    return int(info.value.code or 0)


@pytest.fixture
def tidy(tmp_path):
    path = tmp_path / "points.csv"
    pd.DataFrame({"conc": [10.0**x for x in X], "response": Y, "curve": "P"}).to_csv(
        path, index=False
    )
    return path


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("assaykit: error: ")
    return err[0]


def test_fit_tidy_table_with_options(tidy, tmp_path, capsys):
    out = tmp_path / "out"
    code = run(["binding", "fit", str(tidy), "-o", str(out), "--fix-top", "100", "--fix-bottom", "0",
                "--model", "one-site", "--kd", "1 nM", "--radioligand-conc", "0.1nM"])  # fmt: skip
    assert code == 0
    res = pd.read_csv(out / "results.csv")
    assert res.loc[0, "status"] == "ok"
    assert res.loc[0, "log_ic50"] == pytest.approx(-7.6, abs=1e-3)  # DOMAIN §6 #8
    assert res.loc[0, "hill"] == -1.0
    assert res.loc[0, "top"] == pytest.approx(100.0) and res.loc[0, "bottom"] == pytest.approx(
        0.0, abs=1e-9
    )
    assert pd.isna(res.loc[0, "top_se"]) and pd.isna(res.loc[0, "hill_se"])  # held, not fitted
    assert res.loc[0, "fixed"] == "top=100;bottom=0;hill=-1"
    assert res.loc[0, "ki"] == pytest.approx(res.loc[0, "ic50"] / 1.1)
    err = capsys.readouterr().err
    assert "1 curve(s), 1 with status ok" in err
    assert "  P: IC50 = 25.1 nM (95% CI" in err
    assert (out / "overlay.svg").exists() and (out / "curve_P.pdf").exists()


def test_fit_export_with_layout_and_force(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["binding", "fit", str(EXPORT), "--layout", str(LAYOUT), "-o", str(out), "--no-figures"]
    assert run(args) == 0
    first = (out / "results.csv").read_bytes()
    capsys.readouterr()
    assert run(args) == 1
    assert "exists; use --force" in _one_error_line(capsys)
    assert run([*args, "--force"]) == 0
    assert (out / "results.csv").read_bytes() == first


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--model", "5pl"], "--model: unknown value '5pl'"),
        (["--weighting", "1/x"], "--weighting: unknown value '1/x'"),
        (["--ci", "bootstrap"], "--ci: unknown value 'bootstrap'"),
        (["--kd", "one nM"], "--kd: expected a concentration"),
    ],
    ids=["model", "weighting", "ci", "kd"],
)
def test_unknown_option_values_are_one_line(tidy, tmp_path, capsys, extra, needle):
    assert run(["binding", "fit", str(tidy), "-o", str(tmp_path / "out"), *extra]) == 1
    assert needle in _one_error_line(capsys)
    assert not (tmp_path / "out").exists()


def test_missing_columns_in_tidy_table(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"dose": [1e-9], "response": [50.0], "curve": ["A"]}).to_csv(path, index=False)
    assert run(["binding", "fit", str(path), "-o", str(tmp_path / "out")]) == 1
    line = _one_error_line(capsys)
    assert "bad.csv" in line and "'conc'" in line and "--x" in line
    # naming the column fixes the table; one point is then reported honestly, not fitted
    assert (
        run(
            [
                "binding",
                "fit",
                str(path),
                "-o",
                str(tmp_path / "out"),
                "--x",
                "dose",
                "--no-figures",
            ]
        )
        == 0
    )
    assert pd.read_csv(tmp_path / "out" / "results.csv").loc[0, "status"] == "insufficient_data"


def test_layout_not_matching_export(tmp_path, capsys):
    from assaykit.layout import read_layout
    from assaykit.layout.templates import fill_template

    lay = read_layout(LAYOUT)
    lay.loc[lay.index[:3], "rack"] = 42
    bad = fill_template("binding", tmp_path / "wrong.xlsx", lay, lay.attrs["experiment"])
    assert run(["binding", "fit", str(EXPORT), "-l", str(bad), "-o", str(tmp_path / "out")]) == 1
    line = _one_error_line(capsys)
    assert "rack 42" in line and "wrong.xlsx" in line


def test_export_without_layout(tmp_path, capsys):
    assert run(["binding", "fit", str(EXPORT), "-o", str(tmp_path / "out")]) == 1
    assert "--layout" in _one_error_line(capsys)


def test_missing_input_file(tmp_path, capsys):
    assert run(["binding", "fit", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "out")]) == 1
    assert "nope.csv" in _one_error_line(capsys)


def test_conc_unit_converts_a_nanomolar_table(tmp_path, capsys):
    path = tmp_path / "nM.csv"
    pd.DataFrame({"conc": [10.0 ** (x + 9) for x in X], "response": Y, "curve": "P"}).to_csv(
        path, index=False
    )
    out = tmp_path / "out"
    assert (
        run(["binding", "fit", str(path), "-o", str(out), "--conc-unit", "nM", "--no-figures"]) == 0
    )
    assert pd.read_csv(out / "results.csv").loc[0, "ic50"] == pytest.approx(25.12e-9, rel=1e-3)
    capsys.readouterr()
    assert (
        run(["binding", "fit", str(path), "-o", str(tmp_path / "o2"), "--conc-unit", "furlong"])
        == 1
    )
    assert "unknown concentration unit 'furlong'" in _one_error_line(capsys)


def test_summarise_results_of_three_experiments(tmp_path, capsys):
    from scipy import stats

    a, b = [-7.46, -7.38, -7.55], [-8.27, -8.20, -8.31]
    files = []
    for i in range(3):
        p = tmp_path / f"results_{i}.csv"
        pd.DataFrame({"curve": ["P", "C"], "compound": ["P", "C"], "experiment": f"E{i}",
                      "log_ic50": [a[i], b[i]], "status": "ok"}).to_csv(p, index=False)  # fmt: skip
        files.append(str(p))
    out = tmp_path / "summary"
    assert run(["binding", "summarise", *files, "-o", str(out)]) == 0
    s = pd.read_csv(out / "summary.csv").set_index("compound")
    assert s.loc["P", "mean_log_ic50"] == pytest.approx(sum(a) / 3)
    assert s.loc["P", "sd_log_ic50"] == pytest.approx(pd.Series(a).std())
    c = pd.read_csv(out / "comparisons.csv").iloc[0]
    assert c["test"] == "paired t-test"
    assert c["p_unc"] == pytest.approx(stats.ttest_rel(a, b).pvalue)
    assert "P: logIC50 -7.46 ± 0.09 (n = 3 experiments)" in capsys.readouterr().err
    assert (
        run(["binding", "summarise", files[0], "-o", str(tmp_path / "s2"), "--paired", "maybe"])
        == 1
    )
    assert "--paired: unknown value 'maybe'" in _one_error_line(capsys)
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"compound": ["P"], "ic50": [1e-8]}).to_csv(bad, index=False)
    assert run(["binding", "summarise", str(bad), "-o", str(tmp_path / "s3")]) == 1
    line = _one_error_line(capsys)
    assert "bad.csv" in line and "'experiment'" in line


@pytest.mark.parametrize(
    "extra", [["--ci", "profile"], ["--weighting", "poisson"], ["--weighting", "1/y2"]]
)
def test_fit_options_reach_the_fit(tidy, tmp_path, extra):
    out = tmp_path / "out"
    assert run(["binding", "fit", str(tidy), "-o", str(out), "--no-figures", *extra]) == 0
    res = pd.read_csv(out / "results.csv").iloc[0]
    assert res["status"] == "ok" and res["log_ic50"] == pytest.approx(-7.6, abs=2e-3)
    settings = pd.read_excel(out / "results.xlsx", sheet_name="settings").set_index("setting")[
        "value"
    ]
    key = extra[0].lstrip("-")
    assert settings[key] == extra[1]


# ---- several exports in one run ----------------------------------------------------------------


@pytest.fixture
def three_exports(tmp_path):
    from tests.binding.test_pipeline_batch import NAMES, perturbed_copy

    folder = tmp_path / "exports"
    folder.mkdir()
    return [perturbed_copy(folder / name, seed) for seed, name in enumerate(NAMES)]


def test_fit_several_exports(three_exports, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["binding", "fit", *map(str, three_exports), "-l", str(LAYOUT), "-o", str(out)]
    assert run([*args, "--figures", "none"]) == 0
    res = pd.read_csv(out / "results.csv")
    assert list(res["source"].unique()) == ["exp1.csv", "exp2.csv", "exp3.csv"]
    assert len(res) == 9 and res["curve"].is_unique
    err = capsys.readouterr().err
    assert "9 curve(s) from 3 of 3 file(s), 9 with status ok" in err
    assert "  AMD3100 [exp1.csv]: IC50 = " in err
    assert "\x1b[" not in err  # no progress bar when stderr is not a terminal
    first = (out / "results.csv").read_bytes()
    assert run([*args, "--figures", "none", "--force", "--progress"]) == 0
    assert (out / "results.csv").read_bytes() == first


def test_fit_a_folder_with_a_broken_file(three_exports, tmp_path, capsys):
    folder = three_exports[0].parent
    (folder / "broken.csv").write_text("this is not an instrument export\n")
    out = tmp_path / "out"
    args = ["binding", "fit", str(folder), "-l", str(LAYOUT), "-o", str(out), "--no-figures"]
    assert run(args) == 1
    line = _one_error_line(capsys)
    assert "broken.csv" in line
    assert not out.exists()
    assert run([*args, "--keep-going"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("assaykit: error: ") and "broken.csv" in err[0]
    assert err[-1].startswith("assaykit: error: 1 of 4 input files could not be analysed")
    res = pd.read_csv(out / "results.csv")
    assert sorted(res["source"].unique()) == ["exp1.csv", "exp2.csv", "exp3.csv"]
    files = pd.read_excel(out / "results.xlsx", sheet_name="files").set_index("file")
    assert files.loc["broken.csv", "status"] == "error"


def test_default_figures_for_several_exports_are_per_curve_up_to_24(three_exports, tmp_path):
    out = tmp_path / "out"
    assert (
        run(["binding", "fit", *map(str, three_exports[:2]), "-l", str(LAYOUT), "-o", str(out)])
        == 0
    )
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert "overlay_exp1.png" in pngs and "overlay_exp2.png" in pngs
    assert "curve_AMD3100_exp1_csv.png" in pngs and len(pngs) == 6 + 2


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--figures", "some"], "--figures: unknown value 'some'"),
        (["--figures", "all", "--no-figures"], "--no-figures contradicts --figures all"),
    ],
)
def test_figure_options_are_checked(tidy, tmp_path, capsys, extra, needle):
    assert run(["binding", "fit", str(tidy), "-o", str(tmp_path / "out"), *extra]) == 1
    assert needle in _one_error_line(capsys)


def test_missing_one_of_several_inputs(tidy, tmp_path, capsys):
    args = ["binding", "fit", str(tidy), str(tmp_path / "nope.csv"), "-o", str(tmp_path / "out")]
    assert run(args) == 1
    assert "nope.csv" in _one_error_line(capsys) and not (tmp_path / "out").exists()


def test_export_tubes_missing_from_the_layout_are_listed(tmp_path, capsys):
    """Tubes the template does not mention are not dropped without a word."""
    from assaykit.layout import read_layout
    from assaykit.layout.templates import fill_template

    lay = read_layout(LAYOUT)
    blanks = lay.index[lay["role"] == "blank"][:2]
    gone = lay.loc[blanks, ["rack", "position"]].astype(int).to_numpy().tolist()
    short = fill_template(
        "binding", tmp_path / "short.xlsx", lay.drop(blanks), lay.attrs["experiment"]
    )
    out = tmp_path / "out"
    assert (
        run(["binding", "fit", str(EXPORT), "-l", str(short), "-o", str(out), "--no-figures"]) == 0
    )
    err = capsys.readouterr().err
    assert "2 tube(s)/well(s) in the export are not in the layout" in err
    checks = pd.read_excel(out / "results.xlsx", sheet_name="checks")
    for rack, pos in gone:
        assert f"rack {rack} position {pos}" in checks["message"].iloc[0]


def test_only_negative_concentrations_is_an_error(tmp_path, capsys):
    """A table of log10 concentrations typed into 'conc' exited 0 with nothing fitted."""
    path = tmp_path / "log.csv"
    pd.DataFrame({"conc": X, "response": Y, "curve": "P"}).to_csv(path, index=False)
    assert run(["binding", "fit", str(path), "-o", str(tmp_path / "out")]) == 1
    line = _one_error_line(capsys)
    assert "log.csv" in line and "0, negative or empty" in line
