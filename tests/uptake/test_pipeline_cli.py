"""End to end: `assaykit uptake analyze` on the bundled example and on the shared WIZARD2 file."""

from __future__ import annotations

import csv
import json
import math
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from assaykit.cli import main
from assaykit.datasets.uptake import example_paths
from tests.conftest import DATA, shared_path

WIZARD2 = ("instrument-exports", "perkinelmer-wizard2-2470", "004640.csv")
LAYOUT_004640 = DATA / "uptake" / "wizard2_004640_layout.csv"


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    return int(exc.value.code or 0), capsys.readouterr().err


@pytest.fixture(scope="module")
def example_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    export, layout = example_paths()
    out = tmp_path_factory.mktemp("cli") / "uptake"
    with pytest.raises(SystemExit) as exc:
        main(["uptake", "analyze", str(export), "--layout", str(layout), "-o", str(out)])
    assert exc.value.code == 0
    return out


def test_cli_writes_everything(example_out: Path) -> None:
    names = sorted(p.name for p in example_out.iterdir())
    for stem in ("uptake_timecourse", "internalized_fraction"):
        assert {f"{stem}.png", f"{stem}.pdf", f"{stem}.svg"} <= set(names)
    assert {"results.csv", "results.xlsx", "provenance.json"} <= set(names)
    summary = pd.read_csv(example_out / "results.csv")
    assert {"condition", "time_min", "quantity", "n", "mean", "sd", "sem"} <= set(summary.columns)
    sheets = pd.read_excel(example_out / "results.xlsx", sheet_name=None)
    assert {"summary", "statistics", "two-way ANOVA", "per tube", "per well", "settings"} <= set(
        sheets
    )
    assert len(sheets["per tube"]) == 96
    stats_sheet = sheets["statistics"]
    assert (stats_sheet["padjust"] == "holm").all()
    prov = json.loads((example_out / "provenance.json").read_text())
    assert prov["command"] == "assaykit uptake analyze"
    assert prov["inputs"]["input"]["name"] == "uptake_wizard2.csv"
    assert prov["options"]["settings_used"]["half_life_source"] == "ICRP-107"


