"""Several exports with one layout: per-file normalisation, one batched fit, one results folder."""

from __future__ import annotations

import csv
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from assaykit.binding.results import figure_mode as _figure_mode
from assaykit.datasets.binding import EXPORT, LAYOUT
from assaykit.errors import AssaykitError, LayoutError, OutputError
from assaykit.run import expand_inputs, run_binding_analysis, source_names
from assaykit.run import run_binding_analysis as run_binding_batch

NAMES = ("exp1.csv", "exp2.csv", "exp3.csv")
COMPOUNDS = ("AMD3100", "[natGa]Pentixafor", "iodo-CPCR4")


def perturbed_copy(path, seed: int, *, drop_last: int = 0):
    """The bundled WIZARD2 export with every CPM scaled by a random ~3 % factor (a new experiment)."""
    rng = np.random.default_rng(seed)
    with EXPORT.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    head, body = rows[0], rows[1 : len(rows) - drop_last]
    k = head.index("I-125 CPM")
    for r in body:
        r[k] = f"{float(r[k]) * rng.lognormal(0.0, 0.03):.2f}"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows([head, *body])
    return path


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    d = tmp_path_factory.mktemp("exports")
    return [perturbed_copy(d / name, seed) for seed, name in enumerate(NAMES)]


@pytest.fixture(scope="module")
def batch(exports, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch") / "results"
    return run_binding_batch(exports, out, layout=LAYOUT, figures="none")


def test_one_row_per_curve_per_file_with_source(batch):
    res = pd.read_csv(batch.outdir / "results.csv")
    assert list(res.columns[:3]) == ["curve", "source", "compound"]
    assert list(res["source"]) == [n for n in NAMES for _ in COMPOUNDS]  # file by file, in order
    assert list(res["compound"]) == list(COMPOUNDS) * 3
    assert res.loc[0, "curve"] == "AMD3100 [exp1.csv]"  # readable, and unique over the files
    assert res["curve"].is_unique
    assert (res["status"] == "ok").all()
    assert list(res["experiment"]) == list(res["source"])  # each export is one experiment
    assert (res["n"] == 30).all()


def test_batched_fit_equals_each_file_alone(batch, exports, tmp_path):
    one = run_binding_analysis(exports[1], tmp_path / "one", layout=LAYOUT, figures=False).results
    part = batch.results[batch.results["source"] == "exp2.csv"].reset_index(drop=True)
    assert list(part["compound"]) == list(one["curve"])
    for col in ("log_ic50", "hill", "top", "bottom", "log_ic50_se", "ki", "rss"):
        np.testing.assert_allclose(part[col], one[col], rtol=1e-6, err_msg=col)
    assert list(part["flags"]) == list(one["flags"])


def test_workbook_sheets_status_and_provenance(batch, exports):
    wb = openpyxl.load_workbook(batch.outdir / "results.xlsx", read_only=True)
    assert {"parameters", "flags", "qc", "summary", "normalised", "settings", "files"} <= set(
        wb.sheetnames
    )
    files = pd.read_excel(batch.outdir / "results.xlsx", sheet_name="files")
    assert list(files["file"]) == list(NAMES)
    assert list(files["status"]) == ["ok"] * 3 and list(files["curves"]) == [3] * 3
    assert (files["format"] == "wizard2").all()
    norm = pd.read_excel(batch.outdir / "results.xlsx", sheet_name="normalised")
    assert set(norm["source"]) == set(NAMES)
    assert len(norm) == len(batch.result.tables["normalised"])
    qc = pd.read_excel(batch.outdir / "results.xlsx", sheet_name="qc")
    assert list(qc["source"]) == list(NAMES)  # each file normalised to its own TB and NSB
    summary = pd.read_excel(batch.outdir / "results.xlsx", sheet_name="summary")
    assert set(summary["compound"]) == set(COMPOUNDS) and (summary["n"] == 3).all()
    prov = json.loads((batch.outdir / "provenance.json").read_text())
    assert [prov["inputs"][f"input_{k}"]["name"] for k in (1, 2, 3)] == list(NAMES)
    assert all(len(prov["inputs"][f"input_{k}"]["sha256"]) == 64 for k in (1, 2, 3))
    assert prov["inputs"]["layout"]["name"] == LAYOUT.name
    assert sorted(p.name for p in batch.outdir.iterdir()) == [
        "provenance.json",
        "report.html",
        "results.csv",
        "results.pzfx",
        "results.xlsx",
    ]


def test_only_normalised_points_are_kept(batch):
    # the raw export columns that normalisation does not need are not carried along
    assert not {"row", "col", "raw", "unit", "flag"} & set(batch.result.tables["normalised"].columns)
    assert set(batch.result.tables["normalised"]["role"]) <= {"total", "nsb", "competitor", "blank", "standard"}


def test_rerun_with_force_is_byte_identical(batch, exports):
    before = (batch.outdir / "results.csv").read_bytes()
    sheets = pd.read_excel(batch.outdir / "results.xlsx", sheet_name=None)
    with pytest.raises(OutputError, match="--force"):
        run_binding_batch(exports, batch.outdir, layout=LAYOUT, figures="none")
    again = run_binding_batch(exports, batch.outdir, layout=LAYOUT, figures="none", force=True)
    assert (again.outdir / "results.csv").read_bytes() == before
    # the workbook's cells are the same (its zip entries carry the time they were written)
    for name, df in pd.read_excel(again.outdir / "results.xlsx", sheet_name=None).items():
        pd.testing.assert_frame_equal(df, sheets[name], obj=name)


def test_folder_input_is_its_sorted_visible_files(exports, tmp_path):
    folder = exports[0].parent
    (folder / ".hidden.csv").write_text("not an export\n")
    (folder / "sub").mkdir(exist_ok=True)
    assert [p.name for p in expand_inputs([folder])] == list(NAMES)
    res = run_binding_analysis(folder, tmp_path / "out", layout=LAYOUT, figures="none")
    assert list(dict.fromkeys(res.results["source"])) == list(NAMES)


def test_broken_file_stops_the_run_naming_it(exports, tmp_path):
    bad = tmp_path / "broken.csv"
    bad.write_text("this is not an instrument export\n")
    with pytest.raises(AssaykitError) as info:
        run_binding_batch([exports[0], bad, exports[1]], tmp_path / "out", layout=LAYOUT)
    assert "broken.csv" in str(info.value) and "\n" not in str(info.value)
    assert not (tmp_path / "out").exists()  # nothing written


def test_export_not_matching_the_layout_names_the_export(exports, tmp_path):
    short = perturbed_copy(tmp_path / "short.csv", 9, drop_last=5)  # five tubes missing
    with pytest.raises(LayoutError, match=r"short\.csv.*lacks"):
        run_binding_batch([exports[0], short], tmp_path / "out", layout=LAYOUT)
    assert not (tmp_path / "out").exists()


def test_keep_going_records_the_failure_and_writes_the_rest(exports, tmp_path):
    bad = tmp_path / "broken.csv"
    bad.write_text("this is not an instrument export\n")
    res = run_binding_batch(
        [exports[0], bad, exports[2]],
        tmp_path / "out",
        layout=LAYOUT,
        figures="none",
        keep_going=True,
    )
    assert res.failed == [bad]
    assert list(res.status["status"]) == ["ok", "error", "ok"]
    assert "broken.csv" in res.status.loc[1, "message"]
    csv_ = pd.read_csv(res.outdir / "results.csv")
    assert set(csv_["source"]) == {"exp1.csv", "exp3.csv"} and len(csv_) == 6
    files = pd.read_excel(res.outdir / "results.xlsx", sheet_name="files")
    assert list(files["status"]) == ["ok", "error", "ok"]


def test_keep_going_with_nothing_usable_is_an_error(tmp_path):
    bad = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for p in bad:
        p.write_text("nothing here\n")
    with pytest.raises(AssaykitError, match="none of the 2 inputs"):
        run_binding_batch(bad, tmp_path / "out", layout=LAYOUT, keep_going=True)
    assert not (tmp_path / "out").exists()


def test_overlay_figures_one_per_file(exports, tmp_path):
    res = run_binding_batch(exports[:2], tmp_path / "out", layout=LAYOUT, figures="overlay")
    names = sorted(p.name for p in res.outdir.glob("*.png"))
    assert names == ["overlay_exp1.png", "overlay_exp2.png"]


def test_figure_modes():
    assert _figure_mode("auto", 24) == "all" and _figure_mode("auto", 25) == "overlay"
    assert _figure_mode(True, 3) == "all" and _figure_mode(False, 3) == "none"
    assert _figure_mode("overlay", 3) == "overlay"
    with pytest.raises(AssaykitError, match="figures"):
        _figure_mode("some", 3)


def test_same_file_names_in_two_folders_stay_apart(tmp_path):
    a, b = tmp_path / "a" / "run.csv", tmp_path / "b" / "run.csv"
    assert source_names([a, b, tmp_path / "c.csv"]) == ["a/run.csv", "b/run.csv", "c.csv"]


def test_tidy_tables_too(tmp_path):
    x = [-11, -10, -9, -8, -7.5, -7, -6.5, -6, -5, -4]
    y = [99.960, 99.603, 96.171, 71.525, 44.269, 20.076, 7.359, 2.450, 0.251, 0.025]
    paths = []
    for k in (1, 2):
        p = tmp_path / f"t{k}.csv"
        pd.DataFrame({"conc": [10.0**v for v in x], "response": y, "curve": "P"}).to_csv(
            p, index=False
        )
        paths.append(p)
    res = run_binding_analysis(paths, tmp_path / "out", figures="none").results
    assert list(res["curve"]) == ["P [t1.csv]", "P [t2.csv]"]
    assert res["log_ic50"].to_numpy() == pytest.approx([-7.6, -7.6], abs=5e-4)


@pytest.mark.slow
def test_memory_grows_with_points_not_with_files_kept(exports, tmp_path):
    """Peak traced memory of 8 exports stays well below 4x that of 2 (files are streamed)."""
    import tracemalloc
    import warnings

    many = []
    for k in range(8):
        many.append(perturbed_copy(tmp_path / f"m{k:02d}.csv", 100 + k))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_binding_batch(many[:2], tmp_path / "warm", layout=LAYOUT, figures="none")  # imports
        peaks = {}
        for n in (2, 8):
            tracemalloc.start()
            run_binding_batch(many[:n], tmp_path / f"o{n}", layout=LAYOUT, figures="none")
            peaks[n] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    assert peaks[8] < 3 * peaks[2], peaks
