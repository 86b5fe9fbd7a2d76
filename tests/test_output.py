"""Safe outputs: atomic writes, no overwrite without force, formula injection, determinism."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assaykit.errors import OutputError
from assaykit.report.output import (
    OutputFolder,
    neutralise_formula,
    provenance,
    sanitise_frame,
    write_table,
)


@given(st.text())
def test_neutralised_text_never_starts_a_formula(text: str) -> None:
    out = neutralise_formula(text)
    assert isinstance(out, str)
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))
    # only a leading apostrophe is ever added
    assert out == text or out == "'" + text


def test_numbers_are_left_alone() -> None:
    df = pd.DataFrame({"sample": ["=1+1", "@SUM(A1)", "ok", "-x"], "value": [-1.5, 2.0, 3.0, -4.0]})
    safe = sanitise_frame(df)
    assert safe["sample"].tolist() == ["'=1+1", "'@SUM(A1)", "ok", "'-x"]
    assert safe["value"].tolist() == [-1.5, 2.0, 3.0, -4.0]
    assert df["sample"].iloc[0] == "=1+1"  # the input is not changed


def test_write_table_refuses_to_overwrite(tmp_path) -> None:
    df = pd.DataFrame({"a": [1, 2]})
    target = tmp_path / "t.csv"
    write_table(df, target)
    first = target.read_bytes()
    with pytest.raises(OutputError, match="--force"):
        write_table(pd.DataFrame({"a": [3]}), target)
    assert target.read_bytes() == first
    write_table(pd.DataFrame({"a": [3]}), target, force=True)
    assert target.read_text().splitlines() == ["a", "3"]
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]  # no temporary files left


def test_xlsx_cells_are_formula_safe(tmp_path) -> None:
    import openpyxl

    target = tmp_path / "t.xlsx"
    write_table(pd.DataFrame({"name": ['=HYPERLINK("http://evil")'], "x": [1.5]}), target)
    ws = openpyxl.load_workbook(target).active
    assert ws["A2"].value == '\'=HYPERLINK("http://evil")'
    assert ws["A2"].data_type == "s"
    assert ws["B2"].value == 1.5


def test_output_folder_is_all_or_nothing(tmp_path) -> None:
    target = tmp_path / "out"
    with pytest.raises(RuntimeError), OutputFolder(target) as out:
        out.write_csv(pd.DataFrame({"a": [1]}), "results.csv")
        raise RuntimeError("interrupted")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_output_folder_force_and_determinism(tmp_path) -> None:
    target = tmp_path / "out"
    df = pd.DataFrame({"a": [0.1, 1 / 3], "b": ["x", "y"]})
    with OutputFolder(target) as out:
        out.write_csv(df, "results.csv")
    first = (target / "results.csv").read_bytes()
    with pytest.raises(OutputError, match="exists"):
        OutputFolder(target)
    with OutputFolder(target, force=True) as out:
        out.write_csv(df, "results.csv")
    assert (target / "results.csv").read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_output_folder_rejects_path_names(tmp_path) -> None:
    with OutputFolder(tmp_path / "o") as out, pytest.raises(ValueError):
        out.path("../escape.csv")


def test_provenance_records_hashes_and_options(tmp_path) -> None:
    import hashlib

    f = tmp_path / "in.csv"
    f.write_bytes(b"a,b\n1,2\n")
    rec = provenance(
        {"input": f, "layout": None}, {"model": "4pl", "outdir": tmp_path}, "binding fit"
    )
    assert rec["inputs"]["input"]["sha256"] == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    assert "layout" not in rec["inputs"]
    assert rec["options"]["model"] == "4pl"
    assert rec["versions"]["pandas"] == pd.__version__
    json.dumps(rec)  # serialisable


def test_every_numeric_result_column_has_its_unit_in_the_workbook(tmp_path):
    """Outputs explain themselves: results.xlsx's units sheet names the unit of every numeric
    column of the binding parameters (IC50 and Ki in M, logIC50 in log10 M, ...)."""
    import pandas as pd

    from assaykit.datasets.binding import EXPORT, LAYOUT
    from assaykit.run import run_binding

    run_binding(EXPORT, tmp_path / "out", layout=LAYOUT, figures="none")
    units = pd.read_excel(tmp_path / "out" / "results.xlsx", sheet_name="units").fillna("")
    par = units[units["table"] == "parameters"].set_index("column")["unit"]
    assert par["ic50"] == "M" and par["ki_ci_high"] == "M" and par["log_ic50_se"] == "log10 M"
    assert (par != "").all(), par[par == ""]