def test_cli_refuses_existing_folder_and_force_replaces(
    example_out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export, layout = example_paths()
    code, err = run_cli(
        ["uptake", "analyze", str(export), "--layout", str(layout), "-o", str(example_out)], capsys
    )
    assert code == 1 and "exists; use --force" in err


def test_cli_isotope_mismatch_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export, layout = example_paths()
    args = ["uptake", "analyze", str(export), "--layout", str(layout), "-o", str(tmp_path / "o")]
    code, err = run_cli([*args, "--isotope", "Lu-177"], capsys)
    assert code == 1
    assert err.count("\n") == 1
    assert "uptake_wizard2.csv" in err and "isotope mismatch" in err and "Ga-68" in err
    assert not (tmp_path / "o").exists()


def test_cli_without_layout_explains(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export, _ = example_paths()
    code, err = run_cli(["uptake", "analyze", str(export), "-o", str(tmp_path / "o")], capsys)
    assert code == 1 and "--layout" in err


def test_cli_bad_reference_time(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export, layout = example_paths()
    args = ["uptake", "analyze", str(export), "--layout", str(layout), "-o", str(tmp_path / "o")]
    code, err = run_cli([*args, "--reference-time", "yesterday noon"], capsys)
    assert code == 1 and "--reference-time" in err


def test_tidy_table_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An already annotated CSV (e.g. exported from another tool) needs no layout."""
    from assaykit.datasets.uptake import load_example
    from assaykit.layout import annotate

    table, layout = load_example()
    tidy = annotate(table, layout)
    tidy["isotope"] = "Ga-68"
    path = tmp_path / "tidy.csv"
    tidy.to_csv(path, index=False)
    out = tmp_path / "o"
    code, err = run_cli(
        ["uptake", "analyze", str(path), "-o", str(out), "--no-fit", "--no-figures"], capsys
    )
    assert code == 0, err
    a = pd.read_csv(out / "results.csv")
    # the experiment sheet's reference time is not in a plain CSV: the first count start is used,
    # which leaves % of applied activity unchanged (checked against the export + template run)
    b = pd.read_excel(out / "results.xlsx", sheet_name="summary")
    assert len(a) == len(b)
    assert not list(out.glob("*.png"))
    export, layout_path = example_paths()
    ref_out = tmp_path / "ref"
    code, err = run_cli(
        [
            "uptake",
            "analyze",
            str(export),
            "-l",
            str(layout_path),
            "-o",
            str(ref_out),
            "--no-fit",
            "--no-figures",
        ],
        capsys,
    )
    assert code == 0, err
    ref = pd.read_csv(ref_out / "results.csv")
    # the per-10^6-cells rows need the experiment sheet's cell number, absent from a plain CSV
    keys = ["condition", "time_min", "quantity"]
    both = a.merge(ref, on=keys, suffixes=("", "_ref"))
    assert len(both) == len(a) == len(ref[~ref.quantity.str.endswith("_per_1e6_cells")])
    pd.testing.assert_series_equal(both["mean"], both["mean_ref"], check_names=False, rtol=1e-9)


# --- the shared real export ------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_result(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pd.DataFrame]]:
    from assaykit.io import read_export
    from assaykit.layout import layout_from_frame
    from assaykit.uptake import analyze

    path = shared_path(*WIZARD2)
    table = read_export(path)
    layout = layout_from_frame(
        pd.read_csv(LAYOUT_004640, keep_default_na=False, na_values=[""]),
        kind="uptake",
        experiment={"isotope": "I-125"},
    )
    return path, analyze(table, layout)


def test_shared_wizard2_against_hand_computation(
    shared_result: tuple[Path, dict[str, pd.DataFrame]],
) -> None:
    """Well 'tracer, 1 min, replicate 1' (rack 1 pos 1-3) recomputed from the raw CSV by hand."""
    path, res = shared_result
    with open(path, newline="", encoding="utf-8") as fh:
        rows = {(int(r["Rack"]), int(r["Pos"])): r for r in csv.DictReader(fh)}
    blank = [float(rows[(43, p)]["I-125 CPM"]) for p in range(5, 11)]
    bkg = sum(blank) / len(blank)
    first = min(datetime.fromisoformat(r["Measurement date & time"]) for r in rows.values())
    lam = math.log(2) / (59.400 * 86400)

    def corrected(rack: int, pos: int) -> float:
        r = rows[(rack, pos)]
        dt = float(r["Time"])
        elapsed = (datetime.fromisoformat(r["Measurement date & time"]) - first).total_seconds()
        during = lam * dt / (1 - math.exp(-lam * dt))
        return (float(r["I-125 CPM"]) - bkg) * math.exp(lam * elapsed) * during

    applied = sum(corrected(43, p) for p in range(1, 5)) / 4
    s, a, lys = corrected(1, 1), corrected(1, 2), corrected(1, 3)
    w = res["per_well"]
    well = w[(w.condition == "tracer") & (w.time_min == 1) & (w.replicate == 1)].iloc[0]
    assert well["surface_pct"] == pytest.approx(100 * a / applied, rel=1e-10)
    assert well["internalized_pct"] == pytest.approx(100 * lys / applied, rel=1e-10)
    assert well["internalized_of_bound_pct"] == pytest.approx(100 * lys / (a + lys), rel=1e-10)
    assert well["mass_balance"] == pytest.approx((s + a + lys) / applied, rel=1e-10)


def test_shared_wizard2_design_and_flags(
    shared_result: tuple[Path, dict[str, pd.DataFrame]],
) -> None:
    _, res = shared_result
    s = res["summary"]
    internal = s[s.quantity == "internalized_pct"]
    assert len(internal) == 14 and (internal["n"] == 10).all()
    settings = dict(zip(res["settings"]["setting"], res["settings"]["value"], strict=True))
    assert settings["isotope"] == "I-125" and settings["half_life"] == "59.4"
    tubes = res["per_tube"]
    # our reading puts tiny "supernatants" against ~34 000 CPM standards: the mass balance says so
    assert res["per_well"]["flags"].str.contains("mass_balance").any()
    # the counter's own near-background marker (Info 'I') is carried, e.g. rack 2 pos 2
    assert "counter:I" in tubes.loc[(tubes.rack == 2) & (tubes.position == 2), "flags"].iloc[0]
    # 8 h run, I-125: decay correction is tiny but applied (during-count factor included)
    assert 1.0 < tubes["decay_factor"].max() < 1.005
    stats_table = res["stats"]
    assert len(stats_table) == 3 * 7 and stats_table["p_adj"].notna().all()


@pytest.mark.slow
def test_shared_wizard2_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI reads the raw export; the tube list goes in as a tidy table join done beforehand."""
    from assaykit.io import read_export

    path = shared_path(*WIZARD2)
    table = read_export(path)
    layout = pd.read_csv(LAYOUT_004640)
    tidy = table.merge(layout, on=["rack", "position"], how="left")
    for col in ("role", "fraction", "condition", "compound"):
        tidy[col] = tidy[col].fillna("")
    tidy_path = tmp_path / "annotated.csv"
    tidy.to_csv(tidy_path, index=False)
    code, err = run_cli(
        ["uptake", "analyze", str(tidy_path), "-o", str(tmp_path / "o"), "--isotope", "I-125"],
        capsys,
    )
    assert code == 0, err
    assert (tmp_path / "o" / "uptake_timecourse.png").exists()


def test_a_group_of_one_is_named_in_the_checks(tmp_path) -> None:
    """A time typed 6 instead of 60 makes a new group: it is listed, not silently analysed."""
    import pandas as pd

    from assaykit.datasets.uptake import load_example
    from assaykit.run import run_uptake

    table, layout = load_example()
    i = layout.index[(layout["role"] == "sample") & (layout["time_min"] == 60.0)][0]
    layout.loc[i, "time_min"] = 6.0
    res = run_uptake(table, tmp_path / "out", layout=layout, figures=False)
    checks = pd.read_excel(tmp_path / "out" / "results.xlsx", sheet_name="checks")
    text = " ".join(checks["where"] + " " + checks["message"])
    assert "6 min" in text and "appears in one condition only" in text
    assert (res.result.qc["severity"] == "warning").any()
