"""run_binding_analysis end to end: the bundled example, tidy tables, and inputs that must be refused."""

from __future__ import annotations

import json
import math

import numpy as np
import openpyxl
import pandas as pd
import pytest

from assaykit.datasets.binding import EXPORT, LAYOUT
from assaykit.datasets.binding.make_example import TRUE_HILL, TRUE_IC50
from assaykit.errors import FitError, LayoutError, OutputError, SchemaError
from assaykit.io.tidy import read_tidy
from assaykit.run import run_binding_analysis
from assaykit.units import UnitError, parse_molar

FIGURES = ["overlay", "curve_AMD3100", "curve_natGa_Pentixafor", "curve_iodo_CPCR4"]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("binding") / "results"
    return run_binding_analysis(EXPORT, out, layout=LAYOUT)


def test_example_writes_every_file(example):
    names = {p.name for p in example.outdir.iterdir()}
    assert {"results.csv", "results.xlsx", "provenance.json"} <= names
    for stem in FIGURES:
        for ext in ("png", "pdf", "svg"):
            assert f"{stem}.{ext}" in names, f"{stem}.{ext} missing"
            assert (example.outdir / f"{stem}.{ext}").stat().st_size > 1000
    assert not any(n.startswith(".") for n in names)  # no temporary leftovers


def test_example_results_csv_columns(example):
    res = pd.read_csv(example.outdir / "results.csv")
    for col in ("curve", "compound", "status", "ic50", "ic50_ci_low", "ic50_ci_high", "log_ic50", "log_ic50_se",
                "hill", "hill_se", "top", "bottom", "ki", "ki_ci_low", "ki_ci_high", "pki", "r_squared", "n",
                "flags", "message"):  # fmt: skip
        assert col in res.columns, col
    assert len(res) == 3
    assert list(res["n"]) == [30, 30, 30]
    assert set(res["experiment"]) == {"BND-DEMO-001"}  # from the template, for later summaries


@pytest.mark.parametrize("compound", sorted(TRUE_IC50))
def test_example_recovers_true_ic50_within_ci(example, compound):
    r = example.results.set_index("curve").loc[compound]
    assert r["status"] == "ok"
    assert r["ic50_ci_low"] <= TRUE_IC50[compound] <= r["ic50_ci_high"]
    assert abs(r["log_ic50"] - math.log10(TRUE_IC50[compound])) < 0.1
    assert abs(r["hill"] - TRUE_HILL[compound]) < 3 * r["hill_se"]


def test_example_ki_from_template(example):
    # template: [L] = 0.1 nM, Kd = 1 nM (assumed) -> Ki = IC50 / 1.1 (DOMAIN §1.3)
    r = example.results
    np.testing.assert_allclose(r["ki"], r["ic50"] / 1.1, rtol=1e-12)
    np.testing.assert_allclose(r["ki_ci_high"], r["ic50_ci_high"] / 1.1, rtol=1e-12)
    np.testing.assert_allclose(r["pki"], -np.log10(r["ic50"] / 1.1), rtol=1e-12)


def test_example_normalisation_and_qc(example):
    qc = example.result.tables["qc"].iloc[0]
    assert qc["n_total"] == 3 and qc["n_nsb"] == 3 and qc["n_blank"] == 3
    assert 0.05 < qc["fraction_bound"] < 0.08  # ~6.7 % of 52 000 cpm added: no depletion flag
    assert qc["window"] == pytest.approx(1 - qc["mean_nsb"] / qc["mean_total"])
    assert "ligand_depletion" not in qc["flags"]
    tb = example.result.tables["normalised"].query("role == 'total'")["response"]
    assert tb.mean() == pytest.approx(100.0)


def test_example_workbook_and_provenance(example):
    wb = openpyxl.load_workbook(example.outdir / "results.xlsx", read_only=True)
    assert {"parameters", "normalised", "flags", "settings", "qc"} <= set(wb.sheetnames)
    prov = json.loads((example.outdir / "provenance.json").read_text())
    assert prov["inputs"]["input"]["name"] == EXPORT.name
    assert len(prov["inputs"]["layout"]["sha256"]) == 64
    assert prov["options"]["model"] == "4pl"


def test_rerun_with_force_is_byte_identical_and_refused_without(example):
    before = (example.outdir / "results.csv").read_bytes()
    with pytest.raises(OutputError, match="--force"):
        run_binding_analysis(EXPORT, example.outdir, layout=LAYOUT)
    assert (example.outdir / "results.csv").read_bytes() == before  # untouched
    again = run_binding_analysis(EXPORT, example.outdir, layout=LAYOUT, force=True, figures=False)
    assert (again.outdir / "results.csv").read_bytes() == before
    assert not list(again.outdir.glob("*.png"))  # the folder was replaced as a whole


