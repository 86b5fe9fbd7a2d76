"""``assaykit binding summarize``: results folders, results.xlsx, duplicates refused, bad cells named."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from assaykit.datasets.binding import EXPORT, LAYOUT
from tests.cli.test_binding_cli import _one_error_line, run


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Two experiments: the bundled export and a copy with changed counts (another day)."""
    root = tmp_path_factory.mktemp("runs")
    day2 = root / "day2.csv"
    text = EXPORT.read_text(encoding="utf-8")
    shutil.copyfile(EXPORT, root / "day1.csv")
    day2.write_text(text.replace("\n", "\r\n"), encoding="utf-8")  # other bytes, same numbers
    for name in ("day1", "day2"):
        assert run(["binding", "fit", str(root / f"{name}.csv"), "-l", str(LAYOUT), "-o",
                    str(root / name), "--no-figures"]) == 0  # fmt: skip
    return root


def test_folders_and_xlsx_are_accepted(two_runs, tmp_path, capsys):
    out = tmp_path / "s"
    code = run(["binding", "summarize", str(two_runs / "day1"),
                str(two_runs / "day2" / "results.xlsx"), "-o", str(out)])  # fmt: skip
    assert code == 0
    s = pd.read_csv(out / "summary.csv")
    # both runs used the template's experiment id: counted as two experiments, and said so
    assert set(s["n"]) == {2}
    assert "appears in 2 results files" in capsys.readouterr().err


def test_same_results_twice_are_refused(two_runs, tmp_path, capsys):
    csv = str(two_runs / "day1" / "results.csv")
    assert run(["binding", "summarize", csv, csv, "-o", str(tmp_path / "s")]) == 1
    line = _one_error_line(capsys)
    assert "the same" in line and "once" in line
    assert not (tmp_path / "s").exists()


def test_a_rerun_of_the_same_inputs_is_refused(two_runs, tmp_path, capsys):
    """Two folders written from the same export (same SHA-256 in provenance.json) are one run."""
    again = tmp_path / "again"
    assert run(["binding", "fit", str(two_runs / "day1.csv"), "-l", str(LAYOUT), "-o", str(again),
                "--no-figures"]) == 0  # fmt: skip
    capsys.readouterr()
    code = run(["binding", "summarize", str(two_runs / "day1"), str(again), "-o",
                str(tmp_path / "s")])  # fmt: skip
    assert code == 1
    assert "results of the same inputs" in _one_error_line(capsys)


def test_text_in_log_ic50_names_the_line(tmp_path, capsys):
    bad = tmp_path / "results.csv"
    pd.DataFrame({"compound": ["A", "A"], "experiment": ["e1", "e2"], "log_ic50": [-8.0, "oops"],
                  "status": "ok"}).to_csv(bad, index=False)  # fmt: skip
    assert run(["binding", "summarize", str(bad), "-o", str(tmp_path / "s")]) == 1
    line = _one_error_line(capsys)
    assert "line 3" in line and "'oops'" in line


def test_summarize_from_the_index(two_runs, tmp_path, capsys):
    """The index (assaykit index add) is an input too: the same experiments as the folders."""
    db = tmp_path / "lab.sqlite"
    assert (
        run(["index", "add", str(two_runs / "day1"), str(two_runs / "day2"), "--db", str(db)]) == 0
    )
    capsys.readouterr()
    out = tmp_path / "s"
    assert run(["binding", "summarize", str(db), "-o", str(out)]) == 0
    s = pd.read_csv(out / "summary.csv").set_index("compound")
    per_run = pd.concat(
        [pd.read_csv(two_runs / d / "results.csv") for d in ("day1", "day2")], ignore_index=True
    )
    ok = per_run[per_run["status"] == "ok"]
    for compound, g in ok.groupby("compound"):
        assert s.loc[compound, "n"] == len(g) == 2
        assert s.loc[compound, "mean_log_ic50"] == pytest.approx(g["log_ic50"].mean(), rel=1e-12)


def test_profile_from_the_index(two_runs, tmp_path, capsys):
    """The compound profile takes the index as input as well as folders: same IC50 rows."""
    db = tmp_path / "lab.sqlite"
    assert (
        run(["index", "add", str(two_runs / "day1"), str(two_runs / "day2"), "--db", str(db)]) == 0
    )
    assert run(["profile", str(db), "-o", str(tmp_path / "p1")]) == 0
    assert (
        run(["profile", str(two_runs / "day1"), str(two_runs / "day2"), "-o", str(tmp_path / "p2")])
        == 0
    )
    a = pd.read_csv(tmp_path / "p1" / "results.csv").set_index("compound").sort_index()
    b = pd.read_csv(tmp_path / "p2" / "results.csv").set_index("compound").sort_index()
    cols = [c for c in a.columns if c.startswith("ic50") or c.startswith("n_")]
    assert cols and a[cols].equals(b[cols])