# ---- tidy tables -------------------------------------------------------------------------------

X8 = [-11, -10, -9, -8, -7.5, -7, -6.5, -6, -5, -4]
Y8 = [99.960, 99.603, 96.171, 71.525, 44.269, 20.076, 7.359, 2.450, 0.251, 0.025]


def _tidy(tmp_path, **cols) -> str:
    path = tmp_path / "points.csv"
    pd.DataFrame(cols).to_csv(path, index=False)
    return path


def test_tidy_table_with_renamed_columns_domain_8(tmp_path):
    # DOMAIN §6 #8: noise-free points -> logIC50 -7.600, IC50 25.12 nM, |hill| 1
    path = _tidy(tmp_path, dose=[10.0**x for x in X8], signal=Y8, drug=["P"] * 10)
    res = run_binding_analysis(
        path, tmp_path / "out", x="dose", y="signal", by="drug", figures=False
    )
    res = res.results.iloc[0]
    assert res["curve"] == "P"
    assert res["log_ic50"] == pytest.approx(-7.600, abs=5e-4)
    assert res["ic50"] * 1e9 == pytest.approx(25.12, abs=0.01)
    assert abs(res["hill"]) == pytest.approx(1.0, abs=2e-3)
    assert "Kd are needed" in res["message"] and math.isnan(
        res["ki"]
    )  # no Kd given: Ki not invented


def test_tidy_table_ki_from_options(tmp_path):
    path = _tidy(tmp_path, conc=[10.0**x for x in X8], response=Y8, curve=["P"] * 10)
    res = run_binding_analysis(
        path, tmp_path / "out", kd="1 nM", radioligand_conc="0.1 nM", figures=False
    )
    res = res.results.iloc[0]
    assert res["ki"] == pytest.approx(res["ic50"] / 1.1)


def test_flat_curve_reports_status_not_an_ic50(tmp_path):
    rng = np.random.default_rng(3)
    conc = [10.0**x for x in X8] * 2
    resp = Y8 + list(100 + rng.normal(0, 3, 10))
    path = _tidy(tmp_path, conc=conc, response=resp, curve=["good"] * 10 + ["flat"] * 10)
    out = run_binding_analysis(path, tmp_path / "out", kd=1e-9, radioligand_conc=1e-10)
    flat = out.results.set_index("curve").loc["flat"]
    assert flat["status"] != "ok"
    assert math.isnan(flat["ic50"]) and math.isnan(flat["ki"])
    assert flat["message"]
    assert (out.outdir / "curve_flat.png").exists()
    csv = pd.read_csv(out.outdir / "results.csv").set_index("curve")
    assert csv.loc["flat", "status"] == flat["status"]


def test_several_experiments_get_a_summary_sheet(tmp_path):
    rows = []
    for e, shift in (("E1", 0.0), ("E2", 0.1), ("E3", -0.05)):
        for name, lg in (("A", -7.6), ("B", -8.4)):
            for x in X8:
                y = 100 / (1 + 10 ** ((lg + shift - x) * -1))
                rows.append(
                    {
                        "conc": 10.0**x,
                        "response": y,
                        "curve": f"{name} [{e}]",
                        "compound": name,
                        "experiment": e,
                    }
                )
    path = tmp_path / "multi.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    out = run_binding_analysis(path, tmp_path / "out", figures=False)
    wb = openpyxl.load_workbook(out.outdir / "results.xlsx", read_only=True)
    assert {"summary", "comparisons"} <= set(wb.sheetnames)
    summary = pd.read_excel(out.outdir / "results.xlsx", sheet_name="summary").set_index("compound")
    assert summary.loc["A", "n"] == 3
    assert summary.loc["A", "mean_log_ic50"] == pytest.approx(-7.6 + 0.05 / 3, abs=1e-3)


# ---- refused inputs ----------------------------------------------------------------------------


def test_missing_columns_name_what_is_needed(tmp_path):
    path = _tidy(tmp_path, conc=[1e-9], signal=[1.0], curve=["A"])
    with pytest.raises(SchemaError, match="'response'") as info:
        run_binding_analysis(path, tmp_path / "out")
    assert "--y" in str(info.value) and "\n" not in str(info.value)
    assert not (tmp_path / "out").exists()


def test_text_in_numbers_names_the_line(tmp_path):
    path = _tidy(tmp_path, conc=[1e-9, "ten nM"], response=[1.0, 2.0], curve=["A", "A"])
    with pytest.raises(SchemaError, match="line 3.*'ten nM'"):
        read_tidy(path)


def test_export_without_layout_asks_for_layout(tmp_path):
    with pytest.raises(SchemaError, match="--layout"):
        run_binding_analysis(EXPORT, tmp_path / "out")


def test_layout_not_matching_the_export(tmp_path):
    from assaykit.layout import read_layout
    from assaykit.layout.templates import fill_template

    lay = read_layout(LAYOUT)
    lay.loc[lay.index[-1], "rack"] = 99  # a tube the export lacks
    bad = fill_template("binding", tmp_path / "bad.xlsx", lay, lay.attrs["experiment"])
    with pytest.raises(LayoutError, match="rack 99"):
        run_binding_analysis(EXPORT, tmp_path / "out", layout=bad)
    assert not (tmp_path / "out").exists()


def test_bad_option_values(tmp_path):
    path = _tidy(tmp_path, conc=[10.0**x for x in X8], response=Y8, curve=["P"] * 10)
    with pytest.raises(FitError):
        run_binding_analysis(path, tmp_path / "o1", model="5pl")
    with pytest.raises(UnitError, match="Kd"):  # a unit typo is a ValueError, not a fit error
        run_binding_analysis(path, tmp_path / "o2", kd="one nanomolar")


@pytest.mark.parametrize(
    ("text", "molar"), [("1 nM", 1e-9), ("0.1nM", 1e-10), ("2.5 µM", 2.5e-6), ("3e-9", 3e-9)]
)
def test_parse_molar(text, molar):
    assert parse_molar(text) == pytest.approx(molar)


def test_qc_flags_reach_the_results_row():
    from assaykit.binding.results import assemble as _assemble

    lg = math.log10(35e-9)
    fits = pd.DataFrame({"curve": ["P"], "top": [100.0], "bottom": [0.0], "hill": [-1.6], "hill_se": [0.1],
                         "log_ic50": [lg], "ic50": [35e-9], "log_ic50_ci_low": [lg - 0.1],
                         "log_ic50_ci_high": [lg + 0.1], "status": ["ok"], "flags": [""], "message": [""]})  # fmt: skip
    points = pd.DataFrame({"curve": ["P", "P"], "compound": ["P", "P"], "curve_group": ["", ""],
                           "flags": ["ligand_depletion", "ligand_depletion;high_cv"]})  # fmt: skip
    qc = pd.DataFrame({"curve_group": [""], "fraction_bound": [0.15],
                       "message": ["15.0 % of the added radioligand bound in TB (> 10 %)"]})  # fmt: skip
    res = _assemble(
        fits, points, qc, {"radioligand_conc_M": 1e-10, "radioligand_kd_M": 1e-9}, {}
    ).iloc[0]
    assert res["flags"] == "ligand_depletion;high_cv;hill_not_unity"
    assert "15.0 % of the added radioligand" in res["message"] and "Cheng–Prusoff" in res["message"]
    assert res["ki"] == pytest.approx(35e-9 / 1.1)  # computed, but flagged


def test_bundled_example_is_what_the_script_makes(tmp_path):
    from assaykit.datasets.binding.make_example import make_example
    from assaykit.layout import read_layout

    export, layout = make_example(tmp_path)
    assert export.read_bytes() == EXPORT.read_bytes()
    a, b = read_layout(layout), read_layout(LAYOUT)
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["experiment"]["radioligand_kd_M"] == 1e-9
    assert "ASSUMED" in a.attrs["experiment"]["notes"]


def test_tidy_xlsx_input(tmp_path):
    path = tmp_path / "points.xlsx"
    pd.DataFrame({"conc": [10.0**x for x in X8], "response": Y8, "curve": "P"}).to_excel(
        path, index=False
    )
    res = run_binding_analysis(path, tmp_path / "out", figures=False).results.iloc[0]
    assert res["log_ic50"] == pytest.approx(-7.6, abs=5e-4)
    sheets = openpyxl.load_workbook(tmp_path / "out" / "results.xlsx", read_only=True).sheetnames
    assert sheets == ["parameters", "flags", "normalised", "settings", "units"]


def test_one_overlay_per_group(tmp_path):
    rows = [
        {"conc": 10.0**x, "response": y, "curve": f"P [{g}]", "compound": "P", "curve_group": g}
        for g in ("E1", "E2")
        for x, y in zip(X8, Y8, strict=True)
    ]
    path = tmp_path / "groups.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    out = run_binding_analysis(path, tmp_path / "out")
    names = {p.name for p in out.outdir.glob("overlay*.png")}
    assert names == {"overlay_E1.png", "overlay_E2.png"}
